"""The words of a picture of a part of a 3-D layer, drawn one output depth slice at a time: as
for the 1-D and 2-D kinds (tests/test_part_words.py), each depth picture that draws a part (some
of the rows and columns of its slice, or some of its input slices or channels) counts its steps
"of this part", through the whole animation, and a whole one does not; a heading says "part"
only over a map drawn in part."""

from __future__ import annotations

import random
import re

import pytest

import convgif
from convgif import ops
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.picture.model import Region
from convgif.picture.sizes import shown_note

R = Region  # rows (start, stop), columns (start, stop) of every output depth slice

#: (layer, region): a region cutting the slices, None for the whole (cut by the render when the
#: layer is too large to draw whole, or drawn with some channels left out, or all of it).
CASES = [
    (convgif.UpsampleSpec((1, 4, 40, 40), scale_factor=2, mode="trilinear"), None),  # too large: cut
    (convgif.UpsampleSpec((1, 3, 3, 3), scale_factor=2, mode="trilinear"), R((1, 4), (0, 3))),
    (convgif.UpsampleSpec((1, 3, 3, 3), scale_factor=2, mode="trilinear"), None),
    (convgif.UpsampleSpec((40, 2, 3, 3), scale_factor=2), None),  # channels left out
    (convgif.UpsampleSpec((2, 3, 3, 3), scale_factor=2, mode="area"), R((0, 2), (1, 4))),
    (convgif.ReplicationPad3dSpec((1, 3, 40, 40), 2), None),
    (convgif.ReplicationPad3dSpec((2, 2, 4, 4), 1), R((0, 3), (2, 6))),
    (convgif.ReplicationPad3dSpec((2, 2, 4, 4), 1), None),
    (convgif.ReflectionPad3dSpec((2, 3, 4, 4), (2, 1, 0, 1, 1, 2)), R((1, 5), (0, 2))),
    (convgif.ConstantPad3dSpec((2, 2, 4, 4), 1, 3.0), R((0, 3), (2, 6))),  # slices of the constant too
    (convgif.ConstantPad3dSpec((2, 2, 4, 4), 1, 3.0), None),
    (convgif.ZeroPad3dSpec((40, 2, 3, 3), 1), None),
    (convgif.CircularPad3dSpec((2, 2, 3, 3), 1), R((0, 2), (0, 2))),
    (convgif.MaxUnpool3dSpec((1, 2, 3, 3), 2), R((0, 4), (0, 2))),
    (convgif.MaxUnpool3dSpec((30, 2, 2, 2), 2), None),
    (convgif.MaxUnpool3dSpec((1, 2, 30, 30), 2), None),
    (convgif.MaxUnpool3dSpec((2, 2, 2, 2), 2), None),
    (convgif.LPPool3dSpec((2, 4, 6, 6), 2.0, 2), R((1, 3), (0, 2))),
    (convgif.LPPool3dSpec((64, 2, 4, 4), 2.0, 2), None),
    (convgif.LPPool3dSpec((2, 2, 4, 4), 1.0, 2), None),
    (convgif.AdaptiveAvgPool3dSpec((2, 3, 7, 7), 4), R((0, 2), (1, 4))),
    (convgif.AdaptiveAvgPool3dSpec((2, 3, 7, 7), 4), None),
    (convgif.AdaptiveMaxPool3dSpec((40, 2, 5, 5), 2), None),
    (convgif.FractionalMaxPool3dSpec((2, 5, 7, 7), 2, output_size=(2, 4, 4)), R((0, 2), (1, 4))),
    (convgif.FractionalMaxPool3dSpec((40, 5, 5, 5), 2, output_size=(2, 2, 2)), None),
    (convgif.ConvTranspose3dSpec((2, 2, 3, 3), 2, 2), R((0, 2), (1, 3))),
    (convgif.ConvTranspose3dSpec((2, 2, 3, 3), 2, 2, stride=2), None),
    (convgif.ConvTranspose3dSpec((64, 2, 3, 3), 2, 2), None),  # input slices left out
    (convgif.MaxPool3dSpec((64, 2, 4, 4), 2), None),  # channels left out
    (convgif.AvgPool3dSpec((2, 4, 6, 6), 2), R((0, 2), (1, 3))),
    (convgif.AvgPool3dSpec((2, 4, 6, 6), 2), None),
]

COUNT = re.compile(r"step (\d+)/(\d+)( of this part)?$")


@pytest.mark.parametrize(("spec", "region"), CASES, ids=lambda v: repr(v)[:70])
def test_a_depth_part_counts_its_steps_of_this_part(spec, region):
    """Every step line ends "step k/n", k counted through the whole animation, and "of this
    part" exactly where its picture draws a part: fewer rows or columns than the slice has, or
    some of the input slices or channels left out (but for a pooling, whose step writes every
    channel)."""
    job = Job(spec, Look(values=True), {"region": region} if region else {})
    full = tuple(spec.output_shape[2:])
    total = sum(len(steps) for steps in job.steps)
    played = 0
    for drawn, steps in zip(job.drawings, job.steps):
        geometry = drawn.geometry
        part = tuple(geometry.out_size) != full or (bool(shown_note(geometry)) and not geometry.steps_every_channel)
        if region is not None:
            assert part
        for k, step in enumerate(steps):
            drawn.playback.advance(step)
            text = drawn.playback.show(step).text
            found = COUNT.search(text)
            assert found, text
            assert (int(found[1]), int(found[2])) == (played + k + 1, total), text
            assert bool(found[3]) == part, (text, geometry.out_size, full, shown_note(geometry))
        played += len(steps)


HEADED = [
    convgif.UpsampleSpec((1, 3, 3, 4), scale_factor=2, mode="trilinear", align_corners=True),
    convgif.UpsampleSpec((2, 2, 4, 4), scale_factor=3),
    convgif.UpsampleSpec((1, 3, 4, 4), scale_factor=(1, 0.5, 0.75), mode="area"),
    convgif.ReplicationPad3dSpec((2, 2, 4, 4), 2),
    convgif.ReflectionPad3dSpec((1, 3, 4, 4), (2, 1, 0, 1, 1, 2)),
    convgif.ConstantPad3dSpec((2, 2, 4, 4), (1, 2, 0, 1, 1, 1), 0.5),
    convgif.ZeroPad3dSpec((1, 2, 3, 3), (-1, 2, 1, 0, 0, 1)),
    convgif.CircularPad3dSpec((1, 2, 3, 3), 1),
    convgif.MaxUnpool3dSpec((2, 2, 3, 3), 2),
    convgif.MaxUnpool3dSpec((1, 2, 3, 3), 3, 2),
    convgif.LPPool3dSpec((2, 3, 6, 6), 2.0, 2),
    convgif.AdaptiveAvgPool3dSpec((2, 3, 7, 7), (2, 4, 4)),
    convgif.AdaptiveMaxPool3dSpec((1, 2, 7, 5), (2, 3, 4)),
    convgif.FractionalMaxPool3dSpec((1, 4, 7, 7), 2, output_size=(2, 4, 4), samples=[[0.3, 0.6, 0.9]]),
    convgif.ConvTranspose3dSpec((2, 2, 3, 3), 1, 3, stride=2, padding=1, output_padding=1),
    convgif.ChannelShuffleSpec((4, 2, 3, 3), 2),
]


def _regions(size: tuple[int, int], rng: random.Random) -> list[Region]:
    """Some parts of a slice of ``size`` (rows, cols): each edge, the middle, all of it, and all
    but its first column or its last row (which may read every input cell)."""
    h, w = size
    found = [Region((0, h), (0, w)), Region((0, h), (1, w)), Region((0, h - 1), (0, w))]
    for _ in range(6):
        r0, c0 = rng.randrange(h), rng.randrange(w)
        found.append(Region((r0, rng.randint(r0 + 1, h)), (c0, rng.randint(c0 + 1, w))))
    return found


@pytest.mark.parametrize("spec", HEADED, ids=lambda v: repr(v)[:70])
def test_a_depth_heading_says_part_only_over_a_map_drawn_in_part(spec):
    """Over the input and the output of every depth picture, "part" exactly where the picture
    of a region draws fewer cells than the whole picture of that slice does."""
    op = ops.of(spec)
    whole = op.geometries(spec)
    rng = random.Random(repr(spec))
    for region in _regions(tuple(spec.output_shape[2:]), rng):
        try:
            drawn = op.geometries(spec, region=region)
        except convgif.SpecError as error:  # a part that reads no input cell is refused
            assert error.argument == "region", error
            continue
        assert len(drawn) == len(whole)
        for z, (part, all_of_it) in enumerate(zip(drawn, whole)):
            for heading, size, full in (
                (part.input_heading, part.grid, all_of_it.grid),
                (part.output_heading, part.out_size, all_of_it.out_size),
            ):
                assert ("part" in heading) == (tuple(size) != tuple(full)), (z, region, heading, size, full)


def _random_layer(rng: random.Random):
    """A random valid 3-D layer of a kind drawn one depth slice at a time, its channels few or
    more than a picture shows."""
    c = rng.choice([1, 2, 3, 12, 40])
    size = (c, rng.randint(1, 4), rng.randint(2, 7), rng.randint(2, 7))
    amounts = tuple(rng.randint(0, 2) for _ in range(6))
    kinds = [
        lambda: convgif.UpsampleSpec(
            size,
            scale_factor=rng.choice([2, 1.5, (1, 2, 3)]),
            mode=rng.choice(["nearest", "trilinear", "nearest-exact"]),
        ),
        lambda: convgif.UpsampleSpec(size, size=(size[1], rng.randint(1, 7), rng.randint(1, 7)), mode="area"),
        lambda: convgif.ReplicationPad3dSpec(size, amounts),
        lambda: convgif.ReflectionPad3dSpec(
            size, tuple(min(a, n - 1) for a, n in zip(amounts, (7, 7, 7, 7) + size[1:2] * 2))
        ),
        lambda: convgif.ConstantPad3dSpec(size, amounts, rng.choice([0.5, -1.0])),
        lambda: convgif.CircularPad3dSpec(
            size, tuple(min(a, n) for a, n in zip(amounts, (7, 7, 7, 7) + size[1:2] * 2))
        ),
        lambda: convgif.MaxUnpool3dSpec(size, (1, 2, 2), (1, 2, rng.randint(1, 2))),
        lambda: convgif.LPPool3dSpec(size, rng.choice([1.0, 2.0]), (1, 2, 2), (1, rng.randint(1, 2), 2)),
        lambda: convgif.AdaptiveAvgPool3dSpec(size, (rng.randint(1, 3), rng.randint(1, 4), rng.randint(1, 4))),
        lambda: convgif.AdaptiveMaxPool3dSpec(size, (rng.randint(1, 3), rng.randint(1, 4), rng.randint(1, 4))),
        lambda: convgif.FractionalMaxPool3dSpec(size, 1, output_size=(size[1], rng.randint(1, 2), rng.randint(1, 2))),
        lambda: convgif.ConvTranspose3dSpec(
            size, rng.randint(1, 3), (rng.randint(1, 2), 2, 2), (rng.randint(1, 2), 1, 2)
        ),
    ]
    while True:
        try:
            return rng.choice(kinds)()
        except convgif.SpecError:
            continue


@pytest.mark.parametrize("seed", range(200))
def test_random_depth_layers_count_and_head_their_parts(seed):
    """Random 3-D layers, whole or a random region of their slices: each step line counts
    "of this part" exactly where its picture draws a part, and each heading says "part" exactly
    over a map drawn in part (against the whole picture of the same slice)."""
    rng = random.Random(seed)
    spec = _random_layer(rng)
    op = ops.of(spec)
    full = tuple(spec.output_shape[2:])
    region = rng.choice([None, *_regions(full, rng)[1:]])
    try:
        job = Job(spec, Look(values=rng.random() < 0.5), {"region": region} if region else {})
        drawings = job.drawings
    except convgif.SpecError as error:  # a part that reads no input cell, a layer too wide, ...
        assert error.argument in ("region", "input_shape"), error
        return
    total = sum(len(steps) for steps in job.steps)
    played = 0
    whole = op.geometries(spec)
    for z, (drawn, steps) in enumerate(zip(drawings, job.steps)):
        geometry = drawn.geometry
        cut = bool(shown_note(geometry)) and not geometry.steps_every_channel  # a pooling's step: every channel
        part = tuple(geometry.out_size) != full or cut
        if isinstance(spec, convgif.MaxUnpool3dSpec):  # a step places an input cell: a part's when some are not read
            part = total < op.facts(spec)["steps"] or bool(shown_note(geometry))
        for k, step in enumerate(steps):
            drawn.playback.advance(step)
            text = drawn.playback.show(step).text
            found = COUNT.search(text)
            assert found and (int(found[1]), int(found[2])) == (played + k + 1, total), text
            assert bool(found[3]) == part, (spec, region, text, geometry.out_size, shown_note(geometry))
        played += len(steps)
        for heading, size, of_whole in (
            (geometry.input_heading, geometry.grid, whole[z].grid),
            (geometry.output_heading, geometry.out_size, whole[z].out_size),
        ):
            assert ("part" in heading) == (tuple(size) != tuple(of_whole)), (spec, region, z, heading, size, of_whole)
