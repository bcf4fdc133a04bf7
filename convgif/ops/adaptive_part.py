"""A part of an AdaptiveAvgPool or AdaptiveMaxPool too large to record whole: only the output
positions a render draws and the input cells their windows cover, each value the whole layer's
(every window's sum, maximum and index as the whole recording finds them). A 3-D layer's part is
the rows and columns drawn of every output depth slice (one picture each), over every input
depth their windows cover.

The example input is drawn as the whole layer's is (see
:func:`~convgif.engine.values.example_box`); an input given is kept as given (a 3-D layer's: its
part), its part converted.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine.part import PartArray, held_input
from ..engine.spans import SpanRecording, record_spans
from ..engine.values import rng_of
from ..picture.model import Region


def _spans(flat: Any, region: Region) -> list[tuple[int, int]]:
    """The output positions (start, stop) per axis drawn: ``region``'s rows and columns, and of
    a 3-D layer every output depth."""
    depths = [(0, flat.output_shape[1])] if flat.DIMS == 3 else []
    return [*depths, *((int(a), int(b)) for a, b in (region.rows, region.cols))]


def _box(flat: Any, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The input cells (start, stop) per axis that the windows of output positions ``spans`` cover."""
    return [(int(starts[a]), int(ends[b - 1])) for starts, ends, (a, b) in zip(flat.starts, flat.ends, spans)]


def part_numbers(spec: Any, region: Region) -> int:
    """How many numbers recording the part ``region`` holds: the input cells covered (and their
    windows gathered, a window's cells per output) and per output its value, sum or index and
    winner."""
    flat = spec.as_2d() if spec.DIMS == 1 else spec
    spans = _spans(flat, region)
    cells = math.prod(b - a for a, b in _box(flat, spans))
    outputs = math.prod(b - a for a, b in spans)
    window = math.prod(int((e - s).max()) for s, e in zip(flat.starts, flat.ends))
    return flat.in_channels * (2 * cells + outputs * (window + 2 + flat.DIMS))


def record_adaptive_part(spec: Any, seed: int, input: Any, region: Region, bounds: tuple[int, int]) -> SpanRecording:
    """The recording of the output positions ``region`` of an adaptive pooling, as the layer a
    picture draws (a 1-D one as 2-D over one row; a 3-D one those rows and columns of every
    output depth slice): its ``input`` (unless given to a 1-D or 2-D layer), ``output``,
    ``indices``, ``winners`` and ``sums`` are :class:`~convgif.engine.part.PartArray` holding that
    part, in the layer's coordinates; ``starts`` and ``sizes`` the whole layer's."""
    flat = spec.as_2d() if spec.DIMS == 1 else spec
    spans = _spans(flat, region)
    box = _box(flat, spans)
    x, cells = held_input(rng_of(seed), input, spec.input_shape, bounds, box, flat.input_shape)
    if input is not None and spec.DIMS == 3:  # only the part read is kept
        x = PartArray(flat.input_shape, (0, *(a for a, _ in box)), cells)
    starts = tuple((s[a:b] - low)[None, :] for s, (a, b), (low, _) in zip(flat.starts, spans, box))
    sizes = tuple((e - s)[a:b] for s, e, (a, b) in zip(flat.starts, flat.ends, spans))
    # a mean of the whole input (every output size 1) has one output: its part is all the input
    local = record_spans(flat, spec.KIND, cells, starts, sizes, spec.mean_of_all)
    at = (0, *(a for a, _ in spans))

    def held(values: Any, shape: tuple[int, ...], start: tuple[int, ...]) -> Any:
        return None if values is None else PartArray(shape, start, values)

    winners, indices = local.winners, None
    if winners is not None:  # in the layer's coordinates, and torch's flat index in its plane
        winners = np.where(winners >= 0, winners + np.array([low for low, _ in box]), -1)
        indices = sum(winners[..., a] * math.prod(flat.input_shape[2 + a :]) for a in range(flat.DIMS))
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
        held(winners, (*flat.output_shape, flat.DIMS), (*at, 0)),
        held(local.sums, flat.output_shape, at),
    )
