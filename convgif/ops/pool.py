"""Pooling layers: MaxPool and AvgPool over one, two or three axes, as PyTorch computes them.

Three parts, all plain NumPy:

* **Specs** (``MaxPool1dSpec`` to ``MaxPool3dSpec``, ``AvgPool1dSpec`` to ``AvgPool3dSpec``):
  frozen dataclasses taking PyTorch's arguments in PyTorch's order with PyTorch's defaults,
  validated exactly as torch validates them for one unbatched input (C, *sizes), and
  normalised as the convolution specs are (sizes become tuples, ``stride=None`` becomes the
  kernel size). Whatever torch would refuse raises :class:`~convgif.errors.SpecError` naming the
  argument.
* **Recording** (:func:`record_pool`): the forward pass on small random integers, or on
  arrays given, with everything a renderer needs: the output, PyTorch's ``indices`` (max), the
  divisor of every window (average), the kind of every drawn cell, and one lazily built
  placement per output position.
* **Picture** (:class:`Pooling`): one window position a step, every channel at once, the
  window's cells ringed, the winner of a max outlined, each output's max or mean written out.

Geometry shared by all the pooling specs, per spatial axis of input size ``n``::

    receptive field  r = dilation·(kernel_size − 1) + 1        (no dilation for AvgPool: r = k)
    output size      o = floor((n + 2·padding − r) / stride) + 1
    with ceil_mode   o = ceil((n + 2·padding − r) / stride) + 1, minus one if that last window
                     would start at or after the end of the input (in the right padding)

Window ``i`` covers padded cells ``i·stride + j·dilation`` (``j`` < kernel_size). The *drawn
grid* is the padded input plus, with ``ceil_mode``, the cells a last window hangs past the
padded input at the bottom/right (its *overhang*). Grid coordinates are input coordinates plus
``padding``. Each grid cell has a kind: :data:`INPUT` (0), :data:`PADDING` (1, explicit padding:
−∞ for a max, 0 for an average) or :data:`OVERHANG` (2, past the padded input: never read and
never counted).

All channels are pooled in the same windows at the same time, so a spec's ``steps`` (animation
steps) is the output area, not C times it, and each placement carries one value per channel.

Every spec class has the class attributes ``DIMS`` (1, 2 or 3), ``KIND`` (``"max"`` or
``"avg"``) and ``NAME`` (PyTorch's class name, e.g. ``"MaxPool2d"``), and the properties
``in_channels``, ``out_channels``, ``output_shape``, ``steps``, ``num_parameters`` (0),
``operations`` (a (name, count) pair for ``convgif info``) and ``caption``; ``replace(**changes)``
gives a validated copy. The one-axis specs have ``as_2d()``, the same layer over a single row,
and their recordings ``as_2d()`` likewise.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

from ..engine.values import drawn_or_given, rng_of
from ..engine.windows import (
    INPUT,
    OVERHANG,
    PADDING,
    PoolPlacement,
    PoolPlacements,
    PoolRecording,
    reads_less_one,
    record_windows,
)
from ..errors import SpecError
from ..picture.model import Drawn, Geometry, Region
from .args import AXES, INT64, check_int64, to_tuple
from .args import fmt as _fmt
from .args import is_int as _is_int
from .args import positive_tuple as _positive_tuple
from .args import shape as _shape
from .base import Operation, count_facts, dims_text, shape_facts
from .pool_part import part_numbers, record_pool_part
from .pool_picture import PoolPlayback, backward_geometry, backward_notes, pool_drawings, pool_geometries, routed_reason

__all__ = [
    "INPUT",
    "INPUT_RANGE",
    "OVERHANG",
    "PADDING",
    "AvgPool1dSpec",
    "AvgPool2dSpec",
    "AvgPool3dSpec",
    "MaxPool1dSpec",
    "MaxPool2dSpec",
    "MaxPool3dSpec",
    "PoolPlacement",
    "PoolPlacements",
    "PoolRecording",
    "PoolSpec",
    "record_pool",
]


#: Range of the default input values, small so that a maximum or a sum can be checked by eye.
INPUT_RANGE = (0, 9)


_SEP = " \u2014 "


_PAIR_WORDS = {1: "a 1-tuple (l,)", 2: "a pair (h, w)", 3: "a triple (d, h, w)"}


def _flag(name: str, value: object) -> bool:
    """``ceil_mode`` and ``count_include_pad``: torch takes a Python bool and nothing else."""
    if not isinstance(value, bool):
        raise SpecError(name, f"{name}={value!r} must be True or False")
    return value


class _Pool:
    """What MaxPool and AvgPool share: the window geometry, its checks and derived sizes."""

    DIMS: ClassVar[int]
    KIND: ClassVar[str]
    NAME: ClassVar[str]
    input_shape: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    ceil_mode: bool
    stride_given: bool

    def _normalise(self, put) -> None:
        dims = self.DIMS
        put("input_shape", _shape(self.input_shape, dims))
        # torch's integer lists repeat a 1-tuple over every axis
        put("kernel_size", _positive_tuple("kernel_size", self.kernel_size, dims, one=True))
        stride = self.stride
        # torch takes None, and also an empty tuple or list, as "the kernel size"
        given = not (stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0))
        put("stride_given", given)
        put("stride", _positive_tuple("stride", stride, dims, one=True) if given else self.kernel_size)
        if self.KIND == "max":
            put("dilation", _positive_tuple("dilation", self.dilation, dims, one=True))
        padding = to_tuple("padding", self.padding, dims, one=True)
        if min(padding) < 0:
            raise SpecError("padding", f"padding={_fmt(self.padding)} must be non-negative")
        half = tuple(k // 2 for k in self.kernel_size)
        if any(p > h for p, h in zip(padding, half)):
            extra = " (dilation does not count here)" if self.KIND == "max" and max(self.dilation) > 1 else ""
            raise SpecError(
                "padding",
                f"padding={_fmt(self.padding)} must be at most half of kernel_size={self.kernel_size} on "
                f"each axis, rounded down: at most {half}{extra}",
            )
        put("padding", padding)
        put("ceil_mode", _flag("ceil_mode", self.ceil_mode))

    def _check_fits(self) -> None:
        if min(self.output_shape[1:]) >= 1:
            return
        span, padded = self.receptive_field, self.padded_shape[1:]
        dilated = f" with dilation={self.dilation}" if max(self.dilation) > 1 else ""
        if self.ceil_mode:
            slack = tuple(s - 1 for s in self.stride)
            raise SpecError(
                "kernel_size",
                f"kernel_size={self.kernel_size}{dilated} spans {span}, more than the padded input "
                f"{padded} plus the stride - 1 = {slack} cells a ceil_mode window may hang over: "
                "not even one window fits",
            )
        raise SpecError(
            "kernel_size",
            f"kernel_size={self.kernel_size}{dilated} spans {span}, larger than the padded input "
            f"{padded}: the window must fit inside the (padded) input",
        )

    # -- derived quantities -----------------------------------------------------------------

    @property
    def in_channels(self) -> int:
        return self.input_shape[0]

    @property
    def out_channels(self) -> int:
        """Pooling works channel by channel: as many output channels as input channels."""
        return self.input_shape[0]

    num_parameters: ClassVar[int] = 0

    @cached_property
    def receptive_field(self) -> tuple[int, ...]:
        """Extent of one window: ``dilation·(kernel_size − 1) + 1`` per axis."""
        return tuple(d * (k - 1) + 1 for d, k in zip(self.dilation, self.kernel_size))

    @property
    def padding_end(self) -> tuple[int, ...]:
        """Explicit padding at the bottom/right: the same as at the top/left."""
        return self.padding

    @cached_property
    def padded_shape(self) -> tuple[int, ...]:
        """(C, *sizes) of the input with its explicit padding (ceil_mode's overhang excluded)."""
        return (self.in_channels, *(n + 2 * p for n, p in zip(self.input_shape[1:], self.padding)))

    @cached_property
    def output_shape(self) -> tuple[int, ...]:
        """(C, *sizes): PyTorch's ``pooling_output_shape`` on each axis (see the module doc)."""
        sizes = []
        for n, p, r, s in zip(self.input_shape[1:], self.padding, self.receptive_field, self.stride):
            size = (n + 2 * p - r + (s - 1 if self.ceil_mode else 0)) // s + 1
            if self.ceil_mode and (size - 1) * s >= n + p:
                size -= 1  # the last window would start in the right padding: dropped
            sizes.append(size)
        return (self.in_channels, *sizes)

    @cached_property
    def overhang(self) -> tuple[int, ...]:
        """Cells the last window reaches past the padded input at the bottom/right, per axis
        (nonzero only with ``ceil_mode``). They are drawn but never read or counted."""
        return tuple(
            max(0, (o - 1) * s + r - q)
            for o, s, r, q in zip(self.output_shape[1:], self.stride, self.receptive_field, self.padded_shape[1:])
        )

    @cached_property
    def grid_shape(self) -> tuple[int, ...]:
        """(C, *sizes) of the drawn grid: the padded input plus the overhang."""
        return (self.in_channels, *(q + h for q, h in zip(self.padded_shape[1:], self.overhang)))

    @cached_property
    def steps(self) -> int:
        """Animation steps: one per output position, all channels advancing together."""
        return math.prod(self.output_shape[1:])

    @property
    def numbers(self) -> int:
        """How many numbers recording the layer holds: the drawn grid and the output."""
        return math.prod(self.grid_shape) + math.prod(self.output_shape)

    @cached_property
    def window_size(self) -> int:
        """Cells in one window: the product of the kernel sizes."""
        return math.prod(self.kernel_size)

    @property
    def operations(self) -> tuple[str, int]:
        """(name, count) of the work of one forward pass, for ``convgif info``: comparisons for a
        max, additions for an average, as torch does them: each window, clipped to the input
        (padding and ceil_mode's overhang are never read), reads its cells and takes one fewer
        comparisons or additions than it reads, in every channel."""
        return ("comparisons" if self.KIND == "max" else "additions"), reads_less_one(self)

    def _caption(self, *more: str) -> str:
        """The shapes, the class's name (the one word that says max or mean), then K, P, S."""
        parts = [
            f"Input Shape : {self.input_shape}",
            f"Output Shape : {self.output_shape}",
            self.NAME,
            f"K : {self.kernel_size}",
            f"P : {self.padding}",
            f"S : {self.stride}",
        ]
        return _SEP.join([*parts, *more])

    def replace(self, **changes: object):
        """A copy with some arguments changed, validated again (``stride`` follows a new
        ``kernel_size`` when it was left to default)."""
        args = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        if not self.stride_given:
            args["stride"] = None
        args.update(changes)
        return type(self)(**args)


@dataclass(frozen=True)
class _MaxPoolSpec(_Pool):
    input_shape: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...] | None = None
    padding: tuple[int, ...] = 0  # type: ignore[assignment]
    dilation: tuple[int, ...] = 1  # type: ignore[assignment]
    return_indices: bool = False
    ceil_mode: bool = False
    stride_given: bool = field(init=False, repr=False, compare=False)

    KIND: ClassVar[str] = "max"

    def __post_init__(self) -> None:
        check_int64(self)
        put = lambda name, value: object.__setattr__(self, name, value)
        self._normalise(put)
        # a Python-level switch in torch: anything with a truth value is taken (2.0 and "yes" are true)
        try:
            put("return_indices", bool(self.return_indices))
        except (TypeError, ValueError):
            raise SpecError("return_indices", f"return_indices={self.return_indices!r} must be True or False") from None
        self._check_fits()

    @property
    def comparisons(self) -> int:
        """The comparisons of a forward pass (see :attr:`operations`)."""
        return self.operations[1]

    @cached_property
    def caption(self) -> str:
        """The article's caption with the class's name, K, P, S and D, then the switches set: ``ceil_mode=True``,
        ``return_indices=True``."""
        more = [f"{name}=True" for name in ("ceil_mode", "return_indices") if getattr(self, name)]
        return self._caption(f"D : {self.dilation}", *more)


@dataclass(frozen=True)
class MaxPool2dSpec(_MaxPoolSpec):
    """One ``torch.nn.MaxPool2d`` applied to one input of shape (C, H, W) ((H, W) means C = 1).

    PyTorch's arguments, order and defaults; ``stride=None`` means ``kernel_size``. After
    construction ``kernel_size``, ``stride``, ``padding`` and ``dilation`` are (h, w) pairs.
    Padding acts as −∞: it never wins. ``return_indices`` changes nothing computed here (the
    recording always has ``indices``); it is kept so a caller can show them when asked.
    """

    DIMS: ClassVar[int] = 2
    NAME: ClassVar[str] = "MaxPool2d"


@dataclass(frozen=True)
class MaxPool1dSpec(_MaxPoolSpec):
    """One ``torch.nn.MaxPool1d`` over one sequence (C, L) ((L,) means C = 1): the arguments
    and rules of :class:`MaxPool2dSpec` on one axis; sizes are 1-tuples (``kernel_size == (2,)``)."""

    DIMS: ClassVar[int] = 1
    NAME: ClassVar[str] = "MaxPool1d"

    def as_2d(self) -> MaxPool2dSpec:
        """The same layer as a MaxPool2d over a (C, 1, L) input: equal output and indices."""
        return MaxPool2dSpec(
            (self.in_channels, 1, self.input_shape[1]),
            (1, *self.kernel_size),
            (1, *self.stride),
            (0, *self.padding),
            (1, *self.dilation),
            self.return_indices,
            self.ceil_mode,
        )


def check_input_holds_kernel(spec) -> None:
    """torch's three-axis average pooling (AvgPool3d, and LPPool3d, which is made of it) needs
    the input itself, padding aside, at least as large as the kernel on every axis."""
    if spec.DIMS == 3 and any(n < k for n, k in zip(spec.input_shape[1:], spec.kernel_size)):
        raise SpecError(
            "kernel_size",
            f"kernel_size={spec.kernel_size} is larger than the input {spec.input_shape[1:]} on an axis: "
            f"{spec.NAME} needs the input itself (padding and ceil_mode aside) at least as large as its kernel",
        )


@dataclass(frozen=True)
class _AvgPoolSpec(_Pool):
    input_shape: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...] | None = None
    padding: tuple[int, ...] = 0  # type: ignore[assignment]
    ceil_mode: bool = False
    count_include_pad: bool = True
    stride_given: bool = field(init=False, repr=False, compare=False)

    KIND: ClassVar[str] = "avg"
    divisor_override: ClassVar[int | None] = None  # AvgPool2d makes it an argument

    def __post_init__(self) -> None:
        check_int64(self)
        put = lambda name, value: object.__setattr__(self, name, value)
        self._normalise(put)
        put("count_include_pad", _flag("count_include_pad", self.count_include_pad))
        divisor = self.divisor_override
        if divisor is not None:
            if not _is_int(divisor):
                raise SpecError("divisor_override", f"divisor_override={divisor!r} must be None or an integer")
            if divisor == 0:
                raise SpecError(
                    "divisor_override",
                    "divisor_override=0 must not be zero: every window sum is divided by it "
                    "(any other integer, even a negative one, is taken)",
                )
            if not -INT64 <= int(divisor) < INT64:
                raise SpecError(
                    "divisor_override",
                    f"divisor_override={_fmt(divisor)} is too large: PyTorch keeps it as a 64-bit integer",
                )
            put("divisor_override", int(divisor))
        self._check_fits()
        check_input_holds_kernel(self)

    @property
    def dilation(self) -> tuple[int, ...]:
        """Average pooling has no dilation: ones, so the shared geometry applies unchanged."""
        return (1,) * self.DIMS

    @property
    def additions(self) -> int:
        """The additions of a forward pass (see :attr:`operations`)."""
        return self.operations[1]

    @cached_property
    def caption(self) -> str:
        """The article's caption with the class's name, K, P and S (no dilation), then the
        non-default switches."""
        more = []
        if self.ceil_mode:
            more.append("ceil_mode=True")
        if not self.count_include_pad:
            more.append("count_include_pad=False")
        if self.divisor_override is not None:
            more.append(f"divisor_override={self.divisor_override}")
        return self._caption(*more)


@dataclass(frozen=True)
class AvgPool2dSpec(_AvgPoolSpec):
    """One ``torch.nn.AvgPool2d`` applied to one input of shape (C, H, W) ((H, W) means C = 1).

    PyTorch's arguments, order and defaults. Each output is the sum of the input cells in its
    window divided by: ``divisor_override`` when given (any nonzero integer); otherwise, with
    ``count_include_pad=True``, the window's cells inside the padded input (explicit padding
    counted, ceil_mode's overhang not); with ``count_include_pad=False``, its input cells only.
    """

    divisor_override: int | None = None  # type: ignore[misc]

    DIMS: ClassVar[int] = 2
    NAME: ClassVar[str] = "AvgPool2d"


@dataclass(frozen=True)
class AvgPool1dSpec(_AvgPoolSpec):
    """One ``torch.nn.AvgPool1d`` over one sequence (C, L) ((L,) means C = 1): the rules of
    :class:`AvgPool2dSpec` on one axis. Like torch's, it takes no ``divisor_override``."""

    DIMS: ClassVar[int] = 1
    NAME: ClassVar[str] = "AvgPool1d"

    def as_2d(self) -> AvgPool2dSpec:
        """The same layer as an AvgPool2d over a (C, 1, L) input: equal output and divisors."""
        return AvgPool2dSpec(
            (self.in_channels, 1, self.input_shape[1]),
            (1, *self.kernel_size),
            (1, *self.stride),
            (0, *self.padding),
            self.ceil_mode,
            self.count_include_pad,
        )


@dataclass(frozen=True)
class MaxPool3dSpec(_MaxPoolSpec):
    """One ``torch.nn.MaxPool3d`` over one input (C, D, H, W) ((D, H, W) means C = 1): the
    arguments and rules of :class:`MaxPool2dSpec` on three axes; sizes are (d, h, w) triples."""

    DIMS: ClassVar[int] = 3
    NAME: ClassVar[str] = "MaxPool3d"

    def plane(self) -> MaxPool2dSpec:
        """The MaxPool2d an output depth slice is drawn as: over the (channel, depth) slices it
        reads (C · KD of them), with the layer's height and width arguments: its sizes and grid
        per slice (see :mod:`convgif.ops.pool_depth`)."""
        return MaxPool2dSpec(
            (self.in_channels * self.kernel_size[0], *self.input_shape[2:]),
            self.kernel_size[1:],
            self.stride[1:],
            self.padding[1:],
            self.dilation[1:],
            False,
            self.ceil_mode,
        )


@dataclass(frozen=True)
class AvgPool3dSpec(_AvgPoolSpec):
    """One ``torch.nn.AvgPool3d`` over one input (C, D, H, W): the rules of
    :class:`AvgPool2dSpec` on three axes, ``divisor_override`` included."""

    divisor_override: int | None = None  # type: ignore[misc]

    DIMS: ClassVar[int] = 3
    NAME: ClassVar[str] = "AvgPool3d"

    def plane(self) -> AvgPool2dSpec:
        """The AvgPool2d an output depth slice is drawn as (see :meth:`MaxPool3dSpec.plane`)."""
        return AvgPool2dSpec(
            (self.in_channels * self.kernel_size[0], *self.input_shape[2:]),
            self.kernel_size[1:],
            self.stride[1:],
            self.padding[1:],
            self.ceil_mode,
            self.count_include_pad,
        )


PoolSpec = MaxPool1dSpec | MaxPool2dSpec | MaxPool3dSpec | AvgPool1dSpec | AvgPool2dSpec | AvgPool3dSpec


def record_pool(spec: PoolSpec, seed: int = 0, input: object = None) -> PoolRecording:
    """Run a max or average pooling spec forward and record it.

    Without ``input`` the input holds random integers in 0..9 from ``seed``'s example values
    (:func:`convgif.engine.values.rng_of`): the same seed, the same values. ``input`` may be any array of the input shape,
    integers or floats within the bounds every given value keeps (see
    :func:`convgif.engine.values.check_exact`).
    """
    return record_windows(spec, drawn_or_given(rng_of(seed), "input", input, spec.input_shape, INPUT_RANGE))


class _Windowed(Operation):
    """What the pooling kinds share: the spec class names the kind, and there are no weights."""

    views = ("region",)

    def __init__(self, spec_type: type) -> None:
        self.spec_type = spec_type  # type: ignore[misc]
        self.name = spec_type.NAME  # type: ignore[misc]
        self.dims = spec_type.DIMS  # type: ignore[misc]

    def record(self, spec, seed: int = 0, *, input=None, weight=None, bias=None, indices=None):
        """The kind's recording (see :func:`record_pool` and :func:`convgif.ops.unpool.record_unpool`)."""
        for name, value in (("weight", weight), ("bias", bias)):
            if value is not None:
                raise SpecError(name, f"{self.name} has no {name}: pooling has no parameters")
        return self._record(spec, seed, input, indices)

    def _record(self, spec, seed: int, input, indices):
        if indices is not None:
            raise SpecError("indices", f"{spec.NAME} takes no indices: only an unpooling does")
        return record_pool(spec, seed, input)

    def weight_shape(self, spec) -> None:
        return None


class Pooling(_Windowed):
    """MaxPool and AvgPool over one, two or three axes: a window slides over every channel at once,
    each output cell the largest value or the mean of the cells it covers."""

    #: How the steps are played (a kind whose sum line reads otherwise plays them its own way).
    playback: ClassVar[type] = PoolPlayback

    def _flat(self, spec):
        return spec.as_2d() if self.dims == 1 else spec

    def record_drawn(self, spec, seed, kernels, *, input=None, weight=None, bias=None, region=None):
        """The recording; with ``region``, only that part of the output (of a 3-D layer, of every
        output depth slice) and the input it reads, as the layer drawn (:mod:`.pool_part`)."""
        if region is None or not self.draws_parts:
            return self.record(spec, seed, input=input, weight=weight, bias=bias)
        return record_pool_part(spec, seed, input, region, INPUT_RANGE)

    def part_numbers(self, spec, region: Region) -> int:
        return part_numbers(spec, region)  # the module's: see :mod:`.pool_part`

    def geometries(self, spec, region: Region | None = None, **view) -> list[Geometry]:
        self.check_view(**view)
        if self.dims == 3:
            if type(self).playback is not PoolPlayback:  # a kind whose sums read otherwise (LPPool)
                raise self.not_drawn()
            from .pool_depth import pool_depth_geometries

            return pool_depth_geometries(spec, region)
        flat = self._flat(spec)
        return pool_geometries(spec, flat, self.dims, region)

    def drawings(
        self, spec, recording, pixels: bool = False, region: Region | None = None, geometries=None, **view
    ) -> list[Drawn]:
        if self.dims == 3:
            from .pool_depth import pool_depth_drawings

            return pool_depth_drawings(
                spec, recording, geometries or self.geometries(spec, region, **view), pixels, region
            )
        (geometry,) = geometries or self.geometries(spec, region, **view)
        flat = self._flat(spec)
        return pool_drawings(spec, flat, recording, geometry, self.playback, self.dims, pixels, region)

    def links(self, spec, recording):
        """Where the gradient goes back (:class:`convgif.engine.backward.Links`): a max's to the
        cell its index names (windows that overlap add up), an average's to every input cell of
        its window, over the window's divisor."""
        from ..engine.backward import max_links, window_links
        from ..engine.windows import _axis_taps

        if spec.KIND == "max":
            return max_links(recording.indices, recording.input.shape)
        return window_links(_axis_taps(spec), spec.padding, recording.input.shape, recording.divisors)

    def gradients(self, spec, recording, grad_output):
        from ..engine.backward import Gradients

        return Gradients(self.links(spec, recording).grad(grad_output, recording.input.shape))

    def backward_geometries(self, spec, region: Region | None = None, **view) -> list[Geometry]:
        """One picture: each window's dy routed back onto the input as the forward pass drew it
        (an average's, which takes none of the input's values, beside dy alone)."""
        from .backward import refuse_region

        refuse_region(region)
        if self.dims == 3:
            from .backward_pool_depth import pooling_geometries

            return pooling_geometries(self, spec, backward_notes(spec), **view)
        return [backward_geometry(spec, self.geometries(spec, **view)[0])]

    def backward_drawings(self, spec, recording, pixels: bool = False, geometries=None, **view) -> list[Drawn]:
        from .backward_moves import share_drawn, window_drawn

        rec = recording.forward
        if self.dims == 3:
            from .backward_pool_depth import pooling_drawings

            geometries = geometries or self.backward_geometries(spec, **view)
            return pooling_drawings(self, spec, recording, pixels, geometries, **view)
        (geometry,) = geometries or self.backward_geometries(spec, **view)
        flat = rec.as_2d()
        reason = lambda c, out: routed_reason(flat, c, out)  # noqa: E731
        links, dy = self.links(spec, rec), recording.grad_output
        if spec.KIND == "avg":
            return [share_drawn(geometry, links, dy, rec.input.shape, reason)]
        (forward,) = self.drawings(spec, rec, pixels, **view)
        return [window_drawn(geometry, forward, links, dy, rec.input.shape, reason)]

    def name_parts(self, spec, **view) -> list[str]:
        parts = ["x".join(map(str, spec.input_shape)), f"k{dims_text(spec.kernel_size)}"]
        if spec.stride != spec.kernel_size:
            parts.append(f"s{dims_text(spec.stride)}")
        if max(spec.padding):
            parts.append(f"p{dims_text(spec.padding)}")
        if max(getattr(spec, "dilation", (1,))) > 1:
            parts.append(f"d{dims_text(spec.dilation)}")
        for flag, word in (("ceil_mode", "ceil"), ("return_indices", "indices")):
            if getattr(spec, flag, False):
                parts.append(word)
        if getattr(spec, "count_include_pad", True) is False:
            parts.append("nopadcount")
        if getattr(spec, "divisor_override", None) is not None:
            parts.append(f"div{spec.divisor_override}".replace("-", "m"))
        return parts

    def facts(self, spec) -> dict:
        formulas = []
        dilation = getattr(spec, "dilation", (1,) * self.dims)
        for i, axis in enumerate(AXES[self.dims]):
            n, k, s, p, d = spec.input_shape[1 + i], spec.kernel_size[i], spec.stride[i], spec.padding[i], dilation[i]
            out = spec.output_shape[1 + i]
            span = f"{d}·({k} − 1) − 1" if spec.KIND == "max" else f"{k}"  # an average has no dilation
            inner = f"({n} + 2·{p} − {span})"
            if spec.ceil_mode:
                line = f"{axis}_out = ceil({inner} / {s}) + 1"
                plain = (n + 2 * p - (d * (k - 1) + 1)) // s + 1
                ceil = -(-(n + 2 * p - (d * (k - 1) + 1)) // s) + 1
                if ceil != out:
                    line += f" − 1 (the last window would start in the padding) = {out}"
                else:
                    line += f" = {out}" + (
                        f" (floor gives {plain}: one window hangs over the edge)" if plain != out else ""
                    )
            else:
                line = f"{axis}_out = floor({inner} / {s}) + 1 = {out}"
            formulas.append(line)
        name, count = spec.operations
        facts = {
            **shape_facts(self.name, spec),
            "dilation": list(dilation),
            "num_parameters": 0,
            "receptive_field": list(spec.receptive_field),
            **count_facts(math.prod(spec.output_shape[1:]), spec.input_shape[0], spec.steps),
            "output_size_formulas": formulas,
            "parameter_formulas": ["none: pooling has no weights and no bias"],
            name: count,
            "ceil_mode": spec.ceil_mode,
        }
        if spec.KIND == "avg":
            facts["count_include_pad"] = spec.count_include_pad
            facts["divisor_override"] = getattr(spec, "divisor_override", None)
        elif spec.KIND == "max":
            facts["return_indices"] = bool(spec.return_indices)
        return facts


_MAX = ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")


_AVG = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad")


MAX_POOL1D = Pooling(MaxPool1dSpec)
MAX_POOL2D = Pooling(MaxPool2dSpec)
MAX_POOL3D = Pooling(MaxPool3dSpec)
AVG_POOL1D = Pooling(AvgPool1dSpec)
AVG_POOL2D = Pooling(AvgPool2dSpec)
AVG_POOL3D = Pooling(AvgPool3dSpec)
for _op in (MAX_POOL1D, MAX_POOL2D, MAX_POOL3D, AVG_POOL1D, AVG_POOL2D, AVG_POOL3D):
    _op.backward_drawn = _op.draws_parts = True  # type: ignore[misc]
for _op in (MAX_POOL1D, MAX_POOL2D, MAX_POOL3D):
    _op.torch_signature = _MAX  # type: ignore[misc]
    _op.torch_shown = ("kernel_size", "stride", "padding", "dilation", "ceil_mode")  # type: ignore[misc]
for _op in (AVG_POOL1D, AVG_POOL2D, AVG_POOL3D):
    _op.torch_shown = ("kernel_size", "stride", "padding")  # type: ignore[misc]
AVG_POOL1D.torch_signature = _AVG  # type: ignore[misc]
AVG_POOL2D.torch_signature = AVG_POOL3D.torch_signature = (*_AVG, "divisor_override")  # type: ignore[misc]
