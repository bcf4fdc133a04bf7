"""Text as small masks, rasterised once per character by matplotlib's Agg font engine.

Every text in a frame is monospaced DejaVu Sans Mono (it ships with matplotlib), so a string
is its glyphs side by side at a fixed advance: strings that change every frame cost a few
array copies instead of a font layout. Masks hold coverage in ``LEVELS`` steps (0 = none,
``LEVELS - 1`` = full ink), few enough that text blends stay inside a small GIF palette.
"""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np
from matplotlib import font_manager, ft2font

from .layout import TextStyle

LEVELS = 4


@lru_cache(maxsize=None)
def _font(size: int) -> ft2font.FT2Font:
    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans Mono"))
    font = ft2font.FT2Font(path)  # a private instance: set_size/set_text mutate it
    font.set_size(size, 72)
    return font


# An open font reads its file through a descriptor whose offset a forked child would share with
# its parent: a child opens its own. (The glyph masks already drawn are plain arrays, kept.)
os.register_at_fork(after_in_child=_font.cache_clear)


#: Glyph masks reach this many pixels past their advance on each side (overhanging ink).
BLEED = 1


@lru_cache(maxsize=None)
def glyph(style: TextStyle, char: str) -> np.ndarray:
    """Coverage mask (height × advance + 2·BLEED, values 0..LEVELS-1) of one character.

    Column ``BLEED`` is the pen position; ink may overhang the advance by ``BLEED`` pixels.
    """
    box = np.zeros((style.height, style.advance + 2 * BLEED), np.uint8)
    if char == " ":
        return box
    font = _font(style.size)
    font.set_text(char, 0, flags=ft2font.LoadFlags.FORCE_AUTOHINT)
    font.draw_glyphs_to_bitmap(antialiased=True)
    image = np.asarray(font.get_image())
    descent = round(font.get_descent() / 64)
    left = BLEED + round(font.get_bitmap_offset()[0] / 64)
    top = style.ascent + descent - image.shape[0]
    levels = ((image.astype(np.uint16) * (LEVELS - 1) + 127) // 255).astype(np.uint8)
    _paste_max(box, levels, top, left)
    return box


def _paste_max(box: np.ndarray, mask: np.ndarray, top: int, left: int) -> None:
    h, w = mask.shape
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + h, box.shape[0]), min(left + w, box.shape[1])
    if y0 < y1 and x0 < x1:
        region = box[y0:y1, x0:x1]
        np.maximum(region, mask[y0 - top : y1 - top, x0 - left : x1 - left], out=region)


@lru_cache(maxsize=512)  # labels and cell values repeat; step lines never do
def text_mask(style: TextStyle, text: str) -> np.ndarray:
    """Coverage mask of a string, ``style.width(text) + 2·BLEED`` wide; the pen starts at ``BLEED``.

    Each glyph's first ``advance`` columns are laid side by side, then its overhang is merged
    (by maximum) into the next glyph's first columns: a few array operations per string rather
    than a few per character, as a step line changes every frame."""
    advance, count = style.advance, len(text)
    mask = np.zeros((style.height, (count + 1) * advance), np.uint8)  # room for the last overhang
    if count:
        table = _glyphs(style)
        for char in set(text) - table.keys():
            table[char] = glyph(style, char)
        boxes = np.stack([table[char] for char in text])  # (count, height, advance + 2·BLEED)
        mask[:, : count * advance] = boxes[:, :, :advance].transpose(1, 0, 2).reshape(style.height, -1)
        for k in range(2 * BLEED):  # overhangs never reach past the next glyph's first columns
            spill = mask[:, advance + k :: advance][:, :count]
            np.maximum(spill, boxes[:, :, advance + k].T, out=spill)
    mask = mask[:, : count * advance + 2 * BLEED]
    mask.flags.writeable = False
    return mask


@lru_cache(maxsize=None)
def _glyphs(style: TextStyle) -> dict[str, np.ndarray]:
    """The glyph masks of ``style`` drawn so far, by character (looked up without hashing the style)."""
    return {}
