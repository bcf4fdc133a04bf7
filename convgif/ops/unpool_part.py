"""A part of a MaxUnpool1d/2d too large to record whole: only the output cells a render draws,
and the pooled cells whose windows reach them, each value the whole layer's.

A render's example input and indices come from a max pool over seeded integers (see
:meth:`~convgif.ops.unpool.MaxUnpool2dSpec.pool_spec`); the part records that pool's part
(:mod:`convgif.ops.pool_part`), over every pooled cell that may write where a cell drawn
writes, so that which of several writers to one output cell stays (``kept``) is the whole
layer's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine.part import PartArray
from ..errors import SpecError
from ..picture.model import Region, reached_from
from .pool import INPUT_RANGE
from .pool_part import part_numbers as pool_numbers
from .pool_part import record_pool_part


def _flat(spec: Any) -> Any:
    return spec.as_2d() if spec.DIMS == 1 else spec


def unpool_extent(spec: Any, region: Region) -> Region:
    """The input cells whose windows reach output ``region``: those that put their values in it."""
    axes = zip((region.rows, region.cols), spec.input_shape[1:], spec.stride, spec.padding, spec.kernel_size)
    return Region(*(reached_from(a, b, n, s, -p, range(k)) for (a, b), n, s, p, k in axes), dims=region.dims)


def drawn_extent(spec: Any, region: Region) -> Region:
    """:func:`unpool_extent` of a part a picture draws: refused where no window reaches it."""
    read = unpool_extent(spec, region)
    if any(start >= stop for start, stop in (read.rows, read.cols)):  # past every window: cells that stay 0
        raise SpecError(
            "region", f"region: no pooling window reaches output {region.text()}: they stay 0, no step writes them"
        )
    return read


def check_unpool_part(spec, indices: np.ndarray, part: Region, read: Region) -> None:
    """Refuse a part of an unpooling whose cells take a value from an input cell not drawn
    (indices that point outside their windows): the part would show a wrong output."""
    wo = spec.output_shape[2]
    ty, tx = np.divmod(indices, wo)
    lands = (ty >= part.rows[0]) & (ty < part.rows[1]) & (tx >= part.cols[0]) & (tx < part.cols[1])
    lands[:, slice(*read.rows), slice(*read.cols)] = False
    if lands.any():
        c, y, x = (int(v) for v in np.argwhere(lands)[0])
        raise SpecError(
            "region",
            f"region: input cell ({y}, {x}) of channel {c} puts its value in the part drawn through index "
            f"{int(indices[c, y, x])}, from outside the input that part's windows read; draw the whole layer or another region",
        )


def _pool(spec: Any) -> Any:
    """The max pool the example values and indices come from."""
    pool = spec.pool_spec()
    if pool is None:
        raise SpecError("indices", f"no MaxPool{spec.DIMS}d gives this unpooling's example: give input and indices")
    return pool


def _boxes(spec: Any, region: Region) -> tuple[Region, Region]:
    """The pooled cells drawn (those whose windows reach ``region``) and the pooled cells that
    may write where they write (whose windows reach the output their windows cover), in the
    2-D layer drawn."""
    flat = _flat(spec)
    read = unpool_extent(flat, region)
    covered = []
    for (a, b), s, p, k, n in zip(
        (read.rows, read.cols), flat.stride, flat.padding, flat.kernel_size, flat.output_shape[1:]
    ):
        low, high = max(0, a * s - p), min(n, (b - 1) * s - p + k) if b > a else 0
        covered.append((low, max(low + 1, high)) if low < n else (n - 1, n))
    wide = unpool_extent(flat, Region(*covered))
    hull = [
        (min(r0, w0), max(r1, w1, min(r0, w0) + 1))
        for (r0, r1), (w0, w1) in zip((read.rows, read.cols), (wide.rows, wide.cols))
    ]
    return read, Region(*hull)


def record_unpool_part(spec: Any, seed: int, region: Region) -> tuple[PartArray, PartArray, PartArray, PartArray]:
    """What the recording of the output cells ``region`` of a MaxUnpool1d/2d over its example
    values (those the whole layer takes) holds: its ``input``, ``indices``, ``output`` and
    ``kept``, :class:`~convgif.engine.part.PartArray` in the layer's coordinates holding the
    pooled cells whose windows reach ``region`` and that part of the output."""
    flat, pool_spec = _flat(spec), _pool(spec)
    read, wide = _boxes(spec, region)
    pool_region = Region(wide.rows, wide.cols, spec.DIMS)
    pool = record_pool_part(pool_spec, seed, None, pool_region, INPUT_RANGE)
    box = (slice(None), slice(*wide.rows), slice(*wide.cols))
    x, idx = pool.output[box], pool.indices[box]  # (C, rows, cols) of the layer drawn
    c, rows, cols = x.shape
    _, ho, wo = flat.output_shape
    # the last writer of each output cell, in input order, stays: found as the whole layer finds it
    keys = (np.arange(c)[:, None] * (ho * wo) + idx.reshape(c, -1)).ravel()
    _, last_reversed = np.unique(keys[::-1], return_index=True)
    winners = np.arange(keys.size)[::-1][last_reversed]
    kept = np.zeros(keys.size, dtype=bool)
    kept[winners] = True
    ty, tx = np.divmod(keys[winners] % (ho * wo), wo)
    (r0, r1), (c0, c1) = region.rows, region.cols
    inside = (ty >= r0) & (ty < r1) & (tx >= c0) & (tx < c1)
    output = np.zeros((c, r1 - r0, c1 - c0), dtype=x.dtype)
    chosen = winners[inside]
    output[chosen // (rows * cols), ty[inside] - r0, tx[inside] - c0] = x.reshape(-1)[chosen]
    drawn = (slice(None), slice(read.rows[0] - wide.rows[0], read.rows[1] - wide.rows[0]))
    drawn += (slice(read.cols[0] - wide.cols[0], read.cols[1] - wide.cols[0]),)
    held = [x[drawn], idx[drawn], kept.reshape(c, rows, cols)[drawn]]
    start = (0, read.rows[0], read.cols[0])
    out_start = (0, r0, c0)
    if spec.DIMS == 1:  # back to the layer's own (C, L)
        held, output = [a[:, 0, :] for a in held], output[:, 0, :]
        start, out_start = (0, start[2]), (0, out_start[2])
    x_part, idx_part, kept_part = (PartArray(spec.input_shape, start, a) for a in held)
    return x_part, idx_part, PartArray(spec.output_shape, out_start, output), kept_part


def part_numbers(spec: Any, region: Region) -> int:
    """How many numbers recording the part ``region`` holds: the max pool's part its example
    comes from, the cells drawn (values, indices, which stay) and the part of the output."""
    read, wide = _boxes(spec, region)
    pool = pool_numbers(_pool(spec), Region(wide.rows, wide.cols, spec.DIMS))
    return pool + 3 * spec.in_channels * math.prod(wide.size) + spec.in_channels * math.prod(region.size)
