from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from convgif import Conv2dSpec, SpecError, ops, record
from convgif.cli import main
from convgif.images import load_image
from convgif.kernels import PRESETS, weights_for
from convgif.layout import plan
from convgif.overlay import Animation
from convgif.paint import BLACK, WHITE
from convgif.scene import PRIMARIES

SHAPES = Path(__file__).resolve().parent.parent / "examples" / "shapes.png"


def pixel_animation(spec, rec):
    """The recording drawn as a picture's pixels."""
    (drawn,) = ops.of(spec).drawings(spec, rec, pixels=True)
    return Animation(drawn, plan(drawn.geometry))


def test_grey_and_rgb_pictures_resized_to_the_input(tmp_path):
    grey = load_image(SHAPES, Conv2dSpec((1, 32, 24)))
    assert grey.shape == (1, 32, 24) and grey.dtype == np.int64
    assert grey.min() < 60 and grey.max() > 200  # dark shapes on a light ground
    path = tmp_path / "rgb.png"
    Image.new("RGB", (10, 10), (200, 10, 30)).save(path)
    rgb = load_image(path, Conv2dSpec((3, 5, 5)))
    assert rgb.shape == (3, 5, 5) and tuple(rgb[:, 0, 0]) == (200, 10, 30)


def test_pictures_need_one_or_three_channels_and_a_readable_file(tmp_path):
    with pytest.raises(SpecError) as error:
        load_image(SHAPES, Conv2dSpec((2, 8, 8)))
    assert error.value.argument == "image" and "1 channel (grey) or 3 (RGB)" in str(error.value)
    (tmp_path / "not.png").write_text("hello")
    with pytest.raises(SpecError, match="could not be read as a picture"):
        load_image(tmp_path / "not.png", Conv2dSpec((1, 8, 8)))


def test_pixels_are_drawn_as_greys_and_the_edge_map_in_grey():
    spec = Conv2dSpec((1, 16, 16), 1, 3, bias=False)
    x = load_image(SHAPES, spec)
    rec = record(spec, input=x, weight=weights_for(spec, PRESETS["sobel-x"]))
    r = pixel_animation(spec, rec)
    colours = r.palette.colors
    greys = [colours[i] for i in r.scene.colours.inputs[0]]
    assert greys[0] == BLACK and greys[-1] == WHITE and all(c[0] == c[1] == c[2] for c in greys)
    assert all(c[0] == c[1] == c[2] for c in (colours[i] for i in r.scene.colours.outputs))
    dark, light = np.unravel_index(x[0].argmin(), x[0].shape), np.unravel_index(x[0].argmax(), x[0].shape)
    assert r.scene.in_bins[(0, *dark)] < r.scene.in_bins[(0, *light)]


def test_rgb_channels_each_in_their_colour():
    spec = Conv2dSpec((3, 4, 4), 1, 3)
    x = np.stack([np.full((4, 4), 255), np.zeros((4, 4)), np.full((4, 4), 255)]).astype(np.int64)
    r = pixel_animation(spec, record(spec, input=x))
    tops = [r.palette.colors[row[-1]] for row in r.scene.colours.inputs]
    assert tops == list(PRIMARIES)


def test_cli_edge_map_of_the_shipped_picture(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["--in", "1,32,32", "--image", str(SHAPES), "--kernel", "sobel-x", "--no-bias", "-q"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert result.output == "conv2d_1x32x32_out1_k3_nobias_shapes_sobel-x.gif\n"
    result = CliRunner().invoke(main, ["--in", "2,8,8", "--image", str(SHAPES)])
    assert result.exit_code == 2 and "'--image'" in result.output
