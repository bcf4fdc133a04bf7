"""The steps of Unfold and Fold (:mod:`convgif.ops.fold`): a window a step, every channel at
once; Unfold copies the window into its column, Fold adds the column into its window."""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from ..engine.matrix import overlap_counts, transposed_reach
from ..picture.model import LazyReads, Reads, Region, Step, Writes
from ..picture.numbers import format_value


def _windows(
    spec: Any, sizes: tuple[int, int], start: int = 0, stop: Optional[int] = None
) -> tuple[np.ndarray, np.ndarray]:
    """(L, KH) rows and (L, KW) columns of the padded map each placement's window covers (of
    placements ``start`` to ``stop`` only, when given)."""
    (ph, pw), (kh, kw) = spec.places, spec.kernel_size
    (sh, sw), (dh, dw) = spec.stride, spec.dilation
    oy, ox = np.divmod(np.arange(start, ph * pw if stop is None else stop), pw)
    return oy[:, None] * sh + np.arange(kh)[None, :] * dh, ox[:, None] * sw + np.arange(kw)[None, :] * dw


def fold_longest(spec: Any, start: int, stop: int) -> Callable[[bool], str]:
    """The longest step line of a picture of columns ``start`` to ``stop`` (counted ``of this
    part`` or not): the last column, its window at the widest top and left of the columns'
    windows (a window's top follows its placement row, its left its placement column)."""
    rows, cols = _windows(spec, (0, 0), start, min(stop, start + spec.places[1]))
    top, left = ((stop - 1) // spec.places[1]) * spec.stride[0], int(cols[:, 0].max())
    steps, at = stop - start, f"column {stop - 1} · window from ({top}, {left})"
    return lambda part: f"{at} · step {steps}/{steps}{' of this part' if part else ''}"


def first_column(spec: Any, start: int, stop: int) -> int:
    """The first column before ``start`` whose window reaches the band of cells that the windows
    of columns ``start`` to ``stop`` cover (``start`` when none does): from it on, the columns a
    part's playback adds up to know what the cells outside the part hold when it starts."""
    if start == 0:
        return 0
    rows, cols = _windows(spec, spec.output_size, start, stop)
    earlier_rows, earlier_cols = _windows(spec, spec.output_size, 0, start)
    reach = ((earlier_rows >= rows.min()) & (earlier_rows <= rows.max())).any(axis=1)
    reach &= ((earlier_cols >= cols.min()) & (earlier_cols <= cols.max())).any(axis=1)
    found = np.flatnonzero(reach)
    return int(found[0]) if found.size else start


def _slice(start: int, count: int, step: int) -> str:
    """Rows start, start + step, … as a slice: ``1:4`` or ``0:5:2``."""
    stop = start + (count - 1) * step + 1
    return f"{start}:{stop}" + (f":{step}" if step > 1 and count > 1 else "")


class UnfoldPlayback:
    """Step ``l`` copies window ``l`` of every channel into column ``l`` of that channel's rows."""

    def __init__(
        self,
        spec: Any,
        recording: Any,
        start: int,
        stop: int,
        read: Region,
        names: tuple[str, str] = ("x", "y"),
        part: bool = False,
    ) -> None:
        self.spec, self.recording, self.start, self.stop, self.read = spec, recording, start, stop, read
        self.part = part  # some columns or channels left out: the steps are a part's
        self.names = names  # the input's and the output's; a backward pass's writes the values read too
        self.rows, self.cols = _windows(spec, spec.input_shape[1:], start, stop)  # of the columns drawn
        self.kk = spec.cells

    def advance(self, step: int) -> list[Writes]:
        col, kk = self.start + step, self.kk
        rows = np.arange(kk)
        return [
            Writes(
                c,
                rows,
                np.array([step]),
                self.recording.output[c * kk : (c + 1) * kk, col : col + 1],
                (0, step, kk, step + 1),
            )
            for c in range(self.spec.in_channels)
        ]

    def show(self, step: int) -> Step:
        spec, col = self.spec, self.start + step
        rows, cols = self.rows[step] - self.read.rows[0], self.cols[step] - self.read.cols[0]
        box = (int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1)

        def reads(c: int) -> Reads:
            cells = np.array([(c, y, x) for y in rows for x in cols], dtype=np.int64)
            return Reads(cells, box)

        _, pw = spec.places
        (kh, kw), (dh, dw) = spec.kernel_size, spec.dilation
        top, left = int(self.rows[step][0]), int(self.cols[step][0])
        text = f"column {col} · window from ({top}, {left}) · step {step + 1}/{self.stop - self.start}"
        text += " of this part" if self.part else ""
        kk, (x, y) = self.kk, self.names
        x = f"pad({x})" if max(spec.padding) else x  # the indices are the padded map's
        sums = tuple(
            f"{y}[{c * kk}:{(c + 1) * kk}, {col}] = {x}[{c}, {_slice(top, kh, dh)}, {_slice(left, kw, dw)}]"
            + ("" if self.names == ("x", "y") else f" = {_values(self.recording.output[c * kk : (c + 1) * kk, col])}")
            for c in range(spec.in_channels)
        )
        return Step(0, LazyReads(reads), self.advance(step), text, sums, tuple(range(spec.in_channels)))


class FoldPlayback:
    """Step ``s`` adds column ``start + s`` of every channel's rows into that channel's window on
    the padded output, of which the cells of ``part`` (the whole map when None) are drawn; each
    channel's sum line gives what the window held, the column added and what it holds now, in
    the column's order."""

    def __init__(
        self,
        spec: Any,
        recording: Any,
        columns: Optional[tuple[int, int]] = None,
        part: Optional[Region] = None,
        names: tuple[str, str] = ("x", "y"),
        channels: bool = False,
    ) -> None:
        self.spec, self.recording, self.names = spec, recording, names
        self.channels_cut = channels  # some channels left out: the steps are a part's too
        self.start, stop = columns or (0, spec.input_shape[1])
        self.steps = stop - self.start
        self.part = Region.of(part, spec.canvas)
        self.rows, self.cols = _windows(spec, spec.output_size)
        # the partial sums of the cells the steps' windows cover: a band of the padded map,
        # from ``at`` on (the whole map's rows and columns, for a part: the part's windows')
        rows, cols = self.rows[self.start : stop], self.cols[self.start : stop]
        self.at = (int(rows.min()), int(cols.min()))
        size = (int(rows.max()) + 1 - self.at[0], int(cols.max()) + 1 - self.at[1])
        self.sums = np.zeros((spec.in_channels, *size), dtype=recording.canvas.dtype)
        self._seen = np.zeros(self.sums.shape, dtype=bool)
        self._add_earlier(first_column(spec, self.start, stop))
        self._before: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._last: list[Writes] = []

    def _add_earlier(self, first: int) -> None:
        """Add the columns ``first`` to ``start`` (not played) into the cells of the band they
        reach, one after the other as the whole layer's steps add them: what the cells outside
        the part hold when a step adds into them (the cells drawn get nothing from them)."""
        if first == self.start:
            return
        kh, kw = self.spec.kernel_size
        rows, cols = _windows(self.spec, self.spec.output_size, first, self.start)
        values = np.asarray(self.recording.input[:, first : self.start]).reshape(-1, kh, kw, self.start - first)
        h, w = self.sums.shape[1:]
        for i in range(self.start - first):
            ys, xs = rows[i] - self.at[0], cols[i] - self.at[1]
            in_rows, in_cols = (ys >= 0) & (ys < h), (xs >= 0) & (xs < w)
            if in_rows.any() and in_cols.any():
                cells = np.ix_(ys[in_rows], xs[in_cols])
                for c in range(self.sums.shape[0]):
                    self.sums[c][cells] += values[c, in_rows][:, in_cols, i]
                    self._seen[c][cells] = True

    def _inside(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Which of window ``index``'s rows and columns lie in the part drawn."""
        (r0, r1), (c0, c1) = self.part.rows, self.part.cols
        rows, cols = self.rows[index], self.cols[index]
        return (rows >= r0) & (rows < r1), (cols >= c0) & (cols < c1)

    def advance(self, step: int) -> list[Writes]:
        spec, kk, index = self.spec, self.spec.cells, self.start + step
        (kh, kw), rows, cols = spec.kernel_size, self.rows[index], self.cols[index]
        window = np.ix_(rows - self.at[0], cols - self.at[1])
        in_rows, in_cols = self._inside(index)
        ys, xs = rows[in_rows] - self.part.rows[0], cols[in_cols] - self.part.cols[0]
        box = (int(ys[0]), int(xs[0]), int(ys[-1]) + 1, int(xs[-1]) + 1) if ys.size and xs.size else None
        writes, self._before = [], []
        for c in range(spec.in_channels):
            added = self.recording.input[c * kk : (c + 1) * kk, index].reshape(kh, kw)
            before, first = self.sums[c][window].copy(), ~self._seen[c][window]
            self.sums[c][window] += added
            self._seen[c][window] = True
            self._before.append((before, added, first))
            writes.append(Writes(c, ys, xs, self.sums[c][window][np.ix_(in_rows, in_cols)].copy(), box))
        self._last = writes
        return writes

    def show(self, step: int) -> Step:
        spec, kk, index = self.spec, self.spec.cells, self.start + step
        (kh, kw), (dh, dw) = spec.kernel_size, spec.dilation
        rows, cols = self.rows[index], self.cols[index]

        def reads(c: int) -> Reads:
            cells = np.array([(c, k, step) for k in range(kk)], dtype=np.int64)
            return Reads(cells, (0, step, kk, step + 1))

        text = f"column {index} · window from ({int(rows[0])}, {int(cols[0])}) · step {step + 1}/{self.steps}"
        text += "" if self.steps == spec.input_shape[1] and not self.channels_cut else " of this part"
        in_rows, in_cols = self._inside(index)
        drawn = "" if in_rows.all() and in_cols.all() else "  (partly outside the part drawn)"
        if not (in_rows.any() and in_cols.any()):
            drawn = "  (outside the part drawn)"
        x, y = self.names
        y = f"pad({y})" if max(spec.padding) else y  # the indices are the padded map's
        where = f"{_slice(int(rows[0]), kh, dh)}, {_slice(int(cols[0]), kw, dw)}"
        sums = []
        for c, (before, added, first) in enumerate(self._before):
            column = f"{x}[{c * kk}:{(c + 1) * kk}, {index}]"
            new = _values(before + added)
            if first.all():
                sums.append(f"{y}[{c}, {where}] = {column} = {new}{drawn}")
            else:
                sums.append(f"{y}[{c}, {where}] = {y} + {column} = {_values(before)} + {_values(added)} = {new}{drawn}")
        return Step(0, LazyReads(reads), self._last, text, tuple(sums), tuple(range(spec.in_channels)))


def _values(block: np.ndarray) -> str:
    """A window's values in the order of its column's rows (row by row): ``(12, 4, 0, 3)``."""
    return "(" + ", ".join(format_value(v) for v in block.reshape(-1)) + ")"


def partial_span(spec: Any, recording: Any, columns: tuple[int, int], part: Region) -> tuple[Any, Any]:
    """The least and the greatest (0 at least among them) of the partial sums the steps of
    ``columns`` write into the cells ``part`` of the padded output (each cell's sum after each
    column added), as :class:`~convgif.ops.fold_steps.FoldPlayback` plays them: each cell's
    values in column order, added one at a time in the map's type, so every sum is the same."""
    start, stop = columns
    c, (kh, kw) = spec.in_channels, spec.kernel_size
    (r0, r1), (c0, c1) = part.rows, part.cols
    rows, cols = _windows(spec, spec.output_size, start, stop)
    cells, order, taken = [], [], []
    for ky in range(kh):
        for kx in range(kw):
            ys, xs = rows[:, ky], cols[:, kx]
            inside = np.flatnonzero((ys >= r0) & (ys < r1) & (xs >= c0) & (xs < c1))
            cells.append((ys[inside] - r0) * (c1 - c0) + xs[inside] - c0)
            order.append(inside)
            taken.append(np.full(inside.size, ky * kw + kx))
    cell, step, row = np.concatenate(cells), np.concatenate(order), np.concatenate(taken)
    if not cell.size:
        return 0, 0
    ranked = np.lexsort((step, cell))  # by cell, then in the order the columns add
    cell, step, row = cell[ranked], step[ranked], row[ranked]
    first = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
    counts = np.diff(np.r_[first, cell.size])
    rank = np.arange(cell.size) - np.repeat(first, counts)
    at, dtype, kk = np.repeat(np.arange(first.size), counts), recording.canvas.dtype, spec.cells
    low = high = np.zeros((), dtype=dtype)[()]
    group = max(1, 2**20 // (first.size * int(counts.max())))  # channels at a time: memory as a few MB
    for c0 in range(0, c, group):
        c1 = min(c, c0 + group)
        added = np.zeros((c1 - c0, first.size, int(counts.max())), dtype=dtype)
        values = recording.input[c0 * kk : c1 * kk, slice(start, stop)].reshape(c1 - c0, kk, stop - start)
        added[:, at, rank] = values[:, row, step]
        sums = np.cumsum(added, axis=2)[:, at, rank]
        low, high = min(low, sums.min()), max(high, sums.max())
    return (low if low < 0 else 0), (high if high > 0 else 0)


def _rest(spec: Any) -> tuple[int, ...]:
    """The rows and columns of the padded output past the last window (a transposed
    convolution's output padding)."""
    return tuple(
        c - ((n - 1) * s + d * (k - 1) + 1)
        for c, n, s, d, k in zip(spec.canvas, spec.places, spec.stride, spec.dilation, spec.kernel_size)
    )


def fold_overlaps(spec: Any) -> np.ndarray:
    """(*output_size): how many windows cover each output cell (Fold adds that many values
    into it): a transposed convolution's overlaps, from the placements, with the rows and
    columns past the last window as output padding."""
    return overlap_counts(spec.places, spec.kernel_size, spec.stride, spec.dilation, spec.padding, _rest(spec))


def fold_taps(spec: Any) -> list[int]:
    """The counts :func:`fold_overlaps` holds, each once, in order, from each axis's counts
    alone (an output cell's count is its row's times its column's, and every pair occurs), so
    that a large output costs its sides, not its cells."""
    axes = [
        np.unique(transposed_reach(n, k, s, d, p, r).sum(axis=0))
        for n, k, s, d, p, r in zip(
            spec.places, spec.kernel_size, spec.stride, spec.dilation, spec.padding, _rest(spec)
        )
    ]
    return sorted({int(a) * int(b) for a in axes[0] for b in axes[1]})
