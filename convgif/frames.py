"""The renderer: frames of a recorded forward pass, as palette-indexed NumPy images.

The static picture (caption, labels, every grid with its values) is drawn once. A frame is
that picture plus what moves: the outputs computed so far, the highlighted window on each
input channel, the kernels in use, the current output cell, the lines joining them and the
step text. Cells are axis-aligned rectangles on a whole-pixel grid, so they are painted
straight into the image with NumPy, exactly; text comes from :mod:`convgif.glyphs`. Frames
are arrays of palette indices, so the writer needs no colour quantisation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Optional, Union

import numpy as np

from . import glyphs
from .engine import Placement, Recording, TransposedRecording, padding_mask
from .spec import ConvTranspose2dSpec
from .layout import CAPTION, CELL, LABEL, LEGEND_CHARS, LEGEND_SWATCH, Layout, TextStyle

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
INPUT_SHADES, KERNEL_SHADES, OUTPUT_SHADES = 5, 3, 6
PRIMARIES: tuple[RGB, ...] = ((255, 40, 40), (40, 210, 40), (50, 90, 255))  # RGB pictures' channels
PIXEL_SHADES, RGB_SHADES = 16, 12
DASH = 6  # pixels on, then off, along the connecting lines


def _blend(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))  # type: ignore[return-value]


def _ramp(low: RGB, high: RGB, n: int) -> list[RGB]:
    return [_blend(low, high, i / max(n - 1, 1)) for i in range(n)]


def _bins(values: np.ndarray, n: int, linear: bool = False) -> tuple[np.ndarray, int]:
    """Shade index per value, ``n`` shades at most: linear from lowest to highest value, or
    (unless ``linear``) by rank when there are at most ``n`` distinct values."""
    distinct = np.unique(values)
    if distinct.size <= n and not linear or distinct.size == 1:
        return np.searchsorted(distinct, values), distinct.size
    low, high = float(distinct[0]), float(distinct[-1])
    return np.rint((values - low) / (high - low) * (n - 1)).astype(np.intp), n


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
                table[level, i] = self.add(_blend(self.colors[i], self.colors[ink], level / top))
            table[top, i] = ink
        return table


@dataclass(frozen=True)
class _Colours:
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


class Renderer:
    """Draws the frames of one recording laid out by one layout."""

    def __init__(
        self,
        recording: Recording,
        layout: Layout,
        pixels: bool = False,
        filler: Optional[np.ndarray] = None,
        theme: Theme = LIGHT,
    ) -> None:
        """``pixels``: the input is a picture (0 black .. 255 full); draw it and the output in grey.

        ``filler`` marks the input cells that are not the layer's input (drawn like padding):
        by default the padding of ``recording.spec``.
        """
        self.recording = recording
        self.layout = layout
        self.theme = theme
        spec = recording.spec
        self.spec = spec
        if filler is None:
            filler = padding_mask(spec, 0)[:, None] | padding_mask(spec, 1)[None, :]
        self._filler = filler
        self._k_bins, k_colors = self._kernel_shades(recording.weight, theme)
        if pixels:
            levels = (PIXEL_SHADES if spec.in_channels == 1 else RGB_SHADES) // (2 if layout.values else 1)
            self._in_bins = np.clip(np.rint(recording.padded / 255 * (levels - 1)), 0, levels - 1).astype(np.intp)
            tops = [WHITE] if spec.in_channels == 1 else list(PRIMARIES)
            input_rows = [_ramp(BLACK, top, levels) for top in tops]
            self._out_bins, n_out = _bins(recording.output, PIXEL_SHADES, linear=True)
            output_shades = _ramp(BLACK, WHITE, n_out)
        else:
            self._in_bins, n_in = _bins(recording.padded, INPUT_SHADES)
            input_rows = [_ramp(theme.input_low, theme.input_high, n_in)]
            self._out_bins, n_out = _bins(recording.output, OUTPUT_SHADES)
            output_shades = _ramp(theme.output_low, theme.output_high, n_out)

        palette = Palette()
        add = palette.add
        hues = [theme.hues[g % len(theme.hues)] for g in range(min(spec.groups, len(theme.hues)))]
        self.colours = _Colours(
            background=add(theme.background),
            ink=add(theme.ink),
            grid=add(theme.grid),
            inputs=[[add(c) for c in row] for row in input_rows],
            padding=add(theme.padding),
            copies=[[add(_blend(c, theme.padding, 0.6)) for c in row] for row in input_rows],
            kernels=[add(c) for c in k_colors],
            outputs=[add(c) for c in output_shades],
            hues=[add(h) for h in hues],
            tints=[add(_blend(theme.background, h, 0.42)) for h in hues],
            padding_tints=[add(_blend(theme.padding, h, 0.42)) for h in hues],
        )
        col = self.colours
        under = [col.background]  # without values, text is only ever written on the background
        if layout.values:
            shades = [c for row in col.inputs + col.copies for c in row]
            under += [col.padding, *shades, *col.kernels, *col.outputs, *col.tints, *col.padding_tints]
        self._ink = palette.ink_table(col.ink, under)
        self.palette = palette
        if len(palette.colors) > 255:  # one index stays free for the writer's transparency
            raise RuntimeError(f"{len(palette.colors)} colours do not fit a GIF palette")
        self._state = self._background()

    # -- colours --------------------------------------------------------------------------

    @staticmethod
    def _kernel_shades(weight: np.ndarray, theme: Theme) -> tuple[np.ndarray, list[RGB]]:
        """Diverging shades: red below zero, neutral at zero, green above, by magnitude."""
        scale = max(int(np.abs(weight).max()), 1)
        steps = np.ceil(np.abs(weight) / scale * KERNEL_SHADES).astype(np.intp)
        bins = np.sign(weight).astype(np.intp) * steps + KERNEL_SHADES
        colors = [
            _blend(theme.background, theme.negative if k < 0 else theme.positive, 0.18 + 0.5 * abs(k) / KERNEL_SHADES)
            if k
            else theme.kernel_zero
            for k in range(-KERNEL_SHADES, KERNEL_SHADES + 1)
        ]
        return bins, colors

    def _hue(self, group: int) -> int:
        return self.colours.hues[group % len(self.colours.hues)]

    def _input_colours(self, c: int) -> np.ndarray:
        """Colour of every padded cell of input channel c: shade by value, padding apart."""
        col = self.colours
        row = c if len(col.inputs) > 1 else 0
        shades = np.asarray(col.inputs[row])[self._in_bins[c]]
        if self.spec.padding_mode == "zeros":
            padding = np.full_like(shades, col.padding)
        else:
            padding = np.asarray(col.copies[row])[self._in_bins[c]]
        return np.where(self._filler, padding, shades)

    def _tint(self, c: int, y: int, x: int) -> int:
        """Colour of a cell of input channel c while the kernel reads it."""
        col = self.colours
        hue = (c // self.spec.in_per_group) % len(col.tints)
        return col.padding_tints[hue] if self._filler[y, x] else col.tints[hue]

    # -- drawing primitives ----------------------------------------------------------------

    def _grid(self, image: np.ndarray, origin: tuple[int, int], colours: np.ndarray) -> None:
        """Cells of the given colour indices, with grid lines, at ``origin`` (x, y)."""
        s = self.layout.cell
        x, y = origin
        rows, cols = colours.shape
        block = np.repeat(np.repeat(colours.astype(np.uint8), s, 0), s, 1)
        block[::s, :] = self.colours.grid
        block[:, ::s] = self.colours.grid
        image[y : y + rows * s, x : x + cols * s] = block
        image[y + rows * s, x : x + cols * s + 1] = self.colours.grid
        image[y : y + rows * s + 1, x + cols * s] = self.colours.grid

    def _text(self, image: np.ndarray, text: str, style: TextStyle, x: int, y: int) -> None:
        """Ink ``text`` with its pen starting at (x, y), the top of its line."""
        mask = glyphs.text_mask(style, text)
        x -= glyphs.BLEED
        h, w = mask.shape
        w = min(w, image.shape[1] - x)
        if w > 0:
            region = image[y : y + h, x : x + w]
            region[...] = self._ink[mask[:, :w], region]

    def _cell(
        self, image: np.ndarray, origin: tuple[int, int], row: int, col: int, colour: int, value: Optional[int] = None
    ) -> None:
        y0, y1, x0, x1 = self.layout.cell_box(origin, row, col)
        image[y0:y1, x0:x1] = colour
        if value is not None:
            self._cell_text(image, format_value(value), y0, y1, x0, x1)

    def _cell_text(self, image: np.ndarray, text: str, y0: int, y1: int, x0: int, x1: int) -> None:
        w = CELL.width(text)
        self._text(
            image, text, CELL, x0 + (x1 - x0 - w + 1) // 2, y0 + (y1 - y0 - CELL.height + 1) // 2
        )

    def _outline(self, image: np.ndarray, y0: int, y1: int, x0: int, x1: int, colour: int, width: int = 2) -> None:
        """A rectangle outline covering rows y0..y1 and columns x0..x1 inclusive."""
        image[y0 : y0 + width, x0 : x1 + 1] = colour
        image[y1 - width + 1 : y1 + 1, x0 : x1 + 1] = colour
        image[y0 : y1 + 1, x0 : x0 + width] = colour
        image[y0 : y1 + 1, x1 - width + 1 : x1 + 1] = colour

    def _line(self, image: np.ndarray, start: tuple[int, int], end: tuple[int, int], colour: int) -> None:
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
        behind = image[ys, xs] == self.colours.background
        image[ys[behind], xs[behind]] = colour

    # -- the static picture ------------------------------------------------------------------

    def _background(self) -> np.ndarray:
        lay, rec, col, s = self.layout, self.recording, self.colours, self.layout.cell
        image = np.full((lay.height, lay.width), col.background, np.uint8)
        _, hp, wp = self.spec.padded_shape
        for c, origin in lay.inputs.items():
            self._grid(image, origin, self._input_colours(c))
            if lay.values:
                for y in range(hp):
                    for x in range(wp):
                        self._cell_text(image, format_value(rec.padded[c, y, x]), *lay.cell_box(origin, y, x))
        for (c, j), origin in lay.kernels.items():
            co = c // self.spec.in_per_group * self.spec.out_per_group + j
            ci = c % self.spec.in_per_group
            self._grid(image, origin, np.array(col.kernels)[self._k_bins[co, ci]])
            if lay.values:
                for ky, kx in np.ndindex(*self.spec.kernel_size):
                    box = lay.cell_box(origin, ky, kx)
                    self._cell_text(image, format_value(rec.weight[co, ci, ky, kx]), *box)
        _, ho, wo = self.spec.output_shape
        for co, origin in lay.outputs.items():
            self._grid(image, origin, np.full((ho, wo), col.background))
        if self.spec.groups > 1:
            for c, (x, y) in lay.inputs.items():
                self._outline(image, y - 3, y + hp * s + 3, x - 3, x + wp * s + 3, self._hue(c // self.spec.in_per_group))
            for co, (x, y) in lay.outputs.items():
                self._outline(image, y - 3, y + ho * s + 3, x - 3, x + wo * s + 3, self._hue(co // self.spec.out_per_group))
        for text, style, x, y in lay.texts:
            self._text(image, text, style, x, y)
        self._legend(image)
        return image

    def _output_range(self) -> tuple[float, float]:
        """The lowest and highest value the output cells show."""
        return self.recording.output.min(), self.recording.output.max()

    def _legend(self, image: np.ndarray) -> None:
        """The output colour scale: lowest value, one swatch per shade, highest value."""
        x, y = self.layout.legend_at
        low, high = (format_value(v)[:LEGEND_CHARS] for v in self._output_range())
        self._text(image, f"scale {low}", LABEL, x, y)
        x += LABEL.width(f"scale {low} ")
        top, bottom = y + 2, y + LABEL.height - 2
        for shade in self.colours.outputs:
            image[top:bottom, x : x + LEGEND_SWATCH] = shade
            x += LEGEND_SWATCH
        self._outline(image, top - 1, bottom, x - LEGEND_SWATCH * len(self.colours.outputs) - 1, x, self.colours.grid, 1)
        self._text(image, high, LABEL, x + LABEL.advance, y)

    # -- frames ------------------------------------------------------------------------------

    def step_index(self, step: int) -> tuple[int, int, int]:
        """(out channel within its group, oy, ox) of a step."""
        _, ho, wo = self.spec.output_shape
        j, oy, ox = np.unravel_index(step, (self.spec.out_per_group, ho, wo))
        return int(j), int(oy), int(ox)

    def _placement(self, group: int, step: int) -> Placement:
        j, oy, ox = self.step_index(step)
        co = group * self.spec.out_per_group + j
        return self.recording.placements[int(np.ravel_multi_index((co, oy, ox), self.recording.output.shape))]

    def _compute(self, step: int) -> None:
        """Fill the outputs of one step into the persistent state."""
        j, oy, ox = self.step_index(step)
        for g in range(self.spec.groups):
            co = g * self.spec.out_per_group + j
            origin = self.layout.outputs.get(co)
            if origin is not None:
                value = self.recording.output[co, oy, ox] if self.layout.values else None
                self._cell(self._state, origin, oy, ox, self.colours.outputs[self._out_bins[co, oy, ox]], value)

    def frames(self, steps: Sequence[int]) -> Iterator[np.ndarray]:
        """One frame per step in ``steps`` (increasing); skipped steps' outputs appear too.

        Each yielded array is only valid until the next one is requested.
        """
        done = -1
        for step in steps:
            for earlier in range(done + 1, step + 1):
                self._compute(earlier)
            done = step
            yield self._frame(step)

    def _frame(self, step: int) -> np.ndarray:
        lay, spec, rec, s = self.layout, self.spec, self.recording, self.layout.cell
        image = self._state.copy()
        j, oy, ox = self.step_index(step)
        rh, rw = spec.receptive_field
        lines = []
        placements = {}
        for c, origin in lay.inputs.items():
            group = c // spec.in_per_group
            if group not in placements:
                placements[group] = self._placement(group, step)
            taps = placements[group].taps
            hue = self._hue(group)
            for _, y, x in taps[taps[:, 0] == c]:
                self._cell(image, origin, y, x, self._tint(c, y, x), rec.padded[c, y, x] if lay.values else None)
            _, y_top, x_left = taps[0]
            gx, gy = origin
            wy0, wx0 = gy + y_top * s, gx + x_left * s
            wy1, wx1 = wy0 + rh * s, wx0 + rw * s
            self._outline(image, wy0 - 1, wy1 + 1, wx0 - 1, wx1 + 1, hue)
            kernel = self._active_kernel(image, c, j, hue)
            if kernel is None:
                continue
            kx0, ky0, kx1, ky1 = kernel
            lines.append(((wx1 + 2, (wy0 + wy1) // 2), (kx0 - 3, (ky0 + ky1) // 2), hue))
            out = lay.outputs.get(group * spec.out_per_group + j)
            if out is not None:
                cy0, cx0 = out[1] + oy * s, out[0] + ox * s
                lines.append(((kx1 + 3, (ky0 + ky1) // 2), (cx0 - 2, cy0 + s // 2), hue))
        for start, end, hue in lines:
            self._line(image, start, end, hue)
        for g in range(spec.groups):
            out = lay.outputs.get(g * spec.out_per_group + j)
            if out is not None:
                cy0, cx0 = out[1] + oy * s, out[0] + ox * s
                self._outline(image, cy0 - 1, cy0 + s + 1, cx0 - 1, cx0 + s + 1, self._hue(g))
        self._step_texts(image, step)
        return image

    def _position(self, *index: int) -> str:
        """An output position as the layer indexes it: (oy, ox), or (ox,) for a Conv1d."""
        return str(tuple(index) if self.layout.dims == 2 else tuple(index[:-2]) + (index[-1],))

    def _active_kernel(self, image: np.ndarray, c: int, j: int, hue: int) -> Optional[tuple[int, int, int, int]]:
        """Outline kernel (c, j) if it is drawn, and give its box (x0, y0, x1, y1)."""
        origin = self.layout.kernels.get((c, j))
        if origin is None:
            return None
        (x0, y0), s = origin, self.layout.cell
        x1, y1 = x0 + self.spec.kernel_size[1] * s, y0 + self.spec.kernel_size[0] * s
        self._outline(image, y0 - 2, y1 + 2, x0 - 2, x1 + 2, hue)
        return x0, y0, x1, y1

    def _step_texts(self, image: np.ndarray, step: int) -> None:
        """The step line and, with values, the sum line."""
        self._text(image, self.step_text(step), CAPTION, *self.layout.step_at)
        if self.layout.values:
            self._text(image, self.sum_text(step, self.layout.sum_width), CAPTION, *self.layout.sum_at)

    def step_text(self, step: int) -> str:
        j, oy, ox = self.step_index(step)
        where = self._position(oy, ox)
        return f"out channel {j + 1}/{self.spec.out_per_group} · {where} · step {step + 1}/{self.spec.steps}"

    def sum_text(self, step: int, width: Optional[int] = None) -> str:
        """The output value(s) of a step, e.g. ``y[0, 0, 2] = Σ x·w + b = 5 + 2 = 7``.

        With several groups, one ``y[...] = v`` per group, as many whole ones as fit ``width``.
        """
        j, oy, ox = self.step_index(step)
        rec = self.recording
        if self.spec.groups == 1:
            value = rec.output[j, oy, ox]
            y = f"y[{self._position(j, oy, ox)[1:-1]}]"
            if rec.bias is None:
                return f"{y} = Σ x·w = {format_value(value)}"
            b = rec.bias[j]
            return f"{y} = Σ x·w + b = {format_value(value - b)} + {format_value(b)} = {format_value(value)}"
        text = ""
        for g in range(self.spec.groups):
            co = g * self.spec.out_per_group + j
            part = f"y[{self._position(co, oy, ox)[1:-1]}] = {format_value(rec.output[co, oy, ox])}"
            joined = f"{text}   {part}" if text else part
            if width is not None and len(joined) > width:
                break
            text = joined
        return text


def format_value(value: Union[int, float, np.number]) -> str:
    """A value as written in a cell: integers whole, fractions to three significant digits."""
    if float(value).is_integer():
        return str(int(value))
    return f"{float(value):.3g}"


def value_chars(recording: Recording) -> int:
    """Characters of the widest number a values picture writes in a cell."""
    widest = 1
    for array in (recording.padded, recording.weight, recording.output):
        candidates = np.unique(array) if array.dtype.kind == "f" else (array.min(), array.max())
        widest = max(widest, *(len(format_value(v)) for v in candidates))
    return widest


class ScatterRenderer(Renderer):
    """Draws a transposed convolution the way it is defined: one input position per step, its
    value times each kernel added into the output window it covers, so that overlapping
    contributions visibly add up. The outputs start at their bias (or 0) and end at the result.
    """

    def __init__(self, recording: TransposedRecording, layout: Layout, pixels: bool = False, theme: Theme = LIGHT) -> None:
        spec = recording.spec
        self.spec = spec
        self.transposed = recording
        # kernels as the layout places them: (output channel, input channel of its group)
        per = recording.weight.reshape(spec.groups, spec.in_per_group, spec.out_per_group, *spec.kernel_size)
        weight = per.transpose(0, 2, 1, 3, 4).reshape(spec.out_channels, spec.in_per_group, *spec.kernel_size)
        self._sums = _bias_start(recording)
        self._low, self._high = partial_sum_range(recording)
        shown = Recording(spec, recording.input, recording.input, weight, recording.bias, recording.output, None)  # type: ignore[arg-type]
        super().__init__(shown, layout, pixels, filler=np.zeros(spec.input_shape[1:], dtype=bool), theme=theme)
        for co, origin in layout.outputs.items():  # every output starts at its bias
            for oy, ox in np.ndindex(*spec.output_shape[1:]):
                self._paint_output(self._state, co, oy, ox)

    def step_index(self, step: int) -> tuple[int, int, int]:
        """(out channel within its group, y, x of the input position) of a step."""
        _, h, w = self.spec.input_shape
        j, y, x = np.unravel_index(step, (self.spec.out_per_group, h, w))
        return int(j), int(y), int(x)

    def _window(self, y: int, x: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return scatter_window(self.spec, y, x)

    def _output_range(self) -> tuple[float, float]:
        return self._low, self._high

    def _paint_output(self, image: np.ndarray, co: int, oy: int, ox: int) -> None:
        origin = self.layout.outputs.get(co)
        if origin is None:
            return
        value = self._sums[co, oy, ox]
        span = (self._high - self._low) or 1
        shade = int(round((value - self._low) / span * (len(self.colours.outputs) - 1)))
        self._cell(image, origin, oy, ox, self.colours.outputs[shade], value if self.layout.values else None)

    def _compute(self, step: int) -> None:
        j, y, x = self.step_index(step)
        for g in range(self.spec.groups):
            co, rows, cols, added = contribution(self.transposed, g, j, y, x)
            self._sums[co][np.ix_(rows, cols)] += added
            for oy in rows:
                for ox in cols:
                    self._paint_output(self._state, co, int(oy), int(ox))

    def _frame(self, step: int) -> np.ndarray:
        lay, spec, s = self.layout, self.spec, self.layout.cell
        image = self._state.copy()
        j, y, x = self.step_index(step)
        rows, cols, _, _ = self._window(y, x)
        lines = []
        for c, origin in lay.inputs.items():
            group = c // spec.in_per_group
            hue = self._hue(group)
            value = self.recording.input[c, y, x] if lay.values else None
            self._cell(image, origin, y, x, self._tint(c, y, x), value)
            cy0, cx0 = origin[1] + y * s, origin[0] + x * s
            self._outline(image, cy0 - 1, cy0 + s + 1, cx0 - 1, cx0 + s + 1, hue)
            kernel = self._active_kernel(image, c, j, hue)
            if kernel is None:
                continue
            kx0, ky0, kx1, ky1 = kernel
            lines.append(((cx0 + s + 2, cy0 + s // 2), (kx0 - 3, (ky0 + ky1) // 2), hue))
            out = lay.outputs.get(group * spec.out_per_group + j)
            if out is not None and rows.size and cols.size:
                wy0 = out[1] + rows[0] * s
                lines.append(((kx1 + 3, (ky0 + ky1) // 2), (out[0] + cols[0] * s - 2, wy0 + s // 2), hue))
        for start, end, hue in lines:
            self._line(image, start, end, hue)
        if rows.size and cols.size:
            for g in range(spec.groups):
                out = lay.outputs.get(g * spec.out_per_group + j)
                if out is not None:
                    wy0, wx0 = out[1] + rows[0] * s, out[0] + cols[0] * s
                    wy1, wx1 = out[1] + (rows[-1] + 1) * s, out[0] + (cols[-1] + 1) * s
                    self._outline(image, wy0 - 1, wy1 + 1, wx0 - 1, wx1 + 1, self._hue(g))
        self._step_texts(image, step)
        return image

    def step_text(self, step: int) -> str:
        j, y, x = self.step_index(step)
        return f"input ({y}, {x}) · out channel {j + 1}/{self.spec.out_per_group} · step {step + 1}/{self.spec.steps}"

    def sum_text(self, step: int, width: Optional[int] = None) -> str:
        """What a step adds, e.g. ``y[0, 1:4, 3:6] += x[:, 1, 2] · w[:, 0]``."""
        j, y, x = self.step_index(step)
        rows, cols, _, _ = self._window(y, x)
        if not (rows.size and cols.size):
            return f"x[:, {y}, {x}] falls entirely in the trimmed padding"
        where = f"{rows[0]}:{rows[-1] + 1}, {cols[0]}:{cols[-1] + 1}"
        if self.spec.dilation != (1, 1):
            where = f"{rows[0]}:{rows[-1] + 1}:{self.spec.dilation[0]}, {cols[0]}:{cols[-1] + 1}:{self.spec.dilation[1]}"
        text = f"y[{j}, {where}] += x[:, {y}, {x}] · w[:, {j}]"
        if self.spec.groups > 1:
            text += f"  (and in each of the {self.spec.groups} groups)"
        return text if width is None else text[:width]


def scatter_window(spec: ConvTranspose2dSpec, y: int, x: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Output rows and columns the input position (y, x) reaches, with the kernel rows and
    columns that reach them (positions the padding trims off are left out)."""
    _, ho, wo = spec.output_shape
    ky, kx = np.arange(spec.kernel_size[0]), np.arange(spec.kernel_size[1])
    rows = y * spec.stride[0] - spec.padding[0] + ky * spec.dilation[0]
    cols = x * spec.stride[1] - spec.padding[1] + kx * spec.dilation[1]
    keep_r, keep_c = (rows >= 0) & (rows < ho), (cols >= 0) & (cols < wo)
    return rows[keep_r], cols[keep_c], ky[keep_r], kx[keep_c]


def contribution(
    recording: TransposedRecording, group: int, j: int, y: int, x: int
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """What input position (y, x) of a group adds to output channel j of that group: the
    channel, the rows and columns, and the (rows × cols) values added."""
    spec = recording.spec
    rows, cols, ky, kx = scatter_window(spec, y, x)
    channels = slice(group * spec.in_per_group, (group + 1) * spec.in_per_group)
    kernels = recording.weight[channels, j][:, ky][:, :, kx]
    added = np.tensordot(recording.input[channels, y, x], kernels, axes=1)
    return group * spec.out_per_group + j, rows, cols, added


def _bias_start(recording: TransposedRecording) -> np.ndarray:
    start = np.zeros(recording.spec.output_shape, dtype=recording.output.dtype)
    if recording.bias is not None:
        start += recording.bias[:, None, None]
    return start


def partial_sum_range(recording: TransposedRecording) -> tuple[float, float]:
    """The lowest and highest value any output cell passes through while the sums build up."""
    spec = recording.spec
    sums = _bias_start(recording)
    low, high = sums.min(), sums.max()
    _, h, w = spec.input_shape
    for j, y, x in np.ndindex(spec.out_per_group, h, w):
        for g in range(spec.groups):
            co, rows, cols, added = contribution(recording, g, j, y, x)
            if rows.size and cols.size:
                sums[co][np.ix_(rows, cols)] += added
                low, high = min(low, sums[co].min()), max(high, sums[co].max())
    return low, high


class Chain:
    """Several renderers played one after the other in one GIF: one palette for all of them,
    and every frame on a canvas as large as the largest, the rest background."""

    def __init__(self, renderers: Sequence[Renderer]) -> None:
        self.renderers = list(renderers)
        self.palette = Palette()
        self._luts = []
        for renderer in self.renderers:
            lut = np.zeros(256, np.uint8)
            for i, colour in enumerate(renderer.palette.colors):
                lut[i] = self.palette.add(colour)
            self._luts.append(lut)
        if len(self.palette.colors) > 255:
            raise RuntimeError(f"{len(self.palette.colors)} colours do not fit a GIF palette")
        self.width = max(r.layout.width for r in self.renderers)
        self.height = max(r.layout.height for r in self.renderers)
        first = self.renderers[0]
        self._background = self.palette.add(first.palette.colors[first.colours.background])

    def frames(self, steps: Sequence[Sequence[int]]) -> Iterator[np.ndarray]:
        """The frames of each renderer's ``steps`` in turn."""
        canvas = np.full((self.height, self.width), self._background, np.uint8)
        for renderer, lut, part in zip(self.renderers, self._luts, steps):
            canvas[...] = self._background
            h, w = renderer.layout.height, renderer.layout.width
            for frame in renderer.frames(part):
                canvas[:h, :w] = lut[frame]
                yield canvas
