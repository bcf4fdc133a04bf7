"""Conv2dSpec accepts exactly what ``torch.nn.Conv2d`` accepts, and describes it correctly.

The tables below were produced by running torch 2.13.0 (CPU) on each case, so they run without
torch installed; the parity test at the end re-checks several hundred random configurations
against torch itself when it is importable.
"""

from __future__ import annotations

import dataclasses
import random
import warnings

import numpy as np
import pytest

from convgif import Conv2dSpec, SpecError

DEFAULTS = dict(
    out_channels=1,
    kernel_size=3,
    stride=1,
    padding=0,
    dilation=1,
    groups=1,
    bias=True,
    padding_mode="zeros",
)
EM_DASH = "\u2014"

# --------------------------------------------------------------------------------------------
# (a) Hand-picked cases, results recorded from torch.nn.Conv2d(C, **kwargs) on (1, C, H, W).
#     Missing kwargs take Conv2dSpec's defaults (DEFAULTS): torch's own, plus out_channels=1 and
#     kernel_size=3, which torch requires and convgif defaults.
# --------------------------------------------------------------------------------------------

#: (id, input_shape, kwargs, output_shape, torch's parameter count,
#:  (top, left) padding, (bottom, right) padding) -- the last two from
#:  the module's ``_reversed_padding_repeated_twice``.
ACCEPTED = [
    ("defaults", (1, 5, 5), {}, (1, 3, 3), 10, (0, 0), (0, 0)),
    ("int-kernel", (1, 9, 9), {"kernel_size": 3}, (1, 7, 7), 10, (0, 0), (0, 0)),
    ("pair-kernel", (3, 7, 9), {"out_channels": 2, "kernel_size": (5, 2)}, (2, 3, 8), 62, (0, 0), (0, 0)),
    ("list-args", (1, 5, 5), {"kernel_size": [2, 3], "stride": [1, 2]}, (1, 4, 2), 7, (0, 0), (0, 0)),
    ("padding-pair", (1, 5, 5), {"padding": (1, 2)}, (1, 5, 7), 10, (1, 2), (1, 2)),
    ("padding-list", (1, 5, 5), {"padding": [2, 0]}, (1, 7, 3), 10, (2, 0), (2, 0)),
    ("stride-pair", (3, 9, 9), {"out_channels": 2, "stride": (1, 3)}, (2, 7, 3), 56, (0, 0), (0, 0)),
    ("stride-larger-than-input", (1, 3, 3), {"kernel_size": 1, "stride": 5}, (1, 1, 1), 2, (0, 0), (0, 0)),
    ("kernel-equals-input", (2, 4, 3), {"kernel_size": (4, 3)}, (1, 1, 1), 25, (0, 0), (0, 0)),
    ("kernel-fits-thanks-to-padding", (1, 2, 2), {"kernel_size": 4, "padding": 1}, (1, 1, 1), 17, (1, 1), (1, 1)),
    ("dilated-exact-fit", (1, 7, 7), {"dilation": 3}, (1, 1, 1), 10, (0, 0), (0, 0)),
    ("dilated-fits-with-padding", (1, 5, 5), {"dilation": 3, "padding": 1}, (1, 1, 1), 10, (1, 1), (1, 1)),
    ("dilation-pair", (2, 7, 7), {"padding": 1, "dilation": (4, 2)}, (1, 1, 5), 19, (1, 1), (1, 1)),
    ("no-bias", (3, 7, 7), {"out_channels": 4, "bias": False}, (4, 5, 5), 108, (0, 0), (0, 0)),
    ("groups-2", (4, 6, 6), {"out_channels": 6, "groups": 2}, (6, 4, 4), 114, (0, 0), (0, 0)),
    ("groups-2-out-multiple", (2, 5, 5), {"out_channels": 4, "groups": 2}, (4, 3, 3), 40, (0, 0), (0, 0)),
    ("depthwise", (3, 5, 5), {"out_channels": 3, "groups": 3}, (3, 3, 3), 30, (0, 0), (0, 0)),
    ("depthwise-multiplier", (3, 5, 5), {"out_channels": 6, "groups": 3, "bias": False}, (6, 3, 3), 54, (0, 0), (0, 0)),
    ("valid", (1, 5, 5), {"padding": "valid"}, (1, 3, 3), 10, (0, 0), (0, 0)),
    ("valid-reflect", (1, 5, 5), {"padding": "valid", "padding_mode": "reflect"}, (1, 3, 3), 10, (0, 0), (0, 0)),
    ("same-odd", (2, 5, 6), {"padding": "same"}, (1, 5, 6), 19, (1, 1), (1, 1)),
    ("same-even", (1, 5, 5), {"kernel_size": 4, "padding": "same"}, (1, 5, 5), 17, (1, 1), (2, 2)),
    ("same-even-pair", (1, 6, 7), {"kernel_size": (2, 4), "padding": "same"}, (1, 6, 7), 9, (0, 1), (1, 2)),
    (
        "same-dilated-odd-total",
        (1, 6, 7),
        {"kernel_size": (2, 5), "dilation": (3, 1), "padding": "same"},
        (1, 6, 7),
        11,
        (1, 2),
        (2, 2),
    ),
    ("same-stride-one-pair", (1, 5, 5), {"padding": "same", "stride": (1, 1)}, (1, 5, 5), 10, (1, 1), (1, 1)),
    (
        "same-reflect-even-fits",
        (1, 3, 3),
        {"kernel_size": 4, "padding": "same", "padding_mode": "reflect"},
        (1, 3, 3),
        17,
        (1, 1),
        (2, 2),
    ),
    (
        "same-circular-end-equals-size",
        (1, 1, 1),
        {"kernel_size": 2, "padding": "same", "padding_mode": "circular"},
        (1, 1, 1),
        5,
        (0, 0),
        (1, 1),
    ),
    (
        "same-replicate-even",
        (1, 1, 1),
        {"kernel_size": 6, "padding": "same", "padding_mode": "replicate"},
        (1, 1, 1),
        37,
        (2, 2),
        (3, 3),
    ),
    (
        "reflect-padding-size-minus-one",
        (1, 5, 5),
        {"padding": 4, "padding_mode": "reflect"},
        (1, 11, 11),
        10,
        (4, 4),
        (4, 4),
    ),
    (
        "circular-padding-equals-size",
        (1, 5, 5),
        {"padding": 5, "padding_mode": "circular"},
        (1, 13, 13),
        10,
        (5, 5),
        (5, 5),
    ),
    (
        "circular-padding-pair-equals-size",
        (1, 2, 3),
        {"kernel_size": 1, "padding": (2, 3), "padding_mode": "circular"},
        (1, 6, 9),
        2,
        (2, 3),
        (2, 3),
    ),
    (
        "replicate-padding-beyond-size",
        (1, 2, 2),
        {"padding": 10, "padding_mode": "replicate"},
        (1, 20, 20),
        10,
        (10, 10),
        (10, 10),
    ),
    ("negative-reflect", (1, 5, 5), {"padding": -1, "padding_mode": "reflect"}, (1, 1, 1), 10, (-1, -1), (-1, -1)),
    ("negative-replicate", (1, 5, 5), {"padding": -1, "padding_mode": "replicate"}, (1, 1, 1), 10, (-1, -1), (-1, -1)),
    ("negative-circular", (1, 5, 5), {"padding": -1, "padding_mode": "circular"}, (1, 1, 1), 10, (-1, -1), (-1, -1)),
    (
        "negative-crop-to-one",
        (1, 5, 5),
        {"kernel_size": 1, "padding": (-2, 0), "padding_mode": "replicate"},
        (1, 1, 5),
        2,
        (-2, 0),
        (-2, 0),
    ),
    (
        "negative-h-positive-w-reflect",
        (1, 5, 6),
        {"padding": (-1, 2), "padding_mode": "reflect"},
        (1, 1, 8),
        10,
        (-1, 2),
        (-1, 2),
    ),
    (
        "negative-h-full-wrap-w-circular",
        (1, 5, 3),
        {"kernel_size": 1, "padding": (-1, 3), "padding_mode": "circular"},
        (1, 3, 9),
        2,
        (-1, 3),
        (-1, 3),
    ),
]

#: (id, input_shape, kwargs, argument the spec must name, words the message must contain).
#: torch refuses every one of these (ValueError, RuntimeError or TypeError).
REFUSED = [
    ("out-channels-zero", (1, 5, 5), {"out_channels": 0}, "out_channels", ("positive",)),
    ("out-channels-negative", (1, 5, 5), {"out_channels": -2}, "out_channels", ("positive",)),
    ("kernel-zero", (1, 5, 5), {"kernel_size": 0}, "kernel_size", ("positive",)),
    ("kernel-pair-zero", (1, 5, 5), {"kernel_size": (3, 0)}, "kernel_size", ("positive",)),
    ("kernel-negative", (1, 5, 5), {"kernel_size": -1}, "kernel_size", ("positive",)),
    ("stride-zero", (1, 5, 5), {"stride": 0}, "stride", ("positive",)),
    ("stride-pair-negative", (1, 5, 5), {"stride": (1, -1)}, "stride", ("positive",)),
    ("dilation-zero", (1, 5, 5), {"dilation": 0}, "dilation", ("positive",)),
    ("dilation-pair-zero", (1, 5, 5), {"dilation": (0, 1)}, "dilation", ("positive",)),
    ("groups-zero", (1, 5, 5), {"groups": 0}, "groups", ("positive",)),
    ("groups-negative", (2, 5, 5), {"out_channels": 2, "groups": -1}, "groups", ("positive",)),
    ("kernel-float", (1, 5, 5), {"kernel_size": 3.0}, "kernel_size", ("integer",)),
    ("kernel-triple", (1, 5, 5), {"kernel_size": (3, 3, 3)}, "kernel_size", ("integer",)),
    ("stride-triple", (1, 5, 5), {"stride": (1, 1, 1)}, "stride", ("integer",)),
    ("padding-triple", (1, 5, 5), {"padding": (1, 1, 1)}, "padding", ("integer",)),
    ("padding-float", (1, 5, 5), {"padding": 1.5}, "padding", ("integer",)),
    ("groups-float", (2, 5, 5), {"out_channels": 2, "groups": 2.0}, "groups", ("integer",)),
    ("groups-not-dividing-either", (2, 5, 5), {"out_channels": 2, "groups": 3}, "groups", ("divid",)),
    ("groups-not-dividing-out", (2, 5, 5), {"out_channels": 3, "groups": 2}, "groups", ("divid",)),
    ("groups-not-dividing-in", (3, 5, 5), {"out_channels": 2, "groups": 2}, "groups", ("divid",)),
    ("groups-larger-than-channels", (2, 5, 5), {"out_channels": 4, "groups": 4}, "groups", ("divid",)),
    ("padding-string-full", (1, 5, 5), {"padding": "full"}, "padding", ("same", "valid")),
    ("padding-string-upper", (1, 5, 5), {"padding": "SAME"}, "padding", ("same", "valid")),
    ("padding-string-empty", (1, 5, 5), {"padding": ""}, "padding", ("same", "valid")),
    (
        "padding-mode-mirror",
        (1, 5, 5),
        {"padding_mode": "mirror"},
        "padding_mode",
        ("zeros", "reflect", "replicate", "circular"),
    ),
    (
        "padding-mode-constant",
        (1, 5, 5),
        {"padding_mode": "constant"},
        "padding_mode",
        ("zeros", "reflect", "replicate", "circular"),
    ),
    (
        "padding-mode-capital",
        (1, 5, 5),
        {"padding_mode": "Zeros"},
        "padding_mode",
        ("zeros", "reflect", "replicate", "circular"),
    ),
    (
        "padding-mode-zero",
        (1, 5, 5),
        {"padding_mode": "zero"},
        "padding_mode",
        ("zeros", "reflect", "replicate", "circular"),
    ),
    ("same-stride-2", (1, 5, 5), {"padding": "same", "stride": 2}, "padding", ("stride",)),
    ("same-stride-pair", (1, 5, 5), {"padding": "same", "stride": (1, 2)}, "padding", ("stride",)),
    (
        "same-stride-2-reflect",
        (1, 5, 5),
        {"padding": "same", "stride": 2, "padding_mode": "reflect"},
        "padding",
        ("stride",),
    ),
    ("negative-zeros", (1, 5, 5), {"padding": -1}, "padding", ("zeros",)),
    ("negative-zeros-pair", (1, 5, 5), {"padding": (1, -1)}, "padding", ("zeros",)),
    ("negative-zeros-explicit", (1, 5, 5), {"padding": (-1, 0), "padding_mode": "zeros"}, "padding", ("zeros",)),
    ("reflect-padding-equals-size", (1, 5, 5), {"padding": 5, "padding_mode": "reflect"}, "padding", ("reflect",)),
    (
        "reflect-padding-w-equals-size",
        (1, 5, 4),
        {"padding": (0, 4), "padding_mode": "reflect"},
        "padding",
        ("reflect",),
    ),
    (
        "same-reflect-even-end-equals-size",
        (1, 2, 2),
        {"kernel_size": 4, "padding": "same", "padding_mode": "reflect"},
        "padding",
        ("reflect",),
    ),
    (
        "same-reflect-k2-on-1x1",
        (1, 1, 1),
        {"kernel_size": 2, "padding": "same", "padding_mode": "reflect"},
        "padding",
        ("reflect",),
    ),
    ("circular-padding-size-plus-one", (1, 5, 5), {"padding": 6, "padding_mode": "circular"}, "padding", ("circular",)),
    (
        "circular-padding-h-too-big",
        (1, 2, 5),
        {"kernel_size": 1, "padding": (3, 0), "padding_mode": "circular"},
        "padding",
        ("circular",),
    ),
    (
        "same-circular-end-exceeds-size",
        (1, 1, 1),
        {"kernel_size": 4, "padding": "same", "padding_mode": "circular"},
        "padding",
        ("circular",),
    ),
    (
        "crop-to-zero-replicate",
        (1, 4, 4),
        {"kernel_size": 1, "padding": (-2, 0), "padding_mode": "replicate"},
        "padding",
        ("input",),
    ),
    (
        "crop-to-zero-reflect",
        (1, 4, 4),
        {"kernel_size": 1, "padding": (-2, 0), "padding_mode": "reflect"},
        "padding",
        ("input",),
    ),
    (
        "crop-to-zero-circular",
        (1, 4, 4),
        {"kernel_size": 1, "padding": (0, -2), "padding_mode": "circular"},
        "padding",
        ("input",),
    ),
    (
        "crop-below-zero-replicate",
        (1, 5, 5),
        {"kernel_size": 1, "padding": (-3, 0), "padding_mode": "replicate"},
        "padding",
        ("input",),
    ),
    (
        "crop-below-zero-circular",
        (1, 5, 5),
        {"kernel_size": 1, "padding": (-3, 0), "padding_mode": "circular"},
        "padding",
        ("input",),
    ),
    ("kernel-larger-than-input", (1, 5, 5), {"kernel_size": 6}, "kernel_size", ("input",)),
    ("kernel-larger-than-input-w", (1, 5, 3), {"kernel_size": (1, 4)}, "kernel_size", ("input",)),
    ("dilated-kernel-larger", (1, 5, 5), {"dilation": 3}, "kernel_size", ("dilation", "input")),
    (
        "dilated-kernel-larger-h-only",
        (1, 6, 9),
        {"dilation": (3, 1), "padding": 0},
        "kernel_size",
        ("dilation", "input"),
    ),
    (
        "dilated-kernel-larger-than-padded",
        (2, 7, 7),
        {"padding": 1, "dilation": 5},
        "kernel_size",
        ("dilation", "input"),
    ),
    ("kernel-larger-than-cropped", (1, 5, 5), {"padding": -2, "padding_mode": "replicate"}, "kernel_size", ("input",)),
    ("kernel-larger-valid", (1, 2, 2), {"padding": "valid"}, "kernel_size", ("input",)),
]


def _make(shape, kwargs):
    args = {"out_channels": 1, "kernel_size": 3, **kwargs}
    return Conv2dSpec(shape, **args)


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


@pytest.mark.parametrize(
    "shape, kwargs, output_shape, params, start, end",
    [row[1:] for row in ACCEPTED],
    ids=[row[0] for row in ACCEPTED],
)
def test_accepted_like_torch(shape, kwargs, output_shape, params, start, end):
    spec = _make(shape, kwargs)
    assert spec.output_shape == output_shape
    assert spec.num_parameters == params
    assert spec.padding == start
    assert spec.padding_end == end
    c, h, w = shape
    assert spec.padded_shape == (c, h + start[0] + end[0], w + start[1] + end[1])
    # Normalised arguments are plain (h, w) tuples of ints.
    for name in ("kernel_size", "stride", "dilation", "padding", "padding_end"):
        value = getattr(spec, name)
        assert isinstance(value, tuple) and len(value) == 2
        assert all(type(v) is int for v in value), name
    assert spec.kernel_size == _pair(kwargs.get("kernel_size", 3))
    assert spec.stride == _pair(kwargs.get("stride", 1))
    assert spec.dilation == _pair(kwargs.get("dilation", 1))
    assert spec.input_shape == shape and spec.in_channels == shape[0]


@pytest.mark.parametrize(
    "shape, kwargs, argument, words",
    [row[1:] for row in REFUSED],
    ids=[row[0] for row in REFUSED],
)
def test_refused_like_torch(shape, kwargs, argument, words):
    with pytest.raises(SpecError) as info:
        _make(shape, kwargs)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.argument == argument
    message = str(error)
    assert argument in message
    raw = {**DEFAULTS, **kwargs}[argument]
    # The value as given, or as normalised to an (h, w) pair.
    shown = {repr(raw), repr(tuple(raw)) if isinstance(raw, list) else repr(raw)}
    if isinstance(raw, int):
        shown.add(repr((raw, raw)))
    assert any(s in message for s in shown), f"value {raw!r} not named in {message!r}"
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


def test_table_covers_every_rule():
    """Guard against the tables losing a rule when edited."""
    ids = {row[0] for row in ACCEPTED} | {row[0] for row in REFUSED}
    for prefix in (
        "out-channels-",
        "kernel-zero",
        "stride-zero",
        "dilation-zero",
        "groups-zero",
        "groups-not-dividing-in",
        "groups-not-dividing-out",
        "negative-zeros",
        "negative-reflect",
        "negative-replicate",
        "negative-circular",
        "same-stride-",
        "same-even",
        "same-reflect-even-end-equals-size",
        "valid",
        "reflect-padding-size-minus-one",
        "reflect-padding-equals-size",
        "circular-padding-equals-size",
        "circular-padding-size-plus-one",
        "dilated-kernel-larger-than-padded",
        "padding-string-",
        "padding-mode-",
        "crop-to-zero-",
    ):
        assert any(i.startswith(prefix) for i in ids), prefix


def test_same_even_kernel_puts_extra_at_bottom_right():
    spec = Conv2dSpec((1, 6, 6), kernel_size=(2, 4), padding="same")
    assert spec.padding == (0, 1) and spec.padding_end == (1, 2)
    assert spec.output_shape == (1, 6, 6)
    odd = Conv2dSpec((1, 6, 6), kernel_size=5, dilation=2, padding="same")
    assert odd.padding == odd.padding_end == (4, 4)


def test_valid_is_zero_padding():
    assert Conv2dSpec((2, 6, 5), padding="valid").output_shape == Conv2dSpec((2, 6, 5)).output_shape
    spec = Conv2dSpec((2, 6, 5), padding="valid")
    assert spec.padding == spec.padding_end == (0, 0)


def test_numpy_integers_accepted():
    # torch accepts these too: Conv2d(1, 1, np.int64(3), np.int64(2)) on (1, 1, 5, 5) -> (1, 1, 2, 2)
    spec = Conv2dSpec((1, 5, 5), out_channels=np.int64(1), kernel_size=np.int64(3), stride=np.int64(2))
    assert spec.output_shape == (1, 2, 2)
    assert all(type(v) is int for v in spec.kernel_size + spec.stride)


def test_documented_deviations_are_refused():
    """Not parity: convgif is stricter than torch here, on purpose (see the spec's docs)."""
    for shape in [(0, 5, 5), (1, 0, 5), (1, 5, 0), (-1, 5, 5), (1, 5), ()]:
        if len(shape) == 2 and min(shape) > 0:
            continue
        with pytest.raises(SpecError) as info:
            Conv2dSpec(shape)
        assert info.value.argument == "input_shape"
    # torch's rules for sizes: kernel_size shapes the weight (True is 1, a 1-tuple is one axis,
    # refused); the others go to its integer lists (a bool refused first, a 1-tuple repeated)
    assert Conv2dSpec((1, 5, 5), kernel_size=True).kernel_size == (1, 1)
    assert Conv2dSpec((1, 5, 5), kernel_size=(True, 2)).kernel_size == (1, 2)
    for name in ("stride", "dilation", "padding"):
        assert getattr(Conv2dSpec((1, 5, 5), **{name: (1,)}), name) == (1, 1)
        assert getattr(Conv2dSpec((1, 5, 5), **{name: (1, True)}), name) == (1, 1)
    for name, value in [("kernel_size", (3,))] + [
        (n, v) for n in ("stride", "dilation", "padding") for v in (True, (True, 1))
    ]:
        with pytest.raises(SpecError) as info:
            Conv2dSpec((1, 5, 5), **{name: value})
        assert info.value.argument == name
    with pytest.raises(SpecError, match="one amount cannot pad 2 axes") as info:
        Conv2dSpec((1, 5, 5), padding=(1,), padding_mode="reflect")
    for name in ("out_channels", "groups"):
        with pytest.raises(SpecError) as info:
            Conv2dSpec((1, 5, 5), **{name: True})
        assert info.value.argument == name


def test_two_dimensional_input_shape_means_one_channel():
    assert Conv2dSpec((5, 6)).input_shape == (1, 5, 6)


def test_spec_is_frozen_and_replace_revalidates():
    spec = Conv2dSpec((2, 7, 7), kernel_size=4, padding="same", padding_mode="reflect")
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.groups = 2  # type: ignore[misc]
    wider = spec.replace(out_channels=4, groups=2)
    assert (wider.padding, wider.padding_end) == ((1, 1), (2, 2))  # still 'same'
    assert wider.output_shape == (4, 7, 7)
    with pytest.raises(SpecError) as info:
        spec.replace(stride=2)  # 'same' with a stride
    assert info.value.argument == "padding"
    with pytest.raises(SpecError) as info:
        spec.replace(groups=3)
    assert info.value.argument == "groups"


# --------------------------------------------------------------------------------------------
# (b) The article's twelve figures: caption character for character, and animation steps.
#     From /work/shared/reference/figures.md; " — " is space, U+2014 EM DASH, space.
# --------------------------------------------------------------------------------------------

FIGURES = [
    (
        (3, 7, 7),
        {"out_channels": 2, "kernel_size": 3, "padding": 1, "stride": 2, "dilation": 2},
        18,
        "Input Shape : (3, 7, 7) — Output Shape : (2, 3, 3) — K : (3, 3) — P : (1, 1) — S : (2, 2) — D : (2, 2) — G : 1",
    ),
    (
        (1, 9, 9),
        {"out_channels": 1, "kernel_size": 3},
        49,
        "Input Shape : (1, 9, 9) — Output Shape : (1, 7, 7) — K : (3, 3) — P : (0, 0) — S : (1, 1) — D : (1, 1) — G : 1",
    ),
    (
        (1, 7, 7),
        {"out_channels": 4, "kernel_size": 3},
        100,
        "Input Shape : (1, 7, 7) — Output Shape : (4, 5, 5) — K : (3, 3) — P : (0, 0) — S : (1, 1) — D : (1, 1) — G : 1",
    ),
    (
        (3, 7, 7),
        {"out_channels": 4, "kernel_size": 3},
        100,
        "Input Shape : (3, 7, 7) — Output Shape : (4, 5, 5) — K : (3, 3) — P : (0, 0) — S : (1, 1) — D : (1, 1) — G : 1",
    ),
    (
        (3, 7, 9),
        {"out_channels": 2, "kernel_size": (5, 1)},
        54,
        "Input Shape : (3, 7, 9) — Output Shape : (2, 3, 9) — K : (5, 1) — P : (0, 0) — S : (1, 1) — D : (1, 1) — G : 1",
    ),
    (
        (3, 7, 9),
        {"out_channels": 2, "kernel_size": (5, 2)},
        48,
        "Input Shape : (3, 7, 9) — Output Shape : (2, 3, 8) — K : (5, 2) — P : (0, 0) — S : (1, 1) — D : (1, 1) — G : 1",
    ),
    (
        (3, 9, 9),
        {"out_channels": 2, "kernel_size": 3, "stride": (1, 3)},
        42,
        "Input Shape : (3, 9, 9) — Output Shape : (2, 7, 3) — K : (3, 3) — P : (0, 0) — S : (1, 3) — D : (1, 1) — G : 1",
    ),
    (
        (2, 7, 7),
        {"out_channels": 1, "kernel_size": 3, "padding": 1},
        49,
        "Input Shape : (2, 7, 7) — Output Shape : (1, 7, 7) — K : (3, 3) — P : (1, 1) — S : (1, 1) — D : (1, 1) — G : 1",
    ),
    (
        (2, 7, 7),
        {"out_channels": 1, "kernel_size": 3, "padding": 1, "dilation": (4, 2)},
        5,
        "Input Shape : (2, 7, 7) — Output Shape : (1, 1, 5) — K : (3, 3) — P : (1, 1) — S : (1, 1) — D : (4, 2) — G : 1",
    ),
    (
        (2, 7, 7),
        {"out_channels": 4, "kernel_size": 3, "padding": 2, "stride": 2, "groups": 2},
        50,
        "Input Shape : (2, 7, 7) — Output Shape : (4, 5, 5) — K : (3, 3) — P : (2, 2) — S : (2, 2) — D : (1, 1) — G : 2",
    ),
    (
        (2, 9, 9),
        {"out_channels": 1, "kernel_size": 3, "padding": 2, "dilation": (4, 2)},
        45,
        "Input Shape : (2, 9, 9) — Output Shape : (1, 5, 9) — K : (3, 3) — P : (2, 2) — S : (1, 1) — D : (4, 2) — G : 1",
    ),
    (
        (3, 7, 7),
        {"out_channels": 2, "kernel_size": 3, "padding": 1},
        98,
        "Input Shape : (3, 7, 7) — Output Shape : (2, 7, 7) — K : (3, 3) — P : (1, 1) — S : (1, 1) — D : (1, 1) — G : 1",
    ),
]


@pytest.mark.parametrize("shape, kwargs, steps, caption", FIGURES, ids=[f"fig{i + 1}" for i in range(12)])
def test_article_figure_caption_and_steps(shape, kwargs, steps, caption):
    spec = Conv2dSpec(shape, **kwargs)
    assert spec.caption == caption
    assert spec.caption.count(f" {EM_DASH} ") == 6
    assert "\u2013" not in spec.caption and " - " not in spec.caption
    assert spec.steps == steps
    c_out, h_out, w_out = spec.output_shape
    assert steps == c_out // spec.groups * h_out * w_out


def test_figure_table_has_twelve_distinct_figures():
    assert len(FIGURES) == 12
    assert len({f[3] for f in FIGURES}) == 12


# --------------------------------------------------------------------------------------------
# (c) num_parameters against torch.
# --------------------------------------------------------------------------------------------


def _torch_module(torch, shape, kwargs):
    return torch.nn.Conv2d(shape[0], **{**DEFAULTS, **kwargs})


@pytest.mark.parametrize(
    "shape, kwargs",
    [(f[0], f[1]) for f in FIGURES] + [(row[1], {"out_channels": 1, "kernel_size": 3, **row[2]}) for row in ACCEPTED],
)
def test_num_parameters_matches_torch(shape, kwargs):
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        module = _torch_module(torch, shape, kwargs)
    spec = Conv2dSpec(shape, **kwargs)
    assert spec.num_parameters == sum(p.numel() for p in module.parameters())
    assert (spec.bias) == (module.bias is not None)


# --------------------------------------------------------------------------------------------
# (d) Parity with torch over random configurations, valid and invalid.
# --------------------------------------------------------------------------------------------

MODES = ("zeros", "reflect", "replicate", "circular")


def _size(rng: random.Random, low: int, high: int, bad: tuple, p_bad: float = 0.05):
    """An int, a tuple or a list, occasionally with a value torch refuses."""

    def one():
        return rng.choice(bad) if bad and rng.random() < p_bad else rng.randint(low, high)

    r = rng.random()
    if r < 0.45:
        return one()
    if r < 0.9:
        return (one(), one())
    return [one(), one()]


def random_config(rng: random.Random):
    shape = (rng.randint(1, 4), rng.randint(1, 7), rng.randint(1, 7))
    if rng.random() < 0.75:  # mostly consistent channel counts, so that other rules get reached
        groups = rng.choice([g for g in range(1, shape[0] + 1) if shape[0] % g == 0])
        out_channels = groups * rng.randint(1, 3)
    else:
        groups = rng.choice((1, 2, 3, 4, 0, -1))
        out_channels = rng.choice((1, 2, 3, 4, 6, 0, -1))
    kwargs = {
        "out_channels": out_channels,
        "kernel_size": _size(rng, 1, 4, (0, -1)),
        "stride": _size(rng, 1, 3, (0, -2)),
        "dilation": _size(rng, 1, 2, (0, 3)),
        "groups": groups,
        "bias": rng.random() < 0.5,
        "padding_mode": rng.choice(MODES + MODES[1:]) if rng.random() > 0.03 else "mirror",
    }
    r = rng.random()
    if r < 0.15:
        kwargs["padding"] = "same"
    elif r < 0.22:
        kwargs["padding"] = "valid"
    elif r < 0.24:
        kwargs["padding"] = rng.choice(("full", "SAME", (1, 1, 1)))
    elif r < 0.4:  # cropping: torch allows it for every mode but 'zeros'
        kwargs["padding"] = rng.choice((-1, -2, (-1, 0), (0, -1), (-1, 2), (1, -2), (-3, -1)))
    else:
        kwargs["padding"] = _size(rng, -2, 4, (-3, 5, 7))
    if rng.random() < 0.3:  # often stick to the defaults, as people do
        for name in rng.sample(["stride", "dilation", "padding"], 2):
            kwargs[name] = DEFAULTS[name]
    return shape, kwargs


def torch_verdict(torch, shape, kwargs):
    """("ok", output_shape, parameters, start, end) or ("refused", exception)."""
    c, h, w = shape
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            module = torch.nn.Conv2d(c, **kwargs)
            out = module(torch.zeros(1, c, h, w))
    except Exception as exc:  # noqa: BLE001 - torch raises ValueError, RuntimeError, TypeError
        return ("refused", exc)
    r = module._reversed_padding_repeated_twice  # [left, right, top, bottom]
    params = sum(p.numel() for p in module.parameters())
    return ("ok", tuple(out.shape[1:]), params, (r[2], r[0]), (r[3], r[1]))


def spec_verdict(shape, kwargs):
    try:
        spec = Conv2dSpec(shape, **kwargs)
    except SpecError as exc:
        assert exc.argument in set(DEFAULTS) | {"input_shape"}, exc.argument
        return ("refused", exc)
    return ("ok", spec.output_shape, spec.num_parameters, spec.padding, spec.padding_end)


PARITY_CASES = 600


def test_random_parity_with_torch():
    torch = pytest.importorskip("torch")
    rng = random.Random(20240611)
    mismatches, accepted, refused = [], 0, 0
    negative = {m: 0 for m in MODES[1:]}
    for _ in range(PARITY_CASES):
        shape, kwargs = random_config(rng)
        want = torch_verdict(torch, shape, kwargs)
        got = spec_verdict(shape, kwargs)
        if want[0] != got[0] or (want[0] == "ok" and want != got):
            mismatches.append((shape, kwargs, want, got))
        elif want[0] == "ok":
            accepted += 1
            pad = kwargs["padding"]
            if not isinstance(pad, str) and min(_pair(pad)) < 0:
                negative[kwargs["padding_mode"]] += 1
        else:
            refused += 1
    assert not mismatches, "\n".join(
        f"{s} {k}: torch {w[:3] if w[0] == 'ok' else repr(w[1])[:120]} / convgif {g}" for s, k, w, g in mismatches[:10]
    )
    # The generator must keep exercising both sides and negative padding in every mode.
    assert accepted >= 120 and refused >= 120, (accepted, refused)
    assert min(negative.values()) >= 3, negative


def test_bias_takes_truthy_integers_as_pytorch_does_but_not_strings():
    assert Conv2dSpec((1, 5, 5), bias=1).bias is True
    assert Conv2dSpec((1, 5, 5), bias=0).bias is False
    with pytest.raises(SpecError) as error:
        Conv2dSpec((1, 5, 5), bias="False")
    assert error.value.argument == "bias"


def test_caption_writes_asymmetric_same_padding_per_axis():
    spec = Conv2dSpec((1, 6, 6), 1, 4, padding="same")
    assert (spec.padding, spec.padding_end) == ((1, 1), (2, 2))
    assert " — P : 'same' = ((1, 2), (1, 2)) — " in spec.caption
    assert " — P : 'valid' = (0, 0) — " in Conv2dSpec((1, 6, 6), 1, 4, padding="valid").caption
    assert " — P : (0, 0) — " in Conv2dSpec((1, 6, 6), 1, 4, padding=0).caption
