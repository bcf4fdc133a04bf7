"""The backward pictures of Conv3d, ConvTranspose3d (one depth slice at a time) and
ConvTranspose1d (as its one-row ConvTranspose2d): on random layers every step played in order,
every sum line's value the sum of the products of the cells it reads (and the part drawn and the
part not drawn adding up to it), and the gradients the pictures end with equal to
``record(grad_output=...)``'s (which tests/test_backward.py checks against torch's autograd)."""

from __future__ import annotations

import json
import math
import random
import re

import numpy as np
import pytest
from click.testing import CliRunner
from grouped_steps import check_steps

import convgif
from convgif import SpecError, ops
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.cli import main
from convgif.picture.model import shown

KINDS = ("Conv3d", "ConvTranspose3d", "ConvTranspose1d")
#: Random layers per kind, each played step by step with and without values.
CASES = {"Conv3d": 100, "ConvTranspose3d": 80, "ConvTranspose1d": 80}


def _size(rng: random.Random, dims: int, low: int, high: int):
    return rng.randint(low, high) if rng.random() < 0.5 else tuple(rng.randint(low, high) for _ in range(dims))


def random_layer(rng: random.Random, name: str):
    """A random spec of kind ``name`` (None where the spec refuses it)."""
    dims = int(name[-2])
    g = rng.choice([1, 1, 2])
    shape = (g * rng.randint(1, 2), *(rng.randint(1 if "Transpose" in name else 2, 4) for _ in range(dims)))
    kw = dict(
        out_channels=g * rng.randint(1, 2),
        kernel_size=_size(rng, dims, 1, 3),
        stride=_size(rng, dims, 1, 3),
        dilation=_size(rng, dims, 1, 2),
        groups=g,
        bias=rng.random() < 0.7,
    )
    if "Transpose" in name:
        kw.update(padding=_size(rng, dims, 0, 2), output_padding=_size(rng, dims, 0, 1))
    else:
        roll = rng.random()
        kw["padding"] = "same" if roll < 0.15 else "valid" if roll < 0.2 else _size(rng, dims, 0, 2)
        if kw["padding"] == "same":
            kw["stride"] = 1
        kw["padding_mode"] = rng.choice(["zeros", "zeros", "reflect", "replicate", "circular"])
        if roll > 0.9 and kw["padding_mode"] != "zeros":
            kw["padding"] = rng.choice([-1, (0, -1, 1)])
    try:
        return ops.operation(name).build(input_shape=shape, **kw)
    except SpecError:
        return None


def layers(name: str, count: int, seed: int = 0):
    rng = random.Random(f"{name}-{seed}")
    made = []
    while len(made) < count:
        spec = random_layer(rng, name)
        if spec is not None and math.prod(spec.output_shape) <= 200:
            made.append(spec)
    return made


def values(generator: np.random.Generator, spec, whole: bool) -> dict:
    op = ops.of(spec)
    draw = (lambda s: generator.integers(-2, 4, s)) if whole else (lambda s: generator.normal(size=s).round(2))
    found = {"input": draw(spec.input_shape), "weight": draw(op.weight_shape(spec))}
    if spec.bias:
        found["bias"] = draw((spec.out_channels,))
    return found


def number(text: str) -> float:
    return float(text.replace("−", "-"))


def check_sum(drawn, shown_step, entry: str, co: int, exact: bool) -> None:
    """A sum line entry of a convolution picture: its value that of the output cell written, the
    products of the cells the step reads adding up to it (and its parts, when some slices of a
    group are not drawn)."""
    geometry = drawn.geometry
    group = co // geometry.out_per_group
    cells = shown_step.reads[group].cells
    kernel = np.asarray(drawn.kernels[drawn.kernel_row(co)]).ravel()
    products = drawn.grid[tuple(cells.T)] * kernel
    body = re.sub(r" \([^()]*not drawn\)$", "", entry)
    written = body.rsplit(" = ", 1)[1]
    value = number(written)
    close = (lambda a, b: a == b) if exact else (lambda a, b: abs(a - b) <= 6e-3 * max(1.0, abs(b)))  # 3 digits written
    assert close(value, products.sum()), (entry, products.sum())
    if "not drawn" in entry:
        a, b = body.rsplit(" = ", 2)[1].split(" + ")
        first = geometry.in_per_group * group
        mine = cells[:, 0] - first < len(shown(geometry)[0])
        parts = abs(number(a)) + abs(number(b))  # each part written to 3 digits
        assert close(number(a), products[mine].sum()), entry
        total = number(a) + number(b)
        # each of the three numbers written to 3 digits: off by up to half a unit of its last
        assert total == value if exact else abs(total - value) <= 6e-3 * max(1, parts + abs(value)), entry


def play(drawn, steps: int, exact: bool) -> np.ndarray:
    """The output as the steps write it, each step's sum lines checked."""
    canvas = np.full(np.shape(drawn.output), np.nan)
    for step in range(steps):
        for write in drawn.playback.advance(step):
            canvas[write.channel][np.ix_(write.rows, write.cols)] = write.values
        step_shown = drawn.playback.show(step)
        assert step_shown.text and step_shown.sums
        for entry, co in zip(step_shown.sums, step_shown.sum_channels):
            if drawn.kernels is not None:
                check_sum(drawn, step_shown, entry, co, exact)
            elif entry.startswith("db"):  # every cell of the channel's grids read: its depth slices
                cells = step_shown.reads[co].cells
                assert len(cells) == drawn.grid[0].size * drawn.grid.shape[0] // len(drawn.output)
                assert number(entry.rsplit(" = ", 1)[1]) == pytest.approx(drawn.grid[tuple(cells.T)].sum()), entry
            elif drawn.geometry.input_name == "dxp" and "cropped" not in entry:  # a padding's copies folded back
                cells = step_shown.reads[co].cells
                value = 0 if entry.endswith("no padded cell holds it") else number(entry.rsplit(" = ", 1)[1])
                assert value == pytest.approx(drawn.grid[tuple(cells.T)].sum(), rel=6e-3, abs=1e-9), entry
                assert entry.count("dxp[") in (0, len(cells)) and value == pytest.approx(
                    drawn.output[co].flat[step], rel=6e-3, abs=1e-9
                )
            else:  # a depth slice nothing reaches
                assert entry.endswith(", :, :] = 0") and not drawn.output[co].any(), entry
    return canvas


def index(label: str) -> tuple[int, ...]:
    """``x[0, 2]`` -> (0, 2); a slice outside the depths, ``x[0] pad, depth −1`` -> (0, -1)."""
    outside = re.fullmatch(r"\w+\[(\d+)\] (?:pad|cropped), depth (−?\d+)", label)
    if outside:
        return int(outside.group(1)), int(outside.group(2).replace("−", "-"))
    return tuple(int(v) for v in label[label.index("[") + 1 : -1].split(","))


def check_labels(spec, job) -> None:
    """Each input slice and kernel drawn holds what its label names: ``dy[co, o]`` its cells
    (between the zeros inserted or around it), ``w[co, ci, kz]`` the weight's slice (turned 180°
    for a Conv3d's dx), ``x[ci, d]`` the input's; a label outside the depths names zeros."""
    rec = job.recording
    arrays = {"dy": rec.grad_output, "x": rec.input, "w": rec.weight}
    for drawn in job.drawings:
        geometry = drawn.geometry
        if drawn.kernels is None:
            continue
        for c in range(geometry.in_channels):
            label = geometry.input_text(c)
            array, (ch, d) = arrays[label.split("[")[0]], index(label)
            own = ~drawn.filler[c]
            if not 0 <= d < array.shape[1]:  # a depth of the padding: zeros, or the copies of a slice
                assert not own.any() and (drawn.copies or not drawn.grid[c].any()), label
                continue
            rows, cols = own.any(axis=1).sum(), own.any(axis=0).sum()
            plane = array[ch, d]  # the cells drawn: all of it, or a block where padding cropped it
            blocks = [
                plane[a : a + rows, b : b + cols].ravel()
                for a in range(plane.shape[0] - rows + 1)
                for b in range(plane.shape[1] - cols + 1)
            ]
            assert any(np.array_equal(drawn.grid[c][own], block) for block in blocks), label
            for j in range(geometry.out_per_group):
                co = c // geometry.in_per_group * geometry.out_per_group + j
                kernel = drawn.kernels[drawn.kernel_row(co), c % geometry.in_per_group]
                name = geometry.kernel_label(c, j)
                want = arrays[name.split("[")[0]][index(name)]
                if name.startswith("w") and spec.DIMS == 3 and "Transpose" not in type(spec).__name__:
                    want = want[::-1, ::-1]
                np.testing.assert_array_equal(kernel, want, err_msg=name)


def gradients(spec, job) -> dict:
    """The gradients the pictures end with, placed where their labels say."""
    rec = job.recording
    found = {name: np.full(np.shape(grad), np.nan) for name, grad in (("dx", rec.grad_input), ("dw", rec.grad_weight))}
    for drawn in job.drawings:
        geometry = drawn.geometry
        name = geometry.output_name
        if name == "dxp":  # the padded input's gradient, folded back onto dx by the pictures after it
            continue
        if name == "db":
            found["db"] = np.ravel(drawn.output)
            continue
        for co in range(geometry.out_channels):
            at = index(geometry.output_label(co))
            cells = np.asarray(drawn.output[co])
            if spec.DIMS == 1:
                cells = cells[0]
            found[name][at] = cells
    return found


@pytest.mark.parametrize("name", KINDS)
def test_the_pictures_add_up_and_end_with_the_gradients(name):
    generator = np.random.default_rng(len(name))
    for case, spec in enumerate(layers(name, CASES[name])):
        whole = case % 3 != 2
        given = values(generator, spec, whole)
        job = Job(spec, view={"backward": True}, max_frames=10**6, **given, grad_output=True)
        for drawn, steps in zip(job.drawings, job.shown):
            assert steps == drawn.geometry.steps
            written = play(drawn, steps, whole)
            np.testing.assert_allclose(written, drawn.output, err_msg=str(spec))
        if case % 2:  # with values: fewer kernel columns may be drawn, each step's sums checked
            look = Job(spec, Look(values=True), {"backward": True}, max_frames=10**6, **given, grad_output=True)
            for drawn, steps in zip(look.drawings, look.shown):
                play(drawn, steps, whole)
        if spec.DIMS == 3:
            check_labels(spec, job)
        rec = job.recording
        found = gradients(spec, job)
        close = np.testing.assert_array_equal if whole else np.testing.assert_allclose
        close(found["dx"], rec.grad_input, err_msg=str(spec))
        close(found["dw"], rec.grad_weight, err_msg=str(spec))
        if spec.bias:
            close(found["db"], rec.grad_bias, err_msg=str(spec))
        else:
            assert "db" not in found


def test_a_conv3d_slice_reads_the_dy_depths_its_note_names_and_a_slice_no_output_read_is_zero():
    spec = convgif.Conv3dSpec((1, 5, 3, 3), 1, (2, 1, 1), stride=(2, 1, 1))  # depth 4 read by no window
    job = Job(spec, view={"backward": True}, grad_output=True)
    notes = [d.geometry.notes[-1] for d in job.drawings]
    assert notes[0].startswith("depth 0 (of 0–4): dx[:, 0] gathers dy[:, o]·w[:, :, dz] for (o, dz) = (0, 0)")
    assert notes[1].endswith("(o, dz) = (0, 1): o·2 − 0 + dz·1 = 1")
    assert notes[4] == "depth 4 (of 0–4): dx[:, 4] = 0: no output depth read x[:, 4]"
    assert not job.drawings[4].output.any() and job.drawings[4].geometry.steps == 1
    labels = [job.drawings[2].geometry.input_text(c) for c in range(job.drawings[2].geometry.in_channels)]
    assert labels == ["dy[0, 1]"]
    assert job.drawings[5].geometry.output_label(0) == "dw[0,0,0]"


def test_a_padding_that_copies_cells_folds_each_copys_gradient_back_onto_its_cell():
    spec = convgif.Conv3dSpec((1, 2, 3, 3), 1, 2, padding=1, padding_mode="reflect", bias=False)
    job = Job(spec, view={"backward": True}, grad_output=True)
    names = [d.geometry.output_name for d in job.drawings]
    assert names == ["dxp"] * 4 + ["dx"] * 2 + ["dw"] * 2  # padded depths 0..3, then x's two depths
    fold = job.drawings[4]
    assert (
        fold.geometry.notes[-1] == "depth 0 (of 0–1): dx[:, 0] gathers dxp[:, p] for p = 1, 3: x[:, 0] and its copies"
    )
    assert [fold.geometry.input_text(c) for c in range(2)] == ["dxp[0, 1]", "dxp[0, 3]"] and fold.copies
    corner = fold.playback.show(0).sums[0]  # reflect: x[0, 0, 0, 0] only at padded (1, 1, 1) and its copy (3, 1, 1)
    assert corner.startswith("dx[0, 0, 0, 0] = dxp[0, 1, 1, 1] + dxp[0, 3, 1, 1] = "), corner
    middle = fold.playback.show(4).sums[0]  # x[0, 0, 1, 1]: padded rows and columns 0, 2, 4 of depths 1, 3
    assert len(fold.playback.show(4).reads[0].cells) == 18 and middle.count(" + ") + middle.count(" − ") == 17
    np.testing.assert_allclose(np.stack([d.output for d in job.drawings[4:6]], axis=1), job.recording.grad_input)


@pytest.mark.parametrize(
    "line",
    [
        "--layer Conv3d --in 2,3,4,4 --out 2 --k 2 --s 2 --p 1",
        "--layer Conv3d --in 2,3,3,3 --out 2 --k 3 --g 2 --p same --no-bias",
        "--layer Conv3d --in 1,2,3,3 --k 2 --p 1 --padding-mode circular",
        "--layer ConvTranspose3d --in 2,2,2,2 --out 2 --k 2 --s 2 --p 1 --output-padding 1",
        "--layer ConvTranspose1d --in 2,4 --k 3 --s 2 --p 1 --output-padding 1",
    ],
)
def test_the_command_draws_it_and_info_counts_its_steps(line, tmp_path):
    from PIL import Image

    runner = CliRunner()
    result = runner.invoke(main, [*line.split(), "--backward", "-q", "-o", str(tmp_path / "b.gif")])
    assert result.exit_code == 0, result.output
    info = runner.invoke(main, ["info", *line.split(), "--backward", "--json"])
    assert info.exit_code == 0, info.output
    facts = json.loads(info.output)
    with Image.open(tmp_path / "b.gif") as gif:
        assert facts["frames"] == gif.n_frames
    assert facts["steps"] == facts["frames"] and "backward_formulas" in facts


def test_a_conv_transpose1d_is_drawn_as_one_row_named_as_the_1d_layer():
    spec = convgif.ConvTranspose1dSpec((2, 4), 2, 3, stride=2, padding=1, output_padding=1)
    job = Job(spec, view={"backward": True}, grad_output=True)
    dx, dw, db = job.drawings
    assert all(d.geometry.caption == spec.caption and d.geometry.dims == 1 for d in job.drawings)
    assert dx.geometry.grid[0] == 1 and dx.geometry.output_label(1) == "dx[1]"
    assert dw.geometry.output_label(0) == "dw[0,0]" and "padding=(1,)" in " ".join(dx.geometry.notes)
    assert "(C_in, C_out/G, K)" in " ".join(dx.geometry.notes) and "stride 2 and dilation 1" in dx.geometry.notes[0]
    step = dw.playback.show(0)
    assert step.sums[0].startswith("dw[0, 0, 0] = Σ x·dy = "), step.sums
    assert dx.playback.show(0).text.startswith("dx[0] · (0,) · step 1/")


@pytest.mark.parametrize(
    "spec, look",
    [
        (
            ops.operation("Conv3d").build(input_shape=(8, 2, 5, 5), out_channels=8, kernel_size=2, groups=4),
            {"values": True},
        ),
        (
            ops.operation("Conv3d").build(
                input_shape=(6, 2, 4, 4), out_channels=6, kernel_size=2, groups=3, padding=1, padding_mode="reflect"
            ),
            {},
        ),
        (ops.operation("ConvTranspose3d").build(input_shape=(8, 2, 3, 3), out_channels=8, kernel_size=2, groups=4), {}),
    ],
    ids=repr,
)
def test_a_grouped_slices_step_line_names_what_it_writes_in_the_groups_not_drawn(spec, look):
    """Each depth slice of dx (dxp) and each kernel depth of dw writes, at a step, one grid in
    each of its groups, drawn or not: the step line names those not drawn too (past two, how
    many: groups for dx, input channels for dw), within the room its layout keeps."""
    job = Job(spec, Look(**look), {"backward": True}, max_frames=0)
    named, counted = check_steps(spec, job)
    assert named + counted, "no picture left a group out"


def test_a_3d_db_draws_each_depth_slice_of_dy_as_a_grid_of_its_own():
    """db reads every depth slice of a channel's dy: each drawn apart, labelled dy[c, o], as
    the other pictures draw the slices, not stacked into one grid that reads as one map."""
    spec = convgif.Conv3dSpec((1, 3, 4, 4), 2, 2)
    job = Job(spec, view={"backward": True}, grad_output=True)
    db, layout = job.drawings[-1], job.layouts[-1]
    dy = job.recording.grad_output
    c, do, ho, wo = dy.shape
    assert db.geometry.output_name == "db" and db.grid.shape == (c * do, ho, wo) == (4, 3, 3)
    assert [db.geometry.input_text(i) for i in range(c * do)] == ["dy[0, 0]", "dy[0, 1]", "dy[1, 0]", "dy[1, 1]"]
    np.testing.assert_array_equal(db.grid.reshape(dy.shape), dy)
    assert sorted(layout.inputs) == list(range(c * do))  # every slice its own grid
    tops = sorted(y for _, y in layout.inputs.values())
    assert all(b - a > ho * layout.cell for a, b in zip(tops, tops[1:]))  # apart, with room for a label
    reads = db.playback.show(0).reads
    assert {int(i) for i in reads[1].cells[:, 0]} == {2, 3}  # db[1] reads both of channel 1's slices


def test_3d_pictures_draw_x_and_dy_whole():
    """A Conv3d's dw draws each padded depth slice of x whole (the cells no window reads marked
    never read), and a ConvTranspose3d's dx and dw draw dy with output_padding's cells past
    the canvas: each slice has the size it has in the forward pass."""
    spec = convgif.Conv3dSpec((1, 3, 6, 6), 1, 3, stride=2, padding=1)
    job = Job(spec, view={"backward": True}, grad_output=True)
    padded = job.recording.forward.padded
    for drawn in job.drawings:
        if drawn.geometry.output_name != "dw":
            continue
        assert drawn.geometry.grid == padded.shape[2:] == drawn.grid.shape[1:]
        for plane in drawn.grid:
            assert any(np.array_equal(plane, padded[0, q]) for q in range(padded.shape[1]))
        assert drawn.unread is not None and drawn.unread[-1].all() and drawn.unread[:, -1].all()
    spec = convgif.ConvTranspose3dSpec((1, 2, 2, 2), 1, 2, stride=2, output_padding=1)
    job = Job(spec, view={"backward": True}, grad_output=True)
    dy = job.recording.grad_output
    for drawn in job.drawings:
        if drawn.geometry.output_name in ("dx", "dw"):
            assert drawn.grid.shape[1:] == dy.shape[2:] == (5, 5)
            assert not drawn.filler.any() and drawn.unread[-1].all() and drawn.unread[:, -1].all()
