"""The direct convolution every convolution kind records with, over 1, 2 or 3 spatial axes:
padding, windows, the cross-correlation and its placements.

Everything is plain NumPy and vectorised: the padded input is built with ``np.pad`` in the
mode PyTorch uses, the output is a matrix product over a strided window view (whole numbers a
few output channels at a time, so that the weight is never copied whole), and the taps of a
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
from typing import Any, NamedTuple, Optional, Protocol, TypeVar, Union, overload

import numpy as np

from .values import (
    BIAS_RANGE,
    INPUT_RANGE,
    WEIGHT_RANGE,
    Stream,
    _distinct,
    cell_blocks,
    checked,
    common_type,
    distinct,
    drawn_or_given,
    example_box,
    example_rows,
    given,
    holds_fractions,
    no_bias,
    rng_of,
    row_chunks,
    skip_values,
)


class ConvSpec(Protocol):
    """What the direct convolution reads of a spec (a convolution over ``len(kernel_size)`` axes)."""

    input_shape: tuple[int, ...]
    out_channels: int
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    padding_end: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int
    padding_mode: str

    @property
    def in_per_group(self) -> int: ...

    @property
    def out_per_group(self) -> int: ...

    @property
    def receptive_field(self) -> tuple[int, ...]: ...

    @property
    def output_shape(self) -> tuple[int, ...]: ...

    @property
    def padded_shape(self) -> tuple[int, ...]: ...


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


def pad_input(spec: ConvSpec, array: np.ndarray) -> np.ndarray:
    """``array`` (C, *sizes) padded on every spatial axis per ``spec.padding_mode``."""
    for axis, (before, after) in enumerate(zip(spec.padding, spec.padding_end)):
        array = pad_axis(array, 1 + axis, before, after, spec.padding_mode)
    return array


def source_index(spec: ConvSpec, axis: int) -> np.ndarray:
    """For each padded position along spatial ``axis`` (0: rows of a 2-D layer), the input
    position it shows, or -1.

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

    #: (co, *position): the output element, as the layer indexes it.
    out_index: tuple[int, ...]
    #: (c, *position) rows, in padded-input coordinates, in weight order (c, *kernel position).
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


class OutputPositions(LazySequence[T]):
    """One item per position of a recording's output (every channel at once), in output order:
    ``_at(out)`` builds the item of the position ``out``."""

    def __init__(self, recording: Any) -> None:
        self._recording = recording
        self._sizes = recording.output.shape[1:]

    def __len__(self) -> int:
        return math.prod(self._sizes)

    def _item(self, index: int) -> T:
        return self._at(tuple(int(v) for v in np.unravel_index(index, self._sizes)))

    def _at(self, out: tuple[int, ...]) -> T:
        raise NotImplementedError


class Placements(LazySequence[Placement]):
    """All placements in output order (co, *position); items are built when asked for."""

    def __init__(self, spec: ConvSpec, output: np.ndarray) -> None:
        self._spec = spec
        self._output = output
        ranges = [np.arange(spec.in_per_group)] + [np.arange(k) * d for k, d in zip(spec.kernel_size, spec.dilation)]
        mesh = np.meshgrid(*ranges, indexing="ij")
        self._offsets = np.stack([m.ravel() for m in mesh], axis=1)

    def __len__(self) -> int:
        return self._output.size

    def _item(self, index: int) -> Placement:
        at = tuple(int(v) for v in np.unravel_index(index, self._output.shape))
        spec = self._spec
        group = at[0] // spec.out_per_group
        origin = np.array([group * spec.in_per_group, *(o * s for o, s in zip(at[1:], spec.stride))])
        return Placement(at, self._offsets + origin, self._output[at].item())


@dataclass(frozen=True)
class Recording:
    """The forward pass of one spec: its values and every kernel placement.

    ``input`` (C, *sizes), ``padded`` (C, *padded sizes), ``weight`` (C_out, C_in/G, *kernel),
    ``bias`` (C_out,) or None and ``output`` (C_out, *output sizes) are int64 arrays, or
    float64 where any array given to :func:`record` holds fractions.

    A recording made for a render (``record_direct(..., keep=...)``) may hold only some
    kernels: then ``kept`` names the output channels whose kernels ``weight`` holds, in order
    (``weight[i]`` is channel ``kept[i]``'s), and ``weight_values`` the distinct values of the
    whole weight, sorted, which the kernels' shades are chosen from.
    """

    spec: ConvSpec
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

    def shade_values(self) -> np.ndarray:
        """The values the kernels' shades are chosen from: the whole weight's distinct values,
        or, for a weight of fractions held whole, the weight itself (its shades read only its
        extremes and the few numbers its cells write, found without sorting millions)."""
        if self.weight_values is None and self.kept is None and self.weight.dtype.kind == "f":
            return self.weight
        return self.distinct_weights()


def window_view(spec: ConvSpec, padded: np.ndarray) -> np.ndarray:
    """(C, *output sizes, *kernel) view of the cells each placement reads."""
    dims = len(spec.kernel_size)
    windows = np.lib.stride_tricks.sliding_window_view(padded, spec.receptive_field, axis=tuple(range(1, dims + 1)))
    picks = tuple(slice(0, (o - 1) * s + 1, s) for o, s in zip(spec.output_shape[1:], spec.stride))
    return windows[(slice(None), *picks, *(slice(None, None, d) for d in spec.dilation))]


def _product(dims: int) -> str:
    """The tensor product of windows (g, c, *out, *k) and kernels (g, o, c, *k), as einsum writes it."""
    out, kernel = "yxz"[:dims] if dims < 3 else "dyx", "ijk"[:dims]
    return f"gc{out}{kernel},goc{kernel}->go{out}"


def convolve(spec: ConvSpec, padded: np.ndarray, weight: np.ndarray, bias: Optional[np.ndarray]) -> np.ndarray:
    """Cross-correlate an already padded input with ``weight``, group by group (as PyTorch).

    Whole numbers are convolved a few output channels at a time by :func:`convolve_rows`;
    fractions in one tensor product.
    """
    dims = len(spec.kernel_size)
    if padded.dtype.kind in "iu" and weight.dtype.kind in "iu":
        out = convolve_rows(spec, padded, lambda start, stop: weight[start:stop])
    else:
        g, sizes = spec.groups, spec.output_shape[1:]
        windows = window_view(spec, padded).reshape(g, spec.in_per_group, *sizes, *spec.kernel_size)
        kernels = weight.reshape(g, spec.out_per_group, spec.in_per_group, *spec.kernel_size)
        out = np.empty(spec.output_shape, np.result_type(padded, weight))
        for box in cell_blocks([(0, n) for n in sizes], spec.in_channels * math.prod(spec.kernel_size)):
            cut = tuple(slice(*span) for span in box)
            product = np.einsum(_product(dims), windows[(slice(None), slice(None), *cut)], kernels, optimize=True)
            out[(slice(None), *cut)] = product.reshape(spec.out_channels, *(b - a for a, b in box))
    if bias is not None:
        out = out + bias.reshape(-1, *(1,) * dims)
    return out


def convolve_rows(
    spec: ConvSpec, padded: np.ndarray, rows: Callable[[int, int], np.ndarray], whole: bool = True
) -> np.ndarray:
    """The whole-number cross-correlation of an already padded input, without the bias, asking
    ``rows(start, stop)`` for the weight of output channels ``start:stop`` once each, in order
    (of fractions, unless ``whole``: then float64, not rounded).

    Whole numbers are multiplied as float64, where the tensor product runs on BLAS: every value
    is within ±MAX_MAGNITUDE and a sum holds at most MAX_ELEMENTS products, so every sum stays
    below 2**53 and is exact, and the result is turned back into int64. Only a few channels'
    kernels are float64 at a time, so the weight is never copied whole.
    """
    g, per, cg = spec.groups, spec.out_per_group, spec.in_per_group
    c_out, *sizes = spec.output_shape
    kernel, dims = spec.kernel_size, len(spec.kernel_size)
    windows = window_view(spec, padded.astype(np.float64)).reshape(g, cg, *sizes, *kernel)
    out = np.empty(spec.output_shape, np.int64 if whole else np.float64)
    cells, cached = None, -1  # one group's windows: a row (c, *k) per output cell
    to_rows = (*range(1, dims + 1), 0, *range(dims + 1, 2 * dims + 1))  # (c, *out, *k) -> (*out, c, *k)
    # a group's windows side by side hold this many values per output cell: blocks of cells bound memory
    boxes = [
        tuple(slice(*span) for span in box) for box in cell_blocks([(0, n) for n in sizes], cg * math.prod(kernel))
    ]
    for start, stop in row_chunks(c_out, cg * math.prod(kernel), per):
        kernels = np.asarray(rows(start, stop), dtype=np.float64)
        first, last = start // per, (stop - 1) // per
        for box in boxes:
            shape = tuple(s.stop - s.start for s in box)
            if first == last:  # channels of one group: one matrix product
                if cached != first or len(boxes) > 1:
                    rows_of = windows[(first, slice(None), *box)].transpose(to_rows)
                    cells = np.ascontiguousarray(rows_of).reshape(math.prod(shape), -1)
                    cached = first
                part = (cells @ kernels.reshape(stop - start, -1).T).T
            else:  # whole groups
                groups = kernels.reshape(last + 1 - first, per, cg, *kernel)
                part = np.einsum(
                    _product(dims), windows[(slice(first, last + 1), slice(None), *box)], groups, optimize=True
                )
            out[(slice(start, stop), *box)] = (np.rint(part, out=part) if whole else part).reshape(stop - start, *shape)
    return out


def record_direct(
    spec: ConvSpec,
    seed: int,
    input: Optional[np.ndarray] = None,
    weight: Optional[np.ndarray] = None,
    bias: Optional[np.ndarray] = None,
    keep: Optional[Collection[int]] = None,
    spans: Optional[Sequence[tuple[int, int]]] = None,
) -> Recording:
    """A direct convolution over (C, *sizes) run on the arrays given, the rest seeded examples:
    inputs in 0..3, weights in -1..1, bias in 0..2 (the same seed, the same values).

    With ``keep`` (output channels), what a render needs: the same values, but of the weight
    only the kernels of the channels kept (see :class:`Recording`); example weights are then
    drawn and convolved a few channels at a time. A weight given is kept whole (its holder
    has it anyway); a layer of fractions is recorded whole. With ``keep`` and ``spans`` (per
    spatial axis, (start, stop)), only those output positions and the input they read (see
    :func:`record_part`): for a layer too large to compute whole.
    """
    if keep is not None and spans is not None:
        return record_part(spec, seed, input, weight, bias, keep, spans)
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
        output += b.reshape(-1, *(1,) * len(spec.kernel_size))
    return Recording(spec, x, padded, w, b, output, Placements(spec, output), kept, values)


def run_direct(spec: ConvSpec, x: np.ndarray, w: np.ndarray, b: Optional[np.ndarray]) -> Recording:
    """The direct convolution of ``spec`` on arrays already checked and of one type."""
    padded = pad_input(spec, x)
    output = convolve(spec, padded, w, b)
    return Recording(spec, x, padded, w, b, output, Placements(spec, output))


class _Window(NamedTuple):
    """A direct convolution's sizes on a box of its padded input: the box is the input (no
    padding) and the output is the part of the layer's output that reads it."""

    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int
    in_per_group: int
    out_per_group: int
    receptive_field: tuple[int, ...]


def read_spans(spec: ConvSpec, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The padded input positions (start, stop) per axis that output positions ``spans`` read."""
    return [(start * s, (stop - 1) * s + r) for (start, stop), s, r in zip(spans, spec.stride, spec.receptive_field)]


def _padded_part(
    x_part: np.ndarray, sources: Sequence[np.ndarray], box: Sequence[tuple[int, int]], kind: Any
) -> np.ndarray:
    """The padded input cells a part reads, from the input cells ``x_part`` (starting at
    ``box``): ``sources`` per axis, the input index each padded cell copies (negative: a zero)."""
    padded = np.zeros((x_part.shape[0], *(len(taken) for taken in sources)), kind)
    if all((taken >= 0).any() for taken in sources):
        local = [np.maximum(taken - b[0], 0) for taken, b in zip(sources, box)]
        padded[...] = x_part[(slice(None), *np.ix_(*local))]
        for axis, taken in enumerate(sources):
            cut = [slice(None)] * (len(sources) + 1)
            cut[1 + axis] = taken < 0
            padded[tuple(cut)] = 0
    return padded


def record_part(
    spec: ConvSpec,
    seed: int,
    input: Optional[np.ndarray],
    weight: Optional[np.ndarray],
    bias: Optional[np.ndarray],
    keep: Collection[int],
    spans: Optional[Sequence[tuple[int, int]]] = None,
) -> Recording:
    """What a render draws of a direct convolution: the values :func:`record_direct` gives, but
    of the output only the positions ``spans`` (per spatial axis, (start, stop); None: all),
    of the padded input only the cells they read, and of the weight only the kernels of the
    output channels ``keep`` (and its values, for the kernels' shades: the distinct ones of a
    whole-number weight, every one of a weight of fractions, as given). ``input``, ``padded``
    and ``output`` are then :class:`~convgif.engine.part.PartArray` (an input given is kept as
    given, for a picture that shows it whole), so that the render's memory and time follow the
    part it draws, not the layer: example values are drawn a few rows at a time and only the
    part kept, a weight given is taken a few kernels at a time. An ``input`` that is itself a
    :class:`~convgif.engine.part.PartArray` (an earlier step's part, as a separable
    convolution's pointwise step reads its depthwise step's) must hold every cell read.
    """
    from .part import PartArray

    rng = rng_of(seed)
    dims = len(spec.kernel_size)
    w_shape = (spec.out_channels, spec.in_per_group, *spec.kernel_size)
    whole = spans is None
    spans = [(0, n) for n in spec.output_shape[1:]] if whole else [(int(a), int(b)) for a, b in spans]
    reads = [(0, n) for n in spec.padded_shape[1:]] if whole else read_spans(spec, spans)
    sources = [source_index(spec, axis)[start:stop] for axis, (start, stop) in enumerate(reads)]
    real = [taken[taken >= 0] for taken in sources]
    box = [(int(r.min()), int(r.max()) + 1) if r.size else (0, 0) for r in real]  # input cells read
    if whole:
        box = [(0, n) for n in spec.input_shape[1:]]
    x_part, given_x = _input_cells(spec, rng, input, box)
    fractions = x_part.dtype.kind == "f" or holds_fractions(weight) or holds_fractions(bias)
    kind = np.float64 if fractions else np.int64
    x_part = x_part.astype(kind, copy=False)
    padded = _padded_part(x_part, sources, box, kind)
    window = _Window(
        padded.shape,
        (spec.out_channels, *(stop - start for start, stop in spans)),
        spec.kernel_size,
        spec.stride,
        spec.dilation,
        spec.groups,
        spec.in_per_group,
        spec.out_per_group,
        spec.receptive_field,
    )
    if weight is None:
        chunks: Iterator[np.ndarray] = example_rows(rng, w_shape, WEIGHT_RANGE, spec.out_per_group)
        w, kept, values, output = kept_rows(window, padded, chunks, keep, kind)
    else:
        given_w = checked("weight", weight, w_shape)
        skip_values(rng, w_shape, WEIGHT_RANGE)
        runs = row_chunks(w_shape[0], math.prod(w_shape[1:]), spec.out_per_group)
        chunks = (given_w[start:stop] for start, stop in runs)
        w, kept, _, output = kept_rows(window, padded, chunks, keep, kind, distinct_values=False)
        values = given_w if given_w.dtype.kind == "f" else distinct(given_w.astype(np.int64, copy=False))
    b = drawn_or_given(rng, "bias", bias, (spec.out_channels,), BIAS_RANGE) if spec.bias else no_bias(bias)
    if b is not None:
        b = b.astype(kind, copy=False)
        output += b.reshape(-1, *(1,) * dims)
    if whole:  # every cell held: plain arrays
        x = x_part if given_x is None else given_x
        return Recording(spec, x, padded, w, b, output, Placements(spec, output), kept, values)
    x = PartArray(spec.input_shape, (0, *(b[0] for b in box)), x_part) if given_x is None else given_x
    padded_part = PartArray(spec.padded_shape, (0, *(start for start, _ in reads)), padded)
    out_part = PartArray(spec.output_shape, (0, *(start for start, _ in spans)), output)
    return Recording(spec, x, padded_part, w, b, out_part, Placements(spec, out_part), kept, values)


def _input_cells(spec: ConvSpec, rng: Stream, input: Any, box: Sequence[tuple[int, int]]) -> tuple:
    """(the input cells ``box`` (per spatial axis), the input given): example values drawn as
    the whole input is, ``rng`` left as that draw leaves it (None given), or the cells of the
    array given, an earlier step's part included."""
    from .part import PartArray

    picks = (slice(None), *(slice(*b) for b in box))
    if input is None:
        return example_box(rng, spec.input_shape, INPUT_RANGE, box), None
    given_x = input if isinstance(input, PartArray) else checked("input", input, spec.input_shape)
    skip_values(rng, spec.input_shape, INPUT_RANGE)
    return np.asarray(given_x[picks]), given_x


def kept_rows(
    spec: ConvSpec,
    padded: np.ndarray,
    chunks: Iterator[np.ndarray],
    keep: Collection[int],
    kind: type = np.int64,
    distinct_values: bool = True,
) -> tuple[np.ndarray, tuple[int, ...], Optional[np.ndarray], np.ndarray]:
    """Convolve the weight that ``chunks`` yields (the runs of :func:`row_chunks` that
    :func:`convolve_rows` asks for, in order), keeping of it only the kernels of output
    channels ``keep``: (those kernels, the channels, the distinct values of the whole weight
    unless not ``distinct_values``, the output without bias), as ``kind`` (int64 or float64)."""
    kept = tuple(sorted({int(co) for co in keep}))
    w = np.empty((len(kept), spec.in_per_group, *spec.kernel_size), kind)
    seen: list[np.ndarray] = []

    def rows(start: int, stop: int) -> np.ndarray:
        part = next(chunks)
        assert part.shape[0] == stop - start, "the weight is drawn in the convolution's runs"
        if distinct_values:
            seen.append(_distinct(part))
        first, last = np.searchsorted(kept, [start, stop])
        w[first:last] = part[np.asarray(kept[first:last], dtype=np.intp) - start]
        return part

    output = convolve_rows(spec, padded, rows, whole=kind is np.int64)
    values = (_distinct(np.concatenate(seen)) if seen else np.empty(0, kind)) if distinct_values else None
    return w, kept, values, output


def padding_mask(spec: ConvSpec, axis: int) -> np.ndarray:
    """For each padded position along spatial ``axis``: True where it is padding, not input."""
    size = spec.input_shape[1 + axis]
    real = pad_axis(np.ones((1, size), np.int8), 1, spec.padding[axis], spec.padding_end[axis], "zeros")
    return real[0] == 0


def read_mask(spec: ConvSpec, axis: int, start: int, stop: int) -> np.ndarray:
    """For each padded position along spatial ``axis``: True where some output position from
    ``start`` to ``stop`` reads it (a stride larger than the window leaves some unread)."""
    size = spec.padded_shape[1 + axis]
    taps = np.arange(spec.kernel_size[axis]) * spec.dilation[axis]
    read = np.zeros(size, bool)
    for o in range(start, stop):
        read[o * spec.stride[axis] + taps] = True
    return read
