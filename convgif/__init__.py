"""convgif: animated GIFs of a PyTorch convolution layer's forward pass."""

from .api import RenderResult, default_filename, render
from .engine import Placement, Recording, record
from .layout import TooLargeError
from .spec import Conv1dSpec, Conv2dSpec, ConvTranspose2dSpec, SeparableSpec, SpecError

__version__ = "0.1.0"

__all__ = [
    "Conv1dSpec",
    "Conv2dSpec",
    "ConvTranspose2dSpec",
    "Placement",
    "Recording",
    "RenderResult",
    "SeparableSpec",
    "SpecError",
    "TooLargeError",
    "default_filename",
    "record",
    "render",
    "__version__",
]
