"""The steps of an unpooling's picture: one input position a step, each value going back to
the output position its index names, and the step line that says so."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..engine.part import PartArray
from ..picture.model import Reads, Region, Step, Writes
from ..picture.numbers import format_value, magnitude
from .pool_picture import element_text
from .sliding import position


def unpool_step_text(dims: int, y: int, x: int, step: int, steps: int, part: bool = False) -> str:
    """The step line of an unpooling: the input cell placed, and the step among the ``steps``
    drawn (``of this part`` when the picture is a part of the layer)."""
    return f"input {position(dims, y, x)} · step {step + 1}/{steps}{' of this part' if part else ''}"


def unpool_longest(dims: int, read: Region) -> Callable[[bool], str]:
    """The longest step line of a picture stepping through the input cells ``read`` (counted
    ``of this part`` or not): its last cell's, the last of its steps."""
    steps = math.prod(read.size)
    return lambda part: unpool_step_text(dims, read.rows[1] - 1, read.cols[1] - 1, steps - 1, steps, part)


def indices_note(spec) -> str | None:
    """Where the example's indices come from (None: a layer no max pool gives, so never drawn
    without indices given): the max pool with the same K, S and P over a random input."""
    pool = spec.pool_spec()
    if pool is None:
        return None
    ceil = ", ceil_mode=True" if pool.ceil_mode else ""
    size = "×".join(map(str, spec.output_shape[1:]))
    return (
        f"indices (unless given): where MaxPool{spec.DIMS}d with the same K, S, P{ceil} found each "
        f"window's largest value, over a random {size} input"
    )


def earlier_writers(steps: int, indices_at: Callable[[int], np.ndarray]) -> dict[tuple[int, int], int]:
    """``(step, channel)`` → the last earlier step whose value went to the same index of that
    channel, for each step that overwrites one (``indices_at(step)``: the (C,) indices it writes)."""
    last: dict[tuple[int, int], int] = {}
    earlier: dict[tuple[int, int], int] = {}
    for step in range(steps):
        for c, index in enumerate(indices_at(step)):
            key = (c, int(index))
            if key in last:
                earlier[step, c] = last[key]
            last[key] = step
    return earlier


class UnpoolPlayback:
    """Steps of an unpooling: one pooled position a step, every channel at once; the input
    positions whose windows reach ``region`` of the output (all of it by default), row by row."""

    def __init__(
        self,
        x: np.ndarray,
        indices: np.ndarray,
        output: np.ndarray,
        dims: int,
        region: Region | None = None,
        read: Region | None = None,
        channels: bool = False,
    ) -> None:
        self.x, self.indices, self.output, self.dims = x, indices, output, dims
        self.channels_cut = channels  # some channels left out: the steps are a part's too
        self.region = Region.of(region, output.shape[1:])
        self.read = Region.of(read, x.shape[1:])
        self._scale = magnitude(x.values if isinstance(x, PartArray) else x)  # how the input grid writes its cells
        self._earlier: dict[tuple[int, int], int] | None = None

    def _overwrites(self, step: int, c: int) -> str:
        """``, overwrites the 9 there`` when an earlier step's value went to the same cell."""
        if self._earlier is None:
            self._earlier = earlier_writers(math.prod(self.read.size), lambda s: self._at(s)[2])
        if (step, c) not in self._earlier:
            return ""
        y, x, _ = self._at(self._earlier[step, c])
        return f", overwrites the {format_value(self.x[c, y, x], self._scale)} there"

    def _at(self, step: int):
        """(y, x, indices): the input position step ``step`` places, and its channels' indices."""
        y, x = divmod(step, self.read.size[1])
        y, x = y + self.read.rows[0], x + self.read.cols[0]
        return y, x, self.indices[:, y, x]

    def _targets(self, step: int):
        y, x = divmod(step, self.read.size[1])
        y, x = y + self.read.rows[0], x + self.read.cols[0]
        wo = self.output.shape[2]
        return y, x, [divmod(int(i), wo) for i in self.indices[:, y, x]]

    def _drawn(self, ty: int, tx: int) -> bool:
        (r0, r1), (c0, c1) = self.region.rows, self.region.cols
        return r0 <= ty < r1 and c0 <= tx < c1

    def advance(self, step: int) -> list[Writes]:
        y, x, targets = self._targets(step)
        writes = []
        for c, (ty, tx) in enumerate(targets):
            if self._drawn(ty, tx):
                ty, tx = ty - self.region.rows[0], tx - self.region.cols[0]
                writes.append(
                    Writes(c, np.array([ty]), np.array([tx]), self.x[c, y : y + 1, x : x + 1], (ty, tx, ty + 1, tx + 1))
                )
        return writes

    def show(self, step: int) -> Step:
        y, x, targets = self._targets(step)
        part = self.read.size != self.x.shape[1:] or self.channels_cut
        text = unpool_step_text(self.dims, y, x, step, math.prod(self.read.size), part)
        sums = tuple(
            f"{element_text(self.dims, 'y', c, ty, tx)} = {element_text(self.dims, 'x', c, y, x)} = {format_value(self.x[c, y, x], self._scale)}"
            f" (index {int(self.indices[c, y, x])}"
            f"{self._overwrites(step, c) if self._drawn(ty, tx) else ', outside the part drawn'})"
            for c, (ty, tx) in enumerate(targets)
        )
        dy, dx = y - self.read.rows[0], x - self.read.cols[0]  # as drawn
        reads = {c: Reads(np.array([[c, dy, dx]]), (dy, dx, dy + 1, dx + 1)) for c in range(self.x.shape[0])}
        return Step(0, reads, self.advance(step), text, sums, tuple(range(len(sums))))
