"""A convolution as one matrix product: the matrices against loops always and against PyTorch
when it is importable, the matrix view's numbers (X, W, Y; x, Cᵀ, y) against the layer's own
recording, the overlap counts, and what --view refuses."""

from __future__ import annotations

import io
import itertools
import math
import random
import re

import numpy as np
import pytest
from click.testing import CliRunner

import convgif
from convgif import SpecError, ops
from convgif.cli import main
from convgif.engine.matrix import conv_matrix, overlap_counts, structural_nonzeros, transposed_matrix

CASES = 200


def loop_conv_matrix(weight, sizes, stride, dilation, padding, groups) -> np.ndarray:
    """C written out: entry (output cell, input cell) holds the weight joining them."""
    c_out, per_in, kh, kw = weight.shape
    h, w = sizes
    ho = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (w + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    c = np.zeros((c_out, ho, wo, per_in * groups, h, w), dtype=weight.dtype)
    for co in range(c_out):
        g = co // (c_out // groups)
        for ci in range(per_in):
            for oy in range(ho):
                for ox in range(wo):
                    for ky in range(kh):
                        for kx in range(kw):
                            y = oy * stride[0] + ky * dilation[0] - padding[0]
                            x = ox * stride[1] + kx * dilation[1] - padding[1]
                            if 0 <= y < h and 0 <= x < w:
                                c[co, oy, ox, g * per_in + ci, y, x] += weight[co, ci, ky, kx]
    return c.reshape(c_out * ho * wo, -1)


def loop_transposed(x, weight, stride, dilation, padding, output_padding, groups) -> np.ndarray:
    """A transposed convolution written out as its scatter."""
    c_in, per_out, kh, kw = weight.shape
    _, h, w = x.shape
    ho = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + output_padding[0] + 1
    wo = (w - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + output_padding[1] + 1
    out = np.zeros((per_out * groups, ho, wo), dtype=np.int64)
    for ci in range(c_in):
        g = ci // (c_in // groups)
        for j in range(per_out):
            for i, k in np.ndindex(h, w):
                for ky in range(kh):
                    for kx in range(kw):
                        oy = i * stride[0] - padding[0] + ky * dilation[0]
                        ox = k * stride[1] - padding[1] + kx * dilation[1]
                        if 0 <= oy < ho and 0 <= ox < wo:
                            out[g * per_out + j, oy, ox] += x[ci, i, k] * weight[ci, j, ky, kx]
    return out


def random_layer(rng: random.Random) -> dict:
    g = rng.choice([1, 1, 2, 3])
    return {
        "groups": g,
        "c_in": g * rng.randint(1, 2),
        "c_out": g * rng.randint(1, 2),
        "kernel": (rng.randint(1, 3), rng.randint(1, 3)),
        "stride": (rng.randint(1, 3), rng.randint(1, 3)),
        "dilation": (rng.randint(1, 2), rng.randint(1, 2)),
        "padding": (rng.randint(0, 2), rng.randint(0, 2)),
        "sizes": (rng.randint(1, 6), rng.randint(1, 6)),
    }


def out_sizes(layer: dict) -> tuple[int, int]:
    return tuple(
        (n + 2 * p - d * (k - 1) - 1) // s + 1
        for n, k, s, d, p in zip(layer["sizes"], layer["kernel"], layer["stride"], layer["dilation"], layer["padding"])
    )


def test_the_convolution_matrix_and_its_transpose_match_loops():
    rng, gen = random.Random(0), np.random.default_rng(0)
    checked = 0
    for _ in range(CASES):
        layer = random_layer(rng)
        if min(out_sizes(layer)) < 1:
            continue
        g, s, d, p = layer["groups"], layer["stride"], layer["dilation"], layer["padding"]
        weight = gen.integers(-4, 5, (layer["c_out"], layer["c_in"] // g, *layer["kernel"]))
        c = conv_matrix(weight, layer["sizes"], s, d, p, groups=g)
        np.testing.assert_array_equal(c, loop_conv_matrix(weight, layer["sizes"], s, d, p, g))
        # the transposed convolution from the output's shape back to the input's is Cᵀ
        out = out_sizes(layer)
        rest = tuple(
            n + 2 * pp - ((m - 1) * ss - 0 + dd * (k - 1) + 1)
            for n, m, ss, dd, k, pp in zip(layer["sizes"], out, s, d, layer["kernel"], p)
        )
        if all(0 <= r < max(ss, dd) for r, ss, dd in zip(rest, s, d)):
            # ConvTranspose2d(C_out, C_in) holds its weight as (C_out, C_in/G, KH, KW): the same array
            ct = transposed_matrix(weight, out, layer["sizes"], s, d, p, groups=g)
            np.testing.assert_array_equal(ct, c.T)
            x = gen.integers(-5, 6, (layer["c_out"], *out))
            np.testing.assert_array_equal(
                (ct @ x.ravel()).reshape(layer["c_in"], *layer["sizes"]), loop_transposed(x, weight, s, d, p, rest, g)
            )
            checked += 1
        ones = conv_matrix(np.ones_like(weight), layer["sizes"], s, d, p, groups=g)
        pairs = structural_nonzeros(layer["sizes"], layer["kernel"], s, d, p)
        assert np.count_nonzero(ones) == layer["c_out"] * (layer["c_in"] // g) * pairs
    assert checked > 50


def test_overlap_counts_are_the_taps_landing_on_each_cell():
    rng = random.Random(1)
    for _ in range(CASES):
        k, s, d = (rng.randint(1, 4), rng.randint(1, 4)), (rng.randint(1, 3), rng.randint(1, 3)), (rng.randint(1, 2), 1)
        p = (rng.randint(0, 1), rng.randint(0, 1))
        op = (rng.randint(0, s[0] - 1), rng.randint(0, s[1] - 1))
        sizes = (rng.randint(1, 5), rng.randint(1, 5))
        x = np.ones((1, *sizes), dtype=np.int64)
        if (
            min((n - 1) * ss - 2 * pp + dd * (kk - 1) + o + 1 for n, ss, pp, dd, kk, o in zip(sizes, s, p, d, k, op))
            < 1
        ):
            continue
        expected = loop_transposed(x, np.ones((1, 1, *k), dtype=np.int64), s, d, p, op, 1)[0]
        if min(expected.shape) < 1:
            continue
        np.testing.assert_array_equal(overlap_counts(sizes, k, s, d, p, op), expected)


def matrix_drawn(spec, seed=0, region=None):
    rec = convgif.record(spec, seed=seed)
    (drawn,) = ops.of(spec).drawings(spec, rec, view="matrix", region=region)
    return rec, drawn


def direct_spec(rng: random.Random):
    dims = rng.choice([1, 2, 2])
    layer = random_layer(rng)
    sizes = tuple(n + 2 for n in layer["sizes"])[-dims:]
    kind = convgif.Conv2dSpec if dims == 2 else convgif.Conv1dSpec
    return kind(
        (layer["c_in"], *sizes),
        out_channels=layer["c_out"],
        kernel_size=layer["kernel"][-dims:],
        stride=layer["stride"][-dims:],
        padding=layer["padding"][-dims:],
        dilation=layer["dilation"][-dims:],
        groups=layer["groups"],
        bias=rng.random() < 0.5,
    )


def test_the_product_view_shows_unfold_the_weight_and_their_product():
    rng = random.Random(2)
    drawn_count = 0
    for _ in range(60):
        try:
            spec = direct_spec(rng)
        except SpecError:
            continue
        rec, drawn = matrix_drawn(spec, seed=rng.randint(0, 99))
        found = drawn.extra["matrix"]
        grid = drawn.grid  # (C, H, W) as drawn, padded
        xs = grid[found.sources[..., 0], found.sources[..., 1], found.sources[..., 2]]
        c_in, kk = spec.in_channels, int(np.prod(spec.kernel_size))
        if c_in <= 4:  # every channel drawn: X is Unfold's whole matrix
            padded = rec.padded.reshape(c_in, -1, rec.padded.shape[-1])
            dims = len(spec.kernel_size)
            k = (1, *spec.kernel_size) if dims == 1 else spec.kernel_size
            st = (1, *spec.stride) if dims == 1 else spec.stride
            dl = (1, *spec.dilation) if dims == 1 else spec.dilation
            from convgif.engine.matrix import unfold_padded

            np.testing.assert_array_equal(xs, unfold_padded(padded, k, st, dl))
            weight = rec.weight.reshape(spec.out_channels, -1)
            per = spec.in_per_group * kk
            for co in range(min(spec.out_channels, found.weights.shape[0])):
                g = co // spec.out_per_group
                np.testing.assert_array_equal(found.weights[co, g * per : (g + 1) * per], weight[co])
                assert found.blank[co].sum() == found.blank.shape[1] - per
            if found.weights.shape[0] == spec.out_channels:
                bias = 0 if rec.bias is None else rec.bias[:, None]
                y = found.weights @ xs + bias
                np.testing.assert_array_equal(y, rec.output.reshape(spec.out_channels, -1))
                drawn_count += 1
        for step in range(spec.steps):
            drawn.playback.advance(step)
            shown = drawn.playback.show(step)
            column = int(re.match(r"column (\d+) of X", shown.text).group(1))
            for entry, co in zip(shown.sums, shown.sum_channels):
                assert entry.startswith(f"Y[{co}, {column}] = y[{co}, ")
                value = float(entry.rsplit(" = ", 1)[1])
                assert value == pytest.approx(float(rec.output.reshape(spec.out_channels, -1)[co, column]))
    assert drawn_count > 20


def transposed_spec(rng: random.Random):
    dims = rng.choice([1, 2, 2])
    layer = random_layer(rng)
    op = tuple(rng.randint(0, s - 1) for s in layer["stride"])
    kind = convgif.ConvTranspose2dSpec if dims == 2 else convgif.ConvTranspose1dSpec
    return kind(
        (layer["c_in"], *layer["sizes"][-dims:]),
        out_channels=layer["c_out"],
        kernel_size=layer["kernel"][-dims:],
        stride=layer["stride"][-dims:],
        padding=layer["padding"][-dims:],
        output_padding=op[-dims:],
        dilation=layer["dilation"][-dims:],
        groups=layer["groups"],
        bias=rng.random() < 0.5,
    )


def test_the_transposed_view_is_multiplication_by_c_transposed():
    rng = random.Random(3)
    checked = 0
    for _ in range(80):
        try:
            spec = transposed_spec(rng)
        except SpecError:
            continue
        rec, drawn = matrix_drawn(spec, seed=rng.randint(0, 99))
        found = drawn.extra["matrix"]
        if spec.in_channels > 4 or spec.out_channels > 4:
            continue
        xs = drawn.grid[found.sources[0, :, 0], found.sources[0, :, 1], found.sources[0, :, 2]]
        np.testing.assert_array_equal(xs, rec.input.ravel())
        dims = len(spec.kernel_size)

        def lift(t, neutral=1, dims=dims):  # a 1-D layer as one row
            return (neutral, *t) if dims == 1 else tuple(t)

        weight = rec.weight if dims == 2 else rec.weight[:, :, None, :]
        sizes = lift(spec.input_shape[1:])
        out = lift(spec.output_shape[1:])
        ct = transposed_matrix(
            weight, sizes, out, lift(spec.stride), lift(spec.dilation), lift(spec.padding, 0), spec.groups
        )
        np.testing.assert_array_equal(np.where(found.blank, 0, found.weights), ct)
        bias = 0 if rec.bias is None else np.repeat(rec.bias, int(np.prod(out)))
        np.testing.assert_array_equal(ct @ xs + bias, rec.output.ravel())
        checked += 1
    assert checked > 30


def test_only_the_convolutions_drawn_take_a_view():
    cases = [
        (convgif.Conv3dSpec((1, 4, 4, 4), kernel_size=3), "matrix"),
        (convgif.MaxPool2dSpec((1, 4, 4), kernel_size=2), "matrix"),
        (convgif.Conv2dSpec((1, 4, 4), kernel_size=3), "overlaps"),
    ]
    for spec, view in cases:
        with pytest.raises(SpecError) as error:
            ops.of(spec).geometries(spec, view=view)
        assert error.value.argument == "view"
    spec = convgif.ConvTranspose2dSpec((1, 3, 3), kernel_size=3, stride=2)
    with pytest.raises(SpecError, match="choose one"):
        ops.of(spec).geometries(spec, view="matrix", as_conv=True)


@pytest.mark.parametrize(
    "args",
    [
        ["--in", "2,5,5", "--k", "3", "--out", "2", "--g", "2", "--d", "2", "--p", "1"],
        ["--layer", "Conv1d", "--in", "2,9", "--k", "3", "--s", "2"],
        ["--layer", "ConvTranspose2d", "--in", "1,3,3", "--k", "3", "--s", "2", "--p", "1", "--output-padding", "1"],
        ["--layer", "ConvTranspose1d", "--in", "2,4", "--k", "3", "--s", "2", "--out", "2", "--g", "2"],
    ],
)
def test_the_command_line_draws_the_matrix_view(args, tmp_path):
    target = tmp_path / "m.gif"
    result = CliRunner().invoke(main, [*args, "--view", "matrix", "--values", "-o", str(target)])
    assert result.exit_code == 0, result.output
    from PIL import Image

    with Image.open(target) as image:
        assert image.n_frames > 1
    info = CliRunner().invoke(main, ["info", *args])
    assert "as one matrix product (--view matrix)" in info.output


def test_the_command_line_refuses_a_view_a_layer_lacks(tmp_path):
    result = CliRunner().invoke(
        main, ["--layer", "MaxPool2d", "--in", "1,4,4", "--view", "matrix", "-o", str(tmp_path / "a.gif")]
    )
    assert result.exit_code == 2 and "--view" in result.output and "MaxPool2d" in result.output, result.output


@pytest.mark.parametrize("seed", [0, 1])
def test_the_matrices_equal_torch(seed):
    torch = pytest.importorskip("torch")
    f = torch.nn.functional
    rng, gen = random.Random(seed + 10), np.random.default_rng(seed)
    checked = 0
    for _ in range(CASES):
        layer = random_layer(rng)
        g, s, d, p = layer["groups"], layer["stride"], layer["dilation"], layer["padding"]
        if min(out_sizes(layer)) < 1:
            continue
        weight = gen.integers(-4, 5, (layer["c_out"], layer["c_in"] // g, *layer["kernel"]))
        x = gen.integers(-5, 6, (layer["c_in"], *layer["sizes"]))
        t = lambda a: torch.tensor(a[None] if a.ndim == 3 else a, dtype=torch.float64)  # noqa: E731
        y = f.conv2d(t(x), t(weight), None, s, p, d, g)[0].numpy()
        c = conv_matrix(weight, layer["sizes"], s, d, p, groups=g)
        np.testing.assert_array_equal(c @ x.ravel(), y.ravel())
        cols = f.unfold(t(x), layer["kernel"], d, p, s)[0].numpy()
        spec = convgif.UnfoldSpec(x.shape, layer["kernel"], d, p, s)
        np.testing.assert_array_equal(convgif.record(spec, input=x).output, cols)
        op = tuple(rng.randint(0, max(ss, dd) - 1) for ss, dd in zip(s, d))
        w2 = gen.integers(-4, 5, (layer["c_in"], layer["c_out"] // g, *layer["kernel"]))
        try:
            ref = f.conv_transpose2d(t(x), t(w2), None, s, p, op, g, d)[0].numpy()
        except RuntimeError:
            continue
        ct = transposed_matrix(w2, layer["sizes"], ref.shape[1:], s, d, p, groups=g)
        np.testing.assert_array_equal(ct @ x.ravel(), ref.ravel())
        checked += 1
    assert checked > 100


def test_a_part_of_a_large_layer_shows_the_columns_of_its_positions():
    from convgif.engine.matrix import unfold_padded
    from convgif.picture.model import Region

    rng = random.Random(4)
    for _ in range(20):
        h, w = rng.randint(8, 14), rng.randint(8, 14)
        spec = convgif.Conv2dSpec(
            (2, h, w),
            out_channels=2,
            kernel_size=rng.randint(1, 3),
            stride=rng.randint(1, 2),
            padding=rng.randint(0, 1),
        )
        _, ho, wo = spec.output_shape
        r0, c0 = rng.randint(0, ho - 2), rng.randint(0, wo - 2)
        region = Region((r0, rng.randint(r0 + 1, ho)), (c0, rng.randint(c0 + 1, wo)))
        rec, drawn = matrix_drawn(spec, seed=1, region=region)
        found = drawn.extra["matrix"]
        xs = drawn.grid[found.sources[..., 0], found.sources[..., 1], found.sources[..., 2]]
        whole = unfold_padded(rec.padded, spec.kernel_size, spec.stride, spec.dilation)
        positions = [oy * wo + ox for oy in range(*region.rows) for ox in range(*region.cols)]
        np.testing.assert_array_equal(xs, whole[:, positions])
        y = found.weights @ xs + (0 if rec.bias is None else rec.bias[:, None])
        np.testing.assert_array_equal(y, rec.output.reshape(2, -1)[:, positions])
        assert drawn.geometry.arrangement.headings({"x": xs.shape, "w": found.weights.shape, "y": y.shape})[0].endswith(
            f"{xs.shape[0]} × {xs.shape[1]} drawn"
        ) == (len(positions) < ho * wo)


def test_a_part_of_a_transposed_layer_is_a_block_of_c_transposed():
    from convgif.ops.matrix import transposed_parts
    from convgif.picture.model import Region

    rng = random.Random(5)
    for _ in range(20):
        s = rng.randint(1, 3)
        spec = convgif.ConvTranspose2dSpec(
            (1, rng.randint(4, 7), rng.randint(4, 7)),
            out_channels=1,
            kernel_size=rng.randint(1, 4),
            stride=s,
            padding=rng.randint(0, 1),
            output_padding=rng.randint(0, s - 1),
            bias=rng.random() < 0.5,
        )
        _, ho, wo = spec.output_shape
        r0, c0 = rng.randint(0, ho - 2), rng.randint(0, wo - 2)
        region = Region((r0, rng.randint(r0 + 1, ho)), (c0, rng.randint(c0 + 1, wo)))
        try:
            rec, drawn = matrix_drawn(spec, seed=2, region=region)
        except SpecError as error:  # cells no kernel reaches: nothing to draw
            assert error.argument == "region" and "no kernel reaches" in str(error)
            continue
        found = drawn.extra["matrix"]
        part, _, read = transposed_parts(spec, region)
        ct = transposed_matrix(rec.weight, spec.input_shape[1:], (ho, wo), spec.stride, spec.dilation, spec.padding)
        _, h, w = spec.input_shape
        rows = [oy * wo + ox for oy in range(*part.rows) for ox in range(*part.cols)]
        cols = [iy * w + ix for iy in range(*read.rows) for ix in range(*read.cols)]
        np.testing.assert_array_equal(np.where(found.blank, 0, found.weights), ct[np.ix_(rows, cols)])
        xs = drawn.grid[found.sources[0, :, 0], found.sources[0, :, 1], found.sources[0, :, 2]]
        bias = 0 if rec.bias is None else rec.bias[0]
        np.testing.assert_array_equal(ct[np.ix_(rows, cols)] @ xs + bias, rec.output.reshape(-1)[rows])


def test_the_weight_entries_are_counted_per_tap_or_per_position_alike():
    from convgif.engine.matrix import taps_inside

    rng = random.Random(6)
    for _ in range(500):
        n, k, s, d, p, positions = (rng.randint(1, 9) for _ in range(6))
        p -= 1
        brute = sum(1 for o in range(positions) for t in range(k) if 0 <= o * s + t * d - p < n)
        assert taps_inside(n, k, s, d, p, positions) == brute
    assert taps_inside(10**8, 10**8, 1, 1, 0, 10**8) is None


def _gaps(drawn: list[int], whole: int) -> list[tuple[int, int]]:
    """(line, how many left out) wherever the whole's indices ``drawn`` jump, or stop short."""
    kept = np.zeros(whole + 1, dtype=bool)
    kept[drawn] = True
    kept[whole] = True  # one past the end: the gap after the last drawn ends there
    found, line, run = [], 0, 0
    for i in range(whole + 1):
        if kept[i]:
            if run:
                found.append((line, run))
            line, run = line + (i < whole), 0
        else:
            run += 1
    return found


def _matrix_frames(spec, region, monkeypatch, **options):
    from convgif.picture import matrix_frames

    frames = []
    original = matrix_frames.MatrixAnimation._frame

    def seen(self, image, step):
        frames.append((self.layout, step))
        return original(self, image, step)

    monkeypatch.setattr(matrix_frames.MatrixAnimation, "_frame", seen)
    convgif.render(spec, io.BytesIO(), view="matrix", region=region, max_frames=0, **options)
    return frames


def _expected_cuts(lay, gaps: dict) -> set:
    s = lay.cell
    out = set()
    for key, (rows, cols) in gaps.items():
        x, y, n_rows, n_cols = lay.blocks[key]
        out |= {(True, x + line * s) for line, _ in cols} | {(False, y + line * s) for line, _ in rows}
    return out


@pytest.mark.parametrize("seed", range(3))
def test_a_parts_matrices_mark_and_count_the_rows_and_columns_they_leave_out(seed, monkeypatch):
    """A part of Y = W·X draws some of X's columns (the output positions drawn) and rows (the
    input channels drawn): a double line stands wherever the whole's columns or rows jump, the
    number left out there written under X, and the notes name the rows and columns drawn."""
    from convgif.picture.model import Region

    rng = random.Random(seed)
    for _ in range(6):
        h, w = rng.randint(6, 14), rng.randint(6, 14)
        c_in = rng.choice([1, 2, 16, 64])
        spec = convgif.Conv2dSpec((c_in, h, w), out_channels=rng.choice([1, 2, 16]), kernel_size=rng.randint(1, 3))
        _, ho, wo = spec.output_shape
        r0, c0 = rng.randint(0, ho - 1), rng.randint(0, wo - 1)
        region = Region((r0, rng.randint(r0 + 1, min(ho, r0 + 3))), (c0, rng.randint(c0 + 1, min(wo, c0 + 3))))
        frames = _matrix_frames(spec, region, monkeypatch, values=rng.random() < 0.5)
        lay = frames[0][0]
        columns = sorted({int(re.match(r"column (\d+) of X", step.text).group(1)) for _, step in frames})
        kk = math.prod(spec.kernel_size)
        x_rows = [c * kk + k for c in lay.shown_in for k in range(kk)]
        gaps = {
            "x": (_gaps(x_rows, c_in * kk), _gaps(columns, ho * wo)),
            "w": (_gaps(list(lay.shown_out), spec.out_channels), _gaps(x_rows, c_in * kk)),
            "y": (_gaps(list(lay.shown_out), spec.out_channels), _gaps(columns, ho * wo)),
        }
        assert {(down, at) for down, at, _, _ in lay.cuts} == _expected_cuts(lay, gaps), (spec, region)
        assert bool(lay.cuts) == (
            region.cuts((ho, wo)) or len(lay.shown_in) < c_in or len(lay.shown_out) < spec.out_channels
        )
        x, _, n_rows, _ = lay.blocks["x"]
        under = [(text, left) for text, _, left, top in lay.texts if re.fullmatch(r"\+\d+", text)]
        for text, left in under:  # each count centred under the gap it counts
            line = round((left + lay.metrics.label.width(text) / 2 - x) / lay.cell)
            assert (line, int(text[1:])) in gaps["x"][1], (spec, region, text)
        assert gaps["x"][1][:1] == [] or under, (spec, region)  # the first gap's count at least
        notes = " ".join(text for text, *_ in lay.texts)
        if gaps["x"][1]:
            left_out = sum(n for _, n in gaps["x"][1])
            assert f"of {ho * wo} (the output positions drawn); a double line marks where the other {left_out}" in notes


def test_a_part_of_y_equals_ct_x_marks_the_input_and_output_cells_it_leaves_out(monkeypatch):
    from convgif.picture.model import Region

    rng = random.Random(7)
    for _ in range(8):
        spec = convgif.ConvTranspose2dSpec(
            (1, rng.randint(4, 8), rng.randint(4, 8)),
            out_channels=rng.choice([1, 2]),
            kernel_size=rng.randint(1, 3),
            stride=rng.randint(1, 2),
        )
        _, ho, wo = spec.output_shape
        _, h, w = spec.input_shape
        r0, c0 = rng.randint(0, ho - 1), rng.randint(0, wo - 1)
        region = Region((r0, rng.randint(r0 + 1, min(ho, r0 + 4))), (c0, rng.randint(c0 + 1, min(wo, c0 + 4))))
        try:
            frames = _matrix_frames(spec, region, monkeypatch)
        except SpecError:
            continue
        lay = frames[0][0]
        columns = sorted({int(re.match(r"column (\d+) of Cᵀ", step.text).group(1)) for _, step in frames})
        mask = np.zeros((spec.out_channels, ho, wo), dtype=bool)
        mask[list(lay.shown_out), slice(*region.rows), slice(*region.cols)] = True
        rows = list(np.flatnonzero(mask.ravel()))
        n_in, n_out = h * w, spec.out_channels * ho * wo
        gaps = {
            "x": ([], _gaps(columns, n_in)),
            "w": (_gaps(rows, n_out), _gaps(columns, n_in)),
            "y": (_gaps(rows, n_out), []),
        }
        assert {(down, at) for down, at, _, _ in lay.cuts} == _expected_cuts(lay, gaps), (spec, region)
        notes = " ".join(text for text, *_ in lay.texts)
        if gaps["x"][1]:
            assert (
                f"of {n_in} (the input cells drawn); a double line marks where the other {n_in - len(columns)}" in notes
            )
        if gaps["y"][0]:
            assert (
                f"of {n_out} (the output cells drawn); a double line marks where the other {n_out - len(rows)}" in notes
            )


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_the_notes_on_what_a_part_leaves_out_read_in_chinese(lang):
    from convgif.language import say
    from convgif.picture.model import Region, shown

    for spec, region in (
        (convgif.Conv2dSpec((64, 20, 20), out_channels=16, kernel_size=3), Region((0, 3), (2, 4))),
        (convgif.ConvTranspose2dSpec((1, 8, 8), out_channels=2, kernel_size=3, stride=2), Region((0, 4), (0, 4))),
    ):
        (geometry,) = ops.of(spec).geometries(spec, view="matrix", region=region)
        shown_in, _, shown_out = shown(geometry)
        notes = geometry.arrangement.notes(shown_in, shown_out)
        assert notes and all("double line" in note for note in notes)
        for note in notes:
            said = say(note, lang)
            assert not re.search(r"[a-z]{3,}", said), said  # every word translated
            assert re.findall(r"\d+", said) == re.findall(r"\d+", note), said  # every number kept


def test_the_sum_line_of_y_equals_ct_x_names_each_input_cell_by_channel_and_cell():
    """``y[co] += Cᵀ[rows, k]·x[c, i, j]``: Cᵀ's column k counts the flattened x, and the input
    cell it multiplies is named by channel and cell, as the maps x[0], x[1] beside it are
    labelled (a flattened ``x[9]`` would read as channel 9); y's map is named by its channel."""
    rng = random.Random(11)
    term = re.compile(r"Cᵀ\[([^\]]+), (\d+)\]·x\[([\d, ]+)\]")
    checked = 0
    for _ in range(60):
        try:
            spec = transposed_spec(rng)
        except SpecError:
            continue
        rec, drawn = matrix_drawn(spec, seed=rng.randint(0, 99))
        dims = len(spec.kernel_size)
        lift = (1,) if dims == 1 else ()
        h, w = (*lift, *spec.input_shape[1:])
        n = math.prod(spec.output_shape[1:])
        for step in range(drawn.playback.steps):
            drawn.playback.advance(step)
            shown = drawn.playback.show(step)
            cell = re.search(r"x\[[\d:]+, ([\d, ]+)\]", shown.text).group(1)
            heads = [(e, co) for e, co in zip(shown.sums, shown.sum_channels) if "+=" in e]
            assert heads, shown.sums
            for entry, co in heads:
                lhs, rhs = entry.removesuffix("  (outside the part drawn)").split(" += ")
                assert lhs == ("y" if spec.out_channels == 1 else f"y[{co}]"), entry
                found = term.findall(rhs)
                g = co // spec.out_per_group
                channels = list(range(g * spec.in_per_group, (g + 1) * spec.in_per_group))
                assert len(found) == min(3, len(channels)) and rhs.endswith(" + …") == (len(channels) > 3), entry
                for (rows, k, index), c in zip(found, channels):
                    assert rows == (":" if spec.out_channels == 1 else f"{co * n}:{(co + 1) * n}"), entry
                    parts = [int(v) for v in index.split(", ")]
                    assert len(parts) == 1 + dims and parts[0] == c and ", ".join(map(str, parts[1:])) == cell
                    i, j = (0, *parts[1:])[-2:]
                    assert int(k) == c * h * w + i * w + j, entry
                    assert 0 <= c < spec.in_channels and 0 <= i < h and 0 <= j < w
            checked += 1
    assert checked > 100


def _step_channels(text: str) -> tuple[set[int], int]:
    """The output channels a step line of Y = W·X says the step writes: those it names (drawn
    or not), and how many groups not drawn it counts without naming their channels."""
    which = re.search(
        r"out channels? ([\d, ]+?)(?:, and ([\d, ]+?) not drawn|, and one in each of (\d+) groups not drawn)? ·", text
    )
    named = [which.group(1), which.group(2) or ""]
    return {int(c) for part in named for c in part.replace(" ", "").split(",") if c}, int(which.group(3) or 0)


@pytest.mark.parametrize("seed", range(2))
def test_a_grouped_product_says_what_it_draws_of_w_and_its_steps_mean_the_same_whatever_is_drawn(seed):
    from convgif.animation import Look
    from convgif.animation.job import Job

    rng = random.Random(seed)
    looked = set()
    for _ in range(12):
        g = rng.choice([2, 3, 4])
        size = rng.randint(4, 7)
        spec = convgif.Conv2dSpec((g * rng.randint(1, 2), size, size), g * rng.randint(1, 2), 3, groups=g)
        for look in (Look(values=True), Look(), Look(width=1400)):
            job = Job(spec, look, {"view": "matrix"}, max_frames=0)
            (drawn,) = job.drawings
            (layout,) = job.layouts
            groups = sorted({c // spec.in_per_group for c in layout.shown_in})
            looked.add(len(groups) > 1)
            words = " ".join(layout.geometry.notes + tuple(t for t, *_ in layout.texts))
            blank = drawn.extra["matrix"].blank
            if len(groups) > 1:  # the blocks, and the blanks between them, are drawn
                assert "(blank: no weight), a block-diagonal" in words and blank.any()
            else:
                assert f"and only group {groups[0]}'s block is drawn" in words and not blank.any()
                assert "blank: no weight" not in words
            for step in range(sum(job.shown)):
                drawn.playback.advance(step)
                text = drawn.playback.show(step).text
                j = step % len(layout.shown_columns)
                named, counted = _step_channels(text)
                every = {k * spec.out_per_group + j for k in range(spec.groups)}  # one per group
                assert named <= every and len(named) + counted == spec.groups, text
                assert counted == 0 or named == {k * spec.out_per_group + j for k in groups}, text
    assert looked == {True, False}  # both a block alone and several blocks drawn


def test_the_row_of_w_in_use_is_always_labelled_and_no_labels_overlap():
    from convgif.animation import Look
    from convgif.animation.job import Job

    for spec, width in [
        (convgif.Conv2dSpec((3, 224, 224), 64, 7, 2, 3), 1000),
        (convgif.Conv2dSpec((2, 6, 6), 6, 3), None),
        (convgif.Conv2dSpec((1, 12, 12), 8, 5), 700),
    ]:
        job = Job(spec, Look(width=width), {"view": "matrix"}, max_frames=0)
        (layout,) = job.layouts
        label = layout.metrics.label
        x_w, w_top, rows, _ = layout.blocks["w"]
        s = layout.cell
        boxes = []
        for co in layout.shown_out:  # the row of each output channel drawn is in use at some step
            text = layout.geometry.arrangement.row_label(co)
            (x, y) = next((x, y) for t, _, x, y in layout.texts if t == text)
            i = layout.shown_out.index(co)
            assert y <= w_top + i * s + s // 2 <= y + label.height and x + label.width(text) <= x_w
            boxes.append((x, x + label.width(text), y, y + label.height))
        assert rows == len(layout.shown_out)
        overlapping = [
            (a, b)
            for a, b in itertools.combinations(boxes, 2)
            if a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]
        ]
        assert not overlapping, (spec, overlapping)
        if s < label.height and len(layout.shown_out) > 1:
            assert len({x for x, *_ in boxes}) > 1  # rows closer than a label is tall: labels in turns


def test_the_matrix_view_fits_two_columns_or_width_and_past_it_stays_readable():
    """Two of a page's columns by default (its matrices side by side), or the width asked."""
    from convgif.animation import Look
    from convgif.animation.job import Job
    from convgif.picture.sizes import COLUMN_PX, READABLE_CELL_PX

    fitted = 0
    for spec in [
        convgif.Conv2dSpec((2, 6, 6), 6, 3),
        convgif.Conv2dSpec((4, 4, 4), 4, 3, groups=2),
        convgif.Conv1dSpec((2, 12), 3, 3),
        convgif.Conv2dSpec((3, 224, 224), 64, 7, 2, 3),
        convgif.ConvTranspose2dSpec((1, 3, 3), 1, 2, 2),
    ]:
        for values in (False, True):
            for width in (None, 700):
                try:
                    job = Job(spec, Look(values=values, width=width), {"view": "matrix"}, max_frames=300)
                except convgif.TooLargeError as error:  # a width asked that no readable part fits
                    assert width and error.argument == "width" and error.least_width > width
                    continue
                (layout,) = job.layouts
                if job.choice.fits:
                    fitted += 1
                    assert layout.width <= (width or 2 * COLUMN_PX), (spec, values, width, layout.width)
                elif layout.width > (width or 2 * COLUMN_PX):  # no part fits: one drawn past the box, readably
                    assert layout.cell >= READABLE_CELL_PX, (spec, values, width)
    assert fitted >= 8


def _headings(drawn) -> tuple[str, str, str]:
    found = drawn.extra["matrix"]
    rows, cols = found.weights.shape
    return drawn.geometry.arrangement.headings({"x": found.sources.shape[:2], "w": (rows, cols), "y": (rows, -1)})


@pytest.mark.parametrize(
    "spec, w_size, y_size",
    [
        (convgif.Conv2dSpec((1, 4, 4), 1, 3), (1, 9), (1, 4)),
        (convgif.Conv1dSpec((2, 6), 1, 3), (1, 6), (1, 4)),
        (convgif.Conv2dSpec((2, 5, 5), 3, 3, bias=False), (3, 18), (3, 9)),
    ],
)
def test_w_and_y_are_headed_rows_by_columns_even_with_one_output_channel(spec, w_size, y_size):
    """W and Y of Y = W·X are matrices whatever their rows: one output channel's W is 1 × 9, not
    "9", which reads as a count; the transposed view's x and y, a row and a column, keep a length."""
    _, drawn = matrix_drawn(spec)
    _, w, y = _headings(drawn)
    assert w.split(", ", 1)[1].startswith(f"{w_size[0]} × {w_size[1]}"), w
    assert y.split(", ", 1)[1].startswith(f"{y_size[0]} × {y_size[1]}"), y
    _, transposed = matrix_drawn(convgif.ConvTranspose2dSpec((1, 2, 2), 1, 2))
    x, c, y = transposed.geometry.arrangement.headings({"x": (1, 4), "w": (9, 4), "y": (9, 1)})
    assert (x, c, y) == ("x, flattened (4)", "Cᵀ (9 × 4)", "y = Cᵀ·x + b (9)")


@pytest.mark.parametrize("mode", ["zeros", "reflect", "circular"])
@pytest.mark.parametrize("dims", [1, 2])
def test_x_is_what_torch_unfold_gives_as_the_note_says(mode, dims):
    """The note says how torch.nn.Unfold gives X: a 1-D input viewed as (N, C, 1, L) with a kernel
    (1, K), a padding that copies done before Unfold, which pads only zeros. Done as it says, torch
    gives the X drawn."""
    torch = pytest.importorskip("torch")
    f = torch.nn.functional
    kind = convgif.Conv1dSpec if dims == 1 else convgif.Conv2dSpec
    spec = kind((2, *(6,) * dims), 2, 3, stride=2, padding=1, dilation=1 + (dims == 1), padding_mode=mode)
    rec, drawn = matrix_drawn(spec, seed=3)
    (note,) = [n for n in drawn.geometry.notes if n.startswith("X: ")]
    x = torch.tensor(rec.input[None], dtype=torch.float64)
    kernel, stride, padding, dilation = (tuple(v) for v in (spec.kernel_size, spec.stride, spec.padding, spec.dilation))
    if dims == 1:
        assert " for x viewed as (N, C, 1, L) with kernel (1, 3)" in note, note
        x, kernel, stride, padding, dilation = x.unsqueeze(2), (1, *kernel), (1, *stride), (0, *padding), (1, *dilation)
    else:
        assert "(N, C, 1, L)" not in note, note
    if mode != "zeros":
        assert f"padded first as padding_mode={mode!r} pads it (Unfold pads only zeros)" in note, note
        x = f.pad(x, [v for p in padding[::-1] for v in (p, p)], mode=mode)
        padding = (0,) * len(padding)
    else:
        assert "padding_mode" not in note, note
    expected = torch.nn.Unfold(kernel, dilation, padding, stride)(x)[0].numpy()
    found = drawn.extra["matrix"]
    shown = drawn.grid[found.sources[..., 0], found.sources[..., 1], found.sources[..., 2]]
    np.testing.assert_array_equal(shown, expected)


def test_a_sum_leaving_channels_out_names_them_as_a_python_slice():
    """A wide layer's entry of Y adds the channels drawn and those not: ``Σ x[0]·w + Σ x[1:3]·w``,
    slices as Python takes them (the other frames' ``x[0:2]``), each part adding up as written."""
    spec = convgif.Conv2dSpec((3, 6, 6), 4, 3)
    from convgif.animation import Look
    from convgif.animation.job import Job

    job = Job(spec, Look(values=True), {"view": "matrix"}, max_frames=0)
    (drawn,) = job.drawings
    rec = job.recording
    channels = np.arange(spec.in_channels)
    checked = 0
    for step in range(drawn.playback.steps):
        drawn.playback.advance(step)
        for entry in drawn.playback.show(step).sums:
            found = re.fullmatch(
                r"Y\[(\d+), (\d+)\] = y\[\d+, (\d+), (\d+)\] = Σ x\[(\S+)\]·w \+ Σ x\[(\S+)\]·w \+ b = "
                r"(\S+) \+ (\S+) \+ (\S+) = (\S+) \(x\[(\S+)\] not drawn\)",
                entry,
            )
            assert found, entry
            co, oy, ox = int(found[1]), int(found[3]), int(found[4])
            assert found[6] == found[11] and ".." not in entry
            window = rec.padded[:, oy : oy + 3, ox : ox + 3] * rec.weight[co]
            for index, total in ((found[5], found[7]), (found[6], found[8])):
                picked = eval(f"channels[{index}]", {"channels": channels})  # noqa: S307 - the slice as written
                assert float(total) == window[np.atleast_1d(picked)].sum()
            assert sorted({*np.atleast_1d(eval(f"channels[{found[5]}]")), *eval(f"channels[{found[6]}]")}) == [0, 1, 2]  # noqa: S307
            checked += 1
    assert checked


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_how_unfold_gives_x_reads_in_chinese(lang):
    """The note on how torch.nn.Unfold gives X, with a 1-D input's view and a padding done
    first, in Chinese: every word translated, every number kept (names of code aside)."""
    from convgif.language import say

    for spec in (
        convgif.Conv1dSpec((2, 6), 2, 3, padding=1, padding_mode="reflect"),
        convgif.Conv1dSpec((2, 6), 2, 3),
        convgif.Conv2dSpec((2, 6, 6), 2, 3, padding=1, padding_mode="circular"),
    ):
        (geometry,) = ops.of(spec).geometries(spec, view="matrix")
        (note,) = [n for n in geometry.notes if n.startswith("X: ")]
        said = say(note, lang)
        words = re.sub(r"torch\.nn\.Unfold|padding_mode='\w+'|Unfold|im2col", "", said)
        assert not re.search(r"[a-z]{3,}", words), said
        assert sorted(re.findall(r"\d+", words)) == sorted(re.findall(r"\d+", note)), said


def _matrix_job(spec, width, values=False):
    from convgif.animation import Look
    from convgif.animation.job import Job

    return Job(spec, Look(values=values, width=width), {"view": "matrix"}, max_frames=300)


def _refused_then_drawn_at_least(spec, width, values=False):
    """The refusal of ``width`` for ``spec``'s matrix picture, after checking that the width it
    names draws a readable part within it and a pixel less is refused; and that layout."""
    from convgif.picture.sizes import READABLE_CELL_PX

    with pytest.raises(convgif.TooLargeError) as refused:
        _matrix_job(spec, width, values)
    error = refused.value
    least = error.least_width
    assert error.argument == "width" and least > width, str(error)
    assert f"--width {least} is the least that draws it" in str(error)
    (layout,) = _matrix_job(spec, least, values).layouts
    assert layout.width <= least and layout.cell >= READABLE_CELL_PX
    with pytest.raises(convgif.TooLargeError):
        _matrix_job(spec, least - 1, values)
    return error, layout


@pytest.mark.parametrize(
    "spec",
    [
        convgif.Conv2dSpec((1, 6, 6), 1, 6),  # smaller cells than readable fitted widths a readable part did not
        convgif.ConvTranspose2dSpec((2, 4, 4), 3, 3, 2),  # a part named whose picture is too tall to draw at all
    ],
)
def test_a_matrix_picture_within_a_width_is_readable_or_refused_naming_the_least_width_that_draws_it(spec):
    """Within a width asked, a matrix picture is drawn at readable cells or refused naming the
    least width at which one is: there it draws, a pixel less it is refused (never drawn at
    cells too small to read, nor refused naming a width that is refused in turn)."""
    _refused_then_drawn_at_least(spec, 300)


def test_the_headline_layer_s_matrix_with_values_is_refused_at_the_column_naming_the_width_its_cells_need():
    """Its numbers need cells of at least MIN_VALUE_CELL_PX, and W's row for one input channel
    (nine of them) beside the grids does not fit a page's column with its headings: no smaller
    part fits, so the column's width is refused, naming the least width that draws a part."""
    from convgif.picture.sizes import MIN_VALUE_CELL_PX

    spec = convgif.Conv2dSpec((3, 7, 7), 1, 3, stride=2)
    error, layout = _refused_then_drawn_at_least(spec, 480, values=True)
    assert f"its cells need {error.least_width} pixels even at {MIN_VALUE_CELL_PX}-pixel cells" in str(error)
    assert len(layout.shown_in) == 1 and layout.blocks["w"][3] == 9  # one input channel's kernel: W's nine columns


def test_a_matrix_picture_whose_headings_need_the_width_says_its_text_needs_it():
    """A transposed convolution's part: its headings and the labels of its maps, not its cells,
    make it wider than the column; at the least width named, its matrices and maps end well
    short of the margin."""
    spec = convgif.ConvTranspose2dSpec((2, 4, 4), 3, 3, 2)
    error, layout = _refused_then_drawn_at_least(spec, 480)
    least = error.least_width
    assert f"its text needs {least} pixels whatever its cells (the headings and labels" in str(error)
    margin, out_w = layout.metrics.margin, layout.geometry.out_size[1]
    ends = [x + cols * layout.cell for x, _, _, cols in layout.blocks.values()]
    ends += [x + out_w * layout.cell for x, _ in layout.outputs.values()]
    assert max(ends) + margin < least  # the cells end short of the margin
    assert max(x + style.width(text) for text, style, x, _ in layout.texts) == least - margin  # a text reaches it
