"""Padding layers: ``torch.nn``'s Reflection, Replication, Zero, Constant and Circular pads, 1-D to 3-D.

* **Specs** (``ReflectionPad2dSpec`` and the rest, one per torch class): PyTorch's constructor
  arguments (``padding``, and ``value`` for a ConstantPad) and an input shape, checked as
  ``F.pad`` checks them on a batch of one, (1, C, *sizes). ``padding`` is an integer (the same
  amount on both sides of every spatial axis) or a tuple of amounts in PyTorch's order, from the
  last axis back: (left, right, top, bottom, front, back). Like torch, a tuple may be shorter (a
  ConstantPad2d of (1, 2) pads the columns only) or one pair longer (the pair then pads the
  channels); negative amounts crop.
* **Recording** (:func:`record_pad`): the input (small random integers, or the array given),
  the output, and per axis the input position each output position copies.
* **Picture** (:class:`Padding`): the input on the left, the padded output on the right, one
  output position a step on every channel at once, the cell it copies ringed and linked to it;
  a ConstantPad's output padding cells start at its value, the cells the steps copy the input
  into drawn "to come" until their step.
  A three-axis pad is drawn one output depth slice at a time (:mod:`convgif.ops.pad_depth`);
  pads of the channels are computed, not drawn.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, ClassVar, Optional

import numpy as np

from ..engine.direct import OutputPositions
from ..engine.resample import AxisTaps, gather, pad_problem, pad_taps
from ..engine.values import MAX_MAGNITUDE, RULE, drawn_or_given, rng_of
from ..errors import SpecError
from ..picture.model import Crop, Drawn, Geometry, Part, Region, part_note
from ..picture.numbers import format_value, widest
from .args import AXES, INT64, fmt, is_int
from .args import shape as _shape
from .base import Operation, count_facts
from .depth_steps import of_part
from .gathered import (
    INPUT_RANGE,
    PIXEL_CHARS,
    CellPlayback,
    WritesEachOutput,
    at,
    flat_axes,
    never_read,
    no_values,
    position,
    read_region,
)
from .gathered_part import as_planes, part_numbers, record_gathered_part, spans_of
from .sliding import draws_part

_SEP = " \u2014 "
#: The amounts' names, axis by axis from the last one back (the channels last of all).
SIDES = (("left", "right"), ("top", "bottom"), ("front", "back"))
#: What each padding mode copies past an edge, for the picture's note.
RULES = {
    "reflect": "reflect: past an edge, the cell as far inside it (the edge cell is not repeated)",
    "replicate": "replicate: past an edge, the edge cell",
    "circular": "circular: past an edge, the cell as far from the other edge (the input wraps round)",
}


def _amounts(name: str, value: object, dims: int) -> tuple[int, ...]:
    """``padding`` as the tuple torch keeps: an integer repeated for both sides of every axis, or
    the amounts given (any even count the layer then checks)."""
    if is_int(value):
        amounts: tuple[int, ...] = (int(value),) * (2 * dims)  # type: ignore[call-overload]
    elif isinstance(value, (tuple, list, range)) and all(is_int(v) for v in value):
        amounts = tuple(int(v) for v in value)
    else:
        words = ", ".join(word for pair in SIDES[:dims] for word in pair)
        raise SpecError(
            name, f"{name}={fmt(value)} must be an integer or a tuple of integers ({words}), not {_kind_of(value)}"
        )
    if any(not -INT64 <= v < INT64 for v in amounts):
        raise SpecError(name, f"{name}={fmt(value)} is too large: PyTorch keeps sizes as 64-bit integers")
    return amounts


def _kind_of(value: object) -> str:
    if isinstance(value, bool):
        return "True or False"
    if isinstance(value, (tuple, list)):
        bad = next(v for v in value if not is_int(v))
        return f"holding {bad!r}"
    return f"a {type(value).__name__}"


def _fill(value: object) -> float:
    """A ConstantPad's ``value`` as the number the padding holds: what ``F.pad`` takes (None
    means 0), within the bounds every value convgif computes with keeps."""
    if value is None:
        return 0.0
    if isinstance(value, (str, bytes, complex)) or not hasattr(value, "__float__"):
        raise SpecError("value", f"value={value!r} must be a number: the padding cells hold it")
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number) or abs(number) > MAX_MAGNITUDE:
        raise SpecError("value", f"value={value!r} is out of range: {RULE}")
    return number


@dataclass(frozen=True)
class _PadSpec(WritesEachOutput):
    input_shape: tuple[int, ...]
    padding: tuple[int, ...]

    DIMS: ClassVar[int]
    NAME: ClassVar[str]
    MODE: ClassVar[str]
    KIND: ClassVar[str] = "pad"
    num_parameters: ClassVar[int] = 0

    def __post_init__(self) -> None:
        put = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        put("input_shape", _shape(self.input_shape, self.DIMS))
        put("padding", _amounts("padding", self.padding, self.DIMS))
        _fill(getattr(self, "value", 0.0))
        self._check()

    def _check(self) -> None:
        dims, count, padding = self.DIMS, len(self.padding), self.padding
        if count % 2:
            raise SpecError("padding", f"padding={padding} has {count} amounts: they come in pairs, one per side")
        axes = count // 2
        batch = f"a batch of one (1, {', '.join(('C', *AXES[dims]))})"
        if self.MODE == "constant":
            if axes > dims + 1:
                raise SpecError(
                    "padding",
                    f"padding={padding} pads {axes} axes, but {batch} has {dims + 2} and convgif draws one "
                    f"sample: give at most {2 * (dims + 1)} amounts",
                )
        elif axes not in (dims, dims + 1) or axes > 3:
            more = f" or {2 * (dims + 1)} (the channels too)" if dims < 3 else ""
            raise SpecError(
                "padding",
                f"padding={padding} has {count} amounts, but {self.MODE} padding of {batch} pads its last "
                f"{dims} axes ({2 * dims} amounts: {', '.join(w for pair in SIDES[:dims] for w in pair)}){more}",
            )
        for axis, (n, (before, after)) in enumerate(zip(self.input_shape, self.pads)):
            problem = pad_problem(n, before, after, self.MODE)
            if problem is not None:
                raise SpecError(
                    "padding", f"padding={padding} pads the {self._axis_name(axis)} by ({before}, {after}): {problem}"
                )
        for axis, (n, size) in enumerate(zip(self.input_shape, self.output_shape)):
            if size < 1:
                before, after = self.pads[axis]
                raise SpecError(
                    "padding",
                    f"padding={padding} leaves no cell of the {self._axis_name(axis)}: {n} {before:+d} {after:+d} = "
                    f"{size} (PyTorch returns an empty tensor, or refuses; convgif draws none)",
                )

    def _axis_name(self, axis: int) -> str:
        """An axis of (C, *sizes) in words: ``channels``, ``rows (H)``..."""
        if axis == 0:
            return "channels"
        name = AXES[self.DIMS][axis - 1]
        words = {"L": "positions (L)", "W": "columns (W)", "H": "rows (H)", "D": "depth (D)"}
        return words[name]

    # -- derived sizes ---------------------------------------------------------------------

    @cached_property
    def pads(self) -> tuple[tuple[int, int], ...]:
        """(before, after) for each axis of (C, *sizes), read from ``padding``'s pairs (the last
        axis first); (0, 0) where it has none."""
        count = len(self.padding) // 2
        axes = len(self.input_shape)
        out = []
        for axis in range(axes):
            pair = axes - 1 - axis  # the first pair pads the last axis
            out.append((self.padding[2 * pair], self.padding[2 * pair + 1]) if pair < count else (0, 0))
        return tuple(out)

    @property
    def pads_channels(self) -> bool:
        """Whether ``padding`` pads (or crops) the channels."""
        return self.pads[0] != (0, 0)

    @cached_property
    def output_shape(self) -> tuple[int, ...]:
        return tuple(n + before + after for n, (before, after) in zip(self.input_shape, self.pads))

    @property
    def in_channels(self) -> int:
        return self.input_shape[0]

    @property
    def out_channels(self) -> int:
        return self.output_shape[0]

    @property
    def fill(self) -> float:
        """What the constant cells hold (0 but for a ConstantPad's value)."""
        return _fill(getattr(self, "value", 0.0))

    @cached_property
    def axes(self) -> list[AxisTaps]:
        """Per axis of (C, *sizes), the input position each output position copies (-1: the constant)."""
        return [pad_taps(n, before, after, self.MODE) for n, (before, after) in zip(self.input_shape, self.pads)]

    @cached_property
    def copied(self) -> int:
        """Output positions (all channels at once) that copy an input cell."""
        return math.prod(int((taps.index[:, 0] >= 0).sum()) for taps in self.axes[1:])

    @cached_property
    def steps(self) -> int:
        """Animation steps: one per output position, or per position copied for a constant pad."""
        return self.copied if self.MODE == "constant" else math.prod(self.output_shape[1:])

    @cached_property
    def caption(self) -> str:
        """The shapes, then the amounts with their sides named, then the kind as ``F.pad`` names
        it, after the amounts as in its call: ``mode='reflect'``, or ``mode='constant'`` and the
        value (a ZeroPad's is 0.0), so that the title tells the kinds apart."""
        count = len(self.padding) // 2
        words = [w for pair in SIDES[: min(count, self.DIMS)] for w in pair]
        if count > self.DIMS:
            words += ["channels before", "after"]
        parts = [f"Input Shape : {self.input_shape}", f"Output Shape : {self.output_shape}"]
        parts.append(f"P ({', '.join(words)}) : {self.padding}" if words else "P : ()")
        parts.append(f"mode={self.MODE!r}")
        if self.MODE == "constant":
            parts.append(f"value={getattr(self, 'value', 0.0)!r}")
        return _SEP.join(parts)

    def replace(self, **changes: object):
        """A copy with some arguments changed, validated again."""
        return dataclasses.replace(self, **changes)


def _spec(name: str, dims: int, mode: str, constant: bool = False) -> type:
    """The spec class of torch's ``name``: a frozen dataclass over :class:`_PadSpec`."""
    doc = (
        f"One ``torch.nn.{name}`` applied to one input of shape {('(C, L)', '(C, H, W)', '(C, D, H, W)')[dims - 1]} "
        f"(without C: one channel), as on a batch of one. ``padding`` is an int or a tuple of amounts "
        f"({', '.join(w for pair in SIDES[:dims] for w in pair)}); negative amounts crop."
    )
    namespace: dict[str, Any] = {"DIMS": dims, "NAME": name, "MODE": mode, "__doc__": doc, "__module__": __name__}
    annotations: dict[str, Any] = {"DIMS": ClassVar[int], "NAME": ClassVar[str], "MODE": ClassVar[str]}
    if constant:
        annotations["value"] = Any
        namespace["__doc__"] += " ``value`` (required, as in torch) fills the padding; None means 0."
    namespace["__annotations__"] = annotations
    return dataclass(frozen=True)(type(f"{name}Spec", (_PadSpec,), namespace))


ReflectionPad1dSpec = _spec("ReflectionPad1d", 1, "reflect")
ReflectionPad2dSpec = _spec("ReflectionPad2d", 2, "reflect")
ReflectionPad3dSpec = _spec("ReflectionPad3d", 3, "reflect")
ReplicationPad1dSpec = _spec("ReplicationPad1d", 1, "replicate")
ReplicationPad2dSpec = _spec("ReplicationPad2d", 2, "replicate")
ReplicationPad3dSpec = _spec("ReplicationPad3d", 3, "replicate")
ZeroPad1dSpec = _spec("ZeroPad1d", 1, "constant")
ZeroPad2dSpec = _spec("ZeroPad2d", 2, "constant")
ZeroPad3dSpec = _spec("ZeroPad3d", 3, "constant")
ConstantPad1dSpec = _spec("ConstantPad1d", 1, "constant", constant=True)
ConstantPad2dSpec = _spec("ConstantPad2d", 2, "constant", constant=True)
ConstantPad3dSpec = _spec("ConstantPad3d", 3, "constant", constant=True)
CircularPad1dSpec = _spec("CircularPad1d", 1, "circular")
CircularPad2dSpec = _spec("CircularPad2d", 2, "circular")
CircularPad3dSpec = _spec("CircularPad3d", 3, "circular")


@dataclass(frozen=True, eq=False)
class PadPlacement:
    """One output position, on every channel: ``out_index`` its position, ``source`` the input
    position it copies (None: the constant), ``values`` (C,) the values written."""

    out_index: tuple[int, ...]
    source: Optional[tuple[int, ...]]
    values: np.ndarray


class PadPlacements(OutputPositions[PadPlacement]):
    """Every output position in output order, built when asked for."""

    def _at(self, out: tuple[int, ...]) -> PadPlacement:
        rec = self._recording
        sources = [int(taps.index[i, 0]) for taps, i in zip(rec.spec.axes[1:], out)]
        source = None if min(sources) < 0 else tuple(sources)
        return PadPlacement(out, source, rec.output[(slice(None), *out)].copy())


@dataclass(frozen=True, eq=False)
class PadRecording:
    """The forward pass of a padding spec: ``input`` (C, *n) int64 or float64, ``output``
    (C', *o) (float64 when the constant is a fraction), ``placements`` one per output position."""

    spec: Any
    input: np.ndarray
    output: np.ndarray

    @cached_property
    def placements(self) -> PadPlacements:
        return PadPlacements(self)


def record_pad(spec: Any, seed: int = 0, input: object = None) -> PadRecording:
    """Run a padding spec forward on small random integers (0..9) or on ``input``."""
    x = drawn_or_given(rng_of(seed), "input", input, spec.input_shape, INPUT_RANGE)
    return PadRecording(spec, x, gather(x, spec.axes, spec.fill))


class Padding(Operation):
    """The padding layers: each output cell copies one input cell (or holds the constant), chosen
    axis by axis by the mode."""

    def example(self) -> dict[str, Any]:
        extra = {"value": 1.5} if "value" in self.torch_signature else {}
        return {"input_shape": (2, *(4,) * self.dims), "padding": 1, **extra}

    views = ("region",)
    draws_parts = True

    def __init__(self, spec_type: type) -> None:
        self.spec_type = spec_type  # type: ignore[misc]
        self.name = spec_type.NAME  # type: ignore[misc]
        self.dims = spec_type.DIMS  # type: ignore[misc]
        self.torch_signature = ("padding", "value") if "value" in self.arguments else ("padding",)  # type: ignore[misc]

    def record(self, spec, seed: int = 0, *, input=None, weight=None, bias=None):
        """The padding's recording (:func:`record_pad`)."""
        no_values(self.name, weight, bias, "padding has no parameters")
        return record_pad(spec, seed, input)

    def record_drawn(self, spec, seed: int, kernels, *, input=None, weight=None, bias=None, region=None):
        """The recording; with ``region``, only that part of the output (of every output depth
        slice, for a three-axis padding) and the input cells it reads
        (:mod:`convgif.ops.gathered_part`)."""
        if region is None:
            return self.record(spec, seed, input=input, weight=weight, bias=bias)
        no_values(self.name, weight, bias, "padding has no parameters")
        spans = self._spans(spec, region)
        return PadRecording(spec, *record_gathered_part(spec, spec.axes, seed, input, spans, INPUT_RANGE, spec.fill))

    def part_numbers(self, spec, region: Region) -> int:
        return part_numbers(spec, spec.axes, self._spans(spec, region))

    def _spans(self, spec, region: Region) -> list[tuple[int, int]]:
        """The output positions per axis (channels first) a part ``region`` records."""
        return spans_of(region, self.dims, spec.output_shape[: 1 + (self.dims == 3)])

    def weight_shape(self, spec) -> None:
        return None

    def _flat(self, spec) -> tuple[AxisTaps, AxisTaps]:
        return flat_axes(spec.axes[1:], self.dims)

    def geometries(self, spec, region: Optional[Region] = None, **view) -> list[Geometry]:
        self.check_view(**view)
        if spec.pads_channels:
            raise SpecError(
                "padding",
                f"padding={spec.padding} pads the channels too: convgif computes that "
                "(`convgif info`, `convgif.record`) but draws paddings of the spatial axes only",
            )
        if self.dims == 3:
            from .pad_depth import pad_depth_geometries

            return pad_depth_geometries(self, spec, region)
        rows, cols = self._flat(spec)
        c = spec.in_channels
        in_size, out_size = _in_size(spec, self.dims), (rows.size, cols.size)
        part = Region.of(region, out_size)
        read = read_region(rows, cols, part, in_size, f"the value {format_value(spec.fill)}")
        notes = [_rule(spec, self.dims)]
        if min(spec.padding, default=0) < 0:
            crop = "negative amounts crop"
            if spec.MODE == "circular":
                crop += " first; the positive ones then wrap round what is left"
            notes.append(crop + "; input cells no output copies are drawn pale")
        headings, picture_part = ("input", "output"), None
        if region is not None and region.cuts(out_size):
            headings = ("input" + (", part" if read.cuts(in_size) else ""), "output, part")  # "part" where cut
            picture_part = Part(
                Crop(in_size, (read.rows[0], read.cols[0])), Crop(out_size, (part.rows[0], part.cols[0]))
            )
            notes.append(part_note(self.dims, part, out_size, read, in_size, "the input", "they copy"))
        ho, wo = out_size
        cut = part.cuts(out_size)  # as draws_part decides for the playback, the channels settled later
        widest_at = len(at(self.dims, "y", c - 1, ho - 1, wo - 1)) + len(at(self.dims, "x", c - 1, *in_size))
        return [
            Geometry(
                layer=spec,
                caption=spec.caption,
                dims=self.dims,
                in_channels=c,
                out_channels=c,
                groups=c,
                grid=read.size,
                kernel=None,
                out_size=part.size,
                steps_per_column=_count(spec, rows, cols, part),
                input_heading=headings[0],
                output_heading=headings[1],
                part=picture_part,
                kernel_label=lambda i, j: "",
                blame=lambda axis: _blame(spec, axis, self.dims),
                notes=tuple(notes),
                numbers=True,
                columns_take_turns=False,
                longest_step=of_part(_last_step(self.dims, rows, cols, part, _count(spec, rows, cols, part)), cut),
                sum_chars=lambda chars, drawn: widest_at + chars + 6,  # a channel's entry
                sum_each_group=True,
                value_chars=max(PIXEL_CHARS, len(format_value(spec.fill))),
            )
        ]

    def drawings(self, spec, recording, pixels: bool = False, region=None, geometries=None, **view) -> list[Drawn]:
        if self.dims == 3:
            from .pad_depth import pad_depth_drawings

            whole = geometries or self.geometries(spec, region, **view)
            return pad_depth_drawings(self, spec, recording, whole, pixels, region)
        (geometry,) = geometries or self.geometries(spec, region, **view)
        rows, cols = self._flat(spec)
        in_size, out_size = _in_size(spec, self.dims), (rows.size, cols.size)
        c = spec.in_channels
        x = as_planes(recording.input, (c, *in_size))
        output = as_planes(recording.output, (c, *out_size))
        part = Region.of(region, out_size)
        read = read_region(rows, cols, part, in_size, "the constant")
        inside = (slice(None), slice(*read.rows), slice(*read.cols))
        shown = output[:, slice(*part.rows), slice(*part.cols)]
        cropped = never_read(rows, cols, in_size, read)
        positions = _positions(spec, rows, cols, part)
        cut = draws_part(geometry, part, out_size)  # the steps counted are those of a part
        start = start_empty = None
        if spec.MODE == "constant" and len(positions) < math.prod(part.size):
            start = np.full_like(shown, spec.fill if shown.dtype.kind == "f" else int(spec.fill))
            copies = (rows.index[slice(*part.rows), 0] >= 0)[:, None] & (cols.index[slice(*part.cols), 0] >= 0)
            start_empty = np.broadcast_to(copies, shown.shape).copy()  # the copies "to come", not the constant
        dims = self.dims

        def cells(oy: int, ox: int) -> list[tuple[int, int]]:
            return [(int(rows.index[oy, 0]), int(cols.index[ox, 0]))]

        def text(step: int, oy: int, ox: int) -> str:
            ((sy, sx),) = cells(oy, ox)
            return _step_text(dims, oy, ox, sy, sx, step, len(positions), cut)

        def entry(ch: int, oy: int, ox: int) -> str:
            ((sy, sx),) = cells(oy, ox)
            value = format_value(output[ch, oy, ox])
            if sy < 0 or sx < 0:
                return f"{at(dims, 'y', ch, oy, ox)} = {value} (the constant)"
            return f"{at(dims, 'y', ch, oy, ox)} = {at(dims, 'x', ch, sy, sx)} = {value}"

        return [
            Drawn(
                geometry=geometry,
                grid=x[inside],
                filler=np.zeros_like(cropped),
                kernels=None,
                output=shown,
                playback=CellPlayback(output, positions, cells, text, entry, part, read),
                start=start,
                start_empty=start_empty,
                value_chars=widest(x[inside], shown),
                pixels=pixels,
                unread=cropped if cropped.any() else None,  # cells cropped away: paled and dotted, as never read
            )
        ]

    def links(self, spec, recording):
        """Where the gradient comes from: each output cell's from the input cell it copies (the
        constant's cells: nowhere)."""
        from ..engine.backward import axis_links

        return axis_links(spec.axes, recording.input.shape, recording.output.shape)

    def gradients(self, spec, recording, grad_output):
        from ..engine.backward import Gradients

        return Gradients(self.links(spec, recording).grad(grad_output, recording.input.shape))

    def backward_geometries(self, spec, region: Optional[Region] = None, **view) -> list[Geometry]:
        """One picture: each input cell gathering the dy of every output cell that copies it."""
        from .backward import refuse_region
        from .backward_moves import gather_geometry

        refuse_region(region)
        forwards = self.geometries(spec, **view)  # what the forward pass refuses, refused
        copies = (
            "its own output cell's and those of the padding cells copying it"
            if spec.MODE != "constant"
            else ("the output cell it became")
        )
        note = f"backward, dx = ∂L/∂x: each input cell gathers the dy of {copies}" + (
            "; the constant's cells send theirs nowhere" if spec.MODE == "constant" else ""
        )
        if self.dims == 3:
            from .pad_depth import pad_depth_backward_geometries

            return pad_depth_backward_geometries(spec, note)
        (forward,) = forwards
        c, (ho, wo), (h, w) = spec.in_channels, forward.out_size, forward.grid
        return [
            gather_geometry(
                spec, spec.caption, self.dims, c, c, (ho, wo), (h, w), forward.blame, "dy", "dx", (note,), terms=4
            )
        ]

    def backward_drawings(self, spec, recording, pixels: bool = False, geometries=None, **view) -> list[Drawn]:
        from .backward_moves import gather_drawn, gather_sources

        rec = recording.forward
        if self.dims == 3:
            from .pad_depth import pad_depth_backward_drawings

            whole = geometries or self.backward_geometries(spec, **view)
            return pad_depth_backward_drawings(spec, recording, self.links(spec, rec), whole)
        (geometry,) = geometries or self.backward_geometries(spec, **view)
        sources = gather_sources(self.links(spec, rec), rec.input.shape)
        dy = recording.grad_output.reshape(spec.in_channels, *geometry.grid)
        dx = recording.grad_input.reshape(spec.in_channels, *geometry.out_size)
        return [gather_drawn(geometry, dy, dx, sources)]

    def name_parts(self, spec, **view) -> list[str]:
        amounts = spec.padding
        text = str(amounts[0]) if len(set(amounts)) == 1 and amounts else "_".join(map(str, amounts))
        parts = ["x".join(map(str, spec.input_shape)), "p" + text.replace("-", "m")]
        if spec.NAME.startswith("ConstantPad"):
            parts.append("v" + format_value(spec.fill).replace("-", "m").replace("−", "m"))
        return parts

    def facts(self, spec) -> dict[str, Any]:
        formulas = []
        for axis, (n, (before, after), size) in enumerate(zip(spec.input_shape, spec.pads, spec.output_shape)):
            if axis == 0 and (before, after) == (0, 0):
                continue
            name = "C" if axis == 0 else AXES[self.dims][axis - 1]
            formulas.append(f"{name}_out = {n} {_signed(before)} {_signed(after)} = {size}")
        return {
            "kind": self.name,
            "caption": spec.caption,
            "input_shape": list(spec.input_shape),
            "output_shape": list(spec.output_shape),
            "padding": list(spec.padding),
            "mode": spec.MODE,
            "value": spec.fill,
            "num_parameters": 0,
            **count_facts(
                math.prod(spec.output_shape[1:]), spec.input_shape[0], *_steps(spec, self.dims), name="output positions"
            ),
            "output_size_formulas": formulas,
            "parameter_formulas": ["none: padding has no weights and no bias"],
            "writes": spec.operations[1],
        }


def _depth_steps(spec) -> int:
    from .pad_depth import depth_steps

    return depth_steps(spec)


def _steps(spec, dims: int) -> tuple[int, Optional[str]]:
    """The steps of a pad's pictures and, for a constant pad, what a step writes: a position
    copied on every channel (its padding cells start at the value); over three axes, a slice
    of the value alone is one step."""
    steps = spec.steps if dims < 3 else _depth_steps(spec)
    if spec.MODE != "constant":
        return steps, None
    from .pad_depth import source

    alone = dims == 3 and any(source(spec, z) < 0 for z in range(spec.output_shape[1]))
    note = "each copies an input position on every channel; the padding cells start at the value"
    return steps, note + ("; a depth slice of the value alone is one step" if alone else "")


def _shifted(name: str, amount: int, sign: int) -> str:
    """``i − 2``: a coordinate moved by a padding amount (``sign`` -1 takes it off, 1 adds it)."""
    moved = sign * amount
    return name if moved == 0 else f"{name} {'+' if moved > 0 else '−'} {abs(moved)}"


def _rule(spec, dims: int) -> str:
    """The note saying which input cell each output cell copies, with the amounts of this layer:
    cells named (i, j) as the step line names them, letters no tensor of the picture is named by,
    in brackets that a line break keeps whole."""
    (top, _), (left, _) = spec.pads[-2] if dims == 2 else (0, 0), spec.pads[-1]
    names = ("i", "j") if dims == 2 else ("", "j")

    def at(sign: int) -> str:
        axes = [_shifted(n, a, sign) for n, a in zip(names, (top, left)) if n]
        return f"({', '.join(axes)}{',' if dims == 1 else ''})"

    if spec.MODE == "constant":
        return (
            f"the output's padding cells start at the value {format_value(spec.fill)}; input {at(0)} is copied to "
            f"output {at(1)}"
        )
    return f"output {at(0)} copies input {at(-1)} where that is inside; {RULES[spec.MODE]}"


def _in_size(spec, dims: int) -> tuple[int, int]:
    """The input as a picture draws it: (H, W), or one row for a one-axis layer."""
    return (spec.input_shape[1] if dims == 2 else 1, spec.input_shape[-1])


def _signed(value: int) -> str:
    return f"+ {value}" if value >= 0 else f"− {-value}"


def _positions(spec, rows: AxisTaps, cols: AxisTaps, part: Region) -> list[tuple[int, int]]:
    """The output positions of ``part`` a picture steps through, row by row: all of them, or for
    a constant pad those that copy an input cell."""
    ys, xs = range(*part.rows), range(*part.cols)
    if spec.MODE != "constant":
        return [(y, x) for y in ys for x in xs]
    return [(y, x) for y in ys for x in xs if rows.index[y, 0] >= 0 and cols.index[x, 0] >= 0]


def _count(spec, rows: AxisTaps, cols: AxisTaps, part: Region) -> int:
    """How many positions :func:`_positions` lists, counted without listing them."""
    if spec.MODE != "constant":
        return math.prod(part.size)
    copied = [int((taps.index[slice(*span), 0] >= 0).sum()) for taps, span in ((rows, part.rows), (cols, part.cols))]
    return math.prod(copied)


def _step_text(dims: int, oy: int, ox: int, sy: int, sx: int, step: int, steps: int, part: bool = False) -> str:
    """Which output cell copies which input cell, and the step among the ``steps`` drawn
    (``of this part`` when they are those of a part of the output)."""
    counted = f"step {step + 1}/{steps}{' of this part' if part else ''}"
    return f"output {position(dims, oy, ox)} copies input {position(dims, sy, sx)} · {counted}"


def _last_step(dims: int, rows: AxisTaps, cols: AxisTaps, part: Region, steps: int) -> Callable[[bool], str]:
    """The longest step line of ``part`` (counted ``of this part`` or not): its last output
    position and its widest input position copied, as wide as any step writes them."""

    def widest(taps: AxisTaps, span: tuple[int, int]) -> int:
        return max((int(v) for v in taps.index[slice(*span), 0] if v >= 0), key=lambda v: len(str(v)), default=0)

    sy, sx = widest(rows, part.rows), widest(cols, part.cols)
    return lambda cut: _step_text(dims, part.rows[1] - 1, part.cols[1] - 1, sy, sx, steps - 1, steps, cut)


def _blame(spec, axis: int, dims: int) -> tuple[str, object, str]:
    """What to shrink on a picture's axis: the padding when it adds more than the input has."""
    index = -1 if dims == 1 or axis == 1 else -2
    before, after = spec.pads[index]
    if before + after > spec.input_shape[index]:
        return "padding", spec.padding, "padding"
    return "input_shape", spec.input_shape, "input"


REFLECTION_PAD1D = Padding(ReflectionPad1dSpec)
REFLECTION_PAD2D = Padding(ReflectionPad2dSpec)
REFLECTION_PAD3D = Padding(ReflectionPad3dSpec)
REPLICATION_PAD1D = Padding(ReplicationPad1dSpec)
REPLICATION_PAD2D = Padding(ReplicationPad2dSpec)
REPLICATION_PAD3D = Padding(ReplicationPad3dSpec)
ZERO_PAD1D = Padding(ZeroPad1dSpec)
ZERO_PAD2D = Padding(ZeroPad2dSpec)
ZERO_PAD3D = Padding(ZeroPad3dSpec)
CONSTANT_PAD1D = Padding(ConstantPad1dSpec)
CONSTANT_PAD2D = Padding(ConstantPad2dSpec)
CONSTANT_PAD3D = Padding(ConstantPad3dSpec)
CIRCULAR_PAD1D = Padding(CircularPad1dSpec)
CIRCULAR_PAD2D = Padding(CircularPad2dSpec)
CIRCULAR_PAD3D = Padding(CircularPad3dSpec)
for _op in (REFLECTION_PAD1D, REFLECTION_PAD2D, REPLICATION_PAD1D, REPLICATION_PAD2D, ZERO_PAD1D, ZERO_PAD2D):
    _op.backward_drawn = True
for _op in (CONSTANT_PAD1D, CONSTANT_PAD2D, CIRCULAR_PAD1D, CIRCULAR_PAD2D):
    _op.backward_drawn = True
for _op in (REFLECTION_PAD3D, REPLICATION_PAD3D, ZERO_PAD3D, CONSTANT_PAD3D, CIRCULAR_PAD3D):
    _op.backward_drawn = True
for _flat_op, _deep_op in (
    (REFLECTION_PAD2D, REFLECTION_PAD3D),
    (REPLICATION_PAD2D, REPLICATION_PAD3D),
    (ZERO_PAD2D, ZERO_PAD3D),
    (CONSTANT_PAD2D, CONSTANT_PAD3D),
    (CIRCULAR_PAD2D, CIRCULAR_PAD3D),
):
    _deep_op.plane_op = _flat_op  # each output depth slice is drawn as this 2-D pad
