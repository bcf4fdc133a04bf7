"""A part of a MaxPool or AvgPool recorded alone holds the whole layer's values, and draws the
part as the whole recording draws it."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest

import convgif
from convgif import ops
from convgif.engine.part import PartArray
from convgif.ops.pool import INPUT_RANGE
from convgif.ops.pool_part import part_numbers, record_pool_part
from convgif.picture.model import Region


def _random_spec(rng: random.Random):
    """A random valid 1-D or 2-D max or average pooling (None when the draw is not one)."""
    dims, kind = rng.choice((1, 2)), rng.choice(("max", "avg"))
    kernel = tuple(rng.randint(1, 4) for _ in range(dims))
    args = {
        "input_shape": (rng.randint(1, 3), *(rng.randint(1, 13) for _ in range(dims))),
        "kernel_size": kernel,
        "stride": tuple(rng.randint(1, 4) for _ in range(dims)) if rng.random() < 0.8 else None,
        "padding": tuple(rng.randint(0, k // 2) for k in kernel),
        "ceil_mode": rng.random() < 0.5,
    }
    if kind == "max":
        args["dilation"] = tuple(rng.randint(1, 3) for _ in range(dims))
        args["return_indices"] = rng.random() < 0.3
    else:
        args["count_include_pad"] = rng.random() < 0.5
        if dims == 2 and rng.random() < 0.3:
            args["divisor_override"] = rng.choice((-3, 1, 5))
    name = f"{'Max' if kind == 'max' else 'Avg'}Pool{dims}d"
    try:
        return ops.operation(name).build(**args)
    except convgif.SpecError:
        return None


def _random_region(rng: random.Random, spec) -> Region:
    sizes = spec.output_shape[1:] if spec.DIMS == 2 else (1, spec.output_shape[1])
    (r0, c0) = (rng.randrange(n) for n in sizes)
    rows, cols = (r0, rng.randint(r0 + 1, sizes[0])), (c0, rng.randint(c0 + 1, sizes[1]))
    return Region(rows, cols, spec.DIMS)


def _cases(count: int, seed: int):
    rng = random.Random(seed)
    found = 0
    while found < count:
        spec = _random_spec(rng)
        if spec is None:
            continue
        found += 1
        yield spec, _random_region(rng, spec), rng


def _held(array, start, stop):
    """The box ``start``..``stop`` of ``array`` (a plain array or a part)."""
    return np.asarray(array[tuple(slice(a, b) for a, b in zip(start, stop))])


@pytest.mark.parametrize("seed", range(6))
def test_a_part_holds_the_whole_layers_values_for_random_layers_and_regions(seed):
    for spec, region, rng in _cases(60, seed):
        given = None
        if rng.random() < 0.3:  # a given input of fractions, or of whole numbers
            given = np.round(np.random.default_rng(seed).normal(size=spec.input_shape) * 4, rng.choice((0, 2)))
        whole = ops.of(spec).record(spec, seed, input=given).as_2d()
        part = record_pool_part(spec, seed, given, region, INPUT_RANGE)
        flat = whole.spec
        assert part.spec == flat
        rows, cols = region.rows, region.cols
        for name in ("output", "indices", "winners", "divisors"):
            held, full = getattr(part, name), getattr(whole, name)
            assert (held is None) == (full is None), name
            if held is None:
                continue
            assert isinstance(held, PartArray) and held.shape == full.shape
            lead = (0,) if name != "divisors" else ()
            start, stop = (*lead, rows[0], cols[0]), (*(full.shape[:1] if lead else ()), rows[1], cols[1])
            assert np.array_equal(held.values, _held(full, start, stop), equal_nan=True), (spec, region, name)
            assert held.values.dtype == full.dtype
        (y0, y1), (x0, x1) = (
            (a * s, (b - 1) * s + r) for (a, b), s, r in zip((rows, cols), flat.stride, flat.receptive_field)
        )
        assert np.array_equal(part.kinds.values, whole.kinds[y0:y1, x0:x1])
        if given is None:  # the input cells the windows read, and no other
            held = part.input
            box = [(s, s + n) for s, n in zip(held.start, held.values.shape)]
            assert np.array_equal(held.values, _held(whole.input, *zip(*box)))
            for axis, (a, b) in enumerate(((y0, y1), (x0, x1))):
                p, n = flat.padding[axis], flat.input_shape[1 + axis]
                assert box[1 + axis] == (min(max(a - p, 0), n), max(min(max(a - p, 0), n), min(max(b - p, 0), n)))
        assert part_numbers(spec, region) >= part.output.values.size


@pytest.mark.parametrize("seed", range(3))
def test_a_part_draws_its_steps_as_the_whole_recording_draws_them(seed):
    for spec, region, _ in _cases(25, 100 + seed):
        op = ops.of(spec)
        whole = op.record(spec, seed)
        part = op.record_drawn(spec, seed, [()], region=region)
        (a,) = op.drawings(spec, whole, region=region)
        (b,) = op.drawings(spec, part, region=region)
        assert np.array_equal(a.grid, b.grid) and np.array_equal(a.output, b.output, equal_nan=True)
        assert np.array_equal(a.filler, b.filler) and a.value_chars == b.value_chars
        for step in range(region.size[0] * region.size[1]):
            shown, held = a.playback.show(step), b.playback.show(step)
            assert shown.text == held.text and shown.sums == held.sums
            for c in range(spec.in_channels):
                assert np.array_equal(shown.reads[c].cells, held.reads[c].cells)


def test_a_part_matches_torch():
    torch = pytest.importorskip("torch")
    cases = [
        (convgif.MaxPool2dSpec((3, 40, 37), 3, 2, 1, dilation=2, ceil_mode=True), Region((5, 11), (3, 9))),
        (
            convgif.AvgPool2dSpec((2, 33, 41), 3, 2, 1, ceil_mode=True, count_include_pad=False),
            Region((14, 17), (0, 21)),
        ),
        (convgif.AvgPool1dSpec((4, 300), 5, 3, 2), Region((0, 1), (40, 90), 1)),
        (convgif.MaxPool1dSpec((2, 257), 4, 3, 1, ceil_mode=True), Region((0, 1), (80, 86), 1)),
    ]
    for spec, region in cases:
        x = np.random.default_rng(1).normal(size=spec.input_shape)
        part = record_pool_part(spec, 0, x, region, INPUT_RANGE)
        layer = getattr(torch.nn, spec.NAME)(
            **{k: getattr(spec, k) for k in ops.of(spec).torch_signature if k != "return_indices"}
        )
        if spec.KIND == "max":
            layer.return_indices = True
            y, indices = layer(torch.from_numpy(x)[None])
        else:
            y, indices = layer(torch.from_numpy(x)[None]), None
        y = y[0].numpy().reshape(part.output.shape)
        cut = (slice(None), slice(*region.rows), slice(*region.cols))
        assert np.array_equal(part.output.values, y[cut])
        if indices is not None:
            assert np.array_equal(part.indices.values, indices[0].numpy().reshape(part.output.shape)[cut])


@pytest.mark.parametrize(
    "spec, region",
    [
        (convgif.MaxPool2dSpec((6, 30, 30), 3, 2, 1, return_indices=True), "2:6,1:5"),
        # means of at most 4 cells (at most 4 characters, as a part estimates without the whole layer's)
        (convgif.AvgPool2dSpec((5, 31, 29), 2, 2, 1, ceil_mode=True, count_include_pad=False), "0:4,10:14"),
        (convgif.MaxPool1dSpec((4, 200), 3, 2, 1, dilation=2), "20:28"),
        (convgif.AvgPool1dSpec((3, 90), 4), "10:14"),
    ],
)
def test_a_pooling_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(monkeypatch, spec, region):
    from convgif.ops import args

    normal = convgif.render(spec, io.BytesIO(), max_frames=20, region=region, values=True).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 200)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), max_frames=20, region=region, values=True).data
    assert parted == normal


def test_a_huge_pooling_is_drawn_from_its_part_alone():
    spec = convgif.MaxPool2dSpec((64, 2048, 2048), 2)
    assert spec.numbers > 20_000_000
    result = convgif.render(spec, io.BytesIO(), max_frames=30)
    assert result.region is not None and result.frames <= 30
    assert part_numbers(spec, result.region) < 1_000_000
