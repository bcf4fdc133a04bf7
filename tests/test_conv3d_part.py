"""A part of a Conv3d recorded alone (every output depth, some rows and columns) holds the whole
layer's values, and its depth pictures draw it as the whole recording's do, every step."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest
from click.testing import CliRunner

import convgif
from convgif import ops
from convgif.engine.direct import record_direct
from convgif.engine.part import PartArray
from convgif.picture.model import Region
from convgif.picture.sizes import kernel_channels


def _conv3d(rng: random.Random):
    groups = rng.choice((1, 1, 2))
    mode = rng.choice(("zeros", "zeros", "reflect", "replicate", "circular"))
    least = 0 if mode == "zeros" else -1  # the other modes crop by a negative padding
    padding = rng.choice(("same", "valid", *(tuple(rng.randint(least, 2) for _ in range(3)) for _ in range(3))))
    return convgif.Conv3dSpec(
        (groups * rng.randint(1, 2), *(rng.randint(1, 7) for _ in range(3))),
        groups * rng.randint(1, 3),
        tuple(rng.randint(1, 3) for _ in range(3)),
        stride=1 if padding == "same" else tuple(rng.randint(1, 3) for _ in range(3)),
        padding=padding,
        dilation=tuple(rng.randint(1, 2) for _ in range(3)),
        groups=groups,
        bias=rng.random() < 0.7,
        padding_mode=mode,
    )


def _region(rng: random.Random, spec) -> Region:
    rows, cols = spec.output_shape[2:]
    r0, c0 = rng.randrange(rows), rng.randrange(cols)
    return Region((r0, rng.randint(r0 + 1, rows)), (c0, rng.randint(c0 + 1, cols)))


def _cases(make, count: int, seed: int):
    rng = random.Random(seed)
    found = 0
    while found < count:
        try:
            spec = make(rng)
        except convgif.SpecError:
            continue
        found += 1
        yield spec, _region(rng, spec), rng


def _given(rng: random.Random, spec, weight_shape, seed: int) -> dict:
    """Values given, sometimes: fractions or whole numbers, of the input and of the weight."""
    values = np.random.default_rng(seed)
    given = {}
    if rng.random() < 0.25:
        given["input"] = np.round(values.normal(size=spec.input_shape) * 3, rng.choice((0, 2)))
    if rng.random() < 0.2:
        given["weight"] = np.round(values.normal(size=weight_shape), rng.choice((0, 1)))
    return given


def _same_drawings(a: list, b: list, fractions: bool) -> None:
    """Depth pictures of the whole recording (``a``) and of a part (``b``) draw the same."""
    same = np.allclose if fractions else np.array_equal
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert same(np.asarray(x.grid, float), np.asarray(y.grid, float)) and same(x.output, y.output)
        assert np.array_equal(x.filler, y.filler) and x.copies == y.copies
        # the shades' values: a whole recording of fractions hands its weight, a part its distinct values
        assert np.array_equal(
            np.unique(np.asarray(x.kernel_values, float)), np.unique(np.asarray(y.kernel_values, float))
        )
        if not fractions:
            assert x.value_chars == y.value_chars
        full = list(x.kernel_channels or range(len(x.kernels)))
        for i, co in enumerate(y.kernel_channels or range(len(y.kernels))):
            assert np.array_equal(y.kernels[i], x.kernels[full.index(co)])
        assert x.playback.steps == y.playback.steps
        for step in range(x.playback.steps):
            one, two = x.playback.advance(step), y.playback.advance(step)
            assert [(w.channel, w.rows.tolist(), w.cols.tolist()) for w in one] == [
                (w.channel, w.rows.tolist(), w.cols.tolist()) for w in two
            ]
            assert all(same(u.values, v.values) for u, v in zip(one, two))
            if not fractions:
                shown, held = x.playback.show(step), y.playback.show(step)
                assert shown.text == held.text and shown.sums == held.sums


@pytest.mark.parametrize("seed", range(3))
def test_a_conv3d_part_holds_the_whole_layers_values_for_random_layers_and_regions(seed, monkeypatch):
    from convgif.ops import args

    for spec, region, rng in _cases(_conv3d, 50, seed):
        monkeypatch.setattr(args, "MAX_ELEMENTS", 20_000_000)
        op = ops.of(spec)
        given = _given(rng, spec, op.weight_shape(spec), seed)
        geometries = op.geometries(spec, region=region)
        kernels = [kernel_channels(g) for g in geometries]
        whole = op.record_drawn(spec, seed, kernels, **given)
        assert not isinstance(op.record_drawn(spec, seed, kernels, region=region, **given).output, PartArray)
        monkeypatch.setattr(args, "MAX_ELEMENTS", 0)  # as if the layer were too large to record whole
        part = op.record_drawn(spec, seed, kernels, region=region, **given)
        assert isinstance(part.output, PartArray) and isinstance(part.padded, PartArray)
        fractions = part.output.values.dtype.kind == "f"
        same = np.allclose if fractions else np.array_equal
        cut = (slice(None), slice(None), slice(*region.rows), slice(*region.cols))
        assert same(part.output.values, whole.output[cut]), (spec, region)
        padded = part.padded  # every cell held is the whole layer's padded input
        box = tuple(slice(s, s + n) for s, n in zip(padded.start, padded.values.shape))
        assert same(padded.values, whole.padded[box])
        if isinstance(part.input, PartArray):
            box = tuple(slice(s, s + n) for s, n in zip(part.input.start, part.input.values.shape))
            assert np.array_equal(part.input.values, whole.input[box])
        assert (part.bias is None) == (whole.bias is None)
        if part.bias is not None:
            assert same(part.bias, whole.bias)
        for i, co in enumerate(part.kept):
            assert same(part.weight[i], whole.weight[co])
        assert op.part_numbers(spec, region) >= part.output.values.size + padded.values.size
        # drawn beside the whole layer recorded with the same kernels (a sum line is written per kernel held)
        alike = record_direct(spec, seed, given.get("input"), given.get("weight"), None, part.kept)
        a = op.drawings(spec, alike, region=region, geometries=geometries)
        b = op.drawings(spec, part, region=region, geometries=geometries)
        _same_drawings(a, b, fractions)


def test_a_conv3d_part_matches_torch(monkeypatch):
    torch = pytest.importorskip("torch")
    from convgif.ops import args

    monkeypatch.setattr(args, "MAX_ELEMENTS", 0)
    spec = convgif.Conv3dSpec((4, 6, 20, 24), 6, (3, 2, 3), stride=(2, 1, 2), padding=(1, 2, 1), groups=2)
    layer = torch.nn.Conv3d(4, 6, (3, 2, 3), stride=(2, 1, 2), padding=(1, 2, 1), groups=2).double()
    x = np.random.default_rng(4).normal(size=spec.input_shape)
    weight, bias = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    region = Region((5, 11), (3, 9))
    op = ops.of(spec)
    part = op.record_drawn(spec, 0, [range(6)], input=x, weight=weight, bias=bias, region=region)
    y = layer(torch.from_numpy(x)[None])[0].detach().numpy()
    assert np.allclose(part.output.values, y[:, :, 5:11, 3:9], rtol=0, atol=1e-10)
    # seeded values too: the example values of the part are those torch is given whole
    whole_x = convgif.record(spec, seed=2)
    part = op.record_drawn(spec, 2, [range(6)], region=region)
    layer.weight.data = torch.from_numpy(whole_x.weight.astype(float))
    layer.bias.data = torch.from_numpy(whole_x.bias.astype(float))
    y = layer(torch.from_numpy(whole_x.input.astype(float))[None])[0].detach().numpy()
    assert np.array_equal(part.output.values, np.rint(y[:, :, 5:11, 3:9]).astype(np.int64))


def test_a_conv3d_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(monkeypatch):
    from convgif.ops import args

    spec = convgif.Conv3dSpec((2, 4, 12, 12), 2, 3, padding=1, padding_mode="replicate")
    normal = convgif.render(spec, io.BytesIO(), max_frames=100, region="2:5,6:9", values=True).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 200)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), max_frames=100, region="2:5,6:9", values=True).data
    assert parted == normal


def test_a_huge_conv3d_renders_from_the_command_line_and_a_part_too_large_is_refused(tmp_path, monkeypatch):
    from convgif.animation import job
    from convgif.cli import main

    big = ["--layer", "Conv3d", "--in", "32,16,192,192", "--out", "8", "--k", "3", "--p", "1"]
    assert convgif.Conv3dSpec((32, 16, 192, 192), 8, 3, padding=1).numbers > 20_000_000
    runner = CliRunner()
    for extra in ([], ["--region", "150:151,7:9"]):
        out = tmp_path / f"big{len(extra)}.gif"
        result = runner.invoke(main, [*big, *extra, "--max-frames", "40", "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    monkeypatch.setattr(job, "memory_bytes", lambda: 10_000)
    result = runner.invoke(main, [*big, "--region", "0:1,0:1", "--max-frames", "40", "-o", str(tmp_path / "no.gif")])
    assert result.exit_code == 2 and "region" in result.output and "memory" in result.output
    result = runner.invoke(main, [*big, "--backward", "-o", str(tmp_path / "bw.gif")])
    assert (
        result.exit_code == 2 and "'--backward'" in result.output and "backward draws the whole layer" in result.output
    )


def _transposed3d(rng: random.Random):
    groups = rng.choice((1, 1, 2))
    stride = tuple(rng.randint(1, 3) for _ in range(3))
    dilation = tuple(rng.randint(1, 2) for _ in range(3))
    return convgif.ConvTranspose3dSpec(
        (groups * rng.randint(1, 2), *(rng.randint(1, 5) for _ in range(3))),
        groups * rng.randint(1, 2),
        tuple(rng.randint(1, 3) for _ in range(3)),
        stride=stride,
        padding=tuple(rng.randint(0, 2) for _ in range(3)),
        output_padding=tuple(rng.randint(0, max(s, d) - 1) for s, d in zip(stride, dilation)),
        groups=groups,
        bias=rng.random() < 0.7,
        dilation=dilation,
    )


@pytest.mark.parametrize("seed", range(3))
def test_a_conv_transpose3d_part_holds_the_whole_layers_values_for_random_layers_and_regions(seed, monkeypatch):
    from convgif.ops import args
    from convgif.ops.transposed_part import DepthPartRecording

    for spec, region, rng in _cases(_transposed3d, 15, seed):
        monkeypatch.setattr(args, "MAX_ELEMENTS", 20_000_000)
        op = ops.of(spec)
        given = _given(rng, spec, op.weight_shape(spec), seed)
        try:  # a region of cells no kernel reaches (bias alone) has no step to draw: refused
            geometries = op.geometries(spec, region=region)
        except convgif.SpecError as error:
            assert error.argument == "region" and "no kernel reaches" in str(error), error
            continue
        kernels = [kernel_channels(g) for g in geometries]
        whole = op.record_drawn(spec, seed, kernels, **given)
        assert not isinstance(op.record_drawn(spec, seed, kernels, region=region, **given), DepthPartRecording)
        monkeypatch.setattr(args, "MAX_ELEMENTS", 0)  # as if the layer were too large to record whole
        part = op.record_drawn(spec, seed, kernels, region=region, **given)
        assert isinstance(part, DepthPartRecording)
        fractions = part.output.values.dtype.kind == "f"
        same = np.allclose if fractions else np.array_equal
        cut = (slice(None), slice(None), slice(*region.rows), slice(*region.cols))
        assert same(part.output.values, whole.output[cut]), (spec, region)
        assert same(part.weight, whole.weight) and (part.bias is None) == (whole.bias is None)
        if isinstance(part.input, PartArray):
            box = tuple(slice(s, s + n) for s, n in zip(part.input.start, part.input.values.shape))
            assert np.array_equal(part.input.values, whole.input[box])
        assert op.part_numbers(spec, region) >= part.output.values.size
        a = op.drawings(spec, whole, region=region, geometries=geometries)
        b = op.drawings(spec, part, region=region, geometries=geometries)
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert same(np.asarray(x.grid, float), np.asarray(y.grid, float)) and same(x.output, y.output)
            assert np.array_equal(x.filler, y.filler) and x.playback.steps == y.playback.steps
            if x.start is not None:
                assert same(x.start, y.start) and np.allclose(x.extra["span"], y.extra["span"])
            assert (x.kernels is None) == (y.kernels is None)  # a slice of the bias alone has none
            if x.kernels is not None:
                full = list(x.kernel_channels or range(len(x.kernels)))
                for i, co in enumerate(y.kernel_channels or range(len(y.kernels))):
                    assert same(y.kernels[i], x.kernels[full.index(co)])
            for step in range(x.playback.steps):
                one, two = x.playback.advance(step), y.playback.advance(step)
                assert [(w.channel, w.rows.tolist(), w.cols.tolist()) for w in one] == [
                    (w.channel, w.rows.tolist(), w.cols.tolist()) for w in two
                ]
                assert all(same(u.values, v.values) for u, v in zip(one, two))
                if not fractions:
                    shown, held = x.playback.show(step), y.playback.show(step)
                    assert shown.text == held.text and shown.sums == held.sums


def test_a_conv_transpose3d_part_matches_torch(monkeypatch):
    torch = pytest.importorskip("torch")
    from convgif.ops import args

    monkeypatch.setattr(args, "MAX_ELEMENTS", 0)
    spec = convgif.ConvTranspose3dSpec((4, 5, 9, 11), 6, (2, 3, 3), stride=(2, 2, 1), padding=(0, 1, 1), groups=2)
    layer = torch.nn.ConvTranspose3d(4, 6, (2, 3, 3), stride=(2, 2, 1), padding=(0, 1, 1), groups=2).double()
    x = np.random.default_rng(5).normal(size=spec.input_shape)
    weight, bias = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    region = Region((4, 12), (2, 9))
    op = ops.of(spec)
    part = op.record_drawn(spec, 0, [range(6)], input=x, weight=weight, bias=bias, region=region)
    y = layer(torch.from_numpy(x)[None])[0].detach().numpy()
    assert np.allclose(part.output.values, y[:, :, 4:12, 2:9], rtol=0, atol=1e-10)
    whole = convgif.record(spec, seed=3)  # seeded values: the part's are those torch is given whole
    part = op.record_drawn(spec, 3, [range(6)], region=region)
    layer.weight.data = torch.from_numpy(whole.weight.astype(float))
    layer.bias.data = torch.from_numpy(whole.bias.astype(float))
    y = layer(torch.from_numpy(whole.input.astype(float))[None])[0].detach().numpy()
    assert np.array_equal(part.output.values, np.rint(y[:, :, 4:12, 2:9]).astype(np.int64))


def test_a_conv_transpose3d_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(monkeypatch):
    from convgif.ops import args

    spec = convgif.ConvTranspose3dSpec((2, 3, 6, 6), 2, 2, stride=(3, 2, 2))  # depths 2 and 5: bias alone
    normal = convgif.render(spec, io.BytesIO(), max_frames=100, region="3:6,4:7", values=True).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 200)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), max_frames=100, region="3:6,4:7", values=True).data
    assert parted == normal


def test_a_huge_conv_transpose3d_renders_from_the_command_line_and_a_part_too_large_is_refused(tmp_path, monkeypatch):
    from convgif.animation import job
    from convgif.cli import main

    big = ["--layer", "ConvTranspose3d", "--in", "64,8,80,80", "--out", "32", "--k", "2", "--s", "2"]
    assert convgif.ConvTranspose3dSpec((64, 8, 80, 80), 32, 2, stride=2).numbers > 20_000_000
    runner = CliRunner()
    for extra in ([], ["--region", "60:61,100:102"]):
        out = tmp_path / f"big{len(extra)}.gif"
        result = runner.invoke(main, [*big, *extra, "--max-frames", "40", "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    monkeypatch.setattr(job, "memory_bytes", lambda: 10_000)
    result = runner.invoke(main, [*big, "--region", "0:1,0:1", "--max-frames", "40", "-o", str(tmp_path / "no.gif")])
    assert result.exit_code == 2 and "region" in result.output and "memory" in result.output
