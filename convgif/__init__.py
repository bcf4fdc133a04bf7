"""convgif: animated GIFs of a PyTorch convolution layer's forward pass."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public names and the modules that hold them, imported when first used, so that the
#: command starts (and answers --help) without loading NumPy or matplotlib.
_EXPORTS = {
    "RenderResult": "api",
    "default_filename": "api",
    "render": "api",
    "Placement": "engine",
    "Recording": "engine",
    "record": "engine",
    "TooLargeError": "layout",
    "Conv1dSpec": "spec",
    "Conv2dSpec": "spec",
    "ConvTranspose2dSpec": "spec",
    "SeparableSpec": "spec",
    "SpecError": "spec",
}

__all__ = [*sorted(_EXPORTS), "__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'convgif' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
