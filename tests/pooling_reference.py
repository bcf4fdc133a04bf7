"""Deliberately naive pooling, written independently of ``convgif.ops.pooling``.

Plain Python loops over channel, output row, output column and window cell, following the
steps PyTorch's CPU kernels take (as documented by their behaviour): clip the window to the
input, start a max at -inf with the first in-range cell as its index, let a larger value or a
NaN take over; add an average's in-range cells and divide by the window's size inside the
padded input, by its input cells, or by the override. One-axis layers are run as two-axis ones
over a single row. Nothing is vectorised: this is what the module is checked against.
"""

from __future__ import annotations

import math

import numpy as np

INT64_MIN = -(2**63)


def default_stride(stride) -> bool:
    """torch takes None, and an empty tuple or list, as "stride = kernel_size"."""
    return stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)


def as_list(value, dims: int) -> list[int]:
    if isinstance(value, (tuple, list)):
        return [int(v) for v in value]
    return [int(value)] * dims


def output_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """One axis of a pooling's output, as torch's ``pooling_output_shape``."""
    span = d * (k - 1) + 1
    top = n + 2 * p - span
    if ceil_mode:
        top += s - 1
    size = math.floor(top / s) + 1
    if ceil_mode and (size - 1) * s >= n + p:
        size -= 1
    return size


def pool_refusal(kind: str, sizes, kernel_size, stride, padding, dilation, ceil_mode, divisor_override=None):
    """The argument torch 2.13 refuses (for integer arguments), or None when it accepts.

    ``kind`` is "max" or "avg". The checks torch makes, argument by argument (torch's own order
    differs where several fail at once; only which configurations fail is torch's).
    """
    dims = len(sizes)
    k = as_list(kernel_size, dims)
    s = k if default_stride(stride) else as_list(stride, dims)
    p = as_list(padding, dims)
    d = as_list(dilation, dims)
    if min(k) <= 0:
        return "kernel_size"
    if min(s) <= 0:
        return "stride"
    if min(d) <= 0:
        return "dilation"
    if min(p) < 0:
        return "padding"
    for i in range(dims):
        if p[i] * 2 > k[i]:
            return "padding"
    if kind == "avg" and divisor_override == 0:
        return "divisor_override"
    for i in range(dims):
        if output_size(sizes[i], k[i], s[i], p[i], d[i], ceil_mode) < 1:
            return "kernel_size"
    return None


def _plane_args(x, kernel_size, stride, padding, dilation):
    """Everything as the two-axis case: x (C, H, W), four pairs."""
    x = np.asarray(x)
    dims = x.ndim - 1
    k = as_list(kernel_size, dims)
    s = k if stride is None else as_list(stride, dims)
    p = as_list(padding, dims)
    d = as_list(dilation, dims)
    if dims == 1:
        return x[:, None, :], [1] + k, [1] + s, [0] + p, [1] + d, 1
    return x, k, s, p, d, 2


def max_pool(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Returns (output, indices, winners); winners are grid (y, x) pairs, (-1, -1) when none.

    For one-axis input the results have one-axis shapes and winners are (x,) 1-tuples.
    """
    x, k, s, p, d, dims = _plane_args(x, kernel_size, stride, padding, dilation)
    channels, height, width = x.shape
    oh = output_size(height, k[0], s[0], p[0], d[0], ceil_mode)
    ow = output_size(width, k[1], s[1], p[1], d[1], ceil_mode)
    floating = x.dtype.kind == "f"
    output = np.zeros((channels, oh, ow), dtype=np.float64 if floating else np.int64)
    indices = np.zeros((channels, oh, ow), dtype=np.int64)
    winners = []
    for c in range(channels):
        for i in range(oh):
            for j in range(ow):
                y0 = i * s[0] - p[0]
                x0 = j * s[1] - p[1]
                y1 = min(y0 + (k[0] - 1) * d[0] + 1, height)
                x1 = min(x0 + (k[1] - 1) * d[1] + 1, width)
                while y0 < 0:
                    y0 += d[0]
                while x0 < 0:
                    x0 += d[1]
                best_index = y0 * width + x0
                best = -math.inf
                read = False
                for y in range(y0, y1, d[0]):
                    for xx in range(x0, x1, d[1]):
                        read = True
                        value = x[c, y, xx].item()
                        if value > best or (floating and math.isnan(value)):
                            best = value
                            best_index = y * width + xx
                if read:  # the winner is the cell at the index, even when every cell is -inf
                    output[c, i, j] = best
                    winners.append((best_index // width + p[0], best_index % width + p[1]))
                else:
                    output[c, i, j] = -math.inf if floating else INT64_MIN
                    winners.append((-1, -1))
                indices[c, i, j] = best_index
    winners = np.array(winners, dtype=np.int64).reshape(channels, oh, ow, 2)
    if dims == 1:
        return output[:, 0], indices[:, 0], winners[:, 0, :, 1:]
    return output, indices, winners


def avg_pool(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None):
    """Returns (output float64, divisors int (out_h, out_w) or (out_l,))."""
    x, k, s, p, _, dims = _plane_args(x, kernel_size, stride, padding, 1)
    x = x.astype(np.float64)
    channels, height, width = x.shape
    oh = output_size(height, k[0], s[0], p[0], 1, ceil_mode)
    ow = output_size(width, k[1], s[1], p[1], 1, ceil_mode)
    output = np.zeros((channels, oh, ow))
    divisors = np.zeros((oh, ow), dtype=np.int64)
    for c in range(channels):
        for i in range(oh):
            for j in range(ow):
                y0 = i * s[0] - p[0]
                x0 = j * s[1] - p[1]
                y1 = min(y0 + k[0], height + p[0])
                x1 = min(x0 + k[1], width + p[1])
                in_padded = (y1 - y0) * (x1 - x0)
                y0, x0 = max(y0, 0), max(x0, 0)
                y1, x1 = min(y1, height), min(x1, width)
                total = 0.0
                for y in range(y0, y1):
                    for xx in range(x0, x1):
                        total += x[c, y, xx]
                if divisor_override is not None:
                    divisor = divisor_override
                elif count_include_pad:
                    divisor = in_padded
                else:
                    divisor = (y1 - y0) * (x1 - x0)
                output[c, i, j] = total / divisor
                divisors[i, j] = divisor
    if dims == 1:
        return output[:, 0], divisors[0]
    return output, divisors


def grid_kinds(sizes, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Kind of every drawn cell: 0 input, 1 padding, 2 past the padded input (ceil overhang)."""
    dims = len(sizes)
    k = as_list(kernel_size, dims)
    s = k if stride is None else as_list(stride, dims)
    p = as_list(padding, dims)
    d = as_list(dilation, dims)
    extents = []
    for a in range(dims):
        o = output_size(sizes[a], k[a], s[a], p[a], d[a], ceil_mode)
        extents.append(max(sizes[a] + 2 * p[a], (o - 1) * s[a] + d[a] * (k[a] - 1) + 1))
    kinds = np.zeros(extents, dtype=np.int64)
    for position in np.ndindex(*extents):
        kind = 0
        for a, g in enumerate(position):
            if g >= sizes[a] + 2 * p[a]:
                kind = max(kind, 2)
            elif g < p[a] or g >= p[a] + sizes[a]:
                kind = max(kind, 1)
        kinds[position] = kind
    return kinds


def window_cells(out_index, kernel_size, stride=None, dilation=1):
    """Grid coordinates of one window's taps, row by row."""
    dims = len(out_index)
    k = as_list(kernel_size, dims)
    s = k if stride is None else as_list(stride, dims)
    d = as_list(dilation, dims)
    cells = []
    for taps in np.ndindex(*k):
        cells.append(tuple(out_index[a] * s[a] + taps[a] * d[a] for a in range(dims)))
    return cells


def unpool_default_size(sizes, kernel_size, stride=None, padding=0):
    dims = len(sizes)
    k = as_list(kernel_size, dims)
    s = k if stride is None else as_list(stride, dims)
    p = as_list(padding, dims)
    return [(sizes[a] - 1) * s[a] - 2 * p[a] + k[a] for a in range(dims)]


def unpool_refusal(sizes, kernel_size, stride=None, padding=0, output_size=None):
    """The argument refused (torch's checks, plus convgif's refusal of an empty output)."""
    dims = len(sizes)
    s = as_list(kernel_size, dims) if stride is None else as_list(stride, dims)
    default = unpool_default_size(sizes, kernel_size, stride, padding)
    if output_size is not None:
        for a in range(dims):
            if not default[a] - s[a] < output_size[a] < default[a] + s[a]:
                return "output_size"
        final = list(output_size)
    else:
        final = default
    if min(final) < 1:
        return "output_size" if output_size is not None else "size"
    return None


def max_unpool(values, indices, out_sizes):
    """Zeros, then each value written at its flat index, in input order (the last one stays)."""
    values = np.asarray(values)
    indices = np.asarray(indices)
    channels = values.shape[0]
    area = 1
    for n in out_sizes:
        area *= n
    flat = np.zeros((channels, area), dtype=values.dtype)
    for c in range(channels):
        for position in np.ndindex(*values.shape[1:]):
            target = int(indices[(c, *position)])
            if not 0 <= target < area:
                raise IndexError(target)
            flat[c, target] = values[(c, *position)]
    return flat.reshape(channels, *out_sizes)
