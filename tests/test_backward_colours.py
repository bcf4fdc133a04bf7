"""Every picture of a backward pass colours each of the layer's groups with one hue.

A backward animation is several pictures (dx, dw, db, ...), each drawn as a convolution or a
gather whose own groups need not be the layer's (dw's picture has one group per input
channel). A hue must mean one group of the layer end to end: checked on the pixels drawn round
every grid (its group frame, the outline of a kernel in use, the rings of a window, the
outline of cells written) in every frame, against the group each grid's label names.
"""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from convgif.animation import Look
from convgif.animation.job import Job
from convgif.errors import SpecError
from convgif.ops.conv import Conv1dSpec, Conv2dSpec, Conv3dSpec
from convgif.ops.pool import AvgPool3dSpec, MaxPool3dSpec
from convgif.ops.transposed import ConvTranspose1dSpec, ConvTranspose2dSpec, ConvTranspose3dSpec
from convgif.picture.paint import THEMES

#: The arrays named by the in-channel side of a layer (their first index is an input channel):
#: everything else is indexed first by an output channel.
IN_SIDE = {"conv": {"x", "dx", "dxp"}, "transposed": {"x", "dx", "w", "dw"}}


def _group(kind: str, spec, label: str) -> int:
    """The layer's group of the grid labelled ``label`` (``dw[3,1]``, ``x[2, 0]``, a slice of
    padding ``x[2] pad, depth −1``)."""
    name, first = re.fullmatch(r"(\w+)\[(-?\d+).*\](?: \w+, depth −?\d+)?", label).groups()
    if kind == "pool":  # each channel on its own
        return int(first)
    channels = spec.input_shape[0] if name in IN_SIDE[kind] else spec.out_channels
    return int(first) // (channels // spec.groups)


def _hues_near(frame: np.ndarray, box: tuple[int, int, int, int], pad: int, hues: dict) -> set:
    y0, y1, x0, x1 = box
    patch = frame[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad]
    return {hues[c] for c in np.unique(patch) if c in hues}


def _check(kind: str, spec, theme: str = "light") -> int:
    """Render ``spec``'s backward pass and check every grid's hues; the grids checked."""
    job = Job(spec, Look(values=False, theme=theme), {"backward": True})
    rgb = THEMES[theme].hues
    checked = 0
    for part, lay in zip(job.parts, job.layouts):
        geo, scene, s = lay.geometry, part.scene, lay.cell
        hues = {i: rgb.index(tuple(c)) for i, c in enumerate(scene.palette.colors) if tuple(c) in rgb}
        pad = lay.metrics.frame + 2 * lay.metrics.stroke
        hp, wp = geo.grid
        ho, wo = geo.out_size
        grids = [(geo.input_text(c), (y, y + hp * s, x, x + wp * s)) for c, (x, y) in lay.inputs.items()]
        grids += [(geo.output_label(o), (y, y + ho * s, x, x + wo * s)) for o, (x, y) in lay.outputs.items()]
        if geo.kernel is not None:
            kh, kw = geo.kernel
            grids += [
                (geo.kernel_label(c, j), (y, y + kh * s, x, x + kw * s)) for (c, j), (x, y) in lay.kernels.items()
            ]
        seen: dict[str, set] = {label: set() for label, _ in grids}
        for frame in part.frames(list(range(lay.steps))):
            for label, box in grids:
                seen[label] |= _hues_near(frame, box, pad, hues)
        for label, _ in grids:
            want = _group(kind, spec, label) % len(rgb)
            assert seen[label] <= {want}, (
                f"{spec!r}, {geo.output_heading}: {label} drawn in hues {seen[label]}, not {want}"
            )
            checked += bool(seen[label])
    return checked


def _conv(rng: random.Random):
    dims = rng.choice((1, 2, 3))
    groups = rng.choice((1, 2, 2, 3, 4))
    cin, cout = groups * rng.choice((1, 2)), groups * rng.choice((1, 2))
    transposed = rng.random() < 0.4
    size = (rng.randint(2, 4),) if dims == 1 else (rng.randint(2, 4),) * dims
    k = rng.randint(1, 2) if dims == 3 else rng.randint(1, 3)
    if transposed:
        kinds = {1: ConvTranspose1dSpec, 2: ConvTranspose2dSpec, 3: ConvTranspose3dSpec}
        spec = kinds[dims]((cin, *size), cout, k, stride=rng.choice((1, 2)), groups=groups, bias=rng.random() < 0.6)
        return "transposed", spec
    kinds = {1: Conv1dSpec, 2: Conv2dSpec, 3: Conv3dSpec}
    padding = rng.choice((0, 1))
    mode = rng.choice(("zeros", "reflect", "replicate", "circular")) if padding else "zeros"
    spec = kinds[dims](
        (cin, *size),
        cout,
        k,
        padding=padding,
        padding_mode=mode,
        stride=rng.choice((1, 2)),
        dilation=rng.choice((1, 1, 2)) if size[-1] >= 3 else 1,
        groups=groups,
        bias=rng.random() < 0.6,
    )
    return "conv", spec


def _layers(n: int, seed: int) -> list:
    rng, found = random.Random(seed), []
    while len(found) < n:
        try:  # a layer convgif refuses (as torch would) is skipped
            kind, spec = _conv(rng)
            Job(spec, Look(), {"backward": True})
        except SpecError:
            continue
        found.append((kind, spec))
    return found


@pytest.mark.parametrize(("kind", "spec"), _layers(24, 7), ids=repr)
def test_every_grid_of_a_grouped_backward_pass_is_in_its_groups_hue(kind, spec):
    assert _check(kind, spec) > 0


@pytest.mark.parametrize(
    ("kind", "spec", "theme"),
    [
        ("conv", Conv2dSpec((4, 4, 4), 4, 2, groups=2), "light"),
        ("conv", Conv2dSpec((4, 4, 4), 4, 2, groups=2), "dark"),
        ("conv", Conv2dSpec((4, 5, 5), 2, 3, padding=2, dilation=2, groups=2), "dark"),
        ("conv", Conv2dSpec((4, 4, 4), 4, 3, padding=1, padding_mode="reflect", groups=2), "light"),
        ("transposed", ConvTranspose2dSpec((4, 3, 3), 6, 2, groups=2), "light"),
        ("conv", Conv3dSpec((4, 3, 3, 3), 2, 2, padding=1, padding_mode="circular", groups=2), "light"),
        ("transposed", ConvTranspose3dSpec((4, 2, 3, 3), 4, 2, groups=2), "dark"),
        ("pool", AvgPool3dSpec((2, 4, 4, 4), 2), "light"),
        ("pool", MaxPool3dSpec((3, 4, 4, 4), 2), "dark"),
    ],
    ids=repr,
)
def test_the_reviewed_layers_keep_one_hue_per_group(kind, spec, theme):
    assert _check(kind, spec, theme) > 0


def test_the_dw_picture_of_two_groups_has_two_hues_not_one_per_channel():
    """The case found: dw's x[1] (group 0) was drawn in the second hue, x[2] and x[3] in a third and fourth."""
    job = Job(Conv2dSpec((4, 4, 4), 4, 2, groups=2), Look(), {"backward": True})
    dw = next(p for p, lay in zip(job.parts, job.layouts) if lay.geometry.output_name == "dw")
    assert [dw.scene.hue(c) for c in range(4)] == [dw.scene.hue(0)] * 2 + [dw.scene.hue(2)] * 2
    assert dw.scene.hue(0) != dw.scene.hue(2)
