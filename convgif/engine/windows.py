"""The windows every pooling kind computes over, on any number of axes: the drawn grid (the
padded input, with ``ceil_mode``'s overhang), each window's taps, and the recording of a max or
an average over them, as PyTorch computes it.

Window ``i`` covers grid cells ``i·stride + j·dilation`` (``j`` < kernel_size) on each axis. Each
grid cell has a kind: :data:`INPUT`, :data:`PADDING` (explicit padding: −∞ for a max, 0 for an
average) or :data:`OVERHANG` (past the padded input: never read and never counted). The spec
read here is a pooling spec of :mod:`convgif.ops.pool`: ``KIND``, ``DIMS``, its sizes and
``grid_shape``, ``output_shape``, ``window_size``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .direct import LazySequence
from .values import cell_blocks

#: Kinds of drawn grid cells (:attr:`PoolRecording.kinds`).
INPUT, PADDING, OVERHANG = 0, 1, 2


def _axis_taps(spec: Any) -> list[np.ndarray]:
    """Per axis, the (output size, kernel size) grid coordinates of every window's taps."""
    return [
        (np.arange(o) * s)[:, None] + (np.arange(k) * d)[None, :]
        for o, k, s, d in zip(spec.output_shape[1:], spec.kernel_size, spec.stride, spec.dilation)
    ]


def read_rows(spec: Any, spans: Sequence[tuple[int, int]]) -> list[np.ndarray]:
    """Per axis, which drawn grid rows/columns the windows of output positions ``spans``
    ((start, stop) per axis) cover: a stride longer than the window skips some."""
    masks = []
    for taps, size, (start, stop) in zip(_axis_taps(spec), spec.grid_shape[1:], spans):
        mask = np.zeros(size, bool)
        mask[taps[start:stop].ravel()] = True
        masks.append(mask)
    return masks


def _axis_kinds(spec: Any) -> list[np.ndarray]:
    """Per axis, the kind of every drawn grid row/column."""
    kinds = []
    for n, p, g in zip(spec.input_shape[1:], spec.padding, spec.grid_shape[1:]):
        kind = np.full(g, PADDING, dtype=np.int8)
        kind[p : p + n] = INPUT
        kind[n + 2 * p :] = OVERHANG
        kinds.append(kind)
    return kinds


def _outer(per_axis: list[np.ndarray], combine) -> np.ndarray:
    """Combine one 1-D array per axis into a DIMS-dimensional array (an outer operation)."""
    result = per_axis[0]
    for more in per_axis[1:]:
        result = combine.outer(result, more)
    return result


def _windows(spec: Any, grid: np.ndarray) -> np.ndarray:
    """(..., *output sizes, window_size) view of each window's cells, taps in window order.

    ``grid`` has the drawn grid's spatial shape in its last DIMS axes.
    """
    dims = spec.DIMS
    axes = tuple(range(grid.ndim - dims, grid.ndim))
    view = np.lib.stride_tricks.sliding_window_view(grid, spec.receptive_field, axis=axes)
    lead = (slice(None),) * (grid.ndim - dims)
    picks = tuple(slice(0, (o - 1) * s + 1, s) for o, s in zip(spec.output_shape[1:], spec.stride))
    taps = tuple(slice(None, None, d) for d in spec.dilation)
    view = view[(*lead, *picks, *taps)]
    return view.reshape(*view.shape[: grid.ndim], spec.window_size)


def _reason(divisor: int, override: bool, padding: bool, overhang: bool, counted: bool) -> str:
    if override:
        return f"/ {divisor}: divisor_override"
    notes = []
    if padding:
        notes.append("padding counted" if counted else "padding not counted")
    if overhang:
        notes.append("overhang not counted")
    return f"/ {divisor}" + (": " + ", ".join(notes) if notes else "")


@dataclass(frozen=True, eq=False)
class PoolPlacement:
    """One window position: the output position it produces, for all channels at once.

    ``cells`` (K, DIMS) are the window's taps in grid coordinates, in window order (row by
    row), ``kinds`` (K,) their kinds, ``values`` (C,) the outputs. A max also has ``winners``
    (C, DIMS), the grid cell each channel's maximum comes from (-1 where the window holds no
    input cell), and ``indices`` (C,), PyTorch's. An average has ``terms`` (T, DIMS), the input
    cells added (padding adds 0 and is left out), ``sums`` (C,), ``divisor`` and ``reason``
    (e.g. ``"/ 6: padding not counted"``); the max's fields are None for it and vice versa.
    """

    out_index: tuple[int, ...]
    cells: np.ndarray
    kinds: np.ndarray
    values: np.ndarray
    winners: np.ndarray | None = None
    indices: np.ndarray | None = None
    terms: np.ndarray | None = None
    sums: np.ndarray | None = None
    divisor: int | None = None
    reason: str | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PoolPlacement):
            return NotImplemented
        return all(_same(getattr(self, f.name), getattr(other, f.name)) for f in dataclasses.fields(self))

    __hash__ = None  # type: ignore[assignment]  # equal placements hold equal arrays


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return a is not None and b is not None and np.array_equal(a, b, equal_nan=np.asarray(a).dtype.kind == "f")
    return a == b


class PoolPlacements(LazySequence[PoolPlacement]):
    """All window positions in output order (row by row); items are built when asked for."""

    def __init__(self, recording: PoolRecording) -> None:
        spec = recording.spec
        self._recording = recording
        self._taps = _axis_taps(spec)
        self._kinds = _axis_kinds(spec)
        self._sizes = spec.output_shape[1:]

    def __len__(self) -> int:
        return math.prod(self._sizes)

    def _item(self, index: int) -> PoolPlacement:
        out = tuple(int(v) for v in np.unravel_index(index, self._sizes))
        rec, spec = self._recording, self._recording.spec
        axis_cells = [taps[o] for taps, o in zip(self._taps, out)]
        mesh = np.meshgrid(*axis_cells, indexing="ij")
        cells = np.stack([m.ravel() for m in mesh], axis=1).astype(np.int64)
        kinds = np.max([kind[m.ravel()] for kind, m in zip(self._kinds, mesh)], axis=0).astype(np.int8)
        at = (slice(None), *out)
        values = rec.output[at].copy()
        if spec.KIND == "max":
            return PoolPlacement(
                out, cells, kinds, values, winners=rec.winners[at].copy(), indices=rec.indices[at].copy()
            )
        terms = cells[kinds == INPUT]
        inputs = rec.input[(slice(None), *(terms - np.array(spec.padding)).T)]
        divisor = int(rec.divisors[out])
        reason = _reason(
            divisor,
            spec.divisor_override is not None,
            bool((kinds == PADDING).any()),
            bool((kinds == OVERHANG).any()),
            spec.count_include_pad,
        )
        with np.errstate(invalid="ignore", over="ignore"):  # ∞ − ∞ is NaN here as in the recording
            sums = _ordered_sum(inputs, axis=1)
        return PoolPlacement(out, cells, kinds, values, terms=terms, sums=sums, divisor=divisor, reason=reason)


@dataclass(frozen=True, eq=False)
class PoolRecording:
    """The forward pass of a max or average pooling spec.

    Arrays (spatial axes ``*n`` of the input, ``*o`` of the output, ``*g`` of the drawn grid;
    one axis for the 1-d layers):

    * ``input`` (C, *n): int64, or float64 when the input given holds fractions.
    * ``output`` (C, *o): a max keeps the input's dtype (a window with no input cell, possible
      only with dilation, gives −∞, or for integers −2**63 as torch's int64 pooling does); an
      average is float64.
    * ``indices`` (C, *o) int64, max only (else None): PyTorch's, the flat position ``y·W + x``
      in the unpadded input plane of the first maximum in window order. For a window holding no input cell torch still
      gives a number: the first tap at or past row/column 0 on each axis, flattened, which may
      lie outside the plane.
    * ``winners`` (C, *o, DIMS) int64, max only: the grid coordinates of each maximum, -1 for a
      window holding no input cell.
    * ``divisors`` (*o) int64, average only: what each window's sum is divided by (the same for
      every channel).
    * ``kinds`` (*g) int8: :data:`INPUT`, :data:`PADDING` or :data:`OVERHANG` per drawn cell.
    * ``placements``: one :class:`PoolPlacement` per output position, built lazily.
    """

    spec: Any
    input: np.ndarray
    output: np.ndarray
    indices: np.ndarray | None
    winners: np.ndarray | None
    divisors: np.ndarray | None
    kinds: np.ndarray
    placements: PoolPlacements = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "placements", PoolPlacements(self))

    def as_2d(self) -> PoolRecording:
        """A 1-d recording as the 2-d one over a single row (which convgif draws); a 2-d
        recording as it is."""
        if self.spec.DIMS == 2:
            return self
        return record_windows(self.spec.as_2d(), self.input[:, None, :])


def _ordered_sum(values: np.ndarray, axis: int) -> np.ndarray:
    """Sum along ``axis`` one term at a time, first to last, as PyTorch's CPU kernel adds: the
    same float64 rounding, so averages of fractions match torch's bit for bit."""
    return np.add.accumulate(values, axis=axis).take(-1, axis=axis)  # accumulate adds in order, not pairwise


def record_windows(spec: Any, x: np.ndarray) -> PoolRecording:
    """The max or average pooling of ``spec`` (``KIND`` ``"max"`` or ``"avg"``) over ``x``,
    already checked, with everything a picture needs (see :class:`PoolRecording`)."""
    kinds = _outer(_axis_kinds(spec), np.maximum).astype(np.int8)
    spans = [(0, o) for o in spec.output_shape[1:]]
    box = input_box(spec, spans)
    output, indices, winners, divisors = pool_part(spec, x[(slice(None), *(slice(*b) for b in box))], spans)
    return PoolRecording(spec, x, output, indices, winners, divisors, kinds)


def grid_reads(spec: Any, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The drawn grid rows/columns (start, stop) per axis that the windows of output positions
    ``spans`` ((start, stop) per axis) span."""
    return [(a * s, (b - 1) * s + r) for (a, b), s, r in zip(spans, spec.stride, spec.receptive_field)]


def input_box(spec: Any, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The input cells (start, stop) per axis that the windows of output positions ``spans``
    span (empty where they hold padding or overhang only)."""
    box = []
    for (a, b), p, n in zip(grid_reads(spec, spans), spec.padding, spec.input_shape[1:]):
        start, stop = min(max(a - p, 0), n), min(max(b - p, 0), n)
        box.append((start, max(start, stop)))
    return box


class _Part:
    """A pooling's window sizes over the part of its drawn grid that some outputs read."""

    def __init__(self, spec: Any, spans: Sequence[tuple[int, int]]) -> None:
        self.DIMS, self.receptive_field, self.window_size = spec.DIMS, spec.receptive_field, spec.window_size
        self.stride, self.dilation, self.kernel_size = spec.stride, spec.dilation, spec.kernel_size
        self.output_shape = (spec.output_shape[0], *(b - a for a, b in spans))


def pool_part(
    spec: Any, x: np.ndarray, spans: Sequence[tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """(output, indices, winners, divisors) of the output positions ``spans`` (per axis,
    (start, stop)) of a max or average pooling, from ``x``: the input cells of
    :func:`input_box`. Work and memory follow the part, computed a block of output cells at a
    time (:func:`.values.cell_blocks`: a block's windows side by side stay small however large
    the window); each value is the whole layer's."""
    boxes = list(cell_blocks(spans, spec.in_channels * spec.window_size))
    if len(boxes) == 1:
        return _pool_block(spec, x, spans)
    origin = [a for a, _ in input_box(spec, spans)]
    results: list = [None] * 4
    for box in boxes:
        inside = tuple(slice(a - o, b - o) for (a, b), o in zip(input_box(spec, box), origin))
        block = _pool_block(spec, x[(slice(None), *inside)], box)
        at = tuple(slice(a - start, b - start) for (a, b), (start, _) in zip(box, spans))
        for i, (values, lead) in enumerate(zip(block, _LEADING)):
            if values is None:
                continue
            if results[i] is None:
                shape = values.shape
                results[i] = np.empty(
                    (*shape[:lead], *(b - a for a, b in spans), *shape[lead + len(spans) :]), values.dtype
                )
            results[i][(slice(None),) * lead + at] = values
    return results[0], results[1], results[2], results[3]


#: The axes before the output positions in each of :func:`pool_part`'s results: the channel of
#: the output, the indices and the winners (which end with an axis of their own); none for the
#: divisors, which are the same for every channel.
_LEADING = (1, 1, 1, 0)


def _pool_block(
    spec: Any, x: np.ndarray, spans: Sequence[tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """:func:`pool_part` of one block of output cells, its windows laid out side by side."""
    dims, c = spec.DIMS, spec.in_channels
    reads = grid_reads(spec, spans)
    axis_kinds = [kind[a:b] for kind, (a, b) in zip(_axis_kinds(spec), reads)]
    part = _Part(spec, spans)
    real = _windows(part, _outer(axis_kinds, np.maximum).astype(np.int8)) == INPUT  # (*o, K)
    inner = tuple(
        slice(start + p - a, stop + p - a)
        for (start, stop), p, (a, _) in zip(input_box(spec, spans), spec.padding, reads)
    )
    taps = [
        (np.arange(a, b) * s)[:, None] + (np.arange(k) * d)[None, :]
        for (a, b), k, s, d in zip(spans, spec.kernel_size, spec.stride, spec.dilation)
    ]
    if spec.KIND == "avg":
        grid = np.zeros((c, *(b - a for a, b in reads)), dtype=np.float64)
        grid[(slice(None), *inner)] = x
        sums = _ordered_sum(_windows(part, grid), axis=-1)
        if spec.divisor_override is not None:
            divisors = np.full(part.output_shape[1:], spec.divisor_override, dtype=np.int64)
        else:
            counted = []
            for axis_taps, axis_kind in zip(taps, _axis_kinds(spec)):
                allowed = (INPUT, PADDING) if spec.count_include_pad else (INPUT,)
                counted.append(np.isin(axis_kind[axis_taps], allowed).sum(axis=1))
            divisors = _outer(counted, np.multiply).astype(np.int64)
        return sums / divisors, None, None, divisors

    low = -np.inf if x.dtype.kind == "f" else np.iinfo(np.int64).min
    grid = np.full((c, *(b - a for a, b in reads)), low, dtype=x.dtype)
    grid[(slice(None), *inner)] = x
    windows = _windows(part, grid)  # (C, *o, K)
    best = windows.max(axis=-1)  # padding and overhang hold the lowest value
    first = np.argmax(real & (windows == best[..., None]), axis=-1)  # ties: the first in window order
    # the value of that first cell: of −0.0 and 0.0, torch keeps whichever comes first
    output = np.take_along_axis(windows, first[..., None], axis=-1)[..., 0]
    empty = np.broadcast_to(~real.any(axis=-1), output.shape)
    taps_at = np.unravel_index(first, spec.kernel_size)
    winners = np.empty((*output.shape, dims), dtype=np.int64)
    flat = np.zeros(output.shape, dtype=np.int64)
    torch_empty = np.zeros(output.shape, dtype=np.int64)
    for a in range(dims):
        origin = (np.arange(*spans[a]) * spec.stride[a]).reshape([-1 if b == a else 1 for b in range(dims)])
        winners[..., a] = origin + taps_at[a] * spec.dilation[a]
        size_after = math.prod(spec.input_shape[2 + a :])
        flat = flat + (winners[..., a] - spec.padding[a]) * size_after
        # torch's index for an empty window: the first tap at or past input row/column 0
        start = origin - spec.padding[a]
        d = spec.dilation[a]
        first_tap = np.where(start >= 0, start, start + d * (-(start // d)))
        torch_empty = torch_empty + first_tap * size_after
    winners[empty] = -1
    return output, np.where(empty, torch_empty, flat), winners, None


def cells_read(n: int, outputs: int, k: int, s: int, p: int, d: int) -> np.ndarray:
    """Input cells each of ``outputs`` windows reads along an axis of ``n`` cells: of its ``k``
    taps ``d`` apart, starting at ``o·s − p``, those inside the input."""
    starts = np.arange(outputs, dtype=np.int64) * s - p
    first = np.maximum(0, -(starts // d))  # the first tap at or past cell 0: ceil(−start / d)
    last = np.minimum(k - 1, (n - 1 - starts) // d)
    return np.maximum(0, last - first + 1)


#: Windows along an axis past which their cells are counted in closed form, not one by one.
COUNTED_ONE_BY_ONE = 4_000_000


def reads_less_one(spec: Any) -> int:
    """The comparisons (or additions) of a pooling's forward pass as torch does them: each
    window, clipped to the input, reads its cells and takes one fewer than it reads, in every
    channel (worked out per axis: the windows' cells are a product of each axis' taps)."""
    read, windows = 1, 1  # cells read by all windows together, and windows reading any
    for n, o, k, s, p, d in zip(
        spec.input_shape[1:], spec.output_shape[1:], spec.kernel_size, spec.stride, spec.padding, spec.dilation
    ):
        axis_read, axis_windows = _axis_reads(n, o, k, s, p, d)
        read, windows = read * axis_read, windows * axis_windows
    return spec.input_shape[0] * (read - windows)


def _axis_reads(n: int, o: int, k: int, s: int, p: int, d: int) -> tuple[int, int]:
    """The cells ``o`` windows read along an axis together, and how many windows read any."""
    if o <= COUNTED_ONE_BY_ONE:
        counts = cells_read(n, o, k, s, p, d)
        return int(counts.sum()), int((counts > 0).sum())
    # so many windows (an axis of millions of cells): the taps counted per tap, and the windows
    # that read nothing are those wholly before the input or wholly past it
    from .matrix import taps_inside

    read = taps_inside(n, k, s, d, p, o)
    if read is None:  # millions of taps too: every window then spans the input's cells
        read = o * k
    before = max(0, -(-(p - (k - 1) * d) // s))  # o·s − p + (k − 1)·d < 0
    after = max(0, o - ((n - 1 + p) // s + 1))  # o·s − p > n − 1
    return read, o - before - after
