"""How one call reads one spatial axis of its input: output cell ``o`` reads a set of input
cells along the same axis (:class:`Axis`), made by a rule (a window, a scatter, a gather, ...);
or reads everything (:data:`GLOBAL`), or cannot be followed (:class:`Unknown`). The bricks
of :mod:`.reach` and :mod:`.along`. NumPy only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np


@dataclass(frozen=True)
class Axis:
    """Output cell ``o`` reads input cell ``c + first`` where ``matrix[o, c]`` (a cell below 0
    or past the input's end is padding)."""

    matrix: np.ndarray
    first: int
    size: int  # the input's length along the axis
    #: Input cells from one output cell to the next (the stride; a transposed layer's 1/stride)
    step: Fraction = Fraction(1)
    #: The cells any output cell ``o`` reads, ``o`` outside the output too (as a larger input
    #: would make it), for a layer whose reads follow one rule everywhere; None for one that
    #: does not (an adaptive pooling, a reflection): its fields past the ends are continued
    rule: Optional[Callable[[int], list[int]]] = field(default=None, compare=False, repr=False)

    def real(self) -> np.ndarray:
        """The columns of the input's own cells: (outputs, size)."""
        return self.matrix[:, -self.first : -self.first + self.size]


@dataclass(frozen=True)
class Unknown:
    """A call whose reads convgif does not follow, and why."""

    reason: str


#: Every output cell reads every input cell (a linear layer, a flatten, a norm over the picture).
GLOBAL = "global"

#: One input's reach: one :class:`Axis` per spatial axis, :data:`GLOBAL`, or :class:`Unknown`.
Reach = Union[tuple, str, Unknown]


def _axis(rows: Sequence[Sequence[int]], size: int, step: Any = 1, rule: Optional[Callable] = None) -> Axis:
    """The axis where output ``o`` reads the (possibly out-of-range) input cells ``rows[o]``."""
    flat = [i for row in rows for i in row]
    first = min(0, min(flat, default=0))
    last = max(size - 1, max(flat, default=0))
    matrix = np.zeros((len(rows), last - first + 1), dtype=bool)
    for o, row in enumerate(rows):
        matrix[o, [i - first for i in row]] = True
    return Axis(matrix, first, size, Fraction(step), rule)


def ruled(rule: Callable[[int], list[int]], size: int, out: int, step: Any) -> Axis:
    """The axis of a layer whose output ``o`` reads ``rule(o)``, wherever ``o`` is."""
    return _axis([rule(o) for o in range(out)], size, step, rule)


def window_reads(kernel: int, stride: int, pad: int, dilation: int, o: int) -> list[int]:
    return [o * stride - pad + j * dilation for j in range(kernel)]


def _scatter_reads(kernel: int, stride: int, pad: int, dilation: int, o: int) -> list[int]:
    reads = []
    for j in range(kernel):
        i, rest = divmod(o + pad - j * dilation, stride)
        if not rest:
            reads.append(i)
    return reads


def window(size: int, out: int, kernel: int, stride: int, pad: int, dilation: int = 1) -> Axis:
    """A convolution's or pooling's window: output ``o`` reads ``o·stride − pad + j·dilation``."""
    return ruled(partial(window_reads, kernel, stride, pad, dilation), size, out, stride)


def scatter(size: int, out: int, kernel: int, stride: int, pad: int, dilation: int = 1) -> Axis:
    """A transposed convolution: input ``i`` adds its kernel at ``i·stride − pad + j·dilation``.
    Output ``o`` also lists the cells before and past the input that would land on it (its
    padding: a transposed convolution is a convolution of the input spread ``stride`` apart)."""
    return ruled(partial(_scatter_reads, kernel, stride, pad, dilation), size, out, Fraction(1, stride))


def adaptive(size: int, out: int) -> Axis:
    """Adaptive pooling: output ``o`` reads cells ``⌊o·size/out⌋`` to ``⌈(o+1)·size/out⌉ − 1``."""
    return _axis(
        [list(range((o * size) // out, -((-(o + 1) * size) // out))) for o in range(out)], size, Fraction(size, out)
    )


def gather(size: int, rows: Sequence[Sequence[int]], step: Any = 1) -> Axis:
    """Output ``o`` reads exactly the input cells ``rows[o]``, ``step`` input cells apart."""
    return _axis(rows, size, step)


def _own_cell(o: int) -> list[int]:
    return [o]


def _first_cell(o: int) -> list[int]:
    return [0]


def _every_cell(size: int, o: int) -> list[int]:
    return list(range(size))


def divided(factor: int, o: int) -> list[int]:
    return [o // factor]


def same(size: int, out: int) -> Axis:
    """Cell for cell (an activation, a sum), or one cell broadcast over the output (its cells
    0 input cells apart: all read the same one)."""
    if size == out:
        return ruled(_own_cell, size, out, 1)
    return ruled(_first_cell, size, out, 0)


def everything(size: int, out: int) -> Axis:
    """Every output cell reads every input cell."""
    return ruled(partial(_every_cell, size), size, out, Fraction(size, out))


def normal(name: str) -> str:
    """A torch name as the rules know it: ``max_pool2d``, ``MaxPool2d`` -> ``maxpool2d``;
    ``__iadd__`` -> ``iadd``; ``relu_`` -> ``relu``."""
    return name.removesuffix("_with_indices").replace("_", "").lower()
