"""Painting into palette-index images: themes, the palette, and the primitives every picture
is made of (grids of cells, hatched cells, outlines, dashed paths, text).

Cells are axis-aligned rectangles on a whole-pixel grid, painted straight into the image with
NumPy, exactly; text comes from :mod:`convgif.picture.glyphs`. Images are arrays of palette indices,
so the writer needs no colour quantisation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from .. import language
from . import glyphs
from .numbers import format_value
from .sizes import Layout, TextStyle

RGB = tuple[int, int, int]

WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)


@dataclass(frozen=True)
class Theme:
    """The colours of a picture.

    Input and output cells' shades stay in one band of lightness (light in the light theme,
    dark in the dark one) and ``hues``, one per group (cycled) for its window, kernels, output
    cell, frames and lines, stay far outside it, so that an outline is seen on any cell it is
    drawn on (at least 3:1 in WCAG contrast); a kernel is outlined outside its grid, so its
    shades may leave the band. A picture's pixels span black to white; around them an outline
    also gets a rim of ``halo``, which contrasts where the hue does not.

    Sequential scales run from a ``…_low`` to a ``…_high`` colour; diverging ones (signed
    values) from ``…_negative`` through ``neutral`` (0) to ``…_high``; kernels from
    ``negative`` through ``kernel_zero`` to ``positive``. Negative values are orange or amber
    in every grid, positive ones blue (inputs, kernels) or purple (outputs), and each group's
    hue keeps 30° of hue (OKLab) from all of these and from the other groups': a hue means one
    thing. Those rules leave the group hues two arcs of the hue circle and (light theme) a
    narrow band of dark colours, so ``hues`` are ordered to tell apart most the groups most
    pictures draw: the first two, three, four, five and six are at least 40, 25, 20, 18 and
    14 apart (CIEDE2000), and every one at least 15 from the ink (a marked cell's ring), the
    grid and the padding (the frame of a copied cell). A kernel's -1 and +1 also differ in lightness, by 3:1 at least as readers with
    deuteranopia or protanopia see them; in the dark theme so do a kernel's 0 and either sign,
    the two shades of a grid of two values, and 0 and either sign of a grid of ±a. Cells not
    yet computed are hatched in ``grid`` over ``background``.
    """

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
    input_negative: RGB = (225, 150, 90)
    output_negative: RGB = (220, 150, 80)
    neutral: RGB = (236, 236, 236)
    outside: RGB = (214, 218, 224)
    halo: RGB = WHITE
    #: Text on a cell that contrasts more with it than with ``ink``: the light theme's numbers
    #: on its darkest cells, the dark theme's on its lightest (and on a picture's pixels).
    other_ink: RGB = (230, 237, 243)


LIGHT = Theme(
    background=WHITE,
    ink=(31, 35, 40),
    grid=(176, 184, 196),
    input_low=(226, 234, 245),
    input_high=(124, 158, 208),
    padding=(250, 238, 205),
    negative=(252, 178, 95),
    positive=(45, 80, 185),
    kernel_zero=(246, 246, 246),
    output_low=(238, 228, 246),
    output_high=(180, 148, 216),
    hues=((10, 81, 45), (136, 0, 116), (0, 76, 100), (148, 0, 8), (84, 72, 0), (0, 52, 48)),
)
DARK = Theme(
    background=(13, 17, 23),
    ink=(230, 237, 243),
    grid=(72, 80, 92),
    input_low=(20, 26, 38),
    input_high=(68, 110, 190),
    padding=(60, 52, 30),
    negative=(255, 213, 69),
    positive=(85, 100, 204),
    kernel_zero=(22, 24, 28),
    output_low=(28, 22, 40),
    output_high=(132, 90, 200),
    hues=((117, 232, 162), (252, 188, 236), (128, 220, 252), (204, 252, 0), (252, 200, 188), (0, 252, 240)),
    input_negative=(162, 101, 32),
    output_negative=(162, 101, 32),
    neutral=(22, 24, 28),
    outside=(40, 44, 52),
    halo=BLACK,
    other_ink=(31, 35, 40),
)
THEMES = {"light": LIGHT, "dark": DARK}
DASH = 6  # pixels on, then off, along the connecting lines (times the scale)
ASLANT_PIECE = 16  # steps of an aslant run a rectangle of it covers (times the scale)
HATCH = 4  # period of the stripes of a cell not yet computed (times the scale)


def blend(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))  # type: ignore[return-value]


def ramp(low: RGB, high: RGB, n: int) -> list[RGB]:
    return [blend(low, high, i / max(n - 1, 1)) for i in range(n)]


def along(
    positions: Sequence[float], low: RGB, high: RGB, negative: Optional[RGB] = None, zero: Optional[RGB] = None
) -> list[RGB]:
    """Colours at ``positions`` of a scale: 0..1 from ``low`` to ``high``, or, given
    ``negative`` and ``zero``, -1..1 from ``negative`` through ``zero`` to ``high``."""
    if negative is None or zero is None:
        return [blend(low, high, t) for t in positions]
    return [blend(zero, negative, -t) if t < 0 else blend(zero, high, t) for t in positions]


def luminance(colour: RGB) -> float:
    """WCAG relative luminance of an sRGB colour."""

    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    la, lb = sorted((luminance(a), luminance(b)))
    return (lb + 0.05) / (la + 0.05)


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

    def ink_table(self, ink: int, under: Iterable[int], paper: Optional[int] = None) -> np.ndarray:
        """``table[level, i]``: colour ``i`` with ink of coverage ``level`` drawn over it. Given
        ``paper``, text on a colour that contrasts more with it than with the ink is written in
        ``paper`` instead (light numbers on dark cells)."""
        table = np.tile(np.arange(256, dtype=np.uint8), (glyphs.LEVELS, 1))
        top = glyphs.LEVELS - 1
        for i in sorted(set(under)):
            pen = ink
            colour = self.colors[i]
            if paper is not None and contrast(colour, self.colors[paper]) > contrast(colour, self.colors[ink]):
                pen = paper
            for level in range(1, top):
                table[level, i] = self.add(blend(self.colors[i], self.colors[pen], level / top))
            table[top, i] = pen
        return table


class Painter:
    """The primitives, for one layout's cell size and scale and one palette's grid, background and
    ink; ``write`` gives the text of a value written in a cell (:meth:`cell`)."""

    def __init__(
        self, layout: Layout, grid: int, background: int, ink: np.ndarray, write: Callable[[Any], str] = format_value
    ) -> None:
        self.layout = layout
        self.write = write
        self.grid_colour = grid
        self.background = background
        if ink.shape[1:] != (256,):
            raise ValueError(f"an ink table has a row of 256 colours per level, not {ink.shape}")
        self._ink = np.ascontiguousarray(ink, np.uint8).reshape(-1)  # ink[level, colour] at level·256 + colour
        self.n = layout.metrics.n
        #: what :meth:`path` and :meth:`rings` worked out, by their arguments: an animation's
        #: steps draw the same paths and windows again and again
        self._drawn: dict[tuple, tuple] = {}

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

    def hatch(self, image: np.ndarray, y0: int, y1: int, x0: int, x1: int, colour: int) -> None:
        """Diagonal stripes of ``colour`` over the background of the rectangle [y0:y1, x0:x1]
        (grid lines stay; the stripes of neighbouring cells line up)."""
        ys, xs = np.ogrid[y0:y1, x0:x1]
        region = image[y0:y1, x0:x1]
        region[(((xs + ys) // self.n) % HATCH == 0) & (region == self.background)] = colour

    def text(self, image: np.ndarray, text: str, style: TextStyle, x: int, y: int) -> None:
        """Ink ``text`` with its pen starting at (x, y), the top of its line."""
        lang = language.current()
        mask = glyphs.text_mask(style, text, None if lang == "en" else lang)
        x -= glyphs.BLEED
        h, w = mask.shape
        w = min(w, image.shape[1] - x)
        if w > 0:
            region = image[y : y + h, x : x + w]
            index = mask[: region.shape[0], :w].astype(np.uint16) << 8  # ink[level, colour], flat
            index |= region
            region[...] = self._ink.take(index)

    def cell(
        self,
        image: np.ndarray,
        origin: tuple[int, int],
        row: int,
        col: int,
        colour: int,
        value: Optional[object] = None,
    ) -> None:
        """One cell's interior filled, with ``value`` written in it unless None."""
        y0, y1, x0, x1 = self.layout.cell_box(origin, row, col)
        image[y0:y1, x0:x1] = colour
        if value is not None:
            self.cell_text(image, self.write(value), y0, y1, x0, x1)

    def cell_text(self, image: np.ndarray, text: str, y0: int, y1: int, x0: int, x1: int) -> None:
        style = self.layout.metrics.cell_text
        w = style.width(text)
        self.text(image, text, style, x0 + (x1 - x0 - w + 1) // 2, y0 + (y1 - y0 - style.height + 1) // 2)

    @staticmethod
    def outline(image: np.ndarray, y0: int, y1: int, x0: int, x1: int, colour: int, width: int = 2) -> None:
        """A rectangle outline covering rows y0..y1 and columns x0..x1 inclusive."""
        image[y0 : y0 + width, x0 : x1 + 1] = colour
        image[y1 - width + 1 : y1 + 1, x0 : x1 + 1] = colour
        image[y0 : y1 + 1, x0 : x0 + width] = colour
        image[y0 : y1 + 1, x1 - width + 1 : x1 + 1] = colour

    def ring(
        self,
        image: np.ndarray,
        origin: tuple[int, int],
        row: int,
        col: int,
        colour: int,
        halo: int = -1,
        inset: int = 0,
    ) -> tuple[int, int, int, int]:
        """Mark a cell without covering its shade: a ring on its grid lines reaching just inside
        (``inset`` further in), with a rim of ``halo`` inside it unless -1. Gives the
        rectangle (y0, y1, x0, x1) painted, ends exclusive."""
        x, y = origin
        s, n = self.layout.cell, self.n
        y0, y1, x0, x1 = y + row * s + inset, y + (row + 1) * s - inset, x + col * s + inset, x + (col + 1) * s - inset
        self.outline(image, y0, y1, x0, x1, colour, 2 * n)
        if halo >= 0:
            self.outline(image, y0 + 2 * n, y1 - 2 * n, x0 + 2 * n, x1 - 2 * n, halo, n)
        return y0, y1 + 1, x0, x1 + 1

    def rings(
        self, image: np.ndarray, origin: tuple[int, int], cells: np.ndarray, colour: int, halo: int = -1
    ) -> Optional[tuple[int, int, int, int]]:
        """:meth:`ring` round each of ``cells`` ((k, 2) rows and columns), at once: a window's
        rings are the same pixels wherever it is, so they are worked out once and then put in
        place by one assignment. Gives the rectangle (y0, y1, x0, x1) round them all (None
        when there are none)."""
        if not len(cells):
            return None
        corner = cells.min(0)
        relative = cells - corner
        height, width = image.shape
        key = ("rings", relative.tobytes(), len(relative), colour, halo, width)
        if key not in self._drawn:
            self._drawn[key] = self._rings_drawn(relative, colour, halo, width)
        offsets, values, (y0, y1, x0, x1) = self._drawn[key]
        x, y = origin
        s = self.layout.cell
        top, left = y + int(corner[0]) * s, x + int(corner[1]) * s
        _flat(image)[top * width + left + offsets] = values
        return top + y0, top + y1, left + x0, left + x1

    def _rings_drawn(self, cells: np.ndarray, colour: int, halo: int, width: int) -> tuple:
        """The pixels :meth:`rings` paints round ``cells`` at the origin (offsets into an image
        ``width`` pixels wide, and their values) and the rectangle round them."""
        s = self.layout.cell
        rows, cols = (int(k) + 1 for k in cells.max(0))
        scratch = np.full((rows * s + 1, cols * s + 1), -1, np.int16)
        boxes = [self.ring(scratch, (0, 0), int(row), int(col), colour, halo) for row, col in cells]
        painted = np.flatnonzero(scratch.ravel() >= 0)
        y, x = np.divmod(painted, scratch.shape[1])
        bounds = tuple(f(edges) for f, edges in zip((min, max, min, max), zip(*boxes)))
        return y * width + x, scratch.ravel()[painted].astype(np.uint8), bounds

    def path(
        self, image: np.ndarray, points: Sequence[tuple[int, int]], colour: int, dashed: bool = True
    ) -> list[tuple[int, int, int, int]]:
        """A dashed path through (x, y) points joined by horizontal and vertical runs (or
        aslant ones, a pixel a step along the longer side), as thick as the scale, drawn only
        over the background: it never covers a cell or a letter. ``dashed`` False: solid.

        Dashes rather than a solid line: half the pixels change from frame to frame, which
        halves what the moving lines add to every frame of the GIF. Gives the rectangles
        (y0, y1, x0, x1) of its runs, ends exclusive: thin ones, where the path's bounding box
        could be most of the picture (an aslant run's in pieces).
        """
        key = ("path", tuple(map(tuple, points)), image.shape, dashed)
        if key not in self._drawn:
            dash, done, runs = DASH * self.n, 0, []
            for (xa, ya), (xb, yb) in zip(points, points[1:]):
                length = max(abs(xb - xa), abs(yb - ya))
                if length:  # the dashes run on round the corners
                    phase = done % (2 * dash) if dashed else -1
                    runs.append(self._run((xa, ya), (xb, yb), phase, image.shape))
                    done += length
            pixels = np.concatenate([run[0] for run in runs]) if runs else np.zeros(0, np.intp)
            self._drawn[key] = pixels, tuple(rect for run in runs for rect in run[1])
        dashes, rects = self._drawn[key]
        flat = _flat(image)
        flat[dashes[flat[dashes] == self.background]] = colour
        return list(rects)

    def _run(self, a: tuple[int, int], b: tuple[int, int], phase: int, shape: tuple[int, ...]) -> tuple:
        """The pixels (flat indices within an image of ``shape``) of the dashes of a path's run
        from point ``a`` to point ``b`` (covering ``a``, not ``b``), its first pixel ``phase``
        pixels into the pattern (-1: solid), and the run's rectangles: paths share runs."""
        key = ("run", a, b, phase, shape)
        if key in self._drawn:
            return self._drawn[key]
        (xa, ya), (xb, yb) = a, b
        n, length = self.n, max(abs(xb - xa), abs(yb - ya))
        on = np.ones(length, bool) if phase < 0 else _dashes(DASH * n, phase + length)[phase:]
        if ya == yb:  # across
            x0, on = (xa, on) if xb > xa else (xb + 1, on[::-1])
            rects: tuple = ((ya, ya + n, x0, x0 + length),)
            ys, xs = np.arange(ya, ya + n), x0 + np.flatnonzero(on)
        elif xa == xb:  # down or up
            y0, on = (ya, on) if yb > ya else (yb + 1, on[::-1])
            rects = ((y0, y0 + length, xa, xa + n),)
            ys, xs = y0 + np.flatnonzero(on), np.arange(xa, xa + n)
        else:
            self._drawn[key] = found = self._aslant(a, b, on, shape)
            return found
        height, width = shape
        ys, xs = ys[(ys >= 0) & (ys < height)], xs[(xs >= 0) & (xs < width)]
        self._drawn[key] = found = (ys[:, None] * width + xs[None, :]).ravel(), rects
        return found

    def _aslant(self, a: tuple[int, int], b: tuple[int, int], on: np.ndarray, shape: tuple[int, ...]) -> tuple:
        """:meth:`_run` of a run aslant: a pixel a step along its longer side (``on`` saying
        which are drawn), as thick as the scale across it; a rectangle for each piece of
        :data:`ASLANT_PIECE` steps (times the scale)."""
        (xa, ya), (xb, yb) = a, b
        n, length = self.n, len(on)
        t = np.arange(length)
        xs, ys = (start + np.rint(t * (end - start) / length).astype(np.intp) for start, end in ((xa, xb), (ya, yb)))
        steep = abs(yb - ya) >= abs(xb - xa)
        wide, tall = (n, 1) if steep else (1, n)
        thick, piece, rects = np.arange(n), ASLANT_PIECE * n, []
        for first in range(0, length, piece):
            px, py = xs[first : first + piece], ys[first : first + piece]
            rects.append((int(py.min()), int(py.max()) + tall, int(px.min()), int(px.max()) + wide))
        xs, ys = xs[on], ys[on]
        if steep:  # thick across
            xs, ys = (xs[:, None] + thick).ravel(), np.repeat(ys, n)
        else:  # thick down
            xs, ys = np.repeat(xs, n), (ys[:, None] + thick).ravel()
        height, width = shape
        inside = (ys >= 0) & (ys < height) & (xs >= 0) & (xs < width)
        return ys[inside] * width + xs[inside], tuple(rects)


def _flat(image: np.ndarray) -> np.ndarray:
    """A whole picture's pixels as one row, the same memory (painting into it paints the picture)."""
    if not image.flags.c_contiguous:
        raise ValueError("a picture painted by flat index must be one C-ordered array")
    return image.reshape(-1)


_DASHES: dict[int, np.ndarray] = {}


def _dashes(dash: int, length: int) -> np.ndarray:
    """``length`` pixels of a dashed line from its start: ``dash`` on, ``dash`` off (read-only,
    kept and grown as longer ones are asked for)."""
    pattern = _DASHES.get(dash)
    if pattern is None or len(pattern) < length:
        pattern = (np.arange(max(length, 4096)) // dash) % 2 == 0
        pattern.flags.writeable = False
        _DASHES[dash] = pattern
    return pattern[:length]
