"""Streaming, atomic, deterministic writers of palette-indexed frames: GIF, APNG and WebP.

Each frame is stored as the rectangle that changed since the previous one, with unchanged
pixels inside it set to a transparent index, which compresses to almost nothing (LZW for GIF,
deflate for APNG, lossless VP8L for WebP). Only the previous frame and the pending one's
rectangle are held in memory, whatever the number of frames. A caller that knows where a frame
may differ from the one before (a renderer does: where it drew) says so, and only there is the
frame compared, so a frame costs what changed in it rather than the picture's area; the bytes
are the same. The file is written beside the target under a temporary name and renamed into
place when complete, so an interrupted or failed write leaves no partial file and any existing
file untouched.
"""

from __future__ import annotations

import heapq
import os
import struct
from collections.abc import Sequence

import numpy as np

from .base import RGB, _Animation


class WebPWriter(_Animation):
    """Write frames to ``path`` as a looping lossless animated WebP, streamed: each frame after
    the first the changed rectangle (from even coordinates, as WebP requires) blended over the
    one before.

    Each rectangle is encoded by :func:`vp8l`, which is made for these pictures: a handful of
    colours, long runs and rows repeated. The file's length, which its header holds, is filled
    in when the file is complete.
    """

    #: A frame's duration is stored in thousandths of a second, in 24 bits.
    MAX_DELAY_MS = (1 << 24) - 1
    ALIGN = 2
    MAX_SIDE = 16_384
    SEEKS = True

    def __init__(self, path: os.PathLike | str, size: tuple[int, int], palette: Sequence[RGB], loop: int = 0) -> None:
        if max(size) > self.MAX_SIDE:
            raise ValueError(f"a WebP picture is at most {self.MAX_SIDE} pixels a side, not {size}")
        super().__init__(path, size, palette, loop)
        # opaque colours, then the transparent one; at least 17, as fewer would be packed several to a byte
        colours = [(255, *rgb) for rgb in self.palette] + [(0, 0, 0, 0)] * max(1, 17 - len(self.palette))
        self._colours = _colour_table(np.array(colours, np.int64))

    def _start(self) -> None:
        self._write(b"RIFF\x00\x00\x00\x00WEBP")  # the length is filled in at the end
        flags = 0x10 | 0x02  # frames have transparency; animation
        canvas = bytes([flags, 0, 0, 0]) + _u24(self.width - 1) + _u24(self.height - 1)
        red, green, blue = self.palette[0] if self.palette else (0, 0, 0)
        background = bytes([blue, green, red, 255])
        self._write(_riff_chunk(b"VP8X", canvas) + _riff_chunk(b"ANIM", background + struct.pack("<H", self.loop)))

    def _frame(self, x0: int, y0: int, patch: np.ndarray, transparent: bool, duration_ms: int) -> None:
        height, width = patch.shape
        place = _u24(x0 // 2) + _u24(y0 // 2) + _u24(width - 1) + _u24(height - 1) + _u24(duration_ms)
        flags = 0 if transparent else 0x02  # blended over the frame before, or not; never disposed
        picture = _riff_chunk(b"VP8L", vp8l(patch, self._colours, transparent))
        self._write(_riff_chunk(b"ANMF", place + bytes([flags]) + picture))

    def _end(self) -> None:
        if self.frames_written == 0:
            raise ValueError("an animation needs at least one frame")
        assert self._file is not None
        self._file.seek(4)
        self._file.write(struct.pack("<I", self.bytes_written - 8))
        self._file.seek(0, os.SEEK_END)


def _u24(value: int) -> bytes:
    return value.to_bytes(3, "little")


def _riff_chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + b"\x00" * (len(data) % 2)


_CODE_LENGTH_ORDER = (17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)


_LONGEST_CODE = 14  # the format allows 15; 14 keeps the code-length code's header within 18 entries


_LONGEST_COPY = 4096


_GREEN_SYMBOLS = 256 + 24  # indices, then the copy-length prefixes


_DISTANCE_SYMBOLS = 40


_REVERSED = sum(((np.arange(1 << 15) >> bit) & 1) << (14 - bit) for bit in range(15))  # 15-bit values reversed


class _Bits:
    """Fields of a bit stream, written least significant bit first as VP8L reads them."""

    def __init__(self) -> None:
        self._parts: list[tuple[np.ndarray, np.ndarray]] = []
        self._values: list[int] = []
        self._widths: list[int] = []

    def put(self, value: int, width: int) -> None:
        self._values.append(value)
        self._widths.append(width)

    def extend(self, values: np.ndarray, widths: np.ndarray) -> None:
        self._close()
        self._parts.append((values, widths))

    def _close(self) -> None:
        if self._values:
            self._parts.append((np.array(self._values, np.int64), np.array(self._widths, np.int64)))
            self._values, self._widths = [], []

    def fields(self) -> tuple[np.ndarray, np.ndarray]:
        self._close()
        return np.concatenate([v for v, _ in self._parts]), np.concatenate([w for _, w in self._parts])

    def tobytes(self) -> bytes:
        """The stream, its last byte filled with zeros.

        Fields are at most 16 bits wide, so each touches at most three bytes, and their bits never
        overlap, so adding them up is OR-ing; a long stream is added up a block at a time."""
        self._close()
        total = sum(int(widths.sum(dtype=np.int64)) for _, widths in self._parts)
        out = np.zeros((total + 7) // 8 + 3, np.uint8)
        offset = 0
        for values, widths in self._parts:
            for at in range(0, widths.size, self.BLOCK):
                width = widths[at : at + self.BLOCK].astype(np.int64)
                starts = offset + np.cumsum(width) - width
                offset += int(width.sum())
                shifted = (values[at : at + self.BLOCK] & ((1 << width) - 1)) << (starts & 7)
                first = int(starts[0]) >> 3 if starts.size else 0
                where = (starts >> 3) - first
                for k in range(3):
                    block = np.bincount(where + k, weights=(shifted >> (8 * k)) & 0xFF).astype(np.uint8)
                    out[first : first + block.size] += block
        return out[: (total + 7) // 8].tobytes()

    BLOCK = 1 << 18


def _code_lengths(counts: np.ndarray, longest: int) -> np.ndarray:
    """The lengths of a Huffman code for the symbols counted (at least two), none over
    ``longest``: rare symbols are counted as more frequent until the code is short enough."""
    used = np.flatnonzero(counts)
    floor = 1
    while True:
        heap = [(count, i, [i]) for i, count in enumerate(np.maximum(counts[used], floor).tolist())]
        heapq.heapify(heap)
        depth = [0] * len(heap)
        serial = len(heap)
        while len(heap) > 1:
            first, _, a = heapq.heappop(heap)
            second, _, b = heapq.heappop(heap)
            for symbol in a + b:
                depth[symbol] += 1
            heapq.heappush(heap, (first + second, serial, a + b))
            serial += 1
        if max(depth) <= longest:
            lengths = np.zeros(counts.size, np.int64)
            lengths[used] = depth
            return lengths
        floor *= 2


def _canonical_codes(lengths: np.ndarray) -> np.ndarray:
    """Each symbol's canonical code, its bits reversed to be written least significant first."""
    used = np.flatnonzero(lengths)
    order = used[np.argsort(lengths[used], kind="stable")]  # by length, then by symbol
    sizes = lengths[order]
    codes = np.zeros(lengths.size, np.int64)
    code, previous = 0, 0
    starts = np.flatnonzero(np.diff(np.concatenate(([0], sizes))) != 0)
    for start, end in zip(starts, [*starts[1:], sizes.size]):
        size = int(sizes[start])
        code <<= size - previous
        previous = size
        run = np.arange(code, code + end - start)
        codes[order[start:end]] = _REVERSED[run] >> (15 - size)
        code += end - start
    return codes


def _write_code(bits: _Bits, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Write the prefix code for symbols counted ``counts``: its (codes, lengths) per symbol.

    A single symbol (or none) is the format's simple code, written with no bits at all."""
    used = np.flatnonzero(counts)
    if used.size <= 1:
        symbol = int(used[0]) if used.size else 0  # below 256: a literal always comes first
        bits.put(1, 1)  # simple code,
        bits.put(0, 1)  # of one symbol,
        bits.put(int(symbol > 1), 1)
        bits.put(symbol, 8 if symbol > 1 else 1)
        none = np.zeros(counts.size, np.int64)
        return none, none
    lengths = _code_lengths(counts, _LONGEST_CODE)
    tokens = _length_tokens(lengths.tolist())
    token_counts = np.bincount([token for token, _, _ in tokens], minlength=19)
    if np.count_nonzero(token_counts) == 1:  # a code needs two symbols: count an unused one
        token_counts[1 if token_counts[0] else 0] = 1
    token_lengths = _code_lengths(token_counts, 7)
    token_codes = _canonical_codes(token_lengths)
    stored = max(4, 1 + max(i for i, token in enumerate(_CODE_LENGTH_ORDER) if token_lengths[token]))
    bits.put(0, 1)  # normal code
    bits.put(stored - 4, 4)
    for token in _CODE_LENGTH_ORDER[:stored]:
        bits.put(int(token_lengths[token]), 3)
    bits.put(0, 1)  # a length for every symbol of the alphabet
    for token, extra, width in tokens:
        bits.put(int(token_codes[token]), int(token_lengths[token]))
        bits.put(extra, width)
    return _canonical_codes(lengths), lengths


def _length_tokens(lengths: list[int]) -> list[tuple[int, int, int]]:
    """Code lengths as the code-length code's tokens (token, extra bits, their width): lengths
    0..15, 16 repeating the length before 3..6 times, 17 and 18 runs of 3..10 and 11..138 zeros."""
    tokens: list[tuple[int, int, int]] = []
    i = 0
    while i < len(lengths):
        value, run = lengths[i], 1
        while i + run < len(lengths) and lengths[i + run] == value:
            run += 1
        i += run
        if value == 0:
            while run >= 11:
                step = min(run, 138)
                tokens.append((18, step - 11, 7))
                run -= step
            if run >= 3:
                tokens.append((17, run - 3, 3))
                run = 0
        else:
            tokens.append((value, 0, 0))
            run -= 1
            while run >= 3:
                step = min(run, 6)
                tokens.append((16, step - 3, 2))
                run -= step
        tokens.extend([(value, 0, 0)] * run)
    return tokens


def _prefix_coded(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values from 1 to 4,096 as the format's (prefix code, extra bits, their width)."""
    d = values.astype(np.int32) - 1
    high = np.zeros_like(d)
    large = d >= 4
    high[large] = np.log2(d[large]).astype(np.int32)  # exact below 2**24
    width = np.where(large, high - 1, 0)
    code = np.where(large, 2 * high + ((d >> width) & 1), d)
    return code, d & ((1 << width) - 1), width


def _colour_table(colours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The fields of the colour-indexing transform for ``colours`` (rows of A, R, G, B): the
    table as a one-row picture of the differences between neighbours, all literals."""
    deltas = (colours - np.vstack([np.zeros((1, 4), np.int64), colours[:-1]])) % 256
    alpha, red, green, blue = deltas.T
    bits = _Bits()
    bits.put(1, 1)  # a transform:
    bits.put(3, 2)  # colour indexing
    bits.put(len(colours) - 1, 8)
    bits.put(0, 1)  # no colour cache
    channels = (green, red, blue, alpha)
    codes = [_write_code(bits, np.bincount(c, minlength=n)) for c, n in zip(channels, (_GREEN_SYMBOLS, 256, 256, 256))]
    _write_code(bits, np.zeros(_DISTANCE_SYMBOLS, np.int64))
    bits.extend(
        np.stack([code[c] for (code, _), c in zip(codes, channels)], axis=1).ravel(),
        np.stack([length[c] for (_, length), c in zip(codes, channels)], axis=1).ravel(),
    )
    return bits.fields()


def vp8l(indices: np.ndarray, colour_table: tuple[np.ndarray, np.ndarray], alpha: bool) -> bytes:
    """A lossless WebP bitstream (a VP8L chunk's contents) of a picture of palette ``indices``
    (2-D uint8, at most 16,384 a side); ``colour_table`` is :func:`_colour_table` of the palette."""
    height, width = indices.shape
    bits = _Bits()
    for value, size in ((0x2F, 8), (width - 1, 14), (height - 1, 14), (int(alpha), 1), (0, 3)):
        bits.put(value, size)
    bits.extend(*colour_table)
    bits.put(0, 1)  # no more transforms
    bits.put(0, 1)  # no colour cache
    bits.put(0, 1)  # one prefix code group
    flat = indices.ravel()
    # each pixel: 1 copies the pixel above, 2 the pixel to the left, 0 is a literal
    kind = np.zeros(flat.size, np.int8)
    kind[1:][flat[1:] == flat[:-1]] = 2
    if height > 1:
        kind[width:][flat[width:] == flat[:-width]] = 1
    # tokens: one per literal, one per run of copies of one kind, at most 4,096 pixels long
    starts = np.flatnonzero(np.concatenate(([True], (kind[1:] != kind[:-1]) | (kind[1:] == 0)))).astype(np.int32)
    runs = np.diff(starts, append=np.int32(flat.size))
    kinds = kind[starts]
    del kind
    pieces = (runs + _LONGEST_COPY - 1) // _LONGEST_COPY
    if pieces.max() > 1:
        piece = np.arange(int(pieces.sum()), dtype=np.int32) - np.repeat(np.cumsum(pieces) - pieces, pieces)
        starts = np.repeat(starts, pieces) + piece * _LONGEST_COPY
        runs = np.minimum(np.repeat(runs, pieces) - piece * _LONGEST_COPY, _LONGEST_COPY)
        kinds = np.repeat(kinds, pieces)
    copy = kinds != 0
    length_code, length_extra, length_width = _prefix_coded(np.where(copy, runs, 1))
    green = np.where(copy, 256 + length_code, flat[starts]).astype(np.int16)
    distance = (kinds - 1).clip(0)  # distance codes 1 and 2 are prefix codes 0 and 1
    del starts, runs, length_code
    green_codes, green_lengths = _write_code(bits, np.bincount(green, minlength=_GREEN_SYMBOLS))
    for _ in ("red", "blue", "alpha"):  # always 0: the index is in green
        _write_code(bits, np.zeros(256, np.int64))
    distance_codes, distance_lengths = _write_code(bits, np.bincount(distance[copy], minlength=_DISTANCE_SYMBOLS))
    fields = np.empty((green.size, 3), np.int32)
    fields[:, 0], fields[:, 1], fields[:, 2] = green_codes[green], length_extra, distance_codes[distance]
    widths = np.empty((green.size, 3), np.uint8)
    widths[:, 0], widths[:, 1], widths[:, 2] = green_lengths[green], length_width, distance_lengths[distance] * copy
    bits.extend(fields.ravel(), widths.ravel())
    return bits.tobytes()
