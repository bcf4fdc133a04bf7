"""A part of a layer whose output cells read input cells axis by axis (an up-sampling, a
padding) too large to record whole: only the output positions a render draws and the input
cells they read, each value the whole layer's. Over three axes a render draws every output
depth slice, each the region's rows and columns: the part is those of every depth, and the
input cells they read over the depths read.

The example input is drawn as the whole layer's is (the same stream, a few rows at a time),
and only the cells read are kept; an input given is kept as given, its part converted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine.part import PartArray
from ..engine.resample import AxisTaps, copying, gather
from ..engine.values import checked, example_box, number_type, rng_of, skip_values
from ..picture.model import Region


def spans_of(region: Region, dims: int, lead: tuple[int, ...] = ()) -> list[tuple[int, int]]:
    """The output positions (start, stop) per spatial axis of a ``dims``-axis layer, after
    the whole of any ``lead`` axes (sizes) read too: a three-axis layer's pictures draw the
    region's rows and columns of every output depth slice, its depth axis among ``lead``."""
    spans = [(int(a), int(b)) for a, b in (region.rows, region.cols)]
    if dims == 3:
        return spans_of(region, 2, lead)
    return [(0, n) for n in lead] + spans[2 - dims :]


def _part_axes(axes: Sequence[AxisTaps], spans: Sequence[tuple[int, int]]) -> tuple[list[tuple[int, int]], list]:
    """The input cells (start, stop) per axis that output positions ``spans`` read (every tap,
    weighed 0 or not), and the axes' reads of those positions within them."""
    box, part = [], []
    for taps, (a, b) in zip(axes, spans):
        index = taps.index[a:b]
        taken = np.maximum(index, 0)
        low, high = int(taken.min()), int(taken.max()) + 1
        box.append((low, high))
        part.append(AxisTaps(np.where(index >= 0, index - low, -1), taps.weight[a:b]))
    return box, part


def part_numbers(spec: Any, axes: Sequence[AxisTaps], spans: Sequence[tuple[int, int]]) -> int:
    """How many numbers recording the output positions ``spans`` (per axis ``axes`` reads, the
    last of ``spec.input_shape``) holds: the input cells read, a float copy of them and the
    output drawn."""
    box, _ = _part_axes(axes, spans)
    lead = math.prod(spec.input_shape[: len(spec.input_shape) - len(axes)])
    return lead * (2 * math.prod(b - a for a, b in box) + math.prod(b - a for a, b in spans))


def record_gathered_part(
    spec: Any,
    axes: Sequence[AxisTaps],
    seed: int,
    input: Any,
    spans: Sequence[tuple[int, int]],
    bounds: tuple[int, int],
    constant: float = 0.0,
) -> tuple[Any, PartArray]:
    """(input, output) of the output positions ``spans`` of a layer of ``spec`` whose output
    reads its input by ``axes`` (one per last axis of the input, the others read whole), its
    example input within ``bounds``: the input's cells read and the output's part as
    :class:`~convgif.engine.part.PartArray` (an input given is kept as given)."""
    shape = spec.input_shape
    lead = shape[: len(shape) - len(axes)]
    box, part = _part_axes(axes, spans)
    box = [(0, n) for n in lead] + box
    picks = tuple(slice(*b) for b in box)
    rng = rng_of(seed)
    x: Any = None
    if input is None:
        cells = example_box(rng, shape, bounds, box[1:])[picks[0]]  # every channel drawn, those read kept
        x = PartArray(shape, tuple(a for a, _ in box), cells)
    else:
        x = checked("input", input, shape)
        skip_values(rng, shape, bounds)
        cells = x[picks].astype(number_type(x), copy=False)
    output = gather(cells, part, constant, all(copying(taps) for taps in axes))
    return x, PartArray(spec.output_shape, (*(0 for _ in lead), *(a for a, _ in spans)), output)


def at_depth(array: Any, z: int, view: bool = False) -> Any:
    """``array[:, z]`` of a (C, D, H, W) array: the (C, H, W) slice a picture of depth ``z``
    draws, a part of it still a :class:`PartArray` indexed in the layer's coordinates; an
    array held whole is copied contiguous, unless ``view`` (an input given to a part, of which
    only the cells read are drawn)."""
    if not isinstance(array, PartArray):
        return array[:, z] if view else np.ascontiguousarray(array[:, z])
    start, held = array.start[1], array.values.shape[1]
    if not start <= z < start + held:
        raise IndexError(f"depth {z} lies outside the part held ({start}..{start + held - 1})")
    values = array.values[:, z - start]
    keep = (0, 2, 3)
    return PartArray(tuple(array.shape[a] for a in keep), tuple(array.start[a] for a in keep), values)


def as_planes(array: Any, shape: tuple[int, ...]) -> Any:
    """``array`` (C, *sizes) as the (C, H, W) planes a picture draws (one row for one axis)."""
    if isinstance(array, PartArray):
        return array if array.ndim == 3 else array[:, None, :]
    return array.reshape(shape)
