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

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from .layout import _breaks, _fringes, _Grids, _keys, _top
from .model import Geometry, Key
from .sizes import FRINGE, FRINGE_GAP, Layout, Metrics, TextStyle, fit_box

PRODUCT, TRANSPOSE = "product", "transpose"

#: (x, y, rows, columns) of a matrix drawn: its top-left pixel and its size in cells.
Block = tuple[int, int, int, int]


@dataclass(frozen=True)
class MatrixValues:
    """What a matrix picture shows besides the grids (``Drawn.extra["matrix"]``): ``sources``
    (rows, cols, 3) holds the input cell (channel, row, column of the grid drawn) each cell of
    X (or of the row x) shows; ``weights`` the entries of W (or Cᵀ), ``blank`` True where no
    weight joins the row to the column (another group's channels; an output cell an input
    cell does not reach)."""

    sources: np.ndarray
    weights: np.ndarray
    blank: np.ndarray


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

    def headings(self, sizes: dict[str, tuple[int, int]]) -> tuple[str, str, str]:
        """The headings of X, W and Y (x, Cᵀ, y): name and whole size, and the size drawn when
        only a part is (``X = unfold(x), 147 × 12544: 49 × 25 drawn``)."""
        out = []
        for name, whole, key in zip(self.names, self.wholes, ("x", "w", "y")):
            drawn = sizes[key]
            size = f"{whole[0]} × {whole[1]}" if 1 not in whole else str(max(whole))
            text = f"{name}, {size}" if self.form == PRODUCT else f"{name} ({size})"
            if drawn != tuple(whole):
                text += f": {drawn[0]} × {drawn[1]} drawn" if 1 not in whole else f": {max(drawn)} drawn"
            out.append(text)
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
    def fit_box(scale: int = 1, width: Optional[int] = None) -> tuple[int, int]:
        """The box a matrix picture's cells shrink to fit: at scale 1, twice a page's column
        wide and half as tall again as a page (the matrices sit beside and under the grids, as
        long as a kernel's cells times the channels); at larger scales the slide of
        :func:`~convgif.picture.sizes.fit_box`."""
        box_w, box_h = fit_box(scale, width)
        if scale > 1:
            return box_w, box_h
        return width or 2 * box_w, box_h * 3 // 2

    def animation(self, drawn: Any, layout: Layout, theme: Any, scales: Any) -> Any:
        """The frames of a drawing laid out so."""
        from .matrix_frames import MatrixAnimation

        return MatrixAnimation(drawn, layout, theme, scales)


@dataclass(frozen=True)
class MatrixLayout(Layout):
    """A :class:`~convgif.picture.sizes.Layout` with the matrices: ``blocks`` holds the (x, y,
    rows, columns) of ``x``, ``w`` and ``y`` (X, W, Y or x, Cᵀ, y), ``lane`` the y of the free
    line over ``x`` the links run along, ``gaps`` the x of the middle of the gap after the
    input grids and of the gap before the output maps, ``row_labels`` the y of each labelled row
    of W."""

    plan: Optional[MatrixPlan] = None
    blocks: dict[str, Block] = field(default_factory=dict)
    lane: int = 0
    gaps: tuple[int, int] = (0, 0)


def _stack(
    g: _Grids, top: int, channels: tuple[int, ...], per: int, rows: int, room: tuple[int, int, int, int]
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
    g = _Grids.of(spec, s, m)
    label, n, margin, frame = m.label, m.n, m.margin, g.frame
    sizes = plan.sizes(spec, g.shown_in, g.shown_out)
    x_heading, w_heading, y_heading = plan.headings(sizes)
    (hp, wp), (ho, wo) = spec.grid, spec.out_size
    in_top, in_bottom, in_left, in_right = g.in_room
    out_top, out_bottom, out_left, out_right = g.out_room

    def width(rows_cols: tuple[int, int]) -> int:
        return rows_cols[1] * s + 1

    def height(rows_cols: tuple[int, int]) -> int:
        return rows_cols[0] * s + 1

    in_labels = [spec.input_text(c) for c in g.shown_in]
    in_w = max(wp * s + 1 + max(frame, in_right), *(label.width(t) for t in in_labels))
    if g.in_counts:
        in_w = max(in_w, max(map(label.width, in_labels)) + 2 * label.advance + label.width(g.in_counts))
    x_in = margin + frame + max(in_left - frame, 0)
    in_end = max(x_in + in_w, margin + label.width(spec.input_heading))
    out_labels = {co: spec.output_label(co) for co in g.shown_out}
    row_texts = {co: plan.row_label(co) for co in g.shown_out}

    if plan.form == PRODUCT:
        w_w = width(sizes["w"]) + m.gap + max(map(label.width, row_texts.values()))  # its rows' labels on the left
        x_x = max(in_end + m.link_gap, margin + w_w + m.gap, margin + label.width(w_heading) + 2 * m.gap)
        x_w = x_x - m.gap - width(sizes["w"])
        x_y = x_x
        after = x_x + width(sizes["y"])  # the gap before the maps starts at Y's right edge
        x_maps = max(after + m.link_gap, x_y + label.width(y_heading) + 2 * label.advance)
        x_maps += frame + max(out_left - frame, 0)
    else:
        x_x = in_end + m.link_gap
        x_w = x_x
        x_y = x_x + max(width(sizes["w"]) + m.gap, label.width(w_heading) + 2 * label.advance)
        after = x_y + width(sizes["y"])
        x_maps = max(after + m.link_gap, x_y + label.width(y_heading) + 2 * label.advance)
        x_maps += frame + max(out_left - frame, 0)
    map_w = wo * s + 1 + max(frame, out_right)
    right = max(
        x_maps + max(map_w, *(label.width(t) for t in out_labels.values())),
        x_maps + label.width(spec.output_heading),
        x_x + label.width(x_heading),
        x_w + label.width(w_heading),
    )
    if g.out_counts:
        right = max(
            right, x_maps + max(map(label.width, out_labels.values())) + 2 * label.advance + label.width(g.out_counts)
        )
    more_out = spec.out_channels - len(g.shown_out)
    if more_out:
        right = max(right, x_maps + label.width(f"… {more_out} more"))
    if plan.form == PRODUCT:  # the channels' labels right of X
        right = max(right, x_x + width(sizes["x"]) + m.gap + max(map(label.width, in_labels)))

    breaks = _breaks(g, right, notes, keys, with_caption, values, value_chars)
    top = _top(breaks, m, values)
    texts: list[tuple[str, TextStyle, int, int]] = list(top.texts)
    heads_y, body = top.heads_y, top.body_top
    texts.append((spec.input_heading, label, margin + frame, heads_y))
    texts.append((x_heading, label, x_x, heads_y))
    blocks: dict[str, Block] = {}
    lane = body + g.lh // 2  # the label line over the first grid: free right of the grids

    if plan.form == PRODUCT:
        inputs, in_tops, inputs_end = _stack(g, body, g.shown_in, spec.in_per_group, hp, g.in_room)
        x_top = body + g.lh + in_top
        blocks["x"] = (x_x, x_top, *sizes["x"])
        for i in range(len(g.shown_in)):  # each channel's rows of X, named on its right
            texts.append((in_labels[i], label, x_x + width(sizes["x"]) + m.gap, x_top + i * plan.per_channel * s))
        second = max(inputs_end, x_top + height(sizes["x"])) + 2 * m.gap
        texts.append((w_heading, label, min(x_w, x_x - 2 * m.gap - label.width(w_heading)), second))
        texts.append((y_heading, label, x_y, second))
        texts.append((spec.output_heading, label, x_maps, second))
        outputs, out_tops, outputs_end = _stack(g, second + g.lh, g.shown_out, spec.out_per_group, ho, g.out_room)
        w_top = second + 2 * g.lh + out_top
        blocks["w"] = (x_w, w_top, *sizes["w"])
        blocks["y"] = (x_y, w_top, *sizes["y"])
        every = max(1, -(-label.height // s))  # label every row there is room for
        for i, co in enumerate(g.shown_out):
            if i % every == 0:
                text = row_texts[co]
                texts.append((text, label, x_w - m.gap - label.width(text), w_top + i * s + (s - label.height) // 2))
        bottom = max(outputs_end, w_top + height(sizes["w"]))
    else:
        x_top = body + g.lh
        blocks["x"] = (x_x, x_top, *sizes["x"])
        second = x_top + height(sizes["x"]) + m.gap  # the line of the grids' labels
        texts.append((w_heading, label, x_w, second))
        texts.append((y_heading, label, x_y, second))
        texts.append((spec.output_heading, label, x_maps, heads_y))
        w_top = second + g.lh + max(in_top, out_top)
        blocks["w"] = (x_w, w_top, *sizes["w"])
        blocks["y"] = (x_y, w_top, *sizes["y"])
        inputs, in_tops, inputs_end = _stack(g, w_top - g.lh - in_top, g.shown_in, spec.in_per_group, hp, g.in_room)
        outputs, out_tops, outputs_end = _stack(
            g, w_top - g.lh - out_top, g.shown_out, spec.out_per_group, ho, g.out_room
        )
        bottom = max(inputs_end, outputs_end, w_top + height(sizes["w"]))

    inputs = {c: (x_in, y) for c, y in inputs.items()}
    outputs = {co: (x_maps, y) for co, y in outputs.items()}
    for i, t in enumerate(in_tops):
        texts.append((in_labels[i], label, x_in, t))
        if g.in_counts:
            texts.append((g.in_counts, label, x_in + max(map(label.width, in_labels)) + 2 * label.advance, t))
    for co, t in zip(g.shown_out, out_tops):
        texts.append((out_labels[co], label, x_maps, t))
        if g.out_counts:
            texts.append(
                (g.out_counts, label, x_maps + max(map(label.width, out_labels.values())) + 2 * label.advance, t)
            )
    more_in = spec.in_channels - len(g.shown_in)
    if more_in:
        texts.append((f"… {more_in} more", label, x_in, inputs_end))
        bottom = max(bottom, inputs_end + label.height + 2 * n)
    if more_out:
        texts.append((f"… {more_out} more", label, x_maps, outputs_end))
        bottom = max(bottom, outputs_end + label.height + 2 * n)

    fringes: list = []
    in_hidden, out_hidden = spec.hidden
    for hidden, grids, size in ((in_hidden, inputs, spec.grid), (out_hidden, outputs, spec.out_size)):
        for x, y in grids.values():
            fringes += _fringes(hidden, x, y, size[0] * s + 1, size[1] * s + 1, frame + FRINGE_GAP * n, FRINGE * n)
    in_end_px = x_in + wp * s + 1 + max(frame, in_right)
    gap_in = (in_end_px + x_x) // 2 if plan.form == TRANSPOSE else (in_end_px + x_x) // 2
    gap_out = (after + x_maps - frame - max(out_left - frame, 0)) // 2
    placed, full_height = _keys(m, keys, breaks.key_widths, breaks.width, bottom)
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
        lanes={},
        links=(gap_in, gap_out),
        metrics=m,
        drawing=(margin + breaks.inner + margin, bottom + margin),
        fringes=tuple(fringes),
        reach=(g.band if in_right else 0, g.band if out_left else 0),
        plan=plan,
        blocks=blocks,
        lane=lane if plan.form == PRODUCT else x_top - g.lh // 2,
        gaps=(gap_in, gap_out),
    )
