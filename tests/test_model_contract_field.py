"""Receptive fields through calls that multiply tensors along shared axes, traced: a small
vision-transformer block (a patch embedding, its positions flattened into tokens, attention
written with ``@``, ``torch.matmul``, ``bmm``, ``einsum`` or ``F.scaled_dot_product_attention``,
the tokens laid out as a picture again and convolved), and random products of convolutions'
outputs (``einsum`` over channels, positions or both, ``matmul`` with weights not made from the
input, a Gram matrix).

What the cells should be comes from torch's gradients, as in test_model_along_field.py: the
input cells where the gradient of one output cell (channels weighted) is nonzero, with the first
convolution's weights positive and random float64 inputs so that nothing cancels.
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


def _attend(q, k, v, how):
    """Attention of queries ``q`` over keys ``k`` and values ``v`` ((n, heads, tokens, d)), as ``how`` writes it."""
    scale = q.shape[-1] ** -0.5
    if how == "sdpa":
        return F.scaled_dot_product_attention(q, k, v)
    if how == "einsum":
        weights = torch.einsum("bhnd,bhmd->bhnm", q, k) * scale
        return torch.einsum("bhnm,bhmd->bhnd", weights.softmax(-1), v)
    if how == "matmul":
        return torch.matmul(torch.matmul(q, k.transpose(-2, -1)).mul(scale).softmax(dim=-1), v)
    return ((q @ k.transpose(-2, -1)) * scale).softmax(-1) @ v


class _Block(nn.Module):
    """A patch embedding (a convolution, stride its kernel), its positions as tokens, a layer
    norm, queries, keys and values from one linear layer split in three, attention over every
    position by ``heads`` heads, the tokens laid out as a picture again and convolved."""

    def __init__(self, how="@", heads=2, patch=2, width=4):
        super().__init__()
        self.conv = nn.Conv2d(1, width, patch, stride=patch)
        self.norm, self.qkv = nn.LayerNorm(width), nn.Linear(width, 3 * width)
        self.out = nn.Conv2d(width, 2, 3, padding=1)
        self.how, self.heads = how, heads

    def forward(self, x):
        y = self.conv(x)
        n, c, h, w = y.shape
        tokens = y.flatten(2).transpose(1, 2)
        q, k, v = (
            t.reshape(n, h * w, self.heads, -1).transpose(1, 2) for t in self.qkv(self.norm(tokens)).chunk(3, -1)
        )
        if self.how == "bmm":
            weights = torch.bmm(q.flatten(0, 1), k.flatten(0, 1).transpose(1, 2)).softmax(-1)
            mixed = torch.bmm(weights, v.flatten(0, 1)).unflatten(0, (n, self.heads))
        else:
            mixed = _attend(q, k, v, self.how)
        tokens = tokens + mixed.transpose(1, 2).reshape(n, h * w, c)
        return self.out(tokens.transpose(1, 2).reshape(n, c, h, w))


def _same_cells(model, shape, cells, label):
    graph = trace(model, shape)
    output = next(row for row in graph.rows if row.name == "(model)").output
    assert not isinstance(graph.fields()[output], str), (label, graph.fields()[output])
    ours = traced_supports(graph, output, cells)
    for cell, mask, real in zip(cells, ours, gradient_supports(positive_twin(model), shape, cells, 3)):
        assert np.array_equal(mask, real), (label, cell, mask.sum(), real.sum())
    return ours


@pytest.mark.parametrize("how", ["@", "matmul", "einsum", "sdpa"])
def test_a_vision_transformer_block_gives_the_cells_autograd_gives(how):
    """Attention over every position: each token (2×2 input cells) sees every token's cells,
    so every cell after it sees the whole input; the table says so."""
    model, shape = _Block(how), (1, 6, 8)
    masks = _same_cells(model, shape, [(0, 0), (1, 2), (2, 3)], how)
    assert all(mask.all() for mask in masks)
    result = convgif.model(model, shape, out=None, draw=False)
    rows = {row.name: row for row in result.rows}
    assert figures_text(rows["qkv"].field, 2) == "2×2 · jump 2×2 · start 0,0"
    assert not rows["qkv"].whole and rows["out"].whole and rows["(model)"].whole


def test_attention_over_heads_folded_into_the_batch_by_bmm():
    """bmm of the heads folded into the batch axis (one sample: the heads are the batch) is
    the same attention: every cell sees the whole input."""
    _same_cells(_Block("bmm", heads=1), (1, 4, 6), [(0, 0), (1, 2)], "bmm")


def test_a_patch_embedding_that_leaves_input_cells_out_sees_only_the_cells_its_patches_cover(tmp_path):
    """A 7-row input cut into 2×2 patches: the last row is in no patch, so attention over every
    token sees rows 0 to 5: the field is those, not the whole input."""
    model, shape = _Block(), (1, 7, 6)
    masks = _same_cells(model, shape, [(0, 0), (2, 1)], "uncovered")
    assert not masks[0][6].any() and masks[0][:6].all()
    result = convgif.model(model, shape, out=tmp_path, draw=False)
    rows = {row.name: row for row in result.rows}
    assert not rows["out"].whole
    page = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "every cell sees the whole input" not in page


def test_the_page_says_every_cell_sees_the_whole_input(tmp_path):
    result = convgif.model(_Block(), (1, 6, 8), out=tmp_path, draw=False)
    page = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "| out | Conv2d | (4, 3, 4) → (2, 3, 4) |" in page
    line = next(line for line in page.splitlines() if line.startswith("| out |"))
    assert "every cell sees the whole input · " in line, line
    assert result.trace_note is None


#: Products of the convolution's output ``y`` and a second one's ``z`` ((n, 4, *spatial)), each
#: giving back a tensor laid out as ``y``.
PRODUCTS = {
    "einsum channels": lambda y, z: torch.einsum("bc...,cd->bd...", y, _weights(4, 3, y)),
    "einsum cell by cell": lambda y, z: torch.einsum("bcn,bcn->bcn", y.flatten(2), z.flatten(2)).view(y.shape),
    "einsum positions": lambda y, z: (
        torch.einsum("bcn,bdn->bcd", y.flatten(2), z.flatten(2)).sum(-1).view(*y.shape[:2], *(1,) * (y.dim() - 2)) * y
    ),
    "einsum implicit": lambda y, z: torch.einsum("...cn,...c", y.flatten(2), z.flatten(2)[..., -1]).view(
        y.shape[0], 1, *y.shape[2:]
    ),
    "attention": lambda y, z: torch.einsum(
        "bnm,bcm->bcn", torch.einsum("bcn,bcm->bnm", y.flatten(2), z.flatten(2)).softmax(-1), z.flatten(2)
    ).view(y.shape),
    "matmul weights right": lambda y, z: (
        (y.flatten(2).transpose(1, 2) @ _weights(4, 4, y)).transpose(1, 2).view(y.shape)
    ),
    "matmul weights left": lambda y, z: torch.matmul(_weights(3, 4, y), y.flatten(2)).view(y.shape[0], 3, *y.shape[2:]),
    "matmul positions": lambda y, z: (y.flatten(2) @ _weights(y[0, 0].numel(), y[0, 0].numel(), y)).view(y.shape),
    "matmul vector": lambda y, z: (y.flatten(2).transpose(1, 2) @ _weights(4, 1, y)[:, 0]).view(
        y.shape[0], 1, *y.shape[2:]
    ),
    "gram": lambda y, z: y * (y.flatten(2) @ z.flatten(2).transpose(1, 2)).sum(-1)[(...,) + (None,) * (y.dim() - 2)],
}


def _weights(rows, columns, y):
    """Weights not made from the input."""
    return torch.randn(rows, columns, dtype=y.dtype, generator=torch.Generator().manual_seed(rows * 10 + columns))


class _Product(nn.Module):
    def __init__(self, dims, kernel, padding, call):
        super().__init__()
        conv = (nn.Conv1d, nn.Conv2d, nn.Conv3d)[dims - 1]
        self.conv, self.other = conv(2, 4, kernel, padding=padding), conv(2, 4, kernel, padding=padding)
        self.call = call

    def forward(self, x):
        return self.call(self.conv(x), self.other(x))


@pytest.mark.parametrize("name", list(PRODUCTS))
def test_products_give_the_cells_autograd_gives(name):
    rng = np.random.default_rng(list(PRODUCTS).index(name))
    for _ in range(2):
        dims = int(rng.integers(1, 4))
        kernel = tuple(int(v) for v in rng.integers(1, 4, dims))
        padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in kernel)
        shape = (2, *(int(v) for v in rng.integers(3, 6 if dims < 3 else 5, dims)))
        model = _Product(dims, kernel, padding, PRODUCTS[name])
        graph = trace(model, shape)
        out = graph.shapes[graph.calls[-1].outputs[0]][1:]
        cells = sorted({tuple(int(rng.integers(0, n)) for n in out) for _ in range(3)})
        _same_cells(model, shape, cells, f"{name} k={kernel} p={padding} in={shape}")


def _tokens(y):
    return y.flatten(2).transpose(1, 2)


@pytest.mark.parametrize(
    "call, words",
    [
        (
            lambda y: F.scaled_dot_product_attention(_tokens(y), _tokens(y), _tokens(y), is_causal=True),
            "scaled_dot_product_attention: with is_causal, each query reads the keys up to its own position",
        ),
        (
            lambda y: F.scaled_dot_product_attention(
                _tokens(y), _tokens(y), _tokens(y), attn_mask=torch.ones(30, 30, dtype=torch.bool)
            ),
            "scaled_dot_product_attention: with attn_mask, which keys each query reads depends on the mask",
        ),
        (
            lambda y: torch.einsum("bcn,bcn->bcn", y.flatten(2), y.transpose(2, 3).flatten(2)).view(y.shape),
            "einsum: it pairs positions its operands lay out differently",
        ),
        (
            lambda y: torch.einsum("bcn,bcn->cn", y.flatten(2), y.flatten(2)),
            "einsum: it multiplies along the batch axis: one sample's result depends on the others'",
        ),
        (lambda y: y.flatten(2) @ torch.ones(2, 30, 30), "matmul: it multiplies along the batch axis"),
    ],
    ids=["causal", "mask", "paired", "summed over the batch", "broadcast batch"],
)
def test_what_cannot_be_followed_says_why(call, words):
    """A causal attention (each query its own keys), a mask (values decide), positions of two
    layouts paired (rows by columns), a sum over the batch, weights with a batch of their own."""
    result = convgif.model(conv_then(call), (1, 5, 6), out=None, draw=False)
    said = figures_text(next(r for r in result.rows if r.name == "(model)").field, 2)
    assert said.startswith(f"not followed: {words}"), said
