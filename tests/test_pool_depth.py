"""MaxPool3d and AvgPool3d drawn one output depth slice at a time: every step writes the
recording's value (the independent loop's, torch's), every max or mean written from the cells
the frame shows in the window, every label the 3-D layer's."""

from __future__ import annotations

import random
import re
import warnings

import numpy as np
import pytest
import reference_nd as ref

from convgif import AvgPool3dSpec, MaxPool3dSpec, SpecError, ops, record
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.ops.depth_steps import depth_range
from convgif.picture.numbers import format_value, magnitude


def random_spec(rng: random.Random):
    while True:
        triple = lambda lo, hi: tuple(rng.randint(lo, hi) for _ in range(3))  # noqa: E731
        shape = (rng.randint(1, 2), *triple(1, 5))
        kernel = rng.choice([triple(1, 3), (1, 3, 3), (3, 1, 1), (2, 2, 2)])
        stride = rng.choice([None, triple(1, 2)])
        padding = tuple(rng.randint(0, k // 2) for k in kernel)
        try:
            if rng.random() < 0.5:
                dilation = rng.choice([1, triple(1, 2)])
                return MaxPool3dSpec(shape, kernel, stride, padding, dilation, rng.random() < 0.4, rng.random() < 0.3)
            return AvgPool3dSpec(shape, kernel, stride, padding, rng.random() < 0.3, rng.random() < 0.5)
        except SpecError:
            continue


SPECS = [random_spec(random.Random(i)) for i in range(50)]
SPECS += [MaxPool3dSpec((2, 4, 5, 5), 2), AvgPool3dSpec((1, 5, 4, 4), (3, 1, 1), (2, 1, 1), (1, 0, 0))]


def loop_output(spec, rec):
    if spec.KIND == "max":
        values, indices = ref.max_pool(
            rec.input.astype(float), spec.kernel_size, spec.stride, spec.padding, spec.dilation, spec.ceil_mode
        )
        return values, indices
    out = ref.avg_pool(
        rec.input.astype(float),
        spec.kernel_size,
        spec.stride,
        spec.padding,
        spec.ceil_mode,
        spec.count_include_pad,
        None,
    )
    return out, None


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.caption)
def test_every_depth_slice_writes_the_recordings_values_read_from_the_frame(spec):
    rec = record(spec, seed=4)
    try:
        values, indices = loop_output(spec, rec)
    except AssertionError:  # a dilated window with no input cell: the loop has no answer, torch has
        values = indices = None
    if values is not None:
        np.testing.assert_allclose(rec.output, values)
    if indices is not None:
        np.testing.assert_array_equal(rec.indices, indices)
    drawings = ops.of(spec).drawings(spec, rec)
    _, dout, ho, wo = spec.output_shape
    kd, s, p, d = spec.kernel_size[0], spec.stride[0], spec.padding[0], spec.dilation[0]
    per = 2 if getattr(spec, "return_indices", False) else 1
    x_scale, y_scale = magnitude(rec.input), magnitude(rec.output)
    assert len(drawings) == dout
    for z, drawn in enumerate(drawings):
        geometry = drawn.geometry
        assert geometry.caption == spec.caption and geometry.notes[-1].startswith(f"depth {z} ({depth_range(dout)}): ")
        for c in range(spec.in_channels * kd):
            depth = z * s - p + (c % kd) * d
            what = "pad" if depth < spec.input_shape[1] + p else "overhang"
            title = (
                f"x[{c // kd}, {depth}]" if 0 <= depth < spec.input_shape[1] else f"x[{c // kd}] {what}, depth {depth}"
            )
            assert geometry.input_text(c) == title.replace("-", "−")
        assert geometry.output_label(0) == f"y[0, {z}]"
        for step in range(geometry.steps):
            writes = drawn.playback.advance(step)
            shown = drawn.playback.show(step)
            oy, ox = divmod(step, wo)
            before, total = (
                sum(d.geometry.steps for d in drawings[:z]),
                sum(d.geometry.steps for d in drawings),
            )  # counted through every depth picture
            assert f"window at ({z}, {oy}, {ox}) · step {before + step + 1}/{total}" in shown.text
            for write in writes:
                c, which = divmod(write.channel, per)
                expected = (rec.indices if which else rec.output)[c, z, oy, ox]
                assert write.values.ravel().tolist() == [expected]
            assert len(shown.sums) == spec.in_channels
            for c, line in enumerate(shown.sums):
                reads = shown.reads[c]
                cells = drawn.grid[tuple(reads.cells.T)]
                filler = drawn.filler[tuple(reads.cells.T)]
                assert set(reads.cells[:, 0]) <= set(range(c * kd, (c + 1) * kd))
                if spec.KIND == "max":
                    match = re.match(rf"^y\[{c}, {z}, {oy}, {ox}\] = max\((.*)\) = (\S+) at index (\d+)$", line)
                    assert match, line
                    written = [
                        "−∞" if f else format_value(v, x_scale) for v, f in zip(cells, filler)
                    ]  # the window's cells as the frame holds them, in window order
                    assert match[1] == ", ".join(written), (line, written)
                    assert match[2] == format_value(rec.output[c, z, oy, ox], y_scale)
                    assert int(match[3]) == rec.indices[c, z, oy, ox]
                    if reads.marks is not None:
                        assert drawn.grid[tuple(reads.marks[0])] == rec.output[c, z, oy, ox]
                else:
                    match = re.match(rf"^y\[{c}, {z}, {oy}, {ox}\] = \((.*)\) / (\d+) = (\S+)", line)
                    assert match, line
                    inputs = cells[~filler]
                    # the cells read in window order, a padding cell (read when counted) a 0
                    written = ["0" if f else format_value(v, x_scale) for v, f in zip(cells, filler)]
                    assert match[1] == (" + ".join(written) or "0")
                    assert len(written) == int(match[2]) or getattr(spec, "divisor_override", None)
                    assert inputs.sum() / int(match[2]) == pytest.approx(rec.output[c, z, oy, ox])


def test_against_torch_pool3d():
    torch = pytest.importorskip("torch")
    for spec in SPECS:
        rec = record(spec, seed=2)
        x = torch.from_numpy(rec.input[None])  # int64: a max keeps it (a window of no input: -2**63, as torch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if spec.KIND == "max":
                got, idx = torch.nn.functional.max_pool3d(
                    x, spec.kernel_size, spec.stride, spec.padding, spec.dilation, spec.ceil_mode, True
                )
                np.testing.assert_array_equal(idx[0].numpy(), rec.indices)
            else:
                got = torch.nn.functional.avg_pool3d(
                    x.double(), spec.kernel_size, spec.stride, spec.padding, spec.ceil_mode, spec.count_include_pad
                )
        np.testing.assert_allclose(got[0].numpy(), rec.output)
        drawn = np.stack([d.output for d in ops.of(spec).drawings(spec, rec)], axis=1)
        np.testing.assert_allclose(drawn, got[0].numpy())


@pytest.mark.parametrize("values", [False, True])
def test_a_render_plays_every_depth_slice(values):
    for spec in (
        MaxPool3dSpec((2, 4, 5, 5), 2, return_indices=True),
        AvgPool3dSpec((1, 5, 4, 4), 3, 2, 1, True),
        MaxPool3dSpec((1, 4, 4, 4), 2, 3, ceil_mode=True),  # a depth slice of ceil_mode's overhang
    ):
        job = Job(spec, Look(values=values), max_frames=0)
        assert len(job.drawings) == spec.output_shape[1]
        frames = list(job.frames())
        assert len(frames) == job.total == sum(job.shown)
