"""Reference networks for convgif's model pages, written from their published descriptions.

``resnet18`` follows He et al., "Deep Residual Learning for Image Recognition" (2016), with the
module names torchvision uses (``conv1``, ``layer1.0.conv1``, ``layer2.0.downsample.0``, ...), so
that its table reads as a torchvision user expects; ``unet`` is a small U-Net (Ronneberger et
al., 2015) with padded convolutions; ``wavenet`` a stack of causal dilated ``Conv1d`` layers with
residual sums (van den Oord et al., 2016); ``vgg_block`` the first block of VGG-16 (Simonyan and
Zisserman, 2015). Random weights (seeded): what is drawn is each layer's shape and arithmetic.

    convgif model examples/models.py:resnet18 --in 3,224,224
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class BasicBlock(nn.Module):
    """Two 3×3 convolutions and the input added back (through a strided 1×1 where the shape changes)."""

    def __init__(self, inplanes: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(
                nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)


class ResNet18(nn.Module):
    """ResNet-18: a 7×7 stride-2 stem and a 3×3 stride-2 max pooling, four stages of two basic
    blocks (64, 128, 256, 512 channels; the last three halve the size), global average, a
    linear classifier: 11,689,512 parameters for 1000 classes."""

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.layer1 = nn.Sequential(BasicBlock(64, 64), BasicBlock(64, 64))
        self.layer2 = nn.Sequential(BasicBlock(64, 128, 2), BasicBlock(128, 128))
        self.layer3 = nn.Sequential(BasicBlock(128, 256, 2), BasicBlock(256, 256))
        self.layer4 = nn.Sequential(BasicBlock(256, 512, 2), BasicBlock(512, 512))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet18() -> nn.Module:
    torch.manual_seed(0)
    return ResNet18()


def _double(inputs: int, outputs: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(inputs, outputs, 3, padding=1),
        nn.ReLU(inplace=True),
        nn.Conv2d(outputs, outputs, 3, padding=1),
        nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    """A small U-Net: two 2×2 max-pooling steps down, two 2×2 stride-2 transposed
    convolutions up, each joined to the encoder's features of its size, then a 1×1 convolution."""

    def __init__(self, channels: int = 1, classes: int = 2, width: int = 8) -> None:
        super().__init__()
        self.down1 = _double(channels, width)
        self.down2 = _double(width, 2 * width)
        self.bottom = _double(2 * width, 4 * width)
        self.up2 = nn.ConvTranspose2d(4 * width, 2 * width, 2, stride=2)
        self.dec2 = _double(4 * width, 2 * width)
        self.up1 = nn.ConvTranspose2d(2 * width, width, 2, stride=2)
        self.dec1 = _double(2 * width, width)
        self.head = nn.Conv2d(width, classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        first = self.down1(x)
        second = self.down2(F.max_pool2d(first, 2))
        bottom = self.bottom(F.max_pool2d(second, 2))
        up = self.dec2(torch.cat([second, self.up2(bottom)], dim=1))
        up = self.dec1(torch.cat([first, self.up1(up)], dim=1))
        return self.head(up)


def unet() -> nn.Module:
    torch.manual_seed(0)
    return UNet()


class CausalBlock(nn.Module):
    """A causal dilated convolution (padded on the left only, so no output sees a later
    sample), a 1×1 convolution and the input added back."""

    def __init__(self, channels: int, dilation: int, kernel: int = 2) -> None:
        super().__init__()
        self.pad = (kernel - 1) * dilation
        self.dilated = nn.Conv1d(channels, channels, kernel, dilation=dilation)
        self.mix = nn.Conv1d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.tanh(self.dilated(F.pad(x, (self.pad, 0))))
        return x + self.mix(y)


class WaveNet(nn.Module):
    """Causal dilated Conv1d layers with dilations 1, 2, 4, 8: each output sample sees the 16
    samples up to it."""

    def __init__(self, channels: int = 4, dilations: tuple[int, ...] = (1, 2, 4, 8)) -> None:
        super().__init__()
        self.expand = nn.Conv1d(1, channels, 1)
        self.blocks = nn.Sequential(*(CausalBlock(channels, d) for d in dilations))
        self.output = nn.Conv1d(channels, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.output(self.blocks(self.expand(x)))


def wavenet() -> nn.Module:
    torch.manual_seed(0)
    return WaveNet()


def vgg_block() -> nn.Module:
    """VGG-16's first block: two 3×3 convolutions of 64 channels, then a 2×2 max pooling."""
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 64, 3, padding=1),
        nn.ReLU(inplace=True),
        nn.Conv2d(64, 64, 3, padding=1),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(2, 2),
    )
