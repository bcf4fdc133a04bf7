"""What a reader can trust in a frame: every sum recomputed from the cells drawn, colours that
cannot be mistaken for one another, lines that run only through the gaps, nothing left over
from an earlier frame, figures as wide as their drawing, contact sheets and larger scales."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from gifs import displayed_frames
from PIL import Image

import convgif
from convgif import ops, record
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.animation.request import inputs_for
from convgif.animation.sheet import header as sheet_header
from convgif.api import render, render_still
from convgif.ops.conv import Conv1dSpec, Conv2dSpec
from convgif.ops.pool import AvgPool2dSpec, MaxPool2dSpec
from convgif.ops.separable import SeparableSpec
from convgif.ops.transposed import ConvTranspose2dSpec
from convgif.ops.unpool import MaxUnpool2dSpec
from convgif.picture.layout import plan
from convgif.picture.model import Region
from convgif.picture.numbers import format_value
from convgif.picture.overlay import Animation
from convgif.picture.paint import DARK, LIGHT, Painter, along, contrast
from convgif.picture.scene import shades_of
from convgif.picture.shades import scales_of
from convgif.picture.sizes import CAPTION, THUMB_PAD, key_size

rng = np.random.default_rng(12)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def random_convs(n: int):
    """Random direct, 1-D, transposed and separable layers, valid ones only."""
    made = 0
    while made < n:
        kind = rng.choice(["conv2d", "conv1d", "transposed", "separable"])
        g = int(rng.integers(1, 4))
        cin, cout = g * int(rng.integers(1, 3)), g * int(rng.integers(1, 3))
        h, w = (int(v) for v in rng.integers(2, 7, 2))
        k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        s = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
        d = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
        p = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
        bias = bool(rng.integers(0, 2))
        mode = str(rng.choice(["zeros", "zeros", "reflect", "replicate", "circular"]))
        try:
            if kind == "conv2d":
                spec = Conv2dSpec((cin, h, w), cout, k, s, p, d, g, bias, mode)
            elif kind == "conv1d":
                spec = Conv1dSpec((cin, w), cout, k[1], s[1], p[1], d[1], g, bias, mode)
            elif kind == "transposed":
                spec = ConvTranspose2dSpec((cin, h, w), cout, k, s, p, (0, 0), g, bias, d)
            else:
                spec = SeparableSpec((cin, h, w), cout, k, s, p, d, bias, mode)
        except convgif.SpecError:
            continue
        made += 1
        yield spec


# d: a separable's middle, its weights and biases w_dw, b_dw and w_pw, b_pw
CONV_SUM = re.compile(r"^[yd]\[([\d, ]+)\] = Σ [xd]·w(?:_dw|_pw)?(?: \+ b(?:_dw|_pw)? = (\S+) \+ (\S+))? = (\S+)$")
SCATTER_SUM = re.compile(r"^y\[(\d+), (\d+), (\d+)\] = (?:(b|y) \+ )?Σ x·w = (?:(\S+) \+ )?(\S+?)(?: = (\S+))?$")


def walk(drawn):
    """What every step of a drawing writes and shows, in order, as the renderer sees it."""
    playback = drawn.playback
    for step in range(drawn.geometry.steps):
        writes = playback.advance(step)
        yield writes, playback.show(step)


def products(drawn, cells, co, kernel_cell):
    """Σ x·w over the cells read (grid coordinates) times the kernel cells they meet."""
    geo = drawn.geometry
    g = co // geo.out_per_group
    total = 0
    for c, y, x in cells.tolist():
        ky, kx = kernel_cell(c, y, x)
        total += drawn.grid[c, y, x] * drawn.kernels[co, c - g * geo.in_per_group, ky, kx]
    return total


def check_direct(drawn):
    geo = drawn.geometry
    spec = geo.layer
    for writes, shown in walk(drawn):
        assert len(shown.sums) == geo.groups  # an entry for every group's output cell
        values = {w.channel: w.values[0, 0] for w in writes}
        for entry in shown.sums:
            match = CONV_SUM.match(entry)
            assert match, entry
            index = [int(v) for v in match.group(1).split(", ")]
            co = index[0]
            reads = shown.reads[co // geo.out_per_group]
            # the cells read pair with the kernel's cells in order, channel by channel
            order = {}
            for c, y, x in sorted(map(tuple, reads.cells.tolist())):
                order.setdefault(c, []).append((y, x))
            kw = geo.kernel[1]
            lookup = {(c, y, x): divmod(i, kw) for c, cells in order.items() for i, (y, x) in enumerate(cells)}
            total = products(drawn, reads.cells, co, lambda c, y, x, lookup=lookup: lookup[(c, y, x)])
            assert match.group(4) == format_value(values[co]), entry
            if match.group(2) is None:
                assert not spec.bias and match.group(4) == format_value(total), entry
            else:
                assert spec.bias and match.group(2) == format_value(total), entry
                assert float(match.group(2)) + float(match.group(3)) == pytest.approx(float(match.group(4)))


def check_scatter(drawn):
    """Every entry of a transposed layer's sum line: a head per group saying which canvas
    window gets which products (shapes true), then each output cell it changes, recomputed
    from the cells drawn; the cells padding crops change on the canvas but have no entry."""
    geo = drawn.geometry
    spec = geo.layer
    (ph, pw), (sh, sw), (dh, dw) = spec.padding, spec.stride, spec.dilation
    state = drawn.start.copy()
    for writes, shown in walk(drawn):
        before = state.copy()
        for w in writes:
            state[w.channel][np.ix_(w.rows, w.cols)] = w.values
        heads = [entry for entry in shown.sums if entry.startswith("canvas[")]
        entries = [entry for entry in shown.sums if not entry.startswith("canvas[")]
        assert len(heads) == len(writes) == spec.groups
        for head, w in zip(heads, writes):
            match = re.match(r"canvas\[(\d+), (\d+):(\d+)(?::(\d+))?, (\d+):(\d+)(?::(\d+))?\] \+= x\[", head)
            assert match and int(match.group(1)) == w.channel, head
            rows = range(int(match.group(2)), int(match.group(3)), int(match.group(4) or 1))
            cols = range(int(match.group(5)), int(match.group(6)), int(match.group(7) or 1))
            assert (len(rows), len(cols)) == spec.kernel_size, head  # the whole kernel lands
        kept = sum(int((~drawn.cut[np.ix_(w.rows, w.cols)]).sum()) for w in writes)
        assert len(entries) == kept
        for entry in entries:
            match = SCATTER_SUM.match(entry)
            assert match, entry
            co, r, c = (int(match.group(i)) for i in (1, 2, 3))
            reads = shown.reads[co // geo.out_per_group]

            def kernel_cell(ch, y, x, r=r, c=c):
                return (r + ph - y * sh) // dh, (c + pw - x * sw) // dw

            total = products(drawn, reads.cells, co, kernel_cell)
            r, c = r + ph, c + pw  # on the canvas
            held, then, added, value = match.group(4), match.group(5), match.group(6), match.group(7)
            if held is None:  # the first addition, no bias
                assert not spec.bias and added == format_value(total) == format_value(state[co, r, c])
                continue
            assert added == format_value(total), entry
            assert then == format_value(before[co, r, c]) and value == format_value(state[co, r, c]), entry
            if held == "b":
                assert then == format_value(drawn.start[co, r, c])


def check_pooling(drawn):
    for writes, shown in walk(drawn):
        for c, entry in enumerate(shown.sums):
            reads = shown.reads[c]
            cells = [tuple(cell[1:]) for cell in reads.cells.tolist()]
            outside = drawn.outside if drawn.outside is not None else np.zeros_like(drawn.filler)
            read = [format_value(drawn.grid[c, y, x]) for y, x in cells if not drawn.filler[y, x] and not outside[y, x]]
            value = format_value(writes[c * (2 if drawn.plain else 1)].values[0, 0])
            if "max(" in entry:
                listed = [t for t in re.search(r"max\((.*)\)", entry).group(1).split(", ") if t != "−∞"]
                assert sorted(listed) == sorted(read) and entry.split(" = ")[2].split(" ")[0] == value
            else:
                terms = re.search(r"= \((.*)\) / (-?\d+) = (\S+)", entry)
                listed = [t for t in terms.group(1).split(" + ") if t != "0" or "0" in read]
                assert sorted(listed) == sorted(read) or terms.group(1) == "0"
                assert terms.group(3) == value


@pytest.mark.parametrize("spec", list(random_convs(24)), ids=repr)
def test_every_sum_line_is_recomputed_from_the_cells_drawn(spec):
    recording = record(spec, seed=int(rng.integers(0, 100)))
    for view in ({}, {"as_conv": True}) if isinstance(spec, ConvTranspose2dSpec) else ({},):
        for drawn in ops.of(spec).drawings(spec, recording, **view):
            if drawn.start is not None and drawn.kernels is not None:
                check_scatter(drawn)
            else:
                check_direct(drawn)


@pytest.mark.parametrize(
    "spec",
    [
        MaxPool2dSpec((2, 5, 5), 3, 2, 1, ceil_mode=True),
        MaxPool2dSpec((1, 4, 4), 2, return_indices=True),
        AvgPool2dSpec((1, 5, 5), 3, 2, 1, count_include_pad=False),
        AvgPool2dSpec((2, 4, 5), 2, ceil_mode=True),
    ],
    ids=repr,
)
def test_pooling_sums_list_the_cells_read(spec):
    (drawn,) = ops.of(spec).drawings(spec, record(spec, seed=4))
    check_pooling(drawn)


def test_unpooling_places_the_value_read():
    spec = MaxUnpool2dSpec((2, 2, 3), 2)
    (drawn,) = ops.of(spec).drawings(spec, record(spec, seed=1))
    for _, shown in walk(drawn):
        for c, entry in enumerate(shown.sums):
            ((_, y, x),) = shown.reads[c].cells.tolist()
            assert entry.split(" = ")[2].split(" ")[0] == format_value(drawn.grid[c, y, x])


def test_grouped_sum_line_shows_the_bias_of_each_group():
    spec = Conv2dSpec((2, 5, 5), 2, 3, padding=1, groups=2)
    ones = np.ones((2, 5, 5), np.int64)
    rec = record(spec, input=ones, weight=np.ones((2, 1, 3, 3), np.int64), bias=np.array([2, 3]))
    (drawn,) = ops.of(spec).drawings(spec, rec)
    drawn.playback.advance(0)
    assert drawn.playback.show(0).sums == ("y[0, 0, 0] = Σ x·w + b = 4 + 2 = 6", "y[1, 0, 0] = Σ x·w + b = 4 + 3 = 7")


# -- colours ---------------------------------------------------------------------------------


def scenes():
    """Drawings of every kind of picture, with the colours each can show."""
    shapes = EXAMPLES / "shapes.png"
    cases = [
        (Conv2dSpec((3, 7, 7), 2, 3, padding=1, stride=2, dilation=2), {}),
        (Conv2dSpec((2, 5, 5), 4, 3, padding=1, groups=2, padding_mode="reflect"), {}),
        (Conv2dSpec((6, 5, 5), 6, 3, groups=6), {"input": rng.integers(-3, 4, (6, 5, 5))}),
        (ConvTranspose2dSpec((2, 3, 3), 2, 3, stride=2), {}),
        (MaxPool2dSpec((1, 5, 5), 2, ceil_mode=True), {}),
        (Conv2dSpec((1, 16, 16), 1, 3, bias=False), {"image": shapes, "kernel": "sobel-x"}),
        (Conv2dSpec((3, 8, 8), 1, 3), {"image": shapes}),
        (Conv2dSpec((1, 8, 8), 1, 3), {"image": shapes, "kernel": "box"}),
        (Conv2dSpec((3, 48, 48), 2, 3, padding=1), {"image": shapes, "region": Region((20, 26), (10, 16))}),
        (Conv2dSpec((4, 40, 40), 4, 3, groups=2), {"region": Region((3, 7), (2, 6))}),
    ]
    for spec, given in cases:
        kernel, image = given.get("kernel"), given.get("image")
        input, weight, picture, _ = inputs_for(spec, given.get("input"), None, kernel, image)
        view = {"region": given["region"]} if "region" in given else {}
        for theme in ("light", "dark"):
            drawing = Job(spec, Look(theme=theme), view, input=input, weight=weight, pixels=picture)
            for part in drawing.parts:
                yield spec, theme, part


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_hues_contrast_with_every_shade_they_are_drawn_on(theme):
    """Outlines in a group's hue are seen on every input and output cell: 3:1 at least (WCAG),
    for shades all along every scale; on a picture's greys, the hue or its halo rim contrasts.
    A kernel is outlined outside its grid, on the background."""
    t = np.linspace(-1, 1, 81)
    families = [
        along(t[t >= 0], theme.input_low, theme.input_high),
        along(t, theme.input_low, theme.input_high, theme.input_negative, theme.neutral),
        along(t[t >= 0], theme.output_low, theme.output_high),
        along(t, theme.output_low, theme.output_high, theme.output_negative, theme.neutral),
        [theme.padding, theme.outside, theme.background, theme.neutral],
    ]
    for hue in theme.hues:
        assert contrast(hue, theme.background) >= 3  # group frames and kernel outlines stand on the background
        for family in families:
            for shade in family:
                assert contrast(hue, shade) >= 3, (hue, shade)
        for grey in range(256):
            assert max(contrast(hue, (grey,) * 3), contrast(theme.halo, (grey,) * 3)) >= 3, (hue, grey)
    assert contrast(theme.ink, theme.background) >= 7


def test_every_scene_keeps_its_outlines_visible():
    for spec, theme, part in scenes():
        scene = part.scene
        rgb = scene.palette.colors
        hues = [rgb[h] for h in scene.colours.hues]
        shades = [c for kind, found in shades_of(scene).items() if kind != "kernels" for c in found]
        for hue in hues:
            for shade in shades:
                if scene.colours.halo >= 0:
                    assert max(contrast(hue, shade), contrast(rgb[scene.colours.halo], shade)) >= 3, (spec, theme)
                else:
                    assert contrast(hue, shade) >= 3, (spec, theme, hue, shade)


def test_a_cell_not_yet_computed_looks_like_no_value():
    """Empty output cells are hatched: two colours in a pattern, where a value fills its cell
    with one colour (and no value takes the stripes' colour), in both themes, pictures too."""
    for spec, theme, part in scenes():
        lay, col = part.layout, part.scene.colours
        ho, wo = lay.geometry.out_size
        if part.drawn.start is not None or ho * wo == 1:
            continue
        frame = next(part.frames([0])).copy()
        assert col.hatch not in col.outputs
        for origin in lay.outputs.values():
            y0, y1, x0, x1 = lay.cell_box(origin, ho - 1, wo - 1)  # the last cell: not yet written
            assert set(np.unique(frame[y0:y1, x0:x1]).tolist()) == {col.background, col.hatch}, (spec, theme)
            y0, y1, x0, x1 = lay.cell_box(origin, 0, 0)
            if not lay.values and part.written[y0, x0]:  # the first, written: one colour
                assert np.unique(frame[y0 + 1 : y1 - 1, x0 + 1 : x1 - 1]).size == 1, (spec, theme)


def test_signed_values_diverge_from_zero():
    spec = Conv2dSpec((1, 5, 5), 1, 3, bias=False)
    x = np.arange(25).reshape(1, 5, 5) - 12
    rec = record(spec, input=x, weight=np.array([[[[0, 0, 0], [0, 1, 0], [0, 0, 0]]]]))
    (drawn,) = ops.of(spec).drawings(spec, rec)
    scales = scales_of(drawn)
    assert scales.input.diverging and scales.output.diverging and scales.kernel.diverging
    for scale in (scales.input, scales.output):
        assert scale.index(0) == scale.zero
        assert scale.index(-6) + scale.index(6) == 2 * scale.zero and scale.index(-6) < scale.zero < scale.index(6)
    animation = Animation(drawn, plan(drawn.geometry, keys=scales.keys))
    rgb = animation.palette.colors
    zero = rgb[animation.scene.output_colour(0)]
    assert zero == LIGHT.neutral and rgb[animation.scene.output_colour(-12)] == LIGHT.output_negative
    assert rgb[animation.scene.output_colour(12)] == LIGHT.output_high
    assert not scales_of(ops.of(spec).drawings(spec, record(spec))[0]).output.diverging or record(spec).output.min() < 0


def test_input_kernel_and_output_each_have_a_key_with_their_numbers():
    spec = Conv2dSpec((1, 4, 4), 1, 3, padding=1)
    rec = record(spec, seed=2)
    (drawn,) = ops.of(spec).drawings(spec, rec)
    scales = scales_of(drawn)
    layout = plan(drawn.geometry, keys=scales.keys)
    keys = {key.name: key for key, _, _ in layout.keys}
    assert set(keys) == {"x", "w", "y"}
    written = {text for _, text in keys["x"].items}
    assert {format_value(v) for v in np.unique(rec.input)} <= written and "padding" in written
    assert {format_value(v) for v in np.unique(rec.weight)} <= {text for _, text in keys["w"].items}
    assert "to come" in {text for _, text in keys["y"].items}
    sizes = [key_size(key, layout.metrics, layout.width - 14 - x) for key, x, _ in layout.keys]
    boxes = [(x, y, x + w, y + h) for (key, x, y), (w, h) in zip(layout.keys, sizes)]
    for x0, y0, x1, y1 in boxes:
        assert x1 <= layout.width - 14 and y1 <= layout.height
        for text, style, tx, ty in layout.texts:
            assert ty + style.height <= y0 or x1 <= tx or tx + style.width(text) <= x0


# -- what moves, and what stays --------------------------------------------------------------

MOVING = [
    ("--in 3,7,7 --out 2 --k 3 --p 1 --s 2 --d 2", {}),
    ("--in 3,32,32 --out 16 --k 3", {"max_frames": 6}),
    ("--in 2,5,5 --out 4 --k 3 --p 1 --g 2 --values", {}),
    ("--in 4,5,5 --out 4 --k 3 --g 2", {}),
    ("--transposed --in 2,3,3 --out 2 --k 3 --s 2 --p 1 --values", {}),
    ("--transposed --as-conv --in 2,3,3 --out 1 --k 3 --s 2 --p 1 --output-padding 1", {}),
    ("--layer MaxPool2d --in 2,5,5 --k 2 --ceil-mode --return-indices", {}),
    ("--separable --in 4,6,6 --out 6 --k 3", {"max_frames": 12}),
    ("--in 1,24,24 --image examples/shapes.png --kernel sobel-x --no-bias", {"max_frames": 8}),
    # parts of larger layers: bands beside the grids, a picture shown whole
    ("--in 3,64,64 --out 4 --k 3 --s 2 --p 1 --image examples/shapes.png --region 5:7,6:9", {}),
    ("--in 4,40,40 --out 4 --k 3 --g 2 --region 3:5,2:5", {}),
    ("--conv1d --in 2,300 --out 2 --k 3 --region 50:56", {}),
    ("--separable --in 3,40,40 --out 4 --k 3 --p 1 --region 2:4,2:4", {}),
    ("--in 1,200,200 --k 5 --p 2 --image examples/shapes.png --values", {"max_frames": 4}),
    # arranged for a slide: inputs side by side, kernels under them, outputs in columns
    ("--in 3,7,7 --out 2 --k 3 --p 1 --s 2 --d 2 --values --scale 2", {}),
    ("--in 4,40,40 --out 4 --k 3 --g 2 --region 3:5,2:5 --scale 2", {}),
    ("--transposed --in 4,3,3 --out 4 --k 3 --s 2 --p 1 --g 2 --scale 2", {"max_frames": 9}),
    ("--layer MaxPool2d --in 2,6,6 --k 2 --return-indices --values --scale 2", {}),
    ("--in 3,32,32 --out 16 --k 5 --image examples/shapes.png --scale 2", {"max_frames": 10}),
]


def drawing_of(args: str, max_frames: int = 0, theme: str = "light") -> Job:
    from convgif.cli.options import parse

    request = parse(args.replace("examples/", f"{EXAMPLES}/").split())
    o = request.options
    inputs = inputs_for(request.spec, None, None, o["kernel"], o["image"], o["factors"])
    input, weight, picture, notes = inputs
    look = Look(o["values"], notes, theme, o["width"], o["scale"])
    return Job(request.spec, look, request.view, input=input, weight=weight, pixels=picture, max_frames=max_frames)


@pytest.mark.parametrize("args, options", MOVING, ids=[m[0] for m in MOVING])
def test_outside_the_moving_parts_every_frame_is_the_static_scene(args, options):
    drawing = drawing_of(args, options.get("max_frames", 0))
    for part, steps in zip(drawing.parts, drawing.steps):
        scene = part.scene.image
        for frame in part.frames(steps):
            allowed = part.written.copy()
            for y0, y1, x0, x1 in part.touched:
                allowed[max(y0, 0) : y1, max(x0, 0) : x1] = True
            left = (frame != scene) & ~allowed
            assert not left.any(), np.argwhere(left)[:5]


@pytest.mark.parametrize("args, options", MOVING, ids=[m[0] for m in MOVING])
def test_each_frames_rectangles_hold_every_change_from_the_frame_before(args, options):
    drawing = drawing_of(args, options.get("max_frames", 0))
    previous = None
    firsts = 0
    for frame in drawing.frames():
        if drawing.changed is None:
            firsts += 1
        else:
            inside = np.zeros(frame.shape, bool)
            for y0, y1, x0, x1 in drawing.changed:
                assert 0 <= y0 < y1 <= frame.shape[0] and 0 <= x0 < x1 <= frame.shape[1]
                inside[y0:y1, x0:x1] = True
            left = (frame != previous) & ~inside
            assert not left.any(), np.argwhere(left)[:5]
        previous = frame.copy()
    assert firsts == len(drawing.parts)  # each part's first frame: not known, compared whole


@pytest.mark.parametrize("args, options", MOVING, ids=[m[0] for m in MOVING])
def test_restoring_only_what_the_step_before_drew_gives_every_frame_drawn_afresh(args, options, monkeypatch):
    def everything(self, rects):
        self._image[...] = self._state

    drawn = [f.copy() for f in drawing_of(args, options.get("max_frames", 0)).frames()]
    monkeypatch.setattr(Animation, "_restore", everything)
    afresh = [f.copy() for f in drawing_of(args, options.get("max_frames", 0)).frames()]
    assert len(drawn) == len(afresh)
    for a, b in zip(drawn, afresh):
        np.testing.assert_array_equal(a, b)


def panels(layout):
    """Rectangles (y0, y1, x0, x1) of every grid with its outlines and frame, every text and
    key, every band beside a part of a map and the whole picture with room for its outline."""
    geo, s, m = layout.geometry, layout.cell, layout.metrics
    f = m.frame if geo.groups > 1 else 0
    hp, wp = geo.grid
    ho, wo = geo.out_size
    boxes = [(y - f - 1, y + hp * s + f + 2, x - f - 1, x + wp * s + f + 2) for x, y in layout.inputs.values()]
    boxes += [(y - f - 1, y + ho * s + f + 2, x - f - 1, x + wo * s + f + 2) for x, y in layout.outputs.values()]
    if geo.kernel is not None:
        kh, kw = geo.kernel
        w = m.stroke
        boxes += [(y - w, y + kh * s + w + 1, x - w, x + kw * s + w + 1) for x, y in layout.kernels.values()]
    boxes += [(y, y + style.height, x - 1, x + style.width(text) + 1) for text, style, x, y in layout.texts]
    for key, x, y in layout.keys:
        w, h = key_size(key, m, layout.width - m.margin - x)
        boxes.append((y, y + h, x, x + w))
    boxes += [(y0, y1, x0, x1) for _, y0, y1, x0, x1 in layout.fringes]
    if layout.thumbnail is not None:
        x, y, w, h = layout.thumbnail
        pad = THUMB_PAD * m.n
        boxes.append((y - pad, y + h + pad, x - pad, x + w + pad))
    return boxes


@pytest.mark.parametrize("args, options", MOVING, ids=[m[0] for m in MOVING])
def test_lines_never_cross_a_grid_or_a_label(args, options, monkeypatch):
    with_lines = drawing_of(args, options.get("max_frames", 0))
    frames = [[f.copy() for f in part.frames(steps)] for part, steps in zip(with_lines.parts, with_lines.steps)]
    monkeypatch.setattr(Painter, "path", lambda *a: [])
    bare = drawing_of(args, options.get("max_frames", 0))
    drew = 0
    for part, steps, lined in zip(bare.parts, bare.steps, frames):
        boxes = panels(part.layout)
        for frame, line in zip(part.frames(steps), lined):
            ys, xs = np.nonzero(frame != line)
            drew += ys.size
            for y0, y1, x0, x1 in boxes:
                inside = (ys >= y0) & (ys < y1) & (xs >= x0) & (xs < x1)
                assert not inside.any(), (args, (y0, y1, x0, x1), list(zip(ys[inside], xs[inside]))[:3])
    assert drew


def test_a_gif_shows_exactly_the_frames_drawn(tmp_path):
    args = "--in 1,24,24 --image examples/shapes.png --kernel sobel-x --no-bias"
    drawing = drawing_of(args, 8)
    lut = np.array(drawing.palette.colors, np.uint8)
    expected = [lut[f].copy() for f in drawing.frames()]
    spec = Conv2dSpec((1, 24, 24), bias=False)
    result = render(spec, tmp_path / "e.gif", image=EXAMPLES / "shapes.png", kernel="sobel-x", max_frames=8)
    shown = displayed_frames(result.path)
    assert len(shown) == len(expected)
    for got, want in zip(shown, expected):
        np.testing.assert_array_equal(got, want)


# -- sizes, sheets and scales -------------------------------------------------------------------


def test_figures_are_as_wide_as_their_drawing(tmp_path):
    headline = Conv2dSpec((3, 7, 7), 2, 3, stride=2, padding=1, dilation=2)
    result = render(headline, tmp_path / "h.gif", width=480)
    assert result.size[0] <= 480
    small = render(Conv2dSpec((1, 4, 4), 1, 3), tmp_path / "s.gif")
    assert small.size[0] <= 2 * 244 + 2  # conv_arithmetic's GIF of this layer is 244 pixels wide
    layout = Job(headline, Look(width=480)).layouts[0]
    assert layout.caption_lines > 1 and layout.caption == headline.caption
    for text, style, x, _ in layout.texts[: layout.caption_lines]:
        assert x + style.width(text) <= layout.width - 14
        assert text.endswith(" —") or text == layout.texts[layout.caption_lines - 1][0]


def test_the_caption_names_padding_modes_and_a_missing_bias():
    assert Conv2dSpec((1, 5, 5), padding=1, padding_mode="reflect").caption.endswith(" — padding_mode='reflect'")
    assert Conv2dSpec((1, 5, 5), padding=1, padding_mode="circular", bias=False).caption.endswith(
        " — padding_mode='circular' — bias=False"
    )
    assert Conv1dSpec((1, 5), bias=False).caption.endswith(" — G : 1 — bias=False")
    assert ConvTranspose2dSpec((1, 3, 3), bias=False).caption.endswith(" — bias=False")
    assert SeparableSpec((2, 5, 5), 2, padding_mode="replicate").caption.endswith(" — padding_mode='replicate'")
    assert "padding_mode" not in Conv2dSpec((1, 5, 5), padding=1).caption
    assert "bias" not in Conv2dSpec((1, 5, 5)).caption


def test_as_conv_says_what_it_draws_and_transposed_kernels_are_pytorchs_weights():
    spec = ConvTranspose2dSpec((4, 3, 3), 2, 3, stride=2, padding=1, output_padding=1, groups=2)
    rec = record(spec, seed=5)
    op = ops.of(spec)
    (direct,) = op.geometries(spec, as_conv=True)
    assert direct.caption == spec.caption  # the layer's own caption, S (2, 2)
    assert direct.input_heading == "input (zero-inserted, padded)" and "flipped" in direct.kernel_heading
    assert any("stride 1" in note and "1 zero inserted" in note and "flipped" in note for note in direct.notes)
    for as_conv in (False, True):
        (drawn,) = op.drawings(spec, rec, as_conv=as_conv)
        geo = drawn.geometry
        for c in range(spec.in_channels):
            for j in range(spec.out_per_group):
                assert geo.kernel_label(c, j) == f"weight[{c},{j}]"
                co, ci = c // geo.in_per_group * geo.out_per_group + j, c % geo.in_per_group
                shown = drawn.kernels[co, ci]
                np.testing.assert_array_equal(shown[::-1, ::-1] if as_conv else shown, rec.weight[c, j])


def test_a_contact_sheet_has_one_caption_and_tiles_labelled_by_their_step(tmp_path):
    spec = Conv2dSpec((2, 5, 5), 2, 3)  # 18 steps: every one a tile on the page
    sheet = render_still(spec, tmp_path / "sheet.png")
    assert sheet.frames == spec.steps
    drawing = Job(spec, Look(headless=True), max_frames=300)
    layout = drawing.parts[0].layout
    assert layout.caption_lines == 0 and not any(style == CAPTION for _, style, _, _ in layout.texts)
    with Image.open(sheet.path) as image:
        width, height = image.size
        pixels = np.asarray(image.convert("RGB"))
    assert sheet.size == (width, height)  # the sheet's, not a tile's: what a page or notebook sizes it by
    across = width // layout.width
    assert width == across * layout.width and across > 1  # tiles at full size, side by side
    header = sheet_header(drawing, width)
    lut = np.array(drawing.palette.colors, np.uint8)
    np.testing.assert_array_equal(pixels[: header.shape[0]], lut[header])
    assert layout.keys == ()  # the colour keys, once in the header, not in every tile
    scene = drawing.parts[0].scene
    assert {key.role for key in scene.scales.keys} == {"input", "kernel", "output"}
    for shades in (scene.colours.kernels, scene.colours.outputs):  # each key's swatches, over the tiles
        assert set(shades) & set(np.unique(header).tolist())
    assert height == header.shape[0] + -(-sheet.frames // across) * layout.height
    first = next(drawing.frames())
    top = header.shape[0]
    np.testing.assert_array_equal(pixels[top + 1 : top + layout.height, 1 : layout.width], lut[first][1:, 1:])


def test_a_larger_scale_draws_larger_text_and_cells_crisply(tmp_path):
    spec = Conv2dSpec((2, 5, 5), 2, 3, padding=1)
    one = Job(spec, Look(values=True))
    two = Job(spec, Look(values=True, scale=2))
    a, b = one.parts[0].layout, two.parts[0].layout
    assert b.cell == 2 * a.cell and b.metrics.caption.height == 2 * a.metrics.caption.height
    assert 1.95 <= b.width / a.width <= 2 and 1.95 <= b.height / a.height <= 2
    assert set(two.palette.colors) == set(one.palette.colors)  # no colours from resampling
    assert b.arrangement == "stacked" and b.height <= 1080  # a page's column enlarged, within a 1080p slide
    result = render(spec, tmp_path / "big.gif", scale=3, values=True)
    assert result.size[0] > b.width  # larger still
    with pytest.raises(convgif.SpecError) as error:
        render(spec, tmp_path / "huge.gif", scale=9)
    assert error.value.argument == "scale"


@pytest.mark.parametrize(
    "args",
    [
        "--layer MaxPool2d --in 1,4,4 --k 3",
        "--layer AvgPool2d --in 1,5,5 --k 3 --s 2 --p 1 --no-count-include-pad",
        "--layer MaxUnpool2d --in 1,3,3 --k 2",
        "--in 4,5,5 --out 4 --k 3 --g 4 --values",
        "--transposed --in 2,3,3 --out 2 --k 3 --s 2 --p 1 --g 2 --values",
        "--in 1,4,4 --k 3 --values --width 330",
    ],
)
def test_a_narrow_figure_still_shows_each_steps_first_sum_whole(args):
    from convgif.picture.overlay import _fit_lines

    drawing = drawing_of(args)
    for part in drawing.parts:
        lay = part.layout
        for _, shown in walk(part.drawn):
            lines = _fit_lines(shown.sums, lay.sum_width, lay.sum_lines)
            assert len(lines) <= lay.sum_lines and all(len(line) <= lay.sum_width for line in lines)
            assert " ".join(lines).replace("   ", " ").startswith(shown.sums[0]), (lines, shown.sums[0])


@pytest.mark.parametrize(
    ("channels", "groups", "out"), [(64, 4, 64), (32, 2, 8), (1400, 4, 1400), (40, 5, 10), (24, 3, 48)]
)
def test_groups_of_more_channels_than_drawn_write_the_drawn_part_of_each_sum(tmp_path, channels, groups, out):
    """A group of more input channels than a picture shows: each drawn output channel's sum line
    splits into the channels drawn and those not, and the groups whose kernels are not kept are
    left out of the sum line (they are not drawn) instead of failing."""
    from convgif.animation import Look
    from convgif.animation.job import Job

    spec = convgif.Conv2dSpec((channels, 6, 6), out, 3, groups=groups)
    job = Job(spec, Look(values=True), {}, max_frames=4)
    for drawn, steps in zip(job.drawings, job.steps):
        for step in steps:
            drawn.playback.advance(step)
            shown = drawn.playback.show(step)
            assert shown.sums and all(" not drawn)" in entry for entry in shown.sums)
    assert convgif.render(spec, tmp_path / "g.gif", max_frames=4).frames >= 1
