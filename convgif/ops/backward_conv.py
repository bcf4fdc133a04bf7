"""A convolution's backward pass drawn as the direct convolutions it is: dx (the kernels turned
180° over the zero-inserted, padded dy), dw (dy as the kernels over the input), db (the sums of
dy); a transposed convolution's, and the gradient of a padding that copies cells folded back.
See :mod:`convgif.ops.backward`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, Optional

import numpy as np

from ..engine.backward import Gradients, spread, spread_kinds
from ..engine.direct import ConvSpec, padding_mask, run_direct, source_index
from ..picture.model import MAX_SHOWN_IN, Drawn, Geometry, LazyReads, Reads, Step, Writes, shown
from ..picture.numbers import format_value, magnitude, widest
from .backward import PLAIN, Names, grids_text, pair_text, words
from .backward_moves import NAMED_TERMS, gather_drawn, gather_geometry
from .sliding import COPIES_NAMES, ConvPlayback, conv_drawn, conv_geometry, drawn_whole, position

# -- convolutions -------------------------------------------------------------------------------


def _dx_layout(spec: ConvSpec) -> tuple[ConvSpec, tuple[int, ...], tuple[int, ...]]:
    """The direct convolution a convolution's input gradient is: over ``dy`` with ``stride − 1``
    zeros inserted and ``dilation·(k − 1) − padding`` around (the remainder a stride leaves at
    the end too), the kernels turned around, stride 1. Its output is dx, or, where the padding
    copies cells, the gradient of the padded input. Returns the spec and the amounts added
    before and after on each axis (negative: cropped)."""
    before, after = [], []
    for a in range(2):
        edge = spec.dilation[a] * (spec.kernel_size[a] - 1)
        rest = (spec.padded_shape[1 + a] - spec.receptive_field[a]) % spec.stride[a]
        crop = spec.padding_mode == "zeros"
        before.append(edge - (spec.padding[a] if crop else 0))
        after.append(edge + rest - (spec.padding_end[a] if crop else 0))
    sizes = tuple((o - 1) * s + 1 + b + e for o, s, b, e in zip(spec.output_shape[1:], spec.stride, before, after))
    direct = spec.convolution(
        (spec.out_channels, *sizes), spec.in_channels, spec.kernel_size, dilation=spec.dilation, groups=spec.groups
    )
    return direct, tuple(before), tuple(after)


def _dw_spec(spec: ConvSpec) -> ConvSpec:
    """The direct convolution a convolution's weight gradient is: over the padded input cells
    the windows read, with each ``dy`` channel as the kernels (its cells ``stride`` apart,
    moving ``dilation`` at a time), one input channel a group."""
    read = tuple((o - 1) * s + r for o, s, r in zip(spec.output_shape[1:], spec.stride, spec.receptive_field))
    return spec.convolution(
        (spec.in_channels, *read),
        spec.in_channels * spec.out_per_group,
        spec.output_shape[1:],
        stride=spec.dilation,
        dilation=spec.stride,
        groups=spec.in_channels,
    )


def _db_spec(spec: Any) -> ConvSpec:
    """What the bias gradient reads, as a spec to check its size: every ``dy`` cell of a channel."""
    return spec.convolution(spec.output_shape, spec.out_channels, spec.output_shape[1:], groups=spec.out_channels)


def flipped_by_input(spec: ConvSpec, weight: np.ndarray) -> np.ndarray:
    """(C_out, C_in/G, KH, KW) kernels as the input gradient's direct convolution takes them:
    (C_in, C_out/G, KH, KW), channels swapped within each group, each kernel turned 180°."""
    g, cog, cig = spec.groups, spec.out_per_group, spec.in_per_group
    per = weight.reshape(g, cog, cig, *weight.shape[2:]).transpose(0, 2, 1, 3, 4)
    return per.reshape(g * cig, cog, *weight.shape[2:])[:, :, ::-1, ::-1].copy()


def _dx_words(
    spec: ConvSpec, dims: int, names: Names, before: tuple[int, ...], after: tuple[int, ...]
) -> tuple[str, tuple[str, str]]:
    """The heading of dx's input (dy zero-inserted, padded or cropped) and the two notes that
    say how the turned kernels slide over it."""
    d = names.d
    folds = spec.padding_mode != "zeros"
    kernel = spec.kernel_size[2 - dims :]
    zeros = [s - 1 for s in spec.stride[2 - dims :]]
    heading = words(
        ("zero-inserted", max(zeros) > 0), ("padded", max(before + after) > 0), ("cropped", min(before + after) < 0)
    )
    first, last = pair_text(before[2 - dims :]), pair_text(after[2 - dims :])
    edge = f"dilation·(k − 1){'' if folds else ' − padding'}"
    plural = "zero" if first == "1" else "zeros"
    around = (
        f"{edge} = {first} {plural} around" if before == after else f"{edge} = {first} {plural} before, {last} after"
    )
    if min(before + after) < 0:
        around += " (negative: cells cropped)"
    if max(map(abs, before + after)) == 0:
        around = f"{edge} = 0: none around" if max(kernel) > 1 or max(spec.padding) > 0 else ""
    inserted = (
        f"{pair_text(zeros)} zero{'s' if max(zeros) != 1 else ''} inserted between its cells, " if max(zeros) else ""
    )
    slides = f"with {inserted}{around}".rstrip(", ") if inserted or around else "as it is"
    grad = d(names.x) + ("p" if folds else "")
    what = f"{grad} = ∂L/∂(padded {names.x})" if folds else f"{grad} = ∂L/∂{names.x}"
    notes = (
        f"backward, {what}: each cell's gradient gathers {d(names.y)}·{names.w} from the outputs it fed",
        f"the kernels turned 180° slide over {d(names.y)} {slides}, stride 1",
    )
    return heading, notes


def _longest_step(spec: ConvSpec, dims: int) -> Callable[[Geometry], str]:
    """The longest step line a gradient's picture of ``spec`` writes (see :class:`_Steps`), as
    finally drawn: its last step's, at the last position, where the last kernel column shown
    writes the grids of the highest indices in the groups drawn and not drawn."""
    _, ho, wo = spec.output_shape

    def line(geometry: Geometry) -> str:
        shown_in, columns, _ = shown(geometry)
        groups = sorted({c // spec.in_per_group for c in shown_in})
        steps = len(columns) * ho * wo
        heads = grids_text(geometry, groups, columns[-1])
        return f"{heads} · {position(dims, ho - 1, wo - 1)} · step {steps}/{steps}"

    return line


def conv_geometries(
    spec: ConvSpec,
    caption: str,
    dims: int,
    blame: Callable[[int], tuple[str, object, str]],
    names: Names = PLAIN,
    bias: bool = True,
) -> list[Geometry]:
    """The pictures of a direct convolution's backward pass (``spec`` as drawn: a Conv1d's as
    its one-row Conv2d): dx (and, for a padding that copies cells, their gradients folded back),
    dw, and db when the layer has a bias."""
    d = names.d
    direct, before, after = _dx_layout(spec)
    folds = spec.padding_mode != "zeros"
    stride, dilation, kernel = spec.stride[2 - dims :], spec.dilation[2 - dims :], spec.kernel_size[2 - dims :]
    heading, notes = _dx_words(spec, dims, names, before, after)
    grad = d(names.x) + ("p" if folds else "")
    what = f"{grad} = ∂L/∂(padded {names.x})" if folds else f"{grad} = ∂L/∂{names.x}"
    label = lambda c, j: f"{names.w}[{c},{j}]"  # noqa: E731  the forward's (C_out, C_in/G, …) weight
    dx = conv_geometry(
        direct,
        caption,
        dims,
        notes,
        input_name=d(names.y),
        input_heading=f"{d(names.y)} ({heading})" if heading else d(names.y),
        kernel_heading=f"kernels {names.w}, turned 180°",
        kernel_label=label,
        kernel_name=names.w,
        output_label=lambda c: f"{grad}[{c}]",
        output_heading=what,
        output_name=grad,
        blame=blame,
        longest_step=_longest_step(direct, dims),
    )
    pictures = [dx]
    if folds:
        pictures.append(fold_geometry(spec, caption, dims, blame, grad, d(names.x)))
    dw_spec = _dw_spec(spec)
    cig, cog = spec.in_per_group, spec.out_per_group
    weight = f"{d(names.w)}[{spec.out_channels - 1}, {cig - 1}, {', '.join(str(k - 1) for k in kernel)}]"
    dw_label = lambda o: f"{d(names.w)}[{o % cog + o // cog // cig * cog},{o // cog % cig}]"  # noqa: E731
    dw = conv_geometry(
        dw_spec,
        caption,
        dims,
        (
            f"backward, {d(names.w)} = ∂L/∂{names.w}: each weight's gradient sums {names.x}·{d(names.y)} over every "
            f"placement of its kernel",
            f"{d(names.y)} slides over {names.x} as the kernels, its cells {pair_text(stride)} apart (the stride), "
            f"moving {pair_text(dilation)} at a time (the dilation)",
        ),
        input_name=names.x,
        grid=spec.padded_shape[1:],  # all of it, as the forward pass draws it: the cells no window reads marked
        input_heading=f"{names.x} (padded)" if spec.padded_shape != spec.input_shape else names.x,
        kernel_heading=f"{d(names.y)}, as kernels",
        kernel_label=lambda c, j: f"{d(names.y)}[{c // cig * cog + j}]",
        kernel_name=d(names.y),
        kernels_are_values=True,
        output_label=dw_label,
        output_heading=f"{d(names.w)} = ∂L/∂{names.w}",
        output_name=d(names.w),
        outputs_word=f"{d(names.w)} kernels",
        blame=blame,
        longest_step=_longest_step(dw_spec, dims),
        hue_group=lambda c: c // cig,  # one group an input channel: in the hue of the layer's group
        # an input channel's entry, each on screen however many channels are drawn
        sum_chars=lambda chars, drawn: len(f"{weight} = Σ {names.x}·{d(names.y)} = ") + chars,
        sum_each_group=True,
    )
    pictures.append(dw)
    if bias:
        pictures.append(bias_geometry(spec, caption, dims, blame, names))
    return pictures


def conv_drawings(
    spec: ConvSpec,
    geometries: Sequence[Geometry],
    x: np.ndarray,
    padded: np.ndarray,
    weight: np.ndarray,
    dy: np.ndarray,
    gradients: Gradients,
    pixels: bool = False,
    names: Names = PLAIN,
) -> list[Drawn]:
    """The pictures of :func:`conv_geometries`, from the forward pass's arrays as drawn (a
    Conv1d's with one row: ``x`` (C_in, H, W), ``padded``, ``weight`` (C_out, C_in/G, KH, KW),
    ``dy`` (C_out, H_out, W_out)) and the gradients (which the pictures' outputs equal)."""
    direct, before, after = _dx_layout(spec)
    dims = geometries[0].dims
    grid = spread(dy, spec.stride, before, after)
    filler, inserted = spread_kinds(dy.shape[1:], spec.stride, before, after)
    recording = run_direct(direct, grid, flipped_by_input(spec, weight), None)
    dx = conv_drawn(recording, geometries[0], filler=filler, inserted=inserted if inserted.any() else None)
    dx.filler_name = "zeros around"
    dx.playback = _Steps(recording, geometries[0])
    pictures = [dx]
    rest = list(geometries[1:])
    if spec.padding_mode != "zeros":
        grad_padded = recording.output
        pictures.append(fold_drawn(spec, rest.pop(0), grad_padded, gradients.input.reshape(x.shape)))
    dw_spec = _dw_spec(spec)
    read = padded[(slice(None), *(slice(0, n) for n in dw_spec.input_shape[1:]))]
    cig, cog = spec.in_per_group, spec.out_per_group
    kernels = dy.reshape(spec.groups, 1, cog, *dy.shape[1:]).repeat(cig, axis=1).reshape(-1, 1, *dy.shape[1:])
    dw_rec = run_direct(dw_spec, read, kernels, None)
    own = padding_mask(spec, 0)[:, None] | padding_mask(spec, 1)[None, :]
    dw = drawn_whole(conv_drawn(dw_rec, rest[0], pixels, filler=own[: read.shape[1], : read.shape[2]]), padded, own)
    dw.copies, dw.copies_name = spec.padding_mode != "zeros", COPIES_NAMES.get(spec.padding_mode, "")
    weight_at = lambda o, a, b: f"{names.d(names.w)}[{_weight_index(spec, dims, o, a, b)}]"  # noqa: E731
    dw.playback = _Steps(dw_rec, rest[0], weight_at, f"{names.x}·{names.d(names.y)}")
    pictures.append(dw)
    if len(rest) > 1:
        pictures.append(bias_drawn(rest[1], dy, names))
    return pictures


def _weight_index(spec: ConvSpec, dims: int, o: int, a: int, b: int) -> str:
    """``co, ci, ky, kx`` of the weight whose gradient output channel ``o`` of dw's picture holds."""
    cig, cog = spec.in_per_group, spec.out_per_group
    ci, j = divmod(o, cog)
    co = ci // cig * cog + j
    return ", ".join(map(str, (co, ci % cig, *((a, b) if dims == 2 else (b,)))))


class _Steps(ConvPlayback):
    """A direct convolution's steps, written as the backward pass's: the step line names the
    gradient's grids written (as the picture labels them; those of the groups not drawn too,
    :func:`~convgif.ops.backward.grids_text`) and the position; where ``label``
    names each output cell (the weight whose gradient it is), each entry of the sum line is
    ``label = Σ term = value``."""

    def __init__(
        self,
        recording: Any,
        geometry: Geometry,
        label: Optional[Callable[[int, int, int], str]] = None,
        term: str = "",
    ) -> None:
        super().__init__(recording, geometry)
        self.geometry, self.label, self.term = geometry, label, term

    def show(self, step: int) -> Step:
        shown = super().show(step)
        j, oy, ox = self._index(step)
        per = self.spec.out_per_group
        at = position(self.dims, oy, ox)
        text = f"{grids_text(self.geometry, self.groups, j)} · {at} · step {step + 1}/{self.steps}"
        if self.label is None:
            return replace(shown, text=text)
        sums = tuple(
            f"{self.label(co, oy, ox)} = Σ {self.term} = {format_value(self.recording.output[co, oy, ox], self.scale)}"
            for co in range(j, self.spec.out_channels, per)
        )
        return replace(shown, text=text, sums=sums)


def bias_geometry(
    spec: Any, caption: str, dims: int, blame: Any, names: Names = PLAIN, per_group: Optional[int] = None
) -> Geometry:
    """The bias gradient's picture: each output channel's ``dy`` summed, in one step, in the hue
    of its group of the layer (``per_group`` output channels a group; default ``spec``'s)."""
    d, c = names.d, spec.out_channels
    per = per_group or spec.out_per_group
    _, ho, wo = spec.output_shape
    return Geometry(
        layer=_db_spec(spec),
        caption=caption,
        dims=dims,
        in_channels=c,
        out_channels=c,
        groups=c,
        grid=(ho, wo),
        kernel=None,
        out_size=(1, 1),
        steps_per_column=1,
        input_heading=d(names.y),
        input_name=d(names.y),
        kernel_label=lambda i, j: "",
        blame=blame,
        notes=(f"backward, {d(names.b)} = ∂L/∂{names.b}: each bias's gradient sums its channel's {d(names.y)}",),
        output_label=lambda co: f"{d(names.b)}[{co}]",
        output_heading=f"{d(names.b)} = ∂L/∂{names.b}",
        output_name=d(names.b),
        columns_take_turns=False,
        step_text=f"{d(names.b)} · step 1/1",
        hue_group=lambda co: co // per,
        hues_name="group",
        # a channel's entry, each on screen however many channels are drawn
        sum_chars=lambda chars, drawn: _bias_entry(names, max(drawn[2], default=c - 1)) + chars,
        sum_each_group=True,
    )


def _bias_entry(names: Names, co: int) -> int:
    """Characters of channel ``co``'s bias gradient entry before its number."""
    return len(f"{names.d(names.b)}[{co}] = Σ {names.d(names.y)}[{co}] = ")


def bias_drawn(geometry: Geometry, dy: np.ndarray, names: Names = PLAIN) -> Drawn:
    """The bias gradient's picture of ``dy`` (C_out, H_out, W_out), or (C_out, D_out, H_out,
    W_out), each depth slice a grid of its own."""
    sums = dy.reshape(dy.shape[0], -1).sum(axis=1).reshape(-1, 1, 1)
    grid = dy.reshape(-1, *dy.shape[-2:])
    return Drawn(
        geometry=geometry,
        grid=grid,
        filler=np.zeros(grid.shape[1:], bool),
        kernels=None,
        output=sums,
        playback=_BiasSteps(grid, sums, names),
        value_chars=widest(grid, sums),
    )


class _BiasSteps:
    """The one step of a bias gradient: every cell of each ``dy`` channel read (of its grids,
    one a depth slice), its sum written."""

    def __init__(self, dy: np.ndarray, sums: np.ndarray, names: Names) -> None:
        self.dy, self.sums, self.names = dy, sums, names
        self.scale = magnitude(dy, sums)

    def advance(self, step: int) -> list[Writes]:
        return [Writes(c, np.array([0]), np.array([0]), self.sums[c], (0, 0, 1, 1)) for c in range(len(self.sums))]

    def show(self, step: int) -> Step:
        count, h, w = self.dy.shape
        per = count // len(self.sums)  # the grids of a channel
        cells = np.array([(y, x) for y in range(h) for x in range(w)], np.int64)

        def reads(c: int) -> Reads:
            grids = np.repeat(np.arange(c * per, (c + 1) * per), len(cells))
            return Reads(np.column_stack([grids, np.tile(cells, (per, 1))]), (0, 0, h, w))

        d = self.names.d
        sums = []
        for c in range(len(self.sums)):
            total = format_value(self.sums[c, 0, 0], self.scale)
            sums.append(f"{d(self.names.b)}[{c}] = Σ {d(self.names.y)}[{c}] = {total}")
        channels = tuple(range(len(self.sums)))
        return Step(0, LazyReads(reads), self.advance(step), f"{d(self.names.b)} · step 1/1", tuple(sums), channels)


# -- transposed convolutions -------------------------------------------------------------------


def whole_size(spec: Any) -> tuple[int, ...]:
    """The sizes of a transposed convolution's canvas, with the output cells ``output_padding``
    adds past it (beyond what the kernels cover)."""
    return tuple(max(f, p + o) for f, p, o in zip(_canvas(spec), spec.padding, spec.output_shape[1:]))


def whole_canvas(spec: Any, dy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``dy`` of a transposed convolution on its canvas and past it (:func:`whole_size`: the
    cells past it no step of the backward pass reads, drawn so that dy has the output's size),
    and which cells are not dy's (those of the canvas that padding cropped)."""
    sizes = whole_size(spec)
    grid = np.zeros((dy.shape[0], *sizes), dtype=dy.dtype)
    own = tuple(slice(p, p + o) for p, o in zip(spec.padding, dy.shape[1:]))
    grid[(slice(None), *own)] = dy
    cropped = np.ones(sizes, bool)
    cropped[own] = False
    return grid, cropped


def _canvas(spec: Any) -> tuple[int, int]:
    """Everything a transposed convolution's scattered kernels cover, before padding crops it."""
    return tuple(  # type: ignore[return-value]
        (n - 1) * s + d * (k - 1) + 1
        for n, s, d, k in zip(spec.input_shape[1:], spec.stride, spec.dilation, spec.kernel_size)
    )


def canvas_words(spec: Any, dims: int) -> tuple[str, tuple[str, ...]]:
    """The heading of dy on a transposed convolution's canvas, and the notes saying what its
    cells that are not dy's are (padding cropped them) and that those past it are never read."""
    if max(spec.padding) == 0 and max(spec.output_padding) == 0:
        return "dy", ()
    padding, extra = spec.padding[-dims:], spec.output_padding[-dims:]
    notes = ["dy sits on the canvas the kernels were scattered on"]
    if max(spec.padding) > 0:
        notes[0] += f": padding={padding} cropped the cells drawn 0 around it"
    if whole_size(spec) != _canvas(spec):
        notes.append(f"output_padding={extra} added the dy cells past it, which no kernel reached: no step reads them")
    return "dy, on the canvas", tuple(notes)


def _transposed_dx_spec(spec: Any) -> ConvSpec:
    """A transposed convolution's input gradient as the direct convolution it is: over ``dy``
    on the canvas, the kernels as they are, the layer's stride and dilation."""
    return spec.convolution(
        (spec.out_channels, *_canvas(spec)),
        spec.in_channels,
        spec.kernel_size,
        stride=spec.stride,
        dilation=spec.dilation,
        groups=spec.groups,
    )


def _transposed_dw_spec(spec: Any) -> ConvSpec:
    """A transposed convolution's weight gradient as a direct convolution: over ``dy`` on the
    canvas, each input channel as the kernels (its cells ``stride`` apart, moving ``dilation``
    at a time), one ``dy`` channel a group."""
    return spec.convolution(
        (spec.out_channels, *_canvas(spec)),
        spec.out_channels * spec.in_per_group,
        spec.input_shape[1:],
        stride=spec.dilation,
        dilation=spec.stride,
        groups=spec.out_channels,
    )


def transposed_geometries(spec: Any, blame: Any, dims: int = 2, caption: str = "") -> list[Geometry]:
    """The pictures of a transposed convolution's backward pass (``spec`` as drawn: a
    ConvTranspose1d's as its one-row ConvTranspose2d, under ``caption``): dx, a direct
    convolution (its kernels not turned), dw and db."""
    caption, cig, cog = caption or spec.caption, spec.in_per_group, spec.out_per_group
    stride, dilation, kernel = spec.stride[2 - dims :], spec.dilation[2 - dims :], spec.kernel_size[2 - dims :]
    heading, canvas = canvas_words(spec, dims)
    notes = (
        "backward, dx = ∂L/∂x: a direct convolution; the kernels, as they are, slide over dy with the layer's "
        f"stride {pair_text(stride)} and dilation {pair_text(dilation)}",
        *canvas,
        f"w is in PyTorch's (C_in, C_out/G, {'kH, kW' if dims == 2 else 'K'}) layout",
    )
    dx_spec, dw_spec = _transposed_dx_spec(spec), _transposed_dw_spec(spec)
    whole = whole_size(spec)[-2:]  # dy drawn all of it, past the canvas too
    dx = conv_geometry(
        dx_spec,
        caption,
        dims,
        notes,
        input_name="dy",
        grid=whole,
        input_heading=heading,
        kernel_heading="kernels w",
        kernel_label=lambda c, j: f"w[{c // cog * cig + j},{c % cog}]",
        output_label=lambda c: f"dx[{c}]",
        output_heading="dx = ∂L/∂x",
        output_name="dx",
        blame=blame,
        longest_step=_longest_step(dx_spec, dims),
    )
    weight = f"dw[{spec.in_channels - 1}, {cog - 1}, {', '.join(str(k - 1) for k in kernel)}]"
    dw_label = lambda o: f"dw[{o // cig // cog * cig + o % cig},{o // cig % cog}]"  # noqa: E731
    dw = conv_geometry(
        dw_spec,
        caption,
        dims,
        (
            "backward, dw = ∂L/∂w: each weight's gradient sums x·dy over every input cell that scattered it",
            f"x slides over dy as the kernels, its cells {pair_text(stride)} apart (the stride), moving "
            f"{pair_text(dilation)} at a time (the dilation)",
        ),
        input_name="dy",
        grid=whole,
        input_heading=heading,
        kernel_heading="x, as kernels",
        kernel_label=lambda c, j: f"x[{c // cog * cig + j}]",
        kernel_name="x",
        kernels_are_values=True,
        output_label=dw_label,
        output_heading="dw = ∂L/∂w",
        output_name="dw",
        outputs_word="dw kernels",
        blame=blame,
        longest_step=_longest_step(dw_spec, dims),
        hue_group=lambda o: o // cog,  # one group a dy channel: in the hue of the layer's group
        sum_chars=lambda chars, drawn: len(f"{weight} = Σ x·dy = ") + chars,  # a dy channel's entry
        sum_each_group=True,
    )
    pictures = [dx, dw]
    if spec.bias:
        pictures.append(bias_geometry(spec, caption, dims, blame))
    return pictures


def transposed_drawings(
    spec: Any, geometries: Sequence[Geometry], x: np.ndarray, weight: np.ndarray, dy: np.ndarray
) -> list[Drawn]:
    """The pictures of :func:`transposed_geometries` from the forward pass's input and weight
    (C_in, C_out/G, KH, KW) and ``dy``."""
    from ..engine.backward import transposed_canvas

    canvas = transposed_canvas(spec, dy)
    filler = transposed_canvas(spec, np.ones((1, *dy.shape[1:]), np.int8))[0] == 0
    whole, cropped = whole_canvas(spec, dy)
    recording = run_direct(_transposed_dx_spec(spec), canvas, weight, None)
    dx = drawn_whole(conv_drawn(recording, geometries[0], filler=filler), whole, cropped)
    dx.filler_name = "cropped"
    dx.playback = _Steps(recording, geometries[0])
    cig, cog = spec.in_per_group, spec.out_per_group
    kernels = x.reshape(spec.groups, 1, cig, *x.shape[1:]).repeat(cog, axis=1).reshape(-1, 1, *x.shape[1:])
    dw_rec = run_direct(_transposed_dw_spec(spec), canvas, kernels, None)
    dw = drawn_whole(conv_drawn(dw_rec, geometries[1], filler=filler), whole, cropped)
    dw.filler_name = "cropped"

    def weight_at(o: int, a: int, b: int) -> str:
        co, il = divmod(o, cig)
        taps = (a, b) if geometries[1].dims == 2 else (b,)  # a ConvTranspose1d's one row
        return f"dw[{co // cog * cig + il}, {co % cog}, {', '.join(map(str, taps))}]"

    dw.playback = _Steps(dw_rec, geometries[1], weight_at, "x·dy")
    pictures = [dx, dw]
    if len(geometries) > 2:
        pictures.append(bias_drawn(geometries[2], dy))
    return pictures


# -- a padding that copies cells: their gradients folded back -----------------------------------


def fold_geometry(spec: ConvSpec, caption: str, dims: int, blame: Any, grad: str, dx: str) -> Geometry:
    """The picture folding the padded input's gradient ``grad`` back onto the input: each input
    cell gathers its own cell's and those of the padding cells that copy it."""
    c, (_, h, w) = spec.in_channels, spec.input_shape
    geometry = gather_geometry(
        spec,
        caption,
        dims,
        c,
        c,
        spec.padded_shape[1:],
        (h, w),
        blame,
        grad,
        dx,
        (
            f"backward, {dx} = ∂L/∂x: padding_mode={spec.padding_mode!r} copied input cells into the padding, so "
            f"each input cell gathers its own {grad} and that of every padding cell copying it",
        ),
        f"{grad} (padded)",
        terms=min(_most_copies(spec), NAMED_TERMS),  # more are written by value: no longer
    )
    # every channel drawn writes its sum at each step: room for each, as a gather's three lines
    lines = geometry.sum_lines_most * min(c, MAX_SHOWN_IN)
    return replace(geometry, sum_lines_most=lines, hue_group=lambda ci: ci // spec.in_per_group)


def _most_copies(spec: ConvSpec) -> int:
    """The most padded cells holding one input cell (itself and its copies): the most terms a
    fold step's sum adds."""
    most = 1
    for axis in range(2):
        held = source_index(spec, axis)
        most *= int(np.bincount(held[held >= 0]).max())
    return most


def fold_drawn(spec: ConvSpec, geometry: Geometry, grad: np.ndarray, dx: np.ndarray) -> Drawn:
    """The folding picture of ``grad`` (C_in, *padded) onto ``dx`` (C_in, H, W)."""
    rows, cols = source_index(spec, 0), source_index(spec, 1)
    width = grad.shape[2]
    sources = [[] for _ in range(dx.shape[1] * dx.shape[2])]
    for gy, sy in enumerate(rows):
        for gx, sx in enumerate(cols):
            if sy >= 0 and sx >= 0:
                sources[sy * dx.shape[2] + sx].append(gy * width + gx)
    own = padding_mask(spec, 0)[:, None] | padding_mask(spec, 1)[None, :]
    plane = grad.shape[1] * width  # gather_drawn's cells are flat in grad, channels first
    drawn = gather_drawn(geometry, grad, dx, lambda c, i: [(c * plane + cell, None) for cell in sources[i]], filler=own)
    drawn.copies, drawn.copies_name = True, COPIES_NAMES.get(spec.padding_mode, "")
    return drawn
