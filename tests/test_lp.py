"""Power-average pooling (LPPool1d/2d/3d): torch's formula, its sign and zero behaviour and
p = ±∞, against the loops of tests/reference_nd.py always and against torch 2.13 when it is
importable, on random configurations valid and invalid; the picture's sum line; info."""

from __future__ import annotations

import math
import random
import re

import numpy as np
import pytest
import reference_nd as ref
from click.testing import CliRunner

import convgif
from convgif import SpecError, ops
from convgif.cli import main
from convgif.info import explain
from convgif.picture.numbers import format_value

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SPECS = {1: convgif.LPPool1dSpec, 2: convgif.LPPool2dSpec, 3: convgif.LPPool3dSpec}
NORMS = [1, 2, 3, 2.5, 0.5, 1.5, 4, 7, 100, 0.3, -1, -2, -0.5, math.inf, -math.inf]
CASES = 150  # per number of axes, against the loops
TORCH_CASES = 1200  # per number of axes, against torch
#: Where torch's vectorised pow, sqrt and root (MKL or SLEEF, by tensor size and CPU) round
#: differently from libm's, values agree to a few units in the last place, not bit for bit.
BITWISE = (1, math.inf, -math.inf, -1)


def _value(rng: random.Random, dims: int, low: int, high: int, wrong: tuple, lengths: tuple):
    if wrong and rng.random() < 0.08:
        return rng.choice(wrong)
    r = rng.random()
    if r < 0.55 or not lengths:
        return rng.randint(low, high)
    length = rng.choice(lengths)
    return tuple(rng.randint(low, high) for _ in range(length))


def random_case(rng: random.Random, dims: int, wrong: bool = True):
    sizes = tuple(rng.randint(1, 8 - dims) for _ in range(dims))
    shape = (rng.randint(1, 2), *sizes)
    bad = (0, -1, True, 2.0, (2,) * (dims + 1)) if wrong else ()
    norm = rng.choice(NORMS + ([0, "x", None, True, "2"] if wrong and rng.random() < 0.1 else []))
    kernel = _value(rng, dims, 1, 3, bad + ((2,),) if dims > 1 and wrong else bad, (dims,) if dims > 1 else ())
    stride = rng.choice([None, (), _value(rng, dims, 1, 3, bad, (1, dims))])
    ceil = rng.random() < 0.5 if not (wrong and rng.random() < 0.03) else 1
    return shape, dict(norm_type=norm, kernel_size=kernel, stride=stride, ceil_mode=ceil)


def recorded(rec) -> tuple[np.ndarray, np.ndarray]:
    """(values, the means of x^p) of a recording (for p = ±∞, its values twice)."""
    means = rec.pooled.output if math.isfinite(rec.spec.norm_type) else rec.output
    return rec.output, means


def make(dims: int, shape, args):
    try:
        return SPECS[dims](shape, **args)
    except SpecError as error:
        return error


def random_input(generator: np.random.Generator, shape, case: int) -> np.ndarray:
    if case % 3 == 0:
        return generator.integers(0, 10, shape)
    if case % 3 == 1:
        return generator.random(shape).round(2)
    values = generator.normal(size=shape).round(1)  # signed: NaN where a fractional power meets a negative
    values[generator.random(shape) < 0.15] = -0.0
    return values


def assert_values(got, want, p: float, what: object, scale: float = 1.0) -> None:
    """``got`` and ``want`` (values, means of x^p): equal bit for bit where no power is rounded
    differently; else the means to a few units in the last place of their terms (a signed power
    sum may cancel: ``scale`` is the largest |x|), and the values where the mean is not lost to
    that cancellation (there a last-bit difference decides between a root and NaN)."""
    (values, means), (want_values, want_means) = got, want
    assert values.shape == want_values.shape, what
    if p in BITWISE:
        assert (np.isnan(values) == np.isnan(want_values)).all(), what
        finite = ~np.isnan(want_values)
        np.testing.assert_array_equal(values[finite], want_values[finite], err_msg=str(what))
        assert (np.signbit(values[finite]) == np.signbit(want_values[finite])).all(), what
        return
    size = scale ** max(p, 0) if p > 0 else 1.0
    lost = np.isnan(want_means) | (np.abs(want_means) <= 1e-11 * size)
    both = ~np.isnan(want_means) & ~np.isnan(means)
    assert (np.isnan(means) == np.isnan(want_means)).all() or not np.isfinite(want_means).all(), what
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(means[both], want_means[both], rtol=1e-12, atol=1e-12 * size, err_msg=str(what))
        keep = ~lost & ~np.isnan(want_values) & np.isfinite(want_means)
        assert (np.isnan(values[~lost]) == np.isnan(want_values[~lost])).all(), what
        # the root's relative error is the mean's over |p|, and the mean's grows as it cancels
        tolerance = 1e-14 + 1e-13 * size / np.abs(want_means[keep]) / abs(p)
        error = np.abs(values[keep] - want_values[keep]) / np.abs(want_values[keep]).clip(1e-300)
        assert (error <= tolerance).all() or (values[keep] == want_values[keep]).all(), (what, error.max())


@pytest.mark.parametrize("dims", (1, 2, 3))
def test_recordings_match_the_loops_and_acceptance_their_rules(dims):
    rng, values = random.Random(50 + dims), np.random.default_rng(dims)
    checked = refused = 0
    for case in range(CASES * 3):
        shape, args = random_case(rng, dims)
        got = make(dims, shape, args)
        why = ref.lp_refusal(dims, shape[1:], *args.values())
        assert isinstance(got, SpecError) == (why is not None), (shape, args, got, why)
        if why is not None:
            assert got.argument == why, (shape, args, got)
            refused += 1
            continue
        x = random_input(values, shape, case)
        rec = convgif.record(got, input=x)
        want = ref.lp_pool(x, got.norm_type, got.kernel_size, got.stride, got.ceil_mode)
        scale = max(1.0, float(np.abs(x).max()))
        assert_values(recorded(rec), want, got.norm_type, (shape, args), scale)
        checked += 1
    assert checked > CASES and refused > CASES // 10


def test_the_formula_as_torch_writes_it():
    spec = convgif.LPPool1dSpec((1, 4), 2, 3, stride=2, ceil_mode=True)
    rec = convgif.record(spec, input=np.array([[1.0, 2.0, 3.0, 4.0]]))
    # the last window holds 3 and 4 only: torch's (mean of their squares · 3)^(1/2), not their sum's root
    np.testing.assert_array_equal(rec.output, [[math.sqrt(14.0), math.sqrt(25 / 2 * 3)]])
    signed = convgif.record(convgif.LPPool1dSpec((1, 8), 1, 2), input=np.array([[-1.0, 2, -3, -4, 0, -0.0, -2, 2]]))
    np.testing.assert_array_equal(signed.output, [[1.0, -7.0, 0.0, 0.0]])
    cube = convgif.record(convgif.LPPool1dSpec((1, 4), 3, 2), input=np.array([[-1.0, 2, -3, -4]]))
    assert cube.output[0, 0] == pytest.approx(7 ** (1 / 3)) and np.isnan(cube.output[0, 1])
    largest = convgif.record(convgif.LPPool1dSpec((1, 4), math.inf, 2), input=np.array([[-5.0, 2, 0, -0.0]]))
    np.testing.assert_array_equal(largest.output, [[5.0, 0.0]])
    least = convgif.record(convgif.LPPool1dSpec((1, 4), -math.inf, 2), input=np.array([[-5.0, 2, 0, -3]]))
    np.testing.assert_array_equal(least.output, [[2.0, 0.0]])
    assert not np.signbit(least.output[0, 1])


def test_refusals_name_the_argument_and_the_rule():
    cases = [
        (1, (1, 6), dict(norm_type=0, kernel_size=2), "norm_type", "must not be 0"),
        (1, (1, 6), dict(norm_type="two", kernel_size=2), "norm_type", "must be a number"),
        (1, (1, 6), dict(norm_type=2, kernel_size=(2,)), "kernel_size", "must be an int"),
        (2, (1, 6, 6), dict(norm_type=2, kernel_size=(2,)), "kernel_size", "an int or a pair"),
        (2, (1, 6, 6), dict(norm_type=2, kernel_size=2, stride=(1, 1, 1)), "stride", "must be None"),
        (2, (1, 6, 6), dict(norm_type=2, kernel_size=0), "stride", "also the stride"),
        (2, (1, 6, 6), dict(norm_type=2, kernel_size=2, ceil_mode=1), "ceil_mode", "True or False"),
        (2, (1, 2, 6), dict(norm_type=2, kernel_size=3), "kernel_size", "larger than the padded input"),
        (3, (1, 2, 6, 6), dict(norm_type=2, kernel_size=3, ceil_mode=True), "kernel_size", "at least as large"),
    ]
    for dims, shape, args, argument, words in cases:
        with pytest.raises(SpecError) as error:
            SPECS[dims](shape, **args)
        assert error.value.argument == argument and words in str(error.value), str(error.value)
    assert convgif.LPPool2dSpec((1, 6, 6), "2", 2, stride=(1,)).stride == (1, 1)  # torch takes float("2")
    assert convgif.LPPool3dSpec((1, 2, 6, 6), math.inf, 3, ceil_mode=True).output_shape == (1, 1, 2, 2)


@pytest.mark.parametrize("norm", [1, 2, 3.5, math.inf, -math.inf])
def test_every_step_writes_the_power_sum_and_the_root(norm):
    for spec in (
        convgif.LPPool2dSpec((2, 5, 5), norm, 2, ceil_mode=True),
        convgif.LPPool1dSpec((1, 7), norm, 3, 2, ceil_mode=True),
    ):
        rec = convgif.record(spec, seed=4)
        (drawn,) = ops.of(spec).drawings(spec, rec)
        flat = rec.output.reshape(spec.in_channels, -1)
        for step in range(spec.steps):
            drawn.playback.advance(step)
            for c, entry in enumerate(drawn.playback.show(step).sums):
                value = entry.split(" = ")[-1].split(" ")[0]
                assert value == format_value(flat[c, step]), entry
                if math.isinf(norm):
                    assert entry.split(" = ")[1].startswith("max(|" if norm > 0 else "min(|")
                elif norm == 1:
                    assert "^" not in entry
                else:
                    assert f"^(1/{format_value(norm)})" in entry
                if "cut by the edge" in entry:  # the mean of the cells read, times the kernel's cells
                    divisor, k = re.search(r"\) / (\d+) · (\d+)", entry).groups()
                    assert int(divisor) < int(k) == math.prod(spec.kernel_size)


def test_a_three_axis_layer_is_recorded_and_drawn_by_depth_slices():
    spec = convgif.LPPool3dSpec((2, 4, 4, 4), 2, 2)
    assert convgif.record(spec).output.shape == (2, 2, 2, 2)
    geometries = ops.of(spec).geometries(spec)
    assert [g.notes[-1].split(":")[0] for g in geometries] == ["depth 0 (of 0–1)", "depth 1 (of 0–1)"]


def test_info_writes_torchs_formula():
    lines = explain(convgif.LPPool2dSpec((1, 5, 5), 2, 2, ceil_mode=True))
    assert "  H_out = ceil((5 − 2) / 2) + 1 = 3 (floor gives 2: one window hangs over the edge)" in lines
    assert "  y = (Σ x^2)^(1/2) over the window: torch's (avg_pool(x^2) · 4)^(1/2)" in lines
    assert any("cut by the edge" in line for line in lines)
    result = CliRunner().invoke(main, ["info", "--layer", "LPPool1d", "--in", "2,9", "--norm-type", "inf", "--k", "3"])
    assert result.exit_code == 0, result.output
    assert "y = max |x| over the window" in result.output


@pytest.mark.parametrize(("norm", "pick", "fn"), [(math.inf, "max", max), (-math.inf, "min", min)])
def test_a_cut_window_of_an_infinite_norm_is_told_as_torchs_plain_max_or_min_pool(norm, pick, fn):
    """For p = ±∞ torch max-pools ±|x|: a window cut by the edge takes the cells inside, no mean times K."""
    spec = convgif.LPPool2dSpec((1, 5, 5), norm, 2, 2, ceil_mode=True)
    notes = [n for g in ops.of(spec).geometries(spec) for n in g.notes]
    info = explain(spec)
    assert not any("mean" in line for line in notes + info), (notes, info)
    assert any(f"plain {pick} pool of |x|" in n for n in notes), notes
    assert any(f"a last window cut by the edge: the {pick} |x| of the cells inside it" in line for line in info)
    x = np.arange(25.0).reshape(1, 5, 5) - 12
    cut = convgif.record(spec, input=x).output[0, 2, 2]  # the corner window holds x[0, 4, 4] alone
    assert cut == fn(abs(x[0, 4, 4]), abs(x[0, 4, 4]))
    finite = convgif.LPPool2dSpec((1, 5, 5), 2, 2, 2, ceil_mode=True)
    assert any("mean times K" in n for g in ops.of(finite).geometries(finite) for n in g.notes)


torch = pytest.importorskip("torch")


def torch_means(dims: int, args: dict, x: np.ndarray) -> np.ndarray:
    """The average pool of x^p that torch's lp_pool starts from (for p = ±∞ its values)."""
    p = float(args["norm_type"])
    t = torch.from_numpy(x)
    if math.isinf(p):
        return getattr(torch.nn, f"LPPool{dims}d")(**args)(t).numpy()
    pool = getattr(torch.nn.functional, f"avg_pool{dims}d")
    return pool(t.pow(p), args["kernel_size"], args["stride"] or None, 0, args["ceil_mode"]).numpy()


@pytest.mark.parametrize("dims", (1, 2, 3))
def test_torch_agrees_on_random_configurations(dims):
    rng, values = random.Random(60 + dims), np.random.default_rng(dims + 10)
    module = getattr(torch.nn, f"LPPool{dims}d")
    accepted = refused = 0
    for case in range(TORCH_CASES):
        shape, args = random_case(rng, dims)
        x = random_input(values, shape, case).astype(np.float64)
        try:
            want = module(**args)(torch.from_numpy(x)).numpy(), torch_means(dims, args, x)
        except (RuntimeError, TypeError, ValueError, ZeroDivisionError) as error:
            want = error
        got = make(dims, shape, args)
        if isinstance(want, Exception) or isinstance(got, SpecError):
            assert isinstance(want, Exception) and isinstance(got, SpecError), (shape, args, got, want)
            refused += 1
            continue
        accepted += 1
        scale = max(1.0, float(np.abs(x).max()))
        assert_values(recorded(convgif.record(got, input=x)), want, got.norm_type, (shape, args), scale)
    assert accepted > TORCH_CASES // 3 and refused > TORCH_CASES // 20


def test_a_module_and_its_print_line_give_the_same_spec():
    from convgif.inputs.pytorch import from_torch, parse_line

    for module, shape in [
        (torch.nn.LPPool2d(2, 3, stride=2), (3, 7, 7)),
        (torch.nn.LPPool1d(1.5, 3, None, True), (2, 9)),
        (torch.nn.LPPool2d(float("inf"), (2, 3)), (1, 6, 6)),
    ]:
        spec, _ = from_torch(module, shape)
        line = parse_line(str(module))
        again = ops.operation(line.name).build(input_shape=shape, **line.arguments)
        assert again == spec


@pytest.mark.parametrize(("norm", "which"), [(math.inf, "largest"), (-math.inf, "least")])
def test_the_backward_note_names_the_cell_the_infinite_norms_pick(norm, which):
    spec = convgif.LPPool2dSpec((1, 4, 4), norm, 2)
    (geometry,) = ops.operation("LPPool2d").backward_geometries(spec)
    assert f"each window's dy goes to its {which} |x|" in geometry.notes[0]
    x = np.array([[[3.0, -1.0, 2.0, 5.0], [-4.0, 2.0, -0.5, 1.0], [1.0, 1.0, 1.0, 1.0], [2.0, 3.0, 4.0, 5.0]]])
    rec = convgif.record(spec, input=x, grad_output=np.ones((1, 2, 2)))
    picked = np.abs(x[0, :2, :2]).max() if norm > 0 else np.abs(x[0, :2, :2]).min()
    (where,) = np.argwhere(np.abs(x[0, :2, :2]) == picked)
    assert rec.grad_input[0, where[0], where[1]] != 0  # the gradient goes where the note says
