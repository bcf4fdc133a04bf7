"""The catalogue's sentences of a whole network's page (``convgif model``): its headings, the
table's header and cells, the notes around the table, why a module's receptive field is not
followed, and the words of the receptive field's animation (why a layer is not drawn: in
:mod:`.catalogue_refusals`, taken in here). Matched before the rest of
:data:`convgif.language.catalogue.PHRASES`, whose words they would otherwise be cut into.

A page's names (modules as ``named_modules()`` names them, classes, torch functions) are the
captured groups; the page protects those it composes itself (:func:`convgif.language.say_naming`).
"""

from __future__ import annotations

import re

from . import catalogue_refusals as _refusals

_NUM = r"[−-]?\d[\d,.]*"
_SIZE = r"\d+(?:×\d+)*"
_NAME = r"(\S+)"

#: The note above the table, as :mod:`convgif.network.page` writes it.
FIELD_NOTE = (
    "Receptive field at each module's output, per axis: its size in input cells (the widest, where "
    "cells differ), the jump (how many input cells each output's field lies past the one before) and "
    "where output cell 0's field starts. The input is counted as going on past its edges, so a field "
    "that reaches into the padding keeps its full size: a negative start, or an end past the input, "
    "is that many cells of padding, which autograd on this input does not show. After a transposed "
    "convolution or an upsampling, neighbouring fields may move unevenly, in a pattern that repeats "
    "(by 2, then 0 cells): the jump is then the average move over one whole period of the pattern "
    "(here 1 cell), and the moves are listed, so that cell o's field starts at the start plus the "
    "first o moves. Near the edges the moves can differ from the pattern, so the moves listed need "
    "not average to the jump."
)

#: With which values the layers are drawn (:func:`convgif.network.page.drawn_with`).
FROM_TEXT = (
    "Each layer is drawn with example values, small random integers (chosen by --seed), as its input "
    "and its weights: the text print(model) shows holds no weights, and no network is run. Give the "
    "model itself (path/to/file.py:NAME) and --image to draw each layer with its own weights and with "
    "what it receives."
)
WITH_PICTURE = (
    "Each layer is drawn with its module's own weights and biases and with the activation it "
    "receives when the picture given (--image) goes through the network."
)
WITH_EXAMPLE = (
    "Each layer is drawn with its module's own weights and biases (random unless the model loads "
    "trained ones or --weights gives them), but with an example input of small random integers "
    "(chosen by --seed), not the values the network passes it. Give --image PICTURE to draw each "
    "layer with the activation it receives."
)

#: (English phrase as a regular expression, Simplified Chinese), applied first, in this order: why
#: a layer is not drawn (:mod:`.catalogue_refusals`), then the page's own sentences.
PHRASES: tuple[tuple[str, str], ...] = _refusals.PHRASES + (
    # the headings and the table's header: whole texts only
    (r"^The network, layer by layer$", "网络逐层图解"),
    (r"^Receptive field$", "感受野"),
    (r"^Every module$", "全部模块"),
    (r"^The layers convgif draws$", "convgif 画出的层"),
    (r"^the receptive field, layer by layer$", "逐层的感受野"),
    (r"^\(model\)$", "(模型)"),  # the whole network's row
    (r"^module$", "模块"),
    (r"^class$", "类"),
    (r"^input → output$", "输入 → 输出"),
    (r"^parameters$", "参数"),
    (r"^MACs$", "乘加次数"),
    (r"^drawn$", "动画"),
    # the notes
    (
        re.escape(FIELD_NOTE),
        "各模块输出处的感受野, 按轴给出: 它的大小 (以输入单元计; 各单元不同时取最宽者), 间隔 (每个输出的感受野比前一个"
        "输出的往后错开多少个输入单元), 以及输出单元 0 的感受野从哪里开始。输入被看作在边缘之外继续延伸, 所以伸入填充的"
        "感受野保持完整大小: 负的起点, 或超出输入的终点, 就是那么多个填充单元, 在这个输入上用自动求导是看不出来的。"
        "在转置卷积或上采样之后, 相邻的感受野可能按一个重复的模式不均匀地移动 (先移 2 个单元, 再移 0 个): "
        "这时间隔是一个完整周期内的平均移动 (此例为 1 个单元), 并逐一给出各次移动, 使单元 o 的感受野起点等于起点加上"
        "前 o 次移动。边缘附近的移动可能与该模式不同, 所以给出的各次移动的平均值不一定等于间隔。",
    ),
    (
        re.escape(FROM_TEXT),
        "每层都用示例值画出, 它的输入和权重都是小的随机整数 (由 --seed 选定): print(model) 显示的文本不含权重, "
        "也没有让任何网络算一遍。给出模型本身 (path/to/file.py:NAME) 和 --image, 就能用每层自己的权重和它实际收到的"
        "值来画它。",
    ),
    (
        re.escape(WITH_PICTURE),
        "每层都用它的模块自己的权重和偏置画出, 输入是所给图片 (--image) 通过网络时该层收到的激活值。",
    ),
    (
        re.escape(WITH_EXAMPLE),
        "每层都用它的模块自己的权重和偏置画出 (除非模型载入了训练好的权重或由 --weights 给出, 否则是随机的), "
        "但输入是由小的随机整数组成的示例 (由 --seed 选定), 不是网络传给它的值。给出 --image 图片, 就能用每层收到的"
        "激活值来画它。",
    ),
    (
        rf"^Input (\(.*?\)) · ({_NUM}) parameters · ({_NUM}) multiply-accumulates \(convolutions and linear layers, "
        r"one sample\)$",
        r"输入 \1 · 参数 \2 个 · 乘加 \3 次 (卷积层和全连接层, 单个样本)",
    ),
    (
        rf"^torchinfo's Mult-Adds for the same model: ({_NUM}), the same count$",
        r"torchinfo 对同一模型计得的 Mult-Adds 为 \1, 与 convgif 的计数相同",
    ),
    (
        rf"^torchinfo's Mult-Adds for the same model: ({_NUM}) = convgif's ({_NUM}) multiply-accumulates",
        r"torchinfo 对同一模型计得的 Mult-Adds 为 \1 = convgif 的 \2 次乘加",
    ),
    (
        rf"([+−]) ({_NUM}) for the weights of (.+?) \(torchinfo counts each weight of a transposed convolution once "
        r"per output position, convgif once per input cell it multiplies\)",
        r"\1 \2: \3 的权重 (torchinfo 把转置卷积的每个权重按每个输出位置计一次, convgif 按它所乘的每个输入单元计一次)",
    ),
    (rf"([+−]) ({_NUM}) for adding the biases \(once per output value\)", r"\1 \2 次偏置加法 (每个输出值一次)"),
    (rf"([+−]) ({_NUM}) for the norm layers' parameters \(once each\)", r"\1 \2: 归一化层的参数 (每个一次)"),
    (
        rf"([+−]) ({_NUM}) for convolutions called as functions, which torchinfo does not count",
        r"\1 \2: 以函数调用的卷积, torchinfo 不计",
    ),
    (rf"([+−]) ({_NUM}) for other parameters", r"\1 \2: 其他参数"),
    (rf"^({_NUM}) layers convgif draws, ({_NUM}) other rows$", r"convgif 画出 \1 层, 另有 \2 行未画出"),
    (rf"^({_NUM}) layers failed to draw: see their rows$", r"\1 层绘制失败: 见它们所在的行"),
    # the table's last column: what is drawn, or why not
    (r"^failed: ", "绘制失败: "),
    (r"^yes \(not drawn: table only\)$", "是 (未画出: 只输出表格)"),
    (r"^animation below$", "动画见下文"),
    (r"^animation$", "动画"),
    (r"^\[animation\]\(#", "[动画](#"),
    (rf"^{_NAME} is not a layer convgif draws$", r"\1 不是 convgif 画的层"),
    (r"^not called by forward\(\)$", "forward() 没有调用它"),
    (rf"convgif cannot tell the output shape of {_NAME} without torch", r"没有 torch, convgif 无法得知 \1 的输出形状"),
    (rf"^after {_NAME}: ", r"在 \1 之后: "),
    # the receptive field's column
    (r"^the whole input$", "整个输入"),
    (r"^not followed: ", "未追踪: "),
    (r"^sees no input cell$", "不依赖任何输入单元"),
    (r"\bcall (\d+): ", r"第 \1 次调用: "),
    (rf"({_SIZE}) · jump ({_SIZE})", r"\1 · 间隔 \2"),
    (r" · start ", " · 起点 "),
    (r"\(uneven: starts move depth ", "(不均匀: 起点依次移动 深度 "),  # the first of three axes
    (r"\(uneven: starts move ", "(不均匀: 起点依次移动 "),
    (r"\(uneven\)", "(不均匀)"),
    (r"(?<=[ ;])evenly(?=[;)])", "均匀"),
    (r"(?<=[ ;])unevenly(?=[;)])", "不均匀"),
    (r"\baxis (\d+)", r"轴 \1"),
    (r"^every cell sees the whole input · ", "每个单元都看到整个输入 · "),
    # why a receptive field is not followed (the reasons :mod:`convgif.network.reach` gives)
    (
        r"the tensor it reads had its axes regrouped \(flatten, view, stack, einsum\); convgif follows such a tensor "
        r"cell by cell, along a dim, by a layer norm or linear layer over its last axes, by einsum or matmul, and "
        r"once view or reshape gives the input's axes back",
        "它读取的张量的轴被重新组合过 (flatten, view, stack, einsum); 这样的张量, convgif 只在逐单元计算、沿一个 dim "
        "计算、由层归一化或线性层作用于它的最后几个轴、由 einsum 或 matmul 计算时, 以及 view 或 reshape 把输入的轴"
        "还原之后才追踪",
    ),
    (
        rf"{_NAME} runs along an axis that holds several of the input's axes \((.*?), merged by flatten or view\): "
        r"convgif follows it there where it reads the whole axis or cell by cell",
        r"\1 沿着一个容纳了输入的多个轴的轴计算 (\2, 由 flatten 或 view 合并): 在这样的轴上, convgif 只在它读取整个轴或"
        r"逐单元计算时才追踪",
    ),
    (
        r"it slices an axis that holds several of the input's axes \(merged by flatten or view\): convgif follows "
        r"one position or all of them",
        "它对一个容纳了输入的多个轴的轴 (由 flatten 或 view 合并) 做切片: convgif 只追踪其中一个位置或全部位置",
    ),
    (
        r"it multiplies along the batch axis: one sample's result depends on the others'",
        "它沿批次轴相乘: 一个样本的结果取决于其他样本",
    ),
    (r"it pairs positions its operands lay out differently", "它把各操作数中排列方式不同的位置配成对"),
    (
        r"with is_causal, each query reads the keys up to its own position, not every position",
        "带 is_causal 时, 每个查询只读取到它自己的位置为止的键, 而不是所有位置",
    ),
    (
        r"with attn_mask, which keys each query reads depends on the mask's values",
        "带 attn_mask 时, 每个查询读取哪些键取决于掩码的值",
    ),
    (
        r"indexing with (.+?): convgif follows integers and slices of the batch-first tensor",
        r"以 \1 索引: convgif 只追踪批次轴在前的张量的整数索引和切片",
    ),
    (
        r"it merges the channels with the positions: convgif follows reshapes that keep them apart",
        "它把通道与位置合并在一起: convgif 只追踪让二者保持分开的 reshape",
    ),
    (
        r"it cuts dim (\S+) of the input \(a spatial axis\) into pieces, or merges it with the channels: convgif "
        r"follows reshapes that keep each spatial axis whole",
        r"它把输入的 dim \1 (一个空间轴) 切成几段, 或把它与通道合并: convgif 只追踪让每个空间轴保持完整的 reshape",
    ),
    (r"it stacks tensors whose axes are laid out differently", "它堆叠的张量的轴排列方式不同"),
    (
        r"it reshapes the batch axis too: one sample's cells mix with the others'",
        "它也改变了批次轴的形状: 一个样本的单元与其他样本的混在一起",
    ),
    (
        rf"it reads what {_NAME} made, which convgif does not follow",
        r"它读取的是 \1 的结果, 而 convgif 不追踪 \1",
    ),
    (rf"{_NAME} makes a tensor without spatial axes", r"\1 得到的张量没有空间轴"),
    (rf"{_NAME} changes the number of axes \((.*?) -> (.*?)\)", r"\1 改变了轴的个数 (\2 -> \3)"),
    (rf"convgif does not know which cells {_NAME} reads", r"convgif 不知道 \1 读取哪些单元"),
    (r"its arguments could not be read \(dim, keepdim\)", "无法读取它的参数 (dim, keepdim)"),
    (rf"{_NAME}: its arguments could not be read \((.*)\)", r"\1: 无法读取它的参数 (\2)"),
    (r"its arguments could not be read$", "无法读取它的参数"),
    (r"its dims could not be read$", "无法读取它的 dims"),
    (
        rf"{_NAME} with prepend or append: convgif follows diff of the tensor alone",
        r"\1 带 prepend 或 append: convgif 只追踪张量本身的 diff",
    ),
    (
        rf"{_NAME} without dims rolls the flattened tensor: its cells move across the axes",
        r"\1 不带 dims 时滚动的是展平后的张量: 它的单元跨轴移动",
    ),
    (rf"convgif does not know where the pieces of {_NAME} start", r"convgif 不知道 \1 的各块从哪里开始"),
    (r"without dim it flattens the tensor", "不带 dim 时它把张量展平"),
    (r"its repeats differ from cell to cell", "它的 repeats 逐单元不同"),
    (
        r"it moves the batch axis: one sample's cells mix with the others'",
        "它移动了批次轴: 一个样本的单元与其他样本的混在一起",
    ),
    (
        r"it normalizes over the batch axis too: one sample's result depends on the others'",
        "它也在批次轴上归一化: 一个样本的结果取决于其他样本",
    ),
    (
        r"the tensor it reads had its axes moved \(permute, transpose\); convgif follows such a tensor cell by cell, "
        r"along an axis, by a layer norm or linear layer over its last axes, and once its axes are put back",
        "它读取的张量的轴被移动过 (permute, transpose); 这样的张量, convgif 只在逐单元计算、沿一个轴计算、"
        "由层归一化或线性层作用于它的最后几个轴时, 以及它的轴被放回之后才追踪",
    ),
    (rf"{_NAME} broadcasts a tensor of other axes \((.*?) with (.*?)\)", r"\1 广播了一个轴不同的张量 (\2 与 \3)"),
    (
        r"it runs along the batch axis: one sample's result depends on the others'",
        "它沿批次轴计算: 一个样本的结果取决于其他样本",
    ),
    (
        r"where a MaxUnpool writes depends on the indices its MaxPool found",
        "最大反池化写到哪里, 取决于与它配对的最大池化找到的索引",
    ),
    (
        r"a fractional max pooling's windows are drawn at random on each call",
        "分数最大池化的窗口在每次调用时随机选取",
    ),
    (rf"convgif does not follow {_NAME}", r"convgif 不追踪 \1"),
    (
        rf"{_NAME} pads with ('[^']*'): traced, its padding is a call of its own",
        r"\1 以 \2 填充: 追踪时, 它的填充是单独的一次调用",
    ),
    (r"a convolution's weight", "卷积的权重"),
    (
        rf"{_NAME} with (mode='[^']*'): convgif follows nearest, linear and area resizing",
        r"\1 使用 \2: convgif 只追踪 nearest, linear 和 area 缩放",
    ),
    (
        r"indexing with (.+?): convgif follows slices of the batch-first tensor only",
        r"以 \1 索引: convgif 只追踪批次轴在前的张量的切片",
    ),
    (rf"{_NAME} along the batch axis", r"\1 沿批次轴"),
    (r"it makes a number, not a tensor", "它得到的是一个数, 不是张量"),
    (
        r"it reduces the batch axis too \(as dim=None does\): one sample's result depends on the others'",
        "它也归约了批次轴 (如 dim=None): 一个样本的结果取决于其他样本",
    ),
    (r"its dim could not be read \((.*?)\)", r"无法读取它的 dim (\1)"),
    (
        r"the tensor it reads lost dim (.+?) to a reduction without keepdim; convgif follows such a tensor cell "
        r"by cell, broadcast in line with the input's axes, or once unsqueeze or view puts the dims back",
        r"它读取的张量在一次不带 keepdim 的归约中失去了 dim \1; 这样的张量, convgif 只在逐单元计算、与输入的轴对齐"
        r"广播, 或由 unsqueeze 或 view 补回这些维之后才追踪",
    ),
    (r"reads a tensor not made from the input", "读取的张量不是由输入得到的"),
    (r"no spatial axes$", "没有空间轴"),
    # the notes on the receptive field's animation
    (
        rf"no drawn layer has a cell whose whole receptive field lies inside the input: the picture shows the middle "
        rf"cell of {_NAME}, whose field reaches into the padding",
        r"画出的层中没有哪个单元的整个感受野都在输入之内: 图中是 \1 的中间单元, 它的感受野伸入了填充",
    ),
    (r"no layer with a spatial output to trace", "没有输出带空间轴的层可以追踪"),
    (r"the receptive field is drawn for 1-D and 2-D networks", "感受野只为一维和二维网络画出"),
    (r"the field stops short: ", "感受野的追踪中断: "),
    (r"the chosen cell depends on no input cell", "所选单元不依赖任何输入单元"),
    # the receptive field's animation
    (
        rf"^What one cell of module {_NAME}'s output sees: (\[[^\]]*\]), all channels$",
        r"模块 \1 的一个输出单元 \2 (所有通道) 看到的输入",
    ),
    (
        r"^What one cell of the model's output sees: (\[[^\]]*\]), all channels$",
        r"模型的一个输出单元 \1 (所有通道) 看到的输入",
    ),
    (
        rf"^What one cell of {_NAME}'s output sees: (\[[^\]]*\]), all channels$",
        r"\1 的一个输出单元 \2 (所有通道) 看到的输入",
    ),
    (r"^the cell traced$", "所追踪的单元"),
    (r"^the cells it depends on$", "它所依赖的单元"),
    (rf"^(\d+/\d+) · {_NAME} \({_NAME}\) output ", r"\1 · \2 (\3) 的输出 "),
    (r"^the output cell (\[[^\]]*\]), all its channels$", r"所选的输出单元 \1, 含其所有通道"),
    (rf"^({_NUM}) of ({_NUM}) cells \((.*)\)$", r"\2 个单元中的 \1 个 (\3)"),
    (rf"^0 of ({_NUM}) cells$", r"\1 个单元中的 0 个"),
    (rf"^0 of ({_NUM}) input cells: the cell depends on none$", r"\1 个输入单元中的 0 个: 该单元不依赖任何输入单元"),
    (
        rf"^({_NUM}) of ({_NUM}) input cells \((.*?)\): the whole receptive field$",
        r"\2 个输入单元中的 \1 个 (\3): 即整个感受野",
    ),
    (
        rf"^({_NUM}) of ({_NUM}) input cells \((.*?)\): the part of the receptive field inside the input(?=$|\n)",
        r"\2 个输入单元中的 \1 个 (\3): 感受野在输入之内的部分",
    ),
    (r"The whole field: (.*?); (.*) are padding$", r"整个感受野: \1; 其中 \2 是填充"),
    (r"rows and columns (?=[−\d])", "行和列 "),
)

#: The Simplified characters of these sentences that the catalogue's table did not yet hold, and
#: their Traditional forms.
TRADITIONAL = dict(
    zip(
        "则实宽导带广张归机独类约练终结绘络维见让训调败赖踪载连邻里错际随并滚几键询着码还纳",
        "則實寬導帶廣張歸機獨類約練終結繪絡維見讓訓調敗賴蹤載連鄰裡錯際隨並滾幾鍵詢著碼還納",
    )
)
TRADITIONAL.update(_refusals.TRADITIONAL)

#: Terms Taiwan's texts use where the mainland's use others, not only other characters.
HANT_TERMS: tuple[tuple[str, str], ...] = (
    ("网络", "網路"),  # a network: 神經網路
    ("模块", "模組"),  # a software module
    ("归一化", "正規化"),  # normalization: 批次正規化
    ("绘制", "繪製"),  # to draw: 製, not 制
    ("类", "類別"),  # a Python class: 類別
    *_refusals.HANT_TERMS,
)
