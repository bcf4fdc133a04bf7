"""The words of a frame in the languages convgif draws: English, Simplified and Traditional Chinese.

Every text a frame draws (caption, headings, labels, keys, notes, step and sum lines, counters)
is made in English by the layer's kind and the layout, then passed through :func:`say`, which
turns it into the language in use: this module is the one place that knows the other languages.
The catalogue, :data:`PHRASES`, holds English phrases (regular expressions, applied in order,
the longest first) and their Simplified Chinese; the Traditional text is the same phrase written
with the characters of :data:`TRADITIONAL` and the terms of :data:`HANT_TERMS`, rows and columns
named as in Taiwan (列 a row, 行 a column: the mainland's the other way round). The terms are
those of the Chinese reference documents: 输入形状 / 輸入形狀, 输入通道 / 輸入通道, 卷积核 /
卷積核, 步长 / 步長, 填充, 池化, 偏置, 转置卷积 / 轉置卷積, 逐深度 and 逐点 (separable).
PyTorch's names (``Conv2d``, ``padding_mode='reflect'``, ``ceil_mode=True``) and the letters of
the article's caption (K, P, S, D, G) and of formulas (x, y, w, b) stay as they are in code.

A whole network's page (``convgif model --lang``) passes its words through the same catalogue
(:mod:`.catalogue_model`): its headings, table, notes and the receptive field's animation, and
why a layer is not drawn (:mod:`.catalogue_refusals`); a
sentence it composes with a module's or class's name holds a private character in the name's
place while the catalogue reads it (:func:`say_naming`), so that a module called ``output``
keeps its name.

The language in use is a context variable set around the work that draws (:func:`speaking`),
so that the layout's own words and the glyph forms of wide characters follow it without every
function passing it on. Only the standard library is imported: it costs nothing at start-up,
and the catalogue (:mod:`.catalogue`) is loaded when a frame is first drawn in another language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

#: The languages a frame can be drawn in, as ``--lang`` takes them (BCP 47 tags).
LANGS = ("en", "zh-Hans", "zh-Hant")

_CURRENT: ContextVar[str] = ContextVar("convgif_lang", default="en")


def canonical(lang: object) -> str:
    """``lang`` as :data:`LANGS` spells it (any case), or a SpecError naming ``lang``."""
    if isinstance(lang, str):
        for known in LANGS:
            if known.lower() == lang.strip().lower():
                return known
    from ..errors import SpecError

    raise SpecError("lang", f"lang={lang!r} must be one of {', '.join(map(repr, LANGS))}")


def current() -> str:
    """The language frames are drawn in now."""
    return _CURRENT.get()


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Draw in ``lang`` within this block."""
    token = _CURRENT.set(lang)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def in_language(frames: Iterator, lang: str) -> Iterator:
    """The items of ``frames`` each made while speaking ``lang`` (a generator's body runs
    where it is advanced, so the context is set around every step)."""
    while True:
        with speaking(lang):
            try:
                item = next(frames)
            except StopIteration:
                return
        yield item


def __getattr__(name: str) -> object:
    """The catalogue's tables (:data:`PHRASES`, ...), from :mod:`.catalogue`, loaded when first read."""
    if name in ("PHRASES", "TRADITIONAL", "HANT_TERMS"):
        from . import catalogue

        return getattr(catalogue, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _to_traditional(text: str) -> str:
    from .catalogue import HANT_ROW_COLUMN, HANT_TERMS, TRADITIONAL

    for hans, hant in HANT_TERMS:
        text = text.replace(hans, hant)
    return "".join(TRADITIONAL.get(c, c) for c in text.translate(HANT_ROW_COLUMN))


_WORDY = re.compile(r"[A-Za-z]")


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[re.Pattern[str], str, str, str], ...]:
    """Each phrase's pattern, its Simplified and Traditional forms, and a part of the text every
    match holds (:func:`_needed`), so that a text without it skips the pattern."""
    from .catalogue import PHRASES

    out = []
    for english, hans in PHRASES:
        # a phrase never matches inside a name (padding_mode, weight[...], Conv2d(...)), a quote or an option
        before = r"(?<![\w'=.\[])(?<!--)" if _WORDY.match(english) else ""
        after = r"(?![\w'=(\[])" if _WORDY.match(english[-1]) else ""
        pattern = re.compile(f"{before}{english}{after}")
        out.append((pattern, hans, _to_traditional(hans), _needed(pattern)))
    return tuple(out)


def _needed(pattern: re.Pattern[str]) -> str:
    """The longest run of characters every match of ``pattern`` holds in that order: its
    outermost literal characters, read from the parsed pattern ("" when there are none, or when
    this Python's ``re`` keeps its parser elsewhere: every phrase is then tried on every text)."""
    try:
        from re import _constants as constants
        from re import _parser as parser
    except ImportError:
        return ""
    if pattern.flags & re.IGNORECASE:
        return ""
    longest, run = "", ""
    for op, argument in parser.parse(pattern.pattern, pattern.flags):
        if op is constants.LITERAL:
            run += chr(argument)
            continue
        longest, run = max(longest, run, key=len), ""
    return max(longest, run, key=len)


#: A path as a user types it: two slashes or more (``path/to/file.py:NAME``), a folder and a
#: file with its suffix (``examples/vgg_block.txt``), or a Python file (``model.py:net``).
PATH = re.compile(
    r"[\w.~-]*(?:/[\w.~-]*){2,}(?::\w+)?"
    r"|[\w.~-]+/[\w.~-]*\.[A-Za-z]\w*(?::\w+)?"
    r"|\b[\w.-]+\.py\b(?::\w+)?"
)


#: Code in backticks, as a refusal quotes a command or a list of argument names: kept as a path is.
QUOTED = re.compile(r"`[^`\n]*`")


def _paths(text: str) -> list[tuple[int, int]]:
    """Where the paths of ``text`` are, and its code in backticks: no phrase changes part of them."""
    found = [m.span() for m in PATH.finditer(text)] if "/" in text or ".py" in text else []
    return found + [m.span() for m in QUOTED.finditer(text)] if "`" in text else found


def _keeping_paths(pattern: re.Pattern[str], replacement: str, text: str, paths: list[tuple[int, int]]) -> str:
    """``pattern`` replaced in ``text``, except where a match would change part of a path (its
    "to" is no word to translate); a match holding a whole path, a phrase, is replaced."""
    if not paths:
        return pattern.sub(replacement, text)

    def replace(match: re.Match[str]) -> str:
        start, end = match.span()
        if any(start < b and a < end and not (start <= a and b <= end) for a, b in paths):
            return match.group(0)
        return match.expand(replacement)

    return pattern.sub(replace, text)


@lru_cache(maxsize=4096)
def _translate(text: str, lang: str) -> str:
    if not re.search(r"[A-Za-z]{2}", text):
        return text
    simplified = lang == "zh-Hans"
    paths = _paths(text)
    for pattern, hans, hant, needed in _compiled():
        if needed not in text:
            continue
        said = _keeping_paths(pattern, hans if simplified else hant, text, paths)
        if said != text:
            text, paths = said, _paths(said)
    return text


def say(text: str, lang: str | None = None) -> str:
    """``text`` (English, as a frame writes it) in ``lang`` (default: the language in use)."""
    lang = current() if lang is None else lang
    if lang == "en" or not text:
        return text
    return _translate(text, lang)


def name_mark(k: int) -> str:
    """The private character standing for the ``k``-th name of a text :func:`say_naming` reads."""
    return chr(0xE000 + k)


def say_naming(text: str, names: Sequence[str], lang: str | None = None) -> str:
    """``text`` in ``lang``, where :func:`name_mark` ``(k)`` stands for ``names[k]`` (a network's
    module or class): the names are put in after the catalogue has read the text, so that a
    module named as a word it translates (``output``, ``padding``) keeps its name."""
    lang = current() if lang is None else lang
    said = text if lang == "en" or not text else _translate(text, lang)
    return said.translate({ord(name_mark(k)): name for k, name in enumerate(names)})


#: A character of Chinese writing: ideographs, their punctuation and full-width forms.
_CHINESE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
_FULL = {",": "\uff0c", ":": "\uff1a", ";": "\uff1b"}


def full_width(text: str, lang: str) -> str:
    """A page's prose in ``lang`` with Chinese punctuation: a comma, colon or semicolon and the
    space after it written ``，`` ``：`` ``；`` where Chinese text stands on either side, as the
    Chinese reference documents write them; those between numbers, names and code (``(1, 8,
    8)``, ``Mult-Adds: 3,104``) stay as they are. Frames keep the half-width forms their
    monospaced layout measures."""
    if lang == "en":
        return text

    def mark(found: re.Match[str]) -> str:
        before, after = text[found.start() - 1 : found.start()], text[found.end() : found.end() + 1]
        if _CHINESE.match(before) or _CHINESE.match(after):
            return _FULL[found.group(1)]
        return found.group(0)

    return re.sub(r"([,:;]) ", mark, text)


#: Names that stay in English in every language: PyTorch's, and the formulas' functions.
KEPT = frozenset(
    {
        "max",
        "int",
        "mod",
        "nan",
        "torch",
        "wr",
        "wc",
        "OP",
        "indices",
        "weight",
        "bias",
        "floor",
        "ceil",
        "KD",
        "KH",
        "KW",
        "rand",
        "dz",  # a kernel depth, as a 3-D layer's depth picture writes it
        "PyTorch",
        "NaN",
        "kH",
        "kW",
        "kD",  # a 3-D kernel's depth, as PyTorch's weight layout names it
        "min",
    }
    | {"dx", "dy", "dw", "db", "dd", "dxp", "dL"}  # the gradients' names in the backward pass
    | {"zeros", "reflect", "replicate", "circular", "nearest", "linear", "bilinear", "bicubic", "trilinear", "area"}
    | {"nn", "unfold", "fold", "pad", "co", "ky", "kx"}  # the matrix view's and Unfold/Fold's code
    | {
        "convgif",
        "torchinfo",
        "Mult",
        "Adds",
        "dim",
        "dims",
        "keepdim",
        "unsqueeze",
        "view",
        "repeats",
    }  # a network's page
    | {"prepend", "append", "diff", "permute", "transpose"}  # torch arguments and calls a page names
    | {"flatten", "reshape", "stack", "einsum", "matmul"}
    | {"True", "False", "None", "GiB"}  # Python's constants and a unit, as a refusal writes them
)
_CODE = re.compile(
    r"\w+=\S+"  # padding_mode='reflect', bias=False, scale_factor=2.0
    r"|'[^']*'"  # 'same'
    r"|\b[A-Z][A-Za-z]*\d[dD]\b"  # MaxPool2d, UpsamplingNearest2d
    r"|\b\w*_\w+\b"  # output_size, align_corners, c_in, H_out
    r"|--[a-z-]+"  # an option
    r"|(?<=--view )\w+|\bim2col\b"  # a view's name; unfold's other name
    r"|\b\w+\([\w.]*\)"  # print(model), forward()
    r"|[\w/.]+\.py:\w+"  # a model's file and name
    r"|`[^`]*`"  # code as a refusal quotes it: `convgif info`
    r"|\b[A-Z]\w*Error\b"  # an exception's class: TooLargeError
)


def untranslated(text: str, names: Iterable[str] = ()) -> list[str]:
    """The English words left in ``text`` (a translation): those not names kept from code, nor
    any of ``names`` (a network's modules and classes) where it stands whole."""
    from ..ops.kinds import REGISTRY

    given = sorted({name for name in names if name}, key=len, reverse=True)
    if given:
        text = re.sub(r"(?<![\w.=])(?:" + "|".join(map(re.escape, given)) + r")(?!\w)", " ", text)
    stripped = _CODE.sub(" ", text)
    return [word for word in re.findall(r"[A-Za-z]{2,}", stripped) if word not in KEPT and word not in REGISTRY]
