"""The modes of PyTorch's ``F.interpolate``, without NumPy, for the command's ``--help``."""

from __future__ import annotations

from typing import Optional

#: The modes ``F.interpolate`` (and so ``nn.Upsample``) takes, and the number of spatial axes
#: each interpolates (None: any).
MODES: dict[str, Optional[int]] = {
    "nearest": None,
    "linear": 1,
    "bilinear": 2,
    "bicubic": 2,
    "trilinear": 3,
    "area": None,
    "nearest-exact": None,
}
#: The modes that interpolate (and so take ``align_corners``).
INTERPOLATING = ("linear", "bilinear", "bicubic", "trilinear")
