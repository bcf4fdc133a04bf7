"""A part of a FractionalMaxPool3d recorded alone (the rows and columns drawn of every output
depth slice) holds the whole layer's values, samples included, and its depth pictures draw as
the whole recording's do."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest
from click.testing import CliRunner

import convgif
from convgif import ops
from convgif.cli import main
from convgif.engine.part import PartArray
from convgif.picture.model import Region


def _spec(rng: random.Random):
    kernel = tuple(rng.randint(1, 3) for _ in range(3))
    shape = (rng.randint(1, 3), *(rng.randint(k + 1, k + 9) for k in kernel))
    size = tuple(rng.randint(1, n - k) for n, k in zip(shape[1:], kernel))
    samples = np.random.default_rng(rng.randrange(99)).random((shape[0], 3)) if rng.random() < 0.4 else None
    return convgif.FractionalMaxPool3dSpec(shape, kernel, size, None, rng.random() < 0.5, samples)


def _cases(count: int, seed: int):
    rng = random.Random(seed)
    done = 0
    while done < count:
        try:
            spec = _spec(rng)
        except convgif.SpecError:
            continue
        done += 1
        h, w = spec.output_shape[2:]
        r0, c0 = rng.randrange(h), rng.randrange(w)
        yield spec, Region((r0, rng.randint(r0 + 1, h)), (c0, rng.randint(c0 + 1, w))), rng


def _loop(x: np.ndarray, starts, k) -> np.ndarray:
    """Each channel's max over its own windows, one output at a time."""
    c, o = x.shape[0], tuple(s.shape[1] for s in starts)
    out = np.zeros((c, *o))
    for ch in range(c):
        for i in np.ndindex(*o):
            window = tuple(slice(s[ch, j], s[ch, j] + n) for s, j, n in zip(starts, i, k))
            out[(ch, *i)] = x[(ch, *window)].max()
    return out


@pytest.mark.parametrize("seed", range(3))
def test_a_part_holds_the_whole_layers_values_for_random_layers_and_regions(seed):
    for spec, region, rng in _cases(40, seed):
        op = ops.of(spec)
        given = None
        if rng.random() < 0.3:
            given = np.round(np.random.default_rng(seed).normal(size=spec.input_shape) * 4, rng.choice((0, 2)))
        whole = op.record(spec, seed, input=given)
        part = op.record_drawn(spec, seed, [()], input=given, region=region)
        assert np.array_equal(part.samples, whole.samples)  # drawn after every example value, as the whole's
        for a, b in zip(part.starts, whole.starts):
            assert np.array_equal(a, b)
        cut = (slice(None), slice(None), slice(*region.rows), slice(*region.cols))
        for name in ("output", "indices", "winners"):
            full, held = getattr(whole, name), getattr(part, name)
            assert isinstance(held, PartArray) and held.shape == full.shape, name
            assert held.start[:4] == (0, 0, region.rows[0], region.cols[0]), name
            assert np.array_equal(held.values, full[cut]) and held.values.dtype == full.dtype, (spec, region, name)
        held = part.input
        box = tuple(slice(s, s + n) for s, n in zip(held.start, held.values.shape))
        assert np.array_equal(held.values, whole.input[box]) and held.values.dtype == whole.input.dtype
        assert (box[1].start, box[1].stop) == (0, spec.input_shape[1])  # every input depth
        for axis, (a, b) in (
            (1, region.rows),
            (2, region.cols),
        ):  # every cell the region's windows read, of any channel
            starts = whole.starts[axis][:, a:b]
            assert box[1 + axis].start <= starts.min() and starts.max() + spec.kernel_size[axis] <= box[1 + axis].stop
        assert ops.of(spec).part_numbers(spec, region) >= held.values.size + part.output.values.size
        x = np.asarray(whole.input, dtype=np.float64)
        assert np.array_equal(part.output.values, _loop(x, whole.starts, spec.kernel_size)[cut])


@pytest.mark.parametrize("seed", range(2))
def test_a_part_draws_its_depth_pictures_as_the_whole_recording_draws_them(seed):
    for spec, region, _ in _cases(10, 500 + seed):
        op = ops.of(spec)
        geometries = op.geometries(spec, region=region)
        a_all = op.drawings(spec, op.record(spec, seed), region=region, geometries=geometries)
        b_all = op.drawings(
            spec, op.record_drawn(spec, seed, [()], region=region), region=region, geometries=geometries
        )
        assert len(a_all) == len(b_all) == spec.output_shape[1]
        for a, b in zip(a_all, b_all):
            assert np.array_equal(a.grid, b.grid) and a.grid.dtype == b.grid.dtype
            assert np.array_equal(a.output, b.output) and a.value_chars == b.value_chars
            assert a.geometry.notes == b.geometry.notes
            for step in range(region.size[0] * region.size[1]):
                shown, held = a.playback.show(step), b.playback.show(step)
                assert shown.text == held.text and shown.sums == held.sums


def test_a_part_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(7).normal(size=(2, 9, 23, 21)).round(1)
    samples = np.random.default_rng(8).random((1, 2, 3))
    spec = convgif.FractionalMaxPool3dSpec(x.shape, (2, 3, 2), (5, 11, 9), None, True, samples)
    region = Region((3, 8), (2, 6))
    part = ops.of(spec).record_drawn(spec, 0, [()], input=x, region=region)
    layer = torch.nn.FractionalMaxPool3d(
        (2, 3, 2), (5, 11, 9), return_indices=True, _random_samples=torch.from_numpy(samples)
    )
    y, indices = layer(torch.from_numpy(x))
    cut = (slice(None), slice(None), slice(3, 8), slice(2, 6))
    assert np.array_equal(part.output.values, y.numpy()[cut])
    assert np.array_equal(part.indices.values, indices.numpy()[cut])


@pytest.mark.parametrize(
    "spec, region",
    [
        (convgif.FractionalMaxPool3dSpec((2, 8, 20, 20), 2, (4, 9, 9), return_indices=True), "2:5,3:6"),
        (convgif.FractionalMaxPool3dSpec((1, 9, 17, 15), (3, 2, 2), (3, 8, 7)), "1:3,0:3"),
    ],
)
def test_a_fractional_pooling_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(
    monkeypatch, spec, region
):
    from convgif.ops import args

    # parts whose pictures all fit the page's height either way: a part wider than the column is
    # chosen by its size, which a layer computed only in part measures with estimated numbers
    normal = convgif.render(spec, io.BytesIO(), max_frames=40, region=region, values=True).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 200)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), max_frames=40, region=region, values=True).data
    assert parted == normal


def test_a_fractional_pooling_past_20_million_numbers_renders_from_its_part(monkeypatch, tmp_path):
    from convgif.animation import job

    line = "--layer FractionalMaxPool3d --in 16,64,128,160 --k 2 --output-size 32,64,80".split()
    assert convgif.FractionalMaxPool3dSpec((16, 64, 128, 160), 2, (32, 64, 80)).numbers > 20_000_000
    runner = CliRunner()
    for extra in (["--max-frames", "40"], ["--region", "3:4,5:7", "--values"]):
        result = runner.invoke(main, [*line, *extra, "-o", str(tmp_path / "big.gif")])
        assert result.exit_code == 0, result.output
    result = runner.invoke(main, [*line, "--backward", "-o", str(tmp_path / "back.gif")])
    assert result.exit_code == 2 and "--backward" in result.output and "backward draws the whole layer" in result.output
    monkeypatch.setattr(job, "memory_bytes", lambda: 10_000)  # a part too large for the machine
    result = runner.invoke(main, [*line, "--region", "0:2,0:2", "-o", str(tmp_path / "a.gif")])
    assert result.exit_code == 2 and "--region" in result.output and "memory" in result.output, result.output
