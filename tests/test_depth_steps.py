"""A 3-D layer drawn as its depth slices counts its steps through the whole animation: over a
render, the step lines read 1, 2, ..., N in order, N the frames drawn ("step 21/40" on the
first step of the second slice, not "step 1/20"); a backward pass counts each gradient (dx,
dw, db) on its own, through that gradient's slices. Every 3-D kind, forward and backward, small
and random, drawn whole and as a part."""

from __future__ import annotations

import dataclasses
import itertools
import random
import re

import pytest

from convgif import SpecError, ops
from convgif.animation import Look
from convgif.animation.job import Job

COUNT = re.compile(r"\bstep (\d+)/(\d+)( of this part)?")


def _shape(rng: random.Random, channels: int = 2) -> tuple[int, ...]:
    return (rng.randint(1, channels), rng.randint(2, 4), rng.randint(2, 5), rng.randint(2, 5))


def _specs(rng: random.Random) -> list:
    """One random spec of every 3-D kind (those torch refuses skipped)."""
    made = []
    wanted = [
        ("Conv3d", lambda: {"input_shape": _shape(rng), "out_channels": rng.randint(1, 3), "kernel_size": 2}),
        (
            "Conv3d",
            lambda: {
                "input_shape": (4, 4, 5, 5),
                "out_channels": 4,
                "kernel_size": 2,
                "groups": 2,
                "dilation": rng.choice([1, 2]),
                "padding": rng.choice([0, 1]),
                "padding_mode": rng.choice(["zeros", "reflect", "replicate", "circular"]),
            },
        ),
        ("ConvTranspose3d", lambda: {"input_shape": _shape(rng), "out_channels": rng.randint(1, 2), "kernel_size": 2}),
        ("MaxPool3d", lambda: {"input_shape": _shape(rng), "kernel_size": 2, "ceil_mode": rng.random() < 0.5}),
        ("AvgPool3d", lambda: {"input_shape": _shape(rng), "kernel_size": 2, "stride": 1}),
        ("LPPool3d", lambda: {"input_shape": _shape(rng), "norm_type": 2, "kernel_size": 2, "stride": 1}),
        ("AdaptiveMaxPool3d", lambda: {"input_shape": _shape(rng), "output_size": 2}),
        ("AdaptiveAvgPool3d", lambda: {"input_shape": _shape(rng), "output_size": 2}),
        ("FractionalMaxPool3d", lambda: {"input_shape": (1, 4, 5, 5), "kernel_size": 2, "output_size": 2}),
        ("MaxUnpool3d", lambda: {"input_shape": (1, 2, 2, 2), "kernel_size": 2}),
        ("ReplicationPad3d", lambda: {"input_shape": _shape(rng), "padding": 1}),
        ("ReflectionPad3d", lambda: {"input_shape": (1, 3, 3, 3), "padding": 1}),
        ("CircularPad3d", lambda: {"input_shape": _shape(rng), "padding": 1}),
        ("ZeroPad3d", lambda: {"input_shape": _shape(rng), "padding": 1}),
        ("ConstantPad3d", lambda: {"input_shape": _shape(rng), "padding": 1, "value": 0.5}),
        ("Upsample", lambda: {"input_shape": _shape(rng, 1), "scale_factor": 2, "mode": "trilinear"}),
        ("Upsample", lambda: {"input_shape": _shape(rng, 1), "scale_factor": 2, "mode": "nearest"}),
        ("ChannelShuffle", lambda: {"input_shape": (4, 2, 2, 2), "groups": 2}),
    ]
    for name, arguments in wanted:
        try:
            made.append(ops.operation(name).build(**arguments()))
        except SpecError:
            continue
    return made


def played(job: Job) -> list[tuple[str, int, int, bool]]:
    """(gradient, step, total, "of this part") of every step line the render draws, in order."""
    lines = []
    for drawn, steps in zip(job.drawings, job.steps):
        for step in steps:
            drawn.playback.advance(step)
            found = COUNT.search(drawn.playback.show(step).text)
            assert found, drawn.playback.show(step).text
            lines.append((drawn.geometry.output_name, int(found.group(1)), int(found.group(2)), bool(found.group(3))))
    return lines


def check_counts(job: Job, where) -> None:
    lines = played(job)
    assert len(lines) == job.total, where
    runs = [list(run) for _, run in itertools.groupby(lines, lambda line: line[0])]
    assert len({run[0][0] for run in runs}) == len(runs), where  # each gradient one run
    for run in runs:
        n = len(run)
        assert [(step, total) for _, step, total, _ in run] == [(i + 1, n) for i in range(n)], (where, run)
    if job.drawings[0].geometry.output_name == "y":  # a forward pass: one count, as long as the frames
        assert len(runs) == 1
    # the room the layout keeps for each picture's step line holds its own last step, of its run
    before = 0
    for drawn, steps in zip(job.drawings, job.steps):
        found = COUNT.search(drawn.geometry.step_text)
        mine = lines[before : before + len(steps)]
        before += len(steps)
        assert found, (where, drawn.geometry.step_text)
        if mine:
            assert int(found.group(1)) >= mine[-1][1] and int(found.group(2)) >= mine[-1][2], (where, mine)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("backward", [False, True])
def test_every_depth_kind_counts_its_steps_through_the_animation(seed, backward):
    rng = random.Random(seed)
    counted = 0
    for spec in _specs(rng):
        view = {"backward": True} if backward else {}
        try:
            job = Job(spec, Look(values=rng.random() < 0.5), view, max_frames=0)
        except SpecError as error:  # a backward pass not drawn for this layer
            assert backward, (spec, error)
            continue
        check_counts(job, (spec, backward))
        counted += len(job.drawings) > 1
    assert counted >= 10


def test_a_part_counts_through_every_slice_of_the_part():
    """A picture drawing some of the output channels (with values, one of two fits) draws a part:
    its steps still run 1..N, "of this part" on each, N the frames drawn; drawn whole, no "of
    this part", and the second slice starts at step 21 of 80."""
    spec = ops.operation("Conv3d").build(input_shape=(2, 3, 5, 6), out_channels=2, kernel_size=2)
    job = Job(spec, Look(values=True), max_frames=60)
    lines = played(job)
    assert len(job.drawings) == 2 and job.total == 40
    assert [(step, total) for _, step, total, _ in lines] == [(i + 1, 40) for i in range(40)]
    assert all(part for *_, part in lines)
    whole = played(Job(spec, Look(), max_frames=0))
    assert [(step, total, part) for _, step, total, part in whole][20] == (21, 80, False)
    assert not any(part for *_, part in whole)


def test_a_trilinear_upsample_counts_through_the_whole_animation():
    """Its second depth picture starts where the first left off: step 25 of 96."""
    up = ops.operation("Upsample").build(input_shape=(1, 2, 2, 3), scale_factor=2, mode="trilinear")
    lines = played(Job(up, Look(values=True), max_frames=0))
    assert len(lines) == 96 and lines[24][1:3] == (25, 96) and lines[23][1:3] == (24, 96)


NOTE_INDEX = re.compile(r"\bdepth (\d+) \(of 0(?:–(\d+))?\)")


@pytest.mark.parametrize("seed", range(2))
def test_a_depth_note_names_an_index_among_indices(seed):
    """Beside a 1-based "step 2/4", a note's depth is plainly an index: "depth 1 (of 0–3)",
    never "depth 1 of 4" (which reads as the first of four); in Chinese "深度 1 (索引 0–3 中)",
    never "(共 4)". Every note of every 3-D kind's pictures, forward and backward."""
    from convgif.picture.translated import geometry as translated

    rng = random.Random(seed)
    named = 0
    for spec in _specs(rng):
        for view in ({}, {"backward": True}):
            try:
                geometries = Job(spec, Look(), view).geometries
            except SpecError:
                continue
            for geometry in geometries:
                notes = " ".join(geometry.notes)
                assert not re.search(r"\bdepth \d+ of \d+", notes), notes
                for found in NOTE_INDEX.finditer(notes):
                    last = int(found.group(2) or 0)
                    assert int(found.group(1)) <= last and found.group(2) != "0", notes
                    named += 1
                for lang in ("zh-Hans", "zh-Hant"):
                    said = " ".join(translated(geometry, lang).notes)
                    assert "(共" not in said and said.count("(索引 ") == len(NOTE_INDEX.findall(notes)), said
    assert named >= 20


@pytest.mark.parametrize("seed", range(3))
def test_every_step_line_fits_the_room_its_layout_keeps(seed):
    """The layout sizes the step line for its longest text (the last step, "of this part" when
    the render may show fewer channels than the layer has): every line that plays fits it."""
    from convgif.picture.cells import cells
    from convgif.picture.sizes import STEP_BREAK, wrap

    rng = random.Random(seed)
    for spec in _specs(rng):
        for view in ({}, {"backward": True}):
            try:
                job = Job(spec, Look(values=rng.random() < 0.5), view, max_frames=rng.choice([0, 30, 60]))
            except SpecError:
                continue
            for drawn, layout, steps in zip(job.drawings, job.layouts, job.steps):
                for step in steps:
                    drawn.playback.advance(step)
                    text = drawn.playback.show(step).text
                    lines = wrap(text, layout.sum_width, STEP_BREAK)
                    assert len(lines) <= layout.step_lines and max(map(cells, lines)) <= layout.sum_width, (spec, text)


def test_a_max_pool_showing_some_channels_plays_every_step_and_its_line_fits():
    """MaxPool3d over (2, 5, 10, 7) shows 2 of its 4 input slices: each step writes every channel,
    so its steps are all the layer's, not "of this part", and the step line fits its room."""
    spec = ops.operation("MaxPool3d").build(input_shape=(2, 5, 10, 7), kernel_size=2)
    job = Job(spec, Look())
    from convgif.picture.sizes import STEP_BREAK, wrap

    assert job.channels_left_out()  # channels are left out
    text = job.drawings[0].playback.show(0).text
    assert text.endswith(f"step 1/{job.total}") and job.total == 2 * 5 * 3
    assert len(wrap(text, job.layouts[0].sum_width, STEP_BREAK)) <= job.layouts[0].step_lines


def test_a_pooling_s_step_line_is_the_same_with_channels_left_out():
    """A 3-D pooling's step writes every channel: the room for its step line, and the line, are
    the same whether the part chooser leaves a channel out or not (no ``of this part``)."""
    spec = ops.operation("MaxPool3d").build(input_shape=(2, 4, 4, 4), kernel_size=2, return_indices=True)
    geometries = ops.of(spec).geometries(spec)
    whole = [g.step_text for g in geometries]
    assert whole == [f"window at ({z}, 1, 1) · step {4 * (z + 1)}/8" for z in range(2)]
    cut = [dataclasses.replace(g, channels_shown=2).step_text for g in geometries]  # one channel's 2 slices
    assert cut == whole
    job = Job(spec, Look(), {}, max_frames=0)
    assert [g.step_text for g in job.geometries] == whole


SLICE_TITLE = re.compile(r"^(\w+)\[(\d+), (-?\d+)\]$|^(\w+)\[(\d+)\] (pad|cropped|overhang), depth (−?\d+)$")


def _padded_specs(rng: random.Random) -> list:
    """One random spec of every 3-D kind that draws slices of padding (or of a cropped canvas)."""
    p = rng.randint(1, 2)
    shape = lambda: (rng.randint(1, 2), rng.randint(3, 4), rng.randint(3, 5), rng.randint(3, 5))  # noqa: E731
    wanted = [
        ("Conv3d", {"input_shape": shape(), "out_channels": 2, "kernel_size": 3, "padding": p, "stride": 2}),
        ("ConvTranspose3d", {"input_shape": shape(), "out_channels": 1, "kernel_size": 3, "padding": 1}),
        ("MaxPool3d", {"input_shape": shape(), "kernel_size": 3, "padding": 1, "ceil_mode": rng.random() < 0.5}),
        ("AvgPool3d", {"input_shape": shape(), "kernel_size": 3, "padding": 1, "stride": 2}),
        ("ConstantPad3d", {"input_shape": shape(), "padding": p, "value": 0.5}),
    ]
    return [ops.operation(name).build(**arguments) for name, arguments in wanted]


@pytest.mark.parametrize("seed", range(4))
def test_a_slice_of_padding_is_never_titled_as_an_index(seed):
    """A grid drawn for a depth outside the tensor is titled ``x[0] pad, depth −1``, never
    ``x[0, -1]`` (Python's last depth); every other grid's depth is one of the tensor's. Every 3-D
    kind that draws padding slices, forward and backward, and its Chinese says 填充 / 裁掉."""
    from convgif.language import say, speaking

    rng = random.Random(seed)
    outside = 0
    for spec in _padded_specs(rng):
        for view in ({}, {"backward": True}):
            for geometry in Job(spec, Look(), view).geometries:
                if geometry.input_label is None:
                    continue
                for c in range(geometry.in_channels):
                    title = geometry.input_text(c)
                    found = SLICE_TITLE.match(title)
                    assert found, (spec, view, title)
                    if found.group(1):
                        name = found.group(1)
                        size = (spec.output_shape if name == "dy" else spec.input_shape)[1]
                        assert 0 <= int(found.group(3)) < size, (spec, view, title)
                        continue
                    outside += 1
                    for lang in ("zh-Hans", "zh-Hant"):
                        with speaking(lang):
                            said = say(title)
                        assert re.search(r"(填充|裁掉|越界部分), 深度 −?\d+$", said) and " pad" not in said, said
    assert outside >= 5


@pytest.mark.parametrize(
    ("kind", "given"),
    [
        ("MaxPool3d", {"kernel_size": (3, 2, 2)}),
        ("AvgPool3d", {"kernel_size": (3, 2, 2)}),
        ("AdaptiveMaxPool3d", {"output_size": (1, 2, 2)}),
        ("Conv3d", {"out_channels": 1, "kernel_size": 3}),
        ("Upsample", {"size": (1, 4, 4), "mode": "area"}),
    ],
)
def test_a_layer_of_one_output_depth_says_so_not_of_0(kind, given):
    """A depth note names its slice among the others ("depth 1 (of 0–3)"); a layer of one output
    depth says "depth 0 (the only one)", never "(of 0)", in English and in Chinese."""
    from convgif.language import say

    spec = ops.operation(kind).build(input_shape=(1, 3, 4, 4), **given)
    (drawn,) = Job(spec, Look(), {}).drawings
    notes = " ".join(drawn.geometry.notes)
    assert "depth 0 (the only one): " in notes and "(of 0)" not in notes
    for lang in ("zh-Hans", "zh-Hant"):
        said = say(notes, lang)
        assert "only" not in said and "(索引" not in said and "(唯一的深度)" in said, said
