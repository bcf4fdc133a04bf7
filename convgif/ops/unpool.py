"""Unpooling: ``torch.nn.MaxUnpool1d/2d/3d``, the inverse of a max pool that returned its indices.

* **Specs** (:class:`MaxUnpool1dSpec`, :class:`MaxUnpool2dSpec`, :class:`MaxUnpool3dSpec`):
  PyTorch's constructor arguments (``kernel_size, stride=None, padding=0``) and the
  ``output_size`` its forward takes, checked as torch checks them for one unbatched input.
* **Recording** (:func:`record_unpool`): each pooled value written at its index (a flat
  position in its channel's output plane) in an output of zeros. Without values and indices,
  both come from the max pool :meth:`~MaxUnpool2dSpec.pool_spec` over seeded random integers.
* **Picture** (:class:`Unpooling`): one input position a step, every channel at once, its value
  put back where its index names, with the pooling window it stands for; a MaxUnpool3d one
  input depth slice at a time, beside the output depth slices its windows cover
  (:mod:`convgif.ops.unpool_depth`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

import numpy as np

from ..engine.direct import LazySequence
from ..engine.part import PartArray
from ..engine.values import drawn_or_given, given_indices, rng_of
from ..engine.windows import PoolRecording, _same
from ..errors import SpecError
from ..picture.model import (
    Crop,
    Drawn,
    Geometry,
    Part,
    Region,
    part_note,
)
from . import args
from .args import AXES, check_int64
from .args import fmt as _fmt
from .args import shape as _shape
from .base import count_facts, dims_text, shape_facts
from .depth_steps import of_part
from .gathered import no_values
from .pool import _PAIR_WORDS, _SEP, INPUT_RANGE, MaxPool1dSpec, MaxPool2dSpec, MaxPool3dSpec, _Windowed, record_pool
from .pool_picture import PIXEL_CHARS, element_text
from .sliding import channels_cut, widest_text
from .unpool_depth_part import last_writers, scatter_part
from .unpool_part import check_unpool_part, drawn_extent, unpool_extent
from .unpool_picture import UnpoolPlayback, indices_note, unpool_longest


def unpool_sizes(name: str, value: object, dims: int, exact: bool, bools: bool) -> tuple[int, ...]:
    """A MaxUnpool's kernel_size, stride or padding as torch takes it: torch only computes the
    default output size with them, in Python, so an int or a sequence whose first ``dims``
    entries are ints will do, the rest unread (``exact``: exactly ``dims`` entries, where torch
    needs them all, as kernel_size, or passes them on to its C++ side, on three axes); True
    and False count as 1 and 0 where torch only adds and multiplies them (``bools``). A NumPy
    integer is refused, as torch refuses it: its output-size check is a Python comparison that
    a NumPy result fails."""

    def whole(v: object, position: int = 0) -> bool:
        return type(v) is int or (isinstance(v, bool) and (bools or position > 0))

    if any(isinstance(v, np.generic) for v in (value if isinstance(value, (tuple, list)) else (value,))[:dims]):
        raise SpecError(
            name,
            f"{name}={value!r} holds a NumPy integer: torch's MaxUnpool{dims}d refuses it (its output-size "
            "check fails on NumPy's result); give Python ints",
        )
    if whole(value):
        values = (int(value),) * dims  # type: ignore[call-overload]
    elif isinstance(value, (tuple, list)) and (len(value) == dims or (not exact and len(value) > dims)):
        if not all(whole(v, i) for i, v in enumerate(value[:dims])):
            raise SpecError(name, f"{name}={_fmt(value)} must hold integers")
        values = tuple(int(v) for v in value[:dims])
    else:
        more = "" if exact else f" (torch reads the first {dims} entries of a longer one)"
        raise SpecError(name, f"{name}={_fmt(value)} must be an integer or {_PAIR_WORDS[dims]} of integers{more}")
    return values


@dataclass(frozen=True)
class _MaxUnpoolSpec:
    input_shape: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...] | None = None
    padding: tuple[int, ...] = 0  # type: ignore[assignment]
    output_size: tuple[int, ...] | None = None
    stride_given: bool = field(init=False, repr=False, compare=False)

    DIMS: ClassVar[int]
    NAME: ClassVar[str]
    KIND: ClassVar[str] = "unpool"
    num_parameters: ClassVar[int] = 0

    def __post_init__(self) -> None:
        check_int64(self)
        put = lambda name, value: object.__setattr__(self, name, value)
        dims = self.DIMS
        put("input_shape", _shape(self.input_shape, dims))
        # torch checks none of these three: they only set the default output size
        stride = self.stride
        put("stride_given", stride is not None)
        put("kernel_size", unpool_sizes("kernel_size", self.kernel_size, dims, True, dims < 3 or stride is not None))
        put("stride", self.kernel_size if stride is None else unpool_sizes("stride", stride, dims, dims == 3, dims < 3))
        put("padding", unpool_sizes("padding", self.padding, dims, dims == 3, dims < 3))
        if dims == 3 and min(self.stride) < 1:  # MaxUnpool3d's C++ side checks its stride, 1-D and 2-D do not
            raise SpecError("stride", f"stride={self.stride} must be positive: MaxUnpool3d checks it")
        size = self.output_size
        if size is not None:
            if isinstance(size, (tuple, list)) and len(size) == dims + 2:
                size = tuple(size)[2:]  # torch drops a batch and a channel axis unread
            if not (isinstance(size, (tuple, list)) and len(size) == dims and all(type(v) is int for v in size)):
                raise SpecError(
                    "output_size",
                    f"output_size={_fmt(self.output_size)} must be None or {_PAIR_WORDS[dims]} of Python integers "
                    f"(or {dims + 2} entries, batch and channels first)",
                )
            size = tuple(int(v) for v in size)
            put("output_size", size)
            low = tuple(d - s for d, s in zip(self.default_size, self.stride))
            high = tuple(d + s for d, s in zip(self.default_size, self.stride))
            if any(not lo < o < hi for o, lo, hi in zip(size, low, high)):
                raise SpecError(
                    "output_size",
                    f"output_size={size} is out of range: on each axis it must lie strictly between the "
                    f"default size {self.default_size} minus the stride {self.stride} and the default size "
                    f"plus the stride, that is between {low} and {high}, both excluded",
                )
        sizes = self.output_shape[1:]
        if min(sizes) < 1:
            # torch refuses a negative size; with a zero one it returns an empty tensor
            rule = (
                "torch refuses a negative size"
                if min(sizes) < 0
                else "torch returns an empty tensor, and there is nothing to draw"
            )
            if size is not None:
                raise SpecError("output_size", f"output_size={size} has an axis of {min(sizes)} cells: {rule}")
            blamed = "padding" if max(self.padding) > 0 else "kernel_size"
            raise SpecError(
                blamed,
                f"kernel_size={self.kernel_size}, stride={self.stride} and padding={self.padding} give the "
                f"output size (H - 1)·stride - 2·padding + kernel_size = {sizes}: {rule}",
            )

    @property
    def in_channels(self) -> int:
        return self.input_shape[0]

    @property
    def numbers(self) -> int:
        """How many numbers recording the layer holds: the input, its indices and the output."""
        return math.prod(self.input_shape) * 2 + math.prod(self.output_shape)

    @property
    def out_channels(self) -> int:
        return self.input_shape[0]

    @cached_property
    def default_size(self) -> tuple[int, ...]:
        """Output size without ``output_size``: ``(H − 1)·stride − 2·padding + kernel_size``."""
        return tuple(
            (n - 1) * s - 2 * p + k
            for n, s, p, k in zip(self.input_shape[1:], self.stride, self.padding, self.kernel_size)
        )

    @cached_property
    def output_shape(self) -> tuple[int, ...]:
        """(C, *sizes): ``output_size`` when given, else :attr:`default_size`."""
        return (self.in_channels, *(self.output_size or self.default_size))

    @cached_property
    def steps(self) -> int:
        """Animation steps: one per input position, all channels advancing together."""
        return math.prod(self.input_shape[1:])

    @property
    def operations(self) -> tuple[str, int]:
        """(name, count) for ``convgif info``: one write per input element."""
        return "writes", math.prod(self.input_shape)

    @property
    def writes(self) -> int:
        return self.operations[1]

    @cached_property
    def caption(self) -> str:
        """The article's caption with the class's name, K, P and S; when an ``output_size`` that differs from the
        default size is given, it is said as what it is, an argument of the call, not of the
        constructor: `` — called with output_size=(7, 7)``."""
        parts = [
            f"Input Shape : {self.input_shape}",
            f"Output Shape : {self.output_shape}",
            self.NAME,
            f"K : {self.kernel_size}",
            f"P : {self.padding}",
            f"S : {self.stride}",
        ]
        if self.output_size is not None and self.output_size != self.default_size:
            parts.append(f"called with output_size={self.output_size}")
        return _SEP.join(parts)

    def replace(self, **changes: object):
        """A copy with some arguments changed, validated again."""
        args = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        if not self.stride_given:
            args["stride"] = None
        args.update(changes)
        return type(self)(**args)

    def pool_spec(self) -> MaxPool2dSpec | MaxPool1dSpec | None:
        """The max pool :func:`record_unpool` takes example values and indices from when none
        are given: the same kernel, stride and padding over a (C, *output size) input, with
        ``ceil_mode=False`` if that gives this layer's input shape, else ``ceil_mode=True`` if
        that does; None when neither does (or when MaxPool refuses the arguments)."""
        pool_class = {1: MaxPool1dSpec, 2: MaxPool2dSpec, 3: MaxPool3dSpec}[self.DIMS]
        for ceil_mode in (False, True):
            try:
                pool = pool_class(
                    self.output_shape,
                    self.kernel_size,
                    self.stride,
                    self.padding,
                    return_indices=True,
                    ceil_mode=ceil_mode,
                )
            except SpecError:
                continue
            if pool.output_shape == self.input_shape:
                return pool
        return None


@dataclass(frozen=True)
class MaxUnpool2dSpec(_MaxUnpoolSpec):
    """One ``torch.nn.MaxUnpool2d`` applied to one pooled input of shape (C, H, W).

    PyTorch's constructor arguments (``kernel_size, stride=None, padding=0``) plus the
    ``output_size`` its forward takes. Each input value is written at its index (a flat
    position ``y·W_out + x`` in its channel's output plane); every other output cell is 0.
    PyTorch checks none of kernel_size, stride and padding: they only give the default output
    size ``(H − 1)·stride − 2·padding + kernel_size``, and an ``output_size`` must lie strictly
    between that minus and plus the stride on each axis. convgif refuses an output with an
    empty axis, which torch returns without looking at the indices.
    """

    DIMS: ClassVar[int] = 2
    NAME: ClassVar[str] = "MaxUnpool2d"


@dataclass(frozen=True)
class MaxUnpool1dSpec(_MaxUnpoolSpec):
    """One ``torch.nn.MaxUnpool1d`` over one pooled sequence (C, L): :class:`MaxUnpool2dSpec`
    on one axis; ``output_size`` is a 1-tuple."""

    DIMS: ClassVar[int] = 1
    NAME: ClassVar[str] = "MaxUnpool1d"

    def as_2d(self) -> MaxUnpool2dSpec:
        """The same layer as a MaxUnpool2d over a (C, 1, L) input: equal output for equal indices."""
        size = None if self.output_size is None else (1, *self.output_size)
        return MaxUnpool2dSpec(
            (self.in_channels, 1, self.input_shape[1]),
            (1, *self.kernel_size),
            (1, *self.stride),
            (0, *self.padding),
            size,
        )


@dataclass(frozen=True)
class MaxUnpool3dSpec(_MaxUnpoolSpec):
    """One ``torch.nn.MaxUnpool3d`` over one pooled input (C, D, H, W): :class:`MaxUnpool2dSpec`
    on three axes; ``output_size`` is a (d, h, w) triple."""

    DIMS: ClassVar[int] = 3
    NAME: ClassVar[str] = "MaxUnpool3d"


UnpoolSpec = MaxUnpool1dSpec | MaxUnpool2dSpec | MaxUnpool3dSpec


@dataclass(frozen=True, eq=False)
class UnpoolPlacement:
    """One input position of an unpooling, for all channels at once.

    ``in_index`` is its position in the pooled input; ``values`` (C,) the values written,
    ``targets`` (C, DIMS) the output cells they go to (their indices, unflattened), ``kept``
    (C,) False where a later input value written to the same cell replaces this one, and
    ``window`` (K, DIMS) the output coordinates of the pooling window this position stands
    for (``in_index·stride − padding + j``, j < kernel_size; some may lie outside the output,
    in the pooling's padding).
    """

    in_index: tuple[int, ...]
    values: np.ndarray
    targets: np.ndarray
    kept: np.ndarray
    window: np.ndarray

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UnpoolPlacement):
            return NotImplemented
        return self.in_index == other.in_index and all(
            _same(getattr(self, name), getattr(other, name)) for name in ("values", "targets", "kept", "window")
        )

    __hash__ = None  # type: ignore[assignment]


class UnpoolPlacements(LazySequence[UnpoolPlacement]):
    """All input positions of an unpooling in input order (row by row), built when asked for."""

    def __init__(self, recording: UnpoolRecording) -> None:
        self._recording = recording
        self._sizes = recording.spec.input_shape[1:]

    def __len__(self) -> int:
        return math.prod(self._sizes)

    def _item(self, index: int) -> UnpoolPlacement:
        rec, spec = self._recording, self._recording.spec
        at = tuple(int(v) for v in np.unravel_index(index, self._sizes))
        pick = (slice(None), *at)
        targets = np.stack(np.unravel_index(rec.indices[pick], spec.output_shape[1:]), axis=1).astype(np.int64)
        axes = [i * s - p + np.arange(max(k, 0)) for i, s, p, k in zip(at, spec.stride, spec.padding, spec.kernel_size)]
        mesh = np.meshgrid(*axes, indexing="ij")
        window = np.stack([m.ravel() for m in mesh], axis=1).astype(np.int64)
        return UnpoolPlacement(at, rec.input[pick].copy(), targets, rec.kept[pick].copy(), window)


@dataclass(frozen=True, eq=False)
class UnpoolRecording:
    """The forward pass of a MaxUnpool spec.

    * ``input`` (C, *n): the pooled values, int64 or float64.
    * ``indices`` (C, *n) int64: flat positions in each channel's output plane.
    * ``output`` (C, *o): zeros of the input's dtype, each input value at its index. Where
      several input values share an index the last in input order (row by row) stays, as torch
      gives on one thread (on several threads torch's choice varies from run to run). Indices
      that come from a max pool never disagree: a shared index holds one cell's value.
    * ``kept`` (C, *n) bool: False for a value replaced by a later one at the same index.
    * ``pool``: the :class:`PoolRecording` of the max pool the example input and indices were
      taken from (see :meth:`MaxUnpool2dSpec.pool_spec`), or None when they were given.
    * ``placements``: one :class:`UnpoolPlacement` per input position, built lazily.
    """

    spec: UnpoolSpec
    input: np.ndarray
    indices: np.ndarray
    output: np.ndarray
    kept: np.ndarray
    pool: PoolRecording | None
    placements: UnpoolPlacements = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_int64(self)
        object.__setattr__(self, "placements", UnpoolPlacements(self))


def example_pool(spec: UnpoolSpec, input: np.ndarray | None) -> MaxPool1dSpec | MaxPool2dSpec | MaxPool3dSpec:
    """The max pool whose output and indices are the example of ``spec`` (no indices given):
    refused when an input is given without them, or when no max pool gives this layer's input."""
    if input is not None:
        raise SpecError("indices", "give the indices with the input: where each pooled value goes")
    pool_spec = spec.pool_spec()
    if pool_spec is None:
        raise SpecError(
            "indices",
            f"no MaxPool{spec.DIMS}d with kernel_size={spec.kernel_size}, stride={spec.stride} and "
            f"padding={spec.padding} turns a {spec.output_shape} input into {spec.input_shape}, "
            "so there is no example to take: give input and indices",
        )
    return pool_spec


def record_unpool(spec: UnpoolSpec, seed: int, input: np.ndarray | None, indices: np.ndarray | None) -> UnpoolRecording:
    pool = None
    if indices is None:
        pool = record_pool(example_pool(spec, input), seed)
        x, idx = pool.output, pool.indices
    else:
        idx = given_indices("indices", indices, spec.input_shape, spec.output_shape[1:])
        x = drawn_or_given(rng_of(seed), "input", input, spec.input_shape, INPUT_RANGE)
    kept = last_writers(idx)  # the last writer of each target wins, found without numpy's assignment order
    output = scatter_part(x, idx, kept, spec.output_shape[1:], [(0, n) for n in spec.output_shape[1:]])
    return UnpoolRecording(spec, x, idx, output, kept, pool)


class Unpooling(_Windowed):
    """MaxUnpool over one, two or three axes: each pooled value goes back to the position its index
    names, in an output of zeros."""

    def _record(self, spec, seed: int, input, indices):
        return record_unpool(spec, seed, input, indices)

    def record_drawn(self, spec, seed, kernels, *, input=None, weight=None, bias=None, indices=None, region=None):
        """The recording; with ``region``, only that part: of a 1-D or 2-D layer too large to
        record whole, over its example values (:mod:`convgif.ops.unpool_part`); over three
        axes, of every depth slice (:mod:`convgif.ops.unpool_depth_part`)."""
        whole = {"input": input, "weight": weight, "bias": bias, "indices": indices}
        if region is None or not self.draws_parts:
            return self.record(spec, seed, **whole)
        if self.dims < 3:
            too_large = spec.numbers > args.MAX_ELEMENTS and spec.pool_spec() is not None  # else refused as a whole
            if input is not None or indices is not None or not too_large:
                return self.record(spec, seed, **whole)
            no_values(self.name, weight, bias, "pooling has no parameters")
            from .unpool_part import record_unpool_part

            return UnpoolRecording(spec, *record_unpool_part(spec, seed, region), None)
        if weight is not None or bias is not None:  # refused as a recording refuses them
            return self.record(spec, seed, weight=weight, bias=bias)
        from . import unpool_depth_part as parts

        read, around, box = parts.part_boxes(spec, region, unpool_extent)
        if indices is None:
            x, idx, kept = parts.example_part(example_pool(spec, input), seed, read, around, INPUT_RANGE)
        else:
            x, idx, kept = parts.given_part(spec, seed, input, indices, region, read, check_unpool_part, INPUT_RANGE)
        return UnpoolRecording(spec, x, idx, parts.output_part(x, idx, kept, spec.output_shape, box), kept, None)

    def part_numbers(self, spec, region: Region) -> int:
        if self.dims < 3:
            from .unpool_part import part_numbers

            return part_numbers(spec, region)
        from .unpool_depth_part import part_boxes, part_numbers

        read, around, box = part_boxes(spec, region, unpool_extent)
        return part_numbers(spec.in_channels, read, around, spec.pool_spec() or spec, box)

    def geometries(self, spec, region: Region | None = None, **view) -> list[Geometry]:
        self.check_view(**view)
        if self.dims == 3:
            from .unpool_depth import unpool_depth_geometries

            return unpool_depth_geometries(spec, drawn_extent, region)
        flat = spec.as_2d() if self.dims == 1 else spec
        c = flat.in_channels
        _, h, w = flat.input_shape
        _, ho, wo = flat.output_shape
        notes = ["each value goes back to the position its index names; every other cell stays 0"]
        notes += [note for note in [indices_note(spec)] if note]
        grid, out_size, headings, part = flat.input_shape[1:], flat.output_shape[1:], ("input", "output"), None
        read = Region.of(drawn_extent(flat, region) if region is not None else None, (h, w))  # the cells stepped
        if region is not None:
            grid, out_size = read.size, region.size
            headings = tuple(  # "part" only where cut
                word + (", part" if cut else "")
                for word, cut in (("input", read.cuts((h, w))), ("output", region.cuts((ho, wo))))
            )
            part = Part(Crop((h, w), (read.rows[0], read.cols[0])), Crop((ho, wo), (region.rows[0], region.cols[0])))
            notes.append(part_note(self.dims, region, (ho, wo), read, (h, w), "the input", "whose windows reach them"))
        return [
            Geometry(
                layer=flat,
                caption=spec.caption,
                dims=self.dims,
                in_channels=c,
                out_channels=c,
                groups=c,
                grid=grid,
                kernel=None,
                out_size=out_size,
                steps_per_column=math.prod(grid),
                input_heading=headings[0],
                output_heading=headings[1],
                part=part,
                kernel_label=lambda i, j: "",
                blame=lambda axis: ("input_shape", spec.input_shape, "input"),
                notes=tuple(notes),
                numbers=True,
                longest_step=of_part(unpool_longest(self.dims, read), read.size != (h, w)),  # as the playback counts
                sum_chars=lambda chars, drawn: (  # a channel's entry
                    2 * len(element_text(self.dims, "y", c - 1, ho - 1, wo - 1)) + 2 * chars + 47
                ),
                sum_each_group=True,
                value_chars=max(PIXEL_CHARS, len(str(ho * wo - 1))),  # values and their indices
            )
        ]

    def drawings(
        self, spec, recording, pixels: bool = False, region: Region | None = None, geometries=None, **view
    ) -> list[Drawn]:
        if self.dims == 3:
            from .unpool_depth import unpool_depth_drawings

            whole = geometries or self.geometries(spec, region, **view)
            return unpool_depth_drawings(spec, recording, whole, (unpool_extent, check_unpool_part), pixels, region)
        (geometry,) = geometries or self.geometries(spec, region, **view)
        flat = spec.as_2d() if self.dims == 1 else spec
        x = _as_drawn(recording.input, flat.input_shape)
        idx = _as_drawn(recording.indices, flat.input_shape)
        output = _as_drawn(recording.output, flat.output_shape)
        part = Region.of(region, flat.output_shape[1:])
        read = unpool_extent(flat, part) if region is not None else Region.of(None, x.shape[1:])
        if region is not None and not isinstance(idx, PartArray):  # a part's writers are all read
            check_unpool_part(flat, idx, part, read)
        inside = (slice(None), slice(*read.rows), slice(*read.cols))
        shown = output[:, slice(*part.rows), slice(*part.cols)]
        return [
            Drawn(
                geometry=geometry,
                grid=x[inside],
                filler=np.zeros(read.size, dtype=bool),
                kernels=None,
                output=shown,
                playback=UnpoolPlayback(x, idx, output, self.dims, part, read, channels_cut(geometry)),
                start=np.zeros_like(shown),
                value_chars=widest_text(x[inside], shown, idx[inside]),
                pixels=pixels,
            )
        ]

    def links(self, spec, recording):
        """Where the gradient comes from: each input cell's from the output cell its index names."""
        from ..engine.backward import Links

        c, area = spec.in_channels, math.prod(spec.output_shape[1:])
        plane = math.prod(spec.input_shape[1:])
        channel = np.arange(c).reshape(c, *(1,) * self.dims)
        cells = (channel * plane + np.arange(plane).reshape(spec.input_shape[1:])).ravel()
        outs = (channel * area + recording.indices).ravel()
        order = np.argsort(outs, kind="stable")
        return Links(outs[order], cells[order])

    def gradients(self, spec, recording, grad_output):
        from ..engine.backward import Gradients

        return Gradients(self.links(spec, recording).grad(grad_output, recording.input.shape))

    def backward_geometries(self, spec, region: Region | None = None, **view) -> list[Geometry]:
        """One picture: each input cell's gradient taken from dy where its index sent its value."""
        from .backward import refuse_region
        from .backward_moves import gather_geometry

        self.check_view(**view)
        refuse_region(region)
        if self.dims == 3:
            from .unpool_depth import unpool_depth_backward_geometries

            return unpool_depth_backward_geometries(spec)
        flat = spec.as_2d() if self.dims == 1 else spec
        note = (
            "backward, dx = ∂L/∂x: each input cell's gradient is dy where its index put its value "
            "(the cells no index names send theirs nowhere)"
        )
        blame = lambda axis: ("input_shape", spec.input_shape, "input")  # noqa: E731
        c = flat.in_channels
        geometry = gather_geometry(
            flat,
            spec.caption,
            self.dims,
            c,
            c,
            flat.output_shape[1:],
            flat.input_shape[1:],
            blame,
            "dy",
            "dx",
            (note,),
            terms=1,
        )
        return [geometry]

    def backward_drawings(self, spec, recording, pixels: bool = False, geometries=None, **view) -> list[Drawn]:
        from .backward_moves import gather_drawn, gather_sources

        rec = recording.forward
        if self.dims == 3:
            from .unpool_depth import unpool_depth_backward_drawings

            whole = geometries or self.backward_geometries(spec, **view)
            return unpool_depth_backward_drawings(spec, recording, self.links(spec, rec), whole)
        (geometry,) = geometries or self.backward_geometries(spec, **view)
        flat = spec.as_2d() if self.dims == 1 else spec
        dy = recording.grad_output.reshape(flat.output_shape)
        dx = recording.grad_input.reshape(flat.input_shape)
        indices = rec.indices.reshape(flat.input_shape)
        plane = flat.input_shape[1] * flat.input_shape[2]

        def reason(c: int, i: int) -> str:
            return f" (index {int(indices[c].flat[i])})"

        sources = gather_sources(self.links(spec, rec), rec.input.shape)
        return [gather_drawn(geometry, dy, dx, lambda c, i: sources(c, i), reason=reason if plane else None)]

    def name_parts(self, spec, **view) -> list[str]:
        parts = ["x".join(map(str, spec.input_shape)), f"k{dims_text(spec.kernel_size)}"]
        if spec.stride != spec.kernel_size:
            parts.append(f"s{dims_text(spec.stride)}")
        if max(spec.padding):
            parts.append(f"p{dims_text(spec.padding)}")
        if spec.output_size is not None:
            parts.append("to" + "x".join(map(str, spec.output_shape[1:])))
        return parts

    def facts(self, spec) -> dict:
        formulas = []
        for i, axis in enumerate(AXES[self.dims]):
            n, k, s, p = spec.input_shape[1 + i], spec.kernel_size[i], spec.stride[i], spec.padding[i]
            line = f"{axis}_out = ({n} − 1)·{s} − 2·{p} + {k} = {spec.default_size[i]}"
            if spec.output_shape[1 + i] != spec.default_size[i]:
                line += f"; output_size gives {spec.output_shape[1 + i]}"
            formulas.append(line)
        return {
            **shape_facts(self.name, spec),
            "num_parameters": 0,
            # a MaxUnpool3d's steps too: one picture per input depth slice, a step per input position
            **count_facts(math.prod(spec.input_shape[1:]), spec.input_shape[0], spec.steps),
            "output_size_formulas": formulas,
            "parameter_formulas": ["none: unpooling has no weights and no bias"],
            "writes": spec.writes,
        }


def _as_drawn(array, shape: tuple[int, ...]):
    """An array of a recording as the 2-D layer drawn takes it (a 1-D one's over one row)."""
    if isinstance(array, PartArray):
        return array if array.shape == shape else array[:, None, :]
    return array.reshape(shape)


MAX_UNPOOL1D = Unpooling(MaxUnpool1dSpec)
MAX_UNPOOL2D = Unpooling(MaxUnpool2dSpec)
MAX_UNPOOL3D = Unpooling(MaxUnpool3dSpec)
for _op in (MAX_UNPOOL1D, MAX_UNPOOL2D, MAX_UNPOOL3D):
    _op.backward_drawn = _op.draws_parts = True  # type: ignore[misc]
    _op.torch_signature = ("kernel_size", "stride", "padding")  # type: ignore[misc]
