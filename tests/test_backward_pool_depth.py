"""The backward pictures of the 3-D poolings, one output depth slice at a time
(convgif/ops/backward_pool_depth.py): played frame by frame on random layers, every sum line's
numbers are the cells' values before and after its step and add up, each dx[c, d] slice goes on
from where the picture before left it, and the last value drawn of every slice is the gradient
record(grad_output=...) gives (test_backward.py checks those against torch's autograd)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from test_backward import cases, values_for

import convgif
from convgif import ops
from convgif.errors import SpecError

KINDS = ["MaxPool3d", "AvgPool3d", "LPPool3d", "AdaptiveAvgPool3d", "AdaptiveMaxPool3d", "FractionalMaxPool3d"]
#: Random layers per kind, each played step by step.
CASES = 50

HEAD = re.compile(r"^dx\[(\d+), (-?\d+), ([\d:]+), ([\d:]+)\] ")
DY = r"dy\[(\d+), (\d+), (\d+), (\d+)\]"
ONE = re.compile(rf"^= (\S+) \+ {DY}(.*?) = (\S+) ([+−]) (.+?) = (\S+)$")
EACH = re.compile(rf"^\+= {DY}(.*?) = (\S+)(.*?) = (\S+) each$")
LISTED = re.compile(rf"^\+= {DY}·∂y/∂x = (.+)$")
NOWHERE = re.compile(rf"^{DY} = (\S+) goes nowhere$")
REASON = re.compile(r" \((?:[^()]|\([^()]*\))*\)$")


def number(text: str) -> float:
    text = text.replace("−", "-").replace("∞", "inf")
    return float(text)


def expression(text: str) -> float:
    """``2 / 12`` or ``-1 · 0.5``, as the sum lines write what a link does to dy."""
    value, *rest = text.split(" ")
    total = number(value)
    for op, operand in zip(rest[::2], rest[1::2]):
        total = total / number(operand) if op == "/" else total * number(operand)
    return total


def near(got: float, want: float, *scale: float) -> bool:
    if math.isnan(want) or math.isnan(got):
        return math.isnan(want) and math.isnan(got)
    size = max([abs(want), abs(got), *(abs(s) for s in scale if math.isfinite(s))])
    return abs(got - want) <= 1e-2 * size + 1e-12


def span(text: str) -> slice:
    first, _, last = text.partition(":")
    return slice(int(first), int(last) if last else int(first) + 1)


def check_entry(entry: str, k: int, before: np.ndarray, after: np.ndarray, dy: np.ndarray, where) -> str:
    """One sum-line entry of slice ``k``: what it names and writes is what the cells hold; its form."""
    entry = REASON.sub("", entry)
    found = NOWHERE.match(entry)
    if found:
        assert np.array_equal(before[k], after[k], equal_nan=True), where
        assert near(number(found.group(5)), dy[tuple(int(g) for g in found.groups()[:4])]), where
        return "nowhere"
    head = HEAD.match(entry)
    assert head, (entry, where)
    rows, cols = span(head.group(3)), span(head.group(4))
    rest = entry[head.end() :]
    if found := ONE.match(rest):
        written, g, factor = number(found.group(1)), tuple(int(v) for v in found.group(2, 3, 4, 5)), found.group(6)
        assert number(found.group(7)) == written, where
        added = expression(found.group(9)) * (-1 if found.group(8) == "−" else 1)
        total = number(found.group(10))
        cell = (k, rows.start, cols.start)
        assert near(written, before[cell]) and near(total, after[cell]), (entry, before[cell], after[cell], where)
        assert near(written + added, total, written, added), (entry, where)
        assert near(added, expression(f"{dy[g]}{factor}")), (entry, where)
        return "one"
    if found := EACH.match(rest):
        g, factor = tuple(int(v) for v in found.group(1, 2, 3, 4)), found.group(5)
        value, each = number(found.group(6)), number(found.group(8))
        assert found.group(7) == factor and near(value, dy[g]), (entry, where)
        assert near(expression(f"{found.group(6)}{factor}"), each), (entry, where)
        change = (after[k] - before[k])[rows, cols]
        assert all(near(v, each) for v in change.ravel()), (entry, change, where)
        return "each"
    found = LISTED.match(rest)
    assert found, (entry, where)
    terms = [number(t) for t in found.group(5).split(", ")]
    change = (after[k] - before[k])[rows, cols].ravel()
    assert len(terms) == change.size, (entry, where)
    assert all(near(t, v) for t, v in zip(terms, change)), (entry, change, where)
    return "listed"


def play_checked(drawn, steps: int, layout, dy: np.ndarray, z: int, where, forms: set, total: int) -> np.ndarray:
    """Every step of one depth picture (played once, as a render plays it), its entries checked
    against the cells and the first drawn whole in the render's ``layout``; the final dx. Its step
    line counts through the ``total`` steps of every slice of dx, each slice ``steps`` long."""
    from convgif.picture.overlay import _fit_lines

    canvas = np.array(drawn.start, dtype=float)
    for step in range(steps):
        before = canvas.copy()
        for write in drawn.playback.advance(step):
            canvas[write.channel][np.ix_(write.rows, write.cols)] = write.values
        shown = drawn.playback.show(step)
        oy, ox = divmod(step, drawn.geometry.kernel[1])
        assert (shown.text + " ").startswith(f"dy at ({z}, {oy}, {ox}) · step {z * steps + step + 1}/{total} "), (
            shown.text,
            where,
        )
        assert len(shown.sums) == len(shown.sum_channels)
        changed = {k for k in range(canvas.shape[0]) if not np.array_equal(before[k], canvas[k], equal_nan=True)}
        assert changed <= set(shown.sum_channels), (shown.sums, changed, where)  # no cell written unsaid
        for entry, k in zip(shown.sums, shown.sum_channels):
            forms.add(check_entry(entry, k, before, canvas, dy, (where, z, step)))
        entries = shown.sums_drawn(layout.outputs)
        lines = " ".join(_fit_lines(entries, layout.sum_width, layout.sum_lines)).replace(" ", "")
        assert not entries or entries[0].replace(" ", "") in lines, (entries[0], where)
    return canvas


def labels(drawn) -> list:
    """The (channel, depth) of each dx slice the picture draws, read from its labels (None for a
    slice of padding: drawn only where a window's every slice is padding)."""
    texts = [drawn.geometry.output_label(k) for k in range(len(drawn.output))]
    found = [re.fullmatch(r"dx\[(\d+), (\d+)\]", text) for text in texts]
    assert all(m or text == "no dx: padding" for m, text in zip(found, texts)), texts
    return [(int(m.group(1)), int(m.group(2))) if m else None for m in found]


def empty_window_elsewhere(rec) -> bool:
    """Whether a max's window holds no input cell (torch then follows its index anyway)."""
    winners = getattr(rec.forward, "winners", None)
    return winners is not None and bool((winners[..., 0] < 0).any())


@pytest.mark.parametrize("name", KINDS)
def test_the_depth_pictures_write_each_slices_gradient_step_by_step(name):
    from convgif.animation import Look
    from convgif.animation.job import Job

    generator = np.random.default_rng(len(name))
    drawn_cases, forms = 0, set()
    for case, (spec, shape, _) in enumerate(cases(name, CASES, 29)):
        values = values_for(generator, spec, shape, case, name)
        try:
            job = Job(spec, Look(values=True), {"backward": True}, max_frames=10**6, **values, grad_output=True)
        except SpecError as error:
            assert error.argument == "backward" and "holds no input cell" in str(error), (spec, error)
            assert empty_window_elsewhere(convgif.record(spec, grad_output=True, **values)), spec
            continue
        rec = job.recording
        dy, grad = rec.grad_output, rec.grad_input
        assert len(job.drawings) == spec.output_shape[1]
        last: dict[tuple[int, int], np.ndarray] = {}
        for z, (drawn, steps, layout) in enumerate(zip(job.drawings, job.shown, job.layouts)):
            assert steps == math.prod(spec.output_shape[2:])
            where = (name, spec, z)
            slices = labels(drawn)
            for k, pair in enumerate(slices):
                if pair is None:  # padding: nothing reaches it
                    assert not drawn.start[k].any() and not drawn.output[k].any(), where
                    continue
                c, d = pair
                assert drawn.geometry.kernel_label(k, 0) == f"dy[{c}, {z}]", where
                start = last.get((c, d))
                if start is not None:  # goes on from the picture before
                    np.testing.assert_array_equal(drawn.start[k], start, err_msg=str(where))
                elif not name.startswith("LPPool"):
                    assert not drawn.start[k].any(), where
            final = play_checked(drawn, steps, layout, dy, z, where, forms, sum(job.shown))
            np.testing.assert_allclose(final, drawn.output, equal_nan=True, err_msg=str(where))
            for k, pair in enumerate(slices):
                if pair is not None:
                    last[pair] = drawn.output[k]
        for c in range(grad.shape[0]):
            for d in range(grad.shape[1]):
                if (c, d) in last:
                    np.testing.assert_allclose(last[(c, d)], grad[c, d], equal_nan=True, err_msg=str((spec, c, d)))
                else:  # a depth no window reads: no dy reaches it
                    assert np.all((grad[c, d] == 0) | np.isnan(grad[c, d])), (spec, c, d)
        drawn_cases += 1
    assert drawn_cases >= CASES * 3 // 4, (name, drawn_cases)
    assert FORMS[name] <= forms, (name, forms)  # every kind of entry the kind writes was checked


#: The entries each kind's sum lines are seen to write on the random layers: a max's one cell
#: (before + dy = after), an average's dy shared by a window (``/ n = v each``), an LP norm's
#: terms listed (or, for p = ±∞ and one-cell windows, one cell).
FORMS = {
    "MaxPool3d": {"one"},
    "AvgPool3d": {"one", "each"},
    "LPPool3d": {"one", "listed"},
    "AdaptiveAvgPool3d": {"one", "each"},
    "AdaptiveMaxPool3d": {"one"},
    "FractionalMaxPool3d": {"one"},
}


def test_a_max_whose_empty_window_sends_its_dy_to_another_depth_is_refused_naming_backward(tmp_path):
    spec = ops.operation("MaxPool3d").build(
        input_shape=(2, 4, 1, 2), kernel_size=2, stride=(2, 1, 3), padding=(0, 1, 1), dilation=2
    )
    rec = convgif.record(spec, grad_output=True)
    assert empty_window_elsewhere(rec)
    with pytest.raises(SpecError) as error:
        convgif.render(spec, tmp_path / "a.gif", backward=True)
    assert error.value.argument == "backward" and "holds no input cell" in str(error.value)
    assert not list(tmp_path.iterdir())


def test_every_kind_draws_its_examples_backward_pass_or_refuses_it(tmp_path):
    """No traceback: a kind whose backward pass is drawn draws its example; the rest refuse it,
    naming backward."""
    for op in ops.operations():
        spec = op.spec_type(**op.example())
        target = tmp_path / f"{op.name}.gif"
        if op.backward_drawn:
            result = convgif.render(spec, target, backward=True)
            assert result.frames > 0 and target.exists(), op.name
        else:
            with pytest.raises(SpecError) as error:
                convgif.render(spec, target, backward=True)
            assert error.value.argument == "backward", (op.name, error.value)
    assert {name for name in KINDS if ops.operation(name).backward_drawn} == set(KINDS)


def _cli(*args):
    from click.testing import CliRunner

    from convgif.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


LINES = [
    ("MaxPool3d", "--in 2,3,4,4 --k 2 --s 1"),
    ("AvgPool3d", "--in 1,3,4,4 --k 3,2,2 --s 2 --p 1,0,0"),
    ("LPPool3d", "--in 1,3,4,4 --k 2 --norm-type 2 --ceil-mode --s 2"),
    ("AdaptiveAvgPool3d", "--in 1,4,5,5 --output-size 2,3,3"),
    ("AdaptiveMaxPool3d", "--in 2,3,4,4 --output-size 2 --return-indices"),
    ("FractionalMaxPool3d", "--in 2,5,5,5 --k 2 --output-size 2"),
]


@pytest.mark.parametrize("name, line", LINES)
def test_the_cli_draws_the_backward_pass_and_info_counts_its_steps(name, line, tmp_path):
    import json

    from PIL import Image

    args = ["--layer", name, *line.split()]
    result = _cli(*args, "--backward", "-q", "-o", str(tmp_path / "b.gif"))
    assert result.exit_code == 0, result.output
    with Image.open(tmp_path / "b.gif") as gif:
        frames = gif.n_frames
    info = _cli("info", *args, "--backward", "--json")
    assert info.exit_code == 0, info.output
    facts = json.loads(info.output)
    assert facts["frames"] == frames == math.prod(facts["output_shape"][1:])
    text = _cli("info", *args, "--backward").output
    assert "not drawn" not in text and f"frames {frames}" in text
