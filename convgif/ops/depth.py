"""A Conv3d drawn as its depth slices, one picture per output depth slice.

Output depth slice z of a Conv3d is a 2-D convolution: its input channels are the pairs
(channel c, input depth d) it reads, d = z·S − P + dz·D for each kernel depth dz, and its
kernels the weight's depth slices w[co, c, dz]. Each picture draws that convolution over the
slices read (a slice of the depth padding drawn as padding), its output labelled y[co, z], under
the 3-D layer's caption; the values are the 3-D recording's.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Optional

import numpy as np

from ..engine.direct import Placements, Recording, pad_input, source_index
from ..engine.part import PartArray
from ..picture.model import Drawn, Geometry, Region
from .depth_steps import counts, depth_range, longest_of_part, slice_title
from .sliding import (
    COPIES_NAMES,
    ConvPlayback,
    conv_drawn,
    conv_entry_chars,
    conv_geometry,
    conv_step_text,
    not_drawn,
    position,
)

#: numpy's names of the padding modes that copy input cells.
NUMPY_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def plane(spec: Any) -> Any:
    """The Conv2d each output depth slice of ``spec`` is (see ``Conv3dSpec.plane``)."""
    return spec.plane()


def depths_read(spec: Any, z: int) -> list[int]:
    """The input depths output depth slice ``z`` reads, one per kernel depth dz (outside
    0..D − 1: a slice of the padding)."""
    return [z * spec.stride[0] - spec.padding[0] + dz * spec.dilation[0] for dz in range(spec.kernel_size[0])]


def source(spec: Any, d: int) -> Optional[int]:
    """The input depth slice the (possibly padding) depth ``d`` holds: ``d`` itself inside the
    input, the slice a copying padding mode repeats there, or None for zeros."""
    depth = spec.input_shape[1]
    if 0 <= d < depth:
        return d
    if spec.padding_mode == "zeros":
        return None
    before, after = max(spec.padding[0], 0), max(spec.padding_end[0], 0)
    index = np.pad(np.arange(depth), (before, after), mode=NUMPY_MODES[spec.padding_mode])  # type: ignore[call-overload]
    return int(index[d + before])


def depth_note(spec: Any, z: int) -> str:
    """Which output depth slice the picture draws and the input depths it reads."""
    depths = depths_read(spec, z)
    outside = [d for d in depths if not 0 <= d < spec.input_shape[1]]
    kinds = "padding" if spec.padding_mode == "zeros" else f"padding ({spec.padding_mode} copies)"
    padding = f"; depth{'s' * (len(outside) > 1)} {', '.join(map(str, outside))}: {kinds}" if outside else ""
    s, p, d = spec.stride[0], spec.padding[0], spec.dilation[0]
    kds = "0" if spec.kernel_size[0] == 1 else f"0..{spec.kernel_size[0] - 1}"
    return (
        f"depth {z} ({depth_range(spec.output_shape[1])}): y[:, {z}] reads x[:, d], d = {z}·{s} − {p} + dz·{d} = "
        f"{', '.join(map(str, depths))} for dz = {kds}{padding}"
    )


def depth_geometry(spec: Any, z: int, region: Optional[Region] = None, planar: Any = None) -> Geometry:
    """The picture of output depth slice ``z``: the plane's convolution (``planar``, made once
    for all slices when given), labelled as the 3-D layer."""
    planar = plane(spec) if planar is None else planar
    kd, depths = spec.kernel_size[0], depths_read(spec, z)
    per_in, per_out = planar.in_per_group, spec.out_per_group
    _, _, ho, wo = spec.output_shape
    y_last = f"y[{position(2, spec.out_channels - 1, ho - 1, wo - 1, depth=z)[1:-1]}]"

    def kernel_label(c: int, j: int) -> str:
        pair, dz = divmod(c, kd)
        return f"w[{c // per_in * per_out + j},{pair % spec.in_per_group},{dz}]"

    def input_label(c: int) -> str:
        return slice_title("x", c // kd, depths[c % kd], spec.input_shape[1])

    geometry = conv_geometry(
        planar,
        spec.caption,
        2,
        (depth_note(spec, z),),
        region,
        kernel_label=kernel_label,
        input_label=input_label,
        output_label=lambda co: f"y[{co}, {z}]",
        inputs_word="input slices",
        sum_chars=lambda chars, drawn: conv_entry_chars(planar, len(y_last), chars, drawn),
        sum_each_group=True,
        blame=lambda axis: ("input_shape", spec.input_shape, "input"),
    )
    heading = geometry.input_heading
    if any(not 0 <= d < spec.input_shape[1] for d in depths) and "padded" not in heading:
        heading = heading.replace("(", "(padded, ", 1) if "(" in heading else heading.replace("input", "input (padded)")
    # the layer the render computes is the 3-D one: its size decides whether a part is recorded alone
    return dataclasses.replace(geometry, input_heading=heading, layer=spec)


def depth_geometries(spec: Any, region: Optional[Region] = None) -> list[Geometry]:
    """One picture per output depth slice, in order, their steps counted through them all."""
    planar = plane(spec)
    _, _, ho, wo = spec.output_shape
    per = spec.out_per_group
    geometries = [depth_geometry(spec, z, region, planar) for z in range(spec.output_shape[1])]
    oy, ox = (ho - 1, wo - 1) if region is None else (region.rows[1] - 1, region.cols[1] - 1)

    def line(z: int, step: int, total: int, part: bool) -> str:
        """The longest of the lines with the first 1 to 6 groups drawn (the others named)."""
        return max(
            (
                conv_step_text(
                    [g * per + per - 1 for g in range(k)],
                    2,
                    oy,
                    ox,
                    step,
                    total,
                    part,
                    z,
                    not_drawn(spec, range(k), per - 1),
                )
                for k in range(1, min(spec.groups, 6) + 1)
            ),
            key=len,
        )

    # counted of this part as conv_part counts: a part of the maps, or channels left out
    return longest_of_part(geometries, line, any(g.part is not None for g in geometries))


def slice_recording(recording: Recording, z: int, planar: Any = None) -> tuple[Recording, np.ndarray]:
    """Output depth slice ``z`` of a Conv3d's recording as its plane's recording (of
    ``planar``, made once for all slices when given), the output the 3-D layer's own; and
    which of its input channels are padding slices."""
    spec = recording.spec
    if isinstance(recording.output, PartArray):
        return _slice_part(recording, z)
    planar = plane(spec) if planar is None else planar
    _, _, h, w = spec.input_shape
    channels, padding = [], []
    for c in range(spec.in_channels):
        for d in depths_read(spec, z):
            held = source(spec, d)
            channels.append(np.zeros((h, w), recording.input.dtype) if held is None else recording.input[c, held])
            padding.append(not 0 <= d < spec.input_shape[1])
    weight = recording.weight.reshape(len(recording.weight), planar.in_per_group, *planar.kernel_size)
    planes = np.stack(channels)
    output = np.ascontiguousarray(recording.output[:, z])  # the 3-D layer's own values
    rec = Recording(
        planar,
        planes,
        pad_input(planar, planes),
        weight,
        recording.bias,
        output,
        Placements(planar, output),
        recording.kept,
        recording.weight_values,
    )
    return rec, np.array(padding)


def _slice_part(recording: Recording, z: int) -> tuple[Recording, np.ndarray]:
    """:func:`slice_recording` of a part recorded alone (``convgif.engine.direct.record_part``,
    every output depth, some rows and columns): the plane's padded input, output and input are
    parts too, each cell the 3-D part's, and its kernels those kept."""
    spec = recording.spec
    planar = plane(spec)
    padded, output, x = recording.padded, recording.output, recording.input
    depths = depths_read(spec, z)
    (_, rows, cols), held = padded.start[1:], padded.values.shape[2:]
    kd, channels = len(depths), spec.in_channels * len(depths)
    at = [d + spec.padding[0] for d in depths]  # the depths read, in padded coordinates
    padded[:, min(at) : max(at) + 1, rows : rows + held[0], cols : cols + held[1]]  # held, or IndexError
    planes = padded.values[:, np.array(at) - padded.start[1]].reshape(channels, *held)
    padding = np.array([not 0 <= d < spec.input_shape[1] for d in depths] * spec.in_channels)
    if isinstance(x, PartArray):
        (top, left), box = x.start[2:], x.values.shape[2:]
    else:  # an input given: the rows and columns the part reads
        real = [
            source_index(spec, axis)[start : start + n] for axis, start, n in ((1, rows, held[0]), (2, cols, held[1]))
        ]
        real = [r[r >= 0] for r in real]
        (top, left), box = (
            (int(r.min()) if r.size else 0 for r in real),
            tuple(int(r.max()) + 1 - int(r.min()) if r.size else 0 for r in real),
        )
    cut = (slice(top, top + box[0]), slice(left, left + box[1]))
    sources = [source(spec, d) for d in depths]
    inputs = np.zeros((spec.in_channels, kd, *box), padded.dtype)
    for i, d in enumerate(sources):  # a depth of zero padding stays zeros
        if d is not None:
            inputs[:, i] = x[(slice(None), d, *cut)]
    inputs = inputs.reshape(channels, *box)
    weight = recording.weight.reshape(len(recording.weight), planar.in_per_group, *planar.kernel_size)
    values = output.values[:, z]
    out = PartArray(planar.output_shape, (0, *output.start[2:]), values)
    rec = Recording(
        planar,
        PartArray(planar.input_shape, (0, top, left), inputs),
        PartArray(planar.padded_shape, (0, rows, cols), planes),
        weight,
        recording.bias,
        out,
        Placements(planar, out),
        recording.kept,
        recording.weight_values,
    )
    return rec, padding


def slices_span(spec: Any, z: int) -> Callable[[int, int], str]:
    """Input slices first..last of depth picture ``z`` as a sum line indexes them (inside
    ``x[…]``): ``0, 1`` or ``0, 1..3``, or ``0, 1]..x[1, 3`` from one channel to another."""
    kd, depths = spec.kernel_size[0], depths_read(spec, z)

    def span(first: int, last: int) -> str:
        (c0, a), (c1, b) = divmod(first, kd), divmod(last, kd)
        if first == last:
            return f"{c0}, {depths[a]}"
        if c0 == c1:
            return f"{c0}, {depths[a]}..{depths[b]}"
        return f"{c0}, {depths[a]}]..x[{c1}, {depths[b]}"

    return span


def depth_drawings(
    spec: Any, recording: Recording, geometries: list[Geometry], pixels: bool = False, region: Optional[Region] = None
) -> list[Drawn]:
    """The recorded pictures of the depth slices (``geometries`` from :func:`depth_geometries`)."""
    drawn, planar = [], plane(spec)
    for z, (geometry, count) in enumerate(zip(geometries, counts(geometries))):
        rec, padding = slice_recording(recording, z, planar)
        picture = conv_drawn(rec, geometry, pixels, region=region)
        filler = picture.filler | padding[:, None, None]  # a padding slice is padding throughout
        drawn.append(
            dataclasses.replace(
                picture,
                filler=filler,
                copies=spec.padding_mode != "zeros",
                copies_name=COPIES_NAMES.get(spec.padding_mode, ""),
                playback=ConvPlayback(rec, geometry, region, depth=z, span=slices_span(spec, z), count=count),
            )
        )
    return drawn
