"""A network as convgif sees it: the calls one forward pass made, the tensors between them, and
one row per layer for the table.

Built by :mod:`.trace` (a torch model run on one input) or by :mod:`.text` (the lines
``print(model)`` shows for an ``nn.Sequential``, without torch); everything after that, the
receptive fields, the table, the drawings and the pages, reads only this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Union

import numpy as np

from .reach import GLOBAL, Field, Jump, Reach, Unknown, back


@dataclass
class Call:
    """One call of a forward pass: a torch function (or, from a text, a layer), the
    activation tensors it read and made, and how it reads each input (:mod:`.reach`)."""

    name: str
    module: str
    inputs: list[int]
    outputs: list[int]
    reach: list[Reach]
    #: The row that stands for this call in the table, if any (its own layer's row)
    row: Optional[str] = None


@dataclass
class Row:
    """A line of the table: a module as ``named_modules()`` names it (or a functional call of
    a layer kind convgif draws), what it does to the shape, what it costs and what is drawn."""

    name: str
    cls: str
    depth: int
    input_shape: Optional[tuple[int, ...]] = None
    output_shape: Optional[tuple[int, ...]] = None
    output: Optional[int] = None  # the tensor it made (for its receptive field)
    #: The tensor each call made, for a module called more than once (its first: ``output``)
    outputs: list[int] = field(default_factory=list)
    #: The receptive field at each call's output, as ``field`` gives the first's
    call_fields: list = field(default_factory=list)
    parameters: int = 0
    macs: int = 0
    #: torchinfo's count of the row's own parameters' uses (leaf modules only; see :func:`mult_adds`)
    mult_adds: int = 0
    #: What of ``mult_adds`` differs from ``macs``, by cause (see :func:`.trace.mult_adds_parts`)
    mult_adds_parts: dict[str, int] = field(default_factory=dict)
    leaf: bool = True
    calls: int = 0
    #: What convgif draws: the spec, and the values (``weight``, ``bias``, ``input``) it is drawn with
    spec: Any = None
    values: dict[str, Any] = field(default_factory=dict)
    #: Why the row has no animation (None for a drawn row)
    reason: Optional[str] = None
    #: The receptive field at the row's output: per axis (size, jump, start), or text saying why not
    field: Union[list, str, None] = None
    #: Whether every cell of the row's output (more than one) sees every cell of the input
    whole: bool = False
    #: The layer with its arguments as ``print(model)`` shows it (``Conv2d(3, 64, kernel_size=(3,
    #: 3), ...)``), or a functional call's (``F.max_pool2d(kernel_size=3, ...)``); None if unknown
    printed: Optional[str] = None

    @property
    def heading(self) -> str:
        """The row's name and what it is: ``features.0 · Conv2d(3, 64, kernel_size=(3, 3), ...)``."""
        return f"{self.name} · {self.printed or self.cls}"


@dataclass
class Graph:
    """The tensors (one sample's shapes in the network's axes; tensor 0 is the network's input),
    the calls in the order they ran, and the table's rows in the order the modules were first
    called."""

    shapes: list[tuple[int, ...]]
    calls: list[Call]
    rows: list[Row]
    producer: dict[int, int] = field(default_factory=dict)  # tensor -> index of the call that made it
    notes: list[str] = field(default_factory=list)
    #: The own shape of a tensor a reduction left without some axes, which ``shapes`` keeps as
    #: axes of one cell (see :mod:`.layout`)
    own: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for index, call in enumerate(self.calls):
            for tensor in call.outputs:
                self.producer[tensor] = index

    @property
    def input_shape(self) -> tuple[int, ...]:
        return self.shapes[0]

    def fields(self) -> dict[int, Union[Field, str]]:
        """The receptive field of every tensor: a :class:`Field`, ``"global"`` (every input
        cell), or the reason it cannot be told."""
        found: dict[int, Union[Field, str]] = {0: Field.of_input(self.shapes[0][1:])}
        for call in self.calls:
            result: Union[Field, str, None] = None
            for tensor, reach in zip(call.inputs, call.reach):
                before = found.get(tensor, "reads a tensor not made from the input")
                if isinstance(before, str) and before != GLOBAL:  # the first call not followed names the reason
                    now: Union[Field, str] = before
                elif isinstance(reach, Unknown):
                    now = f"{call.name}: {reach.reason}"
                elif isinstance(before, str):
                    now = before
                elif reach == GLOBAL or len(self.shapes[call.outputs[0]]) < 2:
                    now = GLOBAL
                else:
                    now = before.through(reach)
                result = _join(result, now)
            for tensor in call.outputs:
                if result is not None:
                    found[tensor] = result
        return found

    def support(self, tensor: int, cell: tuple[int, ...]) -> tuple[dict[int, np.ndarray], Optional[str]]:
        """The cells of every tensor that output ``cell`` of ``tensor`` depends on (channels
        together), back to the input: masks by tensor, and why they stop short, if they do."""
        masks = {tensor: np.zeros(self.shapes[tensor][1:], dtype=bool)}
        masks[tensor][cell] = True
        stopped = None
        for call in reversed(self.calls):
            first = self.shapes[call.outputs[0]][1:]
            wanted = [masks[t] for t in call.outputs if t in masks and self.shapes[t][1:] == first]
            if not wanted:
                continue
            mask = np.logical_or.reduce(wanted)
            for source, reach in zip(call.inputs, call.reach):
                if isinstance(reach, Unknown):
                    stopped = stopped or f"{call.row or call.name}: {reach.reason}"
                    continue
                shape = self.shapes[source][1:]
                read = np.ones(shape, dtype=bool) if reach == GLOBAL else back(mask, reach)
                masks[source] = masks[source] | read if source in masks else read
        return masks, stopped


def _join(a: Union[Field, str, None], b: Union[Field, str]) -> Union[Field, str]:
    """Two branches' fields together: the union, ``"global"`` over a field, a reason over both."""
    if a is None:
        return b
    if isinstance(a, str) and a != GLOBAL:
        return a
    if isinstance(b, str) and b != GLOBAL:
        return b
    if a == GLOBAL or b == GLOBAL:
        return GLOBAL
    return a.union(b)  # type: ignore[union-attr]


def figures_text(figures: Union[list, str, None], axes: int, whole: bool = False) -> str:
    """A receptive field for the table: ``7×7 · jump 2×2 · start −3,−3``; when every cell sees
    the whole input (``whole``), said first."""
    if figures is None:
        return ""
    if isinstance(figures, str):
        return "the whole input" if figures == GLOBAL else f"not followed: {figures}"
    if any(f is None for f in figures):
        return "sees no input cell"
    if whole:
        return "every cell sees the whole input · " + figures_text(figures, axes)
    size = "×".join(str(f[0]) for f in figures)
    jump = "×".join(str(f[1]).replace("-", "\u2212") for f in figures)
    start = ",".join(_number(f[2]) for f in figures)
    return f"{size} · jump {jump}{_uneven([f[1] for f in figures])} · start {start}"


def _uneven(jumps: list) -> str:
    """How neighbouring fields move along the axes where they move unevenly (see :class:`Jump`):
    `` (uneven: starts move 2, 0, 2, 0, …)``, per axis when the axes differ."""
    if not any(isinstance(j, Jump) for j in jumps):
        return ""

    def moves(jump: Any) -> str:
        if not isinstance(jump, Jump):
            return "evenly"
        if jump.moves is None:
            return "unevenly"
        listed = ", ".join(_number(m) for m in (jump.moves * 2 if jump.repeats else jump.moves))
        return listed + (", …" if jump.repeats else "")

    said = [moves(j) for j in jumps]
    if len(set(said)) == 1:
        return f" (uneven: starts move {said[0]})" if said[0] != "unevenly" else " (uneven)"
    names = _AXES.get(len(jumps), [f"axis {a}" for a in range(len(jumps))])
    return " (uneven: starts move " + "; ".join(f"{name} {text}" for name, text in zip(names, said)) + ")"


_AXES = {2: ["rows", "columns"], 3: ["depth", "rows", "columns"]}


def _number(value: float) -> str:
    text = f"{value:g}"
    return text.replace("-", "\u2212")
