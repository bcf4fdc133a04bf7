"""``render``: a layer in, an animation out. What the command line does, as one Python call.

Everything a render needs is an argument here: the layer's spec, its values (given as arrays,
or as a kernel preset, literal or file and a picture), how it looks and where it goes. The
command line, the gallery and the documentation plugins all call these functions.
"""

from __future__ import annotations

import base64
import builtins
import html
import math
import numbers
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from . import ops
from .drawing import Region
from .formats import STILL_SUFFIX, choose, is_stream
from .layout import MAX_SCALE, kernel_channels, plan
from .spec import SpecError, TooLargeError, check_computable, fmt

if TYPE_CHECKING:
    from typing import BinaryIO

    import numpy as np

#: The reference article's GIFs show each step for 300 ms.
DEFAULT_FPS = 1000 / 300
DEFAULT_MAX_FRAMES = 300
MAX_FPS = 50  # GIF delays are whole hundredths of a second; below 2, viewers slow them down
MIN_FPS = 0.1  # ten seconds a frame; the last frame's hold must stay within a GIF's longest delay
#: The last frame stays up this many frame durations (at least ``MIN_HOLD_MS``).
HOLD_FRAMES = 4
MIN_HOLD_MS = 1500
SHEET_WIDTH = 2400
#: A contact sheet stops short of this height: when its tiles would not fit, it shows fewer
#: steps (spread evenly) rather than shrinking them.
SHEET_HEIGHT = 7200
THEME_NAMES = ("light", "dark")

Progress = Callable[[int, int], None]
Kernel = Union[str, "np.ndarray", None]
Picture = Union[str, os.PathLike, None]
#: Where a render goes: a path, or a binary file object such as ``io.BytesIO``.
Target = Union[str, os.PathLike, "BinaryIO", None]
#: The MIME type of each format, as pages and notebooks embed it.
MIME = {"gif": "image/gif", "webp": "image/webp", "apng": "image/png", "png": "image/png", "mp4": "video/mp4"}


@dataclass(frozen=True)
class RenderResult:
    """What a render wrote: the file, its frames and bytes, and the steps it drew them from.

    ``steps`` counts every step of the layer; ``shown_steps`` those of the output channels
    drawn (fewer only when there are too many channels to show), from which ``frames`` were
    spread when ``max_frames`` is smaller.
    """

    path: Optional[Path]
    frames: int
    bytes: int
    steps: int
    shown_steps: int
    size: tuple[int, int]
    seconds: float
    #: The layer's caption (the alt text of the picture).
    caption: str = ""
    #: The format written: ``gif``, ``webp``, ``apng``, ``mp4`` or ``png`` (a still).
    format: str = "gif"
    #: The bytes written, when the render went to memory (``io.BytesIO``) rather than a file.
    data: Optional[builtins.bytes] = field(default=None, repr=False, compare=False)
    #: The part of the output drawn, when the layer is too large to draw whole (else None).
    region: Optional[Region] = None

    def content(self) -> builtins.bytes:
        """The picture's bytes: those kept in memory, else the file's."""
        if self.data is not None:
            return self.data
        if self.path is None:
            raise ValueError("this render went to a file object: its bytes are there")
        return self.path.read_bytes()

    def _repr_html_(self) -> str:
        """The picture embedded in HTML (a data URI), with the caption as alt text: how a
        Jupyter notebook shows a render."""
        mime = MIME.get(self.format, "image/gif")
        uri = f"data:{mime};base64,{base64.b64encode(self.content()).decode('ascii')}"
        alt = html.escape(self.caption)
        width, height = self.size
        style = 'style="max-width:100%;height:auto"'
        if mime.startswith("video/"):
            return (
                f'<video src="{uri}" width="{width}" height="{height}" {style} autoplay loop muted playsinline controls '
                f'aria-label="{alt}" title="{alt}">{alt}</video>'
            )
        return f'<img src="{uri}" alt="{alt}" width="{width}" height="{height}" {style}>'

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """What a notebook shows: the picture (HTML) or, as text, where it is and its caption."""
        where = str(self.path) if self.path is not None else "in memory"
        text = f"{where}: {self.format}, {self.frames} frames, {self.bytes:,} bytes: {self.caption}"
        return {"text/html": self._repr_html_(), "text/plain": text}


def label_of(kernel: Kernel = None, image: Picture = None) -> str:
    """The words a kernel and a picture add to a file name: ``shapes_sobel-x``, ``kernel``."""
    words = []
    if image is not None:
        words.append(Path(image).stem)
    if kernel is not None:
        from .kernels import PRESETS

        name = kernel.strip().lower() if isinstance(kernel, str) else ""
        words.append(name if name in PRESETS else "kernel")
    return "_".join(words)


def default_filename(
    spec: Any, values: bool = False, seed: int = 0, label: str = "", suffix: str = ".gif", **view: Any
) -> str:
    """A file name that spells out the arguments, e.g. ``conv2d_3x7x7_out2_k3_s2_p1_d2.gif``."""
    op = ops.of(spec)
    parts = [op.name.lower(), *op.name_parts(spec)]
    parts = [part.replace("-", "m") for part in parts]  # negative padding: p-1 -> pm1
    parts += [
        word for word in (label, *(name.replace("_", "") for name, on in sorted(view.items()) if on is True)) if word
    ]
    region = view.get("region")
    if isinstance(region, Region):
        parts.append(f"r{region.rows[0]}-{region.rows[1]}x{region.cols[0]}-{region.cols[1]}")
    if values:
        parts.append("values")
    if seed:
        parts.append(f"seed{seed}")
    return "_".join(parts) + suffix


def check_options(
    fps: Any, max_frames: Any, seed: Any = 0, theme: Any = "light", width: Any = None, scale: Any = 1
) -> None:
    """Refuse options a render cannot honour, as :class:`SpecError` naming the option."""
    if not isinstance(fps, numbers.Real) or isinstance(fps, bool):
        raise SpecError("fps", f"fps={fps!r} must be a number (frames per second)")
    if not MIN_FPS <= fps <= MAX_FPS:
        raise SpecError("fps", f"fps={fps:g} must be from {MIN_FPS:g} to {MAX_FPS} (GIF timing)")
    if not isinstance(max_frames, numbers.Integral) or isinstance(max_frames, bool):
        raise SpecError("max_frames", f"max_frames={max_frames!r} must be a whole number of frames")
    if max_frames < 0:
        raise SpecError("max_frames", f"max_frames={max_frames} must be 0 (every step) or more")
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
        raise SpecError("seed", f"seed={seed!r} must be a non-negative integer")
    if theme not in THEME_NAMES:
        raise SpecError("theme", f"theme={theme!r} must be 'light' or 'dark'")
    if width is not None and (not isinstance(width, numbers.Integral) or isinstance(width, bool) or width < 1):
        raise SpecError("width", f"width={width!r} must be a positive number of pixels")
    if not isinstance(scale, numbers.Integral) or isinstance(scale, bool) or not 1 <= scale <= MAX_SCALE:
        rule = f"must be a whole number from 1 to {MAX_SCALE} (text and cells that many times as large)"
        raise SpecError("scale", f"scale={scale!r} {rule}")


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


def inputs_for(
    spec: Any,
    input: Optional[np.ndarray] = None,
    weight: Optional[np.ndarray] = None,
    kernel: Kernel = None,
    image: Picture = None,
    factors: bool = False,
) -> tuple[Optional[np.ndarray], Optional[np.ndarray], bool, tuple[str, ...]]:
    """The input and weight a render uses, whether the input is a picture, and the notes a
    kernel's factors add: ``kernel`` (a preset name, rows like ``"1,0,-1;2,0,-2"``, a ``.npy``
    path or an array) fills the weight, ``image`` (a picture file) the input."""
    notes: tuple[str, ...] = ()
    if kernel is not None:
        if weight is not None:
            raise SpecError("kernel", "give the weights once: as weight= or as kernel=, not both")
        from .kernels import factors_note, parse_kernel, weights_for

        values = parse_kernel(kernel) if isinstance(kernel, str) else _as_array("kernel", kernel)
        weight = weights_for(spec, values)
        if factors:
            try:
                notes = (factors_note(values),)
            except SpecError as error:
                raise SpecError("factors", str(error)) from None
    elif factors:
        raise SpecError("factors", "factors shows the 1-D factors of a kernel; give one, e.g. kernel='sobel-x'")
    if image is not None:
        if input is not None:
            raise SpecError("image", "give the input once: as input= or as image=, not both")
        from .images import load_image

        input = load_image(image, spec)
    return input, weight, image is not None, notes


def _as_array(name: str, value: Any) -> np.ndarray:
    import numpy as np

    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise SpecError(name, f"{name} must hold numbers, not {array.dtype}")
    return array


def render(
    spec: Any,
    path: Target = None,
    *,
    input_shape: Optional[tuple[int, ...]] = None,
    seed: int = 0,
    fps: float = DEFAULT_FPS,
    max_frames: int = DEFAULT_MAX_FRAMES,
    values: bool = False,
    progress: Optional[Progress] = None,
    input: Optional[np.ndarray] = None,
    weight: Optional[np.ndarray] = None,
    bias: Optional[np.ndarray] = None,
    kernel: Kernel = None,
    image: Picture = None,
    factors: bool = False,
    pixels: bool = False,
    notes: tuple[str, ...] = (),
    theme: str = "light",
    width: Optional[int] = None,
    scale: int = 1,
    format: Optional[str] = None,
    **view: Any,
) -> RenderResult:
    """Animate the forward pass of ``spec`` into a looping animation at ``path``.

    ``spec`` is a layer spec, or a PyTorch module (``torch.nn.Conv2d(3, 2, 3)``, a pooling
    layer, ...) drawn with its own arguments, weights and bias for an input of ``input_shape``
    (see :func:`convgif.from_torch`).

    ``path`` defaults to :func:`default_filename` in the current folder; its suffix chooses
    the format (``.gif``, ``.webp``, ``.png``/``.apng``, ``.mp4``) unless ``format`` does, and
    a suffix naming no format is refused. ``path`` may be a binary file object
    (``io.BytesIO``): the animation is written to it, in ``format`` (default GIF), and the
    result keeps the bytes. The result shows itself in a Jupyter notebook. One frame per step, or ``max_frames`` steps spread evenly
    when there are more (0 draws them all). ``progress`` is called as
    ``progress(frames_done, frames_total)``.

    Values: ``input``, ``weight`` and ``bias`` replace the random example values (see
    :func:`convgif.record`); ``kernel`` gives the weights as a preset (``"sobel-x"``), rows
    (``"1,0,-1;2,0,-2;1,0,-1"``), a ``.npy`` path or an array, repeated over every kernel or
    the whole weight; ``factors`` notes a rank-1 kernel's two 1-D factors; ``image`` reads a
    picture as the input, drawn as its pixels with the output in grey (``pixels`` draws a
    given ``input`` that way). ``notes`` are lines written under the caption; ``theme`` is
    ``"light"`` or ``"dark"``; ``width`` caps the picture's width in pixels; ``scale`` (1 to 4)
    draws text, cells and lines that many times larger, for slides. ``view`` holds
    the drawing options of the layer's own kind: ``as_conv=True`` draws a transposed
    convolution as the equal direct convolution over the zero-inserted, padded input.

    Invalid options raise :class:`SpecError` naming the argument; a configuration too large
    to draw raises before any work is done.
    """
    started = time.perf_counter()
    spec, weight, bias = layer_of(spec, input_shape, weight, bias, kernel)
    check_options(fps, max_frames, seed, theme, width, scale)
    notes = _notes(notes)
    input, weight, picture, extra = inputs_for(spec, input, weight, kernel, image, factors)
    look = Look(values, extra + notes, theme, width, scale)
    stream = is_stream(path)
    target_format = choose(None if stream else path, format)
    label = label_of(kernel, image)
    view = resolve_region(spec, look, view)
    target = _target(spec, path, look, view, seed, label, target_format.suffix)
    drawing = _Drawing(spec, seed, input, weight, bias, pixels or picture, look, max_frames, view)
    frame_ms = max(10 * round(100 / fps), 20)
    last_ms = max(HOLD_FRAMES * frame_ms, MIN_HOLD_MS)
    start = target.tell() if stream and hasattr(target, "getvalue") else 0
    writer = target_format.open(target, drawing.size, drawing.palette.colors)
    with writer:
        for i, frame in enumerate(drawing.frames()):
            writer.add(frame, last_ms if i == drawing.total - 1 else frame_ms, drawing.changed)
            if progress is not None:
                progress(i + 1, drawing.total)
    return drawing.result(target, writer.frames_written, started, target_format.name, writer.bytes_written, start)


def render_still(
    spec: Any,
    path: Target = None,
    *,
    input_shape: Optional[tuple[int, ...]] = None,
    step: Optional[int] = None,
    seed: int = 0,
    max_frames: int = DEFAULT_MAX_FRAMES,
    columns: Optional[int] = None,
    values: bool = False,
    input: Optional[np.ndarray] = None,
    weight: Optional[np.ndarray] = None,
    bias: Optional[np.ndarray] = None,
    kernel: Kernel = None,
    image: Picture = None,
    factors: bool = False,
    pixels: bool = False,
    notes: tuple[str, ...] = (),
    theme: str = "light",
    width: Optional[int] = None,
    scale: int = 1,
    **view: Any,
) -> RenderResult:
    """A PNG for pages and slides where animations do not play: one step (``step``, counted
    from 1 among the steps drawn), or, without ``step``, a contact sheet of the frames a
    render would draw: the caption and notes once at the top, then one tile per step, each
    with its step's lines only, ``columns`` across (default: about square, as many as fit
    ``SHEET_WIDTH`` pixels at full size). Tiles keep their full size unless ``columns`` asks
    for more than fit; a sheet that would be taller than ``SHEET_HEIGHT`` shows fewer steps,
    spread evenly. ``width`` caps each tile's width. Other options (a PyTorch module as ``spec``, a
    file object as ``path``) as for :func:`render`."""
    started = time.perf_counter()
    spec, weight, bias = layer_of(spec, input_shape, weight, bias, kernel)
    check_options(DEFAULT_FPS, max_frames, seed, theme, width, scale)
    stream = is_stream(path)
    if path is not None and not stream and str(path) != "-" and Path(path).suffix.lower() != STILL_SUFFIX:
        raise SpecError("image_format", f"{os.fspath(path)!r}: a still picture is a PNG; name it ….png")
    input, weight, picture, extra = inputs_for(spec, input, weight, kernel, image, factors)
    look = Look(values, extra + tuple(_notes(notes)), theme, width, scale, headless=step is None)
    suffix = f"_step{step}{STILL_SUFFIX}" if step is not None else f"_sheet{STILL_SUFFIX}"
    view = resolve_region(spec, look, view)
    target = _target(spec, path, look, view, seed, label_of(kernel, image), suffix)
    import numpy as np
    from PIL import Image

    from .writer import write_image

    drawing = _Drawing(
        spec, seed, input, weight, bias, pixels or picture, look, 0 if step is not None else max_frames, view
    )
    lut = np.array(drawing.palette.colors, np.uint8)
    if step is not None:
        if not isinstance(step, numbers.Integral) or not 1 <= step <= drawing.total:
            raise SpecError("step", f"step={step!r} must be from 1 to {drawing.total}, the steps drawn")
        frame = next(f for i, f in enumerate(drawing.frames(last=step)) if i == step - 1)
        start = target.tell() if stream and hasattr(target, "getvalue") else 0
        size = write_image(target, Image.fromarray(lut[frame]))
        return drawing.result(target, 1, started, "png", size, start)
    return _sheet(drawing, target, columns, started, stream)


def _sheet(drawing: _Drawing, target: Any, columns: Optional[int], started: float, stream: bool) -> RenderResult:
    """Write a contact sheet: the caption and notes once, then the frames as tiles."""
    import numpy as np
    from PIL import Image

    from .writer import write_image

    tile_w, tile_h = drawing.size
    across = columns or max(1, min(math.ceil(math.sqrt(drawing.total)), SHEET_WIDTH // tile_w))
    shrink = min(1.0, SHEET_WIDTH / (across * tile_w)) if columns else 1.0
    tile = (max(1, round(tile_w * shrink)), max(1, round(tile_h * shrink)))
    header = drawing.header(across * tile[0])
    rows_fit = max(1, (SHEET_HEIGHT - header.shape[0]) // tile[1])
    if math.ceil(drawing.total / across) > rows_fit:  # fewer steps rather than smaller tiles
        drawing.steps = spread_steps(drawing.shown, across * rows_fit)
        drawing.total = sum(len(part) for part in drawing.steps)
    rows = math.ceil(drawing.total / across)
    sheet = np.full((header.shape[0] + rows * tile[1], across * tile[0]), drawing.background, np.uint8)
    sheet[: header.shape[0]] = header
    lut = np.array(drawing.palette.colors, np.uint8)
    frames = []
    for i, frame in enumerate(drawing.frames()):
        y, x = header.shape[0] + (i // across) * tile[1], (i % across) * tile[0]
        if shrink < 1:
            frames.append((Image.fromarray(lut[frame]).resize(tile, Image.Resampling.LANCZOS), (x, y)))
        else:
            sheet[y : y + tile[1], x : x + tile[0]] = frame
            drawing.separate(sheet, y, x, tile)
    picture = Image.fromarray(lut[sheet])
    for tile_image, at in frames:
        picture.paste(tile_image, at)
    start = target.tell() if stream and hasattr(target, "getvalue") else 0
    size = write_image(target, picture)
    return drawing.result(target, drawing.total, started, "png", size, start)


def _notes(notes: Any) -> tuple[str, ...]:
    if isinstance(notes, str) or not all(isinstance(n, str) for n in notes):
        raise SpecError("notes", f"notes={notes!r} must be a sequence of lines (strings), e.g. ('a note',)")
    return tuple(notes)


def geometries(spec: Any, **view: Any) -> list:
    """The pictures a render of ``spec`` plays, each checked: refuses at once, naming the
    argument, a layer too large to compute."""
    parts = ops.of(spec).geometries(spec, **view)
    for geometry in parts:
        check_computable(geometry.layer)
    return parts


def is_torch_module(layer: Any) -> bool:
    """Whether ``layer`` is a ``torch.nn.Module`` (without importing PyTorch: one has been)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(layer, getattr(getattr(torch, "nn", None), "Module", ()))


def layer_of(
    spec: Any, input_shape: Any = None, weight: Any = None, bias: Any = None, kernel: Kernel = None
) -> tuple[Any, Any, Any]:
    """The spec, weight and bias a render draws: ``spec`` itself, or a PyTorch module's
    arguments, weights and bias for an input of ``input_shape``."""
    if not is_torch_module(spec):
        if input_shape is not None:
            raise SpecError("input_shape", "input_shape is for a PyTorch module; a spec has its own input_shape")
        return spec, weight, bias
    from .torchlayers import from_torch

    spec, values = from_torch(spec, input_shape)
    for name, given in (("weight", weight), ("bias", bias), ("kernel", kernel)):
        if given is not None and values:
            raise SpecError(name, f"the module has its own weights: give {name}= with a spec, not with a module")
    return spec, values.get("weight", weight), values.get("bias", bias)


def _target(spec: Any, path: Any, look: Look, view: dict, seed: int, label: str, suffix: str) -> Any:
    """Where to write, refusing at once what cannot be computed or written."""
    geometries(spec, **view)
    if is_stream(path):
        return path
    target = Path(path) if path is not None else Path(default_filename(spec, look.values, seed, label, suffix, **view))
    if not target.name or target.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(target))
    return target


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
        from .drawing import scales_of
        from .overlay import Animation, Chain  # matplotlib loads here
        from .paint import THEMES

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

        from .layout import CAPTION_BREAK, Metrics, shown_note, wrap
        from .paint import Painter

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


def frames_of(spec: Any, max_frames: int = DEFAULT_MAX_FRAMES, **view: Any) -> int:
    """How many frames a render of ``spec`` draws (:class:`TooLargeError` if it cannot): of a
    region of the output when the layer is too large to draw whole."""
    view = resolve_region(spec, Look(), view)
    layouts = [plan(geometry).steps for geometry in geometries(spec, **view)]
    return sum(len(part) for part in spread_steps(layouts, max_frames))


#: A layer is drawn whole when its cells are at least this many pixels wide (at scale 1) and
#: the picture at most READABLE_SIDE_PX on its longer side; else a region of it is, if one is.
READABLE_CELL_PX = 10
READABLE_SIDE_PX = 1000
#: Output sizes tried, largest first, for an automatic region (per axis; more on one axis).
REGION_SIDES = (32, 28, 24, 20, 16, 14, 12, 10, 8, 7, 6, 5, 4, 3, 2, 1)
#: Input channels a part draws, fewest last, when the layout's own number makes it too tall:
#: preferred are a part of at least GOOD_SIDES[0] outputs a side with several channels, then
#: one of at least GOOD_SIDES[1] (with one channel if each is computed apart from the others),
#: then any part.
FEWER_CHANNELS = (3, 1)
GOOD_SIDES = (8, 4)


def resolve_region(spec: Any, look: Look, view: dict) -> dict:
    """``view`` with the part of the output to draw: the ``region`` given (checked), or, for a
    layer too large to draw whole readably, the largest top-left region that is; unchanged for
    a layer drawn whole. A layer no region makes drawable raises the whole layer's refusal."""
    op = ops.of(spec)
    given = view.get("region")
    rest = {k: v for k, v in view.items() if k != "region"}
    whole = op.geometries(spec, **rest)
    out_h, out_w = whole[0].out_size
    dims = whole[0].dims
    if given is not None:
        given = parse_region(given, dims, (out_h, out_w))

    def fits(region: Optional[Region]) -> bool:
        """Whether the layer (or ``region`` of it) is drawn readably: cells of a readable size
        in a picture of at most about ``READABLE_SIDE_PX``."""
        for geometry in op.geometries(spec, region=region, **rest):
            layout = plan(
                geometry, look.values, geometry.value_chars, notes=look.notes, max_width=look.width, scale=look.scale
            )
            if layout.cell < READABLE_CELL_PX * look.scale or max(layout.drawing) > READABLE_SIDE_PX * look.scale:
                return False
        return True

    if given is not None:
        for fewer in (None, *FEWER_CHANNELS):  # the part given, with fewer channels if it needs them
            try:
                if fits(replace(given, channels=fewer)):
                    return {**rest, "region": replace(given, channels=fewer)}
            except SpecError:
                continue
        return {**rest, "region": given}
    if all(_small(geometry, look.scale) for geometry in whole):
        return view  # plainly drawable whole: no need to lay it out twice
    refused: Optional[SpecError] = None
    try:
        if fits(None):
            return view
    except SpecError as whole_refusal:
        refused = whole_refusal
    drawable: Optional[Region] = None  # the smallest part drawn at all, if none is readably
    # channels computed apart (pooling, depthwise) lose nothing drawn one by one: a larger part is better
    apart = all(geometry.groups == geometry.in_channels for geometry in whole)
    fewest = FEWER_CHANNELS if apart else FEWER_CHANNELS[:-1]
    tries = [(side, fewer) for side in REGION_SIDES if side >= GOOD_SIDES[0] for fewer in (None, *FEWER_CHANNELS[:-1])]
    tries += [(side, fewer) for side in REGION_SIDES if side >= GOOD_SIDES[1] for fewer in (None, *fewest)]
    tries += [(side, fewer) for side in REGION_SIDES for fewer in (None, *FEWER_CHANNELS)]
    tries = list(dict.fromkeys(tries))  # each part laid out once
    smallest: Optional[TooLargeError] = None  # why even the smallest part cannot be drawn
    for side, fewer in tries:
        rows = (0, min(side, out_h)) if dims == 2 else (0, 1)
        region = Region(rows, (0, min(side * (4 if dims == 1 else 1), out_w)), dims, fewer)
        try:
            if fits(region):
                return {**rest, "region": region}
        except TooLargeError as error:
            smallest = error
            continue
        except SpecError:
            continue
        drawable = region
    if refused is not None:
        if drawable is not None:
            return {**rest, "region": drawable}
        if smallest is not None and smallest.argument == "input_shape":  # the cells one output reads
            raise _window_refusal(spec, smallest) from None
        raise refused
    return view  # drawable whole, if not as readably as hoped: no region is better


def _window_refusal(spec: Any, error: TooLargeError) -> TooLargeError:
    """The refusal of a layer not even one output cell of which can be drawn: its window (or
    scattered kernel) holds more cells than a picture can."""
    dilated = max(getattr(spec, "dilation", None) or (1,)) > 1
    values = "draw it without values (numbers need large cells) or " if error.values else ""
    return TooLargeError(
        "kernel_size",
        f"kernel_size={fmt(spec.kernel_size)} is too large to draw: even one output cell and the input cells it "
        f"reads need {error.needs}; {values}shrink kernel_size{' or dilation' if dilated else ''} "
        "(`convgif info` describes the layer without drawing it)",
        error.needs,
        error.values,
    )


def _small(geometry: Any, scale: int) -> bool:
    """Whether a picture is plainly within READABLE_SIDE_PX at full-size cells (a generous
    overestimate of the layout, without laying it out)."""
    from .layout import CELL_PX

    hp, wp = geometry.grid
    ho, wo = geometry.out_size
    kh, kw = geometry.kernel or (0, 0)
    stacked_in = min(geometry.in_channels, 6) * (max(hp, kh) + 3)
    stacked_out = min(geometry.out_channels, 8) * (ho + 3)
    across = wp + min(geometry.out_per_group, 6) * (kw + 2) + wo + 20
    return max(stacked_in, stacked_out, across) * CELL_PX * scale + 300 * scale <= READABLE_SIDE_PX * scale


def parse_region(value: Any, dims: int, size: tuple[int, int]) -> Region:
    """A region given as ``"R0:R1,C0:C1"`` (``"C0:C1"`` for one axis), as ((r0, r1), (c0, c1)),
    or as a :class:`Region`; checked against the output's ``size``."""
    if isinstance(value, Region):
        region = value
    else:
        try:
            if isinstance(value, str):
                parts = [tuple(int(v) for v in part.split(":")) for part in value.replace(" ", "").split(",")]
            else:
                parts = [tuple(int(v) for v in part) for part in value]
            if dims == 1 and len(parts) == 1:
                parts = [(0, 1), *parts]
            (r0, r1), (c0, c1) = parts
        except (TypeError, ValueError):
            form = "'C0:C1'" if dims == 1 else "'R0:R1,C0:C1'"
            raise SpecError(
                "region", f"region={value!r} must be output rows and columns as {form}, e.g. '0:8,0:8'"
            ) from None
        region = Region((r0, r1), (c0, c1), dims)
    out_h, out_w = size
    (r0, r1), (c0, c1) = region.rows, region.cols
    if not (0 <= r0 < r1 <= out_h and 0 <= c0 < c1 <= out_w):
        shown = f"{region.cols[0]}:{region.cols[1]}" if dims == 1 else f"{r0}:{r1},{c0}:{c1}"
        whole = f"0:{out_w}" if dims == 1 else f"0:{out_h},0:{out_w}"
        raise SpecError("region", f"region={shown} must lie within the output, {whole}, and hold at least one cell")
    return region
