"""The receptive field animated: one frame per layer, from one output cell back to the input.

Each frame shows one tensor of the network as a grid (a row of cells for a 1-D network), with
the cells the chosen output depends on filled; the first frame is the chosen cell itself, the
last the network's input (the picture itself when one was given). A 1-D network's frames stack
their rows, so that the last frame shows the whole pyramid. Written as a looping GIF.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import Optional

import numpy as np

#: Colours per theme: background, ink, empty cell, grid line, cell in the field, the chosen cell.
COLOURS = {
    "light": ((255, 255, 255), (31, 35, 40), (234, 238, 242), (200, 206, 212), (245, 159, 0), (196, 64, 0)),
    "dark": ((13, 17, 23), (230, 237, 243), (33, 38, 45), (60, 68, 78), (214, 140, 20), (255, 196, 90)),
}
#: The grid's largest side in pixels, and the most pixels a cell takes.
SIDE, CELL = 384, 24
#: Pixels from one line of a frame's words to the next.
LINE = 15
FRAME_MS, LAST_MS = 1100, 3000


@dataclass(frozen=True)
class Frame:
    """One tensor's cells in the field: its name and shape, the mask, what the caption says."""

    label: str
    shape: tuple[int, ...]
    mask: np.ndarray
    words: str
    picture: Optional[np.ndarray] = None  # (H, W, 3) levels 0..255, for the input frame
    what: str = ""  # the module's class, for the caption
    own: Optional[tuple[int, ...]] = None  # the tensor's shape, when a reduction dropped axes ``shape`` keeps


def _text(
    image: np.ndarray, text: str, x: int, y: int, colour: tuple[int, int, int], big: bool = False, lang: str = "en"
) -> None:
    """``text`` written at ``x``, ``y``; each line of it (``\n``) :data:`LINE` pixels below the one before
    (``lang``: the glyph forms of wide characters)."""
    from ..picture import sizes
    from ..picture.glyphs import LEVELS, text_mask

    if "\n" in text:
        for k, line in enumerate(text.split("\n")):
            _text(image, line, x, y + k * LINE, colour, big, lang)
        return
    mask = text_mask(sizes.CAPTION if big else sizes.LABEL, text, lang)
    h, w = mask.shape
    h, w = min(h, image.shape[0] - y), min(w, image.shape[1] - x)
    if h <= 0 or w <= 0:
        return
    alpha = (mask[:h, :w].astype(float) / (LEVELS - 1))[..., None]
    region = image[y : y + h, x : x + w]
    region[:] = (region * (1 - alpha) + np.array(colour) * alpha).astype(np.uint8)


def _grid(mask: np.ndarray, picture: Optional[np.ndarray], chosen: Optional[tuple], colours: tuple) -> np.ndarray:
    """The cells of a 2-D (or one row of a 1-D) tensor, filled where ``mask`` is set."""
    _, _, empty, line, field, mark = colours
    rows, cols = mask.shape
    cell = max(1, min(CELL, SIDE // max(rows, cols)))
    image = np.empty((rows, cols, 3), dtype=np.uint8)
    if picture is not None:
        faded = (picture * 0.3 + np.array(empty) * 0.7).astype(np.uint8)
        tinted = (picture * 0.55 + np.array(field) * 0.45).astype(np.uint8)  # the picture shows through
        image[:] = np.where(mask[..., None], tinted, faded)
    else:
        image[:] = empty
        image[mask] = field
    if chosen is not None:
        image[chosen] = mark
    image = image.repeat(cell, axis=0).repeat(cell, axis=1)
    if cell >= 6:  # grid lines between cells
        image[::cell, :] = line
        image[:, ::cell] = line
    return image


#: The key under every frame: what the chosen cell's colour and the field's mean.
KEY = ("the cell traced", "the cells it depends on")


def words_of(frames: list[Frame], title: str, lang: str = "en") -> tuple[str, list[str], list[str]]:
    """The animation's words in ``lang``: its title (``title``, English, with :func:`name_mark`
    ``(0)`` for the first frame's label), and each frame's head (which tensor, the module's and
    class's names kept) and words (what of it is in the field)."""
    from ..language import name_mark, say_naming

    heads = []
    for i, frame in enumerate(frames):
        named = f"{name_mark(0)} ({name_mark(1)}) output" if frame.what else name_mark(0)
        text = f"{i + 1}/{len(frames)} · {named} {frame.own or frame.shape}"
        heads.append(say_naming(text, [frame.label, frame.what], lang))
    words = [say_naming(frame.words, [], lang) for frame in frames]
    return say_naming(title, [frames[0].label], lang), heads, words


def _key(image: np.ndarray, words: tuple[str, str], y: int, x: int, colours: tuple, lang: str) -> None:
    """The key at (``x``, ``y``): a swatch of the chosen cell's colour and one of the field's, each
    followed by what it means (``words``, in ``lang``)."""
    from ..picture import sizes
    from ..picture.cells import cells

    _, ink, _, line, field, mark = colours
    side = sizes.LABEL.height - 2
    for colour, text in zip((mark, field), words):
        image[y : y + side, x : x + side] = line
        image[y + 1 : y + side - 1, x + 1 : x + side - 1] = colour
        _text(image, text, x + side + 5, y, ink, lang=lang)
        x += side + 5 + cells(text) * sizes.LABEL.advance + 18


def _key_width(words: tuple[str, str]) -> int:
    from ..picture import sizes
    from ..picture.cells import cells

    return sum(sizes.LABEL.height - 2 + 5 + cells(text) * sizes.LABEL.advance + 18 for text in words)


def frames_of(
    frames: list[Frame], chosen: tuple[int, ...], title: str, theme: str = "light", lang: str = "en"
) -> list[np.ndarray]:
    """The pictures of the animation, all the same size, their words (:func:`words_of`) in ``lang``."""
    from ..language import say
    from ..picture.cells import cells

    title, heads, words = words_of(frames, title, lang)
    key = (say(KEY[0], lang), say(KEY[1], lang))
    colours = COLOURS[theme]
    background, ink = colours[0], colours[1]
    one_d = len(frames[0].shape) == 2
    grids = []
    for i, frame in enumerate(frames):
        mask = frame.mask[None, :] if one_d else frame.mask
        mark = ((0, *chosen) if one_d else tuple(chosen)) if i == 0 else None
        grid = _grid(mask, frame.picture, mark, colours)
        if one_d:
            grid = np.maximum(grid.repeat(max(1, 14 // grid.shape[0]), axis=0), 0)
        grids.append(grid)
    pad, caption_h, line_h = 12, 18, 15
    key_h = LINE + pad  # the key under the grids, a margin above it
    width = max(max(g.shape[1] for g in grids) + 2 * pad, 520, _widest(title, heads, words) + 2 * pad)
    width = max(width, _key_width(key) + 2 * pad)
    if one_d:
        label_w = 7 * max(cells(f.label) for f in frames) + pad
        width = max(width, label_w + max(g.shape[1] for g in grids) + 2 * pad)
        height = caption_h * 3 + pad * 2 + sum(g.shape[0] + 6 for g in grids)
    else:
        height = caption_h * 3 + pad * 3 + max(g.shape[0] for g in grids)
    height += key_h + (pad - 6 if one_d else 0)  # under the last row (6 apart) as under a grid
    pictures = []
    for i in range(len(frames)):
        image = np.empty((height, width, 3), dtype=np.uint8)
        image[:] = background
        _text(image, title, pad, pad, ink, True, lang)
        _text(image, heads[i], pad, pad + caption_h, ink, lang=lang)
        _text(image, words[i], pad, pad + caption_h + line_h, ink, lang=lang)
        top = pad * 2 + caption_h * 3
        if one_d:
            for j in range(i + 1):
                g = grids[j]
                _text(image, frames[j].label, pad, top + (g.shape[0] - 13) // 2, ink, lang=lang)
                image[top : top + g.shape[0], label_w + pad : label_w + pad + g.shape[1]] = g
                top += g.shape[0] + 6
        else:
            g = grids[i]
            image[top : top + g.shape[0], pad : pad + g.shape[1]] = g
        _key(image, key, height - pad - LINE, pad, colours, lang)
        pictures.append(image)
    return pictures


def _widest(title: str, heads: list[str], words: list[str]) -> int:
    """Pixels the widest line of the frames' words takes (a wide character two cells)."""
    from ..picture import sizes
    from ..picture.cells import cells

    lines = [line for text in [*heads, *words] for line in text.split("\n")]
    return max(cells(title) * sizes.CAPTION.advance, max(map(cells, lines)) * sizes.LABEL.advance) + 6


def write_gif(path: os.PathLike | str, pictures: list[np.ndarray]) -> int:
    """The pictures as a looping GIF at ``path``, written atomically; the bytes written."""
    from PIL import Image

    from ..files.atomic import AtomicFile

    images = [Image.fromarray(p) for p in pictures]
    montage = Image.fromarray(np.concatenate(pictures, axis=0))
    palette = montage.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    frames = [image.quantize(palette=palette, dither=Image.Dither.NONE) for image in images]
    data = io.BytesIO()
    durations = [FRAME_MS] * (len(frames) - 1) + [LAST_MS]
    frames[0].save(data, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0)
    with AtomicFile(path) as out:
        out._write(data.getvalue())
    return len(data.getvalue())


def write_still(path: os.PathLike | str, picture: np.ndarray) -> None:
    """The animation's last picture as a PNG at ``path``, written atomically: the still a page
    shows readers who prefer reduced motion."""
    from PIL import Image

    from ..files.atomic import AtomicFile

    data = io.BytesIO()
    Image.fromarray(picture).save(data, format="PNG", optimize=True)
    with AtomicFile(path) as out:
        out._write(data.getvalue())


# -- what the frames say about the field -----------------------------------------------------------


def _axis_names(dims: int) -> list[str]:
    return ["cells"] if dims == 1 else ["rows", "columns"] if dims == 2 else [f"axis {a}" for a in range(dims)]


def _number(value: int) -> str:
    return str(value).replace("-", "\u2212")


def _from_to(first: int, last: int) -> str:
    """Cells ``first`` to ``last`` (``−3 to 8``), or the one cell (``8``)."""
    return _number(first) if first == last else f"{_number(first)} to {_number(last)}"


def cell_spans(mask: np.ndarray) -> str:
    """Where the cells set in ``mask`` lie, per axis: ``rows 3–6, columns 3–6`` (``cells 3–5`` in
    one axis, ``rows 4, columns 4`` for one cell); empty for no cell."""
    spans = []
    for axis, name in enumerate(_axis_names(mask.ndim)):
        seen = np.flatnonzero(mask.any(axis=tuple(a for a in range(mask.ndim) if a != axis)))
        if not len(seen):
            return ""
        spans.append(f"{name} {seen[0]}" + (f"–{seen[-1]}" if seen[-1] != seen[0] else ""))
    return ", ".join(spans)


def inside_cell(low: tuple, high: tuple, shape: tuple[int, ...], sizes: tuple[int, ...]) -> Optional[tuple[int, ...]]:
    """Of a tensor of ``shape`` whose cells see input cells ``low`` to ``high`` per axis, the
    cell nearest its middle whose whole field lies inside an input of ``sizes``; None if none does."""
    cell = []
    for lo, hi, m, n in zip(low, high, shape, sizes):
        with np.errstate(invalid="ignore"):
            inside = np.flatnonzero((lo >= 0) & (hi <= n - 1))
        if not len(inside):
            return None
        cell.append(int(inside[np.argmin(np.abs(inside - m // 2))]))
    return tuple(cell)


def beyond_input(low: tuple, high: tuple, sizes: tuple[int, ...]) -> Optional[tuple[str, str]]:
    """Where one cell's field (``low`` to ``high`` per axis, padding included) reaches past an
    input of ``sizes``: its whole extent and the part in the padding, in words
    (``rows −6 to 9, columns −6 to 9``, ``rows and columns −6 to −1``, ``columns 8``); None if
    it lies inside."""
    names = _axis_names(len(sizes))
    whole, padding = [], []
    for name, lo, hi, n in zip(names, low, high, sizes):
        lo, hi = int(lo), int(hi)
        whole.append(f"{name} {_from_to(lo, hi)}")
        parts = [_from_to(lo, min(hi, -1))] if lo < 0 else []
        parts += [_from_to(max(lo, n), hi)] if hi >= n else []
        if parts:
            padding.append((name, " and ".join(parts)))
    if not padding:
        return None
    if len(padding) == 2 and padding[0][1] == padding[1][1]:
        return ", ".join(whole), f"{padding[0][0]} and {padding[1][0]} {padding[0][1]}"
    return ", ".join(whole), " and ".join(f"{name} {part}" for name, part in padding)


def input_words(mask: np.ndarray, beyond: Optional[tuple[str, str]]) -> str:
    """What the input's frame says: the cells filled and whether they are the whole field
    (``beyond``: what :func:`beyond_input` says of the chosen cell's field); two lines when
    the field reaches into the padding, which the picture cannot show."""
    if not mask.any():
        return f"0 of {mask.size} input cells: the cell depends on none"
    cells = f"{int(mask.sum())} of {mask.size} input cells ({cell_spans(mask)})"
    if beyond is None:
        return f"{cells}: the whole receptive field"
    whole, padding = beyond
    return f"{cells}: the part of the receptive field inside the input\nThe whole field: {whole}; {padding} are padding"
