"""Reading GIFs back for tests: frames as displayed, and the raw blocks as stored."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
from PIL import Image


def displayed_frames(path: Path) -> list[np.ndarray]:
    """Every frame as a viewer shows it (RGB, earlier frames composited underneath)."""
    with Image.open(path) as image:
        frames = []
        for i in range(image.n_frames):
            image.seek(i)
            frames.append(np.asarray(image.convert("RGB")))
        return frames


def durations(path: Path) -> list[int]:
    with Image.open(path) as image:
        out = []
        for i in range(image.n_frames):
            image.seek(i)
            out.append(image.info["duration"])
        return out


def blocks(path: Path) -> dict:
    """Header facts and the image descriptors (x, y, w, h) stored in a GIF file."""
    data = Path(path).read_bytes()
    assert data[:6] == b"GIF89a" and data[-1:] == b";"
    width, height, flags = struct.unpack("<HHB", data[6:11])
    i = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    images, loop = [], None
    while data[i] != 0x3B:
        if data[i] == 0x21:
            if data[i + 1] == 0xFF and data[i + 3 : i + 14] == b"NETSCAPE2.0":
                loop = struct.unpack("<H", data[i + 16 : i + 18])[0]
            i += 2
            while data[i]:
                i += data[i] + 1
            i += 1
        else:
            assert data[i] == 0x2C
            x, y, w, h, local = struct.unpack("<HHHHB", data[i + 1 : i + 10])
            images.append((x, y, w, h))
            i += 10 + (3 << ((local & 7) + 1) if local & 0x80 else 0) + 1
            while data[i]:
                i += data[i] + 1
            i += 1
    return {"size": (width, height), "loop": loop, "images": images}
