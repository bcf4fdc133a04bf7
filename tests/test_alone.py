"""A gradient's depth slice that nothing reaches (its cells all 0) is drawn as its outputs alone:
no input grid, label, heading, connecting line or input key stands for an input that is not
read, and nothing is shaded as padding or as cropped that is not."""

from __future__ import annotations

import re

import numpy as np
import pytest

from convgif import ops
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.picture.overlay import _fit_lines
from convgif.picture.paint import THEMES

#: Layers whose backward pass has depth slices no output reads, by kind and arguments.
LAYERS = [
    ("Conv3d", dict(input_shape=(1, 5, 3, 3), out_channels=1, kernel_size=1, stride=2)),
    ("Conv3d", dict(input_shape=(2, 7, 2, 2), out_channels=2, kernel_size=(1, 2, 2), stride=3, groups=2)),
    (
        "Conv3d",
        dict(input_shape=(1, 5, 3, 3), out_channels=1, kernel_size=1, stride=2, padding=1, padding_mode="reflect"),
    ),
    ("Upsample", dict(input_shape=(1, 6, 3, 3), scale_factor=0.5)),
    ("Upsample", dict(input_shape=(2, 6, 3, 3), size=(2, 3, 3), mode="trilinear")),
    ("ReflectionPad3d", dict(input_shape=(1, 5, 3, 3), padding=(0, 0, 0, 0, -1, -1))),
    ("ZeroPad3d", dict(input_shape=(1, 5, 2, 2), padding=(0, 0, 0, 0, -2, 1))),
]

#: The note of a slice nothing reaches: ``... dx[:, 1] = 0: why`` or ``..., so dx[:, 1] = 0``.
ZERO = re.compile(r"(dxp?)\[:, (\d+)\] = 0(: |$)")


def zero_note(drawn) -> re.Match | None:
    """What a picture's notes say of a slice that is 0 because nothing reaches it (None: not one)."""
    return next(filter(None, map(ZERO.search, drawn.geometry.notes)), None)


@pytest.mark.parametrize("kind, arguments", LAYERS)
@pytest.mark.parametrize("values", [False, True])
def test_a_slice_nothing_reaches_draws_its_zeros_alone(kind, arguments, values):
    spec = ops.operation(kind).build(**arguments)
    job = Job(spec, Look(values=values), {"backward": True}, max_frames=10**6, grad_output=True)
    found = [i for i, d in enumerate(job.drawings) if zero_note(d)]
    assert found, (kind, arguments)  # the layer has such a slice
    dx = np.asarray(job.recording.grad_input)
    for i in found:
        drawn, layout, scales = job.drawings[i], job.layouts[i], job.scales[i]
        geometry = drawn.geometry
        name, z = zero_note(drawn).group(1, 2)
        assert job.shown[i] == 1
        assert layout.inputs == {} and layout.kernels == {}  # no input grid, no kernel
        words = [text for text, *_ in layout.texts]
        assert not [w for w in words if w == "none" or "reaches" in w or re.fullmatch(r"(x|dy)\[\d+, \d+\]", w)], words
        assert [w for w in words if re.fullmatch(rf"{name}\[\d+, {z}\]", w)]  # each output grid is labelled
        assert [key.name for key in scales.keys] == [geometry.output_name]  # the output's key alone
        items = [text for key in scales.keys for _, text in key.items]
        assert "padding" not in items and "cropped" not in items, items
        step = drawn.playback.show(0)
        assert all(len(step.reads[c].cells) == 0 for c in range(geometry.groups))  # nothing is read
        (write_values,) = {float(np.abs(w.values).max()) for w in step.writes}
        assert write_values == 0
        if values:  # each channel drawn has its entry on the sum lines, none cut off
            entries = step.sums_drawn(layout.outputs)
            assert entries == [f"{name}[{c}, {z}, :, :] = 0" for c in layout.outputs], entries
            lines = " ".join(_fit_lines(entries, layout.sum_width, layout.sum_lines))
            assert all(entry in lines for entry in entries), (lines, entries)
        if name == "dx":
            assert not dx[:, int(z)].any()  # the gradient itself: every cell 0
        for theme in THEMES:
            animation = Job(spec, Look(values=values, theme=theme), {"backward": True}, grad_output=True).parts[i]
            colours = animation.scene.colours
            image = next(iter(animation.frames([0])))
            shaded = {colours.padding, *(c for row in colours.inputs for c in row)}
            hues = set(colours.hues) - {colours.grid}
            drawn_in = set(np.unique(image).tolist())
            assert not drawn_in & (shaded - set(colours.outputs)), (theme, kind)  # no input or padding cell
            # no dashed line: a group's hue is only round the output grids (their frames, the cells written)
            xs = np.nonzero(np.isin(image, list(hues)))[1]
            left = min(x for x, _ in layout.outputs.values()) - layout.metrics.frame - 2 * layout.metrics.stroke
            assert not len(xs) or xs.min() >= left, (theme, kind)


@pytest.mark.parametrize("groups", [1, 2])
def test_a_convolutions_slice_nothing_reaches_keeps_the_layers_groups(groups):
    # each dx channel outlined in its group's hue, as in the slices beside it: not one hue a channel
    spec = ops.operation("Conv3d").build(
        input_shape=(4, 5, 3, 3), out_channels=4, kernel_size=1, stride=2, groups=groups
    )
    job = Job(spec, Look(), {"backward": True}, max_frames=10**6, grad_output=True)
    zeros = [d.geometry for d in job.drawings if zero_note(d)]
    others = [d.geometry for d in job.drawings if not zero_note(d)]
    assert zeros and others
    assert {g.groups for g in zeros} == {groups} == {g.groups for g in others if g.output_name == "dx"}
