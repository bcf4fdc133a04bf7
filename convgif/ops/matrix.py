"""A convolution as one matrix product (``view="matrix"``), for the convolution kinds to draw.

* A direct convolution (Conv1d, Conv2d) is ``Y = W·X + b``: X is the input unfolded as
  ``torch.nn.Unfold`` unfolds it (one row per input channel and kernel cell, one column per
  window placement), W the weight reshaped to one row per output channel (C_out × C_in·KH·KW,
  zero outside its group's channels: block-diagonal), and row ``co`` of Y is output channel
  ``co`` read row by row. A step is one entry of Y, for each group at once, in the order of
  Y's columns: the same dot product, with the same sum line, as the sliding view's step for
  that output cell.
* A transposed convolution (ConvTranspose1d, ConvTranspose2d) is ``y = Cᵀ·x + b``, where C is
  the matrix of the direct convolution with the same weight, stride, padding and dilation
  from the output's shape back to the input's: one column of Cᵀ per input cell, holding the
  kernel's weights on the rows of the output cells they reach. A step is one input cell's
  column, for each group at once: exactly the scatter the sliding view draws.

The pictures are laid out by :mod:`convgif.picture.matrix`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any, Optional

import numpy as np

from ..engine.direct import Recording
from ..engine.scatter import by_output
from ..picture.matrix import MatrixPlan
from ..picture.matrix_frames import PRODUCT, TRANSPOSE, MatrixValues
from ..picture.model import BLANK, Crop, Drawn, Geometry, Part, Region, Step
from ..picture.numbers import magnitude, widest
from ..picture.sizes import MAX_SHOWN_IN, shown
from .scattering import transposed_row
from .sliding import (
    ConvPlayback,
    channels_text,
    conv_drawn,
    conv_geometry,
    conv_part,
    conv_sum_chars,
    kernel_row,
    position,
    read_extent,
)

#: What ``view`` takes to draw a convolution as a matrix product.
MATRIX = "matrix"
#: The kernels' key's word for the entries of a matrix no weight joins.
BLANK_KEY = {"kernel": ((BLANK, ""), (None, "no weight"))}


def _times(a: int, b: int) -> str:
    return f"{a} × {b}"


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def _runs(indices: list[int], most: int = 4) -> str:
    """Increasing ``indices`` as their runs, ``0–2, 10–12, 20–22`` (the first few and the
    last when there are more than ``most``: ``0–2, 10–12, 20–22, …, 90–92``)."""
    runs: list[list[int]] = []
    for i in indices:
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    words = [_span(a, b) for a, b in runs]
    return ", ".join(words if len(words) <= most else [*words[: most - 1], "…", words[-1]])


def _left_out_notes(indices: dict, wholes: tuple, words: tuple[tuple[str, int, str, str], ...]) -> list[str]:
    """The notes saying which rows and columns of the whole matrices a part draws: for each
    (matrix, axis, name, what they are) whose indices leave some out, ``X's rows and W's
    columns: 0–8 of 576 (input channel 0); a double line marks where the other 567 are left out``."""
    notes = []
    for key, axis, name, what in words:
        drawn, whole = indices[key][axis], wholes["xwy".index(key)][axis]
        if len(drawn) < whole:
            notes.append(
                f"{name}: {_runs(drawn)} of {whole} ({what}); a double line marks where the other "
                f"{whole - len(drawn)} are left out"
            )
    return notes


# -- Y = W·X -------------------------------------------------------------------------------------


def product_geometry(spec: Any, planar: Any, dims: int, region: Optional[Region] = None) -> Geometry:
    """The geometry of a direct convolution ``spec`` (drawn as its 2-D ``planar`` form) as
    ``Y = W·X``: the sliding view's grids, with the matrices beside them."""
    base = conv_geometry(planar, spec.caption, dims, region=region)
    kk = math.prod(spec.kernel_size)
    rows = spec.in_channels * kk
    places = math.prod(spec.output_shape[1:])
    per = spec.in_per_group * kk
    kernel = "·".join(f"K{a}" for a in ("H", "W")[-dims:]) if dims > 1 else "K"
    notes = [
        f"X: the input unfolded as torch.nn.Unfold gives it{_unfold_terms(spec, dims)}, {_times(rows, places)}: a column per window "
        f"placement ({_order(dims, spec.output_shape[1:])}), a row per input channel and kernel cell "
        f"(c·{kernel} + kernel cell); W: the weight {tuple(_weight_shape(spec))} reshaped to "
        f"{_times(spec.out_channels, per)}, a row per output channel; Y = W·X{' + b' if spec.bias else ''}: row co is output channel co"
    ]
    _, ho, wo = planar.output_shape
    drawn = Region.of(region, (ho, wo))
    oy, ox = drawn.rows[1] - 1, drawn.cols[1] - 1

    def longest(geometry: Geometry) -> str:
        """The last step's line as :class:`ProductPlayback` writes it: the last kernel column
        shown of each group drawn, at the last position drawn, of the columns' steps, naming
        the channels the step writes in the groups not drawn."""
        shown_in, columns, _ = shown(geometry)
        groups = sorted({c // spec.in_per_group for c in shown_in})
        j = len(columns) - 1
        channels = [g * spec.out_per_group + j for g in groups]
        others = [g * spec.out_per_group + j for g in range(spec.groups) if g not in groups]
        steps = len(columns) * math.prod(drawn.size)
        return product_step_text(channels, dims, oy, ox, oy * wo + ox, steps - 1, steps, conv_part(geometry), others)

    entry = len(f"Y[{spec.out_channels - 1}, {places - 1}] = ")
    return dataclasses.replace(
        base,
        notes=(*base.notes, *notes),
        longest_step=longest,
        output_heading="output (the rows of Y)" if region is None else base.output_heading,
        sum_chars=lambda chars, drawn: (
            conv_sum_chars(planar, len(f"y[{spec.out_channels - 1}, {ho - 1}, {wo - 1}]"), chars, drawn)
            + entry * len({c // spec.in_per_group for c in drawn[0]})
        ),
        arrangement=_product_plan(spec, (ho, wo), region),
    )


def _product_plan(spec: Any, out: tuple[int, int], region: Optional[Region]) -> MatrixPlan:
    """The matrices of ``Y = W·X`` (``out``: the planar output's size), and which of their rows
    and columns a part of the output (``region``) or of the channels draws."""
    kk = math.prod(spec.kernel_size)
    rows, places = spec.in_channels * kk, math.prod(out)
    part = Region.of(region, out)

    def indices(shown_in: tuple, shown_out: tuple) -> dict[str, tuple[list[int], list[int]]]:
        """The rows and columns of the whole X, W and Y drawn (listed when asked: the whole
        layer's are never listed for a part of a huge one)."""
        places_drawn = [r * out[1] + c for r in range(*part.rows) for c in range(*part.cols)]
        x_rows = [c * kk + k for c in shown_in for k in range(kk)]
        return {"x": (x_rows, places_drawn), "w": (list(shown_out), x_rows), "y": (list(shown_out), places_drawn)}

    wholes = ((rows, places), (spec.out_channels, rows), (spec.out_channels, places))

    def part_notes(shown_in: tuple, shown_out: tuple) -> list[str]:
        """How W is block-diagonal (and whether its blocks are drawn), then which columns of X and
        Y, rows of X and rows of W and Y are drawn, when not all."""
        channels = f"input channel{'s' * (len(shown_in) > 1)} {_runs(list(shown_in))}"
        notes = [
            *_groups_note(spec, shown_in),
            *_left_out_notes(
                indices(shown_in, shown_out),
                wholes,
                (
                    ("x", 1, "X's and Y's columns", "the output positions drawn"),
                    ("x", 0, "X's rows and W's columns", channels),
                    ("w", 0, "W's and Y's rows", "the output channels drawn"),
                ),
            ),
        ]
        if math.prod(part.size) < places:  # the columns' gaps are counted under X
            notes[spec.groups > 1] += ", and under X how many there"
        return notes

    return MatrixPlan(
        PRODUCT,
        per_channel=kk,
        names=("X = unfold(x)", "W", "Y = W·X + b" if spec.bias else "Y = W·X"),
        wholes=wholes,
        row_label=lambda co: f"w[{co}]",
        indices=indices,
        notes=part_notes,
    )


def _groups_note(spec: Any, shown_in: tuple) -> list[str]:
    """How W is block-diagonal with groups: its blanks where the input channels drawn are of
    several groups, else that one group's block alone is drawn (no blank to see)."""
    if spec.groups == 1:
        return []
    per, rows = spec.in_per_group * math.prod(spec.kernel_size), spec.in_channels * math.prod(spec.kernel_size)
    inputs = f"{spec.in_per_group} input channel{'s' if spec.in_per_group > 1 else ''}"
    head = f"groups={spec.groups}: W's row co holds weights only on the {per} rows of X of its group's {inputs}"
    groups = sorted({c // spec.in_per_group for c in shown_in})
    if len(groups) > 1:
        return [f"{head} (blank: no weight), a block-diagonal {_times(spec.out_channels, rows)} matrix"]
    return [
        f"{head}, zero elsewhere: W is block-diagonal, {_times(spec.out_channels, rows)}, and only group {groups[0]}'s "
        "block is drawn"
    ]


def _unfold_terms(spec: Any, dims: int) -> str:
    """What makes X literally what ``torch.nn.Unfold`` gives: Unfold takes (N, C, H, W) alone, so
    a 1-D layer's input is viewed as (N, C, 1, L) with a kernel (1, K); and Unfold pads with
    zeros, so a padding that copies cells is done before it."""
    terms = f" for x viewed as (N, C, 1, L) with kernel (1, {spec.kernel_size[-1]})" if dims == 1 else ""
    if spec.padding_mode != "zeros":
        terms += f"{',' if terms else ' for x'} padded first as padding_mode={spec.padding_mode!r} pads it"
        terms += " (Unfold pads only zeros)"
    return terms


def _weight_shape(spec: Any) -> tuple[int, ...]:
    return (spec.out_channels, spec.in_per_group, *spec.kernel_size)


def _order(dims: int, out: tuple[int, ...]) -> str:
    """How X's columns follow the output positions."""
    if dims == 1:
        return "l = output position"
    return f"l = row·{out[1]} + column of the output"


def product_step_text(
    channels: list[int],
    dims: int,
    oy: int,
    ox: int,
    column: int,
    step: int,
    steps: int,
    part: bool,
    others: Sequence[int] = (),
) -> str:
    """The step line of ``Y = W·X``: the column of X, the output channels written (one per
    group drawn; ``others``, those the same step writes in the groups not drawn), the output
    position and the step."""
    which = channels_text(channels, others)  # a step is the same with every group drawn or not
    return f"column {column} of X · {which} · {position(dims, oy, ox)} · step {step + 1}/{steps}{' of this part' if part else ''}"


class ProductPlayback(ConvPlayback):
    """The steps of ``Y = W·X``: column by column of Y (the output positions in order), and in
    each column the kernel columns drawn, every group's entry at once."""

    def __init__(self, recording: Recording, geometry: Geometry, region: Optional[Region] = None) -> None:
        super().__init__(recording, geometry, region)
        self.columns = len(shown(geometry)[1])

    def _index(self, step: int) -> tuple[int, int, int]:
        h, w = self.region.size
        where, j = divmod(step, self.columns)
        oy, ox = divmod(where, w)
        return j, oy + self.region.rows[0], ox + self.region.cols[0]

    def show(self, step: int) -> Step:
        shown_step = super().show(step)
        spec = self.spec
        j, oy, ox = self._index(step)
        _, _, wo = spec.output_shape
        column = oy * wo + ox
        channels = [g * spec.out_per_group + j for g in self.groups]
        others = [g * spec.out_per_group + j for g in range(spec.groups) if g not in self.groups]
        text = product_step_text(channels, self.dims, oy, ox, column, step, self.steps, self.part, others)
        sums = tuple(f"Y[{co}, {column}] = {entry}" for co, entry in zip(shown_step.sum_channels, shown_step.sums))
        return dataclasses.replace(shown_step, text=text, sums=sums)


def product_values(recording: Recording, geometry: Geometry, region: Optional[Region]) -> MatrixValues:
    """X's cells (the grid cells each shows), W's entries and where W is blank, for the
    channels a picture of ``geometry`` shows."""
    spec = recording.spec  # the planar Conv2d
    shown_in, _, shown_out = shown(geometry)
    kh, kw = spec.kernel_size
    (sh, sw), (dh, dw) = spec.stride, spec.dilation
    whole = Region.of(region, spec.output_shape[1:])
    (y0, _), (x0, _) = read_extent(spec, whole) if region is not None else ((0, 0), (0, 0))
    ho, wo = whole.size
    oy = np.arange(whole.rows[0], whole.rows[1])[:, None, None, None] * sh
    ox = np.arange(whole.cols[0], whole.cols[1])[None, :, None, None] * sw
    ky = np.arange(kh)[None, None, :, None] * dh
    kx = np.arange(kw)[None, None, None, :] * dw
    rows = np.broadcast_to(oy + ky - y0, (ho, wo, kh, kw))  # (positions, kernel cells)
    cols = np.broadcast_to(ox + kx - x0, (ho, wo, kh, kw))
    per = kh * kw
    sources = np.zeros((len(shown_in) * per, ho * wo, 3), dtype=np.int64)
    for i, c in enumerate(shown_in):
        block = slice(i * per, (i + 1) * per)
        sources[block, :, 0] = c
        sources[block, :, 1] = rows.reshape(ho * wo, per).T
        sources[block, :, 2] = cols.reshape(ho * wo, per).T
    weights = np.zeros((len(shown_out), len(shown_in) * per), dtype=recording.weight.dtype)
    blank = np.ones(weights.shape, dtype=bool)
    for r, co in enumerate(shown_out):
        group = co // spec.out_per_group
        kernels = recording.weight[kernel_row(recording, co)]  # (C_in/G, KH, KW)
        for i, c in enumerate(shown_in):
            if c // spec.in_per_group == group:
                weights[r, i * per : (i + 1) * per] = kernels[c % spec.in_per_group].reshape(-1)
                blank[r, i * per : (i + 1) * per] = False
    return MatrixValues(sources, weights, blank)


def product_drawn(recording: Recording, geometry: Geometry, pixels: bool, region: Optional[Region]) -> Drawn:
    """A recorded direct convolution (its planar form) drawn as ``Y = W·X``."""
    drawn = conv_drawn(recording, geometry, pixels, region=region)
    drawn.playback = ProductPlayback(recording, geometry, region)
    drawn.extra["matrix"] = found = product_values(recording, geometry, region)
    if found.blank.any():
        drawn.extra["key_items"] = BLANK_KEY
    drawn.picture = None  # the matrices take the corner a whole picture would
    return drawn


# -- y = Cᵀ·x ------------------------------------------------------------------------------------


def transposed_parts(spec: Any, region: Optional[Region]) -> tuple[Region, Region, Region]:
    """The output drawn (in the output's coordinates), the same on the canvas (shifted by the
    padding: only cells of the output, none it crops) and the input cells whose kernels reach it
    (all of them for the whole layer)."""
    from .scattering import refuse_unreached, scatter_extent

    _, h, w = spec.input_shape
    part = Region.of(region, spec.output_shape[1:])
    (p, q) = spec.padding
    on = Region((part.rows[0] + p, part.rows[1] + p), (part.cols[0] + q, part.cols[1] + q), part.dims)
    read = Region((0, h), (0, w), part.dims) if region is None else scatter_extent(spec, on)
    refuse_unreached(region, read, part.dims)
    return part, on, read


def conv_text(spec: Any, dims: int) -> str:
    """The direct convolution whose matrix is C, as torch would be called."""
    name = "Conv1d" if dims == 1 else "Conv2d"

    def size(values: tuple) -> str:
        values = values[-dims:]
        return str(values[0]) if len(set(values)) == 1 else str(tuple(values))

    words = [str(spec.out_channels), str(spec.in_channels), size(spec.kernel_size)]
    for word, values, neutral in (
        ("stride", spec.stride, 1),
        ("padding", spec.padding, 0),
        ("dilation", spec.dilation, 1),
    ):
        if any(v != neutral for v in values[-dims:]):
            words.append(f"{word}={size(values)}")
    if spec.groups > 1:
        words.append(f"groups={spec.groups}")
    return f"{name}({', '.join(words)}, bias=False)"


def transpose_geometry(spec: Any, layer: Any, dims: int, region: Optional[Region] = None) -> Geometry:
    """The geometry of a transposed convolution ``spec`` (2-D; ``layer`` the layer itself, 1-D
    or 2-D) as ``y = Cᵀ·x``."""
    from .sliding import conv_geometry

    part, on, read = transposed_parts(spec, region)
    _, h, w = spec.input_shape
    _, ho, wo = spec.output_shape
    n_in, n_out = spec.in_channels * h * w, spec.out_channels * ho * wo
    notes = [
        f"C: the {_times(n_in, n_out)} matrix of {conv_text(layer, dims)}, which maps the output's shape back to "
        f"the input's; the transposed convolution multiplies by its transpose Cᵀ, {_times(n_out, n_in)}",
        "Cᵀ: a column per input cell (x flattened), a row per output cell (y flattened); a column holds the "
        "kernel's weights on the rows of the output cells they reach (blank: no weight), a row of C the window "
        "of the direct convolution",
    ]
    cut = spec.padding != (0, 0)
    if cut:
        notes.append(f"padding={layer.padding}: what lands outside the output has no row of Cᵀ")
    fields: dict[str, Any] = {"input_heading": "input", "output_heading": "output"}
    if region is not None and part.cuts((ho, wo)):
        notes.append(
            f"drawn: output {part.text(dims)} of {ho}×{wo if dims == 2 else wo}, and the input {read.text(dims)} "
            f"of {h}×{w} whose kernels reach them: the rows and columns of Cᵀ they are"
        )
        in_cut = (read.rows, read.cols) != ((0, h), (0, w))
        fields.update(
            input_heading="input" + (", part" if in_cut else ""),
            output_heading="output, part",
            part=Part(
                Crop((h, w), (read.rows[0], read.cols[0])) if in_cut else None,
                Crop((ho, wo), (part.rows[0], part.cols[0])),
            ),
        )

    def blame(axis: int) -> tuple[str, object, str]:
        return "input_shape", layer.input_shape, "input"

    groups = range(min(spec.groups, MAX_SHOWN_IN))
    j = spec.out_per_group - 1
    steps = spec.out_per_group * math.prod(read.size)
    last = transpose_step_text(  # the last input cell read, counted of this part as TransposePlayback counts
        spec,
        dims,
        [g * spec.out_per_group + j for g in groups],
        *(n - 1 for n in (read.rows[1], read.cols[1])),
        steps - 1,
        steps,
        steps < spec.steps,
    )
    head = len(transpose_head(spec, dims, spec.out_channels - 1, h - 1, w - 1))
    entry = len(f"y[{spec.out_channels - 1}, {ho}, {wo}] = y + Σ x·w = ")
    base = conv_geometry(spec.as_conv(), layer.caption, dims)

    return dataclasses.replace(
        base,
        layer=layer,
        grid=read.size,
        out_size=part.size,
        steps_per_column=math.prod(read.size),
        kernel_label=lambda c, j: f"weight[{c},{j}]",
        blame=blame,
        notes=tuple(notes),
        longest_step=None,  # its own step line, not that of the picture it is made from
        step_text=last,
        sum_chars=lambda chars, drawn: (  # a third more: whole entries leave the ends of lines empty
            len(drawn[2]) * (head + 3 + math.prod(spec.kernel_size) * (entry + 3 * chars + 6)) * 4 // 3
        ),
        # every output cell a step reaches has its line: about two entries a line, each group drawn
        sum_lines_most=min(12, len(groups) * -(-(math.prod(spec.kernel_size) + 1) // 2)),
        arrangement=_transpose_plan(spec, part, read),
        **fields,
    )


def _transpose_plan(spec: Any, part: Region, read: Region) -> MatrixPlan:
    """The matrices of ``y = Cᵀ·x``, and which of their rows and columns a part of the output
    (``part``, reading the input cells ``read``) or of the channels draws."""
    (_, h, w), (_, ho, wo) = spec.input_shape, spec.output_shape
    n_in, n_out = spec.in_channels * h * w, spec.out_channels * ho * wo

    def indices(shown_in: tuple, shown_out: tuple) -> dict[str, tuple[list[int], list[int]]]:
        """The rows and columns of the whole x, Cᵀ and y drawn: the input cells read, the output drawn."""
        cols = [c * h * w + y * w + x for c in shown_in for y in range(*read.rows) for x in range(*read.cols)]
        rows = [co * ho * wo + y * wo + x for co in shown_out for y in range(*part.rows) for x in range(*part.cols)]
        return {"x": ([0], cols), "w": (rows, cols), "y": (rows, [0])}

    wholes = ((1, n_in), (n_out, n_in), (n_out, 1))
    words = (
        ("x", 1, "x's and Cᵀ's columns", "the input cells drawn"),
        ("y", 0, "Cᵀ's and y's rows", "the output cells drawn"),
    )
    return MatrixPlan(
        TRANSPOSE,
        per_channel=h * w,
        names=("x, flattened", "Cᵀ", f"y = Cᵀ·x{' + b' if spec.bias else ''}"),
        wholes=wholes,
        indices=indices,
        notes=lambda shown_in, shown_out: _left_out_notes(indices(shown_in, shown_out), wholes, words),
    )


def transpose_step_text(
    spec: Any, dims: int, channels: list[int], y: int, x: int, step: int, steps: int, part: bool
) -> str:
    """The step line of ``y = Cᵀ·x``: the columns of Cᵀ (the input cells read: one per input
    channel of the groups drawn), the output channels they add to and the step."""
    _, h, w = spec.input_shape
    first = channels[0] // spec.out_per_group * spec.in_per_group
    last = channels[-1] // spec.out_per_group * spec.in_per_group + spec.in_per_group
    where = f"{y}, {x}" if dims == 2 else f"{x}"
    which = f"out channel {channels[0]}" if len(channels) == 1 else f"out channels {', '.join(map(str, channels))}"
    if last - first == 1:
        head = f"column {first * h * w + y * w + x} of Cᵀ: x[{first}, {where}]"
    else:
        head = f"columns {_columns(spec, range(first, last), y, x)} of Cᵀ: x[{first}:{last}, {where}]"
    return f"{head} · {which} · step {step + 1}/{steps}{' of this part' if part else ''}"


def _columns(spec: Any, channels: range, y: int, x: int, most: int = 4) -> str:
    """The columns of Cᵀ of input cell (y, x) of ``channels``: ``4, 13, 22`` (the first few, then …)."""
    _, h, w = spec.input_shape
    cols = [c * h * w + y * w + x for c in channels]
    return ", ".join(map(str, cols[:most])) + (", …" if len(cols) > most else "")


def transpose_head(spec: Any, dims: int, co: int, y: int, x: int) -> str:
    """What one step adds into output channel ``co``: ``y += Cᵀ[:, 4]·x[0, 1, 1]``, or for a layer
    of several output channels its map, the rows ``co`` has in Cᵀ (``y[1] += Cᵀ[36:72, 4]·x[0, 1, 1]
    + Cᵀ[36:72, 13]·x[1, 1, 1]``). Cᵀ's indices count the flattened x and y; x and y are indexed by
    channel and cell, as the maps beside the matrices are labelled, so no index reads as a channel
    it is not."""
    _, h, w = spec.input_shape
    n = math.prod(spec.output_shape[1:])
    g = co // spec.out_per_group
    where = f"{y}, {x}" if dims == 2 else f"{x}"
    channels = range(g * spec.in_per_group, (g + 1) * spec.in_per_group)
    rows = ":" if spec.out_channels == 1 else f"{co * n}:{(co + 1) * n}"
    terms = " + ".join(f"Cᵀ[{rows}, {c * h * w + y * w + x}]·x[{c}, {where}]" for c in channels[:3])
    return f"{'y' if spec.out_channels == 1 else f'y[{co}]'} += {terms}{' + …' if len(channels) > 3 else ''}"


class TransposePlayback:
    """The steps of ``y = Cᵀ·x``: the scatter's steps (:class:`~convgif.ops.transposed.ScatterPlayback`),
    each told as the input cell's column of Cᵀ times its value added into y."""

    def __init__(self, recording: Any, dims: int, on: Region, read: Region) -> None:
        from .scattering import ScatterPlayback

        self.scatter = ScatterPlayback(recording, on, read)
        self.spec, self.dims = recording.spec, dims
        self.steps = self.scatter.steps

    def advance(self, step: int) -> list:
        return self.scatter.advance(step)

    def show(self, step: int) -> Step:
        spec, scatter = self.spec, self.scatter
        shown_step = scatter.show(step)
        j, y, x = scatter._index(step)
        groups = list(range(min(spec.groups, MAX_SHOWN_IN)))
        text = transpose_step_text(
            spec,
            self.dims,
            [g * spec.out_per_group + j for g in groups],
            y,
            x,
            step,
            self.steps,
            self.steps < spec.steps,
        )
        sums = []
        for entry, co in zip(shown_step.sums, shown_step.sum_channels):
            if entry.startswith("canvas["):  # the scatter's head: which column adds into which channel
                outside = "  (outside the part drawn)" if entry.endswith("(outside the part drawn)") else ""
                entry = transpose_head(spec, self.dims, co, y, x) + outside
            elif self.dims == 1:
                entry = _one_axis(entry)
            sums.append(entry)
        return dataclasses.replace(shown_step, text=text, sums=tuple(sums))


def _one_axis(entry: str) -> str:
    """``y[0, 0, 5] = …`` of a 1-D layer drawn as one row, as the layer indexes it: ``y[0, 5] = …``."""
    name, rest = entry.split("[", 1)
    index, after = rest.split("]", 1)
    parts = index.split(", ")
    return f"{name}[{parts[0]}, {parts[-1]}]{after}"


def transpose_values(recording: Any, geometry: Geometry, part: Region, read: Region) -> MatrixValues:
    """x's cells (the input cells each shows), Cᵀ's entries for the rows of the output drawn and
    the columns of the input drawn, and where no weight joins them."""
    spec = recording.spec
    shown_in, _, shown_out = shown(geometry)
    (hr, wr), (ho, wo) = read.size, part.size
    (sh, sw), (ph, pw), (dh, dw) = spec.stride, spec.padding, spec.dilation
    kh, kw = spec.kernel_size
    sources = np.zeros((1, len(shown_in) * hr * wr, 3), dtype=np.int64)
    for i, c in enumerate(shown_in):
        dy, dx = np.divmod(np.arange(hr * wr), wr)
        block = slice(i * hr * wr, (i + 1) * hr * wr)
        sources[0, block, 0], sources[0, block, 1], sources[0, block, 2] = c, dy, dx
    rows, cols = len(shown_out) * ho * wo, len(shown_in) * hr * wr
    weights = np.zeros((rows, cols), dtype=recording.weight.dtype)
    blank = np.ones((rows, cols), dtype=bool)
    # where tap (ky, kx) of input cell (y, x) lands, as drawn
    land_y = (np.arange(read.rows[0], read.rows[1])[:, None] * sh - ph + np.arange(kh)[None, :] * dh) - part.rows[0]
    land_x = (np.arange(read.cols[0], read.cols[1])[:, None] * sw - pw + np.arange(kw)[None, :] * dw) - part.cols[0]
    for r, co in enumerate(shown_out):
        group, j = divmod(co, spec.out_per_group)
        for i, c in enumerate(shown_in):
            if c // spec.in_per_group != group:
                continue
            kernel = recording.weight[c, recording.column(j)]
            for ky in range(kh):
                for kx in range(kw):
                    ys, xs = np.nonzero((land_y[:, ky] >= 0) & (land_y[:, ky] < ho))[0], None
                    xs = np.nonzero((land_x[:, kx] >= 0) & (land_x[:, kx] < wo))[0]
                    if not ys.size or not xs.size:
                        continue
                    yy, xx = np.meshgrid(ys, xs, indexing="ij")
                    out_rows = r * ho * wo + land_y[yy, ky] * wo + land_x[xx, kx]
                    in_cols = i * hr * wr + yy * wr + xx
                    weights[out_rows, in_cols] = kernel[ky, kx]
                    blank[out_rows, in_cols] = False
    return MatrixValues(sources, weights, blank)


def transpose_drawn(
    recording: Any, planar: Any, geometry: Geometry, pixels: bool, region: Optional[Region], dims: int
) -> Drawn:
    """A recorded transposed convolution drawn as ``y = Cᵀ·x`` (``planar``: its 2-D form, a 1-D
    layer's recording seen as one row)."""
    from .scattering import bias_start, partial_sum_range

    recording = transposed_row(recording, planar) if dims == 1 else recording
    spec = recording.spec
    part, on, read = transposed_parts(spec, region)
    grid = recording.input[:, slice(*read.rows), slice(*read.cols)]
    output = recording.output[:, slice(*part.rows), slice(*part.cols)]
    start = bias_start(spec, recording.bias, recording.output.dtype)[:, slice(*on.rows), slice(*on.cols)]
    span = recording.span_of(on) if recording.canvas is not None else partial_sum_range(recording, on, read)
    weights = recording.conv.distinct_weights()
    found = transpose_values(recording, geometry, part, read)
    scale = magnitude(output, np.asarray(span))
    chars = max(
        widest(grid), widest(output, np.asarray(span), scale=scale), widest(recording.weight, scale=magnitude(weights))
    )
    return Drawn(
        geometry=geometry,
        grid=grid,
        filler=np.zeros(grid.shape[1:], dtype=bool),
        kernels=by_output(spec, recording.weight),
        output=output,
        playback=TransposePlayback(recording, dims, on, read),
        start=start,
        value_chars=chars,
        pixels=pixels,
        extra={"span": span, "matrix": found, **({"key_items": BLANK_KEY} if found.blank.any() else {})},
        kernel_channels=recording.conv.kept,
        kernel_values=weights,
    )
