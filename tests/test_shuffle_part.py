"""A part of a PixelShuffle or PixelUnshuffle recorded alone holds the whole layer's values, and
draws the part as the whole recording draws it."""

from __future__ import annotations

import io
import math
import random

import numpy as np
import pytest

import convgif
from convgif import ops
from convgif.engine.part import PartArray
from convgif.picture.model import Region


def _spec(rng: random.Random):
    r = rng.randint(1, 3)
    if rng.random() < 0.5:
        return convgif.PixelShuffleSpec((rng.randint(1, 3) * r * r, rng.randint(1, 6), rng.randint(1, 6)), r)
    return convgif.PixelUnshuffleSpec((rng.randint(1, 3), rng.randint(1, 4) * r, rng.randint(1, 4) * r), r)


def _region(rng: random.Random, spec) -> Region:
    h, w = spec.output_shape[1:]
    r0, c0 = rng.randrange(h), rng.randrange(w)
    return Region((r0, rng.randint(r0 + 1, h)), (c0, rng.randint(c0 + 1, w)))


@pytest.mark.parametrize("seed", range(4))
def test_a_part_holds_and_draws_the_whole_layers_values_for_random_layers_and_regions(seed):
    rng = random.Random(seed)
    for _ in range(40):
        spec, op = None, None
        while spec is None:
            try:
                spec = _spec(rng)
            except convgif.SpecError:
                continue
        op, region = ops.of(spec), _region(rng, spec)
        given = None
        if rng.random() < 0.3:
            given = np.round(np.random.default_rng(seed).normal(size=spec.input_shape) * 5, rng.choice((0, 2)))
        whole = op.record(spec, seed, input=given)
        part = op.record_drawn(spec, seed, [()], input=given, region=region)
        assert isinstance(part.output, PartArray)
        cut = (slice(None), slice(*region.rows), slice(*region.cols))
        assert np.array_equal(part.output[cut], whole.output[cut])
        (a,) = op.drawings(spec, whole, region=region)
        (b,) = op.drawings(spec, part, region=region)
        assert np.array_equal(a.grid, b.grid) and np.array_equal(a.output, b.output)
        for step in range(a.geometry.steps_per_column):
            shown, held = a.playback.show(step), b.playback.show(step)
            assert shown.text == held.text and shown.sums == held.sums


@pytest.mark.parametrize(
    "spec, region",
    [(convgif.PixelShuffleSpec((8, 20, 20), 2), "10:16,3:9"), (convgif.PixelUnshuffleSpec((2, 30, 30), 3), "2:5,4:8")],
)
def test_a_shuffle_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(monkeypatch, spec, region):
    from convgif.ops import args

    given = np.random.default_rng(0).integers(100, 1000, spec.input_shape)
    normal = convgif.render(spec, io.BytesIO(), max_frames=60, region=region, values=True, input=given).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 200)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), max_frames=60, region=region, values=True, input=given).data
    assert parted == normal


def test_a_part_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(5).normal(size=(12, 9, 11))
    unshuffled = np.random.default_rng(6).normal(size=(3, 36, 33))
    region = Region((4, 13), (7, 20))
    for spec, layer, given in [
        (convgif.PixelShuffleSpec((12, 9, 11), 2), torch.nn.PixelShuffle(2), x),
        (convgif.PixelUnshuffleSpec((3, 36, 33), 3), torch.nn.PixelUnshuffle(3), unshuffled),
    ]:
        part_region = region if spec.output_shape[1] >= 13 else Region((1, 3), (2, 10))
        part = ops.of(spec).record_drawn(spec, 0, [()], input=given, region=part_region)
        y = layer(torch.from_numpy(given)[None])[0].numpy()
        cut = (slice(None), slice(*part_region.rows), slice(*part_region.cols))
        assert np.array_equal(part.output[cut], y[cut])


# -- ChannelShuffle: a part of every channel (and every depth slice, over three axes) ----------------


def _channel_shuffles(count: int, seed: int):
    """Random channel shuffles of one to three axes (at most six channels: every one drawn), parts."""
    rng = random.Random(seed)
    while count:
        g = rng.randint(1, 3)
        dims = rng.choice((1, 2, 3))
        spec = convgif.ChannelShuffleSpec((g * rng.randint(1, 6 // g), *(rng.randint(1, 6) for _ in range(dims))), g)
        h, w = spec.output_shape[-2:] if dims > 1 else (1, spec.output_shape[-1])
        r0, c0 = rng.randrange(h), rng.randrange(w)
        count -= 1
        yield spec, Region((r0, rng.randint(r0 + 1, h)), (c0, rng.randint(c0 + 1, w)), min(dims, 2)), rng


@pytest.mark.parametrize("seed", range(2))
def test_a_channel_shuffles_part_holds_and_draws_the_whole_layers_values(seed):
    for spec, region, rng in _channel_shuffles(60, seed):
        op = ops.of(spec)
        given = np.random.default_rng(seed).normal(size=spec.input_shape).round(2) if rng.random() < 0.3 else None
        whole = op.record(spec, seed, input=given)
        part = op.record_drawn(spec, seed, [()], input=given, region=region)
        held = part.output
        assert isinstance(held, PartArray) and held.values.dtype == whole.output.dtype
        box = tuple(slice(s, s + n) for s, n in zip(held.start, held.values.shape))
        assert np.array_equal(held.values, whole.output[box]), (spec, region)
        assert held.values.size == spec.in_channels * math.prod(region.size) * spec.input_shape[1] ** (spec.dims == 3)
        if given is None:
            assert np.array_equal(part.input.values, whole.input[box])
        assert op.part_numbers(spec, region) >= 2 * held.values.size
        pictures = op.drawings(spec, whole, region=region)
        for a, b in zip(pictures, op.drawings(spec, part, region=region), strict=True):
            assert np.array_equal(a.grid, b.grid) and np.array_equal(a.output, b.output)
            for step in range(spec.in_channels):
                shown, kept = a.playback.show(step), b.playback.show(step)
                assert shown.text == kept.text and shown.sums == kept.sums


def test_a_channel_shuffles_part_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(5).normal(size=(6, 4, 20, 30))
    spec = convgif.ChannelShuffleSpec(x.shape, 3)
    part = ops.of(spec).record_drawn(spec, 0, [()], input=x, region=Region((7, 13), (20, 29)))
    y = torch.nn.ChannelShuffle(3)(torch.from_numpy(x)[None])[0].numpy()
    assert np.array_equal(part.output.values, y[:, :, 7:13, 20:29])


@pytest.mark.parametrize(
    "spec, region",
    [
        (convgif.ChannelShuffleSpec((6, 12, 12), 2), "3:6,2:7"),
        (convgif.ChannelShuffleSpec((4, 3, 8, 8), 2), "5:8,0:3"),
        (convgif.ChannelShuffleSpec((6, 40), 3), "10:30"),
    ],
)
def test_a_channel_shuffle_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(monkeypatch, spec, region):
    from convgif.ops import args

    # parts whose pictures all fit the page's height either way: a part wider than the column is
    # chosen by its size, which a layer computed only in part measures with estimated numbers
    normal = convgif.render(spec, io.BytesIO(), max_frames=60, region=region, values=True).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 100)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), max_frames=60, region=region, values=True).data
    assert parted == normal


def test_a_huge_three_axis_channel_shuffle_is_drawn_from_its_part_alone(monkeypatch):
    spec = convgif.ChannelShuffleSpec((6, 8, 1024, 1024), 2)
    assert spec.numbers > 20_000_000
    result = convgif.render(spec, io.BytesIO(), max_frames=48)
    assert result.frames == 48 and result.region is not None
    assert ops.of(spec).part_numbers(spec, result.region) < 100_000
    from convgif.animation import job

    monkeypatch.setattr(job, "memory_bytes", lambda: 10_000)
    with pytest.raises(convgif.TooLargeError, match=r"region=.*memory") as refused:
        convgif.render(spec, io.BytesIO(), max_frames=48, region="0:4,0:4")
    assert refused.value.argument == "region"


def test_a_huge_channel_shuffle_is_drawn_from_its_part_alone(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from convgif.animation import job
    from convgif.cli import main

    spec = convgif.ChannelShuffleSpec((6, 2048, 2048), 3)
    assert spec.numbers > 20_000_000
    result = convgif.render(spec, io.BytesIO(), max_frames=40)
    assert result.region is not None and ops.of(spec).part_numbers(spec, result.region) < 1_000_000
    layer = ["--layer", "ChannelShuffle", "--in", "6,2048,2048", "--groups", "3"]
    run = CliRunner().invoke
    done = run(main, [*layer, "--region", "300:306,200:205", "-o", str(tmp_path / "a.gif")])
    assert done.exit_code == 0, done.output
    refused = run(main, [*layer, "--backward", "-o", str(tmp_path / "b.gif")])
    assert refused.exit_code == 2 and "--backward" in refused.output and "whole layer" in refused.output
    monkeypatch.setattr(job, "memory_bytes", lambda: 1_000)
    refused = run(main, [*layer, "-o", str(tmp_path / "c.gif")])
    assert refused.exit_code == 2 and "--region" in refused.output and "memory" in refused.output
