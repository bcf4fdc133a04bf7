"""``render``: a layer in, an animation out. What the command line does, as one Python call.

Everything a render needs is an argument here: the layer's spec, its values (given as arrays,
or as a kernel preset, literal or file and a picture), how it looks and where it goes. The
command line, the gallery and the documentation plugins all call these functions.
"""

from __future__ import annotations

import math
import numbers
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from . import ops
from .animation.job import Look, _Drawing, spread_steps
from .animation.region import resolve_region
from .animation.result import RenderResult
from .errors import SpecError
from .files.formats import STILL_SUFFIX, choose, is_stream
from .ops.args import check_computable
from .picture.layout import MAX_SCALE, plan
from .picture.model import Region

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


def label_of(kernel: Kernel = None, image: Picture = None) -> str:
    """The words a kernel and a picture add to a file name: ``shapes_sobel-x``, ``kernel``."""
    words = []
    if image is not None:
        words.append(Path(image).stem)
    if kernel is not None:
        from .inputs.kernels import PRESETS

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
        from .inputs.kernels import factors_note, parse_kernel, weights_for

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
        from .inputs.images import load_image

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

    from .files.png import write_image

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

    from .files.png import write_image

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
    from .inputs.pytorch import from_torch

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


def frames_of(spec: Any, max_frames: int = DEFAULT_MAX_FRAMES, **view: Any) -> int:
    """How many frames a render of ``spec`` draws (:class:`TooLargeError` if it cannot): of a
    region of the output when the layer is too large to draw whole."""
    view = resolve_region(spec, Look(), view)
    layouts = [plan(geometry).steps for geometry in geometries(spec, **view)]
    return sum(len(part) for part in spread_steps(layouts, max_frames))
