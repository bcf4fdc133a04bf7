import itertools
import math
import random
from dataclasses import replace

import numpy as np
import pytest

from convgif import Conv2dSpec, SpecError, TooLargeError, ops
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.picture.layout import plan as plan_geometry
from convgif.picture.sizes import (
    CAPTION,
    CELL_PX,
    MAX_SIDE_PX,
    MIN_VALUE_CELL_PX,
    STEP_BREAK,
    SUM_ENTRY_LINES,
    SUM_SLACK,
    continues_text,
    picture_box,
    thumbnail_size,
    wrap,
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


#: What a too-large refusal may advise, and the options that follow the advice.
ADVICE = {"draw it without values": {"values": False}, "draw it at a smaller scale": {"scale": 1}}


def _refusal_followed(rng, name, kw):
    """A random layer of ``name`` large enough to be refused now and then, drawn with values
    (and ``kw``): None when drawn; else its refusal and, for each piece of advice it gives (see
    :data:`ADVICE`), None when following it draws the layer, else why not."""
    import io

    import convgif

    op = ops.operation(name)
    example = dict(op.example())
    shape = example["input_shape"]
    if "kernel_size" in example and not kw.get("backward"):  # windows near what a picture holds
        k = rng.randint(25, 60)
        example.update(kernel_size=k, input_shape=(shape[0], *(rng.randint(k, k + 30) for _ in shape[1:])))
    else:
        example["input_shape"] = (shape[0], *(n + rng.randint(0, rng.choice([10, 40, 90])) for n in shape[1:]))
    try:
        spec = op.build(**example)
    except SpecError:
        return None
    options = dict(max_frames=0, step=1, values=True, **kw)
    try:
        convgif.render_still(spec, io.BytesIO(), **options)
        return None
    except TooLargeError as error:
        refusal = str(error)
    followed = {}
    for advice, change in ADVICE.items():
        if advice in refusal:
            try:
                convgif.render_still(spec, io.BytesIO(), **{**options, **change})
                followed[advice] = None
            except SpecError as error:
                followed[advice] = str(error)
    return refusal, followed


def test_a_refusal_advises_only_what_draws():
    """Following a too-large refusal's advice (to draw without values, at a smaller scale) draws
    the layer; a picture that writes its numbers whatever is asked (a backward pass, the
    checkerboard) is never advised to draw without values."""
    rng = random.Random(4)
    advised = unadvised = 0
    forward = ["Conv2d", "Conv1d", "AvgPool2d", "MaxPool2d", "LPPool2d"]
    numbers = ["MaxPool2d", "AvgPool1d", "Conv2d", "PixelShuffle", "UpsamplingBilinear2d", "MaxUnpool1d"]
    cases = [(rng.choice(forward), {}) for _ in range(14)]
    cases += [(rng.choice(numbers), {"backward": True}) for _ in range(10)] + [("checkerboard", {})] * 3
    for name, kw in cases:
        if rng.random() < 0.25:
            kw = {**kw, "scale": 2}
        found = _refusal_followed(rng, name, kw)
        if found is None:
            continue
        refusal, followed = found
        assert all(why is None for why in followed.values()), (name, kw, refusal, followed)
        advised += bool(followed)
        unadvised += not followed and (name == "checkerboard" or "backward" in kw)
    assert advised >= 2 and unadvised >= 2, (advised, unadvised)


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


# -- both arrangements: everything apart, and the connecting lines only through the gaps -------


def _random_geometries(seed: int, count: int) -> list:
    """Geometries of random layers of every kind, some of them parts of a larger map, each
    with a random look: (geometry, values, scale, picture shown whole or None)."""
    import random

    from test_region import random_layers

    from convgif import ChannelShuffleSpec, MaxUnpool2dSpec
    from convgif.picture.model import Region

    rng = random.Random(seed)
    layers = random_layers(rng, count) + [MaxUnpool2dSpec((2, 3, 3), 2), convgif_pool_with_indices()]
    other = random.Random(f"shuffle-{seed}")  # the other layers' looks drawn as before
    shuffled = (other.choice([4, 6]), other.randint(1, 6), other.randint(1, 6))  # its lines cross
    layers.append(ChannelShuffleSpec(shuffled[: other.choice([2, 3])], 2))
    found = []
    for spec in layers:
        op = ops.of(spec)
        view = {"as_conv": True} if type(spec).__name__ == "ConvTranspose2dSpec" and rng.random() < 0.3 else {}
        whole = op.geometries(spec, **view)
        out_h, out_w = whole[0].out_size
        if rng.random() < 0.4 and out_h * out_w > 1:  # a part, with the bands beside it
            r0, c0 = rng.randrange(out_h), rng.randrange(out_w)
            region = Region((r0, rng.randint(r0 + 1, out_h)), (c0, rng.randint(c0 + 1, out_w)), whole[0].dims)
            try:
                whole = op.geometries(spec, region=region, **view)
            except SpecError:
                pass
        picture = (rng.randint(4, 300), rng.randint(4, 300)) if whole[0].part is not None else None
        for geometry in whole:
            if rng.random() < 0.3:  # fewer channels and kernel columns than the layer has, as a part may draw
                geometry = replace(geometry, channels_shown=rng.randint(1, 3), columns_shown=rng.randint(1, 3))
            found.append((geometry, rng.random() < 0.5, rng.choice([1, 2]), picture))
    return found


def convgif_pool_with_indices():
    from convgif import MaxPool2dSpec

    return MaxPool2dSpec((2, 5, 5), 2, return_indices=True)


def _runs(points: list, n: int, aslant: bool = False) -> list:
    """The rectangles (y0, y1, x0, x1) a path through ``points`` paints, ``n`` pixels thick
    (an aslant run's, ``n`` by ``n`` round each pixel it passes)."""
    runs = []
    for (xa, ya), (xb, yb) in zip(points, points[1:]):
        if xa != xb and ya != yb:
            assert aslant, points  # across or down, never aslant but where the picture's lines cross
            length = max(abs(xb - xa), abs(yb - ya))
            for t in range(length):
                x, y = xa + round(t * (xb - xa) / length), ya + round(t * (yb - ya) / length)
                runs.append((y, y + n, x, x + n))
        elif ya == yb:
            runs.append((ya, ya + n, min(xa, xb), max(xa, xb) + 1))
        else:
            runs.append((min(ya, yb), max(ya, yb) + 1, xa, xa + n))
    return runs


@pytest.mark.parametrize("seed", range(6))
def test_both_arrangements_keep_apart_and_join_each_window_to_its_kernel_and_output_through_gaps(seed):
    from test_region import assert_apart, rects

    from convgif.picture.landscape import LANDSCAPES
    from convgif.picture.layout import STACKED, arrange
    from convgif.picture.sizes import Metrics

    for geometry, values, scale, picture in _random_geometries(seed, 12):
        m = Metrics.of(scale)
        for arrangement in (STACKED, *LANDSCAPES):
            cell = (22 if values else 14) * scale
            room = 1920 if arrangement.wide and scale > 1 else 480 * arrangement.wide
            lay = arrange(geometry, values, cell, (), m, (), True, 3, picture, arrangement, room)
            where = (geometry.caption, arrangement.name, values, scale)
            assert_apart(lay)
            panels = [box for name, box in rects(lay)]
            n, s, f = m.n, lay.cell, m.frame if geometry.groups > 1 else 0
            hp, wp = geometry.grid
            for c, (gx, gy) in lay.inputs.items():
                group = c // geometry.in_per_group
                for j in lay.shown_columns:
                    co = geometry.group_output(group, j)
                    for row in range(hp):
                        y_window = gy + row * s + s // 2
                        written = None
                        if co in lay.outputs:  # the line enters the output cell at its row
                            ox, oy = lay.outputs[co]
                            out_row = row % geometry.out_size[0]
                            written = co, (ox - f - 2 * n - 1 - lay.reach[1], oy + out_row * s + s // 2)
                        column = j if geometry.kernel is not None else None
                        paths = lay.routes.paths(lay, c, y_window, column, written)
                        start = paths[0][0]
                        assert start[1] == y_window and not gx - f <= start[0] <= gx + wp * s + f, where
                        if column is not None:  # into the kernel in use, on its left; out on its right
                            kx, ky = lay.kernels[(c, j)]
                            kh, kw = geometry.kernel
                            y_k = ky + kh * s // 2
                            assert paths[0][-1] == (kx - 3 * n - 1, y_k), where
                            if written is not None:
                                assert paths[1][0] == (kx + kw * s + 3 * n + 1, y_k), where
                        if written is not None:
                            assert paths[-1][-1] == written[1], where
                        else:
                            assert len(paths) == (0 if column is None else 1), where
                        for points in paths:
                            for y0, y1, x0, x1 in _runs(points, n, lay.routes.aslant):
                                for b in panels:
                                    assert y1 <= b[0] or b[1] <= y0 or x1 <= b[2] or b[3] <= x0, (where, points, b)


@pytest.mark.parametrize(
    "spec, values, scale",
    [
        (Conv2dSpec((3, 7, 7), 2, 3), False, 1),
        (Conv2dSpec((3, 16, 16), 2, 3), True, 1),  # no cells fit: every size tried, then the smallest
        (Conv2dSpec((6, 30, 30), 4, 3), False, 2),  # a slide: landscape arrangements tried too
    ],
)
def test_a_plan_lays_out_each_arrangement_at_each_cell_size_once(spec, values, scale, monkeypatch):
    """Choosing the cells asks for some layouts more than once (the largest cells, the smallest):
    each is made once and the same layout is chosen."""
    from convgif.picture import layout as module

    geometry = ops.of(spec).geometries(spec)[0]
    expected = plan_geometry(geometry, values, scale=scale)
    made = []
    arrange = module.arrange

    def counted(spec, values, s, notes, m, *rest):
        made.append((id(rest[4]), s, m.n, *rest[5:]))  # the arrangement, the cells, the scale, the widths
        return arrange(spec, values, s, notes, m, *rest)

    monkeypatch.setattr(module, "arrange", counted)
    assert plan_geometry(geometry, values, scale=scale) == expected
    assert made and len(made) == len(set(made))


def _wrapped_by_measuring_every_line_parts(parts, chars):
    """Pieces joined by spaces in lines of at most ``chars`` cells, measured whole as they grow,
    then as even as the same number of lines allows."""
    from convgif.picture.cells import cells

    def greedy(limit):
        lines, line = [], parts[0]
        for part in parts[1:]:
            if cells(line) + 1 + cells(part) <= limit or not line:
                line = f"{line} {part}"
            else:
                lines.append(line)
                line = part
        return [*lines, line]

    lines = greedy(chars)
    for limit in range(cells(" ".join(parts)) // len(lines), chars):
        if len(greedy(limit)) == len(lines):
            return greedy(limit)
    return lines


def test_a_width_no_stacked_layout_fits_takes_the_landscape_one_the_default_draws():
    """One output of a 49-cell window holding numbers: stacked (its kernel beside its input) it is
    about twice as wide as across (its kernel under its input), which the default draws past the
    column. That width given back draws the same layout; a pixel less is refused naming it; a
    width the stacked one fits draws it stacked."""
    from convgif.picture.sizes import fit_box

    spec = ops.operation("Conv1d").build(input_shape=(1, 49), out_channels=1, kernel_size=49)
    (geometry,) = ops.of(spec).geometries(spec)
    default = plan_geometry(geometry, True)
    assert default.arrangement == "landscape" and not default.fits_box
    given = plan_geometry(geometry, True, max_width=default.width)
    assert replace(given, fits_box=default.fits_box) == default
    with pytest.raises(TooLargeError) as refused:
        plan_geometry(geometry, True, max_width=default.width - 1)
    assert refused.value.argument == "width" and refused.value.least_width == default.width
    assert f"width={default.width - 1} is too narrow: its cells need {default.width} pixels" in str(refused.value)
    with pytest.raises(TooLargeError) as refused:  # within the column too, the width it takes across is named
        plan_geometry(geometry, True, max_width=fit_box()[0])
    assert refused.value.least_width == default.width
    wide = plan_geometry(geometry, True, max_width=MAX_SIDE_PX * 2)
    assert wide.arrangement == "stacked" and default.width < wide.width <= MAX_SIDE_PX * 2


@pytest.mark.parametrize("values", [False, True])
def test_the_width_a_slide_s_figure_takes_given_back_draws_the_same_layout(values):
    """At --scale 2 cells are chosen as at scale 1 (the figure's scale-1 twin, doubled, within the
    box: a few pixels wider than the frame drawn, whose one-pixel grid lines stay one pixel);
    a width asked limits the frame drawn, so the width the default draws, given back, draws it."""
    geometry = ops.of(SPECS[0]).geometries(SPECS[0])[0]
    default = plan_geometry(geometry, values, scale=2)
    given = plan_geometry(geometry, values, max_width=default.width, scale=2)
    assert replace(given, fits_box=default.fits_box) == default


def _wrapped_by_measuring_every_line(text, chars, separator):
    """wrap's rule, each line measured whole as it grows: lines of at most ``chars`` cells
    broken at ``separator`` (each line but the last keeping its mark), then as even as the
    same number of lines allows; at spaces, none inside brackets where every piece still fits
    a line and that takes no more lines."""
    from convgif.picture.cells import cells

    if cells(text) <= chars:
        return [text]
    if separator == " = ":  # before each sign: the pieces "= …" joined by spaces
        first, *rest = text.split(separator)
        return _wrapped_by_measuring_every_line_parts([first, *(f"= {r}" for r in rest)], chars)
    keep = separator.rstrip(" ")

    def broken(parts):
        def greedy(limit):
            lines, line = [], parts[0]
            for k, part in enumerate(parts[1:], 2):
                ends = k == len(parts)  # the text's last part: no mark kept after it
                if cells(line) + len(separator) + cells(part) + len(keep) * (not ends) <= limit or not line:
                    line = f"{line}{separator}{part}"
                else:
                    lines.append(line + keep)
                    line = part
            return [*lines, line]

        lines = greedy(chars)
        for limit in range(cells(separator.join(parts)) // len(lines), chars):
            if len(greedy(limit)) == len(lines):
                return greedy(limit)
        return lines

    def glued(parts):  # at spaces: a size's × and an equals sign hold on to the next word
        out = []
        for part in parts:
            if out and (part == "×" or out[-1].split(" ")[-1] in ("×", "=", "+=", "≈")):
                out[-1] += " " + part
            else:
                out.append(part)
        return out

    lines = broken(glued(text.split(separator)) if separator == " " else text.split(separator))
    if separator == " ":
        whole, depth = [""], 0  # the spaces that no bracket holds
        for char in text:
            depth = depth + (char in "([{") - (char in ")]}" and depth > 0)
            if char == " " and not depth:
                whole.append("")
            else:
                whole[-1] += char
        whole = glued(whole)
        if len(whole) > 1 and max(map(cells, whole)) <= chars and len(broken(whole)) <= len(lines):
            return broken(whole)
    return lines


def test_wrap_breaks_as_measuring_every_line_whole():
    """wrap adds up its parts' cells rather than measuring each line again: the same lines, for
    texts of wide and narrow characters, empty parts and every separator a layout breaks at."""
    import random

    from convgif.picture.sizes import CAPTION_BREAK, STEP_BREAK, wrap

    rng = random.Random(7)
    words = ["x[0, 3]", "y", "输入", "形状", "·", "−0.25", "", "depth", "读取", "a·b", "=", "(3, 7, 7)"]
    for _ in range(3000):
        separator = rng.choice([" ", " = ", STEP_BREAK, CAPTION_BREAK, " — "])
        text = separator.join(rng.choice(words) for _ in range(rng.randint(1, 14)))
        chars = rng.randint(1, 60)
        assert wrap(text, chars, separator) == _wrapped_by_measuring_every_line(text, chars, separator), (text, chars)
    assert wrap("times x[0, d, 1, 1] and [1, 0, -1]", 16) == ["times", "x[0, d, 1, 1]", "and [1, 0, -1]"]
    assert wrap("times x[0, d, 1, 1] and", 10) == ["times", "x[0, d,", "1, 1] and"]  # no room: inside, as it must


def test_a_line_never_ends_on_an_equals_sign_its_result_starts_the_next():
    """A sum broken before its result reads "… = 1 − 2" then "= −1 (of 2 …)", never "… − 2 ="
    then "−1": the sign starts the line its right side is on."""
    from convgif.picture.sizes import wrap

    text = "dx[0, 1, 1] = Σ dy·w = 0 + 1 − 2 = −1 (of 2 equal largest, the first)"
    for chars in range(16, len(text)):
        lines = wrap(text, chars)
        assert " ".join(lines) == text
        assert not any(line.rsplit(" ", 1)[-1] in ("=", "+=") for line in lines), (chars, lines)
    assert wrap(text, 38) == ["dx[0, 1, 1] = Σ dy·w = 0 + 1 − 2", "= −1 (of 2 equal largest, the first)"]
    at_signs = wrap(text, 38, " = ")  # as a sum is broken at its equals signs
    assert at_signs == ["dx[0, 1, 1] = Σ dy·w = 0 + 1 − 2", "= −1 (of 2 equal largest, the first)"]
    assert all(" ".join(wrap(text, n, " = ")) == text for n in range(10, 80))


def test_wrap_never_breaks_a_size_written_with_spaces_around_its_times_sign():
    """``2 × 6`` and ``3 × 3 × 3`` stay on one line wherever a text breaks (a note's "reshaped to
    2" then "× 6" on the next line reads as two numbers), and count as one piece a figure must
    hold; the lines joined again are the text."""
    import random

    from convgif.picture.sizes import _unbreakable, wrap

    rng = random.Random(3)
    words = ["W:", "the", "weight", "reshaped", "to", "(2, 2, 3)", "×", "2", "6", "输入", "27", "a"]
    for _ in range(2000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 16)))
        chars = rng.randint(1, 40)
        lines = wrap(text, chars)
        assert " ".join(lines) == text
        for a, b in zip(lines, lines[1:]):
            assert not a.endswith(" ×") and a != "×" and not b.startswith("×"), (text, chars, lines)
    text = "W: the weight (2, 2, 3) reshaped to 2 × 6, a row per output channel"
    for chars in range(5, len(text)):
        assert any("2 × 6," in line for line in wrap(text, chars)), chars
    assert _unbreakable("a 3 × 3 × 3 b", " ") == len("3 × 3 × 3")


def test_a_caption_ending_a_line_needs_no_room_for_a_mark_after_it():
    """Only a line broken at an em dash keeps it: the caption's last piece may fill its line to
    the last character, so that a picture breaks it as a wider one of the animation does."""
    from convgif.picture.sizes import CAPTION_BREAK, cells, wrap

    assert wrap("aaaa — bbbb — cccc", 11, CAPTION_BREAK) == ["aaaa —", "bbbb — cccc"]
    assert wrap("aaaa — bbbb — cccc", 10, CAPTION_BREAK) == ["aaaa —", "bbbb —", "cccc"]
    caption = (
        "Input Shape : (1, 6, 6) — Output Shape : (1, 2, 2) — K : (3, 3) — P : (0, 0) — S : (2, 2) — D : (1, 1) — G : 1"
    )
    wide = wrap(caption, 71, CAPTION_BREAK)
    assert len(wide) == 2 and wrap(caption, max(map(cells, wide)), CAPTION_BREAK) == wide


@pytest.mark.parametrize("scale", [1, 2])
def test_the_room_kept_for_keys_is_what_three_rows_of_them_take_or_two_on_a_slide(scale):
    """Room kept beyond what the keys take gives up parts that fit (a depth pool's window of 4
    slices needs the page's last pixels): the room is exactly that of three rows, two on a slide."""
    from convgif.picture.layout import place_keys
    from convgif.picture.model import Key
    from convgif.picture.sizes import KEYS_ROOM, KEYS_ROOM_WIDE, Metrics, key_size

    m = Metrics.of(scale)
    key = Key("x", "input", tuple((None, f"value {i}") for i in range(6)))
    width = 2 * m.margin + key_size(key, m)[0] + 10  # one key a row
    for rows, room in ((3, KEYS_ROOM), (2, KEYS_ROOM_WIDE)):
        placed, height = place_keys(m, (key,) * rows, width, 500 * scale)
        assert len({y for _, _, y in placed}) == rows
        assert height - m.margin - 500 * scale == room * scale


def _random_layer(rng: random.Random):
    """A random layer of a random kind: its example, the sizes and channels varied."""
    op = ops.operation(rng.choice(list(ops.NAMES)))
    example = dict(op.example())
    shape = list(example["input_shape"])
    for axis in range(1, len(shape)):
        shape[axis] = max(1, shape[axis] + rng.randint(-1, 6))
    if rng.random() < 0.5:
        shape[0] *= rng.choice([2, 4, 16])
    example["input_shape"] = tuple(shape)
    if "out_channels" in example and rng.random() < 0.5:
        example["out_channels"] = rng.choice([1, 2, 8, 64])
    for key in ("stride", "padding"):
        if key in example and rng.random() < 0.3:
            example[key] = rng.randint(1 if key == "stride" else 0, 2)
    try:
        return op.build(**example)
    except SpecError:
        return None


def _longest_written(job) -> list[tuple[int, int, str]]:
    """Per picture of a render: the lines its layout keeps for the step line, the lines the
    longest step line it writes takes, and that line."""
    found = []
    for drawn, layout, steps in zip(job.drawings, job.layouts, job.steps):
        most, longest = 0, ""
        for step in steps:
            drawn.playback.advance(step)
            text = drawn.playback.show(step).text
            lines = len(wrap(text, layout.sum_width, STEP_BREAK))
            most, longest = max((most, longest), (lines, text))
        found.append((layout.step_lines, most, longest))
    return found


#: Kinds whose step line's room can be a line more than the longest line written: a fractional
#: pooling's windows are drawn at random when recorded, after the layout; a 3-D layer drawn as
#: depth slices counts its steps through every slice, and the steps of the other slices
#: (their kernel columns shown) are not the geometry's to know.
ROOM_BOUNDED = ("Fractional", "Conv3d", "ConvTranspose3d")


@pytest.mark.parametrize("seed", range(2))
def test_the_step_line_has_the_room_of_the_longest_line_written_and_no_more(seed):
    """The lines the layout keeps for the step line are those the longest step line a render
    writes takes (a line less would overflow, a line more is left empty), in every language,
    forward and backward, after the part chooser has settled the channels and the region drawn."""
    rng = random.Random(seed)
    checked = 0
    while checked < 30:
        spec = _random_layer(rng)
        if spec is None:
            continue
        look = Look(values=rng.random() < 0.5, lang=rng.choice(["en", "zh-Hans", "zh-Hant"]))
        view = {"backward": True} if rng.random() < 0.3 else {}
        try:
            job = Job(spec, look, view, max_frames=40)
        except SpecError:
            continue
        checked += 1
        for room, most, line in _longest_written(job):
            assert room >= most, (spec, look, view, line, room)
            if ops.of(spec).name.startswith(ROOM_BOUNDED):
                assert room <= most + 1, (spec, look, view, line, room)
            else:
                assert room == most, (spec, look, view, line, room)


@pytest.mark.parametrize("seed", range(2))
def test_the_sum_lines_have_the_room_of_the_longest_sums_written_and_no_more(seed):
    """The lines the layout keeps for the sums are those the steps' sums take at most, as the
    frames write them: no empty line under the longest in every frame (MaxPool3d with ceil_mode,
    a Conv3d of one output channel), in every language, forward and backward."""
    from convgif.picture.overlay import _fit_lines

    rng = random.Random(seed)
    checked = 0
    cases = [
        (ops.operation("MaxPool3d").build(input_shape=(1, 5, 5, 5), kernel_size=2, ceil_mode=True), {}),
        (ops.operation("Conv3d").build(input_shape=(2, 3, 4, 4), out_channels=1, kernel_size=2), {}),
    ]
    while checked < 24:
        spec, view = cases.pop() if cases else (_random_layer(rng), {"backward": True} if rng.random() < 0.3 else {})
        if spec is None:
            continue
        look = Look(values=True, lang=rng.choice(["en", "zh-Hans", "zh-Hant"]))
        try:
            job = Job(spec, look, view, max_frames=40)
        except SpecError:
            continue
        checked += 1
        for drawn, layout, steps in zip(job.drawings, job.layouts, job.steps):
            most = 1
            for step in steps:
                drawn.playback.advance(step)
                entries = drawn.playback.show(step).sums_drawn(layout.outputs)
                most = max(most, len(_fit_lines(entries, layout.sum_width, layout.sum_lines)) if entries else 1)
            assert layout.sum_lines == most, (spec, look, view, layout.sum_lines, most)


# -- the sums' lines: every term of a sum on screen --------------------------------------------


def _sum_entry(rng: random.Random) -> str:
    """A random sum line entry as the kinds write them: an output cell, its terms, its value."""
    where = ", ".join(str(rng.randrange(40)) for _ in range(rng.randint(2, 4)))
    terms = [str(rng.randint(-300, 300)) for _ in range(rng.randint(1, 9))]
    if rng.random() < 0.5:
        return f"y[{where}] = max({', '.join(terms)}) = {max(terms)} at index {rng.randrange(2000)}"
    return f"y[{where}] = ({' + '.join(terms)}) / {len(terms)} = {rng.random() * 100:.2f}"


def test_the_lines_a_layout_gives_sums_hold_every_entry_whole():
    from convgif.picture.layout import sum_lines_needed
    from convgif.picture.overlay import _fit_lines

    rng = random.Random(4)
    whole = 0
    for _ in range(3000):
        entries = [_sum_entry(rng) for _ in range(rng.randint(1, 8))]
        chars = max(map(len, entries)) + rng.randint(0, 5)  # a kind's estimate is at least the longest
        width, most = rng.randint(24, 90), rng.choice([3, 8])
        lines = sum_lines_needed(len(entries), chars, width, most)
        drawn = " ".join(_fit_lines(entries, width, lines)).replace(" ", "")
        if math.ceil(chars / (width - SUM_SLACK)) > max(most, SUM_ENTRY_LINES):  # too long to read whole
            assert lines == most and entries[0].rsplit(" = ", 1)[1].replace(" ", "") in drawn
            continue
        whole += 1
        for entry in entries:
            assert entry.replace(" ", "") in drawn, (entries, width, drawn)
        assert "more" not in drawn
    assert whole > 2000


def _terms(entry: str) -> int:
    """The numbers a sum line entry writes, its output's index left out."""
    import re

    return len(re.findall(r"−?-?\d+(?:\.\d+)?|−∞", re.sub(r"\[[^\]]*\]", "", entry)))


def _misfits(layers: list, monkeypatch) -> list:
    """The sums of drawn frames of ``layers`` (spec, render options) not wholly on screen: an
    entry of at most ten numbers cut or left out, or a longer one without the value it comes to."""
    import io

    import convgif
    from convgif.picture import overlay

    found, drawing = [], overlay.Animation._frame

    def checked(self, image, step):
        lay = self.layout
        entries = step.sums_drawn(lay.outputs) if lay.values else []
        drawn = "".join(overlay._fit_lines(entries, lay.sum_width, lay.sum_lines)).replace(" ", "") if entries else ""
        for entry in entries:
            whole = entry if _terms(entry) <= 10 else entry.rsplit(" = ", 1)[-1]
            if whole.replace(" ", "") not in drawn:
                found.append((type(lay.geometry.layer).__name__, entry, lay.sum_width, lay.sum_lines))
        return drawing(self, image, step)

    monkeypatch.setattr(overlay.Animation, "_frame", checked)
    for spec, options in layers:
        try:
            convgif.render(spec, io.BytesIO(), values=True, max_frames=40, **options)
        except SpecError:
            continue
    return found


def _random_layers(rng: random.Random, count: int, names: tuple = ops.NAMES) -> list:
    """Random layers of every kind (of ``names``; grown from each kind's example), with random
    render options."""
    names = list(names)
    layers = []
    while len(layers) < count:
        op = ops.operation(rng.choice(names))
        example = dict(op.example())
        shape = list(example["input_shape"])
        shape[0] *= rng.choice([1, 1, 2, 3, 4, 8])
        shape[1:] = [max(1, n + rng.randint(-1, 4)) for n in shape[1:]]
        example["input_shape"] = tuple(shape)
        for key in ("stride", "dilation"):
            if key in example and rng.random() < 0.3:
                example[key] = rng.randint(1, 2)
        try:
            spec = op.build(**example)
        except (SpecError, TypeError, ValueError):
            continue
        options = {}
        if rng.random() < 0.3:
            options["backward"] = True
        if rng.random() < 0.3:
            options["lang"] = rng.choice(["zh-Hans", "zh-Hant"])
        if rng.random() < 0.3:
            options["width"] = rng.choice([400, 520])
        layers.append((spec, options))
    return layers


def test_every_sum_drawn_of_random_layers_of_every_kind_is_on_screen(monkeypatch):
    assert _misfits(_random_layers(random.Random(7), 40), monkeypatch) == []


def test_a_transposed_convolutions_step_writes_the_sum_of_every_cell_it_adds_to(monkeypatch):
    # a step writes one sum for each output cell its window adds to, as many as the kernel has
    # cells: the U-Net's 2×2 up-sampling, its sums split into the channels drawn and the others
    layers = [
        (ops.operation("ConvTranspose2d").build(input_shape=(64, 28, 28), out_channels=32, kernel_size=2, stride=2), {})
    ]
    layers += _random_layers(random.Random(3), 16, ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"))
    assert _misfits(layers, monkeypatch) == []


def test_a_bias_gradient_writes_the_sum_of_every_channel_drawn(monkeypatch):
    # each channel's db = Σ dy on screen, however many channels the picture draws (a narrow frame
    # of a separable's backward pass draws four)
    layers = [
        (ops.operation("separable").build(input_shape=(16, 7, 7), out_channels=32, kernel_size=3), {"backward": True}),
        (ops.operation("Conv2d").build(input_shape=(4, 5, 5), out_channels=12, kernel_size=3), {"backward": True}),
        (
            ops.operation("Conv1d").build(input_shape=(2, 9), out_channels=8, kernel_size=3),
            {"backward": True, "width": 300},
        ),
    ]
    assert _misfits(layers, monkeypatch) == []


def test_a_narrow_pooling_frame_writes_every_channel_its_sums_whole(monkeypatch):
    from convgif import AdaptiveMaxPool2dSpec, MaxPool1dSpec

    layers = [
        (MaxPool1dSpec((2, 9), 3, 2, dilation=2, return_indices=True), {}),
        (AdaptiveMaxPool2dSpec((2, 5, 4), (2, 3), return_indices=True), {}),
        (MaxPool1dSpec((8, 10), 2), {"backward": True}),  # each channel's dy routed back
        (ops.operation("LPPool1d").build(input_shape=(32, 5), norm_type=2, kernel_size=2), {"backward": True}),
    ]
    assert _misfits(layers, monkeypatch) == []


def _least_drawn(geometry, values, width, **options):
    """The refusal of ``width`` for ``geometry``, after checking that the width it names draws
    the picture and a pixel less does not."""
    with pytest.raises(TooLargeError) as refused:
        plan_geometry(geometry, values, max_width=width, **options)
    error = refused.value
    least = error.least_width
    assert error.argument == "width" and least > width
    assert f"width={width} is too narrow: " in str(error) and f"--width {least} is the least that draws it" in str(
        error
    )
    assert plan_geometry(geometry, values, max_width=least, **options).width <= least
    with pytest.raises(TooLargeError):
        plan_geometry(geometry, values, max_width=least - 1, **options)
    return error


@pytest.mark.parametrize(
    "kind, options, what",
    [
        ("ChannelShuffle", {"input_shape": (6, 2, 2), "groups": 2}, "a step's line has a part of"),
        ("ReflectionPad2d", {"input_shape": (1, 4, 4), "padding": 2}, 'the caption does not break within "'),
    ],
)
def test_a_width_too_narrow_for_a_text_no_line_breaks_within_blames_the_text_not_the_cells(kind, options, what):
    """A step's line or a caption that cannot break is wider than the grids: the refusal says
    the text needs the width, whatever the cells, and names the least width that draws it;
    there the grids (and their labels) end short of the margin, and a text line fills it."""
    spec = ops.operation(kind).build(**options)
    (geometry,) = ops.of(spec).geometries(spec)
    error = _least_drawn(geometry, geometry.numbers, 120, value_chars=1)  # one-digit numbers, as drawn
    least = error.least_width
    said = str(error)
    assert f"its text needs {least} pixels whatever its cells ({what}" in said and "cells need" not in said
    layout = plan_geometry(geometry, geometry.numbers, 1, max_width=least)
    m = layout.metrics
    grids = [
        x + size[1] * layout.cell
        for grids, size in ((layout.inputs, geometry.grid), (layout.outputs, geometry.out_size))
        for x, _ in grids.values()
    ]
    assert max(grids) + m.margin < least
    assert max(style.width(text) for text, style, *_ in layout.texts) <= least - 2 * m.margin
    if "caption" in what:
        piece = said.split('within "')[1].split('"')[0]
        assert piece in geometry.caption and any(text.startswith(piece) for text, *_ in layout.texts)


def test_a_width_too_narrow_for_readable_cells_blames_the_cells():
    """A convolution's grids at the smallest readable cells are what needs the width."""
    spec = Conv2dSpec((3, 7, 7), 1, 3, stride=2)
    (geometry,) = ops.of(spec).geometries(spec)
    said = str(_least_drawn(geometry, False, 100))
    assert "its cells need" in said and "even at 10-pixel cells, the smallest readable" in said


def test_a_figure_across_a_slide_too_tall_within_a_narrow_width_is_refused_naming_the_least_that_draws_it():
    """The up-sampling comparison, a figure across a slide: within a narrow width its texts break
    onto lines too many for a page's height, within a wider one fewer. The width named draws it,
    a pixel less does not (a width within the column, not one just past it)."""
    spec = ops.operation("checkerboard").build(input_shape=(4, 4))
    (geometry,) = ops.of(spec).geometries(spec)
    error = _least_drawn(geometry, True, 300, value_chars=1)
    assert error.least_width <= 480  # the column's width draws it: no need to go past it
    assert "its cells and text need" in str(error)


def test_the_command_refuses_a_width_its_text_does_not_fit_naming_the_width_and_the_least_that_draws(tmp_path):
    """Exit 2 naming --width, the value and the rule; the width named, followed, draws."""
    import re as regex

    from click.testing import CliRunner

    from convgif.cli import main

    args = ["--layer", "ChannelShuffle", "--in", "6,2,2", "--groups", "2", "-o", str(tmp_path / "x.gif")]
    said = CliRunner().invoke(main, [*args, "--width", "300"])
    assert said.exit_code == 2 and "'--width'" in said.output, said.output
    found = regex.search(r"width=300 is too narrow: its text needs (\d+) pixels whatever its cells", said.output)
    assert found and f"--width {found.group(1)} is the least that draws it" in said.output, said.output
    assert CliRunner().invoke(main, [*args, "--width", found.group(1)]).exit_code == 0
