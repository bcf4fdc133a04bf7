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
