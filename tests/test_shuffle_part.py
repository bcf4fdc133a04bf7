"""A part of a PixelShuffle or PixelUnshuffle recorded alone holds the whole layer's values, and
draws the part as the whole recording draws it."""

from __future__ import annotations

import io
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


def _channel_spec(rng: random.Random):
    groups = rng.randint(1, 3)  # at most 6 channels: a picture shows every one
    spatial = (rng.randint(1, 9),) if rng.random() < 0.4 else (rng.randint(1, 9), rng.randint(1, 9))
    return convgif.ChannelShuffleSpec((groups * rng.randint(1, 6 // groups), *spatial), groups)


@pytest.mark.parametrize("seed", range(3))
def test_a_channel_shuffles_part_holds_and_draws_the_whole_layers_values(seed, monkeypatch):
    from convgif.ops import args

    rng = random.Random(seed)
    for _ in range(40):
        spec = _channel_spec(rng)
        op = ops.of(spec)
        size = (1, spec.input_shape[1]) if spec.dims == 1 else spec.input_shape[1:]
        r0, c0 = rng.randrange(size[0]), rng.randrange(size[1])
        region = Region((r0, rng.randint(r0 + 1, size[0])), (c0, rng.randint(c0 + 1, size[1])), spec.dims)
        given = None
        if rng.random() < 0.3:
            given = np.round(np.random.default_rng(seed).normal(size=spec.input_shape) * 5, rng.choice((0, 2)))
        whole = op.record_drawn(spec, seed, [()], input=given, region=region)
        assert not isinstance(whole.output, PartArray)  # a layer under the cap is recorded whole
        monkeypatch.setattr(args, "MAX_ELEMENTS", 0)  # as if the layer were too large to record whole
        part = op.record_drawn(spec, seed, [()], input=given, region=region)
        monkeypatch.setattr(args, "MAX_ELEMENTS", 20_000_000)
        cut = (slice(None), *(slice(*s) for s in (region.rows, region.cols)[2 - spec.dims :]))
        assert isinstance(part.output, PartArray) and np.array_equal(part.output[cut], whole.output[cut])
        if given is None:
            assert np.array_equal(part.input[cut], whole.input[cut])
        (a,) = op.drawings(spec, whole, region=region)
        (b,) = op.drawings(spec, part, region=region)
        assert np.array_equal(a.grid, b.grid) and np.array_equal(a.output, b.output)
        assert a.value_chars == b.value_chars
        for step in range(spec.in_channels):
            shown, held = a.playback.show(step), b.playback.show(step)
            assert shown.text == held.text and shown.sums == held.sums
        assert op.part_numbers(spec, region) >= part.output.values.size


def test_a_channel_shuffles_part_matches_torch(monkeypatch):
    torch = pytest.importorskip("torch")
    from convgif.ops import args

    monkeypatch.setattr(args, "MAX_ELEMENTS", 0)
    spec = convgif.ChannelShuffleSpec((6, 17, 23), 3)
    x = np.random.default_rng(2).normal(size=spec.input_shape)
    part = ops.of(spec).record_drawn(spec, 0, [()], input=x, region=Region((3, 11), (5, 20)))
    y = torch.nn.ChannelShuffle(3)(torch.from_numpy(x)[None])[0].numpy()
    assert np.array_equal(part.output.values, y[:, 3:11, 5:20])


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
    three = run(
        main, ["--layer", "ChannelShuffle", "--in", "4,256,256,256", "--groups", "2", "-o", str(tmp_path / "d.gif")]
    )
    assert three.exit_code == 2 and "too large to draw" in three.output  # a 3-D layer is computed whole
    monkeypatch.setattr(job, "memory_bytes", lambda: 1_000)
    refused = run(main, [*layer, "-o", str(tmp_path / "c.gif")])
    assert refused.exit_code == 2 and "--region" in refused.output and "memory" in refused.output


@pytest.mark.parametrize(
    "spec, region",
    [(convgif.ChannelShuffleSpec((6, 12, 12), 2), "3:8,2:9"), (convgif.ChannelShuffleSpec((4, 40), 2), "5:17")],
)
def test_a_channel_shuffle_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(monkeypatch, spec, region):
    from convgif.ops import args

    normal = convgif.render(spec, io.BytesIO(), region=region, values=True).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 50)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), region=region, values=True).data
    assert parted == normal
