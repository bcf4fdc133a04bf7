"""The catalogue of convgif's words in Simplified Chinese (Traditional derived by a character
table and a few terms of its own): each English phrase as a pattern, its translation with the
pattern's groups in Chinese order. Whole sentences come first, so that they match before the
phrases and single words they hold."""

from __future__ import annotations

from .catalogue_depth import BACKWARD_DEPTH, POOL_BACKWARD_DEPTH
from .catalogue_matrix import MATRIX
from .catalogue_model import HANT_TERMS as _MODEL_TERMS
from .catalogue_model import PHRASES as _MODEL
from .catalogue_model import TRADITIONAL as _MODEL_TRADITIONAL
from .catalogue_moves import PHRASES as _MOVES

# --- the catalogue ----------------------------------------------------------------------------

_NUM = r"[−-]?\d[\d,.]*"
_RANGE = r"0(?:–\d+)?"  # depth indices: "0–3"
_OF = rf"(of {_RANGE}|the only one)"  # "(of 0–3)" or "(the only one)": kept, said by the catalogue's own rule
_SIZE = r"\d+(?:×\d+)*"
_PAIR = r"(?:-?\d+|\([^)]*\))"
_CALL = r"\w+\((?:[^()]|\([^()]*\))*\)"  # a layer as written: MaxPool2d(kernel_size=(3, 2), stride=(2, 1))

#: (English phrase as a regular expression, Simplified Chinese), applied in this order.
PHRASES: tuple[tuple[str, str], ...] = (
    _MODEL  # a whole network's page and its receptive field's animation
    + _MOVES
    + POOL_BACKWARD_DEPTH  # a 3-D pooling's backward pass, one depth slice at a time
    + (
        # LP pooling's overhang (whole sentences, before the words they hold)
        (
            r"hatched cells past the edge: ceil_mode's overhang, never read; torch sums a cut window as its mean times "
            r"K, the kernel's cell count, as if they held that mean",
            "边缘外的斜线单元: ceil_mode 的越界部分, 从不读取; torch 把被截断窗口的和算作其平均值乘以 K (卷积核的单元数), "
            "如同这些单元都取该平均值",
        ),
        (
            r"hatched cells past the edge: ceil_mode's overhang, never read; for p = ±∞ torch takes a plain max "
            r"pool of \|x\|, so a cut window's y is the largest \|x\| of the cells inside it",
            "边缘外的斜线单元: ceil_mode 的越界部分, 从不读取; p = ±∞ 时 torch 对 |x| 做普通的最大池化, "
            "故被截断窗口的 y 是窗口内单元中最大的 |x|",
        ),
        (
            r"hatched cells past the edge: ceil_mode's overhang, never read; for p = ±∞ torch takes a plain min "
            r"pool of \|x\|, so a cut window's y is the least \|x\| of the cells inside it",
            "边缘外的斜线单元: ceil_mode 的越界部分, 从不读取; p = ±∞ 时 torch 对 |x| 做普通的最小池化, "
            "故被截断窗口的 y 是窗口内单元中最小的 |x|",
        ),
        (
            rf"\(a window cut by the edge: the mean of its ({_NUM}) cells?, times ({_NUM})\)",
            r"(被边缘截断的窗口: 其 \1 个单元的平均值, 乘以 \2)",
        ),
        # a MaxUnpool3d's sum line, broken anywhere: its pieces (before "in" is a word)
        (rf"\(index ({_NUM}), outside the part drawn\)", r"(索引 \1, 在所画部分之外)"),
        (rf"\(index ({_NUM}), overwrites the ({_NUM}) there\)", r"(索引 \1, 覆盖此处原有的 \2)"),
        (rf"overwrites the ({_NUM}) there\)", r"覆盖此处原有的 \1)"),
        (
            rf"indices \(unless given\): where (MaxPool\dd) with the same K, S, P(, ceil_mode=True)? found each "
            rf"window's largest value, over a random ({_SIZE}) input",
            r"索引 (未给出时): 相同 K, S, P\2 的 \1 在一个随机的 \3 输入上找到的每个窗口最大值的位置",
        ),
    )
    + MATRIX
    + (
        # the caption (the article's words)
        (r"Input Shape", "输入形状"),
        (r"Output Shape", "输出形状"),
        (r"\(left, right, top, bottom, front, back\)", "(左, 右, 上, 下, 前, 后)"),
        (r"\(left, right, top, bottom\)", "(左, 右, 上, 下)"),
        (r"\(left, right\)", "(左, 右)"),
        # the backward pass: its notes as whole sentences, then the pieces they are built of
        (r"^backward, ", "反向传播, "),
        # a separable convolution's backward pictures: the step each draws
        (
            r"pointwise step \(step 2 of 2 forward, so first backward\): from dy: dd = ∂L/∂d \(d: the depthwise "
            r"step's output\), (dw_pw = ∂L/∂w_pw(?:, db_pw = ∂L/∂b_pw)?)",
            r"逐点卷积 (正向第 2 步, 共 2 步, 故反向先算): 由 dy 得 dd = ∂L/∂d (d: 逐深度卷积的输出), \1",
        ),
        (
            r"depthwise step \(step 1 of 2 forward, so second backward\): from dd: (dx, dw_dw = ∂L/∂w_dw(?:, db_dw = "
            r"∂L/∂b_dw)?)",
            r"逐深度卷积 (正向第 1 步, 共 2 步, 故反向后算): 由 dd 得 \1",
        ),
        *BACKWARD_DEPTH,  # a 3-D convolution's backward pass, one depth slice at a time
        (r"∂L/∂\(padded (\w+)\)", r"∂L/∂(填充后的 \1)"),
        (r"each cell's gradient gathers (\S+) from the outputs it fed", r"每个单元的梯度汇集它参与计算的各输出的 \1"),
        (r"the kernels turned 180° slide over (\w+) as it is, stride 1", r"旋转 180° 的卷积核以步长 1 滑过原样的 \1"),
        (
            rf"the kernels turned 180° slide over (\w+) with ({_PAIR}) zeros? inserted between its cells, stride 1",
            r"旋转 180° 的卷积核以步长 1 滑过 \1 (单元间插入 \2 个零)",
        ),
        (
            rf"the kernels turned 180° slide over (\w+) with ({_PAIR}) zeros? inserted between its cells, (.*), stride 1",
            r"旋转 180° 的卷积核以步长 1 滑过 \1 (单元间插入 \2 个零, \3)",
        ),
        (r"the kernels turned 180° slide over (\w+) with (.*), stride 1", r"旋转 180° 的卷积核以步长 1 滑过 \1 (\2)"),
        (r"dilation·\(k − 1\) − padding = 0: none around", "膨胀·(k − 1) − 填充 = 0: 四周不补零"),
        (r"dilation·\(k − 1\) = 0: none around", "膨胀·(k − 1) = 0: 四周不补零"),
        (rf"dilation·\(k − 1\) − padding = ({_PAIR}) zeros? around", r"四周各补 膨胀·(k − 1) − 填充 = \1 个零"),
        (rf"dilation·\(k − 1\) = ({_PAIR}) zeros? around", r"四周各补 膨胀·(k − 1) = \1 个零"),
        (
            rf"dilation·\(k − 1\) − padding = ({_PAIR}) zeros? before, ({_PAIR}) after",
            r"开头补 膨胀·(k − 1) − 填充 = \1 个零, 末尾补 \2 个",
        ),
        (
            rf"dilation·\(k − 1\) = ({_PAIR}) zeros? before, ({_PAIR}) after",
            r"开头补 膨胀·(k − 1) = \1 个零, 末尾补 \2 个",
        ),
        (r"\(negative: cells cropped\)", "(负数: 裁掉单元)"),
        (
            r"each weight's gradient sums (\S+) over every placement of its kernel",
            r"每个权重的梯度是其卷积核每次放置处的 \1 之和",
        ),
        (
            r"each weight's gradient sums (\S+) over every input cell that scattered it",
            r"每个权重的梯度是散布它的每个输入单元处的 \1 之和",
        ),
        (
            rf"(\w+) slides over (\w+) as the kernels, its cells ({_PAIR}) apart \(the stride\), moving ({_PAIR}) at a "
            r"time \(the dilation\)",
            r"\1 作为卷积核滑过 \2: 其单元相隔 \3 (步长), 每次移动 \4 (膨胀)",
        ),
        (r"each bias's gradient sums its channel's (\w+)", r"每个偏置的梯度是其通道的 \1 之和"),
        (
            rf"a direct convolution; the kernels, as they are, slide over (\w+) with the layer's stride ({_PAIR}) and "
            rf"dilation ({_PAIR})",
            r"即一个直接卷积, 卷积核保持原样, 以该层的步长 \2 和膨胀 \3 滑过 \1",
        ),
        (
            r"(\w+) sits on the canvas the kernels were scattered on: (padding=\([^)]*\)) cropped the cells drawn 0 "
            r"around it",
            r"\1 位于卷积核散布的画布上: \2 裁掉了其四周画为 0 的单元",
        ),
        (r"^(\w+) sits on the canvas the kernels were scattered on$", r"\1 位于卷积核散布的画布上"),
        (
            r"(output_padding=\([^)]*\)) added the (\w+) cells past it, which no kernel reached: no step reads them",
            r"\1 添加了画布之外的 \2 单元, 卷积核从未到达它们: 没有哪一步读取它们",
        ),
        (r"w is in PyTorch's (\(C_in, C_out/G, [^)]*\)) layout", r"w 采用 PyTorch 的 \1 布局"),
        (
            r"(padding_mode='\w+') copied input cells into the padding, so each input cell gathers its own (\w+) and "
            r"that of every padding cell copying it",
            r"\1 把输入单元复制进了填充, 因此每个输入单元汇集自身的 \2 以及复制它的每个填充单元的 \2",
        ),
        (
            r"each window's dy goes to its largest cell, ringed in ink \(of equal ones the first, as torch\)",
            "每个窗口的 dy 传给其中最大的单元 (以墨色圈出; 有相等者取第一个, 同 torch)",
        ),
        (
            r"x is not drawn \(dx takes none of its values\): each window is outlined on dx where it covers the input",
            "x 未画出 (dx 与它的值无关): 每个窗口在 dx 上框出其覆盖输入的部分",
        ),
        (r"cells of windows that overlap add up", "重叠窗口中的单元累加"),
        (r"cells in several windows add up", "位于多个窗口中的单元累加"),
        (r"\(n = input size, o = output size\)", "(n = 输入大小, o = 输出大小)"),
        (
            r"each window's dy is shared by the input cells of its window, (divided by .*), as its average divided",
            r"每个窗口的 dy 由窗口中的输入单元均分: \1, 与求平均时所除的相同",
        ),
        (r"divided by the input cells it covers \(padding not counted\)", "除以其覆盖的输入单元数 (不计填充)"),
        (
            r"divided by its cells, padding counted \(ceil_mode's overhang not\)",
            "除以其单元数, 计入填充 (不计 ceil_mode 的越界部分)",
        ),
        (r"divided by (divisor_override=\d+)", r"除以 \1"),
        (
            r"each window's dy is shared by its cells, divided by its cell count",
            "每个窗口的 dy 由其单元均分, 除以其单元数",
        ),
        (
            r"each window's dy goes to its largest \|x\|, times the sign of that x",
            "每个窗口的 dy 乘以该处 x 的符号, 传给其中最大的 |x|",
        ),
        (
            r"each window's dy goes to its least \|x\|, times the sign of that x",
            "每个窗口的 dy 乘以该处 x 的符号, 传给其中最小的 |x|",
        ),
        (
            r"each window's dy goes to its cells times ∂y/∂x = \(x / y\)\^\(p − 1\), p = (\S+) \(times K / the cells "
            r"counted, for a window cut by the edge\)",
            r"每个窗口的 dy 乘以 ∂y/∂x = (x / y)^(p − 1) 传给其单元, p = \1 (被边缘截断的窗口再乘以 K / 计入的单元数)",
        ),
        (
            r"torch multiplies every cell's by p·x\^\(p − 1\), so where x = 0 it is NaN, even in no window",
            "torch 把每个单元的梯度乘以 p·x^(p − 1), 因此 x = 0 处为 NaN, 即使它不在任何窗口中",
        ),
        (r"y = the largest \|x\| of each window", "y = 每个窗口中最大的 |x|"),
        (r"y = the least \|x\| of each window", "y = 每个窗口中最小的 |x|"),
        (
            r"each input cell gathers the dy of its own output cell's and those of the padding cells copying it",
            "每个输入单元汇集自身所在输出单元的 dy, 以及复制它的各填充单元的 dy",
        ),
        (r"each input cell gathers the dy of the output cell it became", "每个输入单元取它所成为的输出单元的 dy"),
        (r"the constant's cells send theirs nowhere", "常数单元的 dy 不传回任何地方"),
        (
            r"each input cell gathers the dy of every output cell that read it, times the weight it read the cell with",
            "每个输入单元汇集读取它的每个输出单元的 dy, 各乘以读取时所用的权重",
        ),
        (
            r"each input cell's gradient is the dy of the output cell it moved to",
            "每个输入单元的梯度是它被移到的输出单元的 dy",
        ),
        (r"an (\d+)×(\d+) block of dy goes back to (\d+)² channels", r"dy 的一个 \1×\2 块回到 \3² 个通道"),
        (r"(\d+)² channels of dy go back to an (\d+)×(\d+) block", r"dy 的 \1² 个通道回到一个 \2×\3 块"),
        (
            r"output channel j copied input channel (.*), so dx of that channel is dy\[j\]: the channels moved back, a "
            r"shuffle with (\d+) groups",
            r"输出通道 j 复制了输入通道 \1, 因此该通道的 dx 即 dy[j]: 通道移回原处, 即分 \2 组的重排",
        ),
        (
            r"each input cell's gradient is dy where its index put its value \(the cells no index names send theirs "
            r"nowhere\)",
            "每个输入单元的梯度是其索引放置其值处的 dy (没有索引指向的单元, 其 dy 不传回)",
        ),
        # the backward pass as convgif info counts it
        (r"backward pass \(dL/dy in, the gradients out\):", "反向传播 (输入 dL/dy, 输出梯度):"),
        (r"one (\S+) for each forward ([^\s:]+) scattered", r"前向每次散布的 \2 对应一个 \1"),
        (r"one (\S+) for each forward ([^\s:]+)", r"前向每个 \2 对应一个 \1"),
        (
            r"the kernels turned 180° slide over dy with stride − 1 zeros inserted",
            "旋转 180° 的卷积核滑过 dy (单元间插入 步长 − 1 个零)",
        ),
        (r"the kernels, not turned, slide over dy with the stride", "卷积核不旋转, 以该层的步长滑过 dy"),
        (r"x correlated with dy", "x 与 dy 做互相关"),
        (r"every dy cell once", "每个 dy 单元一次"),
        # the backward pass: headings, keys, step and sum lines
        (r"kernels (\w+), turned 180°", r"卷积核 \1 (旋转 180°)"),
        (r"(\w+), as kernels", r"\1 (作卷积核)"),
        (r"\b(d[a-z]{1,2}), on the canvas", r"\1 (画布上)"),
        (r"\b(d[a-z]{1,2}) at (?=\()", r"\1 位于 "),
        (r"zeros around", "四周补的零"),
        (r"\(zero-inserted, padded, cropped\)", "(插零, 已填充, 已裁剪)"),
        (r"\(zero-inserted, cropped\)", "(插零, 已裁剪)"),
        (r"\(padded, cropped\)", "(已填充, 已裁剪)"),
        (r"\(zero-inserted\)", "(插零)"),
        (r"\(cropped\)", "(已裁剪)"),
        (rf"= ({_NUM}) each", r"= 每单元 \1"),
        (r"goes nowhere", "不传回任何单元"),
        (r": no output cell took it", ": 没有输出单元取用它"),
        (r"Σ weight·dy over the (\d+) cells ringed", r"圈出的 \1 个单元的 Σ 权重·dy"),
        (r"Σ dy over the (\d+) cells ringed", r"圈出的 \1 个单元的 Σ dy"),
        (r"\(of (\d+) equal largest, the first\)", r"(\1 个相等的最大值中的第一个)"),
        (
            r"\(the window holds no input cell; torch sends its dy to its index (\d+) all the same\)",
            r"(窗口不含输入单元; torch 仍把其 dy 送到其索引 \1)",
        ),
        (
            r"\(the window holds no input cell, and torch's index (\d+) lies outside the input\)",
            r"(窗口不含输入单元, 且 torch 的索引 \1 在输入之外)",
        ),
        (r"padding not counted", "不计填充"),
        (r"padding counted", "计入填充"),
        (r"overhang not counted", "不计越界部分"),
        (r" dilated by ", ", 膨胀 "),
        # step lines and counters
        (rf"step ({_NUM})/({_NUM}) of this part", r"第 \1/\2 步 (本部分)"),
        (rf"step ({_NUM})/({_NUM})", r"第 \1/\2 步"),
        (rf"\(step ({_NUM}) of ({_NUM})\)", r"(第 \1 步, 共 \2 步)"),
        # a contact sheet too short for every frame: the sample it shows
        (
            rf"({_NUM}) of the ({_NUM}) frames, evenly spread, each picture's first and last among them \(the "
            r"animation plays every one\): frames (.*)",
            r"共 \2 帧中的 \1 帧, 均匀选取, 含每幅图片的第一帧和最后一帧 (动画播放每一帧): 第 \3 帧",
        ),
        (rf"frame ({_NUM}) of ({_NUM})", r"第 \1 帧, 共 \2 帧"),
        (r"showing", "显示"),
        # "1 of 2 output channels": how many are shown of all, not which one ("通道 1/2" reads as channel 1)
        (rf"({_NUM}) of ({_NUM}) input channels", r"\1 个输入通道 (共 \2 个)"),
        (rf"({_NUM}) of ({_NUM}) output channels", r"\1 个输出通道 (共 \2 个)"),
        (rf"({_NUM}) of ({_NUM}) output grids \(y and indices\)", r"\1 个输出网格 (共 \2 个; y 与 indices)"),
        (
            rf"({_NUM}) of ({_NUM}) row blocks of (d?[xy]) \(({_NUM}) rows? each\)",
            r"\3 的 \1 个行块 (共 \2 个, 每块 \4 行)",
        ),
        (rf"({_NUM}) of ({_NUM}) (\w+) channels", r"\1 个 \3 通道 (共 \2 个)"),
        (rf"({_NUM}) of ({_NUM}) (\w+) kernels", r"\1 个 \3 卷积核 (共 \2 个)"),
        (rf"({_NUM}) of ({_NUM}) channels", r"\1 个通道 (共 \2 个)"),
        (rf"… ({_NUM}) more", r"… 另有 \1 个"),
        (r"\+n▶ n more cells, not drawn", "+n▶ 另有 n 个单元未画出"),
        (r"drawn part outlined", "已画部分加框"),
        (r"picture", "图片"),
        # keys
        (r"to come", "待计算"),
        (r"but never read or counted", "但从不读取或计数"),
        (r"never read or counted", "从不读取或计数"),
        (r"never read", "从不读取"),
        (r"^overhang$", "越界部分"),
        (r"never the largest", "永不为最大值"),
        (r"reflected padding", "反射填充"),
        (r"replicated padding", "复制边缘填充"),
        (r"circular padding", "循环填充"),
        (r"padding cells hold", "填充单元为"),
        (r"\(padding counted\)", "(计入填充)"),
        (r"\(padding not counted\)", "(不计填充)"),
        # headings
        (r"kernels, flipped", "卷积核 (翻转)"),
        (r"\(zero-inserted, padded\)", "(插零, 已填充)"),
        (r"\(padded, with overhang\)", "(已填充, 含越界部分)"),
        (r"\(with overhang\)", "(含越界部分)"),
        (r"\(padded\)", "(已填充)"),
        (r"output, on the canvas", "输出 (画布上)"),
        (r"on the canvas", "(画布上)"),
        (r", part", " · 局部"),
        # pooling
        (r"each output is the largest value of the cells it covers", "每个输出是其覆盖单元中的最大值"),
        (r"each output is the mean of the cells it covers", "每个输出是其覆盖单元的平均值"),
        (rf"each output is its window's sum / ({_NUM})", r"每个输出是其窗口之和 / \1"),
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
        (r"torch takes the mean of the whole input", "torch 对整个输入取平均值"),
        (r"torch divides by each axis's size in turn", "torch 依次除以每个轴的尺寸"),
        (r", so fractions may differ from it in the last bit", ", 小数的最后一位可能与之不同"),
        (r"windows overlap", "窗口重叠"),
        (r"lie in two windows", "位于两个窗口中"),
        (r"lies in two windows", "位于两个窗口中"),
        (rf"the same windows as ({_CALL})", r"窗口与 \1 相同"),
        # separable
        (r"depthwise: one kernel (w_dw\[c\]) per input channel", r"逐深度: 每个输入通道一个卷积核 \1"),
        (r"pointwise: 1×1 kernels (w_pw) mix d's channels", r"逐点: 1×1 卷积核 \1 混合 d 的通道"),
        (r"into d", "得到 d"),
        (r"depthwise", "逐深度"),
        (r"pointwise", "逐点"),
        (rf"total ({_NUM}), against ({_NUM}) for a standard convolution", r"共 \1, 标准卷积为 \2"),
        (r"standard", "标准卷积"),
        (
            r"parameters 0 of its own; the four layers it compares have these weights",
            "参数 0 (本身没有; 所比较的四个层的权重如下)",
        ),
        (r"parameters", "参数"),
        # factors
        (rf"({_NUM}) numbers instead of ({_NUM})", r"\1 个数, 而非 \2 个"),
        (r"kernel = column", "卷积核 = 列"),
        (r"times row", "乘 行"),
        # a 3-D layer drawn one depth slice at a time
        (rf"depth ({_NUM}) \({_OF}\): (y\[:, {_NUM}\]) reads (x\[:, d\])", r"深度 \1 (\2): \3 读取 \4"),
        (rf"depths? ((?:{_NUM}(?:, )?)+): padding", r"深度 \1: 填充"),
        (rf"depths? ((?:{_NUM}(?:, )?)+): ceil_mode's overhang", r"深度 \1: ceil_mode 的越界部分"),
        # a grid of a depth slice outside the tensor: "x[0] pad, depth −1"
        (rf"(\w+\[{_NUM}\]) pad, depth ({_NUM})$", r"\1 填充, 深度 \2"),
        (rf"(\w+\[{_NUM}\]) cropped, depth ({_NUM})$", r"\1 裁掉, 深度 \2"),
        (rf"(\w+\[{_NUM}\]) overhang, depth ({_NUM})$", r"\1 越界部分, 深度 \2"),
        (r"input slices", "输入切片"),
        (r"output slices", "输出切片"),
        (
            rf"depth ({_NUM}) \({_OF}\): (y\[c, {_NUM}\]) reads ({_NUM}) depths? of (x\[c\]) from channel c's own start",
            r"深度 \1 (\2): \3 读取 \5 中从通道 c 自己的起点开始的 \4 个深度",
        ),
        (r"for d = ", "对应 d = "),
        (r"input depths (floor\(.*?\)) to (ceil\(.*?\) − 1)", r"输入深度 \1 到 \2"),
        (r"depths", "深度"),
        # a 3-D padding drawn one depth slice at a time
        (rf"depth ({_NUM}) \({_OF}\): copies (x\[:, {_NUM}\])", r"深度 \1 (\2): 复制 \3"),
        (
            rf"depth ({_NUM}) \({_OF}\): holds the constant ({_NUM}) \(depth padding\)",
            r"深度 \1 (\2): 全为常数 \3 (深度填充)",
        ),
        (
            rf"a slice of the depth padding: it holds the value ({_NUM}), and so does every output cell of this depth",
            r"深度填充的切片: 其值为 \1, 此深度的每个输出单元也都是 \1",
        ),
        (rf"depth ({_NUM}) holds the constant: every cell", r"深度 \1 全为常数: 所有单元"),
        (r"\(the constant\)", "(常数)"),
        (r"input \(depth padding\)", "输入 (深度填充)"),
        # a ConvTranspose3d drawn one output depth slice at a time
        (
            rf"depth ({_NUM}) \({_OF}\): (y\[:, {_NUM}\]) gets (x\[:, d\])·(weight\[:, :, dz\]) for \(d, dz\) = ",
            r"深度 \1 (\2): \3 得到 \4·\5, 其中 (d, dz) = ",
        ),
        (
            rf"depth ({_NUM}) \({_OF}\): (y\[:, {_NUM}\]) holds only the bias: no input depth scatters into it",
            r"深度 \1 (\2): \3 只含偏置: 没有输入深度散布到此",
        ),
        (
            r"no input depth scatters into this slice: every cell holds its channel's bias",
            "没有输入深度散布到此切片: 每个单元都是其通道的偏置",
        ),
        (r"\(no bias: 0\)", "(无偏置: 0)"),
        (r"bias: no input reaches this depth", "偏置: 无输入可达此深度"),
        (r"^no bias$", "无偏置"),
        (rf"depth ({_NUM}) holds only the bias: every cell", r"深度 \1 只含偏置: 所有单元"),
        (rf"depth ({_NUM}) · ", r"深度 \1 · "),
        (r"over \(d, dz\)", "对所有 (d, dz) 求和"),
        (r"^none$", "无"),
        # a three-axis Upsample and ChannelShuffle drawn one output depth slice at a time
        (
            rf"depth ({_NUM}) \({_OF}\): (y\[:, {_NUM}\]) copies its cells from (x\[:, {_NUM}\])",
            r"深度 \1 (\2): \3 的单元复制自 \4",
        ),
        (
            rf"depth ({_NUM}) \({_OF}\): (y\[:, {_NUM}\]) is the channel shuffle of (x\[:, {_NUM}\])",
            r"深度 \1 (\2): \3 是 \4 的通道重排",
        ),
        (rf"depth ({_NUM}) \({_OF}\): (y\[:, {_NUM}\]) = ", r"深度 \1 (\2): \3 = "),
        (rf"bilinear of (x\[:, {_NUM}\])", r"\1 的双线性插值"),
        (
            rf"depth ({_NUM}) \({_OF}\): (y\[:, {_NUM}\]) averages over ((?:x\[:, {_NUM}\](?:, )?)+)",
            r"深度 \1 (\2): \3 对 \4 取平均",
        ),
        (r"output i averages input cells (floor\(.*?\)) to (ceil\(.*?\) − 1)", r"输出 i 取输入单元 \1 到 \2 的平均"),
        (r"averages input (\([^)]*\))", r"取输入 \1 的平均"),
        (
            r"same size: copied \(PyTorch skips the scale on an axis whose size does not change\)",
            "大小相同: 直接复制 (PyTorch 在大小不变的轴上不做缩放)",
        ),
        (
            r"same depth: copied \(PyTorch skips the scale on an axis whose size does not change\)",
            "深度相同: 直接复制 (PyTorch 在大小不变的轴上不做缩放)",
        ),
        (r"source depth", "源深度"),
        (r", at least 0: ", ", 至少为 0: "),
        (rf", at most the last depth ({_NUM}): ", r", 至多为最后的深度 \1: "),
        (rf"; both taps read the last depth ({_NUM})", r"; 两个抽头都读取最后的深度 \1"),
        (r"^depth: ", "深度: "),
        (rf"^depth ({_NUM}): ", r"深度 \1: "),
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
        (rf"({_NUM}) rows? more kept at the bottom/right", r"下方多保留 \1 行"),
        (rf"({_NUM}) columns? more kept at the bottom/right", r"右方多保留 \1 列"),
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
        (r"the output's padding cells start at the value", "输出的填充单元起初为值"),
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
        (
            rf"each step takes one input position: each group of (\S+ = {_NUM}) channels there becomes a ({_SIZE}) "
            r"block of its output channel, row by row",
            r"每步取输入的一个位置: 该处每组 \1 个通道, 逐行成为其输出通道的一个 \2 块",
        ),
        (
            rf"each step takes one input position: its (\S+ = {_NUM}) channels become a ({_SIZE}) block of the "
            r"output, row by row",
            r"每步取输入的一个位置: 该处的 \1 个通道, 逐行成为输出的一个 \2 块",
        ),
        (
            rf"each step takes a ({_SIZE}) block of every channel: each block, row by row, becomes one position "
            rf"of its channel's (\S+ = {_NUM}) output channels",
            r"每步取每个通道的一个 \1 块: 每块逐行成为该通道的 \2 个输出通道的同一位置",
        ),
        (
            rf"each step moves a ({_SIZE}) block of the input, row by row, into one position of the "
            rf"(\S+ = {_NUM}) output channels",
            r"每步将输入的一个 \1 块逐行移入 \2 个输出通道的同一位置",
        ),
        (rf"({_NUM}) groups of ({_NUM}):", r"\1 组, 每组 \2 个:"),
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
        (
            rf"frames ({_NUM}): every step of what a render with these options draws, in order",
            r"帧数 \1: 以同样选项渲染时按顺序画出的每一步",
        ),
        (r"frames: none,", "帧数: 无,"),
        (r": none$", ": 无"),  # bias: none
        (r"\(torch's max pool of ±\|x\|\)", "(torch 对 ±|x| 做最大池化)"),
        (r"comparisons", "比较次数"),
        (r"additions", "加法次数"),
        (r"writes", "写入次数"),
        (rf"floor gives ({_NUM}): one window hangs over the edge", r"floor 得 \1: 一个窗口越过边缘"),
        (r"the last window would start in the padding", "最后一个窗口的起点落在填充中"),
        (
            rf"a last window cut by the edge: \(the mean of its cells' x\^({_NUM}) · ({_NUM})\)\^\(1/({_NUM})\), as torch "
            r"computes",
            r"被边缘截断的最后一个窗口: (其单元的 x^\1 的平均值 · \2)^(1/\3), 同 torch 的算法",
        ),
        (
            r"a last window cut by the edge: the max \|x\| of the cells inside it, as torch computes",
            "被边缘截断的最后一个窗口: 窗口内单元中最大的 |x|, 同 torch 的算法",
        ),
        (
            r"a last window cut by the edge: the min \|x\| of the cells inside it, as torch computes",
            "被边缘截断的最后一个窗口: 窗口内单元中最小的 |x|, 同 torch 的算法",
        ),
        (
            rf"α = ({_NUM}) is whole on (\w): every sample gives the same windows there",
            r"α = \1 在 \2 轴上是整数: 每个采样给出的窗口都相同",
        ),
        (r"none: pooling has no weights and no bias", "无: 池化没有权重也没有偏置"),
        (r"none: up-sampling has no weights and no bias", "无: 上采样没有权重也没有偏置"),
        (r"none: ([\w-]+) has no weights and no bias", r"无: \1 没有权重也没有偏置"),
        (r"a render with (--\w+ \d+) or (--\w+ \d+) draws every step", r"以 \1 或 \2 渲染可画出每一步"),
        (r"a render with (--\w+ \d+) draws every step", r"以 \1 渲染可画出每一步"),
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
        (r"depth", "深度"),  # "depth 2 and rows 1, 3 lie in two windows"
        (r"columns", "列"),
        (r"column", "列"),
        (r"positions", "位置"),
        (r"position", "位置"),
        (r"groups", "组"),
        (r"group", "组"),
        (r"input", "输入"),
        (r"output", "输出"),
        # a depth note's slice among the others, left in English by its sentence: "(of 0–3)", "(the only one)"
        (rf"\(of ({_RANGE})\)", r"(索引 \1 中)"),
        (r"\(the only one\)", "(唯一的深度)"),
        (r"the ", ""),
        (r"and", "和"),
        (r"for", "对应"),
        (r"from", "取自"),
        (r"to", "到"),
        (r"not drawn", "未画出"),
    )
)

#: Where Traditional Chinese uses another term than the Simplified one, not only other characters.
HANT_TERMS: tuple[tuple[str, str], ...] = (
    ("采样", "取樣"),  # the PyTorch note: 上取樣
    ("复制", "複製"),  # to copy: 製, not 制
    *_MODEL_TERMS,
)

#: Row and column: 行 and 列 in the mainland's usage, the other way round in Taiwan's (列向量 is a
#: row vector there), which Traditional text follows; the catalogue uses them for nothing else.
HANT_ROW_COLUMN = str.maketrans("行列", "列行")

#: The Simplified characters of the catalogue and their Traditional forms.
TRADITIONAL = dict(
    zip(
        "与两个为价从侧决准动单参叠后围图块复对应显时权标样没点画盖离积线组缘转输边达过采长间齐计读负状径数余于内无传写择帧顺较选盘种范胀来总处轴"
        "号头层开断汇补该进给关",
        "與兩個為價從側決準動單參疊後圍圖塊複對應顯時權標樣沒點畫蓋離積線組緣轉輸邊達過採長間齊計讀負狀徑數餘於內無傳寫擇幀順較選盤種範脹來總處軸"
        "號頭層開斷匯補該進給關",
    )
)
# the characters of the matrix view's and Unfold/Fold's phrases
TRADITIONAL.update(zip("丢们匀历头层属开弃统补该这阵么", "丟們勻歷頭層屬開棄統補該這陣麼"))
# the characters of a 3-D pooling's backward notes
TRADITIONAL.update(zip("继续", "繼續"))
# the characters of the three-axis Upsample's phrases
TRADITIONAL.update(zip("双缩", "雙縮"))
# the characters of the resampling notes and of a pooling's indices ("does not change", "each term", "grids")
TRADITIONAL.update(zip("变项网", "變項網"))
# the characters of the shuffles' notes
TRADITIONAL.update(zip("将", "將"))
# the characters of a whole network's page
TRADITIONAL.update(_MODEL_TRADITIONAL)
# the characters of a circular padding's key ("循环填充")
TRADITIONAL.update(zip("环", "環"))
# the characters of the matrix view's note on how Unfold gives X ("视为": viewed as)
TRADITIONAL.update(zip("视", "視"))
