"""Fractional max pooling: ``torch.nn.FractionalMaxPool2d`` and ``FractionalMaxPool3d``.

A window of ``kernel_size`` cells slides by steps of varying length chosen so that ``o`` windows
span ``n`` input cells: on each axis, with α = (n − k)/(o − 1) and a sample u in [0, 1), window
``i`` starts at int((i + u)·α) − int(u·α) and the last one ends at the input's end. Every
channel has its own samples, so its own windows. PyTorch draws the samples with ``torch.rand``
unless they are given (its ``_random_samples``); here they are the spec's ``samples``, or drawn
from the seed after the example input.

* **Specs**: ``input_shape`` then PyTorch's arguments: ``kernel_size``, ``output_size`` or
  ``output_ratio`` (exactly one; a ratio gives int(n·ratio) on each axis), ``return_indices``,
  and ``samples``, (C, DIMS) values in [0, 1) in PyTorch's order per channel (for a
  FractionalMaxPool2d the width's sample first, then the height's; for 3-D depth, height,
  width), or PyTorch's (N, C, DIMS) buffer, of which an unbatched input uses the first.
* **Recording**: :func:`record_fractional`, a :class:`~convgif.engine.spans.SpanRecording`.
* **Picture**: as adaptive pooling's (:class:`~convgif.ops.adaptive.Spans`), each channel's
  window ringed where its own samples put it.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, Optional

import numpy as np

from ..engine.part import PartArray, held_input
from ..engine.spans import SpanRecording, fractional_starts, record_spans
from ..engine.values import (
    check_exact,
    example_fractions,
    example_values,
    given,
    rng_of,
    skip_values,
)
from ..errors import SpecError
from ..picture.model import Region
from . import args
from .adaptive import Spans, axis_windows, nothing_to_draw, output_sizes, truthy
from .args import AXES, caption_line, fmt, int_entry, is_int
from .args import shape as _shape
from .base import count_facts
from .gathered import no_values
from .pool import INPUT_RANGE

_WORDS = {2: "an int or a pair (h, w)", 3: "an int or a triple (d, h, w)"}
#: The sample each axis takes, by its place in a channel's samples (PyTorch's order).
SAMPLE_OF = {2: (1, 0), 3: (0, 1, 2)}


def _sizes(name: str, value: object, dims: int) -> tuple[int, ...]:
    """``kernel_size``: an int or ``dims`` ints, no bools (torch's int lists refuse them)."""
    if is_int(value):
        return (int(value),) * dims  # type: ignore[call-overload]
    if isinstance(value, (tuple, list)) and len(value) == dims and all(int_entry(v, i) for i, v in enumerate(value)):
        return tuple(int(v) for v in value)
    raise SpecError(name, f"{name}={fmt(value)} must be {_WORDS[dims]} of ints")


def _ratios(value: object, dims: int) -> tuple[float, ...]:
    """``output_ratio``: a number or ``dims`` numbers, each strictly between 0 and 1."""
    entries = tuple(value) if isinstance(value, (tuple, list)) else (value,) * dims
    if len(entries) < dims or (dims == 2 and len(entries) > 2):
        raise SpecError("output_ratio", f"output_ratio={fmt(value)} must be a number or {dims} numbers")
    ratios = []
    for entry in entries[:dims]:
        if not isinstance(entry, numbers.Real) or isinstance(entry, bool) or not 0 < float(entry) < 1:
            raise SpecError(
                "output_ratio", f"output_ratio={fmt(value)} must be between 0 and 1 (both excluded) on each axis"
            )
        ratios.append(float(entry))
    return tuple(ratios)


def check_samples(value: object, channels: int, dims: int) -> np.ndarray:
    """``samples`` as (C, DIMS) float64 in [0, 1): given as (C, DIMS), or as PyTorch's
    (N, C, DIMS) ``_random_samples``, of which an unbatched input takes the first."""
    array = check_exact("samples", value)
    if array.ndim == 3 and array.shape[0] >= 1:
        array = array[0]
    if array.shape != (channels, dims):
        raise SpecError(
            "samples",
            f"samples has shape {np.shape(value)}: it must be (C, {dims}) = ({channels}, {dims}), one sample per "
            f"axis and channel, or torch's (N, {channels}, {dims})",
        )
    if ((array < 0) | (array >= 1)).any():
        bad = float(array[(array < 0) | (array >= 1)][0])
        raise SpecError(
            "samples",
            f"samples holds {bad:g}: each must lie in [0, 1), as torch.rand draws them (torch does not check "
            "given ones, and outside that range its windows may leave the input)",
        )
    return array.astype(np.float64)


@dataclass(frozen=True)
class _FractionalSpec:
    input_shape: tuple[int, ...]
    kernel_size: tuple[int, ...]
    output_size: Optional[tuple[int, ...]] = None
    output_ratio: Optional[tuple[float, ...]] = None
    return_indices: bool = False
    samples: Any = None

    DIMS: ClassVar[int]
    NAME: ClassVar[str]
    KIND: ClassVar[str] = "max"
    num_parameters: ClassVar[int] = 0
    mean_of_all: ClassVar[bool] = False

    def __post_init__(self) -> None:
        put = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        dims = self.DIMS
        put("input_shape", _shape(self.input_shape, dims))
        if dims == 3 and (
            (is_int(self.kernel_size) and self.kernel_size <= 0)  # type: ignore[operator]
            or (
                isinstance(self.kernel_size, (tuple, list))
                and not all(isinstance(k, numbers.Real) and k > 0 for k in self.kernel_size)
            )
        ):
            raise SpecError("kernel_size", f"kernel_size={fmt(self.kernel_size)} must be greater than 0")
        put("kernel_size", _sizes("kernel_size", self.kernel_size, dims))
        if (self.output_size is None) == (self.output_ratio is None):
            given = "neither" if self.output_size is None else "both"
            raise SpecError(
                "output_size", f"give exactly one of output_size and output_ratio ({self.NAME} was given {given})"
            )
        if self.output_ratio is not None:
            put("output_ratio", _ratios(self.output_ratio, dims))
        else:
            put("output_size", output_sizes("output_size", self.output_size, dims, none_allowed=False))
        put("return_indices", truthy("return_indices", self.return_indices))
        if min(self.output_shape[1:]) < 1:
            argument = "output_ratio" if self.output_ratio is not None else "output_size"
            raise nothing_to_draw(argument, getattr(self, argument), self.output_shape)
        for axis, n, o, k in zip(AXES[dims], self.input_shape[1:], self.output_shape[1:], self.kernel_size):
            if o + k - 1 > n or (dims == 3 and o + k - 1 == n):
                rule = "less than" if dims == 3 else "at most"
                raise SpecError(
                    "kernel_size",
                    f"kernel_size={self.kernel_size} is too large for the output size {o} on {axis}: output size + "
                    f"kernel size − 1 = {o + k - 1} must be {rule} the input's {n}",
                )
        if self.samples is not None:
            array = check_samples(self.samples, self.in_channels, dims)
            put("samples", tuple(tuple(float(v) for v in row) for row in array))

    @property
    def in_channels(self) -> int:
        return self.input_shape[0]

    @property
    def out_channels(self) -> int:
        return self.input_shape[0]

    @cached_property
    def output_shape(self) -> tuple[int, ...]:
        """(C, *sizes): ``output_size``, or int(n·ratio) on each axis."""
        if self.output_ratio is not None:
            sizes = tuple(int(n * r) for n, r in zip(self.input_shape[1:], self.output_ratio))
        else:
            sizes = self.output_size
        return (self.in_channels, *sizes)

    @property
    def empty_windows(self) -> bool:
        """Whether the windows hold no cell (a kernel size below 1, which torch's 2-D layer takes)."""
        return min(self.kernel_size) < 1

    @cached_property
    def alphas(self) -> tuple[float, ...]:
        """α = (n − k)/(o − 1) per axis (0 where there is one output)."""
        return tuple(
            float(n - k) / float(o - 1) if o > 1 else 0.0
            for n, o, k in zip(self.input_shape[1:], self.output_shape[1:], self.kernel_size)
        )

    @property
    def steps(self) -> int:
        return math.prod(self.output_shape[1:])

    @property
    def numbers(self) -> int:
        return math.prod(self.input_shape) + math.prod(self.output_shape) * (1 + max(1, math.prod(self.kernel_size)))

    @property
    def operations(self) -> tuple[str, int]:
        # each window lies inside the input: one comparison fewer than its cells
        return "comparisons", math.prod(self.output_shape) * max(0, math.prod(self.kernel_size) - 1)

    @cached_property
    def caption(self) -> str:
        parts = [self.NAME, f"K : {self.kernel_size}"]
        if self.output_ratio is not None:
            parts.append(f"output_ratio : {self.output_ratio}")
        return caption_line(self.input_shape, self.output_shape, *parts)

    def replace(self, **changes: object):
        args = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        if "output_ratio" in changes:
            args["output_size"] = None
        elif "output_size" in changes:
            args["output_ratio"] = None
        args.update(changes)
        return type(self)(**args)


@dataclass(frozen=True)
class FractionalMaxPool2dSpec(_FractionalSpec):
    """One ``torch.nn.FractionalMaxPool2d`` over (C, H, W). torch's 2-D layer also takes a
    kernel size below 1: every window is then empty and every output −∞ (recorded as torch
    gives it; there is nothing to draw)."""

    DIMS: ClassVar[int] = 2
    NAME: ClassVar[str] = "FractionalMaxPool2d"


@dataclass(frozen=True)
class FractionalMaxPool3dSpec(_FractionalSpec):
    """One ``torch.nn.FractionalMaxPool3d`` over (C, D, H, W); unlike the 2-D layer, torch
    requires output size + kernel size − 1 to be less than the input's size on each axis."""

    DIMS: ClassVar[int] = 3
    NAME: ClassVar[str] = "FractionalMaxPool3d"


def fractional_windows(spec: Any, samples: np.ndarray) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """(starts, sizes): per axis, each channel's window starts (C, o) and the window sizes."""
    starts, sizes = [], []
    for a, (n, o, k) in enumerate(zip(spec.input_shape[1:], spec.output_shape[1:], spec.kernel_size)):
        u = samples[:, SAMPLE_OF[spec.DIMS][a]]
        starts.append(np.stack([fractional_starts(float(v), n, o, k) for v in u]))
        sizes.append(np.full(o, k, dtype=np.int64))
    return tuple(starts), tuple(sizes)


def record_fractional(spec: Any, seed: int = 0, input: object = None) -> SpanRecording:
    """Run a fractional max pooling forward: the input random integers in 0..9 from ``seed`` (or
    the array given), then the samples: the spec's, or uniform in [0, 1) from the same seed."""
    rng = rng_of(seed)
    if input is None:
        x = example_values(rng, spec.input_shape, INPUT_RANGE)
    else:
        x = given("input", input, spec.input_shape)
        skip_values(rng, spec.input_shape, INPUT_RANGE)
    if spec.samples is not None:
        samples = np.array(spec.samples, dtype=np.float64)
    else:
        samples = example_fractions(rng, (spec.in_channels, spec.DIMS))
    starts, sizes = fractional_windows(spec, samples)
    return record_spans(spec, "max", x, starts, sizes, samples=samples)


def _part_box(spec: Any, region: Region) -> list[tuple[int, int]]:
    """The input cells (start, stop) per axis a part of the layer draws: the rows and columns any
    channel's windows over the output ``region`` may cover (:meth:`Fractional.extent`), and of a
    FractionalMaxPool3d every input depth (every output depth slice is drawn)."""
    (r0, r1), (c0, c1) = region.rows, region.cols
    rows = (_bounds(spec, spec.DIMS - 2, r0)[0], _bounds(spec, spec.DIMS - 2, r1 - 1)[1])
    cols = (_bounds(spec, spec.DIMS - 1, c0)[0], _bounds(spec, spec.DIMS - 1, c1 - 1)[1])
    return [(0, spec.input_shape[1])] * (spec.DIMS - 2) + [rows, cols]


def _part_spans(spec: Any, region: Region) -> list[tuple[int, int]]:
    """The output positions (start, stop) per axis a part of the layer holds: ``region``'s rows
    and columns, of every output depth slice of a FractionalMaxPool3d."""
    return [(0, spec.output_shape[1])] * (spec.DIMS - 2) + [region.rows, region.cols]


def record_fractional_part(spec: Any, seed: int, input: object, region: Region) -> SpanRecording:
    """The recording of the output positions ``region`` of a fractional max pool (of every
    output depth slice, in 3-D) from the input cells its windows may cover: ``input``,
    ``output``, ``indices`` and ``winners`` are :class:`~convgif.engine.part.PartArray`
    holding that part, each value the whole layer's: the input's cells are drawn first, the
    stream left as the whole draw leaves it, then the samples, as the whole recording draws
    them; ``starts``, ``sizes`` and ``samples`` are the whole layer's."""
    spans, box = _part_spans(spec, region), _part_box(spec, region)
    rng = rng_of(seed)
    _, cells = held_input(rng, input, spec.input_shape, INPUT_RANGE, box)  # then the samples
    if spec.samples is not None:
        samples = np.array(spec.samples, dtype=np.float64)
    else:
        samples = example_fractions(rng, (spec.in_channels, spec.DIMS))
    starts, sizes = fractional_windows(spec, samples)
    lows = np.array([low for low, _ in box])
    local = record_spans(
        spec,
        "max",
        cells,
        tuple(s[:, a:b] - low for s, (a, b), low in zip(starts, spans, lows)),
        tuple(size[a:b] for size, (a, b) in zip(sizes, spans)),
        samples=samples,
    )
    winners = np.where(local.winners >= 0, local.winners + lows, -1)  # -1: an empty window
    indices = sum(winners[..., a] * math.prod(spec.input_shape[2 + a :]) for a in range(spec.DIMS))
    at = (0, *(a for a, _ in spans))
    return SpanRecording(
        spec,
        "max",
        PartArray(spec.input_shape, (0, *lows), cells),
        PartArray(spec.output_shape, at, local.output),
        starts,
        sizes,
        PartArray(spec.output_shape, at, indices),
        PartArray((*spec.output_shape, spec.DIMS), (*at, 0), winners),
        samples=samples,
    )


def _bounds(spec: Any, axis: int, i: int) -> tuple[int, int]:
    """The cells window ``i`` on ``axis`` may cover for any sample (with a cell's margin for
    rounding): start int((i + u)·α) − int(u·α) is ⌊i·α⌋ or one more."""
    n, o, k = spec.input_shape[1 + axis], spec.output_shape[1 + axis], spec.kernel_size[axis]
    if i == o - 1:
        return n - k, n
    low = math.floor(i * spec.alphas[axis])
    return max(0, low - 1), min(n, low + 2 + k)


class Fractional(Spans):
    """FractionalMaxPool2d and 3d: adaptive pooling's picture, each channel's windows its own."""

    def example(self) -> dict[str, Any]:
        return {"input_shape": (2, *(7,) * self.dims), "kernel_size": 2, "output_size": 3}

    def _record(self, spec, seed: int, input, indices):
        if indices is not None:
            raise SpecError("indices", f"{spec.NAME} takes no indices: only an unpooling does")
        return record_fractional(spec, seed, input)

    def _flat(self, spec):
        return spec

    def record_drawn(self, spec, seed, kernels, *, input=None, weight=None, bias=None, region=None):
        """The recording; with ``region``, only that part, from the whole layer's samples
        (:func:`record_fractional_part`): of a FractionalMaxPool2d too large to record whole,
        the output drawn and the input its windows may cover; of a FractionalMaxPool3d, those
        rows and columns of every output depth slice."""
        if region is None or not self.draws_parts or (self.dims < 3 and spec.numbers <= args.MAX_ELEMENTS):
            return self.record(spec, seed, input=input, weight=weight, bias=bias)
        no_values(self.name, weight, bias, "pooling has no parameters")
        return record_fractional_part(spec, seed, input, region)

    def part_numbers(self, spec, region: Region) -> int:
        """The input cells shown and, per output drawn, its value, index, winner and window
        (its cells gathered), and every channel's window starts."""
        cells = math.prod(b - a for a, b in _part_box(spec, region))
        outputs = math.prod(b - a for a, b in _part_spans(spec, region))
        window = math.prod(spec.kernel_size)
        return spec.in_channels * (2 * cells + outputs * (2 * window + 2 + spec.DIMS) + sum(spec.output_shape[1:]))

    def depth_plane(self, spec, slices: int) -> tuple[Fractional, FractionalMaxPool2dSpec]:
        """(op, spec) of the FractionalMaxPool2d an output depth slice is drawn as (its windows
        through height and width: the layer's, from each channel's own samples)."""
        shape, size = (slices, *spec.input_shape[2:]), spec.output_shape[2:]
        planar = FractionalMaxPool2dSpec(shape, spec.kernel_size[1:], size, None, spec.return_indices)
        return Fractional(FractionalMaxPool2dSpec), planar

    def depth_starts(self, spec) -> Optional[np.ndarray]:
        """(C, d): each channel's window starts on the depth axis, when the samples are given."""
        if spec.samples is None:
            return None
        return fractional_windows(spec, np.array(spec.samples, dtype=np.float64))[0][0]

    def backward_depth_starts(self, spec) -> Optional[np.ndarray]:
        return self.depth_starts(spec)

    def extent(self, flat, region: Region) -> Region:
        rows = (_bounds(flat, 0, region.rows[0])[0], _bounds(flat, 0, region.rows[1] - 1)[1])
        cols = (_bounds(flat, 1, region.cols[0])[0], _bounds(flat, 1, region.cols[1] - 1)[1])
        return Region(rows, cols)

    def geometries(self, spec, region: Region | None = None, **view):
        if spec.empty_windows:
            self.check_view(**view)
            raise SpecError(
                "kernel_size",
                f"kernel_size={spec.kernel_size}: torch takes it, but every window is empty and every output −∞ "
                "(`convgif.record` records it): nothing to draw",
            )
        return super().geometries(spec, region, **view)

    def notes(self, spec, samples: Optional[np.ndarray] = None) -> list[str]:
        words = ("rows", "columns") if self.dims == 2 else ("depths", "rows", "columns")
        order = "columns, rows" if self.dims == 2 else "depths, rows, columns"  # PyTorch's order of the samples
        alphas = ", ".join(f"{a:.3g} ({w})" for a, w in zip(spec.alphas, words))
        notes = [
            f"fractional windows {'×'.join(map(str, spec.kernel_size))}: window i starts at "
            f"int((i+u)·α) − int(u·α), α = (n − k)/(o − 1) = {alphas}; the last ends at the input's end",
        ]
        if samples is None and spec.samples is None:
            notes.append(f"each channel's samples u ({order}) are drawn from the seed")
        else:
            samples = np.asarray(spec.samples if samples is None else samples)
            shown = "; ".join(f"channel {c}: {', '.join(f'{u:.3f}' for u in row)}" for c, row in enumerate(samples[:4]))
            notes.append(f"samples u ({order}) {shown}" + ("; …" if len(samples) > 4 else ""))
        return notes

    def drawings(self, spec, recording, pixels: bool = False, region: Region | None = None, **view):
        drawn = super().drawings(spec, recording, pixels, region, **view)
        for part in drawn:
            notes = list(part.geometry.notes)
            notes[1] = self.notes(spec, recording.samples)[1]
            part.geometry = dataclasses.replace(part.geometry, notes=tuple(notes))
        return drawn

    def step_text(
        self, flat, oy: int, ox: int, step: int, steps: int, cells: Optional[np.ndarray] = None, part: bool = False
    ) -> str:
        room = ""
        if cells is None:  # before anything is recorded (the windows are drawn at random): at least
            cells = np.array([[flat.input_shape[1] - 1] * 2, [flat.input_shape[2] - 1] * 2])
            room = " " * 4  # as long as any step's line, whatever its window's digits
        text = super().step_text(flat, oy, ox, step, steps, cells, part)
        return text.replace("window ", "channel 0's window ", 1) + room

    def drawn_recording(self, spec, recording):
        return recording

    def name_parts(self, spec, **view) -> list[str]:
        parts = ["x".join(map(str, spec.input_shape)), f"k{'x'.join(map(str, spec.kernel_size))}"]
        parts.append("o" + "x".join(map(str, spec.output_shape[1:])))
        if spec.return_indices:
            parts.append("indices")
        return parts

    def facts(self, spec) -> dict:
        formulas = []
        for i, axis in enumerate(AXES[self.dims]):
            n, o, k = spec.input_shape[1 + i], spec.output_shape[1 + i], spec.kernel_size[i]
            if spec.output_ratio is not None:
                formulas.append(f"{axis}_out = int({n} · {spec.output_ratio[i]:g}) = {o}")
            else:
                formulas.append(f"{axis}_out = output_size[{i}] = {o}")
            formulas.append(
                f"{axis} windows of {k}: start int((i+u)·α) − int(u·α), α = ({n} − {k})/({o} − 1) = "
                f"{spec.alphas[i]:.4g}; the last starts at {n - k}"
            )
            if o > 1 and spec.alphas[i].is_integer():
                formulas.append(f"α = {spec.alphas[i]:g} is whole on {axis}: every sample gives the same windows there")
        if spec.samples is not None:
            starts = [
                [s.tolist() for s in fractional_windows(spec, np.array(spec.samples))[0][a]] for a in range(self.dims)
            ]
            for axis, per_channel in zip(AXES[self.dims], starts):
                ends = (np.array(per_channel[0]) + spec.kernel_size[AXES[self.dims].index(axis)]).tolist()
                formulas.append(
                    f"{axis} windows of channel 0: {axis_windows(np.array(per_channel[0]), np.array(ends))}"
                )
        else:
            formulas.append("the samples u come from torch.rand (here: from the seed), one per axis and channel")
        name, count = spec.operations
        return {
            "kind": self.name,
            "caption": spec.caption,
            "input_shape": list(spec.input_shape),
            "output_shape": list(spec.output_shape),
            "kernel_size": list(spec.kernel_size),
            "output_size": None if spec.output_size is None else list(spec.output_size),
            "output_ratio": None if spec.output_ratio is None else list(spec.output_ratio),
            "samples": None if spec.samples is None else [list(row) for row in spec.samples],
            "num_parameters": 0,
            **count_facts(spec.steps, spec.input_shape[0], spec.steps),
            "output_size_formulas": formulas,
            "parameter_formulas": ["none: pooling has no weights and no bias"],
            name: count,
            "return_indices": bool(spec.return_indices),
        }


FRACTIONAL_MAX_POOL2D = Fractional(FractionalMaxPool2dSpec)
FRACTIONAL_MAX_POOL3D = Fractional(FractionalMaxPool3dSpec)
FRACTIONAL_MAX_POOL2D.backward_drawn = FRACTIONAL_MAX_POOL3D.backward_drawn = True
FRACTIONAL_MAX_POOL2D.draws_parts = FRACTIONAL_MAX_POOL3D.draws_parts = True  # type: ignore[misc]
for _op in (FRACTIONAL_MAX_POOL2D, FRACTIONAL_MAX_POOL3D):
    _op.torch_signature = ("kernel_size", "output_size", "output_ratio", "return_indices", "_random_samples")  # type: ignore[misc]
    _op.torch_shown = ()  # type: ignore[misc]  # print(model) writes FractionalMaxPool2d()
