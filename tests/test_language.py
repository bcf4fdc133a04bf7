"""Frames in Chinese: every word a frame draws passes through the catalogue (none left in
English but PyTorch's names), every character it draws is in the font drawing it, wide
characters take two cells, and ``--lang`` / ``lang=`` are checked as any option is."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import convgif
from convgif import language, ops
from convgif.cli import main
from convgif.info import explain
from convgif.language import LANGS, PHRASES, TRADITIONAL, say, untranslated
from convgif.picture import glyphs, paint, translated
from convgif.picture.sizes import CAPTION, wrap

ROOT = Path(__file__).resolve().parent.parent
CHINESE = ("zh-Hans", "zh-Hant")


def gallery_layers() -> list[str]:
    """The arguments of every layer figure of the gallery (models aside)."""
    text = (ROOT / "gallery" / "gallery.toml").read_text(encoding="utf-8")
    found = [m.group(1) for m in re.finditer(r'^args = "(.*)"$', text, flags=re.M)]
    return [a.replace("../examples", str(ROOT / "examples")) for a in found if ".py:" not in a and ".txt" not in a]


#: Layers the gallery leaves out, so that every kind convgif draws is drawn here.
MORE = [
    "--layer MaxPool1d --in 2,7 --k 3 --p 1",
    "--layer AvgPool1d --in 2,7 --k 3 --values",
    "--layer AvgPool2d --in 1,6,6 --k 3 --s 2 --p 1 --ceil-mode --values",  # its input padded, with overhang
    "--layer MaxUnpool1d --in 1,4 --k 2",
    "--layer AdaptiveMaxPool2d --in 1,5,5 --output-size 2",
    "--layer AdaptiveMaxPool2d --in 2,5,4 --output-size 2,3 --return-indices",  # the same windows as MaxPool2d
    "--layer AdaptiveMaxPool1d --in 1,5 --output-size 2",
    "--layer AdaptiveAvgPool1d --in 1,5 --output-size 2",
    "--layer LPPool1d --in 1,6 --norm-type 2 --k 2",
    "--layer ReflectionPad1d --in 1,4 --p 2",
    "--layer ReplicationPad1d --in 1,4 --p 1",
    "--layer CircularPad1d --in 1,4 --p 1",
    "--layer ZeroPad1d --in 1,4 --p 1",
    "--layer ConstantPad1d --in 1,4 --p 1 --value 2",
    "--layer UpsamplingNearest2d --in 1,2,2 --scale-factor 2",
    "--layer UpsamplingBilinear2d --in 1,2,2 --scale-factor 2",
    "--layer MaxPool2d --in 1,4,4 --k 2 --return-indices --values",
    "--layer AvgPool2d --in 1,7,7 --k 7",
    "--layer ConvTranspose2d --in 1,3,3 --k 3 --s 2 --p 1 --values --region 0:2,0:2",
    "--layer ConvTranspose1d --in 2,4 --k 3 --s 2 --p 1 --output-padding 1",
    "--layer ConvTranspose1d --in 1,4 --k 3 --s 2 --p 2 --output-padding 1 --as-conv",
    "--layer Conv3d --in 1,3,4,4 --k 3,1,1 --p 1,0,0 --padding-mode circular",
    "--layer Conv3d --in 2,4,5,5 --out 2 --k 3 --p 1 --region 1:3,0:2",
    "--layer MaxPool3d --in 1,4,4,4 --k 2 --s 3 --ceil-mode --return-indices",
    "--layer AvgPool3d --in 1,3,4,4 --k 3,1,1 --p 1,0,0 --no-count-include-pad",
    "--layer AdaptiveAvgPool3d --in 1,4,5,5 --output-size 2,3,3",
    "--layer AdaptiveMaxPool3d --in 2,3,4,4 --output-size 1 --return-indices",
    "--layer FractionalMaxPool3d --in 2,5,5,5 --k 2 --output-size 2",
    "--layer LPPool3d --in 1,5,5,5 --k 2 --norm-type 3 --ceil-mode",
    "--layer LPPool3d --in 2,4,4,4 --k 2 --norm-type inf",
    "--layer LPPool2d --in 1,5,5 --k 2 --s 2 --norm-type inf --ceil-mode",  # a cut window of a max pool of |x|
    "--layer LPPool1d --in 1,5 --k 2 --s 2 --norm-type -inf --ceil-mode",
    "--layer ReflectionPad3d --in 1,2,3,3 --p 1",
    "--layer ConstantPad3d --in 1,2,3,3 --p 1,0,-1,1,1,-1 --value 2",
    "--layer MaxUnpool3d --in 2,3,3,3 --k 3 --s 2 --p 1",
    "--layer ConvTranspose3d --in 1,2,1,2 --k 2,1,2 --s 3,1,2 --p 0,0,1 --output-padding 1,0,1",
    "--layer Upsample --in 1,2,2,2 --scale-factor 1.5 --mode trilinear",
    "--layer Upsample --in 2,3,2,2 --size 4,2,3 --mode trilinear --align-corners",
    "--layer Upsample --in 1,3,2,2 --scale-factor 0.7,2,1 --mode nearest-exact",
    "--layer UpsamplingNearest2d --in 1,2,2,2 --scale-factor 1.5",
    "--layer ChannelShuffle --in 4,2,2,2 --g 2",
    "--in 3,9,9 --out 2 --k 3 --max-frames 5 --values",
    "--in 1,5,5 --k 3 --sheet",
    "--layer Unfold --in 2,5,5 --k 3 --p 1 --s 2",
    "--layer Fold --in 4,16 --k 2 --output-size 6,7 --p 1 --s 2 --region 0:3,0:3",
    "--layer ConvTranspose1d --in 2,4 --k 3 --s 2 --out 2 --g 2 --view matrix",
    "--layer ConvTranspose2d --in 4,4,4 --out 2 --k 3 --s 2 --g 2 --view overlaps --region 0:4,0:4",
]
LAYERS = gallery_layers() + MORE


def drawn_kinds(args: list[str]) -> set[str]:
    kinds = set()
    for line in args:
        words = shlex.split(line)
        if "--layer" in words:
            kinds.add(ops.canonical(words[words.index("--layer") + 1]))
        else:
            flags = {"--transposed": "ConvTranspose2d", "--conv1d": "Conv1d", "--separable": "separable"}
            kinds.add(next((kind for flag, kind in flags.items() if flag in words), "Conv2d"))
    return kinds


def test_the_layers_checked_draw_every_kind_convgif_draws():
    """Every 1-D and 2-D kind is among the layers checked, or is one convgif does not draw."""
    left = {op.name for op in ops.operations() if op.dims < 3} - drawn_kinds(LAYERS)
    for name in left:
        result = CliRunner().invoke(main, ["--layer", name, "--in", "1,4", "-o", "-"])
        assert result.exit_code == 2 and f"{name} is not drawn" in result.output, name


@pytest.mark.parametrize("lang", CHINESE)
def test_every_word_of_every_kind_is_in_the_language_and_every_glyph_in_the_font(cjk, lang, monkeypatch, tmp_path):
    """Every text drawn, for every kind, with and without values: no English word left but
    PyTorch's names and the formulas' letters, no character the fonts lack, and Chinese drawn."""
    drawn: dict[str, str] = {}
    original = paint.Painter.text
    translated_notes: set[str] = set()
    translate = language._translate

    def whole(text: str, lang: str) -> str:  # each sentence whole, before a frame breaks it into lines
        said = translate(text, lang)
        translated_notes.add(said)
        return said

    monkeypatch.setattr(language, "_translate", whole)

    def text(self, image, words, style, x, y):
        drawn[words] = language.current()
        return original(self, image, words, style, x, y)

    monkeypatch.setattr(paint.Painter, "text", text)
    runner = CliRunner()
    for line in LAYERS:
        for values in ([], ["--values"]):
            out = tmp_path / ("c.png" if "--sheet" in line else "c.gif")
            frames = (
                []
                if any(w in line for w in ("--region", "--max-frames", "checkerboard", "--backward"))
                else ["--max-frames", "16"]  # a backward pass is drawn whole
            )
            args = [*shlex.split(line), *values, *frames, "--lang", lang, "-q", "-o", str(out)]
            result = runner.invoke(main, args)
            assert result.exit_code == 0, (line, result.output)
    assert set(drawn.values()) == {lang}
    left = {words: untranslated(words) for words in drawn if untranslated(words)}
    assert not left, left
    missing = {words: glyphs.missing_glyphs(words, lang) for words in drawn if glyphs.missing_glyphs(words, lang)}
    assert not missing, missing
    everything = " ".join(drawn)
    terms = (
        ("输入", "输出", "卷积核", "步长", "填充", "通道")
        if lang == "zh-Hans"
        else ("輸入", "輸出", "卷積核", "步長", "填充", "通道")
    )
    assert all(term in everything for term in terms)
    if lang == "zh-Hant":
        assert not set(everything) & set(TRADITIONAL), "a Simplified form left in Traditional text"
    unfinished = [t for t in translated_notes if UNFINISHED_COMPARISON.search(t)]
    assert not unfinished, unfinished


#: A clause that compares with a layer (与 X, "as X") and ends before saying how (相同, 不同, ...):
#: English puts the object last, Chinese needs a word after it.
UNFINISHED_COMPARISON = re.compile(r"[与與] \w+\((?:[^()]|\([^()]*\))*\)\s*(?:$|;)")


def test_a_phrase_whose_english_ends_on_its_object_never_leaves_the_chinese_unfinished():
    """A phrase ending in "as", "than" or "like" (its object follows in English) must take the
    object into its pattern: Chinese says the comparison after the object (与 X 相同)."""
    for english, hans in PHRASES:
        if re.search(r"\b(as|than|like)$", english):
            raise AssertionError(f"{english!r} -> {hans!r}: its object follows, so the Chinese cannot end the clause")
    assert say("the same windows as MaxPool2d(kernel_size=(3, 2), stride=(2, 1))", "zh-Hans").endswith(
        "stride=(2, 1)) 相同"
    )


#: Layers whose backward pass is drawn, each kind at least once, with the branches its notes take
#: (stride, padding modes, dilation, ceil_mode, divisors, modes, output_padding, groups).
BACKWARD = [
    "--in 2,5,5 --k 3 --s 2 --p 1",
    "--in 2,5,5 --out 2 --k 3 --g 2 --d 2 --p 2",
    "--in 1,5,5 --k 3 --p 1 --padding-mode reflect",
    "--in 1,5,5 --k 2 --p 1 --padding-mode circular --no-bias",
    "--in 1,5,5 --k 3 --p 0",
    "--in 1,6,6 --k 3 --s 2 --p 1 --padding-mode replicate",
    "--in 1,4,4 --k 1",
    "--in 1,7,7 --k 3 --s 3",
    "--conv1d --in 2,7 --k 3 --s 2 --p 1",
    "--conv1d --in 1,6 --k 2 --p 1 --padding-mode reflect",
    "--transposed --in 1,3,3 --k 3 --s 2 --p 1 --output-padding 1",
    "--transposed --in 1,2,2 --k 2 --s 2 --output-padding 1",  # dy's cells past the canvas
    "--transposed --in 2,3,3 --out 2 --k 2",
    "--separable --in 2,5,5 --out 2 --k 3 --p 1",
    "--layer MaxPool2d --in 1,5,5 --k 3 --s 2",
    "--layer MaxPool2d --in 1,5,5 --k 2 --ceil-mode",
    "--layer MaxPool2d --in 1,5,5 --k 3 --p 1 --d 2 --return-indices",
    "--layer MaxPool1d --in 2,7 --k 3 --p 1",
    "--layer AvgPool2d --in 1,5,5 --k 3 --s 2 --p 1",
    "--layer AvgPool2d --in 1,5,5 --k 3 --s 2 --p 1 --no-count-include-pad",
    "--layer AvgPool2d --in 1,5,5 --k 2 --divisor-override 3",
    "--layer AvgPool2d --in 1,5,5 --k 2 --ceil-mode",
    "--layer AvgPool2d --in 1,6,6 --k 3 --s 2 --p 1 --ceil-mode --no-count-include-pad",  # padded, with overhang
    "--layer AvgPool1d --in 2,7 --k 3",
    "--layer MaxUnpool2d --in 1,3,3 --k 2",
    "--layer MaxUnpool1d --in 1,4 --k 2 --s 1",
    "--layer AdaptiveAvgPool2d --in 1,5,5 --output-size 3",
    "--layer AdaptiveAvgPool1d --in 1,5 --output-size 2",
    "--layer AdaptiveMaxPool2d --in 1,5,5 --output-size 2",
    "--layer AdaptiveMaxPool1d --in 1,5 --output-size 3",
    "--layer FractionalMaxPool2d --in 1,7,7 --k 2 --output-size 4",
    "--layer LPPool2d --in 1,6,6 --norm-type 2 --k 2",
    "--layer LPPool2d --in 1,6,6 --norm-type inf --k 2",
    "--layer LPPool2d --in 1,6,6 --norm-type -inf --k 2",
    "--layer LPPool1d --in 1,7 --norm-type 3 --k 3 --s 2 --ceil-mode",
    "--layer ReflectionPad2d --in 1,4,4 --p 2",
    "--layer ReflectionPad1d --in 1,4 --p 2",
    "--layer ReplicationPad2d --in 1,3,3 --p 1",
    "--layer ReplicationPad1d --in 1,4 --p 1",
    "--layer CircularPad2d --in 1,3,3 --p 1",
    "--layer CircularPad1d --in 1,4 --p 1",
    "--layer ZeroPad2d --in 1,3,3 --p 1,0,-1,1",
    "--layer ZeroPad1d --in 1,4 --p 1",
    "--layer ConstantPad2d --in 1,3,3 --p 1 --value 2",
    "--layer ConstantPad1d --in 1,4 --p 1 --value 2",
    "--layer Upsample --in 1,3,3 --scale-factor 2",
    "--layer Upsample --in 1,3,3 --scale-factor 2 --mode bilinear",
    "--layer Upsample --in 1,3,3 --scale-factor 2 --mode bilinear --align-corners",
    "--layer Upsample --in 1,3,3 --scale-factor 2 --mode bicubic",
    "--layer Upsample --in 1,4 --scale-factor 2 --mode linear",
    "--layer Upsample --in 1,3,3 --scale-factor 1.5 --mode nearest-exact",
    "--layer UpsamplingNearest2d --in 1,2,2 --scale-factor 2",
    "--layer UpsamplingBilinear2d --in 1,2,2 --scale-factor 2",
    "--layer PixelShuffle --in 4,2,2 --upscale-factor 2",
    "--layer PixelUnshuffle --in 1,4,4 --downscale-factor 2",
    "--layer ChannelShuffle --in 6,2,2 --g 3",
    "--layer ChannelShuffle --in 4,3 --g 2",
    "--layer MaxPool3d --in 2,3,4,4 --k 2 --s 1",
    "--layer MaxPool3d --in 1,4,4,4 --k 2 --s 3 --p 1 --ceil-mode",
    "--layer AvgPool3d --in 1,3,4,4 --k 3,2,2 --s 2 --p 1,0,0",
    "--layer AvgPool3d --in 1,3,4,4 --k 3,1,1 --p 1,0,0 --no-count-include-pad",
    "--layer AdaptiveAvgPool3d --in 1,4,5,5 --output-size 2,3,3",
    "--layer AdaptiveMaxPool3d --in 2,3,4,4 --output-size 2",
    "--layer FractionalMaxPool3d --in 2,5,5,5 --k 2 --output-size 2",
    "--layer LPPool3d --in 1,3,4,4 --k 2 --norm-type 3 --s 2 --ceil-mode",
    "--layer LPPool3d --in 2,3,4,4 --k 2 --norm-type inf",
    "--layer Conv3d --in 1,3,3,3 --k 2 --s 2 --p 1",
    "--layer Conv3d --in 1,5,3,3 --k 2,1,1 --s 2,1,1 --no-bias",
    "--layer Conv3d --in 1,2,3,3 --k 2 --p 1 --padding-mode reflect",
    "--layer Conv3d --in 1,4,3,3 --k 2,1,1 --s 2,1,1 --p -1,0,0 --padding-mode circular",
    "--layer Conv3d --in 1,5,2,2 --k 1 --s 2 --p 1 --padding-mode reflect",
    "--layer ConvTranspose3d --in 1,2,2,2 --k 2 --s 2 --p 1 --output-padding 1",
    "--layer ConvTranspose1d --in 1,3 --k 3 --s 2 --p 1 --output-padding 1",
    "--layer ReflectionPad3d --in 1,2,2,2 --p 1",
    "--layer ReplicationPad3d --in 1,2,2,2 --p 1",
    "--layer ZeroPad3d --in 1,2,2,2 --p 0,0,0,0,-1,1",
    "--layer ZeroPad3d --in 1,2,2,2 --p 0,0,0,0,1,1",
    "--layer ConstantPad3d --in 1,2,2,2 --p 1 --value 2",
    "--layer CircularPad3d --in 1,2,2,2 --p 1",
    "--layer MaxUnpool3d --in 1,2,2,2 --k 2",
    "--layer Upsample --in 1,2,2,2 --scale-factor 2",
    "--layer Upsample --in 1,2,2,2 --scale-factor 2 --mode trilinear",
    "--layer Upsample --in 1,2,2,2 --scale-factor 2 --mode trilinear --align-corners",
    "--layer Upsample --in 1,3,2,2 --size 2,3,3 --mode area",
    "--layer Upsample --in 1,3,2,2 --scale-factor 1.5 --mode nearest-exact",
    "--layer Upsample --in 1,4,2,2 --size 2,2,2",
    "--layer ChannelShuffle --in 4,2,2,2 --g 2",
    "--layer Unfold --in 1,3,3 --k 2 --p 1",
    "--layer Fold --in 4,4 --output-size 3,3 --k 2",
    "--layer Fold --in 4,16 --output-size 3,3 --k 2 --p 1",
]


def test_the_backward_layers_checked_draw_every_kind_whose_backward_pass_is_drawn():
    drawn = {op.name for op in ops.operations() if op.backward_drawn}
    assert drawn and drawn <= drawn_kinds(BACKWARD), drawn - drawn_kinds(BACKWARD)


@pytest.mark.parametrize("lang", CHINESE)
def test_every_word_of_every_backward_pass_is_in_the_language_and_every_glyph_in_the_font(
    cjk, lang, monkeypatch, tmp_path
):
    """The backward pictures as the forward ones: every text drawn, with and without values, in the
    language (no English word but the kept names), every character in the font."""
    drawn: dict[str, str] = {}
    original = paint.Painter.text

    def text(self, image, words, style, x, y):
        drawn[words] = language.current()
        return original(self, image, words, style, x, y)

    monkeypatch.setattr(paint.Painter, "text", text)
    runner = CliRunner()
    for line in BACKWARD:
        for values in ([], ["--values"]):
            args = [*shlex.split(line), "--backward", *values, "--lang", lang, "-q", "-o", str(tmp_path / "b.gif")]
            result = runner.invoke(main, args)
            assert result.exit_code == 0, (line, result.output)
    assert set(drawn.values()) == {lang}
    left = {words: untranslated(words) for words in drawn if untranslated(words)}
    assert not left, left
    missing = {words: glyphs.missing_glyphs(words, lang) for words in drawn if glyphs.missing_glyphs(words, lang)}
    assert not missing, missing
    everything = " ".join(drawn)
    terms = (
        ("反向传播", "梯度", "卷积核", "步长", "填充", "窗口")
        if lang == "zh-Hans"
        else ("反向傳播", "梯度", "卷積核", "步長", "填充", "窗口")
    )
    assert all(term in everything for term in terms), [t for t in terms if t not in everything]
    if lang == "zh-Hant":
        assert not set(everything) & set(TRADITIONAL), "a Simplified form left in Traditional text"


def test_a_backward_note_is_translated_as_a_sentence():
    """The words of a backward note are put in Chinese order, not replaced one by one."""
    note = "backward, dx = ∂L/∂x: each cell's gradient gathers dy·w from the outputs it fed"
    assert say(note, "zh-Hans") == "反向传播, dx = ∂L/∂x: 每个单元的梯度汇集它参与计算的各输出的 dy·w"
    assert say(note, "zh-Hant") == "反向傳播, dx = ∂L/∂x: 每個單元的梯度匯集它參與計算的各輸出的 dy·w"
    slide = "the kernels turned 180° slide over dy with 1 zero inserted between its cells, dilation·(k − 1) − padding = 1 zero around, stride 1"
    assert (
        say(slide, "zh-Hans")
        == "旋转 180° 的卷积核以步长 1 滑过 dy (单元间插入 1 个零, 四周各补 膨胀·(k − 1) − 填充 = 1 个零)"
    )
    assert say(note, "en") == note
    # an English phrase is matched before or after others are translated, in either script: no Chinese in it
    assert not [english for english, _ in PHRASES if re.search("[\u4e00-\u9fff]", english)]
    assert say("each output copies one input cell", "zh-Hant") == "每個輸出複製一個輸入單元"


def test_the_article_caption_in_its_translations_terms():
    caption = convgif.Conv2dSpec((3, 7, 7), 2, 3, 2, 1, 2).caption
    assert say(caption, "zh-Hans") == caption.replace("Input Shape", "输入形状").replace("Output Shape", "输出形状")
    assert say(caption, "zh-Hant").startswith("輸入形狀 : (3, 7, 7) — 輸出形狀 : (2, 3, 3) — K : (3, 3)")
    assert say(caption, "en") == caption
    reflect = convgif.Conv2dSpec((1, 6, 6), 1, 3, padding=1, padding_mode="reflect", bias=False).caption
    assert "padding_mode='reflect'" in say(reflect, "zh-Hans") and "bias=False" in say(reflect, "zh-Hant")


def _in_big5(character: str) -> bool:
    try:
        character.encode("big5")
    except UnicodeEncodeError:
        return False
    return True


def test_every_phrase_translates_in_both_scripts_and_traditional_has_no_simplified_form():
    for english, hans in PHRASES:
        sample = re.sub(r"\(\?<?[!=][^)]*\)", "", english)
        for lang in CHINESE:
            assert say("", lang) == ""
        hant = language._to_traditional(hans)
        assert not set(hant) & set(TRADITIONAL), (english, hant)
        # Big5 holds the Traditional characters: one it lacks is a Simplified form left over
        assert [c for c in hant if ord(c) > 0x2E80 and not _in_big5(c)] == [], (english, hant)
        assert untranslated(re.sub(r"\\\d", "", hans)) == [], sample
    assert all(len(k) == 1 and len(v) == 1 and k != v for k, v in TRADITIONAL.items())


def test_traditional_maps_the_characters_once_left_simplified_and_indices_are_not_ordinals():
    """变 and 项 were left in their Simplified forms in Traditional frames; a column's index,
    counted from 0, was written as an ordinal (第 0 列, "the 0th column")."""
    assert set(language._to_traditional("大小不变的轴, 每项的权重, 输出网格")) & set("变项轴网") == set()
    assert "X 的列 2" in say("column 2 of X · step 6/18", "zh-Hans")  # an index, counted from 0, not an ordinal


def test_traditional_names_rows_and_columns_as_taiwan_does():
    """列 is a row and 行 a column in Taiwan's usage (列向量: a row vector), the other way round on
    the mainland: the matrix view's "X 的列 2" (column 2 of X) read as row 2 in Traditional."""
    phrases = {
        "column 2 of X · step 6/18": ("X 的列 2", "X 的行 2"),
        "row co is output channel co": ("第 co 行即输出通道 co", "第 co 列即輸出通道 co"),
        "each step moves a 3×3 block of the input, row by row, into one position of the 3² = 9 output channels": (
            "逐行",
            "逐列",
        ),
    }
    for english, (hans, hant) in phrases.items():
        assert hans in say(english, "zh-Hans"), english
        assert hant in say(english, "zh-Hant"), english
    # no phrase uses either character but for a row or a column
    hans_texts = [hans for _, hans in PHRASES]
    assert not [t for t in hans_texts if re.search("[行列](?:出|举|表)|[进执并运]行|行为", t)]


def test_wide_characters_count_two_cells_in_widths_and_breaks():
    assert CAPTION.width("卷积核 K") == 8 * CAPTION.advance
    assert CAPTION.width("kernels") == 7 * CAPTION.advance
    lines = wrap("输入形状 : (3, 7, 7) — 输出形状 : (2, 3, 3)", 24, " — ")
    assert lines == ["输入形状 : (3, 7, 7) —", "输出形状 : (2, 3, 3)"]
    assert all(glyphs.cells(line) <= 24 for line in lines)


def frame(data: bytes, index: int) -> np.ndarray:
    picture = Image.open(io.BytesIO(data))
    picture.seek(index)
    return np.asarray(picture.convert("RGB"))


def test_python_lang_draws_chinese_the_same_steps_and_english_stays_english(cjk):
    spec = convgif.MaxPool2dSpec((1, 4, 4), 2)
    english, plain = io.BytesIO(), io.BytesIO()
    convgif.render(spec, english, lang="en", values=True)
    convgif.render(spec, plain, values=True)
    assert english.getvalue() == plain.getvalue()
    results = {}
    for lang in CHINESE:
        out = io.BytesIO()
        results[lang] = convgif.render(spec, out, lang=lang.lower(), values=True), out.getvalue()
    (hans, hans_bytes), (hant, hant_bytes) = results["zh-Hans"], results["zh-Hant"]
    assert hans.frames == hant.frames == 4
    assert hans_bytes != english.getvalue() and hans_bytes != hant_bytes
    assert hans.caption.startswith("输入形状 : (1, 4, 4)") and hant.caption.startswith("輸入形狀 : (1, 4, 4)")
    still = io.BytesIO()
    convgif.api.render_still(spec, still, step=2, lang="zh-Hant")
    assert Image.open(still).size[0] > 0


def test_a_language_convgif_does_not_draw_is_refused_naming_lang():
    with pytest.raises(convgif.SpecError) as error:
        convgif.render(convgif.Conv2dSpec((1, 5, 5), 1, 3), io.BytesIO(), lang="fr")
    assert error.value.argument == "lang" and "'zh-Hans'" in str(error.value)
    result = CliRunner().invoke(main, ["--in", "1,5,5", "--lang", "fr"])
    assert result.exit_code == 2 and "'--lang'" in result.output


def test_without_a_cjk_font_chinese_exits_2_naming_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(glyphs, "find_cjk_font", lambda lang=None: None)
    out = tmp_path / "zh.gif"
    result = CliRunner().invoke(main, ["--in", "1,5,5", "--lang", "zh-Hans", "-o", str(out)])
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "'--lang'" in message and "[zh]" in message and "fonts-noto-cjk" in message
    assert not out.exists()
    english = CliRunner().invoke(main, ["--in", "1,5,5", "-q", "-o", str(out)])
    assert english.exit_code == 0 and out.exists()


def test_the_option_takes_the_languages_as_tagged():
    ctx = click.Context(main)
    (option,) = [param for param in main.get_params(ctx) if param.name == "lang"]
    assert tuple(option.type.choices) == LANGS and option.default == "en"


INFO_LAYERS = [
    "--in 3,7,7 --out 2 --k 3 --p 1 --s 2 --d 2",
    "--in 3,224,224 --out 64 --k 7 --s 2 --p 3",
    "--separable --in 16,7,7 --out 32 --k 3",
    "--layer ConvTranspose2d --in 2,3,3 --out 1 --k 3 --s 2 --p 1 --output-padding 1",
    "--layer MaxPool2d --in 1,5,5 --k 2 --ceil-mode",
    "--layer AvgPool2d --in 1,5,5 --k 3 --s 2 --p 1",
    "--layer MaxUnpool2d --in 1,3,3 --k 2",
    "--layer Upsample --in 1,3,3 --scale-factor 2",
    "--layer PixelShuffle --in 8,3,3 --upscale-factor 2",
    "--layer ReflectionPad2d --in 1,4,4 --p 2",
    "--layer AdaptiveAvgPool2d --in 1,5,5 --output-size 3",
    "--layer AdaptiveAvgPool2d --in 1,7,7 --output-size 1",
    "--layer LPPool2d --in 1,6,6 --norm-type 2 --k 2",
    "--layer LPPool2d --in 1,5,5 --norm-type -inf --k 2 --s 2 --ceil-mode",
    "--layer FractionalMaxPool2d --in 2,10,10 --k 2 --output-size 6",
    "--layer ChannelShuffle --in 6,3,3 --g 3",
    "--layer checkerboard --in 4,4",
    "--in 4,7,7 --out 4 --k 3 --g 2",
    "--layer ConvTranspose2d --in 4,4,4 --out 4 --k 3 --s 2 --g 2",
    "--layer Unfold --in 2,5,5 --k 3 --p 1 --s 2",
    "--layer Fold --in 8,12 --k 2 --output-size 4,5",
    # the counts of every channel and what a step writes, the matrices of both separable steps
    "--separable --in 4,6,6 --out 6 --k 3 --no-bias",
    "--separable --in 1,5,5 --k 3",
    "--in 3,6,6 --out 3 --g 3 --k 3 --no-bias",
    "--layer MaxPool2d --in 2,7,7 --k 3 --p 1 --s 2",
    "--layer AdaptiveAvgPool3d --in 2,4,4,4 --output-size 2",
    "--layer MaxUnpool3d --in 2,2,2,2 --k 2",
    "--layer ConvTranspose3d --in 4,2,2,2 --out 4 --k 1 --s 3 --g 2",
    "--layer ConvTranspose3d --in 2,2,2,2 --out 2 --k 2 --g 2",
    "--layer Conv3d --in 2,4,4,4 --out 2 --k 3",
    "--layer ConstantPad3d --in 2,2,2,2 --p 1 --value 3",
    "--layer ZeroPad2d --in 2,3,3 --p 1",
    "--layer Upsample --in 2,3,3 --scale-factor 2",
    "--layer PixelUnshuffle --in 2,4,4 --downscale-factor 2",
    "--layer ChannelShuffle --in 6,2,2,2 --g 2",
    "--layer Unfold --in 1,4,4 --k 2",
]


@pytest.mark.parametrize("lang", CHINESE)
def test_info_prints_its_lines_in_the_language(lang):
    for line in INFO_LAYERS:
        english = CliRunner().invoke(main, ["info", *shlex.split(line)])
        result = CliRunner().invoke(main, ["info", *shlex.split(line), "--lang", lang])
        assert result.exit_code == 0 == english.exit_code, result.output
        lines, before = result.output.splitlines(), english.output.splitlines()
        assert len(lines) == len(before) and lines != before
        assert [w for text in lines for w in untranslated(text)] == [], line
        numbers = re.compile(r"\d+(?:,\d{3})*")
        assert all(numbers.findall(a) == numbers.findall(b) for a, b in zip(lines, before))
        assert ("参数" if lang == "zh-Hans" else "參數") in result.output


@pytest.mark.parametrize("lang", CHINESE)
def test_info_backward_prints_its_lines_in_the_language(lang):
    for line in BACKWARD:
        args = ["info", *shlex.split(line), "--backward"]
        english, result = CliRunner().invoke(main, args), CliRunner().invoke(main, [*args, "--lang", lang])
        assert result.exit_code == 0 == english.exit_code, (line, result.output)
        lines, before = result.output.splitlines(), english.output.splitlines()
        assert len(lines) == len(before) and lines != before
        assert [w for text in lines for w in untranslated(text)] == [], (line, result.output)
        numbers = re.compile(r"\d+(?:,\d{3})*")
        assert all(numbers.findall(a) == numbers.findall(b) for a, b in zip(lines, before))


def test_the_render_words_of_pages_take_lang():
    """The gallery, the Sphinx directive, the MkDocs plugin and the magic read a render's words."""
    from convgif.integrations.words import parse

    assert parse(["--in", "1,5,5", "--lang", "zh-Hant"]).options["lang"] == "zh-Hant"
    assert parse(["--in", "1,5,5"]).options["lang"] == "en"


@pytest.mark.parametrize("name", ["README.zh-Hans.md", "README.zh-Hant.md"])
def test_the_chinese_readmes_commands_draw_in_their_script(cjk, name, tmp_path, monkeypatch):
    text = (ROOT / name).read_text(encoding="utf-8")
    lang = name.split(".")[1]
    commands = [line for line in text.splitlines() if line.startswith("convgif --")]
    assert len(commands) >= 5 and all(f"--lang {lang}" in line for line in commands)
    monkeypatch.chdir(tmp_path)
    for line in commands[:2]:  # the others are checked by parsing: the first two drawn
        result = CliRunner().invoke(main, shlex.split(line)[1:] + ["-q", "--max-frames", "0"])
        assert result.exit_code == 0, (line, result.output)
    from convgif.integrations.words import parse

    for line in commands:
        words = shlex.split(line)[1:]
        at = words.index("-o")
        assert parse(words[:at] + words[at + 2 :]).options["lang"] == lang
    models = [line for line in text.splitlines() if line.startswith("convgif model ")]
    assert len(models) >= 2 and all(f"--lang {lang}" in line for line in models)
    for line in models:
        words = [w.replace("examples/", f"{ROOT / 'examples'}/") for w in shlex.split(line)[1:]]
        # the folder's drawing is the model page tests'; here its arguments print the table
        result = CliRunner().invoke(main, words if "--table" in words else [*words, "--table"])
        assert result.exit_code == 0, (line, result.output)
        assert "感受野" in result.output and ("模組" if lang == "zh-Hant" else "模块") in result.output


def test_english_never_goes_through_the_catalogue(monkeypatch, tmp_path):
    """English frames are drawn from the kinds' own words: the catalogue is not consulted, and
    the glyphs are asked for no language."""

    def refuse(*args):
        raise AssertionError(f"translated in English: {args}")

    languages = set()
    text_mask = glyphs.text_mask

    def mask(style, text, lang=None):
        languages.add(lang)
        return text_mask(style, text, lang)

    monkeypatch.setattr(language, "_translate", refuse)
    monkeypatch.setattr(glyphs, "text_mask", mask)
    for line in LAYERS[:12] + MORE[:6]:
        out = tmp_path / ("c.png" if "--sheet" in line else "c.gif")
        frames = [] if any(w in line for w in ("--region", "--max-frames", "checkerboard")) else ["--max-frames", "8"]
        result = CliRunner().invoke(main, [*shlex.split(line), *frames, "-q", "-o", str(out)])
        assert result.exit_code == 0, (line, result.output)
    assert languages == {None}


@pytest.mark.parametrize("lang", CHINESE)
def test_width_counts_wide_characters_two_cells(cjk, lang):
    """A figure asked to be narrow is, its Chinese caption broken where it fits."""
    spec = convgif.Conv2dSpec((3, 7, 7), 2, 3, 2, 1, 2)
    wide, narrow = io.BytesIO(), io.BytesIO()
    full = convgif.render(spec, wide, lang=lang, max_frames=0)
    small = convgif.render(spec, narrow, lang=lang, width=330, max_frames=0)
    assert small.size[0] <= 330 < full.size[0]


@pytest.mark.parametrize("lang", CHINESE)
def test_the_matrix_view_and_unfold_fold_read_as_sentences_in_the_references_terms(lang):
    """The notes and headings of ``Y = W·X``, ``y = Cᵀ·x``, the overlaps, Unfold and Fold, and
    the matrix lines of ``convgif info``, in the terms of the Chinese references (展开 (im2col),
    矩阵, 转置卷积, 折叠's 窗口), no English word left between them."""
    cases = [
        (
            convgif.Conv2dSpec((4, 5, 5), 4, 3, groups=2),
            {"view": "matrix"},
            ("展开 (im2col)", "分块对角矩阵", "重排为"),
        ),
        (
            convgif.ConvTranspose2dSpec((1, 3, 3), kernel_size=3, stride=2, padding=1),
            {"view": "matrix"},
            ("转置卷积乘以它的转置 Cᵀ", "展平的 x"),
        ),
        (convgif.ConvTranspose2dSpec((2, 4, 4), kernel_size=3, stride=2), {"view": "overlaps"}, ("棋盘格", "抽头")),
        (
            convgif.UnfoldSpec((2, 5, 5), kernel_size=3, padding=1, stride=2),
            {},
            ("每个窗口一列", "pad(x)", "窗口起点 ("),
        ),
        (convgif.FoldSpec((8, 12), (4, 5), kernel_size=2), {}, ("窗口重叠处数值相加", "fold(unfold(x))", "窗口起点 (")),
    ]
    hant = lang == "zh-Hant"
    for spec, view, terms in cases:
        (geometry,) = ops.of(spec).geometries(spec, **view)
        shown, plan = translated.geometry(geometry, lang), geometry.arrangement
        words = [*shown.notes, shown.input_heading, shown.output_heading, shown.step_text]
        if plan is not None:  # the matrices' headings, made while drawing
            with language.speaking(lang):
                words += plan.headings(dict(zip("xwy", plan.wholes)))
                for drawn in (geometry.in_channels, geometry.in_per_group):  # every group, or one alone
                    words += [say(note) for note in plan.notes(tuple(range(drawn)), (0,))]
        assert [w for text in words for w in untranslated(text)] == [], words
        for term in terms:
            assert (language._to_traditional(term) if hant else term) in " ".join(words), (term, words)
    lines = "\n".join(explain(convgif.Conv2dSpec((4, 5, 5), 4, 3, groups=2), max_frames=0, lang=lang))
    assert ("写成一次矩阵乘法" if not hant else "寫成一次矩陣乘法") in lines and not untranslated(lines)


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_how_many_channels_are_shown_reads_as_a_count_not_as_a_channels_number(lang):
    import random

    from convgif.language import say

    rng = random.Random(13)
    measure = "个" if lang == "zh-Hans" else "個"
    for what in ["input channels", "output channels", "dy channels", "d kernels", "output grids (y and indices)"]:
        for _ in range(20):
            total = rng.randint(2, 999)
            shown = rng.randint(1, total - 1)
            said = say(f"showing {shown} of {total} {what}", lang)
            assert f"{shown}/{total}" not in said, said  # read as "channel 1 (of 2)"
            assert said.index(f" {shown} {measure}") < said.index(f"(共 {total} {measure}"), said
    both = say("showing 3 of 64 input channels, 1 of 64 output channels", lang)
    assert both.count(f"(共 64 {measure}") == 2 and f" 3 {measure}" in both and f" 1 {measure}" in both, both


@pytest.mark.parametrize(
    ("pattern", "needed"),
    [
        (r"output channels?", "output channel"),  # the optional s is not needed
        (r"(\d+) of (\d+) kernels", " kernels"),  # the longest run outside the groups
        (r"(?<![\w'=.\[])(?<!--)its kernel", "its kernel"),
        (r"rows|columns", ""),  # either word: no part is needed
        (r"(?:a|b)c", "c"),
    ],
)
def test_a_phrase_is_tried_only_on_a_text_holding_what_every_match_holds(pattern, needed):
    compiled = re.compile(pattern)
    assert language._needed(compiled) == needed
    for text in ("3 of 4 kernels", "its kernel", "output channel", "output channels", "rows", "columns", "bc"):
        if compiled.search(text):
            assert needed in text
