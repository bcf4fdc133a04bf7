"""The numeric core every operation records with: padding, windows, convolution, placements.

Everything is plain NumPy and vectorised: the padded input is built with ``np.pad`` in the
mode PyTorch uses, the output is an ``einsum`` over a strided window view (whole numbers a few
output channels at a time, so that the weight is never copied whole), and the taps of a
placement are computed on demand from index arithmetic.

A render needs less than a recording: every input value, output value and bias, but of the
weight only the kernels it draws (and which values the weight holds, for the kernels' shades).
``record_direct(..., keep=channels)`` records that way, drawing the example weights a few rows
at a time and keeping only those of the channels drawn, so that a render's memory grows with
what it draws, not with the channels it does not.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, TypeVar, Union, overload

import numpy as np

from .values import (
    BIAS_RANGE,
    INPUT_RANGE,
    WEIGHT_RANGE,
    _distinct,
    common_type,
    distinct,
    drawn_or_given,
    example_rows,
    given,
    holds_fractions,
    no_bias,
    rng_of,
    row_chunks,
    skip_values,
)

if TYPE_CHECKING:
    from ..ops.conv import Conv2dSpec


_NP_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad_axis(array: np.ndarray, axis: int, before: int, after: int, mode: str) -> np.ndarray:
    """Pad (or, for negative amounts, crop) one axis as ``torch.nn.functional.pad`` does."""
    size = array.shape[axis]
    crop = [slice(None)] * array.ndim
    crop[axis] = slice(max(-before, 0), size - max(-after, 0))
    array = array[tuple(crop)]
    widths = [(0, 0)] * array.ndim
    widths[axis] = (max(before, 0), max(after, 0))
    if mode == "zeros":
        return np.pad(array, widths, mode="constant", constant_values=0)
    return np.pad(array, widths, mode=_NP_MODES[mode])


def pad_input(spec: Conv2dSpec, array: np.ndarray) -> np.ndarray:
    """``array`` (C, H, W) padded on both spatial axes per ``spec.padding_mode``."""
    out = pad_axis(array, 1, spec.padding[0], spec.padding_end[0], spec.padding_mode)
    return pad_axis(out, 2, spec.padding[1], spec.padding_end[1], spec.padding_mode)


def source_index(spec: Conv2dSpec, axis: int) -> np.ndarray:
    """For each padded row (axis 0) or column (axis 1), the input row/column it shows, or -1.

    -1 marks zero padding; with the other modes a padding cell is a copy of the cell named.
    """
    size = spec.input_shape[1 + axis]
    index = np.arange(size).reshape(1, -1)
    before, after = spec.padding[axis], spec.padding_end[axis]
    if spec.padding_mode == "zeros":
        index = pad_axis(index + 1, 1, before, after, "zeros") - 1
    else:
        index = pad_axis(index, 1, before, after, spec.padding_mode)
    return index[0]


@dataclass(frozen=True, eq=False)
class Placement:
    """One position of the kernel: the output element it produces and the cells it reads."""

    out_index: tuple[int, int, int]
    #: (c, y, x) rows, in padded-input coordinates, in weight order (c, ky, kx).
    taps: np.ndarray
    value: Union[int, float]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Placement):
            return NotImplemented
        return self.out_index == other.out_index and self.value == other.value and np.array_equal(self.taps, other.taps)

    __hash__ = None  # type: ignore[assignment]  # equal placements hold equal arrays


T = TypeVar("T")


class LazySequence(Sequence[T]):
    """A sequence whose items are built when asked for, by ``_item(i)`` for 0 <= i < len."""

    def __len__(self) -> int:
        raise NotImplementedError

    def _item(self, index: int) -> T:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: Union[int, slice]) -> Union[T, list[T]]:
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(len(self)))]
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"placement {index} out of range for {n} placements")
        return self._item(index % n)

    def __iter__(self) -> Iterator[T]:
        return (self._item(i) for i in range(len(self)))


class Placements(LazySequence[Placement]):
    """All placements in output order (co, oy, ox); items are built when asked for.

    With ``rows=False`` (a Conv1d computed as a Conv2d over one row) indices and taps leave out
    the row: (co, ox) and (c, x).
    """

    def __init__(self, spec: Conv2dSpec, output: np.ndarray, rows: bool = True) -> None:
        self._spec = spec
        self._output = output
        self._keep = [0, 1, 2] if rows else [0, 2]
        cg = spec.in_per_group
        kh, kw = spec.kernel_size
        dh, dw = spec.dilation
        c, ky, kx = np.meshgrid(np.arange(cg), np.arange(kh) * dh, np.arange(kw) * dw, indexing="ij")
        self._offsets = np.stack([c.ravel(), ky.ravel(), kx.ravel()], axis=1)

    def __len__(self) -> int:
        return self._output.size

    def _item(self, index: int) -> Placement:
        co, oy, ox = (int(v) for v in np.unravel_index(index, self._output.shape))
        spec = self._spec
        group = co // spec.out_per_group
        origin = np.array([group * spec.in_per_group, oy * spec.stride[0], ox * spec.stride[1]])
        index = tuple((co, oy, ox)[k] for k in self._keep)
        return Placement(index, (self._offsets + origin)[:, self._keep], self._output[co, oy, ox].item())


@dataclass(frozen=True)
class Recording:
    """The forward pass of one spec: its values and every kernel placement.

    ``input`` (C, H, W), ``padded`` (C, H_p, W_p), ``weight`` (C_out, C_in/G, KH, KW),
    ``bias`` (C_out,) or None and ``output`` (C_out, H_out, W_out) are int64 arrays, or
    float64 where any array given to :func:`record` holds fractions.

    A recording made for a render (``record_direct(..., keep=...)``) may hold only some
    kernels: then ``kept`` names the output channels whose kernels ``weight`` holds, in order
    (``weight[i]`` is channel ``kept[i]``'s), and ``weight_values`` the distinct values of the
    whole weight, sorted, which the kernels' shades are chosen from.
    """

    spec: Conv2dSpec
    input: np.ndarray
    padded: np.ndarray
    weight: np.ndarray
    bias: Optional[np.ndarray]
    output: np.ndarray
    placements: Placements
    kept: Optional[tuple[int, ...]] = None
    weight_values: Optional[np.ndarray] = None

    def distinct_weights(self) -> np.ndarray:
        """The distinct values of the whole weight, sorted."""
        return self.weight_values if self.weight_values is not None else distinct(self.weight)


def window_view(spec: Conv2dSpec, padded: np.ndarray) -> np.ndarray:
    """(C, H_out, W_out, KH, KW) view of the cells each placement reads."""
    rh, rw = spec.receptive_field
    (sh, sw), (dh, dw) = spec.stride, spec.dilation
    _, h_out, w_out = spec.output_shape
    windows = np.lib.stride_tricks.sliding_window_view(padded, (rh, rw), axis=(1, 2))
    return windows[:, : (h_out - 1) * sh + 1 : sh, : (w_out - 1) * sw + 1 : sw, ::dh, ::dw]


def convolve(spec: Conv2dSpec, padded: np.ndarray, weight: np.ndarray, bias: Optional[np.ndarray]) -> np.ndarray:
    """Cross-correlate an already padded input with ``weight``, group by group (as PyTorch).

    Whole numbers are convolved a few output channels at a time by :func:`convolve_rows`;
    fractions in one tensor product.
    """
    if padded.dtype.kind in "iu" and weight.dtype.kind in "iu":
        out = convolve_rows(spec, padded, lambda start, stop: weight[start:stop])
    else:
        g = spec.groups
        c_out, h_out, w_out = spec.output_shape
        windows = window_view(spec, padded).reshape(g, spec.in_per_group, h_out, w_out, *spec.kernel_size)
        kernels = weight.reshape(g, spec.out_per_group, spec.in_per_group, *spec.kernel_size)
        out = np.einsum("gcyxij,gocij->goyx", windows, kernels, optimize=True).reshape(c_out, h_out, w_out)
    if bias is not None:
        out = out + bias[:, None, None]
    return out


def convolve_rows(spec: Conv2dSpec, padded: np.ndarray, rows: Callable[[int, int], np.ndarray]) -> np.ndarray:
    """The whole-number cross-correlation of an already padded input, without the bias, asking
    ``rows(start, stop)`` for the weight of output channels ``start:stop`` once each, in order.

    Whole numbers are multiplied as float64, where the tensor product runs on BLAS: every value
    is within ±MAX_MAGNITUDE and a sum holds at most MAX_ELEMENTS products, so every sum stays
    below 2**53 and is exact, and the result is turned back into int64. Only a few channels'
    kernels are float64 at a time, so the weight is never copied whole.
    """
    g, per, cg = spec.groups, spec.out_per_group, spec.in_per_group
    c_out, h_out, w_out = spec.output_shape
    kernel = spec.kernel_size
    windows = window_view(spec, padded.astype(np.float64)).reshape(g, cg, h_out, w_out, *kernel)
    out = np.empty(spec.output_shape, np.int64)
    cells, cached = None, -1  # one group's windows: a row (c, ky, kx) per output cell
    for start, stop in row_chunks(c_out, cg * math.prod(kernel), per):
        kernels = np.asarray(rows(start, stop), dtype=np.float64)
        first, last = start // per, (stop - 1) // per
        if first == last:  # channels of one group: one matrix product
            if cached != first:
                cells = np.ascontiguousarray(windows[first].transpose(1, 2, 0, 3, 4)).reshape(h_out * w_out, -1)
                cached = first
            part = (cells @ kernels.reshape(stop - start, -1).T).T
        else:  # whole groups
            groups = kernels.reshape(last + 1 - first, per, cg, *kernel)
            part = np.einsum("gcyxij,gocij->goyx", windows[first : last + 1], groups, optimize=True)
        out[start:stop] = np.rint(part, out=part).reshape(stop - start, h_out, w_out)
    return out


def record_direct(
    spec: Conv2dSpec,
    seed: int,
    input: Optional[np.ndarray] = None,
    weight: Optional[np.ndarray] = None,
    bias: Optional[np.ndarray] = None,
    keep: Optional[Collection[int]] = None,
) -> Recording:
    """A direct convolution over (C, H, W) run on the arrays given, the rest seeded examples:
    inputs in 0..3, weights in -1..1, bias in 0..2 (the same seed, the same values).

    With ``keep`` (output channels), what a render needs: the same values, but of the weight
    only the kernels of the channels kept (see :class:`Recording`); example weights are then
    drawn and convolved a few channels at a time. A weight given is kept whole (its holder
    has it anyway); a layer of fractions is recorded whole.
    """
    rng = rng_of(seed)
    w_shape = (spec.out_channels, spec.in_per_group, *spec.kernel_size)
    x = drawn_or_given(rng, "input", input, spec.input_shape, INPUT_RANGE)
    if keep is None or x.dtype.kind == "f" or holds_fractions(weight) or holds_fractions(bias):
        w = drawn_or_given(rng, "weight", weight, w_shape, WEIGHT_RANGE)
        b = drawn_or_given(rng, "bias", bias, (spec.out_channels,), BIAS_RANGE) if spec.bias else no_bias(bias)
        return run_direct(spec, *common_type(x, w, b))
    padded = pad_input(spec, x)
    if weight is not None:
        w = given("weight", weight, w_shape, None)
        output = convolve_rows(spec, padded, lambda start, stop: w[start:stop])
        skip_values(rng, w_shape, WEIGHT_RANGE)
        kept, values = None, distinct(w)
    else:
        drawn = example_rows(rng, w_shape, WEIGHT_RANGE, spec.out_per_group)
        w, kept, values, output = kept_rows(spec, padded, drawn, keep)
    b = drawn_or_given(rng, "bias", bias, (spec.out_channels,), BIAS_RANGE) if spec.bias else no_bias(bias)
    if b is not None:
        output += b[:, None, None]
    return Recording(spec, x, padded, w, b, output, Placements(spec, output), kept, values)


def run_direct(spec: Conv2dSpec, x: np.ndarray, w: np.ndarray, b: Optional[np.ndarray]) -> Recording:
    """The direct convolution of ``spec`` on arrays already checked and of one type."""
    padded = pad_input(spec, x)
    output = convolve(spec, padded, w, b)
    return Recording(spec, x, padded, w, b, output, Placements(spec, output))


def kept_rows(
    spec: Conv2dSpec, padded: np.ndarray, chunks: Iterator[np.ndarray], keep: Collection[int]
) -> tuple[np.ndarray, tuple[int, ...], np.ndarray, np.ndarray]:
    """Convolve the whole-number weight that ``chunks`` yields (the runs of :func:`row_chunks`
    that :func:`convolve_rows` asks for, in order), keeping of it only the kernels of output
    channels ``keep``: (those kernels, the channels, the distinct values of the whole weight,
    the output without bias)."""
    kept = tuple(sorted({int(co) for co in keep}))
    w = np.empty((len(kept), spec.in_per_group, *spec.kernel_size), np.int64)
    seen: list[np.ndarray] = []

    def rows(start: int, stop: int) -> np.ndarray:
        part = next(chunks)
        assert part.shape[0] == stop - start, "the weight is drawn in the convolution's runs"
        seen.append(_distinct(part))
        first, last = np.searchsorted(kept, [start, stop])
        w[first:last] = part[np.asarray(kept[first:last], dtype=np.intp) - start]
        return part

    output = convolve_rows(spec, padded, rows)
    values = np.unique(np.concatenate(seen)) if seen else np.empty(0, np.int64)
    return w, kept, values, output


def padding_mask(spec: Conv2dSpec, axis: int) -> np.ndarray:
    """For each padded row (axis 0) or column (axis 1): True where it is padding, not input."""
    size = spec.input_shape[1 + axis]
    real = pad_axis(np.ones((1, size), np.int8), 1, spec.padding[axis], spec.padding_end[axis], "zeros")
    return real[0] == 0
