"""Make ``convgif/picture/glyph_masks.bin``: DejaVu Sans Mono masks as matplotlib rasterises them.

For every character of ``CHARS`` (those DejaVu Sans Mono has, narrow ones only) and every text
style convgif draws with (``CAPTION``, ``LABEL``, ``CELL`` at scales 1 to ``MAX_SCALE``), the
mask :func:`convgif.picture.glyphs._matplotlib_glyph` draws, the function convgif falls back on for any
other character or size. The file is a magic line, the length of a JSON header (little-endian
uint32), the header, then one zlib blob per style: its masks as uint8, count × height × width.
The header records what made the masks (font file SHA-256, matplotlib and FreeType versions,
``glyphs.RASTERISER``) so that tests can tell whether this machine would draw the same.

Run from the project root, after changing the set or the rasteriser:

    python tools/make_glyph_masks.py [--check]

``--check`` writes nothing and exits with status 1 when the file's masks differ from what this
machine's matplotlib draws.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import struct
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from convgif import picture  # noqa: E402
from convgif.picture import glyphs, sizes  # noqa: E402

#: Printable ASCII (the space too); Latin-1; Greek; the punctuation, arrows, shapes, super/subscripts and maths
#: symbols convgif writes or may (the non-ASCII characters of its strings are all here: a test checks).
CHARS = "".join(
    [
        *map(chr, range(0x20, 0x7F)),
        *(chr(c) for c in range(0xA1, 0x100) if c != 0xAD),
        *(chr(c) for c in range(0x391, 0x3AA) if c != 0x3A2),
        *map(chr, range(0x3B1, 0x3CA)),
        "\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u2030\u2032\u2033",  # – — ‘ ’ “ ” • … ‰ ′ ″
        "\u2070\u2074\u2075\u2076\u2077\u2078\u2079\u207a\u207b",  # ⁰ ⁴ … ⁹ ⁺ ⁻ (¹ ² ³ are Latin-1)
        *map(chr, range(0x2080, 0x208C)),  # ₀ … ₉ ₊ ₋
        "\u1d40",  # ᵀ
        "\u2190\u2191\u2192\u2193\u2194",  # ← ↑ → ↓ ↔
        "\u2200\u2203\u2208\u2209\u2211\u2212\u2217\u2218\u221a\u221e\u2202\u2207",  # ∀ ∃ ∈ ∉ ∑ − ∗ ∘ √ ∞ ∂ ∇
        "\u2227\u2228\u2248\u2260\u2264\u2265\u2295\u2297\u2299\u22c5",  # ∧ ∨ ≈ ≠ ≤ ≥ ⊕ ⊗ ⊙ ⋅
        "\u2308\u2309\u230a\u230b",  # ⌈ ⌉ ⌊ ⌋
        "\u25a0\u25a1\u25b2\u25b3\u25b6\u25b7\u25bc\u25bd\u25c0\u25c1\u25cf\u25cb",  # ■ □ ▲ △ ▶ ▷ ▼ ▽ ◀ ◁ ● ○
    ]
)


def styles() -> list[sizes.TextStyle]:
    found = []
    for base in (sizes.CAPTION, sizes.LABEL, sizes.CELL):
        for n in range(1, picture.MAX_SCALE + 1):
            style = base.scaled(n)
            if style not in found:
                found.append(style)
    return found


def declared() -> str:
    """``CHARS`` less any the font lacks or that are wide (those come from a CJK font)."""
    path = glyphs.dejavu_path()
    chars = [c for c in dict.fromkeys(CHARS) if glyphs._covers(path, 0, c) and not glyphs.is_wide(c)]
    return "".join(chars)


def build() -> tuple[dict, list[np.ndarray]]:
    """The header (without the blobs' places) and each style's masks."""
    import matplotlib
    from matplotlib import ft2font

    chars = declared()
    font = Path(glyphs.dejavu_path())
    arrays = [np.stack([glyphs._matplotlib_glyph(style, c) for c in chars]) for style in styles()]
    header = {
        "format": 1,
        "rasteriser": glyphs.RASTERISER,
        "levels": glyphs.LEVELS,
        "bleed": glyphs.BLEED,
        "font": font.name,
        "font_sha256": hashlib.sha256(font.read_bytes()).hexdigest(),
        "matplotlib": matplotlib.__version__,
        "freetype": ft2font.__freetype_version__,
        "chars": chars,
        "styles": [{k: getattr(style, k) for k in ("size", "advance", "height", "ascent")} for style in styles()],
    }
    return header, arrays


def encode(header: dict, arrays: list[np.ndarray]) -> bytes:
    blobs, offset = [zlib.compress(a.tobytes(), 9) for a in arrays], 0
    for entry, blob in zip(header["styles"], blobs):
        entry.update(offset=offset, length=len(blob))
        offset += len(blob)
    text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    return glyphs.MAGIC + struct.pack("<I", len(text)) + text + b"".join(blobs)


def differences(header: dict, arrays: list[np.ndarray]) -> list[str]:
    """How the shipped file differs from ``header`` and ``arrays`` (compared as masks, not bytes:
    another zlib may compress the same masks differently)."""
    glyphs.shipped.cache_clear()
    glyphs._shipped_style.cache_clear()
    shipped, _ = glyphs.shipped()
    if not shipped:
        return [f"{glyphs.MASKS_FILE.name} is missing or made by another rasteriser"]
    found = []
    if shipped["chars"] != header["chars"]:
        found.append(f"characters: {len(shipped['chars'])} shipped, {len(header['chars'])} declared")
    key = ("size", "advance", "height", "ascent")
    if [[e[k] for k in key] for e in shipped["styles"]] != [[e[k] for k in key] for e in header["styles"]]:
        found.append("styles differ")
    if not found:
        for style, masks in zip(styles(), arrays):
            table = glyphs._shipped_style(style)[1]
            for c in np.flatnonzero((table != masks).any(axis=(1, 2))):
                found.append(f"{header['chars'][c]!r} (U+{ord(header['chars'][c]):04X}) at size {style.size}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the file, write nothing")
    args = parser.parse_args(argv)
    header, arrays = build()
    if args.check:
        found = differences(header, arrays)
        print(f"{glyphs.MASKS_FILE.name}: " + ("up to date" if not found else "differs: " + "; ".join(found[:20])))
        return 1 if found else 0
    data = encode(header, arrays)
    glyphs.MASKS_FILE.write_bytes(data)
    print(
        f"wrote {glyphs.MASKS_FILE.relative_to(ROOT)}: {len(data):,} bytes, {len(header['chars'])} characters × "
        f"{len(arrays)} styles (FreeType {header['freetype']}, matplotlib {header['matplotlib']})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
