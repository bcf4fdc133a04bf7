"""What a render returns: the file written, its frames, size and caption."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ..picture.model import Region


@dataclass(frozen=True)
class RenderResult:
    """What a render wrote: the file, its frames and bytes, and the steps it drew them from.

    ``steps`` counts every step of the layer; ``shown_steps`` those of the output channels
    drawn (fewer only when there are too many channels to show), from which ``frames`` were
    spread when ``max_frames`` is smaller.
    """

    path: Optional[Path]
    frames: int
    bytes: int
    steps: int
    shown_steps: int
    size: tuple[int, int]
    seconds: float
    #: The layer's caption (the alt text of the picture).
    caption: str = ""
    #: The format written: ``gif``, ``webp``, ``apng``, ``mp4`` or ``png`` (a still).
    format: str = "gif"
    #: The bytes written, when the render went to memory (``io.BytesIO``) rather than a file.
    data: Optional[builtins.bytes] = field(default=None, repr=False, compare=False)
    #: The part of the output drawn, when the layer is too large to draw whole (else None).
    region: Optional[Region] = None
    #: Every step of the layer (``steps`` counts those of the part of its output drawn).
    layer_steps: int = 0
    #: Whether the part drawn was asked for (``region``), not chosen to fit.
    region_asked: bool = False
    #: How to draw every step of a layer drawn in part to fit the page: the least ``width``
    #: and/or ``scale`` that does (empty when none does, or when it is drawn whole).
    whole_by: dict = field(default_factory=dict, compare=False)
    #: The channels drawn, when the pictures leave some out, and why (``4 of 32 input channels,
    #: 1 of 8 output channels, as many as fit …``), else empty.
    channels: str = ""
    #: For a contact sheet, the frames its animation plays (``frames`` counts its tiles, fewer
    #: when the sheet shows a sample of them); 0 for an animation or a still.
    sheet_of: int = 0
    #: Why the frame is wider than the page's column, when no part of the layer fits it, and
    #: the least ``--width`` that holds it (else empty).
    past_column: str = ""

    def content(self) -> builtins.bytes:
        """The picture's bytes: those kept in memory, else the file's."""
        if self.data is not None:
            return self.data
        if self.path is None:
            raise ValueError("this render went to a file object: its bytes are there")
        return self.path.read_bytes()

    def _repr_html_(self) -> str:
        """The picture embedded in HTML (a data URI), with the caption as alt text: how a
        Jupyter notebook shows a render (:func:`convgif.integrations.embed.notebook`)."""
        from ..integrations import embed

        return embed.notebook(self.content(), self.format, self.caption, self.size)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """What a notebook shows: the picture (HTML) or, as text, where it is and its caption."""
        where = str(self.path) if self.path is not None else "in memory"
        text = f"{where}: {self.format}, {self.frames} frames, {self.bytes:,} bytes: {self.caption}"
        return {"text/html": self._repr_html_(), "text/plain": text}
