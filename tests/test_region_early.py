"""A window too large to draw whatever its numbers is refused from its sizes alone, before any
value is computed, exactly as the chooser refuses it once the values are known."""

from __future__ import annotations

import random
import re
import time

import pytest

import convgif
from convgif import ops
from convgif.animation import Look
from convgif.animation import job as job_module
from convgif.animation.job import Job
from convgif.animation.region import refused_by_size
from convgif.errors import SpecError
from convgif.picture import layout

VALUES = Look(values=True)


def random_layer(rng: random.Random):
    """A layer of a kind with a window, of one to three axes, with a window from small to large."""
    kind = rng.choice(["Conv1d", "Conv2d", "Conv3d", "MaxPool2d", "AvgPool2d", "MaxPool3d", "AvgPool3d", "LPPool2d"])
    dims = 3 if kind.endswith("3d") else 1 if kind.endswith("1d") else 2
    k = rng.randint(1, 9)
    sides = tuple(rng.randint(k, k + 6) for _ in range(dims))
    channels = rng.randint(1, 4)
    s, d = rng.randint(1, 2), rng.choice([1, 1, 2])
    if kind.startswith("Conv"):
        g = rng.choice([1, 1, 2])
        spec = getattr(convgif, f"{kind}Spec")(
            (channels * g, *(n + (k - 1) * (d - 1) for n in sides)),
            g * rng.randint(1, 3),
            k,
            s,
            rng.randint(0, 1),
            d,
            g,
        )
    elif kind == "LPPool2d":
        spec = convgif.LPPool2dSpec((channels, *sides), 2, max(k, 2), s)
    else:
        spec = getattr(convgif, f"{kind}Spec")((channels, *sides), max(k, 2), s)
    return spec


def numbers_apart(message: str) -> str:
    return re.sub(r"\d+", "#", message)


def late_refusal(spec, monkeypatch) -> SpecError | None:
    """The refusal of a render with values as the chooser gives it once the values are known."""
    with monkeypatch.context() as m:
        m.setattr(job_module, "refused_by_size", lambda *a, **k: None)
        try:
            Job(spec, VALUES)
        except SpecError as error:
            return error
    return None


@pytest.mark.parametrize("seed", range(3))
def test_a_refusal_from_sizes_is_the_refusal_the_values_give(monkeypatch, seed):
    rng = random.Random(seed)
    monkeypatch.setattr(layout, "MAX_SIDE_PX", rng.choice([200, 300, 400]))  # small layers refused
    early_count = 0
    tried = 0
    while early_count < 15 and tried < 400:
        tried += 1
        try:
            spec = random_layer(rng)
        except SpecError:
            continue
        op = ops.of(spec)
        try:
            whole = op.geometries(spec)
        except SpecError:
            continue
        early = refused_by_size(op, spec, VALUES, {}, whole)
        late = late_refusal(spec, monkeypatch)
        if early is None:
            continue
        early_count += 1
        assert late is not None, spec  # refused from sizes, refused from values
        early = op.refusal_of(early, spec)
        assert (early.argument, type(early)) == (late.argument, type(late))
        # the pixels quoted are those of the numbers the geometry expects, as for a layer
        # computed in part: the words and the limit are the same
        assert numbers_apart(str(early)) == numbers_apart(str(late))
        assert re.search(r"over the \d+-pixel limit", str(early))
    assert early_count >= 10


def test_a_refused_layer_computes_no_value(monkeypatch):
    spec = convgif.Conv3dSpec((2, 69, 77, 86), 1, 49)

    def computed(*args, **kwargs):
        raise AssertionError("values computed for a layer refused from its sizes")

    monkeypatch.setattr(type(ops.of(spec)), "record_drawn", computed)
    started = time.perf_counter()
    with pytest.raises(SpecError) as refused:
        Job(spec, VALUES)
    assert refused.value.argument == "kernel_size" and "even one output cell" in str(refused.value)
    assert time.perf_counter() - started < 10


def test_a_window_drawn_at_narrow_numbers_is_left_to_its_values(monkeypatch):
    """A window that one-character numbers would draw is not refused from its sizes: only its
    values say whether their width makes it too large."""
    spec = convgif.Conv2dSpec((1, 12, 12), 1, 5)
    op = ops.of(spec)
    assert refused_by_size(op, spec, VALUES, {}, op.geometries(spec)) is None
    assert late_refusal(spec, monkeypatch) is None
