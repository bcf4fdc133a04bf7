"""The backward pass of the 3-D layers that move values, drawn a depth slice at a time.

A 3-D padding (reflect, replicate, circular, zero, constant) and a MaxUnpool3d have no weights:
each input cell's gradient gathers the ``dy`` of the output cells that took its value
(:func:`convgif.ops.backward_moves.gather_drawn`: dy on the left, dx on the right filling up, one
input position a step, every channel at once). The gradients are the 3-D layer's own (its
:class:`~convgif.engine.backward.Links`).

* **One output depth slice at a time** (:func:`slice_geometries`, a padding's): output slice z
  copied one input slice d, so ``dy[:, z]`` goes back to ``dx[:, d]``; a depth padding that
  copies whole slices (reflect, replicate, circular) sends several output slices back to one
  input slice, whose dx then adds up picture after picture, each sum line writing what dx held
  and what it adds. One dy slice a picture: every cell a sum reads is drawn. A three-axis
  Upsample's output slice reading two input slices (trilinear) has a picture for each
  (:mod:`convgif.ops.backward_resample_depth`).
* **One input depth slice at a time** (:func:`depth_gather_geometries`, a MaxUnpool3d's): the
  picture of ``dx[:, d]`` draws every output slice its indices can point into; each cell takes
  one dy cell, named in its sum line.

An input slice no output cell takes a value from (one a negative depth padding crops, one a
downscaling Upsample skips) is drawn as one step writing its zeros, its dx alone: no dy reaches
it, so no input grid is drawn.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, Optional

import numpy as np

from ..engine.backward import links_of
from ..picture.model import Drawn, Geometry, LazyReads, Reads, Step, Writes
from ..picture.numbers import format_value
from .backward_moves import Labels, gather_drawn, gather_geometry, gather_sources
from .depth_steps import Count, counts, depth_range, longest


def _labels(d: int, zs: Sequence[int]) -> Labels:
    """dy's grids are (channel, slot of ``zs``), dx's the channels of depth ``d``."""
    k = max(len(zs), 1)

    def element(name: str, ch: int, y: int, x: int) -> str:
        if name == "dy":
            c, slot = divmod(ch, k)
            return f"dy[{c}, {zs[slot]}, {y}, {x}]"
        return f"{name}[{ch}, {d}, {y}, {x}]"

    return Labels(element, lambda y, x: f"({d}, {y}, {x})")


def _last_step(pictures: Sequence[tuple[bool, int]], h: int, w: int) -> Callable[[int, int], str]:
    """The longest step line of each picture (``pictures``: whether it gathers, and into which
    input depth slice d, of h × w cells): its last cell gathered, or its one step of zeros, the
    last of ``total`` steps."""

    def line(i: int, total: int) -> str:
        gathers, d = pictures[i]
        return f"dx at ({d}, {h - 1}, {w - 1}) · step {total}/{total}" if gathers else _none_text(d, total - 1, total)

    return line


def _none_text(d: int, step: int = 0, steps: int = 1) -> str:
    return f"dx[:, {d}] · step {step + 1}/{steps}"


def depth_note(depth: int, d: int, zs: Sequence[int], took: str) -> str:
    """What the picture of input depth ``d`` (of ``depth``) gathers from."""
    if not zs:
        return f"depth {d} ({depth_range(depth)}): no output cell took a value of x[:, {d}], so dx[:, {d}] = 0"
    return f"depth {d} ({depth_range(depth)}): dx[:, {d}] gathers from dy[:, z], z = {', '.join(map(str, zs))}, {took}"


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
                sum_chars=lambda chars, drawn: len(drawn[2]) * (2 * widest + 12 + terms * (widest + 2 * chars + 8)),
            )
        )
    return longest(geometries, _last_step([(bool(zs), d) for d, zs in enumerate(slices)], h, w))


def _none_geometry(spec: Any, d: int, notes: tuple[str, ...], blame: Any) -> Geometry:
    """The picture of an input depth slice no output cell took a value of: one step, its dx 0.
    No dy reaches it, so no input is drawn (no grid, line or key standing for one): dx alone."""
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
        input_heading="",
        input_name="dy",
        inputs_drawn=False,
        kernel_label=lambda i, j: "",
        blame=blame,
        notes=notes,
        output_label=lambda co: f"dx[{co}, {d}]",
        output_heading="dx = ∂L/∂x",
        output_name="dx",
        inputs_word="input slices",
        numbers=True,
        columns_take_turns=False,
        sum_chars=lambda chars, drawn: len(drawn[2]) * (len(f"dx[{c}, {d}, :, :] = ") + chars + 3),
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
    for d, (geometry, zs, count) in enumerate(zip(geometries, slices, counts(geometries))):
        dx = np.ascontiguousarray(dx_all[:, d])
        if not zs:
            drawn.append(_none_drawn(geometry, dx, d, count))
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
        drawn.append(gather_drawn(geometry, dy, dx, taken, reason=why, names=_labels(d, zs), count=count))
    return drawn


def _none_drawn(geometry: Geometry, dx: np.ndarray, d: int, count: Count) -> Drawn:
    """The picture of :func:`_none_geometry`: its input grid is never drawn (one cell a channel,
    for the shades' sake)."""
    grid = np.zeros((dx.shape[0], 1, 1), dtype=dx.dtype)
    return Drawn(
        geometry=geometry,
        grid=grid,
        filler=np.zeros(grid.shape, dtype=bool),
        kernels=None,
        output=dx,
        playback=_NonePlayback(dx, d, count),
        start=None,
        value_chars=max(1, len(format_value(0))),
    )


class _NonePlayback:
    """The one step of an input depth slice no output cell took a value of: its dx all 0."""

    def __init__(self, dx: np.ndarray, d: int, count: Count) -> None:
        self.dx, self.d, self.count = dx, d, count

    def advance(self, step: int) -> list[Writes]:
        c, h, w = self.dx.shape
        return [Writes(ch, np.arange(h), np.arange(w), self.dx[ch], (0, 0, h, w)) for ch in range(c)]

    def show(self, step: int) -> Step:
        channels = self.dx.shape[0]

        def reads(c: int) -> Reads:
            return Reads(np.zeros((0, 3), dtype=np.int64), (0, 0, 0, 0))

        sums = tuple(f"dx[{c}, {self.d}, :, :] = 0" for c in range(channels))  # the notes say why
        text = _none_text(self.d, *self.count.at(0, 1))
        return Step(0, LazyReads(reads), self.advance(step), text, sums, tuple(range(channels)))


# -- one output depth slice at a time: each sends its dy back to the input slice it copied --------

#: The pictures of a layer each of whose output depth slices copies one input depth slice: per
#: picture (z, d), output slice z's dy gathered into dx[:, d], or (None, d): an input slice no
#: output slice copies, its dx 0.
Order = list[tuple[Optional[int], int]]


def slice_order(sources: Sequence[int], depth: int) -> Order:
    """The pictures of a layer whose output depth z copies input depth ``sources[z]`` (−1: none)
    of ``depth``: the output slices in order, after the input slices before the first one
    copied and before those after the last (the slices a negative padding crops), with dx 0."""
    copied = [(z, d) for z, d in enumerate(sources) if d >= 0]
    kept = {d for _, d in copied}
    first = min(kept, default=depth)
    before = [(None, d) for d in range(depth) if d not in kept and d < first]
    after = [(None, d) for d in range(depth) if d not in kept and d >= first]
    return [*before, *copied, *after]


def slice_geometries(
    spec: Any,
    order: Order,
    notes: Callable[[Optional[int], int, list[int]], tuple[str, ...]],
    terms: int,
    weighed: bool = False,
) -> list[Geometry]:
    """One picture per entry of ``order`` (``notes(z, d, earlier)``: its notes, ``earlier`` the
    output depths gathered into dx[:, d] before it); ``terms`` about the most a cell gathers,
    ``weighed`` whether with weights (see :func:`~convgif.ops.backward_moves.gather_geometry`)."""
    c, depth, h, w = spec.input_shape
    _, d_out, ho, wo = spec.output_shape
    blame = lambda axis: ("input_shape", spec.input_shape, "input")  # noqa: E731
    widest = max(len(f"dy[{c - 1}, {d_out - 1}, {ho - 1}, {wo - 1}]"), len(f"dx[{c - 1}, {depth - 1}, {h}, {w}]"))
    geometries, seen = [], {}
    for z, d in order:
        earlier = seen.setdefault(d, [])
        if z is None:
            geometries.append(_none_geometry(spec, d, notes(z, d, earlier), blame))
            continue
        base = gather_geometry(
            spec,
            spec.caption,
            2,
            c,
            c,
            (ho, wo),
            (h, w),
            blame,
            "dy",
            "dx",
            notes(z, d, earlier),
            terms=terms,
            groups=c,
            weighed=weighed,
        )
        held = 8 if earlier else 0  # a sum adding to what dx holds writes it twice
        geometries.append(
            dataclasses.replace(
                base,
                input_label=lambda i, z=z: f"dy[{i}, {z}]",
                output_label=lambda co, d=d: f"dx[{co}, {d}]",
                inputs_word="dy slices",
                sum_chars=lambda chars, drawn, held=held: (
                    len(drawn[2]) * (2 * widest + 12 + held + terms * (widest + 2 * chars + 8))
                ),
            )
        )
        earlier.append(z)
    return longest(geometries, _last_step([(z is not None, d) for z, d in order], h, w))


def slice_drawings(geometries: list[Geometry], recording: Any, links: Any, order: Order) -> list[Drawn]:
    """The recorded pictures of :func:`slice_geometries`: dx[:, d] adding up, picture after
    picture, what each output slice's ``links`` (the layer's, in output order) send it (an
    output slice reading several input slices has a picture, an entry of ``order``, for each)."""
    dy_all, dx_all = np.asarray(recording.grad_output), np.asarray(recording.grad_input)
    c, depth, h, w = dx_all.shape
    _, d_out, ho, wo = dy_all.shape
    plane, area = h * w, ho * wo
    terms = links.terms(dy_all)
    running = np.zeros(dx_all.shape, dtype=terms.dtype if terms.size else dx_all.dtype)
    z_of, d_of = (links.out // area) % d_out, (links.cell // plane) % depth
    gathered: set[int] = set()
    drawn = []
    for geometry, (z, d), count in zip(geometries, order, counts(geometries)):
        if z is None:
            drawn.append(_none_drawn(geometry, np.ascontiguousarray(dx_all[:, d]), d, count))
            continue
        pick = (z_of == z) & (d_of == d)  # output slice z's links into input slice d
        out, cell = links.out[pick], links.cell[pick]
        start = running[:, d].copy() if d in gathered else None
        np.add.at(running.reshape(-1), cell, terms[pick])
        gathered.add(d)
        factor = None if links.factor is None else links.factor[pick]
        moved = links_of(
            (out // (d_out * area)) * area + out % area, (cell // (depth * plane)) * plane + cell % plane, factor
        )
        sources = gather_sources(moved, (c, h, w))  # a dy cell's links one term, their factors added
        dy = np.ascontiguousarray(dy_all[:, z])
        labels = _labels(d, [z])
        picture = gather_drawn(geometry, dy, running[:, d].copy(), sources, names=labels, start=start, count=count)
        drawn.append(picture)
    return drawn
