"""``torch.nn.Unfold`` and ``torch.nn.Fold``: the convolution's matrix form as layers.

* **Unfold** (im2col) copies every window of a (C, H, W) input (padded with zeros, its cells
  ``dilation`` apart, moving by ``stride``) into one column of a (C·KH·KW, L) matrix: row
  ``c·KH·KW + ky·KW + kx`` holds channel ``c``'s kernel cell (ky, kx), column ``l`` the l-th
  window, row by row over the placements. A convolution is then one matrix product with the
  weight (``convgif --view matrix`` draws that).
* **Fold** (col2im) puts such columns back: column ``l`` of a (C·KH·KW, L) input is added into
  the l-th window of a (C, *output_size) output, padded; where windows overlap their values
  add up, and what lands on the padding is dropped. ``fold(unfold(x))`` is x times how many
  windows cover each cell.

Both are drawn with the channels as groups: Unfold's output, and Fold's input, as one block
of KH·KW rows per channel (their rows ``c·KH·KW`` to ``(c + 1)·KH·KW − 1``), beside the channel
they come from or go to. A step is one window placement, every channel at once: Unfold copies
the window into a column, Fold adds a column into the window. Unfold draws a range of its
columns (``--region C0:C1``) when the layer is too large, Fold a part of its output (``--region
R0:R1,C0:C1``) and the columns from the first window that reaches it to the last.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from ..engine.matrix import fold, unfold
from ..engine.values import drawn_or_given, rng_of
from ..picture.model import Crop, Drawn, Geometry, Part, Region
from ..picture.numbers import widest
from ..picture.sizes import MAX_SHOWN_IN
from .base import Operation, count_facts, dims_text, each_of
from .depth_steps import of_part
from .fold_part import (
    fold_cells,
    fold_placed,
    read_by_layer,
    record_fold_part,
    record_unfold_part,
    row_blocks,
    unfold_columns,
    unfold_placed,
)
from .fold_specs import FoldSpec, UnfoldSpec
from .fold_steps import (
    FoldPlayback,
    UnfoldPlayback,
    _slice,
    _windows,
    first_column,
    fold_longest,
    fold_taps,
    partial_span,
)
from .gathered import INPUT_RANGE, no_values
from .sliding import channels_cut, draws_part


@dataclass(frozen=True, eq=False)
class FoldRecording:
    """The forward pass of Unfold or Fold: ``input`` and ``output`` as PyTorch gives them, and
    ``canvas`` the padded map (Unfold's input padded, Fold's output before the padding is
    dropped)."""

    spec: Any
    input: np.ndarray
    output: np.ndarray
    canvas: np.ndarray


class _FoldOperation(Operation):
    """What Unfold and Fold share: no weights, torch's arguments, no view of their own, a
    backward pass drawn as the other layer (:mod:`convgif.ops.backward_fold`)."""

    dims = 2
    views = ("region",)
    backward_drawn = True

    def backward_geometries(self, spec: Any, region: Optional[Region] = None, **view: Any) -> list[Geometry]:
        """One picture: Unfold's gradient a Fold of dy, Fold's an Unfold of dy."""
        from . import backward_fold
        from .backward import refuse_region

        self.check_view(**view)
        refuse_region(region)
        return getattr(backward_fold, f"{self.name.lower()}_backward_geometries")(spec, self._mirror())

    def backward_drawings(
        self, spec: Any, recording: Any, pixels: bool = False, geometries: Any = None, **view: Any
    ) -> list[Drawn]:
        from . import backward_fold

        return getattr(backward_fold, f"{self.name.lower()}_backward_drawings")(
            spec, recording, self._mirror(), geometries
        )

    def _mirror(self) -> Operation:
        """The other layer, whose forward pictures draw this one's backward pass."""
        return FOLD if self.name == "Unfold" else UNFOLD

    def weight_shape(self, spec: Any) -> None:
        return None

    def name_parts(self, spec: Any, **view: Any) -> list[str]:
        parts = ["x".join(map(str, spec.input_shape)), f"k{dims_text(spec.kernel_size)}"]
        if getattr(spec, "output_size", None):
            parts.insert(1, f"out{dims_text(spec.output_size)}")
        for letter, sizes, neutral in (("s", spec.stride, 1), ("p", spec.padding, 0), ("d", spec.dilation, 1)):
            if any(v != neutral for v in sizes):
                parts.append(f"{letter}{dims_text(sizes)}")
        return parts

    def _formulas(self, spec: Any, sizes: tuple[int, int]) -> list[str]:
        formulas = []
        for axis, n, k, s, d, p, count in zip(
            ("H", "W"), sizes, spec.kernel_size, spec.stride, spec.dilation, spec.padding, spec.places
        ):
            formulas.append(f"windows along {axis} = floor(({n} + 2·{p} − {d}·({k} − 1) − 1) / {s} + 1) = {count}")
        return formulas


class Unfold(_FoldOperation):
    """``torch.nn.Unfold``: every window copied into a column."""

    draws_parts = True

    name = "Unfold"
    spec_type = UnfoldSpec
    torch_signature = ("kernel_size", "dilation", "padding", "stride")

    def record(self, spec: Any, seed: int = 0, *, input: Any = None, weight: Any = None, bias: Any = None) -> Any:
        """Small random integers (0..9), or ``input``, unfolded."""
        no_values(self.name, weight, bias, "Unfold copies the windows and has no parameters")
        x = drawn_or_given(rng_of(seed), "input", input, spec.input_shape, INPUT_RANGE)
        p = spec.padding
        canvas = np.pad(x, ((0, 0), (p[0], p[0]), (p[1], p[1])))
        columns = unfold(x, spec.kernel_size, spec.stride, spec.dilation, spec.padding)
        return FoldRecording(spec, x, columns, canvas)

    def placed(self, spec: Any, region: Any) -> Any:
        """An automatic range of columns where their windows read the input, not padding alone."""
        return unfold_placed(spec, region)

    def record_drawn(self, spec: Any, seed: int, kernels: Any, *, input=None, weight=None, bias=None, region=None):
        """The recording; with ``region`` (a range of columns), only those columns and the input
        cells their windows read, each value the whole layer's."""
        if region is None:
            return self.record(spec, seed, input=input, weight=weight, bias=bias)
        no_values(self.name, weight, bias, "Unfold copies the windows and has no parameters")
        columns, read = unfold_columns(spec, region)
        return FoldRecording(spec, *record_unfold_part(spec, seed, input, columns, read))

    def part_numbers(self, spec: Any, region: Region) -> int:
        """The input cells the columns' windows read (and the padding among them), twice, and
        the columns."""
        (start, stop), read = unfold_columns(spec, region)
        return spec.in_channels * (2 * math.prod(read.size) + spec.cells * (stop - start))

    def gradients(self, spec: Any, recording: Any, grad_output: Any) -> Any:
        """dx: each column's gradient added back into its window, a Fold of dy."""
        from ..engine.backward import Gradients

        dy = np.asarray(grad_output)
        return Gradients(fold(dy, spec.input_shape[1:], spec.kernel_size, spec.stride, spec.dilation, spec.padding))

    def geometries(self, spec: Any, region: Optional[Region] = None, **view: Any) -> list[Geometry]:
        self.check_view(**view)
        c, kk = spec.in_channels, spec.cells
        (start, stop), read = unfold_columns(spec, region)
        _, hp, wp = spec.padded_shape
        _, places = spec.output_shape
        (kh, kw), (ph, pw) = spec.kernel_size, spec.places
        notes = [
            f"a column per window, row by row over the {ph}×{pw} placements (column l: placement row l // {pw}, "
            f"column l mod {pw}); a row per channel and kernel cell: row c·{kk} + ky·{kw} + kx holds x[c] at the "
            "window's cell (ky, kx); each channel's rows drawn beside it"
        ]
        padded = max(spec.padding) > 0
        heading = "input (padded)" if padded else "input"
        if padded:
            notes.append(f"padding={spec.padding}: the windows read pad(x), x with that many zeros on each side")
        fields: dict[str, Any] = {"input_heading": heading, "output_heading": "output: one column per window"}
        if (start, stop) != (0, places):
            in_cut = (read.rows, read.cols) != ((0, hp), (0, wp))
            notes.append(
                f"drawn: output columns {start}–{stop - 1} of {places}, and the input{' (padded)' if padded else ''} "
                f"{read.text(2)} of {hp}×{wp} their windows read"
            )
            fields.update(
                input_heading=heading + (", part" if in_cut else ""),
                output_heading="output, part",
                part=Part(
                    Crop((hp, wp), (read.rows[0], read.cols[0])) if in_cut else None, Crop((kk, places), (0, start))
                ),
            )
        entry = f"y[{(c - 1) * kk}:{c * kk}, {places - 1}] = pad(x)[{c - 1}, {_slice(hp, kh, spec.dilation[0])}, "
        entry += f"{_slice(wp, kw, spec.dilation[1])}]"
        return [
            Geometry(
                layer=spec,
                caption=spec.caption,
                dims=1,  # its region is a range of columns: the windows drawn
                in_channels=c,
                out_channels=c,
                groups=c,
                grid=read.size,
                kernel=None,
                out_size=(kk, stop - start),
                steps_per_column=stop - start,
                kernel_label=lambda i, j: "",
                blame=lambda axis: ("input_shape", spec.input_shape, "input"),
                notes=tuple(notes),
                output_label=lambda co: f"y[{co * kk}:{(co + 1) * kk}]",
                outputs_word=row_blocks("y", kk),
                numbers=True,
                longest_step=of_part(fold_longest(spec, start, stop), (start, stop) != (0, places)),  # draws_part's
                sum_chars=lambda chars, drawn: len(entry),  # a channel's entry
                sum_each_group=True,
                value_chars=2,
                **fields,
            )
        ]

    def drawings(
        self,
        spec: Any,
        recording: Any,
        pixels: bool = False,
        region: Optional[Region] = None,
        geometries: Any = None,
        **view: Any,
    ) -> list[Drawn]:
        (geometry,) = geometries or self.geometries(spec, region, **view)
        (start, stop), read = unfold_columns(spec, region)
        c, kk = spec.in_channels, spec.cells
        grid = recording.canvas[:, slice(*read.rows), slice(*read.cols)]
        p, (h, w) = spec.padding, spec.input_shape[1:]
        rows, cols = np.arange(*read.rows), np.arange(*read.cols)  # the padded map's cells drawn
        filler = ~(((rows >= p[0]) & (rows < p[0] + h))[:, None] & ((cols >= p[1]) & (cols < p[1] + w))[None, :])
        output = recording.output[:, start:stop].reshape(c, kk, stop - start)
        # the cells drawn that no window of the whole layer reads (a stride past a window, a
        # dilation's gap): not those only the columns left out read
        seen = [
            read_by_layer(*sides)[slice(*span)]
            for span, sides in zip(
                (read.rows, read.cols),
                zip(spec.padding, (h, w), spec.kernel_size, spec.stride, spec.dilation, spec.places),
            )
        ]
        unread = ~(seen[0][:, None] & seen[1][None, :])
        return [
            Drawn(
                geometry=geometry,
                grid=grid,
                filler=filler,
                kernels=None,
                output=output,
                playback=UnfoldPlayback(
                    spec, recording, start, stop, read, part=draws_part(geometry, region, (1, spec.output_shape[1]))
                ),
                value_chars=max(widest(grid, output), 1),
                pixels=pixels,
                unread=unread if unread.any() else None,
            )
        ]

    def facts(self, spec: Any) -> dict[str, Any]:
        return {
            "kind": self.name,
            "caption": spec.caption,
            "input_shape": list(spec.input_shape),
            "output_shape": list(spec.output_shape),
            "kernel_size": list(spec.kernel_size),
            "stride": list(spec.stride),
            "padding": list(spec.padding),
            "dilation": list(spec.dilation),
            "num_parameters": 0,
            **_window_counts(spec.output_shape[1], spec.in_channels, spec.steps, "output"),
            "output_size_formulas": [
                *self._formulas(spec, spec.input_shape[1:]),
                f"output = (C·KH·KW, L) = ({spec.in_channels}·{spec.kernel_size[0]}·{spec.kernel_size[1]}, "
                f"{spec.places[0]}·{spec.places[1]}) = {spec.output_shape}",
            ],
            "parameter_formulas": ["none: Unfold copies the windows and has no weights"],
            "writes": spec.operations[1],
        }


class Fold(_FoldOperation):
    """``torch.nn.Fold``: every column added back into its window."""

    draws_parts = True

    name = "Fold"
    spec_type = FoldSpec
    torch_signature = ("output_size", "kernel_size", "dilation", "padding", "stride")
    views = ("region",)

    def record(self, spec: Any, seed: int = 0, *, input: Any = None, weight: Any = None, bias: Any = None) -> Any:
        """Small random integers (0..9), or ``input`` (C·KH·KW, L), folded."""
        no_values(self.name, weight, bias, "Fold adds the columns up and has no parameters")
        x = drawn_or_given(rng_of(seed), "input", input, spec.input_shape, INPUT_RANGE)
        p = spec.padding
        canvas = fold(x, spec.canvas, spec.kernel_size, spec.stride, spec.dilation, (0, 0))
        output = canvas[:, p[0] : p[0] + spec.output_size[0], p[1] : p[1] + spec.output_size[1]].copy()
        return FoldRecording(spec, x, output, canvas)

    def placed(self, spec: Any, region: Any) -> Any:
        """An automatic part of the padded map on the output, not on the padding it drops."""
        return fold_placed(spec, region)

    def record_drawn(self, spec: Any, seed: int, kernels: Any, *, input=None, weight=None, bias=None, region=None):
        """The recording; with ``region`` (cells of the padded output), only those cells, their
        sums and the columns from the first window that reaches them to the last (the steps
        drawn), each value the whole layer's."""
        if region is None:
            return self.record(spec, seed, input=input, weight=weight, bias=bias)
        no_values(self.name, weight, bias, "Fold adds the columns up and has no parameters")
        part, columns = fold_cells(spec, region)
        return FoldRecording(spec, *record_fold_part(spec, seed, input, columns, part))

    def part_numbers(self, spec: Any, region: Region) -> int:
        """The columns held, the cells drawn (their sums, the output among them, the picture's
        start and output), and twice (a playback for the scale, one drawn) the partial sums of
        the cells the columns' windows cover, with a flag each."""
        part, (start, stop) = fold_cells(spec, region)
        rows, cols = _windows(spec, spec.output_size, start, stop)
        band = (int(rows.max()) - int(rows.min()) + 1) * (int(cols.max()) - int(cols.min()) + 1)
        held = stop - first_column(spec, start, stop)
        return spec.in_channels * (spec.cells * held + 4 * math.prod(part.size) + 4 * band)

    def example(self) -> dict[str, Any]:
        """Two channels' 2×2 windows, twelve of them, added into a 4×5 map."""
        return {"input_shape": (8, 12), "output_size": (4, 5), "kernel_size": 2}

    def gradients(self, spec: Any, recording: Any, grad_output: Any) -> Any:
        """dx: each window of dy copied into its column, an Unfold of dy."""
        from ..engine.backward import Gradients

        dy = np.asarray(grad_output)
        return Gradients(unfold(dy, spec.kernel_size, spec.stride, spec.dilation, spec.padding))

    def _part_fields(self, spec: Any, region: Optional[Region]) -> tuple[list[str], dict[str, Any]]:
        """A part's note and the geometry's fields that place it (none for the whole layer)."""
        part, (start, stop) = fold_cells(spec, region)
        if region is None or not part.cuts(spec.canvas):
            return [], {}
        places, kk = spec.input_shape[1], spec.cells
        hc, wc = spec.canvas
        note = (
            f"drawn: output cells {part.text(2)} of the {hc}×{wc} {'padded ' if max(spec.padding) else ''}map, and "
            f"the columns {start}–{stop - 1} of {places} from the first window that reaches them to the last"
        )
        heading = "output, on the padded map" if max(spec.padding) else "output"
        cut = (start, stop) != (0, places)
        fields = {
            "input_heading": "input: one column per window" + (", part" if cut else ""),
            "output_heading": f"{heading}, part",
            "part": Part(Crop((kk, places), (0, start)) if cut else None, Crop((hc, wc), (part.rows[0], part.cols[0]))),
        }
        return [note], fields

    def geometries(self, spec: Any, region: Optional[Region] = None, **view: Any) -> list[Geometry]:
        self.check_view(**view)
        c, kk = spec.in_channels, spec.cells
        part, (start, stop) = fold_cells(spec, region)
        places = stop - start
        (kh, kw), (ph, pw) = spec.kernel_size, spec.places
        notes = [
            f"column l of each channel's rows adds into the l-th window of its output, row by row over the {ph}×{pw} "
            f"placements; row c·{kk} + ky·{kw} + kx into the window's cell (ky, kx); where windows overlap the values add up"
        ]
        if max(spec.padding):
            notes.append(
                f"padding={spec.padding}: the columns add into pad(y), the output with that many cells on each side; "
                "what lands on those cells (drawn pale) is dropped"
            )
        taps = fold_taps(spec)
        notes.append(
            f"windows covering an output cell: {', '.join(map(str, taps))}, so fold(unfold(x)) is x times that"
        )
        more, fields = self._part_fields(spec, region)
        notes += more
        fields.setdefault("input_heading", "input: one column per window")
        fields.setdefault("output_heading", "output, on the padded map" if max(spec.padding) else "output")
        hc, wc = spec.canvas
        window = f"pad(y)[{c - 1}, {_slice(hc, kh, spec.dilation[0])}, {_slice(wc, kw, spec.dilation[1])}]"
        entry = len(f"{window} = pad(y) + x[{c * kk}:{c * kk}, {places}] = ")
        return [
            Geometry(
                layer=spec,
                caption=spec.caption,
                dims=2,
                in_channels=c,
                out_channels=c,
                groups=c,
                grid=(kk, places),
                kernel=None,
                out_size=part.size,
                steps_per_column=places,
                kernel_label=lambda i, j: "",
                blame=lambda axis: ("input_shape", spec.input_shape, "input"),
                notes=tuple(notes),
                input_label=lambda c: f"x[{c * kk}:{(c + 1) * kk}]",
                inputs_word=row_blocks("x", kk),
                output_label=lambda co: f"y[{co}]",
                numbers=True,
                longest_step=of_part(fold_longest(spec, start, stop), places != spec.input_shape[1]),  # as counted
                sum_chars=lambda chars, drawn: len(drawn[2]) * (entry + 3 * kk * (chars + 2) + 3),
                sum_lines_most=3 * min(c, MAX_SHOWN_IN),  # a window of numbers for each channel drawn
                value_chars=2,
                **fields,
            )
        ]

    def drawings(
        self,
        spec: Any,
        recording: Any,
        pixels: bool = False,
        region: Optional[Region] = None,
        geometries: Any = None,
        **view: Any,
    ) -> list[Drawn]:
        (geometry,) = geometries or self.geometries(spec, region, **view)
        c, kk = spec.in_channels, spec.cells
        part, columns = fold_cells(spec, region)
        grid = recording.input[:, slice(*columns)].reshape(c, kk, columns[1] - columns[0])
        low, high = partial_span(spec, recording, columns, part)  # for a scale that covers every sum
        p, (ho, wo) = spec.padding, spec.output_size
        rows, cols = np.arange(*part.rows), np.arange(*part.cols)  # the padded map's cells drawn
        cut = ~(((rows >= p[0]) & (rows < p[0] + ho))[:, None] & ((cols >= p[1]) & (cols < p[1] + wo))[None, :])
        output = recording.canvas[:, slice(*part.rows), slice(*part.cols)]
        span = (low, high)
        return [
            Drawn(
                geometry=geometry,
                grid=grid,
                filler=np.zeros(grid.shape[1:], dtype=bool),
                kernels=None,
                output=output,
                playback=FoldPlayback(spec, recording, columns, part, channels=channels_cut(geometry)),
                start=np.zeros((c, *part.size), dtype=recording.canvas.dtype),
                value_chars=max(widest(grid, output, np.asarray(span)), 1),
                pixels=pixels,
                extra={"span": span},
                cut=cut if cut.any() else None,
            )
        ]

    def facts(self, spec: Any) -> dict[str, Any]:
        return {
            "kind": self.name,
            "caption": spec.caption,
            "input_shape": list(spec.input_shape),
            "output_shape": list(spec.output_shape),
            "kernel_size": list(spec.kernel_size),
            "stride": list(spec.stride),
            "padding": list(spec.padding),
            "dilation": list(spec.dilation),
            "output_size": list(spec.output_size),
            "num_parameters": 0,
            **_window_counts(spec.input_shape[1], spec.in_channels, spec.steps, "input"),
            "output_size_formulas": [
                *self._formulas(spec, spec.output_size),
                f"C = {spec.input_shape[0]} / ({spec.kernel_size[0]}·{spec.kernel_size[1]}) = {spec.in_channels}; "
                f"output = (C, *output_size) = {spec.output_shape}",
            ],
            "parameter_formulas": ["none: Fold adds the columns into their windows and has no weights"],
            "additions": spec.operations[1],
            "overlaps": fold_taps(spec),
            "overlaps_name": "windows covering an output cell (fold(unfold(x)) is x times that)",
        }


def _window_counts(columns: int, channels: int, steps: int, held: str) -> dict[str, Any]:
    """The windows of every channel, each of the ``held`` matrix's ``columns`` holding one of
    each channel, and the steps, a column a step."""
    shared = f"the {held}'s {columns:,} columns" + (" each hold one of every channel" if channels > 1 else "")
    note = "; ".join(filter(None, [each_of(columns, channels), shared]))
    return {**count_facts(columns, channels, steps, name="windows"), "placements_note": note}


UNFOLD = Unfold()
FOLD = Fold()
