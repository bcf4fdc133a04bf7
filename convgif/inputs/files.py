"""Every file convgif reads, checked before it is trusted: a regular file of a bounded size.

A FIFO, a device or a socket is refused before anything is read (opening a FIFO for reading
would wait for a writer for ever, and a device may never end); a file larger than the reader's
limit is refused from its size alone. The limits are named where the readers are: pictures in
:mod:`convgif.inputs.images`, kernels in :mod:`convgif.inputs.kernels`, saved models in
:mod:`convgif.inputs.pytorch`, gallery files in :mod:`convgif.integrations.gallery`.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO


class UnreadableFile(OSError):
    """A file that is not read: not a regular file, too large, missing or not readable;
    ``strerror`` says why in words."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def open_regular(path: os.PathLike | str, limit: int) -> BinaryIO:
    """``path`` opened for reading in binary, once it is known to be a regular file of at most
    ``limit`` bytes (opened without waiting, then checked on the open file: what is read is
    what was checked); :class:`UnreadableFile` otherwise."""
    name = os.fspath(path)
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise UnreadableFile(errno.ENOENT, "no such file", name) from None
    except IsADirectoryError:
        raise UnreadableFile(errno.EISDIR, "is a folder, not a file", name) from None
    except OSError as error:
        raise UnreadableFile(error.errno or errno.EIO, error.strerror or str(error), name) from None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise UnreadableFile(errno.EINVAL, f"is {_kind(status.st_mode)}, not a regular file", name)
        if status.st_size > limit:
            raise UnreadableFile(
                errno.EFBIG, f"is {status.st_size:,} bytes, over the limit of {limit:,} bytes for this file", name
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: os.PathLike | str, limit: int) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes (see :func:`open_regular`);
    a file that grows past the limit while read is refused too."""
    with open_regular(path, limit) as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise UnreadableFile(errno.EFBIG, f"grew over the limit of {limit:,} bytes while read", os.fspath(path))
    return data


def why(error: OSError) -> str:
    """An :class:`OSError` in words, without the path (the message names the option)."""
    return error.strerror or str(error)
