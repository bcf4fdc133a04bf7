"""What a render is asked, checked and turned into its job: the options refused before any
work, the layer and its values (a PyTorch module's, a kernel, a picture), the notes, the file
it goes to, and the :class:`~convgif.animation.job.Job` that draws it.

:mod:`convgif.api` (the public functions) and the command line's requests build their jobs
here, checking in the same order; the command line keeps an animation's job for its poster.
"""

from __future__ import annotations

import numbers
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, Union

from .. import ops
from ..errors import SpecError
from ..files.atomic import destination
from ..files.formats import STILL_SUFFIX, choose, is_stream, written_name
from ..ops.args import INT64, check_sizes, fmt
from ..picture import MAX_SCALE, THEME_NAMES
from ..picture.model import Region
from . import DEFAULT_FPS, DEFAULT_MAX_FRAMES, MAX_FPS, MIN_FPS, Look
from .job import Job

if TYPE_CHECKING:
    from typing import BinaryIO

    import numpy as np

    from ..files.formats import Format
    from .result import RenderResult


Progress = Callable[[int, int], None]


Kernel = Union[str, "np.ndarray", None]


Picture = Union[str, os.PathLike, None]


#: Where a render goes: a path, or a binary file object such as ``io.BytesIO``.
Target = Union[str, os.PathLike, "BinaryIO", None]


def animation(
    spec: Any, path: Target = None, progress: Optional[Progress] = None, **options: Any
) -> tuple[Job, RenderResult]:
    """Animate ``spec`` into ``path`` as :func:`convgif.render` does with these ``options``:
    its job (kept by the command line for the animation's poster) and what it wrote."""
    started = time.perf_counter()
    if progress is not None and not callable(progress):
        raise SpecError("progress", f"progress={fmt(progress)} must be a function called as progress(done, total)")
    job, target, chosen = animation_job(spec, path, **options)
    return job, job.animate(target, chosen, options.get("fps", DEFAULT_FPS), progress, started)


class _Given(NamedTuple):
    """A render's layer and the values given for it, checked: the spec (from a spec, a module
    or a kernel), the arrays, whether a picture is drawn as pixels, and the notes said."""

    spec: Any
    input: Optional[np.ndarray]
    weight: Optional[np.ndarray]
    bias: Optional[np.ndarray]
    picture: bool
    notes: tuple[str, ...]
    lang: str

    @classmethod
    def of(
        cls,
        spec: Any,
        input_shape: Any,
        input: Any,
        weight: Any,
        bias: Any,
        kernel: Kernel,
        image: Picture,
        factors: bool,
        notes: Any,
        lang: str,
    ) -> _Given:
        spec, weight, bias = layer_of(spec, input_shape, weight, bias, kernel)
        input, weight, bias = (
            None if v is None else _as_array(n, v) for n, v in (("input", input), ("weight", weight), ("bias", bias))
        )
        lang = language_of(lang)
        notes = notes_of(notes)
        input, weight, picture, extra = inputs_for(spec, input, weight, kernel, image, factors)
        if kernel is not None and bias is None and getattr(spec, "bias", False) and weight is not None:
            import numpy as np

            bias = np.zeros(ops.of(spec).bias_shape(spec), weight.dtype)  # a kernel's own output, not shifted by b
        return cls(spec, input, weight, bias, picture, said(extra, lang) + notes, lang)

    def job(self, look: Look, view: dict, seed: int, pixels: bool, max_frames: int, grad_output: Any) -> Job:
        """The render's job, its every choice made once. An animation's, its stills' and its
        contact sheet's are built from the same options, ``max_frames`` too (only a sheet's
        frames are drawn ``headless``): they draw the same part, channels and colour scales, so
        that a still of step N is frame N of the animation."""
        return Job(
            self.spec,
            look,
            view,
            seed=seed,
            input=self.input,
            weight=self.weight,
            bias=self.bias,
            pixels=pixels or self.picture,
            max_frames=max_frames,
            grad_output=grad_output,
        )


def animation_job(
    spec: Any,
    path: Target = None,
    *,
    input_shape: Optional[tuple[int, ...]] = None,
    seed: int = 0,
    fps: float = DEFAULT_FPS,
    max_frames: int = DEFAULT_MAX_FRAMES,
    values: bool = False,
    input: Optional[np.ndarray] = None,
    weight: Optional[np.ndarray] = None,
    bias: Optional[np.ndarray] = None,
    grad_output: Any = None,
    kernel: Kernel = None,
    image: Picture = None,
    factors: bool = False,
    pixels: bool = False,
    notes: tuple[str, ...] = (),
    theme: str = "light",
    width: Optional[int] = None,
    scale: int = 1,
    format: Optional[str] = None,
    lang: str = "en",
    **view: Any,
) -> tuple[Job, Any, Format]:
    """The job of an animation (see :func:`convgif.render` for the arguments), where it goes
    and in which format: every option checked, and the layer refused if it is too large, before
    anything is recorded."""
    check_options(fps, max_frames, seed, theme, width, scale)
    given = _Given.of(spec, input_shape, input, weight, bias, kernel, image, factors, notes, lang)
    look = Look(values, given.notes, theme, width, scale, lang=given.lang)
    if path is not None and not is_stream(path):
        check_path_type(path)
    chosen = choose(None if is_stream(path) else path, format)
    job = given.job(look, view, seed, pixels, max_frames, grad_output)
    spec = given.spec
    name = lambda: default_filename(spec, values, seed, label_of(kernel, image), chosen.suffix, **job.view)  # noqa: E731
    return job, target_of(path, name), chosen


def still_job(
    spec: Any,
    path: Target = None,
    *,
    input_shape: Optional[tuple[int, ...]] = None,
    step: Optional[int] = None,
    seed: int = 0,
    max_frames: int = DEFAULT_MAX_FRAMES,
    values: bool = False,
    input: Optional[np.ndarray] = None,
    weight: Optional[np.ndarray] = None,
    bias: Optional[np.ndarray] = None,
    grad_output: Any = None,
    kernel: Kernel = None,
    image: Picture = None,
    factors: bool = False,
    pixels: bool = False,
    notes: tuple[str, ...] = (),
    theme: str = "light",
    width: Optional[int] = None,
    scale: int = 1,
    lang: str = "en",
    **view: Any,
) -> tuple[Job, Any]:
    """The job of a still (see :func:`convgif.api.render_still`) and where it goes: the job of
    the animation the same options draw, its frames headless tiles for a contact sheet (no
    ``step``); ``step`` counts among its frames."""
    check_options(DEFAULT_FPS, max_frames, seed, theme, width, scale)
    if path is not None and not is_stream(path) and str(path) != "-":
        check_path_type(path)
        if Path(written_name(path)).suffix.lower() != STILL_SUFFIX:
            shown = written_name(path)
            link = f" (a link to {shown!r})" if shown != os.fspath(path) else ""
            raise SpecError("path", f"{os.fspath(path)!r}{link}: a still picture is a PNG; name it ….png")
    given = _Given.of(spec, input_shape, input, weight, bias, kernel, image, factors, notes, lang)
    look = Look(values, given.notes, theme, width, scale, headless=step is None, lang=given.lang)
    suffix = f"_step{step}{STILL_SUFFIX}" if step is not None else f"_sheet{STILL_SUFFIX}"
    job = given.job(look, view, seed, pixels, max_frames, grad_output)
    spec = given.spec
    name = lambda: default_filename(spec, values, seed, label_of(kernel, image), suffix, **job.view)  # noqa: E731
    return job, target_of(path, name)


def poster(job: Job, path: Any) -> RenderResult:
    """Write the still of an animation's ``job`` shown to readers who prefer reduced motion,
    as a PNG at ``path``: the frame of the step numbered as many as the animation's frames,
    among every step shown. That is its last frame, kept as it was played, unless
    ``max_frames`` spreads the steps (then the step is drawn alone)."""
    started = time.perf_counter()
    return job.write_still(target_of(path), job.total, started, on_canvas=True)


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
    if isinstance(view.get("view"), str):  # another way of drawing the layer: matrix, overlaps
        parts.append(view["view"])
    region = view.get("region")
    if isinstance(region, Region):
        parts.append(f"r{region.rows[0]}-{region.rows[1]}x{region.cols[0]}-{region.cols[1]}")
    if values:
        parts.append("values")
    if seed:
        parts.append(f"seed{seed}")
    return "_".join(parts) + suffix


def label_of(kernel: Kernel = None, image: Picture = None) -> str:
    """The words a kernel and a picture add to a file name: ``shapes_sobel-x``, ``kernel``."""
    words = []
    if image is not None:
        words.append(Path(image).stem)
    if kernel is not None:
        from ..inputs.kernels import PRESETS

        name = kernel.strip().lower() if isinstance(kernel, str) else ""
        words.append(name if name in PRESETS else "kernel")
    return "_".join(words)


def target_of(path: Target, name: Optional[Callable[[], str]] = None) -> Any:
    """Where to write: a file object as it is, ``path``, or (without one) the file ``name()``
    in the current folder; what cannot be written (a folder, a device, a write-protected file:
    see :func:`convgif.files.atomic.destination`) is refused at once, as :class:`OSError`."""
    if is_stream(path):
        if not callable(getattr(path, "write", None)):
            raise SpecError("path", f"path={fmt(path)} has no write method: give a path or a binary file object")
        return path
    if path is not None:
        check_path_type(path)
    target = Path(path) if path is not None else Path(name())  # type: ignore[misc]
    destination(os.fspath(path) if path is not None else target)
    return target


def check_path_type(path: Any) -> None:
    """Refuse a ``path`` that is neither text, a path-like object nor a file object."""
    if not isinstance(path, (str, os.PathLike)):
        raise SpecError("path", f"path={fmt(path)} must be a file name, a path or a binary file object")
    name = os.fspath(path)
    if not isinstance(name, str) or "\0" in name:
        raise SpecError("path", f"path={fmt(path)} must be a file name without NUL characters")


def check_options(
    fps: Any, max_frames: Any, seed: Any = 0, theme: Any = "light", width: Any = None, scale: Any = 1
) -> None:
    """Refuse options a render cannot honour, as :class:`SpecError` naming the option."""
    if not isinstance(fps, numbers.Real) or isinstance(fps, bool):
        raise SpecError("fps", f"fps={fmt(fps)} must be a number (frames per second)")
    if not MIN_FPS <= fps <= MAX_FPS:
        raise SpecError("fps", f"fps={_number(fps)} must be from {MIN_FPS:g} to {MAX_FPS} (GIF timing)")
    if not isinstance(max_frames, numbers.Integral) or isinstance(max_frames, bool):
        raise SpecError("max_frames", f"max_frames={fmt(max_frames)} must be a whole number of frames")
    if max_frames < 0:
        raise SpecError("max_frames", f"max_frames={fmt(max_frames)} must be 0 (every step) or more")
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or not 0 <= seed < INT64:
        raise SpecError("seed", f"seed={fmt(seed)} must be an integer from 0 to 2**63 - 1")
    if not isinstance(theme, str) or theme not in THEME_NAMES:
        raise SpecError("theme", f"theme={fmt(theme)} must be 'light' or 'dark'")
    if width is not None and (not isinstance(width, numbers.Integral) or isinstance(width, bool) or width < 1):
        raise SpecError("width", f"width={fmt(width)} must be a positive number of pixels")
    if not isinstance(scale, numbers.Integral) or isinstance(scale, bool) or not 1 <= scale <= MAX_SCALE:
        rule = f"must be a whole number from 1 to {MAX_SCALE} (text and cells that many times as large)"
        raise SpecError("scale", f"scale={fmt(scale)} {rule}")


def _number(value: Any) -> str:
    """A number as a message shows it (an integer too large for a float by its digits)."""
    try:
        return f"{value:g}"
    except (OverflowError, ValueError, TypeError):
        return fmt(value)


def language_of(lang: Any) -> str:
    """``lang`` as :data:`convgif.language.LANGS` spells it, with a font to draw it: a language
    written with wide characters needs a CJK font, and without one it is refused naming what
    to install."""
    from ..language import canonical

    lang = canonical(lang)
    if lang != "en":
        from ..picture.glyphs import cjk_font

        cjk_font(lang)
    return lang


def said(notes: tuple[str, ...], lang: str) -> tuple[str, ...]:
    """Notes convgif writes itself (not a user's), in ``lang``."""
    from ..language import say

    return tuple(say(note, lang) for note in notes)


def notes_of(notes: Any) -> tuple[str, ...]:
    """The lines written under the caption, refused unless a sequence of strings."""
    if isinstance(notes, str) or not isinstance(notes, (tuple, list)) or not all(isinstance(n, str) for n in notes):
        raise SpecError("notes", f"notes={fmt(notes)} must be a sequence of lines (strings), e.g. ('a note',)")
    return tuple(notes)


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
        from ..inputs.kernels import factors_note, parse_kernel, weights_for

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
        from ..inputs.images import load_image

        input = load_image(image, spec)
    return input, weight, image is not None, notes


def _as_array(name: str, value: Any) -> np.ndarray:
    import numpy as np

    try:
        array = np.asarray(value)
    except (ValueError, TypeError, OverflowError) as error:
        raise SpecError(name, f"{name} must be an array of numbers: {error}") from None
    if array.dtype.kind not in "biuf":
        raise SpecError(name, f"{name} must hold numbers, not {array.dtype}")
    return array


def is_torch_module(layer: Any) -> bool:
    """Whether ``layer`` is a ``torch.nn.Module`` (without importing PyTorch: one has been)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(layer, getattr(getattr(torch, "nn", None), "Module", ()))


def layer_of(
    spec: Any, input_shape: Any = None, weight: Any = None, bias: Any = None, kernel: Kernel = None
) -> tuple[Any, Any, Any]:
    """The spec, weight and bias a render draws: ``spec`` itself, or a PyTorch module's
    arguments, weights and bias for an input of ``input_shape``; sizes no picture shows are
    refused before any work grows with them."""
    if not is_torch_module(spec):
        if input_shape is not None:
            raise SpecError("input_shape", "input_shape is for a PyTorch module; a spec has its own input_shape")
        try:
            ops.of(spec)
        except TypeError as error:
            raise SpecError("spec", str(error)) from None
        check_sizes(spec)
        return spec, weight, bias
    from ..inputs.pytorch import from_torch

    spec, values = from_torch(spec, input_shape)
    check_sizes(spec)
    for name, given in (("weight", weight), ("bias", bias), ("kernel", kernel)):
        if given is not None and values:
            raise SpecError(name, f"the module has its own weights: give {name}= with a spec, not with a module")
    return spec, values.get("weight", weight), values.get("bias", bias)
