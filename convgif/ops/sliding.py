"""The picture of a window sliding over padded input channels, shared by every kind drawn as a
direct convolution (Conv1d/2d, the separable layer's stages, a transposed layer drawn as its
convolution, the backward pass's convolutions) and by the pools' window pictures: the geometry,
the step and sum lines, the drawing and the playback of its steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Optional

import numpy as np

from ..engine.direct import ConvSpec, Recording, padding_mask, read_mask
from ..picture.model import Crop, Drawn, Geometry, LazyReads, Part, Reads, Region, Step, WholePicture, Writes, part_note
from ..picture.numbers import format_value, magnitude, widest
from ..picture.sizes import shown
from .depth_steps import ALONE, Count, channels_cut


def read_extent(spec: ConvSpec, region: Region) -> tuple[tuple[int, int], tuple[int, int]]:
    """The padded input rows and columns (start, stop) that the output ``region`` reads."""
    return tuple(  # type: ignore[return-value]
        (start * s, (stop - 1) * s + r)
        for (start, stop), s, r in zip((region.rows, region.cols), spec.stride, spec.receptive_field)
    )


def conv_geometry(
    spec: ConvSpec,
    caption: str,
    dims: int = 2,
    notes: tuple[str, ...] = (),
    region: Optional[Region] = None,
    each_group: bool = False,
    **more: Any,
) -> Geometry:
    """How a direct convolution over (C, H, W) is laid out: padded input, kernels, output (only
    ``region`` of the output, and the input it reads, when given). With ``each_group`` its sums
    are sized an entry a group drawn (see :attr:`~convgif.picture.model.Geometry.sum_each_group`),
    for a picture whose steps write one sum a group. ``more`` replaces the geometry's other
    fields (headings, labels)."""
    cg_in, cg_out = spec.in_per_group, spec.out_per_group
    sizes = list(zip(spec.padded_shape[1:], spec.input_shape[1:]))
    state = [
        word for word, on in (("padded", any(p > n for p, n in sizes)), ("cropped", any(p < n for p, n in sizes))) if on
    ]
    _, ho, wo = spec.output_shape
    y_last = f"y[{position(dims, spec.out_channels - 1, ho - 1, wo - 1)[1:-1]}]"

    def blame(axis: int) -> tuple[str, object, str]:
        padded = max(spec.padding[axis], 0) + max(spec.padding_end[axis], 0)
        if padded > spec.input_shape[1 + axis]:
            return "padding", spec.padding_arg, "padding"
        return "input_shape", spec.input_shape, "input"

    fields: dict[str, Any] = dict(
        layer=spec,
        caption=caption,
        dims=dims,
        in_channels=spec.in_channels,
        out_channels=spec.out_channels,
        groups=spec.groups,
        grid=spec.padded_shape[1:],
        kernel=spec.kernel_size,
        out_size=spec.output_shape[1:],
        steps_per_column=math.prod(spec.output_shape[1:]),
        input_heading=f"input ({', '.join(state)})" if state else "input",
        kernel_label=lambda c, j: f"w[{c // cg_in * cg_out + j},{c % cg_in}]",
        blame=blame,
        notes=notes,
        sum_chars=lambda chars, drawn: (conv_entry_chars if each_group else conv_sum_chars)(
            spec, len(y_last), chars, drawn
        ),
        sum_each_group=each_group,
        value_chars=example_chars(cg_in * math.prod(spec.kernel_size)),
        hues_name="group",  # a grouped convolution's hues are its groups'
    )
    if region is not None:
        (y0, y1), (x0, x1) = read_extent(spec, region)
        _, hp, wp = spec.padded_shape
        padded = f" ({', '.join(state)})" if state else ""
        read = Region((y0, y1), (x0, x1))
        in_cut, out_cut = read.cuts((hp, wp)), region.cuts((ho, wo))  # "part" only where cut
        note = part_note(dims, region, (ho, wo), read, (hp, wp), f"the input{padded}", "they read")
        fields.update(
            grid=(y1 - y0, x1 - x0),
            out_size=region.size,
            steps_per_column=math.prod(region.size),
            input_heading=f"input{padded}" + (", part" if in_cut else ""),
            output_heading="output" + (", part" if out_cut else ""),
            part=Part(
                Crop((hp, wp), (y0, x0)) if in_cut else None,
                Crop((ho, wo), (region.rows[0], region.cols[0])) if out_cut else None,
            ),
            notes=(*notes, note),
        )
    if "step_text" not in more:  # the line the playback writes last, with the channels finally shown
        fields["longest_step"] = conv_longest(spec, dims, Region.of(region, (ho, wo)))
    fields.update(more)
    return Geometry(**fields)


def conv_longest(spec: ConvSpec, dims: int, region: Region) -> Callable[[Geometry], str]:
    """The longest step line of a picture of a direct convolution's output ``region``: its last
    step's, which :class:`ConvPlayback` writes with the last kernel column shown of each group
    drawn, among the steps of the columns shown, ``of this part`` when it draws a part."""

    def line(geometry: Geometry) -> str:
        shown_in, columns, _ = shown(geometry)
        groups = sorted({c // spec.in_per_group for c in shown_in})
        channels = [g * spec.out_per_group + len(columns) - 1 for g in groups]
        others = not_drawn(spec, groups, len(columns) - 1)
        steps = len(columns) * math.prod(region.size)
        part = conv_part(geometry)
        return conv_step_text(
            channels, dims, region.rows[1] - 1, region.cols[1] - 1, steps - 1, steps, part, others=others
        )

    return line


def conv_part(geometry: Geometry) -> bool:
    """Whether a direct convolution's picture counts its steps ``of this part``: it draws a part
    of the maps, or leaves channels out."""
    return geometry.part is not None or channels_cut(geometry)


def conv_sum_chars(spec: Any, y: int, chars: int, drawn: tuple, names: int = 0) -> int:
    """Characters of a step's sum line: an entry (:func:`conv_entry_chars`) for each group drawn."""
    groups = len({c // spec.in_per_group for c in drawn[0]})
    return groups * (conv_entry_chars(spec, y, chars, drawn, names) + 3) - 3


def conv_entry_chars(spec: Any, y: int, chars: int, drawn: tuple, names: int = 0) -> int:
    """Characters of a group's entry of a step's sum line: ``y[…] = Σ x·w + b = a + b = v``,
    longer when channels of the group are left out, and by ``names`` where the names are longer."""
    entry = y + len(" = Σ x·w + b = ") + 3 * (chars + 1) + 6 + names
    if len(drawn[0]) < spec.in_per_group:  # Σ x[0:3]·w + Σ x[3:64]·w, and what is not drawn
        entry += 2 * len(str(spec.in_channels)) * 3 + 36 + chars
    return entry


def example_chars(terms: int) -> int:
    """Characters of the widest output expected of example values summed over ``terms``
    products (inputs 0..3 times weights -1..1, plus a bias up to 2): four standard deviations
    of such a sum, about 1.53·√terms each, for choosing a part before anything is recorded."""
    return len(str(-(math.ceil(4 * 1.53 * math.sqrt(terms)) + 2)))


def reads_part(spec: ConvSpec, region: Region) -> bool:
    """Whether ``region`` of a direct convolution's output reads only a part of its (padded) input."""
    return Region(*read_extent(spec, region)).cuts(spec.padded_shape[1:])


def conv_step_text(
    channels: Sequence[int],
    dims: int,
    oy: int,
    ox: int,
    step: int,
    steps: int,
    part: bool,
    depth: Optional[int] = None,
    others: Sequence[int] = (),
) -> str:
    """The step line of a direct convolution: the output channels written (one per group drawn,
    and ``others``, those the same step writes in the groups not drawn), the position (in
    output depth slice ``depth`` of a 3-D layer) and the step, counted among the ``steps`` drawn
    (``of this part`` when the picture is a part of the layer)."""
    at = position(dims, oy, ox, depth=depth)
    return f"{channels_text(channels, others)} · {at} · step {step + 1}/{steps}{' of this part' if part else ''}"


def channels_text(channels: Sequence[int], others: Sequence[int] = ()) -> str:
    """The output channels a step writes: ``out channel 0``, ``out channels 0, 4``, and those it
    writes in the groups not drawn, ``out channel 0, and 2 not drawn`` (a step of a grouped
    layer writes a cell in every group, drawn or not)."""
    which = f"out channel {channels[0]}" if len(channels) == 1 else f"out channels {', '.join(map(str, channels))}"
    return which + (f", {others_text([str(c) for c in others])}" if others else "")


def others_text(others: Sequence[str], unit: str = "groups") -> str:
    """What a step also writes in the groups not drawn, named ``others``: ``and 2 not drawn``,
    ``and dx[4], dx[6] not drawn``, or past two counted, ``and one in each of 5 groups not
    drawn`` (``unit``: what the picture's groups are, when each is one channel of its input,
    ``x channels``: ``and one for each of 5 x channels not drawn``)."""
    if len(others) <= 2:
        return f"and {', '.join(others)} not drawn"
    return f"and one {'in' if unit == 'groups' else 'for'} each of {len(others)} {unit} not drawn"


def not_drawn(spec: Any, groups: Sequence[int], column: int) -> list[int]:
    """The output channels kernel column ``column`` writes in the groups of ``spec`` not among
    ``groups`` (those drawn)."""
    return [g * spec.out_per_group + column for g in range(spec.groups) if g not in groups]


def position(dims: int, *index: int, depth: Optional[int] = None) -> str:
    """An output position as the layer indexes it: (oy, ox), (ox,) for a Conv1d, or
    (depth, oy, ox) in output depth slice ``depth`` of a 3-D layer."""
    if depth is not None:
        return str((*index[:-2], depth, *index[-2:]))
    return str(tuple(index) if dims == 2 else tuple(index[:-2]) + (index[-1],))


def sum_entry(
    y: str,
    value: Any,
    bias: Any,
    drawn: Optional[tuple[str, str, Any]] = None,
    scale: float = 0.0,
    x: str = "x",
    w: str = "w",
) -> str:
    """One output's sum as the sum line writes it: the products' total, the bias, the value,
    each written as a cell of an output whose largest magnitude is ``scale`` writes it (float
    noise as 0). ``drawn`` is (the channels drawn, the channels not drawn, the products of
    those drawn) when the picture leaves some of the channels summed out: both parts are then
    written. ``w`` names the weight, and the bias after it (``w_dw``: ``b_dw``)."""

    def text(v: Any) -> str:
        return format_value(v, scale)

    products = value if bias is None else value - bias
    if drawn is None:
        terms, parts = [f"Σ {x}·{w}"], [text(products)]
    else:
        shown, hidden, part = drawn
        terms, parts = [f"Σ {x}[{shown}]·{w}", f"Σ {x}[{hidden}]·{w}"], [text(part), text(products - part)]
    if bias is not None:
        terms.append("b" + w[1:] if w.startswith("w") else "b")
        parts.append(text(bias))
    line = f"{y} = {' + '.join(terms)}"
    if len(parts) > 1:
        line += f" = {' + '.join(parts)}"
    line += f" = {text(value)}"
    return line + (f" ({x}[{drawn[1]}] not drawn)" if drawn is not None else "")


#: What the key calls padding cells that copy input cells, by ``padding_mode``.
COPIES_NAMES = {"reflect": "reflected padding", "replicate": "replicated padding", "circular": "circular padding"}


def conv_drawn(
    recording: Recording,
    geometry: Geometry,
    pixels: bool = False,
    filler: Optional[np.ndarray] = None,
    filler_name: str = "padding",
    region: Optional[Region] = None,
    picture: Optional[WholePicture] = None,
    inserted: Optional[np.ndarray] = None,
) -> Drawn:
    """A recorded direct convolution as the renderer draws it. ``filler`` marks the input cells
    that are not the layer's input (default: its padding, shown as copies for modes that copy).
    With ``region``, only that part of the output and the input cells it reads; a picture's
    pixels (``pixels``) are then shown whole too, as ``picture`` gives them (default: the
    recording's input, when the grid is that input padded: ``filler`` not given). ``inserted``
    marks the filler cells that are zeros inserted between input cells. Cells no drawn step
    reads are marked ``unread``."""
    spec = recording.spec
    own_input = filler is None
    copies = filler is None and spec.padding_mode != "zeros"
    grid, output = recording.padded, recording.output
    whole = Region.of(region, spec.output_shape[1:])
    # the cells drawn (those the region reads, else all): the masks are built for these only
    (y0, y1), (x0, x1) = read_extent(spec, region) if region is not None else ((0, grid.shape[1]), (0, grid.shape[2]))
    if filler is None:
        filler = padding_mask(spec, 0)[y0:y1, None] | padding_mask(spec, 1)[None, x0:x1]
    elif region is not None:
        filler = filler[y0:y1, x0:x1]
    unread = ~(read_mask(spec, 0, *whole.rows)[y0:y1, None] & read_mask(spec, 1, *whole.cols)[None, x0:x1])
    if region is not None:
        grid = grid[:, y0:y1, x0:x1]
        inserted = None if inserted is None else inserted[y0:y1, x0:x1]
        output = output[:, slice(*region.rows), slice(*region.cols)]
        if picture is None and pixels and own_input and geometry.dims == 2 and recording.input.shape[0] in (1, 3):
            picture = picture_read(recording.input, spec.padding, (y0, y1), (x0, x1))
    if not pixels or region is None:
        picture = None
    weights = recording.shade_values()
    return Drawn(
        geometry=geometry,
        grid=grid,
        filler=filler,
        kernels=recording.weight,
        output=output,
        playback=ConvPlayback(recording, geometry, region),
        copies=copies,
        copies_name=COPIES_NAMES.get(spec.padding_mode, ""),
        value_chars=lambda: max(widest(grid, output), widest(recording.weight, scale=magnitude(weights))),
        pixels=pixels,
        filler_name=filler_name,
        kernel_channels=recording.kept,
        kernel_values=weights,
        picture=picture,
        inserted=inserted,
        unread=unread if unread.any() else None,
    )


def drawn_whole(drawn: Drawn, grid: np.ndarray, filler: np.ndarray) -> Drawn:
    """``drawn`` over all of ``grid`` (C, H, W), whose top-left part is the grid its convolution
    reads and whose other cells no step reads (a weight gradient's input past its last window,
    a transposed convolution's dy past the canvas): they are drawn too, marked never read, so
    that an array has the size it has in the layer's other pictures. ``filler`` marks the
    cells of ``grid`` that are not the array's own, as ``drawn.filler`` does its grid's."""
    h, w = drawn.grid.shape[1:]
    unread = np.ones(grid.shape[1:], bool)
    unread[:h, :w] = False if drawn.unread is None else drawn.unread
    drawn.value_chars = max(drawn.value_chars, widest(grid))
    drawn.grid, drawn.filler, drawn.unread = grid, filler, unread if unread.any() else None
    return drawn


def picture_read(
    pixels: np.ndarray, padding: tuple[int, ...], rows: tuple[int, int], cols: tuple[int, int]
) -> WholePicture:
    """The whole picture ``pixels`` (C, H, W) with the part that padded rows and columns
    (start, stop) read: shifted by the padding before them (negative: cropped) and clipped to
    the picture."""
    _, height, width = pixels.shape
    (top, left), clip = padding, lambda v, n: min(max(v, 0), n)
    return WholePicture(
        pixels,
        (clip(rows[0] - top, height), clip(rows[1] - top, height)),
        (clip(cols[0] - left, width), clip(cols[1] - left, width)),
    )


class ConvPlayback:
    """Steps of a direct convolution: kernel column j, output row, output column; every group
    drawn writes its own output cell at each step. The steps are those of the columns drawn;
    a picture drawing fewer channels than a group sums writes both parts of each sum."""

    def __init__(
        self,
        recording: Recording,
        geometry: Geometry,
        region: Optional[Region] = None,
        depth: Optional[int] = None,
        span: Optional[Callable[[int, int], str]] = None,
        count: Count = ALONE,
    ) -> None:
        self.recording = recording
        self.depth = depth  # the output depth slice a 3-D layer's picture draws
        self.count = count  # where its steps stand among those of every depth slice
        #: Input channels first..last as the sum line indexes them (a depth picture's slices)
        self.span = span or channel_span
        self.spec = spec = recording.spec
        self.dims = geometry.dims
        _, ho, wo = spec.output_shape
        self.region = Region.of(region, (ho, wo))
        shown_in, columns, shown_out = shown(geometry)
        self.groups = sorted({c // spec.in_per_group for c in shown_in})
        self.drawn = len(shown_in) if len(shown_in) < spec.in_per_group else None  # channels of a group drawn
        self.steps = len(columns) * math.prod(self.region.size)
        self.part = conv_part(geometry)
        (y0, _), (x0, _) = read_extent(spec, self.region)
        self._shift = np.array([0, y0, x0])  # from the padded input to the cells drawn
        self.scale = magnitude(recording.output[:, slice(*self.region.rows), slice(*self.region.cols)])
        # x, y and w, as the picture says
        self.names = geometry.input_name, geometry.output_label(0).split("[")[0], geometry.kernel_name

    def _index(self, step: int) -> tuple[int, int, int]:
        """(column, output row, output column) of a step, in the layer's own coordinates."""
        h, w = self.region.size
        j, rest = divmod(step, h * w)
        oy, ox = divmod(rest, w)
        return j, oy + self.region.rows[0], ox + self.region.cols[0]

    def advance(self, step: int) -> list:
        j, oy, ox = self._index(step)
        y, x = oy - self.region.rows[0], ox - self.region.cols[0]  # as drawn
        output, per = self.recording.output, self.spec.out_per_group
        return [
            Writes(co, np.array([y]), np.array([x]), output[co, oy : oy + 1, ox : ox + 1], (y, x, y + 1, x + 1))
            for co in range(j, self.spec.out_channels, per)
        ]

    def _taps(self, co: int, oy: int, ox: int) -> np.ndarray:
        rec = self.recording
        return rec.placements[int(np.ravel_multi_index((co, oy, ox), rec.output.shape))].taps

    def show(self, step: int) -> Any:
        spec, rec = self.spec, self.recording
        j, oy, ox = self._index(step)
        rh, rw = spec.receptive_field

        def reads(group: int) -> Reads:
            taps = self._taps(group * spec.out_per_group + j, oy, ox) - self._shift
            _, top, left = taps[0]
            return Reads(taps, (int(top), int(left), int(top) + rh, int(left) + rw))

        channels = [g * spec.out_per_group + j for g in self.groups]
        others = not_drawn(spec, self.groups, j)
        text = conv_step_text(
            channels, self.dims, oy, ox, *self.count.at(step, self.steps), self.part, self.depth, others
        )
        sums = []
        # every group's output cell whose kernels the recording keeps (the others are not drawn)
        kept = None if rec.kept is None else {int(c) for c in rec.kept}
        every = [co for co in range(j, spec.out_channels, spec.out_per_group) if kept is None or co in kept]
        for co in every:
            y = f"{self.names[1]}[{position(self.dims, co, oy, ox, depth=self.depth)[1:-1]}]"
            b = None if rec.bias is None else rec.bias[co]
            sums.append(
                sum_entry(y, rec.output[co, oy, ox], b, self._drawn_part(co, oy, ox), self.scale, *self.names[::2])
            )
        return Step(j, LazyReads(reads), self.advance(step), text, tuple(sums), tuple(every))

    def _drawn_part(self, co: int, oy: int, ox: int) -> Optional[tuple[str, str, Any]]:
        """For a picture drawing ``drawn`` of the channels a group sums: their names, those of
        the channels not drawn, and the sum of the drawn channels' products."""
        if self.drawn is None:
            return None
        spec, rec = self.spec, self.recording
        first = co // spec.out_per_group * spec.in_per_group
        taps = self._taps(co, oy, ox)
        kernel = rec.weight[kernel_row(rec, co)].reshape(-1)
        mine = taps[:, 0] - first < self.drawn
        products = rec.padded[tuple(taps[mine].T)] * kernel[mine]
        last = first + spec.in_per_group - 1
        drawn = self.span(first, first + self.drawn - 1)
        return drawn, self.span(first + self.drawn, last), products.sum()


def draws_part(geometry: Geometry, region: Optional[Region], size: tuple[int, ...]) -> bool:
    """Whether a picture of ``geometry`` draws a part of its layer, its steps counted ``of this
    part``: ``region`` of an output of ``size`` (rows, cols), or some of its channels."""
    return (region is not None and region.cuts(tuple(size))) or channels_cut(geometry)


def channel_span(first: int, last: int) -> str:
    """Channels ``first`` to ``last`` as Python indexes them: ``3``, or the slice ``3:64``."""
    return str(first) if first == last else f"{first}:{last + 1}"


def kernel_row(recording: Recording, channel: int) -> int:
    """Where output channel ``channel``'s kernels are in a recording that may keep only some."""
    if recording.kept is None:
        return channel
    return int(np.searchsorted(recording.kept, channel))


def widest_text(*arrays) -> int:
    """Characters of the widest number written for these arrays (None skipped)."""
    return widest(*(a for a in arrays if a is not None))
