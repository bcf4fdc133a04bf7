"""Which steps a render draws of its layer, and why fewer than the layer has: the words of a
refusal of a step past them (``--frame N``, ``render_still(step=N)``), which say, as the
command line's notes do, what the frames leave out and what draws every step.
"""

from __future__ import annotations

import numbers
from typing import Any

from ..errors import SpecError


def check_step(job: Any, step: Any) -> None:
    """Refuse a ``step`` that is not a frame of the animation of ``job`` (a
    :class:`~convgif.animation.job.Job`, which asks this of its stills), counted from 1: the
    animation draws ``sum(job.shown)`` frames, saying why they are fewer than the layer's steps
    when they are."""
    drawn = sum(job.shown)
    if isinstance(step, numbers.Integral) and not isinstance(step, bool) and 1 <= step <= drawn:
        return
    said = f"step={step!r} must be from 1 to {drawn:,}, the steps drawn"
    why = why_fewer(job) if drawn < job.layer_steps else ""
    raise SpecError("step", f"{said}: {why}" if why else said)


def why_fewer(job: Any) -> str:
    """Why ``job`` draws fewer steps than its layer has, and what draws more of them: the
    ``--region`` asked, a layer too large to compute whole, ``max_frames`` (when a render
    without it would draw more) or the frame, whose readable cells fit a part (then the least
    ``--width`` or ``--scale`` that draws every step, where one does)."""
    drawn, every = sum(job.shown), job.layer_steps
    count = f"{drawn:,} of its {every:,} steps"
    if drawn < sum(d.geometry.steps for d in job.drawings):  # the part's steps, of every output channel
        count += ", those of the output channels shown"
    if job.region_asked:
        return f"--region draws a part of the layer ({count})"
    if job.in_part:
        return (
            f"the layer is too large to compute whole, so a part of it is drawn ({count}); --region draws another part"
        )
    if job.max_frames and every > job.max_frames:
        unlimited = job.frames_with(0)
        if unlimited is None or unlimited > drawn:  # the limit, not the frame, left them out
            said = f"max_frames={job.max_frames} draws a part of the layer whose steps fit ({count})"
            if unlimited is None:
                return said
            more = "every step" if unlimited == every else f"{unlimited:,} of them"
            return f"{said}; --max-frames {unlimited} (or 0, no limit) draws {more}"
    said = f"the layer is drawn in part to fit the frame with readable cells ({count})"
    options = " or ".join(f"--{name} {value}" for name, value in sorted(job.whole_by.items(), key=_width_first))
    return f"{said}; {options} draws every step" if options else said


def _width_first(item: tuple[str, int]) -> bool:
    return item[0] != "width"
