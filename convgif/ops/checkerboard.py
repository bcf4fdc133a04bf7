"""The same 2× up-sampling done four ways, and how many products reach each output cell.

``convgif --layer checkerboard --in H,W`` draws a figure, not a layer: an H×W map doubled by
``ConvTranspose2d(k=3, s=2)`` (padding 1, output padding 1), ``ConvTranspose2d(k=2, s=2)``,
``Upsample(nearest)`` then ``Conv2d(k=3)``, and ``Conv2d`` to four channels then
``PixelShuffle(2)``, with every input and every weight 1, so that each output cell holds the
number of weight·input products added into it. A transposed convolution whose kernel size the
stride does not divide adds unevenly (1, 2 or 4 products, the pattern behind the checkerboard
artefacts of Odena, Dumoulin and Olah's "Deconvolution and Checkerboard Artifacts"); the
others add evenly away from the edges. Each way is one output map, filled one input cell a
step, one way after the other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np

from ..engine.resample import DOUBLINGS, doubling_reach
from ..engine.values import check_exact
from ..errors import SpecError
from ..picture.model import Drawn, Geometry
from .args import shape as _shape
from .base import Operation
from .counts import CountPlayback, counts_of, span
from .gathered import no_values

_SEP = " \u2014 "
#: Each way's label over its output map, its weights (one input and one output channel) and
#: what the label leaves out.
WAYS = (
    ("ConvTranspose2d k3 s2", 9, "padding 1, output_padding 1"),
    ("ConvTranspose2d k2 s2", 4, "no padding"),
    ("Upsample + Conv2d k3", 9, "nearest ×2, then padding 1"),
    ("Conv2d k3 + PixelShuffle", 36, "1 → 4 channels, padding 1, then PixelShuffle(2)"),
)


@dataclass(frozen=True)
class CheckerboardSpec:
    """The comparison of :mod:`convgif.ops.checkerboard` for one H×W map (``input_shape`` (H, W)
    or (1, H, W)): four (1, 2H, 2W) maps of product counts."""

    input_shape: tuple[int, ...]

    NAME: ClassVar[str] = "checkerboard"
    DIMS: ClassVar[int] = 2
    num_parameters: ClassVar[int] = 0

    def __post_init__(self) -> None:
        sizes = _shape(self.input_shape, 2)
        if sizes[0] != 1:
            raise SpecError(
                "input_shape",
                f"input_shape={self.input_shape} has {sizes[0]} channels: the comparison counts the products "
                "reaching each cell of one map; give (H, W)",
            )
        object.__setattr__(self, "input_shape", sizes)

    @property
    def in_channels(self) -> int:
        return 1

    @property
    def out_channels(self) -> int:
        return 1

    @cached_property
    def output_shape(self) -> tuple[int, ...]:
        _, h, w = self.input_shape
        return (1, 2 * h, 2 * w)

    @property
    def steps(self) -> int:
        """Animation steps: every input cell, once per way."""
        return len(WAYS) * self.input_shape[1] * self.input_shape[2]

    @property
    def numbers(self) -> int:
        """The input and the four count maps."""
        return math.prod(self.input_shape) + len(WAYS) * math.prod(self.output_shape)

    @property
    def operations(self) -> tuple[str, int]:
        return "products", int(self.counts.sum())

    @cached_property
    def reach(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per way, the (rows, columns) reach of :func:`~convgif.engine.resample.doubling_reach`."""
        _, h, w = self.input_shape
        return [(doubling_reach(h, k), doubling_reach(w, k)) for k in range(len(WAYS))]

    @cached_property
    def counts(self) -> np.ndarray:
        """(4, 2H, 2W): the products added into each output cell, per way."""
        return np.stack([counts_of(reach) for reach in self.reach])

    @cached_property
    def caption(self) -> str:
        return _SEP.join(
            [f"Input Shape : {self.input_shape}", f"Output Shape : {self.output_shape}", "2× up-sampling four ways"]
        )


@dataclass(frozen=True, eq=False)
class CheckerboardRecording:
    """``input`` (1, H, W) of ones and ``output`` (4, 2H, 2W): each way's product counts."""

    spec: CheckerboardSpec
    input: np.ndarray
    output: np.ndarray


def checkerboard_playback(spec: CheckerboardSpec) -> CountPlayback:
    """Step ``k·H·W + p``: input cell ``p`` (row by row) adds its products to way ``k``'s map."""

    def words(way: int, step: int, i: int, j: int, ys: np.ndarray, xs: np.ndarray) -> tuple[str, str]:
        rows, cols = spec.reach[way]
        per_row = ", ".join(str(int(v)) for v in rows[i][ys])
        per_col = ", ".join(str(int(v)) for v in cols[j][xs])
        text = f"{WAYS[way][0]}: input ({i}, {j}) · step {step + 1}/{spec.steps}"
        entry = (
            f"x[0, {i}, {j}] reaches rows {span(ys)}, columns {span(xs)}: products per row ({per_row}) times per "
            f"column ({per_col})"
        )
        return text, entry

    return CountPlayback(spec.reach, words)


class Checkerboard(Operation):
    """The comparison figure: one input map, four output maps of product counts."""

    def example(self) -> dict[str, Any]:
        return {"input_shape": (4, 4)}

    name = "checkerboard"
    spec_type = CheckerboardSpec
    dims = 2
    one_map = True

    def record(self, spec, seed: int = 0, *, input=None, weight=None, bias=None):
        """Ones in, the four count maps out (an input given must be ones: the counts assume it)."""
        no_values(self.name, weight, bias, "every weight of the four ways is 1, so each output counts its products")
        x = np.ones(spec.input_shape, dtype=np.int64)
        if input is not None:
            given = check_exact("input", input)
            if given.shape != x.shape or not np.all(given == 1):
                raise SpecError("input", "the comparison's input is all ones (each output then counts its products)")
        return CheckerboardRecording(spec, x, spec.counts.copy())

    def weight_shape(self, spec) -> None:
        return None

    def geometries(self, spec, **view) -> list[Geometry]:
        self.check_view(**view)
        _, h, w = spec.input_shape
        _, ho, wo = spec.output_shape
        notes = (
            "every input and weight 1: each output counts the products added into it; uneven counts make a "
            "checkerboard",
            *(f"{name}: {words} ({weights} weights)" for name, weights, words in WAYS),
        )
        longest = f"{WAYS[0][0]}: input ({h - 1}, {w - 1}) · step {spec.steps}/{spec.steps}"
        return [
            Geometry(
                layer=spec,
                caption=spec.caption,
                dims=2,
                in_channels=1,
                out_channels=len(WAYS),
                groups=1,
                grid=(h, w),
                kernel=None,
                out_size=(ho, wo),
                steps_per_column=h * w,
                input_heading="input (ones)",
                output_heading="products per output cell",
                kernel_label=lambda i, j: "",
                blame=lambda axis: ("input_shape", spec.input_shape, "input"),
                notes=notes,
                output_label=lambda co: WAYS[co][0],
                numbers=True,
                step_text=longest,
                sum_chars=lambda chars, drawn: 90,
                value_chars=1,
            )
        ]

    def drawings(self, spec, recording, pixels: bool = False, geometries=None, **view) -> list[Drawn]:
        (geometry,) = geometries or self.geometries(spec, **view)
        return [
            Drawn(
                geometry=geometry,
                grid=recording.input,
                filler=np.zeros(spec.input_shape[1:], dtype=bool),
                kernels=None,
                output=recording.output,
                playback=checkerboard_playback(spec),
                value_chars=1,
                pixels=pixels,
            )
        ]

    def name_parts(self, spec, **view) -> list[str]:
        return ["x".join(map(str, spec.input_shape[1:]))]

    def facts(self, spec) -> dict[str, Any]:
        _, h, w = spec.input_shape
        counts = spec.counts
        inner = counts[:, 2:-2, 2:-2] if min(h, w) > 2 else counts
        return {
            "kind": self.name,
            "caption": spec.caption,
            "input_shape": list(spec.input_shape),
            "output_shape": list(spec.output_shape),
            "ways": list(DOUBLINGS),
            "num_parameters": 0,
            # the figure has none; the layers it compares, listed next, have theirs
            "parameters_line": "parameters 0 of its own; the four layers it compares have these weights",
            "placements": h * w * len(WAYS),
            "placements_name": "input cells, once per way",
            "steps": spec.steps,
            "output_size_formulas": [f"H_out = 2 · {h} = {2 * h}", f"W_out = 2 · {w} = {2 * w}"],
            "parameter_formulas": [f"{layer}: {weights} weights" for (_, weights, _), layer in zip(WAYS, DOUBLINGS)],
            "products_per_cell": {
                name: sorted({int(v) for v in inner[k].ravel()}) for k, (name, _, _) in enumerate(WAYS)
            },
            "products": int(counts.sum()),
        }

    def parameters_text(self, spec) -> str:
        return "a comparison of four layers (9, 4, 9 and 36 weights)"

    def gradients(self, spec: Any, recording: Any, grad_output: Any) -> Any:
        raise self._no_backward()

    def backward_geometries(self, spec: Any, **view: Any) -> list:
        raise self._no_backward()

    def _no_backward(self) -> SpecError:
        return SpecError(
            "backward",
            "checkerboard is a figure comparing four ways to double a map, not one layer: it has no backward pass; "
            "draw one of its layers with --backward (e.g. --layer ConvTranspose2d --k 3 --s 2)",
        )


CHECKERBOARD = Checkerboard()
