"""The arrangement of a convolution drawn as one matrix product, beside its grids.

Two forms, each the textbook way of writing a product so that every entry of the result sits
where its row and its column meet:

* ``product`` (a direct convolution, ``Y = W·X``): the input grids at the top left, the
  unfolded input X (PyTorch's ``Unfold`` layout: one row per input channel and kernel cell,
  one column per window placement) at the top right; the weight W (one row per output
  channel, block-diagonal when there are groups) at the bottom left, their product Y under X,
  and the output maps, the rows of Y laid out again, on the right. A step's window on the
  grids is linked to its column of X; the entry of Y it computes lies under that column, on
  the row of W it uses, and is linked to its cell of the output map.
* ``transpose`` (a transposed convolution, ``y = Cᵀ·x``): the input flattened into a row
  over the matrix Cᵀ (one column per input cell, one row per output cell), the input grids on
  its left, the output y flattened into a column on its right and the output maps after it.
  A step's input cell is linked to its entry of x; that entry's column of Cᵀ holds the
  kernel's weights, on the rows of the output cells they add into.

Everything is laid out at one cell size, in the phases of :mod:`convgif.picture.layout`
(whose texts over the grids, group frames, bands beside a part and keys it shares), as a
:class:`MatrixLayout`; :mod:`convgif.picture.matrix_frames` draws it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

from ..language import say
from .arrangement import Grids
from .layout import _breaks, _fringes, _top, place_keys
from .matrix_cells import laid_out
from .matrix_frames import CUT_REACH, PRODUCT, Block, MatrixAnimation, MatrixLayout
from .model import Geometry, Key
from .sizes import FRINGE, FRINGE_GAP, Layout, Metrics, TextStyle, fit_box

#: The gaps in a matrix's rows (or columns) drawn: (grid line, rows left out there).
Skips = tuple[tuple[int, int], ...]


def skipped(drawn: Sequence[int], whole: int) -> Skips:
    """The gaps in ``drawn`` (increasing indices of rows or columns of a matrix of ``whole``):
    at each grid line of the matrix drawn, how many of the whole's are left out there."""
    gaps, last = [], -1
    for line, index in enumerate(drawn):
        if index - last > 1:
            gaps.append((line, index - last - 1))
        last = index
    if whole - last > 1:
        gaps.append((len(drawn), whole - last - 1))
    return tuple(gaps)


@dataclass(frozen=True)
class MatrixPlan:
    """A geometry's matrix picture (:attr:`Geometry.arrangement`): its ``form`` (``product`` or
    ``transpose``), the rows of X each input channel has (its kernel's cells), and the
    headings of the matrices."""

    form: str
    #: Rows of the unfolded input per input channel (KH·KW); a ``transpose`` picture's columns
    #: per input channel come from the grid.
    per_channel: int = 1
    #: Names of X (or of the row x), of W (or of Cᵀ), of Y (or of the column y), as their
    #: headings write them before their sizes.
    names: tuple[str, str, str] = ("X", "W", "Y")
    #: Their whole sizes (rows, columns), of which a part of a large layer draws some.
    wholes: tuple[tuple[int, int], ...] = ((0, 0), (0, 0), (0, 0))
    #: Labels of W's rows (``w[0]``), given the output channel.
    row_label: Any = field(default=lambda co: f"w[{co}]", compare=False)
    #: The whole matrices' indices of the rows and columns drawn, given the input and output
    #: channels shown: ``{"x": (rows, columns), "w": …, "y": …}``; None: every one is drawn.
    indices: Any = field(default=None, compare=False)
    #: The notes saying which rows and columns those are, given the channels shown, when not
    #: every one (in English, written in the picture's language).
    notes: Any = field(default=lambda shown_in, shown_out: [], compare=False)

    def skips(self, shown_in: tuple, shown_out: tuple) -> dict[str, tuple[Skips, Skips]]:
        """Where each matrix drawn leaves out rows and columns of the whole one: for each, the
        (grid line, how many) of its rows' and of its columns' gaps, line 0 being before the
        first drawn and the last line after the last (nothing for a matrix drawn whole)."""
        if self.indices is None:
            return {}
        found = self.indices(shown_in, shown_out)
        gaps = {
            key: (skipped(found[key][0], whole[0]), skipped(found[key][1], whole[1]))
            for key, whole in zip(("x", "w", "y"), self.wholes)
        }
        return {key: (rows, cols) for key, (rows, cols) in gaps.items() if rows or cols}

    def headings(self, sizes: dict[str, tuple[int, int]]) -> tuple[str, str, str]:
        """The headings of X, W and Y (x, Cᵀ, y): name and whole size, and the size drawn when
        only a part is (``X = unfold(x), 147 × 12544: 49 × 25 drawn``)."""
        out = []
        for name, whole, key in zip(self.names, self.wholes, ("x", "w", "y")):
            drawn = sizes[key]
            vector = self.form != PRODUCT and key != "w"  # x, a row, and y, a column: their length alone
            size = str(max(whole)) if vector else f"{whole[0]} × {whole[1]}"
            text = f"{name}, {size}" if self.form == PRODUCT else f"{name} ({size})"
            if drawn != tuple(whole):
                text += f": {max(drawn)} drawn" if vector else f": {drawn[0]} × {drawn[1]} drawn"
            out.append(say(text))
        return out[0], out[1], out[2]

    def sizes(self, geometry: Geometry, shown_in: tuple, shown_out: tuple) -> dict[str, tuple[int, int]]:
        """(rows, columns) of each matrix for the channels shown."""
        (hp, wp), (ho, wo) = geometry.grid, geometry.out_size
        if self.form == PRODUCT:
            rows = len(shown_in) * self.per_channel
            return {"x": (rows, ho * wo), "w": (len(shown_out), rows), "y": (len(shown_out), ho * wo)}
        cols, rows = len(shown_in) * hp * wp, len(shown_out) * ho * wo
        return {"x": (1, cols), "w": (rows, cols), "y": (rows, 1)}

    def arrange(
        self,
        geometry: Geometry,
        values: bool,
        s: int,
        notes: tuple[str, ...],
        m: Metrics,
        keys: tuple[Key, ...],
        with_caption: bool,
        value_chars: int,
        picture: Optional[tuple[int, int]] = None,
    ) -> MatrixLayout:
        """The layout at cells of ``s`` pixels (the arguments of :func:`convgif.picture.layout.arrange`;
        a whole picture shown small is not drawn beside a matrix)."""
        return _arrange(self, geometry, values, s, notes, m, keys, with_caption, value_chars)

    @staticmethod
    def laid_out(asked: Any) -> Layout:
        """The layout :func:`~convgif.picture.layout.plan` chooses for a picture of this
        arrangement ``asked`` (see :func:`.matrix_cells.laid_out`)."""
        return laid_out(asked)

    @staticmethod
    def fit_box(scale: int = 1, width: Optional[int] = None) -> tuple[int, int]:
        """The box a matrix picture's cells shrink to fit: at scale 1, ``width`` wide, else two
        of a page's columns (X and W·X side by side are as wide as a kernel's cells times the
        input channels: in one column a small layer would lose its channels), and half as tall
        again as a page; at larger scales the slide of :func:`~convgif.picture.sizes.fit_box`."""
        box_w, box_h = fit_box(scale, width)
        return (box_w, box_h) if scale > 1 else (width or 2 * box_w, box_h * 3 // 2)

    def animation(self, drawn: Any, layout: Layout, theme: Any, scales: Any, keys: tuple = ()) -> Any:
        """The frames of a drawing laid out so (``keys``: drawn elsewhere, see
        :class:`~convgif.picture.overlay.Animation`)."""
        return MatrixAnimation(drawn, layout, theme, scales, keys)


def _stack(
    g: Grids, top: int, channels: tuple[int, ...], per: int, rows: int, room: tuple[int, int, int, int]
) -> tuple[dict[int, tuple[int, int]], list[int], int]:
    """Blocks of grids of ``rows`` cells stacked down from ``top`` (each under its label's
    line, its bands' room above and below), a wider gap where the group (``per`` channels each)
    changes: the grids' top-left y by channel (x left to the caller), the label lines' tops and
    the bottom."""
    m, s = g.m, g.s
    top_room, bottom_room, _, _ = room
    tops, origins, y = [], {}, top
    for i, c in enumerate(channels):
        if i:
            y += m.group_gap if c // per != channels[i - 1] // per else m.gap
        tops.append(y)
        origins[c] = y + g.lh + top_room
        y = origins[c] + rows * s + 1 + bottom_room
    return origins, tops, y + g.frame


@dataclass(frozen=True)
class _Across:
    """Where things sit across a matrix picture: the input grids (``x_in``, their end), X (or
    x), W (or Cᵀ), Y (or y), the end of Y (``after``), the output maps, and the right edge."""

    x_in: int
    in_end: int
    x_x: int
    x_w: int
    x_y: int
    after: int
    x_maps: int
    right: int


@dataclass
class _Body:
    """Where things sit down a matrix picture: the grids' tops by channel, their label lines'
    tops and ends, the matrices, the bottom and the lane the links run along."""

    inputs: dict[int, int]
    in_tops: list[int]
    inputs_end: int
    outputs: dict[int, int]
    out_tops: list[int]
    outputs_end: int
    blocks: dict[str, Block]
    bottom: int
    lane: int


def _width(rows_cols: tuple[int, int], s: int) -> int:
    return rows_cols[1] * s + 1


def _row_label_columns(plan: MatrixPlan, g: Grids) -> tuple[int, int]:
    """How many columns W's row labels take turns in, so that every row is labelled without
    two labels overlapping (rows closer than a label is tall), and the widest label."""
    label = g.m.label
    widest = max(label.width(plan.row_label(co)) for co in g.shown_out)
    return min(len(g.shown_out), max(1, -(-label.height // g.s))), widest


def _row_labels_width(plan: MatrixPlan, g: Grids) -> int:
    """The width W's row labels take on its left (see :func:`_row_label_columns`)."""
    columns, widest = _row_label_columns(plan, g)
    return columns * widest + (columns - 1) * g.m.label.advance


def _across(
    plan: MatrixPlan, spec: Geometry, g: Grids, sizes: dict, headings: tuple[str, str, str], skips: dict
) -> _Across:
    """The columns of the picture: for ``product`` W under the grids, X and Y in one column right
    of them; for ``transpose`` x over Cᵀ right of the grids, y right of Cᵀ; the maps last."""
    m, s = g.m, g.s
    label, margin, frame = m.label, m.margin, g.frame
    x_heading, w_heading, y_heading = headings
    (_, wp), (_, wo) = spec.grid, spec.out_size
    _, _, in_left, in_right = g.in_room
    _, _, out_left, out_right = g.out_room
    in_labels = [spec.input_text(c) for c in g.shown_in]
    out_labels = [spec.output_label(co) for co in g.shown_out]
    in_w = max(wp * s + 1 + max(frame, in_right), *(label.width(t) for t in in_labels))
    if g.in_counts:
        in_w = max(in_w, max(map(label.width, in_labels)) + 2 * label.advance + label.width(g.in_counts))
    x_in = margin + frame + max(in_left - frame, 0)
    in_end = max(x_in + in_w, margin + label.width(spec.input_heading))
    if plan.form == PRODUCT:
        w_w = _width(sizes["w"], s) + m.gap + _row_labels_width(plan, g)  # W's rows' labels on its left
        x_x = max(in_end + m.link_gap, margin + w_w + m.gap, margin + label.width(w_heading) + 2 * m.gap)
        x_w, x_y = x_x - m.gap - _width(sizes["w"], s), x_x
    else:
        x_x = x_w = in_end + m.link_gap
        x_y = x_x + max(_width(sizes["w"], s) + m.gap, label.width(w_heading) + 2 * label.advance)
    after = x_y + _width(sizes["y"], s)  # the gap before the maps starts at Y's right edge
    x_maps = max(after + m.link_gap, x_y + label.width(y_heading) + 2 * label.advance)
    x_maps += frame + max(out_left - frame, 0)
    ends = [
        x_maps + max(wo * s + 1 + max(frame, out_right), *(label.width(t) for t in out_labels)),
        x_maps + label.width(spec.output_heading),
        x_x + label.width(x_heading),
        x_w + label.width(w_heading),
    ]
    if g.out_counts:
        ends.append(x_maps + max(map(label.width, out_labels)) + 2 * label.advance + label.width(g.out_counts))
    more_out = spec.out_channels - len(g.shown_out)
    if more_out:
        ends.append(x_maps + label.width(say(f"… {more_out} more")))
    if plan.form == PRODUCT:  # the channels' labels right of X, and the count of the columns after it
        ends.append(x_x + _width(sizes["x"], s) + m.gap + max(map(label.width, in_labels)))
        ends += [x_x + line * s + label.width(f"+{count}") for line, count in skips.get("x", ((), ()))[1]]
    return _Across(x_in, in_end, x_x, x_w, x_y, after, x_maps, max(ends))


def _product_body(
    plan: MatrixPlan,
    spec: Geometry,
    g: Grids,
    sizes: dict,
    headings: tuple,
    a: _Across,
    body: int,
    texts: list,
    skips: dict,
) -> _Body:
    """``product``: the grids and X side by side, then W, Y and the maps side by side; under X,
    how many columns each gap in its columns (and Y's) leaves out."""
    m, s, label, n = g.m, g.s, g.m.label, g.m.n
    _, w_heading, y_heading = headings
    (hp, _), (ho, _) = spec.grid, spec.out_size
    inputs, in_tops, inputs_end = _stack(g, body, g.shown_in, spec.in_per_group, hp, g.in_room)
    x_top = body + g.lh + g.in_room[0]
    for i, c in enumerate(g.shown_in):  # each channel's rows of X, named on its right
        x = a.x_x + _width(sizes["x"], s) + m.gap
        texts.append((spec.input_text(c), label, x, x_top + i * plan.per_channel * s))
    x_end = x_top + sizes["x"][0] * s + 1
    gaps = skips.get("x", ((), ()))[1]
    if gaps:  # each gap's count centred under its double line, on a second line where they crowd
        count_y, ends = x_end + (CUT_REACH + 1) * n, [-label.advance, -label.advance]
        for line, count in gaps:
            text = f"+{count}"
            x = a.x_x + line * s - label.width(text) // 2
            for row, end in enumerate(ends):
                if x >= end + label.advance or end < 0:
                    texts.append((text, label, x, count_y + row * label.height))
                    ends[row] = x + label.width(text)
                    break
        x_end = count_y + label.height * (1 + (ends[1] >= 0))
    second = max(inputs_end, x_end) + 2 * m.gap
    texts.append((w_heading, label, min(a.x_w, a.x_x - 2 * m.gap - label.width(w_heading)), second))
    texts.append((y_heading, label, a.x_y, second))
    texts.append((spec.output_heading, label, a.x_maps, second))
    outputs, out_tops, outputs_end = _stack(g, second + g.lh, g.shown_out, spec.out_per_group, ho, g.out_room)
    w_top = second + 2 * g.lh + g.out_room[0]
    blocks = {"x": (a.x_x, x_top, *sizes["x"]), "w": (a.x_w, w_top, *sizes["w"]), "y": (a.x_y, w_top, *sizes["y"])}
    columns, rows_w = _row_label_columns(plan, g)
    for i, co in enumerate(g.shown_out):  # every row labelled: rows closer than a label is tall take turns across
        text = plan.row_label(co)
        x = a.x_w - m.gap - label.width(text) - (i % columns) * (rows_w + label.advance)
        texts.append((text, label, x, w_top + i * s + (s - label.height) // 2))
    bottom = max(outputs_end, w_top + sizes["w"][0] * s + 1)
    lane = body + g.lh // 2  # the label line over the first grid: free right of the grids
    return _Body(inputs, in_tops, inputs_end, outputs, out_tops, outputs_end, blocks, bottom, lane)


def _transpose_body(
    spec: Geometry, g: Grids, sizes: dict, headings: tuple, a: _Across, body: int, heads_y: int, texts: list
) -> _Body:
    """``transpose``: x in a row over Cᵀ; the grids, Cᵀ, y and the maps side by side."""
    m, s, label = g.m, g.s, g.m.label
    _, w_heading, y_heading = headings
    (hp, _), (ho, _) = spec.grid, spec.out_size
    x_top = body + g.lh
    second = x_top + sizes["x"][0] * s + 1 + m.gap  # the line of the grids' labels
    texts.append((w_heading, label, a.x_w, second))
    texts.append((y_heading, label, a.x_y, second))
    texts.append((spec.output_heading, label, a.x_maps, heads_y))
    in_top, out_top = g.in_room[0], g.out_room[0]
    w_top = second + g.lh + max(in_top, out_top)
    blocks = {"x": (a.x_x, x_top, *sizes["x"]), "w": (a.x_w, w_top, *sizes["w"]), "y": (a.x_y, w_top, *sizes["y"])}
    inputs, in_tops, inputs_end = _stack(g, w_top - g.lh - in_top, g.shown_in, spec.in_per_group, hp, g.in_room)
    outputs, out_tops, outputs_end = _stack(g, w_top - g.lh - out_top, g.shown_out, spec.out_per_group, ho, g.out_room)
    bottom = max(inputs_end, outputs_end, w_top + sizes["w"][0] * s + 1)
    return _Body(inputs, in_tops, inputs_end, outputs, out_tops, outputs_end, blocks, bottom, x_top - g.lh // 2)


def _grid_labels(spec: Geometry, g: Grids, a: _Across, b: _Body, texts: list) -> int:
    """The grids' and maps' labels (and counts, and how many channels are not drawn): the bottom."""
    label, n = g.m.label, g.m.n
    in_labels = [spec.input_text(c) for c in g.shown_in]
    out_labels = {co: spec.output_label(co) for co in g.shown_out}
    for text, t in zip(in_labels, b.in_tops):
        texts.append((text, label, a.x_in, t))
        if g.in_counts:
            texts.append((g.in_counts, label, a.x_in + max(map(label.width, in_labels)) + 2 * label.advance, t))
    for co, t in zip(g.shown_out, b.out_tops):
        texts.append((out_labels[co], label, a.x_maps, t))
        if g.out_counts:
            x = a.x_maps + max(map(label.width, out_labels.values())) + 2 * label.advance
            texts.append((g.out_counts, label, x, t))
    bottom = b.bottom
    for more, x, end in (
        (spec.in_channels - len(g.shown_in), a.x_in, b.inputs_end),
        (spec.out_channels - len(g.shown_out), a.x_maps, b.outputs_end),
    ):
        if more:
            texts.append((say(f"… {more} more"), label, x, end))
            bottom = max(bottom, end + label.height + 2 * n)
    return bottom


def _arrange(
    plan: MatrixPlan,
    spec: Geometry,
    values: bool,
    s: int,
    notes: tuple[str, ...],
    m: Metrics,
    keys: tuple[Key, ...],
    with_caption: bool,
    value_chars: int,
) -> MatrixLayout:
    g = Grids.of(spec, s, m)
    n, margin, frame = m.n, m.margin, g.frame
    sizes = plan.sizes(spec, g.shown_in, g.shown_out)
    headings = plan.headings(sizes)
    skips = plan.skips(g.shown_in, g.shown_out)
    if with_caption:
        notes = (*notes, *(say(note) for note in plan.notes(g.shown_in, g.shown_out)))
    a = _across(plan, spec, g, sizes, headings, skips)
    breaks = _breaks(g, a.right, notes, keys, with_caption, values, value_chars)
    top = _top(breaks, m, values)
    texts: list[tuple[str, TextStyle, int, int]] = list(top.texts)
    texts.append((spec.input_heading, m.label, margin + frame, top.heads_y))
    texts.append((headings[0], m.label, a.x_x, top.heads_y))
    if plan.form == PRODUCT:
        b = _product_body(plan, spec, g, sizes, headings, a, top.body_top, texts, skips)
    else:
        b = _transpose_body(spec, g, sizes, headings, a, top.body_top, top.heads_y, texts)
    if skips:  # room for the double lines reaching under the matrices
        b.bottom = max(b.bottom, *(y + rows * s + 1 + CUT_REACH * n for _, y, rows, _ in b.blocks.values()))
    bottom = _grid_labels(spec, g, a, b, texts)
    inputs = {c: (a.x_in, y) for c, y in b.inputs.items()}
    outputs = {co: (a.x_maps, y) for co, y in b.outputs.items()}
    fringes: list = []
    for hidden, grids, size in ((spec.hidden[0], inputs, spec.grid), (spec.hidden[1], outputs, spec.out_size)):
        for x, y in grids.values():
            fringes += _fringes(hidden, x, y, size[0] * s + 1, size[1] * s + 1, frame + FRINGE_GAP * n, FRINGE * n)
    _, _, _, in_right = g.in_room
    _, _, out_left, _ = g.out_room
    gap_in = (a.x_in + spec.grid[1] * s + 1 + max(frame, in_right) + a.x_x) // 2
    gap_out = (a.after + a.x_maps - frame - max(out_left - frame, 0)) // 2
    placed, full_height = place_keys(m, keys, breaks.width, bottom)
    return MatrixLayout(
        geometry=spec,
        values=values,
        cell=s,
        width=breaks.width,
        height=full_height,
        shown_in=g.shown_in,
        shown_columns=g.columns,
        shown_out=g.shown_out,
        inputs=inputs,
        kernels={},
        outputs=outputs,
        texts=tuple(texts),
        step_at=(margin, top.step_y),
        sum_at=(margin, top.sum_y),
        sum_width=breaks.sum_width,
        caption_lines=len(breaks.caption_lines),
        step_lines=breaks.step_lines,
        sum_lines=breaks.sum_lines,
        keys=placed,
        metrics=m,
        drawing=(margin + breaks.inner + margin, bottom + margin),
        fringes=tuple(fringes),
        reach=(g.band if in_right else 0, g.band if out_left else 0),
        plan=plan,
        blocks=b.blocks,
        lane=b.lane,
        gaps=(gap_in, gap_out),
        cuts=_cuts(b.blocks, skips, s, n),
        text_need=breaks.text_need,
    )


def _cuts(blocks: dict[str, Block], skips: dict, s: int, n: int) -> tuple[tuple[bool, int, int, int], ...]:
    """The double lines on the grid lines where a matrix leaves rows or columns of the whole
    out, reaching a little past it: (down, at, start, end), a line down at x = ``at`` from y =
    ``start`` to ``end`` (or across at y = ``at``), ends exclusive."""
    out = []
    for key, (rows, cols) in skips.items():
        x, y, n_rows, n_cols = blocks[key]
        out += [(True, x + line * s, y - CUT_REACH * n, y + n_rows * s + CUT_REACH * n + 1) for line, _ in cols]
        out += [(False, y + line * s, x - CUT_REACH * n, x + n_cols * s + CUT_REACH * n + 1) for line, _ in rows]
    return tuple(out)
