"""Direct convolutions: ``torch.nn.Conv2d`` and ``torch.nn.Conv1d``.

The specs validate and normalise the arguments exactly as PyTorch does; the recording is the
engine's cross-correlation; the picture slides the (dilated) window over each padded input
channel, the kernels of a group in the middle, one output cell written per step and group.
A Conv1d is drawn as its Conv2d over one row.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, Optional, Union

import numpy as np

from ..engine.direct import Placements, Recording, padding_mask, read_mask, record_direct
from ..errors import SpecError
from ..picture.model import (
    Crop,
    Drawn,
    Geometry,
    LazyReads,
    Part,
    Reads,
    Region,
    Step,
    WholePicture,
    Writes,
    format_value,
    magnitude,
    part_note,
    widest,
)
from ..picture.sizes import MAX_SHOWN_IN, shown
from .args import (
    AXES,
    PADDING_MODES,
    TUPLE_WORDS,
    boolean,
    check_int64,
    conv_caption,
    explicit_padding,
    fmt,
    is_int,
    positive_int,
    positive_tuple,
    shape,
)
from .base import Operation, dims_text, shape_facts

PADDING_STRINGS = ("same", "valid")


class Channels:
    """Channel arithmetic and the checks every convolution shares."""

    input_shape: tuple[int, ...]
    out_channels: int
    groups: int
    DIMS: ClassVar[int]

    @property
    def in_channels(self) -> int:
        return self.input_shape[0]

    @property
    def in_per_group(self) -> int:
        """Input channels each kernel reads: C_in / G."""
        return self.input_shape[0] // self.groups

    @property
    def out_per_group(self) -> int:
        """Output channels each group produces: C_out / G."""
        return self.out_channels // self.groups

    @cached_property
    def num_parameters(self) -> int:
        """Trainable parameters: C_out · C_in/G · (kernel area) weights (a transposed layer
        stores them as C_in · C_out/G · …, the same number), plus C_out biases."""
        weights = self.out_channels * self.in_per_group * math.prod(self.kernel_size)
        return weights + (self.out_channels if self.bias else 0)

    @property
    def numbers(self) -> int:
        """How many numbers recording the layer holds: input as drawn, weights and output."""
        weights = self.out_channels * self.in_per_group * math.prod(self.kernel_size)
        return math.prod(self.padded_shape) + weights + math.prod(self.output_shape)

    def _normalise_sizes(self, put) -> None:
        """Shape, channels, kernel size, stride, dilation, groups and bias, as PyTorch takes them."""
        dims = self.DIMS
        put("input_shape", shape(self.input_shape, dims))
        put("out_channels", positive_int("out_channels", self.out_channels))
        # torch shapes the weight with kernel_size (True is 1), and repeats a single stride or dilation
        put("kernel_size", positive_tuple("kernel_size", self.kernel_size, dims, bools=True))
        for name in ("stride", "dilation"):
            put(name, positive_tuple(name, getattr(self, name), dims, one=True))
        if not is_int(self.groups) or int(self.groups) < 1:
            raise SpecError("groups", f"groups={fmt(self.groups)} must be a positive integer")
        put("groups", int(self.groups))
        put("bias", boolean("bias", self.bias))

    def _check_groups(self) -> None:
        g = self.groups
        if self.in_channels % g:
            raise SpecError("groups", f"groups={g} must divide in_channels={self.in_channels}")
        if self.out_channels % g:
            raise SpecError("groups", f"groups={g} must divide out_channels={self.out_channels}")


@dataclass(frozen=True)
class _ConvSpec(Channels):
    """A convolution layer over ``DIMS`` spatial axes; the rules are the same on every axis."""

    DIMS: ClassVar[int] = 2
    input_shape: tuple[int, ...]
    out_channels: int = 1
    kernel_size: tuple[int, ...] = 3  # type: ignore[assignment]
    stride: tuple[int, ...] = 1  # type: ignore[assignment]
    padding: tuple[int, ...] = 0  # type: ignore[assignment]
    dilation: tuple[int, ...] = 1  # type: ignore[assignment]
    groups: int = 1
    bias: bool = True
    padding_mode: str = "zeros"
    padding_end: tuple[int, ...] = field(init=False)
    padding_arg: Union[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_int64(self)
        put = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        self._normalise_sizes(put)
        if self.padding_mode not in PADDING_MODES:
            raise SpecError(
                "padding_mode",
                f"padding_mode={self.padding_mode!r} must be one of {', '.join(PADDING_MODES)}",
            )
        self._normalise_padding(put)
        self._check_groups()
        self._check_padding_fits()
        self._check_kernel_fits()

    # -- validation -------------------------------------------------------------------------

    def _normalise_padding(self, put) -> None:
        padding = self.padding
        if isinstance(padding, str):
            if padding not in PADDING_STRINGS:
                raise SpecError(
                    "padding",
                    f"padding={padding!r} must be an integer, {TUPLE_WORDS[self.DIMS][2:]}, 'same' or 'valid'",
                )
            put("padding_arg", padding)
            if padding == "valid":
                start = end = (0,) * self.DIMS
            else:
                if max(self.stride) != 1:
                    raise SpecError(
                        "padding",
                        f"padding='same' needs stride 1, but stride={self.stride}: "
                        "a strided output cannot keep the input size",
                    )
                total = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
                start = tuple(t // 2 for t in total)
                end = tuple(t - t // 2 for t in total)
        else:
            start = end = explicit_padding(padding, self.padding_mode, self.DIMS)
            put("padding_arg", start)
            if min(start) < 0 and self.padding_mode == "zeros":
                raise SpecError(
                    "padding",
                    f"padding={fmt(padding)} must be non-negative with padding_mode='zeros' "
                    "(other modes crop the input by a negative amount)",
                )
        put("padding", start)
        put("padding_end", end)

    def _check_padding_fits(self) -> None:
        if self.padding_mode == "zeros":
            return
        size = self.input_shape[1:]
        pads = tuple(max(a, b) for a, b in zip(self.padding, self.padding_end))
        shown = self.padding_arg if isinstance(self.padding_arg, str) else self.padding
        if self.padding_mode == "reflect" and any(p >= n for p, n in zip(pads, size)):
            raise SpecError(
                "padding",
                f"padding={fmt(shown)} with padding_mode='reflect' must be smaller than the "
                f"input size {size}: reflection cannot reach past the opposite edge",
            )
        if self.padding_mode == "circular" and any(p > n for p, n in zip(pads, size)):
            raise SpecError(
                "padding",
                f"padding={fmt(shown)} with padding_mode='circular' must be at most the "
                f"input size {size}: it would wrap around more than once",
            )
        if min(self.padded_shape[1:]) < 1:
            raise SpecError("padding", f"padding={fmt(shown)} crops the input {size} to nothing")

    def _check_kernel_fits(self) -> None:
        span, padded = self.receptive_field, self.padded_shape[1:]
        if any(s > p for s, p in zip(span, padded)):
            dilated = f" with dilation={self.dilation}" if max(self.dilation) != 1 else ""
            raise SpecError(
                "kernel_size",
                f"kernel_size={self.kernel_size}{dilated} spans {span}, larger than the padded "
                f"input {padded}: the kernel must fit inside the (padded) input",
            )

    # -- derived quantities -----------------------------------------------------------------

    @cached_property
    def receptive_field(self) -> tuple[int, ...]:
        """Extent of the dilated kernel: ``dilation * (kernel_size - 1) + 1`` per axis."""
        return tuple(d * (k - 1) + 1 for d, k in zip(self.dilation, self.kernel_size))

    @cached_property
    def padded_shape(self) -> tuple[int, ...]:
        """(C, *sizes) of the input after padding (or cropping, for negative padding)."""
        sizes = (n + a + b for n, a, b in zip(self.input_shape[1:], self.padding, self.padding_end))
        return (self.in_channels, *sizes)

    @cached_property
    def output_shape(self) -> tuple[int, ...]:
        """(C_out, *sizes): ``floor((padded - dilation·(k - 1) - 1) / stride) + 1`` per axis."""
        sizes = ((p - r) // s + 1 for p, r, s in zip(self.padded_shape[1:], self.receptive_field, self.stride))
        return (self.out_channels, *sizes)

    @cached_property
    def steps(self) -> int:
        """Animation steps: all groups advance together, so C_out / G · (output area)."""
        return self.out_per_group * math.prod(self.output_shape[1:])

    @cached_property
    def caption(self) -> str:
        """The one-line summary drawn in every frame, in the reference article's format.

        P is the padding per axis; where the end amounts differ (``"same"`` with an even
        dilated kernel) it is written per axis as (start, end) pairs: ((top, bottom), (left, right)).
        A padding given as a word is named, with the amounts it resolves to: ``P : 'same' = (2,)``.
        """
        return conv_caption(self, self.padding_text)

    @property
    def padding_text(self) -> str:
        """P as the caption writes it (see :attr:`caption`)."""
        amounts = self.padding if self.padding == self.padding_end else tuple(zip(self.padding, self.padding_end))
        return f"{self.padding_arg!r} = {amounts}" if isinstance(self.padding_arg, str) else str(amounts)

    @cached_property
    def macs(self) -> int:
        """Multiply-accumulates of one forward pass."""
        return math.prod(self.output_shape) * self.in_per_group * math.prod(self.kernel_size)

    def replace(self, **changes: object):
        """A copy with some arguments changed, validated again."""
        args = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        args["padding"] = self.padding_arg
        args.update(changes)
        return type(self)(**args)


@dataclass(frozen=True)
class Conv2dSpec(_ConvSpec):
    """One ``torch.nn.Conv2d`` layer applied to one input of shape (C, H, W).

    Arguments are PyTorch's, with the same defaults. After construction ``kernel_size``,
    ``stride``, ``dilation`` and ``padding`` are (h, w) pairs; ``padding`` holds the top/left
    amounts and ``padding_end`` the bottom/right ones (they differ only for ``"same"`` with an
    even dilated kernel, where PyTorch pads one more at the end). Anything PyTorch would refuse
    for this input raises :class:`SpecError`, a ``ValueError`` naming the argument.
    """

    DIMS: ClassVar[int] = 2


@dataclass(frozen=True)
class Conv1dSpec(_ConvSpec):
    """One ``torch.nn.Conv1d`` layer applied to one sequence of shape (C, L).

    The same arguments, defaults and rules as :class:`Conv2dSpec`, on one axis: sizes are
    1-tuples after construction (``kernel_size == (3,)``), ``input_shape`` is (C, L), or (L,)
    meaning C = 1.
    """

    DIMS: ClassVar[int] = 1

    def as_conv2d(self) -> Conv2dSpec:
        """The same layer as a Conv2d over a (C, 1, L) input: what convgif computes and draws."""
        padding = self.padding_arg if isinstance(self.padding_arg, str) else (0, self.padding[0])
        return Conv2dSpec(
            (self.in_channels, 1, self.input_shape[1]),
            self.out_channels,
            (1, self.kernel_size[0]),
            (1, self.stride[0]),
            padding,
            (1, self.dilation[0]),
            self.groups,
            self.bias,
            self.padding_mode,
        )


@dataclass(frozen=True)
class Conv3dSpec(_ConvSpec):
    """One ``torch.nn.Conv3d`` layer applied to one input of shape (C, D, H, W).

    The same arguments, defaults and rules as :class:`Conv2dSpec`, on three axes: sizes are
    triples after construction, ``input_shape`` is (C, D, H, W), or (D, H, W) meaning C = 1.
    """

    DIMS: ClassVar[int] = 3


#: The direct convolution spec of each number of spatial axes.
CONV_SPECS = {1: Conv1dSpec, 2: Conv2dSpec, 3: Conv3dSpec}


# -- the picture, shared with every kind drawn as a direct convolution --------------------------


def read_extent(spec: Conv2dSpec, region: Region) -> tuple[tuple[int, int], tuple[int, int]]:
    """The padded input rows and columns (start, stop) that the output ``region`` reads."""
    return tuple(  # type: ignore[return-value]
        (start * s, (stop - 1) * s + r)
        for (start, stop), s, r in zip((region.rows, region.cols), spec.stride, spec.receptive_field)
    )


def conv_geometry(
    spec: Conv2dSpec,
    caption: str,
    dims: int = 2,
    notes: tuple[str, ...] = (),
    region: Optional[Region] = None,
    **more: Any,
) -> Geometry:
    """How a direct convolution over (C, H, W) is laid out: padded input, kernels, output (only
    ``region`` of the output, and the input it reads, when given). ``more`` replaces the
    geometry's other fields (headings, labels)."""
    cg_in, cg_out = spec.in_per_group, spec.out_per_group
    sizes = list(zip(spec.padded_shape[1:], spec.input_shape[1:]))
    state = [
        word for word, on in (("padded", any(p > n for p, n in sizes)), ("cropped", any(p < n for p, n in sizes))) if on
    ]
    _, ho, wo = spec.output_shape
    groups = range(min(spec.groups, MAX_SHOWN_IN))
    last = conv_step_text(
        [g * cg_out + cg_out - 1 for g in groups], dims, ho - 1, wo - 1, spec.steps - 1, spec.steps, True
    )
    y_last = f"y[{position(dims, spec.out_channels - 1, ho - 1, wo - 1)[1:-1]}]"

    def blame(axis: int) -> tuple[str, object, str]:
        padded = max(spec.padding[axis], 0) + max(spec.padding_end[axis], 0)
        if padded > spec.input_shape[1 + axis]:
            return "padding", spec.padding_arg, "padding"
        return "input_shape", spec.input_shape, "input"

    fields: dict[str, Any] = dict(
        layer=spec,
        caption=caption,
        dims=dims,
        in_channels=spec.in_channels,
        out_channels=spec.out_channels,
        groups=spec.groups,
        grid=spec.padded_shape[1:],
        kernel=spec.kernel_size,
        out_size=spec.output_shape[1:],
        steps_per_column=math.prod(spec.output_shape[1:]),
        input_heading=f"input ({', '.join(state)})" if state else "input",
        kernel_label=lambda c, j: f"w[{c // cg_in * cg_out + j},{c % cg_in}]",
        blame=blame,
        notes=notes,
        step_text=last,
        sum_chars=lambda chars, drawn: conv_sum_chars(spec, len(y_last), chars, drawn),
        value_chars=example_chars(cg_in * math.prod(spec.kernel_size)),
    )
    if region is not None:
        (y0, y1), (x0, x1) = read_extent(spec, region)
        _, hp, wp = spec.padded_shape
        padded = f" ({', '.join(state)})" if state else ""
        note = part_note(
            dims, region, (ho, wo), Region((y0, y1), (x0, x1)), (hp, wp), f"the input{padded}", "they read"
        )
        in_cut, out_cut = (y0, y1, x0, x1) != (0, hp, 0, wp), region.cuts((ho, wo))  # "part" only where cut
        fields.update(
            grid=(y1 - y0, x1 - x0),
            out_size=region.size,
            steps_per_column=math.prod(region.size),
            input_heading=f"input{padded}" + (", part" if in_cut else ""),
            output_heading="output" + (", part" if out_cut else ""),
            part=Part(
                Crop((hp, wp), (y0, x0)) if in_cut else None,
                Crop((ho, wo), (region.rows[0], region.cols[0])) if out_cut else None,
            ),
            notes=(*notes, note),
        )
    fields.update(more)
    return Geometry(**fields)


def conv_sum_chars(spec: Any, y: int, chars: int, drawn: tuple) -> int:
    """Characters of a step's sum line: an entry (``y[…] = Σ x·w + b = a + b = v``, longer when
    channels of a group are left out) for each group drawn."""
    shown_in = drawn[0]
    groups = len({c // spec.in_per_group for c in shown_in})
    entry = y + len(" = Σ x·w + b = ") + 3 * (chars + 1) + 6
    if len(shown_in) < spec.in_per_group:  # Σ x[0..2]·w + Σ x[3..63]·w, and what is not drawn
        entry += 2 * len(str(spec.in_channels)) * 3 + 36 + chars
    return groups * (entry + 3) - 3


def example_chars(terms: int) -> int:
    """Characters of the widest output expected of example values summed over ``terms``
    products (inputs 0..3 times weights -1..1, plus a bias up to 2): four standard deviations
    of such a sum, about 1.53·√terms each, for choosing a part before anything is recorded."""
    return len(str(-(math.ceil(4 * 1.53 * math.sqrt(terms)) + 2)))


def conv_step_text(channels: Sequence[int], dims: int, oy: int, ox: int, step: int, steps: int, part: bool) -> str:
    """The step line of a direct convolution: the output channels written (one per group drawn),
    the position and the step, counted among the ``steps`` drawn (``of this part`` when the
    picture is a part of the layer)."""
    which = f"out channel {channels[0]}" if len(channels) == 1 else f"out channels {', '.join(map(str, channels))}"
    return f"{which} · {position(dims, oy, ox)} · step {step + 1}/{steps}{' of this part' if part else ''}"


def position(dims: int, *index: int) -> str:
    """An output position as the layer indexes it: (oy, ox), or (ox,) for a Conv1d."""
    return str(tuple(index) if dims == 2 else tuple(index[:-2]) + (index[-1],))


def sum_entry(
    y: str, value: Any, bias: Any, drawn: Optional[tuple[str, str, Any]] = None, scale: float = 0.0, x: str = "x"
) -> str:
    """One output's sum as the sum line writes it: the products' total, the bias, the value,
    each written as a cell of an output whose largest magnitude is ``scale`` writes it (float
    noise as 0). ``drawn`` is (the channels drawn, the channels not drawn, the products of
    those drawn) when the picture leaves some of the channels summed out: both parts are then
    written."""

    def text(v: Any) -> str:
        return format_value(v, scale)

    products = value if bias is None else value - bias
    if drawn is None:
        terms, parts = [f"Σ {x}·w"], [text(products)]
    else:
        shown, hidden, part = drawn
        terms, parts = [f"Σ {x}[{shown}]·w", f"Σ {x}[{hidden}]·w"], [text(part), text(products - part)]
    if bias is not None:
        terms.append("b")
        parts.append(text(bias))
    line = f"{y} = {' + '.join(terms)}"
    if len(parts) > 1:
        line += f" = {' + '.join(parts)}"
    line += f" = {text(value)}"
    return line + (f" ({x}[{drawn[1]}] not drawn)" if drawn is not None else "")


def conv_drawn(
    recording: Recording,
    geometry: Geometry,
    pixels: bool = False,
    filler: Optional[np.ndarray] = None,
    filler_name: str = "padding",
    region: Optional[Region] = None,
    picture: Optional[WholePicture] = None,
    inserted: Optional[np.ndarray] = None,
) -> Drawn:
    """A recorded direct convolution as the renderer draws it. ``filler`` marks the input cells
    that are not the layer's input (default: its padding, shown as copies for modes that copy).
    With ``region``, only that part of the output and the input cells it reads; a picture's
    pixels (``pixels``) are then shown whole too, as ``picture`` gives them (default: the
    recording's input, when the grid is that input padded: ``filler`` not given). ``inserted``
    marks the filler cells that are zeros inserted between input cells. Cells no drawn step
    reads are marked ``unread``."""
    spec = recording.spec
    own_input = filler is None
    copies = filler is None and spec.padding_mode != "zeros"
    if filler is None:
        filler = padding_mask(spec, 0)[:, None] | padding_mask(spec, 1)[None, :]
    grid, output = recording.padded, recording.output
    whole = Region.of(region, spec.output_shape[1:])
    unread = ~(read_mask(spec, 0, *whole.rows)[:, None] & read_mask(spec, 1, *whole.cols)[None, :])
    if region is not None:
        (y0, y1), (x0, x1) = read_extent(spec, region)
        grid, filler, unread = grid[:, y0:y1, x0:x1], filler[y0:y1, x0:x1], unread[y0:y1, x0:x1]
        inserted = None if inserted is None else inserted[y0:y1, x0:x1]
        output = output[:, slice(*region.rows), slice(*region.cols)]
        if picture is None and pixels and own_input and geometry.dims == 2 and recording.input.shape[0] in (1, 3):
            picture = picture_read(recording.input, spec.padding, (y0, y1), (x0, x1))
    if not pixels or region is None:
        picture = None
    weights = recording.distinct_weights()
    return Drawn(
        geometry=geometry,
        grid=grid,
        filler=filler,
        kernels=recording.weight,
        output=output,
        playback=ConvPlayback(recording, geometry, region),
        copies=copies,
        value_chars=max(widest(grid, output), widest(recording.weight, scale=magnitude(weights))),
        pixels=pixels,
        filler_name=filler_name,
        kernel_channels=recording.kept,
        kernel_values=weights,
        picture=picture,
        inserted=inserted,
        unread=unread if unread.any() else None,
    )


def picture_read(
    pixels: np.ndarray, padding: tuple[int, ...], rows: tuple[int, int], cols: tuple[int, int]
) -> WholePicture:
    """The whole picture ``pixels`` (C, H, W) with the part that padded rows and columns
    (start, stop) read: shifted by the padding before them (negative: cropped) and clipped to
    the picture."""
    _, height, width = pixels.shape
    (top, left), clip = padding, lambda v, n: min(max(v, 0), n)
    return WholePicture(
        pixels,
        (clip(rows[0] - top, height), clip(rows[1] - top, height)),
        (clip(cols[0] - left, width), clip(cols[1] - left, width)),
    )


class ConvPlayback:
    """Steps of a direct convolution: kernel column j, output row, output column; every group
    drawn writes its own output cell at each step. The steps are those of the columns drawn;
    a picture drawing fewer channels than a group sums writes both parts of each sum."""

    def __init__(self, recording: Recording, geometry: Geometry, region: Optional[Region] = None) -> None:
        self.recording = recording
        self.spec = spec = recording.spec
        self.dims = geometry.dims
        _, ho, wo = spec.output_shape
        self.region = Region.of(region, (ho, wo))
        shown_in, columns, shown_out = shown(geometry)
        self.groups = sorted({c // spec.in_per_group for c in shown_in})
        self.drawn = len(shown_in) if len(shown_in) < spec.in_per_group else None  # channels of a group drawn
        self.steps = len(columns) * math.prod(self.region.size)
        self.part = geometry.part is not None or len(shown_in) < spec.in_channels or len(shown_out) < spec.out_channels
        (y0, _), (x0, _) = read_extent(spec, self.region)
        self._shift = np.array([0, y0, x0])  # from the padded input to the cells drawn
        self.scale = magnitude(recording.output[:, slice(*self.region.rows), slice(*self.region.cols)])
        self.names = geometry.input_name, geometry.output_label(0).split("[")[0]  # x and y, as the picture says

    def _index(self, step: int) -> tuple[int, int, int]:
        """(column, output row, output column) of a step, in the layer's own coordinates."""
        h, w = self.region.size
        j, rest = divmod(step, h * w)
        oy, ox = divmod(rest, w)
        return j, oy + self.region.rows[0], ox + self.region.cols[0]

    def advance(self, step: int) -> list:
        j, oy, ox = self._index(step)
        y, x = oy - self.region.rows[0], ox - self.region.cols[0]  # as drawn
        output, per = self.recording.output, self.spec.out_per_group
        return [
            Writes(co, np.array([y]), np.array([x]), output[co, oy : oy + 1, ox : ox + 1], (y, x, y + 1, x + 1))
            for co in range(j, self.spec.out_channels, per)
        ]

    def _taps(self, co: int, oy: int, ox: int) -> np.ndarray:
        rec = self.recording
        return rec.placements[int(np.ravel_multi_index((co, oy, ox), rec.output.shape))].taps

    def show(self, step: int) -> Any:
        spec, rec = self.spec, self.recording
        j, oy, ox = self._index(step)
        rh, rw = spec.receptive_field

        def reads(group: int) -> Reads:
            taps = self._taps(group * spec.out_per_group + j, oy, ox) - self._shift
            _, top, left = taps[0]
            return Reads(taps, (int(top), int(left), int(top) + rh, int(left) + rw))

        channels = [g * spec.out_per_group + j for g in self.groups]
        text = conv_step_text(channels, self.dims, oy, ox, step, self.steps, self.part)
        sums = []
        every = range(j, spec.out_channels, spec.out_per_group)  # every group's output cell
        for co in every:
            y = f"{self.names[1]}[{position(self.dims, co, oy, ox)[1:-1]}]"
            b = None if rec.bias is None else rec.bias[co]
            sums.append(
                sum_entry(y, rec.output[co, oy, ox], b, self._drawn_part(co, oy, ox), self.scale, self.names[0])
            )
        return Step(j, LazyReads(reads), self.advance(step), text, tuple(sums), tuple(every))

    def _drawn_part(self, co: int, oy: int, ox: int) -> Optional[tuple[str, str, Any]]:
        """For a picture drawing ``drawn`` of the channels a group sums: their names, those of
        the channels not drawn, and the sum of the drawn channels' products."""
        if self.drawn is None:
            return None
        spec, rec = self.spec, self.recording
        first = co // spec.out_per_group * spec.in_per_group
        taps = self._taps(co, oy, ox)
        kernel = rec.weight[_kernel_row(rec, co)].reshape(-1)
        mine = taps[:, 0] - first < self.drawn
        products = rec.padded[tuple(taps[mine].T)] * kernel[mine]
        last = first + spec.in_per_group - 1
        drawn = _span(first, first + self.drawn - 1)
        return drawn, _span(first + self.drawn, last), products.sum()


def _span(first: int, last: int) -> str:
    """Channels ``first`` to ``last`` as an index: ``3`` or ``3..63``."""
    return str(first) if first == last else f"{first}..{last}"


def _kernel_row(recording: Recording, channel: int) -> int:
    """Where output channel ``channel``'s kernels are in a recording that may keep only some."""
    if recording.kept is None:
        return channel
    return int(np.searchsorted(recording.kept, channel))


def _widest_text(*arrays) -> int:
    """Characters of the widest number written for these arrays (None skipped)."""
    return widest(*(a for a in arrays if a is not None))


# -- the operations ---------------------------------------------------------------------------


class DirectConv(Operation):
    """Conv1d, Conv2d and Conv3d: the same rules on one, two or three axes. A Conv1d is drawn as
    its Conv2d over one row, from its own recording seen as that row."""

    def __init__(self, spec_type: type, name: str, dims: int) -> None:
        self.spec_type = spec_type  # type: ignore[misc]
        self.name = name  # type: ignore[misc]
        self.dims = dims  # type: ignore[misc]
        drawn = dims < 3
        self.views = ("region", "view") if drawn else ("region",)  # type: ignore[misc]
        self.view_names = ("matrix",) if drawn else ()  # type: ignore[misc]  Y = W·X

    def arguments_from_weight(self, shape: tuple[int, ...], input_channels: int, groups: Any = None) -> dict[str, Any]:
        """(C_out, C_in/G, *kernel): out_channels, and groups from the input's channels."""
        if len(shape) != self.dims + 2:
            raise SpecError("layer", f"a weight of shape {shape} is not a {self.name}'s")
        inferred, rest = divmod(input_channels, shape[1])
        if rest or inferred < 1 or shape[0] % inferred:
            raise SpecError(
                "input_shape",
                f"a weight of shape {shape}: no number of groups makes it take {input_channels} input channels",
            )
        return {"out_channels": shape[0], "groups": inferred, "kernel_size": tuple(shape[2:])}

    def planar(self, spec: Any) -> Conv2dSpec:
        """The Conv2d a picture draws: the layer itself, or a Conv1d as one row."""
        if self.dims == 3:
            raise self.not_drawn()
        return spec.as_conv2d() if self.dims == 1 else spec

    def record(self, spec: Any, seed: int = 0, *, input: Any = None, weight: Any = None, bias: Any = None) -> Recording:
        """A :class:`convgif.engine.direct.Recording` in the layer's own shapes: input (C, *sizes),
        weight (C_out, C_in/G, *kernel), output (C_out, *output sizes); placements index
        (co, *position) and read (c, *position)."""
        return record_direct(spec, seed, input, weight, bias)

    def record_drawn(
        self,
        spec: Any,
        seed: int,
        kernels: Sequence[Collection[int]],
        *,
        input: Any = None,
        weight: Any = None,
        bias: Any = None,
    ) -> Recording:
        """The recording with only the kernels of the output channels drawn (see
        :func:`convgif.engine.direct.record_direct`)."""
        return record_direct(spec, seed, input, weight, bias, kernels[0])

    def weight_shape(self, spec: Any) -> tuple[int, ...]:
        return (spec.out_channels, spec.in_per_group, *spec.kernel_size)

    def geometries(
        self, spec: Any, region: Optional[Region] = None, view: Optional[str] = None, **rest: Any
    ) -> list[Geometry]:
        """The sliding window's picture, or with ``view="matrix"`` the layer as ``Y = W·X``
        (:mod:`convgif.ops.matrix`)."""
        self.check_view(view=view, **rest)
        if view == "matrix":
            from .matrix import product_geometry

            return [product_geometry(spec, self.planar(spec), self.dims, region)]
        return [conv_geometry(self.planar(spec), spec.caption, self.dims, region=region)]

    def drawings(
        self,
        spec: Any,
        recording: Any,
        pixels: bool = False,
        region: Optional[Region] = None,
        geometries: Optional[list] = None,
        view: Optional[str] = None,
        **rest: Any,
    ) -> list[Drawn]:
        (geometry,) = geometries or self.geometries(spec, region, view, **rest)
        planar = as_row(recording, self.planar(spec)) if self.dims == 1 else recording
        if view == "matrix":
            from .matrix import product_drawn

            return [product_drawn(planar, geometry, pixels, region)]
        return [conv_drawn(planar, geometry, pixels, region=region)]

    def name_parts(self, spec: Any, **view: Any) -> list[str]:
        parts = ["x".join(map(str, spec.input_shape)), f"out{spec.out_channels}", f"k{dims_text(spec.kernel_size)}"]
        if max(spec.stride) != 1:
            parts.append(f"s{dims_text(spec.stride)}")
        if spec.padding_arg != (0,) * spec.DIMS:
            parts.append(f"p{dims_text(spec.padding_arg)}")
        if max(spec.dilation) != 1:
            parts.append(f"d{dims_text(spec.dilation)}")
        if spec.groups != 1:
            parts.append(f"g{spec.groups}")
        if spec.padding_mode != "zeros":
            parts.append(spec.padding_mode)
        if not spec.bias:
            parts.append("nobias")
        return parts

    def facts(self, spec: Any) -> dict[str, Any]:
        formulas = []
        for i, axis in enumerate(AXES[self.dims]):
            n, k, s, d = spec.input_shape[1 + i], spec.kernel_size[i], spec.stride[i], spec.dilation[i]
            start, end = spec.padding[i], spec.padding_end[i]
            padded = f"2·{start}" if start == end else f"{start} + {end}"
            formulas.append(
                f"{axis}_out = floor(({n} + {padded} − {d}·({k} − 1) − 1) / {s} + 1) = {spec.output_shape[1 + i]}"
            )
        from .matrix import product_facts

        return {**conv_facts(spec, self.name, formulas, math.prod(spec.output_shape)), **product_facts(spec)}


def conv_facts(spec: Any, kind: str, formulas: list[str], placements: int, weights_formula: str = "") -> dict[str, Any]:
    """The figures every convolution reports; ``weights_formula`` replaces C_out · C_in/G · …"""
    kernel = " · ".join(map(str, spec.kernel_size))
    names = " · ".join(f"K{axis}" for axis in AXES[spec.DIMS]) if spec.DIMS > 1 else "K"
    weights = spec.out_channels * spec.in_per_group * math.prod(spec.kernel_size)
    formula = weights_formula or f"C_out · C_in/G · {names} = {spec.out_channels} · {spec.in_per_group} · {kernel}"
    return {
        **shape_facts(kind, spec),
        "dilation": list(spec.dilation),
        "groups": spec.groups,
        "bias": spec.bias,
        "num_parameters": spec.num_parameters,
        "macs": spec.macs,
        "receptive_field": [d * (k - 1) + 1 for d, k in zip(spec.dilation, spec.kernel_size)],
        "placements": placements,
        "steps": spec.steps,
        "output_size_formulas": formulas,
        "parameter_formulas": [
            f"weights = {formula} = {weights:,}",
            f"bias = C_out = {spec.out_channels}" if spec.bias else "bias: none",
        ],
    }


def as_row(recording: Recording, planar: Conv2dSpec) -> Recording:
    """A Conv1d's recording seen as its Conv2d over one row (views of the same arrays)."""
    row = lambda a: a[:, None, :]  # noqa: E731
    return Recording(
        planar,
        row(recording.input),
        row(recording.padded),
        recording.weight[:, :, None, :],
        recording.bias,
        row(recording.output),
        Placements(planar, row(recording.output)),
        recording.kept,
        recording.weight_values,
    )


CONV1D = DirectConv(Conv1dSpec, "Conv1d", 1)
CONV2D = DirectConv(Conv2dSpec, "Conv2d", 2)
CONV3D = DirectConv(Conv3dSpec, "Conv3d", 3)
CONV1D.torch_signature = CONV2D.torch_signature = CONV3D.torch_signature = (  # type: ignore[misc]
    "in_channels",
    "out_channels",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "groups",
    "bias",
    "padding_mode",
)
