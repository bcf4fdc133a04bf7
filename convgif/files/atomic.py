"""One way to write every file convgif writes: beside the target under a temporary name, then
renamed over it.

An interrupted or failed write leaves no partial file and any existing file untouched. Which
file is written, and how, follows what users of ``cp``, ``curl -o`` and the shell's ``>``
expect (:func:`destination`):

- a symbolic link is written through, to the file it points to (as ``cp`` and ``>`` do), and
  that file's name is the one whose suffix says the format; a dangling link is refused, as
  GNU ``cp`` refuses to write through one;
- an existing file keeps its permissions as a plain file's (without setuid, setgid or sticky
  bits) and, where the writer may set them, its owner and group; a write-protected file (no
  write permission for the writer, or none at all for anyone, even for root) is refused, as
  the shell's ``>`` refuses it;
- a folder, a path ending in ``/``, a device, a FIFO or a socket is refused: streams are
  written with ``-o -`` (or a file object, in Python);
- the temporary name stays within the file system's limit on names, however long the
  target's name is.

Temporary files being written are listed in :data:`LIVE`, so that a signal that must end the
process at once can still remove them (:func:`remove_live`).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Optional

from .formats import is_stream

#: Temporary files now being written (paths as strings), removed by :func:`remove_live`.
LIVE: set[str] = set()
#: A name's limit when the file system does not say: 255 bytes, as on ext4, XFS, Btrfs, APFS.
NAME_MAX = 255


def remove_live() -> None:
    """Delete every temporary file still being written (a signal ends the process at once)."""
    for name in list(LIVE):
        try:
            os.unlink(name)
        except OSError:
            pass
        LIVE.discard(name)


def name_max(folder: Path) -> int:
    """The longest file name, in bytes, that ``folder``'s file system takes."""
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return NAME_MAX


def temporary_name(target: Path, suffix: str = "") -> Path:
    """A fresh hidden name beside ``target`` (``.NAME.1a2b3c4d.part`` + ``suffix``), the target's
    name shortened when needed so that the whole stays within the file system's limit."""
    tail = f".{os.urandom(4).hex()}.part{suffix}"
    room = name_max(target.parent) - 1 - len(tail.encode())
    name = target.name
    while len(os.fsencode(name)) > room:
        name = name[:-1]
    return target.with_name(f".{name}{tail}")


def _no(code: int, why: str, path: object) -> OSError:
    return OSError(code, why, os.fspath(path))  # type: ignore[arg-type]


def destination(path: os.PathLike | str, follow: bool = True) -> Path:
    """The file that writing ``path`` replaces, checked before any work: ``path`` itself, or
    the file a symbolic link at ``path`` points to (with ``follow``; without it the link itself
    is replaced, as for the files convgif names itself: pages, manifests, tables). Refusals
    are :class:`OSError` with the reason as ``strerror`` (see the module's rules)."""
    given = os.fspath(path)
    if not given:
        raise _no(errno.ENOENT, "the path is empty", given)
    if given.endswith(("/", os.sep)) or os.path.basename(given) in (".", ".."):
        raise _no(errno.EISDIR, "names a folder (convgif writes a file: give its name)", given)
    link = os.path.islink(given)
    if link and not follow:
        folder = Path(os.path.realpath(os.path.dirname(os.path.abspath(given))))
        return folder / os.path.basename(given)
    real = Path(os.path.realpath(given))
    try:
        status = os.stat(real)
    except FileNotFoundError:
        if link:
            raise _no(
                errno.ENOENT,
                f"is a symbolic link to {os.readlink(given)}, which does not exist: convgif does not "
                "write through a dangling link (as cp does not); remove the link or point it at a file",
                given,
            ) from None
        if len(os.fsencode(real.name)) > name_max(real.parent if real.parent.is_dir() else Path(".")):
            raise _no(errno.ENAMETOOLONG, "File name too long", given) from None
        return real
    except NotADirectoryError:
        raise _no(errno.ENOTDIR, "a folder on the way is a file", given) from None
    if stat.S_ISDIR(status.st_mode):
        raise _no(errno.EISDIR, "Is a directory", given)
    if not stat.S_ISREG(status.st_mode):
        kind = (
            "a character device"
            if stat.S_ISCHR(status.st_mode)
            else "a block device"
            if stat.S_ISBLK(status.st_mode)
            else "a FIFO"
            if stat.S_ISFIFO(status.st_mode)
            else "a socket"
            if stat.S_ISSOCK(status.st_mode)
            else "not a regular file"
        )
        raise _no(
            errno.EINVAL,
            f"is {kind}, not a file: convgif writes files, or a stream with -o - (e.g. -o - > {given})",
            given,
        )
    if not status.st_mode & 0o222 or not os.access(real, os.W_OK):
        mode = stat.S_IMODE(status.st_mode)
        raise _no(
            errno.EACCES,
            f"is write-protected (mode {mode:04o}): convgif does not replace it, as the shell's > does not; "
            "make it writable (chmod u+w) or remove it first",
            given,
        )
    return real


class AtomicFile:
    """A file written under a temporary name beside ``path`` and renamed onto it only when
    complete: a failure or an interrupt leaves ``path`` as it was (see :func:`destination` for
    what is written and what is refused). A binary file object given instead of a path is
    written directly, short writes written on; a format that goes back to fill in its header
    (``SEEKS``) is first written to memory and then copied into it."""

    #: Whether the writer seeks back into what it wrote.
    SEEKS = False
    #: What the temporary file's name ends in.
    TEMP_SUFFIX = ""

    def __init__(self, path: os.PathLike | str | BinaryIO, follow: bool = True) -> None:
        #: A binary file object given instead of a path is written directly (no temporary name).
        self.stream: Optional[BinaryIO] = path if is_stream(path) else None  # type: ignore[assignment]
        self.path = None if self.stream is not None else destination(path, follow)  # type: ignore[arg-type]
        self.bytes_written = 0
        self._file: Optional[BinaryIO] = None
        self._temp: Optional[Path] = None

    def __enter__(self):
        if self.stream is not None:
            self._file = io.BytesIO() if self.SEEKS else self.stream  # type: ignore[assignment]
            self._start()
            return self
        assert self.path is not None
        before = self.path.stat() if self.path.is_file() and not self.path.is_symlink() else None
        while True:  # a fresh name beside the target
            temp = temporary_name(self.path, self.TEMP_SUFFIX)
            LIVE.add(str(temp))
            try:
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
                break
            except FileExistsError:
                LIVE.discard(str(temp))
                continue
            except BaseException:
                LIVE.discard(str(temp))
                raise
        self._temp = temp
        self._file = os.fdopen(fd, "wb")
        try:
            if before is not None:  # keep the file's owner and group where allowed, and its mode as a plain file's
                try:
                    os.fchown(fd, before.st_uid, before.st_gid)
                except OSError:
                    pass
                os.fchmod(fd, stat.S_IMODE(before.st_mode) & 0o777)
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
            if isinstance(error, OSError) and error.filename is None and self.path is not None:
                error.filename = str(self.path)
            return
        if self.stream is not None:
            self._finish()
            if self._file is not self.stream:
                assert isinstance(self._file, io.BytesIO)
                write_all(self.stream, self._file.getbuffer())
            flush = getattr(self.stream, "flush", None)
            if flush is not None:
                flush()
            return
        assert self._temp is not None
        try:
            self._finish()
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.replace(self._temp, self.path)  # type: ignore[arg-type]
            LIVE.discard(str(self._temp))
        except BaseException as failure:
            self._discard()
            if isinstance(failure, OSError) and failure.filename is None:
                failure.filename = str(self.path)
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
            LIVE.discard(str(self._temp))

    def _write(self, data: bytes) -> None:
        assert self._file is not None
        write_all(self._file, data)
        self.bytes_written += len(data)


def write_all(stream: BinaryIO, data: bytes | memoryview) -> None:
    """Write all of ``data`` to ``stream``, going on after short writes (a raw stream may take
    a few bytes at a time); a stream that takes nothing is an :class:`OSError`."""
    view = memoryview(data).cast("B")
    while view:
        written = stream.write(view)
        if written is None:  # a buffered stream that took it all (or says nothing)
            return
        if written <= 0:
            raise OSError(errno.EIO, "the stream took none of the bytes written to it")
        view = view[written:]


def write_bytes(path: os.PathLike | str | BinaryIO, data: bytes, follow: bool = True) -> int:
    """Write ``data`` to ``path`` atomically (see :class:`AtomicFile`); its size."""
    with AtomicFile(path, follow) as target:
        target._write(data)
    return len(data)


def write_together(contents: list[tuple[os.PathLike | str, bytes]], follow: bool = True) -> None:
    """Write several files as one: every one is written and flushed to disk under its temporary
    name before any is renamed into place, so that a full disk or a failure leaves all of them
    as they were (only a failure of a rename itself, after the others, can split them)."""
    with contextlib.ExitStack() as stack:
        targets = [stack.enter_context(AtomicFile(path, follow)) for path, _ in contents]
        for target, (_, data) in zip(targets, contents):
            target._write(data)
        for target in targets:
            assert target._file is not None
            target._file.flush()
            os.fsync(target._file.fileno())


def write_text(path: os.PathLike | str, text: str, follow: bool = False) -> int:
    """Write ``text`` as UTF-8 to ``path`` atomically (a symbolic link there replaced, unless
    ``follow``); its size in bytes."""
    return write_bytes(path, text.encode("utf-8"), follow)


def write_if_changed(path: os.PathLike | str, text: str) -> None:
    """Write ``text`` to ``path`` atomically, unless the regular file there already holds it (a
    page rebuilt unchanged keeps its time; a file of another size is not even read)."""
    data = text.encode("utf-8")
    try:
        info = os.stat(path)
        if stat.S_ISREG(info.st_mode) and info.st_size == len(data) and Path(path).read_bytes() == data:
            return
    except OSError:
        pass
    write_bytes(path, data)
