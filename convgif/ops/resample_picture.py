"""The words of an up-sampling's picture: where each output cell's source falls, the
weights of the cells it reads, the sum line and the notes that state the mode's rule."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine.resample import AxisTaps
from ..picture.model import Region
from ..picture.numbers import format_value, significant
from .gathered import at, position


def _coordinate(value: float) -> str:
    text = significant(value, 4)
    return text.replace("-", "−")


def axis_source(spec, taps: AxisTaps, i: int) -> str:
    """Where output position ``i`` reads on one axis, as the step line writes it."""
    if spec.mode == "area":
        reads = taps.reads(i)
        first, last = reads[0][0], reads[-1][0]
        return str(first) if first == last else f"{first}–{last}"
    if taps.source is None:
        return str(int(taps.index[i, 0]))
    source = _coordinate(float(taps.source[i]))
    if spec.mode in ("nearest", "nearest-exact"):
        return f"{source}→{int(taps.index[i, 0])}"
    if taps.raw is not None and taps.raw[i] != taps.source[i]:
        return f"{_coordinate(float(taps.raw[i]))}→{source}"
    return source


def _weight(value: float) -> str:
    return format_value(value)


def weighted(reads: list[tuple[int, float]], inner: list[str]) -> str:
    """``w0·a + w1·b …`` (a term of weight 1 written alone, negative weights subtracted)."""
    if len(reads) == 1 and reads[0][1] == 1:
        return inner[0]
    text = ""
    for (_, w), term in zip(reads, inner):
        shown = f"{_weight(abs(w))}·{term}"
        text = shown if not text and w >= 0 else f"{text} {'−' if w < 0 else '+'} {shown}" if text else f"−{shown}"
    return text


def sum_text(
    spec, rows: AxisTaps, cols: AxisTaps, x: np.ndarray, c: int, oy: int, ox: int, value: Any, dims: int
) -> str:
    """Channel ``c``'s entry of the sum line at output (oy, ox): the weights and the values
    they weigh, rows' weights outside and columns' inside, or an area's mean."""
    row_reads, col_reads = rows.reads(oy), cols.reads(ox)
    y = at(dims, "y", c, oy, ox)
    if spec.mode == "area":
        values = [format_value(x[c, j, i]) for j, _ in row_reads for i, _ in col_reads]
        return f"{y} = ({' + '.join(values)}) / {len(values)} = {format_value(value)}"
    if all(len(r) == 1 and r[0][1] == 1 for r in (row_reads, col_reads)):
        (j, _), (i, _) = row_reads[0], col_reads[0]
        return f"{y} = {at(dims, 'x', c, j, i)} = {format_value(value)}"
    inner = []  # every product written (a bicubic's 16 too), so that the value can be checked by hand
    for j, _ in row_reads:
        terms = [format_value(x[c, j, i]) for i, _ in col_reads]
        text = weighted(col_reads, terms)
        inner.append(f"({text})" if len(col_reads) > 1 and len(row_reads) > 1 else text)
    return f"{y} = {weighted(row_reads, inner)} = {format_value(value)}"


def rule_notes(spec) -> list[str]:
    """What the picture's notes say of the rule: the source coordinate and the weights."""
    names = {1: ("",), 2: ("rows: ", "columns: "), 3: ("depth: ", "rows: ", "columns: ")}[spec.dims]
    rules, whys = [], []  # whys: each rule's reason in brackets, written once after them all
    for name, n, m, f in zip(names, spec.input_shape[1:], spec.output_shape[1:], spec.kernel_factors):
        step = f"/{_coordinate(f)}" if f is not None and not spec.corners else f"·{n}/{m}"
        if spec.corners:
            step = f"·{n - 1}/{m - 1}" if m > 1 else "·0"
        if spec.mode == "nearest":
            rule = f"source i{step}, rounded down"
        elif spec.mode == "nearest-exact":
            rule = f"source (i + 0.5){step}, rounded down"
        elif spec.mode == "area":
            rule = f"output i averages input cells floor(i·{n}/{m}) to ceil((i + 1)·{n}/{m}) − 1"
        elif spec.corners:
            rule, why = f"source i{step}", "align_corners: the corner cells line up"
        else:
            low = ", at least 0" if spec.mode != "bicubic" else ""
            rule, why = f"source (i + 0.5){step} − 0.5", f"half-pixel centres{low}"
        if (
            n == m
            and rule
            and spec.mode in ("nearest", "linear", "bilinear", "trilinear")
            and not (spec.mode == "nearest" and spec.dims != 2)
        ):
            rule = "same size: copied (PyTorch skips the scale on an axis whose size does not change)"
        elif spec.mode not in ("nearest", "nearest-exact", "area"):
            whys.append((len(rules), why))
        rules.append((name, rule))
    if len({rule for _, rule in rules}) == 1:
        rules, whys = [("", rules[0][1])], [(0, why) for _, why in whys[:1]]
    if whys:  # the reason once, after the last rule it is for: "rows: source i·3/7; columns: source i·4/9 (...)"
        last, why = whys[-1]
        rules[last] = (rules[last][0], f"{rules[last][1]} ({why})")
    weights = {
        "nearest": "each output copies one input cell",
        "nearest-exact": "each output copies one input cell",
        "area": "",
        "bicubic": "weights of the 4 cells around the source from its fraction t (cubic, A = −0.75); cells past the edge repeat the edge cell",
    }.get(spec.mode, "weights 1 − t and t of the cells either side, t the source's fraction")
    return ["; ".join(name + rule for name, rule in rules), *([weights] if weights else [])]


def step_text(spec, rows: AxisTaps, cols: AxisTaps, oy: int, ox: int, step: int, steps: int, part: bool) -> str:
    """Where output (oy, ox) reads, and the step among the ``steps`` drawn (``of this part``
    when they are those of a part of the output, or some channels are left out)."""
    dims = spec.dims
    if dims == 2:
        where = f"({axis_source(spec, rows, oy)}, {axis_source(spec, cols, ox)})"
    else:
        where = f"({axis_source(spec, cols, ox)},)"
    verb = "averages input" if spec.mode == "area" else "from source"
    counted = f"step {step + 1}/{steps}{' of this part' if part else ''}"
    return f"output {position(dims, oy, ox)} {verb} {where} · {counted}"


def longest_step(spec, rows: AxisTaps, cols: AxisTaps, region: Region) -> Callable[[bool], str]:
    """The longest step line of a picture of ``region`` (counted ``of this part`` or not), its
    last step's: a row's source follows its row alone and a column's its column, so the widest
    row's widest column writes the most."""
    steps = math.prod(region.size)

    def chars(oy: int, ox: int) -> int:
        return len(step_text(spec, rows, cols, oy, ox, 0, 1, False))

    oy = max(range(*region.rows), key=lambda y: chars(y, region.cols[0]))
    ox = max(range(*region.cols), key=lambda x: chars(oy, x))
    return lambda part: step_text(spec, rows, cols, oy, ox, steps - 1, steps, part)
