"""The steps of an adaptive pooling's picture: one window a step, every channel at once, each
window as wide as its start and end make it, and its mean or max written out."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Optional

import numpy as np

from ..engine.spans import SpanPlacement, SpanRecording
from ..picture.model import LazyReads, Reads, Region, Step, Writes
from ..picture.numbers import format_value, magnitude
from .pool_picture import element_text, held


def longest_window(op: Any, flat: Any, region: Region) -> Callable[[bool], str]:
    """The longest step line of ``op``'s picture of ``region`` (counted ``of this part`` or not):
    its widest window at the last step. A window's rows follow its output row alone and its
    columns its output column, so the widest row and then the widest column make the widest."""
    (r0, r1), (c0, c1), steps = region.rows, region.cols, math.prod(region.size)

    def line(oy: int, ox: int, part: bool = False) -> str:
        return op.step_text(flat, oy, ox, steps - 1, steps, part=part)

    oy = max(range(r0, r1), key=lambda y: len(line(y, c1 - 1)))
    ox = max(range(c0, c1), key=lambda x: len(line(oy, x)))
    return lambda part: line(oy, ox, part)


#: The most window cells a sum line writes out; a longer window is written by its first and last.
LISTED = 64
#: A window of more cells than this is written with its cell count (and a sum with its total).
COUNTED = 9


class SpanPlayback:
    """The steps of a picture of windows placed one by one: a window (one per channel) a step."""

    def __init__(
        self,
        op: Any,
        flat,
        recording: SpanRecording,
        indices: bool,
        region: Region,
        read: Region,
        part: bool = False,
    ) -> None:
        self.op = op
        self.part = part  # the output cut or some channels left out: the steps are a part's
        self.flat = flat
        self.recording = recording
        self.per = 2 if indices else 1
        self.indices = indices
        self.region = region
        self._shift = np.array([read.rows[0], read.cols[0]])
        # how each grid writes its cells (of a part recorded alone, as the part's values say)
        self._scales = magnitude(held(recording.input)), magnitude(held(recording.output))

    def _index(self, step: int) -> tuple[int, int]:
        oy, ox = divmod(step, self.region.size[1])
        return oy + self.region.rows[0], ox + self.region.cols[0]

    def advance(self, step: int) -> list[Writes]:
        rec = self.recording
        oy, ox = self._index(step)
        y, x = oy - self.region.rows[0], ox - self.region.cols[0]
        box = (y, x, y + 1, x + 1)
        rows, cols = np.array([y]), np.array([x])
        writes = []
        for c in range(rec.output.shape[0]):
            writes.append(Writes(c * self.per, rows, cols, rec.output[c, oy : oy + 1, ox : ox + 1], box))
            if self.indices:
                writes.append(Writes(c * self.per + 1, rows, cols, rec.indices[c, oy : oy + 1, ox : ox + 1], box))
        return writes

    def show(self, step: int) -> Step:
        rec = self.recording
        oy, ox = self._index(step)
        placement = rec.placements[oy * rec.output.shape[2] + ox]

        def reads(c: int) -> Reads:
            cells = placement.channel_cells(c) - self._shift
            top, left = cells.min(axis=0)
            bottom, right = cells.max(axis=0) + 1
            taps = np.column_stack([np.full(len(cells), c), cells])
            marks = None
            if placement.winners is not None and placement.winners[c, 0] >= 0:
                marks = np.array([[c, *(placement.winners[c] - self._shift)]])
            return Reads(taps, (int(top), int(left), int(bottom), int(right)), marks)

        steps = math.prod(self.region.size)
        text = self.op.step_text(self.flat, oy, ox, step, steps, placement.channel_cells(0), self.part)
        sums = tuple(self.sum_text(c, placement) for c in range(rec.output.shape[0]))
        return Step(0, LazyReads(reads), self.advance(step), text, sums, tuple(c * self.per for c in range(len(sums))))

    def sum_text(self, c: int, placement: SpanPlacement) -> str:
        rec = self.recording
        y = element_text(self.op.dims, "y", c, *placement.out_index)
        x_scale, y_scale = self._scales
        values = [format_value(rec.input[c, gy, gx], x_scale) for gy, gx in placement.channel_cells(c)]
        value = format_value(placement.values[c], y_scale)
        if placement.winners is not None:
            return window_text(y, values, value, index=int(placement.indices[c]))
        divisor = math.prod(rec.input.shape[1:]) if rec.spec.mean_of_all else math.prod(placement.sizes)
        return window_text(y, values, value, total=format_value(placement.sums[c], x_scale), divisor=divisor)


def window_text(
    y: str, values: list[str], value: str, index: Optional[int] = None, total: str = "", divisor: int = 0
) -> str:
    """A window's line: ``y = (x + x + … = total: n cells) / divisor = value``, or with an
    ``index``, ``y = max(x, x, …: n cells) = value at index k``. A window of more than
    :data:`COUNTED` cells is written with its cell count (and a sum with its total) at the end,
    so that a line too long for its frame, shown by its start and its end, still says how many
    terms it holds; one of more than :data:`LISTED` cells by its first and last cells."""
    count = f": {len(values)} cells" if len(values) > COUNTED else ""
    if len(values) > LISTED:
        values = [*values[:8], "…", *values[-2:]]
    if index is not None:
        return f"{y} = max({', '.join(values)}{count}) = {value} at index {index}"
    summed = f" = {total}{count}" if count else ""
    return f"{y} = ({' + '.join(values)}{summed}) / {divisor} = {value}"


def sum_chars(kind: str, y_chars: int, cells: int, index_chars: int) -> Callable[[int, tuple], int]:
    """The characters of the longest line :func:`window_text` writes for windows of at most
    ``cells`` cells, numbers of a given width (a geometry's ``sum_chars``)."""
    listed = 11 if cells > LISTED else cells  # a long window's first and last cells and "…"
    counted = 20 if cells > COUNTED else 0  # the total and the count
    if kind == "max":
        return lambda chars, drawn: y_chars + 20 + listed * (chars + 2) + chars + index_chars + counted
    return lambda chars, drawn: y_chars + 20 + listed * (chars + 3) + 2 * chars + counted
