"""One layout at a given cell size, worked out in phases: the columns across, the width and
where the texts break, the lines over the grids, the grids down with their labels, the bands
beside a part of a larger map, the whole picture shown small and the keys.

The grids are placed by an arrangement, chosen once for a figure: stacked (:mod:`.stacked`,
for a page's column) or landscape (:mod:`.landscape`, for a slide, when the stacked one is too
tall, or for a width asked past the column that no stacked one fits), or, for a picture that
reads no input, its outputs alone (:mod:`.alone`); the other phases are the same for all.
:func:`plan` chooses the arrangement and the cell size; each phase here is a function of
what the phases before it decided, passed as small frozen records. Most figures take the
stacked arrangement: the other two are loaded when a figure first needs them (:func:`_page`,
:func:`_slide`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, Optional

from ..errors import TooLargeError
from ..language import say
from .arrangement import Arrangement, Grids, Placed
from .model import Geometry, Key
from .narrow import cells_need, least_width, readable, too_narrow
from .sizes import (
    CAPTION_BREAK,
    CELL,
    CELL_PX,
    FRINGE,
    FRINGE_GAP,
    KEY_GAP,
    KEYS_ABOVE,
    MAX_SIDE_PX,
    MIN_CELL_PX,
    MIN_VALUE_CELL_PX,
    READABLE_CELL_PX,
    STEP_BREAK,
    SUM_ENTRY_LINES,
    SUM_LINE_CHARS,
    SUM_SLACK,
    THUMB_MIN_PX,
    THUMB_PAD,
    THUMB_PX,
    VALUE_CELL_PX,
    VALUE_PAD_PX,
    Layout,
    Metrics,
    TextStyle,
    _unbreakable,
    fit_box,
    key_size,
    shown_note,
    thumbnail_size,
    unbroken,
    wrap,
)
from .stacked import STACKED


class _Breaks(NamedTuple):
    """The texts over the grids broken into lines, and the widths that decide where."""

    #: the drawing's width inside the margins, within which texts break
    inner: int
    #: the figure's width: the drawing's, or more for a wider key
    width: int
    caption_lines: tuple[str, ...]
    #: lines the longest step line takes
    step_lines: int
    note_lines: tuple[str, ...]
    #: characters available on each line of the running sum, and its lines
    sum_width: int
    sum_lines: int
    #: the figure's width its texts need whatever its cells, and which text needs it
    text_need: tuple[int, str] = (0, "")


class _Top(NamedTuple):
    """The lines over the grids, top down: caption, step, running sum and notes, then the headings."""

    #: the caption's and the notes' lines, placed
    texts: tuple[tuple[str, TextStyle, int, int], ...]
    step_y: int
    sum_y: int
    heads_y: int
    #: where the grids' blocks start
    body_top: int


def arrange(
    spec: Geometry,
    values: bool,
    s: int,
    notes: tuple[str, ...],
    m: Metrics,
    keys: tuple[Key, ...],
    with_caption: bool,
    value_chars: int,
    picture: Optional[tuple[int, int]] = None,
    arrangement: Arrangement = STACKED,
    room: int = 0,
    box: int = 0,
) -> Layout:
    """The layout of ``spec`` with cells of ``s`` pixels in ``arrangement``, in phases: the
    columns across, the width and where the texts break, the lines over the grids, the grids
    down with their labels, the whole picture shown small and the keys. Texts break within the
    grids' width, or within ``room`` pixels when it is wider (a slide's, whose height is
    scarcer); a key wider than the figure widens it up to ``box`` pixels (0: any), and breaks
    onto more lines beyond."""
    g = Grids.of(spec, s, m)
    across = arrangement.across(g)
    breaks = _breaks(g, across.right, notes, keys, with_caption, values, value_chars, room, box)
    top = _top(breaks, m, values)
    body = arrangement.down(g, across, top.heads_y, top.body_top)
    thumbnail, thumb_texts, below, width = _thumbnail(g, body, breaks.width, picture, room)
    placed, height = place_keys(m, keys, width, below)
    return Layout(
        geometry=spec,
        values=values,
        cell=s,
        width=width,
        height=height,
        shown_in=g.shown_in,
        shown_columns=g.columns,
        shown_out=g.shown_out,
        inputs=body.inputs,
        kernels=body.kernels,
        outputs=body.outputs,
        texts=(*top.texts, *thumb_texts, *body.texts),
        step_at=(m.margin, top.step_y),
        sum_at=(m.margin, top.sum_y),
        sum_width=breaks.sum_width,
        caption_lines=len(breaks.caption_lines),
        step_lines=breaks.step_lines,
        sum_lines=breaks.sum_lines,
        keys=placed,
        routes=body.routes,
        arrangement=arrangement.name,
        metrics=m,
        drawing=(m.margin + breaks.inner + m.margin, body.bottom + m.margin),
        keyless=below + m.margin,
        fringes=_all_fringes(g, body),
        reach=body.reach,
        thumbnail=thumbnail,
        text_need=breaks.text_need,
    )


def _breaks(
    g: Grids,
    right: int,
    notes: tuple[str, ...],
    keys: tuple[Key, ...],
    with_caption: bool,
    values: bool,
    value_chars: int,
    room: int = 0,
    box: int = 0,
) -> _Breaks:
    """How wide the drawing is, and where its texts break: as wide as the grids ending at
    ``right`` and what cannot break (the step line, the longest piece of the caption and of
    each note, with values a sum's line or two), or, given ``room``, as wide as every text
    whole on a line (and the keys in a row) within it. Texts break within the drawing's width;
    a key wider than that widens the figure alone (up to ``box``, beyond which it breaks onto
    more lines), so that the drawing (what decides whether a picture is too large) is the
    same with or without keys."""
    spec, m = g.spec, g.m
    cap, label, margin = m.caption, m.label, m.margin
    key_widths = tuple(key_size(key, m)[0] for key in keys)
    shown = say(f"showing {shown_note(spec)}") if with_caption and shown_note(spec) else ""
    lines = ([shown] if shown else []) + list(notes)
    texts = [(spec.step_text, cap, STEP_BREAK, "a step's line"), *((line, label, " ", "a note") for line in lines)]
    if with_caption:
        texts.append((spec.caption, cap, CAPTION_BREAK, "the caption"))
    held = [(style.advance * _unbreakable(text, at), what, text, at) for text, style, at, what in texts]
    sum_chars = spec.sum_chars(value_chars, (g.shown_in, g.columns, g.shown_out))
    groups = len({spec.out_group(co) for co in g.shown_out})
    entries = groups * spec.sum_entries if spec.sum_each_group else 0
    entry, sum_chars = (sum_chars, entries * (sum_chars + 3) - 3) if entries else (0, sum_chars)
    if values:  # room for a sum to read on a line or two
        chars = min(sum_chars, SUM_LINE_CHARS)
        whole = sum_chars <= SUM_LINE_CHARS
        said = (
            f"its sum stays on one line ({chars} characters)" if whole else f"its sums take {chars} characters a line"
        )
        held.append((cap.advance * chars, said, "", ""))
    need = max(held, key=lambda item: item[0])  # what cannot break, widest
    inner = max(right - margin, need[0])
    if room:  # each text in as few lines as the room allows, broken evenly
        wanted = [
            style.advance * max(map(len, wrap(text, (room - 2 * margin) // style.advance, at)))
            for text, style, at, _ in texts
        ]
        if values:
            wanted.append(cap.advance * sum_chars)
        wanted.append(sum(key_widths) + 4 * label.advance * (len(keys) - 1))
        inner = max(inner, min(max(wanted), room - 2 * margin))
    keys_w = 0  # what the widest key takes: its line, or as few lines as fit the box
    for key, w in zip(keys, key_widths):
        keys_w = max(keys_w, w if not box or w <= box - 2 * margin else max(key_size(key, m, 1)[0], box - 2 * margin))
    width = margin + max(inner, keys_w) + margin
    caption_lines = wrap(spec.caption, inner // cap.advance, CAPTION_BREAK) if with_caption else []
    note_lines = [part for line in lines for part in wrap(line, inner // label.advance)]
    sum_width = inner // cap.advance
    step_lines = len(wrap(spec.step_text, sum_width, STEP_BREAK))
    sum_lines = 1
    if values and entries:
        sum_lines = sum_lines_needed(entries, entry, sum_width, spec.sum_lines_most)
    elif values and sum_chars > sum_width:
        sum_lines = min(spec.sum_lines_most, math.ceil(sum_chars / sum_width))
    if values and spec.sum_head and entries:  # each group's opening line, on lines of its own
        sum_lines += groups * len(wrap(spec.sum_head, sum_width))
    elif values and spec.sum_head and sum_chars > sum_width:  # each group's opening line, broken as the sums break it
        sum_lines += groups * (len(wrap(spec.sum_head, sum_width)) - 1)
    if spec.sum_lines_drawn:  # what the steps drawn write, no more
        sum_lines = min(sum_lines, spec.sum_lines_drawn)
    if values:  # what they write when the estimate keeps fewer
        sum_lines = max(sum_lines, spec.sum_lines_least)
    text_need = (margin + need[0] + margin, _held_words(*need[1:]))
    return _Breaks(inner, width, tuple(caption_lines), step_lines, tuple(note_lines), sum_width, sum_lines, text_need)


def _held_words(what: str, text: str, at: str) -> str:
    """What a refusal says of the ``text`` no line breaks within (at ``at``): a step's line
    (the longest step's, estimated) by its length, a piece of the caption or a note quoted;
    without ``text``, ``what`` says it."""
    if not text:
        return what
    if at == STEP_BREAK:
        return f"{what} has a part of {_unbreakable(text, at)} characters that does not break"
    return f'{what} does not break within "{unbroken(text, at)}"'


def sum_lines_needed(entries: int, chars: int, width: int, most: int = 3) -> int:
    """Lines that ``entries`` sums of ``chars`` characters each take within ``width``: side by
    side, three spaces apart, when they fit a line; else each broken at its spaces, every line
    a word short of full (an index is not broken, see :func:`~convgif.picture.sizes.wrap`).
    A sum longer than ``most`` lines or :data:`~convgif.picture.sizes.SUM_ENTRY_LINES` is not
    read whole: then ``most`` lines, the first sum's start and the value it comes to, the
    others counted."""
    if chars <= width:
        return math.ceil(entries / max(1, (width + 3) // (chars + 3)))
    lines = math.ceil(chars / max(1, width - SUM_SLACK))
    return entries * lines if lines <= max(most, SUM_ENTRY_LINES) else most


def _top(breaks: _Breaks, m: Metrics, values: bool) -> _Top:
    """The lines over the grids, top down: the caption, the step's line, the running sum
    (with values), the notes, then the columns' headings."""
    cap, label, n = m.caption, m.label, m.n
    texts: list[tuple[str, TextStyle, int, int]] = []
    y = m.margin
    for line in breaks.caption_lines:
        texts.append((line, cap, m.margin, y))
        y += cap.height
    if breaks.caption_lines:
        y += 4 * n
    step_y = y
    y += breaks.step_lines * cap.height + 2 * n
    sum_y = y
    if values:
        y += breaks.sum_lines * cap.height + 2 * n
    for line in breaks.note_lines:
        texts.append((line, label, m.margin, y))
        y += label.height + 2 * n
    heads_y = y + 8 * n
    return _Top(tuple(texts), step_y, sum_y, heads_y, heads_y + label.height + 6 * n)


def _all_fringes(g: Grids, body: Placed) -> tuple[tuple[str, int, int, int, int], ...]:
    """The bands beside every grid drawn, on the sides where its map goes on."""
    spec, s, n = g.spec, g.s, g.m.n
    in_hidden, out_hidden = spec.hidden
    fringes: list[tuple[str, int, int, int, int]] = []
    for hidden, grids, size in ((in_hidden, body.inputs, spec.grid), (out_hidden, body.outputs, spec.out_size)):
        for x, y in grids.values():
            fringes += _fringes(hidden, x, y, size[0] * s + 1, size[1] * s + 1, g.frame + FRINGE_GAP * n, FRINGE * n)
    return tuple(fringes)


def _thumbnail(
    g: Grids, body: Placed, width: int, picture: Optional[tuple[int, int]], room: int = 0
) -> tuple[Optional[tuple[int, int, int, int]], list[tuple[str, TextStyle, int, int]], int, int]:
    """Where the whole ``picture`` goes, when there is one: in a free corner the arrangement
    left (one that reaches the figure's right, which is ``width`` so far or ``room`` when that
    is wider, says -1), else under everything. Gives its (x, y, width, height), its texts, the
    lowest y of the figure so far and its width (``width``, or more for a picture wider than
    the drawing)."""
    if picture is None:
        return None, [], body.bottom, width
    m, n, margin = g.m, g.m.n, g.m.margin
    spots = [(left, top, max(width, room) - margin if right < 0 else right) for left, top, right in body.spots]
    thumbnail, texts, below = _place_picture(picture, spots, body.bottom, margin, m)
    right = max(thumbnail[0] + thumbnail[2] + THUMB_PAD * n, *(x + m.label.width(t) for t, _, x, _ in texts))
    return thumbnail, texts, below, max(width, right + margin)


def place_keys(
    m: Metrics, keys: tuple[Key, ...], width: int, below: int
) -> tuple[tuple[tuple[Key, int, int], ...], int]:
    """The colour keys in rows under everything else (which ends at ``below``), as many to a
    row as fit ``width`` (a key wider than that alone on its row, on as many lines as keep it
    within): each with the top-left pixel of its name; and the figure's height."""
    label, margin = m.label, m.margin
    placed, x, y, bottom = [], margin, below + KEYS_ABOVE * m.n, below
    for key in keys:
        w, _ = key_size(key, m)
        if x > margin and x + w > width - margin:
            x, y = margin, bottom + KEY_GAP * m.n
        w, h = key_size(key, m, width - margin - x)
        placed.append((key, x, y))
        bottom = max(bottom, y + h)
        x += w + 4 * label.advance
    return tuple(placed), bottom + margin


def _fringes(
    hidden: tuple[int, int, int, int], x: int, y: int, h: int, w: int, away: int, thick: int
) -> list[tuple[str, int, int, int, int]]:
    """The bands beside a grid of h × w pixels at (x, y) on the sides where its map goes on,
    ``away`` pixels outside it: (side, y0, y1, x0, x1), ends exclusive."""
    spans = {
        "top": (y - away - thick, y - away, x, x + w),
        "bottom": (y + h + away, y + h + away + thick, x, x + w),
        "left": (y, y + h, x - away - thick, x - away),
        "right": (y, y + h, x + w + away, x + w + away + thick),
    }
    return [(side, *spans[side]) for side, count in zip(spans, hidden) if count > 0]


def _place_picture(
    size: tuple[int, int], spots: list[tuple[int, int, int]], bottom: int, margin: int, m: Metrics
) -> tuple[tuple[int, int, int, int], list[tuple[str, TextStyle, int, int]], int]:
    """Where the whole picture of ``size`` (height, width) goes, with two lines of words above
    or beside it: in one of the free ``spots`` (left, top, right) over the body, which ends at
    ``bottom``, or under everything. The place that adds least height wins, then the largest
    picture (THUMB_PX down to THUMB_MIN_PX, or as large as a small picture enlarged whole times
    gets), then the earlier spot. Gives the picture's (x, y, width, height), its texts and the
    lowest y it all reaches (``bottom`` unless lower)."""
    n, label = m.n, m.label
    words = [say(f"picture {size[0]}×{size[1]}"), say("drawn part outlined")]
    words_w = max(map(label.width, words))
    words_h = len(words) * (label.height + 2 * n)
    pad = THUMB_PAD * n
    under = (margin, bottom, margin + max(words_w, THUMB_PX * n + 2 * pad))  # under everything: always fits
    largest = max(thumbnail_size(size, THUMB_PX * n))  # a small picture is enlarged whole times
    smallest = min(THUMB_MIN_PX * n, largest)
    sizes = {thumbnail_size(size, longest) for longest in range(THUMB_PX * n, smallest - 1, -4 * n)}
    best = None
    for th, tw in sorted(t for t in sizes if max(t) >= smallest):
        for order, (left, top, right) in enumerate([*spots, under]):
            y0 = top + m.gap
            for beside in (False, True):
                wide = tw + 2 * pad + (m.gap + words_w if beside else 0)
                tall = max(th + 2 * pad, words_h) if beside else words_h + 2 * n + th + 2 * pad
                if left + max(wide, words_w) > right:
                    continue
                extra = max(0, y0 + tall - bottom)
                rank = (extra, -max(th, tw), order, beside)
                if best is None or rank < best[0]:
                    best = rank, (left, y0, tw, th, beside, y0 + tall)
    assert best is not None
    x, y, tw, th, beside, lowest = best[1]
    if beside:
        texts = [(t, label, x + tw + 2 * pad + m.gap, y + i * (label.height + 2 * n)) for i, t in enumerate(words)]
        box = (x + pad, y + pad, tw, th)
    else:
        texts = [(t, label, x, y + i * (label.height + 2 * n)) for i, t in enumerate(words)]
        box = (x + pad, y + words_h + 2 * n + pad, tw, th)
    return box, texts, max(bottom, lowest)


@dataclass(frozen=True, eq=False)
class _Asked:
    """What a figure is laid out for (the arguments of :func:`plan`), and its layouts at a
    cell size in an arrangement, checked against the box."""

    geometry: Geometry
    values: bool
    value_chars: int
    notes: tuple[str, ...]
    max_width: Optional[int]
    keys: tuple[Key, ...]
    scale: int
    caption: bool
    picture: Optional[tuple[int, int]]
    #: the layouts made so far, by arrangement, cell and scale: the search asks for some twice
    made: dict = field(default_factory=dict, init=False, compare=False, repr=False)
    #: the wide arrangements found too tall within the width asked, their texts breaking within
    #: it: a wider one breaks them onto fewer lines
    crowded: set = field(default_factory=set, init=False, compare=False, repr=False)

    def layout(self, arrangement: Arrangement, cell: int, n: Optional[int] = None) -> Layout:
        """The layout in ``arrangement`` with cells of ``cell`` pixels at scale 1, at scale
        ``n`` (default: the scale asked), its texts breaking within a slide's width for an
        arrangement as wide."""
        n = self.scale if n is None else n
        key = (arrangement, cell, n)
        if key not in self.made:
            self.made[key] = self._layout(arrangement, cell, n)
        return self.made[key]

    def _layout(self, arrangement: Arrangement, cell: int, n: int) -> Layout:
        box = fit_box(self.scale, self.max_width, arrangement.wide)[0] * n // self.scale
        room = box if arrangement.wide else 0
        options = (self.notes, Metrics.of(n), self.keys, self.caption, self.value_chars, self.picture)
        return arrange(self.geometry, self.values, cell * n, *options, arrangement, room, box)

    def widened(self, layout: Layout, width: int) -> Layout:
        """``layout`` (in its arrangement, at its cells) with its texts breaking within
        ``width`` pixels, its grids in the same columns; as it is when that cannot be (a matrix
        view's own arrangement, or a key that would widen it past ``width``)."""
        if self.geometry.arrangement is not None:
            return layout
        n = self.scale
        options = (self.notes, Metrics.of(n), self.keys, self.caption, self.value_chars, self.picture)
        for arrangement in (_page(self.geometry), *_slide(self.geometry)):
            if arrangement.name != layout.arrangement:
                continue
            box = fit_box(n, self.max_width, arrangement.wide)[0]
            room = max(box if arrangement.wide else 0, width)
            wide = arrange(self.geometry, self.values, layout.cell, *options, arrangement, room, box)
            if (
                _columns(wide) == _columns(layout) and wide.width <= width
            ):  # this arrangement's (landscapes share a name)
                return replace(wide, fits_box=layout.fits_box)
        return layout

    def cells(self) -> tuple[int, int, int]:
        """The cell sizes (at scale 1) tried: the smallest drawn, the smallest readable and the
        largest; with values, each large enough to hold the numbers."""
        if self.values:
            smallest = max(MIN_VALUE_CELL_PX, self.value_chars * CELL.advance + VALUE_PAD_PX)
            largest = max(VALUE_CELL_PX, smallest)
        else:
            smallest, largest = MIN_CELL_PX, CELL_PX
        return smallest, max(smallest, READABLE_CELL_PX), largest

    def fits(self, layout: Layout) -> bool:
        """Whether ``layout`` is within ``max_width``, a hard limit."""
        return not self.max_width or layout.width <= self.max_width

    def laid(self, arrangement: Arrangement, cell: int) -> tuple[Optional[Layout], bool, int]:
        """The layout at ``cell`` pixels a cell (at scale 1) when it fits the box (and
        ``max_width``), else None; whether it fits the box's height; and the width it needs
        (the least ``max_width`` it would fit, when its height does)."""
        n = self.scale
        box_w, box_h = fit_box(n, self.max_width, arrangement.wide)

        reserve = 0 if self.keys else arrangement.keys_room  # the keys' own room, or some kept for them

        def size(layout: Layout, k: int) -> tuple[int, int]:
            return layout.drawing[0] * k, (layout.height if self.keys else layout.keyless + reserve * layout.scale) * k

        # measured at scale 1 too, so that a larger scale chooses the cells a smaller one
        # would, whatever its one-pixel grid lines add up to; but for a width asked, a limit on
        # the frame drawn, its own width (the width a default frame takes, asked, draws it)
        layout = self.layout(arrangement, cell, 1)
        wide, tall = size(layout, n)
        if n > 1:
            if tall > box_h or (wide > box_w and not self.max_width):
                return None, tall <= box_h, wide
            layout = self.layout(arrangement, cell)
            drawn_w, drawn_h = size(layout, 1)
            wide, tall = drawn_w if self.max_width else max(wide, drawn_w), max(tall, drawn_h)
        fitting = wide <= box_w and tall <= box_h and self.fits(layout)
        if arrangement.wide and tall > box_h:
            self.crowded.add(arrangement)
        return layout if fitting else None, tall <= box_h, max(wide, layout.width)

    def largest(self, arrangement: Arrangement, cells: range, needs: Optional[list] = None) -> Optional[Layout]:
        """The layout in ``arrangement`` at the first of ``cells`` (largest first) that fits
        the box, or None; the widths needed by those whose height fits go in ``needs``."""
        for cell in cells:
            layout, short, need = self.laid(arrangement, cell)
            if layout is not None:
                return layout
            if short and needs is not None:
                needs.append(need)
        return None


def plan(
    geometry: Geometry,
    values: bool = False,
    value_chars: int = 3,
    notes: tuple[str, ...] = (),
    max_width: Optional[int] = None,
    keys: tuple[Key, ...] = (),
    scale: int = 1,
    caption: bool = True,
    picture: Optional[tuple[int, int]] = None,
    chosen: bool = False,
    text_width: int = 0,
) -> Layout:
    """Lay out the frames of ``geometry``, choosing the arrangement and the largest cell size
    that fit the box of :func:`~convgif.picture.sizes.fit_box` (a page's column, or a slide),
    or the smallest cell when none does (``fits_box`` then says so). The stacked arrangement
    is kept at the largest readable cells that fit; the landscape one (as wide as a slide)
    replaces it when the stacked one is too tall at full size and the landscape one fits
    larger cells, so that a slide shows every channel rather than fewer; within a ``max_width``
    past the box's own width that no stacked one fits at readable cells, the landscape one is
    drawn as well, as the default draws a figure wider than its box (see :func:`_across`).

    With ``values``, cells are wide enough for numbers of ``value_chars`` characters; ``notes``
    are lines written under the caption (after the geometry's own); ``max_width`` caps the
    frame's width, a hard limit; ``keys`` are the colour keys drawn under the grids (when not
    given, room is kept for them); ``scale`` makes every length and text that many times
    larger; without ``caption`` the frame has neither caption nor notes (the tiles of a
    contact sheet); ``picture`` is the (height, width) of a whole picture shown small beside
    the grids, in a free corner or under them. Raises :class:`TooLargeError`, naming the
    argument to shrink, when nothing readable fits (for ``max_width``, when readable cells
    would fit a wider one: naming the least width that draws it, and whether its text or its
    cells need it, see :mod:`.narrow`). A part ``chosen`` to be drawn (with room kept for keys
    other than its own) is not refused for readable cells that its own keys make fit or not:
    on a slide it may take the landscape arrangement, else it is drawn at smaller cells. ``text_width``,
    when wider than the layout chosen, is the width of the canvas its frames are drawn on (the
    widest of an animation's pictures): its texts then break within that, as the other
    pictures' do, its grids where they were.
    """
    notes = (*geometry.notes, *notes) if caption else ()
    values = values or geometry.numbers
    asked = _Asked(geometry, values, value_chars, notes, max_width, keys, scale, caption, picture)
    try:
        layout = _laid_out(asked, chosen)
        return asked.widened(layout, text_width) if text_width > layout.width else layout
    except TooLargeError as error:
        if error.argument != "width":
            raise
        raise least_width(asked, error, lambda other: _laid_out(other, chosen)) from None


def _columns(layout: Layout) -> tuple:
    """Where a layout's grids go across: the x of each input, kernel and output grid."""
    return tuple({k: xy[0] for k, xy in grids.items()} for grids in (layout.inputs, layout.kernels, layout.outputs))


def _laid_out(asked: _Asked, chosen: bool) -> Layout:
    """The layout :func:`plan` chooses for ``asked`` (see there)."""
    if asked.geometry.arrangement is not None:  # the matrix view's own
        return asked.geometry.arrangement.laid_out(asked)
    scale, values = asked.scale, asked.values
    stacked = _page(asked.geometry)
    smallest, least, largest = asked.cells()
    needs: list[int] = []  # the widths at which readable cells would fit
    found = asked.largest(stacked, range(largest, least - 1, -1), needs)
    too_tall = not asked.laid(stacked, largest)[1]
    if (found is None or found.cell < largest * scale) and too_tall:
        for arrangement in _slide(asked.geometry):  # the largest cells either way; the first on a tie
            below = found.cell // scale if found else least - 1
            found = asked.largest(arrangement, range(largest, below, -1), needs) or found
    if found is None and asked.max_width:  # a width asked that no stacked one fits: across, past the column
        found = _across(asked, range(largest, least - 1, -1), needs)
    if found is None and chosen and scale > 1:  # on a slide, landscape rather than smaller cells
        for arrangement in _slide(asked.geometry):
            found = found or asked.largest(arrangement, range(largest, least - 1, -1))
    if found is None and asked.max_width and needs and not chosen:  # a wider limit draws readable cells
        raise too_narrow(asked.max_width, min(needs), cells_need(min(needs), least * scale, readable(values)))
    found = found or asked.largest(stacked, range(least - 1, smallest - 1, -1))
    if found is not None:
        return replace(found, fits_box=True)
    return _unfitted(asked, smallest)


def _across(asked: _Asked, cells: range, needs: list[int]) -> Optional[Layout]:
    """The landscape layout at the largest of ``cells`` (at scale 1) that fits a width asked
    past the default's box (a page's column, enlarged at a larger scale), for a figure no
    stacked one fits: the default draws such a figure past its box, and may draw it across.
    Within the box, none: there a width asked is the default's box narrowed. The least width
    each one draws at (past the box) goes in ``needs``, measured where its texts would break."""
    column = fit_box(asked.scale)[0]
    past = asked if asked.max_width and asked.max_width > column else replace(asked, max_width=column + 1)
    found, wider = None, []
    for arrangement in _slide(asked.geometry):  # the largest cells either way; the first on a tie
        below = found.cell // asked.scale if found else cells.stop
        found = past.largest(arrangement, range(cells.start, below, -1), wider) or found
    if past is asked:
        needs += wider
        return found
    needs += [*wider, *([column + 1] if found else [])]  # one that fits just past the box draws there
    return None


def _page(geometry: Geometry) -> Arrangement:
    """The arrangement for a page's column: the stacked one, or, for a picture that draws no
    input, its outputs alone (on a slide too)."""
    if geometry.inputs_drawn:
        return STACKED
    from .alone import ALONE

    return ALONE


def _slide(geometry: Geometry) -> tuple[Arrangement, ...]:
    """The arrangements for a slide, tried when the page's one is too tall (or, within a width
    asked past the column, too wide): the landscape ones, none for a picture that draws no input."""
    if not geometry.inputs_drawn:
        return ()
    from .landscape import LANDSCAPES

    return LANDSCAPES


def _unfitted(asked: _Asked, smallest: int) -> Layout:
    """The figure drawn at the ``smallest`` cells when no cells fit the box: stacked, else
    landscape (with the outputs in one column, its narrowest), whichever is within the width
    asked and not too large to draw at all; else the refusal, naming what to change (the
    least width that draws it, for a width too narrow)."""
    n, max_width, geometry = asked.scale, asked.max_width, asked.geometry
    within: list[Layout] = []
    drawn: list[Layout] = []
    for arrangement in (_page(geometry), *_slide(geometry)[-1:]):
        drawn.append(asked.layout(arrangement, smallest))
        if asked.fits(drawn[-1]):
            if max(drawn[-1].drawing) <= MAX_SIDE_PX * n:
                return drawn[-1]
            within.append(drawn[-1])
    if not within:
        least = min(lay.width for lay in drawn)
        raise too_narrow(max_width, least, cells_need(least, smallest * n, "convgif draws"))
    width, height = within[0].drawing
    hp, wp = geometry.grid
    ho, wo = geometry.out_size
    tall = height >= width
    argument, value, what = geometry.blame(0 if tall else 1)
    hint = f"shrink the {what} {'height' if tall else 'width'}"
    plain = _drawn_without_values(asked)
    if plain:
        hint = "draw it without values (numbers need large cells) or " + hint
    if n > 1 and _drawn_as(asked, scale=1):
        hint += " or draw it at a smaller scale"
    needs = f"{width}×{height} pixels even at {smallest * n}-pixel cells, over the {MAX_SIDE_PX * n}-pixel limit"
    raise TooLargeError(
        argument,
        f"{argument}={value!r} is too large to draw: padded {hp}×{wp} cells with output "
        f"{ho}×{wo} need {needs}; {hint} (`convgif info` describes the layer without drawing it)",
        needs,
        plain,
    )


def _drawn_without_values(asked: _Asked) -> bool:
    """Whether ``asked``, refused with values, would be drawn without them: never for a picture
    that writes its numbers whatever is asked (``numbers``), nor for one too large at any cells."""
    return asked.values and not asked.geometry.numbers and _drawn_as(asked, values=False)


def _drawn_as(asked: _Asked, **changes: Any) -> bool:
    """Whether ``asked`` with ``changes`` (the options a refusal would advise) is drawn: a
    refusal advises only what draws the picture."""
    try:
        _laid_out(replace(asked, **changes), False)
    except TooLargeError:
        return False
    return True
