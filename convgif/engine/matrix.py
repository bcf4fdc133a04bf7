"""A convolution as one matrix product: the unfolded input (im2col), its inverse-like Fold
(col2im), the sparse matrix C of a convolution, and how many kernel taps a transposed
convolution lands on each output cell.

Layouts are PyTorch's: ``torch.nn.Unfold`` gives (C·prod(kernel), L), row ``c·prod(kernel) + k`` for
channel ``c`` and kernel cell ``k`` (row-major over the kernel), column ``l`` for the l-th
placement (row-major over the output positions); ``torch.nn.Fold`` adds such columns back
into their windows. A convolution of (C_in, *sizes) to (C_out, *out) is ``y = C·x`` for the
flattened maps, C of shape (C_out·prod(out), C_in·prod(sizes)); its transposed convolution, with the
same weight, is ``y = Cᵀ·x``.

Plain NumPy, on any number of axes; everything here is also written out as loops in the
tests and checked against torch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .direct import pad_axis


def blocks(sizes: Sequence[int], kernel: Sequence[int], stride: Sequence[int], dilation: Sequence[int]) -> tuple:
    """Placements per axis of a window of ``kernel`` cells ``dilation`` apart moving by
    ``stride`` over (padded) ``sizes``: ``(n - d·(k - 1) - 1) // s + 1`` (0 or less: none)."""
    return tuple((n - d * (k - 1) - 1) // s + 1 for n, k, s, d in zip(sizes, kernel, stride, dilation))


def _windows(padded: np.ndarray, kernel: Sequence[int], stride: Sequence[int], dilation: Sequence[int]) -> np.ndarray:
    """(C, *out, *kernel): every window of ``padded`` (C, *sizes), its cells ``dilation`` apart."""
    dims = len(kernel)
    out = blocks(padded.shape[1:], kernel, stride, dilation)
    strides = padded.strides
    shape = (padded.shape[0], *out, *kernel)
    steps = (
        strides[0],
        *(strides[1 + a] * stride[a] for a in range(dims)),
        *(strides[1 + a] * dilation[a] for a in range(dims)),
    )
    return np.lib.stride_tricks.as_strided(padded, shape, steps, writeable=False)


def unfold(
    x: np.ndarray,
    kernel: Sequence[int],
    stride: Sequence[int],
    dilation: Sequence[int],
    padding: Sequence[int],
    padding_end: Sequence[int] | None = None,
    mode: str = "zeros",
) -> np.ndarray:
    """``x`` (C, *sizes) unfolded as ``torch.nn.Unfold`` does: (C·prod(kernel), L), after padding
    each axis by ``padding`` at the start and ``padding_end`` (default: the same) at the end
    in ``mode`` (a convolution's padding_mode; Unfold's is zeros)."""
    end = padding if padding_end is None else padding_end
    padded = x
    for axis, (before, after) in enumerate(zip(padding, end)):
        padded = pad_axis(padded, 1 + axis, before, after, mode)
    return unfold_padded(padded, kernel, stride, dilation)


def unfold_padded(
    padded: np.ndarray, kernel: Sequence[int], stride: Sequence[int], dilation: Sequence[int]
) -> np.ndarray:
    """The columns of an input already padded: (C·prod(kernel), L)."""
    dims = len(kernel)
    windows = _windows(padded, kernel, stride, dilation)
    c = padded.shape[0]
    out = windows.shape[1 : 1 + dims]
    # (C, *out, *kernel) -> (C, *kernel, *out) -> (C·prod(kernel), prod(out))
    order = (0, *range(1 + dims, 1 + 2 * dims), *range(1, 1 + dims))
    return windows.transpose(order).reshape(c * math.prod(kernel), math.prod(out))


def fold(
    columns: np.ndarray,
    output_size: Sequence[int],
    kernel: Sequence[int],
    stride: Sequence[int],
    dilation: Sequence[int],
    padding: Sequence[int],
) -> np.ndarray:
    """``torch.nn.Fold``: columns (C·prod(kernel), L) added back into their windows of the padded
    output (C, *output_size), where overlapping windows add up, then the padding cut off."""
    dims = len(kernel)
    kk = math.prod(kernel)
    c = columns.shape[0] // kk
    padded = [n + 2 * p for n, p in zip(output_size, padding)]
    out = blocks(padded, kernel, stride, dilation)
    canvas = np.zeros((c, *padded), dtype=np.result_type(columns.dtype, np.int64))
    values = columns.reshape(c, *kernel, *out)
    for k in np.ndindex(*kernel):
        where = tuple(
            slice(k[a] * dilation[a], k[a] * dilation[a] + (out[a] - 1) * stride[a] + 1, stride[a]) for a in range(dims)
        )
        canvas[(slice(None), *where)] += values[(slice(None), *k)]
    inside = tuple(slice(p, p + n) for p, n in zip(padding, output_size))
    return canvas[(slice(None), *inside)]


def axis_sources(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each padded position of an axis of ``n`` cells: the input cell it holds (a copy of
    one, for a padding mode that copies), or -1 for a zero."""
    index = np.arange(n).reshape(1, -1)
    if mode == "zeros":
        return pad_axis(index + 1, 1, before, after, "zeros")[0] - 1
    return pad_axis(index, 1, before, after, mode)[0]


def axis_reach(
    n: int, kernel: int, stride: int, dilation: int, before: int, after: int, mode: str = "zeros"
) -> np.ndarray:
    """(n_out, kernel) along one axis of a direct convolution: the input cell that kernel tap
    ``t`` of output position ``o`` reads, or -1 where it reads a zero of the padding."""
    sources = axis_sources(n, before, after, mode)
    (n_out,) = blocks((len(sources),), (kernel,), (stride,), (dilation,))
    positions = np.arange(n_out)[:, None] * stride + np.arange(kernel)[None, :] * dilation
    return sources[positions]


def conv_matrix(
    weight: np.ndarray,
    in_sizes: Sequence[int],
    stride: Sequence[int],
    dilation: Sequence[int],
    padding: Sequence[int],
    padding_end: Sequence[int] | None = None,
    groups: int = 1,
    mode: str = "zeros",
) -> np.ndarray:
    """The matrix C of a direct convolution with ``weight`` (C_out, C_in/G, *kernel) over an
    input of (C_in, *in_sizes): (C_out·prod(out), C_in·prod(in_sizes)), so that ``C @ x.ravel()`` is the
    convolution's output (without its bias) raveled. A padding that copies (reflect, ...) puts
    several weights into one entry: the entries add."""
    dims = len(in_sizes)
    end = padding if padding_end is None else padding_end
    c_out, per_in = weight.shape[:2]
    kernel = weight.shape[2:]
    c_in = per_in * groups
    per_out = c_out // groups
    reach = [
        axis_reach(n, k, s, d, b, e, mode) for n, k, s, d, b, e in zip(in_sizes, kernel, stride, dilation, padding, end)
    ]
    out = tuple(r.shape[0] for r in reach)
    matrix = np.zeros((c_out, *out, c_in, *in_sizes), dtype=np.result_type(weight.dtype, np.int64))
    for co in range(c_out):
        first = co // per_out * per_in
        for ci in range(per_in):
            for k in np.ndindex(*kernel):
                # per axis: output positions whose tap k reads an input cell, and that cell
                spots = [np.flatnonzero(reach[a][:, k[a]] >= 0) for a in range(dims)]
                cells = [reach[a][spots[a], k[a]] for a in range(dims)]
                grids = np.meshgrid(*spots, indexing="ij")
                sources = np.meshgrid(*cells, indexing="ij")
                np.add.at(matrix, (co, *grids, first + ci, *sources), weight[(co, ci, *k)])
    return matrix.reshape(c_out * math.prod(out), c_in * math.prod(in_sizes))


def transposed_axis(n: int, kernel: int, stride: int, dilation: int, padding: int, n_out: int) -> np.ndarray:
    """(n, kernel) along one axis of a transposed convolution: the output position kernel tap
    ``t`` of input position ``i`` lands on, ``i·s − p + t·d``, or -1 where it falls outside the
    output (cropped by the padding)."""
    spots = np.arange(n)[:, None] * stride - padding + np.arange(kernel)[None, :] * dilation
    return np.where((spots >= 0) & (spots < n_out), spots, -1)


def transposed_matrix(
    weight: np.ndarray,
    in_sizes: Sequence[int],
    out_sizes: Sequence[int],
    stride: Sequence[int],
    dilation: Sequence[int],
    padding: Sequence[int],
    groups: int = 1,
) -> np.ndarray:
    """Cᵀ of a transposed convolution with ``weight`` (C_in, C_out/G, *kernel) from (C_in,
    *in_sizes) to (C_out, *out_sizes): (C_out·prod(out), C_in·prod(in)), so that ``Cᵀ @ x.ravel()`` is its
    output without the bias. Its transpose C is the matrix of the direct convolution with the
    same weight, stride, padding and dilation from the output's shape back to the input's
    (when ``output_padding`` is below the stride; else of its first positions)."""
    dims = len(in_sizes)
    c_in, per_out = weight.shape[:2]
    kernel = weight.shape[2:]
    per_in = c_in // groups
    c_out = per_out * groups
    lands = [
        transposed_axis(n, k, s, d, p, m)
        for n, k, s, d, p, m in zip(in_sizes, kernel, stride, dilation, padding, out_sizes)
    ]
    matrix = np.zeros((c_out, *out_sizes, c_in, *in_sizes), dtype=np.result_type(weight.dtype, np.int64))
    for ci in range(c_in):
        for j in range(per_out):
            co = ci // per_in * per_out + j
            for k in np.ndindex(*kernel):
                spots = [np.flatnonzero(lands[a][:, k[a]] >= 0) for a in range(dims)]
                targets = [lands[a][spots[a], k[a]] for a in range(dims)]
                grids = np.meshgrid(*spots, indexing="ij")
                outs = np.meshgrid(*targets, indexing="ij")
                matrix[(co, *outs, ci, *grids)] = weight[(ci, j, *k)]
    return matrix.reshape(c_out * math.prod(out_sizes), c_in * math.prod(in_sizes))


def taps_inside(
    n: int, kernel: int, stride: int, dilation: int, padding: int, positions: int, most: int = 4_000_000
) -> int | None:
    """How many (position, kernel tap) pairs of ``positions`` windows land inside an axis of ``n``
    cells, the tap of position ``o`` at ``o·stride + t·dilation − padding``: the entries of a
    convolution's (or a transposed one's) matrix along one axis that hold a weight, with zero
    padding. Counted per tap or per position, whichever are fewer (None when both are more than
    ``most``: too many to count at once)."""
    if min(kernel, positions) > most:
        return None
    # sizes past int64 (a kernel of 2**63 − 1 makes such an output) are counted in Python's ints
    exact = object if max(n, kernel * dilation, positions * stride, padding) >= 2**62 else np.int64
    if kernel <= positions:  # per tap t: the positions o with 0 <= o·s + t·d − p < n
        offset = np.arange(kernel, dtype=np.int64).astype(exact) * dilation - padding
        first = np.maximum(0, -(offset // stride))
        last = np.minimum(positions - 1, (n - 1 - offset) // stride)
    else:  # per position o: the taps t with 0 <= o·s + t·d − p < n
        offset = np.arange(positions, dtype=np.int64).astype(exact) * stride - padding
        first = np.maximum(0, -(offset // dilation))
        last = np.minimum(kernel - 1, (n - 1 - offset) // dilation)
    return int(np.maximum(0, last - first + 1).sum())


def structural_nonzeros(
    in_sizes: Sequence[int],
    kernel: Sequence[int],
    stride: Sequence[int],
    dilation: Sequence[int],
    padding: Sequence[int],
    padding_end: Sequence[int] | None = None,
    mode: str = "zeros",
    most: int = 4_000_000,
) -> int | None:
    """How many (output cell, input cell) pairs of one output channel and one input channel it
    reads are joined by a weight: the entries of C that hold weights (whatever their values),
    per channel pair; the product of the axes'. A padding that copies (reflect, ...) can join a
    pair through two taps: those pairs are listed, for axes of at most ``most`` taps in all
    (else None)."""
    end = padding if padding_end is None else padding_end
    total = 1
    for n, k, s, d, b, e in zip(in_sizes, kernel, stride, dilation, padding, end):
        (positions,) = blocks((n + b + e,), (k,), (s,), (d,))
        if mode == "zeros":
            count = taps_inside(n, k, s, d, b, positions, most)
            if count is None:
                return None
            total *= count
            continue
        if positions * k > most:
            return None
        reach = axis_reach(n, k, s, d, b, e, mode)
        pairs = np.unique(np.arange(positions)[:, None] * n + np.where(reach >= 0, reach, -1 - n * positions))
        total *= int((pairs >= 0).sum())
    return total


def transposed_reach(n: int, kernel: int, stride: int, dilation: int, padding: int, output_padding: int) -> np.ndarray:
    """(n, n_out) along one axis of a transposed convolution: how many kernel taps input
    position ``i`` lands on output position ``o`` (``o = i·s − p + t·d``; 0 or 1, as no two taps
    of a position land together)."""
    n_out = (n - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1
    reach = np.zeros((n, n_out), dtype=np.int64)
    spots = np.arange(n)[:, None] * stride - padding + np.arange(kernel)[None, :] * dilation
    rows = np.repeat(np.arange(n), kernel)
    keep = (spots.ravel() >= 0) & (spots.ravel() < n_out)
    np.add.at(reach, (rows[keep], spots.ravel()[keep]), 1)
    return reach


def axis_overlaps(
    n: int, kernel: int, stride: int, dilation: int, padding: int, output_padding: int, most: int = 4_000_000
) -> np.ndarray | None:
    """How many kernel taps of a transposed convolution land on each output position of one
    axis (None when the axis has more than ``most`` taps or positions: too many to list)."""
    n_out = (n - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1
    if n * kernel > most or n_out > most:
        return None
    spots = (np.arange(n)[:, None] * stride - padding + np.arange(kernel)[None, :] * dilation).ravel()
    spots = spots[(spots >= 0) & (spots < n_out)]
    return np.bincount(spots, minlength=n_out).astype(np.int64)


def overlap_counts(
    in_sizes: Sequence[int],
    kernel: Sequence[int],
    stride: Sequence[int],
    dilation: Sequence[int],
    padding: Sequence[int],
    output_padding: Sequence[int],
) -> np.ndarray:
    """(*out): how many kernel taps of a transposed convolution land on each output cell (of
    one input channel): the product of the axes' counts. Uneven where the stride does not
    divide the dilated kernel: the checkerboard of up-sampling by a transposed convolution."""
    counts = np.ones((), dtype=np.int64)
    for n, k, s, d, p, op in zip(in_sizes, kernel, stride, dilation, padding, output_padding):
        axis = transposed_reach(n, k, s, d, p, op).sum(axis=0)
        counts = np.multiply.outer(counts, axis)
    return counts
