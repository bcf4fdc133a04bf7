"""One layout at a given cell size, worked out in phases: the columns across, the width and
where the texts break, the lines over the grids, the grids stacked down, the bands beside a
part of a larger map, the whole picture shown small, the keys and the grids' labels.

:func:`plan` chooses the cell size; each phase here is a function of
what the phases before it decided, passed as the small frozen records below.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Optional

from ..errors import TooLargeError
from .model import Geometry, Key
from .sizes import (
    CAPTION_BREAK,
    CELL,
    CELL_PX,
    FRINGE,
    FRINGE_GAP,
    FRINGE_ROOM,
    KEYS_ROOM,
    MAX_SIDE_PX,
    MIN_CELL_PX,
    MIN_VALUE_CELL_PX,
    STEP_BREAK,
    SUM_LINE_CHARS,
    THUMB_MIN_PX,
    THUMB_PAD,
    THUMB_PX,
    VALUE_CELL_PX,
    VALUE_PAD_PX,
    Layout,
    Metrics,
    TextStyle,
    _unbreakable,
    continues_text,
    fit_box,
    key_items_x,
    shown,
    shown_note,
    thumbnail_size,
    wrap,
)


@dataclass(frozen=True)
class _Grids:
    """What every phase of a layout reads: the geometry, the cell size ``s``, the lengths at
    this scale, the channels shown, and the room that a group frame and the bands of a part of
    a larger map take round each input and output grid (top, bottom, left, right)."""

    spec: Geometry
    s: int
    m: Metrics
    shown_in: tuple[int, ...]
    columns: tuple[int, ...]
    shown_out: tuple[int, ...]
    #: how far outside its grid a group's frame sits (0 without groups)
    frame: int
    #: how far a band saying that a map goes on reaches beyond the frame
    band: int
    in_room: tuple[int, int, int, int]
    out_room: tuple[int, int, int, int]
    #: how many cells the maps go on beyond the grids drawn, as written in their labels' lines
    in_counts: str
    out_counts: str

    @classmethod
    def of(cls, spec: Geometry, s: int, m: Metrics) -> _Grids:
        frame = m.frame if spec.groups > 1 else 0  # group frames sit just outside the grid
        band = (FRINGE_GAP + FRINGE) * m.n
        in_hidden, out_hidden = spec.hidden

        def room(hidden: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
            top, bottom, left, right = (frame + band if count > 0 else 0 for count in hidden)
            return top, bottom, left, right

        counts = continues_text(in_hidden), continues_text(out_hidden)
        return cls(spec, s, m, *shown(spec), frame, band, room(in_hidden), room(out_hidden), *counts)

    @property
    def lh(self) -> int:
        """The height of a grid's label line."""
        return self.m.label.height + 2 * self.m.n


@dataclass(frozen=True)
class _Across:
    """Where the columns of grids go, left to right, and where the widest of them ends."""

    x_in: int
    #: where the input column's headings start (with its bands)
    x_heads: int
    in_counts_x: int
    #: where the kernel column starts, and each column of kernels
    x_k: int
    column_x: tuple[int, ...]
    x_out: int
    x_out_heads: int
    out_counts_x: int
    #: the right end of the output column: its grids, labels, bands, counts and headings
    right: int
    out_labels: dict[int, str]


@dataclass(frozen=True)
class _Breaks:
    """The texts over the grids broken into lines, and the widths that decide where."""

    #: the drawing's width inside the margins, within which texts break
    inner: int
    #: the figure's width: the drawing's, or more for a wider key
    width: int
    key_widths: tuple[int, ...]
    caption_lines: tuple[str, ...]
    #: lines the longest step line takes
    step_lines: int
    note_lines: tuple[str, ...]
    #: characters available on each line of the running sum, and its lines
    sum_width: int
    sum_lines: int


@dataclass(frozen=True)
class _Top:
    """The lines over the grids, top down: caption, step, running sum and notes, then the headings."""

    #: the caption's and the notes' lines, placed
    texts: tuple[tuple[str, TextStyle, int, int], ...]
    step_y: int
    sum_y: int
    heads_y: int
    #: where the grids' blocks start
    body_top: int


@dataclass(frozen=True)
class _Body:
    """The grids stacked down: the top of each block (its label's line), the top-left pixel of
    each grid, the lane under each row of kernels and where each column ends."""

    in_tops: tuple[int, ...]
    inputs: dict[int, tuple[int, int]]
    in_bottom: int
    kernels: dict[tuple[int, int], tuple[int, int]]
    lanes: dict[int, int]
    k_bottom: int
    out_tops: tuple[int, ...]
    outputs: dict[int, tuple[int, int]]
    out_bottom: int

    @property
    def bottom(self) -> int:
        return max(self.in_bottom, self.out_bottom, self.k_bottom)


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
) -> Layout:
    """The layout of ``spec`` with cells of ``s`` pixels, in phases: the columns across, the
    width and where the texts break, the lines over the grids, the grids stacked down, the
    whole picture shown small, the keys and the grids' labels."""
    g = _Grids.of(spec, s, m)
    across = _across(g)
    breaks = _breaks(g, across.right, notes, keys, with_caption, values, value_chars)
    top = _top(breaks, m, values)
    body = _body(g, across, top.body_top)
    _, _, out_left, _ = g.out_room
    links = (across.x_k - m.link_gap // 2, across.x_out - g.frame - max(out_left - g.frame, 0) - m.link_gap // 2)
    thumbnail, thumb_texts, below, width = _thumbnail(g, across, body, links[1], breaks.width, picture)
    placed, height = _keys(m, keys, breaks.key_widths, width, below)
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
        texts=(*top.texts, *thumb_texts, *_labels(g, across, top, body)),
        step_at=(m.margin, top.step_y),
        sum_at=(m.margin, top.sum_y),
        sum_width=breaks.sum_width,
        caption_lines=len(breaks.caption_lines),
        step_lines=breaks.step_lines,
        sum_lines=breaks.sum_lines,
        keys=placed,
        lanes=body.lanes,
        links=links,
        metrics=m,
        drawing=(m.margin + breaks.inner + m.margin, body.bottom + m.margin),
        fringes=_all_fringes(g, body),
        reach=(g.band if g.in_room[3] else 0, g.band if out_left else 0),
        thumbnail=thumbnail,
    )


def _counts_x(label: TextStyle, x: int, right: int, names: list[str], counts: str) -> int:
    """Where a grid's counts go in its label's line: ending at its right band, after the label."""
    return max(right - label.width(counts), x + max(map(label.width, names)) + 2 * label.advance)


def _across(g: _Grids) -> _Across:
    """The columns across: the inputs with their bands and counts, the kernels (for a layer
    with weights) and the outputs, with gaps between them where the connecting lines run."""
    spec, s, m, label, frame = g.spec, g.s, g.m, g.m.label, g.frame
    _, _, in_left, in_right_room = g.in_room
    _, _, out_left, out_right_room = g.out_room
    x_in = m.margin + frame + max(in_left - frame, 0)
    in_right = x_in + spec.grid[1] * s + 1 + max(frame, in_right_room)  # the grid, its frame and its right band
    in_counts_x = _counts_x(label, x_in, in_right, [spec.input_text(c) for c in g.shown_in], g.in_counts)
    if g.in_counts:  # the labels' lines are clear of the connecting lines: the counts may reach into the gap
        in_right = max(in_right, in_counts_x + label.width(g.in_counts) - m.link_gap + 2 * m.gap)
    x_heads = m.margin + frame  # the column's headings start where its bands do
    x_k = max(in_right, x_heads + label.width(spec.input_heading) + m.gap) + m.link_gap
    if spec.kernel is not None:
        k_label = max(label.width(spec.kernel_label(c, j)) for c in g.shown_in for j in g.columns)
        col_w = max(spec.kernel[1] * s + 1, k_label)
        column_x = tuple(x_k + i * (col_w + m.gap) for i in range(len(g.columns)))
        k_right = max(column_x[-1] + col_w, x_k + label.width(spec.kernel_heading))
    else:  # no weights: the output column follows the input
        column_x, k_right = (), x_k - m.link_gap
    out_w = spec.out_size[1] * s + 1
    x_out = k_right + m.link_gap + frame + max(out_left - frame, 0)
    x_out_heads = k_right + m.link_gap if out_left else x_out  # where the column's headings start
    out_labels = {co: spec.output_label(co) for co in g.shown_out}
    more_out = spec.out_channels - len(g.shown_out)
    right = max(
        x_out + max(out_w, *(label.width(t) for t in out_labels.values())) + max(frame, out_right_room),
        x_out_heads + label.width(spec.output_heading) + frame,
    )
    names = list(out_labels.values())
    out_counts_x = _counts_x(label, x_out, x_out + out_w + max(frame, out_right_room), names, g.out_counts)
    if g.out_counts:
        right = max(right, out_counts_x + label.width(g.out_counts))
    if more_out:
        right = max(right, x_out + label.width(f"… {more_out} more"))
    return _Across(x_in, x_heads, in_counts_x, x_k, column_x, x_out, x_out_heads, out_counts_x, right, out_labels)


def _breaks(
    g: _Grids,
    right: int,
    notes: tuple[str, ...],
    keys: tuple[Key, ...],
    with_caption: bool,
    values: bool,
    value_chars: int,
) -> _Breaks:
    """How wide the drawing is, and where its texts break: as wide as the grids ending at
    ``right`` and what cannot break (the step line, the longest piece of the caption and of
    each note, with values a sum's line or two). Texts break within the drawing's width; a key
    wider than that widens the figure alone, so that the drawing (what decides whether a
    picture is too large) is the same with or without keys."""
    spec, m = g.spec, g.m
    cap, label, margin = m.caption, m.label, m.margin
    key_widths = tuple(key_items_x(key, m)[1] for key in keys)
    shown = f"showing {shown_note(spec)}" if with_caption and shown_note(spec) else ""
    lines = ([shown] if shown else []) + list(notes)
    must = [
        right - margin,
        cap.advance * _unbreakable(spec.step_text, STEP_BREAK),
        *(label.advance * _unbreakable(line, " ") for line in lines),
    ]
    if with_caption:
        must.append(cap.advance * _unbreakable(spec.caption, CAPTION_BREAK))
    sum_chars = spec.sum_chars(value_chars, (g.shown_in, g.columns, g.shown_out))
    if values:  # room for a sum to read on a line or two
        must.append(cap.advance * min(sum_chars, SUM_LINE_CHARS))
    inner = max(must)
    width = margin + max([inner, *key_widths]) + margin
    caption_lines = wrap(spec.caption, inner // cap.advance, CAPTION_BREAK) if with_caption else []
    note_lines = [part for line in lines for part in wrap(line, inner // label.advance)]
    sum_width = inner // cap.advance
    step_lines = len(wrap(spec.step_text, sum_width, STEP_BREAK))
    sum_lines = 1
    if values and sum_chars > sum_width:
        sum_lines = min(spec.sum_lines_most, math.ceil(sum_chars / sum_width))
    return _Breaks(inner, width, key_widths, tuple(caption_lines), step_lines, tuple(note_lines), sum_width, sum_lines)


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


def _body(g: _Grids, across: _Across, top: int) -> _Body:
    """The grids stacked down from ``top``: each input block (its label's line, a top band,
    the grid as tall as the kernels beside it, a bottom band) with its row of kernels and the
    free lane under them, and each output block; a group frame takes the gap below a block."""
    spec, s, m, n, label = g.spec, g.s, g.m, g.m.n, g.m.label
    hp, _ = spec.grid
    kh, _ = spec.kernel or (0, 0)
    in_top_room, in_bottom_room, _, _ = g.in_room
    out_top_room, out_bottom_room, _, _ = g.out_room
    row_h = max(hp, kh) * s + 1  # a transposed layer's kernel can be taller than its input
    in_block = g.lh + in_top_room + max(hp * s + 1 + in_bottom_room, row_h)
    # the bottom band, where it is the block's end
    tucked = min(in_bottom_room, hp * s + 1 + in_bottom_room - row_h) if in_bottom_room else 0
    in_groups = [c // spec.in_per_group for c in g.shown_in]
    in_tops = _stack([in_block] * len(g.shown_in), in_groups, top, m, max(tucked, 0))
    inputs = {c: (across.x_in, t + g.lh + in_top_room) for c, t in zip(g.shown_in, in_tops)}
    in_bottom = in_tops[-1] + in_block + g.frame
    if spec.in_channels > len(g.shown_in):
        in_bottom += 4 * n + label.height
    kernels = {}
    if spec.kernel is not None:
        kernels = {(c, j): (across.column_x[i], inputs[c][1]) for c in g.shown_in for i, j in enumerate(g.columns)}
    k_bottom = max((y0 + kh * s + 1 for _, y0 in kernels.values()), default=top)
    lanes = {}
    for i, c in enumerate(g.shown_in):
        below = inputs[c][1] + kh * s + 1 + m.stroke + n  # under the kernel and its outline
        after = in_tops[i + 1] - n if i + 1 < len(g.shown_in) else max(below + 2 * m.gap, in_bottom)
        lanes[c] = min((below + after) // 2, below + m.gap)  # close under the kernels
    k_bottom = max(k_bottom, max(lanes.values()) + n)
    out_block = g.lh + out_top_room + spec.out_size[0] * s + 1 + out_bottom_room
    out_groups = [co // spec.out_per_group for co in g.shown_out]
    out_tops = _stack([out_block] * len(g.shown_out), out_groups, top, m, out_bottom_room)
    outputs = {co: (across.x_out, t + g.lh + out_top_room) for co, t in zip(g.shown_out, out_tops)}
    out_bottom = out_tops[-1] + out_block + g.frame
    if spec.out_channels > len(g.shown_out):
        out_bottom += 4 * n + label.height
    return _Body(tuple(in_tops), inputs, in_bottom, kernels, lanes, k_bottom, tuple(out_tops), outputs, out_bottom)


def _stack(heights: list[int], groups: list[int], top: int, m: Metrics, tucked: int = 0) -> list[int]:
    """Tops of blocks stacked downwards, with a wider gap where the group changes. The last
    ``tucked`` pixels of a block (a band under its grid) may take the gap after it, all but
    FRINGE_ROOM pixels of it."""
    tops, y = [], top
    for i, (h, g) in enumerate(zip(heights, groups)):
        if i:
            gap = m.group_gap if g != groups[i - 1] else m.gap
            y += gap - min(tucked, gap - FRINGE_ROOM * m.n)
        tops.append(y)
        y += h
    return tops


def _all_fringes(g: _Grids, body: _Body) -> tuple[tuple[str, int, int, int, int], ...]:
    """The bands beside every grid drawn, on the sides where its map goes on."""
    spec, s, n = g.spec, g.s, g.m.n
    in_hidden, out_hidden = spec.hidden
    fringes: list[tuple[str, int, int, int, int]] = []
    for hidden, grids, size in ((in_hidden, body.inputs, spec.grid), (out_hidden, body.outputs, spec.out_size)):
        for x, y in grids.values():
            fringes += _fringes(hidden, x, y, size[0] * s + 1, size[1] * s + 1, g.frame + FRINGE_GAP * n, FRINGE * n)
    return tuple(fringes)


def _thumbnail(
    g: _Grids, across: _Across, body: _Body, out_link: int, width: int, picture: Optional[tuple[int, int]]
) -> tuple[Optional[tuple[int, int, int, int]], list[tuple[str, TextStyle, int, int]], int, int]:
    """Where the whole ``picture`` goes, when there is one: in a free corner under the inputs,
    the kernels (whose gap before the outputs is at ``out_link``) or the outputs, else under
    everything. Gives its (x, y, width, height), its texts, the lowest y of the figure so far
    and its width (``width``, or more for a picture wider than the drawing)."""
    if picture is None:
        return None, [], body.bottom, width
    m, n, margin = g.m, g.m.n, g.m.margin
    spots = [(across.x_heads, body.in_bottom, across.x_k - m.link_gap // 2 - m.gap)]  # under the inputs,
    if body.kernels:
        spots.append((across.x_k, body.k_bottom, out_link - m.gap))  # the kernels,
    spots.append((across.x_out_heads, body.out_bottom, width - margin))  # the outputs
    thumbnail, texts, below = _place_picture(picture, spots, body.bottom, margin, m)
    right = max(thumbnail[0] + thumbnail[2] + THUMB_PAD * n, *(x + m.label.width(t) for t, _, x, _ in texts))
    return thumbnail, texts, below, max(width, right + margin)


def _keys(
    m: Metrics, keys: tuple[Key, ...], widths: tuple[int, ...], width: int, below: int
) -> tuple[tuple[tuple[Key, int, int], ...], int]:
    """The colour keys in rows under everything else (which ends at ``below``), as many to a
    row as fit ``width``: each with the top-left pixel of its name; and the figure's height."""
    label, margin = m.label, m.margin
    placed, x, y = [], margin, below + 10 * m.n
    for key, w in zip(keys, widths):
        if x > margin and x + w > width - margin:
            x, y = margin, y + label.height + 6 * m.n
        placed.append((key, x, y))
        x += w + 4 * label.advance
    return tuple(placed), (y + label.height if keys else below) + margin


def _labels(g: _Grids, across: _Across, top: _Top, body: _Body) -> list[tuple[str, TextStyle, int, int]]:
    """The columns' headings, each grid's label (with the counts of a part of a larger map) and
    how many channels are not shown."""
    spec, label = g.spec, g.m.label
    texts = [(spec.input_heading, label, across.x_heads, top.heads_y)]
    if body.kernels:
        texts.append((spec.kernel_heading, label, across.x_k, top.heads_y))
    texts.append((spec.output_heading, label, across.x_out_heads, top.heads_y))
    for c, t in zip(g.shown_in, body.in_tops):
        x, _ = body.inputs[c]
        texts.append((spec.input_text(c), label, x, t))
        if g.in_counts:
            texts.append((g.in_counts, label, across.in_counts_x, t))
        for j in g.columns if body.kernels else ():
            kx, ky = body.kernels[(c, j)]
            texts.append((spec.kernel_label(c, j), label, kx, ky - g.lh))
    for co, t in zip(g.shown_out, body.out_tops):
        x, _ = body.outputs[co]
        texts.append((across.out_labels[co], label, x, t))
        if g.out_counts:
            texts.append((g.out_counts, label, across.out_counts_x, t))
    more_in = spec.in_channels - len(g.shown_in)
    more_out = spec.out_channels - len(g.shown_out)
    if more_in:
        texts.append((f"… {more_in} more", label, across.x_in, body.in_bottom - label.height))
    if more_out:
        texts.append((f"… {more_out} more", label, across.x_out, body.out_bottom - label.height))
    return texts


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
    words = [f"picture {size[0]}×{size[1]}", "drawn part outlined"]
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
                tall = th + 2 * pad if beside else words_h + 2 * n + th + 2 * pad
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
) -> Layout:
    """Lay out the frames of ``geometry``, choosing the largest cell size that fits the box of
    :func:`~convgif.picture.sizes.fit_box` (a page's column, or a slide), or the smallest cell
    when none does (``fits_box`` then says so).

    With ``values``, cells are wide enough for numbers of ``value_chars`` characters; ``notes``
    are lines written under the caption (after the geometry's own); ``max_width`` caps the
    frame's width, a hard limit; ``keys`` are the colour keys drawn under the grids; ``scale`` makes every
    length and text that many times larger; without ``caption`` the frame has neither caption
    nor notes (the tiles of a contact sheet); ``picture`` is the (height, width) of a whole
    picture shown small beside the grids, in a free corner or under them (like the keys, it
    does not count towards the size that decides the cells'). Raises :class:`TooLargeError`,
    naming the argument to shrink, when nothing readable fits.
    """
    m = Metrics.of(scale)
    notes = (*geometry.notes, *notes) if caption else ()
    values = values or geometry.numbers
    if values:
        smallest = max(MIN_VALUE_CELL_PX, value_chars * CELL.advance + VALUE_PAD_PX)
        largest = max(VALUE_CELL_PX, smallest)
    else:
        smallest, largest = MIN_CELL_PX, CELL_PX
    box_w, box_h = (fit_box if geometry.arrangement is None else geometry.arrangement.fit_box)(scale, max_width)
    fits = (lambda lay: lay.width <= max_width) if max_width else (lambda lay: True)
    one = Metrics.of(1)
    lay_out = arrange if geometry.arrangement is None else geometry.arrangement.arrange
    for cell in range(largest, smallest - 1, -1):
        layout = lay_out(geometry, values, cell * m.n, notes, m, keys, caption, value_chars, picture)
        # measured at scale 1, so that a larger scale chooses the cells a smaller one would,
        # whatever its one-pixel grid lines add up to
        unit = layout if m.n == 1 else lay_out(geometry, values, cell, notes, one, keys, caption, value_chars, picture)
        reserve = 0 if keys else KEYS_ROOM  # the keys' own room, or some kept for them
        tall = max((unit.height if keys else unit.drawing[1] + reserve) * m.n, layout.height + reserve * m.n)
        wide = max(unit.drawing[0] * m.n, layout.drawing[0])
        if wide <= box_w and tall <= box_h and fits(layout):
            return replace(layout, fits_box=True)
    if max_width and not fits(layout):
        raise TooLargeError(
            "width",
            f"width={max_width} is too narrow: this picture needs {layout.width} pixels even at "
            f"{smallest * m.n}-pixel cells",
            f"{layout.width} pixels",
        )
    width, height = layout.drawing
    if max(width, height) <= MAX_SIDE_PX * m.n:
        return layout
    hp, wp = geometry.grid
    ho, wo = geometry.out_size
    tall = height >= width
    argument, value, what = geometry.blame(0 if tall else 1)
    hint = f"shrink the {what} {'height' if tall else 'width'}"
    if values:
        hint = "draw it without values (numbers need large cells) or " + hint
    if m.n > 1:
        hint += " or draw it at a smaller scale"
    needs = f"{width}×{height} pixels even at {smallest * m.n}-pixel cells, over the {MAX_SIDE_PX * m.n}-pixel limit"
    raise TooLargeError(
        argument,
        f"{argument}={value!r} is too large to draw: padded {hp}×{wp} cells with output "
        f"{ho}×{wo} need {needs}; {hint} (`convgif info` describes the layer without drawing it)",
        needs,
        values,
    )
