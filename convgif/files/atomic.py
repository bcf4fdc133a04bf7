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
import secrets
import stat
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Optional

from .formats import is_stream


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
                raise IsADirectoryError(
                    21, "Is a directory" if self.path.is_dir() else "Not a regular file", str(self.path)
                )
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
