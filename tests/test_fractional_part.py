"""A part of a FractionalMaxPool2d too large to record whole holds the whole layer's values, its
windows placed by the whole layer's samples, and draws the part as the whole recording draws it."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest

import convgif
from convgif import ops
from convgif.engine.part import PartArray
from convgif.picture.model import Region

OP = ops.operation("FractionalMaxPool2d")


def _spec(rng: random.Random):
    """A random valid FractionalMaxPool2d (None when the draw is not one)."""
    shape = (rng.randint(1, 3), rng.randint(2, 14), rng.randint(2, 14))
    kernel = (rng.randint(1, 4), rng.randint(1, 4))
    size = {"output_ratio": rng.choice((0.5, 0.7, (0.4, 0.9)))}
    if rng.random() < 0.5:
        size = {"output_size": (rng.randint(1, shape[1]), rng.randint(1, shape[2]))}
    samples = None
    if rng.random() < 0.3:
        samples = np.random.default_rng(rng.randrange(100)).random((shape[0], 2))
    try:
        return OP.build(
            input_shape=shape, kernel_size=kernel, return_indices=rng.random() < 0.4, samples=samples, **size
        )
    except convgif.SpecError:
        return None


def _region(rng: random.Random, spec) -> Region:
    h, w = spec.output_shape[1:]
    r0, c0 = rng.randrange(h), rng.randrange(w)
    return Region((r0, rng.randint(r0 + 1, h)), (c0, rng.randint(c0 + 1, w)))


@pytest.mark.parametrize("seed", range(4))
def test_a_part_holds_and_draws_the_whole_layers_values_for_random_layers_and_regions(seed, monkeypatch):
    from convgif.ops import args

    rng, found = random.Random(seed), 0
    while found < 50:
        spec = _spec(rng)
        if spec is None or min(spec.output_shape[1:]) < 1:
            continue
        found += 1
        region = _region(rng, spec)
        given = None
        if rng.random() < 0.3:  # a given input of fractions, or of whole numbers
            given = np.round(np.random.default_rng(seed).normal(size=spec.input_shape) * 4, rng.choice((0, 2)))
        whole = OP.record_drawn(spec, seed, [()], input=given, region=region)
        assert not isinstance(whole.output, PartArray)  # a layer under the cap is recorded whole
        monkeypatch.setattr(args, "MAX_ELEMENTS", 0)  # as if the layer were too large to record whole
        part = OP.record_drawn(spec, seed, [()], input=given, region=region)
        monkeypatch.setattr(args, "MAX_ELEMENTS", 20_000_000)
        assert np.array_equal(part.samples, whole.samples)  # the same random stream, to the last sample
        for held, full in zip(part.starts, whole.starts):
            assert np.array_equal(held, full)
        cut = (slice(None), slice(*region.rows), slice(*region.cols))
        for name in ("output", "indices", "winners"):
            held = getattr(part, name)
            assert isinstance(held, PartArray) and held.shape == getattr(whole, name).shape
            assert np.array_equal(held.values, getattr(whole, name)[cut]), (spec, region, name)
        if given is None:
            x = part.input
            box = tuple(slice(s, s + n) for s, n in zip(x.start, x.values.shape))
            assert np.array_equal(x.values, whole.input[box])
        (a,) = OP.drawings(spec, whole, region=region)
        (b,) = OP.drawings(spec, part, region=region)
        assert np.array_equal(a.grid, b.grid) and np.array_equal(a.output, b.output)
        assert a.value_chars == b.value_chars and a.geometry.notes == b.geometry.notes
        for step in range(region.size[0] * region.size[1]):
            shown, held = a.playback.show(step), b.playback.show(step)
            assert shown.text == held.text and shown.sums == held.sums, (spec, region)
        assert OP.part_numbers(spec, region) >= part.output.values.size


def test_a_part_matches_torch(monkeypatch):
    torch = pytest.importorskip("torch")
    from convgif.ops import args

    monkeypatch.setattr(args, "MAX_ELEMENTS", 0)
    samples = np.random.default_rng(7).random((3, 2))
    spec = OP.build(
        input_shape=(3, 40, 33), kernel_size=(3, 2), output_size=(17, 20), return_indices=True, samples=samples
    )
    x = np.random.default_rng(8).normal(size=spec.input_shape)
    region = Region((5, 13), (2, 19))
    part = OP.record_drawn(spec, 0, [()], input=x, region=region)
    layer = torch.nn.FractionalMaxPool2d(
        (3, 2), output_size=(17, 20), return_indices=True, _random_samples=torch.from_numpy(samples)[None]
    )
    y, indices = layer(torch.from_numpy(x)[None])
    cut = (slice(None), slice(*region.rows), slice(*region.cols))
    assert np.array_equal(part.output.values, y[0].numpy()[cut])
    assert np.array_equal(part.indices.values, indices[0].numpy()[cut])


def test_a_layer_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(monkeypatch):
    from convgif.ops import args

    spec = OP.build(input_shape=(3, 30, 30), kernel_size=3, output_ratio=0.5, return_indices=True)
    normal = convgif.render(spec, io.BytesIO(), max_frames=60, region="3:7,5:9", values=True).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 100)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), max_frames=60, region="3:7,5:9", values=True).data
    assert parted == normal


def test_a_huge_fractional_pooling_is_drawn_from_its_part_alone(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from convgif.animation import job
    from convgif.cli import main

    spec = OP.build(input_shape=(16, 1024, 1024), kernel_size=2, output_ratio=0.5)
    assert spec.numbers > 20_000_000
    result = convgif.render(spec, io.BytesIO(), max_frames=40)
    assert result.region is not None and OP.part_numbers(spec, result.region) < 100_000
    layer = ["--layer", "FractionalMaxPool2d", "--in", "16,1024,1024", "--k", "2", "--output-ratio", "0.5"]
    run = CliRunner().invoke
    done = run(main, [*layer, "--max-frames", "40", "--region", "300:303,200:202", "-o", str(tmp_path / "a.gif")])
    assert done.exit_code == 0, done.output
    refused = run(main, [*layer, "--backward", "-o", str(tmp_path / "b.gif")])
    assert refused.exit_code == 2 and "--backward" in refused.output and "whole layer" in refused.output
    monkeypatch.setattr(job, "memory_bytes", lambda: 1_000)
    refused = run(main, [*layer, "--max-frames", "40", "-o", str(tmp_path / "c.gif")])
    assert refused.exit_code == 2 and "--region" in refused.output and "memory" in refused.output
