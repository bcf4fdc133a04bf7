"""Power-average pooling: ``torch.nn.LPPool1d``, ``LPPool2d`` and ``LPPool3d``.

Each output is (Σ x^p)^(1/p) over its window, computed as ``torch.nn.functional.lp_pool2d``
computes it: the average pool of ``x.pow(p)`` (no padding, ``count_include_pad``), times the
kernel's cell count K, then ``sign(·)·relu(|·|)``, then ``.pow(1/p)``. So with ``ceil_mode`` a
last window cut by the input's edge gives (the mean of its cells' x^p · K)^(1/p), not their sum.
For p = ∞ torch takes the max pool of |x|, for p = −∞ minus the max pool of −|x| (the least
|x|). A negative x to a fractional power, or a negative sum to a fractional root, gives NaN, as
in torch; p = 0 is refused, as torch refuses it (1/p).

* **Specs** (:class:`LPPool1dSpec` to :class:`LPPool3dSpec`): ``input_shape`` then PyTorch's
  ``norm_type, kernel_size, stride=None, ceil_mode=False``, checked as torch checks them (the
  one-axis layer takes only an int ``kernel_size``; ``stride`` may be one int for every axis).
* **Recording** (:func:`record_lp`): the input, the output, and the pooling it is made of.
* **Picture**: the pooling picture, each output's power sum and root written out.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

import numpy as np

from ..engine.part import PartArray
from ..engine.values import drawn_or_given, rng_of
from ..engine.windows import PoolPlacements, PoolRecording, input_box, record_windows
from ..errors import SpecError
from ..picture.model import Region
from ..picture.numbers import format_value, significant
from . import args
from .args import caption_line, fmt, int_entry, is_int
from .args import shape as _shape
from .gathered import no_values
from .pool import (
    INPUT_RANGE,
    AvgPool1dSpec,
    AvgPool2dSpec,
    AvgPool3dSpec,
    MaxPool1dSpec,
    MaxPool2dSpec,
    MaxPool3dSpec,
    Pooling,
    _flag,
    _Pool,
    check_input_holds_kernel,
)
from .pool_part import input_part, spans_of, windows_part
from .pool_picture import PoolPlayback, element_text

_WORDS = {1: "an int", 2: "an int or a pair (h, w)", 3: "an int or a triple (d, h, w)"}
SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def norm(value: object) -> float:
    """``norm_type`` as torch's forward reads it, ``float(norm_type)``; 0 is refused (torch
    divides 1 by it)."""
    try:
        p = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SpecError("norm_type", f"norm_type={value!r} must be a number (torch takes float(norm_type))") from None
    if p == 0:
        raise SpecError("norm_type", f"norm_type={value!r} must not be 0: the root is the power 1/norm_type")
    return p


def _kernel(value: object, dims: int) -> tuple[int, ...]:
    """``kernel_size``: LPPool1d takes an int only (it multiplies by it); LPPool2d/3d an int or
    one per axis. No bools."""
    if is_int(value):
        return (int(value),) * dims  # type: ignore[call-overload]
    if dims > 1 and isinstance(value, (tuple, list)) and len(value) == dims and all(map(int_entry, value, range(dims))):
        return tuple(int(v) for v in value)
    raise SpecError("kernel_size", f"kernel_size={fmt(value)} must be {_WORDS[dims]} of ints")


def _stride(value: object, dims: int):
    """``stride``: None or empty (the kernel size), an int, or one int or one per axis."""
    if value is None or (isinstance(value, (tuple, list)) and len(value) == 0):
        return None
    if is_int(value):
        return (int(value),) * dims  # type: ignore[call-overload]
    if isinstance(value, (tuple, list)) and len(value) in (1, dims) and all(map(int_entry, value, range(dims))):
        return tuple(int(v) for v in value) * (dims if len(value) == 1 else 1)
    words = "an int, a 1-tuple" + (f" or {dims} ints" if dims > 1 else "")
    raise SpecError("stride", f"stride={fmt(value)} must be None, {words}")


@dataclass(frozen=True)
class _LPPoolSpec(_Pool):
    input_shape: tuple[int, ...]
    norm_type: float
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...] | None = None
    ceil_mode: bool = False
    stride_given: bool = field(init=False, repr=False, compare=False)

    KIND: ClassVar[str] = "lp"

    def __post_init__(self) -> None:
        put = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        dims = self.DIMS
        put("input_shape", _shape(self.input_shape, dims))
        put("norm_type", norm(self.norm_type))
        kernel = _kernel(self.kernel_size, dims)
        stride = _stride(self.stride, dims)
        put("stride_given", stride is not None)
        if min(kernel) < 1:
            argument = "kernel_size" if stride is not None or min(kernel) < 0 else "stride"
            raise SpecError(
                argument,
                f"kernel_size={fmt(self.kernel_size)} must be positive"
                + ("" if argument == "kernel_size" else " (it is also the stride, which must not be zero)"),
            )
        if stride is not None and min(stride) < 1:
            raise SpecError("stride", f"stride={fmt(self.stride)} must be positive")
        put("kernel_size", kernel)
        put("stride", stride or kernel)
        put("ceil_mode", _flag("ceil_mode", self.ceil_mode))
        self._check_fits()
        if math.isfinite(self.norm_type):  # p = ±∞ is a max pool, which has no such rule
            check_input_holds_kernel(self)

    @property
    def padding(self) -> tuple[int, ...]:
        """LP pooling has no padding."""
        return (0,) * self.DIMS

    @property
    def dilation(self) -> tuple[int, ...]:
        return (1,) * self.DIMS

    divisor_override: ClassVar[None] = None
    count_include_pad: ClassVar[bool] = True

    @property
    def p_text(self) -> str:
        return format_value(self.norm_type)

    @cached_property
    def caption(self) -> str:
        more = ["ceil_mode=True"] if self.ceil_mode else []
        return caption_line(
            self.input_shape,
            self.output_shape,
            f"p : {self.p_text}",
            f"K : {self.kernel_size}",
            f"S : {self.stride}",
            *more,
        )

    def pool_spec(self):
        """The pooling torch computes this layer with: the average pool of x^p (padding 0,
        ``count_include_pad``), or for p = ±∞ the max pool of ±|x|."""
        dims = self.DIMS
        if math.isinf(self.norm_type):
            cls = {1: MaxPool1dSpec, 2: MaxPool2dSpec, 3: MaxPool3dSpec}[dims]
            return cls(self.input_shape, self.kernel_size, self.stride, 0, 1, False, self.ceil_mode)
        cls = {1: AvgPool1dSpec, 2: AvgPool2dSpec, 3: AvgPool3dSpec}[dims]
        return cls(self.input_shape, self.kernel_size, self.stride, 0, self.ceil_mode, True)

    def replace(self, **changes: object):
        args = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        if not self.stride_given:
            args["stride"] = None
        args.update(changes)
        return type(self)(**args)


@dataclass(frozen=True)
class LPPool1dSpec(_LPPoolSpec):
    """One ``torch.nn.LPPool1d`` over (C, L): ``kernel_size`` an int (torch multiplies by it)."""

    DIMS: ClassVar[int] = 1
    NAME: ClassVar[str] = "LPPool1d"

    def as_2d(self) -> LPPool2dSpec:
        """The same layer as an LPPool2d over (C, 1, L): equal output."""
        return LPPool2dSpec(
            (self.in_channels, 1, self.input_shape[1]),
            self.norm_type,
            (1, *self.kernel_size),
            (1, *self.stride),
            self.ceil_mode,
        )


@dataclass(frozen=True)
class LPPool2dSpec(_LPPoolSpec):
    """One ``torch.nn.LPPool2d`` over (C, H, W)."""

    DIMS: ClassVar[int] = 2
    NAME: ClassVar[str] = "LPPool2d"


@dataclass(frozen=True)
class LPPool3dSpec(_LPPoolSpec):
    """One ``torch.nn.LPPool3d`` over (C, D, H, W)."""

    DIMS: ClassVar[int] = 3
    NAME: ClassVar[str] = "LPPool3d"


def power(x: np.ndarray, p: float) -> np.ndarray:
    """``x.pow(p)`` as torch computes it for float64: the exponents it treats apart (2, 3,
    ±0.5, −1, −2) as it treats them, others by ``pow``."""
    if p == 1:
        return x.copy()
    if p == 2:
        return x * x
    if p == 3:
        return x * x * x
    with np.errstate(all="ignore"):
        if p == 0.5:
            return np.sqrt(x)
        if p == -0.5:
            return 1.0 / np.sqrt(x)
        if p == -1:
            return 1.0 / x
        if p == -2:
            return 1.0 / (x * x)
        return np.power(x, p)


@dataclass(frozen=True, eq=False)
class LPRecording:
    """The forward pass of an LP pooling spec.

    * ``input`` (C, *n) as given or drawn; ``output`` (C, *o) float64.
    * ``pooled``: the :class:`~convgif.engine.windows.PoolRecording` torch's formula starts
      from: the average pool of x^p (its placements hold each window's terms, sum and
      divisor), or for p = ±∞ the max pool of ±|x| (its placements hold the winners).
    * ``kinds`` and ``placements``: the pooling's (the same windows).
    """

    spec: Any
    input: np.ndarray
    output: np.ndarray
    pooled: PoolRecording
    indices: None = None

    @property
    def kinds(self) -> np.ndarray:
        return self.pooled.kinds

    @property
    def placements(self) -> PoolPlacements:
        return self.pooled.placements

    def as_2d(self) -> LPRecording:
        if self.spec.DIMS == 2:
            return self
        return lp_from(self.spec.as_2d(), self.input[:, None, :])


def lp_from(spec: Any, x: np.ndarray) -> LPRecording:
    with np.errstate(all="ignore"):  # ∞ − ∞ and 0^−p give NaN and ∞, as in torch
        pooled = record_windows(spec.pool_spec(), lp_pooled_input(spec, x))
        return LPRecording(spec, x, lp_output(spec, pooled.output), pooled)


def lp_pooled_input(spec: Any, x: np.ndarray) -> np.ndarray:
    """What torch pools to compute an LP pooling of ``x``: x^p, or for p = ±∞ ±|x|."""
    p, xf = spec.norm_type, x.astype(np.float64)
    if math.isinf(p):
        return np.abs(xf) if p > 0 else -np.abs(xf)
    return power(xf, p)


def lp_output(spec: Any, pooled: np.ndarray) -> np.ndarray:
    """The LP pooling's output from the pooling of :func:`lp_pooled_input`: for p = ±∞ ± its
    max, else (sign · relu(|mean|) · K)^(1/p), as torch computes it."""
    p = spec.norm_type
    if math.isinf(p):
        return pooled if p > 0 else -pooled
    out = np.sign(pooled) * np.maximum(np.abs(pooled), 0.0)
    return power(out * math.prod(spec.kernel_size), 1.0 / p)


def record_lp(spec: Any, seed: int = 0, input: object = None) -> LPRecording:
    """Run an LP pooling forward on random integers in 0..9 from ``seed`` or the input given."""
    return lp_from(spec, drawn_or_given(rng_of(seed), "input", input, spec.input_shape, INPUT_RANGE))


def record_lp_depth_part(spec: Any, seed: int, input: Any, region: Region, bounds: tuple[int, int]) -> Any:
    """The recording of the rows and columns ``region`` of every output depth slice of an
    LPPool3d ``spec`` (input example values within ``bounds``), from the input cells their
    windows read: its ``input``, ``output`` and the pooling it is made of hold that part
    (:class:`~convgif.engine.part.PartArray`), each value the whole layer's, computed as
    :func:`convgif.ops.lp.lp_from` computes the whole."""
    pool = spec.pool_spec()
    spans = spans_of(pool, region)
    _, x = input_part(spec, spec, seed, input, input_box(pool, spans), bounds)
    with np.errstate(all="ignore"):  # as the whole layer's: ∞ − ∞ and 0^−p give NaN and ∞
        pooled = windows_part(pool, PartArray(x.shape, x.start, lp_pooled_input(spec, x.values)), spans)
        output = lp_output(spec, pooled.output.values)
    return LPRecording(spec, x, PartArray(spec.output_shape, pooled.output.start, output), pooled)


def _raised(value: Any, p: float) -> str:
    """``3²``, ``(−3)²``, ``3^2.5``: a cell's value to the power p as the sum line writes it."""
    text = format_value(value)
    if text.startswith(("−", "-")):
        text = f"({text})"
    if p == 1:
        return text
    if p.is_integer() and abs(p) < 1000:
        return text + str(int(p)).translate(SUPERSCRIPTS)
    return f"{text}^{format_value(p)}"


def _short(value: Any) -> str:
    """A power sum as the sum line writes it: large ones to 3 significant digits."""
    return significant(value) if abs(float(value)) >= 1e6 else format_value(value)


class LPPlayback(PoolPlayback):
    """The pooling's steps, each output's power sum and root written out."""

    def _sum(self, c: int, placement) -> str:
        spec = self.recording.spec
        oy, ox = placement.out_index
        y = element_text(self.dims, "y", c, oy, ox)
        value = format_value(self.recording.output[c, oy, ox])
        cells = [(gy, gx) for (gy, gx), kind in zip(placement.cells, placement.kinds) if kind == 0]
        xs = [self._grid_value(c, gy, gx) for gy, gx in cells]
        return lp_sum(spec, c, placement, y, value, xs)


def lp_sum(spec: Any, c: int, placement: Any, y: str, value: str, xs: list) -> str:
    """Output ``y``'s power sum and root written out from its window's input cells ``xs`` (the
    pooling's ``placement`` holds the sum of their powers and its divisor)."""
    p = spec.norm_type
    if math.isinf(p):
        which = "max" if p > 0 else "min"
        return f"{y} = {which}({', '.join(f'|{format_value(v)}|' for v in xs)}) = {value}"
    terms = " + ".join(_raised(v, p) for v in xs)
    k = math.prod(spec.kernel_size)
    total = placement.sums[c]
    root = "" if p == 1 else f"^(1/{spec.p_text})"
    if placement.divisor == k:
        if p == 1:
            return f"{y} = {terms} = {value}"
        return f"{y} = ({terms}){root} = {_short(total)}{root} = {value}"
    d = placement.divisor
    why = f" (a window cut by the edge: the mean of its {d} cell{'s' if d != 1 else ''}, times {k})"
    if p == 1:
        return f"{y} = ({terms}) / {d} · {k} = {value}{why}"
    scaled = _short(total / d * k)
    return f"{y} = (({terms}) / {d} · {k}){root} = {scaled}{root} = {value}{why}"


class LPPooling(Pooling):
    """LPPool1d, 2d and 3d: the pooling picture with each output's power sum and root."""

    def example(self) -> dict[str, Any]:
        return {"input_shape": (2, *(6,) * self.dims), "norm_type": 2, "kernel_size": 2}

    playback = LPPlayback

    def _record(self, spec, seed: int, input, indices):
        if indices is not None:
            raise SpecError("indices", f"{spec.NAME} takes no indices: only an unpooling does")
        return record_lp(spec, seed, input)

    def record_drawn(self, spec, seed, kernels, *, input=None, weight=None, bias=None, region=None):
        """The recording; with ``region``, only that part: of a 1-D or 2-D layer too large to
        record whole, the output drawn and the input it reads (:mod:`convgif.ops.lp_part`); of
        an LPPool3d, those rows and columns of every output depth slice (:func:`record_lp_depth_part`)."""
        if region is None or not self.draws_parts or (self.dims < 3 and spec.numbers <= args.MAX_ELEMENTS):
            return self.record(spec, seed, input=input, weight=weight, bias=bias)
        if self.dims == 3:
            return record_lp_depth_part(spec, seed, input, region, INPUT_RANGE)
        from .lp_part import record_lp_part

        no_values(self.name, weight, bias, "pooling has no parameters")
        return LPRecording(*record_lp_part(spec, seed, input, region, lp_pooled_input, lp_output))

    def part_numbers(self, spec, region) -> int:
        if self.dims < 3:
            from .lp_part import part_numbers

            return part_numbers(spec, region)
        return super().part_numbers(spec, region)

    def geometries(self, spec, region=None, **view):
        if self.dims == 3:
            from .lp_depth import lp_depth_geometries

            self.check_view(**view)
            return lp_depth_geometries(spec, self._notes(spec), region)
        geometries = super().geometries(spec, region, **view)
        notes = self._notes(spec) + [note for note in geometries[0].notes[1:] if "overhang" not in note]
        cells = math.prod(spec.kernel_size)
        c = spec.in_channels
        y_last = len(element_text(self.dims, "y", c - 1, *spec.output_shape[-2:]))
        return [
            dataclasses.replace(
                geometry,
                notes=tuple(notes),
                sum_chars=lambda chars, drawn: y_last + 70 + cells * (chars + 6) + 3 * chars,
                value_chars=4,
            )
            for geometry in geometries
        ]

    def drawings(self, spec, recording, pixels: bool = False, region=None, geometries=None, **view):
        if self.dims == 3:
            from .lp_depth import lp_depth_drawings

            geometries = geometries or self.geometries(spec, region, **view)
            return lp_depth_drawings(spec, recording, geometries, lp_sum, pixels, region)
        return super().drawings(spec, recording, pixels, region, geometries, **view)

    def _notes(self, spec) -> list[str]:
        """What y is, and the overhang's rule where ceil_mode gives one."""
        p = spec.norm_type
        if math.isinf(p):
            notes = [f"y = the {'largest' if p > 0 else 'least'} |x| of each window (p = {spec.p_text})"]
        else:
            notes = [f"y = (Σ x^p)^(1/p) over each window, p = {spec.p_text}"]
            if p >= 8:
                notes.append("the larger p, the nearer y comes to the window's largest |x|")
        if any(o for o in spec.overhang) and math.isinf(p):
            notes.append(
                "hatched cells past the edge: ceil_mode's overhang, never read; for p = ±∞ torch takes a plain "
                f"{'max' if p > 0 else 'min'} pool of |x|, so a cut window's y is the "
                f"{'largest' if p > 0 else 'least'} |x| of the cells inside it"
            )
        elif any(o for o in spec.overhang):
            notes.append(
                "hatched cells past the edge: ceil_mode's overhang, never read; torch sums a cut window as its "
                "mean times K, the kernel's cell count, as if they held that mean"
            )
        return notes

    def _outer(self, spec, recording, dy: Any = 1.0) -> np.ndarray:
        """``dy`` times ∂y/∂a per output, a the average of x^p torch's formula pools (finite p):
        back through ``(sign(a)·relu(|a|)·K)^(1/p)`` step by step as autograd goes, 0 where a is 0."""
        p, a = spec.norm_type, recording.pooled.output
        k = math.prod(spec.kernel_size)
        with np.errstate(all="ignore"):
            r = np.maximum(np.abs(a), 0.0)
            n = np.sign(a) * r * k
            grad = dy * ((1.0 / p) * power(n, 1.0 / p - 1.0)) * k
            return np.where(r > 0, grad * np.sign(a), 0.0) * np.sign(a)

    def links(self, spec, recording):
        """Where the gradient goes back, with ∂y/∂x as each link's factor: for finite p each
        window's cells by (K / divisor)·(x / y)^(p − 1), for p = ±∞ the cell of the largest |x|
        by the sign of x."""
        from ..engine.backward import Links

        pooled = recording.pooled
        base = Pooling.links(self, spec.pool_spec(), pooled)
        x = recording.input.astype(np.float64).reshape(-1)
        if math.isinf(spec.norm_type):
            return Links(base.out, base.cell, np.sign(x[base.cell]))
        p = spec.norm_type
        with np.errstate(all="ignore"):
            factor = (
                self._outer(spec, recording).reshape(-1)[base.out] / base.divisor * (p * power(x[base.cell], p - 1))
            )
        return Links(base.out, base.cell, factor)

    def gradients(self, spec, recording, grad_output):
        """Autograd's steps through torch's formula, in its order: the pooled average's gradient
        routed back over the windows' divisors, then times p·x^(p−1) (for p = ±∞: the max pool's,
        times the sign of x)."""
        from ..engine.backward import Gradients

        pooled, shape = recording.pooled, recording.input.shape
        x = recording.input.astype(np.float64)
        base = Pooling.links(self, spec.pool_spec(), pooled)
        dy = np.asarray(grad_output, dtype=np.float64)
        if math.isinf(spec.norm_type):
            return Gradients(base.grad(dy, shape) * np.sign(x))
        p = spec.norm_type
        with np.errstate(all="ignore"):
            routed = base.grad(self._outer(spec, recording, dy), shape)
            return Gradients(routed * (p * power(x, p - 1)))

    def backward_geometries(self, spec, region=None, **view):
        from .backward import refuse_region
        from .backward_moves import window_geometry

        refuse_region(region)
        if math.isinf(spec.norm_type):
            which = "largest" if spec.norm_type > 0 else "least"
            note = f"backward, dx = ∂L/∂x: each window's dy goes to its {which} |x|, times the sign of that x"
        else:
            note = (
                f"backward, dx = ∂L/∂x: each window's dy goes to its cells times ∂y/∂x = (x / y)^(p − 1), p = "
                f"{spec.p_text} (times K / the cells counted, for a window cut by the edge)"
            )
        cells = math.prod(spec.kernel_size)
        if not math.isinf(spec.norm_type) and spec.norm_type < 1:
            note += "; torch multiplies every cell's by p·x^(p − 1), so where x = 0 it is NaN, even in no window"
        if self.dims == 3:
            from .backward_pool_depth import depth_backward_geometries, pool_slices

            slices = pool_slices(spec.pool_spec())
            forward = self.geometries(spec, **view)
            routed = math.isinf(spec.norm_type)
            return depth_backward_geometries(
                forward, slices, spec.input_shape, (note, forward[0].notes[0]), cells, routed
            )
        (forward,) = self.geometries(spec, **view)
        return [window_geometry(forward, (note, *forward.notes[:1]), terms=cells)]

    def backward_drawings(self, spec, recording, pixels: bool = False, geometries=None, **view):
        from .backward_moves import window_drawn

        geometries = geometries or self.backward_geometries(spec, **view)
        rec = recording.forward
        links = self.links(spec, rec)
        start = None
        if not math.isinf(spec.norm_type):  # torch multiplies every cell by p·x^(p−1), read or not
            start = np.array(recording.grad_input, dtype=np.float64)
            start.reshape(-1)[links.cell] = 0.0
        if self.dims == 3:
            from .backward_pool_depth import depth_backward_drawings, lp_reason, pool_slices

            forward = self.drawings(spec, rec, pixels, **view)
            reason = None if math.isinf(spec.norm_type) else lp_reason(rec)
            slices, dy = pool_slices(spec.pool_spec()), recording.grad_output
            return depth_backward_drawings(geometries, forward, slices, links, dy, rec.input.shape, reason, start)
        (geometry,) = geometries
        (forward,) = self.drawings(spec, rec, pixels, **view)
        flat = rec.as_2d()

        def reason(c: int, out: tuple[int, int]) -> str:
            if math.isinf(spec.norm_type):
                return ""
            return f" (y = {format_value(flat.output[c, out[0], out[1]])})"

        return [window_drawn(geometry, forward, links, recording.grad_output, rec.input.shape, reason, start)]

    def name_parts(self, spec, **view) -> list[str]:
        return [f"p{spec.p_text}".replace("−", "m").replace("∞", "inf"), *super().name_parts(spec, **view)]

    def facts(self, spec) -> dict:
        facts = super().facts(spec)
        for key in ("dilation", "padding", "count_include_pad", "divisor_override"):
            facts.pop(key, None)
        facts["norm_type"] = spec.norm_type if math.isfinite(spec.norm_type) else str(spec.norm_type)
        p = spec.p_text
        facts["output_size_formulas"] = [line.replace(" + 2·0", "") for line in facts["output_size_formulas"]]
        k = math.prod(spec.kernel_size)
        if math.isinf(spec.norm_type):
            rule = f"y = {'max' if spec.norm_type > 0 else 'min'} |x| over the window (torch's max pool of ±|x|)"
        else:
            rule = f"y = (Σ x^{p})^(1/{p}) over the window: torch's (avg_pool(x^{p}) · {k})^(1/{p})"
        facts["output_size_formulas"].append(rule)
        if spec.ceil_mode and max(spec.overhang) > 0 and math.isinf(spec.norm_type):
            facts["output_size_formulas"].append(
                f"a last window cut by the edge: the {'max' if spec.norm_type > 0 else 'min'} |x| of the cells "
                "inside it, as torch computes"
            )
        elif spec.ceil_mode and max(spec.overhang) > 0:
            facts["output_size_formulas"].append(
                f"a last window cut by the edge: (the mean of its cells' x^{p} · {k})^(1/{p}), as torch computes"
            )
        return facts


_SIGNATURE = ("norm_type", "kernel_size", "stride", "ceil_mode")
LP_POOL1D = LPPooling(LPPool1dSpec)
LP_POOL2D = LPPooling(LPPool2dSpec)
LP_POOL3D = LPPooling(LPPool3dSpec)
LP_POOL1D.backward_drawn = LP_POOL2D.backward_drawn = LP_POOL3D.backward_drawn = True
LP_POOL1D.draws_parts = LP_POOL2D.draws_parts = LP_POOL3D.draws_parts = True  # type: ignore[misc]
for _op in (LP_POOL1D, LP_POOL2D, LP_POOL3D):
    _op.torch_signature = _SIGNATURE  # type: ignore[misc]
