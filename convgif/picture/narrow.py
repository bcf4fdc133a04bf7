"""The refusal of a width too narrow for a picture: the least width that draws it, checked,
and what needs that width, its text (a piece no line breaks within, or a line of its sums)
or its cells (even at the smallest readable), so that a reader knows what to change."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Optional

from ..errors import TooLargeError


def too_narrow(max_width: Optional[int], least: int, needs: str) -> TooLargeError:
    """The refusal of ``max_width`` for a picture that needs ``least`` pixels (``needs`` says
    what needs them), naming the least width that draws it."""
    said = f"width={max_width} is too narrow: {needs}; --width {least} is the least that draws it"
    return TooLargeError("width", said, needs, False, least)


def readable(values: bool) -> str:
    """What the smallest cells tried are the smallest of: readable, or holding the numbers."""
    return "that hold its numbers" if values else "readable"


def cells_need(least: int, cell: int, what: str) -> str:
    """What a refusal of a width says of a picture whose cells need ``least`` pixels even at
    ``cell``-pixel cells, the smallest ``what`` (readable, …)."""
    return f"its cells need {least} pixels even at {cell}-pixel cells, the smallest {what}"


def least_width(asked: Any, error: TooLargeError, laid_out: Callable[[Any], Any]) -> TooLargeError:
    """The refusal of the width ``asked`` (a :class:`~convgif.picture.layout._Asked`, refused
    with ``error``, which names a width it needs), naming the least width ``laid_out`` draws
    the picture within, checked, and what needs it: its text when that alone is as wide, else
    its cells. Texts break differently within another width: the width named is checked
    (and widened while it is refused), and when a wide arrangement was too tall within the
    width asked (its texts broken onto more lines), a narrower one that draws is searched."""
    least, drawn = error, None
    for _ in range(8):
        try:
            drawn = laid_out(replace(asked, max_width=least.least_width))
            break
        except TooLargeError as wider:
            if wider.argument != "width" or wider.least_width <= least.least_width:
                break
            least = wider
    needs, width = least.needs, least.least_width
    if drawn is not None and _narrower(asked, width - 1):
        narrow = asked.max_width  # refused, while ``width`` draws
        while width - narrow > 1:
            middle = (narrow + width) // 2
            try:
                drawn, width = laid_out(replace(asked, max_width=middle)), middle
            except TooLargeError:
                narrow = middle
        if width < least.least_width:
            cell = asked.cells()[1] * asked.scale
            needs = (
                f"its cells and text need {width} pixels: at {cell}-pixel cells, the smallest {readable(asked.values)}, "
                "narrower, its text breaks onto lines too many for the height a frame may take"
            )
    if drawn is not None and drawn.text_need[0] >= width:  # its text, whatever its cells
        needs = f"its text needs {width} pixels whatever its cells ({drawn.text_need[1]})"
    return too_narrow(asked.max_width, width, needs)


def _narrower(asked: Any, width: int) -> bool:
    """Whether a wide arrangement found too tall within the width ``asked`` fits ``width``
    (wider) at its smallest readable cells: then a width narrower than the one a refusal
    named may draw the picture (checked at one layout a wide arrangement, not the search)."""
    if not asked.crowded or not asked.max_width or width <= asked.max_width:
        return False
    wider = replace(asked, max_width=width)
    return any(wider.laid(arrangement, asked.cells()[1])[0] is not None for arrangement in asked.crowded)
