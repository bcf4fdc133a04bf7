"""What a layer costs, worked out: shapes with their formulas, parameters, multiply-accumulates.

Pure arithmetic on a spec; nothing is computed or drawn. :func:`describe` gives the figures as
a dict (the ``--json`` of ``convgif info``), :func:`explain` the lines the command prints.
"""

from __future__ import annotations

import math
from typing import Any, Union

from .api import DEFAULT_MAX_FRAMES, frames_of
from .spec import Conv1dSpec, Conv2dSpec, ConvTranspose2dSpec, SeparableSpec, SpecError

AnySpec = Union[Conv2dSpec, Conv1dSpec, ConvTranspose2dSpec, SeparableSpec]
KINDS = {Conv2dSpec: "Conv2d", Conv1dSpec: "Conv1d", ConvTranspose2dSpec: "ConvTranspose2d", SeparableSpec: "separable"}


def _axes(spec: AnySpec) -> tuple[str, ...]:
    return ("L",) if spec.DIMS == 1 else ("H", "W")


def shape_formulas(spec: AnySpec) -> list[str]:
    """One line per spatial axis: the output size formula with the numbers put in."""
    if isinstance(spec, SeparableSpec):
        return shape_formulas(spec.depthwise)
    lines = []
    for i, axis in enumerate(_axes(spec)):
        n, k, s, d = spec.input_shape[1 + i], spec.kernel_size[i], spec.stride[i], spec.dilation[i]
        out = spec.output_shape[1 + i]
        if isinstance(spec, ConvTranspose2dSpec):
            p, op = spec.padding[i], spec.output_padding[i]
            lines.append(f"{axis}_out = ({n} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {op} + 1 = {out}")
            continue
        start, end = spec.padding[i], spec.padding_end[i]
        padded = f"2·{start}" if start == end else f"{start} + {end}"
        lines.append(f"{axis}_out = floor(({n} + {padded} − {d}·({k} − 1) − 1) / {s} + 1) = {out}")
    return lines


def parameter_lines(spec: AnySpec) -> list[str]:
    """The parameter count with every product written out."""
    if isinstance(spec, SeparableSpec):
        return [
            *(f"depthwise {line}" for line in parameter_lines(spec.depthwise)),
            *(f"pointwise {line}" for line in parameter_lines(spec.pointwise)),
            f"total {spec.num_parameters:,}, against {spec.standard.num_parameters:,} for a standard convolution",
        ]
    kernel = " · ".join(map(str, spec.kernel_size))
    names = "K" if spec.DIMS == 1 else "KH · KW"
    if isinstance(spec, ConvTranspose2dSpec):
        formula = f"C_in · C_out/G · {names} = {spec.in_channels} · {spec.out_per_group} · {kernel}"
        weights = spec.in_channels * spec.out_per_group * math.prod(spec.kernel_size)
    else:
        formula = f"C_out · C_in/G · {names} = {spec.out_channels} · {spec.in_per_group} · {kernel}"
        weights = spec.out_channels * spec.in_per_group * math.prod(spec.kernel_size)
    bias = f"bias = C_out = {spec.out_channels}" if spec.bias else "bias: none"
    return [f"weights = {formula} = {weights:,}", bias]


def placements(spec: AnySpec) -> int:
    """Kernel placements: one per output element, or, transposed, one per output channel and
    input position."""
    if isinstance(spec, SeparableSpec):
        return placements(spec.depthwise) + placements(spec.pointwise)
    if isinstance(spec, ConvTranspose2dSpec):
        return spec.out_channels * math.prod(spec.input_shape[1:])
    return math.prod(spec.output_shape)


def describe(spec: AnySpec, max_frames: int = DEFAULT_MAX_FRAMES, as_conv: bool = False) -> dict[str, Any]:
    """The figures of ``spec`` as plain JSON-ready values."""
    layer = spec.depthwise if isinstance(spec, SeparableSpec) else spec
    receptive = tuple(d * (k - 1) + 1 for d, k in zip(layer.dilation, layer.kernel_size))
    try:
        frames, drawable = frames_of(spec, max_frames, as_conv), None
    except SpecError as error:
        frames, drawable = None, str(error)
    info: dict[str, Any] = {
        "kind": KINDS[type(spec)],
        "caption": spec.caption,
        "input_shape": list(spec.input_shape),
        "output_shape": list(spec.output_shape),
        "kernel_size": list(spec.kernel_size),
        "stride": list(spec.stride),
        "padding": list(layer.padding),
        "dilation": list(spec.dilation),
        "groups": spec.groups if not isinstance(spec, SeparableSpec) else [spec.in_channels, 1],
        "bias": spec.bias,
        "num_parameters": spec.num_parameters,
        "macs": spec.macs,
        "receptive_field": list(receptive),
        "placements": placements(spec),
        "steps": spec.steps,
        "frames": frames,
        "too_large_to_draw": drawable,
        "output_size_formulas": shape_formulas(spec),
        "parameter_formulas": parameter_lines(spec),
    }
    if isinstance(spec, ConvTranspose2dSpec):
        info["output_padding"] = list(spec.output_padding)
    if isinstance(spec, SeparableSpec):
        info["standard_parameters"] = spec.standard.num_parameters
    return info


def explain(spec: AnySpec, max_frames: int = DEFAULT_MAX_FRAMES, as_conv: bool = False) -> list[str]:
    """The lines ``convgif info`` prints."""
    info = describe(spec, max_frames, as_conv)
    shape = tuple(info["output_shape"])
    lines = [f"{info['kind']}: {info['caption']}", f"output shape {shape}"]
    lines += [f"  {line}" for line in info["output_size_formulas"]]
    lines.append(f"parameters {info['num_parameters']:,}")
    lines += [f"  {line}" for line in info["parameter_formulas"]]
    lines.append(f"multiply-accumulates {info['macs']:,} (one forward pass)")
    lines.append(f"receptive field {tuple(info['receptive_field'])} (the dilated kernel's extent)")
    lines.append(f"kernel placements {info['placements']:,}")
    if info["frames"] is None:
        lines.append(f"frames: none, {info['too_large_to_draw']}")
    else:
        lines.append(f"frames {info['frames']:,} of {info['steps']:,} steps (--max-frames {max_frames})")
    return lines
