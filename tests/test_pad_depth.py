"""The five 3-D paddings drawn one output depth slice at a time: each slice copies the input
depth slice the loop implementation says (or holds the constant), every step writes the
recording's value (the loop's, torch's) from the cell its frame rings, and every label names
the 3-D layer's slices."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
import reference_layers as ref

import convgif
from convgif import SpecError, ops
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.ops import pad_depth
from convgif.ops.depth_steps import depth_range
from convgif.picture.model import FILLER
from convgif.picture.numbers import format_value
from convgif.picture.shades import scales_of

KINDS = ["ReflectionPad3d", "ReplicationPad3d", "ZeroPad3d", "ConstantPad3d", "CircularPad3d"]
MODES = {"Reflection": "reflect", "Replication": "replicate", "Zero": "constant", "Constant": "constant"}


def mode_of(name: str) -> str:
    return MODES.get(name.split("Pad")[0], "circular")


def random_specs(name: str, count: int, seed: int = 0) -> list:
    """Valid specs of ``name``: amounts asymmetric, negative (cropping) and short, on every axis."""
    rng, specs = random.Random(f"{name}-{seed}"), []
    while len(specs) < count:
        shape = (rng.randint(1, 2), *(rng.randint(1, 4) for _ in range(3)))
        pairs = rng.choice([3, 3, 3] + ([1, 2] if name.startswith(("Zero", "Constant")) else []))
        padding = tuple(rng.randint(-2, 3) for _ in range(2 * pairs))
        extra = {"value": rng.choice([0, 1.5, -2, None, 3])} if name.startswith("Constant") else {}
        try:
            specs.append(ops.operation(name).build(input_shape=shape, padding=padding, **extra))
        except SpecError:
            continue
    return specs


def expected_source(spec, z: int):
    """The input depth output depth ``z`` copies, by the loop implementation (None: the constant)."""
    n, (front, back) = spec.input_shape[1], spec.pads[1]
    return ref._pad_source(z, n, front, back, spec.MODE)


def check_copying_slice(spec, rec, drawn, z: int, d: int, before: int, total: int) -> None:
    c, geometry, playback = spec.in_channels, drawn.geometry, drawn.playback
    assert [geometry.input_text(i) for i in range(c)] == [f"x[{i}, {d}]" for i in range(c)]
    np.testing.assert_array_equal(drawn.grid, rec.input[:, d])
    shown = np.array(drawn.start, float) if drawn.start is not None else np.full(drawn.output.shape, np.nan)
    if drawn.start is not None:  # a constant's padding cells start at it, the copies to come
        shown[drawn.start_empty] = np.nan
        assert (drawn.start[~drawn.start_empty] == spec.fill).all()
    order = []
    for step in range(geometry.steps):
        seen, writes = playback.show(step), playback.advance(step)
        (y,), (x,) = writes[0].rows, writes[0].cols
        _, sy, sx = seen.reads[0].cells[0]
        order.append((y, x))
        assert np.isnan(shown[:, y, x]).all(), "a copy is drawn 'to come' until its step, not as the constant"
        assert seen.text == f"output ({z}, {y}, {x}) copies input ({d}, {sy}, {sx}) · step {before + step + 1}/{total}"
        for w, line in zip(writes, seen.sums):
            value = rec.output[w.channel, z, y, x]
            assert w.values[0, 0] == value == rec.input[w.channel, d, sy, sx]
            assert line == f"y[{w.channel}, {z}, {y}, {x}] = x[{w.channel}, {d}, {sy}, {sx}] = {format_value(value)}"
            shown[w.channel, y, x] = w.values[0, 0]
    assert order == sorted(order) and len(set(order)) == len(order), "row by row, each cell once"
    np.testing.assert_array_equal(shown, rec.output[:, z])


def check_constant_slice(spec, rec, drawn, z: int, before: int, total: int) -> None:
    geometry, playback = drawn.geometry, drawn.playback
    assert geometry.steps == 1 and geometry.notes[-1].endswith("(depth padding)")
    depth = z - spec.pads[1][0]  # a slice of the depth padding, never titled as an index (x[0, -1])
    assert geometry.input_text(0) == f"x[0] pad, depth {depth}".replace("-", "−")
    assert drawn.filler.all() and (drawn.grid == spec.fill).all()
    # the depth padding's plane is the output slice it fills, and its key one swatch of the constant
    assert geometry.grid == geometry.out_size == rec.output.shape[2:] == drawn.grid.shape[1:]
    (key,) = [k for k in scales_of(drawn, values=True).keys if k.role == "input"]
    assert key.items == ((FILLER, format_value(spec.fill)), (None, "padding"))
    seen = playback.show(0)
    assert seen.text == f"depth {z} holds the constant: every cell · step {before + 1}/{total}"
    for w in playback.advance(0):
        np.testing.assert_array_equal(w.values, rec.output[w.channel, z])
        assert (w.values == spec.fill).all()


@pytest.mark.parametrize("name", KINDS)
def test_every_depth_slice_copies_the_slice_the_loop_says_step_by_step(name):
    constant = 0
    for spec in random_specs(name, 20):
        rec = convgif.record(spec, seed=5)
        want = ref.pad(rec.input, spec.padding, spec.MODE, spec.fill)
        np.testing.assert_array_equal(rec.output, want)
        try:
            drawings = ops.of(spec).drawings(spec, rec)
        except SpecError as error:  # a slice whose rows or columns are all the constant: nothing copied
            assert "no input cell is copied" in str(error) and spec.MODE == "constant"
            continue
        dout = spec.output_shape[1]
        assert len(drawings) == dout
        for z, drawn in enumerate(drawings):
            d = expected_source(spec, z)
            # counted through every depth picture
            count = sum(p.geometry.steps for p in drawings[:z]), sum(p.geometry.steps for p in drawings)
            assert drawn.geometry.caption == spec.caption
            assert [drawn.geometry.output_label(i) for i in range(spec.in_channels)] == [
                f"y[{i}, {z}]" for i in range(spec.in_channels)
            ]
            if d is None:
                assert drawn.geometry.notes[-1] == f"depth {z} ({depth_range(dout)}): holds the constant " + (
                    f"{format_value(spec.fill)} (depth padding)"
                )
                check_constant_slice(spec, rec, drawn, z, *count)
                constant += 1
            else:
                assert drawn.geometry.notes[-1] == f"depth {z} ({depth_range(dout)}): copies x[:, {d}]"
                check_copying_slice(spec, rec, drawn, z, d, *count)
    assert constant > 0 or spec.MODE != "constant"


def test_the_slices_drawn_are_torchs_output():
    torch = pytest.importorskip("torch")
    for name in KINDS:
        for spec in random_specs(name, 6, seed=1):
            x = torch.rand(1, *spec.input_shape, dtype=torch.float64)
            extra = [spec.value] if name.startswith("Constant") else []
            want = getattr(torch.nn, name)(spec.padding, *extra)(x)[0].numpy()
            rec = convgif.record(spec, input=x[0].numpy())
            try:
                drawings = ops.of(spec).drawings(spec, rec)
            except SpecError:
                continue
            np.testing.assert_array_equal(np.stack([d.output for d in drawings], axis=1), want)


def test_a_region_draws_the_same_part_of_every_slice():
    spec = convgif.ReflectionPad3dSpec((1, 2, 30, 30), (3, 3, 3, 3, 1, 0))
    job = Job(spec, max_frames=200)
    assert job.region is not None and len(job.drawings) == 3
    rec = job.recording
    for z, drawn in enumerate(job.drawings):
        rows, cols = job.region.rows, job.region.cols
        np.testing.assert_array_equal(drawn.output, rec.output[:, z, slice(*rows), slice(*cols)])
        assert drawn.playback.show(0).text.startswith(f"output ({z}, {rows[0]}, {cols[0]}) copies input ")


def test_a_slice_of_the_depth_padding_in_a_part_draws_the_part_the_copying_slices_draw():
    # a plane larger than a picture holds: every slice, the constant's too, draws the part
    for spec in (convgif.ZeroPad3dSpec((1, 2, 90, 90), 1), convgif.ConstantPad3dSpec((2, 1, 60, 70), 2, value=1.5)):
        job = Job(spec, max_frames=300)
        assert job.region is not None and job.region.cuts(spec.output_shape[2:])
        copying = [g for z, g in enumerate(job.geometries) if pad_depth.source(spec, z) >= 0]
        constant = [g for z, g in enumerate(job.geometries) if pad_depth.source(spec, z) < 0]
        assert copying and constant
        for geometry in constant:  # the part of the depth padding's plane that fills the output's part
            assert geometry.grid == geometry.out_size == copying[0].out_size
            assert geometry.part.input == geometry.part.output == copying[0].part.output
        assert len(list(job.frames())) == job.total
        for z, drawn in enumerate(job.drawings):
            if pad_depth.source(spec, z) < 0:
                assert (drawn.grid == spec.fill).all() and (drawn.output == spec.fill).all()


@pytest.mark.parametrize("values", [False, True])
def test_a_render_plays_every_depth_slice(values):
    for spec in (
        convgif.ZeroPad3dSpec((1, 2, 3, 3), (1, 0, 0, 1, 1, 1)),
        convgif.ConstantPad3dSpec((2, 3, 2, 3), (1, -1, 0, 1, -1, 2), value=2.5),
        convgif.CircularPad3dSpec((1, 3, 3, 3), (1, 2, 0, 1, 2, 1)),
    ):
        job = Job(spec, Look(values=values), max_frames=0)
        assert len(job.drawings) == spec.output_shape[1]
        assert ops.of(spec).facts(spec)["steps"] == job.total  # what `convgif info` says
        assert len(list(job.frames())) == job.total == sum(job.shown)


def test_the_cli_draws_a_3d_padding_as_depth_slices(tmp_path):
    from click.testing import CliRunner

    from convgif.cli import main

    out = tmp_path / "p.gif"
    result = CliRunner().invoke(
        main, ["--layer", "ReflectionPad3d", "--in", "1,3,4,4", "--padding", "1", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"output \(1, 5, 6, 6\) · 0 parameters · 180 frames", result.output)


def test_the_backward_pass_of_a_3d_padding_is_drawn_and_padding_the_channels_refused(tmp_path):
    from click.testing import CliRunner

    from convgif.cli import main

    args = ["--layer", "ZeroPad3d", "--in", "1,2,3,3", "--padding", "1", "--backward", "-o", str(tmp_path / "b.gif")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0 and (tmp_path / "b.gif").exists(), result.output
    args[5] = "1,1,1,1,1,1,1,0"  # the channels too: computed, not drawn
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "pads the channels" in result.output and "Traceback" not in result.output
