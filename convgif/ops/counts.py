"""Pictures of counts: how many products (kernel taps) reach each output cell when every input
and every weight is 1, built up one input cell a step.

A layer whose reach is separable (a transposed convolution, the 2× up-samplings of
:mod:`convgif.ops.checkerboard`) is described per axis: ``rows[i, o]`` products input row ``i``
adds into output row ``o``, ``cols`` the same for columns; input cell (i, j) adds
``rows[i, o]·cols[j, p]`` into output cell (o, p). Each map of counts is one output channel
of the picture, filled one input cell a step, one map after the other.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Optional

import numpy as np

from ..picture.model import Crop, Drawn, Geometry, Part, Reads, Region, Step, Writes

#: (rows, cols) of one map: products per input row and output row, per input column and output column.
Reach = tuple[np.ndarray, np.ndarray]


def span(where: np.ndarray) -> str:
    """Positions as a range: ``3`` or ``2–5``; ``2, 4, 6`` where they are not next to each other."""
    first, last = int(where[0]), int(where[-1])
    if len(where) > 1 and last - first + 1 != len(where):
        return ", ".join(str(int(v)) for v in where)
    return str(first) if first == last else f"{first}–{last}"


def counts_of(reach: Reach) -> np.ndarray:
    """The counts a map ends with: the outer product of its axes' column sums."""
    rows, cols = reach
    return rows.sum(axis=0)[:, None] * cols.sum(axis=0)[None, :]


class CountPlayback:
    """Step ``k·A + p`` (A input cells drawn) is input cell ``p``, row by row, adding its
    products to map ``k``. ``words(map, step, i, j, rows, cols)`` gives a step's line and its
    sum line's entry, for input cell (i, j) and the output rows and columns it reaches, as
    drawn (where in the layer they are is the caller's to add)."""

    def __init__(
        self,
        reaches: Sequence[Reach],
        words: Callable[[int, int, int, int, np.ndarray, np.ndarray], tuple[str, str]],
    ) -> None:
        self.reaches = list(reaches)
        self.words = words
        self.h, self.w = self.reaches[0][0].shape[0], self.reaches[0][1].shape[0]
        self.area = self.h * self.w
        self.steps = len(self.reaches) * self.area

    def _at(self, step: int) -> tuple[int, int, int]:
        way, cell = divmod(step, self.area)
        return (way, *divmod(cell, self.w))

    def _reached(self, way: int, i: int, j: int) -> tuple[np.ndarray, np.ndarray]:
        rows, cols = self.reaches[way]
        return np.flatnonzero(rows[i]), np.flatnonzero(cols[j])

    def advance(self, step: int) -> list[Writes]:
        way, i, j = self._at(step)
        rows, cols = self.reaches[way]
        ys, xs = self._reached(way, i, j)
        if not (ys.size and xs.size):
            return [Writes(way, ys, xs, np.zeros((ys.size, xs.size), dtype=np.int64), None)]
        # the counts after this cell: every row before it whole, then its own row up to it
        before = rows[:i].sum(axis=0)[ys][:, None] * cols.sum(axis=0)[xs][None, :]
        this_row = rows[i][ys][:, None] * cols[: j + 1].sum(axis=0)[xs][None, :]
        box = (int(ys[0]), int(xs[0]), int(ys[-1]) + 1, int(xs[-1]) + 1)
        return [Writes(way, ys, xs, before + this_row, box)]

    def show(self, step: int) -> Step:
        way, i, j = self._at(step)
        ys, xs = self._reached(way, i, j)
        text, entry = self.words(way, step, i, j, ys, xs)
        reads = {0: Reads(np.array([[0, i, j]]), (i, j, i + 1, j + 1))}
        return Step(way, reads, self.advance(step), text, (entry,), (way,))


# -- a transposed convolution's overlaps (``view="overlaps"``) ------------------------------------


def overlap_reach(spec: Any, read: Region, part: Region) -> Reach:
    """The reach of a (2-D) transposed convolution's kernel taps, per axis, from the input cells
    ``read`` to the output cells ``part``."""
    from ..engine.matrix import transposed_reach

    axes = []
    for a, (cells, out) in enumerate(zip((read.rows, read.cols), (part.rows, part.cols))):
        whole = transposed_reach(
            spec.input_shape[1 + a],
            spec.kernel_size[a],
            spec.stride[a],
            spec.dilation[a],
            spec.padding[a],
            spec.output_padding[a],
        )
        axes.append(whole[slice(*cells), slice(*out)])
    return axes[0], axes[1]


def overlaps_geometry(spec: Any, layer: Any, dims: int, region: Optional[Region] = None) -> Geometry:
    """The overlap counts of transposed convolution ``spec`` (2-D; ``layer`` the layer itself):
    one input map of ones, one output map counting the kernel taps that land on each cell."""
    from .matrix import transposed_parts

    part, _, read = transposed_parts(spec, region)
    _, h, w = spec.input_shape
    _, ho, wo = spec.output_shape
    counts = counts_of(overlap_reach(spec, Region((0, h), (0, w)), Region((0, ho), (0, wo))))
    taps = sorted({int(v) for v in np.unique(counts)})
    k, s = layer.kernel_size, layer.stride
    notes = [
        "every input cell and every weight 1, one channel: each output cell counts the kernel taps that land on it",
        f"taps per output cell: {', '.join(map(str, taps))}"
        + (
            f": uneven where the stride {tuple(s)} does not divide the kernel's reach (the checkerboard of "
            "up-sampling by a transposed convolution)"
            if len(taps) > 1
            else ""
        ),
    ]
    if spec.in_per_group > 1:
        notes.append(f"each tap adds the {spec.in_per_group} input channels of its group: times that many products")
    if spec.padding != (0, 0):
        notes.append(f"padding={layer.padding}: taps that land outside the output are not counted")
    fields: dict[str, Any] = {}
    if region is not None and part.cuts((ho, wo)):
        notes.append(
            f"drawn: output {part.text(dims)} of {ho}×{wo}, and the input {read.text(dims)} of {h}×{w} whose taps land there"
        )
        in_cut = (read.rows, read.cols) != ((0, h), (0, w))
        fields["part"] = Part(
            Crop((h, w), (read.rows[0], read.cols[0])) if in_cut else None, Crop((ho, wo), (part.rows[0], part.cols[0]))
        )
    steps = math.prod(read.size)
    y, x = read.rows[1] - 1, read.cols[1] - 1  # the last input cell stepped, its line the longest
    where = f"input ({y}, {x})" if dims == 2 else f"input ({x},)"
    where += f" · step {steps}/{steps}" + (" of this part" if steps < h * w else "")  # as overlaps_drawn counts
    return Geometry(
        layer=layer,
        caption=layer.caption,
        dims=dims,
        in_channels=1,
        out_channels=1,
        groups=1,
        grid=read.size,
        kernel=None,
        out_size=part.size,
        steps_per_column=steps,
        input_heading="input (ones)" + (", part" if "part" in fields and fields["part"].input else ""),
        output_heading="kernel taps per output cell" + (", part" if "part" in fields else ""),
        kernel_label=lambda i, j: "",
        blame=lambda axis: ("input_shape", layer.input_shape, "input"),
        notes=tuple(notes),
        output_label=lambda co: "y[0]",
        numbers=True,
        step_text=where,
        sum_chars=lambda chars, drawn: (
            len(  # and a few for the breaks at spaces
                _tap_entry(dims, (h - 1, w - 1), np.arange(ho - k[0], ho), np.arange(wo - k[-1], wo), (9, 9))
            )
            + 12
        ),
        value_chars=len(str(int(counts.max()))),
        **fields,
    )


def overlaps_drawn(spec: Any, geometry: Geometry, dims: int, region: Optional[Region] = None) -> Drawn:
    """The overlap counts drawn: ones in, taps per output cell out, one input cell a step."""
    from .matrix import transposed_parts

    part, _, read = transposed_parts(spec, region)
    reach = overlap_reach(spec, read, part)
    steps = math.prod(read.size)

    def words(way: int, step: int, i: int, j: int, ys: np.ndarray, xs: np.ndarray) -> tuple[str, str]:
        y, x = i + read.rows[0], j + read.cols[0]
        cell = f"input ({y}, {x})" if dims == 2 else f"input ({x},)"
        text = f"{cell} · step {step + 1}/{steps}{' of this part' if steps < math.prod(spec.input_shape[1:]) else ''}"
        if not (ys.size and xs.size):
            return text, f"{cell}: no tap lands in the part drawn"
        return text, _tap_entry(dims, (y, x), ys + part.rows[0], xs + part.cols[0], (ys.size, xs.size))

    grid = np.ones((1, *read.size), dtype=np.int64)
    return Drawn(
        geometry=geometry,
        grid=grid,
        filler=np.zeros(read.size, dtype=bool),
        kernels=None,
        output=counts_of(reach)[None],
        playback=CountPlayback([reach], words),
        start=np.zeros((1, *part.size), dtype=np.int64),
        value_chars=geometry.value_chars,
    )


def _tap_entry(dims: int, cell: tuple[int, int], rows: np.ndarray, cols: np.ndarray, taps: tuple) -> str:
    """What one input cell adds to the counts: ``input (1, 1) lands 3 × 3 taps on rows 2–4,
    columns 2–4: +1 on each`` (rows and columns listed where the dilation spaces them)."""
    y, x = cell
    where = f"rows {span(rows)}, columns {span(cols)}" if dims == 2 else f"positions {span(cols)}"
    count = f"{taps[0]} × {taps[1]} taps" if dims == 2 else f"{taps[1]} tap{'s' if taps[1] != 1 else ''}"
    name = f"input ({y}, {x})" if dims == 2 else f"input ({x},)"
    return f"{name} lands {count} on {where}: +1 on each"
