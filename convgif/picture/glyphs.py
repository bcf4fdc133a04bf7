"""Text as small masks: DejaVu Sans Mono shipped as masks, wide (CJK) characters from a CJK font.

Every text in a frame is monospaced, so a string is its glyphs side by side at a fixed advance:
strings that change every frame cost a few array copies instead of a font layout. Masks hold
coverage in ``LEVELS`` steps (0 = none, ``LEVELS - 1`` = full ink), few enough that text blends
stay inside a small GIF palette.

Where the masks come from:

* DejaVu Sans Mono (the copy matplotlib ships), rasterised by matplotlib's FreeType wrapper
  (``FT2Font``, forced autohinting, hinting factor 8, 72 dpi, antialiased). Those masks are
  shipped in ``glyph_masks.bin`` beside this module for every character of a declared set at
  every text size convgif uses; the file is made by ``tools/make_glyph_masks.py`` with the very
  function that draws them here (:func:`_matplotlib_glyph`), so drawing text imports no
  matplotlib and gives the same pixels on every machine, whatever FreeType is installed. Any
  other character or size is rasterised by matplotlib when first asked for (imported then).
* Wide characters (East Asian Width W or F: CJK ideographs, kana, fullwidth punctuation) take
  two cells and come from a CJK font (:func:`cjk_font`), rasterised by Pillow's FreeType at a
  size that fits the line, quantised like the others and centred in their two cells.
"""

from __future__ import annotations

import bisect
import json
import os
import struct
import sys
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from .cells import cells as cells
from .cells import is_wide as is_wide

if TYPE_CHECKING:  # only named in annotations: convgif.picture.sizes may import this module (cells)
    from .sizes import TextStyle

LEVELS = 4

#: Glyph masks reach this many pixels past their advance on each side (overhanging ink).
BLEED = 1

#: The shipped masks: a JSON header (after a magic line and its length) then zlib blobs.
MASKS_FILE = Path(__file__).with_name("glyph_masks.bin")
MAGIC = b"convgif glyph masks\n"
#: How :func:`_matplotlib_glyph` draws; the masks file records the one it was made with, and one
#: made by another is not used (bump this when that function changes, then remake the file).
RASTERISER = 1


# --- DejaVu Sans Mono ------------------------------------------------------------------------


def dejavu_path() -> str:
    """The DejaVu Sans Mono file matplotlib ships, found without importing matplotlib."""
    spec = find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("matplotlib is not installed: DejaVu Sans Mono comes with it")
    return os.path.join(list(spec.submodule_search_locations)[0], "mpl-data", "fonts", "ttf", "DejaVuSansMono.ttf")


@lru_cache(maxsize=None)
def _font(size: int) -> Any:
    from matplotlib import ft2font

    font = ft2font.FT2Font(dejavu_path())  # a private instance: set_size/set_text mutate it
    font.set_size(size, 72)
    return font


def _matplotlib_glyph(style: TextStyle, char: str) -> np.ndarray:
    """One character of DejaVu Sans Mono as matplotlib rasterises it (what the shipped masks are)."""
    from matplotlib import ft2font

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


@lru_cache(maxsize=1)
def shipped() -> tuple[dict[str, Any], bytes]:
    """The masks file's header and its blobs (empty when the file is missing or not usable).

    The header names the characters (``chars``), the styles with where each one's blob is, and
    what made them: the font file's SHA-256, matplotlib's and FreeType's versions, ``RASTERISER``."""
    try:
        data = MASKS_FILE.read_bytes()
    except OSError:
        return {}, b""
    if not data.startswith(MAGIC):
        return {}, b""
    start = len(MAGIC) + 4
    (length,) = struct.unpack("<I", data[len(MAGIC) : start])
    header = json.loads(data[start : start + length])
    if header.get("rasteriser") != RASTERISER or header.get("levels") != LEVELS or header.get("bleed") != BLEED:
        return {}, b""
    return header, data[start + length :]


@lru_cache(maxsize=None)
def _shipped_style(style: TextStyle) -> Optional[tuple[dict[str, int], np.ndarray]]:
    """The shipped masks of ``style``: each character's index, and the masks (count × height × width)."""
    header, blobs = shipped()
    for entry in header.get("styles", ()):
        if (entry["size"], entry["advance"], entry["height"], entry["ascent"]) == (
            style.size,
            style.advance,
            style.height,
            style.ascent,
        ):
            chars = header["chars"]
            raw = zlib.decompress(blobs[entry["offset"] : entry["offset"] + entry["length"]])
            masks = np.frombuffer(raw, np.uint8).reshape(len(chars), style.height, style.advance + 2 * BLEED)
            return {c: i for i, c in enumerate(chars)}, masks  # frombuffer of bytes: read-only
    return None


def _narrow_glyph(style: TextStyle, char: str) -> np.ndarray:
    return _atlas(style).one(char)


# --- wide characters -------------------------------------------------------------------------


@dataclass(frozen=True)
class FontFile:
    """A font face: its file, its index in a collection (.ttc/.otc), its family, where it was found."""

    path: str
    index: int
    family: str
    source: str


#: The glyph forms each language prefers, as the region suffix of a CJK family name
#: ("Noto Sans CJK SC", "Source Han Sans TC", "PingFang HK"), best first.
REGIONS = {
    "zh-hans": ("SC", "CN"),
    "zh-cn": ("SC", "CN"),
    "zh-sg": ("SC", "CN"),
    "zh": ("SC", "CN"),
    "zh-hant": ("TC", "TW", "HK"),
    "zh-tw": ("TC", "TW", "HK"),
    "zh-hk": ("HK", "TC", "TW"),
    "zh-mo": ("HK", "TC", "TW"),
    "ja": ("JP",),
    "ko": ("KR",),
}
#: fontconfig's language tag and family names for each preferred region.
_FONTCONFIG = {
    "SC": ("zh-cn", "Noto Sans CJK SC"),
    "TC": ("zh-tw", "Noto Sans CJK TC"),
    "HK": ("zh-hk", "Noto Sans CJK HK"),
    "JP": ("ja", "Noto Sans CJK JP"),
    "KR": ("ko", "Noto Sans CJK KR"),
}
#: Python packages that ship a freely licensed CJK font: (module, file in it).
PACKAGES = (
    ("noto_cjk_sans_otc", "NotoSansCJK-Regular.ttc"),  # PyPI noto-cjk-sans-otc (OFL-1.1), the "zh" extra
    ("noto_cjk_sans_sc_regular", "NotoSansCJKsc-Regular.otf"),  # the noto-cjk family's per-language layout
    ("noto_cjk_sans_tc_regular", "NotoSansCJKtc-Regular.otf"),
    ("manimgx_fonts_cjk", "NotoSansCJK-VF.otf.ttc"),  # PyPI manimgx-fonts-cjk (OFL-1.1)
)
#: Font files looked for in the usual folders when fontconfig finds none, best first, each with
#: the glyph forms it has when it has one kind only (a collection's face is chosen by its name).
FILE_NAMES = (
    ("NotoSansCJK-Regular.ttc", None),
    ("NotoSansCJKsc-Regular.otf", "SC"),
    ("NotoSansCJKtc-Regular.otf", "TC"),
    ("NotoSansCJKhk-Regular.otf", "HK"),
    ("NotoSansSC-Regular.otf", "SC"),
    ("NotoSansTC-Regular.otf", "TC"),
    ("NotoSansHK-Regular.otf", "HK"),
    ("SourceHanSans-Regular.ttc", None),
    ("SourceHanSansSC-Regular.otf", "SC"),
    ("SourceHanSansTC-Regular.otf", "TC"),
    ("SourceHanSansHC-Regular.otf", "HK"),
    ("PingFang.ttc", None),  # macOS
    ("Hiragino Sans GB.ttc", "SC"),
    ("STHeiti Light.ttc", "SC"),
    ("msyh.ttc", "SC"),  # Windows: Microsoft YaHei
    ("msjh.ttc", "TC"),  # Windows: Microsoft JhengHei
    ("wqy-microhei.ttc", "SC"),  # WenQuanYi: Simplified forms, Traditional characters too
    ("wqy-zenhei.ttc", "SC"),
)
#: A character every Chinese font has; a face without it is no CJK font.
_PROBE = "\u4e2d"  # 中
#: A character whose ink nearly fills the ideographic em box: wide glyphs are placed by it.
_REFERENCE = "\u56fd"  # 国


def _region_order(lang: Optional[str]) -> tuple[str, ...]:
    return REGIONS.get((lang or "zh-Hans").lower(), ("SC", "CN"))


def _font_folders() -> list[Path]:
    home = Path.home()
    folders = [home / ".local/share/fonts", home / ".fonts", Path("/usr/share/fonts"), Path("/usr/local/share/fonts")]
    if sys.platform == "darwin":
        folders += [home / "Library/Fonts", Path("/Library/Fonts"), Path("/System/Library/Fonts")]
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = os.environ.get("LOCALAPPDATA")
        folders += [windir / "Fonts"] + ([Path(local) / "Microsoft/Windows/Fonts"] if local else [])
    return folders


def _faces(path: str) -> list[str]:
    """The family name of each face of a font file (one, or several for a collection)."""
    from PIL import ImageFont

    names = []
    for index in range(64):
        try:
            names.append(ImageFont.truetype(path, 10, index=index).getname()[0] or "")
        except OSError:
            break
    return names


def _best_face(path: str, regions: tuple[str, ...], source: str) -> Optional[FontFile]:
    """The face of ``path`` with the preferred glyph forms (by its family's region suffix), not a
    monospaced one when another will do; None when the file is no font or has no CJK glyphs."""
    try:
        names = _faces(path)
    except Exception:  # a file Pillow cannot read as a font at all
        return None
    if not names:
        return None

    def rank(i: int) -> tuple[int, int, int]:
        words = names[i].replace("-", " ").split()
        region = next((k for k, r in enumerate(regions) if r in words), len(regions))
        return (region, "Mono" in words, i)

    for index in sorted(range(len(names)), key=rank):
        if _covers(path, index, _PROBE):
            return FontFile(path, index, names[index], source)
    return None


def _from_packages(regions: tuple[str, ...]) -> Optional[FontFile]:
    for module, name in PACKAGES:
        try:
            spec = find_spec(module)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.submodule_search_locations:
            continue
        for folder in spec.submodule_search_locations:
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                found = _best_face(path, regions, f"Python package {module}")
                if found is not None:
                    return found
    return None


def _from_fontconfig(regions: tuple[str, ...]) -> Optional[FontFile]:
    import shutil
    import subprocess

    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    for region in regions:
        if region not in _FONTCONFIG:
            continue
        tag, family = _FONTCONFIG[region]
        for pattern in (f"{family}:lang={tag}", f":lang={tag}"):
            try:
                done = subprocess.run(
                    [fc_match, "-f", "%{file}\t%{index}\t%{family[0]}", pattern],
                    capture_output=True,
                    text=True,
                    timeout=10,
                    check=False,
                )
            except (OSError, subprocess.SubprocessError):
                return None
            path, _, rest = done.stdout.partition("\t")
            index, _, name = rest.partition("\t")
            if done.returncode == 0 and path and os.path.isfile(path) and index.isdigit():
                if _covers(path, int(index), _PROBE):
                    return FontFile(path, int(index), name, f"fontconfig ({pattern})")
    return None


def _from_folders(regions: tuple[str, ...]) -> Optional[FontFile]:
    def rank(region: Optional[str]) -> int:  # a collection has every kind; a file of one kind as it fits
        return 0 if region is None else regions.index(region) if region in regions else len(regions)

    wanted = {name.lower(): (rank(region), order) for order, (name, region) in enumerate(FILE_NAMES)}
    found: list[tuple[tuple[int, int], str]] = []
    for folder in _font_folders():
        if not folder.is_dir():
            continue
        for root, _, files in os.walk(folder):
            found += [(wanted[f.lower()], os.path.join(root, f)) for f in files if f.lower() in wanted]
    for _, path in sorted(found):
        face = _best_face(path, regions, "font folder")
        if face is not None:
            return face
    return None


@lru_cache(maxsize=None)
def find_cjk_font(lang: Optional[str] = None) -> Optional[FontFile]:
    """The CJK font wide characters are drawn from for ``lang`` ("zh-Hans", "zh-Hant", …), or None.

    Looked for, in this order: ``CONVGIF_CJK_FONT`` (a font file, or ``path:index`` for one face
    of a collection, taken as it is; passed over when it is no font, or has no such face, or has
    no Chinese glyphs without an index given); a Python
    package that ships one (``pip install "convgif[zh]"`` brings noto-cjk-sans-otc); fontconfig
    (``fc-match``, the face index included); the usual font folders. In a collection, the face
    with the language's glyph forms is taken: SC (Simplified) for zh-Hans, TC then HK for zh-Hant."""
    regions = _region_order(lang)
    given = os.environ.get("CONVGIF_CJK_FONT")
    if given:
        path, _, index = given.rpartition(":") if given.rpartition(":")[2].isdigit() else (given, "", "")
        if os.path.isfile(path):
            names = _faces(path) if index else []
            if index and int(index) < len(names):
                return FontFile(path, int(index), names[int(index)], "CONVGIF_CJK_FONT")
            face = None if index else _best_face(path, regions, "CONVGIF_CJK_FONT")
            if face is not None:
                return face
    return _from_packages(regions) or _from_fontconfig(regions) or _from_folders(regions)


def cjk_font(lang: Optional[str] = None) -> FontFile:
    """:func:`find_cjk_font`, or a :class:`~convgif.errors.SpecError` for ``lang`` naming what to install."""
    found = find_cjk_font(lang)
    if found is not None:
        return found
    from ..errors import SpecError
    from ..extras import install_hint

    region = _region_order(lang)[0]
    family = _FONTCONFIG.get(region, _FONTCONFIG["SC"])[1]
    raise SpecError(
        "lang",
        f"no CJK font found to draw {lang or 'wide'} characters: install one with "
        f"{install_hint('zh')}, or a system font such as "
        f"{family} (Debian/Ubuntu: apt install fonts-noto-cjk; or fonts-wqy-microhei), "
        f"or name a font file in CONVGIF_CJK_FONT",
    )


@lru_cache(maxsize=None)
def _cmap(path: str, index: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The characters a face maps to a glyph, as sorted ranges: (starts, ends), inclusive."""
    ranges = _read_cmap(path, index)
    return tuple(s for s, _ in ranges), tuple(e for _, e in ranges)


def _covers(path: str, index: int, char: str) -> bool:
    try:
        starts, ends = _cmap(path, index)
    except (OSError, ValueError, struct.error):
        return False
    i = bisect.bisect_right(starts, ord(char)) - 1
    return i >= 0 and ord(char) <= ends[i]


def _read_cmap(path: str, index: int) -> list[tuple[int, int]]:
    """The ``cmap`` table of face ``index`` of an OpenType/TrueType file or collection, read
    directly (formats 12 and 4, Unicode subtables): a few milliseconds even for a CJK font."""
    with open(path, "rb") as f:
        head = f.read(12)
        if head[:4] == b"ttcf":
            (count,) = struct.unpack(">I", head[8:12])
            if not 0 <= index < count:
                raise ValueError(f"{path} has {count} faces, not {index + 1}")
            f.seek(12 + 4 * index)
            (offset,) = struct.unpack(">I", f.read(4))
            f.seek(offset)
            head = f.read(12)
        elif index != 0:
            raise ValueError(f"{path} has one face")
        (tables,) = struct.unpack(">H", head[4:6])
        directory = f.read(16 * tables)
        for tag, _, offset, length in struct.iter_unpack(">4sIII", directory):
            if tag == b"cmap":
                f.seek(offset)
                table = f.read(length)
                break
        else:
            return []
    (count,) = struct.unpack(">H", table[2:4])
    subtables = {}
    for platform, encoding, offset in struct.iter_unpack(">HHI", table[4 : 4 + 8 * count]):
        (kind,) = struct.unpack(">H", table[offset : offset + 2])
        subtables.setdefault((platform, encoding, kind), offset)
    for key in ((3, 10, 12), (0, 4, 12), (0, 6, 12), (3, 1, 4), (0, 3, 4)):
        if key in subtables:
            break
    else:
        return []
    at = subtables[key]
    ranges: list[tuple[int, int]] = []
    if key[2] == 12:
        (groups,) = struct.unpack(">I", table[at + 12 : at + 16])
        for first, last, glyph_id in struct.iter_unpack(">III", table[at + 16 : at + 16 + 12 * groups]):
            first += glyph_id == 0  # a group starting at .notdef: its first character has no glyph
            if first <= last:
                ranges.append((first, last))
        return sorted(ranges)
    segments = struct.unpack(">H", table[at + 6 : at + 8])[0] // 2
    a = at + 14
    ends = struct.unpack(f">{segments}H", table[a : a + 2 * segments])
    starts = struct.unpack(f">{segments}H", table[a + 2 * segments + 2 : a + 4 * segments + 2])
    deltas = struct.unpack(f">{segments}H", table[a + 4 * segments + 2 : a + 6 * segments + 2])
    ro = a + 6 * segments + 2
    range_offsets = struct.unpack(f">{segments}H", table[ro : ro + 2 * segments])
    for i, (first, last) in enumerate(zip(starts, ends)):
        for code in range(first, min(last, 0xFFFE) + 1):
            if range_offsets[i] == 0:
                glyph_id = (code + deltas[i]) & 0xFFFF
            else:
                p = ro + 2 * i + range_offsets[i] + 2 * (code - first)
                (glyph_id,) = struct.unpack(">H", table[p : p + 2])
                glyph_id = (glyph_id + deltas[i]) & 0xFFFF if glyph_id else 0
            if glyph_id:
                if ranges and ranges[-1][1] == code - 1:
                    ranges[-1] = (ranges[-1][0], code)
                else:
                    ranges.append((code, code))
    return sorted(ranges)


def wide_size(style: TextStyle) -> int:
    """The pixel size (ppem) wide characters are drawn at: an em as tall as the line and as wide
    as two cells, whichever is less."""
    return min(style.height, 2 * style.advance)


@lru_cache(maxsize=None)
def _cjk_face(path: str, index: int, size: int) -> Any:
    from PIL import ImageFont

    font = ImageFont.truetype(path, size, index=index, layout_engine=ImageFont.Layout.BASIC)
    try:
        axes = font.get_variation_axes()
    except OSError:  # not a variable font
        axes = []
    if axes:  # a variable font's default instance may be Thin: the regular weight, as other fonts are
        font.set_variation_by_axes(
            [
                min(max(400, a["minimum"]), a["maximum"]) if a["name"] in (b"Weight", "Weight") else a["default"]
                for a in axes
            ]
        )
    return font


@lru_cache(maxsize=None)
def _wide_glyph(style: TextStyle, char: str, lang: Optional[str]) -> np.ndarray:
    """Coverage mask (height × 2·advance + 2·BLEED) of a wide character, from the CJK font: its
    advance centred in the two cells, its line placed so that the ink of 国 is centred in the line."""
    from PIL import Image, ImageDraw

    face = cjk_font(lang)
    font = _cjk_face(face.path, face.index, wide_size(style))
    width = 2 * style.advance
    box_w = width + 2 * BLEED
    top, bottom = font.getbbox(_REFERENCE, anchor="ls")[1::2]
    baseline = round((style.height - (bottom - top)) / 2 - top)
    left = BLEED + round((width - font.getlength(char)) / 2)
    canvas = Image.new("L", (box_w, style.height), 0)
    ImageDraw.Draw(canvas).text((left, baseline), char, fill=255, font=font, anchor="ls")
    image = np.asarray(canvas)
    mask = ((image.astype(np.uint16) * (LEVELS - 1) + 127) // 255).astype(np.uint8)
    mask.flags.writeable = False
    return mask


def missing_glyphs(text: str, lang: Optional[str] = None) -> set[str]:
    """The characters of ``text`` the fonts in use cannot draw: narrow ones DejaVu Sans Mono lacks
    (matplotlib draws them blank, with a warning), wide ones the CJK font for ``lang`` lacks (drawn
    as its box for a missing glyph).
    Spaces and line ends are not counted. Raises :func:`cjk_font`'s error when ``text`` has wide
    characters and no CJK font is found."""
    missing = set()
    wanted = {c for c in text if not c.isspace()}
    narrow = {c for c in wanted if not is_wide(c)}
    if narrow:
        path = dejavu_path()
        missing |= {c for c in narrow if not _covers(path, 0, c)}
    wide = wanted - narrow
    if wide:
        face = cjk_font(lang)
        missing |= {c for c in wide if not _covers(face.path, face.index, c)}
    return missing


# An open font reads its file through a descriptor whose offset a forked child would share with
# its parent: a child opens its own. (The glyph masks already drawn are plain arrays, kept.)
os.register_at_fork(after_in_child=_font.cache_clear)
os.register_at_fork(after_in_child=_cjk_face.cache_clear)


# --- masks of characters and strings --------------------------------------------------------


@lru_cache(maxsize=None)
def glyph(style: TextStyle, char: str, lang: Optional[str] = None) -> np.ndarray:
    """Read-only coverage mask (height × advance + 2·BLEED, values 0..LEVELS-1) of one character;
    a wide character's is two cells wide (height × 2·advance + 2·BLEED), from the CJK font for
    ``lang`` (which matters to no other character).

    Column ``BLEED`` is the pen position; ink may overhang the advance by ``BLEED`` pixels.
    """
    if is_wide(char):
        return _wide_glyph(style, char, lang)
    return _narrow_glyph(style, char)


@lru_cache(maxsize=512)  # labels and cell values repeat; step lines never do
def text_mask(style: TextStyle, text: str, lang: Optional[str] = None) -> np.ndarray:
    """Coverage mask of a string, ``cells(text)·advance + 2·BLEED`` wide; the pen starts at ``BLEED``.

    Each glyph's first ``advance`` columns (two advances for a wide character) are laid side by
    side, then its overhang is merged (by maximum) into the next glyph's first columns: a few
    array operations per string rather than a few per character, as a step line changes every
    frame. ``lang`` chooses the glyph forms of wide characters (see :func:`find_cjk_font`)."""
    advance, count = style.advance, len(text)
    if not text.isascii() and any(is_wide(c) for c in set(text) if c > "\x7f"):
        return _mixed_mask(style, text, lang)
    mask = np.zeros((style.height, (count + 1) * advance), np.uint8)  # room for the last overhang
    if count:
        boxes = _atlas(style).boxes_of(text)  # (count, height, advance + 2·BLEED)
        mask[:, : count * advance] = boxes[:, :, :advance].transpose(1, 0, 2).reshape(style.height, -1)
        for k in range(2 * BLEED):  # overhangs never reach past the next glyph's first columns
            spill = mask[:, advance + k :: advance][:, :count]
            np.maximum(spill, boxes[:, :, advance + k].T, out=spill)
    mask = mask[:, : count * advance + 2 * BLEED]
    mask.flags.writeable = False
    return mask


def _mixed_mask(style: TextStyle, text: str, lang: Optional[str]) -> np.ndarray:
    """:func:`text_mask` of a string with wide characters, glyph by glyph, laid as it lays others."""
    advance = style.advance
    boxes = [_wide_glyph(style, c, lang) if is_wide(c) else _narrow_glyph(style, c) for c in text]
    width = cells(text) * advance
    mask = np.zeros((style.height, width + 2 * BLEED), np.uint8)
    x = 0
    starts = []
    for box in boxes:
        w = box.shape[1] - 2 * BLEED
        mask[:, x : x + w] = box[:, :w]
        starts.append(x)
        x += w
    for x, box in zip(starts, boxes):
        w = box.shape[1] - 2 * BLEED
        spill = mask[:, x + w : x + w + 2 * BLEED]
        np.maximum(spill, box[:, w:], out=spill)
    mask.flags.writeable = False
    return mask


class _Atlas:
    """The narrow glyph masks of one style, stacked (the shipped ones from the start, others
    added as they are drawn): a string's are then one index into them, not one array per
    character."""

    def __init__(self, style: TextStyle) -> None:
        self.style = style
        found = _shipped_style(style)
        self.rows: dict[str, int] = dict(found[0]) if found else {}
        self.boxes = found[1] if found else np.zeros((0, style.height, style.advance + 2 * BLEED), np.uint8)

    def boxes_of(self, text: str) -> np.ndarray:
        """The masks of ``text``'s characters, (len(text), height, advance + 2·BLEED)."""
        new = sorted(set(text) - self.rows.keys())
        if new:
            drawn = [_matplotlib_glyph(self.style, char) for char in new]
            first = len(self.rows)
            self.rows.update((char, first + i) for i, char in enumerate(new))
            self.boxes = np.concatenate([self.boxes, np.stack(drawn)])
            self.boxes.flags.writeable = False
        return self.boxes[np.fromiter(map(self.rows.__getitem__, text), np.intp, len(text))]

    def one(self, char: str) -> np.ndarray:
        """The read-only mask of one character."""
        if char not in self.rows:
            self.boxes_of(char)
        return self.boxes[self.rows[char]]


@lru_cache(maxsize=None)
def _atlas(style: TextStyle) -> _Atlas:
    return _Atlas(style)
