"""A three-axis Upsample and a three-axis ChannelShuffle drawn one output depth slice at a time.

Upsample: output depth slice z reads one input depth slice (``nearest``, ``nearest-exact``: the
source depth torch computes, rounded down), two with weights (``trilinear``: the two depths
around the source depth, weighted 1 − t and t) or those it averages (``area``). Its picture
draws those slices as channels labelled x[c, d], one output position (row, column) a step on
every channel at once, the cells read ringed on each slice, and a sum line writing every weight
and value: the depth's weights outside, then the rows', the columns' inside, so that all eight
products of a trilinear cell can be checked from the frame (an area's mean lists its cells).
The values are the 3-D recording's.

ChannelShuffle: output depth slice z is the 2-D channel shuffle of input depth slice z, drawn
as that layer is, its grids labelled x[c, z] and y[j, z].
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Optional

import numpy as np

from ..engine.resample import AxisTaps
from ..errors import SpecError
from ..picture.model import Crop, Drawn, Geometry, LazyReads, Part, Reads, Region, Step, part_note
from ..picture.numbers import format_value, significant, widest
from .depth_steps import ALONE, Count, counts, depth_range, longest, longest_of_part
from .gathered import PIXEL_CHARS, CellPlayback, read_region
from .gathered_part import at_depth
from .resample_picture import axis_source, rule_notes, weighted
from .shuffle_picture import copy_text
from .sliding import draws_part

#: The depth axis among an Upsample's spatial axes (D, H, W).
DEPTH = 0


def depth_reads(spec: Any, z: int) -> list[tuple[int, float]]:
    """The input depths output depth slice ``z`` reads, with their weights, in tap order."""
    return spec.axes[DEPTH].reads(z)


def depths_of(spec: Any, z: int) -> list[int]:
    """The input depth slices drawn for output depth ``z``: each depth read, once."""
    return list(dict.fromkeys(d for d, _ in depth_reads(spec, z)))


def _number(value: float) -> str:
    return significant(value, 4).replace("-", "−")


def _scale_text(spec: Any) -> str:
    """The depth axis's step between output positions as the rule notes write it: ``/f``,
    ``·n/m``, or ``·(n − 1)/(m − 1)`` numbers with align_corners."""
    n, m, f = spec.input_shape[1], spec.output_shape[1], spec.kernel_factors[DEPTH]
    if spec.corners:
        return f"·{n - 1}/{m - 1}" if m > 1 else "·0"
    return f"/{_number(f)}" if f is not None else f"·{n}/{m}"


def depth_source(spec: Any, z: int) -> str:
    """How torch finds the source depth of output depth ``z``, with the numbers."""
    taps: AxisTaps = spec.axes[DEPTH]
    n, m = spec.input_shape[1], spec.output_shape[1]
    if spec.mode == "area":
        return f"input depths floor({z}·{n}/{m}) to ceil({z + 1}·{n}/{m}) − 1"
    if taps.source is None or (n == m and spec.mode == "trilinear"):
        return "same depth: copied (PyTorch skips the scale on an axis whose size does not change)"
    step, source = _scale_text(spec), float(taps.source[z])
    if spec.mode in ("nearest", "nearest-exact"):
        d = int(taps.index[z, 0])
        start = f"{z}" if spec.mode == "nearest" else f"({z} + 0.5)"
        shown = _number(source)
        if math.floor(float(shown.replace("−", "-"))) != math.floor(source):  # rounding crossed a whole number
            shown = f"{source:.9g}"
        if math.floor(source) <= n - 1:
            return f"source depth floor({start}{step}) = floor({shown}) = {d}"
        return f"source depth floor({start}{step}) = floor({shown}) = {math.floor(source)}, at most the last depth {n - 1}: {d}"
    if spec.corners:
        return f"source depth {z}{step} = {_number(source)}"
    raw = float(taps.raw[z]) if taps.raw is not None else source
    text = f"source depth ({z} + 0.5){step} − 0.5 = {_number(raw)}"
    return text if raw == source else f"{text}, at least 0: {_number(source)}"


def depth_note(spec: Any, z: int) -> str:
    """Which output depth slice the picture draws, which input depths it reads and why."""
    head = f"depth {z} ({depth_range(spec.output_shape[1])})"
    reads = depth_reads(spec, z)
    if spec.mode in ("nearest", "nearest-exact"):
        return f"{head}: y[:, {z}] copies its cells from x[:, {reads[0][0]}]; {depth_source(spec, z)}"
    if spec.mode == "area":
        drawn = ", ".join(f"x[:, {d}]" for d, _ in reads)
        return f"{head}: y[:, {z}] averages over {drawn}; {depth_source(spec, z)}"
    if len(reads) == 1 and reads[0][1] == 1:
        sum_ = f"y[:, {z}] = bilinear of x[:, {reads[0][0]}]"
    else:
        sum_ = f"y[:, {z}] = {weighted(reads, [f'(bilinear of x[:, {d}])' for d, _ in reads])}"
    both = ""
    if len(reads) == 2 and reads[0][0] == reads[1][0]:  # the second tap clamped to the last depth
        both = f"; both taps read the last depth {reads[0][0]}"
    return f"{head}: {sum_}; {depth_source(spec, z)}{both}"


def sum_entry(spec: Any, x: np.ndarray, c: int, z: int, oy: int, ox: int, value: Any) -> str:
    """Channel ``c``'s entry of the sum line at output (z, oy, ox): every weight and value, the
    depth's weights outside, the rows' and then the columns' inside (``x`` the whole input)."""
    reads = [taps.reads(i) for taps, i in zip(spec.axes, (z, oy, ox))]
    y = f"y[{c}, {z}, {oy}, {ox}]"
    if all(len(r) == 1 and r[0][1] == 1 for r in reads):
        (d, _), (j, _), (i, _) = (r[0] for r in reads)
        return f"{y} = x[{c}, {d}, {j}, {i}] = {format_value(value)}"
    depth, rows, cols = reads
    if spec.mode == "area":
        values = [format_value(x[c, d, j, i]) for d, _ in depth for j, _ in rows for i, _ in cols]
        return f"{y} = ({' + '.join(values)}) / {len(values)} = {format_value(value)}"
    planes = []
    for d, _ in depth:
        inner = []
        for j, _ in rows:
            text = weighted(cols, [format_value(x[c, d, j, i]) for i, _ in cols])
            inner.append(f"({text})" if len(cols) > 1 and len(rows) > 1 else text)
        text = weighted(rows, inner)
        planes.append(f"({text})" if len(depth) > 1 and (len(rows) > 1 or len(cols) > 1) else text)
    return f"{y} = {weighted(depth, planes)} = {format_value(value)}"


def _step_text(spec: Any, z: int, oy: int, ox: int, step: int, steps: int, part: bool) -> str:
    """Where output (z, oy, ox) reads, and the step among the ``steps`` drawn (``of this part``
    when they are those of a part of the output, or some channels are left out)."""
    where = ", ".join(axis_source(spec, taps, i) for taps, i in zip(spec.axes, (z, oy, ox)))
    verb = "averages input" if spec.mode == "area" else "from source"
    return f"output ({z}, {oy}, {ox}) {verb} ({where}) · step {step + 1}/{steps}{' of this part' if part else ''}"


def _plane(spec: Any, region: Optional[Region]) -> tuple[AxisTaps, AxisTaps, Region, Region]:
    """The rows' and columns' reads, the part of each output slice drawn and the input it reads."""
    rows, cols = spec.axes[1], spec.axes[2]
    part = Region.of(region, (rows.size, cols.size))
    return rows, cols, part, read_region(rows, cols, part, tuple(spec.input_shape[2:]), "nothing")


def upsample_depth_geometries(spec: Any, region: Optional[Region], notes: list[str]) -> list[Geometry]:
    """One picture per output depth slice, in order (``notes``: what every picture says first)."""
    rows, cols, part, read = _plane(spec, region)
    c, (h, w), (ho, wo) = spec.in_channels, spec.input_shape[2:], spec.output_shape[2:]
    cut = region is not None and region.cuts((ho, wo))
    common = [*notes, *rule_notes(spec)]
    picture_part = None
    if cut:
        picture_part = Part(Crop((h, w), (read.rows[0], read.cols[0])), Crop((ho, wo), (part.rows[0], part.cols[0])))
        common.append(part_note(2, part, (ho, wo), read, (h, w), "the input", "they read"))
    y_chars = len(f"y[{c - 1}, {spec.output_shape[1] - 1}, {ho - 1}, {wo - 1}]")
    steps = math.prod(part.size)
    geometries = []
    for z in range(spec.output_shape[1]):
        depths = depths_of(spec, z)
        k = len(depths)
        taps = len(depth_reads(spec, z)), rows.index.shape[1], cols.index.shape[1]

        def sum_chars(chars: int, drawn: tuple, taps: tuple = taps) -> int:
            term = 6 + 1 + chars + 3  # "0.0703·" and the value, " + "
            entry = y_chars + 3 + taps[0] * (6 + 4 + taps[1] * (6 + 4 + taps[2] * term)) + 3 + 6
            return entry  # a channel's

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
                input_heading="input, part" if cut and read.cuts((h, w)) else "input",  # "part" where cut
                output_heading="output, part" if cut else "output",
                part=picture_part,
                kernel_label=lambda i, j: "",
                blame=lambda axis: ("input_shape", spec.input_shape, "input"),
                notes=(*common, depth_note(spec, z)),
                input_label=lambda i, depths=depths, k=k: f"x[{i // k}, {depths[i % k]}]",
                output_label=lambda co, z=z: f"y[{co}, {z}]",
                inputs_word="input slices",
                numbers=True,
                columns_take_turns=False,
                sum_chars=sum_chars,
                sum_each_group=True,
                value_chars=max(PIXEL_CHARS, 4),
            )
        )
    widest = [_widest(spec, z, part) for z in range(len(geometries))]
    return longest_of_part(
        geometries, lambda z, step, total, part: _step_text(spec, z, *widest[z], step, total, part), cut
    )


def _widest(spec: Any, z: int, part: Region) -> tuple[int, int]:
    """The output position of ``part`` in depth slice ``z`` whose step line is the longest: a
    row's source follows its row alone and a column's its column, so the widest row's widest."""

    def chars(oy: int, ox: int) -> int:
        return len(_step_text(spec, z, oy, ox, 0, 1, False))

    oy = max(range(*part.rows), key=lambda y: chars(y, part.cols[0]))
    return oy, max(range(*part.cols), key=lambda x: chars(oy, x))


def upsample_depth_drawings(
    spec: Any, recording: Any, geometries: list[Geometry], pixels: bool = False, region: Optional[Region] = None
) -> list[Drawn]:
    """The recorded pictures of :func:`upsample_depth_geometries`, one per output depth slice."""
    rows, cols, part, read = _plane(spec, region)
    x, c = recording.input, spec.in_channels
    positions = [(y, x_) for y in range(*part.rows) for x_ in range(*part.cols)]
    drawn = []
    for z, (geometry, count) in enumerate(zip(geometries, counts(geometries))):
        depths = depths_of(spec, z)
        grid = x[:, depths, slice(*read.rows), slice(*read.cols)].reshape(c * len(depths), *read.size)
        output = at_depth(recording.output, z)
        shown = output[:, slice(*part.rows), slice(*part.cols)]
        cut = draws_part(geometry, part, spec.output_shape[2:])  # the steps are a part's
        playback = DepthResamplePlayback(spec, x, output, z, positions, part, read, cut, count)
        drawn.append(
            Drawn(
                geometry=geometry,
                grid=grid,
                filler=np.zeros(read.size, dtype=bool),
                kernels=None,
                output=shown,
                playback=playback,
                value_chars=widest(grid, shown),
                pixels=pixels,
            )
        )
    return drawn


class DepthResamplePlayback(CellPlayback):
    """Steps of output depth slice ``z``: one output position (row, column) a step, every
    channel at once, the cells it reads ringed on each input slice drawn."""

    def __init__(
        self,
        spec: Any,
        x: np.ndarray,
        output: np.ndarray,
        z: int,
        positions: list[tuple[int, int]],
        part: Region,
        read: Region,
        cut: bool = False,
        count: Count = ALONE,
    ) -> None:
        rows, cols = spec.axes[1], spec.axes[2]
        self.spec, self.z, self.depths = spec, z, depths_of(spec, z)

        def cells(oy: int, ox: int) -> list[tuple[int, int]]:
            return [(j, i) for j, _ in rows.reads(oy) for i, _ in cols.reads(ox)]

        def text(step: int, oy: int, ox: int) -> str:
            return _step_text(spec, z, oy, ox, *count.at(step, len(positions)), cut)

        def entry(ch: int, oy: int, ox: int) -> str:
            return sum_entry(spec, x, ch, z, oy, ox, output[ch, oy, ox])

        super().__init__(output, positions, cells, text, entry, part, read)

    def show(self, step: int) -> Step:
        oy, ox = self.positions[step]
        drawn = [(y - self.read.rows[0], x - self.read.cols[0]) for y, x in dict.fromkeys(self.cells(oy, ox))]
        ys, xs = [y for y, _ in drawn], [x for _, x in drawn]
        box = (min(ys), min(xs), max(ys) + 1, max(xs) + 1)
        k = len(self.depths)

        def reads(c: int) -> Reads:
            cells = [[c * k + s, y, x] for s in range(k) for y, x in drawn]
            return Reads(np.array(cells, dtype=np.int64).reshape(-1, 3), box)

        channels = self.output.shape[0]
        sums = tuple(self.entry(c, oy, ox) for c in range(channels))
        return Step(0, LazyReads(reads), self.advance(step), self.text(step, oy, ox), sums, tuple(range(channels)))


# -- ChannelShuffle ----------------------------------------------------------------------------


def shuffle_plane(spec: Any) -> Any:
    """The 2-D channel shuffle every depth slice of ``spec`` is: (C, H, W), the same groups."""
    c, _, h, w = spec.input_shape
    return type(spec)((c, h, w), spec.groups)


def shuffle_depth_geometries(op: Any, spec: Any, region: Optional[Region] = None) -> list[Geometry]:
    """One picture per depth slice, each the 2-D shuffle's with the slice's labels."""
    flat = shuffle_plane(spec)
    try:
        (planar,) = op.geometries(flat, region)
    except SpecError as error:  # say it of the layer given, not of its slice
        raise SpecError(error.argument, str(error).replace(str(flat.input_shape), str(spec.input_shape))) from None
    c, g, depth = spec.in_channels, spec.groups, spec.input_shape[1]
    last = f"depth {depth - 1}: output channel {c - 1} copies input channel {c - 1} · group {g - 1}, its channel "
    pictures = [
        dataclasses.replace(
            planar,
            layer=spec,
            caption=spec.caption,
            notes=(
                *planar.notes,
                f"depth {z} ({depth_range(depth)}): y[:, {z}] is the channel shuffle of x[:, {z}]",
            ),
            input_label=lambda ch, z=z: f"x[{ch}, {z}]",
            output_label=lambda co, z=z: f"y[{co}, {z}]",
            inputs_word="input slices",
            blame=lambda axis: ("input_shape", spec.input_shape, "input"),
        )
        for z in range(depth)
    ]
    return longest(pictures, lambda z, total: f"{last}{c // g - 1} · step {total}/{total}")


def shuffle_depth_drawings(
    op: Any,
    spec: Any,
    recording: Any,
    geometries: list[Geometry],
    pixels: bool = False,
    region: Optional[Region] = None,
) -> list[Drawn]:
    """The recorded pictures of :func:`shuffle_depth_geometries`, one per depth slice."""
    flat = shuffle_plane(spec)
    drawn = []
    for z, (geometry, count) in enumerate(zip(geometries, counts(geometries))):
        x, y = (at_depth(a, z) for a in (recording.input, recording.output))
        (picture,) = op.drawings(flat, type(recording)(flat, x, y), pixels, region, geometries=[geometry])
        drawn.append(dataclasses.replace(picture, playback=SliceShufflePlayback(picture.playback, z, count)))
    return drawn


class SliceShufflePlayback:
    """The 2-D shuffle's steps on depth slice ``z``: its lines name the slice, its steps counted
    through every slice (``count``)."""

    def __init__(self, plane: Any, z: int, count: Count) -> None:
        self.plane, self.z, self.count = plane, z, count

    def advance(self, step: int) -> list:
        return self.plane.advance(step)

    def show(self, step: int) -> Step:
        shown = self.plane.show(step)
        source = int(self.plane.spec.sources[step])
        where = shown.sums[0].partition(f"y[{step}] = x[{source}]")[2]  # ", the part drawn" or nothing
        sums = (f"y[{step}, {self.z}] = x[{source}, {self.z}]{where}",)
        text = f"depth {self.z}: {copy_text(self.plane.spec, step, self.count)}"
        return dataclasses.replace(shown, text=text, sums=sums)
