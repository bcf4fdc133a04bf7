"""Which input cells each output cell reads, per spatial axis: receptive fields through a network.

PyTorch's convolutions, poolings, paddings, resizings and slicings all read their input one
spatial axis at a time: output cell ``o`` along an axis reads a set of input cells along the
same axis, whatever the other axes and the channels. :class:`Axis` holds that relation as a
boolean matrix whose columns may reach past the input's ends (the padding), so that both
figures of a receptive field come from it:

* the cells of the input a set of output cells depends on (:func:`back`): exactly the support
  of the gradient, channels taken together, for any network of these operations;
* the field of every output cell in the network's input coordinates, padding included
  (:class:`Field`, as the receptive-field arithmetic of the literature gives it: size, jump
  and start per axis).

:func:`reach_of` tells the relation (the bricks in :mod:`.axes`; calls along one axis, such as
``sort``, ``cumsum``, ``flip`` or ``chunk``, in :mod:`.along`) of a torch layer or function from its name and arguments
(``conv2d``, ``max_pool2d``, ``ConvTranspose2d``, ``pad``, ``interpolate``, ``cat``, slicing, ...),
the same whether it comes from a traced call or a line ``print(model)`` shows. NumPy only. A
traced call on a tensor whose axes were moved or regrouped (``permute``, ``flatten``, ``stack``,
``einsum``, ``@``) is first planned on the network's axes (:mod:`.layout`, :mod:`.regroup`,
:mod:`.contract`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial
from typing import Any, Optional, Sequence

import numpy as np

from . import along
from .axes import (
    GLOBAL,
    Reach,
    Unknown,
    adaptive,
    divided,
    everything,
    gather,
    normal,
    ruled,
    same,
    scatter,
    window,
    window_reads,
)

# -- the rules ----------------------------------------------------------------------------------

#: Calls that work cell by cell (names as :func:`normal` writes them): activations, arithmetic,
#: maxima and minima of two tensors, comparisons, dropout, batch norm (statistics fixed when
#: traced in eval mode), copies and casts, broadcasts (``expand``), a channel shuffle (each cell
#: from the same cell of another channel) and a local response norm (the same cell of the
#: neighbouring channels).
POINTWISE = frozenset(
    """relu relu6 leakyrelu elu selu celu gelu silu mish sigmoid tanh hardswish hardsigmoid hardtanh
    softplus softsign prelu rrelu logsigmoid tanhshrink threshold glu add iadd radd sub isub rsub mul imul rmul
    div idiv truediv itruediv rtruediv neg abs clamp clip exp log sqrt rsqrt pow square sin cos maximum
    minimum fmax fmin gt ge lt le eq ne where dropout dropout1d dropout2d dropout3d alphadropout
    featurealphadropout batchnorm batchnorm1d batchnorm2d batchnorm3d contiguous clone float double half
    to typeas detach identity channelshuffle nativechannelshuffle localresponsenorm expand expandas broadcastto sign floor ceil
    round trunc frac erf erfc erfinv reciprocal log1p expm1 log2 log10 exp2 tan asin acos atan atan2 sinh cosh
    hypot logit xlogy copysign remainder fmod floordivide addcmul addcdiv lerp nantonum maskedfill
    hardshrink softshrink logaddexp isnan isinf isfinite signbit bool int long type""".split()
)
#: Calls that mix every cell of their input into every output cell (a linear layer and a layer
#: norm on a vector; on axes, see :func:`_linear` and :func:`_normalized`).
MIXING = frozenset("linear bilinear layernorm groupnorm instancenorm".split())
#: Calls that multiply tensors along shared axes, as :mod:`.contract` plans them: each input read
#: whole along the network's axes it sums over (or holds in an axis the output keeps together),
#: cell by cell along the others.
CONTRACTIONS = frozenset("einsum matmul bmm mm scaleddotproductattention".split())
#: Calls that make a vector of a tensor, every cell kept.
FLATTENINGS = frozenset("flatten view reshape squeeze".split())
#: Calls that reduce the axes their ``dim`` names (all of them without one): each output cell
#: reads every cell of those axes. ``max`` and ``min`` of two tensors work cell by cell. Where
#: the gradient goes to one cell, which depending on the values (a maximum, a median, a mode, a
#: k-th value), or nowhere (an index, a count), every cell that can be that one.
REDUCTIONS = frozenset(
    """mean sum nanmean nansum prod amax amin max min argmax argmin aminmax logsumexp std var stdmean varmean
    norm linalgvectornorm linalgnorm median nanmedian mode kthvalue quantile nanquantile any all
    countnonzero""".split()
)


def _sizes(value: Any, dims: int) -> tuple[int, ...]:
    if isinstance(value, (tuple, list)):
        values = tuple(int(v) for v in value)
        return values * dims if len(values) == 1 else values
    return (int(value),) * dims


def _padding(value: Any, kernel: tuple[int, ...], dilation: tuple[int, ...], dims: int) -> tuple[int, ...]:
    """Padding before the first cell per axis; ``"same"`` as PyTorch splits it (the smaller half first)."""
    if isinstance(value, str):
        if value == "valid":
            return (0,) * dims
        return tuple(d * (k - 1) // 2 for k, d in zip(kernel, dilation))
    return _sizes(value, dims)


def reach_of(
    name: str,
    arguments: dict[str, Any],
    inputs: Sequence[tuple[int, ...]],
    output: tuple[int, ...],
) -> list[Reach]:
    """How a call reads each of its ``inputs`` (their shapes (C, *spatial), one sample) to make
    ``output``: a torch layer or function by name, with its arguments by PyTorch's names
    (``kernel_size``, ``stride``, ``padding``, ``dilation``, ``weight`` as a shape, ...)."""
    key = normal(name)
    dims = len(output) - 1
    if dims < 1:  # a vector: known reductions and flattenings read everything, as does anything after one
        known = key in MIXING | POINTWISE | REDUCTIONS | CONTRACTIONS | FLATTENINGS
        return [
            GLOBAL if known or len(shape) < 2 else Unknown(f"{name} makes a tensor without spatial axes")
            for shape in inputs
        ]
    sizes = [shape[1:] for shape in inputs]
    out = output[1:]
    if key in ("view", "reshape", "unflatten", "unsqueeze", "expand") and len(inputs[0]) < 2:
        return [GLOBAL]  # a vector laid out on axes again: fc(x.mean((2, 3))).view(n, c, 1, 1)
    if key in POINTWISE or "other" in arguments:  # cell by cell (torch.max(a, b) too)
        return [_pointwise(name, shape, output) for shape in inputs]
    if any(len(s) != dims for s in sizes) and key != "cat" and key not in CONTRACTIONS:
        return [Unknown(f"{name} changes the number of axes ({inputs[0]} -> {output})") for _ in inputs]
    rule = _RULES.get(key[:-2] if key[-2:] in ("1d", "2d", "3d") else key)
    if rule is None:
        rule = along.RULES.get(key)
    if rule is None:
        if key in MIXING:
            return [tuple(everything(n, m) for n, m in zip(s, out)) for s in sizes]
        return [Unknown(f"convgif does not know which cells {name} reads") for _ in inputs]
    try:
        return rule(arguments, sizes, out, name)
    except along.Merged as error:
        why = (
            f"{name} runs along an axis that holds several of the input's axes ({error}, merged by flatten or view): "
            "convgif follows it there where it reads the whole axis or cell by cell"
        )
        return [Unknown(why) for _ in inputs]
    except (TypeError, ValueError, KeyError, ZeroDivisionError) as error:
        return [Unknown(f"{name}: its arguments could not be read ({error})") for _ in inputs]


def _pointwise(name: str, shape: tuple[int, ...], output: tuple[int, ...]) -> Reach:
    """How a call working cell by cell reads an input of ``shape``: its own cell, or its one cell
    broadcast along an axis where it has one; a number (no axes past the batch) everywhere."""
    if not shape:
        return GLOBAL
    if len(shape) != len(output):
        return Unknown(f"{name} broadcasts a tensor of other axes ({shape} with {output})")
    return tuple(same(n, m) for n, m in zip(shape[1:], output[1:]))


def _along(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    """A softmax along ``dim``: each output cell reads every cell of that axis (its own channels
    along the channel axis). Without a dim, the axis torch picks (1, or 0 for 3 axes or fewer)."""
    rank, dim = len(out) + 2, arguments.get("dim")
    dim = (0 if rank in (0, 1, 3) else 1) if dim is None else dim
    dims = {int(d) % rank for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}  # merged axes: all
    if 0 in dims:
        return [Unknown("it runs along the batch axis: one sample's result depends on the others'")]
    return [_over(dims, sizes[0], out)]


def _normalized(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    """A layer norm or RMS norm over the last axes ``normalized_shape`` names: each output cell
    reads every cell of those, its own along the others (every cell when the shape is not told)."""
    shape, rank = arguments.get("normalized_shape"), len(out) + 2
    count = rank - 1 if shape is None else 1 if isinstance(shape, int) else len(shape)
    if count > rank - 1:
        return [Unknown("it normalizes over the batch axis too: one sample's result depends on the others'")]
    return [_over(arguments.get("axes", range(rank - count, rank)), sizes[0], out)] + [
        Unknown(f"{name}'s weight") for _ in sizes[1:]
    ]


def _over(axes: Any, size: tuple, out: tuple) -> tuple:
    """Every cell of the ``axes`` (batch first) read whole, each other cell by cell."""
    return tuple(everything(n, m) if a + 2 in axes else same(n, m) for a, (n, m) in enumerate(zip(size, out)))


def _linear(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    """A linear layer mixes every cell of its input's last axis (the network's axes ``axes``
    name, when ``permute`` moved another there), each other axis cell by cell."""
    return [_over(arguments.get("axes", (len(out) + 1,)), sizes[0], out)]


def _contract(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    """An einsum, a matrix product or an attention (:mod:`.contract`): each input read whole along
    the network's axes ``axes`` names for it, cell by cell along the others; a vector, whole."""
    return [_over(axes, s, out) if len(s) == len(out) else GLOBAL for axes, s in zip(arguments["axes"], sizes)]


def _not_followed(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    why = {
        "maxunpool": "where a MaxUnpool writes depends on the indices its MaxPool found",
        "fractionalmaxpool": "a fractional max pooling's windows are drawn at random on each call",
    }
    return [Unknown(why.get(normal(name)[:-2], f"convgif does not follow {name}")) for _ in sizes]


def _conv(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    dims = len(out)
    kernel = _kernel(arguments, dims)
    stride = _sizes(arguments.get("stride", 1), dims)
    dilation = _sizes(arguments.get("dilation", 1), dims)
    pad = _padding(arguments.get("padding", 0), kernel, dilation, dims)
    if arguments.get("padding_mode", "zeros") != "zeros":
        return [Unknown(f"{name} pads with {arguments['padding_mode']!r}: traced, its padding is a call of its own")]
    first = tuple(window(n, m, k, s, p, d) for n, m, k, s, p, d in zip(sizes[0], out, kernel, stride, pad, dilation))
    return [first] + [Unknown("a convolution's weight") for _ in sizes[1:]]


def _kernel(arguments: dict, dims: int) -> tuple[int, ...]:
    if arguments.get("kernel_size") is not None:
        return _sizes(arguments["kernel_size"], dims)
    return tuple(arguments["weight"][2:])


def _transposed(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    dims = len(out)
    kernel = _kernel(arguments, dims)
    stride = _sizes(arguments.get("stride", 1), dims)
    dilation = _sizes(arguments.get("dilation", 1), dims)
    pad = _sizes(arguments.get("padding", 0), dims)
    return [tuple(scatter(n, m, k, s, p, d) for n, m, k, s, p, d in zip(sizes[0], out, kernel, stride, pad, dilation))]


def _pool(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    dims = len(out)
    kernel = _sizes(arguments["kernel_size"], dims)
    stride = arguments.get("stride")
    stride = kernel if stride is None or stride == () or stride == [] else _sizes(stride, dims)
    pad = _sizes(arguments.get("padding", 0), dims)
    dilation = _sizes(arguments.get("dilation", 1), dims)
    return [tuple(window(n, m, k, s, p, d) for n, m, k, s, p, d in zip(sizes[0], out, kernel, stride, pad, dilation))]


def _adaptive(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    return [tuple(adaptive(n, m) for n, m in zip(sizes[0], out))]


def _pad(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    dims = len(out)
    amounts = arguments.get("pad", arguments.get("padding", 0))
    if isinstance(amounts, int):
        amounts = (amounts,) * (2 * dims)
    amounts = tuple(amounts)
    pairs = {}  # axis (from the last) -> (before, after)
    for k in range(len(amounts) // 2):
        pairs[dims - 1 - k] = (amounts[2 * k], amounts[2 * k + 1])
    mode = arguments.get("mode", "constant")
    key = normal(name)
    for word in ("reflect", "replicat", "circular"):
        if word in key:
            mode = {"replicat": "replicate"}.get(word, word)
    axes = []
    for axis, (n, m) in enumerate(zip(sizes[0], out)):
        before = pairs.get(axis, (0, 0))[0]
        rows = []
        for o in range(m):
            i = o - before
            if mode == "reflect":
                period = 2 * (n - 1) if n > 1 else 1
                i = abs(i) % period
                i = period - i if i >= n else i
            elif mode == "replicate":
                i = min(max(i, 0), n - 1)
            elif mode == "circular":
                i %= n
            rows.append([i])
        axes.append(gather(n, rows))
    return [tuple(axes)]


def _resize(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    mode = arguments.get("mode", "nearest")
    key = normal(name)
    if "bilinear" in key:
        mode, arguments = "bilinear", {**arguments, "align_corners": True}
    elif "nearest" in key:
        mode = "nearest"
    if mode == "area":
        return _adaptive(arguments, sizes, out, name)
    if mode not in ("nearest", "nearest-exact", "linear", "bilinear", "trilinear"):
        return [Unknown(f"{name} with mode={mode!r}: convgif follows nearest, linear and area resizing")]
    factors = arguments.get("scale_factor")
    factors = None if factors is None else (factors if isinstance(factors, (tuple, list)) else (factors,) * len(out))
    axes = []
    for a, (n, m) in enumerate(zip(sizes[0], out)):
        given = factors is not None and not arguments.get("recompute_scale_factor")
        align = bool(arguments.get("align_corners"))
        rows = []
        for o in range(m):
            if mode in ("nearest", "nearest-exact"):
                scale = 1.0 / float(factors[a]) if given else n / m
                src = o * scale if mode == "nearest" else (o + 0.5) * scale
                rows.append([min(int(math.floor(src)), n - 1)])
                continue
            if align:
                src = o * ((n - 1) / (m - 1)) if m > 1 else 0.0
            else:
                scale = 1.0 / float(factors[a]) if given else n / m
                src = max(scale * (o + 0.5) - 0.5, 0.0)
            low = min(int(math.floor(src)), n - 1)
            high = min(low + 1, n - 1)
            weight = src - low
            rows.append(sorted({i for i, w in ((low, 1 - weight), (high, weight)) if w != 0}))
        factor = m // n
        if mode.startswith("nearest") and m == n * factor and rows == [[o // factor] for o in range(m)]:
            axes.append(ruled(partial(divided, factor), n, m, Fraction(1, factor)))  # an integer factor
        else:
            axes.append(gather(n, rows, Fraction(n, m)))
    return [tuple(axes)]


def _shuffle(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    factor = int(arguments.get("upscale_factor", arguments.get("downscale_factor", 1)))
    if "unshuffle" in normal(name):
        return [tuple(window(n, m, factor, factor, 0) for n, m in zip(sizes[0], out))]
    return [tuple(ruled(partial(divided, factor), n, m, Fraction(1, factor)) for n, m in zip(sizes[0], out))]


def _getitem(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    index = arguments.get("index")
    index = index if isinstance(index, tuple) else (index,)
    if any(part is Ellipsis for part in index):
        at = index.index(Ellipsis)
        index = index[:at] + (slice(None),) * (len(sizes[0]) + 2 - (len(index) - 1)) + index[at + 1 :]
    index = index + (slice(None),) * (len(sizes[0]) + 2 - len(index))
    if not all(isinstance(part, slice) for part in index) or index[0] != slice(None):
        return [
            Unknown(f"indexing with {arguments.get('index')!r}: convgif follows slices of the batch-first tensor only")
        ]
    axes = []
    for n, part in zip(sizes[0], index[2:]):
        cells = range(n)[part]
        axes.append(ruled(partial(window_reads, 1, cells.step, -cells.start, 1), n, len(cells), cells.step))
    return [tuple(axes)]


def _cat(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    dim = arguments.get("dim", 0)
    rank = len(out) + 2
    dim = dim + rank if dim < 0 else dim
    if dim == 1:
        return [tuple(same(n, m) for n, m in zip(s, out)) for s in sizes]
    if dim < 2:
        return [Unknown(f"{name} along the batch axis") for _ in sizes]
    axis, start, reaches = dim - 2, 0, []
    for s in sizes:
        axes = []
        for a, (n, m) in enumerate(zip(s, out)):
            if a == axis:
                axes.append(gather(n, [[o - start] if start <= o < start + n else [] for o in range(m)]))
            else:
                axes.append(same(n, m))
        start += s[axis]
        reaches.append(tuple(axes))
    return reaches


def _reduce(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    """A reduction over some axes that keeps them (``x.mean((2, 3), keepdim=True)``; one that
    drops them is read as if it kept them, :mod:`.layout`): each output cell reads every cell
    of the reduced axes, its own along the others."""
    rank, dim = len(out) + 2, arguments.get("dim")
    wanted = range(rank) if dim is None or dim in ((), []) else dim if isinstance(dim, (tuple, list)) else (dim,)
    axes = {int(d) + rank if int(d) < 0 else int(d) for d in wanted}
    if 0 in axes:
        return [Unknown(f"{name} along the batch axis")]
    return [tuple(everything(n, m) if a + 2 in axes else same(n, m) for a, (n, m) in enumerate(zip(sizes[0], out)))]


_RULES = {
    "conv": _conv,
    "convtranspose": _transposed,
    "maxpool": _pool,
    "avgpool": _pool,
    "lppool": _pool,
    "adaptivemaxpool": _adaptive,
    "adaptiveavgpool": _adaptive,
    "pad": _pad,
    "zeropad": _pad,
    "constantpad": _pad,
    "reflectionpad": _pad,
    "replicationpad": _pad,
    "circularpad": _pad,
    "interpolate": _resize,
    "upsample": _resize,
    "upsamplingnearest": _resize,
    "upsamplingbilinear": _resize,
    "pixelshuffle": _shuffle,
    "pixelunshuffle": _shuffle,
    "getitem": _getitem,
    "maxunpool": _not_followed,
    "fractionalmaxpool": _not_followed,
    "cat": _cat,
    **{name: _reduce for name in REDUCTIONS},
    **{name: _along for name in ("softmax", "logsoftmax", "softmin", "normalize")},
    "layernorm": _normalized,
    "rmsnorm": _normalized,
    "linear": _linear,
    "concat": _cat,
    "concatenate": _cat,
    **{name: _contract for name in CONTRACTIONS},
}


# -- what the reads add up to ------------------------------------------------------------------


def back(mask: np.ndarray, reach: tuple) -> np.ndarray:
    """The input cells the ``True`` cells of ``mask`` (an output's spatial shape) read."""
    counts = mask.astype(np.int64)
    for axis, relation in enumerate(reach):
        counts = np.moveaxis(np.tensordot(counts, relation.real().astype(np.int64), axes=([axis], [0])), -1, axis)
    return counts > 0


#: Cells past each end of a tensor whose fields a :class:`Field` keeps.
MARGIN = 32


@dataclass(frozen=True)
class Field:
    """The receptive field of every cell of a tensor, per axis, in the network input's cells:
    cell ``o`` along axis ``a`` sees input cells ``low[a][o]`` to ``high[a][o]`` (padding
    included: below 0 or past the input's end), NaN where it sees none; neighbouring cells are
    ``jump[a]`` input cells apart on average (the strides multiplied along the way).

    The padding is counted as if the input went on past its ends: a padding cell a layer reads
    sees what a cell of a larger input would see there, so that a field reaching past the input
    keeps its full size, and every cell's field is what autograd shows on a larger input. For
    that the fields of :data:`MARGIN` cells past each end are kept too (``beyond``: per axis,
    the low and high ends of cells ``-MARGIN`` to ``n + MARGIN - 1``)."""

    low: tuple[np.ndarray, ...]
    high: tuple[np.ndarray, ...]
    jump: tuple[Fraction, ...]
    beyond: tuple[tuple[np.ndarray, np.ndarray], ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def of_input(cls, spatial: tuple[int, ...]) -> Field:
        cells = tuple(np.arange(n, dtype=float) for n in spatial)
        wide = tuple((np.arange(-MARGIN, n + MARGIN, dtype=float),) * 2 for n in spatial)
        return cls(cells, cells, tuple(Fraction(1) for _ in spatial), wide)

    def at(self, axis: int, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The low and high ends of the fields of ``cells`` (any integers) along ``axis``."""
        lo, hi = self.beyond[axis] if self.beyond else (self.low[axis], self.high[axis])
        first = MARGIN if self.beyond else 0
        jump = self.jump[axis]
        return _extend(lo, cells + first, jump), _extend(hi, cells + first, jump)

    def through(self, reach: tuple) -> Field:
        """The field after a call that reads this tensor as ``reach`` says."""
        low, high, beyond = [], [], []
        jump = tuple(j * relation.step for j, relation in zip(self.jump, reach))
        for axis, relation in enumerate(reach):
            out = relation.matrix.shape[0]
            columns = np.arange(relation.matrix.shape[1]) + relation.first
            lo, hi = _reads(relation.matrix, *self.at(axis, columns))
            low.append(lo)
            high.append(hi)
            cells = np.arange(-MARGIN, out + MARGIN)
            if relation.rule is None:  # continued from the cells the output has
                beyond.append((_extend(lo, cells, jump[axis]), _extend(hi, cells, jump[axis])))
                continue
            rows = [relation.rule(int(o)) for o in cells]
            first = min(min(row, default=0) for row in rows)
            width = max(max(row, default=0) for row in rows) - first + 1
            matrix = np.zeros((len(rows), width), dtype=bool)
            for o, row in enumerate(rows):
                matrix[o, [i - first for i in row]] = True
            beyond.append(_reads(matrix, *self.at(axis, np.arange(width) + first)))
        return Field(tuple(low), tuple(high), jump, tuple(beyond))

    def union(self, other: Field) -> Field:
        """Two branches' fields: every cell sees what it sees through either; the coarser jump."""
        return Field(
            tuple(np.fmin(a, b) for a, b in zip(self.low, other.low)),
            tuple(np.fmax(a, b) for a, b in zip(self.high, other.high)),
            tuple(max(a, b) for a, b in zip(self.jump, other.jump)),
            tuple((np.fmin(a[0], b[0]), np.fmax(a[1], b[1])) for a, b in zip(self.beyond, other.beyond))
            if self.beyond and other.beyond
            else (),
        )

    def whole(self, spatial: tuple[int, ...]) -> bool:
        """Whether every cell sees every cell of an input of ``spatial`` cells (attention over
        all positions, a global context added to every cell)."""
        return all(bool(np.all(lo <= 0) and np.all(hi >= n - 1)) for lo, hi, n in zip(self.low, self.high, spatial))

    def figures(self) -> list[Optional[tuple[int, Fraction, float]]]:
        """(size, jump, start) per axis: the widest field, input cells between neighbouring
        output cells (a :class:`Jump` when they move unevenly), and where the first cell's
        field starts (None: no cell sees the input)."""
        out: list[Optional[tuple[int, Fraction, float]]] = []
        for axis, (lo, hi, jump) in enumerate(zip(self.low, self.high, self.jump)):
            seen = np.flatnonzero(~np.isnan(lo))
            if not len(seen):
                out.append(None)
                continue
            wide = self.beyond[axis][0] if self.beyond else lo
            out.append((int(np.nanmax(hi - lo)) + 1, _moves(lo, wide, jump), float(lo[seen[0]])))
        return out


def _reads(matrix: np.ndarray, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The field of each row's cells together: the lowest low and highest high of the cells it
    reads (``matrix[o, c]``) that see some input cell; NaN for a row that reads none."""
    seen = matrix & ~np.isnan(low)
    with np.errstate(all="ignore"):
        lo = np.where(seen, low, np.inf).min(axis=1)
        hi = np.where(seen, high, -np.inf).max(axis=1)
    lo[~np.isfinite(lo)] = np.nan
    hi[~np.isfinite(hi)] = np.nan
    return lo, hi


class Jump(Fraction):
    """The jump of an axis whose neighbouring cells' fields move unevenly (after a transposed
    convolution, an upsampling or an adaptive pooling): the average, and ``moves``, how far
    each next cell's field starts from the one before, for the cells of one period that then
    repeats (``repeats``) or for all the cells; None when not listed (some cells see no input
    cell, or too many cells move unevenly to list)."""

    moves: Optional[tuple[int, ...]]
    repeats: bool

    def __new__(cls, value: Fraction, moves: Optional[tuple[int, ...]] = None, repeats: bool = False) -> Jump:
        self = super().__new__(cls, value)
        self.moves, self.repeats = moves, repeats
        return self

    def __reduce__(self) -> tuple:
        return (Jump, (Fraction(self), self.moves, self.repeats))


def _period(values: np.ndarray, jump: Fraction, any_move: bool = False) -> tuple[int, float]:
    """The fewest cells after which ``values`` repeat moved by as many jumps (NaN where NaN):
    1 for a field that moves evenly, the stride after a transposed convolution; failing that,
    with ``any_move``, moved by any one distance (a field that does not move by its jump: a
    reduced or sorted axis, a running total); the number of cells when nothing shorter does.
    With how far the values move from one period to the next."""
    n, step = len(values), float(jump)
    known = ~np.isnan(values)
    for strict in (True, False) if any_move else (True,):
        for q in range(1, n):
            if not np.array_equal(known[:-q], known[q:]):
                continue
            gaps = (values[q:] - values[:-q])[known[q:]]
            move = q * step if strict or not len(gaps) else float(gaps[0])
            if np.all(gaps == move):
                return q, move
    return max(n, 1), max(n, 1) * step


def _moves(values: np.ndarray, wide: np.ndarray, jump: Fraction) -> Fraction:
    """``jump``, or a :class:`Jump` when the fields ``values`` start at move unevenly (``wide``:
    the same with the cells past the ends, centred on them, where a short tensor's period shows)."""
    period = _period(wide, jump)[0]
    repeats = period < len(wide)
    start = (len(wide) - len(values)) // 2
    moves = np.diff(wide[start : start + period + 1] if repeats else values)
    if not len(moves) or np.all(moves == moves[0]):  # even (all 0 where every cell sees the same cells)
        return jump
    if np.isnan(moves).any() or (not repeats and len(moves) > 8):
        return Jump(jump)  # uneven, the moves not listed
    return Jump(jump, tuple(int(m) for m in moves), repeats)


def _extend(values: np.ndarray, columns: np.ndarray, jump: Fraction) -> np.ndarray:
    """``values`` at cells ``columns``, continued past both ends as a larger input would give
    them: every :func:`_period` cells, moved as far as the values move in one."""
    n = len(values)
    columns = np.asarray(columns)
    if n and columns.size and columns.min() >= 0 and columns.max() < n:
        return values[columns]
    period, move = _period(values, jump, any_move=True)
    shift = np.where(columns < 0, np.floor_divide(columns, period), 0)
    shift = np.where(columns >= n, -np.floor_divide(n - 1 - columns, period), shift)
    return values[columns - shift * period] + shift * move
