"""A part of an AdaptiveAvgPool1d/2d or AdaptiveMaxPool1d/2d recorded alone holds the whole
layer's values, and draws the part as the whole recording draws it."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest

import convgif
from convgif import ops
from convgif.engine.part import PartArray
from convgif.ops.adaptive import recording_as_2d
from convgif.ops.adaptive_part import part_numbers
from convgif.picture.model import Region


def _spec(rng: random.Random):
    dims, kind = rng.choice((1, 2)), rng.choice(("Avg", "Max"))
    sizes = tuple(rng.randint(1, 13) for _ in range(dims))
    args = {
        "input_shape": (rng.randint(1, 3), *sizes),
        "output_size": tuple(rng.randint(1, 2 * n) for n in sizes),
    }
    if kind == "Max":
        args["return_indices"] = rng.random() < 0.4
    return ops.operation(f"Adaptive{kind}Pool{dims}d").build(**args)


def _region(rng: random.Random, spec) -> Region:
    sizes = spec.output_shape[1:] if spec.DIMS == 2 else (1, spec.output_shape[1])
    r0, c0 = (rng.randrange(n) for n in sizes)
    return Region((r0, rng.randint(r0 + 1, sizes[0])), (c0, rng.randint(c0 + 1, sizes[1])), spec.DIMS)


@pytest.mark.parametrize("seed", range(4))
def test_a_part_holds_and_draws_the_whole_layers_values_for_random_layers_and_regions(seed):
    rng = random.Random(seed)
    done = 0
    while done < 40:
        try:
            spec = _spec(rng)
        except convgif.SpecError:
            continue
        done += 1
        op, region = ops.of(spec), _region(rng, spec)
        given = None
        if rng.random() < 0.3:
            given = np.round(np.random.default_rng(seed).normal(size=spec.input_shape) * 4, rng.choice((0, 2)))
        whole = recording_as_2d(op.record(spec, seed, input=given))
        part = op.record_drawn(spec, seed, [()], input=given, region=region)
        cut = (slice(None), slice(*region.rows), slice(*region.cols))
        for name in ("output", "indices", "winners", "sums"):
            full, held = getattr(whole, name), getattr(part, name)
            assert (full is None) == (held is None), name
            if held is not None:
                assert isinstance(held, PartArray)
                assert np.array_equal(held[cut], full[cut], equal_nan=True), (spec, region, name)
        try:
            (a,) = op.drawings(spec, op.record(spec, seed, input=given), region=region)
        except convgif.SpecError:  # a window too large to draw is refused alike
            continue
        (b,) = op.drawings(spec, part, region=region)
        assert np.array_equal(a.grid, b.grid) and np.array_equal(a.output, b.output)
        for step in range(a.geometry.steps_per_column):
            shown, held = a.playback.show(step), b.playback.show(step)
            assert shown.text == held.text and shown.sums == held.sums
        assert part_numbers(spec, region) >= part.output.values.size


def test_a_part_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(4).normal(size=(3, 37, 41))
    region = Region((5, 9), (11, 16))
    for spec, layer in [
        (convgif.AdaptiveAvgPool2dSpec((3, 37, 41), (19, 23)), torch.nn.AdaptiveAvgPool2d((19, 23))),
        (
            convgif.AdaptiveMaxPool2dSpec((3, 37, 41), (19, 23), return_indices=True),
            torch.nn.AdaptiveMaxPool2d((19, 23), return_indices=True),
        ),
    ]:
        part = ops.of(spec).record_drawn(spec, 0, [()], input=x, region=region)
        y = layer(torch.from_numpy(x)[None])
        values, indices = (y[0][0], y[1][0]) if isinstance(y, tuple) else (y[0], None)
        cut = (slice(None), slice(5, 9), slice(11, 16))
        assert np.allclose(part.output.values, values.numpy()[cut], rtol=0, atol=1e-12)
        if indices is not None:
            assert np.array_equal(part.indices.values, indices.numpy()[cut])


@pytest.mark.parametrize(
    "spec, region",
    [
        (convgif.AdaptiveMaxPool2dSpec((4, 40, 40), 20, return_indices=True), "3:7,10:14"),
        (convgif.AdaptiveAvgPool1dSpec((3, 90), 45), "10:16"),
    ],
)
def test_an_adaptive_pooling_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(
    monkeypatch, spec, region
):
    from convgif.ops import args

    normal = convgif.render(spec, io.BytesIO(), max_frames=40, region=region, values=True).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 200)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), max_frames=40, region=region, values=True).data
    assert parted == normal
