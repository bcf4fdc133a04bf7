"""A layer with large windows is computed a block of output cells at a time: the same values as
computed whole, and memory that follows the block, not the layer's windows side by side."""

import random
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from convgif import Conv3dSpec
from convgif.engine import direct, values, windows
from convgif.engine.values import cell_blocks
from convgif.ops.pool import AvgPool3dSpec, MaxPool3dSpec


def test_blocks_cover_every_output_cell_once_in_order():
    rng = random.Random(0)
    for _ in range(300):
        spans = [(a, a + rng.randint(1, 7)) for a in (rng.randint(0, 3) for _ in range(rng.randint(1, 3)))]
        per_cell = rng.choice([1, 5, 1 << 18, 1 << 21, values.BLOCK + 1])
        boxes = list(cell_blocks(spans, per_cell))
        cells = [
            c
            for box in boxes
            for c in np.ndindex(*(b - a for a, b in box))
            for c in [tuple(i + a for i, (a, _) in zip(c, box))]
        ]
        assert sorted(cells) == [
            tuple(i + a for i, (a, _) in zip(c, spans)) for c in np.ndindex(*(b - a for a, b in spans))
        ]
        most = max(1, values.BLOCK // per_cell)
        assert all(np.prod([b - a for a, b in box]) <= most for box in boxes)


@pytest.mark.parametrize("kind", ["conv", "max", "avg"])
def test_blocks_compute_what_the_whole_does(kind, monkeypatch):
    rng = random.Random(kind)
    for _ in range(25):
        shape = (rng.randint(1, 3), *(rng.randint(3, 8) for _ in range(3)))
        k, s, d = rng.randint(1, 3), rng.randint(1, 2), rng.randint(1, 2)
        p = rng.randint(0, (k - 1) * d // 2)
        if kind == "conv":
            spec = Conv3dSpec(shape, rng.randint(1, 3), k, stride=s, padding=p, dilation=d)
        elif kind == "max":
            spec = MaxPool3dSpec(shape, k, stride=s, padding=min(p, k // 2), dilation=d, ceil_mode=rng.random() < 0.5)
        else:
            spec = AvgPool3dSpec(shape, k, stride=s, padding=min(p, k // 2), ceil_mode=rng.random() < 0.5)
        x = np.random.default_rng(rng.randint(0, 99)).integers(0, 4, shape)
        if rng.random() < 0.5:
            x = x / 3  # fractions: a pooling's average adds in order, a convolution in one product
        whole = _recorded(spec, x)
        monkeypatch.setattr(values, "BLOCK", rng.choice([1, 7, 40]))
        parts = _recorded(spec, x)
        monkeypatch.undo()
        for a, b in zip(whole, parts):
            if a is None or (kind == "conv" and a.dtype.kind == "f"):  # a product's rounding follows its blocks
                assert b is None or np.allclose(a, b, rtol=1e-12, atol=1e-12), spec
            else:
                assert np.array_equal(a, b), spec


def _recorded(spec, x):
    if isinstance(spec, Conv3dSpec):
        return (direct.record_direct(spec, 0, x).output,)
    recording = windows.record_windows(spec, x)
    return recording.output, recording.indices, recording.divisors


def test_a_large_window_is_computed_in_little_memory():
    """Whole, these layers' windows side by side would need several GiB (the convolution's rows
    of taps 4.7 GB, the max pooling's comparisons 1.8 GB): under a 1.5 GiB limit they compute."""
    script = textwrap.dedent(
        """
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))
        import numpy as np
        from convgif import Conv3dSpec
        from convgif.engine import direct, windows
        from convgif.ops.pool import MaxPool3dSpec, AvgPool3dSpec
        x = np.ones((1, 60, 60, 60), np.int64)
        out = direct.record_direct(Conv3dSpec((1, 60, 60, 60), 1, 40, bias=False), 0, x, np.ones((1, 1, 40, 40, 40), np.int64)).output
        assert (out == 40 ** 3).all()
        assert (windows.record_windows(MaxPool3dSpec((1, 60, 60, 60), 40, stride=1), x).output == 1).all()
        assert (windows.record_windows(AvgPool3dSpec((1, 60, 60, 60), 40, stride=1), x).output == 1).all()
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
