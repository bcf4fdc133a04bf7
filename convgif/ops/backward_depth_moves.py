"""The backward pass of the 3-D layers that move values, drawn one input depth slice at a time.

A 3-D padding (reflect, replicate, circular, zero, constant) and a MaxUnpool3d have no weights:
each input cell's gradient gathers the ``dy`` of the output cells that took its value. Those may
lie in several output depth slices (a reflect, replicate or circular depth padding copies whole
slices), so the picture of input depth slice ``d`` draws, on the left, every output depth slice
``dy[c, z]`` that takes a value from ``x[c, d]``, and on the right ``dx[c, d]`` filling up, one
input position a step, every channel at once (:func:`convgif.ops.backward_moves.gather_drawn`):
each sum line names every term it adds, all of them on screen. An input slice no output slice
takes a value from (one a negative depth padding crops) is drawn as one step writing its zeros.
The gradients are the 3-D layer's own (its :class:`~convgif.engine.backward.Links`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any, Optional

import numpy as np

from ..picture.model import Drawn, Geometry, LazyReads, Reads, Step, Writes, format_value
from .backward_moves import Labels, gather_drawn, gather_geometry, gather_sources

#: What a kind says of its slices: (depth d) -> the output depths z whose dy x[:, d] gathers.
Depths = Callable[[int], list[int]]


def depth_sources(links: Any, in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> list[list[int]]:
    """Per input depth d, the output depths z some output cell of which took a value of
    ``x[:, d]`` (``links`` the layer's, (C, D, H, W) in and out), in order."""
    d_in, plane_in = in_shape[1], math.prod(in_shape[2:])
    plane_out = math.prod(out_shape[2:])
    found: list[set[int]] = [set() for _ in range(d_in)]
    depth_in = (np.asarray(links.cell) // plane_in) % d_in
    depth_out = (np.asarray(links.out) // plane_out) % out_shape[1]
    for d, z in set(zip(depth_in.tolist(), depth_out.tolist())):
        found[d].add(z)
    return [sorted(z) for z in found]


def _labels(d: int, zs: Sequence[int]) -> Labels:
    """dy's grids are (channel, slot of ``zs``), dx's the channels of depth ``d``."""
    k = max(len(zs), 1)

    def element(name: str, ch: int, y: int, x: int) -> str:
        if name == "dy":
            c, slot = divmod(ch, k)
            return f"dy[{c}, {zs[slot]}, {y}, {x}]"
        return f"{name}[{ch}, {d}, {y}, {x}]"

    return Labels(element, lambda y, x: f"({d}, {y}, {x})")


def _step_text(d: int, y: int, x: int, steps: int) -> str:
    return f"dx at ({d}, {y}, {x}) · step {steps}/{steps}"


def depth_note(depth: int, d: int, zs: Sequence[int], took: str) -> str:
    """What the picture of input depth ``d`` (of ``depth``) gathers from."""
    if not zs:
        return f"depth {d} of {depth}: no output cell took a value of x[:, {d}], so dx[:, {d}] = 0"
    return f"depth {d} of {depth}: dx[:, {d}] gathers from dy[:, z], z = {', '.join(map(str, zs))}, {took}"


def depth_gather_geometries(
    spec: Any, slices: list[list[int]], notes: Callable[[int, list[int]], tuple[str, ...]], terms: int
) -> list[Geometry]:
    """One gather picture per input depth slice (``slices[d]``: the output depths it gathers
    from; ``notes(d, zs)``: its notes), in order; ``terms`` about the most a cell gathers."""
    c, depth, h, w = spec.input_shape
    _, d_out, ho, wo = spec.output_shape
    blame = lambda axis: ("input_shape", spec.input_shape, "input")  # noqa: E731
    widest = max(len(f"dy[{c - 1}, {d_out - 1}, {ho - 1}, {wo - 1}]"), len(f"dx[{c - 1}, {depth - 1}, {h}, {w}]"))
    geometries = []
    for d, zs in enumerate(slices):
        if not zs:
            geometries.append(_none_geometry(spec, d, notes(d, zs), blame))
            continue
        k = len(zs)
        base = gather_geometry(
            spec, spec.caption, 2, c * k, c, (ho, wo), (h, w), blame, "dy", "dx", notes(d, zs), terms=terms, groups=c
        )
        geometries.append(
            dataclasses.replace(
                base,
                input_label=lambda i, k=k, zs=zs: f"dy[{i // k}, {zs[i % k]}]",
                output_label=lambda co, d=d: f"dx[{co}, {d}]",
                inputs_word="dy slices",
                step_text=_step_text(d, h - 1, w - 1, h * w),
                sum_chars=lambda chars, drawn: len(drawn[2]) * (2 * widest + 12 + terms * (widest + 2 * chars + 8)),
            )
        )
    return geometries


def _none_geometry(spec: Any, d: int, notes: tuple[str, ...], blame: Any) -> Geometry:
    """The picture of an input depth slice no output cell took a value of: one step, its dx 0."""
    c, _, h, w = spec.input_shape
    return Geometry(
        layer=spec,
        caption=spec.caption,
        dims=2,
        in_channels=c,
        out_channels=c,
        groups=c,
        grid=(h, w),
        kernel=None,
        out_size=(h, w),
        steps_per_column=1,
        input_heading="x, cropped: no dy reaches it",
        input_name="x",
        input_label=lambda ch: f"x[{ch}, {d}]",
        kernel_label=lambda i, j: "",
        blame=blame,
        notes=notes,
        output_label=lambda co: f"dx[{co}, {d}]",
        output_heading="dx = ∂L/∂x",
        output_name="dx",
        inputs_word="input slices",
        numbers=True,
        columns_take_turns=False,
        step_text=f"dx[:, {d}] · step 1/1",
        sum_chars=lambda chars, drawn: len(drawn[2]) * (len(f"dx[{c}, {d}, :, :] = 0") + 8),
        value_chars=3,
    )


def depth_gather_drawings(
    geometries: list[Geometry],
    recording: Any,
    links: Any,
    slices: list[list[int]],
    reason: Optional[Callable[[int, int, int], str]] = None,
) -> list[Drawn]:
    """The recorded pictures of :func:`depth_gather_geometries` (``recording`` a backward
    recording of a (C, D, H, W) layer, ``links`` its gradient's); ``reason(c, d, i)`` adds words
    to the entry of channel ``c``'s flat cell ``i`` of depth ``d``."""
    dy_all, dx_all = np.asarray(recording.grad_output), np.asarray(recording.grad_input)
    c, _, h, w = dx_all.shape
    _, d_out, ho, wo = dy_all.shape
    sources = gather_sources(links, dx_all.shape)
    plane, area = h * w, ho * wo
    drawn = []
    for d, (geometry, zs) in enumerate(zip(geometries, slices)):
        dx = np.ascontiguousarray(dx_all[:, d])
        if not zs:
            drawn.append(_none_drawn(geometry, dx, d))
            continue
        k = len(zs)
        slot = {z: i for i, z in enumerate(zs)}
        dy = np.ascontiguousarray(dy_all[:, zs]).reshape(c * k, ho, wo)

        def taken(ch: int, i: int, d: int = d, k: int = k, slot: dict = slot) -> list[tuple[int, Optional[float]]]:
            moved = []
            for out, factor in sources(ch, d * plane + i):
                cc, z, cell = out // (d_out * area), (out // area) % d_out, out % area
                moved.append(((cc * k + slot[z]) * area + cell, factor))
            return moved

        why = None if reason is None else (lambda ch, i, d=d: reason(ch, d, i))
        drawn.append(gather_drawn(geometry, dy, dx, taken, reason=why, names=_labels(d, zs)))
    return drawn


def _none_drawn(geometry: Geometry, dx: np.ndarray, d: int) -> Drawn:
    grid = np.zeros_like(dx)
    return Drawn(
        geometry=geometry,
        grid=grid,
        filler=np.ones(grid.shape, dtype=bool),
        kernels=None,
        output=dx,
        playback=_NonePlayback(dx, d),
        start=None,
        value_chars=max(1, len(format_value(0))),
        filler_text="",
        filler_name="cropped",
    )


class _NonePlayback:
    """The one step of an input depth slice no output cell took a value of: its dx all 0."""

    def __init__(self, dx: np.ndarray, d: int) -> None:
        self.dx, self.d = dx, d

    def advance(self, step: int) -> list[Writes]:
        c, h, w = self.dx.shape
        return [Writes(ch, np.arange(h), np.arange(w), self.dx[ch], (0, 0, h, w)) for ch in range(c)]

    def show(self, step: int) -> Step:
        channels = self.dx.shape[0]

        def reads(c: int) -> Reads:
            return Reads(np.zeros((0, 3), dtype=np.int64), (0, 0, 0, 0))

        sums = tuple(f"dx[{c}, {self.d}, :, :] = 0: no output cell took it" for c in range(channels))
        return Step(
            0, LazyReads(reads), self.advance(step), f"dx[:, {self.d}] · step 1/1", sums, tuple(range(channels))
        )


def depth_gather_steps(spec: Any, slices: list[list[int]]) -> int:
    """Steps of all the pictures: one per input position of each slice gathered, one per slice not."""
    plane = math.prod(spec.input_shape[2:])
    return sum(plane if zs else 1 for zs in slices)
