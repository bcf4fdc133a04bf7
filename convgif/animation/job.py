"""A render as one job: the layer recorded and laid out, with the steps to draw of each of its parts."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from .. import ops
from ..files.formats import is_stream
from ..picture.layout import kernel_channels, plan
from .result import RenderResult

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Look:
    """How a layer is drawn: everything but the layer and its values."""

    values: bool = False
    notes: tuple[str, ...] = ()
    theme: str = "light"
    width: Optional[int] = None
    scale: int = 1
    #: Frames without caption and notes (the tiles of a contact sheet, which has them once).
    headless: bool = False


class _Drawing:
    """A layer recorded and laid out, with the steps to draw of each of its parts."""

    def __init__(
        self,
        spec: Any,
        seed: int,
        input: Any,
        weight: Any,
        bias: Any,
        pixels: bool,
        look: Look,
        max_frames: int,
        view: dict,
    ) -> None:
        from ..picture.model import scales_of
        from ..picture.overlay import Animation, Chain  # matplotlib loads here
        from ..picture.paint import THEMES

        op = ops.of(spec)
        drawn_kernels = [kernel_channels(geometry) for geometry in op.geometries(spec, **view)]
        recording = op.record_drawn(spec, seed, drawn_kernels, input=input, weight=weight, bias=bias)
        self.spec = spec
        self.look = look
        self.view = view
        self.parts = []
        for drawn in op.drawings(spec, recording, pixels, **view):
            scales = scales_of(drawn, look.values or drawn.geometry.numbers)
            layout = plan(
                drawn.geometry,
                look.values,
                drawn.value_chars,
                notes=look.notes,
                max_width=look.width,
                keys=scales.keys,
                scale=look.scale,
                caption=not look.headless,
                picture=drawn.picture.size if drawn.picture is not None else None,
            )
            self.parts.append(Animation(drawn, layout, THEMES[look.theme], scales))
        self.shown = [part.layout.steps for part in self.parts]
        self.steps = spread_steps(self.shown, max_frames)
        self.total = sum(len(part) for part in self.steps)
        if len(self.parts) == 1:
            only = self.parts[0]
            self.size, self.palette, self._chain = (only.layout.width, only.layout.height), only.palette, None
        else:
            self._chain = Chain(self.parts)
            self.size, self.palette = (self._chain.width, self._chain.height), self._chain.palette
        first = self.parts[0].scene
        self.background = self.palette.add(first.palette.colors[first.colours.background])
        self._ink = self.palette.add(first.palette.colors[first.colours.ink])
        self._grid = self.palette.add(first.palette.colors[first.colours.grid])

    def header(self, width: int) -> np.ndarray:
        """The caption and notes of every part once (as palette indices), ``width`` pixels wide:
        the top of a contact sheet, whose tiles have neither."""
        import numpy as np

        from ..picture.layout import CAPTION_BREAK, Metrics, shown_note, wrap
        from ..picture.paint import Painter

        m = Metrics.of(self.look.scale)
        lines: list[tuple[str, Any]] = []
        for i, part in enumerate(self.parts):
            geometry = part.layout.geometry
            chars = max(1, (width - 2 * m.margin) // m.caption.advance)
            if i:
                lines.append(("", m.label))  # a blank line between the parts
            for line in wrap(geometry.caption, chars, CAPTION_BREAK):
                lines.append((line, m.caption))
            chars = max(1, (width - 2 * m.margin) // m.label.advance)
            for note in (shown_note(geometry), *geometry.notes, *self.look.notes):
                lines += [(line, m.label) for line in wrap(note, chars) if note and (line, m.label) not in lines]
        height = m.margin + sum(style.height + 2 * m.n for _, style in lines)
        image = np.full((height, width), self.background, np.uint8)
        ink = self.palette.ink_table(self._ink, [self.background])
        painter = Painter(self.parts[0].layout, self._grid, self.background, ink)
        y = m.margin
        for text, style in lines:
            painter.text(image, text, style, m.margin, y)
            y += style.height + 2 * m.n
        return image

    def separate(self, sheet: np.ndarray, y: int, x: int, tile: tuple[int, int]) -> None:
        """A thin line in the grid's colour along the top and left of a tile (inside its margin)."""
        sheet[y, x : x + tile[0]] = self._grid
        sheet[y : y + tile[1], x] = self._grid

    @property
    def changed(self) -> Optional[list[tuple[int, int, int, int]]]:
        """Rectangles (y0, y1, x0, x1) outside which the latest frame equals the one before (None: unknown)."""
        return self.parts[0].changed if self._chain is None else self._chain.changed

    def frames(self, last: Optional[int] = None):
        """The frames in order (only the first ``last``), each valid until the next is requested."""
        steps = self.steps
        if last is not None:
            budget, steps = last, []
            for part in self.steps:
                steps.append(part[:budget])
                budget -= len(steps[-1])
        return self.parts[0].frames(steps[0]) if self._chain is None else self._chain.frames(steps)

    def result(
        self, target: Any, frames: int, started: float, format: str, written: int, start: int = 0
    ) -> RenderResult:
        """What was written to ``target`` (a path, or a file object written from ``start``)."""
        stream = is_stream(target)
        data = target.getvalue()[start:] if stream and hasattr(target, "getvalue") else None
        return RenderResult(
            path=None if stream else target,
            frames=frames,
            bytes=len(data) if data is not None else written if stream else target.stat().st_size,
            steps=sum(part.drawn.geometry.steps for part in self.parts),
            shown_steps=sum(self.shown),
            size=self.size,
            seconds=time.perf_counter() - started,
            caption=self.spec.caption,
            format=format,
            data=data,
            region=self.view.get("region"),
        )


def spread_steps(shown: list[int], max_frames: int) -> list[list[int]]:
    """The steps drawn of each part: all of them, or ``max_frames`` in all, shared in proportion
    to the parts' sizes (at least one each while there are enough; else the last parts)."""
    total = sum(shown)
    if not 0 < max_frames < total:
        return [list(range(n)) for n in shown]
    if max_frames < len(shown):
        quotas = [0] * (len(shown) - max_frames) + [1] * max_frames
    else:
        rest = max_frames - len(shown)
        ideal = [rest * n / total for n in shown]
        quotas = [1 + int(x) for x in ideal]
        by_remainder = sorted(range(len(shown)), key=lambda i: ideal[i] - int(ideal[i]), reverse=True)
        for i in by_remainder[: max_frames - sum(quotas)]:
            quotas[i] += 1
    return [sample_steps(n, min(q, n)) if q else [] for n, q in zip(shown, quotas)]


def sample_steps(total: int, limit: int) -> list[int]:
    """All steps, or ``limit`` of them spread evenly from first to last (``limit`` 0: all)."""
    if limit <= 0 or total <= limit:
        return list(range(total))
    if limit == 1:
        return [total - 1]
    return sorted({round(i * (total - 1) / (limit - 1)) for i in range(limit)})
