"""MaxUnpool3d drawn one output depth slice at a time: each slice's steps place the values of
the input slices whose windows cover it, every value written where its 3-D index says (a loop
implementation's, torch's), the others said to go to their own depth, and the slice ends as the
recording's."""

from __future__ import annotations

import random

import numpy as np
import pytest

import convgif
from convgif import MaxUnpool3dSpec, SpecError, ops
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.ops.depth_steps import depth_range
from convgif.picture.numbers import format_value, magnitude


def random_specs(count: int, seed: int = 0) -> list:
    rng, specs = random.Random(seed), []
    while len(specs) < count:
        triple = lambda lo, hi: tuple(rng.randint(lo, hi) for _ in range(3))  # noqa: E731
        kernel = rng.choice([triple(1, 3), (2, 2, 2), (3, 1, 1), (1, 2, 2)])
        stride = rng.choice([None, triple(1, 3)])
        padding = tuple(rng.randint(0, k // 2) for k in kernel)
        try:
            spec = MaxUnpool3dSpec((rng.randint(1, 2), *triple(1, 3)), kernel, stride, padding)
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


def covering(spec, z: int) -> list[int]:
    """Input depths whose pooling windows cover output depth ``z``, by the window's definition."""
    k, s, p = spec.kernel_size[0], spec.stride[0], spec.padding[0]
    found = [d for d in range(spec.input_shape[1]) if z in range(d * s - p, d * s - p + k)]
    return found or list(range(spec.input_shape[1]))


@pytest.mark.parametrize("spec", random_specs(30), ids=lambda s: s.caption)
def test_every_depth_slice_places_each_value_where_its_index_says(spec):
    rec = convgif.record(spec, seed=3)
    np.testing.assert_array_equal(rec.output, loop_unpool(rec.input, rec.indices, spec.output_shape[1:]))
    drawings = ops.of(spec).drawings(spec, rec)
    c, dout, ho, wo = spec.output_shape
    scale = magnitude(rec.input)
    assert len(drawings) == dout
    for z, drawn in enumerate(drawings):
        depths, geometry = covering(spec, z), drawn.geometry
        k = len(depths)
        assert [geometry.input_text(i) for i in range(c * k)] == [f"x[{i // k}, {depths[i % k]}]" for i in range(c * k)]
        assert geometry.output_label(0) == f"y[0, {z}]" and geometry.notes[-1].startswith(
            f"depth {z} ({depth_range(dout)}): "
        )
        shown = np.zeros_like(rec.output[:, z])
        h, w = spec.input_shape[2:]
        for step in range(geometry.steps):
            slot, cell = divmod(step, h * w)
            d, (y, x) = depths[slot], divmod(cell, w)
            seen, writes = drawn.playback.show(step), drawn.playback.advance(step)
            before, total = (
                sum(d.geometry.steps for d in drawings[:z]),
                sum(d.geometry.steps for d in drawings),
            )  # counted through every depth picture
            assert seen.text == f"input ({d}, {y}, {x}) · step {before + step + 1}/{total}"
            written = {write.channel: write for write in writes}
            for ch in range(c):
                assert seen.reads[ch].cells.tolist() == [[ch * k + slot, y, x]]
                assert drawn.grid[ch * k + slot, y, x] == rec.input[ch, d, y, x]
                tz, ty, tx = np.unravel_index(rec.indices[ch, d, y, x], (dout, ho, wo))
                value = format_value(rec.input[ch, d, y, x], scale)
                if tz == z:
                    assert written[ch].values.tolist() == [[rec.input[ch, d, y, x]]]
                    assert (written[ch].rows.tolist(), written[ch].cols.tolist()) == ([ty], [tx])
                    assert seen.sums[ch].startswith(f"y[{ch}, {z}, {ty}, {tx}] = x[{ch}, {d}, {y}, {x}] = {value}")
                    shown[ch, ty, tx] = rec.input[ch, d, y, x]
                else:
                    assert ch not in written
                    assert seen.sums[ch].endswith(f"in depth {tz}, not this slice")
        np.testing.assert_array_equal(shown, rec.output[:, z])
        np.testing.assert_array_equal(drawn.output, rec.output[:, z])


def test_the_slices_drawn_are_torchs_output():
    torch = pytest.importorskip("torch")
    for spec in random_specs(12, seed=1):
        rec = convgif.record(spec, seed=1)
        want = torch.nn.functional.max_unpool3d(
            torch.from_numpy(rec.input[None]).double(),
            torch.from_numpy(rec.indices[None]),
            spec.kernel_size,
            spec.stride,
            spec.padding,
            spec.output_shape[1:],
        )[0].numpy()
        drawn = np.stack([d.output for d in ops.of(spec).drawings(spec, rec)], axis=1)
        np.testing.assert_array_equal(drawn, want)


def test_an_index_from_a_slice_whose_window_misses_the_depth_is_refused():
    spec = MaxUnpool3dSpec((1, 2, 2, 2), 2)
    x = np.arange(8).reshape(1, 2, 2, 2)
    indices = np.zeros((1, 2, 2, 2), dtype=np.int64)  # every value to (0, 0, 0): from depth 1 too
    rec = convgif.record(spec, input=x, indices=indices)
    with pytest.raises(SpecError, match=r"input cell \(1, 0, 0\) of channel 0 puts its value in output depth 0"):
        ops.of(spec).drawings(spec, rec)


@pytest.mark.parametrize("values", [False, True])
def test_a_render_plays_every_depth_slice(values):
    for spec in (MaxUnpool3dSpec((1, 2, 3, 3), 2), MaxUnpool3dSpec((2, 3, 2, 2), 3, 2, 1)):
        job = Job(spec, Look(values=values), max_frames=0)
        assert len(job.drawings) == spec.output_shape[1]
        assert ops.of(spec).facts(spec)["steps"] == job.total  # what `convgif info` says
        assert len(list(job.frames())) == job.total == sum(job.shown)


def test_a_region_draws_the_same_part_of_every_slice():
    spec = MaxUnpool3dSpec((1, 2, 12, 12), 2)
    job = Job(spec, max_frames=150)
    assert job.region is not None
    rows, cols = job.region.rows, job.region.cols
    for z, drawn in enumerate(job.drawings):
        np.testing.assert_array_equal(drawn.output, job.recording.output[:, z, slice(*rows), slice(*cols)])


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


def test_a_step_that_overwrites_a_cell_of_its_slice_says_so_with_the_value_there():
    """Overlapping windows share an index: the later value's sum line names the one it replaces."""
    spec = MaxUnpool3dSpec((1, 2, 2, 2), 3, 2, 1)
    rec = convgif.record(spec, seed=0)
    scale, said = magnitude(rec.input), 0
    for z, drawn in enumerate(ops.of(spec).drawings(spec, rec)):
        held: dict[int, float] = {}
        depths, (h, w) = covering(spec, z), spec.input_shape[2:]
        for step in range(drawn.geometry.steps):
            slot, cell = divmod(step, h * w)
            d, (y, x) = depths[slot], divmod(cell, w)
            index, (line,) = int(rec.indices[0, d, y, x]), drawn.playback.show(step).sums
            if index in held and index // (spec.output_shape[2] * spec.output_shape[3]) == z:
                said += 1
                assert line.endswith(f", overwrites the {format_value(held[index], scale)} there)"), line
            else:
                assert "overwrites" not in line, line
            held[index] = rec.input[0, d, y, x]
        assert any(n.startswith("indices (unless given): where MaxPool3d") for n in drawn.geometry.notes)
    assert said > 0
