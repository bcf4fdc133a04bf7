"""The padding, up-sampling and shuffling layers from the command line, the ``--layer`` line and
the Python API: their options, their refusals (exit 2 naming the option) and a drawing of each."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from PIL import Image

import convgif
from convgif import ops
from convgif.api import render_still
from convgif.cli import main
from convgif.cli.options import parse


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_the_options_reach_the_specs():
    spec = parse(["--layer", "ReflectionPad2d", "--in", "1,4,4", "--p", "1,2,0,3"]).spec
    assert spec.padding == (1, 2, 0, 3) and spec.output_shape == (1, 7, 7)
    assert parse(["--layer", "ZeroPad1d", "--in", "2,5", "--p=-1,2"]).spec.output_shape == (2, 6)
    assert parse(["--layer", "ConstantPad2d", "--in", "1,3,3", "--p", "1", "--value", "-1"]).spec.fill == -1.0
    up = parse(
        ["--layer", "upsample", "--in", "2,3,4", "--scale-factor", "2,1.5", "--mode", "bicubic", "--align-corners"]
    )
    assert up.spec.scale_factor == (2.0, 1.5) and up.spec.output_shape == (2, 6, 6) and up.spec.align_corners is True
    assert parse(["--layer", "Upsample", "--in", "1,3,3", "--size", "5,7"]).spec.output_shape == (1, 5, 7)
    assert parse(["--layer", "PixelShuffle", "--in", "9,2,2", "--upscale-factor", "3"]).spec.output_shape == (1, 6, 6)
    assert parse(["--layer", "PixelUnshuffle", "--in", "4,4", "--downscale-factor", "2"]).spec.output_shape == (4, 2, 2)
    assert parse(["--layer", "ChannelShuffle", "--in", "4,3,3", "--g", "2"]).spec.groups == 2


@pytest.mark.parametrize(
    ("args", "option", "words"),
    [
        (
            ["--layer", "ReflectionPad2d", "--in", "1,4,4", "--p", "4"],
            "'--p' / '--padding'",
            "less than the axis's size 4",
        ),
        (["--layer", "ConstantPad2d", "--in", "1,4,4", "--p", "1"], "'--value'", "needs value: it has no default"),
        (["--layer", "ReflectionPad2d", "--in", "1,4,4", "--p", "1", "--k", "3"], "'--k' / '--kernel-size'", "has no"),
        (["--layer", "Upsample", "--in", "1,4,4"], "'--scale-factor'", "give size or scale_factor"),
        (["--layer", "Upsample", "--in", "1,4,4", "--scale-factor", "2", "--mode", "linear"], "'--mode'", "(C, L)"),
        (["--layer", "Upsample", "--in", "1,4,4", "--scale-factor", "x"], "'--scale-factor'", "must be a number"),
        (
            ["--layer", "Upsample", "--in", "1,4,4", "--scale-factor", "2", "--align-corners"],
            "'--align-corners'",
            "only",
        ),
        (["--layer", "PixelShuffle", "--in", "3,4,4", "--upscale-factor", "2"], "'--upscale-factor'", "groups of 2²"),
        (["--layer", "ChannelShuffle", "--in", "6,4,4", "--g", "4"], "'--g' / '--groups'", "must divide the channels"),
        (
            ["--layer", "UpsamplingBilinear2d", "--in", "1,4,4", "--scale-factor", "2", "--mode", "nearest"],
            "'--mode'",
            "",
        ),
    ],
)
def test_refusals_exit_2_naming_the_option(args, option, words):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert option in result.output and words in result.output, result.output


def test_layer_lines_as_print_model_shows_them():
    for line, shape, output in [
        ("ReflectionPad2d((1, 1, 2, 0))", "1,3,3", (1, 5, 5)),
        ("ConstantPad2d(padding=(1, 1, 1, 1), value=0.5)", "1,3,3", (1, 5, 5)),
        ("Upsample(scale_factor=2.0, mode='bilinear')", "1,3,3", (1, 6, 6)),
        ("UpsamplingBilinear2d(scale_factor=2.0, mode='bilinear')", "1,3,3", (1, 6, 6)),
        ("PixelShuffle(upscale_factor=2)", "4,2,2", (1, 4, 4)),
        ("ChannelShuffle(groups=2)", "4,2,2", (4, 2, 2)),
    ]:
        assert parse(["--layer", line, "--in", shape]).spec.output_shape == output, line
    result = run("--layer", "UpsamplingBilinear2d(scale_factor=2.0, mode='nearest')", "--in", "1,3,3")
    assert result.exit_code == 2 and "supports only 'bilinear'" in result.output


DRAWN = [
    ("ReflectionPad2d", dict(input_shape=(2, 3, 3), padding=(1, 2, 1, 0))),
    ("ReplicationPad1d", dict(input_shape=(2, 4), padding=2)),
    ("ZeroPad2d", dict(input_shape=(1, 3, 3), padding=(-1, 1, 1, 0))),
    ("ConstantPad1d", dict(input_shape=(1, 4), padding=(1, 2), value=-0.5)),
    ("CircularPad2d", dict(input_shape=(1, 3, 3), padding=1)),
    ("Upsample", dict(input_shape=(1, 2, 3), scale_factor=2, mode="bicubic")),
    ("Upsample", dict(input_shape=(2, 3), size=5, mode="linear", align_corners=True)),
    ("UpsamplingNearest2d", dict(input_shape=(1, 2, 2), scale_factor=2)),
    ("UpsamplingBilinear2d", dict(input_shape=(1, 2, 2), size=3)),
    ("PixelShuffle", dict(input_shape=(4, 2, 2), upscale_factor=2)),
    ("PixelUnshuffle", dict(input_shape=(1, 4, 4), downscale_factor=2)),
    ("ChannelShuffle", dict(input_shape=(4, 2, 2), groups=2)),
    ("checkerboard", dict(input_shape=(2, 2))),
]


@pytest.mark.parametrize(("name", "arguments"), DRAWN, ids=[f"{n}-{i}" for i, (n, _) in enumerate(DRAWN)])
def test_every_kind_draws_in_both_themes(name, arguments):
    spec = ops.operation(name).build(**arguments)
    for theme in ("light", "dark"):
        result = render_still(spec, io.BytesIO(), step=2, theme=theme)
        picture = Image.open(io.BytesIO(result.data))
        assert picture.size == result.size and result.caption == spec.caption
    assert convgif.render(spec, io.BytesIO(), max_frames=0).frames == spec.steps


def test_render_takes_the_torch_module_itself(tmp_path):
    torch = pytest.importorskip("torch")
    result = convgif.render(
        torch.nn.Upsample(scale_factor=2, mode="bilinear"), tmp_path / "up.gif", input_shape=(1, 2, 2)
    )
    assert result.frames == 16 and "mode='bilinear'" in result.caption
    shuffled = convgif.render(torch.nn.PixelShuffle(2), tmp_path / "ps.gif", input_shape=(4, 2, 2))
    assert shuffled.frames == 4
