"""A part of a ConvTranspose1d or ConvTranspose2d recorded alone holds the whole layer's values,
and draws the part as the whole recording draws it, every partial sum included."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest

import convgif
from convgif import ops
from convgif.engine.part import PartArray
from convgif.ops.transposed_part import part_numbers
from convgif.picture.model import Region
from convgif.picture.sizes import kernel_channels


def _spec(rng: random.Random):
    dims = rng.choice((1, 2))
    groups = rng.choice((1, 1, 2))
    kernel = tuple(rng.randint(1, 3) for _ in range(dims))
    stride = tuple(rng.randint(1, 3) for _ in range(dims))
    dilation = tuple(rng.randint(1, 2) for _ in range(dims))
    args = {
        "input_shape": (groups * rng.randint(1, 2), *(rng.randint(1, 7) for _ in range(dims))),
        "out_channels": groups * rng.randint(1, 3),
        "kernel_size": kernel,
        "stride": stride,
        "padding": tuple(rng.randint(0, 2) for _ in range(dims)),
        "output_padding": tuple(rng.randint(0, max(s, d) - 1) for s, d in zip(stride, dilation)),
        "groups": groups,
        "bias": rng.random() < 0.7,
        "dilation": dilation,
    }
    return ops.operation(f"ConvTranspose{dims}d").build(**args)


def _region(rng: random.Random, spec) -> Region:
    sizes = spec.output_shape[1:] if spec.DIMS == 2 else (1, spec.output_shape[1])
    r0, c0 = (rng.randrange(n) for n in sizes)
    return Region((r0, rng.randint(r0 + 1, sizes[0])), (c0, rng.randint(c0 + 1, sizes[1])), spec.DIMS)


def _cases(count: int, seed: int):
    rng = random.Random(seed)
    found = 0
    while found < count:
        try:
            spec = _spec(rng)
        except convgif.SpecError:
            continue
        region = _region(rng, spec)
        try:  # a region of cells no kernel reaches (bias alone) has no step to draw: refused
            ops.of(spec).geometries(spec, region=region)
        except convgif.SpecError as error:
            assert error.argument == "region" and "no kernel reaches" in str(error), error
            continue
        found += 1
        yield spec, region, rng


def _given(rng: random.Random, spec, seed: int) -> dict:
    """Values given, sometimes: fractions or whole numbers, of the input, the weight, the bias."""
    values = np.random.default_rng(seed)
    given = {}
    if rng.random() < 0.3:
        given["input"] = np.round(values.normal(size=spec.input_shape) * 3, rng.choice((0, 2)))
    if rng.random() < 0.2:
        shape = (spec.in_channels, spec.out_per_group, *spec.kernel_size)
        given["weight"] = np.round(values.normal(size=shape), rng.choice((0, 1)))
    return given


@pytest.fixture
def too_large(monkeypatch):
    """Every layer too large to record whole: a region is recorded alone (a layer that is not is
    recorded whole, its part drawn from it, in every view)."""
    from convgif.ops import args

    monkeypatch.setattr(args, "MAX_ELEMENTS", 0)


@pytest.mark.parametrize("seed", range(5))
def test_a_part_draws_the_whole_layers_values_and_steps_for_random_layers_and_regions(seed, monkeypatch):
    from convgif.ops import args

    for spec, region, rng in _cases(30, seed):
        monkeypatch.setattr(args, "MAX_ELEMENTS", 20_000_000)
        op = ops.of(spec)
        given = _given(rng, spec, seed)
        (geometry,) = op.geometries(spec, region=region)
        kernels = [kernel_channels(geometry)]
        whole = op.record_drawn(spec, seed, kernels, **given)
        assert not isinstance(op.record_drawn(spec, seed, kernels, region=region, **given).output, PartArray)
        monkeypatch.setattr(args, "MAX_ELEMENTS", 0)  # as if the layer were too large to record whole
        part = op.record_drawn(spec, seed, kernels, region=region, **given)
        assert isinstance(part.output, PartArray)
        cut = (slice(None), *(slice(*s) for s in ((region.rows, region.cols)[2 - spec.DIMS :])))
        fractions = part.output.values.dtype.kind == "f"
        same = np.allclose if fractions else np.array_equal  # a whole recording of fractions sums otherwise
        assert same(part.output.values, np.asarray(whole.output)[cut]), (spec, region)
        (a,) = op.drawings(spec, whole, region=region)
        (b,) = op.drawings(spec, part, region=region)
        assert np.array_equal(a.grid, b.grid) and np.array_equal(a.output, b.output), (spec, region)
        assert np.array_equal(a.start, b.start) and a.extra["span"] == b.extra["span"]
        assert np.array_equal(a.kernel_values, b.kernel_values) and a.value_chars == b.value_chars
        full = list(a.kernel_channels or range(len(a.kernels)))  # a 1-D layer is recorded with every kernel
        for i, co in enumerate(b.kernel_channels or range(len(b.kernels))):
            assert np.array_equal(b.kernels[i], a.kernels[full.index(co)])
        for step in range(a.playback.steps):
            writes, held = a.playback.advance(step), b.playback.advance(step)
            assert [(w.channel, w.rows.tolist(), w.cols.tolist(), w.values.tolist()) for w in writes] == [
                (w.channel, w.rows.tolist(), w.cols.tolist(), w.values.tolist()) for w in held
            ]
            shown, kept = a.playback.show(step), b.playback.show(step)
            assert shown.text == kept.text and shown.sums == kept.sums
        assert part_numbers(spec, region) >= part.output.values.size


def test_a_part_matches_torch(too_large):
    torch = pytest.importorskip("torch")
    spec = convgif.ConvTranspose2dSpec((6, 30, 40), 4, 3, stride=2, padding=1, output_padding=1, groups=2, dilation=1)
    layer = torch.nn.ConvTranspose2d(6, 4, 3, stride=2, padding=1, output_padding=1, groups=2).double()
    x = np.random.default_rng(3).normal(size=spec.input_shape)
    weight, bias = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    region = Region((17, 29), (40, 52))
    part = ops.of(spec).record_drawn(spec, 0, [range(4)], input=x, weight=weight, bias=bias, region=region)
    y = layer(torch.from_numpy(x)[None])[0].detach().numpy()
    assert np.allclose(part.output.values, y[:, 17:29, 40:52], rtol=0, atol=1e-10)


def test_a_part_is_drawn_as_the_scatter_only(too_large):
    spec = convgif.ConvTranspose2dSpec((2, 6, 6), 3, 3, stride=2)
    part = ops.of(spec).record_drawn(spec, 0, [range(3)], region=Region((0, 4), (0, 4)))
    for view in ({"as_conv": True}, {"view": "matrix"}, {"view": "overlaps"}):
        with pytest.raises(convgif.SpecError, match="too large to compute whole"):
            ops.of(spec).drawings(spec, part, region=Region((0, 4), (0, 4)), geometries=[None], **view)
        with pytest.raises(convgif.TooLargeError, match="draws from the whole layer: without it, a part") as refused:
            convgif.render(spec, io.BytesIO(), max_frames=20, **view)
        assert refused.value.argument == "input_shape"  # the real limit: the layer computed whole
        info = convgif.describe(spec, **view)  # `convgif info` says the same
        assert info["frames"] is None and "draws from the whole layer" in info["too_large_to_draw"]


# a part chooses what it draws by the widths the kind estimates (the whole layer's are not known):
# layers whose numbers are as wide (three characters) draw the part as the whole recording does
@pytest.mark.parametrize(
    "spec, region, wide",
    [
        (convgif.ConvTranspose2dSpec((6, 20, 20), 4, 2, stride=2), "10:16,3:9", False),
        (
            convgif.ConvTranspose2dSpec((4, 12, 12), 4, 3, stride=2, padding=1, output_padding=1, groups=2),
            "0:5,9:14",
            True,  # its random numbers are narrower: given ones as wide as the estimate
        ),
        (convgif.ConvTranspose1dSpec((3, 60), 2, 3, stride=2, padding=1), "50:58", True),
    ],
)
def test_a_layer_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(monkeypatch, spec, region, wide):
    from convgif.ops import args

    given = np.random.default_rng(0).integers(10, 31, spec.input_shape) if wide else None
    normal = convgif.render(spec, io.BytesIO(), max_frames=200, region=region, values=True, input=given).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 200)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), max_frames=200, region=region, values=True, input=given).data
    assert parted == normal


def test_a_huge_transposed_convolution_is_drawn_from_its_part_alone():
    spec = convgif.ConvTranspose2dSpec((64, 1024, 1024), 32, 2, stride=2)
    assert spec.numbers > 20_000_000
    result = convgif.render(spec, io.BytesIO(), max_frames=80)
    assert result.region is not None and part_numbers(spec, result.region) < 2_000_000


def test_a_parts_step_line_takes_the_lines_its_steps_need(monkeypatch):
    """The layout keeps the step line as many lines as the steps the picture plays take, no
    more (an empty line under it, sized for the whole layer's step count) and no fewer, for
    random layers drawn as a part of the output, of the channels or of both."""
    from convgif.picture import overlay
    from convgif.picture.cells import cells
    from convgif.picture.sizes import STEP_BREAK, wrap

    seen = []
    original = overlay.Animation._frame

    def frame(self, image, step):
        seen.append((self.layout, step.text))
        return original(self, image, step)

    monkeypatch.setattr(overlay.Animation, "_frame", frame)
    rng = random.Random(5)
    parts = 0
    for _ in range(12):
        dims, groups = rng.choice((1, 2, 2)), rng.choice((1, 1, 2))
        spec = ops.operation(f"ConvTranspose{dims}d").build(
            input_shape=(groups * rng.choice((1, 2, 8, 32)), *(rng.randint(4, 60) for _ in range(dims))),
            out_channels=groups * rng.choice((1, 3, 8, 32)),
            kernel_size=rng.randint(1, 3),
            stride=rng.randint(1, 2),
            groups=groups,
        )
        seen.clear()
        result = convgif.render(spec, io.BytesIO(), max_frames=40, values=rng.random() < 0.6)
        layout = seen[0][0]
        used = [wrap(text, layout.sum_width, STEP_BREAK) for _, text in seen]
        assert all(cells(line) <= layout.sum_width for lines in used for line in lines), (spec, seen[-1][1])
        assert layout.step_lines == max(map(len, used)), (spec, layout.step_lines, seen[-1][1])
        parts += result.region is not None or "of this part" in seen[0][1]
    assert parts >= 6
