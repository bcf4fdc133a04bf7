"""How numbers are written: a value exactly halfway rounds away from zero, as by hand, in the
cells, the sum lines, the shades and the cell widths alike."""

from __future__ import annotations

import numpy as np
import pytest

from convgif.picture.numbers import format_value, significant, widest, written

#: Values exactly halfway at three significant digits (all exact in binary), as a student
#: rounds them by hand; %g rounds a tie to even (−3.12, 0.312, −2.12, 1.12, −10.2; 4.38 and 56.2).
TIES = {-3.125: "-3.13", 0.3125: "0.313", 4.375: "4.38", -2.125: "-2.13", 1.125: "1.13", -10.25: "-10.3", 56.25: "56.3"}


@pytest.mark.parametrize("value, text", TIES.items())
def test_a_value_exactly_halfway_rounds_away_from_zero(value, text):
    assert format_value(value) == text
    assert format_value(np.float32(value)) == text
    assert written(np.array([value]), 0.0)[0] == pytest.approx(float(text), rel=1e-12)  # shaded as it reads
    assert widest(np.array([value])) == len(text)


def test_a_float_below_the_tie_stays_below():
    # 2.675 and 1.005 are stored a little below their ties: their exact values round down
    assert format_value(2.675) == "2.67" and format_value(-2.675) == "-2.67"
    assert format_value(1.005) == "1" and format_value(0.1 + 0.2) == "0.3"


def test_four_digits_too():
    assert significant(0.015625, 4) == "0.01563" and significant(-2.00025, 4) == "-2"
    assert significant(1125000.0) == "1.13e+06"  # as an LP pooling's large sums are written


def test_widths_are_those_of_the_strings_written():
    generator = np.random.default_rng(0)
    values = np.concatenate([list(TIES), generator.integers(-2000, 2000, 200) / 16, generator.normal(size=50)])
    for value in values:
        assert widest(np.array([value])) == len(format_value(value)), value
    assert widest(values) == max(len(format_value(v)) for v in values)
