"""The layer kinds convgif draws, one module each, found by PyTorch's class name.

Each entry names the module and the object in it that describes one kind (an
:class:`~convgif.ops.base.Operation`). Modules load when a kind is first asked for, so that the
command answers ``--help`` without NumPy. Adding a kind is its module and one line here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    import numpy as np

    from .base import Operation

#: PyTorch's class name -> (module in this package, the operation object in it)
REGISTRY: dict[str, tuple[str, str]] = {
    "Conv2d": ("conv", "CONV2D"),
    "Conv1d": ("conv", "CONV1D"),
    "Conv3d": ("conv", "CONV3D"),
    "ConvTranspose2d": ("transposed", "CONV_TRANSPOSE2D"),
    "ConvTranspose1d": ("transposed", "CONV_TRANSPOSE1D"),
    "ConvTranspose3d": ("transposed", "CONV_TRANSPOSE3D"),
    "separable": ("separable", "SEPARABLE"),
    "MaxPool2d": ("pool", "MAX_POOL2D"),
    "MaxPool1d": ("pool", "MAX_POOL1D"),
    "MaxPool3d": ("pool", "MAX_POOL3D"),
    "AvgPool2d": ("pool", "AVG_POOL2D"),
    "AvgPool1d": ("pool", "AVG_POOL1D"),
    "AvgPool3d": ("pool", "AVG_POOL3D"),
    "MaxUnpool2d": ("unpool", "MAX_UNPOOL2D"),
    "MaxUnpool1d": ("unpool", "MAX_UNPOOL1D"),
    "MaxUnpool3d": ("unpool", "MAX_UNPOOL3D"),
    "AdaptiveAvgPool2d": ("adaptive", "ADAPTIVE_AVG_POOL2D"),
    "AdaptiveAvgPool1d": ("adaptive", "ADAPTIVE_AVG_POOL1D"),
    "AdaptiveAvgPool3d": ("adaptive", "ADAPTIVE_AVG_POOL3D"),
    "AdaptiveMaxPool2d": ("adaptive", "ADAPTIVE_MAX_POOL2D"),
    "AdaptiveMaxPool1d": ("adaptive", "ADAPTIVE_MAX_POOL1D"),
    "AdaptiveMaxPool3d": ("adaptive", "ADAPTIVE_MAX_POOL3D"),
    "FractionalMaxPool2d": ("fractional", "FRACTIONAL_MAX_POOL2D"),
    "FractionalMaxPool3d": ("fractional", "FRACTIONAL_MAX_POOL3D"),
    "LPPool2d": ("lp", "LP_POOL2D"),
    "LPPool1d": ("lp", "LP_POOL1D"),
    "LPPool3d": ("lp", "LP_POOL3D"),
    "ReflectionPad1d": ("padding", "REFLECTION_PAD1D"),
    "ReflectionPad2d": ("padding", "REFLECTION_PAD2D"),
    "ReflectionPad3d": ("padding", "REFLECTION_PAD3D"),
    "ReplicationPad1d": ("padding", "REPLICATION_PAD1D"),
    "ReplicationPad2d": ("padding", "REPLICATION_PAD2D"),
    "ReplicationPad3d": ("padding", "REPLICATION_PAD3D"),
    "ZeroPad1d": ("padding", "ZERO_PAD1D"),
    "ZeroPad2d": ("padding", "ZERO_PAD2D"),
    "ZeroPad3d": ("padding", "ZERO_PAD3D"),
    "ConstantPad1d": ("padding", "CONSTANT_PAD1D"),
    "ConstantPad2d": ("padding", "CONSTANT_PAD2D"),
    "ConstantPad3d": ("padding", "CONSTANT_PAD3D"),
    "CircularPad1d": ("padding", "CIRCULAR_PAD1D"),
    "CircularPad2d": ("padding", "CIRCULAR_PAD2D"),
    "CircularPad3d": ("padding", "CIRCULAR_PAD3D"),
    "Upsample": ("resample", "UPSAMPLE"),
    "UpsamplingNearest2d": ("resample", "UPSAMPLING_NEAREST2D"),
    "UpsamplingBilinear2d": ("resample", "UPSAMPLING_BILINEAR2D"),
    "PixelShuffle": ("shuffle", "PIXEL_SHUFFLE"),
    "PixelUnshuffle": ("shuffle", "PIXEL_UNSHUFFLE"),
    "ChannelShuffle": ("shuffle", "CHANNEL_SHUFFLE"),
    "Unfold": ("fold", "UNFOLD"),
    "Fold": ("fold", "FOLD"),
    "checkerboard": ("checkerboard", "CHECKERBOARD"),
}

NAMES = tuple(REGISTRY)


def spec_class_name(name: str) -> str:
    """The spec class of a registered kind: ``Conv2d`` -> ``Conv2dSpec``, ``separable`` -> ``SeparableSpec``."""
    return f"{name[0].upper()}{name[1:]}Spec"


def canonical(name: str) -> Optional[str]:
    """The registered name ``name`` stands for, case-insensitively (None if none)."""
    folded = name.strip().lower()
    return next((known for known in REGISTRY if known.lower() == folded), None)


def operation(name: str) -> Operation:
    """The operation registered as ``name`` (any case); KeyError naming the known ones."""
    known = canonical(name)
    if known is None:
        raise KeyError(f"{name!r} is not a layer convgif draws; choose one of {', '.join(NAMES)}")
    module, attribute = REGISTRY[known]
    return getattr(importlib.import_module(f".{module}", __name__), attribute)


def operations() -> list[Operation]:
    """Every registered operation, in registry order."""
    return [operation(name) for name in NAMES]


def of(spec: Any) -> Operation:
    """The operation whose spec ``spec`` is."""
    for op in operations():
        if type(spec) is op.spec_type:
            return op
    kinds = ", ".join(op.spec_type.__name__ for op in operations())
    raise TypeError(f"spec={spec!r} is not a layer spec convgif draws; give one of {kinds}")


def record(
    spec: Any,
    seed: int = 0,
    *,
    input: Optional[np.ndarray] = None,
    weight: Optional[np.ndarray] = None,
    bias: Optional[np.ndarray] = None,
    indices: Optional[np.ndarray] = None,
) -> Any:
    """Run ``spec`` forward on small random integers (or the arrays given) and record it.

    The same seed always gives the same values: inputs in 0..3, weights in -1..1, bias in 0..2.
    Weights are in the layer's own PyTorch layout (a transposed layer's is (C_in, C_out/G, …));
    what each kind's recording holds is documented with it. ``indices`` is a MaxUnpool's:
    where each pooled value goes.
    """
    values = {"input": input, "weight": weight, "bias": bias, "indices": indices}
    return of(spec).record(spec, seed, **{name: value for name, value in values.items() if value is not None})
