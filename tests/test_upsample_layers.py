"""Upsample, UpsamplingNearest2d and UpsamplingBilinear2d: what they accept, their shapes and
values against a loop implementation always and against PyTorch when it is importable, and
what their pictures read, weigh and write."""

from __future__ import annotations

import itertools
import math
import random
import re

import numpy as np
import pytest
import reference_layers as ref

import convgif
from convgif import SpecError, ops
from convgif.engine.modes import INTERPOLATING, MODES
from convgif.picture.numbers import format_value

CASES = 400


def random_case(rng: random.Random) -> dict:
    """An Upsample configuration, valid or not: every mode on one to three axes, size or
    scale_factor (or both, or neither), align_corners and recompute_scale_factor."""
    dims = rng.choice([1, 2, 2, 3])
    case: dict = {"input_shape": (rng.randint(1, 2), *(rng.randint(1, 5) for _ in range(dims)))}
    fitting = [m for m, axes in MODES.items() if axes in (None, dims)]
    mode = rng.choice(fitting) if rng.random() < 0.8 else rng.choice([*MODES, "lanczos", "Nearest"])
    if mode != "nearest" or rng.random() < 0.3:
        case["mode"] = mode
    how = rng.random()
    if how < 0.45:
        factor = rng.choice([2, 2.0, 3, 1.5, 0.5, 2.5, 1 / 3, 1.3, 0.7, 4, 1, 0, -2, 0.1, True])
        if rng.random() < 0.3:
            factor = tuple(rng.choice([2.0, 1.5, 0.6, 3, 1.0]) for _ in range(rng.choice([dims, dims, 1, 3])))
        case["scale_factor"] = factor
    elif how < 0.9:
        size = rng.choice([rng.randint(1, 9), 0, -1, 4.0, True])
        if rng.random() < 0.5:
            size = tuple(rng.randint(1, 9) for _ in range(rng.choice([dims, dims, dims, 2])))
        case["size"] = size
    elif how < 0.95:
        case["size"], case["scale_factor"] = 4, 2.0
    if rng.random() < (0.6 if mode in INTERPOLATING else 0.1):
        case["align_corners"] = rng.choice([True, False, True, 1])
    if rng.random() < 0.25:
        case["recompute_scale_factor"] = rng.choice([True, False])
    return case


def cases(seed: int, count: int = CASES) -> list[dict]:
    rng = random.Random(f"upsample-{seed}")
    return [random_case(rng) for _ in range(count)]


def test_upsampling_records_what_the_loops_compute():
    checked = 0
    for case in cases(0):
        try:
            spec = convgif.UpsampleSpec(**case)
        except SpecError as error:
            assert error.argument in ("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor")
            continue
        rec = convgif.record(spec, seed=checked)
        want = ref.interpolate(rec.input, spec.output_shape[1:], spec.mode, spec.corners, spec.kernel_factors)
        assert rec.output.shape == want.shape == spec.output_shape, case
        np.testing.assert_allclose(rec.output, want, rtol=1e-12, atol=1e-12, err_msg=str(case))
        placement = rec.placements[len(rec.placements) // 2]
        total = sum(w * rec.input[(0, *cell)] for cell, w in zip(placement.cells, placement.weights))
        assert total == pytest.approx(placement.values[0], abs=1e-9)
        checked += 1
    assert checked >= CASES // 3


def test_upsample_arguments_are_normalised_and_refused_as_torch_does():
    spec = convgif.UpsampleSpec((3, 4, 5), scale_factor=2)
    assert spec.scale_factor == 2.0 and spec.output_shape == (3, 8, 10) and spec.mode == "nearest"
    assert spec.caption == "Input Shape : (3, 4, 5) — Output Shape : (3, 8, 10) — scale_factor=2.0 — mode='nearest'"
    corners = convgif.UpsampleSpec((1, 3, 3), size=5, mode="bilinear", align_corners=True)
    assert corners.output_shape == (1, 5, 5) and corners.caption.endswith(
        "size=5 — mode='bilinear' — align_corners=True"
    )
    assert corners.scales == (0.5, 0.5)
    assert convgif.UpsampleSpec((2, 7), scale_factor=1.5, mode="linear").output_shape == (2, 10)  # (C, L)
    alias = convgif.UpsamplingBilinear2dSpec((1, 2, 2), scale_factor=2)
    assert alias.mode == "bilinear" and alias.align_corners is True
    assert alias.caption.endswith("scale_factor=2.0 (mode='bilinear', align_corners=True)")
    assert convgif.UpsamplingNearest2dSpec((1, 2, 2, 2), size=(3, 3, 3)).output_shape == (1, 3, 3, 3)
    for bad, argument, words in [
        (
            dict(scale_factor=2, mode="nearest", align_corners=False),
            "align_corners",
            "only applies to the interpolating",
        ),
        (dict(), "scale_factor", "give size or scale_factor"),
        (dict(size=4, scale_factor=2), "size", "not both"),
        (dict(scale_factor=2, mode="linear"), "mode", "interpolates 1 spatial axis"),
        (dict(scale_factor=0.1), "scale_factor", "each must be at least 1"),
        (dict(size=(4, 4, 4)), "size", "one entry per spatial axis"),
        (dict(size=4, recompute_scale_factor=True), "recompute_scale_factor", "meaningless with size"),
        (dict(scale_factor=2, mode="lanczos"), "mode", "antialias"),
        (dict(scale_factor=[2, 2]), "scale_factor", "must be a number"),
        (dict(scale_factor=2, mode="bilinear", align_corners=1), "align_corners", "True, False or None"),
    ]:
        with pytest.raises(SpecError) as error:
            convgif.UpsampleSpec((1, 3, 3), **bad)
        assert error.value.argument == argument and words in str(error.value), (bad, str(error.value))
    with pytest.raises(SpecError, match=r"\(C, L\), \(C, H, W\) or \(C, D, H, W\)"):
        convgif.UpsampleSpec((3,), scale_factor=2)


@pytest.mark.parametrize("mode", [m for m, axes in MODES.items() if axes])
def test_a_mode_for_other_axes_counts_them_in_english(mode):
    """'interpolates 2 spatial axes', never 'axises', for every mode and every wrong input."""
    wanted = MODES[mode]
    for shape in [(1, 4), (1, 3, 3), (1, 2, 2, 2)]:
        if len(shape) - 1 == wanted:
            continue
        with pytest.raises(SpecError) as error:
            convgif.UpsampleSpec(shape, scale_factor=2, mode=mode)
        noun = "axis" if wanted == 1 else "axes"
        assert f"interpolates {wanted} spatial {noun}, but" in str(error.value), str(error.value)


def _drawn(spec):
    op = ops.of(spec)
    rec = op.record(spec, seed=5)
    (drawn,) = op.drawings(spec, rec)
    return rec, drawn


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bilinear", "bicubic", "area", "linear"])
def test_every_step_rings_the_cells_it_weighs_and_its_sum_adds_up(mode):
    dims = 1 if mode == "linear" else 2
    shape = (2, 5) if dims == 1 else (2, 3, 4)
    for kwargs in (dict(scale_factor=2), dict(size=7 if dims == 1 else (5, 7))):
        corners = {"align_corners": True} if mode in ("bilinear", "bicubic") and "size" in kwargs else {}
        spec = convgif.UpsampleSpec(shape, mode=mode, **kwargs, **corners)
        rec, drawn = _drawn(spec)
        playback, out = drawn.playback, drawn.output
        written = np.full(out.shape, np.nan)
        for step in range(drawn.geometry.steps):
            shown = playback.show(step)
            (first, *_) = playback.advance(step)
            (y,), (x,) = first.rows, first.cols
            assert step == y * out.shape[2] + x, "row by row"
            placement = rec.placements[step]
            cells = {tuple(int(v) for v in cell) for cell, w in zip(placement.cells, placement.weights) if w != 0}
            ringed = {(int(r), int(c)) if dims == 2 else (int(c),) for _, r, c in shown.reads[0].cells}
            assert ringed == cells or not cells
            for c, entry in enumerate(shown.sums):
                written[c, y, x] = out[c, y, x]
                value = format_value(out[c, y, x])
                assert entry.startswith(f"y[{c}, ") and entry.endswith(f" = {value}")
                if mode in ("bilinear", "linear", "bicubic") and "·" in entry:
                    _check_products(entry, float(out[c, y, x]))
            if mode in ("bilinear", "bicubic") and not spec.corners:
                assert "source (" in shown.text
        np.testing.assert_array_equal(written, out)


def _check_products(entry: str, value: float) -> None:
    """The weights and values an entry writes give its value: it can be checked by hand."""
    expression = entry.split(" = ")[1].replace("·", "*").replace("−", "-")
    assert re.fullmatch(r"[0-9.e*+\- ()]+", expression), entry
    assert eval(expression) == pytest.approx(value, rel=2e-2, abs=3e-2), entry


def test_every_product_of_a_random_interpolation_is_written():
    """Bicubic's 16 products too: each entry's weights times values add up to the value."""
    checked = 0
    for case in cases(14, 400):
        if case.get("mode") not in ("linear", "bilinear", "bicubic"):
            continue
        try:
            spec = convgif.UpsampleSpec(**case)
        except SpecError:
            continue
        if len(spec.input_shape) == 4:  # three axes: tests/test_resample_depth.py
            continue
        rec, drawn = _drawn(spec)
        for step in range(drawn.geometry.steps):
            drawn.playback.advance(step)
            for c, entry in enumerate(drawn.playback.show(step).sums):
                y, x = divmod(step, drawn.output.shape[2])
                value = float(drawn.output[c, y, x])
                if "·" in entry:
                    _check_products(entry, value)
                    checked += spec.mode == "bicubic"
                else:
                    assert re.fullmatch(r"y\[[\d, ]+\] = x\[[\d, ]+\] = \S+", entry), entry
    assert checked


def test_the_sum_line_shows_the_half_pixel_rule_and_align_corners():
    x = np.array([[[0.0, 4.0], [8.0, 12.0]]])
    half = convgif.UpsampleSpec((1, 2, 2), scale_factor=2, mode="bilinear")
    rec, drawn = _drawn(half)
    rec = convgif.record(half, input=x)
    (drawn,) = ops.of(half).drawings(half, rec)
    step = drawn.playback.show(1 * 4 + 1)  # output (1, 1): source (0.25, 0.25)
    assert "from source (0.25, 0.25)" in step.text
    assert step.sums[0] == "y[0, 1, 1] = 0.75·(0.75·0 + 0.25·4) + 0.25·(0.75·8 + 0.25·12) = 3"
    assert "(i + 0.5)/2 − 0.5" in " ".join(drawn.geometry.notes)
    clamped = drawn.playback.show(0)
    assert "−0.25→0" in clamped.text and clamped.sums[0] == "y[0, 0, 0] = x[0, 0, 0] = 0"
    corners = convgif.UpsampleSpec((1, 2, 2), size=3, mode="bilinear", align_corners=True)
    (drawn,) = ops.of(corners).drawings(corners, convgif.record(corners, input=x))
    assert drawn.playback.show(4).sums[0] == "y[0, 1, 1] = 0.5·(0.5·0 + 0.5·4) + 0.5·(0.5·8 + 0.5·12) = 6"
    assert "align_corners" in " ".join(drawn.geometry.notes)


def test_three_axis_upsampling_is_drawn_one_depth_slice_at_a_time():
    """(tests/test_resample_depth.py checks the slices' steps and sums.)"""
    spec = convgif.UpsampleSpec((1, 2, 2, 2), scale_factor=2, mode="trilinear")
    assert convgif.record(spec).output.shape == (1, 4, 4, 4)
    assert len(ops.of(spec).geometries(spec)) == 4


torch = pytest.importorskip("torch")


def _torch_run(layer, case: dict):
    arguments = {k: v for k, v in case.items() if k != "input_shape"}
    shape = case["input_shape"]
    x = torch.from_numpy(np.random.default_rng(len(shape)).integers(0, 10, (1, *shape)).astype(np.float64))
    try:
        return x[0].numpy(), layer(**arguments)(x)[0].numpy()
    except (RuntimeError, ValueError, TypeError, NotImplementedError):
        return x[0].numpy(), None


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"])
def test_torch_accepts_what_convgif_accepts_and_computes_the_same(name):
    accepted = refused = 0
    spec_type = getattr(convgif, f"{name}Spec")
    fields = {"input_shape", "size", "scale_factor"} if name != "Upsample" else None
    for case in cases(1, CASES if name == "Upsample" else CASES // 3):
        if fields is not None:
            case = {k: v for k, v in case.items() if k in fields}
        x, want = _torch_run(getattr(torch.nn, name), case)
        try:
            spec = spec_type(**case)
        except SpecError as error:
            # an empty output (torch's area mode returns one) is refused: there is nothing to draw
            assert want is None or want.size == 0, f"convgif refuses what torch takes: {case}: {error}"
            refused += 1
            continue
        assert want is not None, f"convgif takes what torch refuses: {case}"
        got = convgif.record(spec, input=x).output
        assert got.shape == want.shape, case
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=str(case))
        accepted += 1
    assert accepted >= 10 and refused >= 5, (accepted, refused)


def test_from_torch_takes_upsample_modules_as_print_model_shows_them():
    for module, shape in [
        (torch.nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True), (2, 3, 3)),
        (torch.nn.Upsample(size=(5, 7), mode="bicubic"), (1, 3, 4)),
        (torch.nn.UpsamplingBilinear2d(scale_factor=2), (1, 2, 3)),
        (torch.nn.UpsamplingNearest2d(size=4), (3, 2)),
    ]:
        spec, values = convgif.from_torch(module, shape)
        assert values == {}
        x = torch.rand(1, *shape, dtype=torch.float64)
        np.testing.assert_allclose(convgif.record(spec, input=x[0].numpy()).output, module(x)[0].numpy(), rtol=1e-12)
    from convgif.inputs.pytorch import parse_line

    line = parse_line(repr(torch.nn.UpsamplingBilinear2d(scale_factor=2)))
    assert line.arguments == {"scale_factor": 2.0, "mode": "bilinear"}


def test_the_readme_quotes_the_step_and_sum_a_render_writes():
    from pathlib import Path

    readme = " ".join((Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8").split())
    quoted = re.search(r"`(y\[0, 1, 1\] = 0\.75[^`]*)`", readme)[1]
    spec = convgif.UpsampleSpec((1, 3, 3), scale_factor=2, mode="bilinear")
    (drawn,) = ops.of(spec).drawings(spec, convgif.record(spec, seed=0))
    step = drawn.playback.show(7)  # output (1, 1)
    assert step.sums[0] == quoted and "from source (0.25, 0.25)" in step.text


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_nearest_indices_follow_torchs_float32_rules_on_awkward_scales():
    factors = [1 / 3, 0.7, 1.3, 1.7, 2.2, 2.5, 3.3, 5 / 3, 7 / 3, 2.0]
    for dims in (1, 2, 3):
        for n in range(1, 11):
            shape = (1, *(1,) * (dims - 1), n)
            x = torch.arange(float(n), dtype=torch.float64).reshape(1, *shape)
            for mode in ("nearest", "nearest-exact"):
                for factor in factors:
                    for recompute in (False, True):
                        scale = (1.0,) * (dims - 1) + (factor,)
                        module = torch.nn.Upsample(scale_factor=scale, mode=mode, recompute_scale_factor=recompute)
                        try:
                            want = module(x)[0].numpy()
                        except RuntimeError:  # an empty output
                            continue
                        spec = convgif.UpsampleSpec(
                            shape, scale_factor=scale, mode=mode, recompute_scale_factor=recompute
                        )
                        got = convgif.record(spec, input=x[0].numpy()).output
                        np.testing.assert_array_equal(got, want, err_msg=f"{dims} {n} {mode} {factor} {recompute}")


@pytest.mark.parametrize("corners", [True, False])
def test_a_rule_per_axis_gives_its_reason_once(corners):
    """Trilinear with three scale factors has a source rule per axis; why the rule is what it is
    (align_corners, or half-pixel centres) is said once, after the last of them."""
    from convgif.ops.resample_picture import rule_notes

    spec = ops.operation("Upsample").build(
        input_shape=(1, 2, 3, 3), scale_factor=(2, 1.5, 2.5), mode="trilinear", align_corners=corners
    )
    rules = rule_notes(spec)[0]
    why = "(align_corners: the corner cells line up)" if corners else "(half-pixel centres, at least 0)"
    assert rules.count("source ") == 3 and rules.count(why) == 1 and rules.endswith(why), rules


def _loop_weights(spec) -> dict:
    """Per input cell, the output cells that read it with their weights, the taps of one output
    cell on one input cell added up (the loop implementation of torch's rules)."""
    found: dict = {}
    n, m = spec.input_shape[1:], spec.output_shape[1:]
    for at in np.ndindex(*m):
        reads = [
            ref._axis_reads(i, a, b, spec.mode, spec.corners, f, 2) for i, a, b, f in zip(at, n, m, spec.kernel_factors)
        ]
        for combination in itertools.product(*reads):
            cell = found.setdefault(tuple(j for j, _ in combination), {})
            cell[at] = cell.get(at, 0.0) + math.prod(w for _, w in combination)
    return {cell: {out: w for out, w in outs.items() if w != 0} for cell, outs in found.items()}


def _weighed_terms(entry: str) -> tuple[list[tuple[float, float]], int]:
    """The (signed weight, dy) of each term of ``dx[…] = (w·v + w·v …)/q = total`` (q = 1 when
    there is none), and q."""
    listed = re.fullmatch(r"dx\[[\d, ]+\] = (?:\((.*)\)/(\d+)|(.*)) = \S+", entry)
    assert listed is not None, entry
    body, q = (listed.group(1), int(listed.group(2))) if listed.group(1) else (listed.group(3), 1)
    terms = []
    for sign, weight, value in re.findall(r"(^-|^|[+−-] )([\d.]+)·(\(-[\d.]+\)|[\d.]+)", body):
        terms.append(((-1 if sign.strip() in ("−", "-") else 1) * float(weight), float(value.strip("()"))))
    assert len(terms) == body.count("·"), entry
    return terms, q


@pytest.mark.parametrize(
    "shape, kwargs",
    [
        ((1, 3, 3), dict(scale_factor=2, mode="bilinear")),
        ((1, 3, 3), dict(scale_factor=3, mode="bilinear")),
        ((1, 3, 3), dict(size=(5, 6), mode="bilinear", align_corners=True)),
        ((2, 4), dict(scale_factor=2, mode="linear")),
        ((1, 1, 3), dict(size=(1, 5), mode="bicubic")),
    ],
)
def test_a_backward_sum_has_a_term_for_each_dy_cell_ringed_row_by_row(shape, kwargs):
    """A bilinear output past the last input centre reads it with both taps (3/4 + 1/4): one
    term of weight 1 all the same, at every edge alike, the dy in brackets when negative; a
    weight of 1 is written too."""
    from convgif.animation import Look
    from convgif.animation.job import Job

    spec = convgif.UpsampleSpec(shape, **kwargs)
    weights = _loop_weights(spec)
    job = Job(spec, Look(values=True), {"backward": True}, max_frames=10**6, grad_output=True)
    (drawn,) = job.drawings
    dy = np.asarray(job.recording.grad_output).reshape(shape[0], -1, spec.output_shape[-1])
    listed = 0
    for step in range(drawn.geometry.steps):
        shown = drawn.playback.show(step)
        at = np.unravel_index(step, shape[1:])
        for c, entry in enumerate(shown.sums):
            ringed = [(int(y), int(x)) for _, y, x in shown.reads[c].cells.tolist()]
            assert ringed == sorted(ringed) and len(set(ringed)) == len(ringed), entry  # row by row, once each
            want = weights[tuple(int(i) for i in at)]
            if len(shape) == 2:  # one axis, drawn as one row
                want = {(0, x): w for (x,), w in want.items()}
            assert set(ringed) == set(want), entry
            assert not re.search(r"·[-−]", entry), entry  # a negative dy in brackets
            if "Σ" in entry:
                assert f"over the {len(ringed)} cells ringed" in entry
                continue
            terms, q = _weighed_terms(entry)
            assert len(terms) == len(ringed), entry
            for (weight, value), (y, x) in zip(terms, ringed):
                assert weight / q == pytest.approx(want[(y, x)], rel=5e-3), entry
                assert value == dy[c, y, x], entry
            listed += 1
    assert listed >= 3


def test_the_reviewers_bilinear_corner_reads_as_its_frame():
    """The sum of the last cell of a 3×3 map doubled, and a value exactly halfway (−50/16)."""
    from convgif.animation import Look
    from convgif.animation.job import Job

    dy = np.array(
        [
            [[-2, 1, -2, -2, -2, 1], [-1, 0, 0, -2, -1, -2], [0, -2, 2, 0, -1, 2]],
            [[2, -2, 2, -1, 2, -2], [-1, 2, -2, 1, -2, -2], [-2, 0, -2, 0, -1, -1]],
        ]
    ).reshape(1, 6, 6)
    spec = convgif.UpsampleSpec((1, 3, 3), scale_factor=2, mode="bilinear")
    (drawn,) = Job(spec, Look(values=True), {"backward": True}, max_frames=10**6, grad_output=dy).drawings
    last = drawn.playback.show(8).sums[0]
    assert last == (
        "dx[0, 2, 2] = (1·(-1) + 3·2 + 4·(-2) + 3·1 + 9·(-2) + 12·(-2) + 4·0 + 12·(-1) + 16·(-1))/16 = -4.38"
    )
    first = drawn.playback.show(0).sums[0]
    assert first.startswith("dx[0, 0, 0] = (16·(-2) + 12·1 + 4·(-2) + 12·(-1) + ")
    assert drawn.playback.show(2).sums[0].endswith(")/16 = -3.13")  # −3.125, as rounded by hand
