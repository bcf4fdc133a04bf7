"""What every arrangement of a figure's grids shares: the grids to place, what placing them
gives, the output column at the right and the connecting lines' way into it.

An arrangement (:mod:`.stacked`, :mod:`.landscape`) places the grids in two phases: across
(the columns' x, which decide the figure's width and so where its texts break) and down, from
where the lines over the grids end (the grids' y, their labels, where the connecting lines run
and the free corners a whole picture may take). :func:`~convgif.picture.layout.plan` chooses
one arrangement for a figure; the phases of :mod:`.layout` around it are the same for all.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Optional, Protocol

from ..language import say
from .model import Geometry
from .sizes import FRINGE, FRINGE_GAP, FRINGE_ROOM, Metrics, TextStyle, continues_text, shown

Point = tuple[int, int]
Written = tuple[int, Point]  # an output channel, and where a line enters the cell written
Text = tuple[str, TextStyle, int, int]


class Grids(NamedTuple):
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
    def of(cls, spec: Geometry, s: int, m: Metrics) -> Grids:
        frame = m.frame if spec.framed else 0  # group frames sit just outside the grid
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

    @property
    def kernel_w(self) -> int:
        """The width a kernel takes in its row: its grid, or its widest label."""
        spec, label = self.spec, self.m.label
        k_label = max(label.width(spec.kernel_label(c, j)) for c in self.shown_in for j in self.columns)
        return max(spec.kernel[1] * self.s + 1, k_label) if spec.kernel is not None else 0

    def kernels_width(self) -> int:
        """The width of a row of the kernels shown."""
        return len(self.columns) * (self.kernel_w + self.m.gap) - self.m.gap


class Placed(NamedTuple):
    """Where an arrangement put the grids: the top-left pixel of each, the headings and labels,
    how far down it all reaches, where the connecting lines run (:class:`Routes`), the free
    corners (left, top, right) where a whole picture may go without adding height, and how
    far the bands beside a part of a map reach on the side the lines leave the inputs and
    enter the outputs."""

    inputs: dict[int, tuple[int, int]]
    kernels: dict[tuple[int, int], tuple[int, int]]
    outputs: dict[int, tuple[int, int]]
    bottom: int
    texts: tuple[Text, ...]
    routes: Routes
    spots: tuple[tuple[int, int, int], ...]
    reach: tuple[int, int]


class Routes(Protocol):
    """Where the dashed lines of a step run, for one input channel."""

    #: whether the lines to the outputs run aslant across the gap before them, each straight
    #: from its input's row to its output's (:attr:`~convgif.picture.model.Geometry.lines_cross`)
    aslant: bool

    def paths(self, lay: Any, c: int, y_window: int, column: Optional[int], written: Optional[Written]) -> list:
        """The paths (lists of (x, y) points) from input channel ``c``'s window, at height
        ``y_window``, to the kernel of ``column`` (None: a layer without weights) and on to the
        output cell ``written`` (its channel and the point where a line enters it; None: no
        cell of that output is drawn)."""
        ...


class Arrangement(Protocol):
    """A way of placing a figure's grids: across, then down."""

    name: str
    #: whether the figure may take a slide's whole width at a larger scale (else a page's column, enlarged)
    wide: bool
    #: the height kept free for the keys when deciding whether a figure fits, before they are known
    keys_room: int

    def across(self, g: Grids) -> Any:
        """The columns' x: any record whose ``right`` is where the widest of them ends."""
        ...

    def down(self, g: Grids, across: Any, heads_y: int, top: int) -> Placed:
        """The grids' y from ``top`` (under the headings' line at ``heads_y``), and all that follows."""
        ...


class Outputs(NamedTuple):
    """A column of output grids at the right: its ``channels``, where its grids, labels, counts
    and heading go across, and whether it ends with the count of output channels not shown."""

    channels: tuple[int, ...]
    x: int
    x_heads: int
    counts_x: int
    right: int
    labels: dict[int, str]
    #: the middle of the gap before it, where the connecting lines run to its outputs
    link: int
    more: bool


def counts_x(label: TextStyle, x: int, right: int, names: list[str], counts: str) -> int:
    """Where a grid's counts go in its label's line: ending at its right band, after the label."""
    return max(right - label.width(counts), x + max(map(label.width, names)) + 2 * label.advance)


def output_column(g: Grids, left: int, channels: Optional[tuple[int, ...]] = None, more: bool = True) -> Outputs:
    """The column of output ``channels`` (default: all shown) after the gap that starts at
    ``left`` (where the connecting lines run), ending with the count of output channels not
    shown when ``more``."""
    spec, label, frame, m = g.spec, g.m.label, g.frame, g.m
    channels = g.shown_out if channels is None else channels
    _, _, out_left, out_right_room = g.out_room
    out_w = spec.out_size[1] * g.s + 1
    x_out = left + m.link_gap + frame + max(out_left - frame, 0)
    x_heads = left + m.link_gap if out_left else x_out  # where the column's headings start
    labels = {co: spec.output_label(co) for co in channels}
    more_out = spec.out_channels - len(g.shown_out) if more else 0
    right = x_out + max(out_w, *(label.width(t) for t in labels.values())) + max(frame, out_right_room)
    if channels[0] == g.shown_out[0]:  # the first column has the heading
        right = max(right, x_heads + label.width(spec.output_heading) + frame)
    at = counts_x(label, x_out, x_out + out_w + max(frame, out_right_room), list(labels.values()), g.out_counts)
    if g.out_counts:
        right = max(right, at + label.width(g.out_counts))
    if more_out:
        right = max(right, x_out + label.width(say(f"… {more_out} more")))
    return Outputs(channels, x_out, x_heads, at, right, labels, left + m.link_gap // 2, more_out > 0)


def output_block(g: Grids) -> int:
    """The height of an output grid's block: its label's line, its bands and its grid."""
    out_top_room, out_bottom_room, _, _ = g.out_room
    return g.lh + out_top_room + g.spec.out_size[0] * g.s + 1 + out_bottom_room


def outputs_down(g: Grids, column: Outputs, top: int) -> tuple[tuple[int, ...], dict[int, tuple[int, int]], int]:
    """The output grids of ``column`` stacked down from ``top``: each block's top, each grid's
    top-left pixel and where the column ends."""
    spec, n, label = g.spec, g.m.n, g.m.label
    out_top_room, out_bottom_room, _, _ = g.out_room
    out_groups = [spec.out_group(co) for co in column.channels]
    out_tops = stack([output_block(g)] * len(column.channels), out_groups, top, g.m, out_bottom_room)
    outputs = {co: (column.x, t + g.lh + out_top_room) for co, t in zip(column.channels, out_tops)}
    out_bottom = out_tops[-1] + output_block(g) + g.frame
    if column.more:
        out_bottom += 4 * n + label.height
    return tuple(out_tops), outputs, out_bottom


def output_labels(
    g: Grids, column: Outputs, tops: tuple[int, ...], outputs: dict[int, tuple[int, int]], bottom: int
) -> list[Text]:
    """Each output grid's label in ``column`` (with the counts of a part of a larger map) and,
    at its end, how many output channels are not shown."""
    label = g.m.label
    texts = []
    for co, t in zip(column.channels, tops):
        x, _ = outputs[co]
        texts.append((column.labels[co], label, x, t))
        if g.out_counts:
            texts.append((g.out_counts, label, column.counts_x, t))
    if column.more:
        texts.append((say(f"… {g.spec.out_channels - len(g.shown_out)} more"), label, column.x, bottom - label.height))
    return texts


def tracks(g: Grids, column: Outputs) -> dict[int, int]:
    """Per output channel of ``column``, the x of its group's own track of the gap before the
    column, where the group's lines run to its outputs (each group's a few pixels from the next)."""
    groups = sorted({g.spec.out_group(co) for co in column.channels})
    spread = 3 * g.m.n
    track = {group: column.link + round((i - (len(groups) - 1) / 2) * spread) for i, group in enumerate(groups)}
    return {co: track[g.spec.out_group(co)] for co in column.channels}


def stack(heights: list[int], groups: list[int], top: int, m: Metrics, tucked: int = 0) -> list[int]:
    """Tops of blocks stacked downwards, with a wider gap where the group changes. The last
    ``tucked`` pixels of a block (a band under its grid) may take the gap after it, all but
    FRINGE_ROOM pixels of it."""
    tops, y = [], top
    for i, (h, group) in enumerate(zip(heights, groups)):
        if i:
            gap = m.group_gap if group != groups[i - 1] else m.gap
            y += gap - min(tucked, gap - FRINGE_ROOM * m.n)
        tops.append(y)
        y += h
    return tops


def kernel_box(lay: Any, c: int, column: int) -> tuple[int, int, int, int, int]:
    """The kernel of input channel ``c`` and ``column`` as drawn: (x0, y0, x1, y1), and its
    place in the row of kernels shown."""
    kh, kw = lay.geometry.kernel
    x0, y0 = lay.kernels[(c, column)]
    return x0, y0, x0 + kw * lay.cell, y0 + kh * lay.cell, lay.shown_columns.index(column)
