"""GIF's LZW compression, fast on pictures made of long runs of one colour.

A frame after the first is stored as a rectangle of mostly transparent pixels: a few lines and
cells in a sea of one index. A byte-at-a-time LZW encoder (Pillow's) spends a few nanoseconds
on every pixel of that sea; this one steps through it a string at a time. LZW's greedy match
over a run of one colour only ever follows a chain of strings, each the one before and one more
pixel of that colour, so a chain is kept as a list and a match along it is an index: the cost is
a few operations per run and per code written, whatever the run's length.

The codes are those of the usual greedy encoder with GIF's rules, which is what Pillow's is:
strings grow by one pixel, codes widen when the next code needs another bit, and when the table
reaches 4,096 codes a clear code is written and it starts again. The tests check the bytes
against Pillow's on many pictures. :func:`runs` says when this is the faster of the two.
"""

from __future__ import annotations

import math

import numpy as np

#: GIF's code table holds at most this many codes.
CODE_LIMIT = 4096
#: Pixels Pillow's encoder goes through in the time this one takes per run (about 1 µs against
#: 4 ns a pixel): below this many pixels per run, Pillow's is faster.
PIXELS_PER_RUN = 250


def runs(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The runs of one value in ``pixels`` read row by row, (values, lengths), when they are
    few enough for :func:`encode` to beat Pillow's encoder on them; else None."""
    flat = pixels.ravel()
    edges = flat[1:] != flat[:-1]
    if (np.count_nonzero(edges) + 1) * PIXELS_PER_RUN >= flat.size:
        return None
    starts = np.concatenate(([0], np.flatnonzero(edges) + 1))
    return flat[starts], np.diff(starts, append=flat.size)


def encode(values: np.ndarray, lengths: np.ndarray, bits: int) -> bytes:
    """The image data of a GIF picture (after its minimum code size byte, before its block
    terminator) of runs of ``values`` (below ``2**bits``), ``lengths`` long, read row by row:
    the LZW codes packed in data sub-blocks of up to 255 bytes."""
    codes, widths = _codes(values.tolist(), lengths.tolist(), bits)
    data = _pack(codes, widths)
    return b"".join(bytes((len(data[i : i + 255]),)) + data[i : i + 255] for i in range(0, len(data), 255))


def _codes(values: list[int], lengths: list[int], bits: int) -> tuple[list[int], list[int]]:
    """The LZW codes of the runs and the width in bits of each.

    The state is the string matched so far (``head``). Where it ends in the colour of the run
    being read, it sits in a chain: ``chain[i]`` is the code of a string followed by i + 1
    pixels of that colour; ``chains`` holds the chains of strings not ending in their colour,
    by (string, colour), and ``singles`` those of each lone pixel.
    """
    clear = 1 << bits
    end = clear + 1
    codes, widths = [clear], [bits + 1]
    chains: dict[int, list[int]] = {}
    singles: dict[int, list[int]] = {}
    free, widest, width = end + 1, 2 * clear - 1, bits + 1
    head, chain, at, colour = -1, [], -1, -1  # the string matched, its chain, where in it, its last pixel
    for value, left in zip(values, lengths):
        if head < 0:  # the first pixel
            head, chain, at, colour = value, [value], 0, value
            singles[value] = chain
            left -= 1
        while left:
            if colour == value:  # further along the head's own chain
                ahead = len(chain) - 1 - at
            else:  # onto the chain of the head followed by this colour, if there is one
                chain = chains.get(head << 8 | value, [])
                at, colour, ahead = -1, value, len(chain)
            if ahead >= left:
                at += left
                head = chain[at]
                break
            at += ahead
            left -= ahead
            if at >= 0:
                head = chain[at]
            # the head followed by one more pixel of this colour is not a code yet
            codes.append(head)
            widths.append(width)
            if free < CODE_LIMIT:
                if at >= 0:
                    chain.append(free)
                else:
                    chains[head << 8 | value] = [free]
                if free > widest:
                    widest, width = 2 * widest + 1, width + 1
                free += 1
            else:
                codes.append(clear)
                widths.append(width)
                chains, singles = {}, {}
                free, widest, width = end + 1, 2 * clear - 1, bits + 1
            chain = singles.get(value)
            if chain is None:
                chain = singles[value] = [value]
            head, at = value, 0
            left -= 1
            # From a lone pixel, each step to the end of its chain and one pixel further writes
            # the chain's last code and adds the next: as many such steps as the run holds, at once.
            size = len(chain)
            if left >= size and free < CODE_LIMIT:
                steps = min(_steps(size, left), CODE_LIMIT - free)
                codes.append(chain[-1])
                codes += range(free, free + steps - 1)
                widths += _widths(free - 1, steps, bits + 1)
                chain += range(free, free + steps)
                free += steps
                width = max(bits + 1, (free - 1).bit_length())
                widest = (1 << width) - 1
                left -= steps * size + steps * (steps - 1) // 2
    codes += [head, end]
    widths += [width, width]
    return codes, widths


def _steps(size: int, left: int) -> int:
    """How many steps a run of ``left`` pixels holds along a chain of ``size`` codes, each step
    one pixel longer than the one before: the most m with m·size + m(m−1)/2 ≤ left."""
    b = 2 * size - 1
    m = (math.isqrt(b * b + 8 * left) - b) // 2
    while m * size + m * (m - 1) // 2 > left:
        m -= 1
    return m


def _widths(first: int, count: int, least: int) -> list[int]:
    """The widths in bits of codes written after codes ``first`` to ``first + count - 1`` were
    added: each one's bit length, at least ``least``."""
    out: list[int] = []
    value, stop = first, first + count
    while value < stop:
        width = max(least, value.bit_length())
        upto = min(stop, 1 << width)
        out += [width] * (upto - value)
        value = upto
    return out


def _pack(codes: list[int], widths: list[int]) -> bytes:
    """Codes of the given widths (at most 12 bits) packed least significant bit first."""
    bits = np.unpackbits(np.array(codes, "<u2").view(np.uint8).reshape(-1, 2), axis=1, bitorder="little")
    return np.packbits(bits[_BIT < np.array(widths)[:, None]], bitorder="little").tobytes()


_BIT = np.arange(16)
