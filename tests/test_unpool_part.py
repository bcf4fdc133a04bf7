"""A part of a MaxUnpool1d/2d too large to record whole holds the whole layer's values (its
example input and indices, which stay, the output), and draws the part as the whole recording
draws it."""

from __future__ import annotations

import io
import math
import random

import numpy as np
import pytest

import convgif
from convgif import ops
from convgif.engine.part import PartArray
from convgif.ops.unpool_part import part_numbers
from convgif.picture.model import Region


def _spec(rng: random.Random):
    """A random valid MaxUnpool1d/2d a max pool gives an example for (None when the draw is not)."""
    dims = rng.choice((1, 2))
    kernel = tuple(rng.randint(1, 4) for _ in range(dims))
    try:
        spec = ops.operation(f"MaxUnpool{dims}d").build(
            input_shape=(rng.randint(1, 3), *(rng.randint(1, 8) for _ in range(dims))),
            kernel_size=kernel,
            stride=tuple(rng.randint(1, 4) for _ in range(dims)) if rng.random() < 0.7 else None,
            padding=tuple(rng.randint(0, k // 2) for k in kernel),
        )
    except convgif.SpecError:
        return None
    return spec if spec.pool_spec() is not None else None


def _region(rng: random.Random, spec) -> Region:
    sizes = spec.output_shape[1:] if spec.DIMS == 2 else (1, spec.output_shape[1])
    r0, c0 = rng.randrange(sizes[0]), rng.randrange(sizes[1])
    return Region((r0, rng.randint(r0 + 1, sizes[0])), (c0, rng.randint(c0 + 1, sizes[1])), spec.DIMS)


@pytest.mark.parametrize("seed", range(4))
def test_a_part_holds_and_draws_the_whole_layers_values_for_random_layers_and_regions(seed, monkeypatch):
    from convgif.ops import args

    rng, found = random.Random(seed), 0
    while found < 60:
        spec = _spec(rng)
        if spec is None:
            continue
        found += 1
        op, region = ops.of(spec), _region(rng, spec)
        whole = op.record_drawn(spec, seed, [()], region=region)
        assert not isinstance(whole.output, PartArray)  # a layer under the cap is recorded whole
        monkeypatch.setattr(args, "MAX_ELEMENTS", 0)  # as if the layer were too large to record whole
        part = op.record_drawn(spec, seed, [()], region=region)
        monkeypatch.setattr(args, "MAX_ELEMENTS", 20_000_000)
        assert isinstance(part.output, PartArray) and part.output.shape == whole.output.shape
        cut = (slice(None), *(slice(*s) for s in (region.rows, region.cols)[2 - spec.DIMS :]))
        assert np.array_equal(part.output.values, whole.output[cut]), (spec, region)
        for name in ("input", "indices", "kept"):
            held = getattr(part, name)
            box = tuple(slice(s, s + n) for s, n in zip(held.start, held.values.shape))
            assert np.array_equal(held.values, getattr(whole, name)[box]), (name, spec, region)
            assert held.values.dtype == getattr(whole, name).dtype
        try:
            (a,) = op.drawings(spec, whole, region=region)
        except convgif.SpecError:  # a part the whole layer refuses (a cell written from outside it)
            continue
        (b,) = op.drawings(spec, part, region=region)
        assert np.array_equal(a.grid, b.grid) and np.array_equal(a.output, b.output), (spec, region)
        assert a.value_chars == b.value_chars
        for step in range(a.geometry.steps_per_column):
            shown, held = a.playback.show(step), b.playback.show(step)
            assert shown.text == held.text and shown.sums == held.sums
            assert [(w.channel, w.rows.tolist(), w.cols.tolist()) for w in shown.writes] == [
                (w.channel, w.rows.tolist(), w.cols.tolist()) for w in held.writes
            ]
        if part.input.values.size:  # a placement of the part: that of the whole layer
            first = int(np.ravel_multi_index(part.input.start[1:], spec.input_shape[1:]))
            assert part.placements[first] == whole.placements[first]
        assert part_numbers(spec, region) >= part.output.values.size + part.input.values.size


def test_a_part_matches_torch(monkeypatch):
    torch = pytest.importorskip("torch")
    from convgif.ops import args

    monkeypatch.setattr(args, "MAX_ELEMENTS", 0)
    for spec, region in [
        (convgif.MaxUnpool2dSpec((3, 20, 17), 3, 2, 1), Region((7, 19), (4, 15))),
        (convgif.MaxUnpool1dSpec((2, 40), 4, 3, 1), Region((0, 1), (30, 80), 1)),
    ]:
        part = ops.of(spec).record_drawn(spec, 0, [()], region=region)
        whole = ops.of(spec).record(spec, 0)  # its input and indices: the example's
        dims = spec.DIMS
        layer = getattr(torch.nn, f"MaxUnpool{dims}d")(spec.kernel_size, spec.stride, spec.padding)
        x = torch.from_numpy(whole.input.astype(np.float64))[None]
        y = layer(x, torch.from_numpy(whole.indices)[None])[0].numpy()
        cut = (slice(None), *(slice(*s) for s in (region.rows, region.cols)[2 - dims :]))
        assert np.array_equal(part.output.values, y[cut])


def test_a_layer_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(monkeypatch):
    from convgif.ops import args

    for spec, region in [
        (convgif.MaxUnpool2dSpec((3, 10, 10), 3, 2, 1), "4:9,2:7"),
        (convgif.MaxUnpool1dSpec((2, 30), 2), "10:18"),
    ]:
        normal = convgif.render(spec, io.BytesIO(), max_frames=60, region=region, values=True).data
        monkeypatch.setattr(args, "MAX_ELEMENTS", 100)  # as if this layer were far too large
        parted = convgif.render(spec, io.BytesIO(), max_frames=60, region=region, values=True).data
        monkeypatch.setattr(args, "MAX_ELEMENTS", 20_000_000)
        assert parted == normal


def test_a_huge_unpooling_is_drawn_from_its_part_alone(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from convgif.animation import job
    from convgif.cli import main

    spec = convgif.MaxUnpool1dSpec((64, 100_000), 2)
    assert spec.numbers > 20_000_000
    result = convgif.render(spec, io.BytesIO(), max_frames=40)
    assert result.region is not None and part_numbers(spec, result.region) < 100_000
    layer = ["--layer", "MaxUnpool1d", "--in", "64,100000", "--k", "2", "--max-frames", "40"]
    run = CliRunner().invoke
    done = run(main, [*layer, "--region", "150000:150006", "-o", str(tmp_path / "a.gif")])
    assert done.exit_code == 0, done.output
    refused = run(main, [*layer, "--backward", "-o", str(tmp_path / "b.gif")])
    assert refused.exit_code == 2 and "--backward" in refused.output and "whole layer" in refused.output
    monkeypatch.setattr(job, "memory_bytes", lambda: 1_000)
    refused = run(main, [*layer, "-o", str(tmp_path / "c.gif")])
    assert refused.exit_code == 2 and "--region" in refused.output and "memory" in refused.output


def _reached(spec, region: Region) -> int:
    """How many input cells of ``spec`` have a window reaching ``region``, counted by a loop."""
    spans = (region.rows, region.cols)[2 - spec.DIMS :]
    count = 1
    for (a, b), n, s, p, k in zip(spans, spec.input_shape[1:], spec.stride, spec.padding, spec.kernel_size):
        count *= sum(1 for i in range(n) if i * s - p < b and i * s - p + k > a)
    return count


@pytest.mark.parametrize("seed", range(3))
def test_a_step_is_of_this_part_exactly_when_the_steps_played_are_not_all_the_layers(seed, monkeypatch):
    """One step places one input cell (every channel drawn at once): a picture says "of this
    part" when it plays fewer steps than the layer has (the input cells whose windows reach the
    part drawn, not all of them) or leaves channels out; a part of the output every input cell
    reaches plays every step, and says no part."""
    from convgif.ops import args
    from convgif.picture.sizes import shown_note

    rng, seen = random.Random(seed), set()
    for _ in range(300):
        spec = _spec(rng)
        if spec is None:
            continue
        if rng.random() < 0.2:  # too many channels to draw: some left out
            spec = type(spec)((40, *spec.input_shape[1:]), spec.kernel_size, spec.stride, spec.padding)
        op = ops.of(spec)
        region = None if rng.random() < 0.15 else _region(rng, spec)
        monkeypatch.setattr(args, "MAX_ELEMENTS", 0 if rng.random() < 0.3 else 20_000_000)  # recorded in part or whole
        try:
            recording = op.record_drawn(spec, seed, [()], region=region)
            (drawn,) = op.drawings(spec, recording, region=region)
        except convgif.SpecError as error:  # no window reaches the part, or a value lands from outside it
            assert error.argument == "region", error
            continue
        whole = math.prod(spec.input_shape[1:])
        played = whole if region is None else _reached(spec, region)
        assert drawn.geometry.steps_per_column == played, (spec, region)
        part = played < whole or bool(shown_note(drawn.geometry))
        seen.add((region is not None, played < whole, part))
        for step in range(played):
            text = drawn.playback.show(step).text
            assert text.endswith(f"step {step + 1}/{played}" + (" of this part" if part else "")), (spec, region, text)
    assert {(True, False, False), (True, True, True), (False, False, False)} <= seen, seen  # output cut, input whole
