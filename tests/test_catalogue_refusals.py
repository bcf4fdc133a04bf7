"""Why a network's page leaves a layer undrawn or could not draw it, in Chinese
(convgif/language/catalogue_refusals.py): every refusal convgif gives there reads as a Chinese
sentence in both scripts, its arguments, names, shapes and numbers as they are; a page's table
shows them so, with Chinese punctuation; a refusal the catalogue does not hold stays whole in
English rather than cut into words.
"""

from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace

import pytest

torch = pytest.importorskip("torch")
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from test_model_language import _text_of  # noqa: E402

from convgif import ops  # noqa: E402
from convgif.animation import job  # noqa: E402
from convgif.errors import SpecError, TooLargeError  # noqa: E402
from convgif.inputs.pytorch import kind_of  # noqa: E402
from convgif.language import TRADITIONAL, full_width, say, untranslated  # noqa: E402
from convgif.network import build  # noqa: E402
from convgif.network.page import markdown_table  # noqa: E402
from convgif.network.text import graph_from_text  # noqa: E402
from convgif.ops.args import check_computable  # noqa: E402
from convgif.picture.model import Region  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")
CHINESE = ("zh-Hans", "zh-Hant")


class CentredConv2d(nn.Conv2d):
    """Weight standardisation: a Conv2d whose forward computes otherwise."""

    def forward(self, x):
        weight = self.weight - self.weight.mean((1, 2, 3), keepdim=True)
        return F.conv2d(x, weight, self.bias, self.stride, self.padding)


def _module_refusals() -> list[str]:
    """Why a module of a class convgif draws is not drawn: it overrides forward, has its own set
    on it, or a hook (its own or a global one) may change what it computes."""
    hooked, before, own = nn.Conv2d(1, 1, 3), nn.Conv2d(1, 1, 3), nn.Conv2d(1, 1, 3)
    hooked.register_forward_hook(lambda *args: None)
    before.register_forward_pre_hook(lambda *args: None)
    own.forward = lambda x: x
    said = []
    for module in (CentredConv2d(1, 1, 3), hooked, before, own):
        with pytest.raises(SpecError) as caught:
            kind_of(module)
        said.append(str(caught.value))
    hooks = torch.nn.modules.module
    for register in (hooks.register_module_forward_hook, hooks.register_module_forward_pre_hook):
        handle = register(lambda *args: None)
        try:
            with pytest.raises(SpecError) as caught:
                kind_of(nn.Conv2d(1, 1, 3))
        finally:
            handle.remove()
        said.append(str(caught.value))
    return said


#: Lines of a print(model) text that do not fit the input they receive, or cannot be read, and that input.
LINES = {
    "Conv2d(3, 3, kernel_size=(7, 7), stride=(1, 1))": (3, 4, 4),
    "Conv2d(3, 3, kernel_size=(3, 3), stride=(1, 1), dilation=(3, 3))": (3, 4, 4),
    "Conv2d(4, 3, kernel_size=(3, 3), stride=(1, 1))": (3, 4, 4),
    "MaxPool2d(kernel_size=7, stride=2, padding=0, dilation=1, ceil_mode=False)": (3, 4, 4),
    "MaxPool2d(kernel_size=7, stride=2, padding=0, dilation=1, ceil_mode=True)": (3, 4, 4),
    "AvgPool3d(kernel_size=3, stride=1, padding=1)": (1, 2, 4, 4),
    "Conv2d(3, 3, kernel_size=(3, 3), stride=(1, 1), padding=(4, 4), padding_mode=reflect)": (3, 4, 4),
    "Conv2d(3, 3, kernel_size=(3, 3), stride=(1, 1), padding=(5, 5), padding_mode=circular)": (3, 4, 4),
    "ConvTranspose2d(3, 3, kernel_size=(2, 2), stride=(1, 1), padding=(3, 3))": (3, 2, 2),
    "ConvTranspose2d(3, 3, kernel_size=(2, 2), stride=(1, 1), padding_mode=reflect)": (3, 4, 4),
    "ReflectionPad2d((5, 5, 5, 5))": (3, 4, 4),
    "CircularPad1d((5, 5))": (3, 4),
    "ZeroPad2d((-5, 0, 0, 0))": (3, 4, 4),
    "ZeroPad2d((0, 0, 0, 0, -3, 0))": (3, 4, 4),
    "PixelShuffle(upscale_factor=2)": (3, 4, 4),
    "PixelUnshuffle(downscale_factor=3)": (3, 4, 4),
    "ChannelShuffle(groups=2)": (3, 4, 4),
    "Upsample(scale_factor=0.1, mode='nearest')": (3, 4, 4),
    "FractionalMaxPool2d(kernel_size=(3, 3), output_size=(3, 3))": (3, 4, 4),
    "Unfold(kernel_size=5, dilation=1, padding=0, stride=1)": (3, 4, 4),
    "Linear(in_features=10, out_features=2, bias=True)": (10, 4, 4),
    "Conv2d(3, 3, kernel_size=(3, 3), foo=1)": (3, 4, 4),
    "Conv2d(3, 3, 3, kernel_size=(3, 3))": (3, 4, 4),
    "MaxPool2d(2, 2, 0, 1, False, False, 7)": (3, 4, 4),
    "Conv2d(3, 3, kernel_size=(3, 3), stride=1+1)": (3, 4, 4),
}


def _text(line: str) -> str:
    return f"Sequential(\n  (0): {line}\n  (1): ReLU()\n)\n"


def _line_refusals() -> list[str]:
    """Why a layer of a print(model) text is not drawn, and the next row's (after it: ...)."""
    said = []
    for line, shape in LINES.items():
        rows = graph_from_text(_text(line), shape).rows
        assert rows[1].reason and rows[2].reason.startswith("after 0: "), line
        said += [rows[1].reason, rows[2].reason]
    return said


#: Layers too large to draw, as the kind and arguments of their spec, and whether drawn with values.
LARGE = [
    ("Conv2d", {"input_shape": (1, 2, 2), "out_channels": 100_001, "kernel_size": 1}, False),
    ("Conv2d", {"input_shape": (1, 300, 300), "out_channels": 1, "kernel_size": 300}, False),
    ("Conv2d", {"input_shape": (1, 60, 60), "out_channels": 1, "kernel_size": 50}, True),
    ("Conv2d", {"input_shape": (1, 300, 300), "out_channels": 1, "kernel_size": 60, "dilation": 4}, False),
    ("MaxPool2d", {"input_shape": (1, 400, 400), "kernel_size": 200}, False),
    ("AdaptiveAvgPool2d", {"input_shape": (1, 400, 400), "output_size": 1}, False),
    ("PixelUnshuffle", {"input_shape": (1, 300, 300), "downscale_factor": 150}, False),
]


def _size_refusals(monkeypatch) -> list[str]:
    """A page's failures of layers too large to draw (as :func:`build.draw_layer` reports them),
    the refusals of layers too large to compute, and of a part too large for the memory."""
    said = []
    for kind, arguments, values in LARGE:
        spec = ops.operation(kind).build(**arguments)
        options = {"values": values, "seed": 0, "max_frames": 3, "theme": "light", "lang": "en"}
        error, _ = build.draw_layer(spec, {}, "never-written.gif", options)
        assert error and error.startswith("TooLargeError: "), (kind, arguments)
        said.append(f"failed: {error}")
    big = ops.operation("Conv2d").build(input_shape=(64, 2000, 2000), out_channels=64, kernel_size=3)
    for asked in (None, dataclasses.replace(big)):
        with pytest.raises(TooLargeError) as caught:
            check_computable(big, asked)
        said.append(str(caught.value))
    monkeypatch.setattr(job, "memory_bytes", lambda: 1)
    small = ops.operation("Conv2d").build(input_shape=(1, 6, 6), out_channels=1, kernel_size=3)
    with pytest.raises(TooLargeError) as caught:
        job.Job._check_memory(SimpleNamespace(op=ops.of(small), spec=small), Region((0, 2), (0, 2)))
    return [*said, str(caught.value)]


#: The classes the refusals name that are not convgif's kinds.
CLASSES = {"CentredConv2d", "Linear"}

#: What a refusal states of the code that a translation keeps as it is: an argument and its value,
#: a shape, code in backticks, a number.
KEPT = re.compile(r"\w+=(?:\([^()]*\)|'[^']*'|[^\s,;:)]+)|\([\d, −-]*\)|`[^`]*`|\d+(?:[,.×]\d+)*")


@pytest.mark.parametrize("lang", CHINESE)
def test_every_refusal_a_page_shows_reads_as_a_chinese_sentence_keeping_the_codes_names(lang, monkeypatch):
    refusals = _module_refusals() + _line_refusals() + _size_refusals(monkeypatch)
    assert len(refusals) > 60
    for english in refusals:
        said = full_width(say(english, lang), lang)
        assert untranslated(english, CLASSES), english  # English to start with
        assert untranslated(said, CLASSES) == [], (english, said)
        assert [k for k in KEPT.findall(english) if k not in said] == [], (english, said)
        if lang == "zh-Hant":
            assert not set(said) & set(TRADITIONAL), said
    # the names a refusal lists are kept as names, not said as the words they also are
    listed = next(r for r in refusals if "has no argument 'foo'" in r)
    assert "`in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode`" in say(
        listed, lang
    )


class _Network(nn.Module):
    """A convolution, one computing otherwise than its class, a hooked one, a call convgif does
    not follow (torch.roll), and a layer too large to draw."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.centred = CentredConv2d(2, 2, 3, padding=1)
        self.hooked = nn.Conv2d(2, 2, 1)
        self.hooked.register_forward_hook(lambda *args: None)
        self.wide = nn.Conv2d(2, 100_001, 1)

    def forward(self, x):
        return self.wide(torch.roll(self.hooked(self.centred(self.conv(x))), 1, -1))


def _names(result) -> set[str]:
    """The network's modules and classes, and the torch function its reasons name."""
    return {n for r in result.rows for n in (r.name, r.cls)} | {"roll"}


@pytest.mark.parametrize("lang", CHINESE)
def test_a_chinese_pages_refusals_are_chinese_with_its_punctuation(lang, tmp_path, cjk):
    """A page with layers not drawn and a layer too large to draw: the English page gives its
    reasons in English, the Chinese one says every one in Chinese, with Chinese punctuation."""
    torch.manual_seed(0)
    network, shape, small = _Network(), (1, 2, 2), {"max_frames": 2, "draw": False}
    for name, draw in (("network", False), ("wide", True)):
        model = network if name == "network" else nn.Sequential(nn.Conv2d(1, 100_001, 1))
        english = build.model(model, shape, tmp_path / f"{name}-en", **{**small, "draw": draw})
        result = build.model(model, shape, tmp_path / f"{name}-{lang}", **{**small, "draw": draw}, lang=lang)
        for page in ("index.html", "README.md"):
            assert untranslated(_text_of(english.folder / page), _names(english)), (name, page)
            assert untranslated(_text_of(result.folder / page), _names(result)) == [], (name, page)
    for line, received in list(LINES.items())[:3]:
        (tmp_path / "model.txt").write_text(_text(line))
        english = build.model(str(tmp_path / "model.txt"), received, None)
        result = build.model(str(tmp_path / "model.txt"), received, None, lang=lang)
        assert untranslated(markdown_table(english), _names(english)), line
        assert untranslated(markdown_table(result), _names(result)) == [], line
    table = markdown_table(build.model(nn.Sequential(nn.Conv2d(1, 100_001, 1)), shape, tmp_path / "again", lang=lang))
    assert f"TooLargeError: out_channels=100001 {TOO_LARGE[lang]}convgif" in table, table


#: "is too large to draw:" as a page's table says it, with Chinese punctuation.
TOO_LARGE = {"zh-Hans": "太大，无法画出：", "zh-Hant": "太大，無法畫出："}


def test_a_refusal_the_catalogue_does_not_hold_stays_whole_in_english(monkeypatch, tmp_path, cjk):
    """A failure convgif has no sentence for is shown whole after its Chinese lead, not cut into
    the words the catalogue knows ("the input is too small" as "输入 即 too small")."""
    message = "ValueError: the input is too small for the kernel"
    monkeypatch.setattr(build, "draw_layer", lambda *args: (message, 0.0))
    result = build.model(nn.Sequential(nn.Conv2d(1, 1, 3)), (1, 4, 4), tmp_path / "page", max_frames=2, lang="zh-Hans")
    assert result.failed
    assert f"| 绘制失败：{message} |" in markdown_table(result)
    assert untranslated(say(message, "zh-Hans")) != untranslated(message)  # the catalogue alone cuts it
