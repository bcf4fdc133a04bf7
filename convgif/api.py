"""``render``: a layer in, an animation out. What the command line does, as one Python call.

Everything a render needs is an argument here: the layer's spec, its values (given as arrays,
or as a kernel preset, literal or file and a picture), how it looks and where it goes. The
command line, the gallery and the documentation plugins all call these functions. Each is a
few lines over a render's :class:`~convgif.animation.job.Job`, built once from the arguments
in :mod:`convgif.animation.request`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Optional

from .animation import DEFAULT_FPS, DEFAULT_MAX_FRAMES
from .animation.request import (
    Kernel,
    Picture,
    Progress,
    Target,
    animation,
    animation_job,
    default_filename,
    still_job,
)
from .animation.result import RenderResult
from .errors import SpecError
from .ops.args import INT64, fmt

if TYPE_CHECKING:
    import numpy as np

__all__ = ["DEFAULT_FPS", "DEFAULT_MAX_FRAMES", "default_filename", "frames_of", "render", "render_still"]


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
) -> RenderResult:
    """Animate the forward pass of ``spec`` into a looping animation at ``path``.

    ``spec`` is a layer spec, or a PyTorch module (``torch.nn.Conv2d(3, 2, 3)``, a pooling
    layer, ...) drawn with its own arguments, weights and bias for an input of ``input_shape``
    (see :func:`convgif.from_torch`).

    ``path`` defaults to :func:`default_filename` in the current folder; its suffix chooses
    the format (``.gif``, ``.webp``, ``.png``/``.apng``, ``.mp4``) unless ``format`` does, and
    a suffix naming no format is refused. ``path`` may be a binary file object
    (``io.BytesIO``): the animation is written to it, in ``format`` (default GIF), and the
    result keeps the bytes. The result shows itself in a Jupyter notebook. One frame per step, every step in order; a
    layer with more steps than ``max_frames`` (0: no limit) is drawn in part, fewer output cells
    or channels, whose steps all fit. ``progress`` is called as
    ``progress(frames_done, frames_total)``.

    Values: ``input``, ``weight`` and ``bias`` replace the random example values (see
    :func:`convgif.record`); ``kernel`` gives the weights as a preset (``"sobel-x"``), rows
    (``"1,0,-1;2,0,-2;1,0,-1"``), a ``.npy`` path or an array, repeated over every kernel or
    the whole weight, with a bias of 0 unless ``bias`` gives one; ``factors`` notes a rank-1
    kernel's two 1-D factors; ``image`` reads a
    picture as the input, drawn as its pixels with the output in grey (``pixels`` draws a
    given ``input`` that way). ``notes`` are lines written under the caption; ``theme`` is
    ``"light"`` or ``"dark"``; ``width`` caps the picture's width in pixels; ``scale`` (1 to 4)
    draws text, cells and lines that many times larger, for slides; ``lang`` (``"en"``,
    ``"zh-Hans"``, ``"zh-Hant"``) is the language of every word drawn (see
    :mod:`convgif.language`), Chinese needing a CJK font. ``view`` holds
    the drawing options of the layer's own kind: ``as_conv=True`` draws a transposed
    convolution as the equal direct convolution over the zero-inserted, padded input; and
    ``backward=True`` draws, for any kind, its backward pass from the upstream gradient
    ``grad_output`` (dL/dy: an array of the output's shape, seeded integers in -2..2 by default).

    Invalid options raise :class:`SpecError` naming the argument; a configuration too large
    to draw raises before any work is done.
    """
    options = dict(input_shape=input_shape, seed=seed, fps=fps, max_frames=max_frames, values=values, input=input)
    options.update(
        weight=weight,
        bias=bias,
        grad_output=grad_output,
        kernel=kernel,
        image=image,
        factors=factors,
        pixels=pixels,
        notes=notes,
    )
    options.update(theme=theme, width=width, scale=scale, format=format, lang=lang)
    return animation(spec, path, progress, **options, **view)[1]


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
) -> RenderResult:
    """A PNG for pages and slides where animations do not play: frame ``step`` (counted from
    1) of the animation :func:`render` draws with the same options (its part of the layer, its
    channels and colour scales; a ``step`` past its frames is refused, saying why they are
    fewer than the layer's steps), or, without ``step``, a contact sheet of the frames a
    render would draw: the caption and notes once at the top, then one tile per step, each
    with its step's lines only, ``columns`` across (default: about square, as many as fit
    ``SHEET_WIDTH`` pixels at full size). The tiles show the part of the layer the animation
    draws, its channels and steps, at full size unless ``columns`` asks for more than fit; a
    sheet that would be taller than ``SHEET_HEIGHT`` shows a sample of its frames, every
    picture's first and last among them, each tile named by its frame.
    ``width`` caps each tile's width. Other options (a PyTorch module as ``spec``, a
    file object as ``path``) as for :func:`render`."""
    started = time.perf_counter()
    if columns is not None and (not isinstance(columns, int) or isinstance(columns, bool) or not 1 <= columns <= 1000):
        raise SpecError("columns", f"columns={fmt(columns)} must be a whole number from 1 to 1000 (tiles across)")
    if step is not None and (not isinstance(step, int) or isinstance(step, bool) or not 1 <= step < INT64):
        raise SpecError("step", f"step={fmt(step)} must be a step's number, from 1")
    options = dict(input_shape=input_shape, step=step, seed=seed, max_frames=max_frames, values=values, input=input)
    options.update(
        weight=weight,
        bias=bias,
        grad_output=grad_output,
        kernel=kernel,
        image=image,
        factors=factors,
        pixels=pixels,
        notes=notes,
    )
    job, target = still_job(spec, path, **options, theme=theme, width=width, scale=scale, lang=lang, **view)
    if step is not None:
        return job.write_still(target, step, started)
    from .animation.sheet import write_sheet

    return write_sheet(job, target, columns, started)


def frames_of(spec: Any, max_frames: int = DEFAULT_MAX_FRAMES, **options: Any) -> int:
    """How many frames a render of ``spec`` with ``options`` draws (:class:`TooLargeError` if it
    cannot): of a region of the output when the layer is too large to draw whole. ``options``
    are those of :func:`render` (``values``, ``width``, ``scale``, ``kernel``, ``input``,
    ``region``, ``backward``, ...): ``values`` writes numbers, whose cells are larger, so a
    render with it may draw a smaller part, and fewer frames; the job is built as the render's."""
    return animation_job(spec, max_frames=max_frames, **options)[0].planned_frames()
