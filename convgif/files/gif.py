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

import os
import struct
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageFile

from . import lzw
from .base import DO_NOT_DISPOSE, RGB, _Animation


class GifWriter(_Animation):
    """Write frames to ``path`` as a looping GIF (which keeps hundredths of a second).

    Each rectangle is LZW-compressed with codes no wider than the palette needs: by
    :mod:`convgif.lzw` when it is mostly long runs of one colour (a frame after the first
    usually is), else by Pillow's encoder; the two write the same bytes.
    """

    #: Whether rectangles of long runs go to :mod:`convgif.lzw` (False: all to Pillow's encoder).
    RUNS = True

    def __init__(self, path: os.PathLike | str, size: tuple[int, int], palette: Sequence[RGB], loop: int = 0) -> None:
        if len(palette) > 255:
            raise ValueError(f"a GIF palette holds 255 colours plus transparency, not {len(palette)}")
        super().__init__(path, size, palette, loop)
        # palette indices and the transparent one fit in this many bits; LZW codes start one wider
        self.bits = max(2, self.transparent.bit_length())

    def _start(self) -> None:
        self._write(self._header())

    def _end(self) -> None:
        self._write(b";")

    def _header(self) -> bytes:
        table = bytearray(3 << self.bits)
        for i, rgb in enumerate(self.palette):
            table[3 * i : 3 * i + 3] = bytes(rgb)
        screen = struct.pack("<HHBBB", self.width, self.height, 0xF0 | (self.bits - 1), 0, 0)
        looping = b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", self.loop) + b"\x00"
        return b"GIF89a" + screen + bytes(table) + looping

    def _frame(self, x0: int, y0: int, patch: np.ndarray, transparent: bool, duration_ms: int) -> None:
        height, width = patch.shape
        control = struct.pack(
            "<3sBHBB",
            b"!\xf9\x04",
            DO_NOT_DISPOSE << 2 | transparent,
            duration_ms // 10,
            self.transparent if transparent else 0,
            0,
        )
        descriptor = struct.pack("<sHHHHBB", b",", x0, y0, width, height, 0, self.bits)
        self._write(control + descriptor + self._lzw(patch, transparent) + b"\x00")

    def _lzw(self, patch: np.ndarray, transparent: bool) -> bytes:
        """The picture's LZW data sub-blocks."""
        height, width = patch.shape
        # A whole picture (the first frame) is left to Pillow: it is seldom mostly one colour.
        # Pillow's encoder ends a sub-block early where its output buffer ends, unless the
        # buffer holds a whole number of them (it does for pictures up to 16,384 pixels wide).
        if self.RUNS and transparent and max(ImageFile.MAXBLOCK, 4 * width) % 256 == 0:
            found = lzw.runs(patch, self.transparent)
            if found is not None:
                return lzw.encode(*found, self.bits)
        return Image.frombuffer("P", (width, height), patch, "raw", "P", 0, 1).tobytes("gif", "P", self.bits)
