"""How many cells a text takes in convgif's monospaced frames: two for a wide (CJK) character,
one for any other. Shared by the glyphs that draw text and the layout that measures it."""

from __future__ import annotations

import unicodedata


def is_wide(char: str) -> bool:
    """Whether ``char`` takes two cells: East Asian Width W (wide) or F (fullwidth)."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def cells(text: str) -> int:
    """How many cells ``text`` takes: two for each wide character, one for any other."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for c in text if c > "\x7f" and is_wide(c))
