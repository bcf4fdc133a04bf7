"""A three-axis padding drawn one output depth slice at a time.

Output depth slice z of a 3-D pad copies one input depth slice d, chosen on the depth axis by
the mode as every other axis (reflect, replicate, circular; a negative amount crops), or, for a
zero or constant pad, may lie in the depth padding and hold the constant throughout. A copying
slice is the 2-D pad of x[:, d] by the rows' and columns' amounts, drawn as that layer is, its
grids labelled x[c, d] and y[c, z]; a constant slice is drawn as one step filling it. The values
are the 3-D recording's.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from ..engine.part import PartArray
from ..picture.model import Crop, Drawn, Geometry, LazyReads, Part, Reads, Region, Step, Writes
from ..picture.numbers import format_value, widest
from .depth_steps import ALONE, Count, counts, depth_range, longest_of_part, slice_title
from .gathered import CellPlayback
from .gathered_part import at_depth
from .sliding import draws_part

#: The (front, back) pair of the depth axis among (C, D, H, W)'s pads.
DEPTH = 1


def plane(spec: Any) -> Any:
    """The 2-D pad every copying depth slice of ``spec`` is: the same mode, the rows' and
    columns' amounts, on one depth slice (C, H, W)."""
    (top, bottom), (left, right) = spec.pads[2], spec.pads[3]
    kind = op_of(spec).plane_op.spec_type
    extra = {"value": spec.value} if hasattr(spec, "value") else {}
    c, _, h, w = spec.input_shape
    return kind((c, h, w), (left, right, top, bottom), **extra)


def op_of(spec: Any) -> Any:
    """The registered operation of ``spec``'s kind."""
    from . import of

    return of(spec)


def source(spec: Any, z: int) -> int:
    """The input depth output depth slice ``z`` copies (-1: the constant)."""
    return int(spec.axes[DEPTH].index[z, 0])


def depth_note(spec: Any, z: int) -> str:
    """Which output depth slice the picture draws and what it holds."""
    d, total = source(spec, z), spec.output_shape[1]
    if d < 0:
        return f"depth {z} ({depth_range(total)}): holds the constant {format_value(spec.fill)} (depth padding)"
    return f"depth {z} ({depth_range(total)}): copies x[:, {d}]"


def _position(z: int, y: int, x: int) -> str:
    return f"({z}, {y}, {x})"


def _counted(step: int, steps: int, part: bool) -> str:
    """The step among the ``steps`` drawn (``of this part`` when they are those of a part of the
    output, or some channels are left out)."""
    return f"step {step + 1}/{steps}{' of this part' if part else ''}"


def _step_text(z: int, oy: int, ox: int, d: int, sy: int, sx: int, step: int, steps: int, part: bool) -> str:
    return f"output {_position(z, oy, ox)} copies input {_position(d, sy, sx)} · {_counted(step, steps, part)}"


def _constant_text(z: int, part: bool, step: int = 0, steps: int = 1) -> str:
    return f"depth {z} holds the constant: every cell · {_counted(step, steps, part)}"


def pad_depth_geometries(op: Any, spec: Any, region: Optional[Region] = None) -> list[Geometry]:
    """One picture per output depth slice, in order."""
    flat = plane(spec)
    copying = any(source(spec, z) >= 0 for z in range(spec.output_shape[1]))
    planar = op.plane_op.geometries(flat, region)[0] if copying else None
    c, h, w = flat.input_shape
    ho, wo = planar.out_size if planar is not None else flat.output_shape[1:]
    at = len(f"y[{c}, {spec.output_shape[1]}, {ho}, {wo}]")  # the widest y[c, z, oy, ox] and x[c, d, iy, ix]
    geometries = []
    for z in range(spec.output_shape[1]):
        d = source(spec, z)
        if d < 0:
            geometries.append(_constant_geometry(spec, flat, z, region))
            continue
        assert planar is not None
        geometries.append(
            dataclasses.replace(
                planar,
                layer=spec,
                caption=spec.caption,
                notes=(*planar.notes, depth_note(spec, z)),
                input_label=lambda c, d=d: f"x[{c}, {d}]",
                output_label=lambda c, z=z: f"y[{c}, {z}]",
                inputs_word="input slices",
                sum_chars=lambda chars, drawn: 2 * at + chars + 6,  # a channel's entry
                blame=lambda axis: ("input_shape", spec.input_shape, "input"),
            )
        )

    (oy, ox), whole = (n - 1 for n in flat.output_shape[1:]), flat.output_shape[1:]
    if region is not None:
        (oy, ox) = region.rows[1] - 1, region.cols[1] - 1

    def last(z: int, step: int, total: int, part: bool) -> str:
        d = source(spec, z)
        if d < 0:
            return _constant_text(z, part, step, total)
        return _step_text(z, oy, ox, d, h - 1, w - 1, step, total, part)

    return longest_of_part(geometries, last, region is not None and region.cuts(whole))  # as draws_part


def _constant_geometry(spec: Any, flat: Any, z: int, region: Optional[Region]) -> Geometry:
    """The picture of a depth slice of the constant: no input cell read, every output cell
    written the constant in one step. Its input grid is the depth padding's plane as the pad
    makes it, the size of the output slice it fills (of the part of it drawn, for a part of the
    output), so that a part of a large layer stays drawable."""
    c = flat.input_shape[0]
    out_size = flat.output_shape[1:]
    part = Region.of(region, out_size)
    cut = region is not None and region.cuts(out_size)
    crop = Crop(out_size, (part.rows[0], part.cols[0]))  # the padding plane's part is the output's
    return Geometry(
        layer=spec,
        caption=spec.caption,
        dims=2,
        in_channels=c,
        out_channels=c,
        groups=c,
        grid=part.size,
        kernel=None,
        out_size=part.size,
        steps_per_column=1,
        part=Part(crop, crop) if cut else None,
        input_heading="input (depth padding)" + (", part" if cut else ""),
        output_heading="output" if region is None or not region.cuts(out_size) else "output, part",
        kernel_label=lambda i, j: "",
        blame=lambda axis: ("input_shape", spec.input_shape, "input"),
        notes=(
            f"a slice of the depth padding: it holds the value {format_value(spec.fill)}, and so does every "
            "output cell of this depth",
            depth_note(spec, z),
        ),
        input_label=lambda ch: slice_title("x", ch, z - spec.pads[DEPTH][0], spec.input_shape[1]),
        output_label=lambda ch: f"y[{ch}, {z}]",
        inputs_word="input slices",
        numbers=True,
        columns_take_turns=False,
        sum_chars=lambda chars, drawn: len(f"y[{c}, {z}, :, :]") + chars + 17,  # a channel's entry
        sum_each_group=True,
        value_chars=max(3, len(format_value(spec.fill))),
    )


def pad_depth_drawings(
    op: Any,
    spec: Any,
    recording: Any,
    geometries: list[Geometry],
    pixels: bool = False,
    region: Optional[Region] = None,
) -> list[Drawn]:
    """The recorded pictures of :func:`pad_depth_geometries`, one per output depth slice."""
    flat = plane(spec)
    drawn = []
    for z, (geometry, count) in enumerate(zip(geometries, counts(geometries))):
        d = source(spec, z)
        output = at_depth(recording.output, z)  # the 3-D layer's own values (of the part recorded)
        if d < 0:
            drawn.append(_constant_drawn(spec, geometry, output, z, pixels, region, count))
            continue
        cut = draws_part(geometry, region, spec.output_shape[2:])
        rec = type(recording)(flat, at_depth(recording.input, d, isinstance(output, PartArray)), output)
        (picture,) = op.plane_op.drawings(flat, rec, pixels, region, geometries=[geometry])
        old = picture.playback
        drawn.append(dataclasses.replace(picture, playback=_slice_playback(old, output, z, d, cut, count)))
    return drawn


def _slice_playback(
    old: CellPlayback, output: np.ndarray, z: int, d: int, part: bool, count: Count = ALONE
) -> CellPlayback:
    """The 2-D pad's steps, their lines naming the depth slices copied from and to (``part``:
    the steps are those of a part; ``count``: where they stand among every slice's)."""
    cells, steps = old.cells, len(old.positions)

    def text(step: int, oy: int, ox: int) -> str:
        ((sy, sx),) = cells(oy, ox)
        return _step_text(z, oy, ox, d, sy, sx, *count.at(step, steps), part)

    def entry(ch: int, oy: int, ox: int) -> str:
        ((sy, sx),) = cells(oy, ox)
        value = format_value(output[ch, oy, ox])
        if sy < 0 or sx < 0:
            return f"y[{ch}, {z}, {oy}, {ox}] = {value} (the constant)"
        return f"y[{ch}, {z}, {oy}, {ox}] = x[{ch}, {d}, {sy}, {sx}] = {value}"

    return CellPlayback(output, old.positions, cells, text, entry, old.part, old.read)


def _constant_drawn(
    spec: Any,
    geometry: Geometry,
    output: np.ndarray,
    z: int,
    pixels: bool,
    region: Optional[Region],
    count: Count = ALONE,
) -> Drawn:
    part = Region.of(region, output.shape[1:])
    shown = output[:, slice(*part.rows), slice(*part.cols)]
    cut = draws_part(geometry, part, spec.output_shape[2:])  # the step is a part's
    fill = spec.fill if output.dtype.kind == "f" else int(spec.fill)
    grid = np.full((output.shape[0], *geometry.grid), fill, dtype=output.dtype)
    return Drawn(
        geometry=geometry,
        grid=grid,
        filler=np.ones(grid.shape, dtype=bool),
        kernels=None,
        output=shown,
        playback=ConstantPlayback(shown, z, cut, count),
        value_chars=widest(grid, shown),
        pixels=pixels,
        filler_text=format_value(spec.fill),  # the key's padding swatch holds the constant, not 0
    )


class ConstantPlayback:
    """The one step of a depth slice of the constant: every output cell written at once."""

    def __init__(self, output: np.ndarray, z: int, part: bool = False, count: Count = ALONE) -> None:
        self.output, self.z, self.part, self.count = output, z, part, count

    def advance(self, step: int) -> list[Writes]:
        c, h, w = self.output.shape
        box = (0, 0, h, w)
        return [Writes(ch, np.arange(h), np.arange(w), self.output[ch], box) for ch in range(c)]

    def show(self, step: int) -> Step:
        channels = self.output.shape[0]
        value = format_value(self.output.flat[0]) if self.output.size else ""

        def reads(c: int) -> Reads:
            return Reads(np.zeros((0, 3), dtype=np.int64), (0, 0, 0, 0))

        sums = tuple(f"y[{c}, {self.z}, :, :] = {value} (the constant)" for c in range(channels))
        return Step(
            0,
            LazyReads(reads),
            self.advance(step),
            _constant_text(self.z, self.part, *self.count.at(0, 1)),
            sums,
            tuple(range(channels)),
        )


def depth_steps(spec: Any) -> int:
    """Steps of all the depth pictures: the plane's per slice copied, one per slice of the constant."""
    copying = sum(source(spec, z) >= 0 for z in range(spec.output_shape[1]))
    return copying * plane(spec).steps + spec.output_shape[1] - copying


# -- the backward pass: one output depth slice at a time ------------------------------------------


def backward_order(spec: Any) -> list:
    """The backward pictures: each output depth slice that copies an input slice, in order (its
    dy gathered into that slice's dx), and the input slices none copies (their dx 0)."""
    from .backward_depth_moves import slice_order

    return slice_order([source(spec, z) for z in range(spec.output_shape[1])], spec.input_shape[1])


def pad_depth_backward_geometries(spec: Any, note: str) -> list[Geometry]:
    """One gather picture per output depth slice that copies (``note``: the 2-D pad's backward
    note), one step of zeros per input slice none copies."""
    from .backward_depth_moves import depth_note, slice_geometries

    d_out, depth = spec.output_shape[1], spec.input_shape[1]
    constant = [z for z in range(d_out) if source(spec, z) < 0]
    nowhere = ()
    if constant:
        many = len(constant) > 1
        nowhere = (
            f"output depth{'s' * many} {', '.join(map(str, constant))} hold{'s' * (not many)} the constant: "
            f"{'their' if many else 'its'} dy goes nowhere",
        )

    def notes(z: Optional[int], d: int, earlier: list[int]) -> tuple[str, ...]:
        if z is None:
            return (note, depth_note(depth, d, [], ""), *nowhere)
        line = f"depth {z} ({depth_range(d_out)}): y[:, {z}] copied x[:, {d}], so dy[:, {z}] goes back to dx[:, {d}]"
        if earlier:
            line += f", adding to what depth{'s' * (len(earlier) > 1)} {', '.join(map(str, earlier))} sent it"
        return (note, line, *nowhere)

    return slice_geometries(spec, backward_order(spec), notes, terms=4)


def pad_depth_backward_drawings(spec: Any, recording: Any, links: Any, geometries: list[Geometry]) -> list[Drawn]:
    """The recorded pictures of :func:`pad_depth_backward_geometries`."""
    from .backward_depth_moves import slice_drawings

    return slice_drawings(geometries, recording, links, backward_order(spec))
