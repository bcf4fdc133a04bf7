"""Calls that regroup a traced tensor's axes, each cell kept where it was in the network's axes
or picked: reshapes that merge or split axes (``flatten``, ``unflatten``, ``view``,
``reshape``, ``squeeze``, ``unsqueeze``), indexing with integers as well as slices
(``x[:, 0]``, ``x[..., 3]``, ``select``, ``unbind``) and ``torch.stack``; then the calls that
multiply tensors along shared axes (:mod:`.contract`), and any other call as :mod:`.layout`
plans it.

A reshape keeps every cell in row-major order, so the network's axes of the tensor, read row by
row, are cut into the new axes: an axis made of whole spatial axes holds them (``flatten(2)``:
the positions), an axis made of channels holds channels (``view(n, heads, d, h, w)``), and
the cells stay where they were (each call after it is followed as :mod:`.layout` says). A
reshape that cuts a spatial axis into pieces (patches on axes of their own) or merges it with
the channels is not followed, but for one that leaves no spatial axis: a vector, which reads
every cell (``flatten(1)``, as a reduction to a vector does).
"""

from __future__ import annotations

import math
from typing import Any, Optional, Union

import numpy as np

from . import contract, layout
from .layout import Layout, Plan, arranged, given_back
from .reach import CONTRACTIONS, normal

#: Calls that give a tensor other dimensions, its cells in the same order.
RESHAPES = frozenset("view reshape flatten unflatten squeeze unsqueeze viewas reshapeas".split())
#: Calls that pick cells by index (``unbind``: each piece, as :func:`.along.pieces` cuts it).
INDEXING = frozenset("getitem select unbind".split())

#: Why a slice of positions is not followed.
_POSITIONS = (
    "it slices an axis that holds several of the input's axes (merged by flatten or view): convgif follows one "
    "position or all of them"
)


def plan(
    name: str,
    arguments: dict[str, Any],
    inputs: list[Layout],
    output: tuple[int, ...],
    operands: Optional[list[contract.Operand]] = None,
) -> Plan:
    """How a call reads tensors laid out as ``inputs`` to make a tensor of shape ``output``
    (batch first); ``operands``: every tensor it was given, for a product (:mod:`.contract`)."""
    key, own = normal(name), output[1:]
    single = len(inputs) == 1 and len(inputs[0].shape) > 1  # one tensor on the network's axes
    if key in CONTRACTIONS and inputs:
        return contract.plan(name, arguments, inputs, own, operands or [])
    if key in INDEXING and single:
        return _indexed(name, arguments, inputs[0], own)
    if key == "stack" and inputs:
        return _stacked(name, arguments, inputs, own)
    if key in RESHAPES and single:
        return _reshaped(name, arguments, inputs[0], own)
    return layout.plan(name, arguments, inputs, output)


def _reshaped(name: str, arguments: dict, source: Layout, own: tuple[int, ...]) -> Plan:
    """A reshape: some reduced axes given back (the cells where they were); else the network's
    axes the new axes hold (:func:`_cut`); a vector when it leaves none of the spatial axes."""
    if math.prod(own) != math.prod(source.own()):
        return Plan(
            name, arguments, Layout(own), "it reshapes the batch axis too: one sample's cells mix with the others'"
        )
    back = given_back(source, own)
    if back is not None:
        return Plan("identity", {}, back)
    if source.missing and source.order is None and source.parts is None and _ones(source.own()) == _ones(own):
        return layout.plan(name, arguments, [source], (1, *own))  # the reduced axes put back elsewhere: said so
    cut = _cut(source, own)
    if isinstance(cut, Layout):
        return Plan("identity", {}, cut)
    if cut is None:
        return Plan(name, arguments, Layout(own))
    return Plan(name, arguments, Layout(own), cut)


def _ones(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(n for n in shape if n != 1)


def _atoms(source: Layout) -> list[tuple[int, int]]:
    """The network's axes of a tensor as its cells run (row by row): (axis, size), the channels
    of neighbouring axes as one, axes of one cell left out."""
    atoms: list[tuple[int, int]] = []
    for group, n in zip(source.groups()[1:], source.own()):
        for axis, size in [(1, n)] if group == (1,) else [(a, source.shape[a - 1]) for a in group]:
            if size == 1:
                continue
            if atoms and axis == 1 and atoms[-1][0] == 1:
                atoms[-1] = (1, atoms[-1][1] * size)
            else:
                atoms.append((axis, size))
    return atoms


def _cut(source: Layout, own: tuple[int, ...]) -> Union[Layout, str, None]:
    """The layout of ``source`` reshaped to ``own``: each new axis a share of the channels or
    whole spatial axes (:func:`_filled` places the axes of one cell); the reason it cannot be,
    or None for a vector (one axis, or none of the spatial axes the source held)."""
    atoms, groups, at = _atoms(source), [], 0
    for size in own:
        if size == 1:
            groups.append(None)
            continue
        axis, n = atoms[at] if at < len(atoms) else (1, 1)
        if axis == 1:
            if n % size:
                return None if len(own) == 1 else _CUT
            groups.append((1,))
            atoms[at] = (1, n // size)
            at += n == size
            continue
        held, product = [], 1
        while at < len(atoms) and atoms[at][0] != 1 and product * atoms[at][1] <= size:
            product *= atoms[at][1]
            held.append(atoms[at][0])
            at += 1
        if product != size:
            cut = at < len(atoms) and atoms[at][0] != 1
            return None if len(own) == 1 else _cut_axis(atoms[at][0]) if cut else _CUT
        groups.append(tuple(held))
    layout = _filled(source, groups, own)
    if _spatial(source) and not _spatial(layout):
        return None
    return layout


def _spatial(layout: Layout) -> bool:
    """Whether the tensor has an own axis holding some of the network's spatial axes."""
    return any(group != (1,) for group in layout.groups()[1:])


#: Why a reshape that merges channels with positions is not followed.
_CUT = "it merges the channels with the positions: convgif follows reshapes that keep them apart"


def _cut_axis(axis: int) -> str:
    """Why a reshape that cuts the network's axis ``axis`` (a spatial one) is not followed."""
    why = (
        f"it cuts dim {axis} of the input (a spatial axis) into pieces, or merges it with the channels: convgif "
        "follows reshapes that keep each spatial axis whole"
    )
    return why


def _filled(source: Layout, groups: list, own: tuple[int, ...]) -> Layout:
    """``groups`` with each axis of one cell (None) a missing axis of the network given back,
    when that leaves every axis in the network's order; else an axis of the channels."""
    held = {a for g in groups if g is not None for a in g}
    missing = [a for a in range(1, len(source.shape) + 1) if a not in held]
    free = [j for j, g in enumerate(groups) if g is None]
    if len(free) == len(missing):
        given = list(groups)
        for j, a in zip(free, missing):
            given[j] = (a,)
        if [g[0] for g in given] == sorted(a for g in given for a in g):
            groups = given
    groups = [(1,) if g is None else g for g in groups]
    return arranged(source.shape, groups, own)


def _indexed(name: str, arguments: dict, source: Layout, own: tuple[int, ...]) -> Plan:
    """``x[index]``, ``select`` and each piece of ``unbind``: an integer picks one cell of an
    axis (of each spatial axis it holds: ``t[:, 5]`` of positions ``flatten`` made), which the
    output lacks; a slice keeps some cells of an axis (all of an axis holding several); ``None``
    adds an axis of one cell, giving back a missing one where it can."""
    index = _index(normal(name), arguments, len(source.groups()))
    said = arguments.get("index", index)
    if index is None or not all(p is None or isinstance(p, slice) or _integer(p) for p in index):
        return Plan(name, arguments, Layout(own), _unread(said))
    if all(p is None or p == slice(None) for p in index):
        back = given_back(source, own)
        if back is not None:
            return Plan("identity", {}, back)
    groups, sizes, picked, axis = [], [], {}, 0
    for part in index:
        if part is None:
            groups.append(None)
            sizes.append(1)
            continue
        group, n = source.groups()[axis], (1, *source.own())[axis]
        axis += 1
        if group == (0,):
            if part != slice(None):
                return Plan(name, arguments, Layout(own), _unread(said))
            continue
        if _integer(part):
            if group != (1,):
                cells = np.unravel_index(int(part) % n, [source.shape[a - 1] for a in group])
                picked.update({a: slice(int(c), int(c) + 1) for a, c in zip(group, cells)})
            continue
        cells = range(n)[part]
        if len(group) == 1 and group != (1,):
            picked[group[0]] = part
        elif group != (1,) and cells != range(n):
            return Plan(name, arguments, Layout(own), _POSITIONS)
        groups.append(group)
        sizes.append(len(cells))
    result = _filled(source, groups, tuple(sizes))
    if result.own() != own:
        return Plan(name, arguments, Layout(own), "its arguments could not be read")
    network = (slice(None), slice(None), *(picked.get(a, slice(None)) for a in range(2, len(source.shape) + 1)))
    return Plan("getitem", {"index": network}, result)


def _unread(index: Any) -> str:
    why = f"indexing with {index!r}: convgif follows integers and slices of the batch-first tensor"
    return why


def _integer(part: Any) -> bool:
    return isinstance(part, (int, np.integer)) and not isinstance(part, bool)


def _index(key: str, arguments: dict, rank: int) -> Optional[tuple]:
    """The index as one part per axis (batch first; ``None`` adding an axis), the ellipsis and
    the axes after the last part filled in; None when it cannot be read so."""
    if key != "getitem":
        dim = int(arguments["dim"]) % rank
        return (slice(None),) * dim + (int(arguments["index"]),) + (slice(None),) * (rank - dim - 1)
    index = arguments.get("index")
    parts = list(index) if isinstance(index, tuple) else [index]
    taken = sum(1 for part in parts if part is not None and part is not Ellipsis)
    dots = [k for k, part in enumerate(parts) if part is Ellipsis]
    if len(dots) > 1 or taken > rank:
        return None
    fill = [slice(None)] * (rank - taken)
    parts = parts[: dots[0]] + fill + parts[dots[0] + 1 :] if dots else parts + fill
    return tuple(parts)


def stacked(
    name: str, arguments: dict, operands: list[contract.Operand], inputs: list[int], rank: int
) -> Optional[tuple[list[Optional[int]], int]]:
    """For ``torch.stack`` (its output ``rank`` axes, batch first): the tensors it stacks, as
    ``inputs`` names them (None: one not made from the input), and its dim; None for any other."""
    if normal(name) != "stack" or not operands:
        return None
    tensors = [inputs[place] if place is not None else None for given, _, place in operands if given == "tensors"]
    return tensors, int(arguments.get("dim", 0)) % rank


def unstacked(name: str, arguments: dict, rank: int, dim: int, count: int) -> Optional[tuple[int, tuple]]:
    """For an index (``s[:, :, 1]``, ``select``, a piece of ``unbind``) of a tensor ``torch.stack``
    made of ``count`` tensors along ``dim`` (its own axes ``rank``, batch first) that picks one of
    them: which, and the index of the rest, to read that tensor itself (the stacked axis holds
    them together, as channels: its fields would be all of theirs); None for any other."""
    if normal(name) not in INDEXING:
        return None
    index = _index(normal(name), arguments, rank)
    if index is None:
        return None
    axes = [k for k, part in enumerate(index) if part is not None]
    if len(axes) != rank or not _integer(index[axes[dim]]):
        return None
    at = axes[dim]
    return int(index[at]) % count, index[:at] + index[at + 1 :]


def _stacked(name: str, arguments: dict, inputs: list[Layout], own: tuple[int, ...]) -> Plan:
    """``torch.stack``: the new axis holds the tensors together, as channels (each output cell
    reads the same cell of each); along the batch axis, not followed."""
    rank = len(own) + 1
    dim = int(arguments.get("dim", 0)) % rank
    if dim == 0:
        return Plan(name, arguments, Layout(own), f"{name} along the batch axis")
    first = inputs[0]
    if any(other != first for other in inputs):
        return Plan(name, arguments, Layout(own), "it stacks tensors whose axes are laid out differently")
    groups, sizes = first.groups()[1:], list(first.own())
    groups.insert(dim - 1, (1,))
    sizes.insert(dim - 1, own[dim - 1])
    stacked = arranged(first.shape, groups, sizes)
    if stacked.own() != own:
        return Plan(name, arguments, Layout(own), "its arguments could not be read")
    return Plan("identity", {}, stacked)
