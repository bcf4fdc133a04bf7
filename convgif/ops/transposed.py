"""Transposed convolutions, ``torch.nn.ConvTranspose1d/2d/3d``: each input cell scatters the
kernel, times its value, into the output, where overlapping contributions add up.

Recorded as the equal direct convolution (over the zero-inserted, padded input with the
flipped kernels), on any number of axes. A ConvTranspose2d is drawn as its definition: one
input position per step, outputs starting at their bias and visibly adding up; or,
``as_conv``, as that direct convolution.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, Optional

import numpy as np

from ..engine.direct import Placements, Recording, pad_input, run_direct
from ..engine.part import PartArray
from ..engine.scatter import (
    by_output,
    canvas_size,
    flip_kernels,
    inserted_mask,
    scatter_gains,
    scatter_sums,
    zero_insert,
)
from ..engine.values import (
    BIAS_RANGE,
    INPUT_RANGE,
    WEIGHT_RANGE,
    common_type,
    drawn_or_given,
    example_rows,
    given,
    holds_fractions,
    no_bias,
    rng_of,
    row_chunks,
    skip_values,
)
from ..errors import SpecError, TooLargeError
from ..picture.model import Drawn, Geometry, Region, shown
from ..picture.numbers import magnitude, widest
from . import args
from .args import AXES, PADDING_MODES, TUPLE_WORDS, check_int64, conv_caption, fmt, to_tuple
from .base import Operation, dims_text
from .conv import CONV_SPECS, Channels, conv_backward_facts, conv_facts
from .scattering import (
    ScatterPlayback,
    TransposedRecording,
    as_conv_note,
    bias_start,
    canvas_region,
    cropped,
    partial_sum_range,
    scatter_extent,
    scatter_geometry,
    transposed_row,
    unreached,
)
from .sliding import conv_drawn, conv_geometry, draws_part, picture_read, reads_part


@dataclass(frozen=True)
class _ConvTransposeSpec(Channels):
    """A transposed convolution over ``DIMS`` spatial axes: the same rules on every axis.

    PyTorch's arguments, order and defaults (padding is zeros only). Each input cell scatters
    the kernel, times its value, into the output; ``padding`` trims that many cells off each
    side of the result and ``output_padding`` adds cells at the bottom/right, so that
    ``H_out = (H - 1)·stride - 2·padding + dilation·(kernel_size - 1) + output_padding + 1``.
    """

    input_shape: tuple[int, ...]
    out_channels: int = 1
    kernel_size: tuple[int, ...] = 3  # type: ignore[assignment]
    stride: tuple[int, ...] = 1  # type: ignore[assignment]
    padding: tuple[int, ...] = 0  # type: ignore[assignment]
    output_padding: tuple[int, ...] = 0  # type: ignore[assignment]
    groups: int = 1
    bias: bool = True
    dilation: tuple[int, ...] = 1  # type: ignore[assignment]
    padding_mode: str = "zeros"  # the only one PyTorch supports for it

    DIMS: ClassVar[int] = 2

    @property
    def numbers(self) -> int:
        """What recording holds as a convolution does, and what each input cell adds through each
        kernel cell of each output channel (the scatter's gains, held whole)."""
        gains = self.out_channels * math.prod(self.input_shape[1:]) * math.prod(self.kernel_size)
        return super().numbers + gains

    def __post_init__(self) -> None:
        check_int64(self)
        put = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        self._normalise_sizes(put)
        if self.padding_mode not in PADDING_MODES:
            raise SpecError(
                "padding_mode", f"padding_mode={self.padding_mode!r} must be one of {', '.join(PADDING_MODES)}"
            )
        if self.padding_mode != "zeros":
            raise SpecError(
                "padding_mode",
                f"padding_mode={self.padding_mode!r}: a transposed convolution supports only 'zeros', as in PyTorch",
            )
        for name in ("padding", "output_padding"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise SpecError(
                    name,
                    f"{name}={value!r} must be an integer or {TUPLE_WORDS[self.DIMS][2:]}: a transposed convolution "
                    "takes no 'same' or 'valid'",
                )
            amounts = to_tuple(name, value, self.DIMS, one=True)
            if min(amounts) < 0:
                raise SpecError(name, f"{name}={fmt(value)} must be non-negative")
            put(name, amounts)
        self._check_groups()
        if any(op >= max(s, d) for op, s, d in zip(self.output_padding, self.stride, self.dilation)):
            raise SpecError(
                "output_padding",
                f"output_padding={self.output_padding} must be smaller than the stride {self.stride} "
                f"or the dilation {self.dilation} on each axis",
            )
        if min(self.output_shape[1:]) < 1:
            raise SpecError(
                "padding",
                f"padding={self.padding} trims the {self.output_shape[1:]} output to nothing: it must "
                f"leave at least one cell of the {self._full_size} cells the kernels cover",
            )

    @property
    def padded_shape(self) -> tuple[int, ...]:
        """The input as drawn: a transposed convolution pads its output, not its input."""
        return self.input_shape

    @property
    def padding_end(self) -> tuple[int, ...]:
        """Cells trimmed off the bottom/right of the output: the same as the top/left."""
        return self.padding

    @property
    def padding_arg(self) -> tuple[int, ...]:
        return self.padding

    @cached_property
    def _full_size(self) -> tuple[int, ...]:
        """Extent of everything the scattered kernels cover, before padding trims it."""
        return tuple(
            (n - 1) * s + d * (k - 1) + 1
            for n, s, d, k in zip(self.input_shape[1:], self.stride, self.dilation, self.kernel_size)
        )

    @cached_property
    def output_shape(self) -> tuple[int, ...]:
        """(C_out, *sizes): ``(n - 1)·s - 2·p + d·(k - 1) + output_padding + 1`` per axis."""
        sizes = (f - 2 * p + op for f, p, op in zip(self._full_size, self.padding, self.output_padding))
        return (self.out_channels, *sizes)

    @cached_property
    def steps(self) -> int:
        """Animation steps: one per input position and output channel of a group."""
        return self.out_per_group * math.prod(self.input_shape[1:])

    @cached_property
    def macs(self) -> int:
        return math.prod(self.input_shape) * self.out_per_group * math.prod(self.kernel_size)

    @cached_property
    def caption(self) -> str:
        """The article's caption format; ``OP`` (output padding) follows when it is not zero."""
        more = [f"OP : {self.output_padding}"] if max(self.output_padding) else []
        return conv_caption(self, self.padding, *more)

    def as_conv(self) -> Any:
        """The equivalent direct convolution: over the input with ``stride - 1`` zeros inserted
        between cells and ``dilation·(k - 1) - padding`` added around (``output_padding`` more at
        the bottom/right), with the flipped kernel, stride 1 and the same dilation."""
        sizes = tuple(
            (n - 1) * s + 1 + 2 * (d * (k - 1) - p) + op
            for n, s, d, k, p, op in zip(
                self.input_shape[1:], self.stride, self.dilation, self.kernel_size, self.padding, self.output_padding
            )
        )
        return CONV_SPECS[self.DIMS](
            (self.in_channels, *sizes), self.out_channels, self.kernel_size, 1, 0, self.dilation, self.groups, self.bias
        )


@dataclass(frozen=True)
class ConvTranspose1dSpec(_ConvTransposeSpec):
    """One ``torch.nn.ConvTranspose1d`` layer applied to one sequence of shape (C, L) ((L,):
    C = 1): :class:`ConvTranspose2dSpec`'s rules on one axis; sizes are 1-tuples."""

    DIMS: ClassVar[int] = 1

    def as_transposed2d(self) -> ConvTranspose2dSpec:
        """The same layer as a ConvTranspose2d over a (C, 1, L) input: what a picture draws."""
        return ConvTranspose2dSpec(
            (self.in_channels, 1, self.input_shape[1]),
            self.out_channels,
            (1, self.kernel_size[0]),
            (1, self.stride[0]),
            (0, self.padding[0]),
            (0, self.output_padding[0]),
            self.groups,
            self.bias,
            (1, self.dilation[0]),
        )


@dataclass(frozen=True)
class ConvTranspose2dSpec(_ConvTransposeSpec):
    """One ``torch.nn.ConvTranspose2d`` layer applied to one input of shape (C, H, W) ((H, W):
    C = 1); after construction every size is an (h, w) pair."""

    DIMS: ClassVar[int] = 2


@dataclass(frozen=True)
class ConvTranspose3dSpec(_ConvTransposeSpec):
    """One ``torch.nn.ConvTranspose3d`` layer applied to one input of shape (C, D, H, W):
    :class:`ConvTranspose2dSpec`'s rules on three axes; sizes are (d, h, w) triples."""

    DIMS: ClassVar[int] = 3

    def depth_pairs(self, z: int) -> list[tuple[int, int]]:
        """The (input depth d, kernel depth tap dz) pairs with z = d·S − P + dz·D: what scatters
        into output depth slice ``z``, by d (see :mod:`convgif.ops.depth_transposed`)."""
        s, p, dil = self.stride[0], self.padding[0], self.dilation[0]
        taps = range(self.kernel_size[0])
        return [(d, dz) for d in range(self.input_shape[1]) for dz in taps if d * s - p + dz * dil == z]

    def flat(self, slices: int = 1) -> ConvTranspose2dSpec:
        """A ConvTranspose2d with the layer's height and width arguments over its input
        channels (``slices`` input slices each): the rows and columns every output depth
        slice's picture reads and writes."""
        _, _, h, w = self.input_shape
        return ConvTranspose2dSpec(
            (self.in_channels * slices, h, w),
            self.out_channels,
            self.kernel_size[1:],
            self.stride[1:],
            self.padding[1:],
            self.output_padding[1:],
            self.groups,
            self.bias,
            self.dilation[1:],
        )

    def plane(self, z: int) -> Optional[ConvTranspose2dSpec]:
        """The ConvTranspose2d output depth slice ``z`` is: over its (c, d) pairs, c-major, with
        the layer's height and width arguments; None for a slice holding only the bias."""
        pairs = self.depth_pairs(z)
        return self.flat(len(pairs)) if pairs else None


class TransposedConv(Operation):
    """ConvTranspose1d, 2d and 3d: the same rules on one, two or three axes; the 2-D layer is
    drawn (as its definition, or ``as_conv`` as the equal direct convolution)."""

    views = ("as_conv", "region", "view")
    view_names = ("matrix", "overlaps")  # y = Cᵀ·x; how many kernel taps land on each output cell
    torch_signature = (
        "in_channels",
        "out_channels",
        "kernel_size",
        "stride",
        "padding",
        "output_padding",
        "groups",
        "bias",
        "dilation",
        "padding_mode",
    )
    torch_fixed = ("padding_mode",)  # torch's transposed convolutions take 'zeros' only

    def __init__(self, spec_type: type, name: str, dims: int) -> None:
        self.spec_type = spec_type  # type: ignore[misc]
        self.name = name  # type: ignore[misc]
        self.dims = dims  # type: ignore[misc]

    def arguments_from_weight(self, shape: tuple[int, ...], input_channels: int, groups: Any = None) -> dict[str, Any]:
        """(C_in, C_out/G, *kernel): the groups cannot be told from the shape (default 1)."""
        if len(shape) != self.dims + 2:
            raise SpecError("layer", f"a weight of shape {shape} is not a {self.name}'s")
        if shape[0] != input_channels:
            raise SpecError(
                "input_shape",
                f"a weight of shape {shape}: a {self.name} with {shape[0]} input channels, not {input_channels}",
            )
        return {"out_channels": shape[1] * (groups or 1), "kernel_size": tuple(shape[2:])}

    def record(
        self, spec: Any, seed: int = 0, *, input: Any = None, weight: Any = None, bias: Any = None
    ) -> TransposedRecording:
        """A :class:`TransposedRecording`; ``weight`` in PyTorch's (C_in, C_out/G, *kernel) layout."""
        return self._record(spec, seed, input, weight, bias, None)

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
    ) -> TransposedRecording:
        """The recording with only the kernel columns drawn (every group's: a step adds up each
        group's products), the weight run through a few input channels at a time; a layer
        of fractions is recorded whole. With ``region``, of a 1-D or 2-D layer too large to
        record whole, only that part of the output and the input whose kernels reach it
        (:mod:`convgif.ops.transposed_part`), which is drawn as the scatter only."""
        if region is not None and spec.numbers > args.MAX_ELEMENTS:
            from .transposed_part import record_depth_part, record_transposed_part

            if self.dims == 3:  # one picture per output depth slice, each showing the same channels
                keep = sorted({int(co) for channels in kernels for co in channels})
                return record_depth_part(spec, seed, input, weight, bias, keep, region)
            return record_transposed_part(spec, seed, input, weight, bias, kernels[0], region)
        return self._record(spec, seed, input, weight, bias, kernels[0])

    def part_numbers(self, spec: Any, region: Region) -> int:
        from .transposed_part import depth_part_numbers, part_numbers

        return depth_part_numbers(spec, region) if self.dims == 3 else part_numbers(spec, region)

    def _record(
        self, spec: Any, seed: int, input: Any, weight: Any, bias: Any, keep: Optional[Collection[int]]
    ) -> TransposedRecording:
        rng = rng_of(seed)
        w_shape = self.weight_shape(spec)
        x = drawn_or_given(rng, "input", input, spec.input_shape, INPUT_RANGE)
        whole = keep is None or self.dims != 2 or x.dtype.kind == "f"
        if whole or holds_fractions(weight) or holds_fractions(bias):
            w = drawn_or_given(rng, "weight", weight, w_shape, WEIGHT_RANGE)
            b = drawn_or_given(rng, "bias", bias, (spec.out_channels,), BIAS_RANGE) if spec.bias else no_bias(bias)
            x, w, b = common_type(x, w, b)
            conv = run_direct(spec.as_conv(), zero_insert(spec, x), flip_kernels(spec, w), b)
            return TransposedRecording(spec, x, w, b, conv.output, conv)
        columns = tuple(sorted({int(co) % spec.out_per_group for co in keep}))
        if weight is None:
            chunks = example_rows(rng, w_shape, WEIGHT_RANGE)
        else:
            w = given("weight", weight, w_shape, None)
            skip_values(rng, w_shape, WEIGHT_RANGE)
            chunks = (w[start:stop] for start, stop in row_chunks(w_shape[0], math.prod(w_shape[1:])))
        kept, values, gains = scatter_gains(spec, x, chunks, columns)
        b = drawn_or_given(rng, "bias", bias, (spec.out_channels,), BIAS_RANGE) if spec.bias else no_bias(bias)
        canvas, passes = scatter_sums(spec, gains, bias_start(spec, b, np.int64))
        (p, q), (ho, wo) = spec.padding, spec.output_shape[1:]
        output = canvas[:, p : p + ho, q : q + wo].copy()
        direct, inserted = spec.as_conv(), zero_insert(spec, x)
        channels = tuple(g * spec.out_per_group + j for g in range(spec.groups) for j in columns)
        conv = Recording(
            direct,
            inserted,
            pad_input(direct, inserted),
            flip_kernels(spec, kept),
            b,
            output,
            Placements(direct, output),
            channels,
            values,
        )
        return TransposedRecording(spec, x, kept, b, output, conv, columns, passes, canvas)

    def weight_shape(self, spec: Any) -> tuple[int, ...]:
        return (spec.in_channels, spec.out_per_group, *spec.kernel_size)

    def planar(self, spec: Any) -> Any:
        """The ConvTranspose2d a picture draws: the layer itself, or a ConvTranspose1d as one row."""
        if self.dims == 3:
            zeros = tuple(s - 1 for s in spec.stride)
            start = tuple(d * (k - 1) - p for d, k, p in zip(spec.dilation, spec.kernel_size, spec.padding))
            end = tuple(a + o for a, o in zip(start, spec.output_padding))
            refusal = (
                f"{self.name} is drawn as its scatter, one output depth slice at a time, not as the equal "
                f"direct convolution (with as_conv: a Conv3d of stride 1 over the input with {zeros} zeros "
                f"inserted between its cells, padding {start} at the start of each axis and {end} at the end, "
                "each kernel flipped) nor as a matrix or overlap count; `convgif info` describes it, "
                "`convgif.record` records it"
            )
            raise SpecError("layer", refusal)
        return spec.as_transposed2d() if self.dims == 1 else spec

    def geometries(
        self,
        spec: Any,
        as_conv: bool = False,
        region: Optional[Region] = None,
        view: Optional[str] = None,
        **rest: Any,
    ) -> list[Geometry]:
        """The scatter (the layer's definition), ``as_conv`` the equal direct convolution, or
        with ``view="matrix"`` the layer as ``y = Cᵀ·x`` (:mod:`convgif.ops.matrix`)."""
        self.check_view(view=view, **rest)
        if (as_conv or view is not None) and self.dims < 3:
            self._check_whole(spec, "as_conv" if as_conv else "view")
        if view is not None and as_conv:
            raise SpecError("view", f"view={view!r} and as_conv are two ways of drawing {self.name}: choose one")
        if view == "matrix":
            from .matrix import transpose_geometry

            return [transpose_geometry(self.planar(spec), spec, self.dims, region)]
        if view == "overlaps":
            from .counts import overlaps_geometry

            return [overlaps_geometry(self.planar(spec), spec, self.dims, region)]
        if self.dims == 3 and not as_conv:
            from .depth_transposed import transposed_depth_geometries

            return transposed_depth_geometries(CONV_TRANSPOSE2D, spec, region)
        layer, spec = spec, self.planar(spec)
        label = lambda c, j: f"weight[{c},{j}]"  # noqa: E731  PyTorch's (C_in, C_out/G, KH, KW) weight
        if as_conv:
            direct = spec.as_conv()
            edges = [d * (k - 1) - p for d, k, p in zip(spec.dilation, spec.kernel_size, spec.padding)]
            state = [
                word
                for word, on in (
                    ("zero-inserted", max(spec.stride) > 1),
                    ("padded", max(edges) > 0 or max(spec.output_padding) > 0),
                    ("cropped", min(edges) < 0),
                )
                if on
            ]
            heading = f"input ({', '.join(state)})" if state else "input"
            return [
                conv_geometry(
                    direct,
                    layer.caption,
                    self.dims,
                    notes=(as_conv_note(layer),),
                    input_heading=heading + (", part" if region and reads_part(direct, region) else ""),
                    kernel_heading="kernels, flipped",
                    kernel_label=label,
                    region=region,
                )
            ]
        return [scatter_geometry(spec, region, label, layer.caption, self.dims)]

    def _check_whole(self, spec: Any, option: str) -> None:
        """Refuse ``option`` (as_conv, view) for a layer too large to compute whole: those
        pictures draw from the whole layer; the scatter draws a part from that part alone."""
        try:
            args.check_computable(spec)
        except TooLargeError as error:
            raise TooLargeError(
                error.argument,
                f"{error}; {option} draws from the whole layer: without it, a part is drawn from that part alone",
            ) from None

    def _refuse_views_of_part(self, recording: Any, as_conv: bool, view: Optional[str]) -> None:
        """A part recorded alone is drawn as the scatter: the other views draw from the whole."""
        if (as_conv or view) and isinstance(recording.output, PartArray):
            option = "as_conv" if as_conv else "view"
            raise SpecError(
                option,
                f"this {self.name} is too large to compute whole: its part is drawn as the scatter only "
                f"(without {option})",
            )

    def drawings(
        self,
        spec: Any,
        recording: Any,
        pixels: bool = False,
        as_conv: bool = False,
        region: Optional[Region] = None,
        geometries: Optional[list] = None,
        view: Optional[str] = None,
        **rest: Any,
    ) -> list[Drawn]:
        if self.dims == 3 and view is None and not as_conv:
            from .depth_transposed import transposed_depth_drawings

            found = geometries or self.geometries(spec, as_conv, region, view, **rest)
            return transposed_depth_drawings(CONV_TRANSPOSE2D, spec, recording, found, pixels, region)
        (geometry,) = geometries or self.geometries(spec, as_conv, region, view, **rest)
        self._refuse_views_of_part(recording, as_conv, view)
        if view == "matrix":
            from .matrix import transpose_drawn

            return [transpose_drawn(recording, self.planar(spec), geometry, pixels, region, self.dims)]
        if view == "overlaps":
            from .counts import overlaps_drawn

            return [overlaps_drawn(self.planar(spec), geometry, self.dims, region)]
        if self.dims == 1:
            spec, recording = self.planar(spec), transposed_row(recording, self.planar(spec))
        if as_conv:
            filler = zero_insert(spec, np.ones((1, *spec.input_shape[1:]), dtype=np.int64))[0] == 0
            conv = recording.conv
            return [conv_drawn(conv, geometry, pixels, filler=filler, region=region, inserted=inserted_mask(spec))]
        return [self._scatter_drawn(spec, recording, geometry, pixels, region)]

    def _scatter_drawn(
        self, spec: Any, recording: Any, geometry: Geometry, pixels: bool, region: Optional[Region]
    ) -> Drawn:
        """The scatter: each input cell's kernel-weighted copy added onto the canvas, which
        starts at the bias, its cells no input has reached yet drawn "to come"."""
        on = canvas_region(spec, region)
        read, part = scatter_extent(spec, on), draws_part(geometry, on, canvas_size(spec))
        if recording.canvas is not None:
            span, canvas = recording.span_of(on), recording.canvas
        else:
            playback = ScatterPlayback(recording, on, read)
            span = partial_sum_range(recording, on, read)
            for step in range(playback.steps):
                playback.advance(step)
            canvas = playback.sums
        weights = recording.conv.shade_values()
        picture = None
        if region is not None and pixels and recording.input.shape[0] in (1, 3):  # the whole picture, part outlined
            picture = picture_read(recording.input, (0, 0), read.rows, read.cols)
        grid = recording.input[:, slice(*read.rows), slice(*read.cols)]
        inside = (slice(None), slice(*on.rows), slice(*on.cols))
        output, start = canvas[inside], bias_start(spec, recording.bias, canvas.dtype, on)
        scale = magnitude(output, np.asarray(span))

        def chars() -> int:
            return max(
                widest(grid),
                widest(output, np.asarray(span), scale=scale),
                widest(recording.weight, scale=magnitude(weights)),
            )

        shown_in, columns, _ = shown(geometry)

        return Drawn(
            geometry=geometry,
            grid=grid,
            filler=np.zeros(grid.shape[1:], dtype=bool),
            kernels=by_output(spec, recording.weight),
            output=output,
            playback=ScatterPlayback(
                recording, on, read, self.dims, columns=len(columns), channels=len(shown_in), part=part
            ),
            start=start,
            start_empty=~unreached(spec, on),
            picture=picture,
            value_chars=chars,
            pixels=pixels,
            extra={"span": span},
            kernel_channels=recording.conv.kept,
            kernel_values=weights,
            cut=cropped(spec, on),
        )

    def gradients(self, spec: Any, recording: Any, grad_output: Any) -> Any:
        """dx (a direct convolution of dy), dw and db (see :mod:`convgif.engine.backward`)."""
        from ..engine.backward import transposed_grads

        return transposed_grads(spec, recording.input, recording.weight, grad_output)

    def backward_geometries(self, spec: Any, region: Optional[Region] = None, **view: Any) -> list[Geometry]:
        """dx, dw and db, each drawn as a direct convolution (see :mod:`convgif.ops.backward`)."""
        from .backward import refuse_region
        from .backward_conv import transposed_geometries

        self.check_view(**{k: v for k, v in view.items() if k != "as_conv"})
        refuse_region(region)
        if self.dims == 3:
            from .backward_depth import transposed3d_geometries

            return transposed3d_geometries(spec)
        blame = lambda axis: ("input_shape", spec.input_shape, "input")  # noqa: E731
        return transposed_geometries(self.planar(spec), blame, self.dims, spec.caption)

    def backward_drawings(
        self, spec: Any, recording: Any, pixels: bool = False, geometries: Any = None, **view: Any
    ) -> list[Drawn]:
        from .backward_conv import transposed_drawings

        geometries = geometries or self.backward_geometries(spec, **view)
        if self.dims == 3:
            from .backward_depth import transposed3d_drawings

            return transposed3d_drawings(spec, geometries, recording, pixels)
        forward, dy = recording.forward, recording.grad_output
        if self.dims == 1:  # drawn as its ConvTranspose2d over one row
            forward, dy = transposed_row(forward, self.planar(spec)), dy[:, None, :]
        return transposed_drawings(self.planar(spec), geometries, forward.input, forward.weight, dy)

    def name_parts(self, spec: Any, **view: Any) -> list[str]:
        parts = ["x".join(map(str, spec.input_shape)), f"out{spec.out_channels}", f"k{dims_text(spec.kernel_size)}"]
        for letter, sizes, neutral in (
            ("s", spec.stride, 1),
            ("p", spec.padding, 0),
            ("d", spec.dilation, 1),
            ("op", spec.output_padding, 0),
        ):
            if any(v != neutral for v in sizes):
                parts.append(f"{letter}{dims_text(sizes)}")
        if spec.groups != 1:
            parts.append(f"g{spec.groups}")
        if not spec.bias:
            parts.append("nobias")
        return parts

    def backward_facts(self, spec: Any) -> dict[str, Any]:
        return conv_backward_facts(spec, "x·w scattered", "the kernels, not turned, slide over dy with the stride")

    def facts(self, spec: Any) -> dict[str, Any]:
        formulas = []
        for i, axis in enumerate(AXES[self.dims]):
            n, k, s, d = spec.input_shape[1 + i], spec.kernel_size[i], spec.stride[i], spec.dilation[i]
            p, op = spec.padding[i], spec.output_padding[i]
            formulas.append(
                f"{axis}_out = ({n} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {op} + 1 = {spec.output_shape[1 + i]}"
            )
        kernel = " · ".join(map(str, spec.kernel_size))
        names = " · ".join(f"K{axis}" for axis in AXES[self.dims]) if self.dims > 1 else "K"
        weights = f"C_in · C_out/G · {names} = {spec.in_channels} · {spec.out_per_group} · {kernel}"
        facts = conv_facts(spec, self.name, formulas, math.prod(spec.input_shape[1:]), weights)
        facts["output_padding"] = list(spec.output_padding)
        if self.dims == 3:  # drawn a depth slice at a time: a slice no input depth reaches is one step
            planes = [spec.plane(z) for z in range(spec.output_shape[1])]
            facts["steps"] = sum(1 if planar is None else planar.steps for planar in planes)
            facts["steps_note"] = _depth_steps_note(spec, None in planes)
        from .matrix_facts import transpose_facts

        facts.update(transpose_facts(spec, self.dims < 3))
        return facts


def _depth_steps_note(spec: Any, unreached: bool) -> str:
    """What a step of a ConvTranspose3d's picture writes: one output depth slice at a time, one
    input (H, W) position of every input depth scattering into it, in one output channel of
    each group (every output channel, when a group has one); a slice no input depth reaches
    (``unreached``: one exists) is one step."""
    channels = "one output channel" if spec.groups == 1 else f"one output channel of each of {spec.groups} groups"
    if spec.groups > 1 and spec.out_per_group == 1:
        channels = "every output channel"
    note = (
        "drawn one output depth slice at a time: each step scatters one input position of the depths reaching "
        f"the slice into {channels}"
    )
    return note + ("; a slice no input depth reaches is one step" if unreached else "")


CONV_TRANSPOSE1D = TransposedConv(ConvTranspose1dSpec, "ConvTranspose1d", 1)
CONV_TRANSPOSE2D = TransposedConv(ConvTranspose2dSpec, "ConvTranspose2d", 2)
CONV_TRANSPOSE3D = TransposedConv(ConvTranspose3dSpec, "ConvTranspose3d", 3)
CONV_TRANSPOSE1D.backward_drawn = CONV_TRANSPOSE2D.backward_drawn = CONV_TRANSPOSE3D.backward_drawn = True
CONV_TRANSPOSE1D.draws_parts = CONV_TRANSPOSE2D.draws_parts = CONV_TRANSPOSE3D.draws_parts = True  # type: ignore[misc]
