"""Where each output cell of a padding or an up-sampling reads, axis by axis, as PyTorch computes it.

Both layers are separable: along each axis, output position ``i`` reads a few input positions
with a weight each, and a cell of the output reads the outer product of its positions' reads.
:class:`AxisTaps` holds one axis's reads; :func:`gather` applies them.

* Padding (:func:`pad_sources`): one read per position, the input position it copies, or -1
  for a cell that holds the constant. ``reflect`` mirrors at the edge cell without repeating
  it, ``replicate`` repeats the edge cell, ``circular`` wraps round; negative amounts crop, and
  for ``circular`` PyTorch crops first and wraps round what is left. :func:`pad_problem` says
  why PyTorch refuses amounts on an axis of a given size.
* Interpolation (:func:`interpolation`): PyTorch's ``F.interpolate`` rules. ``nearest`` reads
  ``floor(i·scale)`` and ``nearest-exact`` ``floor((i + 0.5)·scale)``, both in float32 as
  PyTorch's kernels do; the linear modes read the two cells around the source coordinate
  ``(i + 0.5)·scale − 0.5`` (clamped at 0; ``i·(n − 1)/(m − 1)`` with ``align_corners``), weighted
  by its fraction ``t`` as ``1 − t`` and ``t``; ``bicubic`` reads four with Keys' cubic weights
  (``A = −0.75``), taps past the edge repeating the edge cell; ``area`` averages the cells from
  ``floor(i·n/m)`` to ``ceil((i + 1)·n/m)``, as an adaptive average pool does. ``scale`` is
  ``1/scale_factor`` when a scale factor is given and not recomputed, else ``n/m``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from .matrix import transposed_reach
from .modes import INTERPOLATING, MODES  # noqa: F401  (the modes, kept where --help reads them)

#: Keys' cubic convolution coefficient, as PyTorch's bicubic uses it.
CUBIC_A = -0.75
#: The modes whose kernels copy an axis whose size does not change, whatever the scale.
IDENTITY = ("linear", "bilinear", "trilinear", "area")


@dataclass(frozen=True, eq=False)
class AxisTaps:
    """The reads of one axis: output position ``i`` reads input positions ``index[i, t]`` with
    weights ``weight[i, t]`` (an index of -1 reads the constant of a padding). ``source[i]`` is
    the source coordinate the weights come from (an interpolation's; None for a padding) and
    ``raw[i]`` that coordinate before it was clamped at 0 (linear modes)."""

    index: np.ndarray
    weight: np.ndarray
    source: Optional[np.ndarray] = None
    raw: Optional[np.ndarray] = None

    @property
    def size(self) -> int:
        """Output positions on this axis."""
        return int(self.index.shape[0])

    def reads(self, i: int) -> list[tuple[int, float]]:
        """Position ``i``'s reads as (input position, weight), taps of weight 0 left out (all
        kept if every weight is 0), in tap order; a position read by several taps (an edge
        repeated by bicubic) is listed once per tap."""
        pairs = [(int(j), float(w)) for j, w in zip(self.index[i], self.weight[i])]
        kept = [(j, w) for j, w in pairs if w != 0]
        return kept or pairs[:1]

    def extent(self, start: int, stop: int) -> Optional[tuple[int, int]]:
        """The input positions (start, stop) that output positions ``start`` to ``stop`` read
        with a nonzero weight, or None when they read none (constant cells only)."""
        index, weight = self.index[start:stop], self.weight[start:stop]
        read = index[(weight != 0) & (index >= 0)]
        if read.size == 0:
            return None
        return int(read.min()), int(read.max()) + 1


# -- padding ------------------------------------------------------------------------------------


def pad_problem(n: int, before: int, after: int, mode: str) -> Optional[str]:
    """Why PyTorch refuses to pad an axis of ``n`` cells by ``before`` and ``after`` in ``mode``
    (``constant``, ``reflect``, ``replicate``, ``circular``), or None. Outputs with no cell
    (which PyTorch returns for some of these) are left to the caller."""
    if mode == "reflect":
        if before >= n or after >= n:
            return f"reflect padding must be less than the axis's size {n} (a reflection does not repeat the edge)"
    elif mode == "circular":
        if before > n or after > n:
            return f"circular padding must be at most the axis's size {n}: it would wrap round more than once"
        left = n - max(-before, 0) - max(-after, 0)  # what the crops leave, which the wrap copies
        if n + before + after > 0 and (max(before, 0) > left or max(after, 0) > left):
            return (
                f"circular padding crops first and then wraps round the {max(left, 0)} cells left, "
                "so it may not add more cells than that on a side (PyTorch returns memory it never wrote)"
            )
    elif mode == "constant":
        if n + min(before, 0) + min(after, 0) < 0:
            return f"negative padding may crop at most the axis's {n} cells"
    return None


def pad_sources(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """The input position each of the ``n + before + after`` output positions copies (-1: the
    constant), for amounts :func:`pad_problem` accepts."""
    j = np.arange(n + before + after, dtype=np.int64) - before
    if mode == "constant":
        return np.where((j >= 0) & (j < n), j, -1)
    if mode == "replicate":
        return np.clip(j, 0, n - 1)
    if mode == "reflect":
        j = np.abs(j)
        return np.where(j > n - 1, 2 * (n - 1) - j, j)
    if mode == "circular":
        start = max(-before, 0)
        left = n - start - max(-after, 0)
        if left <= 0:  # refused by pad_problem unless the output is empty
            return j[:0]
        return start + (j + before - max(before, 0)) % left
    raise ValueError(f"unknown padding mode {mode!r}")


def pad_taps(n: int, before: int, after: int, mode: str) -> AxisTaps:
    """:func:`pad_sources` as the reads of one axis (weight 1 each)."""
    sources = pad_sources(n, before, after, mode)
    return AxisTaps(sources[:, None], np.ones((sources.size, 1)))


# -- interpolation --------------------------------------------------------------------------------


def output_size(n: int, scale_factor: float) -> int:
    """The output size a scale factor gives: ``n·scale_factor`` in float64, truncated."""
    return int(float(n) * scale_factor)


def scale_of(n_in: int, n_out: int, align_corners: bool, scale_factor: Optional[float]) -> float:
    """The step in input coordinates between output positions (PyTorch's
    ``area_pixel_compute_scale``): ``(n − 1)/(m − 1)`` with ``align_corners`` (0 for one
    output), else ``1/scale_factor`` when the scale factor is used, else ``n/m``."""
    if align_corners:
        return (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    if scale_factor is not None and scale_factor > 0:
        return 1.0 / scale_factor
    return n_in / n_out


def _nearest_scale(n_in: int, n_out: int, scale_factor: Optional[float]) -> np.float32:
    if scale_factor is not None and scale_factor > 0:
        return np.float32(1.0 / scale_factor)
    return np.float32(n_in) / np.float32(n_out)


def interpolation(
    n_in: int,
    n_out: int,
    mode: str,
    align_corners: bool = False,
    scale_factor: Optional[float] = None,
    dims: int = 1,
) -> AxisTaps:
    """The reads of one axis of ``F.interpolate`` from ``n_in`` to ``n_out`` positions in
    ``mode``; ``scale_factor`` is the factor the kernel is given (None when the size was given
    or the factor recomputed), ``dims`` the spatial axes of the input (PyTorch's 2-D nearest
    kernel copies an axis whose size does not change, and halves the index of one whose size
    doubles, whatever the scale factor; its 1-D and 3-D kernels do not; the linear kernels
    copy an axis whose size does not change)."""
    i = np.arange(n_out, dtype=np.int64)
    if n_out == n_in and (mode in IDENTITY or (mode == "nearest" and dims == 2)):
        return AxisTaps(i[:, None], np.ones((n_out, 1)), i.astype(np.float64))
    if mode in ("nearest", "nearest-exact"):
        scale = _nearest_scale(n_in, n_out, scale_factor)
        if mode == "nearest":
            if n_out == 2 * n_in and dims == 2:
                index = i >> 1
            else:
                index = np.floor(i.astype(np.float32) * scale).astype(np.int64)
            source = i.astype(np.float64) * float(scale)
        else:
            source = (i.astype(np.float64) + 0.5) * np.float64(scale)
            index = np.floor(source.astype(np.float32)).astype(np.int64)
        index = np.minimum(index, n_in - 1)
        return AxisTaps(index[:, None], np.ones((n_out, 1)), source)
    if mode == "area":
        starts = (i * n_in) // n_out
        stops = -((-(i + 1) * n_in) // n_out)
        width = int((stops - starts).max())
        index = np.minimum(starts[:, None] + np.arange(width)[None, :], n_in - 1)
        weight = np.where(np.arange(width)[None, :] < (stops - starts)[:, None], 1.0 / (stops - starts)[:, None], 0.0)
        return AxisTaps(index, weight)
    scale = scale_of(n_in, n_out, align_corners, scale_factor)
    raw = scale * i if align_corners else scale * (i + 0.5) - 0.5
    if mode == "bicubic":
        source = raw
        low = np.minimum(np.floor(source).astype(np.int64), n_in - 1)
        t = np.clip(source - low, 0.0, 1.0)
        index = np.clip(low[:, None] + np.arange(-1, 3)[None, :], 0, n_in - 1)
        return AxisTaps(index, cubic_weights(t), source, raw)
    source = np.maximum(raw, 0.0)
    low = np.minimum(np.floor(source).astype(np.int64), n_in - 1)
    t = np.clip(source - low, 0.0, 1.0)
    high = low + (low < n_in - 1)
    return AxisTaps(np.stack([low, high], axis=1), np.stack([1.0 - t, t], axis=1), source, raw)


def cubic_weights(t: np.ndarray) -> np.ndarray:
    """The four weights of Keys' cubic convolution (``A = −0.75``) for fractions ``t``: of the
    cells at −1, 0, 1 and 2 from the one below the source."""
    a = CUBIC_A

    def near(x: np.ndarray) -> np.ndarray:  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: np.ndarray) -> np.ndarray:  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return np.stack([far(t + 1.0), near(t), near(1.0 - t), far(2.0 - t)], axis=1)


# -- applying the reads ----------------------------------------------------------------------------


def gather(x: np.ndarray, axes: list[AxisTaps], constant: float = 0.0, copies: Optional[bool] = None) -> np.ndarray:
    """``x`` read along each of its last ``len(axes)`` axes by ``axes``: every output cell the
    weighted sum of the cells its positions read (separably, one axis after the other), or
    ``constant`` where any of its positions reads -1. Integers stay integers when every weight is
    1 and the constant is whole (``copies``: whether every weight is 1, when ``axes`` are a part
    of a layer's, which says it)."""
    lead = x.ndim - len(axes)
    whole = all(copying(a) for a in axes) if copies is None else copies
    if whole and x.dtype.kind in "iu" and float(constant).is_integer():
        out = x
        holds_constant = np.zeros((), dtype=bool)
        for k, taps in enumerate(axes):
            index = taps.index[:, 0]
            out = np.take(out, np.maximum(index, 0), axis=lead + k)
            shape = [1] * len(axes)
            shape[k] = index.size
            holds_constant = holds_constant | (index < 0).reshape(shape)
        return np.where(holds_constant, np.asarray(int(constant), dtype=x.dtype), out)
    out = x.astype(np.float64)
    holds_constant = np.zeros((), dtype=bool)
    for k, taps in enumerate(axes):
        axis = lead + k
        taken = np.take(out, np.maximum(taps.index, 0), axis=axis)  # the axis becomes (m, T)
        shape = [1] * taken.ndim
        shape[axis], shape[axis + 1] = taps.index.shape
        out = (taken * taps.weight.reshape(shape)).sum(axis=axis + 1)
        marks = [1] * len(axes)
        marks[k] = taps.size
        holds_constant = holds_constant | (taps.index[:, 0] < 0).reshape(marks)
    return np.where(holds_constant, float(constant), out)


def copying(taps: AxisTaps) -> bool:
    """Whether every output position of an axis copies one input cell (weight 1)."""
    return bool(np.all(taps.weight == 1)) and taps.index.shape[1] == 1


def describe_scale(scale: float) -> str:
    """A scale as a note writes it: whole numbers whole, others to six significant digits."""
    return str(int(scale)) if float(scale).is_integer() else f"{scale:.6g}"


# -- four ways to double a size ------------------------------------------------------------------

#: The 2× up-samplings compared by :mod:`convgif.ops.checkerboard`, as PyTorch layers.
DOUBLINGS = (
    "ConvTranspose2d(1, 1, 3, stride=2, padding=1, output_padding=1)",
    "ConvTranspose2d(1, 1, 2, stride=2)",
    "Upsample(scale_factor=2) then Conv2d(1, 1, 3, padding=1)",
    "Conv2d(1, 4, 3, padding=1) then PixelShuffle(2)",
)


def doubling_reach(n: int, way: int) -> np.ndarray:
    """(n, 2n): how many weight·input products input position ``i`` adds into output position
    ``o`` along one axis, for way ``way`` of :data:`DOUBLINGS`. A 2-D layer's counts are the
    outer product of its axes'."""
    if way == 0:  # a 3-tap kernel scattered from 2i - 1
        return transposed_reach(n, 3, 2, 1, 1, 1)
    if way == 1:  # a 2-tap kernel scattered from 2i
        return transposed_reach(n, 2, 2, 1, 0, 0)
    reach = np.zeros((n, 2 * n), dtype=np.int64)
    for i in range(n):
        if way == 2:  # copied to 2i and 2i + 1, read by the 3-tap windows centred on 2i - 1 .. 2i + 2
            spots = {o: sum(1 for u in (2 * i, 2 * i + 1) if abs(o - u) <= 1) for o in range(2 * i - 1, 2 * i + 3)}
        else:  # read by the windows centred on i - 1 .. i + 1, each filling a 2-cell block
            spots = {2 * p + t: 1 for p in range(i - 1, i + 2) if 0 <= p < n for t in range(2)}
        for o, count in spots.items():
            if 0 <= o < 2 * n:
                reach[i, o] += count
    return reach
