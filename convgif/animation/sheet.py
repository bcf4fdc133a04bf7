"""A contact sheet: the frames a render would draw as the tiles of one PNG, for pages and slides
where animations do not play, under the caption and notes written once.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any, Optional

from .job import Job, offset

if TYPE_CHECKING:
    import numpy as np

    from .result import RenderResult


SHEET_WIDTH = 2400


#: A contact sheet stops short of this height: when its tiles would not fit, it shows a smaller
#: part of the layer, every step of it, rather than shrinking the tiles or skipping steps.
SHEET_HEIGHT = 7200


def write_sheet(job: Job, target: Any, columns: Optional[int], started: Optional[float] = None) -> RenderResult:
    """Write the contact sheet of ``job`` (a job of headless frames) to ``target``: the caption
    and notes once, then one tile per step drawn, ``columns`` across (default: about square, as
    many as fit ``SHEET_WIDTH`` pixels at full size), shrunk only when ``columns`` asks for more
    than fit; a smaller part of the layer, every step of it, when the sheet would be taller than
    ``SHEET_HEIGHT``."""
    import numpy as np
    from PIL import Image

    from ..files.png import write_image

    started = time.perf_counter() if started is None else started
    for _ in range(3):  # a smaller part, as long as the tiles do not fit the sheet
        tile_w, tile_h = job.size
        total = job.total
        across = columns or max(1, min(math.ceil(math.sqrt(total)), SHEET_WIDTH // tile_w))
        shrink = min(1.0, SHEET_WIDTH / (across * tile_w)) if columns else 1.0
        tile = (max(1, round(tile_w * shrink)), max(1, round(tile_h * shrink)))
        top = header(job, across * tile[0])
        rows_fit = max(1, (SHEET_HEIGHT - top.shape[0]) // tile[1])
        if math.ceil(total / across) <= rows_fit:
            break
        job = job.within(across * rows_fit)
    steps = job.steps
    rows = math.ceil(total / across)
    sheet = np.full((top.shape[0] + rows * tile[1], across * tile[0]), job.background, np.uint8)
    sheet[: top.shape[0]] = top
    lut = np.array(job.palette.colors, np.uint8)
    frames = []
    for i, frame in enumerate(job.frames(steps)):
        y, x = top.shape[0] + (i // across) * tile[1], (i % across) * tile[0]
        if shrink < 1:
            frames.append((Image.fromarray(lut[frame]).resize(tile, Image.Resampling.LANCZOS), (x, y)))
        else:
            sheet[y : y + tile[1], x : x + tile[0]] = frame
            separate(job, sheet, y, x, tile)
    picture = Image.fromarray(lut[sheet])
    for tile_image, at in frames:
        picture.paste(tile_image, at)
    start = offset(target)
    written = write_image(target, picture)
    return job.result(target, total, started, "png", written, start, picture.size)


def header(job: Job, width: int) -> np.ndarray:
    """The caption, notes and colour keys of every part of ``job`` once (as palette indices),
    ``width`` pixels wide: the top of a contact sheet, whose tiles have none of them."""
    from ..language import speaking

    with speaking(job.look.lang):
        return _header(job, width)


def _header(job: Job, width: int) -> np.ndarray:
    import numpy as np

    from ..language import say
    from ..picture.layout import place_keys
    from ..picture.paint import Painter
    from ..picture.sizes import CAPTION_BREAK, Metrics, shown_note, wrap

    m = Metrics.of(job.look.scale)
    players = job.players
    ink = players.palette.ink_table(players.ink, [players.background])
    painter = Painter(job.layouts[0], players.grid, players.background, ink)
    blocks = []
    for i, (layout, part) in enumerate(zip(job.layouts, players.parts)):
        geometry = layout.geometry
        lines: list[tuple[str, Any]] = [("", m.label)] if i else []  # a blank line between the parts
        chars = max(1, (width - 2 * m.margin) // m.caption.advance)
        lines += [(line, m.caption) for line in wrap(geometry.caption, chars, CAPTION_BREAK)]
        chars = max(1, (width - 2 * m.margin) // m.label.advance)
        shown = shown_note(geometry)
        for note in (say(f"showing {shown}") if shown else "", *geometry.notes, *job.look.notes):
            lines += [(line, m.label) for line in wrap(note, chars) if note and (line, m.label) not in lines]
        text_h = (m.margin if not i else 0) + sum(style.height + 2 * m.n for _, style in lines)
        image = np.full((text_h, width), players.background, np.uint8)
        y = m.margin if not i else 0
        for text, style in lines:
            painter.text(image, text, style, m.margin, y)
            y += style.height + 2 * m.n
        blocks.append(image)
        keys = part.scene.scales.keys
        if keys:  # drawn by the part's own scene, in its colours
            placed, height = place_keys(m, keys, width, -6 * m.n)
            scene = part.scene
            drawn = np.full((height, width), scene.colours.background, np.uint8)
            for key, x, y in placed:
                scene.draw_key(drawn, key, x, y, width - m.margin - x)
            blocks.append(players.lut(i)[drawn])
    return np.concatenate(blocks)


def separate(job: Job, sheet: np.ndarray, y: int, x: int, tile: tuple[int, int]) -> None:
    """A thin line in the grid's colour along the top and left of a tile (inside its margin)."""
    grid = job.players.grid
    sheet[y, x : x + tile[0]] = grid
    sheet[y : y + tile[1], x] = grid
