"""Deliberately naive layers over any number of spatial axes, written independently of convgif.

Each works element by element with plain Python loops over ``itertools.product`` of the
positions, as the layer's definition reads: a direct convolution sums the taps of its window,
a transposed convolution scatters each input cell's kernel into the output, a max pool keeps
the first largest cell of its window, an average divides the sum of its window, an unpooling
puts each value at its index. Inputs are one sample, channels first; nothing is vectorised.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Optional

import numpy as np


def _padded(x: np.ndarray, start: tuple[int, ...], end: tuple[int, ...], mode: str) -> np.ndarray:
    """``x`` (C, *sizes) padded (negative amounts crop) by explicit index arithmetic."""

    def source(p: int, n: int) -> Optional[int]:
        if 0 <= p < n:
            return p
        if mode == "zeros":
            return None
        if mode == "replicate":
            return 0 if p < 0 else n - 1
        if mode == "circular":
            return p % n
        return -p if p < 0 else 2 * (n - 1) - p  # reflect

    sizes = x.shape[1:]
    axes = [[source(p - b, n) for p in range(n + b + e)] for n, b, e in zip(sizes, start, end)]
    out = np.zeros((x.shape[0], *(len(a) for a in axes)), dtype=x.dtype)
    for c in range(x.shape[0]):
        for at in itertools.product(*(range(len(a)) for a in axes)):
            src = [a[i] for a, i in zip(axes, at)]
            if None not in src:
                out[(c, *at)] = x[(c, *src)]
    return out


def conv(x, weight, bias, stride, padding, padding_end, dilation, groups, mode="zeros") -> np.ndarray:
    """A direct convolution (cross-correlation) with torch's argument meanings, any dims."""
    padded = _padded(x, padding, padding_end, mode)
    c_out, cg, *kernel = weight.shape
    og = c_out // groups
    sizes = [(p - d * (k - 1) - 1) // s + 1 for p, k, s, d in zip(padded.shape[1:], kernel, stride, dilation)]
    out = np.zeros((c_out, *sizes), dtype=np.result_type(x, weight))
    for co in range(c_out):
        g = co // og
        for at in itertools.product(*(range(n) for n in sizes)):
            total = 0
            for c in range(cg):
                for k in itertools.product(*(range(n) for n in kernel)):
                    cell = tuple(o * s + kk * d for o, s, kk, d in zip(at, stride, k, dilation))
                    total += padded[(g * cg + c, *cell)] * weight[(co, c, *k)]
            out[(co, *at)] = total + (bias[co] if bias is not None else 0)
    return out


def conv_transpose(x, weight, bias, stride, padding, output_padding, dilation, groups) -> np.ndarray:
    """A transposed convolution by its definition: every input cell adds its value times the
    kernel into the output, then ``padding`` is trimmed from each side."""
    c_in, og, *kernel = weight.shape
    cg = c_in // groups
    full = [
        (n - 1) * s + d * (k - 1) + 1 + op
        for n, s, d, k, op in zip(x.shape[1:], stride, dilation, kernel, output_padding)
    ]
    out = np.zeros((og * groups, *full), dtype=np.result_type(x, weight))
    for c in range(c_in):
        g = c // cg
        for at in itertools.product(*(range(n) for n in x.shape[1:])):
            for j in range(og):
                for k in itertools.product(*(range(n) for n in kernel)):
                    cell = tuple(i * s + kk * d for i, s, kk, d in zip(at, stride, k, dilation))
                    out[(g * og + j, *cell)] += x[(c, *at)] * weight[(c, j, *k)]
    crop = tuple(slice(p, f - p) for p, f in zip(padding, full))
    out = out[(slice(None), *crop)]
    if bias is not None:
        out = out + bias.reshape(-1, *(1,) * (out.ndim - 1))
    return out


def pool_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    span = d * (k - 1) + 1
    if ceil_mode:
        size = -(-(n + 2 * p - span) // s) + 1
        if (size - 1) * s >= n + p:
            size -= 1
        return size
    return (n + 2 * p - span) // s + 1


def max_pool(x, kernel, stride, padding, dilation, ceil_mode) -> tuple[np.ndarray, np.ndarray]:
    """(values, torch's flat indices): the first largest input cell of each window."""
    sizes = [
        pool_size(n, k, s, p, d, ceil_mode) for n, k, s, p, d in zip(x.shape[1:], kernel, stride, padding, dilation)
    ]
    out = np.zeros((x.shape[0], *sizes), dtype=x.dtype)
    index = np.zeros((x.shape[0], *sizes), dtype=np.int64)
    for c in range(x.shape[0]):
        for at in itertools.product(*(range(n) for n in sizes)):
            best = None
            for k in itertools.product(*(range(n) for n in kernel)):
                cell = tuple(o * s - p + kk * d for o, s, p, kk, d in zip(at, stride, padding, k, dilation))
                if all(0 <= v < n for v, n in zip(cell, x.shape[1:])):
                    value = x[(c, *cell)]
                    if best is None or value > best[0]:
                        best = (value, cell)
            assert best is not None, "a window with no input cell"
            out[(c, *at)] = best[0]
            index[(c, *at)] = np.ravel_multi_index(best[1], x.shape[1:])
    return out, index


def avg_pool(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override) -> np.ndarray:
    """Each window's input cells summed, divided as torch divides."""
    sizes = [pool_size(n, k, s, p, 1, ceil_mode) for n, k, s, p in zip(x.shape[1:], kernel, stride, padding)]
    out = np.zeros((x.shape[0], *sizes), dtype=np.float64)
    for c in range(x.shape[0]):
        for at in itertools.product(*(range(n) for n in sizes)):
            total, inside, padded = 0.0, 0, 0
            for k in itertools.product(*(range(n) for n in kernel)):
                cell = tuple(o * s - p + kk for o, s, p, kk in zip(at, stride, padding, k))
                if all(0 <= v < n for v, n in zip(cell, x.shape[1:])):
                    total += float(x[(c, *cell)])
                    inside += 1
                if all(-p <= v < n + p for v, n, p in zip(cell, x.shape[1:], padding)):
                    padded += 1
            divisor = divisor_override or (padded if count_include_pad else inside)
            out[(c, *at)] = total / divisor
    return out


def max_unpool(values, indices, out_sizes) -> np.ndarray:
    """Zeros with each value at its flat index (a later one wins where two share one)."""
    out = np.zeros((values.shape[0], math.prod(out_sizes)), dtype=values.dtype)
    for c in range(values.shape[0]):
        for at in itertools.product(*(range(n) for n in values.shape[1:])):
            out[c, indices[(c, *at)]] = values[(c, *at)]
    return out.reshape(values.shape[0], *out_sizes)


# -- adaptive, power-average and fractional pooling --------------------------------------------


def adaptive_window(i: int, n: int, o: int) -> range:
    """The input cells output ``i`` of ``o`` covers on an axis of ``n``: from floor(i·n/o) to
    ceil((i + 1)·n/o), in exact rational arithmetic."""
    start = math.floor(Fraction(i * n, o))
    end = math.ceil(Fraction((i + 1) * n, o))
    return range(start, end)


def adaptive_pool(x, out_sizes, kind: str):
    """(values, indices or None): each output the mean or the first largest of its window. A
    mean divides the window's sum (added cell by cell) by the window's length on each axis in
    turn, or, when every output size is 1, by the whole input's cell count."""
    sizes = x.shape[1:]
    out = np.zeros((x.shape[0], *out_sizes), dtype=np.float64)
    index = np.zeros((x.shape[0], *out_sizes), dtype=np.int64)
    whole = all(o == 1 for o in out_sizes)
    for c in range(x.shape[0]):
        for at in itertools.product(*(range(o) for o in out_sizes)):
            axes = [adaptive_window(i, n, o) for i, n, o in zip(at, sizes, out_sizes)]
            if kind == "avg":
                total = 0.0
                for cell in itertools.product(*axes):
                    total += float(x[(c, *cell)])
                if whole:
                    total /= math.prod(sizes)
                else:
                    for axis in axes:
                        total /= len(axis)
                out[(c, *at)] = total
                continue
            best = None
            for cell in itertools.product(*axes):
                value = float(x[(c, *cell)])
                if best is None or value > best[0]:
                    best = (value, cell)
            out[(c, *at)] = best[0]
            index[(c, *at)] = np.ravel_multi_index(best[1], sizes)
    return out, (index if kind == "max" else None)


def adaptive_refusal(dims: int, output_size) -> Optional[str]:
    """Why torch 2.13 refuses an adaptive pooling's ``output_size`` (None: it takes it). Zero
    sizes are taken (an empty output)."""
    if isinstance(output_size, bool) or isinstance(output_size, float):
        return "output_size"
    if isinstance(output_size, (int, np.integer)):
        if dims > 1 and not isinstance(output_size, int):
            return "output_size"  # torch asks a NumPy integer for its length
        return "output_size" if output_size < 0 else None
    if len(output_size) != dims:
        return "output_size"
    for v in output_size:
        if v is None:
            if dims == 1:
                return "output_size"
            continue
        if isinstance(v, (bool, float)) or v < 0:
            return "output_size"
    return None


def _torch_power(v, p: float):
    """v to the power p as torch's pow treats the exponents it computes apart: ±0.5 by a
    square root (so (−0.0)^0.5 is −0.0 and (−0.0)^−0.5 is −∞), 2 and 3 by products."""
    if p == 0.5:
        return np.sqrt(v)
    if p == -0.5:
        return 1.0 / np.sqrt(v)
    if p == 2:
        return v * v
    if p == 3:
        return v * v * v
    return v**p


def lp_pool(x, p: float, kernel, stride, ceil_mode):
    """(values, means): each window's power sum and root, as torch's formula reads: the mean of
    x^p over the window's cells inside the input (``means``), times the kernel's cell count, to
    the power 1/p; for p = ±inf the largest (smallest) |x| (and ``means`` the same)."""
    sizes = [pool_size(n, k, s, 0, 1, ceil_mode) for n, k, s in zip(x.shape[1:], kernel, stride)]
    out = np.zeros((x.shape[0], *sizes), dtype=np.float64)
    means = np.zeros_like(out)
    area = math.prod(kernel)
    for c in range(x.shape[0]):
        for at in itertools.product(*(range(n) for n in sizes)):
            cells = []
            for k in itertools.product(*(range(n) for n in kernel)):
                cell = tuple(o * s + kk for o, s, kk in zip(at, stride, k))
                if all(v < n for v, n in zip(cell, x.shape[1:])):
                    cells.append(np.float64(x[(c, *cell)]))
            if math.isinf(p):
                magnitudes = [abs(v) for v in cells]
                out[(c, *at)] = means[(c, *at)] = max(magnitudes) if p > 0 else min(magnitudes)
                continue
            with np.errstate(all="ignore"):
                total = np.float64(0.0)
                for v in cells:
                    total += _torch_power(v, p)
                means[(c, *at)] = total / len(cells)
                out[(c, *at)] = _torch_power(total / len(cells) * area, 1.0 / p)
    return out, means


def fractional_starts(u: float, n: int, o: int, k: int) -> list[int]:
    """ATen's interval generation: α = (n − k)/(o − 1), start i = trunc((i + u)·α) − trunc(u·α),
    and the last window flush with the input's end."""
    if o == 1:
        return [n - k]
    alpha = (n - k) / (o - 1)
    return [int((i + u) * alpha) - int(u * alpha) for i in range(o - 1)] + [n - k]


def fractional_max_pool(x, kernel, out_sizes, samples):
    """(values, indices): each channel's windows from its own samples (torch's order per channel:
    for two axes the width's sample first, then the height's; for three depth, height, width),
    each output the first largest of its window."""
    dims = len(kernel)
    order = (1, 0) if dims == 2 else (0, 1, 2)
    out = np.zeros((x.shape[0], *out_sizes), dtype=np.float64)
    index = np.zeros((x.shape[0], *out_sizes), dtype=np.int64)
    for c in range(x.shape[0]):
        starts = [
            fractional_starts(samples[c][order[a]], n, o, k)
            for a, (n, o, k) in enumerate(zip(x.shape[1:], out_sizes, kernel))
        ]
        for at in itertools.product(*(range(o) for o in out_sizes)):
            first = [starts[a][i] for a, i in enumerate(at)]
            best = None
            for k in itertools.product(*(range(n) for n in kernel)):
                cell = tuple(f + kk for f, kk in zip(first, k))
                value = float(x[(c, *cell)])
                if best is None or value > best[0]:
                    best = (value, cell)
            out[(c, *at)] = best[0]
            index[(c, *at)] = np.ravel_multi_index(best[1], x.shape[1:])
    return out, index


def fractional_refusal(dims: int, sizes, kernel, out_sizes) -> Optional[str]:
    """Why torch 2.13 refuses a fractional max pooling of integer sizes (None: it takes it):
    its windows must fit, output + kernel − 1 at most the input on each axis (less than it for
    three axes), and FractionalMaxPool3d wants a positive kernel."""
    if dims == 3 and min(kernel) <= 0:
        return "kernel_size"
    if min(out_sizes) < 0:
        return "output_size"
    for n, k, o in zip(sizes, kernel, out_sizes):
        if o + k - 1 > n or (dims == 3 and o + k - 1 == n):
            return "kernel_size"
    return None


def lp_refusal(dims: int, sizes, norm_type, kernel, stride, ceil_mode) -> Optional[str]:
    """Why torch 2.13 refuses an LP pooling (None: it takes it), argument by argument: the
    one-axis layer multiplies by an int kernel_size; stride may be one int for every axis;
    norm_type 0 divides by zero; the windows are an average pool's (or, for p = ±inf, a max
    pool's) without padding, and a three-axis average pool needs the input at least as large as
    its kernel."""

    def ints(value, lengths):
        if isinstance(value, int) and not isinstance(value, bool):
            return [value] * dims
        if isinstance(value, (tuple, list)) and len(value) in lengths:
            if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                return list(value) * (dims // len(value))
        return None

    try:
        p = float(norm_type)
    except (TypeError, ValueError):
        return "norm_type"
    if p == 0:
        return "norm_type"
    k = ints(kernel, (dims,) if dims > 1 else ())
    if k is None:
        return "kernel_size"
    empty_stride = stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)
    s = k if empty_stride else ints(stride, (1, dims))
    if s is None:
        return "stride"
    if min(k) <= 0 or min(s) <= 0:
        return "kernel_size" if min(k) < 0 or (min(k) == 0 and not empty_stride) else "stride"
    if not isinstance(ceil_mode, bool):
        return "ceil_mode"
    if dims == 3 and not math.isinf(p) and any(n < kk for n, kk in zip(sizes, k)):
        return "kernel_size"
    if any(pool_size(n, kk, ss, 0, 1, ceil_mode) < 1 for n, kk, ss in zip(sizes, k, s)):
        return "kernel_size"
    return None
