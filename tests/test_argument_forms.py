"""The forms PyTorch 2.13 takes for each size argument of each kind: ints, NumPy ints, bools,
1-tuples, tuples of the right length, longer ones, floats. A table of what torch does (kept from
torch itself, checked without it), then random forms on every kind against torch: convgif
takes what torch takes and refuses what it refuses, with the same output shape."""

from __future__ import annotations

import random
import warnings

import numpy as np
import pytest

import convgif
from convgif import SpecError

DIMS = (1, 2, 3)
FORMS = 600  # random configurations per kind family, against torch
ARGUMENTS = {
    "Conv": ("kernel_size", "stride", "padding", "dilation"),
    "ConvTranspose": ("kernel_size", "stride", "padding", "output_padding", "dilation"),
    "MaxPool": ("kernel_size", "stride", "padding", "dilation"),
    "AvgPool": ("kernel_size", "stride", "padding"),
    "MaxUnpool": ("kernel_size", "stride", "padding"),
}
#: (kind, dims, argument, value, taken) as torch 2.13 answers; the other arguments' defaults
#: are those of :func:`build` (kernel 3, stride 3 for a transposed layer's output_padding).
TABLE = [
    ("Conv", 2, "stride", (2,), True),
    ("Conv", 2, "kernel_size", (3,), False),
    ("Conv", 2, "kernel_size", True, True),
    ("Conv", 2, "kernel_size", (True, True), True),
    ("Conv", 2, "stride", True, False),
    ("Conv", 2, "stride", (True, 1), False),
    ("Conv", 2, "stride", (1, True), True),
    ("Conv", 2, "padding", (1,), True),
    ("Conv", 1, "stride", (2, 2), False),
    ("ConvTranspose", 2, "output_padding", (1,), True),
    ("ConvTranspose", 2, "kernel_size", (3,), False),
    ("MaxPool", 2, "kernel_size", (2,), True),
    ("MaxPool", 2, "kernel_size", True, False),
    ("MaxPool", 2, "kernel_size", (2, True), True),
    ("MaxPool", 2, "kernel_size", (True, 2), False),
    ("MaxPool", 1, "kernel_size", (2, 2), False),
    ("AvgPool", 3, "stride", (1,), True),
    ("MaxUnpool", 2, "kernel_size", (2,), False),
    ("MaxUnpool", 2, "stride", (2,), False),
    ("MaxUnpool", 2, "stride", (2, 2, 2, 2), True),
    ("MaxUnpool", 1, "kernel_size", (2, 2), False),
    ("MaxUnpool", 1, "stride", (2, 2), True),
    ("MaxUnpool", 2, "kernel_size", True, True),
    ("MaxUnpool", 2, "kernel_size", np.int64(2), False),
    ("MaxUnpool", 3, "stride", (2, 2, 2, 2), False),
    ("MaxUnpool", 3, "kernel_size", True, False),
]


def build(kind: str, dims: int, argument: str, value: object):
    """The convgif spec (or its refusal) of a layer with ``argument=value`` and small defaults."""
    args: dict = {"kernel_size": 2 if kind == "MaxUnpool" else 3}
    if argument == "output_padding":
        args["stride"] = 3
    args[argument] = value
    name = f"{kind}{dims}dSpec"
    shape = (2, *(3 if kind == "MaxUnpool" else 7 for _ in range(dims)))
    if kind in ("Conv", "ConvTranspose"):
        args["out_channels"] = 2
    try:
        return getattr(convgif, name)(shape, **args)
    except SpecError as error:
        return error


@pytest.mark.parametrize("kind, dims, argument, value, taken", TABLE)
def test_what_torch_takes_convgif_takes(kind, dims, argument, value, taken):
    got = build(kind, dims, argument, value)
    assert isinstance(got, SpecError) != taken, got
    if not taken:
        assert got.argument == argument


def random_form(rng: random.Random, dims: int, low: int, high: int):
    """An int, a NumPy int, a bool, a float, or a tuple or list of 1, dims or more entries
    (now and then a bool or float among them)."""
    r = rng.random()
    if r < 0.25:
        return rng.randint(low, high)
    if r < 0.3:
        return np.int64(rng.randint(low, high))
    if r < 0.35:
        return rng.choice([True, False, 2.0])
    length = rng.choice([1, 1, dims, dims, dims, dims + 1])
    values = [rng.randint(low, high) for _ in range(length)]
    if rng.random() < 0.2:
        values[rng.randrange(length)] = rng.choice([True, False, float(high)])
    return values if rng.random() < 0.3 else tuple(values)


torch = pytest.importorskip("torch")


def torch_output(kind: str, dims: int, args: dict, shape) -> object:
    """torch's output shape for one sample of ``shape``, or the exception it raises."""
    module = getattr(torch.nn, f"{kind}{dims}d")
    x = torch.rand((1, *shape), dtype=torch.float64)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind in ("Conv", "ConvTranspose"):
                layer = module(shape[0], args.pop("out_channels"), **args).double()
                return tuple(layer(x).shape[1:])
            if kind == "MaxUnpool":
                indices = torch.zeros(x.shape, dtype=torch.long)
                return tuple(module(**args)(x, indices).shape[1:])
            return tuple(module(**args)(x).shape[1:])
    except (RuntimeError, TypeError, ValueError, IndexError, NotImplementedError) as error:
        return error


@pytest.mark.parametrize("kind", list(ARGUMENTS))
def test_random_forms_of_every_argument_against_torch(kind):
    rng = random.Random(list(ARGUMENTS).index(kind))
    accepted = refused = 0
    for case in range(FORMS):
        dims = DIMS[case % 3]
        shape = (2, *(rng.randint(2, 7 - dims) for _ in range(dims)))
        args: dict = {"kernel_size": random_form(rng, dims, 1, 3)}
        for argument in ARGUMENTS[kind][1:]:
            if rng.random() < 0.5:
                low = 0 if argument in ("padding", "output_padding") else 1
                args[argument] = random_form(rng, dims, low, 2)
        if kind in ("Conv", "ConvTranspose"):
            args["out_channels"] = 2
        if kind == "Conv" and rng.random() < 0.2:
            args["padding_mode"] = rng.choice(["reflect", "replicate", "circular"])
        want = torch_output(kind, dims, dict(args), shape)
        try:
            got = getattr(convgif, f"{kind}{dims}dSpec")(shape, **args)
        except SpecError as error:
            got = error
        if isinstance(want, Exception) or isinstance(got, SpecError):
            empty = not isinstance(want, Exception) and 0 in want
            assert (isinstance(want, Exception) or empty) and isinstance(got, SpecError), (kind, shape, args, want, got)
            refused += 1
            continue
        accepted += 1
        assert got.output_shape == want, (kind, shape, args)
    assert accepted > 100 and refused > 100


def test_torchs_spellings_are_its_own():
    """torch's padding strings and modes are lower case; print(model) writes them unquoted."""
    from click.testing import CliRunner

    from convgif.cli import main

    runner = CliRunner()
    result = runner.invoke(
        main, ["info", "--layer", "Conv2d(1, 1, 3, padding=SAME, padding_mode=REFLECT)", "--in", "1,5,5"]
    )
    assert result.exit_code == 2 and "padding_mode='REFLECT' must be one of zeros, reflect" in result.output
    result = runner.invoke(main, ["info", "--layer", "Conv2d(1, 1, 3, padding=SAME)", "--in", "1,5,5"])
    assert result.exit_code == 2 and "padding='SAME'" in result.output
    result = runner.invoke(
        main, ["info", "--layer", "Conv2d(1, 1, 3, padding=same, padding_mode=reflect)", "--in", "1,5,5"]
    )
    assert result.exit_code == 0, result.output


def test_a_max_keeps_the_sign_of_the_first_zero_as_torch():
    x = np.array([[-0.0, 0.0, 0.0, -0.0]])
    rec = convgif.record(convgif.MaxPool1dSpec((1, 4), 2, return_indices=True), input=x)
    assert np.signbit(rec.output).tolist() == [[True, False]] and rec.indices.tolist() == [[0, 2]]
    rec = convgif.record(convgif.AdaptiveMaxPool1dSpec((1, 4), 2), input=x)
    assert np.signbit(rec.output).tolist() == [[True, False]]
