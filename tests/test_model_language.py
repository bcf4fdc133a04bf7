"""A whole network's page in Chinese (``convgif model --lang``, ``convgif.model(lang=...)``):
every word of the page, the table and the receptive field's animation in the language but the
code's names, the terms of the reference documents and Taiwan's rows and columns, the html
``lang`` attribute, the cache keyed by the language, and ``--lang`` checked as any option is.
"""

from __future__ import annotations

import ast
import html
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

torch = pytest.importorskip("torch")
import torch.nn as nn  # noqa: E402
from test_model_contract_field import _Block  # noqa: E402
from test_model_page import _Twice, _Up  # noqa: E402

import convgif  # noqa: E402
from convgif.cli import main  # noqa: E402
from convgif.errors import SpecError  # noqa: E402
from convgif.language import PATH, full_width, say, untranslated  # noqa: E402
from convgif.language.catalogue_model import FROM_TEXT, WITH_EXAMPLE, WITH_PICTURE  # noqa: E402
from convgif.network import build, field_picture  # noqa: E402
from convgif.network.page import markdown_table  # noqa: E402
from convgif.picture import glyphs  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))
import models  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")
CHINESE = ("zh-Hans", "zh-Hant")
#: torch functions the networks below call, named on their pages as the reason a field stops
TORCH_CALLS = {"roll", "mean"}


class _Roll(nn.Module):
    """A convolution, a torch.roll convgif does not follow, a pooling."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        return self.pool(torch.roll(self.conv(x), 1, -1))


class _Batch(nn.Module):
    """A mean over the batch axis: one sample's field cannot be told."""

    def __init__(self):
        super().__init__()
        self.output = nn.Conv2d(1, 2, 3, padding=1)  # a module named as a word the catalogue translates

    def forward(self, x):
        y = self.output(x)
        return y * y.mean(0, keepdim=True)


def _networks() -> list[tuple[str, object, tuple[int, ...]]]:
    """Networks whose pages between them hold every kind of sentence a page writes: uneven moves
    and torchinfo's transposed weights and norm layers (_Up, a 3-D one), a module called three
    times, fields not followed, a 3-D network (no receptive-field picture), a 1-D one, a field
    that reaches into the padding (the corner cell's note), a flattening (no spatial output),
    attention over every position (every cell sees the whole input)."""
    torch.manual_seed(0)
    return [
        ("up", _Up(), (1, 12, 10)),
        ("twice", _Twice(), (3, 32, 32)),
        ("roll", _Roll(), (1, 8, 8)),
        ("batch", _Batch(), (1, 8, 8)),
        ("wavenet", models.wavenet(), (1, 32)),
        (
            "three",
            nn.Sequential(nn.Conv3d(1, 2, 3, padding=1), nn.ConvTranspose3d(2, 2, (1, 2, 2), (1, 2, 2))),
            (1, 3, 4, 4),
        ),
        ("padded", nn.Sequential(nn.Conv2d(1, 1, 7, padding=3)), (1, 4, 4)),
        ("linear", nn.Sequential(nn.Flatten(), nn.Linear(16, 3)), (1, 4, 4)),
        ("attention", _Block(), (1, 4, 4)),
    ]


def _text_of(path: Path) -> str:
    """What a reader reads of a page: the HTML's text without tags and styles, or the Markdown
    without its escapes, its pictures' file names and anchors."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    else:  # a Markdown escape (kernel\_size in a picture's alt text) is not read
        text = re.sub(r"\\([\\`*_{}\[\]()#+.!|-])", r"\1", text)
    return re.sub(r"\]\([^)]*\)|<a id=\"[^\"]*\"></a>|#layer-\S+", " ", text)


def _english_left(text: str, result) -> list[str]:
    """The English words of ``text`` but the network's names (modules, classes, the torch
    functions named as reasons) and those :func:`convgif.language.untranslated` keeps."""
    return _left(text, {n for r in result.rows for n in (r.name, r.cls)} | TORCH_CALLS)


def _left(text: str, names: set[str]) -> list[str]:
    kept = re.compile(r"(?<![\w.=])(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(?![\w])")
    return untranslated(kept.sub(" ", text))


@pytest.mark.parametrize("lang", CHINESE)
def test_every_word_of_a_chinese_page_is_chinese_but_the_codes_names(lang, tmp_path, cjk):
    """Each network's page in English holds English words; in Chinese, none but the code's names."""
    for name, network, shape in _networks():
        english = build.model(network, shape, tmp_path / f"{name}-en", draw=False)
        result = build.model(network, shape, tmp_path / f"{name}-{lang}", draw=False, lang=lang)
        for page in ("index.html", "README.md"):
            assert _english_left(_text_of(english.folder / page), english), (name, page)
            left = _english_left(_text_of(result.folder / page), result)
            assert left == [], (name, page, left)
        assert _english_left(markdown_table(result), result) == [], name
        assert f'<html lang="{lang}">' in (result.folder / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", CHINESE)
def test_the_drawn_layers_section_and_the_notes_from_a_text_and_a_picture(lang, tmp_path, cjk):
    """The notes that depend on how the layers are drawn (print(model) text, a picture, the
    module's weights) and the animation links: every word Chinese, the layers drawn."""
    text = tmp_path / "model.txt"
    text.write_text(str(models.vgg_block()))
    small = {"max_frames": 4, "jobs": 1, "lang": lang}
    runs = [
        (str(text), {}, FROM_TEXT),
        (models.vgg_block(), {"image": ROOT / "examples" / "shapes.png"}, WITH_PICTURE),
        (models.vgg_block(), {}, WITH_EXAMPLE),
    ]
    for k, (network, extra, note) in enumerate(runs):
        result = build.model(network, (3, 6, 6), tmp_path / str(k), **small, **extra)
        assert result.drawings and not result.failed
        for page in ("index.html", "README.md"):
            said = _text_of(result.folder / page)
            assert _english_left(said, result) == [], (k, page)
            assert full_width(say(note, lang), lang) in said and say(note, lang) != note
        assert f">{say('animation', lang)}</a>" in (result.folder / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", CHINESE)
def test_no_path_on_a_chinese_page_is_altered(lang, tmp_path):
    """The page of a network read from text tells where the model itself would come from
    (path/to/file.py:NAME): its "to" is part of a path a reader copies, not a word ("path/到/...")."""
    text = tmp_path / "model.txt"
    text.write_text(str(models.vgg_block()))
    english = build.model(str(text), (3, 6, 6), tmp_path / "en", max_frames=2, jobs=1)
    result = build.model(str(text), (3, 6, 6), tmp_path / lang, max_frames=2, jobs=1, lang=lang)
    for page in ("index.html", "README.md"):
        paths = sorted(PATH.findall(_text_of(english.folder / page)))
        assert "path/to/file.py:NAME" in paths, page
        assert sorted(PATH.findall(_text_of(result.folder / page))) == paths, page
    error = "only nn.Sequential is read from text (give the model itself, as path/to/file.py:NAME)"
    assert "path/to/file.py:NAME" in say(error, lang) and "a/to/b/to.py" in say("from a/to/b/to.py to the input", lang)
    assert "examples/for.txt" in say("input from examples/for.txt", lang)


def test_the_pages_terms_are_the_references_and_taiwan_names_rows_and_columns():
    """输入/輸入, 参数/參數, 感受野, 偏置, 填充, 卷积/卷積; a table row is 行 on the mainland and 列 in
    Taiwan (the receptive field's rows and columns too), a network 網路 and a module 模組 there."""
    network, shape = _Up(), (1, 12, 10)
    hans = build.model(network, shape, None, lang="zh-Hans")
    hant = build.model(network, shape, None, lang="zh-Hant")
    from convgif.network.page import _say, _totals

    hans_lines, hant_lines = [_say(hans, t) for t in _totals(hans)], [_say(hant, t) for t in _totals(hant)]
    assert hans_lines[0].startswith("输入 (1, 12, 10) · 参数 ") and hant_lines[0].startswith("輸入 (1, 12, 10) · 參數 ")
    assert re.search(r"\+ [\d,]+ 次偏置加法 \(每个输出值一次\)", hans_lines[1])  # a count of additions, as the others
    assert "up 的权重 (torchinfo 把转置卷积的每个权重" in hans_lines[1]
    assert re.search(r"^convgif 画出 \d+ 层，另有 \d+ 行未画出$", hans_lines[2])  # rows of the table, not drawn
    assert re.search(r"^convgif 畫出 \d+ 層，另有 \d+ 列未畫出$", hant_lines[2])
    assert markdown_table(hant).startswith("| 模組 | 類別 | 輸入 → 輸出 | 參數 |")
    assert say("The network, layer by layer", "zh-Hant") == "網路逐層圖解"
    assert say("The whole field: rows −6 to 9, columns −6 to 9; rows and columns −6 to −1 are padding", "zh-Hant") == (
        "整個感受野: 列 −6 到 9, 行 −6 到 9; 其中 列和行 −6 到 −1 是填充"
    )


_WORDS_OF = field_picture.words_of


def _words(monkeypatch, network, shape, folder, lang, trace=None) -> tuple[list[str], set[str]]:
    """The receptive field's animation's words, as drawn in ``lang``, and the network's names."""
    seen = []
    words_of = _WORDS_OF

    def keep(*args, **kwargs):
        title, heads, words = words_of(*args, **kwargs)
        seen.extend([title, *heads, *(line for w in words for line in w.split("\n"))])
        return title, heads, words

    monkeypatch.setattr(field_picture, "words_of", keep)
    result = build.model(network, shape, folder, draw=False, lang=lang, trace=trace, force=True)
    return seen, {n for r in result.rows for n in (r.name, r.cls)}


@pytest.mark.parametrize("lang", CHINESE)
def test_the_receptive_fields_animation_speaks_the_language(lang, monkeypatch, tmp_path, cjk):
    """Title, every frame's head and words (the padding note of a corner cell too) in the
    language, every glyph in the font; a module named 'output' keeps its name."""
    torch.manual_seed(0)
    vgg = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(2, 2, 3, padding=1))
    cases = [
        (vgg, (1, 8, 8), "3:0,0"),  # a corner: its field reaches into the padding
        (vgg, (1, 8, 8), None),
        (_Batch(), (1, 8, 8), "output"),
        (models.wavenet(), (1, 32), None),
    ]
    for network, shape, trace in cases:
        english, names = _words(monkeypatch, network, shape, tmp_path / "en", "en", trace)
        words, _ = _words(monkeypatch, network, shape, tmp_path / lang, lang, trace)
        assert len(words) == len(english) and words != english
        for line, before in zip(words, english):
            assert _left(line, names) == [], (line, before)
            assert not glyphs.missing_glyphs(line, lang), line
        if trace == "3:0,0":
            assert any(w.endswith("是填充") and "−" in w for w in words), words
        if trace == "output":
            assert any(re.match("^(模块|模組) output ", w) for w in words)  # the module's name, not 输出


def test_switching_the_language_draws_again_and_an_unchanged_page_is_not(tmp_path, cjk):
    """The layers' animations and the receptive field are drawn anew in the other language (not
    the English files reused); the same language again is up to date; English again gives the
    same bytes as before."""
    torch.manual_seed(0)
    network = nn.Sequential(nn.Conv2d(1, 2, 3), nn.MaxPool2d(2))
    small = {"max_frames": 3, "jobs": 1}
    folder = tmp_path / "page"

    def files() -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in [*folder.glob("layers/*.gif"), folder / "receptive-field.gif"]}

    first = build.model(network, (1, 6, 6), folder, **small)
    english = files()
    assert not any(d.cached for d in first.drawings)
    hans = build.model(network, (1, 6, 6), folder, lang="zh-Hans", **small)
    assert not hans.up_to_date and hans.drawings and not any(d.cached for d in hans.drawings)
    chinese = files()
    assert all(chinese[name] != english[name] for name in english)
    again = build.model(network, (1, 6, 6), folder, lang="zh-Hans", **small)
    assert again.up_to_date
    hant = build.model(network, (1, 6, 6), folder, lang="zh-Hant", **small)
    assert not hant.up_to_date and not any(d.cached for d in hant.drawings)
    assert files() != chinese
    back = build.model(network, (1, 6, 6), folder, **small)
    assert not back.up_to_date and not any(d.cached for d in back.drawings)
    assert files() == english
    assert '<html lang="en">' in (folder / "index.html").read_text(encoding="utf-8")


def test_the_python_api_takes_lang_as_tagged_and_refuses_another_naming_lang(tmp_path, cjk):
    result = convgif.model(models.vgg_block(), (3, 6, 6), tmp_path / "a", lang="ZH-hant", draw=False)
    assert result.lang == "zh-Hant"
    assert '<html lang="zh-Hant">' in result.page.read_text(encoding="utf-8")
    assert "網路逐層圖解" in result.markdown.read_text(encoding="utf-8")
    for bad in ("fr", "zh", None, 3):
        with pytest.raises(SpecError) as caught:
            convgif.model(models.vgg_block(), (3, 6, 6), tmp_path / "b", lang=bad)
        assert caught.value.argument == "lang" and "zh-Hans" in str(caught.value)
    assert not (tmp_path / "b").exists()
    with pytest.raises(SpecError):  # the table alone checks it too
        convgif.model(models.vgg_block(), (3, 6, 6), None, lang="de")


def test_the_command_writes_the_page_and_prints_the_table_in_the_language(tmp_path, cjk):
    text = ROOT / "examples" / "vgg_block.txt"
    runner = CliRunner()
    table = runner.invoke(main, ["model", str(text), "--in", "3,8,8", "--table", "--lang", "zh-Hans"])
    assert table.exit_code == 0, table.output
    english = runner.invoke(main, ["model", str(text), "--in", "3,8,8", "--table"]).output
    assert table.output.splitlines()[0] == "| 模块 | 类 | 输入 → 输出 | 参数 | 乘加次数 | 感受野 | 动画 |"
    assert len(table.output.splitlines()) == len(english.splitlines())
    assert english.splitlines()[0].startswith("| module | class |")
    out = tmp_path / "page"
    args = ["model", str(text), "--in", "3,8,8", "-o", str(out), "--jobs", "1", "--max-frames", "3", "-q"]
    written = runner.invoke(main, [*args, "--lang", "zh-Hant"])
    assert written.exit_code == 0, written.output
    assert '<html lang="zh-Hant">' in (out / "index.html").read_text(encoding="utf-8")
    bad = runner.invoke(main, [*args, "--lang", "fr"])
    assert bad.exit_code == 2 and "--lang" in bad.output and "'fr'" in bad.output


def _reasons() -> list[str]:
    """Every reason convgif's network modules give for a field they do not follow or a row they
    do not draw, as written in their source (each f-string's values as a class name)."""
    found = []
    for module in ("reach", "layout", "trace", "text", "graph", "along", "axes", "regroup", "contract"):
        tree = ast.parse((ROOT / "convgif" / "network" / f"{module}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Unknown" and node.args:
                found.append(node.args[0])
            elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Plan" and len(node.args) > 3:
                found.append(node.args[3])
            elif isinstance(node, ast.Assign) and any(
                getattr(t, "attr", getattr(t, "id", None))
                in ("reason", "stopped", "BATCH", "MOVED", "REGROUPED", "BATCHED", "number", "why")
                or getattr(t, "id", "").startswith("_")  # a module's own reason: _CUT, _INDEX, ...
                for t in node.targets
            ):
                found.append(node.value)
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "get" and len(node.args) == 2:
                found.append(node.args[1])  # why.get(kind, default)
            elif isinstance(node, ast.Dict) and all(isinstance(v, ast.Constant) for v in node.values):
                found.extend(v for v in node.values if isinstance(v.value, str) and " " in v.value)
    texts = []
    for node in list(found):
        if isinstance(node, ast.IfExp):
            found += [node.body, node.orelse]
    for node in found:
        if isinstance(node, ast.JoinedStr):
            texts.append(
                "".join(
                    str(part.value)
                    if isinstance(part, ast.Constant)
                    else ("'Conv2d'" if part.conversion == 114 else "Conv2d")
                    for part in node.values
                )
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and " " in node.value:
            texts.append(node.value)
    return texts


@pytest.mark.parametrize("lang", CHINESE)
def test_every_reason_a_field_is_not_followed_is_in_the_catalogue(lang):
    """A reason convgif gives (in reach, layout, trace, text, graph) and the page shows, in the
    language: a new reason needs its sentence in convgif/language/catalogue_model.py."""
    reasons = _reasons()
    assert len(reasons) > 20
    left = {}
    for reason in reasons:
        said = say(reason, lang)
        words = [w for w in untranslated(said) if w not in {"Conv2d"}]
        if words:
            left[reason] = words
    assert left == {}
