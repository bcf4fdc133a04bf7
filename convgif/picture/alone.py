"""The arrangement of a picture that reads no input: its outputs alone, in a column.

A picture whose output no input reaches (a gradient's depth slice that no output depth read:
every cell 0) has nothing to draw on the left, and a grid standing in for an input would say
something false. This arrangement draws the output column only: no input grid, heading or
label, no kernels and no connecting line.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Optional

from .arrangement import Grids, Outputs, Placed, Written, output_column, output_labels, outputs_down
from .sizes import KEYS_ROOM


class _Across(NamedTuple):
    out: Outputs

    @property
    def right(self) -> int:
        return self.out.right


class NoRoutes:
    """No input is drawn: no line runs anywhere."""

    aslant = False

    def paths(self, lay: Any, c: int, y_window: int, column: Optional[int], written: Optional[Written]) -> list:
        return []


class Alone:
    """The outputs in one column from the left margin, under their heading."""

    name = "alone"
    wide = False
    keys_room = KEYS_ROOM

    def across(self, g: Grids) -> _Across:
        """The output column, starting at the margin (its gap for lines left out)."""
        return _Across(output_column(g, g.m.margin - g.m.link_gap))

    def down(self, g: Grids, across: _Across, heads_y: int, top: int) -> Placed:
        """The output grids stacked down from ``top``, under the heading at ``heads_y``."""
        tops, outputs, bottom = outputs_down(g, across.out, top)
        texts = [(g.spec.output_heading, g.m.label, across.out.x_heads, heads_y)]
        texts += output_labels(g, across.out, tops, outputs, bottom)
        _, _, out_left, _ = g.out_room
        spots = ((across.out.x_heads, bottom, -1),)
        return Placed({}, {}, outputs, bottom, tuple(texts), NoRoutes(), spots, (0, g.band if out_left else 0))


ALONE = Alone()
