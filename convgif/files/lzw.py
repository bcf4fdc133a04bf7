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


def runs(pixels: np.ndarray, sea: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The runs of one value in ``pixels`` (uint8) read row by row, (values, lengths), when
    :func:`encode` beats Pillow's encoder on them: when nearly every pixel is ``sea`` (the
    transparent index) and the others make few runs; else None.

    The other pixels are looked for eight at a time, a word of eight ``sea`` pixels passed over
    whole, so that what this costs follows them more than the picture's area."""
    flat = pixels.ravel()
    whole = flat.size - flat.size % 8
    words = flat[:whole].view(np.uint64)
    hits = np.flatnonzero(words != np.uint64(int.from_bytes(bytes((sea,)) * 8, "little")))
    if hits.size * PIXELS_PER_RUN >= flat.size:  # not mostly sea
        return None
    near = np.concatenate(((hits[:, None] * 8 + _EIGHT).ravel(), np.arange(whole, flat.size)))
    at = near[flat[near] != sea]
    # sea before each other pixel (perhaps none), that pixel, ..., sea after the last one
    count = at.size
    values = np.full(2 * count + 1, sea, np.uint8)
    values[1::2] = flat[at]
    lengths = np.ones(2 * count + 1, np.int64)
    lengths[:-1:2] = np.diff(at, prepend=-1) - 1
    lengths[-1] = flat.size - 1 - (at[-1] if count else -1)
    values, lengths = values[lengths > 0], lengths[lengths > 0]
    starts = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
    if starts.size * PIXELS_PER_RUN >= flat.size:
        return None
    return values[starts], np.add.reduceat(lengths, starts)


_EIGHT = np.arange(8)


def encode(values: np.ndarray, lengths: np.ndarray, bits: int) -> bytes:
    """The image data of a GIF picture (after its minimum code size byte, before its block
    terminator) of runs of ``values`` (below ``2**bits``), ``lengths`` long, read row by row:
    the LZW codes packed in data sub-blocks of up to 255 bytes."""
    data = _pack(*_codes(values.tolist(), lengths.tolist(), bits))
    return b"".join(bytes((len(data[i : i + 255]),)) + data[i : i + 255] for i in range(0, len(data), 255))


def _codes(values: list[int], lengths: list[int], bits: int) -> tuple[list[int], list[tuple[int, int]]]:
    """The LZW codes of the runs, and their widths in bits as (index, width): from each index
    on, codes are that wide.

    The state is the string matched so far (``head``). Where it ends in the colour of the run
    being read, it sits in a chain: ``chain[i]`` is the code of a string followed by i + 1
    pixels of that colour; ``chains`` holds the chains of strings not ending in their colour,
    by (string, colour), and ``singles`` those of each lone pixel.
    """
    clear = 1 << bits
    end = clear + 1
    codes, widths = [clear], [(0, bits + 1)]
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
            if free < CODE_LIMIT:
                if at >= 0:
                    chain.append(free)
                else:
                    chains[head << 8 | value] = [free]
                if free > widest:  # the next code written may be this one: a bit wider
                    widest, width = 2 * widest + 1, width + 1
                    widths.append((len(codes), width))
                free += 1
            else:
                codes.append(clear)
                chains, singles = {}, {}
                free, widest, width = end + 1, 2 * clear - 1, bits + 1
                widths.append((len(codes), width))
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
                first = len(codes) + 1 - free  # where the code written after adding code c is: first + c
                codes.append(chain[-1])
                codes += range(free, free + steps - 1)
                chain += range(free, free + steps)
                free += steps
                while widest < free - 1:
                    widest, width = 2 * widest + 1, width + 1
                    widths.append((first + widest // 2 + 1, width))
                left -= steps * size + steps * (steps - 1) // 2
    codes += [head, end]
    return codes, widths


def _steps(size: int, left: int) -> int:
    """How many steps a run of ``left`` pixels holds along a chain of ``size`` codes, each step
    one pixel longer than the one before: the most m with m·size + m(m−1)/2 ≤ left."""
    b = 2 * size - 1
    m = (math.isqrt(b * b + 8 * left) - b) // 2
    while m * size + m * (m - 1) // 2 > left:
        m -= 1
    return m


def _pack(codes: list[int], widths: list[tuple[int, int]]) -> bytes:
    """Codes (at most 12 bits) packed least significant bit first, as wide as ``widths`` says
    (as :func:`_codes` gives them)."""
    starts, sizes = zip(*widths)
    each = np.repeat(sizes, np.diff(starts, append=len(codes)))
    bits = np.unpackbits(np.array(codes, "<u2").view(np.uint8).reshape(-1, 2), axis=1, bitorder="little")
    return np.packbits(bits[_BIT < each[:, None]], bitorder="little").tobytes()


_BIT = np.arange(16)
