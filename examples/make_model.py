"""Train the tiny model ``examples/edges.pt`` that the README draws with ``--weights``.

A 3×3 convolution learns, from random pictures, to find vertical edges the way a Sobel
kernel does; a ReLU and a 2×2 max pool follow. The whole model is saved with
``torch.save(model, ...)`` (its state_dict would do as well, with ``--layer``):

    python examples/make_model.py
"""

from pathlib import Path

import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Conv2d(1, 1, 3, padding=1, bias=False), nn.ReLU(), nn.MaxPool2d(2))
sobel = torch.tensor([[[[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]]])
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
for _ in range(300):
    pictures = torch.rand(16, 1, 12, 12)
    target = nn.functional.conv2d(pictures, sobel, padding=1)
    loss = nn.functional.mse_loss(model[0](pictures), target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"loss {loss.item():.2e}; learned kernel:\n{model[0].weight.detach()[0, 0].numpy().round(3)}")
torch.save(model, Path(__file__).with_name("edges.pt"))
