"""Pictures as convolution inputs: a file read, converted and resized to the layer's input."""

from __future__ import annotations

import os
import re
import warnings
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from ..errors import SpecError
from ..ops.args import fmt
from .files import open_regular, why

#: The most pixels a picture may have: 50 megapixels (e.g. 8660 × 5773). Its size is checked
#: from the file's header, before any pixel is decoded; Pillow's own guard against
#: decompression bombs is respected too when it is set lower.
MAX_PIXELS = 50_000_000


def load_image(path: os.PathLike | str, spec: Any) -> np.ndarray:
    """The picture at ``path`` as the (C, H, W) input of ``spec``: grey for C = 1, RGB for C = 3.

    Resized to H×W by averaging (no ringing around edges); values are the 0..255 levels.
    A file that is not a readable picture, or one over :data:`MAX_PIXELS` pixels, raises
    :class:`SpecError` naming ``"image"``.
    """
    if spec.DIMS != 2:
        raise SpecError("image", "a picture is a two-dimensional input; this layer takes a sequence")
    channels, height, width = spec.input_shape
    if channels not in (1, 3):
        raise SpecError(
            "image",
            f"a picture gives 1 channel (grey) or 3 (RGB), but input_shape={spec.input_shape} has {channels}",
        )
    if height * width > MAX_PIXELS:
        raise SpecError(
            "input_shape",
            f"input_shape={spec.input_shape} is too large for a picture: {height * width:,} pixels, "
            f"over the limit of {MAX_PIXELS:,}",
        )
    if not isinstance(path, (str, os.PathLike)) or not isinstance(os.fspath(path), str):
        raise SpecError("image", f"image={fmt(path)} must be the path of a picture file")
    name = f"image={os.fspath(path)!r}"
    try:
        opened = open_regular(path, MAX_IMAGE_BYTES)
    except OSError as error:
        raise SpecError("image", f"{name} could not be read: {why(error)}") from None
    if os.fstat(opened.fileno()).st_size == 0:
        opened.close()
        raise SpecError("image", f"{name} is an empty file, not a picture ({PICTURE_FORMATS})")
    try:
        with opened, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(opened) as picture:
                _check_size(name, picture.size)
                levels = _levels(name, upright(picture), channels)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        found = re.search(r"\((\d+) pixels\)", str(error))
        size = f"{int(found[1]):,} pixels" if found else "too many pixels"
        raise SpecError("image", f"{name} has {size}, over the limit of {_limit():,} pixels") from None
    except SpecError:
        raise
    except Exception as error:  # noqa: BLE001 - Pillow's decoders fail on damaged files in many ways
        raise SpecError(
            "image", f"{name} could not be read as a picture ({PICTURE_FORMATS}): {_wrong(error)}"
        ) from None
    return _resized(levels, width, height)


#: What ``--image`` takes, as a user knows the formats (Pillow reads these and a few more).
PICTURE_FORMATS = "PNG, JPEG, GIF, BMP, TIFF, WebP, ..."


def _wrong(error: Exception) -> str:
    """What is wrong with a file Pillow could not read, in plain words: Pillow's own message
    names its file object (``<_io.BufferedReader name=3>``), not the file."""
    if isinstance(error, Image.UnidentifiedImageError):
        return "its bytes are in none of these formats"
    text = re.sub(r"<_io\.\w+ name=[^>]*>", "the file", str(error)).strip()
    if "truncated" in text or isinstance(error, EOFError):
        return "the picture's data ends early: the file is cut short or damaged"
    return f"its data is damaged ({text or type(error).__name__})"


#: The largest picture file read (a 50-megapixel picture compressed is far smaller).
MAX_IMAGE_BYTES = 512 << 20
#: Pillow's modes of 16-bit and 32-bit integer pixels: their values are 0..65535 and scaled to 0..255.
WIDE_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I")
#: Modes read as they are (after transparency is laid over white).
PLAIN_MODES = ("1", "L", "P", "RGB", "RGBA", "RGBX", "RGBa", "LA", "La", "PA", "CMYK", "YCbCr", "LAB", "HSV")


def upright(picture: Image.Image) -> Image.Image:
    """The picture turned as its EXIF orientation says (a phone's portrait photo stands up); a
    damaged orientation tag is ignored."""
    try:
        return ImageOps.exif_transpose(picture) or picture
    except Exception:  # noqa: BLE001 - an unreadable EXIF block leaves the picture as stored
        return picture


def _levels(name: str, picture: Image.Image, channels: int) -> np.ndarray:
    """The picture's levels 0..255 as float64, (H, W) for grey or (H, W, 3) for RGB: 16-bit
    pixels scaled from 0..65535, floating-point ones from 0..1 (or clipped to 0..255 when they
    go beyond 1), transparent pixels laid over white. Other modes are refused, naming them."""
    mode = picture.mode
    if mode in WIDE_MODES or mode == "F":
        values = np.asarray(picture, dtype=np.float64)
        if not np.isfinite(values).all():
            raise SpecError("image", f"{name} holds pixels that are not numbers (NaN or infinite)")
        if mode == "F":
            values = values * 255 if values.size and values.min() >= 0 and values.max() <= 1 else values
        else:
            values = values / 257
        values = np.clip(values, 0, 255)
        return values if channels == 1 else np.repeat(values[..., None], 3, axis=2)
    if mode not in PLAIN_MODES:
        raise SpecError(
            "image",
            f"{name} is a picture of mode {mode!r}, which convgif does not read: save it as 8-bit or 16-bit "
            "grey, RGB or RGBA (e.g. PNG)",
        )
    if mode in ("RGBA", "RGBa", "LA", "La", "PA") or (mode == "P" and "transparency" in picture.info):
        picture = picture.convert("RGBA")
        background = Image.new("RGBA", picture.size, (255, 255, 255, 255))
        picture = Image.alpha_composite(background, picture)
    picture = picture.convert("L" if channels == 1 else "RGB")
    return np.asarray(picture)


def _resized(levels: np.ndarray, width: int, height: int) -> np.ndarray:
    """``levels`` resized to ``width``×``height`` by averaging, as (C, H, W) int64 levels."""
    if levels.dtype == np.uint8:  # 8-bit pixels resized as Pillow does
        picture = Image.fromarray(levels).resize((width, height), Image.Resampling.BOX)
        pixels = np.asarray(picture, dtype=np.int64)
    else:
        planes = levels[..., None] if levels.ndim == 2 else levels
        pixels = np.stack(
            [
                np.asarray(
                    Image.fromarray(planes[..., i].astype(np.float32), "F").resize(
                        (width, height), Image.Resampling.BOX
                    )
                )
                for i in range(planes.shape[2])
            ],
            axis=2,
        )
        pixels = np.clip(np.rint(pixels), 0, 255).astype(np.int64)
        pixels = pixels[..., 0] if levels.ndim == 2 else pixels
    return pixels[None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)


def _limit() -> int:
    """The most pixels read: :data:`MAX_PIXELS`, or Pillow's warning threshold if lower."""
    pillow = Image.MAX_IMAGE_PIXELS
    return MAX_PIXELS if pillow is None else min(MAX_PIXELS, int(pillow))


def _check_size(name: str, size: tuple[int, int]) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise SpecError("image", f"{name} is {width}×{height} pixels: it has no pixels")
    if width * height > _limit():
        raise SpecError(
            "image",
            f"{name} is {width}×{height} pixels ({width * height:,}), over the limit of {_limit():,} pixels",
        )
