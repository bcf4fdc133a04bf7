"""Calls that multiply tensors along shared axes: ``torch.einsum``, ``matmul`` (``@``), ``bmm``,
``mm`` and ``F.scaled_dot_product_attention``, as self-attention over a picture's positions
writes them (``q @ k.transpose(-2, -1)``, a softmax, ``@ v``).

Each is read as an einsum: every axis of every operand has a letter; the output keeps some
letters and sums over the others. An output cell reads, of each operand made from the input,
the cells at its own place along the letters it keeps and every cell along the letters summed
over; channels are taken together, as everywhere. An output axis keeps the positions (the
network's spatial axes) its operand's axis holds, once: in ``q @ kᵀ``, where the queries'
positions are already kept, the keys' axis is held together like the channels, so that each
query's cell reads every key's cell. Attention over all positions thus gives every cell the
field of every cell the keys see: the whole input, when the keys see all of it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Optional, Union

from .layout import Layout, Plan, arranged
from .reach import normal

#: One operand of a call: the argument it was given as, its shape (batch first), and which of the
#: call's inputs made from the network's input it is (None for a weight or a constant).
Operand = tuple[str, tuple[int, ...], Optional[int]]

#: Why a product that mixes samples is not followed.
BATCHED = "it multiplies along the batch axis: one sample's result depends on the others'"

#: A letter: a character of an einsum, or an axis of the broadcast batch axes (counted from the last).
Letter = Union[str, tuple[str, int]]


def plan(name: str, arguments: dict, inputs: list[Layout], own: tuple[int, ...], operands: list[Operand]) -> Plan:
    """How an einsum-like call reads each of its ``inputs`` (laid out so), ``operands`` being
    every tensor it was given: ``axes`` names for each input the network's axes it reads whole."""
    try:
        read = _letters(normal(name), arguments, operands)
        if isinstance(read, str):
            return Plan(name, arguments, Layout(own), read)
        terms, output, tensors = read
        return _plan(name, arguments, inputs, own, (terms, output, tensors))
    except (ValueError, KeyError, IndexError, TypeError, StopIteration):
        return Plan(name, arguments, Layout(own), "its arguments could not be read")


def _batch(count: int) -> list[Letter]:
    return [("batch", count - 1 - k) for k in range(count)]


def _letters(key: str, arguments: dict, operands: list[Operand]) -> Union[str, tuple]:
    """The letters of each operand's axes and of the output's, and the operands in that order;
    or why the call is not followed."""
    if key == "scaleddotproductattention":
        if arguments.get("is_causal"):
            return "with is_causal, each query reads the keys up to its own position, not every position"
        if any(given == "attn_mask" for given, _, _ in operands):
            return "with attn_mask, which keys each query reads depends on the mask's values"
        tensors = [next(o for o in operands if o[0] == given) for given in ("query", "key", "value")]
        shapes = [shape for _, shape, _ in tensors]
        terms = [[*_batch(len(s) - 2), *pair] for s, pair in zip(shapes, (("l", "e"), ("s", "e"), ("s", "v")))]
        return terms, [*_batch(max(len(s) for s in shapes) - 2), "l", "v"], tensors
    if key == "einsum":
        equation = next(v for v in arguments.values() if isinstance(v, str))
        return (*_parsed(equation, [shape for _, shape, _ in operands]), operands)
    first, second = operands[:2]
    a, b = first[1], second[1]
    left = ["k"] if len(a) == 1 else [*_batch(len(a) - 2), "i", "k"]
    right = ["k"] if len(b) == 1 else [*_batch(len(b) - 2), "k", "j"]
    output = [*_batch(max(len(a), len(b)) - 2), *(["i"] if len(a) > 1 else []), *(["j"] if len(b) > 1 else [])]
    return [left, right], output, [first, second]


def _parsed(equation: str, shapes: list[tuple[int, ...]]) -> tuple[list[list[Letter]], list[Letter]]:
    """An einsum's equation as the letters of each operand and of the output (``...`` as the
    broadcast axes; without ``->``, the letters used once, in order, after them)."""
    text = equation.replace(" ", "")
    left, arrow, right = text.partition("->")
    terms = left.split(",")
    if len(terms) != len(shapes):
        raise ValueError(equation)
    parsed, most = [], 0
    for term, shape in zip(terms, shapes):
        head, dots, tail = term.partition("...")
        extra = len(shape) - len(head) - len(tail)
        if extra < 0 or (extra and not dots):
            raise ValueError(equation)
        most = max(most, extra)
        parsed.append([*head, *_batch(extra), *tail])
    if not arrow:
        counts = Counter(c for term in terms for c in term.replace("...", ""))
        right = "..." + "".join(sorted(c for c, n in counts.items() if n == 1))
    head, dots, tail = right.partition("...")
    return parsed, [*head, *(_batch(most) if dots else []), *tail]


def _plan(name: str, arguments: dict, inputs: list[Layout], own: tuple[int, ...], read: tuple) -> Plan:
    """The plan of a product whose operands' and output's letters ``read`` gives: the batch kept
    first, the output's axes holding what :func:`_kept` says, each input read whole along the
    network's axes of its letters summed over or held together in the output's cell."""
    terms, output, tensors = read
    size: dict[Any, int] = {}
    for term, (_, shape, _) in zip(terms, tensors):
        for letter, n in zip(term, shape):
            if n != 1 and size.get(letter, 1) not in (1, n):
                raise ValueError(letter)
            size[letter] = max(size.get(letter, 1), n)
    traced = [(term, shape, inputs[at]) for term, (_, shape, at) in zip(terms, tensors) if at is not None]
    batch = output[0] if output else None
    if any(term[:1] != [batch] or term.count(batch) > 1 for term, _, _ in traced) or any(
        at is None and batch in term and shape[term.index(batch)] != 1 for term, (_, shape, at) in zip(terms, tensors)
    ):
        return Plan(name, arguments, Layout(own), BATCHED)
    if any(len(layout.groups()) != len(term) for term, _, layout in traced):
        raise ValueError(name)
    network = next((layout.shape for _, _, layout in traced if len(layout.shape) > 1), None)
    if network is None:  # vectors only: a vector
        return Plan(name, {"axes": [()] * len(traced)}, Layout(own))
    groups, shape = _kept(output[1:], size, traced, list(network))
    whole = []
    for term, dims, layout in traced:
        axes: set[int] = set()
        for j, (letter, group) in enumerate(zip(term, layout.groups())):
            if j == 0 or group == (1,) or dims[j] == 1:
                continue
            if groups.get(letter, (1,)) == (1,):  # summed over, or held together in the output's cell
                axes |= set(group)
            elif groups[letter] != group:
                return Plan(name, arguments, Layout(own), "it pairs positions its operands lay out differently")
        whole.append(tuple(sorted(axes)))
    layout = arranged(shape, [groups[letter] for letter in output[1:]], [size[letter] for letter in output[1:]])
    if layout.own() != own:
        raise ValueError(name)
    return Plan(name, {"axes": whole}, layout)


def _kept(output: list[Letter], size: dict, traced: list, shape: list[int]) -> tuple[dict, list[int]]:
    """The network's axes each output letter holds: the positions an operand's axis of that letter
    holds, if no letter before took them; else the channels'. A letter of weights alone (``t @ w``
    mixing positions) holds the positions a letter summed over held, as many. With the network's
    shape they make."""
    groups: dict[Any, tuple[int, ...]] = {}
    used: set[int] = set()

    def take(letters: list[Letter], letter: Letter) -> tuple[int, ...]:
        found = [
            (group, layout)
            for term, dims, layout in traced
            for j, group in enumerate(layout.groups())
            if j and term[j] in letters and dims[j] == size[letter] and group != (1,) and not used & set(group)
        ]
        group, layout = found[0] if found else ((1,), None)
        if layout is not None:
            used.update(group)
            for a in group:
                shape[a - 1] = layout.shape[a - 1]
        return group

    for letter in output:
        groups[letter] = take([letter], letter)
    inputs = list(dict.fromkeys(letter for term, _, _ in traced for letter in term))
    summed = [letter for letter in inputs if letter not in output]
    for letter in output:
        if letter not in inputs:
            groups[letter] = take(summed, letter)
    return groups, shape
