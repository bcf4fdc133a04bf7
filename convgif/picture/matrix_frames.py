"""The frames of a matrix picture (:mod:`convgif.picture.matrix`): the scene with the matrices
drawn beside the grids, and each step's marks on them.

The values come with the drawing (:class:`MatrixValues`, in ``Drawn.extra["matrix"]``): which
input cell each cell of X (or of the row x) shows, and the weights of W (or Cᵀ) with the
entries no weight joins left blank. The output's entries are written as the steps write the
output maps: each output cell is one entry of Y (or of the column y).

A step of a ``product`` picture outlines, for each output cell it writes, the row of W it
uses, the column of X under which that cell of Y lies (the part of it its group reads) and
the cell of Y, and links the window on the grids to the top of that column and the cell of Y
to the output map. A step of a ``transpose`` picture rings the input cell's entry of x, its
column of Cᵀ, and the entries of that column and of y it adds into, and links the input cell
to x and y to the output map. Like every link, these run through the gaps only.

A picture of a part draws only some rows and columns of the whole matrices: a double line
stands on the grid line wherever they jump or stop short (:attr:`MatrixLayout.cuts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from .model import Drawn, Step, Writes
from .overlay import Animation, Rect
from .paint import LIGHT, Theme, blend
from .scene import Scene
from .shades import Scales
from .sizes import Layout

#: How far towards the background the lines between blank entries of a matrix are blended.
#: The two pictures: Y = W·X (a convolution) and y = Cᵀ·x (a transposed one).
PRODUCT, TRANSPOSE = "product", "transpose"

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
class MatrixLayout(Layout):
    """A :class:`~convgif.picture.sizes.Layout` with the matrices: ``blocks`` holds the (x, y,
    rows, columns) of ``x``, ``w`` and ``y`` (X, W, Y or x, Cᵀ, y), ``lane`` the y of the free
    line over ``x`` the links run along, ``gaps`` the x of the middle of the gap after the
    input grids and of the gap before the output maps, ``row_labels`` the y of each labelled row
    of W."""

    plan: Any = None  # the MatrixPlan it was laid out for
    blocks: dict[str, Block] = field(default_factory=dict)
    lane: int = 0
    gaps: tuple[int, int] = (0, 0)
    #: The double lines where a matrix leaves out rows or columns of the whole one: (down, at,
    #: start, end), a line down at x = ``at`` from y = ``start`` to ``end`` (or across at y = ``at``).
    cuts: tuple[tuple[bool, int, int, int], ...] = ()


FAINT = 0.65
#: How far (in units of the line width) a double line marking rows or columns left out
#: reaches past its matrix, and how far apart its two lines are from the grid line.
CUT_REACH = 2


def sparse_grid(
    image: np.ndarray, origin: tuple[int, int], s: int, shades: np.ndarray, blank: np.ndarray, line: int, faint: int
) -> None:
    """Cells of the given colours at ``origin`` (x, y), ruled as a sparse matrix is read: the
    lines round an entry that holds a value in ``line``, those between blank entries ``faint``."""
    x, y = origin
    rows, cols = shades.shape
    block = np.full((rows * s + 1, cols * s + 1), faint, dtype=np.uint8)
    block[: rows * s, : cols * s] = np.repeat(np.repeat(shades.astype(np.uint8), s, 0), s, 1)
    block[::s, :] = faint
    block[:, ::s] = faint
    held = ~blank
    across = np.zeros((rows + 1, cols), dtype=bool)  # the line above each row's cell, and below the last
    across[:-1] |= held
    across[1:] |= held
    down = np.zeros((rows, cols + 1), dtype=bool)  # the line left of each cell, and right of the last
    down[:, :-1] |= held
    down[:, 1:] |= held
    mask = np.zeros((rows + 1, cols * s + 1), dtype=bool)
    mask[:, : cols * s] |= np.repeat(across, s, 1)
    mask[:, s::s] |= across
    block[::s, :][mask] = line
    mask = np.zeros((rows * s + 1, cols + 1), dtype=bool)
    mask[: rows * s, :] |= np.repeat(down, s, 0)
    mask[s::s, :] |= down
    block[:, ::s][mask] = line
    image[y : y + rows * s + 1, x : x + cols * s + 1] = block


class MatrixScene(Scene):
    """The static picture: the grids as any layer's, and the matrices."""

    layout: MatrixLayout
    draws_colours = True  # the faint lines of the weights' blank entries

    def _draw(self) -> np.ndarray:
        image = super()._draw()
        lay, paint, col = self.layout, self.painter, self.colours
        found: MatrixValues = self.drawn.extra["matrix"]
        plan = lay.plan
        assert plan is not None
        # X (or x): each cell as the input cell it shows
        x, y, rows, cols = lay.blocks["x"]
        channels = found.sources[..., 0]
        shades = np.full((rows, cols), col.background, dtype=np.int64)
        for c in np.unique(channels):
            here = channels == c
            shades[here] = self.input_colours(int(c))[found.sources[here][:, 1], found.sources[here][:, 2]]
        paint.grid(image, (x, y), shades)
        if self.drawn.copies:  # an entry copied from a padding cell that copies: framed as that cell
            copied = {int(c): self.copied(int(c)) for c in np.unique(channels)}
            for r, k in np.ndindex(rows, cols):
                c, gy, gx = found.sources[r, k]
                if c >= 0 and copied[int(c)][gy, gx]:
                    unread = self.drawn.unread is not None and bool(self.drawn.unread[gy, gx])
                    self.frame_copy(image, *lay.cell_box((x, y), r, k), unread)
        if lay.values:
            for r, k in np.ndindex(rows, cols):
                c, gy, gx = found.sources[r, k]
                paint.cell_text(image, self.cell_text(int(c), int(gy), int(gx)), *lay.cell_box((x, y), r, k))
        # W (or Cᵀ): the weights, blank where none joins
        x, y, rows, cols = lay.blocks["w"]
        assert self.scales.kernel is not None
        index = np.clip(self.scales.kernel.index(found.weights), 0, len(col.kernels) - 1)
        shades = np.where(found.blank, col.background, np.asarray(col.kernels)[index])
        faint = self.palette.add(blend(self.theme.grid, self.theme.background, FAINT))
        sparse_grid(image, (x, y), lay.cell, shades, found.blank, col.grid, faint)
        if lay.values:
            for r, k in zip(*np.nonzero(~found.blank)):
                text = self.scales.kernel.text(found.weights[r, k])
                paint.cell_text(image, text, *lay.cell_box((x, y), r, k))
        # Y (or y): empty until written, or holding what the output starts at (a bias)
        x, y, rows, cols = lay.blocks["y"]
        paint.grid(image, (x, y), np.full((rows, cols), col.background))
        if self.drawn.start is None:
            paint.hatch(image, y, y + rows * lay.cell, x, x + cols * lay.cell, col.hatch)
        else:
            for co in lay.outputs:
                for oy, ox in np.ndindex(*self.geometry.out_size):
                    value = self.drawn.start[co, oy, ox]
                    r, k = self.entry(co, oy, ox)
                    paint.cell(image, (x, y), r, k, self.output_colour(value, co), value if lay.values else None)
        self._separators(image)
        ink, background, n = col.ink, col.background, lay.metrics.n
        for down, at, start, end in lay.cuts:  # a double line where rows or columns are left out
            view = image[start:end, :] if down else image[:, start:end].T
            view[:, at - CUT_REACH * n : at + CUT_REACH * n + 1] = background
            view[:, at - CUT_REACH * n : at - n + 1] = ink
            view[:, at + n : at + CUT_REACH * n + 1] = ink
        return image

    def entry(self, channel: int, row: int, col: int) -> tuple[int, int]:
        """The entry of Y (or y) that output cell (row, col) of ``channel`` (as drawn) is."""
        lay = self.layout
        ho, wo = self.geometry.out_size
        i = lay.shown_out.index(channel)
        if lay.plan is not None and lay.plan.form == PRODUCT:
            return i, row * wo + col
        return i * ho * wo + row * wo + col, 0

    def _separators(self, image: np.ndarray) -> None:
        """Lines in the ink's colour between the channels' rows and columns of the matrices."""
        lay, s, n, ink = self.layout, self.layout.cell, self.layout.metrics.n, self.colours.ink
        plan, geo = lay.plan, self.geometry
        assert plan is not None
        per_in = plan.per_channel if plan.form == PRODUCT else geo.grid[0] * geo.grid[1]
        per_out = 1 if plan.form == PRODUCT else geo.out_size[0] * geo.out_size[1]
        cuts = {
            "x": ([per_in * i for i in range(1, len(lay.shown_in))], "rows" if plan.form == PRODUCT else "cols"),
            "w": ([per_in * i for i in range(1, len(lay.shown_in))], "cols"),
        }
        if plan.form != PRODUCT:
            cuts["y"] = ([per_out * i for i in range(1, len(lay.shown_out))], "rows")
            cuts["w2"] = (cuts["y"][0], "rows")
        for name, (places, axis) in cuts.items():
            x, y, rows, cols = lay.blocks[name[0]]
            for p in places:
                if axis == "rows":
                    image[y + p * s - (n - 1) // 2 : y + p * s + n // 2 + 1, x : x + cols * s + 1] = ink
                else:
                    image[y : y + rows * s + 1, x + p * s - (n - 1) // 2 : x + p * s + n // 2 + 1] = ink


class MatrixAnimation(Animation):
    """The frames of a matrix picture: any layer's frames (the windows on the grids, the output
    cells written), with the matrices' entries written and each step marked on them."""

    scene_class = MatrixScene
    layout: MatrixLayout
    scene: MatrixScene

    def __init__(
        self,
        drawn: Drawn,
        layout: MatrixLayout,
        theme: Theme = LIGHT,
        scales: Optional[Scales] = None,
        keys: tuple = (),
    ) -> None:
        super().__init__(drawn, layout, theme, scales, keys)
        geo, m = layout.geometry, layout.metrics
        groups = sorted({co // geo.out_per_group for co in layout.outputs})
        spread = 3 * m.n  # each group's lines run down their own track of the gap before the outputs
        self._track = {g: layout.gaps[1] + round((i - (len(groups) - 1) / 2) * spread) for i, g in enumerate(groups)}

    def _routes(self, *args: Any) -> list:
        return []  # the links run to and from the matrices, drawn by the steps' marks

    def _write(self, writes: list[Writes]) -> list[Rect]:
        cells = super()._write(writes)
        lay, scene = self.layout, self.scene
        x, y, _, _ = lay.blocks["y"]
        for write in writes:
            if write.channel not in lay.outputs:
                continue
            for i, oy in enumerate(write.rows):
                for k, ox in enumerate(write.cols):
                    value = write.values[i, k]
                    r, c = scene.entry(write.channel, int(oy), int(ox))
                    scene.painter.cell(
                        self._state,
                        (x, y),
                        r,
                        c,
                        scene.output_colour(value, write.channel),
                        value if lay.values else None,
                    )
                    y0, y1, x0, x1 = lay.cell_box((x, y), r, c)
                    self.written[y0:y1, x0:x1] = True
                    cells.append((y0, y1, x0, x1))
        return cells

    def _frame(self, image: np.ndarray, step: Step) -> None:
        super()._frame(image, step)
        touched = list(self.touched)
        if self.layout.plan is not None and self.layout.plan.form == PRODUCT:
            self._product(image, step, touched)
        else:
            self._transpose(image, step, touched)
        self.touched = touched

    # -- marks -----------------------------------------------------------------------------------

    def _box(self, name: str, r0: int, r1: int, c0: int, c1: int) -> tuple[int, int, int, int]:
        """(y0, y1, x0, x1) of rows r0..r1 and columns c0..c1 (ends exclusive) of a matrix, on
        its grid lines."""
        x, y, _, _ = self.layout.blocks[name]
        s = self.layout.cell
        return y + r0 * s, y + r1 * s, x + c0 * s, x + c1 * s

    def _outline(
        self, image: np.ndarray, box: tuple[int, int, int, int], hue: int, touched: list, halo: bool = False
    ) -> None:
        """An outline round ``box`` (on its grid lines), with a rim of the halo inside when asked."""
        n, paint, col = self.layout.metrics.n, self.scene.painter, self.scene.colours
        y0, y1, x0, x1 = box
        paint.outline(image, y0 - n, y1 + n, x0 - n, x1 + n, hue, 2 * n)
        if halo and col.halo >= 0 and y1 - y0 > 2 * n and x1 - x0 > 2 * n:
            paint.outline(image, y0 + n, y1 - n, x0 + n, x1 - n, col.halo, n)
        touched.append((y0 - n, y1 + n + 1, x0 - n, x1 + n + 1))

    def _path(self, image: np.ndarray, points: list[tuple[int, int]], hue: int, touched: list) -> None:
        touched += self.scene.painter.path(image, points, hue)

    def _from_grid(self, c: int, row_middle: int) -> tuple[int, int]:
        """Where a link leaves input channel ``c``'s grid: past its right side (and any band)."""
        lay, n = self.layout, self.layout.metrics.n
        gx, _ = lay.inputs[c]
        return gx + self.scene.geometry.grid[1] * lay.cell + self._frame_px + 2 * n + lay.reach[0], row_middle

    def _to_map(self, co: int, row_middle: int) -> tuple[int, int]:
        """Where a link reaches output channel ``co``'s map: short of its left side (and any band)."""
        lay, n = self.layout, self.layout.metrics.n
        mx, _ = lay.outputs[co]
        return mx - self._frame_px - 2 * n - 1 - lay.reach[1], row_middle

    def _product(self, image: np.ndarray, step: Step, touched: list) -> None:
        lay, scene, geo, s, n = self.layout, self.scene, self.scene.geometry, self.layout.cell, self.layout.metrics.n
        plan = lay.plan
        assert plan is not None
        x_x, x_top, _, _ = lay.blocks["x"]
        y_x, y_top, _, y_cols = lay.blocks["y"]
        for write in step.writes:
            co = write.channel
            if co not in lay.outputs or not (write.rows.size and write.cols.size):
                continue
            group = co // geo.out_per_group
            hue = scene.hue(group)
            r, p = scene.entry(co, int(write.rows[0]), int(write.cols[0]))
            mine = [i for i, c in enumerate(lay.shown_in) if c // geo.in_per_group == group]
            if mine:
                rows = (mine[0] * plan.per_channel, (mine[-1] + 1) * plan.per_channel)
                self._outline(image, self._box("w", r, r + 1, *rows), hue, touched)
                self._outline(image, self._box("x", *rows, p, p + 1), hue, touched)
            self._outline(image, self._box("y", r, r + 1, p, p + 1), hue, touched, halo=True)
            middle = x_x + p * s + s // 2
            track = self._track.get(group, lay.gaps[0])
            lane = lay.lane
            for c in (lay.shown_in[i] for i in mine):
                top, _, bottom, _ = step.reads[group].box
                _, gy = lay.inputs[c]
                start = self._from_grid(c, gy + (top + bottom) * s // 2)
                in_track = lay.gaps[0] + track - lay.gaps[1]
                self._path(
                    image,
                    [start, (in_track, start[1]), (in_track, lane), (middle, lane), (middle, x_top - 2 * n - 1)],
                    hue,
                    touched,
                )
            _, my = lay.outputs[co]
            cell_y = my + (int(write.rows[0]) * 2 + 1) * s // 2
            row_y = y_top + r * s + s // 2
            out_track = track
            end = self._to_map(co, cell_y)
            self._path(
                image,
                [(y_x + y_cols * s + 2 * n + 1, row_y), (out_track, row_y), (out_track, cell_y), end],
                hue,
                touched,
            )

    def _transpose(self, image: np.ndarray, step: Step, touched: list) -> None:
        lay, scene, geo, s, n = self.layout, self.scene, self.scene.geometry, self.layout.cell, self.layout.metrics.n
        hp, wp = geo.grid
        x_x, x_top, _, _ = lay.blocks["x"]
        w_x, w_top, w_rows, _ = lay.blocks["w"]
        y_x, y_top, _, _ = lay.blocks["y"]
        by_group: dict[int, list[Writes]] = {}
        for write in step.writes:
            by_group.setdefault(write.channel // geo.out_per_group, []).append(write)
        for group, reads in step.reads.items():
            if not any(c // geo.in_per_group == group for c in lay.shown_in):
                continue
            hue = scene.hue(group)
            track = self._track.get(group, lay.gaps[1])
            in_track = lay.gaps[0] + track - lay.gaps[1]
            columns = []
            for c, dy, dx in reads.cells:
                if int(c) not in lay.inputs:
                    continue
                k = lay.shown_in.index(int(c)) * hp * wp + int(dy) * wp + int(dx)
                columns.append(k)
                self._outline(image, self._box("x", 0, 1, k, k + 1), hue, touched, halo=True)
                x0, x1 = w_x + k * s, w_x + (k + 1) * s
                scene.painter.outline(image, w_top - n, w_top + w_rows * s + n, x0 - n, x1 + n, hue, n)
                touched.append((w_top - n, w_top + w_rows * s + n + 1, x0 - n, x1 + n + 1))
                _, gy = lay.inputs[int(c)]
                start = self._from_grid(int(c), gy + int(dy) * s + s // 2)
                middle = x_x + k * s + s // 2
                self._path(
                    image,
                    [
                        start,
                        (in_track, start[1]),
                        (in_track, lay.lane),
                        (middle, lay.lane),
                        (middle, x_top - 2 * n - 1),
                    ],
                    hue,
                    touched,
                )
            rows_written = []
            for write in by_group.get(group, []):
                if write.channel not in lay.outputs:
                    continue
                for oy in write.rows:
                    for ox in write.cols:
                        r, _ = scene.entry(write.channel, int(oy), int(ox))
                        rows_written.append((r, write.channel, int(oy)))
                        self._outline(image, self._box("y", r, r + 1, 0, 1), hue, touched, halo=True)
                        for k in columns:
                            self._outline(image, self._box("w", r, r + 1, k, k + 1), hue, touched, halo=True)
            if rows_written:
                r, co, oy = rows_written[len(rows_written) // 2]
                _, my = lay.outputs[co]
                boxes = [w.box for w in by_group.get(group, []) if w.channel == co and w.box is not None]
                top, _, bottom, _ = boxes[0] if boxes else (oy, 0, oy + 1, 0)
                cell_y = my + (top + bottom) * s // 2
                row_y = y_top + r * s + s // 2
                self._path(
                    image,
                    [(y_x + s + 2 * n + 1, row_y), (track, row_y), (track, cell_y), self._to_map(co, cell_y)],
                    hue,
                    touched,
                )
