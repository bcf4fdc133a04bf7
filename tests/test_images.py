import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from convgif import Conv2dSpec, SpecError, ops, record
from convgif.cli import main
from convgif.inputs.images import load_image
from convgif.inputs.kernels import PRESETS, weights_for
from convgif.picture.layout import plan
from convgif.picture.overlay import Animation
from convgif.picture.paint import BLACK, WHITE
from convgif.picture.scene import PRIMARIES

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
        main,
        ["--in", "1,32,32", "--image", str(SHAPES), "--kernel", "sobel-x", "--no-bias", "-q"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert result.output == "conv2d_1x32x32_out1_k3_nobias_shapes_sobel-x.gif\n"
    result = CliRunner().invoke(main, ["--in", "2,8,8", "--image", str(SHAPES)])
    assert result.exit_code == 2 and "'--image'" in result.output


# -- pictures too large to read, and files that are not pictures -------------------------------


def png_header(width: int, height: int, colour_type: int = 0) -> bytes:
    """A tiny PNG file whose header claims ``width`` × ``height`` pixels (with no pixel data)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_a_picture_over_the_size_limit_is_refused_before_it_is_decoded(tmp_path):
    from convgif.inputs.images import MAX_PIXELS

    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_header(20_000, 20_000))
    assert bomb.stat().st_size < 100 and MAX_PIXELS == 50_000_000
    with pytest.raises(SpecError) as error:
        load_image(bomb, Conv2dSpec((1, 8, 8)))
    assert error.value.argument == "image"
    assert str(error.value) == f"image={str(bomb)!r} has 400,000,000 pixels, over the limit of 50,000,000 pixels"
    wide = tmp_path / "wide.png"
    wide.write_bytes(png_header(10_000, 6_000, colour_type=2))  # under Pillow's own guard, over ours
    with pytest.raises(SpecError, match="is 10000×6000 pixels .60,000,000., over the limit of 50,000,000 pixels"):
        load_image(wide, Conv2dSpec((3, 8, 8)))


def test_pillows_lower_guard_is_respected(tmp_path, monkeypatch):
    path = tmp_path / "a.png"
    Image.new("L", (100, 100)).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 6_000)  # 10,000 pixels: Pillow warns
    with pytest.raises(SpecError, match="has 10,000 pixels, over the limit of 6,000 pixels"):
        load_image(path, Conv2dSpec((1, 8, 8)))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000)  # Pillow refuses
    with pytest.raises(SpecError, match="has 10,000 pixels, over the limit of 1,000 pixels"):
        load_image(path, Conv2dSpec((1, 8, 8)))


def test_an_input_too_large_for_a_picture_is_refused():
    with pytest.raises(SpecError, match="too large for a picture") as error:
        load_image(SHAPES, Conv2dSpec((1, 10_000, 6_000)))
    assert error.value.argument == "input_shape"


@pytest.mark.parametrize(
    "content",
    [
        b"",
        SHAPES.read_bytes()[:200],
        SHAPES.read_bytes()[: SHAPES.stat().st_size // 2],
        png_header(8, 8),
        png_header(0, 8),
        b"GIF89a\xff\xff\xff\xff",
        b"BM" + bytes(60),
        b"P5\n4 4\n255\n" + bytes(3),
        b"hello",
    ],
)
def test_damaged_files_are_refused_naming_the_image(tmp_path, content):
    path = tmp_path / "damaged.png"
    path.write_bytes(content)
    with pytest.raises(SpecError, match="could not be read as a picture|has no pixels|empty file") as error:
        load_image(path, Conv2dSpec((1, 8, 8)))
    assert error.value.argument == "image" and str(path) in str(error.value)
    message = str(error.value)
    assert "_io." not in message and "<" not in message, message  # Pillow's file object, not the file
    if "could not be read" in message:
        assert "(PNG, JPEG, GIF, BMP, TIFF, WebP, ...)" in message
        said = message.split("...): ", 1)[1]
        assert re.match(
            r"(its bytes are in none of these formats|the picture's data ends early|its data is damaged)", said
        )


def test_cli_refuses_a_huge_picture_naming_the_option(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bomb.png").write_bytes(png_header(20_000, 20_000))
    result = CliRunner().invoke(main, ["--in", "1,8,8", "--image", "bomb.png", "-o", "a.gif"])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert "Invalid value for '--image': image='bomb.png' has 400,000,000 pixels" in result.output
    assert not (tmp_path / "a.gif").exists()


def test_a_pictures_thumbnail_levels_are_its_values_rounded_and_clipped_band_by_band():
    from convgif.picture.scene import _levels

    rng = np.random.default_rng(5)
    for values in (
        rng.uniform(-40, 300, (3, 23, 7)),
        rng.integers(-40, 300, (1, 23, 7)),
        rng.normal(128, 90, (3, 5, 4)),
    ):
        for rows in (1, 4, 23, 512):  # bands that split the rows, and one band for all
            levels = _levels(values, rows)
            assert levels.dtype == np.uint8
            assert np.array_equal(levels, np.clip(np.rint(values), 0, 255).astype(np.uint8))
