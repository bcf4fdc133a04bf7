"""How an ``--in`` without a channel axis is read, said to a user who may have meant otherwise.

``--in H,W`` means one channel of H×W (``D,H,W`` for a 3-D kind), as the README documents.
PyTorch refuses such an input (a Conv2d takes (C, H, W) or (N, C, H, W)), so a student who
typed ``--in 3,7`` meaning 3 channels of length 7, or ``--in 1,4,4`` for a MaxPool3d, is told
how the numbers were read: in a note when the layer is drawn, and as the error of ``--in`` when
the layer, so read, is refused while the kind of one axis fewer takes the numbers as channels
first (the kernel is then larger than the input, or the channels do not divide: the slip is the
missing axis, not the kernel). Where that reading is refused too, the refusal is the layer's own."""

from __future__ import annotations

from typing import Any, Optional

from ..errors import SpecError
from ..ops.args import fmt

#: The sizes of an input without its channel axis, by the number of spatial axes.
AXES = {1: "L", 2: "H,W", 3: "D,H,W"}


def _typed(given: tuple[int, ...]) -> str:
    return ",".join(map(str, given))


def without_channel(spec: Any, given: Optional[tuple[int, ...]]) -> bool:
    """Whether ``spec``'s input is ``given`` read with one channel put in front."""
    return given is not None and tuple(spec.input_shape) == (1, *given)


def _fewer(name: str, dims: int) -> Optional[str]:
    """The kind of one axis fewer than ``name``'s ``dims`` (``Conv1d`` for a ``Conv2d``), if any."""
    from .. import ops

    return ops.canonical(name[:-2] + f"{dims - 1}d") if dims > 1 and name.endswith(f"{dims}d") else None


def _other_reading(name: str, given: tuple[int, ...]) -> str:
    """The kind of one axis fewer that reads ``given``'s first number as channels, if there is
    one (``Conv1d`` for a ``Conv2d``), saying so; else what ``name`` takes."""
    dims = len(given)
    fewer = _fewer(name, dims)
    if fewer is None:
        return f"{name} takes --in C,{AXES[dims]}, the channels first"
    sizes = "×".join(map(str, given[1:]))
    return (
        f"{name} takes --in C,{AXES[dims]}, the channels first; for {given[0]} channel{'s' if given[0] != 1 else ''} "
        f"of {'length ' if dims == 2 else ''}{sizes}, --layer {fewer} takes --in C,{AXES[dims - 1]}"
    )


def channel_note(spec: Any, name: str, given: Optional[tuple[int, ...]]) -> Optional[str]:
    """The note for an ``--in`` of 2-D or 3-D sizes read as one channel: what it was read as,
    and the layer of one axis fewer that would read the first number as channels."""
    if given is None or len(given) < 2 or not without_channel(spec, given):
        return None
    return f"--in {_typed(given)} is read as {AXES[len(given)]} of one channel, input {fmt(spec.input_shape)}; " + (
        _other_reading(name, given)
    )


def missing_channel(op: Any, arguments: dict[str, Any], error: SpecError) -> Optional[SpecError]:
    """The refusal of --in when ``error`` refuses the layer only as its input was read: sizes
    without a channel axis, read as one channel (the same refusal comes of the input given with
    its one channel written out), naming the axes the layer takes; else None. A 1-D layer's L
    alone is no slip: its refusal stays its own."""
    given = arguments.get("input_shape")
    if error.argument == "input_shape" or not isinstance(given, tuple) or len(given) != op.dims or op.dims < 2:
        return None
    if not any(word in str(error) for word in ("input", "channel", "axis's size")):  # a padding's too
        return None
    try:
        op.build(**{**arguments, "input_shape": (1, *given)})
    except SpecError as again:
        if str(again) != str(error):
            return None
    else:
        return None
    if not _draws_with_channels_first(op.name, arguments, given):
        return None
    return SpecError(
        "input_shape",
        f"--in {_typed(given)} has no channel axis, so it is read as {AXES[op.dims]} of one channel, "
        f"{fmt((1, *given))}, and then {error}; {_other_reading(op.name, given)}",
    )


def _draws_with_channels_first(name: str, arguments: dict[str, Any], given: tuple[int, ...]) -> bool:
    """Whether the kind of one axis fewer takes ``given`` as channels first with the same
    arguments (a MaxPool2d of (1, 4, 4) where a MaxPool3d of D,H,W (1, 4, 4) is refused)."""
    from .. import ops

    fewer = _fewer(name, len(given))
    if fewer is None:
        return False
    try:
        ops.operation(fewer).build(**{**arguments, "input_shape": given})
    except (SpecError, TypeError, ValueError):
        return False
    return True
