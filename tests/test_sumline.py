"""A long sum line written only as far as a frame shows it reads exactly as its whole text."""

from __future__ import annotations

import random

import numpy as np
import pytest

from convgif.picture.cells import cells
from convgif.picture.numbers import format_value
from convgif.picture.overlay import _fit_lines
from convgif.picture.sumline import LongSum, cell_widths


def long_sum(rng: random.Random, count: int, written: list) -> LongSum:
    """A pooling's max or average line over ``count`` random values; ``written`` records the
    terms formatted."""
    kind = rng.choice(["int", "float", "small", "mixed"])
    if kind == "int":
        values = np.array([rng.randint(0, 9) for _ in range(count)])
    elif kind == "float":
        values = np.array([rng.gauss(0, 3) for _ in range(count)], dtype=np.float32)
    elif kind == "small":
        values = np.array([rng.uniform(-1e-3, 1e-3) for _ in range(count)])
    else:
        values = np.array([rng.choice([0.5, -12, 3.25, 1e-7, 100.0, -0.001]) for _ in range(count)])
    padding = [rng.random() < 0.05 for _ in range(count)]
    scale = float(np.abs(values).max())

    def term(i: int) -> str:
        written.append(i)
        return "−∞" if padding[i] else format_value(values[i], scale)

    def widths() -> np.ndarray:
        found = cell_widths(values, lambda v: format_value(v, scale), {})
        return np.where(padding, cells("−∞"), found)

    y = f"y[{rng.randint(0, 9)}, {rng.randint(0, 99)}, 0, {rng.randint(0, 999)}]"
    if rng.random() < 0.5:
        return LongSum(
            f"{y} = max(",
            ", ",
            f") = {format_value(values.max())} at index {rng.randint(0, 9999)}",
            count,
            term,
            widths,
        )
    why = rng.choice(["", " (padding not counted)"])
    return LongSum(f"{y} = (", " + ", f") / {count} = {format_value(values.mean())}{why}", count, term, widths)


@pytest.mark.parametrize("seed", range(40))
def test_a_long_sum_lays_out_as_its_whole_text(seed):
    rng = random.Random(seed)
    written: list = []
    count = rng.choice([2, 5, 30, 200, 1000, 5000, rng.randint(2, 20000)])
    entries = [long_sum(rng, count, written) for _ in range(rng.choice([1, 1, 2, 3]))]
    if rng.random() < 0.3:
        entries.insert(0, "y[0] = 1")
    texts = [e if isinstance(e, str) else e.text() for e in entries]
    long = 0
    for _ in range(6):
        width, lines = rng.randint(20, 260), rng.randint(1, 6)
        written.clear()
        assert _fit_lines(entries, width, lines) == _fit_lines(texts, width, lines)
        if count >= 5000 and all(e.long(width, lines) for e in entries if not isinstance(e, str)):
            long += 1
            assert len(written) <= 2 * width * (lines + 1)  # only the terms shown are written
    assert long or count < 5000


def test_a_long_sum_is_its_text():
    rng = random.Random(1)
    entry = long_sum(rng, 50, [])
    text = entry.text()
    assert str(entry) == text and entry.cells() == cells(text)
    assert [entry.word(j) for j in range(len(entry.word_widths))] == text.split(" ")
    assert entry.word_widths.tolist() == [cells(w) for w in text.split(" ")]


@pytest.mark.parametrize(
    "name, arguments",
    [
        ("AvgPool2d", {"input_shape": (1, 20, 20), "kernel_size": 17, "padding": 8, "count_include_pad": True}),
        ("AvgPool2d", {"input_shape": (1, 20, 20), "kernel_size": 17, "padding": 8, "count_include_pad": False}),
        ("AvgPool2d", {"input_shape": (1, 19, 19), "kernel_size": 17, "stride": 2, "padding": 8, "ceil_mode": True}),
        ("MaxPool2d", {"input_shape": (2, 20, 20), "kernel_size": 17, "padding": 8}),
        ("AvgPool3d", {"input_shape": (1, 8, 9, 9), "kernel_size": 7, "padding": 3}),
        ("MaxPool3d", {"input_shape": (1, 8, 9, 9), "kernel_size": 7, "padding": 3}),
    ],
)
def test_a_poolings_long_sum_line_is_the_line_written_whole(monkeypatch, name, arguments):
    """A window of more terms than LONG_TERMS is written lazily; its text is the one the
    window's line has when written whole: every input value, a 0 for each padding cell an
    average's divisor counts, −∞ for a max's padding."""
    import convgif.ops.pool_depth as pool_depth
    import convgif.ops.pool_picture as pool_picture
    from convgif import ops
    from convgif.animation import Look
    from convgif.animation.job import Job

    spec = ops.operation(name).build(**arguments)

    def lines() -> list[str]:
        job = Job(spec, Look(values=True), {}, max_frames=0)
        found = []
        for drawn, steps in zip(job.drawings, job.steps):
            for step in steps:
                drawn.playback.advance(step)
                found += [str(entry) for entry in drawn.playback.show(step).sums]
        return found

    lazy = lines()
    monkeypatch.setattr(pool_picture, "LONG_TERMS", 10**9)
    monkeypatch.setattr(pool_depth, "LONG_TERMS", 10**9)
    whole = lines()
    assert lazy == whole and whole
    if name.startswith("Avg"):  # as many terms as the divisor counts
        for line in whole:
            terms, divisor = line.split(" = (", 1)[1].rsplit(") / ", 1)
            assert len(terms.split(" + ")) == int(divisor.split(" ")[0]), line[-80:]
