"""Deliberately naive paddings, up-samplings and shuffles, written independently of convgif.

Each works cell by cell with plain Python loops, as the layer's definition reads: a padding
finds, axis by axis, the input position an output position copies; an interpolation finds, axis
by axis, the source coordinate and the cells and weights around it, then adds up their products;
a shuffle moves one value at a time. Inputs are one sample, channels first; nothing is vectorised.
"""

from __future__ import annotations

import itertools
import math
from typing import Optional

import numpy as np


def _pad_source(p: int, n: int, before: int, after: int, mode: str) -> Optional[int]:
    """The input position output position ``p`` of an axis of ``n`` copies (None: the constant)."""
    q = p - before
    if mode == "constant":
        return q if 0 <= q < n else None
    if mode == "replicate":
        return min(max(q, 0), n - 1)
    if mode == "reflect":
        while q < 0 or q >= n:
            q = -q if q < 0 else 2 * (n - 1) - q
        return q
    # circular, as PyTorch does it: crop by the negative amounts, then wrap round what is left
    first = -before if before < 0 else 0
    last = n - 1 - (-after if after < 0 else 0)
    kept = list(range(first, last + 1))
    start = before if before > 0 else 0
    return kept[(p - start) % len(kept)]


def pad(x: np.ndarray, padding: tuple[int, ...], mode: str, value: float = 0.0) -> np.ndarray:
    """``x`` (C, *sizes) padded by ``padding`` in PyTorch's order (last axis first)."""
    axes = x.ndim
    amounts = [(0, 0)] * axes
    for pair in range(len(padding) // 2):
        amounts[axes - 1 - pair] = (padding[2 * pair], padding[2 * pair + 1])
    sizes = [n + b + a for n, (b, a) in zip(x.shape, amounts)]
    out = np.zeros(sizes, dtype=np.float64)
    for at in itertools.product(*(range(s) for s in sizes)):
        source = [_pad_source(p, n, b, a, mode) for p, n, (b, a) in zip(at, x.shape, amounts)]
        out[at] = value if None in source else x[tuple(source)]
    return out


def _axis_reads(
    i: int, n: int, m: int, mode: str, align_corners: bool, factor: Optional[float], dims: int
) -> list[tuple[int, float]]:
    """(input position, weight) pairs output position ``i`` of ``m`` reads on an axis of ``n``."""
    if m == n and (mode in ("linear", "bilinear", "trilinear", "area") or (mode == "nearest" and dims == 2)):
        return [(i, 1.0)]
    if mode == "area":
        start, stop = math.floor(i * n / m), math.ceil((i + 1) * n / m)
        return [(j, 1.0 / (stop - start)) for j in range(start, stop)]
    if mode in ("nearest", "nearest-exact"):
        scale = np.float32(1.0 / factor) if factor else np.float32(n) / np.float32(m)
        if mode == "nearest":
            if dims == 2 and m == 2 * n:
                return [(i // 2, 1.0)]
            where = np.float32(np.float32(i) * scale)
        else:
            where = np.float32((i + 0.5) * float(scale))
        return [(min(int(math.floor(where)), n - 1), 1.0)]
    if align_corners:
        scale = (n - 1) / (m - 1) if m > 1 else 0.0
        source = scale * i
    else:
        scale = 1.0 / factor if factor else n / m
        source = scale * (i + 0.5) - 0.5
    if mode == "bicubic":
        low = min(math.floor(source), n - 1)
        t = min(max(source - low, 0.0), 1.0)
        a = -0.75

        def kernel(d: float) -> float:
            d = abs(d)
            if d <= 1:
                return (a + 2) * d**3 - (a + 3) * d**2 + 1
            return a * d**3 - 5 * a * d**2 + 8 * a * d - 4 * a

        return [(min(max(low + k, 0), n - 1), kernel(t - k)) for k in (-1, 0, 1, 2)]
    source = max(source, 0.0)
    low = min(math.floor(source), n - 1)
    t = min(max(source - low, 0.0), 1.0)
    high = low + 1 if low < n - 1 else low
    return [(low, 1.0 - t), (high, t)]


def interpolate(
    x: np.ndarray,
    sizes: tuple[int, ...],
    mode: str,
    align_corners: bool = False,
    factors: Optional[tuple[Optional[float], ...]] = None,
) -> np.ndarray:
    """``x`` (C, *n) resized to (C, *sizes) as ``F.interpolate`` does; ``factors`` are the scale
    factors its kernels use (None for an axis whose size was given or recomputed)."""
    dims = x.ndim - 1
    factors = factors or (None,) * dims
    out = np.zeros((x.shape[0], *sizes))
    for at in itertools.product(*(range(s) for s in sizes)):
        reads = [
            _axis_reads(i, n, m, mode, align_corners, f, dims) for i, n, m, f in zip(at, x.shape[1:], sizes, factors)
        ]
        for c in range(x.shape[0]):
            total = 0.0
            for combination in itertools.product(*reads):
                weight = math.prod(w for _, w in combination)
                total += weight * x[(c, *(j for j, _ in combination))]
            out[(c, *at)] = total
    return out


def pixel_shuffle(x: np.ndarray, r: int) -> np.ndarray:
    c, h, w = x.shape
    out = np.zeros((c // (r * r), h * r, w * r), dtype=x.dtype)
    for k, y, z in itertools.product(range(c), range(h), range(w)):
        group, within = divmod(k, r * r)
        i, j = divmod(within, r)
        out[group, y * r + i, z * r + j] = x[k, y, z]
    return out


def pixel_unshuffle(x: np.ndarray, r: int) -> np.ndarray:
    c, h, w = x.shape
    out = np.zeros((c * r * r, h // r, w // r), dtype=x.dtype)
    for k, y, z in itertools.product(range(c), range(h), range(w)):
        out[k * r * r + (y % r) * r + z % r, y // r, z // r] = x[k, y, z]
    return out


def channel_shuffle(x: np.ndarray, groups: int) -> np.ndarray:
    per = x.shape[0] // groups
    out = np.zeros_like(x)
    table = [[g * per + k for k in range(per)] for g in range(groups)]  # channels as a (groups, per) table
    order = [table[g][k] for k in range(per) for g in range(groups)]  # read column by column
    for j, source in enumerate(order):
        out[j] = x[source]
    return out


def doubling_counts(h: int, w: int) -> np.ndarray:
    """(4, 2h, 2w): with every input and weight 1, the outputs of ConvTranspose2d(k3, s2, p1, op1),
    ConvTranspose2d(k2, s2), nearest ×2 then Conv2d(k3, p1), and Conv2d(1→4, k3, p1) then
    PixelShuffle(2), each computed by its definition."""
    out = np.zeros((4, 2 * h, 2 * w))
    for i, j in itertools.product(range(h), range(w)):  # transposed: scatter each input's kernel
        for ki, kj in itertools.product(range(3), range(3)):
            y, z = 2 * i - 1 + ki, 2 * j - 1 + kj
            if 0 <= y < 2 * h and 0 <= z < 2 * w:
                out[0, y, z] += 1
        for ki, kj in itertools.product(range(2), range(2)):
            out[1, 2 * i + ki, 2 * j + kj] += 1
    up = np.ones((2 * h, 2 * w))
    for y, z in itertools.product(range(2 * h), range(2 * w)):  # nearest, then a 3×3 window with zero padding
        out[2, y, z] = sum(
            up[y + a, z + b] for a in (-1, 0, 1) for b in (-1, 0, 1) if 0 <= y + a < 2 * h and 0 <= z + b < 2 * w
        )
    conv = np.zeros((4, h, w))
    for k, y, z in itertools.product(range(4), range(h), range(w)):
        conv[k, y, z] = sum(1 for a in (-1, 0, 1) for b in (-1, 0, 1) if 0 <= y + a < h and 0 <= z + b < w)
    out[3] = pixel_shuffle(conv, 2)[0]
    return out


def pair(v) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


def unfold(x: np.ndarray, k, d, p, s) -> np.ndarray:
    """im2col written out: row c·KH·KW + ky·KW + kx, column oy·W_out + ox."""
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = map(pair, (k, d, p, s))
    c, h, w = x.shape
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((c * kh * kw, ho * wo), dtype=x.dtype)
    for ci in range(c):
        for ky in range(kh):
            for kx in range(kw):
                for oy in range(ho):
                    for ox in range(wo):
                        y, xx = oy * sh + ky * dh - ph, ox * sw + kx * dw - pw
                        if 0 <= y < h and 0 <= xx < w:
                            out[ci * kh * kw + ky * kw + kx, oy * wo + ox] = x[ci, y, xx]
    return out


def fold(cols: np.ndarray, size, k, d, p, s) -> np.ndarray:
    """col2im written out: every entry added into its window's cell, the padding dropped."""
    (kh, kw), (dh, dw), (ph, pw), (sh, sw), (h, w) = map(pair, (k, d, p, s, size))
    c = cols.shape[0] // (kh * kw)
    wo = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((c, h, w), dtype=cols.dtype)
    for r in range(cols.shape[0]):
        ci, rest = divmod(r, kh * kw)
        ky, kx = divmod(rest, kw)
        for col in range(cols.shape[1]):
            oy, ox = divmod(col, wo)
            y, x = oy * sh + ky * dh - ph, ox * sw + kx * dw - pw
            if 0 <= y < h and 0 <= x < w:
                out[ci, y, x] += cols[r, col]
    return out
