"""Receptive fields through calls that regroup a tensor's axes, traced in random models: reshapes
that merge or split axes (``flatten``, ``unflatten``, ``view``, ``reshape``, ``squeeze``,
``unsqueeze``) with calls along the merged positions (``softmax``, ``flip``, ``normalize``, a
linear layer or a layer norm over tokens), indexing with integers (``x[:, 0]``, ``x[..., 3]``,
one cell, one position of ``flatten``'s), slices, ``select`` and ``unbind``, and ``torch.stack``
(summed, indexed, unbound, flattened into the channels).

What the cells should be comes from torch's gradients, as in test_model_along_field.py: the input
cells where the gradient of one output cell (channels weighted) is nonzero, with the first
convolution's weights positive and random float64 inputs so that nothing cancels; every call here
reads its cells whatever their values, so the two must be equal.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from fields import conv_then, gradient_supports, positive_twin, traced_supports  # noqa: E402

import convgif  # noqa: E402
from convgif.network.graph import figures_text  # noqa: E402
from convgif.network.trace import trace  # noqa: E402


def _back(t, y):
    """Tokens ``(n, positions, c)`` laid out as ``y`` again."""
    return t.transpose(1, 2).reshape(y.shape)


def _tokens(y):
    return y.flatten(2).transpose(1, 2)


def _mixing(n, y):
    """A constant n×n matrix (not made from the input)."""
    return torch.randn(n, n, dtype=y.dtype, generator=torch.Generator().manual_seed(n))


#: Calls on the convolution's output ``y`` (4 channels) and a second one's ``z`` (its input's
#: 1×1 convolution), each giving back a tensor laid out as ``y``; ``r`` a random source.
REGROUP = {
    "flatten softmax": lambda m, y, z, r: y.flatten(2).softmax(-1).view(y.shape),
    "flatten flip": lambda m, y, z, r: torch.flatten(y, 2).flip(-1).reshape(y.shape),
    "flatten normalize": lambda m, y, z, r: F.normalize(y.flatten(2), dim=2).unflatten(2, y.shape[2:]),
    "last two merged": lambda m, y, z, r: y.flatten(-2).softmax(-1).view(y.shape) if y.dim() > 3 else y,
    "heads": lambda m, y, z, r: y.view(y.shape[0], 2, 2, *y.shape[2:]).softmax(1).flatten(1, 2),
    "heads of tokens": lambda m, y, z, r: _back(_tokens(y).unflatten(-1, (2, 2)).softmax(-1).flatten(-2), y),
    "squeeze unsqueeze": lambda m, y, z, r: (y.unsqueeze(2) * z.unsqueeze(2)).squeeze(2) + y.unsqueeze(-1).squeeze(-1),
    "tokens linear": lambda m, y, z, r: _back(m.linear(_tokens(y)), y),
    "tokens layer norm": lambda m, y, z, r: _back(F.layer_norm(_tokens(y), (4,)), y),
    "tokens mixed": lambda m, y, z, r: F.linear(y.flatten(2), _mixing(y.shape[2:].numel(), y)).view(y.shape),
    "tokens mean": lambda m, y, z, r: _back(_tokens(y) - _tokens(y).mean(1, keepdim=True), y),
    "channel": lambda m, y, z, r: y + y[:, int(r.integers(-4, 4))].unsqueeze(1),
    "channel slice": lambda m, y, z, r: y[:, 1:3].repeat_interleave(2, 1) * z[:, 0:1],
    "last index": lambda m, y, z, r: y * y[..., int(r.integers(0, y.shape[-1]))].unsqueeze(-1),
    "one cell": lambda m, y, z, r: y + y[(slice(None), slice(None), *_cell(y, r))][(...,) + (None,) * (y.dim() - 2)],
    "slices": lambda m, y, z, r: y[:, :, -2:, ...][..., ::2],
    "select": lambda m, y, z, r: y.select(-1, -1).unsqueeze(-1) + z,
    "unbind": lambda m, y, z, r: y.unbind(2)[int(r.integers(0, y.shape[2]))].unsqueeze(2) * y,
    "one position": lambda m, y, z, r: (
        y + y.flatten(2)[:, :, int(r.integers(0, y[0, 0].numel()))].view(*y.shape[:2], *(1,) * (y.dim() - 2))
    ),
    "one token": lambda m, y, z, r: (
        y * _tokens(z)[:, int(r.integers(0, z[0, 0].numel()))][(...,) + (None,) * (y.dim() - 2)]
    ),
    "stack summed": lambda m, y, z, r: torch.stack([y, z], 1).sum(1),
    "stack indexed": lambda m, y, z, r: torch.stack([y, z.flip(-1)], 2)[:, :, 1] * y,
    "stack last": lambda m, y, z, r: torch.stack([y, y.flip(-1)], dim=-1)[..., int(r.integers(0, 2))],
    "stack unbound": lambda m, y, z, r: torch.mul(*torch.stack([y, z], -1).unbind(-1)),
    "stack flattened": lambda m, y, z, r: torch.stack([y, z], 2).flatten(1, 2)[:, ::2],
    "stack of tokens": lambda m, y, z, r: _back(torch.stack([_tokens(y), _tokens(z)], 2).sum(2), y),
}


def _cell(y, r):
    return [int(r.integers(0, n)) for n in y.shape[2:]]


class _Regroup(nn.Module):
    """Two convolutions of the input, then ``call`` of their outputs."""

    def __init__(self, dims, kernel, padding, call, seed):
        super().__init__()
        conv = (nn.Conv1d, nn.Conv2d, nn.Conv3d)[dims - 1]
        self.conv, self.other = conv(2, 4, kernel, padding=padding), conv(2, 4, kernel, padding=padding)
        self.linear = nn.Linear(4, 4)
        self.call, self.seed = call, seed

    def forward(self, x):
        return self.call(self, self.conv(x), self.other(x), np.random.default_rng(self.seed))


def _case(rng, name):
    dims = int(rng.integers(1, 4))
    kernel = tuple(int(v) for v in rng.integers(1, 4, dims))
    padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in kernel)
    shape = (2, *(int(v) for v in rng.integers(3, 6 if dims < 3 else 5, dims)))
    model = _Regroup(dims, kernel, padding, REGROUP[name], int(rng.integers(0, 1000)))
    return f"{name} k={kernel} p={padding} in={shape}", model, shape


def _same_cells(model, shape, rng, label, seed=0):
    """The cells convgif follows through ``model`` are autograd's, for a few output cells."""
    graph = trace(model, shape)
    output = next(row for row in graph.rows if row.name == "(model)").output
    field = graph.fields()[output]
    assert not isinstance(field, str), (label, field)
    cells = sorted({tuple(int(rng.integers(0, n)) for n in graph.shapes[output][1:]) for _ in range(3)})
    ours = traced_supports(graph, output, cells)
    for cell, mask, real in zip(cells, ours, gradient_supports(positive_twin(model), shape, cells, seed)):
        assert np.array_equal(mask, real), (label, cell, mask.sum(), real.sum())
    return graph, field


@pytest.mark.parametrize("name", list(REGROUP))
def test_regrouped_calls_give_the_cells_autograd_gives(name):
    rng = np.random.default_rng(list(REGROUP).index(name))
    for case in range(3):
        label, model, shape = _case(rng, name)
        _same_cells(model, shape, rng, label, case)


def _field(model, shape):
    result = convgif.model(model, shape, out=None, draw=False)
    return figures_text(next(r for r in result.rows if r.name == "(model)").field, len(shape) - 1)


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda y: y.flatten(2).softmax(-1).view(y.shape), "7×8 · jump 1×1 · start −1,−1"),
        (lambda y: y.flatten(2).flip(-1).view(y.shape), "3×3 · jump −1×−1 · start 3,4"),
        (lambda y: y[:, :, 1:4, ::2], "3×3 · jump 1×2 · start 0,−1"),
        (lambda y: y[..., 3].unsqueeze(-1), "3×3 · jump 1×1 · start −1,2"),
        (lambda y: y[:, :, 2, 4][..., None, None], "3×3 · jump 1×1 · start 1,3"),
        (lambda y: y.flatten(2)[:, :, 7].view(1, 4, 1, 1), "3×3 · jump 1×1 · start 0,0"),
        (lambda y: torch.stack([y, y.flip(-1)], 2)[:, :, 1], "3×3 · jump 1×−1 · start −1,4"),
    ],
    ids=["softmax over positions", "flip of positions", "slices", "a column", "a cell", "a position", "stack"],
)
def test_the_table_gives_the_field_through_these_calls(call, field):
    """On a 5×6 input after a 3×3 convolution padded by 1: a softmax over the positions flatten
    made sees every row and column; their flip reverses both axes (each next field a row and a
    column before); column 3 sees columns 2 to 4; position 7 is row 1, column 1."""
    assert _field(conv_then(call), (1, 5, 6)) == field


class _Stacked(nn.Module):
    """Two branches stacked on a new axis, picked by integer indices and combined: a gate from
    one, the other shifted a column by a slice, then an axis of the stack unbound."""

    def __init__(self):
        super().__init__()
        self.conv, self.other = nn.Conv2d(1, 3, 3, padding=1), nn.Conv2d(1, 3, (1, 3), padding=(0, 1))

    def forward(self, x):
        both = torch.stack([self.conv(x), self.other(x)], dim=2)  # (n, 3, 2, h, w)
        gate, shifted = torch.sigmoid(both[:, :, 0]), F.pad(both[:, :, 1, :, 1:], (0, 1))
        first, last = torch.stack((gate * shifted, both[:, :, 1]), dim=-1).unbind(-1)
        return first + last.select(1, -1).unsqueeze(1)


def test_a_block_of_stacks_and_integer_indices_gives_the_cells_autograd_gives():
    """stack along the channels and along the last axis, integers picking a branch and a channel,
    slices, select and unbind: every cell's field is autograd's, and the table says it."""
    model, shape = _Stacked(), (1, 6, 7)
    _same_cells(model, shape, np.random.default_rng(0), "stacked")
    assert _field(model, shape) == "3×4 · jump 1×1 · start −1,−1"


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda y: y.flatten(2).cumsum(-1).view(y.shape), "cumsum: cumsum runs along an axis that holds several"),
        (lambda y: y.reshape(1, 4, 5, 3, 2).sum(-1), "reshape: it cuts dim 3 of the input (a spatial axis) into"),
        (lambda y: y.reshape(1, 20, 6).unsqueeze(1), "reshape: it merges the channels with the positions"),
        (lambda y: y.flatten(2)[:, :, 3:9], "__getitem__: it slices an axis that holds several of the input's"),
        (lambda y: torch.stack([y, y])[1], "stack: stack along the batch axis"),
        (lambda y: y[:, [0, 2]], "__getitem__: indexing with (slice(None, None, None), [0, 2]): convgif follows"),
        (lambda y: F.pad(y.flatten(2), (1, 0)), "pad: the tensor it reads had its axes regrouped"),
        (
            lambda y: torch.stack([y.flatten(2), y.transpose(2, 3).flatten(2)], 1).sum(1),
            "stack: it stacks tensors whose",
        ),
    ],
    ids=["cumsum of positions", "patches", "channels with rows", "slice of positions", "batch", "list", "pad", "moved"],
)
def test_what_cannot_be_followed_says_why(call, words):
    """A running total over positions flatten made, a reshape that cuts a spatial axis into
    patches or merges it with the channels, a slice of positions, a stack along the batch axis,
    an index that is a list, a padding of positions, a stack of differently laid out tensors."""
    assert f"not followed: {words}" in _field(conv_then(call), (1, 5, 6))


def test_a_flattening_to_a_vector_reads_every_cell_and_a_later_call_names_the_first_not_followed(tmp_path):
    """flatten(1) makes a vector, which reads every cell, as before; after a call not followed,
    a call that cannot be laid out names it: the table the first call, the field's note the
    call it stops at, saying what it read."""
    vector = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(2 * 3 * 4, 3))
    assert _field(vector, (1, 5, 6)) == "the whole input"
    model = conv_then(lambda y: torch.stack([y, y])[1].flatten(2))
    result = convgif.model(model, (1, 5, 6), out=tmp_path, draw=False, trace="conv")
    assert figures_text(result.rows[0].field, 2) == "not followed: stack: stack along the batch axis"
    graph = trace(model, (1, 5, 6))
    _, stopped = graph.support(graph.calls[-1].outputs[0], (0, 0))
    assert stopped == "__getitem__: it reads what stack made, which convgif does not follow"
