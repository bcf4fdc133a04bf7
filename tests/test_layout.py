import itertools

import numpy as np
import pytest

from convgif import Conv2dSpec, SpecError, TooLargeError, ops
from convgif.picture.layout import plan as plan_geometry
from convgif.picture.sizes import (
    CAPTION,
    CELL_PX,
    MAX_SIDE_PX,
    MIN_VALUE_CELL_PX,
    continues_text,
    picture_box,
    thumbnail_size,
)


def plan(spec, values=False, value_chars=3):
    """The layout of a spec's picture (its one geometry)."""
    return plan_geometry(ops.of(spec).geometries(spec)[0], values, value_chars)


SPECS = [
    Conv2dSpec((3, 7, 7), 2, 3, stride=2, padding=1, dilation=2),
    Conv2dSpec((2, 7, 7), 4, 3, stride=2, padding=2, groups=2),
    Conv2dSpec((1, 40, 40), 1, 3, padding=1),
    Conv2dSpec((16, 9, 9), 32, 3, groups=4),
    Conv2dSpec((1, 3, 60), 3, (1, 5)),
    Conv2dSpec((1, 1, 1), 1, 1),
]


def boxes(layout):
    spec, s = layout.geometry.layer, layout.cell
    _, hp, wp = spec.padded_shape
    _, ho, wo = spec.output_shape
    kh, kw = spec.kernel_size
    for x, y in layout.inputs.values():
        yield (x, y, x + wp * s, y + hp * s)
    for x, y in layout.kernels.values():
        yield (x, y, x + kw * s, y + kh * s)
    for x, y in layout.outputs.values():
        yield (x, y, x + wo * s, y + ho * s)


@pytest.mark.parametrize(
    "spec, values", [(s, False) for s in SPECS] + [(s, True) for s in SPECS if max(s.input_shape[1:]) < 20]
)
def test_grids_and_texts_fit_without_overlapping(spec, values):
    layout = plan(spec, values)
    found = list(boxes(layout))
    for x0, y0, x1, y1 in found:
        assert 0 <= x0 and x1 < layout.width and 0 <= y0 and y1 < layout.height
    for a, b in itertools.combinations(found, 2):
        assert a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1], (a, b)
    for text, style, x, y in layout.texts:
        assert x + style.width(text) <= layout.width and y + style.height <= layout.height
    text_boxes = [(x, y, x + style.width(t), y + style.height) for t, style, x, y in layout.texts]
    text_boxes.append((*layout.legend_at, layout.legend_at[0] + 10, layout.legend_at[1] + 13))
    for a, b in itertools.combinations(text_boxes, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    assert layout.caption == spec.caption  # its lines read joined
    for text, style, x, _ in layout.texts[: layout.caption_lines]:
        assert style == CAPTION and x + CAPTION.width(text) <= layout.width


def test_small_figures_use_full_cells_and_large_ones_shrink():
    assert plan(SPECS[0]).cell == CELL_PX
    big = plan(SPECS[2])
    assert big.cell < CELL_PX and max(big.width, big.height) <= MAX_SIDE_PX
    assert plan(Conv2dSpec((1, 30, 30), 1, 3), values=True).cell >= MIN_VALUE_CELL_PX


@pytest.mark.parametrize(
    "spec, values, hint",
    [
        (Conv2dSpec((1, 500, 500), 1, 3), False, "shrink the input"),
        (Conv2dSpec((1, 3, 900), 1, 3), False, "shrink the input width"),
        (Conv2dSpec((1, 40, 40), 1, 3, padding=1), True, "draw it without values"),
    ],
)
def test_too_large_to_draw_is_refused_with_what_to_shrink(spec, values, hint):
    with pytest.raises(TooLargeError) as error:
        plan(spec, values)
    assert isinstance(error.value, SpecError) and isinstance(error.value, ValueError)
    assert error.value.argument == "input_shape"
    assert hint in str(error.value) and str(spec.input_shape) in str(error.value)


def test_the_cells_a_part_hides_are_counted_per_side_in_its_label_line():
    assert continues_text((0, 0, 0, 0)) == ""
    assert continues_text((0, 212, 0, 212)) == "+212▼ +212▶"
    assert continues_text((160, 49, 112, 4970)) == "+160▲ +49▼ +112◀ +4,970▶"


def test_a_picture_shown_small_keeps_its_shape_and_the_outline_covers_the_part():
    assert thumbnail_size((224, 224), 160) == (160, 160)
    assert thumbnail_size((300, 400), 160) == (120, 160)
    assert thumbnail_size((64, 64), 160) == (128, 128)  # enlarged a whole number of times
    assert thumbnail_size((100, 30), 160) == (100, 30)
    rng = np.random.default_rng(5)
    for _ in range(200):
        height, width = (int(v) for v in rng.integers(1, 600, 2))
        h, w = thumbnail_size((height, width), 160)
        r0, c0 = int(rng.integers(0, height)), int(rng.integers(0, width))
        r1, c1 = int(rng.integers(r0 + 1, height + 1)), int(rng.integers(c0 + 1, width + 1))
        y0, y1, x0, x1 = picture_box((7, 9, w, h), (height, width), (r0, r1), (c0, c1))
        assert 9 <= y0 < y1 <= 9 + h and 7 <= x0 < x1 <= 7 + w
        for r in (r0, r1 - 1):  # the thumbnail pixel each end row falls in is inside
            assert y0 <= 9 + r * h // height < y1
        for c in (c0, c1 - 1):
            assert x0 <= 7 + c * w // width < x1


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.caption)
def test_kernel_channels_are_the_output_channels_of_the_kernels_laid_out(spec):
    from convgif.picture.sizes import kernel_channels

    geometry = ops.of(spec).geometries(spec)[0]
    layout = plan(spec)
    drawn = {c // spec.in_per_group * spec.out_per_group + j for c, j in layout.kernels}
    assert kernel_channels(geometry) == tuple(sorted(drawn))
    assert set(layout.shown_out) <= drawn


def test_a_layer_without_weights_shows_no_kernels():
    from convgif import MaxPool2dSpec
    from convgif.picture.sizes import kernel_channels

    spec = MaxPool2dSpec((3, 6, 6), 2)
    assert kernel_channels(ops.of(spec).geometries(spec)[0]) == ()
