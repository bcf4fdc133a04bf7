"""Pictures as convolution inputs: a file read, converted and resized to the layer's input."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from .spec import SpecError


def load_image(path: os.PathLike | str, spec: Any) -> np.ndarray:
    """The picture at ``path`` as the (C, H, W) input of ``spec``: grey for C = 1, RGB for C = 3.

    Resized to H×W by averaging (no ringing around edges); values are the 0..255 levels.
    """
    if spec.DIMS != 2:
        raise SpecError("image", "a picture is a two-dimensional input; this layer takes a sequence")
    channels, height, width = spec.input_shape
    if channels not in (1, 3):
        raise SpecError(
            "image",
            f"a picture gives 1 channel (grey) or 3 (RGB), but input_shape={spec.input_shape} has {channels}",
        )
    try:
        with Image.open(path) as picture:
            picture = picture.convert("L" if channels == 1 else "RGB")
            picture = picture.resize((width, height), Image.Resampling.BOX)
    except (OSError, UnidentifiedImageError, ValueError) as error:
        raise SpecError("image", f"image={os.fspath(path)!r} could not be read as a picture: {error}") from None
    pixels = np.asarray(picture, dtype=np.int64)
    return pixels[None] if channels == 1 else pixels.transpose(2, 0, 1)
