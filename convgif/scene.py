"""The static picture of a drawing: its colours and everything that does not move.

Caption, labels, every grid with its values, group frames and the output colour scale are
drawn once; frames are this picture plus the overlay of :mod:`convgif.overlay`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .drawing import Drawn, Shades, format_value
from .layout import LABEL, LEGEND_CHARS, LEGEND_SWATCH, Layout
from .paint import BLACK, LIGHT, WHITE, Painter, Palette, Theme, blend, ramp

INPUT_SHADES, KERNEL_SHADES, OUTPUT_SHADES = 5, 3, 6
PRIMARIES = ((255, 40, 40), (40, 210, 40), (50, 90, 255))  # RGB pictures' channels
PIXEL_SHADES, RGB_SHADES = 16, 12


@dataclass(frozen=True)
class Colours:
    """Palette indices of everything a picture shows."""

    background: int
    ink: int
    grid: int
    inputs: list[list[int]]  # shades by value: one row for all channels, or one per channel (RGB)
    padding: int
    copies: list[list[int]]  # reflect/replicate/circular padding: paler copies of the input shades
    kernels: list[int]
    outputs: list[int]
    hues: list[int]
    tints: list[int]  # highlighted input cells, per hue
    padding_tints: list[int]
    outside: int  # cells outside the input and its padding (-1 where there are none)


def kernel_shades(weight: np.ndarray, theme: Theme) -> tuple[np.ndarray, list]:
    """Diverging shades: red below zero, neutral at zero, green above, by magnitude."""
    scale = max(float(np.abs(weight).max()), 1.0)  # the largest magnitude fills the last shade, never past it
    steps = np.ceil(np.abs(weight) / scale * KERNEL_SHADES).astype(np.intp)
    bins = np.sign(weight).astype(np.intp) * steps + KERNEL_SHADES
    colors = [
        blend(theme.background, theme.negative if k < 0 else theme.positive, 0.18 + 0.5 * abs(k) / KERNEL_SHADES)
        if k
        else theme.kernel_zero
        for k in range(-KERNEL_SHADES, KERNEL_SHADES + 1)
    ]
    return bins, colors


class Scene:
    """The colours and the static image of one drawing laid out by one layout."""

    def __init__(self, drawn: Drawn, layout: Layout, theme: Theme = LIGHT) -> None:
        self.drawn = drawn
        self.layout = layout
        self.geometry = geometry = layout.geometry
        channels = drawn.grid.shape[0]
        if drawn.pixels:
            levels = (PIXEL_SHADES if channels == 1 else RGB_SHADES) // (2 if layout.values else 1)
            self.in_bins = np.clip(np.rint(drawn.grid / 255 * (levels - 1)), 0, levels - 1).astype(np.intp)
            tops = [WHITE] if channels == 1 else list(PRIMARIES)
            input_rows = [ramp(BLACK, top, levels) for top in tops]
            scale = Shades.of(drawn.output, PIXEL_SHADES, linear=True)
            output_shades = ramp(BLACK, WHITE, scale.count)
        else:
            inputs = Shades.of(drawn.grid, INPUT_SHADES)
            self.in_bins = inputs.index(drawn.grid)
            input_rows = [ramp(theme.input_low, theme.input_high, inputs.count)]
            scale = Shades.of(drawn.output, OUTPUT_SHADES)
            output_shades = ramp(theme.output_low, theme.output_high, scale.count)
        if "span" in drawn.extra:  # outputs pass through other values on their way to the result
            low, high = drawn.extra["span"]
            scale = Shades(float(low), float(high), scale.count)
        self.scale = scale
        self.k_bins, k_colors = kernel_shades(drawn.kernels, theme) if drawn.kernels is not None else (None, [])

        palette = Palette()
        add = palette.add
        hues = [theme.hues[g % len(theme.hues)] for g in range(min(geometry.groups, len(theme.hues)))]
        self.colours = col = Colours(
            background=add(theme.background),
            ink=add(theme.ink),
            grid=add(theme.grid),
            inputs=[[add(c) for c in row] for row in input_rows],
            padding=add(theme.padding),
            copies=[[add(blend(c, theme.padding, 0.6)) for c in row] for row in input_rows],
            kernels=[add(c) for c in k_colors],
            outputs=[add(c) for c in output_shades],
            hues=[add(h) for h in hues],
            tints=[add(blend(theme.background, h, 0.42)) for h in hues],
            padding_tints=[add(blend(theme.padding, h, 0.42)) for h in hues],
            outside=add(blend(theme.background, theme.grid, 0.25)) if drawn.outside is not None else -1,
        )
        under = [col.background]  # without values, text is only ever written on the background
        if layout.values or drawn.filler_text:
            shades = [c for row in col.inputs + col.copies for c in row]
            under += [col.padding, *shades, *col.kernels, *col.outputs, *col.tints, *col.padding_tints]
        self.painter = Painter(layout, col.grid, col.background, palette.ink_table(col.ink, under))
        self.palette = palette
        if len(palette.colors) > 255:  # one index stays free for the writer's transparency
            raise RuntimeError(f"{len(palette.colors)} colours do not fit a GIF palette")
        self.image = self._draw()

    # -- colours ------------------------------------------------------------------------------

    def hue(self, group: int) -> int:
        return self.colours.hues[group % len(self.colours.hues)]

    def input_colours(self, c: int) -> np.ndarray:
        """Colour of every cell of input channel c: shade by value, filler apart."""
        col = self.colours
        row = c if len(col.inputs) > 1 else 0
        shades = np.asarray(col.inputs[row])[self.in_bins[c]]
        if self.drawn.copies:
            filler = np.asarray(col.copies[row])[self.in_bins[c]]
        else:
            filler = np.full_like(shades, col.padding)
        colours = np.where(self.drawn.filler, filler, shades)
        if self.drawn.outside is not None:
            colours = np.where(self.drawn.outside, col.outside, colours)
        return colours

    def tint(self, c: int, y: int, x: int) -> int:
        """Colour of a cell of input channel c while a step reads it."""
        col = self.colours
        hue = (c // self.geometry.in_per_group) % len(col.tints)
        if self.drawn.outside is not None and self.drawn.outside[y, x]:
            return col.outside
        return col.padding_tints[hue] if self.drawn.filler[y, x] else col.tints[hue]

    def cell_text(self, c: int, y: int, x: int) -> str:
        """What an input cell shows with values: its value, the filler's text, or nothing."""
        drawn = self.drawn
        if drawn.outside is not None and drawn.outside[y, x]:
            return ""
        if drawn.filler_text is not None and drawn.filler[y, x]:
            return drawn.filler_text
        return format_value(drawn.grid[c, y, x])

    def output_colour(self, value: object, channel: int = -1) -> int:
        if channel in self.drawn.plain:
            return self.colours.background
        return self.colours.outputs[int(self.scale.index(value))]

    # -- the static picture --------------------------------------------------------------------

    def _draw(self) -> np.ndarray:
        lay, drawn, col, paint, s = self.layout, self.drawn, self.colours, self.painter, self.layout.cell
        geo = self.geometry
        image = np.full((lay.height, lay.width), col.background, np.uint8)
        hp, wp = geo.grid
        for c, origin in lay.inputs.items():
            paint.grid(image, origin, self.input_colours(c))
            if lay.values:
                for y in range(hp):
                    for x in range(wp):
                        paint.cell_text(image, self.cell_text(c, y, x), *lay.cell_box(origin, y, x))
        for (c, j), origin in lay.kernels.items():
            co = c // geo.in_per_group * geo.out_per_group + j
            ci = c % geo.in_per_group
            paint.grid(image, origin, np.array(col.kernels)[self.k_bins[co, ci]])
            if lay.values:
                for ky, kx in np.ndindex(*geo.kernel):
                    paint.cell_text(image, format_value(drawn.kernels[co, ci, ky, kx]), *lay.cell_box(origin, ky, kx))
        ho, wo = geo.out_size
        for origin in lay.outputs.values():
            paint.grid(image, origin, np.full((ho, wo), col.background))
        if geo.groups > 1:
            for c, (x, y) in lay.inputs.items():
                paint.outline(image, y - 3, y + hp * s + 3, x - 3, x + wp * s + 3, self.hue(c // geo.in_per_group))
            for co, (x, y) in lay.outputs.items():
                paint.outline(image, y - 3, y + ho * s + 3, x - 3, x + wo * s + 3, self.hue(co // geo.out_per_group))
        for text, style, x, y in lay.texts:
            paint.text(image, text, style, x, y)
        self._legend(image)
        if drawn.start is not None:
            for co, origin in lay.outputs.items():
                for oy, ox in np.ndindex(ho, wo):
                    value = drawn.start[co, oy, ox]
                    paint.cell(image, origin, oy, ox, self.output_colour(value, co), value if lay.values else None)
        return image

    def _legend(self, image: np.ndarray) -> None:
        """The output colour scale: lowest value, one swatch per shade, highest value."""
        x, y = self.layout.legend_at
        paint = self.painter
        low, high = (format_value(v)[:LEGEND_CHARS] for v in (self.scale.low, self.scale.high))
        paint.text(image, f"scale {low}", LABEL, x, y)
        x += LABEL.width(f"scale {low} ")
        top, bottom = y + 2, y + LABEL.height - 2
        for shade in self.colours.outputs:
            image[top:bottom, x : x + LEGEND_SWATCH] = shade
            x += LEGEND_SWATCH
        paint.outline(image, top - 1, bottom, x - LEGEND_SWATCH * len(self.colours.outputs) - 1, x, self.colours.grid, 1)
        paint.text(image, high, LABEL, x + LABEL.advance, y)
