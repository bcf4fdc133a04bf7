"""A part of an AdaptiveAvgPool3d or AdaptiveMaxPool3d recorded alone (the rows and columns
drawn of every output depth slice) holds the whole layer's values, and its depth pictures draw
as the whole recording's do."""

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
from convgif.ops.adaptive_part import part_numbers
from convgif.picture.model import Region


def _spec(rng: random.Random):
    kind = rng.choice(("Avg", "Max"))
    sizes = tuple(rng.randint(1, 9) for _ in range(3))
    args = {
        "input_shape": (rng.randint(1, 3), *sizes),
        "output_size": tuple(rng.randint(1, min(2 * n, 6)) for n in sizes),
    }
    if kind == "Max":
        args["return_indices"] = rng.random() < 0.4
    return ops.operation(f"Adaptive{kind}Pool3d").build(**args)


def _region(rng: random.Random, spec) -> Region:
    h, w = spec.output_shape[2:]
    r0, c0 = rng.randrange(h), rng.randrange(w)
    return Region((r0, rng.randint(r0 + 1, h)), (c0, rng.randint(c0 + 1, w)))


def _cases(count: int, seed: int):
    rng = random.Random(seed)
    done = 0
    while done < count:
        try:
            spec = _spec(rng)
        except convgif.SpecError:
            continue
        done += 1
        yield spec, _region(rng, spec), rng


def _loop(spec, x: np.ndarray) -> np.ndarray:
    """The adaptive pooling of ``x`` one output at a time, its windows ⌊i·n/o⌋ to ⌈(i+1)·n/o⌉ − 1
    on each axis: an implementation independent of convgif's."""
    out = np.zeros(spec.output_shape)
    n = spec.input_shape[1:]
    for c in range(x.shape[0]):
        for o in np.ndindex(*spec.output_shape[1:]):
            window = tuple(slice(i * m // s, -(-(i + 1) * m // s)) for i, m, s in zip(o, n, spec.output_shape[1:]))
            cells = x[(c, *window)]
            out[(c, *o)] = cells.max() if spec.KIND == "max" else cells.mean()
    return out


@pytest.mark.parametrize("seed", range(4))
def test_a_part_holds_the_whole_layers_values_for_random_layers_and_regions(seed):
    for spec, region, rng in _cases(40, seed):
        op = ops.of(spec)
        given = None
        if rng.random() < 0.3:
            given = np.round(np.random.default_rng(seed).normal(size=spec.input_shape) * 4, rng.choice((0, 2)))
        whole = op.record(spec, seed, input=given)
        part = op.record_drawn(spec, seed, [()], input=given, region=region)
        cut = (slice(None), slice(None), slice(*region.rows), slice(*region.cols))
        for name in ("output", "indices", "winners", "sums"):
            full, held = getattr(whole, name), getattr(part, name)
            assert (full is None) == (held is None), name
            if held is None:
                continue
            assert isinstance(held, PartArray) and held.shape == full.shape, name
            assert held.start[:4] == (0, 0, region.rows[0], region.cols[0]), name
            assert np.array_equal(held.values, np.asarray(full)[cut], equal_nan=True), (spec, region, name)
            assert held.values.dtype == full.dtype, name
        spans = ((0, spec.output_shape[1]), region.rows, region.cols)  # every output depth slice is drawn
        box = [(int(s[a]), int(e[b - 1])) for s, e, (a, b) in zip(spec.starts, spec.ends, spans)]
        held = part.input  # the input cells the windows cover, and no other
        assert isinstance(held, PartArray)
        assert [(s, s + n) for s, n in zip(held.start[1:], held.values.shape[1:])] == box
        inside = tuple(slice(a, b) for a, b in box)
        assert np.array_equal(held.values, np.asarray(whole.input)[(slice(None), *inside)])
        assert held.values.dtype == np.asarray(whole.input).dtype
        assert part_numbers(spec, region) >= held.values.size + part.output.values.size
        if rng.random() < 0.3:
            x = np.asarray(whole.input, dtype=np.float64)
            assert np.allclose(part.output.values, _loop(spec, x)[cut], rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", range(2))
def test_a_part_draws_its_depth_pictures_as_the_whole_recording_draws_them(seed):
    for spec, region, _ in _cases(12, 300 + seed):
        op = ops.of(spec)
        geometries = op.geometries(spec, region=region)
        a_all = op.drawings(spec, op.record(spec, seed), region=region, geometries=geometries)
        part = op.record_drawn(spec, seed, [()], region=region)
        b_all = op.drawings(spec, part, region=region, geometries=geometries)
        assert len(a_all) == len(b_all) == spec.output_shape[1]
        for a, b in zip(a_all, b_all):
            assert np.array_equal(a.grid, b.grid) and a.grid.dtype == b.grid.dtype
            assert np.array_equal(a.output, b.output) and a.value_chars == b.value_chars
            for step in range(region.size[0] * region.size[1]):
                shown, held = a.playback.show(step), b.playback.show(step)
                assert shown.text == held.text and shown.sums == held.sums
                for c in range(spec.in_channels):
                    assert np.array_equal(shown.reads[c].cells, held.reads[c].cells)


def test_a_part_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(5).normal(size=(2, 11, 23, 19))
    region = Region((4, 9), (2, 6))
    for spec, layer in [
        (convgif.AdaptiveAvgPool3dSpec((2, 11, 23, 19), (4, 13, 7)), torch.nn.AdaptiveAvgPool3d((4, 13, 7))),
        (
            convgif.AdaptiveMaxPool3dSpec((2, 11, 23, 19), (5, 10, 8), return_indices=True),
            torch.nn.AdaptiveMaxPool3d((5, 10, 8), return_indices=True),
        ),
    ]:
        part = ops.of(spec).record_drawn(spec, 0, [()], input=x, region=region)
        y = layer(torch.from_numpy(x)[None])
        values, indices = (y[0][0], y[1][0]) if isinstance(y, tuple) else (y[0], None)
        cut = (slice(None), slice(None), slice(4, 9), slice(2, 6))
        assert np.allclose(part.output.values, values.numpy()[cut], rtol=0, atol=1e-12)
        if indices is not None:
            assert np.array_equal(part.indices.values, indices.numpy()[cut])


@pytest.mark.parametrize(
    "spec, region",
    [
        (convgif.AdaptiveMaxPool3dSpec((2, 6, 20, 20), (3, 10, 10), return_indices=True), "3:6,2:5"),
        (convgif.AdaptiveAvgPool3dSpec((2, 5, 18, 17), (2, 7, 9)), "1:4,0:3"),
    ],
)
def test_a_3d_adaptive_pooling_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(
    monkeypatch, spec, region
):
    from convgif.ops import args

    normal = convgif.render(spec, io.BytesIO(), max_frames=40, region=region, values=True).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 200)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), max_frames=40, region=region, values=True).data
    assert parted == normal


def test_a_3d_adaptive_pooling_past_20_million_numbers_renders_from_its_part(monkeypatch, tmp_path):
    from convgif.animation import job

    line = "--layer AdaptiveMaxPool3d --in 16,64,128,160 --output-size 8,64,80".split()
    spec = convgif.AdaptiveMaxPool3dSpec((16, 64, 128, 160), (8, 64, 80))
    assert spec.numbers > 20_000_000
    runner = CliRunner()
    for extra in (["--max-frames", "40"], ["--region", "3:4,5:7", "--values"]):
        result = runner.invoke(main, [*line, *extra, "-o", str(tmp_path / "big.gif")])
        assert result.exit_code == 0, result.output
    result = runner.invoke(main, [*line, "--backward", "-o", str(tmp_path / "back.gif")])
    assert result.exit_code == 2 and "--backward" in result.output and "backward draws the whole layer" in result.output
    monkeypatch.setattr(job, "memory_bytes", lambda: 10_000)  # a part too large for the machine
    result = runner.invoke(main, [*line, "--region", "0:2,0:2", "-o", str(tmp_path / "a.gif")])
    assert result.exit_code == 2 and "--region" in result.output and "memory" in result.output, result.output
