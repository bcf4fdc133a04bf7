"""Text masks: the shipped DejaVu Sans Mono masks are matplotlib's pixels, strings are laid out
as before, wide (CJK) characters take two cells from a CJK font, and ASCII text needs no matplotlib."""

from __future__ import annotations

import ast
import hashlib
import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convgif import picture
from convgif.errors import SpecError
from convgif.picture import glyphs
from convgif.picture.sizes import CAPTION, CELL, LABEL, TextStyle

ROOT = Path(__file__).resolve().parent.parent
STYLES = list(dict.fromkeys(base.scaled(n) for base in (CAPTION, LABEL, CELL) for n in range(1, picture.MAX_SCALE + 1)))
CORPUS = [
    "",
    " ",
    "a",
    "Conv2d(3, 1, kernel_size=3, stride=2) — input 3×7×7 — output 1×3×3",
    "step 4 of 9 · out[0, 1, 2] = Σ x·w + b",
    "Σ x·w + b = 3 + 1 = 4",
    "Σ x·w + b = −0.25 + 1.5 = 1.25",
    "max(1, 7, −3, 0) = 7",
    "… 12 more",
    "▲ 3  ▼ 4  ◀ 5  ▶ 6",
    "weights w[0] · bias b = 0.1",
    "padding 1 – dilation 2 · groups 3",
    "avg = (1 + 2 + 3 + 4) / 4 = 2.5",
    "∞ ± ≈ ≤ ° µ ² ×",
    "The quick brown fox jumps over the lazy dog 0123456789",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    "Stride 2 (padding 'zeros') — 28,560 parameters · 1,234 frames",
]
CJK_TEXT = "卷积层：输入通道 3，步幅 2（填充 1）。"  # zh-Hans: ideographs and fullwidth punctuation
CJK_TEXT_HANT = "卷積層：輸入通道 3，步幅 2（填充 1）。"


def mpl_glyph(style: TextStyle, char: str) -> np.ndarray:
    """What convgif drew before the masks were shipped: matplotlib's rasteriser."""
    return glyphs._matplotlib_glyph(style, char)


def old_text_mask(style: TextStyle, text: str) -> np.ndarray:
    """The former ``text_mask``, verbatim, over the glyph masks (which are matplotlib's where this
    machine's FreeType is the one they were made with: test_every_shipped_mask_is_…)."""
    advance, count = style.advance, len(text)
    mask = np.zeros((style.height, (count + 1) * advance), np.uint8)
    if count:
        boxes = np.stack([glyphs.glyph(style, char) for char in text])
        mask[:, : count * advance] = boxes[:, :, :advance].transpose(1, 0, 2).reshape(style.height, -1)
        for k in range(2 * glyphs.BLEED):
            spill = mask[:, advance + k :: advance][:, :count]
            np.maximum(spill, boxes[:, :, advance + k].T, out=spill)
    return mask[:, : count * advance + 2 * glyphs.BLEED]


def same_rasteriser() -> tuple[bool, str]:
    """Whether this machine's matplotlib draws with the font and FreeType the masks were made with."""
    from matplotlib import ft2font

    header, _ = glyphs.shipped()
    sha = hashlib.sha256(Path(glyphs.dejavu_path()).read_bytes()).hexdigest()
    here = (sha, ft2font.__freetype_version__)
    made = (header["font_sha256"], header["freetype"])
    return (
        here == made,
        f"masks made with FreeType {made[1]}, font {made[0][:12]}; here FreeType {here[1]}, font {here[0][:12]}",
    )


@pytest.fixture(scope="module")
def cjk():
    found = glyphs.find_cjk_font("zh-Hans")
    if found is None:
        pytest.skip("no CJK font: pip install noto-cjk-sans-otc, or apt install fonts-wqy-microhei")
    return found


def test_the_masks_file_holds_every_style_in_use():
    header, _ = glyphs.shipped()
    assert header, f"{glyphs.MASKS_FILE} is missing or unusable"
    assert header["rasteriser"] == glyphs.RASTERISER and header["levels"] == glyphs.LEVELS
    for style in STYLES:
        assert glyphs._shipped_style(style) is not None, style
    assert set(map(chr, range(0x20, 0x7F))) <= set(header["chars"])


def test_every_shipped_mask_is_the_matplotlib_rasteriser_s():
    pytest.importorskip("matplotlib")
    header, _ = glyphs.shipped()
    different = []
    for style in STYLES:
        for char in header["chars"]:
            if not np.array_equal(glyphs.glyph(style, char), mpl_glyph(style, char)):
                different.append((style.size, char))
    if different:
        same, why = same_rasteriser()
        if not same:  # another FreeType draws otherwise: that the shipped masks do not change is the point
            pytest.skip(f"{len(different)} masks differ from this machine's matplotlib ({why})")
    assert not different, f"{len(different)} differ, e.g. {different[:10]}: run python tools/make_glyph_masks.py"


def test_the_characters_convgif_writes_are_all_shipped():
    """Every non-ASCII character in a string of the package (docstrings too) is in the masks file,
    or is wide (drawn from a CJK font)."""
    chars = set()
    for path in (ROOT / "convgif").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                chars |= {c for c in node.value if not c.isascii() and c.isprintable()}
    shipped = set(glyphs.shipped()[0]["chars"])
    assert {"—", "·", "×", "Σ", "−", "∞", "…", "▲", "▼", "◀", "▶"} <= chars  # the scan finds them
    assert not {c for c in chars - shipped if not glyphs.is_wide(c)}


def test_drawing_text_does_not_import_matplotlib():
    code = textwrap.dedent(
        f"""
        import sys
        from convgif import picture
        from convgif.picture import glyphs, sizes
        styles = [b.scaled(n) for b in (sizes.CAPTION, sizes.LABEL, sizes.CELL) for n in range(1, picture.MAX_SCALE + 1)]
        for style in styles:
            for text in {CORPUS!r}:
                glyphs.text_mask(style, text)
            for c in glyphs.shipped()[0]["chars"]:
                glyphs.glyph(style, c)
        assert glyphs.cells("Σ x·w") == 5 and not glyphs.missing_glyphs("Σ x·w + b = 3 + 1 = 4")
        print(sorted(m for m in sys.modules if m.split(".")[0] == "matplotlib"))
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("style", STYLES, ids=lambda s: f"{s.size}px")
def test_strings_are_laid_out_as_before(style):
    for text in CORPUS:
        mask = glyphs.text_mask(style, text)
        assert mask.shape == (style.height, len(text) * style.advance + 2 * glyphs.BLEED)
        assert np.array_equal(mask, old_text_mask(style, text)), text
        assert not mask.flags.writeable


@settings(max_examples=60, deadline=None)
@given(st.text(st.sampled_from(sorted(glyphs.shipped()[0]["chars"])), max_size=24), st.sampled_from(STYLES))
def test_any_string_of_shipped_characters_is_laid_out_as_before(text, style):
    assert np.array_equal(glyphs.text_mask(style, text), old_text_mask(style, text))
    # the glyph-by-glyph layout of strings with wide characters agrees on narrow ones
    assert np.array_equal(glyphs._mixed_mask(style, text, None), old_text_mask(style, text))


def test_characters_and_sizes_not_shipped_are_drawn_by_matplotlib():
    odd = TextStyle(size=14, advance=8, height=17, ascent=14)
    assert glyphs._shipped_style(odd) is None
    for style, char in ((CAPTION, "Ж"), (LABEL.scaled(2), "ő"), (odd, "A"), (odd, "Σ")):
        mask = glyphs.glyph(style, char)
        assert np.array_equal(mask, mpl_glyph(style, char)) and mask.any() and not mask.flags.writeable
    assert np.array_equal(glyphs.text_mask(odd, "Жx 1"), old_text_mask(odd, "Жx 1"))


def test_cells():
    assert glyphs.cells("") == 0
    assert glyphs.cells("Σ x·w + b = 4") == len("Σ x·w + b = 4")
    assert glyphs.cells("卷积") == 4
    assert glyphs.cells("卷积 3×3，步幅 2") == 2 * 2 + 1 + 3 + 2 + 2 * 2 + 2
    assert glyphs.cells("Ａ") == 2  # fullwidth (F)
    assert glyphs.cells("ｱ") == 1  # halfwidth katakana (H)
    assert glyphs.cells("°·×▲") == 4  # ambiguous width (A) is narrow, as DejaVu Sans Mono draws it
    assert [glyphs.is_wide(c) for c in "a中，。가あ"] == [False, True, True, True, True, True]


def test_wide_characters_take_two_cells(cjk):
    for style in STYLES:
        for lang in ("zh-Hans", "zh-Hant"):
            mask = glyphs.text_mask(style, CJK_TEXT, lang)
            assert mask.shape == (style.height, glyphs.cells(CJK_TEXT) * style.advance + 2 * glyphs.BLEED)
            assert not mask.flags.writeable
            glyph = glyphs.glyph(style, "中", lang)
            assert glyph.shape == (style.height, 2 * style.advance + 2 * glyphs.BLEED)
            # centred in its two cells: as much room left as right, give or take a pixel
            ink = np.flatnonzero(glyph.any(axis=0))
            assert abs(ink[0] - (glyph.shape[1] - 1 - ink[-1])) <= 1
        # narrow characters around wide ones keep their pixels and their cells (bar overhangs merged)
        mixed, a = glyphs.text_mask(style, "ab中c", "zh-Hans"), style.advance
        assert np.array_equal(mixed[:, : 2 * a], glyphs.text_mask(style, "ab")[:, : 2 * a])
        assert np.array_equal(mixed[:, 4 * a + 2 * glyphs.BLEED :], glyphs.text_mask(style, "c")[:, 2 * glyphs.BLEED :])


def test_a_cjk_string_has_no_blank_glyph(cjk):
    for lang, text in (("zh-Hans", CJK_TEXT), ("zh-Hant", CJK_TEXT_HANT)):
        assert glyphs.missing_glyphs(text, lang) == set()
        for style in STYLES:
            for char in set(text) - {" "}:
                mask = glyphs.glyph(style, char, lang)
                assert mask.any(), (style.size, char)
                if "\u4e00" <= char <= "\u9fff":  # an ideograph has full ink somewhere (a full stop may not)
                    assert mask.max() == glyphs.LEVELS - 1, (style.size, char)


def test_the_glyph_forms_follow_the_language(cjk):
    hans, hant = glyphs.find_cjk_font("zh-Hans"), glyphs.find_cjk_font("zh-Hant")
    if hans.path != hant.path or hans.index != hant.index:  # a collection with both forms
        assert hans.family.endswith("SC") and hant.family.endswith(("TC", "HK"))
        style = CAPTION.scaled(4)
        assert not np.array_equal(glyphs.glyph(style, "骨", "zh-Hans"), glyphs.glyph(style, "骨", "zh-Hant"))


def test_missing_glyphs():
    assert glyphs.missing_glyphs("Σ x·w + b = 3 + 1 = 4\n") == set()
    assert glyphs.missing_glyphs("a\u0378b\U0001f99c") == {"\u0378", "\U0001f99c"}


def test_without_a_cjk_font_the_error_names_what_to_install(monkeypatch):
    monkeypatch.setattr(glyphs, "find_cjk_font", lambda lang=None: None)
    glyphs._wide_glyph.cache_clear()
    with pytest.raises(SpecError) as caught:
        glyphs.text_mask(CAPTION, "卷积", "zh-Hant")
    assert caught.value.argument == "lang"
    message = str(caught.value)
    assert "zh-Hant" in message and "[zh]" in message and "fonts-noto-cjk" in message
    with pytest.raises(SpecError):
        glyphs.missing_glyphs("卷积", "zh-Hans")
    assert glyphs.missing_glyphs("no wide characters here", "zh-Hans") == set()
    glyphs._wide_glyph.cache_clear()


def test_a_font_named_in_the_environment_is_used(monkeypatch, cjk):
    monkeypatch.setenv("CONVGIF_CJK_FONT", f"{cjk.path}:{cjk.index}")
    glyphs.find_cjk_font.cache_clear()
    try:
        found = glyphs.find_cjk_font("zh-Hant")
        assert (found.path, found.index, found.source) == (cjk.path, cjk.index, "CONVGIF_CJK_FONT")
    finally:
        monkeypatch.delenv("CONVGIF_CJK_FONT")
        glyphs.find_cjk_font.cache_clear()


def test_the_cmap_reader_agrees_with_fonttools(cjk):
    ttLib = pytest.importorskip("fontTools.ttLib")
    for path, index in ((glyphs.dejavu_path(), 0), (cjk.path, cjk.index)):
        font = ttLib.TTFont(path, fontNumber=index, lazy=True)
        expected = set(font.getBestCmap())
        found = {c for s, e in glyphs._read_cmap(path, index) for c in range(s, e + 1)}
        assert found == expected, path


def test_the_masks_file_is_compact():
    assert glyphs.MASKS_FILE.stat().st_size < 150_000
    data = io.BytesIO(glyphs.MASKS_FILE.read_bytes())
    assert data.read(len(glyphs.MAGIC)) == glyphs.MAGIC


def test_without_the_masks_file_matplotlib_draws_the_same(monkeypatch, tmp_path):
    same, why = same_rasteriser()
    if not same:
        pytest.skip(f"this matplotlib draws otherwise: {why}")
    caches = (glyphs.shipped, glyphs._shipped_style, glyphs._atlas, glyphs.glyph, glyphs.text_mask)
    expected = {style: glyphs.text_mask(style, CORPUS[3]) for style in STYLES[:2]}
    monkeypatch.setattr(glyphs, "MASKS_FILE", tmp_path / "missing.bin")
    for cache in caches:
        cache.cache_clear()
    try:
        assert glyphs.shipped() == ({}, b"")
        for style, mask in expected.items():
            assert np.array_equal(glyphs.text_mask(style, CORPUS[3]), mask)
    finally:
        monkeypatch.undo()
        for cache in caches:
            cache.cache_clear()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_forked_child_opens_its_own_fonts(cjk):
    odd = TextStyle(size=14, advance=8, height=17, ascent=14)
    glyphs.glyph(odd, "A")  # matplotlib's font for size 14 is open
    glyphs.glyph(CAPTION, "中")  # and the CJK font
    assert glyphs._font.cache_info().currsize and glyphs._cjk_face.cache_info().currsize
    pid = os.fork()
    if pid == 0:  # the child: no font handle shared with the parent, and it still draws
        ok = not glyphs._font.cache_info().currsize and not glyphs._cjk_face.cache_info().currsize
        ok = ok and glyphs._wide_glyph(LABEL, "文", None).any() and glyphs._matplotlib_glyph(odd, "B").any()
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.mark.parametrize("route", ["_from_packages", "_from_fontconfig", "_from_folders"])
@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_each_way_of_finding_a_cjk_font_takes_the_language_s_face(route, lang):
    found = getattr(glyphs, route)(glyphs._region_order(lang))
    if found is None:
        pytest.skip(f"{route} finds no CJK font here")
    assert glyphs._covers(found.path, found.index, "中") and os.path.isfile(found.path)
    names = glyphs._faces(found.path)
    assert names[found.index] == found.family
    wanted = "SC" if lang == "zh-Hans" else "TC"
    if any(name.endswith(f" {wanted}") for name in names):  # a collection with that face: it is the one
        assert found.family.endswith(f" {wanted}"), (found, names)


def test_a_font_folder_is_searched_when_nothing_else_finds_one(monkeypatch, tmp_path, cjk):
    (tmp_path / "deep").mkdir()
    name = "NotoSansCJK-Regular.ttc" if cjk.path.endswith(".ttc") else "NotoSansCJKsc-Regular.otf"
    (tmp_path / "deep" / name).symlink_to(cjk.path)
    (tmp_path / "msyh.ttc").write_bytes(b"not a font")  # a broken file is passed over
    monkeypatch.setattr(glyphs, "_font_folders", lambda: [tmp_path])
    found = glyphs._from_folders(glyphs._region_order("zh-Hans"))
    assert found is not None and found.path == str(tmp_path / "deep" / name) and found.source == "font folder"


@pytest.mark.parametrize(
    "kind, args, options",
    [
        ("Conv2dSpec", ((3, 7, 7), 1, 3), {"stride": 2, "values": True}),
        ("MaxPool2dSpec", ((1, 6, 6), 2), {"values": True, "scale": 2}),
        ("Conv2dSpec", ((2, 5, 5), 2, 3), {"padding": 1, "groups": 2, "scale": 3}),
    ],
)
def test_every_text_a_render_draws_is_laid_out_as_before(kind, args, options, monkeypatch, tmp_path):
    """Captions, labels, step and sum lines, cell values: whatever a render writes, through the public API."""
    import convgif

    drawn = []
    real = glyphs.text_mask

    def spy(style, text, *more):
        drawn.append((style, text))
        return real(style, text, *more)

    monkeypatch.setattr(glyphs, "text_mask", spy)
    layer = {k: v for k, v in options.items() if k in ("stride", "padding", "groups")}
    spec = getattr(convgif, kind)(*args, **layer)
    convgif.render(spec, tmp_path / "x.gif", max_frames=6, **{k: v for k, v in options.items() if k not in layer})
    assert len({text for _, text in drawn}) > 5
    for style, text in dict.fromkeys(drawn):
        assert np.array_equal(real(style, text), old_text_mask(style, text)), text
