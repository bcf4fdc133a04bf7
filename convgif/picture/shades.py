"""How a drawing's values map to shades: :class:`Shades` per grid (centred on 0 where values
are signed, greys for a picture's pixels) and the colour keys that explain them, chosen once for
a whole animation by :func:`scales_of`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Optional

import numpy as np

from .model import (
    COPIED,
    CUT,
    EMPTY,
    FILLER,
    INSERTED,
    MORE,
    MORE_TEXT,
    OUTSIDE,
    UNREAD,
    Drawn,
    Key,
    shown,
)
from .numbers import few_written, format_value, magnitude, unique_sorted, written

#: A rank scale writes every value on its own swatch when there are at most this many.
KEY_VALUES = 7


@dataclass(frozen=True, eq=False)
class Shades:
    """How values map to shades ``0 .. count - 1``, and where each shade sits on its colour ramp.

    Sequential (values not below zero): by rank among ``distinct`` values, or linearly from
    ``low`` to ``high``; shade positions run from 0 to 1. Diverging (signed values): centred on
    0, shade ``zero`` is the neutral colour of 0 and the others go out on either side by
    magnitude (by rank among the distinct ``magnitudes``, or linearly up to the largest),
    the same magnitude as deep on both sides; positions run from -1 to 1. ``scale`` is the
    largest magnitude of the grid's values: below :data:`NOISE` times it a value is float
    noise, shaded and written as 0 (:meth:`text`). ``zero_neutral``: a sequential scale from 0
    whose shade 0 is 0's alone (no value above 0 takes it), drawn in the neutral colour of a
    diverging scale's 0, so that 0 looks the same in every grid (see :func:`zero_apart`).
    """

    low: float
    high: float
    count: int
    distinct: Optional[np.ndarray] = None  # the distinct values (signed ones too, by rank)
    diverging: bool = False
    magnitudes: Optional[np.ndarray] = None  # diverging by rank: the distinct nonzero |values|
    scale: float = 0.0
    zero_neutral: bool = False

    @classmethod
    def of(cls, values: np.ndarray, most: int, linear: bool = False, scale: Optional[float] = None) -> Shades:
        """Rank shades when there are at most ``most`` distinct values (unless ``linear``), else
        linear. ``scale``: the grid's largest magnitude, when ``values`` are not all of it."""
        scale = magnitude(values) if scale is None else scale
        distinct = unique_sorted(written(values, scale))
        if distinct.size <= most and not linear or distinct.size == 1:
            return cls(float(distinct[0]), float(distinct[-1]), int(distinct.size), distinct, scale=scale)
        return cls(float(distinct[0]), float(distinct[-1]), most, scale=scale)

    @classmethod
    def centred(
        cls,
        values: np.ndarray,
        most: int,
        linear: bool = False,
        span: Optional[tuple] = None,
        scale: Optional[float] = None,
    ) -> Shades:
        """A diverging scale centred on 0 with at most ``most`` shades on each side; ``span``
        (lowest, highest) widens it to values the cells pass through."""
        scale = magnitude(values, span) if scale is None else scale
        distinct, low, high = few_written(values, scale, most)
        if span is not None:
            lowest, highest = written(np.asarray(span, dtype=float), scale)
            low, high = min(low, float(lowest)), max(high, float(highest))
        magnitudes = unique_sorted(np.abs(distinct[distinct != 0])) if distinct is not None else None
        if span is None and not linear and magnitudes is not None and magnitudes.size <= most:
            n = int(magnitudes.size)
            return cls(low, high, 2 * n + 1, distinct, diverging=True, magnitudes=magnitudes, scale=scale)
        return cls(low, high, 2 * most + 1, diverging=True, scale=scale)

    @property
    def zero(self) -> int:
        """The neutral shade of a diverging scale."""
        return self.count // 2

    def index(self, values: Any) -> np.ndarray:
        values = written(values, self.scale)
        if self.diverging:
            magnitude = np.abs(values)
            if self.magnitudes is not None:
                level = np.searchsorted(self.magnitudes, magnitude) + 1
            else:
                largest = max(abs(self.low), abs(self.high)) or 1
                level = np.ceil(magnitude / largest * self.zero - 1e-9).clip(1, self.zero)
            level = np.where((magnitude == 0) | np.isnan(magnitude), 0, level).astype(np.intp)
            return self.zero + np.nan_to_num(np.sign(values)).astype(np.intp) * level  # NaN: the neutral shade
        if self.distinct is not None:
            return np.searchsorted(self.distinct, values)
        span = (self.high - self.low) or 1
        shade = np.rint((values - self.low) / span * (self.count - 1)).astype(np.intp)
        if self.zero_neutral and self.count > 1:  # shade 0 is 0's: a value above it takes the next
            shade = np.where((shade == 0) & (values > 0), 1, shade)
        return shade

    def text(self, value: Any) -> str:
        """``value`` as a cell of this grid writes it."""
        return format_value(value, self.scale)

    def positions(self) -> list[float]:
        """Where each shade sits on its ramp: 0..1, or -1..1 for a diverging scale (0: neutral)."""
        if self.diverging:
            side = self.zero
            return [(i - side) / max(side, 1) for i in range(self.count)]
        return [i / max(self.count - 1, 1) for i in range(self.count)]

    def key_items(self) -> tuple[tuple[Optional[int], str], ...]:
        """The key: every value on its swatch when there are few, else the ends in words with
        the shades between them (and 0, when it lies between them), none that no value takes."""
        if self.distinct is not None and self.distinct.size <= KEY_VALUES:
            return tuple((int(self.index(v)), self.text(v)) for v in self.distinct)
        if self.diverging:
            first, last = int(self.index(self.low)), int(self.index(self.high))
            if self.high < 0 or self.low > 0:  # all on one side of 0: its shades, not 0's
                return (
                    (None, self.text(self.low)),
                    *((i, "") for i in range(first, last + 1)),
                    (None, self.text(self.high)),
                )
            return (  # an end at 0 is the 0 swatch's, not written again beside it
                *(((None, self.text(self.low)),) if self.low < 0 else ()),
                *((i, "") for i in range(min(first, self.zero), self.zero)),
                (self.zero, "0"),
                *((i, "") for i in range(self.zero + 1, max(last, self.zero) + 1)),
                *(((None, self.text(self.high)),) if self.high > 0 else ()),
            )
        return ((None, self.text(self.low)), *((i, "") for i in range(self.count)), (None, self.text(self.high)))


INPUT_SHADES, KERNEL_SHADES, OUTPUT_SHADES = 5, 3, 6  # at most, per side for a diverging scale
PIXEL_SHADES, RGB_SHADES = 16, 12


@dataclass(frozen=True, eq=False)
class Scales:
    """The shades of a drawing's input, kernels and output, and the keys that explain them."""

    input: Shades
    kernel: Optional[Shades]
    output: Shades
    keys: tuple[Key, ...]
    channels: int  # input rows of colours: 1, or 3 for an RGB picture
    input_as_output: bool = False  # the input an earlier picture's output: its shades and colours
    #: The colours of the kernels: the weights' ("kernel"), or, for kernels that are one of the
    #: pass's arrays, those of an input ("input") or of an earlier picture's output ("output").
    kernel_colours: str = "kernel"


def zero_apart(shades: Shades) -> Shades:
    """``shades`` with 0, on a sequential scale starting at it, drawn in the neutral colour
    (:attr:`Shades.zero_neutral`): an all-zero grid, or the zeros of a grid of values from 0,
    look like a kernel's 0 and a signed grid's, not like the lightest positive value."""
    if shades.diverging or shades.low != 0:
        return shades
    return replace(shades, zero_neutral=True)


def shaded_output(drawn: Drawn) -> np.ndarray:
    """The output channels of ``drawn`` that are drawn and shaded (not plain numbers)."""
    shown_out = shown(drawn.geometry)[2]
    rows = [co for co in range(drawn.geometry.out_channels) if co not in drawn.plain]  # output's channels
    return drawn.output[[rows.index(co) for co in shown_out if co in rows and rows.index(co) < drawn.output.shape[0]]]


def hues_key(geometry: Any) -> list[Key]:
    """The key of the hues a picture outlines its windows, kernels and outputs in, when they
    stand for something (:attr:`~convgif.picture.model.Geometry.hues_name`) and it shows more
    than one: ``group``, then each group's number outlined in its hue (the layer's groups,
    whatever the picture's own groups are). Its shades are the groups, the scene's hues cycling
    over them."""
    if not geometry.hues_name:
        return []
    shown_in, _, shown_out = shown(geometry)
    groups = {c // geometry.in_per_group for c in shown_in} | {geometry.out_group(co) for co in shown_out}
    layer = sorted({geometry.colour_group(g) for g in groups})
    if len(layer) < 2:
        return []
    return [Key(geometry.hues_name, "hues", tuple((g, f" {g} ") for g in layer))]  # room inside the outline


#: The shades of arrays an animation draws in more than one picture, by name: each with whether
#: it is drawn in the output's colours (an earlier picture wrote it) or in an input's.
Arrays = Mapping[str, tuple[Shades, bool]]


def own_values(drawn: Drawn, channels: Optional[Sequence[int]] = None) -> np.ndarray:
    """The values of the input cells of ``drawn`` (of ``channels``; default all) that are the
    input's own: not filler, not outside it (all of them where none are). Padding that copies
    cells holds values, shaded on the input's scale: its cells are the input's own here."""
    filler = np.zeros_like(drawn.filler) if drawn.copies else drawn.filler
    apart = filler if drawn.outside is None else filler | drawn.outside
    which = list(range(drawn.grid.shape[0])) if channels is None else [c for c in channels if c < drawn.grid.shape[0]]
    drawn_in = drawn.grid[which]
    if apart.ndim == 3:  # filler told per channel (whole channels of padding)
        apart = apart[which]
        return drawn_in[~apart] if (~apart).any() else drawn_in
    return drawn_in[:, ~apart] if (~apart).any() else drawn_in


def input_shades(grid: np.ndarray) -> Shades:
    """The shades of an input grid of these values: centred on 0 where they are signed."""
    scale = magnitude(grid)
    if written(grid, scale).min() < 0:
        return Shades.centred(grid, INPUT_SHADES // 2 + 1, scale=scale)
    return Shades.of(grid, INPUT_SHADES, scale=scale)


def array_shades(drawings: Sequence[Drawn]) -> dict[str, Shades]:
    """The shades of each array an animation draws as the kernels of a picture (a gradient's
    dy, a weight gradient's x; see :attr:`~convgif.picture.model.Geometry.kernels_are_values`),
    as an input's, from all its values drawn, as kernels or as an input grid: one scale, so
    that a shade means one value of it in every picture."""
    names = {d.geometry.kernel_name for d in drawings if d.geometry.kernels_are_values and d.kernels is not None}
    found: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for drawn in drawings:
        geometry = drawn.geometry
        if geometry.kernels_are_values and geometry.kernel_name in names and drawn.kernels is not None:
            kernels = drawn.kernels if drawn.kernel_values is None else drawn.kernel_values
            found[geometry.kernel_name].append(np.ravel(kernels))
        if geometry.inputs_drawn and geometry.input_name in names and not drawn.pixels:
            found[geometry.input_name].append(np.ravel(own_values(drawn)))
    return {name: zero_apart(input_shades(np.concatenate(values))) for name, values in found.items()}


def input_extra_items(drawn: Drawn) -> tuple[tuple[Optional[int], str], ...]:
    """The entries of the input's key after its values' shades: its filler (zero padding's
    swatch; for padding that copies cells, the frame round each copy's shade), inserted zeros,
    cells never read and cells past the input's edge, where the grid has them."""
    items: tuple[tuple[Optional[int], str], ...] = ()
    inserted = drawn.inserted if drawn.inserted is not None else np.zeros_like(drawn.filler)
    if (drawn.filler & ~inserted).any() and not drawn.copies:
        items = ((FILLER, drawn.filler_text or "0"), (None, drawn.filler_name))
    elif (drawn.filler & ~inserted).any():
        items = ((COPIED, ""), (None, drawn.copies_name or drawn.filler_name))
    if inserted.any():
        items += ((INSERTED, "0"), (None, "inserted"))
    if drawn.unread is not None and drawn.unread.any():
        items += ((UNREAD, ""), (None, "never read"))
    if drawn.outside is not None and drawn.outside.any():
        items += ((OUTSIDE, ""), (None, "overhang"))
    return items


def scales_of(drawn: Drawn, values: bool = False, arrays: Optional[Arrays] = None) -> Scales:
    """Shades for every grid of ``drawn``, each from the values of all its channels: diverging
    (centred on 0) where values are signed, greys for a picture's pixels (colours per channel
    for RGB), with a key for each grid. Float noise in a grid (see :data:`NOISE`) counts as 0.
    ``values``: numbers are written in the cells (a picture then takes half the shades).
    ``arrays``: the shades of arrays drawn in other pictures too, taken by the input grids and
    by kernels that are one of them, where they are drawn."""
    geometry, arrays = drawn.geometry, arrays or {}
    given = arrays.get(geometry.input_name) if geometry.inputs_drawn and not drawn.pixels else None
    written_as = given[0] if given is not None and given[1] else None
    span = drawn.extra.get("span")  # (lowest, highest) the output cells pass through
    shown_in = shown(drawn.geometry)[0]  # only the channels drawn take part
    out_scale = magnitude(shaded_output(drawn), span)
    output = written(shaded_output(drawn), out_scale)
    signed_output = output.min() < 0 or (span is not None and written(np.asarray(span, float), out_scale)[0] < 0)
    channels = drawn.grid.shape[0] if drawn.pixels and drawn.grid.shape[0] == 3 else 1
    if drawn.pixels:
        levels = (PIXEL_SHADES if channels == 1 else RGB_SHADES) // (2 if values else 1)
        inputs = Shades(0.0, 255.0, levels, scale=255.0)
        if signed_output:
            outputs = Shades.centred(output, PIXEL_SHADES // 2, linear=True, span=span, scale=out_scale)
        else:
            outputs = Shades.of(output, PIXEL_SHADES, linear=True, scale=out_scale)
    else:
        # an earlier picture's output is as it was written; an array drawn elsewhere too, as there;
        # else from the values every picture of this input shows (a 3-D layer's depth pictures)
        shown_values = drawn.extra.get("inputs_shown")
        grid = own_values(drawn, shown_in) if shown_values is None else shown_values
        inputs = given[0] if given is not None else input_shades(grid)
        if signed_output:
            outputs = Shades.centred(output, OUTPUT_SHADES // 2, span=span, scale=out_scale)
        else:
            outputs = Shades.of(output, OUTPUT_SHADES, scale=out_scale)
    if span is not None and not outputs.diverging and span[0] < span[1]:  # other values on the way: linear
        outputs = Shades(
            float(span[0]), float(span[1]), PIXEL_SHADES if drawn.pixels else OUTPUT_SHADES, scale=out_scale
        )
    if not drawn.pixels:  # a picture's pixels run from black; elsewhere 0 is neutral in every grid
        inputs, outputs = (inputs if written_as is not None else zero_apart(inputs)), zero_apart(outputs)
    kernel_values = drawn.kernel_values if drawn.kernel_values is not None else drawn.kernels
    kernels = Shades.centred(kernel_values, KERNEL_SHADES) if drawn.kernels is not None else None
    kernel_colours = "kernel"
    if kernels is not None and geometry.kernels_are_values and geometry.kernel_name in arrays:
        kernels, written_kernels = arrays[geometry.kernel_name]
        kernel_colours = "output" if written_kernels else "input"

    keys = []
    extra_items = input_extra_items(drawn)
    if not drawn.geometry.inputs_drawn:
        pass  # no input grid, so no key for one
    elif channels == 3:
        for c in range(3):
            keys.append(Key(f"x[{c}]", f"input{c}", inputs.key_items()))
        if extra_items:  # the padding's (or another filler's) entry, for all three channels
            keys.append(Key("", "input", extra_items))
    else:
        # all padding: its swatch alone, unless it copies cells (each in the shade of its value)
        alone = drawn.filler.all() and extra_items and not drawn.copies
        keys.append(Key(drawn.geometry.input_name, "input", (() if alone else inputs.key_items()) + extra_items))
    more = drawn.extra.get("key_items", {})
    if kernels is not None:
        keys.append(Key(drawn.geometry.kernel_name, "kernel", kernels.key_items() + tuple(more.get("kernel", ()))))
    to_come = drawn.start is None or (drawn.start_empty is not None and drawn.start_empty.any())
    empty = ((EMPTY, ""), (None, "to come")) if to_come else ()
    if drawn.cut is not None and drawn.cut.any():
        empty += ((CUT, ""), (None, "cropped"))
    keys.append(Key(drawn.geometry.output_name, "output", outputs.key_items() + empty))
    keys += hues_key(drawn.geometry)
    if any(count > 0 for counts in drawn.geometry.hidden for count in counts):  # a part of a larger map
        keys.append(Key("", "more", ((MORE, ""), (None, MORE_TEXT))))
    return Scales(inputs, kernels, outputs, tuple(keys), channels, written_as is not None, kernel_colours)
