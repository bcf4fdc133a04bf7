"""The step line of a 3-D layer drawn as its depth slices, counted through the whole animation.

A 3-D layer is drawn as one picture per depth slice, played one after the other in one
animation. Each picture's step line counts the steps of the whole run ("step 21/40" on the first
step of the second slice, not "step 1/20"): :func:`counts` gives each picture's playback the
steps played before it and the total, as a :class:`Count` its step lines are written with, and
:func:`longest` writes each picture's longest step line (the room the layout leaves for it) as
the last step of them all. A backward pass's gradients (dx, dw, db) are counted each on its own:
the run of pictures of one gradient (one ``output_name``) counts through that gradient's slices.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Callable, Optional, Sequence

from ..picture.model import Geometry, shown


@dataclasses.dataclass(frozen=True)
class Count:
    """Where a picture's steps stand in the count of its run: after ``before`` steps, of
    ``total`` (None: a picture played alone, its own steps all there are)."""

    before: int = 0
    total: Optional[int] = None

    def at(self, step: int, steps: int) -> tuple[int, int]:
        """Step ``step`` (from 0) of the picture's ``steps``, as its run counts it: (step, steps)."""
        return self.before + step, steps if self.total is None else self.total


#: The count of a picture played alone: its own steps are all there are.
ALONE = Count()


def steps_played(geometry: Geometry) -> int:
    """The steps a picture of ``geometry`` plays: those of the kernel columns it shows."""
    columns = len(shown(geometry)[1]) if geometry.columns_take_turns else 1
    return geometry.steps_per_column * columns


def _runs(geometries: Sequence[Geometry]) -> list[list[int]]:
    """The pictures' indices cut into runs of one gradient each (of the same ``output_name``)."""
    groups = itertools.groupby(range(len(geometries)), lambda i: geometries[i].output_name)
    return [list(run) for _, run in groups]


def counts(geometries: Sequence[Geometry]) -> list[Count]:
    """Each picture's :class:`Count`, the pictures of ``geometries`` played one after the other,
    each counting its steps after those of the pictures of its run before it."""
    out = []
    for run in _runs(geometries):
        played = [steps_played(geometries[i]) for i in run]
        out += [Count(sum(played[:k]), sum(played)) for k in range(len(run))]
    return out


def longest(geometries: Sequence[Geometry], line: Callable[[int, int], str]) -> list[Geometry]:
    """``geometries``, pictures played one after the other, each with its longest step line
    ``line(i, total)`` for picture ``i``: its last step counted among the ``total`` steps of its
    run (at most every step of every picture of the run)."""
    totals = _totals(geometries)
    return [
        dataclasses.replace(g, step_text=line(i, total), longest_step=None)  # its own line, not its plane's
        for i, (g, total) in enumerate(zip(geometries, totals))
    ]


def longest_drawn(geometries: Sequence[Geometry], line: Callable[[int, int, Geometry], str]) -> list[Geometry]:
    """As :func:`longest`, each picture's longest step line ``line(i, total, geometry)`` written
    from the picture as finally drawn (``geometry``, once the part chooser has settled the
    channels it shows: a step line naming what it writes in the groups drawn and not drawn)."""
    return [
        dataclasses.replace(g, longest_step=lambda geometry, i=i, total=total: line(i, total, geometry))
        for i, (g, total) in enumerate(zip(geometries, _totals(geometries)))
    ]


def _totals(geometries: Sequence[Geometry]) -> list[int]:
    """Each picture's run's steps, at most (every kernel column's)."""
    totals: list[int] = []
    for run in _runs(geometries):
        totals += [sum(geometries[i].steps for i in run)] * len(run)
    return totals


def channels_cut(geometry: Geometry) -> bool:
    """Whether a picture of ``geometry`` leaves out some of the layer's input or output channels
    that steps of their own would write: then its steps, like those of a part of the positions,
    are counted ``of this part``. A pooling's step writes every channel at once: leaving some
    out, its picture still plays every step ("step 9/18", not "of this part")."""
    if geometry.steps_every_channel:
        return False
    shown_in, _, shown_out = shown(geometry)
    return len(shown_in) < geometry.in_channels or len(shown_out) < geometry.out_channels


def of_part(line: Callable[[bool], str], cut: bool) -> Callable[[Geometry], str]:
    """A geometry's :attr:`~Geometry.longest_step`: ``line(part)``, its steps counted ``of this
    part`` as the playback counts them: when the picture is ``cut`` (a part of the positions,
    known when the geometry is made) or, as finally drawn, leaves channels out."""
    return lambda geometry: line(cut or channels_cut(geometry))


def longest_of_part(
    geometries: Sequence[Geometry], line: Callable[[int, int, int, bool], str], cut: bool
) -> list[Geometry]:
    """``geometries``, pictures played one after the other, each with its longest step line
    ``line(i, step, total, part)`` for picture ``i``: its last step ``step`` (from 0) counted
    among the ``total`` steps of its run (at most every step of every picture of the run), and
    ``of this part`` as the playback counts it (:func:`of_part`)."""
    lasts: list[int] = []
    for run in _runs(geometries):
        lasts += list(itertools.accumulate(geometries[i].steps for i in run))
    return [
        dataclasses.replace(g, longest_step=of_part(lambda part, i=i, s=s, t=t: line(i, s - 1, t, part), cut))
        for i, (g, s, t) in enumerate(zip(geometries, lasts, _totals(geometries)))
    ]


def depth_range(count: int) -> str:
    """The indices of ``count`` depth slices, as a note names the one it is about beside them
    ("depth 1 (of 0–3)"): an index among indices, never read as "the first of 4"; a layer of
    one depth "depth 0 (the only one)", not "(of 0)"."""
    return "the only one" if count == 1 else f"of 0–{count - 1}"


def slice_title(name: str, channel: int, depth: int, size: int, what: str = "pad") -> str:
    """The title of a grid drawn for depth slice ``depth`` of ``name``'s ``channel`` (of ``size``
    depths): ``x[0, 2]``, or outside 0..size − 1 ``x[0] pad, depth −1``: never ``x[0, -1]``,
    which Python reads as the last depth; short, as it shares its line with the grid's counts."""
    if 0 <= depth < size:
        return f"{name}[{channel}, {depth}]"
    return f"{name}[{channel}] {what}, depth {str(depth).replace('-', '−')}"
