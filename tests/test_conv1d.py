"""Conv1d: PyTorch's acceptance, shapes, parameters and values, drawn as rows of cells."""

import random
import warnings
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from gifs import displayed_frames

import convgif
from convgif import Conv1dSpec, SpecError, record
from convgif.cli import main
from convgif.ops.conv import CONV1D

MODES = ["zeros", "reflect", "replicate", "circular"]


def random_args(rng: random.Random):
    shape = (rng.randint(1, 4), rng.randint(1, 9))
    args = dict(
        out_channels=rng.choice([1, 2, 3, 4]),
        kernel_size=rng.randint(1, 5),
        stride=rng.randint(1, 3),
        padding=rng.choice([0, 1, 2, 3, -1, -2, "same", "valid"]),
        dilation=rng.randint(1, 3),
        groups=rng.choice([1, 2, 3]),
        bias=rng.random() < 0.5,
        padding_mode=rng.choice(MODES),
    )
    return shape, args


# (input_shape, arguments, output_shape or the argument refused), recorded from torch 2.13
TABLE = [
    ((3, 9), dict(out_channels=2, kernel_size=3, padding=1), (2, 9)),
    ((9,), dict(kernel_size=4, padding="same"), (1, 9)),
    ((1, 5), dict(kernel_size=3, padding=-1, padding_mode="reflect"), (1, 1)),
    ((1, 5), dict(kernel_size=3, padding=5, padding_mode="reflect"), "padding"),
    ((1, 5), dict(kernel_size=3, padding=5, padding_mode="circular"), (1, 13)),
    ((1, 5), dict(kernel_size=3, padding=6, padding_mode="circular"), "padding"),
    ((2, 5), dict(out_channels=3, groups=2), "groups"),
    ((1, 5), dict(kernel_size=3, dilation=3), "kernel_size"),
    ((1, 5), dict(kernel_size=3, stride=2, padding="same"), "padding"),
    ((1, 5), dict(kernel_size=(3, 3)), "kernel_size"),
    ((3, 7, 7), dict(), "input_shape"),
]


@pytest.mark.parametrize("shape, args, expected", TABLE)
def test_table_of_pytorch_behaviour(shape, args, expected):
    if isinstance(expected, str):
        with pytest.raises(SpecError) as error:
            Conv1dSpec(shape, **args)
        assert error.value.argument == expected
    else:
        assert Conv1dSpec(shape, **args).output_shape == expected


def test_caption_uses_one_tuples():
    spec = Conv1dSpec((3, 9), 2, 3, padding=1)
    assert spec.caption == (
        "Input Shape : (3, 9) — Output Shape : (2, 9) — K : (3,) — P : (1,) — S : (1,) — D : (1,) — G : 1"
    )
    assert spec.num_parameters == 2 * 3 * 3 + 2 and spec.steps == 18 and spec.kernel_size == (3,)


def test_acceptance_shapes_parameters_and_values_agree_with_torch():
    torch = pytest.importorskip("torch")
    rng = random.Random(7)
    accepted = 0
    for i in range(400):
        shape, args = random_args(rng)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                layer = torch.nn.Conv1d(shape[0], **args).double()
                expected = layer(torch.zeros(1, *shape, dtype=torch.float64))
        except (RuntimeError, ValueError):
            with pytest.raises(SpecError):
                Conv1dSpec(shape, **args)
            continue
        spec = Conv1dSpec(shape, **args)
        assert spec.output_shape == tuple(expected.shape[1:])
        assert spec.num_parameters == sum(p.numel() for p in layer.parameters())
        rec = record(spec, seed=i)
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(rec.weight).double())
            if rec.bias is not None:
                layer.bias.copy_(torch.from_numpy(rec.bias).double())
            got = layer(torch.from_numpy(rec.input[None]).double())[0].numpy()
        np.testing.assert_array_equal(got, rec.output)
        accepted += 1
    assert accepted > 100


def test_recording_has_conv1d_shapes_and_placements():
    spec = Conv1dSpec((2, 7), 2, 3, stride=2, dilation=2, padding=1)
    rec = record(spec, seed=3)
    assert rec.input.shape == (2, 7) and rec.padded.shape == (2, 9) and rec.weight.shape == (2, 2, 3)
    assert rec.output.shape == (2, 3)
    first = rec.placements[4]
    assert first.out_index == (1, 1)
    np.testing.assert_array_equal(first.taps, [[0, 2], [0, 4], [0, 6], [1, 2], [1, 4], [1, 6]])
    taps = first.taps
    assert first.value == (rec.padded[taps[:, 0], taps[:, 1]] * rec.weight[1].ravel()).sum() + rec.bias[1]
    planar = CONV1D.drawings(spec, rec)[0]
    assert planar.geometry.layer == spec.as_conv2d() and planar.output.shape == (2, 1, 3)


def test_cli_renders_rows_of_cells_with_the_conv1d_caption(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["--conv1d", "--in", "3,9", "--out", "2", "--k", "3", "--p", "1"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    name, summary = result.output.splitlines()
    assert name == "conv1d_3x9_out2_k3_p1.gif" and summary.startswith("output (2, 9) · 20 parameters · 18 frames")
    assert len(displayed_frames(Path(name))) == 18
    layout = convgif.picture.layout.plan(CONV1D.geometries(Conv1dSpec((3, 9), 2, 3, padding=1))[0])
    assert layout.texts[0][0].startswith("Input Shape : (3, 9)") and layout.geometry.dims == 1


@pytest.mark.parametrize(
    "args, option",
    [
        (["--in", "3,7,7"], "'--in'"),
        (["--in", "3,9", "--k", "3,2"], "'--k'"),
        (["--in", "1,9", "--image", "examples/shapes.png"], "'--image'"),
        (["--in", "1,9", "--kernel", "sobel-x"], "'--kernel'"),
    ],
)
def test_cli_conv1d_errors(args, option, monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    result = CliRunner().invoke(main, ["--conv1d", *args, "-o", "/nonexistent/never.gif"])
    assert result.exit_code == 2 and option in result.output and "Traceback" not in result.output


def test_conv1d_kernel_row_and_step_text(tmp_path):
    from convgif.inputs.kernels import parse_kernel, weights_for

    spec = Conv1dSpec((1, 6), 1, 3, bias=False)
    weight = weights_for(spec, parse_kernel("1,0,-1"))
    assert weight.shape == (1, 1, 3)
    rec = record(spec, input=np.arange(6)[None], weight=weight)
    np.testing.assert_array_equal(rec.output[0], [-2, -2, -2, -2])
    playback = CONV1D.drawings(spec, rec)[0].playback
    for step in range(3):
        playback.advance(step)
    shown = playback.show(2)
    assert shown.text == "out channel 0 · (2,) · step 3/4"
    assert "   ".join(shown.sums) == "y[0, 2] = Σ x·w = -2"
