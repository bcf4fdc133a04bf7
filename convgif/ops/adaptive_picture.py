"""The steps of an adaptive pooling's picture: one window a step, every channel at once, each
window as wide as its start and end make it, and its mean or max written out."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine.spans import SpanPlacement, SpanRecording
from ..picture.model import (
    LazyReads,
    Reads,
    Region,
    Step,
    Writes,
    format_value,
    magnitude,
)
from .pool_picture import element_text, held

#: The most window cells a sum line writes out; a longer window is written by its first and last.
LISTED = 64
_WORDS = {1: "an int or a 1-tuple (l,)", 2: "an int or a pair (h, w)", 3: "an int or a triple (d, h, w)"}


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
        many = len(values) > LISTED  # a window too long to write out: its first and last cells
        if placement.winners is not None:
            listed = (
                ", ".join([*values[:8], "…", *values[-2:]]) + f": {len(values)} cells" if many else ", ".join(values)
            )
            return f"{y} = max({listed}) = {format_value(placement.values[c], y_scale)} at index {int(placement.indices[c])}"
        if rec.spec.mean_of_all:
            divisor = str(math.prod(rec.input.shape[1:]))
        else:
            divisor = str(math.prod(placement.sizes))
        if many:
            total = format_value(placement.sums[c], x_scale)
            listed = " + ".join([*values[:8], "…", *values[-2:]]) + f" = {total}: {len(values)} cells"
        else:
            listed = " + ".join(values)
        return f"{y} = ({listed}) / {divisor} = {format_value(placement.values[c], y_scale)}"
