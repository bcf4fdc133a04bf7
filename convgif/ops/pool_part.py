"""A part of a MaxPool or AvgPool too large to record whole: only the output positions a render
draws, and the input cells their windows read, each value the whole layer's.

The example input is drawn as the whole layer's is (the same stream, a few rows at a time),
and only the cells read are kept; an input given is kept as given, its part converted.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine.part import PartArray
from ..engine.values import checked, example_box, number_type, rng_of, skip_values
from ..engine.windows import PoolRecording, _axis_kinds, _outer, grid_reads, input_box, pool_part
from ..picture.model import Region


def _flat(spec: Any) -> Any:
    return spec.as_2d() if spec.DIMS == 1 else spec


def _spans(region: Region) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in (region.rows, region.cols)]


def record_pool_part(spec: Any, seed: int, input: Any, region: Region, bounds: tuple[int, int]) -> PoolRecording:
    """The recording of the output positions ``region`` of a 1-D or 2-D pooling ``spec`` (input
    example values within ``bounds``), as the 2-D layer a picture draws (a 1-D one over one
    row): its ``input`` (unless given), ``output``, ``indices``, ``winners``, ``divisors`` and
    ``kinds`` are :class:`~convgif.engine.part.PartArray` holding that part, in the layer's
    coordinates."""
    flat = _flat(spec)
    spans = _spans(region)
    box = input_box(flat, spans)
    x, part = input_part(spec, flat, seed, input, box, bounds)
    return pooled_part(flat, spans, box, part, x)


def pooled_part(
    flat: Any, spans: list[tuple[int, int]], box: list[tuple[int, int]], part: np.ndarray, x: Any = None
) -> PoolRecording:
    """The recording of the output positions ``spans`` of the 2-D pooling ``flat`` from its
    input cells ``box`` (``part``); its input is ``x`` when given whole, else that part."""
    output, indices, winners, divisors = pool_part(flat, part, spans)
    reads = grid_reads(flat, spans)
    kinds = _outer([kind[a:b] for kind, (a, b) in zip(_axis_kinds(flat), reads)], np.maximum).astype(np.int8)
    at = (0, *(a for a, _ in spans))

    def held(values: Any, shape: tuple[int, ...], start: tuple[int, ...]) -> Any:
        return None if values is None else PartArray(shape, start, values)

    return PoolRecording(
        flat,
        PartArray(flat.input_shape, (0, *(a for a, _ in box)), part) if x is None else x,
        held(output, flat.output_shape, at),
        held(indices, flat.output_shape, at),
        held(winners, (*flat.output_shape, 2), (*at, 0)),
        held(divisors, flat.output_shape[1:], at[1:]),
        PartArray(flat.grid_shape[1:], tuple(a for a, _ in reads), kinds),
    )


def input_part(
    spec: Any, flat: Any, seed: int, input: Any, box: list[tuple[int, int]], bounds: tuple[int, int]
) -> tuple[Any, np.ndarray]:
    """The input of ``spec`` as the 2-D layer ``flat`` reads it (None for example values, else
    the array given, a 1-D one over one row) and its cells ``box`` (per spatial axis of
    ``flat``), example values drawn as the whole layer draws them (within ``bounds``)."""
    rng = rng_of(seed)
    if input is None:
        return None, example_box(rng, flat.input_shape, bounds, box)
    given = checked("input", input, spec.input_shape)
    skip_values(rng, spec.input_shape, bounds)
    x = given[:, None, :] if spec.DIMS == 1 else given
    picks = (slice(None), *(slice(*b) for b in box))
    return x, x[picks].astype(number_type(given), copy=False)


def part_numbers(spec: Any, region: Region) -> int:
    """How many numbers recording the part ``region`` of a pooling holds: the input cells read
    (as the grid of their windows), and per output position drawn its value, and a max's
    index and winner."""
    flat = _flat(spec)
    spans = _spans(region)
    grid = math.prod(b - a for a, b in grid_reads(flat, spans))
    outputs = math.prod(b - a for a, b in spans)
    per_output = 4 if spec.KIND == "max" else 2
    return (2 * flat.in_channels + 1) * grid + per_output * flat.in_channels * outputs
