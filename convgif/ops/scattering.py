"""The picture of a transposed convolution: each input cell scatters its value times the
kernel onto a window of the output canvas, the canvas cropped by the padding; the recording it
reads, the part of the canvas a part of the output needs, the picture's geometry, the steps and
their words. Shared by the sliding view, the matrix view (y = Cᵀ·x) and the backward pass."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Optional

import numpy as np

from ..engine.direct import Recording
from ..engine.part import PartArray
from ..engine.scatter import (
    canvas_size,
    canvas_window,
)
from ..errors import SpecError
from ..picture.model import Crop, Geometry, Part, Reads, Region, Step, Writes, reached_from
from ..picture.numbers import format_value, magnitude
from ..picture.sizes import MAX_SHOWN_IN, shown
from .depth_steps import ALONE, Count, channels_cut
from .sliding import channel_span, conv_geometry, position


@dataclass(frozen=True)
class TransposedRecording:
    """The forward pass of a transposed convolution, and the direct convolution equal to it.

    ``input`` (C_in, H, W), ``weight`` in PyTorch's layout (C_in, C_out/G, KH, KW), ``bias``
    (C_out,) or None and ``output`` (C_out, H_out, W_out); ``conv`` records the same output as
    a direct convolution over the zero-inserted, padded input with the flipped kernels.

    A recording made for a render may hold only some kernel columns: then ``columns`` names
    the columns j (of C_out/G) whose kernels ``weight`` holds, (C_in, len(columns), KH, KW),
    ``conv`` holds the kernels of every group's channels of those columns, ``canvas`` the
    canvas at the end (every cell the kernels cover, before padding crops it: see
    :func:`~convgif.engine.scatter.canvas_size`) and ``passes`` the lowest and highest value
    each canvas cell passes through while the sums build up.
    """

    spec: Any
    input: np.ndarray
    weight: np.ndarray
    bias: Optional[np.ndarray]
    output: np.ndarray
    conv: Recording
    columns: Optional[tuple[int, ...]] = None
    passes: Optional[tuple[np.ndarray, np.ndarray]] = None
    canvas: Optional[np.ndarray] = None

    def column(self, j: int) -> int:
        """Where kernel column ``j`` is on ``weight``'s second axis."""
        return j if self.columns is None else self.columns.index(j)

    def span_of(self, region: Optional[Region] = None) -> tuple[Any, Any]:
        """The lowest and highest value the canvas cells (of ``region``, in canvas coordinates)
        pass through, from ``passes`` (what :func:`partial_sum_range` finds step by step)."""
        assert self.passes is not None
        lows, highs = (a if region is None else a[:, slice(*region.rows), slice(*region.cols)] for a in self.passes)
        return lows.min(), highs.max()


def contribution(
    recording: TransposedRecording, group: int, j: int, y: int, x: int
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """What input position (y, x) of a group adds to output channel j of that group: the
    channel, the canvas rows and columns, and the (rows × cols) values added."""
    spec = recording.spec
    rows, cols = canvas_window(spec, y, x)
    channels = slice(group * spec.in_per_group, (group + 1) * spec.in_per_group)
    kernels = recording.weight[channels, recording.column(j)]
    added = np.tensordot(recording.input[channels, y, x], kernels, axes=1)
    return group * spec.out_per_group + j, rows, cols, added


def canvas_region(spec: Any, region: Optional[Region]) -> Region:
    """Output ``region`` on the canvas: shifted by the padding, and reaching the canvas's edge
    on each side where it reaches the output's (so the cells padding crops there are drawn)."""
    size, out = canvas_size(spec), spec.output_shape[1:]
    if region is None:
        return Region((0, size[0]), (0, size[1]))
    spans = []
    for (start, stop), p, n, whole in zip((region.rows, region.cols), spec.padding, out, size):
        spans.append((start + p if start > 0 else 0, stop + p if stop < n else whole))
    return Region(*spans, dims=region.dims)


def cropped(spec: Any, region: Region) -> np.ndarray:
    """Which cells of canvas ``region`` padding crops off: not in the output."""
    (p, q), (ho, wo) = spec.padding, spec.output_shape[1:]
    rows = np.arange(*region.rows)
    cols = np.arange(*region.cols)
    keep = ((rows >= p) & (rows < p + ho))[:, None] & ((cols >= q) & (cols < q + wo))[None, :]
    return ~keep


def scatter_extent(spec: Any, region: Region) -> Region:
    """The input cells whose scattered kernels reach canvas ``region``: all that add into it."""
    return Region(
        *(
            reached_from(start, stop, n, s, 0, range(0, d * size, d))
            for (start, stop), n, s, d, size in zip(
                (region.rows, region.cols), spec.input_shape[1:], spec.stride, spec.dilation, spec.kernel_size
            )
        ),
        dims=region.dims,
    )


def bias_start(spec: Any, bias: Optional[np.ndarray], dtype: Any, region: Optional[Region] = None) -> np.ndarray:
    """Every canvas cell (of ``region``, else all) before any input has scattered into it: its
    channel's bias, or 0."""
    start = np.zeros((spec.out_channels, *Region.of(region, canvas_size(spec)).size), dtype=dtype)
    if bias is not None:
        start += bias[:, None, None]
    return start


def unreached(spec: Any, region: Optional[Region] = None) -> np.ndarray:
    """Which canvas cells (of ``region``, else all) no input cell scatters into: True where none
    does, for every output channel (C, rows, cols). The others hold only the bias until the
    first step that reaches them: drawn empty, "to come", till then."""
    axes = []
    for n, s, d, k in zip(spec.input_shape[1:], spec.stride, spec.dilation, spec.kernel_size):
        hit = np.zeros(canvas_size(spec)[len(axes)], dtype=bool)
        hit[(np.arange(n)[:, None] * s + np.arange(k)[None, :] * d).ravel()] = True
        axes.append(hit)
    on = Region.of(region, canvas_size(spec))
    reached = axes[0][slice(*on.rows), None] & axes[1][None, slice(*on.cols)]
    return np.repeat(~reached[None], spec.out_channels, axis=0)


def partial_sum_range(
    recording: TransposedRecording, region: Optional[Region] = None, read: Optional[Region] = None
) -> tuple[float, float]:
    """The lowest and highest value any canvas cell (of ``region``, read from ``read``) passes
    through while the sums build up."""
    playback = ScatterPlayback(recording, region, read)
    start = playback.sums[:, slice(*playback.region.rows), slice(*playback.region.cols)]
    low, high = start.min(), start.max()
    for step in range(playback.steps):
        for write in playback.advance(step):
            if write.values.size:
                low, high = min(low, write.values.min()), max(high, write.values.max())
    return low, high


class ScatterPlayback:
    """Steps of a transposed convolution: kernel column j, input row, input column; each group
    adds its input cell's values times the kernels into the canvas window they reach (the
    canvas is the output before padding crops it). With ``region`` (of the canvas), the steps
    are those of the input cells ``read`` that reach it, and only the cells in it are drawn."""

    def __init__(
        self,
        recording: TransposedRecording,
        region: Optional[Region] = None,
        read: Optional[Region] = None,
        dims: int = 2,
        depth: Optional[int] = None,
        head: Optional[Any] = None,
        columns: Optional[int] = None,
        channels: Optional[int] = None,
        span: Callable[[int, int], str] = channel_span,
        part: bool = False,
        count: Count = ALONE,
    ) -> None:
        self.recording = recording
        self.count = count  # where its steps stand among those of every depth slice
        #: Whether the picture is a part (of the canvas, or of the channels) even where its steps
        #: are all the layer's: then they are counted ``of this part`` too
        self.part = part
        #: Input channels first..last as a split sum names them (a depth slice's: x[c, d])
        self.span = span
        self.dims = dims  # a ConvTranspose1d is drawn as its ConvTranspose2d over one row
        self.depth = depth  # output depth slice of a ConvTranspose3d drawn one slice at a time
        self.head = head or (lambda co, y, x: scatter_head(self.spec, co, y, x, self.dims))
        self.spec = spec = recording.spec
        _, h, w = spec.input_shape
        self.region = Region.of(region, canvas_size(spec))
        self.read = Region.of(read, (h, w))
        # a part recorded alone sums only the canvas it draws; otherwise, the whole canvas
        alone = isinstance(recording.output, PartArray)
        self._box = self.region if alone else Region.of(None, canvas_size(spec))
        self.sums = bias_start(spec, recording.bias, recording.output.dtype, self._box)
        self._added = np.zeros(self.sums.shape, dtype=bool)  # cells something was added to
        self._last: list[Writes] = []
        self._before: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.steps = spec.out_per_group * math.prod(self.read.size)
        # the steps a render draws, which the step lines count: those of the kernel columns shown
        self.columns = spec.out_per_group if columns is None else columns
        self.shown_steps = self.columns * math.prod(self.read.size)
        # the groups drawn: those of the input channels drawn (as many as the picture shows)
        shown_groups = math.ceil(channels / spec.in_per_group) if channels is not None else MAX_SHOWN_IN
        self._drawn_groups = range(min(spec.groups, shown_groups))
        # the input channels drawn, when fewer than a group sums: the first group's sums then
        # write the drawn channels' products and the others' apart
        self.drawn = channels if channels is not None and channels < spec.in_per_group else None
        self.scale = magnitude(
            recording.output.values if alone else recording.output
        )  # how the output writes its cells

    @property
    def output(self) -> np.ndarray:
        """The layer's output as the sums stand: the canvas with the padding's crop cut off (of a
        playback summing the whole canvas: one of a part recorded alone sums only that part)."""
        (p, q), (ho, wo) = self.spec.padding, self.spec.output_shape[1:]
        return self.sums[:, p : p + ho, q : q + wo]

    def _index(self, step: int) -> tuple[int, int, int]:
        """(column, input row, input column) of a step, in the layer's own coordinates."""
        h, w = self.read.size
        j, rest = divmod(step, h * w)
        y, x = divmod(rest, w)
        return j, y + self.read.rows[0], x + self.read.cols[0]

    def advance(self, step: int) -> list[Writes]:
        j, y, x = self._index(step)
        (r0, r1), (c0, c1) = self.region.rows, self.region.cols
        (b0, b1), (d0, d1) = self._box.rows, self._box.cols  # the canvas summed
        writes, self._before = [], []
        for g in range(self.spec.groups):
            co, rows, cols, added = contribution(self.recording, g, j, y, x)
            held_r, held_c = (rows >= b0) & (rows < b1), (cols >= d0) & (cols < d1)
            rows, cols, added = rows[held_r], cols[held_c], added[np.ix_(held_r, held_c)]
            window = np.ix_(rows - b0, cols - d0)
            before, first = self.sums[co][window].copy(), ~self._added[co][window]
            self.sums[co][window] += added
            self._added[co][window] = True
            keep_r, keep_c = (rows >= r0) & (rows < r1), (cols >= c0) & (cols < c1)  # the part drawn
            inside = np.ix_(keep_r, keep_c)
            part = None
            if g == 0 and self.drawn is not None:
                shown = self.recording.input[: self.drawn, y, x]
                kernels = self.recording.weight[: self.drawn, self.recording.column(j)]
                part = np.tensordot(shown, kernels, axes=1)[np.ix_(held_r, held_c)][inside]
            self._before.append((before[inside], added[inside], first[inside], part))
            rows, cols = rows[keep_r] - r0, cols[keep_c] - c0
            box = (
                (int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1) if rows.size and cols.size else None
            )
            writes.append(Writes(co, rows, cols, self.sums[co][np.ix_(rows + r0 - b0, cols + c0 - d0)], box))
        self._last = writes
        return writes

    def show(self, step: int) -> Step:
        spec = self.spec
        j, y, x = self._index(step)
        per = spec.in_per_group
        dy, dx = y - self.read.rows[0], x - self.read.cols[0]  # as drawn

        def reads(group: int) -> Reads:
            cells = np.array([(c, dy, dx) for c in range(group * per, (group + 1) * per)])
            return Reads(cells, (dy, dx, dy + 1, dx + 1))

        channels = [g * spec.out_per_group + j for g in self._drawn_groups]
        part = self.part or self.shown_steps < spec.steps
        text = scatter_step_text(channels, y, x, *self.count.at(step, self.shown_steps), part, self.dims)
        if self.depth is not None:
            text = f"depth {self.depth} · {text}"
        sums: list[str] = []
        owners: list[Optional[int]] = []
        (p, q), (ho, wo) = spec.padding, spec.output_shape[1:]
        r0, c0 = self.region.rows[0], self.region.cols[0]
        for write, (before, added, first, part) in zip(self._last, self._before):
            sums.append(self.head(write.channel, y, x))
            owners.append(write.channel)
            if not (write.rows.size and write.cols.size):
                sums[-1] += "  (outside the part drawn)"
                continue
            for (i, r), (k, c) in itertools.product(enumerate(write.rows), enumerate(write.cols)):
                oy, ox = r + r0 - p, c + c0 - q  # in the output, or cropped off it
                if 0 <= oy < ho and 0 <= ox < wo:
                    at = position(self.dims, int(write.channel), int(oy), int(ox), depth=self.depth)[1:-1]
                    mine = None if part is None else part[i, k]
                    sums.append(self._entry(f"y[{at}]", before[i, k], added[i, k], first[i, k], mine))
                    owners.append(write.channel)
        return Step(j, {g: reads(g) for g in range(spec.groups)}, self._last, text, tuple(sums), tuple(owners))

    def _entry(self, y: str, before: Any, added: Any, first: bool, part: Any = None) -> str:
        """One output cell's sum: what it held (its bias, or what earlier steps added to it),
        plus what this step's products add up to; with ``part`` (the drawn channels' products,
        when fewer channels are drawn than the group sums), those and the others' apart."""
        text = lambda v: format_value(v, self.scale)  # noqa: E731
        if part is None:
            terms, values, hidden = ["Σ x·w"], [text(added)], ""
        else:
            shown, rest = self.span(0, self.drawn - 1), self.span(self.drawn, self.spec.in_per_group - 1)
            terms, values = [f"Σ x[{shown}]·w", f"Σ x[{rest}]·w"], [text(part), text(added - part)]
            hidden = f" (x[{rest}] not drawn)"
        if not (first and self.recording.bias is None):
            terms.insert(0, "b" if first else "y")
            values.insert(0, text(before))
        line = f"{y} = {' + '.join(terms)}"
        if len(values) > 1:
            line += f" = {' + '.join(values)}"
        return f"{line} = {text(before + added)}{hidden}"  # before is 0 where nothing was held


def scatter_step_text(channels: Sequence[int], y: int, x: int, step: int, steps: int, part: bool, dims: int = 2) -> str:
    """The step line of a transposed convolution drawn as its definition: the input position
    ((x,) for a 1-D layer), the output channels it adds to (one per group drawn) and the step,
    counted among the ``steps`` drawn (``of this part`` when the picture is a part of the layer)."""
    which = f"out channel {channels[0]}" if len(channels) == 1 else f"out channels {', '.join(map(str, channels))}"
    return f"input {position(dims, y, x)} · {which} · step {step + 1}/{steps}{' of this part' if part else ''}"


def scatter_head(spec: Any, co: int, y: int, x: int, dims: int = 2) -> str:
    """What a step adds to output channel ``co``, shapes as they are: the canvas window (rows
    and columns before padding crops them, the kernel's cells apart by the dilation) gets the
    group's input values at (y, x) times its kernels, summed over the group's channels:
    ``canvas[1, 2:5, 2:5] += x[2:4, 1, 1] · weight[2:4, 0]``."""
    g, j = divmod(co, spec.out_per_group)
    rows, cols = canvas_window(spec, y, x)
    axes = []
    for places, d in list(zip((rows, cols), spec.dilation))[2 - dims :]:
        step = f":{d}" if d > 1 and len(places) > 1 else ""
        axes.append(f"{places[0]}:{places[-1] + 1}{step}")
    per = spec.in_per_group
    c = f"{g * per}" if per == 1 else f"{g * per}:{(g + 1) * per}"
    at = position(dims, y, x)[1:-1].rstrip(",")
    return f"canvas[{co}, {', '.join(axes)}] += x[{c}, {at}] · weight[{c}, {j}]"


def crop_notes(spec: Any, dims: int = 2) -> tuple[str, ...]:
    """What padding and output_padding do, in words: the output is a window of the canvas the
    kernels are scattered on (``canvas_size``), the rest cropped (``dims`` 1: ``spec`` is a
    ConvTranspose1d's ConvTranspose2d over one row, and the words are the 1-D layer's)."""
    (p, q), (op, oq), (ho, wo) = spec.padding, spec.output_padding, spec.output_shape[1:]
    if (p, q, op, oq) == (0, 0, 0, 0):
        return ()
    if dims == 1:
        notes = [f"the output is positions {q}–{q + wo - 1} of the canvas (outlined); padding=({q},) crops the rest"]
        if oq:
            kept = f"{min(oq, q)} column{'s' * (min(oq, q) > 1)} more kept at the right" if min(oq, q) else ""
            beyond = f"{oq - q} column{'s' * (oq - q > 1)} past all the kernels cover, bias only" if oq > q else ""
            notes.append(f"output_padding=({oq},): " + " and ".join(w for w in (kept, beyond) if w))
        return tuple(notes)
    notes = [
        f"the output is rows {p}–{p + ho - 1}, columns {q}–{q + wo - 1} of the canvas "
        f"(outlined); padding={spec.padding} crops the rest (drawn pale)"
    ]
    if op or oq:
        kept = [f"{min(o, pad)} {word}" for o, pad, word in ((op, p, "row"), (oq, q, "column")) if min(o, pad)]
        beyond = [f"{o - pad} {word}" for o, pad, word in ((op, p, "row"), (oq, q, "column")) if o > pad]
        said = [f"output_padding={spec.output_padding}:"]
        if kept:
            said.append(f"{' and '.join(kept)} more kept at the bottom/right")
        if beyond:
            said.append(("and " if kept else "") + f"{' and '.join(beyond)} past all the kernels cover, bias only")
        notes.append(" ".join(said))
    return tuple(notes)


def as_conv_note(spec: Any) -> str:
    """What ``as_conv`` draws, in words: the direct convolution equal to the layer."""

    def pair(values: tuple) -> str:
        return str(values[0]) if len(set(values)) == 1 else str(tuple(values))

    zeros = tuple(s - 1 for s in spec.stride)
    start = tuple(d * (k - 1) - p for d, k, p in zip(spec.dilation, spec.kernel_size, spec.padding))
    end = tuple(a + op for a, op in zip(start, spec.output_padding))
    padding = pair(start) if start == end else f"{pair(start)} at the top/left and {pair(end)} at the bottom/right"
    inserted = f"{pair(zeros)} zero{'s' if max(zeros) != 1 else ''} inserted between its cells, " if max(zeros) else ""
    return (
        f"drawn as the equal direct convolution: stride 1 over the input with {inserted}padding {padding}, "
        f"each kernel weight[c_in, j] flipped (turned 180°)"
    )


def transposed_row(recording: Any, planar: Any) -> Any:
    """A ConvTranspose1d's recording seen as its ConvTranspose2d over one row (views of the
    same arrays)."""
    from ..engine.direct import Placements

    row = lambda a: a[:, None, :]  # noqa: E731
    conv = recording.conv
    direct = planar.as_conv()
    return TransposedRecording(
        planar,
        row(recording.input),
        recording.weight[:, :, None, :],
        recording.bias,
        row(recording.output),
        Recording(
            direct,
            row(conv.input),
            row(conv.padded),
            conv.weight[:, :, None, :],
            conv.bias,
            row(conv.output),
            Placements(direct, row(conv.output)),
            conv.kept,
            conv.weight_values,
        ),
        recording.columns,
        None if recording.passes is None else tuple(row(a) for a in recording.passes),
        None if recording.canvas is None else row(recording.canvas),
    )


def refuse_unreached(region: Optional[Region], read: Region, dims: int) -> None:
    """Refuse, naming the region, a part of the output no kernel reaches (between the kernels'
    cells, or past them all): it reads no input cell, and has no step to draw."""
    if region is not None and 0 in read.size:
        raise SpecError(
            "region",
            f"no kernel reaches the output {region.text(dims)}: each of its cells is its bias alone (0 without one), "
            "and there is no step to draw; choose cells a kernel reaches",
        )


def scatter_geometry(spec: Any, region: Optional[Region], label: Any, caption: str, dims: int) -> Geometry:
    """The layer drawn as its definition: the input (or the part of it read), the kernels
    and the canvas they are scattered on (or the part drawn), the output outlined on it."""

    def blame(axis: int) -> tuple[str, object, str]:
        if 2 * spec.padding[axis] > spec.input_shape[1 + axis]:
            return "padding", spec.padding, "padding"
        return "input_shape", spec.input_shape, "input"

    _, h, w = spec.input_shape
    size = canvas_size(spec)
    on = canvas_region(spec, region)
    read = scatter_extent(spec, on)
    drawn_out = Region.of(region, spec.output_shape[1:])

    def longest(geometry: Geometry) -> str:
        """The step line the picture plays last, the longest: the last input cell read, the
        last kernel column shown of each group drawn, of the steps of the columns shown over
        the cells read, ``of this part`` when the canvas or the channels or columns are cut."""
        shown_in, columns, _ = shown(geometry)
        groups = sorted({c // spec.in_per_group for c in shown_in})
        steps = len(columns) * math.prod(read.size)
        part = on.cuts(size) or channels_cut(geometry) or steps < spec.steps  # as the playback counts
        channels = [g * spec.out_per_group + len(columns) - 1 for g in groups]
        return scatter_step_text(channels, read.rows[1] - 1, read.cols[1] - 1, steps - 1, steps, part, dims)

    opening = scatter_head(spec, spec.out_channels - 1, h - 1, w - 1, dims)  # the longest
    entry = len(f"y[{spec.out_channels - 1}, {size[0]}, {size[1]}] = y + Σ x·w = ")
    cut = spec.padding != (0, 0) or spec.output_padding != (0, 0)

    def split(drawn: tuple, chars: int) -> int:
        """A sum's ``[0:3]``, `` + Σ x[3:64]·w``, number and `` (x[3:64] not drawn)``."""
        return 0 if len(drawn[0]) >= spec.in_per_group else 6 * len(str(spec.in_channels)) + 31 + chars

    fields: dict[str, Any] = dict(
        grid=read.size,
        out_size=on.size,
        steps_per_column=math.prod(read.size),
        input_heading="input",
        output_heading="output, on the canvas" if cut else "output",
        notes=crop_notes(spec, dims),
    )
    refuse_unreached(region, read, dims)
    if region is not None and region.cuts(spec.output_shape[1:]):
        ho, wo = spec.output_shape[1:]
        whole = (lambda a, b: f"{a}×{b}") if dims == 2 else (lambda a, b: f"{b}")  # noqa: E731
        on_canvas = f" (canvas {on.text(dims)} of {whole(*size)})" if cut else ""
        note = (
            f"drawn: output {region.text(dims)} of {whole(ho, wo)}{on_canvas}, and the input "
            f"{read.text(dims)} of {whole(h, w)} whose kernels reach them"
        )
        fields.update(
            input_heading="input" + (", part" if read.cuts((h, w)) else ""),  # "part" only where cut
            output_heading="output, part" + (", on the canvas" if cut else ""),
            notes=(*crop_notes(spec, dims), note),
            part=Part(Crop((h, w), (read.rows[0], read.cols[0])), Crop(size, (on.rows[0], on.cols[0]))),
        )
    base = conv_geometry(spec.as_conv(), caption, dims)
    return replace(
        base,
        layer=spec,
        blame=blame,
        kernel_label=label,
        longest_step=longest,
        sum_chars=lambda chars, drawn: entry + split(drawn, chars) + 3 * chars + 6,  # an output cell's entry
        sum_lines_most=5 if spec.in_per_group > MAX_SHOWN_IN else 3,  # a split sum takes about two lines
        sum_head=opening,
        sum_each_group=True,
        sum_entries=math.prod(  # the window's cells in the output drawn, a dilation's apart
            min(k, -(-n // d)) for k, n, d in zip(spec.kernel_size, drawn_out.size, spec.dilation)
        ),
        **fields,
    )
