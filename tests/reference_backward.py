"""Deliberately naive backward passes, written independently of convgif.

Each follows the forward pass's definition cell by cell with plain Python loops and sends each
output's gradient back along every product or copy that made it: a convolution's ``dy · w`` to
the input cell the weight read (a padding cell's to the cell it copies) and ``x · dy`` to the
weight, a max's ``dy`` to the cell torch's index names, an average's ``dy / divisor`` to every
cell of its window. A layer that only moves values is sent back column by column of its matrix:
the forward pass of each one-hot input. Inputs are one sample, channels first; nothing is
vectorised.
"""

from __future__ import annotations

import itertools
import math
from typing import Callable, Optional

import numpy as np


def _source(p: int, n: int, mode: str) -> Optional[int]:
    """The input position padded position ``p`` (counted from the first input cell) shows."""
    if 0 <= p < n:
        return p
    if mode == "zeros":
        return None
    if mode == "replicate":
        return 0 if p < 0 else n - 1
    if mode == "circular":
        return p % n
    return -p if p < 0 else 2 * (n - 1) - p  # reflect


def conv(x, weight, dy, stride, padding, padding_end, dilation, groups, mode="zeros"):
    """(dx, dw, db) of a direct convolution, any number of axes."""
    sizes = x.shape[1:]
    axes = [[_source(p - b, n, mode) for p in range(n + b + e)] for n, b, e in zip(sizes, padding, padding_end)]
    c_out, cg, *kernel = weight.shape
    og = c_out // groups
    dx = np.zeros(x.shape, dtype=np.result_type(weight, dy))
    dw = np.zeros(weight.shape, dtype=np.result_type(x, dy))
    for co in range(c_out):
        g = co // og
        for at in itertools.product(*(range(n) for n in dy.shape[1:])):
            grad = dy[(co, *at)]
            for c in range(cg):
                for k in itertools.product(*(range(n) for n in kernel)):
                    cell = [o * s + kk * d for o, s, kk, d in zip(at, stride, k, dilation)]
                    source = [axis[p] for axis, p in zip(axes, cell)]
                    if None in source:
                        continue  # a zero of the padding: nothing goes back, nothing was read
                    dx[(g * cg + c, *source)] += grad * weight[(co, c, *k)]
                    dw[(co, c, *k)] += x[(g * cg + c, *source)] * grad
    return dx, dw, dy.reshape(c_out, -1).sum(axis=1)


def conv_transpose(x, weight, dy, stride, padding, dilation, groups):
    """(dx, dw, db) of a transposed convolution: each input cell's scattered products traced to
    the output cells they reached (those padding trims reach none)."""
    c_in, og, *kernel = weight.shape
    cg = c_in // groups
    dx = np.zeros(x.shape, dtype=np.result_type(weight, dy))
    dw = np.zeros(weight.shape, dtype=np.result_type(x, dy))
    out_sizes = dy.shape[1:]
    for c in range(c_in):
        g = c // cg
        for at in itertools.product(*(range(n) for n in x.shape[1:])):
            for j in range(og):
                for k in itertools.product(*(range(n) for n in kernel)):
                    cell = tuple(i * s + kk * d - p for i, s, kk, d, p in zip(at, stride, k, dilation, padding))
                    if all(0 <= v < n for v, n in zip(cell, out_sizes)):
                        grad = dy[(g * og + j, *cell)]
                        dx[(c, *at)] += grad * weight[(c, j, *k)]
                        dw[(c, j, *k)] += x[(c, *at)] * grad
    return dx, dw, dy.reshape(dy.shape[0], -1).sum(axis=1)


def route(shape, indices, dy):
    """A max's dx: each output's dy added to the cell its flat index names in its channel's
    plane (none for an index outside it, which torch gives a window holding no input cell)."""
    plane = math.prod(shape[1:])
    dx = np.zeros((shape[0], plane), dtype=dy.dtype)
    for c in range(shape[0]):
        for at in itertools.product(*(range(n) for n in dy.shape[1:])):
            if 0 <= indices[(c, *at)] < plane:
                dx[c, indices[(c, *at)]] += dy[(c, *at)]
    return dx.reshape(shape)


def avg_pool(shape, dy, kernel, stride, padding, count_include_pad, divisor_override, ceil_mode):
    """An average's dx: each output's dy over its divisor, added to every input cell of its window."""
    dx = np.zeros(shape, dtype=np.float64)
    sizes = shape[1:]
    for c in range(shape[0]):
        for at in itertools.product(*(range(n) for n in dy.shape[1:])):
            cells, padded = [], 0
            for k in itertools.product(*(range(n) for n in kernel)):
                cell = tuple(o * s - p + kk for o, s, p, kk in zip(at, stride, padding, k))
                if all(0 <= v < n for v, n in zip(cell, sizes)):
                    cells.append(cell)
                if all(-p <= v < n + p for v, n, p in zip(cell, sizes, padding)):
                    padded += 1
            divisor = divisor_override or (padded if count_include_pad else len(cells))
            for cell in cells:
                dx[(c, *cell)] += dy[(c, *at)] / divisor
    return dx


def adaptive_avg(shape, dy, windows: Callable[[int, int, int], range]):
    """An adaptive average's dx: each output's dy over its window's length on each axis in turn
    (over the whole input's cell count when every output size is 1)."""
    dx = np.zeros(shape, dtype=np.float64)
    sizes, out_sizes = shape[1:], dy.shape[1:]
    whole = all(o == 1 for o in out_sizes)
    for c in range(shape[0]):
        for at in itertools.product(*(range(o) for o in out_sizes)):
            axes = [windows(i, n, o) for i, n, o in zip(at, sizes, out_sizes)]
            share = dy[(c, *at)]
            if whole:
                share = share / math.prod(sizes)
            else:
                for axis in axes:
                    share = share / len(axis)
            for cell in itertools.product(*axes):
                dx[(c, *cell)] += share
    return dx


def lp_pool(x, dy, p: float, kernel, stride, ceil_mode):
    """An LP pooling's dx by its derivative: over the window's n cells inside the input,
    y = (Σ x^p / n · K)^(1/p), so ∂y/∂x = (K / n)·x^(p−1)·y^(1−p); for p = ±∞ the sign of the
    largest (least) |x|, at the first of them."""
    dx = np.zeros(x.shape, dtype=np.float64)
    area = math.prod(kernel)
    for c in range(x.shape[0]):
        for at in itertools.product(*(range(n) for n in dy.shape[1:])):
            cells = []
            for k in itertools.product(*(range(n) for n in kernel)):
                cell = tuple(o * s + kk for o, s, kk in zip(at, stride, k))
                if all(v < n for v, n in zip(cell, x.shape[1:])):
                    cells.append(cell)
            values = [float(x[(c, *cell)]) for cell in cells]
            if math.isinf(p):
                magnitudes = [abs(v) for v in values]
                best = max(magnitudes) if p > 0 else min(magnitudes)
                first = magnitudes.index(best)
                dx[(c, *cells[first])] += dy[(c, *at)] * np.sign(values[first])
                continue
            y = (sum(v**p for v in values) / len(values) * area) ** (1.0 / p)
            for cell, v in zip(cells, values):
                dx[(c, *cell)] += dy[(c, *at)] * area / len(values) * v ** (p - 1) * y ** (1 - p)
    return dx


def by_columns(forward: Callable[[np.ndarray], np.ndarray], shape, dy):
    """dx of a layer whose outputs are fixed sums of input cells, column by column: cell ``i``'s
    gradient is dy weighed by what the forward pass of the one-hot input ``e_i`` gives."""
    dx = np.zeros(math.prod(shape), dtype=np.float64)
    for i in range(dx.size):
        one = np.zeros(math.prod(shape))
        one[i] = 1.0
        dx[i] = float(np.sum(forward(one.reshape(shape)) * dy))
    return dx.reshape(shape)
