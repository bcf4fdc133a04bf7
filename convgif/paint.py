"""Painting into palette-index images: themes, the palette, and the primitives every picture
is made of (grids of cells, outlines, dashed lines, text).

Cells are axis-aligned rectangles on a whole-pixel grid, painted straight into the image with
NumPy, exactly; text comes from :mod:`convgif.glyphs`. Images are arrays of palette indices,
so the writer needs no colour quantisation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Optional

import numpy as np

from . import glyphs
from .drawing import format_value
from .layout import CELL, Layout, TextStyle

RGB = tuple[int, int, int]

WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)


@dataclass(frozen=True)
class Theme:
    """The colours of a picture. ``hues``: one per group (cycled), for its window, kernels,
    output cell and lines."""

    background: RGB
    ink: RGB
    grid: RGB
    input_low: RGB
    input_high: RGB
    padding: RGB
    negative: RGB
    positive: RGB
    kernel_zero: RGB
    output_low: RGB
    output_high: RGB
    hues: tuple[RGB, ...]


LIGHT = Theme(
    background=WHITE, ink=(31, 35, 40), grid=(176, 184, 196),
    input_low=(238, 243, 250), input_high=(128, 160, 210), padding=(250, 238, 205),
    negative=(222, 96, 84), positive=(56, 160, 110), kernel_zero=(250, 250, 250),
    output_low=(248, 240, 252), output_high=(150, 100, 190),
    hues=((232, 118, 26), (36, 110, 200), (40, 150, 70), (190, 60, 150), (200, 50, 50), (20, 140, 150)),
)
DARK = Theme(
    background=(13, 17, 23), ink=(230, 237, 243), grid=(72, 80, 92),
    input_low=(28, 36, 50), input_high=(70, 108, 170), padding=(60, 52, 30),
    negative=(236, 110, 100), positive=(80, 196, 130), kernel_zero=(34, 38, 46),
    output_low=(34, 28, 48), output_high=(160, 112, 220),
    hues=((255, 150, 60), (90, 160, 255), (90, 210, 120), (235, 110, 200), (255, 100, 100), (60, 200, 210)),
)
THEMES = {"light": LIGHT, "dark": DARK}
DASH = 6  # pixels on, then off, along the connecting lines


def blend(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))  # type: ignore[return-value]


def ramp(low: RGB, high: RGB, n: int) -> list[RGB]:
    return [blend(low, high, i / max(n - 1, 1)) for i in range(n)]


class Palette:
    """The GIF palette: every colour a frame can contain, including ink blended over fills."""

    def __init__(self) -> None:
        self.colors: list[RGB] = []
        self._index: dict[RGB, int] = {}

    def add(self, color: RGB) -> int:
        if color not in self._index:
            self._index[color] = len(self.colors)
            self.colors.append(color)
        return self._index[color]

    def ink_table(self, ink: int, under: Iterable[int]) -> np.ndarray:
        """``table[level, i]``: colour ``i`` with ink of coverage ``level`` drawn over it."""
        table = np.tile(np.arange(256, dtype=np.uint8), (glyphs.LEVELS, 1))
        top = glyphs.LEVELS - 1
        for i in set(under):
            for level in range(1, top):
                table[level, i] = self.add(blend(self.colors[i], self.colors[ink], level / top))
            table[top, i] = ink
        return table


class Painter:
    """The primitives, for one layout's cell size and one palette's grid, background and ink."""

    def __init__(self, layout: Layout, grid: int, background: int, ink: np.ndarray) -> None:
        self.layout = layout
        self.grid_colour = grid
        self.background = background
        self.ink = ink

    def grid(self, image: np.ndarray, origin: tuple[int, int], colours: np.ndarray) -> None:
        """Cells of the given colour indices, with grid lines, at ``origin`` (x, y)."""
        s = self.layout.cell
        x, y = origin
        rows, cols = colours.shape
        block = np.repeat(np.repeat(colours.astype(np.uint8), s, 0), s, 1)
        block[::s, :] = self.grid_colour
        block[:, ::s] = self.grid_colour
        image[y : y + rows * s, x : x + cols * s] = block
        image[y + rows * s, x : x + cols * s + 1] = self.grid_colour
        image[y : y + rows * s + 1, x + cols * s] = self.grid_colour

    def text(self, image: np.ndarray, text: str, style: TextStyle, x: int, y: int) -> None:
        """Ink ``text`` with its pen starting at (x, y), the top of its line."""
        mask = glyphs.text_mask(style, text)
        x -= glyphs.BLEED
        h, w = mask.shape
        w = min(w, image.shape[1] - x)
        if w > 0:
            region = image[y : y + h, x : x + w]
            region[...] = self.ink[mask[:, :w], region]

    def cell(self, image: np.ndarray, origin: tuple[int, int], row: int, col: int, colour: int, value: Optional[object] = None) -> None:
        """One cell's interior filled, with ``value`` written in it unless None."""
        y0, y1, x0, x1 = self.layout.cell_box(origin, row, col)
        image[y0:y1, x0:x1] = colour
        if value is not None:
            self.cell_text(image, format_value(value), y0, y1, x0, x1)

    def cell_text(self, image: np.ndarray, text: str, y0: int, y1: int, x0: int, x1: int) -> None:
        w = CELL.width(text)
        self.text(image, text, CELL, x0 + (x1 - x0 - w + 1) // 2, y0 + (y1 - y0 - CELL.height + 1) // 2)

    @staticmethod
    def outline(image: np.ndarray, y0: int, y1: int, x0: int, x1: int, colour: int, width: int = 2) -> None:
        """A rectangle outline covering rows y0..y1 and columns x0..x1 inclusive."""
        image[y0 : y0 + width, x0 : x1 + 1] = colour
        image[y1 - width + 1 : y1 + 1, x0 : x1 + 1] = colour
        image[y0 : y1 + 1, x0 : x0 + width] = colour
        image[y0 : y1 + 1, x1 - width + 1 : x1 + 1] = colour

    def line(self, image: np.ndarray, start: tuple[int, int], end: tuple[int, int], colour: int) -> None:
        """A dashed one-pixel line between two (x, y) points, behind grids and text.

        Dashes rather than a solid line: half the pixels change from frame to frame, which
        halves what the moving lines add to every frame of the GIF. Only background pixels
        are drawn, so a line never crosses a cell or a number.
        """
        (xa, ya), (xb, yb) = start, end
        n = max(abs(xb - xa), abs(yb - ya)) + 1
        steps = np.arange(n)[(np.arange(n) // DASH) % 2 == 0]
        xs = xa + np.rint(steps * ((xb - xa) / max(n - 1, 1))).astype(np.intp)
        ys = ya + np.rint(steps * ((yb - ya) / max(n - 1, 1))).astype(np.intp)
        behind = image[ys, xs] == self.background
        image[ys[behind], xs[behind]] = colour
