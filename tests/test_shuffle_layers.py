"""PixelShuffle, PixelUnshuffle and ChannelShuffle, and the 2× up-sampling comparison: what they
accept, their shapes and values against loops always and against PyTorch when it is
importable, and that each step moves what it says it moves."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest
import reference_layers as ref

import convgif
from convgif import SpecError, ops

CASES = 120


def shuffle_cases(name: str, seed: int) -> list[dict]:
    rng = random.Random(f"{name}-{seed}")
    out = []
    for _ in range(CASES):
        factor = rng.choice([1, 2, 2, 2, 3, 0, -1, 2.0, True])
        if name == "PixelShuffle":
            r = factor if isinstance(factor, int) and not isinstance(factor, bool) and factor > 0 else 2
            shape = (rng.choice([r * r, 2 * r * r, rng.randint(1, 9)]), rng.randint(1, 4), rng.randint(1, 4))
            out.append({"input_shape": shape, "upscale_factor": factor})
        elif name == "PixelUnshuffle":
            r = factor if isinstance(factor, int) and not isinstance(factor, bool) and factor > 0 else 2
            sides = [r * rng.randint(1, 3) if rng.random() < 0.8 else rng.randint(1, 6) for _ in range(2)]
            shape = (rng.randint(1, 3), *sides)
            out.append({"input_shape": shape, "downscale_factor": factor})
        else:
            dims = rng.choice([1, 2, 2, 3])
            groups = rng.choice([1, 2, 3, 4, 0, -2, 2.0, True])
            shape = (rng.choice([2, 3, 4, 6, 8, 12]), *(rng.randint(1, 3) for _ in range(dims)))
            out.append({"input_shape": shape, "groups": groups})
    return out


def reference(name: str, spec, x: np.ndarray) -> np.ndarray:
    if name == "PixelShuffle":
        return ref.pixel_shuffle(x, spec.upscale_factor)
    if name == "PixelUnshuffle":
        return ref.pixel_unshuffle(x, spec.downscale_factor)
    return ref.channel_shuffle(x, spec.groups)


NAMES = ["PixelShuffle", "PixelUnshuffle", "ChannelShuffle"]


@pytest.mark.parametrize("name", NAMES)
def test_every_shuffle_records_what_the_loops_compute(name):
    checked = 0
    for case in shuffle_cases(name, 0):
        try:
            spec = ops.operation(name).build(**case)
        except SpecError as error:
            assert error.argument in ("upscale_factor", "downscale_factor", "groups", "input_shape"), error
            continue
        rec = convgif.record(spec, seed=checked)
        want = reference(name, spec, rec.input)
        assert rec.output.shape == want.shape == spec.output_shape, case
        np.testing.assert_array_equal(rec.output, want, err_msg=str(case))
        assert sorted(rec.output.ravel()) == sorted(rec.input.ravel())  # values move, none change
        checked += 1
    assert checked >= CASES // 3


def test_shuffle_arguments_and_refusals():
    spec = convgif.PixelShuffleSpec((8, 3, 3), 2)
    assert spec.output_shape == (2, 6, 6) and spec.caption.endswith("upscale_factor=2")
    assert convgif.PixelUnshuffleSpec((4, 6), 2).output_shape == (4, 2, 3)
    shuffle = convgif.ChannelShuffleSpec((6, 2, 2), 2)
    assert list(shuffle.sources) == [0, 3, 1, 4, 2, 5] and shuffle.caption.endswith("G : 2")
    for build, argument, words in [
        (lambda: convgif.PixelShuffleSpec((6, 3, 3), 2), "upscale_factor", "groups of 2² = 4"),
        (lambda: convgif.PixelShuffleSpec((4, 3, 3), 0), "upscale_factor", "positive integer"),
        (lambda: convgif.PixelShuffleSpec((4, 3, 3), True), "upscale_factor", "positive integer"),
        (lambda: convgif.PixelUnshuffleSpec((1, 4, 3), 2), "downscale_factor", "the input's width, 3"),
        (lambda: convgif.ChannelShuffleSpec((6, 3), 4), "groups", "must divide the channels"),
        (lambda: convgif.ChannelShuffleSpec((6,), 2), "input_shape", "(C, L), (C, H, W)"),
    ]:
        with pytest.raises(SpecError) as error:
            build()
        assert error.value.argument == argument and words in str(error.value), str(error.value)


def _played(spec):
    op = ops.of(spec)
    rec = op.record(spec, seed=2)
    (drawn,) = op.drawings(spec, rec)
    out = np.full(drawn.output.shape, -1, dtype=np.int64)
    steps = []
    for step in range(drawn.geometry.steps):
        shown = drawn.playback.show(step)
        writes = drawn.playback.advance(step)
        for w in writes:
            out[w.channel][np.ix_(w.rows, w.cols)] = w.values
        steps.append((shown, writes))
    return rec, drawn, out, steps


def test_pixel_shuffle_steps_move_a_column_of_channels_into_a_block():
    spec = convgif.PixelShuffleSpec((8, 2, 3), 2)
    rec, drawn, out, steps = _played(spec)
    np.testing.assert_array_equal(out, rec.output)
    shown, writes = steps[4]  # input (1, 1)
    assert shown.text.startswith("input (1, 1) to output rows 2–3, columns 2–3")
    for g, w in enumerate(writes):
        read = shown.reads[g].cells
        assert [c for c, _, _ in read] == list(range(4 * g, 4 * g + 4)) and {(y, x) for _, y, x in read} == {(1, 1)}
        np.testing.assert_array_equal(w.values.ravel(), rec.input[4 * g : 4 * g + 4, 1, 1])
    assert shown.sums[1].startswith("y[1, 2:4, 2:4] ← x[4:8, 1, 1] = ")


def test_pixel_unshuffle_steps_move_a_block_into_a_column_of_channels():
    spec = convgif.PixelUnshuffleSpec((2, 4, 6), 2)
    rec, drawn, out, steps = _played(spec)
    np.testing.assert_array_equal(out, rec.output)
    shown, writes = steps[4]  # output (1, 1)
    assert shown.text.startswith("output (1, 1) from input rows 2–3, columns 2–3")
    cells = shown.reads[1].cells
    np.testing.assert_array_equal([rec.input[c, y, x] for c, y, x in cells], [w.values[0, 0] for w in writes[4:8]])


@pytest.mark.parametrize(
    ("spec", "several"),
    [
        (
            convgif.PixelShuffleSpec((8, 2, 3), 2),
            "each group of 2² = 4 channels there becomes a 2×2 block of its output",
        ),
        (convgif.PixelShuffleSpec((9, 2, 2), 3), "its 3² = 9 channels become a 3×3 block of the output"),
        (convgif.PixelUnshuffleSpec((2, 4, 6), 2), "a 2×2 block of every channel: each block"),
        (convgif.PixelUnshuffleSpec((1, 4, 6), 2), "moves a 2×2 block of the input"),
    ],
)
def test_the_note_says_a_step_moves_a_block_per_group_when_there_are_several(spec, several):
    """A step moves one block per group of channels (one per output channel of PixelShuffle, one
    per input channel of PixelUnshuffle): the note names every group when there are several."""
    rec, drawn, out, steps = _played(spec)
    shown, writes = steps[0]
    blocks = len(shown.sums)  # one sum line per block the step moves
    groups = spec.out_channels if isinstance(spec, convgif.PixelShuffleSpec) else spec.in_channels
    assert blocks == groups
    notes = " ".join(drawn.geometry.notes)
    assert several in notes and ("one output channel" not in notes) and ("block of one channel" not in notes)


def test_channel_shuffle_steps_copy_whole_channels_in_output_order():
    """Step j writes output channel j, in its own place (y[j], the j-th grid), whole from the
    input channel it copies; y[j] is in that input channel's group (its hue, its lines), and
    the steps before stay named as the lines kept."""
    spec = convgif.ChannelShuffleSpec((6, 2, 3), 3)
    rec, drawn, out, steps = _played(spec)
    geometry = drawn.geometry
    assert [geometry.output_label(co) for co in range(6)] == [f"y[{j}]" for j in range(6)]
    assert not [note for note in geometry.notes if "beside" in note]  # no order to explain
    np.testing.assert_array_equal(out, rec.output)  # every channel written where it is drawn
    sources = [(j % 3) * 2 + j // 3 for j in range(6)]  # torch's rule: 0, 2, 4, 1, 3, 5
    for j, (shown, (write,)) in enumerate(steps):
        s = sources[j]
        assert write.channel == j and shown.sums == (f"y[{j}] = x[{s}]",) and shown.sum_channels == (j,)
        np.testing.assert_array_equal(write.values, rec.input[s])
        assert {c for c, _, _ in shown.reads[s].cells} == {s} and not shown.reads[(s + 1) % 6].cells.size
        assert geometry.out_group(j) == s and geometry.group_output(s, 0) == j
        assert shown.trail == tuple(range(j))
    with pytest.raises(SpecError, match="drawn for up to 6"):
        ops.of(convgif.ChannelShuffleSpec((8, 2, 2), 2)).geometries(convgif.ChannelShuffleSpec((8, 2, 2), 2))


def _runs_pixels(points: list) -> list[tuple[int, int]]:
    """Every (x, y) a path through ``points`` passes, a pixel a step along each run's longer side."""
    found = []
    for (xa, ya), (xb, yb) in zip(points, points[1:]):
        length = max(abs(xb - xa), abs(yb - ya))
        found += [(xa + round(t * (xb - xa) / length), ya + round(t * (yb - ya) / length)) for t in range(length)]
    return found


@pytest.mark.parametrize("shape, groups", [((6, 2, 2), 2), ((6, 2, 3), 3), ((4, 5), 2)])
def test_channel_shuffle_lines_cross_from_each_input_to_the_output_that_copies_it(shape, groups):
    """The outputs face the inputs in order (y[j] in row j, beside x[j]); the line of output j
    leaves x[s] (s the channel it copies) on its right at its middle row, crosses the gap
    aslant and enters y[j] on its left at its middle row, touching no grid, label or key."""
    from test_region import rects

    from convgif.picture.layout import plan

    spec = convgif.ChannelShuffleSpec(shape, groups)
    (geometry,) = ops.of(spec).geometries(spec)
    lay = plan(geometry, True)
    c, per = spec.in_channels, spec.in_channels // groups
    labels = {text: (x, y) for text, _, x, y in lay.texts}
    assert [labels[f"y[{j}]"][1] for j in range(c)] == [labels[f"x[{j}]"][1] for j in range(c)]
    assert (
        [lay.outputs[j][1] for j in range(c)]
        == [lay.inputs[j][1] for j in range(c)]
        == sorted(y for _, y in lay.inputs.values())
    )
    assert lay.routes.aslant
    with pytest.raises(ValueError, match="its share"):  # every input's group gets one output, no more
        dataclasses.replace(geometry, output_groups=(0,) * c)
    s_px, n, f = lay.cell, lay.metrics.n, lay.metrics.frame
    (h, w), panels = geometry.grid, [box for _, box in rects(lay)]
    for j in range(c):
        s = (j % groups) * per + j // groups
        (ix, iy), (ox, oy) = lay.inputs[s], lay.outputs[j]
        end = (ox - f - 2 * n - 1, oy + h * s_px // 2)
        (points,) = lay.routes.paths(lay, s, iy + h * s_px // 2, None, (j, end))
        assert points[0] == (ix + w * s_px + f + 2 * n, iy + h * s_px // 2) and points[-1] == end
        assert points[1][1] == points[0][1] and points[2][1] == end[1]  # out and in level, aslant between
        assert (points[1][0] < points[2][0]) and (points[1][1] != points[2][1]) == (lay.inputs[s] != lay.inputs[j])
        for x, y in _runs_pixels(points):
            assert not [b for b in panels if b[0] <= y < b[1] and b[2] <= x < b[3]], (j, s, x, y)


@pytest.mark.parametrize("theme, values", [("light", False), ("dark", True)])
def test_channel_shuffle_frames_draw_each_steps_line_and_keep_the_earlier_ones_faint(theme, values):
    """Frame k: a dashed line in x[s]'s hue leaves x[s] (s the channel y[k] copies) and enters
    y[k], framed in that hue; the lines of the steps before stay, solid and faint, each in its
    input's hue, into y[0] .. y[k-1]; none yet enters the outputs still to come."""
    from convgif.animation import Look
    from convgif.animation.job import Job

    spec = convgif.ChannelShuffleSpec((6, 2, 2), 2)
    job = Job(spec, Look(values=values, theme=theme), {})
    frames = [frame.copy() for frame in job.frames()]
    part = job.parts[0]
    lay, scene, lut = part.layout, part.scene, job.players.lut(0)
    s_px, n, f = lay.cell, lay.metrics.n, lay.metrics.frame
    h, w = spec.input_shape[1:]
    sources = [0, 3, 1, 4, 2, 5]
    background = lut[scene.colours.background]

    def leaving(frame, s: int) -> set:
        """The colours just right of x[s], along its middle row (where its line leaves)."""
        x, y = lay.inputs[s]
        start = x + w * s_px + f + 2 * n
        return set(frame[y + h * s_px // 2, start : start + 8].tolist())

    def entering(frame, j: int) -> set:
        """The colours just left of y[j], along its middle row (where a line enters it)."""
        x, y = lay.outputs[j]
        end = x - f - 2 * n - 1  # the line's last point, itself not drawn
        return set(frame[y + h * s_px // 2, end - 12 : end].tolist())

    assert len(frames) == 6
    for k, frame in enumerate(frames):
        for j, s in enumerate(sources):
            hue = lut[scene.hue(s)]
            x, y = lay.outputs[j]
            assert frame[y - f, x + s_px] == hue, (k, j)  # y[j] framed in the hue of the x it copies
            if j == k:
                assert hue in leaving(frame, s) and hue in entering(frame, j), (k, j)
            elif j < k:
                assert leaving(frame, s) == entering(frame, j) == {lut[scene.faint(s)]}, (k, j)
            else:
                assert leaving(frame, s) == entering(frame, j) == {background}, (k, j)


def test_the_comparison_counts_each_ways_products():
    spec = convgif.CheckerboardSpec((3, 4))
    rec = convgif.record(spec)
    np.testing.assert_array_equal(rec.output, ref.doubling_counts(3, 4))
    facts = ops.of(spec).facts(spec)
    assert facts["products_per_cell"]["ConvTranspose2d k3 s2"] == [1, 2, 4]
    assert facts["products_per_cell"]["Upsample + Conv2d k3"] == [9]
    _, drawn, out, steps = _played(spec)
    assert len(steps) == 4 * 12
    np.testing.assert_array_equal(out, rec.output)  # the last write of each cell is its count
    shown, (write,) = steps[12 + 5]  # the second way, input (1, 1)
    assert write.channel == 1 and shown.column == 1 and shown.text.startswith("ConvTranspose2d k2 s2: input (1, 1)")
    with pytest.raises(SpecError, match="one map"):
        convgif.CheckerboardSpec((2, 3, 3))


torch = pytest.importorskip("torch")


@pytest.mark.parametrize("name", NAMES)
def test_torch_accepts_what_convgif_accepts_and_moves_the_same(name):
    layer = getattr(torch.nn, name)
    accepted = refused = 0
    for case in shuffle_cases(name, 1):
        argument = next(v for k, v in case.items() if k != "input_shape")
        x = torch.from_numpy(np.random.default_rng(0).integers(0, 10, (1, *case["input_shape"])).astype(np.float64))
        try:
            want = layer(argument)(x)[0].numpy()
        except (RuntimeError, TypeError, ValueError):
            want = None
        try:
            spec = ops.operation(name).build(**case)
        except SpecError as error:
            assert want is None, f"convgif refuses what torch takes: {case}: {error}"
            refused += 1
            continue
        assert want is not None, f"convgif takes what torch refuses: {case}"
        np.testing.assert_array_equal(convgif.record(spec, input=x[0].numpy()).output, want)
        accepted += 1
    assert accepted >= 20 and refused >= 10, (accepted, refused)


def test_the_comparison_is_what_the_four_torch_pipelines_compute():
    h, w = 3, 4
    x = torch.ones(1, 1, h, w, dtype=torch.float64)
    nn = torch.nn

    def ones(module):
        with torch.no_grad():
            module.weight.fill_(1)
        return module.double()

    pipelines = [
        ones(nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1, output_padding=1, bias=False)),
        ones(nn.ConvTranspose2d(1, 1, 2, stride=2, bias=False)),
        nn.Sequential(nn.Upsample(scale_factor=2), ones(nn.Conv2d(1, 1, 3, padding=1, bias=False))),
        nn.Sequential(ones(nn.Conv2d(1, 4, 3, padding=1, bias=False)), nn.PixelShuffle(2)),
    ]
    with torch.no_grad():
        want = np.stack([p(x)[0, 0].numpy() for p in pipelines])
    np.testing.assert_array_equal(convgif.record(convgif.CheckerboardSpec((h, w))).output, want)


def test_from_torch_takes_the_shuffles():
    for module, shape in [
        (torch.nn.PixelShuffle(3), (18, 2, 2)),
        (torch.nn.PixelUnshuffle(2), (1, 4, 4)),
        (torch.nn.ChannelShuffle(2), (4, 3, 3)),
    ]:
        spec, values = convgif.from_torch(module, shape)
        x = torch.rand(1, *shape, dtype=torch.float64)
        np.testing.assert_array_equal(convgif.record(spec, input=x[0].numpy()).output, module(x)[0].numpy())


def _drawn_channels(spec, **look) -> tuple[int, int]:
    """The input and output channels a render of ``spec`` draws."""
    from convgif.animation import Look
    from convgif.animation.job import Job
    from convgif.picture.sizes import shown

    (geometry,) = Job(spec, Look(**look)).geometries
    shown_in, _, shown_out = shown(geometry)
    return len(shown_in), len(shown_out)


def test_a_small_pixel_shuffle_is_drawn_whole():
    """The README's example: 8 channels of 3×3 into 2 of 6×6 fit a page's column."""
    spec = ops.operation("PixelShuffle").build(input_shape=(8, 3, 3), upscale_factor=2)
    assert _drawn_channels(spec) == (8, 2)
    unshuffled = ops.operation("PixelUnshuffle").build(input_shape=(2, 4, 4), downscale_factor=2)
    assert _drawn_channels(unshuffled) == (2, 8)


def test_a_wider_frame_draws_as_many_shuffled_channels_or_more_and_says_what_it_leaves_out():
    import io

    rng = random.Random(3)
    for _ in range(12):
        r = rng.choice([2, 3])
        up = rng.random() < 0.5
        c, h, w = rng.randint(1, 6) * (r * r if up else 1), rng.randint(1, 3), rng.randint(1, 3)
        if up:
            spec = ops.operation("PixelShuffle").build(input_shape=(c, h, w), upscale_factor=r)
        else:
            spec = ops.operation("PixelUnshuffle").build(input_shape=(c, h * r, w * r), downscale_factor=r)
        narrow, wide = _drawn_channels(spec), _drawn_channels(spec, width=1400)
        assert wide[0] >= narrow[0] and wide[1] >= narrow[1]
        result = convgif.render(spec, io.BytesIO(), max_frames=0)
        whole = narrow == (spec.in_channels, spec.out_channels)
        assert (result.channels == "") == whole, result.channels
        if narrow[0] < spec.in_channels:
            assert result.channels.startswith(f"{narrow[0]} of {spec.in_channels} input channels")


@pytest.mark.parametrize("shape", ["6,3,3", "6,2,3,3", "6,3"])
def test_the_readmes_channel_shuffle_fits_a_pages_column_its_step_line_broken(shape, tmp_path):
    """The step line breaks at its ``·``s, so the README's example (and its 1-D and 3-D forms)
    fits the 480-pixel column, and ``--width 480`` draws it."""
    from click.testing import CliRunner
    from PIL import Image

    from convgif.cli import main

    for width in ([], ["--width", "480"]):
        out = tmp_path / f"f{len(width)}.png"
        args = ["--layer", "ChannelShuffle", "--in", shape, "--g", "3", "--frame", "2", "-o", str(out), *width]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert "past the page" not in result.output and Image.open(out).width <= 480
    spec = convgif.ChannelShuffleSpec((6, 3, 3), 3)
    (drawn,) = ops.of(spec).drawings(spec, ops.of(spec).record(spec, seed=0))
    text = drawn.playback.show(1).text
    assert text == "output channel 1 copies input channel 2 · group 1, its channel 0 · step 2/6"


def test_the_channel_limit_suggests_a_drawable_input_that_still_shuffles():
    """Refused for too many channels, a ChannelShuffle names a channel count that is drawn and
    moves channels in the same groups, or says none exists and names fewer groups that do."""
    import re

    for groups in range(1, 13):
        spec = convgif.ChannelShuffleSpec((groups * (6 // groups + 1), 2, 2), groups)
        with pytest.raises(SpecError) as error:
            ops.of(spec).geometries(spec)
        said = str(error.value)
        same = re.search(r"; (\d+) channels in the same (\d+) groups shuffle", said)
        other = re.search(
            r"no 6 channels or fewer shuffle in (\d+) groups .* groups=([\d or]+), (\d+) channels do", said
        )
        if groups == 1:
            assert "groups=1 leaves every channel where it is" in said, said
            continue
        assert (same is None) != (other is None), said
        options = [(int(same[1]), groups)] if same else [(int(other[3]), int(g)) for g in other[2].split(" or ")]
        for channels, g in options:
            assert channels != spec.in_channels and g <= groups
            smaller = convgif.ChannelShuffleSpec((channels, 2, 2), g)
            ops.of(smaller).geometries(smaller)  # drawn
            assert list(smaller.sources) != list(range(channels)), (said, channels, g)  # and it moves
