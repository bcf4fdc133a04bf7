"""A ConvTranspose3d seen one output depth slice at a time.

Output depth slice z of a ConvTranspose3d is a 2-D transposed convolution: its input channels
are the pairs (channel c, input depth d) that have a kernel depth tap dz with
z = d·S − P + dz·D (S, P, D the depth stride, padding and dilation), each scattering its plane
x[c, d] through the weight's depth slice weight[c, :, dz]; a slice no pair reaches (past every
kernel, in the output padding, or between the strides) holds only the bias.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from ..engine.part import PartArray
from ..picture.model import Drawn, Geometry, LazyReads, Reads, Region, Step, Writes, shown
from ..picture.numbers import format_value, widest
from ..picture.sizes import MAX_SHOWN_IN
from .depth_steps import ALONE, Count, counts, depth_range, longest_of_part
from .scattering import ScatterPlayback, scatter_step_text
from .sliding import draws_part


def depth_pairs(spec: Any, z: int) -> list[tuple[int, int]]:
    """The (input depth d, kernel depth tap dz) pairs scattering into output depth slice ``z``."""
    return spec.depth_pairs(z)


def slice_spec(spec: Any, z: int) -> Optional[Any]:
    """The ConvTranspose2d output depth slice ``z`` is, or None for a slice of the bias alone."""
    return spec.plane(z)


def slice_arrays(spec: Any, x: np.ndarray, weight: np.ndarray, z: int) -> tuple[np.ndarray, np.ndarray]:
    """The planes x[c, d] and the kernels weight[c, :, dz] of the pairs of slice ``z``, c-major
    (the input and weight of :func:`slice_spec`'s layer)."""
    pairs = depth_pairs(spec, z)
    planes = np.stack([x[c, d] for c in range(spec.in_channels) for d, _ in pairs])
    kernels = np.stack([weight[c, :, dz] for c in range(spec.in_channels) for _, dz in pairs])
    return planes, kernels


def depth_pairs_note(spec: Any, z: int) -> str:
    """What output depth slice ``z`` gets, in words."""
    pairs = depth_pairs(spec, z)
    head = f"depth {z} ({depth_range(spec.output_shape[1])}): "
    if not pairs:
        return head + f"y[:, {z}] holds only the bias: no input depth scatters into it"
    listed = ", ".join(f"({d}, {dz})" for d, dz in pairs)
    return head + f"y[:, {z}] gets x[:, d]·weight[:, :, dz] for (d, dz) = {listed}"


def _weight_label(spec: Any, pairs: list[tuple[int, int]]) -> Any:
    """weight[c, j, dz] of the slice's pair channel ``i`` (c-major over the pairs)."""
    return lambda i, j: f"weight[{i // len(pairs)},{j},{pairs[i % len(pairs)][1]}]"


def pairs_span(pairs: list[tuple[int, int]]) -> Any:
    """Input slices first..last of a slice's picture (its pair channels, c-major) as a sum line
    indexes them inside ``x[…]``: ``0, 1``; ``0, 1..2`` or ``3..63, 1`` over neighbouring depths;
    else ``0, 1]..x[63, 1`` from one slice to another, in the order they are drawn."""
    n, depths = len(pairs), [d for d, _ in pairs]

    def together(a: int, b: int) -> Optional[str]:
        """Depths a..b of the pairs, when they are neighbours (``1..3``) or one (``1``)."""
        if depths[b] - depths[a] != b - a:
            return None
        return str(depths[a]) if a == b else f"{depths[a]}..{depths[b]}"

    def span(first: int, last: int) -> str:
        (c0, a), (c1, b) = divmod(first, n), divmod(last, n)
        if c0 == c1 and together(a, b):
            return f"{c0}, {together(a, b)}"
        if (a, b) == (0, n - 1) and together(a, b):  # whole channels c0..c1
            return f"{c0}..{c1}, {together(a, b)}"
        return f"{c0}, {depths[a]}]..x[{c1}, {depths[b]}"

    return span


def _split_chars(spec: Any, planar: Any, drawn: tuple) -> int:
    """What the 3-D labels add to a sum split into the slices drawn and the others, over the
    2-D layer's ``x[0..2]``, ``x[3..63]`` and ``(x[3..63] not drawn)``: ``, d]..x[c, d`` each."""
    if len(drawn[0]) >= planar.in_per_group:
        return 0
    return 3 * (2 * len(str(spec.input_shape[1])) + len(str(spec.in_channels)) + 8)


def _head(spec: Any, planar: Any, pairs: list[tuple[int, int]], z: int) -> Any:
    """What a step adds to output channel ``co`` of output depth ``z``: the canvas window at the
    canvas depth z + padding (the canvas's four indices, as the step line names the depth)
    gets, summed over the group's channels c and the slice's (d, dz) pairs, x[c, d, y, x]
    times weight[c, j, dz]."""
    from ..engine.scatter import canvas_window

    def head(co: int, y: int, x: int) -> str:
        g, j = divmod(co, spec.out_per_group)
        rows, cols = canvas_window(planar, y, x)
        axes = []
        for places, d in zip((rows, cols), planar.dilation):
            step = f":{d}" if d > 1 and len(places) > 1 else ""
            axes.append(f"{places[0]}:{places[-1] + 1}{step}")
        per = spec.in_per_group
        c = f"{g * per}" if per == 1 else f"{g * per}:{(g + 1) * per}"
        return f"canvas[{co}, {z + spec.padding[0]}, {', '.join(axes)}] += Σ x[{c}, d, {y}, {x}] · weight[{c}, {j}, dz] over (d, dz)"

    return head


def transposed_depth_geometries(op2d: Any, spec: Any, region: Optional[Region] = None) -> list[Geometry]:
    """One picture per output depth slice, in order: the slice's 2-D scatter, or its bias."""
    geometries = []
    for z in range(spec.output_shape[1]):
        planar, pairs = slice_spec(spec, z), depth_pairs(spec, z)
        if planar is None:
            geometries.append(_bias_geometry(spec, z, region))
            continue
        (base,) = op2d.geometries(planar, region=region)
        n = len(pairs)
        _, h, w = planar.input_shape
        head = _head(spec, planar, pairs, z)(spec.out_channels - 1, h - 1, w - 1)
        geometries.append(
            dataclasses.replace(
                base,
                layer=spec,
                caption=spec.caption,
                notes=(*base.notes, depth_pairs_note(spec, z)),
                kernel_label=_weight_label(spec, pairs),
                input_label=lambda i, n=n, pairs=pairs: f"x[{i // n}, {pairs[i % n][0]}]",
                output_label=lambda co, z=z: f"y[{co}, {z}]",
                inputs_word="input slices",
                sum_chars=lambda chars, drawn, base=base, planar=planar, z=z: (  # an output cell's entry, its depth
                    base.sum_chars(chars, drawn) + len(f", {z}") + _split_chars(spec, planar, drawn)
                ),
                sum_head=head,
                blame=lambda axis: ("input_shape", spec.input_shape, "input"),
            )
        )
    cut = region is not None and region.cuts(spec.output_shape[2:])  # as draws_part decides for the playback
    return longest_of_part(geometries, lambda z, step, total, part: _last_step(spec, z, step, total, part), cut)


def _last_step(spec: Any, z: int, step: int, total: int, part: bool) -> str:
    """The step line of output depth slice ``z``'s last input cell, step ``step`` of ``total``."""
    planar = slice_spec(spec, z)
    if planar is None:
        return _bias_text(z, part, step, total)
    per, (_, h, w) = planar.out_per_group, planar.input_shape
    channels = [g * per + per - 1 for g in range(min(planar.groups, MAX_SHOWN_IN))]
    return f"depth {z} · {scatter_step_text(channels, h - 1, w - 1, step, total, part)}"


def _bias_text(z: int, part: bool, step: int = 0, steps: int = 1) -> str:
    """The step line of a slice of the bias alone (``of this part`` when the picture is a part:
    some rows and columns, or some channels, left out), its one step ``step`` of ``steps``."""
    return f"depth {z} holds only the bias: every cell · step {step + 1}/{steps}{' of this part' if part else ''}"


def _bias_geometry(spec: Any, z: int, region: Optional[Region]) -> Geometry:
    """The picture of a slice no input reaches: every cell written its bias in one step."""
    _, _, h, w = spec.input_shape
    out_size = spec.output_shape[2:]
    part = Region.of(region, out_size)
    co = spec.out_channels
    return Geometry(
        layer=spec,
        caption=spec.caption,
        dims=2,
        in_channels=co,
        out_channels=co,
        groups=co,
        grid=(1, 1),
        kernel=None,
        out_size=part.size,
        steps_per_column=1,
        input_heading="bias: no input reaches this depth",
        input_name="b",
        output_heading="output" if region is None or not region.cuts(out_size) else "output, part",
        kernel_label=lambda i, j: "",
        blame=lambda axis: ("input_shape", spec.input_shape, "input"),
        notes=(
            "no input depth scatters into this slice: every cell holds its channel's bias"
            + ("" if spec.bias else " (no bias: 0)"),
            depth_pairs_note(spec, z),
        ),
        input_label=(lambda ch: f"b[{ch}]") if spec.bias else (lambda ch: "no bias"),
        output_label=lambda ch: f"y[{ch}, {z}]",
        inputs_word="input slices",
        numbers=True,
        columns_take_turns=False,
        sum_chars=lambda chars, drawn: len(drawn[2]) * (len(f"y[{co}, {z}, :, :] = b[{co}]") + chars + 20),
        value_chars=3,
    )


def transposed_depth_drawings(
    op2d: Any,
    spec: Any,
    recording: Any,
    geometries: list[Geometry],
    pixels: bool = False,
    region: Optional[Region] = None,
) -> list[Drawn]:
    """The recorded pictures of :func:`transposed_depth_geometries`, one per output depth slice;
    each slice's values the 3-D recording's (checked)."""
    from .transposed_part import DepthPartRecording

    part = isinstance(recording, DepthPartRecording)  # a part recorded alone: each slice's part recorded
    drawn = []
    for z, (geometry, count) in enumerate(zip(geometries, counts(geometries))):
        planar, pairs = slice_spec(spec, z), depth_pairs(spec, z)
        if part:
            held = recording.output
            output: Any = PartArray(held.shape[:1] + held.shape[2:], held.start[:1] + held.start[2:], held.values[:, z])
        else:
            output = np.ascontiguousarray(recording.output[:, z])
        cut = draws_part(geometry, region, spec.output_shape[2:])
        if planar is None:
            drawn.append(_bias_drawn(geometry, output, z, pixels, region, recording.bias, cut, count))
            continue
        if part:
            rec = recording.planes[z]
        else:
            planes, kernels = slice_arrays(spec, recording.input, recording.weight, z)
            rec = op2d.record(planar, input=planes, weight=kernels, bias=recording.bias)
            if not np.array_equal(rec.output, output) and not np.allclose(rec.output, output):
                raise AssertionError(f"depth slice {z} of {spec} does not add up to the recording's")
        (picture,) = op2d.drawings(planar, rec, pixels, region=region, geometries=[geometry])
        old = picture.playback
        playback = ScatterPlayback(
            rec,
            old.region,
            old.read,
            2,
            z,
            _head(spec, planar, pairs, z),
            old.columns,
            channels=len(shown(geometry)[0]),
            span=pairs_span(pairs),
            part=cut,
            count=count,
        )
        drawn.append(dataclasses.replace(picture, playback=playback))
    return drawn


def _bias_drawn(
    geometry: Geometry,
    output: Any,
    z: int,
    pixels: bool,
    region: Optional[Region],
    bias: Optional[np.ndarray],
    cut: bool = False,
    count: Count = ALONE,
) -> Drawn:
    """The picture of a slice no input reaches: in the input's place, what every cell of each
    channel is written (its bias, or 0 without one), and no input or padding cell."""
    part = Region.of(region, output.shape[1:])
    shown = output[:, slice(*part.rows), slice(*part.cols)]
    grid = np.zeros((output.shape[0], 1, 1), dtype=output.dtype)
    if bias is not None:
        grid[:, 0, 0] = bias
    return Drawn(
        geometry=geometry,
        grid=grid,
        filler=np.zeros(grid.shape, dtype=bool),
        kernels=None,
        output=shown,
        playback=BiasPlayback(shown, z, bias is not None, cut, count),
        value_chars=widest(grid, shown),
        pixels=pixels,
    )


class BiasPlayback:
    """The one step of a slice no input reaches: every output cell written its bias at once."""

    def __init__(self, output: np.ndarray, z: int, has_bias: bool, part: bool = False, count: Count = ALONE) -> None:
        self.output, self.z, self.has_bias, self.part, self.count = output, z, has_bias, part, count
        self.steps = 1

    def advance(self, step: int) -> list[Writes]:
        c, h, w = self.output.shape
        return [Writes(ch, np.arange(h), np.arange(w), self.output[ch], (0, 0, h, w)) for ch in range(c)]

    def show(self, step: int) -> Step:
        def reads(c: int) -> Reads:
            return Reads(np.zeros((0, 3), dtype=np.int64), (0, 0, 0, 0))

        sums = []
        for c in range(self.output.shape[0]):
            value = format_value(self.output[c].flat[0]) if self.output[c].size else ""
            held = f"b[{c}] = {value}" if self.has_bias else f"{value} (no bias)"
            sums.append(f"y[{c}, {self.z}, :, :] = {held}")
        channels = tuple(range(self.output.shape[0]))
        return Step(
            0,
            LazyReads(reads),
            self.advance(step),
            _bias_text(self.z, self.part, *self.count.at(0, 1)),
            tuple(sums),
            channels,
        )
