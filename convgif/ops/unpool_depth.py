"""A MaxUnpool3d drawn one input depth slice at a time.

Input depth slice d's values go back into the output depths its pooling windows cover,
z = d·S − P + dz for dz < K (those inside the output): its picture draws x[c, d] beside those
output slices y[c, z], one input position a step, every channel at once, each value written
into the slice and the cell its 3-D index names, so that every step writes a cell drawn. An
output depth no window covers (between strided windows, or added by ``output_size``) is drawn
with the input slice whose windows come before it: every output slice is in some picture. An
output slice that overlapping windows share is drawn in the picture of each input slice that
writes it, holding from the start what the slices before wrote. The steps are the input
positions, as many as a MaxUnpool2d of the same planes has, times the depth. The values are the
3-D recording's: the last value written to a cell stays. Indices given by hand that send a value
into an output depth its slice's picture does not draw are refused. The backward pass is drawn
the same way, one input depth slice at a time (:mod:`convgif.ops.backward_depth_moves`).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

import numpy as np

from ..engine.part import PartArray
from ..errors import SpecError
from ..picture.model import MAX_SHOWN_COLUMNS, Drawn, Geometry, LazyReads, Reads, Region, Step, Writes
from ..picture.numbers import format_value, magnitude
from .depth_steps import ALONE, Count, counts, depth_range, longest_of_part
from .sliding import channels_cut, widest_text
from .unpool_depth_part import Extent, _plane, last_writers
from .unpool_picture import earlier_writers, indices_note


def covered(spec: Any, d: int) -> list[int]:
    """The output depths input depth ``d``'s pooling windows cover (inside the output)."""
    k, s, p = spec.kernel_size[0], spec.stride[0], spec.padding[0]
    return [z for z in range(d * s - p, d * s - p + k) if 0 <= z < spec.output_shape[1]]


def _after(spec: Any, d: int) -> range:
    """The output depths from where input depth ``d``'s windows start to where they end or the
    next slice's start, whichever is later (the last slice's: to the output's end), inside the
    output: those its windows cover, and the depths no window covers that follow them."""
    k, s, p = spec.kernel_size[0], spec.stride[0], spec.padding[0]
    depth, d_out = spec.input_shape[1], spec.output_shape[1]
    start = d * s - p
    stop = d_out if d == depth - 1 else max(start + k, start + s)
    return range(max(0, start), min(d_out, stop))


def depths_drawn(spec: Any, d: int) -> range:
    """The output depths the picture of input depth ``d`` draws: those its windows cover, with
    the depths no window covers after them (so that every output depth is drawn); every output
    depth for a slice whose windows lie wholly outside the output, no such depth following."""
    return _after(spec, d) or range(spec.output_shape[1])


def check_depths(spec: Any, indices: np.ndarray, d: int, start: Optional[tuple] = None) -> None:
    """Refuse indices of input depth ``d`` (``indices`` (C, D, h, w), every depth) that send a
    value into an output depth its picture does not draw (indices given by hand, pointing
    outside their windows); ``start``: where the cells of ``indices`` start in the input, when
    they are a part of it."""
    drawn, area = depths_drawn(spec, d), spec.output_shape[2] * spec.output_shape[3]
    depth = indices[:, d] // area
    lands = (depth < drawn.start) | (depth >= drawn.stop)
    if lands.any():
        c, y, x = (int(v) for v in np.argwhere(lands)[0])
        index = int(indices[c, d, y, x])
        y, x = (v + a for v, a in zip((y, x), (start or (0, 0, 0, 0))[2:]))
        raise SpecError(
            "indices",
            f"input cell ({d}, {y}, {x}) of channel {c} puts its value in output depth {index // area} through "
            f"index {index}, but its pooling window does not cover that depth: convgif draws each input depth "
            f"slice with the output depths its windows cover (x[:, {d}]: {_listed(drawn)})",
        )


def _listed(depths: Any) -> str:
    return ", ".join(map(str, depths))


def slice_note(spec: Any, d: int) -> str:
    """What the picture of input depth ``d`` draws, in words: the output depths its values go
    into, and which of them its windows cover."""
    drawn, windows = list(depths_drawn(spec, d)), covered(spec, d)
    head = f"depth {d} ({depth_range(spec.input_shape[1])}): x[:, {d}] goes back into y[:, z], z = {_listed(drawn)}"
    if drawn == windows:
        return f"{head}, the output depths its pooling windows cover"
    if windows:
        return f"{head}: its pooling windows cover z = {_listed(windows)}, and no window covers the others"
    if _after(spec, d):
        return f"{head}: its pooling windows cover no output depth, nor does any window cover these"
    return f"{head}: its pooling windows cover no output depth, so every one is drawn"


def _step_text(d: int, y: int, x: int, step: int, steps: int, part: bool) -> str:
    """The input position placed, and the step among the ``steps`` drawn (``of this part`` when
    they are those of a part of the output, or some channels are left out)."""
    return f"input ({d}, {y}, {x}) · step {step + 1}/{steps}{' of this part' if part else ''}"


def unpool_depth_geometries(spec: Any, extent: Extent, region: Optional[Region] = None) -> list[Geometry]:
    """One picture per input depth slice, in order (``extent`` the input cells a part of the
    output reads, as :func:`convgif.ops.unpool.unpool_extent` gives them)."""
    flat = _plane(spec)
    c, h, w = flat.input_shape
    ho, wo = flat.output_shape[1:]
    part = Region.of(region, (ho, wo))
    cut = region is not None and region.cuts((ho, wo))
    read = extent(flat, part) if cut else Region((0, h), (0, w))
    at = len(f"y[{c - 1}, {spec.output_shape[1] - 1}, {ho - 1}, {wo - 1}]")
    notes = [
        "each value goes back to the position its index names; every other cell stays 0",
        *[note for note in [indices_note(spec)] if note],
    ]
    geometries = []
    for d in range(spec.input_shape[1]):
        drawn = depths_drawn(spec, d)
        n = len(drawn)
        geometries.append(
            Geometry(
                layer=spec,
                caption=spec.caption,
                dims=2,
                in_channels=c,
                out_channels=c * n,
                groups=c,
                grid=read.size,
                kernel=None,
                out_size=part.size,
                steps_per_column=math.prod(read.size),
                columns_take_turns=False,  # a step writes one of its channel's output slices
                shown_most=n if n > MAX_SHOWN_COLUMNS else None,  # every slice a step may write
                input_heading="input, part" if read.cuts((h, w)) else "input",  # "part" only where cut
                output_heading="output, part" if cut else "output",
                kernel_label=lambda i, j: "",
                blame=lambda axis: ("input_shape", spec.input_shape, "input"),
                notes=(*notes, slice_note(spec, d)),
                input_label=lambda i, d=d: f"x[{i}, {d}]",
                output_label=lambda co, n=n, drawn=drawn: f"y[{co // n}, {drawn[co % n]}]",
                inputs_word="input slices",
                outputs_word="output slices",
                numbers=True,
                sum_chars=lambda chars, drawn: 2 * at + 2 * chars + 60,  # a channel's entry
                sum_each_group=True,
                value_chars=max(3, len(str(math.prod(spec.output_shape[1:]) - 1))),
            )
        )
    (y, x), read_cut = (n - 1 for n in (read.rows[1], read.cols[1])), read.size != (h, w)  # as the playback counts
    return longest_of_part(geometries, lambda d, step, total, part: _step_text(d, y, x, step, total, part), read_cut)


def unpool_depth_drawings(
    spec: Any,
    recording: Any,
    geometries: list[Geometry],
    parts: tuple[Extent, Callable[..., None]],
    pixels: bool = False,
    region: Optional[Region] = None,
) -> list[Drawn]:
    """The recorded pictures of :func:`unpool_depth_geometries`, one per input depth slice
    (``parts``: :mod:`convgif.ops.unpool`'s extent of a part and its check of a part): each
    output slice starts as the slices before left it."""
    unpool_extent, check_unpool_part = parts
    flat = _plane(spec)
    _, h, w = flat.input_shape
    ho, wo = flat.output_shape[1:]
    part = Region.of(region, (ho, wo))
    cut = region is not None and region.cuts((ho, wo))
    read = unpool_extent(flat, part) if cut else Region((0, h), (0, w))
    area = ho * wo
    x, idx = recording.input, recording.indices
    held = isinstance(idx, PartArray)  # a part recorded alone: its indices checked when recorded
    values, indices = (x.values, idx.values) if held else (x, idx)
    state = np.zeros((x.shape[0], spec.output_shape[1], *part.size), dtype=values.dtype)
    written = np.zeros(state.shape, dtype=bool)
    drawn = []
    for d, (geometry, count) in enumerate(zip(geometries, counts(geometries))):
        check_depths(spec, indices, d, idx.start if held else None)
        if cut and not held:  # a value landing in the part from outside the cells drawn would be missing
            check_unpool_part(flat, idx[:, d] % area, part, read)
        depths = depths_drawn(spec, d)
        slices = slice(depths.start, depths.stop)
        start, before = _slices(state[:, slices]), _slices(written[:, slices])
        place(state, written, values[:, d], indices[:, d], spec.output_shape[1:], part)
        output = _slices(state[:, slices])
        grid = x[:, d, slice(*read.rows), slice(*read.cols)]
        playback = DepthUnpoolPlayback(recording, d, depths, part, read, (start, before), channels_cut(geometry), count)
        drawn.append(
            Drawn(
                geometry=geometry,
                grid=grid,
                filler=np.zeros(read.size, dtype=bool),
                kernels=None,
                output=output,
                playback=playback,
                start=start,
                value_chars=widest_text(grid, output, idx[:, d, slice(*read.rows), slice(*read.cols)]),
                pixels=pixels,
            )
        )
    return drawn


def _slices(array: np.ndarray) -> np.ndarray:
    """(C, n, rows, cols) as the picture's output grids: (C·n, rows, cols), channel-major (a copy)."""
    return array.reshape(-1, *array.shape[2:]).copy()


def place(
    state: np.ndarray, written: np.ndarray, values: np.ndarray, indices: np.ndarray, sizes: tuple, part: Region
) -> None:
    """Write the values of one input depth slice ((C, h, w) cells held, with their ``indices``,
    flat in an output of ``sizes``) that land in ``part`` (rows and columns of every depth) into
    ``state`` (C, D_out, rows, cols), marking them ``written``: of values sharing an index the
    last stays, and the slices placed before have already been."""
    kept = last_writers(indices)
    tz, ty, tx = np.unravel_index(indices, sizes)
    (r0, r1), (c0, c1) = part.rows, part.cols
    inside = kept & (ty >= r0) & (ty < r1) & (tx >= c0) & (tx < c1)
    channel = np.broadcast_to(np.arange(values.shape[0]).reshape(-1, 1, 1), values.shape)
    at = (channel[inside], tz[inside], ty[inside] - r0, tx[inside] - c0)
    state[at] = values[inside]
    written[at] = True


class DepthUnpoolPlayback:
    """Steps of input depth slice ``d``: its positions (of ``read``, a part's) row by row, every
    channel at once, each value written into the output slice its index names among ``depths``
    (of ``region``'s rows and columns), which start as ``start`` (values, and whether a slice
    before wrote each cell)."""

    def __init__(
        self,
        recording: Any,
        d: int,
        depths: range,
        region: Region,
        read: Region,
        start: tuple[np.ndarray, np.ndarray],
        part: bool = False,
        count: Count = ALONE,
    ) -> None:
        self.x, self.indices, self.d, self.depths = recording.input, recording.indices, d, depths
        self.region, self.read, (self.start, self.before) = region, read, start
        self.part = part  # some channels left out: the steps are a part's (as when the input is cut)
        self.count = count  # where its steps stand among those of every depth slice
        self.sizes = recording.output.shape[1:]
        x = recording.input
        self._scale = magnitude(x.values if isinstance(x, PartArray) else x)  # a part: of the cells held
        self._earlier: dict[tuple[int, int], int] | None = None

    @property
    def steps(self) -> int:
        return math.prod(self.read.size)

    def _at(self, step: int) -> tuple[int, int]:
        """(y, x): the input position step ``step`` places."""
        y, x = divmod(step, self.read.size[1])
        return y + self.read.rows[0], x + self.read.cols[0]

    def _targets(self, y: int, x: int) -> list[tuple[int, int, int]]:
        return [tuple(int(v) for v in np.unravel_index(int(i), self.sizes)) for i in self.indices[:, self.d, y, x]]

    def _drawn(self, ty: int, tx: int) -> bool:
        (r0, r1), (c0, c1) = self.region.rows, self.region.cols
        return r0 <= ty < r1 and c0 <= tx < c1

    def _channel(self, c: int, tz: int) -> int:
        """The output grid of channel ``c``'s depth ``tz``."""
        return c * len(self.depths) + tz - self.depths.start

    def advance(self, step: int) -> list[Writes]:
        y, x = self._at(step)
        writes = []
        for c, (tz, ty, tx) in enumerate(self._targets(y, x)):
            if self._drawn(ty, tx):
                ty, tx = ty - self.region.rows[0], tx - self.region.cols[0]
                value = self.x[c, self.d, y : y + 1, x : x + 1]
                writes.append(
                    Writes(self._channel(c, tz), np.array([ty]), np.array([tx]), value, (ty, tx, ty + 1, tx + 1))
                )
        return writes

    def _sum(self, c: int, y: int, x: int, step: int, target: tuple[int, int, int]) -> str:
        tz, ty, tx = target
        value = format_value(self.x[c, self.d, y, x], self._scale)
        outside = self._overwrites(c, step, target) if self._drawn(ty, tx) else ", outside the part drawn"
        return f"y[{c}, {tz}, {ty}, {tx}] = x[{c}, {self.d}, {y}, {x}] = {value} (index {int(self.indices[c, self.d, y, x])}{outside})"

    def _overwrites(self, c: int, step: int, target: tuple[int, int, int]) -> str:
        """``, overwrites the 9 there`` when an earlier step of this slice, or a slice before,
        put a value in the same cell."""
        if self._earlier is None:
            self._earlier = earlier_writers(self.steps, lambda s: self.indices[(slice(None), self.d, *self._at(s))])
        if (step, c) in self._earlier:
            y, x = self._at(self._earlier[step, c])
            return f", overwrites the {format_value(self.x[c, self.d, y, x], self._scale)} there"
        tz, ty, tx = target
        at = (self._channel(c, tz), ty - self.region.rows[0], tx - self.region.cols[0])
        if self.before[at]:
            return f", overwrites the {format_value(self.start[at], self._scale)} there"
        return ""

    def show(self, step: int) -> Step:
        y, x = self._at(step)
        targets = self._targets(y, x)
        text = _step_text(
            self.d, y, x, *self.count.at(step, self.steps), self.part or self.read.size != self.x.shape[2:]
        )
        sums = tuple(self._sum(c, y, x, step, t) for c, t in enumerate(targets))
        dy, dx = y - self.read.rows[0], x - self.read.cols[0]

        def reads(c: int) -> Reads:
            return Reads(np.array([[c, dy, dx]]), (dy, dx, dy + 1, dx + 1))

        channels = tuple(self._channel(c, tz) for c, (tz, _, _) in enumerate(targets))
        return Step(0, LazyReads(reads), self.advance(step), text, sums, channels)


# -- the backward pass: one input depth slice at a time ------------------------------------------

BACKWARD_NOTE = (
    "backward, dx = ∂L/∂x: each input cell's gradient is dy where its index put its value "
    "(the cells no index names send theirs nowhere)"
)


def backward_slices(spec: Any) -> list[list[int]]:
    """Per input depth d, the output depths its pooling windows cover: where its indices point."""
    return [covered(spec, d) for d in range(spec.input_shape[1])]


def unpool_depth_backward_geometries(spec: Any) -> list[Geometry]:
    """One gather picture per input depth slice: each cell's dx the dy its index names."""
    from .backward_depth_moves import depth_gather_geometries, depth_note

    depth = spec.input_shape[1]
    took = "the output depths its pooling windows cover"
    return depth_gather_geometries(
        spec, backward_slices(spec), lambda d, zs: (BACKWARD_NOTE, depth_note(depth, d, zs, took)), terms=1
    )


def unpool_depth_backward_drawings(spec: Any, recording: Any, links: Any, geometries: list[Geometry]) -> list[Drawn]:
    """The recorded pictures of :func:`unpool_depth_backward_geometries` (indices given by hand
    that point outside their windows' depths refused, as the forward pictures refuse them)."""
    from .backward_depth_moves import depth_gather_drawings

    slices = backward_slices(spec)
    indices = recording.forward.indices
    area = spec.output_shape[2] * spec.output_shape[3]
    for d, zs in enumerate(slices):
        lands = ~np.isin(indices[:, d] // area, zs)
        if lands.any():
            c, y, x = (int(v) for v in np.argwhere(lands)[0])
            index = int(indices[c, d, y, x])
            raise SpecError(
                "indices",
                f"input cell ({d}, {y}, {x}) of channel {c} takes its gradient from output depth {index // area} "
                f"through index {index}, but its pooling window does not cover that depth: convgif draws each "
                "input depth slice gathering from the output depths its windows cover",
            )

    def reason(c: int, d: int, i: int) -> str:
        return f" (index {int(indices[c, d].flat[i])})"

    return depth_gather_drawings(geometries, recording, links, slices, reason)
