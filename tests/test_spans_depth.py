"""AdaptiveAvgPool3d, AdaptiveMaxPool3d and FractionalMaxPool3d drawn one output depth slice at
a time: every step writes the recording's value (the independent loop's, torch's), every mean
or max written from the cells the frame shows in the window, every label the 3-D layer's."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
import reference_nd as ref

from convgif import SpecError, ops, record
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.ops.adaptive import AdaptiveAvgPool3dSpec, AdaptiveMaxPool3dSpec
from convgif.ops.depth_steps import depth_range
from convgif.ops.fractional import FractionalMaxPool3dSpec
from convgif.picture.model import Region
from convgif.picture.numbers import format_value, magnitude


def random_spec(rng: random.Random):
    while True:
        shape = (rng.randint(1, 2), *(rng.randint(1, 6) for _ in range(3)))
        out = tuple(rng.randint(1, 4) for _ in range(3))
        try:
            kind = rng.randrange(3)
            if kind == 0:
                return AdaptiveAvgPool3dSpec(shape, rng.choice([out, out[0]]))
            if kind == 1:
                return AdaptiveMaxPool3dSpec(shape, out, rng.random() < 0.5)
            kernel = tuple(rng.randint(1, 3) for _ in range(3))
            samples = [[rng.random() for _ in range(3)] for _ in range(shape[0])] if rng.random() < 0.5 else None
            return FractionalMaxPool3dSpec(shape, kernel, out, None, rng.random() < 0.5, samples)
        except SpecError:
            continue


SPECS = [random_spec(random.Random(i)) for i in range(45)]
SPECS += [
    AdaptiveMaxPool3dSpec((2, 5, 5, 5), (2, 3, 3), True),
    AdaptiveAvgPool3dSpec((1, 3, 4, 4), 1),  # torch's mean of the whole input
    FractionalMaxPool3dSpec((2, 6, 6, 6), 2, 3, samples=[[0.1, 0.5, 0.9], [0.7, 0.2, 0.4]]),
]


def loop_output(spec, rec):
    if spec.NAME.startswith("Fractional"):
        return ref.fractional_max_pool(rec.input, spec.kernel_size, spec.output_shape[1:], rec.samples)
    return ref.adaptive_pool(rec.input, spec.output_shape[1:], spec.KIND)


def depth_of(label: str, c: int) -> int:
    match = re.fullmatch(rf"x\[{c}, (\d+)\]", label)
    assert match, label
    return int(match[1])


def written(cells, scale, sep: str, total=None) -> str:
    """The cells as a sum line writes them: all of them, or a long window's first and last; past
    9 cells, with a sum's total and their count."""
    shown = [format_value(v, scale) for v in cells]
    end = f" = {format_value(total, scale)}" if total is not None else ""
    counted = f"{end}: {len(shown)} cells" if len(shown) > 9 else ""
    if len(shown) > 64:
        shown = [*shown[:8], "…", *shown[-2:]]
    return sep.join(shown) + counted


def check_sum(spec, rec, drawn, line, reads, c, z, oy, ox, scales):
    x_scale, y_scale = scales
    cells = drawn.grid[tuple(reads.cells.T)]  # the window's cells as the frame holds them, in window order
    y = rec.output[c, z, oy, ox]
    if spec.KIND == "max":
        match = re.match(rf"^y\[{c}, {z}, {oy}, {ox}\] = max\((.*)\) = (\S+) at index (\d+)$", line)
        assert match, line
        assert match[1] == written(cells, x_scale, ", ")
        assert cells.max() == y and match[2] == format_value(y, y_scale)
        assert int(match[3]) == rec.indices[c, z, oy, ox]
        slot, h, w = reads.marks[0]
        assert drawn.grid[slot, h, w] == y
        _, height, width = drawn.grid.shape
        depth = depth_of(drawn.geometry.input_text(int(slot)), c)
        assert int(match[3]) == (depth * height + h) * width + w  # the ringed cell is the index's
        return
    match = re.match(rf"^y\[{c}, {z}, {oy}, {ox}\] = \((.*)\) / (\d+) = (\S+)$", line)
    assert match, line
    assert match[1] == written(cells, x_scale, " + ", cells.sum())
    whole = max(spec.output_shape[1:]) == 1
    assert int(match[2]) == (np.prod(spec.input_shape[1:]) if whole else len(cells))
    assert cells.sum() / int(match[2]) == pytest.approx(y) and match[3] == format_value(y, y_scale)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.caption)
def test_every_depth_slice_writes_the_recordings_values_read_from_the_frame(spec):
    rec = record(spec, seed=3)
    values, indices = loop_output(spec, rec)
    np.testing.assert_allclose(rec.output, values)
    if indices is not None:
        np.testing.assert_array_equal(rec.indices, indices)
    drawings = ops.of(spec).drawings(spec, rec)
    c, dout, ho, wo = spec.output_shape
    per = 2 if getattr(spec, "return_indices", False) else 1
    scales = magnitude(rec.input), magnitude(rec.output)
    assert len(drawings) == dout
    for z, drawn in enumerate(drawings):
        geometry = drawn.geometry
        assert geometry.caption == spec.caption and geometry.notes[-1].startswith(f"depth {z} ({depth_range(dout)}): ")
        kd = geometry.in_channels // c
        for slot in range(geometry.in_channels):
            depth = depth_of(geometry.input_text(slot), slot // kd)
            np.testing.assert_array_equal(drawn.grid[slot], rec.input[slot // kd, depth])
        assert geometry.output_label(0) == f"y[0, {z}]"
        for step in range(geometry.steps):
            writes = drawn.playback.advance(step)
            shown = drawn.playback.show(step)
            oy, ox = divmod(step, wo)
            before, total = (
                sum(d.geometry.steps for d in drawings[:z]),
                sum(d.geometry.steps for d in drawings),
            )  # counted through every depth picture
            assert f"for ({z}, {oy}, {ox}) · step {before + step + 1}/{total}" in shown.text
            for write in writes:
                ch, which = divmod(write.channel, per)
                assert write.values.ravel().tolist() == [(rec.indices if which else rec.output)[ch, z, oy, ox]]
            assert len(shown.sums) == c
            for ch, line in enumerate(shown.sums):
                reads = shown.reads[ch]
                assert set(reads.cells[:, 0]) <= set(range(ch * kd, (ch + 1) * kd))
                check_sum(spec, rec, drawn, line, reads, ch, z, oy, ox, scales)


def test_a_part_draws_the_cells_its_windows_read():
    spec = AdaptiveMaxPool3dSpec((2, 4, 7, 7), (2, 3, 3), True)
    rec = record(spec, seed=1)
    region = Region((1, 3), (0, 2))
    for z, drawn in enumerate(ops.of(spec).drawings(spec, rec, region=region)):
        assert drawn.output.shape == (2, 2, 2)
        np.testing.assert_array_equal(drawn.output, rec.output[:, z, 1:3, 0:2])
        for step in range(drawn.geometry.steps):
            shown = drawn.playback.show(step)
            oy, ox = divmod(step, 2)
            assert f"for ({z}, {oy + 1}, {ox}) ·" in shown.text
            for ch, line in enumerate(shown.sums):
                cells = drawn.grid[tuple(shown.reads[ch].cells.T)]
                assert cells.max() == rec.output[ch, z, oy + 1, ox]
                assert f"at index {rec.indices[ch, z, oy + 1, ox]}" in line


def test_against_torch():
    torch = pytest.importorskip("torch")
    f = torch.nn.functional
    for spec in SPECS:
        rec = record(spec, seed=2)
        x = torch.from_numpy(rec.input[None]).double()
        size = spec.output_shape[1:]
        if spec.NAME.startswith("Fractional"):
            samples = torch.from_numpy(rec.samples[None])
            got, idx = f.fractional_max_pool3d(x, spec.kernel_size, size, None, True, _random_samples=samples)
        elif spec.KIND == "max":
            got, idx = f.adaptive_max_pool3d(x, size, True)
        else:
            got, idx = f.adaptive_avg_pool3d(x, size), None
        np.testing.assert_allclose(rec.output, got[0].numpy())
        if idx is not None:
            np.testing.assert_array_equal(rec.indices, idx[0].numpy())
        drawn = np.stack([d.output for d in ops.of(spec).drawings(spec, rec)], axis=1)
        np.testing.assert_allclose(drawn, got[0].numpy())


@pytest.mark.parametrize("values", [False, True])
def test_a_render_plays_every_depth_slice(values):
    for spec in SPECS[-3:]:
        job = Job(spec, Look(values=values), max_frames=0)
        assert len(job.drawings) == spec.output_shape[1]
        frames = list(job.frames())
        assert len(frames) == job.total == sum(job.shown)


def test_an_adaptive_max_pool_with_indices_counts_its_channels_steps_and_window_as_drawn():
    """AdaptiveMaxPool3d on (2, 5, 5, 5) to (2, 3, 3) with indices, one channel of two drawn:
    the note counts output grids (y and its indices), not 4 channels, and says it once; every
    step of the layer is played (each writes both channels), so none is "of this part"; the
    step line names the window's depths, rows and columns with its 3-D size."""
    spec = AdaptiveMaxPool3dSpec((2, 5, 5, 5), (2, 3, 3), return_indices=True)
    job = Job(spec, Look(), {})
    assert job.channels_left_out().count("2 of 4 output grids (y and indices)") == 1
    assert "output channels" not in job.channels_left_out()
    texts = [d.playback.show(s).text for d in job.drawings for s in range(d.geometry.steps)]
    assert len(texts) == 18 and not any("of this part" in t for t in texts)
    assert [int(t.split("step ")[1].split("/")[0]) for t in texts] == list(range(1, 19))
    for z, drawn in enumerate(job.drawings):
        for step in range(drawn.geometry.steps):
            oy, ox = divmod(step, 3)
            d0, d1 = int(spec.starts[0][z]), int(spec.ends[0][z])
            r0, r1 = int(spec.starts[1][oy]), int(spec.ends[1][oy])
            c0, c1 = int(spec.starts[2][ox]), int(spec.ends[2][ox])
            window = f"window x[:, {d0}:{d1}, {r0}:{r1}, {c0}:{c1}] ({d1 - d0}×{r1 - r0}×{c1 - c0})"
            assert drawn.playback.show(step).text.startswith(f"{window} for ({z}, {oy}, {ox})"), (z, step)
