"""A part of a three-axis MaxUnpool too large to record whole: the region's rows and columns of
every output depth slice, the input cells whose windows reach them (over every input depth)
and their indices, each value the whole layer's.

The example values and indices are those of the max pool the whole layer takes them from
(:meth:`~convgif.ops.unpool.MaxUnpool3dSpec.pool_spec`): its input drawn as the whole pool's
is (the same stream, a few rows at a time), only the cells its windows read kept, and pooled
there (:func:`convgif.engine.windows.pool_part`). Whether a value is kept (not replaced by a
later one at its index) is decided among the cells whose windows overlap those drawn: every
cell that can share an index with one drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np

from ..engine.part import PartArray
from ..engine.values import drawn_or_given, example_box, given_indices, rng_of
from ..engine.windows import input_box, pool_part
from ..picture.model import Region

Spans = Sequence[tuple[int, int]]

#: The input cells (rows, columns) a part of a 2-D unpooling's output reads.
Extent = Callable[[Any, Region], Region]


def _plane(spec: Any) -> Any:
    """The rows and columns of ``spec`` as a 2-D unpooling's, for the part a region reads."""
    c, _, h, w = spec.input_shape
    _, _, ho, wo = spec.output_shape
    return SimpleNamespace(
        input_shape=(c, h, w),
        output_shape=(c, ho, wo),
        kernel_size=spec.kernel_size[1:],
        stride=spec.stride[1:],
        padding=spec.padding[1:],
    )


def part_boxes(spec: Any, region: Region, extent: Extent) -> tuple[list, list, list]:
    """Of a three-axis unpooling's part ``region`` (of every output depth slice): the input
    cells drawn (those whose windows reach it, as ``extent`` finds them), those whose windows
    overlap theirs (which may share an index with them), and the output cells, (start, stop)
    per axis after the channels."""
    flat = _plane(spec)
    read = extent(flat, region)
    (ho, wo), covered = flat.output_shape[1:], []
    for (a, b), n, k, s, p in zip((read.rows, read.cols), (ho, wo), flat.kernel_size, flat.stride, flat.padding):
        covered.append((min(max(a * s - p, 0), n), min(max((b - 1) * s - p + k, 0), n)) if b > a else (0, 0))
    around = extent(flat, Region(*covered, dims=2)) if all(b > a for a, b in covered) else read
    depth = (0, spec.input_shape[1])
    box = [(0, spec.output_shape[1]), region.rows, region.cols]
    return [depth, read.rows, read.cols], [depth, around.rows, around.cols], box


def given_part(
    spec: Any, seed: int, input: Any, indices: Any, region: Region, read: Spans, check: Any, bounds: tuple[int, int]
) -> tuple[PartArray, ...]:
    """(input, indices, kept) of the input cells ``read`` of an input and indices given whole,
    checked whole as a recording checks them, and by ``check`` (:func:`convgif.ops.unpool.check_unpool_part`):
    a value that lands in the part from a cell not drawn is refused."""
    idx = given_indices("indices", indices, spec.input_shape, spec.output_shape[1:])
    x = drawn_or_given(rng_of(seed), "input", input, spec.input_shape, bounds)
    flat, area = _plane(spec), math.prod(spec.output_shape[2:])
    drawn = Region(read[1], read[2], dims=2)
    for d in range(spec.input_shape[1]):
        check(flat, idx[:, d] % area, region, drawn)
    kept = last_writers(idx)
    inner = (slice(None), *(slice(*r) for r in read))
    start = (0, *(a for a, _ in read))
    return tuple(PartArray(spec.input_shape, start, np.ascontiguousarray(v[inner])) for v in (x, idx, kept))


def last_writers(indices: np.ndarray) -> np.ndarray:
    """(C, ...) bool: for each cell of ``indices`` (per channel, in input order), whether no
    later cell of its channel names the same index (the value that stays there)."""
    c = indices.shape[0]
    flat = indices.reshape(c, -1)
    span = int(flat.max()) + 1 if flat.size else 1
    keys = (np.arange(c)[:, None] * span + flat).ravel()
    order = np.arange(keys.size)
    _, last_reversed = np.unique(keys[::-1], return_index=True)
    kept = np.zeros(keys.size, dtype=bool)
    kept[order[::-1][last_reversed]] = True
    return kept.reshape(indices.shape)


def scatter_part(x: np.ndarray, indices: np.ndarray, kept: np.ndarray, out_sizes: tuple[int, ...], box: Spans) -> Any:
    """The output cells ``box`` ((start, stop) per output axis after the channels) of an
    unpooling of the input cells ``x`` with ``indices`` (flat in the output's ``out_sizes``):
    zeros, each kept value at its index; ``x`` must hold every cell whose index lies in the box."""
    c = x.shape[0]
    out = np.zeros((c, *(b - a for a, b in box)), dtype=x.dtype)
    where = np.unravel_index(indices, out_sizes)
    inside = kept.copy()
    for axis, (a, b) in zip(where, box):
        inside &= (axis >= a) & (axis < b)
    channel = np.broadcast_to(np.arange(c).reshape(-1, *(1,) * (x.ndim - 1)), x.shape)
    local = tuple(axis[inside] - a for axis, (a, _) in zip(where, box))
    out[(channel[inside], *local)] = x[inside]  # kept values: one per output cell
    return out


def example_part(pool: Any, seed: int, read: Spans, around: Spans, bounds: tuple[int, int]) -> tuple[Any, ...]:
    """(input, indices, kept) of the unpooling's input cells ``read`` ((start, stop) per axis
    after the channels), as :class:`PartArray`: the max pool ``pool``'s output and indices
    there, from its example input (``seed``, values within ``bounds``), and whether each value
    stays, decided among the cells ``around`` (a box holding ``read`` and every cell that can
    share an index with one of it)."""
    start, shape = (0, *(a for a, _ in read)), pool.output_shape
    if any(b <= a for a, b in read):  # no window reaches the part: it holds zeros only
        empty = (shape[0], *(b - a for a, b in read))
        return tuple(PartArray(shape, start, np.zeros(empty, t)) for t in (np.int64, np.int64, bool))
    box = input_box(pool, around)
    cells = example_box(rng_of(seed), pool.input_shape, bounds, box)
    x, indices, _, _ = pool_part(pool, cells, around)
    kept = last_writers(indices)
    inner = (slice(None), *(slice(a - o, b - o) for (a, b), (o, _) in zip(read, around)))
    return tuple(PartArray(shape, start, np.ascontiguousarray(v[inner])) for v in (x, indices, kept))


def output_part(x: Any, indices: Any, kept: Any, out_shape: tuple[int, ...], box: Spans) -> PartArray:
    """The output cells ``box`` of the unpooling of the input cells held (:func:`example_part`)."""
    values = scatter_part(x.values, indices.values, kept.values, out_shape[1:], box)
    return PartArray(out_shape, (0, *(a for a, _ in box)), values)


def part_numbers(in_channels: int, read: Spans, around: Spans, pool: Any, box: Spans) -> int:
    """How many numbers recording the output cells ``box`` holds: the pool's input cells the
    cells ``around`` read (and a float copy), their values, indices and winners, and the output."""
    cells = math.prod(b - a for a, b in input_box(pool, around))
    near = math.prod(b - a for a, b in around)
    return in_channels * (2 * cells + 6 * near + math.prod(b - a for a, b in box))
