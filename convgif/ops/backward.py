"""The backward pass: what ``grad_output=`` records and ``backward=True`` draws.

**Recording** (:func:`record_backward`): the forward pass, the upstream gradient dL/dy (seeded
small integers, or an array given) and the gradients the kind computes of it
(:meth:`~convgif.ops.base.Operation.gradients`), as a :class:`BackwardRecording`.

**Drawing**: a render with ``backward=True`` draws through :class:`Backward`, which stands in
for the layer's operation and plays the pictures the kind declares
(:meth:`~convgif.ops.base.Operation.backward_geometries` and ``backward_drawings``). They are
built from the pictures here, which know nothing of the kinds:

Those of the convolutions are in :mod:`convgif.ops.backward_conv`, those of the layers that
move values in :mod:`convgif.ops.backward_moves`:

* :func:`conv_geometries` / :func:`conv_drawings`: a convolution's dx, dw and db, each as a
  direct convolution the forward pictures already draw (dx: the kernels turned 180° over the
  zero-inserted, padded dy; dw: dy as the kernels over the input; db: the sums of dy), and for a
  padding that copies cells, the gradient of each copy folded back onto its cell;
* :func:`window_geometry` / :func:`window_drawn`: a pooling's gradient routed back window by
  window over the input as the forward pass drew it (dy the kernels, dx filling up); an
  average's, which takes none of the input's values, with dy and dx alone
  (:func:`share_geometry` / :func:`share_drawn`);
* :func:`gather_geometry` / :func:`gather_drawn`: each input cell's gradient gathered from the
  output cells that copied or weighed it (dy on the left, dx on the right).

The 3-D convolutions' are drawn one depth slice at a time, each slice a 2-D convolution over the
(channel, depth) pairs it reads: :mod:`convgif.ops.backward_depth` (the slices, db, a
ConvTranspose3d's) and :mod:`convgif.ops.backward_conv3d` (a Conv3d's, with the padding's copies
folded back).

Every step's sum line writes what it adds, so that every number can be checked from the frame.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from ..engine.backward import Gradients, grad_output_of
from ..errors import SpecError, TooLargeError
from .base import Operation
from .sliding import not_drawn, others_text

# -- recording ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackwardRecording:
    """A forward pass and the backward pass from ``grad_output`` (dL/dy, the output's shape):
    ``grad_input`` (the input's shape), ``grad_weight`` and ``grad_bias`` (those the layer has,
    in PyTorch's layouts; else None), any other parameter's as ``grad_<name>`` (a separable
    convolution's ``grad_pointwise_weight``). Everything the forward recording holds is read
    through it (``output``, ``weight``, ...)."""

    forward: Any
    grad_output: np.ndarray
    gradients: Gradients

    @property
    def grad_input(self) -> np.ndarray:
        return self.gradients.input

    @property
    def grad_weight(self) -> Optional[np.ndarray]:
        return self.gradients.weight

    @property
    def grad_bias(self) -> Optional[np.ndarray]:
        return self.gradients.bias

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("forward", "gradients", "grad_output"):
            raise AttributeError(name)
        extra = object.__getattribute__(self, "gradients").extra
        if name.startswith("grad_") and name[5:] in extra:
            return extra[name[5:]]
        return getattr(object.__getattribute__(self, "forward"), name)


def record_backward(op: Operation, spec: Any, seed: int, forward: Any, grad_output: Any = True) -> BackwardRecording:
    """The backward pass of ``forward`` (``op``'s recording of ``spec``) from ``grad_output``:
    an array of the output's shape, or ``True`` for seeded integers in -2..2."""
    dy = grad_output_of(seed, tuple(np.shape(forward.output)), grad_output)
    return BackwardRecording(forward, dy, op.gradients(spec, forward, dy))


def refuse_region(region: Any) -> None:
    """A backward pass is drawn whole: a part of it would leave out terms its sums add."""
    if region is not None:
        raise SpecError(
            "region",
            "the backward pass is drawn whole (each gradient sums over the whole layer): region does not apply "
            "with backward; draw a smaller layer (`convgif info --backward` counts its steps)",
        )


class Backward(Operation):
    """A layer kind's backward pass, as a render draws it: the kind's own operation, whose
    pictures are its backward ones, recorded with the gradients."""

    def __init__(self, op: Operation) -> None:
        self.op = op
        self.name = op.name  # type: ignore[misc]
        self.spec_type = op.spec_type  # type: ignore[misc]
        self.dims = op.dims  # type: ignore[misc]
        self.views = (*op.views, "backward")  # type: ignore[misc]

    def record(self, spec: Any, seed: int = 0, *, grad_output: Any = True, **values: Any) -> BackwardRecording:
        """The forward pass of the values given (the rest seeded) and its backward pass."""
        forward = self.op.record(spec, seed, **{k: v for k, v in values.items() if v is not None})
        return record_backward(self.op, spec, seed, forward, True if grad_output is None else grad_output)

    def record_drawn(self, spec: Any, seed: int, kernels: Any, **values: Any) -> BackwardRecording:
        """The whole recording: a backward pass's pictures show every kernel's gradient."""
        return self.record(spec, seed, **values)

    def recorded_layers(self, spec: Any, geometries: Sequence[Any]) -> list:
        return self.op.recorded_layers(spec, geometries)

    def refusal_of(self, error: SpecError, spec: Any = None) -> SpecError:
        """Too many frames: a backward pass is drawn whole, so no smaller region is offered."""
        if isinstance(error, TooLargeError) and error.needs and "even one output cell" in str(error):
            return TooLargeError(
                "input_shape",
                f"this {self.name}'s backward pass is too large to draw: it is drawn whole (region does not apply "
                f"with backward) and needs {error.needs}; draw a smaller layer",
                error.needs,
            )
        steps = re.search(r"the ([\d,]+) steps", str(error))
        if error.argument != "max_frames" or steps is None:
            return error
        return SpecError(
            "max_frames",
            f"{str(error).split(' is fewer')[0]} is fewer than the {steps.group(1)} steps this layer's backward pass "
            "needs at the least, drawn whole (region does not apply with backward): raise --max-frames (0 draws every step) or "
            "draw a smaller layer (`convgif info --backward` counts the steps)",
        )

    def weight_shape(self, spec: Any) -> Optional[tuple[int, ...]]:
        return self.op.weight_shape(spec)

    def geometries(self, spec: Any, backward: bool = True, view: Optional[str] = None, **rest: Any) -> list:
        if view is not None:
            raise SpecError(
                "view",
                f"view={view!r} draws the forward pass; a backward pass is drawn as the convolutions and windows "
                "it is made of: give backward or view, not both",
            )
        return self.op.backward_geometries(spec, **rest)

    def drawings(
        self,
        spec: Any,
        recording: Any,
        pixels: bool = False,
        geometries: Any = None,
        backward: bool = True,
        **view: Any,
    ) -> list:
        return self.op.backward_drawings(spec, recording, pixels, geometries=geometries, **view)

    def name_parts(self, spec: Any, **view: Any) -> list[str]:
        return self.op.name_parts(spec)

    def facts(self, spec: Any) -> dict[str, Any]:
        return self.op.facts(spec)

    def parameters_text(self, spec: Any) -> str:
        return self.op.parameters_text(spec)


# -- what the pictures write --------------------------------------------------------------------


def span_text(first: int, last: int) -> str:
    """Positions ``first`` to ``last`` as an index: ``2`` or ``2:4`` (PyTorch's slice, end excluded)."""
    return str(first) if first == last else f"{first}:{last + 1}"


@dataclass(frozen=True)
class Names:
    """What a convolution's pictures call its input, weight, bias and output (a separable
    convolution's second step reads ``d``, the first one's output)."""

    x: str = "x"
    w: str = "w"
    b: str = "b"
    y: str = "y"

    def d(self, name: str) -> str:
        """The gradient of ``name``: ``dx``."""
        return f"d{name}"


#: The names of a plain convolution's arrays: x, w, b, y.
PLAIN = Names()


def grids_text(geometry: Any, groups: Sequence[int], column: int) -> str:
    """The gradient's grids a step of kernel column ``column`` writes, as a picture of a direct
    convolution (``geometry``) drawing the groups ``groups`` labels them: one per group drawn,
    then, a part of the step line of its own (broken onto a line of its own where the figure is
    narrow, so that it never widens the figure), those the same step writes in the groups not
    drawn, in the forward pass's words: ``dx[0] · and dx[2] not drawn``. A picture whose groups
    are not the layer's (a weight gradient's: one group per channel of its input) counts them
    as those channels: ``and one for each of 5 x channels not drawn``."""
    per = geometry.out_per_group
    heads = ", ".join(geometry.output_label(g * per + column) for g in groups)
    others = [geometry.output_label(co) for co in not_drawn(geometry, groups, column)]
    if not others:
        return heads
    unit = "groups" if geometry.hue_group is None else f"{geometry.input_name} channels"
    return f"{heads} · {others_text(others, unit)}"


def words(*pairs: tuple[str, bool]) -> str:
    return ", ".join(word for word, on in pairs if on)


def pair_text(values: Sequence[int]) -> str:
    return str(values[0]) if len(set(values)) == 1 else str(tuple(values))
