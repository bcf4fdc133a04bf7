"""What the receptive-field tests share: networks made fit for reading autograd's support."""

from __future__ import annotations

import copy
from typing import Any


def conv_then(call: Any) -> Any:
    """A network of a 3×3 convolution padded by 1 (one channel in, 4 out), then ``call`` of its
    output."""
    import torch.nn as nn

    class ConvThen(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3, padding=1)

        def forward(self, x: Any) -> Any:
            return call(self.conv(x))

    return ConvThen()


def positive_twin(model: Any) -> Any:
    """A float64 copy with positive weights and no bias: no sum in the network cancels."""
    import torch

    twin = copy.deepcopy(model).double().eval()
    with torch.no_grad():
        twin.conv.weight.abs_().add_(0.1)
        twin.conv.bias.zero_()
    return twin


def gradient_supports(model: Any, shape: tuple, cells: list, seed: int) -> list:
    """For each output cell (a tuple of spatial indices): the input cells (channels together)
    where the gradient of that cell, its channels weighted 1, 2, ... (a softmax's channels may
    sum to a constant), is nonzero; on a random float64 input."""
    import torch

    x = torch.randn((1, *shape), dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    x.requires_grad_()
    y = model(x)
    weights = torch.arange(1.0, y.shape[1] + 1, dtype=torch.float64)
    found = []
    for cell in cells:
        (grad,) = torch.autograd.grad((y[(0, slice(None), *cell)] * weights).sum(), x, retain_graph=True)
        found.append((grad[0].abs().sum(0) != 0).numpy())
    return found


def traced_supports(graph: Any, tensor: int, cells: list) -> list:
    """The input cells :meth:`Graph.support` says each output cell reads (all followed)."""
    found = []
    for cell in cells:
        masks, stopped = graph.support(tensor, cell)
        assert stopped is None, stopped
        found.append(masks[0])
    return found
