"""A part of an Unfold or a Fold too large to record whole, each value the whole layer's (the
example input drawn as the whole layer's is, :func:`~convgif.engine.values.example_box`).

* Unfold's part is the columns a render draws (a range of the windows) and the input cells
  their windows read.
* Fold's part is the cells of the padded output a render draws, the columns from the first
  window that reaches them to the last (the steps drawn), and those cells' sums.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ..engine.part import PartArray, held_input
from ..engine.values import rng_of
from ..errors import SpecError
from ..picture.model import Region
from .fold_steps import _windows, first_column
from .gathered import INPUT_RANGE


def unfold_columns(spec: Any, region: Optional[Region]) -> tuple[tuple[int, int], Region]:
    """The columns of an Unfold drawn (start, stop) and the padded input cells their windows read."""
    _, hp, wp = spec.padded_shape
    if region is None:
        return (0, spec.output_shape[1]), Region((0, hp), (0, wp))
    start, stop = region.cols
    _refuse_padding_only_columns(spec, start, stop)
    rows, cols = _windows(spec, spec.input_shape[1:], start, stop)
    return (start, stop), Region((int(rows.min()), int(rows.max()) + 1), (int(cols.min()), int(cols.max()) + 1))


def _refuse_padding_only_columns(spec: Any, start: int, stop: int) -> None:
    """Refuse, naming the region, columns of an Unfold whose windows all lie wholly in the zero
    padding: they hold zeros only and move no input value, as a Fold part of padding alone or a
    ZeroPad2d part that reads no input cell is refused (unless no window of the layer reads
    the input, when there is no other part to draw)."""
    reads = [
        _reading(q, size, k, s, d, places)
        for q, size, k, s, d, places in zip(
            spec.padding, spec.input_shape[1:], spec.kernel_size, spec.stride, spec.dilation, spec.places
        )
    ]
    if not (reads[0].any() and reads[1].any()):
        return
    (r0, c0), (r1, c1) = divmod(start, spec.places[1]), divmod(stop - 1, spec.places[1])
    if r0 == r1:
        read = reads[0][r0] and reads[1][c0 : c1 + 1].any()
    else:  # the first row from c0, the last up to c1, and the whole rows between
        middle = reads[0][r0 + 1 : r1].any() and reads[1].any()
        read = (reads[0][r0] and reads[1][c0:].any()) or (reads[0][r1] and reads[1][: c1 + 1].any()) or middle
    if read:
        return
    better = unfold_placed(spec, Region((0, 1), (start, stop), 1)).cols
    columns = f"column {start}" if stop - start == 1 else f"columns {start}–{stop - 1}"
    raise SpecError(
        "region",
        f"region {start}:{stop} (output {columns}) reads no input cell: every window "
        f"of those columns lies wholly in the zero padding (padding={spec.padding}), so they hold only zeros; "
        f"draw columns whose windows read the input, e.g. --region {better[0]}:{better[1]}",
    )


def fold_cells(spec: Any, region: Optional[Region]) -> tuple[Region, tuple[int, int]]:
    """The cells of a Fold's padded output drawn, and the columns (start, stop) from the first
    window that reaches them to the last (all of them for the whole layer). SpecError for a
    part that holds no output cell (only padding) or that no window reaches."""
    part = Region.of(region, spec.canvas)
    if region is None:
        return part, (0, spec.input_shape[1])
    _refuse_padding_only(spec, part)
    rows, cols = _windows(spec, spec.output_size)
    (r0, r1), (c0, c1) = part.rows, part.cols
    reach = ((rows >= r0) & (rows < r1)).any(axis=1) & ((cols >= c0) & (cols < c1)).any(axis=1)
    found = np.flatnonzero(reach)
    if not found.size:
        raise SpecError(
            "region",
            f"no window of this Fold reaches the output cells {part.text(2)} (of the padded map): they stay 0; "
            "draw a part some window reaches",
        )
    return part, (int(found[0]), int(found[-1]) + 1)


def _refuse_padding_only(spec: Any, part: Region) -> None:
    """Refuse, naming the region, a part of a Fold's padded map that lies wholly in the padding:
    what the columns add there is dropped, so it draws no output cell."""
    p, (ho, wo) = spec.padding, spec.output_size
    kept = [(max(a, q), min(b, q + n)) for (a, b), q, n in zip((part.rows, part.cols), p, (ho, wo))]
    if all(a < b for a, b in kept):
        return
    hc, wc = spec.canvas
    output = Region((p[0], p[0] + ho), (p[1], p[1] + wo))
    raise SpecError(
        "region",
        f"region {part.text(2)} holds no output cell: it lies wholly in the padding of the {hc}×{wc} padded map, "
        f"where what the columns add is dropped; draw another part (the output is {output.text(2)} of it)",
    )


def fold_placed(spec: Any, region: Region) -> Region:
    """Where an automatic part of a Fold's padded map is drawn: from the map's corner, showing
    the padding, where along both axes it takes at most a quarter of the part (the part then
    holds more cells the layer keeps than it drops); along an axis where it would take more, it
    starts where the output does (as near as the map allows)."""
    starts = []
    for (a, b), q, n in zip((region.rows, region.cols), spec.padding, spec.canvas):
        side = b - a
        starts.append(0 if 4 * q <= side else max(0, min(q, n - side)))
    (r0, c0), (h, w) = starts, region.size
    return region._replace(rows=(r0, r0 + h), cols=(c0, c0 + w))


def unfold_placed(spec: Any, region: Region) -> Region:
    """Where an automatic part of an Unfold (a range of its columns) is drawn: the range of its
    size with the most columns whose window reads an input cell (not padding alone), the first
    such that starts on one; from column 0 when every window does."""
    (ph, pw), n = spec.places, region.cols[1] - region.cols[0]
    reads = [
        _reading(q, size, k, s, d, places)
        for q, size, k, s, d, places in zip(
            spec.padding, spec.input_shape[1:], spec.kernel_size, spec.stride, spec.dilation, spec.places
        )
    ]
    if reads[0].all() and reads[1].all():
        return region
    first = int(np.flatnonzero(reads[0])[0])  # the first placement row that reads the input
    stop = min(ph * pw, (first + 2) * pw + n)  # the starts worth trying lie before this row's end
    rows = np.arange(stop) // pw
    real = (reads[0][rows] & reads[1][np.arange(stop) % pw]).astype(np.int64)
    counts = np.convolve(real, np.ones(n, dtype=np.int64), mode="valid")[: min((first + 1) * pw, ph * pw - n) + 1]
    start = int(np.argmax(2 * counts + real[: counts.size]))  # of equals, one that starts on the input
    return region._replace(cols=(start, start + n))


def _reading(pad: int, size: int, kernel: int, stride: int, dilation: int, places: int) -> np.ndarray:
    """(places,) whether each placement along an axis reads an input cell (some tap past the
    padding)."""
    taps = np.arange(places)[:, None] * stride + np.arange(kernel)[None, :] * dilation
    return ((taps >= pad) & (taps < pad + size)).any(axis=1)


def read_by_layer(pad: int, size: int, kernel: int, stride: int, dilation: int, places: int) -> np.ndarray:
    """(size + 2·pad,) whether some window of the layer reads each cell of the padded axis."""
    seen = np.zeros(size + 2 * pad, dtype=bool)
    seen[(np.arange(places)[:, None] * stride + np.arange(kernel)[None, :] * dilation).ravel()] = True
    return seen


def row_blocks(name: str, rows: int) -> str:
    """How a picture counts the blocks of rows it draws of a (C·KH·KW, L) matrix, which has no
    channels: ``row blocks of y (9 rows each)``."""
    return f"row blocks of {name} ({rows} row{'s' if rows > 1 else ''} each)"


def record_unfold_part(
    spec: Any, seed: int, input: Any, columns: tuple[int, int], read: Region
) -> tuple[Any, PartArray, PartArray]:
    """What the recording of the output columns ``columns`` (start, stop) of an Unfold holds,
    ``read`` the padded input cells their windows read: its ``input`` (a part, unless given),
    ``output`` and ``canvas`` (the padded input), as :class:`~convgif.engine.part.PartArray`
    in the layer's coordinates."""
    start, stop = columns
    p, (h, w) = spec.padding, spec.input_shape[1:]
    box = [(min(max(a - q, 0), n), min(max(b - q, 0), n)) for (a, b), q, n in zip((read.rows, read.cols), p, (h, w))]
    box = [(a, max(a, b)) for a, b in box]
    x, cells = held_input(rng_of(seed), input, spec.input_shape, INPUT_RANGE, box)
    canvas = np.zeros((spec.in_channels, *read.size), dtype=cells.dtype)
    (r0, _), (c0, _) = box
    y0, x0 = r0 + p[0] - read.rows[0], c0 + p[1] - read.cols[0]
    canvas[:, y0 : y0 + cells.shape[1], x0 : x0 + cells.shape[2]] = cells
    rows, cols = _windows(spec, (h, w), start, stop)
    taken = canvas[:, (rows - read.rows[0])[:, :, None], (cols - read.cols[0])[:, None, :]]  # (C, L', KH, KW)
    output = taken.transpose(0, 2, 3, 1).reshape(spec.in_channels * spec.cells, stop - start)
    return (
        x,
        PartArray(spec.output_shape, (0, start), output),
        PartArray(spec.padded_shape, (0, read.rows[0], read.cols[0]), canvas),
    )


def record_fold_part(
    spec: Any, seed: int, input: Any, columns: tuple[int, int], part: Region
) -> tuple[Any, PartArray, PartArray]:
    """What the recording of the cells ``part`` of a Fold's padded output holds, ``columns``
    (start, stop) the columns from the first window that reaches them to the last: its
    ``input`` (those columns, unless given), ``output`` (the cells of ``part`` inside the
    padding) and ``canvas`` (the cells of ``part``), as :class:`~convgif.engine.part.PartArray`
    in the layer's coordinates. No column outside ``columns`` adds into ``part``; the input
    held starts at :func:`~convgif.ops.fold_steps.first_column`, so that a playback knows what
    the cells outside the part hold when its first step adds into them."""
    start, stop = columns
    first = first_column(spec, start, stop)
    x, held = held_input(rng_of(seed), input, spec.input_shape, INPUT_RANGE, [(first, stop)])
    cells = held[:, start - first :]
    c, (kh, kw) = spec.in_channels, spec.kernel_size
    (r0, r1), (c0, c1) = part.rows, part.cols
    canvas = np.zeros((c, r1 - r0, c1 - c0), dtype=np.result_type(cells.dtype, np.int64))
    values = cells.reshape(c, kh, kw, stop - start)
    rows, cols = _windows(spec, spec.output_size, start, stop)  # (L', KH), (L', KW)
    for ky in range(kh):
        for kx in range(kw):
            ys, xs = rows[:, ky], cols[:, kx]
            inside = np.flatnonzero((ys >= r0) & (ys < r1) & (xs >= c0) & (xs < c1))
            np.add.at(canvas, (slice(None), ys[inside] - r0, xs[inside] - c0), values[:, ky, kx, inside])
    p, (ho, wo) = spec.padding, spec.output_size
    box = [(min(max(a - q, 0), n), min(max(b - q, 0), n)) for (a, b), q, n in zip((part.rows, part.cols), p, (ho, wo))]
    (y0, y1), (x0, x1) = [(a, max(a, b)) for a, b in box]
    output = canvas[:, y0 + p[0] - r0 : y1 + p[0] - r0, x0 + p[1] - c0 : x1 + p[1] - c0].copy()
    return (
        x,
        PartArray(spec.output_shape, (0, y0, x0), output),
        PartArray((c, *spec.canvas), (0, r0, c0), canvas),
    )
