"""Where a render's picture goes: a file named by ``-o``, or a stream already open (``-o -``),
and why it could not go there, in words."""

from __future__ import annotations

import errno
import os
import signal
import sys
from pathlib import Path
from typing import Any, Optional

import click

from .options import fail

#: Names of the standard streams as files: written as streams, as ``-o -`` writes standard output.
STREAM_NAMES = {"-": 1, "/dev/stdout": 1, "/dev/stderr": 2, "/dev/null": -1}


def stream_of(path: Optional[str]) -> Optional[int]:
    """The file descriptor ``path`` names as a stream (``-``, ``/dev/stdout``, ``/dev/stderr``,
    ``/dev/fd/N``, ``/proc/self/fd/N``; -1 for ``/dev/null``), or None for a file. Such names are
    written to the stream already open (appending where the shell opened it with ``>>``), never
    replaced by a new file as a file would be."""
    if path is None:
        return None
    if path in STREAM_NAMES:
        return STREAM_NAMES[path]
    for prefix in ("/dev/fd/", "/proc/self/fd/"):
        if path.startswith(prefix) and path[len(prefix) :].isdigit():
            return int(path[len(prefix) :])
    return None


def check_stream(fd: int, path: str) -> None:
    """Refuse a stream that is closed or a terminal, naming ``-o``."""
    if fd < 0:
        return
    try:
        os.fstat(fd)
    except OSError:
        where = "standard output" if path == "-" else path
        raise click.ClickException(f"cannot write to {where}: it is closed") from None
    if os.isatty(fd):
        where = "standard output" if fd == 1 else "standard error" if fd == 2 else f"file descriptor {fd}"
        raise fail(
            f"{path!r} writes the picture to {where}, which is a terminal here: redirect it to a file or a pipe "
            "(e.g. -o - > picture.gif)",
            "path",
        )


def send(fd: int, data: memoryview, path: str) -> None:
    """Write the picture to the stream ``fd`` whole; a reader that stops early (``| head``) is an
    error, with status 1, saying how much was written."""
    if fd < 0:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    previous = signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # a closed pipe is an error here, not a signal
    written = 0
    try:
        while written < len(data):
            written += os.write(fd, data[written:])
    except OSError as error:
        where = "standard output" if path == "-" else path
        if error.errno == errno.EPIPE:
            why = "the reader closed it"
        else:
            why = error.strerror or str(error)
        raise click.ClickException(
            f"cannot write to {where}: {why} after {written:,} of {len(data):,} bytes: the picture is incomplete"
        ) from None
    finally:
        signal.signal(signal.SIGPIPE, previous)


def folder_given(path: str, name: str) -> str:
    """The refusal of ``-o`` naming a folder (an argument error: convgif writes a file, and, as
    ``curl -o`` does, never guesses a name inside a folder), with the path it would take."""
    import shlex

    folder = path.rstrip("/" + os.sep) or path
    suggested = shlex.quote(os.path.join(folder, name))
    if os.path.isdir(path):
        return f"-o {path} is a folder; convgif writes a file: give its name, e.g. -o {suggested}"
    return (
        f"-o {path} names a folder (it ends in /), which does not exist; convgif writes a file and creates "
        f"no folder: e.g. mkdir -p {shlex.quote(folder)}, then -o {suggested}"
    )


def cannot_write(target: Any, error: OSError, option: str = "") -> str:
    """The refusal of a file that cannot be written (exit 1), naming the ``option`` that gave
    its path, if one did, and why (:func:`why_not_written`)."""
    named = f"{target} ({option})" if option else f"{target}"
    return f"cannot write {named}: {why_not_written(target, error)}"


def why_not_written(target: Any, error: OSError) -> str:
    """Why ``target`` could not be written, in words: a missing folder is named (convgif does
    not create folders, as ``cp`` or ``curl -o`` do not), and so is a folder that takes no new
    files (``/proc``) or that you may not write in."""
    folder = Path(target).parent
    said = error.strerror or str(error)
    if error.errno == errno.ENOENT and not folder.is_dir():
        import shlex

        return f"the folder {folder} does not exist (create it first, e.g. mkdir -p {shlex.quote(str(folder))})"
    if error.errno == errno.ENOENT:
        return f"the folder {folder} takes no new files (the system says: {said}); write elsewhere"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"{said}: you may not write this file, or create files in the folder {folder}"
    return said
