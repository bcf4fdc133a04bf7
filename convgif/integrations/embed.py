"""How a rendered picture goes into a page: one place for the markup and the still's name.

Every integration that shows a render writes it through here: the command's ``--markdown`` and
``--html`` snippets, the gallery's pages, the MkDocs plugin and a notebook's display. A page
shows an animation in a ``<picture>`` whose ``<source>`` gives readers who prefer reduced
motion its still (the last frame, :func:`still_name` beside it); an MP4 is a ``<video>`` with
the still as its poster, which plays only when asked; a notebook gets the bytes themselves as a
data URI. The layer's caption is the alt text (a video's ``aria-label``). A picture whose size
is known gets ``width`` and ``height`` (its place is kept while it loads) and the style
:data:`FIT`, without which a page's ``max-width: 100%`` would squash a picture wider than the
column; where a page removes ``style`` (GitHub), leave the size out.

Sources are paths (``str`` or :class:`os.PathLike`), written as relative URLs: ``/`` separates
the parts and each part is percent-encoded (``my fig.gif`` -> ``my%20fig.gif``), so a name with
spaces or brackets still works in a ``srcset`` or a Markdown link; or ``bytes``, which become a
``data:`` URI. Every attribute is escaped here, once.
"""

from __future__ import annotations

import base64
import html as markup
import os
import re
from pathlib import PurePath
from typing import Optional, TypeVar, Union
from urllib.parse import quote

#: A picture's source: a path, written as a relative URL, or its bytes (a data URI).
Source = Union[str, "os.PathLike[str]", bytes]
#: What a still's name adds to the animation's stem.
STILL_ENDING = "-still.png"
#: The media query under which a ``<picture>`` shows the still instead of the animation.
REDUCED_MOTION = "(prefers-reduced-motion: reduce)"
#: The style of a picture whose size is given: no wider than the page or cell, and as high
#: as that width makes it.
FIT = "max-width:100%;height:auto"
#: The MIME type of the stills ``--frame``, ``--sheet`` and posters write.
STILL_MIME = "image/png"

P = TypeVar("P", str, PurePath)


def still_name(path: P) -> P:
    """The still of an animation, beside it: ``fig.gif`` -> ``fig-still.png`` (a path for a
    path, text for text)."""
    if isinstance(path, PurePath):
        return path.with_name(path.stem + STILL_ENDING)
    return os.path.splitext(path)[0] + STILL_ENDING


def mime(format: str) -> str:
    """The MIME type of a format convgif writes (``"png"``: a still)."""
    from ..files.formats import FORMATS

    if format in FORMATS:
        return FORMATS[format].mime
    if format == "png":
        return STILL_MIME
    raise ValueError(f"format={format!r} must be one of {', '.join([*FORMATS, 'png'])}")


def format_of(path: Union[str, "os.PathLike[str]"]) -> str:
    """The format a picture's file name says (``.png``: ``"png"``, a still or an APNG alike)."""
    from ..files.formats import by_suffix

    if PurePath(path).suffix.lower() == ".png":
        return "png"
    named = by_suffix(path)
    if named is None:
        raise ValueError(f"{os.fspath(path)!r} names no format convgif writes")
    return named.name


def url(source: Source, format: Optional[str] = None) -> str:
    """``source`` as a URL: a path with each part percent-encoded, or bytes as a ``data:`` URI
    of ``format``'s MIME type. Not escaped for HTML (see :func:`attribute`)."""
    if isinstance(source, bytes):
        if format is None:
            raise ValueError("a picture given as bytes needs its format")
        return f"data:{mime(format)};base64,{base64.b64encode(source).decode('ascii')}"
    path = os.fspath(source).replace(os.sep, "/")
    return quote(path, safe="/")


def attribute(text: str) -> str:
    """``text`` for an HTML attribute value in double quotes (``&``, ``<``, ``>`` and both quotes escaped)."""
    return markup.escape(text, quote=True)


def html(
    source: Source,
    alt: str,
    size: Optional[tuple[int, int]] = None,
    *,
    format: Optional[str] = None,
    still: Optional[Source] = None,
    autoplay: bool = False,
) -> str:
    """The HTML that shows a picture.

    ``source`` is the picture (its format from its name, or ``format``); ``alt`` the caption;
    ``still`` the still shown to readers who prefer reduced motion (a video's poster). An
    animation with a still is a ``<picture>``; without, an ``<img>``; an MP4 a ``<video>`` with
    controls, looping and muted, that plays only when asked unless ``autoplay``.

    ``size`` (width, height in pixels) is written as ``width`` and ``height``, so that the page
    keeps the picture's place while it loads, with :data:`FIT` as its style, so that a picture
    wider than the page shrinks whole rather than squashed (``max-width`` alone keeps the
    ``height`` given). Leave it out where ``style`` is removed, as GitHub does in a README.
    """
    if format is None:
        if isinstance(source, bytes):
            raise ValueError("a picture given as bytes needs its format")
        format = format_of(source)
    a = attribute
    box = f' width="{size[0]}" height="{size[1]}" style="{FIT}"' if size is not None else ""
    src = a(url(source, format))
    poster = a(url(still, "png")) if still is not None else None
    if mime(format).startswith("video/"):
        return (
            f'<video src="{src}"'
            + (f' poster="{poster}"' if poster else "")
            + f"{box}{' autoplay' if autoplay else ''} controls loop muted playsinline"
            + f' aria-label="{a(alt)}"></video>'
        )
    image = f'<img src="{src}" alt="{a(alt)}"{box}>'
    if poster is None:
        return image
    return f'<picture><source media="{REDUCED_MOTION}" srcset="{poster}">{image}</picture>'


#: Characters that mean something in Markdown's alt text, escaped there with a backslash.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>&])")


def markdown(source: Union[str, "os.PathLike[str]"], alt: str) -> str:
    """``![alt](source)``: the picture as a Markdown image (the alt text escaped, on one line)."""
    text = _MARKDOWN.sub(r"\\\1", " ".join(alt.split()))
    return f"![{text}]({url(source)})"


def notebook(data: bytes, format: str, alt: str, size: Optional[tuple[int, int]] = None) -> str:
    """How a notebook shows a render held in memory: :func:`html` with the bytes as a data
    URI, no wider than the cell; a video plays at once, as an animated picture does."""
    return html(data, alt, size, format=format, autoplay=True)


def size_of(
    picture: Union[str, "os.PathLike[str]"], still: Union[str, "os.PathLike[str]", None] = None
) -> tuple[int, int]:
    """A picture's width and height, read from its file (an MP4's from its still, which has
    its size: H.264 pads the video to even sizes)."""
    from PIL import Image

    if format_of(picture) == "mp4":
        if still is None:
            raise ValueError(f"the size of {os.fspath(picture)!r} is read from its still: give it")
        picture = still
    with Image.open(picture) as image:
        return image.size
