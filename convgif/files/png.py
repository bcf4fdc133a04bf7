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

import io
import os
import struct
import zlib
from collections.abc import Sequence
from typing import BinaryIO

import numpy as np
from PIL import Image

from .atomic import write_bytes
from .base import RGB, _Animation


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))


class ApngWriter(_Animation):
    """Write frames to ``path`` as a looping animated PNG, streamed: 8-bit palette pixels, each
    frame after the first the changed rectangle blended over the one before.

    The first frame is also the still picture that viewers without APNG support show. The frame
    count, which the header holds, is filled in when the file is complete.
    """

    #: A frame's delay is stored in thousandths of a second, at most 65,535 of them.
    MAX_DELAY_MS = 65_535
    SEEKS = True
    #: zlib's default level; 9 makes a figure's file about a quarter smaller but takes about
    #: four times as long, more than GIF's whole render.
    LEVEL = 6

    def __init__(self, path: os.PathLike | str, size: tuple[int, int], palette: Sequence[RGB], loop: int = 0) -> None:
        super().__init__(path, size, palette, loop)
        self._sequence = 0
        self._control_at = 0  # where the animation control chunk is, to fill in the frame count

    def _start(self) -> None:
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 3, 0, 0, 0)  # 8-bit palette
        self._write(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header))
        self._control_at = self.bytes_written
        self._write(self._control())
        colours = b"".join(bytes(rgb) for rgb in self.palette) + b"\x00\x00\x00"  # + the transparent one
        self._write(_png_chunk(b"PLTE", colours) + _png_chunk(b"tRNS", b"\xff" * self.transparent + b"\x00"))

    def _control(self) -> bytes:
        return _png_chunk(b"acTL", struct.pack(">II", self.frames_written, self.loop))

    def _frame(self, x0: int, y0: int, patch: np.ndarray, transparent: bool, duration_ms: int) -> None:
        height, width = patch.shape
        blend = 1 if transparent else 0  # over the frame before, or replacing it
        control = struct.pack(">IIIIIHHBB", self._sequence, width, height, x0, y0, duration_ms, 1000, 0, blend)
        self._sequence += 1
        rows = np.zeros((height, width + 1), np.uint8)  # each row starts with its filter: none
        rows[:, 1:] = patch
        data = zlib.compress(rows.tobytes(), self.LEVEL)
        if self.frames_written == 0:
            self._write(_png_chunk(b"fcTL", control) + _png_chunk(b"IDAT", data))
        else:
            sequence = struct.pack(">I", self._sequence)
            self._sequence += 1
            self._write(_png_chunk(b"fcTL", control) + _png_chunk(b"fdAT", sequence + data))

    def _end(self) -> None:
        if self.frames_written == 0:
            raise ValueError("an animation needs at least one frame")
        self._write(_png_chunk(b"IEND", b""))
        assert self._file is not None
        self._file.seek(self._control_at)
        self._file.write(self._control())
        self._file.seek(0, os.SEEK_END)


def write_image(path: os.PathLike | str | BinaryIO, image: Image.Image) -> int:
    """Save one RGB picture as PNG, atomically; its size in bytes. A picture of at most 256
    colours (a frame, a sheet of tiles at full size) is stored with a palette, as an animation's
    frames are: the same pixels in fewer bytes, written sooner. One with more (tiles scaled down)
    is deflated at zlib's default level: the highest took three times as long for 3% fewer bytes."""
    buffer = io.BytesIO()
    colours = image.getcolors(256)
    if colours is None:
        image.save(buffer, format="PNG", compress_level=6)
    else:
        rgb = np.asarray(image, np.uint32)
        keys = rgb[..., 0] << 16 | rgb[..., 1] << 8 | rgb[..., 2]
        palette = np.unique([(r << 16 | g << 8 | b) for _, (r, g, b) in colours])
        indexed = Image.fromarray(np.searchsorted(palette, keys).astype(np.uint8), "P")
        indexed.putpalette(np.stack([palette >> 16, palette >> 8 & 255, palette & 255], 1).astype(np.uint8).tobytes())
        indexed.save(buffer, format="PNG", optimize=True)
    return write_bytes(path, buffer.getvalue())
