"""What an operation hands to the layout and the renderer: grids to draw and steps to play.

Every layer kind is drawn the same way: input channels on the left, kernels (if the layer has
weights) in the middle, output channels on the right. An operation describes its picture with
a :class:`Geometry` (sizes and labels, no values: enough to lay out and to refuse early) and,
once recorded, a :class:`Drawn` (the values in each grid and a :class:`Playback` of its steps).
A step says which input cells it reads, which kernel column it uses and which output cells it
writes; the renderer knows nothing else about the layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Optional, Protocol

import numpy as np

Box = tuple[int, int, int, int]  # (row0, col0, row1, col1) in cells, ends exclusive


@dataclass(frozen=True)
class Geometry:
    """The sizes and words of one drawn layer: everything the layout needs.

    ``grid`` is the input as drawn (padded, zero-inserted, ...), ``kernel`` the kernel size or
    None for a layer without weights, ``columns`` the kernels each group applies (output
    channels per group), ``steps_per_column`` the steps one kernel column takes. ``blame``
    names, per axis, the argument (and its value) to shrink when the picture is too large.
    """

    layer: Any  # the spec whose numbers are computed for this picture
    caption: str
    dims: int
    in_channels: int
    out_channels: int
    groups: int
    grid: tuple[int, int]
    kernel: Optional[tuple[int, int]]
    out_size: tuple[int, int]
    steps_per_column: int
    input_heading: str
    kernel_label: Callable[[int, int], str]
    blame: Callable[[int], tuple[str, object, str]]
    notes: tuple[str, ...] = ()
    output_label: Callable[[int], str] = lambda co: f"y[{co}]"
    #: A picture that is its numbers (a layer without weights): drawn with values always.
    numbers: bool = False
    #: Whether the kernel columns of a group take turns (one column a step), or are all
    #: written at each step (a layer whose output channels are one result shown two ways).
    columns_take_turns: bool = True

    @property
    def in_per_group(self) -> int:
        return self.in_channels // self.groups

    @property
    def out_per_group(self) -> int:
        return self.out_channels // self.groups

    @property
    def steps(self) -> int:
        return self.steps_per_column * (self.out_per_group if self.columns_take_turns else 1)


@dataclass(frozen=True)
class Reads:
    """The input cells a step reads on every input channel of one group."""

    cells: np.ndarray  # (n, 3) rows of (channel, row, col) in grid coordinates
    box: Box  # the extent outlined on each channel of the group
    marks: Optional[np.ndarray] = None  # (m, 3) cells singled out (a maximum), outlined in ink


@dataclass(frozen=True)
class Writes:
    """Output cells a step sets: a block of rows × cols of one output channel."""

    channel: int
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray  # (len(rows), len(cols))
    box: Optional[Box] = None  # outlined while the step is shown (None: nothing reached)


@dataclass(frozen=True)
class Step:
    """One step as shown: per group what it reads and writes, the kernel column it uses, and
    its lines of text. ``sums`` are whole entries of the sum line, shown as many as fit."""

    column: int
    reads: dict[int, Reads]
    writes: list[Writes]
    text: str
    sums: tuple[str, ...] = ()


class LazyReads(dict):
    """A step's reads by group, each worked out when the renderer first asks for it (a layer
    with many groups draws only a few)."""

    def __init__(self, make: Callable[[int], Reads]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, group: int) -> Reads:
        self[group] = value = self._make(group)
        return value


class Playback(Protocol):
    """The steps of a drawing. ``advance`` is called once for every step in order (drawn or
    not) and returns what it writes; ``show`` is called only for the steps drawn, right after
    their ``advance``."""

    def advance(self, step: int) -> list[Writes]: ...

    def show(self, step: int) -> Step: ...


@dataclass(frozen=True)
class Shades:
    """How output values map to shades: by rank among ``distinct`` values, or linearly from
    ``low`` to ``high`` over ``count`` shades."""

    low: float
    high: float
    count: int
    distinct: Optional[np.ndarray] = None

    @classmethod
    def of(cls, values: np.ndarray, most: int, linear: bool = False) -> Shades:
        """Rank shades when there are at most ``most`` distinct values (unless ``linear``), else linear."""
        distinct = np.unique(values)
        if distinct.size <= most and not linear or distinct.size == 1:
            return cls(float(distinct[0]), float(distinct[-1]), int(distinct.size), distinct)
        return cls(float(distinct[0]), float(distinct[-1]), most)

    def index(self, values: Any) -> np.ndarray:
        if self.distinct is not None:
            return np.searchsorted(self.distinct, values)
        span = (self.high - self.low) or 1
        return np.rint((np.asarray(values) - self.low) / span * (self.count - 1)).astype(np.intp)


@dataclass
class Drawn:
    """One recorded layer ready to draw.

    ``grid`` (C, rows, cols) holds the input cells' values; ``filler`` marks cells that are not
    the layer's input (padding, inserted zeros), drawn apart, or as paler copies of the cells
    they repeat when ``copies``. ``kernels`` (C_out, C_in/G, KH, KW) holds the weights as the
    kernel column of output channel ``co`` shows them (None: no weights). ``start`` holds what
    the output cells show before any step (None: empty). ``extra["span"]``, when there, is the
    (lowest, highest) value an output cell passes through, for a scale that covers them all.
    """

    geometry: Geometry
    grid: np.ndarray
    filler: np.ndarray
    kernels: Optional[np.ndarray]
    output: np.ndarray
    playback: Playback
    copies: bool = False
    start: Optional[np.ndarray] = None
    value_chars: int = 1
    pixels: bool = False
    #: Written in filler cells instead of their value (e.g. "−∞" for a max pool's padding).
    filler_text: Optional[str] = None
    #: Cells of the grid outside the input and its padding (never read), drawn empty.
    outside: Optional[np.ndarray] = None
    #: Output channels that show numbers only, unshaded (e.g. a max pool's indices).
    plain: tuple[int, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def format_value(value: Any) -> str:
    """A value as written in a cell: integers whole, fractions to three significant digits."""
    number = float(value)
    if not np.isfinite(number):
        return "nan" if np.isnan(number) else ("∞" if number > 0 else "−∞")
    if number.is_integer():
        return str(int(value))
    return f"{float(value):.3g}"


def widest(*arrays: np.ndarray) -> int:
    """Characters of the widest number a values picture writes for these arrays."""
    most = 1
    for array in arrays:
        candidates = np.unique(array) if array.dtype.kind == "f" else (array.min(), array.max())
        most = max(most, *(len(format_value(v)) for v in candidates))
    return most
