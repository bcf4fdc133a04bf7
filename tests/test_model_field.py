"""Receptive fields through whole networks: the cells convgif finds equal the support of the
gradient that autograd computes, on ResNet-18, a U-Net and a causal dilated Conv1d stack.

The gradient of one output cell (all its channels summed) with respect to the input is nonzero
exactly on the cells it depends on when nothing cancels or stops it: the networks are made
monotone for the check (every weight positive, scaled by its fan-in, the input positive, so
that each ReLU passes its gradient), and each max pooling is computed as the average over the
same windows (a maximum passes its gradient to one cell of its window, which one depending on
the values; every cell of the window can be that one).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from torch.overrides import TorchFunctionMode  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
import models  # noqa: E402

from convgif.network import reach  # noqa: E402
from convgif.network.trace import trace  # noqa: E402


class _AverageForMax(TorchFunctionMode):
    """Every max pooling computed as the average over its windows (same windows, same output)."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        name = getattr(func, "__name__", "")
        if name.startswith("max_pool") or name.startswith("_max_pool"):
            dims = int(name.rstrip("d")[-1]) if name[-2:] in ("1d", "2d", "3d") else 2
            names = ("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices")
            bound = {**dict(zip(names, args)), **kwargs}
            assert bound.get("dilation", 1) in (1, (1,) * dims), "the stand-in has no dilation"
            average = getattr(F, f"avg_pool{dims}d")
            return average(
                bound["input"],
                bound["kernel_size"],
                bound.get("stride"),
                bound.get("padding", 0),
                bound.get("ceil_mode", False),
            )
        return func(*args, **kwargs)


def _monotone(model):
    """``model`` in float64 with every parameter positive and each layer's weights summing to about one."""
    model = model.double().eval()
    with torch.no_grad():
        for module in model.modules():
            for parameter in module.parameters(recurse=False):
                fan_in = parameter[0].numel() if parameter.dim() > 1 else 1
                parameter.copy_((parameter.abs() + 0.1) / fan_in)
            if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                module.running_mean.zero_()
                module.running_var.fill_(1.0)
    return model


def gradient_supports(model, input_shape, wanted):
    """For each (module name, cell) of ``wanted``: the input cells where the gradient of that
    module's output there (channels summed) is nonzero."""
    model = _monotone(model)
    x = torch.rand((1, *input_shape), dtype=torch.float64, generator=torch.Generator().manual_seed(1)) + 0.5
    x.requires_grad_()
    seen = {}
    handles = [
        model.get_submodule(name).register_forward_hook(lambda m, a, out, name=name: seen.setdefault(name, out))
        for name in {name for name, _ in wanted}
    ]
    try:
        with _AverageForMax():
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    supports = []
    for name, cell in wanted:
        (grad,) = torch.autograd.grad(seen[name][(0, slice(None), *cell)].sum(), x, retain_graph=True)
        supports.append((grad[0].abs().sum(0) > 0).numpy())
    return supports


CASES = {
    "resnet18": (
        (3, 48, 40),
        {
            "conv1": [(0, 0), (11, 7), (23, 19)],
            "maxpool": [(0, 0), (5, 9), (11, 9)],
            "layer1.0": [(0, 0), (6, 4)],
            "layer2.0.conv1": [(0, 4), (5, 2)],
            "layer2.0.downsample": [(3, 1)],
            "layer3.1": [(0, 0), (2, 1)],
            "layer4.1.conv2": [(0, 0), (1, 1)],
        },
    ),
    "unet": (
        (1, 16, 12),
        {"up2": [(0, 0), (3, 4), (7, 5)], "dec2": [(5, 2)], "up1": [(0, 0), (9, 6), (15, 11)], "": [(0, 0), (15, 11)]},
    ),
    "wavenet": ((1, 37), {"blocks.1": [(0,), (2,), (20,)], "": [(0,), (7,), (36,)]}),
    "vgg_block": ((3, 11, 9), {"": [(0, 0), (4, 3)], "2": [(0, 0), (10, 8)]}),
}


@pytest.mark.parametrize("model", list(CASES))
def test_support_is_the_gradient_support(model):
    shape, cells = CASES[model]
    network = getattr(models, model)()
    graph = trace(network, shape)
    wanted = [(name, cell) for name, some in cells.items() for cell in some]
    for (name, cell), expected in zip(wanted, gradient_supports(network, shape, wanted)):
        row = next(r for r in graph.rows if r.name == (name or "(model)"))
        masks, stopped = graph.support(row.output, cell)
        assert stopped is None
        assert masks[0].shape == expected.shape
        assert expected.any()
        assert np.array_equal(masks[0], expected), (model, name, cell, masks[0].sum(), expected.sum())


def test_resnet18_stacked_field():
    """ResNet-18's last stage sees 435 × 435 input cells, 32 apart: the figure the
    receptive-field literature gives for it."""
    graph = trace(models.resnet18(), (3, 64, 64))
    fields = graph.fields()
    row = next(r for r in graph.rows if r.name == "layer4")
    assert [(size, jump) for size, jump, _ in fields[row.output].figures()] == [(435, 32), (435, 32)]
    stem = next(r for r in graph.rows if r.name == "maxpool")
    assert [f[:3] for f in fields[stem.output].figures()] == [(11, 4, -5.0), (11, 4, -5.0)]


def test_causal_stack_sees_only_the_past():
    graph = trace(models.wavenet(), (1, 30))
    masks, _ = graph.support(graph.calls[-1].outputs[0], (20,))
    assert np.flatnonzero(masks[0]).tolist() == list(range(5, 21))


def _one_hot_reads(name, n, k, s, p, d):
    """What torch says layer ``name`` reads, output by output, and the arguments convgif reads it from."""
    eye = torch.eye(n, dtype=torch.float64)[:, None, :]
    ones = torch.ones(1, 1, k, dtype=torch.float64)
    reflect = p < n and k < n
    run = {
        "conv1d": (
            lambda: F.conv1d(eye, ones, None, s, p, d),
            {"weight": (1, 1, k), "stride": s, "padding": p, "dilation": d},
        ),
        "conv_transpose1d": (
            lambda: F.conv_transpose1d(eye, ones, None, s, p, 0, 1, d),
            {"weight": (1, 1, k), "stride": s, "padding": p, "dilation": d},
        ),
        "avg_pool1d": (lambda: F.avg_pool1d(eye, k, s, p, True), {"kernel_size": k, "stride": s, "padding": p}),
        "adaptive_avg_pool1d": (lambda: F.adaptive_avg_pool1d(eye, max(1, n // s)), {}),
        "interpolate": (
            lambda: F.interpolate(eye, scale_factor=s + 0.5, mode="linear"),
            {"scale_factor": s + 0.5, "mode": "linear"},
        ),
        "pad": (
            lambda: F.pad(eye, (p, k), mode="reflect" if reflect else "constant"),
            {"pad": (p, k), "mode": "reflect" if reflect else "constant"},
        ),
    }[name]
    return run[0](), run[1]


def test_single_layer_reaches_match_torch():
    """Each rule against the layer itself, run by torch on one-hot inputs: output ``o`` reads
    input ``i`` when a one-hot at ``i`` changes ``o`` (weights positive, so nothing cancels)."""
    rng = np.random.default_rng(0)
    checked = 0
    for _ in range(60):
        n = int(rng.integers(3, 12))
        k, s, d = int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 3))
        p = int(rng.integers(0, k // 2 + 1))
        for name in ("conv1d", "conv_transpose1d", "avg_pool1d", "adaptive_avg_pool1d", "interpolate", "pad"):
            try:
                out, arguments = _one_hot_reads(name, n, k, s, p, d)
            except RuntimeError:  # a configuration torch refuses
                continue
            expected = (out[:, 0, :] != 0).T.numpy()  # [o, i]
            found = reach.reach_of(name, arguments, [(1, n)], (1, out.shape[-1]))[0][0].real()
            assert np.array_equal(found, expected), (name, n, k, s, p, d)
            checked += 1
    assert checked > 250
