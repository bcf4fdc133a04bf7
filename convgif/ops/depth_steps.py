"""The step line of a 3-D layer drawn as its depth slices, counted through the whole animation.

A 3-D layer is drawn as one picture per depth slice, played one after the other in one
animation; each picture's playback counts its own steps ("step 1/20" at the start of every
slice). :func:`counted` gives each picture the steps played before it and the total, so that
the step line reads "step 21/40" on the first step of the second slice; :func:`counted_geometries`
makes each picture's longest step line (the room the layout leaves for it) the last step of
them all. A backward pass's gradients (dx, dw, db) are counted each on its own: the run of
pictures of one gradient (one ``output_name``) counts through that gradient's slices. Every
depth kind's pictures pass through these two (:func:`counting`), whatever their playbacks
write around the count.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from typing import Any, Callable, Sequence

from ..picture.model import Drawn, Geometry, Step, Writes, shown

#: A step line's count, as every playback writes it: "step 3/20".
COUNT = re.compile(r"\bstep (\d+)/(\d+)")


def steps_played(geometry: Geometry) -> int:
    """The steps a picture of ``geometry`` plays: those of the kernel columns it shows."""
    columns = len(shown(geometry)[1]) if geometry.columns_take_turns else 1
    return geometry.steps_per_column * columns


def _runs(pictures: Sequence[Any], geometry: Callable[[Any], Geometry]) -> list[list[Any]]:
    """``pictures`` cut into runs of one gradient each (of the same ``output_name``)."""
    return [list(run) for _, run in itertools.groupby(pictures, lambda p: geometry(p).output_name)]


def counted_geometries(geometries: Sequence[Geometry]) -> list[Geometry]:
    """``geometries``, pictures played one after the other, each with its longest step line
    counting the steps of its run (at most every step of every picture of the run)."""
    out = []
    for run in _runs(geometries, lambda g: g):
        total = sum(g.steps for g in run)
        out += [dataclasses.replace(g, step_text=COUNT.sub(f"step {total}/{total}", g.step_text, count=1)) for g in run]
    return out


class CountedPlayback:
    """A picture's steps, its step line counting from ``before`` steps played ahead of it to
    ``total``."""

    def __init__(self, playback: Any, before: int, total: int) -> None:
        self._playback, self.before, self.total = playback, before, total

    def advance(self, step: int) -> list[Writes]:
        return self._playback.advance(step)

    def show(self, step: int) -> Step:
        shown = self._playback.show(step)
        text = COUNT.sub(f"step {self.before + step + 1}/{self.total}", shown.text, count=1)
        return dataclasses.replace(shown, text=text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._playback, name)


def counted(drawings: list[Drawn]) -> list[Drawn]:
    """``drawings``, pictures played one after the other, each counting its steps after those
    of the pictures of its run before it (changed in place, and returned)."""
    for run in _runs(drawings, lambda d: d.geometry):
        played = [steps_played(d.geometry) for d in run]
        total, before = sum(played), 0
        for drawn, steps in zip(run, played):
            inner = drawn.playback._playback if isinstance(drawn.playback, CountedPlayback) else drawn.playback
            drawn.playback = CountedPlayback(inner, before, total)
            before += steps
    return drawings


def counting(make: Callable[..., list]) -> Callable[..., list]:
    """``make``, a function returning the depth pictures of one animation (their geometries or
    their drawings), with their step lines counted through them all."""

    @functools.wraps(make)
    def made(*args: Any, **kwargs: Any) -> list:
        pictures = make(*args, **kwargs)
        if pictures and isinstance(pictures[0], Geometry):
            return counted_geometries(pictures)
        return counted(pictures)

    return made
