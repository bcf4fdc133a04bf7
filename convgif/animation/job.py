"""A render as one job: built once from what was asked, it holds everything worked out for it.

Building a :class:`Job` chooses what is drawn: the layer's operation, the part of its output
(:mod:`.region`) and the geometries of its pictures, each checked computable, so that a layer
too large refuses before any work. The first use of what is drawn records the layer (only the
kernels shown), makes its drawings and lays each one out; every frame, still and tile of the
render then comes from these, nothing asked of the operation or laid out again.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple, Optional

from .. import ops
from ..errors import SpecError, TooLargeError
from ..files.formats import is_stream
from ..language import in_language, say, speaking
from ..ops.args import check_computable, check_sizes
from ..picture.layout import plan
from ..picture.sizes import MAX_SHOWN_IN, SUM_ENTRY_LINES, fit_box, kernel_channels, shown_note
from ..picture.sizes import shown as shown_of
from . import Look
from .region import choose, refused_by_size
from .result import RenderResult
from .scales import one_scale

if TYPE_CHECKING:
    from collections.abc import Iterator

    import numpy as np

    from ..files.formats import Format
    from ..picture.overlay import Animation, Chain
    from ..picture.paint import Palette


#: The last frame stays up this many frame durations (at least ``MIN_HOLD_MS``).
HOLD_FRAMES = 4
#: Bytes a number of a part recorded takes while it is computed: int64 or float64, with a
#: float64 copy to multiply and the products of a few channels.
PART_BYTES = 24


MIN_HOLD_MS = 1500


#: A layer drawn as it is by default.
PLAIN = Look()
#: Input cells (over every picture's channels) under which a layer's values cost next to
#: nothing to compute: its windows' size is then judged with them, not checked first.
CHEAP_CELLS = 4096


def memory_bytes() -> int:
    """This machine's memory in bytes (0 where the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return 0


class Job:
    """One render of ``spec``: what is drawn of it, worked out once.

    Built from the layer's ``spec``, its ``look``, the drawing options ``view`` (with the
    ``region`` asked, if any), the ``seed`` and any values given (``input``, ``weight``,
    ``bias``; ``pixels`` draws the input as a picture's pixels) and ``max_frames``. Building
    it resolves ``op``, ``view`` (with the region chosen, see :func:`.region.choose_region`)
    and ``geometries`` (those of the view, checked computable). Recorded and laid out when
    first used: ``recording`` (of the kernels the pictures show), ``drawings``, ``scales``,
    ``layouts``, the animations ``parts`` with the ``palette`` they share, the ``size`` of a
    frame, the steps each part shows (``shown``) and those drawn (``steps``, ``total``).
    """

    def __init__(
        self,
        spec: Any,
        look: Look = PLAIN,
        view: Optional[dict] = None,
        *,
        seed: int = 0,
        input: Any = None,
        weight: Any = None,
        bias: Any = None,
        pixels: bool = False,
        max_frames: int = 0,
        grad_output: Any = None,
    ) -> None:
        self.spec, self.look, self.seed, self.pixels, self.max_frames = spec, look, seed, pixels, max_frames
        self._given = {"input": input, "weight": weight, "bias": bias}
        self._asked = dict(view or {})
        self.op = ops.of(spec)
        view = dict(view or {})
        if view.get("backward"):  # the kind's backward pictures, recorded with the gradients
            from ..ops.backward import Backward

            self.op = Backward(self.op)
            self._given["grad_output"] = grad_output
        elif grad_output is not None:
            raise SpecError(
                "grad_output", "grad_output is the gradient a backward pass starts from: give backward=True too"
            )
        check_sizes(spec)  # as the layer states its sizes, before its geometries walk them
        whole = self.op.geometries(spec, **{k: v for k, v in view.items() if k != "region"})
        #: Whether the layer is too large to compute whole: then only the part drawn is.
        self.in_part = self._too_large(whole)
        shown = input if pixels and input is not None else None
        writes = look.values or any(g.numbers for g in whole)
        cheap = sum(g.grid[0] * g.grid[1] * g.in_channels for g in whole) <= CHEAP_CELLS
        if writes and not self.in_part and not cheap:  # a window too large whatever its numbers: refused first
            early = refused_by_size(self.op, spec, look, view, whole, shown)
            if early is not None:
                raise self.op.refusal_of(early, spec)
        chars = self._value_chars(whole, view) if writes else None
        look = look._replace(headless=False)  # a contact sheet's tiles show the animation's part
        try:
            self.choice = choose(self.op, spec, look, view, whole, max_frames, shown, chars)
        except SpecError as error:
            if error.argument == "max_frames" and max_frames:  # a refusal raising --max-frames would not lift
                try:
                    for geometry in choose(self.op, spec, look, view, whole, 0, shown, chars).geometries:
                        plan(geometry)  # drawn at all
                except SpecError as other:
                    raise self.op.refusal_of(other, spec) from None
            raise self.op.refusal_of(error, spec) from None
        self.view, self.geometries = self.choice.view, self.choice.geometries
        self._chooser = (whole, shown, chars)
        #: Every step of the layer (the part drawn may play fewer).
        self.layer_steps = sum(g.steps for g in whole)
        if self.in_part:
            self._check_part()
        #: The animation's last frame, kept when it is played: the still of its last step.
        self._last: Optional[np.ndarray] = None
        self._played = False

    @cached_property
    def whole_by(self) -> dict[str, int]:
        """The least ``width`` (at this scale) and ``scale`` (at this width) under which every
        step of a layer drawn in part to fit the box is drawn (see :func:`.region.drawn_whole_by`)."""
        from .region import drawn_whole_by

        whole, shown, chars = self._chooser
        return drawn_whole_by(
            self.op,
            self.spec,
            self.look._replace(headless=False),
            self._asked,
            whole,
            self.choice,
            self.max_frames,
            shown,
            chars,
        )

    def _too_large(self, whole: list) -> bool:
        """Whether a layer is too large to compute whole but of a kind that computes only the
        part it draws (any other too large is refused, naming the argument to shrink)."""
        layers = self.op.recorded_layers(self.spec, whole)
        try:
            for layer in layers:
                check_computable(layer, self.spec)
        except TooLargeError as error:
            if not self.op.draws_part_of(self.spec):
                forward = getattr(self.op, "op", None)  # a backward pass's kind
                if forward is not None and forward.draws_part_of(self.spec):
                    raise TooLargeError(
                        "backward",
                        f"backward draws the whole layer (each gradient sums over all of it), and {error}; "
                        "without --backward, only a part of the forward pass is computed and drawn",
                    ) from None
                raise
            for layer in layers:
                check_sizes(layer)
            self.__dict__["_refusal"] = sys.exc_info()[1]
            return True
        return False

    def _check_part(self) -> None:
        """Refuse a part too large for this machine's memory: the last limit on what is drawn."""
        if self.region is None:
            raise self.__dict__["_refusal"]
        self._check_memory(self.region)

    def _check_memory(self, region: Any) -> None:
        """Refuse the part ``region`` of a layer computed in part when it is too large for this
        machine's memory."""
        numbers = self.op.part_numbers(self.spec, region)
        needs, has = PART_BYTES * numbers, memory_bytes()
        if has and needs > has:
            raise TooLargeError(
                "region",
                f"region={region} is too large to draw: its part of the layer holds {numbers:,} numbers, "
                f"{needs / 2**30:.1f} GiB as convgif computes them, over this machine's {has / 2**30:.1f} GiB of memory",
            )

    def _value_chars(self, whole: list, view: dict) -> Optional[list[int]]:
        """Characters of the widest number each picture writes, from the values themselves, so
        that a render with values chooses its part for the numbers it writes: with the kernels of
        the most a part may show (every part chosen shows fewer), of the region asked (its numbers
        only, whether the layer is computed whole or only that part of it), else of the whole
        layer. None for a layer computed in part without a region asked: its part is chosen
        before any value is known, for the numbers its geometries expect. The recording is the
        render's."""
        from .region import most, most_kernels

        rest = {k: v for k, v in view.items() if k != "region"}
        region, made = self._asked_part(whole, view)
        if self.in_part and region is None:
            return None
        kernels = [most_kernels(g) for g in made]
        if self.in_part:
            self._check_memory(region)  # before its numbers are computed
            recording = self.op.record_drawn(self.spec, self.seed, kernels, region=region, **self._given)
        else:
            recording = self.op.record_drawn(self.spec, self.seed, kernels, **self._given)
        self.__dict__["recording"] = recording
        if region is not None:
            rest["region"] = region
        drawn = self.op.drawings(self.spec, recording, self.pixels, geometries=[most(g) for g in made], **rest)
        return [d.value_chars for d in drawn]

    def _asked_part(self, whole: list, view: dict) -> tuple[Any, list]:
        """The region asked in ``view`` and its geometries, when it is a part of the output the
        layer draws; else None and the whole layer's (the chooser then refuses a region it does
        not draw, in its own words)."""
        from .region import parse_region

        asked = view.get("region")
        if asked is None:
            return None, whole
        rest = {k: v for k, v in view.items() if k != "region"}
        out_size = whole[0].out_size
        try:
            region = parse_region(asked, whole[0].dims, out_size)
            if region.cuts(out_size):
                return region, self.op.geometries(self.spec, region=region, **rest)
        except SpecError:
            pass
        return None, whole

    @property
    def region(self) -> Any:
        """The part of the output drawn (None: all of it)."""
        return self.view.get("region")

    @property
    def region_asked(self) -> bool:
        """Whether the part drawn was asked for (``region``), not chosen."""
        return self._asked.get("region") is not None

    @cached_property
    def recording(self) -> Any:
        """The layer run forward, with the kernels of the output channels the pictures show."""
        kernels = [kernel_channels(geometry) for geometry in self.geometries]
        if self.op.draws_part_of(self.spec) and self.region is not None:  # time and memory follow the part drawn
            return self.op.record_drawn(self.spec, self.seed, kernels, region=self.region, **self._given)
        return self.op.record_drawn(self.spec, self.seed, kernels, **self._given)

    @cached_property
    def drawings(self) -> list:
        """The recorded pictures, one per geometry."""
        return self._drawn()

    def _drawn(self) -> list:
        drawn = self.op.drawings(self.spec, self.recording, self.pixels, geometries=self.geometries, **self.view)
        if self.look.lang == "en":
            return drawn
        from ..picture.translated import drawing

        return [drawing(d, self.look.lang) for d in drawn]

    @cached_property
    def scales(self) -> list:
        """The shades and keys of each drawing."""
        from ..picture.shades import array_shades, scales_of

        found: list = []
        # each array drawn as a picture's kernels: one scale wherever it is drawn, in an input's colours
        arrays = {name: (shades, False) for name, shades in array_shades(self.drawings).items()}
        for drawn in one_scale(self.drawings):
            geometry = drawn.geometry
            found.append(scales_of(drawn, self.look.values or geometry.numbers, arrays))
            if not arrays.get(geometry.output_name, (None, False))[1]:  # its output shades, for the pictures after
                arrays = {**arrays, geometry.output_name: (found[-1].output, True)}
        if self.look.lang == "en":
            return found
        from ..picture.translated import scales

        return [scales(each, self.look.lang) for each in found]

    @cached_property
    def layouts(self) -> list:
        """Where everything goes in each drawing's frames."""
        look = self.look
        with speaking(look.lang):
            return self._plans(look)

    def _plans(self, look: Look) -> list:
        """Each drawing's layout: the room of its sum lines cut to what the steps drawn write (the
        geometries estimate it), or widened to it when the estimate would cut a sum (the cells
        then chosen anew); those of an animation of several pictures drawn on one canvas
        (the widest picture's) with their texts breaking within the canvas's width, as the
        widest picture's do, so that the texts do not jump from picture to picture."""
        pairs = list(zip(self.drawings, self.scales))
        geometries = [drawn.geometry for drawn in self.drawings]
        layouts = [self._plan(look, drawn, scales, drawn.geometry) for drawn, scales in pairs]
        if any(layout.values and (layout.sum_lines > 1 or layout.geometry.sum_each_group) for layout in layouts):
            for k, (layout, fresh) in enumerate(zip(layouts, self._drawn())):
                for _ in range(3):  # more room may bring other cells, whose sums break otherwise
                    lines = sum_lines_written(fresh.playback, layout)
                    if not layout.values or lines <= layout.sum_lines:
                        break
                    geometries[k] = replace(geometries[k], sum_lines_drawn=lines, sum_lines_least=lines)
                    layout = layouts[k] = self._plan(look, *pairs[k], geometries[k])
                    fresh = self._drawn()[k]
                if layout.values and lines < layout.sum_lines:
                    least = min(geometries[k].sum_lines_least, lines)
                    geometry = replace(geometries[k], sum_lines_drawn=lines, sum_lines_least=least)
                    fitted = self._plan(look, *pairs[k], geometry)
                    if fitted.sum_width >= layout.sum_width:  # laid out no narrower: the sums break no worse
                        layouts[k], geometries[k] = fitted, geometry
        canvas = max(layout.width for layout in layouts)
        return [
            layout if layout.width == canvas else self._plan(look, *pair, geometry, canvas)
            for pair, geometry, layout in zip(pairs, geometries, layouts)
        ]

    def _plan(self, look: Look, drawn: Any, scales: Any, geometry: Any, text_width: int = 0) -> Any:
        """The layout of ``drawn`` (its ``geometry`` as given) in ``look``, its texts breaking
        within ``text_width`` when given."""
        return plan(
            geometry,
            look.values,
            drawn.value_chars if look.values or geometry.numbers else 1,  # read only to write numbers
            notes=look.notes,
            max_width=look.width,
            keys=() if look.headless else scales.keys,  # a contact sheet shows them once
            scale=look.scale,
            caption=not look.headless,
            picture=drawn.picture.size if drawn.picture is not None else None,
            chosen=True,
            text_width=text_width,
        )

    @cached_property
    def shown(self) -> list[int]:
        """The steps each part shows: those of the kernel columns shown."""
        return [layout.steps for layout in self.layouts]

    @cached_property
    def steps(self) -> list[list[int]]:
        """The steps drawn of each part: every step shown, in order."""
        return [list(range(n)) for n in self.shown]

    @property
    def total(self) -> int:
        """How many frames the steps drawn make."""
        return sum(len(part) for part in self.steps)

    @cached_property
    def players(self) -> _Players:
        """The animations of the parts, which play the frames."""
        return self._players(self.drawings)

    def _players(self, drawings: list) -> _Players:
        from ..picture.overlay import Animation  # matplotlib loads here
        from ..picture.paint import THEMES

        theme = THEMES[self.look.theme]
        headless = self.look.headless  # the keys drawn once, over a contact sheet's tiles
        with speaking(self.look.lang):
            parts = [
                (Animation if d.geometry.arrangement is None else d.geometry.arrangement.animation)(
                    d, layout, theme, s, s.keys if headless else ()
                )
                for d, layout, s in zip(drawings, self.layouts, self.scales)
            ]
            return _Players.of(parts)

    @property
    def parts(self) -> list[Animation]:
        return self.players.parts

    @property
    def palette(self) -> Palette:
        return self.players.palette

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of a frame."""
        return self.players.size

    @property
    def background(self) -> int:
        return self.players.background

    @property
    def changed(self) -> Optional[list[tuple[int, int, int, int]]]:
        """Rectangles (y0, y1, x0, x1) outside which the latest frame equals the one before (None: unknown)."""
        return self.players.changed

    def frames(self, steps: Optional[list[list[int]]] = None) -> Iterator[np.ndarray]:
        """The frames of ``steps`` (per part; by default the steps drawn) in order, each valid
        until the next is requested. Played again, the parts start afresh (from new drawings
        of the same recording, laid out as before)."""
        if self._played:
            self.players = self._players(self._drawn())
        self._played = True
        frames = self.players.frames(self.steps if steps is None else steps)
        return frames if self.look.lang == "en" else in_language(frames, self.look.lang)

    def still(self, step: int) -> np.ndarray:
        """The frame of ``step`` (as palette indices), counted from 1 among every step shown:
        the animation's last frame when it has been played and this is its step, else that
        step drawn alone (the outputs of the steps before it written, as in the animation).
        It is as large as the picture the step is in, without the room an animation of several
        pictures leaves around a smaller one."""
        from .drawn import check_step

        check_step(self, step)
        every = sum(self.shown)
        steps, before = [], step - 1
        for shown in self.shown:
            steps.append([before] if 0 <= before < shown else [])
            before -= shown
        frame = self._last if step == every and self._last is not None else next(iter(self.frames(steps)))
        layout = self.layouts[[bool(part) for part in steps].index(True)]
        return frame[: layout.height, : layout.width]

    def animate(
        self, target: Any, chosen: Format, fps: float, progress: Any = None, started: Optional[float] = None
    ) -> RenderResult:
        """Write the animation to ``target`` in the format ``chosen``, ``fps`` frames a second
        (the last held longer); ``progress(frames_done, frames_total)`` after each frame."""
        started = time.perf_counter() if started is None else started
        frame_ms = max(10 * round(100 / fps), 20)
        last_ms = max(HOLD_FRAMES * frame_ms, MIN_HOLD_MS)
        total, start = self.total, offset(target)
        writer = chosen.open(target, self.size, self.palette.colors)
        with writer:
            for i, frame in enumerate(self.frames()):
                if i == total - 1:
                    self._last = frame.copy() if self.steps[-1][-1:] == [self.shown[-1] - 1] else None
                writer.add(frame, last_ms if i == total - 1 else frame_ms, self.changed)
                if progress is not None:
                    progress(i + 1, total)
        return self.result(target, writer.frames_written, started, chosen.name, writer.bytes_written, start)

    def write_still(
        self, target: Any, step: int, started: Optional[float] = None, on_canvas: bool = False
    ) -> RenderResult:
        """Write the frame of ``step`` (see :meth:`still`) to ``target`` as a PNG; ``on_canvas``:
        as large as the animation's frames, as the animation shows it (its poster)."""
        import numpy as np
        from PIL import Image

        from ..files.png import write_image

        started = time.perf_counter() if started is None else started
        frame = self.still(step)
        if on_canvas:
            width, height = self.size
            canvas = np.full((height, width), self.background, np.uint8)
            canvas[: frame.shape[0], : frame.shape[1]] = frame
            frame = canvas
        lut = np.array(self.palette.colors, np.uint8)
        start = offset(target)
        written = write_image(target, Image.fromarray(lut[frame]))
        return self.result(target, 1, started, "png", written, start, (frame.shape[1], frame.shape[0]))

    def result(
        self,
        target: Any,
        frames: int,
        started: float,
        format: str,
        written: int,
        start: int = 0,
        size: Optional[tuple[int, int]] = None,
    ) -> RenderResult:
        """What was written to ``target`` (a path, or a file object written from ``start``)."""
        stream = is_stream(target)
        data = target.getvalue()[start:] if stream and hasattr(target, "getvalue") else None
        return RenderResult(
            path=None if stream else target,
            frames=frames,
            bytes=len(data) if data is not None else written if stream else target.stat().st_size,
            steps=sum(drawn.geometry.steps for drawn in self.drawings),
            shown_steps=sum(self.shown),
            size=size or self.size,
            seconds=time.perf_counter() - started,
            caption=say(self.spec.caption, self.look.lang),
            format=format,
            data=data,
            region=self.region,
            layer_steps=self.layer_steps,
            region_asked=self.region_asked,
            whole_by=self.whole_by,
            channels=self.channels_left_out(),
            past_column=self.past_column(),
        )

    def channels_left_out(self) -> str:
        """The channels the pictures draw when they leave some out (as their ``showing`` line
        counts them), and why: as many as fit the frame, or as many as a picture draws at most;
        else empty."""
        notes, room, most = [], False, 0
        for geometry in self.geometries:
            note = shown_note(geometry)
            if note:
                notes.append(note)
                most = geometry.shown_most or MAX_SHOWN_IN
                room = room or len(shown_of(geometry)[0]) < min(geometry.in_channels, most)
        if not notes:
            return ""
        why = "as many as fit the frame (a wider --width draws more)" if room else f"a picture draws at most {most}"
        return f"{'; '.join(dict.fromkeys(notes))}: {why}"  # depth pictures alike: said once

    def past_column(self) -> str:
        """Why a frame is wider than the page's column at the default width, when no part of the
        layer fits it (see :mod:`.region`), and what a ``--width`` does: the least that draws it
        (a narrower one is refused), or that the column's own width draws a part within it; else
        empty."""
        from ..ops.backward import Backward
        from ..picture.sizes import MAX_SIDE_PX

        box = fit_box(self.look.scale)[0]
        if self.choice.fits or self.look.width is not None or self.size[0] <= box:
            return ""
        whole, shown, chars = self._chooser

        def refusal(width: int) -> Optional[SpecError]:
            look = self.look._replace(width=width, headless=False)
            try:
                choose(self.op, self.spec, look, self._asked, whole, self.max_frames, shown, chars)
            except SpecError as error:
                return error
            return None

        def drawn(width: int) -> bool:
            return refusal(width) is None

        said = f"the picture is {self.size[0]} pixels wide, past the page's {box}-pixel column: "
        if isinstance(self.op, Backward):  # drawn whole: a part would leave out terms its sums add
            said += "a backward pass is drawn whole, and this one does not fit the column with readable cells"
        else:
            said += "no part of this layer fits the column with readable cells"
        said += ", so a page shrinks it; "
        refused = refusal(box)
        if refused is None:
            return said + f"--width {box} draws another part of it within the column"
        named = getattr(refused, "least_width", 0)  # the width the refusal names, most often the least
        if named > box and drawn(named) and not drawn(named - 1):
            return said + f"--width {named} is the least that draws it within the width (a narrower one is refused)"
        narrow, wide = box, max(MAX_SIDE_PX * self.look.scale, self.size[0])
        for _ in range(3):  # a stacked picture may be wider than a frame drawn past the column
            if drawn(wide):
                break
            narrow, wide = wide, 2 * wide
        else:
            return said + "no --width draws it within one"
        while wide - narrow > 1:  # the least width that draws it, the widest that does not
            middle = (narrow + wide) // 2
            narrow, wide = (narrow, middle) if drawn(middle) else (middle, wide)
        return said + f"--width {wide} is the least that draws it within the width (a narrower one is refused)"

    def frames_with(self, max_frames: int) -> Optional[int]:
        """How many frames a render of this layer with another ``max_frames`` draws, planned as
        :meth:`planned_frames` (None: it would be refused)."""
        whole, shown, chars = self._chooser
        look = self.look._replace(headless=False)
        try:
            choice = choose(self.op, self.spec, look, self._asked, whole, max_frames, shown, chars)
            return sum(plan(g).steps for g in choice.geometries)
        except SpecError:
            return None

    def planned_frames(self) -> int:
        """How many frames the job draws, from its geometries alone (nothing recorded): each
        laid out plainly, refusing a picture too large to draw."""
        return sum(plan(g).steps for g in self.geometries)


class _Players(NamedTuple):
    """The animations of a job's parts, played one after the other on one canvas (a
    :class:`Chain`) when there are several, with the palette they share and its background,
    ink and grid colours."""

    parts: list[Animation]
    chain: Optional[Chain]
    palette: Palette
    background: int
    ink: int
    grid: int

    @classmethod
    def of(cls, parts: list[Animation]) -> _Players:
        from ..picture.overlay import Chain

        chain = Chain(parts) if len(parts) > 1 else None
        palette = parts[0].palette if chain is None else chain.palette
        first = parts[0].scene
        colours = (first.colours.background, first.colours.ink, first.colours.grid)
        return cls(parts, chain, palette, *(palette.add(first.palette.colors[c]) for c in colours))

    @property
    def size(self) -> tuple[int, int]:
        if self.chain is None:
            return self.parts[0].layout.width, self.parts[0].layout.height
        return self.chain.width, self.chain.height

    @property
    def changed(self) -> Optional[list[tuple[int, int, int, int]]]:
        return self.parts[0].changed if self.chain is None else self.chain.changed

    def lut(self, i: int) -> np.ndarray:
        """Part ``i``'s palette indices mapped to the shared palette's."""
        import numpy as np

        return np.arange(256, dtype=np.uint8) if self.chain is None else self.chain.luts[i]

    def frames(self, steps: list[list[int]]) -> Iterator[np.ndarray]:
        return self.parts[0].frames(steps[0]) if self.chain is None else self.chain.frames(steps)


def sum_lines_written(playback: Any, layout: Any) -> int:
    """The most lines the sums of a picture's steps take at ``layout``'s sum width (at least
    1), the steps played in order as a render plays them (``playback`` a fresh one: it is used
    up): within its room, or, for sums of an entry for each group, as many lines as each entry
    needs when none is longer than :data:`~convgif.picture.sizes.SUM_ENTRY_LINES` (or the
    geometry's most), so that a room estimated too small shows."""
    from ..picture.overlay import _fit_lines

    geometry, width = layout.geometry, layout.sum_width
    each = max(geometry.sum_lines_most, SUM_ENTRY_LINES)  # the most lines an entry read whole takes
    most = 1
    for step in range(layout.steps):
        playback.advance(step)
        entries = playback.show(step).sums_drawn(layout.outputs)
        if not entries:
            continue
        room = layout.sum_lines
        if geometry.sum_each_group and all(len(_fit_lines([entry], width, each + 1)) <= each for entry in entries):
            room = max(room, len(entries) * each)
        most = max(most, len(_fit_lines(entries, width, room)))
    return most


def offset(target: Any) -> int:
    """Where writing starts in ``target``: the position of a file object kept in memory, else 0."""
    return target.tell() if is_stream(target) and hasattr(target, "getvalue") else 0
