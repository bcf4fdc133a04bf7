"""A recorded drawing with its words in another language: what the layout and the frames draw
of it (caption, headings, labels, notes, step and sum lines, keys) passed through
:func:`convgif.language.say`; its values, steps and shapes untouched."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from ..language import say
from .model import Drawn, Geometry, Key, Step, Writes
from .shades import Scales


def geometry(spec: Geometry, lang: str) -> Geometry:
    """``spec`` with every word it draws in ``lang``."""
    kernel_label, output_label = spec.kernel_label, spec.output_label

    def said(label: Callable[..., str]) -> Callable[..., str]:
        return lambda *args: say(label(*args), lang)

    return replace(
        spec,
        caption=say(spec.caption, lang),
        input_heading=say(spec.input_heading, lang),
        kernel_label=said(kernel_label),
        output_label=said(output_label),
        input_label=None if spec.input_label is None else said(spec.input_label),
        kernel_heading=say(spec.kernel_heading, lang),
        output_heading=say(spec.output_heading, lang),
        step_text=say(spec.step_text, lang),
        longest_step=None if spec.longest_step is None else _said_step(spec.longest_step, lang),
        notes=tuple(say(note, lang) for note in spec.notes),
    )


def _said_step(longest: Callable[[Geometry], str], lang: str) -> Callable[[Geometry], str]:
    """A geometry's :attr:`~Geometry.longest_step` in ``lang``: the room the layout measures is
    the translated line's."""
    return lambda geometry: say(longest(geometry), lang)


class _Playback:
    """A drawing's steps, each shown with its lines in ``lang``."""

    def __init__(self, playback: Any, lang: str) -> None:
        self._playback, self._lang = playback, lang

    def advance(self, step: int) -> list[Writes]:
        return self._playback.advance(step)

    def show(self, step: int) -> Step:
        shown = self._playback.show(step)
        lang = self._lang
        return replace(shown, text=say(shown.text, lang), sums=tuple(say(str(entry), lang) for entry in shown.sums))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._playback, name)


def drawing(drawn: Drawn, lang: str) -> Drawn:
    """``drawn`` with every word it draws in ``lang`` (itself in English)."""
    if lang == "en":
        return drawn
    filler_text = drawn.filler_text if drawn.filler_text is None else say(drawn.filler_text, lang)
    return replace(
        drawn,
        geometry=geometry(drawn.geometry, lang),
        playback=_Playback(drawn.playback, lang),
        filler_text=filler_text,
        filler_name=say(drawn.filler_name, lang),
        copies_name=say(drawn.copies_name, lang),
    )


def scales(scale: Scales, lang: str) -> Scales:
    """``scale`` with its keys' words in ``lang``."""
    if lang == "en":
        return scale
    keys = tuple(
        Key(say(key.name, lang), key.role, tuple((shade, say(text, lang)) for shade, text in key.items))
        for key in scale.keys
    )
    return replace(scale, keys=keys)
