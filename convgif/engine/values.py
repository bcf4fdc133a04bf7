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


#: About how many values one block of windows may hold when a layer's windows are laid out
#: side by side (a convolution's rows of taps, a pooling's window cells): larger layers are
#: computed a block of output cells at a time, so that memory follows the block, not the layer.
BLOCK = 1 << 22


def cell_blocks(spans: Sequence[tuple[int, int]], per_cell: int) -> Iterator[list[tuple[int, int]]]:
    """Boxes ((start, stop) per axis) that together cover the output cells ``spans`` in order,
    each of at most about :data:`BLOCK` values when a cell holds ``per_cell`` (at least one cell)."""
    most = max(1, BLOCK // max(per_cell, 1))
    (a, b), rest = spans[0], list(spans[1:])
    inner = math.prod(stop - start for start, stop in rest)
    if inner * (b - a) <= most:
        yield list(spans)
    elif inner <= most:
        step = most // max(inner, 1)
        yield from ([(start, min(start + step, b)), *rest] for start in range(a, b, step))
    else:
        for index in range(a, b):
            yield from ([(index, index + 1), *box] for box in cell_blocks(rest, per_cell))


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


class Stream:
    """The example values of one seed: value ``i`` of the stream is a fixed hash of the seed
    and ``i`` (SplitMix64's mixing of a Weyl sequence), so that any part of an array is drawn
    without the values before it. Draws read consecutive positions, from ``position`` on: the
    same seed, the same values, whether an array is drawn whole, a few rows at a time, in part
    or skipped. Streams of one seed numbered apart (``stream``) hold unrelated values."""

    def __init__(self, seed: int, stream: int = 0) -> None:
        key = np.array([(seed * _GOLDEN + stream * _OTHER) % 2**64], np.uint64)
        self.key = np.uint64(_mix(key, np.empty_like(key))[0])
        self.position = 0

    def words(self, positions: np.ndarray) -> np.ndarray:
        """The 64-bit words at ``positions`` (uint64) of the stream, computed in place."""
        positions += np.uint64(1)
        positions *= _WEYL
        positions += self.key
        return _mix(positions, np.empty_like(positions))

    def take(self, count: int) -> np.ndarray:
        """The next ``count`` positions (uint64), the stream moved past them."""
        start = self.position
        self.position += count
        return np.arange(start, start + count, dtype=np.uint64)

    def skip(self, count: int) -> None:
        self.position += count


_GOLDEN = 0x9E3779B97F4A7C15
_OTHER = 0xD1B54A32D192ED03
_WEYL = np.uint64(_GOLDEN)
#: How many values are hashed at a time: the temporaries stay small for a large array.
RUN = 1 << 14


def _mix(x: np.ndarray, spare: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser of uint64 ``x``, in place (``spare`` a scratch array like it):
    every bit of the result depends on every bit of ``x``."""
    for shift, factor in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB), (31, 0)):
        np.right_shift(x, np.uint64(shift), out=spare)
        x ^= spare
        if factor:
            x *= np.uint64(factor)
    return x


def _bounded(words: np.ndarray, bounds: tuple[int, int], out: np.ndarray) -> None:
    """Integers within ``bounds`` (inclusive, at most 2**32 of them) into ``out`` (int64, the
    shape of ``words``), from the top 32 bits of ``words`` scaled by multiplication (``words``
    is spent)."""
    low, high = bounds
    words >>= np.uint64(32)
    words *= np.uint64(high - low + 1)
    words >>= np.uint64(32)
    np.copyto(out, words, casting="unsafe")
    out += low


def example_values(rng: Stream, shape: tuple[int, ...], bounds: tuple[int, int]) -> np.ndarray:
    """Small random integers within ``bounds`` (inclusive): values a reader can add by eye."""
    out = np.empty(math.prod(shape), np.int64)
    for start in range(0, out.size, RUN):
        part = out[start : start + RUN]
        _bounded(rng.words(rng.take(part.size)), bounds, part)
    return out.reshape(shape)


def example_fractions(rng: Stream, shape: tuple[int, ...]) -> np.ndarray:
    """Random float64 values in [0, 1), 53 bits each."""
    words = rng.words(rng.take(math.prod(shape)))
    return ((words >> np.uint64(11)).astype(np.float64) * 2.0**-53).reshape(shape)


def example_rows(rng: Stream, shape: tuple[int, ...], bounds: tuple[int, int], block: int = 1) -> Iterator[np.ndarray]:
    """:func:`example_values` of ``shape`` a few rows (axis 0) at a time, the runs of
    :func:`row_chunks` (of ``block`` rows) in order: together the very values one draw of the
    whole array gives, leaving ``rng`` as that draw leaves it."""
    per_row = math.prod(shape[1:])
    for start, stop in row_chunks(shape[0], per_row, block):
        yield example_values(rng, (stop - start, *shape[1:]), bounds)


def example_box(
    rng: Stream, shape: tuple[int, ...], bounds: tuple[int, int], box: Sequence[tuple[int, int]]
) -> np.ndarray:
    """Of the :func:`example_values` of ``shape``, the cells ``box`` holds ((start, stop) along
    each axis but the first, whole), leaving ``rng`` as the whole draw leaves it: time and
    memory follow the box, not the array."""
    spans = [(0, shape[0]), *box]
    strides = [math.prod(shape[axis + 1 :]) for axis in range(len(shape))]
    positions = np.full([1] * len(shape), rng.position, np.uint64)
    for axis, ((start, stop), stride) in enumerate(zip(spans, strides)):
        along = np.arange(start, stop, dtype=np.uint64) * np.uint64(stride)
        positions = positions + along.reshape([-1 if a == axis else 1 for a in range(len(shape))])
    rng.skip(math.prod(shape))
    out = np.empty(positions.shape, np.int64)
    _bounded(rng.words(positions), bounds, out)
    return out


def skip_values(rng: Stream, shape: tuple[int, ...], bounds: tuple[int, int]) -> None:
    """Move ``rng`` past the example values of ``shape`` that a given array replaces: the
    values after them are the same whether it is given or not."""
    rng.skip(math.prod(shape))


def drawn_or_given(
    rng: Stream, name: str, value: Optional[np.ndarray], shape: tuple[int, ...], bounds: tuple[int, int]
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


def rng_of(seed: int, stream: int = 0) -> Stream:
    """The example values' stream of ``seed``: the same seed, the same values."""
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
        raise SpecError("seed", f"seed={seed!r} must be a non-negative integer")
    return Stream(int(seed), stream)


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
