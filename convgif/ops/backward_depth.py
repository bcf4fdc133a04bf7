"""The backward pass of the 3-D convolutions, drawn one depth slice at a time.

Each gradient of a Conv3d or a ConvTranspose3d is a 3-D direct convolution (see
:mod:`convgif.ops.backward_conv` for the 2-D ones), and each depth slice of its output is a 2-D
convolution over the (channel, depth) pairs that slice reads, as :mod:`convgif.ops.depth` draws a
Conv3d's forward pass: the pictures here draw those slices, labelled as the 3-D arrays (a
Conv3d's own are put together in :mod:`convgif.ops.backward_conv3d`).

* a Conv3d's dx: depth slice ``d`` gathers ``dy[:, o]·w[:, :, dz]`` over the pairs (o, dz) with
  ``o·S − P + dz·D = d`` (the kernels turned 180° in depth too), each the 2-D picture's kernels
  turned 180° over ``dy[:, o]`` zero-inserted and padded; a slice no output depth read gets 0;
* a Conv3d's dw: kernel depth ``dz`` sums ``x[:, o·S − P + dz·D]`` correlated with ``dy[:, o]``
  (``dy`` as the kernels) over every output depth ``o``;
* a ConvTranspose3d's dx: a direct convolution of ``dy`` on the canvas with the kernels as they
  are, depth slice ``d`` reading canvas depths ``d·S + dz·D``; its dw: kernel depth ``dz`` sums
  ``dy`` on the canvas at depth ``d·S + dz·D`` correlated with ``x[:, d]``;
* db: each channel's ``dy``, every depth slice, summed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, Optional

import numpy as np

from ..engine.backward import transposed_canvas
from ..engine.direct import convolve, run_direct
from ..picture.model import MAX_SHOWN_IN, Drawn, Geometry, LazyReads, Reads, Step, Writes, shown
from ..picture.numbers import format_value, widest
from .backward import grids_text, pair_text
from .backward_conv import bias_drawn, bias_geometry, canvas_words, whole_canvas, whole_size
from .depth_steps import ALONE, Count, counts, depth_range, longest_drawn, slice_title
from .sliding import ConvPlayback, conv_drawn, conv_geometry, drawn_whole, position

#: Labels of a slice picture: of its input pairs (channel, tap), of its kernels (plane input
#: channel's channel and tap, kernel column), of its output channels, of one output cell's sum.
Label = Callable[..., str]


@dataclasses.dataclass(frozen=True)
class Slices:
    """A 3-D direct convolution without padding (its grid already padded, zero-inserted or on a
    canvas) drawn one output depth slice at a time, and how its pictures name things."""

    spec: Any  # a Conv3dSpec
    caption: str
    x: str  # the name of its input (dy or x)
    k: str  # the name of its kernels (w, dy or x)
    out: str  # the name of its output (dx or dw)
    input_label: Label  # (channel, grid depth) -> "dy[co, o]"
    kernel_label: Label  # (channel, grid depth, kernel depth tap, output channel) -> "w[co, ci, dz]"
    output_label: Label  # (output channel, output depth) -> "dx[ci, d]"
    cell_label: Optional[Label] = None  # (output channel, depth, oy, ox) -> "dw[co, ci, dz, ky, kx]"
    keep: Callable[[int], bool] = lambda depth: True  # the grid depths drawn (the others all zeros)
    term: str = ""  # what a dw sum line adds up (x·dy), when not its input times its kernels
    hue_group: Optional[Callable[[int], int]] = None  # the layer's group of a group of ``spec`` (None: the same)
    title: Optional[Label] = None  # (channel, grid depth) -> a grid's title, when not input_label's (padding)

    def taps(self, z: int) -> list[int]:
        """The kernel depth taps of output depth slice ``z`` whose grid depth is drawn."""
        s, d = self.spec.stride[0], self.spec.dilation[0]
        return [t for t in range(self.spec.kernel_size[0]) if self.keep(z * s + t * d)]

    def depth(self, z: int, t: int) -> int:
        """The grid depth tap ``t`` of output depth slice ``z`` reads."""
        return z * self.spec.stride[0] + t * self.spec.dilation[0]

    def plane(self, z: int) -> Any:
        """The Conv2d output depth slice ``z`` is: over the (channel, tap) pairs, c-major."""
        spec, n = self.spec, len(self.taps(z))
        _, _, h, w = spec.input_shape
        return spec.convolution(
            (spec.in_channels * n, h, w),
            spec.out_channels,
            spec.kernel_size[1:],
            stride=spec.stride[1:],
            dilation=spec.dilation[1:],
            groups=spec.groups,
        )

    def arrays(self, z: int, grid: np.ndarray, kernels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The plane's input (the grid's depth slices read, c-major) and kernels."""
        taps = self.taps(z)
        planes = np.stack([grid[c, self.depth(z, t)] for c in range(grid.shape[0]) for t in taps])
        kernel = kernels[:, :, taps].reshape(kernels.shape[0], -1, *kernels.shape[3:])
        return planes, kernel


def _pair(slices: Slices, z: int) -> Callable[[int], tuple[int, int, int]]:
    """The (channel, grid depth, kernel depth tap) of plane input channel ``c`` of slice ``z``."""
    taps = slices.taps(z)
    return lambda c: (c // len(taps), slices.depth(z, taps[c % len(taps)]), taps[c % len(taps)])


def slice_geometry(slices: Slices, z: int, notes: Sequence[str], blame: Any, **more: Any) -> Geometry:
    """The picture of output depth slice ``z`` of ``slices``."""
    plane, pair = slices.plane(z), _pair(slices, z)
    spec = slices.spec
    _, _, ho, wo = spec.output_shape
    per_in, per_out = plane.in_per_group, plane.out_per_group
    cell = (
        slices.cell_label(spec.out_channels - 1, z, ho - 1, wo - 1)
        if slices.cell_label
        else f"{slices.out}[{position(2, spec.out_channels - 1, ho - 1, wo - 1, depth=z)[1:-1]}]"
    )
    title = slices.title or slices.input_label
    label = max(len(slices.input_label(*pair(c)[:2])) for c in range(plane.in_channels))
    entry = len(cell) + 4 * label + 45  # dw[…] = Σ x[a]..x[b]·dy + Σ x[c]..x[d]·dy = p + q = v (x[c]..x[d] not drawn)

    def sum_chars(chars: int, drawn: tuple) -> int:
        groups = len({c // per_in for c in drawn[0]})
        return groups * (entry + 3 * (chars + 1) + 3)

    return conv_geometry(
        plane,
        slices.caption,
        2,
        tuple(notes),
        input_name=slices.x,
        input_label=lambda c: title(*pair(c)[:2]),
        kernel_label=lambda c, j: slices.kernel_label(*pair(c), c // per_in * per_out + j),
        kernel_name=slices.k,
        kernels_are_values=slices.k != "w",  # dy or x: an array of the pass, drawn as it is elsewhere
        output_label=lambda co: slices.output_label(co, z),
        output_name=slices.out,
        inputs_word="input slices",
        sum_chars=sum_chars,
        blame=blame,
        hue_group=slices.hue_group,
        **more,
    )


def slice_line(slices: Slices, z: int) -> Callable[[int, Geometry], str]:
    """The longest step line of output depth slice ``z``'s picture as finally drawn (its
    ``geometry``): its last position's, where the last kernel column shown writes the grids of
    the highest indices in the groups drawn and not drawn, the last of ``total`` steps."""
    _, _, ho, wo = slices.spec.output_shape

    def line(total: int, geometry: Geometry) -> str:
        shown_in, columns, _ = shown(geometry)
        heads = grids_text(geometry, sorted({c // geometry.in_per_group for c in shown_in}), columns[-1])
        return f"{heads} · {position(2, ho - 1, wo - 1, depth=z)} · step {total}/{total}"

    return line


def slice_drawn(
    slices: Slices,
    z: int,
    geometry: Geometry,
    grid: np.ndarray,
    kernels: np.ndarray,
    filler: np.ndarray,
    full: np.ndarray,
    pixels: bool = False,
    inserted: Optional[np.ndarray] = None,
    filler_name: str = "padding",
    copies: bool = False,
    count: Count = ALONE,
    whole: Optional[tuple[np.ndarray, np.ndarray]] = None,
) -> Drawn:
    """The recorded picture of output depth slice ``z``: ``grid`` (C, D, H, W) the 3-D input,
    ``kernels`` the 3-D kernels, ``filler`` (D, H, W) the grid cells that are not the array's
    own, ``full`` the 3-D output (the slice's values checked against it); ``count`` where its
    steps stand among those of every depth slice. ``whole``: the array and its filler drawn,
    when the grid is only its top-left part (the rest read by no step, drawn as never read)."""
    plane, pair = slices.plane(z), _pair(slices, z)
    planes, kernel = slices.arrays(z, grid, kernels)
    rec = run_direct(plane, planes, kernel, None)
    if not np.allclose(rec.output, full[:, z], rtol=1e-9, atol=1e-9):
        raise AssertionError(f"depth slice {z} of {slices.spec} does not add up to the 3-D convolution's")
    marks = np.stack([filler[pair(c)[1]] for c in range(planes.shape[0])])
    drawn = conv_drawn(rec, geometry, pixels, filler=marks, inserted=inserted)
    if whole is not None:
        at = [pair(c)[:2] for c in range(planes.shape[0])]
        drawn = drawn_whole(drawn, np.stack([whole[0][c, d] for c, d in at]), np.stack([whole[1][d] for _, d in at]))
    drawn.filler_name, drawn.copies = filler_name, copies
    drawn.playback = SliceSteps(rec, geometry, slices, z, count)
    return drawn


class SliceSteps(ConvPlayback):
    """A slice picture's steps: the step line names the gradient's channels and the 3-D
    position; a sum line ``dx[ci, d, y, x] = Σ dy·w = v``, or with :attr:`Slices.cell_label`
    ``dw[co, ci, dz, ky, kx] = Σ x·dy = v`` (each part of the sum when a group's slices are not
    all drawn)."""

    def __init__(self, recording: Any, geometry: Geometry, slices: Slices, z: int, count: Count = ALONE) -> None:
        pair = _pair(slices, z)
        name = lambda c: slices.input_label(*pair(c)[:2]).split("[", 1)[1][:-1]  # noqa: E731

        def span(first: int, last: int) -> str:
            return name(first) if first == last else f"{name(first)}]..{slices.x}[{name(last)}"

        super().__init__(recording, geometry, depth=z, span=span, count=count)
        self.geometry, self.slices, self.z = geometry, slices, z

    def show(self, step: int) -> Step:
        shown = super().show(step)
        j, oy, ox = self._index(step)
        per = self.spec.out_per_group
        counted, total = self.count.at(step, self.steps)
        at = position(2, oy, ox, depth=self.z)
        text = f"{grids_text(self.geometry, self.groups, j)} · {at} · step {counted + 1}/{total}"
        label = self.slices.cell_label
        if label is None:
            return dataclasses.replace(shown, text=text)
        x, k = self.slices.x, self.slices.k
        sums = []
        for co in range(j, self.spec.out_channels, per):
            value = self.recording.output[co, oy, ox]
            head, total = label(co, self.z, oy, ox), format_value(value, self.scale)
            part = self._drawn_part(co, oy, ox)
            if part is None:
                sums.append(f"{head} = Σ {self.slices.term or f'{x}·{k}'} = {total}")
                continue
            drawn, hidden, some = part
            a, b = format_value(some, self.scale), format_value(value - some, self.scale)
            sums.append(
                f"{head} = Σ {x}[{drawn}]·{k} + Σ {x}[{hidden}]·{k} = {a} + {b} = {total} ({x}[{hidden}] not drawn)"
            )
        return dataclasses.replace(shown, text=text, sums=tuple(sums))


# -- a depth slice no output read: its gradient is 0 -----------------------------------------------


def zero_geometry(
    spec: Any,
    caption: str,
    out: str,
    z: int,
    note: str,
    why: str,
    blame: Any,
    shape: Optional[tuple[int, ...]] = None,
    groups: Optional[int] = None,
) -> Geometry:
    """The picture of a gradient depth slice nothing reaches (of a gradient of ``shape``, default
    the input's): every cell 0, in one step; ``note`` says which slice, ``why`` why. Nothing is
    read, so no input is drawn (no grid, line or key standing for one): the slice alone, each
    channel in the hue of its group (``groups``; default, every channel its own)."""
    c, _, h, w = shape or spec.input_shape
    return Geometry(
        layer=spec,
        caption=caption,
        dims=2,
        in_channels=c,
        out_channels=c,
        groups=groups or c,
        grid=(1, 1),
        kernel=None,
        out_size=(h, w),
        steps_per_column=1,
        input_heading="",
        input_name="dy",
        kernel_label=lambda i, j: "",
        blame=blame,
        notes=(f"{note}: {out}[:, {z}] = 0: {why}",),
        inputs_drawn=False,
        output_label=lambda ch: f"{out}[{ch}, {z}]",
        output_heading="dxp = ∂L/∂(padded x)" if out == "dxp" else f"{out} = ∂L/∂x",
        output_name=out,
        inputs_word="input slices",
        numbers=True,
        columns_take_turns=False,
        sum_chars=lambda chars, drawn: len(drawn[2]) * (len(f"{out}[{c}, {z}, :, :] = ") + chars + 3),
        value_chars=3,
    )


def zero_line(out: str, z: int, step: int = 0, steps: int = 1) -> str:
    """The step line of a gradient ``out``'s depth slice ``z`` nothing reaches, its one step
    ``step`` of ``steps``."""
    return f"{out}[:, {z}] = 0 · step {step + 1}/{steps}"


class ZeroSteps:
    """The one step of a gradient depth slice nothing reaches: every cell written 0 (each
    channel's entry short, so that every channel's fits; the notes say why)."""

    def __init__(self, output: np.ndarray, out: str, z: int, count: Count = ALONE) -> None:
        self.output, self.out, self.z, self.count = output, out, z, count
        self.steps = 1

    def advance(self, step: int) -> list[Writes]:
        c, h, w = self.output.shape
        return [Writes(ch, np.arange(h), np.arange(w), self.output[ch], (0, 0, h, w)) for ch in range(c)]

    def show(self, step: int) -> Step:
        def reads(c: int) -> Reads:
            return Reads(np.zeros((0, 3), dtype=np.int64), (0, 0, 0, 0))

        channels = tuple(range(self.output.shape[0]))
        sums = tuple(f"{self.out}[{c}, {self.z}, :, :] = 0" for c in channels)
        text = zero_line(self.out, self.z, *self.count.at(0, 1))
        return Step(0, LazyReads(reads), self.advance(step), text, sums, channels)


def zero_drawn(geometry: Geometry, output: np.ndarray, z: int, count: Count = ALONE) -> Drawn:
    """The picture of :func:`zero_geometry`: ``output`` (C, H, W) the zeros
    written. Its input grid is never drawn (one cell a channel, for the shades' sake)."""
    grid = np.zeros((output.shape[0], 1, 1), dtype=output.dtype)
    return Drawn(
        geometry=geometry,
        grid=grid,
        filler=np.zeros(grid.shape, dtype=bool),
        kernels=None,
        output=output,
        playback=ZeroSteps(output, geometry.output_name, z, count),
        value_chars=widest(grid, output),
    )


# -- db: every depth slice of dy summed ------------------------------------------------------------


def depth_bias_geometry(spec: Any, blame: Any) -> Geometry:
    """The bias gradient's picture: each channel's ``dy``, every depth slice a grid of its own
    (as the other pictures draw them), summed."""
    c, do, ho, wo = spec.output_shape
    geometry = bias_geometry(spec.convolution((1, ho, wo), c, 1), spec.caption, 2, blame, per_group=spec.out_per_group)
    note = (
        f"dy[c, o] is depth slice o of channel c: db[c] sums all {do} of them" if do > 1 else "dy has one depth slice"
    )
    return dataclasses.replace(
        geometry,
        in_channels=c * do,
        notes=(*geometry.notes, note),
        input_label=lambda i: f"dy[{i // do}, {i % do}]",
        inputs_word="dy slices",
        shown_most=do * max(1, MAX_SHOWN_IN // do),  # every slice of a channel drawn, or none
    )


def depth_bias_drawn(geometry: Geometry, dy: np.ndarray) -> Drawn:
    """The picture of :func:`depth_bias_geometry` of ``dy`` (C_out, D_out, H_out, W_out)."""
    return bias_drawn(geometry, dy)


# -- what the 3-D layers' pictures share ---------------------------------------------------------------


def input_blame(spec: Any) -> Callable[[int], tuple[str, object, str]]:
    """What to shrink when a picture is too large: the input."""
    return lambda axis: ("input_shape", spec.input_shape, "input")


def conv3(spec: Any, shape: tuple[int, ...], out: int, kernel: Any, stride: Any, dilation: Any, groups: int) -> Any:
    """A Conv3d without padding or bias, of the 3-D layer ``spec``'s backward pass."""
    return spec.convolution(shape, out, kernel, stride=stride, dilation=dilation, groups=groups)


def taps_text(n: int) -> str:
    """Kernel taps or depths 0 to n − 1: ``0`` or ``0..2``."""
    return "0" if n == 1 else f"0..{n - 1}"


def outside_text(depths: Sequence[int], size: int, what: str) -> str:
    """``; depths -1, 4: padding``: those of ``depths`` outside 0..size − 1, and what they are."""
    outside = sorted({d for d in depths if not 0 <= d < size})
    return f"; depth{'s' * (len(outside) > 1)} {', '.join(map(str, outside))}: {what}" if outside else ""


# -- ConvTranspose3d -----------------------------------------------------------------------------------


def _canvas(spec: Any) -> tuple[int, ...]:
    return tuple(
        (n - 1) * s + d * (k - 1) + 1
        for n, s, d, k in zip(spec.input_shape[1:], spec.stride, spec.dilation, spec.kernel_size)
    )


def _transposed_dx(spec: Any) -> Slices:
    """A ConvTranspose3d's dx as slices of a direct convolution of ``dy`` on the canvas, the
    kernels as they are, the layer's stride and dilation."""
    cog, p = spec.out_per_group, spec.padding[0]
    direct = conv3(
        spec,
        (spec.out_channels, *_canvas(spec)),
        spec.in_channels,
        spec.kernel_size,
        spec.stride,
        spec.dilation,
        spec.groups,
    )
    return Slices(
        direct,
        spec.caption,
        "dy",
        "w",
        "dx",
        input_label=lambda co, q: f"dy[{co}, {q - p}]",
        title=lambda co, q: slice_title("dy", co, q - p, spec.output_shape[1], "cropped"),
        kernel_label=lambda co, q, t, ci: f"w[{ci},{co % cog},{t}]",
        output_label=lambda ci, z: f"dx[{ci}, {z}]",
    )


def _transposed_dw(spec: Any) -> Slices:
    """A ConvTranspose3d's dw as slices of a direct convolution: over ``dy`` on the canvas, each
    input channel as the kernels, one ``dy`` channel a group; output depth kz is dw[:, :, kz]."""
    cig, cog, p = spec.in_per_group, spec.out_per_group, spec.padding[0]
    direct = conv3(
        spec,
        (spec.out_channels, *_canvas(spec)),
        spec.out_channels * cig,
        spec.input_shape[1:],
        spec.dilation,
        spec.stride,
        spec.out_channels,
    )
    weight = lambda o: (o // cig // cog * cig + o % cig, o // cig % cog)  # noqa: E731  (ci, j) of output o
    return Slices(
        direct,
        spec.caption,
        "dy",
        "x",
        "dw",
        input_label=lambda co, q: f"dy[{co}, {q - p}]",
        title=lambda co, q: slice_title("dy", co, q - p, spec.output_shape[1], "cropped"),
        kernel_label=lambda co, q, t, o: f"x[{weight(o)[0]}, {t}]",
        output_label=lambda o, kz: "dw[{},{},{}]".format(*weight(o), kz),
        cell_label=lambda o, kz, ky, kx: "dw[{}, {}, {}, {}, {}]".format(*weight(o), kz, ky, kx),
        term="x·dy",
        hue_group=lambda co: co // cog,  # one group a dy channel
    )


def transposed3d_geometries(spec: Any) -> list[Geometry]:
    """The pictures of a ConvTranspose3d's backward pass: each depth slice of dx, each kernel
    depth of dw, then db."""
    blame = input_blame(spec)
    s, p, dil, kd = spec.stride[0], spec.padding[0], spec.dilation[0], spec.kernel_size[0]
    heading, crop = canvas_words(spec, 3)
    whole = whole_size(spec)[1:]  # dy drawn all of it, past the canvas too
    dx_notes = (
        "backward, dx = ∂L/∂x: a direct convolution; the kernels, as they are, slide over dy with the layer's "
        f"stride {pair_text(spec.stride)} and dilation {pair_text(spec.dilation)}",
        *crop,
        "w is in PyTorch's (C_in, C_out/G, kD, kH, kW) layout",
    )
    pictures = []
    dx, dw = _transposed_dx(spec), _transposed_dw(spec)
    for z in range(spec.input_shape[1]):
        depths = [z * s + kz * dil - p for kz in range(kd)]
        note = (
            f"depth {z} ({depth_range(spec.input_shape[1])}): dx[:, {z}] reads dy[:, d], d = {z}·{s} − {p} + dz·{dil} = "
            f"{', '.join(map(str, depths))} for dz = {taps_text(kd)}"
            + outside_text(depths, spec.output_shape[1], "cropped")
        )
        pictures.append(
            slice_geometry(
                dx,
                z,
                (*dx_notes, note),
                blame,
                grid=whole,
                input_heading=heading,
                kernel_heading="kernels w",
                output_heading="dx = ∂L/∂x",
            )
        )
    dw_notes = (
        "backward, dw = ∂L/∂w: each weight's gradient sums x·dy over every input cell that scattered it",
        f"x slides over dy as the kernels, its cells {pair_text(spec.stride)} apart (the stride), moving "
        f"{pair_text(spec.dilation)} at a time (the dilation)",
        *crop,
    )
    d = spec.input_shape[1]
    for kz in range(kd):
        depths = [t * s + kz * dil - p for t in range(d)]
        note = (
            f"kernel depth {kz} ({depth_range(kd)}): dw[:, :, {kz}] sums x[:, d]·dy[:, q] over d = {taps_text(d)}, "
            f"q = d·{s} − {p} + {kz}·{dil} = {', '.join(map(str, depths))}"
            + outside_text(depths, spec.output_shape[1], "cropped")
        )
        pictures.append(
            slice_geometry(
                dw,
                kz,
                (*dw_notes, note),
                blame,
                grid=whole,
                input_heading=heading,
                kernel_heading="x, as kernels",
                output_heading="dw = ∂L/∂w",
            )
        )
    lines = [slice_line(dx, z) for z in range(spec.input_shape[1])] + [slice_line(dw, kz) for kz in range(kd)]
    pictures = longest_drawn(pictures, lambda i, total, geometry: lines[i](total, geometry))
    return pictures + [depth_bias_geometry(spec, blame)] if spec.bias else pictures


def transposed3d_drawings(
    spec: Any, geometries: Sequence[Geometry], recording: Any, pixels: bool = False
) -> list[Drawn]:
    """The pictures of :func:`transposed3d_geometries` from a backward recording."""
    x, weight, dy = recording.forward.input, recording.forward.weight, recording.grad_output
    canvas = transposed_canvas(spec, dy)
    cropped = transposed_canvas(spec, np.ones((1, *dy.shape[1:]), np.int8))[0] == 0
    whole = whole_canvas(spec, dy)
    dx, dw = _transposed_dx(spec), _transposed_dw(spec)
    pictures, count = [], counts(geometries)

    def on_canvas(slices: Slices, z: int, kernels: np.ndarray, full: np.ndarray, at: int) -> Drawn:
        """Depth slice ``z`` of ``slices``, picture ``at`` of the pass, over dy on the canvas."""
        drawn = slice_drawn(
            slices, z, geometries[at], canvas, kernels, cropped, full, pixels, count=count[at], whole=whole
        )
        drawn.filler_name = "cropped"
        return drawn

    full = convolve(dx.spec, canvas, weight, None)
    for z in range(spec.input_shape[1]):
        pictures.append(on_canvas(dx, z, weight, full, z))
    cig, cog = spec.in_per_group, spec.out_per_group
    kernels = x.reshape(spec.groups, 1, cig, *x.shape[1:]).repeat(cog, axis=1).reshape(-1, 1, *x.shape[1:])
    full = convolve(dw.spec, canvas, kernels, None)
    start = spec.input_shape[1]
    for kz in range(spec.kernel_size[0]):
        pictures.append(on_canvas(dw, kz, kernels, full, start + kz))
    if spec.bias:
        pictures.append(depth_bias_drawn(geometries[-1], dy))
    return pictures
