"""The recorded forward pass against an independent loop implementation and against torch."""

from __future__ import annotations

import collections
import random
import warnings
from collections.abc import Sequence

import numpy as np
import pytest
import reference

import convgif.engine.direct as engine
import convgif.engine.values as values
from convgif import Conv2dSpec, SpecError, record

MODES = ("zeros", "reflect", "replicate", "circular")
CONFIGS_PER_MODE = 75  # 300 valid configurations in all


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def _is_negative(kwargs):
    pad = kwargs["padding"]
    return not isinstance(pad, str) and min(_pair(pad)) < 0


def _size(rng: random.Random, low: int, high: int):
    return rng.randint(low, high) if rng.random() < 0.5 else (rng.randint(low, high), rng.randint(low, high))


def random_valid_config(rng: random.Random, mode: str):
    """(input_shape, torch-style kwargs, spec) for a configuration convgif accepts."""
    while True:
        c = rng.randint(1, 4)
        groups = rng.choice([g for g in range(1, c + 1) if c % g == 0])
        kwargs = {
            "out_channels": groups * rng.randint(1, 3 if groups < 3 else 2),
            "kernel_size": _size(rng, 1, 4),
            "stride": _size(rng, 1, 3) if rng.random() < 0.6 else 1,
            "dilation": _size(rng, 1, 3) if rng.random() < 0.5 else 1,
            "groups": groups,
            "bias": rng.random() < 0.7,
            "padding_mode": mode,
        }
        r = rng.random()
        if r < 0.15:
            kwargs["padding"], kwargs["stride"] = "same", 1
        elif r < 0.22:
            kwargs["padding"] = "valid"
        elif r < 0.55 and mode != "zeros":
            kwargs["padding"] = rng.choice((-1, -2, (-1, 0), (0, -2), (-1, 2), (2, -1)))
        else:
            kwargs["padding"] = _size(rng, 0, 3)
        smallest = 4 if _is_negative(kwargs) else 1  # leave something after cropping
        shape = (c, rng.randint(smallest, 8), rng.randint(smallest, 8))
        try:
            spec = Conv2dSpec(shape, **kwargs)
        except SpecError:
            continue
        return shape, kwargs, spec


def _configs():
    rng = random.Random(1234)
    return {mode: [random_valid_config(rng, mode) for _ in range(CONFIGS_PER_MODE)] for mode in MODES}


CONFIGS = _configs()


def test_configurations_cover_the_interesting_cases():
    for mode, configs in CONFIGS.items():
        kw = [k for _, k, _ in configs]
        assert sum(k["padding"] == "same" for k in kw) >= 3, mode
        assert sum(k["groups"] > 1 for k in kw) >= 10, mode
        assert sum(_pair(k["dilation"]) != (1, 1) for k in kw) >= 10, mode
        assert sum(_pair(k["stride"]) != (1, 1) for k in kw) >= 10, mode
        assert sum(not k["bias"] for k in kw) >= 5, mode
        if mode != "zeros":
            assert sum(_is_negative(k) for k in kw) >= 10, mode
        even_same = [s for (_, k, s) in configs if k["padding"] == "same" and s.padding != s.padding_end]
        if mode in ("zeros", "replicate"):
            assert even_same, mode


def _reference_for(rec, kwargs):
    return reference.conv2d(
        rec.input,
        rec.weight,
        rec.bias,
        stride=kwargs["stride"],
        padding=kwargs["padding"],
        dilation=kwargs["dilation"],
        groups=kwargs["groups"],
        padding_mode=kwargs["padding_mode"],
    )


# --------------------------------------------------------------------------------------------
# Against the loop reference
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_record_matches_reference(mode):
    for i, (shape, kwargs, spec) in enumerate(CONFIGS[mode]):
        rec = record(spec, seed=i)
        ref = _reference_for(rec, kwargs)
        where = f"config {i}: {shape} {kwargs}"
        assert (spec.padding, spec.padding_end) == (ref.padding_start, ref.padding_end), where
        assert rec.padded.shape == ref.padded.shape == spec.padded_shape, where
        np.testing.assert_array_equal(rec.padded, ref.padded, err_msg=where)
        assert rec.output.shape == ref.output.shape == spec.output_shape, where
        np.testing.assert_array_equal(rec.output, ref.output, err_msg=where)
        assert len(rec.placements) == len(ref.placements), where
        for got, want in zip(rec.placements, ref.placements):
            assert tuple(int(v) for v in got.out_index) == want.out_index, where
            assert np.asarray(got.taps).tolist() == [list(t) for t in want.taps], (where, want.out_index)
            assert got.value == want.value, (where, want.out_index)


def test_source_index_matches_padded_input():
    """``source_index`` names, for every padded row / column, the input cell it copies."""
    for mode in MODES:
        for i, (_, kwargs, spec) in enumerate(CONFIGS[mode][:25]):
            record(spec, seed=i)  # records without error
            rows, cols = engine.source_index(spec, 0), engine.source_index(spec, 1)
            assert len(rows) == spec.padded_shape[1] and len(cols) == spec.padded_shape[2]
            for axis, index in ((0, rows), (1, cols)):
                start, end = spec.padding[axis], spec.padding_end[axis]
                size = spec.input_shape[1 + axis]
                want = reference.axis_sources(mode, size, start, end)
                assert [None if v < 0 else int(v) for v in index] == want, (mode, kwargs)


def test_hand_checked_paddings():
    x = np.array([[[1, 2, 3, 4]]])  # one channel, one row: pad columns only
    for mode, padded in [
        ("zeros", [0, 0, 1, 2, 3, 4, 0, 0]),
        ("reflect", [3, 2, 1, 2, 3, 4, 3, 2]),
        ("replicate", [1, 1, 1, 2, 3, 4, 4, 4]),
        ("circular", [3, 4, 1, 2, 3, 4, 1, 2]),
    ]:
        spec = Conv2dSpec((1, 1, 4), kernel_size=1, padding=(0, 2), padding_mode=mode)
        rec = record(spec, input=x, weight=np.ones((1, 1, 1, 1), dtype=np.int64), bias=np.zeros(1, dtype=np.int64))
        assert rec.padded.tolist() == [[padded]], mode
        assert reference.pad(x, (0, 2), (0, 2), mode).tolist() == [[padded]], mode
    for mode in MODES[1:]:
        spec = Conv2dSpec((1, 1, 4), kernel_size=1, padding=(0, -1), padding_mode=mode)
        rec = record(spec, input=x)
        assert rec.padded.tolist() == [[[2, 3]]], mode
        assert reference.pad(x, (0, -1), (0, -1), mode).tolist() == [[[2, 3]]], mode


def test_even_same_padding_extra_cell_is_at_the_end():
    spec = Conv2dSpec((1, 3, 3), kernel_size=2, padding="same")
    x = np.arange(1, 10).reshape(1, 3, 3)
    rec = record(spec, input=x, weight=np.ones((1, 1, 2, 2), dtype=np.int64), bias=np.zeros(1, dtype=np.int64))
    assert rec.padded.tolist() == [[[1, 2, 3, 0], [4, 5, 6, 0], [7, 8, 9, 0], [0, 0, 0, 0]]]
    assert rec.output.tolist() == [[[12, 16, 9], [24, 28, 15], [15, 17, 9]]]


# --------------------------------------------------------------------------------------------
# Against torch
# --------------------------------------------------------------------------------------------


def _torch_module(torch, spec, kwargs, rec):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # padding='same' with an even kernel
        module = torch.nn.Conv2d(spec.in_channels, dtype=torch.float64, **kwargs)
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(rec.weight.astype(np.float64)))
        if rec.bias is not None:
            module.bias.copy_(torch.from_numpy(rec.bias.astype(np.float64)))
    return module


def _torch_pad(torch, kwargs, x):
    """``x`` (1, C, H, W) padded by torch itself, amounts worked out by the reference."""
    start, end = reference.padding_amounts(kwargs["padding"], kwargs["kernel_size"], kwargs["dilation"])
    amounts = [start[1], end[1], start[0], end[0]]
    mode = "constant" if kwargs["padding_mode"] == "zeros" else kwargs["padding_mode"]
    return torch.nn.functional.pad(x, amounts, mode=mode)


@pytest.mark.parametrize("mode", MODES)
def test_output_matches_torch(mode):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    for i, (shape, kwargs, spec) in enumerate(CONFIGS[mode]):
        rec = record(spec, seed=i)
        where = f"config {i}: {shape} {kwargs}"
        x = torch.from_numpy(rec.input.astype(np.float64))[None]
        module = _torch_module(torch, spec, kwargs, rec)
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            out = module(x)[0].numpy()
            padded = _torch_pad(torch, kwargs, x)
            weight = torch.from_numpy(rec.weight.astype(np.float64))
            bias = None if rec.bias is None else torch.from_numpy(rec.bias.astype(np.float64))
            via_padded = F.conv2d(padded, weight, bias, spec.stride, 0, spec.dilation, spec.groups)[0].numpy()
        np.testing.assert_array_equal(rec.output, out, err_msg=where)
        np.testing.assert_array_equal(rec.padded, padded[0].numpy(), err_msg=where)
        np.testing.assert_array_equal(rec.output, via_padded, err_msg=where)


def test_taps_match_torch_autograd():
    """d output[co, oy, ox] / d padded input, with unit weights, is 1 exactly at the taps.

    With distinct weights the gradient at tap i is weight[co].flat[i], which pins the order.
    Through F.pad, the gradient w.r.t. the unpadded input counts how often each input cell is
    read, which pins ``source_index``.
    """
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = random.Random(99)
    checked = 0
    for mode in MODES:
        for i, (_shape, kwargs, spec) in enumerate(CONFIGS[mode][:20]):
            rec = record(spec, seed=i)
            x = torch.from_numpy(rec.input.astype(np.float64))[None].requires_grad_(True)
            padded = _torch_pad(torch, kwargs, x)
            padded.retain_grad()
            ones = torch.ones(rec.weight.shape, dtype=torch.float64)
            distinct = torch.arange(1, rec.weight.size + 1, dtype=torch.float64).reshape(rec.weight.shape)
            out_ones = F.conv2d(padded, ones, None, spec.stride, 0, spec.dilation, spec.groups)[0]
            out_distinct = F.conv2d(padded, distinct, None, spec.stride, 0, spec.dilation, spec.groups)[0]
            rows, cols = engine.source_index(spec, 0), engine.source_index(spec, 1)
            n = len(rec.placements)
            for k in sorted(rng.sample(range(n), min(n, 4))):
                p = rec.placements[k]
                co, oy, ox = p.out_index
                taps = np.asarray(p.taps)
                g_padded, g_input = torch.autograd.grad(out_ones[co, oy, ox], (padded, x), retain_graph=True)
                expected = np.zeros(spec.padded_shape)
                expected[taps[:, 0], taps[:, 1], taps[:, 2]] = 1
                assert len({tuple(t) for t in taps.tolist()}) == len(taps)
                np.testing.assert_array_equal(g_padded[0].numpy(), expected, err_msg=f"{kwargs} {p.out_index}")
                read = collections.Counter(
                    (int(c), int(rows[y]), int(cols[xx]))
                    for c, y, xx in taps.tolist()
                    if rows[y] >= 0 and cols[xx] >= 0
                )
                counts = np.zeros(spec.input_shape)
                for cell, times in read.items():
                    counts[cell] = times
                np.testing.assert_array_equal(g_input[0].numpy(), counts, err_msg=f"{kwargs} {p.out_index}")
                (g_order,) = torch.autograd.grad(out_distinct[co, oy, ox], padded, retain_graph=True)
                at_taps = g_order[0].numpy()[taps[:, 0], taps[:, 1], taps[:, 2]]
                np.testing.assert_array_equal(at_taps, distinct[co].numpy().ravel(), err_msg=f"{kwargs} {p.out_index}")
                checked += 1
    assert checked >= 200


# --------------------------------------------------------------------------------------------
# Values, determinism, given arrays
# --------------------------------------------------------------------------------------------

BIG = Conv2dSpec((3, 8, 8), out_channels=6, kernel_size=3, groups=3)


def test_same_seed_same_values():
    a, b = record(BIG, seed=7), record(BIG, seed=7)
    for name in ("input", "padded", "weight", "bias", "output"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert record(BIG).input.tolist() == record(BIG, 0).input.tolist()  # default seed is stable


def test_different_seeds_differ():
    a, b = record(BIG, seed=1), record(BIG, seed=2)
    assert not np.array_equal(a.input, b.input)
    assert not np.array_equal(a.weight, b.weight)


def test_default_value_ranges():
    spec = Conv2dSpec((4, 20, 20), out_channels=8, kernel_size=3)
    rec = record(spec, seed=3)
    for name in ("input", "padded", "weight", "bias", "output"):
        assert np.issubdtype(getattr(rec, name).dtype, np.integer), name
    assert set(np.unique(rec.input).tolist()) == {0, 1, 2, 3}
    assert set(np.unique(rec.weight).tolist()) == {-1, 0, 1}
    assert set(np.unique(rec.bias).tolist()) <= {0, 1, 2}
    assert rec.input.shape == (4, 20, 20)
    assert rec.weight.shape == (8, 4, 3, 3)
    assert rec.bias.shape == (8,)
    assert values.INPUT_RANGE == (0, 3) and values.WEIGHT_RANGE == (-1, 1) and values.BIAS_RANGE == (0, 2)
    many = np.concatenate([record(spec.replace(out_channels=32), seed=s).bias for s in range(3)])
    assert set(np.unique(many).tolist()) == {0, 1, 2}


def test_no_bias():
    spec = Conv2dSpec((2, 5, 5), out_channels=4, groups=2, bias=False)
    rec = record(spec, seed=0)
    assert rec.bias is None
    assert rec.weight.shape == (4, 1, 3, 3)
    ref = reference.conv2d(rec.input, rec.weight, None, groups=2)
    np.testing.assert_array_equal(rec.output, ref.output)


def test_given_arrays_are_used_and_checked():
    spec = Conv2dSpec((1, 3, 3), kernel_size=2)
    x = np.arange(9).reshape(1, 3, 3)
    w = np.array([[[[1, 0], [0, -1]]]])
    rec = record(spec, input=x, weight=w, bias=np.array([5]))
    assert rec.output.tolist() == [[[1, 1], [1, 1]]]
    assert rec.placements[3].value == 1 and rec.placements[3].out_index == (0, 1, 1)
    for bad in ({"input": np.zeros((1, 4, 3))}, {"weight": np.zeros((1, 1, 3, 3))}, {"bias": np.zeros(2)}):
        with pytest.raises(ValueError):
            record(spec, **bad)


# --------------------------------------------------------------------------------------------
# The placements sequence
# --------------------------------------------------------------------------------------------


def test_placements_indexing():
    spec = Conv2dSpec((2, 6, 7), out_channels=4, kernel_size=(2, 3), stride=(2, 1), groups=2)
    rec = record(spec, seed=5)
    pl = rec.placements
    n = int(np.prod(spec.output_shape))
    assert isinstance(pl, Sequence)
    assert len(pl) == n == rec.output.size
    order = list(np.ndindex(*spec.output_shape))  # (co, oy, ox), ox fastest
    assert [tuple(p.out_index) for p in pl] == order
    assert [p.value for p in pl] == rec.output.ravel().tolist()
    assert pl[-1].out_index == pl[n - 1].out_index == order[-1]
    assert pl[-n].out_index == pl[0].out_index == (0, 0, 0)
    np.testing.assert_array_equal(pl[-3].taps, pl[n - 3].taps)
    for bad in (n, n + 5, -n - 1):
        with pytest.raises(IndexError):
            pl[bad]
    assert [p.out_index for p in pl[2:5]] == order[2:5]
    assert [p.out_index for p in pl[::-1]] == order[::-1]
    assert [p.out_index for p in pl[-4:]] == order[-4:]
    assert [p.out_index for p in pl[1:n:7]] == order[1:n:7]
    assert pl[5:2] == [] and pl[n:] == []
    it = iter(pl)
    assert next(it).out_index == order[0] and next(it).out_index == order[1]
    # Each placement reads C_in / G * KH * KW cells of its own group's channels.
    for p in pl:
        co = p.out_index[0]
        taps = np.asarray(p.taps)
        assert taps.shape == (1 * 2 * 3, 3)
        assert set(taps[:, 0].tolist()) == {co // 2}
        assert p.value == int(rec.output[p.out_index])


def test_placements_are_built_on_demand(monkeypatch):
    """A large layer records without building one Python object per placement."""
    built = []
    original = engine.Placement

    def counting_placement(*args, **kwargs):
        built.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(engine, "Placement", counting_placement)
    spec = Conv2dSpec((1, 200, 200), out_channels=2, kernel_size=1)  # 80,000 placements
    rec = record(spec, seed=0)
    assert len(rec.placements) == 80_000
    assert built == []
    last = rec.placements[-1]
    assert last.out_index == (1, 199, 199) and len(built) == 1
    next(iter(rec.placements))
    assert len(built) == 2
    assert rec.placements[10:13][0].out_index == (0, 0, 10)
    assert len(built) == 5


def test_given_arrays_become_int64_or_float64():
    spec = Conv2dSpec((1, 3, 3), 1, 2, bias=False)
    small = record(spec, input=np.full((1, 3, 3), 200, np.uint8), weight=-np.ones((1, 1, 2, 2), np.int8))
    assert small.output.dtype == np.int64 and small.output[0, 0, 0] == -800
    halves = record(spec, input=np.full((1, 3, 3), 1.5), weight=np.ones((1, 1, 2, 2), np.int64))
    assert halves.output.dtype == np.float64 and halves.placements[0].value == 6.0
    with pytest.raises(ValueError):
        record(spec, input=np.full((1, 3, 3), "x"))


def test_placements_compare_by_value():
    placements = record(Conv2dSpec((1, 4, 4), 1, 2)).placements
    assert placements[0] == placements[0] and placements[0] != placements[1]
    assert placements[3] in list(placements)


def test_negative_seed_is_refused_naming_it():
    with pytest.raises(SpecError) as error:
        record(Conv2dSpec((1, 4, 4)), seed=-1)
    assert error.value.argument == "seed"


# --------------------------------------------------------------------------------------------
# A few rows at a time: the weight drawn and convolved in runs, only the kernels drawn kept
# --------------------------------------------------------------------------------------------

RANGES = [values.INPUT_RANGE, values.WEIGHT_RANGE, values.BIAS_RANGE, (-values.MAX_MAGNITUDE, values.MAX_MAGNITUDE)]


def _drawn(splits: Sequence[int], before: int, bounds: tuple[int, int], seed: int = 11):
    """Example values of (sum(splits), 3, 1, 3) drawn in runs of ``splits`` rows, after
    ``before`` other draws: the values and the stream."""
    rng = values.rng_of(seed)
    values.example_values(rng, (before,), (0, 3))
    parts = [values.example_values(rng, (n, 3, 1, 3), bounds) for n in splits]
    return np.concatenate(parts), rng


@pytest.mark.parametrize("bounds", RANGES)
@pytest.mark.parametrize("before", [0, 1, 3])
def test_values_drawn_in_runs_are_the_values_of_one_draw(bounds, before):
    # what lets a render draw a weight a few rows at a time
    for splits in ([1] * 37, [5, 2, 30], [36, 1], [3, 3, 3, 3, 25]):
        whole, one = _drawn([37], before, bounds)
        parts, runs = _drawn(splits, before, bounds)
        np.testing.assert_array_equal(parts, whole)
        assert runs.position == one.position == before + 37 * 9
        following = values.example_values(one, (9,), (0, 2)).tolist()
        assert values.example_values(runs, (9,), (0, 2)).tolist() == following


@pytest.mark.parametrize("chunk", [1, 7, 40, 1 << 18])
@pytest.mark.parametrize("block", [1, 3, 4])
def test_example_rows_and_skipping_follow_one_draw(monkeypatch, chunk, block):
    monkeypatch.setattr(values, "CHUNK", chunk)
    shape = (24, 2, 3, 1)
    one, runs, skipped = (values.rng_of(5) for _ in range(3))
    whole = values.example_values(one, shape, values.WEIGHT_RANGE)
    parts = list(values.example_rows(runs, shape, values.WEIGHT_RANGE, block))
    np.testing.assert_array_equal(np.concatenate(parts), whole)
    assert [len(p) for p in parts] == [b - a for a, b in values.row_chunks(24, 6, block)]
    values.skip_values(skipped, shape, values.WEIGHT_RANGE)
    assert runs.position == one.position == skipped.position == 144


def _splitmix64(seed: int, stream: int, count: int) -> list[int]:
    """The words of a stream, by Python integers: SplitMix64 from the stream's key."""
    mask = (1 << 64) - 1

    def mix(z: int) -> int:
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        return z ^ (z >> 31)

    key = mix((seed * 0x9E3779B97F4A7C15 + stream * 0xD1B54A32D192ED03) & mask)
    return [mix((key + (i + 1) * 0x9E3779B97F4A7C15) & mask) for i in range(count)]


@pytest.mark.parametrize("seed", [0, 1, 7, 2**40 + 3, 2**70])
def test_the_example_values_are_splitmix64_words_scaled_to_their_range(seed):
    # an independent definition, in Python integers: the values cannot change by accident
    for stream, bounds in ((0, (0, 3)), (0, (-1, 1)), (1, (-2, 2)), (3, (-10_000, 10_000))):
        words = _splitmix64(seed, stream, 50)
        expected = [((w >> 32) * (bounds[1] - bounds[0] + 1) >> 32) + bounds[0] for w in words]
        assert values.example_values(values.rng_of(seed, stream), (5, 10), bounds).ravel().tolist() == expected
    fractions = values.example_fractions(values.rng_of(seed), (2, 3)).ravel().tolist()
    assert fractions == [(w >> 11) / 2**53 for w in _splitmix64(seed, 0, 6)]


def test_the_example_values_are_spread_evenly_and_seeds_and_streams_differ():
    counts = np.bincount(values.example_values(values.rng_of(0), (200_000,), (0, 9)))
    assert counts.min() > 19_400 and counts.max() < 20_600  # each value about a tenth of the time
    draws = [values.example_values(values.rng_of(s, t), (64,), (0, 3)) for s in range(4) for t in range(3)]
    assert len({d.tobytes() for d in draws}) == len(draws)
    first = [int(values.example_values(values.rng_of(s), (1,), (0, 3))[0]) for s in range(40)]
    assert set(first) == {0, 1, 2, 3}  # the first value is not fixed by the stream's start


@pytest.mark.parametrize("chunk", [1, 5, 12, 1 << 18])
def test_row_chunks_cover_the_rows_in_order_never_splitting_two_blocks(monkeypatch, chunk):
    monkeypatch.setattr(values, "CHUNK", chunk)
    for rows, per_row, block in [(24, 3, 4), (30, 1, 7), (5, 100, 5), (1, 9, 1), (12, 2, 12)]:
        runs = list(values.row_chunks(rows, per_row, block))
        assert [a for a, _ in runs] == [0] + [b for _, b in runs[:-1]] and runs[-1][1] == rows
        for a, b in runs:
            assert a // block == (b - 1) // block or (a % block == 0 and (b % block == 0 or b == rows))


KEPT_SPECS = [
    Conv2dSpec((12, 6, 6), 24, 3, groups=4),
    Conv2dSpec((30, 5, 5), 30, 3, padding=1, groups=30, padding_mode="reflect"),
    Conv2dSpec((30, 6, 6), 60, 2, stride=2, groups=3, bias=False),
    Conv2dSpec((40, 6, 6), 40, 3, dilation=2),
    Conv2dSpec((5, 7, 7), 7, (2, 3), stride=2, padding=1, dilation=(1, 2), padding_mode="circular"),
]


@pytest.mark.parametrize("chunk", [1, 50, 1 << 18])
@pytest.mark.parametrize("spec", KEPT_SPECS, ids=lambda s: s.caption)
def test_keeping_some_kernels_records_everything_else_exactly(monkeypatch, spec, chunk):
    monkeypatch.setattr(values, "CHUNK", chunk)
    keep = {spec.out_channels - 1, 0, spec.out_channels // 2}
    for seed in (0, 3):
        full = record(spec, seed)
        light = engine.record_direct(spec, seed, keep=keep)
        for name in ("input", "padded", "bias", "output"):
            a, b = getattr(full, name), getattr(light, name)
            assert (a is None and b is None) or (np.array_equal(a, b) and a.dtype == b.dtype), name
        assert light.kept == tuple(sorted(keep))
        np.testing.assert_array_equal(light.weight, full.weight[sorted(keep)])
        np.testing.assert_array_equal(light.weight_values, np.unique(full.weight))
        np.testing.assert_array_equal(light.distinct_weights(), full.distinct_weights())
        assert light.placements[5] == full.placements[5]


def test_keeping_some_kernels_of_a_given_weight_keeps_it_whole_and_draws_the_same_bias(monkeypatch):
    monkeypatch.setattr(values, "CHUNK", 30)
    spec = Conv2dSpec((6, 5, 5), 8, 3, groups=2)
    weight = np.arange(8 * 3 * 9).reshape(8, 3, 3, 3) % 7 - 3
    full = record(spec, 4, weight=weight)
    light = engine.record_direct(spec, 4, weight=weight, keep={1})
    assert light.kept is None and np.shares_memory(light.weight, weight)  # the holder's own array
    np.testing.assert_array_equal(light.output, full.output)
    np.testing.assert_array_equal(light.bias, record(spec, 4).bias)  # drawn after the weight it replaces
    np.testing.assert_array_equal(light.weight_values, np.unique(weight))


def test_a_layer_of_fractions_is_recorded_whole_when_kernels_are_kept():
    spec = Conv2dSpec((3, 5, 5), 6, 3)
    x = np.full((3, 5, 5), 0.5)
    light = engine.record_direct(spec, 2, input=x, keep={0})
    full = record(spec, 2, input=x)
    assert light.kept is None and light.weight.shape == (6, 3, 3, 3)
    for name in ("input", "padded", "weight", "bias", "output"):
        np.testing.assert_array_equal(getattr(light, name), getattr(full, name))
    assert light.output.dtype == np.float64


@pytest.mark.parametrize("chunk", [1, 13, 1 << 18])
def test_whole_numbers_convolved_in_runs_match_the_loop_reference(monkeypatch, chunk):
    monkeypatch.setattr(values, "CHUNK", chunk)
    for spec in KEPT_SPECS:
        rec = record(spec, seed=9)
        ref = reference.conv2d(
            rec.padded, rec.weight, rec.bias, stride=spec.stride, dilation=spec.dilation, groups=spec.groups
        )
        np.testing.assert_array_equal(rec.output, ref.output)


@pytest.mark.parametrize("chunk", [1, 7, 1 << 18])
def test_distinct_values_are_np_unique(monkeypatch, chunk):
    monkeypatch.setattr(values, "CHUNK", chunk)
    rng = np.random.default_rng(1)
    arrays = [
        rng.integers(-1, 2, (9, 4, 3, 3)),
        rng.integers(-10_000, 10_001, (3, 5)),  # too spread to count: sorted
        rng.integers(0, 3, (9, 4)).astype(np.float64) / 4,
        np.broadcast_to(np.array([[1, 0, -1]] * 3), (50, 20, 3, 3)),
        np.zeros((0, 3), np.int64),
        np.array(7),
    ]
    for array in arrays:
        found = values.distinct(array)
        np.testing.assert_array_equal(found, np.unique(array))
        assert found.dtype == array.dtype


def test_checking_a_given_array_copies_nothing_and_names_the_first_bad_value(monkeypatch):
    monkeypatch.setattr(values, "CHUNK", 4)
    given = np.zeros((6, 2, 3), np.int64)
    assert values.check_exact("weight", given) is given
    repeated = np.broadcast_to(np.arange(3.0), (1000, 1000, 3))
    assert np.shares_memory(values.check_exact("weight", repeated), repeated)
    given[4, 1, 2], given[5, 0, 0] = 20_000, -30_000
    with pytest.raises(SpecError, match="weight holds 20,000"):
        values.check_exact("weight", given)
    with pytest.raises(SpecError, match="weight holds 12345.5"):
        values.check_exact("weight", np.array(12_345.5))  # a single number, checked too


@pytest.mark.parametrize("seed", range(60))
def test_a_box_of_the_example_values_is_that_box_of_one_whole_draw(seed, monkeypatch):
    pick = np.random.default_rng(seed)
    shape = tuple(int(n) for n in pick.integers(1, 9, int(pick.integers(2, 5))))
    box = [(a, int(pick.integers(a + 1, n + 1))) for n in shape[1:] for a in [int(pick.integers(0, n))]]
    bounds = [(0, 9), (0, 3), (-2, 5), (-1, 1), (0, 1)][seed % 5]
    monkeypatch.setattr(values, "CHUNK", int(pick.integers(1, 40)))  # the whole drawn in runs
    before = int(pick.integers(0, 3))
    whole_rng, box_rng, skip_rng = values.rng_of(seed), values.rng_of(seed), values.rng_of(seed)
    for rng in (whole_rng, box_rng, skip_rng):
        values.example_values(rng, (before,), (0, 3))
    whole = values.example_values(whole_rng, shape, bounds)
    held = values.example_box(box_rng, shape, bounds, box)
    values.skip_values(skip_rng, shape, bounds)
    np.testing.assert_array_equal(held, whole[(slice(None), *(slice(*b) for b in box))])
    following = values.example_values(whole_rng, (9,), (-1, 1)).tolist()
    assert values.example_values(box_rng, (9,), (-1, 1)).tolist() == following
    assert values.example_values(skip_rng, (9,), (-1, 1)).tolist() == following


def test_a_box_of_a_vast_array_costs_the_box():
    # 2**40 values are never drawn: the box's are computed from their positions alone
    rng = values.rng_of(3)
    shape = (1 << 10, 1 << 15, 1 << 15)
    held = values.example_box(rng, shape, (0, 9), [(5, 7), (1 << 14, (1 << 14) + 3)])
    assert held.shape == (1 << 10, 2, 3) and rng.position == 1 << 40
    words = _splitmix64(3, 0, 5 * (1 << 15) + (1 << 14) + 1)
    assert int(held[0, 0, 0]) == ((words[-1] >> 32) * 10 >> 32)


@pytest.mark.parametrize("seed", range(40))
def test_a_part_of_a_layer_records_what_the_whole_layer_records_there(seed):
    pick = np.random.default_rng(seed)
    spec = Conv2dSpec(
        (int(pick.integers(1, 4)) * 2, int(pick.integers(5, 14)), int(pick.integers(5, 14))),
        int(pick.integers(1, 3)) * 2,
        int(pick.integers(1, 4)),
        stride=int(pick.integers(1, 3)),
        padding=int(pick.integers(0, 2)),
        dilation=int(pick.integers(1, 3)),
        groups=int(pick.choice([1, 2])),
        padding_mode=str(pick.choice(["zeros", "reflect", "replicate", "circular"])),
    )
    ho, wo = spec.output_shape[1:]
    r0, c0 = int(pick.integers(0, ho)), int(pick.integers(0, wo))
    spans = [(r0, int(pick.integers(r0 + 1, ho + 1))), (c0, int(pick.integers(c0 + 1, wo + 1)))]
    given = {}
    if seed % 3 == 1:
        given["weight"] = pick.standard_normal((spec.out_channels, spec.in_per_group, *spec.kernel_size))
    if seed % 3 == 2:
        given["input"] = pick.integers(-5, 5, spec.input_shape)
    full = record(spec, seed, **given)
    keep = {int(pick.integers(0, spec.out_channels))}
    part = engine.record_direct(spec, seed, keep=keep, spans=spans, **given)
    rows, cols = (slice(*s) for s in spans)
    np.testing.assert_allclose(part.output[:, rows, cols], full.output[:, rows, cols], rtol=1e-12)
    (y0, y1), (x0, x1) = engine.read_spans(spec, spans)
    np.testing.assert_array_equal(part.padded[:, y0:y1, x0:x1], full.padded[:, y0:y1, x0:x1])
    np.testing.assert_array_equal(part.weight, full.weight[sorted(keep)])
    np.testing.assert_array_equal(part.bias, full.bias)
    if rows.start > 0:
        with pytest.raises(IndexError):
            part.output[0, rows.start - 1, cols.start]
