"""convgif: animated GIFs of a PyTorch convolution or pooling layer's forward pass."""

from __future__ import annotations

import importlib

from .ops import REGISTRY, spec_class_name
from .version import __version__

#: Public names and the modules that hold them, imported when first used, so that the
#: command starts (and answers --help) without loading NumPy or matplotlib. Every layer
#: kind's spec (``Conv2dSpec``, ``MaxPool3dSpec``, ...) comes from the kinds' registry.
_EXPORTS = {
    "RenderResult": "animation.result",
    "default_filename": "api",
    "describe": "info",
    "render": "api",
    "render_still": "api",
    "show": "integrations.notebook",
    "from_torch": "inputs.pytorch",
    "model": "network.build",
    "Placement": "engine.direct",
    "Recording": "engine.direct",
    "record": "ops",
    "operation": "ops",
    "SpecError": "errors",
    "TooLargeError": "errors",
    **{spec_class_name(name): f"ops.{module}" for name, (module, _) in REGISTRY.items()},
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
    from .integrations.notebook import load

    load(ipython)
