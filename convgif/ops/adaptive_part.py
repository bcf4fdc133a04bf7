"""A part of an AdaptiveAvgPool1d/2d or AdaptiveMaxPool1d/2d too large to record whole: only the
output positions a render draws and the input cells their windows cover, each value the whole
layer's (every window's sum, maximum and index as the whole recording finds them).

The example input is drawn as the whole layer's is (see
:func:`~convgif.engine.values.example_box`); an input given is kept as given, its part converted.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine.part import PartArray
from ..engine.spans import SpanRecording, record_spans
from ..engine.values import checked, example_box, number_type, rng_of, skip_values
from ..picture.model import Region


def _box(flat: Any, region: Region) -> list[tuple[int, int]]:
    """The input cells (start, stop) per axis that the windows of output ``region`` cover."""
    return [
        (int(starts[a]), int(ends[b - 1]))
        for starts, ends, (a, b) in zip(flat.starts, flat.ends, (region.rows, region.cols))
    ]


def part_numbers(spec: Any, region: Region) -> int:
    """How many numbers recording the part ``region`` holds: the input cells covered (and their
    windows gathered, a window's cells per output) and per output its value, sum or index and
    winner."""
    flat = spec.as_2d() if spec.DIMS == 1 else spec
    cells = math.prod(b - a for a, b in _box(flat, region))
    outputs = math.prod(region.size)
    window = math.prod(int((e - s).max()) for s, e in zip(flat.starts, flat.ends))
    return flat.in_channels * (2 * cells + outputs * (window + 4))


def record_adaptive_part(spec: Any, seed: int, input: Any, region: Region, bounds: tuple[int, int]) -> SpanRecording:
    """The recording of the output positions ``region`` of a 1-D or 2-D adaptive pooling, as
    the 2-D layer a picture draws (a 1-D one over one row): its ``input`` (unless given),
    ``output``, ``indices``, ``winners`` and ``sums`` are :class:`~convgif.engine.part.PartArray`
    holding that part, in the layer's coordinates; ``starts`` and ``sizes`` the whole layer's."""
    flat = spec.as_2d() if spec.DIMS == 1 else spec
    box = _box(flat, region)
    picks = (slice(None), *(slice(*b) for b in box))
    rng = rng_of(seed)
    x: Any
    if input is None:
        cells = example_box(rng, flat.input_shape, bounds, box)
        x = PartArray(flat.input_shape, (0, *(a for a, _ in box)), cells)
    else:
        given = checked("input", input, spec.input_shape)
        skip_values(rng, spec.input_shape, bounds)
        x = given[:, None, :] if spec.DIMS == 1 else given
        cells = x[picks].astype(number_type(given), copy=False)
    spans = [region.rows, region.cols]
    starts = tuple((s[a:b] - low)[None, :] for s, (a, b), (low, _) in zip(flat.starts, spans, box))
    sizes = tuple((e - s)[a:b] for s, e, (a, b) in zip(flat.starts, flat.ends, spans))
    # a mean of the whole input (every output size 1) has one output: its part is all the input
    local = record_spans(flat, spec.KIND, cells, starts, sizes, spec.mean_of_all)
    at = (0, region.rows[0], region.cols[0])

    def held(values: Any, shape: tuple[int, ...], start: tuple[int, ...]) -> Any:
        return None if values is None else PartArray(shape, start, values)

    winners, indices = local.winners, None
    if winners is not None:  # in the layer's coordinates, and torch's flat index in its plane
        winners = np.where(winners >= 0, winners + np.array([low for low, _ in box]), -1)
        indices = winners[..., 0] * flat.input_shape[2] + winners[..., 1]
    whole_starts = tuple(s[None, :] for s in flat.starts)
    whole_sizes = tuple(e - s for s, e in zip(flat.starts, flat.ends))
    return SpanRecording(
        flat,
        spec.KIND,
        x,
        PartArray(flat.output_shape, at, local.output),
        whole_starts,
        whole_sizes,
        held(indices, flat.output_shape, at),
        held(winners, (*flat.output_shape, 2), (*at, 0)),
        held(local.sums, flat.output_shape, at),
    )
