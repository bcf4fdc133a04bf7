"""What moves: each step drawn over the static scene.

A frame is the scene plus the outputs written so far, the cells the step reads tinted on each
input channel with their extent outlined, the kernels in use, the output cells it writes, the
dashed lines joining them, and the step's text.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from .drawing import Drawn, Step, Writes
from .layout import CAPTION, Layout
from .paint import LIGHT, Palette, Theme
from .scene import Scene


class Animation:
    """The frames of one drawing laid out by one layout."""

    def __init__(self, drawn: Drawn, layout: Layout, theme: Theme = LIGHT) -> None:
        self.drawn = drawn
        self.layout = layout
        self.scene = Scene(drawn, layout, theme)
        self.palette = self.scene.palette
        self._state = self.scene.image.copy()

    def frames(self, steps: Sequence[int]) -> Iterator[np.ndarray]:
        """One frame per step in ``steps`` (increasing); skipped steps' outputs appear too.

        Each yielded array is only valid until the next one is requested.
        """
        playback = self.drawn.playback
        done = -1
        for step in steps:
            for earlier in range(done + 1, step + 1):
                self._write(playback.advance(earlier))
            done = step
            yield self._frame(playback.show(step))

    def _write(self, writes: list[Writes]) -> None:
        """Paint what a step writes into the persistent state."""
        lay, scene = self.layout, self.scene
        for write in writes:
            origin = lay.outputs.get(write.channel)
            if origin is None:
                continue
            for i, oy in enumerate(write.rows):
                for k, ox in enumerate(write.cols):
                    value = write.values[i, k]
                    colour = scene.output_colour(value, write.channel)
                    scene.painter.cell(self._state, origin, oy, ox, colour, value if lay.values else None)

    def _frame(self, step: Step) -> np.ndarray:
        lay, scene, s = self.layout, self.scene, self.layout.cell
        geo, paint = scene.geometry, scene.painter
        image = self._state.copy()
        writes = {w.channel: w for w in step.writes}
        lines = []
        for c, origin in lay.inputs.items():
            group = c // geo.in_per_group
            reads = step.reads[group]
            hue = scene.hue(group)
            for _, y, x in reads.cells[reads.cells[:, 0] == c]:
                y0, y1, x0, x1 = lay.cell_box(origin, y, x)
                image[y0:y1, x0:x1] = scene.tint(c, y, x)
                if lay.values:
                    paint.cell_text(image, scene.cell_text(c, y, x), y0, y1, x0, x1)
            if reads.marks is not None:
                for _, y, x in reads.marks[reads.marks[:, 0] == c]:
                    y0, y1, x0, x1 = lay.cell_box(origin, y, x)
                    paint.outline(image, y0 - 1, y1, x0 - 1, x1, scene.colours.ink)
            top, left, bottom, right = reads.box
            gx, gy = origin
            wy0, wx0, wy1, wx1 = gy + top * s, gx + left * s, gy + bottom * s, gx + right * s
            paint.outline(image, wy0 - 1, wy1 + 1, wx0 - 1, wx1 + 1, hue)
            start = (wx1 + 2, (wy0 + wy1) // 2)
            if geo.kernel is not None:
                kernel = self._active_kernel(image, c, step.column, hue)
                if kernel is None:
                    continue
                kx0, ky0, kx1, ky1 = kernel
                lines.append((start, (kx0 - 3, (ky0 + ky1) // 2), hue))
                start = (kx1 + 3, (ky0 + ky1) // 2)
            write = writes.get(group * geo.out_per_group + step.column)
            out = lay.outputs.get(write.channel) if write is not None else None
            if out is not None and write.box is not None:
                cy0, cx0 = out[1] + write.box[0] * s, out[0] + write.box[1] * s
                lines.append((start, (cx0 - 2, cy0 + s // 2), hue))
        for start, end, hue in lines:
            paint.line(image, start, end, hue)
        for write in step.writes:
            out = lay.outputs.get(write.channel)
            if out is not None and write.box is not None:
                top, left, bottom, right = write.box
                y0, x0, y1, x1 = out[1] + top * s, out[0] + left * s, out[1] + bottom * s, out[0] + right * s
                paint.outline(image, y0 - 1, y1 + 1, x0 - 1, x1 + 1, scene.hue(write.channel // geo.out_per_group))
        paint.text(image, step.text, CAPTION, *lay.step_at)
        if lay.values:
            paint.text(image, _fit(step.sums, lay.sum_width), CAPTION, *lay.sum_at)
        return image

    def _active_kernel(self, image: np.ndarray, c: int, j: int, hue: int):
        """Outline kernel (c, j) if it is drawn, and give its box (x0, y0, x1, y1)."""
        origin = self.layout.kernels.get((c, j))
        if origin is None:
            return None
        (x0, y0), s = origin, self.layout.cell
        kh, kw = self.scene.geometry.kernel
        x1, y1 = x0 + kw * s, y0 + kh * s
        self.scene.painter.outline(image, y0 - 2, y1 + 2, x0 - 2, x1 + 2, hue)
        return x0, y0, x1, y1


def _fit(entries: Sequence[str], width: int) -> str:
    """As many whole entries as fit ``width`` characters, three spaces apart (the first one
    cut short if even it does not fit)."""
    text = ""
    for entry in entries:
        joined = f"{text}   {entry}" if text else entry
        if len(joined) > width:
            break
        text = joined
    return text or (entries[0][:width] if entries else "")


class Chain:
    """Several animations played one after the other in one GIF: one palette for all of them,
    and every frame on a canvas as large as the largest, the rest background."""

    def __init__(self, animations: Sequence[Animation]) -> None:
        self.animations = list(animations)
        self.palette = Palette()
        self._luts = []
        for animation in self.animations:
            lut = np.zeros(256, np.uint8)
            for i, colour in enumerate(animation.palette.colors):
                lut[i] = self.palette.add(colour)
            self._luts.append(lut)
        if len(self.palette.colors) > 255:
            raise RuntimeError(f"{len(self.palette.colors)} colours do not fit a GIF palette")
        self.width = max(a.layout.width for a in self.animations)
        self.height = max(a.layout.height for a in self.animations)
        first = self.animations[0]
        self._background = self.palette.add(first.palette.colors[first.scene.colours.background])

    def frames(self, steps: Sequence[Sequence[int]]) -> Iterator[np.ndarray]:
        """The frames of each animation's ``steps`` in turn."""
        canvas = np.full((self.height, self.width), self._background, np.uint8)
        for animation, lut, part in zip(self.animations, self._luts, steps):
            canvas[...] = self._background
            h, w = animation.layout.height, animation.layout.width
            for frame in animation.frames(part):
                canvas[:h, :w] = lut[frame]
                yield canvas
