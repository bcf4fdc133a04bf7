"""A streaming, atomic, deterministic GIF writer for palette-indexed frames.

Each frame is stored as the rectangle that changed since the previous one, with unchanged
pixels inside it set to a transparent index, which LZW compresses to almost nothing; Pillow's
LZW encoder compresses each rectangle with codes no wider than the palette needs. Only the previous and the pending frame are held in memory. The file
is written beside the target under a temporary name and renamed into place when complete, so
an interrupted or failed write leaves no partial file and any existing file untouched.
"""

from __future__ import annotations

import os
import secrets
import stat
import struct
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Optional

import numpy as np
from PIL import Image

from .formats import is_stream

RGB = tuple[int, int, int]

#: The longest delay a GIF frame can hold: 65,535 hundredths of a second.
MAX_DELAY_MS = 655_350
DO_NOT_DISPOSE = 1  # each frame is drawn over the one before


class AtomicFile:
    """A file written under a temporary name beside ``path`` and renamed onto it only when
    complete: a failure or an interrupt leaves ``path`` as it was. Writes through a symlink,
    keeps an existing file's permissions, and refuses folders and special files."""

    def __init__(self, path: os.PathLike | str | BinaryIO) -> None:
        #: A binary file object given instead of a path is written directly (no temporary name).
        self.stream: Optional[BinaryIO] = path if is_stream(path) else None  # type: ignore[assignment]
        self.path = None if self.stream is not None else Path(os.path.realpath(path))  # type: ignore[arg-type]
        self.bytes_written = 0
        self._file: Optional[BinaryIO] = None
        self._temp: Optional[Path] = None

    def __enter__(self):
        if self.stream is not None:
            self._file = self.stream
            self._start()
            return self
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
        assert self._file is not None
        if kind is not None:
            self._discard()
            return
        if self.stream is not None:
            self._finish()
            self.stream.flush()
            return
        assert self._temp is not None
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
        """Close and delete the temporary file: the target stays as it was (a file object given
        instead of a path is left open, holding what was written)."""
        if self.stream is not None or self._file is None or self._temp is None:
            return
        try:
            self._file.close()
        finally:
            self._temp.unlink(missing_ok=True)

    def _write(self, data: bytes) -> None:
        assert self._file is not None
        self._file.write(data)
        self.bytes_written += len(data)


class GifWriter(AtomicFile):
    """Write frames (2-D uint8 arrays of palette indices) to ``path`` as a looping GIF.

    Use as a context manager; ``add`` each frame with its duration in milliseconds (GIF keeps
    hundredths of a second). A frame identical to the one before it extends that one's
    duration instead of being stored again.
    """

    def __init__(self, path: os.PathLike | str | BinaryIO, size: tuple[int, int], palette: Sequence[RGB], loop: int = 0) -> None:
        if len(palette) > 255:
            raise ValueError(f"a GIF palette holds 255 colours plus transparency, not {len(palette)}")
        super().__init__(path)
        self.width, self.height = size
        self.palette = list(palette)
        self.loop = loop
        self.transparent = len(self.palette)
        # palette indices and the transparent one fit in this many bits; LZW codes start one wider
        self.bits = max(2, self.transparent.bit_length())
        self.frames_written = 0
        self._previous: Optional[np.ndarray] = None
        self._pending: Optional[np.ndarray] = None
        self._pending_ms = 0

    def _start(self) -> None:
        self._write(self._header())

    def _finish(self) -> None:
        self._flush_pending()
        self._write(b";")

    def add(self, frame: np.ndarray, duration_ms: int) -> None:
        if frame.shape != (self.height, self.width) or frame.dtype != np.uint8:
            raise ValueError(f"frame must be uint8 of shape {(self.height, self.width)}")
        if not 0 <= duration_ms <= MAX_DELAY_MS:
            raise ValueError(f"duration_ms={duration_ms} must be between 0 and {MAX_DELAY_MS}")
        if (
            self._pending is not None
            and self._pending_ms + duration_ms <= MAX_DELAY_MS
            and np.array_equal(frame, self._pending)
        ):
            self._pending_ms += duration_ms
            return
        self._flush_pending()
        self._pending = frame.copy()
        self._pending_ms = duration_ms

    # -- encoding -----------------------------------------------------------------------

    def _header(self) -> bytes:
        table = bytearray(3 << self.bits)
        for i, rgb in enumerate(self.palette):
            table[3 * i : 3 * i + 3] = bytes(rgb)
        screen = struct.pack("<HHBBB", self.width, self.height, 0xF0 | (self.bits - 1), 0, 0)
        looping = b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", self.loop) + b"\x00"
        return b"GIF89a" + screen + bytes(table) + looping

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
            patch = np.where(changed[y0:y1, x0:x1], frame[y0:y1, x0:x1], np.uint8(self.transparent))
            transparent = True
        height, width = patch.shape
        image = Image.frombytes("P", (width, height), np.ascontiguousarray(patch).tobytes())
        control = struct.pack(
            "<3sBHBB", b"!\xf9\x04", DO_NOT_DISPOSE << 2 | transparent, self._pending_ms // 10,
            self.transparent if transparent else 0, 0,
        )
        descriptor = struct.pack("<sHHHHBB", b",", int(x0), int(y0), width, height, 0, self.bits)
        self._write(control + descriptor + image.tobytes("gif", "P", self.bits) + b"\x00")
        self.frames_written += 1
        self._previous = frame
        self._pending = None


class PillowWriter(AtomicFile):
    """Animated WebP (lossless) or APNG through Pillow, with the same interface as
    :class:`GifWriter`. These encoders take all frames at once, so frames are kept in memory."""

    FORMATS = {"webp": ("WEBP", {"lossless": True, "quality": 100, "method": 4}), "apng": ("PNG", {"optimize": True})}

    def __init__(self, path: os.PathLike | str | BinaryIO, size: tuple[int, int], palette: Sequence[RGB], image_format: str) -> None:
        super().__init__(path)
        self.width, self.height = size
        self.format, self.options = self.FORMATS[image_format]
        self.lut = np.array(list(palette), np.uint8)
        self.frames: list[np.ndarray] = []
        self.durations: list[int] = []

    @property
    def frames_written(self) -> int:
        return len(self.frames)

    def add(self, frame: np.ndarray, duration_ms: int) -> None:
        if self.frames and np.array_equal(frame, self.frames[-1]):
            self.durations[-1] += duration_ms
            return
        self.frames.append(frame.copy())
        self.durations.append(duration_ms)

    def _finish(self) -> None:
        assert self._file is not None
        images = [Image.fromarray(self.lut[f]) for f in self.frames]
        images[0].save(
            self._file, format=self.format, save_all=True, append_images=images[1:],
            duration=self.durations, loop=0, **self.options,
        )
        self.bytes_written = self._file.tell()


def write_image(path: os.PathLike | str | BinaryIO, image: Image.Image) -> int:
    """Save one picture as PNG, atomically; its size in bytes."""
    with AtomicFile(path) as target:
        assert target._file is not None
        image.save(target._file, format="PNG", optimize=True)
        size = target._file.tell()
    return size
