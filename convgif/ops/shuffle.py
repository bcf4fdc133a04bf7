"""Shuffles: ``torch.nn.PixelShuffle``, ``PixelUnshuffle`` and ``ChannelShuffle``, which move
values without changing them (:mod:`convgif.engine.shuffle` holds where each one goes).

* **Specs** (:class:`PixelShuffleSpec`, :class:`PixelUnshuffleSpec`, :class:`ChannelShuffleSpec`):
  PyTorch's one constructor argument each and an input shape, checked as torch checks them.
* **Recording** (:func:`record_shuffle`): the input (small random integers, or the array given)
  and the output.
* **Pictures**: ``PixelShuffle`` steps through the input positions, each moving the r² values of
  a group of channels at that position into an r×r block of one output channel;
  ``PixelUnshuffle`` steps through the output positions, each moving an r×r block of one input
  channel into r² channels; ``ChannelShuffle`` steps through the output channels, each copying
  a whole input channel: the outputs in their order face the inputs in theirs, and each step's
  line runs aslant from the input channel copied to its output, the lines of the steps before
  staying, faint, so that the shuffle is seen as lines crossing; over three spatial axes, one
  depth slice at a time (:mod:`convgif.ops.resample_depth`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, Optional

import numpy as np

from ..engine.part import PartArray, held_input
from ..engine.shuffle import channel_shuffle, channel_sources, pixel_shuffle, pixel_unshuffle
from ..engine.values import drawn_or_given, rng_of
from ..errors import SpecError
from ..picture.model import Crop, Drawn, Geometry, Part, Region, part_note
from ..picture.numbers import widest
from ..picture.sizes import MAX_SHOWN_IN
from .args import AXES, is_int
from .args import shape as _shape
from .base import Operation, count_facts
from .depth_steps import of_part
from .gathered import INPUT_RANGE, PIXEL_CHARS, no_values
from .gathered_part import as_planes, spans_of
from .resample import _input_shape
from .shuffle_picture import (
    ChannelGradPlayback,
    ChannelPlayback,
    ShufflePlayback,
    UnshufflePlayback,
    plane,
    shuffle_step_text,
    too_many_channels,
)
from .sliding import draws_part

#: At most this many input and output channels a pixel shuffle draws: its grids are small, and
#: a step moves cells between several channels (more than other layers draw), all shown.
SHUFFLE_SHOWN = 16

_SEP = " \u2014 "


def _factor(name: str, value: object) -> int:
    """An int argument torch's shuffles take: an integer (not a bool), positive."""
    if not is_int(value):
        raise SpecError(name, f"{name}={value!r} must be a positive integer")
    if int(value) < 1:  # type: ignore[call-overload]
        raise SpecError(name, f"{name}={value!r} must be a positive integer")
    return int(value)  # type: ignore[call-overload]


def _step_note(up: bool, r: int, groups: int) -> str:
    """What one step moves: at one input position, each group of r² channels into an r×r block of
    its output channel (shuffle), or each channel's r×r block into one position of its r² output
    channels (unshuffle); every group or channel moves at the same step."""
    square = f"{r}² = {r * r}"
    if up and groups > 1:
        return (
            f"each step takes one input position: each group of {square} channels there becomes a {r}×{r} "
            "block of its output channel, row by row"
        )
    if up:
        return f"each step takes one input position: its {square} channels become a {r}×{r} block of the output, row by row"
    if groups > 1:
        return (
            f"each step takes a {r}×{r} block of every channel: each block, row by row, becomes one position "
            f"of its channel's {square} output channels"
        )
    return (
        f"each step moves a {r}×{r} block of the input, row by row, into one position of the {square} output channels"
    )


class _Moves:
    """What the shuffles' specs share: no parameters, each value read once and written once,
    and a caption of the shapes, the class's name and the one argument."""

    num_parameters: ClassVar[int] = 0

    @property
    def in_channels(self) -> int:
        return self.input_shape[0]

    @property
    def out_channels(self) -> int:
        return self.output_shape[0]

    @property
    def numbers(self) -> int:
        return 2 * math.prod(self.input_shape)

    @property
    def operations(self) -> tuple[str, int]:
        return "writes", math.prod(self.output_shape)

    def _argument_caption(self) -> str:
        raise NotImplementedError

    @cached_property
    def caption(self) -> str:
        return _SEP.join(
            [
                f"Input Shape : {self.input_shape}",
                f"Output Shape : {self.output_shape}",
                self.NAME,  # type: ignore[attr-defined]
                self._argument_caption(),
            ]
        )

    def replace(self, **changes: object):
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class PixelShuffleSpec(_Moves):
    """One ``torch.nn.PixelShuffle(upscale_factor)`` applied to (C·r², H, W) ((H, W) means one
    channel): the r² channels of each group become an r×r block of one output channel, giving
    (C, H·r, W·r). ``upscale_factor`` must be a positive integer whose square divides the channels."""

    input_shape: tuple[int, ...]
    upscale_factor: int

    NAME: ClassVar[str] = "PixelShuffle"
    DIMS: ClassVar[int] = 2

    def __post_init__(self) -> None:
        object.__setattr__(self, "input_shape", _shape(self.input_shape, 2))
        r = _factor("upscale_factor", self.upscale_factor)
        object.__setattr__(self, "upscale_factor", r)
        if self.input_shape[0] % (r * r):
            raise SpecError(
                "upscale_factor",
                f"upscale_factor={r} needs channels in groups of {r}² = {r * r}, but input_shape={self.input_shape} "
                f"has {self.input_shape[0]}",
            )

    @property
    def factor(self) -> int:
        return self.upscale_factor

    @cached_property
    def output_shape(self) -> tuple[int, ...]:
        c, h, w = self.input_shape
        r = self.upscale_factor
        return (c // (r * r), h * r, w * r)

    @property
    def steps(self) -> int:
        """Animation steps: one per input position, every group at once."""
        return self.input_shape[1] * self.input_shape[2]

    def _argument_caption(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


@dataclass(frozen=True)
class PixelUnshuffleSpec(_Moves):
    """One ``torch.nn.PixelUnshuffle(downscale_factor)`` applied to (C, H·r, W·r) ((H, W) means
    one channel): each r×r block of a channel becomes one cell of r² channels, giving
    (C·r², H, W). The height and width must be multiples of ``downscale_factor``."""

    input_shape: tuple[int, ...]
    downscale_factor: int

    NAME: ClassVar[str] = "PixelUnshuffle"
    DIMS: ClassVar[int] = 2

    def __post_init__(self) -> None:
        object.__setattr__(self, "input_shape", _shape(self.input_shape, 2))
        r = _factor("downscale_factor", self.downscale_factor)
        object.__setattr__(self, "downscale_factor", r)
        _, h, w = self.input_shape
        for name, size in (("height", h), ("width", w)):
            if size % r:
                raise SpecError(
                    "downscale_factor",
                    f"downscale_factor={r} must divide the input's {name}, {size} (input_shape={self.input_shape})",
                )

    @property
    def factor(self) -> int:
        return self.downscale_factor

    @cached_property
    def output_shape(self) -> tuple[int, ...]:
        c, h, w = self.input_shape
        r = self.downscale_factor
        return (c * r * r, h // r, w // r)

    @property
    def steps(self) -> int:
        """Animation steps: one per output position, every channel at once."""
        return self.output_shape[1] * self.output_shape[2]

    def _argument_caption(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


@dataclass(frozen=True)
class ChannelShuffleSpec(_Moves):
    """One ``torch.nn.ChannelShuffle(groups)`` applied to one sample (C, *sizes) of the (N, C, ...)
    batch it takes (one to three spatial axes; the channels always given): the C channels, in
    ``groups`` groups of C/groups, are read as a (groups, C/groups) table column by column, so
    that output channel j is input channel ``(j mod groups)·(C/groups) + ⌊j/groups⌋``."""

    input_shape: tuple[int, ...]
    groups: int

    NAME: ClassVar[str] = "ChannelShuffle"

    def __post_init__(self) -> None:
        object.__setattr__(self, "input_shape", _input_shape(self.input_shape))
        g = self.groups
        if not is_int(g):
            raise SpecError("groups", f"groups={g!r} must be a positive integer")
        if int(g) < 1:
            raise SpecError("groups", f"groups={g!r} must be positive: the channels are divided into that many groups")
        object.__setattr__(self, "groups", int(g))
        if self.input_shape[0] % self.groups:
            raise SpecError(
                "groups",
                f"groups={self.groups} must divide the channels: input_shape={self.input_shape} has {self.input_shape[0]}",
            )

    @property
    def dims(self) -> int:
        """Spatial axes: 1, 2 or 3, as many as the input shape has."""
        return len(self.input_shape) - 1

    @property
    def DIMS(self) -> int:  # noqa: N802  (the class attribute of the other kinds' specs)
        return self.dims

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.input_shape

    @cached_property
    def sources(self) -> np.ndarray:
        """The input channel each output channel copies."""
        return channel_sources(self.in_channels, self.groups)

    @property
    def steps(self) -> int:
        """Animation steps: one per output channel (of every depth slice, over three axes)."""
        return self.in_channels * (self.input_shape[1] if self.dims == 3 else 1)

    def _argument_caption(self) -> str:
        return f"G : {self.groups}"


@dataclass(frozen=True, eq=False)
class ShuffleRecording:
    """The forward pass of a shuffle: ``input`` and ``output``, int64 or float64 as given."""

    spec: Any
    input: np.ndarray
    output: np.ndarray


def record_shuffle(spec: Any, seed: int = 0, input: object = None) -> ShuffleRecording:
    """Run a shuffle spec forward on small random integers (0..9) or on ``input``."""
    x = drawn_or_given(rng_of(seed), "input", input, spec.input_shape, INPUT_RANGE)
    if isinstance(spec, PixelShuffleSpec):
        out = pixel_shuffle(x, spec.upscale_factor)
    elif isinstance(spec, PixelUnshuffleSpec):
        out = pixel_unshuffle(x, spec.downscale_factor)
    else:
        out = channel_shuffle(x, spec.groups)
    return ShuffleRecording(spec, x, out)


class _Shuffle(Operation):
    views = ("region",)

    def __init__(self, spec_type: type, signature: tuple[str, ...], dims: int) -> None:
        self.spec_type = spec_type  # type: ignore[misc]
        self.name = spec_type.NAME  # type: ignore[misc]
        self.torch_signature = signature  # type: ignore[misc]
        self.dims = dims  # type: ignore[misc]

    def record(self, spec, seed: int = 0, *, input=None, weight=None, bias=None):
        """The shuffle's recording (:func:`record_shuffle`)."""
        no_values(self.name, weight, bias, "a shuffle moves values and has no parameters")
        return record_shuffle(spec, seed, input)

    def weight_shape(self, spec) -> None:
        return None

    def facts(self, spec) -> dict[str, Any]:
        return {
            "kind": self.name,
            "caption": spec.caption,
            "input_shape": list(spec.input_shape),
            "output_shape": list(spec.output_shape),
            **{name: getattr(spec, name) for name in self.arguments if name != "input_shape"},
            "num_parameters": 0,
            **self._counts(spec),
            "output_size_formulas": self._formulas(spec),
            "parameter_formulas": ["none: a shuffle moves values and has no weights"],
            "writes": spec.operations[1],
        }

    def _formulas(self, spec) -> list[str]:
        raise NotImplementedError

    def links(self, spec, recording):
        """Where the gradient comes from: each output cell's dy goes back to the input cell it
        moved (found by moving the cells' own positions)."""
        from ..engine.backward import Links

        positions = np.arange(math.prod(spec.input_shape)).reshape(spec.input_shape)
        if isinstance(spec, PixelShuffleSpec):
            moved = pixel_shuffle(positions, spec.upscale_factor)
        elif isinstance(spec, PixelUnshuffleSpec):
            moved = pixel_unshuffle(positions, spec.downscale_factor)
        else:
            moved = channel_shuffle(positions, spec.groups)
        return Links(np.arange(moved.size), moved.ravel())

    def gradients(self, spec, recording, grad_output):
        from ..engine.backward import Gradients

        return Gradients(self.links(spec, recording).grad(grad_output, recording.input.shape))

    def _counts(self, spec) -> dict[str, Any]:
        """What moves, counted on every channel, and the steps: a channel, or a position, a step."""
        if isinstance(spec, ChannelShuffleSpec):
            depth = "each copies one depth slice of a channel" if spec.dims == 3 else None
            return count_facts(spec.in_channels, 1, spec.steps, depth, name="channels copied")
        n, moves = spec.steps, "each moves one cell of every input channel"
        if isinstance(spec, PixelShuffleSpec):
            return count_facts(n, spec.in_channels, n, moves, "input channels", "input positions moved")
        return count_facts(n, spec.output_shape[0], n, None, "output channels", "output positions filled")


class PixelShuffling(_Shuffle):
    """PixelShuffle and PixelUnshuffle: channels into blocks, and back."""

    draws_parts = True

    def record_drawn(self, spec, seed: int, kernels, *, input=None, weight=None, bias=None, region=None):
        """The recording; with ``region``, only that part of the output and the whole blocks of
        the input it comes from, each value the whole layer's."""
        if region is None:
            return self.record(spec, seed, input=input, weight=weight, bias=bias)
        no_values(self.name, weight, bias, "a shuffle has no parameters")
        part, read = self._parts(spec, region)
        x, cells = held_input(rng_of(seed), input, spec.input_shape, INPUT_RANGE, [read.rows, read.cols])
        r = spec.factor
        if self._up(spec):
            out, start = pixel_shuffle(cells, r), (0, read.rows[0] * r, read.cols[0] * r)
        else:
            out, start = pixel_unshuffle(cells, r), (0, part.rows[0], part.cols[0])
        return ShuffleRecording(spec, x, PartArray(spec.output_shape, start, out))

    def part_numbers(self, spec, region: Region) -> int:
        """The input's blocks read and the output they make."""
        _, read = self._parts(spec, region)
        return 2 * spec.in_channels * math.prod(read.size)

    def example(self) -> dict[str, Any]:
        factor = self.torch_signature[0]
        return {"input_shape": (4, 2, 2) if factor == "upscale_factor" else (1, 4, 4), factor: 2}

    def _formulas(self, spec) -> list[str]:
        (c, h, w), (co, ho, wo), r = spec.input_shape, spec.output_shape, spec.factor
        if isinstance(spec, PixelShuffleSpec):
            return [f"C_out = {c} / {r}² = {co}", f"H_out = {h} · {r} = {ho}", f"W_out = {w} · {r} = {wo}"]
        return [f"C_out = {c} · {r}² = {co}", f"H_out = {h} / {r} = {ho}", f"W_out = {w} / {r} = {wo}"]

    def name_parts(self, spec, **view) -> list[str]:
        return ["x".join(map(str, spec.input_shape)), f"r{spec.factor}"]

    def _up(self, spec) -> bool:
        return isinstance(spec, PixelShuffleSpec)

    def _parts(self, spec, region: Optional[Region]) -> tuple[Region, Region]:
        """The output part drawn and the input part it comes from (whole blocks of the input)."""
        r = spec.factor
        out_size = spec.output_shape[1:]
        part = Region.of(region, out_size)
        if self._up(spec):
            read = Region((part.rows[0] // r, -(-part.rows[1] // r)), (part.cols[0] // r, -(-part.cols[1] // r)))
        else:
            read = Region((part.rows[0] * r, part.rows[1] * r), (part.cols[0] * r, part.cols[1] * r))
        return part, read

    def geometries(self, spec, region: Optional[Region] = None, **view) -> list[Geometry]:
        self.check_view(**view)
        r, up = spec.factor, self._up(spec)
        part, read = self._parts(spec, region)
        in_size, out_size = spec.input_shape[1:], spec.output_shape[1:]
        c_in, c_out = spec.in_channels, spec.out_channels
        groups = c_out if up else c_in
        notes = [_step_note(up, r, c_out if up else c_in)]
        headings, picture_part = ("input", "output"), None
        if region is not None and region.cuts(out_size):
            headings = ("input" + (", part" if read.cuts(in_size) else ""), "output, part")  # "part" where cut
            picture_part = Part(
                Crop(in_size, (read.rows[0], read.cols[0])), Crop(out_size, (part.rows[0], part.cols[0]))
            )
            notes.append(part_note(2, part, out_size, read, in_size, "the input", "they come from"))
        steps = math.prod(read.size) if up else math.prod(part.size)
        h, w = in_size if up else out_size
        stepped = read if up else part  # the cells the steps go through, the last one's line the longest
        y, x = stepped.rows[1] - 1, stepped.cols[1] - 1
        entry = len(f"y[{c_out - 1}, {h * r}:{h * r}, {w * r}:{w * r}] ← x[{c_in}:{c_in}, {h}, {w}] = ")
        return [
            Geometry(
                layer=spec,
                caption=spec.caption,
                dims=2,
                in_channels=c_in,
                out_channels=c_out,
                groups=groups,
                grid=read.size,
                kernel=None,
                out_size=part.size,
                steps_per_column=steps,
                input_heading=headings[0],
                output_heading=headings[1],
                part=picture_part,
                kernel_label=lambda i, j: "",
                blame=lambda axis: ("input_shape", spec.input_shape, "input"),
                notes=tuple(notes),
                numbers=True,
                columns_take_turns=False,
                longest_step=of_part(  # counted of this part as draws_part decides for the playback
                    lambda cut: shuffle_step_text(up, y, x, r, steps - 1, steps, cut), part.cuts(out_size)
                ),
                sum_chars=lambda chars, drawn: entry + r * r * (chars + 1) + 2 * r,  # a group's entry
                sum_each_group=True,
                value_chars=PIXEL_CHARS,
                shown_most=SHUFFLE_SHOWN,
            )
        ]

    def backward_geometries(self, spec, region: Optional[Region] = None, **view) -> list[Geometry]:
        """One picture: each input cell's gradient is the dy of the output cell it moved to."""
        from .backward import refuse_region
        from .backward_moves import gather_geometry

        self.check_view(**view)
        refuse_region(region)
        r = spec.factor
        moved = (
            f"an {r}×{r} block of dy goes back to {r}² channels"
            if self._up(spec)
            else (f"{r}² channels of dy go back to an {r}×{r} block")
        )
        notes = (f"backward, dx = ∂L/∂x: each input cell's gradient is the dy of the output cell it moved to: {moved}",)
        blame = lambda axis: ("input_shape", spec.input_shape, "input")  # noqa: E731
        geometry = gather_geometry(
            spec,
            spec.caption,
            2,
            spec.out_channels,
            spec.in_channels,
            spec.output_shape[1:],
            spec.input_shape[1:],
            blame,
            "dy",
            "dx",
            notes,
            terms=1,
            groups=min(spec.in_channels, spec.out_channels),
        )
        return [geometry]

    def backward_drawings(self, spec, recording, pixels: bool = False, geometries=None, **view) -> list[Drawn]:
        from .backward_moves import gather_drawn, gather_sources

        (geometry,) = geometries or self.backward_geometries(spec, **view)
        sources = gather_sources(self.links(spec, recording.forward), spec.input_shape)
        return [gather_drawn(geometry, recording.grad_output, recording.grad_input, sources)]

    def drawings(self, spec, recording, pixels: bool = False, region=None, geometries=None, **view) -> list[Drawn]:
        (geometry,) = geometries or self.geometries(spec, region, **view)
        part, read = self._parts(spec, region)
        x, out = recording.input, recording.output
        shown = out[:, slice(*part.rows), slice(*part.cols)]
        grid = x[:, slice(*read.rows), slice(*read.cols)]
        kind = ShufflePlayback if self._up(spec) else UnshufflePlayback
        playback = kind(spec, x, out, part, read, draws_part(geometry, part, spec.output_shape[1:]))
        return [
            Drawn(
                geometry=geometry,
                grid=grid,
                filler=np.zeros(read.size, dtype=bool),
                kernels=None,
                output=shown,
                playback=playback,
                value_chars=widest(grid, shown),
                pixels=pixels,
            )
        ]


class ChannelShuffling(_Shuffle):
    """ChannelShuffle: every output channel a copy of one input channel."""

    draws_parts = True

    def record_drawn(self, spec, seed: int, kernels, *, input=None, weight=None, bias=None, region=None):
        """The recording; with ``region``, only that part of the output (of every depth slice,
        over three axes) and the same part of the input it copies, each value the whole layer's."""
        if region is None:
            return self.record(spec, seed, input=input, weight=weight, bias=bias)
        no_values(self.name, weight, bias, "a shuffle has no parameters")
        box = self._box(spec, region)
        x, cells = held_input(rng_of(seed), input, spec.input_shape, INPUT_RANGE, box)
        output = PartArray(spec.output_shape, (0, *(a for a, _ in box)), channel_shuffle(cells, spec.groups))
        return ShuffleRecording(spec, x, output)

    def part_numbers(self, spec, region: Region) -> int:
        """The input's cells read and the output they make."""
        return 2 * spec.in_channels * math.prod(b - a for a, b in self._box(spec, region))

    def _box(self, spec, region: Region) -> list[tuple[int, int]]:
        """The cells (start, stop) per axis after the channels that a part copies: the same in
        the input and the output (every depth, over three axes)."""
        return spans_of(region, spec.dims, spec.input_shape[1 : 1 + (spec.dims == 3)])

    def example(self) -> dict[str, Any]:
        return {"input_shape": (4, 2, 2), "groups": 2}

    def _formulas(self, spec) -> list[str]:
        c, g = spec.in_channels, spec.groups
        return [f"C_out = C = {c} (output channel j is input channel (j mod {g})·{c // g} + ⌊j/{g}⌋)"] + [
            f"{axis}_out = {n}" for axis, n in zip(AXES[spec.dims], spec.input_shape[1:])
        ]

    def name_parts(self, spec, **view) -> list[str]:
        return ["x".join(map(str, spec.input_shape)), f"g{spec.groups}"]

    def geometries(self, spec, region: Optional[Region] = None, **view) -> list[Geometry]:
        self.check_view(**view)
        if spec.dims == 3:
            from .resample_depth import shuffle_depth_geometries

            return shuffle_depth_geometries(self, spec, region)
        c, g = spec.in_channels, spec.groups
        if c > MAX_SHOWN_IN:
            raise SpecError("input_shape", too_many_channels(spec, MAX_SHOWN_IN))
        size = plane(spec)
        part = Region.of(region, size)
        notes = [f"{g} groups of {c // g}: output channel j copies input channel (j mod {g})·{c // g} + ⌊j/{g}⌋"]
        headings, picture_part = ("input", "output"), None
        if region is not None and region.cuts(size):
            headings = ("input, part", "output, part")
            crop = Crop(size, (part.rows[0], part.cols[0]))
            picture_part = Part(crop, crop)
            notes.append(part_note(spec.dims, part, size, part, size, "the input", "they copy"))
        return [
            Geometry(
                layer=spec,
                caption=spec.caption,
                dims=spec.dims,
                in_channels=c,
                out_channels=c,
                groups=c,
                grid=part.size,
                kernel=None,
                out_size=part.size,
                steps_per_column=c,
                input_heading=headings[0],
                output_heading=headings[1],
                part=picture_part,
                kernel_label=lambda i, j: "",
                blame=lambda axis: ("input_shape", spec.input_shape, "input"),
                notes=tuple(notes),
                numbers=True,
                columns_take_turns=False,
                output_groups=tuple(int(s) for s in spec.sources),  # y[j] in the hue of the x it copies
                lines_cross=True,
                step_text=f"output channel {c - 1} copies input channel {c - 1} · group {g - 1}, its channel "
                f"{c // g - 1} · step {c}/{c}",
                sum_chars=lambda chars, drawn: 40,
                value_chars=PIXEL_CHARS,
            )
        ]

    def drawings(self, spec, recording, pixels: bool = False, region=None, geometries=None, **view) -> list[Drawn]:
        if spec.dims == 3:
            from .resample_depth import shuffle_depth_drawings

            whole = geometries or self.geometries(spec, region, **view)
            return shuffle_depth_drawings(self, spec, recording, whole, pixels, region)
        (geometry,) = geometries or self.geometries(spec, region, **view)
        size = plane(spec)
        part = Region.of(region, size)
        c = spec.in_channels
        inside = (slice(None), slice(*part.rows), slice(*part.cols))
        x = as_planes(recording.input, (c, *size))[inside]
        return [
            Drawn(
                geometry=geometry,
                grid=x,
                filler=np.zeros(part.size, dtype=bool),
                kernels=None,
                output=as_planes(recording.output, (c, *size))[inside],
                playback=ChannelPlayback(spec, x, part),
                value_chars=widest(x),
                pixels=pixels,
            )
        ]

    def backward_geometries(self, spec, region: Optional[Region] = None, **view) -> list[Geometry]:
        """One picture: dy on the left, dx on the right, one dx channel a step, its line aslant
        from the dy channel it copies: the same move run backwards (a shuffle with C/g groups)."""
        from .backward import refuse_region

        refuse_region(region)
        if spec.dims == 3:
            from .backward_resample_depth import shuffle_backward_geometries

            self.check_view(**view)
            return shuffle_backward_geometries(self, spec)
        (forward,) = self.geometries(spec, **view)
        c, g = spec.in_channels, spec.groups
        notes = (
            f"backward, dx = ∂L/∂x: output channel j copied input channel (j mod {g})·{c // g} + ⌊j/{g}⌋, so dx of "
            f"that channel is dy[j]: the channels moved back, a shuffle with {c // g} groups",
        )
        return [
            dataclasses.replace(
                forward,
                input_heading="dy = ∂L/∂y",
                input_name="dy",
                output_heading="dx = ∂L/∂x",
                output_name="dx",
                output_label=lambda co: f"dx[{co}]",
                output_groups=tuple(int(j) for j in np.argsort(spec.sources)),  # dx[i] in the hue of the dy it copies
                notes=notes,
                longest_step=None,  # its own step line, not that of the picture it is made from
                step_text=f"dx[{c - 1}] copies dy[{c - 1}] · step {c}/{c}",
            )
        ]

    def backward_drawings(self, spec, recording, pixels: bool = False, geometries=None, **view) -> list[Drawn]:
        if spec.dims == 3:
            from .backward_resample_depth import shuffle_backward_drawings

            whole = geometries or self.backward_geometries(spec, **view)
            return shuffle_backward_drawings(self, spec, recording, whole)
        (geometry,) = geometries or self.backward_geometries(spec, **view)
        c, size = spec.in_channels, plane(spec)
        dy = np.asarray(recording.grad_output).reshape(c, *size)
        return [
            Drawn(
                geometry=geometry,
                grid=dy,
                filler=np.zeros(size, dtype=bool),
                kernels=None,
                output=np.asarray(recording.grad_input).reshape(c, *size),
                playback=ChannelGradPlayback(spec, dy),
                value_chars=widest(dy),
            )
        ]


PIXEL_SHUFFLE = PixelShuffling(PixelShuffleSpec, ("upscale_factor",), 2)
PIXEL_UNSHUFFLE = PixelShuffling(PixelUnshuffleSpec, ("downscale_factor",), 2)
CHANNEL_SHUFFLE = ChannelShuffling(ChannelShuffleSpec, ("groups",), 3)
PIXEL_SHUFFLE.backward_drawn = PIXEL_UNSHUFFLE.backward_drawn = CHANNEL_SHUFFLE.backward_drawn = True
