"""What the layers that move values without weights share in their pictures: paddings and
up-samplings, whose every output cell reads a few input cells on every channel at once.

A step is one output position: it rings the input cells that position reads (the same on
every channel, each channel its own group), writes the output cell of every channel, and its
sum line says, per channel, what was read and how (:class:`CellPlayback`). A part of a large
layer draws a region of the output and the input cells it reads (:func:`read_region`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Optional

import numpy as np

from ..engine.resample import AxisTaps
from ..errors import SpecError
from ..picture.model import LazyReads, Reads, Region, Step, Writes

#: Range of the example input values: small integers a reader can follow by eye.
INPUT_RANGE = (0, 9)
#: Characters of the widest input value a picture's pixels take (0 to 255).
PIXEL_CHARS = 3


class WritesEachOutput:
    """The costs of a layer that writes every output element once from its input (a padding,
    an up-sampling): what recording it holds and what ``convgif info`` counts."""

    @property
    def numbers(self) -> int:
        """How many numbers recording the layer holds: the input and the output."""
        return math.prod(self.input_shape) + math.prod(self.output_shape)  # type: ignore[attr-defined]

    @property
    def operations(self) -> tuple[str, int]:
        """(name, count) for ``convgif info``: one write per output element."""
        return "writes", math.prod(self.output_shape)  # type: ignore[attr-defined]


def at(dims: int, name: str, c: int, y: Any, x: Any) -> str:
    """An element as PyTorch indexes it: ``y[c, oy, ox]``, or ``y[c, ox]`` for one axis (``y``
    and ``x`` may be ranges as text: ``dx[0, 1:3, 2]``)."""
    return f"{name}[{c}, {y}, {x}]" if dims == 2 else f"{name}[{c}, {x}]"


def position(dims: int, y: int, x: int) -> str:
    """A position as the layer indexes it: ``(oy, ox)``, or ``(ox,)`` for one axis."""
    return f"({y}, {x})" if dims == 2 else f"({x},)"


def flat_axes(axes: Sequence[AxisTaps], dims: int) -> tuple[AxisTaps, AxisTaps]:
    """The (rows, columns) reads of a picture: a one-axis layer is drawn as one row."""
    if dims == 1:
        one = AxisTaps(np.zeros((1, 1), np.int64), np.ones((1, 1)), np.zeros(1))
        return one, axes[-1]
    return axes[-2], axes[-1]


def read_region(rows: AxisTaps, cols: AxisTaps, part: Region, in_size: tuple[int, int], what: str) -> Region:
    """The input cells the output cells of ``part`` read (all of an input of ``in_size`` when
    ``part`` is the whole output); :class:`SpecError` for a part that reads none (``what``
    names what its cells hold instead: only a padding's constant can)."""
    extents = (rows.extent(*part.rows), cols.extent(*part.cols))
    whole = not part.cuts((rows.size, cols.size))
    if None in extents and whole:
        raise SpecError(
            "padding", f"every output cell holds {what}: no input cell is copied, so there is no step to draw"
        )
    if None in extents:
        raise SpecError(
            "region", f"region {part.text()} reads no input cell: its cells all hold {what}; draw another part"
        )
    if whole:
        return Region((0, in_size[0]), (0, in_size[1]), part.dims)
    (r0, r1), (c0, c1) = extents  # type: ignore[misc]
    return Region((r0, r1), (c0, c1), part.dims)


def never_read(rows: AxisTaps, cols: AxisTaps, in_size: tuple[int, int], part: Optional[Region] = None) -> np.ndarray:
    """(H, W) True for the input cells no output cell reads (cropped away); with ``part``, for
    its rows and columns of the input only (built for those alone: a part of a huge input)."""
    read = []
    for taps, n, span in zip((rows, cols), in_size, (None, None) if part is None else (part.rows, part.cols)):
        seen = np.zeros(n, dtype=bool)
        index = taps.index[(taps.weight != 0) & (taps.index >= 0)]
        seen[index] = True
        read.append(seen if span is None else seen[slice(*span)])
    return ~(read[0][:, None] & read[1][None, :])


class CellPlayback:
    """Steps of a layer whose output cells read input cells: step ``k`` is output position
    ``positions[k]`` (in the layer's coordinates), on every channel at once. ``cells(oy, ox)``
    gives the input cells (y, x) it reads, ``text(k, oy, ox)`` its step line and ``entry(c, oy,
    ox)`` channel ``c``'s entry of the sum line. ``part`` is the output drawn, ``read`` the
    input drawn."""

    def __init__(
        self,
        output: np.ndarray,
        positions: Sequence[tuple[int, int]],
        cells: Callable[[int, int], list[tuple[int, int]]],
        text: Callable[[int, int, int], str],
        entry: Callable[[int, int, int], str],
        part: Region,
        read: Region,
    ) -> None:
        self.output, self.positions, self.cells, self.text, self.entry = output, positions, cells, text, entry
        self.part, self.read = part, read

    def advance(self, step: int) -> list[Writes]:
        oy, ox = self.positions[step]
        y, x = oy - self.part.rows[0], ox - self.part.cols[0]
        box = (y, x, y + 1, x + 1)
        rows, cols = np.array([y]), np.array([x])
        return [
            Writes(c, rows, cols, self.output[c, oy : oy + 1, ox : ox + 1], box) for c in range(self.output.shape[0])
        ]

    def show(self, step: int) -> Step:
        oy, ox = self.positions[step]
        drawn = [(y - self.read.rows[0], x - self.read.cols[0]) for y, x in dict.fromkeys(self.cells(oy, ox))]
        ys, xs = [y for y, _ in drawn], [x for _, x in drawn]
        box = (min(ys), min(xs), max(ys) + 1, max(xs) + 1) if drawn else (0, 0, 0, 0)

        def reads(c: int) -> Reads:
            return Reads(np.array([[c, y, x] for y, x in drawn], dtype=np.int64).reshape(-1, 3), box)

        channels = self.output.shape[0]
        sums = tuple(self.entry(c, oy, ox) for c in range(channels))
        return Step(0, LazyReads(reads), self.advance(step), self.text(step, oy, ox), sums, tuple(range(channels)))


def no_values(name: str, weight: Optional[object], bias: Optional[object], why: str) -> None:
    """Refuse a weight or a bias given to a layer that has none."""
    for argument, value in (("weight", weight), ("bias", bias)):
        if value is not None:
            raise SpecError(argument, f"{name} has no {argument}: {why}")
