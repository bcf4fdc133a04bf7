"""A part of an LPPool1d/2d too large to record whole: only the output positions a render draws
and the input cells their windows read, each value the whole layer's.

The input part is drawn as the whole layer's is (:func:`convgif.ops.pool_part.input_part`);
the pooling torch computes the layer with (the average pool of x^p, or the max pool of ±|x|)
runs on that part alone (:func:`convgif.ops.pool_part.windows_part`), and the root follows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..engine.part import PartArray
from ..engine.windows import input_box
from ..picture.model import Region
from .pool import INPUT_RANGE
from .pool_part import input_part, windows_part
from .pool_part import part_numbers as pool_numbers


def _flat(spec: Any) -> Any:
    return spec.as_2d() if spec.DIMS == 1 else spec


def record_lp_part(
    spec: Any, seed: int, input: Any, region: Region, pooled_input: Callable, lp_output: Callable
) -> tuple[Any, Any, PartArray, Any]:
    """What the recording of the output positions ``region`` of a 1-D or 2-D LP pooling holds,
    as the 2-D layer a picture draws: (that layer, its ``input`` unless given, ``output`` and
    the pooling it is made of), each holding that part
    (:class:`~convgif.engine.part.PartArray`), in the layer's coordinates; the pooling runs on
    ``pooled_input(spec, x)`` of the input cells read, the output is ``lp_output(spec, ·)`` of
    its part."""
    flat = _flat(spec)
    pool = flat.pool_spec()
    spans = [(int(a), int(b)) for a, b in (region.rows, region.cols)]
    box = input_box(pool, spans)
    x, part = input_part(spec, flat, seed, input, box, INPUT_RANGE)
    pooled = windows_part(pool, PartArray(part.shape, part.start, pooled_input(spec, part.values)), spans)
    out = pooled.output
    output = PartArray(out.shape, out.start, lp_output(spec, out.values))
    return flat, part if x is None else x, output, pooled


def part_numbers(spec: Any, region: Region) -> int:
    """How many numbers recording the part ``region`` holds: the pooling's part, the input
    cells read once more and the output drawn."""
    pool = _flat(spec).pool_spec()
    return 2 * pool_numbers(pool, region)
