"""Layers too large to draw whole: a region of the output, with exactly the input it reads."""

from __future__ import annotations

import re

import numpy as np
import pytest
from click.testing import CliRunner

import convgif
from convgif import ops
from convgif.api import Look, resolve_region
from convgif.cli import main
from convgif.drawing import Region

RESNET = convgif.Conv2dSpec((3, 224, 224), 64, 7, 2, 3, bias=False)
VGG = convgif.Conv2dSpec((3, 224, 224), 64, 3, padding=1)
MOBILENET = convgif.Conv2dSpec((32, 112, 112), 32, 3, padding=1, groups=32)


@pytest.mark.parametrize("spec", [RESNET, VGG, MOBILENET], ids=["resnet-stem", "vgg", "mobilenet-depthwise"])
def test_real_layers_draw_a_top_left_region_within_a_slide(tmp_path, spec):
    result = convgif.render(spec, tmp_path / "x.gif", max_frames=20)
    assert result.region is not None and result.region.rows[0] == 0 and result.region.cols[0] == 0
    assert max(result.size) <= 1000 and result.frames == 20
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
    result = CliRunner().invoke(main, ["--in", "3,224,224", "--k", "7", "--s", "2", "--p", "3", "--out", "64",
                                       "--max-frames", "10", "-o", str(tmp_path / "r.gif")])
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
    "maxpool-indices": (convgif.MaxPool2dSpec((3, 11, 11), 3, 2, 1, dilation=2, return_indices=True, ceil_mode=True), {}),
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
    out_h, out_w = whole.out_size
    dims = whole.dims
    rows = (1, min(out_h, 4)) if dims == 2 else (0, 1)
    region = Region(rows, (2, min(out_w, 6)), dims)
    (drawn,) = op.drawings(spec, recording, region=region, **view)
    (geometry,) = op.geometries(spec, region=region, **view)
    assert drawn.grid.shape[1:] == geometry.grid and drawn.output.shape[1:] == region.size
    assert "output, part" in geometry.output_heading and any(note.startswith("drawn: output ") for note in geometry.notes)
    expected = recording.output.reshape(drawn.output.shape[0], *whole.out_size)[:, slice(*region.rows), slice(*region.cols)]
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
    from convgif.ops.transposed import scatter_extent, scatter_window

    for spec in (
        convgif.ConvTranspose2dSpec((1, 9, 11), 1, 3, stride=2, padding=1, output_padding=1),
        convgif.ConvTranspose2dSpec((1, 8, 8), 1, (2, 3), stride=(3, 1), padding=(0, 2), dilation=(1, 3)),
        convgif.ConvTranspose2dSpec((1, 10, 10), 1, 3, stride=1, dilation=4),
    ):
        _, ho, wo = spec.output_shape
        for region in (Region((0, 3), (0, 3)), Region((2, ho), (1, 4)), Region((ho - 1, ho), (wo - 2, wo))):
            reach = [
                (y, x) for y in range(spec.input_shape[1]) for x in range(spec.input_shape[2])
                if _hits(scatter_window(spec, y, x)[0], region.rows) and _hits(scatter_window(spec, y, x)[1], region.cols)
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
    result = convgif.render(spec, tmp_path / "x.gif", max_frames=8)
    assert result.region is not None and max(result.size) <= 1000
    cells = result.region.size[0] * result.region.size[1]
    assert cells >= (16 if result.region.dims == 2 else 8)  # a part worth looking at, not a single window


def test_channels_computed_apart_give_way_to_a_larger_part():
    """A max pool over 64 channels draws one channel of a large part rather than six of a
    sliver; a convolution summing its channels keeps at least three."""
    view = resolve_region(convgif.MaxPool2dSpec((64, 112, 112), 3, 2, 1), Look(), {})
    assert view["region"].channels == 1 and view["region"].size[0] >= 8
    view = resolve_region(convgif.Conv2dSpec((64, 56, 56), 64, 3, padding=1), Look(), {})
    assert view["region"].channels in (None, 3)


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
