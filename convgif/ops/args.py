"""What every layer spec shares: PyTorch's argument normalisation, captions and limits.

The specs themselves live with their layer kinds in :mod:`convgif.ops`; this module holds the
rules they have in common, written once: int-or-tuple arguments as ``torch.nn.modules.utils``
normalises them, input shapes, the caption format of the reference article, and the limits
on what convgif computes at all.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from typing import Any

from ..errors import SpecError, TooLargeError


def is_int(value: object) -> bool:
    """An integer, not a bool (PyTorch's layers refuse ``True`` as a size)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def fmt(value: object) -> str:
    """A value as a message quotes it (lists as tuples, the way PyTorch stores them; an integer
    too long to print by its number of digits)."""
    try:
        return repr(tuple(value)) if isinstance(value, list) else repr(value)
    except ValueError:  # an integer over Python's limit on digits converted to text
        if isinstance(value, int):
            return f"<an integer of {int(value.bit_length() * 0.30103) + 1:,} digits>"
        return f"<{type(value).__name__} holding an integer too long to print>"


TUPLE_WORDS = {1: "a 1-tuple (l,)", 2: "a pair of integers (h, w)", 3: "a triple of integers (d, h, w)"}


SHAPE_WORDS = {1: "(C, L) or (L,)", 2: "(C, H, W) or (H, W)", 3: "(C, D, H, W) or (D, H, W)"}
#: The spatial axes' names, as formulas write them, for 1, 2 or 3 axes.
AXES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


#: What padding cells hold, as ``padding_mode`` names it.
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


#: PyTorch keeps sizes as 64-bit integers: a larger one is refused (an overflow, in torch).
INT64 = 2**63


def to_tuple(name: str, value: object, dims: int = 2, *, one: bool = False, bools: bool = False) -> tuple[int, ...]:
    """Normalise an int-or-tuple argument as ``torch.nn.modules.utils._pair`` (or ``_single``)
    and torch's integer lists take it: a bool is refused on its own or first in a tuple, and
    taken as 0 or 1 after the first entry (torch's parser looks at the first entry's type);
    with ``bools`` it is taken anywhere (a convolution's kernel_size, which only shapes its
    weight); with ``one``, a 1-tuple stands for every axis (torch's int lists repeat one value)."""

    def whole(v: object, position: int) -> bool:
        return is_int(v) or (isinstance(v, bool) and (bools or position > 0))

    if whole(value, 0):
        values = (int(value),) * dims  # type: ignore[call-overload]
    elif (
        isinstance(value, (tuple, list))
        and len(value) in ((dims, 1) if one else (dims,))
        and all(whole(v, i) for i, v in enumerate(value))
    ):
        values = tuple(int(v) for v in value) * (dims if len(value) == 1 else 1)
    else:
        also = ", or a 1-tuple for every axis" if one and dims > 1 else ""
        raise SpecError(name, f"{name}={fmt(value)} must be an integer or {TUPLE_WORDS[dims]}{also}")
    _fits_int64(name, value, values)
    return values


def int_entry(value: object, position: int) -> bool:
    """Whether torch's integer-list parser takes ``value`` at ``position`` of a tuple: an int,
    or after the first entry also a bool."""
    return is_int(value) or (isinstance(value, bool) and position > 0)


def explicit_padding(padding: object, mode: str, dims: int) -> tuple[int, ...]:
    """A convolution's padding amounts as torch takes them. With ``padding_mode='zeros'`` they
    go to its integer lists (see :func:`to_tuple`); any other mode pads first with ``F.pad``,
    by the amounts reversed: a bool is then taken anywhere but last (which F.pad's list reads
    first), a 1-tuple cannot pad two or three axes, and ``dims`` + 1 amounts whose first is 0
    pad the (batched) input's channel axis by nothing (torch takes them, on one or two axes)."""
    if mode == "zeros":
        return to_tuple("padding", padding, dims, one=True)
    amounts = tuple(padding) if isinstance(padding, (tuple, list)) else None
    if amounts is not None and dims < 3 and len(amounts) == dims + 1 and amounts[0] == 0:
        if is_int(amounts[0]) or isinstance(amounts[0], bool):
            amounts = padding = amounts[1:]
    last = amounts[-1] if amounts else padding
    if isinstance(last, bool) or (amounts is not None and len(amounts) == 1 and dims > 1):
        why = (
            "its integer list refuses a bool first: the last amount must be an integer"
            if isinstance(last, bool)
            else f"one amount cannot pad {dims} axes: give an integer or one amount per axis"
        )
        raise SpecError(
            "padding",
            f"padding={fmt(padding)} with padding_mode={mode!r}: torch pads by the amounts reversed, and {why}",
        )
    return to_tuple("padding", padding, dims, one=True, bools=True)


def _fits_int64(name: str, value: object, values: tuple[int, ...]) -> None:
    if any(not -INT64 <= v < INT64 for v in values):
        raise SpecError(name, f"{name}={fmt(value)} is too large: PyTorch keeps sizes as 64-bit integers")


def check_int64(spec: Any) -> None:
    """Refuse an integer argument outside PyTorch's 64-bit range, in any argument of ``spec``
    (also inside a tuple), before any rule looks at it or any message prints it (an integer
    of thousands of digits cannot even be printed)."""
    for field in dataclasses.fields(spec):
        if not field.init:
            continue
        value = getattr(spec, field.name, None)
        todo, seen = [value], 0
        while todo and seen < 64:
            item = todo.pop()
            seen += 1
            if isinstance(item, (tuple, list)):
                todo.extend(item[:16])
            elif is_int(item) and not -INT64 <= int(item) < INT64:  # type: ignore[call-overload]
                raise SpecError(
                    field.name, f"{field.name}={fmt(value)} is too large: PyTorch keeps sizes as 64-bit integers"
                )


def positive_tuple(name: str, value: object, dims: int, *, one: bool = False, bools: bool = False) -> tuple[int, ...]:
    values = to_tuple(name, value, dims, one=one, bools=bools)
    if min(values) < 1:
        raise SpecError(name, f"{name}={fmt(value)} must be positive")
    return values


def positive_int(name: str, value: object) -> int:
    if not is_int(value) or int(value) < 1:  # type: ignore[arg-type]
        raise SpecError(name, f"{name}={fmt(value)} must be a positive integer")
    _fits_int64(name, value, (int(value),))  # type: ignore[arg-type]
    return int(value)  # type: ignore[arg-type]


def shape(value: object, dims: int) -> tuple[int, ...]:
    """``input_shape`` as (C, *sizes): (C, H, W) or (H, W) meaning C = 1 (one axis: (C, L))."""
    if (
        isinstance(value, (tuple, list))
        and len(value) in (dims, dims + 1)
        and all(is_int(v) for v in value)
        and min(value) >= 1
    ):
        sizes = tuple(int(v) for v in value)
        _fits_int64("input_shape", value, sizes)
        return sizes if len(sizes) == dims + 1 else (1, *sizes)
    raise SpecError("input_shape", f"input_shape={fmt(value)} must be {SHAPE_WORDS[dims]} of positive integers")


def boolean(name: str, value: object) -> bool:
    """A flag: a bool or an int, as PyTorch's layers store it."""
    if not isinstance(value, (bool, numbers.Integral)):
        raise SpecError(name, f"{name}={value!r} must be True or False")
    return bool(value)


def caption_line(input_shape: object, output_shape: object, *parts: str) -> str:
    """The reference article's caption: shapes, then the arguments, joined by em dashes."""
    return " \u2014 ".join([f"Input Shape : {input_shape}", f"Output Shape : {output_shape}", *parts])


def switches(spec: Any) -> list[str]:
    """What the article's caption format leaves out but changes the picture, when it is not
    PyTorch's default: the padding mode and a missing bias."""
    parts = []
    mode = getattr(spec, "padding_mode", "zeros")
    if mode != "zeros":
        parts.append(f"padding_mode={mode!r}")
    if not getattr(spec, "bias", True):
        parts.append("bias=False")
    return parts


def conv_caption(spec: Any, padding: object, *more: str) -> str:
    """The caption of a convolution: K, P, S, D and G after the shapes, then the padding mode
    and bias when they are not the defaults."""
    return caption_line(
        spec.input_shape,
        spec.output_shape,
        f"K : {spec.kernel_size}",
        f"P : {padding}",
        f"S : {spec.stride}",
        f"D : {spec.dilation}",
        f"G : {spec.groups}",
        *more,
        *switches(spec),
    )


#: Larger channel counts or sizes cannot be drawn (and would not fit in memory to compute).
MAX_ARGUMENT = 100_000


MAX_ELEMENTS = 20_000_000


#: Size arguments checked against MAX_ARGUMENT, where a spec has them.
SIZE_ARGUMENTS = ("input_shape", "out_channels", "kernel_size", "stride", "padding", "dilation")


def _stated(spec: Any, argument: str) -> object:
    """The value of ``argument`` as the user gave it (a convolution's padding: ``"same"`` stays
    ``"same"``; a padding layer's amounts are as given)."""
    if argument == "padding" and hasattr(spec, "padding_arg"):
        return spec.padding_arg
    return getattr(spec, argument)


def _largest(value: object) -> int:
    if isinstance(value, tuple):
        return max((_largest(v) for v in value), default=0)
    return int(value) if is_int(value) else 0


def check_computable(spec: Any, asked: Any = None) -> None:
    """Refuse sizes no picture can show and layers too large to hold, naming the argument to
    shrink, before any arithmetic is done with them. ``spec.numbers`` counts what a
    recording holds; any layer kind with the usual argument names can be checked. ``asked``:
    the layer the user gave, when ``spec`` is one drawn for it (a backward pass's): its
    argument is the one named."""
    check_sizes(spec)
    total = spec.numbers
    if total > MAX_ELEMENTS:
        named = spec if asked is None else asked
        argument = _culprit(named)
        holds = "the layer holds" if named is spec else "its pictures hold"
        raise TooLargeError(
            argument,
            f"{argument}={_stated(named, argument)!r} is too large to draw: {holds} {total:,} numbers, "
            f"over the {MAX_ELEMENTS:,} convgif computes",
        )


def check_sizes(spec: Any) -> None:
    """Refuse an argument larger than any picture shows (:data:`MAX_ARGUMENT`), before any work
    that grows with it (the search for a part to draw walks the kernel's taps)."""
    for argument in SIZE_ARGUMENTS:
        if not hasattr(spec, argument):
            continue
        size = _largest(getattr(spec, argument))
        if argument == "padding":
            size = max(size, _largest(getattr(spec, "padding_end", 0)))
        if size > MAX_ARGUMENT:
            raise TooLargeError(
                argument,
                f"{argument}={_stated(spec, argument)!r} is too large to draw: convgif draws sizes up to {MAX_ARGUMENT:,}",
            )


def _culprit(spec: Any) -> str:
    """The argument to blame for a layer too large to compute: of those whose least value
    alone would make it small enough, the one furthest above that value (else the one whose
    least value shrinks it most)."""
    channels, *spatial = spec.input_shape
    groups = getattr(spec, "groups", 1)
    # the least spatial size a window still fits in: a 1-cell input is refused by most kernels
    least = tuple(min(a, b) for a, b in zip(getattr(spec, "receptive_field", ()), spatial)) or (1,) * len(spatial)
    candidates = [  # (argument, its least value, how far above that it is)
        ("input_shape", (groups, *spatial), channels // groups),
        ("input_shape", (channels, *least), math.prod(spatial) // math.prod(least)),
        ("out_channels", groups, getattr(spec, "out_channels", groups) // groups),
        ("kernel_size", 1, math.prod(getattr(spec, "kernel_size", (1,)))),
        ("stride", 1, math.prod(getattr(spec, "stride", (1,)))),
        ("dilation", 1, math.prod(getattr(spec, "dilation", (1,)))),
        ("padding", 0, 1 + max(getattr(spec, "padding", (0,)))),
    ]
    tried = []
    for argument, value, ratio in candidates:
        if not hasattr(spec, argument) or not any(f.name == argument for f in dataclasses.fields(spec)):
            continue
        try:
            tried.append((argument, dataclasses.replace(spec, **{argument: value}).numbers, ratio))
        except (ValueError, TypeError):
            continue
    fixes = [(ratio, argument) for argument, total, ratio in tried if total <= MAX_ELEMENTS]
    if fixes:
        return max(fixes)[1]
    return min(tried, key=lambda t: t[1])[0] if tried else "input_shape"
