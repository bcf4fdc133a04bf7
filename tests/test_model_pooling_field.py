"""Receptive fields through every pooling a traced model may call: an ``nn`` module, or the
function called in ``forward`` with its arguments positional or by name (``F.avg_pool2d`` and
``torch.max_pool2d`` are C++ bindings whose signatures Python cannot read: convgif reads their
arguments by torch's documented names and defaults).

What the figures should be comes from two sources independent of convgif's cell-by-cell
matrices: the receptive-field arithmetic of the literature (size grows by (k − 1)·d·jump, the
jump multiplies by the stride, the start moves back by padding·jump; an adaptive pool's widest
window from its bounds), and torch's gradients (the support of one output cell's gradient, with
every maximum computed as the average over the same window, as in test_model_field).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import convgif  # noqa: E402
from convgif.network.graph import figures_text  # noqa: E402


def _tuple(value, dims):
    return tuple(value) if isinstance(value, tuple) else (value,) * dims


class Functional(nn.Module):
    """A module whose forward calls ``call(x)``: a pooling used as a function."""

    def __init__(self, call):
        super().__init__()
        self.call = call

    def forward(self, x):
        return self.call(x)


def _pool_case(rng, dims):
    """A random pooling: (label, module or function, its windows per axis or "adaptive", a stand-in
    whose gradient has the same support)."""
    family = str(rng.choice(["max", "avg", "lp", "adaptive_avg", "adaptive_max"]))
    form = str(rng.choice(["module", "positional", "keyword", "builtin"]))
    k = tuple(int(v) for v in rng.integers(1, 4, dims))
    s = tuple(int(v) for v in rng.integers(1, 4, dims))
    p = tuple(int(rng.integers(0, kk // 2 + 1)) for kk in k)
    d = tuple(int(v) for v in rng.integers(1, 3, dims)) if family == "max" else (1,) * dims
    ceil = bool(rng.integers(0, 2))
    stride = None if rng.integers(0, 4) == 0 else s
    if stride is None:
        s = k
    n = f"{dims}d"
    if family.startswith("adaptive"):
        size = tuple(int(v) for v in rng.integers(1, 5, dims))
        name = f"adaptive_{family.split('_')[1]}_pool{n}"
        cls = getattr(nn, f"Adaptive{family.split('_')[1].capitalize()}Pool{n}")
        fn = getattr(F, name)
        call = {
            "module": cls(size),
            "positional": Functional(lambda x: fn(x, size)),
            "keyword": Functional(lambda x: fn(x, output_size=size)),
            "builtin": Functional(lambda x: fn(input=x, output_size=size)),
        }[form]
        return (
            f"{family} {form} {name} {size}",
            call,
            "adaptive",
            Functional(lambda x: getattr(F, f"adaptive_avg_pool{n}")(x, size)),
        )
    if family == "lp":
        norm = 2.0
        fn = getattr(F, f"lp_pool{n}")
        kernel, every = k, stride
        if dims == 1:  # F.lp_pool1d multiplies by its kernel_size: a number
            kernel, every = k[0], None if stride is None else stride[0]
        call = {
            "module": getattr(nn, f"LPPool{n}")(norm, kernel, every, ceil),
            "positional": Functional(lambda x: fn(x, norm, kernel, every, ceil)),
            "keyword": Functional(lambda x: fn(x, norm_type=norm, kernel_size=kernel, stride=every, ceil_mode=ceil)),
            "builtin": Functional(lambda x: fn(x, norm, kernel_size=kernel, ceil_mode=ceil, stride=every)),
        }[form]
        p = (0,) * dims
    elif family == "avg":
        fn = getattr(F, f"avg_pool{n}")
        short = getattr(torch, f"avg_pool{n}", fn)  # torch.avg_pool1d; 2-D and 3-D only under F
        call = {
            "module": getattr(nn, f"AvgPool{n}")(k, stride, p, ceil),
            "positional": Functional(lambda x: fn(x, k, stride, p, ceil)),
            "keyword": Functional(lambda x: fn(x, kernel_size=k, stride=stride, padding=p, ceil_mode=ceil)),
            "builtin": Functional(lambda x: short(x, k, stride=stride, padding=p, ceil_mode=ceil)),
        }[form]
    else:
        fn = getattr(F, f"max_pool{n}")
        builtin = getattr(torch, f"max_pool{n}")  # a C++ binding, unlike F.max_pool2d
        call = {
            "module": getattr(nn, f"MaxPool{n}")(k, stride, p, d, ceil_mode=ceil),
            "positional": Functional(lambda x: fn(x, k, stride, p, d, ceil)),
            "keyword": Functional(lambda x: fn(x, kernel_size=k, stride=stride, padding=p, dilation=d, ceil_mode=ceil)),
            "builtin": Functional(lambda x: builtin(x, k, stride, p, d, ceil)),
        }[form]
    label = f"{family} {form} k={k} s={stride} p={p} d={d} ceil={ceil}"
    return label, call, list(zip(k, s, p, d)), None


def _expected(first, windows, sizes_in, sizes_out):
    """(size, jump, start) per axis after a convolution ``first`` ((k, s, p) per axis) and the
    pooling: the literature's arithmetic."""
    out = []
    for axis, (k0, s0, p0) in enumerate(first):
        size, jump, start = k0, Fraction(s0), -p0
        if windows == "adaptive":
            n, m = sizes_in[axis], sizes_out[axis]
            widest = max(-(-(o + 1) * n // m) - (o * n) // m for o in range(m))
            out.append((size + (widest - 1) * s0, jump * Fraction(n, m), start))
        else:
            k, s, p, d = windows[axis]
            out.append((size + (k - 1) * d * s0, jump * s, start - p * s0))
    return out


def _probe(conv, stand_in, windows, dims):
    """The convolution, a ReLU and a pooling whose gradient reaches every cell of each window
    (an average over the pooling's windows), in float64 with positive weights; None where no
    average has those windows (a dilated maximum)."""
    if windows == "adaptive":
        pool = stand_in
    elif any(d != 1 for *_, d in windows):
        return None
    else:
        kernel, stride, padding = ([w[i] for w in windows] for i in range(3))
        average = getattr(F, f"avg_pool{dims}d")
        pool = Functional(lambda x: average(x, kernel, stride, padding))
    twin = type(conv)(1, 2, conv.kernel_size, conv.stride, conv.padding).double()
    with torch.no_grad():
        twin.weight.copy_(conv.weight.abs().double() + 0.1)
        twin.bias.zero_()
    return nn.Sequential(twin, nn.ReLU(), pool)


def _gradient_widths(model, shape, first, expected, adaptive):
    """The widest extent, per axis, of the input cells one output cell's gradient reaches
    (channels summed), over the cells whose field the padding does not cut (None: no such cell)."""
    x = torch.rand((1, *shape), dtype=torch.float64, generator=torch.Generator().manual_seed(3)) + 0.5
    x.requires_grad_()
    y = model(x)
    widest, measured = None, 0
    for cell in np.ndindex(*y.shape[2:]):
        if measured == 8:  # enough: every such cell's field has the same extent
            break
        if adaptive:
            if any(p for _, _, p in first):
                return None
        elif not all(
            0 <= start + o * jump and start + o * jump + size <= n
            for o, (size, jump, start), n in zip(cell, expected, shape[1:])
        ):
            continue
        (grad,) = torch.autograd.grad(y[(0, slice(None), *cell)].sum(), x, retain_graph=True)
        measured += not adaptive
        where = np.nonzero(grad[0].abs().sum(0).numpy())
        width = tuple(int(w.max() - w.min() + 1) for w in where)
        widest = width if widest is None else tuple(max(a, b) for a, b in zip(widest, width))
    return widest


def test_every_pooling_traced_gives_the_field_torch_implies():
    rng = np.random.default_rng(11)
    checked = set()
    count = measured = 0
    for _ in range(130):
        dims = int(rng.integers(1, 4))
        label, pool, windows, stand_in = _pool_case(rng, dims)
        k0 = tuple(int(v) for v in rng.integers(1, 4, dims))
        s0 = tuple(int(v) for v in rng.integers(1, 3, dims))
        p0 = tuple(int(rng.integers(0, kk // 2 + 1)) for kk in k0)
        conv = nn.Conv1d if dims == 1 else nn.Conv2d if dims == 2 else nn.Conv3d
        conv = conv(1, 2, k0, s0, p0)
        model = nn.Sequential(conv, nn.ReLU(), pool)
        shape = (1, *(int(v) for v in rng.integers(6, 14 if dims < 3 else 10, dims)))
        try:
            with torch.no_grad():
                middle = conv(torch.zeros((1, *shape)))
                out = pool(middle)
        except RuntimeError:  # a configuration torch refuses
            continue
        if out.numel() == 0:
            continue
        result = convgif.model(model, shape, out=None, draw=False)
        for row in result.rows:
            assert "not followed" not in figures_text(row.field, dims), (label, row.name, row.field)
        model_row = next(r for r in result.rows if r.name == "(model)")
        expected = _expected(list(zip(k0, s0, p0)), windows, middle.shape[2:], out.shape[2:])
        assert [(size, jump, start) for size, jump, start in model_row.field] == expected, (label, shape)
        # torch's own gradients: a cell whose field lies inside the input reaches that many cells
        probe = _probe(conv, stand_in, windows, dims)
        if probe is not None:
            widths = _gradient_widths(probe, shape, list(zip(k0, s0, p0)), expected, adaptive=windows == "adaptive")
            if widths is not None:
                assert widths == tuple(size for size, *_ in expected), (label, widths, expected)
                measured += 1
        checked.add(label.split()[0] + " " + label.split()[1])
        count += 1
    assert count > 100 and measured > 60
    families = {"max", "avg", "lp", "adaptive_avg", "adaptive_max"}
    forms = {"module", "positional", "keyword", "builtin"}
    assert checked == {f"{a} {b}" for a in families for b in forms}


def test_the_page_reads_avg_pool_as_torch_does(tmp_path):
    """A Conv1d of 3 then an AvgPool1d of 2 sees 4 cells, 2 apart."""
    model = nn.Sequential(nn.Conv1d(1, 2, 3), nn.AvgPool1d(2))
    result = convgif.model(model, (1, 10), out=None, draw=False)
    texts = {row.name: figures_text(row.field, 1) for row in result.rows}
    assert texts == {"(model)": "4 · jump 2 · start 0", "0": "3 · jump 1 · start 0", "1": "4 · jump 2 · start 0"}
    for dims in (2, 3):
        pool = getattr(nn, f"AvgPool{dims}d")(2)
        conv = getattr(nn, f"Conv{dims}d")(1, 2, 3)
        result = convgif.model(nn.Sequential(conv, pool), (1,) * 1 + (8,) * dims, out=None, draw=False)
        row = next(r for r in result.rows if r.name == "(model)")
        assert [(s, j, st) for s, j, st in row.field] == [(4, 2, 0)] * dims


class _Squeeze(nn.Module):
    """A convolution, then its output plus a reduction of it over ``dims`` kept as axes of one
    cell (a squeeze-and-excitation block's pooling, broadcast back)."""

    def __init__(self, reduce, dims):
        super().__init__()
        self.conv, self.reduce, self.dims = nn.Conv2d(1, 2, 3, padding=1), reduce, dims

    def forward(self, x):
        y = self.conv(x)
        return y + self.reduce(y, self.dims)


REDUCTIONS = {
    "mean": lambda y, dims: y.mean(dims, keepdim=True),
    "sum": lambda y, dims: torch.sum(y, dim=dims, keepdim=True),
    "amax": lambda y, dims: torch.amax(y, dims, True),
    "logsumexp": lambda y, dims: torch.logsumexp(y, dims, keepdim=True),
}


@pytest.mark.parametrize("name", list(REDUCTIONS))
@pytest.mark.parametrize("dims", [(2, 3), (-1,), 2])
def test_a_reduction_keeping_its_axes_reads_the_whole_axis(name, dims):
    """Every output cell reads its 3×3 window and, through the reduction, the whole of each
    reduced axis (padding included); neighbouring cells stay one input cell apart. For the
    smooth reductions, convgif's cells equal the support of torch's gradient."""
    model, shape = _Squeeze(REDUCTIONS[name], dims), (1, 6, 7)
    reduced = {d % 4 - 2 for d in (dims if isinstance(dims, tuple) else (dims,))}
    result = convgif.model(model, shape, out=None, draw=False)
    row = next(r for r in result.rows if r.name == "(model)")
    want = [(n + 2 if a in reduced else 3, 1, -1.0) for a, n in enumerate(shape[1:])]
    assert [(s, j, st) for s, j, st in row.field] == want, (name, dims, row.field)
    if name in ("mean", "sum", "logsumexp"):
        from convgif.network.trace import trace

        graph = trace(model, shape)
        twin = _Squeeze(REDUCTIONS[name], dims).double()
        with torch.no_grad():
            twin.conv.weight.copy_(model.conv.weight.abs().double() + 0.1)
            twin.conv.bias.zero_()
        x = torch.rand((1, *shape), dtype=torch.float64, generator=torch.Generator().manual_seed(2)) + 0.5
        x.requires_grad_()
        y = twin(x)
        for cell in [(0, 0), (3, 4), (5, 6)]:
            (grad,) = torch.autograd.grad(y[(0, slice(None), *cell)].sum(), x, retain_graph=True)
            masks, stopped = graph.support(graph.calls[-1].outputs[0], cell)
            assert stopped is None
            np.testing.assert_array_equal(masks[0], (grad[0].abs().sum(0) > 0).numpy())


@pytest.mark.parametrize("functional", [False, True])
def test_a_channel_shuffle_reads_the_same_cell_of_another_channel(functional):
    """nn.ChannelShuffle and F.channel_shuffle move whole channels: the field is the convolution's."""
    conv = nn.Conv2d(2, 4, 3, stride=2, padding=1)
    shuffle = Functional(lambda x: F.channel_shuffle(x, 2)) if functional else nn.ChannelShuffle(2)
    result = convgif.model(nn.Sequential(conv, shuffle), (2, 9, 9), out=None, draw=False)
    fields = {row.name: [tuple(f) for f in row.field] for row in result.rows}
    assert fields["(model)"] == fields["0"] == [(3, 2, -1.0)] * 2
