"""Receptive fields through calls that read along an axis, traced in random models: sorting
(``sort``, ``argsort``, ``topk``), order statistics (``median``, ``nanmedian``, ``mode``,
``kthvalue``, ``quantile``, ``aminmax``), tests and counts (``any``, ``all``,
``count_nonzero``), running totals (``cumsum``, ``cumprod``, ``logcumsumexp``, ``cummax``,
``cummin``), ``diff``, reorderings (``flip``, ``roll``), repetitions (``repeat``, ``tile``,
``repeat_interleave``, ``expand``), pieces (``narrow``, ``chunk``, ``split``, ``tensor_split``)
and norms over some axes (``layer_norm``, ``rms_norm``, ``normalize``, ``local_response_norm``).

What the cells should be comes from torch's gradients, as in test_model_reduction_field.py: the
input cells where the gradient of one output cell (channels weighted 1, 2, ...: a norm's
channels may sum to a constant) is nonzero, with positive weights and random float64 inputs so
that nothing cancels. Where the gradient goes to one cell depending on the values (a sorted
cell, a median, a running maximum) or nowhere (an index, a count), every cell that can be that
one: the check runs on a twin where each such call is a smooth function of the same cells
(``logsumexp`` over the dim, ``logcumsumexp`` for a running maximum), whose gradient must equal
convgif's cells, and on the model itself, whose gradient must lie inside them. Each field's
ends are those of the cells: without padding, per axis, the first and last cell read.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from fields import positive_twin  # noqa: E402
from torch.overrides import TorchFunctionMode  # noqa: E402

import convgif  # noqa: E402
from convgif.network.graph import figures_text  # noqa: E402
from convgif.network.trace import _bind, trace  # noqa: E402

#: Calls along ``d`` (an axis of ``y``, batch first, never the batch), as a model writes them,
#: each keeping the rank (a reduction keeps its dim, or is given it back); ``r`` a random source.
ALONG = {
    "sort values": lambda y, d, r: y.sort(d)[0],
    "sort indices": lambda y, d, r: torch.sort(y, dim=d, descending=True)[1].to(y.dtype),
    "argsort": lambda y, d, r: y.argsort(d).to(y.dtype),
    "topk": lambda y, d, r: torch.topk(y, int(r.integers(1, y.shape[d] + 1)), d)[0],
    "topk indices": lambda y, d, r: y.topk(1, dim=d, largest=False)[1].to(y.dtype),
    "median": lambda y, d, r: y.median(d, keepdim=True)[0],
    "median unsqueezed": lambda y, d, r: torch.median(y, dim=d)[0].unsqueeze(d),
    "nanmedian": lambda y, d, r: y.nanmedian(d, True)[0],
    "mode": lambda y, d, r: y.mode(d, keepdim=True)[0],
    "kthvalue": lambda y, d, r: y.kthvalue(int(r.integers(1, y.shape[d] + 1)), d, True)[0],
    "quantile": lambda y, d, r: torch.quantile(y, 0.3, dim=d, keepdim=True),
    "aminmax": lambda y, d, r: torch.aminmax(y, dim=d, keepdim=True)[1],
    "any": lambda y, d, r: y.any(d, keepdim=True).to(y.dtype),
    "count_nonzero": lambda y, d, r: torch.count_nonzero(y, d).unsqueeze(d).to(y.dtype),
    "cumsum": lambda y, d, r: y.cumsum(d),
    "cumprod": lambda y, d, r: torch.cumprod(y, dim=d),
    "logcumsumexp": lambda y, d, r: y.logcumsumexp(d),
    "cummax": lambda y, d, r: y.cummax(d)[0],
    "cummin indices": lambda y, d, r: torch.cummin(y, d)[1].to(y.dtype),
    "diff": lambda y, d, r: torch.diff(y, int(r.integers(1, y.shape[d])), d) if y.shape[d] > 1 else y,
    "flip": lambda y, d, r: y.flip(d),
    "flip two": lambda y, d, r: torch.flip(y, (d, -1)) if d % y.dim() != y.dim() - 1 else y.flip(-1),
    "fliplr": lambda y, d, r: torch.fliplr(y),
    "roll": lambda y, d, r: y.roll(int(r.integers(-9, 10)), d),
    "roll two": lambda y, d, r: torch.roll(y, (int(r.integers(-5, 6)), 1), (d, -1)),
    "narrow": lambda y, d, r: y.narrow(d, int(r.integers(-y.shape[d], 0)), 1),
    "chunk": lambda y, d, r: y.chunk(2, d)[-1],
    "split": lambda y, d, r: torch.split(y, 2, dim=d)[-1],
    "split sizes": lambda y, d, r: y.split([1, y.shape[d] - 1], d)[1] if y.shape[d] > 1 else y,
    "tensor_split": lambda y, d, r: torch.tensor_split(y, 3, d)[1] if y.shape[d] > 2 else y,
    "chunk joined": lambda y, d, r: sum(p.sum(d, keepdim=True) for p in y.chunk(2, d)),
    "repeat": lambda y, d, r: y.repeat(*(2 if a == d % y.dim() else 1 for a in range(y.dim()))),
    "tile": lambda y, d, r: y.tile((3,) + (1,) * (y.dim() - d % y.dim() - 1)),
    "repeat_interleave": lambda y, d, r: y.repeat_interleave(int(r.integers(1, 4)), d),
    "expand": lambda y, d, r: y.narrow(d, 0, 1).expand(y.shape),
    "layer_norm": lambda y, d, r: F.layer_norm(y, y.shape[d:]),
    "rms_norm": lambda y, d, r: F.rms_norm(y, y.shape[d:]),
    "LayerNorm": lambda y, d, r: nn.LayerNorm(y.shape[d:], dtype=y.dtype)(y),
    "normalize": lambda y, d, r: F.normalize(y, dim=d),
    "local_response_norm": lambda y, d, r: F.local_response_norm(y, int(r.integers(1, 4))),
}

#: Calls whose gradient goes to cells that depend on the values, or nowhere: the twin's names.
_SORTING = {"sort", "argsort", "topk"}
_ORDER = {"median", "nanmedian", "mode", "kthvalue", "quantile", "aminmax", "any", "count_nonzero", "amax"}
_RUNNING = {"cummax", "cummin"}


class _Smooth(TorchFunctionMode):
    """Each call whose gradient depends on the values made a smooth function of the same cells:
    a sort or top-k, ``logsumexp`` over its dim spread over the output; an order statistic or
    a count, ``logsumexp`` over its dim; a running maximum or minimum, ``logcumsumexp``."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        name = getattr(func, "__name__", "")
        if name not in _SORTING | _ORDER | _RUNNING:
            return func(*args, **kwargs)
        bound = _bind(func, args, kwargs)
        x = bound["input"].to(torch.float64)
        dim = bound.get("dim")
        dim = -1 if dim is None and name in _SORTING | {"mode", "kthvalue"} else dim
        if name in _RUNNING:
            smooth = torch.logcumsumexp(x, dim)
        elif name in _SORTING:
            shape = list(x.shape)
            shape[dim] = bound["k"] if name == "topk" else shape[dim]
            smooth = torch.logsumexp(x, dim, keepdim=True).expand(shape)
        else:
            smooth = torch.logsumexp(x, dim, keepdim=bool(bound.get("keepdim")))
        return smooth if name in ("argsort", "quantile", "any", "count_nonzero", "amax") else (smooth, smooth)


class _Along(nn.Module):
    """A convolution, then ``call`` of its output along ``dim``."""

    def __init__(self, dims, kernel, padding, call, dim, seed):
        super().__init__()
        self.conv = (nn.Conv1d, nn.Conv2d, nn.Conv3d)[dims - 1](2, 4, kernel, padding=padding)
        self.call, self.dim, self.seed = call, dim, seed

    def forward(self, x):
        return self.call(self.conv(x), self.dim, np.random.default_rng(self.seed))


def _supports(model, shape, cells, seed, smooth):
    """For each output cell: the input cells where the gradient (channels weighted) is nonzero."""
    x = torch.randn((1, *shape), dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    x.requires_grad_()
    if smooth:
        with _Smooth():
            y = model(x)
    else:
        y = model(x)
    weights = torch.arange(1.0, y.shape[1] + 1, dtype=torch.float64)
    found = []
    for cell in cells:
        value = (y[(0, slice(None), *cell)] * weights).sum()
        if not value.requires_grad:  # an index or a count: no gradient at all
            found.append(np.zeros(shape[1:], dtype=bool))
            continue
        (grad,) = torch.autograd.grad(value, x, retain_graph=True)
        found.append((grad[0].abs().sum(0) != 0).numpy())
    return found


def _case(rng, name, case):
    """A random model: along the channels first, then along spatial axes."""
    dims = int(rng.integers(1, 4))
    rank = dims + 2
    dim = 1 if case == 0 else int(rng.integers(2, rank))
    dim = dim - rank if rng.integers(0, 2) else dim  # negative dims too
    kernel = tuple(int(v) for v in rng.integers(1, 4, dims))
    padding = tuple(int(rng.integers(0, k // 2 + 1)) if rng.integers(0, 2) else 0 for k in kernel)
    shape = (2, *(int(v) for v in rng.integers(3, 7 if dims < 3 else 5, dims)))
    model = _Along(dims, kernel, padding, ALONG[name], dim, int(rng.integers(0, 1000)))
    return f"{name} dim={dim} k={kernel} p={padding} in={shape}", model, shape


def _ends(field, cell):
    """The first and last input cell the field of ``cell`` sees along each axis."""
    return [(int(field.low[a][o]), int(field.high[a][o])) for a, o in enumerate(cell)]


@pytest.mark.parametrize("name", list(ALONG))
def test_calls_along_an_axis_give_the_cells_autograd_gives(name):
    rng = np.random.default_rng(list(ALONG).index(name))
    for case in range(4):
        label, model, shape = _case(rng, name, case)
        graph = trace(model, shape)
        output = next(row for row in graph.rows if row.name == "(model)").output
        field = graph.fields()[output]
        assert not isinstance(field, str) or field == "global", (label, field)  # a reduction of every axis
        out = graph.shapes[output][1:]
        cells = sorted({tuple(int(rng.integers(0, n)) for n in out) for _ in range(3)})
        masks = []
        for cell in cells:
            support, stopped = graph.support(output, cell)
            assert stopped is None, (label, stopped)
            masks.append(support[0])
        twin = positive_twin(model)
        for cell, mask, smooth in zip(cells, masks, _supports(twin, shape, cells, case, smooth=True)):
            assert np.array_equal(mask, smooth), (label, cell, mask.sum(), smooth.sum())
            if field == "global":
                assert mask.all(), label
            elif not any(model.conv.padding):  # every cell read lies inside the input
                seen = [
                    np.flatnonzero(mask.any(tuple(b for b in range(mask.ndim) if b != a))) for a in range(mask.ndim)
                ]
                assert _ends(field, cell) == [(int(s[0]), int(s[-1])) for s in seen], (label, cell)
        for cell, mask, real in zip(cells, masks, _supports(twin, shape, cells, 100 + case, smooth=False)):
            assert not (real & ~mask).any(), (label, cell)


def _field(model, shape):
    result = convgif.model(model, shape, out=None, draw=False)
    return figures_text(next(r for r in result.rows if r.name == "(model)").field, len(shape) - 1)


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda y: y.cumsum(-1), "3×8 · jump 1×1 · start −1,−1"),
        (lambda y: y.sort(2)[0], "7×3 · jump 1×1 · start −1,−1"),
        (lambda y: y - y.median(-1, keepdim=True).values, "3×8 · jump 1×1 · start −1,−1"),
        (lambda y: y.flip(-1), "3×3 · jump 1×−1 · start −1,4"),
        (lambda y: F.max_pool2d(y.flip(-1), 2), "4×4 · jump 2×−2 · start −1,3"),
        (lambda y: F.max_pool2d(y.cumsum(-1), 2), "4×8 · jump 2×2 · start −1,−1"),
        (lambda y: F.max_pool2d(y.softmax(-1), 2), "4×8 · jump 2×2 · start −1,−1"),
        (lambda y: y.chunk(2, 1)[1] * y.chunk(2, 1)[0].sigmoid(), "3×3 · jump 1×1 · start −1,−1"),
        (lambda y: F.local_response_norm(y, 3), "3×3 · jump 1×1 · start −1,−1"),
        (lambda y: torch.diff(y, dim=-1), "3×4 · jump 1×1 · start −1,−1"),
    ],
    ids=[
        "cumsum",
        "sort",
        "median",
        "flip",
        "flip, pool",
        "cumsum, pool",
        "softmax, pool",
        "chunk gate",
        "lrn",
        "diff",
    ],
)
def test_the_table_gives_the_field_through_these_calls(call, field):
    """The figures the page's table shows, on a 5×6 input after a 3×3 convolution padded by 1:
    a running total along the columns sees every column up to its own (the widest, all 6 and
    the padding), and every cell's field starts at the first column, so that a pooling after
    it moves them by 0 (as after a softmax, whose fields do not move either); a sort along the
    rows sees every row; after a flip the fields start where the last column's does and each next
    cell's lies a column before (a negative jump)."""

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3, padding=1)

        def forward(self, x):
            return call(self.conv(x))

    assert _field(Model(), (1, 5, 6)) == field


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda y: torch.msort(y), "msort: it runs along the batch axis"),
        (lambda y: y.roll(1), "roll: roll without dims rolls the flattened tensor"),
        (lambda y: y.cumsum(0), "cumsum: it runs along the batch axis"),
        (lambda y: torch.diff(y, dim=-1, prepend=y[..., :1]), "diff: diff with prepend or append"),
        (lambda y: y.repeat_interleave(2), "repeat_interleave: repeat_interleave makes a tensor without spatial axes"),
    ],
    ids=["msort", "roll without dims", "cumsum over the batch", "diff prepend", "repeat_interleave flat"],
)
def test_what_cannot_be_followed_along_an_axis_says_why(call, words):
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3, padding=1)

        def forward(self, x):
            return call(self.conv(x))

    assert f"not followed: {words}" in _field(Model(), (1, 5, 6))


#: Calls on a tensor whose axes ``permute`` moved, ``d`` one of its own axes past the batch.
MOVED = {
    "gelu": lambda z, d, linear: F.gelu(z),
    "softmax": lambda z, d, linear: z.softmax(d),
    "cumsum": lambda z, d, linear: z.cumsum(d),
    "flip": lambda z, d, linear: z.flip(d),
    "layer_norm": lambda z, d, linear: F.layer_norm(z, z.shape[d:]),
    "linear": lambda z, d, linear: linear(z),
    "amax": lambda z, d, linear: z.amax(d, keepdim=True),
}


class _Moved(nn.Module):
    """A convolution, its axes moved by ``order`` (``permute``, ``transpose`` or ``movedim``), a
    call, and the axes put back."""

    def __init__(self, dims, shape, order, how, call, dim):
        super().__init__()
        self.conv = (nn.Conv1d, nn.Conv2d, nn.Conv3d)[dims - 1](shape[0], 4, 3, padding=1)
        sizes = (4, *shape[1:])
        self.linear = nn.Linear(sizes[_moved_order(len(shape) + 1, how, order)[-1] - 1], 3)
        self.order, self.how, self.call, self.dim = order, how, call, dim

    def forward(self, x):
        y = self.conv(x)
        order = self.order
        if self.how == "transpose":
            z = y.transpose(order[0], order[1])
        elif self.how == "movedim":
            z = torch.movedim(y, order[0], order[1])
        else:
            z = y.permute(0, *order)
        z = self.call(z, self.dim, self.linear)
        back = [0] * z.dim()
        for place, axis in enumerate(_moved_order(y.dim(), self.how, order)):
            back[axis] = place
        return z.permute(*back)


def _moved_order(rank, how, order):
    """Which axis of the convolution's output each axis of the moved tensor is."""
    axes = list(range(rank))
    if how == "transpose":
        axes[order[0]], axes[order[1]] = axes[order[1]], axes[order[0]]
        return axes
    if how == "movedim":
        axes.remove(order[0])
        axes.insert(order[1], order[0])
        return axes
    return [0, *order]


def test_calls_on_moved_axes_give_the_cells_autograd_gives():
    """permute, transpose and movedim move a tensor's axes; a call on it reads its own axes
    (a softmax along its last axis may run along the channels), and the fields follow the
    network's axes each stands for, until the axes are put back (ConvNeXt's layer norm and
    linear layers over the channels, written channels last)."""
    rng = np.random.default_rng(3)
    seen = set()
    for case in range(28):
        dims = int(rng.integers(1, 4))
        rank = dims + 2
        how = str(rng.choice(["permute", "permute", "transpose", "movedim"]))
        if how == "permute":
            order = tuple(int(a) + 1 for a in rng.permutation(rank - 1))
        else:
            order = tuple(int(a) for a in rng.choice(range(1, rank), 2, replace=False))
        name = list(MOVED)[case % len(MOVED)]
        shape = (2, *(int(v) for v in rng.integers(3, 7 if dims < 3 else 5, dims)))
        dim = -1 if name in ("layer_norm", "linear") and rng.integers(0, 2) else int(rng.integers(1, rank))
        torch.manual_seed(case)  # the same weights whatever ran before
        model = _Moved(dims, shape, order, how, MOVED[name], dim)
        label = f"{how} {order} {name} dim={dim} in={shape}"
        graph = trace(model, shape)
        output = next(row for row in graph.rows if row.name == "(model)").output
        assert not isinstance(graph.fields()[output], str), (label, graph.fields()[output])
        out = graph.shapes[output][1:]
        cells = sorted({tuple(int(rng.integers(0, n)) for n in out) for _ in range(3)})
        masks = []
        for cell in cells:
            support, stopped = graph.support(output, cell)
            assert stopped is None, (label, stopped)
            masks.append(support[0])
        twin = positive_twin(model)
        with torch.no_grad():  # no sum through the linear layer cancels either
            twin.linear.weight.abs_().add_(0.1)
        for cell, mask, smooth in zip(cells, masks, _supports(twin, shape, cells, case, smooth=True)):
            assert np.array_equal(mask, smooth), (label, cell, mask.sum(), smooth.sum())
        for cell, mask, real in zip(cells, masks, _supports(twin, shape, cells, 50 + case, smooth=False)):
            assert not (real & ~mask).any(), (label, cell)
        seen.add((how, name))
    assert {how for how, _ in seen} == {"permute", "transpose", "movedim"} and len(seen) > 12, seen


def test_a_call_that_reads_moved_axes_as_its_own_says_so():
    """A convolution over a transposed tensor reads its rows as columns: not followed, and said."""

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.other = nn.Conv2d(1, 2, 3, padding=1), nn.Conv2d(2, 2, 3)

        def forward(self, x):
            return self.other(self.conv(x).transpose(2, 3))

    assert "not followed: conv2d: the tensor it reads had its axes moved (permute, transpose)" in _field(
        Model(), (1, 5, 6)
    )
