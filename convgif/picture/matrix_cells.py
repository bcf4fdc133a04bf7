"""The cells a matrix picture (:mod:`.matrix`, a geometry that arranges itself) is drawn at:
the largest that fit its own box, else the smallest readable ones past the box, or why none.

Within a width asked, a matrix picture is drawn readably or refused naming the least width
that draws it readably, as :func:`~convgif.picture.layout.plan` does any other picture: cells
too small to read only ever draw one too large to draw readably at any width.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import TooLargeError
from .layout import _drawn_without_values
from .narrow import cells_need, readable, too_narrow
from .sizes import KEYS_ROOM, MAX_SIDE_PX, MIN_CELL_PX, Layout, Metrics


def laid_out(asked: Any) -> Layout:
    """The layout of ``asked`` (a :class:`~convgif.picture.layout._Asked` whose geometry
    arranges itself): the largest cells that fit its own box (without a width asked, down to
    the smallest drawn), else the smallest readable ones past the box, unless too wide for the
    width asked (refused naming the width they need) or too large to draw at all (then, within
    a width asked, the largest smaller cells that fit the box, else refused)."""
    m = Metrics.of(asked.scale)
    smallest, least, largest = asked.cells()
    tried = range(largest, (least if asked.max_width else smallest) - 1, -1)
    found = _in_box(asked, tried)
    if found is not None:
        return found
    layout = _arranged(asked, least, m)
    if max(layout.drawing) <= MAX_SIDE_PX * m.n:
        if asked.fits(layout):
            return layout
        needs = cells_need(layout.width, least * m.n, readable(asked.values))
        if _arranged(asked, MIN_CELL_PX, m).width >= layout.width:  # as wide at any cells
            needs = (
                f"its text needs {layout.width} pixels whatever its cells (the headings and labels beside its matrices)"
            )
        raise too_narrow(asked.max_width, layout.width, needs)
    found = _in_box(asked, range(least - 1, smallest - 1, -1)) if asked.max_width else None
    if found is not None:
        return found
    argument, value, what = asked.geometry.blame(0 if layout.drawing[1] >= layout.drawing[0] else 1)
    needs = f"{layout.drawing[0]}×{layout.drawing[1]} pixels even at {least * m.n}-pixel cells"
    raise TooLargeError(
        argument,
        f"{argument}={value!r} is too large to draw this way: it needs {needs}, over the {MAX_SIDE_PX * m.n}-pixel "
        f"limit; shrink the {what} or draw a part with region (`convgif info` describes the layer without drawing it)",
        needs,
        _drawn_without_values(asked),
    )


def _arranged(asked: Any, cell: int, m: Metrics) -> Layout:
    """The layout of ``asked`` at cells of ``cell`` pixels (at scale 1), at ``m``'s scale."""
    options = (asked.notes, asked.keys, asked.caption, asked.value_chars, asked.picture)
    return asked.geometry.arrangement.arrange(asked.geometry, asked.values, cell * m.n, options[0], m, *options[1:])


def _in_box(asked: Any, cells: range) -> Any:
    """The layout at the first of ``cells`` (at scale 1) that fits the picture's own box and
    the width asked, with the room kept for its keys, else None; measured at scale 1 too, so
    that a larger scale chooses the cells a smaller one would."""
    m = Metrics.of(asked.scale)
    box_w, box_h = asked.geometry.arrangement.fit_box(asked.scale, asked.max_width)
    reserve = 0 if asked.keys else KEYS_ROOM  # the keys' own room, or some kept for them
    for cell in cells:
        layout = _arranged(asked, cell, m)
        unit = layout if m.n == 1 else _arranged(asked, cell, Metrics.of(1))
        tall = max((unit.height if asked.keys else unit.drawing[1] + reserve) * m.n, layout.height + reserve * m.n)
        wide = max(unit.drawing[0] * m.n, layout.drawing[0])
        if wide <= box_w and tall <= box_h and asked.fits(layout):
            return replace(layout, fits_box=True)
    return None
