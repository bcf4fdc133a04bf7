"""MaxUnpool3d drawn one input depth slice at a time: each picture draws x[:, d] beside the
output depth slices its pooling windows cover (and those no window covers, after them), every
step writes a cell drawn, where its 3-D index says (a loop implementation's, torch's), each
output slice starts as the slices before left it, and the last picture of each slice ends as
the recording's."""

from __future__ import annotations

import random

import numpy as np
import pytest

import convgif
from convgif import MaxUnpool3dSpec, SpecError, ops
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.ops.depth_steps import depth_range
from convgif.picture.model import shown
from convgif.picture.numbers import format_value, magnitude


def random_specs(count: int, seed: int = 0, output_size: bool = False) -> list:
    """Random layers a max pool gives an example of (with ``output_size``, now and then one
    larger than the default on every axis, whose last depth no window covers)."""
    rng, specs = random.Random(seed), []
    while len(specs) < count:
        triple = lambda lo, hi: tuple(rng.randint(lo, hi) for _ in range(3))  # noqa: E731
        kernel = rng.choice([triple(1, 3), (2, 2, 2), (3, 1, 1), (1, 2, 2)])
        stride = rng.choice([None, triple(1, 3)])
        padding = tuple(rng.randint(0, k // 2) for k in kernel)
        try:
            spec = MaxUnpool3dSpec((rng.randint(1, 2), *triple(1, 3)), kernel, stride, padding)
            if output_size and rng.random() < 0.5 and min(spec.stride) > 1:
                spec = spec.replace(output_size=tuple(n + 1 for n in spec.output_shape[1:]))
            if spec.pool_spec() is not None:
                specs.append(spec)
        except SpecError:
            continue
    return specs


def loop_unpool(x: np.ndarray, indices: np.ndarray, out_sizes: tuple[int, ...]) -> np.ndarray:
    """Each value at its flat index in its channel's output, in input order (the last stays)."""
    out = np.zeros((x.shape[0], int(np.prod(out_sizes))), dtype=x.dtype)
    for c in range(x.shape[0]):
        for v, i in zip(x[c].ravel(), indices[c].ravel()):
            out[c, i] = v
    return out.reshape(x.shape[0], *out_sizes)


def drawn_depths(spec, d: int) -> list[int]:
    """The output depths input depth ``d``'s picture should draw, by the windows' definition:
    those its windows cover, and each depth no window covers whose nearest window start at or
    before it is ``d``'s (every depth when that leaves none)."""
    k, s, p = spec.kernel_size[0], spec.stride[0], spec.padding[0]
    depth, d_out = spec.input_shape[1], spec.output_shape[1]
    windows = [set(range(e * s - p, e * s - p + k)) for e in range(depth)]
    found = []
    for z in range(d_out):
        if z in windows[d]:
            found.append(z)
        elif not any(z in w for w in windows) and max(e for e in range(depth) if e * s - p <= z) == d:
            found.append(z)
    return found or list(range(d_out))


def play(drawn) -> list:
    """Every step's (shown, writes), the steps played in order."""
    steps = []
    for step in range(drawn.geometry.steps):
        writes = drawn.playback.advance(step)
        steps.append((drawn.playback.show(step), writes))
    return steps


@pytest.mark.parametrize("spec", random_specs(30) + random_specs(10, 5, output_size=True), ids=lambda s: s.caption)
def test_every_input_depth_slice_writes_each_value_into_an_output_slice_drawn(spec):
    rec = convgif.record(spec, seed=3)
    np.testing.assert_array_equal(rec.output, loop_unpool(rec.input, rec.indices, spec.output_shape[1:]))
    drawings = ops.of(spec).drawings(spec, rec)
    c, depth, h, w = spec.input_shape
    _, d_out, ho, wo = spec.output_shape
    scale, total = magnitude(rec.input), depth * h * w
    assert len(drawings) == depth and sum(d.geometry.steps for d in drawings) == total
    last_drawn = {}
    for d, drawn in enumerate(drawings):
        zs, geometry = drawn_depths(spec, d), drawn.geometry
        n = len(zs)
        assert [geometry.input_text(ch) for ch in range(c)] == [f"x[{ch}, {d}]" for ch in range(c)]
        assert [geometry.output_label(co) for co in range(c * n)] == [
            f"y[{co // n}, {zs[co % n]}]" for co in range(c * n)
        ]
        assert shown(geometry)[2] == tuple(range(c * n)) or len(shown(geometry)[2]) % n == 0  # whole channels
        assert geometry.notes[-1].startswith(f"depth {d} ({depth_range(depth)}): x[:, {d}] goes back into y[:, z]")
        before = loop_unpool(rec.input[:, :d], rec.indices[:, :d], spec.output_shape[1:])  # the slices before
        np.testing.assert_array_equal(drawn.start, before[:, zs].reshape(c * n, ho, wo))
        state = drawn.start.copy()
        for step, (seen, writes) in enumerate(play(drawn)):
            y, x = divmod(step, w)
            assert seen.text == f"input ({d}, {y}, {x}) · step {d * h * w + step + 1}/{total}"
            assert len(writes) == c  # every channel writes a cell drawn: no step writes nothing seen
            for ch, write in enumerate(writes):
                assert seen.reads[ch].cells.tolist() == [[ch, y, x]]
                assert drawn.grid[ch, y, x] == rec.input[ch, d, y, x]
                tz, ty, tx = np.unravel_index(rec.indices[ch, d, y, x], (d_out, ho, wo))
                assert write.channel == ch * n + zs.index(tz) and seen.sum_channels[ch] == write.channel
                assert (write.rows.tolist(), write.cols.tolist(), write.values.tolist()) == (
                    [ty],
                    [tx],
                    [[rec.input[ch, d, y, x]]],
                )
                value = format_value(rec.input[ch, d, y, x], scale)
                assert seen.sums[ch].startswith(f"y[{ch}, {tz}, {ty}, {tx}] = x[{ch}, {d}, {y}, {x}] = {value}")
                state[write.channel, ty, tx] = rec.input[ch, d, y, x]
        np.testing.assert_array_equal(state, drawn.output)
        after = loop_unpool(rec.input[:, : d + 1], rec.indices[:, : d + 1], spec.output_shape[1:])
        np.testing.assert_array_equal(drawn.output, after[:, zs].reshape(c * n, ho, wo))
        last_drawn.update({z: drawn.output.reshape(c, n, ho, wo)[:, i] for i, z in enumerate(zs)})
    assert sorted(last_drawn) == list(range(d_out))  # every output slice is drawn, and ends as recorded
    for z, slice_ in last_drawn.items():
        np.testing.assert_array_equal(slice_, rec.output[:, z])


def test_the_slices_drawn_are_torchs_output(one_torch_thread):
    torch = pytest.importorskip("torch")
    for spec in random_specs(12, seed=1, output_size=True):
        rec = convgif.record(spec, seed=1)
        want = torch.nn.functional.max_unpool3d(
            torch.from_numpy(rec.input[None]).double(),
            torch.from_numpy(rec.indices[None]),
            spec.kernel_size,
            spec.stride,
            spec.padding,
            spec.output_shape[1:],
        )[0].numpy()
        c, _, ho, wo = spec.output_shape
        for d, drawn in enumerate(ops.of(spec).drawings(spec, rec)):
            zs = drawn_depths(spec, d)
            later = [z for z in zs if all(z not in drawn_depths(spec, e) for e in range(d + 1, spec.input_shape[1]))]
            ended = drawn.output.reshape(c, len(zs), ho, wo)
            for z in later:  # the last picture that draws z: torch's slice
                np.testing.assert_array_equal(ended[:, zs.index(z)], want[:, z])


def test_the_reported_layer_plays_one_step_per_input_position_each_writing_a_cell_drawn():
    """The layer of the report: 64 input positions, 64 frames (not 128, half of them writing
    into a depth the picture did not show); `convgif info` counts what the render draws."""
    spec = MaxUnpool3dSpec((1, 4, 4, 4), 2)
    assert ops.of(spec).facts(spec)["steps"] == 64
    job = Job(spec, Look(values=True), max_frames=0)
    assert job.total == 64 and len(list(job.frames())) == 64
    for drawn, steps in zip(job.drawings, job.steps):
        for step in steps:
            writes = drawn.playback.advance(step)
            seen = drawn.playback.show(step)
            assert len(writes) == 1 and "not this slice" not in seen.sums[0]
            assert writes[0].channel in shown(drawn.geometry)[2]


@pytest.mark.parametrize("values", [False, True])
def test_a_render_plays_every_input_depth_slice(values):
    for spec in (MaxUnpool3dSpec((1, 2, 3, 3), 2), MaxUnpool3dSpec((2, 3, 2, 2), 3, 2, 1)):
        job = Job(spec, Look(values=values), max_frames=0)
        assert len(job.drawings) == spec.input_shape[1]
        assert ops.of(spec).facts(spec)["steps"] == job.total == spec.steps  # what `convgif info` says
        assert len(list(job.frames())) == job.total == sum(job.shown)


def test_the_depths_no_window_covers_are_drawn_with_the_slice_before_them():
    """A stride longer than the window leaves depths between the windows, and an output_size a
    depth past the last: each drawn with the input slice whose windows come before it, said so."""
    spec = MaxUnpool3dSpec((1, 3, 2, 2), (1, 2, 2), (2, 2, 2), output_size=(6, 4, 4))
    geometries = ops.of(spec).geometries(spec)
    labels = [[g.output_label(co) for co in range(g.out_channels)] for g in geometries]
    assert labels == [["y[0, 0]", "y[0, 1]"], ["y[0, 2]", "y[0, 3]"], ["y[0, 4]", "y[0, 5]"]]
    assert geometries[0].notes[-1] == (
        "depth 0 (of 0–2): x[:, 0] goes back into y[:, z], z = 0, 1: its pooling windows cover z = 0, "
        "and no window covers the others"
    )
    covered = MaxUnpool3dSpec((1, 2, 2, 2), 3, 2, 1)
    assert ops.of(covered).geometries(covered)[1].notes[-1] == (
        "depth 1 (of 0–1): x[:, 1] goes back into y[:, z], z = 1, 2, the output depths its pooling windows cover"
    )
    rec = convgif.record(spec, seed=2)
    for drawn in ops.of(spec).drawings(spec, rec):
        assert not drawn.output.reshape(2, 4, 4)[1].any()  # a pooled index never names them


def test_indices_given_by_hand_are_drawn_where_they_point_or_refused_naming_the_slice():
    spec = MaxUnpool3dSpec((1, 2, 2, 2), 2)  # input depth 0 draws output depths 0, 1; depth 1: 2, 3
    x = np.arange(1, 9).reshape(1, 2, 2, 2)
    indices = np.zeros((1, 2, 2, 2), dtype=np.int64)
    indices[0, 0] = [[0, 16 + 5], [0, 3]]  # depth 0: three values into (0, 0, 0) and (0, 0, 3), one into (1, 1, 1)
    indices[0, 1] = [[32, 48], [32 + 15, 63]]
    rec = convgif.record(spec, input=x, indices=indices)
    first, second = ops.of(spec).drawings(spec, rec)
    sums = [seen.sums[0] for seen, _ in play(first)]
    assert sums == [
        "y[0, 0, 0, 0] = x[0, 0, 0, 0] = 1 (index 0)",
        "y[0, 1, 1, 1] = x[0, 0, 0, 1] = 2 (index 21)",
        "y[0, 0, 0, 0] = x[0, 0, 1, 0] = 3 (index 0, overwrites the 1 there)",
        "y[0, 0, 0, 3] = x[0, 0, 1, 1] = 4 (index 3)",
    ]
    assert [seen.sums[0].split(" (")[0] for seen, _ in play(second)] == [
        "y[0, 2, 0, 0] = x[0, 1, 0, 0] = 5",
        "y[0, 3, 0, 0] = x[0, 1, 0, 1] = 6",
        "y[0, 2, 3, 3] = x[0, 1, 1, 0] = 7",
        "y[0, 3, 3, 3] = x[0, 1, 1, 1] = 8",
    ]
    indices[0, 1, 0, 1] = 16  # from input depth 1 into output depth 1, which its window does not cover
    rec = convgif.record(spec, input=x, indices=indices)
    with pytest.raises(SpecError, match=r"input cell \(1, 0, 1\) of channel 0 puts its value in output depth 1") as no:
        ops.of(spec).drawings(spec, rec)
    assert no.value.argument == "indices" and "x[:, 1]: 2, 3" in str(no.value)


def test_a_slice_that_overlapping_windows_share_starts_with_what_the_slice_before_wrote():
    """Overlapping windows share output depths and indices: the later value's sum line names
    the one it replaces, from its own slice or the slice before."""
    spec = MaxUnpool3dSpec((1, 2, 2, 2), 3, 2, 1)  # input depths 0 and 1 both write output depth 1
    rec = convgif.record(spec, seed=0)
    scale, said, area = magnitude(rec.input), 0, spec.output_shape[2] * spec.output_shape[3]
    held: dict[int, float] = {}
    for d, drawn in enumerate(ops.of(spec).drawings(spec, rec)):
        for step, (seen, _) in enumerate(play(drawn)):
            y, x = divmod(step, 2)
            index, (line,) = int(rec.indices[0, d, y, x]), seen.sums
            if index in held:
                said += 1
                assert line.endswith(f", overwrites the {format_value(held[index], scale)} there)"), line
            else:
                assert "overwrites" not in line, line
            held[index] = rec.input[0, d, y, x]
        assert any(n.startswith("indices (unless given): where MaxPool3d") for n in drawn.geometry.notes)
    across = [i for i in held if i // area == 1]
    assert said > 0 and across


def test_a_deep_kernel_draws_every_output_slice_a_step_may_write():
    """More output slices than a picture draws columns (six): all of them drawn, one channel."""
    spec = MaxUnpool3dSpec((2, 1, 2, 2), (7, 1, 1))
    (geometry,) = ops.of(spec).geometries(spec)
    assert geometry.out_channels == 14 and len(shown(geometry)[2]) in (7, 14)
    job = Job(spec, Look(values=True), max_frames=0)
    (drawn,) = job.drawings
    shown_in, _, shown_out = shown(drawn.geometry)
    assert shown_in and len(shown_out) == 7 * len(shown_in)
    for step in job.steps[0]:
        writes = drawn.playback.advance(step)
        assert {w.channel for w in writes if w.channel // 7 in shown_in} <= set(shown_out)


def test_a_region_draws_the_same_part_of_every_slice():
    spec = MaxUnpool3dSpec((1, 2, 12, 12), 2)
    job = Job(spec, max_frames=150)
    assert job.region is not None
    rows, cols = job.region.rows, job.region.cols
    rec = job.recording
    for d, drawn in enumerate(job.drawings):
        zs = drawn_depths(spec, d)
        after = loop_unpool(rec.input[:, : d + 1], rec.indices[:, : d + 1], spec.output_shape[1:])
        want = after[:, zs, slice(*rows), slice(*cols)].reshape(-1, *job.region.size)
        np.testing.assert_array_equal(drawn.output, want)


@pytest.mark.parametrize(
    "region, part",
    [
        ("0:6,0:6", False),  # the output cut, but every input cell lands in it: every step plays
        ("0:2,0:2", True),  # the output cut and so the input: a part's steps
        (None, False),
    ],
)
def test_a_step_is_of_this_part_exactly_when_not_all_the_layers_steps_play(region, part):
    """As in 1-D and 2-D: ``of this part`` only when the steps played are fewer than the layer's
    (the input cells read cut, or channels left out), not whenever the output is cut."""
    spec = MaxUnpool3dSpec((1, 2, 3, 3), 3, 2)
    job = Job(spec, Look(), {} if region is None else {"region": region}, max_frames=0)
    texts = []
    for drawn, steps in zip(job.drawings, job.steps):
        for step in steps:
            drawn.playback.advance(step)
            texts.append(drawn.playback.show(step).text)
    assert (job.total < ops.of(spec).facts(spec)["steps"]) == part
    assert all(("of this part" in text) == part for text in texts), texts[:3]
