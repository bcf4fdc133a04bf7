"""The catalogue's phrases of the 3-D convolutions' and poolings' backward pictures (drawn one depth
slice at a time), in Simplified Chinese: whole sentences, matched before the phrases and words they hold
(:data:`convgif.language.catalogue.PHRASES` takes them in at that place)."""

from __future__ import annotations

_NUM = r"[−-]?\d[\d,.]*"
_RANGE = r"0(?:–\d+)?"  # depth indices: "0–3"
_OF = rf"(of {_RANGE}|the only one)"  # "(of 0–3)" or "(the only one)": kept, said by the catalogue's own rule

#: A 3-D pooling's backward pass, dx[c, d] slices filling up picture after picture: (English phrase as a
#: regular expression, Simplified Chinese), applied in this order.
POOL_BACKWARD_DEPTH: tuple[tuple[str, str], ...] = (
    (
        r"dx starts at 0; a slice read again for a later depth goes on from its value here",
        "dx 从 0 开始; 后面的深度再读取的切片, 从它在此处的值继续累加",
    ),
    (
        rf"(dx\[c, d\]) goes on from what depths? ({_NUM}(?:–{_NUM})?) added to it \(the values it starts with\)",
        r"\1 从深度 \2 加给它的值继续累加 (即它开始时的值)",
    ),
    (r"no dx: padding", "无 dx: 填充"),
)

#: A 3-D convolution's backward pass: (English phrase as a regular expression, Simplified Chinese),
#: applied in this order.
BACKWARD_DEPTH: tuple[tuple[str, str], ...] = (
    (
        rf"padded depth ({_NUM}) \({_OF}\): (dxp\[:, {_NUM}\]) gathers (dy\[:, o\])·(w\[:, :, dz\]) for \(o, dz\) = ",
        r"填充后的深度 \1 (\2): \3 汇集 \4·\5, 其中 (o, dz) = ",
    ),
    (
        rf"padded depth ({_NUM}) \({_OF}\): (dxp\[:, {_NUM}\]) = 0: no output depth read it",
        r"填充后的深度 \1 (\2): \3 = 0: 没有输出深度读取它",
    ),
    (r": no output depth read it", ": 没有输出深度读取它"),
    (
        rf"depth ({_NUM}) \({_OF}\): (dx\[:, {_NUM}\]) gathers (dxp\[:, p\]) for p = ((?:{_NUM}(?:, )?)+): "
        rf"(x\[:, {_NUM}\]) and its copies",
        r"深度 \1 (\2): \3 汇集 \4, p = \5: \6 及其副本",
    ),
    (
        rf"depth ({_NUM}) \({_OF}\): (dx\[:, {_NUM}\]) = 0: (padding=\([^)]*\)|padding=\S+) cropped (x\[:, {_NUM}\])",
        r"深度 \1 (\2): \3 = 0: \4 裁掉了 \5",
    ),
    (rf": (padding=\([^)]*\)|padding=\S+) cropped (x\[:, {_NUM}\])", r": \1 裁掉了 \2"),
    (r"(\w+): none holds it", r"\1: 无一持有它"),
    (r": no padded cell holds it", ": 没有填充后的单元持有它"),
    (
        rf"depth ({_NUM}) \({_OF}\): (dx\[:, {_NUM}\]) gathers (dy\[:, o\])·(w\[:, :, dz\]) for \(o, dz\) = ",
        r"深度 \1 (\2): \3 汇集 \4·\5, 其中 (o, dz) = ",
    ),
    (
        rf"depth ({_NUM}) \({_OF}\): (dx\[:, {_NUM}\]) = 0: no output depth read (x\[:, {_NUM}\])",
        r"深度 \1 (\2): \3 = 0: 没有输出深度读取 \4",
    ),
    (rf": no output depth read (x\[:, {_NUM}\])", r": 没有输出深度读取 \1"),
    (rf"depth ({_NUM}) \({_OF}\): (dx\[:, {_NUM}\]) reads (dy\[:, d\])", r"深度 \1 (\2): \3 读取 \4"),
    (
        rf"kernel depth ({_NUM}) \({_OF}\): (dw\[:, :, {_NUM}\]) sums (.+?) over (\w) = (\d+(?:\.\.\d+)?), ",
        r"卷积核深度 \1 (\2): \3 对 \5 = \6 求 \4 之和, ",
    ),
    (rf"depths? ((?:{_NUM}(?:, )?)+): cropped", r"深度 \1: 已裁剪"),
    (
        rf"(\w+)\[c, o\] is depth slice o of channel c: (\w+)\[c\] sums all ({_NUM}) of them",
        r"\1[c, o] 是通道 c 的深度切片 o: \2[c] 是全部 \3 个切片之和",
    ),
    (r"(\w+) has one depth slice", r"\1 只有一个深度切片"),
)
