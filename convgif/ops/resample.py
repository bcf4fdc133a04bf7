"""Up-sampling: ``torch.nn.Upsample`` and its two aliases, ``UpsamplingNearest2d`` and
``UpsamplingBilinear2d``, as ``F.interpolate`` computes them.

* **Specs** (:class:`UpsampleSpec`, :class:`UpsamplingNearest2dSpec`,
  :class:`UpsamplingBilinear2dSpec`): PyTorch's constructor arguments and an input shape (C,
  *sizes) with one, two or three spatial axes (Upsample works on a batch (N, C, ...), of which
  convgif draws one sample), checked as the module and ``F.interpolate`` check them. The mode
  decides the axes: ``linear`` one, ``bilinear`` and ``bicubic`` two, ``trilinear`` three,
  ``nearest``, ``nearest-exact`` and ``area`` any.
* **Recording** (:func:`record_upsample`): the output and, per axis, the input cells each
  output position reads with their weights (:mod:`convgif.engine.resample`).
* **Picture** (:class:`Upsampling`): one output position a step on every channel, the input
  cells it weighs ringed, the step line giving its source coordinate and the sum line the
  weights: ``y[0, 3, 5] = 0.75·(0.25·4 + 0.75·2) + 0.25·(0.25·7 + 0.75·1) = 2.56`` (rows'
  weights outside, columns' inside), so that the half-pixel rule and ``align_corners`` can be
  checked from the frame. Three-axis up-sampling is drawn one output depth slice at a time
  (:mod:`convgif.ops.resample_depth`), and so is its backward pass
  (:mod:`convgif.ops.backward_resample_depth`).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, Optional

import numpy as np

from ..engine.direct import OutputPositions
from ..engine.modes import INTERPOLATING, MODES
from ..engine.resample import AxisTaps, gather, interpolation, output_size, scale_of
from ..engine.values import drawn_or_given, rng_of
from ..errors import SpecError
from ..picture.model import Crop, Drawn, Geometry, Part, Region, part_note
from ..picture.numbers import widest
from .args import AXES, INT64, MAX_ARGUMENT, fmt, is_int
from .base import Operation, count_facts
from .depth_steps import of_part
from .gathered import (
    INPUT_RANGE,
    PIXEL_CHARS,
    CellPlayback,
    WritesEachOutput,
    at,
    flat_axes,
    no_values,
    read_region,
)
from .gathered_part import as_planes, part_numbers, record_gathered_part, spans_of
from .resample_picture import longest_step, rule_notes, step_text, sum_text
from .sliding import draws_part

_SEP = " \u2014 "
_WORDS = {1: "(C, L)", 2: "(C, H, W)", 3: "(C, D, H, W)"}


def _input_shape(value: object) -> tuple[int, ...]:
    """(C, *sizes) with one to three spatial axes: Upsample takes no unbatched input, so the
    channels are always given."""
    if isinstance(value, (tuple, list)) and 2 <= len(value) <= 4 and all(is_int(v) for v in value) and min(value) >= 1:
        sizes = tuple(int(v) for v in value)
        if max(sizes) >= INT64:
            raise SpecError(
                "input_shape", f"input_shape={fmt(value)} is too large: PyTorch keeps sizes as 64-bit integers"
            )
        return sizes
    raise SpecError(
        "input_shape",
        f"input_shape={fmt(value)} must be (C, L), (C, H, W) or (C, D, H, W) of positive integers: the channels "
        "come first, as in the (N, C, ...) batch the layer takes, of which convgif draws one sample",
    )


def _normalised_factor(factor: Any) -> Any:
    """A scale factor as the module keeps it: floats (a tuple of them), None for none or 0."""
    if isinstance(factor, tuple):
        return tuple(_factor(f) for f in factor)
    if factor is None or isinstance(factor, numbers.Real):
        return float(factor) if factor else None
    return _factor(factor)  # refuses it


def _factor(value: object) -> float:
    if isinstance(value, numbers.Real):
        return float(value)
    raise SpecError(
        "scale_factor", f"scale_factor={value!r} must be a number or a tuple of numbers, one per spatial axis"
    )


class _Resample(WritesEachOutput):
    """What Upsample and its aliases share: the checks of ``F.interpolate`` and the sizes."""

    NAME: ClassVar[str]
    KIND: ClassVar[str] = "upsample"
    num_parameters: ClassVar[int] = 0
    input_shape: tuple[int, ...]
    size: Any
    scale_factor: Any
    mode: Any
    align_corners: Any
    recompute_scale_factor: Any

    def __post_init__(self) -> None:
        put = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        put("input_shape", _input_shape(self.input_shape))
        dims = len(self.input_shape) - 1
        factor = _normalised_factor(self.scale_factor)  # as the module keeps it: floats, no factor for 0
        if "scale_factor" in self._fields():
            put("scale_factor", factor)
        self._check_mode()
        size = self.size
        if size is not None and factor is not None:
            raise SpecError("size", "give size or scale_factor, not both: either one sets the output's size")
        if size is None and factor is None:
            raise SpecError("scale_factor", "give size or scale_factor: one of them sets the output's size")
        outs = self._sizes_from_size(dims) if size is not None else self._sizes_from_factor(factor, dims)
        wanted = MODES[self.mode]
        if wanted is not None and wanted != dims:
            raise SpecError(
                "mode",
                f"mode={self.mode!r} interpolates {wanted} spatial {'axes' if wanted > 1 else 'axis'}, but "
                f"input_shape={self.input_shape} has {dims}: give {_WORDS[wanted]}",
            )
        argument = "size" if size is not None else "scale_factor"
        if min(outs) < 1:
            raise SpecError(
                argument,
                f"{argument}={fmt(getattr(self, argument))} gives the output sizes {outs}: each must be at least 1",
            )
        if max(outs) > MAX_ARGUMENT:
            raise SpecError(
                argument,
                f"{argument}={fmt(getattr(self, argument))} gives sizes {outs}: convgif draws sizes up to {MAX_ARGUMENT:,}",
            )
        object.__setattr__(self, "_outs", outs)

    def _check_mode(self) -> None:
        """The mode is one torch has, and align_corners is given only to the interpolating ones."""
        mode = self.mode
        if not isinstance(mode, str) or mode not in MODES:
            known = ", ".join(repr(m) for m in MODES)
            extra = " (it needs antialias=True, which Upsample does not take)" if mode == "lanczos" else ""
            raise SpecError("mode", f"mode={mode!r} must be one of {known}{extra}")
        if mode in INTERPOLATING:
            if self.align_corners is not None and not isinstance(self.align_corners, bool):
                raise SpecError("align_corners", f"align_corners={self.align_corners!r} must be True, False or None")
        elif self.align_corners is not None:
            raise SpecError(
                "align_corners",
                f"align_corners={self.align_corners!r} only applies to the interpolating modes "
                f"({', '.join(INTERPOLATING)}): give None with mode={mode!r}",
            )

    def _sizes_from_size(self, dims: int) -> tuple[int, ...]:
        """The output's sizes given by ``size`` (one integer for every axis, or one per axis)."""
        size = self.size
        if isinstance(size, (tuple, list)):
            if len(size) != dims:
                raise SpecError(
                    "size",
                    f"size={fmt(size)} must have one entry per spatial axis of input_shape={self.input_shape}: {dims}",
                )
            if not all(is_int(v) for v in size):
                raise SpecError("size", f"size={fmt(size)} must hold integers")
            sizes = tuple(int(v) for v in size)
        elif is_int(size):
            sizes = (int(size),) * dims
        else:
            raise SpecError("size", f"size={size!r} must be an integer or a tuple of integers, one per spatial axis")
        if "size" in self._fields():
            object.__setattr__(self, "size", sizes if isinstance(size, (tuple, list)) else int(size))
        if self.recompute_scale_factor:
            raise SpecError(
                "recompute_scale_factor",
                "recompute_scale_factor=True is meaningless with size: there is no scale factor to recompute",
            )
        return sizes

    def _sizes_from_factor(self, factor: Any, dims: int) -> tuple[int, ...]:
        """The output's sizes given by ``scale_factor``: ⌊n·f⌋ per axis, as torch computes them."""
        factors = factor if isinstance(factor, tuple) else (factor,) * dims
        if len(factors) != dims:
            raise SpecError(
                "scale_factor",
                f"scale_factor={factor} must have one entry per spatial axis of input_shape={self.input_shape}: {dims}",
            )
        outs = []
        for n, f in zip(self.input_shape[1:], factors):
            product = float(n) * f
            if not math.isfinite(product) or abs(product) >= INT64:
                raise SpecError("scale_factor", f"scale_factor={factor} gives an output size PyTorch cannot hold")
            outs.append(output_size(n, f))
        return tuple(outs)

    def _fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(self))  # type: ignore[arg-type]

    # -- derived sizes ---------------------------------------------------------------------

    @property
    def dims(self) -> int:
        """Spatial axes: 1, 2 or 3, as many as the input shape has."""
        return len(self.input_shape) - 1

    @property
    def DIMS(self) -> int:  # noqa: N802  (the class attribute of the other kinds' specs)
        return self.dims

    @property
    def in_channels(self) -> int:
        return self.input_shape[0]

    @property
    def out_channels(self) -> int:
        return self.input_shape[0]

    @cached_property
    def output_shape(self) -> tuple[int, ...]:
        """(C, *sizes): ``size``, or each input size times its scale factor, truncated."""
        return (self.in_channels, *self._outs)  # type: ignore[attr-defined]

    @property
    def corners(self) -> bool:
        """``align_corners`` as the kernels take it (None means False)."""
        return bool(self.align_corners)

    @cached_property
    def kernel_factors(self) -> tuple[Optional[float], ...]:
        """Per axis, the scale factor the kernels use (None: the sizes' ratio), as
        ``F.interpolate`` passes it on: only a factor given and not recomputed (``area`` always
        recomputes)."""
        if self.scale_factor is None or self.recompute_scale_factor or self.mode == "area":
            return (None,) * self.dims
        factor = self.scale_factor
        return factor if isinstance(factor, tuple) else (factor,) * self.dims

    @cached_property
    def scales(self) -> tuple[float, ...]:
        """Per axis, the step in input coordinates between output positions."""
        return tuple(
            scale_of(n, m, self.corners, f)
            for n, m, f in zip(self.input_shape[1:], self.output_shape[1:], self.kernel_factors)
        )

    @cached_property
    def axes(self) -> list[AxisTaps]:
        """Per spatial axis, the input cells each output position reads and their weights."""
        return [
            interpolation(n, m, self.mode, self.corners, f, self.dims)
            for n, m, f in zip(self.input_shape[1:], self.output_shape[1:], self.kernel_factors)
        ]

    @cached_property
    def steps(self) -> int:
        """Animation steps: one per output position, every channel at once."""
        return math.prod(self.output_shape[1:])

    @cached_property
    def caption(self) -> str:
        """The shapes, the size or scale, the mode (always: it is what tells the kinds apart),
        then every other argument that is not the default (an alias's fixed mode in brackets)."""
        parts = [f"Input Shape : {self.input_shape}", f"Output Shape : {self.output_shape}"]
        if self.size is not None:
            parts.append(f"size={self.size!r}")
        else:
            parts.append(f"scale_factor={self.scale_factor!r}")
        fields = self._fields()
        fixed = [f"{name}={getattr(self, name)!r}" for name in ("mode", "align_corners") if name not in fields]
        if "mode" in fields:
            parts.append(f"mode={self.mode!r}")
            if self.align_corners is not None:
                parts.append(f"align_corners={self.align_corners!r}")
            if self.recompute_scale_factor is not None:
                parts.append(f"recompute_scale_factor={self.recompute_scale_factor!r}")
        elif self.NAME == "UpsamplingBilinear2d":
            parts[-1] += f" ({', '.join(fixed)})"
        else:
            parts[-1] += f" ({fixed[0]})"
        return _SEP.join(parts)

    def replace(self, **changes: object):
        """A copy with some arguments changed, validated again."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]


@dataclass(frozen=True)
class UpsampleSpec(_Resample):
    """One ``torch.nn.Upsample`` applied to one sample (C, *sizes) of the (N, C, ...) batch it takes.

    PyTorch's arguments and defaults: ``size`` or ``scale_factor`` (one of them; an int or a
    float is used on every axis, a tuple gives one per axis), ``mode`` (``"nearest"``,
    ``"nearest-exact"``, ``"linear"``, ``"bilinear"``, ``"bicubic"``, ``"trilinear"`` or
    ``"area"``), ``align_corners`` (the interpolating modes only; None means False) and
    ``recompute_scale_factor`` (use the sizes' ratio rather than the factor given). As the
    module does, ``scale_factor`` is kept as floats and a factor of 0 counts as none. Strings
    that ``float()`` reads are refused, where the module would take them.
    """

    input_shape: tuple[int, ...]
    size: Any = None
    scale_factor: Any = None
    mode: str = "nearest"
    align_corners: Optional[bool] = None
    recompute_scale_factor: Optional[bool] = None

    NAME: ClassVar[str] = "Upsample"


@dataclass(frozen=True)
class UpsamplingNearest2dSpec(_Resample):
    """``torch.nn.UpsamplingNearest2d``: :class:`UpsampleSpec` with ``mode="nearest"``. Like
    the torch class, which is that Upsample, it takes one to three spatial axes."""

    input_shape: tuple[int, ...]
    size: Any = None
    scale_factor: Any = None

    NAME: ClassVar[str] = "UpsamplingNearest2d"
    mode: ClassVar[str] = "nearest"
    align_corners: ClassVar[Optional[bool]] = None
    recompute_scale_factor: ClassVar[Optional[bool]] = None


@dataclass(frozen=True)
class UpsamplingBilinear2dSpec(_Resample):
    """``torch.nn.UpsamplingBilinear2d``: :class:`UpsampleSpec` with ``mode="bilinear"`` and
    ``align_corners=True`` (the corner cells line up), over (C, H, W)."""

    input_shape: tuple[int, ...]
    size: Any = None
    scale_factor: Any = None

    NAME: ClassVar[str] = "UpsamplingBilinear2d"
    mode: ClassVar[str] = "bilinear"
    align_corners: ClassVar[Optional[bool]] = True
    recompute_scale_factor: ClassVar[Optional[bool]] = None


@dataclass(frozen=True, eq=False)
class ResamplePlacement:
    """One output position on every channel: ``out_index``, the input ``cells`` (K, DIMS) it
    reads and their ``weights`` (K,) (the product of the axes' weights), ``values`` (C,)."""

    out_index: tuple[int, ...]
    cells: np.ndarray
    weights: np.ndarray
    values: np.ndarray


class ResamplePlacements(OutputPositions[ResamplePlacement]):
    """Every output position in output order, built when asked for."""

    def _at(self, out: tuple[int, ...]) -> ResamplePlacement:
        rec = self._recording
        per_axis = [taps.reads(i) for taps, i in zip(rec.spec.axes, out)]
        mesh = np.array(np.meshgrid(*[[j for j, _ in reads] for reads in per_axis], indexing="ij"))
        weights = np.array(np.meshgrid(*[[w for _, w in reads] for reads in per_axis], indexing="ij")).prod(axis=0)
        cells = mesh.reshape(len(out), -1).T
        return ResamplePlacement(out, cells, weights.ravel(), rec.output[(slice(None), *out)].copy())


@dataclass(frozen=True, eq=False)
class ResampleRecording:
    """The forward pass of an up-sampling spec: ``input`` (C, *n) int64 or float64, ``output``
    (C, *o) float64 (int64 for a nearest mode on integers), ``placements`` one per output position."""

    spec: Any
    input: np.ndarray
    output: np.ndarray

    @cached_property
    def placements(self) -> ResamplePlacements:
        return ResamplePlacements(self)


def record_upsample(spec: Any, seed: int = 0, input: object = None) -> ResampleRecording:
    """Run an up-sampling spec forward on small random integers (0..9) or on ``input``."""
    x = drawn_or_given(rng_of(seed), "input", input, spec.input_shape, INPUT_RANGE)
    return ResampleRecording(spec, x, gather(x, spec.axes))


class Upsampling(Operation):
    """Upsample and its aliases: every output cell reads a few input cells with weights, chosen
    axis by axis by the mode and the scale."""

    def example(self) -> dict[str, Any]:
        return {"input_shape": (2, 3, 3), "scale_factor": 2}

    views = ("region",)
    dims = 3  # the most: the input's shape says how many spatial axes a layer has

    def __init__(self, spec_type: type, signature: tuple[str, ...]) -> None:
        self.spec_type = spec_type  # type: ignore[misc]
        self.name = spec_type.NAME  # type: ignore[misc]
        self.torch_signature = signature  # type: ignore[misc]

    def record(self, spec, seed: int = 0, *, input=None, weight=None, bias=None):
        """The up-sampling's recording (:func:`record_upsample`)."""
        no_values(self.name, weight, bias, "up-sampling has no parameters")
        return record_upsample(spec, seed, input)

    draws_parts = True

    def record_drawn(self, spec, seed: int, kernels, *, input=None, weight=None, bias=None, region=None):
        """The recording; with ``region``, only that part of the output (of every output depth
        slice, over three axes) and the input cells it reads (:mod:`convgif.ops.gathered_part`)."""
        if region is None:
            return self.record(spec, seed, input=input, weight=weight, bias=bias)
        no_values(self.name, weight, bias, "up-sampling has no parameters")
        spans = self._spans(spec, region)
        return ResampleRecording(spec, *record_gathered_part(spec, spec.axes, seed, input, spans, INPUT_RANGE))

    def part_numbers(self, spec, region: Region) -> int:
        return part_numbers(spec, spec.axes, self._spans(spec, region))

    def _spans(self, spec, region: Region) -> list[tuple[int, int]]:
        """The output positions per spatial axis a part ``region`` records."""
        return spans_of(region, spec.dims, spec.output_shape[1 : 1 + (spec.dims == 3)])

    def weight_shape(self, spec) -> None:
        return None

    def geometries(self, spec, region: Optional[Region] = None, **view) -> list[Geometry]:
        self.check_view(**view)
        alias = {
            "UpsamplingNearest2d": "Upsample(mode='nearest')",
            "UpsamplingBilinear2d": "Upsample(mode='bilinear', align_corners=True)",
        }
        first = [f"{self.name} is {alias[self.name]}"] if self.name in alias else []
        if spec.dims == 3:
            from .resample_depth import upsample_depth_geometries

            return upsample_depth_geometries(spec, region, first)
        dims = spec.dims
        rows, cols = flat_axes(spec.axes, dims)
        c = spec.in_channels
        in_size, out_size = _in_size(spec), (rows.size, cols.size)
        part = Region.of(region, out_size)
        read = read_region(rows, cols, part, in_size, "nothing")
        notes = [*first, *rule_notes(spec)]
        headings, picture_part = ("input", "output"), None
        if region is not None and region.cuts(out_size):
            headings = ("input" + (", part" if read.cuts(in_size) else ""), "output, part")  # "part" where cut
            picture_part = Part(
                Crop(in_size, (read.rows[0], read.cols[0])), Crop(out_size, (part.rows[0], part.cols[0]))
            )
            notes.append(part_note(dims, part, out_size, read, in_size, "the input", "they read"))
        ho, wo = out_size
        taps = rows.index.shape[1], cols.index.shape[1]
        y_chars = len(at(dims, "y", c - 1, ho - 1, wo - 1))

        def sum_chars(chars: int, drawn: tuple) -> int:
            term = 6 + 1 + chars + 3  # "0.0703·" and the value, " + "
            entry = y_chars + 3 + taps[0] * (6 + 4 + taps[1] * term) + 3 + 6
            return entry  # a channel's

        return [
            Geometry(
                layer=spec,
                caption=spec.caption,
                dims=dims,
                in_channels=c,
                out_channels=c,
                groups=c,
                grid=read.size,
                kernel=None,
                out_size=part.size,
                steps_per_column=math.prod(part.size),
                input_heading=headings[0],
                output_heading=headings[1],
                part=picture_part,
                kernel_label=lambda i, j: "",
                blame=lambda axis: ("input_shape", spec.input_shape, "input"),
                notes=tuple(notes),
                numbers=True,
                columns_take_turns=False,
                longest_step=of_part(longest_step(spec, rows, cols, part), part.cuts(out_size)),  # draws_part's
                sum_chars=sum_chars,
                sum_each_group=True,
                sum_lines_most=8,  # a bicubic's 16 products, every one written
                value_chars=max(PIXEL_CHARS, 5 if spec.mode == "bicubic" else 4),
            )
        ]

    def drawings(self, spec, recording, pixels: bool = False, region=None, geometries=None, **view) -> list[Drawn]:
        if spec.dims == 3:
            from .resample_depth import upsample_depth_drawings

            whole = geometries or self.geometries(spec, region, **view)
            return upsample_depth_drawings(spec, recording, whole, pixels, region)
        (geometry,) = geometries or self.geometries(spec, region, **view)
        dims = spec.dims
        rows, cols = flat_axes(spec.axes, dims)
        c = spec.in_channels
        in_size, out_size = _in_size(spec), (rows.size, cols.size)
        x = as_planes(recording.input, (c, *in_size))
        output = as_planes(recording.output, (c, *out_size))
        part = Region.of(region, out_size)
        read = read_region(rows, cols, part, in_size, "nothing")
        inside = (slice(None), slice(*read.rows), slice(*read.cols))
        shown = output[:, slice(*part.rows), slice(*part.cols)]
        positions = [(y, x_) for y in range(*part.rows) for x_ in range(*part.cols)]
        cut = draws_part(geometry, part, out_size)  # the steps counted are those of a part

        def cells(oy: int, ox: int) -> list[tuple[int, int]]:
            return [(j, i) for j, _ in rows.reads(oy) for i, _ in cols.reads(ox)]

        def text(step: int, oy: int, ox: int) -> str:
            return step_text(spec, rows, cols, oy, ox, step, len(positions), cut)

        def entry(ch: int, oy: int, ox: int) -> str:
            return sum_text(spec, rows, cols, x, ch, oy, ox, output[ch, oy, ox], dims)

        return [
            Drawn(
                geometry=geometry,
                grid=x[inside],
                filler=np.zeros(read.size, dtype=bool),
                kernels=None,
                output=shown,
                playback=CellPlayback(output, positions, cells, text, entry, part, read),
                value_chars=widest(x[inside], shown),
                pixels=pixels,
            )
        ]

    def links(self, spec, recording):
        """Where the gradient comes from: each output cell's dy, times the weight it read each
        input cell with."""
        from ..engine.backward import axis_links

        return axis_links(spec.axes, recording.input.shape, recording.output.shape)

    def gradients(self, spec, recording, grad_output):
        from ..engine.backward import Gradients

        return Gradients(self.links(spec, recording).grad(grad_output, recording.input.shape))

    def backward_geometries(self, spec, region: Optional[Region] = None, **view) -> list[Geometry]:
        """One picture: each input cell gathering the dy of every output cell that read it, times
        the weight it was read with."""
        from .backward import refuse_region
        from .backward_moves import gather_geometry

        refuse_region(region)
        notes = (
            "backward, dx = ∂L/∂x: each input cell gathers the dy of every output cell that read it, times the "
            "weight it read the cell with",
        )
        if spec.dims == 3:
            from .backward_resample_depth import upsample_backward_geometries

            self.check_view(**view)
            return upsample_backward_geometries(spec, notes[0])
        (forward,) = self.geometries(spec, **view)
        c = spec.in_channels
        taps = math.prod(
            max(1, math.ceil(b / a)) * t.index.shape[1]
            for a, b, t in zip(spec.input_shape[1:], spec.output_shape[1:], spec.axes)
        )
        return [
            gather_geometry(
                spec,
                spec.caption,
                forward.dims,
                c,
                c,
                forward.out_size,
                forward.grid,
                forward.blame,
                "dy",
                "dx",
                notes,
                terms=min(taps, 16),
                weighed=spec.mode not in ("nearest", "nearest-exact"),
            )
        ]

    def backward_drawings(self, spec, recording, pixels: bool = False, geometries=None, **view) -> list[Drawn]:
        from .backward_moves import gather_drawn, gather_sources

        rec = recording.forward
        if spec.dims == 3:
            from .backward_resample_depth import upsample_backward_drawings

            whole = geometries or self.backward_geometries(spec, **view)
            return upsample_backward_drawings(spec, recording, self.links(spec, rec), whole)
        (geometry,) = geometries or self.backward_geometries(spec, **view)
        sources = gather_sources(self.links(spec, rec), rec.input.shape)
        dy = recording.grad_output.reshape(spec.in_channels, *geometry.grid)
        dx = recording.grad_input.reshape(spec.in_channels, *geometry.out_size)
        return [gather_drawn(geometry, dy, dx, sources)]

    def name_parts(self, spec, **view) -> list[str]:
        parts = ["x".join(map(str, spec.input_shape))]
        if spec.size is not None:
            parts.append("to" + "x".join(map(str, spec.output_shape[1:])))
        else:
            factors = spec.scale_factor if isinstance(spec.scale_factor, tuple) else (spec.scale_factor,)
            parts.append("x" + "_".join(format(f, "g") for f in factors))
        if "mode" in [f.name for f in dataclasses.fields(spec)]:
            if spec.mode != "nearest":
                parts.append(spec.mode)
            if spec.align_corners:
                parts.append("corners")
            if spec.recompute_scale_factor:
                parts.append("recompute")
        return parts

    def facts(self, spec) -> dict[str, Any]:
        formulas = []
        for axis, n, m, f in zip(AXES[spec.dims], spec.input_shape[1:], spec.output_shape[1:], _factors(spec)):
            formulas.append(f"{axis}_out = {'size' if f is None else f'floor({n} · {f:g})'} = {m}")
        return {
            "kind": self.name,
            "caption": spec.caption,
            "input_shape": list(spec.input_shape),
            "output_shape": list(spec.output_shape),
            "size": spec.size,
            "scale_factor": spec.scale_factor,
            "mode": spec.mode,
            "align_corners": spec.align_corners,
            "recompute_scale_factor": spec.recompute_scale_factor,
            "scales": list(spec.scales),
            "num_parameters": 0,
            **count_facts(spec.steps, spec.input_shape[0], spec.steps, name="output positions"),
            "output_size_formulas": formulas,
            "parameter_formulas": ["none: up-sampling has no weights and no bias"],
            "writes": spec.operations[1],
        }


def _factors(spec) -> tuple[Optional[float], ...]:
    """The scale factor of each axis, as given (None: the size was given)."""
    if spec.scale_factor is None:
        return (None,) * spec.dims
    return spec.scale_factor if isinstance(spec.scale_factor, tuple) else (spec.scale_factor,) * spec.dims


def _in_size(spec) -> tuple[int, int]:
    """The input as a picture draws it: (H, W), or one row for a one-axis layer."""
    return (spec.input_shape[1] if spec.dims == 2 else 1, spec.input_shape[-1])


UPSAMPLE = Upsampling(UpsampleSpec, ("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"))
UPSAMPLING_NEAREST2D = Upsampling(UpsamplingNearest2dSpec, ("size", "scale_factor", "mode"))
UPSAMPLING_BILINEAR2D = Upsampling(UpsamplingBilinear2dSpec, ("size", "scale_factor", "mode", "align_corners"))
UPSAMPLE.backward_drawn = UPSAMPLING_NEAREST2D.backward_drawn = UPSAMPLING_BILINEAR2D.backward_drawn = True
