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

from ..engine.direct import Placements, Recording, read_spans, record_direct
from ..errors import SpecError
from ..picture.model import (
    Drawn,
    Geometry,
    Region,
)
from . import args
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
from .base import Operation, count_facts, dims_text, shape_facts
from .sliding import conv_drawn, conv_geometry

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

    def convolution(self, input_shape: tuple[int, ...], out_channels: int, kernel_size: Any, **arguments: Any) -> Any:
        """A plain convolution over ``input_shape`` (C, *sizes), zero padding, no bias unless
        asked: the convolutions this layer's backward pass is made of."""
        return CONV_SPECS[len(input_shape) - 1](input_shape, out_channels, kernel_size, **{"bias": False, **arguments})

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

    def plane(self) -> Conv2dSpec:
        """The Conv2d each output depth slice is: over the (channel c, depth d) pairs it reads
        (C_in · KD input channels, c-major), with the layer's height and width arguments; a
        picture draws it (see :mod:`convgif.ops.depth`)."""
        padding = self.padding_arg if isinstance(self.padding_arg, str) else self.padding[1:]
        _, _, h, w = self.input_shape
        return Conv2dSpec(
            (self.in_channels * self.kernel_size[0], h, w),
            self.out_channels,
            self.kernel_size[1:],
            self.stride[1:],
            padding,
            self.dilation[1:],
            self.groups,
            self.bias,
            self.padding_mode,
        )


#: The direct convolution spec of each number of spatial axes.
CONV_SPECS = {1: Conv1dSpec, 2: Conv2dSpec, 3: Conv3dSpec}


# -- the operations ---------------------------------------------------------------------------


class DirectConv(Operation):
    """Conv1d, Conv2d and Conv3d: the same rules on one, two or three axes. A Conv1d is drawn as
    its Conv2d over one row, from its own recording seen as that row."""

    draws_parts = True

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
        """The Conv2d a picture draws: the layer itself, or a Conv1d as one row (a Conv3d's
        backward pass is not drawn)."""
        if self.dims == 3:
            raise self.backward_not_drawn()
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
        region: Optional[Region] = None,
    ) -> Recording:
        """The recording with only the kernels of the output channels drawn and, with
        ``region``, only that part of the output and the input it reads (see
        :func:`convgif.engine.direct.record_direct`)."""
        if self.dims == 3:  # a depth picture per output depth: a part holds every depth's
            if region is None or spec.numbers <= args.MAX_ELEMENTS:
                return record_direct(spec, seed, input, weight, bias)
            keep = sorted({int(co) for channels in kernels for co in channels})
            spans = [(0, spec.output_shape[1]), region.rows, region.cols]
            return record_direct(spec, seed, input, weight, bias, keep, spans)
        spans = None if region is None else (region.rows, region.cols)[2 - self.dims :]
        return record_direct(spec, seed, input, weight, bias, kernels[0], spans)

    def weight_shape(self, spec: Any) -> tuple[int, ...]:
        return (spec.out_channels, spec.in_per_group, *spec.kernel_size)

    def part_numbers(self, spec: Any, region: Region) -> int:
        """How many numbers recording the part ``region`` of the output holds: the input cells
        it reads, the whole weight and the part of the output."""
        spans = [(int(a), int(b)) for a, b in (region.rows, region.cols)[max(2 - self.dims, 0) :]]
        if self.dims == 3:  # every output depth is drawn
            spans.insert(0, (0, spec.output_shape[1]))
        reads = read_spans(spec, spans)
        weights = spec.out_channels * spec.in_per_group * math.prod(spec.kernel_size)
        cells = math.prod(b - a for a, b in reads) * spec.input_shape[0]
        return cells + weights + math.prod(b - a for a, b in spans) * spec.out_channels

    def geometries(
        self, spec: Any, region: Optional[Region] = None, view: Optional[str] = None, **rest: Any
    ) -> list[Geometry]:
        """The sliding window's picture, or with ``view="matrix"`` the layer as ``Y = W·X``
        (:mod:`convgif.ops.matrix`)."""
        self.check_view(view=view, **rest)
        if view == "matrix":
            from .matrix import product_geometry

            return [product_geometry(spec, self.planar(spec), self.dims, region)]
        if self.dims == 3:
            from .depth import depth_geometries

            return depth_geometries(spec, region)
        return [conv_geometry(self.planar(spec), spec.caption, self.dims, region=region, each_group=True)]

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
        if self.dims == 3:
            from .depth import depth_drawings

            return depth_drawings(
                spec, recording, geometries or self.geometries(spec, region, view, **rest), pixels, region
            )
        (geometry,) = geometries or self.geometries(spec, region, view, **rest)
        planar = as_row(recording, self.planar(spec)) if self.dims == 1 else recording
        if view == "matrix":
            from .matrix import product_drawn

            return [product_drawn(planar, geometry, pixels, region)]
        return [conv_drawn(planar, geometry, pixels, region=region)]

    def gradients(self, spec: Any, recording: Any, grad_output: Any) -> Any:
        """dx (the padding's gradients folded back), dw and db (see :mod:`convgif.engine.backward`)."""
        from ..engine.backward import conv_grads

        return conv_grads(spec, recording.padded, recording.weight, grad_output, spec.bias)

    def backward_geometries(self, spec: Any, region: Optional[Region] = None, **view: Any) -> list[Geometry]:
        """dx, dw and db, each drawn as a direct convolution (see :mod:`convgif.ops.backward`)."""
        from .backward import refuse_region
        from .backward_conv import conv_geometries

        self.check_view(**view)
        refuse_region(region)
        if self.dims == 3:
            from .backward_conv3d import conv3d_geometries

            return conv3d_geometries(spec)
        return conv_geometries(self.planar(spec), spec.caption, self.dims, _input_blame(spec), bias=spec.bias)

    def backward_drawings(
        self, spec: Any, recording: Any, pixels: bool = False, geometries: Any = None, **view: Any
    ) -> list[Drawn]:
        from .backward_conv import conv_drawings

        if self.dims == 3:
            from .backward_conv3d import conv3d_drawings

            return conv3d_drawings(spec, geometries or self.backward_geometries(spec, **view), recording, pixels)
        rec = recording.forward if self.dims == 2 else as_row(recording.forward, self.planar(spec))
        dy = recording.grad_output if self.dims == 2 else recording.grad_output[:, None, :]
        geometries = geometries or self.backward_geometries(spec, **view)
        return conv_drawings(rec.spec, geometries, rec.input, rec.padded, rec.weight, dy, recording.gradients, pixels)

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

    def backward_facts(self, spec: Any) -> dict[str, Any]:
        return conv_backward_facts(spec)

    def facts(self, spec: Any) -> dict[str, Any]:
        formulas = []
        for i, axis in enumerate(AXES[self.dims]):
            n, k, s, d = spec.input_shape[1 + i], spec.kernel_size[i], spec.stride[i], spec.dilation[i]
            start, end = spec.padding[i], spec.padding_end[i]
            padded = f"2·{start}" if start == end else f"{start} + {end}"
            formulas.append(
                f"{axis}_out = floor(({n} + {padded} − {d}·({k} − 1) − 1) / {s} + 1) = {spec.output_shape[1 + i]}"
            )
        from .matrix_facts import product_facts

        return {
            **conv_facts(spec, self.name, formulas, math.prod(spec.output_shape[1:])),
            **product_facts(spec, self.dims < 3),
        }


def _input_blame(spec: Any) -> Any:
    """What to shrink when a picture of ``spec`` is too large: its input."""
    return lambda axis: ("input_shape", spec.input_shape, "input")


def conv_facts(spec: Any, kind: str, formulas: list[str], positions: int, weights_formula: str = "") -> dict[str, Any]:
    """The figures every convolution reports, its kernel placed at ``positions`` for each output
    channel; ``weights_formula`` replaces C_out · C_in/G · …"""
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
        **count_facts(positions, spec.out_channels, spec.steps, _groups_note(spec), "output channels"),
        "output_size_formulas": formulas,
        "parameter_formulas": [
            f"weights = {formula} = {weights:,}",
            f"bias = C_out = {spec.out_channels}" if spec.bias else "bias: none",
        ],
    }


def _groups_note(spec: Any) -> Optional[str]:
    """What a step of a grouped convolution writes, when not every output channel: one output
    channel of each group, all groups advancing together."""
    if spec.groups == 1 or spec.out_per_group == 1:
        return None
    return f"each writes {spec.groups} output channels, one in each group"


def conv_backward_facts(
    spec: Any, read: str = "x·w", how: str = "the kernels turned 180° slide over dy with stride − 1 zeros inserted"
) -> dict[str, Any]:
    """What ``convgif info --backward`` adds for a convolution: each forward product ``read``
    gives one product back to dx (computed ``how``) and one to dw; db adds up dy."""
    outputs = math.prod(spec.output_shape)
    sizes = " · ".join(["C_out", *(f"{axis}_out" for axis in AXES[spec.DIMS])])
    figures = " · ".join(map(str, spec.output_shape))
    formulas = [
        f"dx: {spec.macs:,} multiply-accumulates, one dy·w for each forward {read}: {how}",
        f"dw: {spec.macs:,} multiply-accumulates, one x·dy for each forward {read}: x correlated with dy",
    ]
    if spec.bias:
        formulas.append(f"db: {outputs:,} additions, every dy cell once: {sizes} = {figures}")
    backward = {"grad_input_macs": spec.macs, "grad_weight_macs": spec.macs, "grad_bias_additions": outputs * spec.bias}
    return {"backward": backward, "backward_formulas": formulas}


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
CONV1D.backward_drawn = CONV2D.backward_drawn = CONV3D.backward_drawn = True
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
