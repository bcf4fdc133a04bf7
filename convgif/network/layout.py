"""Reductions over some axes of a traced tensor (``x.std(1, keepdim=True)``, ``x.max(dim=-1)``,
``torch.norm(x, dim=(2, 3))``, ...), and the tensors they leave without some axes.

Receptive fields are told per axis of the network's input, so every tensor of a traced network
is kept in the network's axes (channels, then the input's spatial axes). A reduction without
``keepdim`` drops the axes it reduces: its output is kept with them as axes of one cell, and the
axes it lacks are remembered (:class:`Layout`), so that a later call can be followed when it
reads that tensor as the network's axes would: cell by cell (``torch.sigmoid(x.amax(1))``),
broadcast where torch aligns the tensor's axes with the network's (``y * x.mean(1)``: trailing
axes first), or given its axes back (``x.amax(1).unsqueeze(1)``, ``.view(n, 1, h, w)``,
``[:, None]``). A reduction that leaves no spatial axis makes a vector, which reads every cell.

A reshape, a stack, an index or an einsum may also regroup the axes (:mod:`.regroup`,
:mod:`.contract`): one of the tensor's own axes may hold several of the network's spatial axes
(``x.flatten(2)``: the positions, row by row), or a share of the channels (``view(n, heads, d,
h * w)``; a stacked axis), kept as :attr:`Layout.parts`; a call along such an axis is followed
where it reads the whole axis or cell by cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Optional, Sequence

from .reach import POINTWISE, REDUCTIONS, normal

#: The arguments of the reductions and softmaxes torch writes in C++, by position as torch documents them
#: (``x.std(1, True)`` is ``dim=1, unbiased=True``; ``torch.max(x, 1, True)`` keeps the axis).
ARGUMENTS = {
    **{name: "input, dim=None, keepdim=False" for name in ("mean", "sum", "nanmean", "nansum", "amax", "amin")},
    **{name: "input, dim=None, keepdim=False" for name in ("max", "min", "argmax", "argmin", "prod")},
    **{name: "input, dim=None, unbiased=True, keepdim=False" for name in ("std", "var", "std_mean", "var_mean")},
    "logsumexp": "input, dim, keepdim=False",
    "permute": "input, dims",
    **{name: "input, dim0, dim1" for name in ("transpose", "swapdims")},
    "swapaxes": "input, axis0, axis1",
    **{name: "input, source, destination" for name in ("movedim", "moveaxis")},
    **{name: "input, dim=None, keepdim=False" for name in ("median", "nanmedian", "aminmax", "any", "all")},
    "mode": "input, dim=-1, keepdim=False",
    "kthvalue": "input, k, dim=-1, keepdim=False",
    **{name: "input, q, dim=None, keepdim=False" for name in ("quantile", "nanquantile")},
    "count_nonzero": "input, dim=None",
    "linalg_vector_norm": "input, ord=2, dim=None, keepdim=False",
    "linalg_norm": "input, ord=None, dim=None, keepdim=False",
    **{name: "input, dim=None" for name in ("softmax", "log_softmax", "softmin")},
}

#: Calls that move axes to other places, every cell kept (``x.permute(0, 2, 3, 1)``).
MOVES = frozenset("permute transpose swapaxes swapdims movedim moveaxis".split())

#: Calls that read the last axes of a tensor: a layer norm or RMS norm over ``normalized_shape``,
#: a linear layer over its last axis.
LAST_AXES = frozenset("layernorm rmsnorm linear".split())

#: Why a call reading a tensor whose axes were moved is not followed.
MOVED = (
    "the tensor it reads had its axes moved (permute, transpose); convgif follows such a tensor cell by cell, "
    "along an axis, by a layer norm or linear layer over its last axes, and once its axes are put back"
)

#: Why a call reading a tensor whose axes were regrouped is not followed.
REGROUPED = (
    "the tensor it reads had its axes regrouped (flatten, view, stack, einsum); convgif follows such a tensor cell "
    "by cell, along a dim, by a layer norm or linear layer over its last axes, by einsum or matmul, and once view "
    "or reshape gives the input's axes back"
)

#: Why a reduction of the batch axis is not followed.
BATCH = "it reduces the batch axis too (as dim=None does): one sample's result depends on the others'"


@dataclass(frozen=True)
class Layout:
    """A tensor in the network's axes: its shape (one sample: channels, then spatial), the axes
    it lacks (counted from the batch axis, 0), kept in ``shape`` as axes of one cell, and, when
    ``permute`` or ``transpose`` moved its axes, the network's axis each of its own axes past the
    batch stands for (``order``; None: the network's order)."""

    shape: tuple[int, ...]
    missing: frozenset = frozenset()
    order: Optional[tuple[int, ...]] = None
    #: When its axes were regrouped: per own axis past the batch, the network's axes it holds, row
    #: by row (``(2, 3)``: the positions ``flatten(2)`` made; ``(1,)``: some of the channels, or a
    #: stacked axis), and the own axes' sizes (None: each own axis is one network axis)
    parts: Optional[tuple[tuple[int, ...], ...]] = None
    sizes: Optional[tuple[int, ...]] = None

    def axes(self) -> list[int]:
        """The network's axis of each of the tensor's own axes, batch first (the first it holds)."""
        if self.parts is not None:
            return [0, *(part[0] for part in self.parts)]
        if self.order is not None:
            return [0, *self.order]
        return [a for a in range(len(self.shape) + 1) if a not in self.missing]

    def groups(self) -> list[tuple[int, ...]]:
        """The network's axes each of the tensor's own axes holds, batch first."""
        if self.parts is not None:
            return [(0,), *self.parts]
        return [(a,) for a in self.axes()]

    def own(self) -> tuple[int, ...]:
        """The tensor's own shape (one sample)."""
        if self.sizes is not None:
            return self.sizes
        return tuple(self.shape[a - 1] for a in self.axes()[1:])

    def plain(self) -> Layout:
        """The same layout, its ``order`` None when its axes are in the network's order."""
        if self.order is not None and list(self.order) == sorted(self.order):
            return Layout(self.shape, self.missing)
        return self


def arranged(shape: Sequence[int], groups: Sequence[tuple[int, ...]], sizes: Sequence[int]) -> Layout:
    """The layout of a tensor whose own axes past the batch hold the network's axes ``groups``
    and are ``sizes`` long; ``shape``: the network's shape, for the axes a group holds several of.
    The channels are as many as the own axes holding them together; a spatial axis no group holds
    is missing. As :class:`Layout` writes it when each own axis is one network axis."""
    held = {a for group in groups for a in group}
    alone = {group[0]: n for group, n in zip(groups, sizes) if len(group) == 1 and group != (1,)}
    spatial = tuple(alone.get(a, n if a in held else 1) for a, n in enumerate(shape[1:], start=2))
    network = (math.prod(n for group, n in zip(groups, sizes) if group == (1,)), *spatial)
    missing = frozenset(a for a in range(1, len(shape) + 1) if a not in held)
    if all(len(group) == 1 for group in groups) and len(set(groups)) == len(groups):
        return Layout(network, missing, tuple(group[0] for group in groups)).plain()
    return Layout(network, missing, parts=tuple(groups), sizes=tuple(sizes))


@dataclass(frozen=True)
class Plan:
    """How :func:`reach_of <convgif.network.reach.reach_of>` is to read a call: under which name,
    with which arguments, what the outputs' layout is; or why it cannot be followed."""

    name: str
    arguments: dict
    output: Layout
    reason: Optional[str] = None


def reduced(name: str, arguments: dict[str, Any], rank: int) -> Optional[tuple[int, ...]]:
    """The axes (batch first, of a tensor with ``rank`` axes) a reduction reduces; None when
    the call is not one (``torch.max(a, b)``)."""
    if normal(name) not in REDUCTIONS or "other" in arguments:
        return None
    dim = arguments.get("dim", arguments.get("axis"))
    if dim is None or isinstance(dim, bool) or dim in ((), []):  # x.std(True): unbiased, not an axis
        return tuple(range(rank))
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    return tuple(sorted({int(d) + rank if int(d) < 0 else int(d) for d in dims}))


def plan(name: str, arguments: dict[str, Any], inputs: list[Layout], output: tuple[int, ...]) -> Plan:
    """How a call with ``arguments`` (tensors as their shapes) reads tensors laid out as
    ``inputs`` to make a tensor of shape ``output`` (batch first)."""
    own = output[1:]
    try:
        axes = reduced(name, arguments, len(inputs[0].own()) + 1) if inputs else None
    except (TypeError, ValueError):  # a dim torch took but convgif cannot read (a named dim)
        return Plan(name, arguments, Layout(own), f"its dim could not be read ({arguments.get('dim')!r})")
    if axes is not None:
        return _reduction(name, arguments, inputs[0], axes, own)
    key = normal(name)
    if key in MOVES and len(inputs) == 1:
        return _move(name, arguments, inputs[0], own)
    lacking = [layout for layout in inputs if layout.missing or layout.order is not None or layout.parts]
    if not lacking:
        return Plan(name, arguments, Layout(own))
    first = lacking[0]
    if key in LAST_AXES and len(inputs) == 1:
        return _last_axes(name, arguments, first, own)
    if first.parts is not None:
        return _regrouped(name, arguments, inputs, first, own)
    if own == first.own() and all(layout in (first, Layout(())) for layout in inputs):
        # cell by cell or along an axis (its dim among the network's axes), still laid out so
        return Plan(name, _mapped(arguments, first), first)
    if all(_in_line(layout, len(output)) for layout in lacking):
        return Plan(name, arguments, Layout(own))
    if first.order is not None:
        return Plan(name, arguments, Layout(own), MOVED)
    lost = ", ".join(str(a) for a in sorted(first.missing))
    return Plan(
        name,
        arguments,
        Layout(own),
        f"the tensor it reads lost dim {lost} to a reduction without keepdim; convgif follows such a tensor cell "
        "by cell, broadcast in line with the input's axes, or once unsqueeze or view puts the dims back",
    )


def _regrouped(name: str, arguments: dict, inputs: list[Layout], first: Layout, own: tuple[int, ...]) -> Plan:
    """A call on tensors whose axes were regrouped: cell by cell or along a dim (named as the
    network's axes it holds), the same layout; along a dim, a change of the axes holding channels
    alone (``chunk``, ``narrow``, ``cat`` of the heads) keeps the positions where they are."""
    along = "dim" in arguments or "dims" in arguments
    if not along and normal(name) not in POINTWISE:
        return Plan(name, arguments, Layout(own), REGROUPED)
    tensors = [layout for layout in inputs if layout != Layout(())]
    same = all(layout.parts == first.parts for layout in tensors)
    full = next((layout for layout in tensors if layout.own() == own), None)
    if same and full is not None and all(n in (1, m) for t in tensors for n, m in zip(t.own(), own)):
        return Plan(name, _mapped(arguments, full), full)  # cell by cell, axes of one cell broadcast
    groups = first.groups()[1:]
    changed = [g for g, n, m in zip(groups, first.own(), own) if n != m]
    if along and same and len(own) == len(groups) and all(g == (1,) for g in changed):
        return Plan(name, _mapped(arguments, first), arranged(first.shape, groups, own))
    return Plan(name, arguments, Layout(own), REGROUPED)


def _mapped(arguments: dict, layout: Layout) -> dict:
    """``arguments`` with the axes ``dim`` and ``dims`` name (the tensor's own) as the network's:
    an axis holding several of the network's axes as the tuple of them."""
    groups = layout.groups()

    def network(value: int) -> Any:
        group = groups[value % len(groups)]
        return group[0] if len(group) == 1 else group

    mapped = dict(arguments)
    for key in ("dim", "dims"):
        value = arguments.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            mapped[key] = network(value)
        elif isinstance(value, (tuple, list)) and all(isinstance(v, int) for v in value):
            mapped[key] = tuple(network(v) for v in value)
    return mapped


def _permutation(key: str, arguments: dict, rank: int) -> list[int]:
    """Which of its input's axes each axis of a ``permute``, ``transpose`` or ``movedim`` is."""
    if key == "permute":
        return [int(d) % rank for d in arguments["dims"]]
    order = list(range(rank))
    if key == "movedim" or key == "moveaxis":
        source, destination = arguments["source"], arguments["destination"]
        sources = [int(a) % rank for a in (source if isinstance(source, (tuple, list)) else (source,))]
        places = [int(a) % rank for a in (destination if isinstance(destination, (tuple, list)) else (destination,))]
        rest = iter(a for a in order if a not in sources)
        chosen = dict(zip(places, sources))
        return [chosen[a] if a in chosen else next(rest) for a in order]
    first, second = (arguments[k] for k in (("axis0", "axis1") if "axis0" in arguments else ("dim0", "dim1")))
    first, second = int(first) % rank, int(second) % rank
    order[first], order[second] = order[second], order[first]
    return order


def _move(name: str, arguments: dict, source: Layout, own: tuple[int, ...]) -> Plan:
    """A ``permute``, ``transpose``, ``swapaxes`` or ``movedim``: every cell where it was in the
    network's axes, the tensor's own axes in another order."""
    groups, sizes = source.groups(), (1, *source.own())
    try:
        permutation = _permutation(normal(name), arguments, len(groups))
    except (TypeError, ValueError, KeyError, StopIteration):
        return Plan(name, arguments, Layout(own), "its dims could not be read")
    if sorted(permutation) != list(range(len(groups))) or permutation[0] != 0:
        return Plan(name, arguments, Layout(own), "it moves the batch axis: one sample's cells mix with the others'")
    moved = arranged(source.shape, [groups[a] for a in permutation[1:]], [sizes[a] for a in permutation[1:]])
    if moved.own() != own:
        return Plan(name, arguments, Layout(own), "its dims could not be read")
    return Plan("identity", {}, moved)


def _last_axes(name: str, arguments: dict, source: Layout, own: tuple[int, ...]) -> Plan:
    """A layer norm, RMS norm or linear layer over the tensor's last own axes, which are the
    network's axes ``source`` says (the channels, after ``permute(0, 2, 3, 1)``). A linear layer
    over positions (the network's axes one own axis holds) reads them all: as many outputs stay
    those positions, any other number are channels."""
    shape = arguments.get("normalized_shape", (1,))
    count = 1 if isinstance(shape, int) else len(shape)
    groups = source.groups()
    axes = tuple(a for group in groups[-count:] for a in group)
    if normal(name) != "linear":
        return Plan(name, {**arguments, "axes": axes}, source)
    last, held = groups[-1], math.prod(source.shape[a - 1] for a in groups[-1])
    kept = last if len(last) == 1 or own[-1] == held else (1,)
    layout = arranged(source.shape, [*groups[1:-1], kept], own)
    if layout.own() != own:
        return Plan(name, arguments, Layout(own), "its arguments could not be read")
    return Plan(name, {"axes": axes}, layout)


def given_back(layout: Layout, own: tuple[int, ...]) -> Optional[Layout]:
    """``layout`` with some of its missing axes given back, if that makes a tensor of shape ``own``
    (a reshape that only inserts axes of one cell keeps every cell in its place); the axes left
    missing the leading ones, as torch's broadcasting would align them. None for a tensor whose
    axes were moved or regrouped, or that lacks none."""
    if layout.order is not None or layout.parts is not None or not layout.missing:
        return None
    missing = sorted(layout.missing)
    for count in range(len(missing) + 1):
        for still in combinations(missing, count):
            candidate = Layout(layout.shape, frozenset(still))
            if candidate.own() == own:
                return candidate
    return None


def _reduction(name: str, arguments: dict, source: Layout, axes: tuple[int, ...], own: tuple[int, ...]) -> Plan:
    """A reduction of ``axes`` (of the tensor's own, batch first) of a tensor laid out as ``source``."""
    groups = source.groups()
    if any(not 0 <= a < len(groups) for a in axes):
        return Plan(name, arguments, Layout(own), f"its dim could not be read ({arguments.get('dim')!r})")
    gone = {n for a in axes for n in groups[a]}
    shape = tuple(1 if a in gone else n for a, n in enumerate(source.shape, start=1))
    keep = bool(arguments.get("keepdim"))
    kept = [(g, 1 if a in axes else n) for a, (g, n) in enumerate(zip(groups[1:], source.own()), start=1)]
    kept = [(g, n) for a, (g, n) in enumerate(kept, start=1) if keep or a not in axes]
    layout = arranged(shape, [g for g, _ in kept], [n for _, n in kept])
    if 0 in gone:
        return Plan(name, arguments, Layout(own), BATCH)
    if layout.own() != own:
        return Plan(name, arguments, Layout(own), "its arguments could not be read (dim, keepdim)")
    spatial = set(range(2, len(shape) + 1))
    if layout.missing >= spatial and not source.missing >= spatial:  # no spatial axis left: a vector, which reads
        return Plan(name, arguments, Layout(own))  # every cell
    return Plan(name, {**arguments, "dim": tuple(sorted(gone)), "keepdim": True}, layout)


def _in_line(layout: Layout, rank: int) -> bool:
    """Whether torch's broadcasting (trailing axes first) puts each of the tensor's own axes on
    the network's axis it stands for, in an output of ``rank`` axes (batch first)."""
    if layout.parts is not None:
        return False
    network = layout.axes()
    shift = rank - len(network)
    return len(layout.shape) + 1 == rank and all(network[j] == j + shift for j in range(1, len(network)))
