"""Calls that read their input along one axis (or a few), each of the others cell by cell:
sorting (``sort``, ``argsort``, ``topk``), running totals (``cumsum``, ``cumprod``, ``cummax``,
``cummin``, ``logcumsumexp``), differences (``diff``), reorderings (``flip``, ``roll``),
repetitions (``repeat``, ``tile``, ``repeat_interleave``) and pieces (``narrow``, ``chunk``,
``split``, ``tensor_split``).

Each output cell reads what torch's gradient can reach: where that depends on the values (a
sorted cell's gradient goes to the one cell that landed there, a running maximum's to the
largest so far), the cells that can land there, as for a maximum over a dim (see
:data:`.reach.REDUCTIONS`): the whole axis for a sort, every cell up to its own for a running maximum.
Along the channels, every spatial cell reads its own cell (channels are taken together).
"""

from __future__ import annotations

from fractions import Fraction
from functools import partial
from typing import Any, Callable, Optional, Sequence

from .axes import Axis, Reach, Unknown, divided, everything, gather, normal, ruled, same, window

#: The arguments of these calls torch writes in C++, by position as torch documents them.
ARGUMENTS = {
    "sort": "input, dim=-1, descending=False",
    "argsort": "input, dim=-1, descending=False",
    "msort": "input",
    "topk": "input, k, dim=-1, largest=True, sorted=True",
    **{name: "input, dim" for name in ("cumsum", "cumprod", "cummax", "cummin", "logcumsumexp")},
    "diff": "input, n=1, dim=-1, prepend=None, append=None",
    "flip": "input, dims",
    "fliplr": "input",
    "flipud": "input",
    "roll": "input, shifts, dims=None",
    "tile": "input, dims",
    "repeat_interleave": "input, repeats, dim=None, output_size=None",
    "narrow": "input, dim, start, length",
    "chunk": "input, chunks, dim=0",
    "tensor_split": "input, indices_or_sections, dim=0",
    "split_with_sizes": "input, split_sizes, dim=0",
}

#: Calls that cut their input into pieces along ``dim``, one after the other (names as
#: :func:`~.reach.normal` writes them): each piece is traced as a call of its own.
PIECES = frozenset("chunk split tensorsplit splitwithsizes".split())

#: Why a call along the batch axis is not followed.
BATCH = "it runs along the batch axis: one sample's result depends on the others'"


class Merged(ValueError):
    """A dim that holds several of the network's axes (``flatten`` merged them): the call moves
    cells across them, which no axis-by-axis reading tells."""


def _dim(value: Any, rank: int) -> int:
    if isinstance(value, (tuple, list)):
        raise Merged(", ".join(str(int(v)) for v in value))
    return int(value) + rank if int(value) < 0 else int(value)


def _dims(value: Any, rank: int) -> set[int]:
    """A dim or dims, an axis holding several of the network's axes as all of them."""
    values = value if isinstance(value, (tuple, list)) else (value,)
    return {_dim(v, rank) for part in values for v in (part if isinstance(part, (tuple, list)) else (part,))}


def _axes(sizes: list, out: tuple, made: dict[int, Callable[[int, int], Axis]]) -> list[Reach]:
    """Each spatial axis ``a`` (batch first: ``a + 2``) as ``made[a + 2](n, m)`` says, any other
    cell by cell; not followed when one of them is the batch axis."""
    if 0 in made:
        return [Unknown(BATCH)]
    return [tuple(made[a + 2](n, m) if a + 2 in made else same(n, m) for a, (n, m) in enumerate(zip(sizes[0], out)))]


def _prefix(o: int) -> list[int]:
    return list(range(0, max(o, 0) + 1))


def _flipped(size: int, o: int) -> list[int]:
    return [size - 1 - o]


def _whole(n: int, m: int) -> Axis:
    return everything(n, m)


def _running(n: int, m: int) -> Axis:
    """A running total: output ``o`` reads every cell up to its own; every field starts where
    the first cell's does. Past the ends (a later layer's padding reads them), a cell past the
    end reads every cell up to it, as a larger input would make it, and a cell before the start
    the first cell, the total carried back unchanged (as a replicate padding would)."""
    return ruled(_prefix, n, m, 1)


def _sorted(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    """``sort``, ``argsort``, ``topk``: every cell of the sorted axis can land on any output cell
    (of every axis it holds, when ``flatten`` merged several)."""
    rank = len(out) + 2
    if normal(name) == "msort":
        return [Unknown(BATCH)]
    return _axes(sizes, out, {d: _whole for d in _dims(arguments.get("dim", -1), rank)})


def _cumulative(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    return _axes(sizes, out, {_dim(arguments["dim"], len(out) + 2): _running})


def _diff(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    """``diff`` of order ``n``: output ``o`` reads cells ``o`` to ``o + n``."""
    if arguments.get("prepend") is not None or arguments.get("append") is not None:
        return [Unknown(f"{name} with prepend or append: convgif follows diff of the tensor alone")]
    order = int(arguments.get("n", 1))
    return _axes(sizes, out, {_dim(arguments.get("dim", -1), len(out) + 2): partial(_window, order + 1, 0)})


def _window(kernel: int, start: int, n: int, m: int) -> Axis:
    return window(n, m, kernel, 1, -start)


def _flip(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    rank = len(out) + 2
    dims = {"fliplr": (1,), "flipud": (0,)}.get(normal(name), arguments.get("dims"))
    dims = dims if isinstance(dims, (tuple, list)) else (dims,)
    return _axes(sizes, out, {d: _mirror for d in _dims(dims, rank)})  # merged axes reversed: each of them


def _mirror(n: int, m: int) -> Axis:
    """The axis reversed: each next output cell reads the cell before (its jump is negative)."""
    return ruled(partial(_flipped, n), n, m, -1)


def _roll(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    dims, shifts = arguments.get("dims"), arguments["shifts"]
    if dims is None or dims in ((), []):
        return [Unknown(f"{name} without dims rolls the flattened tensor: its cells move across the axes")]
    dims = dims if isinstance(dims, (tuple, list)) else (dims,)
    shifts = shifts if isinstance(shifts, (tuple, list)) else (shifts,)
    rank, total = len(out) + 2, {}
    for d, s in zip(dims, shifts):  # an axis named twice is rolled by both shifts
        total[_dim(d, rank)] = total.get(_dim(d, rank), 0) + int(s)
    return _axes(sizes, out, {d: partial(_rolled, s) for d, s in total.items()})


def _rolled(shift: int, n: int, m: int) -> Axis:
    return gather(n, [[(o - shift) % n] for o in range(m)])


def _repeat(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    """``repeat`` and ``tile``: the axis laid out again and again (``o % n``)."""
    return _axes(sizes, out, {a + 2: _again for a, (n, m) in enumerate(zip(sizes[0], out)) if n != m})


def _again(n: int, m: int) -> Axis:
    return gather(n, [[o % n] for o in range(m)])


def _interleave(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    """``repeat_interleave``: each cell repeated in place (``o // repeats``), as a nearest upsampling."""
    repeats, dim = arguments.get("repeats"), arguments.get("dim")
    if dim is None or not isinstance(repeats, int):
        why = "without dim it flattens the tensor" if dim is None else "its repeats differ from cell to cell"
        return [Unknown(f"{name}: {why}")]
    return _axes(sizes, out, {_dim(dim, len(out) + 2): partial(_spread, repeats)})


def _spread(factor: int, n: int, m: int) -> Axis:
    return ruled(partial(divided, factor), n, m, Fraction(1, factor))


def _piece(arguments: dict, sizes: list, out: tuple, name: str) -> list[Reach]:
    """One piece along ``dim``: output ``o`` reads cell ``start + o`` (``narrow``; a piece of a
    ``chunk`` or ``split``, its start given by :func:`pieces`)."""
    if "start" not in arguments:
        return [Unknown(f"convgif does not know where the pieces of {name} start")]
    return _axes(sizes, out, {_dim(arguments["dim"], len(out) + 2): partial(_from, int(arguments["start"]))})


def _from(start: int, n: int, m: int) -> Axis:
    return window(n, m, 1, 1, -(start % n))  # a start below 0 counts from the end


def pieces(name: str, arguments: dict[str, Any], outputs: Sequence[tuple[int, ...]]) -> Optional[list[dict]]:
    """The arguments of each piece of a call that cuts its input into ``outputs`` (their shapes,
    batch first) along ``dim``, one after the other: ``dim`` and where each ``start``s, for
    :func:`_piece` (``unbind``: the ``index`` of each, as ``select`` takes it); None for any
    other call."""
    if normal(name) not in PIECES | {"unbind"} or "dim" not in arguments or not outputs:
        return None
    try:
        dim = _dim(arguments["dim"], len(outputs[0]) + (normal(name) == "unbind"))
    except (TypeError, ValueError):  # a dim convgif cannot read (a named dim): the call as a whole
        return None
    if normal(name) == "unbind":  # each piece the tensor at one index along dim
        return [{**arguments, "dim": dim, "index": index} for index in range(len(outputs))]
    starts, start = [], 0
    for shape in outputs:
        starts.append({**arguments, "dim": dim, "start": start, "length": shape[dim]})
        start += shape[dim]
    return starts


RULES: dict[str, Callable[[dict, list, tuple, str], list[Reach]]] = {
    **{name: _sorted for name in ("sort", "argsort", "msort", "topk")},
    **{name: _cumulative for name in ("cumsum", "cumprod", "cummax", "cummin", "logcumsumexp")},
    "diff": _diff,
    **{name: _flip for name in ("flip", "fliplr", "flipud")},
    "roll": _roll,
    "repeat": _repeat,
    "tile": _repeat,
    "repeatinterleave": _interleave,
    **{name: _piece for name in PIECES | {"narrow"}},
}
