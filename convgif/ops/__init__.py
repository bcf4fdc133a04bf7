"""The layer kinds convgif draws, one module each, found by PyTorch's class name.

Each entry names the module and the object in it that describes one kind (an
:class:`~convgif.ops.base.Operation`). Modules load when a kind is first asked for, so that the
command answers ``--help`` without NumPy. Adding a kind is its module and one line in
:mod:`convgif.ops.kinds`.
"""

from __future__ import annotations

import difflib
import importlib
import re
import sys
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    import numpy as np

    from .base import Operation

from .kinds import REGISTRY

NAMES = tuple(REGISTRY)


def spec_class_name(name: str) -> str:
    """The spec class of a registered kind: ``Conv2d`` -> ``Conv2dSpec``, ``separable`` -> ``SeparableSpec``."""
    return f"{name[0].upper()}{name[1:]}Spec"


def canonical(name: str) -> Optional[str]:
    """The registered name ``name`` stands for, case-insensitively (None if none)."""
    folded = name.strip().lower()
    return next((known for known in REGISTRY if known.lower() == folded), None)


def near(name: str) -> list[str]:
    """The kinds ``name`` most likely means when it names none: the family a dimension was left
    off or mistyped in (``ReflectionPad``, ``Upsample2d``: every kind of that family), else the
    registered names spelled closest to it (a letter or two off); empty when none is near."""
    folded = name.strip().lower()
    family = re.sub(r"[123]d$", "", folded)
    found = [known for known in REGISTRY if re.sub(r"[123]d$", "", known.lower()) == family and family]
    if found:
        return sorted(found, key=str.lower)
    lowered = {known.lower(): known for known in REGISTRY}
    return [lowered[close] for close in difflib.get_close_matches(folded, list(lowered), n=3, cutoff=0.8)]


def operation(name: str) -> Operation:
    """The operation registered as ``name`` (any case); KeyError naming the known ones."""
    known = canonical(name)
    if known is None:
        raise KeyError(f"{name!r} is not a layer convgif draws; choose one of {', '.join(NAMES)}")
    module, attribute = REGISTRY[known]
    return getattr(importlib.import_module(f".{module}", __name__), attribute)


def operations() -> list[Operation]:
    """Every registered operation, in registry order."""
    return [operation(name) for name in NAMES]


def of(spec: Any) -> Operation:
    """The operation whose spec ``spec`` is: looked for first among the kinds whose module is
    loaded already (a spec's class comes from one), so that a render loads no other kind's."""
    loaded = [name for name, (module, _) in REGISTRY.items() if f"{__name__}.{module}" in sys.modules]
    for name in loaded:
        op = operation(name)
        if type(spec) is op.spec_type:
            return op
    for op in operations():
        if type(spec) is op.spec_type:
            return op
    kinds = ", ".join(op.spec_type.__name__ for op in operations())
    raise TypeError(f"spec={spec!r} is not a layer spec convgif draws; give one of {kinds}")


def record(
    spec: Any,
    seed: int = 0,
    *,
    input: Optional[np.ndarray] = None,
    weight: Optional[np.ndarray] = None,
    bias: Optional[np.ndarray] = None,
    indices: Optional[np.ndarray] = None,
    grad_output: Any = None,
) -> Any:
    """Run ``spec`` forward on small random integers (or the arrays given) and record it.

    The same seed always gives the same values: inputs in 0..3, weights in -1..1, bias in 0..2.
    Weights are in the layer's own PyTorch layout (a transposed layer's is (C_in, C_out/G, …));
    what each kind's recording holds is documented with it. ``indices`` is a MaxUnpool's:
    where each pooled value goes.

    With ``grad_output`` (dL/dy, an array of the output's shape, or ``True`` for seeded integers
    in -2..2) the backward pass too: a :class:`~convgif.ops.backward.BackwardRecording` whose
    ``grad_input``, ``grad_weight`` and ``grad_bias`` (those the layer has, else None) are NumPy
    arrays in PyTorch's layouts, and which reads as the forward recording otherwise.
    """
    values = {"input": input, "weight": weight, "bias": bias, "indices": indices}
    op = of(spec)
    forward = op.record(spec, seed, **{name: value for name, value in values.items() if value is not None})
    if grad_output is None or grad_output is False:
        return forward
    from .backward import record_backward

    return record_backward(op, spec, seed, forward, grad_output)
