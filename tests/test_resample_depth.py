"""Upsample and ChannelShuffle over three spatial axes, drawn one output depth slice at a time:
each slice reads the input depths a loop implementation of torch's rules reads, rings the cells
it weighs, its sum lines add up to the values from the cells they outline, the values are
torch's, and a render plays every slice (``convgif info`` counting its frames)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import numpy as np
import pytest
import reference_layers as ref
from click.testing import CliRunner

import convgif
from convgif import SpecError, ops
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.cli import main
from convgif.ops.depth_steps import depth_range
from convgif.picture.numbers import format_value

MODES = ("nearest", "nearest-exact", "trilinear", "area")


def random_upsamples(count: int, seed: int = 0) -> list:
    """Valid three-axis Upsamples: every mode, size or scale_factor (one or per axis),
    align_corners and recompute_scale_factor, small enough to step through whole."""
    rng, specs = random.Random(f"upsample3d-{seed}"), []
    while len(specs) < count:
        mode = rng.choice(MODES)
        case: dict = {"input_shape": (rng.randint(1, 2), *(rng.randint(1, 4) for _ in range(3))), "mode": mode}
        if rng.random() < 0.5:
            factor = rng.choice([2, 2.0, 1.5, 0.5, 3, 1.3, 0.75, 1 / 3, 1])
            if rng.random() < 0.5:
                factor = tuple(rng.choice([2.0, 1.5, 0.6, 1.0, 2.5, 1.7]) for _ in range(3))
            case["scale_factor"] = factor
            if rng.random() < 0.3:
                case["recompute_scale_factor"] = rng.choice([True, False])
        else:
            case["size"] = rng.randint(1, 6) if rng.random() < 0.3 else tuple(rng.randint(1, 6) for _ in range(3))
        if mode == "trilinear" and rng.random() < 0.5:
            case["align_corners"] = rng.choice([True, False])
        try:
            spec = convgif.UpsampleSpec(**case)
        except SpecError:
            continue
        if np.prod(spec.output_shape[1:]) <= 150:
            specs.append(spec)
    return specs


def random_shuffles(count: int, seed: int = 0) -> list:
    rng, specs = random.Random(f"shuffle3d-{seed}"), []
    while len(specs) < count:
        groups = rng.randint(1, 6)
        channels = groups * rng.randint(1, 6 // groups)
        shape = (channels, *(rng.randint(1, 4) for _ in range(3)))
        specs.append(convgif.ChannelShuffleSpec(shape, groups))
    return specs


def reads(spec, axis: int, i: int) -> list[tuple[int, float]]:
    """What output position ``i`` of ``axis`` reads, by the loop implementation of torch's rules
    (the taps of weight 0 left out)."""
    n, m = spec.input_shape[axis + 1], spec.output_shape[axis + 1]
    found = ref._axis_reads(i, n, m, spec.mode, spec.corners, spec.kernel_factors[axis], 3)
    return [(j, w) for j, w in found if w != 0] or found[:1]


def _terms(expression: str) -> tuple[list[str], list[float]]:
    """The values and the weights an entry of the sum line writes: a number followed by ``·``
    is a weight, any other a value."""
    numbers = re.findall(r"(\d+(?:\.\d+)?)(·?)", expression)
    return [n for n, dot in numbers if not dot], [float(n) for n, dot in numbers if dot]


def check_upsample_slice(spec, rec, z: int, drawn) -> None:
    """Picture ``z``: the slices drawn, every step's rings, writes, step line and sum line."""
    c, _, ho, wo = spec.output_shape
    depth_reads = reads(spec, 0, z)
    depths = list(dict.fromkeys(d for d, _ in depth_reads))
    k, geometry = len(depths), drawn.geometry
    assert [geometry.input_text(i) for i in range(c * k)] == [f"x[{i // k}, {depths[i % k]}]" for i in range(c * k)]
    assert geometry.output_label(c - 1) == f"y[{c - 1}, {z}]"
    note = geometry.notes[-1]
    assert note.startswith(f"depth {z} ({depth_range(spec.output_shape[1])}): y[:, {z}] ") and all(
        f"x[:, {d}]" in note for d in depths
    )
    np.testing.assert_array_equal(drawn.grid, rec.input[:, depths].reshape(c * k, *spec.input_shape[2:]))
    np.testing.assert_array_equal(drawn.output, rec.output[:, z])
    written = np.full(drawn.output.shape, np.nan)
    assert geometry.steps == ho * wo
    for step in range(geometry.steps):
        oy, ox = divmod(step, wo)
        writes, shown = drawn.playback.advance(step), drawn.playback.show(step)
        verb = "averages input" if spec.mode == "area" else "from source"
        assert shown.text.startswith(f"output ({z}, {oy}, {ox}) {verb} (") and shown.text.endswith(
            f" · step {z * ho * wo + step + 1}/{spec.output_shape[1] * ho * wo}"  # counted through every slice
        )
        for write in writes:
            written[write.channel, write.rows[0], write.cols[0]] = write.values[0, 0]
        row_reads, col_reads = reads(spec, 1, oy), reads(spec, 2, ox)
        wanted = {(depths.index(d), j, i) for d, _ in depth_reads for j, _ in row_reads for i, _ in col_reads}
        for ch in range(c):
            cells = shown.reads[ch].cells
            ringed = {(int(s) - ch * k, int(j), int(i)) for s, j, i in cells}
            assert ringed == wanted, (spec, z, step)
            value = rec.output[ch, z, oy, ox]
            head, expression = f"y[{ch}, {z}, {oy}, {ox}] = ", shown.sums[ch]
            assert expression.startswith(head) and expression.endswith(f" = {format_value(value)}")
            expression = expression[len(head) : -len(f" = {format_value(value)}")]
            # the values written, in order, are those of the cells outlined: depth, row, column
            outlined = [
                format_value(drawn.grid[ch * k + depths.index(d), j, i])
                for d, _ in depth_reads
                for j, _ in row_reads
                for i, _ in col_reads
            ]
            if len(outlined) == 1 and "·" not in expression:
                ((d, _),), ((j, _),), ((i, _),) = depth_reads, row_reads, col_reads
                assert expression == f"x[{ch}, {d}, {j}, {i}]"
                assert format_value(rec.input[ch, d, j, i]) == format_value(value)
                continue
            if spec.mode == "area":
                assert expression == f"({' + '.join(outlined)}) / {len(outlined)}"
                assert np.mean([float(v) for v in outlined]) == pytest.approx(float(value), abs=1e-9)
                continue
            values, weights = _terms(expression)
            assert values == outlined, (expression, outlined)
            every = {round(w, 12) for r in (depth_reads, row_reads, col_reads) for _, w in r}
            assert all(any(abs(w - e) <= 6e-4 * max(e, 1e-3) + 5e-4 for e in every) for w in weights), expression
            arithmetic = expression.replace("·", "*").replace("−", "-")
            assert re.fullmatch(r"[0-9.*+\- ()]+", arithmetic), expression
            assert eval(arithmetic) == pytest.approx(float(value), rel=5e-3, abs=5e-3), expression
    np.testing.assert_array_equal(written, rec.output[:, z])


@pytest.mark.parametrize("seed", range(4))
def test_every_upsample_depth_slice_reads_torchs_cells_and_its_sums_add_up(seed):
    for n, spec in enumerate(random_upsamples(60, seed)):
        rec = convgif.record(spec, seed=n)
        want = ref.interpolate(rec.input, spec.output_shape[1:], spec.mode, spec.corners, spec.kernel_factors)
        np.testing.assert_allclose(rec.output, want, rtol=1e-12, atol=1e-12)
        drawings = ops.of(spec).drawings(spec, rec)
        assert len(drawings) == spec.output_shape[1]
        for z, drawn in enumerate(drawings):
            check_upsample_slice(spec, rec, z, drawn)


def test_every_channel_shuffle_depth_slice_is_the_shuffle_of_its_input_slice():
    for n, spec in enumerate(random_shuffles(80)):
        rec = convgif.record(spec, seed=n)
        np.testing.assert_array_equal(rec.output, ref.channel_shuffle(rec.input, spec.groups))
        c, depth = spec.input_shape[:2]
        per = c // spec.groups
        sources = [(j % spec.groups) * per + j // spec.groups for j in range(c)]  # torch's rule
        drawings = ops.of(spec).drawings(spec, rec)
        assert len(drawings) == depth
        for z, drawn in enumerate(drawings):
            geometry = drawn.geometry
            assert [geometry.input_text(i) for i in range(c)] == [f"x[{i}, {z}]" for i in range(c)]
            assert [geometry.output_label(j) for j in range(c)] == [f"y[{j}, {z}]" for j in range(c)]  # in order
            assert [geometry.out_group(j) for j in range(c)] == sources and geometry.lines_cross
            assert (
                geometry.notes[-1] == f"depth {z} ({depth_range(depth)}): y[:, {z}] is the channel shuffle of x[:, {z}]"
            )
            np.testing.assert_array_equal(drawn.grid, rec.input[:, z])
            assert geometry.steps == c
            for j in range(c):
                (write,) = drawn.playback.advance(j)
                shown = drawn.playback.show(j)
                assert shown.text.startswith(f"depth {z}: output channel {j} copies input channel {sources[j]} ")
                assert shown.sums == (f"y[{j}, {z}] = x[{sources[j]}, {z}]",)
                assert write.channel == j and shown.trail == tuple(range(j))  # y[j, z] in its own place
                np.testing.assert_array_equal(write.values, rec.output[j, z])
                np.testing.assert_array_equal(drawn.output[j], rec.output[j, z])


def test_the_depth_notes_say_which_depths_a_slice_reads_and_why():
    x = np.arange(8.0).reshape(1, 2, 2, 2)
    spec = convgif.UpsampleSpec((1, 2, 2, 2), scale_factor=2, mode="trilinear")
    notes = [g.notes[-1] for g in ops.of(spec).geometries(spec)]
    # source depth (z + 0.5)/2 − 0.5: −0.25 (clamped to 0), 0.25, 0.75, 1.25 (past the last depth 1)
    assert notes[0] == (
        "depth 0 (of 0–3): y[:, 0] = bilinear of x[:, 0]; source depth (0 + 0.5)/2 − 0.5 = −0.25, at least 0: 0"
    )
    assert notes[1] == (
        "depth 1 (of 0–3): y[:, 1] = 0.75·(bilinear of x[:, 0]) + 0.25·(bilinear of x[:, 1]); "
        "source depth (1 + 0.5)/2 − 0.5 = 0.25"
    )
    assert notes[3] == (
        "depth 3 (of 0–3): y[:, 3] = 0.75·(bilinear of x[:, 1]) + 0.25·(bilinear of x[:, 1]); "
        "source depth (3 + 0.5)/2 − 0.5 = 1.25; both taps read the last depth 1"
    )
    (_, one, *_) = ops.of(spec).drawings(spec, convgif.record(spec, input=x))
    # output (1, 1, 1): 0.25 on every axis, so 0.75 of the lower cell and 0.25 of the upper, thrice
    assert one.playback.show(5).sums[0] == (
        "y[0, 1, 1, 1] = 0.75·(0.75·(0.75·0 + 0.25·1) + 0.25·(0.75·2 + 0.25·3)) "
        "+ 0.25·(0.75·(0.75·4 + 0.25·5) + 0.25·(0.75·6 + 0.25·7)) = 1.75"
    )
    nearest = convgif.UpsampleSpec((1, 2, 3, 3), scale_factor=(1.5, 1, 1))
    assert [g.notes[-1] for g in ops.of(nearest).geometries(nearest)] == [
        "depth 0 (of 0–2): y[:, 0] copies its cells from x[:, 0]; source depth floor(0/1.5) = floor(0) = 0",
        "depth 1 (of 0–2): y[:, 1] copies its cells from x[:, 0]; source depth floor(1/1.5) = floor(0.6667) = 0",
        "depth 2 (of 0–2): y[:, 2] copies its cells from x[:, 1]; source depth floor(2/1.5) = floor(1.333) = 1",
    ]
    corners = convgif.UpsampleSpec((1, 3, 2, 2), size=(5, 2, 2), mode="trilinear", align_corners=True)
    assert ops.of(corners).geometries(corners)[1].notes[-1] == (
        "depth 1 (of 0–4): y[:, 1] = 0.5·(bilinear of x[:, 0]) + 0.5·(bilinear of x[:, 1]); source depth 1·2/4 = 0.5"
    )
    area = convgif.UpsampleSpec((1, 5, 1, 1), size=(2, 1, 1), mode="area")  # depths 0–2 and 2–4
    assert [g.notes[-1] for g in ops.of(area).geometries(area)] == [
        "depth 0 (of 0–1): y[:, 0] averages over x[:, 0], x[:, 1], x[:, 2]; input depths floor(0·5/2) to ceil(1·5/2) − 1",
        "depth 1 (of 0–1): y[:, 1] averages over x[:, 2], x[:, 3], x[:, 4]; input depths floor(1·5/2) to ceil(2·5/2) − 1",
    ]
    edge = convgif.UpsampleSpec((1, 2, 1, 1), scale_factor=1.5, mode="trilinear")  # source 1.167 on 2 depths
    assert ops.of(edge).geometries(edge)[2].notes[-1].endswith("; both taps read the last depth 1")


def test_the_slices_drawn_are_torchs_output():
    torch = pytest.importorskip("torch")
    for n, spec in enumerate(random_upsamples(40, seed=9)):
        rec = convgif.record(spec, seed=n)
        layer = torch.nn.Upsample(
            size=spec.size,
            scale_factor=spec.scale_factor,
            mode=spec.mode,
            align_corners=spec.align_corners,
            recompute_scale_factor=spec.recompute_scale_factor,
        )
        want = layer(torch.from_numpy(rec.input[None]).double())[0].numpy()
        drawn = np.stack([d.output for d in ops.of(spec).drawings(spec, rec)], axis=1)
        np.testing.assert_allclose(drawn, want, rtol=1e-12, atol=1e-12, err_msg=str(spec))
    for spec in random_shuffles(20, seed=9):
        rec = convgif.record(spec, seed=1)
        want = torch.nn.ChannelShuffle(spec.groups)(torch.from_numpy(rec.input[None]))[0].numpy()
        drawn = np.stack([d.output for d in ops.of(spec).drawings(spec, rec)], axis=1)
        np.testing.assert_array_equal(drawn, want)  # in the output's order


@pytest.mark.parametrize("values", [False, True])
def test_a_render_plays_every_depth_slice(values):
    for spec in (
        convgif.UpsampleSpec((1, 2, 2, 3), scale_factor=2, mode="trilinear"),
        convgif.UpsampleSpec((2, 3, 2, 2), size=(2, 3, 3), mode="nearest-exact"),
        convgif.UpsamplingNearest2dSpec((1, 2, 2, 2), scale_factor=1.5),
        convgif.ChannelShuffleSpec((4, 3, 2, 2), 2),
    ):
        job = Job(spec, Look(values=values), max_frames=0)
        assert len(job.drawings) == spec.output_shape[1]
        assert ops.of(spec).facts(spec)["steps"] == job.total  # what `convgif info` says
        assert len(list(job.frames())) == job.total == sum(job.shown)


def test_a_region_draws_the_same_part_of_every_slice():
    spec = convgif.UpsampleSpec((1, 2, 12, 12), scale_factor=2, mode="trilinear")
    job = Job(spec, max_frames=300)
    assert job.region is not None
    rows, cols = job.region.rows, job.region.cols
    for z, drawn in enumerate(job.drawings):
        np.testing.assert_array_equal(drawn.output, job.recording.output[:, z, slice(*rows), slice(*cols)])


@pytest.mark.parametrize(
    "line, look",
    [
        ("--layer Upsample --in 2,3,3,3 --scale-factor 2 --mode trilinear", ""),
        ("--layer Upsample --in 1,2,3,3 --size 3,5,5 --mode trilinear --align-corners", "--values"),
        ("--layer Upsample --in 1,2,2,3 --scale-factor 1.5,2,2 --recompute-scale-factor", ""),
        ("--layer Upsample --in 1,3,2,2 --scale-factor 0.7 --mode nearest-exact", "--theme dark"),
        ("--layer ChannelShuffle --in 6,2,3,3 --g 3", "--values"),
    ],
)
def test_the_cli_draws_them_and_info_counts_the_frames(line, look, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, [*line.split(), *look.split(), "-o", str(tmp_path / "layer.gif")])
    assert result.exit_code == 0, result.output
    frames = int(re.search(r"([\d,]+) frames", result.output).group(1).replace(",", ""))
    info = runner.invoke(main, ["info", *line.split(), "--json"])
    assert info.exit_code == 0, info.output
    facts = json.loads(info.output)
    assert facts["frames"] == frames == facts["steps"]


def test_too_many_channels_are_refused_naming_the_layer_forward_and_backward():
    runner = CliRunner()
    for backward in ([], ["--backward"]):
        result = runner.invoke(main, ["--layer", "ChannelShuffle", "--in", "8,2,3,3", "--g", "2", *backward, "-o", "-"])
        assert result.exit_code == 2 and "input_shape=(8, 2, 3, 3) has 8 channels" in result.output
        assert "Traceback" not in result.output


def test_the_readme_quotes_the_note_a_render_writes():
    readme = " ".join((Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8").split())
    quoted = re.search(r"`(y\[:, 1\] = 0\.75·\(bilinear[^`]*)`", readme)[1]
    spec = convgif.UpsampleSpec((1, 2, 3, 3), scale_factor=2, mode="trilinear")  # the README's example
    note = ops.of(spec).geometries(spec)[1].notes[-1]
    assert f": {quoted}; source depth (1 + 0.5)/2 − 0.5 = 0.25" in note
    assert "source depth (1 + 0.5)/2 − 0.5 = 0.25" in readme


@pytest.mark.parametrize("values", [False, True])
def test_every_step_writes_its_first_sum_whole(values):
    """Each step's first entry of the sum line is drawn whole: every weight and value on screen."""
    from convgif.picture.overlay import _fit_lines

    for spec in (
        convgif.UpsampleSpec((2, 3, 3, 3), size=(4, 5, 7), mode="trilinear"),
        convgif.UpsampleSpec((1, 3, 2, 2), scale_factor=1.7, mode="trilinear", align_corners=True),
        convgif.UpsampleSpec((2, 5, 4, 4), size=(2, 2, 2), mode="area"),
        convgif.UpsampleSpec((3, 2, 2, 2), scale_factor=(1.5, 2, 2.5), mode="nearest-exact"),
    ):
        job = Job(spec, Look(values=values), max_frames=0)
        for drawn, steps, layout in zip(job.drawings, job.shown, job.layouts):
            for step in range(steps):
                drawn.playback.advance(step)
                entries = drawn.playback.show(step).sums_drawn(layout.outputs)
                lines = " ".join(_fit_lines(entries, layout.sum_width, layout.sum_lines)).replace(" ", "")
                assert entries[0].replace(" ", "") in lines, (spec, entries[0])
