"""A sum line's entry of many terms (a pooling window of thousands of cells), written only as
far as a frame shows it.

An entry's text is ``head + sep.join(terms) + tail``; a frame shows a long one by its first
words, "…" and its last words (:func:`~convgif.picture.overlay._fit_lines`). A :class:`LongSum`
formats only the terms those words hold: the others are counted by the cells their texts take
(found without writing them), which is all the breaking of the lines needs. :func:`elided` lays
the entry out exactly as the whole text would be.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Optional

import numpy as np

from .cells import cells
from .sizes import ELLIPSIS, held

#: A window of more cells than this writes its sum as a :class:`LongSum`.
LONG_TERMS = 256


@dataclass(frozen=True, eq=False)
class LongSum:
    """The entry ``head + sep.join(terms) + tail`` of ``count`` terms, ``term(i)`` the text of
    the i-th, ``widths()`` the cells each term's text takes (all at once, without writing them).
    A term holds no space; ``sep`` holds at least one."""

    head: str
    sep: str
    tail: str
    count: int
    term: Callable[[int], str]
    widths: Callable[[], np.ndarray]

    def text(self) -> str:
        """The whole entry, every term written."""
        return self.head + self.sep.join(self.term(i) for i in range(self.count)) + self.tail

    def __str__(self) -> str:
        return self.text()

    @cached_property
    def _seps(self) -> list[str]:
        return self.sep.split(" ")

    @cached_property
    def _heads(self) -> list[str]:
        return self.head.split(" ")

    @cached_property
    def _tails(self) -> list[str]:
        return self.tail.split(" ")

    @cached_property
    def word_widths(self) -> np.ndarray:
        """The cells of each word of the text (split at its spaces), in order."""
        terms = np.asarray(self.widths(), dtype=np.int64)
        first, *middle, last = self._seps
        n, m = self.count, len(self._seps) - 1
        block = np.empty((n - 1, m), dtype=np.int64)  # each term's word, then the separator's middle words
        block[:, 0] = terms[:-1] + cells(last) + cells(first)
        for r, word in enumerate(middle, 1):
            block[:, r] = cells(word)
        block[0, 0] += cells(self._heads[-1]) - cells(last)
        ends = terms[-1] + cells(self._tails[0]) + cells(last)
        return np.concatenate(
            (
                [cells(w) for w in self._heads[:-1]],
                block.reshape(-1),
                [ends],
                [cells(w) for w in self._tails[1:]],
            )
        ).astype(np.int64)

    def word(self, j: int) -> str:
        """The text of word ``j`` (see :attr:`word_widths`)."""
        first, *middle, last = self._seps
        h, m, n = len(self._heads) - 1, len(self._seps) - 1, self.count
        if j < h:
            return self._heads[j]
        j -= h
        if j < (n - 1) * m:
            i, r = divmod(j, m)
            if r:
                return middle[r - 1]
            return (self._heads[-1] if i == 0 else last) + self.term(i) + first
        j -= (n - 1) * m
        if j == 0:
            return last + self.term(n - 1) + self._tails[0]
        return self._tails[j]

    def held(self, words: int) -> np.ndarray:
        """Of the first ``words`` words, those a line never ends on, :func:`~convgif.picture.sizes.held`
        to the word after them: only the head's and the tail's words can be such."""
        found = np.zeros(words, dtype=bool)
        for j in [*range(len(self._heads) - 1), *range(len(self.word_widths) - len(self._tails) + 1, words)]:
            found[j] = j < words - 1 and held(self.word(j), self.word(j + 1))
        return found

    @cached_property
    def broken(self) -> dict:
        """The lines of the text without its last words, by how many words are kept and the
        width of a line, once found (see :func:`elided`)."""
        return {}

    def cells(self) -> int:
        """The cells the whole text takes."""
        return int(self.word_widths.sum()) + len(self.word_widths) - 1

    def long(self, width: int, lines: int) -> bool:
        """Whether the entry is too long for :func:`elided` to lay out in place of its text in
        ``lines`` lines of ``width`` characters: far longer than they hold, with its terms
        inside a bracket its head opens (so that no break outside brackets holds them) and no
        empty word."""
        if self.count < 2 or " " not in self.sep or not _opens(self.head):
            return False
        if (self.word_widths == 0).any():
            return False
        return self.cells() > (lines + 2) * (width + 1) + 64


def _opens(head: str) -> bool:
    """Whether ``head`` ends inside a bracket it opens (counted as line breaking counts them)."""
    depth = 0
    for char in head:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
    return depth > 0


def elided(entry: LongSum, width: int, lines: int) -> Optional[list[str]]:
    """What :func:`~convgif.picture.overlay._elided` makes of ``entry``'s text in ``lines``
    lines of ``width`` characters, writing only the words shown; None where the text must be
    written whole to tell (what it comes to is not in its tail)."""
    if " = " not in entry.tail:
        return None
    ww = entry.word_widths
    if lines > 1:
        room = width - cells(ELLIPSIS) - 1
    else:
        room = width - cells(ELLIPSIS) - 2
        room = max(room // 2, min(cells(entry.tail.rsplit(" = ", 1)[-1]), room - 4))
    kept, taken = len(ww), -1  # the last words that fit the room, as one line
    while kept and taken + 1 + int(ww[kept - 1]) <= room:
        taken += 1 + int(ww[kept - 1])
        kept -= 1
    tail = [entry.word(j) for j in range(kept, len(ww))]
    if lines > 1:
        if (kept, width) not in entry.broken:  # a frame may ask again for fewer lines
            entry.broken[kept, width] = _balanced(ww[:kept], width, entry.held(kept))
        starts = entry.broken[kept, width]
        head = [" ".join(entry.word(j) for j in range(a, b))[:width] for a, b in starts[: lines - 1]]
        return [*head, " ".join([ELLIPSIS, *tail])]
    return [" ".join([_start(entry, kept, width - room - 3), ELLIPSIS, *tail])]


def _start(entry: LongSum, words: int, width: int) -> str:
    """The first of ``words`` words of ``entry`` that fit ``width`` characters (the first cut if
    need be), as :func:`~convgif.picture.overlay._start` takes them."""
    line = entry.word(0)[:width] if words else ""
    for j in range(1, words):
        word = entry.word(j)
        if cells(f"{line} {word}") > width:
            break
        line = f"{line} {word}"
    return line


def _balanced(ww: np.ndarray, chars: int, held: Optional[np.ndarray] = None) -> list[tuple[int, int]]:
    """The lines (as word ranges) of words of widths ``ww`` joined by spaces, broken as
    :func:`~convgif.picture.sizes.wrap` breaks them: in lines of at most ``chars`` characters,
    as even as the fewest lines allow, never after a word ``held`` to the next."""
    if held is not None and held.any():
        firsts = [0, *(j + 1 for j in range(len(ww) - 1) if not held[j])]  # each piece's first word
        bounds = [*firsts, len(ww)]
        pieces = np.array([int(ww[a:b].sum()) + (b - a - 1) for a, b in zip(bounds, bounds[1:])], dtype=np.int64)
        return [(bounds[a], bounds[b]) for a, b in _balanced(pieces, chars)]
    ends = np.concatenate(([0], np.cumsum(ww + 1)))

    def greedy(limit: int, most: Optional[int] = None) -> list[int]:
        # where a line starting at each word ends: the most words within the limit, at least one
        after = np.maximum(np.searchsorted(ends, ends[:-1] + 1 + limit, "right") - 1, np.arange(1, len(ww) + 1))
        after = after.tolist()
        starts, i = [0], 0
        while True:
            j = after[i]
            if j >= len(ww) or (most is not None and len(starts) > most):
                return starts
            starts.append(j)
            i = j

    starts = greedy(chars)
    total = int(ends[-1]) - 1
    for limit in range(total // len(starts), chars):
        even = greedy(limit, len(starts))
        if len(even) == len(starts):
            starts = even
            break
    bounds = [*starts, len(ww)]
    return [(bounds[k], bounds[k + 1]) for k in range(len(starts))]


def cell_widths(values: Any, written: Callable[[Any], str], memo: dict) -> np.ndarray:
    """The cells each of ``values`` takes written by ``written``, each distinct value written
    once (``memo`` keeps them across calls)."""
    values = np.asarray(values).reshape(-1)
    distinct, where = np.unique(values, return_inverse=True)
    widths = np.empty(len(distinct), dtype=np.int64)
    for k, value in enumerate(distinct.tolist()):
        found = memo.get(value)
        if found is None:
            found = memo[value] = cells(written(value))
        widths[k] = found
    return widths[where.reshape(-1)]
