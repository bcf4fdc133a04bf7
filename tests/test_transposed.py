"""ConvTranspose2d: PyTorch's acceptance, shapes, parameters and values."""

import random
import re
import warnings

import numpy as np
import pytest

from convgif import ConvTranspose2dSpec, SpecError, record
from convgif.engine.scatter import canvas_size, flip_kernels, zero_insert


def random_args(rng: random.Random):
    shape = (rng.randint(1, 4), rng.randint(1, 5), rng.randint(1, 5))
    pair = lambda lo, hi: (rng.randint(lo, hi), rng.randint(lo, hi))  # noqa: E731
    args = dict(
        out_channels=rng.choice([1, 2, 3, 4]),
        kernel_size=pair(1, 4),
        stride=pair(1, 3),
        padding=pair(0, 3),
        output_padding=pair(0, 2),
        groups=rng.choice([1, 2, 3]),
        bias=rng.random() < 0.5,
        dilation=pair(1, 3),
    )
    return shape, args


TABLE = [
    ((2, 3, 3), dict(out_channels=1, kernel_size=3, stride=2, padding=1, output_padding=1), (1, 6, 6), 19),
    ((2, 3, 3), dict(out_channels=4, kernel_size=3, groups=2), (4, 5, 5), 40),
    ((2, 3, 3), dict(kernel_size=3, stride=1, output_padding=1, dilation=2), (1, 8, 8), 19),
    ((2, 3, 3), dict(kernel_size=3, stride=(2, 1), output_padding=(1, 0)), (1, 8, 5), 19),
    ((2, 3, 3), dict(kernel_size=(3, 2), stride=3, padding=(1, 0), output_padding=2, dilation=(1, 3)), (1, 9, 12), 13),
    ((2, 3, 3), dict(kernel_size=3, stride=2, padding=1, output_padding=2), "output_padding", None),
    ((2, 3, 3), dict(kernel_size=3, output_padding=1), "output_padding", None),
    ((2, 3, 3), dict(kernel_size=3, padding=3), "padding", None),
    ((2, 3, 3), dict(kernel_size=3, padding=-1), "padding", None),
    ((2, 3, 3), dict(kernel_size=3, padding="same"), "padding", None),
    ((2, 3, 3), dict(out_channels=3, groups=2), "groups", None),
    ((2, 3, 3), dict(kernel_size=0), "kernel_size", None),
]


@pytest.mark.parametrize("shape, args, expected, parameters", TABLE)
def test_table_of_pytorch_behaviour(shape, args, expected, parameters):
    if isinstance(expected, str):
        with pytest.raises(SpecError) as error:
            ConvTranspose2dSpec(shape, **args)
        assert error.value.argument == expected
    else:
        spec = ConvTranspose2dSpec(shape, **args)
        assert spec.output_shape == expected and spec.num_parameters == parameters
        assert spec.as_conv().output_shape == expected


def test_caption_and_steps():
    spec = ConvTranspose2dSpec((2, 3, 3), 1, 3, stride=2, padding=1, output_padding=1)
    assert spec.caption == (
        "Input Shape : (2, 3, 3) — Output Shape : (1, 6, 6) — K : (3, 3) — P : (1, 1) — S : (2, 2)"
        " — D : (1, 1) — G : 1 — OP : (1, 1)"
    )
    assert spec.steps == 9
    assert "OP" not in ConvTranspose2dSpec((1, 3, 3)).caption


def test_agrees_with_torch_on_random_configurations():
    torch = pytest.importorskip("torch")
    rng = random.Random(11)
    accepted = 0
    for i in range(600):
        shape, args = random_args(rng)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                layer = torch.nn.ConvTranspose2d(shape[0], **args).double()
                out = layer(torch.zeros(1, *shape, dtype=torch.float64))
            empty = min(out.shape[2:]) == 0  # torch allows an empty output; convgif draws none
        except (RuntimeError, ValueError):
            with pytest.raises(SpecError):
                ConvTranspose2dSpec(shape, **args)
            continue
        if empty:
            with pytest.raises(SpecError, match="to nothing"):
                ConvTranspose2dSpec(shape, **args)
            continue
        spec = ConvTranspose2dSpec(shape, **args)
        assert spec.output_shape == tuple(out.shape[1:])
        assert spec.num_parameters == sum(p.numel() for p in layer.parameters())
        rec = record(spec, seed=i)
        assert rec.weight.shape == tuple(layer.weight.shape)
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(rec.weight).double())
            if rec.bias is not None:
                layer.bias.copy_(torch.from_numpy(rec.bias).double())
            got = layer(torch.from_numpy(rec.input[None]).double())[0].numpy()
        np.testing.assert_array_equal(got, rec.output)
        accepted += 1
    assert accepted > 100


def scatter(spec, x, w, b):
    """The definition, looped: every input cell adds its value times the kernel into the output."""
    (sh, sw), (dh, dw), (ph, pw) = spec.stride, spec.dilation, spec.padding
    _, ho, wo = spec.output_shape
    out = np.zeros(spec.output_shape, dtype=np.int64)
    cg_in, cg_out = spec.in_per_group, spec.out_per_group
    kh, kw = spec.kernel_size
    for c in range(spec.in_channels):
        g = c // cg_in
        for y in range(spec.input_shape[1]):
            for xx in range(spec.input_shape[2]):
                for j in range(cg_out):
                    for ky in range(kh):
                        for kx in range(kw):
                            oy, ox = y * sh - ph + ky * dh, xx * sw - pw + kx * dw
                            if 0 <= oy < ho and 0 <= ox < wo:
                                out[g * cg_out + j, oy, ox] += x[c, y, xx] * w[c, j, ky, kx]
    if b is not None:
        out += b[:, None, None]
    return out


def test_equals_the_scatter_definition_and_its_direct_convolution():
    rng = random.Random(5)
    checked = 0
    for i in range(150):
        shape, args = random_args(rng)
        try:
            spec = ConvTranspose2dSpec(shape, **args)
        except SpecError:
            continue
        rec = record(spec, seed=i)
        np.testing.assert_array_equal(rec.output, scatter(spec, rec.input, rec.weight, rec.bias))
        conv = rec.conv
        assert conv.spec == spec.as_conv()
        np.testing.assert_array_equal(conv.input, zero_insert(spec, rec.input))
        np.testing.assert_array_equal(conv.weight, flip_kernels(spec, rec.weight))
        checked += 1
    assert checked > 30


def test_zero_insertion_picture():
    spec = ConvTranspose2dSpec((1, 2, 2), 1, 3, stride=2, padding=1, output_padding=1)
    x = np.array([[[1, 2], [3, 4]]])
    expected = np.array(
        [  # one zero between cells, one around, one more at the bottom/right
            [0, 0, 0, 0, 0, 0],
            [0, 1, 0, 2, 0, 0],
            [0, 0, 0, 0, 0, 0],
            [0, 3, 0, 4, 0, 0],
            [0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0],
        ]
    )
    np.testing.assert_array_equal(zero_insert(spec, x)[0], expected)


def test_scatter_frames_add_up_to_the_output():
    from convgif import ops
    from convgif.ops.scattering import partial_sum_range
    from convgif.picture.layout import plan
    from convgif.picture.overlay import Animation

    for spec in (
        ConvTranspose2dSpec((2, 3, 3), 1, 3, stride=2, padding=1, output_padding=1),
        ConvTranspose2dSpec((2, 3, 3), 4, 3, stride=2, groups=2, dilation=2),
    ):
        rec = record(spec, seed=2)
        (drawn,) = ops.of(spec).drawings(spec, rec)
        renderer = Animation(drawn, plan(drawn.geometry, values=True))
        frames = [frame.copy() for frame in renderer.frames(range(spec.steps))]
        assert len(frames) == spec.steps == spec.out_per_group * 9
        np.testing.assert_array_equal(drawn.playback.output, rec.output)  # the canvas, cropped
        (p, q), (ho, wo) = spec.padding, spec.output_shape[1:]
        assert drawn.output.shape[1:] == drawn.cut.shape == drawn.playback.sums.shape[1:]
        assert (~drawn.cut).sum() == ho * wo and not drawn.cut[p : p + ho, q : q + wo].any()
        low, high = partial_sum_range(rec)
        assert low <= rec.output.min() and high >= rec.output.max()
        playback = ops.of(spec).drawings(spec, rec)[0].playback  # a fresh walk through the steps
        for step in range(5):
            playback.advance(step)
        assert (
            playback.show(4).text
            == f"input (1, 1) · out channel{'s 0, 2' if spec.groups > 1 else ' 0'} · step 5/{spec.steps}"
        )


def test_cli_transposed_views(tmp_path, monkeypatch):
    from click.testing import CliRunner
    from gifs import displayed_frames

    from convgif.cli import main

    monkeypatch.chdir(tmp_path)
    args = ["--transposed", "--in", "2,3,3", "--out", "1", "--k", "3", "--s", "2", "--p", "1", "--output-padding", "1"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    name, summary = result.output.splitlines()
    assert name == "convtranspose2d_2x3x3_out1_k3_s2_p1_op1.gif"
    assert summary.startswith("output (1, 6, 6) · 19 parameters · 9 frames")
    result = CliRunner().invoke(main, [*args, "--as-conv", "-q"], catch_exceptions=False)
    assert result.output == "convtranspose2d_2x3x3_out1_k3_s2_p1_op1_asconv.gif\n"
    assert len(displayed_frames(tmp_path / result.output.strip())) == 36  # the direct convolution's steps
    for bad, option in (
        (["--in", "2,3,3", "--output-padding", "1"], "'--output-padding'"),
        (["--in", "2,3,3", "--as-conv"], "'--as-conv'"),
        (["--transposed", "--in", "2,3,3", "--padding-mode", "reflect"], "'--padding-mode'"),
        (["--transposed", "--in", "2,3,3", "--output-padding", "1"], "'--output-padding'"),
        (["--transposed", "--in", "2,3,3", "--p", "same"], "'--p'"),
    ):
        result = CliRunner().invoke(main, [*bad, "-o", "never.gif"])
        assert result.exit_code == 2 and option in result.output, (bad, result.output)
    assert not (tmp_path / "never.gif").exists()


def test_as_conv_marks_inserted_zeros_like_padding():
    from convgif.animation.job import Job

    spec = ConvTranspose2dSpec((1, 2, 2), 1, 3, stride=2, padding=1, output_padding=1)

    (renderer,) = Job(spec, view={"as_conv": True}).parts
    original = ~renderer.drawn.filler
    assert original.sum() == 4 and [tuple(p) for p in np.argwhere(original)] == [(1, 1), (1, 3), (3, 1), (3, 3)]


@pytest.mark.parametrize("chunk", [1, 25, 1 << 18])
def test_a_render_finds_the_partial_sums_range_of_every_channel_at_once(monkeypatch, chunk):
    import convgif.engine.values as engine
    from convgif.ops.scattering import partial_sum_range, scatter_extent
    from convgif.ops.transposed import CONV_TRANSPOSE2D
    from convgif.picture.model import Region

    monkeypatch.setattr(engine, "CHUNK", chunk)
    specs = [
        ConvTranspose2dSpec((12, 4, 4), 24, 3, stride=2, groups=4, bias=False),
        ConvTranspose2dSpec(
            (6, 5, 5), 9, (2, 3), stride=(2, 1), padding=(1, 0), output_padding=(1, 0), dilation=(1, 2), groups=3
        ),
        ConvTranspose2dSpec((3, 3, 3), 3, 4, stride=3, padding=2),  # steps that reach no output cell
        ConvTranspose2dSpec((10, 3, 3), 10, 3),
    ]
    for spec in specs:
        shape = CONV_TRANSPOSE2D.weight_shape(spec)
        given = np.arange(np.prod(shape)).reshape(shape) % 9 - 4
        for seed, weight in ((0, None), (5, None), (5, given)):
            full = record(spec, seed, weight=weight)
            light = CONV_TRANSPOSE2D.record_drawn(spec, seed, [(0, spec.out_channels - 1)], weight=weight)
            low, high = partial_sum_range(full)
            assert light.span_of() == (low, high) and type(light.span_of()[0]) is type(low)
            for region in (Region((0, 2), (1, 3)), Region((1, spec.output_shape[1]), (0, 1))):
                read = scatter_extent(spec, region)
                assert light.span_of(region) == partial_sum_range(full, region, read)
            np.testing.assert_array_equal(light.output, full.output)
            assert light.output.dtype == full.output.dtype


def test_a_conv_transpose3d_is_refused_naming_the_equal_convolution_torch_agrees_with():
    """The refusal of a ConvTranspose3d as_conv picture (its scatter is drawn) names the direct Conv3d
    equal to it: the zeros inserted, the padding at each end, the kernels flipped; that
    convolution gives torch's output."""
    import re

    from convgif import ConvTranspose3dSpec, ops

    torch = pytest.importorskip("torch")
    rng = random.Random(7)
    for _ in range(20):
        k = tuple(rng.randint(1, 3) for _ in range(3))
        s = tuple(rng.randint(1, 3) for _ in range(3))
        p = tuple(rng.randint(0, kk - 1) for kk in k)
        op_ = tuple(rng.randint(0, ss - 1) for ss in s)
        spec = ConvTranspose3dSpec((2, 2, 3, 3), 2, k, s, p, op_)
        assert ops.of(spec).geometries(spec)
        with pytest.raises(
            SpecError, match="is drawn as its scatter, one output depth slice at a time, not as"
        ) as caught:
            ops.of(spec).geometries(spec, as_conv=True)
        found = re.search(
            r"with \((.*?)\) zeros .* padding \((.*?)\) at the start .* and \((.*?)\) at the end", str(caught.value)
        )
        zeros, start, end = ([int(v) for v in group.split(", ")] for group in found.groups())
        x, w = torch.randn(1, 2, 2, 3, 3, dtype=torch.float64), torch.randn(2, 2, *k, dtype=torch.float64)
        inserted = torch.zeros(1, 2, *((n - 1) * (z + 1) + 1 for n, z in zip((2, 3, 3), zeros)), dtype=torch.float64)
        inserted[:, :, :: zeros[0] + 1, :: zeros[1] + 1, :: zeros[2] + 1] = x
        padded = torch.nn.functional.pad(inserted, [v for a, b in zip(start[::-1], end[::-1]) for v in (a, b)])
        direct = torch.nn.functional.conv3d(padded, w.flip(2, 3, 4).transpose(0, 1))
        expected = torch.nn.functional.conv_transpose3d(x, w, None, s, p, op_)
        torch.testing.assert_close(direct, expected)


ENTRY = re.compile(
    r"y\[(\d+), (\d+), (\d+)\] = (?:([yb]) \+ )?Σ x\[0(?::(\d+))?\]·w \+ Σ x\[(\d+):(\d+)\]·w = "
    r"(?:(-?\d+) \+ )?(-?\d+) \+ (-?\d+) = (-?\d+) \(x\[(\d+):(\d+)\] not drawn\)"
)


def _some_channels_drawn(seed: int) -> ConvTranspose2dSpec:
    """A random ConvTranspose2d of more input channels to a group than a picture shows."""
    rng = random.Random(seed)
    groups = rng.choice([1, 2])
    per = rng.randint(7, 40)
    return ConvTranspose2dSpec(
        (groups * per, rng.randint(2, 4), rng.randint(2, 4)),
        groups * rng.randint(1, 2),
        (rng.randint(1, 3), rng.randint(1, 3)),
        stride=rng.randint(1, 2),
        groups=groups,
        bias=rng.random() < 0.5,
        dilation=rng.randint(1, 2),
    )


@pytest.mark.parametrize(
    "spec",
    [
        *map(_some_channels_drawn, range(6)),
        ConvTranspose2dSpec((512, 8, 8), 256, 4, stride=2, padding=1, bias=False),  # a part recorded alone
    ],
)
def test_a_scatter_drawing_some_channels_writes_the_drawn_and_the_others_apart(spec):
    """A transposed convolution whose picture shows fewer input channels than a group sums: each
    sum line adds what the output cell held, the drawn channels' products and the others'
    (those named not drawn), each number as a loop over the input and the kernels finds it."""
    from convgif.animation import Look
    from convgif.animation.job import Job
    from convgif.picture.model import shown

    per = spec.in_per_group
    job = Job(spec, Look(values=True), {}, max_frames=6)
    checked = 0
    for drawn, steps in zip(job.drawings, job.steps):
        playback, rec = drawn.playback, drawn.playback.recording
        shown_in = len(shown(drawn.geometry)[0])
        assert shown_in < per, spec
        canvas = (spec.out_channels, *canvas_size(spec))  # the output before padding crops it
        sums = np.zeros(canvas, dtype=np.int64) + (0 if rec.bias is None else rec.bias[:, None, None])
        held = np.zeros(canvas, dtype=bool)
        (p, q), (ho, wo) = spec.padding, spec.output_shape[1:]
        (s, t), (d, e), (kh, kw) = spec.stride, spec.dilation, spec.kernel_size
        columns = range(spec.out_per_group) if rec.columns is None else rec.columns  # those recorded
        for step in range(playback.steps):  # every step, as the frames walk them
            j, y, x = playback._index(step)
            if j not in columns:
                continue
            playback.advance(step)
            shown_step = playback.show(step)
            entries = {}
            for entry in shown_step.sums:
                found = ENTRY.fullmatch(entry)
                if found:
                    entries[tuple(map(int, found.groups()[:3]))] = found
            for co in range(j, spec.out_channels, spec.out_per_group):
                g = co // spec.out_per_group
                for ky in range(kh):
                    for kx in range(kw):
                        oy, ox = y * s + ky * d, x * t + kx * e
                        mine = sum(
                            int(rec.input[c, y, x]) * int(rec.weight[c, rec.column(j), ky, kx])
                            for c in range(g * per, g * per + shown_in)
                        )
                        rest = sum(
                            int(rec.input[c, y, x]) * int(rec.weight[c, rec.column(j), ky, kx])
                            for c in range(g * per + shown_in, (g + 1) * per)
                        )
                        before, first = sums[co, oy, ox], not held[co, oy, ox]
                        sums[co, oy, ox] += mine + rest
                        held[co, oy, ox] = True
                        (r0, r1), (c0, c1) = playback.region.rows, playback.region.cols  # the part drawn
                        if g or step not in steps or not (r0 <= oy < r1 and c0 <= ox < c1):
                            continue
                        if not (0 <= oy - p < ho and 0 <= ox - q < wo):
                            continue  # cropped off
                        found = entries.pop((co, oy - p, ox - q), None)
                        assert found is not None, (spec, step, (co, oy, ox), shown_step.sums)
                        word, stop, first_hidden, end, were, a, b, v, h0, h1 = found.groups()[3:]
                        assert word == (None if first and rec.bias is None else "b" if first else "y")
                        assert (int(stop or 1), int(first_hidden), int(end)) == (shown_in, shown_in, per)  # slices
                        assert (int(h0), int(h1)) == (shown_in, per)
                        assert (int(a), int(b), int(v)) == (mine, rest, sums[co, oy, ox])
                        assert were is None if word is None else int(were) == before
                        checked += 1
        kept = [co for co in range(spec.out_channels) if co % spec.out_per_group in columns]
        (r0, r1), (c0, c1) = playback.region.rows, playback.region.cols
        rows, cols = slice(max(r0, p), min(r1, p + ho)), slice(max(c0, q), min(c1, q + wo))
        out = (kept, slice(rows.start - p, rows.stop - p), slice(cols.start - q, cols.stop - q))
        np.testing.assert_array_equal(sums[kept][:, rows, cols], np.asarray(rec.output[out]))  # the part adds up
    assert checked


@pytest.mark.parametrize("seed", range(4))
def test_a_step_line_names_only_the_output_channels_drawn(seed):
    """Each group drawn writes its output cell at a step, and the step line names those channels:
    none of a group whose inputs and outputs the picture leaves out (as a convolution's)."""
    from convgif.animation import Look
    from convgif.animation.job import Job
    from convgif.picture.model import shown

    rng = random.Random(seed)
    for _ in range(10):
        groups = rng.choice([2, 3, 4, 6, 8])
        spec = ConvTranspose2dSpec((groups * rng.randint(1, 3), 3, 3), groups * rng.randint(1, 6), 2, groups=groups)
        (drawn,) = Job(spec, Look(), max_frames=0).drawings
        _, columns, shown_out = shown(drawn.geometry)
        for step in range(len(columns) * 9):
            drawn.playback.advance(step)
            named = re.search(r"out channels? ([\d, ]+) ·", drawn.playback.show(step).text).group(1)
            channels = [int(c) for c in named.split(", ")]
            assert set(channels) <= set(shown_out) and len(channels) == len(shown_out) // len(columns), (spec, step)


@pytest.mark.parametrize("seed", range(3))
def test_a_parts_sums_have_the_lines_a_whole_pictures_have(seed, monkeypatch):
    """With values, every step's sums open with what it adds (``canvas[…] += x[…] · weight[…]``),
    then the cells it writes (what was there + x·w = the new value): a part, narrower than the
    whole picture, breaks that opening onto more lines, and has lines for as many cells as a
    whole picture; every cell left out is counted (``… n more``), and every line fits."""
    import io

    import convgif
    from convgif.picture import overlay
    from convgif.picture.cells import cells
    from convgif.picture.model import Region
    from convgif.picture.sizes import STEP_BREAK, wrap

    frames: list = []
    original = overlay.Animation._frame

    def seen(self, image, step):
        frames.append((self.layout, step))
        return original(self, image, step)

    monkeypatch.setattr(overlay.Animation, "_frame", seen)
    rng, checked = random.Random(seed), 0
    cases = [(ConvTranspose2dSpec((1, 12, 12), kernel_size=3, stride=2), Region((0, 4), (0, 4)))]  # 0 cells drawn
    while len(cases) < 16:
        shape, args = random_args(rng)
        shape = (shape[0], shape[1] + rng.randint(4, 10), shape[2] + rng.randint(4, 10))
        if rng.random() < 0.5:  # one group of one channel, as narrow as a part gets
            shape, args = (1, *shape[1:]), {**args, "groups": 1, "out_channels": 1}
        try:
            spec = ConvTranspose2dSpec(shape, **args)
        except SpecError:
            continue
        ho, wo = spec.output_shape[1:]
        r0, c0 = rng.randrange(ho), rng.randrange(wo)
        cases.append((spec, Region((r0, min(ho, r0 + rng.randint(1, 5))), (c0, min(wo, c0 + rng.randint(1, 5))))))
    for spec, region in cases:
        frames.clear()
        try:
            convgif.render(spec, io.BytesIO(), values=True, region=region, max_frames=0)
        except SpecError as error:  # cells no kernel reaches: refused, naming the region
            assert error.argument == "region" and "no kernel reaches" in str(error), error
            continue
        for layout, step in frames:
            width = layout.sum_width
            text = wrap(step.text, width, STEP_BREAK)
            assert len(text) <= layout.step_lines and max(map(cells, text)) <= width, (spec, region, step.text)
            entries = step.sums_drawn(layout.outputs)
            heads = [e for e in entries if e.startswith("canvas[")]
            cells_written = [e for e in entries if e.startswith("y[")]
            lines = overlay._fit_lines(entries, width, layout.sum_lines)
            assert len(lines) <= layout.sum_lines and max(map(cells, lines)) <= width, (spec, region, lines)
            joined = " ".join(lines)
            shown = [e for e in cells_written if e in joined]
            assert heads[0].split("  (")[0] in joined, (spec, region, lines)
            if len(heads) == 1 and cells_written:  # at least one cell's sum, the others counted
                assert shown, (spec, region, lines)
                left = len(entries) - 1 - len(shown)
                assert (f"… {left} more" in joined) == (left > 0), (spec, region, lines, left)
                checked += 1
    assert checked


@pytest.mark.parametrize(
    "spec, region",
    [
        (ConvTranspose2dSpec((1, 5, 5), kernel_size=1, stride=2), ((1, 2), (1, 2))),  # between the kernels
        (ConvTranspose2dSpec((1, 3, 3), kernel_size=1, stride=2, output_padding=1), ((5, 6), (0, 6))),  # past them
    ],
)
def test_a_part_no_kernel_reaches_is_refused_naming_the_region(spec, region):
    import io

    import convgif
    from convgif.picture.model import Region

    with pytest.raises(SpecError, match="no kernel reaches the output") as error:
        convgif.render(spec, io.BytesIO(), region=Region(*region))
    assert error.value.argument == "region"


@pytest.mark.parametrize("seed", range(6))
def test_canvas_cells_no_scatter_has_reached_are_drawn_to_come(seed):
    """A transposed convolution's canvas starts at the bias, but a cell no input has scattered
    into yet is drawn empty, "to come" (the key says so), until its first step writes b + Σ x·w;
    a cell no input ever reaches shows its bias from the start. By a loop over every input
    position and kernel tap; 1-D, 2-D and 3-D (each depth slice)."""
    from convgif import ops
    from convgif.animation import Look
    from convgif.animation.job import Job
    from convgif.picture.model import EMPTY

    rng = random.Random(seed)
    dims = rng.choice([1, 2, 3])
    shape = (rng.randint(1, 2), *(rng.randint(2, 3) for _ in range(dims)))
    k, s, d = rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 2)
    spec = ops.operation(f"ConvTranspose{dims}d").build(
        input_shape=shape, out_channels=rng.randint(1, 2), kernel_size=k, stride=s, dilation=d
    )
    job = Job(spec, Look(values=rng.random() < 0.5), {})
    for drawn, scales in zip(job.drawings, job.scales):
        if drawn.start_empty is None:  # a depth slice holding only the bias: one step
            continue
        plane = drawn.playback.recording.spec if hasattr(drawn.playback, "recording") else spec
        n = plane.input_shape[1:]
        reached = np.zeros(drawn.start_empty.shape[1:], bool)
        for i in range(n[0]):
            for j in range(n[1]):
                for ty in range(plane.kernel_size[0]):
                    for tx in range(plane.kernel_size[1]):
                        reached[
                            i * plane.stride[0] + ty * plane.dilation[0], j * plane.stride[1] + tx * plane.dilation[1]
                        ] = True
        for co in range(spec.out_channels):
            assert (drawn.start_empty[co] == reached).all(), spec
            assert (drawn.start[co][~reached] == (job.recording.bias[co] if spec.bias else 0)).all()
        keyed = any(shade == EMPTY for key in scales.keys for shade, _ in key.items)
        assert keyed, spec
        written = np.zeros_like(drawn.start_empty)
        for step in range(drawn.geometry.steps):
            for write in drawn.playback.advance(step):
                for r in write.rows:
                    written[write.channel, r, write.cols] = True
        assert (written | ~drawn.start_empty).all() and (~written | drawn.start_empty).any()
