"""Which steps a render draws, and why fewer (convgif.animation.drawn): a still's step past the
animation's frames is refused naming --frame (exit 2), with why the frames are fewer than the
layer's steps and what draws every step."""

from __future__ import annotations

import io
import re

import pytest
from click.testing import CliRunner
from PIL import Image

import convgif
from convgif.cli import main

VALUES = ["--in", "3,7,9", "--out", "2", "--k", "5,2", "--values"]  # drawn in part to fit the frame
VALUES_SPEC = convgif.Conv2dSpec((3, 7, 9), 2, (5, 2))


def _frames(args: list[str]) -> tuple[int, str]:
    """The frames of the GIF the options write, and what the command said."""
    done = CliRunner().invoke(main, [*args, "-o", "a.gif"])
    assert done.exit_code == 0, done.output
    with Image.open("a.gif") as gif:
        return gif.n_frames, done.output


def _refused(args: list[str], step: int) -> str:
    refused = CliRunner().invoke(main, [*args, "--frame", str(step), "-o", "s.png"])
    assert refused.exit_code == 2 and "Invalid value for '--frame': " in refused.output, refused.output
    return " ".join(refused.output.split())


def test_a_frame_past_those_of_a_layer_drawn_in_part_to_fit_says_so_and_the_advice_that_draws_every_step(run):
    """The refusal says the layer is drawn in part to fit the frame, how many of its steps are
    drawn, and the same --width / --scale advice as the animation's notes, which draws every step."""
    frames, said = _frames(VALUES)
    assert frames < VALUES_SPEC.steps
    message = _refused(VALUES, 28)
    assert (
        f"step=28 must be from 1 to {frames}, the steps drawn: the layer is drawn in part to fit the frame with "
        f"readable cells ({frames} of its {VALUES_SPEC.steps} steps, those of the output channels shown); "
    ) in message
    advice = re.search(r"; (--width (\d+) or --scale (\d+)) draws every step$", message)
    assert advice, message
    assert f"note: {advice.group(1)} draws every step of the layer ({VALUES_SPEC.steps})" in said
    width, scale = int(advice.group(2)), int(advice.group(3))
    for look in ({"width": width}, {"scale": scale}):
        last = convgif.render_still(VALUES_SPEC, io.BytesIO(), step=VALUES_SPEC.steps, values=True, **look)
        assert last.frames == 1 and last.shown_steps == VALUES_SPEC.steps


def test_a_limit_that_leaves_steps_out_is_named_with_the_least_that_draws_them(run):
    """--max-frames that draws a part says so, and the --max-frames that draws every step (or
    as many as a render without a limit draws), each checked to draw them."""
    args = ["--in", "1,7,7", "--out", "4", "--k", "3", "--max-frames", "30"]
    frames, _ = _frames(args)
    message = _refused(args, 31)
    assert message.endswith(
        f"step=31 must be from 1 to {frames}, the steps drawn: max_frames=30 draws a part of the layer whose steps "
        f"fit ({frames} of its 100 steps, those of the output channels shown); --max-frames 100 (or 0, no limit) "
        "draws every step"
    )
    assert _frames(["--in", "1,7,7", "--out", "4", "--k", "3", "--max-frames", "100"])[0] == 100
    spec = convgif.SeparableSpec((16, 7, 7), 32, 3, bias=False)
    with pytest.raises(convgif.SpecError) as refused:
        convgif.render_still(spec, io.BytesIO(), step=51, max_frames=60)
    more = re.search(r"--max-frames (\d+) \(or 0, no limit\) draws (\d+) of them$", str(refused.value))
    assert refused.value.argument == "step" and "max_frames=60 draws a part of the layer" in str(refused.value)
    assert more and more.group(1) == more.group(2), str(refused.value)
    most = int(more.group(1))
    for max_frames in (most, 0):  # that many frames, and no more without a limit
        assert convgif.render_still(spec, io.BytesIO(), step=most, max_frames=max_frames).frames == 1
        with pytest.raises(convgif.SpecError, match=f"must be from 1 to {most},"):
            convgif.render_still(spec, io.BytesIO(), step=most + 1, max_frames=max_frames)


def test_a_limit_the_frame_binds_before_is_not_blamed(run):
    """Under a --max-frames below the layer's steps but above what the frame fits, the frame,
    not the limit, leaves the steps out: the refusal says so."""
    frames, _ = _frames([*VALUES, "--max-frames", "40"])
    message = _refused([*VALUES, "--max-frames", "40"], frames + 1)
    assert f"the layer is drawn in part to fit the frame with readable cells ({frames} of its 48 steps" in message
    assert "max_frames" not in message and "--max-frames" not in message


def test_a_region_asked_and_a_layer_too_large_to_compute_whole_say_so(run, monkeypatch):
    message = _refused(["--in", "1,7,7", "--out", "4", "--k", "3", "--region", "0:2,0:2"], 17)
    assert message.endswith(
        f"step=17 must be from 1 to 16, the steps drawn: --region draws a part of the layer (16 of its {4 * 5 * 5} steps)"
    )
    from convgif.ops import args

    spec = convgif.Conv2dSpec((6, 30, 30), 4, 3, padding=1)
    monkeypatch.setattr(args, "MAX_ELEMENTS", 2_000)  # as if this layer were far too large
    with pytest.raises(convgif.SpecError, match=r"^step=10000 must be from 1 to \d+, the steps drawn: ") as refused:
        convgif.render_still(spec, io.BytesIO(), step=10_000, max_frames=20)
    assert re.search(
        rf"the layer is too large to compute whole, so a part of it is drawn \(\d+ of its {spec.steps:,} steps.*\); "
        "--region draws another part$",
        str(refused.value),
    ), str(refused.value)


def test_a_layer_drawn_whole_is_refused_with_its_rule_alone(run):
    frames, _ = _frames(["--in", "1,5,5", "--k", "3"])
    assert frames == 9
    assert _refused(["--in", "1,5,5", "--k", "3"], 10).endswith("step=10 must be from 1 to 9, the steps drawn")
