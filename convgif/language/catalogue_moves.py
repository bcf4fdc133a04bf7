"""The catalogue's sentences of the backward pictures of the 3-D layers that move values (drawn
a depth slice at a time), of a MaxUnpool3d's forward pictures (one input depth slice at a
time), and of Unfold and Fold (each drawn as the other), matched
before the rest of :data:`convgif.language.catalogue.PHRASES`, whose words they would otherwise
be cut into."""

from __future__ import annotations

_NUM = r"[−-]?\d[\d,.]*"
_RANGE = r"0(?:–\d+)?"  # depth indices: "0–3"
_OF = rf"(of {_RANGE}|the only one)"  # "(of 0–3)" or "(the only one)": kept, said by the catalogue's own rule
_SIZE = r"\d+(?:×\d+)*"
_LIST = rf"((?:{_NUM}(?:, )?)+)"

#: (English phrase as a regular expression, Simplified Chinese), applied first, in this order.
PHRASES: tuple[tuple[str, str], ...] = (
    # a MaxUnpool3d drawn one input depth slice at a time, forward
    (
        rf"depth ({_NUM}) \({_OF}\): (x\[:, {_NUM}\]) goes back into (y\[:, z\]), z = {_LIST}, the "
        r"output depths its pooling windows cover",
        r"深度 \1 (\2): \3 回到 \4, z = \5, 即其池化窗口覆盖的各输出深度",
    ),
    (
        rf"depth ({_NUM}) \({_OF}\): (x\[:, {_NUM}\]) goes back into (y\[:, z\]), z = {_LIST}: its "
        rf"pooling windows cover z = {_LIST}, and no window covers the others",
        r"深度 \1 (\2): \3 回到 \4, z = \5: 其池化窗口覆盖 z = \6, 其余深度不在任何窗口内",
    ),
    (
        rf"depth ({_NUM}) \({_OF}\): (x\[:, {_NUM}\]) goes back into (y\[:, z\]), z = {_LIST}: its "
        r"pooling windows cover no output depth, so every one is drawn",
        r"深度 \1 (\2): \3 回到 \4, z = \5: 其池化窗口不覆盖任何输出深度, 故画出全部输出深度",
    ),
    (
        rf"depth ({_NUM}) \({_OF}\): (x\[:, {_NUM}\]) goes back into (y\[:, z\]), z = {_LIST}: its "
        r"pooling windows cover no output depth, nor does any window cover these",
        r"深度 \1 (\2): \3 回到 \4, z = \5: 其池化窗口不覆盖任何输出深度, 这些深度也不在任何窗口内",
    ),
    # a 3-D padding's backward pass, one output depth slice at a time, and a MaxUnpool3d's, one
    # input depth slice at a time
    (
        rf"depth ({_NUM}) \({_OF}\): (y\[:, {_NUM}\]) copied (x\[:, {_NUM}\]), so (dy\[:, {_NUM}\]) goes back to "
        rf"(dx\[:, {_NUM}\]), adding to what depths? {_LIST} sent it",
        r"深度 \1 (\2): \3 复制了 \4, 所以 \5 传回 \6, 加到深度 \7 已传给它的值上",
    ),
    (
        rf"depth ({_NUM}) \({_OF}\): (y\[:, {_NUM}\]) copied (x\[:, {_NUM}\]), so (dy\[:, {_NUM}\]) goes back to "
        rf"(dx\[:, {_NUM}\])",
        r"深度 \1 (\2): \3 复制了 \4, 所以 \5 传回 \6",
    ),
    (
        rf"output depths? {_LIST} holds? the constant: (?:their|its) dy goes nowhere",
        r"输出深度 \1 全为常数: 其 dy 不传回任何地方",
    ),
    (
        rf"depth ({_NUM}) \({_OF}\): (dx\[:, {_NUM}\]) gathers from (dy\[:, z\]), z = {_LIST}, the output depths "
        r"its pooling windows cover",
        r"深度 \1 (\2): \3 汇集 \4, z = \5, 即其池化窗口覆盖的各输出深度",
    ),
    (
        rf"depth ({_NUM}) \({_OF}\): no output cell took a value of (x\[:, {_NUM}\]), so (dx\[:, {_NUM}\]) = 0",
        r"深度 \1 (\2): 没有输出单元取用 \3 的值, 所以 \4 = 0",
    ),
    (rf"({_NUM}) of ({_NUM}) dy slices", r"dy 切片 \1/\2"),
    # a three-axis Upsample's backward pass, one (output depth, input depth read) at a time, and a
    # three-axis ChannelShuffle's, one depth slice at a time
    (
        rf"depth ({_NUM}) \({_OF}\): (y\[:, {_NUM}\]) copied its cells from (x\[:, {_NUM}\]), so "
        rf"(dy\[:, {_NUM}\]) goes back to (dx\[:, {_NUM}\])",
        r"深度 \1 (\2): \3 的单元复制自 \4, 所以 \5 传回 \6",
    ),
    (
        rf"depth ({_NUM}) \({_OF}\): (y\[:, {_NUM}\]) read (x\[:, {_NUM}\]) with depth weight ({_NUM}(?: \+ {_NUM})?), "
        rf"so (dy\[:, {_NUM}\]) goes back to (dx\[:, {_NUM}\])",
        r"深度 \1 (\2): \3 以深度权重 \5 读取了 \4, 所以 \6 传回 \7",
    ),
    (
        rf"depth ({_NUM}) \({_OF}\): (y\[:, {_NUM}\]) averaged (x\[:, {_NUM}\]) with depth weight ({_NUM}), so "
        rf"(dy\[:, {_NUM}\]) goes back to (dx\[:, {_NUM}\])",
        r"深度 \1 (\2): \3 以深度权重 \5 对 \4 取了平均, 所以 \6 传回 \7",
    ),
    (
        rf", each term's weight is ({_NUM}(?: \+ {_NUM})?) · the row's · the column's",
        r", 每项的权重为 \1 · 行的权重 · 列的权重",
    ),
    (r", each term's weight is the row's · the column's", ", 每项的权重为 行的权重 · 列的权重"),
    (rf", adding to what depths? {_LIST} sent it", r", 加到深度 \1 已传给它的值上"),
    (
        rf"depth ({_NUM}) \({_OF}\): (dx\[:, {_NUM}\]) is the channel un-shuffle of (dy\[:, {_NUM}\])",
        r"深度 \1 (\2): \3 是 \4 的通道逆重排",
    ),
    # Unfold's backward pass, a Fold of dy
    (
        rf"a Fold of dy: column l of dy adds into the l-th window of dx, row by row over the ({_SIZE}) placements; "
        r"row (c·\d+ \+ ky·\d+ \+ kx) into the window's cell \(ky, kx\), so each input cell sums the column entries "
        r"that copied it",
        r"dy 的 Fold: dy 的第 l 列加到 dx 的第 l 个窗口中, 逐行遍历 \1 个位置; 第 \2 行加到窗口单元 (ky, kx), "
        r"所以每个输入单元是复制了它的各列元素之和",
    ),
    (
        r"windows covering an input cell: (.*?): the terms its dx sums",
        r"覆盖一个输入单元的窗口数: \1: 即其 dx 所加的值的个数",
    ),
    (
        r": the entries that copied the padding's zeros add into pad\(dx\), the cells around dx \(drawn pale\), and "
        r"are dropped",
        ": 复制了填充零的元素加到 pad(dx), 即 dx 四周的单元 (淡色), 然后被丢弃",
    ),
    # Fold's backward pass, an Unfold of dy
    (
        rf"an Unfold of dy: column l of dx reads the l-th window of dy, row by row over the ({_SIZE}) placements; "
        r"row (c·\d+ \+ ky·\d+ \+ kx) the window's cell \(ky, kx\): each column entry's gradient is the dy of the "
        r"cell it was added into",
        r"dy 的 Unfold: dx 的第 l 列读取 dy 的第 l 个窗口, 逐行遍历 \1 个位置; 第 \2 行即窗口单元 (ky, kx): "
        r"每个列元素的梯度是它被加到的单元的 dy",
    ),
    (
        r": the windows read pad\(dy\), dy with that many zeros on each side: an entry that was added into the "
        r"padding \(dropped\) gets 0",
        ": 窗口读取 pad(dy), 即四周各补这么多个零的 dy: 被加到填充 (已丢弃) 的元素得 0",
    ),
    (r"(d[xy] = ∂L/∂[xy]): one column per window", r"\1: 每个窗口一列"),
    (r"(d[xy] = ∂L/∂[xy]), on the padded map", r"\1 (在填充后的图上)"),
)
