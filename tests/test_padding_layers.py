"""The fifteen padding layers: what they accept, their shapes and values against a loop
implementation always and against PyTorch when it is importable, and what their pictures
link and write, step by step."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
import reference_layers as ref

import convgif
from convgif import SpecError, ops
from convgif.engine.resample import pad_problem

MODES = {
    "Reflection": "reflect",
    "Replication": "replicate",
    "Zero": "constant",
    "Constant": "constant",
    "Circular": "circular",
}
KINDS = [f"{family}Pad{dims}d" for family in MODES for dims in (1, 2, 3)]
CASES = 60  # per kind


def dims_of(name: str) -> int:
    return int(name[-2])


def random_case(rng: random.Random, name: str) -> dict:
    """A configuration of ``name``, valid or not: amounts of every count PyTorch might take,
    negative ones, and now and then an argument of the wrong type."""
    dims = dims_of(name)
    shape = (rng.randint(1, 3), *(rng.choice([1, 2, 3, 4, 4, 5, 5, 6]) for _ in range(dims)))
    roll = rng.random()
    if roll < 0.3:
        padding: object = rng.choice([-1, 0, 1, 1, 2, 3, 5])
    elif roll < 0.93:
        count = rng.choice([2 * dims] * 4 + [2 * (dims - 1), 2 * (dims + 1), 2 * dims + 1, 2 * (dims + 2)])
        sizes = [*reversed(shape), 1, 1]  # the axis each pair pads, from the last one back
        padding = tuple(
            rng.randint(-((sizes[k // 2] - 1) // 2), sizes[k // 2] - 1)
            if rng.random() < 0.85
            else rng.choice([-4, -2, 3, 6])
            for k in range(max(count, 0))
        )
    else:
        padding = rng.choice([1.5, True, "ab", None, (1, 1.0), [1, 2]])
    case = {"input_shape": shape, "padding": padding}
    if name.startswith("Constant"):
        case["value"] = rng.choice([0, 1.5, -2, None, True, 3])
    return case


def cases(name: str, seed: int = 0):
    rng = random.Random(f"{name}-{seed}")
    return [random_case(rng, name) for _ in range(CASES)]


def spec_of(name: str, case: dict):
    return ops.operation(name).build(**case)


@pytest.mark.parametrize("name", KINDS)
def test_every_padding_records_what_the_loops_compute(name):
    checked = 0
    for case in cases(name):
        try:
            spec = spec_of(name, case)
        except SpecError as error:
            assert error.argument in ("padding", "value"), (case, error)
            continue
        rec = convgif.record(spec, seed=checked)
        want = ref.pad(rec.input, spec.padding, spec.MODE, spec.fill)
        assert spec.output_shape == want.shape == rec.output.shape, case
        np.testing.assert_array_equal(rec.output, want, err_msg=str(case))
        last = rec.placements[-1]
        assert last.out_index == tuple(n - 1 for n in spec.output_shape[1:])
        checked += 1
    assert checked >= CASES // 4, name


def test_padding_arguments_are_normalised_and_named_as_torch_names_them():
    spec = convgif.ReflectionPad2dSpec((4, 4), 1)
    assert spec.input_shape == (1, 4, 4) and spec.padding == (1, 1, 1, 1) and spec.output_shape == (1, 6, 6)
    assert spec.caption == (
        "Input Shape : (1, 4, 4) — Output Shape : (1, 6, 6) — P (left, right, top, bottom) : (1, 1, 1, 1)"
        " — mode='reflect'"
    )
    crop = convgif.ZeroPad2dSpec((2, 5, 5), (1, -2, 0, 3))
    assert crop.output_shape == (2, 8, 4) and crop.pads == ((0, 0), (0, 3), (1, -2))
    assert convgif.ConstantPad1dSpec((3, 5), (2, 1), value=0.5).caption.endswith(
        "P (left, right) : (2, 1) — mode='constant' — value=0.5"
    )
    assert convgif.ConstantPad2dSpec((1, 3, 3), (1, 1), None).fill == 0.0  # F.pad's default
    columns_only = convgif.ConstantPad2dSpec((1, 3, 3), (1, 2), 7)
    assert columns_only.output_shape == (1, 3, 6)
    channels = convgif.CircularPad2dSpec((2, 3, 3), (1, 1, 1, 1, 1, 0))
    assert channels.output_shape == (3, 5, 5) and channels.caption.endswith(
        "channels before, after) : (1, 1, 1, 1, 1, 0) — mode='circular'"
    )
    with pytest.raises(TypeError):
        convgif.ConstantPad2dSpec((1, 3, 3), 1)  # value has no default, as in torch
    for bad, words in [
        (dict(padding=(1, 1, 1)), "they come in pairs"),
        (dict(padding=2.0), "must be an integer or a tuple of integers (left, right, top, bottom), not a float"),
        (dict(padding=True), "not True or False"),
        (dict(padding=(1, 1)), "reflect padding of a batch of one (1, C, H, W) pads its last 2 axes"),
        (dict(padding=4), "reflect padding must be less than the axis's size 4"),
        (dict(padding=(-2, -2, 0, 0)), "leaves no cell of the columns (W): 4 -2 -2 = 0"),
    ]:
        with pytest.raises(SpecError, match=None) as error:
            convgif.ReflectionPad2dSpec((1, 4, 4), **bad)
        assert error.value.argument == "padding" and words in str(error.value), (bad, str(error.value))
    with pytest.raises(SpecError, match="value=inf is out of range"):
        convgif.ConstantPad2dSpec((1, 3, 3), 1, float("inf"))
    with pytest.raises(SpecError, match="convgif draws one sample"):
        convgif.ZeroPad1dSpec((1, 3), (1, 1, 1, 1, 1, 1))  # the batch axis


def test_circular_padding_crops_first_then_wraps_what_is_left():
    x = np.arange(5)[None]
    spec = convgif.CircularPad1dSpec((1, 5), (-1, 2))
    np.testing.assert_array_equal(convgif.record(spec, input=x).output[0], [1, 2, 3, 4, 1, 2])
    assert pad_problem(5, -3, 3, "circular") is not None  # 3 more cells than the 2 left
    assert pad_problem(5, 6, 0, "circular") is not None  # more than once round
    assert pad_problem(5, 5, 5, "circular") is None


def _steps_of(name: str, case: dict):
    spec = spec_of(name, case)
    op = ops.of(spec)
    rec = op.record(spec, seed=3)
    (drawn,) = op.drawings(spec, rec)
    return spec, rec, drawn


@pytest.mark.parametrize("name", [k for k in KINDS if dims_of(k) < 3])
def test_every_output_cell_is_written_once_in_order_from_the_cell_it_copies(name):
    drawn_any = 0
    for case in cases(name, seed=1):
        try:
            spec, rec, drawn = _steps_of(name, case)
        except SpecError:
            continue
        c = spec.in_channels
        flat_out = rec.output.reshape(c, *drawn.output.shape[1:])
        flat_in = rec.input.reshape(c, *drawn.grid.shape[1:])
        shown = np.array(drawn.start, float) if drawn.start is not None else np.full(flat_out.shape, np.nan)
        if drawn.start is not None:  # a constant's padding cells start at it, the copies to come
            shown[drawn.start_empty] = np.nan
            assert (drawn.start[~drawn.start_empty] == spec.fill).all()
        playback, order = drawn.playback, []
        for step in range(drawn.geometry.steps):
            step_shown = playback.show(step)
            writes = playback.advance(step)
            assert [w.channel for w in writes] == list(range(c))
            (y,), (x,) = writes[0].rows, writes[0].cols
            order.append((y, x))
            cells = step_shown.reads[0].cells
            assert len(cells) == 1, "a padding copies one cell"
            _, sy, sx = cells[0]
            assert np.isnan(shown[:, y, x]).all(), "a copy is drawn 'to come' until its step, not as the constant"
            for w in writes:
                assert w.values[0, 0] == flat_in[w.channel, sy, sx]  # the value written is the cell read
                shown[w.channel, y, x] = w.values[0, 0]
            assert "copies input" in step_shown.text and len(step_shown.sums) == c
        assert order == sorted(order), "steps run row by row"
        assert len(set(order)) == len(order), "each cell once"
        np.testing.assert_array_equal(shown, flat_out, err_msg=str(case))
        drawn_any += 1
    assert drawn_any >= 5, name


def test_a_region_of_a_large_padding_draws_the_input_it_copies():
    spec = convgif.ReflectionPad2dSpec((1, 40, 40), 3)  # CycleGAN's first layer, on a small picture
    from convgif.animation.job import Job

    job = Job(spec, max_frames=300)
    (geometry,) = job.geometries
    assert job.region is not None and geometry.steps <= 300
    (drawn,) = job.drawings
    region = job.region
    assert drawn.output.shape[1:] == region.size
    rows = spec.axes[1]
    read = sorted({int(rows.index[y, 0]) for y in range(*region.rows)})
    assert drawn.grid.shape[1] == read[-1] - read[0] + 1


@pytest.mark.parametrize("name", ["ReflectionPad2d", "ZeroPad1d", "CircularPad3d"])
def test_input_cells_a_negative_padding_crops_are_drawn_as_never_read(name):
    """A padding layer draws no padding on its input, only the input's cells, each in its own
    shade; those a negative amount crops away are paled and dotted as never read, which the
    key says (not tinted as padding, and not left out of the input's scale)."""
    from convgif.animation.job import Job

    dims = dims_of(name)
    spec = ops.operation(name).build(input_shape=(1, *[4] * dims), padding=(-1, 1) * dims)  # crops the first cells
    for part in Job(spec, max_frames=0).parts:
        drawn, scene = part.drawn, part.scene
        cropped = np.zeros(drawn.grid.shape[1:], dtype=bool)
        cropped[:, 0] = True
        cropped[0] |= dims > 1
        assert not drawn.filler.any() and not drawn.copies
        assert drawn.unread is not None and (drawn.unread == cropped).all()
        (key,) = [key for key in scene.scales.keys if key.role == "input"]
        assert key.items[-1] == (None, "never read"), key
        assert drawn.grid[0, :, 0].max() <= scene.scales.input.high  # the cropped values keep their shades


def test_channel_pads_are_computed_but_not_drawn():
    channels = convgif.ZeroPad2dSpec((2, 3, 3), (1, 1, 1, 1, 1, 1))
    with pytest.raises(SpecError, match="pads the channels too"):
        ops.of(channels).geometries(channels)
    assert convgif.record(channels).output.shape == (4, 5, 5)


torch = pytest.importorskip("torch")


def _torch_run(name: str, case: dict):
    """What torch does with the layer on a batch of one: the output, or None if it refuses."""
    arguments = {k: v for k, v in case.items() if k != "input_shape"}
    layer = getattr(torch.nn, name)
    shape = case["input_shape"]
    x = torch.arange(float(np.prod(shape)), dtype=torch.float64).reshape(1, *shape)
    try:
        return x[0].numpy(), layer(**arguments)(x)[0].numpy()
    except (RuntimeError, ValueError, TypeError, NotImplementedError):
        return x[0].numpy(), None


def _torch_may_take(name: str, case: dict) -> str:
    """Why convgif refuses what torch takes, when it may: an empty output, the batch axis
    padded, memory torch never wrote, or a value outside the bounds convgif computes within."""
    dims, padding = dims_of(name), case["padding"]
    mode = MODES[name.split("Pad")[0]]
    value = case.get("value")
    if isinstance(value, float) and not abs(value) <= 10_000:
        return "value"
    if isinstance(padding, int) and not isinstance(padding, bool):
        padding = (padding,) * (2 * dims)
    if not isinstance(padding, (tuple, list)) or len(padding) % 2:
        return ""
    if mode == "constant" and len(padding) == 2 * (dims + 2):
        return "batch"
    shape = case["input_shape"]
    pairs = [(padding[2 * k], padding[2 * k + 1]) for k in range(len(padding) // 2)]
    for n, (before, after) in zip(reversed(shape), pairs):
        if n + before + after <= 0:
            return "empty"
        if mode == "circular" and pad_problem(n, before, after, mode) is not None:
            return "unwritten"
    return ""


@pytest.mark.parametrize("name", KINDS)
def test_torch_accepts_what_convgif_accepts_and_computes_the_same(name):
    accepted = refused = 0
    for case in cases(name, seed=2):
        x, want = _torch_run(name, case)
        try:
            spec = spec_of(name, case)
        except SpecError as error:
            if want is not None:
                assert _torch_may_take(name, case), f"convgif refuses what torch takes: {case}: {error}"
            refused += 1
            continue
        assert want is not None, f"convgif takes what torch refuses: {case}"
        got = convgif.record(spec, input=x).output
        assert got.shape == want.shape, case
        np.testing.assert_array_equal(got, want, err_msg=str(case))
        accepted += 1
    assert accepted >= CASES // 4 and refused >= 3, (name, accepted, refused)


@pytest.mark.parametrize("name", ["ReflectionPad2d", "ZeroPad2d", "ConstantPad1d", "CircularPad3d"])
def test_from_torch_takes_each_padding_module_with_its_arguments(name):
    module = getattr(torch.nn, name)((1, 2, 0, 1, 1, 0)[: 2 * dims_of(name)], *([0.5] if "Constant" in name else []))
    shape = (2, *(4,) * dims_of(name))
    spec, values = convgif.from_torch(module, shape)
    assert values == {} and type(spec).__name__ == f"{name}Spec"
    x = torch.rand(1, *shape, dtype=torch.float64)
    np.testing.assert_array_equal(convgif.record(spec, input=x[0].numpy()).output, module(x)[0].numpy())


def _moved(text: str) -> int:
    """The amount of ``i − 2`` (``j + 1``, ``i``): what a note adds to a row or column."""
    parts = text.split(" ")
    return 0 if len(parts) == 1 else int(parts[2]) * (1 if parts[1] == "+" else -1)


@pytest.mark.parametrize("name", KINDS)
def test_the_note_names_cells_by_letters_no_tensor_has_and_says_what_they_copy(name):
    """The note of a pad says which input cell each output cell copies in letters no tensor of
    the picture is named by ((i, j), (row, column) as in the step line; x and y are the tensors),
    in English and Chinese, and what it says is true of the values recorded: every output cell whose input cell is inside holds its value
    (a constant pad: every input cell lands where it says). A 3-D pad's note is its planes'."""
    from convgif.language import say
    from convgif.ops.pad_depth import source

    dims, checked = dims_of(name), 0
    at = r"\((?:(i(?: [+−] \d+)?), )?(j(?: [+−] \d+)?),?\)"  # (i, j), (i − 1, j + 2), (j − 2,)
    for case in cases(name, seed=2):
        try:
            spec = spec_of(name, case)
            notes = [note for geometry in ops.of(spec).geometries(spec) for note in geometry.notes]
        except SpecError:
            continue
        rules = {note for note in notes if note.startswith(("output ", "the output's padding cells"))}
        assert len(rules) == 1, notes  # a 3-D pad's planes share it (a plane of its depth padding has none)
        (rule,) = rules
        if spec.MODE == "constant":
            found = re.fullmatch(
                rf"the output's padding cells start at the value \S+; input {at} is copied to output {at}", rule
            )
        else:
            found = re.fullmatch(rf"output {at} copies input {at} where that is inside; .*", rule)
        assert found, rule
        assert not re.search(r"\b[xy]\b", rule), rule  # the tensors' names are not coordinates
        for lang in ("zh-Hans", "zh-Hant"):  # the sentence translated whole, its letters kept
            said = say(rule, lang)
            assert not re.search(r"output|input|cop", said) and all(
                f"({p})" in said for p in re.findall(r"\((.*?)\)", rule)[:2]
            ), said
        first, second = found.groups()[:2], found.groups()[2:]
        shifts = [_moved(b) - _moved(a) for a, b in zip(first, second) if a is not None]  # from the first to the second
        assert len(shifts) == (2 if dims > 1 else 1), rule
        rec = convgif.record(spec, seed=checked)
        x, y = rec.input, rec.output
        planes = (
            [(x[:, source(spec, z)], y[:, z]) for z in range(y.shape[1]) if source(spec, z) >= 0]
            if dims == 3
            else [(x, y)]
        )
        for x_plane, y_plane in planes:
            x_plane, y_plane = (
                x_plane.reshape(x.shape[0], -1, x.shape[-1]),
                y_plane.reshape(y.shape[0], -1, y.shape[-1]),
            )
            di, dj = shifts if dims > 1 else (0, shifts[0])
            if spec.MODE != "constant":  # output (i, j) copies input (i + di, j + dj)
                di, dj = -di, -dj
            # each cell (i, j) of x_plane holds its value at (i + di, j + dj) of y_plane, where that is inside
            for i in range(x_plane.shape[1]):
                for j in range(x_plane.shape[2]):
                    if 0 <= i + di < y_plane.shape[1] and 0 <= j + dj < y_plane.shape[2]:
                        np.testing.assert_array_equal(x_plane[:, i, j], y_plane[:, i + di, j + dj], err_msg=rule)
        checked += 1
    assert checked >= 5, name
