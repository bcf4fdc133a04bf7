"""Every family over one, two and three spatial axes: shapes, values and indices against an
independent loop implementation always, and against PyTorch when it is importable (what
torch accepts, convgif accepts; what it refuses, convgif refuses)."""

from __future__ import annotations

import random

import numpy as np
import pytest
import reference_nd as ref

import convgif
from convgif import SpecError

DIMS = (1, 2, 3)
pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same.:UserWarning")
CASES = 40  # per family and number of axes


def _sizes(rng: random.Random, dims: int, low: int, high: int) -> tuple[int, ...]:
    return tuple(rng.randint(low, high) for _ in range(dims))


def conv_cases(dims: int):
    rng = random.Random(100 + dims)
    for _ in range(CASES):
        groups = rng.choice([1, 1, 2])
        args = dict(
            input_shape=(groups * rng.randint(1, 2), *_sizes(rng, dims, 3, 7 - dims)),
            out_channels=groups * rng.randint(1, 2),
            kernel_size=_sizes(rng, dims, 1, 3),
            stride=_sizes(rng, dims, 1, 2),
            padding=rng.choice([0, 1, "same", _sizes(rng, dims, 0, 1)]),
            dilation=_sizes(rng, dims, 1, 2),
            groups=groups,
            bias=rng.random() < 0.7,
            padding_mode=rng.choice(["zeros", "zeros", "reflect", "replicate", "circular"]),
        )
        if args["padding"] == "same":
            args["stride"] = 1
        yield args


SPECS = {1: convgif.Conv1dSpec, 2: convgif.Conv2dSpec, 3: convgif.Conv3dSpec}
TRANSPOSED = {1: convgif.ConvTranspose1dSpec, 2: convgif.ConvTranspose2dSpec, 3: convgif.ConvTranspose3dSpec}
MAX = {1: convgif.MaxPool1dSpec, 2: convgif.MaxPool2dSpec, 3: convgif.MaxPool3dSpec}
AVG = {1: convgif.AvgPool1dSpec, 2: convgif.AvgPool2dSpec, 3: convgif.AvgPool3dSpec}
UNPOOL = {1: convgif.MaxUnpool1dSpec, 2: convgif.MaxUnpool2dSpec, 3: convgif.MaxUnpool3dSpec}


@pytest.mark.parametrize("dims", DIMS)
def test_direct_convolutions_record_what_the_loops_compute(dims):
    checked = 0
    for args in conv_cases(dims):
        try:
            spec = SPECS[dims](**args)
        except SpecError:
            continue
        rec = convgif.record(spec, seed=checked)
        want = ref.conv(
            rec.input,
            rec.weight,
            rec.bias,
            spec.stride,
            spec.padding,
            spec.padding_end,
            spec.dilation,
            spec.groups,
            spec.padding_mode,
        )
        assert spec.output_shape == want.shape, args
        np.testing.assert_array_equal(rec.output, want, err_msg=str(args))
        last = rec.placements[-1]
        assert last.out_index == tuple(n - 1 for n in spec.output_shape) and last.value == rec.output[last.out_index]
        assert last.taps.shape == (spec.in_per_group * int(np.prod(spec.kernel_size)), 1 + dims)
        checked += 1
    assert checked >= CASES // 2


@pytest.mark.parametrize("dims", DIMS)
def test_transposed_convolutions_record_what_their_scatter_computes(dims):
    rng, checked = random.Random(200 + dims), 0
    for _ in range(CASES):
        groups = rng.choice([1, 2])
        stride, dilation = _sizes(rng, dims, 1, 3), _sizes(rng, dims, 1, 2)
        args = dict(
            input_shape=(groups * rng.randint(1, 2), *_sizes(rng, dims, 2, 5 - dims)),
            out_channels=groups * rng.randint(1, 2),
            kernel_size=_sizes(rng, dims, 1, 3),
            stride=stride,
            padding=_sizes(rng, dims, 0, 1),
            output_padding=tuple(rng.randint(0, max(s, d) - 1) for s, d in zip(stride, dilation)),
            groups=groups,
            bias=rng.random() < 0.7,
            dilation=dilation,
        )
        try:
            spec = TRANSPOSED[dims](**args)
        except SpecError:
            continue
        rec = convgif.record(spec, seed=checked)
        want = ref.conv_transpose(
            rec.input, rec.weight, rec.bias, spec.stride, spec.padding, spec.output_padding, spec.dilation, spec.groups
        )
        assert spec.output_shape == want.shape, args
        np.testing.assert_array_equal(rec.output, want, err_msg=str(args))
        checked += 1
    assert checked >= CASES // 2


def pool_cases(dims: int, seed: int):
    rng = random.Random(seed + dims)
    for _ in range(CASES):
        kernel = _sizes(rng, dims, 1, 3)
        yield (
            dict(
                input_shape=(rng.randint(1, 2), *_sizes(rng, dims, 2, 7 - dims)),
                kernel_size=kernel,
                stride=rng.choice([None, _sizes(rng, dims, 1, 3)]),
                padding=tuple(rng.randint(0, k // 2) for k in kernel),
                ceil_mode=rng.random() < 0.4,
            ),
            rng,
        )


@pytest.mark.parametrize("dims", DIMS)
def test_max_pools_and_their_unpooling_record_what_the_loops_compute(dims):
    checked = 0
    for args, rng in pool_cases(dims, 300):
        args["dilation"] = _sizes(rng, dims, 1, 2)
        try:
            spec = MAX[dims](**args, return_indices=True)
        except SpecError:
            continue
        rec = convgif.record(spec, seed=checked)
        values, indices = ref.max_pool(
            rec.input, spec.kernel_size, spec.stride, spec.padding, spec.dilation, spec.ceil_mode
        )
        np.testing.assert_array_equal(rec.output, values, err_msg=str(args))
        np.testing.assert_array_equal(rec.indices, indices, err_msg=str(args))
        try:
            unpool = UNPOOL[dims](spec.output_shape, spec.kernel_size, spec.stride, spec.padding)
        except SpecError:  # an empty output: nothing to draw
            continue
        out_sizes = unpool.output_shape[1:]
        if all(i < int(np.prod(out_sizes)) for i in indices.ravel()):
            back = convgif.record(unpool, input=values, indices=indices)
            np.testing.assert_array_equal(back.output, ref.max_unpool(values, indices, out_sizes))
        checked += 1
    assert checked >= CASES // 2


@pytest.mark.parametrize("dims", DIMS)
def test_average_pools_record_what_the_loops_compute(dims):
    checked = 0
    for args, rng in pool_cases(dims, 400):
        args["count_include_pad"] = rng.random() < 0.5
        divisor = rng.choice([None, None, 3]) if dims > 1 else None  # AvgPool1d takes none
        if divisor is not None:
            args["divisor_override"] = divisor
        try:
            spec = AVG[dims](**args)
        except SpecError:
            continue
        rec = convgif.record(spec, seed=checked)
        want = ref.avg_pool(
            rec.input, spec.kernel_size, spec.stride, spec.padding, spec.ceil_mode, spec.count_include_pad, divisor
        )
        np.testing.assert_allclose(rec.output, want, rtol=1e-12, err_msg=str(args))
        checked += 1
    assert checked >= CASES // 2


def test_three_axis_specs_state_their_shapes_and_figures():
    conv = convgif.Conv3dSpec((3, 16, 112, 112), 64, (3, 7, 7), (1, 2, 2), (1, 3, 3), bias=False)
    assert conv.output_shape == (64, 16, 56, 56) and conv.num_parameters == 64 * 3 * 3 * 7 * 7
    assert conv.caption.startswith("Input Shape : (3, 16, 112, 112) — Output Shape : (64, 16, 56, 56) — K : (3, 7, 7)")
    facts = convgif.ops.of(conv).facts(conv)
    assert facts["output_size_formulas"][0].startswith("D_out = floor((16 + 2·1 − 1·(3 − 1) − 1) / 1 + 1) = 16")
    assert "KD · KH · KW" in facts["parameter_formulas"][0]
    with pytest.raises(SpecError) as error:
        convgif.Conv3dSpec((3, 2, 4, 4), 1, 3)  # the kernel is deeper than the input
    assert error.value.argument == "kernel_size"
    with pytest.raises(SpecError, match=r"a triple of integers \(d, h, w\)"):
        convgif.Conv3dSpec((1, 4, 4, 4), 1, (3, 3))
    assert convgif.MaxPool3dSpec((2, 4, 8, 8), (1, 2, 2)).output_shape == (2, 4, 4, 4)
    assert convgif.ConvTranspose3dSpec((2, 2, 3, 3), 1, 2, 2).output_shape == (1, 4, 6, 6)


torch = pytest.importorskip("torch")
F = torch.nn.functional


def _torch_accepts(call) -> bool:
    try:
        with torch.no_grad():
            call()
    except (RuntimeError, ValueError, TypeError):
        return False
    return True


@pytest.mark.parametrize("dims", DIMS)
def test_torch_agrees_on_acceptance_shapes_and_values(dims):
    layer = getattr(torch.nn, f"Conv{dims}d")
    for args in conv_cases(dims):
        x = torch.zeros(1, *args["input_shape"], dtype=torch.float64)
        torch_args = {k: v for k, v in args.items() if k != "input_shape"}

        def run(args=args, torch_args=torch_args, x=x):
            return layer(args["input_shape"][0], **torch_args).double()(x)

        try:
            spec = SPECS[dims](**args)
        except SpecError:
            assert not _torch_accepts(run), f"convgif refuses a layer torch accepts: {args}"
            continue
        assert _torch_accepts(run), f"convgif accepts a layer torch refuses: {args}"
        rec = convgif.record(spec, seed=1)
        module = layer(args["input_shape"][0], **torch_args).double()
        with torch.no_grad():
            module.weight.copy_(torch.from_numpy(rec.weight.astype(np.float64)))
            if rec.bias is not None:
                module.bias.copy_(torch.from_numpy(rec.bias.astype(np.float64)))
            got = module(torch.from_numpy(rec.input.astype(np.float64))[None])[0].numpy()
        np.testing.assert_array_equal(got, rec.output, err_msg=str(args))
    for args, _ in pool_cases(dims, 500):
        x = torch.from_numpy(np.random.default_rng(0).integers(0, 9, args["input_shape"]).astype(np.float64))[None]
        pool = getattr(F, f"max_pool{dims}d")
        stride = args["stride"] or args["kernel_size"]

        def run_pool(pool=pool, x=x, args=args, stride=stride):
            return pool(x, args["kernel_size"], stride, args["padding"], 1, args["ceil_mode"], True)

        try:
            spec = MAX[dims](**args, return_indices=True)
        except SpecError:
            assert not _torch_accepts(run_pool), f"convgif refuses a pool torch accepts: {args}"
            continue
        values, indices = run_pool()
        rec = convgif.record(spec, input=x[0].numpy())
        np.testing.assert_array_equal(rec.output, values[0].numpy())
        np.testing.assert_array_equal(rec.indices, indices[0].numpy())
