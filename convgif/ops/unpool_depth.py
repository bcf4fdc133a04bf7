"""A MaxUnpool3d drawn one output depth slice at a time.

Output depth slice z receives the input values whose 3-D index falls in it. Its picture draws
the input slices x[c, d] that can put a value there (those whose pooling windows cover depth z,
and any other an index sends into it), one input position a step, every channel at once, in
input order; a value whose index names another depth goes there, not into this slice, and its
sum line says so. The values are the 3-D recording's: the last value written to a cell stays.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any, Callable, Optional

import numpy as np

from ..engine.part import PartArray
from ..errors import SpecError
from ..picture.model import Drawn, Geometry, LazyReads, Reads, Region, Step, Writes
from ..picture.numbers import format_value, magnitude
from .depth_steps import ALONE, Count, counts, depth_range, longest_of_part
from .sliding import channels_cut, widest_text
from .unpool_picture import earlier_writers, indices_note

#: The input cells (rows, columns) a part of a 2-D unpooling's output reads.
Extent = Callable[[Any, Region], Region]


def _plane(spec: Any) -> Any:
    """The rows and columns of ``spec`` as a 2-D unpooling's, for the part a region reads."""
    c, _, h, w = spec.input_shape
    _, _, ho, wo = spec.output_shape
    return SimpleNamespace(
        input_shape=(c, h, w),
        output_shape=(c, ho, wo),
        kernel_size=spec.kernel_size[1:],
        stride=spec.stride[1:],
        padding=spec.padding[1:],
    )


def window_depths(spec: Any, z: int) -> list[int]:
    """The input depths whose pooling windows cover output depth ``z``."""
    k, s, p = spec.kernel_size[0], spec.stride[0], spec.padding[0]
    return [d for d in range(spec.input_shape[1]) if d * s - p <= z < d * s - p + k]


def depths_of(spec: Any, z: int) -> list[int]:
    """The input depths drawn for output depth ``z``: those whose windows cover it (every input
    depth when none does, so that the picture shows that none lands there)."""
    return window_depths(spec, z) or list(range(spec.input_shape[1]))


def check_depths(spec: Any, indices: np.ndarray, z: int, depths: list[int], start: Optional[tuple] = None) -> None:
    """Refuse indices that send a value into depth ``z`` from an input slice its picture does
    not draw (indices given by hand, pointing outside their windows); ``start``: where the
    cells of ``indices`` start in the input, when they are a part of it (every depth)."""
    area = spec.output_shape[2] * spec.output_shape[3]
    lands = indices // area == z
    lands[:, depths] = False
    if lands.any():
        c, d, y, x = (int(v) + a for v, a in zip(np.argwhere(lands)[0], start or (0, 0, 0, 0)))
        raise SpecError(
            "indices",
            f"input cell ({d}, {y}, {x}) of channel {c} puts its value in output depth {z} through index "
            f"{int(indices[c, d, y, x])}, but its pooling window does not cover that depth: convgif draws each "
            "depth slice from the input slices whose windows cover it",
        )


def _note(spec: Any, z: int, depths: list[int]) -> str:
    drawn = ", ".join(map(str, depths))
    return f"depth {z} ({depth_range(spec.output_shape[1])}): y[:, {z}] receives the values whose index lies in it, from x[:, d], d = {drawn}"


def _step_text(d: int, y: int, x: int, step: int, steps: int, part: bool) -> str:
    """The input position placed, and the step among the ``steps`` drawn (``of this part`` when
    they are those of a part of the output, or some channels are left out)."""
    return f"input ({d}, {y}, {x}) · step {step + 1}/{steps}{' of this part' if part else ''}"


def unpool_depth_geometries(spec: Any, extent: Extent, region: Optional[Region] = None) -> list[Geometry]:
    """One picture per output depth slice, in order (``extent`` the input cells a part of the
    output reads, as :func:`convgif.ops.unpool.unpool_extent` gives them)."""
    flat = _plane(spec)
    c, h, w = flat.input_shape
    ho, wo = flat.output_shape[1:]
    part = Region.of(region, (ho, wo))
    cut = region is not None and region.cuts((ho, wo))
    read = extent(flat, part) if cut else Region((0, h), (0, w))
    at = len(f"y[{c - 1}, {spec.output_shape[1] - 1}, {ho - 1}, {wo - 1}]")
    geometries = []
    for z in range(spec.output_shape[1]):
        depths = depths_of(spec, z)
        k = len(depths)
        steps = k * math.prod(read.size)
        notes = [
            "each value goes back to the position its index names; every other cell stays 0",
            *[note for note in [indices_note(spec)] if note],
            _note(spec, z, depths),
        ]
        geometries.append(
            Geometry(
                layer=spec,
                caption=spec.caption,
                dims=2,
                in_channels=c * k,
                out_channels=c,
                groups=c,
                grid=read.size,
                kernel=None,
                out_size=part.size,
                steps_per_column=steps,
                input_heading="input, part" if read.cuts((h, w)) else "input",  # "part" only where cut
                output_heading="output, part" if cut else "output",
                kernel_label=lambda i, j: "",
                blame=lambda axis: ("input_shape", spec.input_shape, "input"),
                notes=tuple(notes),
                input_label=lambda i, depths=depths, k=k: f"x[{i // k}, {depths[i % k]}]",
                output_label=lambda co, z=z: f"y[{co}, {z}]",
                inputs_word="input slices",
                numbers=True,
                sum_chars=lambda chars, drawn: 2 * at + 2 * chars + 60,  # a channel's entry
                sum_each_group=True,
                value_chars=max(3, len(str(math.prod(spec.output_shape[1:]) - 1))),
            )
        )
    (y, x), read_cut = (n - 1 for n in (read.rows[1], read.cols[1])), read.size != (h, w)  # as the playback counts
    return longest_of_part(
        geometries, lambda z, step, total, part: _step_text(depths_of(spec, z)[-1], y, x, step, total, part), read_cut
    )


def unpool_depth_drawings(
    spec: Any,
    recording: Any,
    geometries: list[Geometry],
    parts: tuple[Extent, Callable[..., None]],
    pixels: bool = False,
    region: Optional[Region] = None,
) -> list[Drawn]:
    """The recorded pictures of :func:`unpool_depth_geometries`, one per output depth slice
    (``parts``: :mod:`convgif.ops.unpool`'s extent of a part and its check of a part)."""
    unpool_extent, check_unpool_part = parts
    flat = _plane(spec)
    _, h, w = flat.input_shape
    ho, wo = flat.output_shape[1:]
    part = Region.of(region, (ho, wo))
    cut = region is not None and region.cuts((ho, wo))
    read = unpool_extent(flat, part) if cut else Region((0, h), (0, w))
    area = ho * wo
    x, idx = recording.input, recording.indices
    drawn = []
    held = isinstance(idx, PartArray)  # a part recorded alone: its indices checked when recorded
    for z, (geometry, count) in enumerate(zip(geometries, counts(geometries))):
        depths = depths_of(spec, z)
        check_depths(spec, idx.values if held else idx, z, depths, idx.start if held else None)
        if cut and not held:  # a value landing in the part from outside the cells drawn would be missing
            check_unpool_part(flat, np.where(idx // area == z, idx % area, -1).max(axis=1), part, read)
        inside = (slice(None), depths, slice(*read.rows), slice(*read.cols))
        grid = x[inside].reshape(-1, *read.size)
        shown = recording.output[:, z, slice(*part.rows), slice(*part.cols)]
        drawn.append(
            Drawn(
                geometry=geometry,
                grid=grid,
                filler=np.zeros(read.size, dtype=bool),
                kernels=None,
                output=shown,
                playback=DepthUnpoolPlayback(recording, z, depths, part, read, channels_cut(geometry), count),
                start=np.zeros_like(shown),
                value_chars=widest_text(grid, shown, idx[inside].reshape(-1, *read.size)),
                pixels=pixels,
            )
        )
    return drawn


class DepthUnpoolPlayback:
    """Steps of output depth slice ``z``: the input positions of the slices ``depths`` drawn (of
    ``read``, a part's), slice by slice and row by row, every channel at once."""

    def __init__(
        self,
        recording: Any,
        z: int,
        depths: list[int],
        region: Region,
        read: Region,
        part: bool = False,
        count: Count = ALONE,
    ) -> None:
        self.x, self.indices, self.z, self.depths = recording.input, recording.indices, z, depths
        self.region, self.read = region, read
        self.part = part  # some channels left out: the steps are a part's (as when the input is cut)
        self.count = count  # where its steps stand among those of every depth slice
        self.sizes = recording.output.shape[1:]
        x = recording.input
        self._scale = magnitude(x.values if isinstance(x, PartArray) else x)  # a part: of the cells held
        self._earlier: dict[tuple[int, int], int] | None = None

    def _at(self, step: int) -> tuple[int, int, int, int]:
        """(slot, d, y, x): the input position step ``step`` places."""
        slot, cell = divmod(step, math.prod(self.read.size))
        y, x = divmod(cell, self.read.size[1])
        return slot, self.depths[slot], y + self.read.rows[0], x + self.read.cols[0]

    def _targets(self, d: int, y: int, x: int) -> list[tuple[int, int, int]]:
        return [tuple(int(v) for v in np.unravel_index(int(i), self.sizes)) for i in self.indices[:, d, y, x]]

    def _drawn(self, tz: int, ty: int, tx: int) -> bool:
        (r0, r1), (c0, c1) = self.region.rows, self.region.cols
        return tz == self.z and r0 <= ty < r1 and c0 <= tx < c1

    def advance(self, step: int) -> list[Writes]:
        _, d, y, x = self._at(step)
        writes = []
        for c, (tz, ty, tx) in enumerate(self._targets(d, y, x)):
            if self._drawn(tz, ty, tx):
                ty, tx = ty - self.region.rows[0], tx - self.region.cols[0]
                value = self.x[c, d, y : y + 1, x : x + 1]
                writes.append(Writes(c, np.array([ty]), np.array([tx]), value, (ty, tx, ty + 1, tx + 1)))
        return writes

    def _sum(self, c: int, d: int, y: int, x: int, target: tuple[int, int, int]) -> str:
        tz, ty, tx = target
        value = format_value(self.x[c, d, y, x], self._scale)
        index = int(self.indices[c, d, y, x])
        where = f"y[{c}, {tz}, {ty}, {tx}]"
        if tz != self.z:
            return f"x[{c}, {d}, {y}, {x}] = {value} → {where} (index {index}), in depth {tz}, not this slice"
        outside = self._overwrites(c, d, y, x) if self._drawn(*target) else ", outside the part drawn"
        return f"{where} = x[{c}, {d}, {y}, {x}] = {value} (index {index}{outside})"

    def _overwrites(self, c: int, d: int, y: int, x: int) -> str:
        """``, overwrites the 9 there`` when an earlier step of this slice put a value in the same cell."""
        if self._earlier is None:
            steps = len(self.depths) * math.prod(self.read.size)
            self._earlier = earlier_writers(steps, lambda s: self.indices[(slice(None), *self._at(s)[1:])])
        cell = math.prod(self.read.size)
        step = self.depths.index(d) * cell + (y - self.read.rows[0]) * self.read.size[1] + x - self.read.cols[0]
        if (step, c) not in self._earlier:
            return ""
        _, ed, ey, ex = self._at(self._earlier[step, c])
        return f", overwrites the {format_value(self.x[c, ed, ey, ex], self._scale)} there"

    def show(self, step: int) -> Step:
        slot, d, y, x = self._at(step)
        k = len(self.depths)
        steps = k * math.prod(self.read.size)
        text = _step_text(d, y, x, *self.count.at(step, steps), self.part or self.read.size != self.x.shape[2:])
        sums = tuple(self._sum(c, d, y, x, t) for c, t in enumerate(self._targets(d, y, x)))
        dy, dx = y - self.read.rows[0], x - self.read.cols[0]

        def reads(c: int) -> Reads:
            return Reads(np.array([[c * k + slot, dy, dx]]), (dy, dx, dy + 1, dx + 1))

        return Step(0, LazyReads(reads), self.advance(step), text, sums, tuple(range(len(sums))))


def depth_steps(spec: Any) -> int:
    """Steps of all the depth pictures: one per input position of each slice a picture draws."""
    return sum(len(depths_of(spec, z)) for z in range(spec.output_shape[1])) * math.prod(spec.input_shape[2:])


# -- the backward pass: one input depth slice at a time ------------------------------------------

BACKWARD_NOTE = (
    "backward, dx = ∂L/∂x: each input cell's gradient is dy where its index put its value "
    "(the cells no index names send theirs nowhere)"
)


def backward_slices(spec: Any) -> list[list[int]]:
    """Per input depth d, the output depths its pooling windows cover: where its indices point."""
    return [[z for z in range(spec.output_shape[1]) if d in window_depths(spec, z)] for d in range(spec.input_shape[1])]


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
