"""Transposed convolutions, ``torch.nn.ConvTranspose1d/2d/3d``: each input cell scatters the
kernel, times its value, into the output, where overlapping contributions add up.

Recorded as the equal direct convolution (over the zero-inserted, padded input with the
flipped kernels), on any number of axes. A ConvTranspose2d is drawn as its definition: one
input position per step, outputs starting at their bias and visibly adding up; or,
``as_conv``, as that direct convolution.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, Optional

import numpy as np

from ..engine.direct import Placements, Recording, pad_input, run_direct
from ..engine.scatter import (
    by_output,
    canvas_size,
    canvas_window,
    flip_kernels,
    inserted_mask,
    scatter_gains,
    scatter_sums,
    zero_insert,
)
from ..engine.values import (
    BIAS_RANGE,
    INPUT_RANGE,
    WEIGHT_RANGE,
    common_type,
    drawn_or_given,
    example_rows,
    given,
    holds_fractions,
    no_bias,
    rng_of,
    row_chunks,
    skip_values,
)
from ..errors import SpecError
from ..picture.model import (
    Crop,
    Drawn,
    Geometry,
    Part,
    Reads,
    Region,
    Step,
    Writes,
    format_value,
    magnitude,
    reached_from,
    widest,
)
from ..picture.sizes import MAX_SHOWN_IN
from .args import AXES, PADDING_MODES, TUPLE_WORDS, check_int64, conv_caption, fmt, to_tuple
from .base import Operation, dims_text
from .conv import CONV_SPECS, Channels, as_row, conv_backward_facts, conv_facts
from .sliding import conv_drawn, conv_geometry, picture_read, position


@dataclass(frozen=True)
class _ConvTransposeSpec(Channels):
    """A transposed convolution over ``DIMS`` spatial axes: the same rules on every axis.

    PyTorch's arguments, order and defaults (padding is zeros only). Each input cell scatters
    the kernel, times its value, into the output; ``padding`` trims that many cells off each
    side of the result and ``output_padding`` adds cells at the bottom/right, so that
    ``H_out = (H - 1)·stride - 2·padding + dilation·(kernel_size - 1) + output_padding + 1``.
    """

    input_shape: tuple[int, ...]
    out_channels: int = 1
    kernel_size: tuple[int, ...] = 3  # type: ignore[assignment]
    stride: tuple[int, ...] = 1  # type: ignore[assignment]
    padding: tuple[int, ...] = 0  # type: ignore[assignment]
    output_padding: tuple[int, ...] = 0  # type: ignore[assignment]
    groups: int = 1
    bias: bool = True
    dilation: tuple[int, ...] = 1  # type: ignore[assignment]
    padding_mode: str = "zeros"  # the only one PyTorch supports for it

    DIMS: ClassVar[int] = 2

    @property
    def numbers(self) -> int:
        """What recording holds as a convolution does, and what each input cell adds through each
        kernel cell of each output channel (the scatter's gains, held whole)."""
        gains = self.out_channels * math.prod(self.input_shape[1:]) * math.prod(self.kernel_size)
        return super().numbers + gains

    def __post_init__(self) -> None:
        check_int64(self)
        put = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        self._normalise_sizes(put)
        if self.padding_mode not in PADDING_MODES:
            raise SpecError(
                "padding_mode", f"padding_mode={self.padding_mode!r} must be one of {', '.join(PADDING_MODES)}"
            )
        if self.padding_mode != "zeros":
            raise SpecError(
                "padding_mode",
                f"padding_mode={self.padding_mode!r}: a transposed convolution supports only 'zeros', as in PyTorch",
            )
        for name in ("padding", "output_padding"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise SpecError(
                    name,
                    f"{name}={value!r} must be an integer or {TUPLE_WORDS[self.DIMS][2:]}: a transposed convolution "
                    "takes no 'same' or 'valid'",
                )
            amounts = to_tuple(name, value, self.DIMS, one=True)
            if min(amounts) < 0:
                raise SpecError(name, f"{name}={fmt(value)} must be non-negative")
            put(name, amounts)
        self._check_groups()
        if any(op >= max(s, d) for op, s, d in zip(self.output_padding, self.stride, self.dilation)):
            raise SpecError(
                "output_padding",
                f"output_padding={self.output_padding} must be smaller than the stride {self.stride} "
                f"or the dilation {self.dilation} on each axis",
            )
        if min(self.output_shape[1:]) < 1:
            raise SpecError(
                "padding",
                f"padding={self.padding} trims the {self.output_shape[1:]} output to nothing: it must "
                f"leave at least one cell of the {self._full_size} cells the kernels cover",
            )

    @property
    def padded_shape(self) -> tuple[int, ...]:
        """The input as drawn: a transposed convolution pads its output, not its input."""
        return self.input_shape

    @property
    def padding_end(self) -> tuple[int, ...]:
        """Cells trimmed off the bottom/right of the output: the same as the top/left."""
        return self.padding

    @property
    def padding_arg(self) -> tuple[int, ...]:
        return self.padding

    @cached_property
    def _full_size(self) -> tuple[int, ...]:
        """Extent of everything the scattered kernels cover, before padding trims it."""
        return tuple(
            (n - 1) * s + d * (k - 1) + 1
            for n, s, d, k in zip(self.input_shape[1:], self.stride, self.dilation, self.kernel_size)
        )

    @cached_property
    def output_shape(self) -> tuple[int, ...]:
        """(C_out, *sizes): ``(n - 1)·s - 2·p + d·(k - 1) + output_padding + 1`` per axis."""
        sizes = (f - 2 * p + op for f, p, op in zip(self._full_size, self.padding, self.output_padding))
        return (self.out_channels, *sizes)

    @cached_property
    def steps(self) -> int:
        """Animation steps: one per input position and output channel of a group."""
        return self.out_per_group * math.prod(self.input_shape[1:])

    @cached_property
    def macs(self) -> int:
        return math.prod(self.input_shape) * self.out_per_group * math.prod(self.kernel_size)

    @cached_property
    def caption(self) -> str:
        """The article's caption format; ``OP`` (output padding) follows when it is not zero."""
        more = [f"OP : {self.output_padding}"] if max(self.output_padding) else []
        return conv_caption(self, self.padding, *more)

    def as_conv(self) -> Any:
        """The equivalent direct convolution: over the input with ``stride - 1`` zeros inserted
        between cells and ``dilation·(k - 1) - padding`` added around (``output_padding`` more at
        the bottom/right), with the flipped kernel, stride 1 and the same dilation."""
        sizes = tuple(
            (n - 1) * s + 1 + 2 * (d * (k - 1) - p) + op
            for n, s, d, k, p, op in zip(
                self.input_shape[1:], self.stride, self.dilation, self.kernel_size, self.padding, self.output_padding
            )
        )
        return CONV_SPECS[self.DIMS](
            (self.in_channels, *sizes), self.out_channels, self.kernel_size, 1, 0, self.dilation, self.groups, self.bias
        )


@dataclass(frozen=True)
class ConvTranspose1dSpec(_ConvTransposeSpec):
    """One ``torch.nn.ConvTranspose1d`` layer applied to one sequence of shape (C, L) ((L,):
    C = 1): :class:`ConvTranspose2dSpec`'s rules on one axis; sizes are 1-tuples."""

    DIMS: ClassVar[int] = 1

    def as_2d(self) -> ConvTranspose2dSpec:
        """The same layer as a ConvTranspose2d over a (C, 1, L) input: what convgif draws."""
        return ConvTranspose2dSpec(
            (self.in_channels, 1, self.input_shape[1]),
            self.out_channels,
            (1, self.kernel_size[0]),
            (1, self.stride[0]),
            (0, self.padding[0]),
            (0, self.output_padding[0]),
            self.groups,
            self.bias,
            (1, self.dilation[0]),
        )


@dataclass(frozen=True)
class ConvTranspose2dSpec(_ConvTransposeSpec):
    """One ``torch.nn.ConvTranspose2d`` layer applied to one input of shape (C, H, W) ((H, W):
    C = 1); after construction every size is an (h, w) pair."""

    DIMS: ClassVar[int] = 2


@dataclass(frozen=True)
class ConvTranspose3dSpec(_ConvTransposeSpec):
    """One ``torch.nn.ConvTranspose3d`` layer applied to one input of shape (C, D, H, W):
    :class:`ConvTranspose2dSpec`'s rules on three axes; sizes are (d, h, w) triples."""

    DIMS: ClassVar[int] = 3


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

    spec: ConvTranspose2dSpec
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


def canvas_region(spec: ConvTranspose2dSpec, region: Optional[Region]) -> Region:
    """Output ``region`` on the canvas: shifted by the padding, and reaching the canvas's edge
    on each side where it reaches the output's (so the cells padding crops there are drawn)."""
    size, out = canvas_size(spec), spec.output_shape[1:]
    if region is None:
        return Region((0, size[0]), (0, size[1]))
    spans = []
    for (start, stop), p, n, whole in zip((region.rows, region.cols), spec.padding, out, size):
        spans.append((start + p if start > 0 else 0, stop + p if stop < n else whole))
    return Region(*spans, dims=region.dims)


def cropped(spec: ConvTranspose2dSpec, region: Region) -> np.ndarray:
    """Which cells of canvas ``region`` padding crops off: not in the output."""
    (p, q), (ho, wo) = spec.padding, spec.output_shape[1:]
    rows = np.arange(*region.rows)
    cols = np.arange(*region.cols)
    keep = ((rows >= p) & (rows < p + ho))[:, None] & ((cols >= q) & (cols < q + wo))[None, :]
    return ~keep


def scatter_extent(spec: ConvTranspose2dSpec, region: Region) -> Region:
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


def bias_start(spec: ConvTranspose2dSpec, bias: Optional[np.ndarray], dtype: Any) -> np.ndarray:
    """Every canvas cell before any input has scattered into it: its channel's bias, or 0."""
    start = np.zeros((spec.out_channels, *canvas_size(spec)), dtype=dtype)
    if bias is not None:
        start += bias[:, None, None]
    return start


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
    ) -> None:
        self.recording = recording
        self.dims = dims  # a ConvTranspose1d is drawn as its ConvTranspose2d over one row
        self.spec = spec = recording.spec
        self.sums = bias_start(spec, recording.bias, recording.output.dtype)
        self._added = np.zeros(self.sums.shape, dtype=bool)  # cells something was added to
        self._last: list[Writes] = []
        self._before: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        _, h, w = spec.input_shape
        self.region = Region.of(region, self.sums.shape[1:])
        self.read = Region.of(read, (h, w))
        self.steps = spec.out_per_group * math.prod(self.read.size)
        self._drawn_groups = range(min(spec.groups, MAX_SHOWN_IN))
        self.scale = magnitude(recording.output)  # how the output writes its cells

    @property
    def output(self) -> np.ndarray:
        """The layer's output as the sums stand: the canvas with the padding's crop cut off."""
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
        writes, self._before = [], []
        for g in range(self.spec.groups):
            co, rows, cols, added = contribution(self.recording, g, j, y, x)
            window = np.ix_(rows, cols)
            before, first = self.sums[co][window].copy(), ~self._added[co][window]
            self.sums[co][window] += added
            self._added[co][window] = True
            keep_r, keep_c = (rows >= r0) & (rows < r1), (cols >= c0) & (cols < c1)  # the part drawn
            inside = np.ix_(keep_r, keep_c)
            self._before.append((before[inside], added[inside], first[inside]))
            rows, cols = rows[keep_r] - r0, cols[keep_c] - c0
            box = (
                (int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1) if rows.size and cols.size else None
            )
            writes.append(Writes(co, rows, cols, self.sums[co][np.ix_(rows + r0, cols + c0)], box))
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
        text = scatter_step_text(channels, y, x, step, self.steps, self.steps < spec.steps, self.dims)
        sums: list[str] = []
        owners: list[Optional[int]] = []
        (p, q), (ho, wo) = spec.padding, spec.output_shape[1:]
        r0, c0 = self.region.rows[0], self.region.cols[0]
        for write, (before, added, first) in zip(self._last, self._before):
            sums.append(scatter_head(spec, write.channel, y, x, self.dims))
            owners.append(write.channel)
            if not (write.rows.size and write.cols.size):
                sums[-1] += "  (outside the part drawn)"
                continue
            for (i, r), (k, c) in itertools.product(enumerate(write.rows), enumerate(write.cols)):
                oy, ox = r + r0 - p, c + c0 - q  # in the output, or cropped off it
                if 0 <= oy < ho and 0 <= ox < wo:
                    at = position(self.dims, int(write.channel), int(oy), int(ox))[1:-1]
                    sums.append(self._entry(f"y[{at}]", before[i, k], added[i, k], first[i, k]))
                    owners.append(write.channel)
        return Step(j, {g: reads(g) for g in range(spec.groups)}, self._last, text, tuple(sums), tuple(owners))

    def _entry(self, y: str, before: Any, added: Any, first: bool) -> str:
        """One output cell's sum: what it held (its bias, or what earlier steps added to it),
        plus what this step's products add up to."""
        text = lambda v: format_value(v, self.scale)  # noqa: E731
        if first and self.recording.bias is None:
            return f"{y} = Σ x·w = {text(added)}"
        held = "b" if first else "y"
        return f"{y} = {held} + Σ x·w = {text(before)} + {text(added)} = {text(before + added)}"


def scatter_step_text(channels: Sequence[int], y: int, x: int, step: int, steps: int, part: bool, dims: int = 2) -> str:
    """The step line of a transposed convolution drawn as its definition: the input position
    ((x,) for a 1-D layer), the output channels it adds to (one per group drawn) and the step,
    counted among the ``steps`` drawn (``of this part`` when the picture is a part of the layer)."""
    which = f"out channel {channels[0]}" if len(channels) == 1 else f"out channels {', '.join(map(str, channels))}"
    return f"input {position(dims, y, x)} · {which} · step {step + 1}/{steps}{' of this part' if part else ''}"


def scatter_head(spec: ConvTranspose2dSpec, co: int, y: int, x: int, dims: int = 2) -> str:
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


def crop_notes(spec: ConvTranspose2dSpec, dims: int = 2) -> tuple[str, ...]:
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


class TransposedConv(Operation):
    """ConvTranspose1d, 2d and 3d: the same rules on one, two or three axes; the 2-D layer is
    drawn (as its definition, or ``as_conv`` as the equal direct convolution)."""

    views = ("as_conv", "region")
    torch_signature = (
        "in_channels",
        "out_channels",
        "kernel_size",
        "stride",
        "padding",
        "output_padding",
        "groups",
        "bias",
        "dilation",
        "padding_mode",
    )
    torch_fixed = ("padding_mode",)  # torch's transposed convolutions take 'zeros' only

    def __init__(self, spec_type: type, name: str, dims: int) -> None:
        self.spec_type = spec_type  # type: ignore[misc]
        self.name = name  # type: ignore[misc]
        self.dims = dims  # type: ignore[misc]

    def arguments_from_weight(self, shape: tuple[int, ...], input_channels: int, groups: Any = None) -> dict[str, Any]:
        """(C_in, C_out/G, *kernel): the groups cannot be told from the shape (default 1)."""
        if len(shape) != self.dims + 2:
            raise SpecError("layer", f"a weight of shape {shape} is not a {self.name}'s")
        if shape[0] != input_channels:
            raise SpecError(
                "input_shape",
                f"a weight of shape {shape}: a {self.name} with {shape[0]} input channels, not {input_channels}",
            )
        return {"out_channels": shape[1] * (groups or 1), "kernel_size": tuple(shape[2:])}

    def record(
        self, spec: Any, seed: int = 0, *, input: Any = None, weight: Any = None, bias: Any = None
    ) -> TransposedRecording:
        """A :class:`TransposedRecording`; ``weight`` in PyTorch's (C_in, C_out/G, *kernel) layout."""
        return self._record(spec, seed, input, weight, bias, None)

    def record_drawn(
        self,
        spec: Any,
        seed: int,
        kernels: Sequence[Collection[int]],
        *,
        input: Any = None,
        weight: Any = None,
        bias: Any = None,
        region: Any = None,
    ) -> TransposedRecording:
        """The recording with only the kernel columns drawn (every group's: a step adds up each
        group's products), the weight run through a few input channels at a time; a layer
        of fractions is recorded whole."""
        return self._record(spec, seed, input, weight, bias, kernels[0])

    def _record(
        self, spec: Any, seed: int, input: Any, weight: Any, bias: Any, keep: Optional[Collection[int]]
    ) -> TransposedRecording:
        rng = rng_of(seed)
        w_shape = self.weight_shape(spec)
        x = drawn_or_given(rng, "input", input, spec.input_shape, INPUT_RANGE)
        whole = keep is None or self.dims != 2 or x.dtype.kind == "f"
        if whole or holds_fractions(weight) or holds_fractions(bias):
            w = drawn_or_given(rng, "weight", weight, w_shape, WEIGHT_RANGE)
            b = drawn_or_given(rng, "bias", bias, (spec.out_channels,), BIAS_RANGE) if spec.bias else no_bias(bias)
            x, w, b = common_type(x, w, b)
            conv = run_direct(spec.as_conv(), zero_insert(spec, x), flip_kernels(spec, w), b)
            return TransposedRecording(spec, x, w, b, conv.output, conv)
        columns = tuple(sorted({int(co) % spec.out_per_group for co in keep}))
        if weight is None:
            chunks = example_rows(rng, w_shape, WEIGHT_RANGE)
        else:
            w = given("weight", weight, w_shape, None)
            skip_values(rng, w_shape, WEIGHT_RANGE)
            chunks = (w[start:stop] for start, stop in row_chunks(w_shape[0], math.prod(w_shape[1:])))
        kept, values, gains = scatter_gains(spec, x, chunks, columns)
        b = drawn_or_given(rng, "bias", bias, (spec.out_channels,), BIAS_RANGE) if spec.bias else no_bias(bias)
        canvas, passes = scatter_sums(spec, gains, bias_start(spec, b, np.int64))
        (p, q), (ho, wo) = spec.padding, spec.output_shape[1:]
        output = canvas[:, p : p + ho, q : q + wo].copy()
        direct, inserted = spec.as_conv(), zero_insert(spec, x)
        channels = tuple(g * spec.out_per_group + j for g in range(spec.groups) for j in columns)
        conv = Recording(
            direct,
            inserted,
            pad_input(direct, inserted),
            flip_kernels(spec, kept),
            b,
            output,
            Placements(direct, output),
            channels,
            values,
        )
        return TransposedRecording(spec, x, kept, b, output, conv, columns, passes, canvas)

    def weight_shape(self, spec: Any) -> tuple[int, ...]:
        return (spec.in_channels, spec.out_per_group, *spec.kernel_size)

    def planar(self, spec: Any) -> ConvTranspose2dSpec:
        """The ConvTranspose2d a picture draws: the layer itself, or a ConvTranspose1d as one row."""
        if self.dims == 3:
            raise self.not_drawn()
        return spec.as_2d() if self.dims == 1 else spec

    def geometries(
        self, spec: Any, as_conv: bool = False, region: Optional[Region] = None, **view: Any
    ) -> list[Geometry]:
        self.check_view(**view)
        layer, spec = spec, self.planar(spec)
        label = lambda c, j: f"weight[{c},{j}]"  # noqa: E731  PyTorch's (C_in, C_out/G, KH, KW) weight
        if as_conv:
            direct = spec.as_conv()
            edges = [d * (k - 1) - p for d, k, p in zip(spec.dilation, spec.kernel_size, spec.padding)]
            state = [
                word
                for word, on in (
                    ("zero-inserted", max(spec.stride) > 1),
                    ("padded", max(edges) > 0 or max(spec.output_padding) > 0),
                    ("cropped", min(edges) < 0),
                )
                if on
            ]
            heading = f"input ({', '.join(state)})" if state else "input"
            return [
                conv_geometry(
                    direct,
                    layer.caption,
                    self.dims,
                    notes=(as_conv_note(layer),),
                    input_heading=heading + (", part" if region else ""),
                    kernel_heading="kernels, flipped",
                    kernel_label=label,
                    region=region,
                )
            ]
        return [self._scatter_geometry(spec, region, label, layer.caption)]

    def _scatter_geometry(self, spec: Any, region: Optional[Region], label: Any, caption: str) -> Geometry:
        """The layer drawn as its definition: the input (or the part of it read), the kernels
        and the canvas they are scattered on (or the part drawn), the output outlined on it."""
        from dataclasses import replace

        def blame(axis: int) -> tuple[str, object, str]:
            if 2 * spec.padding[axis] > spec.input_shape[1 + axis]:
                return "padding", spec.padding, "padding"
            return "input_shape", spec.input_shape, "input"

        _, h, w = spec.input_shape
        size = canvas_size(spec)
        on = canvas_region(spec, region)
        read = scatter_extent(spec, on)
        groups = range(min(spec.groups, MAX_SHOWN_IN))
        j = spec.out_per_group - 1
        dims = self.dims
        last = scatter_step_text(
            [g * spec.out_per_group + j for g in groups], h - 1, w - 1, spec.steps - 1, spec.steps, True, dims
        )
        head = len(scatter_head(spec, spec.out_channels - 1, h - 1, w - 1, dims))
        entry = len(f"y[{spec.out_channels - 1}, {size[0]}, {size[1]}] = y + Σ x·w = ")
        cut = spec.padding != (0, 0) or spec.output_padding != (0, 0)
        fields: dict[str, Any] = dict(
            grid=read.size,
            out_size=on.size,
            steps_per_column=math.prod(read.size),
            input_heading="input",
            output_heading="output, on the canvas" if cut else "output",
            notes=crop_notes(spec, dims),
        )
        if region is not None and region.cuts(spec.output_shape[1:]):
            ho, wo = spec.output_shape[1:]
            whole = (lambda a, b: f"{a}×{b}") if dims == 2 else (lambda a, b: f"{b}")  # noqa: E731
            on_canvas = f" (canvas {on.text(dims)} of {whole(*size)})" if cut else ""
            note = (
                f"drawn: output {region.text(dims)} of {whole(ho, wo)}{on_canvas}, and the input "
                f"{read.text(dims)} of {whole(h, w)} whose kernels reach them"
            )
            fields.update(
                input_heading="input, part",
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
            step_text=last,
            sum_chars=lambda chars, drawn: (
                len(drawn[2]) * (head + 3 + math.prod(spec.kernel_size) * (entry + 3 * chars + 6))
            ),
            **fields,
        )

    def drawings(
        self,
        spec: Any,
        recording: Any,
        pixels: bool = False,
        as_conv: bool = False,
        region: Optional[Region] = None,
        geometries: Optional[list] = None,
        **view: Any,
    ) -> list[Drawn]:
        (geometry,) = geometries or self.geometries(spec, as_conv, region, **view)
        if self.dims == 1:
            spec, recording = self.planar(spec), as_planar_row(recording, self.planar(spec))
        if as_conv:
            filler = zero_insert(spec, np.ones((1, *spec.input_shape[1:]), dtype=np.int64))[0] == 0
            conv = recording.conv
            return [conv_drawn(conv, geometry, pixels, filler=filler, region=region, inserted=inserted_mask(spec))]
        on = canvas_region(spec, region)
        read = scatter_extent(spec, on)
        if recording.canvas is not None:
            span, canvas = recording.span_of(on), recording.canvas
        else:
            playback = ScatterPlayback(recording, on, read)
            span = partial_sum_range(recording, on, read)
            for step in range(playback.steps):
                playback.advance(step)
            canvas = playback.sums
        weights = recording.conv.shade_values()
        picture = None
        if region is not None and pixels and recording.input.shape[0] in (1, 3):  # the whole picture, part outlined
            picture = picture_read(recording.input, (0, 0), read.rows, read.cols)
        grid = recording.input[:, slice(*read.rows), slice(*read.cols)]
        inside = (slice(None), slice(*on.rows), slice(*on.cols))
        output, start = canvas[inside], bias_start(spec, recording.bias, canvas.dtype)[inside]
        scale = magnitude(output, np.asarray(span))

        def chars() -> int:
            return max(
                widest(grid),
                widest(output, np.asarray(span), scale=scale),
                widest(recording.weight, scale=magnitude(weights)),
            )

        return [
            Drawn(
                geometry=geometry,
                grid=grid,
                filler=np.zeros(grid.shape[1:], dtype=bool),
                kernels=by_output(spec, recording.weight),
                output=output,
                playback=ScatterPlayback(recording, on, read, self.dims),
                start=start,
                picture=picture,
                value_chars=chars,
                pixels=pixels,
                extra={"span": span},
                kernel_channels=recording.conv.kept,
                kernel_values=weights,
                cut=cropped(spec, on),
            )
        ]

    def gradients(self, spec: Any, recording: Any, grad_output: Any) -> Any:
        """dx (a direct convolution of dy), dw and db (see :mod:`convgif.engine.backward`)."""
        from ..engine.backward import transposed_grads

        return transposed_grads(spec, recording.input, recording.weight, grad_output)

    def backward_geometries(self, spec: Any, region: Optional[Region] = None, **view: Any) -> list[Geometry]:
        """dx, dw and db, each drawn as a direct convolution (see :mod:`convgif.ops.backward`)."""
        from .backward import refuse_region
        from .backward_conv import transposed_geometries

        self.check_view(**{k: v for k, v in view.items() if k != "as_conv"})
        if self.dims != 2:
            raise self.backward_not_drawn()
        refuse_region(region)
        return transposed_geometries(spec, lambda axis: ("input_shape", spec.input_shape, "input"))

    def backward_drawings(
        self, spec: Any, recording: Any, pixels: bool = False, geometries: Any = None, **view: Any
    ) -> list[Drawn]:
        from .backward_conv import transposed_drawings

        forward = recording.forward
        geometries = geometries or self.backward_geometries(spec, **view)
        return transposed_drawings(spec, geometries, forward.input, forward.weight, recording.grad_output)

    def name_parts(self, spec: Any, **view: Any) -> list[str]:
        parts = ["x".join(map(str, spec.input_shape)), f"out{spec.out_channels}", f"k{dims_text(spec.kernel_size)}"]
        for letter, sizes, neutral in (
            ("s", spec.stride, 1),
            ("p", spec.padding, 0),
            ("d", spec.dilation, 1),
            ("op", spec.output_padding, 0),
        ):
            if any(v != neutral for v in sizes):
                parts.append(f"{letter}{dims_text(sizes)}")
        if spec.groups != 1:
            parts.append(f"g{spec.groups}")
        if not spec.bias:
            parts.append("nobias")
        return parts

    def backward_facts(self, spec: Any) -> dict[str, Any]:
        return conv_backward_facts(spec, "x·w scattered", "the kernels, not turned, slide over dy with the stride")

    def facts(self, spec: Any) -> dict[str, Any]:
        formulas = []
        for i, axis in enumerate(AXES[self.dims]):
            n, k, s, d = spec.input_shape[1 + i], spec.kernel_size[i], spec.stride[i], spec.dilation[i]
            p, op = spec.padding[i], spec.output_padding[i]
            formulas.append(
                f"{axis}_out = ({n} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {op} + 1 = {spec.output_shape[1 + i]}"
            )
        kernel = " · ".join(map(str, spec.kernel_size))
        names = " · ".join(f"K{axis}" for axis in AXES[self.dims]) if self.dims > 1 else "K"
        weights = f"C_in · C_out/G · {names} = {spec.in_channels} · {spec.out_per_group} · {kernel}"
        facts = conv_facts(spec, self.name, formulas, spec.out_channels * math.prod(spec.input_shape[1:]), weights)
        facts["output_padding"] = list(spec.output_padding)
        return facts


def as_planar_row(recording: TransposedRecording, planar: ConvTranspose2dSpec) -> TransposedRecording:
    """A ConvTranspose1d's recording seen as its ConvTranspose2d over one row (views of the
    same arrays; a 1-D layer is recorded whole)."""
    return TransposedRecording(
        planar,
        recording.input[:, None, :],
        recording.weight[:, :, None, :],
        recording.bias,
        recording.output[:, None, :],
        as_row(recording.conv, planar.as_conv()),
    )


CONV_TRANSPOSE1D = TransposedConv(ConvTranspose1dSpec, "ConvTranspose1d", 1)
CONV_TRANSPOSE2D = TransposedConv(ConvTranspose2dSpec, "ConvTranspose2d", 2)
CONV_TRANSPOSE3D = TransposedConv(ConvTranspose3dSpec, "ConvTranspose3d", 3)
CONV_TRANSPOSE2D.backward_drawn = True
