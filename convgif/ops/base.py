"""What a layer kind declares: its PyTorch name, spec, recording, weights, pictures and figures."""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Collection, Sequence
from typing import Any, ClassVar, Optional

from ..errors import SpecError
from .kinds import REGISTRY


class Operation(abc.ABC):
    """One layer kind. Subclasses set the class attributes (or the instance's, for a family
    whose kinds differ only in them) and implement the abstract methods, so that a kind missing
    one fails when it is made; the rest of convgif asks these instead of testing what kind a
    spec is."""

    #: PyTorch's class name (or the usual name of a layer pattern), as ``--layer`` takes it.
    name: ClassVar[str]
    #: The spec class, a frozen dataclass taking PyTorch's arguments.
    spec_type: ClassVar[type]
    #: Spatial axes: 1, 2 or 3.
    dims: ClassVar[int] = 2
    #: Drawing options of this kind only (e.g. ``as_conv``), beyond those every kind has.
    views: ClassVar[tuple[str, ...]] = ()
    #: The other ways of drawing the kind that the drawing option ``view`` names (``matrix``):
    #: a kind with any lists ``view`` among its :attr:`views`.
    view_names: ClassVar[tuple[str, ...]] = ()
    #: The torch class's constructor arguments in its order (the first ones positional in
    #: ``print(model)``'s lines); empty for a kind torch has no module for.
    torch_signature: ClassVar[tuple[str, ...]] = ()
    #: The arguments ``print(model)``'s line shows, always or whenever they are not the default
    #: (None: all of :attr:`torch_signature`): a line that leaves one out says it is the default.
    torch_shown: ClassVar[Optional[tuple[str, ...]]] = None
    #: Arguments torch takes with one value only for this kind (nothing to ask for).
    torch_fixed: ClassVar[tuple[str, ...]] = ()
    #: Whether the kind draws one map and nothing else (``--in H,W`` is its form, as a
    #: channel axis would only ever be 1): then no note says how sizes without channels are read.
    one_map: ClassVar[bool] = False
    #: Whether a render draws the kind's backward pass (``backward``; every kind computes it).
    backward_drawn: bool = False
    #: Whether :meth:`record_drawn` records only the part ``region`` of a layer too large to
    #: compute whole.
    draws_parts: ClassVar[bool] = False

    def draws_part_of(self, spec: Any) -> bool:
        """Whether :meth:`record_drawn` records only a part of ``spec`` too large to compute
        whole (:attr:`draws_parts`, unless the kind does so over some axes only)."""
        return self.draws_parts

    def placed(self, spec: Any, region: Any) -> Any:
        """Where a render draws an automatic part of the size of ``region`` (a top-left part of
        the output): there, unless the kind's corner holds only filler (a padded Fold's dropped
        padding), when it moves the part onto the cells the layer computes."""
        return region

    @property
    def shown(self) -> tuple[str, ...]:
        """The arguments a line of ``print(model)`` tells, by showing them or leaving them out."""
        return self.torch_signature if self.torch_shown is None else self.torch_shown

    @property
    def has_weights(self) -> bool:
        """Whether the kind has trainable weights (which a state_dict holds)."""
        return type(self).arguments_from_weight is not Operation.arguments_from_weight

    @property
    def arguments(self) -> tuple[str, ...]:
        """The spec's arguments, in PyTorch's order."""
        return tuple(f.name for f in dataclasses.fields(self.spec_type) if f.init)

    def build(self, **arguments: Any) -> Any:
        """The spec from its arguments (SpecError naming any this kind does not take, or any
        it needs and is not given)."""
        for name in arguments:
            if name not in self.arguments:
                raise SpecError(name, f"{self.name} has no argument {name!r}; it takes {', '.join(self.arguments)}")
        for f in dataclasses.fields(self.spec_type):
            needed = f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if needed and f.name not in arguments:
                raise SpecError(f.name, f"{self.name} needs {f.name}: it has no default")
        return self.spec_type(**arguments)

    @abc.abstractmethod
    def record(self, spec: Any, seed: int = 0, *, input: Any = None, weight: Any = None, bias: Any = None) -> Any:
        """The forward pass of ``spec`` on the arrays given, the rest seeded example values."""

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
    ) -> Any:
        """What a render draws of the forward pass: the values :meth:`record` gives, of which
        a kind may leave out the kernels no picture shows and, when the pictures draw only the
        part ``region`` of the output, the rest of the layer, so that a render's memory and
        time grow with what it draws. ``kernels`` holds, per picture (geometry), the output
        channels whose kernels it shows. :meth:`drawings` takes the result as it takes a
        recording (given the same ``region``)."""
        return self.record(spec, seed, input=input, weight=weight, bias=bias)

    def recorded_layers(self, spec: Any, geometries: Sequence[Any]) -> list:
        """The layers a recording of the pictures ``geometries`` holds the numbers of, each
        checked against the numbers convgif computes whole (a layer over them is drawn from
        its part, by a kind that :attr:`draws_parts`, or refused): the layers the pictures
        draw, and the layer itself (a 3-D layer's pictures draw its 2-D slices)."""
        layers = [geometry.layer for geometry in geometries]
        return layers if any(layer is spec for layer in layers) else [*layers, spec]

    @abc.abstractmethod
    def weight_shape(self, spec: Any) -> Optional[tuple[int, ...]]:
        """The shape of the layer's weight in PyTorch's layout, or None for a layer without one."""

    def bias_shape(self, spec: Any) -> tuple[int, ...]:
        """The shape of the bias that goes with :meth:`weight_shape`'s weight: one per output channel."""
        return (spec.out_channels,)

    @abc.abstractmethod
    def geometries(self, spec: Any, **view: Any) -> list:
        """The pictures a render plays one after the other (:class:`convgif.picture.model.Geometry`)."""

    @abc.abstractmethod
    def drawings(self, spec: Any, recording: Any, pixels: bool = False, geometries: Any = None, **view: Any) -> list:
        """The recorded pictures (:class:`convgif.picture.model.Drawn`), one per geometry: of
        ``geometries`` when given (those :meth:`geometries` gives for ``view``, already asked
        for), else of those it gives."""

    @abc.abstractmethod
    def name_parts(self, spec: Any, **view: Any) -> list[str]:
        """Words of the default file name after the kind, e.g. ``["3x7x7", "out2", "k3"]``."""

    @abc.abstractmethod
    def facts(self, spec: Any) -> dict[str, Any]:
        """What ``convgif info`` reports, JSON-ready: see :func:`convgif.info.describe`."""

    def parameters_text(self, spec: Any) -> str:
        """The parameter count as a render's summary line gives it."""
        return f"{spec.num_parameters:,} parameters"

    def arguments_from_weight(self, shape: tuple[int, ...], input_channels: int, groups: Any = None) -> dict[str, Any]:
        """The arguments a saved weight of ``shape`` implies for ``input_channels`` input channels
        (and ``groups``, where the shape cannot tell); SpecError when it is not this kind's."""
        raise SpecError("layer", f"a weight of shape {shape} is not a {self.name}'s: it has no weights")

    def refusal(self, argument: str) -> str:
        """Why this kind refuses ``argument`` (an argument or drawing option it does not have)."""
        return f"{self.name} has no {argument}"

    def not_drawn(self) -> SpecError:
        """The refusal of a picture of a kind convgif computes but does not draw (a 3-D one),
        saying what it does instead."""
        kin = [f"{self.name[:-2]}{n}d" for n in (1, 2) if f"{self.name[:-2]}{n}d" in REGISTRY]
        drawn = f"; convgif draws {' and '.join(kin)}" if self.name.endswith("3d") and kin else ""
        return SpecError(
            "layer",
            f"{self.name} is not drawn: `convgif info` describes it, `convgif.record` records it{drawn}",
        )

    def example(self) -> dict[str, Any]:
        """The arguments of a small layer of this kind (its spec's), for a first try and a smoke
        test of every kind."""
        return {"input_shape": (2, *(6,) * self.dims), "kernel_size": 2}

    def gradients(self, spec: Any, recording: Any, grad_output: Any) -> Any:
        """The backward pass of the forward pass ``recording`` from the upstream gradient
        ``grad_output`` (dL/dy, the output's shape): a :class:`convgif.engine.backward.Gradients`
        of the input, weight and bias in PyTorch's layouts."""
        raise SpecError("grad_output", f"{self.name} has no backward pass")

    def backward_geometries(self, spec: Any, **view: Any) -> list:
        """The pictures of the backward pass (see :meth:`geometries`)."""
        raise self.backward_not_drawn()

    def backward_drawings(
        self, spec: Any, recording: Any, pixels: bool = False, geometries: Any = None, **view: Any
    ) -> list:
        """The recorded pictures of the backward pass (``recording`` a
        :class:`convgif.ops.backward.BackwardRecording`), one per geometry."""
        raise self.backward_not_drawn()

    def backward_facts(self, spec: Any) -> dict[str, Any]:
        """What ``convgif info --backward`` adds: the backward pass's operations and formulas."""
        return {}

    def backward_not_drawn(self) -> SpecError:
        """The refusal of a backward picture of a kind whose backward pass is computed, not
        drawn (a 3-D one), saying what it does instead."""
        kin = [f"{self.name[:-2]}{n}d" for n in (1, 2) if f"{self.name[:-2]}{n}d" in REGISTRY]
        drawn = f"; convgif draws the backward pass of {' and '.join(kin)}" if self.name.endswith("3d") and kin else ""
        return SpecError(
            "backward",
            f"{self.name}'s backward pass is not drawn: convgif.record(spec, grad_output=True) computes its "
            f"gradients{drawn}",
        )

    def refusal_of(self, error: SpecError, spec: Any = None) -> SpecError:
        """Why no part of the layer ``spec`` is drawn, as the kind words it (``error``, the
        general one)."""
        return error

    def takes_view(self, view: str) -> bool:
        """Whether the kind has the drawing option ``view`` (every kind takes ``backward``, and
        refuses it when drawn, naming the kinds that draw it)."""
        return view in self.views or view == "backward"

    def check_view(self, **view: Any) -> None:
        """Refuse drawing options this kind does not have, naming them, and a ``view`` it is
        not drawn as, naming those it is."""
        for option, value in view.items():
            if value is not None and value is not False and option not in self.views:
                if option == "view" and isinstance(value, str):
                    raise SpecError("view", f"view={value!r} does not apply to {self.name}: it is drawn one way only")
                raise SpecError(option, f"{option} does not apply to {self.name}")
        chosen = view.get("view")
        if chosen is not None and chosen not in self.view_names:
            names = " or ".join(repr(name) for name in self.view_names)
            raise SpecError("view", f"view={chosen!r}: {self.name} is drawn as {names} (or without view, as it is)")


def shape_facts(kind: str, spec: Any) -> dict[str, Any]:
    """The figures every layer reports first: its kind, caption, shapes, kernel, stride, padding."""
    return {
        "kind": kind,
        "caption": spec.caption,
        "input_shape": list(spec.input_shape),
        "output_shape": list(spec.output_shape),
        "kernel_size": list(spec.kernel_size),
        "stride": list(spec.stride),
        "padding": list(spec.padding),
    }


def count_facts(
    per_channel: int,
    channels: int,
    steps: int,
    steps_note: Optional[str] = None,
    word: str = "channels",
    name: Optional[str] = None,
) -> dict[str, Any]:
    """The placements of a layer's kernel or windows (or what else it places, ``name``),
    counted on every one of its ``channels`` (``per_channel`` on each, the channels named
    ``word``), and the ``steps`` its picture plays: ``steps_note`` says what a step writes, by
    default (where the steps are fewer than the placements) every channel at once, as a
    pooling's step writes its window on each."""
    total = per_channel * channels
    if steps_note is None and steps != total:
        steps_note = f"each writes every {word.removesuffix('s')}"
    named = {"placements_name": name} if name else {}
    return {
        "placements": total,
        **named,
        "placements_note": each_of(per_channel, channels, word),
        "steps": steps,
        "steps_note": steps_note,
    }


def each_of(per_channel: int, channels: int, word: str = "channels") -> Optional[str]:
    """``16 on each of 2 channels``: how a count splits over the channels (None for one)."""
    return f"{per_channel:,} on each of {channels:,} {word}" if channels > 1 else None


def dims_text(sizes: object) -> str:
    """Sizes in a file name: ``3`` for (3, 3), ``3x2`` for (3, 2)."""
    if isinstance(sizes, str):
        return sizes
    values = tuple(sizes)  # type: ignore[arg-type]
    return str(values[0]) if len(set(values)) == 1 else "x".join(map(str, values))
