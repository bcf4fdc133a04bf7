"""click parameter types for the values a layer's options take: shapes, sizes, ratios, paddings,
scale factors and layer names, each refusing a bad value with a message naming the option."""

from __future__ import annotations

from typing import Any, Optional

import click

from ..errors import SpecError


def _ints(text: str, param: Optional[click.Parameter], ctx: Optional[click.Context], fail) -> list[int]:
    try:
        return [int(part) for part in text.replace(" ", "").split(",")]
    except ValueError:
        fail(f"{text!r} is not a comma-separated list of integers", param, ctx)
        raise  # unreachable: fail raises


class ShapeType(click.ParamType):
    """``C,H,W`` or ``H,W`` (``C,L`` or ``L`` for a 1-D layer, ``C,D,H,W`` for a 3-D one): the
    input's shape; the layer checks that it has its number of axes."""

    name = "C,H,W"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> tuple[int, ...]:
        if isinstance(value, tuple):
            return value
        dims = _ints(str(value), param, ctx, self.fail)
        if not 1 <= len(dims) <= 4 or min(dims) < 1:
            self.fail(
                f"{value!r} must be C,H,W or H,W of positive integers (C,L or L for a 1-D layer, C,D,H,W for a "
                "3-D one), e.g. 3,7,7",
                param,
                ctx,
            )
        return tuple(dims)


class SizesType(click.ParamType):
    """``3``, ``3,2`` or ``1,3,3``: an int, or one per spatial axis, as PyTorch's int-or-tuple
    arguments (the layer checks the number of axes); ``7,`` is the 1-tuple ``(7,)``, as in
    Python, for a 1-D argument that must be a tuple (MaxUnpool1d's ``output_size``)."""

    name = "N|H,W"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> Any:
        if isinstance(value, (int, tuple)):
            return value
        text = str(value).strip()
        if text.endswith(",") and text.count(",") == 1:
            return tuple(_ints(text[:-1], param, ctx, self.fail))
        numbers = _ints(text, param, ctx, self.fail)
        if len(numbers) == 1:
            return numbers[0]
        if len(numbers) <= 3:
            return tuple(numbers)
        self.fail(f"{value!r} must be one integer or one per axis (h,w or d,h,w), e.g. 3 or 3,2", param, ctx)


class RatiosType(click.ParamType):
    """``0.5`` or ``0.5,0.7``: a fraction, or one per spatial axis."""

    name = "R|H,W"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> Any:
        if isinstance(value, (float, int, tuple)):
            return value
        try:
            numbers = [float(part) for part in str(value).replace(" ", "").split(",")]
        except ValueError:
            self.fail(f"{value!r} must be one number or one per axis, e.g. 0.5 or 0.5,0.7", param, ctx)
        return numbers[0] if len(numbers) == 1 else tuple(numbers)


class SamplesType(click.ParamType):
    """``0.3,0.7;0.1,0.2``: one row of numbers per channel."""

    name = "U,V;…"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return tuple(tuple(float(v) for v in row.split(",")) for row in value.replace(" ", "").split(";"))
        except ValueError:
            self.fail(f"{value!r} must be rows of numbers, one row per channel, e.g. 0.3,0.7;0.1,0.2", param, ctx)


class PaddingType(SizesType):
    """``1``, ``1,2``, ``same`` or ``valid``; a padding layer's amounts, ``1,2,0,3`` (left, right,
    top, bottom, ...: up to eight)."""

    name = "N|H,W|same|valid"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> Any:
        if isinstance(value, str) and value.strip().lower() in ("same", "valid"):
            return value.strip().lower()
        if isinstance(value, str) and 3 < value.count(",") + 1 <= 8:  # a padding layer's amounts
            return tuple(_ints(value, param, ctx, self.fail))
        return super().convert(value, param, ctx)


class FactorsType(click.ParamType):
    """``2`` or ``2,1.5``: a number, or one per spatial axis (Upsample's ``scale_factor``)."""

    name = "X|H,W"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> Any:
        if isinstance(value, (int, float, tuple)):
            return value
        try:
            numbers = [float(part) for part in str(value).replace(" ", "").split(",")]
        except ValueError:
            self.fail(f"{value!r} must be a number or one per axis, e.g. 2 or 2,1.5", param, ctx)
        return numbers[0] if len(numbers) == 1 else tuple(numbers)


def layer_line(layer: Any) -> Any:
    """A ``--layer`` value when it is a layer as ``print(model)`` shows it (a
    :class:`~convgif.inputs.pytorch.LayerLine`; a kind's name is a ``str``), else None."""
    return None if layer is None or isinstance(layer, str) else layer


class LayerType(click.ParamType):
    """A layer kind by PyTorch's class name, in any case (``Conv2d``, ``conv1d``, ...), or a
    layer as ``print(model)`` shows it: ``Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2))``,
    read without PyTorch and without evaluating it."""

    name = "NAME|LINE"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> Any:
        from .. import ops
        from ..inputs.pytorch import LayerLine, parse_line

        if isinstance(value, LayerLine):
            return value
        if "(" in str(value):
            try:
                return parse_line(str(value))
            except SpecError as error:
                self.fail(str(error), param, ctx)
        known = ops.canonical(str(value))
        guesses = ops.near(str(value)) if known is None else []
        if guesses:
            listed = guesses[0] if len(guesses) == 1 else f"{', '.join(guesses[:-1])} or {guesses[-1]}"
            self.fail(
                f"{value!r} is not a layer convgif draws: did you mean {listed}? (convgif --help lists every kind)",
                param,
                ctx,
            )
        if known is None:
            self.fail(
                f"{value!r} is not a layer convgif draws; choose one of {', '.join(ops.NAMES)}, "
                "or give a layer as print(model) shows it",
                param,
                ctx,
            )
        return known
