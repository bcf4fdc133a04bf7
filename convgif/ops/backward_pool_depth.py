"""The backward pass of a 3-D pooling, drawn one output depth slice at a time.

The forward pictures (:mod:`convgif.ops.pool_depth`, :mod:`convgif.ops.spans_depth`,
:mod:`convgif.ops.lp_depth`) draw output depth z over the input slices x[c, d] its windows read.
The backward picture of depth z is the 2-D one (:func:`convgif.ops.backward_moves.window_drawn`)
over the same slices: beside each slice x[c, d] the kernel dy[c, z], and dx[c, d] filling up as
each window's dy is routed (a max) or spread (an average, an LP norm) onto the cells it read.
A slice read by windows of several depths z gathers all their gradients: each picture's dx[c, d]
starts from what the pictures before it added (written in its cells from the first frame), and
each sum line writes what its step adds (to one cell: its value before and after). The gradients are the layer's own
:class:`~convgif.engine.backward.Links`, added in their order (torch's).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, Optional

import numpy as np

from ..engine.backward import Links
from ..engine.windows import INPUT
from ..errors import SpecError
from ..picture.model import MAX_SHOWN_IN, Drawn, Geometry, LazyReads, Reads
from ..picture.numbers import format_value
from .backward_moves import Route, window_drawn
from .depth_steps import Count, counts, longest
from .sliding import position

#: The input slices one output depth's picture draws, in order: (channel, input depth) each.
Slices = Sequence[tuple[int, int]]
#: The words a kind adds to a window's entry: (channel, output depth, oy, ox) -> text.
DepthReason = Callable[[int, int, int, int], str]


def slice_label(c: int, d: int, depth: int, what: str = "dx") -> str:
    """``dx[c, d]``, or what a slice of padding has instead (no gradient)."""
    if d < 0 or d >= depth:
        return f"no {what}: padding"
    return f"{what}[{c}, {d}]"


def kept(slices: Slices, depth: int) -> list[int]:
    """Which of a forward picture's ``slices`` its backward picture draws: those of the input
    (padding gets no gradient), or all of them where every one is padding (a window of a dilated
    max that holds no input cell), so that the picture still shows where its dy goes."""
    inside = [i for i, (_, d) in enumerate(slices) if 0 <= d < depth]
    return inside or list(range(len(slices)))


def depth_backward_geometries(
    forward: Sequence[Geometry],
    slices: Sequence[Optional[Slices]],
    in_shape: tuple[int, ...],
    notes: tuple[str, ...],
    terms: int = 1,
    routed: bool = False,
) -> list[Geometry]:
    """The backward pictures of the forward depth pictures ``forward`` (one per output depth
    z), each over the input slices ``slices[z]`` that its forward picture draws (None: known
    once recorded, a fractional pool's), padding left out: a slice a group, ``dy[c, z]`` its
    kernel, ``dx[c, d]`` its output. ``routed``: each window's dy goes to one cell (a max), so
    the sum line has one entry a channel."""
    c, depth, h, w = in_shape
    geometries = []
    for z, (geometry, drawn) in enumerate(zip(forward, slices)):
        chosen = kept(drawn, depth) if drawn else list(range(geometry.in_channels))
        kd = len(chosen) // c
        ho, wo = geometry.out_size
        label = (
            (lambda k, drawn=drawn, chosen=chosen: slice_label(*drawn[chosen[k]], depth))
            if drawn
            else (lambda k, kd=kd: f"dx[{k // kd}]")
        )
        last = f"dx[{c - 1}, {depth - 1}, {h - 2}:{h}, {w - 2}:{w}]"
        entries = (lambda n, kd=kd: -(-n // kd)) if routed else (lambda n: n)
        most = entries(min(c * kd, MAX_SHOWN_IN))
        geometries.append(
            dataclasses.replace(
                geometry,
                in_channels=c * kd,
                out_channels=c * kd,
                groups=c * kd,
                hue_group=lambda g, kd=kd: g // kd,  # a channel's depth slices in its hue, as the forward pass's
                input_label=lambda k, geometry=geometry, chosen=chosen: geometry.input_text(chosen[k]),
                kernel=(ho, wo),
                out_size=(h, w),
                steps_per_column=ho * wo,
                kernel_label=lambda i, j, z=z, kd=kd: f"dy[{i // kd}, {z}]",
                kernel_heading="dy = ∂L/∂y",
                kernel_name="dy",
                kernels_are_values=True,
                output_label=label,
                output_heading="dx = ∂L/∂x",
                output_name="dx",
                notes=(*notes, *_depth_notes(geometry, z)),
                numbers=True,
                columns_take_turns=True,
                channels_shown=None,
                columns_shown=None,
                sum_chars=lambda chars, shown, last=last, entries=entries: (
                    entries(len(shown[2])) * (2 * len(last) + 60 + terms * (chars + 4))
                ),
                sum_lines_most=max(3, 2 * most),
                value_chars=max(geometry.value_chars, 4),
            )
        )

    def last(z: int, total: int) -> str:
        ho, wo = forward[z].out_size
        return f"dy at {position(2, ho - 1, wo - 1, depth=z)} · step {total}/{total}"

    return longest(geometries, last)


def _depth_notes(forward: Geometry, z: int) -> tuple[str, ...]:
    """The forward picture's note on the slices read, and what dx holds when the picture starts."""
    if z == 0:
        return (forward.notes[-1], "dx starts at 0; a slice read again for a later depth goes on from its value here")
    earlier = "depth 0" if z == 1 else f"depths 0–{z - 1}"
    return (forward.notes[-1], f"dx[c, d] goes on from what {earlier} added to it (the values it starts with)")


def depth_backward_drawings(
    geometries: Sequence[Geometry],
    forward: Sequence[Drawn],
    slices: Sequence[Slices],
    links: Links,
    dy: np.ndarray,
    in_shape: tuple[int, ...],
    reason: Optional[DepthReason] = None,
    start: Optional[np.ndarray] = None,
) -> list[Drawn]:
    """The recorded backward pictures: for output depth z, ``links`` (the 3-D layer's, from ``dy``
    (C, D_out, H_out, W_out) to an input of ``in_shape`` (C, D, H, W)) of z's windows, routed onto
    the slices ``slices[z]``; dx starts at ``start`` (zeros unless given, of ``in_shape``) and
    each picture from where the ones before it left it."""
    c, depth, h, w = in_shape
    _, dout, ho, wo = dy.shape
    plane, out_plane = h * w, ho * wo
    out_z = links.out // out_plane % dout
    cell_c, cell_d = links.cell // (depth * plane), links.cell // plane % depth
    terms = links.terms(dy)
    so_far = np.zeros(in_shape, dtype=terms.dtype if terms.size else dy.dtype)
    if start is not None:
        so_far = so_far.astype(np.result_type(so_far, start))
        so_far[...] = start
    drawn = []
    for z, (geometry, picture, every, count) in enumerate(zip(geometries, forward, slices, counts(geometries))):
        chosen = kept(every, depth)
        read = [every[i] for i in chosen]
        kd = len(read) // c
        slot = {pair: k for k, pair in enumerate(read)}
        pick = np.flatnonzero(out_z == z)
        missed = [i for i in pick if (int(cell_c[i]), int(cell_d[i])) not in slot]
        if missed:
            raise _elsewhere(links, missed[0], z, in_shape, dy.shape)
        k = np.array([slot[(int(cell_c[i]), int(cell_d[i]))] for i in pick], dtype=np.int64)
        order = np.argsort(k * out_plane + links.out[pick] % out_plane, kind="stable")
        at = pick[order]
        flat = Links(
            (k * out_plane + links.out[pick] % out_plane)[order],
            (k * plane + links.cell[pick] % plane)[order],
            None if links.factor is None else links.factor[at],
            None if links.divisor is None else links.divisor[at],
        )
        before = np.stack([so_far[ch, d] if 0 <= d < depth else np.zeros((h, w), so_far.dtype) for ch, d in read])
        geometry = dataclasses.replace(
            geometry,
            output_label=lambda i, read=read: slice_label(*read[i], depth),
            input_label=lambda i, label=picture.geometry.input_text, chosen=chosen: label(chosen[i]),
            notes=(*geometry.notes[:-2], picture.geometry.notes[-1], geometry.notes[-1]),
        )
        shown = _slices_of(picture, chosen, len(every) // c)
        step_reason = None if reason is None else (lambda k, out, z=z, read=read: reason(read[k][0], z, *out))

        def route(*args: Any, z: int = z, read: Slices = read, count: Count = count) -> Route:
            return DepthRoute(*args, z=z, slices=read, count=count)

        drawn.append(
            window_drawn(
                geometry, shown, flat, np.repeat(dy[:, z], kd, axis=0), (c * kd, h, w), step_reason, before, route
            )
        )
        np.add.at(so_far.reshape(-1), links.cell[pick], terms[pick])
    return drawn


def _slices_of(picture: Drawn, chosen: list[int], per: int) -> Drawn:
    """The forward picture with only the input slices ``chosen`` (its reads by slice)."""
    pick = np.array(chosen)

    def part(cells: Optional[np.ndarray]) -> Optional[np.ndarray]:
        return cells if cells is None or cells.ndim < 3 else cells[pick]

    return dataclasses.replace(
        picture,
        grid=picture.grid[pick],
        filler=part(picture.filler),
        outside=part(picture.outside),
        playback=SliceReads(picture.playback, chosen, per),
    )


def _elsewhere(links: Links, i: int, z: int, in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> SpecError:
    """The refusal of a max whose window holds no input cell and whose index (torch's, which its
    backward pass follows) names a cell of a depth that window's picture does not draw."""
    c, d, y, x = (int(v) for v in np.unravel_index(links.cell[i], in_shape))
    _, z, oy, ox = (int(v) for v in np.unravel_index(links.out[i], out_shape))
    return SpecError(
        "backward",
        f"the backward pass is not drawn: the window of y[{c}, {z}, {oy}, {ox}] holds no input cell, and torch "
        f"sends its dy to the cell its index names all the same, dx[{c}, {d}, {y}, {x}], of a depth that window does "
        "not read; a smaller padding or dilation leaves no window empty (convgif.record(spec, grad_output=True) "
        "computes the gradients)",
    )


class SliceReads:
    """A forward depth picture's steps read one input slice a group (they read by channel, ``per``
    slices each): slice ``k`` of the backward picture is the forward picture's slice ``chosen[k]``."""

    def __init__(self, forward: Any, chosen: list[int], per: int) -> None:
        self.forward, self.chosen, self.per = forward, chosen, per
        self._shown: tuple[int, Any] = (-1, None)

    def advance(self, step: int) -> list:
        return []

    def show(self, step: int) -> Any:
        if self._shown[0] != step:
            self._shown = (step, self.forward.show(step))
        by_channel = self._shown[1].reads

        def reads(k: int) -> Reads:
            source = self.chosen[k]
            whole = by_channel[source // self.per]
            cells = whole.cells[whole.cells[:, 0] == source]
            cells = np.column_stack([np.full(len(cells), k), cells[:, 1:]]) if len(cells) else cells
            marks = None
            if whole.marks is not None and (whole.marks[:, 0] == source).any():
                marks = np.column_stack([[k], whole.marks[whole.marks[:, 0] == source][:1, 1:]])
            return Reads(cells, whole.box, marks)

        return dataclasses.replace(self._shown[1], reads=LazyReads(reads))


class DepthRoute(Route):
    """A backward depth picture's steps: the 2-D ones over slices, its cells named in 3-D
    (``dy[c, z, oy, ox]``, ``dx[c, d, y, x]``); a channel's entry is written on the slice its dy
    reaches (on each, for an average), "goes nowhere" once where it reaches none."""

    def __init__(self, *args: Any, z: int, slices: Slices, count: Count) -> None:
        super().__init__(*args)
        self.z, self.slices, self.count = z, slices, count
        self.kd = max(len(slices) // max(len(set(c for c, _ in slices)), 1), 1)

    def dy_text(self, k: int, oy: int, ox: int) -> str:
        return f"dy[{self.slices[k][0]}, {self.z}, {oy}, {ox}]"

    def dx_text(self, k: int, y: Any, x: Any) -> str:
        c, d = self.slices[k]
        return f"dx[{c}, {d}, {y}, {x}]"

    def where(self, oy: int, ox: int) -> str:
        return position(2, oy, ox, depth=self.z)

    def said(self, k: int, step: int) -> bool:
        if len(self._cells(k, step)[0]):
            return True
        first = k - k % self.kd
        reached = any(len(self._cells(j, step)[0]) for j in range(first, first + self.kd))
        return not reached and k == first


def pool_reason(recording: Any) -> DepthReason:
    """Why a MaxPool3d's or AvgPool3d's dy goes where it does, when that needs saying: an
    average's divisor, a window with no input cell, or ties (the first of equal largest)."""
    spec = recording.spec
    padding = np.array(spec.padding)

    def reason(c: int, z: int, oy: int, ox: int) -> str:
        placement = recording.placements[int(np.ravel_multi_index((z, oy, ox), recording.output.shape[1:]))]
        if placement.reason is not None:
            _, _, why = placement.reason.partition(": ")
            return f" ({why})" if why else ""
        if placement.winners[c, 0] < 0:
            index = int(placement.indices[c])
            if 0 <= index < recording.input[0].size:
                return f" (the window holds no input cell; torch sends its dy to its index {index} all the same)"
            return f" (the window holds no input cell, and torch's index {index} lies outside the input)"
        inside = placement.cells[placement.kinds == INPUT] - padding
        return _ties(recording.input[(c, *inside.T)], placement.values[c])

    return reason


def span_reason(recording: Any) -> DepthReason:
    """Ties of an AdaptiveMaxPool3d's or FractionalMaxPool3d's windows (the first of equal largest)."""

    def reason(c: int, z: int, oy: int, ox: int) -> str:
        placement = recording.placements[int(np.ravel_multi_index((z, oy, ox), recording.output.shape[1:]))]
        if placement.winners is None or placement.winners[c, 0] < 0:
            return ""
        return _ties(recording.input[(c, *placement.channel_cells(c).T)], placement.values[c])

    return reason


def _ties(values: np.ndarray, largest: Any) -> str:
    ties = int((values == largest).sum())
    return f" (of {ties} equal largest, the first)" if ties > 1 else ""


def lp_reason(recording: Any) -> DepthReason:
    """An LPPool3d's output, which ∂y/∂x = (x / y)^(p − 1) reads."""
    return lambda c, z, oy, ox: f" (y = {format_value(recording.output[c, z, oy, ox])})"


def pool_slices(spec: Any) -> list[list[tuple[int, int]]]:
    """Per output depth, the (channel, depth) slices a MaxPool3d's, AvgPool3d's or (its pooling
    spec's) LPPool3d's picture draws: every channel at each depth its windows cover."""
    from .pool_depth import depths_read

    c = spec.in_channels
    return [[(ch, d) for ch in range(c) for d in depths_read(spec, z)] for z in range(spec.output_shape[1])]


def span_slices(spec: Any, starts: Optional[np.ndarray]) -> list[Optional[list[tuple[int, int]]]]:
    """Per output depth, the (channel, depth) slices an adaptive or fractional 3-D pool's
    picture draws, from the windows' depth ``starts`` ((1 or C, D_out); None: not yet known)."""
    from .spans_depth import depth_count, depths_of

    depths = range(spec.output_shape[1])
    if starts is None:
        return [None for _ in depths]
    return [
        [(c, d) for c in range(spec.in_channels) for d in depths_of(starts, c, z, depth_count(spec, z))] for z in depths
    ]


def pooling_geometries(op: Any, spec: Any, notes: Sequence[str], **view: Any) -> list[Geometry]:
    """A MaxPool3d's or AvgPool3d's backward pictures, one per output depth slice (``op`` the
    kind's operation, ``notes`` its backward notes)."""
    forward = op.geometries(spec, **view)
    notes = (*notes, forward[0].notes[0].split(":")[0])
    return depth_backward_geometries(forward, pool_slices(spec), spec.input_shape, notes, routed=spec.KIND == "max")


def pooling_drawings(op: Any, spec: Any, recording: Any, pixels: bool, geometries: list, **view: Any) -> list[Drawn]:
    """The recorded pictures of :func:`pooling_geometries` (``recording`` the backward one)."""
    rec = recording.forward
    forward = op.drawings(spec, rec, pixels, **view)
    links, dy = op.links(spec, rec), recording.grad_output
    return depth_backward_drawings(geometries, forward, pool_slices(spec), links, dy, rec.input.shape, pool_reason(rec))
