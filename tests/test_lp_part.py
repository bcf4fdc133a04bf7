"""A part of an LPPool1d/2d too large to record whole holds the whole layer's values, and draws
the part as the whole recording draws it."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest

import convgif
from convgif import ops
from convgif.engine.part import PartArray
from convgif.ops.lp_part import part_numbers
from convgif.picture.model import Region


def _spec(rng: random.Random):
    """A random valid LPPool1d/2d (None when the draw is not one)."""
    dims = rng.choice((1, 2))
    kernel = rng.randint(1, 4) if dims == 1 else (rng.randint(1, 4), rng.randint(1, 4))
    try:
        return ops.operation(f"LPPool{dims}d").build(
            input_shape=(rng.randint(1, 3), *(rng.randint(1, 12) for _ in range(dims))),
            norm_type=rng.choice((1, 2, 3, 0.5, 1.5, -1, float("inf"), float("-inf"))),
            kernel_size=kernel,
            stride=tuple(rng.randint(1, 4) for _ in range(dims)) if rng.random() < 0.7 else None,
            ceil_mode=rng.random() < 0.4,
        )
    except convgif.SpecError:
        return None


def _region(rng: random.Random, spec) -> Region:
    sizes = spec.output_shape[1:] if spec.DIMS == 2 else (1, spec.output_shape[1])
    r0, c0 = rng.randrange(sizes[0]), rng.randrange(sizes[1])
    return Region((r0, rng.randint(r0 + 1, sizes[0])), (c0, rng.randint(c0 + 1, sizes[1])), spec.DIMS)


@pytest.mark.parametrize("seed", range(4))
def test_a_part_holds_and_draws_the_whole_layers_values_for_random_layers_and_regions(seed, monkeypatch):
    from convgif.ops import args

    rng, found = random.Random(seed), 0
    while found < 50:
        spec = _spec(rng)
        if spec is None:
            continue
        found += 1
        op, region = ops.of(spec), _region(rng, spec)
        given = None
        if rng.random() < 0.3:  # a given input of fractions (some negative), or of whole numbers
            given = np.round(np.random.default_rng(seed).normal(size=spec.input_shape) * 4, rng.choice((0, 2)))
        whole = op.record_drawn(spec, seed, [()], input=given, region=region)
        assert not isinstance(whole.output, PartArray)  # a layer under the cap is recorded whole
        monkeypatch.setattr(args, "MAX_ELEMENTS", 0)  # as if the layer were too large to record whole
        part = op.record_drawn(spec, seed, [()], input=given, region=region)
        monkeypatch.setattr(args, "MAX_ELEMENTS", 20_000_000)
        flat = whole.as_2d()
        assert part.spec == flat.spec and isinstance(part.output, PartArray)
        cut = (slice(None), slice(*region.rows), slice(*region.cols))
        assert np.array_equal(part.output.values, flat.output[cut], equal_nan=True), (spec, region)
        if given is None:
            held = part.input
            box = tuple(slice(s, s + n) for s, n in zip(held.start, held.values.shape))
            assert np.array_equal(held.values, flat.input[box])
        (a,) = op.drawings(spec, whole, region=region)
        (b,) = op.drawings(spec, part, region=region)
        assert np.array_equal(a.grid, b.grid) and np.array_equal(a.output, b.output, equal_nan=True)
        assert np.array_equal(a.filler, b.filler) and a.value_chars == b.value_chars
        for step in range(region.size[0] * region.size[1]):
            shown, held = a.playback.show(step), b.playback.show(step)
            assert shown.text == held.text and shown.sums == held.sums, (spec, region)
        assert part_numbers(spec, region) >= part.output.values.size


def test_a_part_matches_torch(monkeypatch):
    torch = pytest.importorskip("torch")
    from convgif.ops import args

    monkeypatch.setattr(args, "MAX_ELEMENTS", 0)
    x2, x1 = np.random.default_rng(4).normal(size=(3, 31, 29)), np.random.default_rng(5).normal(size=(2, 90))
    for spec, x, region, layer in [
        (
            convgif.LPPool2dSpec((3, 31, 29), 2, 3, 2, True),
            x2,
            Region((4, 12), (3, 14)),
            torch.nn.LPPool2d(2, 3, 2, True),
        ),
        (
            convgif.LPPool1dSpec((2, 90), 1.5, 4, 3),
            np.abs(x1),
            Region((0, 1), (5, 20), 1),
            torch.nn.LPPool1d(1.5, 4, 3),
        ),
    ]:
        part = ops.of(spec).record_drawn(spec, 0, [()], input=x, region=region)
        y = layer(torch.from_numpy(x)[None])[0].numpy().reshape(part.output.shape)
        cut = (slice(None), slice(*region.rows), slice(*region.cols))
        assert np.allclose(part.output.values, y[cut], rtol=1e-12, atol=0)


def test_a_layer_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(monkeypatch):
    from convgif.ops import args

    for spec, region in [
        (convgif.LPPool2dSpec((3, 20, 20), 2, 3, 2), "2:6,3:7"),
        (convgif.LPPool1dSpec((2, 60), 3, 4), "4:10"),
    ]:
        normal = convgif.render(spec, io.BytesIO(), max_frames=60, region=region, values=True).data
        monkeypatch.setattr(args, "MAX_ELEMENTS", 100)  # as if this layer were far too large
        parted = convgif.render(spec, io.BytesIO(), max_frames=60, region=region, values=True).data
        monkeypatch.setattr(args, "MAX_ELEMENTS", 20_000_000)
        assert parted == normal


def test_a_huge_lp_pooling_is_drawn_from_its_part_alone(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from convgif.animation import job
    from convgif.cli import main

    spec = convgif.LPPool2dSpec((16, 1024, 1024), 2, 2)
    assert spec.numbers > 20_000_000
    result = convgif.render(spec, io.BytesIO(), max_frames=40)
    assert result.region is not None and part_numbers(spec, result.region) < 100_000
    layer = ["--layer", "LPPool2d", "--in", "16,1024,1024", "--norm-type", "2", "--k", "2", "--max-frames", "40"]
    run = CliRunner().invoke
    done = run(main, [*layer, "--region", "300:303,200:202", "-o", str(tmp_path / "a.gif")])
    assert done.exit_code == 0, done.output
    refused = run(main, [*layer, "--backward", "-o", str(tmp_path / "b.gif")])
    assert refused.exit_code == 2 and "--backward" in refused.output and "whole layer" in refused.output
    monkeypatch.setattr(job, "memory_bytes", lambda: 1_000)
    refused = run(main, [*layer, "-o", str(tmp_path / "c.gif")])
    assert refused.exit_code == 2 and "--region" in refused.output and "memory" in refused.output
