"""The transposed convolution's numerics: the zero-inserted input and flipped kernels of the
direct convolution equal to it, on any number of axes, and for a 2-D layer drawn as its
definition, what each input cell scatters into the output and the sums it builds up.

The spec read here is a transposed convolution's (:mod:`convgif.ops.transposed`): its sizes,
``groups``, ``in_per_group``, ``out_per_group``, ``output_shape`` and ``DIMS``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np

from .direct import pad_axis
from .values import _distinct, distinct


def zero_insert(spec: Any, x: np.ndarray) -> np.ndarray:
    """``x`` with ``stride - 1`` zeros between cells and ``dilation·(k - 1) - padding`` around
    (cropped where negative), ``output_padding`` more at the end of each axis."""
    spread = np.zeros((x.shape[0], *((n - 1) * s + 1 for n, s in zip(x.shape[1:], spec.stride))), dtype=x.dtype)
    spread[(slice(None), *(slice(None, None, s) for s in spec.stride))] = x
    for axis in range(spec.DIMS):
        edge = spec.dilation[axis] * (spec.kernel_size[axis] - 1) - spec.padding[axis]
        spread = pad_axis(spread, 1 + axis, edge, edge + spec.output_padding[axis], "zeros")
    return spread


def inserted_mask(spec: Any) -> np.ndarray:
    """For each cell of the zero-inserted, padded input of a 2-D layer (:func:`zero_insert`):
    True where it is a zero inserted between input cells (within their extent), neither
    padding nor input."""
    (rows, on_rows), (cols, on_cols) = (_spread(spec, axis) for axis in range(2))
    return rows[:, None] & cols[None, :] & ~(on_rows[:, None] & on_cols[None, :])


def _spread(spec: Any, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """For each position along ``axis`` of the zero-inserted, padded input: whether it is
    within the extent of the input spread by the stride, and whether it holds an input cell."""
    n, s = spec.input_shape[1 + axis], spec.stride[axis]
    edge = spec.dilation[axis] * (spec.kernel_size[axis] - 1) - spec.padding[axis]
    q = np.arange((n - 1) * s + 1 + 2 * edge + spec.output_padding[axis]) - edge
    inside = (q >= 0) & (q <= (n - 1) * s)
    return inside, inside & (q % s == 0)


def flip_kernels(spec: Any, weight: np.ndarray) -> np.ndarray:
    """PyTorch's (C_in, C_out/G, *kernel) transposed weight as the direct convolution's
    (C_out, C_in/G, *kernel) weight: channels swapped within each group, kernels turned around
    on every axis (180° for a 2-D kernel)."""
    return by_output(spec, weight)[(slice(None), slice(None), *(slice(None, None, -1),) * spec.DIMS)].copy()


def by_output(spec: Any, weight: np.ndarray) -> np.ndarray:
    """The (C_in, C_out/G, *kernel) weight regrouped as (C_out, C_in/G, *kernel), unflipped (of
    a weight holding n columns of each group: (G·n, C_in/G, *kernel))."""
    n = weight.shape[1]
    per = weight.reshape(spec.groups, spec.in_per_group, n, *spec.kernel_size)
    axes = (0, 2, 1, *range(3, 3 + spec.DIMS))
    return per.transpose(axes).reshape(spec.groups * n, spec.in_per_group, *spec.kernel_size)


def scatter_window(spec: Any, y: int, x: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Output rows and columns the input position (y, x) reaches, with the kernel rows and
    columns that reach them (positions the padding trims off are left out)."""
    _, ho, wo = spec.output_shape
    ky, kx = np.arange(spec.kernel_size[0]), np.arange(spec.kernel_size[1])
    rows = y * spec.stride[0] - spec.padding[0] + ky * spec.dilation[0]
    cols = x * spec.stride[1] - spec.padding[1] + kx * spec.dilation[1]
    keep_r, keep_c = (rows >= 0) & (rows < ho), (cols >= 0) & (cols < wo)
    return rows[keep_r], cols[keep_c], ky[keep_r], kx[keep_c]


def canvas_window(spec: Any, y: int, x: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the canvas (everything the scattered kernels cover, before padding
    crops it: see :func:`canvas_size`) that every kernel cell of input position (y, x) reaches."""
    rows = y * spec.stride[0] + np.arange(spec.kernel_size[0]) * spec.dilation[0]
    cols = x * spec.stride[1] + np.arange(spec.kernel_size[1]) * spec.dilation[1]
    return rows, cols


def canvas_size(spec: Any) -> tuple[int, ...]:
    """The canvas of a transposed convolution, per axis: all the scattered kernels cover,
    ``(n - 1)·s + d·(k - 1) + 1``, and the cells ``output_padding`` adds past it that no kernel
    reaches. The output is the canvas with ``padding`` cells cropped off the start and
    ``padding - output_padding`` off the end (none when output_padding is larger)."""
    return tuple(
        max((n - 1) * s + d * (k - 1) + 1, p + out)
        for n, s, d, k, p, out in zip(
            spec.input_shape[1:], spec.stride, spec.dilation, spec.kernel_size, spec.padding, spec.output_shape[1:]
        )
    )


def scatter_gains(
    spec: Any, x: np.ndarray, chunks: Iterator[np.ndarray], columns: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run through a whole-number weight that ``chunks`` yields a few input channels at a time
    (the runs of :func:`~convgif.engine.values.row_chunks`, in order), keeping of it only kernel
    columns ``columns``: (those kernels, the distinct values of the whole weight, and what each
    input position adds through each kernel cell: (C_out, H, W, KH, KW)), the input positions
    those of ``x`` (the layer's input, or the part of it a render draws).

    Each run's products are summed as float64 on BLAS, exactly (see
    :func:`convgif.engine.direct.convolve_rows`), and added up as int64.
    """
    c_in, h, w = x.shape
    cg_in, cg_out = spec.in_per_group, spec.out_per_group
    kh, kw = spec.kernel_size
    gains = np.zeros((spec.out_channels, h, w, kh, kw), np.int64)
    kept = np.empty((c_in, len(columns), kh, kw), np.int64)
    cells = x.reshape(c_in, h * w).astype(np.float64)
    seen, start = [], 0
    for part in chunks:
        stop = start + part.shape[0]
        seen.append(distinct(part))
        kept[start:stop] = part[:, list(columns)]
        flat = part.reshape(stop - start, -1).astype(np.float64)
        for g in range(start // cg_in, (stop - 1) // cg_in + 1):
            lo, hi = max(start, g * cg_in), min(stop, (g + 1) * cg_in)
            added = cells[lo:hi].T @ flat[lo - start : hi - start]
            np.rint(added, out=added)  # whole already: adding it to int64 below is exact
            group = gains[g * cg_out : (g + 1) * cg_out]
            np.add(group, added.reshape(h, w, cg_out, kh, kw).transpose(2, 0, 1, 3, 4), out=group, casting="unsafe")
        start = stop
    return kept, _distinct(np.concatenate(seen)), gains


def scatter_sums(spec: Any, gains: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Play every step of every output channel at once from ``gains`` (see
    :func:`scatter_gains`) over the canvas (:func:`canvas_size`), from the cells' ``start``:
    the canvas at the end, and the lowest and highest value each of its cells passes through
    (what :func:`convgif.ops.transposed.partial_sum_range` finds step by step)."""
    sums = start.copy()
    lows, highs = start.copy(), start.copy()
    _, h, w = spec.input_shape
    for y, x in itertools.product(range(h), range(w)):
        rows, cols = canvas_window(spec, y, x)
        window = (slice(None), rows[:, None], cols[None, :])
        sums[window] += gains[:, y, x]
        lows[window] = np.minimum(lows[window], sums[window])
        highs[window] = np.maximum(highs[window], sums[window])
    return sums, (lows, highs)
