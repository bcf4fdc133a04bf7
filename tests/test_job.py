"""The render job (convgif.animation.job): the colours of a tensor drawn over several pictures."""

from __future__ import annotations

import random

import numpy as np
import pytest

from convgif import ops
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.picture.shades import shaded_output


def _specs(rng: random.Random) -> list:
    shape = (rng.randint(1, 2), rng.randint(3, 5), rng.randint(3, 5), rng.randint(3, 5))
    return [
        ops.operation("Conv3d").build(
            input_shape=shape, out_channels=rng.randint(1, 3), kernel_size=2, padding=rng.randint(0, 1)
        ),
        ops.operation("ConvTranspose3d").build(input_shape=shape, out_channels=2, kernel_size=2, stride=2),
        ops.operation("AvgPool3d").build(input_shape=shape, kernel_size=2, stride=1),
    ]


@pytest.mark.parametrize("seed", range(6))
def test_every_depth_slice_of_one_output_shares_one_colour_scale(seed):
    """A shade means one value on every depth slice: the output scale of every picture of y is
    the same, and it spans the values every slice shows."""
    rng = random.Random(seed)
    differed = 0
    for spec in _specs(rng):
        for values in (False, True):
            job = Job(spec, Look(values=values), {})
            outputs = [scales.output for scales in job.scales]
            assert len(outputs) == spec.output_shape[1] > 1
            first = outputs[0]
            for shades, drawn in zip(outputs, job.drawings):
                assert (shades.low, shades.high, shades.count) == (first.low, first.high, first.count), spec
                shown = shaded_output(drawn)
                assert first.low <= shown.min() and shown.max() <= first.high, spec
            ranges = {(float(shaded_output(d).min()), float(shaded_output(d).max())) for d in job.drawings}
            differed += len(ranges) > 1  # slices whose own scales would differ
    assert differed >= 1


@pytest.mark.parametrize("values", [False, True])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_tensor_read_by_a_later_picture_keeps_the_colours_it_was_written_in(values, theme):
    """A separable convolution's d, written by the depthwise step and read by the pointwise
    step: one scale (its key the same) and, cell by cell, the same colour in both pictures."""
    spec = ops.operation("separable").build(input_shape=(16, 7, 7), out_channels=32, kernel_size=3)
    job = Job(spec, Look(values=values, theme=theme), {})
    first, second = job.scales
    assert (second.input.low, second.input.high, second.input.count) == (
        first.output.low,
        first.output.high,
        first.output.count,
    )
    assert [k.items for k in first.keys if k.name == "d"][0][:-2] == [k.items for k in second.keys if k.name == "d"][0]
    written, read = job.parts
    d_read = job.drawings[1].grid
    compared = 0
    for c in written.layout.outputs:
        if c not in read.layout.inputs:
            continue
        colours = read.scene.input_colours(c)
        for y, x in np.ndindex(*d_read.shape[1:]):
            shade = written.scene.output_colour(d_read[c, y, x], c)
            assert written.palette.colors[shade] == read.palette.colors[colours[y, x]], (c, y, x)
            compared += 1
    assert compared >= 2 * 16


def test_slices_of_one_value_key_it_once():
    """Depth slices whose outputs are all one value share a scale of that value alone: the key
    writes it once, on its swatch, not as the two ends of a ramp."""
    spec = ops.operation("MaxPool3d").build(input_shape=(1, 4, 4, 4), kernel_size=2)
    job = Job(spec, Look(values=True), {}, input=np.full((1, 4, 4, 4), 3))
    assert len(job.scales) == 2
    for scales in job.scales:
        (key,) = [key for key in scales.keys if key.name == "y"]
        assert [text for _, text in key.items].count("3") == 1, key


@pytest.mark.parametrize(
    "layer, args, view",
    [
        ("separable", dict(input_shape=(16, 7, 7), out_channels=32, kernel_size=3), {"backward": True}),
        ("separable", dict(input_shape=(3, 6, 6), out_channels=4, kernel_size=3), {}),
        ("Conv2d", dict(input_shape=(2, 6, 6), out_channels=3, kernel_size=3), {"backward": True}),
        ("Conv2d", dict(input_shape=(1, 6, 6), out_channels=1, kernel_size=3, stride=2), {"backward": True}),
    ],
)
@pytest.mark.parametrize("lang", ["en", "zh-Hans"])
def test_the_pictures_of_one_animation_break_their_texts_within_the_canvas_they_share(layer, args, view, lang):
    """Pictures played one after the other on one canvas (the widest's) break their texts
    within its width: a picture narrower than the canvas writes the caption on as few lines as
    the widest does, not within its own grids' width, and keeps its cells and columns."""
    from convgif.picture.layout import plan

    spec = ops.operation(layer).build(**args)
    job = Job(spec, Look(values=True, lang=lang), view)
    layouts = job.layouts
    canvas = max(layout.width for layout in layouts)
    assert len(layouts) > 1 and job.size[0] == canvas
    assert len({layout.caption_lines for layout in layouts}) == 1, [layout.caption_lines for layout in layouts]
    broken: dict = {}  # each caption's lines, in every picture writing it: the header never jumps
    for layout in layouts:
        broken.setdefault(layout.caption, set()).add(tuple(text for text, *_ in layout.texts[: layout.caption_lines]))
    assert all(len(lines) == 1 for lines in broken.values()), broken
    narrower = 0
    for drawn, scales, layout in zip(job.drawings, job.scales, layouts):
        alone = plan(drawn.geometry, True, drawn.value_chars, keys=scales.keys, chosen=True)
        columns = [{k: x for k, (x, _) in grids.items()} for grids in (alone.inputs, alone.outputs)]
        assert (alone.cell, alone.arrangement) == (layout.cell, layout.arrangement)
        assert columns == [{k: x for k, (x, _) in grids.items()} for grids in (layout.inputs, layout.outputs)]
        assert layout.caption_lines <= alone.caption_lines and layout.step_lines <= alone.step_lines
        narrower += alone.width < canvas
        assert layout.width <= canvas and layout.sum_width >= alone.sum_width
    assert narrower or layer != "separable" or not view  # the db picture is narrower than dx's


_DEPTH_KINDS = [
    ("MaxPool3d", {"kernel_size": 2, "stride": 1}),
    ("AvgPool3d", {"kernel_size": 2, "stride": 1}),
    ("LPPool3d", {"norm_type": 2, "kernel_size": 2, "stride": 1}),
    ("MaxUnpool3d", {"kernel_size": 2}),
    ("AdaptiveAvgPool3d", {"output_size": (2, 2, 2)}),
    ("AdaptiveMaxPool3d", {"output_size": (2, 2, 2), "return_indices": True}),
    ("FractionalMaxPool3d", {"kernel_size": 2, "output_size": (2, 2, 2)}),
    ("ReflectionPad3d", {"padding": 1}),
    ("ReplicationPad3d", {"padding": 1}),
    ("ZeroPad3d", {"padding": 1}),
    ("ConstantPad3d", {"padding": 1, "value": -1.5}),
    ("CircularPad3d", {"padding": 1}),
    ("Upsample", {"scale_factor": 2, "mode": "nearest"}),
    ("Upsample", {"scale_factor": 1.5, "mode": "trilinear"}),
    ("ChannelShuffle", {"groups": 2}),
]


def _colour_of_each_value(job: Job) -> tuple[dict, dict]:
    """Each input value and each output value the pictures of ``job`` show, with the colours
    it is drawn in (the input's own cells, the outputs as their cells are filled)."""
    from convgif.picture.scene import filler_of

    inputs: dict = {}
    outputs: dict = {}
    for part, drawn in zip(job.parts, job.drawings):
        scene, colors = part.scene, part.palette.colors
        for c in part.layout.inputs if drawn.geometry.inputs_drawn else ():
            apart = filler_of(drawn, c) | (False if drawn.unread is None else drawn.unread)
            shades = scene.input_colours(c)
            for cell in zip(*np.nonzero(~apart)):
                inputs.setdefault((drawn.geometry.input_name, float(drawn.grid[(c, *cell)])), set()).add(
                    colors[shades[cell]]
                )
        for c in part.layout.outputs:
            for value in np.unique(drawn.output[c]) if c < drawn.output.shape[0] else ():
                colour = colors[scene.output_colour(value, c)]
                outputs.setdefault((drawn.geometry.output_name, float(value)), set()).add(colour)
    return inputs, outputs


@pytest.mark.parametrize(("kind", "given"), _DEPTH_KINDS, ids=[f"{k}-{i}" for i, (k, _) in enumerate(_DEPTH_KINDS)])
def test_a_value_takes_one_colour_and_each_tensor_one_key_in_every_depth_picture(kind, given):
    """A 3-D kind draws one picture per output depth slice: a value of x, and a value of y, is
    drawn in one colour in all of them, and each tensor's key is the same in all of them."""
    shape = (2, 4, 3, 3) if kind == "ChannelShuffle" else (1, 4, 4, 4)
    for look in (Look(), Look(values=True, theme="dark")):
        given_input = None if kind == "MaxUnpool3d" else _mixed(shape)  # its input comes with its indices
        job = Job(ops.operation(kind).build(input_shape=shape, **given), look, {}, input=given_input)
        assert len(job.drawings) > 1, kind
        inputs, outputs = _colour_of_each_value(job)
        assert len(inputs) >= 4 and len(outputs) >= 2, kind
        assert {v: c for v, c in inputs.items() if len(c) > 1} == {}, kind
        assert {v: c for v, c in outputs.items() if len(c) > 1} == {}, kind
        keys: dict = {}
        for scales, drawn in zip(job.scales, job.drawings):
            for key in scales.keys if not drawn.filler.all() else ():  # a slice of padding: its swatch alone
                keys.setdefault((key.name, key.role), set()).add(tuple(i for i in key.items if i[1] != "to come"))
        assert {k: v for k, v in keys.items() if len(v) > 1 and k[1] != "more"} == {}, kind


def _mixed(shape: tuple) -> np.ndarray:
    """Integers whose depth slices differ in range: the first slice few and low, the rest wide."""
    rng = np.random.default_rng(3)
    values = rng.integers(0, 10, size=shape)
    values[:, 0] = rng.integers(7, 10, size=values[:, 0].shape)
    return values


def test_a_backward_pass_too_wide_for_the_column_says_it_is_drawn_whole():
    """No part of a backward pass is drawn (each gradient sums over the whole layer): the note on
    a frame wider than the column says so, not that no part of the layer fits."""
    spec = ops.operation("AvgPool2d").build(input_shape=(1, 9, 9), kernel_size=2, stride=1)
    job = Job(spec, Look(values=True), {"backward": True})
    assert job.size[0] > 480
    note = job.past_column()
    assert note.startswith(f"the picture is {job.size[0]} pixels wide, past the page's 480-pixel column: a backward")
    assert "a backward pass is drawn whole" in note and "no part of this layer" not in note, note
    assert "is the least that draws it within the width" in note
