"""A part of an Unfold too large to record whole (a range of its columns) holds the whole layer's
values, and draws the part as the whole recording draws it."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest

import convgif
from convgif import ops
from convgif.engine.part import PartArray
from convgif.ops.fold_part import fold_cells
from convgif.picture.model import Region

UNFOLD = ops.operation("Unfold")


def _spec(rng: random.Random):
    """A random valid Unfold (None when the draw is not one)."""
    try:
        return UNFOLD.build(
            input_shape=(rng.randint(1, 3), rng.randint(1, 10), rng.randint(1, 10)),
            kernel_size=(rng.randint(1, 3), rng.randint(1, 3)),
            dilation=(rng.randint(1, 2), rng.randint(1, 2)),
            padding=(rng.randint(0, 2), rng.randint(0, 2)),
            stride=(rng.randint(1, 3), rng.randint(1, 3)),
        )
    except convgif.SpecError:
        return None


def _reads_input(spec, column: int) -> bool:
    """Whether Unfold output column ``column``'s window reads an input cell (not padding alone),
    by the window's definition."""
    (p, q), (_, h, w), (kh, kw), (sh, sw), (dh, dw) = (
        spec.padding,
        spec.input_shape,
        spec.kernel_size,
        spec.stride,
        spec.dilation,
    )
    oy, ox = divmod(column, (w + 2 * q - dw * (kw - 1) - 1) // sw + 1)
    return any(
        p <= oy * sh + ky * dh < p + h and q <= ox * sw + kx * dw < q + w for ky in range(kh) for kx in range(kw)
    )


@pytest.mark.parametrize("seed", range(3))
def test_a_part_holds_and_draws_the_whole_layers_values_for_random_layers_and_regions(seed):
    rng, found = random.Random(seed), 0
    while found < 50:
        spec = _spec(rng)
        if spec is None:
            continue
        found += 1
        places = spec.output_shape[1]
        start = rng.randrange(places)
        region = Region((0, 1), (start, rng.randint(start + 1, places)), 1)
        given = None
        if rng.random() < 0.3:  # a given input of fractions, or of whole numbers
            given = np.round(np.random.default_rng(seed).normal(size=spec.input_shape) * 4, rng.choice((0, 2)))
        whole = UNFOLD.record(spec, seed, input=given)
        if not any(_reads_input(spec, c) for c in range(*region.cols)) and any(
            _reads_input(spec, c) for c in range(places)
        ):  # padding alone, where other columns read the input: refused
            with pytest.raises(convgif.SpecError, match="reads no input cell"):
                UNFOLD.record_drawn(spec, seed, [()], input=given, region=region)
            continue
        part = UNFOLD.record_drawn(spec, seed, [()], input=given, region=region)  # the part drawn alone
        assert isinstance(part.output, PartArray)
        cut = slice(*region.cols)
        assert np.array_equal(part.output.values, whole.output[:, cut]), (spec, region)
        assert part.output.values.dtype == whole.output.dtype
        canvas = part.canvas
        box = tuple(slice(s, s + n) for s, n in zip(canvas.start, canvas.values.shape))
        assert np.array_equal(canvas.values, whole.canvas[box])
        if given is None and part.input.values.size:
            box = tuple(slice(s, s + n) for s, n in zip(part.input.start, part.input.values.shape))
            assert np.array_equal(part.input.values, whole.input[box])
        (a,) = UNFOLD.drawings(spec, whole, region=region)
        (b,) = UNFOLD.drawings(spec, part, region=region)
        assert np.array_equal(a.grid, b.grid) and np.array_equal(a.output, b.output)
        assert np.array_equal(a.filler, b.filler) and a.value_chars == b.value_chars
        for step in range(region.cols[1] - region.cols[0]):
            shown, held = a.playback.show(step), b.playback.show(step)
            assert shown.text == held.text and shown.sums == held.sums
            assert [w.values.tolist() for w in shown.writes] == [w.values.tolist() for w in held.writes]
        assert UNFOLD.part_numbers(spec, region) >= part.output.values.size


def test_a_part_matches_torch():
    torch = pytest.importorskip("torch")
    spec = UNFOLD.build(input_shape=(3, 21, 17), kernel_size=(3, 2), dilation=(2, 1), padding=(1, 2), stride=(2, 3))
    x = np.random.default_rng(3).normal(size=spec.input_shape)
    region = Region((0, 1), (20, 41), 1)
    part = UNFOLD.record_drawn(spec, 0, [()], input=x, region=region)
    layer = torch.nn.Unfold((3, 2), dilation=(2, 1), padding=(1, 2), stride=(2, 3))
    y = layer(torch.from_numpy(x)[None])[0].numpy()
    assert np.array_equal(part.output.values, y[:, 20:41])


def test_a_layer_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(monkeypatch):
    from convgif.ops import args

    spec = UNFOLD.build(input_shape=(2, 12, 12), kernel_size=3, padding=1, stride=2)
    normal = convgif.render(spec, io.BytesIO(), region="7:15", values=True).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 100)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), region="7:15", values=True).data
    assert parted == normal


def test_a_huge_unfold_is_drawn_from_its_part_alone(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from convgif.animation import job
    from convgif.cli import main

    spec = UNFOLD.build(input_shape=(3, 1024, 1024), kernel_size=3, padding=1)
    assert spec.numbers > 20_000_000
    result = convgif.render(spec, io.BytesIO(), max_frames=40)
    assert result.region is not None and UNFOLD.part_numbers(spec, result.region) < 100_000
    layer = ["--layer", "Unfold", "--in", "3,1024,1024", "--k", "3", "--p", "1", "--max-frames", "40"]
    run = CliRunner().invoke
    done = run(main, [*layer, "--region", "500000:500010", "-o", str(tmp_path / "a.gif")])
    assert done.exit_code == 0, done.output
    refused = run(main, [*layer, "--backward", "-o", str(tmp_path / "b.gif")])
    assert refused.exit_code == 2 and "--backward" in refused.output and "whole layer" in refused.output
    monkeypatch.setattr(job, "memory_bytes", lambda: 1_000)
    refused = run(main, [*layer, "-o", str(tmp_path / "c.gif")])
    assert refused.exit_code == 2 and "--region" in refused.output and "memory" in refused.output


FOLD = ops.operation("Fold")


def _fold_spec(rng: random.Random):
    """A random valid Fold (None when the draw is not one)."""
    k, d = (rng.randint(1, 3), rng.randint(1, 3)), (rng.randint(1, 2), rng.randint(1, 2))
    p, s = (rng.randint(0, 2), rng.randint(0, 2)), (rng.randint(1, 3), rng.randint(1, 3))
    size = (rng.randint(1, 10), rng.randint(1, 10))
    places = [(n + 2 * q - e * (m - 1) - 1) // t + 1 for n, q, e, m, t in zip(size, p, d, k, s)]
    if min(places) < 1:
        return None
    try:
        return FOLD.build(
            input_shape=(rng.randint(1, 3) * k[0] * k[1], places[0] * places[1]),
            output_size=size,
            kernel_size=k,
            dilation=d,
            padding=p,
            stride=s,
        )
    except convgif.SpecError:
        return None


def _fold_region(rng: random.Random, spec) -> Region:
    """A random part of the padded output that holds an output cell and some window reaches."""
    while True:
        (hc, wc), at = spec.canvas, []
        for n in (hc, wc):
            a = rng.randrange(n)
            at.append((a, rng.randint(a + 1, n)))
        region = Region(*at, 2)
        try:
            fold_cells(spec, region)
        except convgif.SpecError:
            continue
        return region


@pytest.mark.parametrize("seed", range(3))
def test_a_fold_part_holds_and_draws_the_whole_layers_values_for_random_layers_and_regions(seed):
    rng, found = random.Random(seed), 0
    while found < 50:
        spec = _fold_spec(rng)
        if spec is None:
            continue
        found += 1
        region = _fold_region(rng, spec)
        given = None
        if rng.random() < 0.3:  # a given input of fractions, or of whole numbers
            given = np.round(np.random.default_rng(seed).normal(size=spec.input_shape) * 4, rng.choice((0, 2)))
        whole = FOLD.record(spec, seed, input=given)
        part = FOLD.record_drawn(spec, seed, [()], input=given, region=region)  # the part drawn alone
        assert isinstance(part.output, PartArray)
        for held, full in ((part.canvas, whole.canvas), (part.output, whole.output)):
            box = tuple(slice(s, s + n) for s, n in zip(held.start, held.values.shape))
            assert np.array_equal(held.values, full[box]), (spec, region)
            assert held.values.dtype == full.dtype
        (r0, r1), (c0, c1), (p, q) = region.rows, region.cols, spec.padding
        inside = whole.canvas[
            :, max(r0, p) : min(r1, p + spec.output_size[0]), max(c0, q) : min(c1, q + spec.output_size[1])
        ]
        assert part.output.values.shape == inside.shape  # every output cell of the part is held
        if given is None:
            box = tuple(slice(s, s + n) for s, n in zip(part.input.start, part.input.values.shape))
            assert np.array_equal(part.input.values, whole.input[box])
        (a,) = FOLD.drawings(spec, whole, region=region)
        (b,) = FOLD.drawings(spec, part, region=region)
        assert np.array_equal(a.grid, b.grid) and np.array_equal(a.output, b.output)
        assert a.extra == b.extra and a.value_chars == b.value_chars
        for step in range(a.playback.steps):
            written = [w.values.tolist() for w in a.playback.advance(step)]
            assert written == [w.values.tolist() for w in b.playback.advance(step)]
            shown, held = a.playback.show(step), b.playback.show(step)
            assert shown.text == held.text and shown.sums == held.sums
        held = part.input.values.size if given is None else 0  # an input given is held as given
        assert FOLD.part_numbers(spec, region) >= held + part.canvas.values.size


def test_a_fold_part_matches_torch():
    torch = pytest.importorskip("torch")
    spec = FOLD.build(
        input_shape=(2 * 6, 10 * 7),
        output_size=(21, 17),
        kernel_size=(3, 2),
        dilation=(2, 1),
        padding=(1, 2),
        stride=(2, 3),
    )
    x = np.random.default_rng(3).normal(size=spec.input_shape)
    region = Region((5, 12), (3, 9), 2)
    part = FOLD.record_drawn(spec, 0, [()], input=x, region=region)
    layer = torch.nn.Fold((21, 17), (3, 2), dilation=(2, 1), padding=(1, 2), stride=(2, 3))
    y = layer(torch.from_numpy(x)[None])[0].numpy()
    assert np.allclose(part.output.values, y[:, 4:11, 1:7], rtol=0, atol=1e-12)


def test_a_fold_too_large_to_compute_whole_draws_its_part_as_a_smaller_one_would(monkeypatch):
    from convgif.ops import args

    spec = FOLD.build(input_shape=(18, 36), output_size=(12, 12), kernel_size=3, padding=1, stride=2)
    normal = convgif.render(spec, io.BytesIO(), region="3:6,4:8", values=True).data
    monkeypatch.setattr(args, "MAX_ELEMENTS", 100)  # as if this layer were far too large
    parted = convgif.render(spec, io.BytesIO(), region="3:6,4:8", values=True).data
    assert parted == normal


def test_a_huge_fold_is_drawn_from_its_part_alone(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from convgif.animation import job
    from convgif.cli import main

    spec = FOLD.build(input_shape=(900, 99856), output_size=318, kernel_size=3)
    assert spec.numbers > 20_000_000 and max(spec.input_shape) < args_cap()
    result = convgif.render(spec, io.BytesIO(), max_frames=40)
    assert result.region is not None and FOLD.part_numbers(spec, result.region) < 1_000_000
    # an output of 400 million cells, its windows far apart: a part costs its own cells
    wide = FOLD.build(input_shape=(1, 40_000), output_size=20_000, kernel_size=1, stride=100)
    result = convgif.render(wide, io.BytesIO(), region="100:102,0:2", values=True)
    assert result.frames == 1 and FOLD.part_numbers(wide, result.region) < 10_000
    layer = ["--layer", "Fold", "--in", "900,99856", "--output-size", "318,318", "--k", "3"]
    run = CliRunner().invoke
    done = run(main, [*layer, "--region", "0:1,100:103", "--max-frames", "0", "-o", str(tmp_path / "a.gif")])
    assert done.exit_code == 0, done.output
    done = run(main, [*layer, "-o", str(tmp_path / "b.gif")])  # any number of frames: a part, never the whole
    assert done.exit_code == 0 and "drew output row" in done.output, done.output
    monkeypatch.setattr(job, "memory_bytes", lambda: 1_000)
    refused = run(main, [*layer, "--max-frames", "40", "-o", str(tmp_path / "c.gif")])
    assert refused.exit_code == 2 and "--region" in refused.output and "memory" in refused.output


def args_cap() -> int:
    from convgif.ops import args

    return args.MAX_ARGUMENT


@pytest.mark.parametrize("seed", range(2))
def test_the_span_of_a_folds_partial_sums_is_every_step_played_s(seed):
    from convgif.ops.fold_steps import FoldPlayback, partial_span

    rng, found = random.Random(seed), 0
    while found < 60:
        spec = _fold_spec(rng)
        if spec is None:
            continue
        found += 1
        region = _fold_region(rng, spec) if rng.random() < 0.7 else None
        given = None
        if rng.random() < 0.5:  # fractions of either sign: each sum as the steps add it
            given = np.random.default_rng(found).normal(size=spec.input_shape) * 3
        recording = FOLD.record(spec, seed, input=given)
        part, columns = fold_cells(spec, region)
        playback, low, high = FoldPlayback(spec, recording, columns, part), 0, 0
        for step in range(playback.steps):
            for write in playback.advance(step):
                if write.values.size:
                    low, high = min(low, write.values.min()), max(high, write.values.max())
        span = partial_span(spec, recording, columns, part)
        assert span == (low, high) and np.asarray(span).dtype == np.asarray((low, high)).dtype, (spec, region)


def test_a_folds_overlaps_are_those_of_its_every_cell():
    from convgif.ops.fold_steps import fold_overlaps, fold_taps

    rng, found = random.Random(5), 0
    while found < 200:
        spec = _fold_spec(rng)
        if spec is None:
            continue
        found += 1
        counts = np.zeros(spec.output_size, dtype=np.int64)  # a loop over the windows, each cell it covers
        p = spec.padding
        for oy in range(spec.places[0]):
            for ox in range(spec.places[1]):
                for ky in range(spec.kernel_size[0]):
                    for kx in range(spec.kernel_size[1]):
                        y = oy * spec.stride[0] + ky * spec.dilation[0] - p[0]
                        x = ox * spec.stride[1] + kx * spec.dilation[1] - p[1]
                        if 0 <= y < spec.output_size[0] and 0 <= x < spec.output_size[1]:
                            counts[y, x] += 1
        assert np.array_equal(fold_overlaps(spec), counts), spec
        assert fold_taps(spec) == sorted({int(v) for v in np.unique(counts)}), spec


@pytest.mark.parametrize("seed", range(3))
def test_a_fold_parts_sum_lines_hold_the_whole_layers_running_sums(seed):
    # a part's first column is not the layer's: the cells its windows cover outside the part
    # already hold earlier columns, and each sum line writes what they hold (it wrote 0 before)
    from convgif.ops.fold_steps import FoldPlayback

    rng, found = random.Random(100 + seed), 0
    while found < 40:
        spec = _fold_spec(rng)
        if spec is None:
            continue
        region = _fold_region(rng, spec)
        recording = FOLD.record(spec, seed)
        whole = FoldPlayback(spec, recording)
        for alone in (False, True):  # recorded whole, then the part drawn recorded alone
            drawn = FOLD.record_drawn(spec, seed, [()], region=region) if alone else recording
            (drawn,) = FOLD.drawings(spec, drawn, region=region)
            part = drawn.playback
            if part.start == 0:
                break
            found += alone
            whole = FoldPlayback(spec, recording)
            for step in range(part.start):
                whole.advance(step)
            for step in range(part.steps):
                whole.advance(part.start + step)
                part.advance(step)
                index = part.start + step
                rows, cols = part.rows[index], part.cols[index]
                for c in range(spec.in_channels):
                    want = whole.sums[c][np.ix_(rows - whole.at[0], cols - whole.at[1])]
                    assert np.array_equal(part.sums[c][np.ix_(rows - part.at[0], cols - part.at[1])], want)
                    values = part.show(step).sums[c].split("  (")[0].rsplit(" = ", 1)[1]
                    assert values == "(" + ", ".join(str(v) for v in want.ravel().tolist()) + ")", values


@pytest.mark.parametrize(
    "args",
    [
        "--in 4,9 --k 2 --p 1 --output-size 2,2 --region 0:1,0:1",
        "--in 9,16 --k 3 --p 1 --output-size 4,4 --region 0:1,0:6",
        "--in 4,64 --k 2 --p 3 --output-size 3,3 --region 6:9,0:9",
    ],
)
def test_a_fold_region_of_padding_alone_is_refused_naming_the_region(args, tmp_path):
    """A part of the padded map that holds no output cell (what lands there is dropped) is
    refused with exit 2, as ZeroPad2d refuses a part that reads no input cell, not drawn with a
    traceback."""
    from click.testing import CliRunner

    from convgif.cli import main

    done = CliRunner().invoke(main, ["--layer", "Fold", *args.split(), "-o", str(tmp_path / "f.gif")])
    assert done.exit_code == 2, done.output
    assert "'--region'" in done.output and "holds no output cell" in done.output and "draw another part" in done.output


@pytest.mark.parametrize("seed", range(3))
def test_fold_cells_refuses_exactly_the_parts_of_padding_alone(seed):
    rng, found = random.Random(seed), 0
    while found < 40:
        spec = _fold_spec(rng)
        if spec is None or not max(spec.padding):
            continue
        found += 1
        (hc, wc), at = spec.canvas, []
        for n in (hc, wc):
            a = rng.randrange(n)
            at.append((a, rng.randint(a + 1, n)))
        region = Region(*at, 2)
        (r0, r1), (c0, c1), (p, q), (ho, wo) = region.rows, region.cols, spec.padding, spec.output_size
        kept = [(y, x) for y in range(r0, r1) for x in range(c0, c1) if p <= y < p + ho and q <= x < q + wo]
        try:
            fold_cells(spec, region)
        except convgif.SpecError as error:
            assert error.argument == "region"
            assert ("holds no output cell" in str(error)) == (not kept), (spec, region)
        else:
            assert kept, (spec, region)


def _kept_and_dropped(spec, region: Region) -> tuple[int, int]:
    (r0, r1), (c0, c1), (p, q), (ho, wo) = region.rows, region.cols, spec.padding, spec.output_size
    kept = sum(p <= y < p + ho and q <= x < q + wo for y in range(r0, r1) for x in range(c0, c1))
    return kept, (r1 - r0) * (c1 - c0) - kept


@pytest.mark.parametrize(
    "arguments",
    [
        {"input_shape": (18, 100), "output_size": (10, 10), "kernel_size": 3, "padding": 1},
        {"input_shape": (9, 100), "output_size": (10, 10), "kernel_size": 3, "padding": 1},
        {"input_shape": (4, 64), "output_size": (3, 3), "kernel_size": 2, "padding": 3},
        {"input_shape": (27, 100), "output_size": (10, 10), "kernel_size": 3, "padding": 1},
    ],
)
def test_the_automatic_part_of_a_padded_fold_holds_more_output_cells_than_padding(arguments):
    """The review's defaults, once drawn as a band of padding alone (a traceback) or as mostly
    cells the layer drops: the part a render chooses keeps more cells than it drops, and draws."""
    from convgif.animation import Look
    from convgif.animation.region import resolve_region

    spec = FOLD.build(**arguments)
    region = resolve_region(spec, Look(), {})["region"]
    kept, dropped = _kept_and_dropped(spec, region)
    assert kept > dropped, region
    result = convgif.render_still(spec, io.BytesIO(), step=1)
    assert result.region == region


@pytest.mark.parametrize(
    ("arguments", "most"),
    [
        ({"input_shape": (1, 3, 3), "kernel_size": 2, "padding": 3}, 12),  # its first 18 columns read padding
        ({"input_shape": (2, 6, 6), "kernel_size": 2, "padding": 2}, 10),
        ({"input_shape": (1, 5, 5), "kernel_size": 1, "padding": 1, "stride": 2}, 4),
    ],
)
def test_the_automatic_part_of_a_padded_unfold_draws_the_columns_that_read_the_input(arguments, most):
    """The part a render chooses of an Unfold whose first windows read padding alone: a range of
    columns with as many windows on the input as any of its size, starting on one; an unpadded
    Unfold's part still starts at column 0."""
    from convgif.animation import Look
    from convgif.animation.region import resolve_region

    spec = UNFOLD.build(**arguments)
    start, stop = resolve_region(spec, Look(), {}, max_frames=most)["region"].cols
    (p, q), (_, h, w), (kh, kw), (sh, sw) = spec.padding, spec.input_shape, spec.kernel_size, spec.stride
    per_row = (w + 2 * q - kw) // sw + 1

    def reads(column: int) -> bool:
        oy, ox = divmod(column, per_row)
        return any(p <= oy * sh + ky < p + h and q <= ox * sw + kx < q + w for ky in range(kh) for kx in range(kw))

    size, places = stop - start, spec.output_shape[1]
    counts = [sum(reads(c) for c in range(a, a + size)) for a in range(places - size + 1)]
    assert not reads(0) and reads(start) and sum(reads(c) for c in range(start, stop)) == max(counts)
    plain = UNFOLD.build(input_shape=(1, 9, 9), kernel_size=2, padding=1)
    assert resolve_region(plain, Look(), {}, max_frames=12)["region"].cols[0] == 0


@pytest.mark.parametrize("seed", range(6))
def test_random_folds_and_unfolds_draw_or_are_refused_with_a_spec_error(seed):
    """Random padded Fold and Unfold layers, with a random region (padding alone, now and then),
    or none and a random limit of steps: each is drawn, or refused with a SpecError (exit 2
    from the command line), never with another exception."""
    rng = random.Random(f"render-{seed}")
    for _ in range(3):
        spec = None
        while spec is None:
            spec = _spec(rng) if rng.random() < 0.5 else _fold_spec(rng)
        view: dict = {"max_frames": rng.choice((4, 9, 16))}
        if rng.random() < 0.6:
            size = spec.canvas if spec.NAME == "Fold" else (1, spec.output_shape[1])
            (r0, c0) = (rng.randrange(size[0]), rng.randrange(size[1]))
            r1, c1 = rng.randint(r0 + 1, min(size[0], r0 + 4)), rng.randint(c0 + 1, min(size[1], c0 + 4))
            view = {"region": f"{r0}:{r1},{c0}:{c1}" if spec.NAME == "Fold" else f"{c0}:{c1}", "max_frames": 0}
        try:
            convgif.render_still(spec, io.BytesIO(), step=1, values=rng.random() < 0.5, **view)
        except convgif.SpecError:
            pass


@pytest.mark.parametrize(
    "args",
    [
        "--in 1,4,4 --k 2 --p 2 --region 0:2",  # the first row of windows lies in the top padding
        "--in 1,4,4 --k 2 --p 2 --region 3:5",
        "--in 2,5,5 --k 1 --p 1 --s 2 --region 4:5",  # window (1, 0) reads padded column 0: padding
        "--in 1,3,3 --k 2 --p 3 --region 0:16",
    ],
)
def test_an_unfold_region_of_padding_alone_is_refused_naming_the_region_and_one_that_reads(args, tmp_path):
    """Columns whose windows lie wholly in the zero padding hold zeros only and move no input
    value: refused with exit 2, as a Fold part of padding alone is, naming --region, the value
    and the rule, and suggesting a range of as many columns that reads the input (which draws)."""
    import re

    from click.testing import CliRunner

    from convgif.cli import main

    runner = CliRunner()
    done = runner.invoke(main, ["--layer", "Unfold", *args.split(), "-o", str(tmp_path / "u.gif")])
    assert done.exit_code == 2, done.output
    value = args.split()[-1]
    text = " ".join(done.output.split())
    assert "'--region'" in text and f"region {value} " in text and "reads no input cell" in text, text
    assert "wholly in the zero padding" in text, text
    start, stop = (int(v) for v in re.search(r"e\.g\. --region (\d+):(\d+)", text).groups())
    spec = UNFOLD.build(**_unfold_arguments(args))
    assert stop - start == int(value.split(":")[1]) - int(value.split(":")[0])
    assert _reads_input(spec, start), (start, stop)
    redone = runner.invoke(
        main, ["--layer", "Unfold", *args.split()[:-1], f"{start}:{stop}", "-o", str(tmp_path / "v.gif")]
    )
    assert redone.exit_code == 0, redone.output


def _unfold_arguments(args: str) -> dict:
    words = args.split()
    take = lambda flag, default: words[words.index(flag) + 1] if flag in words else default  # noqa: E731
    return {
        "input_shape": tuple(int(v) for v in take("--in", "").split(",")),
        "kernel_size": int(take("--k", "1")),
        "padding": int(take("--p", "0")),
        "stride": int(take("--s", "1")),
    }


@pytest.mark.parametrize("seed", range(3))
def test_unfold_refuses_exactly_the_column_ranges_whose_windows_read_padding_alone(seed):
    """Against the windows' definition, on random padded layers and ranges: refused (naming the
    region) exactly when no column of the range reads an input cell; a range with one that does
    is drawn, its columns of zeros with it."""
    from convgif.ops.fold_part import unfold_columns

    rng, found, refused = random.Random(seed), 0, 0
    while found < 60:
        spec = _spec(rng)
        if spec is None or not max(spec.padding):
            continue
        found += 1
        places = spec.output_shape[1]
        start = rng.randrange(places)
        region = Region((0, 1), (start, rng.randint(start + 1, min(places, start + 5))), 1)
        reads = any(_reads_input(spec, column) for column in range(*region.cols))
        layer_reads = any(_reads_input(spec, column) for column in range(places))
        try:
            unfold_columns(spec, region)
        except convgif.SpecError as error:
            refused += 1
            assert error.argument == "region" and not reads and layer_reads, (spec, region)
        else:
            assert reads or not layer_reads, (spec, region)
    assert refused > 0
