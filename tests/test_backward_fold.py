"""The backward pass of Unfold and Fold, drawn as the other layer: Unfold's dx a Fold of dy (a
column added into its window a step), Fold's dx an Unfold of dy (a window read into its column a
step). On random valid layers every step names the window of its placement (by a loop over the
placements), writes what its sum line says (the window before, the column added, their sum; the
values read), rings the cells it reads, and the picture ends on the recording's gradient, which
is torch's."""

from __future__ import annotations

import json
import re
import shlex

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from test_backward import cases, played

from convgif import SpecError, ops
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.cli import main
from convgif.errors import TooLargeError

try:
    import torch
except ImportError:
    torch = None

#: Random layers per kind, played step by step.
CASES = 60


def windows(spec, sizes) -> list[tuple[list[int], list[int]]]:
    """Per placement, in order, the rows and columns of the padded map its window covers (a loop)."""
    (kh, kw), (sh, sw), (dh, dw), (ph, pw) = spec.kernel_size, spec.stride, spec.dilation, spec.padding
    found = []
    top = 0
    while top + dh * (kh - 1) < sizes[0] + 2 * ph:
        left = 0
        while left + dw * (kw - 1) < sizes[1] + 2 * pw:
            found.append(([top + dh * i for i in range(kh)], [left + dw * j for j in range(kw)]))
            left += sw
        top += sh
    return found


def index_text(cells: list[int]) -> str:
    """Rows 1, 3, 5 as the sum lines write them: ``1:6:2`` (``1:2`` for one)."""
    step = cells[1] - cells[0] if len(cells) > 1 else 1
    return f"{cells[0]}:{cells[-1] + 1}" + (f":{step}" if step > 1 else "")


def numbers(text: str) -> np.ndarray:
    return np.array([float(v.replace("−", "-")) for v in text.split(", ")])


def check_unfold_backward(spec, job) -> np.ndarray:
    """Unfold's dx, a Fold of dy: every step checked, the padded map the picture ends on."""
    rec, (drawn,) = job.recording, job.drawings
    dy = np.asarray(rec.grad_output)
    c, kk = spec.in_channels, spec.cells
    p = spec.padding
    canvas = np.zeros((c, spec.input_shape[1] + 2 * p[0], spec.input_shape[2] + 2 * p[1]))
    padded = "pad(dx)" if max(p) else "dx"
    for step, (rows, cols) in enumerate(windows(spec, spec.input_shape[1:])):
        writes = drawn.playback.advance(step)
        shown = drawn.playback.show(step)
        for ch in range(c):
            added = dy[ch * kk : (ch + 1) * kk, step]
            before = canvas[ch][np.ix_(rows, cols)].reshape(-1).copy()
            canvas[ch][np.ix_(rows, cols)] += added.reshape(len(rows), len(cols))
            head = f"{padded}[{ch}, {index_text(rows)}, {index_text(cols)}] = "
            entry = shown.sums[ch]
            assert entry.startswith(head), (entry, head)
            parts = re.findall(r"\(([−\d., e-]+)\)", entry[len(head) :])  # the numbers only
            if len(parts) == 3:
                assert f"{padded} + dy[{ch * kk}:{(ch + 1) * kk}, {step}]" in entry, entry
                np.testing.assert_allclose(numbers(parts[0]), before, rtol=1e-3, atol=1e-3)
                np.testing.assert_allclose(numbers(parts[1]), added, rtol=1e-3, atol=1e-3)
            else:
                assert f"= dy[{ch * kk}:{(ch + 1) * kk}, {step}] = " in entry and not before.any(), entry
            np.testing.assert_allclose(numbers(parts[-1]), before + added, rtol=1e-3, atol=1e-3)
            np.testing.assert_array_equal(shown.reads[ch].cells, [(ch, k, step) for k in range(kk)])
            write = writes[ch]
            np.testing.assert_allclose(write.values, canvas[ch][np.ix_(write.rows, write.cols)])
        assert shown.text == f"column {step} · window from ({rows[0]}, {cols[0]}) · step {step + 1}/{len(dy[0])}"
    np.testing.assert_allclose(canvas, drawn.output)
    return canvas[:, p[0] : p[0] + spec.input_shape[1], p[1] : p[1] + spec.input_shape[2]]


def check_fold_backward(spec, job) -> np.ndarray:
    """Fold's dx, an Unfold of dy: every step checked, the columns the picture ends on."""
    rec, (drawn,) = job.recording, job.drawings
    c, kk = spec.in_channels, spec.cells
    p = spec.padding
    dy = np.pad(np.asarray(rec.grad_output), ((0, 0), (p[0], p[0]), (p[1], p[1])))
    padded = "pad(dy)" if max(p) else "dy"
    dx = np.full((c * kk, spec.input_shape[1]), np.nan)
    for step, (rows, cols) in enumerate(windows(spec, spec.output_size)):
        writes = drawn.playback.advance(step)
        shown = drawn.playback.show(step)
        for ch in range(c):
            read = dy[ch][np.ix_(rows, cols)].reshape(-1)
            entry = shown.sums[ch]
            head = f"dx[{ch * kk}:{(ch + 1) * kk}, {step}] = {padded}[{ch}, {index_text(rows)}, {index_text(cols)}] = "
            assert entry.startswith(head), (entry, head)
            np.testing.assert_allclose(numbers(entry[len(head) + 1 : -1]), read, rtol=1e-3, atol=1e-3)
            cells = {(ch, y, x) for y in rows for x in cols}
            assert {tuple(cell) for cell in shown.reads[ch].cells.tolist()} == cells
            write = writes[ch]
            np.testing.assert_array_equal(write.cols, [step])
            dx[ch * kk : (ch + 1) * kk, step] = write.values.reshape(-1)
            np.testing.assert_allclose(write.values.reshape(-1), read)
    return dx


def torch_grad(name: str, spec, rec) -> np.ndarray:
    f = torch.nn.functional
    x = torch.tensor(rec.input, dtype=torch.float64, requires_grad=True)
    args = dict(kernel_size=spec.kernel_size, dilation=spec.dilation, padding=spec.padding, stride=spec.stride)
    y = f.unfold(x[None], **args) if name == "Unfold" else f.fold(x[None], spec.output_size, **args)
    (grad,) = torch.autograd.grad(y[0], [x], torch.tensor(rec.grad_output, dtype=torch.float64))
    return grad.numpy()


@pytest.mark.parametrize("name", ["Unfold", "Fold"])
def test_every_step_is_the_window_of_its_placement_and_the_picture_ends_on_the_gradient(name):
    generator = np.random.default_rng(5 + len(name))
    drawn_cases = 0
    for case, (spec, shape, _) in enumerate(cases(name, CASES, 4)):
        x = generator.integers(0, 4, shape)
        out_shape = ops.of(spec).record(spec, input=x).output.shape
        dy = generator.integers(-3, 4, out_shape) if case % 3 else generator.normal(size=out_shape).round(2)
        try:
            job = Job(spec, view={"backward": True}, max_frames=10**6, input=x, grad_output=dy)
        except TooLargeError as error:  # drawn whole: a wide layer's fractions do not fit
            assert error.argument == "input_shape" and "drawn whole" in str(error), error
            continue
        drawn_cases += 1
        assert job.total == job.shown[0] == spec.places[0] * spec.places[1]
        dx = (check_unfold_backward if name == "Unfold" else check_fold_backward)(spec, job)
        np.testing.assert_allclose(dx, job.recording.grad_input, err_msg=str(spec))
        if torch is not None:
            np.testing.assert_allclose(dx, torch_grad(name, spec, job.recording), err_msg=str(spec))
        if case % 6 == 0:  # with values, each step's first entry fits its sum line
            try:
                look = Job(spec, Look(values=True), {"backward": True}, max_frames=10**6, input=x, grad_output=dy)
                drawn, layout = look.drawings[0], look.layouts[0]
            except TooLargeError:  # numbers need large cells: drawn without them (above)
                continue
            played(drawn, look.shown[0], layout)
    assert drawn_cases > CASES * 3 // 4, drawn_cases


def test_the_pictures_name_the_gradients_and_a_region_is_refused():
    unfold = ops.operation("Unfold").build(input_shape=(2, 4, 4), kernel_size=2, padding=1, stride=2)
    (geometry,) = ops.of(unfold).backward_geometries(unfold)
    assert (geometry.input_text(1), geometry.output_label(1)) == ("dy[4:8]", "dx[1]")
    assert geometry.output_heading == "dx = ∂L/∂x, on the padded map" and "a Fold of dy" in geometry.notes[0]
    fold = ops.operation("Fold").build(input_shape=(8, 6), output_size=(3, 4), kernel_size=2)
    (geometry,) = ops.of(fold).backward_geometries(fold)
    assert (geometry.input_text(1), geometry.output_label(1)) == ("dy[1]", "dx[4:8]")
    assert "an Unfold of dy" in geometry.notes[0]
    from convgif.picture.model import Region

    with pytest.raises(SpecError) as error:
        ops.of(fold).backward_geometries(fold, region=Region((0, 1), (0, 1)))
    assert error.value.argument == "region"


@pytest.mark.parametrize(
    "line",
    [
        "--layer Unfold --in 2,4,4 --k 2 --p 1 --s 2",
        "--layer Unfold --in 1,5,6 --k 3 --d 2",
        "--layer Fold --in 8,6 --output-size 3,4 --k 2",
        "--layer Fold --in 4,16 --output-size 3,3 --k 2 --p 1",
    ],
)
def test_the_cli_draws_the_backward_pass_and_info_counts_its_steps(line, tmp_path):
    runner = CliRunner()
    out = tmp_path / "b.gif"
    result = runner.invoke(main, [*shlex.split(line), "--backward", "-o", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["info", *shlex.split(line), "--backward", "--json"])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.output)
    with Image.open(out) as gif:
        # a step a window, of every channel (C, the map's; the columns hold C·KH·KW rows): the
        # placements are counted on each channel
        channels = min(facts["input_shape"][0], facts["output_shape"][0])
        assert facts["frames"] == gif.n_frames == facts["steps"] == facts["placements"] // channels
