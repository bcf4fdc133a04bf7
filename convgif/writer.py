"""Streaming, atomic, deterministic writers of palette-indexed frames: GIF, APNG and WebP.

Each frame is stored as the rectangle that changed since the previous one, with unchanged
pixels inside it set to a transparent index, which compresses to almost nothing (LZW for GIF,
deflate for APNG, lossless VP8L for WebP). Only the previous and the pending frame are held in
memory, whatever the number of frames. The file is written beside the target under a temporary
name and renamed into place when complete, so an interrupted or failed write leaves no partial
file and any existing file untouched.
"""

from __future__ import annotations

import io
import os
import secrets
import stat
import struct
import zlib
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, ClassVar, Optional

import numpy as np
from PIL import Image

RGB = tuple[int, int, int]

#: The longest delay a GIF frame can hold: 65,535 hundredths of a second.
MAX_DELAY_MS = 655_350
DO_NOT_DISPOSE = 1  # each frame is drawn over the one before


class AtomicFile:
    """A file written under a temporary name beside ``path`` and renamed onto it only when
    complete: a failure or an interrupt leaves ``path`` as it was. Writes through a symlink,
    keeps an existing file's permissions, and refuses folders and special files."""

    def __init__(self, path: os.PathLike | str) -> None:
        self.path = Path(os.path.realpath(path))  # through a symlink, as shell redirection does
        self.bytes_written = 0
        self._file: Optional[BinaryIO] = None
        self._temp: Optional[Path] = None

    def __enter__(self):
        mode = 0o666  # the umask applies
        if self.path.exists():
            if not self.path.is_file():
                raise IsADirectoryError(21, "Is a directory" if self.path.is_dir() else "Not a regular file", str(self.path))
            mode = stat.S_IMODE(self.path.stat().st_mode)
        while True:  # a fresh name beside the target
            temp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.part")
            try:
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
                break
            except FileExistsError:
                continue
        self._temp = temp
        self._file = os.fdopen(fd, "wb")
        try:
            if mode != 0o666:
                os.chmod(fd, mode)
            self._start()
        except BaseException:
            self._discard()
            raise
        return self

    def __exit__(
        self,
        kind: Optional[type[BaseException]],
        error: Optional[BaseException],
        trace: Optional[TracebackType],
    ) -> None:
        assert self._file is not None and self._temp is not None
        if kind is not None:
            self._discard()
            return
        try:
            self._finish()
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.replace(self._temp, self.path)
        except BaseException:
            self._discard()
            raise

    def _start(self) -> None:
        """Called once the temporary file is open."""

    def _finish(self) -> None:
        """Called before the temporary file is closed and renamed."""

    def _discard(self) -> None:
        """Close and delete the temporary file: the target stays as it was."""
        assert self._file is not None and self._temp is not None
        try:
            self._file.close()
        finally:
            self._temp.unlink(missing_ok=True)

    def _write(self, data: bytes) -> None:
        assert self._file is not None
        self._file.write(data)
        self.bytes_written += len(data)


class _Animation(AtomicFile):
    """Frames (2-D uint8 arrays of palette indices) written one by one as a looping animation.

    Use as a context manager; ``add`` each frame with its duration in milliseconds. A frame
    identical to the one before it extends that one's duration instead of being stored again.
    Every frame after the first is stored as the rectangle that changed, unchanged pixels inside
    it set to a transparent index (``len(palette)``) drawn over the frame before. Only the
    previous and the pending frame are held in memory. Subclasses write the format.
    """

    #: The longest a frame can show; a still held longer is stored as several frames.
    MAX_DELAY_MS = MAX_DELAY_MS
    #: Rectangles start at multiples of this many pixels.
    ALIGN = 1

    def __init__(self, path: os.PathLike | str, size: tuple[int, int], palette: Sequence[RGB], loop: int = 0) -> None:
        if len(palette) > 255:
            raise ValueError(f"a palette holds 255 colours plus transparency, not {len(palette)}")
        super().__init__(path)
        self.width, self.height = size
        self.palette = list(palette)
        self.loop = loop
        self.transparent = len(self.palette)
        self.frames_written = 0
        self._previous: np.ndarray | None = None
        self._pending: np.ndarray | None = None
        self._pending_ms = 0

    def _finish(self) -> None:
        self._flush_pending()
        self._end()

    def add(self, frame: np.ndarray, duration_ms: int) -> None:
        if frame.shape != (self.height, self.width) or frame.dtype != np.uint8:
            raise ValueError(f"frame must be uint8 of shape {(self.height, self.width)}")
        if not 0 <= duration_ms <= self.MAX_DELAY_MS:
            raise ValueError(f"duration_ms={duration_ms} must be between 0 and {self.MAX_DELAY_MS}")
        if (
            self._pending is not None
            and self._pending_ms + duration_ms <= self.MAX_DELAY_MS
            and np.array_equal(frame, self._pending)
        ):
            self._pending_ms += duration_ms
            return
        self._flush_pending()
        self._pending = frame.copy()
        self._pending_ms = duration_ms

    def _flush_pending(self) -> None:
        frame = self._pending
        if frame is None:
            return
        previous = self._previous
        if previous is None:
            x0, y0, patch, transparent = 0, 0, frame, False
        else:
            changed = frame != previous
            rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
            if rows.size == 0:  # same picture as the frame before: a one-pixel no-op frame
                rows, cols = np.array([0]), np.array([0])
            y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
            y0, x0 = y0 - y0 % self.ALIGN, x0 - x0 % self.ALIGN
            patch = np.where(changed[y0:y1, x0:x1], frame[y0:y1, x0:x1], np.uint8(self.transparent))
            transparent = True
        self._frame(int(x0), int(y0), np.ascontiguousarray(patch), transparent, self._pending_ms)
        self.frames_written += 1
        self._previous = frame
        self._pending = None

    def _frame(self, x0: int, y0: int, patch: np.ndarray, transparent: bool, duration_ms: int) -> None:
        """Write one frame: ``patch`` of palette indices at (x0, y0), drawn over the frame before
        where ``transparent`` (its transparent pixels showing that frame)."""
        raise NotImplementedError

    def _end(self) -> None:
        """Write what follows the last frame."""


class GifWriter(_Animation):
    """Write frames to ``path`` as a looping GIF (which keeps hundredths of a second).

    Pillow's LZW encoder compresses each rectangle with codes no wider than the palette needs.
    """

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
        image = Image.frombytes("P", (width, height), patch.tobytes())
        control = struct.pack(
            "<3sBHBB", b"!\xf9\x04", DO_NOT_DISPOSE << 2 | transparent, duration_ms // 10,
            self.transparent if transparent else 0, 0,
        )
        descriptor = struct.pack("<sHHHHBB", b",", x0, y0, width, height, 0, self.bits)
        self._write(control + descriptor + image.tobytes("gif", "P", self.bits) + b"\x00")


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
    #: zlib's default level: within a few per cent of the smallest output, several times faster.
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


class WebPWriter(_Animation):
    """Write frames to ``path`` as a looping lossless animated WebP, streamed: each frame after
    the first the changed rectangle (from even coordinates, as WebP requires) blended over the
    one before, each rectangle a lossless WebP picture encoded by Pillow.

    Lossless encoding costs several times what GIF's LZW does, so rectangles are encoded on
    worker threads (Pillow lets go of the interpreter while it encodes) while the next frames
    are drawn, and written in order: the bytes do not depend on the threads' timing. The file's
    length, which its header holds, is filled in when the file is complete.
    """

    #: A frame's duration is stored in thousandths of a second, in 24 bits.
    MAX_DELAY_MS = (1 << 24) - 1
    ALIGN = 2
    MAX_SIDE = 16_384
    #: Lossless encoding effort: the fastest setting that still looks for repeated patterns.
    #: Higher ones make a figure's file about a tenth smaller and take half as long again.
    OPTIONS: ClassVar[dict[str, object]] = {"lossless": True, "quality": 0, "method": 1}
    #: Encoding threads, and how many rectangles each may have waiting.
    WORKERS = max(1, min(4, os.cpu_count() or 1))
    QUEUED = 2

    def __init__(self, path: os.PathLike | str, size: tuple[int, int], palette: Sequence[RGB], loop: int = 0) -> None:
        if max(size) > self.MAX_SIDE:
            raise ValueError(f"a WebP picture is at most {self.MAX_SIDE} pixels a side, not {size}")
        super().__init__(path, size, palette, loop)
        self._colours = b"".join(bytes(rgb) for rgb in self.palette) + b"\x00\x00\x00"  # + the transparent one
        self._pool: ThreadPoolExecutor | None = None
        self._queue: deque[tuple[bytes, Future[bytes]]] = deque()

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
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.WORKERS, thread_name_prefix="convgif-webp")
        self._queue.append((place + bytes([flags]), self._pool.submit(self._encode, patch, transparent)))
        while len(self._queue) > self.QUEUED * self.WORKERS:
            self._write_next()

    def _encode(self, patch: np.ndarray, transparent: bool) -> bytes:
        """The picture chunks of one rectangle (on a worker thread)."""
        height, width = patch.shape
        image = Image.frombytes("P", (width, height), patch.tobytes())
        image.putpalette(self._colours)
        if transparent:
            image.info["transparency"] = self.transparent
        image = image.convert("RGBA" if transparent else "RGB")
        buffer = io.BytesIO()
        image.save(buffer, format="WEBP", **self.OPTIONS)
        return _picture_chunks(buffer.getvalue())

    def _write_next(self) -> None:
        head, picture = self._queue.popleft()
        self._write(_riff_chunk(b"ANMF", head + picture.result()))

    def _end(self) -> None:
        while self._queue:
            self._write_next()
        self._stop()
        if self.frames_written == 0:
            raise ValueError("an animation needs at least one frame")
        assert self._file is not None
        self._file.seek(4)
        self._file.write(struct.pack("<I", self.bytes_written - 8))
        self._file.seek(0, os.SEEK_END)

    def _discard(self) -> None:
        self._stop()
        super()._discard()

    def _stop(self) -> None:
        """End the worker threads, dropping rectangles not yet encoded."""
        self._queue.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _u24(value: int) -> bytes:
    return value.to_bytes(3, "little")


def _riff_chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + b"\x00" * (len(data) % 2)


def _picture_chunks(webp: bytes) -> bytes:
    """The chunks of a still WebP file that hold its picture (VP8L, or ALPH and VP8)."""
    if webp[:4] != b"RIFF" or webp[8:12] != b"WEBP":
        raise ValueError("the WebP encoder returned something else")
    chunks, at = [], 12
    while at + 8 <= len(webp):
        kind, size = webp[at : at + 4], struct.unpack("<I", webp[at + 4 : at + 8])[0]
        end = at + 8 + size + size % 2
        if kind in (b"VP8L", b"VP8 ", b"ALPH"):
            chunks.append(webp[at:end])
        at = end
    if not chunks:
        raise ValueError("the WebP encoder returned no picture")
    return b"".join(chunks)


ANIMATION_WRITERS: dict[str, type[_Animation]] = {"gif": GifWriter, "webp": WebPWriter, "apng": ApngWriter}


def PillowWriter(
    path: os.PathLike | str, size: tuple[int, int], palette: Sequence[RGB], image_format: str
) -> _Animation:
    """The writer of ``image_format``, ``"webp"`` or ``"apng"``: both stream, as GIF does."""
    return ANIMATION_WRITERS[image_format](path, size, palette)


def write_image(path: os.PathLike | str, image: Image.Image) -> int:
    """Save one picture as PNG, atomically; its size in bytes."""
    with AtomicFile(path) as target:
        assert target._file is not None
        image.save(target._file, format="PNG", optimize=True)
        size = target._file.tell()
    return size
