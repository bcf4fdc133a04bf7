"""An AdaptiveAvgPool3d, AdaptiveMaxPool3d or FractionalMaxPool3d drawn one output depth slice
at a time.

Output depth z of channel c is the mean or the largest value of its window through the input
slices x[c, d] for the depths d its window covers on the depth axis: for adaptive pooling
⌊z·D/d⌋ to ⌈(z+1)·D/d⌉ − 1 (the same for every channel), for fractional max pooling the
kernel's depth from channel c's own pseudo-random start. Each picture draws those slices as
grids, the window ringed on every one, and the output y[c, z] beside them, under the 3-D
layer's caption; the values, winners and indices are the 3-D recording's.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Optional

import numpy as np

from ..engine.spans import SpanPlacement, SpanRecording
from ..picture.model import Drawn, Geometry, LazyReads, Reads, Region, Step
from ..picture.numbers import format_value, magnitude
from ..picture.sizes import WHOLE_SUM_TERMS
from .adaptive_picture import sum_chars, window_text
from .depth_steps import ALONE, Count, counts, depth_range, longest_of_part
from .pool_depth import DepthWindowSteps
from .pool_picture import held
from .sliding import draws_part, position, widest_text


def depth_count(spec: Any, z: int) -> int:
    """How many input depths output depth ``z``'s windows cover (each channel's the same count)."""
    if spec.NAME.startswith("Fractional"):
        return spec.kernel_size[0]
    return int(spec.ends[0][z] - spec.starts[0][z])


def depths_of(starts: np.ndarray, c: int, z: int, count: int) -> list[int]:
    """The input depths channel ``c`` reads for output depth ``z`` (``starts``: (1 or C, d))."""
    first = int(starts[c if starts.shape[0] > 1 else 0, z])
    return list(range(first, first + count))


def _depth_note(spec: Any, z: int, starts: Optional[np.ndarray]) -> str:
    d, n = spec.output_shape[1], spec.input_shape[1]
    if not spec.NAME.startswith("Fractional"):
        a, b = int(spec.starts[0][z]), int(spec.ends[0][z])
        shown = f"{a}" if b - a == 1 else f"{a}–{b - 1}"
        return f"depth {z} ({depth_range(d)}): y[:, {z}] reads x[:, d] for d = ⌊{z}·{n}/{d}⌋ to ⌈{z + 1}·{n}/{d}⌉−1 = {shown}"
    k = spec.kernel_size[0]
    note = f"depth {z} ({depth_range(d)}): y[c, {z}] reads {k} depth{'s' * (k > 1)} of x[c] from channel c's own start"
    if starts is not None:
        listed = "; ".join(
            f"channel {c}: {', '.join(map(str, depths_of(starts, c, z, k)))}" for c in range(min(4, spec.in_channels))
        )
        note += f" ({listed}{'; …' if spec.in_channels > 4 else ''})"
    return note


def _step_text(
    z: int,
    oy: int,
    ox: int,
    step: int,
    steps: int,
    spans: tuple[tuple[int, int], ...],
    who: str,
    part: bool = False,
) -> str:
    """The window of output (z, oy, ox) as the slice of x it reads, its input depths, rows and
    columns ``spans`` (start, stop), with its size (``x[:, 0:3, 3:5, 3:5] (3×2×2)``; ``who``
    names channel 0 where each channel has its own window), and the step among the ``steps``
    drawn (``of this part`` when they are those of a part of the output)."""
    reads = ", ".join(f"{a}:{b}" for a, b in spans)
    size = "×".join(str(b - a) for a, b in spans)
    return (
        f"window x[{who or ':'}, {reads}] ({size}) for "
        f"{position(2, oy, ox, depth=z)} · step {step + 1}/{steps}{' of this part' if part else ''}"
    )


def span_depth_geometries(op: Any, spec: Any, region: Optional[Region] = None) -> list[Geometry]:
    """One picture per output depth slice, in order, each the 2-D layer's picture relabelled."""
    c, indices = spec.in_channels, bool(getattr(spec, "return_indices", False))
    per = 2 if indices else 1
    _, dout, ho, wo = spec.output_shape
    n, h, w = spec.input_shape[1:]
    fractional = spec.NAME.startswith("Fractional")
    y_chars = len(f"y[{c - 1}, {dout - 1}, {ho - 1}, {wo - 1}]")
    index_chars = len(str(math.prod(spec.input_shape[1:])))
    geometries = []
    for z in range(dout):
        kd = depth_count(spec, z)
        planar, flat = op.depth_plane(spec, c * kd)
        (base,) = planar.geometries(flat, region)
        chars = sum_chars(spec.KIND, y_chars, kd * math.prod(flat.kernel_size), index_chars)
        known = op.depth_starts(spec)
        notes = [*op.notes(spec), _depth_note(spec, z, known)]
        if base.part is not None:
            notes.insert(-1, base.notes[-1])
        geometries.append(
            dataclasses.replace(
                base,
                layer=flat,
                caption=spec.caption,
                in_channels=c * kd,
                out_channels=c * per,
                groups=c,
                notes=tuple(notes),
                input_label=lambda i, z=z, kd=kd: (
                    f"x[{i // kd}, {int(spec.starts[0][z]) + i % kd}]" if not fractional else f"x[{i // kd}]"
                ),
                output_label=(lambda co, z=z: f"indices[{co // 2}, {z}]" if co % 2 else f"y[{co // 2}, {z}]")
                if indices
                else (lambda co, z=z: f"y[{co}, {z}]"),
                inputs_word="input slices",
                sum_chars=chars,
                sum_each_group=kd * math.prod(flat.kernel_size) <= WHOLE_SUM_TERMS,
                blame=lambda axis: ("input_shape", spec.input_shape, "input"),
            )
        )
    oy, ox = (region.rows[1] - 1, region.cols[1] - 1) if region is not None else (ho - 1, wo - 1)
    who = "0" if fractional else ""  # channel 0's window: each channel has its own
    return longest_of_part(
        geometries,
        lambda z, step, total, part: _step_text(
            z, oy, ox, step, total, ((n - depth_count(spec, z), n), (0, h), (0, w)), who, part
        ),
        region is not None and region.cuts((ho, wo)),  # as draws_part decides, the channels settled later
    )


def span_depth_drawings(
    op: Any, spec: Any, rec: SpanRecording, geometries: list[Geometry], pixels: bool = False, region=None
) -> list[Drawn]:
    """The recorded pictures of :func:`span_depth_geometries`, one per output depth slice."""
    c, indices = spec.in_channels, bool(getattr(spec, "return_indices", False))
    fractional = spec.NAME.startswith("Fractional")
    part = Region.of(region, spec.output_shape[2:])
    drawn = []
    for z, (geometry, count) in enumerate(zip(geometries, counts(geometries))):
        kd = depth_count(spec, z)
        flat = geometry.layer
        read = op.extent(flat, part) if region is not None else Region.of(None, spec.input_shape[2:])
        slots = [(ch, d) for ch in range(c) for d in depths_of(rec.starts[0], ch, z, kd)]
        grid = np.stack([rec.input[ch, d, slice(*read.rows), slice(*read.cols)] for ch, d in slots])
        output = rec.output[:, z, slice(*part.rows), slice(*part.cols)]
        shown_indices = rec.indices[:, z, slice(*part.rows), slice(*part.cols)] if indices else None
        if fractional:
            notes = (*geometry.notes[:-1], _depth_note(spec, z, rec.starts[0]))
            geometry = dataclasses.replace(
                geometry, notes=notes, input_label=lambda i, slots=slots: f"x[{slots[i][0]}, {slots[i][1]}]"
            )
        drawn.append(
            Drawn(
                geometry=geometry,
                grid=grid,
                filler=np.zeros(grid.shape[1:], dtype=bool),
                kernels=None,
                output=output,
                playback=DepthSpanPlayback(
                    rec,
                    z,
                    kd,
                    indices,
                    part,
                    read,
                    fractional,
                    draws_part(geometry, part, spec.output_shape[2:]),
                    count,
                ),
                value_chars=widest_text(grid, output, shown_indices),
                pixels=pixels,
                plain=tuple(range(1, 2 * c, 2)) if indices else (),
            )
        )
    return drawn


class DepthSpanPlayback(DepthWindowSteps):
    """Steps of output depth slice ``z``: one window a step, every channel at once, the window
    ringed on each slice it reads; the sums list its cells slice by slice."""

    def __init__(
        self,
        rec: SpanRecording,
        z: int,
        kd: int,
        indices: bool,
        region: Region,
        read: Region,
        fractional: bool,
        part: bool = False,
        count: Count = ALONE,
    ) -> None:
        self.recording, self.z, self.kd, self.indices, self.region = rec, z, kd, indices, region
        self.part = part  # the output cut or some channels left out: the steps are a part's
        self.count = count  # where its steps stand among those of every depth slice
        self.output = rec.output
        self.per = 2 if indices else 1
        self.fractional = fractional
        self._shift = np.array([read.rows[0], read.cols[0]])
        # how each grid writes its cells (of a part recorded alone, as the part's values say)
        self._scales = magnitude(held(rec.input)), magnitude(held(rec.output))

    def _slot(self, c: int, depth: int) -> int:
        starts = self.recording.starts[0]
        return c * self.kd + depth - int(starts[c if starts.shape[0] > 1 else 0, self.z])

    def show(self, step: int) -> Step:
        rec = self.recording
        oy, ox = self._index(step)
        placement = rec.placements[int(np.ravel_multi_index((self.z, oy, ox), rec.output.shape[1:]))]

        def reads(c: int) -> Reads:
            cells = placement.channel_cells(c)
            planar = cells[:, 1:] - self._shift
            top, left = planar.min(axis=0)
            bottom, right = planar.max(axis=0) + 1
            taps = np.column_stack([[self._slot(c, int(d)) for d in cells[:, 0]], planar])
            marks = None
            if placement.winners is not None and placement.winners[c, 0] >= 0:
                w = placement.winners[c]
                marks = np.array([[self._slot(c, int(w[0])), *(w[1:] - self._shift)]])
            return Reads(taps, (int(top), int(left), int(bottom), int(right)), marks)

        cells = placement.channel_cells(0)
        low, high = cells.min(axis=0), cells.max(axis=0) + 1
        who = "0" if self.fractional else ""  # channel 0's window: each channel has its own
        counted = self.count.at(step, math.prod(self.region.size))
        spans = tuple((int(a), int(b)) for a, b in zip(low, high))
        text = _step_text(self.z, oy, ox, *counted, spans, who, self.part)
        sums = tuple(self.sum_text(c, placement) for c in range(rec.output.shape[0]))
        return Step(0, LazyReads(reads), self.advance(step), text, sums, tuple(c * self.per for c in range(len(sums))))

    def sum_text(self, c: int, placement: SpanPlacement) -> str:
        rec = self.recording
        y = f"y[{c}, {', '.join(map(str, placement.out_index))}]"
        x_scale, y_scale = self._scales
        cells = placement.channel_cells(c)  # read at once: a part's cells one index per axis, not one call per cell
        values = [format_value(v, x_scale) for v in rec.input[(c, *cells.T)]]
        value = format_value(placement.values[c], y_scale)
        if placement.winners is not None:
            return window_text(y, values, value, index=int(placement.indices[c]))
        divisor = math.prod(rec.input.shape[1:]) if rec.spec.mean_of_all else math.prod(placement.sizes)
        return window_text(y, values, value, total=format_value(placement.sums[c], x_scale), divisor=divisor)
