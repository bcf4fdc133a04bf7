"""A layer animated: the part of it drawn, the job that records it, lays it out and plays its
frames, and what a render returns.

The defaults of a render and how a layer is drawn (its :class:`Look`) are declared here, once,
where the command line can read them without loading NumPy.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

#: The reference article's GIFs show each step for 300 ms.
DEFAULT_FPS = 1000 / 300
#: A render draws at most this many steps unless told otherwise.
DEFAULT_MAX_FRAMES = 300
#: GIF delays are whole hundredths of a second; below 2, viewers slow them down.
MAX_FPS = 50
#: Ten seconds a frame: the last frame's hold must stay within a GIF's longest delay.
MIN_FPS = 0.1


class Look(NamedTuple):
    """How a layer is drawn: everything but the layer and its values."""

    values: bool = False
    notes: tuple[str, ...] = ()
    theme: str = "light"
    width: Optional[int] = None
    scale: int = 1
    #: Frames without caption and notes (the tiles of a contact sheet, which has them once).
    headless: bool = False
    #: The language of every word drawn (see :mod:`convgif.language`).
    lang: str = "en"
