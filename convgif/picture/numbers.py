"""How numbers are written in cells, keys and sum lines: as few digits as tell them apart,
float noise written as 0, the widest number a grid writes."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Optional

import numpy as np

from ..engine.values import unique_sorted

Box = tuple[int, int, int, int]  # (row0, col0, row1, col1) in cells, ends exclusive


#: Significant digits of a fraction written in a cell or a sum line.
DIGITS = 3
#: A fraction whose magnitude is below this share of the largest magnitude in its grid is float
#: noise, written and shaded as 0: float32 keeps about 7 significant digits, so a value a
#: millionth of its grid's largest (eight float32 steps at that scale) is rounding left over, not
#: a value, and lies three digits below the last digit the grid's largest value is written to.
NOISE = 1e-6


def magnitude(*arrays: Any) -> float:
    """The largest finite magnitude among the values of ``arrays`` (None skipped; 0 if none)."""
    largest = 0.0
    for array in arrays:
        if array is None:
            continue
        array = np.asarray(array)
        if array.size == 0:
            continue
        low, high = array.min(), array.max()
        if array.dtype.kind == "f" and not (np.isfinite(low) and np.isfinite(high)):
            array = array[np.isfinite(array)]  # finite ends mean every value is finite
            if array.size == 0:
                continue
            low, high = array.min(), array.max()
        largest = max(largest, abs(float(low)), abs(float(high)))
    return largest


#: Values written and sorted at a time where a scale looks for the few numbers its cells write.
WRITTEN_CHUNK = 1 << 16


def few_written(values: Any, scale: float, most: int) -> tuple[Optional[np.ndarray], float, float]:
    """(the sorted distinct numbers ``values`` are written as in a grid of largest magnitude
    ``scale``, or None when more than ``most`` distinct nonzero magnitudes are among them;
    the lowest; the highest). Many values are written a chunk at a time, and once too many
    magnitudes are found the rest are not: the ends are then those of the smallest and
    largest value, as writing a number keeps the order of numbers."""
    values = np.asarray(values)
    if values.size <= WRITTEN_CHUNK:
        distinct = unique_sorted(written(values, scale))
        return distinct, float(distinct[0]), float(distinct[-1])
    flat = values.reshape(-1)
    seen: Optional[np.ndarray] = None
    for start in range(0, flat.size, WRITTEN_CHUNK):
        chunk = unique_sorted(written(flat[start : start + WRITTEN_CHUNK], scale))
        seen = chunk if seen is None else unique_sorted(np.concatenate((seen, chunk)))
        if unique_sorted(np.abs(seen[seen != 0])).size > most and np.isfinite(seen).all():
            low, high = flat.min(), flat.max()
            if np.isfinite(low) and np.isfinite(high):
                ends = written(np.array([low, high]), scale)
                return None, float(ends[0]), float(ends[1])
    assert seen is not None
    return seen, float(seen[0]), float(seen[-1])


def significant(number: float, digits: int = DIGITS) -> str:
    """``number`` to ``digits`` significant digits, as ``%g`` writes it, but with the exact
    value rounded half away from zero: −50/16 = −3.125 is written −3.13, as a student rounding
    by hand writes it (``%g`` rounds a tie to even, −3.12), while 2.675, stored as 2.67499…,
    is below the tie and stays 2.67."""
    number = float(number)
    text = f"{number:.{digits}g}"
    # a tie's exact value has one digit more, a 5: so has its shortest repr (2.675's too, though
    # it is below the tie), and only those are worked out exactly
    shown = repr(number).partition("e")[0].lstrip("-").replace(".", "").strip("0")
    if len(shown) != digits + 1 or shown[-1] != "5" or not np.isfinite(number):
        return text
    exact = Decimal(number)
    rounded = exact.quantize(Decimal(1).scaleb(exact.adjusted() - digits + 1), rounding=ROUND_HALF_UP)
    return f"{float(rounded):.{digits}g}"


def written(values: Any, scale: float) -> np.ndarray:
    """``values`` as the cells of a grid whose largest magnitude is ``scale`` write them (see
    :func:`format_value`): float noise 0, fractions to :data:`DIGITS` significant digits;
    whole numbers, infinities and nan as they are. Shades follow these, so that cells that
    read the same look the same."""
    values = np.asarray(values)
    if values.dtype.kind != "f" or values.size == 0:
        return values
    out = np.where(np.abs(values) < NOISE * scale, 0.0, values)
    fractions = np.isfinite(out) & (out != np.round(out))
    if fractions.any():
        v = out[fractions]
        step = 10.0 ** (np.floor(np.log10(np.abs(v))) - (DIGITS - 1))
        steps = v / step
        whole = np.round(steps)
        halfway = np.abs(np.abs(steps - np.floor(steps)) - 0.5) < 1e-6  # where only the decimal digits can tell
        whole[halfway] = np.round([float(significant(x)) for x in v[halfway]] / step[halfway])
        out[fractions] = whole * step
    return out


def format_value(value: Any, scale: float = 0.0) -> str:
    """A value as written in a cell: whole numbers whole, fractions to :data:`DIGITS`
    significant digits (a tie rounded away from zero, see :func:`significant`; ``1.23e-5``
    where they are very small or large), and, given ``scale`` (the largest magnitude in the
    value's grid), float noise as 0 (see :data:`NOISE`)."""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    number = float(value)
    if not np.isfinite(number):
        return "nan" if np.isnan(number) else ("∞" if number > 0 else "−∞")
    if number.is_integer():
        return str(int(number))
    if abs(number) < NOISE * scale:
        return "0"
    mantissa, e, exponent = significant(number).partition("e")
    return f"{mantissa}e{int(exponent)}" if e else mantissa


def widest(*arrays: np.ndarray, scale: Optional[float] = None) -> int:
    """Characters of the widest number a values picture writes for these arrays, each value
    written as :func:`format_value` writes it in its grid: float noise as 0 below the largest
    magnitude of its array, or ``scale`` where the arrays are a part of a grid (the kernels drawn
    of all the layer's weights). A whole number's width is its smallest's or largest's, so that
    only fractions are formatted one by one: the millions of a large layer's weights in seconds."""
    most = 1
    for array in arrays:
        array = np.asarray(array)
        if array.size == 0:
            continue
        if array.dtype.kind != "f":
            most = max(most, len(format_value(array.min())), len(format_value(array.max())))
            continue
        grid_scale = magnitude(array) if scale is None else scale
        values = array.reshape(-1)
        finite = values[np.isfinite(values)]
        whole = finite == np.floor(finite)
        kept = finite[whole]
        ends = (kept.min(keepdims=True), kept.max(keepdims=True)) if kept.size else ()
        ends += (unique_sorted(values[~np.isfinite(values)]),)
        most = max([most, *(len(format_value(v, grid_scale)) for v in np.concatenate(ends))])
        fractions = finite[~whole]
        fractions = fractions[np.abs(fractions) >= NOISE * grid_scale]  # noise is written 0
        most = max(most, fraction_chars(fractions))
    return most


def fraction_chars(fractions: np.ndarray) -> int:
    """Characters of the widest of ``fractions`` (finite, nonzero, none whole) as
    :func:`format_value` writes them, to :data:`DIGITS` significant digits. The text of a
    fraction is fixed by its sign, its power of ten and its digits once it is rounded, so
    that these are found for all values at once; only a value too near a rounding's
    halfway point or the next power of ten to tell that way is written out (a few in a
    million)."""
    if fractions.size == 0:
        return 0
    v = fractions.astype(np.float64)
    size = np.abs(v)
    # in the fractions' own precision: a power of ten found one off leaves the digits outside
    # DIGITS places, and the value is then written out
    power = np.floor(np.log10(np.abs(fractions)))
    low = int(power.min())
    tens = 10.0 ** np.arange(low - (DIGITS - 1), int(power.max()) - (DIGITS - 1) + 1)
    steps = size / tens[power.astype(np.intp) - low]  # DIGITS digits before the point
    digits = np.rint(steps)
    lowest, highest = 10.0 ** (DIGITS - 1), 10.0**DIGITS - 1
    clear = (steps >= lowest) & (steps <= highest + 0.4) & (np.abs(steps - np.floor(steps) - 0.5) > 1e-6)
    most = 0
    for text in map(significant, v[~clear].tolist()):
        mantissa, e, exponent = text.partition("e")  # format_value writes 1.5e-05 as 1.5e-5
        most = max(most, len(mantissa) + 1 + len(str(int(exponent))) if e else len(text))
    if not clear.any():
        return most
    digits, power, negative = digits[clear], power[clear].astype(np.int64), v[clear] < 0
    shown = np.full(digits.shape, DIGITS, np.int64)  # significant digits once trailing zeros go
    for n in range(1, DIGITS):
        shown -= digits % 10**n == 0
    fixed = (power >= -4) & (power < DIGITS)  # as %g chooses
    before = power + 1  # digits before the point, when fixed and power >= 0
    wide_fixed = np.where(power >= 0, before + np.where(shown > before, 1 + shown - before, 0), 1 - power + shown)
    exponent_chars = np.where(power < 0, 1, 0) + np.floor(np.log10(np.maximum(np.abs(power), 1))).astype(np.int64) + 1
    wide_sci = shown + (shown > 1) + 1 + exponent_chars
    chars = np.where(fixed, wide_fixed, wide_sci) + negative
    return max(most, int(chars.max()))
