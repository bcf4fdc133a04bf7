"""The sizes a frame is laid out with: text styles, lengths, and what a layout decides.

Pure arithmetic (no matplotlib): it decides the cell size, which channels are shown, the
position of every grid, label, key and text line, where the connecting lines may run, and
refuses, before anything is drawn, a picture too large to be readable. A figure is as wide
as its drawing: a longer caption breaks at its em dashes, notes at spaces. A grid that is a
part of a larger map (``Geometry.part``) gets a band on each side where the map goes on and
the count of cells not drawn there in its label's line; a whole picture shown small beside a
part of it goes in a free corner of the figure, else under the grids.

:func:`~convgif.picture.layout.plan` chooses the arrangement and the cell size;
:mod:`convgif.picture.layout` works out, phase by phase, where everything goes at one cell size.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, NamedTuple, Optional

from . import COLUMN_PX, SLIDE_PX
from .cells import cells
from .model import COPIED, Geometry, Key, shown
from .model import MAX_SHOWN_COLUMNS as MAX_SHOWN_COLUMNS
from .model import MAX_SHOWN_IN as MAX_SHOWN_IN
from .model import MAX_SHOWN_OUT as MAX_SHOWN_OUT


class TextStyle(NamedTuple):
    """A monospaced text size: every character is ``advance`` pixels wide, lines ``height`` tall."""

    size: int
    advance: int
    height: int
    ascent: int

    def width(self, text: str) -> int:
        return cells(text) * self.advance

    def scaled(self, n: int) -> TextStyle:
        """The same style ``n`` times larger (the advance as the hinted font has it)."""
        if n == 1:
            return self
        size = self.size * n
        return TextStyle(size, round(ADVANCE_EM * size), self.height * n, self.ascent * n)


#: DejaVu Sans Mono's advance, in ems (1233 of 2048 units): hinted, whole pixels.
ADVANCE_EM = 1233 / 2048
CAPTION = TextStyle(size=12, advance=7, height=15, ascent=12)
LABEL = TextStyle(size=10, advance=6, height=13, ascent=10)
CELL = TextStyle(size=10, advance=6, height=13, ascent=10)

MARGIN = 14
CELL_PX = 18  # default cell size
VALUE_CELL_PX = 22  # with --values: room for "-12" written inside
MIN_CELL_PX = 6
MIN_VALUE_CELL_PX = 18
VALUE_PAD_PX = 6  # a value's text keeps this much of its cell free, for the outline of a read cell
#: A page's column is COLUMN_PX wide and PAGE_PX tall (see :mod:`convgif.picture`).
PAGE_PX = 960
#: Below this size (at scale 1) cells are not readable: a part of the layer is drawn instead.
READABLE_CELL_PX = 10
MAX_SIDE_PX = 1800  # the longest side of a frame convgif will draw at all
GAP = 10  # between stacked grids
GROUP_GAP = 22  # between groups, which also get a coloured frame
LINK_GAP = 40  # between columns, where the connecting lines run
CROSS_GAP = 80  # more of it where the lines cross (a channel shuffle's), so that they slant visibly
KEY_SWATCH = 8  # pixels per shade in a colour key (narrower when there are many)
KEY_STRIP = 96  # a key's plain swatches together at most this wide
KEY_GAP = 6  # between rows of keys, and the lines of a key too wide for one
KEYS_ABOVE = 10  # between the drawing and its first row of keys
#: What the keys under a drawing take, kept free in the box while their values are not known:
#: three rows of them (exactly, with no slack: a part a few pixels short of the box is not
#: given up for room no key takes); under a figure arranged for a slide's width, two rows.
KEYS_ROOM = KEYS_ABOVE + 3 * (LABEL.height + KEY_GAP) - KEY_GAP
KEYS_ROOM_WIDE = KEYS_ABOVE + 2 * (LABEL.height + KEY_GAP) - KEY_GAP
SUM_LINE_CHARS = 40  # with values, a figure is at least this many characters wide (when its sums are)
#: A pooling's sum of at most this many terms is written whole, each channel's on the lines it
#: needs; a longer one keeps its start and its value, the channels after it counted.
WHOLE_SUM_TERMS = 9
SUM_ENTRY_LINES = 4  # at most this many lines for one entry of a sum: a dozen terms or so
SUM_SLACK = 10  # characters a sum broken over lines may leave at the end of each (its words unbroken)
#: Where the caption may break: after the em dash of one of these.
CAPTION_BREAK = " \u2014 "
STEP_BREAK = " \u00b7 "  # where a step line breaks when the figure is narrower than it
ELLIPSIS = "\u2026"  # where a text too long for its room leaves words out
#: A grid that is a part of a larger map has, on each side where the map goes on, a band this
#: thick this far outside it (and outside its group frame), and how many cells go on there.
FRINGE = 6
FRINGE_GAP = 2
FRINGE_ROOM = 4  # at least this between a band under a grid and the label of the grid below
#: The whole picture beside a part of it: at most this long on its longer side, at least
#: THUMB_MIN_PX when it fits a free corner of the figure that way, with room for its outline.
THUMB_PX = 160
THUMB_MIN_PX = 112
THUMB_PAD = 4
#: How each side's count of cells not drawn is written, in this order: top, bottom, left, right.
ARROWS = ("\u25b2", "\u25bc", "\u25c0", "\u25b6")  # ▲ ▼ ◀ ▶: seen at the smallest text


class Metrics(NamedTuple):
    """Every length of a layout at one scale: the base lengths times ``n``, the text styles
    ``n`` times larger."""

    n: int
    caption: TextStyle
    label: TextStyle
    cell_text: TextStyle

    @classmethod
    def of(cls, n: int = 1) -> Metrics:
        return cls(n, CAPTION.scaled(n), LABEL.scaled(n), CELL.scaled(n))

    @property
    def margin(self) -> int:
        return MARGIN * self.n

    @property
    def gap(self) -> int:
        return GAP * self.n

    @property
    def group_gap(self) -> int:
        return GROUP_GAP * self.n

    @property
    def link_gap(self) -> int:
        return LINK_GAP * self.n

    @property
    def cross_gap(self) -> int:
        """What a gap where lines cross takes more than :attr:`link_gap`."""
        return CROSS_GAP * self.n

    @property
    def stroke(self) -> int:
        """Width of outlines."""
        return 2 * self.n

    @property
    def frame(self) -> int:
        """How far outside its grid a group's frame sits."""
        return 3 * self.n


def key_items_x(key: Key, m: Metrics, room: int = 0) -> tuple[list[tuple[int, int, int]], int, int]:
    """(x offset, line, width) of each item of a key after its name, the key's width and its
    lines: one line, or, given ``room`` narrower than that, as many as keep it within ``room``
    where it can, broken before an item (a strip of plain swatches stays whole), the lines
    after the first starting under the first item."""
    label = m.label
    plain = sum(1 for shade, text in key.items if shade is not None and not text)
    swatch = max(3, min(KEY_SWATCH, KEY_STRIP // max(plain, 1))) * m.n
    indent = label.width(key.name) + label.advance
    runs: list[list[tuple[int, int]]] = []  # items that stay together: (index, width)
    joined = False
    for i, (shade, text) in enumerate(key.items):
        if shade is None:
            width = label.width(text)
        elif text:
            width = label.width(text) + 6 * m.n
        elif shade == COPIED:  # a framed swatch, as wide as two, for its frame to show
            width = 2 * KEY_SWATCH * m.n
        else:
            width = swatch
        if joined:
            runs[-1].append((i, width))
        else:
            runs.append([(i, width)])
        following = key.items[i + 1] if i + 1 < len(key.items) else (None, "")
        joined = shade is not None and not text and following[0] is not None and not following[1]
    spots: list[tuple[int, int, int]] = []
    x, line, right = indent, 0, indent
    for run in runs:
        run_w = sum(w for _, w in run)
        if room and x > indent and x + run_w > room:
            x, line = indent, line + 1
        for _, width in run:  # plain swatches side by side, a strip
            spots.append((x, line, width))
            x += width
        right = max(right, x)
        x += 3 * m.n
    return spots, right, line + 1


def key_size(key: Key, m: Metrics, room: int = 0) -> tuple[int, int]:
    """(width, height) of a key, on as many lines as keep it within ``room`` (0: one line)."""
    _, width, lines = key_items_x(key, m, room)
    return width, lines * key_line(m) - KEY_GAP * m.n


def key_line(m: Metrics) -> int:
    """From one line of a key, or row of keys, to the next."""
    return m.label.height + KEY_GAP * m.n


@dataclass(frozen=True)
class Layout:
    geometry: Geometry
    values: bool
    cell: int
    width: int
    height: int
    shown_in: tuple[int, ...]
    shown_columns: tuple[int, ...]
    shown_out: tuple[int, ...]
    #: top-left pixel of each shown grid: padded input per channel, kernel per
    #: (input channel, column), output per output channel.
    inputs: dict[int, tuple[int, int]]
    kernels: dict[tuple[int, int], tuple[int, int]]
    outputs: dict[int, tuple[int, int]]
    #: static texts: (text, style, x, y); the first ``caption_lines`` are the caption's lines
    texts: tuple[tuple[str, TextStyle, int, int], ...]
    step_at: tuple[int, int]
    sum_at: tuple[int, int]
    sum_width: int  # characters available on each line of the running sum (and of the step's)
    caption_lines: int = 1
    step_lines: int = 1
    sum_lines: int = 1
    #: colour keys, each with the top-left pixel of its name
    keys: tuple[tuple[Key, int, int], ...] = ()
    #: where the connecting lines run (:class:`~convgif.picture.arrangement.Routes`)
    routes: Any = None
    #: how the grids are arranged: "stacked" (for a page's column), "landscape" (for a slide) or
    #: "alone" (the outputs of a picture that draws no input)
    arrangement: str = "stacked"
    metrics: Metrics = Metrics.of(1)
    #: (width, height) without the keys: what decides whether a picture is too large to draw
    drawing: tuple[int, int] = (0, 0)
    #: the height without the keys, with the whole picture shown small (which may go under the drawing)
    keyless: int = 0
    #: the bands saying a map goes on: (side, y0, y1, x0, x1), ends exclusive, side one of
    #: "top", "bottom", "left", "right"
    fringes: tuple[tuple[str, int, int, int, int], ...] = ()
    #: how far those bands reach right of the input grids and left of the output grids, past
    #: any group frame: the connecting lines start and end beyond them
    reach: tuple[int, int] = (0, 0)
    #: (x, y, width, height) of the whole picture shown small, when there is one
    thumbnail: Optional[tuple[int, int, int, int]] = None
    #: Whether the drawing fits the box of :func:`fit_box` (else it is drawn at the smallest cells)
    fits_box: bool = False
    #: The width its texts need whatever its cells (the pieces no line breaks within), and which
    #: text needs it: what a refusal of a width names when the cells are not what needs it
    text_need: tuple[int, str] = (0, "")

    @property
    def steps(self) -> int:
        """Steps worth drawing: those of the kernel columns shown (all, unless there are many)."""
        columns = len(self.shown_columns) if self.geometry.columns_take_turns else 1
        return self.geometry.steps_per_column * columns

    @property
    def scale(self) -> int:
        return self.metrics.n

    @property
    def caption(self) -> str:
        """The caption as one line: its drawn lines joined where they break."""
        return " ".join(text for text, *_ in self.texts[: self.caption_lines])

    @property
    def legend_at(self) -> tuple[int, int]:
        """Where the output's colour key starts."""
        at = [(x, y) for key, x, y in self.keys if key.role == "output"]
        return at[0] if at else (self.metrics.margin, self.height - self.metrics.margin)

    def cell_box(self, origin: tuple[int, int], row: int, col: int) -> tuple[int, int, int, int]:
        """(y0, y1, x0, x1) of a cell's interior, grid lines excluded; slices are [y0:y1, x0:x1]."""
        x, y = origin
        s = self.cell
        return y + row * s + 1, y + (row + 1) * s, x + col * s + 1, x + (col + 1) * s


def continues_text(hidden: tuple[int, int, int, int]) -> str:
    """How many cells a map goes on beyond its drawn part, per side (top, bottom, left, right),
    e.g. ``+212▼ +212▶``; empty for a map drawn whole."""
    return " ".join(f"+{count:,}{arrow}" for count, arrow in zip(hidden, ARROWS) if count > 0)


def thumbnail_size(size: tuple[int, int], longest: int) -> tuple[int, int]:
    """(height, width) of a picture of ``size`` (height, width) shown at most ``longest`` pixels
    on its longer side: shrunk to that, or enlarged a whole number of times (crisp pixels)."""
    h, w = size
    factor = longest / max(h, w)
    if factor >= 1:
        factor = math.floor(factor)
    return max(1, round(h * factor)), max(1, round(w * factor))


def picture_box(
    thumbnail: tuple[int, int, int, int], size: tuple[int, int], rows: tuple[int, int], cols: tuple[int, int]
) -> tuple[int, int, int, int]:
    """(y0, y1, x0, x1), ends exclusive, of the thumbnail pixels that show the picture's
    ``rows`` and ``cols`` (start, stop) of a picture of ``size`` (height, width): every pixel
    any of them falls in, at least one."""
    x, y, w, h = thumbnail
    height, width = size
    y0, x0 = rows[0] * h // height, cols[0] * w // width
    y1, x1 = -(-rows[1] * h // height), -(-cols[1] * w // width)
    y0, x0 = min(y0, h - 1), min(x0, w - 1)
    return y + y0, y + max(y1, y0 + 1), x + x0, x + max(x1, x0 + 1)


def fit_box(scale: int = 1, width: Optional[int] = None, wide: bool = False) -> tuple[int, int]:
    """(width, height) a frame's drawing fits when its cells can shrink to it: a page's column
    at scale 1, a slide at larger scales, as wide as the column enlarged unless the figure is
    ``wide`` (arranged for a slide: then the slide's whole width); ``width`` (``--width``)
    replaces the box's width."""
    if scale == 1:
        box = (COLUMN_PX, PAGE_PX)
    else:
        box = (SLIDE_PX[0] if wide else min(COLUMN_PX * scale, SLIDE_PX[0]), SLIDE_PX[1])
    return (width or box[0], box[1])


def kernel_channels(geometry: Geometry) -> tuple[int, ...]:
    """The output channels whose kernels a picture of ``geometry`` shows, sorted (none for a
    layer without weights): all a render needs of the weight but for its values' range."""
    if geometry.kernel is None:
        return ()
    shown_in, columns, _ = shown(geometry)
    cg_in, cg_out = geometry.in_per_group, geometry.out_per_group
    return tuple(sorted({c // cg_in * cg_out + j for c in shown_in for j in columns}))


def shown_note(geometry: Geometry) -> str:
    """How many channels a picture shows, when it cannot show them all (``3 of 64 input
    channels, 1 of 64 output channels``; a gradient's picture counts its own maps, ``3 of 8 dy
    channels``), else empty."""
    shown_in, _, shown_out = shown(geometry)
    parts = []
    if len(shown_in) < geometry.in_channels and geometry.inputs_drawn:
        words = geometry.inputs_word or _channels(geometry.input_name, "x", "input")
        parts.append(f"{len(shown_in)} of {geometry.in_channels} {words}")
    if len(shown_out) < geometry.out_channels:
        words = geometry.outputs_word or _channels(geometry.output_name, "y", "output")
        parts.append(f"{len(shown_out)} of {geometry.out_channels} {words}")
    return ", ".join(parts)


def _channels(name: str, plain: str, word: str) -> str:
    """``input channels`` (``output channels``) for the layer's own maps, else as the picture
    names them: a gradient's ``dy channels``, a second stage's ``d channels``."""
    return f"{word if name == plain else name} channels"


def wrap(text: str, chars: int, separator: str = " ") -> list[str]:
    """``text`` in lines of at most ``chars`` characters, broken only at ``separator``, whose
    trailing space goes: the lines joined by one space are ``text`` again. At ``" = "`` a line
    breaks before the sign, which starts the next. A part longer than a line stays whole."""
    return list(_wrapped(text, chars, separator))


@functools.lru_cache(maxsize=4096)
def _wrapped(text: str, chars: int, separator: str) -> tuple[str, ...]:
    """:func:`wrap`, remembered: a layout breaks the same texts at every cell size it tries."""
    return tuple(_wrap(text, chars, separator))


def _wrap(text: str, chars: int, separator: str) -> list[str]:
    if cells(text) <= chars:
        return [text]
    if separator == " = ":  # a result starts its line with its sign
        first, *rest = text.split(separator)
        return _broken([first, *(f"= {part}" for part in rest)], chars, " ")
    lines = _broken(_pieces(text, separator), chars, separator)
    if separator == " ":  # not inside an index or a tuple, where that takes no more lines
        whole = _sizes_whole(_outside_brackets(text))
        if len(whole) > 1 and max(map(cells, whole)) <= chars:
            kept = _broken(whole, chars, separator)
            if len(kept) <= len(lines):
                return kept
    return lines


def _broken(parts: list[str], chars: int, separator: str) -> list[str]:
    """``parts`` joined by ``separator`` in lines of at most ``chars`` characters (a part longer
    than a line alone on its line), as even as the fewest lines allow."""
    keep = separator.rstrip(" ")
    widths = [cells(part) for part in parts]
    joined = cells(separator)  # cells add up: a line's are its parts' and separators'

    def greedy(limit: int) -> list[str]:
        lines, line, width = [], parts[0], widths[0]
        last = len(parts) - 2  # the last part ends the text: nothing kept after it
        for k, (part, part_width) in enumerate(zip(parts[1:], widths[1:])):
            if width + len(separator) + part_width + len(keep) * (k < last) <= limit or not line:
                line, width = f"{line}{separator}{part}", width + joined + part_width
            else:
                lines.append(line + keep)
                line, width = part, part_width
        return [*lines, line]

    lines = greedy(chars)
    total = sum(widths) + joined * (len(parts) - 1)
    for limit in range(total // len(lines), chars):  # as even as the same number of lines allows
        even = greedy(limit)
        if len(even) == len(lines):
            return even
    return lines


@functools.lru_cache(maxsize=4096)
def _unbreakable(text: str, separator: str) -> int:
    """Characters of the longest piece ``wrap`` cannot break (with the separator it keeps)."""
    keep = len(separator.rstrip(" "))
    return max(cells(part) for part in _pieces(text, separator)) + keep


def unbroken(text: str, separator: str) -> str:
    """The longest piece of ``text`` that :func:`wrap` cannot break at ``separator`` (the
    first of equals): what a refusal quotes when it decides a picture's width."""
    return max(_pieces(text, separator), key=cells)


def _pieces(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator``, a size (``2 × 6``, ``3 × 3 × 3``) kept whole when that
    is a space: a line never ends at ``2`` with ``× 6`` on the next."""
    parts = text.split(separator)
    return _sizes_whole(parts) if separator == " " else parts


#: Signs a line never ends on: the line breaks before them (``… = 1 − 2`` then ``= −1``).
HELD = ("=", "+=", "≈")


def held(word: str, following: str) -> bool:
    """Whether a line never breaks between ``word`` and the ``following`` one: after an equals
    sign (so that a result starts its line with its sign), or on either side of a size's ``×``."""
    return word in HELD or word == "×" or following == "×"


def _sizes_whole(parts: list[str]) -> list[str]:
    """Words split at spaces, those :func:`held` together joined again."""
    out: list[str] = []
    for part in parts:
        if out and held(out[-1].rsplit(" ", 1)[-1], part):
            out[-1] += " " + part
        else:
            out.append(part)
    return out


def _outside_brackets(text: str) -> list[str]:
    """``text`` split at its spaces that no bracket holds: ``x[0, d, 1, 1]`` and ``(2, 3)``
    stay whole."""
    parts, start, depth = [], 0, 0
    for i, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char == " " and not depth:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]
