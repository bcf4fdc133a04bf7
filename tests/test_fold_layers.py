"""Unfold and Fold: what they accept (torch's argument names, defaults and refusals), their
shapes and values against loops always and against PyTorch when it is importable, from the
command line, from print(model) lines and torch modules, and that each step moves what it
says it moves."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
from click.testing import CliRunner
from reference_layers import fold as loop_fold
from reference_layers import pair
from reference_layers import unfold as loop_unfold

import convgif
from convgif import SpecError, ops
from convgif.cli import main

CASES = 300


def some_size(rng: random.Random, least: int, most: int, wrong: bool):
    """An int or a pair, now and then one torch refuses."""
    if wrong and rng.random() < 0.08:
        return rng.choice([least - 1, (least - 1, 1), (1, 2, 3), 1.5, "2"])
    return rng.randint(least, most) if rng.random() < 0.5 else (rng.randint(least, most), rng.randint(least, most))


def window_args(rng: random.Random, wrong: bool) -> dict:
    return {
        "kernel_size": some_size(rng, 1, 4, wrong),
        "dilation": some_size(rng, 1, 2, wrong),
        "padding": some_size(rng, 0, 2, wrong),
        "stride": some_size(rng, 1, 3, wrong),
    }


def blocks(size, args) -> tuple[int, int]:
    k, d, p, s = (pair(args[n]) for n in ("kernel_size", "dilation", "padding", "stride"))
    return tuple((size[a] + 2 * p[a] - d[a] * (k[a] - 1) - 1) // s[a] + 1 for a in range(2))


def unfold_cases(seed: int) -> list[tuple[tuple, dict]]:
    rng = random.Random(f"unfold-{seed}")
    return [((rng.randint(1, 3), rng.randint(1, 7), rng.randint(1, 7)), window_args(rng, True)) for _ in range(CASES)]


def fold_cases(seed: int) -> list[tuple[tuple, dict]]:
    rng = random.Random(f"fold-{seed}")
    out = []
    for _ in range(CASES):
        args = window_args(rng, True)
        args["output_size"] = some_size(rng, 1, 7, True)
        try:
            k, size = pair(args["kernel_size"]), pair(args["output_size"])
            columns = max(1, int(np.prod(blocks(size, args))))
            rows = rng.randint(1, 3) * k[0] * k[1]
        except (TypeError, ValueError, ZeroDivisionError):
            columns, rows = 4, 4
        if rng.random() < 0.15:  # a shape that does not match the windows
            rows, columns = rows + rng.choice([0, 1]), columns + rng.choice([1, -1 if columns > 1 else 2])
        out.append(((rows, columns), args))
    return out


def is_valid_size(v, least) -> bool:
    values = (v,) if isinstance(v, int) else v
    return (
        isinstance(values, tuple)
        and len(values) == 2 - (isinstance(v, int))
        and all(isinstance(a, int) and a >= least for a in values)
    )


def test_unfold_matches_the_loop_and_refuses_what_torch_refuses():
    rng = np.random.default_rng(0)
    made = refused = 0
    for shape, args in unfold_cases(0):
        valid = all(is_valid_size(args[n], 0 if n == "padding" else 1) for n in args)
        valid = valid and min(blocks(shape[1:], args)) >= 1
        try:
            spec = convgif.UnfoldSpec(shape, **args)
        except SpecError as error:
            refused += 1
            assert not valid, (shape, args, error)
            assert error.argument in (*args, "input_shape"), error
            continue
        assert valid, (shape, args)
        made += 1
        x = rng.integers(-9, 10, shape)
        rec = convgif.record(spec, input=x)
        expected = loop_unfold(x, *(args[n] for n in ("kernel_size", "dilation", "padding", "stride")))
        np.testing.assert_array_equal(rec.output, expected)
        assert rec.output.shape == spec.output_shape
    assert made > 100 and refused > 30


def test_fold_matches_the_loop_and_refuses_what_torch_refuses():
    rng = np.random.default_rng(1)
    made = refused = 0
    for shape, args in fold_cases(0):
        try:
            spec = convgif.FoldSpec(shape, **args)
        except SpecError as error:
            refused += 1
            assert error.argument in (*args, "input_shape"), error
            continue
        made += 1
        x = rng.integers(-9, 10, shape)
        rec = convgif.record(spec, input=x)
        order = ("output_size", "kernel_size", "dilation", "padding", "stride")
        np.testing.assert_array_equal(rec.output, loop_fold(x, *(args[n] for n in order)))
        assert rec.output.shape == spec.output_shape
    assert made > 100 and refused > 30


def test_fold_of_unfold_counts_the_windows_on_each_cell():
    spec = convgif.UnfoldSpec((2, 5, 6), 3, dilation=1, padding=1, stride=2)
    x = np.ones(spec.input_shape, dtype=np.int64)
    columns = convgif.record(spec, input=x).output
    back = convgif.FoldSpec(columns.shape, (5, 6), 3, padding=1, stride=2)
    folded = convgif.record(back, input=columns).output
    counts = ops.of(back).facts(back)["overlaps"]
    assert sorted({int(v) for v in np.unique(folded)}) == counts


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def torch_result(torch, fn, x, **args):
    try:
        return fn(torch.tensor(x[None], dtype=torch.float64), **args)[0].numpy()
    except (RuntimeError, TypeError, ValueError) as error:
        return error


@pytest.mark.parametrize("seed", [0, 1])
def test_unfold_and_fold_accept_and_compute_what_torch_does(seed, torch):
    rng = np.random.default_rng(seed)
    f = torch.nn.functional
    for kind, cases, fn in (("Unfold", unfold_cases(seed + 7), f.unfold), ("Fold", fold_cases(seed + 7), f.fold)):
        agreed = 0
        for shape, args in cases:
            x = rng.integers(-9, 10, shape)
            expected = torch_result(torch, fn, x, **args)
            try:
                spec = getattr(convgif, f"{kind}Spec")(shape, **args)
                got = convgif.record(spec, input=x).output
            except SpecError as error:
                got = error
            if isinstance(expected, Exception) or isinstance(got, Exception):
                # torch takes a float or a string nowhere; a 3-tuple it may read but convgif names the rule
                assert isinstance(got, Exception), (kind, shape, args, got)
                continue
            np.testing.assert_array_equal(got, expected)
            agreed += 1
        assert agreed > 100


def test_torch_modules_and_their_printed_lines_are_the_same_layers(torch):
    for module, shape in (
        (torch.nn.Unfold((2, 3), dilation=2, padding=1, stride=(1, 2)), (2, 6, 7)),
        (torch.nn.Unfold(3), (1, 4, 4)),
        (torch.nn.Fold((4, 5), 2, stride=1, padding=1), (8, 30)),
        (torch.nn.Fold(5, (2, 3), dilation=(2, 1)), (12, 9)),
    ):
        spec, values = convgif.from_torch(module, shape)
        rec = convgif.record(spec, **(values or {}))
        expected = module(torch.tensor(rec.input[None], dtype=torch.float64))[0].numpy()
        np.testing.assert_array_equal(rec.output, expected)
        args = ["--layer", str(module), "--in", ",".join(map(str, shape)), "info"]
        result = CliRunner().invoke(main, args[-1:] + args[:-1])
        assert result.exit_code == 0, result.output
        assert f"Output Shape : {tuple(expected.shape)}" in result.output


@pytest.mark.parametrize(
    ("args", "option", "words"),
    [
        (["--layer", "Unfold", "--k", "7", "--in", "2,5,5"], "--k", "sliding blocks"),
        (["--layer", "Unfold", "--k", "3", "--in", "2,5,5", "--out", "3"], "--out", "Unfold has no out_channels"),
        (["--layer", "Unfold", "--in", "2,5,5", "--view", "matrix"], "--view", "does not apply to Unfold"),
        (["--layer", "Fold", "--k", "2", "--in", "8,12"], "--output-size", "Fold needs output_size"),
        (["--layer", "Fold", "--k", "2", "--output-size", "4,5", "--in", "8,11"], "--in", "12 windows"),
        (["--layer", "Fold", "--k", "3", "--output-size", "4,5", "--in", "8,6"], "--in", "multiple of"),
        (["--layer", "Fold", "--k", "2", "--output-size", "0,5", "--in", "8,12"], "--output-size", "output_size"),
    ],
)
def test_the_command_line_refuses_naming_the_option(args, option, words, tmp_path):
    result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "x.gif")])
    assert result.exit_code == 2, result.output
    assert option in result.output and words in result.output.replace("\n", " "), result.output
    assert "Traceback" not in result.output


def test_each_step_moves_what_it_says():
    rng = random.Random(3)
    for _ in range(20):
        args = {"kernel_size": rng.randint(1, 3), "stride": rng.randint(1, 2), "padding": rng.randint(0, 1)}
        args["dilation"] = rng.randint(1, 2)
        shape = (rng.randint(1, 2), rng.randint(3, 6), rng.randint(3, 6))
        try:
            unfold = convgif.UnfoldSpec(shape, **args)
        except SpecError:
            continue
        rec = convgif.record(unfold, seed=1)
        (drawn,) = ops.of(unfold).drawings(unfold, rec)
        kk = unfold.cells
        padded = rec.canvas
        for step in range(unfold.steps):
            writes = drawn.playback.advance(step)
            shown = drawn.playback.show(step)
            for write in writes:
                np.testing.assert_array_equal(
                    write.values[:, 0], rec.output[write.channel * kk : (write.channel + 1) * kk, step]
                )
            for c, entry in enumerate(shown.sums):
                window = re.search(r"(?:pad\(x\)|x)\[\d+, (\d+):(\d+)(?::(\d+))?, (\d+):(\d+)(?::(\d+))?\]", entry)
                r0, r1, rs, c0, c1, cs = (int(g) if g else 1 for g in window.groups())
                cells = padded[c, r0:r1:rs, c0:c1:cs].reshape(-1)
                np.testing.assert_array_equal(cells, rec.output[c * kk : (c + 1) * kk, step])
        fold = convgif.FoldSpec(rec.output.shape, shape[1:], **args)
        frec = convgif.record(fold, input=rec.output)
        (drawn,) = ops.of(fold).drawings(fold, frec)
        for step in range(fold.steps):
            writes = drawn.playback.advance(step)
            for c, entry in enumerate(drawn.playback.show(step).sums):
                tuples = [[int(v) for v in group.split(", ")] for group in re.findall(r"\(([-\d, ]+)\)", entry)]
                column = [int(v) for v in frec.input[c * kk : (c + 1) * kk, step]]
                after = [int(v) for v in writes[c].values.reshape(-1)]
                if len(tuples) == 3:
                    before, added, total = tuples
                    assert added == column and total == after, entry
                    assert [a + b for a, b in zip(before, added)] == total, entry
                else:
                    assert tuples == [after] and after == column, entry
        # the partial sums held cover every window's cells, all added up; no window adds elsewhere
        sums, (y0, x0) = drawn.playback.sums, drawn.playback.at
        band = (slice(None), slice(y0, y0 + sums.shape[1]), slice(x0, x0 + sums.shape[2]))
        np.testing.assert_array_equal(sums, frec.canvas[band])
        rest = frec.canvas.copy()
        rest[band] = 0
        assert not rest.any()


def test_a_part_of_a_fold_gets_every_column_that_reaches_it():
    from convgif.picture.model import Region

    rng = random.Random(8)
    for _ in range(30):
        args = {"kernel_size": rng.randint(1, 3), "stride": rng.randint(1, 2), "padding": rng.randint(0, 1)}
        size = (rng.randint(4, 8), rng.randint(4, 8))
        try:
            spec = convgif.FoldSpec(
                (2 * pair(args["kernel_size"])[0] ** 2, int(np.prod(blocks(size, {**args, "dilation": 1})))),
                size,
                **args,
            )
        except SpecError:
            continue
        rec = convgif.record(spec, seed=4)
        hc, wc = spec.canvas
        r0, c0 = rng.randint(0, hc - 1), rng.randint(0, wc - 1)
        region = Region((r0, rng.randint(r0 + 1, hc)), (c0, rng.randint(c0 + 1, wc)))
        try:
            (drawn,) = ops.of(spec).drawings(spec, rec, region=region)
        except SpecError as error:  # a part between the windows, which stays 0, or of padding alone
            assert error.argument == "region"
            (p, q), (ho, wo) = spec.padding, spec.output_size
            padding_alone = (
                region.rows[1] <= p or region.rows[0] >= p + ho or region.cols[1] <= q or region.cols[0] >= q + wo
            )
            assert padding_alone or not rec.canvas[:, slice(*region.rows), slice(*region.cols)].any()
            continue
        state = drawn.start.copy()
        for step in range(drawn.playback.steps):
            for write in drawn.playback.advance(step):
                state[write.channel][np.ix_(write.rows, write.cols)] = write.values
            drawn.playback.show(step)
        np.testing.assert_array_equal(state, rec.canvas[:, slice(*region.rows), slice(*region.cols)])
        np.testing.assert_array_equal(state, drawn.output)


@pytest.mark.parametrize("seed", range(12))
def test_unfold_marks_as_never_read_only_the_cells_no_window_of_the_layer_reads(seed):
    """Cells of the (padded) input that no window of the whole layer reads, a stride past a
    window or a dilation's gap, are drawn as never read, as a Conv2d's and a MaxPool2d's are;
    a cell some window reads is not, even when only columns left out of a part read it."""
    from convgif.picture.model import Region

    rng = random.Random(seed)
    spec = (
        convgif.UnfoldSpec(
            (rng.randint(1, 2), rng.randint(3, 7), rng.randint(3, 7)),
            (rng.randint(1, 3), rng.randint(1, 3)),
            dilation=(rng.randint(1, 2), rng.randint(1, 2)),
            padding=(rng.randint(0, 1), rng.randint(0, 1)),
            stride=(rng.randint(1, 3), rng.randint(1, 3)),
        )
        if seed
        else convgif.UnfoldSpec((1, 5, 5), 2, dilation=2, padding=1, stride=2)
    )  # seed 0: a window of 2 dilated by 2, every other row and column never read
    op = ops.of(spec)
    places = spec.output_shape[1]
    start = rng.randrange(places) if seed % 3 else 0
    stop = rng.randint(start + 1, places) if seed % 3 else places
    region = Region((0, 1), (start, stop), dims=1) if (start, stop) != (0, places) else None
    (drawn,) = op.drawings(spec, op.record(spec, seed), region=region)
    (kh, kw), (sh, sw), (dh, dw), (ph, pw) = spec.kernel_size, spec.stride, spec.dilation, spec.padding
    _, h, w = spec.input_shape
    per_row = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1

    def reads(columns):
        cells = set()
        for column in columns:
            oy, ox = divmod(column, per_row)
            cells |= {(oy * sh + ky * dh, ox * sw + kx * dw) for ky in range(kh) for kx in range(kw)}
        return cells

    drawn_reads, read = reads(range(start, stop)), reads(range(places))
    top = min(r for r, _ in drawn_reads)
    left = min(c for _, c in drawn_reads)
    rows, cols = drawn.grid.shape[1:]
    expected = np.array([[(top + r, left + c) not in read for c in range(cols)] for r in range(rows)])
    if region is None:  # the whole padded map is drawn
        assert drawn.grid.shape[1:] == (h + 2 * ph, w + 2 * pw)
    unread = np.zeros(drawn.grid.shape[1:], dtype=bool) if drawn.unread is None else drawn.unread
    np.testing.assert_array_equal(unread, expected)
    if seed == 0:  # the padded rows and columns 1, 3, 5 are never read
        assert [r for r in range(7) if expected[r].all()] == [1, 3, 5]


def test_a_part_of_an_unfold_marks_nothing_never_read_that_other_columns_read():
    """The review's case: columns 8–13 of a 3×3 Unfold of 12×12 draw input rows 0–3, whose
    cells left of column 8 only columns 0–7 read; every cell is read, so none is marked."""
    from convgif.picture.model import Region

    spec = convgif.UnfoldSpec((1, 12, 12), 3)
    (drawn,) = ops.of(spec).drawings(spec, convgif.record(spec), region=Region((0, 1), (8, 14), 1))
    assert drawn.grid.shape[1:] == (4, 12) and drawn.unread is None
    # strided past the window: the whole layer leaves padded rows and columns 3, 7, 11 unread
    spec = convgif.UnfoldSpec((1, 12, 12), 3, stride=4)
    (drawn,) = ops.of(spec).drawings(spec, convgif.record(spec), region=Region((0, 1), (1, 3), 1))
    assert drawn.grid.shape[1:] == (3, 7)  # rows 0–2, columns 4–10
    assert [c + 4 for c in range(7) if drawn.unread[:, c].all()] == [7] and not drawn.unread[:, 0].any()


def test_a_step_names_its_window_by_where_it_starts_on_the_padded_map():
    """Unfold's and Fold's step lines say ``window from (top, left)``, the window's first cell on
    the padded map (a pool's ``window at`` names its output position instead)."""
    unfold = convgif.UnfoldSpec((1, 5, 5), 3, padding=1, stride=2)
    (drawn,) = ops.of(unfold).drawings(unfold, convgif.record(unfold))
    drawn.playback.advance(4)
    assert drawn.playback.show(4).text.startswith("column 4 · window from (2, 2) · step 5/9")
    fold = convgif.FoldSpec((4, 16), (4, 4), 2, dilation=2, padding=1)
    (drawn,) = ops.of(fold).drawings(fold, convgif.record(fold))
    for step in range(6):
        drawn.playback.advance(step)
    assert drawn.playback.show(5).text.startswith("column 5 · window from (1, 1) · step 6/16")


@pytest.mark.parametrize("seed", range(6))
def test_unfold_names_the_blocks_of_rows_it_leaves_out_not_channels(seed):
    """Unfold's output (C·k·k, L) has no channels: a picture too small for every channel counts
    the blocks of k·k rows of y it shows (one a channel of x), in English and in Chinese."""
    from convgif.language import say
    from convgif.picture.sizes import shown, shown_note

    rng = random.Random(seed)
    kh, kw = rng.randint(1, 3), rng.randint(1, 3)
    spec = convgif.UnfoldSpec((rng.choice([40, 64, 100]), 6, 7), (kh, kw), stride=rng.randint(1, 2))
    (geometry,) = ops.of(spec).geometries(spec)
    shown_in, _, shown_out = shown(geometry)
    note = shown_note(geometry)
    rows = f"{kh * kw} row{'s' if kh * kw > 1 else ''} each"
    assert note == (
        f"{len(shown_in)} of {spec.in_channels} input channels, "
        f"{len(shown_out)} of {spec.in_channels} row blocks of y ({rows})"
    )
    assert "output channels" not in note
    blocks = f"y 的 {len(shown_out)} 个行块 (共 {spec.in_channels} 个, 每块 {kh * kw} 行)"
    assert blocks in say(note, "zh-Hans"), say(note, "zh-Hans")
    assert f"y 的 {len(shown_out)} 個列塊" in say(note, "zh-Hant") and "row" not in say(note, "zh-Hant"), say(
        note, "zh-Hant"
    )
    fold = convgif.FoldSpec((spec.in_channels * kh * kw, (7 - kh) * (8 - kw)), (6, 7), (kh, kw))
    (folded,) = ops.of(fold).geometries(fold)
    assert f"of {fold.output_shape[0]} output channels" in shown_note(folded)  # Fold's output has channels
    assert f"of {spec.in_channels} row blocks of x ({rows})" in shown_note(folded)  # and its input none
    for layer, blocks, maps in ((spec, "dy", "dx"), (fold, "dx", "dy")):  # the gradients: dy the output's shape
        (picture,) = ops.of(layer).backward_geometries(layer)
        note = shown_note(picture)
        assert f"row blocks of {blocks} ({rows})" in note and f"{maps} channels" in note, note
        assert (
            f"{blocks} 的 " in say(note, "zh-Hans")
            and "个行块 (共 " in say(note, "zh-Hans")
            and "row" not in say(note, "zh-Hant")
        ), say(note, "zh-Hant")
