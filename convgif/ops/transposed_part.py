"""A part of a ConvTranspose1d or ConvTranspose2d too large to record whole: only the canvas
cells a render draws and the input cells whose kernels reach them, each value the whole
layer's.

The values are drawn in the order the whole layer's are (input, weight, bias): the input cells
read are jumped to, the weight is run through a few input channels at a time (only the kernel
columns drawn kept), and the canvas is summed input cell by input cell in the order the steps
add, so that every sum and every partial sum a step writes is the whole recording's.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from ..engine.direct import Placements, Recording
from ..engine.part import PartArray, held_input
from ..engine.scatter import canvas_size, canvas_window, flip_kernels, scatter_gains
from ..engine.values import (
    BIAS_RANGE,
    INPUT_RANGE,
    WEIGHT_RANGE,
    common_type,
    drawn_or_given,
    example_rows,
    given,
    holds_fractions,
    no_bias,
    rng_of,
    row_chunks,
    skip_values,
)
from ..picture.model import Region
from .scattering import TransposedRecording, bias_start, canvas_region, scatter_extent


def _planar(spec: Any) -> Any:
    return spec.as_transposed2d() if spec.DIMS == 1 else spec


def _layer(spec: Any, array: np.ndarray, axis: int = 1) -> np.ndarray:
    """An array of the drawn (2-D) layer as the layer's own: a 1-D layer's row axis dropped."""
    return array if spec.DIMS == 2 else np.take(array, 0, axis=axis)


def _part(spec: Any, shape: tuple[int, ...], start: tuple[int, ...], values: np.ndarray) -> PartArray:
    """A part of an array of the drawn layer, as the layer's own (a 1-D layer's row dropped)."""
    if spec.DIMS == 1:
        return PartArray((shape[0], shape[2]), (start[0], start[2]), values[:, 0])
    return PartArray(shape, start, values)


def part_numbers(spec: Any, region: Region) -> int:
    """How many numbers recording the part ``region`` holds: the input cells read and what each
    adds through each kernel cell to each output channel, the canvas drawn (its sums, bias,
    lowest and highest partial sums) and a few input channels' weights at a time."""
    planar = _planar(spec)
    on = canvas_region(planar, region)
    read = math.prod(scatter_extent(planar, on).size)
    kernel = math.prod(spec.kernel_size)
    first, stop = next(row_chunks(spec.in_channels, spec.out_per_group * kernel))
    return (
        read * (spec.in_channels + spec.out_channels * kernel)
        + 4 * spec.out_channels * math.prod(on.size)
        + (stop - first) * spec.out_per_group * kernel
    )


def record_transposed_part(
    spec: Any, seed: int, input: Any, weight: Any, bias: Any, keep: Collection[int], region: Region
) -> TransposedRecording:
    """The recording of the output ``region`` of a transposed convolution: its ``input`` (the
    cells read, unless given), ``output``, ``canvas`` and ``passes`` are
    :class:`~convgif.engine.part.PartArray` holding that part; of the weight, the kernel columns
    of ``keep`` (every column, for a layer of fractions); of the equal direct convolution, the
    kernels and the output, its input not held."""
    planar = _planar(spec)
    read = scatter_extent(planar, canvas_region(planar, region))
    box = [read.rows, read.cols][2 - spec.DIMS :]
    rng = rng_of(seed)
    w_shape = (spec.in_channels, spec.out_per_group, *spec.kernel_size)
    x, x_part = held_input(rng, input, spec.input_shape, INPUT_RANGE, box)
    cells = x_part.reshape(spec.in_channels, *read.size)
    if x_part.dtype.kind == "f" or holds_fractions(weight) or holds_fractions(bias):
        w: Any = drawn_or_given(rng, "weight", weight, w_shape, WEIGHT_RANGE)
    elif weight is None:
        w = example_rows(rng, w_shape, WEIGHT_RANGE)
    else:
        given_w = given("weight", weight, w_shape, None)
        skip_values(rng, w_shape, WEIGHT_RANGE)
        w = (given_w[a:b] for a, b in row_chunks(w_shape[0], math.prod(w_shape[1:])))

    def bias_of() -> Any:  # drawn after the weight, as the whole layer's
        return drawn_or_given(rng, "bias", bias, (spec.out_channels,), BIAS_RANGE) if spec.bias else no_bias(bias)

    return scattered_part(spec, region, x, cells, w, bias_of, keep)


def scattered_part(
    spec: Any, region: Region, x: Any, cells: np.ndarray, weight: Any, bias_of: Any, keep: Collection[int]
) -> TransposedRecording:
    """The recording of the output ``region`` of ``spec`` (1-D or 2-D) from the input ``cells``
    its kernels reach (C_in, rows, columns read), ``x`` the input as the recording holds it: the
    ``weight`` whole for a layer of fractions, else the runs of
    :func:`~convgif.engine.values.row_chunks` it is drawn in; the bias from ``bias_of()``,
    asked once the weight is run through."""
    planar = _planar(spec)
    on = canvas_region(planar, region)
    read = scatter_extent(planar, on)
    if isinstance(weight, np.ndarray) or cells.dtype.kind == "f":
        w = weight if isinstance(weight, np.ndarray) else np.concatenate(list(weight))
        cells, w, b = common_type(cells, w, bias_of())
        planar_w = w.reshape(spec.in_channels, spec.out_per_group, *planar.kernel_size)
        canvas, passes = _played(planar, read, on, cells, planar_w, b)
        kept, columns, channels, values = w, None, None, None
    else:
        columns = tuple(sorted({int(co) % spec.out_per_group for co in keep}))
        flat = (c.reshape(c.shape[0], spec.out_per_group, *planar.kernel_size) for c in weight)
        kept, values, gains = scatter_gains(planar, cells, flat, columns)
        kept = _layer(spec, kept, 2)
        b = bias_of()
        canvas, passes = _summed(planar, read, on, gains, b)
        channels = tuple(g * spec.out_per_group + j for g in range(spec.groups) for j in columns)
    whole = (spec.out_channels, *canvas_size(planar))
    at = (0, on.rows[0], on.cols[0])
    (p, q), (height, width) = planar.padding, region.size
    top, left = region.rows[0] + p - on.rows[0], region.cols[0] + q - on.cols[0]
    output = canvas[:, top : top + height, left : left + width]
    out_part = _part(spec, planar.output_shape, (0, region.rows[0], region.cols[0]), output)
    direct = spec.as_conv()
    nothing = PartArray(direct.input_shape, (0,) * len(direct.input_shape), np.empty((0,) * len(direct.input_shape)))
    conv = Recording(
        direct,
        nothing,  # the zero-inserted input is not held: a part is drawn as the scatter only
        PartArray(direct.padded_shape, (0,) * len(direct.padded_shape), nothing.values),
        flip_kernels(spec, kept),
        b,
        out_part,
        Placements(direct, out_part),
        channels,
        values,
    )
    held = tuple(_part(spec, whole, at, a) for a in passes)
    return TransposedRecording(spec, x, kept, b, out_part, conv, columns, held, _part(spec, whole, at, canvas))


def _summed(spec: Any, read: Region, on: Region, gains: np.ndarray, bias: Any) -> tuple[np.ndarray, tuple]:
    """The canvas ``on`` from each input cell of ``read`` adding ``gains`` (see
    :func:`~convgif.engine.scatter.scatter_gains`) in order, from the bias: the sums at the end
    and the lowest and highest value each cell passes through (as
    :func:`~convgif.engine.scatter.scatter_sums` finds them on the whole canvas)."""
    sums = bias_start(spec, bias, np.int64, on)
    lows, highs = sums.copy(), sums.copy()
    (r0, r1), (c0, c1) = on.rows, on.cols
    for y in range(read.size[0]):
        for x in range(read.size[1]):
            rows, cols = canvas_window(spec, read.rows[0] + y, read.cols[0] + x)
            keep_r, keep_c = (rows >= r0) & (rows < r1), (cols >= c0) & (cols < c1)
            window = (slice(None), (rows[keep_r] - r0)[:, None], (cols[keep_c] - c0)[None, :])
            sums[window] += gains[:, y, x][:, keep_r][:, :, keep_c]
            lows[window] = np.minimum(lows[window], sums[window])
            highs[window] = np.maximum(highs[window], sums[window])
    return sums, (lows, highs)


def _played(
    spec: Any, read: Region, on: Region, cells: np.ndarray, weight: np.ndarray, bias: Any
) -> tuple[np.ndarray, tuple]:
    """The canvas ``on`` of a layer of fractions, summed as the steps add (kernel column, then
    input cell, then group: each cell's terms in the order the whole layer's steps add them),
    with the lowest and highest value each cell passes through."""
    sums = bias_start(spec, bias, np.float64, on)
    lows, highs = sums.copy(), sums.copy()
    (r0, r1), (c0, c1) = on.rows, on.cols
    per, cg = spec.out_per_group, spec.in_per_group
    for j in range(per):
        for y in range(read.size[0]):
            for x in range(read.size[1]):
                rows, cols = canvas_window(spec, read.rows[0] + y, read.cols[0] + x)
                keep_r, keep_c = (rows >= r0) & (rows < r1), (cols >= c0) & (cols < c1)
                window = ((rows[keep_r] - r0)[:, None], (cols[keep_c] - c0)[None, :])
                for g in range(spec.groups):
                    channels = slice(g * cg, (g + 1) * cg)
                    added = np.tensordot(cells[channels, y, x], weight[channels, j], axes=1)
                    at = (g * per + j, *window)
                    sums[at] += added[np.ix_(keep_r, keep_c)]
                    lows[at] = np.minimum(lows[at], sums[at])
                    highs[at] = np.maximum(highs[at], sums[at])
    return sums, (lows, highs)


# -- ConvTranspose3d: one 2-D part per output depth -------------------------------------------


@dataclass(frozen=True)
class DepthPartRecording:
    """A part of a ConvTranspose3d recorded alone: every output depth slice's rows and columns
    of ``region``. ``input`` holds the input cells they read (every depth) unless given,
    ``weight`` the whole weight, ``output`` (a :class:`~convgif.engine.part.PartArray`) the
    part of the output, and ``planes`` each depth slice's 2-D part recording (None for a slice
    of the bias alone), the input and weight of its (input depth, kernel depth) pairs."""

    spec: Any
    input: Any
    weight: np.ndarray
    bias: Optional[np.ndarray]
    output: PartArray
    planes: tuple[Optional[TransposedRecording], ...]


def depth_part_numbers(spec: Any, region: Region) -> int:
    """How many numbers recording the part ``region`` of every output depth slice holds: the
    input cells read (every depth), the weight, and each slice's 2-D part (see :func:`part_numbers`)."""
    flat = spec.flat()
    read = scatter_extent(flat, canvas_region(flat, region))
    weights = spec.in_channels * spec.out_per_group * math.prod(spec.kernel_size)
    planes = (spec.plane(z) for z in range(spec.output_shape[1]))
    held = sum(spec.out_channels * math.prod(region.size) if p is None else part_numbers(p, region) for p in planes)
    return spec.in_channels * spec.input_shape[1] * math.prod(read.size) + weights + held


def record_depth_part(
    spec: Any, seed: int, input: Any, weight: Any, bias: Any, keep: Collection[int], region: Region
) -> DepthPartRecording:
    """The recording of the output ``region`` of every depth slice of a ConvTranspose3d: the
    values the whole layer's are (input, weight and bias drawn in its order, the input cells
    read jumped to), each slice recorded as the 2-D layer of its pairs is (:func:`scattered_part`)."""
    flat = spec.flat()
    read = scatter_extent(flat, canvas_region(flat, region))
    rng = rng_of(seed)
    w_shape = (spec.in_channels, spec.out_per_group, *spec.kernel_size)
    x, x_part = held_input(rng, input, spec.input_shape, INPUT_RANGE, [(0, spec.input_shape[1]), read.rows, read.cols])
    w = drawn_or_given(rng, "weight", weight, w_shape, WEIGHT_RANGE)
    b = drawn_or_given(rng, "bias", bias, (spec.out_channels,), BIAS_RANGE) if spec.bias else no_bias(bias)
    fractions = any(a is not None and a.dtype.kind == "f" for a in (x_part, w, b))
    x_part, w, b = common_type(x_part, w, b)
    planes: list[Optional[TransposedRecording]] = []
    out = np.zeros((spec.out_channels, spec.output_shape[1], *region.size), x_part.dtype)
    for z in range(spec.output_shape[1]):
        planar, pairs = spec.plane(z), spec.depth_pairs(z)
        if planar is None:
            planes.append(None)
            out[:, z] = 0 if b is None else b[:, None, None]
            continue
        cells = np.stack([x_part[c, d] for c in range(spec.in_channels) for d, _ in pairs])
        kernels = np.stack([w[c, :, dz] for c in range(spec.in_channels) for _, dz in pairs])
        held = PartArray(planar.input_shape, (0, read.rows[0], read.cols[0]), cells)
        rec = scattered_part(planar, region, held, cells, kernels if fractions else iter([kernels]), lambda: b, keep)
        planes.append(rec)
        out[:, z] = rec.output.values
    output = PartArray(spec.output_shape, (0, 0, region.rows[0], region.cols[0]), out)
    return DepthPartRecording(spec, x, w, b, output, tuple(planes))
