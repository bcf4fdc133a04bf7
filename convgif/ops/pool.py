"""Pooling layers: MaxPool and AvgPool over one or two axes, as PyTorch computes them.

Two halves, both plain NumPy:

* **Specs** (:class:`MaxPool2dSpec`, :class:`MaxPool1dSpec`, :class:`AvgPool2dSpec`,
  :class:`AvgPool1dSpec`, :class:`MaxUnpool2dSpec`, :class:`MaxUnpool1dSpec`): frozen
  dataclasses taking PyTorch's arguments in PyTorch's order with PyTorch's defaults, validated
  exactly as torch 2.13 validates them for one unbatched input (C, H, W) or (C, L), and
  normalised as the convolution specs are (sizes become tuples, ``stride=None`` becomes the
  kernel size). Whatever torch would refuse raises :class:`~convgif.spec.SpecError` naming the
  argument.
* **Recording** (:func:`record_pool`): the forward pass on small random integers, or on
  arrays given, with everything a renderer needs: the output, PyTorch's ``indices`` (max), the
  divisor of every window (average), the kind of every drawn cell, and one lazily built
  placement per output position.

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

Every spec class has the class attributes ``DIMS`` (1 or 2), ``KIND`` (``"max"``, ``"avg"`` or
``"unpool"``) and ``NAME`` (PyTorch's class name, e.g. ``"MaxPool2d"``), and the properties
``in_channels``, ``out_channels``, ``output_shape``, ``steps``, ``num_parameters`` (0),
``operations`` (a (name, count) pair for ``convgif info``) and ``caption``; ``replace(**changes)``
gives a validated copy. The one-axis specs have ``as_2d()``, the same layer over a single row,
and their recordings ``as_2d()`` likewise.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

import numpy as np

from ..engine.direct import LazySequence
from ..errors import SpecError
from ..picture.model import (
    Crop,
    Drawn,
    Geometry,
    LazyReads,
    Part,
    Reads,
    Region,
    Step,
    Writes,
    format_value,
    part_note,
)
from .args import fmt as _fmt
from .args import is_int as _is_int
from .args import positive_tuple as _positive_tuple
from .args import shape as _shape
from .args import to_tuple
from .base import Operation, dims_text, shape_facts  # noqa: E402
from .conv import _widest_text, picture_read, position, read_extent  # noqa: E402

__all__ = [
    "INPUT",
    "INPUT_RANGE",
    "OVERHANG",
    "PADDING",
    "AvgPool1dSpec",
    "AvgPool2dSpec",
    "MaxPool1dSpec",
    "MaxPool2dSpec",
    "PoolPlacement",
    "PoolPlacements",
    "PoolRecording",
    "PoolSpec",
    "record_pool",
]


#: Kinds of drawn grid cells (:attr:`PoolRecording.kinds`).
INPUT, PADDING, OVERHANG = 0, 1, 2


#: Range of the default input values, small so that a maximum or a sum can be checked by eye.
INPUT_RANGE = (0, 9)


_SEP = " \u2014 "


_PAIR_WORDS = {1: "a 1-tuple (l,)", 2: "a pair (h, w)"}


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
        put("kernel_size", _positive_tuple("kernel_size", self.kernel_size, dims))
        stride = self.stride
        # torch takes None, and also an empty tuple or list, as "the kernel size"
        given = not (stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0))
        put("stride_given", given)
        put("stride", _positive_tuple("stride", stride, dims) if given else self.kernel_size)
        if self.KIND == "max":
            put("dilation", _positive_tuple("dilation", self.dilation, dims))
        padding = to_tuple("padding", self.padding, dims)
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
        max, additions for an average, counted as ``macs`` is for a convolution: one per window
        cell (padding and overhang included) per output element."""
        name = "comparisons" if self.KIND == "max" else "additions"
        return name, math.prod(self.output_shape) * self.window_size

    def _caption(self, *more: str) -> str:
        parts = [
            f"Input Shape : {self.input_shape}",
            f"Output Shape : {self.output_shape}",
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
        put = lambda name, value: object.__setattr__(self, name, value)
        self._normalise(put)
        flag = self.return_indices
        # a Python-level switch in torch, like Conv2d's bias: booleans and integers are taken
        if not isinstance(flag, (bool, np.bool_, numbers.Integral)):
            raise SpecError("return_indices", f"return_indices={flag!r} must be True or False")
        put("return_indices", bool(flag))
        self._check_fits()

    @property
    def comparisons(self) -> int:
        """Window cells compared per output element, times the output elements."""
        return self.operations[1]

    @cached_property
    def caption(self) -> str:
        """The article's caption with K, P, S and D; `` — ceil_mode=True`` when set."""
        more = ["ceil_mode=True"] if self.ceil_mode else []
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
            put("divisor_override", int(divisor))
        self._check_fits()

    @property
    def dilation(self) -> tuple[int, ...]:
        """Average pooling has no dilation: ones, so the shared geometry applies unchanged."""
        return (1,) * self.DIMS

    @property
    def additions(self) -> int:
        """Window cells added per output element, times the output elements."""
        return self.operations[1]

    @cached_property
    def caption(self) -> str:
        """The article's caption with K, P and S (no dilation), then the non-default switches."""
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


PoolSpec = MaxPool2dSpec | MaxPool1dSpec | AvgPool2dSpec | AvgPool1dSpec


def _rng(seed: int) -> np.random.Generator:
    if not _is_int(seed) or seed < 0:
        raise SpecError("seed", f"seed={seed!r} must be a non-negative integer")
    return np.random.default_rng(int(seed))


def _array(name: str, value: object, shape: tuple[int, ...]) -> np.ndarray:
    """A user's array as int64 (integers, booleans) or float64, of exactly ``shape``."""
    array = np.asarray(value)
    if array.shape != tuple(shape):
        raise SpecError(name, f"{name} has shape {array.shape}, but this layer needs {tuple(shape)}")
    if array.dtype.kind in "biu":
        return array.astype(np.int64)
    if array.dtype.kind == "f":
        return array.astype(np.float64)
    raise SpecError(name, f"{name} must hold numbers, not {array.dtype}")


def _axis_taps(spec: _Pool) -> list[np.ndarray]:
    """Per axis, the (output size, kernel size) grid coordinates of every window's taps."""
    return [
        (np.arange(o) * s)[:, None] + (np.arange(k) * d)[None, :]
        for o, k, s, d in zip(spec.output_shape[1:], spec.kernel_size, spec.stride, spec.dilation)
    ]


def _axis_kinds(spec: _Pool) -> list[np.ndarray]:
    """Per axis, the kind of every drawn grid row/column."""
    kinds = []
    for n, p, g in zip(spec.input_shape[1:], spec.padding, spec.grid_shape[1:]):
        kind = np.full(g, PADDING, dtype=np.int8)
        kind[p : p + n] = INPUT
        kind[n + 2 * p :] = OVERHANG
        kinds.append(kind)
    return kinds


def _outer(per_axis: list[np.ndarray], combine) -> np.ndarray:
    """Combine one 1-D array per axis into a DIMS-dimensional array (an outer operation)."""
    result = per_axis[0]
    for more in per_axis[1:]:
        result = combine.outer(result, more)
    return result


def _windows(spec: _Pool, grid: np.ndarray) -> np.ndarray:
    """(..., *output sizes, window_size) view of each window's cells, taps in window order.

    ``grid`` has the drawn grid's spatial shape in its last DIMS axes.
    """
    dims = spec.DIMS
    axes = tuple(range(grid.ndim - dims, grid.ndim))
    view = np.lib.stride_tricks.sliding_window_view(grid, spec.receptive_field, axis=axes)
    lead = (slice(None),) * (grid.ndim - dims)
    picks = tuple(slice(0, (o - 1) * s + 1, s) for o, s in zip(spec.output_shape[1:], spec.stride))
    taps = tuple(slice(None, None, d) for d in spec.dilation)
    view = view[(*lead, *picks, *taps)]
    return view.reshape(*view.shape[: grid.ndim], spec.window_size)


def _reason(divisor: int, override: bool, padding: bool, overhang: bool, counted: bool) -> str:
    if override:
        return f"/ {divisor}: divisor_override"
    notes = []
    if padding:
        notes.append("padding counted" if counted else "padding not counted")
    if overhang:
        notes.append("overhang not counted")
    return f"/ {divisor}" + (": " + ", ".join(notes) if notes else "")


@dataclass(frozen=True, eq=False)
class PoolPlacement:
    """One window position: the output position it produces, for all channels at once.

    ``cells`` (K, DIMS) are the window's taps in grid coordinates, in window order (row by
    row), ``kinds`` (K,) their kinds, ``values`` (C,) the outputs. A max also has ``winners``
    (C, DIMS), the grid cell each channel's maximum comes from (-1 where the window holds no
    input cell), and ``indices`` (C,), PyTorch's. An average has ``terms`` (T, DIMS), the input
    cells added (padding adds 0 and is left out), ``sums`` (C,), ``divisor`` and ``reason``
    (e.g. ``"/ 6: padding not counted"``); the max's fields are None for it and vice versa.
    """

    out_index: tuple[int, ...]
    cells: np.ndarray
    kinds: np.ndarray
    values: np.ndarray
    winners: np.ndarray | None = None
    indices: np.ndarray | None = None
    terms: np.ndarray | None = None
    sums: np.ndarray | None = None
    divisor: int | None = None
    reason: str | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PoolPlacement):
            return NotImplemented
        return all(_same(getattr(self, f.name), getattr(other, f.name)) for f in dataclasses.fields(self))

    __hash__ = None  # type: ignore[assignment]  # equal placements hold equal arrays


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return a is not None and b is not None and np.array_equal(a, b, equal_nan=np.asarray(a).dtype.kind == "f")
    return a == b


class PoolPlacements(LazySequence[PoolPlacement]):
    """All window positions in output order (row by row); items are built when asked for."""

    def __init__(self, recording: PoolRecording) -> None:
        spec = recording.spec
        self._recording = recording
        self._taps = _axis_taps(spec)
        self._kinds = _axis_kinds(spec)
        self._sizes = spec.output_shape[1:]

    def __len__(self) -> int:
        return math.prod(self._sizes)

    def _item(self, index: int) -> PoolPlacement:
        out = tuple(int(v) for v in np.unravel_index(index, self._sizes))
        rec, spec = self._recording, self._recording.spec
        axis_cells = [taps[o] for taps, o in zip(self._taps, out)]
        mesh = np.meshgrid(*axis_cells, indexing="ij")
        cells = np.stack([m.ravel() for m in mesh], axis=1).astype(np.int64)
        kinds = np.max([kind[m.ravel()] for kind, m in zip(self._kinds, mesh)], axis=0).astype(np.int8)
        at = (slice(None), *out)
        values = rec.output[at].copy()
        if spec.KIND == "max":
            return PoolPlacement(
                out, cells, kinds, values, winners=rec.winners[at].copy(), indices=rec.indices[at].copy()
            )
        terms = cells[kinds == INPUT]
        inputs = rec.input[(slice(None), *(terms - np.array(spec.padding)).T)]
        divisor = int(rec.divisors[out])
        reason = _reason(
            divisor,
            spec.divisor_override is not None,
            bool((kinds == PADDING).any()),
            bool((kinds == OVERHANG).any()),
            spec.count_include_pad,
        )
        return PoolPlacement(
            out, cells, kinds, values, terms=terms, sums=_ordered_sum(inputs, axis=1), divisor=divisor, reason=reason
        )


@dataclass(frozen=True, eq=False)
class PoolRecording:
    """The forward pass of a max or average pooling spec.

    Arrays (spatial axes ``*n`` of the input, ``*o`` of the output, ``*g`` of the drawn grid;
    one axis for the 1-d layers):

    * ``input`` (C, *n): int64, or float64 when the input given holds fractions.
    * ``output`` (C, *o): a max keeps the input's dtype (a window with no input cell, possible
      only with dilation, gives −∞, or for integers −2**63 as torch's int64 pooling does); an
      average is float64.
    * ``indices`` (C, *o) int64, max only (else None): PyTorch's, the flat position ``y·W + x``
      in the unpadded input plane of the first maximum in window order (a NaN beats any number,
      and a later NaN beats an earlier one). For a window holding no input cell torch still
      gives a number: the first tap at or past row/column 0 on each axis, flattened, which may
      lie outside the plane.
    * ``winners`` (C, *o, DIMS) int64, max only: the grid coordinates of each maximum, -1 for a
      window holding no input cell.
    * ``divisors`` (*o) int64, average only: what each window's sum is divided by (the same for
      every channel).
    * ``kinds`` (*g) int8: :data:`INPUT`, :data:`PADDING` or :data:`OVERHANG` per drawn cell.
    * ``placements``: one :class:`PoolPlacement` per output position, built lazily.
    """

    spec: PoolSpec
    input: np.ndarray
    output: np.ndarray
    indices: np.ndarray | None
    winners: np.ndarray | None
    divisors: np.ndarray | None
    kinds: np.ndarray
    placements: PoolPlacements = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "placements", PoolPlacements(self))

    def as_2d(self) -> PoolRecording:
        """A 1-d recording as the 2-d one over a single row (which convgif draws); a 2-d
        recording as it is."""
        if self.spec.DIMS == 2:
            return self
        return record_pool(self.spec.as_2d(), input=self.input[:, None, :])


def _ordered_sum(values: np.ndarray, axis: int) -> np.ndarray:
    """Sum along ``axis`` one term at a time, first to last, as PyTorch's CPU kernel adds: the
    same float64 rounding, so averages of fractions match torch's bit for bit."""
    values = np.moveaxis(values, axis, -1)
    total = np.zeros(values.shape[:-1], dtype=values.dtype)
    for t in range(values.shape[-1]):
        total = total + values[..., t]
    return total


def _record_pool(spec: PoolSpec, x: np.ndarray) -> PoolRecording:
    dims = spec.DIMS
    c = spec.in_channels
    axis_kinds = _axis_kinds(spec)
    kinds = _outer(axis_kinds, np.maximum).astype(np.int8)
    real = _windows(spec, kinds) == INPUT  # (*o, K)
    inner = tuple(slice(p, p + n) for p, n in zip(spec.padding, spec.input_shape[1:]))
    taps = _axis_taps(spec)
    if spec.KIND == "avg":
        grid = np.zeros((c, *spec.grid_shape[1:]), dtype=np.float64)
        grid[(slice(None), *inner)] = x
        sums = _ordered_sum(_windows(spec, grid), axis=-1)
        if spec.divisor_override is not None:
            divisors = np.full(spec.output_shape[1:], spec.divisor_override, dtype=np.int64)
        else:
            counted = []
            for axis_taps, axis_kind in zip(taps, axis_kinds):
                allowed = (INPUT, PADDING) if spec.count_include_pad else (INPUT,)
                counted.append(np.isin(axis_kind[axis_taps], allowed).sum(axis=1))
            divisors = _outer(counted, np.multiply).astype(np.int64)
        return PoolRecording(spec, x, sums / divisors, None, None, divisors, kinds)

    floating = x.dtype.kind == "f"
    low = -np.inf if floating else np.iinfo(np.int64).min
    grid = np.full((c, *spec.grid_shape[1:]), low, dtype=x.dtype)
    grid[(slice(None), *inner)] = x
    windows = _windows(spec, grid)  # (C, *o, K)
    output = windows.max(axis=-1)  # NaN propagates; padding and overhang hold the lowest value
    best = real & (windows == output[..., None])
    first = np.argmax(best, axis=-1)
    if floating:
        nans = real & np.isnan(windows)
        last_nan = windows.shape[-1] - 1 - np.argmax(nans[..., ::-1], axis=-1)
        first = np.where(np.isnan(output), last_nan, first)
    empty = np.broadcast_to(~real.any(axis=-1), output.shape)
    taps_at = np.unravel_index(first, spec.kernel_size)
    winners = np.empty((*output.shape, dims), dtype=np.int64)
    flat = np.zeros(output.shape, dtype=np.int64)
    torch_empty = np.zeros(output.shape, dtype=np.int64)
    for a in range(dims):
        origin = (np.arange(spec.output_shape[1 + a]) * spec.stride[a]).reshape(
            [-1 if b == a else 1 for b in range(dims)]
        )
        winners[..., a] = origin + taps_at[a] * spec.dilation[a]
        size_after = math.prod(spec.input_shape[2 + a :])
        flat = flat + (winners[..., a] - spec.padding[a]) * size_after
        # torch's index for an empty window: the first tap at or past input row/column 0
        start = origin - spec.padding[a]
        d = spec.dilation[a]
        first_tap = np.where(start >= 0, start, start + d * (-(start // d)))
        torch_empty = torch_empty + first_tap * size_after
    winners[empty] = -1
    indices = np.where(empty, torch_empty, flat)
    return PoolRecording(spec, x, output, indices, winners, None, kinds)


def record_pool(spec: PoolSpec, seed: int = 0, input: object = None) -> PoolRecording:
    """Run a max or average pooling spec forward and record it.

    Without ``input`` the input holds random integers in 0..9 from ``numpy.random.default_rng
    (seed)``: the same seed, the same values. ``input`` may be any array of the input shape,
    integers or floats.
    """
    if input is None:
        rng = _rng(seed)
        x = rng.integers(INPUT_RANGE[0], INPUT_RANGE[1] + 1, spec.input_shape, dtype=np.int64)
    else:
        x = _array("input", input, spec.input_shape)
    return _record_pool(spec, x)


def pool_step_text(dims: int, oy: int, ox: int, step: int, steps: int) -> str:
    """The step line of a pooling: where the window is."""
    return f"window at {position(dims, oy, ox)} · step {step + 1}/{steps}"


def _at(dims: int, name: str, c: int, y: int, x: int) -> str:
    """An element as PyTorch indexes it: ``y[c, oy, ox]``, or ``y[c, ox]`` for one axis."""
    return f"{name}[{c}, {y}, {x}]" if dims == 2 else f"{name}[{c}, {x}]"


def _blame(spec, flat, axis: int) -> tuple[str, object, str]:
    """What to shrink on ``axis`` of the drawn (2-D) ``flat`` spec, named as ``spec`` has it."""
    if 2 * flat.padding[axis] > flat.input_shape[1 + axis]:
        return "padding", spec.padding, "padding"
    return "input_shape", spec.input_shape, "input"


#: Characters of the widest input value expected: a picture's pixels (0 to 255).
PIXEL_CHARS = 3


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
    """MaxPool and AvgPool over one or two axes: a window slides over every channel at once,
    each output cell the largest value or the mean of the cells it covers."""

    def _flat(self, spec):
        return spec.as_2d() if self.dims == 1 else spec

    def geometries(self, spec, region: Region | None = None, **view) -> list[Geometry]:
        self.check_view(**view)
        flat = self._flat(spec)
        c = flat.in_channels
        indices = indices_on(spec)
        kh, kw = flat.kernel_size
        what = "the largest value" if spec.KIND == "max" else "the mean"
        window = f"window {kh}×{kw}" if self.dims == 2 else f"window {kw}"
        dilation = getattr(flat, "dilation", (1, 1))
        if max(dilation) > 1:
            window += f" dilated by {dims_text(dilation[2 - self.dims :])}"
        notes = [
            f"{window}, stride {dims_text(flat.stride[2 - self.dims :])}: each output is {what} of the cells it covers"
        ]
        kinds = _axis_kinds(flat)
        if any((k == PADDING).any() for k in kinds):
            notes.append("padding: −∞, never the largest" if spec.KIND == "max" else "padding cells hold 0")
        if any((k == OVERHANG).any() for k in kinds):
            notes.append(
                "hatched grey cells past the edge: ceil_mode's overhang, inside a last window but never read or counted"
            )
        state = [w for w, on in (("padded", max(flat.padding) > 0), ("with overhang", max(flat.overhang) > 0)) if on]
        per = 2 if indices else 1
        _, ho, wo = flat.output_shape
        y_last = len(_at(self.dims, "y", c - 1, ho - 1, wo - 1))
        cells, index_chars = math.prod(flat.kernel_size), len(str(math.prod(flat.input_shape[1:])))
        if spec.KIND == "max":
            sum_chars = lambda chars: y_last + 10 + cells * (chars + 2) + chars + 10 + index_chars  # noqa: E731
        else:
            sum_chars = lambda chars: y_last + 40 + cells * (chars + 3)  # noqa: E731
        heading = f"input ({', '.join(state)})" if state else "input"
        grid, out_size, output_heading, part = flat.grid_shape[1:], flat.output_shape[1:], "output", None
        if region is not None:
            (y0, y1), (x0, x1) = read_extent(flat, region)
            grid, out_size, output_heading = (y1 - y0, x1 - x0), region.size, "output, part"
            part = Part(Crop(flat.grid_shape[1:], (y0, x0)), Crop((ho, wo), (region.rows[0], region.cols[0])))
            read = Region((y0, y1), (x0, x1))
            notes.append(
                part_note(
                    self.dims,
                    region,
                    (ho, wo),
                    read,
                    flat.grid_shape[1:],
                    heading.replace("input", "the input"),
                    "they read",
                )
            )
            heading += ", part"
        return [
            Geometry(
                layer=flat,
                caption=spec.caption,
                dims=self.dims,
                in_channels=c,
                out_channels=c * per,
                groups=c,
                grid=grid,
                kernel=None,
                out_size=out_size,
                steps_per_column=math.prod(out_size),
                input_heading=heading,
                output_heading=output_heading,
                channels_shown=region and region.channels,
                part=part,
                kernel_label=lambda i, j: "",
                blame=lambda axis: _blame(spec, flat, axis),
                notes=tuple(notes),
                output_label=(lambda co: f"indices[{co // 2}]" if co % 2 else f"y[{co // 2}]")
                if indices
                else (lambda co: f"y[{co}]"),
                numbers=True,
                columns_take_turns=False,
                step_chars=len(pool_step_text(self.dims, ho - 1, wo - 1, ho * wo - 1, math.prod(out_size))),
                sum_chars=sum_chars,
                value_chars=max(4 if spec.KIND == "avg" else PIXEL_CHARS, index_chars if indices else 1),
            )
        ]

    def drawings(
        self, spec, recording, pixels: bool = False, region: Region | None = None, geometries=None, **view
    ) -> list[Drawn]:
        (geometry,) = geometries or self.geometries(spec, region, **view)
        flat = self._flat(spec)
        rec = recording.as_2d()
        part = Region.of(region, flat.output_shape[1:])
        (y0, y1), (x0, x1) = read_extent(flat, part) if region else ((0, flat.grid_shape[1]), (0, flat.grid_shape[2]))
        kinds = rec.kinds[y0:y1, x0:x1]
        grid = np.zeros((flat.in_channels, *flat.grid_shape[1:]), dtype=rec.input.dtype)
        p = flat.padding
        grid[:, p[0] : p[0] + flat.input_shape[1], p[1] : p[1] + flat.input_shape[2]] = rec.input
        grid = grid[:, y0:y1, x0:x1]
        output = rec.output[:, slice(*part.rows), slice(*part.cols)]
        picture = None
        if region is not None and pixels and self.dims == 2 and rec.input.shape[0] in (1, 3):  # shown whole, small
            picture = picture_read(rec.input, flat.padding, (y0, y1), (x0, x1))
        shown_indices = rec.indices[:, slice(*part.rows), slice(*part.cols)] if indices_on(spec) else None
        return [
            Drawn(
                geometry=geometry,
                grid=grid,
                filler=kinds == PADDING,
                kernels=None,
                output=output,
                playback=PoolPlayback(rec, self.dims, indices_on(spec), part),
                value_chars=_widest_text(grid, output, shown_indices),
                pixels=pixels,
                filler_text="−∞" if spec.KIND == "max" else None,
                outside=kinds == OVERHANG if (kinds == OVERHANG).any() else None,
                plain=tuple(range(1, 2 * flat.in_channels, 2)) if indices_on(spec) else (),
                picture=picture,
            )
        ]

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
        axes = ("L",) if self.dims == 1 else ("H", "W")
        formulas = []
        dilation = getattr(spec, "dilation", (1,) * self.dims)
        for i, axis in enumerate(axes):
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
            "placements": math.prod(spec.output_shape[1:]),
            "steps": spec.steps,
            "output_size_formulas": formulas,
            "parameter_formulas": ["none: pooling has no weights and no bias"],
            name: count,
            "ceil_mode": spec.ceil_mode,
        }
        if spec.KIND == "avg":
            facts["count_include_pad"] = spec.count_include_pad
            facts["divisor_override"] = getattr(spec, "divisor_override", None)
        else:
            facts["return_indices"] = bool(spec.return_indices)
        return facts


def indices_on(spec) -> bool:
    """Whether a pooling spec returns its indices (drawn as a panel beside each output)."""
    return bool(getattr(spec, "return_indices", False))


class PoolPlayback:
    """Steps of a pooling: one window position a step, every channel at once; the window
    positions of ``region`` of the output (all of it by default), row by row."""

    def __init__(self, recording: PoolRecording, dims: int, indices: bool, region: Region | None = None) -> None:
        self.recording = recording
        self.dims = dims
        self.per = 2 if indices else 1
        self.indices = indices
        self.region = Region.of(region, recording.output.shape[1:])
        (y0, _), (x0, _) = read_extent(recording.spec, self.region)
        self._shift = np.array([y0, x0])  # from the whole grid to the cells drawn

    def _index(self, step: int) -> tuple[int, int]:
        """The output position of a step, in the layer's own coordinates."""
        oy, ox = divmod(step, self.region.size[1])
        return oy + self.region.rows[0], ox + self.region.cols[0]

    def advance(self, step: int) -> list[Writes]:
        rec = self.recording
        oy, ox = self._index(step)
        y, x = oy - self.region.rows[0], ox - self.region.cols[0]  # as drawn
        box = (y, x, y + 1, x + 1)
        writes = []
        for c in range(rec.output.shape[0]):
            rows, cols = np.array([y]), np.array([x])
            writes.append(Writes(c * self.per, rows, cols, rec.output[c, oy : oy + 1, ox : ox + 1], box))
            if self.indices:
                writes.append(Writes(c * self.per + 1, rows, cols, rec.indices[c, oy : oy + 1, ox : ox + 1], box))
        return writes

    def show(self, step: int) -> Step:
        rec = self.recording
        oy, ox = self._index(step)
        placement = rec.placements[oy * rec.output.shape[2] + ox]
        cells = placement.cells - self._shift
        top, left = cells.min(axis=0)
        bottom, right = cells.max(axis=0) + 1
        box = (int(top), int(left), int(bottom), int(right))

        def reads(c: int) -> Reads:
            taps = np.column_stack([np.full(len(cells), c), cells])
            marks = None
            if placement.winners is not None and placement.winners[c, 0] >= 0:
                marks = np.array([[c, *(placement.winners[c] - self._shift)]])
            return Reads(taps, box, marks)

        text = pool_step_text(self.dims, oy, ox, step, math.prod(self.region.size))
        sums = tuple(self._sum(c, placement) for c in range(rec.output.shape[0]))
        return Step(0, LazyReads(reads), self.advance(step), text, sums, tuple(c * self.per for c in range(len(sums))))

    def _sum(self, c: int, placement: PoolPlacement) -> str:
        oy, ox = placement.out_index
        y = _at(self.dims, "y", c, oy, ox)
        if placement.winners is not None:
            shown = []
            grid_values = self._grid_value
            for (gy, gx), kind in zip(placement.cells, placement.kinds):
                if kind == INPUT:
                    shown.append(format_value(grid_values(c, gy, gx)))
                elif kind == PADDING:
                    shown.append("−∞")
            at = f" at index {int(placement.indices[c])}"
            return f"{y} = max({', '.join(shown)}) = {format_value(placement.values[c])}{at}"
        terms = [format_value(self._grid_value(c, gy, gx)) for gy, gx in placement.terms]
        divisor, _, why = placement.reason.partition(": ")
        why = f" ({why})" if why else ""
        return f"{y} = ({' + '.join(terms) or '0'}) {divisor} = {format_value(placement.values[c])}{why}"

    def _grid_value(self, c: int, gy: int, gx: int):
        p = self.recording.spec.padding
        return self.recording.input[c, gy - p[0], gx - p[1]]


_MAX = ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")


_AVG = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad")


MAX_POOL2D = Pooling(MaxPool2dSpec)


MAX_POOL1D = Pooling(MaxPool1dSpec)


AVG_POOL2D = Pooling(AvgPool2dSpec)


AVG_POOL1D = Pooling(AvgPool1dSpec)


MAX_POOL2D.torch_signature = MAX_POOL1D.torch_signature = _MAX  # type: ignore[misc]


AVG_POOL2D.torch_signature = (*_AVG, "divisor_override")  # type: ignore[misc]


AVG_POOL1D.torch_signature = _AVG  # type: ignore[misc]
