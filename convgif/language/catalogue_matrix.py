"""The catalogue's phrases of the matrix view (``--view matrix``: Y = W·X, y = Cᵀ·x; ``--view
overlaps``) and of Unfold and Fold, as frames write them and as ``convgif info`` tells them: whole
sentences, matched at their place in :data:`convgif.language.catalogue.PHRASES`, before the
words they hold."""

from __future__ import annotations

_NUM = r"[−-]?\d[\d,.]*"
_SIZE = r"\d+(?:×\d+)*"
#: An output channel as a step line names it: ``3``, or a gradient's grid, ``dx[4]``, ``dw[2,0,1]``.
_NAMED = r"(?:\w+\[[\d, ]+\]|\d+)"

#: How ``convgif info`` counts a layer's placements, on every channel, and its animation steps.
COUNTS: tuple[tuple[str, str], ...] = (
    (rf"({_NUM}) on each of ({_NUM}) output channels", r"每个输出通道 \1 个, 共 \2 个通道"),
    (rf"({_NUM}) on each of ({_NUM}) input channels", r"每个输入通道 \1 个, 共 \2 个通道"),
    (rf"({_NUM}) on each of ({_NUM}) d channels", r"每个 d 通道 \1 个, 共 \2 个通道"),
    (rf"({_NUM}) on each of ({_NUM}) channels", r"每个通道 \1 个, 共 \2 个通道"),
    (
        rf"({_NUM}) depthwise, each writing every d channel; then ({_NUM}) pointwise, one placement each",
        r"逐深度 \1 步, 每步写入每个 d 通道; 然后逐点 \2 步, 每步一次放置",
    ),
    (rf"\(({_NUM}) depthwise", r"(逐深度 \1 个"),
    (rf"; ({_NUM}) pointwise", r"; 逐点 \1 个"),
    (rf"the output's ({_NUM}) columns each hold one of every channel", r"输出的 \1 列各含每个通道的一个窗口"),
    (rf"the input's ({_NUM}) columns each hold one of every channel", r"输入的 \1 列各含每个通道的一个窗口"),
    (rf"the output's ({_NUM}) columns", r"输出的 \1 列"),
    (rf"the input's ({_NUM}) columns", r"输入的 \1 列"),
    (r"^windows(?= \d)", "窗口数"),
    (r"each writes every channel", "每步写入每个通道"),
    (r"each writes every output channel", "每步写入每个输出通道"),
    (rf"each writes ({_NUM}) output channels, one in each group", r"每步写入 \1 个输出通道, 每组一个"),
    (r"each moves one cell of every input channel", "每步移动每个输入通道的一个单元"),
    (
        r"each copies an input position on every channel; the padding cells start at the value",
        "每步在每个通道上复制一个输入位置; 填充单元一开始就是该值",
    ),
    (r"; a depth slice of the value alone is one step", "; 只含该值的深度切片占一步"),
    (r"each copies one depth slice of a channel", "每步复制一个通道的一个深度切片"),
    (
        r"drawn one output depth slice at a time: each step scatters one input position of the depths reaching the "
        rf"slice into one output channel of each of ({_NUM}) groups",
        r"逐个输出深度切片绘制: 每步把可达该切片的各输入深度的一个输入位置散布到 \1 组中每组的一个输出通道",
    ),
    (
        r"drawn one output depth slice at a time: each step scatters one input position of the depths reaching the "
        r"slice into one output channel",
        "逐个输出深度切片绘制: 每步把可达该切片的各输入深度的一个输入位置散布到一个输出通道",
    ),
    (
        r"drawn one output depth slice at a time: each step scatters one input position of the depths reaching the "
        r"slice into every output channel",
        "逐个输出深度切片绘制: 每步把可达该切片的各输入深度的一个输入位置散布到每个输出通道",
    ),
    (r"; a slice no input depth reaches is one step", "; 没有输入深度可达的切片占一步"),
    (
        r"drawn one output depth slice at a time: each step reads one input position of every channel for the "
        r"slice, from each input depth whose windows cover it in turn; a slice no window covers reads every input "
        r"depth",
        "逐个输出深度切片绘制: 每步为该切片读取每个通道的一个输入位置, 依次取自窗口覆盖该切片的每个输入深度; "
        "没有窗口覆盖的切片读取所有输入深度",
    ),
    (r"the backward pass's pictures, one after the other", "反向传播的各图片, 依次播放"),
)

#: (English phrase as a regular expression, Simplified Chinese), applied in this order.
MATRIX: tuple[tuple[str, str], ...] = (
    # the matrix view (--view matrix: Y = W·X, y = Cᵀ·x; --view overlaps) and Unfold and Fold,
    # whole sentences first (their pieces are left to the words further down)
    (
        rf"X: the input unfolded as torch\.nn\.Unfold gives it(.*?), ({_NUM} × {_NUM}): a column per window placement",
        r"X: 输入按 torch.nn.Unfold 展开 (im2col) 所得\1, \2: 每个窗口位置一列",
    ),
    # ... what makes it literally Unfold's: a 1-D input seen as 2-D, a padding that copies done first
    (r" for x viewed as \(N, C, 1, L\) with kernel (\(1, \d+\))", r" (把 x 视为 (N, C, 1, L), 卷积核为 \1)"),
    (
        r"(?:,| for x) padded first as (padding_mode='\w+') pads it \(Unfold pads only zeros\)",
        r" (x 先按 \1 填充; Unfold 自身只补零)",
    ),
    (r"\(l = output position\)", "(l = 输出位置)"),
    (r"\(l = row·(\d+) \+ column of the output\)", r"(l = 输出的行·\1 + 输出的列)"),
    (
        r"a row per input channel and kernel cell \(c·(\S+) \+ kernel cell\)",
        r"每个输入通道和卷积核单元一行 (c·\1 + 卷积核单元)",
    ),
    (
        rf"W: the weight (\(.*?\)) reshaped to ({_NUM} × {_NUM}), a row per output channel",
        r"W: 权重 \1 重排为 \2, 每个输出通道一行",
    ),
    (r"row co is output channel co", "第 co 行即输出通道 co"),
    (
        rf"groups=(\d+): W's row co holds weights only on the ({_NUM}) rows of X of its group's ({_NUM}) input "
        r"channels?",
        r"groups=\1: W 的第 co 行只在 X 中属于本组 \3 个输入通道的 \2 行上有权重",
    ),
    (rf"a block-diagonal ({_NUM} × {_NUM}) matrix", r"是 \1 的分块对角矩阵"),
    (
        rf", zero elsewhere: W is block-diagonal, ({_NUM} × {_NUM}), and only group (\d+)'s block is drawn",
        r", 其余为零: W 是 \1 的分块对角矩阵, 只画出第 \2 组的块",
    ),
    # a step of a grouped layer (Y = W·X, a convolution, a gradient's picture) writes one entry
    # per group: those of the groups not drawn named too (output channels, or a gradient's grids)
    # (after a comma, or a part of a gradient's step line of its own)
    (r"(?<=, |· )and one in each of (\d+) groups not drawn", r"以及未画出的 \1 组中各一个"),
    (r"(?<=· )and one for each of (\d+) (\w+) channels not drawn", r"以及未画出的 \1 个 \2 通道各一个"),
    (rf"(?<=, |· )and ({_NAMED}(?:, {_NAMED})?) not drawn", r"以及未画出的 \1"),
    (
        rf"X's and Y's columns: ([\d–, …]+) of ({_NUM}) \(the output positions drawn\); a double line marks where "
        rf"the other ({_NUM}) are left out, and under X how many there",
        r"X 与 Y 的列 \1 (共 \2 列: 所画的输出位置); 双线标出其余 \3 列略去之处, X 下方为各处略去的列数",
    ),
    (
        rf"X's and Y's columns: ([\d–, …]+) of ({_NUM}) \(the output positions drawn\); a double line marks where "
        rf"the other ({_NUM}) are left out",
        r"X 与 Y 的列 \1 (共 \2 列: 所画的输出位置); 双线标出其余 \3 列略去之处",
    ),
    (
        rf"X's rows and W's columns: ([\d–, …]+) of ({_NUM}) \(input channels? ([\d–, …]+)\); a double line marks "
        rf"where the other ({_NUM}) are left out",
        r"X 的行与 W 的列 \1 (共 \2: 输入通道 \3); 双线标出其余 \4 个略去之处",
    ),
    (
        rf"W's and Y's rows: ([\d–, …]+) of ({_NUM}) \(the output channels drawn\); a double line marks where the "
        rf"other ({_NUM}) are left out",
        r"W 与 Y 的行 \1 (共 \2 行: 所画的输出通道); 双线标出其余 \3 行略去之处",
    ),
    (
        rf"x's and Cᵀ's columns: ([\d–, …]+) of ({_NUM}) \(the input cells drawn\); a double line marks where the "
        rf"other ({_NUM}) are left out",
        r"x 与 Cᵀ 的列 \1 (共 \2 列: 所画的输入单元); 双线标出其余 \3 列略去之处",
    ),
    (
        rf"Cᵀ's and y's rows: ([\d–, …]+) of ({_NUM}) \(the output cells drawn\); a double line marks where the "
        rf"other ({_NUM}) are left out",
        r"Cᵀ 与 y 的行 \1 (共 \2 行: 所画的输出单元); 双线标出其余 \3 行略去之处",
    ),
    (r"output \(the rows of Y\)", "输出 (Y 的各行)"),
    (rf"column ({_NUM}) of X(?= ·)", r"X 的列 \1"),
    (rf": ({_NUM} × {_NUM}|{_NUM}) drawn$", r": 画出 \1"),
    (
        rf"C: the ({_NUM} × {_NUM}) matrix of (Conv[12]d\(.*?\)), which maps the output's shape back to the input's; "
        rf"the transposed convolution multiplies by its transpose Cᵀ, ({_NUM} × {_NUM})",
        r"C: \2 的 \1 矩阵, 它把输出的形状映射回输入的形状; 转置卷积乘以它的转置 Cᵀ, \3",
    ),
    (
        r"Cᵀ: a column per input cell \(x flattened\), a row per output cell \(y flattened\); a column holds the "
        r"kernel's weights on the rows of the output cells they reach \(blank: no weight\), a row of C the window "
        r"of the direct convolution",
        "Cᵀ: 每个输入单元一列 (x 展平), 每个输出单元一行 (y 展平); 一列在卷积核权重所达的输出单元的行上存放这些权重 "
        "(空白: 无权重), C 的一行即直接卷积的一个窗口",
    ),
    (r": what lands outside the output has no row of Cᵀ", ": 落在输出之外的部分在 Cᵀ 中没有对应的行"),
    (
        rf"drawn: output (.*?) of ({_SIZE}), and the input (.*?) of ({_SIZE}) whose kernels reach them: the rows and "
        r"columns of Cᵀ they are",
        r"已画: 输出 \1 (共 \2), 以及卷积核可达它们的输入 \3 (共 \4): 即它们在 Cᵀ 中的行和列",
    ),
    (r"columns? (\d[\d, …]*) of Cᵀ", r"Cᵀ 的列 \1"),
    (r"\(partly outside the part drawn\)", "(部分在所画部分之外)"),
    (r"\(outside the part drawn\)", "(在所画部分之外)"),
    (r"x, flattened", "展平的 x"),
    (r"\(blank: no weight\)", "(空白: 无权重)"),
    (r"no weight", "无权重"),
    (
        r"every input cell and every weight 1, one channel: each output cell counts the kernel taps that land on it",
        "每个输入单元和每个权重都为 1, 单个通道: 每个输出单元计数落在它上面的卷积核抽头",
    ),
    (
        r"taps per output cell: (.*?): uneven where the stride (\(.*?\)) does not divide the kernel's reach \(the "
        r"checkerboard of up-sampling by a transposed convolution\)",
        r"每个输出单元的抽头数: \1: 步长 \2 不整除卷积核的范围, 所以不均匀 (转置卷积上采样的棋盘格)",
    ),
    (r"taps per output cell:", "每个输出单元的抽头数:"),
    (
        rf"each tap adds the ({_NUM}) input channels of its group: times that many products",
        r"每个抽头累加本组的 \1 个输入通道: 乘积个数也乘以 \1",
    ),
    (r": taps that land outside the output are not counted", ": 落在输出之外的抽头不计数"),
    (
        rf"drawn: output (.*?) of ({_SIZE}), and the input (.*?) of ({_SIZE}) whose taps land there",
        r"已画: 输出 \1 (共 \2), 以及抽头落在其中的输入 \3 (共 \4)",
    ),
    (r"kernel taps per output cell", "每个输出单元的卷积核抽头数"),
    (rf"lands ({_NUM} × {_NUM}|{_NUM}) taps? on (.*?): \+1 on each", r"的 \1 个抽头落在 \2: 各 +1"),
    (r": no tap lands in the part drawn", ": 没有抽头落在所画部分"),
    (
        rf"a column per window, row by row over the ({_SIZE}) placements \(column l: placement row l // (\d+), column "
        r"l mod (\d+)\)",
        r"每个窗口一列, 逐行遍历 \1 个位置 (第 l 列: 位置的行 l // \2, 列 l mod \3)",
    ),
    (
        r"a row per channel and kernel cell: row (c·\d+ \+ ky·\d+ \+ kx) holds x\[c\] at the window's cell \(ky, kx\)",
        r"每个通道和卷积核单元一行: 第 \1 行存放窗口单元 (ky, kx) 处的 x[c]",
    ),
    (r"each channel's rows drawn beside it", "每个通道的行画在该通道旁"),
    (
        r": the windows read pad\(x\), x with that many zeros on each side",
        ": 窗口读取 pad(x), 即四周各补这么多个零的 x",
    ),
    (r"output: one column per window", "输出: 每个窗口一列"),
    (r"input: one column per window", "输入: 每个窗口一列"),
    (
        rf"drawn: output columns ({_NUM}–{_NUM}) of ({_NUM}), and the input( \(padded\))? (.*?) of ({_SIZE}) their "
        r"windows read",
        r"已画: 输出的列 \1 (共 \2), 以及这些窗口读取的输入\3 \4 (共 \5)",
    ),
    (rf"column ({_NUM}) · window from", r"列 \1 · 窗口起点"),
    (
        rf"column l of each channel's rows adds into the l-th window of its output, row by row over the ({_SIZE}) "
        r"placements; row (c·\d+ \+ ky·\d+ \+ kx) into the window's cell \(ky, kx\); where windows overlap the values "
        r"add up",
        r"每个通道各行的第 l 列加到其输出的第 l 个窗口中, 逐行遍历 \1 个位置; 第 \2 行加到窗口单元 (ky, kx); "
        r"窗口重叠处数值相加",
    ),
    (
        r": the columns add into pad\(y\), the output with that many cells on each side; what lands on those cells "
        r"\(drawn pale\) is dropped",
        ": 各列加到 pad(y), 即四周各多出这么多个单元的输出; 落在这些单元上的值 (淡色) 被丢弃",
    ),
    (
        r"windows covering an output cell: (.*?), so fold\(unfold\(x\)\) is x times that",
        r"覆盖一个输出单元的窗口数: \1, 所以 fold(unfold(x)) 等于 x 乘以该数",
    ),
    (
        rf"drawn: output cells (.*?) of the ({_SIZE}) padded map, and the columns ({_NUM}–{_NUM}) of ({_NUM}) from "
        r"the first window that reaches them to the last",
        r"已画: 填充后的 \2 图中的输出单元 \1, 以及列 \3 (共 \4): 从第一个可达它们的窗口到最后一个",
    ),
    (
        rf"drawn: output cells (.*?) of the ({_SIZE}) map, and the columns ({_NUM}–{_NUM}) of ({_NUM}) from the first "
        r"window that reaches them to the last",
        r"已画: \2 图中的输出单元 \1, 以及列 \3 (共 \4): 从第一个可达它们的窗口到最后一个",
    ),
    (r"output, on the padded map", "输出 (在填充后的图上)"),
    # ... and as convgif info tells them
    (r"as one matrix product \(--view matrix\)", "写成一次矩阵乘法 (--view matrix)"),
    (r"as one matrix product", "写成一次矩阵乘法"),
    (r"as two matrix products, the depthwise then the pointwise", "写成两次矩阵乘法: 先逐深度, 再逐点"),
    (r", d flattened$", ", 即展平的 d"),
    (r"d, the depthwise output and the pointwise step's input:", "d, 即逐深度卷积的输出, 也是逐点卷积的输入:"),
    *COUNTS,
    (rf"\(({_NUM} × {_NUM}) block-diagonal against all of X\)", r"(对整个 X 而言是 \1 的分块对角矩阵)"),
    (rf"entries, ({_NUM}) of them weights", r"个元素, 其中 \1 个为权重"),
    (
        r"entries, those holding weights not counted \((padding_mode=\S+) on a layer this large\)",
        r"个元素, 其中权重的个数未统计 (\1, 层过大)",
    ),
    (r"entries, those holding weights not counted \(a layer this large\)", "个元素, 其中权重的个数未统计 (层过大)"),
    (
        rf"; C, ({_NUM} × {_NUM}), is the matrix of the direct convolution with the same weight from the output's "
        r"shape back to the input's",
        r"; C 为 \1, 即用同一权重从输出形状映射回输入形状的直接卷积的矩阵",
    ),
    (
        r"kernel taps landing on an output cell: not listed for a layer this large",
        "落在一个输出单元上的卷积核抽头数: 层过大, 从略",
    ),
    (r"kernel taps landing on an output cell", "落在一个输出单元上的卷积核抽头数"),
    (r"\(uneven: the checkerboard of --view overlaps\)", "(不均匀: 即 --view overlaps 的棋盘格)"),
    (r"\(uneven: a checkerboard\)", "(不均匀: 形成棋盘格)"),
    (r"\(even\)", "(均匀)"),
    (rf", each adding the ({_NUM}) input channels of its group", r", 每个抽头累加本组的 \1 个输入通道"),
    (
        r"windows covering an output cell \(fold\(unfold\(x\)\) is x times that\)",
        "覆盖一个输出单元的窗口数 (fold(unfold(x)) 等于 x 乘以该数)",
    ),
    (r"windows along ([HW]) =", r"沿 \1 的窗口数 ="),
    (r"none: Unfold copies the windows and has no weights", "无: Unfold 只把各窗口取出成列, 没有权重"),
    (r"none: Fold adds the columns into their windows and has no weights", "无: Fold 把各列加回其窗口, 没有权重"),
)
