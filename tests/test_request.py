"""A render's request (convgif.animation.request): the values a named kernel is drawn with; a
still's job is its animation's."""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from gifs import displayed_frames
from PIL import Image

import convgif
from convgif import ops
from convgif.animation import Look
from convgif.animation.request import _Given
from convgif.cli import main
from convgif.inputs.kernels import PRESETS


def _given(spec, kernel, bias=None) -> _Given:
    return _Given.of(spec, None, None, None, bias, kernel, None, False, (), "en")


@pytest.mark.parametrize("seed", range(4))
def test_a_named_kernel_is_drawn_with_bias_zero_unless_one_is_given(seed):
    """A kernel's output is the kernel's alone (an edge filter's 0 stays 0): b = 0, every output
    cell equals the convolution without bias, and the sum line says "+ b = s + 0 = s". A bias
    given is kept; a layer without one gets none."""
    torch = pytest.importorskip("torch")
    rng = random.Random(seed)
    name = rng.choice(sorted(PRESETS))
    k = PRESETS[name].shape[-1]
    shape = (rng.randint(1, 2), rng.randint(k, 8), rng.randint(k, 8))
    spec = ops.operation("Conv2d").build(input_shape=shape, out_channels=rng.randint(1, 2), kernel_size=k)
    given = _given(spec, name)
    assert given.bias is not None and not given.bias.any() and given.bias.shape == (spec.out_channels,)
    job = given.job(Look(values=True), {}, seed, False, 10_000, None)
    rec = job.recording
    expected = torch.nn.functional.conv2d(
        torch.tensor(rec.input[None], dtype=torch.float64), torch.tensor(rec.weight, dtype=torch.float64)
    )[0].numpy()
    np.testing.assert_allclose(rec.output, expected)
    drawn = job.drawings[0]
    for step in range(drawn.geometry.steps):
        drawn.playback.advance(step)
        for line in drawn.playback.show(step).sums:
            found = re.search(r"\+ b = (\S+) \+ 0 = (\S+)$", line)
            assert found and found.group(1) == found.group(2), line
    own = np.arange(1, spec.out_channels + 1, dtype=float)
    assert (_given(spec, name, own).bias == own).all()
    plain = ops.operation("Conv2d").build(input_shape=shape, out_channels=1, kernel_size=k, bias=False)
    assert _given(plain, name).bias is None


def test_the_cli_draws_a_named_kernel_without_a_shift_and_no_bias_still_drops_it(tmp_path):
    runner = CliRunner()
    for extra, params in (([], "10 parameters"), (["--no-bias"], "9 parameters")):
        result = runner.invoke(main, ["--in", "1,6,6", "--kernel", "sobel-x", *extra, "-o", str(tmp_path / "k.gif")])
        assert result.exit_code == 0 and params in result.output + (result.stderr or ""), result.output


# -- a still is the animation's frame: its job is the animation's, built from the same options --

#: Layers whose animation --max-frames (or the frame, for the one with --values) draws in part:
#: fewer output channels, a part of the output, a layer drawn as two pictures.
DRAWN_IN_PART = [
    ("--separable", "--in", "16,7,7", "--out", "32", "--k", "3", "--no-bias", "--max-frames", "60"),
    ("--in", "1,7,7", "--out", "4", "--k", "3", "--max-frames", "30"),
    ("--in", "2,12,12", "--out", "2", "--k", "3", "--max-frames", "20", "--values"),
    ("--layer", "MaxPool2d", "--in", "2,8,8", "--k", "2", "--max-frames", "10"),
    ("--conv1d", "--in", "2,24", "--out", "3", "--k", "3", "--max-frames", "15"),
    ("--in", "3,7,9", "--out", "2", "--k", "5,2", "--values"),
]


def _rgb(path: str) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


@pytest.mark.parametrize("args", DRAWN_IN_PART, ids=lambda args: " ".join(args))
def test_frame_n_is_the_animations_frame_n_and_one_past_its_frames_is_refused(run, args):
    """``--frame N`` writes frame N of the GIF the same options write (the same part, channels
    and colour scales: the same pixels), as large as the picture its step is in (the rest of
    the GIF's frame is background); N past the GIF's frames is refused naming --frame."""
    run(*args, "-q", "-o", "a.gif")
    with Image.open("a.gif") as gif:
        total = gif.n_frames
        frames = {}
        for n in (total // 2 + 1, total):  # the separable's 26th: the first of its second picture
            gif.seek(n - 1)
            frames[n] = np.asarray(gif.convert("RGB"))
    for n, frame in frames.items():
        run(*args, "-q", "--frame", str(n), "-o", f"f{n}.png")
        still = _rgb(f"f{n}.png")
        height, width = still.shape[:2]
        np.testing.assert_array_equal(frame[:height, :width], still, err_msg=f"frame {n} of {total}")
        assert (frame[height:] == frame[0, 0]).all() and (frame[:, width:] == frame[0, 0]).all()
    refused = CliRunner().invoke(main, [*args, "--frame", str(total + 1), "-o", "past.png"])
    assert refused.exit_code == 2 and "'--frame'" in refused.output, refused.output
    assert f"step={total + 1} must be from 1 to {total}, the steps drawn" in refused.output
    assert not Path("past.png").exists()


@pytest.mark.parametrize("max_frames", [12, 40])
def test_render_still_draws_the_frame_render_draws_with_the_same_max_frames(tmp_path, max_frames):
    """The Python API's still is frame ``step`` of :func:`convgif.render`'s animation with the
    same ``max_frames``, and a step past its frames is refused naming ``step``."""
    spec = convgif.Conv2dSpec((2, 8, 8), 3, 3)  # 108 steps: drawn in part under either limit
    gif = displayed_frames(convgif.render(spec, tmp_path / "a.gif", max_frames=max_frames).path)
    assert len(gif) <= max_frames < spec.steps
    still = convgif.render_still(spec, tmp_path / "s.png", step=len(gif), max_frames=max_frames)
    np.testing.assert_array_equal(_rgb(still.path), gif[-1])
    with pytest.raises(convgif.SpecError, match=f"step={len(gif) + 1} must be from 1 to {len(gif)},") as refused:
        convgif.render_still(spec, tmp_path / "t.png", step=len(gif) + 1, max_frames=max_frames)
    assert refused.value.argument == "step"
