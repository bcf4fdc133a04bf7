"""Layers too large to draw whole: a region of the output, with exactly the input it reads."""

from __future__ import annotations

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


def test_the_command_says_what_part_it_drew_and_refuses_regions_it_cannot_draw(tmp_path):
    result = CliRunner().invoke(main, ["--in", "3,224,224", "--k", "7", "--s", "2", "--p", "3", "--out", "64",
                                       "--max-frames", "10", "-o", str(tmp_path / "r.gif")])
    assert result.exit_code == 0, result.output
    assert "note: drew output rows 0–" in result.output and "--region" in result.output
    result = CliRunner().invoke(main, ["--in", "3,24,24", "--region", "0:30,0:2", "-o", str(tmp_path / "x.gif")])
    assert result.exit_code == 2 and "'--region'" in result.output and "within the output" in result.output
    result = CliRunner().invoke(main, ["--layer", "MaxPool2d", "--in", "1,8,8", "--k", "2", "--region", "0:2,0:2",
                                       "-o", str(tmp_path / "x.gif")])
    assert result.exit_code == 2 and "'--region'" in result.output and "MaxPool2d" in result.output
    assert not (tmp_path / "x.gif").exists()
    info = CliRunner().invoke(main, ["info", "--in", "3,224,224", "--k", "7", "--s", "2", "--p", "3", "--out", "64"])
    assert "a render draws only output rows 0–" in info.output


def test_a_region_reads_the_same_numbers_as_the_whole_layer(tmp_path):
    spec = convgif.Conv2dSpec((1, 12, 12), 1, 3, padding=1)
    whole = convgif.record(spec)
    (part,) = ops.of(spec).drawings(spec, whole, region=Region((0, 12), (0, 12)))
    (full,) = ops.of(spec).drawings(spec, whole)
    assert np.array_equal(part.grid, full.grid) and np.array_equal(part.output, full.output)
