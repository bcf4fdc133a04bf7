"""Conv2d arguments, validated and normalised exactly as ``torch.nn.Conv2d`` does.

A :class:`Conv2dSpec` is the single description of a layer that every later stage reads:
the engine computes with it, the renderer captions with it, the CLI builds it from options.
"""

from __future__ import annotations

import dataclasses
import math
from functools import cached_property
import numbers
from dataclasses import dataclass, field
from typing import ClassVar, Union


PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
PADDING_STRINGS = ("same", "valid")


class SpecError(ValueError):
    """An argument convgif refuses, ``argument`` naming it (e.g. ``"groups"``).

    Raised for everything PyTorch would refuse, and by the later stages for options of their
    own and for configurations too large to draw (:class:`convgif.TooLargeError`).
    """

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(message)
        self.argument = argument


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _fmt(value: object) -> str:
    return repr(tuple(value)) if isinstance(value, list) else repr(value)


_TUPLE_WORDS = {1: "a 1-tuple (l,)", 2: "a pair of integers (h, w)"}
_SHAPE_WORDS = {1: "(C, L) or (L,)", 2: "(C, H, W) or (H, W)"}


def to_tuple(name: str, value: object, dims: int = 2) -> tuple[int, ...]:
    """Normalise an int-or-tuple argument as ``torch.nn.modules.utils._pair`` (or ``_single``)."""
    if _is_int(value):
        return (int(value),) * dims  # type: ignore[call-overload]
    if isinstance(value, (tuple, list)) and len(value) == dims and all(_is_int(v) for v in value):
        return tuple(int(v) for v in value)
    raise SpecError(name, f"{name}={_fmt(value)} must be an integer or {_TUPLE_WORDS[dims]}")


def _positive_tuple(name: str, value: object, dims: int) -> tuple[int, ...]:
    values = to_tuple(name, value, dims)
    if min(values) < 1:
        raise SpecError(name, f"{name}={_fmt(value)} must be positive")
    return values


def _positive_int(name: str, value: object) -> int:
    if not _is_int(value) or int(value) < 1:  # type: ignore[arg-type]
        raise SpecError(name, f"{name}={_fmt(value)} must be a positive integer")
    return int(value)  # type: ignore[arg-type]


def _shape(value: object, dims: int) -> tuple[int, ...]:
    if (
        isinstance(value, (tuple, list))
        and len(value) in (dims, dims + 1)
        and all(_is_int(v) for v in value)
        and min(value) >= 1
    ):
        sizes = tuple(int(v) for v in value)
        return sizes if len(sizes) == dims + 1 else (1, *sizes)
    raise SpecError(
        "input_shape", f"input_shape={_fmt(value)} must be {_SHAPE_WORDS[dims]} of positive integers"
    )


def caption_line(input_shape: object, output_shape: object, k: object, p: object, s: object, d: object, g: object, *more: str) -> str:
    """The reference article's caption: shapes, then K, P, S, D and G, joined by em dashes."""
    parts = [f"Input Shape : {input_shape}", f"Output Shape : {output_shape}", f"K : {k}", f"P : {p}", f"S : {s}", f"D : {d}", f"G : {g}"]
    return " \u2014 ".join([*parts, *more])


class _Channels:
    """Channel arithmetic and the checks every layer kind shares."""

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
        weights = self.out_channels * self.in_per_group * math.prod(getattr(self, "kernel_size"))
        return weights + (self.out_channels if getattr(self, "bias") else 0)

    def _normalise_sizes(self, put) -> None:
        """Shape, channels, kernel size, stride, dilation, groups and bias, as PyTorch takes them."""
        dims = self.DIMS
        put("input_shape", _shape(self.input_shape, dims))
        put("out_channels", _positive_int("out_channels", self.out_channels))
        for name in ("kernel_size", "stride", "dilation"):
            put(name, _positive_tuple(name, getattr(self, name), dims))
        if not _is_int(self.groups) or int(self.groups) < 1:
            raise SpecError("groups", f"groups={_fmt(self.groups)} must be a positive integer")
        put("groups", int(self.groups))
        bias = getattr(self, "bias")
        if not isinstance(bias, (bool, numbers.Integral)):
            raise SpecError("bias", f"bias={bias!r} must be True or False")
        put("bias", bool(bias))

    def _caption(self, padding: object, *more: str) -> str:
        return caption_line(
            self.input_shape, getattr(self, "output_shape"), getattr(self, "kernel_size"), padding,
            getattr(self, "stride"), getattr(self, "dilation"), self.groups, *more,
        )

    def _check_groups(self) -> None:
        g = self.groups
        if self.in_channels % g:
            raise SpecError("groups", f"groups={g} must divide in_channels={self.in_channels}")
        if self.out_channels % g:
            raise SpecError("groups", f"groups={g} must divide out_channels={self.out_channels}")


@dataclass(frozen=True)
class _ConvSpec(_Channels):
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
                    f"padding={padding!r} must be an integer, {_TUPLE_WORDS[self.DIMS][2:]}, 'same' or 'valid'",
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
            start = end = to_tuple("padding", padding, self.DIMS)
            put("padding_arg", start)
            if min(start) < 0 and self.padding_mode == "zeros":
                raise SpecError(
                    "padding",
                    f"padding={_fmt(padding)} must be non-negative with padding_mode='zeros' "
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
                f"padding={_fmt(shown)} with padding_mode='reflect' must be smaller than the "
                f"input size {size}: reflection cannot reach past the opposite edge",
            )
        if self.padding_mode == "circular" and any(p > n for p, n in zip(pads, size)):
            raise SpecError(
                "padding",
                f"padding={_fmt(shown)} with padding_mode='circular' must be at most the "
                f"input size {size}: it would wrap around more than once",
            )
        if min(self.padded_shape[1:]) < 1:
            raise SpecError(
                "padding",
                f"padding={_fmt(shown)} crops the input {size} to nothing",
            )

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
        """
        if self.padding == self.padding_end:
            return self._caption(self.padding)
        return self._caption(tuple(zip(self.padding, self.padding_end)))

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
class ConvTranspose2dSpec(_Channels):
    """One ``torch.nn.ConvTranspose2d`` layer applied to one input of shape (C, H, W).

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

    DIMS: ClassVar[int] = 2
    padding_mode: ClassVar[str] = "zeros"  # the only one PyTorch supports for it

    def __post_init__(self) -> None:
        put = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        self._normalise_sizes(put)
        for name in ("padding", "output_padding"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise SpecError(name, f"{name}={value!r} must be an integer or a pair (h, w): a transposed convolution takes no 'same' or 'valid'")
            amounts = to_tuple(name, value, 2)
            if min(amounts) < 0:
                raise SpecError(name, f"{name}={_fmt(value)} must be non-negative")
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
        """(C_out, H_out, W_out): ``(H - 1)·s - 2·p + d·(k - 1) + output_padding + 1`` per axis."""
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
        return self._caption(self.padding, *more)

    def as_conv(self) -> Conv2dSpec:
        """The equivalent direct convolution: over the input with ``stride - 1`` zeros inserted
        between cells and ``dilation·(k - 1) - padding`` added around (``output_padding`` more at
        the bottom/right), with the flipped kernel, stride 1 and the same dilation."""
        sizes = tuple(
            (n - 1) * s + 1 + 2 * (d * (k - 1) - p) + op
            for n, s, d, k, p, op in zip(
                self.input_shape[1:], self.stride, self.dilation, self.kernel_size, self.padding, self.output_padding
            )
        )
        return Conv2dSpec(
            (self.in_channels, *sizes), self.out_channels, self.kernel_size, 1, 0, self.dilation, self.groups, self.bias
        )


@dataclass(frozen=True)
class SeparableSpec:
    """A depthwise-separable convolution: a depthwise Conv2d (one kernel per input channel,
    G = C_in) then a pointwise 1×1 Conv2d mixing the channels, in place of one standard Conv2d
    with the same arguments. Padding, stride and dilation belong to the depthwise step.
    """

    input_shape: tuple[int, ...]
    out_channels: int = 1
    kernel_size: tuple[int, ...] = 3  # type: ignore[assignment]
    stride: tuple[int, ...] = 1  # type: ignore[assignment]
    padding: Union[str, tuple[int, ...]] = 0  # type: ignore[assignment]
    dilation: tuple[int, ...] = 1  # type: ignore[assignment]
    bias: bool = True
    padding_mode: str = "zeros"
    depthwise: Conv2dSpec = field(init=False, repr=False)
    pointwise: Conv2dSpec = field(init=False, repr=False)
    standard: Conv2dSpec = field(init=False, repr=False)

    DIMS: ClassVar[int] = 2

    def __post_init__(self) -> None:
        put = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        standard = Conv2dSpec(
            self.input_shape, self.out_channels, self.kernel_size, self.stride, self.padding,
            self.dilation, 1, self.bias, self.padding_mode,
        )
        c = standard.in_channels
        depthwise = standard.replace(out_channels=c, groups=c)
        pointwise = Conv2dSpec(depthwise.output_shape, self.out_channels, 1, bias=standard.bias)
        for name in ("input_shape", "kernel_size", "stride", "dilation", "bias"):
            put(name, getattr(standard, name))
        put("padding", standard.padding_arg)
        put("standard", standard)
        put("depthwise", depthwise)
        put("pointwise", pointwise)

    @property
    def in_channels(self) -> int:
        return self.input_shape[0]

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.pointwise.output_shape

    @property
    def num_parameters(self) -> int:
        """Depthwise C_in·KH·KW plus pointwise C_out·C_in (plus their biases)."""
        return self.depthwise.num_parameters + self.pointwise.num_parameters

    @property
    def steps(self) -> int:
        return self.depthwise.steps + self.pointwise.steps

    @property
    def macs(self) -> int:
        return self.depthwise.macs + self.pointwise.macs

    @property
    def caption(self) -> str:
        """The standard convolution's caption with the output and groups of the two steps."""
        d = self.depthwise
        padding = d.padding if d.padding == d.padding_end else tuple(zip(d.padding, d.padding_end))
        return caption_line(
            self.input_shape, self.output_shape, f"{self.kernel_size} then (1, 1)", padding,
            self.stride, self.dilation, f"{self.in_channels} then 1",
        )

    @property
    def comparison(self) -> str:
        """The parameter count set against the standard convolution's, sums written out."""
        kh, kw = self.kernel_size
        c, o = self.in_channels, self.out_channels
        dw = f"{c}·{kh}·{kw}" + (f" + {c}" if self.bias else "")
        pw = f"{o}·{c}·1·1" + (f" + {o}" if self.bias else "")
        std = f"{o}·{c}·{kh}·{kw}" + (f" + {o}" if self.bias else "")
        return (
            f"parameters: depthwise {dw} + pointwise {pw} = {self.num_parameters:,}; "
            f"standard {std} = {self.standard.num_parameters:,}"
        )
