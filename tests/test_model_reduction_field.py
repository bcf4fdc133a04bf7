"""Receptive fields through reductions over some axes in a traced model: ``std``, ``var``,
``std_mean``, ``var_mean``, ``max``/``min`` over a dim (values and indices), ``amax``, ``amin``,
``argmax``, ``argmin``, ``logsumexp``, ``norm``, ``linalg.vector_norm``, ``mean``, ``sum``; with
``keepdim`` and without (the axes given back by ``unsqueeze``, ``view`` or ``[:, None]``, or
broadcast as torch aligns them), and combined with the convolution's output by ``+`` or by a
maximum or minimum of two tensors (``torch.max(a, b)``, ``maximum``, ``fmin``, ``clamp``, ...).

What the cells should be comes from torch's gradients: the input cells where the gradient of
one output cell (channels summed) is nonzero, with positive weights and random inputs in
float64 so that nothing cancels. A maximum passes its gradient to one cell, which one depending
on the values, so the check runs twice: the model itself, whose gradient must lie inside
convgif's cells, and a twin where every maximum and minimum is a smooth function of the same
cells (``logsumexp`` over the same dims; a sum for two tensors), whose gradient must equal them.
The figures (size, jump, start per axis) are also checked against the arithmetic: a reduced
spatial axis is seen whole, padding included.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn as nn  # noqa: E402
from fields import positive_twin  # noqa: E402
from torch.overrides import TorchFunctionMode  # noqa: E402

import convgif  # noqa: E402
from convgif.network.graph import figures_text  # noqa: E402
from convgif.network.trace import trace  # noqa: E402

#: Reductions as a model may call them: (name, call(y, dim, keepdim), dims it takes: "int" or "tuple").
REDUCE = {
    "std": (lambda y, d, k: y.std(d, keepdim=k), "tuple"),
    "torch.std unbiased": (lambda y, d, k: torch.std(y, d, False, k), "tuple"),
    "var correction": (lambda y, d, k: torch.var(y, dim=d, correction=0, keepdim=k), "tuple"),
    "Tensor.var": (lambda y, d, k: y.var(d, True, k), "tuple"),
    "std_mean": (lambda y, d, k: torch.std_mean(y, d, keepdim=k)[0], "tuple"),
    "var_mean mean": (lambda y, d, k: torch.var_mean(y, dim=d, keepdim=k)[1], "tuple"),
    "max values": (lambda y, d, k: torch.max(y, d, k)[0], "int"),
    "max .values": (lambda y, d, k: y.max(dim=d, keepdim=k).values, "int"),
    "max indices": (lambda y, d, k: y.max(d, keepdim=k).indices, "int"),
    "min values": (lambda y, d, k: y.min(d, k)[0], "int"),
    "min indices": (lambda y, d, k: torch.min(y, dim=d, keepdim=k)[1], "int"),
    "amax": (lambda y, d, k: torch.amax(y, d, k), "tuple"),
    "amin": (lambda y, d, k: y.amin(dim=d, keepdim=k), "tuple"),
    "argmax": (lambda y, d, k: torch.argmax(y, d, k), "int"),
    "argmin": (lambda y, d, k: y.argmin(dim=d, keepdim=k), "int"),
    "logsumexp": (lambda y, d, k: torch.logsumexp(y, d, keepdim=k), "tuple"),
    "norm": (lambda y, d, k: y.norm(2, dim=d, keepdim=k), "tuple"),
    "torch.norm p=1": (lambda y, d, k: torch.norm(y, 1, d, k), "tuple"),
    "vector_norm": (lambda y, d, k: torch.linalg.vector_norm(y, 3, d, k), "tuple"),
    "mean": (lambda y, d, k: y.mean(d, keepdim=k), "tuple"),
    "sum": (lambda y, d, k: torch.sum(y, dim=d, keepdim=k), "tuple"),
}

#: How the convolution's output ``y`` and the broadcast reduction ``r`` make the output.
COMBINE = {
    "add": lambda y, r: y + r,
    "max": lambda y, r: torch.max(y, r),
    "Tensor.min": lambda y, r: y.min(r),
    "maximum": lambda y, r: torch.maximum(y, r),
    "minimum": lambda y, r: torch.minimum(r, y),
    "fmax": lambda y, r: torch.fmax(y, r),
    "clamp": lambda y, r: torch.clamp(y, min=r - 1, max=r + 1),
}

#: Maxima and minima over dims: a twin reads the same cells smoothly.
_NOT_SMOOTH = {"max", "min", "amax", "amin", "argmax", "argmin"}
#: Maxima and minima of two tensors (``max``/``min`` with a tensor as their second argument).
_TWO = {"max", "min", "maximum", "minimum", "fmax", "fmin"}


class _Smooth(TorchFunctionMode):
    """Each maximum or minimum computed smoothly from the same cells: over dims, ``logsumexp``
    (``max(dim)`` gives it as values and as indices); of two tensors, their sum; ``clamp``
    between tensors, the sum of the three."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        name = getattr(func, "__name__", "")
        tensors = [a for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor)]
        if name in _TWO and len(tensors) == 2:
            return tensors[0] + tensors[1]
        if name == "clamp" and len(tensors) > 1:
            return sum(tensors)
        if name in _NOT_SMOOTH:
            bound = {**dict(zip(("input", "dim", "keepdim"), args)), **kwargs}
            smooth = torch.logsumexp(bound["input"], bound["dim"], bound.get("keepdim", False))
            return torch.return_types.max((smooth, smooth)) if name in ("max", "min") else smooth
        return func(*args, **kwargs)


class _Reduced(nn.Module):
    """A convolution, then its output combined with a reduction of it over ``dims``, the reduced
    axes given back as torch allows (``how``), or the reduction alone when it is a vector."""

    def __init__(self, dims, kernel, padding, reduce, dim, keepdim, how, combine):
        super().__init__()
        conv = (nn.Conv1d, nn.Conv2d, nn.Conv3d)[dims - 1]
        self.conv = conv(2, 3, kernel, padding=padding)
        self.reduce, self.dim, self.keepdim, self.how, self.combine = reduce, dim, keepdim, how, combine

    def forward(self, x):
        y = self.conv(x)
        r = self.reduce(y, self.dim, self.keepdim)
        rank = y.dim()
        gone = sorted({d % rank for d in (self.dim if isinstance(self.dim, tuple) else (self.dim,))})
        if self.how == "vector":
            return r
        if self.how == "unsqueeze":
            for d in gone:
                r = r.unsqueeze(d)
        elif self.how == "doubled, view":
            r = (2 * r).view([1 if d in gone else n for d, n in enumerate(y.shape)])
        elif self.how == "index":
            r = r[(slice(None),) + tuple(None if d in gone else slice(None) for d in range(1, rank))]
        return self.combine(y, r.to(y.dtype))


def _case(rng):
    """A random model: its arguments, the input shape, and the axes (batch first) it reduces."""
    dims = int(rng.integers(1, 4))
    reduce = str(rng.choice(list(REDUCE)))
    call, takes = REDUCE[reduce]
    rank = dims + 2
    if takes == "int":
        axes = (int(rng.integers(1, rank)),)
    else:
        axes = tuple(sorted(int(a) for a in rng.choice(range(1, rank), int(rng.integers(1, rank)), replace=False)))
    written = tuple(a - rank if rng.integers(0, 2) else a for a in axes)  # negative dims too
    dim = written[0] if len(written) == 1 and (takes == "int" or rng.integers(0, 2)) else written
    keepdim = bool(rng.integers(0, 2))
    spatial_left = set(range(2, rank)) - set(axes)
    if keepdim:
        how = "keepdim"
    elif not spatial_left:
        how = "vector"
    else:
        leading = set(axes) == set(range(1, 1 + len(axes)))  # torch aligns trailing axes: these broadcast
        how = str(rng.choice(["unsqueeze", "doubled, view", "index"] + ["broadcast"] * leading))
    combine = str(rng.choice(list(COMBINE)))
    kernel = tuple(int(v) for v in rng.integers(1, 4, dims))
    padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in kernel)
    shape = (2, *(int(v) for v in rng.integers(4, 8 if dims < 3 else 6, dims)))
    model = _Reduced(dims, kernel, padding, call, dim, keepdim, how, COMBINE[combine])
    label = f"{reduce} dim={dim} keepdim={keepdim} {how} {combine} k={kernel} p={padding} in={shape}"
    return label, model, shape, set(axes), kernel, padding


def _supports(model, shape, cells, seed, smooth):
    """For each output cell: the input cells where the gradient (channels summed) is nonzero."""
    x = torch.randn((1, *shape), dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    x.requires_grad_()
    if smooth:
        with _Smooth():
            y = model(x)
    else:
        y = model(x)
    found = []
    for cell in cells:
        value = y.sum() if cell is None else y[(0, slice(None), *cell)].sum()
        (grad,) = torch.autograd.grad(value, x, retain_graph=True)
        found.append((grad[0].abs().sum(0) != 0).numpy())
    return found


def _expected_figures(shape, reduced, kernel, padding):
    """(size, jump, start) per axis of the output: the convolution's window, and along a reduced
    spatial axis every cell of it, padding included."""
    return [
        (n + 2 * p if a + 2 in reduced else k, 1, float(-p))
        for a, (n, k, p) in enumerate(zip(shape[1:], kernel, padding))
    ]


def test_every_reduction_traced_gives_the_cells_autograd_gives():
    rng = np.random.default_rng(5)
    seen, count = set(), 0
    for _ in range(130):
        label, model, shape, reduced, kernel, padding = _case(rng)
        result = convgif.model(model, shape, out=None, draw=False)
        for row in result.rows:
            assert "not followed" not in figures_text(row.field, len(shape) - 1), (label, row.name, row.field)
        model_row = next(r for r in result.rows if r.name == "(model)")
        graph = trace(model, shape)
        output = graph.calls[-1].outputs[0]
        twin = positive_twin(model)
        if model.how == "vector":
            assert model_row.field == "global", label
            cells, masks = [None], [np.ones(shape[1:], dtype=bool)]
        else:
            assert [tuple(f) for f in model_row.field] == _expected_figures(shape, reduced, kernel, padding), label
            out = graph.shapes[output][1:]
            cells = list({tuple(int(rng.integers(0, n)) for n in out) for _ in range(3)})
            masks = []
            for cell in cells:
                support, stopped = graph.support(output, cell)
                assert stopped is None, (label, stopped)
                masks.append(support[0])
        for cell, mask, smooth in zip(cells, masks, _supports(twin, shape, cells, count, smooth=True)):
            assert np.array_equal(mask, smooth), (label, cell, mask.sum(), smooth.sum())
        for seed in range(2):
            for cell, mask, real in zip(cells, masks, _supports(twin, shape, cells, 100 + seed, smooth=False)):
                assert not (real & ~mask).any(), (label, cell)
        seen.add(label.split(" dim=")[0])
        seen.add(model.how)
        count += 1
    assert seen >= set(REDUCE) | {"keepdim", "vector", "unsqueeze", "doubled, view", "index", "broadcast"}, seen


def test_a_reduction_over_channels_keeps_the_window_and_over_space_sees_the_axis():
    """CBAM's spatial attention (max and mean over channels, kept) sees the convolution's 3×3;
    a std over the rows without keepdim, given back, sees whole columns of the input."""

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3, padding=1)

        def forward(self, x):
            y = self.conv(x)
            pooled = torch.cat([y.max(dim=1, keepdim=True)[0], y.mean(1, keepdim=True)], 1)
            return y * torch.sigmoid(pooled.sum(1, keepdim=True)) + y.std(dim=-2).unsqueeze(-2)

    result = convgif.model(Attention(), (1, 6, 5), out=None, draw=False)
    row = next(r for r in result.rows if r.name == "(model)")
    assert figures_text(row.field, 2) == "8×3 · jump 1×1 · start −1,−1"


class _Lambda(nn.Module):
    """A convolution, then ``call`` of its output."""

    def __init__(self, call, conv=None):
        super().__init__()
        self.conv, self.call = conv or nn.Conv2d(1, 3, 3, padding=1), call

    def forward(self, x):
        return self.call(self.conv(x))


def test_maximum_of_two_tensors_combines_fields_as_an_addition_does():
    """torch.max(a, b), a.min(b), maximum, minimum, fmax, fmin and clamp between tensors read
    both tensors cell by cell: the field of their output is the union, as for a + b."""
    conv = nn.Conv2d(1, 2, 3, stride=2, padding=1)
    fields = {}
    for name, combine in {**COMBINE, "fmin": lambda y, r: torch.fmin(y, r)}.items():
        model = _Lambda(lambda y, combine=combine: combine(y, y.mean(-1, keepdim=True)), conv)
        result = convgif.model(model, (1, 9, 7), out=None, draw=False)
        fields[name] = figures_text(next(r for r in result.rows if r.name == "(model)").field, 2)
    assert set(fields.values()) == {"3×9 · jump 2×2 · start −1,−1"}, fields


def _page(model, shape, tmp_path):
    convgif.model(model, shape, out=tmp_path, draw=False, trace="(model)")
    return (tmp_path / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "call, words",
    [
        (
            lambda y: y + torch.gather(y, 1, y.argmax(1, keepdim=True)),
            "gather: convgif does not know which cells gather",
        ),
        (lambda y: y[..., :5] * y.amax(-1).unsqueeze(-2), "unsqueeze: the tensor it reads lost dim 3 to a reduction"),
        (lambda y: y - y.std(keepdim=True), "std: it reduces the batch axis too (as dim=None does)"),
        (lambda y: y - y.max(), "max: it reduces the batch axis too (as dim=None does)"),
        (lambda y: y - y.sum(dim=(0, 1), keepdim=True), "sum: it reduces the batch axis too"),
    ],
    ids=["gather", "axes moved", "dim=None keepdim", "number", "dim=0"],
)
def test_what_cannot_be_followed_says_so_naming_the_call(call, words, tmp_path):
    """A call whose cells convgif cannot tell (which cell gather takes depends on the values;
    an axis moved to another place; a reduction of the batch too) leaves the field unknown, and
    the table and the receptive field's note say which call and why."""
    page = _page(_Lambda(call), (1, 5, 5), tmp_path)
    assert f"not followed: {words}" in page, page
    assert "the field stops short" in page


SOFTMAX = {
    "F.softmax": lambda y, d: torch.nn.functional.softmax(y, d),
    "torch.softmax": lambda y, d: torch.softmax(y, dim=d),
    "Tensor.log_softmax": lambda y, d: y.log_softmax(d),
    "nn.Softmin": lambda y, d: nn.Softmin(d)(y),
    "after amax": lambda y, d: torch.softmax(y.amax(1), d - 1 if d > 0 else d).unsqueeze(1) if d != 1 else y,
}


@pytest.mark.parametrize("name", list(SOFTMAX))
@pytest.mark.parametrize("dim", [1, 2, -1])
def test_a_softmax_reads_its_whole_axis(name, dim):
    """A softmax along a spatial axis reads all of it; along the channels, its own cell. The
    cells equal those of torch's gradient (channels weighted unequally: a softmax's channels sum
    to one, so their plain sum has no gradient)."""
    model = _Lambda(lambda y: SOFTMAX[name](y, dim))
    shape = (1, 5, 6)
    graph = trace(model, shape)
    twin = positive_twin(model)
    x = torch.randn((1, *shape), dtype=torch.float64, generator=torch.Generator().manual_seed(4), requires_grad=True)
    y = twin(x)
    weights = torch.arange(1.0, y.shape[1] + 1, dtype=torch.float64)
    for cell in [(0, 0), (2, 3), (4, 5)]:
        (grad,) = torch.autograd.grad((y[(0, slice(None), *cell)] * weights).sum(), x, retain_graph=True)
        masks, stopped = graph.support(graph.calls[-1].outputs[0], cell)
        assert stopped is None
        np.testing.assert_array_equal(masks[0], (grad[0].abs().sum(0) > 0).numpy())
    row = next(r for r in convgif.model(model, shape, out=None, draw=False).rows if r.name == "(model)")
    sizes = {1: "3×3", 2: "7×3", -1: "3×8"}[dim]
    assert figures_text(row.field, 2) == f"{sizes} · jump 1×1 · start −1,−1"


@pytest.mark.parametrize(
    "layer", ["Softmax(dim=1)", "Softmax(dim=-1)", "LogSoftmax(dim=2)", "Softmax2d()", "Softmin(-2)"]
)
def test_a_softmax_printed_reads_as_the_traced_one(layer, tmp_path):
    """The same network read from what print(model) shows (without torch) and traced: the same fields."""
    network = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), eval(f"nn.{layer}"))
    text = tmp_path / "model.txt"
    text.write_text(str(network), encoding="utf-8")
    read, traced = (convgif.model(source, (1, 5, 6), out=None, draw=False) for source in (str(text), network))
    fields = [[figures_text(row.field, 2) for row in result.rows] for result in (read, traced)]
    assert fields[0] == fields[1] and "not followed" not in str(fields), fields


class _Excite(nn.Module):
    """Squeeze-and-excitation written without keepdim: a mean over the picture, a linear layer,
    the vector viewed back as channels of one cell, scaling the convolution's output."""

    def __init__(self):
        super().__init__()
        self.conv, self.fc = nn.Conv2d(1, 4, 3, padding=1), nn.Linear(4, 4)

    def forward(self, x):
        y = self.conv(x)
        scale = torch.sigmoid(self.fc(y.mean((2, 3)))).view(y.shape[0], -1, 1, 1)
        return y * scale


def test_squeeze_and_excitation_without_keepdim_sees_the_whole_input():
    model, shape = _Excite(), (1, 5, 6)
    result = convgif.model(model, shape, out=None, draw=False)
    assert {row.name: figures_text(row.field, 2) for row in result.rows} == {
        "(model)": "the whole input",
        "conv": "3×3 · jump 1×1 · start −1,−1",
        "fc": "the whole input",
    }
    graph = trace(model, shape)
    masks, stopped = graph.support(graph.calls[-1].outputs[0], (0, 0))
    assert stopped is None and masks[0].all()
    twin = positive_twin(model)
    x = torch.randn((1, *shape), dtype=torch.float64, generator=torch.Generator().manual_seed(6), requires_grad=True)
    (grad,) = torch.autograd.grad(twin(x)[0, :, 0, 0].sum(), x)
    assert (grad != 0).all()


class _Rows(nn.Module):
    """The largest value of each row: (C, H), the columns' axis dropped."""

    def forward(self, x):
        return x.amax(-1)


def test_a_tensor_without_an_axis_is_kept_in_the_network_axes_and_shown_with_its_own_shape(tmp_path):
    """amax over the columns without keepdim: the graph keeps the tensor as (C, H, 1), so that
    its field is told per axis of the input (whole padded rows), and knows its own shape (C, H)
    for the receptive field's caption."""
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), _Rows())
    graph = trace(model, (1, 6, 8))
    rows = next(r for r in graph.rows if r.name == "1")
    assert graph.shapes[rows.output] == (4, 6, 1) and graph.own[rows.output] == rows.output_shape == (4, 6)
    result = convgif.model(model, (1, 6, 8), out=tmp_path, draw=False, trace="1:3,0")
    assert figures_text(next(r for r in result.rows if r.name == "1").field, 2) == "3×10 · jump 1×8 · start −1,−1"
    assert result.trace_note is None and (tmp_path / "receptive-field.gif").is_file()
