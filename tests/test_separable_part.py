"""A part of a separable convolution too large to record whole holds the whole layer's values in
both steps, and draws the part as the whole recording draws it."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest

import convgif
from convgif import ops
from convgif.engine.part import PartArray
from convgif.picture.model import Region
from convgif.picture.sizes import kernel_channels

SEPARABLE = ops.operation("separable")


def _spec(rng: random.Random):
    """A random valid separable convolution (None when the draw is not one)."""
    kernel = (rng.randint(1, 4), rng.randint(1, 4))
    try:
        return SEPARABLE.build(
            input_shape=(rng.randint(1, 4), rng.randint(1, 12), rng.randint(1, 12)),
            out_channels=rng.randint(1, 4),
            kernel_size=kernel,
            stride=(rng.randint(1, 3), rng.randint(1, 3)),
            padding=tuple(rng.randint(0, k) for k in kernel),
            dilation=(rng.randint(1, 2), rng.randint(1, 2)),
            bias=rng.random() < 0.7,
            padding_mode=rng.choice(("zeros", "zeros", "reflect", "replicate", "circular")),
        )
    except convgif.SpecError:
        return None


def _region(rng: random.Random, spec) -> Region:
    h, w = spec.output_shape[1:]
    r0, c0 = rng.randrange(h), rng.randrange(w)
    return Region((r0, rng.randint(r0 + 1, h)), (c0, rng.randint(c0 + 1, w)))


def _cases(count: int, seed: int):
    rng = random.Random(seed)
    found = 0
    while found < count:
        spec = _spec(rng)
        if spec is not None:
            found += 1
            yield spec, _region(rng, spec), rng


def _given(rng: random.Random, spec, seed: int) -> dict:
    values, given = np.random.default_rng(seed), {}
    if rng.random() < 0.3:  # of fractions, or of whole numbers
        given["input"] = np.round(values.normal(size=spec.input_shape) * 3, rng.choice((0, 2)))
    if rng.random() < 0.2:
        given["weight"] = np.round(values.normal(size=SEPARABLE.weight_shape(spec)), rng.choice((0, 1)))
    return given


@pytest.mark.parametrize("seed", range(4))
def test_a_part_holds_and_draws_the_whole_layers_values_for_random_layers_and_regions(seed, monkeypatch):
    from convgif.ops import args

    for spec, region, rng in _cases(25, seed):
        given = _given(rng, spec, seed)
        kernels = [kernel_channels(g) for g in SEPARABLE.geometries(spec, region=region)]
        whole = SEPARABLE.record_drawn(spec, seed, kernels, **given)
        assert not isinstance(SEPARABLE.record_drawn(spec, seed, kernels, region=region, **given).output, PartArray)
        monkeypatch.setattr(args, "MAX_ELEMENTS", 0)  # as if the layer were too large to record whole
        part = SEPARABLE.record_drawn(spec, seed, kernels, region=region, **given)
        monkeypatch.setattr(args, "MAX_ELEMENTS", 20_000_000)
        cut = (slice(None), slice(*region.rows), slice(*region.cols))
        for step in ("depthwise", "pointwise"):
            held, full = getattr(part, step), getattr(whole, step)
            assert isinstance(held.output, PartArray) and held.output.shape == full.output.shape
            fractions = held.output.values.dtype.kind == "f"
            same = np.allclose if fractions else np.array_equal  # a whole recording of fractions sums otherwise
            assert same(held.output.values, np.asarray(full.output)[cut]), (spec, region, step)
            assert held.output.values.dtype == np.asarray(full.output).dtype
            whole_kept = list(full.kept or range(len(full.weight)))  # a layer of fractions is recorded whole
            for i, co in enumerate(held.kept or range(len(held.weight))):
                assert np.array_equal(held.weight[i], full.weight[whole_kept.index(co)])
            assert (held.bias is None) == (full.bias is None)
            if held.bias is not None:
                assert np.array_equal(held.bias, full.bias)
        assert part.pointwise.input is part.depthwise.output  # d's part, read by the 1×1 kernels
        if "input" not in given:  # only the input cells the depthwise windows read
            x = part.input
            box = tuple(slice(s, s + n) for s, n in zip(x.start, x.values.shape))
            assert np.array_equal(x.values, whole.input[box])
        a = SEPARABLE.drawings(spec, whole, region=region)
        b = SEPARABLE.drawings(spec, part, region=region)
        for one, other in zip(a, b):
            assert np.allclose(one.grid, other.grid) and np.allclose(one.output, other.output), (spec, region)
            assert np.array_equal(np.unique(one.kernel_values), np.unique(other.kernel_values))
            if one.output.dtype.kind != "f":
                assert one.value_chars == other.value_chars
                for step in range(one.geometry.steps_per_column):
                    shown, held = one.playback.show(step), other.playback.show(step)
                    assert shown.text == held.text and shown.sums == held.sums
        assert SEPARABLE.part_numbers(spec, region) >= part.output.values.size + part.depthwise.output.values.size


def test_a_part_matches_torch(monkeypatch):
    torch = pytest.importorskip("torch")
    from convgif.ops import args

    monkeypatch.setattr(args, "MAX_ELEMENTS", 0)
    spec = SEPARABLE.build(input_shape=(5, 31, 27), out_channels=4, kernel_size=3, stride=2, padding=2, dilation=2)
    x = np.random.default_rng(2).integers(-9, 10, spec.input_shape)
    region = Region((3, 11), (6, 12))
    part = SEPARABLE.record_drawn(spec, 0, [range(5), range(4)], input=x, region=region)
    whole = SEPARABLE.record(spec, 0, input=x)  # the weights: the seed's
    depthwise = torch.nn.Conv2d(5, 5, 3, stride=2, padding=2, dilation=2, groups=5).double()
    pointwise = torch.nn.Conv2d(5, 4, 1).double()
    with torch.no_grad():
        depthwise.weight[...] = torch.from_numpy(whole.depthwise.weight.astype(np.float64))
        depthwise.bias[...] = torch.from_numpy(whole.depthwise.bias.astype(np.float64))
        pointwise.weight[...] = torch.from_numpy(whole.pointwise.weight.astype(np.float64))
        pointwise.bias[...] = torch.from_numpy(whole.pointwise.bias.astype(np.float64))
        d = depthwise(torch.from_numpy(x.astype(np.float64))[None])
        y = pointwise(d)[0].numpy()
    cut = (slice(None), slice(*region.rows), slice(*region.cols))
    assert np.array_equal(part.depthwise.output.values, d[0].numpy()[cut])
    assert np.array_equal(part.output.values, y[cut])


@pytest.mark.parametrize("region", ["2:6,3:7", "0:3,8:11"])
def test_a_layer_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(monkeypatch, region):
    from convgif.ops import args

    spec = SEPARABLE.build(input_shape=(3, 11, 11), out_channels=2, kernel_size=3, padding=1)
    given = np.random.default_rng(0).integers(10, 31, spec.input_shape)
    normal = convgif.render(spec, io.BytesIO(), max_frames=200, region=region, values=True, input=given).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 200)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), max_frames=200, region=region, values=True, input=given).data
    assert parted == normal


def test_a_huge_separable_convolution_is_drawn_from_its_part_alone(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from convgif.animation import job
    from convgif.cli import main

    spec = SEPARABLE.build(input_shape=(32, 1024, 1024), out_channels=64, kernel_size=3, padding=1)
    assert spec.numbers > 20_000_000
    result = convgif.render(spec, io.BytesIO(), max_frames=40)
    assert result.region is not None and SEPARABLE.part_numbers(spec, result.region) < 1_000_000
    layer = [
        "--layer",
        "separable",
        "--in",
        "32,1024,1024",
        "--out",
        "64",
        "--k",
        "3",
        "--p",
        "1",
        "--max-frames",
        "40",
    ]
    run = CliRunner().invoke
    done = run(main, [*layer, "--region", "500:503,700:702", "-o", str(tmp_path / "a.gif")])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "a.gif").stat().st_size > 0
    refused = run(main, [*layer, "--backward", "-o", str(tmp_path / "b.gif")])
    assert refused.exit_code == 2 and "--backward" in refused.output and "whole layer" in refused.output
    monkeypatch.setattr(job, "memory_bytes", lambda: 10_000)
    refused = run(main, [*layer, "-o", str(tmp_path / "c.gif")])
    assert refused.exit_code == 2 and "--region" in refused.output and "memory" in refused.output
    assert not (tmp_path / "b.gif").exists() and not (tmp_path / "c.gif").exists()
