"""Arrays of which only a part is held: what a render records of a layer too large to hold.

A render draws a part of a layer's output and the input cells it reads; its recording holds
those values in a :class:`PartArray`, indexed in the whole layer's coordinates, so that the
pictures read it as they read a whole array. Reading a value outside the part held is an
error, never a wrong value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional, Union

import numpy as np

from .values import Stream, checked, example_box, number_type, skip_values


class PartArray:
    """The values of a box of a larger array of ``shape``: ``values`` holds the cells from
    ``start`` (one index per axis) on. Indexed like that array (integers, slices of it, index
    arrays; ``None`` with every other axis whole, as a view of one more axis), each index
    inside the box; what lies outside raises :class:`IndexError`."""

    def __init__(self, shape: tuple[int, ...], start: tuple[int, ...], values: np.ndarray) -> None:
        if len(shape) != values.ndim or len(start) != values.ndim:
            raise ValueError(f"a part of shape {values.shape} at {start} does not fit an array of shape {shape}")
        if any(s < 0 or s + n > whole for s, n, whole in zip(start, values.shape, shape)):
            raise ValueError(f"a part of shape {values.shape} at {start} lies outside an array of shape {shape}")
        self.shape = tuple(int(n) for n in shape)
        self.start = tuple(int(s) for s in start)
        self.values = values

    @classmethod
    def whole(cls, values: np.ndarray) -> PartArray:
        return cls(values.shape, (0,) * values.ndim, values)

    @property
    def dtype(self) -> np.dtype:
        return self.values.dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def complete(self) -> bool:
        """Whether the part is the whole array."""
        return self.values.shape == self.shape

    def __len__(self) -> int:
        return self.shape[0]

    def __repr__(self) -> str:
        return f"PartArray(shape={self.shape}, start={self.start}, part={self.values.shape})"

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if not self.complete:
            raise IndexError(f"only a part {self.values.shape} at {self.start} of this {self.shape} array is held")
        return self.values if dtype is None else self.values.astype(dtype)

    def __getitem__(self, index: Any) -> Union[np.ndarray, np.generic, PartArray]:
        index = index if isinstance(index, tuple) else (index,)
        if any(i is None for i in index):
            return self._with_axes(index)
        if len(index) > self.ndim:
            raise IndexError(f"too many indices for an array of {self.ndim} axes")
        index = index + (slice(None),) * (self.ndim - len(index))
        local = tuple(self._local(axis, i) for axis, i in enumerate(index))
        return self.values[local]

    def _local(self, axis: int, index: Any) -> Any:
        """``index`` along ``axis`` moved into the box, checked to lie within it."""
        size, start = self.shape[axis], self.start[axis]
        if isinstance(index, slice):
            first, stop, step = index.indices(size)
            count = len(range(first, stop, step))
            if count == 0:
                return slice(0, 0)
            last = first + (count - 1) * step
            low, high = min(first, last), max(first, last)
            self._check(axis, low, high)
            end = last - start + (1 if step > 0 else -1)
            return slice(first - start, None if end < 0 else end, step)
        if isinstance(index, (int, np.integer)):
            at = int(index) + (size if index < 0 else 0)
            if not 0 <= at < size:
                raise IndexError(f"index {int(index)} is out of bounds for axis {axis} with size {size}")
            self._check(axis, at, at)
            return at - start
        array = np.asarray(index)
        if array.dtype.kind == "b":
            raise IndexError("a part of an array takes no boolean index")
        if array.size == 0:
            return array.astype(np.intp)
        array = np.where(array < 0, array + size, array)
        if array.min() < 0 or array.max() >= size:
            raise IndexError(f"an index is out of bounds for axis {axis} with size {size}")
        self._check(axis, int(array.min()), int(array.max()))
        return array - start

    def _check(self, axis: int, low: int, high: int) -> None:
        start, held = self.start[axis], self.values.shape[axis]
        if low < start or high >= start + held:
            raise IndexError(
                f"cells {low}..{high} of axis {axis} lie outside the part held ({start}..{start + held - 1})"
            )

    def _with_axes(self, index: tuple) -> PartArray:
        """``a[:, None, :]``: the same part seen with new axes of one cell."""
        if any(i is not None and i != slice(None) for i in index) or sum(i is not None for i in index) != self.ndim:
            raise IndexError("a part of an array takes None only beside whole axes")
        shape, start, axes = [], [], iter(range(self.ndim))
        for i in index:
            if i is None:
                shape.append(1)
                start.append(0)
            else:
                axis = next(axes)
                shape.append(self.shape[axis])
                start.append(self.start[axis])
        return PartArray(tuple(shape), tuple(start), self.values[index])


def held_input(
    rng: Stream,
    input: Any,
    shape: tuple[int, ...],
    bounds: tuple[int, int],
    box: Sequence[tuple[int, int]],
    drawn: Optional[tuple[int, ...]] = None,
) -> tuple[Any, np.ndarray]:
    """The input a part's recording holds and the values of its cells ``box`` ((start, stop) per
    axis after the channels), ``rng`` left as a whole draw leaves it: the example values of
    ``shape`` (within ``bounds``) drawn in ``box`` alone, held as a :class:`PartArray`, or
    ``input`` given, checked and held as given, only its cells converted. ``drawn``: the shape
    of the layer a picture draws, where it differs (a 1-D layer drawn as one row: (C, 1, L))."""
    drawn = drawn or shape
    if input is None:
        cells = example_box(rng, drawn, bounds, box)
        return PartArray(drawn, (0, *(a for a, _ in box)), cells), cells
    given = checked("input", input, shape)
    skip_values(rng, shape, bounds)
    x = given[:, None, :] if len(drawn) > len(shape) else given
    return x, x[(slice(None), *(slice(*b) for b in box))].astype(number_type(given), copy=False)
