"""The backward pass of the 3-D paddings and MaxUnpool3d, drawn one input depth slice at a time:
on random valid layers, every step rings exactly the dy cells (in every output depth slice) that
took the input cell's value, by the loop implementation of the padding or by the indices, its sum
line names those cells with their values and adds them up to the value written, and the slices'
dx put together is the recording's gradient, which is torch's."""

from __future__ import annotations

import json
import random
import re
import shlex

import numpy as np
import pytest
import reference_layers as ref
from click.testing import CliRunner
from PIL import Image
from test_backward import cases, played

import convgif
from convgif import SpecError, ops
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.cli import main

try:
    import torch
except ImportError:
    torch = None

PADS = ["ReflectionPad3d", "ReplicationPad3d", "ZeroPad3d", "ConstantPad3d", "CircularPad3d"]
KINDS = [*PADS, "MaxUnpool3d"]
#: Random layers per kind, played step by step.
CASES = 40


def taken_by(spec, rec) -> dict:
    """Per input cell (c, d, y, x), the output cells (c, z, oy, ox) that took its value: by the
    loop implementation of the padding, axis by axis, or by the unpooling's indices."""
    found: dict = {}
    if spec.NAME.startswith("MaxUnpool"):
        sizes = spec.output_shape[1:]
        for (c, d, y, x), index in np.ndenumerate(rec.indices):
            found.setdefault((c, d, y, x), set()).add((c, *(int(v) for v in np.unravel_index(int(index), sizes))))
        return found
    axes = [
        [ref._pad_source(p, n, before, after, spec.MODE) for p in range(size)]
        for n, (before, after), size in zip(spec.input_shape[1:], spec.pads[1:], spec.output_shape[1:])
    ]
    for z, oy, ox in np.ndindex(*spec.output_shape[1:]):
        source = (axes[0][z], axes[1][oy], axes[2][ox])
        if None not in source:
            for c in range(spec.in_channels):
                found.setdefault((c, *source), set()).add((c, z, oy, ox))
    return found


def number(text: str) -> float:
    return float(text.strip().replace("−", "-"))


def terms(expression: str) -> list[float]:
    """The signed numbers of ``a + b − c``."""
    return [number(t) for t in expression.replace(" − ", " + -").split(" + ")]


def check_entry(entry: str, head: str, want: float, cells: set, dy: np.ndarray, held, where) -> None:
    """A gather's sum-line entry: it names ``head``, writes ``want``, and adds up the dy of
    exactly ``cells``, each named with its value (or, past a few, listed by value), to what dx
    ``held`` before the picture (None: nothing, the first picture to gather into it)."""
    assert entry.startswith(f"{head} = "), (entry, head, where)
    rest = entry[len(head) + 3 :]
    if rest == "0: no output cell took it":
        assert not cells and want == 0 and not held, (entry, cells, where)
        return
    index = re.search(r" \(index (\d+)\)$", rest)
    if index is not None:
        (cell,) = cells
        assert np.unravel_index(int(index.group(1)), dy.shape[1:]) == cell[1:], (entry, where)
        rest = rest[: index.start()]
    parts = rest.split(" = ")
    total = number(parts[-1])
    assert total == pytest.approx(want, rel=1e-3, abs=1e-3), (entry, want, where)
    values = sorted(float(dy[cell]) for cell in cells)
    body = parts[0]
    if held is not None:  # what dx held, then what this picture adds
        first = re.match(r"(\S+) ([+−]) (.*)$", body)
        assert first is not None and number(first.group(1)) == pytest.approx(held, rel=1e-3, abs=1e-3), (entry, where)
        body = first.group(3) if first.group(2) == "+" else body
    if body.startswith("Σ"):
        assert body == f"Σ dy over the {len(cells)} cells ringed", (entry, where)
        return
    if body.startswith("dy["):
        named = {tuple(map(int, m)) for m in re.findall(r"dy\[(\d+), (\d+), (\d+), (\d+)\]", body)}
        assert named == cells, (entry, cells, where)
        listed = terms(parts[1]) if len(parts) == 3 else [total]
    elif held is not None and body.startswith("("):  # what dx held, then the terms by value in brackets
        assert body.endswith(")"), (entry, where)
        listed = [held, *terms(body[1:-1])]
    else:
        listed = terms(parts[0])
    if held is not None:
        assert listed[0] == pytest.approx(held, rel=1e-3, abs=1e-3), (entry, held, where)
        listed = listed[1:]
    assert sorted(listed) == pytest.approx(values, rel=1e-3, abs=1e-3), (entry, values, where)
    assert sum(listed) + (held or 0) == pytest.approx(total, rel=1e-3, abs=1e-2), (entry, where)


def play(spec, job) -> np.ndarray:
    """Every picture played step by step, each step checked; the dx the pictures write, (C, D, H, W)."""
    rec = job.recording
    dy = np.asarray(rec.grad_output)
    took = taken_by(spec, rec.forward)
    dx = np.full(rec.grad_input.shape, np.nan)
    before, total = 0, sum(job.shown)  # the slices of dx counted as one
    for drawn, steps in zip(job.drawings, job.shown):
        geometry = drawn.geometry
        d = int(re.fullmatch(r"dx\[0, (\d+)\]", geometry.output_label(0)).group(1))
        inputs = range(geometry.in_channels) if geometry.inputs_drawn else ()  # the dy slices drawn
        labels = [tuple(map(int, re.findall(r"\d+", geometry.input_text(i)))) for i in inputs]
        depths = {z for _, z in labels}
        assert steps == drawn.output.shape[1] * drawn.output.shape[2] or steps == 1
        if drawn.start is not None:  # adding to what earlier pictures gathered into dx[:, d]
            np.testing.assert_allclose(drawn.start, dx[:, d])
        for step in range(steps):
            writes = drawn.playback.advance(step)
            shown = drawn.playback.show(step)
            for write in writes:
                dx[write.channel, d][np.ix_(write.rows, write.cols)] = write.values
            if steps == 1 and not geometry.inputs_drawn:  # no output cell took the slice
                assert not any(key[1] == d for key in took), (spec, d)
                assert shown.sums == tuple(f"dx[{c}, {d}, :, :] = 0" for c in range(spec.in_channels))
                continue
            y, x = divmod(step, drawn.output.shape[2])
            for c in range(spec.in_channels):
                cells = {(labels[ch][0], labels[ch][1], oy, ox) for ch, oy, ox in shown.reads[c].cells.tolist()}
                want = {cell for cell in took.get((c, d, y, x), set()) if cell[1] in depths}
                assert cells == want, (spec, (c, d, y, x), cells, want)
                head = f"dx[{c}, {d}, {y}, {x}]"
                held = None if drawn.start is None else drawn.start[c, y, x]
                check_entry(shown.sums[c], head, dx[c, d, y, x], want, dy, held, (spec, step))
            assert shown.text.startswith(f"dx at ({d}, {y}, {x}) · step {before + step + 1}/{total}"), shown.text
        before += steps
    return dx


def torch_grad(name: str, spec, rec) -> np.ndarray:
    f = torch.nn.functional
    x = torch.tensor(rec.input, dtype=torch.float64, requires_grad=True)
    if name == "MaxUnpool3d":
        indices = torch.tensor(rec.indices)[None]
        y = f.max_unpool3d(x[None], indices, spec.kernel_size, spec.stride, spec.padding, spec.output_shape[1:])
    else:
        value = spec.fill if name.startswith("Constant") else 0.0
        mode = {"reflect": "reflect", "replicate": "replicate", "circular": "circular"}.get(spec.MODE, "constant")
        y = f.pad(x[None], spec.padding, mode=mode, **({"value": value} if mode == "constant" else {}))
    (grad,) = torch.autograd.grad(y[0], [x], torch.tensor(rec.grad_output, dtype=torch.float64))
    return grad.numpy()


@pytest.mark.parametrize("name", KINDS)
def test_every_step_gathers_the_cells_that_took_the_value_and_the_slices_make_the_gradient(name):
    generator = np.random.default_rng(len(name))
    drawn_cases = 0
    for case, (spec, shape, _) in enumerate(cases(name, CASES, 3)):
        values = {} if name == "MaxUnpool3d" else {"input": generator.integers(0, 4, shape)}
        out_shape = convgif.record(spec, **values).output.shape
        dy = generator.integers(-3, 4, out_shape) if case % 3 else generator.normal(size=out_shape).round(2)
        try:
            job = Job(spec, view={"backward": True}, max_frames=10**6, **values, grad_output=dy)
        except SpecError as error:  # what the forward pictures refuse too (padding the channels)
            assert error.argument == "padding" and spec.pads_channels, (spec, error)
            continue
        assert job.total == sum(job.shown)
        dx = play(spec, job)
        np.testing.assert_allclose(dx, job.recording.grad_input, err_msg=str(spec))
        if torch is not None:
            np.testing.assert_allclose(dx, torch_grad(name, spec, job.recording), err_msg=str(spec))
        if case % 8 == 0:  # with values, each step's first entry fits its sum line
            look = Job(spec, Look(values=True), {"backward": True}, max_frames=10**6, **values, grad_output=dy)
            for drawn, steps, layout in zip(look.drawings, look.shown, look.layouts):
                played(drawn, steps, layout)
        drawn_cases += 1
    assert drawn_cases >= CASES // 2, (name, drawn_cases)


def test_a_cropped_input_slice_is_one_step_of_zeros_and_a_copied_one_gathers_every_copy():
    spec = ops.operation("ZeroPad3d").build(input_shape=(1, 3, 2, 2), padding=(0, 0, 0, 0, -1, 1))
    job = Job(spec, view={"backward": True}, max_frames=10**6, grad_output=True)
    assert job.shown == [1, 4, 4] and not job.drawings[0].geometry.inputs_drawn
    np.testing.assert_array_equal(play(spec, job), job.recording.grad_input)
    spec = ops.operation("ReplicationPad3d").build(input_shape=(1, 2, 2, 2), padding=(0, 0, 0, 0, 2, 0))
    job = Job(spec, view={"backward": True}, max_frames=10**6, grad_output=True)
    pictures = [(d.geometry.input_text(0), d.geometry.output_label(0)) for d in job.drawings]
    assert pictures == [
        ("dy[0, 0]", "dx[0, 0]"),
        ("dy[0, 1]", "dx[0, 0]"),
        ("dy[0, 2]", "dx[0, 0]"),
        ("dy[0, 3]", "dx[0, 1]"),
    ]
    assert [d.start is None for d in job.drawings] == [True, False, False, True]  # dx[:, 0] adds up three slices
    assert job.drawings[2].geometry.notes[1].endswith("adding to what depths 0, 1 sent it")
    np.testing.assert_array_equal(play(spec, job), job.recording.grad_input)


def test_indices_given_by_hand_outside_their_windows_depths_are_refused_naming_them():
    spec = ops.operation("MaxUnpool3d").build(input_shape=(1, 2, 2, 2), kernel_size=2)
    indices = np.zeros((1, 2, 2, 2), dtype=np.int64)  # every value to (0, 0, 0): from depth 1 too
    rec = convgif.record(spec, input=np.arange(8).reshape(1, 2, 2, 2), indices=indices, grad_output=True)
    with pytest.raises(SpecError, match=r"input cell \(1, 0, 0\) of channel 0 takes its gradient from output depth 0"):
        ops.of(spec).backward_drawings(spec, rec)


@pytest.mark.parametrize(
    "line",
    [
        "--layer ReflectionPad3d --in 1,3,3,3 --p 1",
        "--layer ReplicationPad3d --in 2,2,3,3 --p 1,0,0,1,2,0",
        "--layer ZeroPad3d --in 1,3,2,2 --p 1,0,1,0,-1,1",
        "--layer ConstantPad3d --in 1,2,2,2 --p 1 --value 2",
        "--layer CircularPad3d --in 1,2,3,3 --p 1",
        "--layer MaxUnpool3d --in 1,2,2,2 --k 2",
    ],
)
def test_the_cli_draws_the_backward_pass_and_info_counts_its_steps(line, tmp_path):
    runner = CliRunner()
    out = tmp_path / "b.gif"
    result = runner.invoke(main, [*shlex.split(line), "--backward", "-o", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["info", *shlex.split(line), "--backward", "--json"])
    assert result.exit_code == 0 and "not drawn" not in result.output, result.output
    with Image.open(out) as gif:
        frames = gif.n_frames
    facts = json.loads(result.output)
    assert facts["frames"] == frames and facts["steps"] == frames, (facts["steps"], frames)
    _, d, h, w = facts["input_shape"]
    assert frames >= d * h * w or "ZeroPad3d" in line  # every input cell a step (a cropped slice one)


def test_maxunpool3d_with_padding_and_a_larger_output_size_gathers_through_its_indices():
    rng, drawn = random.Random(9), 0
    while drawn < 30:
        shape = (rng.randint(1, 2), *(rng.randint(1, 3) for _ in range(3)))
        sizes = [tuple(rng.randint(1, 3) for _ in range(3)) for _ in range(2)]
        args = dict(
            input_shape=shape, kernel_size=sizes[0], stride=sizes[1], padding=tuple(rng.randint(0, 1) for _ in range(3))
        )
        try:
            spec = ops.operation("MaxUnpool3d").build(**args)
            larger = tuple(n + rng.randint(0, s - 1) for n, s in zip(spec.output_shape[1:], sizes[1]))
            spec = ops.operation("MaxUnpool3d").build(**args, output_size=larger)
        except SpecError:
            continue
        try:
            job = Job(spec, view={"backward": True}, max_frames=10**6, grad_output=True)
        except SpecError as error:  # no pooling gives such an input: no example indices to take
            assert "give input and indices" in str(error), error
            continue
        np.testing.assert_array_equal(play(spec, job), job.recording.grad_input)
        if torch is not None:
            np.testing.assert_allclose(play(spec, job), torch_grad("MaxUnpool3d", spec, job.recording))
        drawn += 1
