"""Windows placed one by one rather than by a stride: PyTorch's adaptive pooling (each window
from its output position's share of the input) and fractional max pooling (each channel's
windows from its own pseudo-random sample), on any number of axes.

On each axis a window is a run of cells ``start .. start + size − 1``. Adaptive windows have the
same starts for every channel; fractional ones have one start per channel. The recording keeps,
per output position, the window (its cells in window order, row by row), and for a max the
first largest cell (PyTorch's ``val > max`` keeps the first of equal values, −0.0 before 0.0),
for an average its sum and what the sum is divided by.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from .direct import OutputPositions


def adaptive_starts(n: int, o: int) -> np.ndarray:
    """Window starts of an adaptive pooling from ``n`` cells to ``o``: ⌊i·n/o⌋ (ATen's
    ``start_index``, in integers)."""
    i = np.arange(o, dtype=np.int64)
    return (i * n) // o


def adaptive_ends(n: int, o: int) -> np.ndarray:
    """Window ends (excluded): ⌈(i + 1)·n/o⌉ (ATen's ``end_index``)."""
    i = np.arange(o, dtype=np.int64)
    return -((-(i + 1) * n) // o)


def fractional_starts(sample: float, n: int, o: int, k: int) -> np.ndarray:
    """Window starts of a fractional max pooling along one axis, as ATen's ``generate_intervals``
    computes them in float64: α = (n − k)/(o − 1), start i = int((i + u)·α) − int(u·α) (both
    truncated), and the last window ends at the input's end (start n − k)."""
    starts = np.zeros(o, dtype=np.int64)
    if o > 1:
        alpha = float(n - k) / float(o - 1)
        u = float(sample)
        for i in range(o - 1):
            starts[i] = int((i + u) * alpha) - int(u * alpha)
    if o > 0:
        starts[o - 1] = n - k
    return starts


@dataclass(frozen=True, eq=False)
class SpanPlacement:
    """One output position, for all channels at once.

    ``cells`` (C, K, DIMS) are each channel's window cells in input coordinates, in window
    order (for adaptive windows every channel's are the same); ``values`` (C,) the outputs.
    A max has ``winners`` (C, DIMS) (-1 where the window is empty) and ``indices`` (C,),
    PyTorch's; an average has ``sums`` (C,) and ``sizes``, the window's size per axis, whose
    product (or, where PyTorch takes a mean of the whole input, the input's size) divides.
    """

    out_index: tuple[int, ...]
    cells: np.ndarray
    values: np.ndarray
    winners: Optional[np.ndarray] = None
    indices: Optional[np.ndarray] = None
    sums: Optional[np.ndarray] = None
    sizes: Optional[tuple[int, ...]] = None

    def channel_cells(self, c: int) -> np.ndarray:
        """The cells channel ``c`` reads, (K, DIMS)."""
        return self.cells[c if self.cells.shape[0] > 1 else 0]


class SpanPlacements(OutputPositions[SpanPlacement]):
    """All output positions in order (row by row); items built when asked for."""

    def _at(self, out: tuple[int, ...]) -> SpanPlacement:
        rec = self._recording
        per_axis = []  # (C', size) cells of each axis, C' 1 or C
        for starts, sizes, o in zip(rec.starts, rec.sizes, out):
            first = starts[:, o]
            size = int(sizes[o])
            per_axis.append(first[:, None] + np.arange(max(size, 0))[None, :])
        channels = max(a.shape[0] for a in per_axis)
        grids = np.meshgrid(*[np.arange(a.shape[1]) for a in per_axis], indexing="ij")
        cells = np.stack(
            [np.broadcast_to(a, (channels, a.shape[1]))[:, g.ravel()] for a, g in zip(per_axis, grids)], axis=-1
        ).astype(np.int64)
        at = (slice(None), *out)
        if rec.kind == "max":
            return SpanPlacement(out, cells, rec.output[at].copy(), rec.winners[at].copy(), rec.indices[at].copy())
        sizes = tuple(int(s[o]) for s, o in zip(rec.sizes, out))
        return SpanPlacement(out, cells, rec.output[at].copy(), sums=rec.sums[at].copy(), sizes=sizes)


@dataclass(frozen=True, eq=False)
class SpanRecording:
    """The forward pass of an adaptive or fractional pooling spec.

    * ``input`` (C, *n): int64, or float64 when the input given holds fractions.
    * ``output`` (C, *o) float64.
    * ``starts``: per axis, (C', o) window starts (C' 1 when every channel's are the same);
      ``sizes``: per axis, (o,) window sizes.
    * ``indices`` and ``winners`` (max): PyTorch's flat index of each maximum in its channel's
      input plane, and the maximum's input coordinates (C, *o, DIMS); None for an average.
    * ``sums`` (average): each window's sum, added cell by cell in window order.
    * ``samples`` (fractional): the (C, DIMS) samples the windows come from, else None.
    * ``placements``: one :class:`SpanPlacement` per output position, built lazily.
    """

    spec: Any
    kind: str
    input: np.ndarray
    output: np.ndarray
    starts: tuple[np.ndarray, ...]
    sizes: tuple[np.ndarray, ...]
    indices: Optional[np.ndarray] = None
    winners: Optional[np.ndarray] = None
    sums: Optional[np.ndarray] = None
    samples: Optional[np.ndarray] = None
    placements: SpanPlacements = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "placements", SpanPlacements(self))


def _gather(x: np.ndarray, starts: tuple[np.ndarray, ...], sizes: tuple[np.ndarray, ...]) -> tuple:
    """(windows, inside): every window's cells as (C, *o, K) in window order, with the cells
    that belong to it (windows shorter than the longest on an axis are padded and masked)."""
    dims = len(starts)
    c = x.shape[0]
    longest = [max(int(s.max(initial=0)), 0) for s in sizes]
    index = [np.arange(c).reshape(c, *([1] * (2 * dims)))]
    inside = np.ones((1,) * (1 + 2 * dims), dtype=bool)
    for a, (first, size, k, n) in enumerate(zip(starts, sizes, longest, x.shape[1:])):
        taps = first[:, :, None] + np.arange(k)[None, None, :]  # (C', o, k)
        valid = np.arange(k)[None, None, :] < size[None, :, None]
        shape = [taps.shape[0]] + [1] * (2 * dims)
        shape[1 + a], shape[1 + dims + a] = taps.shape[1], k
        index.append(np.clip(taps, 0, max(n - 1, 0)).reshape(shape))
        inside = inside & valid.reshape([1] + shape[1:])
    windows = x[tuple(index)]
    o = windows.shape[1 : 1 + dims]
    k = math.prod(windows.shape[1 + dims :])
    inside = np.broadcast_to(inside, windows.shape)
    return windows.reshape(c, *o, k), inside.reshape(c, *o, k)


def record_spans(
    spec: Any,
    kind: str,
    x: np.ndarray,
    starts: tuple[np.ndarray, ...],
    sizes: tuple[np.ndarray, ...],
    mean_of_all: bool = False,
    samples: Optional[np.ndarray] = None,
) -> SpanRecording:
    """The max or average (``kind``) of ``x`` (C, *n) over windows starting at ``starts`` (per
    axis, (1 or C, o)) of ``sizes`` (per axis, (o,)).

    An average divides the window's sum by its size on each axis in turn, as PyTorch's kernel
    does (``sum / kh / kw``); with ``mean_of_all`` (PyTorch's shortcut when every output size
    is 1: a mean of the whole input) by the number of input cells at once.
    """
    dims = len(starts)
    c = x.shape[0]
    starts = tuple(np.broadcast_to(s, (s.shape[0], s.shape[1])) for s in starts)
    windows, inside = _gather(x, starts, sizes)
    o = windows.shape[1 : 1 + dims]
    if kind == "avg":
        values = windows.astype(np.float64)
        total = np.zeros(windows.shape[:-1], dtype=np.float64)
        for t in range(values.shape[-1]):  # cell by cell in window order, as PyTorch adds
            total = total + np.where(inside[..., t], values[..., t], 0.0)
        if mean_of_all:
            output = total / math.prod(x.shape[1:])
        else:
            output = total
            for a, size in enumerate(sizes):
                shape = [1] * (1 + dims)
                shape[1 + a] = len(size)
                output = output / size.reshape(shape)
        return SpanRecording(spec, kind, x, output, starts, sizes, sums=total, samples=samples)
    k_sizes = [max(int(s.max(initial=0)), 0) for s in sizes]
    empty = ~inside.any(axis=-1)
    if min(k_sizes) == 0:  # every window empty (a kernel torch takes but that covers no cell)
        first = np.zeros(empty.shape, dtype=np.int64)
        output = np.full(empty.shape, -np.inf)
        taps = [first] * dims
    else:
        values = np.where(inside, windows.astype(np.float64), -np.inf)
        best = values.max(axis=-1, keepdims=True)
        first = np.argmax(inside & (values == best), axis=-1)
        output = np.take_along_axis(values, first[..., None], axis=-1)[..., 0]  # −0.0 where it comes first
        output[empty] = -np.inf
        taps = np.unravel_index(first, k_sizes)
    winners = np.empty((c, *o, dims), dtype=np.int64)
    indices = np.zeros((c, *o), dtype=np.int64)
    for a in range(dims):
        shape = [starts[a].shape[0]] + [1] * dims
        shape[1 + a] = o[a]
        origin = starts[a].reshape(shape)
        winners[..., a] = origin + taps[a]
        indices = indices + winners[..., a] * math.prod(x.shape[2 + a :])
    winners[empty] = -1
    return SpanRecording(spec, kind, x, output, starts, sizes, indices=indices, winners=winners, samples=samples)
