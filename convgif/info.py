"""What a layer costs, worked out: shapes with their formulas, parameters, multiply-accumulates.

Pure arithmetic on a spec; nothing is computed or drawn. :func:`describe` gives the figures as
a dict (the ``--json`` of ``convgif info``), :func:`explain` the lines the command prints.
"""

from __future__ import annotations

from typing import Any

from . import ops
from .animation import Look
from .animation.region import resolve_region
from .api import DEFAULT_MAX_FRAMES, frames_of
from .errors import SpecError


def describe(spec: Any, max_frames: int = DEFAULT_MAX_FRAMES, **view: Any) -> dict[str, Any]:
    """The figures of ``spec`` as plain JSON-ready values: ``kind``, ``caption``, the shapes and
    arguments, ``num_parameters``, ``macs``, ``receptive_field``, ``placements``, ``steps``,
    ``frames`` (None when ``too_large_to_draw`` says why), ``region`` (the part of the output
    a render draws when the layer is too large to draw whole, with the input channels it draws
    when fewer than usual, else None), and the formulas."""
    op = ops.of(spec)
    facts = op.facts(spec)
    try:
        view = resolve_region(spec, Look(), view)
        frames, drawable = frames_of(spec, max_frames, **view), None
        facts["steps"] = sum(geometry.steps for geometry in op.geometries(spec, **view))  # as drawn
    except SpecError as error:
        frames, drawable = None, str(error)
    region = view.get("region")
    facts["region"] = (
        None
        if region is None
        else {
            "rows": list(region.rows),
            "cols": list(region.cols),
            "channels": region.channels,
            "text": region.text(),
        }
    )
    order = [
        "kind",
        "caption",
        "input_shape",
        "output_shape",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "groups",
        "bias",
        "num_parameters",
        "macs",
        "receptive_field",
        "placements",
        "steps",
    ]
    info = {key: facts[key] for key in order if key in facts}
    info["frames"], info["too_large_to_draw"] = frames, drawable
    info.update({key: value for key, value in facts.items() if key not in info})
    return info


def explain(spec: Any, max_frames: int = DEFAULT_MAX_FRAMES, **view: Any) -> list[str]:
    """The lines ``convgif info`` prints."""
    info = describe(spec, max_frames, **view)
    shape = tuple(info["output_shape"])
    lines = [f"{info['kind']}: {info['caption']}", f"output shape {shape}"]
    lines += [f"  {line}" for line in info["output_size_formulas"]]
    lines.append(f"parameters {info['num_parameters']:,}")
    lines += [f"  {line}" for line in info["parameter_formulas"]]
    if "macs" in info:
        lines.append(f"multiply-accumulates {info['macs']:,} (one forward pass)")
    for operation in ("comparisons", "additions", "writes"):
        if operation in info:
            lines.append(f"{operation} {info[operation]:,} (one forward pass)")
    if "receptive_field" in info:
        lines.append(f"receptive field {tuple(info['receptive_field'])} (the dilated kernel's extent)")
    lines.append(f"{'kernel' if 'macs' in info else 'window'} placements {info['placements']:,}")
    if info["region"] is not None:
        part = info["region"]
        channels = f", on {part['channels']} of the input channels" if part["channels"] else ""
        lines.append(
            f"a render draws only output {part['text']} and the input they read{channels} (--region chooses the part)"
        )
    if info["frames"] is None:
        lines.append(f"frames: none, {info['too_large_to_draw']}")
    else:
        lines.append(f"frames {info['frames']:,} of {info['steps']:,} steps (--max-frames {max_frames})")
    return lines
