"""The backward pass of a three-axis Upsample and a three-axis ChannelShuffle, drawn one output
depth slice at a time.

* **ChannelShuffle**: depth slice z of dx is the 2-D channel un-shuffle of dy's slice z, drawn
  as the 2-D backward picture is (one dx channel a step, its line aslant from the dy channel it
  copies), its grids labelled dy[j, z] and dx[c, z].
* **Upsample**: each input cell gathers ``w · dy`` over the output cells that read it. One
  picture per (output depth z, input depth d) that z read (:func:`upsample_order`): dy[:, z]
  drawn on the left, dx[:, d] filling up on the right, one input position (row, column) a step,
  every channel at once (:func:`convgif.ops.backward_depth_moves.slice_geometries`). A nearest
  output slice copies one input slice; a trilinear one reads two, each with its depth weight, so
  its dy goes back to both, in two pictures; an area one averages those it covers. Each term's
  weight is the depth's weight times the row's and the column's; an input slice that several
  output slices read adds up picture after picture, each sum line writing what dx held.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np

from ..errors import SpecError
from ..picture.model import Drawn, Geometry, Step
from ..picture.numbers import significant
from .backward_depth_moves import Order, slice_drawings, slice_geometries
from .depth_steps import Count, counts, depth_range, longest
from .resample_depth import depth_reads, depth_source, depths_of, shuffle_plane
from .shuffle_picture import copy_back_text

# -- ChannelShuffle ----------------------------------------------------------------------------


def shuffle_backward_geometries(op: Any, spec: Any) -> list[Geometry]:
    """One picture per depth slice, each the 2-D shuffle's backward picture with the slice's labels."""
    flat = shuffle_plane(spec)
    try:
        (planar,) = op.backward_geometries(flat)
    except SpecError as error:  # say it of the layer given, not of its slice
        raise SpecError(error.argument, str(error).replace(str(flat.input_shape), str(spec.input_shape))) from None
    c, depth = spec.in_channels, spec.input_shape[1]
    pictures = [
        dataclasses.replace(
            planar,
            layer=spec,
            caption=spec.caption,
            notes=(
                *planar.notes,
                f"depth {z} ({depth_range(depth)}): dx[:, {z}] is the channel un-shuffle of dy[:, {z}]",
            ),
            input_label=lambda ch, z=z: f"dy[{ch}, {z}]",
            output_label=lambda co, z=z: f"dx[{co}, {z}]",
            inputs_word="dy slices",
            blame=lambda axis: ("input_shape", spec.input_shape, "input"),
        )
        for z in range(depth)
    ]
    return longest(
        pictures, lambda z, total: f"depth {depth - 1}: dx[{c - 1}] copies dy[{c - 1}] · step {total}/{total}"
    )


def shuffle_backward_drawings(op: Any, spec: Any, recording: Any, geometries: list[Geometry]) -> list[Drawn]:
    """The recorded pictures of :func:`shuffle_backward_geometries`, one per depth slice."""
    from ..engine.backward import Gradients
    from .backward import BackwardRecording

    flat = shuffle_plane(spec)
    dy_all, dx_all = np.asarray(recording.grad_output), np.asarray(recording.grad_input)
    drawn = []
    for z, (geometry, count) in enumerate(zip(geometries, counts(geometries))):
        dy, dx = (np.ascontiguousarray(a[:, z]) for a in (dy_all, dx_all))
        plane = BackwardRecording(None, dy, Gradients(dx))
        (picture,) = op.backward_drawings(flat, plane, geometries=[geometry])
        drawn.append(dataclasses.replace(picture, playback=SliceUnshufflePlayback(picture.playback, flat, z, count)))
    return drawn


class SliceUnshufflePlayback:
    """The 2-D shuffle's backward steps on depth slice ``z`` (of ``spec``, the 2-D shuffle): its
    lines name the slice, its steps counted through every slice (``count``)."""

    def __init__(self, plane: Any, spec: Any, z: int, count: Count) -> None:
        self.plane, self.spec, self.z, self.count = plane, spec, z, count
        self.destination = {int(s): j for j, s in enumerate(spec.sources)}

    def advance(self, step: int) -> list:
        return self.plane.advance(step)

    def show(self, step: int) -> Step:
        shown = self.plane.show(step)
        j = self.destination[step]
        sums = (f"dx[{step}, {self.z}] = dy[{j}, {self.z}]",)
        text = f"depth {self.z}: {copy_back_text(self.spec, step, j, self.count)}"
        return dataclasses.replace(shown, text=text, sums=sums)


# -- Upsample ----------------------------------------------------------------------------------


def upsample_order(spec: Any) -> Order:
    """The pictures: per output depth z, in order, one per input depth d it read (its dy goes
    back to dx[:, d]), then the input depths no output slice read (their dx 0), those before the
    first depth read first."""
    pairs = [(z, d) for z in range(spec.output_shape[1]) for d in depths_of(spec, z)]
    kept = {d for _, d in pairs}
    first = min(kept, default=spec.input_shape[1])
    unread = [d for d in range(spec.input_shape[1]) if d not in kept]
    return [*((None, d) for d in unread if d < first), *pairs, *((None, d) for d in unread if d > first)]


def _weight(value: float) -> str:
    return significant(value, 4).replace("-", "−")


def _depth_line(spec: Any, z: int, d: int, earlier: list[int]) -> str:
    """What picture (z, d) gathers: output slice z's dy, back to dx[:, d], with z's depth weight."""
    d_out = spec.output_shape[1]
    weights = [w for depth, w in depth_reads(spec, z) if depth == d]
    head = f"depth {z} ({depth_range(d_out)}): "
    if spec.mode in ("nearest", "nearest-exact"):
        line = f"{head}y[:, {z}] copied its cells from x[:, {d}], so dy[:, {z}] goes back to dx[:, {d}]"
    else:
        verb = "averaged" if spec.mode == "area" else "read"
        weight = " + ".join(map(_weight, weights))
        times = "" if weight == "1" else f"{weight} · "
        line = (
            f"{head}y[:, {z}] {verb} x[:, {d}] with depth weight {weight}, so dy[:, {z}] goes back to dx[:, {d}], "
            f"each term's weight is {times}the row's · the column's"
        )
    if earlier:
        line += f", adding to what depth{'s' * (len(earlier) > 1)} {', '.join(map(str, earlier))} sent it"
    return f"{line}; {depth_source(spec, z)}"


def upsample_backward_geometries(spec: Any, note: str) -> list[Geometry]:
    """One gather picture per (output depth, input depth it read), one step of zeros per input
    slice no output slice read (``note``: what every picture says first, the 2-D backward note)."""
    from .backward_depth_moves import depth_note

    taps = 1
    for n, m, axis in zip(spec.input_shape[2:], spec.output_shape[2:], spec.axes[1:]):
        taps *= max(1, -(-m // n)) * axis.index.shape[1]

    def notes(z: Optional[int], d: int, earlier: list[int]) -> tuple[str, ...]:
        if z is None:
            return (note, depth_note(spec.input_shape[1], d, [], ""))
        return (note, _depth_line(spec, z, d, earlier))

    weighed = spec.mode not in ("nearest", "nearest-exact")
    return slice_geometries(spec, upsample_order(spec), notes, terms=min(taps, 16), weighed=weighed)


def upsample_backward_drawings(spec: Any, recording: Any, links: Any, geometries: list[Geometry]) -> list[Drawn]:
    """The recorded pictures of :func:`upsample_backward_geometries`."""
    return slice_drawings(geometries, recording, links, upsample_order(spec))
