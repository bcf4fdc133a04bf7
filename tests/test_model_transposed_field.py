"""Receptive fields through stacks that shrink and grow again (convolutions, poolings, transposed
convolutions of stride 1 to 3 with padding and output_padding, nearest upsampling), against
torch's gradients.

The table counts the padding as if the input went on past its ends, so each output cell's field
is checked where autograd can see all of it: on a larger input, ``M`` more cells on each side,
the same network's cell ``o + m`` (``m``: ``M`` divided by each stride down the way, multiplied
by each stride up) sees the input cells ``M`` further on. Weights positive and poolings averages,
so that nothing cancels: the gradient's support is exactly what the cell reads.
"""

from __future__ import annotations

import copy
from fractions import Fraction

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn as nn  # noqa: E402

from convgif.network.graph import figures_text  # noqa: E402
from convgif.network.reach import Jump  # noqa: E402
from convgif.network.trace import trace  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _layer(rng, dims, down, up):
    """A random layer with 1 channel in and out, and how it moves cell indices: (divide, multiply)."""
    kind = str(rng.choice(["conv", "pool", "transposed", "transposed", "upsample"]))
    k, d = int(rng.integers(1, 4)), int(rng.integers(1, 3))
    s = int(rng.integers(1, 4 if kind == "transposed" else 3))
    if kind in ("conv", "pool") and down * s > 8 or kind in ("transposed", "upsample") and up * s > 8:
        s = 1
    p = int(rng.integers(0, k // 2 + 1))
    if kind == "conv":
        return getattr(nn, f"Conv{dims}d")(1, 1, k, s, p, d), (s, 1)
    if kind == "pool":
        k = max(k, 2)
        return getattr(nn, f"AvgPool{dims}d")(k, s, min(p, k // 2)), (s, 1)
    if kind == "upsample":
        return nn.Upsample(scale_factor=2), (1, 2)
    p = int(rng.integers(0, (k - 1) * d + 1))
    op = int(rng.integers(0, max(s, d)))
    return getattr(nn, f"ConvTranspose{dims}d")(1, 1, k, s, p, op, 1, d), (1, s)


def _stack(rng, dims):
    layers, moves, down, up = [], [], 1, 1
    for _ in range(int(rng.integers(2, 6))):
        layer, (divide, multiply) = _layer(rng, dims, down, up)
        layers.append(layer)
        moves.append((divide, multiply))
        down, up = down * divide, up * multiply
    model = nn.Sequential(*layers).double().eval()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(parameter.abs() + 0.1)
    return model, moves, down


def _supports(model, shape, cells):
    """The input cells (per axis: first, last) where each output cell's gradient is nonzero
    (None where it is zero everywhere): one backward pass, the input repeated once per cell."""
    x = (torch.rand((len(cells), 1, *shape), dtype=torch.float64) + 0.5).requires_grad_()
    y = model(x)
    picked = y[(torch.arange(len(cells)), 0, *(torch.tensor(axis) for axis in zip(*cells)))]
    (grad,) = torch.autograd.grad(picked.sum(), x)
    spans = []
    for one in grad[:, 0].numpy():
        where = np.nonzero(one)
        spans.append([(int(w.min()), int(w.max())) if len(w) else None for w in where])
    return spans


def _check(model, moves, down, shape):
    graph = trace(copy.deepcopy(model).float(), (1, *shape))
    field = graph.fields()[graph.calls[-1].outputs[0]]
    out = graph.shapes[-1][1:]
    cells = [cell for cell in np.ndindex(*out) if len(out) == 1 or max(cell) < 7]  # 2-D: a corner is enough
    margin = down * 2
    while True:  # large enough that no field reaches the larger input's ends
        shift = margin
        for divide, multiply in moves:
            assert shift % divide == 0
            shift = shift // divide * multiply
        big = tuple(n + 2 * margin for n in shape)
        with torch.no_grad():
            big_out = model(torch.zeros((1, 1, *big), dtype=torch.float64)).shape[2:]
        assert tuple(big_out) == tuple(m + 2 * shift for m in out)
        spans = _supports(model, big, [tuple(c + shift for c in cell) for cell in cells])
        ends = [a for span in spans for axis in span if axis for a in axis]
        if not ends or min(ends) > 0 and max(ends) < min(shape) + 2 * margin - 1:
            break
        margin *= 2
    starts: dict = {}
    for cell, span in zip(cells, spans):
        if not span or span[0] is None:  # the cell sees no input cell: along some axis it sees none
            assert any(np.isnan(field.low[axis][c]) for axis, c in enumerate(cell)), cell
            continue
        for axis, (c, found) in enumerate(zip(cell, span)):
            lo, hi = field.low[axis][c], field.high[axis][c]
            assert (lo, hi) == (found[0] - margin, found[1] - margin), (cell, axis, lo, hi, found, margin)
            starts.setdefault(axis, {})[c] = found[0] - margin
    return graph, field, out, starts


def _table_is_checkable(field, out, starts):
    """What the table says per axis: the widest field, output cell 0's start, the moves from
    one cell's start to the next (repeating), their average the jump."""
    for axis, figures in enumerate(field.figures()):
        if figures is None:  # no cell sees an input cell
            assert not starts
            continue
        size, jump, start = figures
        lo, hi = field.low[axis], field.high[axis]
        assert size == int(np.nanmax(hi - lo)) + 1
        if 0 in starts.get(axis, {}):
            assert start == starts[axis][0]
        seen = starts.get(axis, {})
        gaps = [seen[c + 1] - seen[c] for c in range(out[axis] - 1) if c in seen and c + 1 in seen]
        if not isinstance(jump, Jump):
            assert all(g == jump for g in gaps), (axis, jump, gaps)
        elif jump.moves is not None and jump.repeats:
            assert gaps == [jump.moves[c % len(jump.moves)] for c in range(len(gaps))], (jump.moves, gaps)
            assert Fraction(sum(jump.moves), len(jump.moves)) == jump
        elif jump.moves is not None:
            assert list(jump.moves) == gaps


def test_fields_through_transposed_stacks_are_what_autograd_shows_on_a_larger_input():
    rng = np.random.default_rng(5)
    checked = uneven = 0
    for _ in range(220):
        dims = 1 if rng.integers(0, 5) else 2
        model, moves, down = _stack(rng, dims)
        shape = tuple(int(v) for v in rng.integers(4, 11 if dims == 1 else 7, dims))
        try:
            with torch.no_grad():
                if model(torch.zeros((1, 1, *shape), dtype=torch.float64)).numel() == 0:
                    continue
        except RuntimeError:  # a configuration torch refuses (an input too small for a layer)
            continue
        graph, field, out, starts = _check(model, moves, down, shape)
        _table_is_checkable(field, out, starts)
        text = figures_text(field.figures(), dims)
        uneven += "uneven" in text
        checked += 1
    assert checked > 150 and uneven > 30


def _unet():
    """The reviewer's U-Net: two convolutions, a pooling, two more, a ConvTranspose2d of stride
    2 back up, joined with the first two's output, two convolutions and a 1×1 head."""

    class UNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc1 = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1))
            self.pool = nn.MaxPool2d(2)
            self.enc2 = nn.Sequential(nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1))
            self.up = nn.ConvTranspose2d(8, 4, 2, stride=2)
            self.dec1 = nn.Sequential(nn.Conv2d(8, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1))
            self.head = nn.Conv2d(4, 2, 1)

        def forward(self, x):
            e1 = self.enc1(x)
            return self.head(self.dec1(torch.cat([self.up(self.enc2(self.pool(e1))), e1], dim=1)))

    return UNet()


def test_the_unet_table_after_its_transposed_convolution():
    """Output cell 0 of dec1.0 reads up's cells −1, 0 and 1; up's cell −1 (padding) would be
    made from enc2's cell −1, which sees input cells −8 to 5: the field starts at −8, not −6.
    Cells 16 and 17 of a 64-cell input start at 8 and 10: moves of 2, then 0."""
    import convgif

    result = convgif.model(_unet(), (1, 16, 16), out=None, draw=False)
    text = {row.name: figures_text(row.field, 2) for row in result.rows}
    assert text["up"] == "14×14 · jump 1×1 (uneven: starts move 0, 2, 0, 2, …) · start −6,−6"
    assert text["dec1.0"] == "16×16 · jump 1×1 (uneven: starts move 2, 0, 2, 0, …) · start −8,−8"
    assert text["head"] == text["(model)"] == "18×18 · jump 1×1 (uneven: starts move 0, 2, 0, 2, …) · start −8,−8"
