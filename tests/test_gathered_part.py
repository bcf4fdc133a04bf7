"""A part of an up-sampling or a padding recorded alone holds the whole layer's values, and
draws the part as the whole recording draws it."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest

import convgif
from convgif import ops
from convgif.engine.part import PartArray
from convgif.picture.model import Region

UPSAMPLE_MODES = {
    1: ("nearest", "nearest-exact", "linear", "area"),
    2: ("nearest", "nearest-exact", "bilinear", "bicubic", "area"),
}
PADDINGS = ("ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad", "CircularPad")


def _upsample(rng: random.Random):
    dims = rng.choice((1, 2))
    mode = rng.choice(UPSAMPLE_MODES[dims])
    args = {"input_shape": (rng.randint(1, 3), *(rng.randint(1, 9) for _ in range(dims))), "mode": mode}
    if rng.random() < 0.5:
        args["scale_factor"] = rng.choice((2, 3, 1.5, 0.5, (2.5, 1.25)[:dims] if dims == 2 else 2.5))
    else:
        args["size"] = tuple(rng.randint(1, 17) for _ in range(dims))
    if mode in ("linear", "bilinear", "bicubic") and rng.random() < 0.5:
        args["align_corners"] = True
    name = rng.choice(("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d")) if dims == 2 else "Upsample"
    if name != "Upsample":
        args.pop("mode")
        args.pop("align_corners", None)
    return ops.operation(name).build(**args)


def _padding(rng: random.Random):
    dims = rng.choice((1, 2))
    kind = rng.choice(PADDINGS)
    sizes = tuple(rng.randint(2, 9) for _ in range(dims))
    amounts = tuple(rng.randint(-1, 3) for _ in range(2 * dims))
    args = {"input_shape": (rng.randint(1, 3), *sizes), "padding": amounts}
    if kind == "ConstantPad":
        args["value"] = rng.choice((0, 1.5, -2))
    return ops.operation(f"{kind}{dims}d").build(**args)


def _region(rng: random.Random, spec) -> Region:
    sizes = spec.output_shape[1:] if spec.DIMS == 2 else (1, spec.output_shape[1])
    r0, c0 = (rng.randrange(n) for n in sizes)
    return Region((r0, rng.randint(r0 + 1, sizes[0])), (c0, rng.randint(c0 + 1, sizes[1])), spec.DIMS)


def _cases(make, count: int, seed: int):
    rng = random.Random(seed)
    found = 0
    while found < count:
        try:
            spec = make(rng)
        except convgif.SpecError:
            continue
        region = _region(rng, spec)
        if ops.of(spec).geometries(spec) and _reads_input(spec, region):
            found += 1
            yield spec, region, rng


def _reads_input(spec, region) -> bool:
    try:
        ops.of(spec).geometries(spec, region=region)
    except convgif.SpecError:  # a part of a padding's constant only: refused, whole or not
        return False
    return True


@pytest.mark.parametrize("make", [_upsample, _padding], ids=["upsample", "padding"])
@pytest.mark.parametrize("seed", range(4))
def test_a_part_holds_the_whole_layers_values_for_random_layers_and_regions(make, seed):
    for spec, region, rng in _cases(make, 50, seed):
        op = ops.of(spec)
        given = None
        if rng.random() < 0.3:
            given = np.round(np.random.default_rng(seed).normal(size=spec.input_shape) * 4, rng.choice((0, 2)))
        whole = op.record(spec, seed, input=given)
        part = op.record_drawn(spec, seed, [()], input=given, region=region)
        held = part.output
        assert isinstance(held, PartArray) and held.shape == whole.output.shape
        cut = (slice(None), *(slice(*s) for s in ((region.rows, region.cols)[2 - spec.DIMS :])))
        assert held.values.dtype == whole.output.dtype
        assert np.array_equal(held.values, whole.output[cut]), (spec, region)
        if given is None:
            x = part.input
            box = tuple(slice(s, s + n) for s, n in zip(x.start, x.values.shape))
            assert np.array_equal(x.values, whole.input[box])
        else:
            assert part.input is given or np.shares_memory(part.input, given)


@pytest.mark.parametrize("make", [_upsample, _padding], ids=["upsample", "padding"])
def test_a_part_draws_its_steps_as_the_whole_recording_draws_them(make):
    for spec, region, _ in _cases(make, 40, 7):
        op = ops.of(spec)
        (a,) = op.drawings(spec, op.record(spec, 3), region=region)
        (b,) = op.drawings(spec, op.record_drawn(spec, 3, [()], region=region), region=region)
        assert np.array_equal(a.grid, b.grid) and np.array_equal(a.output, b.output)
        assert a.value_chars == b.value_chars
        steps = a.geometry.steps_per_column
        for step in range(steps):
            shown, held = a.playback.show(step), b.playback.show(step)
            assert shown.text == held.text and shown.sums == held.sums
            assert np.array_equal(shown.reads[0].cells, held.reads[0].cells)


def test_a_part_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).normal(size=(3, 40, 50))
    cases = [
        (
            convgif.UpsampleSpec((3, 40, 50), scale_factor=2, mode="bilinear"),
            torch.nn.Upsample(scale_factor=2, mode="bilinear"),
        ),
        (
            convgif.UpsampleSpec((3, 40, 50), size=(97, 61), mode="bicubic", align_corners=True),
            torch.nn.Upsample(size=(97, 61), mode="bicubic", align_corners=True),
        ),
        (
            ops.operation("ReflectionPad2d").build(input_shape=(3, 40, 50), padding=(3, 1, 2, 5)),
            torch.nn.ReflectionPad2d((3, 1, 2, 5)),
        ),
    ]
    for spec, layer in cases:
        part = ops.of(spec).record_drawn(spec, 0, [()], input=x, region=Region((20, 29), (31, 40)))
        y = layer(torch.from_numpy(x)[None])[0].numpy()
        assert np.allclose(part.output.values, y[:, 20:29, 31:40], rtol=0, atol=1e-12)


# a part chooses what it draws by the widths the kind estimates (the whole layer's are not known):
# layers whose numbers are as wide draw the part as the whole recording does
@pytest.mark.parametrize(
    "spec, region, digits",
    [
        (convgif.UpsampleSpec((5, 30, 30), scale_factor=2, mode="nearest"), "10:16,3:9", 4),
        (convgif.UpsampleSpec((3, 200), scale_factor=2, mode="linear"), "100:106", 0),
        (ops.operation("ReflectionPad2d").build(input_shape=(6, 30, 30), padding=3), "0:6,30:36", 3),
        (ops.operation("ConstantPad1d").build(input_shape=(4, 90), padding=(3, 5), value=2), "88:98", 3),
    ],
)
def test_a_layer_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(monkeypatch, spec, region, digits):
    from convgif.ops import args

    given = np.random.default_rng(0).integers(10 ** (digits - 1), 10**digits, spec.input_shape) if digits else None
    normal = convgif.render(spec, io.BytesIO(), max_frames=40, region=region, values=True, input=given).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 200)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), max_frames=40, region=region, values=True, input=given).data
    assert parted == normal
