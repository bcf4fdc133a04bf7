"""LPPool3d drawn one output depth slice at a time: every step writes the recording's value (the
independent loop's, torch's), every power sum written from the input cells the frame shows in
the window, every label the 3-D layer's."""

from __future__ import annotations

import math
import random
import re

import numpy as np
import pytest
import reference_nd as ref

from convgif import SpecError, ops, record
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.ops.depth_steps import depth_range
from convgif.ops.lp import LPPool3dSpec
from convgif.picture.numbers import format_value


def random_spec(rng: random.Random):
    while True:
        shape = (rng.randint(1, 2), *(rng.randint(1, 5) for _ in range(3)))
        kernel = tuple(rng.randint(1, 3) for _ in range(3))
        stride = rng.choice([None, tuple(rng.randint(1, 3) for _ in range(3))])
        p = rng.choice([1, 2, 3, 1.5, math.inf, -math.inf])
        try:
            return LPPool3dSpec(shape, p, kernel, stride, rng.random() < 0.4)
        except SpecError:
            continue


SPECS = [random_spec(random.Random(i)) for i in range(40)]
SPECS += [LPPool3dSpec((2, 4, 5, 5), 2, 2), LPPool3dSpec((1, 5, 5, 5), 3, 2, ceil_mode=True)]


def base(term: str) -> str:
    """A term's input value as written: ``3²``, ``3^1.5``, ``|3|`` → ``3``."""
    term = term.strip("|")
    term = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+$", "", term.split("^")[0])
    return term[1:-1] if term.startswith("(") else term


def check_sum(spec, drawn, line, reads, c, z, oy, ox, y):
    cells = drawn.grid[tuple(reads.cells.T)].astype(float)  # the frame's cells inside the input
    p, k = spec.norm_type, math.prod(spec.kernel_size)
    head = f"y[{c}, {z}, {oy}, {ox}] = "
    assert line.startswith(head), line
    body = line[len(head) :]
    if math.isinf(p):
        match = re.fullmatch(rf"{'max' if p > 0 else 'min'}\((.*)\) = (\S+)", body)
        assert match, line
        assert [base(t) for t in match[1].split(", ")] == [format_value(v) for v in cells]
        assert (abs(cells).max() if p > 0 else abs(cells).min()) == y
        return
    terms = re.match(r"^\(*([^()]*(?:\([^()]*\)[^()]*)*?)\)?(?: / (\d+) · (\d+))?\)?(?:\^|\s=)", body)
    assert terms, line
    listed = [base(t) for t in terms[1].split(" + ")]
    assert listed == [format_value(v) for v in cells], (line, cells)
    divisor = int(terms[2]) if terms[2] else k
    assert divisor == len(cells) and (terms[3] is None or int(terms[3]) == k)
    assert (np.sum(cells**p) / divisor * k) ** (1 / p) == pytest.approx(y)
    assert line.endswith(f"= {format_value(y)}") or "a window cut by the edge" in line


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.caption)
def test_every_depth_slice_writes_the_recordings_values_read_from_the_frame(spec):
    rec = record(spec, seed=5)
    values, _ = ref.lp_pool(rec.input, spec.norm_type, spec.kernel_size, spec.stride, spec.ceil_mode)
    np.testing.assert_allclose(rec.output, values)
    drawings = ops.of(spec).drawings(spec, rec)
    c, dout, ho, wo = spec.output_shape
    kd, s = spec.kernel_size[0], spec.stride[0]
    assert len(drawings) == dout
    for z, drawn in enumerate(drawings):
        geometry = drawn.geometry
        assert geometry.caption == spec.caption and geometry.notes[-1].startswith(f"depth {z} ({depth_range(dout)}): ")
        for slot in range(c * kd):
            depth = z * s + slot % kd
            inside = depth < spec.input_shape[1]  # else ceil_mode's overhang, never x[0, 5]
            title = f"x[{slot // kd}, {depth}]" if inside else f"x[{slot // kd}] overhang, depth {depth}"
            assert geometry.input_text(slot) == title
            if depth < spec.input_shape[1]:
                h, w = spec.input_shape[2:]
                np.testing.assert_array_equal(drawn.grid[slot, :h, :w], rec.input[slot // kd, depth])
        for step in range(geometry.steps):
            writes = drawn.playback.advance(step)
            shown = drawn.playback.show(step)
            oy, ox = divmod(step, wo)
            before, total = (
                sum(d.geometry.steps for d in drawings[:z]),
                sum(d.geometry.steps for d in drawings),
            )  # counted through every depth picture
            assert f"window at ({z}, {oy}, {ox}) · step {before + step + 1}/{total}" in shown.text
            assert [w.values.ravel().tolist() for w in writes] == [[rec.output[ch, z, oy, ox]] for ch in range(c)]
            for ch, line in enumerate(shown.sums):
                assert set(shown.reads[ch].cells[:, 0]) <= set(range(ch * kd, (ch + 1) * kd))
                check_sum(spec, drawn, line, shown.reads[ch], ch, z, oy, ox, rec.output[ch, z, oy, ox])


def test_against_torch():
    torch = pytest.importorskip("torch")
    for spec in SPECS:
        rec = record(spec, seed=2)
        x = torch.from_numpy(rec.input[None]).double()
        got = torch.nn.functional.lp_pool3d(x, spec.norm_type, spec.kernel_size, spec.stride, spec.ceil_mode)
        np.testing.assert_allclose(rec.output, got[0].numpy())
        drawn = np.stack([d.output for d in ops.of(spec).drawings(spec, rec)], axis=1)
        np.testing.assert_allclose(drawn, got[0].numpy())


@pytest.mark.parametrize("values", [False, True])
def test_a_render_plays_every_depth_slice(values):
    for spec in SPECS[-2:]:
        job = Job(spec, Look(values=values), max_frames=0)
        assert len(job.drawings) == spec.output_shape[1]
        frames = list(job.frames())
        assert len(frames) == job.total == sum(job.shown)
