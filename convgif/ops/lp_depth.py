"""An LPPool3d drawn one output depth slice at a time: the picture of the pooling torch computes
it with (:meth:`~convgif.ops.lp.LPPool3dSpec.pool_spec`, over the (channel, depth) slices each
output depth slice reads, see :mod:`convgif.ops.pool_depth`), showing the input x rather than
x^p and writing each output's power sum and root. A layer too large to record whole records
only the part drawn (:func:`convgif.ops.lp.record_lp_depth_part`)."""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Callable, Optional

from ..engine.windows import INPUT
from ..picture.model import Drawn, Geometry, Region
from ..picture.numbers import format_value, magnitude
from .depth_steps import ALONE, Count, counts
from .pool_depth import DepthPoolPlayback, pool_depth_drawings, pool_depth_geometries, slices_drawn
from .pool_picture import held
from .sliding import draws_part, widest_text


def lp_depth_geometries(spec: Any, notes: list[str], region: Optional[Region] = None) -> list[Geometry]:
    """One picture per output depth slice: the pooling's, under the LP layer's caption and
    ``notes`` (then the pooling's other notes, the depth slice's last), and its step lines
    (counted ``of this part`` as the pooling's are: their room is its)."""
    geometries = pool_depth_geometries(spec.pool_spec(), region)
    cells, c = math.prod(spec.kernel_size), spec.in_channels
    y_last = len(f"y[{c - 1}, {', '.join(str(n - 1) for n in spec.output_shape[1:])}]")
    return [
        dataclasses.replace(
            geometry,
            caption=spec.caption,
            notes=(*notes, *[n for n in geometry.notes[1:-1] if "overhang" not in n], geometry.notes[-1]),
            sum_chars=lambda chars, drawn: y_last + 70 + cells * (chars + 6) + 3 * chars,
        )
        for geometry in geometries
    ]


def lp_depth_drawings(
    spec: Any,
    rec: Any,
    geometries: list[Geometry],
    sum_text: Callable[..., str],
    pixels: bool = False,
    region: Optional[Region] = None,
) -> list[Drawn]:
    """The recorded pictures of :func:`lp_depth_geometries`: the pooling's, with the input's
    cells, the layer's outputs and its sum lines (``sum_text``: :func:`convgif.ops.lp.lp_sum`)."""
    pool = spec.pool_spec()
    pooled = pool_depth_drawings(pool, rec.pooled, geometries, pixels, region)
    part = Region.of(region, spec.output_shape[2:])
    drawn = []
    for z, (picture, count) in enumerate(zip(pooled, counts(geometries))):
        (y0, y1), (x0, x1) = _extent(picture)
        at = [z * spec.stride[0] + dz for dz in range(spec.kernel_size[0])]
        grid = slices_drawn(pool, rec, at, (y0, y1), (x0, x1))  # no padding: x, then overhang
        output = rec.output[:, z, slice(*part.rows), slice(*part.cols)]
        playback = LPDepthPlayback(
            rec, z, part, (y0, x0), sum_text, draws_part(picture.geometry, part, spec.output_shape[2:]), count
        )
        drawn.append(
            dataclasses.replace(
                picture, grid=grid, output=output, playback=playback, value_chars=widest_text(grid, output, None)
            )
        )
    return drawn


def _extent(picture: Drawn) -> tuple[tuple[int, int], tuple[int, int]]:
    y0, x0 = (int(v) for v in picture.playback._shift)
    return (y0, y0 + picture.grid.shape[1]), (x0, x0 + picture.grid.shape[2])


class LPDepthPlayback(DepthPoolPlayback):
    """The pooling's steps of one output depth slice, writing the LP layer's outputs, each
    output's power sum and root written out from the input's cells."""

    def __init__(
        self,
        rec: Any,
        z: int,
        region: Region,
        shift: tuple[int, int],
        sum_text: Callable[..., str],
        part: bool = False,
        count: Count = ALONE,
    ) -> None:
        super().__init__(rec.pooled, z, False, region, shift, part, count)
        self.lp, self.sum_text = rec, sum_text
        self.output = rec.output
        self._scales = magnitude(held(rec.input)), magnitude(held(rec.output))

    def _sum(self, c: int, placement: Any) -> str:
        z, oy, ox = placement.out_index
        y = f"y[{c}, {z}, {oy}, {ox}]"
        cells = placement.cells[placement.kinds == INPUT]  # no padding: grid cells are input cells
        xs = list(self.lp.input[(c, *cells.T)])
        return self.sum_text(self.lp.spec, c, placement, y, format_value(self.lp.output[c, z, oy, ox]), xs)
