"""The backward pass of a three-axis Upsample and ChannelShuffle, drawn one output depth slice at
a time: on random valid layers, every step rings exactly the dy cells of its output slice that
read the input cell (by the loop implementation of torch's rules), its sum line names them with
their weights or lists their weighted values and adds them, to what dx held after the previous
picture of that slice, up to the value written; the pictures put together are the recording's
gradient, which is torch's."""

from __future__ import annotations

import json
import re
import shlex

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from test_backward import played
from test_resample_depth import random_shuffles, random_upsamples, reads

import convgif
from convgif import ops
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.cli import main
from convgif.ops.depth_steps import depth_range

try:
    import torch
except ImportError:
    torch = None

#: Random layers of each kind, played step by step.
CASES = 200


def read_by(spec) -> dict:
    """Per input cell (c, d, y, x), the output cells (c, z, oy, ox) that read it, each with the
    weight it read the cell with (the taps of one output cell on one input cell added up)."""
    found: dict = {}
    c, d_out, ho, wo = spec.output_shape
    for z, oy, ox in np.ndindex(d_out, ho, wo):
        for d, wd in reads(spec, 0, z):
            for y, wy in reads(spec, 1, oy):
                for x, wx in reads(spec, 2, ox):
                    for ch in range(c):
                        cell = found.setdefault((ch, d, y, x), {})
                        cell[(ch, z, oy, ox)] = cell.get((ch, z, oy, ox), 0.0) + wd * wy * wx
    return found


def number(text: str) -> float:
    return float(text.strip().strip("()").replace("−", "-"))


def signed_terms(expression: str) -> list[str]:
    """The signed terms of ``a + b − c`` outside brackets, each with its sign (``-`` or none)."""
    terms, depth, start, sign = [], 0, 0, ""
    text = expression.replace("−", "-")
    i = 0
    while i < len(text):
        ch = text[i]
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and text[i : i + 3] in (" + ", " - "):
            terms.append(sign + text[start:i])
            sign, start = ("-" if text[i + 1] == "-" else ""), i + 3
            i += 3
            continue
        i += 1
    terms.append(sign + text[start:])
    return terms


def products(expression: str) -> list[float]:
    """The values a sum adds: ``w·v`` terms as products, a ``(…)/n`` list over its denominator."""
    found = []
    for term in signed_terms(expression):
        negative = term.startswith("-")
        term = term.lstrip("-")
        over = re.fullmatch(r"\((.*)\)/(\d+)", term)
        if over is not None:
            found += [(-p if negative else p) / int(over.group(2)) for p in products(over.group(1))]
            continue
        if term.startswith("(") and term.endswith(")") and "·" not in term.split(")")[0][:2]:
            inner = products(term[1:-1])
            found += [-p for p in inner] if negative else inner
            continue
        value = 1.0
        for factor in term.split("·"):
            value *= number(factor)
        found.append(-value if negative else value)
    return found


def check_entry(entry: str, head: str, want: float, taken: dict, dy: np.ndarray, held, where) -> None:
    """A gather's entry: it names ``head``, writes ``want``, and adds ``w · dy`` of exactly the
    cells of ``taken`` (cell: weight) to what dx ``held`` (None: the first picture into it)."""
    assert entry.startswith(f"{head} = "), (entry, head, where)
    rest = entry[len(head) + 3 :]
    if rest == "0: no output cell took it":
        assert not taken and want == 0 and not held, (entry, where)
        return
    parts = rest.split(" = ")
    total = number(parts[-1])
    assert total == pytest.approx(want, rel=5e-3, abs=5e-3), (entry, want, where)
    expected = sorted(w * float(dy[cell]) for cell, w in taken.items())
    if len(parts) == 3 or parts[0].startswith("dy["):  # the terms by name (then by value)
        named = re.findall(r"(?:([\d.e−-]+)·)?dy\[(\d+), (\d+), (\d+), (\d+)\]", parts[0])
        cells = {tuple(map(int, m[1:])): (1.0 if not m[0] else number(m[0])) for m in named}
        assert cells.keys() == taken.keys(), (entry, taken, where)
        for cell, weight in cells.items():
            assert weight == pytest.approx(taken[cell], rel=5e-3), (entry, cell, where)
        if len(parts) == 2:  # one term, its weight 1: the value is the total's
            assert held is None and want == pytest.approx(float(dy[next(iter(cells))])), (entry, where)
            return
    body = parts[-2]
    if held is not None:  # what dx held, then what this picture adds
        first = re.match(r"(\S+) ([+−]) (.*)$", body)
        assert first is not None and number(first.group(1)) == pytest.approx(held, rel=5e-3, abs=5e-3), (entry, where)
        body = first.group(3) if first.group(2) == "+" else "−" + first.group(3)
    if body.startswith("Σ"):
        assert re.fullmatch(rf"Σ (weight·)?dy over the {len(taken)} cells ringed", body), (entry, where)
        return
    listed = sorted(products(body))
    assert listed == pytest.approx(expected, rel=5e-3, abs=5e-3), (entry, expected, where)
    assert sum(listed) + (held or 0) == pytest.approx(total, rel=5e-3, abs=2e-2), (entry, where)


def play(spec, job) -> np.ndarray:
    """Every picture of an Upsample played step by step, each step checked; the dx they write."""
    rec = job.recording
    dy = np.asarray(rec.grad_output)
    taken = read_by(spec)
    dx = np.zeros(rec.grad_input.shape)
    held: dict = {}
    ahead, total = 0, sum(job.shown)  # the slices of dx counted as one
    for drawn, steps in zip(job.drawings, job.shown):
        first, ahead = ahead, ahead + steps
        geometry = drawn.geometry
        d = int(re.fullmatch(r"dx\[0, (\d+)\]", geometry.output_label(0)).group(1))
        if steps == 1 and not geometry.inputs_drawn:  # no output slice read it
            assert not any(key[1] == d for key in taken), (spec, d)
            shown = drawn.playback.show(0)
            assert shown.sums == tuple(f"dx[{c}, {d}, :, :] = 0" for c in range(spec.in_channels))
            continue
        (z,) = {int(re.fullmatch(rf"dy\[{c}, (\d+)\]", geometry.input_text(c)).group(1)) for c in range(dy.shape[0])}
        note = geometry.notes[-1]
        assert (
            note.startswith(f"depth {z} ({depth_range(spec.output_shape[1])}): y[:, {z}] ") and f"dx[:, {d}]" in note
        ), note
        weight = re.search(r"with depth weight ([\d.]+(?: \+ [\d.]+)*), ", note)
        if spec.mode in ("nearest", "nearest-exact"):
            assert weight is None and f"y[:, {z}] copied its cells from x[:, {d}]" in note, note
        else:  # the depth's weight, as the loop implementation reads depth d for output depth z
            read = sum(w for depth, w in reads(spec, 0, z) if depth == d)
            assert sum(map(float, weight.group(1).split(" + "))) == pytest.approx(read, rel=1e-3), note
        assert steps == drawn.output.shape[1] * drawn.output.shape[2]
        if d in held:  # adding to what earlier pictures gathered into dx[:, d]
            np.testing.assert_allclose(drawn.start, dx[:, d])
        else:
            assert drawn.start is None
        for step in range(steps):
            writes = drawn.playback.advance(step)
            shown = drawn.playback.show(step)
            for write in writes:
                dx[write.channel, d][np.ix_(write.rows, write.cols)] = write.values
            y, x = divmod(step, drawn.output.shape[2])
            for c in range(spec.in_channels):
                want = {cell: w for cell, w in taken.get((c, d, y, x), {}).items() if cell[1] == z}
                cells = {(c, z, oy, ox) for _, oy, ox in shown.reads[c].cells.tolist()}
                assert cells == set(want), (spec, (c, d, y, x), cells, want)
                before = held[d][c, y, x] if d in held else None
                check_entry(shown.sums[c], f"dx[{c}, {d}, {y}, {x}]", dx[c, d, y, x], want, dy, before, (spec, z, step))
            assert shown.text.startswith(f"dx at ({d}, {y}, {x}) · step {first + step + 1}/{total}"), shown.text
        held[d] = dx[:, d].copy()
    return dx


def torch_grad(spec, rec) -> np.ndarray:
    x = torch.tensor(rec.input, dtype=torch.float64, requires_grad=True)
    if spec.NAME == "ChannelShuffle":
        y = torch.nn.functional.channel_shuffle(x[None], spec.groups)
    else:
        kw = {"align_corners": spec.align_corners} if spec.mode == "trilinear" else {}
        y = torch.nn.functional.interpolate(
            x[None],
            size=spec.size,
            scale_factor=spec.scale_factor,
            mode=spec.mode,
            recompute_scale_factor=spec.recompute_scale_factor,
            **kw,
        )
    (grad,) = torch.autograd.grad(y[0], [x], torch.tensor(rec.grad_output, dtype=torch.float64))
    return grad.numpy()


def test_every_upsample_step_gathers_the_weighted_dy_that_read_the_cell_and_the_slices_make_the_gradient():
    generator = np.random.default_rng(3)
    for case, spec in enumerate(random_upsamples(CASES, seed=7)):
        out_shape = spec.output_shape
        dy = generator.integers(-3, 4, out_shape) if case % 3 else generator.normal(size=out_shape).round(2)
        job = Job(spec, view={"backward": True}, max_frames=10**6, grad_output=dy)
        assert job.total == sum(job.shown)
        dx = play(spec, job)
        np.testing.assert_allclose(dx, job.recording.grad_input, err_msg=str(spec))
        np.testing.assert_array_equal(dx, job.recording.grad_input)  # added in torch's order: the same bits
        if torch is not None and case % 5 == 0:
            np.testing.assert_allclose(dx, torch_grad(spec, job.recording), err_msg=str(spec))
        if case % 10 == 0:  # with values, each step's first entry fits its sum line
            look = Job(spec, Look(values=True), {"backward": True}, max_frames=10**6, grad_output=dy)
            for drawn, steps, layout in zip(look.drawings, look.shown, look.layouts):
                played(drawn, steps, layout)


def test_every_shuffle_slice_copies_each_dx_channel_from_the_dy_channel_it_went_to():
    generator = np.random.default_rng(5)
    for case, spec in enumerate(random_shuffles(CASES, seed=7)):
        c, depth = spec.in_channels, spec.input_shape[1]
        dy = generator.integers(-3, 4, spec.output_shape)
        job = Job(spec, view={"backward": True}, max_frames=10**6, grad_output=dy)
        assert job.shown == [c] * depth
        destination = {int(s): j for j, s in enumerate(spec.sources)}
        dx = np.full(dy.shape, np.nan)
        for z, (drawn, steps) in enumerate(zip(job.drawings, job.shown)):
            geometry = drawn.geometry
            assert [geometry.input_text(i) for i in range(c)] == [f"dy[{i}, {z}]" for i in range(c)]
            assert (
                geometry.notes[-1]
                == f"depth {z} ({depth_range(depth)}): dx[:, {z}] is the channel un-shuffle of dy[:, {z}]"
            )
            assert drawn.start is None
            for step in range(steps):
                j = destination[step]
                (write,) = drawn.playback.advance(step)
                shown = drawn.playback.show(step)
                assert write.channel == step and geometry.output_label(step) == f"dx[{step}, {z}]"  # in its place
                assert geometry.out_group(step) == j and shown.trail == tuple(range(step))  # its line from dy[j]
                dx[step, z][np.ix_(write.rows, write.cols)] = write.values
                assert shown.sums == (f"dx[{step}, {z}] = dy[{j}, {z}]",)
                assert shown.text == f"depth {z}: dx[{step}] copies dy[{j}] · step {z * c + step + 1}/{depth * c}"
                ringed = {tuple(cell) for cell in shown.reads[j].cells.tolist()}
                assert ringed == {(j, y, x) for y, x in np.ndindex(*dy.shape[2:])}
                np.testing.assert_array_equal(write.values, dy[j, z])
        np.testing.assert_array_equal(dx, job.recording.grad_input)
        if torch is not None and case % 5 == 0:
            np.testing.assert_array_equal(dx, torch_grad(spec, job.recording))
        if case % 10 == 0:
            look = Job(spec, Look(values=True), {"backward": True}, max_frames=10**6, grad_output=dy)
            for drawn, steps, layout in zip(look.drawings, look.shown, look.layouts):
                played(drawn, steps, layout)


def test_a_trilinear_slice_goes_back_to_the_two_depths_it_read_with_their_weights():
    spec = convgif.UpsampleSpec(input_shape=(1, 2, 2, 2), scale_factor=2, mode="trilinear")
    job = Job(spec, view={"backward": True}, max_frames=10**6, grad_output=True)
    pictures = [(d.geometry.input_text(0), d.geometry.output_label(0)) for d in job.drawings]
    assert pictures == [
        ("dy[0, 0]", "dx[0, 0]"),
        ("dy[0, 1]", "dx[0, 0]"),
        ("dy[0, 1]", "dx[0, 1]"),
        ("dy[0, 2]", "dx[0, 0]"),
        ("dy[0, 2]", "dx[0, 1]"),
        ("dy[0, 3]", "dx[0, 1]"),
    ]
    notes = [d.geometry.notes[-1] for d in job.drawings]
    assert "read x[:, 0] with depth weight 0.75, so dy[:, 1] goes back to dx[:, 0]" in notes[1]
    assert "read x[:, 1] with depth weight 0.25, so dy[:, 1] goes back to dx[:, 1]" in notes[2]
    assert "with depth weight 0.75 + 0.25" in notes[5] and notes[5].count("adding to what depths 1, 2 sent it") == 1
    assert [d.start is None for d in job.drawings] == [True, False, True, False, False, False]
    np.testing.assert_array_equal(play(spec, job), job.recording.grad_input)


def test_an_input_slice_no_output_slice_reads_is_one_step_of_zeros():
    spec = convgif.UpsampleSpec(input_shape=(1, 4, 2, 2), size=(2, 2, 2), mode="nearest")
    job = Job(spec, view={"backward": True}, max_frames=10**6, grad_output=True)
    labels = [d.geometry.output_label(0) for d in job.drawings]
    assert labels == ["dx[0, 0]", "dx[0, 2]", "dx[0, 1]", "dx[0, 3]"] and job.shown == [4, 4, 1, 1]
    np.testing.assert_array_equal(play(spec, job), job.recording.grad_input)


@pytest.mark.parametrize(
    "line",
    [
        "--layer Upsample --in 1,2,2,2 --scale-factor 2",
        "--layer Upsample --in 2,2,3,2 --scale-factor 2 --mode trilinear",
        "--layer Upsample --in 1,2,2,3 --size 3,3,2 --mode trilinear --align-corners",
        "--layer Upsample --in 1,3,3,3 --size 2,4,4 --mode area",
        "--layer Upsample --in 1,3,2,2 --scale-factor 1.5 --mode nearest-exact",
        "--layer ChannelShuffle --in 4,2,2,2 --g 2",
        "--layer ChannelShuffle --in 6,3,2,1 --g 3",
    ],
)
def test_the_cli_draws_the_backward_pass_and_info_counts_its_frames(line, tmp_path):
    runner = CliRunner()
    out = tmp_path / "b.gif"
    result = runner.invoke(main, [*shlex.split(line), "--backward", "-o", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["info", *shlex.split(line), "--backward", "--json"])
    assert result.exit_code == 0 and "not drawn" not in result.output, result.output
    with Image.open(out) as gif:
        frames = gif.n_frames
    facts = json.loads(result.output)
    assert facts["frames"] == frames == facts["steps"]
    spec = ops.operation(facts["kind"]).build(**{"input_shape": tuple(facts["input_shape"]), **_args(facts)})
    assert frames == sum(Job(spec, view={"backward": True}, max_frames=10**6, grad_output=True).shown)


def _args(facts: dict) -> dict:
    if facts["kind"] == "ChannelShuffle":
        return {"groups": facts["groups"]}
    keys = ("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor")
    return {k: tuple(v) if isinstance(v, list) else v for k, v in facts.items() if k in keys}
