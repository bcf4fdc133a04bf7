"""What the colour tests of the backward pictures share: the colours an array is drawn in."""

from __future__ import annotations

from typing import Any

import numpy as np


def array_fills(job: Any, name: str) -> dict:
    """The colours (RGB) each value of the array ``name`` is drawn in, over every picture of
    ``job`` (read just inside a cell's top-left corner, clear of its number): where it is an
    input grid and where it is the kernels; cells never read (drawn pale) and filler left out."""
    seen: dict = {}
    for part, layout, drawn in zip(job.parts, job.layouts, job.drawings):
        geo, image, rgb = layout.geometry, part.scene.image, part.scene.palette.colors
        s = layout.cell
        if geo.input_name == name and geo.inputs_drawn:
            for c, origin in layout.inputs.items():
                plain = ~drawn.filler if drawn.filler.ndim == 2 else ~drawn.filler[c]
                if drawn.unread is not None:
                    plain &= ~drawn.unread
                for y, x in np.argwhere(plain):
                    y0, _, x0, _ = layout.cell_box(origin, y, x)
                    seen.setdefault(drawn.grid[c, y, x], set()).add(tuple(rgb[image[y0 + 1, x0 + 1]]))
        if geo.kernel_name == name and geo.kernel is not None:
            for (c, j), (x0, y0) in layout.kernels.items():
                row = drawn.kernel_row(c // geo.in_per_group * geo.out_per_group + j)
                for (ky, kx), value in np.ndenumerate(drawn.kernels[row, c % geo.in_per_group]):
                    seen.setdefault(value, set()).add(tuple(rgb[image[y0 + ky * s + 2, x0 + kx * s + 2]]))
    return seen
