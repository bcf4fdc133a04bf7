"""Fractional max pooling (FractionalMaxPool2d/3d): torch's interval generation from given
samples, values and indices against the loops of tests/reference_nd.py always and against
torch 2.13 (with ``_random_samples`` passed) when it is importable, on random configurations
valid and invalid; seeded samples; the picture's every step; info."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
import reference_nd as ref
from click.testing import CliRunner

import convgif
from convgif import SpecError, ops
from convgif.cli import main
from convgif.engine import values
from convgif.info import explain
from convgif.picture.numbers import format_value

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SPECS = {2: convgif.FractionalMaxPool2dSpec, 3: convgif.FractionalMaxPool3dSpec}
CASES = 200  # per number of axes, against the loops
TORCH_CASES = 1000  # per number of axes, against torch


def random_case(rng: random.Random, dims: int, wrong: bool = True):
    sizes = tuple(rng.randint(1, 12 - 2 * dims) for _ in range(dims))
    shape = (rng.randint(1, 3), *sizes)
    kernel = rng.randint(1, 3) if rng.random() < 0.5 else tuple(rng.randint(1, 3) for _ in range(dims))
    args: dict = {"kernel_size": kernel, "return_indices": True}
    if rng.random() < 0.4:
        args["output_ratio"] = (
            round(rng.uniform(0.05, 0.95), 2)
            if rng.random() < 0.5
            else tuple(round(rng.uniform(0.05, 0.95), 2) for _ in range(dims))
        )
    elif rng.random() < 0.3:
        args["output_size"] = rng.randint(1, 6)
    else:  # mostly sizes whose windows fit
        ks = (kernel,) * dims if isinstance(kernel, int) else kernel
        slack = 1 if dims == 3 else 0
        args["output_size"] = tuple(
            rng.randint(1, max(1, n - k + 1 - slack + rng.randint(0, 1))) for n, k in zip(sizes, ks)
        )
    if wrong and rng.random() < 0.15:
        key, value = rng.choice(
            [
                ("kernel_size", 0),
                ("kernel_size", (2,)),
                ("kernel_size", True),
                ("output_size", (2,)),
                ("output_size", -1),
                ("output_ratio", 1.0),
                ("output_ratio", (0.5,)),
                ("output_ratio", True),
            ]
        )
        args.pop("output_ratio" if key == "output_size" else "output_size", None)
        args[key] = value
    return shape, args


def make(dims: int, shape, args, samples):
    try:
        return SPECS[dims](shape, **args, samples=samples)
    except SpecError as error:
        return error


@pytest.mark.parametrize("dims", (2, 3))
def test_recordings_match_the_loops(dims):
    rng, values = random.Random(70 + dims), np.random.default_rng(dims)
    checked = case = 0
    while checked < CASES and case < 20 * CASES:  # valid configurations only
        case += 1
        shape, args = random_case(rng, dims, wrong=False)
        samples = values.random((shape[0], dims))
        spec = make(dims, shape, args, samples)
        if isinstance(spec, SpecError):
            continue
        out_sizes = spec.output_shape[1:]
        assert ref.fractional_refusal(dims, shape[1:], spec.kernel_size, out_sizes) is None
        x = values.integers(0, 10, shape) if case % 2 else values.normal(size=shape).round(1)
        rec = convgif.record(spec, input=x)
        want, indices = ref.fractional_max_pool(x, spec.kernel_size, out_sizes, samples)
        np.testing.assert_array_equal(rec.output, want, err_msg=str((shape, args)))
        np.testing.assert_array_equal(rec.indices, indices)
        checked += 1
    assert checked == CASES


@pytest.mark.parametrize("dims", (2, 3))
def test_acceptance_follows_the_fit_rule(dims):
    rng = random.Random(80 + dims)
    for _ in range(500):
        shape, args = random_case(rng, dims, wrong=False)
        got = make(dims, shape, args, None)
        if isinstance(got, SpecError) and "nothing to draw" in str(got):
            continue
        kernel = (args["kernel_size"],) * dims if isinstance(args["kernel_size"], int) else args["kernel_size"]
        if "output_ratio" in args:
            ratio = args["output_ratio"]
            ratios = (ratio,) * dims if isinstance(ratio, float) else ratio
            out_sizes = [int(n * r) for n, r in zip(shape[1:], ratios)]
        else:
            size = args["output_size"]
            out_sizes = (size,) * dims if isinstance(size, int) else size
        why = ref.fractional_refusal(dims, shape[1:], kernel, out_sizes)
        assert isinstance(got, SpecError) == (why is not None), (shape, args, got)
        if why is not None:
            assert got.argument == why


def test_seeded_samples_are_uniform_draws_after_the_input():
    spec = convgif.FractionalMaxPool2dSpec((3, 9, 9), 2, output_size=4)
    a, b = convgif.record(spec, seed=5), convgif.record(spec, seed=5)
    np.testing.assert_array_equal(a.samples, b.samples)
    rng = values.rng_of(5)
    values.skip_values(rng, (3, 9, 9), (0, 9))
    np.testing.assert_array_equal(a.samples, values.example_fractions(rng, (3, 2)))
    assert ((0 <= a.samples) & (a.samples < 1)).all()
    given = convgif.record(spec, seed=5, input=a.input)
    np.testing.assert_array_equal(given.samples, a.samples)  # the same stream whether the input is given or not
    assert not np.array_equal(convgif.record(spec, seed=6).samples, a.samples)


def test_refusals_name_the_argument_and_the_rule():
    cases = [
        (2, (1, 9, 9), dict(kernel_size=2), "output_size", "neither"),
        (2, (1, 9, 9), dict(kernel_size=2, output_size=4, output_ratio=0.5), "output_size", "both"),
        (2, (1, 9, 9), dict(kernel_size=(2,), output_size=4), "kernel_size", "an int or a pair"),
        (2, (1, 9, 9), dict(kernel_size=2, output_ratio=1), "output_ratio", "between 0 and 1"),
        (2, (1, 9, 9), dict(kernel_size=2, output_size=9), "kernel_size", "at most the input's 9"),
        (3, (1, 6, 7, 8), dict(kernel_size=2, output_size=(5, 6, 7)), "kernel_size", "less than the input's 6"),
        (3, (1, 6, 7, 8), dict(kernel_size=0, output_size=3), "kernel_size", "greater than 0"),
        (2, (1, 9, 9), dict(kernel_size=2, output_ratio=0.05), "output_ratio", "nothing to draw"),
        (2, (2, 9, 9), dict(kernel_size=2, output_size=4, samples=[[0.5, 0.5]]), "samples", "(2, 2)"),
        (2, (1, 9, 9), dict(kernel_size=2, output_size=4, samples=[[0.5, 1.0]]), "samples", "[0, 1)"),
    ]
    for dims, shape, args, argument, words in cases:
        with pytest.raises(SpecError) as error:
            SPECS[dims](shape, **args)
        assert error.value.argument == argument and words in str(error.value), str(error.value)
    # torch's 2-D layer takes a kernel size below 1: every window empty, every output −∞
    empty = convgif.FractionalMaxPool2dSpec((1, 9, 9), 0, output_size=3, samples=[[0.5, 0.5]])
    rec = convgif.record(empty)
    assert np.isneginf(rec.output).all()
    with pytest.raises(SpecError, match="nothing to draw"):
        ops.of(empty).geometries(empty)


def test_every_step_rings_each_channels_own_window():
    spec = convgif.FractionalMaxPool2dSpec((3, 9, 11), (2, 3), output_size=(4, 4), return_indices=True)
    rec = convgif.record(spec, seed=2)
    (drawn,) = ops.of(spec).drawings(spec, rec)
    assert drawn.geometry.notes[1].startswith("samples u (columns, rows) channel 0: ")
    boxes = set()
    for step in range(spec.steps):
        drawn.playback.advance(step)
        shown = drawn.playback.show(step)
        placement = rec.placements[step]
        for c, entry in enumerate(shown.sums):
            assert entry.split(" = ")[2].split(" ")[0] == format_value(placement.values[c])
            assert entry.endswith(f"at index {int(placement.indices[c])}")
            assert len(re.search(r"max\((.*)\)", entry).group(1).split(", ")) == 6
            reads = shown.reads[c]
            assert {tuple(cell[1:]) for cell in reads.cells} == {tuple(cell) for cell in placement.channel_cells(c)}
            assert tuple(reads.marks[0, 1:]) == tuple(placement.winners[c])
            boxes.add((step, c, reads.box))
    assert len({box for _, _, box in boxes}) > spec.steps  # the channels' windows differ


def test_info_and_the_command():
    lines = explain(convgif.FractionalMaxPool2dSpec((1, 10, 10), 3, output_ratio=0.45, samples=[[0.3, 0.7]]))
    assert "  H_out = int(10 · 0.45) = 4" in lines
    assert (
        "  H windows of 3: start int((i+u)·α) − int(u·α), α = (10 − 3)/(4 − 1) = 2.333; the last starts at 7" in lines
    )
    assert "  H windows of channel 0: 0–2, 2–4, 5–7, 7–9" in lines  # the height's sample is the second
    assert "  W windows of channel 0: 0–2, 3–5, 5–7, 7–9" in lines
    whole = explain(convgif.FractionalMaxPool2dSpec((1, 9, 9), 3, output_size=4))
    assert "  α = 2 is whole on H: every sample gives the same windows there" in whole
    result = CliRunner().invoke(
        main,
        [
            "info",
            "--layer",
            "FractionalMaxPool2d",
            "--in",
            "2,9,9",
            "--k",
            "2",
            "--output-size",
            "4",
            "--samples",
            "0.1,0.9;0.5,0.5",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "W windows of channel 0: 0–1, 2–3, 4–5, 7–8" in result.output


torch = pytest.importorskip("torch")


@pytest.mark.parametrize("dims", (2, 3))
def test_torch_agrees_with_the_samples_passed(dims):
    rng, values = random.Random(90 + dims), np.random.default_rng(dims + 20)
    module = getattr(torch.nn, f"FractionalMaxPool{dims}d")
    accepted = refused = 0
    for case in range(TORCH_CASES):
        shape, args = random_case(rng, dims)
        samples = values.random((1, shape[0], dims))
        x = values.integers(0, 10, shape).astype(np.float64) if case % 2 else values.normal(size=shape).round(1)
        try:
            out, indices = module(**args, _random_samples=torch.from_numpy(samples))(torch.from_numpy(x))
            want = (out.numpy(), indices.numpy())
        except (RuntimeError, TypeError, ValueError, IndexError) as error:
            want = error
        got = make(dims, shape, args, samples)
        if isinstance(want, Exception) or isinstance(got, SpecError):
            empty = not isinstance(want, Exception) and want[0].size == 0
            assert (isinstance(want, Exception) or empty) and isinstance(got, SpecError), (shape, args, got, want)
            refused += 1
            continue
        accepted += 1
        rec = convgif.record(got, input=x)
        np.testing.assert_array_equal(rec.output, want[0], err_msg=str((shape, args)))
        np.testing.assert_array_equal(rec.indices, want[1])
    assert accepted > TORCH_CASES // 10 and refused > TORCH_CASES // 10


def test_a_module_gives_its_arguments_and_samples():
    from convgif.inputs.pytorch import from_torch

    samples = torch.rand(1, 2, 2, dtype=torch.float64)
    module = torch.nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.6), return_indices=True, _random_samples=samples)
    spec, _ = from_torch(module, (2, 10, 10))
    assert spec.output_shape == (2, 5, 6) and np.allclose(spec.samples, samples[0].numpy())
    x = np.random.default_rng(0).normal(size=(2, 10, 10))
    values, indices = module(torch.from_numpy(x))
    rec = convgif.record(spec, input=x)
    np.testing.assert_array_equal(rec.output, values.numpy())
    np.testing.assert_array_equal(rec.indices, indices.numpy())
