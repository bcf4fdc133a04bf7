"""``render``: spec in, GIF out. What the command line does, as one Python call."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from .layout import plan

if TYPE_CHECKING:
    import numpy as np
from .spec import Conv1dSpec, Conv2dSpec, ConvTranspose2dSpec, SeparableSpec, SpecError

AnySpec = Union[Conv2dSpec, Conv1dSpec, ConvTranspose2dSpec, SeparableSpec]

#: The reference article's GIFs show each step for 300 ms.
DEFAULT_FPS = 1000 / 300
DEFAULT_MAX_FRAMES = 300
MAX_FPS = 50  # GIF delays are whole hundredths of a second; below 2, viewers slow them down
MIN_FPS = 0.1  # ten seconds a frame; the last frame's hold must stay within a GIF's longest delay
#: The last frame stays up this many frame durations (at least ``MIN_HOLD_MS``).
HOLD_FRAMES = 4
MIN_HOLD_MS = 1500

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RenderResult:
    """What a render wrote: the file, its frames and bytes, and the steps it drew them from.

    ``steps`` counts every step of the layer; ``shown_steps`` those of the output channels
    drawn (fewer only when there are too many channels to show), from which ``frames`` were
    spread when ``max_frames`` is smaller.
    """

    path: Path
    frames: int
    bytes: int
    steps: int
    shown_steps: int
    size: tuple[int, int]
    seconds: float


def default_filename(spec: AnySpec, values: bool = False, seed: int = 0, label: str = "") -> str:
    """A file name that spells out the arguments, e.g. ``conv2d_3x7x7_out2_k3_s2_p1_d2.gif``."""

    def dims(sizes: object) -> str:
        if isinstance(sizes, str):
            return sizes
        return str(sizes[0]) if len(set(sizes)) == 1 else "x".join(map(str, sizes))  # type: ignore[index]

    kinds = {ConvTranspose2dSpec: "convtranspose2d", SeparableSpec: "separable"}
    kind = kinds.get(type(spec), f"conv{spec.DIMS}d")
    parts = [kind, "x".join(map(str, spec.input_shape)), f"out{spec.out_channels}", f"k{dims(spec.kernel_size)}"]
    if max(spec.stride) != 1:
        parts.append(f"s{dims(spec.stride)}")
    padding = getattr(spec, "padding_arg", spec.padding)
    if padding != (0,) * spec.DIMS:
        parts.append(f"p{dims(padding)}")
    if max(spec.dilation) != 1:
        parts.append(f"d{dims(spec.dilation)}")
    if isinstance(spec, ConvTranspose2dSpec) and max(spec.output_padding):
        parts.append(f"op{dims(spec.output_padding)}")
    if getattr(spec, "groups", 1) != 1:
        parts.append(f"g{spec.groups}")
    if spec.padding_mode != "zeros":
        parts.append(spec.padding_mode)
    if not spec.bias:
        parts.append("nobias")
    parts = [part.replace("-", "m") for part in parts]  # negative padding: p-1 -> pm1
    if label:
        parts.append(label)
    if values:
        parts.append("values")
    if seed:
        parts.append(f"seed{seed}")
    return "_".join(parts) + ".gif"


def check_options(fps: float, max_frames: int) -> None:
    """Refuse timing options a GIF cannot honour, as :class:`SpecError` naming the option."""
    if not MIN_FPS <= fps <= MAX_FPS:
        raise SpecError("fps", f"fps={fps:g} must be from {MIN_FPS:g} to {MAX_FPS} (GIF timing)")
    if max_frames < 0:
        raise SpecError("max_frames", f"max_frames={max_frames} must be 0 (every step) or more")


@dataclass(frozen=True)
class Style:
    """How a layer is drawn: everything but the layer and its values."""

    values: bool = False
    pixels: bool = False
    as_conv: bool = False
    notes: tuple[str, ...] = ()
    theme: str = "light"
    width: Optional[int] = None


FORMATS = {"gif": ".gif", "webp": ".webp", "apng": ".png"}


def render(
    spec: AnySpec,
    path: Union[str, os.PathLike, None] = None,
    *,
    seed: int = 0,
    fps: float = DEFAULT_FPS,
    max_frames: int = DEFAULT_MAX_FRAMES,
    values: bool = False,
    progress: Optional[Progress] = None,
    input: Optional[np.ndarray] = None,
    weight: Optional[np.ndarray] = None,
    pixels: bool = False,
    as_conv: bool = False,
    notes: tuple[str, ...] = (),
    theme: str = "light",
    width: Optional[int] = None,
    image_format: str = "gif",
) -> RenderResult:
    """Animate the forward pass of ``spec`` into a looping GIF (or WebP, APNG) at ``path``.

    ``path`` defaults to :func:`default_filename` in the current folder. One frame per step,
    or ``max_frames`` steps spread evenly when there are more (0 draws them all). ``progress``
    is called as ``progress(frames_done, frames_total)``. ``input`` and ``weight`` replace the
    random example values (see :func:`convgif.record`); ``pixels`` draws the input as a picture
    (0 black, 255 white, or full red, green, blue for 3 channels) and the output in grey.
    A :class:`ConvTranspose2dSpec` is drawn as its definition, each input cell scattering the
    kernel into the output; ``as_conv`` draws instead the equal direct convolution over the
    zero-inserted, padded input with the flipped kernel. ``notes`` are lines written under the
    caption (e.g. :func:`convgif.kernels.factors_note`); ``theme`` is ``"light"`` or ``"dark"``;
    ``width`` caps the picture's width in pixels. ``image_format`` ``"webp"`` (lossless) and
    ``"apng"`` keep all frames in memory until written. Invalid options raise
    :class:`SpecError`; a configuration too large to draw raises before any work is done.
    """
    started = time.perf_counter()
    check_options(fps, max_frames)
    if image_format not in FORMATS:
        raise SpecError("image_format", f"image_format={image_format!r} must be one of {', '.join(FORMATS)}")
    style = Style(values, pixels, as_conv, tuple(notes), theme, width)
    target = _target(spec, path, style, seed, FORMATS[image_format])
    from .writer import GifWriter, PillowWriter

    drawing = _Drawing(spec, seed, input, weight, style, max_frames)
    frame_ms = max(10 * round(100 / fps), 20)
    last_ms = max(HOLD_FRAMES * frame_ms, MIN_HOLD_MS)
    if image_format == "gif":
        writer = GifWriter(target, drawing.size, drawing.palette.colors)
    else:
        writer = PillowWriter(target, drawing.size, drawing.palette.colors, image_format)
    with writer:
        for i, frame in enumerate(drawing.frames()):
            writer.add(frame, last_ms if i == drawing.total - 1 else frame_ms)
            if progress is not None:
                progress(i + 1, drawing.total)
    return drawing.result(target, writer.frames_written, started)


def render_still(
    spec: AnySpec,
    path: Union[str, os.PathLike, None] = None,
    *,
    step: Optional[int] = None,
    seed: int = 0,
    max_frames: int = DEFAULT_MAX_FRAMES,
    columns: Optional[int] = None,
    input: Optional[np.ndarray] = None,
    weight: Optional[np.ndarray] = None,
    **style: Any,
) -> RenderResult:
    """A PNG for pages and slides where animations do not play: one step (``step``, counted
    from 1 among the steps drawn), or, without ``step``, a contact sheet of the frames a
    render would draw, ``columns`` wide (default: about square), scaled to at most
    ``SHEET_WIDTH`` pixels. Other options as for :func:`render`."""
    started = time.perf_counter()
    check_options(DEFAULT_FPS, max_frames)
    look = Style(**style)
    suffix = f"_step{step}.png" if step is not None else "_sheet.png"
    target = _target(spec, path, look, seed, suffix)
    import numpy as np
    from PIL import Image

    from .writer import write_image

    drawing = _Drawing(spec, seed, input, weight, look, 0 if step is not None else max_frames)
    lut = np.array(drawing.palette.colors, np.uint8)
    if step is not None:
        if not 1 <= step <= drawing.total:
            raise SpecError("step", f"step={step} must be from 1 to {drawing.total}, the steps drawn")
        frame = next(f for i, f in enumerate(drawing.frames(last=step)) if i == step - 1)
        write_image(target, Image.fromarray(lut[frame]))
        return drawing.result(target, 1, started)
    count = drawing.total
    across = columns or max(1, math.ceil(math.sqrt(count)))
    rows = math.ceil(count / across)
    scale = min(1.0, SHEET_WIDTH / (across * drawing.size[0]))
    tile = (max(1, round(drawing.size[0] * scale)), max(1, round(drawing.size[1] * scale)))
    sheet = Image.new("RGB", (across * tile[0], rows * tile[1]), tuple(drawing.palette.colors[0]))
    for i, frame in enumerate(drawing.frames()):
        picture = Image.fromarray(lut[frame])
        if scale < 1:
            picture = picture.resize(tile, Image.Resampling.LANCZOS)
        sheet.paste(picture, ((i % across) * tile[0], (i // across) * tile[1]))
    write_image(target, sheet)
    return drawing.result(target, count, started)


SHEET_WIDTH = 2400


def _target(spec: AnySpec, path: Union[str, os.PathLike, None], style: Style, seed: int, suffix: str) -> Path:
    """Where to write, refusing at once what cannot be drawn or written."""
    if style.as_conv and not isinstance(spec, ConvTranspose2dSpec):
        raise SpecError("as_conv", "as_conv draws a transposed convolution as a direct one; this layer is direct already")
    if style.theme not in ("light", "dark"):
        raise SpecError("theme", f"theme={style.theme!r} must be 'light' or 'dark'")
    for part in spec_parts(spec, style.as_conv):
        plan(part, style.values, value_chars=1, max_width=style.width)  # refuses what cannot be drawn
    target = Path(path) if path is not None else Path(default_filename(spec, style.values, seed).removesuffix(".gif") + suffix)
    if not target.name or target.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(target))
    return target


class _Drawing:
    """A layer recorded and laid out, with the steps to draw of each of its parts."""

    def __init__(self, spec: AnySpec, seed: int, input, weight, style: Style, max_frames: int) -> None:
        from .frames import Chain

        self.spec = spec
        self.parts = _renderers(spec, seed, input, weight, style)
        self.shown = [renderer.layout.steps for renderer in self.parts]
        self.steps = spread_steps(self.shown, max_frames)
        self.total = sum(len(part) for part in self.steps)
        if len(self.parts) == 1:
            only = self.parts[0]
            self.size, self.palette, self._chain = (only.layout.width, only.layout.height), only.palette, None
        else:
            self._chain = Chain(self.parts)
            self.size, self.palette = (self._chain.width, self._chain.height), self._chain.palette

    def frames(self, last: Optional[int] = None):
        """The frames in order (only the first ``last``)."""
        steps = self.steps
        if last is not None:
            budget, steps = last, []
            for part in self.steps:
                steps.append(part[:budget])
                budget -= len(steps[-1])
        return self.parts[0].frames(steps[0]) if self._chain is None else self._chain.frames(steps)

    def result(self, target: Path, frames: int, started: float) -> RenderResult:
        return RenderResult(
            path=target,
            frames=frames,
            bytes=target.stat().st_size,
            steps=sum(renderer.spec.steps for renderer in self.parts),
            shown_steps=sum(self.shown),
            size=self.size,
            seconds=time.perf_counter() - started,
        )


def spec_parts(spec: AnySpec, as_conv: bool = False) -> list:
    """The layers drawn one after the other for ``spec``: two for a separable convolution,
    the direct convolution for a transposed one drawn ``as_conv``."""
    if isinstance(spec, SeparableSpec):
        return [spec.depthwise, spec.pointwise]
    if as_conv and isinstance(spec, ConvTranspose2dSpec):
        return [spec.as_conv()]
    return [spec]


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


def frames_of(spec: AnySpec, max_frames: int = DEFAULT_MAX_FRAMES, as_conv: bool = False) -> int:
    """How many frames a render of ``spec`` draws (:class:`TooLargeError` if it cannot)."""
    shown = [plan(part).steps for part in spec_parts(spec, as_conv)]
    return sum(len(part) for part in spread_steps(shown, max_frames))


def _renderers(spec: AnySpec, seed: int, input, weight, style: Style) -> list:
    """Record ``spec`` and set up the renderers that draw it, one after the other."""
    import numpy as np

    from .engine import as_conv2d, record, zero_insert
    from .frames import THEMES, Renderer, ScatterRenderer, partial_sum_range, value_chars  # matplotlib loads here

    values, pixels, notes, theme, width = style.values, style.pixels, style.notes, THEMES[style.theme], style.width

    recording = record(spec, seed, input=input, weight=weight)
    if isinstance(spec, SeparableSpec):
        steps = ("depthwise: one kernel per input channel (step 1 of 2)", "pointwise: 1×1 kernels mix the channels (step 2 of 2)")
        renderers = []
        for part, rec, note in zip(spec_parts(spec), (recording.depthwise, recording.pointwise), steps):
            layout = plan(part, values, value_chars(rec) if values else 1, notes=(note, spec.comparison, *notes), max_width=width)
            renderers.append(Renderer(rec, layout, pixels=pixels and part is spec.depthwise, theme=theme))
        return renderers
    if not isinstance(spec, ConvTranspose2dSpec):
        recording = as_conv2d(recording)
        layout = plan(spec, values, value_chars(recording) if values else 1, notes=notes, max_width=width)
        return [Renderer(recording, layout, pixels=pixels, theme=theme)]
    if style.as_conv:
        conv = recording.conv
        layout = plan(conv.spec, values, value_chars(conv) if values else 1, caption=spec.caption, notes=notes, max_width=width)
        inserted = zero_insert(spec, np.ones((1, *spec.input_shape[1:]), dtype=np.int64))[0] == 0
        return [Renderer(conv, layout, pixels=pixels, filler=inserted, theme=theme)]
    chars = max(value_chars(recording.conv), *(len(format(v, "g")) for v in partial_sum_range(recording)))
    layout = plan(spec, values, chars if values else 1, notes=notes, max_width=width)
    return [ScatterRenderer(recording, layout, pixels=pixels, theme=theme)]
