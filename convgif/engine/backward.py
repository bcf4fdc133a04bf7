"""The backward pass every layer kind shares, on any number of axes: the upstream gradient
dL/dy a backward pass starts from, and the gradients of the input, weight and bias.

A convolution's gradients are correlations again: each input cell's gradient gathers
``dy · w`` from the outputs its cell fed (the kernel sliding over ``dy`` with ``stride − 1``
zeros inserted between its cells, turned 180°), each weight's gradient sums ``x · dy`` over the
placements (the input correlated with ``dy``), each bias's sums ``dy``. A layer without weights
moves values: its gradient is the same moves run backwards, written as :class:`Links` (which
output cell each input cell fed, with what factor), the sparse transpose of the forward pass.

Whole numbers stay whole (int64, exact); fractions are float64, added in the order PyTorch's
CPU kernels add them where that order is known.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from .direct import pad_axis, source_index
from .values import example_values, given, rng_of

#: Range of the example upstream gradient dL/dy: small signed integers a reader can follow.
GRAD_RANGE = (-2, 2)
#: The example gradient's own stream of the seed's generator, so that the forward pass's
#: example values are the same with or without a backward pass.
GRAD_STREAM = 1


def grad_output_of(seed: int, shape: tuple[int, ...], value: Any = True) -> np.ndarray:
    """The upstream gradient dL/dy of an output of ``shape``: ``value`` checked as every given
    array is (:func:`convgif.engine.values.given`), or, for ``True``, seeded integers in
    :data:`GRAD_RANGE` (the same seed, the same gradient)."""
    if value is True:
        return example_values(rng_of(seed, GRAD_STREAM), shape, GRAD_RANGE)
    return given("grad_output", value, shape, None)


@dataclass(frozen=True)
class Gradients:
    """A layer's gradients in PyTorch's layouts: of its ``input`` (the input's shape), its
    ``weight`` and ``bias`` (None for a layer without them), and ``extra``, those of a layer
    with more parameters (a separable convolution's pointwise step), by name."""

    input: np.ndarray
    weight: Optional[np.ndarray] = None
    bias: Optional[np.ndarray] = None
    extra: dict[str, np.ndarray] = field(default_factory=dict)


def _dtype(*arrays: Optional[np.ndarray]) -> Any:
    return np.result_type(*(a for a in arrays if a is not None))


# -- convolutions -----------------------------------------------------------------------------


def _axes(dims: int) -> str:
    """Einsum letters of ``dims`` spatial axes."""
    return "pqr"[:dims]


def _taps(spec: Any) -> Any:
    return itertools.product(*(range(k) for k in spec.kernel_size))


def _strided(tap: Sequence[int], dilation: Sequence[int], stride: Sequence[int], sizes: Sequence[int]) -> tuple:
    """The cells of a grid that kernel tap ``tap`` reads at every output position (``sizes``)."""
    return tuple(slice(t * d, t * d + (o - 1) * s + 1, s) for t, d, s, o in zip(tap, dilation, stride, sizes))


def conv_padded_grad(spec: Any, weight: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """dL/d(padded input) of a direct convolution (C_in, *padded sizes): every output's ``dy``
    times each kernel weight, added to the cell that weight read (zero where no window reads)."""
    g, cig, cog = spec.groups, spec.in_per_group, spec.out_per_group
    sizes = dy.shape[1:]
    grad = np.zeros((spec.in_channels, *spec.padded_shape[1:]), dtype=_dtype(weight, dy))
    w = weight.reshape(g, cog, cig, *spec.kernel_size)
    d = dy.reshape(g, cog, *sizes)
    for tap in _taps(spec):
        part = np.einsum("goi,go...->gi...", w[(Ellipsis, *tap)], d)
        grad[(slice(None), *_strided(tap, spec.dilation, spec.stride, sizes))] += part.reshape(-1, *sizes)
    return grad


def conv_weight_grad(spec: Any, padded: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """dL/dw of a direct convolution (C_out, C_in/G, *kernel): each weight's ``x · dy`` summed
    over every placement, ``x`` the padded input cell the weight read there."""
    g, cig, cog = spec.groups, spec.in_per_group, spec.out_per_group
    sizes = dy.shape[1:]
    grad = np.zeros((spec.out_channels, cig, *spec.kernel_size), dtype=_dtype(padded, dy))
    d = dy.reshape(g, cog, *sizes)
    for tap in _taps(spec):
        window = padded[(slice(None), *_strided(tap, spec.dilation, spec.stride, sizes))].reshape(g, cig, *sizes)
        p = _axes(len(sizes))
        grad[(slice(None), slice(None), *tap)] = np.einsum(f"go{p},gi{p}->goi", d, window).reshape(-1, cig)
    return grad


def bias_grad(dy: np.ndarray) -> np.ndarray:
    """dL/db: each output channel's ``dy`` summed."""
    return dy.reshape(dy.shape[0], -1).sum(axis=1)


def fold_padding(spec: Any, grad: np.ndarray) -> np.ndarray:
    """dL/dx from dL/d(padded input): a padding cell's gradient goes to the input cell it copies
    (``padding_mode`` reflect, replicate, circular: added to that cell's own), zero padding's
    nowhere; input cells a negative padding crops get none."""
    for axis in range(len(spec.padding)):
        source = source_index(spec, axis)
        kept = source >= 0
        moved = np.moveaxis(grad, 1 + axis, 0)
        folded = np.zeros((spec.input_shape[1 + axis], *moved.shape[1:]), dtype=grad.dtype)
        np.add.at(folded, source[kept], moved[kept])
        grad = np.moveaxis(folded, 0, 1 + axis)
    return grad


def conv_grads(spec: Any, padded: np.ndarray, weight: np.ndarray, dy: np.ndarray, bias: bool) -> Gradients:
    """The gradients of a direct convolution (``padded``: its padded input)."""
    return Gradients(
        fold_padding(spec, conv_padded_grad(spec, weight, dy)),
        conv_weight_grad(spec, padded, dy),
        bias_grad(dy) if bias else None,
    )


def transposed_canvas(spec: Any, dy: np.ndarray) -> np.ndarray:
    """``dy`` of a transposed convolution on its canvas (every cell the scattered kernels cover,
    before padding crops it): zero where padding cropped the output, and the output cells past
    the canvas (``output_padding`` beyond what the kernels cover, bias only) left out."""
    full = tuple(
        (n - 1) * s + d * (k - 1) + 1
        for n, s, d, k in zip(spec.input_shape[1:], spec.stride, spec.dilation, spec.kernel_size)
    )
    canvas = np.zeros((dy.shape[0], *full), dtype=dy.dtype)
    inside = tuple(slice(0, min(o, f - p)) for o, f, p in zip(dy.shape[1:], full, spec.padding))
    at = tuple(slice(p, p + min(o, f - p)) for o, f, p in zip(dy.shape[1:], full, spec.padding))
    canvas[(slice(None), *at)] = dy[(slice(None), *inside)]
    return canvas


def transposed_grads(spec: Any, x: np.ndarray, weight: np.ndarray, dy: np.ndarray) -> Gradients:
    """The gradients of a transposed convolution, whose weight is (C_in, C_out/G, *kernel): an
    input cell's gradient is the direct convolution of ``dy`` (on the canvas) with the kernels
    it scattered, stride and dilation as the layer's; a weight's sums ``x · dy`` over the input
    cells that scattered it."""
    g, cig, cog = spec.groups, spec.in_per_group, spec.out_per_group
    canvas = transposed_canvas(spec, dy)
    sizes = x.shape[1:]
    dx = np.zeros(x.shape, dtype=_dtype(weight, dy))
    dw = np.zeros(weight.shape, dtype=_dtype(x, dy))
    w = weight.reshape(g, cig, cog, *spec.kernel_size)
    xs = x.reshape(g, cig, *sizes)
    for tap in _taps(spec):
        window = canvas[(slice(None), *_strided(tap, spec.dilation, spec.stride, sizes))].reshape(g, cog, *sizes)
        dx += np.einsum("gio,go...->gi...", w[(Ellipsis, *tap)], window).reshape(x.shape)
        p = _axes(len(sizes))
        dw[(slice(None), slice(None), *tap)] = np.einsum(f"gi{p},go{p}->gio", xs, window).reshape(-1, cog)
    return Gradients(dx, dw, bias_grad(dy) if spec.bias else None)


# -- the zero-inserted, padded gradient a convolution's input gradient slides over --------------


def spread(dy: np.ndarray, stride: Sequence[int], before: Sequence[int], after: Sequence[int]) -> np.ndarray:
    """``dy`` (C, *sizes) with ``stride − 1`` zeros inserted between cells on each axis, then
    ``before`` and ``after`` zeros added at each end (cropped where negative)."""
    sizes = tuple((n - 1) * s + 1 for n, s in zip(dy.shape[1:], stride))
    grid = np.zeros((dy.shape[0], *sizes), dtype=dy.dtype)
    grid[(slice(None), *(slice(None, None, s) for s in stride))] = dy
    for axis, (b, a) in enumerate(zip(before, after)):
        grid = pad_axis(grid, 1 + axis, b, a, "zeros")
    return grid


def spread_kinds(
    sizes: Sequence[int], stride: Sequence[int], before: Sequence[int], after: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """For each cell of :func:`spread`'s grid (spatial axes only): (filler, inserted): whether it
    is not a cell of ``dy``, and whether it is a zero inserted between ``dy``'s cells."""
    real = spread(np.ones((1, *sizes), np.int8), stride, before, after)[0] == 1
    inside = (
        spread(
            np.ones((1, *((n - 1) * s + 1 for n, s in zip(sizes, stride))), np.int8), (1,) * len(sizes), before, after
        )[0]
        == 1
    )
    return ~real, inside & ~real


# -- layers that move values: the forward pass's moves run backwards -----------------------------


@dataclass(frozen=True)
class Links:
    """What a layer without weights does, as the cells it moves: output cell ``out[i]`` (a flat
    index of the output, channels first) takes input cell ``cell[i]`` (a flat index of the
    input) times ``factor[i]``, divided by ``divisor[i]`` when there are divisors (an average's).
    Links in output order add up as PyTorch's CPU kernels add the gradient."""

    out: np.ndarray
    cell: np.ndarray
    factor: Optional[np.ndarray] = None
    divisor: Optional[np.ndarray] = None

    def terms(self, dy: np.ndarray) -> np.ndarray:
        """What each link carries back: ``dy`` of its output cell, times its factor, over its divisor."""
        terms = dy.reshape(-1)[self.out]
        if self.factor is not None:
            terms = terms * self.factor
        if self.divisor is not None and self.divisor.ndim == 2:  # one axis after the other, as torch divides
            for column in self.divisor.T:
                terms = terms / column
        elif self.divisor is not None:
            terms = terms / self.divisor
        return terms

    def grad(self, dy: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """dL/dx of an input of ``shape``: every link's term added to its input cell, in order."""
        terms = self.terms(dy)
        grad = np.zeros(math.prod(shape), dtype=terms.dtype if terms.size else _dtype(dy))
        np.add.at(grad, self.cell, terms)
        return grad.reshape(shape)


def links_of(out: Any, cell: Any, factor: Any = None, divisor: Any = None) -> Links:
    """:class:`Links` from array-likes, the links kept in output order (a stable sort)."""
    out, cell = np.asarray(out, np.int64).ravel(), np.asarray(cell, np.int64).ravel()
    order = np.argsort(out, kind="stable")
    pick = lambda a: None if a is None else np.broadcast_to(np.asarray(a), out.shape).ravel()[order]  # noqa: E731
    if factor is not None and np.all(np.asarray(factor) == 1):
        factor = None  # whole numbers stay whole
    return Links(out[order], cell[order], pick(factor), pick(divisor))


def max_links(indices: np.ndarray, in_shape: tuple[int, ...]) -> Links:
    """The links of a max pooling: each output cell takes the input cell its index names (a flat
    position in its channel's input plane, PyTorch's), as torch's backward pass sends it. A
    window that holds no input cell has an index too (torch's: the first tap at or past the
    input's start), which torch follows; where that index lies outside the plane torch writes
    outside the channel's gradient, and here the gradient goes nowhere."""
    c, plane = in_shape[0], math.prod(in_shape[1:])
    channel = np.arange(c).reshape(c, *(1,) * (indices.ndim - 1))
    keep = ((indices >= 0) & (indices < plane)).ravel()
    cell = (channel * plane + indices).ravel()
    return Links(np.arange(indices.size)[keep], cell[keep])


def window_links(
    taps: Sequence[np.ndarray],
    padding: Sequence[int],
    in_shape: tuple[int, ...],
    divisors: Optional[np.ndarray] = None,
) -> Links:
    """The links of windows placed axis by axis: output position ``o`` covers grid cells
    ``taps[a][o_a]`` on axis ``a`` (grid = input shifted by ``padding``), every cell inside the
    input taken on every channel, over the window's divisor (``divisors``, of the output
    positions) when given."""
    from .resample import AxisTaps

    axes = []
    for index, p, n in zip(taps, padding, in_shape[1:]):
        coord = np.asarray(index, np.int64) - p
        inside = (coord >= 0) & (coord < n)
        axes.append(AxisTaps(np.where(inside, coord, -1), np.ones(coord.shape)))
    out_shape = (in_shape[0], *(len(t) for t in taps))
    links = axis_links(axes, in_shape, out_shape)
    if divisors is None:
        return Links(links.out, links.cell)
    positions = math.prod(out_shape[1:])
    divisors = np.asarray(divisors).reshape(positions, -1)
    divisor = divisors[links.out % positions]
    return Links(links.out, links.cell, None, divisor[:, 0] if divisors.shape[1] == 1 else divisor)


def axis_links(axes: Sequence[Any], in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> Links:
    """The links of a layer whose every output cell reads input cells axis by axis, the last
    ``len(axes)`` axes each by its :class:`~convgif.engine.resample.AxisTaps` (an index of −1
    reads a constant: no link), the axes before them one to one; the factor is the product of
    the axes' weights, links of weight 0 left out."""
    lead = len(in_shape) - len(axes)
    outs = [np.arange(n).reshape(n, 1) for n in out_shape[:lead]]
    cells = [np.arange(n).reshape(n, 1) for n in in_shape[:lead]]
    weights = [np.ones((n, 1)) for n in out_shape[:lead]]
    for taps in axes:
        count = taps.index.shape[1]
        outs.append(np.repeat(np.arange(taps.size), count).reshape(taps.size, count))
        cells.append(taps.index)
        weights.append(taps.weight)
    mesh_out, mesh_cell, factor = _outer(outs, out_shape), _outer(cells, in_shape), np.ones(())
    for a, w in enumerate(weights):
        factor = np.multiply.outer(factor, w) if a else w
    factor = _interleave(factor, len(weights))
    valid = (mesh_cell >= 0) & (factor != 0)
    return links_of(mesh_out[valid], mesh_cell[valid], factor[valid])


def _outer(per_axis: list[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """Flat indices of ``shape`` from per-axis (positions, taps) arrays, as (*positions, *taps)
    interleaved per axis: axis a's entries over its position and tap; −1 where any axis is −1."""
    total = np.zeros((), np.int64)
    invalid = np.zeros((), bool)
    for a, index in enumerate(per_axis):
        stride = math.prod(shape[a + 1 :])
        total = np.add.outer(total, index * stride) if a else index * stride
        invalid = np.logical_or.outer(invalid, index < 0) if a else index < 0
    total, invalid = _interleave(total, len(per_axis)), _interleave(invalid, len(per_axis))
    return np.where(invalid, -1, total)


def _interleave(array: np.ndarray, axes: int) -> np.ndarray:
    """(p0, t0, p1, t1, …) as (p0, p1, …, t0, t1, …)."""
    order = [2 * a for a in range(axes)] + [2 * a + 1 for a in range(axes)]
    return np.transpose(array, order)
