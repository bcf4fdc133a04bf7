"""Depthwise-separable convolution: a depthwise Conv2d (one kernel per input channel, G = C_in),
then a pointwise 1×1 Conv2d mixing the channels, drawn one after the other in one animation,
its parameter count set against the standard convolution it replaces."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Union

from ..picture.model import Region
from . import args
from .args import caption_line, check_int64, switches
from .backward import Names, refuse_region
from .base import Operation, each_of
from .conv import CONV2D, Conv2dSpec
from .sliding import conv_drawn, conv_entry_chars, conv_geometry


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
        check_int64(self)
        put = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        standard = Conv2dSpec(
            self.input_shape,
            self.out_channels,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            1,
            self.bias,
            self.padding_mode,
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
    def numbers(self) -> int:
        return self.depthwise.numbers + self.pointwise.numbers

    @property
    def steps(self) -> int:
        return self.depthwise.steps + self.pointwise.steps

    @property
    def macs(self) -> int:
        return self.depthwise.macs + self.pointwise.macs

    @property
    def caption(self) -> str:
        """The standard convolution's caption with the output and groups of the two steps."""
        return caption_line(
            self.input_shape,
            self.output_shape,
            f"K : {self.kernel_size} then (1, 1)",
            f"P : {self.depthwise.padding_text}",
            f"S : {self.stride}",
            f"D : {self.dilation}",
            f"G : {self.in_channels} then 1",
            *switches(self),
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


@dataclass(frozen=True)
class SeparableRecording:
    """A depthwise-separable forward pass: the depthwise step, then the pointwise step on its
    output; ``output`` is the pointwise output."""

    spec: SeparableSpec
    depthwise: Any
    pointwise: Any

    @property
    def input(self) -> Any:
        return self.depthwise.input

    @property
    def output(self) -> Any:
        return self.pointwise.output


STEPS = (
    "depthwise: one kernel w_dw[c] per input channel, into d (step 1 of 2)",
    "pointwise: 1×1 kernels w_pw mix d's channels (step 2 of 2)",
)
#: Its two Conv2d's weights (and biases: b_dw, b_pw), named apart as the backward pictures name them.
WEIGHTS = ("w_dw", "w_pw")


#: What the backward pictures of each step call its arrays: the pointwise step reads d (the
#: depthwise step's output), its weight and bias w_pw and b_pw; the depthwise step's are w_dw
#: and b_dw, its output d: the two steps' gradients (dw_pw, dw_dw, ...) are told apart.
BACKWARD_NAMES = (Names(x="d", w="w_pw", b="b_pw"), Names(y="d", w="w_dw", b="b_dw"))


def backward_steps(spec: SeparableSpec) -> tuple[str, str]:
    """The note each backward picture starts with: which step's gradients it draws (the
    pointwise step's first: the backward pass runs from dy), dd said once to be d's gradient."""
    pw = ", db_pw = ∂L/∂b_pw" if spec.pointwise.bias else ""
    dw = ", db_dw = ∂L/∂b_dw" if spec.depthwise.bias else ""
    return (
        "pointwise step (step 2 of 2 forward, so first backward): from dy: dd = ∂L/∂d (d: the depthwise step's "
        f"output), dw_pw = ∂L/∂w_pw{pw}",
        f"depthwise step (step 1 of 2 forward, so second backward): from dd: dx, dw_dw = ∂L/∂w_dw{dw}",
    )


def _named(step: Any, w: str) -> dict[str, Any]:
    """A step's geometry fields naming its weight ``w`` (``w_dw[3,0]``), the sum lines' room
    widened for the longer names (``Σ x·w_dw + b_dw``)."""
    cg_in, cg_out = step.in_per_group, step.out_per_group
    _, ho, wo = step.output_shape
    y = len(f"y[{step.out_channels - 1}, {ho - 1}, {wo - 1}]")
    return dict(
        kernel_name=w,
        kernel_label=lambda c, j: f"{w}[{c // cg_in * cg_out + j},{c % cg_in}]",
        sum_chars=lambda chars, drawn: conv_entry_chars(step, y, chars, drawn, 2 * (len(w) - 1)),  # a group's entry
    )


class Separable(Operation):
    name = "separable"
    spec_type = SeparableSpec
    views = ("region",)
    draws_parts = True

    def record(
        self, spec: Any, seed: int = 0, *, input: Any = None, weight: Any = None, bias: Any = None
    ) -> SeparableRecording:
        """Both steps; ``weight`` and ``bias`` are the depthwise step's ((C_in, 1, KH, KW) and
        (C_in,)), the pointwise step's weights and bias come from the seed."""
        depthwise = CONV2D.record(spec.depthwise, seed, input=input, weight=weight, bias=bias)
        pointwise = CONV2D.record(spec.pointwise, seed + 1, input=depthwise.output)
        return SeparableRecording(spec, depthwise, pointwise)

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
    ) -> SeparableRecording:
        """Both steps, each with only the kernels its picture shows; with ``region``, of a layer
        too large to record whole, only that part of the output: the pointwise step's 1×1 kernels read the same part of d, which the
        depthwise step records alone, with the input cells it reads (each value the whole
        layer's). ``weight`` and ``bias`` are the depthwise step's, as :meth:`record` takes them."""
        if region is not None and max(spec.depthwise.numbers, spec.pointwise.numbers) <= args.MAX_ELEMENTS:
            region = None  # a layer whose steps are each recorded whole stays so, as a render checks them
        dw, pw = kernels[:1], kernels[1:]
        depthwise = CONV2D.record_drawn(spec.depthwise, seed, dw, input=input, weight=weight, bias=bias, region=region)
        pointwise = CONV2D.record_drawn(spec.pointwise, seed + 1, pw, input=depthwise.output, region=region)
        return SeparableRecording(spec, depthwise, pointwise)

    def part_numbers(self, spec: Any, region: Region) -> int:
        """The depthwise step's part (the input cells read, its weight, the part of d) and the
        pointwise step's (that part of d again, its weight, the part of the output)."""
        return CONV2D.part_numbers(spec.depthwise, region) + CONV2D.part_numbers(spec.pointwise, region)

    def weight_shape(self, spec: Any) -> tuple[int, ...]:
        return CONV2D.weight_shape(spec.depthwise)

    def bias_shape(self, spec: Any) -> tuple[int, ...]:
        return CONV2D.bias_shape(spec.depthwise)

    def geometries(self, spec: Any, region: Any = None, **view: Any) -> list:
        """The two steps; a ``region`` of the output is the same region of the depthwise output."""
        self.check_view(**view)
        depthwise = conv_geometry(
            spec.depthwise,
            spec.depthwise.caption,
            notes=(STEPS[0], spec.comparison),
            region=region,
            each_group=True,
            output_label=lambda co: f"d[{co}]",
            output_name="d",  # the colour key names the grids as their labels do
            **_named(spec.depthwise, WEIGHTS[0]),
        )
        pointwise = conv_geometry(
            spec.pointwise,
            spec.pointwise.caption,
            notes=(STEPS[1], spec.comparison),
            region=region,
            each_group=True,
            input_name="d",
            **_named(spec.pointwise, WEIGHTS[1]),
        )
        return [depthwise, pointwise]

    def drawings(
        self, spec: Any, recording: Any, pixels: bool = False, region: Any = None, geometries: Any = None, **view: Any
    ) -> list:
        depthwise, pointwise = geometries or self.geometries(spec, region, **view)
        return [
            conv_drawn(recording.depthwise, depthwise, pixels, region=region),
            conv_drawn(recording.pointwise, pointwise, False, region=region),
        ]

    def gradients(self, spec: Any, recording: Any, grad_output: Any) -> Any:
        """Back through the pointwise step, then the depthwise step: dx, the depthwise weight's
        and bias's gradients, and the pointwise ones as ``pointwise_weight`` and ``pointwise_bias``."""
        from ..engine.backward import Gradients

        pointwise = CONV2D.gradients(spec.pointwise, recording.pointwise, grad_output)
        depthwise = CONV2D.gradients(spec.depthwise, recording.depthwise, pointwise.input)
        extra = {"pointwise_weight": pointwise.weight}
        if pointwise.bias is not None:
            extra["pointwise_bias"] = pointwise.bias
        return Gradients(depthwise.input, depthwise.weight, depthwise.bias, extra)

    def backward_geometries(self, spec: Any, region: Any = None, **view: Any) -> list:
        """The pointwise step's pictures (dd, dw_pw, db_pw), then the depthwise step's (dx,
        dw_dw, db_dw): each stage's gradients named apart, every picture saying its stage."""
        from dataclasses import replace

        from .backward_conv import conv_geometries

        self.check_view(**view)
        refuse_region(region)
        blame = lambda axis: ("input_shape", spec.input_shape, "input")  # noqa: E731
        pointwise = conv_geometries(
            spec.pointwise, spec.pointwise.caption, 2, blame, BACKWARD_NAMES[0], bias=spec.pointwise.bias
        )
        depthwise = conv_geometries(
            spec.depthwise, spec.depthwise.caption, 2, blame, BACKWARD_NAMES[1], bias=spec.depthwise.bias
        )
        first, second = backward_steps(spec)
        return [
            *(replace(g, notes=(first, *g.notes)) for g in pointwise),
            *(replace(g, notes=(second, *g.notes)) for g in depthwise),
        ]

    def backward_drawings(
        self, spec: Any, recording: Any, pixels: bool = False, geometries: Any = None, **view: Any
    ) -> list:
        from .backward_conv import conv_drawings

        geometries = geometries or self.backward_geometries(spec, **view)
        forward = recording.forward
        pw, dw = forward.pointwise, forward.depthwise
        count = 2 + bool(spec.pointwise.bias)
        pointwise_grads = CONV2D.gradients(spec.pointwise, pw, recording.grad_output)
        return [
            *conv_drawings(
                spec.pointwise,
                geometries[:count],
                pw.input,
                pw.padded,
                pw.weight,
                recording.grad_output,
                pointwise_grads,
                False,
                BACKWARD_NAMES[0],
            ),
            *conv_drawings(
                spec.depthwise,
                geometries[count:],
                dw.input,
                dw.padded,
                dw.weight,
                pointwise_grads.input,
                recording.gradients,
                pixels,
                BACKWARD_NAMES[1],
            ),
        ]

    def name_parts(self, spec: Any, **view: Any) -> list[str]:
        return CONV2D.name_parts(spec.standard)

    def refusal(self, argument: str) -> str:
        if argument == "groups":
            return "a separable convolution sets its own groups (C_in, then 1)"
        return super().refusal(argument)

    def parameters_text(self, spec: Any) -> str:
        return f"{spec.num_parameters:,} parameters (a standard convolution: {spec.standard.num_parameters:,})"

    def facts(self, spec: Any) -> dict[str, Any]:
        from .matrix_facts import separable_product_facts

        depthwise, pointwise = CONV2D.facts(spec.depthwise), CONV2D.facts(spec.pointwise)
        d, c, o = spec.depthwise.output_shape, spec.in_channels, spec.out_channels
        area = d[1] * d[2]
        placements = f"{c * area:,} depthwise" + (f", {each_of(area, c, 'd channels')}" if c > 1 else "")
        placements += f"; {o * area:,} pointwise" + (f", {each_of(area, o, 'output channels')}" if o > 1 else "")
        return {
            **{key: depthwise[key] for key in CONV_FACTS},
            "kind": self.name,
            "caption": spec.caption,
            "output_shape": list(spec.output_shape),
            "groups": [c, 1],
            "num_parameters": spec.num_parameters,
            "macs": spec.macs,
            "placements": depthwise["placements"] + pointwise["placements"],
            "placements_note": placements,
            "steps": spec.steps,
            "steps_note": f"{spec.depthwise.steps:,} depthwise, each writing every d channel; then "
            f"{spec.pointwise.steps:,} pointwise, one placement each",
            "output_size_formulas": [
                *depthwise["output_size_formulas"],
                f"d, the depthwise output and the pointwise step's input: (C_in, H_out, W_out) = {d}",
            ],
            "parameter_formulas": [
                *(f"depthwise {line}" for line in depthwise["parameter_formulas"]),
                *(f"pointwise {line}" for line in pointwise["parameter_formulas"]),
                f"total {spec.num_parameters:,}, against {spec.standard.num_parameters:,} for a standard convolution",
            ],
            "standard_parameters": spec.standard.num_parameters,
            **separable_product_facts(spec),
        }


#: The figures of a convolution a separable one reports as its depthwise step's (the 1×1
#: pointwise step leaves them as they are); the others are its two steps' together.
CONV_FACTS = ("input_shape", "kernel_size", "stride", "padding", "dilation", "bias", "receptive_field")


SEPARABLE = Separable()
SEPARABLE.backward_drawn = True
