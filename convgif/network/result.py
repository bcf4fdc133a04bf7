"""What :func:`convgif.model` makes: the folder, the table's rows and each layer's drawing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .graph import Row


@dataclass
class Drawing:
    """What became of one layer's animation."""

    row: str
    file: str
    error: Optional[str] = None
    cached: bool = False
    seconds: float = 0.0


@dataclass
class ModelResult:
    """What :func:`model` made: the folder, its pages, the table's rows, each drawing, the
    receptive field's animation, the totals and the time taken."""

    folder: Optional[Path]
    rows: list[Row]
    drawings: list[Drawing] = field(default_factory=list)
    trace: Optional[str] = None
    trace_note: Optional[str] = None
    input_shape: tuple[int, ...] = ()
    seconds: float = 0.0
    up_to_date: bool = False
    #: Read from the text print(model) shows (no weights, nothing run), not traced
    from_text: bool = False
    #: The language of the pages' and the pictures' words (see :mod:`convgif.language`)
    lang: str = "en"
    #: The pictures' theme, whose colours the page takes; None: light pictures on a page that
    #: follows the reader's colour scheme
    theme: Optional[str] = None

    @property
    def page(self) -> Optional[Path]:
        return None if self.folder is None else self.folder / "index.html"

    @property
    def markdown(self) -> Optional[Path]:
        return None if self.folder is None else self.folder / "README.md"

    @property
    def failed(self) -> list[Drawing]:
        return [d for d in self.drawings if d.error]

    @property
    def parameters(self) -> int:
        return self.rows[0].parameters if self.rows else 0

    @property
    def macs(self) -> int:
        return sum(r.macs for r in self.rows if r.leaf or r.cls.startswith("F."))

    @property
    def mult_adds(self) -> int:
        """torchinfo's "Mult-Adds" total for the same model (see :func:`.trace.mult_adds`)."""
        return sum(r.mult_adds for r in self.rows if r.leaf)
