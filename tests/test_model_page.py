"""What a model's page says beside its table: with which values the layers are drawn, how
torchinfo's Mult-Adds differ from convgif's count and why, and the receptive field of each call
of a module called more than once, each against torch (its gradients, its modules, torchinfo).
"""

from __future__ import annotations

import math
import re
import sys
from html import unescape
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

torch = pytest.importorskip("torch")
import torch.nn as nn  # noqa: E402
from test_model_field import _AverageForMax, _monotone  # noqa: E402

from convgif.network import build  # noqa: E402
from convgif.network.page import markdown_table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))
import models  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")
SMALL = {"max_frames": 6, "jobs": 1}


def _section(path: Path) -> str:
    """The README's words between the heading of the drawn layers and the first of them."""
    text = path.read_text()
    return text.split("## The layers convgif draws", 1)[1].split("<a id=", 1)[0]


def test_the_page_says_the_layers_are_drawn_with_an_example_input(tmp_path):
    """Traced without a picture, each layer is given its module's weights and no input (the
    drawing makes up one): the page says so where the layers are listed, and how to do otherwise."""
    network = models.vgg_block()
    result = build.model(network, (3, 6, 6), tmp_path / "plain", **SMALL)
    drawn = [r for r in result.rows if r.spec is not None]
    assert drawn and not any("input" in r.values for r in drawn)
    first = next(r for r in drawn if "weight" in r.values)
    module = network.get_submodule(first.name)
    assert first.values["weight"] is module.weight  # the module's own, not an example
    words = _section(tmp_path / "plain" / "README.md")
    assert "its module's own weights and biases" in words and "example input of small random integers" in words
    assert "--image" in words
    html = (tmp_path / "plain" / "index.html").read_text()
    assert "example input of small random integers" in html.split("<h2>The layers convgif draws</h2>", 1)[1]

    picture = ROOT / "examples" / "shapes.png"
    result = build.model(network, (3, 6, 6), tmp_path / "picture", image=picture, **SMALL)
    assert all("input" in r.values for r in result.rows if r.spec is not None)
    words = _section(tmp_path / "picture" / "README.md")
    assert "the activation it receives" in words and "example" not in words


def test_a_page_from_print_model_text_says_every_value_is_an_example(tmp_path):
    text = tmp_path / "model.txt"
    text.write_text(str(models.vgg_block()))
    result = build.model(str(text), (3, 6, 6), tmp_path / "text", **SMALL)
    assert result.from_text and not any(r.values for r in result.rows)
    words = _section(tmp_path / "text" / "README.md")
    assert "example values" in words and "no weights" in words


class _Up(nn.Module):
    """A small U-Net: a ConvTranspose2d of stride 2, batch norms, biases and not."""

    def __init__(self):
        super().__init__()
        self.down = nn.Conv2d(1, 4, 3, stride=2, padding=1)
        self.norm = nn.BatchNorm2d(4)
        self.up = nn.ConvTranspose2d(4, 3, 2, stride=2)
        self.mix = nn.Conv2d(4, 2, 3, padding=1, bias=False)

    def forward(self, x):
        return self.mix(torch.cat([self.up(self.norm(self.down(x))), x], 1))


@pytest.mark.parametrize(("name", "shape"), [("up", (1, 12, 10)), ("unet", (1, 8, 8)), ("resnet18", (3, 32, 32))])
def test_the_torchinfo_note_adds_up_and_names_its_parts(name, shape, tmp_path):
    """torchinfo's total equals convgif's plus the parts the note lists; each part equals what
    torch's modules give: every bias times its output positions, every transposed convolution's
    weights times (output − input positions), every norm layer's parameters and linear layer's
    biases once."""
    torchinfo = pytest.importorskip("torchinfo")
    network = _Up() if name == "up" else getattr(models, name)()
    result = build.model(network, shape, tmp_path, draw=False)
    line = next(line for line in (tmp_path / "README.md").read_text().splitlines() if "torchinfo" in line)
    total = torchinfo.summary(network, input_size=(1, *shape), verbose=0).total_mult_adds
    assert line.startswith(f"torchinfo's Mult-Adds for the same model: {total:,} = convgif's {result.macs:,} ")
    found = {
        cause: int(count.replace(",", "")) * (-1 if sign == "−" else 1)
        for sign, count, cause in re.findall(r"([+−]) ([\d,]+) for (the weights of|adding the biases|the norm)", line)
    }
    assert total == result.macs + sum(found.values())
    expected = {"the weights of": 0, "adding the biases": 0, "the norm": 0}

    def count(module, inputs, output):
        positions = math.prod(output.shape[2:])
        if isinstance(module, nn.modules.conv._ConvNd) and module.bias is not None:
            expected["adding the biases"] += module.bias.numel() * positions
        if isinstance(module, nn.Linear) and module.bias is not None:
            expected["adding the biases"] += module.bias.numel()
        if isinstance(module, nn.modules.conv._ConvTransposeNd):
            expected["the weights of"] += module.weight.numel() * (positions - math.prod(inputs[0].shape[2:]))
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            expected["the norm"] += sum(p.numel() for p in module.parameters())

    handles = [m.register_forward_hook(count) for m in network.modules()]
    with torch.no_grad():
        network.eval()(torch.zeros(1, *shape))
    for handle in handles:
        handle.remove()
    assert found == {cause: n for cause, n in expected.items() if n}
    if name == "up":
        assert "the weights of up (torchinfo counts each weight of a transposed convolution once per output" in line


class _Twice(nn.Module):
    """One ReLU called twice, as torchvision's BasicBlock does: after the first convolution, and
    after the sum with the shortcut."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 7, 2, 3)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(4, 4, 3, 2, 1)
        self.conv3 = nn.Conv2d(4, 4, 3, 1, 1)
        self.down = nn.Conv2d(4, 4, 1, 2)

    def forward(self, x):
        x = self.relu(self.conv1(x))
        return self.relu(self.conv3(self.relu(self.conv2(x))) + self.down(x))


def test_a_module_called_twice_shows_each_calls_field(tmp_path):
    """The ReLU's three calls see 7, 15 and 31 input cells a side; torch's gradient of a middle
    cell of each call's output reaches that many."""
    network, shape = _Twice(), (3, 64, 64)
    result = build.model(network, shape, None, draw=False)
    row = next(r for r in result.rows if r.name == "relu")
    cells = next(line for line in markdown_table(result).splitlines() if line.startswith("| relu |")).split(" | ")[5]
    said = re.findall(r"call (\d): (\d+)×(\d+) · jump (\d+)×\d+ · start (−?\d+)", cells)
    assert [k for k, *_ in said] == ["1", "2", "3"]
    model = _monotone(network)
    outputs = []
    model.relu.register_forward_hook(lambda m, a, out: outputs.append(out))
    x = torch.rand((1, *shape), dtype=torch.float64, generator=torch.Generator().manual_seed(1)) + 0.5
    x.requires_grad_()
    with _AverageForMax():
        model(x)
    assert len(outputs) == row.calls == 3
    for (_, rows, cols, jump, start), out in zip(said, outputs):
        middle = out.shape[-1] // 2
        (grad,) = torch.autograd.grad(out[0, :, middle, middle].sum(), x, retain_graph=True)
        seen = np.nonzero(grad[0].abs().sum(0).numpy())
        assert [int(s.max() - s.min() + 1) for s in seen] == [int(rows), int(cols)]
        assert int(seen[0].min()) == int(start.replace("−", "-")) + middle * int(jump)


class _Features(nn.Module):
    """Named modules inside a container, and a pooling called as a function."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 2, (3, 1), stride=(2, 1)))

    def forward(self, x):
        return torch.nn.functional.max_pool2d(self.features(x), 2, ceil_mode=True)


@pytest.mark.parametrize("lang", ["en", "zh-Hans", "zh-Hant"])
def test_each_drawn_layer_is_headed_with_its_name_class_and_arguments(lang, tmp_path):
    """Below the wide table a reader learns which layer an animation shows from its heading (and
    the picture's alt text): the module's name and the module as print(model) shows it, in every
    language; a functional call's name and its arguments; a layer read from text, its line."""
    from convgif.picture import glyphs

    if lang != "en" and glyphs.find_cjk_font(lang) is None:
        pytest.skip("no CJK font")
    network = _Features()
    text = tmp_path / "model.txt"
    text.write_text(str(models.vgg_block()))
    printed = {f"{n}": repr(m) for n, m in network.named_modules() if n and not list(m.children())}
    printed["max_pool2d"] = (
        "F.max_pool2d(kernel_size=2, stride=None, padding=0, dilation=1, ceil_mode=True, return_indices=False)"
    )
    lines = {str(k): repr(m) for k, m in enumerate(models.vgg_block())}
    for source, shape, expected in [(network, (3, 6, 6), printed), (str(text), (3, 6, 6), lines)]:
        result = build.model(source, shape, tmp_path / f"{len(expected)}-{lang}", lang=lang, **SMALL)
        drawn = [d.row for d in result.drawings if not d.error]
        assert drawn and len(drawn) == len([r for r in result.rows if r.spec is not None])
        html = (result.folder / "index.html").read_text(encoding="utf-8")
        markdown = (result.folder / "README.md").read_text(encoding="utf-8")
        headings = re.findall(
            r"<h3><code>(.*?)</code></h3>\n(?:<picture><source[^>]*>)?<img[^>]* alt=\"([^\"]*)\"", html
        )
        said = [tuple(unescape(part) for part in pair) for pair in headings]
        want = [f"{name} · {expected[name]}" for name in drawn]
        assert len(want) == len([p for p in expected.values() if not p.startswith("ReLU")])
        assert [heading for heading, _ in said] == want and [alt for _, alt in said] == want
        assert re.findall(r"^### `(.*)`$", markdown, flags=re.M) == want
        assert [alt.replace("\\", "") for alt in re.findall(r"^!\[(.*)\]\(layers/", markdown, flags=re.M)] == want


def _uneven():
    """A pooling, then a bilinear upsampling whose neighbouring fields move 0, then 2 cells."""
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1),
        nn.MaxPool2d(2),
        nn.Conv2d(2, 2, 3, padding=1),
        nn.Upsample(scale_factor=2, mode="bilinear"),
        nn.Conv2d(2, 1, 3, padding=1),
    )


@pytest.mark.parametrize("lang", ["en", "zh-Hans"])
def test_the_note_on_uneven_moves_is_true_of_the_moves_listed(lang, tmp_path):
    """The moves listed near the edges need not average to the jump (0, 0, 2, 0, 2, 0, 2 average
    6/7, the jump is 1): the note says the jump is the average over a whole period of the
    pattern, and does not call it the average of the moves listed."""
    from convgif.language import full_width, say
    from convgif.language.catalogue_model import FIELD_NOTE

    result = build.model(_uneven(), (1, 8, 8), tmp_path, draw=False, lang=lang)
    up = next(r for r in result.rows if r.cls == "Upsample")
    (size, jump, start), _ = up.field
    moves = [
        int(m)
        for m in re.search(r"starts move ([\d, ]+)\)", markdown_table(build.model(_uneven(), (1, 8, 8), None)))
        .group(1)
        .split(", ")
    ]
    assert jump == 1 and sum(moves) / len(moves) != jump  # the moves listed: not averaging to the jump
    tail = moves[-2:]  # one period of the pattern, away from the first cell's edge
    assert sum(tail) / len(tail) == jump
    note = (tmp_path / "README.md").read_text(encoding="utf-8")
    said = full_width(say(FIELD_NOTE, lang), lang)
    assert said in note
    if lang == "en":
        assert "their average" not in said and "average move over one whole period" in said
        assert "need not average to the jump" in said
    else:
        assert "它们的平均值" not in said and "一个完整周期内的平均移动" in said and "不一定等于间隔" in said


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_chinese_page_prose_takes_chinese_punctuation_and_frames_keep_theirs(lang, tmp_path, monkeypatch):
    """On a Chinese page the prose's commas, colons and semicolons are ，：； as the reference
    documents write them, shapes and lists of numbers keeping theirs ((1, 8, 8), 0, 0, 2); the
    frames' words, laid out in monospaced cells, keep the half-width forms."""
    from convgif.network import field_picture

    words = []
    draw = field_picture.frames_of

    def keep(frames, chosen, title, theme="light", lang="en"):
        words.extend(field_picture.words_of(frames, title, lang)[2])
        return draw(frames, chosen, title, theme, lang)

    monkeypatch.setattr(field_picture, "frames_of", keep)
    result = build.model(_uneven(), (1, 8, 8), tmp_path, draw=False, lang=lang)
    hanzi = r"[\u2e80-\u9fff]"
    for page in ("README.md", "index.html"):
        text = unescape(re.sub(r"<[^>]+>", " ", (tmp_path / page).read_text(encoding="utf-8")))
        assert not re.search(rf"{hanzi}[,:;] |[,:;] {hanzi}", text), re.findall(rf".{{6}}[,:;] {hanzi}.{{6}}", text)
        assert "，" in text and "：" in text and "；" in text
        assert "(1, 8, 8) → (2, 8, 8)" in text and re.search(r"0, 0, 2, 0, 2", text)
    assert result.trace and any(re.search(rf"[,:;] {hanzi}", w) for w in words)  # (行 3–6, 列 3–6): 即整个感受野
    assert not any(c in w for w in words for c in "，：；")


@pytest.mark.parametrize("theme", [None, "light", "dark"])
def test_the_page_takes_the_pictures_theme(theme, tmp_path):
    """--theme dark draws dark pictures on a dark page, whatever the reader's browser prefers;
    --theme light a light page; with no theme (light pictures) the page follows the reader."""
    result = build.model(_uneven(), (1, 8, 8), tmp_path, draw=False, theme=theme)
    style = re.search(r"<style>(.*)</style>", (tmp_path / "index.html").read_text(), re.S).group(1)
    body = re.findall(r"(?<![\w-])body\{color:(#\w+);background:(#\w+)\}", style)
    dark, light = ("#e6edf3", "#0d1117"), ("#1f2328", "#fff")
    if theme is None:
        assert body == [light, dark] and "@media (prefers-color-scheme:dark)" in style
    else:
        assert body == [dark if theme == "dark" else light] and "prefers-color-scheme" not in style
    assert result.theme == theme
    picture = np.asarray(Image.open(tmp_path / result.trace).convert("RGB"))
    corner = tuple(int(v) for v in picture[0, 0])
    assert (corner == (13, 17, 23)) == (theme == "dark")  # the animation's own background


@pytest.mark.parametrize("inline", [False, True])
def test_readers_who_prefer_reduced_motion_see_each_animations_still(inline, tmp_path):
    """As a single layer's --html page does, the model's page gives every animation (each layer's
    and the receptive field's) a still, its last frame, shown to readers who prefer reduced
    motion: a file beside it, or inside the page with inline."""
    from convgif.integrations.embed import REDUCED_MOTION, still_name

    network = nn.Sequential(nn.Conv2d(1, 1, 3), nn.MaxPool2d(2))
    result = build.model(network, (1, 6, 6), tmp_path, inline=inline, max_frames=2, jobs=1)
    page = (tmp_path / "index.html").read_text()
    animations = [result.trace, *(d.file for d in result.drawings)]
    assert len(animations) == 3 and not result.failed
    sources = re.findall(rf'<picture><source media="{re.escape(REDUCED_MOTION)}" srcset="([^"]+)">', page)
    assert len(sources) == len(animations) and page.count("<img ") == len(animations)
    for name, source in zip(animations, sources):
        still, gif = Image.open(tmp_path / still_name(name)), Image.open(tmp_path / name)
        assert still.format == "PNG" and still.size == gif.size
        gif.seek(gif.n_frames - 1)  # the last frame, as the animation ends
        last = np.asarray(gif.convert("RGB"), np.int16)
        assert np.abs(np.asarray(still.convert("RGB"), np.int16) - last).mean() < 2
        assert source.startswith("data:image/png;base64,") if inline else source == still_name(name)
    (tmp_path / still_name(result.drawings[0].file)).unlink()  # a still gone: that layer drawn again, alone
    again = build.model(network, (1, 6, 6), tmp_path, inline=inline, max_frames=2, jobs=1)
    assert [d.cached for d in again.drawings] == [False, True]
    assert (tmp_path / still_name(result.drawings[0].file)).is_file()
