"""A part of a MaxPool3d or AvgPool3d recorded alone (the rows and columns drawn of every
output depth slice) holds the whole layer's values, and its depth pictures draw as the whole
recording's do."""

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
from convgif.ops.pool import INPUT_RANGE
from convgif.ops.pool_part import part_numbers, record_pool_part
from convgif.picture.model import Region


def _random_spec(rng: random.Random):
    """A random valid 3-D max or average pooling (None when the draw is not one)."""
    kind = rng.choice(("max", "avg"))
    kernel = tuple(rng.randint(1, 3) for _ in range(3))
    args = {
        "input_shape": (rng.randint(1, 3), *(rng.randint(1, 8) for _ in range(3))),
        "kernel_size": kernel,
        "stride": tuple(rng.randint(1, 3) for _ in range(3)) if rng.random() < 0.8 else None,
        "padding": tuple(rng.randint(0, k // 2) for k in kernel),
        "ceil_mode": rng.random() < 0.5,
    }
    if kind == "max":
        args["dilation"] = tuple(rng.randint(1, 2) for _ in range(3))
        args["return_indices"] = rng.random() < 0.3
    else:
        args["count_include_pad"] = rng.random() < 0.5
        if rng.random() < 0.3:
            args["divisor_override"] = rng.choice((-3, 1, 5))
    try:
        return ops.operation(f"{'Max' if kind == 'max' else 'Avg'}Pool3d").build(**args)
    except convgif.SpecError:
        return None


def _random_region(rng: random.Random, spec) -> Region:
    h, w = spec.output_shape[2:]
    r0, c0 = rng.randrange(h), rng.randrange(w)
    return Region((r0, rng.randint(r0 + 1, h)), (c0, rng.randint(c0 + 1, w)))


def _cases(count: int, seed: int):
    rng = random.Random(seed)
    found = 0
    while found < count:
        spec = _random_spec(rng)
        if spec is None:
            continue
        found += 1
        yield spec, _random_region(rng, spec), rng


def _box(array, start, stop):
    """The box ``start``..``stop`` of ``array`` (a plain array or a part)."""
    return np.asarray(array[tuple(slice(a, b) for a, b in zip(start, stop))])


def _loop_pool(spec, x: np.ndarray) -> np.ndarray:
    """The pooling ``spec`` of ``x``, one output and one window cell at a time (ceil_mode's
    overhang and padding as PyTorch treats them): an implementation independent of convgif's."""
    c = x.shape[0]
    out = np.zeros(spec.output_shape)
    sizes = spec.input_shape[1:]
    for ch in range(c):
        for o in np.ndindex(*spec.output_shape[1:]):
            cells, padded = [], 0
            for j in np.ndindex(*spec.kernel_size):
                at = [o[a] * spec.stride[a] - spec.padding[a] + j[a] * spec.dilation[a] for a in range(3)]
                if all(0 <= at[a] < sizes[a] for a in range(3)):
                    cells.append(x[(ch, *at)])
                elif all(-spec.padding[a] <= at[a] < sizes[a] + spec.padding[a] for a in range(3)):
                    padded += 1
            if spec.KIND == "max":
                out[(ch, *o)] = max(cells) if cells else -np.inf
            else:
                divisor = spec.divisor_override or (len(cells) + padded if spec.count_include_pad else len(cells))
                out[(ch, *o)] = sum(cells) / divisor
    return out


@pytest.mark.parametrize("seed", range(4))
def test_a_part_holds_the_whole_layers_values_for_random_layers_and_regions(seed):
    for spec, region, rng in _cases(50, seed):
        given = None
        if rng.random() < 0.3:  # a given input of fractions, or of whole numbers
            given = np.round(np.random.default_rng(seed).normal(size=spec.input_shape) * 4, rng.choice((0, 2)))
        whole = ops.of(spec).record(spec, seed, input=given)
        part = ops.of(spec).record_drawn(spec, seed, [()], input=given, region=region)
        assert part.spec == spec
        depth = (0, spec.output_shape[1])  # every output depth slice: one picture each
        (r0, r1), (c0, c1) = region.rows, region.cols
        for name in ("output", "indices", "winners", "divisors"):
            held, full = getattr(part, name), getattr(whole, name)
            assert (held is None) == (full is None), name
            if held is None:
                continue
            assert isinstance(held, PartArray) and held.shape == full.shape
            lead = ((0, full.shape[0]),) if name != "divisors" else ()
            tail = ((0, 3),) if name == "winners" else ()
            (start, stop) = zip(*lead, depth, (r0, r1), (c0, c1), *tail)
            assert held.start == start, (spec, region, name)
            assert np.array_equal(held.values, _box(full, start, stop), equal_nan=True), (spec, region, name)
            assert held.values.dtype == full.dtype
        reads = [
            (a * s, (b - 1) * s + r)
            for (a, b), s, r in zip((depth, region.rows, region.cols), spec.stride, spec.receptive_field)
        ]
        assert np.array_equal(part.kinds.values, _box(whole.kinds, *zip(*reads)))
        held = part.input  # the input cells the windows read, and no other
        box = [(s, s + n) for s, n in zip(held.start, held.values.shape)]
        assert np.array_equal(held.values, _box(whole.input, *zip(*box))) and held.values.dtype == whole.input.dtype
        for axis, (a, b) in enumerate(reads):
            p, n = spec.padding[axis], spec.input_shape[1 + axis]
            assert box[1 + axis] == (min(max(a - p, 0), n), max(min(max(a - p, 0), n), min(max(b - p, 0), n)))
        assert part_numbers(spec, region) >= held.values.size + part.output.values.size
        if rng.random() < 0.2:  # the whole layer one window cell at a time
            x = np.asarray(whole.input, dtype=np.float64)
            cut = (slice(None), slice(None), slice(r0, r1), slice(c0, c1))
            held = part.output.values.astype(np.float64)
            if part.output.dtype.kind == "i":  # a window of no input cell: torch's int64 pooling gives −2**63
                held[part.output.values == np.iinfo(np.int64).min] = -np.inf
            assert np.allclose(held, _loop_pool(spec, x)[cut], rtol=0, atol=1e-12), (spec, region)


@pytest.mark.parametrize("seed", range(2))
def test_a_part_draws_its_depth_pictures_as_the_whole_recording_draws_them(seed):
    for spec, region, _ in _cases(15, 200 + seed):
        op = ops.of(spec)
        geometries = op.geometries(spec, region=region)
        a_all = op.drawings(spec, op.record(spec, seed), region=region, geometries=geometries)
        b_all = op.drawings(
            spec, op.record_drawn(spec, seed, [()], region=region), region=region, geometries=geometries
        )
        assert len(a_all) == len(b_all) == spec.output_shape[1]
        # the slices drawn, from the whole input padded with zeros (and ceil_mode's overhang)
        x = np.asarray(op.record(spec, seed).input)
        grid = np.zeros(spec.grid_shape, x.dtype)
        grid[(slice(None), *(slice(p, p + n) for p, n in zip(spec.padding, spec.input_shape[1:])))] = x
        (y0, y1), (x0, x1) = (
            (a * s, (b - 1) * s + r)
            for (a, b), s, r in zip((region.rows, region.cols), spec.stride[1:], spec.receptive_field[1:])
        )
        for z, b in enumerate(b_all):
            depths = [z * spec.stride[0] + dz * spec.dilation[0] for dz in range(spec.kernel_size[0])]
            assert np.array_equal(b.grid, grid[:, depths, y0:y1, x0:x1].reshape(b.grid.shape))
        for a, b in zip(a_all, b_all):
            assert np.array_equal(a.grid, b.grid) and a.grid.dtype == b.grid.dtype
            assert np.array_equal(a.output, b.output, equal_nan=True)
            assert np.array_equal(a.filler, b.filler) and a.value_chars == b.value_chars
            assert (a.outside is None) == (b.outside is None)
            for step in range(region.size[0] * region.size[1]):
                shown, held = a.playback.show(step), b.playback.show(step)
                assert shown.text == held.text and shown.sums == held.sums
                for c in range(spec.in_channels):
                    assert np.array_equal(shown.reads[c].cells, held.reads[c].cells)
                for w, v in zip(shown.writes, held.writes):
                    assert np.array_equal(w.values, v.values, equal_nan=True)


def test_a_part_matches_torch():
    torch = pytest.importorskip("torch")
    cases = [
        (convgif.MaxPool3dSpec((2, 9, 20, 17), 3, 2, 1, dilation=(1, 2, 1), ceil_mode=True), Region((3, 7), (2, 6))),
        (convgif.MaxPool3dSpec((3, 6, 11, 13), 2), Region((1, 4), (0, 6))),
        (
            convgif.AvgPool3dSpec((2, 7, 19, 21), 3, 2, 1, ceil_mode=True, count_include_pad=False),
            Region((4, 9), (6, 11)),
        ),
        (convgif.AvgPool3dSpec((3, 8, 12, 10), (2, 3, 2), (1, 2, 2), divisor_override=5), Region((2, 5), (1, 5))),
    ]
    for spec, region in cases:
        x = np.random.default_rng(2).normal(size=spec.input_shape)
        part = record_pool_part(spec, 0, x, region, INPUT_RANGE)
        layer = getattr(torch.nn, spec.NAME)(
            **{k: getattr(spec, k) for k in ops.of(spec).torch_signature if k != "return_indices"}
        )
        if spec.KIND == "max":
            layer.return_indices = True
            y, indices = layer(torch.from_numpy(x)[None])
        else:
            y, indices = layer(torch.from_numpy(x)[None]), None
        cut = (slice(None), slice(None), slice(*region.rows), slice(*region.cols))
        assert np.array_equal(part.output.values, y[0].numpy()[cut])
        if indices is not None:
            assert np.array_equal(part.indices.values, indices[0].numpy()[cut])


@pytest.mark.parametrize(
    "spec, region",
    [
        # layers whose numbers, as a part estimates their width without the whole layer's, draw as many slices
        (convgif.MaxPool3dSpec((3, 6, 14, 14), 2, return_indices=True), "2:5,1:4"),
        (
            convgif.MaxPool3dSpec(
                (1, 7, 15, 13), (2, 3, 3), 2, 1, dilation=(2, 1, 1), ceil_mode=True, return_indices=True
            ),
            "1:4,3:6",
        ),
        (convgif.AvgPool3dSpec((2, 5, 13, 12), 3, 2, 1, ceil_mode=True, count_include_pad=False), "0:3,2:5"),
        (convgif.AvgPool3dSpec((2, 6, 13, 12), 2, divisor_override=3), "0:3,2:5"),
    ],
)
def test_a_3d_pooling_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(monkeypatch, spec, region):
    from convgif.ops import args

    normal = convgif.render(spec, io.BytesIO(), max_frames=40, region=region, values=True).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 200)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), max_frames=40, region=region, values=True).data
    assert parted == normal


def test_a_3d_pooling_past_20_million_numbers_renders_from_its_part(tmp_path):
    line = ["--layer", "MaxPool3d", "--in", "16,64,128,160", "--k", "2"]
    spec = convgif.MaxPool3dSpec((16, 64, 128, 160), 2)
    assert spec.numbers > 20_000_000
    runner = CliRunner()
    for extra in (["--max-frames", "40"], ["--region", "3:4,5:7", "--values"]):
        result = runner.invoke(main, [*line, *extra, "-o", str(tmp_path / "big.gif")])
        assert result.exit_code == 0, result.output
    result = convgif.render(spec, io.BytesIO(), max_frames=40)
    assert result.region is not None and result.frames <= 40
    assert part_numbers(spec, result.region) < 200_000
    # its backward pass is recorded whole: refused, naming the option and why
    result = runner.invoke(main, [*line, "--backward", "-o", str(tmp_path / "back.gif")])
    assert result.exit_code == 2 and "--backward" in result.output and "backward draws the whole layer" in result.output


def test_a_3d_part_too_large_for_the_machine_is_refused_naming_region(monkeypatch, tmp_path):
    from convgif.animation import job

    monkeypatch.setattr(job, "memory_bytes", lambda: 10_000)
    result = CliRunner().invoke(
        main,
        [*"--layer AvgPool3d --in 16,64,128,160 --k 2 --region 0:2,0:2".split(), "-o", str(tmp_path / "a.gif")],
    )
    assert result.exit_code == 2 and "--region" in result.output and "memory" in result.output, result.output
