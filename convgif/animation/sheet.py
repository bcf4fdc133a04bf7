"""A contact sheet: the frames a render would draw as the tiles of one PNG, for pages and slides
where animations do not play, under the caption and notes written once.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple, Optional

from .job import Job, offset

if TYPE_CHECKING:
    import numpy as np

    from .result import RenderResult


#: A contact sheet is a printable overview: at most an A3 page at 150 dots an inch (at scale 1;
#: as many times larger as ``scale``), where a tile's text prints at about 6 pt. Its tiles show
#: the part of the layer the animation draws, its channels and steps; when they do not all fit,
#: a sample of its frames, each named (:func:`sample`).
SHEET_WIDTH = 1754
SHEET_HEIGHT = 2480
#: How far a sheet too short for every frame may scale its tiles down to hold more of them: a
#: label of 10 pixels stays 8, still read on a screen and on paper (a wide picture, --width 650,
#: then shows 9 of its 98 frames rather than 4).
LEAST_TILE_SCALE = 0.8


class _Tiles(NamedTuple):
    """How a sheet of ``job`` lays its tiles: ``across`` a row, each ``tile`` (width, height)
    pixels under a ``strip`` naming its frame (0: none), as many rows as ``rows_fit`` under ``top``."""

    across: int
    tile: tuple[int, int]
    shrink: float
    strip: int
    top: np.ndarray
    rows_fit: int

    @property
    def capacity(self) -> int:
        return self.across * self.rows_fit


def _tiles(job: Job, columns: Optional[int], strip: int = 0, note: str = "", more: int = 0) -> _Tiles:
    """The tiles ``columns`` across (default: about square, as many as fit at full size, and
    ``more``, scaled down to fit the page's width)."""
    tile_w, tile_h = job.size
    width, height = SHEET_WIDTH * job.look.scale, SHEET_HEIGHT * job.look.scale
    across = columns or max(1, min(math.ceil(math.sqrt(job.total)), width // tile_w)) + more
    shrink = min(1.0, width / (across * tile_w)) if columns or more else 1.0
    tile = (max(1, math.floor(tile_w * shrink)), max(1, math.floor(tile_h * shrink)))
    top = header(job, across * tile[0], note)
    rows_fit = max(1, (height - top.shape[0]) // (tile[1] + strip))
    return _Tiles(across, tile, shrink, strip, top, rows_fit)


def write_sheet(job: Job, target: Any, columns: Optional[int], started: Optional[float] = None) -> RenderResult:
    """Write the contact sheet of ``job`` (a job of headless frames, of the part its animation
    draws) to ``target``: the caption and notes once, then one tile per step drawn, ``columns``
    across (default: about square, as many as fit ``SHEET_WIDTH`` pixels at full size), shrunk
    when ``columns`` asks for more than fit. When the sheet would be taller than
    ``SHEET_HEIGHT``: more tiles across, scaled down as far as :data:`LEAST_TILE_SCALE`
    (:func:`_roomiest`), and if every frame still does not fit, a sample of its frames, each
    tile named by its frame's number and the sample said under the caption."""
    import numpy as np
    from PIL import Image

    from ..files.png import write_image

    started = time.perf_counter() if started is None else started
    lay = _tiles(job, columns)
    if job.total > lay.capacity and not columns:  # every frame, if scaled down a little
        lay = _roomiest(job, None, 0)
    steps, numbers = job.steps, None
    if job.total > lay.capacity:
        steps, numbers, lay = _sampled(job, columns)
    drawn = sum(len(part) for part in steps)
    across, tile, strip, top = lay.across, lay.tile, lay.strip, lay.top
    rows = math.ceil(drawn / across)
    sheet = np.full((top.shape[0] + rows * (tile[1] + strip), across * tile[0]), job.background, np.uint8)
    sheet[: top.shape[0]] = top
    lut = np.array(job.palette.colors, np.uint8)
    frames = []
    painter = _painter(job) if numbers else None
    for i, frame in enumerate(job.frames(steps)):
        y, x = top.shape[0] + (i // across) * (tile[1] + strip), (i % across) * tile[0]
        if painter is not None:
            _name_tile(job, painter, sheet, numbers[i], y, x)
        if lay.shrink < 1:
            frames.append((Image.fromarray(lut[frame]).resize(tile, Image.Resampling.LANCZOS), (x, y + strip)))
        else:
            sheet[y + strip : y + strip + tile[1], x : x + tile[0]] = frame
            separate(job, sheet, y, x, (tile[0], tile[1] + strip))
    picture = Image.fromarray(lut[sheet])
    for tile_image, at in frames:
        picture.paste(tile_image, at)
    start = offset(target)
    written = write_image(target, picture)
    return replace(job.result(target, drawn, started, "png", written, start, picture.size), sheet_of=job.total)


def sample(shown: list[int], room: int) -> list[list[int]]:
    """The steps of each part a sheet with ``room`` tiles shows of parts showing ``shown``
    steps: every part, its first and last step among them where the room allows (else its last,
    where its whole output is written), the rest of the room shared by the parts' steps and
    spread evenly over each. A part always gets a tile, so more parts than ``room`` take more."""
    firsts = [min(n, 2) for n in shown]
    base = firsts if sum(firsts) <= room else [min(n, 1) for n in shown]
    spare, extra = max(0, room - sum(base)), [n - b for n, b in zip(shown, base)]
    share = [spare * e // max(1, sum(extra)) for e in extra]
    left = spare - sum(share)  # handed out by the largest remainders, then in order
    order = sorted(range(len(shown)), key=lambda p: (-(spare * extra[p] % max(1, sum(extra))), p))
    for p in order:
        if left and share[p] < extra[p]:
            share[p], left = share[p] + 1, left - 1
    steps = []
    for n, count in zip(shown, (b + s for b, s in zip(base, share))):
        if count == 1:
            steps.append([n - 1])
        else:
            steps.append(sorted({round(i * (n - 1) / (count - 1)) for i in range(count)}) if count else [])
    return steps


def _roomiest(job: Job, columns: Optional[int], strip: int, note: str = "") -> _Tiles:
    """The tiles of a sheet too short for every frame of ``job`` that hold the most: at full
    size, or more across scaled down (no further than :data:`LEAST_TILE_SCALE`), the fewer
    scaled down the better, and no more scaled down than every frame needs. ``columns`` given
    is kept."""
    best = _tiles(job, columns, strip, note)
    if columns:
        return best
    for more in range(1, job.total):
        lay = _tiles(job, None, strip, note, more)
        if lay.shrink < LEAST_TILE_SCALE or best.capacity >= job.total:
            break
        if lay.capacity > best.capacity:
            best = lay
    return best


def _sampled(job: Job, columns: Optional[int]) -> tuple[list[list[int]], list[int], _Tiles]:
    """The steps a sheet too short for every frame of ``job`` shows, their frame numbers
    (counted from 1, as the animation plays them) and the tiles laid out under the header
    that says so (its note's lines taken from the room)."""
    from ..language import say

    strip = _strip(job)
    lay = _roomiest(job, columns, strip)
    for _ in range(3):  # the note's lines may take a row: sample again for the room left
        steps = sample(job.shown, lay.capacity)
        numbers, before = [], 0
        for shown, part in zip(job.shown, steps):
            numbers += [before + k + 1 for k in part]
            before += shown
        listed = ", ".join(map(str, numbers))
        note = say(
            f"{len(numbers)} of the {job.total} frames, evenly spread, each picture's first and last among them "
            f"(the animation plays every one): frames {listed}",
            job.look.lang,
        )
        lay = _roomiest(job, columns, strip, note)
        if len(numbers) <= max(lay.capacity, len(job.shown)):
            break
    return steps, numbers, lay


def _strip(job: Job) -> int:
    """The height of the line over a sampled tile naming its frame."""
    from ..picture.sizes import Metrics

    m = Metrics.of(job.look.scale)
    return m.label.height + 4 * m.n


def _painter(job: Job) -> Any:
    from ..picture.paint import Painter

    players = job.players
    ink = players.palette.ink_table(players.ink, [players.background])
    return Painter(job.layouts[0], players.grid, players.background, ink)


def _name_tile(job: Job, painter: Any, sheet: np.ndarray, number: int, y: int, x: int) -> None:
    """Write ``frame 37 of 142`` over the tile at (y, x)."""
    from ..language import say, speaking
    from ..picture.sizes import Metrics

    m = Metrics.of(job.look.scale)
    with speaking(job.look.lang):
        painter.text(sheet, say(f"frame {number} of {job.total}"), m.label, x + m.margin, y + 2 * m.n)


def header(job: Job, width: int, note: str = "") -> np.ndarray:
    """The caption, notes and colour keys of every part of ``job`` once (as palette indices),
    ``width`` pixels wide: the top of a contact sheet, whose tiles have none of them; ``note``
    (what the sheet shows, when not every frame) after the first part's notes."""
    from ..language import speaking

    with speaking(job.look.lang):
        return _header(job, width, note)


def _header(job: Job, width: int, note: str = "") -> np.ndarray:
    import numpy as np

    from ..picture.layout import place_keys
    from ..picture.sizes import Metrics, wrap

    m = Metrics.of(job.look.scale)
    players = job.players
    painter = _painter(job)
    label_chars = max(1, (width - 2 * m.margin) // m.label.advance)
    blocks = [_lines(job, painter, _said(job, width), width, m.margin)]
    keys = _keys_once(job)
    if keys:  # each drawn by its part's own scene, in its colours
        placed, height = place_keys(m, [key for key, _ in keys], width, -6 * m.n)
        drawn = np.full((height, width), job.background, np.uint8)
        for (key, i), (_, x, y) in zip(keys, placed):
            scene = players.parts[i].scene
            own = np.full((height, width), scene.colours.background, np.uint8)
            scene.draw_key(own, key, x, y, width - m.margin - x)
            drawn = np.where(own != scene.colours.background, players.lut(i)[own], drawn)
        blocks.append(drawn)
    if note:  # what the tiles are, under everything they share
        lines = [(line, m.label) for line in wrap(note, label_chars)] + [("", m.label)]
        blocks.append(_lines(job, painter, lines, width, 0))
    return np.concatenate(blocks)


def _said(job: Job, width: int) -> list[tuple[str, Any]]:
    """The lines (text, style) over a sheet ``width`` pixels wide: every part's caption and
    notes, each line once (a 3-D layer's depth pictures share their caption and most notes;
    each adds its own depth note), a blank line before another part's caption."""
    from ..language import say
    from ..picture.sizes import CAPTION_BREAK, Metrics, shown_note, wrap

    m = Metrics.of(job.look.scale)
    label_chars = max(1, (width - 2 * m.margin) // m.label.advance)
    chars = max(1, (width - 2 * m.margin) // m.caption.advance)
    lines: list[tuple[str, Any]] = []
    for i, geometry in enumerate(layout.geometry for layout in job.layouts):
        said = [(line, m.caption) for line in wrap(geometry.caption, chars, CAPTION_BREAK)]
        shown = shown_note(geometry)
        for text in (say(f"showing {shown}") if shown else "", *geometry.notes, *job.look.notes):
            said += [(line, m.label) for line in wrap(text, label_chars) if text]
        said = [line for line in said if line not in lines]
        if said and i and any(style is m.caption for _, style in said):
            said.insert(0, ("", m.label))
        lines += said
    return lines


def _keys_once(job: Job) -> list[tuple[Any, int]]:
    """The colour keys of every part, each once, with the part that draws it: a key that says
    no more than another of the same name (depth pictures sharing one scale key x and y alike)
    is left out; one that says something else stays (a slice of padding keys x by its swatch)."""
    found: list[tuple[Any, int]] = []
    for i, part in enumerate(job.players.parts):
        found += [(key, i) for key in part.scene.scales.keys]

    def says_more(key: Any, other: Any) -> bool:  # ``other`` says all ``key`` says, and more or earlier
        return (other.name, other.role) == (key.name, key.role) and set(key.items) <= set(other.items)

    kept = []
    for j, (key, i) in enumerate(found):
        others = [other for k, (other, _) in enumerate(found) if k != j]
        earlier = [other for other, _ in found[:j]]
        if any(says_more(key, o) and (set(o.items) != set(key.items) or o in earlier) for o in others):
            continue
        kept.append((key, i))
    first = {}
    for key, _ in found:
        first.setdefault((key.name, key.role), len(first))
    return sorted(kept, key=lambda kept_key: first[kept_key[0].name, kept_key[0].role])  # the keys of x together


def _lines(job: Job, painter: Any, lines: list[tuple[str, Any]], width: int, top: int) -> np.ndarray:
    """``lines`` (text, style) written one under the other, ``top`` pixels down, as palette indices."""
    import numpy as np

    from ..picture.sizes import Metrics

    n = Metrics.of(job.look.scale).n
    image = np.full((top + sum(style.height + 2 * n for _, style in lines), width), job.background, np.uint8)
    y = top
    for text, style in lines:
        painter.text(image, text, style, Metrics.of(job.look.scale).margin, y)
        y += style.height + 2 * n
    return image


def separate(job: Job, sheet: np.ndarray, y: int, x: int, tile: tuple[int, int]) -> None:
    """A thin line in the grid's colour along the top and left of a tile (inside its margin)."""
    grid = job.players.grid
    sheet[y, x : x + tile[0]] = grid
    sheet[y : y + tile[1], x] = grid
