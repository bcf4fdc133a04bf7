"""A Conv3d's backward pass, one depth slice at a time (see :mod:`convgif.ops.backward_depth`).

dx is the direct convolution of ``dy`` (zero-inserted, padded) with the kernels turned 180° on
every axis: its depth slice ``d`` gathers ``dy[:, o]·w[:, :, dz]`` over the pairs (o, dz) with
``o·S − P + dz·D = d``, each drawn as the 2-D picture draws it, the zero slices between and
around ``dy``'s left out; a slice no output depth read is 0. With a padding mode that copies
cells the slices are those of the padded input's gradient ``dxp``, and then each input depth
slice gathers its own ``dxp`` and that of every padding cell copying it. dw: kernel depth ``dz``
sums ``x[:, o·S − P + dz·D]`` correlated with ``dy[:, o]`` over every output depth ``o``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Optional

import numpy as np

from ..engine.backward import spread, spread_kinds
from ..engine.direct import convolve, padding_mask, source_index
from ..picture.model import Drawn, Geometry, LazyReads, Reads, Step, Writes
from ..picture.numbers import format_value, magnitude, widest
from .backward import PLAIN, pair_text
from .backward_conv import _dx_layout, _dx_words
from .backward_depth import (
    Slices,
    conv3,
    depth_bias_drawn,
    depth_bias_geometry,
    input_blame,
    outside_text,
    slice_drawn,
    slice_geometry,
    slice_line,
    taps_text,
    zero_drawn,
    zero_geometry,
    zero_line,
)
from .backward_moves import gather_geometry
from .depth_steps import Count, counts, depth_range, longest_drawn, slice_title
from .sliding import COPIES_NAMES


def conv_layout(spec: Any) -> tuple[Any, tuple[int, ...], tuple[int, ...]]:
    """The direct convolution a Conv3d's dx is (its ``dxp`` where the padding copies cells):
    over ``dy`` with ``stride − 1`` zeros inserted and ``dilation·(k − 1) − padding`` around on
    each axis (no padding taken off where it copies cells; the height and width those of the
    2-D picture, :func:`convgif.ops.backward_conv._dx_layout`), the kernels turned 180°."""
    _, before2, after2 = _dx_layout(spec.plane())
    edge = spec.dilation[0] * (spec.kernel_size[0] - 1)
    rest = (spec.padded_shape[1] - spec.receptive_field[0]) % spec.stride[0]
    crop = spec.padding_mode == "zeros"
    b, a = edge - spec.padding[0] * crop, edge + rest - spec.padding_end[0] * crop
    before, after = (b, *before2), (a, *after2)
    sizes = tuple((o - 1) * s + 1 + x + y for o, s, x, y in zip(spec.output_shape[1:], spec.stride, before, after))
    direct = conv3(spec, (spec.out_channels, *sizes), spec.in_channels, spec.kernel_size, 1, spec.dilation, spec.groups)
    return direct, before, after


def _grad_name(spec: Any) -> str:
    """dx, or dxp (the padded input's gradient) where the padding copies cells."""
    return "dx" if spec.padding_mode == "zeros" else "dxp"


def _conv_dx(spec: Any) -> tuple[Slices, tuple[int, ...], tuple[int, ...]]:
    """A Conv3d's dx (or dxp) as slices of its direct convolution: the depths of ``dy`` drawn,
    the zeros between and around them left out (their products are 0)."""
    direct, before, after = conv_layout(spec)
    s, kd, do, cig = spec.stride[0], spec.kernel_size[0], spec.output_shape[1], spec.in_per_group
    out = _grad_name(spec)

    def real(q: int) -> Optional[int]:
        o, r = divmod(q - before[0], s)
        return o if r == 0 and 0 <= o < do else None

    slices = Slices(
        direct,
        spec.caption,
        "dy",
        "w",
        out,
        input_label=lambda co, q: f"dy[{co}, {real(q)}]",
        kernel_label=lambda co, q, t, ci: f"w[{co},{ci % cig},{kd - 1 - t}]",
        output_label=lambda ci, z: f"{out}[{ci}, {z}]",
        keep=lambda q: real(q) is not None,
    )
    return slices, before, after


def _conv_dw(spec: Any) -> Slices:
    """A Conv3d's dw as slices of its direct convolution: over the padded input, each ``dy``
    channel as the kernels, one input channel a group; output depth dz is dw[:, :, dz]."""
    read = tuple((o - 1) * s + r for o, s, r in zip(spec.output_shape[1:], spec.stride, spec.receptive_field))
    cig, cog, p = spec.in_per_group, spec.out_per_group, spec.padding[0]
    direct = conv3(
        spec,
        (spec.in_channels, *read),
        spec.in_channels * cog,
        spec.output_shape[1:],
        spec.dilation,
        spec.stride,
        spec.in_channels,
    )
    weight = lambda o: (o // cog // cig * cog + o % cog, o // cog % cig)  # noqa: E731  (co, ci) of dw's output o
    return Slices(
        direct,
        spec.caption,
        "x",
        "dy",
        "dw",
        input_label=lambda ci, q: f"x[{ci}, {q - p}]",
        title=lambda ci, q: slice_title("x", ci, q - p, spec.input_shape[1]),
        kernel_label=lambda ci, q, t, o: f"dy[{weight(o)[0]}, {t}]",
        output_label=lambda o, kz: "dw[{},{},{}]".format(*weight(o), kz),
        cell_label=lambda o, kz, ky, kx: "dw[{}, {}, {}, {}, {}]".format(*weight(o), kz, ky, kx),
        hue_group=lambda ci: ci // cig,  # one group an input channel
    )


def _dx_geometries(spec: Any) -> list[Geometry]:
    """dx's (or dxp's) depth slices."""
    blame, caption = input_blame(spec), spec.caption
    slices, before, after = _conv_dx(spec)
    heading, notes = _dx_words(spec.plane(), 2, PLAIN, before[1:], after[1:])
    s, p, dil = spec.stride[0], spec.padding[0], spec.dilation[0]
    out = slices.out
    count = slices.spec.output_shape[1]
    pictures = []
    for z in range(count):
        which = f"depth {z} ({depth_range(count)})" if out == "dx" else f"padded depth {z} ({depth_range(count)})"
        taps = slices.taps(z)
        if not taps:
            why = f"no output depth read x[:, {z}]" if out == "dx" else "no output depth read it"
            shape = (spec.in_channels, *slices.spec.output_shape[1:])
            pictures.append(zero_geometry(spec, caption, out, z, which, why, blame, shape, spec.groups))
            continue
        pairs = ", ".join(f"({(slices.depth(z, t) - before[0]) // s}, {spec.kernel_size[0] - 1 - t})" for t in taps)
        reach = f"o·{s} − {p} + dz·{dil}" if out == "dx" else f"o·{s} + dz·{dil}"
        depth = f"{which}: {out}[:, {z}] gathers dy[:, o]·w[:, :, dz] for (o, dz) = {pairs}: {reach} = {z}"
        pictures.append(
            slice_geometry(
                slices,
                z,
                (*notes, depth),
                blame,
                input_heading=f"dy ({heading})" if heading else "dy",
                kernel_heading="kernels w, turned 180°",
                output_heading="dx = ∂L/∂x" if out == "dx" else "dxp = ∂L/∂(padded x)",
            )
        )
    return pictures


def conv3d_geometries(spec: Any) -> list[Geometry]:
    """The pictures of a Conv3d's backward pass: each depth slice of dx (of dxp, then dx's
    folded, where the padding copies cells), each kernel depth of dw, then db."""
    blame = input_blame(spec)
    pictures, (dx, _, _) = _dx_geometries(spec), _conv_dx(spec)
    lines = [_last_line(dx, z, bool(dx.taps(z))) for z in range(dx.spec.output_shape[1])]
    if spec.padding_mode != "zeros":
        pictures += [fold_geometry(spec, d) for d in range(spec.input_shape[1])]
        lines += [_fold_line(spec, d) for d in range(spec.input_shape[1])]
    dw = _conv_dw(spec)
    s, p, dil = spec.stride[0], spec.padding[0], spec.dilation[0]
    dw_notes = (
        "backward, dw = ∂L/∂w: each weight's gradient sums x·dy over every placement of its kernel",
        f"dy slides over x as the kernels, its cells {pair_text(spec.stride)} apart (the stride), moving "
        f"{pair_text(spec.dilation)} at a time (the dilation)",
    )
    do = spec.output_shape[1]
    copies = "padding" if spec.padding_mode == "zeros" else f"padding ({spec.padding_mode} copies)"
    for kz in range(spec.kernel_size[0]):
        depths = [o * s - p + kz * dil for o in range(do)]
        note = (
            f"kernel depth {kz} ({depth_range(spec.kernel_size[0])}): dw[:, :, {kz}] sums x[:, d]·dy[:, o] over o = "
            f"{taps_text(do)}, d = o·{s} − {p} + {kz}·{dil} = {', '.join(map(str, depths))}"
            + outside_text(depths, spec.input_shape[1], copies)
        )
        pictures.append(
            slice_geometry(
                dw,
                kz,
                (*dw_notes, note),
                blame,
                grid=spec.padded_shape[2:],  # all of it, as the forward pass draws it: the cells no window reads marked
                input_heading="x (padded)" if spec.padded_shape != spec.input_shape else "x",
                kernel_heading="dy, as kernels",
                output_heading="dw = ∂L/∂w",
            )
        )
    lines += [slice_line(dw, kz) for kz in range(spec.kernel_size[0])]
    pictures = longest_drawn(pictures, lambda i, total, geometry: lines[i](total, geometry))
    return pictures + [depth_bias_geometry(spec, blame)] if spec.bias else pictures


def _last_line(slices: Any, z: int, reached: bool) -> Callable[[int, Geometry], str]:
    """The longest step line of depth slice ``z`` of ``slices`` (as its picture is finally
    drawn): of its last position, or of its one step of zeros when nothing reaches it, the last
    of ``total`` steps."""
    return slice_line(slices, z) if reached else lambda total, _: zero_line(slices.out, z, total - 1, total)


def _fold_line(spec: Any, d: int) -> Callable[[int, Geometry], str]:
    """The longest step line of :func:`fold_geometry`'s picture of input depth slice ``d``."""
    _, _, h, w = spec.input_shape
    if not _held(spec, d):
        return lambda total, _: zero_line("dx", d, total - 1, total)
    return lambda total, _: f"dx at ({d}, {h - 1}, {w - 1}) · step {total}/{total}"


def flipped3(spec: Any, weight: np.ndarray) -> np.ndarray:
    """(C_out, C_in/G, KD, KH, KW) kernels as dx's direct convolution takes them: (C_in,
    C_out/G, KD, KH, KW), channels swapped within each group, turned 180° on every axis."""
    g, cog, cig = spec.groups, spec.out_per_group, spec.in_per_group
    per = weight.reshape(g, cog, cig, *weight.shape[2:]).transpose(0, 2, 1, 3, 4, 5)
    return per.reshape(g * cig, cog, *weight.shape[2:])[:, :, ::-1, ::-1, ::-1].copy()


def _own(spec: Any, sizes: Sequence[int]) -> np.ndarray:
    """The padded input's cells (of the first ``sizes``) that are padding, not the input's own."""
    masks = [padding_mask(spec, axis) for axis in range(3)]
    own = masks[0][:, None, None] | masks[1][None, :, None] | masks[2][None, None, :]
    return own[tuple(slice(0, n) for n in sizes)]


def conv3d_drawings(spec: Any, geometries: Sequence[Geometry], recording: Any, pixels: bool = False) -> list[Drawn]:
    """The pictures of :func:`conv3d_geometries` from a :class:`~convgif.ops.backward.BackwardRecording`."""
    forward, dy = recording.forward, recording.grad_output
    slices, before, after = _conv_dx(spec)
    grid = spread(dy, spec.stride, before, after)
    filler, inserted = spread_kinds(dy.shape[1:], spec.stride, before, after)
    kernels = flipped3(spec, forward.weight)
    full = convolve(slices.spec, grid, kernels, None)
    pictures, count = [], counts(geometries)
    for z in range(slices.spec.output_shape[1]):
        taps = slices.taps(z)
        if not taps:
            pictures.append(zero_drawn(geometries[z], np.zeros_like(full[:, z]), z, count[z]))
            continue
        marks = inserted[slices.depth(z, taps[0])]
        marks = marks if marks.any() else None
        pictures.append(
            slice_drawn(
                slices, z, geometries[z], grid, kernels, filler, full, pixels, marks, "zeros around", count=count[z]
            )
        )
    if spec.padding_mode != "zeros":
        dx = recording.grad_input
        for d in range(spec.input_shape[1]):
            i = len(pictures)
            pictures.append(fold_drawn(spec, geometries[i], full, dx, d, count[i]))
    dw = _conv_dw(spec)
    read = forward.padded[(slice(None), *(slice(0, n) for n in dw.spec.input_shape[1:]))]
    cig, cog = spec.in_per_group, spec.out_per_group
    kernels = dy.reshape(spec.groups, 1, cog, *dy.shape[1:]).repeat(cig, axis=1).reshape(-1, 1, *dy.shape[1:])
    full = convolve(dw.spec, read, kernels, None)
    own, copies = _own(spec, read.shape[1:]), spec.padding_mode != "zeros"
    whole = forward.padded, _own(spec, forward.padded.shape[1:])
    for kz in range(spec.kernel_size[0]):
        i = len(pictures)
        pictures.append(
            slice_drawn(
                dw, kz, geometries[i], read, kernels, own, full, pixels, copies=copies, count=count[i], whole=whole
            )
        )
        pictures[-1].copies_name = COPIES_NAMES.get(spec.padding_mode, "")
    if spec.bias:
        pictures.append(depth_bias_drawn(geometries[-1], dy))
    return pictures


# -- a padding that copies cells: their gradients folded back, one input depth slice at a time ------


def _held(spec: Any, d: int) -> list[int]:
    """The padded depths holding input depth ``d``: its own and those of the padding copying it."""
    return [p for p, source in enumerate(source_index(spec, 0)) if source == d]


def fold_geometry(spec: Any, d: int) -> Geometry:
    """The picture gathering input depth slice ``d``'s gradient from ``dxp``: each cell its own
    and that of every padding cell (in its depth slice or in a copy of it) copying it."""
    held, count = _held(spec, d), spec.input_shape[1]
    which = f"depth {d} ({depth_range(count)})"
    c, (_, _, h, w) = spec.in_channels, spec.input_shape
    if not held:
        why = f"padding={spec.padding_arg} cropped x[:, {d}]"
        return zero_geometry(spec, spec.caption, "dx", d, which, why, input_blame(spec), groups=spec.groups)
    note = (
        f"backward, dx = ∂L/∂x: padding_mode={spec.padding_mode!r} copied input cells into the padding, so each input "
        "cell gathers its own dxp and that of every padding cell copying it"
    )
    padded = ", ".join(map(str, held))
    geometry = gather_geometry(
        spec,
        spec.caption,
        2,
        c * len(held),
        c,
        spec.padded_shape[2:],
        (h, w),
        input_blame(spec),
        "dxp",
        "dx",
        (note, f"{which}: dx[:, {d}] gathers dxp[:, p] for p = {padded}: x[:, {d}] and its copies"),
        "dxp (padded)",
        terms=4,
        groups=c,
    )
    head = f"dx[{c - 1}, {d}, {h - 1}, {w - 1}] = "
    term = len(f"dxp[{c - 1}, {max(held)}, {spec.padded_shape[2] - 1}, {spec.padded_shape[3] - 1}]")
    from dataclasses import replace

    return replace(
        geometry,
        input_label=lambda i: f"dxp[{i // len(held)}, {held[i % len(held)]}]",
        output_label=lambda ci: f"dx[{ci}, {d}]",
        inputs_word="input slices",
        sum_chars=lambda chars, drawn: len(drawn[2]) * (len(head) + 4 * (term + chars + 6) + chars + 6),
        hue_group=lambda ci: ci // spec.in_per_group,
    )


def fold_drawn(spec: Any, geometry: Geometry, grad: np.ndarray, dx: np.ndarray, d: int, count: Count) -> Drawn:
    """The picture of :func:`fold_geometry`: ``grad`` (C_in, *padded) dxp, ``dx`` the input's
    gradient (which the picture's sums equal, checked); ``count`` where its steps stand among
    those of every depth slice of dx."""
    held = _held(spec, d)
    if not held:
        return zero_drawn(geometry, np.zeros_like(dx[:, d]), d, count)
    rows, cols = source_index(spec, 1), source_index(spec, 2)
    sources: list[list[tuple[int, int]]] = [[] for _ in range(dx.shape[2] * dx.shape[3])]
    for gy, sy in enumerate(rows):
        for gx, sx in enumerate(cols):
            if sy >= 0 and sx >= 0:
                sources[sy * dx.shape[3] + sx].append((gy, gx))
    grid = np.stack([grad[c, p] for c in range(spec.in_channels) for p in held])
    own = _own(spec, spec.padded_shape[1:])
    filler = np.stack([own[p] for _ in range(spec.in_channels) for p in held])
    out = np.ascontiguousarray(dx[:, d])
    playback = FoldSteps(grid, out, sources, held, d, count)
    for c in range(out.shape[0]):
        for i, cells in enumerate(sources):
            total = sum(grid[c * len(held) + k, gy, gx] for k in range(len(held)) for gy, gx in cells)
            if not np.isclose(total, out.flat[c * len(sources) + i], rtol=1e-9, atol=1e-9):
                raise AssertionError(f"the folded gradient of {spec} does not add up at depth {d}")
    return Drawn(
        geometry=geometry,
        grid=grid,
        filler=filler,
        kernels=None,
        output=out,
        playback=playback,
        copies=True,
        copies_name=COPIES_NAMES.get(spec.padding_mode, ""),
        value_chars=widest(grid, out),
    )


class FoldSteps:
    """The steps of a fold picture: input position (y, x), row by row, every channel at once,
    each cell the sum of the ``dxp`` cells that hold it (in the padded depths ``held``)."""

    def __init__(self, grid: np.ndarray, dx: np.ndarray, sources: list, held: list[int], d: int, count: Count) -> None:
        self.grid, self.dx, self.sources, self.held, self.d, self.count = grid, dx, sources, held, d, count
        self.scales = magnitude(grid), magnitude(dx)

    def _cells(self, c: int, i: int) -> list[tuple[int, int, int]]:
        n = len(self.held)
        return [(c * n + k, gy, gx) for k in range(n) for gy, gx in self.sources[i]]

    def advance(self, step: int) -> list[Writes]:
        y, x = divmod(step, self.dx.shape[2])
        box = (y, x, y + 1, x + 1)
        return [
            Writes(c, np.array([y]), np.array([x]), self.dx[c, y : y + 1, x : x + 1], box) for c in range(len(self.dx))
        ]

    def show(self, step: int) -> Step:
        y, x = divmod(step, self.dx.shape[2])
        n = len(self.held)

        def reads(c: int) -> Reads:
            cells = np.array(self._cells(c, step), np.int64).reshape(-1, 3)
            if not len(cells):
                return Reads(cells, (0, 0, 0, 0))
            (top, left), (bottom, right) = cells[:, 1:].min(axis=0), cells[:, 1:].max(axis=0) + 1
            return Reads(cells, (int(top), int(left), int(bottom), int(right)))

        sums = []
        for c in range(len(self.dx)):
            cells = self._cells(c, step)
            head = f"dx[{c}, {self.d}, {y}, {x}]"
            total = format_value(self.dx[c, y, x], self.scales[1])
            names = [f"dxp[{ch // n}, {self.held[ch % n]}, {gy}, {gx}]" for ch, gy, gx in cells]
            values = [format_value(self.grid[ch, gy, gx], self.scales[0]) for ch, gy, gx in cells]
            if not cells:
                entry = f"{head} = 0: no padded cell holds it"
            elif len(cells) == 1:
                entry = f"{head} = {names[0]} = {total}"
            elif len(cells) <= 4:
                entry = f"{head} = {' + '.join(names)} = {' + '.join(values)} = {total}"
            else:
                entry = f"{head} = {' + '.join(values)} = {total}"
            sums.append(entry.replace("+ -", "− ").replace("+ −", "− "))
        counted, total = self.count.at(step, self.dx.shape[1] * self.dx.shape[2])
        text = f"dx at ({self.d}, {y}, {x}) · step {counted + 1}/{total}"
        channels = tuple(range(len(self.dx)))
        return Step(0, LazyReads(reads), self.advance(step), text, tuple(sums), channels)
