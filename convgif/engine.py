"""Forward pass of a :class:`~convgif.spec.Conv2dSpec`, recording every kernel placement.

Everything is plain NumPy and vectorised: the padded input is built with ``np.pad`` in the
mode PyTorch uses, the output is one ``einsum`` over a strided window view, and the taps of a
placement are computed on demand from index arithmetic, so recording costs no more memory than
the input and output themselves.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Optional, Union, overload

import numpy as np

from .spec import Conv1dSpec, Conv2dSpec, ConvTranspose2dSpec, SeparableSpec, SpecError

_NP_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}

#: Ranges of the default values, small so that a reader can check a sum by eye.
INPUT_RANGE = (0, 3)
WEIGHT_RANGE = (-1, 1)
BIAS_RANGE = (0, 2)


def _pad_axis(array: np.ndarray, axis: int, before: int, after: int, mode: str) -> np.ndarray:
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
    out = _pad_axis(array, 1, spec.padding[0], spec.padding_end[0], spec.padding_mode)
    return _pad_axis(out, 2, spec.padding[1], spec.padding_end[1], spec.padding_mode)


def source_index(spec: Conv2dSpec, axis: int) -> np.ndarray:
    """For each padded row (axis 0) or column (axis 1), the input row/column it shows, or -1.

    -1 marks zero padding; with the other modes a padding cell is a copy of the cell named.
    """
    size = spec.input_shape[1 + axis]
    index = np.arange(size).reshape(1, -1)
    before, after = spec.padding[axis], spec.padding_end[axis]
    if spec.padding_mode == "zeros":
        index = _pad_axis(index + 1, 1, before, after, "zeros") - 1
    else:
        index = _pad_axis(index, 1, before, after, spec.padding_mode)
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
        return (
            self.out_index == other.out_index
            and self.value == other.value
            and np.array_equal(self.taps, other.taps)
        )

    __hash__ = None  # type: ignore[assignment]  # equal placements hold equal arrays


class Placements(Sequence[Placement]):
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

    @overload
    def __getitem__(self, index: int) -> Placement: ...

    @overload
    def __getitem__(self, index: slice) -> list[Placement]: ...

    def __getitem__(self, index: Union[int, slice]) -> Union[Placement, list[Placement]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"placement {index} out of range for {n} placements")
        co, oy, ox = (int(v) for v in np.unravel_index(index % n, self._output.shape))
        spec = self._spec
        group = co // spec.out_per_group
        origin = np.array([group * spec.in_per_group, oy * spec.stride[0], ox * spec.stride[1]])
        index = tuple((co, oy, ox)[k] for k in self._keep)
        return Placement(index, (self._offsets + origin)[:, self._keep], self._output[co, oy, ox].item())

    def __iter__(self) -> Iterator[Placement]:
        return (self[i] for i in range(len(self)))


@dataclass(frozen=True)
class Recording:
    """The forward pass of one spec: its values and every kernel placement.

    ``input`` (C, H, W), ``padded`` (C, H_p, W_p), ``weight`` (C_out, C_in/G, KH, KW),
    ``bias`` (C_out,) or None and ``output`` (C_out, H_out, W_out) are int64 arrays, or
    float64 where any array given to :func:`record` holds fractions.
    """

    spec: Conv2dSpec
    input: np.ndarray
    padded: np.ndarray
    weight: np.ndarray
    bias: Optional[np.ndarray]
    output: np.ndarray
    placements: Placements


def window_view(spec: Conv2dSpec, padded: np.ndarray) -> np.ndarray:
    """(C, H_out, W_out, KH, KW) view of the cells each placement reads."""
    rh, rw = spec.receptive_field
    (sh, sw), (dh, dw) = spec.stride, spec.dilation
    _, h_out, w_out = spec.output_shape
    windows = np.lib.stride_tricks.sliding_window_view(padded, (rh, rw), axis=(1, 2))
    return windows[:, : (h_out - 1) * sh + 1 : sh, : (w_out - 1) * sw + 1 : sw, ::dh, ::dw]


def convolve(spec: Conv2dSpec, padded: np.ndarray, weight: np.ndarray, bias: Optional[np.ndarray]) -> np.ndarray:
    """Cross-correlate an already padded input with ``weight``, group by group (as PyTorch)."""
    g = spec.groups
    c_out, h_out, w_out = spec.output_shape
    cg = spec.in_per_group
    windows = window_view(spec, padded).reshape(g, cg, h_out, w_out, *spec.kernel_size)
    kernels = weight.reshape(g, spec.out_per_group, cg, *spec.kernel_size)
    out = np.einsum("gcyxij,gocij->goyx", windows, kernels, optimize=True).reshape(c_out, h_out, w_out)
    if bias is not None:
        out = out + bias[:, None, None]
    return out


def record(
    spec: Union[Conv2dSpec, Conv1dSpec, ConvTranspose2dSpec, SeparableSpec],
    seed: int = 0,
    *,
    input: Optional[np.ndarray] = None,
    weight: Optional[np.ndarray] = None,
    bias: Optional[np.ndarray] = None,
) -> Union[Recording, TransposedRecording, "SeparableRecording"]:
    """Run ``spec`` forward on small random integers (or the arrays given) and record it.

    The same seed always gives the same values: inputs in 0..3, weights in -1..1, bias in 0..2.
    A :class:`Conv1dSpec` is computed as its Conv2d over one row; its recording has Conv1d's
    shapes: input (C, L), weight (C_out, C_in/G, K), output (C_out, L_out).
    """
    if isinstance(spec, Conv1dSpec):
        return _record_1d(spec, seed, input, weight, bias)
    if isinstance(spec, ConvTranspose2dSpec):
        return _record_transposed(spec, seed, input, weight, bias)
    if isinstance(spec, SeparableSpec):
        if weight is not None or bias is not None:
            raise ValueError("a separable convolution takes its weights from the seed")
        return _record_separable(spec, seed, input)
    rng = _rng(seed)
    w_shape = (spec.out_channels, spec.in_per_group, *spec.kernel_size)
    x = rng.integers(INPUT_RANGE[0], INPUT_RANGE[1] + 1, spec.input_shape, dtype=np.int64)
    w = rng.integers(WEIGHT_RANGE[0], WEIGHT_RANGE[1] + 1, w_shape, dtype=np.int64)
    b = rng.integers(BIAS_RANGE[0], BIAS_RANGE[1] + 1, spec.out_channels, dtype=np.int64)
    x = _given("input", input, spec.input_shape, x)
    w = _given("weight", weight, w_shape, w)
    b = _given("bias", bias, (spec.out_channels,), b) if spec.bias else None
    if any(a.dtype.kind == "f" for a in (x, w, b) if a is not None):
        x, w = x.astype(np.float64), w.astype(np.float64)
        b = None if b is None else b.astype(np.float64)
    padded = pad_input(spec, x)
    output = convolve(spec, padded, w, b)
    return Recording(spec, x, padded, w, b, output, Placements(spec, output))


def _rng(seed: int) -> np.random.Generator:
    if not isinstance(seed, numbers.Integral) or seed < 0:
        raise SpecError("seed", f"seed={seed!r} must be a non-negative integer")
    return np.random.default_rng(seed)


def _record_1d(
    spec: Conv1dSpec, seed: int, input: Optional[np.ndarray], weight: Optional[np.ndarray], bias: Optional[np.ndarray]
) -> Recording:
    w_shape = (spec.out_channels, spec.in_per_group, *spec.kernel_size)
    if input is not None:
        input = _given("input", input, spec.input_shape, None)[:, None, :]
    if weight is not None:
        weight = _given("weight", weight, w_shape, None)[:, :, None, :]
    planar = record(spec.as_conv2d(), seed, input=input, weight=weight, bias=bias)
    row = (slice(None), 0)
    return Recording(
        spec,
        planar.input[row],
        planar.padded[row],
        planar.weight[:, :, 0],
        planar.bias,
        planar.output[row],
        Placements(planar.spec, planar.output, rows=False),
    )


def as_conv2d(recording: Recording) -> Recording:
    """A Conv1d recording as the Conv2d over one row that convgif draws (a Conv2d's as it is)."""
    spec = recording.spec
    if not isinstance(spec, Conv1dSpec):
        return recording
    planar = spec.as_conv2d()
    output = recording.output[:, None]
    return Recording(
        planar,
        recording.input[:, None],
        recording.padded[:, None],
        recording.weight[:, :, None],
        recording.bias,
        output,
        Placements(planar, output),
    )


def _given(name: str, value: Optional[np.ndarray], shape: tuple[int, ...], default: Optional[np.ndarray]) -> np.ndarray:
    if value is None:
        assert default is not None
        return default
    array = np.asarray(value)
    if array.shape != tuple(shape):
        raise ValueError(f"{name} has shape {array.shape}, but this layer needs {tuple(shape)}")
    if array.dtype.kind in "biu":
        return array.astype(np.int64)
    if array.dtype.kind == "f":
        return array.astype(np.float64)
    raise ValueError(f"{name} must hold numbers, not {array.dtype}")


def padding_mask(spec: Conv2dSpec, axis: int) -> np.ndarray:
    """For each padded row (axis 0) or column (axis 1): True where it is padding, not input."""
    size = spec.input_shape[1 + axis]
    real = _pad_axis(np.ones((1, size), np.int8), 1, spec.padding[axis], spec.padding_end[axis], "zeros")
    return real[0] == 0


@dataclass(frozen=True)
class TransposedRecording:
    """The forward pass of a transposed convolution, and the direct convolution equal to it.

    ``input`` (C_in, H, W), ``weight`` in PyTorch's layout (C_in, C_out/G, KH, KW), ``bias``
    (C_out,) or None and ``output`` (C_out, H_out, W_out); ``conv`` records the same output as
    a direct convolution over the zero-inserted, padded input with the flipped kernels.
    """

    spec: ConvTranspose2dSpec
    input: np.ndarray
    weight: np.ndarray
    bias: Optional[np.ndarray]
    output: np.ndarray
    conv: Recording


def _record_transposed(
    spec: ConvTranspose2dSpec, seed: int, input: Optional[np.ndarray], weight: Optional[np.ndarray], bias: Optional[np.ndarray]
) -> TransposedRecording:
    rng = _rng(seed)
    w_shape = (spec.in_channels, spec.out_per_group, *spec.kernel_size)
    x = _given("input", input, spec.input_shape, rng.integers(INPUT_RANGE[0], INPUT_RANGE[1] + 1, spec.input_shape))
    w = _given("weight", weight, w_shape, rng.integers(WEIGHT_RANGE[0], WEIGHT_RANGE[1] + 1, w_shape))
    b = rng.integers(BIAS_RANGE[0], BIAS_RANGE[1] + 1, spec.out_channels)
    b = _given("bias", bias, (spec.out_channels,), b) if spec.bias else None
    if any(a.dtype.kind == "f" for a in (x, w, b) if a is not None):
        x, w = x.astype(np.float64), w.astype(np.float64)
        b = None if b is None else b.astype(np.float64)
    direct = spec.as_conv()
    conv = record(direct, input=zero_insert(spec, x), weight=flip_kernels(spec, w), bias=b)
    return TransposedRecording(spec, x, w, b, conv.output, conv)


def zero_insert(spec: ConvTranspose2dSpec, x: np.ndarray) -> np.ndarray:
    """``x`` with ``stride - 1`` zeros between cells and ``dilation·(k - 1) - padding`` around
    (cropped where negative), ``output_padding`` more at the bottom/right."""
    c, h, w = x.shape
    (sh, sw) = spec.stride
    spread = np.zeros((c, (h - 1) * sh + 1, (w - 1) * sw + 1), dtype=x.dtype)
    spread[:, ::sh, ::sw] = x
    for axis in (0, 1):
        edge = spec.dilation[axis] * (spec.kernel_size[axis] - 1) - spec.padding[axis]
        spread = _pad_axis(spread, 1 + axis, edge, edge + spec.output_padding[axis], "zeros")
    return spread


def flip_kernels(spec: ConvTranspose2dSpec, weight: np.ndarray) -> np.ndarray:
    """PyTorch's (C_in, C_out/G, KH, KW) transposed weight as the direct convolution's
    (C_out, C_in/G, KH, KW) weight: channels swapped within each group, kernels turned 180°."""
    g = spec.groups
    per = weight.reshape(g, spec.in_per_group, spec.out_per_group, *spec.kernel_size)
    swapped = per.transpose(0, 2, 1, 3, 4).reshape(spec.out_channels, spec.in_per_group, *spec.kernel_size)
    return swapped[:, :, ::-1, ::-1].copy()


@dataclass(frozen=True)
class SeparableRecording:
    """A depthwise-separable forward pass: the depthwise step, then the pointwise step on its
    output; ``output`` is the pointwise output."""

    spec: SeparableSpec
    depthwise: Recording
    pointwise: Recording

    @property
    def output(self) -> np.ndarray:
        return self.pointwise.output


def _record_separable(spec: SeparableSpec, seed: int, input: Optional[np.ndarray]) -> SeparableRecording:
    depthwise = record(spec.depthwise, seed, input=input)
    pointwise = record(spec.pointwise, seed + 1, input=depthwise.output)
    return SeparableRecording(spec, depthwise, pointwise)
