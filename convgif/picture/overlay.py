"""What moves: each step drawn over the static scene.

A frame is the scene plus the outputs written so far, a ring on every input cell the step
reads (the cells keep their shades and numbers), the kernels in use, the output cells it
writes, the dashed lines joining them (and, where lines cross, those of the steps before,
faint), and the step's text. The lines run only through the gaps between grids, where the
layout's arrangement runs them (out of the input, to the kernel in use, on to the output cell
written); they never cross a grid, a label they do not join, the bands beside a part of a map
or the picture shown whole.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..language import say
from .cells import cells
from .model import EMPTY, Drawn, Key, Step, Writes
from .paint import LIGHT, Palette, Theme
from .scene import Scene
from .shades import Scales
from .sizes import ELLIPSIS, STEP_BREAK, Layout, key_size, wrap
from .sumline import LongSum, elided

Rect = tuple[int, int, int, int]  # (y0, y1, x0, x1), ends exclusive


class Animation:
    """The frames of one drawing laid out by one layout.

    After each frame, ``touched`` holds the rectangles the step drew in (over the scene and
    the outputs written so far) and ``written`` marks the pixels the outputs written so far
    changed: everywhere else a frame is the static scene. ``changed`` holds rectangles
    (within the picture) outside which the frame equals the one before, or None for the
    first frame: what a writer needs to compare, rather than the whole picture.

    A frame is drawn over a working copy of the picture, from which the rectangles the step
    before drew in are first restored: each frame costs what it draws, not the picture's area.
    The scene's colours are worked out when the animation is made, its picture drawn when the
    first frame is asked for (``written`` exists from then on).
    """

    #: The static picture's class (an arrangement of its own may draw more).
    scene_class = Scene

    def __init__(
        self, drawn: Drawn, layout: Layout, theme: Theme = LIGHT, scales: Scales | None = None, keys: tuple = ()
    ) -> None:
        self.drawn = drawn
        self.layout = layout
        self.scene = self.scene_class(drawn, layout, theme, scales, keys)
        self.palette = self.scene.palette
        self._state: np.ndarray | None = None  # the scene with the outputs written so far
        self.touched: list[Rect] = []
        self.changed: list[Rect] | None = None
        geo, m = layout.geometry, layout.metrics
        self._frame_px = m.frame if geo.framed else 0
        #: The output cells no step has written yet, per grid drawn (None: none start empty).
        self._to_come: dict[int, np.ndarray] | None = None
        if drawn.start is None:
            self._to_come = {co: np.ones(drawn.output.shape[1:], bool) for co in layout.outputs}
        elif drawn.start_empty is not None and drawn.start_empty.any():  # some cells start empty
            self._to_come = {co: drawn.start_empty[co].copy() for co in layout.outputs}
        self._left = sum(left.size for left in self._to_come.values()) if self._to_come is not None else 0

    def frames(self, steps: Sequence[int]) -> Iterator[np.ndarray]:
        """One frame per step in ``steps`` (increasing); skipped steps' outputs appear too.

        Each yielded array is only valid until the next one is requested (the next frame is
        drawn into it).
        """
        playback = self.drawn.playback
        if self._state is None:  # the picture, drawn at its first frame
            if not steps:
                return
            self._state = self.scene.image.copy()
            self._image = self._state.copy()
            self.written = np.zeros(self._state.shape, bool)
        shape = self._state.shape
        done = -1
        self._image[...] = self._state
        self.touched, self.changed = [], None
        drawn: list[Rect] = []  # the rectangles the step before drew in, within the picture
        first = True
        for step in steps:
            fresh: list[Rect] = []
            for earlier in range(done + 1, step + 1):
                fresh += self._write(playback.advance(earlier))
            if self._to_come is not None and self._left == 0:
                fresh += self._none_to_come()
            done = step
            restored = drawn + _within(fresh, shape)
            self._restore(restored)
            self._frame(self._image, playback.show(step))
            drawn = _within(self.touched, shape)
            self.changed = None if first else list(dict.fromkeys(restored + drawn))
            first = False
            yield self._image

    def _restore(self, rects: list[Rect]) -> None:
        """Make the working image the state again within ``rects`` (outside them it is)."""
        image, state = self._image, self._state
        for y0, y1, x0, x1 in rects:
            image[y0:y1, x0:x1] = state[y0:y1, x0:x1]

    def _write(self, writes: list[Writes]) -> list[Rect]:
        """Paint what a step writes into the persistent state; the cells' rectangles."""
        lay, scene = self.layout, self.scene
        cells: list[Rect] = []
        for write in writes:
            origin = lay.outputs.get(write.channel)
            if origin is None:
                continue
            for i, oy in enumerate(write.rows):
                for k, ox in enumerate(write.cols):
                    value = write.values[i, k]
                    colour = scene.output_colour(value, write.channel, scene.is_cut(oy, ox))
                    scene.painter.cell(self._state, origin, oy, ox, colour, value if lay.values else None)
                    box = lay.cell_box(origin, oy, ox)
                    y0, y1, x0, x1 = box
                    self.written[y0:y1, x0:x1] = True
                    cells.append(box)
                    if self._to_come is not None and self._to_come[write.channel][oy, ox]:
                        self._to_come[write.channel][oy, ox] = False
                        self._left -= 1
            scene.outline_kept(self._state, write.channel)  # the cells' edges may have covered it
        return cells

    def _none_to_come(self) -> list[Rect]:
        """Every output cell written: the keys drawn again without "to come" (nothing is), in
        the state; the rectangles they take."""
        lay, m = self.layout, self.layout.metrics
        rects: list[Rect] = []
        for key, x, y in lay.keys:
            at = [i for i, (shade, _) in enumerate(key.items) if shade == EMPTY]
            if not at:
                continue
            gone = {*at, *(i + 1 for i in at if i + 1 < len(key.items) and key.items[i + 1][0] is None)}
            room = lay.width - m.margin - x
            w, h = key_size(key, m, room)
            box = (y, y + h + m.n, x, x + w + m.n)
            self._state[box[0] : box[1], box[2] : box[3]] = self.scene.colours.background
            kept = Key(key.name, key.role, tuple(item for i, item in enumerate(key.items) if i not in gone))
            self.scene.draw_key(self._state, kept, x, y, room)
            self.written[box[0] : box[1], box[2] : box[3]] = True  # the state, no more the scene, there
            rects.append(box)
        self._to_come = None  # drawn: nothing more to do
        return rects

    def _frame(self, image: np.ndarray, step: Step) -> None:
        """Draw ``step`` over ``image`` (the state, where the step before drew too), noting the
        rectangles drawn in ``touched``."""
        lay, scene, s, m = self.layout, self.scene, self.layout.cell, self.layout.metrics
        geo, paint, col, n = scene.geometry, scene.painter, scene.colours, m.n
        touched: list[Rect] = []
        writes = {w.channel: w for w in step.writes}
        paths = []
        for c, origin in lay.inputs.items():
            group = c // geo.in_per_group
            reads = step.reads[group]
            hue = scene.hue(group)
            window = paint.rings(image, origin, reads.cells[reads.cells[:, 0] == c, 1:], hue, col.halo)
            rings = [window] if window is not None else []
            if reads.marks is not None:
                for _, y, x in reads.marks[reads.marks[:, 0] == c]:
                    rings.append(paint.ring(image, origin, y, x, col.ink, inset=2 * n))
                    if lay.values:
                        box = lay.cell_box(origin, y, x)
                        paint.cell_text(image, scene.cell_text(c, y, x), *box)
                        rings.append(box)
            if rings:  # neighbours: one rectangle round them all
                touched.append(_bounds(rings))
            top, left, bottom, right = reads.box
            gx, gy = origin
            if len(reads.cells) // max(geo.in_per_group, 1) < (bottom - top) * (right - left):
                # a sparse window (dilation): its extent too, thinly
                box = (gy + top * s - n, gy + bottom * s + n, gx + left * s - n, gx + right * s + n)
                paint.outline(image, *box, hue, n)
                touched.append((box[0], box[1] + 1, box[2], box[3] + 1))
            paths += self._routes(step, c, group, (top + bottom) * s // 2 + gy, writes, hue, image, touched)
        for points, hue in paths:
            touched += paint.path(image, points, hue)
        for points, hue in self._trail(step):  # after the step's own: drawn over background only
            touched += paint.path(image, points, hue, dashed=False)
        for write in step.writes:
            out = lay.outputs.get(write.channel)
            if out is not None and write.box is not None:
                top, left, bottom, right = write.box
                y0, x0, y1, x1 = out[1] + top * s, out[0] + left * s, out[1] + bottom * s, out[0] + right * s
                hue = scene.hue(geo.out_group(write.channel))
                if len(write.rows) * len(write.cols) < (bottom - top) * (right - left):
                    # a sparse window (dilation): a ring on each cell written, as a read's, its extent thinly
                    cells = np.array([(y, x) for y in write.rows for x in write.cols], dtype=np.int64)
                    touched.append(paint.rings(image, out, cells, hue, col.halo))
                    paint.outline(image, y0 - n, y1 + n, x0 - n, x1 + n, hue, n)
                else:
                    paint.outline(image, y0 - n, y1 + n, x0 - n, x1 + n, hue, 2 * n)
                    if col.halo >= 0:
                        paint.outline(image, y0 + n, y1 - n, x0 + n, x1 - n, col.halo, n)
                touched.append((y0 - n, y1 + n + 1, x0 - n, x1 + n + 1))
        x, y = lay.step_at
        for i, line in enumerate(wrap(step.text, lay.sum_width, STEP_BREAK)):
            touched.append(self._text(image, line, (x, y + i * m.caption.height)))
        if lay.values:
            x, y = lay.sum_at
            for i, line in enumerate(_fit_lines(step.sums_drawn(lay.outputs), lay.sum_width, lay.sum_lines)):
                touched.append(self._text(image, line, (x, y + i * m.caption.height)))
        self.touched = touched

    def _text(self, image: np.ndarray, text: str, at: tuple[int, int]) -> Rect:
        style = self.layout.metrics.caption
        x, y = at
        self.scene.painter.text(image, text, style, x, y)
        return y, y + style.height, x - 1, x + style.width(text) + 1

    def _routes(
        self, step: Step, c: int, group: int, y_window: int, writes: dict, hue: int, image: np.ndarray, touched: list
    ) -> list:
        """The dashed paths of input channel ``c``: from its window to the kernel in use and on to
        the output cells written, through the gaps only (see the module's doc), as the layout's
        arrangement runs them."""
        lay, s, n = self.layout, self.layout.cell, self.layout.metrics.n
        geo, f = self.scene.geometry, self._frame_px
        write = writes.get(geo.group_output(group, step.column))
        if write is None and not geo.columns_take_turns:  # the group's outputs are one result: to the one written
            write = next((w for ch, w in writes.items() if geo.out_group(ch) == group), None)
        out = lay.outputs.get(write.channel) if write is not None else None
        written = None
        if out is not None and write.box is not None:
            top, _, bottom, _ = write.box
            written = write.channel, (out[0] - f - 2 * n - 1 - lay.reach[1], out[1] + (top + bottom) * s // 2)
        column = None
        if geo.kernel is not None:
            kernel = lay.kernels.get((c, step.column))
            if kernel is None:
                return []
            kh, kw = geo.kernel
            kx0, ky0 = kernel
            touched.append(self._outline_kernel(image, kx0, ky0, kx0 + kw * s, ky0 + kh * s, hue))
            if step.kernel_cell is not None:
                touched.append(self.scene.painter.ring(image, kernel, *step.kernel_cell, hue, self.scene.colours.halo))
            column = step.column
        return [(points, hue) for points in lay.routes.paths(lay, c, y_window, column, written)]

    def _trail(self, step: Step) -> list:
        """The lines of the steps before that stay (:attr:`~convgif.picture.model.Step.trail`),
        solid and faint, where the arrangement runs them aslant: each from the middle of an
        input channel of its output's group to the middle of that output's grid, as its step
        drew it."""
        lay, geo, s, n = self.layout, self.scene.geometry, self.layout.cell, self.layout.metrics.n
        if not (step.trail and geo.lines_cross and lay.routes.aslant):
            return []
        found = []
        for co in step.trail:
            out = lay.outputs.get(co)
            if out is None:
                continue
            group = geo.out_group(co)
            end = (out[0] - self._frame_px - 2 * n - 1 - lay.reach[1], out[1] + geo.out_size[0] * s // 2)
            for c, (_, gy) in lay.inputs.items():
                if c // geo.in_per_group == group:
                    paths = lay.routes.paths(lay, c, gy + geo.grid[0] * s // 2, None, (co, end))
                    found += [(points, self.scene.faint(group)) for points in paths]
        return found

    def _outline_kernel(self, image: np.ndarray, x0: int, y0: int, x1: int, y1: int, hue: int) -> Rect:
        """Outline the kernel in use, just outside its grid."""
        w = self.layout.metrics.stroke
        self.scene.painter.outline(image, y0 - w, y1 + w, x0 - w, x1 + w, hue, w)
        return y0 - w, y1 + w + 1, x0 - w, x1 + w + 1


def _bounds(rects: list[Rect]) -> Rect:
    """The smallest rectangle holding all of ``rects``."""
    y0s, y1s, x0s, x1s = zip(*rects)
    return min(y0s), max(y1s), min(x0s), max(x1s)


def _within(rects: list[Rect], shape: tuple[int, ...]) -> list[Rect]:
    """``rects`` cut to a picture of ``shape`` (as ints), the empty ones and repeats left out."""
    height, width = shape
    out = {}
    for y0, y1, x0, x1 in rects:
        y0, y1, x0, x1 = max(int(y0), 0), min(int(y1), height), max(int(x0), 0), min(int(x1), width)
        if y0 < y1 and x0 < x1:
            out[y0, y1, x0, x1] = None
    return list(out)


def _fit_lines(entries: Sequence[Any], width: int, lines: int) -> list[str]:
    """As many whole entries as fit ``lines`` lines of ``width`` characters, three spaces
    apart; an entry longer than a line is broken at its spaces. A first entry too long even for
    all the lines keeps its start and its end (the value it comes to), its middle left out.
    Entries left out are counted at the end ("… 2 more"), never dropped unsaid: a first entry
    that leaves no room for the count loses its middle, never its value or the count."""
    entries = [_long_or_text(entry, width, lines) for entry in entries]
    out, used = _packed(entries, width, lines)
    left = len(entries) - used
    if not left:
        return out
    more = say(f"{ELLIPSIS} {left} more")
    while True:
        if cells(out[-1]) + 3 + cells(more) <= width:
            return [*out[:-1], f"{out[-1]}   {more}"]
        if len(out) < lines:
            return [*out, more]
        if used == 1:  # only the first entry: whole if broken another way leaves room for the count
            tied = "\u00a0" * 2 + more.replace(" ", "\u00a0")  # the count unbroken, three spaces after the entry
            whole = [] if isinstance(entries[0], LongSum) else wrap(f"{entries[0]} {tied}", width)  # a long one: no
            if whole and len(whole) <= lines and max(map(cells, whole)) <= width:
                return [line.replace("\u00a0", " ").strip() for line in whole]
            if lines > 1:  # else its middle left out for the count, its value kept
                return [*_elided(entries[0], width, lines - 1), more]
            return [f"{_elided(entries[0], width - cells(more) - 3, 1)[0]}   {more}"]
        used -= 1
        out, _ = _packed(entries[:used], width, lines)
        more = say(f"{ELLIPSIS} {len(entries) - used} more")


def _packed(entries: Sequence[Any], width: int, lines: int) -> tuple[list[str], int]:
    """The lines :func:`_fit_lines` draws before counting what it leaves out, and how many
    entries they hold (the first one, at least in part)."""
    out: list[str] = []
    used = 0
    for entry in entries:
        if isinstance(entry, LongSum):  # far longer than the lines: laid out as its text would be
            if not out:
                return _elided(entry, width, lines), 1
            break
        pieces = [entry]
        if cells(entry) > width:  # at its equals signs if that takes no more lines, else at spaces
            pieces, spaced = wrap(entry, width, " = "), wrap(entry, width)
            if max(map(cells, pieces)) > width or len(pieces) > len(spaced):
                pieces = spaced
        if out and len(pieces) == 1 and cells(out[-1]) + 3 + cells(entry) <= width:
            out[-1] = f"{out[-1]}   {entry}"
        elif len(out) + len(pieces) <= lines and max(map(cells, pieces)) <= width:
            out += pieces
        else:
            if not out:
                return _elided(entry, width, lines), 1
            break
        used += 1
    return out, used


def _long_or_text(entry: Any, width: int, lines: int) -> Any:
    """``entry`` as :func:`_fit_lines` takes it: a :class:`LongSum` far longer than ``lines``
    lines of ``width`` characters as it is (only the words shown are written), any other as
    its text."""
    if isinstance(entry, LongSum):
        return entry if entry.long(width, lines) else entry.text()
    return entry


def _elided(entry: Any, width: int, lines: int) -> list[str]:
    """``entry`` in ``lines`` lines of ``width`` characters: its first words filling the lines
    but the last, then "…" and as many of its last words as fit that line (of a
    :class:`LongSum`, only those words written)."""
    if isinstance(entry, LongSum):
        shown = elided(entry, width, lines)
        if shown is not None:
            return shown
        entry = entry.text()
    words = entry.split(" ")
    tail: list[str] = []
    if lines > 1:
        room = width - cells(ELLIPSIS) - 1
    else:  # half the line, or more where what it comes to needs it (a few characters left to its start)
        room = width - cells(ELLIPSIS) - 2
        room = max(room // 2, min(cells(entry.rsplit(" = ", 1)[-1]), room - 4))
    while words and cells(" ".join([words[-1], *tail])) <= room:
        tail.insert(0, words.pop())
    head = wrap(" ".join(words), width)[: lines - 1] if lines > 1 else [_start(words, width - room - 3)]
    if lines > 1:
        return [*(line[:width] for line in head), " ".join([ELLIPSIS, *tail])]
    return [" ".join([head[0], ELLIPSIS, *tail])]


def _start(words: list[str], width: int) -> str:
    """The first of ``words``, as many as fit ``width`` characters (the first cut if need be)."""
    line = words[0][:width] if words else ""
    for word in words[1:]:
        if cells(f"{line} {word}") > width:
            break
        line = f"{line} {word}"
    return line


class Chain:
    """Several animations played one after the other in one GIF: one palette for all of them,
    and every frame on a canvas as large as the largest, the rest background.

    ``changed`` is as for :class:`Animation` (None for each part's first frame); ``luts`` map
    each animation's palette indices to the chain's.
    """

    def __init__(self, animations: Sequence[Animation]) -> None:
        self.animations = list(animations)
        self.palette = Palette()
        self.luts = []
        for animation in self.animations:
            lut = np.zeros(256, np.uint8)
            for i, colour in enumerate(animation.palette.colors):
                lut[i] = self.palette.add(colour)
            self.luts.append(lut)
        if len(self.palette.colors) > 255:
            raise RuntimeError(f"{len(self.palette.colors)} colours do not fit a GIF palette")
        self.width = max(a.layout.width for a in self.animations)
        self.height = max(a.layout.height for a in self.animations)
        first = self.animations[0]
        self._background = self.palette.add(first.palette.colors[first.scene.colours.background])
        self.changed: list[Rect] | None = None

    def frames(self, steps: Sequence[Sequence[int]]) -> Iterator[np.ndarray]:
        """The frames of each animation's ``steps`` in turn (each valid until the next is requested)."""
        canvas = np.full((self.height, self.width), self._background, np.uint8)
        for animation, lut, part in zip(self.animations, self.luts, steps):
            canvas[...] = self._background
            h, w = animation.layout.height, animation.layout.width
            for frame in animation.frames(part):
                self.changed = animation.changed
                if self.changed is None:
                    canvas[:h, :w] = lut[frame]
                for y0, y1, x0, x1 in self.changed or ():
                    canvas[y0:y1, x0:x1] = lut[frame[y0:y1, x0:x1]]
                yield canvas
