"""Layers too large to draw whole: a region of the output, with exactly the input it reads."""

from __future__ import annotations

import io
import itertools
import random
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import convgif
from convgif import ops
from convgif.animation import Look
from convgif.animation.region import resolve_region
from convgif.cli import main
from convgif.ops.sliding import picture_read
from convgif.picture.layout import plan
from convgif.picture.model import Region
from convgif.picture.sizes import THUMB_PAD, key_size, picture_box

RESNET = convgif.Conv2dSpec((3, 224, 224), 64, 7, 2, 3, bias=False)
VGG = convgif.Conv2dSpec((3, 224, 224), 64, 3, padding=1)
MOBILENET = convgif.Conv2dSpec((32, 112, 112), 32, 3, padding=1, groups=32)


@pytest.mark.parametrize("spec", [RESNET, VGG, MOBILENET], ids=["resnet-stem", "vgg", "mobilenet-depthwise"])
def test_real_layers_draw_a_top_left_region_within_a_column_every_step_of_it(tmp_path, spec):
    result = convgif.render(spec, tmp_path / "x.gif", max_frames=20)
    assert result.region is not None and result.region.rows[0] == 0 and result.region.cols[0] == 0
    assert result.size[0] <= 480 and result.size[1] <= 960
    assert result.frames == result.shown_steps <= 20  # every step of what is drawn, none skipped
    assert result.caption == spec.caption  # the whole layer's shapes


def test_a_region_draws_the_layers_own_numbers():
    spec = convgif.Conv2dSpec((2, 30, 30), 3, 3, stride=2, padding=1, dilation=2)
    region = Region((3, 7), (5, 9))
    recording = convgif.record(spec, seed=4)
    (drawn,) = ops.of(spec).drawings(spec, recording, region=region)
    (y0, y1), (x0, x1) = (3 * 2, 6 * 2 + 5), (5 * 2, 8 * 2 + 5)  # rows and columns the region reads
    assert (drawn.grid == recording.padded[:, y0:y1, x0:x1]).all()
    assert (drawn.output == recording.output[:, 3:7, 5:9]).all()
    playback = drawn.playback
    for step in range(4 * 4 * 3):
        (write, *_) = playback.advance(step)
        shown = playback.show(step)
        j, rest = divmod(step, 16)
        oy, ox = divmod(rest, 4)
        assert (int(write.rows[0]), int(write.cols[0])) == (oy, ox)
        assert write.values[0, 0] == recording.output[j, oy + 3, ox + 5]
        taps = shown.reads[0].cells  # (c, y, x) as drawn, in weight order
        read = recording.padded[tuple((taps + [0, y0, x0]).T)]
        assert drawn.grid[tuple(taps.T)].tolist() == read.tolist()
        assert (read * recording.weight[j].ravel()).sum() + recording.bias[j] == recording.output[j, oy + 3, ox + 5]
        assert f"({oy + 3}, {ox + 5})" in shown.text  # positions as the layer indexes them


def test_a_layer_that_fits_is_drawn_whole_and_a_given_region_is_checked():
    small = convgif.Conv2dSpec((1, 7, 7))
    assert "region" not in resolve_region(small, Look(), {})
    assert resolve_region(small, Look(), {"region": "1:3,2:4"})["region"] == Region((1, 3), (2, 4))
    for bad in ("0:6,0:6", "3:3,0:2", "a:b", "1:2"):
        with pytest.raises(convgif.SpecError) as error:
            resolve_region(small, Look(), {"region": bad})
        assert error.value.argument == "region"


def test_one_axis_and_two_step_layers_take_regions(tmp_path):
    result = convgif.render(convgif.Conv1dSpec((2, 5000), 1, 3), tmp_path / "a.gif", max_frames=5)
    assert result.region is not None and result.region.rows == (0, 1) and "positions 0–" in result.region.text()
    separable = convgif.render(convgif.SeparableSpec((16, 100, 100), 32, 3), tmp_path / "b.gif", max_frames=6)
    assert separable.region is not None and max(separable.size) <= 1000


def test_the_command_says_what_part_it_drew_and_refuses_a_region_outside_the_output(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "--in",
            "3,224,224",
            "--k",
            "7",
            "--s",
            "2",
            "--p",
            "3",
            "--out",
            "64",
            "--max-frames",
            "10",
            "-o",
            str(tmp_path / "r.gif"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "note: drew output rows 0–" in result.output and "--region" in result.output
    result = CliRunner().invoke(main, ["--in", "3,24,24", "--region", "0:30,0:2", "-o", str(tmp_path / "x.gif")])
    assert result.exit_code == 2 and "'--region'" in result.output and "within the output" in result.output
    assert not (tmp_path / "x.gif").exists()
    info = CliRunner().invoke(main, ["info", "--in", "3,224,224", "--k", "7", "--s", "2", "--p", "3", "--out", "64"])
    assert "a render draws only output rows 0–" in info.output


def test_a_region_reads_the_same_numbers_as_the_whole_layer(tmp_path):
    spec = convgif.Conv2dSpec((1, 12, 12), 1, 3, padding=1)
    whole = convgif.record(spec)
    (part,) = ops.of(spec).drawings(spec, whole, region=Region((0, 12), (0, 12)))
    (full,) = ops.of(spec).drawings(spec, whole)
    assert np.array_equal(part.grid, full.grid) and np.array_equal(part.output, full.output)


# -- every kind draws a region ------------------------------------------------------------------

REGION_KINDS = {
    "transposed": (convgif.ConvTranspose2dSpec((3, 9, 9), 4, 3, stride=2, padding=1, output_padding=1, groups=1), {}),
    "transposed-dilated-groups": (convgif.ConvTranspose2dSpec((4, 8, 8), 4, 3, stride=1, dilation=3, groups=2), {}),
    "transposed-as-conv": (convgif.ConvTranspose2dSpec((2, 7, 7), 3, 3, stride=2, padding=1), {"as_conv": True}),
    "maxpool-indices": (
        convgif.MaxPool2dSpec((3, 11, 11), 3, 2, 1, dilation=2, return_indices=True, ceil_mode=True),
        {},
    ),
    "avgpool": (convgif.AvgPool2dSpec((2, 11, 11), 3, 2, 1, ceil_mode=True, count_include_pad=False), {}),
    "maxunpool": (convgif.MaxUnpool2dSpec((2, 6, 6), 3, 2, 1), {}),
    "maxpool1d": (convgif.MaxPool1dSpec((2, 30), 3, 2, 1), {}),
    "avgpool1d": (convgif.AvgPool1dSpec((2, 30), 4, 3), {}),
    "maxunpool1d": (convgif.MaxUnpool1dSpec((2, 12), 2), {}),
}


def _grid_cells(spec, recording, view) -> np.ndarray:
    """The whole input as the kind draws it (padded, zero-inserted, ...): its drawing's grid."""
    (drawn,) = ops.of(spec).drawings(spec, recording, **view)
    return drawn.grid


@pytest.mark.parametrize("name", sorted(REGION_KINDS))
def test_every_kind_draws_a_region_with_the_layers_own_numbers(name):
    """Played to the end, a region shows exactly the layer's outputs there, from cells of the
    whole layer's input at the same places, and every step's rings and writes stay inside."""
    spec, view = REGION_KINDS[name]
    recording = convgif.record(spec, seed=3)
    op = ops.of(spec)
    (whole,) = op.geometries(spec, **view)
    dims = whole.dims
    out_h, out_w = (1, *spec.output_shape[1:]) if dims == 1 else spec.output_shape[1:]  # a transposed
    # layer draws the output on its canvas: ``whole.out_size`` is then larger
    rows = (1, min(out_h, 4)) if dims == 2 else (0, 1)
    region = Region(rows, (2, min(out_w, 6)), dims)
    (drawn,) = op.drawings(spec, recording, region=region, **view)
    (geometry,) = op.geometries(spec, region=region, **view)
    assert drawn.grid.shape[1:] == geometry.grid and drawn.output.shape[1:] == region.size
    assert "output, part" in geometry.output_heading and any(
        note.startswith("drawn: output ") for note in geometry.notes
    )
    expected = recording.output.reshape(drawn.output.shape[0], out_h, out_w)[
        :, slice(*region.rows), slice(*region.cols)
    ]
    assert np.array_equal(drawn.output, expected)
    shown = np.full(drawn.output.shape, np.nan) if drawn.start is None else drawn.start.astype(float)
    steps = geometry.steps
    for step in range(steps):
        writes = drawn.playback.advance(step)
        step_shown = drawn.playback.show(step)
        per = 2 if drawn.plain else 1  # a max pool's indices panel follows each output channel
        for write in writes:
            assert (write.rows >= 0).all() and (write.rows < region.size[0]).all()
            assert (write.cols >= 0).all() and (write.cols < region.size[1]).all()
            if write.channel not in drawn.plain:
                shown[write.channel // per][np.ix_(write.rows, write.cols)] = write.values
        for reads in step_shown.reads.values():
            assert (reads.cells[:, 1:] >= 0).all() and (reads.cells[:, 1:] < np.array(drawn.grid.shape[1:])).all()
    assert np.array_equal(shown, expected), name
    # the part of the input drawn is the whole input's, at the place the note names
    whole_grid = _grid_cells(spec, recording, view)
    note = next(n for n in geometry.notes if n.startswith("drawn: output "))
    (y0, _), (x0, _) = _note_extent(note, dims)
    h, w = drawn.grid.shape[1:]
    assert np.array_equal(drawn.grid, whole_grid[:, y0 : y0 + h, x0 : x0 + w])


def _note_extent(note: str, dims: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """The input rows and columns (start, stop) a part's note names."""
    spans = [(int(a), int(b) + 1) for a, b in re.findall(r"(\d+)–(\d+)", note.split(", and ")[1])]
    return ((0, 1), spans[0]) if dims == 1 else (spans[0], spans[1])


def test_a_transposed_parts_input_is_exactly_the_cells_that_add_into_it():
    from convgif.engine.scatter import canvas_window
    from convgif.ops.scattering import canvas_region, scatter_extent

    for spec in (
        convgif.ConvTranspose2dSpec((1, 9, 11), 1, 3, stride=2, padding=1, output_padding=1),
        convgif.ConvTranspose2dSpec((1, 8, 8), 1, (2, 3), stride=(3, 1), padding=(0, 2), dilation=(1, 3)),
        convgif.ConvTranspose2dSpec((1, 10, 10), 1, 3, stride=1, dilation=4),
    ):
        _, ho, wo = spec.output_shape
        for part in (Region((0, 3), (0, 3)), Region((2, ho), (1, 4)), Region((ho - 1, ho), (wo - 2, wo))):
            region = canvas_region(spec, part)  # with what padding crops beside it
            reach = [
                (y, x)
                for y in range(spec.input_shape[1])
                for x in range(spec.input_shape[2])
                if _hits(canvas_window(spec, y, x)[0], region.rows) and _hits(canvas_window(spec, y, x)[1], region.cols)
            ]
            ys, xs = [y for y, _ in reach], [x for _, x in reach]
            read = scatter_extent(spec, region)
            assert read == Region((min(ys), max(ys) + 1), (min(xs), max(xs) + 1)), (spec, region)


def _hits(positions: np.ndarray, span: tuple[int, int]) -> bool:
    return bool(((positions >= span[0]) & (positions < span[1])).any())


@pytest.mark.parametrize(
    "spec",
    [
        convgif.ConvTranspose2dSpec((512, 28, 28), 256, 2, stride=2),
        convgif.ConvTranspose2dSpec((64, 56, 56), 64, 3, stride=2, padding=1, output_padding=1),
        convgif.MaxPool2dSpec((64, 112, 112), 3, 2, 1),
        convgif.AvgPool2dSpec((512, 28, 28), 2),
        convgif.MaxUnpool2dSpec((64, 56, 56), 2),
        convgif.MaxPool1dSpec((64, 5000), 3),
    ],
    ids=["transposed-unet", "transposed-upsample", "resnet-maxpool", "avgpool-512", "unpool", "maxpool1d"],
)
def test_real_layers_of_every_kind_draw_a_readable_part(tmp_path, spec):
    result = convgif.render(spec, tmp_path / "x.gif", max_frames=64)
    assert result.region is not None and result.size[0] <= 480 and result.size[1] <= 960
    cells = result.region.size[0] * result.region.size[1]
    assert cells >= (16 if result.region.dims == 2 else 4)  # a part worth looking at, not a single window
    assert result.frames == result.shown_steps <= 64


def test_channels_computed_apart_give_way_to_a_larger_part():
    """A max pool over 64 channels draws fewer channels of a larger part rather than six of a
    sliver; a convolution summing 64 channels draws three of them, the sums accounting for the
    rest."""
    from convgif.animation.job import Job
    from convgif.animation.region import Selection

    job = Job(convgif.MaxPool2dSpec((64, 112, 112), 3, 2, 1), max_frames=300)
    assert job.choice.selection.channels[0] <= 3 and job.region.size[0] >= 6
    job = Job(convgif.Conv2dSpec((64, 56, 56), 64, 3, padding=1), max_frames=300)
    assert job.choice.selection == Selection((3,), (1,), partial=True)


def test_an_unpooling_part_refuses_values_placed_from_outside_it():
    spec = convgif.MaxUnpool2dSpec((1, 8, 8), 2)
    x = np.arange(64).reshape(1, 8, 8)
    indices = np.array([[[(2 * y) * 16 + 2 * x for x in range(8)] for y in range(8)]])
    indices[0, 7, 7] = 0  # the last cell puts its value at the top left
    recording = convgif.record(spec, input=x, indices=indices)
    with pytest.raises(convgif.SpecError) as error:
        ops.of(spec).drawings(spec, recording, region=Region((0, 2), (0, 2)))
    assert error.value.argument == "region" and "index 0" in str(error.value)


def test_sums_of_channels_not_drawn_are_left_out():
    spec = convgif.MaxPool2dSpec((64, 8, 8), 2)
    (drawn,) = ops.of(spec).drawings(spec, convgif.record(spec))
    drawn.playback.advance(0)
    step = drawn.playback.show(0)
    assert len(step.sums) == 64
    assert [entry.split(" =")[0] for entry in step.sums_drawn({0: None, 1: None})] == ["y[0, 0, 0]", "y[1, 0, 0]"]


@pytest.mark.parametrize(
    "args, dilation",
    [
        (["--layer", "MaxPool1d", "--in", "4,50000", "--k", "3000"], False),
        (["--layer", "AvgPool2d", "--in", "4,500,500", "--k", "200"], False),
        (["--in", "1,400,400", "--k", "150", "--d", "2"], True),
    ],
)
def test_a_layer_not_one_output_of_which_fits_names_its_kernel(tmp_path, args, dilation):
    result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "x.gif")])
    assert result.exit_code == 2 and "'--k'" in result.output and "even one output cell" in result.output
    assert ("shrink kernel_size or dilation" in result.output) == dilation and "convgif info" in result.output
    assert not (tmp_path / "x.gif").exists()


# -- the rest of each map, marked -------------------------------------------------------------

SHAPES = Path(__file__).resolve().parent.parent / "examples" / "shapes.png"


def drawing(spec, region=None, image=None, values=False, theme="light", scale=1, input=None, pixels=False):
    """A render's drawing (recorded and laid out), of ``region`` or of what a render chooses."""
    from convgif.animation.job import Job
    from convgif.animation.request import inputs_for

    input, weight, picture, _ = inputs_for(spec, input, None, None, image)
    look = Look(values, (), theme, None, scale)
    view = {} if region is None else {"region": region}
    return Job(spec, look, view, input=input, weight=weight, pixels=picture or pixels)


def rects(layout):
    """What must not overlap, as (name, (y0, y1, x0, x1)), ends exclusive: grids with their
    group frames, bands, texts, keys and the whole picture with room for its outline."""
    geo, s, m = layout.geometry, layout.cell, layout.metrics
    f = m.frame if geo.groups > 1 else 0
    (hp, wp), (ho, wo) = geo.grid, geo.out_size
    found = [(f"x{c}", (y - f, y + hp * s + 1 + f, x - f, x + wp * s + 1 + f)) for c, (x, y) in layout.inputs.items()]
    found += [(f"y{c}", (y - f, y + ho * s + 1 + f, x - f, x + wo * s + 1 + f)) for c, (x, y) in layout.outputs.items()]
    if geo.kernel is not None:
        kh, kw = geo.kernel
        found += [(f"w{k}", (y, y + kh * s + 1, x, x + kw * s + 1)) for k, (x, y) in layout.kernels.items()]
    found += [(f"text {t}", (y, y + st.height, x, x + st.width(t))) for t, st, x, y in layout.texts]
    for k, x, y in layout.keys:
        w, h = key_size(k, m, layout.width - m.margin - x)
        found.append((f"key {k.name}", (y, y + h, x, x + w)))
    found += [(f"band {side}", (y0, y1, x0, x1)) for side, y0, y1, x0, x1 in layout.fringes]
    if layout.thumbnail is not None:
        x, y, w, h = layout.thumbnail
        pad = THUMB_PAD * m.n
        found.append(("picture", (y - pad, y + h + pad, x - pad, x + w + pad)))
    return found


def assert_apart(layout):
    found = rects(layout)
    for _, (y0, y1, x0, x1) in found:
        assert 0 <= x0 and x1 <= layout.width and 0 <= y0 and y1 <= layout.height
    f = layout.metrics.frame if layout.geometry.groups > 1 else 0
    for (a, (ay0, ay1, ax0, ax1)), (b, (by0, by1, bx0, bx1)) in itertools.combinations(found, 2):
        if a[0] in "xy" and b.startswith("text"):  # a group frame may reach into its label's line
            ay0 += f
        assert ay1 <= by0 or by1 <= ay0 or ax1 <= bx0 or bx1 <= ax0, (a, b)


def test_every_part_of_a_map_is_marked_on_the_sides_it_goes_on_with_the_cells_not_drawn():
    part = drawing(RESNET, "80:88,56:64", image=SHAPES).parts[0]
    lay, geo = part.layout, part.layout.geometry
    # input (padded) rows 160–180 and columns 112–132 of 230×230; output rows 80–87, columns 56–63 of 112×112
    assert geo.hidden == ((160, 230 - 181, 112, 230 - 133), (80, 112 - 88, 56, 112 - 64))
    texts = [t for t, *_ in lay.texts]
    assert texts.count("+160▲ +49▼ +112◀ +97▶") == len(lay.inputs) == 3
    assert texts.count("+80▲ +24▼ +56◀ +48▶") == len(lay.outputs) >= 1
    assert len(lay.fringes) == 4 * (len(lay.inputs) + len(lay.outputs))
    assert any(key.role == "more" for key, _, _ in lay.keys)
    # each band lies along its grid's side, just outside it, and is painted in the bands' colours
    s, image, col = lay.cell, part.scene.image, part.scene.colours
    grids = [(origin, geo.grid) for origin in lay.inputs.values()] + [
        (origin, geo.out_size) for origin in lay.outputs.values()
    ]
    for side, y0, y1, x0, x1 in lay.fringes:
        beside = [
            (x, y)
            for (x, y), (h, w) in grids
            if {
                "top": y1 < y and x0 == x and x1 == x + w * s + 1,
                "bottom": y0 > y + h * s and x0 == x and x1 == x + w * s + 1,
                "left": x1 < x and y0 == y and y1 == y + h * s + 1,
                "right": x0 > x + w * s and y0 == y and y1 == y + h * s + 1,
            }[side]
            and max(y0 - (y + h * s), y - y1, x0 - (x + w * s), x - x1) <= 8
        ]
        assert len(beside) == 1, (side, y0, x0)
        painted = set(np.unique(image[y0:y1, x0:x1]).tolist())
        assert painted <= {*col.fringe, col.background} and len(painted & set(col.fringe)) == len(col.fringe)


def test_a_top_left_region_is_marked_right_and_below_and_a_1d_one_on_its_sides():
    job = drawing(VGG)
    lay = job.parts[0].layout
    (rows, _), (cols, _) = (job.region.rows[1], None), (job.region.cols[1], None)
    texts = [t for t, *_ in lay.texts]
    assert f"+{224 - rows}▼ +{224 - cols}▶" in texts and not any("▲" in t or "◀" in t for t in texts)
    assert {side for side, *_ in lay.fringes} == {"bottom", "right"}
    lay = drawing(convgif.Conv1dSpec((3, 5000), 4, 3), "100:128").parts[0].layout
    texts = [t for t, *_ in lay.texts]
    assert texts.count("+100◀ +4,870▶") == len(lay.inputs) + len(lay.outputs)  # 5000 − 130, and 4998 − 128
    assert {side for side, *_ in lay.fringes} == {"left", "right"}


@pytest.mark.parametrize(
    "spec",
    [
        convgif.Conv2dSpec((3, 7, 7), 2, 3, padding=1),
        convgif.Conv2dSpec((2, 9, 9), 4, 3, groups=2),
        convgif.Conv1dSpec((2, 12), 2, 3),
        convgif.SeparableSpec((4, 6, 6), 6, 3),
        convgif.MaxPool2dSpec((1, 6, 6), 2),
    ],
    ids=["conv2d", "groups", "conv1d", "separable", "pool"],
)
def test_a_layer_drawn_whole_has_no_marks_and_no_picture(spec):
    input = np.full((1, 6, 6), 200) if spec.input_shape == (1, 6, 6) else None
    for part in drawing(spec, input=input, pixels=input is not None).parts:
        lay = part.layout
        assert lay.geometry.part is None and lay.fringes == () and lay.reach == (0, 0) and lay.thumbnail is None
        assert not any("▶" in t or "▼" in t for t, *_ in lay.texts)
        assert all(key.role != "more" for key, _, _ in lay.keys) and part.scene.colours.fringe == []


def test_a_region_of_the_whole_output_marks_only_the_input_rows_it_does_not_read():
    spec = convgif.Conv2dSpec((1, 8, 8), 1, 3, stride=2)  # output 3×3 reads rows and columns 0–6 of 8
    geometry = ops.of(spec).geometries(spec, region=Region((0, 3), (0, 3)))[0]
    assert geometry.hidden == ((0, 1, 0, 1), (0, 0, 0, 0))


def test_counts_add_up_to_the_whole_map_for_any_region():
    rng = np.random.default_rng(3)
    for _ in range(40):
        k, s, p, d = (int(v) for v in rng.integers(1, 4, 4))
        h, w = (int(v) for v in rng.integers(12, 40, 2))
        try:
            spec = convgif.Conv2dSpec((1, h, w), 1, k, s, min(p, k), d)
        except convgif.SpecError:
            continue
        _, ho, wo = spec.output_shape
        r0, c0 = int(rng.integers(0, ho)), int(rng.integers(0, wo))
        region = Region((r0, int(rng.integers(r0 + 1, ho + 1))), (c0, int(rng.integers(c0 + 1, wo + 1))))
        geometry = ops.of(spec).geometries(spec, region=region)[0]
        (it, ib, il, ir), (ot, ob, ol, orr) = geometry.hidden
        _, hp, wp = spec.padded_shape
        assert it + geometry.grid[0] + ib == hp and il + geometry.grid[1] + ir == wp
        assert (ot, ot + geometry.out_size[0] + ob) == (r0, ho) and (ol, ol + geometry.out_size[1] + orr) == (c0, wo)
        lay = plan(geometry)
        sides = {side for side, *_ in lay.fringes}
        assert sides == {
            side for side, n in zip(("top", "bottom", "left", "right"), (it or ot, ib or ob, il or ol, ir or orr)) if n
        }


@pytest.mark.parametrize(
    "case",
    [
        dict(spec=RESNET, region="80:88,56:64", image=SHAPES),
        dict(spec=RESNET, image=SHAPES),
        dict(spec=RESNET, region="80:88,56:64", image=SHAPES, scale=2),
        dict(spec=VGG),
        dict(spec=VGG, values=True),
        dict(spec=MOBILENET),
        dict(spec=MOBILENET, region="50:56,50:56"),
        dict(spec=convgif.Conv1dSpec((3, 5000), 4, 3), region="100:128"),
        dict(spec=convgif.SeparableSpec((16, 112, 112), 32, 3, padding=1)),
        dict(spec=convgif.Conv2dSpec((1, 64, 64), 2, 3), image=SHAPES, values=True),
        dict(spec=convgif.Conv2dSpec((3, 300, 400), 2, 3, stride=2), region="140:149,100:110", image=SHAPES),
        dict(spec=convgif.Conv2dSpec((1, 500, 500), 3, 3), region="200:201,200:201"),
    ],
    ids=lambda case: " ".join(f"{k}={v}" for k, v in case.items() if k not in ("spec", "image")) or "auto",
)
def test_marks_and_the_picture_overlap_nothing(case):
    case = dict(case)
    for part in drawing(case.pop("spec"), **case).parts:
        assert part.layout.fringes
        assert_apart(part.layout)


# -- the whole picture, with the part drawn outlined -------------------------------------------


def test_the_picture_is_shown_whole_only_with_a_region():
    small = convgif.Conv2dSpec((1, 12, 12), 1, 3)
    assert drawing(small, image=SHAPES).parts[0].layout.thumbnail is None  # drawn whole
    assert drawing(small, "2:6,3:9", image=SHAPES).parts[0].layout.thumbnail is not None
    assert drawing(small, "2:6,3:9").parts[0].layout.thumbnail is None  # no picture
    assert drawing(RESNET, image=SHAPES).parts[0].layout.thumbnail is not None  # too large: a region
    assert drawing(RESNET).parts[0].layout.thumbnail is None
    sequence = drawing(convgif.Conv1dSpec((1, 400), 1, 3), "0:20", input=np.full((1, 400), 9), pixels=True)
    assert sequence.parts[0].drawn.picture is None  # one row: no picture to show
    separable = drawing(convgif.SeparableSpec((3, 48, 48), 4, 3), "2:6,2:6", image=SHAPES)
    assert [part.layout.thumbnail is not None for part in separable.parts] == [True, False]


def test_the_outline_is_where_the_drawn_cells_read_the_picture():
    spec = convgif.Conv2dSpec((1, 64, 64), 1, 3, padding=1)
    part = drawing(spec, "10:20,30:40", image=SHAPES).parts[0]
    picture, lay, scene = part.drawn.picture, part.layout, part.scene
    # padded rows 10–21 and columns 30–41 read picture rows 9–20 and columns 29–40 (padding 1)
    assert (picture.rows, picture.cols, picture.size) == ((9, 21), (29, 41), (64, 64))
    x, y, w, h = lay.thumbnail
    assert (w, h) == (128, 128)  # a 64-pixel picture enlarged twice
    assert picture_box(lay.thumbnail, picture.size, picture.rows, picture.cols) == (y + 18, y + 42, x + 58, x + 82)
    y0, y1, x0, x1 = y + 18, y + 42, x + 58, x + 82
    image, col, hue = scene.image, scene.colours, scene.hue(0)
    assert (image[y0:y1, x0:x1] == scene.thumbnail[18:42, 58:82]).all()  # the part itself stays seen
    for away, colour in ((1, col.halo), (2, hue), (3, hue), (4, col.halo)):
        assert (image[y0 - away, x0 - away : x1 + away] == colour).all()
        assert (image[y1 - 1 + away, x0 - away : x1 + away] == colour).all()
        assert (image[y0 - away : y1 + away, x0 - away] == colour).all()
        assert (image[y0 - away : y1 + away, x1 - 1 + away] == colour).all()
    # the picture's pixels, enlarged twice, in the cells' greys
    rgb = np.array(scene.palette.colors)
    pixels = part.drawn.picture.pixels[0]
    levels = scene.scales.input.index(pixels)
    greys = rgb[np.asarray(col.inputs[0])[levels]]
    shown = rgb[image[y : y + h, x : x + w]]
    outside = np.ones((h, w), bool)
    outside[18 - 4 : 42 + 4, 58 - 4 : 82 + 4] = False  # under the outline
    assert (shown[outside] == np.repeat(np.repeat(greys, 2, 0), 2, 1)[outside]).all()


def test_the_part_a_picture_is_read_from_leaves_padding_out():
    pixels = np.zeros((3, 10, 12))
    assert picture_read(pixels, (2, 3), (0, 5), (1, 20)).rows == (0, 3)
    assert picture_read(pixels, (2, 3), (0, 5), (1, 20)).cols == (0, 12)
    assert picture_read(pixels, (-2, -1), (0, 5), (1, 4)).rows == (2, 7)  # negative padding crops
    only_padding = picture_read(pixels, (3, 3), (0, 2), (0, 2))
    assert only_padding.rows == (0, 0)
    y0, y1, x0, x1 = picture_box((5, 7, 120, 100), (10, 12), only_padding.rows, only_padding.cols)
    assert (y0, x0) == (7, 5) and y1 - y0 >= 1 and x1 - x0 >= 1


def test_an_rgb_picture_is_shown_in_its_own_colours():
    rng = np.random.default_rng(0)
    input = np.zeros((3, 96, 96), np.int64)
    input[0, :48], input[1, 48:, :48], input[2, 48:, 48:] = 255, 255, 255  # red, green and blue quarters
    input += rng.integers(0, 20, input.shape)
    spec = convgif.Conv2dSpec((3, 96, 96), 1, 3)
    part = drawing(spec, "0:8,0:8", input=input, pixels=True).parts[0]
    x, y, w, h = part.layout.thumbnail
    rgb = np.array(part.scene.palette.colors)[part.scene.image[y : y + h, x : x + w]]
    corner = lambda r, c: rgb[r * h // 4, c * w // 4]  # noqa: E731
    assert corner(0, 3)[0] > 200 > corner(0, 3)[1] and corner(3, 0)[1] > 200 > corner(3, 0)[0]
    assert corner(3, 3)[2] > 200 > corner(3, 3)[0]
    assert len(part.scene.palette.colors) <= 255


# -- --width: a wider limit never draws less, and a refusal names the least width that draws ---


def random_layers(rng: random.Random, count: int) -> list:
    """Small valid layers of every kind with weights or windows, many channels and groups among them."""
    made = []
    while len(made) < count:
        kind = rng.choice(["conv2d", "conv2d", "conv1d", "transposed", "separable", "maxpool", "avgpool"])
        g = rng.choice([1, 1, 2, 3])
        cin, cout = g * rng.randint(1, 3), g * rng.randint(1, 3)
        h, w, k = rng.randint(2, 12), rng.randint(2, 12), rng.randint(1, 4)
        s, p, d = rng.randint(1, 2), rng.randint(0, 1), rng.randint(1, 2)
        try:
            if kind == "conv2d":
                made.append(convgif.Conv2dSpec((cin, h, w), cout, k, s, p, d, g))
            elif kind == "conv1d":
                made.append(convgif.Conv1dSpec((cin, w * 3), cout, k, s, p, d, g))
            elif kind == "transposed":
                made.append(convgif.ConvTranspose2dSpec((cin, h // 2 + 1, w // 2 + 1), cout, k, s, 0, 0, g))
            elif kind == "separable":
                made.append(convgif.SeparableSpec((cin, h, w), cout, k, s, p, d))
            elif kind == "maxpool":
                made.append(convgif.MaxPool2dSpec((cin, h, w), max(k, 2), s, min(p, k // 2)))
            else:
                made.append(convgif.AvgPool2dSpec((cin, h, w), max(k, 2), s, min(p, k // 2)))
        except convgif.SpecError:
            continue
    return made


def drawn_part(job) -> tuple:
    """How much of its layer a render draws, in the order convgif gives things up (smaller is
    more): a part smaller than FEW_SIDE a side (when sums say what channels not drawn add),
    terms of a sum left out, a part smaller than GOOD_SIDE a side, the output cells of the
    part, the input channels and the kernel columns drawn."""
    from convgif.animation.region import FEW_SIDE, GOOD_SIDE
    from convgif.picture.sizes import shown

    region = job.region
    out_h, out_w = job.geometries[0].out_size
    rows, cols = region.size if region is not None else (out_h, out_w)
    sides, outs = ((cols,), (out_w,)) if job.geometries[0].dims == 1 else ((rows, cols), (out_h, out_w))
    partial = job.choice.selection.partial
    small = region is not None and min(sides) < GOOD_SIDE
    accounts = all(g.kernel is not None for g in job.geometries)
    few = accounts and any(side < min(FEW_SIDE, out) for side, out in zip(sides, outs))
    channels = sum(len(shown(g)[0]) for g in job.geometries)
    columns = sum(len(shown(g)[1]) for g in job.geometries)
    return few, partial, small and not partial, -rows * cols, -channels, -columns


@pytest.mark.parametrize("seed", range(3))
def test_a_wider_limit_never_draws_a_smaller_part_and_a_refusal_quotes_the_least_width(seed):
    from convgif.animation.job import Job

    rng = random.Random(seed)
    for spec in random_layers(rng, 10):
        look = {"values": rng.random() < 0.5, "scale": rng.choice([1, 1, 2])}
        before = None  # the part drawn at the last, narrower, width
        for width in sorted(rng.sample(range(100 * look["scale"], 1300 * look["scale"]), 5)):
            where = f"{spec!r} {look} width={width}"
            try:
                job = Job(spec, Look(**look, width=width), max_frames=300)
                drawn = max(layout.width for layout in job.layouts)
            except convgif.TooLargeError as error:
                assert before is None, f"{where}: refused, where a narrower limit drew"
                assert error.argument == "width", where
                least = error.least_width
                assert least > width and f"--width {least} is the least that draws it" in str(error), (
                    where,
                    str(error),
                )
                at_least = Job(spec, Look(**look, width=least), max_frames=300)
                assert max(layout.width for layout in at_least.layouts) <= least, where
                with pytest.raises(convgif.TooLargeError):
                    assert Job(spec, Look(**look, width=least - 1), max_frames=300).layouts
                continue
            assert drawn <= width, where
            part = drawn_part(job)
            assert before is None or part <= before, f"{where}: draws {part}, less than {before} when narrower"
            before = part


def test_a_slide_arranges_every_channel_across_rather_than_drawing_fewer():
    from convgif.animation.job import Job
    from convgif.picture.layout import arrange
    from convgif.picture.sizes import MIN_VALUE_CELL_PX, SLIDE_PX, Metrics

    headline = convgif.Conv2dSpec((3, 7, 7), 2, 3, stride=2, padding=1, dilation=2)
    job = Job(headline, Look(values=True, scale=2))
    (layout,) = job.layouts
    assert layout.arrangement == "landscape" and layout.shown_in == (0, 1, 2) and job.region is None
    assert layout.width <= SLIDE_PX[0] and layout.height <= SLIDE_PX[1]
    # stacked, the three channels are taller than the slide even at the smallest cells that hold a number
    (geometry,) = job.geometries
    stacked = arrange(geometry, True, 2 * MIN_VALUE_CELL_PX, (), Metrics.of(2), (), True, 2)
    assert stacked.arrangement == "stacked" and stacked.drawing[1] > SLIDE_PX[1]
    # a page's column keeps the stacked arrangement, every channel drawn too
    (column,) = Job(headline, Look(values=True)).layouts
    assert column.arrangement == "stacked" and column.shown_in == (0, 1, 2)


@pytest.mark.parametrize(
    "spec, values, scale",
    [
        (convgif.Conv1dSpec((1, 60), 1, 49), True, 1),  # one output across, past the column
        (convgif.Conv1dSpec((1, 60), 1, 49), False, 1),  # one output stacked at cells too small to read
        (convgif.Conv1dSpec((1, 90), 1, 13, 14, 1, 2), True, 1),  # one output stacked, two fit across
        (convgif.ConvTranspose1dSpec((1, 47), 1, 12, 3), True, 1),  # three outputs stacked within the column
        (convgif.AvgPool1dSpec((3, 45), 10, 9, 3), False, 2),  # a pixel narrower than twice its scale-1 twin
        (convgif.ConvTranspose2dSpec((2, 6, 6), 2, 2, 2), False, 2),  # across a slide
    ],
)
def test_the_width_the_default_draws_given_back_draws_as_much_within_it(spec, values, scale):
    """Given back as --width, the width of the default's frame is not refused: it draws the same
    picture when that is readable and the most it holds (else a larger part, arranged across:
    stacked, its kernels would not fit beside its input), never less."""
    from convgif.animation.job import Job
    from convgif.picture.sizes import READABLE_CELL_PX

    default = Job(spec, Look(values=values, scale=scale), max_frames=300)
    width = max(layout.width for layout in default.layouts)
    given = Job(spec, Look(values=values, scale=scale, width=width), max_frames=300)
    assert max(layout.width for layout in given.layouts) <= width
    assert drawn_part(given) <= drawn_part(default), (drawn_part(given), drawn_part(default))
    readable = all(lay.cell >= READABLE_CELL_PX * scale for lay in default.layouts)
    if drawn_part(given) == drawn_part(default) and readable:
        picture = convgif.render(spec, io.BytesIO(), values=values, scale=scale).data
        assert convgif.render(spec, io.BytesIO(), values=values, scale=scale, width=width).data == picture


def test_a_width_within_the_column_arranges_a_part_as_the_default_does():
    """Within the page's column a width asked is the default's box narrowed: a part that fits it
    stacked is drawn so, not traded for a larger one arranged across (which only a width past the
    column, as wide as the default draws a part past it, may take)."""
    from convgif.animation.job import Job

    spec = convgif.ConvTranspose1dSpec((1, 47), 1, 12, 3)
    default = Job(spec, Look(values=True), max_frames=300)
    width = max(layout.width for layout in default.layouts)
    assert default.choice.fits and width <= 480

    def drawn(job):
        return job.region, [(lay.arrangement, lay.cell, lay.width, lay.height) for lay in job.layouts]

    for asked in (width, 480):
        assert drawn(Job(spec, Look(values=True, width=asked), max_frames=300)) == drawn(default), asked
    wider = Job(spec, Look(values=True, width=481), max_frames=300)
    assert drawn_part(wider) < drawn_part(default) and wider.layouts[0].arrangement == "landscape"


def test_a_layer_too_large_to_compute_whole_draws_the_part_it_shows_as_a_smaller_one_would(monkeypatch):
    from convgif.ops import args

    spec = convgif.Conv2dSpec((6, 30, 30), 4, 3, padding=1)
    normal = convgif.render(spec, io.BytesIO(), max_frames=20, region="0:4,0:5").data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 2_000)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), max_frames=20, region="0:4,0:5").data
    assert parted == normal
    fold = ops.operation("Fold").build(input_shape=(54, 784), output_size=30, kernel_size=3)
    assert convgif.render(fold, io.BytesIO(), max_frames=20).region is not None  # never the whole, too large


def test_a_part_too_large_for_the_machine_is_refused_naming_its_memory(monkeypatch):
    from convgif.animation import job
    from convgif.ops import args

    monkeypatch.setattr(args, "MAX_ELEMENTS", 2_000)
    monkeypatch.setattr(job, "memory_bytes", lambda: 10_000)
    with pytest.raises(convgif.TooLargeError, match=r"region=.*memory") as refused:
        convgif.render(convgif.Conv2dSpec((6, 30, 30), 4, 3, padding=1), io.BytesIO(), max_frames=20)
    assert refused.value.argument == "region"


# -- what a part keeps: every picture its own kernel columns, the window moving, a window's slices --


def _fits_a_page(job) -> None:
    from convgif.picture.sizes import COLUMN_PX, PAGE_PX

    for layout in job.layouts:
        assert layout.fits_box and layout.width <= COLUMN_PX and layout.height <= PAGE_PX, layout.height


@pytest.mark.parametrize("values", [True, False])
def test_each_picture_gives_up_only_the_kernel_columns_it_cannot_fit(values):
    """The dx picture of a small transposed convolution's backward pass draws both its channels
    though the dw picture beside it fits only half its kernels."""
    from convgif.animation.job import Job
    from convgif.picture.sizes import shown

    spec = convgif.ConvTranspose2dSpec((2, 3, 3), 2, 3, stride=2, padding=1, output_padding=1)
    job = Job(spec, Look(values=values), {"backward": True}, max_frames=300)
    dx = job.geometries[0]
    assert dx.output_name == "dx" and len(shown(dx)[2]) == 2
    assert job.region is None and job.total == sum(layout.steps for layout in job.layouts)
    _fits_a_page(job)
    for geometry in job.geometries:  # none draws fewer kernel columns than one that fits would
        columns = len(shown(geometry)[1])
        if geometry.columns_take_turns and columns < min(geometry.out_per_group, 6):
            more = replace(geometry, columns_shown=columns + 1)
            assert not plan(more, values, geometry.value_chars).fits_box


@pytest.mark.parametrize(
    "spec",
    [
        convgif.Conv2dSpec((6, 5, 5), 2),
        convgif.Conv2dSpec((5, 6, 6), 3, 3, stride=2, padding=1),
        convgif.Conv2dSpec((7, 6, 6), 1, 3),  # six channels, stacked, fit the page whole
        convgif.Conv2dSpec((6, 12, 12), 4, 3, padding=1),
    ],
)
def test_the_window_keeps_moving_over_a_few_outputs_a_side_before_sums_leave_channels_out(spec):
    """Seeing the window move over a tiny output whole (or a few outputs a side of a larger
    one) teaches more than every channel's terms: the sums say what the channels not drawn add."""
    from convgif.animation.job import Job
    from convgif.animation.region import FEW_SIDE

    job = Job(spec, Look(values=True), max_frames=300)
    out = spec.output_shape[1:]
    assert job.choice.selection.partial
    if max(out) <= FEW_SIDE:
        assert job.region is None
    else:
        assert job.region is None or min(job.region.size) >= FEW_SIDE
    _fits_a_page(job)
    (drawing,) = job.drawings
    drawing.playback.advance(0)
    sums = drawing.playback.show(0).sums
    cg = spec.input_shape[0]
    assert sums and all(f"x[3:{cg}]" in line and "not drawn" in line for line in sums), sums


@pytest.mark.parametrize(
    "kind, shape",
    [
        ("AvgPool3d", (1, 8, 8, 8)),
        ("AvgPool3d", (1, 16, 16, 16)),
        ("AvgPool3d", (2, 8, 8, 8)),  # a 1×2 strip of 4 slices: within the page with three rows of keys
        ("LPPool3d", (2, 8, 8, 8)),
        ("MaxPool3d", (1, 8, 12, 12)),
    ],
)
def test_a_depth_pool_draws_every_slice_its_window_reads(kind, shape):
    """A window's sum is checked from the frame: a part keeps every input slice of a window,
    still within a page."""
    from convgif.animation.job import Job
    from convgif.picture.sizes import shown

    extra = {"norm_type": 2} if kind == "LPPool3d" else {}
    spec = ops.operation(kind).build(input_shape=shape, kernel_size=4, **extra)
    job = Job(spec, Look(values=True), max_frames=300)
    assert not job.choice.selection.partial
    for geometry in job.geometries:
        assert len(shown(geometry)[0]) == geometry.in_per_group == 4
    _fits_a_page(job)


# -- a part drawn past the box only when none fits, and then the one that goes past it least --


def random_one_axis_layer(rng: random.Random, kind: str):
    """A valid 1-D layer of ``kind`` of random size: many channels, long inputs, wide windows."""
    while True:
        try:
            return _one_axis_layer(rng, kind, rng.choice([1, 1, 2, 3, 8, 64]), rng.randint(4, 800))
        except convgif.SpecError:
            continue


def _one_axis_layer(rng: random.Random, kind: str, c: int, n: int):
    k, s, p, out = rng.randint(2, 17), rng.randint(1, 15), rng.randint(0, 3), rng.choice([1, 4, 64])
    pad = (rng.randint(0, 6), rng.randint(0, 6))
    if kind == "Conv1d":
        return convgif.Conv1dSpec((c, n), out, k, s, min(p, k // 2), rng.randint(1, 2))
    if kind == "ConvTranspose1d":
        return convgif.ConvTranspose1dSpec((c, n // 4 + 1), out, k, s)
    if kind in ("MaxPool1d", "AvgPool1d"):
        return ops.operation(kind).build(input_shape=(c, n), kernel_size=k, stride=s, padding=min(p, k // 2))
    if kind == "LPPool1d":
        return convgif.LPPool1dSpec((c, n), 2, k, s)
    if kind.startswith("Adaptive"):
        return ops.operation(kind).build(input_shape=(c, n), output_size=rng.randint(1, 12))
    if kind in ("ReflectionPad1d", "CircularPad1d"):  # no wider than the input
        return ops.operation(kind).build(input_shape=(c, n), padding=(min(pad[0], n - 1), min(pad[1], n - 1)))
    if kind == "ConstantPad1d":
        return convgif.ConstantPad1dSpec((c, n), pad, 1.5)
    if kind.endswith("Pad1d"):
        return ops.operation(kind).build(input_shape=(c, n), padding=pad)
    if kind == "Upsample":
        return convgif.UpsampleSpec((c, n // 4 + 1), scale_factor=rng.choice([2, 3]), mode="linear")
    return convgif.MaxUnpool1dSpec((c, n // 4 + 2), k // 2, s)


ONE_AXIS_KINDS = (
    "Conv1d",
    "ConvTranspose1d",
    "MaxPool1d",
    "AvgPool1d",
    "LPPool1d",
    "AdaptiveAvgPool1d",
    "AdaptiveMaxPool1d",
    "ReflectionPad1d",
    "ReplicationPad1d",
    "ZeroPad1d",
    "ConstantPad1d",
    "CircularPad1d",
    "Upsample",
    "MaxUnpool1d",
)


def _measured(job, look) -> tuple[int, int]:
    """(width, height) the pictures a render chose take at the numbers it chose them for, the
    keys' room kept: the largest of each."""
    from convgif.picture.sizes import KEYS_ROOM

    laid = [plan(g, look.values, g.value_chars, max_width=look.width) for g in job.geometries]
    return max(lay.drawing[0] for lay in laid), max(lay.keyless + KEYS_ROOM for lay in laid)


def _layer_chars(spec, look):
    """Characters of the widest number each picture of the whole layer writes (None: the
    pictures write none), those an automatic render chooses its part for: any part may be
    chosen, so the most any part draws (a region asked is chosen for its own numbers)."""
    from convgif.animation.region import most, most_kernels

    op = ops.of(spec)
    whole = op.geometries(spec)
    if not (look.values or any(g.numbers for g in whole)):
        return None
    recording = op.record_drawn(spec, 0, [most_kernels(g) for g in whole])
    return [d.value_chars for d in op.drawings(spec, recording, geometries=[most(g) for g in whole])]


def _one_output(spec, look, chars):
    """The choice of the first single output a step writes (a pad's first few may only copy
    padding; an unpooling's or a strided transposed convolution's may not be reached), made for
    numbers of ``chars`` characters, per picture."""
    from convgif.animation.region import choose

    op = ops.of(spec)
    whole = op.geometries(spec)
    for position in range(spec.output_shape[-1]):
        try:
            return choose(op, spec, look, {"region": f"{position}:{position + 1}"}, whole, 0, None, chars)
        except convgif.TooLargeError:
            raise
        except convgif.SpecError:
            continue
    raise AssertionError(f"{spec!r}: no output drawn alone")


def _past_the_box_only_when_one_output_is(spec, look) -> None:
    """A render fits the box whenever its smallest part (one output, as few channels and kernel
    columns as fit, for the numbers it chooses its part for) does, and otherwise is no wider
    than that part, or than a page shrinks SHRINK_TO_MOVE times for a window that still moves."""
    from convgif.animation.job import Job
    from convgif.animation.region import SHRINK_TO_MOVE
    from convgif.picture.sizes import fit_box

    box_w, box_h = fit_box(1, look.width)
    where = f"{spec!r} {look}"
    chars = _layer_chars(spec, look)
    try:
        least = _one_output(spec, look, chars)
    except convgif.TooLargeError:  # not even one output drawn (within the width asked)
        with pytest.raises(convgif.TooLargeError):
            Job(spec, look, max_frames=0)
        return
    job = Job(spec, look, max_frames=0)
    assert job._chooser[2] == chars, where  # the numbers its part was chosen for
    (least_w, least_h), (job_w, job_h) = _measured(least, look), _measured(job, look)
    frame_w = max(layout.width for layout in job.layouts)
    if least_w <= box_w and least_h <= box_h:
        assert job_w <= box_w and job_h <= box_h and frame_w <= box_w, (where, job_w, frame_w)
    elif least_h <= box_h:
        assert job_w <= max(least_w, SHRINK_TO_MOVE * box_w), (where, job_w, least_w)


@pytest.mark.parametrize(
    "spec, values",
    [
        (convgif.Conv1dSpec((64, 100), 64, 7, padding=3), True),
        (convgif.Conv1dSpec((64, 784), 64, 5, 2, 2), True),
        (convgif.Conv1dSpec((8, 784), 1, 7, padding=3), True),
        (convgif.AvgPool1dSpec((1, 100), 16, 14), False),
        (convgif.AdaptiveAvgPool1dSpec((1, 40), 3), False),
        (convgif.AdaptiveAvgPool1dSpec((1, 40), 3), True),
    ],
)
@pytest.mark.parametrize("width", [None, 480])
def test_a_1d_layer_whose_window_is_wider_than_the_column_is_drawn_as_its_narrowest_part(spec, values, width):
    _past_the_box_only_when_one_output_is(spec, Look(values=values, width=width))


def test_a_1d_layer_past_the_box_keeps_its_window_moving_while_a_page_shrinks_it_little():
    """Conv1d 64→64, k 7, with values: one output fits no column, and neither do three; the
    three, shrunk less than SHRINK_TO_MOVE times, are drawn rather than a still single window."""
    from convgif.animation.job import Job
    from convgif.animation.region import FEW_SIDE, SHRINK_TO_MOVE
    from convgif.picture.sizes import fit_box

    job = Job(convgif.Conv1dSpec((64, 100), 64, 7, padding=3), Look(values=True), max_frames=0)
    box_w, _ = fit_box(1, None)
    assert job.choice.region is not None and job.choice.region.size[-1] >= FEW_SIDE, job.choice.region
    assert box_w < max(layout.width for layout in job.layouts) <= SHRINK_TO_MOVE * box_w


@pytest.mark.parametrize("seed", range(8))
def test_a_1d_layer_fits_the_box_when_its_smallest_part_does_else_goes_past_it_least(seed):
    """A 1-D layer is drawn as one row: a part of fewer outputs, input channels and kernel
    columns is narrower. Random layers of every 1-D kind, with and without values and a width."""
    rng = random.Random(seed)
    for kind in ONE_AXIS_KINDS:
        spec = random_one_axis_layer(rng, kind)
        look = Look(values=rng.random() < 0.5, width=rng.choice([None, None, rng.randint(300, 900)]))
        _past_the_box_only_when_one_output_is(spec, look)


@pytest.mark.parametrize("values", [False, True])
@pytest.mark.parametrize("channels", [8, 16, 64])
def test_a_picture_of_few_options_keeps_its_most_beside_one_that_gives_up_more(channels, values):
    """A separable convolution's pointwise step mixes d's channels: it is drawn over several of
    them (the sums saying what the others add), though its depthwise step beside it gives up
    channels to fit; as many as a standard convolution over that many channels draws."""
    from convgif.animation.job import Job
    from convgif.picture.model import shown

    spec = ops.operation("separable").build(input_shape=(channels, 7, 7), out_channels=32, kernel_size=3)
    standard = ops.operation("Conv2d").build(input_shape=(channels, 5, 5), out_channels=32, kernel_size=1)
    look = Look(values=values)
    depthwise, pointwise = Job(spec, look, {}).geometries
    (alone,) = Job(standard, look, {}).geometries
    assert len(shown(pointwise)[0]) == len(shown(alone)[0]) >= 3, (len(shown(pointwise)[0]), len(shown(alone)[0]))
    assert len(shown(depthwise)[0]) >= 1


def _every_step(spec, look: Look) -> bool:
    """Whether a render of ``spec`` as ``look`` plays every step of the layer, laid out as it is drawn."""
    from convgif.animation.job import Job
    from convgif.picture.model import shown

    try:
        job = Job(spec, look, max_frames=300)
    except convgif.TooLargeError:
        return False
    every_output = all(len(shown(g)[2]) == g.out_channels for g in job.geometries)  # every group seen computed
    return job.region is None and sum(job.shown) == job.layer_steps and every_output


@pytest.mark.parametrize("seed", range(2))
def test_the_least_width_or_scale_that_draws_every_step_is_said_and_drawing_with_it_does(seed):
    from convgif.animation.job import Job
    from convgif.picture import MAX_SCALE
    from convgif.picture.sizes import MAX_SIDE_PX

    rng = random.Random(seed)
    advised = 0
    for spec in random_layers(rng, 14) + [convgif.Conv2dSpec((3, 7, 7), 2, 3, 2, 1, 2)]:
        look = Look(values=rng.random() < 0.7, width=rng.choice([None, None, 360]))
        try:
            job = Job(spec, look, max_frames=300)
        except convgif.TooLargeError:  # too narrow: the refusal says the least width
            continue
        where = f"{spec!r} {look}"
        if _every_step(spec, look) or job.layer_steps > 300:
            assert job.whole_by == {}, where
            continue
        width, scale = job.whole_by.get("width"), job.whole_by.get("scale")
        if width is not None:  # followed, it draws every step; a pixel less does not
            advised += 1
            assert _every_step(spec, look._replace(width=width)), where
            assert not _every_step(spec, look._replace(width=width - 1)), where
        else:
            assert not _every_step(spec, look._replace(width=MAX_SIDE_PX)), where
        if scale is not None:
            advised += 1
            assert _every_step(spec, look._replace(scale=scale)), where
            assert all(not _every_step(spec, look._replace(scale=n)) for n in range(2, scale)), where
        else:
            assert all(not _every_step(spec, look._replace(scale=n)) for n in range(2, MAX_SCALE + 1)), where
    assert advised  # the layers drawn in part include some a wider page draws whole


def test_a_grouped_layer_is_said_drawn_every_step_only_where_every_group_is_drawn(tmp_path):
    """A step of a grouped convolution writes a cell in every group: playing every step while
    drawing one group's output channels is not drawing every step of the layer, and the advice
    names the channels left out, not the steps already played."""
    from convgif.animation.job import Job
    from convgif.picture.model import shown

    spec = convgif.Conv2dSpec((4, 9, 9), 4, 3, 2, 2, 2, groups=2)
    look = Look(values=True)
    job = Job(spec, look, max_frames=300)
    width = job.whole_by["width"]
    for option in (width - 1, width):
        drawn = Job(spec, look._replace(width=option), max_frames=300)
        every = all(len(shown(g)[2]) == g.out_channels for g in drawn.geometries)
        assert sum(drawn.shown) == drawn.layer_steps == 50 and every == (option == width), option
        assert drawn.whole_by == ({} if every else {"width": width}), option
    result = CliRunner().invoke(
        main,
        ["--in", "4,9,9", "--out", "4", "--k", "3", "--g", "2", "--d", "2", "--p", "2"]
        + ["--s", "2", "--values", "--width", str(width - 1), "-o", str(tmp_path / "x.gif")],
    )
    said = f"note: --width {width} draws every channel as well (each step writes them all)"
    assert said in result.output and "draws every step" not in result.output, result.output


def test_the_command_says_how_to_draw_every_step_and_another_part_only_when_not_asked(tmp_path):
    def run(*args: str) -> str:
        result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "x.gif")])
        assert result.exit_code == 0, result.output
        return result.output

    layer = ["--in", "3,7,7", "--out", "2", "--k", "3", "--p", "1", "--s", "2", "--d", "2", "--values"]
    said = re.search(r"note: --width (\d+) or --scale (\d+) draws every step of the layer \(18\)", run(*layer))
    assert said, run(*layer)
    for option, value in zip(("--width", "--scale"), said.groups()):
        assert " · 18 frames · " in run(*layer, option, value)
    stem = ["--in", "3,224,224", "--out", "64", "--k", "7", "--s", "2", "--p", "3"]
    told = run(*stem)
    assert "--region R0:R1,C0:C1 draws another part" in told and "draws every step" not in told
    asked = run(*stem, "--region", "50:53,108:112")
    assert "note: drew output rows 50–52, columns 108–111 and the input they read\n" in asked
    assert "--region R0:R1" not in asked


def test_the_steps_left_out_are_counted_of_the_part_drawn_and_of_the_whole_layer(tmp_path):
    def told(*args: str) -> str:
        result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "x.gif")])
        assert result.exit_code == 0, result.output
        return result.output

    for cin, cout, k, s, p, h in [(3, 64, 7, 2, 3, 224), (8, 12, 3, 1, 1, 60)]:
        layer = ["--in", f"{cin},{h},{h}", "--out", str(cout), "--k", str(k), "--s", str(s), "--p", str(p)]
        said = told(*layer)
        (ho, wo), (r0, r1), (c0, c1) = (
            [(h + 2 * p - k) // s + 1] * 2,
            *(map(int, m) for m in re.findall(r"(\d+)–(\d+)", said.split("drew output")[1])[:2]),
        )
        part = (r1 - r0 + 1) * (c1 - c0 + 1) * cout
        counted = f"of this part's {part:,} steps; the whole layer has {ho * wo * cout:,})"
        assert counted in said, said
        shown = int(re.search(r"\(([\d,]+) of this part's", said)[1].replace(",", ""))
        assert 0 < shown < part and shown % (part // cout) == 0, said  # the steps of whole channels
    whole = told("--in", "1,5,5", "--out", "16")
    assert "(54 of the layer's 144 steps)" in whole and "this part" not in whole


@pytest.mark.parametrize(
    "spec",
    [
        convgif.MaxPool2dSpec((1, 60, 60), 49),
        convgif.MaxPool3dSpec((1, 60, 60, 60), 49),
        convgif.Conv1dSpec((1, 60), 1, 49),
    ],
)
def test_a_layer_no_part_of_which_fits_the_column_says_why_its_frame_is_wider_and_the_least_width(spec, tmp_path):
    # one output's window of 49 cells holding numbers is wider than the 480-pixel column: drawn past
    # it at the default width, with a note naming what it needs and the width that holds it
    from convgif.animation.job import Job

    job = Job(spec, Look(values=True))
    width = job.size[0]
    assert width > 480 and not job.choice.fits
    note = job.past_column()
    found = re.fullmatch(
        rf"the picture is {width} pixels wide, past the page's 480-pixel column: no part of this layer fits the "
        r"column with readable cells, so a page shrinks it; --width (\d+) is the least that draws it within the "
        r"width \(a narrower one is refused\)",
        note,
    )
    assert found, note
    least = int(found.group(1))
    assert least > 480
    shape = ",".join(map(str, spec.input_shape))
    args = ["--layer", ops.of(spec).name, "--in", shape, "--k", "49", "--values", "-o", str(tmp_path / "x.gif")]
    said = CliRunner().invoke(main, [*args, *(["--out", "1"] if ops.of(spec).name == "Conv1d" else [])])
    assert said.exit_code == 0 and f"note: {note}" in said.output, said.output
    assert Job(spec, Look(values=True, width=least)).size[0] <= least  # followed, it is within the width
    with pytest.raises(convgif.TooLargeError) as refused:  # a pixel less: refused, naming what it needs
        Job(spec, Look(values=True, width=least - 1))
    assert refused.value.argument == "width" and f"width={least - 1} is too narrow" in str(refused.value)
    assert Job(spec, Look(values=True, width=least)).past_column() == ""  # a width given: no note
    assert Job(spec.replace(kernel_size=3)).past_column() == ""  # a layer that fits: none


@pytest.mark.parametrize(
    ("region", "dims", "said"),
    [
        (Region((0, 1), (0, 2)), 2, "row 0, columns 0–1"),
        (Region((2, 5), (3, 4)), 2, "rows 2–4, column 3"),
        (Region((0, 1), (4, 5), 1), 1, "position 4"),
        (Region((0, 1), (4, 9), 1), 1, "positions 4–8"),
    ],
)
def test_a_part_of_one_row_or_column_names_it_in_the_singular(region, dims, said):
    """A part one row (column, position) wide says "row 0", not "rows 0–0"."""
    assert region.text(dims) == said


def test_a_pooling_with_channels_left_out_is_told_how_to_draw_them_not_its_steps(tmp_path):
    """MaxPool3d over (2, 5, 10, 7) plays every step, each writing every channel, with a channel
    left out: the advice names the channels, not steps it already draws."""
    result = CliRunner().invoke(
        main, ["--layer", "MaxPool3d", "--in", "2,5,10,7", "--k", "2", "-o", str(tmp_path / "x.gif")]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"note: --width \d+ or --scale \d+ draws every channel as well", result.output), result.output
    assert "draws every step" not in result.output and " · 30 frames · " in result.output
