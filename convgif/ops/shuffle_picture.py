"""The steps of the shuffles' pictures: a PixelShuffle's r² values of a group moved into a
block, a PixelUnshuffle's block moved into r² channels, a ChannelShuffle's channels copied
(and moved back, for its backward pass)."""

from __future__ import annotations

import math

import numpy as np

from ..picture.model import LazyReads, Reads, Region, Step, Writes
from ..picture.numbers import format_value
from .depth_steps import ALONE, Count


class ShufflePlayback:
    """Steps of a PixelShuffle: one input position a step (of the part read), every group at once."""

    def __init__(self, spec, x: np.ndarray, out: np.ndarray, part: Region, read: Region, cut: bool = False) -> None:
        self.spec, self.x, self.out, self.part, self.read = spec, x, out, part, read
        self.r = spec.upscale_factor
        self.cut = cut  # the output cut or some channels left out

    def _at(self, step: int) -> tuple[int, int]:
        y, x = divmod(step, self.read.size[1])
        return y + self.read.rows[0], x + self.read.cols[0]

    def _block(self, y: int, x: int) -> tuple[range, range]:
        """The output rows and columns of input position (y, x) within the part drawn."""
        r, (r0, r1), (c0, c1) = self.r, self.part.rows, self.part.cols
        return range(max(y * r, r0), min(y * r + r, r1)), range(max(x * r, c0), min(x * r + r, c1))

    def advance(self, step: int) -> list[Writes]:
        y, x = self._at(step)
        rows, cols = self._block(y, x)
        if not rows or not cols:
            return []
        ry, rx = np.array(rows) - self.part.rows[0], np.array(cols) - self.part.cols[0]
        box = (int(ry[0]), int(rx[0]), int(ry[-1]) + 1, int(rx[-1]) + 1)
        values = self.out[:, rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        return [Writes(g, ry, rx, values[g], box) for g in range(self.out.shape[0])]

    def show(self, step: int) -> Step:
        y, x = self._at(step)
        r, rr = self.r, self.r * self.r
        dy, dx = y - self.read.rows[0], x - self.read.cols[0]

        def reads(g: int) -> Reads:
            cells = np.array([[g * rr + k, dy, dx] for k in range(rr)], dtype=np.int64)
            return Reads(cells, (dy, dx, dy + 1, dx + 1))

        text = shuffle_step_text(True, y, x, r, step, math.prod(self.read.size), self.cut)
        sums = tuple(
            f"y[{g}, {y * r}:{y * r + r}, {x * r}:{x * r + r}] ← x[{g * rr}:{g * rr + rr}, {y}, {x}] = "
            f"{_block(self.x[g * rr : g * rr + rr, y, x].reshape(r, r))}"
            for g in range(self.out.shape[0])
        )
        return Step(0, LazyReads(reads), self.advance(step), text, sums, tuple(range(len(sums))))


class UnshufflePlayback:
    """Steps of a PixelUnshuffle: one output position a step (of the part drawn), every input
    channel at once."""

    def __init__(self, spec, x: np.ndarray, out: np.ndarray, part: Region, read: Region, cut: bool = False) -> None:
        self.spec, self.x, self.out, self.part, self.read = spec, x, out, part, read
        self.r = spec.downscale_factor
        self.cut = cut  # the output cut or some channels left out

    def _at(self, step: int) -> tuple[int, int]:
        y, x = divmod(step, self.part.size[1])
        return y + self.part.rows[0], x + self.part.cols[0]

    def advance(self, step: int) -> list[Writes]:
        y, x = self._at(step)
        dy, dx = y - self.part.rows[0], x - self.part.cols[0]
        box = (dy, dx, dy + 1, dx + 1)
        return [
            Writes(co, np.array([dy]), np.array([dx]), self.out[co, y : y + 1, x : x + 1], box)
            for co in range(self.out.shape[0])
        ]

    def show(self, step: int) -> Step:
        y, x = self._at(step)
        r, rr = self.r, self.r * self.r
        top, left = y * r - self.read.rows[0], x * r - self.read.cols[0]

        def reads(g: int) -> Reads:
            cells = np.array([[g, top + i, left + j] for i in range(r) for j in range(r)], dtype=np.int64)
            return Reads(cells, (top, left, top + r, left + r))

        text = shuffle_step_text(False, y, x, r, step, math.prod(self.part.size), self.cut)
        sums = tuple(
            f"y[{g * rr}:{g * rr + rr}, {y}, {x}] ← x[{g}, {y * r}:{y * r + r}, {x * r}:{x * r + r}] = "
            f"{_block(self.x[g, y * r : y * r + r, x * r : x * r + r])}"
            for g in range(self.x.shape[0])
        )
        return Step(0, LazyReads(reads), self.advance(step), text, sums, tuple(g * rr for g in range(len(sums))))


def plane(spec) -> tuple[int, int]:
    """A channel as a picture draws it: (H, W), or one row for a one-axis input."""
    return (spec.input_shape[1] if spec.dims == 2 else 1, spec.input_shape[-1])


class ChannelPlayback:
    """Steps of a ChannelShuffle: output channel ``step`` copies its input channel, whole (the
    part drawn of it), into its own place in the output column; the lines of the steps before
    stay (each output channel is in the group of the input channel it copies, whose line and
    hue reach it)."""

    def __init__(self, spec, x: np.ndarray, part: Region) -> None:
        self.spec, self.x, self.part = spec, x, part

    def advance(self, step: int) -> list[Writes]:
        source = int(self.spec.sources[step])
        h, w = self.x.shape[1:]
        return [Writes(step, np.arange(h), np.arange(w), self.x[source], (0, 0, h, w))]

    def show(self, step: int) -> Step:
        spec, source = self.spec, int(self.spec.sources[step])
        h, w = self.x.shape[1:]
        cells = np.array([[source, y, x] for y in range(h) for x in range(w)], dtype=np.int64)
        empty = np.zeros((0, 3), dtype=np.int64)
        reads = LazyReads(lambda g: Reads(cells if g == source else empty, (0, 0, h, w)))
        text = copy_text(spec, step)
        where = "" if self.part.size == (h, w) and not self.part.cuts(plane(spec)) else ", the part drawn"
        sums = (f"y[{step}] = x[{source}]{where}",)
        return Step(0, reads, self.advance(step), text, sums, (step,), trail=tuple(range(step)))


class ChannelGradPlayback:
    """Steps of a ChannelShuffle's backward pass: dx channel ``step`` copies the dy channel its
    input channel went to, into its own place in the dx column (in that dy channel's group)."""

    def __init__(self, spec, dy: np.ndarray) -> None:
        self.spec, self.dy = spec, dy
        self.destination = {int(s): j for j, s in enumerate(spec.sources)}

    def advance(self, step: int) -> list[Writes]:
        j = self.destination[step]
        h, w = self.dy.shape[1:]
        return [Writes(step, np.arange(h), np.arange(w), self.dy[j], (0, 0, h, w))]

    def show(self, step: int) -> Step:
        j = self.destination[step]
        h, w = self.dy.shape[1:]
        cells = np.array([[j, y, x] for y in range(h) for x in range(w)], dtype=np.int64)
        empty = np.zeros((0, 3), dtype=np.int64)
        reads = LazyReads(lambda g: Reads(cells if g == j else empty, (0, 0, h, w)))
        text = copy_back_text(self.spec, step, j)
        return Step(0, reads, self.advance(step), text, (f"dx[{step}] = dy[{j}]",), (step,), trail=tuple(range(step)))


def too_many_channels(spec, most: int) -> str:
    """Why a ChannelShuffle of more than ``most`` channels is not drawn, and what would be: the
    most channels, ``most`` or fewer, that its groups divide in two or more each (fewer would
    leave every channel where it is), else that none exist and which fewer groups draw."""
    c, g = spec.in_channels, spec.groups
    why = (
        f"input_shape={spec.input_shape} has {c} channels: ChannelShuffle is drawn for up to {most} "
        "(one step a channel, every channel shown); "
    )
    fit = most // g * g
    if g == 1:
        advice = f"groups=1 leaves every channel where it is, at {most} channels too"
    elif fit >= 2 * g:
        advice = f"{fit} channels in the same {g} groups shuffle by the same rule"
    else:
        fewer = [n for n in range(2, g) if most // n >= 2]
        names = " or ".join(map(str, fewer[-2:]))
        advice = (
            f"no {most} channels or fewer shuffle in {g} groups (each group needs 2 or more, or nothing "
            f"moves); with fewer groups, such as groups={names}, {most // fewer[-1] * fewer[-1]} channels do"
        )
    return f"{why}{advice} (`convgif info` and `convgif.record` take any)"


def copy_text(spec, step: int, count: Count = ALONE) -> str:
    """The step line of a ChannelShuffle's output channel ``step`` (``count``: where its steps
    stand among those of every depth slice of a 3-D input)."""
    source, per = int(spec.sources[step]), spec.in_channels // spec.groups
    counted, total = count.at(step, spec.in_channels)
    return (
        f"output channel {step} copies input channel {source} · group {source // per}, its channel "
        f"{source % per} · step {counted + 1}/{total}"
    )


def copy_back_text(spec, step: int, j: int, count: Count = ALONE) -> str:
    """The step line of a ChannelShuffle's backward step ``step``: dx channel ``step`` copies dy's
    channel ``j``."""
    counted, total = count.at(step, spec.in_channels)
    return f"dx[{step}] copies dy[{j}] · step {counted + 1}/{total}"


def shuffle_step_text(up: bool, y: int, x: int, r: int, step: int, steps: int, part: bool) -> str:
    """The step line of a PixelShuffle (``up``: input (y, x) to its output block) or a
    PixelUnshuffle (output (y, x) from its input block), the step among the ``steps`` drawn
    (``of this part`` when the output is cut or some channels are left out)."""
    rows, cols = _span(y * r, y * r + r), _span(x * r, x * r + r)
    where = f"input ({y}, {x}) to output" if up else f"output ({y}, {x}) from input"
    return f"{where} rows {rows}, columns {cols} · step {step + 1}/{steps}{' of this part' if part else ''}"


def _span(start: int, stop: int) -> str:
    return str(start) if stop - start == 1 else f"{start}–{stop - 1}"


def _block(values: np.ndarray) -> str:
    """A block's values row by row: ``3 1 / 4 1``."""
    return " / ".join(" ".join(format_value(v) for v in row) for row in values)
