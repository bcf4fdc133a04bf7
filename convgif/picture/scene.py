"""The static picture of a drawing: its colours and everything that does not move.

Caption, labels, every grid with its values, group frames and the colour keys of the input,
the kernels and the output are drawn once; so are, for a part of a larger layer, the bands
saying where each map goes on and the whole picture shown small with the part drawn outlined.
Frames are this picture plus the overlay of :mod:`convgif.picture.overlay`.
"""

from __future__ import annotations

from functools import cached_property
from typing import NamedTuple, Optional

import numpy as np

from .model import BLANK, COPIED, CUT, EMPTY, FILLER, INSERTED, MORE, OUTSIDE, UNREAD, Drawn, Key, filler_of, outside_of
from .paint import BLACK, LIGHT, RGB, WHITE, Painter, Palette, Theme, along, blend, ramp
from .shades import Scales, Shades, scales_of
from .sizes import Layout, key_items_x, key_line, picture_box

PRIMARIES = ((255, 40, 40), (40, 210, 40), (50, 90, 255))  # RGB pictures' channels
#: An RGB picture shown small takes at most this many colours of the palette.
THUMB_COLOURS = 32
#: A band saying a map goes on fades from the grid's colour by these steps, outwards.
FRINGE_FADE = (0.8, 0.5, 0.25)
#: How far towards the background the shades of output cells a layer crops off are blended.
PALE = 0.6
#: How far towards the background a line kept after its step is blended from its hue.
FAINT = 0.5


class Colours(NamedTuple):
    """Palette indices of everything a picture shows."""

    background: int
    ink: int
    grid: int
    inputs: list[list[int]]  # shades by value: one row for all channels, or one per channel (RGB)
    padding: int  # zero (constant) padding's fill, and the frame round a copied cell's shade
    kernels: list[int]
    outputs: list[int]
    pale: list[int]  # the outputs' shades for cells the layer crops off (empty where none are)
    stripes: int  # the stripes over zeros inserted between input cells (-1 where there are none)
    hues: list[int]
    outside: int  # cells outside the input and its padding (-1 where there are none)
    hatch: int  # the stripes of cells not yet computed (and of cells outside)
    halo: int  # the rim inside an outline on a picture's pixels (-1: not a picture)
    fringe: list[int]  # the steps of a band saying a map goes on, from the grid outwards
    faint: list[int]  # the hues paled, for the lines kept after their step (empty where none are)


class Scene:
    """The colours and the static image of one drawing laid out by one layout.

    The palette is whole once the scene is made; the image is drawn when first asked for, so
    that a chain of many pictures, whose palette is written first, draws each picture only
    when its turn comes.
    """

    #: Whether drawing the image adds colours to the palette (then it is drawn at once, with
    #: the colours, so that the palette is whole when the scene is made).
    draws_colours = False

    def __init__(
        self,
        drawn: Drawn,
        layout: Layout,
        theme: Theme = LIGHT,
        scales: Optional[Scales] = None,
        keys: tuple[Key, ...] = (),
    ) -> None:
        """The scene of ``drawn`` laid out by ``layout``; ``keys`` are colour keys drawn
        elsewhere (once, in a contact sheet's header), whose colours the palette holds too."""
        self.drawn, self.layout, self.theme = drawn, layout, theme
        self.geometry = geometry = layout.geometry
        self.scales = scales = scales or scales_of(drawn, layout.values)
        self.scale = scales.output
        self._output_colours: dict = {}
        levels = scales.input.count
        self.in_bins = np.clip(scales.input.index(drawn.grid), 0, levels - 1).astype(np.intp)
        if drawn.pixels:
            tops = [WHITE] if scales.channels == 1 else list(PRIMARIES)
            input_rows = [ramp(BLACK, top, levels) for top in tops]
            grey = (128, 128, 128)
            signed = (BLACK, grey) if scales.output.diverging else ()
            output_shades = along(scales.output.positions(), BLACK, WHITE, *signed)
        else:
            input_rows = [_input_ramp(scales, theme)]
            output_shades = _output_ramp(scales, theme)
        k_colours = []
        if scales.kernel is not None and scales.kernel_colours != "kernel":  # an array's: as it is drawn elsewhere
            k_colours = values_ramp(scales.kernel, theme, scales.kernel_colours == "output")
        elif scales.kernel is not None:
            zero = theme.kernel_zero
            k_colours = along(scales.kernel.positions(), zero, theme.positive, theme.negative, zero)

        palette = Palette()
        add = palette.add
        self._groups = count = 1 + max(geometry.colour_group(g) for g in range(geometry.groups))
        hues = list(theme.hues[: min(count, len(theme.hues))])
        self.colours = col = Colours(
            background=add(theme.background),
            ink=add(theme.ink),
            grid=add(theme.grid),
            inputs=[[add(c) for c in row] for row in input_rows],
            padding=add(theme.padding),
            kernels=[add(c) for c in k_colours],
            outputs=[add(c) for c in output_shades],
            pale=[add(blend(c, theme.background, PALE)) for c in output_shades] if _cuts(drawn) else [],
            stripes=add(blend(theme.padding, theme.grid, 0.9)) if _any(drawn.inserted) else -1,
            hues=[add(h) for h in hues],
            outside=add(theme.outside) if drawn.outside is not None else -1,
            hatch=add(blend(theme.background, theme.grid, 0.7)),
            halo=add(theme.halo) if drawn.pixels else -1,
            fringe=[add(blend(theme.background, theme.grid, t)) for t in FRINGE_FADE] if layout.fringes else [],
            faint=[add(blend(h, theme.background, FAINT)) for h in hues] if geometry.lines_cross else [],
        )
        under = [col.background]  # without values, text is written on the background and some keys' swatches
        if layout.values or drawn.filler_text:
            shades = [c for row in col.inputs for c in row]
            under += [col.padding, *shades, *col.kernels, *col.outputs, *col.pale]
            under += [col.grid] if drawn.copies else []  # a copy's frame runs near its number
            under += [col.stripes] if col.stripes >= 0 else []
        for key in (*(key for key, _, _ in layout.keys), *keys):
            colours = self._key_colours(key.role)
            written = [shade for shade, text in key.items if text and shade is not None and shade >= INSERTED]
            under += [
                colours[shade] if shade >= 0 else col.padding for shade in written if shade not in (EMPTY, MORE, CUT)
            ]
        self._unread = {}  # input colours and their pale shades, for cells no step reads
        if _any(drawn.unread):
            for colour in {c for row in col.inputs for c in row} | {col.padding}:
                self._unread[colour] = add(blend(palette.colors[colour], theme.background, PALE))
            under += list(self._unread.values())
        ink = palette.ink_table(col.ink, under, add(theme.other_ink))
        self.painter = Painter(layout, col.grid, col.background, ink, scales.output.text)
        self.palette = palette
        self.thumbnail = self._thumbnail() if layout.thumbnail is not None and drawn.picture is not None else None
        if len(palette.colors) > 255:  # one index stays free for the writer's transparency
            raise RuntimeError(f"{len(palette.colors)} colours do not fit a GIF palette")
        if self.draws_colours:
            self.image  # noqa: B018 (drawn now: its colours belong to the palette)

    @cached_property
    def image(self) -> np.ndarray:
        """The static picture, as palette indices (drawn when first asked for)."""
        colours = len(self.palette.colors)
        image = self._draw()
        if not self.draws_colours and len(self.palette.colors) != colours:
            raise RuntimeError(f"{type(self).__name__} added colours while drawing: set draws_colours")
        return image

    # -- colours ------------------------------------------------------------------------------

    def hue(self, group: int) -> int:
        """The hue of picture group ``group``: that of the layer's group it belongs to."""
        return self.colours.hues[self.geometry.colour_group(group) % len(self.colours.hues)]

    def faint(self, group: int) -> int:
        """The pale hue of picture group ``group``'s lines kept after their step."""
        return self.colours.faint[self.geometry.colour_group(group) % len(self.colours.faint)]

    def input_colours(self, c: int) -> np.ndarray:
        """Colour of every cell of input channel c: shade by value, filler apart; a padding
        cell that copies an input cell in that cell's shade (framed by :meth:`frame_copy`)."""
        col = self.colours
        row = c if len(col.inputs) > 1 else 0
        colours = np.asarray(col.inputs[row])[self.in_bins[c]]
        if not self.drawn.copies:
            colours = np.where(filler_of(self.drawn, c), col.padding, colours)
        if self.drawn.unread is not None:
            pale = np.vectorize(lambda c: self._unread.get(int(c), c), otypes=[colours.dtype])(colours)
            colours = np.where(self.drawn.unread, pale, colours)
        if self.drawn.outside is not None:
            colours = np.where(outside_of(self.drawn, c), col.outside, colours)
        return colours

    def copied(self, c: int) -> np.ndarray:
        """Which cells of input channel ``c`` are padding holding a copy of an input cell
        (reflect, replicate, circular): drawn in its shade, framed (:meth:`frame_copy`)."""
        if not self.drawn.copies:
            return np.zeros(self.drawn.grid.shape[1:], dtype=bool)
        copied = filler_of(self.drawn, c)
        if self.drawn.outside is not None:
            copied = copied & ~outside_of(self.drawn, c)
        return copied

    def frame_copy(self, image: np.ndarray, y0: int, y1: int, x0: int, x1: int, pale: bool = False) -> None:
        """Frame the interior [y0:y1, x0:x1] of a copied cell (or a key's swatch for one): a
        band of the padding's colour round the copy's shade, inside a line of the grid's:
        padding, holding a cell's value, neither zero padding's plain fill nor an input cell.
        ``pale``: the padding's paled colour, for a cell no window reads."""
        col, n = self.colours, self.layout.metrics.n
        band = max(1, min(self.layout.cell, y1 - y0 + 1, x1 - x0 + 1) // 6)
        self.painter.outline(image, y0, y1 - 1, x0, x1 - 1, self._unread[col.padding] if pale else col.padding, band)
        if min(y1 - y0, x1 - x0) - 2 * (band + n) >= 3:  # room for a line and a shade inside it
            self.painter.outline(image, y0 + band, y1 - 1 - band, x0 + band, x1 - 1 - band, col.grid, n)

    def cell_text(self, c: int, y: int, x: int) -> str:
        """What an input cell shows with values: its value, the filler's text, or nothing."""
        drawn = self.drawn
        if drawn.outside is not None and outside_of(drawn, c)[y, x]:
            return ""
        if drawn.filler_text is not None and filler_of(drawn, c)[y, x]:
            return drawn.filler_text
        return self.scales.input.text(drawn.grid[c, y, x])

    def output_colour(self, value: object, channel: int = -1, cut: bool = False) -> int:
        """The colour of an output cell holding ``value``: its shade, pale where ``cut`` (a cell
        the layer crops off)."""
        if channel in self.drawn.plain:
            return self.colours.background
        colour = self._output_colours.get((value, cut))
        if colour is None:
            index = int(np.clip(self.scale.index(value), 0, len(self.colours.outputs) - 1))
            colour = (self.colours.pale if cut else self.colours.outputs)[index]
            self._output_colours[value, cut] = colour
        return colour

    def is_cut(self, row: int, col: int) -> bool:
        """Whether output cell (row, col) as drawn is one the layer crops off."""
        return self.drawn.cut is not None and bool(self.drawn.cut[row, col])

    def outline_kept(self, image: np.ndarray, channel: int) -> None:
        """Outline, on output ``channel``'s grid, the cells the layer keeps (where it crops some)."""
        if not _cuts(self.drawn) or channel not in self.layout.outputs:
            return
        rows, cols = np.nonzero(~self.drawn.cut)
        if not rows.size:  # a part of cropped cells alone: nothing kept to outline
            return
        x, y = self.layout.outputs[channel]
        s, n = self.layout.cell, self.layout.metrics.n
        top, bottom, left, right = (
            y + rows.min() * s,
            y + (rows.max() + 1) * s,
            x + cols.min() * s,
            x + (cols.max() + 1) * s,
        )
        self.painter.outline(image, top - n, bottom + n, left - n, right + n, self.colours.ink, 2 * n)

    def empty(self, image: np.ndarray, y0: int, y1: int, x0: int, x1: int) -> None:
        """A cell (or cells) with no value yet: hatched, unlike any shade a value can take."""
        image[y0:y1, x0:x1] = self.colours.background
        self.painter.hatch(image, y0, y1, x0, x1, self.colours.hatch)

    def _stripe(self, image: np.ndarray, y0: int, y1: int, x0: int, x1: int) -> None:
        """Stripes across a zero inserted between input cells: filler, but not padding."""
        region = image[y0:y1, x0:x1]
        ys, xs = np.ogrid[y0:y1, x0:x1]
        region[((xs - ys) // self.layout.metrics.n) % 4 == 0] = self.colours.stripes

    def _dot(self, image: np.ndarray, y0: int, y1: int, x0: int, x1: int, where: Optional[np.ndarray] = None) -> None:
        """Dots over the paled fill of a cell no window reads (of the rectangle, or of its pixels
        ``where``), around its number: its paler shade alone would read as a smaller value."""
        n, region = self.layout.metrics.n, image[y0:y1, x0:x1]
        ys, xs = np.ogrid[y0:y1, x0:x1]
        dots = np.isin(region, list(self._unread.values())) & ((ys // n) % 4 == 2) & ((xs // n) % 4 == 2)
        region[dots if where is None else dots & where] = self.colours.grid

    def _hatch_outside(self, image: np.ndarray, y0: int, y1: int, x0: int, x1: int) -> None:
        """Stripes over a cell outside the input: it holds no value either."""
        region = image[y0:y1, x0:x1]
        ys, xs = np.ogrid[y0:y1, x0:x1]
        region[((xs + ys) // self.layout.metrics.n) % 4 == 0] = self.colours.hatch

    # -- the static picture --------------------------------------------------------------------

    def _draw(self) -> np.ndarray:
        lay, drawn, col, paint, s = self.layout, self.drawn, self.colours, self.painter, self.layout.cell
        geo = self.geometry
        image = np.full((lay.height, lay.width), col.background, np.uint8)
        hp, wp = geo.grid
        unread = None  # the pixels of the cells no window reads, the same on every input grid
        if drawn.unread is not None and drawn.unread.any():
            unread = np.repeat(np.repeat(drawn.unread, s, 0), s, 1)
        for c, origin in lay.inputs.items():
            paint.grid(image, origin, self.input_colours(c))
            for y, x in np.argwhere(self.copied(c)):
                self.frame_copy(image, *lay.cell_box(origin, y, x), drawn.unread is not None and drawn.unread[y, x])
            if drawn.outside is not None:
                for y, x in np.argwhere(outside_of(drawn, c)):
                    self._hatch_outside(image, *lay.cell_box(origin, y, x))
            if col.stripes >= 0:
                for y, x in np.argwhere(drawn.inserted):
                    self._stripe(image, *lay.cell_box(origin, y, x))
            if lay.values:
                for y in range(hp):
                    for x in range(wp):
                        paint.cell_text(image, self.cell_text(c, y, x), *lay.cell_box(origin, y, x))
            if unread is not None:  # the grid's cells no window reads, at once
                x, y = origin
                self._dot(image, y, y + unread.shape[0], x, x + unread.shape[1], unread)
        for (c, j), origin in lay.kernels.items():
            row = drawn.kernel_row(c // geo.in_per_group * geo.out_per_group + j)
            ci = c % geo.in_per_group
            kernel = drawn.kernels[row, ci]  # shaded one at a time: a layer may have very many
            paint.grid(image, origin, np.array(col.kernels)[self.scales.kernel.index(kernel)])
            if lay.values:
                for ky, kx in np.ndindex(*geo.kernel):
                    paint.cell_text(image, self.scales.kernel.text(kernel[ky, kx]), *lay.cell_box(origin, ky, kx))
        ho, wo = geo.out_size
        for x, y in lay.outputs.values():
            paint.grid(image, (x, y), np.full((ho, wo), col.background))
            if drawn.start is None:
                paint.hatch(image, y, y + ho * s, x, x + wo * s, col.hatch)
        if geo.framed:
            f, w = lay.metrics.frame, lay.metrics.stroke
            for c, (x, y) in lay.inputs.items():
                paint.outline(image, y - f, y + hp * s + f, x - f, x + wp * s + f, self.hue(c // geo.in_per_group), w)
            for co, (x, y) in lay.outputs.items():
                paint.outline(image, y - f, y + ho * s + f, x - f, x + wo * s + f, self.hue(geo.out_group(co)), w)
        for band in lay.fringes:
            self._fringe(image, *band)
        if self.thumbnail is not None:
            self._picture(image)
        for text, style, x, y in lay.texts:
            paint.text(image, text, style, x, y)
        for key, x, y in lay.keys:
            self.draw_key(image, key, x, y, lay.width - lay.metrics.margin - x)
        if drawn.start is not None:
            for co, origin in lay.outputs.items():
                for oy, ox in np.ndindex(ho, wo):
                    if drawn.start_empty is not None and drawn.start_empty[co, oy, ox]:
                        self.empty(image, *lay.cell_box(origin, oy, ox))
                        continue
                    value = drawn.start[co, oy, ox]
                    colour = self.output_colour(value, co, self.is_cut(oy, ox))
                    paint.cell(image, origin, oy, ox, colour, value if lay.values else None)
        for co in lay.outputs:
            self.outline_kept(image, co)
        return image

    def _fringe(self, image: np.ndarray, side: str, y0: int, y1: int, x0: int, x1: int) -> None:
        """A band beside a grid whose map goes on that way: the grid's colour fading outwards,
        broken where the grid's lines would go on (the map's cells carry on past the edge)."""
        s, n = self.layout.cell, self.layout.metrics.n
        steps = self.colours.fringe
        across = side in ("left", "right")  # the band runs down the grid's side
        length = x1 - x0 if across else y1 - y0
        depth = np.arange(length) * len(steps) // length  # 0 at the grid's side
        if side in ("left", "top"):
            depth = depth[::-1]
        colours = np.asarray(steps)[depth]
        band = np.repeat(colours[None, :], y1 - y0, 0) if across else np.repeat(colours[:, None], x1 - x0, 1)
        along = np.arange(y1 - y0 if across else x1 - x0)
        lines = along % s < n  # where the grid's lines meet the band
        if across:
            band[lines, :] = self.colours.background
        else:
            band[:, lines] = self.colours.background
        image[y0:y1, x0:x1] = band

    def _thumbnail(self) -> np.ndarray:
        """The whole picture at the thumbnail's size, as palette indices: grey pictures in the
        cells' own greys, RGB ones in at most THUMB_COLOURS colours of their own."""
        from PIL import Image

        _, _, width, height = self.layout.thumbnail
        pixels = _levels(self.drawn.picture.pixels)
        channels, h, w = pixels.shape
        grey = all((pixels[c] == pixels[0]).all() for c in range(1, channels))
        picture = Image.fromarray(pixels[0]) if grey else Image.fromarray(pixels.transpose(1, 2, 0), "RGB")
        resample = Image.Resampling.BOX if height < h or width < w else Image.Resampling.NEAREST
        picture = picture.resize((width, height), resample)
        if grey:
            ramp = self.colours.inputs[0] if len(self.colours.inputs) == 1 else None
            if ramp is None:  # an RGB picture that is grey: its own greys
                ramp = [
                    self.palette.add((v, v, v))
                    for v in np.linspace(0, 255, self.scales.input.count).round().astype(int)
                ]
            bins = np.clip(self.scales.input.index(np.asarray(picture, np.int64)), 0, len(ramp) - 1)
            return np.asarray(ramp, np.uint8)[bins]
        few = picture.quantize(THUMB_COLOURS, Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        indices = np.asarray(few)
        rgb = np.asarray(few.getpalette(), np.int64).reshape(-1, 3)
        lut = np.zeros(256, np.uint8)
        for i in np.unique(indices):  # only the colours used
            lut[i] = self.palette.add(tuple(int(v) for v in rgb[i]))
        return lut[indices]

    def _picture(self, image: np.ndarray) -> None:
        """The whole picture, framed, with the part the drawn cells read outlined in the first
        group's colour between rims of the halo (seen on any pixel)."""
        x, y, w, h = self.layout.thumbnail
        n, col, picture = self.layout.metrics.n, self.colours, self.drawn.picture
        image[y : y + h, x : x + w] = self.thumbnail
        self.painter.outline(image, y - n, y + h, x - n, x + w, col.grid, n)
        y0, y1, x0, x1 = picture_box(self.layout.thumbnail, picture.size, picture.rows, picture.cols)
        halo = col.halo if col.halo >= 0 else col.background
        for away, colour, thick in ((4 * n, halo, n), (3 * n, self.hue(0), 2 * n), (n, halo, n)):
            self.painter.outline(image, y0 - away, y1 - 1 + away, x0 - away, x1 - 1 + away, colour, thick)

    def _key_colours(self, role: str) -> list[int]:
        col = self.colours
        if role == "hues":  # the layer's groups, in the hues they are outlined in
            return [col.hues[g % len(col.hues)] for g in range(self._groups)]
        if role.startswith("input"):
            return col.inputs[int(role[5:]) if role[5:] else 0]
        return col.kernels if role == "kernel" else col.outputs

    def draw_key(self, image: np.ndarray, key: Key, x: int, y: int, room: int = 0) -> None:
        """A colour key: its name, then swatches (some with their value written on them) and
        words, on as many lines as keep it within ``room`` pixels (0: one line)."""
        paint, m = self.painter, self.layout.metrics
        label = m.label
        paint.text(image, key.name, label, x, y)
        spots, _, _ = key_items_x(key, m, room)
        colours = self._key_colours(key.role)
        for (shade, text), (dx, line, width) in zip(key.items, spots):
            x0, y_line = x + dx, y + line * key_line(m)
            top, bottom = y_line + m.n, y_line + label.height - m.n
            if shade is None:
                paint.text(image, text, label, x0, y_line)
                continue
            if shade == MORE:
                self._fringe(image, "right", top, bottom, x0, x0 + width)
                continue
            if shade == EMPTY:
                self.empty(image, top, bottom, x0, x0 + width)
            elif shade == INSERTED:
                image[top:bottom, x0 : x0 + width] = self.colours.padding
                self._stripe(image, top, bottom, x0, x0 + width)
            elif shade == OUTSIDE:
                image[top:bottom, x0 : x0 + width] = self.colours.outside
                self._hatch_outside(image, top, bottom, x0, x0 + width)
            elif shade == UNREAD:
                image[top:bottom, x0 : x0 + width] = self._unread[self.colours.inputs[0][-1]]
                self._dot(image, top, bottom, x0, x0 + width)
            elif shade == BLANK:
                image[top:bottom, x0 : x0 + width] = self.colours.background
            elif shade == COPIED:  # the frame round a copy's shade, round nothing
                image[top:bottom, x0 : x0 + width] = self.colours.background
                self.frame_copy(image, top, bottom, x0, x0 + width)
            elif shade == CUT:
                image[top:bottom, x0 : x0 + width] = self.colours.pale[self.scale.zero if self.scale.diverging else 0]
            elif key.role == "hues":  # outlined, as the windows and kernels of that group are
                image[top - m.n : bottom + m.n, x0 : x0 + width] = self.colours.background
                paint.outline(image, top - m.n, bottom, x0, x0 + width - 1, colours[shade], 2 * m.n)
                paint.text(image, text, label, x0 + 3 * m.n, y_line)
                continue
            else:
                image[top:bottom, x0 : x0 + width] = self.colours.padding if shade == FILLER else colours[shade]
            paint.outline(image, top - 1, bottom, x0 - 1, x0 + width, self.colours.grid, 1)
            if text:
                paint.text(image, text, label, x0 + 3 * m.n, y_line)


def _input_ramp(scales: Scales, theme: Theme) -> list[RGB]:
    """The colours of the input's shades: the theme's input ramp, or, for an input an earlier
    picture wrote (``scales.input_as_output``), its output ramp, each cell as it was written."""
    return values_ramp(scales.input, theme, scales.input_as_output)


def values_ramp(shades: Shades, theme: Theme, written: bool = False) -> list[RGB]:
    """The colours of an array's ``shades``: the theme's input ramp, or, for an array an earlier
    picture wrote (``written``), its output ramp, each cell as it was written."""
    low, high = (theme.output_low, theme.output_high) if written else (theme.input_low, theme.input_high)
    signed = (theme.output_negative if written else theme.input_negative, theme.neutral)
    return neutral_zero(shades, along(shades.positions(), low, high, *(signed if shades.diverging else ())), theme)


def _output_ramp(scales: Scales, theme: Theme) -> list[RGB]:
    """The colours of the output's shades: the theme's output ramp, through its neutral 0 when signed."""
    signed = (theme.output_negative, theme.neutral) if scales.output.diverging else ()
    colours = along(scales.output.positions(), theme.output_low, theme.output_high, *signed)
    return neutral_zero(scales.output, colours, theme)


def neutral_zero(shades: Shades, colours: list[RGB], theme: Theme) -> list[RGB]:
    """``colours``, the shades of ``shades``, with 0's in the theme's neutral colour when it has
    a shade of its own on a sequential scale (:attr:`~convgif.picture.shades.Shades.zero_neutral`)."""
    return [theme.neutral, *colours[1:]] if shades.zero_neutral else colours


def _any(mask: Optional[np.ndarray]) -> bool:
    """Whether an optional mask marks any cell."""
    return mask is not None and bool(mask.any())


def _cuts(drawn: Drawn) -> bool:
    """Whether a drawing has output cells the layer crops off."""
    return drawn.cut is not None and bool(drawn.cut.any())


def shades_of(scene: Scene) -> dict[str, list[RGB]]:
    """Every cell colour a scene can show, by what it is, as RGB (for contrast checks)."""
    rgb = scene.palette.colors
    col = scene.colours
    found = {
        "inputs": [rgb[i] for row in col.inputs for i in row],
        "kernels": [rgb[i] for i in col.kernels],
        "outputs": [rgb[i] for i in col.outputs],
        "padding": [rgb[col.padding]],
        "empty": [rgb[col.background], rgb[col.hatch]],
    }
    if col.outside >= 0:
        found["outside"] = [rgb[col.outside]]
    return found


def _levels(values: np.ndarray, rows: int = 512) -> np.ndarray:
    """A picture's values (C, H, W) as 0..255 levels, rounded and clipped a band of ``rows``
    rows at a time: a large picture's thumbnail costs its bytes, not eight times them."""
    levels = np.empty(values.shape, np.uint8)
    for start in range(0, values.shape[1], rows):
        band = values[:, start : start + rows]
        levels[:, start : start + rows] = np.clip(np.rint(band) if band.dtype.kind == "f" else band, 0, 255)
    return levels
