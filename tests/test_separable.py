"""Depthwise-separable convolutions: a depthwise step, then a pointwise one."""

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from gifs import displayed_frames

import convgif
from convgif import SeparableSpec, SpecError, record
from convgif.cli import main


def test_parameters_against_the_standard_convolution():
    spec = SeparableSpec((16, 7, 7), 32, 3, bias=False)
    assert (spec.num_parameters, spec.standard.num_parameters) == (656, 4608)
    assert spec.comparison == ("parameters: depthwise 16·3·3 + pointwise 32·16·1·1 = 656; standard 32·16·3·3 = 4,608")
    with_bias = SeparableSpec((16, 7, 7), 32, 3)
    assert with_bias.num_parameters == 16 * 9 + 16 + 32 * 16 + 32
    assert spec.depthwise.groups == 16 and spec.pointwise.kernel_size == (1, 1)
    assert spec.output_shape == (32, 5, 5) == spec.standard.output_shape


def test_arguments_are_checked_as_for_the_standard_convolution():
    with pytest.raises(SpecError) as error:
        SeparableSpec((3, 4, 4), 2, 5)
    assert error.value.argument == "kernel_size"
    assert SeparableSpec((3, 8, 8), 2, 3, stride=2, padding=1, padding_mode="reflect").output_shape == (2, 4, 4)


def test_recording_chains_the_two_steps_as_torch_does():
    torch = pytest.importorskip("torch")
    spec = SeparableSpec((4, 6, 6), 6, 3, padding=1, padding_mode="circular")
    rec = record(spec, seed=3)
    np.testing.assert_array_equal(rec.pointwise.input, rec.depthwise.output)
    depthwise = torch.nn.Conv2d(4, 4, 3, padding=1, groups=4, padding_mode="circular").double()
    pointwise = torch.nn.Conv2d(4, 6, 1).double()
    with torch.no_grad():
        for layer, part in ((depthwise, rec.depthwise), (pointwise, rec.pointwise)):
            layer.weight.copy_(torch.from_numpy(part.weight).double())
            layer.bias.copy_(torch.from_numpy(part.bias).double())
        got = pointwise(depthwise(torch.from_numpy(rec.depthwise.input[None]).double()))[0].numpy()
    np.testing.assert_array_equal(got, rec.output)


def test_cli_reports_the_comparison_and_plays_both_steps(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["--separable", "--in", "4,5,5", "--out", "3", "--k", "3", "--no-bias"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    name, summary = result.output.splitlines()
    assert name == "separable_4x5x5_out3_k3_nobias.gif"
    assert "· 48 parameters (a standard convolution: 108) ·" in summary
    spec = SeparableSpec((4, 5, 5), 3, 3, bias=False)
    assert len(displayed_frames(Path(name))) == spec.depthwise.steps + spec.pointwise.steps == 9 + 27
    result = CliRunner().invoke(main, ["--separable", "--in", "4,5,5", "--g", "2"])
    assert result.exit_code == 2 and "'--g' / '--groups'" in result.output


def test_max_frames_bounds_the_steps_of_both_stages_together(tmp_path):
    result = convgif.render(SeparableSpec((4, 9, 9), 6, 3), tmp_path / "s.gif", max_frames=40)
    assert result.frames == result.shown_steps <= 40 and result.region is not None


@pytest.mark.parametrize(("shape", "out"), [((4, 5, 5), 8), ((64, 8, 8), 8), ((1, 3, 3), 2)])
def test_each_stage_keys_its_maps_by_the_names_they_are_labelled(shape, out):
    """The depthwise stage's grids are d[…]: its colour key and its count of maps shown say d,
    as the pointwise stage's input does; the pointwise stage's output is y."""
    from convgif.animation import Look
    from convgif.animation.job import Job
    from convgif.picture.shades import scales_of
    from convgif.picture.sizes import shown_note

    spec = SeparableSpec(shape, out, 3)
    job = Job(spec, Look(values=True), {}, max_frames=4)
    names = []
    for drawn in job.drawings:
        geometry = drawn.geometry
        name = geometry.output_label(0).split("[")[0]
        (key,) = [key for key in scales_of(drawn, values=True).keys if key.role == "output"]
        assert key.name == name
        assert "output channels" not in shown_note(geometry) or name == "y", shown_note(geometry)
        names.append((geometry.input_name, name))
    assert names == [("x", "d"), ("d", "y")]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("mode", ["zeros", "reflect"])
def test_each_backward_picture_says_its_step_and_names_its_gradients_apart(bias, mode):
    """The two steps' gradients are different arrays: every backward picture says which step it
    draws (pointwise first, then depthwise), no two pictures give their outputs the same name,
    dd is said to be the gradient of d, and each named gradient is that step's."""
    from convgif.animation.job import Job

    spec = SeparableSpec((2, 5, 5), 3, 3, padding=1, padding_mode=mode, bias=bias)
    job = Job(spec, view={"backward": True}, max_frames=10**6, grad_output=True)
    names = [d.geometry.output_name for d in job.drawings]
    assert len(set(names)) == len(names), names
    stage = ["pointwise" if n in ("dd", "dw_pw", "db_pw") else "depthwise" for n in names]
    assert stage == sorted(stage, reverse=True), names  # pointwise first: the backward pass runs from dy
    for drawn, step in zip(job.drawings, stage):
        first = drawn.geometry.notes[0]
        assert first.startswith(f"{step} step") and ("2 of 2" if step == "pointwise" else "1 of 2") in first
        assert ("dd = ∂L/∂d (d: the depthwise step's output)" in first) == (step == "pointwise"), first
        assert "dd" in first and ("db_" in first) == bias, first
    by_name = {d.geometry.output_name: d for d in job.drawings}
    rec = job.recording
    pairs = [("dw_pw", rec.grad_pointwise_weight), ("dw_dw", rec.grad_weight)]
    if bias:
        pairs += [("db_pw", rec.grad_pointwise_bias), ("db_dw", rec.grad_bias)]
    for name, want in pairs:
        if want is not None:
            np.testing.assert_allclose(np.sort(np.ravel(by_name[name].output)), np.sort(np.ravel(want)), err_msg=name)
    assert {"dd", "dx", "dw_pw", "dw_dw"} <= set(names) and ({"db_pw", "db_dw"} <= set(names)) == bias


@pytest.mark.parametrize("values", [False, True])
def test_the_two_steps_name_their_weights_apart_as_pytorch_holds_them(values):
    """The depthwise kernel (depthwise.weight, C_in×1×KH×KW) is w_dw and its bias b_dw; the 1×1
    pointwise weight (pointwise.weight, C_out×C_in×1×1) is w_pw and its bias b_pw: in the
    kernels' labels, the keys, the notes and every sum line, never both plain w."""
    import re

    from convgif.animation import Look
    from convgif.animation.job import Job

    spec = SeparableSpec((16, 7, 7), 32, 3)
    job = Job(spec, Look(values=values), {})
    for drawn, scales, w in zip(job.drawings, job.scales, ("w_dw", "w_pw")):
        geometry = drawn.geometry
        assert geometry.kernel_name == w and geometry.kernel_label(0, 0) == f"{w}[0,0]"
        assert [key.name for key in scales.keys if key.role == "kernel"] == [w]
        assert w in geometry.notes[0]
        b = "b" + w[1:]
        for step in range(min(geometry.steps, 40)):
            drawn.playback.advance(step)
            for line in drawn.playback.show(step).sums:
                assert re.search(rf"·{w}\b.* \+ {b} = ", line) and not re.search(r"·w\b|\+ b =", line), line
