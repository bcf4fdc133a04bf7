"""A part of an LPPool3d recorded alone (the rows and columns drawn of every output depth slice)
holds the whole layer's values, and its depth pictures draw as the whole recording's do."""

from __future__ import annotations

import io
import math
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
    return convgif.LPPool3dSpec(
        (rng.randint(1, 3), *(rng.randint(1, 8) for _ in range(3))),
        rng.choice((1, 2, 3, 1.5, -1, math.inf, -math.inf)),
        kernel,
        tuple(rng.randint(1, 3) for _ in range(3)) if rng.random() < 0.7 else None,
        rng.random() < 0.5,
    )


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


def _same(a, b) -> bool:
    return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


@pytest.mark.parametrize("seed", range(3))
def test_a_part_holds_the_whole_layers_values_for_random_layers_and_regions(seed):
    for spec, region, rng in _cases(40, seed):
        op = ops.of(spec)
        given = None
        if rng.random() < 0.3:  # fractions, some negative: NaN where torch gives NaN
            given = np.round(np.random.default_rng(seed).normal(size=spec.input_shape) * 4, rng.choice((0, 2)))
        whole = op.record(spec, seed, input=given)
        part = op.record_drawn(spec, seed, [()], input=given, region=region)
        cut = (slice(None), slice(None), slice(*region.rows), slice(*region.cols))
        assert isinstance(part.output, PartArray) and part.output.start == (0, 0, region.rows[0], region.cols[0])
        assert _same(part.output.values, whole.output[cut]) and part.output.values.dtype == whole.output.dtype
        for name in ("output", "indices", "winners", "divisors"):  # the pooling it is made of
            full, held = getattr(whole.pooled, name), getattr(part.pooled, name)
            assert (full is None) == (held is None), name
            if held is not None:
                box = tuple(slice(s, s + n) for s, n in zip(held.start, held.values.shape))
                assert _same(held.values, np.asarray(full)[box]), (spec, region, name)
        held = part.input
        box = tuple(slice(s, s + n) for s, n in zip(held.start, held.values.shape))
        assert _same(held.values, whole.input[box]) and held.values.dtype == whole.input.dtype
        # the input read: every input depth the output depths read, the rows and columns of the region's windows
        for axis, (a, b) in enumerate(((0, spec.output_shape[1]), region.rows, region.cols)):
            s, k, n = spec.stride[axis], spec.kernel_size[axis], spec.input_shape[1 + axis]
            assert (box[1 + axis].start, box[1 + axis].stop) == (min(a * s, n), min((b - 1) * s + k, n))


@pytest.mark.parametrize("seed", range(2))
def test_a_part_draws_its_depth_pictures_as_the_whole_recording_draws_them(seed):
    for spec, region, _ in _cases(12, 400 + seed):
        op = ops.of(spec)
        geometries = op.geometries(spec, region=region)
        a_all = op.drawings(spec, op.record(spec, seed), region=region, geometries=geometries)
        b_all = op.drawings(
            spec, op.record_drawn(spec, seed, [()], region=region), region=region, geometries=geometries
        )
        assert len(a_all) == len(b_all) == spec.output_shape[1]
        for a, b in zip(a_all, b_all):
            assert np.array_equal(a.grid, b.grid) and a.grid.dtype == b.grid.dtype
            assert _same(a.output, b.output) and a.value_chars == b.value_chars
            for step in range(region.size[0] * region.size[1]):
                shown, held = a.playback.show(step), b.playback.show(step)
                assert shown.text == held.text and shown.sums == held.sums


def test_a_part_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.abs(np.random.default_rng(6).normal(size=(2, 9, 21, 17)))
    region = Region((3, 7), (2, 6))  # within every output below
    for p, k, s, ceil in ((2, 3, 2, True), (1.5, (2, 3, 2), None, False), (math.inf, 2, (1, 2, 2), True)):
        spec = convgif.LPPool3dSpec(x.shape, p, k, s, ceil)
        part = ops.of(spec).record_drawn(spec, 0, [()], input=x, region=region)
        y = torch.nn.LPPool3d(p, k, s, ceil)(torch.from_numpy(x)[None])[0].numpy()
        cut = (slice(None), slice(None), slice(*region.rows), slice(*region.cols))
        assert np.allclose(part.output.values, y[cut], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "spec, region",
    [
        (convgif.LPPool3dSpec((2, 6, 14, 14), 2, 2), "2:5,1:4"),
        (convgif.LPPool3dSpec((1, 7, 15, 13), 3, (2, 3, 3), 2, True), "1:4,3:6"),
    ],
)
def test_an_lp_pooling_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(monkeypatch, spec, region):
    from convgif.ops import args

    normal = convgif.render(spec, io.BytesIO(), max_frames=40, region=region, values=True).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 200)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), max_frames=40, region=region, values=True).data
    assert parted == normal


def test_an_lp_pooling_past_20_million_numbers_renders_from_its_part(monkeypatch, tmp_path):
    from convgif.animation import job

    line = "--layer LPPool3d --in 16,64,128,160 --k 2 --norm-type 2".split()
    assert convgif.LPPool3dSpec((16, 64, 128, 160), 2, 2).numbers > 20_000_000
    runner = CliRunner()
    for extra in (["--max-frames", "40"], ["--region", "3:4,5:7", "--values"]):
        result = runner.invoke(main, [*line, *extra, "-o", str(tmp_path / "big.gif")])
        assert result.exit_code == 0, result.output
    result = runner.invoke(main, [*line, "--backward", "-o", str(tmp_path / "back.gif")])
    assert result.exit_code == 2 and "--backward" in result.output and "backward draws the whole layer" in result.output
    monkeypatch.setattr(job, "memory_bytes", lambda: 10_000)  # a part too large for the machine
    result = runner.invoke(main, [*line, "--region", "0:2,0:2", "-o", str(tmp_path / "a.gif")])
    assert result.exit_code == 2 and "--region" in result.output and "memory" in result.output, result.output
