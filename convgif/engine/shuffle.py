"""Where each value of a pixel shuffle, a pixel unshuffle or a channel shuffle goes: the three
layers only move values, so each is a map from output positions to input positions.

* ``PixelShuffle(r)``: (C·r², H, W) to (C, H·r, W·r); output ``(c, y·r + i, x·r + j)`` is input
  ``(c·r² + i·r + j, y, x)``: the r² channels of a group become an r×r block.
* ``PixelUnshuffle(r)``: the inverse, (C, H·r, W·r) to (C·r², H, W).
* ``ChannelShuffle(g)``: C channels in g groups of C/g; output channel ``j`` is input channel
  ``(j mod g)·(C/g) + ⌊j/g⌋``, the channels seen as a (g, C/g) table read column by column.
"""

from __future__ import annotations

import numpy as np


def pixel_shuffle(x: np.ndarray, r: int) -> np.ndarray:
    """``x`` (C·r², H, W) as (C, H·r, W·r)."""
    c, h, w = x.shape
    return x.reshape(c // (r * r), r, r, h, w).transpose(0, 3, 1, 4, 2).reshape(c // (r * r), h * r, w * r)


def pixel_unshuffle(x: np.ndarray, r: int) -> np.ndarray:
    """``x`` (C, H·r, W·r) as (C·r², H, W)."""
    c, h, w = x.shape
    return x.reshape(c, h // r, r, w // r, r).transpose(0, 2, 4, 1, 3).reshape(c * r * r, h // r, w // r)


def channel_sources(channels: int, groups: int) -> np.ndarray:
    """The input channel each output channel of a channel shuffle copies."""
    j = np.arange(channels)
    return (j % groups) * (channels // groups) + j // groups


def channel_shuffle(x: np.ndarray, groups: int) -> np.ndarray:
    """``x`` (C, *sizes) with its channels shuffled in ``groups`` groups."""
    return x[channel_sources(x.shape[0], groups)]
