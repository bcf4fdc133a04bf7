"""A MaxPool3d or AvgPool3d drawn one output depth slice at a time.

Output depth z of channel c is the largest value or the mean of the window over the input
slices it reads: channel c at depths d = z·S − P + dz·D for each window depth dz (outside the
input: padding, or ceil_mode's overhang). Each picture draws those slices as grids x[c, d], the
window outlined on every one, and the output y[c, z] beside them, under the 3-D layer's caption;
the values, winners, indices and divisors are the 3-D recording's.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Optional

import numpy as np

from ..engine.windows import INPUT, OVERHANG, PADDING, PoolRecording
from ..picture.model import Drawn, Geometry, LazyReads, Reads, Region, Step, Writes
from ..picture.numbers import format_value, magnitude
from ..picture.sizes import WHOLE_SUM_TERMS
from ..picture.sumline import LONG_TERMS
from .base import dims_text
from .depth_steps import ALONE, Count, counts, depth_range, longest_of_part, slice_title
from .pool_picture import averaged_terms, held, long_pool_sum
from .sliding import draws_part, position, read_extent, widest_text


def plane(spec: Any) -> Any:
    """The 2-D pooling each output depth slice is drawn as (see ``MaxPool3dSpec.plane``)."""
    return spec.plane()


def depths_read(spec: Any, z: int) -> list[int]:
    """The input depths output depth ``z``'s windows cover, one per window depth dz."""
    return [z * spec.stride[0] - spec.padding[0] + dz * spec.dilation[0] for dz in range(spec.kernel_size[0])]


def _depth_note(spec: Any, z: int) -> str:
    depths, n = depths_read(spec, z), spec.input_shape[1]
    before = [d for d in depths if d < 0 or n <= d < n + spec.padding[0]]
    beyond = [d for d in depths if d >= n + spec.padding[0]]
    s, p, d = spec.stride[0], spec.padding[0], spec.dilation[0]
    kds = "0" if spec.kernel_size[0] == 1 else f"0..{spec.kernel_size[0] - 1}"
    note = (
        f"depth {z} ({depth_range(spec.output_shape[1])}): y[:, {z}] reads x[:, d], d = {z}·{s} − {p} + dz·{d} = "
        f"{', '.join(map(str, depths))} for dz = {kds}"
    )
    if before:
        note += f"; depth{'s' * (len(before) > 1)} {', '.join(map(str, before))}: padding"
    if beyond:
        note += f"; depth{'s' * (len(beyond) > 1)} {', '.join(map(str, beyond))}: ceil_mode's overhang, never read"
    return note


def pool_depth_geometries(spec: Any, region: Optional[Region] = None) -> list[Geometry]:
    """One picture per output depth slice, in order."""
    from .pool_picture import pool_geometries, pooled

    flat = plane(spec)
    kd, c = spec.kernel_size[0], spec.in_channels
    (base,) = pool_geometries(spec, flat, 2, region)
    per = base.out_channels // flat.in_channels
    window = f"window {'×'.join(map(str, spec.kernel_size))}"
    if max(spec.dilation) > 1:
        window += f" dilated by {dims_text(spec.dilation)}"
    first = f"{window}, stride {dims_text(spec.stride)}: each output is {pooled(spec)}"
    cells = math.prod(spec.kernel_size)
    y_chars = len(f"y[{c - 1}, {spec.output_shape[1] - 1}, {spec.output_shape[2] - 1}, {spec.output_shape[3] - 1}]")
    index_chars = len(str(math.prod(spec.input_shape[1:])))
    if spec.KIND == "max":
        sum_chars = lambda chars, drawn: y_chars + 10 + cells * (chars + 2) + chars + 10 + index_chars  # noqa: E731
    else:
        sum_chars = lambda chars, drawn: y_chars + 40 + cells * (chars + 3)  # noqa: E731
    _, ho, wo = flat.output_shape
    last = (region.rows[1] - 1, region.cols[1] - 1) if region is not None else (ho - 1, wo - 1)
    geometries = []
    depth, pad = spec.input_shape[1], spec.padding[0]
    for z in range(spec.output_shape[1]):
        depths = depths_read(spec, z)
        heading, n = base.input_heading, spec.input_shape[1]
        if any(d < 0 or n <= d < n + spec.padding[0] for d in depths) and "padded" not in heading:
            heading = (
                heading.replace("(", "(padded, ", 1) if "(" in heading else heading.replace("input", "input (padded)")
            )
        if any(d >= n + spec.padding[0] for d in depths) and "overhang" not in heading:
            heading = (
                heading.replace(")", ", with overhang)", 1)
                if "(" in heading
                else heading.replace("input", "input (with overhang)")
            )
        geometries.append(
            dataclasses.replace(
                base,
                in_channels=c * kd,
                out_channels=c * per,
                groups=c,
                input_heading=heading,
                notes=(first, *base.notes[1:], _depth_note(spec, z)),
                input_label=lambda i, depths=depths: slice_title(
                    "x", i // kd, depths[i % kd], depth, "pad" if depths[i % kd] < depth + pad else "overhang"
                ),
                output_label=(lambda co, z=z: f"indices[{co // 2}, {z}]" if co % 2 else f"y[{co // 2}, {z}]")
                if per == 2
                else (lambda co, z=z: f"y[{co}, {z}]"),
                inputs_word="input slices",
                sum_chars=sum_chars,
                sum_each_group=cells <= WHOLE_SUM_TERMS,  # the window's cells over its depth
                blame=lambda axis: ("input_shape", spec.input_shape, "input"),
            )
        )
    cut = region is not None and region.cuts((ho, wo))  # as draws_part decides, channels settled later
    return longest_of_part(geometries, lambda z, step, total, part: _step_text(*last, z, step, total, part), cut)


def _step_text(oy: int, ox: int, z: int, step: int, steps: int, part: bool) -> str:
    return f"window at {position(2, oy, ox, depth=z)} · step {step + 1}/{steps}{' of this part' if part else ''}"


def slices_drawn(
    spec: Any, rec: PoolRecording, at: list[int], rows: tuple[int, int], cols: tuple[int, int]
) -> np.ndarray:
    """The drawn grid rows ``rows`` and columns ``cols`` of every channel's grid depths ``at``,
    channel by channel (C · len(at) slices): the input where it is, 0 elsewhere. Only the
    input cells drawn are read, so that a part recorded alone draws as the whole does."""
    (y0, y1), (x0, x1), kd = rows, cols, len(at)
    grid = np.zeros((spec.in_channels * kd, y1 - y0, x1 - x0), dtype=rec.input.dtype)
    (pd, p, q), (d, h, w) = spec.padding, spec.input_shape[1:]
    (r0, r1), (c0, c1) = (max(y0, p), min(y1, p + h)), (max(x0, q), min(x1, q + w))  # the input cells drawn
    if r0 < r1 and c0 < c1:
        drawn, read = (slice(r0 - y0, r1 - y0), slice(c0 - x0, c1 - x0)), (slice(r0 - p, r1 - p), slice(c0 - q, c1 - q))
        for i, g in enumerate(at):
            if pd <= g < pd + d:  # else a padding or overhang depth: 0 throughout
                grid[(slice(i, None, kd), *drawn)] = rec.input[(slice(None), g - pd, *read)]
    return grid


def pool_depth_drawings(
    spec: Any, rec: PoolRecording, geometries: list[Geometry], pixels: bool = False, region: Optional[Region] = None
) -> list[Drawn]:
    """The recorded pictures of :func:`pool_depth_geometries`, one per output depth slice."""
    flat = plane(spec)
    kd, indices = spec.kernel_size[0], bool(getattr(spec, "return_indices", False))
    part = Region.of(region, flat.output_shape[1:])
    (y0, y1), (x0, x1) = read_extent(flat, part) if region else ((0, flat.grid_shape[1]), (0, flat.grid_shape[2]))
    drawn = []
    for z, (geometry, count) in enumerate(zip(geometries, counts(geometries))):
        at = [z * spec.stride[0] + dz * spec.dilation[0] for dz in range(kd)]  # grid depths
        grid = slices_drawn(spec, rec, at, (y0, y1), (x0, x1))
        kinds = np.stack([rec.kinds[g, y0:y1, x0:x1] for _ in range(spec.in_channels) for g in at])
        output = rec.output[:, z, slice(*part.rows), slice(*part.cols)]
        shown_indices = rec.indices[:, z, slice(*part.rows), slice(*part.cols)] if indices else None
        outside = kinds == OVERHANG
        drawn.append(
            Drawn(
                geometry=geometry,
                grid=grid,
                filler=kinds == PADDING,
                kernels=None,
                output=output,
                playback=DepthPoolPlayback(
                    rec, z, indices, part, (y0, x0), draws_part(geometry, part, flat.output_shape[1:]), count
                ),
                value_chars=widest_text(grid, output, shown_indices),
                pixels=pixels,
                filler_text="−∞" if spec.KIND == "max" else None,
                outside=outside if outside.any() else None,
                plain=tuple(range(1, 2 * spec.in_channels, 2)) if indices else (),
            )
        )
    return drawn


class DepthWindowSteps:
    """What the playbacks of a 3-D pooling's output depth slice ``z`` share: one output position
    of ``region`` a step, every channel written at once (its value, then its index when
    ``indices``). A subclass sets ``recording``, ``z``, ``region``, ``indices``, ``per`` and
    ``output`` (what each step writes)."""

    recording: Any
    z: int
    region: Region
    indices: bool
    per: int
    output: np.ndarray

    def _index(self, step: int) -> tuple[int, int]:
        oy, ox = divmod(step, self.region.size[1])
        return oy + self.region.rows[0], ox + self.region.cols[0]

    def advance(self, step: int) -> list[Writes]:
        rec, z = self.recording, self.z
        oy, ox = self._index(step)
        y, x = oy - self.region.rows[0], ox - self.region.cols[0]
        box, rows, cols = (y, x, y + 1, x + 1), np.array([y]), np.array([x])
        writes = []
        for c in range(rec.output.shape[0]):
            writes.append(Writes(c * self.per, rows, cols, self.output[c, z, oy : oy + 1, ox : ox + 1], box))
            if self.indices:
                writes.append(Writes(c * self.per + 1, rows, cols, rec.indices[c, z, oy : oy + 1, ox : ox + 1], box))
        return writes


class DepthPoolPlayback(DepthWindowSteps):
    """Steps of output depth slice ``z``: one window position a step, every channel at once,
    the window outlined on each slice it reads; the sums list its cells slice by slice."""

    def __init__(
        self,
        recording: PoolRecording,
        z: int,
        indices: bool,
        region: Region,
        shift: tuple[int, int],
        part: bool = False,
        count: Count = ALONE,
    ) -> None:
        self.recording, self.z, self.indices, self.region = recording, z, indices, region
        self.part = part  # the output cut or some channels left out: the steps are a part's
        self.count = count  # where its steps stand among those of every depth slice
        self.output = recording.output  # what each step writes (a layer built on the pooling: its own)
        self.per = 2 if indices else 1
        self.spec = spec = recording.spec
        self._shift = np.array(shift)
        # how each grid writes its cells (of a part recorded alone, as the part's values say)
        self._scales = magnitude(held(recording.input)), magnitude(held(recording.output))
        self._padding_read = getattr(spec, "count_include_pad", True)
        self._kd = spec.kernel_size[0]
        self._widths: dict = {}  # the cells of each input value written, once found

    def _slot(self, depth: np.ndarray) -> np.ndarray:
        """The window depth dz of grid depths ``depth`` in this slice's windows."""
        return (depth - self.z * self.spec.stride[0]) // self.spec.dilation[0]

    def show(self, step: int) -> Step:
        rec, kd = self.recording, self._kd
        oy, ox = self._index(step)
        placement = rec.placements[int(np.ravel_multi_index((self.z, oy, ox), rec.output.shape[1:]))]
        planar = placement.cells[:, 1:] - self._shift
        top, left = planar.min(axis=0)
        bottom, right = planar.max(axis=0) + 1
        box = (int(top), int(left), int(bottom), int(right))
        read = (placement.kinds == INPUT) | (placement.kinds == PADDING) & self._padding_read
        slots, cells = self._slot(placement.cells[read, 0]), planar[read]

        def reads(c: int) -> Reads:
            taps = np.column_stack([c * kd + slots, cells])
            marks = None
            if placement.winners is not None and placement.winners[c, 0] >= 0:
                w = placement.winners[c]
                marks = np.array([[c * kd + int(self._slot(w[0])), *(w[1:] - self._shift)]])
            return Reads(taps, box, marks)

        text = _step_text(oy, ox, self.z, *self.count.at(step, math.prod(self.region.size)), self.part)
        sums = tuple(self._sum(c, placement) for c in range(rec.output.shape[0]))
        return Step(0, LazyReads(reads), self.advance(step), text, sums, tuple(c * self.per for c in range(len(sums))))

    def _written(self, c: int, cells: np.ndarray) -> list[str]:
        """The input values of channel ``c`` at grid ``cells`` (K, 3), as the sums write them
        (read at once: a part's cells are read one index per axis, not one call per cell)."""
        at = (cells - np.array(self.spec.padding)).T
        return [format_value(v, self._scales[0]) for v in self.recording.input[(c, *at)]]

    def _sum(self, c: int, placement: Any) -> Any:
        y_scale = self._scales[1]
        oy, ox = placement.out_index[1:]
        y = f"y[{c}, {self.z}, {oy}, {ox}]"
        if len(placement.cells) > LONG_TERMS:  # written only as far as the frame shows it
            at = np.array(self.spec.padding)
            return long_pool_sum(
                y,
                c,
                placement,
                self._scales,
                lambda cells: self.recording.input[(c, *(cells - at).T)],
                self._widths,
                getattr(self.spec, "count_include_pad", True),
            )
        if placement.winners is not None:
            inside = iter(self._written(c, placement.cells[placement.kinds == INPUT]))
            shown = [next(inside) if kind == INPUT else "−∞" for kind in placement.kinds if kind in (INPUT, PADDING)]
            at = f" at index {int(placement.indices[c])}"
            return f"{y} = max({', '.join(shown)}) = {format_value(placement.values[c], y_scale)}{at}"
        terms = averaged_terms(
            placement, self._written(c, placement.terms), getattr(self.spec, "count_include_pad", True)
        )
        divisor, _, why = placement.reason.partition(": ")
        why = f" ({why})" if why else ""
        return f"{y} = ({' + '.join(terms) or '0'}) {divisor} = {format_value(placement.values[c], y_scale)}{why}"
