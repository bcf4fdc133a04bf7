"""The picture of a pooling: one window position a step, every channel at once, the window's
cells ringed, the winner of a max outlined, each output's max or mean written out (and the
indices beside the output when the layer returns them)."""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from ..engine.part import PartArray
from ..engine.windows import (
    INPUT,
    OVERHANG,
    PADDING,
    PoolPlacement,
    PoolRecording,
    _axis_kinds,
    read_rows,
)
from ..picture.cells import cells as text_cells
from ..picture.model import Crop, Drawn, Geometry, LazyReads, Part, Reads, Region, Step, Writes, part_note
from ..picture.numbers import format_value, magnitude
from ..picture.sizes import WHOLE_SUM_TERMS
from ..picture.sumline import LONG_TERMS, LongSum, cell_widths
from .base import dims_text
from .depth_steps import of_part
from .gathered import at as element_text
from .sliding import draws_part, picture_read, position, read_extent, widest_text


def pool_step_text(dims: int, oy: int, ox: int, step: int, steps: int, part: bool = False) -> str:
    """The step line of a pooling: where the window is, and the step among the ``steps`` drawn
    (``of this part`` when the picture is a part of the layer)."""
    return f"window at {position(dims, oy, ox)} · step {step + 1}/{steps}{' of this part' if part else ''}"


def pooled(spec: Any) -> str:
    """What each output of a pooling is, in words: a max's largest value, an average's mean, or
    with ``divisor_override`` its window's sum over that divisor (a mean only by chance)."""
    if spec.KIND == "max":
        return "the largest value of the cells it covers"
    override = getattr(spec, "divisor_override", None)
    return f"its window's sum / {override}" if override else "the mean of the cells it covers"


def pool_blame(spec, flat, axis: int) -> tuple[str, object, str]:
    """What to shrink on ``axis`` of the drawn (2-D) ``flat`` spec, named as ``spec`` has it."""
    if 2 * flat.padding[axis] > flat.input_shape[1 + axis]:
        return "padding", spec.padding, "padding"
    return "input_shape", spec.input_shape, "input"


#: Characters of the widest input value expected: a picture's pixels (0 to 255).
PIXEL_CHARS = 3


def pool_geometries(spec: Any, flat: Any, dims: int, region: Optional[Region] = None) -> list[Geometry]:
    """The picture of a pooling (``flat``, its 2-D form): a window over every channel at once,
    the output (and the indices, when returned) beside the input, or ``region`` of it."""
    c = flat.in_channels
    indices = indices_on(spec)
    kh, kw = flat.kernel_size
    window = f"window {kh}×{kw}" if dims == 2 else f"window {kw}"
    dilation = getattr(flat, "dilation", (1, 1))
    if max(dilation) > 1:
        window += f" dilated by {dims_text(dilation[2 - dims :])}"
    notes = [f"{window}, stride {dims_text(flat.stride[2 - dims :])}: each output is {pooled(spec)}"]
    kinds = _axis_kinds(flat)
    if region is not None:  # what the picture says of the grid, it says of the cells drawn
        kinds = [k[start:stop] for k, (start, stop) in zip(kinds, read_extent(flat, region))]
    padding, overhang = (any((k == kind).any() for k in kinds) for kind in (PADDING, OVERHANG))
    if padding:
        notes.append("padding: −∞, never the largest" if spec.KIND == "max" else "padding cells hold 0")
    if overhang:
        notes.append(f"{OVERHANG_NOTE}, inside a last window but never read or counted")
    state = [w for w, on in (("padded", max(flat.padding) > 0), ("with overhang", max(flat.overhang) > 0)) if on]
    drawn_state = [w for w, on in (("padded", padding), ("with overhang", overhang)) if on]
    per = 2 if indices else 1
    _, ho, wo = flat.output_shape
    y_last = len(element_text(dims, "y", c - 1, ho - 1, wo - 1))
    cells, index_chars = math.prod(flat.kernel_size), len(str(math.prod(flat.input_shape[1:])))
    if spec.KIND == "max":
        sum_chars = lambda chars, drawn: y_last + 10 + cells * (chars + 2) + chars + 10 + index_chars  # noqa: E731
    else:
        sum_chars = lambda chars, drawn: y_last + 40 + cells * (chars + 3)  # noqa: E731
    heading = f"input ({', '.join(state)})" if state else "input"  # the whole grid, as the part's note names it
    grid, out_size, output_heading, part = flat.grid_shape[1:], flat.output_shape[1:], "output", None
    if region is not None:
        (y0, y1), (x0, x1) = read_extent(flat, region)
        grid, out_size = (y1 - y0, x1 - x0), region.size
        output_heading = "output, part" if region.cuts((ho, wo)) else "output"  # "part" only where cut
        part = Part(Crop(flat.grid_shape[1:], (y0, x0)), Crop((ho, wo), (region.rows[0], region.cols[0])))
        read = Region((y0, y1), (x0, x1))
        whole = heading.replace("input", "the input")
        notes.append(part_note(dims, region, (ho, wo), read, flat.grid_shape[1:], whole, "they read"))
        heading = f"input ({', '.join(drawn_state)})" if drawn_state else "input"  # the cells drawn
        heading += ", part" if read.cuts(flat.grid_shape[1:]) else ""
    # the last step's line, counted of this part as draws_part decides for the playback
    last, steps = (ho - 1, wo - 1) if region is None else (region.rows[1] - 1, region.cols[1] - 1), math.prod(out_size)
    cut = region is not None and region.cuts((ho, wo))
    return [
        Geometry(
            layer=flat,
            caption=spec.caption,
            dims=dims,
            in_channels=c,
            out_channels=c * per,
            groups=c,
            grid=grid,
            kernel=None,
            out_size=out_size,
            steps_per_column=math.prod(out_size),
            input_heading=heading,
            output_heading=output_heading,
            part=part,
            kernel_label=lambda i, j: "",
            blame=lambda axis: pool_blame(spec, flat, axis),
            notes=tuple(notes),
            output_label=(lambda co: f"indices[{co // 2}]" if co % 2 else f"y[{co // 2}]")
            if indices
            else (lambda co: f"y[{co}]"),
            outputs_word="output grids (y and indices)" if indices else None,  # two a channel
            numbers=True,
            columns_take_turns=False,
            steps_every_channel=True,
            longest_step=of_part(lambda part: pool_step_text(dims, *last, steps - 1, steps, part), cut),
            sum_chars=sum_chars,  # a channel's entry
            sum_each_group=cells <= WHOLE_SUM_TERMS,
            value_chars=max(4 if spec.KIND == "avg" else PIXEL_CHARS, index_chars if indices else 1),
        )
    ]


def pool_drawings(
    spec: Any,
    flat: Any,
    recording: Any,
    geometry: Geometry,
    playback: type,
    dims: int,
    pixels: bool = False,
    region: Optional[Region] = None,
) -> list[Drawn]:
    """The recorded picture of :func:`pool_geometries`, its steps played by ``playback``."""
    rec = recording.as_2d()
    part = Region.of(region, flat.output_shape[1:])
    (y0, y1), (x0, x1) = read_extent(flat, part) if region else ((0, flat.grid_shape[1]), (0, flat.grid_shape[2]))
    kinds = rec.kinds[y0:y1, x0:x1]
    grid = np.zeros((flat.in_channels, y1 - y0, x1 - x0), dtype=rec.input.dtype)
    (p, q), (h, w) = flat.padding, flat.input_shape[1:]
    (r0, r1), (c0, c1) = (max(y0, p), min(y1, p + h)), (max(x0, q), min(x1, q + w))  # the input cells drawn
    if r0 < r1 and c0 < c1:
        grid[:, r0 - y0 : r1 - y0, c0 - x0 : c1 - x0] = rec.input[:, r0 - p : r1 - p, c0 - q : c1 - q]
    output = rec.output[:, slice(*part.rows), slice(*part.cols)]
    picture = None
    if region is not None and pixels and dims == 2 and rec.input.shape[0] in (1, 3):  # shown whole, small
        picture = picture_read(rec.input, flat.padding, (y0, y1), (x0, x1))
    shown_indices = rec.indices[:, slice(*part.rows), slice(*part.cols)] if indices_on(spec) else None
    rows, cols = read_rows(flat, (part.rows, part.cols))
    unread = ~(rows[y0:y1, None] & cols[None, x0:x1]) & (kinds != OVERHANG)
    return [
        Drawn(
            geometry=geometry,
            grid=grid,
            filler=kinds == PADDING,
            kernels=None,
            output=output,
            playback=playback(rec, dims, indices_on(spec), part, draws_part(geometry, part, flat.output_shape[1:])),
            value_chars=widest_text(grid, output, shown_indices),
            pixels=pixels,
            filler_text="−∞" if spec.KIND == "max" else None,
            outside=kinds == OVERHANG if (kinds == OVERHANG).any() else None,
            plain=tuple(range(1, 2 * flat.in_channels, 2)) if indices_on(spec) else (),
            picture=picture,
            unread=unread if unread.any() else None,
        )
    ]


def indices_on(spec) -> bool:
    """Whether a pooling spec returns its indices (drawn as a panel beside each output)."""
    return bool(getattr(spec, "return_indices", False))


class PoolPlayback:
    """Steps of a pooling: one window position a step, every channel at once; the window
    positions of ``region`` of the output (all of it by default), row by row."""

    def __init__(
        self, recording: PoolRecording, dims: int, indices: bool, region: Region | None = None, part: bool = False
    ) -> None:
        self.recording = recording
        self.part = part  # the output cut or some channels left out: the steps are a part's
        self.dims = dims
        self.per = 2 if indices else 1
        self.indices = indices
        self.region = Region.of(region, recording.output.shape[1:])
        (y0, _), (x0, _) = read_extent(recording.spec, self.region)
        self._shift = np.array([y0, x0])  # from the whole grid to the cells drawn
        # how each grid writes its cells (of a part recorded alone, as the part's values say)
        self._scales = magnitude(held(recording.input)), magnitude(held(recording.output))
        self._widths: dict = {}  # the cells of each input value written, once found
        # a max compares the padding (as −∞); an average adds it (as 0) only when it counts it
        self._padding_read = getattr(recording.spec, "count_include_pad", True)

    def _index(self, step: int) -> tuple[int, int]:
        """The output position of a step, in the layer's own coordinates."""
        oy, ox = divmod(step, self.region.size[1])
        return oy + self.region.rows[0], ox + self.region.cols[0]

    def advance(self, step: int) -> list[Writes]:
        rec = self.recording
        oy, ox = self._index(step)
        y, x = oy - self.region.rows[0], ox - self.region.cols[0]  # as drawn
        box = (y, x, y + 1, x + 1)
        writes = []
        for c in range(rec.output.shape[0]):
            rows, cols = np.array([y]), np.array([x])
            writes.append(Writes(c * self.per, rows, cols, rec.output[c, oy : oy + 1, ox : ox + 1], box))
            if self.indices:
                writes.append(Writes(c * self.per + 1, rows, cols, rec.indices[c, oy : oy + 1, ox : ox + 1], box))
        return writes

    def show(self, step: int) -> Step:
        rec = self.recording
        oy, ox = self._index(step)
        placement = rec.placements[oy * rec.output.shape[2] + ox]
        cells = placement.cells - self._shift
        top, left = cells.min(axis=0)
        bottom, right = cells.max(axis=0) + 1
        box = (int(top), int(left), int(bottom), int(right))

        read = cells[(placement.kinds == INPUT) | (placement.kinds == PADDING) & self._padding_read]

        def reads(c: int) -> Reads:
            taps = np.column_stack([np.full(len(read), c), read])
            marks = None
            if placement.winners is not None and placement.winners[c, 0] >= 0:
                marks = np.array([[c, *(placement.winners[c] - self._shift)]])
            return Reads(taps, box, marks)

        text = pool_step_text(self.dims, oy, ox, step, math.prod(self.region.size), self.part)
        sums = tuple(self._sum(c, placement) for c in range(rec.output.shape[0]))
        return Step(0, LazyReads(reads), self.advance(step), text, sums, tuple(c * self.per for c in range(len(sums))))

    def _sum(self, c: int, placement: PoolPlacement) -> Any:
        oy, ox = placement.out_index
        x_scale, y_scale = self._scales
        y = element_text(self.dims, "y", c, oy, ox)
        if len(placement.cells) > LONG_TERMS:  # written only as far as the frame shows it
            at = np.array(self.recording.spec.padding)
            return long_pool_sum(
                y,
                c,
                placement,
                self._scales,
                lambda cells: self.recording.input[(c, *(cells - at).T)],
                self._widths,
                self._padding_read,
            )
        if placement.winners is not None:
            shown = []
            grid_values = self._grid_value
            for (gy, gx), kind in zip(placement.cells, placement.kinds):
                if kind == INPUT:
                    shown.append(format_value(grid_values(c, gy, gx), x_scale))
                elif kind == PADDING:
                    shown.append("−∞")
            at = f" at index {int(placement.indices[c])}"
            return f"{y} = max({', '.join(shown)}) = {format_value(placement.values[c], y_scale)}{at}"
        inside = [format_value(self._grid_value(c, gy, gx), x_scale) for gy, gx in placement.terms]
        terms = averaged_terms(placement, inside, self._padding_read)
        divisor, _, why = placement.reason.partition(": ")
        why = f" ({why})" if why else ""
        return f"{y} = ({' + '.join(terms) or '0'}) {divisor} = {format_value(placement.values[c], y_scale)}{why}"

    def _grid_value(self, c: int, gy: int, gx: int):
        p = self.recording.spec.padding
        return self.recording.input[c, gy - p[0], gx - p[1]]


def long_pool_sum(
    y: str, c: int, placement: Any, scales: tuple[float, float], read: Any, memo: dict, counted: bool = True
) -> Any:
    """Channel ``c``'s sum line of a pooling window (``y = max(…) = v at index i``, or
    ``y = (… + …) / n = v``) as a :class:`LongSum`: the text the window's line is, each input
    value written only when a frame shows it, as :func:`averaged_terms` writes an average's
    (a 0 for each padding cell the divisor ``counted``). ``read(cells)`` are channel ``c``'s
    input values at grid ``cells``; ``scales`` those of the input and the output; ``memo``
    keeps the cells each input value takes written."""
    x_scale, y_scale = scales
    value = format_value(placement.values[c], y_scale)
    if placement.winners is not None:
        read_cells = (placement.kinds == INPUT) | (placement.kinds == PADDING)
        filler, head, sep, tail = "−∞", f"{y} = max(", ", ", f") = {value} at index {int(placement.indices[c])}"
    else:
        read_cells = (placement.kinds == INPUT) | ((placement.kinds == PADDING) & counted)
        divisor, _, why = placement.reason.partition(": ")
        filler, head, sep, tail = "0", f"{y} = (", " + ", f") {divisor} = {value}" + (f" ({why})" if why else "")
    kinds, cells = placement.kinds[read_cells], placement.cells[read_cells]
    padded = kinds == PADDING
    if len(cells) < 2:  # a window whose cells are almost all overhang: written whole
        written = [filler if p else format_value(v, x_scale) for p, v in zip(padded, read(cells))]
        return head + (sep.join(written) or ("" if placement.winners is not None else "0")) + tail

    def term(i: int) -> str:
        return filler if padded[i] else format_value(read(cells[i : i + 1])[0], x_scale)

    def widths() -> np.ndarray:
        found = np.full(len(cells), text_cells(filler), dtype=np.int64)
        found[~padded] = cell_widths(read(cells[~padded]), lambda v: format_value(v, x_scale), memo)
        return found

    return LongSum(head, sep, tail, len(cells), term, widths)


def averaged_terms(placement: PoolPlacement, inside: list[str], counted: bool) -> list[str]:
    """An average's terms in window order: its input cells' values (``inside``, in order) and,
    when the divisor ``counted`` the padding, a 0 for each padding cell, so that the terms
    written are as many as the divisor counts (ceil_mode's overhang is never counted)."""
    values = iter(inside)
    return [
        next(values) if kind == INPUT else "0"
        for kind in placement.kinds
        if kind == INPUT or kind == PADDING and counted
    ]


def held(values: Any) -> Any:
    """The values a recording holds: all of an array, or of a part recorded alone its part."""
    return values.values if isinstance(values, PartArray) else values


#: How a pooling's picture opens its note on the cells a ceil_mode window hangs over the edge.
OVERHANG_NOTE = "hatched grey cells past the edge: ceil_mode's overhang"


def overhang_notes(forward: Geometry) -> tuple[str, ...]:
    """The notes of a pooling's picture ``forward`` on its overhang, which a backward picture
    drawing the input as it does repeats."""
    return tuple(note for note in forward.notes if note.startswith(OVERHANG_NOTE))


def backward_notes(spec: Any) -> tuple[str, ...]:
    """What a pooling's backward picture says it does: a max routes each window's dy to its
    winner, an average shares it over what its divisor counted."""
    if spec.KIND == "max":
        notes = (
            "backward, dx = ∂L/∂x: each window's dy goes to its largest cell, ringed in ink (of equal "
            "ones the first, as torch); cells of windows that overlap add up",
        )
    else:
        override = getattr(spec, "divisor_override", None)
        divisor = (
            f"divisor_override={override}"
            if override
            else "the input cells it covers (padding not counted)"
            if not spec.count_include_pad
            else "its cells, padding counted (ceil_mode's overhang not)"
        )
        notes = (
            f"backward, dx = ∂L/∂x: each window's dy is shared by the input cells of its window, divided by "
            f"{divisor}, as its average divided; cells of windows that overlap add up",
        )
    return notes


def backward_geometry(spec: Any, forward: Geometry) -> Geometry:
    """The backward picture of a one- or two-axis pooling drawn as ``forward``: a max's routes
    each window's dy over the input as ``forward`` draws it (its overhang noted as there); an
    average's, whose gradient takes none of the input's values, shares it out with dy and dx
    alone, its padding named since it is not drawn."""
    from .backward_moves import share_geometry, window_geometry

    notes, window = backward_notes(spec), forward.notes[0].split(":")[0]
    if spec.KIND == "avg":
        padding = f", padding {dims_text(spec.padding)}" if max(spec.padding) else ""
        return share_geometry(forward, (*notes, window + padding))
    return window_geometry(forward, (*notes, window, *overhang_notes(forward)))


def routed_reason(flat: Any, c: int, out: tuple[int, int]) -> str:
    """Why a max pool's dy goes where it does, when that needs saying: a window with no input
    cell, or ties (the first of equal largest)."""
    placement = flat.placements[out[0] * flat.output.shape[2] + out[1]]
    if placement.reason is not None:
        _, _, why = placement.reason.partition(": ")
        return f" ({why})" if why else ""
    if placement.winners[c, 0] < 0:
        plane = flat.input.shape[1] * flat.input.shape[2]
        index = int(placement.indices[c])
        if 0 <= index < plane:
            return f" (the window holds no input cell; torch sends its dy to its index {index} all the same)"
        return f" (the window holds no input cell, and torch's index {index} lies outside the input)"
    inside = placement.cells[placement.kinds == INPUT]
    values = flat.input[(c, *(inside - np.array(flat.spec.padding)).T)]
    ties = int((values == placement.values[c]).sum()) if len(values) else 0
    return f" (of {ties} equal largest, the first)" if ties > 1 else ""
