"""Adaptive pooling: ``torch.nn.AdaptiveAvgPool1d/2d/3d`` and ``AdaptiveMaxPool1d/2d/3d``.

The layer is given the output's size, not a kernel: on an axis of ``n`` input cells and ``o``
output cells, output ``i`` covers the cells from ⌊i·n/o⌋ up to (not including) ⌈(i + 1)·n/o⌉,
so windows may differ in size by one and neighbours may share cells. An average divides each
window's sum by its size on each axis in turn (PyTorch's ``sum / kh / kw``), except that where
every output size is 1 PyTorch takes the mean of the whole input (``sum / (H·W)``). A max keeps
the first largest cell in window order, with its flat index in the channel's input plane.

* **Specs**: ``input_shape`` then PyTorch's arguments, ``output_size`` (an int, or one size per
  axis, ``None`` meaning the input's size on that axis) and, for a max, ``return_indices``.
  What torch refuses raises :class:`~convgif.errors.SpecError` naming the argument; an output
  with an empty axis, which torch returns as an empty tensor, is refused as nothing to draw.
* **Recording**: :func:`record_adaptive`, a :class:`~convgif.engine.spans.SpanRecording`.
* **Picture** (:class:`Spans`, shared with fractional max pooling): one output position a step,
  every channel at once, its window ringed whatever its size, each mean or max written out with
  the cells it takes and what it divides by.

Where every window on each axis has the same size ``k`` and the windows step by the same ``s``,
the layer has the windows of the fixed pool with kernel ``k`` and stride ``s``
(:meth:`equal_pool`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, Optional

import numpy as np

from ..engine.spans import SpanRecording, adaptive_ends, adaptive_starts, record_spans
from ..engine.values import drawn_or_given, rng_of
from ..errors import SpecError, TooLargeError
from ..picture.model import (
    Crop,
    Drawn,
    Geometry,
    Part,
    Region,
    part_note,
)
from ..picture.sizes import WHOLE_SUM_TERMS
from .adaptive_picture import SpanPlayback, longest_window, sum_chars
from .args import AXES, caption_line, fmt, int_entry, is_int
from .args import shape as _shape
from .base import count_facts
from .depth_steps import of_part
from .pool import INPUT_RANGE, _Windowed
from .pool_picture import PIXEL_CHARS, element_text
from .sliding import draws_part, position, widest_text

_WORDS = {1: "an int or a 1-tuple (l,)", 2: "an int or a pair (h, w)", 3: "an int or a triple (d, h, w)"}


def truthy(name: str, value: object) -> bool:
    """``return_indices``: torch asks only whether it is true (``2.0`` and ``"yes"`` are)."""
    try:
        return bool(value)
    except (TypeError, ValueError):
        raise SpecError(name, f"{name}={value!r} must be True or False: it has no truth value") from None


def output_sizes(name: str, value: object, dims: int, none_allowed: bool = True) -> tuple[Optional[int], ...]:
    """``output_size`` as torch's adaptive pooling takes it: one int, or one entry per axis,
    each an int (not a bool) or, on two or three axes, None. A NumPy integer on its own is
    taken only by the one-axis layers (torch asks the others for its length)."""
    if isinstance(value, (tuple, list)):
        if len(value) != dims:
            raise SpecError(name, f"{name}={fmt(value)} must be {_WORDS[dims]}: it has {len(value)} entries")
        entries = tuple(value)
    elif is_int(value) and (dims == 1 or isinstance(value, int)):
        entries = (value,) * dims
    else:
        kind = type(value).__name__
        raise SpecError(name, f"{name}={value!r} must be {_WORDS[dims]}, not a {kind}")
    sizes: list[Optional[int]] = []
    for at, entry in enumerate(entries):
        if entry is None and none_allowed and dims > 1:
            sizes.append(None)
        elif is_int(entry) or (isinstance(value, (tuple, list)) and int_entry(entry, at)):
            if int(entry) < 0:
                raise SpecError(name, f"{name}={fmt(value)} must not be negative")
            sizes.append(int(entry))
        else:
            extra = " or None (the input's size)" if none_allowed and dims > 1 else ""
            raise SpecError(name, f"{name}={fmt(value)} holds {entry!r}: each entry must be an int{extra}")
    return tuple(sizes)


def nothing_to_draw(name: str, value: object, shape: tuple[int, ...]) -> SpecError:
    return SpecError(
        name,
        f"{name}={fmt(value)} gives the output shape {shape}, with no cell: torch returns an empty tensor, "
        "and there is nothing to draw",
    )


def axis_windows(starts: np.ndarray, ends: np.ndarray, most: int = 8) -> str:
    """``0–2, 2–4, 4–6`` (ends included), the first ``most`` of them."""
    shown = [f"{int(a)}–{int(b) - 1}" if b - a > 1 else f"{int(a)}" for a, b in zip(starts[:most], ends[:most])]
    return ", ".join(shown) + (", …" if len(starts) > most else "")


def shared_cells(starts: np.ndarray, ends: np.ndarray) -> list[int]:
    """The cells two neighbouring windows both cover."""
    return sorted({cell for a, b in zip(starts[1:], ends[:-1]) for cell in range(int(a), int(b))})


@dataclass(frozen=True)
class _AdaptiveSpec:
    input_shape: tuple[int, ...]
    output_size: Any

    DIMS: ClassVar[int]
    KIND: ClassVar[str]
    NAME: ClassVar[str]
    num_parameters: ClassVar[int] = 0

    def __post_init__(self) -> None:
        put = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        put("input_shape", _shape(self.input_shape, self.DIMS))
        put("output_size", output_sizes("output_size", self.output_size, self.DIMS))
        if hasattr(self, "return_indices"):
            put("return_indices", truthy("return_indices", self.return_indices))
        if min(self.output_shape[1:]) < 1:
            raise nothing_to_draw("output_size", self.output_size, self.output_shape)

    @property
    def in_channels(self) -> int:
        return self.input_shape[0]

    @property
    def out_channels(self) -> int:
        return self.input_shape[0]

    @cached_property
    def output_shape(self) -> tuple[int, ...]:
        """(C, *sizes): ``output_size``, the input's size where it says None."""
        sizes = (n if o is None else o for n, o in zip(self.input_shape[1:], self.output_size))
        return (self.in_channels, *sizes)

    @cached_property
    def starts(self) -> tuple[np.ndarray, ...]:
        """Per axis, where each output's window starts: ⌊i·n/o⌋."""
        return tuple(adaptive_starts(n, o) for n, o in zip(self.input_shape[1:], self.output_shape[1:]))

    @cached_property
    def ends(self) -> tuple[np.ndarray, ...]:
        """Per axis, where each output's window ends (excluded): ⌈(i + 1)·n/o⌉."""
        return tuple(adaptive_ends(n, o) for n, o in zip(self.input_shape[1:], self.output_shape[1:]))

    @cached_property
    def kernel_size(self) -> tuple[int, ...]:
        """The largest window on each axis."""
        return tuple(int((e - s).max()) for s, e in zip(self.starts, self.ends))

    @property
    def mean_of_all(self) -> bool:
        """Whether PyTorch computes the layer as the mean of the whole input (every output size
        1, an average)."""
        return self.KIND == "avg" and max(self.output_shape[1:]) == 1

    @property
    def steps(self) -> int:
        return math.prod(self.output_shape[1:])

    @property
    def numbers(self) -> int:
        """Numbers a recording holds: the input, the output, and every window's cells (each
        window as long as the longest on each axis) while it computes."""
        return math.prod(self.input_shape) + math.prod(self.output_shape) * (1 + math.prod(self.kernel_size))

    @cached_property
    def window_cells(self) -> int:
        """Cells of all windows together (a cell counted once per window it is in)."""
        return math.prod(int((e - s).sum()) for s, e in zip(self.starts, self.ends))

    @property
    def operations(self) -> tuple[str, int]:
        """(name, count) for ``convgif info``: one comparison or addition fewer than the cells
        each window reads (every window reads some), in every channel."""
        windows = math.prod(self.output_shape[1:])
        return ("comparisons" if self.KIND == "max" else "additions"), self.in_channels * (self.window_cells - windows)

    @cached_property
    def caption(self) -> str:
        shown = self.output_size[0] if len(set(self.output_size)) == 1 and self.DIMS > 1 else self.output_size
        more = ["return_indices=True"] if getattr(self, "return_indices", False) else []
        return caption_line(self.input_shape, self.output_shape, self.NAME, f"output_size : {shown}", *more)

    def equal_pool(self) -> Optional[tuple[tuple[int, ...], tuple[int, ...]]]:
        """(kernel_size, stride) of the fixed pool with exactly these windows, if there is one:
        on every axis all windows the same size, one stride apart."""
        kernel, stride = [], []
        for s, e in zip(self.starts, self.ends):
            sizes, steps = set((e - s).tolist()), set(np.diff(s).tolist())
            if len(sizes) != 1 or len(steps) > 1 or 0 in steps:  # a window repeated is no stride
                return None
            k = sizes.pop()
            kernel.append(k)
            stride.append(steps.pop() if steps else k)
        return tuple(kernel), tuple(stride)

    def equal_pool_text(self) -> Optional[str]:
        found = self.equal_pool()
        if found is None:
            return None
        kind = "MaxPool" if self.KIND == "max" else "AvgPool"
        kernel, stride = (k[0] if self.DIMS == 1 else k for k in found)
        return f"{kind}{self.DIMS}d(kernel_size={kernel}, stride={stride})"

    @property
    def equal_pool_exact(self) -> bool:
        """Whether the fixed pool's values are torch's bit for bit: always for a max; for an
        average only when both divide the same sum once (one axis wider than a cell, and no
        mean of the whole input, which torch adds in its own order)."""
        if self.KIND == "max":
            return True
        kernel, _ = self.equal_pool() or ((), ())
        return not self.mean_of_all and sum(k > 1 for k in kernel) <= 1

    def replace(self, **changes: object):
        args = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        args.update(changes)
        return type(self)(**args)


@dataclass(frozen=True)
class _AdaptiveMax(_AdaptiveSpec):
    input_shape: tuple[int, ...]
    output_size: Any
    return_indices: bool = False

    KIND: ClassVar[str] = "max"


@dataclass(frozen=True)
class AdaptiveAvgPool1dSpec(_AdaptiveSpec):
    """One ``torch.nn.AdaptiveAvgPool1d`` over (C, L): ``output_size`` an int or a 1-tuple."""

    DIMS: ClassVar[int] = 1
    KIND: ClassVar[str] = "avg"
    NAME: ClassVar[str] = "AdaptiveAvgPool1d"

    def as_2d(self) -> AdaptiveAvgPool2dSpec:
        """The same layer over a (C, 1, L) input, as torch computes it."""
        return AdaptiveAvgPool2dSpec((self.in_channels, 1, self.input_shape[1]), (1, self.output_shape[1]))


@dataclass(frozen=True)
class AdaptiveAvgPool2dSpec(_AdaptiveSpec):
    """One ``torch.nn.AdaptiveAvgPool2d`` over (C, H, W): ``output_size`` an int or (h, w), an
    entry None keeping the input's size on that axis."""

    DIMS: ClassVar[int] = 2
    KIND: ClassVar[str] = "avg"
    NAME: ClassVar[str] = "AdaptiveAvgPool2d"


@dataclass(frozen=True)
class AdaptiveAvgPool3dSpec(_AdaptiveSpec):
    """One ``torch.nn.AdaptiveAvgPool3d`` over (C, D, H, W)."""

    DIMS: ClassVar[int] = 3
    KIND: ClassVar[str] = "avg"
    NAME: ClassVar[str] = "AdaptiveAvgPool3d"


@dataclass(frozen=True)
class AdaptiveMaxPool1dSpec(_AdaptiveMax):
    """One ``torch.nn.AdaptiveMaxPool1d`` over (C, L)."""

    DIMS: ClassVar[int] = 1
    NAME: ClassVar[str] = "AdaptiveMaxPool1d"

    def as_2d(self) -> AdaptiveMaxPool2dSpec:
        return AdaptiveMaxPool2dSpec((self.in_channels, 1, self.input_shape[1]), (1, self.output_shape[1]), True)


@dataclass(frozen=True)
class AdaptiveMaxPool2dSpec(_AdaptiveMax):
    """One ``torch.nn.AdaptiveMaxPool2d`` over (C, H, W); ``return_indices`` shows the indices
    beside the output (the recording always has them)."""

    DIMS: ClassVar[int] = 2
    NAME: ClassVar[str] = "AdaptiveMaxPool2d"


@dataclass(frozen=True)
class AdaptiveMaxPool3dSpec(_AdaptiveMax):
    """One ``torch.nn.AdaptiveMaxPool3d`` over (C, D, H, W)."""

    DIMS: ClassVar[int] = 3
    NAME: ClassVar[str] = "AdaptiveMaxPool3d"


def record_adaptive(spec: Any, seed: int = 0, input: object = None) -> SpanRecording:
    """Run an adaptive pooling forward: the input random integers in 0..9 from ``seed``, or the
    array given (checked by the rule every given value follows)."""
    x = drawn_or_given(rng_of(seed), "input", input, spec.input_shape, INPUT_RANGE)
    starts = tuple(s[None, :] for s in spec.starts)
    sizes = tuple(e - s for s, e in zip(spec.starts, spec.ends))
    return record_spans(spec, spec.KIND, x, starts, sizes, spec.mean_of_all)


def recording_as_2d(recording: SpanRecording) -> SpanRecording:
    """A one-axis recording as its two-axis form over one row (drawn that way)."""
    if recording.input.ndim == 3:
        return recording
    row = (np.zeros((1, 1), dtype=np.int64), np.ones(1, dtype=np.int64))
    return dataclasses.replace(
        recording,
        input=recording.input[:, None, :],
        output=recording.output[:, None, :],
        starts=(row[0], recording.starts[0]),
        sizes=(row[1], recording.sizes[0]),
        indices=None if recording.indices is None else recording.indices[:, None, :],
        winners=None
        if recording.winners is None
        else np.concatenate([np.zeros_like(recording.winners), recording.winners], axis=-1)[:, None, :, :],
        sums=None if recording.sums is None else recording.sums[:, None, :],
        samples=None,
    )


# -- the picture --------------------------------------------------------------------------------


class Spans(_Windowed):
    """Windows placed one output at a time rather than by a stride: adaptive pooling (and, with
    windows of its own per channel, fractional max pooling). One output position a step, every
    channel at once."""

    def example(self) -> dict[str, Any]:
        return {"input_shape": (2, *(6,) * self.dims), "output_size": 3}

    def _record(self, spec, seed: int, input, indices):
        if indices is not None:
            raise SpecError("indices", f"{spec.NAME} takes no indices: only an unpooling does")
        return record_adaptive(spec, seed, input)

    def _flat(self, spec):
        return spec.as_2d() if self.dims == 1 else spec

    def record_drawn(self, spec, seed, kernels, *, input=None, weight=None, bias=None, region=None):
        """The recording; with ``region``, of a kind that draws parts, only that part of the
        output and the input its windows cover (:mod:`convgif.ops.adaptive_part`)."""
        if region is None or not self.draws_parts:
            return self.record(spec, seed, input=input, weight=weight, bias=bias)
        from .adaptive_part import record_adaptive_part

        for name, value in (("weight", weight), ("bias", bias)):
            if value is not None:
                raise SpecError(name, f"{self.name} has no {name}: pooling has no parameters")
        return record_adaptive_part(spec, seed, input, region, INPUT_RANGE)

    def part_numbers(self, spec, region: Region) -> int:
        from .adaptive_part import part_numbers

        return part_numbers(spec, region)

    def depth_plane(self, spec, slices: int) -> tuple[Spans, Any]:
        """(op, spec) of the 2-D layer an output depth slice of a 3-D one is drawn as: over its
        ``slices`` (channel, depth) input slices, with the layer's height and width windows."""
        shape, size = (slices, *spec.input_shape[2:]), spec.output_shape[2:]
        if spec.KIND == "max":
            return Spans(AdaptiveMaxPool2dSpec), AdaptiveMaxPool2dSpec(shape, size, spec.return_indices)
        return Spans(AdaptiveAvgPool2dSpec), AdaptiveAvgPool2dSpec(shape, size)

    def depth_starts(self, spec) -> Optional[np.ndarray]:
        """Per channel, where each output depth's window starts, when it differs by channel and
        is known before recording (None: adaptive windows, the same for every channel)."""
        return None

    def extent(self, flat, region: Region) -> Region:
        """The input rows and columns the output ``region`` reads."""
        (r0, r1), (c0, c1) = region.rows, region.cols
        rows = (int(flat.starts[0][r0]), int(flat.ends[0][r1 - 1]))
        cols = (int(flat.starts[1][c0]), int(flat.ends[1][c1 - 1]))
        return Region(rows, cols)

    def notes(self, spec) -> list[str]:
        words = {1: ("positions",), 2: ("rows", "columns"), 3: ("depths", "rows", "columns")}[self.dims]
        axes = list(zip(words, spec.starts, spec.ends))
        windows = "; ".join(f"{word} {axis_windows(s, e)}" for word, s, e in axes)
        notes = [f"windows ⌊i·n/o⌋ to ⌈(i+1)·n/o⌉−1 (n = input size, o = output size): {windows}"]
        shared = [(word, shared_cells(s, e)) for word, s, e in axes]
        if any(cells for _, cells in shared):
            named = [(word if len(cells) > 1 else word[:-1], cells) for word, cells in shared if cells]  # row 2
            listed = " and ".join(f"{word} {', '.join(map(str, cells[:8]))}" for word, cells in named)
            one = len(named) == 1 and len(named[0][1]) == 1
            notes.append(f"windows overlap: {listed} {'lies' if one else 'lie'} in two windows")
        if spec.KIND == "avg" and spec.mean_of_all:
            notes.append(f"y = the mean of all {math.prod(spec.input_shape[1:])} cells (torch's shortcut)")
        elif spec.KIND == "avg":
            notes.append("y = the window's sum / its own cell count")
        else:
            notes.append("y = the largest value of the window")
        equal = spec.equal_pool_text()
        if equal:
            notes.append(f"the same windows as {equal}")
        return notes

    def geometries(self, spec, region: Region | None = None, **view) -> list[Geometry]:
        self.check_view(**view)
        if self.dims == 3:
            from .spans_depth import span_depth_geometries

            return span_depth_geometries(self, spec, region)
        flat = self._flat(spec)
        c = flat.in_channels
        indices = bool(getattr(spec, "return_indices", False))
        _, h, w = flat.input_shape
        _, ho, wo = flat.output_shape
        notes = self.notes(spec)
        grid, out_size, headings, part = (h, w), (ho, wo), ("input", "output"), None
        if region is not None and region.size != (ho, wo):
            read = self.extent(flat, region)
            grid, out_size = read.size, region.size
            headings = ("input" + (", part" if read.cuts((h, w)) else ""), "output, part")  # "part" where cut
            part = Part(Crop((h, w), (read.rows[0], read.cols[0])), Crop((ho, wo), (region.rows[0], region.cols[0])))
            notes.append(part_note(self.dims, region, (ho, wo), read, (h, w), "the input", "they read"))
        index_chars = len(str(h * w))
        y_last = len(element_text(self.dims, "y", c - 1, ho - 1, wo - 1))
        chars = sum_chars(spec.KIND, y_last, math.prod(flat.kernel_size), index_chars)
        return [
            Geometry(
                layer=flat,
                caption=spec.caption,
                dims=self.dims,
                in_channels=c,
                out_channels=c * (2 if indices else 1),
                groups=c,
                grid=grid,
                kernel=None,
                out_size=out_size,
                steps_per_column=math.prod(out_size),
                input_heading=headings[0],
                output_heading=headings[1],
                part=part,
                kernel_label=lambda i, j: "",
                blame=lambda axis: ("input_shape", spec.input_shape, "input"),
                notes=tuple(notes),
                output_label=(lambda co: f"indices[{co // 2}]" if co % 2 else f"y[{co // 2}]")
                if indices
                else (lambda co: f"y[{co}]"),
                outputs_word="output grids (y and indices)" if indices else None,  # two a channel, as MaxPool's
                numbers=True,
                columns_take_turns=False,
                steps_every_channel=True,
                longest_step=of_part(
                    longest_window(self, flat, Region.of(region, (ho, wo))), part is not None
                ),  # draws_part's
                sum_chars=chars,
                sum_each_group=math.prod(flat.kernel_size) <= WHOLE_SUM_TERMS,
                value_chars=max(4 if spec.KIND == "avg" else PIXEL_CHARS, index_chars if indices else 1),
            )
        ]

    def refusal_of(self, error: SpecError, spec: Any = None) -> SpecError:
        """A layer not even one output cell of which the chooser could draw, refused naming
        ``output_size`` (which sets how large the windows are; an adaptive layer has no
        ``kernel_size``). Fractional max pooling, which has one, keeps the general refusal."""
        window = isinstance(error, TooLargeError) and error.argument in ("kernel_size", "input_shape")
        if not window or not hasattr(spec, "equal_pool"):
            return error
        largest = "×".join(map(str, spec.kernel_size))
        return TooLargeError(
            "output_size",
            f"output_size={fmt(spec.output_size)} gives windows of up to {largest} input cells, too many to draw: "
            f"even one output cell and the input cells it reads need {error.needs}; a larger output_size gives "
            "smaller windows (`convgif info` describes the layer without drawing it)",
            error.needs,
            error.values,
        )

    def step_text(
        self, flat, oy: int, ox: int, step: int, steps: int, cells: Optional[np.ndarray] = None, part: bool = False
    ) -> str:
        """Where the window is: ``window rows 2–4 × columns 0–2 (3×3) for (1, 0) · step 4/9``
        (``cells``: the window's cells, where the spec alone does not place it; ``part``: the
        steps counted are those of a part of the output)."""
        counted = f"step {step + 1}/{steps}{' of this part' if part else ''}"
        if cells is not None and len(cells):
            (r0, c0), (r1, c1) = cells.min(axis=0), cells.max(axis=0) + 1
        else:
            (r0, r1), (c0, c1) = ((int(s[i]), int(e[i])) for s, e, i in zip(flat.starts, flat.ends, (oy, ox)))
        if self.dims == 1:
            return f"window {c0}–{c1 - 1} ({c1 - c0} cells) for {position(1, oy, ox)} · {counted}"
        return (
            f"window rows {r0}–{r1 - 1} × columns {c0}–{c1 - 1} ({r1 - r0}×{c1 - c0}) for {position(2, oy, ox)}"
            f" · {counted}"
        )

    def drawn_recording(self, spec, recording):
        return recording_as_2d(recording)

    def drawings(
        self, spec, recording, pixels: bool = False, region: Region | None = None, geometries=None, **view
    ) -> list[Drawn]:
        if self.dims == 3:
            from .spans_depth import span_depth_drawings

            geometries = geometries or self.geometries(spec, region, **view)
            return span_depth_drawings(self, spec, recording, geometries, pixels, region)
        (geometry,) = geometries or self.geometries(spec, region, **view)
        flat = self._flat(spec)
        rec = self.drawn_recording(spec, recording)
        part = Region.of(region, flat.output_shape[1:])
        read = self.extent(flat, part) if region is not None else Region.of(None, flat.input_shape[1:])
        grid = rec.input[:, slice(*read.rows), slice(*read.cols)]
        output = rec.output[:, slice(*part.rows), slice(*part.cols)]
        indices = bool(getattr(spec, "return_indices", False))
        shown_indices = rec.indices[:, slice(*part.rows), slice(*part.cols)] if indices else None
        c = flat.in_channels
        return [
            Drawn(
                geometry=geometry,
                grid=grid,
                filler=np.zeros(grid.shape[1:], dtype=bool),
                kernels=None,
                output=output,
                playback=SpanPlayback(
                    self, flat, rec, indices, part, read, draws_part(geometry, part, flat.output_shape[1:])
                ),
                value_chars=widest_text(grid, output, shown_indices),
                pixels=pixels,
                plain=tuple(range(1, 2 * c, 2)) if indices else (),
            )
        ]

    def links(self, spec, recording):
        """Where the gradient goes back: a max's to the cell its index names, an average's to
        every cell of its window over the window's size on each axis in turn (as torch divides),
        or, for torch's mean of the whole input, over the input's cell count."""
        from ..engine.backward import max_links, window_links

        if recording.kind == "max":
            return max_links(recording.indices, recording.input.shape)
        taps, sizes = [], []
        for starts, size in zip(recording.starts, recording.sizes):
            longest = max(int(size.max(initial=0)), 1)
            tap = starts[0][:, None] + np.arange(longest)[None, :]
            taps.append(np.where(np.arange(longest)[None, :] < size[:, None], tap, -1))
            sizes.append(size)
        if spec.KIND == "avg" and spec.mean_of_all:
            divisors = np.full([len(s) for s in sizes], math.prod(recording.input.shape[1:]))
        else:
            divisors = np.stack(np.meshgrid(*sizes, indexing="ij"), axis=-1)
        return window_links(taps, (0,) * len(taps), recording.input.shape, divisors)

    def gradients(self, spec, recording, grad_output):
        from ..engine.backward import Gradients

        return Gradients(self.links(spec, recording).grad(grad_output, recording.input.shape))

    def backward_geometries(self, spec, region: Region | None = None, **view) -> list[Geometry]:
        """One picture: each window's dy routed back onto the input (an average's beside dy alone)."""
        from .backward import refuse_region
        from .backward_moves import share_geometry, window_geometry

        refuse_region(region)
        forward = self.geometries(spec, **view)
        if spec.KIND == "max":
            note = (
                "backward, dx = ∂L/∂x: each window's dy goes to its largest cell, ringed in ink (of equal ones the "
                "first, as torch); cells in several windows add up"
            )
        else:
            note = (
                "backward, dx = ∂L/∂x: each window's dy is shared by its cells, divided by its cell count; cells in "
                "several windows add up"
            )
        if self.dims == 3:
            from .backward_pool_depth import depth_backward_geometries, span_slices

            slices = span_slices(spec, self.backward_depth_starts(spec))
            notes = (note, forward[0].notes[0])
            return depth_backward_geometries(forward, slices, spec.input_shape, notes, routed=spec.KIND == "max")
        if spec.KIND == "avg":  # dy and dx alone: an average's gradient takes none of x's values
            return [share_geometry(forward[0], (note, *forward[0].notes[:1]))]
        return [window_geometry(forward[0], (note, *forward[0].notes[:1]))]

    def backward_depth_starts(self, spec) -> Optional[np.ndarray]:
        """(1 or C, D_out): where each output depth's windows start on the depth axis, as far as
        the spec tells (None: not before recording)."""
        return np.asarray(spec.starts[0])[None]

    def backward_drawings(self, spec, recording, pixels: bool = False, geometries=None, **view) -> list[Drawn]:
        from .backward_moves import share_drawn, window_drawn

        rec = recording.forward
        if self.dims == 3:
            from .backward_pool_depth import depth_backward_drawings, span_reason, span_slices

            geometries = geometries or self.backward_geometries(spec, **view)
            forward = self.drawings(spec, rec, pixels, **view)
            links, dy = self.links(spec, rec), recording.grad_output
            slices = span_slices(spec, rec.starts[0])
            reason = span_reason(rec) if spec.KIND == "max" else None
            return depth_backward_drawings(geometries, forward, slices, links, dy, rec.input.shape, reason)
        (geometry,) = geometries or self.backward_geometries(spec, **view)
        links, dy = self.links(spec, rec), recording.grad_output
        if spec.KIND == "avg":
            return [share_drawn(geometry, links, dy, rec.input.shape)]
        (forward,) = self.drawings(spec, rec, pixels, **view)
        return [window_drawn(geometry, forward, links, dy, rec.input.shape)]

    def name_parts(self, spec, **view) -> list[str]:
        parts = ["x".join(map(str, spec.input_shape)), "o" + "x".join(map(str, spec.output_shape[1:]))]
        if getattr(spec, "return_indices", False):
            parts.append("indices")
        return parts

    def facts(self, spec) -> dict:
        formulas, windows = [], {}
        for i, axis in enumerate(AXES[self.dims]):
            n, o, given = spec.input_shape[1 + i], spec.output_shape[1 + i], spec.output_size[i]
            source = f"output_size[{i}] = {o}" if given is not None else f"output_size[{i}] is None: the input's {n}"
            formulas.append(f"{axis}_out = {source}")
            starts, ends = spec.starts[i], spec.ends[i]
            windows[axis] = [[int(a), int(b)] for a, b in zip(starts, ends)]
            sizes = sorted(set((ends - starts).tolist()))
            shared = shared_cells(starts, ends)
            overlap = f", overlapping at {', '.join(map(str, shared[:8]))}" if shared else ""
            formulas.append(
                f"{axis} windows: ⌊i·{n}/{o}⌋ to ⌈(i+1)·{n}/{o}⌉: {axis_windows(starts, ends)} "
                f"({' or '.join(map(str, sizes))} cells{overlap})"
            )
        equal = spec.equal_pool_text()
        if equal is not None:
            if spec.equal_pool_exact:
                formulas.append(f"equals {equal}: the same windows and values")
            else:
                formulas.append(
                    f"the same windows and divisors as {equal}; torch "
                    + (
                        "takes the mean of the whole input"
                        if spec.mean_of_all
                        else "divides by each axis's size in turn"
                    )
                    + ", so fractions may differ from it in the last bit"
                )
        if spec.KIND == "avg":
            formulas.append(
                "each output = its window's sum / (its cell count)"
                if not spec.mean_of_all
                else f"every output size is 1: torch takes the mean, sum / {math.prod(spec.input_shape[1:])}"
            )
        name, count = spec.operations
        facts = {
            "kind": self.name,
            "caption": spec.caption,
            "input_shape": list(spec.input_shape),
            "output_shape": list(spec.output_shape),
            "output_size": list(spec.output_size),
            "windows": windows,
            "num_parameters": 0,
            **count_facts(spec.steps, spec.input_shape[0], spec.steps),
            "output_size_formulas": formulas,
            "parameter_formulas": ["none: pooling has no weights and no bias"],
            name: count,
            "equal_pool": None if equal is None else {"layer": equal, "exact": spec.equal_pool_exact},
        }
        if spec.KIND == "max":
            facts["return_indices"] = bool(spec.return_indices)
        return facts


def _with_signature(op: Spans, names: tuple[str, ...]) -> Spans:
    op.torch_signature = names  # type: ignore[misc]
    return op


ADAPTIVE_AVG_POOL1D = _with_signature(Spans(AdaptiveAvgPool1dSpec), ("output_size",))
ADAPTIVE_AVG_POOL2D = _with_signature(Spans(AdaptiveAvgPool2dSpec), ("output_size",))
ADAPTIVE_AVG_POOL3D = _with_signature(Spans(AdaptiveAvgPool3dSpec), ("output_size",))
ADAPTIVE_MAX_POOL1D = _with_signature(Spans(AdaptiveMaxPool1dSpec), ("output_size", "return_indices"))
ADAPTIVE_MAX_POOL2D = _with_signature(Spans(AdaptiveMaxPool2dSpec), ("output_size", "return_indices"))
ADAPTIVE_MAX_POOL3D = _with_signature(Spans(AdaptiveMaxPool3dSpec), ("output_size", "return_indices"))
for _op in (
    ADAPTIVE_AVG_POOL1D,
    ADAPTIVE_AVG_POOL2D,
    ADAPTIVE_AVG_POOL3D,
    ADAPTIVE_MAX_POOL1D,
    ADAPTIVE_MAX_POOL2D,
    ADAPTIVE_MAX_POOL3D,
):
    _op.draws_parts = True  # type: ignore[misc]
for _op in (ADAPTIVE_AVG_POOL1D, ADAPTIVE_AVG_POOL2D, ADAPTIVE_AVG_POOL3D):
    _op.backward_drawn = True
for _op in (ADAPTIVE_MAX_POOL1D, ADAPTIVE_MAX_POOL2D, ADAPTIVE_MAX_POOL3D):
    _op.backward_drawn = True
for _op in (ADAPTIVE_MAX_POOL1D, ADAPTIVE_MAX_POOL2D, ADAPTIVE_MAX_POOL3D):
    _op.torch_shown = ("output_size",)  # type: ignore[misc]
