"""The words of a frame in the languages convgif draws: English, Simplified and Traditional Chinese.

Every text a frame draws (caption, headings, labels, keys, notes, step and sum lines, counters)
is made in English by the layer's kind and the layout, then passed through :func:`say`, which
turns it into the language in use: this module is the one place that knows the other languages.
The catalogue, :data:`PHRASES`, holds English phrases (regular expressions, applied in order,
the longest first) and their Simplified Chinese; the Traditional text is the same phrase written
with the characters of :data:`TRADITIONAL` and the terms of :data:`HANT_TERMS`. The terms are
those of the Chinese reference documents: 输入形状 / 輸入形狀, 输入通道 / 輸入通道, 卷积核 /
卷積核, 步长 / 步長, 填充, 池化, 偏置, 转置卷积 / 轉置卷積, 逐深度 and 逐点 (separable).
PyTorch's names (``Conv2d``, ``padding_mode='reflect'``, ``ceil_mode=True``) and the letters of
the article's caption (K, P, S, D, G) and of formulas (x, y, w, b) stay as they are in code.

The language in use is a context variable set around the work that draws (:func:`speaking`),
so that the layout's own words and the glyph forms of wide characters follow it without every
function passing it on. Only the standard library is imported: it costs nothing at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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
    from .errors import SpecError

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


# --- the catalogue ----------------------------------------------------------------------------

_NUM = r"[−-]?\d[\d,.]*"
_SIZE = r"\d+(?:×\d+)*"

#: (English phrase as a regular expression, Simplified Chinese), applied in this order.
PHRASES: tuple[tuple[str, str], ...] = (
    # the caption (the article's words)
    (r"Input Shape", "输入形状"),
    (r"Output Shape", "输出形状"),
    (r"\(left, right, top, bottom, front, back\)", "(左, 右, 上, 下, 前, 后)"),
    (r"\(left, right, top, bottom\)", "(左, 右, 上, 下)"),
    (r"\(left, right\)", "(左, 右)"),
    # step lines and counters
    (rf"step ({_NUM})/({_NUM}) of this part", r"第 \1/\2 步 (本部分)"),
    (rf"step ({_NUM})/({_NUM})", r"第 \1/\2 步"),
    (rf"\(step ({_NUM}) of ({_NUM})\)", r"(第 \1 步, 共 \2 步)"),
    (r"showing", "显示"),
    (rf"({_NUM}) of ({_NUM}) input channels", r"输入通道 \1/\2"),
    (rf"({_NUM}) of ({_NUM}) output channels", r"输出通道 \1/\2"),
    (rf"({_NUM}) of ({_NUM}) channels", r"通道 \1/\2"),
    (rf"… ({_NUM}) more", r"… 另有 \1 个"),
    (r"\+n▶ n more cells, not drawn", "+n▶ 另有 n 个单元未画出"),
    (r"drawn part outlined", "已画部分加框"),
    (r"picture", "图片"),
    # keys
    (r"to come", "待计算"),
    (r"but never read or counted", "但从不读取或计数"),
    (r"never read or counted", "从不读取或计数"),
    (r"never read", "从不读取"),
    (r"never the largest", "永不为最大值"),
    (r"padding cells hold", "填充单元为"),
    (r"\(padding counted\)", "(计入填充)"),
    (r"\(padding not counted\)", "(不计填充)"),
    # headings
    (r"kernels, flipped", "卷积核 (翻转)"),
    (r"\(zero-inserted, padded\)", "(插零, 已填充)"),
    (r"\(with overhang\)", "(含越界部分)"),
    (r"\(padded\)", "(已填充)"),
    (r"output, on the canvas", "输出 (画布上)"),
    (r"on the canvas", "(画布上)"),
    (r", part", " · 局部"),
    # pooling
    (r"each output is the largest value of the cells it covers", "每个输出是其覆盖单元中的最大值"),
    (r"each output is the mean of the cells it covers", "每个输出是其覆盖单元的平均值"),
    (r"the largest value of the cells it covers", "其覆盖单元中的最大值"),
    (r"largest value of the cells it covers", "其覆盖单元中的最大值"),
    (r"the mean of the cells it covers", "其覆盖单元的平均值"),
    (r"is the mean of the cells it covers", "是其覆盖单元的平均值"),
    (r"the largest value of the window", "窗口中的最大值"),
    (rf"the mean of all ({_NUM}) cells", r"全部 \1 个单元的平均值"),
    (r"\(torch's shortcut\)", "(torch 的捷径)"),
    (r"the window's sum / its own cell count", "窗口之和 / 其自身的单元数"),
    (r"over each window", "作用于每个窗口"),
    (r"the larger p, the nearer y comes to the window's largest \|x\|", "p 越大, y 越接近窗口中最大的 |x|"),
    (r"the larger p, the nearer y comes", "p 越大, y 越接近"),
    (r"to the window's largest \|x\|", "窗口中最大的 |x|"),
    (r"each output is drawn beside the input channel it copies", "每个输出画在它复制的输入通道旁"),
    (r"each output is the", "每个输出是"),
    (r"each output is", "每个输出是"),
    (rf"at index ({_NUM})", r"位于索引 \1"),
    (rf"\(index ({_NUM})\)", r"(索引 \1)"),
    (r"ceil_mode's overhang, inside a last window", "ceil_mode 的越界部分, 在最后一个窗口内"),
    (r"each value goes back to the position its index names", "每个值回到其索引所指的位置"),
    (r"every other cell stays", "其余单元保持为"),
    (r"fractional windows", "分数窗口"),
    (r"last starts at", "最后一个起于"),
    (r"starts at", "起于"),
    (r"the last ends at the input's end", "最后一个窗口止于输入末端"),
    (
        r"samples u come from torch\.rand \(here: from the seed\), one per axis and channel",
        "采样 u 来自 torch.rand (此处来自种子), 每个轴和通道一个",
    ),
    (r"samples u", "采样 u"),
    (rf"windows of ({_NUM}): start", r"窗口大小 \1: 起点"),
    (r"over windows", "作用于各窗口"),
    (r"every output size is 1: torch takes the mean", "每个输出尺寸为 1: torch 取平均值"),
    (r"the same windows and divisors as (\w+\([^;]*\));", r"窗口和除数与 \1 相同;"),
    (
        r"torch takes the mean of the whole input, so fractions may differ from it in the last bit",
        "torch 对整个输入取平均值, 小数的最后一位可能与之不同",
    ),
    (r"windows overlap", "窗口重叠"),
    (r"lie in two windows", "位于两个窗口中"),
    (r"lies in two windows", "位于两个窗口中"),
    (r"the same windows as", "窗口与"),
    # separable
    (r"depthwise: one kernel per input channel", "逐深度: 每个输入通道一个卷积核"),
    (r"pointwise: 1×1 kernels mix d's channels", "逐点: 1×1 卷积核混合 d 的通道"),
    (r"into d", "得到 d"),
    (r"depthwise", "逐深度"),
    (r"pointwise", "逐点"),
    (rf"total ({_NUM}), against ({_NUM}) for a standard convolution", r"共 \1, 标准卷积为 \2"),
    (r"standard", "标准卷积"),
    (r"parameters", "参数"),
    # factors
    (rf"({_NUM}) numbers instead of ({_NUM})", r"\1 个数, 而非 \2 个"),
    (r"kernel = column", "卷积核 = 列"),
    (r"times row", "乘 行"),
    # a 3-D layer drawn one depth slice at a time
    (rf"depth ({_NUM}) of ({_NUM}): (y\[:, {_NUM}\]) reads (x\[:, d\])", r"深度 \1 (共 \2): \3 读取 \4"),
    (rf"depths? ((?:{_NUM}(?:, )?)+): padding", r"深度 \1: 填充"),
    (rf"depths? ((?:{_NUM}(?:, )?)+): ceil_mode's overhang", r"深度 \1: ceil_mode 的越界部分"),
    (r"input slices", "输入切片"),
    # transposed
    (r"drawn as the equal direct convolution", "画作等价的直接卷积"),
    (rf"over the input with ({_NUM}) zeros? inserted between its cells", r"作用于在单元间插入 \1 个零的输入"),
    (rf"padding ({_NUM}) at the top/left and ({_NUM}) at the bottom/right", r"上/左填充 \1, 下/右填充 \2"),
    (rf"padding ({_NUM}) on every side", r"每边填充 \1"),
    (r"each kernel (weight\[[^\]]*\]) flipped \(turned 180°\)", r"每个卷积核 \1 翻转 (旋转 180°)"),
    (
        rf"({_NUM}) rows? and ({_NUM}) columns? more kept at the bottom/right",
        r"下/右多保留 \1 行和 \2 列",
    ),
    (rf"({_NUM}) rows? more kept at the bottom", r"下方多保留 \1 行"),
    (rf"({_NUM}) columns? more kept at the right", r"右方多保留 \1 列"),
    (r"the output is (.*?) of the canvas", r"输出是画布的 \1"),
    (r"\(outlined\)", "(加框)"),
    (r"crops the rest", "裁掉其余部分"),
    (r"\(drawn pale\)", "(淡色)"),
    (r"canvas\[", "画布["),
    (r"canvas", "画布"),
    # a part of a large layer
    (r"drawn:", "已画:"),
    (r"they read", "(被读取)"),
    (r"they copy", "(被复制)"),
    (r"whose kernels reach them", "(其卷积核可达)"),
    (rf"of ({_SIZE})(?=[ ,;)]|$)", r"(共 \1)"),
    # padding layers
    (r"hatched grey cells past the edge", "边缘外的灰色斜线单元"),
    (r"where that is inside", "(若在输入内)"),
    (r"past an edge, the cell as far inside it", "越过边缘时, 取向内同样距离的单元"),
    (r"\(the edge cell is not repeated\)", "(边缘单元不重复)"),
    (r"past an edge, the edge cell", "越过边缘时, 取边缘单元"),
    (r"past an edge, the cell as far from the other edge", "越过边缘时, 取距另一边缘同样距离的单元"),
    (r"\(the input wraps round\)", "(输入首尾相接)"),
    (r"negative amounts crop", "负数表示裁剪"),
    (r"input cells no output copies are drawn pale", "没有输出复制的输入单元画为淡色"),
    (r"the output starts filled with the value", "输出起初全为值"),
    (r"is copied to", "被复制到"),
    # up-sampling
    (r"each output copies one input cell", "每个输出复制一个输入单元"),
    (r"rounded down", "向下取整"),
    (r"half-pixel centres, at least 0", "半像素中心, 至少为 0"),
    (r"half-pixel centres", "半像素中心"),
    (r"the corner cells line up", "角上的单元对齐"),
    (
        r"weights 1 − t and t of the cells either side, t the source's fraction",
        "两侧单元的权重为 1 − t 与 t, t 为源位置的小数部分",
    ),
    (r"weights 1 − t and t of the cells", "两侧单元的权重为 1 − t 与 t,"),
    (r"either side, t the source's fraction", "t 为源位置的小数部分"),
    (
        rf"weights of the ({_NUM}) cells around the source from its fraction t",
        r"源周围 \1 个单元的权重由其小数部分 t 决定",
    ),
    (r"cells past the edge repeat the edge cell", "边缘外的单元重复边缘单元"),
    (r"cubic", "三次"),
    (r"weighed", "权重"),
    (r"from source", "取自源"),
    (r"source", "源"),
    # shuffling
    (r"each step moves", "每步移动"),
    (rf"a ({_SIZE}) block of one channel, row by row,", r"一个通道的 \1 块 (逐行),"),
    (rf"into one position of (\S+ = {_NUM}) output channels", r"放入 \1 个输出通道的同一位置"),
    (rf"the (\S+ = {_NUM}) values of a", r"\1 个值: 一"),
    (rf"group of channels at one position into a ({_SIZE})", r"组通道在同一位置的值, 放入一个输出通道的 \1"),
    (r"block of one output channel, row by row", "块 (逐行)"),
    (rf"({_NUM}) groups of ({_NUM}):", r"\1 组, 每组 \2 个:"),
    (r"each output is drawn beside the input channel it copies", "每个输出画在它复制的输入通道旁"),
    (r"it copies", "它复制"),
    (r"copies", "复制"),
    # the checkerboard comparison
    (r"up-sampling four ways", "上采样的四种方式"),
    (
        r"every input and weight 1: each output counts the products added into it",
        "输入和权重全为 1: 每个输出即加入它的乘积个数",
    ),
    (r"uneven counts make a checkerboard", "个数不均形成棋盘格"),
    (rf"\(({_NUM}) weights\)", r"(\1 个权重)"),
    (r"no padding", "无填充"),
    (r"then", "然后"),
    (r"reaches", "可达"),
    (r"products per row", "每行乘积数"),
    (r"times per column", "乘 每列乘积数"),
    (r"products per output cell", "每个输出单元的乘积数"),
    (r"\(ones\)", "(全为 1)"),
    # convgif info
    (r"output shape", "输出形状"),
    (r"multiply-accumulates", "乘加次数"),
    (r"\(one forward pass\)", "(一次前向传播)"),
    (r"receptive field", "感受野"),
    (r"\(the dilated kernel's extent\)", "(膨胀后卷积核的范围)"),
    (r"kernel placements", "卷积核放置次数"),
    (r"window placements", "窗口放置次数"),
    (r"animation steps", "动画步数"),
    (rf"frames ({_NUM}): every step of what a render draws, in order", r"帧数 \1: 按顺序画出的每一步"),
    (r"frames: none,", "帧数: 无,"),
    (r"comparisons", "比较次数"),
    (r"additions", "加法次数"),
    (r"writes", "写入次数"),
    (rf"floor gives ({_NUM}): one window hangs over the edge", r"floor 得 \1: 一个窗口越过边缘"),
    (r"none: pooling has no weights and no bias", "无: 池化没有权重也没有偏置"),
    (r"none: up-sampling has no weights and no bias", "无: 上采样没有权重也没有偏置"),
    (r"none: ([\w-]+) has no weights and no bias", r"无: \1 没有权重也没有偏置"),
    (r"a render draws only", "渲染只画"),
    (r"a render draws", "渲染画出"),
    (r"\(--region chooses the part\)", "(--region 选择部分)"),
    (r"each output = its window's sum / \(its cell count\)", "每个输出 = 其窗口之和 / (其单元数)"),
    (r"over the windows?", "作用于窗口"),
    (r"equals (.*?): the same windows and values", r"等同于 \1: 窗口和值都相同"),
    (r"none: a shuffle moves values and has no weights", "无: 重排只移动值, 没有权重"),
    (r"unpooling", "反池化"),
    (r"input positions moved", "移动的输入位置"),
    (r"output positions filled", "填充的输出位置"),
    (r"channels copied", "复制的通道"),
    (r"input cells, once per way", "输入单元 (每种方式一次)"),
    (r"overlapping at", "重叠于"),
    (r"or", "或"),
    (r"size", "尺寸"),
    (r"weights", "权重"),
    (r"bias", "偏置"),
    (r"sum", "总和"),
    (r"pooling", "池化"),
    # words
    (r"inserted", "插入的零"),
    (r"cropped", "裁掉"),
    (rf"\(({_NUM}) cells?\)", r"(\1 个单元)"),
    (r"cells", "单元"),
    (r"cell", "单元"),
    (r"but", "但"),
    (r"is", "即"),
    (r"out channels", "输出通道"),
    (r"out channel", "输出通道"),
    (r"output channels", "输出通道"),
    (r"output channel", "输出通道"),
    (r"input channels", "输入通道"),
    (r"input channel", "输入通道"),
    (rf"channel ({_NUM})'s window", r"通道 \1 的窗口"),
    (r"channels", "通道"),
    (r"channel", "通道"),
    (r"its", "其"),
    (r"window at", "窗口位于"),
    (r"windows", "窗口"),
    (r"window", "窗口"),
    (r"kernels", "卷积核"),
    (r"kernel", "卷积核"),
    (r"stride", "步长"),
    (r"padding", "填充"),
    (r"rows", "行"),
    (r"row", "行"),
    (r"columns", "列"),
    (r"column", "列"),
    (r"positions", "位置"),
    (r"position", "位置"),
    (r"groups", "组"),
    (r"group", "组"),
    (r"input", "输入"),
    (r"output", "输出"),
    (r"the ", ""),
    (r"and", "和"),
    (r"for", "对应"),
    (r"from", "取自"),
    (r"to", "到"),
    (r"not drawn", "未画出"),
)

#: Where Traditional Chinese uses another term than the Simplified one, not only other characters.
HANT_TERMS: tuple[tuple[str, str], ...] = (("采样", "取樣"),)  # the PyTorch note: 上取樣

#: The Simplified characters of the catalogue and their Traditional forms.
TRADITIONAL = dict(
    zip(
        "与两个为价从侧决准动单参叠后围图块复对应显时权标样没点画盖离积线组缘转输边达过采长间齐计读负状径数余于内无传写择帧顺较选盘种范胀来总处轴",
        "與兩個為價從側決準動單參疊後圍圖塊複對應顯時權標樣沒點畫蓋離積線組緣轉輸邊達過採長間齊計讀負狀徑數餘於內無傳寫擇幀順較選盤種範脹來總處軸",
    )
)


def _to_traditional(text: str) -> str:
    for hans, hant in HANT_TERMS:
        text = text.replace(hans, hant)
    return "".join(TRADITIONAL.get(c, c) for c in text)


_WORDY = re.compile(r"[A-Za-z]")


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[re.Pattern[str], str, str], ...]:
    out = []
    for english, hans in PHRASES:
        # a phrase never matches inside a name (padding_mode, weight[...], Conv2d(...)) or a quote
        before = r"(?<![\w'=.\[])" if _WORDY.match(english) else ""
        after = r"(?![\w'=(\[])" if _WORDY.match(english[-1]) else ""
        pattern = re.compile(f"{before}{english}{after}")
        out.append((pattern, hans, _to_traditional(hans)))
    return tuple(out)


@lru_cache(maxsize=4096)
def _translate(text: str, lang: str) -> str:
    if not re.search(r"[A-Za-z]{2}", text):
        return text
    simplified = lang == "zh-Hans"
    for pattern, hans, hant in _compiled():
        text = pattern.sub(hans if simplified else hant, text)
    return text


def say(text: str, lang: str | None = None) -> str:
    """``text`` (English, as a frame writes it) in ``lang`` (default: the language in use)."""
    lang = current() if lang is None else lang
    if lang == "en" or not text:
        return text
    return _translate(text, lang)


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
        "KH",
        "KW",
        "rand",
        "dz",  # a kernel depth, as a 3-D layer's depth picture writes it
    }
    | {"zeros", "reflect", "replicate", "circular", "nearest", "linear", "bilinear", "bicubic", "trilinear", "area"}
)
_CODE = re.compile(
    r"\w+=\S+"  # padding_mode='reflect', bias=False, scale_factor=2.0
    r"|'[^']*'"  # 'same'
    r"|\b[A-Z][A-Za-z]*\d[dD]\b"  # MaxPool2d, UpsamplingNearest2d
    r"|\b\w*_\w+\b"  # output_size, align_corners, c_in, H_out
    r"|--[a-z-]+"  # an option
)


def untranslated(text: str) -> list[str]:
    """The English words left in ``text`` (a translation): those not names kept from code."""
    from .ops.kinds import REGISTRY

    stripped = _CODE.sub(" ", text)
    return [word for word in re.findall(r"[A-Za-z]{2,}", stripped) if word not in KEPT and word not in REGISTRY]
