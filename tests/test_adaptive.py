"""Adaptive pooling (AdaptiveAvgPool1d/2d/3d, AdaptiveMaxPool1d/2d/3d): windows, values and
indices against the loops of tests/reference_nd.py always, and against torch 2.13 when it is
importable, on random configurations valid and invalid; the picture's every step; info."""

from __future__ import annotations

import json
import random
import re

import numpy as np
import pytest
import reference_nd as ref
from click.testing import CliRunner

import convgif
from convgif import SpecError, ops
from convgif.cli import main
from convgif.info import explain
from convgif.picture.numbers import format_value

pytestmark = pytest.mark.usefixtures("one_torch_thread")

AVG = {1: convgif.AdaptiveAvgPool1dSpec, 2: convgif.AdaptiveAvgPool2dSpec, 3: convgif.AdaptiveAvgPool3dSpec}
MAX = {1: convgif.AdaptiveMaxPool1dSpec, 2: convgif.AdaptiveMaxPool2dSpec, 3: convgif.AdaptiveMaxPool3dSpec}
KINDS = [(kind, dims) for kind in ("avg", "max") for dims in (1, 2, 3)]
CASES = 150  # per kind and number of axes, against the loops
TORCH_CASES = 800  # per kind and number of axes, against torch


def random_output_size(rng: random.Random, dims: int, sizes, wrong: bool):
    """An int or one entry per axis: mostly valid sizes (smaller, equal or larger than the
    input, None), now and then a form or value torch refuses."""
    if wrong and rng.random() < 0.25:
        return rng.choice(
            [
                -1,
                True,
                2.0,
                np.int64(2),
                (2,) * (dims + 1),
                (2,) * max(dims - 1, 1) if dims > 1 else (2, 2),
                tuple([-1] * dims),
                tuple([True] * dims),
                (None,) * dims,
                0,
            ]
        )
    if rng.random() < 0.3:
        return rng.randint(1, 9)
    return tuple(
        None if dims > 1 and rng.random() < 0.15 else rng.choice([1, rng.randint(1, n), rng.randint(1, 2 * n + 1)])
        for n in sizes
    )


def random_case(rng: random.Random, dims: int, wrong: bool = True):
    sizes = tuple(rng.randint(1, 9 - 2 * (dims - 1)) for _ in range(dims))
    shape = (rng.randint(1, 3), *sizes)
    return shape, random_output_size(rng, dims, sizes, wrong)


def make(kind: str, dims: int, shape, output_size, **more):
    try:
        return (AVG if kind == "avg" else MAX)[dims](shape, output_size, **more)
    except SpecError as error:
        return error


def random_input(generator: np.random.Generator, shape, case: int) -> np.ndarray:
    if case % 3 == 0:
        return generator.integers(0, 10, shape)
    values = generator.normal(size=shape).round(1)
    if case % 3 == 2:
        values[generator.random(shape) < 0.2] = -0.0
    return values


@pytest.mark.parametrize("kind,dims", KINDS)
def test_recordings_match_the_loops(kind, dims):
    rng, values = random.Random(10 + dims), np.random.default_rng(dims)
    checked = 0
    for case in range(CASES):
        shape, output_size = random_case(rng, dims, wrong=False)
        spec = make(kind, dims, shape, output_size)
        assert not isinstance(spec, SpecError), (shape, output_size, spec)
        x = random_input(values, shape, case)
        rec = convgif.record(spec, input=x)
        want, indices = ref.adaptive_pool(x, spec.output_shape[1:], kind)
        np.testing.assert_array_equal(rec.output, want, err_msg=str((shape, output_size)))
        assert (np.signbit(rec.output) == np.signbit(want)).all()
        if kind == "max":
            np.testing.assert_array_equal(rec.indices, indices)
        windows = [
            [list(ref.adaptive_window(i, n, o)) for i in range(o)] for n, o in zip(shape[1:], spec.output_shape[1:])
        ]
        assert [[list(range(a, b)) for a, b in zip(s, e)] for s, e in zip(spec.starts, spec.ends)] == windows
        checked += 1
    assert checked == CASES


@pytest.mark.parametrize("dims", (1, 2, 3))
def test_acceptance_follows_torchs_rules_as_the_loops_state_them(dims):
    rng = random.Random(20 + dims)
    for _ in range(600):
        shape, output_size = random_case(rng, dims)
        for kind in ("avg", "max"):
            got = make(kind, dims, shape, output_size)
            why = ref.adaptive_refusal(dims, output_size)
            if why is None and isinstance(got, SpecError) and "nothing to draw" in str(got):
                continue  # a zero size: torch returns an empty tensor
            assert isinstance(got, SpecError) == (why is not None), (shape, output_size, got)
            if why is not None:
                assert got.argument == why


def test_refusals_name_the_argument_and_the_rule():
    cases = [
        (convgif.AdaptiveAvgPool2dSpec, (1, 4, 4), (3,), "output_size", "an int or a pair"),
        (convgif.AdaptiveAvgPool1dSpec, (1, 4), (None,), "output_size", "each entry must be an int"),
        (convgif.AdaptiveMaxPool2dSpec, (1, 4, 4), (3, -1), "output_size", "must not be negative"),
        (convgif.AdaptiveMaxPool2dSpec, (1, 4, 4), np.int64(2), "output_size", "not a int64"),
        (convgif.AdaptiveAvgPool3dSpec, (1, 4, 4, 4), (True, 2, 2), "output_size", "holds True"),
        (convgif.AdaptiveAvgPool2dSpec, (1, 4, 4), (0, 2), "output_size", "nothing to draw"),
    ]
    for cls, shape, output_size, argument, words in cases:
        with pytest.raises(SpecError) as error:
            cls(shape, output_size)
        assert error.value.argument == argument and words in str(error.value), str(error.value)
    assert convgif.AdaptiveMaxPool2dSpec((1, 4, 4), 2, return_indices=2.0).return_indices is True
    assert convgif.AdaptiveAvgPool1dSpec((2, 5), np.int64(3)).output_shape == (2, 3)
    assert convgif.AdaptiveAvgPool2dSpec((2, 5, 6), (None, 3)).output_shape == (2, 5, 3)


def test_the_windows_of_the_notes():
    spec = convgif.AdaptiveAvgPool2dSpec((1, 5, 5), 3)
    assert [(int(a), int(b)) for a, b in zip(spec.starts[0], spec.ends[0])] == [(0, 2), (1, 4), (3, 5)]
    assert spec.equal_pool() is None  # windows of 2, 3 and 2 cells
    assert convgif.AdaptiveAvgPool2dSpec((1, 7, 7), 3).equal_pool() == ((3, 3), (2, 2))
    assert convgif.AdaptiveMaxPool1dSpec((1, 5), 4).equal_pool() == ((2,), (1,))
    assert convgif.AdaptiveAvgPool2dSpec((512, 7, 7), (1, 1)).equal_pool() == ((7, 7), (7, 7))
    resnet = convgif.AdaptiveAvgPool2dSpec((4, 7, 7), (1, 1))
    rec = convgif.record(resnet)
    np.testing.assert_array_equal(rec.output[:, 0, 0], rec.input.reshape(4, -1).sum(axis=1) / 49)


@pytest.mark.parametrize("kind", ["avg", "max"])
def test_every_step_says_what_the_recording_holds(kind):
    rng = random.Random(5 if kind == "avg" else 6)
    for _ in range(12):
        dims = rng.choice([1, 2])
        shape, output_size = random_case(rng, dims, wrong=False)
        spec = make(kind, dims, shape, output_size, **({"return_indices": True} if kind == "max" else {}))
        rec = convgif.record(spec, seed=3)
        (drawn,) = ops.of(spec).drawings(spec, rec)
        flat = rec.output.reshape(spec.in_channels, -1)
        for step in range(spec.steps):
            drawn.playback.advance(step)
            shown = drawn.playback.show(step)
            for c, entry in enumerate(shown.sums):
                assert entry.split(" = ")[2 if kind == "max" else -1].split(" ")[0] == format_value(flat[c, step])
                listed = re.search(r"\((.*)\)", entry).group(1)
                window = drawn.playback.recording.placements[step].channel_cells(c)
                assert len(listed.split(", " if kind == "max" else " + ")) == len(window)
                if kind == "avg":
                    divisor = int(entry.rsplit(" / ", 1)[1].split(" ")[0])
                    assert divisor == (np.prod(shape[1:]) if spec.mean_of_all else len(window))
                else:
                    assert entry.endswith(f"at index {int(rec.indices.reshape(spec.in_channels, -1)[c, step])}")
                reads = shown.reads[c]
                assert {tuple(cell[1:]) for cell in reads.cells} == {tuple(cell) for cell in window}
            assert shown.text.startswith("window ")


def test_a_three_axis_layer_is_described_recorded_and_drawn_by_depth_slices():
    spec = convgif.AdaptiveMaxPool3dSpec((2, 4, 5, 6), (2, None, 4))
    assert convgif.record(spec).output.shape == (2, 2, 5, 4)
    geometries = ops.of(spec).geometries(spec)
    assert [g.notes[-1].split(":")[0] for g in geometries] == ["depth 0 (of 0–1)", "depth 1 (of 0–1)"]
    lines = explain(spec)
    assert any("D windows: ⌊i·4/2⌋ to ⌈(i+1)·4/2⌉: 0–1, 2–3 (2 cells)" in line for line in lines)


def test_info_states_the_window_arithmetic_and_an_equal_fixed_pool_only_when_there_is_one():
    lines = explain(convgif.AdaptiveAvgPool2dSpec((1, 5, 5), 3))
    assert "  H windows: ⌊i·5/3⌋ to ⌈(i+1)·5/3⌉: 0–1, 1–3, 3–4 (2 or 3 cells, overlapping at 1, 3)" in lines
    assert not any("AvgPool2d(" in line for line in lines)
    lines = explain(convgif.AdaptiveMaxPool2dSpec((1, 6, 6), 3))
    assert "  equals MaxPool2d(kernel_size=(2, 2), stride=(2, 2)): the same windows and values" in lines
    lines = explain(convgif.AdaptiveAvgPool2dSpec((512, 7, 7), (1, 1)))
    assert any(line.startswith("  the same windows and divisors as AvgPool2d(kernel_size=(7, 7)") for line in lines)
    assert "  every output size is 1: torch takes the mean, sum / 49" in lines
    result = CliRunner().invoke(main, ["info", "--layer", "AdaptiveAvgPool1d", "--in", "2,10", "--output-size", "4"])
    assert result.exit_code == 0, result.output
    assert "L windows: ⌊i·10/4⌋ to ⌈(i+1)·10/4⌉: 0–2, 2–4, 5–7, 7–9 (3 cells, overlapping at 2, 7)" in result.output
    result = CliRunner().invoke(
        main, ["info", "--layer", "AdaptiveAvgPool2d(output_size=(1, None))", "--in", "3,4,6", "--json"]
    )
    assert result.exit_code == 0, result.output
    facts = json.loads(result.output)
    assert facts["output_size"] == [1, None] and facts["output_shape"] == [3, 1, 6]
    assert facts["equal_pool"] == {"layer": "AvgPool2d(kernel_size=(4, 1), stride=(4, 1))", "exact": True}


torch = pytest.importorskip("torch")


def torch_adaptive(kind: str, dims: int, output_size, x: np.ndarray):
    """("ok", values, indices or None) or ("refused", error) from torch's module."""
    module = getattr(torch.nn, f"Adaptive{'Avg' if kind == 'avg' else 'Max'}Pool{dims}d")
    try:
        if kind == "avg":
            return "ok", module(output_size)(torch.from_numpy(x)).numpy(), None
        values, indices = module(output_size, return_indices=True)(torch.from_numpy(x))
        return "ok", values.numpy(), indices.numpy()
    except (RuntimeError, TypeError, ValueError) as error:
        return "refused", error, None


@pytest.mark.parametrize("kind,dims", KINDS)
def test_torch_agrees_on_random_configurations(kind, dims):
    rng, values = random.Random(30 + dims + (3 if kind == "max" else 0)), np.random.default_rng(dims)
    accepted = refused = 0
    for case in range(TORCH_CASES):
        shape, output_size = random_case(rng, dims)
        x = random_input(values, shape, case).astype(np.float64)
        status, want, indices = torch_adaptive(kind, dims, output_size, x)
        got = make(kind, dims, shape, output_size)
        if status == "refused" or isinstance(got, SpecError):
            empty = status == "ok" and want.size == 0
            assert (status == "refused" or empty) and isinstance(got, SpecError), (shape, output_size, got, want)
            assert not empty or "nothing to draw" in str(got)
            refused += 1
            continue
        accepted += 1
        rec = convgif.record(got, input=x)
        assert rec.output.shape == want.shape == got.output_shape
        if kind == "avg" and got.mean_of_all and case % 3:  # torch's mean adds fractions in its own order
            np.testing.assert_allclose(rec.output, want, rtol=1e-13, atol=1e-15)
        else:
            np.testing.assert_array_equal(rec.output, want, err_msg=str((shape, output_size)))
            assert (np.signbit(rec.output) == np.signbit(want)).all()
        if kind == "max":
            np.testing.assert_array_equal(rec.indices, indices)
    assert accepted > TORCH_CASES // 2 and refused > TORCH_CASES // 20


@pytest.mark.parametrize("kind,dims", KINDS)
def test_an_equal_fixed_pool_is_what_torch_computes(kind, dims):
    rng, values = random.Random(40 + dims), np.random.default_rng(9)
    found = 0
    f = torch.nn.functional
    for case in range(300):
        shape, output_size = random_case(rng, dims, wrong=False)
        spec = make(kind, dims, shape, output_size)
        equal = spec.equal_pool()
        if equal is None:
            continue
        found += 1
        x = torch.from_numpy(random_input(values, shape, case).astype(np.float64))
        adaptive = torch_adaptive(kind, dims, output_size, x.numpy())[1]
        pool = getattr(f, f"{kind}_pool{dims}d")
        fixed = pool(x, *equal).numpy()
        if spec.equal_pool_exact:
            np.testing.assert_array_equal(adaptive, fixed)
        else:
            np.testing.assert_allclose(adaptive, fixed, rtol=1e-13, atol=1e-15)
    assert found > 20


def test_a_module_and_its_print_line_give_the_same_spec():
    from convgif.inputs.pytorch import from_torch, parse_line

    for module, shape in [
        (torch.nn.AdaptiveAvgPool2d((1, None)), (3, 5, 6)),
        (torch.nn.AdaptiveMaxPool1d(4, return_indices=True), (2, 9)),
        (torch.nn.AdaptiveAvgPool3d(2), (1, 4, 4, 4)),
    ]:
        spec, values = from_torch(module, shape)
        assert values == {}
        line = parse_line(str(module))
        again = ops.operation(line.name).build(input_shape=shape, **line.arguments)
        assert again.output_shape == spec.output_shape


FIXED = {
    (kind, dims): getattr(convgif, f"{kind.title()}Pool{dims}dSpec") for kind in ("avg", "max") for dims in (1, 2, 3)
}


def drawn_job(spec, look, view=None):
    """The render's job of ``spec`` (its part chosen), or the refusal."""
    from convgif.animation.job import Job

    try:
        return Job(spec, look, view or {}, max_frames=300)
    except SpecError as error:
        return error


def large_case(rng: random.Random):
    """An adaptive pooling whose windows are often large, mostly of one size per axis (of a
    fixed pool), with output sizes of 1 (global pooling), None and a few."""
    kind, dims = rng.choice(["avg", "max"]), rng.choice([1, 2, 3])
    top = {1: 400, 2: 70, 3: 30}[dims]
    sizes, outs = [], []
    for _ in range(dims):
        o = rng.choice([1, 1, 2, 3, rng.randint(1, 8)])
        k = rng.randint(1, top // o)
        sizes.append(o * k if rng.random() < 0.7 else rng.randint(o, top))
        outs.append(None if dims > 1 and rng.random() < 0.1 else o)
    c = rng.choice([1, 2, 4]) if dims == 3 else rng.choice([1, 2, 3, 8, 64])
    return (AVG if kind == "avg" else MAX)[dims]((c, *sizes), tuple(outs) if rng.random() < 0.8 else outs[0] or 1)


@pytest.mark.parametrize("seed", range(4))
def test_an_adaptive_pool_is_drawn_whenever_its_fixed_pool_is_and_draws_torchs_values(seed):
    """The part chooser alone decides what is drawn: an adaptive pooling whose windows are a
    fixed pool's is drawn whenever that pool is (with and without values, within a width); one
    refused is refused naming output_size, and not even one output cell of it can be drawn;
    what is drawn holds torch's values, bit for bit."""
    from convgif.animation import Look

    rng, compared, refused = random.Random(200 + seed), 0, 0
    for _ in range(40):
        spec = large_case(rng)
        look = Look(values=rng.random() < 0.5, width=rng.choice([None, None, 1800, 900]))
        job, equal = drawn_job(spec, look), spec.equal_pool()
        fixed = None if equal is None else drawn_job(FIXED[spec.KIND, spec.DIMS](spec.input_shape, *equal), look)
        if isinstance(job, SpecError):
            refused += 1
            assert job.argument in ("output_size", "width"), job
            if job.argument == "output_size":
                assert f"output_size={spec.output_size}" in str(job) and "larger output_size" in str(job)
                one = {"region": "0:1" if spec.DIMS == 1 else "0:1,0:1"}
                assert isinstance(drawn_job(spec, look, one), SpecError), (spec, look)  # nor is one output
            assert fixed is None or isinstance(fixed, SpecError), (spec, look)  # the fixed pool drawn, so is this
            continue
        if job.in_part:
            continue
        rec, x = job.recording, job.recording.input
        kind = spec.KIND
        status, want, indices = torch_adaptive(kind, spec.DIMS, spec.output_size, np.asarray(x, dtype=np.float64))
        assert status == "ok"
        np.testing.assert_array_equal(rec.output, want, err_msg=str(spec))  # integer inputs: exact sums
        if kind == "max":
            np.testing.assert_array_equal(rec.indices, indices)
        compared += 1
    assert compared >= 15 and refused >= 3


def test_a_layer_whose_least_part_is_too_tall_but_a_wider_one_draws_is_drawn():
    """With values, one output cell of one channel of this layer is too tall (its notes wrap
    in the narrow frame) while the whole output, wider, draws: so does AvgPool2d((52, 10))."""
    from convgif.animation import Look

    spec = convgif.AdaptiveAvgPool2dSpec((64, 52, 30), (1, 3))
    assert not isinstance(drawn_job(spec, Look(values=True), {"region": "0:1,0:3"}), SpecError)
    assert not isinstance(drawn_job(convgif.AvgPool2dSpec((64, 52, 30), (52, 10)), Look(values=True)), SpecError)
    assert not isinstance(drawn_job(spec, Look(values=True)), SpecError)


@pytest.mark.parametrize(
    "cls,shape,size",
    [
        (convgif.AdaptiveAvgPool2dSpec, (2048, 7, 7), 1),  # ResNet-50
        (convgif.AdaptiveAvgPool2dSpec, (512, 14, 14), 1),
        (convgif.AdaptiveAvgPool2dSpec, (64, 28, 28), 1),
        (convgif.AdaptiveAvgPool2dSpec, (8, 14, 14), 1),
        (convgif.AdaptiveMaxPool2dSpec, (8, 28, 28), 1),
        (convgif.AdaptiveMaxPool2dSpec, (64, 56, 56), 1),
        (convgif.AdaptiveAvgPool1dSpec, (1, 100), 7),
    ],
)
def test_global_pooling_is_drawn_with_every_term_on_screen_or_counted(cls, shape, size):
    """Global pooling of a network's maps is drawn, with and without values; its one sum line
    ends with the window's cell count (and an average's total), so that a line shown by its
    start and end still says how many terms it adds."""
    from convgif.animation import Look

    spec = cls(shape, size)
    for values in (False, True):
        job = drawn_job(spec, Look(values=values))
        assert not isinstance(job, SpecError), job
        (drawn,) = job.drawings
        shown = drawn.playback.show(0)
        first = tuple(slice(int(s[0]), int(e[0])) for s, e in zip(spec.starts, spec.ends))  # step 1's window
        for c, entry in enumerate(shown.sums):
            window = job.recording.input[(c, *first)]
            cells = window.size
            assert cells > 9 and entry.count(f": {cells} cells") == 1, entry
            if spec.KIND == "avg":
                assert f" = {format_value(float(window.sum()))}: {cells} cells) / " in entry, entry


def test_a_window_too_large_for_any_part_is_refused_naming_output_size():
    from convgif.animation import Look

    for spec, values in [
        (convgif.AdaptiveAvgPool1dSpec((1, 3000), 2), False),
        (convgif.AdaptiveAvgPool2dSpec((64, 56, 56), 1), False),  # as AvgPool2d(56) is: 56 cells of 4-digit means
        (convgif.AdaptiveAvgPool3dSpec((2, 4, 64, 64), 1), True),
    ]:
        error = drawn_job(spec, Look(values=values))
        assert isinstance(error, convgif.TooLargeError) and error.argument == "output_size", error
        assert str(error).startswith(f"output_size={spec.output_size} gives windows of up to ")
        assert "×".join(map(str, spec.kernel_size)) in str(error) and "kernel_size" not in str(error)
    result = CliRunner().invoke(main, ["--layer", "AdaptiveAvgPool1d", "--in", "1,3000", "--output-size", "2"])
    assert result.exit_code == 2 and "'--output-size'" in result.output and "output_size=(2,)" in result.output
    fractional = drawn_job(convgif.FractionalMaxPool2dSpec((1, 400, 400), 300, 2), Look())
    assert isinstance(fractional, SpecError) and fractional.argument == "kernel_size"  # it has one


def test_info_counts_one_comparison_or_addition_fewer_than_each_window_reads():
    """Checked against torch's windows, cell by cell: start ⌊o·n/out⌋, end ⌈(o + 1)·n/out⌉."""
    import itertools
    import math

    rng = random.Random(11)
    for _ in range(200):
        dims = rng.randint(1, 3)
        size = tuple(rng.randint(1, 9) for _ in range(dims))
        out = tuple(rng.randint(1, 9) for _ in range(dims))
        c, kind = rng.randint(1, 3), rng.choice(["Max", "Avg"])
        spec = getattr(convgif, f"Adaptive{kind}Pool{dims}dSpec")((c, *size), out)
        total = 0
        for at in itertools.product(*(range(o) for o in out)):
            cells = math.prod(-(-(i + 1) * n // o) - i * n // o for i, n, o in zip(at, size, out))
            total += cells - 1
        assert spec.operations == ("comparisons" if kind == "Max" else "additions", c * total), spec


@pytest.mark.parametrize(
    ("input_shape", "size", "said"),
    [
        ((1, 5, 6), (2, 3), "windows overlap: row 2 lies in two windows"),
        ((1, 5, 5), (2, 3), "windows overlap: row 2 and columns 1, 3 lie in two windows"),
        ((1, 5, 5, 5), (2, 3, 3), "windows overlap: depth 2 and rows 1, 3 and columns 1, 3 lie in two windows"),
    ],
)
def test_cells_in_two_windows_are_named_in_the_singular_when_one(input_shape, size, said):
    """One cell in two windows: "row 2 lies", not "rows 2 lie"."""
    kind = "AdaptiveAvgPool3d" if len(input_shape) == 4 else "AdaptiveAvgPool2d"
    spec = ops.operation(kind).build(input_shape=input_shape, output_size=size)
    assert said in ops.of(spec).notes(spec)


@pytest.mark.parametrize("kind", [convgif.AdaptiveAvgPool2dSpec, convgif.AdaptiveMaxPool2dSpec])
def test_the_backward_notes_say_several_windows_and_define_n_and_o(kind):
    """Cell (1, 1) of 5×5 to 3×3 lies in four windows: the note says several, not two, and
    says what n and o are, in English and both Chinese scripts."""
    from convgif.animation import Look
    from convgif.animation.job import Job
    from convgif.language import say, speaking

    spec = kind((1, 5, 5), 3)
    (drawn,) = Job(spec, Look(values=True), {"backward": True}).drawings
    windows = {  # the windows that hold each cell, counted cell by cell
        (y, x): sum(
            a <= y < b and c <= x < d
            for a, b in zip(spec.starts[0], spec.ends[0])
            for c, d in zip(spec.starts[1], spec.ends[1])
        )
        for y in range(5)
        for x in range(5)
    }
    assert windows[(1, 1)] == 4
    notes = " ".join(drawn.geometry.notes)
    assert "cells in several windows add up" in notes and "two windows add" not in notes, notes
    assert "windows ⌊i·n/o⌋ to ⌈(i+1)·n/o⌉−1 (n = input size, o = output size): rows 0–1" in notes, notes
    for lang, words in (
        ("zh-Hans", ("多个窗口", "n = 输入大小, o = 输出大小")),
        ("zh-Hant", ("多個窗口", "n = 輸入大小, o = 輸出大小")),
    ):
        with speaking(lang):
            said = " ".join(say(note) for note in drawn.geometry.notes)
        assert all(word in said for word in words) and "input size" not in said and "several" not in said, said
