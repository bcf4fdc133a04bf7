"""A part of a MaxPool or AvgPool too large to record whole: only the output positions a render
draws, and the input cells their windows read, each value the whole layer's.

A 1-D or 2-D layer's part is the rows and columns of its output drawn; a 3-D layer's is those
rows and columns of every output depth slice (a render draws one picture per depth slice, each
the same rows and columns), over every input depth they read.

The example input is drawn as the whole layer's is (the same stream, a few rows at a time),
and only the cells read are kept; an input given is kept as given (a 3-D layer's: its part),
its part converted.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine.part import PartArray, held_input
from ..engine.values import rng_of
from ..engine.windows import PoolRecording, _axis_kinds, _outer, grid_reads, input_box, pool_part
from ..picture.model import Region


def _flat(spec: Any) -> Any:
    return spec.as_2d() if spec.DIMS == 1 else spec


def spans_of(spec: Any, region: Region) -> list[tuple[int, int]]:
    """The output positions (start, stop) per axis of the layer drawn: ``region``'s rows and
    columns, and of a 3-D layer every output depth."""
    depths = [(0, spec.output_shape[1])] if spec.DIMS == 3 else []
    return [*depths, *((int(a), int(b)) for a, b in (region.rows, region.cols))]


def record_pool_part(spec: Any, seed: int, input: Any, region: Region, bounds: tuple[int, int]) -> PoolRecording:
    """The recording of the output positions ``region`` of a pooling ``spec`` (input example
    values within ``bounds``), as the layer a picture draws (a 1-D one as 2-D over one row; a
    3-D one those rows and columns of every output depth slice): its ``input`` (unless given
    to a 1-D or 2-D layer), ``output``, ``indices``, ``winners``, ``divisors`` and ``kinds`` are
    :class:`~convgif.engine.part.PartArray` holding that part, in the layer's coordinates."""
    flat = _flat(spec)
    spans = spans_of(flat, region)
    x, part = input_part(spec, flat, seed, input, input_box(flat, spans), bounds)
    return windows_part(flat, part, spans, x if spec.DIMS < 3 else None)


def input_part(
    spec: Any, flat: Any, seed: int, input: Any, box: list[tuple[int, int]], bounds: tuple[int, int]
) -> tuple[Any, PartArray]:
    """(the input given, as the drawn layer ``flat`` takes it, or None; the cells ``box`` of
    the input, example values within ``bounds`` from ``seed`` or the input given, converted)."""
    held, cells = held_input(rng_of(seed), input, spec.input_shape, bounds, box, flat.input_shape)
    return None if input is None else held, PartArray(flat.input_shape, (0, *(a for a, _ in box)), cells)


def windows_part(flat: Any, part: PartArray, spans: list[tuple[int, int]], given: Any = None) -> PoolRecording:
    """The recording of the output positions ``spans`` (per axis) of the pooling ``flat`` from
    ``part``, the input cells their windows read (its ``input``: ``given`` when not None)."""
    output, indices, winners, divisors = pool_part(flat, part.values, spans)
    reads = grid_reads(flat, spans)
    kinds = _outer([kind[a:b] for kind, (a, b) in zip(_axis_kinds(flat), reads)], np.maximum).astype(np.int8)
    at = (0, *(a for a, _ in spans))

    def held(values: Any, shape: tuple[int, ...], start: tuple[int, ...]) -> Any:
        return None if values is None else PartArray(shape, start, values)

    return PoolRecording(
        flat,
        part if given is None else given,
        held(output, flat.output_shape, at),
        held(indices, flat.output_shape, at),
        held(winners, (*flat.output_shape, flat.DIMS), (*at, 0)),
        held(divisors, flat.output_shape[1:], at[1:]),
        PartArray(flat.grid_shape[1:], tuple(a for a, _ in reads), kinds),
    )


def part_numbers(spec: Any, region: Region) -> int:
    """How many numbers recording the part ``region`` of a pooling holds: the input cells read
    (as the grid of their windows), and per output position drawn its value, and a max's
    index and winner (a 3-D layer's: over every output depth)."""
    flat = _flat(spec)
    spans = spans_of(flat, region)
    grid = math.prod(b - a for a, b in grid_reads(flat, spans))
    outputs = math.prod(b - a for a, b in spans)
    per_output = 2 + flat.DIMS if spec.KIND == "max" else 2
    return (2 * flat.in_channels + 1) * grid + per_output * flat.in_channels * outputs
