"""The catalogue's sentences of why a network's page leaves a layer undrawn or could not draw it
(``convgif model --lang``): a layer class convgif draws whose module computes otherwise, a line
of ``print(model)`` that does not fit the shape it receives, a layer too large to draw. They are
convgif's own refusals, written where the layers are checked (:mod:`convgif.inputs.pytorch`,
:mod:`convgif.ops`, :mod:`convgif.network.text`); the page shows them in its table, after
``failed:`` or as a row's reason. :mod:`.catalogue_model` takes them in first, before the rest
of :data:`convgif.language.catalogue.PHRASES`, whose words they would otherwise be cut into.

Where a sentence is built of parts (a refusal's hint, the pixels a picture needs), the parts are
said first, in English context, and the sentence's pattern takes them as they then read.
"""

from __future__ import annotations

import re

_NUM = r"[−-]?\d[\d,.]*"
_SIZE = r"\d+(?:×\d+)*"
_TUPLE = r"\([^()]*\)"
_ARG = r"(\w+=.+?)"  # an argument as the refusal states it: out_channels=100001, padding=(1, 1)
_INFO = r" \(`convgif info` describes the layer without drawing it\)"
_INFO_SAID = " (`convgif info` 可以不画出该层而描述它)"
#: The axes a padding layer names (the padding layers' ``_axis_name``), as a sentence takes them.
_AXES = (
    ("channels", "通道"),
    ("positions (L)", "位置 (L) "),
    ("rows (H)", "行 (H) "),
    ("columns (W)", "列 (W) "),
    ("depth (D)", "深度 (D) "),
)

#: (English phrase as a regular expression, Simplified Chinese), applied in this order.
PHRASES: tuple[tuple[str, str], ...] = (
    # a module of a class convgif draws that may compute otherwise (kind_of's refusal): why, then the sentence
    (r"overrides (\w+)(?=, so it may not compute)", r"重写了 \1()"),
    (r"has its own (\w+), set on the module(?=, so it may not compute)", r"在模块本身上另设了 \1()"),
    (r"has a global forward pre-hook(?=, so it may not compute)", "带有全局的前向预钩子"),
    (r"has a global forward hook(?=, so it may not compute)", "带有全局的前向钩子"),
    (r"has a forward pre-hook(?=, so it may not compute)", "带有前向预钩子"),
    (r"has a forward hook(?=, so it may not compute)", "带有前向钩子"),
    (
        r"(\S+) (.+?), so it may not compute what (\S+) computes, and convgif draws \3's forward only: to draw the "
        r"plain layer, give it as (.+)",
        r"\1 \2, 所以它算的可能与 \3 不同, 而 convgif 只画 \3 自己的 forward(): 要画普通的层, 请写作 \4",
    ),
    # a line of print(model) that does not fit what it receives, or cannot be read
    (r"('.*') is not a layer as print\(model\) shows it", r"\1 不是 print(model) 所显示的层"),
    (rf"(\w+\(in_features=[^)]*\)) cannot take an input of shape ({_TUPLE})", r"\1 不能接受形状为 \2 的输入"),
    (
        rf"(input_shape={_TUPLE}) has (\d+) channels?, but (.+?) takes (in_channels=\S+)",
        r"\1 有 \2 个通道, 但 \3 要求 \4",
    ),
    (
        r"(padding_mode='[^']*'): a transposed convolution supports only 'zeros', as in PyTorch",
        r"\1: 转置卷积只支持 'zeros', 与 PyTorch 一致",
    ),
    (rf"{_ARG}: (\w+) supports only (.+?), as in PyTorch", r"\1: \2 只支持 \3, 与 PyTorch 一致"),
    (r"(\w+) has no argument ('[^']*'); it takes (.+)", r"\1 没有参数 \2; 它的参数是 `\3`"),
    (r"(\w+) takes at most (\d+) positional arguments \((.*?)\)", r"\1 至多接受 \2 个位置参数 (`\3`)"),
    (r"(\w+): (\w+) is given twice", r"\1: \2 给了两次"),
    (r"('.*'): write the arguments out \(no \* or \*\*\)", r"\1: 请把参数逐个写出 (不用 * 或 **)"),
    (
        rf"{_ARG} is not a literal: --layer takes numbers, tuples, True/False, None and names",
        r"\1 不是字面量: --layer 只接受数、元组、True/False、None 和名称",
    ),
    # a kernel or window that does not fit the input it receives
    (rf" with (dilation={_TUPLE})(?= spans )", r" (\1)"),
    (
        rf"(kernel_size={_TUPLE}(?: \(dilation={_TUPLE}\))?) spans ({_TUPLE}), larger than the padded input "
        rf"({_TUPLE}): the kernel must fit inside the \(padded\) input",
        r"\1 跨越 \2, 比填充后的输入 \3 还大: 卷积核必须放得进 (填充后的) 输入",
    ),
    (
        rf"(kernel_size={_TUPLE}(?: \(dilation={_TUPLE}\))?) spans ({_TUPLE}), larger than the padded input "
        rf"({_TUPLE}): the window must fit inside the \(padded\) input",
        r"\1 跨越 \2, 比填充后的输入 \3 还大: 窗口必须放得进 (填充后的) 输入",
    ),
    (
        rf"(kernel_size={_TUPLE}(?: \(dilation={_TUPLE}\))?) spans ({_TUPLE}), more than the padded input "
        rf"({_TUPLE}) plus the stride - 1 = ({_TUPLE}) cells a ceil_mode window may hang over: not even one window "
        r"fits",
        r"\1 跨越 \2, 超过填充后的输入 \3 加上 ceil_mode 的窗口可越出的 步长 − 1 = \4 个单元: 连一个窗口也放不下",
    ),
    (
        rf"(kernel_size={_TUPLE}) is larger than the input ({_TUPLE}) on an axis: (\w+) needs the input itself "
        r"\(padding and ceil_mode aside\) at least as large as its kernel",
        r"\1 在某个轴上比输入 \2 大: \3 要求输入本身 (不计填充和 ceil_mode) 至少与它的窗口一样大",
    ),
    (
        rf"(kernel_size={_TUPLE}) is too large for the output size (\d+) on (\w+): output size \+ kernel size − 1 = "
        r"(\d+) must be less than the input's (\d+)",
        r"对 \3 轴上的输出大小 \2 来说, \1 太大: 输出大小 + 窗口大小 − 1 = \4, 必须小于输入的 \5",
    ),
    (
        rf"(kernel_size={_TUPLE}) is too large for the output size (\d+) on (\w+): output size \+ kernel size − 1 = "
        r"(\d+) must be at most the input's (\d+)",
        r"对 \3 轴上的输出大小 \2 来说, \1 太大: 输出大小 + 窗口大小 − 1 = \4, 至多只能是输入的 \5",
    ),
    (
        r"Given input with spatial size (\([^()]*\)), (kernel_size=.+?), the array of sliding blocks would be (.+?): "
        r"each must be at least one \(the window must fit the padded input\)",
        r"输入的空间大小为 \1, \2 时, 滑动块的数目将是 \3: 每个都必须至少为 1 (窗口必须放得进填充后的输入)",
    ),
    (
        r"Given (output_size=\([^()]*\)), (kernel_size=.+?), the array of sliding blocks would be (.+?): each must be "
        r"at least one \(the window must fit the padded output\)",
        r"\1, \2 时, 滑动块的数目将是 \3: 每个都必须至少为 1 (窗口必须放得进填充后的输出)",
    ),
    # a padding that does not fit the input it receives
    (
        r"(padding=.+?) with (padding_mode='reflect') must be smaller than the input size (.+?): reflection cannot "
        r"reach past the opposite edge",
        r"\1 在 \2 下必须小于输入大小 \3: 反射不能越过对面的边缘",
    ),
    (
        r"(padding=.+?) with (padding_mode='circular') must be at most the input size (.+?): it would wrap around "
        r"more than once",
        r"\1 在 \2 下至多只能是输入大小 \3: 否则会绕回不止一次",
    ),
    (r"(padding=.+?) crops the input (.+?) to nothing", r"\1 把输入 \2 裁得一个单元也不剩"),
    (
        rf"(padding={_TUPLE}) trims the ({_TUPLE}) output to nothing: it must leave at least one cell of the (.+?) "
        r"cells the kernels cover",
        r"\1 把 \2 的输出裁得一个单元也不剩: 卷积核覆盖的 \3 个单元中, 它必须至少留下一个",
    ),
    (
        r"reflect padding must be less than the axis's size (\d+) \(a reflection does not repeat the edge\)",
        r"reflect 填充必须小于该轴的大小 \1 (反射不重复边缘单元)",
    ),
    (
        r"circular padding must be at most the axis's size (\d+): it would wrap round more than once",
        r"circular 填充至多只能是该轴的大小 \1: 否则会绕回不止一次",
    ),
    (
        r"circular padding crops first and then wraps round the (-?\d+) cells left, so it may not add more cells "
        r"than that on a side \(PyTorch returns memory it never wrote\)",
        r"circular 填充先裁剪, 再绕回剩下的 \1 个单元, 所以每边添加的单元不能多于此数 (否则 PyTorch 返回它从未写过的内存)",
    ),
    (r"negative padding may crop at most the axis's (\d+) cells", r"负的填充至多只能裁掉该轴的 \1 个单元"),
    *(
        (
            rf"(padding={_TUPLE}) pads the {re.escape(axis)} by \((-?\d+), (-?\d+)\): ",
            rf"\1 在{said}上填充 (\2, \3) 时: ",
        )
        for axis, said in _AXES
    ),
    *(
        (
            rf"(padding={_TUPLE}) leaves no cell of the {re.escape(axis)}: (.+?) \(PyTorch returns an empty tensor, or "
            r"refuses; convgif draws none\)",
            rf"\1 使{said}一个单元也不剩: \2 (PyTorch 返回空张量或拒绝; convgif 不画)",
        )
        for axis, said in _AXES
    ),
    # a shuffle or a resampling that does not fit the input it receives
    (
        rf"(upscale_factor=\d+) needs channels in groups of (\d+)² = (\d+), but (input_shape={_TUPLE}) has (\d+)",
        r"\1 要求通道按 \2² = \3 个一组, 但 \4 有 \5 个通道",
    ),
    (
        rf"(downscale_factor=\d+) must divide the input's height, (\d+) \((input_shape={_TUPLE})\)",
        r"\1 必须整除输入的高度 \2 (\3)",
    ),
    (
        rf"(downscale_factor=\d+) must divide the input's width, (\d+) \((input_shape={_TUPLE})\)",
        r"\1 必须整除输入的宽度 \2 (\3)",
    ),
    (
        rf"(groups=\d+) must divide the channels: (input_shape={_TUPLE}) has (\d+)",
        r"\1 必须整除通道数: \2 有 \3 个通道",
    ),
    (
        rf"{_ARG} gives the output sizes ({_TUPLE}): each must be at least 1",
        r"\1 给出的输出大小为 \2: 每个都必须至少为 1",
    ),
    (
        rf"{_ARG} gives sizes ({_TUPLE}): convgif draws sizes up to ({_NUM})",
        r"\1 给出的大小为 \2: convgif 能画的大小至多为 \3",
    ),
    # a layer too large to draw: the parts of a refusal, then the sentences
    (
        rf"({_SIZE}) pixels even at (\d+)-pixel cells, over the (\d+)-pixel limit",
        r"\1 像素 (即使每个单元只有 \2 像素), 超过 \3 像素的上限",
    ),
    (rf"({_SIZE}) pixels even at (\d+)-pixel cells", r"\1 像素 (即使每个单元只有 \2 像素)"),
    (r"shrink kernel_size or dilation(?= \(`convgif info`)", "缩小 kernel_size 或膨胀"),
    (r"shrink kernel_size(?= \(`convgif info`)", "缩小 kernel_size"),
    (r"shrink the input height", "减小输入的高度"),
    (r"shrink the input width", "减小输入的宽度"),
    # said after the hints that follow it: said first, it would leave them after a Chinese character,
    # which a phrase's guard takes for part of a word
    (r"draw it without values \(numbers need large cells\) or ", "不写数值来画 (数值需要较大的单元), 或"),
    (
        rf"{_ARG} is too large to draw: convgif draws sizes up to ({_NUM})",
        r"\1 太大, 无法画出: convgif 能画的大小至多为 \2",
    ),
    (
        rf"{_ARG} is too large to draw: the layer holds ({_NUM}) numbers, over the ({_NUM}) convgif computes",
        r"\1 太大, 无法画出: 该层含 \2 个数, 超过 convgif 所算的上限 \3 个",
    ),
    (
        rf"{_ARG} is too large to draw: its pictures hold ({_NUM}) numbers, over the ({_NUM}) convgif computes",
        r"\1 太大, 无法画出: 它的图含 \2 个数, 超过 convgif 所算的上限 \3 个",
    ),
    (
        rf"(kernel_size={_TUPLE}) is too large to draw: even one output cell and the input cells it reads need (.+?); "
        rf"(.+?){_INFO}",
        r"\1 太大, 无法画出: 即使只画一个输出单元和它读取的输入单元, 也需要 \2; 请\3" + _INFO_SAID,
    ),
    (
        rf"(output_size=.+?) gives windows of up to ({_SIZE}) input cells, too many to draw: even one output cell and "
        rf"the input cells it reads need (.+?); a larger output_size gives smaller windows{_INFO}",
        r"\1 给出的窗口至多含 \2 个输入单元, 太多, 无法画出: 即使只画一个输出单元和它读取的输入单元, 也需要 \3; "
        r"output_size 越大, 窗口越小" + _INFO_SAID,
    ),
    (
        rf"{_ARG} is too large to draw: padded ({_SIZE}) cells with output ({_SIZE}) need (.+?); (.+?){_INFO}",
        r"\1 太大, 无法画出: 填充后 \2 个单元, 输出 \3 个单元, 需要 \4; 请\5" + _INFO_SAID,
    ),
    (
        rf"{_ARG} is too large to draw this way: it needs (.+?); shrink the input or draw a part with region{_INFO}",
        r"\1 太大, 无法这样画: 它需要 \2; 请缩小输入, 或用 `region` 只画一部分" + _INFO_SAID,
    ),
    (
        rf"(region=.+?) is too large to draw: its part of the layer holds ({_NUM}) numbers, ({_NUM}) GiB as convgif "
        rf"computes them, over this machine's ({_NUM}) GiB of memory",
        r"\1 太大, 无法画出: 该层的这一部分含 \2 个数, 按 convgif 的算法占 \3 GiB, 超过本机的 \4 GiB 内存",
    ),
)

#: The Simplified characters of these sentences that the catalogue's table did not yet hold, and
#: their Traditional forms.
TRADITIONAL = dict(zip("会减称绕绝设说请钩须预", "會減稱繞絕設說請鉤須預"))

#: Terms Taiwan's texts use where the mainland's use others, not only other characters.
HANT_TERMS: tuple[tuple[str, str], ...] = (
    ("内存", "記憶體"),  # memory
    ("字面量", "字面值"),  # a literal
    ("全局", "全域"),  # global (a hook every module runs)
)
