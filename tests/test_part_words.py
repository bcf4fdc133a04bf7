"""The words of a picture of a part: every kind that draws a part of a layer (some of its output
positions, or some of its channels) counts its steps "of this part", as a convolution does, and a
whole picture does not (a pooling's step writes every channel: leaving channels out leaves no
step out); a heading says "part" only over a map drawn in part."""

from __future__ import annotations

import random

import pytest

import convgif
from convgif import ops
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.picture.model import Region
from convgif.picture.sizes import shown_note

R = Region  # rows (start, stop), columns (start, stop); a 1-D layer's rows are (0, 1)

CASES = [
    (convgif.UpsampleSpec((2, 5), scale_factor=1.5, mode="linear"), R((0, 1), (0, 4), dims=1)),
    (convgif.UpsampleSpec((2, 3, 3), scale_factor=2, mode="bilinear"), R((1, 4), (0, 3))),
    (convgif.UpsampleSpec((2, 3, 3), scale_factor=2), None),
    (convgif.UpsamplingNearest2dSpec((40, 3, 3), scale_factor=2), None),  # channels left out
    (convgif.PixelShuffleSpec((512, 4, 4), 4), None),
    (convgif.PixelShuffleSpec((8, 3, 3), 2), R((0, 4), (2, 6))),
    (convgif.PixelShuffleSpec((4, 3, 3), 2), None),
    (convgif.PixelUnshuffleSpec((2, 6, 6), 2), R((0, 2), (0, 3))),
    (convgif.PixelUnshuffleSpec((16, 4, 4), 2), None),
    (convgif.MaxPool2dSpec((2, 6, 6), 2), R((0, 2), (1, 3))),
    (convgif.MaxPool2dSpec((64, 4, 4), 2), None),
    (convgif.AvgPool1dSpec((2, 9), 3, 1), R((0, 1), (2, 5), dims=1)),
    (convgif.LPPool2dSpec((2, 6, 6), 2.0, 2), R((1, 3), (0, 2))),
    (convgif.AdaptiveAvgPool2dSpec((2, 7, 7), 4), R((0, 2), (1, 4))),
    (convgif.AdaptiveMaxPool1dSpec((40, 9), 4), None),
    (convgif.MaxUnpool2dSpec((2, 3, 3), 2), R((0, 4), (0, 2))),
    (convgif.MaxUnpool2dSpec((30, 2, 2), 2), None),
    (convgif.ReflectionPad2dSpec((2, 4, 4), 2), R((0, 3), (2, 7))),
    (convgif.ZeroPad1dSpec((40, 5), 2), None),
    (convgif.ReflectionPad2dSpec((2, 3, 3), 1), None),
    (convgif.UnfoldSpec((1, 5, 5), 2, stride=2), R((0, 1), (0, 2), dims=1)),
    (convgif.UnfoldSpec((64, 4, 4), 2), None),
    (convgif.UnfoldSpec((2, 4, 4), 2), None),
    (convgif.FoldSpec((64 * 4, 9), (4, 4), 2), None),
    (convgif.FoldSpec((8, 9), (4, 4), 2), None),
    (convgif.FoldSpec((4, 9), (4, 4), 2), R((0, 2), (1, 4))),
    (convgif.ConvTranspose2dSpec((64, 3, 3), 2, 3), None),  # input channels left out, every step drawn
    (convgif.ConvTranspose2dSpec((2, 3, 3), 2, 3), None),
    (convgif.ConvTranspose2dSpec((2, 3, 3), 1, 3, stride=2), R((0, 7), (3, 7))),  # every input reaches it
]


@pytest.mark.parametrize(("spec", "region"), CASES, ids=lambda v: repr(v)[:60])
def test_a_part_counts_its_steps_of_this_part(spec, region):
    job = Job(spec, Look(values=True), {"region": region} if region else {})
    for drawn, steps in zip(job.drawings, job.steps):
        geometry = drawn.geometry
        full = spec.output_shape[1:] if len(spec.output_shape) == 3 else (1, *spec.output_shape[1:])
        if type(spec).__name__ == "UnfoldSpec":  # its output is (C·k·k, L), drawn as k·k rows a channel
            full = (spec.cells, spec.output_shape[1])
        # channels left out leave steps out, unless a step writes every channel (a pooling's)
        cut = bool(shown_note(geometry)) and not geometry.steps_every_channel
        part = tuple(geometry.out_size) != tuple(full) or cut
        assert part == (region is not None or cut), (geometry.out_size, full)
        for step in steps:
            drawn.playback.advance(step)
            text = drawn.playback.show(step).text
            assert text.endswith(f"step {step + 1}/{len(steps)} of this part" if part else f"/{len(steps)}"), text


HEADED = [
    convgif.UpsampleSpec((1, 3, 4), scale_factor=2, mode="bicubic", align_corners=True),
    convgif.UpsampleSpec((2, 5), scale_factor=1.5, mode="linear"),
    convgif.UpsampleSpec((2, 4, 4), scale_factor=3),
    convgif.ConvTranspose1dSpec((2, 4), 2, 3, stride=3, dilation=2, output_padding=1),
    convgif.ConvTranspose2dSpec((2, 3, 3), 1, 3, stride=2, padding=1, output_padding=1),
    convgif.PixelShuffleSpec((8, 3, 3), 2),
    convgif.PixelUnshuffleSpec((2, 6, 6), 3),
    convgif.ReflectionPad2dSpec((2, 4, 4), 2),
    convgif.ZeroPad1dSpec((2, 5), (1, 3)),
    convgif.MaxPool2dSpec((2, 6, 6), 3, 2, 1, ceil_mode=True),
    convgif.AvgPool2dSpec((1, 7, 7), 2, 1),
    convgif.AdaptiveAvgPool2dSpec((2, 7, 7), 4),
    convgif.AdaptiveMaxPool1dSpec((2, 9), 4),
    convgif.MaxUnpool2dSpec((2, 3, 3), 2),
    convgif.MaxUnpool1dSpec((2, 4), 3, 2),
]


def _regions(size: tuple[int, ...], dims: int, rng: random.Random) -> list[Region]:
    """Some parts of an output of ``size`` (rows, cols): each edge, the middle, all of it."""
    h, w = size
    found = [Region((0, h), (0, w), dims=dims)]
    for _ in range(6):
        r0 = 0 if dims == 1 else rng.randrange(h)
        c0 = rng.randrange(w)
        r1 = 1 if dims == 1 else rng.randint(r0 + 1, h)
        found.append(Region((r0, r1), (c0, rng.randint(c0 + 1, w)), dims=dims))
    return found


@pytest.mark.parametrize("spec", HEADED, ids=lambda v: repr(v)[:60])
def test_a_heading_says_part_only_over_a_map_drawn_in_part(spec):
    """Over the input and the output, "part" exactly where the picture of a region draws fewer
    cells than the whole picture does (the input whole, all of it read, says no part)."""
    op = ops.of(spec)
    (whole,) = op.geometries(spec)
    dims = len(spec.input_shape) - 1
    rng = random.Random(repr(spec))
    size = tuple(spec.output_shape[1:]) if dims == 2 else (1, spec.output_shape[-1])
    for region in _regions(size, dims, rng):
        try:
            (drawn,) = op.geometries(spec, region=region)
        except convgif.SpecError as error:  # a constant pad's part that copies nothing is refused
            assert error.argument == "region", error
            continue
        for heading, size, full in (
            (drawn.input_heading, drawn.grid, whole.grid),
            (drawn.output_heading, drawn.out_size, whole.out_size),
        ):
            assert ("part" in heading) == (tuple(size) != tuple(full)), (region, heading, size, full)
