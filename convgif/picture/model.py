"""What an operation hands to the layout and the renderer: grids to draw and steps to play.

Every layer kind is drawn the same way: input channels on the left (or across the top, on a
slide), kernels (if the layer has weights) beside (or under) them, output channels on the right.
An operation describes its picture with a :class:`Geometry` (sizes and labels, no values: enough to lay out and to refuse early) and,
once recorded, a :class:`Drawn` (the values in each grid and a :class:`Playback` of its steps).
A step says which input cells it reads, which kernel column it uses and which output cells it
writes, and its sum line (each output's products' total and bias, so that every number can be
checked from the frame); the renderer knows nothing else about the layer. How the values map
to shades, and the colour keys (:class:`Key`) that explain them, is :mod:`.shades`'s.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional, Protocol, Union

import numpy as np

Box = tuple[int, int, int, int]  # (row0, col0, row1, col1) in cells, ends exclusive


class Crop(NamedTuple):
    """A drawn grid as a part of a larger map: the whole map's size (rows, columns) and the
    (row, column) of the whole map where the drawn part starts (its size is the grid's)."""

    whole: tuple[int, int]
    start: tuple[int, int]

    def hidden(self, size: tuple[int, int]) -> tuple[int, int, int, int]:
        """Cells of the whole map not drawn above, below, left and right of a part of ``size``."""
        (rows, cols), (r0, c0) = self.whole, self.start
        return r0, rows - r0 - size[0], c0, cols - c0 - size[1]


class Part(NamedTuple):
    """Which parts of larger maps a layer's picture draws (:attr:`Geometry.part`).

    ``input`` places the input grid as drawn (``Geometry.grid``: padded, zero-inserted, ...)
    in the whole map of that kind, ``output`` the output grids (``Geometry.out_size``) in the
    whole output; None where that grid is drawn whole. Any operation that draws a region sets
    it; the renderer then marks, on each side of a grid where its map goes on, that it does and
    by how many cells, and knows nothing else of the layer.
    """

    input: Optional[Crop] = None
    output: Optional[Crop] = None


class WholePicture(NamedTuple):
    """The whole input picture of a drawing that draws only a part of it (:attr:`Drawn.picture`):
    its ``pixels`` (C, H, W) with C 1 (grey) or 3 (RGB), levels 0..255, and the picture's rows
    and columns (start, stop) that the drawn input cells read, padding left out (an empty range
    where they read padding only)."""

    pixels: np.ndarray
    rows: tuple[int, int]
    cols: tuple[int, int]

    @property
    def size(self) -> tuple[int, int]:
        """(height, width) in pixels."""
        return self.pixels.shape[1], self.pixels.shape[2]


@dataclass(frozen=True, eq=False)
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
    #: What the input grids are called (``x``; a second stage names the first one's output).
    input_name: str = "x"
    #: The label of input channel c's grid, when not ``x[c]`` (the rows of a matrix it is).
    input_label: Optional[Callable[[int], str]] = None
    #: What the input grids are, counted when not all are shown (None: the input channels, or
    #: a gradient's picture's ``dy channels``; a 3-D layer's depth picture: the input slices it reads).
    inputs_word: Optional[str] = None
    #: What the output grids are, counted when not all are shown (None: the output channels,
    #: or a gradient's picture's ``dx channels``; dw's: its kernels).
    outputs_word: Optional[str] = None
    #: A picture that is its numbers (a layer without weights): drawn with values always.
    numbers: bool = False
    #: Whether the kernel columns of a group take turns (one column a step), or are all
    #: written at each step (a layer whose output channels are one result shown two ways).
    columns_take_turns: bool = True
    #: Whether each step writes every channel (a pooling: one window position a step, all its
    #: channels): then leaving channels out leaves no step out, and the steps are not a part's.
    steps_every_channel: bool = False
    #: The heading over the kernels (e.g. saying they are drawn flipped).
    kernel_heading: str = "kernels"
    #: What the colour keys call the kernels and the outputs (a backward pass: ``dy``, ``dx``).
    kernel_name: str = "w"
    output_name: str = "y"
    #: The heading over the outputs (e.g. saying which part of them is drawn).
    output_heading: str = "output"
    #: The longest step line, so that the figure has room for it (broken at " · " if need be).
    step_text: str = ""
    #: The longest step line of a picture of the geometry as finally drawn, when it depends on
    #: what the part chooser settles after the geometry is made (the channels and columns shown
    #: decide whether the steps are counted ``of this part``): given, it makes :attr:`step_text`
    #: whenever the geometry is made or replaced, from the same facts the playback reads.
    longest_step: Optional[Callable[[Geometry], str]] = None
    #: Characters of a whole sum line (all its entries) for numbers of the given width and the
    #: input channels, kernel columns and output channels drawn (0: unknown).
    sum_chars: Callable[[int, tuple], int] = lambda chars, drawn: 0
    #: At most this many lines of sums (a step that writes several windows of numbers may need more).
    sum_lines_most: int = 3
    #: Whether a step writes one entry of its sum line for each group drawn, :attr:`sum_chars`
    #: then being one entry's characters: each entry gets the lines its terms need, however
    #: many (else the whole line takes at most :attr:`sum_lines_most` lines).
    sum_each_group: bool = False
    #: The most entries a step writes for each group drawn, when :attr:`sum_each_group` (a
    #: transposed convolution's: one for each output cell its window adds to).
    sum_entries: int = 1
    #: The most lines a step's sums take as the steps drawn write them (0: not known): the
    #: room kept for them is then no more, so that no empty line stays under the longest.
    sum_lines_drawn: int = 0
    #: The fewest lines kept for a step's sums (0: as :attr:`sum_lines_most` and the estimate
    #: of :attr:`sum_chars` allow): what the steps drawn write when the estimate keeps fewer (a
    #: sum estimated too long to read whole, found short enough), so that none is cut.
    sum_lines_least: int = 0
    #: The longest line a step's sums open with for each group drawn, before its entries (a
    #: transposed convolution's ``canvas[0, 2:5, 0:3] += x[0, 1, 0] · weight[0, 0]``): every
    #: line it breaks onto past its first is given on top of :attr:`sum_lines_most`, so that a
    #: narrow picture has as many lines for the entries as a wide one ("" for none).
    sum_head: str = ""
    #: Characters of the widest number the cells are expected to hold with the example values,
    #: for choosing a part of a large layer before anything is recorded.
    value_chars: int = 4
    #: At most this many input channels drawn (None: as many as the layout shows), for a part
    #: of a layer with many channels.
    channels_shown: Optional[int] = None
    #: At most this many kernel columns (output channels of a group) drawn (None: as many as
    #: the layout shows).
    columns_shown: Optional[int] = None
    #: At most this many input channels, and output channels, a picture draws, when not
    #: :data:`MAX_SHOWN_IN` and :data:`MAX_SHOWN_OUT` (a layer that only moves cells: its small
    #: grids are read a cell each, and a part shows every channel of a group).
    shown_most: Optional[int] = None
    #: Where the grids sit in the whole maps when only a part of the layer is drawn (None:
    #: drawn whole): the picture marks, on every side where a map goes on, how many cells it hides.
    part: Optional[Part] = None
    #: How the picture is arranged, when not as every layer's (inputs, kernels, outputs across):
    #: an object whose ``arrange`` lays it out (taking :func:`convgif.picture.layout.arrange`'s
    #: arguments), whose ``laid_out`` chooses its cells for what :func:`convgif.picture.layout.plan`
    #: is asked and whose ``animation`` draws its frames (taking those of
    #: :class:`convgif.picture.overlay.Animation`), e.g. a :class:`convgif.picture.matrix.MatrixPlan`.
    arrangement: Any = None
    #: Whether the input grids are drawn: False for a picture whose output reads no input (a
    #: gradient's depth slice no output depth read), drawn as its outputs alone, with no input
    #: grid, label, line or key (:mod:`convgif.picture.alone`).
    inputs_drawn: bool = True
    #: The layer's group whose hue picture group ``g`` is drawn in, when the picture's groups are
    #: not the layer's (a weight gradient's picture has one group per input channel): every
    #: picture of an animation gives each of the layer's groups one hue (None: its own groups').
    hue_group: Optional[Callable[[int], int]] = None
    #: What a hue marks, named in a key beside each hue a picture shows when it shows several
    #: (``group``: a grouped convolution's, in its forward, backward and matrix pictures alike);
    #: empty: no such key.
    hues_name: str = ""
    #: Whether the kernels are one of the pass's arrays rather than weights (a gradient's dy, a
    #: weight gradient's x): drawn in the shades and colours that array has wherever the
    #: animation draws it, so that a colour means one value of it in every picture.
    kernels_are_values: bool = False
    #: The picture group each output channel belongs to, when not its channel // the output
    #: channels per group (a layer without weights): the hue it is framed in and the group
    #: whose lines reach it. The output grids stay in channel order whatever their groups: a
    #: channel shuffle's y[j], which copies input channel s (each input channel a group), is in
    #: group s.
    output_groups: Optional[tuple[int, ...]] = None
    #: Whether a step's line runs aslant across the gap before the outputs, straight from its
    #: input's row to its output's, and stays drawn, faint, while the steps after it play
    #: (:attr:`Step.trail`): for a layer without weights whose outputs are its inputs in
    #: another order (a channel shuffle), its lines crossing where it reorders them.
    lines_cross: bool = False

    def __post_init__(self) -> None:
        if self.longest_step is not None:
            object.__setattr__(self, "step_text", self.longest_step(self))
        if self.output_groups is not None and sorted(self.output_groups) != [
            g for g in range(self.groups) for _ in range(self.out_per_group)
        ]:
            raise ValueError(f"output_groups {self.output_groups} do not give each of {self.groups} groups its share")

    @property
    def in_per_group(self) -> int:
        return self.in_channels // self.groups

    def colour_group(self, group: int) -> int:
        """The group whose hue picture group ``group`` is drawn in (see :attr:`hue_group`)."""
        return group if self.hue_group is None else self.hue_group(group)

    @property
    def framed(self) -> bool:
        """Whether each grid is framed in its group's hue: the layer has more than one group
        among those drawn (a picture whose groups are not the layer's, one an input channel,
        frames nothing for a layer of one group)."""
        return len({self.colour_group(g) for g in range(self.groups)}) > 1

    def input_text(self, c: int) -> str:
        """The label of input channel ``c``'s grid: ``x[c]``, or :attr:`input_label`'s."""
        return self.input_label(c) if self.input_label is not None else f"{self.input_name}[{c}]"

    @property
    def out_per_group(self) -> int:
        return self.out_channels // self.groups

    def out_group(self, co: int) -> int:
        """The picture group of output channel ``co`` (see :attr:`output_groups`)."""
        return co // self.out_per_group if self.output_groups is None else self.output_groups[co]

    def group_output(self, group: int, column: int) -> int:
        """The output channel that picture group ``group``'s kernel column ``column`` writes:
        the group's ``column``-th output channel in channel order."""
        if self.output_groups is None:
            return group * self.out_per_group + column
        return [co for co, g in enumerate(self.output_groups) if g == group][column]

    @property
    def steps(self) -> int:
        return self.steps_per_column * (self.out_per_group if self.columns_take_turns else 1)

    @property
    def hidden(self) -> tuple[tuple[int, int, int, int], tuple[int, int, int, int]]:
        """Cells of the whole maps not drawn above, below, left and right of the input grid
        and of the output grids (all 0 for a layer drawn whole)."""
        part, none = self.part, (0, 0, 0, 0)
        if part is None:
            return none, none
        inputs = part.input.hidden(self.grid) if part.input is not None else none
        return inputs, part.output.hidden(self.out_size) if part.output is not None else none


#: At most this many input channels, kernel columns (output channels of a group) and output
#: channels a picture draws.
MAX_SHOWN_IN = 6
MAX_SHOWN_COLUMNS = 6
MAX_SHOWN_OUT = 8
SHOWN_MOST = (MAX_SHOWN_IN, MAX_SHOWN_COLUMNS, MAX_SHOWN_OUT)


def shown(spec: Geometry) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """The input channels, kernel columns and output channels a picture of ``spec`` shows: the
    input channels of only as many groups as have all their columns' outputs drawn (an input
    drawn whose outputs are not would be ringed for work that leads nowhere)."""
    cg_in, cg_out = spec.in_per_group, spec.out_per_group
    most_in, most_columns, most_out = (spec.shown_most,) * 3 if spec.shown_most else SHOWN_MOST
    shown_in = tuple(range(min(spec.in_channels, most_in, spec.channels_shown or most_in)))
    columns = tuple(range(min(cg_out, most_columns, spec.columns_shown or most_columns)))
    groups = sorted({c // cg_in for c in shown_in})[: max(1, most_out // len(columns))]
    shown_in = tuple(c for c in shown_in if c // cg_in in groups)
    if spec.output_groups is None:
        shown_out = tuple(g * cg_out + j for g in groups for j in columns)  # in channel order
    else:
        shown_out = tuple(sorted(spec.group_output(g, j) for g in groups for j in columns))
    return shown_in, columns, shown_out


class Region(NamedTuple):
    """A part of a layer's output drawn instead of all of it: output rows ``rows`` and columns
    ``cols`` (start, stop), and with them exactly the input cells they read."""

    rows: tuple[int, int]
    cols: tuple[int, int]
    dims: int = 2  # a 1-D layer's region is one row: only its columns count

    @classmethod
    def of(cls, region: Optional[Region], size: tuple[int, ...]) -> Region:
        """``region``, or, without one, all of a map of ``size`` (rows, cols)."""
        return region or cls((0, size[0]), (0, size[1]))

    @property
    def size(self) -> tuple[int, int]:
        return self.rows[1] - self.rows[0], self.cols[1] - self.cols[0]

    def cuts(self, size: tuple[int, ...]) -> bool:
        """Whether this region leaves out some of a map of ``size`` (rows, cols): whether it is a
        part, not the whole, of the output."""
        return self.rows != (0, size[0]) or self.cols != (0, size[1])

    def text(self, dims: Optional[int] = None) -> str:
        """``rows 0–9, columns 0–9`` (``positions 0–9`` for one axis), ends included; one of
        them by itself: ``row 0``, never ``rows 0–0``."""

        def span(one: str, start: int, stop: int) -> str:
            return f"{one} {start}" if stop - start == 1 else f"{one}s {start}–{stop - 1}"

        cols = span("column", *self.cols)
        return span("position", *self.cols) if (dims or self.dims) == 1 else f"{span('row', *self.rows)}, {cols}"


def reached_from(start: int, stop: int, size: int, stride: int, offset: int, taps: Sequence[int]) -> tuple[int, int]:
    """The input positions (start, stop) along one axis that write into output positions
    ``start`` to ``stop`` when position i writes to ``i·stride + offset + t`` for each tap t
    (a transposed convolution's scatter, an unpooling's window): the first and the last
    position that reaches the part, and all between them. Taps given as a ``range`` cost at
    most a stride's worth of steps however many there are."""
    if isinstance(taps, range) and taps.step > 0 and len(taps) > 0:
        return _reached_from_range(start, stop, size, stride, offset, taps)
    lows, highs = [], []
    for t in taps:
        low = max(0, -((offset + t - start) // stride))  # ceil((start - offset - t) / stride)
        high = min(size - 1, (stop - 1 - offset - t) // stride)
        if low <= high:
            lows.append(low)
            highs.append(high)
    if not lows:
        return 0, 0
    return min(lows), max(highs) + 1


def _reached_from_range(start: int, stop: int, size: int, stride: int, offset: int, taps: range) -> tuple[int, int]:
    """:func:`reached_from` for evenly spaced taps: the span comes from the first and the last
    tap that reaches the part (the lowest positions reach from the last one, the highest from
    the first), and whether a tap reaches repeats every ``stride / gcd(step, stride)`` taps."""

    def bounds(t: int) -> tuple[int, int]:
        return max(0, -((offset + t - start) // stride)), min(size - 1, (stop - 1 - offset - t) // stride)

    first, step, count = taps.start, taps.step, len(taps)
    # taps j with a position below size and one at or above 0, ends included
    j_low = max(0, -(-(start - offset - (size - 1) * stride - first) // step))
    j_high = min(count - 1, (stop - 1 - offset - first) // step)
    period = stride // math.gcd(step, stride)
    found = [j for j in range(j_low, min(j_high, j_low + period - 1) + 1) if _reaches(bounds(first + j * step))]
    if not found:
        return 0, 0
    last = next(j for j in range(j_high, max(j_low, j_high - period + 1) - 1, -1) if _reaches(bounds(first + j * step)))
    return bounds(first + last * step)[0], bounds(first + found[0] * step)[1] + 1


def _reaches(span: tuple[int, int]) -> bool:
    return span[0] <= span[1]


def part_note(
    dims: int,
    region: Region,
    out_size: tuple[int, int],
    read: Region,
    in_size: tuple[int, int],
    input_words: str,
    verb: str,
) -> str:
    """The note saying which part of a layer is drawn: ``drawn: output rows 0–9, columns 0–9 of
    224×224, and the input (padded) rows 0–11, columns 0–11 of 226×226 they read``."""

    def whole(size: tuple[int, int]) -> str:
        return f"{size[0]}×{size[1]}" if dims == 2 else f"{size[1]}"

    return f"drawn: output {region.text(dims)} of {whole(out_size)}, and {input_words} {read.text(dims)} of {whole(in_size)} {verb}"


class Reads(NamedTuple):
    """The input cells a step reads on every input channel of one group."""

    cells: np.ndarray  # (n, 3) rows of (channel, row, col) in grid coordinates
    box: Box  # the extent outlined on each channel of the group
    marks: Optional[np.ndarray] = None  # (m, 3) cells singled out (a maximum), outlined in ink


class Writes(NamedTuple):
    """Output cells a step sets: a block of rows × cols of one output channel."""

    channel: int
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray  # (len(rows), len(cols))
    box: Optional[Box] = None  # outlined while the step is shown (None: nothing reached)


@dataclass(frozen=True, eq=False)
class Step:
    """One step as shown: per group what it reads and writes, the kernel column it uses, and
    its lines of text. ``sums`` are whole entries of the sum line, shown as many as fit (an
    entry of thousands of terms a :class:`~convgif.picture.sumline.LongSum`, whose ``str`` is
    its text)."""

    column: int
    reads: dict[int, Reads]
    writes: list[Writes]
    text: str
    sums: tuple[Any, ...] = ()
    #: The output channel each entry of ``sums`` is about (None: the step as a whole); empty
    #: when every entry is about a channel drawn.
    sum_channels: tuple[Optional[int], ...] = ()
    #: The kernel cell (row, col) the step uses, ringed (a backward pass's dy cell); None: none.
    kernel_cell: Optional[tuple[int, int]] = None
    #: Output channels written by the steps before, whose lines stay drawn, faint, from their
    #: group's input channels (a picture whose lines cross, :attr:`Geometry.lines_cross`).
    trail: tuple[int, ...] = ()

    def sums_drawn(self, drawn: Any) -> list[str]:
        """The entries of ``sums`` about the output channels in ``drawn`` (or about the step)."""
        if not self.sum_channels:
            return list(self.sums)
        return [entry for entry, co in zip(self.sums, self.sum_channels) if co is None or co in drawn]


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


#: Key items' shade for the filler cells (padding, inserted zeros), for cells not yet computed
#: and for the band beside a grid whose map goes on.
FILLER, EMPTY, MORE, CUT, INSERTED, UNREAD = -1, -2, -3, -4, -5, -6
#: Key items' shade for the entries of a matrix that no weight joins (left blank), and for
#: padding cells that copy input cells (reflect, replicate, circular): each in the shade of
#: the value it holds, framed in the padding's colour (the swatch: the frame alone).
BLANK, COPIED = -7, -8
#: Key items' shade for cells of the grid outside the input and its padding (a ceil_mode
#: window's overhang): hatched grey, as the grid draws them.
OUTSIDE = -9
#: What the key says of that band; a grid's counts read e.g. "+212▶".
MORE_TEXT = "+n\u25b6 n more cells, not drawn"


class Key(NamedTuple):
    """A colour key: the name of what it explains (``x``, ``w``, ``y``) and its items, each
    plain text (shade None), a swatch (text ``""``) or a swatch with its value written on it.
    Shades index the scale's colours; :data:`FILLER` and :data:`EMPTY` are the filler's
    colour and the pattern of cells not yet computed, :data:`MORE` the band beside a map
    drawn in part, :data:`CUT` the pale shade of output cells cropped off, :data:`INSERTED`
    the pattern of zeros inserted between input cells, :data:`UNREAD` the pale shade of
    input cells no step reads, :data:`OUTSIDE` the hatched grey of cells past the input's edge
    and :data:`BLANK` an entry of a matrix left blank."""

    name: str
    role: str  # whose colours: "input", "kernel", "output" (or "input0".. for a picture's channels), "more"
    items: tuple[tuple[Optional[int], str], ...]


def filler_of(drawn: Any, c: int) -> np.ndarray:
    """Which cells of input channel ``c`` are filler: ``drawn.filler`` is (rows, cols), the
    same on every channel, or (C, rows, cols) where whole channels are padding (a depth slice
    of a 3-D layer's padding)."""
    return drawn.filler[c] if drawn.filler.ndim == 3 else drawn.filler


def outside_of(drawn: Any, c: int) -> np.ndarray:
    """Which cells of input channel ``c`` are outside the input (see :func:`filler_of`)."""
    return drawn.outside[c] if drawn.outside.ndim == 3 else drawn.outside


@dataclass(eq=False)
class Drawn:
    """One recorded layer ready to draw.

    ``grid`` (C, rows, cols) holds the input cells' values; ``filler`` marks cells that are not
    the layer's input (padding, inserted zeros), drawn apart, or, when ``copies``, each in the
    shade of the cell it repeats, framed in the padding's colour. ``kernels`` (C_out, C_in/G, KH, KW) holds the weights as the
    kernel column of output channel ``co`` shows them (None: no weights), or, when
    ``kernel_channels`` names some output channels, only theirs, in that order; their shades
    are chosen from ``kernel_values``, the distinct values of every kernel, when given.
    ``output`` (C, rows, cols) holds the values of every output channel drawn shaded, in order,
    and only theirs: not those ``plain`` names (a max pool's indices); their shades come from
    all of it. ``start`` holds what the output cells show before any step (None: empty).
    ``extra["span"]``, when there, is the (lowest, highest) value an output cell passes
    through, for a scale that covers them all; ``extra["key_items"]``, when there, holds more
    items of the colour keys by role (``{"kernel": ((BLANK, ""), (None, "no weight"))}``).
    """

    geometry: Geometry
    grid: np.ndarray
    filler: np.ndarray
    kernels: Optional[np.ndarray]
    output: np.ndarray
    playback: Playback
    copies: bool = False
    start: Optional[np.ndarray] = None
    #: Cells of ``start`` drawn empty ("to come") until a step writes them (None: none).
    start_empty: Optional[np.ndarray] = None
    value_chars: int = 1
    pixels: bool = False
    #: Written in filler cells instead of their value (e.g. "−∞" for a max pool's padding).
    filler_text: Optional[str] = None
    #: Cells of the grid outside the input and its padding (never read), drawn empty.
    outside: Optional[np.ndarray] = None
    #: Output channels that show numbers only, unshaded (e.g. a max pool's indices), numbered
    #: as the picture numbers its output channels.
    plain: tuple[int, ...] = ()
    #: What the filler cells are, as the input's key names them.
    filler_name: str = "padding"
    #: What filler cells drawn as copies are, as the key names them ("": ``filler_name``).
    copies_name: str = ""
    #: The whole picture, when the input is one (``pixels``) and only a part of it is drawn:
    #: shown small beside the grids with the part drawn outlined.
    picture: Optional[WholePicture] = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: The output channels whose kernels ``kernels`` holds, sorted (None: every channel's).
    kernel_channels: Optional[tuple[int, ...]] = None
    #: The values of all the layer's kernels, their shades' range (None: those of ``kernels``):
    #: the distinct ones, sorted, or all of them.
    kernel_values: Optional[np.ndarray] = None
    #: Output cells (rows, cols of the output grids) the layer computes and then crops off (a
    #: transposed convolution's padding): drawn pale, the rest outlined as the output.
    cut: Optional[np.ndarray] = None
    #: Filler cells (of ``grid``) that are zeros inserted between input cells, not padding.
    inserted: Optional[np.ndarray] = None
    #: Cells of ``grid`` no step reads (a stride longer than the window skips them): drawn pale.
    unread: Optional[np.ndarray] = None

    def kernel_row(self, channel: int) -> int:
        """Where output channel ``channel``'s kernels are in ``kernels``."""
        if self.kernel_channels is None:
            return channel
        row = int(np.searchsorted(self.kernel_channels, channel))
        if row == len(self.kernel_channels) or self.kernel_channels[row] != channel:
            raise KeyError(f"the kernels of output channel {channel} are not drawn")
        return row


def _value_chars(drawn: Drawn) -> int:
    chars = drawn.__dict__["_value_chars"]
    if callable(chars):
        chars = drawn.__dict__["_value_chars"] = int(chars())
    return chars


def _set_value_chars(drawn: Drawn, chars: Union[int, Callable[[], int]]) -> None:
    drawn.__dict__["_value_chars"] = chars


#: ``value_chars`` may be given as a function that finds it, called when it is first read: only
#: a picture that writes numbers reads it, and for a layer of many fractions it is a pass over
#: all of them.
Drawn.value_chars = property(_value_chars, _set_value_chars)  # type: ignore[assignment]
