"""The numeric core every operation records with: padding, windows, convolution, placements.

Everything is plain NumPy and vectorised: the padded input is built with ``np.pad`` in the
mode PyTorch uses, the output is one ``einsum`` over a strided window view, and the taps of a
placement are computed on demand from index arithmetic, so recording costs no more memory than
the input and output themselves.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, TypeVar, Union, overload

import numpy as np

from .spec import SpecError

if TYPE_CHECKING:
    from .ops.conv import Conv2dSpec

_NP_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}

#: The largest magnitude of a value convgif computes with: kernel values, and inputs, weights
#: and biases given from Python. An output is a sum of at most 20,000,000 products (no layer
#: convgif draws holds more numbers) plus a bias, so with every factor within ±10,000 it stays
#: within 20,000,000 · 10,000² + 10,000 < 2**51: int64 arithmetic cannot overflow, float64
#: holds every whole-number result exactly (below 2**53), and so does the difference of two
#: results. Larger values would be wrapped or rounded, so they are refused.
MAX_MAGNITUDE = 10_000

RULE = f"values must be finite numbers from {-MAX_MAGNITUDE:,} to {MAX_MAGNITUDE:,}, so that every sum convgif computes is exact"


#: Ranges of the default values, small so that a reader can check a sum by eye.
INPUT_RANGE = (0, 3)
WEIGHT_RANGE = (-1, 1)
BIAS_RANGE = (0, 2)


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
        return (
            self.out_index == other.out_index
            and self.value == other.value
            and np.array_equal(self.taps, other.taps)
        )

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
    """Cross-correlate an already padded input with ``weight``, group by group (as PyTorch).

    Whole numbers are multiplied as float64, where the tensor product runs on BLAS: every value
    is within ±MAX_MAGNITUDE and a sum holds at most MAX_ELEMENTS products, so every sum stays
    below 2**53 and is exact, and the result is turned back into int64.
    """
    g = spec.groups
    c_out, h_out, w_out = spec.output_shape
    cg = spec.in_per_group
    whole = padded.dtype.kind in "iu" and weight.dtype.kind in "iu"
    as_float = (lambda a: a.astype(np.float64)) if whole else (lambda a: a)
    windows = window_view(spec, as_float(padded)).reshape(g, cg, h_out, w_out, *spec.kernel_size)
    kernels = as_float(weight).reshape(g, spec.out_per_group, cg, *spec.kernel_size)
    out = np.einsum("gcyxij,gocij->goyx", windows, kernels, optimize=True).reshape(c_out, h_out, w_out)
    if whole:
        out = np.rint(out).astype(np.int64)
    if bias is not None:
        out = out + bias[:, None, None]
    return out


def check_exact(name: str, values: object) -> np.ndarray:
    """``values`` as an int64 array (booleans and integers) or a float64 one (floats), after
    checking that convgif computes with them exactly: every value finite and within
    ±:data:`MAX_MAGNITUDE`.

    Raises :class:`SpecError` naming ``name`` (e.g. ``"weight"``) and stating the rule otherwise,
    and for anything that is not an array of real numbers.
    """
    try:
        array = np.asarray(values)
    except (TypeError, ValueError, OverflowError) as error:
        raise SpecError(name, f"{name} must be an array of numbers: {error}") from None
    return exact_array(array, name, name)


def exact_array(array: np.ndarray, name: str, what: str) -> np.ndarray:
    """``array`` checked by the rule of :func:`check_exact` and converted, ``what`` naming it."""
    if array.dtype.kind not in "biuf":
        raise SpecError(name, f"{what} must hold numbers, not {array.dtype}")
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array) | (np.abs(array) > MAX_MAGNITUDE)
    elif array.dtype.kind in "iu":
        bad = (array < -MAX_MAGNITUDE) | (array > MAX_MAGNITUDE)
    else:
        bad = None
    if bad is not None and bad.any():
        value = array[np.unravel_index(int(np.argmax(bad)), array.shape)].item()
        raise SpecError(name, f"{what} holds {show_number(value)}: {name} {RULE}")
    return array.astype(np.float64 if array.dtype.kind == "f" else np.int64)


def show_number(value: object) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:g}" if isinstance(value, float) else str(value)  # str: a long double's own digits


def example_values(rng: np.random.Generator, shape: tuple[int, ...], bounds: tuple[int, int]) -> np.ndarray:
    """Small random integers within ``bounds`` (inclusive): values a reader can add by eye."""
    return rng.integers(bounds[0], bounds[1] + 1, shape, dtype=np.int64)


def common_type(*arrays: Optional[np.ndarray]) -> list[Optional[np.ndarray]]:
    """The arrays as int64, or all as float64 where any of them holds fractions."""
    if any(a is not None and a.dtype.kind == "f" for a in arrays):
        return [None if a is None else a.astype(np.float64) for a in arrays]
    return list(arrays)


def record_direct(
    spec: Conv2dSpec,
    seed: int,
    input: Optional[np.ndarray] = None,
    weight: Optional[np.ndarray] = None,
    bias: Optional[np.ndarray] = None,
) -> Recording:
    """A direct convolution over (C, H, W) run on the arrays given, the rest seeded examples:
    inputs in 0..3, weights in -1..1, bias in 0..2 (the same seed, the same values)."""
    rng = rng_of(seed)
    w_shape = (spec.out_channels, spec.in_per_group, *spec.kernel_size)
    x = given("input", input, spec.input_shape, example_values(rng, spec.input_shape, INPUT_RANGE))
    w = given("weight", weight, w_shape, example_values(rng, w_shape, WEIGHT_RANGE))
    b = example_values(rng, (spec.out_channels,), BIAS_RANGE)
    b = given("bias", bias, (spec.out_channels,), b) if spec.bias else no_bias(bias)
    x, w, b = common_type(x, w, b)
    padded = pad_input(spec, x)
    output = convolve(spec, padded, w, b)
    return Recording(spec, x, padded, w, b, output, Placements(spec, output))


def no_bias(bias: Optional[np.ndarray]) -> None:
    """A layer with ``bias=False`` takes no bias: one given would be ignored, so it is refused."""
    if bias is not None:
        raise SpecError("bias", "this layer has bias=False: it adds no bias, so give none (or make the layer with bias=True)")


def rng_of(seed: int) -> np.random.Generator:
    if not isinstance(seed, numbers.Integral) or seed < 0:
        raise SpecError("seed", f"seed={seed!r} must be a non-negative integer")
    return np.random.default_rng(seed)


def given(name: str, value: Optional[np.ndarray], shape: tuple[int, ...], default: Optional[np.ndarray]) -> np.ndarray:
    """``value`` as the layer's int64 or float64 array of ``shape``, or ``default`` when None."""
    if value is None:
        assert default is not None
        return default
    array = np.asarray(value)
    if array.shape != tuple(shape):
        raise SpecError(name, f"{name} has shape {array.shape}, but this layer needs {tuple(shape)}")
    return check_exact(name, array)


def padding_mask(spec: Conv2dSpec, axis: int) -> np.ndarray:
    """For each padded row (axis 0) or column (axis 1): True where it is padding, not input."""
    size = spec.input_shape[1 + axis]
    real = pad_axis(np.ones((1, size), np.int8), 1, spec.padding[axis], spec.padding_end[axis], "zeros")
    return real[0] == 0
