"""The numeric core every operation records with: padding, windows, convolution, placements.

Everything is plain NumPy and vectorised: the padded input is built with ``np.pad`` in the
mode PyTorch uses, the output is an ``einsum`` over a strided window view (whole numbers a few
output channels at a time, so that the weight is never copied whole), and the taps of a
placement are computed on demand from index arithmetic.

A render needs less than a recording: every input value, output value and bias, but of the
weight only the kernels it draws (and which values the weight holds, for the kernels' shades).
``record_direct(..., keep=channels)`` records that way, drawing the example weights a few rows
at a time and keeping only those of the channels drawn, so that a render's memory grows with
what it draws, not with the channels it does not.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Iterator, Sequence
from typing import Optional

import numpy as np

from ..errors import SpecError

#: The largest magnitude of a value convgif computes with: kernel values, and inputs, weights
#: and biases given from Python. An output is a sum of at most 20,000,000 products (no layer
#: convgif draws holds more numbers) plus a bias, so with every factor within ±10,000 it stays
#: within 20,000,000 · 10,000² + 10,000 < 2**51: int64 arithmetic cannot overflow, float64
#: holds every whole-number result exactly (below 2**53), and so does the difference of two
#: results. Larger values would be wrapped or rounded, so they are refused.
MAX_MAGNITUDE = 10_000


RULE = f"values must be finite numbers from {-MAX_MAGNITUDE:,} to {MAX_MAGNITUDE:,}, so that every sum convgif computes is exact"


#: Ranges of the default values, small so that a reader can check a sum by eye.
INPUT_RANGE = (0, 3)


WEIGHT_RANGE = (-1, 1)


BIAS_RANGE = (0, 2)


#: How many weight values a whole-number convolution turns into float64 at a time, and how
#: many example values are drawn at a time when they are not all kept.
CHUNK = 1 << 18


def row_chunks(rows: int, per_row: int, block: int = 1) -> Iterator[tuple[int, int]]:
    """(start, stop) of consecutive runs of ``rows`` rows of ``per_row`` values each, about
    :data:`CHUNK` values a run: whole blocks of ``block`` rows where a block fits in a run,
    else parts of one block (a run never spans two blocks partly)."""
    n = max(1, CHUNK // max(per_row, 1))
    if n >= block:
        step = n // block * block
        yield from ((start, min(start + step, rows)) for start in range(0, rows, step))
        return
    for first in range(0, rows, block):
        end = min(first + block, rows)
        yield from ((start, min(start + n, end)) for start in range(first, end, n))


def distinct(array: np.ndarray) -> np.ndarray:
    """The sorted distinct values of ``array``, as ``np.unique`` gives them, found a few rows
    at a time so that nothing as large as the array is made (whole numbers are counted, not
    sorted)."""
    if array.size == 0:
        return np.empty(0, array.dtype)
    rows = array.reshape(1, -1) if array.ndim == 0 else array
    runs = row_chunks(rows.shape[0], array.size // rows.shape[0])
    return _distinct(np.concatenate([_distinct(rows[start:stop]) for start, stop in runs]))


def _distinct(array: np.ndarray) -> np.ndarray:
    if array.dtype.kind in "iu" and array.size:
        low, high = int(array.min()), int(array.max())
        if high - low <= 4 * array.size:
            counts = np.bincount((array.ravel() - low).astype(np.intp, copy=False), minlength=high - low + 1)
            return (np.flatnonzero(counts) + low).astype(array.dtype)
    return unique_sorted(array)


def unique_sorted(array: np.ndarray) -> np.ndarray:
    """The sorted distinct values of ``array`` (one nan for any number of them), as
    ``np.unique`` gives them, without the masked-array module it loads."""
    flat = np.sort(np.asarray(array), axis=None)
    if flat.size < 2:
        return flat
    keep = np.empty(flat.size, bool)
    keep[0] = True
    np.not_equal(flat[1:], flat[:-1], out=keep[1:])
    if flat.dtype.kind in "fc":
        nan = np.isnan(flat)
        if nan.any():
            keep &= ~nan
            keep[int(np.argmax(nan))] = True
    return flat[keep]


def check_exact(name: str, values: object) -> np.ndarray:
    """``values`` as an int64 array (booleans and integers) or a float64 one (floats), after
    checking that convgif computes with them exactly: every value finite and within
    ±:data:`MAX_MAGNITUDE`.

    Raises :class:`SpecError` naming ``name`` (e.g. ``"weight"``) and stating the rule otherwise,
    and for anything that is not an array of real numbers.
    """
    try:
        array = np.asarray(values)
    except (TypeError, ValueError, OverflowError) as error:
        raise SpecError(name, f"{name} must be an array of numbers: {error}") from None
    return exact_array(array, name, name)


def exact_array(array: np.ndarray, name: str, what: str) -> np.ndarray:
    """``array`` checked by the rule of :func:`check_exact` and converted, ``what`` naming it:
    checked a few rows at a time, and not copied when it is int64 or float64 already (a
    large weight, or a kernel repeated over every kernel as a broadcast view, stays as given)."""
    return exact_unconverted(array, name, what).astype(number_type(array), copy=False)


def number_type(array: np.ndarray) -> type:
    """The type convgif computes ``array`` (checked) in: float64 for fractions, else int64."""
    return np.float64 if array.dtype.kind == "f" else np.int64


def exact_unconverted(array: np.ndarray, name: str, what: str) -> np.ndarray:
    """``array`` checked as :func:`exact_array` checks it, but left in its own type: what a
    render takes a part of converts only that part."""
    if array.dtype.kind not in "biuf":
        raise SpecError(name, f"{what} must hold numbers, not {array.dtype}")
    rows = array.reshape(1, -1) if array.ndim == 0 else array
    if array.dtype.kind in "iuf" and array.size:
        for start, stop in row_chunks(rows.shape[0], array.size // rows.shape[0]):
            part = rows[start:stop]
            if part.dtype.kind == "f":
                bad = ~np.isfinite(part) | (np.abs(part) > MAX_MAGNITUDE)
            else:
                bad = (part < -MAX_MAGNITUDE) | (part > MAX_MAGNITUDE)
            if bad.any():  # the first in C order, as one check of the whole array finds it
                value = part[np.unravel_index(int(np.argmax(bad)), part.shape)].item()
                raise SpecError(name, f"{what} holds {show_number(value)}: {name} {RULE}")
    return array


def show_number(value: object) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:g}" if isinstance(value, float) else str(value)  # str: a long double's own digits


def example_values(rng: np.random.Generator, shape: tuple[int, ...], bounds: tuple[int, int]) -> np.ndarray:
    """Small random integers within ``bounds`` (inclusive): values a reader can add by eye."""
    return rng.integers(bounds[0], bounds[1] + 1, shape, dtype=np.int64)


def example_rows(
    rng: np.random.Generator, shape: tuple[int, ...], bounds: tuple[int, int], block: int = 1
) -> Iterator[np.ndarray]:
    """:func:`example_values` of ``shape`` a few rows (axis 0) at a time, the runs of
    :func:`row_chunks` (of ``block`` rows) in order: together the very values one draw of the
    whole array gives, leaving ``rng`` as that draw leaves it.

    That holds because NumPy's generator draws each integer of a small range from 32 bits of
    its 64-bit outputs and keeps the spare half for the next draw, across calls:
    consecutive draws consume one stream whatever their sizes (``tests/test_engine.py`` pins it).
    """
    per_row = math.prod(shape[1:])
    for start, stop in row_chunks(shape[0], per_row, block):
        yield example_values(rng, (stop - start, *shape[1:]), bounds)


def example_part(
    rng: np.random.Generator, shape: tuple[int, ...], bounds: tuple[int, int], box: Sequence[tuple[int, int]]
) -> Optional[np.ndarray]:
    """Of the :func:`example_values` of ``shape``, only the cells ``box`` holds ((start, stop)
    along each axis but the first, whole), leaving ``rng`` as the whole draw leaves it, with
    work that follows the box, not the array: None where that cannot be done.

    It can where the values are drawn without rejection: NumPy's generator draws an integer
    of a range of 2**k values (2 <= 2**k <= 2**32) as the top k bits of the next 32 of its
    64-bit outputs (the low half first, the high half kept for the next draw), so that the
    value at flat index i comes from output i // 2, which PCG64 reaches by jumping ahead.
    """
    low, high = bounds
    size = high - low + 1
    if not _jumpable(rng, size):
        return None
    state = rng.bit_generator.state
    strides = [math.prod(shape[axis + 1 :]) for axis in range(len(shape))]
    start_last, count = box[-1][0], box[-1][1] - box[-1][0]
    out = np.empty((shape[0], *(stop - start for start, stop in box)), np.int64)
    generator = np.random.PCG64()
    leading = [range(shape[0]), *(range(start, stop) for start, stop in box[:-1])]
    for index in itertools.product(*leading):
        first = sum(i * stride for i, stride in zip(index, strides)) + start_last
        word = first // 2
        generator.state = state
        generator.advance(word)
        raw = generator.random_raw((first + count + 1) // 2 - word)
        halves = np.empty(2 * raw.size, np.uint64)
        halves[0::2], halves[1::2] = raw & np.uint64(0xFFFFFFFF), raw >> np.uint64(32)
        taken = halves[first - 2 * word : first - 2 * word + count]
        local = (index[0], *(i - start for i, (start, _) in zip(index[1:], box[:-1])))
        out[local] = (taken * np.uint64(size) >> np.uint64(32)).astype(np.int64) + low
    _jump(rng, state, math.prod(shape))
    return out


def example_box(
    rng: np.random.Generator, shape: tuple[int, ...], bounds: tuple[int, int], box: Sequence[tuple[int, int]]
) -> np.ndarray:
    """Of the :func:`example_values` of ``shape``, the cells ``box`` holds ((start, stop) along
    each axis but the first, whole), leaving ``rng`` as the whole draw leaves it: jumped to
    where :func:`example_part` can, else drawn a few lines (last axis) at a time and only the
    box kept, so that memory follows the box (time, where the values cannot be jumped over,
    the array: every value is drawn)."""
    part = example_part(rng, shape, bounds, box)
    if part is not None:
        return part
    width, lines = shape[-1], math.prod(shape[:-1])
    leading = [range(shape[0]), *(range(start, stop) for start, stop in box[:-1])]
    wanted = np.array([np.ravel_multi_index(i, shape[:-1]) for i in itertools.product(*leading)], np.int64)
    (first, last) = box[-1]
    out = np.empty((wanted.size, last - first), np.int64)
    per = max(1, CHUNK // max(width, 1))
    for start in range(0, lines, per):
        stop = min(start + per, lines)
        block = example_values(rng, (stop - start, width), bounds)
        low, high = np.searchsorted(wanted, [start, stop])
        out[low:high] = block[wanted[low:high] - start, first:last]
    return out.reshape(shape[0], *(stop - start for start, stop in box))


def _jumpable(rng: np.random.Generator, size: int) -> bool:
    """Whether draws of a range of ``size`` values can be jumped over (see :func:`example_part`)."""
    if not isinstance(rng.bit_generator, np.random.PCG64) or size < 2 or size & (size - 1) or size > 1 << 32:
        return False
    return not rng.bit_generator.state.get("has_uint32")


def _jump(rng: np.random.Generator, state: dict, total: int) -> None:
    """Leave ``rng`` (in ``state``) as drawing ``total`` such values leaves it."""
    generator = np.random.PCG64()
    generator.state = state
    generator.advance(total // 2)
    after = generator.state
    if total % 2:  # the last output's high half stays for the next draw
        spare = int(generator.random_raw()) >> 32
        after = generator.state
        after["has_uint32"], after["uinteger"] = 1, spare
    rng.bit_generator.state = after


def skip_values(rng: np.random.Generator, shape: tuple[int, ...], bounds: tuple[int, int]) -> None:
    """Advance ``rng`` past the example values of ``shape`` that a given array replaces, a
    few rows at a time (or at once, where :func:`example_part` can jump): the values after
    them are the same whether it is given or not."""
    if _jumpable(rng, bounds[1] - bounds[0] + 1):
        _jump(rng, rng.bit_generator.state, math.prod(shape))
        return
    for _ in example_rows(rng, shape, bounds):
        pass


def drawn_or_given(
    rng: np.random.Generator, name: str, value: Optional[np.ndarray], shape: tuple[int, ...], bounds: tuple[int, int]
) -> np.ndarray:
    """The array given as ``name`` (checked), or example values within ``bounds``; ``rng``
    advances past those values either way."""
    if value is None:
        return example_values(rng, shape, bounds)
    array = given(name, value, shape, None)
    skip_values(rng, shape, bounds)
    return array


def common_type(*arrays: Optional[np.ndarray]) -> list[Optional[np.ndarray]]:
    """The arrays as int64, or all as float64 where any of them holds fractions."""
    if any(a is not None and a.dtype.kind == "f" for a in arrays):
        return [None if a is None else a.astype(np.float64, copy=False) for a in arrays]
    return list(arrays)


def holds_fractions(value: object) -> bool:
    """Whether an array given to a recording is one of fractions (a recording is then float64);
    False for anything that is not an array of numbers (checking it names the problem)."""
    try:
        return value is not None and np.asarray(value).dtype.kind == "f"
    except (TypeError, ValueError, OverflowError):
        return False


def no_bias(bias: Optional[np.ndarray]) -> None:
    """A layer with ``bias=False`` takes no bias: one given would be ignored, so it is refused."""
    if bias is not None:
        raise SpecError(
            "bias", "this layer has bias=False: it adds no bias, so give none (or make the layer with bias=True)"
        )


def rng_of(seed: int) -> np.random.Generator:
    """The example values' generator of ``seed``: the same seed, the same values."""
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
        raise SpecError("seed", f"seed={seed!r} must be a non-negative integer")
    return np.random.default_rng(int(seed))


def checked(name: str, value: object, shape: tuple[int, ...]) -> np.ndarray:
    """``value`` given as ``name``, checked as :func:`given` checks it (its shape, the rule of
    :func:`check_exact`) but not converted: a render converts the part it draws."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError, OverflowError) as error:
        raise SpecError(name, f"{name} must be an array of numbers: {error}") from None
    if array.shape != tuple(shape):
        raise SpecError(name, f"{name} has shape {array.shape}, but this layer needs {tuple(shape)}")
    return exact_unconverted(array, name, name)


def given(
    name: str, value: Optional[np.ndarray], shape: tuple[int, ...], default: Optional[np.ndarray] = None
) -> np.ndarray:
    """``value`` (an input, weight or bias given) as the layer's int64 or float64 array of
    ``shape``, checked by the one rule every given value follows (:func:`check_exact`), or
    ``default`` when None."""
    if value is None:
        assert default is not None
        return default
    array = np.asarray(value)
    if array.shape != tuple(shape):
        raise SpecError(name, f"{name} has shape {array.shape}, but this layer needs {tuple(shape)}")
    return check_exact(name, array)


def given_indices(name: str, value: object, shape: tuple[int, ...], planes: tuple[int, ...]) -> np.ndarray:
    """``value`` as int64 flat positions of ``shape``, each within a plane of ``planes`` (sizes):
    where an unpooling puts each value. :class:`SpecError` naming ``name`` otherwise."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError, OverflowError) as error:
        raise SpecError(name, f"{name} must be an array of integers: {error}") from None
    if array.shape != tuple(shape):
        raise SpecError(name, f"{name} has shape {array.shape}, but it must have the input's shape {tuple(shape)}")
    if array.dtype.kind not in "iu":
        raise SpecError(name, f"{name} must hold integers (flat output positions), not {array.dtype}")
    area = math.prod(planes)
    bad = (array < 0) | (array >= area)
    if bad.any():
        raise SpecError(
            name,
            f"{name} must lie in 0..{area - 1}, the flat positions of the {tuple(planes)} output plane, "
            f"but hold {int(array[bad].flat[0])}",
        )
    return array.astype(np.int64)
