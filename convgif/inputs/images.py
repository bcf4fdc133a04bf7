"""Pictures as convolution inputs: a file read, converted and resized to the layer's input."""

from __future__ import annotations

import os
import re
import warnings
from typing import Any

import numpy as np
from PIL import Image

from ..errors import SpecError

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
    name = f"image={os.fspath(path)!r}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as picture:
                _check_size(name, picture.size)
                picture = picture.convert("L" if channels == 1 else "RGB")
                picture = picture.resize((width, height), Image.Resampling.BOX)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        found = re.search(r"\((\d+) pixels\)", str(error))
        size = f"{int(found[1]):,} pixels" if found else "too many pixels"
        raise SpecError("image", f"{name} has {size}, over the limit of {_limit():,} pixels") from None
    except SpecError:
        raise
    except Exception as error:  # noqa: BLE001 - Pillow's decoders fail on damaged files in many ways
        reason = str(error) or type(error).__name__
        raise SpecError("image", f"{name} could not be read as a picture: {reason}") from None
    pixels = np.asarray(picture, dtype=np.int64)
    return pixels[None] if channels == 1 else pixels.transpose(2, 0, 1)


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
