"""The animation formats convgif writes, registered by name behind one small interface.

A format has a name (what ``--format`` takes), the file suffixes that name it, and a writer:
``open(path, size, palette)`` gives an object with ``add(frame, duration_ms, changed=None)``
(``changed``: rectangles outside which the frame equals the one before, when known) and
``frames_written`` that is used as a context manager, writing atomically (``path`` may also be
a binary file object, written directly). A format that needs an optional package says what to
install through ``missing()`` before anything is drawn.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple, Optional, Union

from ..errors import SpecError


class Format(NamedTuple):
    """Everything about one format: its name, the suffixes that name it, its MIME type, its
    writer (``"module:Class"`` in this package, imported when first opened) and, for a format
    that needs an optional package, ``"module:function"`` saying what to install (None when
    nothing is missing)."""

    name: str
    suffixes: tuple[str, ...]
    mime: str
    writer: str
    description: str
    needs: Optional[str] = None

    @property
    def suffix(self) -> str:
        """The suffix of files convgif names in this format."""
        return self.suffixes[0]

    def open(self, path: Union[str, os.PathLike, Any], size: tuple[int, int], palette: Sequence[tuple[int, int, int]]):
        """A writer of this format for frames of ``size`` in ``palette``, used as a context manager."""
        return _load(self.writer)(path, size, palette)

    def missing(self) -> Optional[str]:
        """What is missing to write this format, as an install command to run (None: nothing)."""
        return _load(self.needs)() if self.needs else None


def _load(where: str) -> Any:
    module, _, name = where.partition(":")
    return getattr(importlib.import_module(f".{module}", __package__), name)


#: The formats, one line each: name, suffixes, MIME type, writer, description, what it needs.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("gif", (".gif",), "image/gif", "gif:GifWriter", "GIF, streamed frame by frame"),
        Format("webp", (".webp",), "image/webp", "webp:WebPWriter", "animated WebP, lossless, streamed"),
        Format("apng", (".png", ".apng"), "image/png", "png:ApngWriter", "animated PNG, streamed"),
        Format(
            "mp4", (".mp4",), "video/mp4", "mp4:Mp4Writer", "H.264 video for slides, streamed to ffmpeg", "mp4:missing"
        ),
    )
}
#: The suffix of the still pictures ``--frame`` and ``--sheet`` write.
STILL_SUFFIX = ".png"


def is_stream(target: object) -> bool:
    """Whether ``target`` is a binary file object (``io.BytesIO``, an open file) rather than a path."""
    return hasattr(target, "write") and not isinstance(target, (str, bytes, os.PathLike))


def by_suffix(path: Union[str, os.PathLike]) -> Optional[Format]:
    """The format a file's suffix names, or None."""
    suffix = Path(path).suffix.lower()
    return next((f for f in FORMATS.values() if suffix in f.suffixes), None)


def written_name(path: Union[str, os.PathLike]) -> str:
    """The name of the file writing ``path`` replaces: the file a symbolic link points to
    (see :mod:`convgif.files.atomic`), else ``path``."""
    given = os.fspath(path)
    return os.path.realpath(given) if os.path.islink(given) else given


def choose(path: Union[str, os.PathLike, None], name: Optional[str]) -> Format:
    """The format to write: ``name`` if given, else the one ``path``'s suffix names, else GIF.

    A suffix naming no supported format (:class:`SpecError` for ``path``), or another format
    than ``name`` (for ``format``), is refused: a file is never written in a format its name
    does not say. The name is that of the file written: a symbolic link's target's.
    """
    if name is not None and (not isinstance(name, str) or name not in FORMATS):
        from ..ops.args import fmt

        raise SpecError("format", f"format={fmt(name)} must be one of {', '.join(FORMATS)}")
    shown = ""
    if path is not None and str(path) != "-":
        written = written_name(path)
        if written != os.fspath(path):
            shown = f"{os.fspath(path)!r} is a link to {written!r}, which"
        path = written
    suffix = Path(path).suffix.lower() if path is not None and str(path) != "-" else ""
    named = by_suffix(path) if suffix else None
    shown = shown or f"{os.fspath(path)!r}" if path is not None else ""
    if suffix and named is None:
        known = ", ".join(s for f in FORMATS.values() for s in f.suffixes)
        raise SpecError(
            "path",
            f"{shown} ends in {suffix!r}, a suffix of no format convgif writes: use {known} ({', '.join(FORMATS)})",
        )
    if name is not None:
        if named is not None and named.name != name:
            raise SpecError("format", f"format={name!r}, but {shown} names {named.name}: make them agree")
        return _available(FORMATS[name], "format")
    return _available(named, "path") if named is not None else FORMATS["gif"]


def _available(chosen: Format, argument: str) -> Format:
    """``chosen``, or :class:`SpecError` naming what to install for it."""
    install = chosen.missing()
    if install is not None:
        raise SpecError(argument, f"writing {chosen.name.upper()} needs an optional package: {install}")
    return chosen
