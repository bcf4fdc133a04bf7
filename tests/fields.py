"""What the receptive-field tests share: networks made fit for reading autograd's support."""

from __future__ import annotations

import copy
from typing import Any


def positive_twin(model: Any) -> Any:
    """A float64 copy with positive weights and no bias: no sum in the network cancels."""
    import torch

    twin = copy.deepcopy(model).double().eval()
    with torch.no_grad():
        twin.conv.weight.abs_().add_(0.1)
        twin.conv.bias.zero_()
    return twin
