"""The animation formats convgif writes, registered by name behind one small interface.

A format has a name (what ``--format`` takes), the file suffixes that name it, and a writer:
``open(path, size, palette)`` gives an object with ``add(frame, duration_ms, changed=None)``
(``changed``: rectangles outside which the frame equals the one before, when known) and
``frames_written`` that is used as a context manager, writing atomically (``path`` may also be
a binary file object, written directly). A format that needs an optional package says what to
install through ``missing()`` before anything is drawn.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union

from .spec import SpecError


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]
    open: Callable[[Union[str, os.PathLike], tuple[int, int], Sequence[tuple[int, int, int]]], Any]
    description: str
    #: What is missing to write this format, as an install command to run (None: nothing).
    missing: Callable[[], Optional[str]] = lambda: None

    @property
    def suffix(self) -> str:
        """The suffix of files convgif names in this format."""
        return self.suffixes[0]


def _writer(name: str):
    """Opens the writer class ``name`` of :mod:`convgif.writer`, loaded when first used."""

    def open_(path, size, palette):
        from . import writer

        return getattr(writer, name)(path, size, palette)

    return open_


def _mp4(path, size, palette):
    from .video import Mp4Writer

    return Mp4Writer(path, size, palette)


def _video_missing() -> Optional[str]:
    from .video import missing

    return missing()


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("gif", (".gif",), _writer("GifWriter"), "GIF, streamed frame by frame"),
        Format("webp", (".webp",), _writer("WebPWriter"), "animated WebP, lossless, streamed"),
        Format("apng", (".png", ".apng"), _writer("ApngWriter"), "animated PNG, streamed"),
        Format("mp4", (".mp4",), _mp4, "H.264 video for slides, streamed to ffmpeg", _video_missing),
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


def choose(path: Union[str, os.PathLike, None], name: Optional[str]) -> Format:
    """The format to write: ``name`` if given, else the one ``path``'s suffix names, else GIF.

    A suffix naming no supported format (:class:`SpecError` for ``path``), or another format
    than ``name`` (for ``image_format``), is refused: a file is never written in a format its name
    does not say.
    """
    if name is not None and name not in FORMATS:
        raise SpecError("image_format", f"image_format={name!r} must be one of {', '.join(FORMATS)}")
    suffix = Path(path).suffix.lower() if path is not None and str(path) != "-" else ""
    named = by_suffix(path) if suffix else None
    if suffix and named is None:
        known = ", ".join(s for f in FORMATS.values() for s in f.suffixes)
        raise SpecError(
            "path",
            f"{os.fspath(path)!r} ends in {suffix!r}, which names no format convgif writes: use {known} "
            f"({', '.join(FORMATS)})",
        )
    if name is not None:
        if named is not None and named.name != name:
            raise SpecError(
                "image_format", f"image_format={name!r}, but {os.fspath(path)!r} names {named.name}: make them agree"
            )
        return _available(FORMATS[name], "image_format")
    return _available(named, "path") if named is not None else FORMATS["gif"]


def _available(chosen: Format, argument: str) -> Format:
    """``chosen``, or :class:`SpecError` naming what to install for it."""
    install = chosen.missing()
    if install is not None:
        raise SpecError(argument, f"writing {chosen.name.upper()} needs an optional package: {install}")
    return chosen
