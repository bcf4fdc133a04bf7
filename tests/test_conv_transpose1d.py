"""ConvTranspose1d drawn as its ConvTranspose2d over one row: every step's written values and
sums against an independent loop over the 1-D definition, the 1-D words, both views."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

import convgif
from convgif import ConvTranspose1dSpec, SpecError, ops, record
from convgif.animation import Look
from convgif.animation.job import Job


def random_spec(rng: random.Random) -> ConvTranspose1dSpec:
    while True:
        g = rng.choice([1, 2])
        try:
            return ConvTranspose1dSpec(
                (g * rng.randint(1, 3), rng.randint(1, 6)),
                g * rng.randint(1, 2),
                rng.randint(1, 4),
                rng.randint(1, 3),
                rng.randint(0, 2),
                rng.randint(0, 2),
                g,
                rng.random() < 0.6,
                rng.randint(1, 2),
            )
        except SpecError:
            continue


SPECS = [random_spec(random.Random(i)) for i in range(40)]


def loop_canvas(spec, x, w, b):
    """The canvas step by step from the definition: after each (column j, input position i),
    every output channel's canvas (no padding cropped)."""
    (_, n), (k,), (s,), (d,) = x.shape, spec.kernel_size, spec.stride, spec.dilation
    size = max((n - 1) * s + d * (k - 1) + 1, spec.padding[0] + spec.output_shape[1])
    canvas = np.zeros((spec.out_channels, size), dtype=np.result_type(x, w))
    if b is not None:
        canvas += b[:, None]
    per_in, per_out = spec.in_per_group, spec.out_per_group
    for j in range(per_out):
        for i in range(n):
            for g in range(spec.groups):
                co = g * per_out + j
                for c in range(g * per_in, (g + 1) * per_in):
                    for t in range(k):
                        canvas[co, i * s + t * d] += x[c, i] * w[c, j, t]
            yield j, i, canvas.copy()


def torch_output(spec, rec):
    torch = pytest.importorskip("torch")
    layer = torch.nn.ConvTranspose1d(
        spec.in_channels,
        spec.out_channels,
        spec.kernel_size,
        spec.stride,
        spec.padding,
        spec.output_padding,
        spec.groups,
        spec.bias,
        spec.dilation,
    ).double()
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(rec.weight).double())
        if spec.bias:
            layer.bias.copy_(torch.from_numpy(rec.bias).double())
        return layer(torch.from_numpy(rec.input[None]).double())[0].numpy()


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.caption)
def test_every_step_writes_what_the_definition_adds_up_to(spec):
    rec = record(spec, seed=3)
    job = Job(spec, Look(values=True))
    assert job.steps == [list(range(n)) for n in job.shown]
    (drawn,) = ops.of(spec).drawings(spec, rec)  # a fresh walk through the steps
    assert drawn.geometry.caption == spec.caption and drawn.geometry.dims == 1
    p = spec.padding[0]
    expected = list(loop_canvas(spec, rec.input, rec.weight, rec.bias))
    entry = re.compile(r"^y\[(\d+), (\d+)\] = .* = (\S+)$")
    for step in range(spec.steps):
        writes = drawn.playback.advance(step)
        shown = drawn.playback.show(step)
        j, i, canvas = expected[step]
        assert shown.text.startswith(f"input ({i},) · out channel")
        for write in writes:
            assert list(write.rows) in ([0], [])
            np.testing.assert_array_equal(write.values[0] if write.rows.size else [], canvas[write.channel, write.cols])
        for line in shown.sums:
            if line.startswith("canvas["):
                assert re.match(rf"canvas\[\d+, [\d:]+\] \+= x\[[\d:]+, {i}\] · weight\[[\d:]+, {j}\]", line), line
                continue
            co, ox, value = entry.match(line).groups()
            assert float(value) == canvas[int(co), int(ox) + p], line
            terms = re.search(r"= (\S+) \+ (\S+) = ", line)
            if terms:
                assert float(terms[1]) + float(terms[2]) == float(value), line
    final = expected[-1][2][:, p : p + spec.output_shape[1]]
    np.testing.assert_array_equal(final, rec.output)
    np.testing.assert_array_equal(drawn.playback.output[:, 0], rec.output)
    np.testing.assert_array_equal(torch_output(spec, rec), rec.output)


@pytest.mark.parametrize("spec", SPECS[:20], ids=lambda s: s.caption)
def test_as_conv_writes_every_output_cell_with_its_sum(spec):
    rec = record(spec, seed=5)
    job = Job(spec, Look(values=True), {"as_conv": True})
    assert job.steps == [list(range(n)) for n in job.shown]
    (drawn,) = ops.of(spec).drawings(spec, rec, as_conv=True)
    assert drawn.geometry.caption == spec.caption and "flipped" in drawn.geometry.kernel_heading
    entry = re.compile(r"^y\[(\d+), (\d+)\] = .* = (\S+)$")
    for step in range(spec.steps):
        writes = drawn.playback.advance(step)
        shown = drawn.playback.show(step)
        assert re.search(r"· \(\d+,\) ·", shown.text), shown.text
        for write in writes:
            np.testing.assert_array_equal(write.values[0], rec.output[write.channel, write.cols])
        for line in shown.sums:
            co, ox, value = entry.match(line).groups()
            assert float(value) == rec.output[int(co), int(ox)]


def test_cli_draws_a_row_with_the_1d_caption(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from convgif.cli import main

    monkeypatch.chdir(tmp_path)
    args = ["--layer", "ConvTranspose1d", "--in", "2,5", "--out", "1", "--k", "3", "--s", "2", "--p", "1"]
    result = CliRunner().invoke(main, [*args, "--output-padding", "1"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    name, summary = result.output.splitlines()
    assert name == "convtranspose1d_2x5_out1_k3_s2_p1_op1.gif"
    assert summary.startswith("output (1, 10) · 7 parameters · 5 frames")
    result = CliRunner().invoke(main, [*args, "--backward", "-o", "b.gif"])
    assert result.exit_code == 0 and (tmp_path / "b.gif").exists(), result.output  # dx, dw, db as one row each
    assert convgif.describe(ConvTranspose1dSpec((2, 5), 1, 3, 2, 1))["output_shape"] == [1, 9]
