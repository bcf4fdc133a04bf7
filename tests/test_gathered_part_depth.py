"""A part of a three-axis up-sampling or padding recorded alone (the region's rows and columns of
every output depth slice, and the input cells they read over the depths read) holds the whole
layer's values, and draws every depth picture as the whole recording draws it."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest
from click.testing import CliRunner

import convgif
from convgif import ops
from convgif.cli import main
from convgif.engine.part import PartArray
from convgif.picture.model import Region

MODES = ("nearest", "nearest-exact", "trilinear", "area")
PADDINGS = ("ZeroPad3d", "ConstantPad3d", "ReflectionPad3d", "ReplicationPad3d", "CircularPad3d")


def _upsample(rng: random.Random):
    mode = rng.choice(MODES)
    args = {"input_shape": (rng.randint(1, 3), *(rng.randint(1, 6) for _ in range(3))), "mode": mode}
    if rng.random() < 0.5:
        args["scale_factor"] = rng.choice((2, 3, 1.5, 0.5, (2, 1.5, 0.75)))
    else:
        args["size"] = tuple(rng.randint(1, 9) for _ in range(3))
    if mode == "trilinear" and rng.random() < 0.5:
        args["align_corners"] = True
    return ops.operation("Upsample").build(**args)


def _padding(rng: random.Random):
    kind = rng.choice(PADDINGS)
    sizes = tuple(rng.randint(2, 6) for _ in range(3))
    args = {"input_shape": (rng.randint(1, 3), *sizes), "padding": tuple(rng.randint(-1, 2) for _ in range(6))}
    if kind == "ConstantPad3d":
        args["value"] = rng.choice((0, 1.5, -2))
    return ops.operation(kind).build(**args)


def _cases(make, count: int, seed: int):
    """Random layers drawn (whole and as a random part) and their parts."""
    rng = random.Random(seed)
    found = 0
    while found < count:
        try:
            spec = make(rng)
            _, _, ho, wo = spec.output_shape
            r0, c0 = rng.randrange(ho), rng.randrange(wo)
            region = Region((r0, rng.randint(r0 + 1, ho)), (c0, rng.randint(c0 + 1, wo)), 2)
            ops.of(spec).geometries(spec, region=region)
        except convgif.SpecError:  # a layer torch refuses, or a part of a padding's constant only
            continue
        found += 1
        yield spec, region, rng


def _box(array: PartArray) -> tuple[slice, ...]:
    return tuple(slice(s, s + n) for s, n in zip(array.start, array.values.shape))


@pytest.mark.parametrize("make", [_upsample, _padding], ids=["upsample", "padding"])
@pytest.mark.parametrize("seed", range(3))
def test_a_part_holds_the_whole_layers_values_for_random_layers_and_regions(make, seed):
    for spec, region, rng in _cases(make, 60, seed):
        op = ops.of(spec)
        given = None
        if rng.random() < 0.3:
            given = np.round(np.random.default_rng(seed).normal(size=spec.input_shape) * 4, rng.choice((0, 2)))
        whole = op.record(spec, seed, input=given)
        part = op.record_drawn(spec, seed, [()] * spec.output_shape[1], input=given, region=region)
        held = part.output
        assert isinstance(held, PartArray) and held.shape == whole.output.shape
        assert held.start == (0, 0, region.rows[0], region.cols[0])  # every depth, the region's rows and columns
        assert held.values.dtype == whole.output.dtype
        assert np.array_equal(held.values, whole.output[:, :, slice(*region.rows), slice(*region.cols)]), spec
        if given is None:
            assert np.array_equal(part.input.values, whole.input[_box(part.input)])
        else:
            assert part.input is given or np.shares_memory(part.input, given)
        assert op.part_numbers(spec, region) >= held.values.size


@pytest.mark.parametrize("make", [_upsample, _padding], ids=["upsample", "padding"])
def test_a_part_draws_every_depth_picture_as_the_whole_recording_draws_it(make):
    for spec, region, _ in _cases(make, 30, 7):
        op = ops.of(spec)
        pictures = op.drawings(spec, op.record(spec, 3), region=region)
        kernels = [()] * len(pictures)
        held = op.drawings(spec, op.record_drawn(spec, 3, kernels, region=region), region=region)
        assert len(held) == len(pictures) == spec.output_shape[1]
        for a, b in zip(pictures, held):
            assert np.array_equal(a.grid, b.grid) and np.array_equal(a.output, b.output)
            assert np.array_equal(a.filler, b.filler) and a.value_chars == b.value_chars
            for step in range(a.geometry.steps_per_column):
                shown, kept = a.playback.show(step), b.playback.show(step)
                assert shown.text == kept.text and shown.sums == kept.sums
                channels = a.output.shape[0]
                assert all(np.array_equal(shown.reads[c].cells, kept.reads[c].cells) for c in range(channels))
                for w, v in zip(shown.writes, kept.writes):
                    assert np.array_equal(w.values, v.values)


def test_a_part_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).normal(size=(3, 7, 20, 24))
    cases = [
        (
            convgif.UpsampleSpec(x.shape, scale_factor=2, mode="trilinear"),
            torch.nn.Upsample(scale_factor=2, mode="trilinear"),
        ),
        (
            convgif.UpsampleSpec(x.shape, size=(11, 37, 29), mode="trilinear", align_corners=True),
            torch.nn.Upsample(size=(11, 37, 29), mode="trilinear", align_corners=True),
        ),
        (convgif.UpsampleSpec(x.shape, scale_factor=1.5, mode="nearest"), torch.nn.Upsample(scale_factor=1.5)),
        (
            ops.operation("ReflectionPad3d").build(input_shape=x.shape, padding=(3, 1, 2, 5, 1, 2)),
            torch.nn.ReflectionPad3d((3, 1, 2, 5, 1, 2)),
        ),
        (
            ops.operation("CircularPad3d").build(input_shape=x.shape, padding=(2, 0, 1, 3, 2, 1)),
            torch.nn.CircularPad3d((2, 0, 1, 3, 2, 1)),
        ),
        (
            ops.operation("ConstantPad3d").build(input_shape=x.shape, padding=(1, 2, 0, 1, 2, 2), value=-1.5),
            torch.nn.ConstantPad3d((1, 2, 0, 1, 2, 2), -1.5),
        ),
    ]
    for spec, layer in cases:
        part = ops.of(spec).record_drawn(spec, 0, [()], input=x, region=Region((9, 17), (13, 20)))
        y = layer(torch.from_numpy(x)[None])[0].numpy()
        assert np.allclose(part.output.values, y[:, :, 9:17, 13:20], rtol=0, atol=1e-12), spec


# the part of a layer too large to compute whole is drawn as the same part of it computed whole
@pytest.mark.parametrize(
    "spec, region",
    [
        # numbers of at most 4 characters, where the rest of the layer writes "0.0625"
        (convgif.UpsampleSpec((2, 3, 12, 12), scale_factor=2, mode="trilinear"), "7:11,3:6"),
        # numbers such as "0.333", wider than the 4 characters the geometries expect: chosen for them
        (convgif.UpsampleSpec((2, 3, 8, 8), scale_factor=1.5, mode="trilinear", align_corners=True), "9:12,8:12"),
        (convgif.UpsampleSpec((3, 4, 9, 9), scale_factor=(0.75, 2, 1.5), mode="nearest"), "10:13,0:4"),
        (ops.operation("ReflectionPad3d").build(input_shape=(2, 3, 10, 10), padding=2), "9:14,1:4"),
        (
            ops.operation("ConstantPad3d").build(input_shape=(2, 3, 8, 8), padding=(1, 0, 2, 1, 1, 1), value=2),
            "0:4,5:9",
        ),
    ],
)
def test_a_layer_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(monkeypatch, spec, region):
    from convgif.ops import args

    normal = convgif.render(spec, io.BytesIO(), max_frames=150, region=region, values=True).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 200)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), max_frames=150, region=region, values=True).data
    assert parted == normal


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return lambda *args: CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_layer_over_the_numbers_computed_whole_renders_its_part_and_a_part_over_memory_is_refused(
    run, tmp_path, monkeypatch
):
    huge = ["--layer", "Upsample", "--in", "2,40,512,512", "--scale-factor", "2", "--mode", "trilinear"]
    assert ops.of(convgif.UpsampleSpec((2, 40, 512, 512), scale_factor=2, mode="trilinear")).draws_parts
    result = run(*huge, "--max-frames", "80", "-o", "u.gif")
    assert result.exit_code == 0, result.output
    assert "80 frames" in result.output and (tmp_path / "u.gif").stat().st_size > 0
    result = run(*huge, "--backward", "-o", "b.gif")  # a backward pass is drawn whole: refused, saying why
    assert (
        result.exit_code == 2 and "'--backward'" in result.output and "backward draws the whole layer" in result.output
    )
    assert "input_shape=(2, 40, 512, 512)" in result.output and not (tmp_path / "b.gif").exists()
    result = run("--layer", "ZeroPad3d", "--in", "4,30,400,400", "--p", "1", "--max-frames", "64", "-o", "z.gif")
    assert result.exit_code == 0, result.output  # its depth padding's slices drawn as the part too
    # a strip of 2×3 outputs: 2 of its cells copy input cells in each of the 30 slices copied,
    # the 2 padding slices a step each
    assert "rows 0–1, columns 0–2" in result.output and "62 frames" in result.output
    pad = ["--layer", "ReplicationPad3d", "--in", "4,30,400,400", "--p", "1", "--max-frames", "64"]
    result = run(*pad, "--region", "100:101,398:400", "-o", "p.gif")
    assert result.exit_code == 0, result.output
    assert "row 100, columns 398–399" in result.output and "64 frames" in result.output

    from convgif.animation import job

    monkeypatch.setattr(job, "memory_bytes", lambda: 10_000)
    result = run(*pad, "--region", "100:101,398:400", "-o", "q.gif")
    assert result.exit_code == 2 and "region=" in result.output and "memory" in result.output
    assert not (tmp_path / "q.gif").exists()


def test_a_padding_too_large_by_its_amounts_is_refused_naming_padding(run):
    # the amounts blamed as given (a padding layer has no "same" to keep): never a traceback
    result = run("--layer", "ZeroPad2d", "--in", "1,10,10", "--p", "3000", "-o", "z.gif")
    assert result.exit_code == 2 and "padding=(3000, 3000, 3000, 3000)" in result.output
