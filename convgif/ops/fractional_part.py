"""A part of a FractionalMaxPool2d too large to record whole: only the output positions a render
draws and the input cells their windows may cover, each value the whole layer's.

The samples that place the windows are drawn after the example input, from the same stream,
so they are the whole layer's: the input's part is drawn first (the stream left as the whole
draw leaves it, :func:`~convgif.engine.values.example_box`), over the cells any sample's
windows may cover (:meth:`~convgif.ops.fractional.Fractional.extent`), then the samples.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine.part import PartArray, held_input
from ..engine.spans import SpanRecording, record_spans
from ..engine.values import example_fractions, rng_of
from ..picture.model import Region
from .pool import INPUT_RANGE


def _box(op: Any, spec: Any, region: Region) -> list[tuple[int, int]]:
    read = op.extent(spec, region)
    return [(int(a), int(b)) for a, b in (read.rows, read.cols)]


def record_fractional_part(
    op: Any, spec: Any, seed: int, input: Any, region: Region, windows: Callable[[Any, np.ndarray], Any]
) -> SpanRecording:
    """The recording of the output positions ``region`` of a FractionalMaxPool2d, its windows
    placed by ``windows(spec, samples)``: its ``input`` (unless given), ``output``, ``indices``
    and ``winners`` are :class:`~convgif.engine.part.PartArray` holding that part; ``starts``,
    ``sizes`` and ``samples`` the whole layer's."""
    box = _box(op, spec, region)
    rng = rng_of(seed)
    x, cells = held_input(rng, input, spec.input_shape, INPUT_RANGE, box)  # then the samples
    if spec.samples is not None:
        samples = np.array(spec.samples, dtype=np.float64)
    else:
        samples = example_fractions(rng, (spec.in_channels, spec.DIMS))
    starts, sizes = windows(spec, samples)
    spans = [region.rows, region.cols]
    local = tuple(s[:, a:b] - low for s, (a, b), (low, _) in zip(starts, spans, box))
    for first, size, (low, high) in zip(local, sizes, box):  # every window within the cells drawn
        assert first.min(initial=0) >= 0 and (first + int(size[0])).max(initial=0) <= high - low
    part = record_spans(spec, "max", cells, local, tuple(s[a:b] for s, (a, b) in zip(sizes, spans)))
    winners = np.where(part.winners >= 0, part.winners + np.array([low for low, _ in box]), -1)
    indices = winners[..., 0] * spec.input_shape[2] + winners[..., 1]
    at = (0, region.rows[0], region.cols[0])
    return SpanRecording(
        spec,
        "max",
        x,
        PartArray(spec.output_shape, at, part.output),
        starts,
        sizes,
        PartArray(spec.output_shape, at, indices),
        PartArray((*spec.output_shape, 2), (*at, 0), winners),
        samples=samples,
    )


def part_numbers(op: Any, spec: Any, region: Region) -> int:
    """How many numbers recording the part ``region`` holds: the input cells its windows may
    cover, per output drawn its window's cells gathered, its value, index and winner, and
    every channel's window starts."""
    cells = math.prod(b - a for a, b in _box(op, spec, region))
    window = max(1, math.prod(spec.kernel_size))
    return spec.in_channels * (2 * cells + math.prod(region.size) * (2 * window + 4) + sum(spec.output_shape[1:]))
