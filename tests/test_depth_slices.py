"""Conv3d drawn as its depth slices: every picture's steps in order, every written value the
recording's (the independent loop's, torch's), every sum line adding up from the cells the
frame shows, every label the 3-D layer's."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
import reference_nd as ref

from convgif import Conv3dSpec, SpecError, ops, record
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.ops.depth_steps import depth_range

MODES = ["zeros", "zeros", "reflect", "replicate", "circular"]


def random_spec(rng: random.Random) -> Conv3dSpec:
    while True:
        g = rng.choice([1, 1, 2])
        triple = lambda lo, hi: tuple(rng.randint(lo, hi) for _ in range(3))  # noqa: E731
        padding = rng.choice([triple(0, 2), "same", "valid", rng.randint(0, 1)])
        try:
            return Conv3dSpec(
                (g * rng.randint(1, 2), *triple(1, 5)),
                g * rng.randint(1, 2),
                rng.choice([triple(1, 3), (1, 3, 3), (3, 1, 1)]),
                rng.choice([(1, 1, 1), triple(1, 2)]),
                padding,
                rng.choice([(1, 1, 1), triple(1, 2)]),
                g,
                rng.random() < 0.6,
                rng.choice(MODES),
            )
        except SpecError:
            continue


SPECS = [random_spec(random.Random(i)) for i in range(45)]
SPECS += [
    Conv3dSpec((2, 4, 5, 5), 2, 3, padding=1),
    Conv3dSpec((2, 4, 5, 5), 2, (1, 3, 3), padding=(0, 1, 1)),
    Conv3dSpec((2, 5, 4, 4), 2, (3, 1, 1), stride=(2, 1, 1), padding=(1, 0, 0)),
]
ENTRY = re.compile(r"^y\[(\d+), (\d+), (\d+), (\d+)\] = Σ x·w(?: \+ b)? = (?:(\S+) \+ (\S+) = )?(\S+)$")


def loop_output(spec, rec):
    return ref.conv(
        rec.input,
        rec.weight,
        rec.bias,
        spec.stride,
        spec.padding,
        spec.padding_end,
        spec.dilation,
        spec.groups,
        spec.padding_mode,
    )


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.caption)
def test_every_depth_slice_writes_the_recordings_values_and_its_sums_add_up_from_the_frame(spec):
    rec = record(spec, seed=7)
    np.testing.assert_array_equal(loop_output(spec, rec), rec.output)
    op = ops.of(spec)
    drawings = op.drawings(spec, rec)
    _, dout, ho, wo = spec.output_shape
    kd, (s, p, d) = spec.kernel_size[0], (spec.stride[0], spec.padding[0], spec.dilation[0])
    assert len(drawings) == dout
    for z, drawn in enumerate(drawings):
        geometry = drawn.geometry
        assert geometry.caption == spec.caption and geometry.notes[0].startswith(f"depth {z} ({depth_range(dout)}): ")
        assert geometry.output_label(1) == f"y[1, {z}]"
        for c in range(spec.in_channels * kd):
            depth = z * s - p + (c % kd) * d
            inside = 0 <= depth < spec.input_shape[1]
            title = f"x[{c // kd}, {depth}]" if inside else f"x[{c // kd}] pad, depth {depth}".replace("-", "−")
            assert geometry.input_text(c) == title
            if not inside:  # a slice of the depth padding
                assert drawn.filler[c].all()
            if 0 <= depth < spec.input_shape[1] and spec.padding_mode == "zeros":
                inner = drawn.grid[c][~drawn.filler[c]]
                assert sorted(inner) == sorted(rec.input[c // kd, depth].ravel())
        per_out = spec.out_per_group
        for step in range(geometry.steps):
            writes = drawn.playback.advance(step)
            shown = drawn.playback.show(step)
            j, rest = divmod(step, ho * wo)
            oy, ox = divmod(rest, wo)
            before, total = (
                sum(d.geometry.steps for d in drawings[:z]),
                sum(d.geometry.steps for d in drawings),
            )  # counted through every depth picture
            assert f"· ({z}, {oy}, {ox}) · step {before + step + 1}/{total}" in shown.text
            assert [w.channel for w in writes] == list(range(j, spec.out_channels, per_out))
            for write in writes:
                assert write.values.ravel().tolist() == [rec.output[write.channel, z, oy, ox]]
            assert len(shown.sums) == len(shown.sum_channels) == len(writes)
            for line, co in zip(shown.sums, shown.sum_channels):
                match = ENTRY.match(line)
                assert match, line
                assert tuple(map(int, match.groups()[:4])) == (co, z, oy, ox)
                g = co // per_out
                taps = shown.reads[g].cells
                kernel = drawn.kernels[co].reshape(-1)
                products = (drawn.grid[tuple(taps.T)] * kernel).sum()  # the cells the frame outlines
                value = rec.output[co, z, oy, ox]
                assert float(match[7]) == value
                if spec.bias:
                    assert float(match[5]) == products and float(match[6]) == rec.bias[co]
                    assert products + rec.bias[co] == value
                else:
                    assert products == value


@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_against_torch_conv3d():
    torch = pytest.importorskip("torch")
    for spec in SPECS:
        rec = record(spec, seed=3)
        padding = spec.padding_arg if isinstance(spec.padding_arg, str) else spec.padding
        layer = torch.nn.Conv3d(
            spec.in_channels,
            spec.out_channels,
            spec.kernel_size,
            spec.stride,
            padding,
            spec.dilation,
            spec.groups,
            spec.bias,
            spec.padding_mode,
        ).double()
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(rec.weight).double())
            if spec.bias:
                layer.bias.copy_(torch.from_numpy(rec.bias).double())
            got = layer(torch.from_numpy(rec.input[None]).double())[0].numpy()
        np.testing.assert_array_equal(got, rec.output)
        drawn = np.stack([dr.output for dr in ops.of(spec).drawings(spec, rec)], axis=1)
        np.testing.assert_array_equal(drawn, got)


@pytest.mark.parametrize("values", [False, True])
def test_a_render_plays_every_depth_slice_in_order(values):
    spec = Conv3dSpec((2, 3, 4, 4), 2, (3, 1, 1), padding=(1, 0, 0))
    job = Job(spec, Look(values=values), max_frames=0)
    assert len(job.drawings) == spec.output_shape[1]
    assert job.steps == [list(range(n)) for n in job.shown]
    frames = list(job.frames())
    assert len(frames) == job.total == sum(job.shown)
    assert all(frame.shape == job.size[::-1] for frame in frames)


def test_a_slice_of_the_depth_padding_is_padding_throughout_and_copies_for_copying_modes():
    spec = Conv3dSpec((1, 3, 3, 3), 1, 3, padding=1, padding_mode="replicate")
    rec = record(spec, seed=1)
    first = ops.of(spec).drawings(spec, rec)[0]
    assert first.geometry.input_text(0) == "x[0] pad, depth −1" and first.filler[0].all() and first.copies
    np.testing.assert_array_equal(first.grid[0, 1:-1, 1:-1], rec.input[0, 0])  # replicate repeats depth 0
    zeros = Conv3dSpec((1, 3, 3, 3), 1, 3, padding=1)
    first = ops.of(zeros).drawings(zeros, record(zeros, seed=1))[0]
    assert not first.grid[0].any() and not first.copies and first.geometry.input_heading == "input (padded)"


def test_a_sum_over_slices_not_all_drawn_names_them_as_the_3d_layer_indexes_them():
    spec = Conv3dSpec((2, 4, 5, 5), 2, 3, padding=1)
    rec = record(spec, seed=0)
    job = Job(spec, Look(values=True), {"region": "1:3,0:2"})
    drawn = job.drawings[2]
    assert drawn.geometry.input_text(0) == "x[0, 1]" and len(drawn.geometry.notes) == 2
    step = drawn.playback.show(0)
    line = step.sums[0]
    head = "y[0, 2, 1, 0] = Σ x[0, 1..3]·w + Σ x[1, 1..3]·w + b = "
    assert line.startswith(head) and line.endswith(" (x[1, 1..3] not drawn)"), line
    a, b, bias, value = (float(v) for v in re.findall(r"-?\d+", line[len(head) :])[:4])
    assert a + b + bias == value == rec.output[0, 2, 1, 0]
    shown = (drawn.grid[:3][tuple(step.reads[0].cells[:27].T)] * drawn.kernels[0, :3].reshape(-1)).sum()
    assert shown == a


@pytest.mark.parametrize("spec", SPECS[:24], ids=lambda s: s.caption)
def test_each_depth_pictures_window_moves_by_the_stride_in_a_render(spec):
    """As every kind drawn with windows (tests/test_teaching_rules.py): each depth slice's steps
    in order, the window moving by the height and width strides, under any frame budget."""
    from test_teaching_rules import _window, _written

    max_frames = random.Random(spec.caption).choice([0, 12, 40, 300])
    try:
        job = Job(spec, Look(), max_frames=max_frames)
    except SpecError as error:
        assert max_frames and error.argument in ("max_frames", "region")
        return
    assert len(job.drawings) == spec.output_shape[1]
    assert not max_frames or job.total <= max_frames
    for z, (drawn, steps) in enumerate(zip(job.drawings, job.steps)):
        assert steps == list(range(len(steps)))
        sh, sw = spec.stride[1:]
        before = None
        for step in steps:
            drawn.playback.advance(step)
            shown = drawn.playback.show(step)
            assert f"({z}, " in shown.text
            now = _written(shown), _window(shown)
            if before is not None and step % drawn.geometry.steps_per_column:
                (row, col), (top, left) = before
                if now[0][0] == row:
                    assert now == ((row, col + 1), (top, left + sw)), (step, before, now)
                else:
                    assert now[0] == (row + 1, 0) and now[1][0] == top + sh, (step, before, now)
            before = now
