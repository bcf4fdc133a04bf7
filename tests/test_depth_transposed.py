"""A ConvTranspose3d one output depth slice at a time: each slice is the 2-D transposed
convolution over the (channel, depth) pairs that reach it, or the bias alone."""

import random
import re

import numpy as np
import pytest

from convgif import ConvTranspose3dSpec, SpecError, ops, record
from convgif.ops.depth_steps import depth_range
from convgif.ops.depth_transposed import depth_pairs, depth_pairs_note, slice_arrays, slice_spec


def random_spec(rng: random.Random):
    """A valid random ConvTranspose3d: stride, padding, output_padding, dilation and groups."""
    while True:
        groups = rng.choice([1, 2])
        triple = lambda lo, hi: tuple(rng.randint(lo, hi) for _ in range(3))  # noqa: E731
        try:
            return ConvTranspose3dSpec(
                (groups * rng.randint(1, 2), rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 3)),
                groups * rng.randint(1, 2),
                triple(1, 3),
                triple(1, 3),
                triple(0, 2),
                triple(0, 2),
                groups,
                rng.random() < 0.7,
                triple(1, 2),
            )
        except SpecError:
            continue


def loop_depth(spec, x, w, b):
    """Independent loops: every (c, d, h, w) input cell scatters through every kernel cell."""
    out = np.zeros(spec.output_shape, dtype=np.int64)
    if b is not None:
        out += b[:, None, None, None]
    per_in, per_out = spec.in_per_group, spec.out_per_group
    _, dd, hh, ww = spec.input_shape
    for c in range(spec.in_channels):
        for j in range(per_out):
            co = c // per_in * per_out + j
            for d, y, xx in np.ndindex(dd, hh, ww):
                for kz, ky, kx in np.ndindex(*spec.kernel_size):
                    at = [
                        n * s - p + k * di
                        for n, s, p, k, di in zip((d, y, xx), spec.stride, spec.padding, (kz, ky, kx), spec.dilation)
                    ]
                    if all(0 <= a < n for a, n in zip(at, spec.output_shape[1:])):
                        out[co, at[0], at[1], at[2]] += x[c, d, y, xx] * w[c, j, kz, ky, kx]
    return out


def test_each_depth_slice_is_the_2d_transposed_convolution_of_its_pairs():
    rng = random.Random(3)
    from convgif.ops.transposed import CONV_TRANSPOSE2D, CONV_TRANSPOSE3D

    torch = None
    try:
        import torch
    except ImportError:
        pass
    for seed in range(60):
        spec = random_spec(rng)
        rec = CONV_TRANSPOSE3D.record(spec, seed)
        x, w, b = rec.input, rec.weight, rec.bias
        np.testing.assert_array_equal(rec.output, loop_depth(spec, x, w, b))
        if torch is not None:
            expected = torch.nn.functional.conv_transpose3d(
                torch.from_numpy(x[None]).double(),
                torch.from_numpy(w).double(),
                None if b is None else torch.from_numpy(b).double(),
                spec.stride,
                spec.padding,
                spec.output_padding,
                spec.groups,
                spec.dilation,
            )[0]
            np.testing.assert_allclose(rec.output, expected.numpy())
        for z in range(spec.output_shape[1]):
            pairs = depth_pairs(spec, z)
            note = depth_pairs_note(spec, z)
            planar = slice_spec(spec, z)
            if planar is None:
                assert not pairs and "only the bias" in note
                start = np.zeros((spec.out_channels, *spec.output_shape[2:]), dtype=rec.output.dtype)
                np.testing.assert_array_equal(rec.output[:, z], start + (0 if b is None else b[:, None, None]))
                continue
            assert all(f"({d}, {dz})" in note for d, dz in pairs)
            assert all(d * spec.stride[0] - spec.padding[0] + dz * spec.dilation[0] == z for d, dz in pairs)
            planes, kernels = slice_arrays(spec, x, w, z)
            sliced = CONV_TRANSPOSE2D.record(planar, input=planes, weight=kernels, bias=b)
            np.testing.assert_array_equal(sliced.output, rec.output[:, z])


def test_no_pair_is_missed_or_invented():
    """Over all output slices, every (d, dz) with an in-range target appears exactly once."""
    rng = random.Random(5)
    for _ in range(200):
        spec = random_spec(rng)
        seen = [(d, dz, z) for z in range(spec.output_shape[1]) for d, dz in depth_pairs(spec, z)]
        expected = [
            (d, dz, d * spec.stride[0] - spec.padding[0] + dz * spec.dilation[0])
            for d in range(spec.input_shape[1])
            for dz in range(spec.kernel_size[0])
        ]
        expected = [t for t in expected if 0 <= t[2] < spec.output_shape[1]]
        assert sorted(seen) == sorted(expected)


ENTRY = re.compile(r"^y\[(\d+), (\d+), (\d+), (\d+)\] = (?:Σ x·w = (\S+)|([by]) \+ Σ x·w = (\S+) \+ (\S+) = (\S+))$")
HEAD = re.compile(r"^canvas\[(\d+), [^\]]*\] \+= Σ x\[[^\]]*\] · weight\[[^\]]*\] over \(d, dz\)$")


@pytest.mark.parametrize("seed", range(25))
def test_every_drawn_slice_ends_at_the_recordings_slice_its_steps_in_order_and_sums_adding_up(seed):
    spec = random_spec(random.Random(100 + seed))
    rec = record(spec, seed=seed)
    op = ops.of(spec)
    drawings = op.drawings(spec, rec)
    dout = spec.output_shape[1]
    assert len(drawings) == dout
    for z, drawn in enumerate(drawings):
        geometry, playback = drawn.geometry, drawn.playback
        assert geometry.caption == spec.caption
        assert f"depth {z} ({depth_range(dout)}): y[:, {z}] " in " ".join(geometry.notes)
        assert geometry.output_label(0) == f"y[0, {z}]"
        pairs = depth_pairs(spec, z)
        steps = playback.steps
        before, total = sum(d.playback.steps for d in drawings[:z]), sum(d.playback.steps for d in drawings)
        if not pairs:
            assert steps == 1
            playback.advance(0)
            step = playback.show(0)
            assert step.text == f"depth {z} holds only the bias: every cell · step {before + 1}/{total}"
            for co, line in enumerate(step.sums):
                held = f"b[{co}] = " if rec.bias is not None else ""
                assert line.startswith(f"y[{co}, {z}, :, :] = {held}")
            np.testing.assert_array_equal(drawn.output, rec.output[:, z])
            continue
        n = len(pairs)
        for i in range(spec.in_channels * n):
            assert geometry.input_text(i) == f"x[{i // n}, {pairs[i % n][0]}]"
        for step_number in range(steps):
            playback.advance(step_number)
            step = playback.show(step_number)
            assert (
                step.text.startswith(f"depth {z} · input ") and f"step {before + step_number + 1}/{total}" in step.text
            )
            for line in step.sums:
                if line.startswith("canvas"):
                    assert HEAD.match(line), line
                    continue
                found = ENTRY.match(line)
                assert found, line
                assert int(found[2]) == z
                if found[6]:
                    assert float(found[7]) + float(found[8]) == pytest.approx(float(found[9]))
        np.testing.assert_array_equal(playback.output, rec.output[:, z])
    assert op.facts(spec)["steps"] == sum(drawn.playback.steps for drawn in drawings)
    np.testing.assert_array_equal(rec.output, loop_depth(spec, rec.input, rec.weight, rec.bias))
    torch = pytest.importorskip("torch")
    expected = torch.nn.functional.conv_transpose3d(
        torch.from_numpy(rec.input[None]).double(),
        torch.from_numpy(rec.weight).double(),
        None if rec.bias is None else torch.from_numpy(rec.bias).double(),
        spec.stride,
        spec.padding,
        spec.output_padding,
        spec.groups,
        spec.dilation,
    )[0]
    np.testing.assert_allclose(rec.output, expected.numpy())


def test_a_gif_of_a_conv_transpose3d_is_written(tmp_path):
    """The layer once refused is drawn: one picture per output depth slice, frames for each step."""
    import convgif

    spec = ConvTranspose3dSpec((1, 2, 3, 3), 1, 2, 2)
    convgif.render(spec, tmp_path / "ct3.gif")
    assert (tmp_path / "ct3.gif").stat().st_size > 0


@pytest.mark.parametrize("bias", [True, False])
def test_a_slice_of_the_bias_alone_draws_the_bias_not_an_input_cell(bias):
    # stride 2 over depth, kernel depth 1: output depth 1 lies between the strides, only its bias
    spec = ConvTranspose3dSpec((2, 2, 3, 3), 3, 1, stride=2, bias=bias)
    op = ops.of(spec)
    rec = record(spec, seed=4)
    geometries = op.geometries(spec)
    assert slice_spec(spec, 1) is None
    drawn = op.drawings(spec, rec, geometries=geometries)[1]
    geometry = drawn.geometry
    assert not drawn.filler.any()  # no padding cell stands in for an input that is not there
    written = rec.bias if bias else np.zeros(3, rec.output.dtype)
    assert np.array_equal(drawn.grid[:, 0, 0], written)  # the cell drawn holds what every output cell gets
    assert np.array_equal(drawn.output, np.asarray(rec.output)[:, 1])
    assert (drawn.output == written[:, None, None]).all()
    assert geometry.input_name == "b" and "bias" in geometry.input_heading
    assert [geometry.input_label(c) for c in range(3)] == ([f"b[{c}]" for c in range(3)] if bias else ["no bias"] * 3)


SPLIT = re.compile(
    r"y\[(\d+), (\d+), (\d+), (\d+)\] = (?:([yb]) \+ )?Σ x\[([^·]+)\]·w \+ Σ x\[([^·]+)\]·w = "
    r"(?:(-?\d+) \+ )?(-?\d+) \+ (-?\d+) = (-?\d+) \(x\[([^·]+)\] not drawn\)"
)


def _slices_named(span: str, order: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The input slices (c, d) a sum line's ``x[span]`` names: ``c, d``, ``c0..c1, d0..d1`` (every
    one of those channels at every one of those depths), or ``c, d]..x[c, d`` (from one slice to
    the other in the picture's ``order``)."""

    def numbers(text: str) -> range:
        first, _, last = text.partition("..")
        return range(int(first), int(last or first) + 1)

    if "]..x[" in span:
        a, b = (tuple(map(int, label.split(", "))) for label in span.split("]..x["))
        return order[order.index(a) : order.index(b) + 1]
    channels, depths = span.split(", ")
    return [(c, d) for c in numbers(channels) for d in numbers(depths)]


def _many_channels(seed: int) -> ConvTranspose3dSpec:
    """A random ConvTranspose3d of more input channels to a group than a picture shows."""
    rng = random.Random(seed)
    while True:
        groups = rng.choice([1, 2])
        try:
            spec = ConvTranspose3dSpec(
                (groups * rng.randint(7, 40), rng.randint(1, 3), rng.randint(2, 3), rng.randint(2, 3)),
                groups * rng.randint(1, 2),
                (rng.randint(1, 3), rng.randint(1, 2), rng.randint(1, 2)),
                (rng.randint(1, 2), rng.randint(1, 2), 1),
                (rng.randint(0, 1), 0, 0),
                0,
                groups,
                rng.random() < 0.5,
                (rng.randint(1, 2), 1, rng.randint(1, 2)),
            )
        except SpecError:
            continue
        (s, p, d), depth = (a[0] for a in (spec.stride, spec.padding, spec.dilation)), spec.input_shape[1]
        if any(
            0 <= i * s - p + dz * d < spec.output_shape[1] for i in range(depth) for dz in range(spec.kernel_size[0])
        ):
            return spec  # some output depth slice is more than the bias


@pytest.mark.parametrize(
    "spec",
    [
        *map(_many_channels, range(40)),
        ConvTranspose3dSpec((64, 2, 3, 3), 2, 2, stride=2),  # one input depth to each output slice
        ConvTranspose3dSpec((20, 3, 2, 2), 2, (3, 1, 1)),  # x[0, 0..2] drawn, x[1..19, 0..2] not
        # a part recorded alone
        ConvTranspose3dSpec((512, 2, 64, 64), 256, (2, 4, 4), stride=(1, 2, 2), padding=(0, 1, 1), bias=False),
    ],
    ids=repr,
)
def test_a_slice_drawing_some_input_slices_writes_the_drawn_and_the_others_apart(spec):
    """A ConvTranspose3d whose slice pictures show fewer input slices x[c, d] than a group sums:
    each sum line adds what the output cell held, the drawn slices' products and the others'
    (those named not drawn), the slices named exactly those drawn and those not, each number as
    a loop over the 3-D input and kernels finds it."""
    from convgif.animation import Look
    from convgif.animation.job import Job
    from convgif.picture.model import shown

    job = Job(spec, Look(values=True), {}, max_frames=8)
    x, w = job.recording.input, job.recording.weight
    bias = job.recording.bias
    per, (s_d, s_h, s_w), (p_d, p_h, p_w) = spec.in_per_group, spec.stride, spec.padding
    (k_d, k_h, k_w), (d_d, d_h, d_w) = spec.kernel_size, spec.dilation
    checked = 0
    for z, (drawn, steps) in enumerate(zip(job.drawings, job.steps)):
        playback = drawn.playback
        reach = {d: dz for d in range(spec.input_shape[1]) for dz in range(k_d) if d * s_d - p_d + dz * d_d == z}
        if not reach:
            continue
        order = [(c, d) for c in range(per) for d in sorted(reach)]  # group 0's slices, as drawn
        shown_in = len(shown(drawn.geometry)[0])
        assert shown_in < len(order), spec
        mine_slices, rest_slices = order[:shown_in], order[shown_in:]
        assert [drawn.geometry.input_text(i) for i in range(shown_in)] == [f"x[{c}, {d}]" for c, d in mine_slices]
        sums, held = {}, set()
        (r0, r1), (c0, c1) = playback.region.rows, playback.region.cols  # the part drawn, on the canvas
        for step in range(playback.steps):  # every step, as the frames walk them
            j, y, xx = playback._index(step)
            if j >= playback.columns:
                continue
            playback.advance(step)
            words = playback.show(step)
            assert words.text.endswith(" of this part"), words.text
            entries = {}
            for entry in words.sums:
                found = SPLIT.fullmatch(entry)
                if found:
                    entries[tuple(map(int, found.groups()[:4]))] = found
                else:
                    assert entry.startswith("canvas[") or not entry.startswith("y[0,"), entry
            for co in range(j, spec.out_channels, spec.out_per_group):
                g = co // spec.out_per_group
                for ky in range(k_h):
                    for kx in range(k_w):
                        oy, ox = y * s_h + ky * d_h, xx * s_w + kx * d_w  # on the canvas
                        mine, rest = (
                            sum(
                                int(x[g * per + c, d, y, xx]) * int(w[g * per + c, j, reach[d], ky, kx])
                                for c, d in slices
                            )
                            for slices in (mine_slices, rest_slices)
                        )
                        start = 0 if bias is None else int(bias[co])
                        before, first = sums.get((co, oy, ox), start), (co, oy, ox) not in held
                        sums[co, oy, ox] = before + mine + rest
                        held.add((co, oy, ox))
                        if g or step not in steps or not (r0 <= oy < r1 and c0 <= ox < c1):
                            continue
                        at = (co, z, oy - p_h, ox - p_w)
                        if not (0 <= at[2] < spec.output_shape[2] and 0 <= at[3] < spec.output_shape[3]):
                            continue  # cropped off
                        found = entries.pop(at, None)
                        assert found is not None, (spec, z, step, at, words.sums)
                        word, named, hidden, were, a, b, v, again = found.groups()[4:]
                        assert word == (None if first and bias is None else "b" if first else "y")
                        assert _slices_named(named, order) == mine_slices, named
                        assert _slices_named(hidden, order) == rest_slices == _slices_named(again, order), hidden
                        assert (int(a), int(b), int(v)) == (mine, rest, sums[co, oy, ox])
                        assert were is None if word is None else int(were) == before
                        checked += 1
    assert checked


def test_a_sum_head_names_the_canvas_depth_as_the_step_line_names_the_depth():
    """The canvas has four indices: "canvas[0, 3, 0:2, 2:4] += Σ …" on the step of "depth 3",
    the canvas depth z + padding of output depth z (before padding crops it), never three."""
    import re

    from convgif.animation import Look
    from convgif.animation.job import Job

    rng = random.Random(5)
    checked = 0
    for _ in range(12):
        k, s = rng.randint(1, 3), rng.randint(1, 2)
        arguments = {"input_shape": (rng.randint(1, 2), *(rng.randint(1, 3) for _ in range(3)))}
        arguments.update(out_channels=rng.randint(1, 2), kernel_size=k, stride=s, padding=rng.randint(0, k - 1))
        try:
            spec = ops.operation("ConvTranspose3d").build(**arguments)
            job = Job(spec, Look(values=True))
        except SpecError:
            continue
        for drawn, steps in zip(job.drawings, job.steps):
            for step in steps:
                drawn.playback.advance(step)
                shown = drawn.playback.show(step)
                z = int(re.match(r"depth (\d+)\b", shown.text).group(1))
                for head in (entry for entry in shown.sums if entry.startswith("canvas[")):
                    assert re.match(
                        rf"canvas\[\d+, {z + spec.padding[0]}, \d+:\d+(:\d+)?, \d+:\d+(:\d+)?\] \+= Σ", head
                    ), head
                    checked += 1
    assert checked > 50
