"""convgif: animated GIFs of a PyTorch convolution or pooling layer's forward pass."""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Public names and the modules that hold them, imported when first used, so that the
#: command starts (and answers --help) without loading NumPy or matplotlib.
_EXPORTS = {
    "RenderResult": "api",
    "default_filename": "api",
    "render": "api",
    "render_still": "api",
    "show": "notebook",
    "from_torch": "torchlayers",
    "Placement": "engine",
    "Recording": "engine",
    "record": "ops",
    "operation": "ops",
    "TooLargeError": "spec",
    "Conv1dSpec": "ops.conv",
    "Conv2dSpec": "ops.conv",
    "ConvTranspose2dSpec": "ops.transposed",
    "SeparableSpec": "ops.separable",
    "MaxPool2dSpec": "ops.pooling",
    "MaxPool1dSpec": "ops.pooling",
    "AvgPool2dSpec": "ops.pooling",
    "AvgPool1dSpec": "ops.pooling",
    "MaxUnpool2dSpec": "ops.pooling",
    "MaxUnpool1dSpec": "ops.pooling",
    "SpecError": "spec",
}

__all__ = [*sorted(_EXPORTS), "__version__"]


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'convgif' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext convgif``: adds the ``%convgif`` magic, which takes the command's arguments."""
    from .notebook import load

    load(ipython)
