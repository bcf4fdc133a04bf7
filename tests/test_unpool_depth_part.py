"""A part of a MaxUnpool3d recorded alone (the region's rows and columns of every output depth
slice, the input cells whose windows reach them, their indices) holds the whole layer's values,
and draws every depth picture as the whole recording draws it."""

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


def _cases(count: int, seed: int):
    """Random three-axis unpoolings with an example (a max pool gives their input) and parts."""
    rng = random.Random(seed)
    found = 0
    while found < count:
        k = tuple(rng.randint(1, 3) for _ in range(3))
        args = {
            "input_shape": (rng.randint(1, 3), *(rng.randint(1, 5) for _ in range(3))),
            "kernel_size": k,
            "stride": tuple(rng.randint(1, 3) for _ in range(3)),
            "padding": tuple(rng.randint(0, n // 2) for n in k),
        }
        try:
            spec = ops.operation("MaxUnpool3d").build(**args)
            _, _, ho, wo = spec.output_shape
            r0, c0 = rng.randrange(ho), rng.randrange(wo)
            region = Region((r0, rng.randint(r0 + 1, ho)), (c0, rng.randint(c0 + 1, wo)), 2)
            ops.of(spec).geometries(spec, region=region)
        except convgif.SpecError:
            continue
        if spec.pool_spec() is not None:
            found += 1
            yield spec, region, rng


def _held(array: PartArray) -> tuple[slice, ...]:
    return tuple(slice(s, s + n) for s, n in zip(array.start, array.values.shape))


@pytest.mark.parametrize("seed", range(3))
def test_a_part_holds_the_whole_layers_values_for_random_layers_and_regions(seed):
    replaced = 0
    for spec, region, rng in _cases(100, seed):
        op = ops.of(spec)
        at = rng.randrange(4)
        whole = op.record(spec, at)
        part = op.record_drawn(spec, at, [()], region=region)
        assert isinstance(part.output, PartArray) and part.output.start == (0, 0, region.rows[0], region.cols[0])
        assert part.output.values.dtype == whole.output.dtype
        cut = (slice(None), slice(None), slice(*region.rows), slice(*region.cols))
        assert np.array_equal(part.output.values, whole.output[cut]), (spec, region)
        for name in ("input", "indices", "kept"):
            held = getattr(part, name)
            assert np.array_equal(held.values, getattr(whole, name)[_held(held)]), (name, spec, region)
        replaced += int((~part.kept.values).sum())
        assert op.part_numbers(spec, region) >= part.output.values.size + part.input.values.size
    assert replaced  # values replaced by a later one at their index: kept decided as the whole layer does


def test_a_part_of_an_input_and_indices_given_is_theirs_and_a_value_from_outside_it_refused():
    spec = convgif.MaxUnpool3dSpec((2, 3, 4, 5), 2)
    whole = ops.of(spec).record(spec, 1)
    x, idx = whole.input.astype(np.float64) / 4, whole.indices.copy()
    region = Region((2, 5), (3, 7), 2)
    given = ops.of(spec).record(spec, input=x, indices=idx)
    part = ops.of(spec).record_drawn(spec, 0, [()], input=x, indices=idx, region=region)
    assert np.array_equal(part.output.values, given.output[:, :, 2:5, 3:7])
    assert np.array_equal(part.input.values, x[_held(part.input)])
    idx[0, 1, 3, 4] = 2 * 10 + 3  # from input row 3 into output row 2, which its window does not cover
    with pytest.raises(convgif.SpecError, match="region: input cell") as refused:
        ops.of(spec).record_drawn(spec, 0, [()], input=x, indices=idx, region=region)
    assert refused.value.argument == "region"


def test_a_part_draws_every_depth_picture_as_the_whole_recording_draws_it():
    for spec, region, _ in _cases(40, 7):
        op = ops.of(spec)
        if not all(n for n in op.geometries(spec, region=region)[0].grid):
            continue  # a part no window reaches: not drawn, whole or not
        pictures = op.drawings(spec, op.record(spec, 2), region=region)
        held = op.drawings(spec, op.record_drawn(spec, 2, [()], region=region), region=region)
        assert len(held) == len(pictures) == spec.input_shape[1]  # one picture per input depth slice
        for a, b in zip(pictures, held):
            assert np.array_equal(a.grid, b.grid) and np.array_equal(a.output, b.output)
            assert np.array_equal(a.start, b.start)  # what the slices before wrote
            assert a.value_chars == b.value_chars
            for step in range(a.geometry.steps_per_column):
                shown, kept = a.playback.show(step), b.playback.show(step)
                assert shown.text == kept.text and shown.sums == kept.sums
                assert [(w.channel, w.values.tolist()) for w in shown.writes] == [
                    (w.channel, w.values.tolist()) for w in kept.writes
                ]


def test_a_part_matches_torch():
    torch = pytest.importorskip("torch")
    spec = convgif.MaxUnpool3dSpec((3, 5, 9, 11), (2, 3, 3), stride=(2, 2, 3), padding=(1, 1, 0))
    whole = ops.of(spec).record(spec, 4)
    x, idx = torch.from_numpy(whole.input[None]).double(), torch.from_numpy(whole.indices[None])
    y = torch.nn.MaxUnpool3d((2, 3, 3), stride=(2, 2, 3), padding=(1, 1, 0))(x, idx, output_size=spec.output_shape[1:])
    for region in (Region((3, 9), (10, 20), 2), Region((0, spec.output_shape[2]), (0, 4), 2)):
        part = ops.of(spec).record_drawn(spec, 4, [()], region=region)
        want = y[0].numpy()[:, :, slice(*region.rows), slice(*region.cols)]
        assert np.array_equal(part.output.values, want)


@pytest.mark.parametrize(
    "spec, region",
    [
        (convgif.MaxUnpool3dSpec((2, 3, 6, 6), 2), "3:8,4:9"),
        (convgif.MaxUnpool3dSpec((1, 4, 5, 5), (2, 3, 3), stride=(2, 2, 2), padding=(0, 1, 1)), "2:5,0:4"),
    ],
)
def test_a_layer_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(monkeypatch, spec, region):
    from convgif.ops import args

    normal = convgif.render(spec, io.BytesIO(), max_frames=400, region=region, values=True).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 200)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), max_frames=400, region=region, values=True).data
    assert parted == normal


def test_a_huge_unpooling_renders_its_part_and_a_part_over_memory_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = convgif.MaxUnpool3dSpec((16, 8, 128, 256), 2)
    assert spec.numbers > 20_000_000

    def run(*args):
        return CliRunner().invoke(main, ["--layer", "MaxUnpool3d", "--in", "16,8,128,256", "--k", "2", *args])

    result = run("--max-frames", "16", "-o", "u.gif")
    assert result.exit_code == 0, result.output
    assert "16 frames" in result.output
    result = run("--max-frames", "32", "--region", "100:101,510:512", "-o", "v.gif")
    assert result.exit_code == 0 and "row 100, columns 510–511" in result.output

    from convgif.animation import job

    monkeypatch.setattr(job, "memory_bytes", lambda: 10_000)
    result = run("--max-frames", "32", "--region", "100:101,510:512", "-o", "w.gif")
    assert result.exit_code == 2 and "region=" in result.output and "memory" in result.output
    assert not (tmp_path / "w.gif").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("MaxUnpool2d", "--in", "1,2,2", "--k", "2", "--output-size", "5,5", "--region", "4:5,4:5"),
        ("MaxUnpool3d", "--in", "1,2,2,2", "--k", "2", "--output-size", "5,5,5", "--region", "4:5,3:5"),
        ("MaxUnpool1d", "--in", "1,3", "--k", "2", "--output-size", "7,", "--region", "6:7"),
    ],
)
def test_a_region_no_window_reaches_is_refused_naming_it(tmp_path, args):
    # its cells stay 0 and no step writes them: before, a traceback
    kind, *rest = args
    result = CliRunner().invoke(main, ["--layer", kind, *rest, "-o", str(tmp_path / "u.gif")])
    assert result.exit_code == 2 and "--region" in result.output and "no pooling window reaches" in result.output
    assert not (tmp_path / "u.gif").exists()
    near = [*rest[:-1], rest[-1].replace("4:5", "0:2").replace("3:5", "0:2").replace("6:7", "0:2")]
    assert CliRunner().invoke(main, ["--layer", kind, *near, "-o", str(tmp_path / "v.gif")]).exit_code == 0
