"""What a layer costs, worked out: shapes with their formulas, parameters, multiply-accumulates,
and the frames a render draws.

The figures are arithmetic on a spec; the frames and the part of the output drawn are those of
the job a render with the same options builds (a layer that writes numbers is recorded to size
them, as a render's is), nothing drawn. :func:`describe` gives the figures as a dict (the
``--json`` of ``convgif info``), :func:`explain` the lines the command prints.
"""

from __future__ import annotations

from typing import Any

from . import ops
from .animation import DEFAULT_MAX_FRAMES
from .errors import SpecError, TooLargeError

#: The options of a render besides the layer and its views: one of them refused is refused.
_RENDER_OPTIONS = frozenset(
    "values width scale lang seed kernel factors image input weight bias notes theme pixels grad_output input_shape "
    "fps format".split()
)


def describe(spec: Any, max_frames: int = DEFAULT_MAX_FRAMES, **options: Any) -> dict[str, Any]:
    """The figures of ``spec`` as plain JSON-ready values: ``kind``, ``caption``, the shapes and
    arguments, ``num_parameters``, ``macs``, ``receptive_field``, ``placements`` (counted on
    every channel) and ``placements_note`` (how they split over the channels, or None),
    ``steps`` and ``steps_note`` (what a step writes, where it is not one placement, or None),
    ``frames`` (every step of the part a render draws, in order; None when
    ``too_large_to_draw`` says why), ``region`` (the part of the output a render draws when it
    cannot draw all of it, else None), ``drawn`` (what a render leaves out, in words, or None),
    ``whole_by`` (the least ``width`` and ``scale`` under which a render drawn in part to fit the
    page draws every step, see :attr:`~convgif.animation.job.Job.whole_by`) and the formulas; with ``backward=True`` also ``backward`` (the backward pass's operations
    by name) and ``backward_formulas``, and the frames are those of the backward pass.

    ``options`` are those of :func:`convgif.render` (``values``, ``width``, ``scale``, ``lang``,
    ``seed``, ``kernel``, ``image``, ``input``, ``region``, ``backward``, ...): the part, the
    frames and what is left out are those of a render with them, whose job is built the same way
    (:func:`~convgif.animation.request.animation_job`)."""
    from .animation.request import animation_job
    from .picture.sizes import shown_note

    op = ops.of(spec)
    facts = op.facts(spec)
    if options.get("backward"):
        facts.update(op.backward_facts(spec))
    region, drawn, whole_by = None, None, {}
    try:
        job = animation_job(spec, max_frames=max_frames, **options)[0]
        frames, drawable = job.planned_frames(), None
        region, whole_by = job.region, job.whole_by
        if options.get("backward"):  # the steps of the backward pass's pictures, one after the other
            facts["steps"], facts["steps_note"] = job.total, "the backward pass's pictures, one after the other"
        # each note once: a 3-D layer's pictures, one per depth, leave the same out
        drawn = "; ".join(dict.fromkeys(note for note in (shown_note(g) for g in job.geometries) if note)) or None
    except SpecError as error:
        if error.argument in _RENDER_OPTIONS and not isinstance(error, TooLargeError):
            raise  # an option refused, as a render refuses it: not a reason the layer is not drawn
        frames, drawable = None, str(error)
    facts["region"] = (
        None if region is None else {"rows": list(region.rows), "cols": list(region.cols), "text": region.text()}
    )
    facts["drawn"], facts["whole_by"] = drawn, whole_by
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
        "placements_note",
        "steps",
        "steps_note",
    ]
    facts.setdefault("placements_note", None)
    facts.setdefault("steps_note", None)
    info = {key: facts[key] for key in order if key in facts}
    info["frames"], info["too_large_to_draw"] = frames, drawable
    info.update({key: value for key, value in facts.items() if key not in info})
    return info


def explain(spec: Any, max_frames: int = DEFAULT_MAX_FRAMES, lang: str = "en", **options: Any) -> list[str]:
    """The lines ``convgif info`` prints, in ``lang`` (the language of the render whose frames
    are counted too; ``options``: the render's other options, as :func:`describe` takes them);
    a reason nothing is drawn stays as convgif's messages are, in English."""
    from .language import say

    info = describe(spec, max_frames, lang=lang, **options)
    shape = tuple(info["output_shape"])
    lines = [f"{info['kind']}: {_without(info['caption'], info['kind'])}", f"output shape {shape}"]
    lines += [f"  {line}" for line in info["output_size_formulas"]]
    lines.append(info.get("parameters_line") or f"parameters {info['num_parameters']:,}")
    lines += [f"  {line}" for line in info["parameter_formulas"]]
    if "macs" in info:
        lines.append(f"multiply-accumulates {info['macs']:,} (one forward pass)")
    for operation in ("comparisons", "additions", "writes"):
        if operation in info:
            lines.append(f"{operation} {info[operation]:,} (one forward pass)")
    if "backward_formulas" in info:
        lines.append("backward pass (dL/dy in, the gradients out):")
        lines += [f"  {line}" for line in info["backward_formulas"]]
    if "receptive_field" in info:
        lines.append(f"receptive field {tuple(info['receptive_field'])} (the dilated kernel's extent)")
    if "matrix_formulas" in info:
        lines.append(info["matrix_heading"])
        lines += [f"  {line}" for line in info["matrix_formulas"]]
    elif info.get("overlaps") is not None:
        lines.append(f"{info['overlaps_name']}: {', '.join(map(str, info['overlaps']))}")
    placements = info.get("placements_name") or f"{'kernel' if 'macs' in info else 'window'} placements"
    lines.append(f"{placements} {info['placements']:,}{_noted(info['placements_note'])}")
    lines.append(f"animation steps {info['steps']:,}{_noted(info['steps_note'])}")
    if info["region"] is not None:
        lines.append(
            f"a render draws only output {info['region']['text']} and the input they read (--region chooses the part)"
        )
    if info["drawn"] is not None:
        lines.append(f"a render draws {info['drawn']}")
    if info["whole_by"]:  # the least --width, or --scale, that draws every step
        options = " or ".join(f"--{name} {value}" for name, value in sorted(info["whole_by"].items(), reverse=True))
        lines.append(f"a render with {options} draws every step")
    lines = [say(line, lang) for line in lines]
    if info["frames"] is None:
        lines.append(f"{say('frames: none,', lang)} {info['too_large_to_draw']}")
    else:
        lines.append(
            say(
                f"frames {info['frames']:,}: every step of what a render with these options draws, in order "
                f"(--max-frames {max_frames})",
                lang,
            )
        )
    return lines


def _without(caption: str, kind: str) -> str:
    """``caption`` without the part naming ``kind`` (a pooling's names it, as its frames do):
    the line it follows names the kind already."""
    return " — ".join(part for part in caption.split(" — ") if part != kind)


def _noted(note: Any) -> str:
    """`` (note)`` after a count, or nothing."""
    return f" ({note})" if note else ""
