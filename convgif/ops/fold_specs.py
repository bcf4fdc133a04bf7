"""The layers :mod:`convgif.ops.fold` draws, as PyTorch defines and checks them: the sliding
blocks Unfold and Fold share (kernel_size, dilation, padding, stride), Unfold's (C, H, W) input
and (C·KH·KW, L) output, Fold's (C·KH·KW, L) input and (C, *output_size) output."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

from ..engine.matrix import blocks
from ..errors import SpecError
from .args import fmt, is_int, to_tuple
from .args import shape as _shape

_SEP = " \u2014 "


def _sizes(name: str, value: object, least: int) -> tuple[int, int]:
    """An int-or-pair argument of F.unfold/F.fold: a pair (one int for both), each at least ``least``."""
    pair = to_tuple(name, value, 2)
    if min(pair) < least:
        rule = "greater than zero" if least else "non-negative"
        raise SpecError(name, f"{name}={fmt(value)} must be {rule} on both axes")
    return pair  # type: ignore[return-value]


class _Window:
    """The sliding blocks both layers share: kernel_size, dilation, padding and stride, as
    F.unfold and F.fold normalise and check them (pairs; kernel, dilation and stride above 0,
    padding not below)."""

    kernel_size: tuple[int, int]
    dilation: tuple[int, int]
    padding: tuple[int, int]
    stride: tuple[int, int]

    def _normalise_window(self) -> None:
        put = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        put("kernel_size", _sizes("kernel_size", self.kernel_size, 1))
        put("dilation", _sizes("dilation", self.dilation, 1))
        put("padding", _sizes("padding", self.padding, 0))
        put("stride", _sizes("stride", self.stride, 1))

    @property
    def cells(self) -> int:
        """KH·KW: the rows of the matrix each channel has."""
        return self.kernel_size[0] * self.kernel_size[1]

    @property
    def receptive_field(self) -> tuple[int, int]:
        return tuple(d * (k - 1) + 1 for d, k in zip(self.dilation, self.kernel_size))  # type: ignore[return-value]

    def _blocks(self, sizes: tuple[int, int]) -> tuple[int, int]:
        """The placements per axis over a map of ``sizes``, padded."""
        padded = tuple(n + 2 * p for n, p in zip(sizes, self.padding))
        return blocks(padded, self.kernel_size, self.stride, self.dilation)  # type: ignore[return-value]

    def _window_text(self) -> str:
        return f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, stride={self.stride}"

    def _caption(self) -> str:
        return _SEP.join(
            [
                f"Input Shape : {self.input_shape}",  # type: ignore[attr-defined]
                f"Output Shape : {self.output_shape}",  # type: ignore[attr-defined]
                self.NAME,  # type: ignore[attr-defined]
                f"K : {self.kernel_size}",
                f"P : {self.padding}",
                f"S : {self.stride}",
                f"D : {self.dilation}",
            ]
        )

    def replace(self, **changes: object):
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]


@dataclass(frozen=True)
class UnfoldSpec(_Window):
    """One ``torch.nn.Unfold(kernel_size, dilation=1, padding=0, stride=1)`` applied to (C, H, W)
    ((H, W): one channel): the output is (C·KH·KW, L), L the placements of the window."""

    input_shape: tuple[int, ...]
    kernel_size: tuple[int, int]  # type: ignore[assignment]
    dilation: tuple[int, int] = 1  # type: ignore[assignment]
    padding: tuple[int, int] = 0  # type: ignore[assignment]
    stride: tuple[int, int] = 1  # type: ignore[assignment]

    NAME: ClassVar[str] = "Unfold"
    DIMS: ClassVar[int] = 2
    num_parameters: ClassVar[int] = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "input_shape", _shape(self.input_shape, 2))
        self._normalise_window()
        places = self._blocks(self.input_shape[1:])
        if min(places) < 1:
            raise SpecError(
                "kernel_size",
                f"Given input with spatial size {self.input_shape[1:]}, {self._window_text()}, the array of sliding "
                f"blocks would be {places}: each must be at least one (the window must fit the padded input)",
            )

    @property
    def in_channels(self) -> int:
        return self.input_shape[0]

    @property
    def out_channels(self) -> int:
        """The channels' blocks of the output drawn (one per input channel)."""
        return self.input_shape[0]

    @cached_property
    def places(self) -> tuple[int, int]:
        """The window's placements per axis: L is their product."""
        return self._blocks(self.input_shape[1:])

    @cached_property
    def output_shape(self) -> tuple[int, ...]:
        return (self.in_channels * self.cells, math.prod(self.places))

    @cached_property
    def padded_shape(self) -> tuple[int, ...]:
        c, h, w = self.input_shape
        return (c, h + 2 * self.padding[0], w + 2 * self.padding[1])

    @property
    def steps(self) -> int:
        """Animation steps: one per placement (column), every channel at once."""
        return self.output_shape[1]

    @property
    def numbers(self) -> int:
        return math.prod(self.padded_shape) + math.prod(self.output_shape)

    @property
    def operations(self) -> tuple[str, int]:
        return "writes", math.prod(self.output_shape)

    @cached_property
    def caption(self) -> str:
        return self._caption()


@dataclass(frozen=True)
class FoldSpec(_Window):
    """One ``torch.nn.Fold(output_size, kernel_size, dilation=1, padding=0, stride=1)`` applied
    to (C·KH·KW, L): the output is (C, *output_size), each column added into its window."""

    input_shape: tuple[int, ...]
    output_size: tuple[int, int]
    kernel_size: tuple[int, int]  # type: ignore[assignment]
    dilation: tuple[int, int] = 1  # type: ignore[assignment]
    padding: tuple[int, int] = 0  # type: ignore[assignment]
    stride: tuple[int, int] = 1  # type: ignore[assignment]

    NAME: ClassVar[str] = "Fold"
    DIMS: ClassVar[int] = 2
    num_parameters: ClassVar[int] = 0

    def __post_init__(self) -> None:
        value = self.input_shape
        if not (
            isinstance(value, (tuple, list)) and len(value) == 2 and all(is_int(v) for v in value) and min(value) >= 1
        ):
            raise SpecError(
                "input_shape",
                f"input_shape={fmt(value)} must be (C·KH·KW, L) of positive integers: Fold takes the columns "
                "Unfold makes, one column per window",
            )
        object.__setattr__(self, "input_shape", tuple(int(v) for v in value))
        object.__setattr__(self, "output_size", _sizes("output_size", self.output_size, 1))
        self._normalise_window()
        rows, columns = self.input_shape
        if rows % self.cells:
            raise SpecError(
                "input_shape",
                f"input_shape={self.input_shape}: its {rows} rows must be a multiple of the kernel's "
                f"{self.kernel_size[0]}·{self.kernel_size[1]} = {self.cells} cells (one block of rows per channel)",
            )
        places = self._blocks(self.output_size)
        if min(places) < 1:
            raise SpecError(
                "kernel_size",
                f"Given output_size={self.output_size}, {self._window_text()}, the array of sliding blocks would be "
                f"{places}: each must be at least one (the window must fit the padded output)",
            )
        if math.prod(places) != columns:
            raise SpecError(
                "input_shape",
                f"input_shape={self.input_shape} has {columns} columns, but output_size={self.output_size} with "
                f"{self._window_text()} has {places[0]} · {places[1]} = {math.prod(places)} windows: one column each",
            )

    @property
    def in_channels(self) -> int:
        """The channels' blocks of the input drawn (one per output channel)."""
        return self.input_shape[0] // self.cells

    @property
    def out_channels(self) -> int:
        return self.in_channels

    @cached_property
    def places(self) -> tuple[int, int]:
        return self._blocks(self.output_size)

    @cached_property
    def output_shape(self) -> tuple[int, ...]:
        return (self.in_channels, *self.output_size)

    @cached_property
    def canvas(self) -> tuple[int, int]:
        """The padded output the columns are added into, before the padding is dropped."""
        return self.output_size[0] + 2 * self.padding[0], self.output_size[1] + 2 * self.padding[1]

    @property
    def steps(self) -> int:
        return self.input_shape[1]

    @property
    def numbers(self) -> int:
        return math.prod(self.input_shape) + self.in_channels * math.prod(self.canvas)

    @property
    def operations(self) -> tuple[str, int]:
        return "additions", math.prod(self.input_shape)

    @cached_property
    def caption(self) -> str:
        return self._caption()
