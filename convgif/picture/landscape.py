"""The landscape arrangement, for a slide: the input channels side by side across the top, each
with its row of kernels under it, and the outputs in a column at the right.

A figure whose stacked arrangement is too tall for its box (a 1080-line slide, say) is drawn
this way rather than with fewer channels: every term of a sum stays on screen. The connecting
lines leave an input grid on its left, run down the gap beside it, above the row of kernels to
the one in use (entering it from the left, as in the stacked arrangement), down the gap after
that kernel, along a lane under all the kernels and up the gap before the outputs.
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
    output_block,
    output_column,
    output_labels,
    outputs_down,
    stack,
    tracks,
)
from .sizes import KEYS_ROOM_WIDE

#: Between two inputs' columns (at scale 1), where the lines of the one on the right run down.
COLUMN_GAP = 30


class _Rows(NamedTuple):
    """How far below the top of the inputs' labels each row of the columns starts: the input
    grids, the end of their bands, the kernels' heading, the lane over the kernels, the
    kernels and where the columns end (under the kernels, or the inputs)."""

    grid: int
    in_bottom: int
    heading: int
    lane: int
    kernels: int
    bottom: int

    @classmethod
    def of(cls, g: Grids) -> _Rows:
        spec, s, m = g.spec, g.s, g.m
        in_top_room, in_bottom_room, _, _ = g.in_room
        grid = g.lh + in_top_room
        in_bottom = grid + spec.grid[0] * s + 1 + max(g.frame, in_bottom_room)
        heading = lane = kernels = in_bottom + m.gap
        bottom = in_bottom + m.gap // 2
        if spec.kernel is not None:
            lane = heading + m.label.height + m.gap // 2
            kernels = lane + m.gap // 2 + m.n + g.lh
            bottom = kernels + spec.kernel[0] * s + 1 + m.stroke + m.gap // 2
        return cls(grid, in_bottom, heading, lane, kernels, bottom)


class _Across(NamedTuple):
    """Where each input's column goes: its left end (where its bands start), its grid's x, where
    its counts go and each of its kernels' x; where the inputs' heading and the count of input
    channels not shown go; the columns of outputs, side by side."""

    lefts: dict[int, int]
    xs: dict[int, int]
    counts_xs: dict[int, int]
    kernel_xs: dict[int, tuple[int, ...]]
    x_heads: int
    more_x: int
    outs: tuple[Outputs, ...]

    @property
    def right(self) -> int:
        return self.outs[-1].right


class LandscapeRoutes(NamedTuple):
    """The lines' ways in the landscape arrangement: ``entries`` the x of the gap left of each
    input's column, ``lane`` the y of the lane over the rows of kernels, ``unders`` each
    group's lane under them (or under the inputs, for a layer without weights), ``tracks`` the
    x of each output channel's track of the gap before its column of outputs (its group's),
    ``start`` how far left of an input grid the lines leave it (past its frame and any band)."""

    entries: dict[int, int]
    lane: int
    unders: dict[int, int]
    tracks: dict[int, int]
    start: int
    #: never: the lines run under the inputs' columns, along each group's lane
    aslant: bool = False

    def paths(self, lay: Any, c: int, y_window: int, column: Optional[int], written: Optional[Written]) -> list:
        """Out of the input on its left, down the gap beside it to the kernel in use (over the
        kernels before it, then down the gap on its left), out of the kernel's right, down the
        gap after it, along the lane under the kernels and up the gap before the outputs."""
        n, gap = lay.metrics.n, lay.metrics.gap
        gx, _ = lay.inputs[c]
        start = (gx - self.start, y_window)
        x_entry = self.entries[c]
        under = self.unders[c // lay.geometry.in_per_group]
        paths = []
        if column is not None:  # to the kernel in use
            kx0, ky0, kx1, ky1, i = kernel_box(lay, c, column)
            y_k = (ky0 + ky1) // 2
            left, right = kx0 - 3 * n - 1, kx1 + 3 * n + 1
            if i == 0:
                paths.append([start, (x_entry, start[1]), (x_entry, y_k), (left, y_k)])
            else:  # over the kernels before it, then down the gap on its left
                x_gap = kx0 - gap // 2
                paths.append([start, (x_entry, start[1]), (x_entry, self.lane), (x_gap, self.lane), (x_gap, y_k)])
                paths[-1].append((left, y_k))
            if i == len(lay.shown_columns) - 1:
                x_gap = kx1 + gap // 2
            else:
                x_gap = (kx1 + lay.kernels[(c, lay.shown_columns[i + 1])][0]) // 2
            start, x_entry = (right, y_k), x_gap  # the line on to the output leaves the kernel there
        if written is not None:
            track, end = self.tracks[written[0]], written[1]
            paths.append([start, (x_entry, start[1]), (x_entry, under), (track, under), (track, end[1]), end])
        return paths


class Landscape:
    """Input channels side by side across the top, each over its row of kernels; outputs at the
    right, in one column or, when ``fold``, in as many as make them no taller than the inputs'
    columns (wider, but shorter)."""

    name = "landscape"
    wide = True
    keys_room = KEYS_ROOM_WIDE

    def __init__(self, fold: bool = True) -> None:
        self.fold = fold

    def across(self, g: Grids) -> _Across:
        """Each input's column, left to right (its grid with its bands and counts, its row of
        kernels under it; the first also holds the kernels' heading), a gap before each where
        its lines run down, then the outputs in a column, or (``fold``) in as many columns as
        make them no taller than the inputs' columns (or as short as they get)."""
        spec, s, m, label, frame = g.spec, g.s, g.m, g.m.label, g.frame
        _, _, in_left, in_right_room = g.in_room
        lefts, xs, counts_xs, kernel_xs = {}, {}, {}, {}
        x, right, group = m.margin + m.gap, 0, None
        for c in g.shown_in:
            if group is not None:
                x = right + COLUMN_GAP * m.n + (m.group_gap - m.gap if c // spec.in_per_group != group else 0)
            group = c // spec.in_per_group
            lefts[c], xs[c] = x, x + max(frame, in_left)
            in_right = xs[c] + spec.grid[1] * s + 1 + max(frame, in_right_room)
            counts_xs[c] = counts_x(label, xs[c], in_right, [spec.input_text(c)], g.in_counts)
            right = max(in_right, xs[c] + label.width(spec.input_text(c)))
            if g.in_counts:
                right = max(right, counts_xs[c] + label.width(g.in_counts))
            if spec.kernel is not None:
                kernel_xs[c] = tuple(xs[c] + i * (g.kernel_w + m.gap) for i in range(len(g.columns)))
                right = max(right, xs[c] + g.kernels_width())
                if c == g.shown_in[0]:
                    right = max(right, xs[c] + label.width(spec.kernel_heading))
        x_heads = lefts[g.shown_in[0]] + frame
        right = max(right, x_heads + label.width(spec.input_heading))
        more_in = spec.in_channels - len(g.shown_in)
        more_x = right + m.gap
        if more_in:
            right = more_x + label.width(say(f"… {more_in} more"))
        outs: list[Outputs] = []
        split = _split(g, _Rows.of(g).bottom) if self.fold else [g.shown_out]
        for i, channels in enumerate(split):
            outs.append(output_column(g, outs[-1].right if outs else right, channels, i == len(split) - 1))
        return _Across(lefts, xs, counts_xs, kernel_xs, x_heads, more_x, tuple(outs))

    def down(self, g: Grids, across: _Across, heads_y: int, top: int) -> Placed:
        """The inputs' grids in a row from ``top`` (under their labels), the kernels' heading,
        a lane, the rows of kernels under their labels and each group's lane under them (and
        under every column of outputs but the last); the outputs stacked down from ``top``."""
        spec, m, n = g.spec, g.m, g.m.n
        rows = _Rows.of(g)
        inputs = {c: (across.xs[c], top + rows.grid) for c in g.shown_in}
        kernels: dict[tuple[int, int], tuple[int, int]] = {}
        if spec.kernel is not None:
            ky = top + rows.kernels
            kernels = {(c, j): (across.kernel_xs[c][i], ky) for c in g.shown_in for i, j in enumerate(g.columns)}
        outputs: dict[int, tuple[int, int]] = {}
        texts = self._labels(g, across, heads_y, top, top + rows.heading, kernels)
        bottoms, tracked = [], {}
        for column in across.outs:
            out_tops, placed, out_bottom = outputs_down(g, column, top)
            outputs.update(placed)
            texts += output_labels(g, column, out_tops, placed, out_bottom)
            bottoms.append(out_bottom)
            tracked.update(tracks(g, column))
        below = max([top + rows.bottom, *(b + m.gap // 2 for b in bottoms[:-1])])
        groups = sorted({c // spec.in_per_group for c in g.shown_in})
        unders = {group: below + i * 3 * n for i, group in enumerate(groups)}
        _, _, in_left, _ = g.in_room
        _, _, out_left, _ = g.out_room
        reach = (g.band if in_left else 0, g.band if out_left else 0)
        entries = {c: across.lefts[c] - m.gap for c in g.shown_in}
        start = g.frame + 2 * n + reach[0] + 1  # past any band beside it
        routes = LandscapeRoutes(entries, top + rows.lane, unders, tracked, start)
        columns_bottom = max(unders.values()) + n
        first = across.outs[0]
        spots = (  # under the inputs' columns, under the outputs, right of them
            (across.x_heads, columns_bottom, first.link - m.gap),
            (first.x_heads, max(*bottoms, columns_bottom), -1),
            (across.right + m.gap, top - m.gap, -1),
        )
        bottom = max(columns_bottom, *bottoms)
        return Placed(inputs, kernels, outputs, bottom, tuple(texts), routes, spots, reach)

    @staticmethod
    def _labels(
        g: Grids,
        across: _Across,
        heads_y: int,
        top: int,
        heading_y: int,
        kernels: dict[tuple[int, int], tuple[int, int]],
    ) -> list[Text]:
        """The headings, each input grid's and kernel's label (with the counts of a part of a
        larger map) and how many input channels are not shown."""
        spec, label = g.spec, g.m.label
        texts = [(spec.input_heading, label, across.x_heads, heads_y)]
        texts.append((spec.output_heading, label, across.outs[0].x_heads, heads_y))
        if kernels:
            texts.append((spec.kernel_heading, label, across.xs[g.shown_in[0]], heading_y))
        for c in g.shown_in:
            texts.append((spec.input_text(c), label, across.xs[c], top))
            if g.in_counts:
                texts.append((g.in_counts, label, across.counts_xs[c], top))
            for j in g.columns if kernels else ():
                kx, ky = kernels[(c, j)]
                texts.append((spec.kernel_label(c, j), label, kx, ky - g.lh))
        more_in = spec.in_channels - len(g.shown_in)
        if more_in:
            texts.append((say(f"… {more_in} more"), label, across.more_x, top))
        return texts


#: For a slide: the outputs in columns as short as the inputs', or in one column.
LANDSCAPES = (Landscape(fold=True), Landscape(fold=False))


def _split(g: Grids, height: int) -> list[tuple[int, ...]]:
    """The output channels shown in columns, in order, each column as full as the first: as
    few columns as keep them within ``height`` (that of the inputs' columns), else as many as
    make them shortest."""
    shown_out, m = g.shown_out, g.m
    block = output_block(g)
    _, out_bottom_room, _, _ = g.out_room
    best: Optional[tuple[int, list[tuple[int, ...]]]] = None
    for k in range(1, len(shown_out) + 1):
        per = -(-len(shown_out) // k)
        chunks = [shown_out[i : i + per] for i in range(0, len(shown_out), per)]
        tall = 0
        for chunk in chunks:
            tops = stack([block] * len(chunk), [g.spec.out_group(co) for co in chunk], 0, m, out_bottom_room)
            tall = max(tall, tops[-1] + block + g.frame)
        if tall <= height:
            return chunks
        if best is None or tall < best[0]:
            best = tall, chunks
    assert best is not None
    return best[1]
