"""The backward pass: gradients of every kind against torch's autograd (float64) and against the
loops of ``reference_backward``, on random valid layers; the pictures' numbers against the
gradients; the options and their refusals."""

from __future__ import annotations

import math
import random
import warnings

import numpy as np
import pytest
import reference_backward as loops
import reference_layers as ref_layers
import reference_nd as ref

import convgif
from convgif import SpecError, ops

try:
    import torch
except ImportError:  # the loops still check every kind
    torch = None

KINDS = [name for name in ops.NAMES if name != "checkerboard"]


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """Torch on one thread: the tensors are tiny."""
    if torch is None:
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# -- random layers of every kind, as torch's arguments -------------------------------------------


def _sizes(rng: random.Random, dims: int, low: int, high: int):
    one = lambda: rng.randint(low, high)  # noqa: E731
    return one() if rng.random() < 0.5 else tuple(one() for _ in range(dims))


def random_layer(rng: random.Random, name: str) -> tuple[tuple[int, ...], dict]:
    """(input shape, torch's keyword arguments) of a random layer of kind ``name``, valid or not
    (the spec refuses what torch refuses)."""
    dims = (
        2
        if name
        in (
            "separable",
            "PixelShuffle",
            "PixelUnshuffle",
            "UpsamplingNearest2d",
            "UpsamplingBilinear2d",
            "Unfold",
            "Fold",
        )
        else int(name[-2])
        if name[-1] == "d"
        else 2
    )
    big = 7 if dims < 3 else 4
    spatial = tuple(rng.randint(1, big) for _ in range(dims))
    c = rng.randint(1, 3)
    if name.startswith("Conv") and "Transpose" not in name or name == "separable":
        g = rng.choice([1, 1, c]) if name != "separable" else 1
        kw = dict(
            out_channels=g * rng.randint(1, 2),
            kernel_size=_sizes(rng, dims, 1, 3),
            stride=_sizes(rng, dims, 1, 3),
            dilation=_sizes(rng, dims, 1, 2),
            bias=rng.random() < 0.7,
            padding_mode=rng.choice(["zeros", "zeros", "reflect", "replicate", "circular"]),
        )
        roll = rng.random()
        kw["padding"] = "same" if roll < 0.15 else "valid" if roll < 0.2 else _sizes(rng, dims, 0, 2)
        if kw["padding"] == "same":
            kw["stride"] = 1
        if roll > 0.85 and kw["padding_mode"] != "zeros" and name != "separable":
            kw["padding"] = rng.choice([-1, (-1,) * dims])
        if name != "separable":
            kw["groups"] = g
        return (g * rng.randint(1, 2) if g > 1 else c, *(rng.randint(2, big + 2) for _ in range(dims))), kw
    if name.startswith("ConvTranspose"):
        g = rng.choice([1, 1, 2])
        kw = dict(
            out_channels=g * rng.randint(1, 2),
            kernel_size=_sizes(rng, dims, 1, 3),
            stride=_sizes(rng, dims, 1, 3),
            padding=_sizes(rng, dims, 0, 2),
            output_padding=_sizes(rng, dims, 0, 1),
            groups=g,
            bias=rng.random() < 0.7,
            dilation=_sizes(rng, dims, 1, 2),
        )
        return (g * rng.randint(1, 2), *(rng.randint(1, 4) for _ in range(dims))), kw
    shape = (c, *spatial)
    if name.startswith(("MaxPool", "AvgPool")):
        kernel = _sizes(rng, dims, 1, 3)
        kw = dict(
            kernel_size=kernel,
            stride=_sizes(rng, dims, 1, 3) if rng.random() < 0.7 else None,
            padding=_sizes(rng, dims, 0, 1),
            ceil_mode=rng.random() < 0.5,
        )
        if name.startswith("Max"):
            kw["dilation"] = _sizes(rng, dims, 1, 2)
        else:
            kw["count_include_pad"] = rng.random() < 0.5
            if dims > 1 and rng.random() < 0.3:
                kw["divisor_override"] = rng.randint(1, 5)
        return shape, kw
    if name.startswith("MaxUnpool"):
        return shape, dict(kernel_size=_sizes(rng, dims, 1, 3), stride=_sizes(rng, dims, 1, 3))
    if name.startswith("Adaptive"):
        return shape, dict(output_size=tuple(rng.randint(1, n + 2) for n in spatial))
    if name.startswith("FractionalMaxPool"):
        kernel = tuple(rng.randint(1, 2) for _ in range(dims))
        spatial = tuple(rng.randint(k + 2, k + 6) for k in kernel)
        return (c, *spatial), dict(
            kernel_size=kernel, output_size=tuple(rng.randint(1, n - k) for n, k in zip(spatial, kernel))
        )
    if name.startswith("LPPool"):
        norms = [1, 2, 3, 1.5, 0.5, -1, math.inf, -math.inf]
        return shape, dict(
            norm_type=rng.choice(norms),
            kernel_size=_sizes(rng, dims, 1, 3),
            stride=_sizes(rng, dims, 1, 3) if rng.random() < 0.6 else None,
            ceil_mode=rng.random() < 0.5,
        )
    if name.endswith(("Pad1d", "Pad2d", "Pad3d")):
        count = 2 * dims if rng.random() < 0.8 else 2 * (dims + 1)
        axes = [*reversed(shape), 1]
        padding = tuple(rng.randint(-((axes[k // 2] - 1) // 2), max(axes[k // 2] - 1, 0)) for k in range(count))
        kw = {"padding": padding}
        if name.startswith("Constant"):
            kw["value"] = rng.choice([0.0, 1.5, -2.0])
        return shape, kw
    if name.startswith("Upsampl"):
        modes = {
            1: ["nearest", "linear", "nearest-exact", "area"],
            2: ["nearest", "bilinear", "bicubic", "area"],
            3: ["nearest", "trilinear", "area"],
        }
        dims = rng.choice([1, 2, 3]) if name == "Upsample" else 2
        shape = (c, *(rng.randint(1, 5) for _ in range(dims)))
        kw = {}
        if rng.random() < 0.5:
            kw["scale_factor"] = rng.choice([2, 2.0, 1.5, 3, 0.5])
        else:
            kw["size"] = tuple(rng.randint(1, 8) for _ in range(dims))
        if name == "Upsample":
            kw["mode"] = rng.choice(modes[dims])
            if kw["mode"] in ("linear", "bilinear", "bicubic", "trilinear") and rng.random() < 0.5:
                kw["align_corners"] = True
        return shape, kw
    if name == "PixelShuffle":
        r = rng.randint(1, 2)
        return (c * r * r, *spatial), {"upscale_factor": r}
    if name == "PixelUnshuffle":
        r = rng.randint(1, 2)
        return (c, *(n * r for n in spatial)), {"downscale_factor": r}
    if name in ("Unfold", "Fold"):
        kw = dict(
            kernel_size=_sizes(rng, 2, 1, 3),
            dilation=_sizes(rng, 2, 1, 2),
            padding=_sizes(rng, 2, 0, 1),
            stride=_sizes(rng, 2, 1, 2),
        )
        if name == "Unfold":
            return shape, kw
        pair = lambda v: v if isinstance(v, tuple) else (v, v)  # noqa: E731
        k, d, p, st = (pair(kw[key]) for key in ("kernel_size", "dilation", "padding", "stride"))
        blocks = [max((n + 2 * p[a] - d[a] * (k[a] - 1) - 1) // st[a] + 1, 1) for a, n in enumerate(spatial)]
        return (c * k[0] * k[1], blocks[0] * blocks[1]), {"output_size": spatial, **kw}
    if name == "ChannelShuffle":
        g = rng.randint(1, 3)
        return (g * rng.randint(1, 2), *spatial[: rng.randint(1, 3)]), {"groups": g}
    raise AssertionError(name)


def torch_layer(name: str, spec, shape, kw, rec):
    """torch's function of (x, its parameters) for the layer, and those parameters (float64)."""
    nn, f = torch.nn, torch.nn.functional
    dims = len(shape) - 1
    if name == "separable":
        c = spec.in_channels
        args = {k: v for k, v in kw.items() if k not in ("out_channels", "bias")}
        depthwise = nn.Conv2d(c, c, groups=c, bias=spec.bias, **args).double()
        pointwise = nn.Conv2d(c, spec.out_channels, 1, bias=spec.bias).double()
        layers = [(depthwise, rec.depthwise), (pointwise, rec.pointwise)]
        params = []
        for layer, part in layers:
            layer.weight.data = torch.tensor(part.weight, dtype=torch.float64)
            params.append(layer.weight)
            if part.bias is not None:
                layer.bias.data = torch.tensor(part.bias, dtype=torch.float64)
                params.append(layer.bias)
        return (lambda x: pointwise(depthwise(x))), params
    if name.startswith("Conv"):
        layer = getattr(nn, name)(shape[0], **kw).double()
        layer.weight.data = torch.tensor(rec.weight, dtype=torch.float64)
        params = [layer.weight]
        if layer.bias is not None:
            layer.bias.data = torch.tensor(rec.bias, dtype=torch.float64)
            params.append(layer.bias)
        return layer, params
    if name.startswith("MaxUnpool"):
        indices = torch.tensor(rec.indices)[None]
        return (lambda x: getattr(f, f"max_unpool{dims}d")(x, indices, output_size=spec.output_shape[1:], **kw)), []
    if name.startswith("FractionalMaxPool"):
        samples = torch.tensor(rec.samples, dtype=torch.float64)[None]
        return getattr(nn, name)(**kw, _random_samples=samples), []
    return getattr(nn, name)(**kw), []


def gradients_of(name: str, rec) -> list:
    """The gradients convgif gives, in the order of :func:`torch_layer`'s: input, then each
    parameter's."""
    if name == "separable":
        grads = [rec.grad_input, rec.grad_weight]
        if rec.grad_bias is not None:
            grads.append(rec.grad_bias)
        grads.append(rec.grad_pointwise_weight)
        if rec.grad_bias is not None:
            grads.append(rec.grad_pointwise_bias)
        return grads
    return [g for g in (rec.grad_input, rec.grad_weight, rec.grad_bias) if g is not None]


def values_for(generator: np.random.Generator, spec, shape, case: int, name: str) -> dict:
    """The arrays a case records with: whole numbers (gradients exact), or fractions."""
    op = ops.of(spec)
    whole = case % 2 == 0
    draw = (
        (lambda s, lo, hi: generator.integers(lo, hi + 1, s))
        if whole
        else (lambda s, lo, hi: generator.normal(size=s).round(2))
    )
    values = {}
    if not name.startswith("MaxUnpool"):
        values["input"] = draw(shape, 0, 3) if not name.startswith("LPPool") else np.abs(draw(shape, 0, 3)) + whole
    weight = op.weight_shape(spec)
    if weight is not None and name != "separable":
        values["weight"] = draw(weight, -2, 2)
        if spec.bias:
            values["bias"] = draw((spec.out_channels,), -2, 2)
    return values


def cases(name: str, count: int, seed: int):
    """(spec, shape, torch arguments) of ``count`` random valid layers of ``name``."""
    rng = random.Random(f"{name}-{seed}")
    op = ops.operation(name)
    made, tries = [], 0
    while len(made) < count and tries < 50 * count:
        tries += 1
        shape, kw = random_layer(rng, name)
        args = dict(kw)
        if name.startswith("FractionalMaxPool"):
            args["samples"] = tuple(tuple(rng.random() for _ in kw["kernel_size"]) for _ in range(shape[0]))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                spec = op.build(input_shape=shape, **args)
        except SpecError:
            continue
        made.append((spec, shape, kw))
    assert len(made) == count, (name, len(made))
    return made


def outside(rec) -> bool:
    """Whether a max has a window holding no input cell whose index (torch's) lies outside its
    channel's plane."""
    winners = getattr(rec.forward, "winners", None)
    if winners is None:
        return False
    plane = math.prod(rec.input.shape[1:])
    return bool(((winners[..., 0] < 0) & ((rec.indices < 0) | (rec.indices >= plane))).any())


#: Random layers per kind against autograd: 52 kinds, about three thousand layers.
TORCH_CASES = 60


def close(got, want, exact: bool, where) -> None:
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, where
    if exact:
        np.testing.assert_array_equal(got, want, err_msg=str(where))
    else:
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10, equal_nan=True, err_msg=str(where))


@pytest.mark.skipif(torch is None, reason="needs torch")
@pytest.mark.parametrize("name", KINDS)
def test_gradients_equal_autograds_on_random_layers(name):
    generator = np.random.default_rng(sum(map(ord, name)))
    compared = 0
    for case, (spec, shape, kw) in enumerate(cases(name, TORCH_CASES, 0)):
        values = values_for(generator, spec, shape, case, name)
        dy_whole = case % 2 == 0
        out_shape = convgif.record(spec, **values).output.shape
        dy = generator.integers(-3, 4, out_shape) if dy_whole else generator.normal(size=out_shape).round(3)
        rec = convgif.record(spec, **values, grad_output=dy)
        np.testing.assert_array_equal(rec.grad_output, dy)
        if outside(rec):
            continue  # torch writes past the channel's gradient there
        layer, params = torch_layer(name, spec, shape, kw, rec.forward)
        x = torch.tensor(rec.input, dtype=torch.float64, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = layer(x[None])
        y = (y[0] if isinstance(y, tuple) else y)[0]
        want = torch.autograd.grad(y, [x, *params], torch.tensor(dy, dtype=torch.float64), allow_unused=True)
        got = gradients_of(name, rec)
        assert len(got) == len(want), name
        exact = dy_whole and case % 2 == 0 and np.asarray(got[0]).dtype.kind == "i"
        for g, w in zip(got, want):
            close(g, np.zeros(g.shape) if w is None else w.numpy(), exact, (name, spec, dy))
        compared += 1
    assert compared >= TORCH_CASES // 2, (name, compared)


def test_the_seeded_gradient_is_small_integers_the_same_for_a_seed():
    spec = convgif.Conv2dSpec((2, 6, 6), 3, 3, stride=2)
    one, again, other = (convgif.record(spec, seed, grad_output=True) for seed in (4, 4, 5))
    assert one.grad_output.dtype == np.int64 and one.grad_output.shape == (3, 2, 2)
    assert one.grad_output.min() >= -2 and one.grad_output.max() <= 2
    np.testing.assert_array_equal(one.grad_output, again.grad_output)
    assert not np.array_equal(one.grad_output, other.grad_output)
    forward = convgif.record(spec, 4)  # the forward pass's values are the same with or without it
    np.testing.assert_array_equal(forward.input, one.input)
    np.testing.assert_array_equal(forward.output, one.output)
    assert one.grad_input.dtype == np.int64 and one.grad_weight.shape == (3, 2, 3, 3)


# -- against the loops -----------------------------------------------------------------------------

LOOP_CASES = 25


def loop_gradients(name: str, spec, rec, dy):
    """The loops' gradients of a recorded layer (those :func:`gradients_of` lists)."""
    x = rec.input
    if name == "separable":
        dw, pw = spec.depthwise, spec.pointwise
        dd, dwp, dbp = loops.conv(rec.pointwise.input, rec.pointwise.weight, dy, (1, 1), (0, 0), (0, 0), (1, 1), 1)
        dx, dww, dbw = loops.conv(
            x, rec.depthwise.weight, dd, dw.stride, dw.padding, dw.padding_end, dw.dilation, dw.groups, dw.padding_mode
        )
        got = [dx, dww] + ([dbw] if spec.bias else []) + [dwp] + ([dbp] if pw.bias else [])
        return got
    if name.startswith("ConvTranspose"):
        dx, dw, db = loops.conv_transpose(x, rec.weight, dy, spec.stride, spec.padding, spec.dilation, spec.groups)
        return [dx, dw] + ([db] if spec.bias else [])
    if name.startswith("Conv"):
        dx, dw, db = loops.conv(
            x,
            rec.weight,
            dy,
            spec.stride,
            spec.padding,
            spec.padding_end,
            spec.dilation,
            spec.groups,
            spec.padding_mode,
        )
        return [dx, dw] + ([db] if spec.bias else [])
    if name.startswith("MaxPool"):
        _, indices = ref.max_pool(x, spec.kernel_size, spec.stride, spec.padding, spec.dilation, spec.ceil_mode)
        return [loops.route(x.shape, indices, dy)]
    if name.startswith("AvgPool"):
        override = getattr(spec, "divisor_override", None)
        return [
            loops.avg_pool(
                x.shape,
                dy,
                spec.kernel_size,
                spec.stride,
                spec.padding,
                spec.count_include_pad,
                override,
                spec.ceil_mode,
            )
        ]
    if name.startswith("MaxUnpool"):
        flat = dy.reshape(dy.shape[0], -1)
        return [np.stack([flat[c][rec.indices[c]] for c in range(x.shape[0])])]
    if name.startswith("AdaptiveAvg"):
        return [loops.adaptive_avg(x.shape, dy, ref.adaptive_window)]
    if name.startswith("AdaptiveMax"):
        _, indices = ref.adaptive_pool(x, spec.output_shape[1:], "max")
        return [loops.route(x.shape, indices, dy)]
    if name.startswith("FractionalMaxPool"):
        _, indices = ref.fractional_max_pool(x, spec.kernel_size, spec.output_shape[1:], rec.samples)
        return [loops.route(x.shape, indices, dy)]
    if name.startswith("LPPool"):
        return [loops.lp_pool(x, dy, spec.norm_type, spec.kernel_size, spec.stride, spec.ceil_mode)]
    if name.endswith(("Pad1d", "Pad2d", "Pad3d")):
        mode = {"Reflection": "reflect", "Replication": "replicate", "Circular": "circular"}.get(
            name[: name.index("Pad")], "constant"
        )
        return [loops.by_columns(lambda e: ref_layers.pad(e, spec.padding, mode, 0.0), x.shape, dy)]
    if name.startswith("Upsampl"):
        return [
            loops.by_columns(
                lambda e: ref_layers.interpolate(
                    e, spec.output_shape[1:], spec.mode, spec.corners, spec.kernel_factors
                ),
                x.shape,
                dy,
            )
        ]
    if name == "PixelShuffle":
        return [loops.by_columns(lambda e: ref_layers.pixel_shuffle(e, spec.upscale_factor), x.shape, dy)]
    if name == "PixelUnshuffle":
        return [loops.by_columns(lambda e: ref_layers.pixel_unshuffle(e, spec.downscale_factor), x.shape, dy)]
    if name == "ChannelShuffle":
        return [loops.by_columns(lambda e: ref_layers.channel_shuffle(e, spec.groups), x.shape, dy)]
    args = (spec.kernel_size, spec.dilation, spec.padding, spec.stride)
    if name == "Unfold":
        return [loops.by_columns(lambda e: ref_layers.unfold(e, *args), x.shape, dy)]
    if name == "Fold":
        return [loops.by_columns(lambda e: ref_layers.fold(e, spec.output_size, *args), x.shape, dy)]
    raise AssertionError(name)


@pytest.mark.parametrize("name", KINDS)
def test_gradients_equal_the_loops(name):
    generator = np.random.default_rng(7 + len(name))
    for case, (spec, shape, _) in enumerate(cases(name, LOOP_CASES, 1)):
        values = values_for(generator, spec, shape, case, name)
        out_shape = convgif.record(spec, **values).output.shape
        dy = generator.integers(-3, 4, out_shape) if case % 2 == 0 else generator.normal(size=out_shape).round(3)
        rec = convgif.record(spec, **values, grad_output=dy)
        winners = getattr(rec.forward, "winners", None)
        if winners is not None and (winners[..., 0] < 0).any():  # the loops' max keeps input cells only
            want = [loops.route(rec.input.shape, rec.indices, dy)]
        else:
            want = loop_gradients(name, spec, rec.forward, dy)
        got = gradients_of(name, rec)
        exact = case % 2 == 0 and np.asarray(got[0]).dtype.kind == "i"
        for g, w in zip(got, want):
            close(g, w, exact, (name, spec))


# -- the pictures ------------------------------------------------------------------------------------

#: (The 3-D kinds' pictures are one depth slice each: their own test files put the slices together.)
DRAWN = [name for name in KINDS if ops.operation(name).backward_drawn and ops.operation(name).dims < 3]
#: Random layers per kind whose backward pictures are played step by step.
PICTURE_CASES = 6


def played(drawn, steps: int, layout=None) -> np.ndarray:
    """A picture's output as its steps write it, every step played in order (as a render does);
    with a render's ``layout``, each step's line within the lines and width the layout gave it
    and, with values, its first sum-line entry drawn whole."""
    from convgif.picture.cells import cells
    from convgif.picture.overlay import _fit_lines
    from convgif.picture.sizes import STEP_BREAK, wrap

    canvas = np.array(drawn.output if drawn.start is None else drawn.start, dtype=float)
    if drawn.start is None:
        canvas[...] = np.nan
    for step in range(steps):
        for write in drawn.playback.advance(step):
            canvas[write.channel][np.ix_(write.rows, write.cols)] = write.values
        shown = drawn.playback.show(step)
        assert shown.text and shown.sums, (drawn.geometry.caption, step)
        if (drawn.geometry.kernel_name, drawn.geometry.output_name) == ("dy", "dx"):  # a pooling: dy cell ringed
            assert shown.kernel_cell == divmod(step, drawn.geometry.kernel[1]), step
        if layout is None:
            continue
        step_lines = wrap(shown.text, layout.sum_width, STEP_BREAK)
        assert len(step_lines) <= layout.step_lines, (drawn.geometry.caption, shown.text, layout.step_lines)
        assert max(map(cells, step_lines)) <= layout.sum_width, (drawn.geometry.caption, shown.text)
        if not layout.values:
            continue
        entries = shown.sums_drawn(layout.outputs)
        lines = " ".join(_fit_lines(entries, layout.sum_width, layout.sum_lines)).replace(" ", "")
        assert entries[0].replace(" ", "") in lines, (drawn.geometry.caption, entries[0])
    return canvas


@pytest.mark.parametrize("name", DRAWN)
def test_the_backward_pictures_write_the_gradients(name):
    from convgif.animation import Look
    from convgif.animation.job import Job

    generator = np.random.default_rng(11 + len(name))
    drawn_cases = 0
    for case, (spec, shape, _) in enumerate(cases(name, PICTURE_CASES, 2)):
        values = values_for(generator, spec, shape, case, name)
        try:
            job = Job(spec, view={"backward": True}, max_frames=10**6, **values, grad_output=True)
        except SpecError as error:  # what the forward pictures refuse too (e.g. padding the channels)
            assert error.argument not in ("backward", "grad_output"), (name, spec, error)
            continue
        written = Job(spec, Look(values=True), {"backward": True}, max_frames=10**6, **values, grad_output=True)
        for drawn, steps, layout in zip(written.drawings, written.shown, written.layouts):
            played(drawn, steps, layout)
        rec = job.recording
        by_name = {d.geometry.output_name: d for d in job.drawings}
        for drawn, steps in zip(job.drawings, job.shown):
            np.testing.assert_allclose(played(drawn, steps), drawn.output, err_msg=str((name, spec)))
        dx = [d for d in job.drawings if d.geometry.output_name in ("dx", "dd") or d is job.drawings[-1]]
        grad_input = rec.grad_input
        shown = by_name["dx"].output
        if by_name["dx"].cut is not None:  # drawn on the padded map: the cells cut off are dropped
            shown = shown[:, ~by_name["dx"].cut]
        np.testing.assert_allclose(np.ravel(shown), np.ravel(grad_input), err_msg=str(spec))
        dw, db = ("dw_dw", "db_dw") if name == "separable" else ("dw", "db")  # a separable's depthwise step's
        if rec.grad_weight is not None:
            np.testing.assert_allclose(np.sort(np.ravel(by_name[dw].output)), np.sort(np.ravel(rec.grad_weight)))
        if rec.grad_bias is not None:
            np.testing.assert_allclose(np.ravel(by_name[db].output), np.ravel(rec.grad_bias))
        assert dx
        drawn_cases += 1
    assert drawn_cases >= PICTURE_CASES // 2, (name, drawn_cases)


@pytest.mark.parametrize(
    "spec",
    [
        convgif.Conv2dSpec((16, 6, 6), 8, 3),
        convgif.Conv2dSpec((12, 5, 5), 12, 3, groups=12),
        convgif.Conv2dSpec((16, 6, 6), 8, 3, groups=2, padding=1, padding_mode="reflect"),
        convgif.Conv1dSpec((8, 8), 16, 2),
        convgif.ConvTranspose2dSpec((8, 4, 4), 16, 3, stride=2),
        convgif.SeparableSpec((8, 5, 6), 4, 2),
    ],
    ids=repr,
)
def test_every_step_line_of_a_wide_layer_fits_its_picture(spec):
    """A gradient's picture whose steps write a grid in every group drawn names each of them on
    its step line: the layout leaves room for as many as are drawn (six), on its lines and within
    its width, with and without values; the channels it leaves out are counted in its own maps'
    names."""
    from convgif.animation import Look
    from convgif.animation.job import Job
    from convgif.picture.sizes import shown_note

    for look in (Look(), Look(values=True)):
        job = Job(spec, look, {"backward": True}, max_frames=10**6)
        for drawn, steps, layout in zip(job.drawings, job.shown, job.layouts):
            played(drawn, steps, layout)
    notes = [shown_note(drawn.geometry) for drawn in job.drawings]
    dx = next(note for drawn, note in zip(job.drawings, notes) if drawn.geometry.output_name == "dx")
    assert "dy channels" in dx or "dx channels" in dx, notes
    assert not any("output channels" in note for note in notes), notes


def _cli(*args):
    from click.testing import CliRunner

    from convgif.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_what_has_no_drawn_backward_pass_refuses_it_naming_the_option(tmp_path):
    drawn = [name for name in KINDS if ops.operation(name).backward_drawn]
    assert len(drawn) >= 30
    result = _cli("--layer", "checkerboard", "--in", "4,4", "--backward", "-o", str(tmp_path / "a.gif"))
    assert result.exit_code == 2 and "--backward" in result.output and "Traceback" not in result.output
    assert "ConvTranspose2d" in result.output  # what to draw instead
    result = _cli("--in", "2,5,5", "--k", "3", "--backward", "--region", "0:1,0:1", "-o", str(tmp_path / "b.gif"))
    assert result.exit_code == 2 and "--region" in result.output and "backward" in result.output
    result = _cli("--in", "3,40,40", "--k", "3", "--backward", "-o", str(tmp_path / "c.gif"))
    assert result.exit_code == 2 and "--max-frames" in result.output and "region does not apply" in result.output
    assert "smaller region" not in result.output  # a backward pass is drawn whole
    with pytest.raises(SpecError) as error:
        convgif.render(convgif.Conv2dSpec((1, 4, 4), 1, 3), tmp_path / "c.gif", grad_output=True)
    assert error.value.argument == "grad_output"
    assert not list(tmp_path.iterdir())


def test_a_backward_render_writes_its_frames_and_names_its_file(tmp_path):
    result = _cli("--in", "2,5,5", "--k", "3", "--s", "2", "--p", "1", "--backward", "-o", str(tmp_path / "b.gif"))
    assert result.exit_code == 0, result.output
    from PIL import Image

    with Image.open(tmp_path / "b.gif") as gif:
        assert gif.n_frames > 4  # dx's steps, then dw's, then db's


def test_info_counts_the_backward_pass_and_agrees_with_its_render(tmp_path):
    from convgif.info import describe, explain

    spec = convgif.Conv2dSpec((2, 5, 5), 3, 3, stride=2, padding=1)
    info = describe(spec, backward=True)
    assert info["backward"] == {
        "grad_input_macs": spec.macs,
        "grad_weight_macs": spec.macs,
        "grad_bias_additions": math.prod(spec.output_shape),
    }
    assert any(line.startswith("dx: ") for line in info["backward_formulas"])
    assert "backward pass (dL/dy in, the gradients out):" in explain(spec, backward=True)
    assert "backward" not in describe(spec)
    pool = ops.operation("MaxPool2d").build(input_shape=(1, 4, 4), kernel_size=3, stride=1)
    for layer in (spec, pool):
        frames = convgif.render(layer, tmp_path / "b.gif", backward=True).frames
        assert describe(layer, backward=True)["frames"] == frames
    assert describe(spec, backward=True)["frames"] > describe(spec)["frames"]  # dx, dw and db


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_dy_is_drawn_in_one_colour_for_each_value_in_every_layer_family(theme):
    """dy of the same values looks the same in a convolution's backward pass (its dx, dw and db
    pictures), a pooling's (dy as the kernels) and a gather's (dy as the input): a colour means
    one value of dy, not a weight's colour in one family and an input's in another."""
    from fills import array_fills

    from convgif.animation import Look
    from convgif.animation.job import Job

    def dy(shape: tuple[int, ...]) -> np.ndarray:
        return np.resize(np.array([-2, 1, 0, 2, -1]), shape)

    layers = [
        ops.operation("Conv2d").build(input_shape=(1, 5, 5), out_channels=1, kernel_size=2),
        ops.operation("MaxPool2d").build(input_shape=(1, 5, 5), kernel_size=3, stride=2, padding=1),
        ops.operation("AvgPool2d").build(input_shape=(1, 4, 4), kernel_size=2),
        ops.operation("MaxPool3d").build(input_shape=(1, 3, 4, 4), kernel_size=2, stride=1),
        ops.operation("Upsample").build(input_shape=(1, 2, 2), scale_factor=2),
    ]
    colours: dict = {}
    for spec in layers:
        job = Job(spec, Look(theme=theme), {"backward": True}, grad_output=dy(spec.output_shape))
        for value, seen in array_fills(job, "dy").items():
            colours.setdefault(value, set()).update(seen)
    assert sorted(colours) == [-2, -1, 0, 1, 2]
    assert all(len(seen) == 1 for seen in colours.values()), colours
