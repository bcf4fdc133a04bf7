"""Pooling specs and recordings (convgif.ops.pooling).

(a) parity with torch 2.13 on thousands of random configurations, accepted and refused: the same
    acceptance, output shape, values, indices and divisors (skipped without torch);
(b) the recordings against tests/pooling_reference.py, a plain-loop implementation, and the
    acceptance rules against the reference's list of torch's checks (no torch needed);
(c) the examples of the PyTorch notes (section 池化函數);
(d) refusals name the argument and say why.

Values are compared with float64 torch tensors, exactly: convgif computes in int64 or float64
and adds an average's cells in torch's order.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random

import numpy as np
import pooling_reference as ref
import pytest

import convgif
from convgif import record
from convgif.errors import SpecError
from convgif.ops.pool import (
    INPUT,
    OVERHANG,
    PADDING,
    AvgPool1dSpec,
    AvgPool2dSpec,
    MaxPool1dSpec,
    MaxPool2dSpec,
    PoolPlacement,
)
from convgif.ops.unpool import MaxUnpool1dSpec, MaxUnpool2dSpec, MaxUnpool3dSpec

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SPECS = {"max2": MaxPool2dSpec, "max1": MaxPool1dSpec, "avg2": AvgPool2dSpec, "avg1": AvgPool1dSpec}
EM = " \u2014 "

#: The caption of MaxPool2d(2) on a 4×4 map of one channel.
MAXPOOL_2X2_CAPTION = EM.join(
    [
        "Input Shape : (1, 4, 4)",
        "Output Shape : (1, 2, 2)",
        "MaxPool2d",
        "K : (2, 2)",
        "P : (0, 0)",
        "S : (2, 2)",
        "D : (1, 1)",
    ]
)

# --------------------------------------------------------------------------------------------
# Random configurations
# --------------------------------------------------------------------------------------------


def _arg(rng: random.Random, dims: int, low: int, high: int, bad: tuple = (), p_bad: float = 0.06):
    """An int, a tuple or a list of ``dims`` ints, now and then with a value torch refuses."""

    def one():
        return rng.choice(bad) if bad and rng.random() < p_bad else rng.randint(low, high)

    r = rng.random()
    if r < 0.5:
        return one()
    values = tuple(one() for _ in range(dims))
    return values if r < 0.9 else list(values)


def random_pool(rng: random.Random, name: str, wrong_types: bool = True):
    """(spec class, input_shape, kwargs) for one of SPECS, valid or not.

    ``wrong_types`` mixes in floats, bools and ints where torch wants something else (both torch
    and convgif refuse them); without it every value is an integer or a bool flag.
    """
    kind, dims = name[:3], int(name[-1])
    shape = (rng.randint(1, 3), *(rng.randint(1, 8) for _ in range(dims)))
    if rng.random() < 0.1:
        shape = shape[1:]  # no channel axis: one channel
    bad = (0, -1, 2.0) if wrong_types else (0, -1)
    kwargs = {"kernel_size": _arg(rng, dims, 1, 5, bad)}
    r = rng.random()
    if r < 0.04:
        kwargs["stride"] = rng.choice([None, ()])
    elif r > 0.3:
        kwargs["stride"] = _arg(rng, dims, 1, 4, (0, -1))
    kwargs["padding"] = _arg(rng, dims, 0, 2, (-1, 3), p_bad=0.1)
    if kind == "max":
        if rng.random() < 0.6:
            kwargs["dilation"] = _arg(rng, dims, 1, 3, (0, -1))
        kwargs["return_indices"] = rng.random() < 0.5
    kwargs["ceil_mode"] = rng.random() < 0.5
    if wrong_types and rng.random() < 0.02:
        kwargs["ceil_mode"] = 1
    if kind == "avg":
        kwargs["count_include_pad"] = rng.random() < 0.5
        if dims == 2 and rng.random() < 0.3:
            choices = [1, 2, 3, 4, 7, -2, 0] + ([True, 2.0] if wrong_types else [])
            kwargs["divisor_override"] = rng.choice(choices)
    return SPECS[name], shape, kwargs


def random_input(rng: np.random.Generator, shape, style: str) -> np.ndarray:
    """Integers 0..9 (many ties), as int64 or float64, or signed fractions (ties too)."""
    x = rng.integers(0, 10, shape)
    if style == "int":
        return x.astype(np.int64)
    if style == "float":
        return x.astype(np.float64)
    return rng.normal(size=shape).round(1)


def make(cls, shape, kwargs):
    try:
        return cls(shape, **kwargs)
    except SpecError as exc:
        return exc


# --------------------------------------------------------------------------------------------
# (a) Parity with torch
# --------------------------------------------------------------------------------------------

POOL_CASES = 1500  # per layer kind
UNPOOL_CASES = 700  # per dimension count


def torch_pool(torch, name: str, kwargs: dict, x: np.ndarray):
    """("ok", output, indices or None) or ("refused", exception) from torch's module."""
    nn = torch.nn
    module_class = {"max2": nn.MaxPool2d, "max1": nn.MaxPool1d, "avg2": nn.AvgPool2d, "avg1": nn.AvgPool1d}[name]
    t = torch.from_numpy(x)
    try:
        out = module_class(**kwargs)(t)
        indices = None
        if name.startswith("max"):
            if not kwargs.get("return_indices"):
                out_again, indices = module_class(**{**kwargs, "return_indices": True})(t)
                assert torch.equal(out.isnan(), out_again.isnan())
            else:
                out, indices = out
            indices = indices.numpy()
    except (RuntimeError, TypeError, ValueError) as exc:
        return ("refused", exc)
    return ("ok", out.numpy(), indices)


def torch_divisors(torch, spec) -> np.ndarray:
    """What torch divides each window sum by: the window's counted input cells (pooled with
    divisor 1) over the average of ones (the same cells, divided by torch's divisor)."""
    f = torch.nn.functional
    one_axis = spec.DIMS == 1
    if one_axis:  # torch's AvgPool1d is its AvgPool2d over one row, which takes a divisor
        spec = spec.as_2d()
    ones = torch.ones((1, *spec.input_shape[1:]), dtype=torch.float64)
    args = (spec.kernel_size, spec.stride, spec.padding, spec.ceil_mode, spec.count_include_pad)
    counts = f.avg_pool2d(ones, *args, divisor_override=1)
    averages = f.avg_pool2d(ones, *args, divisor_override=spec.divisor_override)
    divisors = np.rint((counts / averages).numpy()[0]).astype(np.int64)
    return divisors[0] if one_axis else divisors


@pytest.mark.parametrize("name", list(SPECS))
def test_random_pooling_parity_with_torch(name):
    torch = pytest.importorskip("torch")
    rng = random.Random(11 + list(SPECS).index(name))
    values = np.random.default_rng(5)
    mismatches = []
    accepted = refused = ceil_dropped = overhanging = empty = 0
    for case in range(POOL_CASES):
        cls, shape, kwargs = random_pool(rng, name)
        style = ("float", "float", "int", "mixed")[case % 4]
        if style == "int" and name == "max1" and not kwargs.get("return_indices"):
            style = "float"  # torch's MaxPool1d without indices has no int64 kernel
        full_shape = shape if len(shape) == cls.DIMS + 1 else (1, *shape)
        x = random_input(values, full_shape, style)
        if style == "int" and name.startswith("avg"):
            x = x.astype(np.float64)  # torch's integer average truncates; convgif's is a mean
        want = torch_pool(torch, name, kwargs, x)
        got = make(cls, shape, kwargs)
        if want[0] == "refused" or isinstance(got, SpecError):
            if want[0] != "refused" or not isinstance(got, SpecError):
                mismatches.append((shape, kwargs, want[0], got))
            else:
                refused += 1
            continue
        accepted += 1
        spec = got
        rec = record(spec, input=x)
        out, indices = want[1], want[2]
        problems = []
        if rec.output.shape != out.shape or spec.output_shape != out.shape:
            problems.append(f"shape {spec.output_shape} vs {out.shape}")
        elif rec.output.dtype != (np.float64 if name.startswith("avg") else x.dtype):
            problems.append(f"dtype {rec.output.dtype}")
        elif not np.array_equal(rec.output, out, equal_nan=True):
            problems.append(f"values {rec.output.tolist()} vs {out.tolist()}")
        elif indices is not None and not np.array_equal(rec.indices, indices):
            problems.append(f"indices {rec.indices.tolist()} vs {indices.tolist()}")
        elif name.startswith("avg") and not np.array_equal(rec.divisors, torch_divisors(torch, spec)):
            problems.append(f"divisors {rec.divisors.tolist()} vs {torch_divisors(torch, spec).tolist()}")
        if problems:
            mismatches.append((shape, kwargs, style, problems))
        if spec.ceil_mode:
            unchecked = tuple(
                (n + 2 * p - r + s - 1) // s + 1
                for n, p, r, s in zip(spec.input_shape[1:], spec.padding, spec.receptive_field, spec.stride)
            )
            ceil_dropped += unchecked != spec.output_shape[1:]
        overhanging += max(spec.overhang) > 0
        if name.startswith("max"):
            empty += int((rec.winners[..., 0] < 0).any())
    assert not mismatches, "\n".join(map(str, mismatches[:8]))
    # the generator must keep reaching both sides and the edge cases
    assert accepted >= POOL_CASES // 5 and refused >= POOL_CASES // 5, (accepted, refused)
    assert ceil_dropped >= 10 and overhanging >= 30, (ceil_dropped, overhanging)
    if name.startswith("max"):
        assert empty >= 1, empty


def test_dilated_windows_at_the_edges_match_torch_exhaustively():
    """Every small dilated MaxPool1d with padding, floor and ceil: windows whose taps all fall in
    the padding or the overhang, last windows dropped or kept, ties; and the same on the
    columns of a MaxPool2d whose rows are pooled too."""
    torch = pytest.importorskip("torch")
    nn = torch.nn
    values = np.random.default_rng(17)
    checked = empty = refused = 0
    for n, k, d, s, ceil in itertools.product(range(1, 7), range(1, 5), range(1, 4), range(1, 4), (False, True)):
        x = values.integers(0, 4, (2, n)).astype(np.float64)
        plane = np.stack([x, x[:, ::-1]], axis=1)  # (2, 2, n)
        for p in range(k // 2 + 2):
            args = {"kernel_size": k, "stride": s, "padding": p, "dilation": d, "ceil_mode": ceil}
            try:
                want, want_idx = nn.MaxPool1d(**args, return_indices=True)(torch.from_numpy(x))
            except RuntimeError:
                with pytest.raises(SpecError):
                    MaxPool1dSpec((2, n), **args)
                refused += 1
                continue
            rec = record(MaxPool1dSpec((2, n), **args), input=x)
            assert np.array_equal(rec.output, want.numpy()), args
            assert np.array_equal(rec.indices, want_idx.numpy()), args
            empty += int((rec.winners < 0).any())
            # the same windows along the columns of a plane whose rows are pooled by 2 with padding 1
            planar = {"kernel_size": (2, k), "stride": (1, s), "padding": (1, p), "dilation": (1, d), "ceil_mode": ceil}
            want, want_idx = nn.MaxPool2d(**planar, return_indices=True)(torch.from_numpy(plane))
            rec = record(MaxPool2dSpec((2, 2, n), **planar), input=plane)
            assert np.array_equal(rec.output, want.numpy()), planar
            assert np.array_equal(rec.indices, want_idx.numpy()), planar
            checked += 1
    assert checked >= 300 and empty >= 10 and refused >= 300, (checked, empty, refused)


def random_unpool(rng: random.Random, dims: int):
    shape = (rng.randint(1, 2), *(rng.randint(1, 5) for _ in range(dims)))
    kwargs = {"kernel_size": _arg(rng, dims, 1, 4, (-1, 0))}
    if rng.random() < 0.6:
        kwargs["stride"] = _arg(rng, dims, 1, 3, (-1, 0))
    kwargs["padding"] = _arg(rng, dims, 0, 1, (-2, -1, 2), p_bad=0.2)
    if rng.random() < 0.5:
        default = ref.unpool_default_size(shape[1:], kwargs["kernel_size"], kwargs.get("stride"), kwargs["padding"])
        strides = ref.as_list(kwargs.get("stride", kwargs["kernel_size"]), dims)
        kwargs["output_size"] = tuple(d + rng.randint(-abs(s) - 1, abs(s) + 1) for d, s in zip(default, strides))
    return shape, kwargs


@pytest.mark.parametrize("dims", [2, 1])
def test_random_unpooling_parity_with_torch(dims):
    torch = pytest.importorskip("torch")
    cls = MaxUnpool2dSpec if dims == 2 else MaxUnpool1dSpec
    module_class = torch.nn.MaxUnpool2d if dims == 2 else torch.nn.MaxUnpool1d
    rng = random.Random(40 + dims)
    values = np.random.default_rng(3)
    mismatches, accepted, refused, from_pool, empty_in_torch = [], 0, 0, 0, 0
    for case in range(UNPOOL_CASES):
        shape, kwargs = random_unpool(rng, dims)
        size = kwargs.pop("output_size", None)
        x = torch.ones(shape, dtype=torch.float64)
        try:
            out = module_class(**kwargs)(x, torch.zeros(shape, dtype=torch.int64), output_size=size)
            torch_ok = out.numel() > 0
            empty_in_torch += not torch_ok
        except (RuntimeError, ValueError) as exc:
            torch_ok, out = False, exc
        got = make(cls, shape, {**kwargs, "output_size": size})
        if torch_ok != (not isinstance(got, SpecError)):
            mismatches.append((shape, kwargs, size, out if not torch_ok else tuple(out.shape), got))
            continue
        if not torch_ok:
            refused += 1
            continue
        accepted += 1
        spec = got
        if tuple(out.shape) != spec.output_shape:
            mismatches.append((shape, kwargs, size, tuple(out.shape), spec.output_shape))
            continue
        if spec.pool_spec() is not None and case % 2:
            rec = record(spec, seed=case)
            from_pool += 1
        else:  # distinct positions per channel, or equal values where positions must repeat
            area = math.prod(spec.output_shape[1:])
            n = math.prod(spec.input_shape[1:])
            idx = np.stack([values.choice(area, n, replace=n > area) for _ in range(spec.in_channels)])
            idx = idx.reshape(spec.input_shape)
            pooled = idx * 10 + np.arange(spec.in_channels).reshape(-1, *[1] * dims) + 0.5
            rec = record(spec, input=pooled, indices=idx)
        want = module_class(**kwargs)(
            torch.from_numpy(rec.input.astype(np.float64)), torch.from_numpy(rec.indices), output_size=size
        ).numpy()
        if not np.array_equal(rec.output, want):
            mismatches.append((shape, kwargs, size, rec.output.tolist(), want.tolist()))
    assert not mismatches, "\n".join(map(str, mismatches[:8]))
    assert accepted >= UNPOOL_CASES // 4 and refused >= UNPOOL_CASES // 10, (accepted, refused)
    assert from_pool >= 30 and empty_in_torch >= 3, (from_pool, empty_in_torch)


def test_unpooling_shared_indices_keep_the_last_value_as_torch_on_one_thread():
    torch = pytest.importorskip("torch")
    spec = MaxUnpool2dSpec((1, 3, 3), 2)
    values = np.arange(1.0, 10.0).reshape(1, 3, 3)
    indices = np.array([[[5, 5, 0], [5, 7, 7], [35, 0, 5]]])
    rec = record(spec, input=values, indices=indices)
    assert torch.get_num_threads() == 1  # see one_torch_thread; on more, torch's pick varies
    want = torch.nn.MaxUnpool2d(2)(torch.from_numpy(values), torch.from_numpy(indices)).numpy()
    assert np.array_equal(rec.output, want)
    assert rec.output.flat[5] == 9 and rec.output.flat[0] == 8 and rec.output.flat[7] == 6
    assert rec.kept.tolist() == [[[False, False, False], [False, False, True], [True, True, True]]]


def test_torch_tables_of_the_type_rules():
    """What torch 2.13 does with argument types, and where convgif's convention differs."""
    torch = pytest.importorskip("torch")
    nn = torch.nn
    x = torch.rand(1, 4, 4, dtype=torch.float64)

    def ok(make_module, inp=x):
        try:
            make_module()(inp)
        except (RuntimeError, TypeError, ValueError):
            return False
        return True

    # both refuse: bools and floats as sizes, ints as ceil_mode / count_include_pad, a bool divisor
    for torch_call, spec_call, inp in [
        (lambda: nn.MaxPool2d(True), lambda: MaxPool2dSpec((1, 4, 4), True), x),
        (lambda: nn.MaxPool2d(2.0), lambda: MaxPool2dSpec((1, 4, 4), 2.0), x),
        (lambda: nn.MaxPool2d(2, ceil_mode=1), lambda: MaxPool2dSpec((1, 4, 4), 2, ceil_mode=1), x),
        (lambda: nn.AvgPool2d(2, count_include_pad=0), lambda: AvgPool2dSpec((1, 4, 4), 2, count_include_pad=0), x),
        (lambda: nn.AvgPool2d(2, divisor_override=True), lambda: AvgPool2dSpec((1, 4, 4), 2, divisor_override=True), x),
        (lambda: nn.AvgPool2d(2, divisor_override=2.0), lambda: AvgPool2dSpec((1, 4, 4), 2, divisor_override=2.0), x),
        (lambda: nn.MaxPool1d((2, 2)), lambda: MaxPool1dSpec((1, 4), (2, 2)), x[0]),
    ]:
        assert not ok(torch_call, inp)
        with pytest.raises(SpecError):
            spec_call()
    # both accept: numpy integers, a negative divisor, an empty stride meaning the kernel size
    assert ok(lambda: nn.MaxPool2d(np.int64(2), stride=())) and MaxPool2dSpec((1, 4, 4), np.int64(2), ()).stride == (
        2,
        2,
    )
    assert ok(lambda: nn.AvgPool2d(2, divisor_override=-3))
    assert AvgPool2dSpec((1, 4, 4), 2, divisor_override=-3).divisor_override == -3
    # both accept a 1-tuple for every axis, and a bool after the first entry (torch's integer
    # lists check the first entry's type only), but not a bool first
    assert ok(lambda: nn.MaxPool2d((2,))) and MaxPool2dSpec((1, 4, 4), (2,)).kernel_size == (2, 2)
    assert ok(lambda: nn.MaxPool2d((2, True))) and MaxPool2dSpec((1, 4, 4), (2, True)).kernel_size == (2, 1)
    assert not ok(lambda: nn.MaxPool2d((True, 2)))
    with pytest.raises(SpecError):
        MaxPool2dSpec((1, 4, 4), (True, 2))
    # return_indices is a plain Python switch in torch: anything with a truth value
    for flag in (1, 2.0, "yes"):
        assert ok(lambda flag=flag: nn.MaxPool2d(2, return_indices=flag))
        assert MaxPool2dSpec((1, 4, 4), 2, return_indices=flag).return_indices is True
    assert MaxPool2dSpec((1, 4, 4), 2, return_indices=None).return_indices is False


# --------------------------------------------------------------------------------------------
# (b) Against the loop reference (no torch)
# --------------------------------------------------------------------------------------------

ACCEPTANCE_CASES = 3000  # per layer kind


@pytest.mark.parametrize("name", list(SPECS))
def test_acceptance_follows_torchs_checks(name):
    rng = random.Random(71 + list(SPECS).index(name))
    kind = name[:3]
    outcomes = {True: 0, False: 0}
    for _ in range(ACCEPTANCE_CASES):
        cls, shape, kwargs = random_pool(rng, name, wrong_types=False)
        sizes = shape[-cls.DIMS :]
        want = ref.pool_refusal(
            kind,
            sizes,
            kwargs["kernel_size"],
            kwargs.get("stride"),
            kwargs["padding"],
            kwargs.get("dilation", 1),
            kwargs["ceil_mode"],
            kwargs.get("divisor_override"),
        )
        got = make(cls, shape, kwargs)
        assert (got.argument if isinstance(got, SpecError) else None) == want, (shape, kwargs, got)
        outcomes[want is None] += 1
        if want is None:
            expected = tuple(
                ref.output_size(n, k, s, p, d, kwargs["ceil_mode"])
                for n, k, s, p, d in zip(sizes, got.kernel_size, got.stride, got.padding, got.dilation)
            )
            assert got.output_shape[1:] == expected
    assert min(outcomes.values()) >= ACCEPTANCE_CASES // 5, outcomes


def valid_pools(rng: random.Random, name: str, count: int):
    made = 0
    while made < count:
        cls, shape, kwargs = random_pool(rng, name, wrong_types=False)
        spec = make(cls, shape, kwargs)
        if not isinstance(spec, SpecError):
            made += 1
            yield spec


RECORDING_CASES = 150  # per layer kind


@pytest.mark.parametrize("name", list(SPECS))
def test_recordings_match_the_loop_reference(name):
    rng = random.Random(91 + list(SPECS).index(name))
    values = np.random.default_rng(9)
    for case, spec in enumerate(valid_pools(rng, name, RECORDING_CASES)):
        x = random_input(values, spec.input_shape, ("float", "int", "mixed")[case % 3])
        rec = record(spec, input=x)
        sizes = spec.input_shape[1:]
        kinds = ref.grid_kinds(sizes, spec.kernel_size, spec.stride, spec.padding, spec.dilation, spec.ceil_mode)
        assert np.array_equal(rec.kinds, kinds), spec
        assert rec.kinds.shape == spec.grid_shape[1:]
        if name.startswith("max"):
            output, indices, winners = ref.max_pool(
                x, spec.kernel_size, spec.stride, spec.padding, spec.dilation, spec.ceil_mode
            )
            assert rec.output.dtype == output.dtype
            assert np.array_equal(rec.output, output, equal_nan=True), spec
            assert np.array_equal(rec.indices, indices), spec
            assert np.array_equal(rec.winners, winners), spec
            assert rec.divisors is None
        else:
            output, divisors = ref.avg_pool(
                x,
                spec.kernel_size,
                spec.stride,
                spec.padding,
                spec.ceil_mode,
                spec.count_include_pad,
                spec.divisor_override,
            )
            assert np.array_equal(rec.output, output, equal_nan=True), spec
            assert np.array_equal(rec.divisors, divisors), spec
            assert rec.indices is None and rec.winners is None
        check_placements(rec, kinds)


def check_placements(rec, kinds) -> None:
    spec = rec.spec
    assert len(rec.placements) == spec.steps == math.prod(spec.output_shape[1:])
    pad = np.array(spec.padding)
    for i, placement in enumerate(rec.placements):
        out = placement.out_index
        assert out == tuple(int(v) for v in np.unravel_index(i, spec.output_shape[1:]))
        cells = ref.window_cells(out, spec.kernel_size, spec.stride, spec.dilation)
        assert [tuple(c) for c in placement.cells.tolist()] == cells
        assert placement.kinds.tolist() == [kinds[c] for c in cells]
        at = (slice(None), *out)
        assert np.array_equal(placement.values, rec.output[at], equal_nan=True)
        if spec.KIND == "max":
            assert np.array_equal(placement.winners, rec.winners[at])
            assert np.array_equal(placement.indices, rec.indices[at])
            real = placement.winners[:, 0] >= 0
            # a winner is an input cell of the window, and holds the output value
            for c in np.flatnonzero(real):
                cell = tuple(placement.winners[c])
                assert cell in cells and kinds[cell] == INPUT
                value = rec.input[(c, *(np.array(cell) - pad))]
                assert value == placement.values[c] or (np.isnan(value) and np.isnan(placement.values[c]))
            assert placement.terms is None and placement.divisor is None
        else:
            assert [tuple(t) for t in placement.terms.tolist()] == [c for c in cells if kinds[c] == INPUT]
            assert placement.divisor == rec.divisors[out]
            assert placement.reason.startswith(f"/ {placement.divisor}")
            assert np.array_equal(placement.sums / placement.divisor, placement.values, equal_nan=True)
            assert placement.winners is None


def test_unpooling_matches_the_loop_reference_and_its_checks():
    rng = random.Random(5)
    values = np.random.default_rng(6)
    seen = {True: 0, False: 0}
    for case in range(1500):
        dims = 1 + case % 2
        cls = MaxUnpool2dSpec if dims == 2 else MaxUnpool1dSpec
        shape, kwargs = random_unpool(rng, dims)
        want = ref.unpool_refusal(
            shape[1:], kwargs["kernel_size"], kwargs.get("stride"), kwargs["padding"], kwargs.get("output_size")
        )
        got = make(cls, shape, kwargs)
        seen[want is None] += 1
        assert isinstance(got, SpecError) == (want is not None), (shape, kwargs, got)
        if want == "output_size":
            assert got.argument == "output_size"
        if want is not None:
            continue
        sizes = got.output_shape[1:]
        area = math.prod(sizes)
        idx = values.integers(0, area, got.input_shape)
        pooled = values.integers(-9, 10, got.input_shape)
        rec = record(got, input=pooled, indices=idx)
        assert np.array_equal(rec.output, ref.max_unpool(pooled, idx, sizes))
        assert rec.output.dtype == np.int64
        check_unpool_placements(rec)
    assert min(seen.values()) >= 300, seen


def check_unpool_placements(rec) -> None:
    spec = rec.spec
    assert len(rec.placements) == spec.steps
    for placement in rec.placements:
        at = (slice(None), *placement.in_index)
        assert np.array_equal(placement.values, rec.input[at])
        flat = np.ravel_multi_index(tuple(placement.targets.T), spec.output_shape[1:])
        assert np.array_equal(flat, rec.indices[at])
        for c in range(spec.in_channels):
            target = (c, *placement.targets[c])
            assert (rec.output[target] == placement.values[c]) >= placement.kept[c]


# --------------------------------------------------------------------------------------------
# Specs: derived values, captions, recordings' conventions
# --------------------------------------------------------------------------------------------


def test_max_pool_spec_normalises_and_describes_itself():
    spec = MaxPool2dSpec((4, 4), 2)
    assert (spec.input_shape, spec.kernel_size, spec.stride, spec.padding, spec.dilation) == (
        (1, 4, 4),
        (2, 2),
        (2, 2),
        (0, 0),
        (1, 1),
    )
    assert (spec.in_channels, spec.out_channels, spec.output_shape, spec.num_parameters) == (1, 1, (1, 2, 2), 0)
    assert spec.steps == 4 and spec.comparisons == 12 and spec.operations == ("comparisons", 12)
    assert spec.caption == MAXPOOL_2X2_CAPTION
    assert spec == MaxPool2dSpec((1, 4, 4), (2, 2), [2, 2])
    ceil = MaxPool2dSpec((3, 5, 5), 2, ceil_mode=True)
    assert ceil.output_shape == (3, 3, 3) and ceil.overhang == (1, 1) and ceil.grid_shape == (3, 6, 6)
    assert ceil.steps == 9 and ceil.comparisons == 3 * (4 * 3 + 4 * 1)  # the overhang is not read
    assert ceil.caption.endswith("D : (1, 1)" + EM + "ceil_mode=True")
    dilated = MaxPool2dSpec((1, 7, 7), 3, 1, 1, 2)
    assert dilated.receptive_field == (5, 5) and dilated.padded_shape == (1, 9, 9) and dilated.padding_end == (1, 1)
    assert dilated.output_shape == (1, 5, 5)


def test_avg_pool_spec_caption_lists_only_non_defaults():
    spec = AvgPool2dSpec((1, 4, 4), 2)
    assert spec.caption == EM.join(
        ["Input Shape : (1, 4, 4)", "Output Shape : (1, 2, 2)", "AvgPool2d", "K : (2, 2)", "P : (0, 0)", "S : (2, 2)"]
    )
    assert spec.additions == 12 and spec.dilation == (1, 1) and spec.divisor_override is None
    full = AvgPool2dSpec((2, 5, 5), 3, 2, 1, True, False, 4)
    assert full.caption.endswith(
        EM.join(["S : (2, 2)", "ceil_mode=True", "count_include_pad=False", "divisor_override=4"])
    )
    one = AvgPool1dSpec((3, 9), 3)
    assert (
        one.kernel_size == (3,)
        and one.output_shape == (3, 3)
        and one.caption.startswith("Input Shape : (3, 9) — Output Shape : (3, 3) — AvgPool1d — ")
    )
    assert "K : (3,)" in one.caption
    # torch's AvgPool1d takes no divisor_override, so neither does AvgPool1dSpec
    assert "divisor_override" not in {f.name for f in dataclasses.fields(AvgPool1dSpec)}


def test_stride_follows_the_kernel_only_when_left_to_default():
    spec = MaxPool2dSpec((1, 8, 8), 2)
    assert spec.replace(kernel_size=4).stride == (4, 4)
    assert MaxPool2dSpec((1, 8, 8), 2, 2).replace(kernel_size=4).stride == (2, 2)
    assert AvgPool2dSpec((1, 8, 8), 2, ()).stride == (2, 2)
    assert MaxUnpool2dSpec((1, 2, 2), 2).replace(kernel_size=3).stride == (3, 3)


def test_one_axis_layers_equal_their_two_axis_forms():
    rng = random.Random(3)
    for name in ("max1", "avg1"):
        for spec in valid_pools(rng, name, 40):
            flat = spec.as_2d()
            assert flat.output_shape == (spec.out_channels, 1, spec.output_shape[1])
            rec = record(spec, seed=4)
            planar = rec.as_2d()
            assert np.array_equal(planar.output[:, 0], rec.output)
            if spec.KIND == "max":
                assert np.array_equal(planar.indices[:, 0], rec.indices)
            else:
                assert np.array_equal(planar.divisors[0], rec.divisors)
    unpool = MaxUnpool1dSpec((2, 3), 2, output_size=(7,))
    assert unpool.as_2d().output_shape == (2, 1, 7)


def test_recording_is_seeded_small_integers_and_keeps_dtypes():
    spec = MaxPool2dSpec((2, 5, 5), 2)
    first, again, other = record(spec), record(spec), record(spec, seed=1)
    assert np.array_equal(first.input, again.input) and not np.array_equal(first.input, other.input)
    assert first.input.dtype == np.int64 and first.input.min() >= 0 and first.input.max() <= 9
    assert first.output.dtype == np.int64 and first.indices.dtype == np.int64
    assert record(AvgPool2dSpec((2, 5, 5), 2)).output.dtype == np.float64
    assert record(spec, input=np.ones((2, 5, 5), np.float32)).output.dtype == np.float64
    assert record(spec, input=np.ones((2, 5, 5), bool)).output.dtype == np.int64
    with pytest.raises(SpecError) as error:
        record(spec, input=np.ones((5, 5)))
    assert error.value.argument == "input"
    with pytest.raises(SpecError) as error:
        record(spec, seed=-1)
    assert error.value.argument == "seed"
    with pytest.raises(SpecError) as error:
        record(spec, indices=np.zeros((2, 2, 2), int))
    assert error.value.argument == "indices"


def test_empty_windows_give_minus_infinity_and_torchs_index():
    # taps at -1 and 2 of a 2-long input: both in the padding
    rec = record(MaxPool1dSpec((1, 2), 2, 1, 1, 3), input=np.array([[3, 5]]))
    assert rec.output.tolist() == [[ref.INT64_MIN]] and rec.indices.tolist() == [[2]]
    assert rec.winners.tolist() == [[[-1]]]
    rec = record(MaxPool2dSpec((1, 2, 2), 2, 1, 1, 3), input=np.array([[[3.0, 5.0], [1.0, 2.0]]]))
    assert rec.output.tolist() == [[[-math.inf]]] and rec.indices.tolist() == [[[6]]]
    assert rec.placements[0].winners.tolist() == [[-1, -1]]


def test_ties_go_to_the_first_maximum_and_padding_never_wins():
    rec = record(MaxPool1dSpec((1, 5), 5), input=np.array([[1.0, 7.0, 5.0, 7.0, 7.0]]))
    assert rec.indices.tolist() == [[1]]
    rec = record(MaxPool1dSpec((1, 3), 3, 1, 1), input=np.full((1, 3), -10_000.0))
    assert rec.indices.tolist() == [[0, 0, 1]]  # padding never wins, even against the lowest value


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, 1e300, 10_001, -(2**40)])
@pytest.mark.parametrize("spec", [MaxPool2dSpec((1, 2, 2), 2), AvgPool1dSpec((1, 2), 2), MaxUnpool2dSpec((1, 1, 1), 2)])
def test_given_values_follow_the_one_rule_of_every_layer(spec, value):
    """What a convolution refuses, a pooling refuses too, naming the argument: values must be
    finite and within ±10,000 (so that every sum is exact)."""
    x = np.zeros(spec.input_shape, dtype=np.float64 if isinstance(value, float) else np.int64)
    x.flat[0] = value
    extra = {"indices": np.zeros(spec.input_shape, np.int64)} if isinstance(spec, MaxUnpool2dSpec) else {}
    with pytest.raises(SpecError) as error:
        record(spec, input=x, **extra)
    assert error.value.argument == "input" and "finite numbers from -10,000 to 10,000" in str(error.value)
    with pytest.raises(SpecError) as conv_error:
        convgif.record(convgif.Conv2dSpec((1, 2, 2), 1, 1), input=np.full((1, 2, 2), value, dtype=x.dtype))
    assert str(conv_error.value) == str(error.value)


def test_average_divisors_and_their_reasons():
    spec = AvgPool2dSpec((1, 4, 4), 3, 2, 1, ceil_mode=True)
    rec = record(spec, input=np.ones((1, 4, 4)))
    assert spec.output_shape == (1, 3, 3) and spec.overhang == (1, 1)
    assert rec.divisors.tolist() == [[9, 9, 6], [9, 9, 6], [6, 6, 4]]
    assert rec.kinds[0].tolist() == [PADDING] * 6 + [OVERHANG]
    reasons = [p.reason for p in rec.placements]
    assert reasons[0] == "/ 9: padding counted" and reasons[4] == "/ 9"
    assert reasons[2] == "/ 6: padding counted, overhang not counted"
    rec = record(spec.replace(count_include_pad=False), input=np.ones((1, 4, 4)))
    assert rec.divisors.tolist() == [[4, 6, 2], [6, 9, 3], [2, 3, 1]] and np.all(rec.output == 1)
    assert rec.placements[1].reason == "/ 6: padding not counted"
    rec = record(AvgPool2dSpec((1, 4, 4), 2, divisor_override=4), input=np.ones((1, 4, 4)))
    assert rec.placements[0].reason == "/ 4: divisor_override"
    rec = record(AvgPool2dSpec((1, 3, 3), 3), input=np.arange(9).reshape(1, 3, 3))
    placement = rec.placements[0]
    assert placement.reason == "/ 9" and placement.sums.tolist() == [36] and placement.values.tolist() == [4.0]


def test_placements_are_lazy_sequences():
    rec = record(MaxPool2dSpec((2, 6, 6), 2))
    assert len(rec.placements) == 9
    assert rec.placements[-1] == rec.placements[8] and rec.placements[0] != rec.placements[1]
    assert isinstance(rec.placements[1:3], list) and len(rec.placements[1:3]) == 2
    assert isinstance(rec.placements[0], PoolPlacement)
    with pytest.raises(IndexError):
        rec.placements[9]


# --------------------------------------------------------------------------------------------
# MaxUnpool
# --------------------------------------------------------------------------------------------


def test_unpool_output_size_range_is_exclusive_on_both_ends():
    spec = MaxUnpool2dSpec((1, 3, 3), 2)  # default (3 - 1)·2 + 2 = 6, stride 2: 5 or 6 or 7
    assert spec.default_size == (6, 6) and spec.output_shape == (1, 6, 6) and spec.steps == 9
    for size in (5, 7):
        assert MaxUnpool2dSpec((1, 3, 3), 2, output_size=(size, 6)).output_shape == (1, size, 6)
    for size in (4, 8):
        with pytest.raises(SpecError) as error:
            MaxUnpool2dSpec((1, 3, 3), 2, output_size=(size, 6))
        assert error.value.argument == "output_size" and "between (4, 4) and (8, 8)" in str(error.value)
    assert MaxUnpool2dSpec((1, 3, 3), 2, output_size=(7, 5)).caption.endswith(EM + "called with output_size=(7, 5)")
    assert "output_size" not in MaxUnpool2dSpec((1, 3, 3), 2, output_size=(6, 6)).caption


def test_unpool_takes_what_torch_takes_for_kernel_stride_and_padding():
    # torch checks none of them: only the output size they give must be usable
    assert MaxUnpool2dSpec((1, 2, 2), 2, stride=0).output_shape == (1, 2, 2)
    assert MaxUnpool2dSpec((1, 2, 2), 2, padding=-1).output_shape == (1, 6, 6)
    assert MaxUnpool2dSpec((1, 2, 2), 0, stride=2).output_shape == (1, 2, 2)
    with pytest.raises(SpecError) as error:  # torch returns an empty tensor here; convgif refuses
        MaxUnpool2dSpec((1, 2, 2), 2, padding=2)
    assert error.value.argument == "padding" and "nothing to draw" in str(error.value)
    # torch reads only what it uses: kernel_size whole, the first entries of stride and padding;
    # it adds and multiplies True as 1, and its output-size check refuses NumPy integers
    assert MaxUnpool1dSpec((1, 3), 2, stride=(2, 9)).output_shape == (1, 6)
    assert MaxUnpool2dSpec((1, 2, 2), True, stride=(2, 2, "unread")).output_shape == (1, 3, 3)
    assert MaxUnpool2dSpec((1, 2, 2), 2, output_size=(1, 1, 5, 4)).output_shape == (1, 5, 4)
    assert MaxUnpool3dSpec((1, 2, 2, 2), (True, 2, 2), stride=(2, 2, True)).output_shape == (1, 3, 4, 3)
    with pytest.raises(SpecError) as error:
        MaxUnpool2dSpec((1, 2, 2), 2, output_size=5)
    assert error.value.argument == "output_size"


def test_unpool_default_example_comes_from_a_max_pool():
    spec = MaxUnpool2dSpec((2, 3, 3), 2)
    rec = record(spec, seed=3)
    assert rec.pool is not None and rec.pool.spec == MaxPool2dSpec((2, 6, 6), 2, 2, 0, return_indices=True)
    assert np.array_equal(rec.input, rec.pool.output) and np.array_equal(rec.indices, rec.pool.indices)
    # the values go back where the maxima were; everything else is zero
    kept = rec.output != 0
    assert np.array_equal(rec.output[kept], rec.pool.input[kept])
    assert rec.kept.all()
    # below the default size only a ceil-mode pool gives the unpooling's input shape
    small = MaxUnpool2dSpec((1, 3, 3), 2, output_size=(5, 5))
    assert small.pool_spec().ceil_mode and record(small).output.shape == (1, 5, 5)
    # overlapping windows can pick one cell twice: the same value, so nothing is lost
    overlap = record(MaxUnpool2dSpec((1, 4, 4), 3, 1), seed=2)
    assert np.array_equal(overlap.output[overlap.output != 0], overlap.pool.input[overlap.output != 0])
    # no max pool gives this input shape: indices must be given
    odd = MaxUnpool2dSpec((1, 2, 2), 2, stride=0)
    assert odd.pool_spec() is None
    with pytest.raises(SpecError) as error:
        record(odd)
    assert error.value.argument == "indices"
    assert record(odd, indices=np.zeros((1, 2, 2), int), input=np.arange(4).reshape(1, 2, 2)).output.tolist() == [
        [[3, 0], [0, 0]]
    ]


def test_unpool_refuses_bad_indices():
    spec = MaxUnpool2dSpec((1, 2, 2), 2)
    for indices, words in [
        (np.array([[[0, 3], [8, 16]]]), "0..15"),
        (np.array([[[0, 3], [8, -1]]]), "0..15"),
        (np.zeros((1, 1, 2), int), "shape"),
        (np.zeros((1, 2, 2)), "integers"),
    ]:
        with pytest.raises(SpecError) as error:
            record(spec, input=np.ones((1, 2, 2)), indices=indices)
        assert error.value.argument == "indices" and words in str(error.value)
    with pytest.raises(SpecError) as error:
        record(spec, input=np.ones((1, 2, 2)))
    assert error.value.argument == "indices"
    rec = record(spec, indices=np.array([[[0, 3], [8, 11]]]), seed=1)
    assert rec.pool is None and rec.output.dtype == np.int64


# --------------------------------------------------------------------------------------------
# (c) The notes' examples
# --------------------------------------------------------------------------------------------

X16 = np.arange(16).reshape(1, 4, 4)
CS231N = np.array([[[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]])


def test_notes_max_pool_3_takes_stride_3():
    spec = MaxPool2dSpec((1, 4, 4), 3)  # nn.MaxPool2d(3): stride defaults to the kernel size
    assert spec.stride == (3, 3) and spec.output_shape == (1, 1, 1)
    rec = record(spec, input=X16)
    assert rec.output.tolist() == [[[10]]] and rec.indices.tolist() == [[[10]]]
    assert spec.caption == EM.join(
        [
            "Input Shape : (1, 4, 4)",
            "Output Shape : (1, 1, 1)",
            "MaxPool2d",
            "K : (3, 3)",
            "P : (0, 0)",
            "S : (3, 3)",
            "D : (1, 1)",
        ]
    )


def test_notes_max_pool_3_padding_1_stride_2():
    spec = MaxPool2dSpec((1, 4, 4), 3, padding=1, stride=2)
    rec = record(spec, input=X16)
    assert rec.output.tolist() == [[[5, 7], [13, 15]]] and rec.indices.tolist() == [[[5, 7], [13, 15]]]
    first = rec.placements[0]
    assert first.kinds.tolist() == [PADDING, PADDING, PADDING, PADDING, INPUT, INPUT, PADDING, INPUT, INPUT]
    assert first.winners.tolist() == [[2, 2]]  # input (1, 1) in grid coordinates


def test_notes_two_by_two_max_pool_of_a_four_by_four_input():
    spec = MaxPool2dSpec((4, 4), 2)
    rec = record(spec, input=CS231N)
    assert rec.output.tolist() == [[[6, 8], [3, 4]]]
    assert rec.indices.tolist() == [[[5, 7], [8, 15]]]
    assert spec.caption == MAXPOOL_2X2_CAPTION


def test_notes_max_pool_with_indices_then_max_unpool():
    # img = torch.randn((28, 28)); MaxPool2d((2,2), stride=(2,2), return_indices=True), then
    # MaxUnpool2d((2,2), stride=(2,2)) on the pooled image and its indices. (torch itself wants a
    # (C, H, W) input here; convgif reads (28, 28) as one channel.)
    img = np.random.default_rng(28).normal(size=(28, 28))
    pool = MaxPool2dSpec((28, 28), (2, 2), stride=(2, 2), return_indices=True)
    pooled = record(pool, input=img[None])
    unpool = MaxUnpool2dSpec(pool.output_shape, (2, 2), stride=(2, 2))
    up = record(unpool, input=pooled.output, indices=pooled.indices)
    assert pooled.output.shape == (1, 14, 14) and up.output.shape == (1, 28, 28)
    blocks = img.reshape(14, 2, 14, 2).transpose(0, 2, 1, 3).reshape(14, 14, 4)
    assert np.array_equal(pooled.output[0], blocks.max(axis=2))
    assert np.count_nonzero(up.output) == 196 and np.array_equal(up.output[up.output != 0], img[None][up.output != 0])
    assert unpool.caption == EM.join(
        [
            "Input Shape : (1, 14, 14)",
            "Output Shape : (1, 28, 28)",
            "MaxUnpool2d",
            "K : (2, 2)",
            "P : (0, 0)",
            "S : (2, 2)",
        ]
    )
    torch = pytest.importorskip("torch")
    t = torch.from_numpy(img[None])
    values, indices = torch.nn.MaxPool2d((2, 2), stride=(2, 2), return_indices=True)(t)
    assert np.array_equal(values.numpy(), pooled.output) and np.array_equal(indices.numpy(), pooled.indices)
    assert np.array_equal(torch.nn.MaxUnpool2d((2, 2), stride=(2, 2))(values, indices).numpy(), up.output)


def test_notes_examples_agree_with_torch():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    x = torch.from_numpy(X16.astype(np.float64))
    assert nn.MaxPool2d(3)(x).numpy().tolist() == [[[10.0]]]
    values, indices = nn.MaxPool2d(3, padding=1, stride=2, return_indices=True)(x)
    assert values.numpy().tolist() == [[[5.0, 7.0], [13.0, 15.0]]] and indices.tolist() == [[[5, 7], [13, 15]]]
    values, indices = nn.MaxPool2d(2, return_indices=True)(torch.from_numpy(CS231N.astype(np.float64)))
    assert values.tolist() == [[[6.0, 8.0], [3.0, 4.0]]] and indices.tolist() == [[[5, 7], [8, 15]]]


# --------------------------------------------------------------------------------------------
# (d) Refusals name the argument and say why
# --------------------------------------------------------------------------------------------

REFUSALS = [
    (MaxPool2dSpec, (1, 4, 4), {"kernel_size": 0}, "kernel_size", "must be positive"),
    (MaxPool2dSpec, (1, 4, 4), {"kernel_size": (2, 2, 2)}, "kernel_size", "pair of integers"),
    (MaxPool2dSpec, (1, 4, 4), {"kernel_size": (True, 2)}, "kernel_size", "pair of integers"),
    (MaxPool2dSpec, (1, 4, 4), {"kernel_size": True}, "kernel_size", "integer"),
    (MaxPool2dSpec, (1, 4, 4), {"kernel_size": 2, "stride": 0}, "stride", "must be positive"),
    (MaxPool2dSpec, (1, 4, 4), {"kernel_size": 2, "dilation": (1, 0)}, "dilation", "must be positive"),
    (MaxPool2dSpec, (1, 4, 4), {"kernel_size": 2, "padding": -1}, "padding", "non-negative"),
    (MaxPool2dSpec, (1, 4, 4), {"kernel_size": 3, "padding": 2}, "padding", "at most half of kernel_size=(3, 3)"),
    (MaxPool2dSpec, (1, 9, 9), {"kernel_size": 3, "padding": 2, "dilation": 2}, "padding", "dilation does not count"),
    (MaxPool2dSpec, (1, 2, 2), {"kernel_size": 3}, "kernel_size", "larger than the padded input (2, 2)"),
    (MaxPool2dSpec, (1, 4, 4), {"kernel_size": 2, "dilation": 4}, "kernel_size", "spans (5, 5)"),
    (MaxPool2dSpec, (1, 2, 2), {"kernel_size": 4, "stride": 1, "ceil_mode": True}, "kernel_size", "ceil_mode"),
    (MaxPool2dSpec, (1, 4, 4), {"kernel_size": 2, "ceil_mode": 1}, "ceil_mode", "True or False"),
    (MaxPool2dSpec, (1, 4, 4), {"kernel_size": 2, "return_indices": np.ones(2)}, "return_indices", "True or False"),
    (MaxPool2dSpec, (1, 0, 4), {"kernel_size": 2}, "input_shape", "positive"),
    (MaxPool1dSpec, (1, 4), {"kernel_size": (2, 2)}, "kernel_size", "1-tuple"),
    (MaxPool1dSpec, (1, 4, 4), {"kernel_size": 2}, "input_shape", "(C, L)"),
    (AvgPool2dSpec, (1, 4, 4), {"kernel_size": 2, "divisor_override": 0}, "divisor_override", "not be zero"),
    (AvgPool2dSpec, (1, 4, 4), {"kernel_size": 2, "divisor_override": 1.5}, "divisor_override", "integer"),
    (AvgPool2dSpec, (1, 4, 4), {"kernel_size": 2, "count_include_pad": None}, "count_include_pad", "True or False"),
    (AvgPool2dSpec, (1, 4, 4), {"kernel_size": 2, "padding": 2}, "padding", "at most (1, 1)"),
    (AvgPool1dSpec, (1, 4), {"kernel_size": 5}, "kernel_size", "larger than the padded input (4,)"),
    (MaxUnpool2dSpec, (1, 2, 2), {"kernel_size": 2, "output_size": (9, 4)}, "output_size", "between (2, 2) and (6, 6)"),
    (MaxUnpool2dSpec, (1, 2, 2), {"kernel_size": 2, "output_size": (2, 4, 4)}, "output_size", "pair"),
    (MaxUnpool2dSpec, (1, 2, 2), {"kernel_size": 2, "output_size": (4, np.int64(4))}, "output_size", "Python"),
    (MaxUnpool2dSpec, (1, 1, 1), {"kernel_size": 1, "padding": 1}, "padding", "torch refuses a negative size"),
    (MaxUnpool2dSpec, (1, 2, 2), {"kernel_size": 1, "stride": 1, "padding": 1}, "padding", "nothing to draw"),
    (MaxUnpool2dSpec, (1, 2, 2), {"kernel_size": np.int64(2)}, "kernel_size", "NumPy"),
    (MaxUnpool2dSpec, (1, 2, 2), {"kernel_size": (2,)}, "kernel_size", "pair"),
    (MaxUnpool2dSpec, (1, 2, 2), {"kernel_size": 2, "stride": (2,)}, "stride", "first 2 entries"),
    (MaxUnpool3dSpec, (1, 2, 2, 2), {"kernel_size": 2, "stride": (2, 2, 2, 2)}, "stride", "triple"),
    (MaxUnpool3dSpec, (1, 2, 2, 2), {"kernel_size": True}, "kernel_size", "triple"),
    (MaxUnpool2dSpec, (1, 2, 2), {"kernel_size": 2.0}, "kernel_size", "integer"),
    (MaxUnpool1dSpec, (1, 3), {"kernel_size": 2, "output_size": 6}, "output_size", "1-tuple"),
]


@pytest.mark.parametrize(
    "cls, shape, kwargs, argument, words",
    REFUSALS,
    ids=[f"{c.__name__}-{a}-{i}" for i, (c, _, _, a, _) in enumerate(REFUSALS)],
)
def test_refusals_name_the_argument(cls, shape, kwargs, argument, words):
    with pytest.raises(SpecError) as error:
        cls(shape, **kwargs)
    assert error.value.argument == argument
    assert argument in str(error.value) and words in str(error.value)


def _work_by_loop(spec) -> int:
    """One comparison (or addition) fewer than the input cells each window reads, tap by tap:
    padding and ceil_mode's overhang are not read (torch clips every window to the input)."""
    axes = list(zip(spec.input_shape[1:], spec.kernel_size, spec.stride, spec.padding, spec.dilation))
    total = 0
    for out in itertools.product(*(range(n) for n in spec.output_shape[1:])):
        read = 0
        for taps in itertools.product(*(range(k) for k in spec.kernel_size)):
            at = [o * s - p + j * d for o, j, (_, _, s, p, d) in zip(out, taps, axes)]
            read += all(0 <= i < n for i, (n, *_) in zip(at, axes))
        total += max(0, read - 1)
    return spec.input_shape[0] * total


def test_info_counts_the_comparisons_and_additions_torch_makes():
    """Windows over padding or past the edge (ceil_mode) read fewer cells: a 2×2 max takes 3
    comparisons, a window's cell in the overhang none."""
    from convgif.ops.lp import LPPool1dSpec, LPPool2dSpec, LPPool3dSpec

    assert convgif.MaxPool2dSpec((1, 4, 4), 2).operations == ("comparisons", 12)
    assert convgif.MaxPool2dSpec((1, 5, 5), 2, ceil_mode=True).operations == ("comparisons", 16)
    rng = random.Random(8)
    checked = 0
    while checked < 300:
        dims = rng.randint(1, 3)
        size = tuple(rng.randint(1, 7) for _ in range(dims))
        k = tuple(rng.randint(1, 4) for _ in range(dims))
        s = tuple(rng.randint(1, 3) for _ in range(dims))
        p = tuple(rng.randint(0, kk // 2) for kk in k)
        ceil, c = rng.random() < 0.5, rng.randint(1, 3)
        kind = rng.choice(["max", "avg", "lp"])
        try:
            if kind == "max":
                d = tuple(rng.randint(1, 2) for _ in range(dims))
                spec = getattr(convgif, f"MaxPool{dims}dSpec")((c, *size), k, s, p, d, False, ceil)
            elif kind == "avg":
                spec = getattr(convgif, f"AvgPool{dims}dSpec")((c, *size), k, s, p, ceil, rng.random() < 0.5)
            else:
                spec = (LPPool1dSpec, LPPool2dSpec, LPPool3dSpec)[dims - 1]((c, *size), 2, k, s, ceil)
        except convgif.SpecError:
            continue
        checked += 1
        name, count = spec.operations
        assert name == ("comparisons" if kind == "max" else "additions")
        assert count == _work_by_loop(spec), spec


def test_an_axis_of_millions_of_windows_counts_its_cells_as_one_by_one(monkeypatch):
    """Past COUNTED_ONE_BY_ONE windows an axis' cells read are counted in closed form (its taps,
    and the windows wholly before or past the input): the same as window by window, on random
    axes whose dilation gaps are narrower than the input (as they are on so long an axis)."""
    from convgif.engine import windows

    rng = random.Random(11)
    checked = 0
    while checked < 2000:
        k, d, s = rng.randint(1, 6), rng.randint(1, 3), rng.randint(1, 3)
        p, n = rng.randint(0, k // 2), rng.randint(1, 60)
        span = (k - 1) * d + 1
        if n + 2 * p < span or d > n:
            continue
        o = (n + 2 * p - span) // s + 1 + (rng.random() < 0.5)  # with ceil_mode's extra window or not
        monkeypatch.setattr(windows, "COUNTED_ONE_BY_ONE", 10**9)
        one_by_one = windows._axis_reads(n, o, k, s, p, d)
        monkeypatch.setattr(windows, "COUNTED_ONE_BY_ONE", 0)
        assert windows._axis_reads(n, o, k, s, p, d) == one_by_one, (n, o, k, s, p, d)
        checked += 1


def test_info_on_an_axis_of_a_huge_pooling_answers_at_once():
    from click.testing import CliRunner

    from convgif.cli.commands import main

    for args in (
        ["--layer", "MaxPool2d", "--in", f"1,{2**63 - 1},{2**63 - 1}", "--k", "8"],
        ["--layer", "AvgPool1d", "--in", "1,100000000", "--k", "1"],
    ):
        result = CliRunner().invoke(main, ["info", *args])
        assert result.exit_code == 0 and ("comparisons" in result.output or "additions" in result.output), result.output
