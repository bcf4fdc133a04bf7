"""The errors convgif raises for what it refuses: an argument, named, and the rule it breaks."""

from __future__ import annotations


class SpecError(ValueError):
    """An argument convgif refuses, ``argument`` naming it (e.g. ``"groups"``).

    Raised for everything PyTorch would refuse, and by the later stages for options of their
    own and for configurations too large to draw (:class:`TooLargeError`).
    """

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(message)
        self.argument = argument


class TooLargeError(SpecError):
    """The configuration is valid but cannot be computed or drawn readably. A picture too large
    says what it ``needs`` (pixels, cell size, limit) and whether drawing it without values
    would help (``values``), for a refusal that names another argument; a picture too wide
    for ``--width``, the ``least_width`` that would draw it."""

    def __init__(
        self, argument: str, message: str, needs: str = "", values: bool = False, least_width: int = 0
    ) -> None:
        super().__init__(argument, message)
        self.needs = needs
        self.values = values
        self.least_width = least_width
