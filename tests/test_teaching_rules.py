"""The rules a frame keeps to teach, as properties over random layers of every kind drawn with
windows: every step in order (the window moves by exactly the stride, or starts the next row,
kernel column or stage), every sum's drawn terms adding up to what it says, every colour of a
key shown in its grid and every colour of a grid in its key."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

import convgif
from convgif import (
    AvgPool2dSpec,
    Conv1dSpec,
    Conv2dSpec,
    ConvTranspose2dSpec,
    LPPool2dSpec,
    MaxPool2dSpec,
    SeparableSpec,
)
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.picture.numbers import format_value

rng = np.random.default_rng(22)


def random_layer() -> tuple[object, dict]:
    """A random valid layer of a kind drawn with sliding windows, and its view."""
    while True:
        kind = rng.choice(["conv2d", "conv1d", "separable", "as_conv", "max", "avg", "lp"])
        g = int(rng.integers(1, 3))
        cin, cout = g * int(rng.integers(1, 4)), g * int(rng.integers(1, 3))
        h, w = (int(v) for v in rng.integers(3, 14, 2))
        k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        s = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        d = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
        p = (int(rng.integers(0, 2)), int(rng.integers(0, 2)))
        try:
            if kind == "conv2d":
                return Conv2dSpec((cin, h, w), cout, k, s, p, d, g), {}
            if kind == "conv1d":
                return Conv1dSpec((cin, w), cout, k[1], s[1], p[1], d[1], g), {}
            if kind == "separable":
                return SeparableSpec((cin, h, w), cout, k, s, p, d), {}
            if kind == "as_conv":
                return ConvTranspose2dSpec((cin, h // 2 + 1, w // 2 + 1), cout, k, s, (0, 0), (0, 0), g), {
                    "as_conv": True
                }
            if kind == "max":
                return MaxPool2dSpec((cin, h, w), k, s, (min(p[0], k[0] // 2), min(p[1], k[1] // 2)), d), {}
            if kind == "avg":
                pad = (min(p[0], k[0] // 2), min(p[1], k[1] // 2))
                return AvgPool2dSpec((cin, h, w), k, s, pad, bool(rng.integers(0, 2)), bool(rng.integers(0, 2))), {}
            return LPPool2dSpec((cin, h, w), 2, k, s, bool(rng.integers(0, 2))), {}
        except convgif.SpecError:
            continue


LAYERS = [random_layer() for _ in range(60)]


def _window(step) -> tuple[int, int]:
    """The top-left cell of group 0's window in a step, in the grid as drawn."""
    top, left, _, _ = step.reads[0].box
    return top, left


def _written(step) -> tuple[int, int]:
    """The output cell a step writes (as drawn)."""
    top, left, _, _ = step.writes[0].box
    return top, left


@pytest.mark.parametrize(("spec", "view"), LAYERS, ids=lambda v: getattr(v, "caption", str(v)))
def test_every_step_in_order_the_window_moving_by_the_stride(spec, view):
    max_frames = int(rng.choice([0, 12, 40, 300]))
    try:
        job = Job(spec, Look(), view, max_frames=max_frames)
    except convgif.SpecError as error:  # no part's steps fit: said, naming what to change
        assert max_frames and error.argument in ("max_frames", "region")
        return
    assert job.steps == [list(range(n)) for n in job.shown]  # every step shown, in order
    assert not max_frames or job.total <= max_frames
    for drawn, steps in zip(job.drawings, job.steps):
        geometry = drawn.geometry
        stride = geometry.layer.stride if len(geometry.layer.stride) == 2 else (1, *geometry.layer.stride)
        per_column = geometry.steps_per_column
        before = None
        for step in steps:
            drawn.playback.advance(step)
            shown = drawn.playback.show(step)
            now = _written(shown), _window(shown)
            if before is not None and step % per_column:  # the same kernel column: the next output cell
                (row, col), (top, left) = before
                (new_row, new_col), (new_top, new_left) = now
                if new_row == row:
                    assert (new_col, new_top, new_left) == (col + 1, top, left + stride[1]), (step, before, now)
                else:
                    assert new_row == row + 1 and new_col == 0 and new_top == top + stride[0], (step, before, now)
            elif before is not None:  # the next column starts again at the first output cell
                assert now[0] == (0, 0), (step, now)
            before = now


SUM = re.compile(r"^\w\[[\d, ]+\] = (.+)$")


def test_drawn_terms_add_up_to_every_shown_sum_when_channels_are_left_out():
    """A layer with more input channels than a picture draws: the sum line names the drawn
    channels' part and the rest, which the cells drawn and the output confirm."""
    for cin, seed in ((64, 1), (48, 2), (20, 3)):
        spec = Conv2dSpec((cin, 12, 12), 2, 3, padding=1)
        job = Job(spec, Look(values=True), seed=seed)
        (drawn,) = job.drawings
        shown_in = sorted(job.layouts[0].shown_in)
        assert len(shown_in) < cin  # a picture of a sensible size leaves channels out
        weight = job.recording.weight
        for step in job.steps[0][:6]:
            drawn.playback.advance(step)
            shown = drawn.playback.show(step)
            for entry in shown.sums:
                match = re.match(
                    r"^y\[(\d+), (\d+), (\d+)\] = Σ x\[0:(\d+)\]·w \+ Σ x\[(\d+):(\d+)\]·w \+ b = "
                    r"(\S+) \+ (\S+) \+ (\S+) = (\S+) \(x\[\d+:\d+\] not drawn\)$",
                    entry,
                )
                assert match, entry
                co, oy, ox, stop, first_hidden, end = (int(match.group(i)) for i in range(1, 7))
                assert stop == len(shown_in) == first_hidden and end == cin  # Python's slices: x[0:3], x[3:64]
                cells = shown.reads[0].cells
                grid = drawn.grid
                kernel = weight[drawn.kernel_row(co)] if drawn.kernel_channels else weight[co]
                top, left, _, _ = shown.reads[0].box
                part = sum(
                    grid[c, y, x] * kernel[c, y - top, x - left] for c, y, x in cells.tolist() if c < len(shown_in)
                )
                output = job.recording.output[co, oy, ox]
                bias = job.recording.bias[co]
                assert match.group(7) == format_value(part)
                assert match.group(8) == format_value(output - bias - part)
                assert match.group(9) == format_value(bias) and match.group(10) == format_value(output)


def _key_colours(scene, key) -> set[int]:
    colours = scene._key_colours(key.role)
    return {colours[shade] for shade, _ in key.items if shade is not None and shade >= 0}


@pytest.mark.parametrize(("spec", "view"), LAYERS[:30], ids=lambda v: getattr(v, "caption", str(v)))
def test_every_key_colour_is_in_its_grids_and_every_grid_colour_in_its_key(spec, view):
    """Played to the end, the output grids show the key's every value colour of a key that lists
    its values (a ramp's ends at least), and every value colour drawn is in the key."""
    job = Job(spec, Look(values=True), view)
    for part, steps in zip(job.parts, job.steps):
        for _ in part.frames(steps):
            pass
        scene, drawn = part.scene, part.drawn
        keys = {key.role: key for key in scene.scales.keys}
        outputs = set(scene.colours.outputs)
        shown = {scene.output_colour(v, co) for co in part.layout.outputs for v in np.unique(drawn.output[co])}
        shown &= outputs
        in_key = _key_colours(scene, keys["output"])
        assert shown <= in_key
        if all(text for shade, text in keys["output"].items if shade is not None and shade >= 0):
            assert in_key <= shown  # a key writing each value: each is drawn


STEP = re.compile(r"step (\d+)/(\d+)")


def _counted_layers() -> list[tuple[object, dict]]:
    """Every kind's example, and layers whose pictures show some of many output channels."""
    layers = [(convgif.operation(op.name).build(**op.example()), {}) for op in convgif.ops.operations()]
    layers += [
        (Conv2dSpec((3, 8, 8), 32, 3), {}),
        (ConvTranspose2dSpec((64, 12, 12), 32, 2, 2), {}),
        (ConvTranspose2dSpec((4, 5, 5), 16, 3, 2, groups=2), {}),
        (convgif.ConvTranspose3dSpec((2, 2, 3, 3), 16, 2, 2), {}),
        (Conv1dSpec((8, 20), 24, 3), {}),
    ]
    return layers


@pytest.mark.parametrize(("spec", "view"), _counted_layers(), ids=lambda v: getattr(v, "caption", str(v)))
def test_a_step_counter_counts_the_steps_drawn(spec, view):
    """ "step k/N" in a step line: k the step's place among those the part draws, N their count
    (never the steps of channels the picture does not show). A 3-D layer's depth slices are one
    part, played one after the other: their steps are counted through them all (a backward
    pass's through each gradient's slices: dx's, then dw's, then db's)."""
    try:
        job = Job(spec, Look(), view, max_frames=0)
    except convgif.SpecError:
        return  # a kind not drawn this way
    depth = len(getattr(spec, "input_shape", ())) == 4  # (C, D, H, W)
    runs = [
        list(run)
        for _, run in itertools.groupby(
            zip(job.drawings, job.steps), lambda pair: pair[0].geometry.output_name if depth else id(pair[0])
        )
    ]
    for run in runs:
        before, total = 0, sum(len(steps) for _, steps in run)
        for drawn, steps in run:
            for step in steps:
                drawn.playback.advance(step)
                counted = STEP.search(drawn.playback.show(step).text)
                if counted is not None:
                    shown = (int(counted[1]), int(counted[2]))
                    assert shown == (before + step + 1, total), drawn.playback.show(step).text
            before += len(steps)
