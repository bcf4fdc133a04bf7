"""A deliberately naive Conv2d, written independently of ``convgif.engine``.

It takes the arguments as ``torch.nn.Conv2d`` does (ints, pairs, ``"same"``, ``"valid"``,
negative padding for the non-zero modes) and works element by element with plain Python
loops: one index function per padding mode, then loops over out channel, output row,
output column, input channel of the group, kernel row and kernel column.

Nothing here is vectorised or clever on purpose; it is the thing the engine is checked
against, so it must be easy to read and obviously right.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

Tap = tuple[int, int, int]


@dataclass
class RefPlacement:
    out_index: tuple[int, int, int]
    taps: list[Tap]  # (c, y, x) in padded coordinates, in weight order (c, ky, kx)
    value: object


@dataclass
class RefResult:
    padded: np.ndarray
    output: np.ndarray
    placements: list[RefPlacement]
    padding_start: tuple[int, int]
    padding_end: tuple[int, int]


def pair(value) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        first, second = value
        return int(first), int(second)
    return int(value), int(value)


def padding_amounts(padding, kernel_size, dilation) -> tuple[tuple[int, int], tuple[int, int]]:
    """(top, left) and (bottom, right) padding, as PyTorch applies them."""
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding == "same":
        kh, kw = pair(kernel_size)
        dh, dw = pair(dilation)
        start, end = [], []
        for total in (dh * (kh - 1), dw * (kw - 1)):
            before = total // 2  # the odd one out goes to the bottom / right
            start.append(before)
            end.append(total - before)
        return (start[0], start[1]), (end[0], end[1])
    ph, pw = pair(padding)
    return (ph, pw), (ph, pw)


def source_of(mode: str, size: int, position: int) -> Optional[int]:
    """Which input row (or column) shows at ``position`` of an axis of length ``size``.

    ``position`` counts from the first input cell (so padding before it is negative).
    Returns None for a zero cell.
    """
    if 0 <= position < size:
        return position
    if mode == "zeros":
        return None
    if mode == "replicate":
        return 0 if position < 0 else size - 1
    if mode == "circular":
        return position % size
    if mode == "reflect":
        # Mirror about the first / last cell, without repeating it: -1 -> 1, size -> size - 2.
        if position < 0:
            mirrored = -position
        else:
            mirrored = 2 * (size - 1) - position
        assert 0 <= mirrored < size, "reflect padding must be smaller than the input"
        return mirrored
    raise ValueError(f"unknown padding mode {mode!r}")


def axis_sources(mode: str, size: int, before: int, after: int) -> list[Optional[int]]:
    """For each padded position along one axis, the input position it copies (None: zero).

    Negative ``before`` / ``after`` crop: the padded axis then starts ``-before`` cells in
    and stops ``-after`` cells early.
    """
    length = size + before + after
    return [source_of(mode, size, p - before) for p in range(length)]


def pad(x: np.ndarray, start: tuple[int, int], end: tuple[int, int], mode: str) -> np.ndarray:
    """``x`` (C, H, W) padded (or cropped) with explicit index arithmetic."""
    channels, height, width = x.shape
    rows = axis_sources(mode, height, start[0], end[0])
    cols = axis_sources(mode, width, start[1], end[1])
    values = x.tolist()
    out = []
    for c in range(channels):
        plane = []
        for sy in rows:
            line = []
            for sx in cols:
                line.append(0 if sy is None or sx is None else values[c][sy][sx])
            plane.append(line)
        out.append(plane)
    return np.array(out, dtype=x.dtype).reshape(channels, len(rows), len(cols))


def conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: Optional[np.ndarray] = None,
    stride=1,
    padding=0,
    dilation=1,
    groups: int = 1,
    padding_mode: str = "zeros",
) -> RefResult:
    """Cross-correlation of ``x`` (C, H, W) with ``weight`` (C_out, C/G, KH, KW), as torch."""
    x = np.asarray(x)
    weight = np.asarray(weight)
    c_in = x.shape[0]
    c_out, cg, kh, kw = weight.shape
    assert c_in == cg * groups and c_out % groups == 0
    sh, sw = pair(stride)
    dh, dw = pair(dilation)
    start, end = padding_amounts(padding, (kh, kw), (dh, dw))
    padded = pad(x, start, end, padding_mode)
    hp, wp = padded.shape[1], padded.shape[2]

    h_out = (hp - dh * (kh - 1) - 1) // sh + 1
    w_out = (wp - dw * (kw - 1) - 1) // sw + 1
    assert h_out >= 1 and w_out >= 1, "kernel does not fit"

    p = padded.tolist()
    w = weight.tolist()
    b = None if bias is None else np.asarray(bias).tolist()
    out_per_group = c_out // groups

    output = []
    placements = []
    for co in range(c_out):
        group = co // out_per_group
        plane = []
        for oy in range(h_out):
            line = []
            for ox in range(w_out):
                total = 0
                taps = []
                for ci in range(cg):
                    c = group * cg + ci
                    for ky in range(kh):
                        y = oy * sh + ky * dh
                        for kx in range(kw):
                            xx = ox * sw + kx * dw
                            taps.append((c, y, xx))
                            total += p[c][y][xx] * w[co][ci][ky][kx]
                if b is not None:
                    total += b[co]
                line.append(total)
                placements.append(RefPlacement((co, oy, ox), taps, total))
            plane.append(line)
        output.append(plane)

    dtype = np.result_type(x.dtype, weight.dtype, *(() if bias is None else (np.asarray(bias).dtype,)))
    return RefResult(
        padded=padded,
        output=np.array(output, dtype=dtype).reshape(c_out, h_out, w_out),
        placements=placements,
        padding_start=start,
        padding_end=end,
    )
