"""The stacked arrangement, for a page's column: the input channels down the left, each with its
row of kernels beside it, and the outputs in a column at the right.

The connecting lines leave an input grid on its right, run down the gap before the kernels,
under a row of kernels to the one in use, and down the gap before the outputs; or, for a
picture whose lines cross (:attr:`~convgif.picture.model.Geometry.lines_cross`), aslant across
a wider gap straight to the output.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Optional

from ..language import say
from .arrangement import (
    Grids,
    Outputs,
    Placed,
    Text,
    Written,
    counts_x,
    kernel_box,
    output_column,
    output_labels,
    outputs_down,
    stack,
    tracks,
)
from .sizes import KEYS_ROOM


class _Across(NamedTuple):
    """Where the columns of grids go, left to right, and where the widest of them ends."""

    x_in: int
    #: where the input column's headings start (with its bands)
    x_heads: int
    in_counts_x: int
    #: where the kernel column starts, and each column of kernels
    x_k: int
    column_x: tuple[int, ...]
    out: Outputs

    @property
    def right(self) -> int:
        """The right end of the output column: its grids, labels, bands, counts and headings."""
        return self.out.right


class StackedRoutes(NamedTuple):
    """The lines' ways in the stacked arrangement: ``x_in`` the middle of the gap before the
    kernels, ``tracks`` the x of each output channel's track of the gap before the outputs
    (its group's), ``lanes`` the y of the free lane under each row of kernels, ``start`` how
    far right of an input grid's left edge the lines leave it (past its frame and any band),
    ``aslant`` whether a line to an output runs aslant from ``x_in`` to its track."""

    x_in: int
    tracks: dict[int, int]
    lanes: dict[int, int]
    start: int
    aslant: bool = False

    def paths(self, lay: Any, c: int, y_window: int, column: Optional[int], written: Optional[Written]) -> list:
        """Out of the input on its right, along the gap before the kernels, under a row of
        kernels to the one in use, and along the gap before the outputs (or aslant across it)."""
        n = lay.metrics.n
        gx, _ = lay.inputs[c]
        start = (gx + self.start, y_window)
        x_in = self.x_in
        paths = []
        if column is None:
            if written is not None:
                track, end = self.tracks[written[0]], written[1]
                turn = (x_in if self.aslant else track, start[1])
                paths.append([start, turn, (track, end[1]), end])
            return paths
        kx0, ky0, kx1, ky1, i = kernel_box(lay, c, column)
        y_k, lane = (ky0 + ky1) // 2, self.lanes[c]
        left, right = kx0 - 3 * n - 1, kx1 + 3 * n + 1
        if i == 0:
            paths.append([start, (x_in, start[1]), (x_in, y_k), (left, y_k)])
        else:  # under the kernels before it, then up the gap on its left
            x_gap = kx0 - lay.metrics.gap // 2
            paths.append([start, (x_in, start[1]), (x_in, lane), (x_gap, lane), (x_gap, y_k), (left, y_k)])
        if written is None:
            return paths
        track, end = self.tracks[written[0]], written[1]
        if i == len(lay.shown_columns) - 1:
            paths.append([(right, y_k), (track, y_k), (track, end[1]), end])
        else:  # down the gap on its right, under the kernels after it
            x_gap = (kx1 + lay.kernels[(c, lay.shown_columns[i + 1])][0]) // 2
            paths.append([(right, y_k), (x_gap, y_k), (x_gap, lane), (track, lane), (track, end[1]), end])
        return paths


class Stacked:
    """Input channels stacked down the left, each beside its row of kernels; outputs at the right."""

    name = "stacked"
    wide = False
    keys_room = KEYS_ROOM

    def across(self, g: Grids) -> _Across:
        """The columns across: the inputs with their bands and counts, the kernels (for a layer
        with weights) and the outputs, with gaps between them where the connecting lines run."""
        spec, s, m, label, frame = g.spec, g.s, g.m, g.m.label, g.frame
        _, _, in_left, in_right_room = g.in_room
        x_in = m.margin + frame + max(in_left - frame, 0)
        in_right = x_in + spec.grid[1] * s + 1 + max(frame, in_right_room)  # the grid, its frame and its right band
        in_counts_x = counts_x(label, x_in, in_right, [spec.input_text(c) for c in g.shown_in], g.in_counts)
        if g.in_counts:  # the counts may reach into the gap after the inputs: lines to a kernel stay under
            # the labels' lines, but lines straight up or down to the outputs pass them, at the gap's middle
            into = m.link_gap - 2 * m.gap if spec.kernel is not None else m.link_gap // 2 - m.gap
            in_right = max(in_right, in_counts_x + label.width(g.in_counts) - into)
        x_heads = m.margin + frame  # the column's headings start where its bands do
        titles = max(label.width(spec.input_text(c)) for c in g.shown_in) if g.shown_in else 0
        x_k = max(in_right, x_heads + label.width(spec.input_heading) + m.gap, x_in + titles + m.gap) + m.link_gap
        if spec.kernel is not None:
            col_w = g.kernel_w
            column_x = tuple(x_k + i * (col_w + m.gap) for i in range(len(g.columns)))
            k_right = max(column_x[-1] + col_w, x_k + label.width(spec.kernel_heading))
        else:  # no weights: the output column follows the input (after a wider gap where lines cross)
            column_x, k_right = (), x_k - m.link_gap + (m.cross_gap if spec.lines_cross else 0)
        return _Across(x_in, x_heads, in_counts_x, x_k, column_x, output_column(g, k_right))

    def down(self, g: Grids, across: _Across, heads_y: int, top: int) -> Placed:
        """The grids stacked down from ``top``: each input block (its label's line, a top band,
        the grid as tall as the kernels beside it, a bottom band) with its row of kernels and the
        free lane under them, and each output block; a group frame takes the gap below a block."""
        spec, s, m, n, label = g.spec, g.s, g.m, g.m.n, g.m.label
        hp, _ = spec.grid
        kh, _ = spec.kernel or (0, 0)
        in_top_room, in_bottom_room, _, in_right_room = g.in_room
        row_h = max(hp, kh) * s + 1  # a transposed layer's kernel can be taller than its input
        in_block = g.lh + in_top_room + max(hp * s + 1 + in_bottom_room, row_h)
        # the bottom band, where it is the block's end
        tucked = min(in_bottom_room, hp * s + 1 + in_bottom_room - row_h) if in_bottom_room else 0
        in_groups = [c // spec.in_per_group for c in g.shown_in]
        in_tops = stack([in_block] * len(g.shown_in), in_groups, top, m, max(tucked, 0))
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
        out_tops, outputs, out_bottom = outputs_down(g, across.out, top)
        _, _, out_left, _ = g.out_room
        reach = (g.band if in_right_room else 0, g.band if out_left else 0)
        start = spec.grid[1] * s + g.frame + 2 * n + reach[0]  # past any band beside it
        x_in = across.x_k - m.link_gap // 2
        aslant = spec.lines_cross and spec.kernel is None
        ways = {co: across.out.link for co in across.out.channels} if aslant else tracks(g, across.out)
        routes = StackedRoutes(x_in, ways, lanes, start, aslant)
        texts = self._labels(g, across, heads_y, tuple(in_tops), in_bottom, inputs, kernels)
        texts += output_labels(g, across.out, out_tops, outputs, out_bottom)
        spots = [(across.x_heads, in_bottom, x_in - m.gap)]  # under the inputs,
        if kernels:
            spots.append((across.x_k, k_bottom, across.out.link - m.gap))  # the kernels,
        spots.append((across.out.x_heads, out_bottom, -1))  # the outputs (to the figure's right)
        bottom = max(in_bottom, out_bottom, k_bottom)
        return Placed(inputs, kernels, outputs, bottom, tuple(texts), routes, tuple(spots), reach)

    @staticmethod
    def _labels(
        g: Grids,
        across: _Across,
        heads_y: int,
        in_tops: tuple[int, ...],
        in_bottom: int,
        inputs: dict[int, tuple[int, int]],
        kernels: dict[tuple[int, int], tuple[int, int]],
    ) -> list[Text]:
        """The columns' headings, each input grid's and kernel's label (with the counts of a part
        of a larger map) and how many input channels are not shown."""
        spec, label = g.spec, g.m.label
        texts = [(spec.input_heading, label, across.x_heads, heads_y)]
        if kernels:
            texts.append((spec.kernel_heading, label, across.x_k, heads_y))
        texts.append((spec.output_heading, label, across.out.x_heads, heads_y))
        for c, t in zip(g.shown_in, in_tops):
            x, _ = inputs[c]
            texts.append((spec.input_text(c), label, x, t))
            if g.in_counts:
                texts.append((g.in_counts, label, across.in_counts_x, t))
            for j in g.columns if kernels else ():
                kx, ky = kernels[(c, j)]
                texts.append((spec.kernel_label(c, j), label, kx, ky - g.lh))
        more_in = spec.in_channels - len(g.shown_in)
        if more_in:
            texts.append((say(f"… {more_in} more"), label, across.x_in, in_bottom - label.height))
        return texts


STACKED = Stacked()
