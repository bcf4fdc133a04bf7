"""Pooling as drawn: every frame's numbers come from the recording, the winner and the window
are where the recording says, padding reads −∞ for a max, and ceil_mode's overhang is drawn
as cells that are not the input."""

from __future__ import annotations

import re

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import convgif
from convgif import ops
from convgif.cli import main
from convgif.ops.pool import INPUT, OVERHANG, PADDING, AvgPool2dSpec, MaxPool1dSpec, MaxPool2dSpec
from convgif.ops.unpool import MaxUnpool1dSpec, MaxUnpool2dSpec
from convgif.picture.layout import plan
from convgif.picture.numbers import format_value, magnitude
from convgif.picture.overlay import Animation, _fit_lines

rng = np.random.default_rng(7)


def random_pool_specs(n: int):
    made = 0
    while made < n:
        kind = rng.choice(["max", "avg"])
        h, w = (int(v) for v in rng.integers(2, 8, 2))
        k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        s = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
        p = (int(rng.integers(0, k[0] // 2 + 1)), int(rng.integers(0, k[1] // 2 + 1)))
        ceil = bool(rng.integers(0, 2))
        try:
            if kind == "max":
                spec = MaxPool2dSpec((int(rng.integers(1, 3)), h, w), k, s, p, 1, bool(rng.integers(0, 2)), ceil)
            else:
                spec = AvgPool2dSpec((int(rng.integers(1, 3)), h, w), k, s, p, ceil, bool(rng.integers(0, 2)))
        except convgif.SpecError:
            continue
        made += 1
        yield spec


@pytest.mark.parametrize("spec", list(random_pool_specs(25)), ids=repr)
def test_every_step_says_what_the_recording_holds(spec):
    recording = convgif.record(spec, seed=3)
    (drawn,) = ops.of(spec).drawings(spec, recording)
    for step in range(spec.steps):
        drawn.playback.advance(step)
        shown = drawn.playback.show(step)
        placement = recording.placements[step]
        for c, entry in enumerate(shown.sums):
            value = entry.split(" = ")[-1 if spec.KIND == "avg" else 2].split(" ")[0]
            assert value == convgif.picture.numbers.format_value(placement.values[c])
            if spec.KIND == "max":
                assert entry.endswith(f"at index {int(recording.indices.flat[c * spec.steps + step])}")
                listed = re.search(r"max\((.*)\)", entry).group(1).split(", ")
                assert listed.count("−∞") == int((placement.kinds == PADDING).sum())
            else:  # the terms written add up to the sum, and the divisor is the recording's
                terms = re.search(r"= \((.*)\) / (\d+)", entry)
                total = sum(float(t) for t in terms.group(1).split(" + "))
                assert total == pytest.approx(float(placement.sums[c]))
                assert int(terms.group(2)) == int(placement.divisor)
        reads = shown.reads[0]  # rings on the cells read: input, and padding where it counts
        counted = (placement.kinds == INPUT) | (placement.kinds == PADDING) & getattr(spec, "count_include_pad", True)
        assert {tuple(cell[1:]) for cell in reads.cells} == {tuple(cell) for cell in placement.cells[counted]}
        if spec.KIND == "max" and placement.winners[0, 0] >= 0:
            assert tuple(reads.marks[0, 1:]) == tuple(placement.winners[0])


def test_max_padding_reads_minus_infinity_and_overhang_is_not_input(tmp_path):
    spec = MaxPool2dSpec((1, 5, 5), 3, 2, 1, ceil_mode=True)
    recording = convgif.record(spec)
    (drawn,) = ops.of(spec).drawings(spec, recording)
    assert drawn.filler_text == "−∞"
    assert (drawn.filler == (recording.kinds == PADDING)).all()
    layout = plan(drawn.geometry, False, drawn.value_chars)
    assert layout.values  # a pooling picture is its numbers
    animation = Animation(drawn, layout)
    colours = animation.scene.input_colours(0)
    overhang = recording.kinds == OVERHANG
    if overhang.any():
        assert (colours[overhang] == animation.scene.colours.outside).all()
        assert (colours[~overhang] != animation.scene.colours.outside).all()


def test_return_indices_adds_an_indices_panel_of_plain_numbers():
    spec = MaxPool2dSpec((2, 4, 4), 2, return_indices=True)
    recording = convgif.record(spec)
    (drawn,) = ops.of(spec).drawings(spec, recording)
    assert drawn.geometry.output_label(1) == "indices[0]" and drawn.geometry.output_label(2) == "y[1]"
    assert drawn.plain == (1, 3)
    writes = drawn.playback.advance(3)
    by_channel = {w.channel: int(w.values[0, 0]) for w in writes}
    assert by_channel[1] == recording.indices[0, 1, 1] and by_channel[3] == recording.indices[1, 1, 1]


def test_unpool_writes_each_value_at_its_index():
    spec = MaxUnpool2dSpec((1, 2, 2), 2)
    recording = convgif.record(spec)
    (drawn,) = ops.of(spec).drawings(spec, recording)
    assert (drawn.start == 0).all()
    for step in range(4):
        (write,) = drawn.playback.advance(step)
        y, x = divmod(step, 2)
        target = int(recording.indices[0, y, x])
        assert (int(write.rows[0]), int(write.cols[0])) == divmod(target, 4)
        assert write.values[0, 0] == recording.input[0, y, x]


def test_one_axis_positions_read_as_pytorch_indexes_them():
    spec = MaxPool1dSpec((2, 9), 3, 2, 1)
    (drawn,) = ops.of(spec).drawings(spec, convgif.record(spec))
    drawn.playback.advance(0)
    shown = drawn.playback.show(0)
    assert shown.sums[0].startswith("y[0, 0] = max(") and "(0,)" in shown.text
    assert _fit_lines(shown.sums, 200, 1)[0].count("y[") == 2


@pytest.mark.parametrize(
    "args",
    [
        ["--layer", "MaxPool2d", "--in", "1,4,4", "--k", "2"],
        ["--layer", "MaxPool2d", "--in", "1,4,4", "--k", "3"],
        ["--layer", "MaxPool2d", "--in", "1,4,4", "--k", "3", "--p", "1", "--s", "2"],
        ["--layer", "MaxPool2d", "--in", "1,4,4", "--k", "2", "--s", "2", "--return-indices"],
        ["--layer", "MaxUnpool2d", "--in", "1,2,2", "--k", "2", "--s", "2"],
        ["--layer", "AvgPool2d", "--in", "1,5,5", "--k", "3", "--s", "2", "--p", "1", "--no-count-include-pad"],
        ["--layer", "AvgPool2d", "--in", "1,4,4", "--k", "2", "--divisor-override", "3"],
        ["--layer", "AvgPool1d", "--in", "2,9", "--k", "3", "--s", "2", "--ceil-mode"],
    ],
)
def test_the_notes_examples_draw_from_the_shell(tmp_path, args):
    path = tmp_path / "p.gif"
    result = CliRunner().invoke(main, [*args, "-o", str(path), "-q"])
    assert result.exit_code == 0, result.output
    with Image.open(path) as image:
        assert image.n_frames >= 1


@pytest.mark.parametrize("option", [["--out", "2"], ["--g", "1"], ["--kernel", "sobel-x"], ["--bias"], ["--d", "2"]])
def test_options_pooling_does_not_have_are_refused_naming_the_layer(tmp_path, option):
    layer = "AvgPool2d"  # (MaxPool2d has dilation)
    result = CliRunner().invoke(
        main, ["--layer", layer, "--in", "1,4,4", "--k", "2", *option, "-o", str(tmp_path / "x.gif")]
    )
    assert result.exit_code == 2 and option[0] in result.output
    assert "AvgPool2d" in result.output
    assert not (tmp_path / "x.gif").exists()


def test_info_works_the_pooling_out():
    result = CliRunner().invoke(main, ["info", "--layer", "MaxPool2d", "--in", "1,5,5", "--k", "2", "--ceil-mode"])
    assert result.exit_code == 0
    assert "H_out = ceil((5 + 2·0 − 1·(2 − 1) − 1) / 2) + 1 = 3" in result.output
    assert "parameters 0" in result.output and "comparisons 16" in result.output  # the overhang is not read
    result = CliRunner().invoke(main, ["info", "--layer", "AvgPool2d", "--in", "1,5,5", "--k", "3", "--json"])
    assert '"num_parameters": 0' in result.output and '"additions"' in result.output


@pytest.mark.parametrize("seed", range(8))
def test_an_average_with_divisor_override_says_what_it_divides_by_not_mean(seed):
    """An average pool's note says what each output is: the mean of its cells, or with
    divisor_override its window's sum over that divisor, the divisor every sum line divides by."""
    from convgif.ops.pool import AvgPool3dSpec

    pick = np.random.default_rng(seed)
    override = [None, int(pick.integers(1, 9)), -int(pick.integers(1, 4))][seed % 3]
    size = lambda n: tuple(int(v) for v in pick.integers(2, 5, n))  # noqa: E731
    if seed % 2:
        spec = AvgPool3dSpec((1, *size(3)), 2, 1, 0, bool(pick.integers(0, 2)), True, override)
    else:
        spec = AvgPool2dSpec((2, *size(2)), 2, 1, 0, bool(pick.integers(0, 2)), True, override)
    recording = convgif.record(spec, seed=seed)
    geometries = ops.of(spec).geometries(spec)
    for geometry, drawn in zip(geometries, ops.of(spec).drawings(spec, recording, geometries=geometries)):
        first = geometry.notes[0].split(": ", 1)[1]
        assert first == (
            f"each output is its window's sum / {override}"
            if override
            else "each output is the mean of the cells it covers"
        )
        assert not override or not any("mean" in note for note in geometry.notes)
        for step in range(geometry.steps_per_column):
            drawn.playback.advance(step)
            for entry in drawn.playback.show(step).sums:
                divisor = re.search(r"\) / (-?\d+) = ", entry).group(1)
                assert override is None or int(divisor) == override, entry


@pytest.mark.parametrize("seed", range(10))
def test_a_part_says_padding_and_overhang_only_where_it_draws_them(seed):
    """The input heading and the notes of a pooling's picture speak of padding and of ceil_mode's
    overhang when the cells drawn hold some: a part away from the edges shows neither (the
    default part of AvgPool2d(3, 2, 1, ceil_mode=True) on 6×6 draws rows and columns 0–6 of 9)."""
    from convgif.picture.model import Region

    pick = np.random.default_rng(seed)
    k = int(pick.integers(2, 4))
    shape = (1, int(pick.integers(4, 9)), int(pick.integers(4, 9)))
    args = (shape, k, int(pick.integers(1, 3)), int(pick.integers(0, k // 2 + 1)))
    spec = AvgPool2dSpec(*args, ceil_mode=True) if seed % 2 else MaxPool2dSpec(*args, ceil_mode=True)
    if seed == 0:
        spec = AvgPool2dSpec((1, 6, 6), 3, 2, 1, ceil_mode=True)
    (_, ho, wo), (p, q), (_, h, w) = spec.output_shape, spec.padding, spec.input_shape
    regions = [None, Region((0, min(3, ho)), (0, min(3, wo)))] + [
        Region((a, int(pick.integers(a + 1, ho + 1))), (b, int(pick.integers(b + 1, wo + 1))))
        for a, b in pick.integers(0, (ho, wo), (4, 2))
    ]
    for region in regions:
        if region is not None and not region.cuts((ho, wo)):
            continue
        (geometry,) = ops.of(spec).geometries(spec, region=region)
        part = region or Region((0, ho), (0, wo))
        rows = range(part.rows[0] * spec.stride[0], (part.rows[1] - 1) * spec.stride[0] + k)  # the grid drawn
        cols = range(part.cols[0] * spec.stride[1], (part.cols[1] - 1) * spec.stride[1] + k)
        padding = any(r < p or p + h <= r < h + 2 * p for r in rows) or any(
            c < q or q + w <= c < w + 2 * q for c in cols
        )
        overhang = any(r >= h + 2 * p for r in rows) or any(c >= w + 2 * q for c in cols)
        heading = geometry.input_heading
        assert ("padded" in heading) == padding and ("overhang" in heading) == overhang, (region, heading)
        said = " ".join(note for note in geometry.notes if not note.startswith("drawn:"))
        assert ("padding" in said) == padding and ("overhang" in said) == overhang, (region, said)


def test_a_pooling_with_indices_counts_its_output_grids_as_grids():
    """A max pool with return_indices draws two grids a channel (y and its indices): the picture
    counts them as grids, not as the layer's output channels (3 channels are 6 grids)."""
    from convgif.animation import Look
    from convgif.animation.job import Job
    from convgif.picture.sizes import shown_note

    spec = MaxPool2dSpec((3, 8, 8), 2, return_indices=True)
    (drawn,) = Job(spec, Look(values=True, scale=3)).drawings
    note = shown_note(drawn.geometry)
    assert "of 6 output grids (y and indices)" in note and "output channels" not in note, note


def _divisor_by_loop(spec, out: tuple) -> int:
    """torch's divisor of an average counting its padding: the window's cells within the padded
    input, found cell by cell (ceil_mode's overhang past it is not counted)."""
    count = 1
    for o, k, s, p, n in zip(out, spec.kernel_size, spec.stride, spec.padding, spec.input_shape[1:]):
        count *= sum(1 for i in range(o * s - p, o * s - p + k) if i < n + p)
    return count


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_an_average_counting_its_padding_writes_a_zero_for_each_padding_cell(dims):
    """As many terms as the divisor counts: the input cells and a 0 for each padding cell."""
    from convgif.ops.pool import AvgPool1dSpec, AvgPool3dSpec

    kinds = {1: AvgPool1dSpec, 2: AvgPool2dSpec, 3: AvgPool3dSpec}
    checked, seen = 0, 0
    pick = np.random.default_rng(13 + dims)
    while checked < 25:
        size = tuple(int(v) for v in pick.integers(2, 6, dims))
        k = tuple(int(v) for v in pick.integers(2, 4, dims))
        s = tuple(int(v) for v in pick.integers(1, 3, dims))
        p = tuple(int(pick.integers(0, kk // 2 + 1)) for kk in k)
        counted = bool(pick.integers(0, 4))
        try:
            spec = kinds[dims]((2, *size), k, s, p, bool(pick.integers(0, 2)), counted)
        except convgif.SpecError:
            continue
        checked += 1
        recording = convgif.record(spec)
        for drawn in ops.of(spec).drawings(spec, recording):
            play = drawn.playback
            for step in range(drawn.geometry.steps):
                play.advance(step)
                for entry in play.show(step).sums:
                    out = tuple(int(v) for v in re.match(r"y\[\d+, ([\d, ]+)\]", entry).group(1).split(", "))
                    terms, divisor = re.search(r"= \((.*)\) / (\d+) =", entry).groups()
                    written = len(terms.split(" + "))
                    assert written == int(divisor), entry  # the terms the divisor counts, no more, no fewer
                    if counted:
                        assert written == _divisor_by_loop(spec, out), entry
                        seen += max(p) > 0
    assert seen  # windows over padding counted were checked


def _window(o: int, k: int, s: int, p: int, n: int, counted: bool) -> tuple[int, int, int]:
    """Output ``o``'s window on one axis, found cell by cell: its first and last input cell, and
    the cells its divisor counts (the padding too when ``counted``; ceil_mode's overhang never)."""
    cells = range(o * s - p, o * s - p + k)
    inside = [i for i in cells if 0 <= i < n]
    return inside[0], inside[-1], sum(1 for i in cells if (i < n + p if counted else 0 <= i < n))


@pytest.mark.parametrize(
    "spec",
    [
        AvgPool2dSpec((1, 5, 5), 3, 2, 1, count_include_pad=False),  # the gallery's
        AvgPool2dSpec((1, 5, 5), 3, 2, 1),
        AvgPool2dSpec((1, 6, 6), 2),
        AvgPool2dSpec((2, 6, 6), 3, 2, 1, ceil_mode=True),
        convgif.AdaptiveAvgPool2dSpec((1, 5, 5), 3),
        convgif.AdaptiveAvgPool2dSpec((1, 6, 6), 3),
    ],
    ids=repr,
)
def test_an_averages_backward_draws_dy_and_dx_alone_within_the_column(spec):
    """An average's gradient takes none of the input's values: its backward picture draws dy and
    dx (not x, whose padded grid beside them made the picture 831 pixels wide), so the commonest
    fit a page's column at cells that hold their numbers; a step rings its dy cell and adds
    dy / divisor to each input cell of its window."""
    from convgif.animation import Look
    from convgif.animation.job import Job

    job = Job(spec, Look(values=True), {"backward": True}, grad_output=True)
    (drawn,), (layout,) = job.drawings, job.layouts
    if spec.input_shape[0] == 1:
        assert job.size[0] <= 480 and job.choice.fits, job.size
        assert layout.cell >= 6 * drawn.value_chars + 6  # every number held whole
    geometry = drawn.geometry
    assert geometry.kernel is None and geometry.input_name == "dy" and geometry.output_name == "dx"
    dy = np.asarray(job.recording.grad_output)
    np.testing.assert_array_equal(drawn.grid, dy)
    notes = " ".join(geometry.notes)
    assert "x is not drawn (dx takes none of its values)" in notes
    assert ("padding 1" in notes) == (max(getattr(spec, "padding", (0,))) == 1), notes
    c, ho, wo = dy.shape
    n = spec.input_shape[1:]
    adaptive = not hasattr(spec, "padding")
    for step in range(ho * wo):
        writes = drawn.playback.advance(step)
        shown = drawn.playback.show(step)
        at = divmod(step, wo)
        for ch in range(c):
            assert shown.reads[ch].cells.tolist() == [[ch, *at]]
        found = []
        for o, axis in zip(at, range(2)):
            if adaptive:
                first, stop = o * n[axis] // ho, -(-(o + 1) * n[axis] // ho)
                found.append((first, stop - 1, stop - first))
            else:
                k, s, p = spec.kernel_size[axis], spec.stride[axis], spec.padding[axis]
                found.append(_window(o, k, s, p, n[axis], spec.count_include_pad))
        (r0, r1, rows), (c0, c1, cols) = found
        for write in writes:
            assert write.box == (r0, c0, r1 + 1, c1 + 1), (step, write.box)
        for ch, entry in enumerate(shown.sums):
            divisor = re.search(rf"dy\[{ch}, {at[0]}, {at[1]}\] / (\d+) = ", entry).group(1)
            assert int(divisor) == rows * cols, entry
    np.testing.assert_allclose(drawn.output, job.recording.grad_input)


def test_the_gallerys_average_backward_is_drawn_at_the_default_width(tmp_path):
    args = "--layer AvgPool2d --in 1,5,5 --k 3 --s 2 --p 1 --no-count-include-pad --backward --values".split()
    result = CliRunner().invoke(main, [*args, "--width", "480", "--frame", "1", "-o", str(tmp_path / "a.png")])
    assert result.exit_code == 0 and "note:" not in result.output, result.output
    with Image.open(tmp_path / "a.png") as image:
        assert image.size[0] <= 480


def test_a_max_pools_backward_with_ceil_mode_keys_and_notes_its_overhang(tmp_path):
    """The hatched grey cells past the edge are named in the input's key and the notes, forward
    and backward alike."""
    from convgif.animation import Look
    from convgif.animation.job import Job
    from convgif.picture.model import OUTSIDE

    spec = MaxPool2dSpec((1, 6, 6), 3, 2, ceil_mode=True)
    for view in ({}, {"backward": True}):
        job = Job(spec, Look(values=True), view)
        (drawn,), (scales,) = job.drawings, job.scales
        assert drawn.outside is not None and drawn.outside.any()
        (key,) = [key for key in scales.keys if key.role == "input"]
        assert (OUTSIDE, "") in key.items and (None, "overhang") in key.items, key
        assert any(
            note.startswith("hatched grey cells past the edge: ceil_mode's overhang") for note in drawn.geometry.notes
        )
    plain = Job(MaxPool2dSpec((1, 6, 6), 3, 2), Look(values=True), {"backward": True})
    assert all(item[1] != "overhang" for key in plain.scales[0].keys for item in key.items)
    result = CliRunner().invoke(
        main,
        [
            *"--layer MaxPool2d --in 1,6,6 --k 3 --s 2 --ceil-mode --backward".split(),
            "--frame",
            "9",
            "-o",
            str(tmp_path / "b.png"),
        ],
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "spec",
    [
        MaxUnpool2dSpec((2, 3, 3), 3, 2, 1, output_size=(6, 6)),
        MaxUnpool2dSpec((1, 3, 3), 2),
        MaxUnpool1dSpec((2, 5), 3, 1),
    ],
    ids=lambda s: s.caption,
)
def test_unpool_says_when_a_step_overwrites_a_cell_and_where_its_indices_come_from(spec):
    """A repeated index (overlapping windows share their largest cell) writes over the value an
    earlier step left there: its sum line says so, with that value; no other step's does."""
    recording = convgif.record(spec, seed=1)
    (drawn,) = ops.of(spec).drawings(spec, recording)
    x = recording.input.reshape(spec.in_channels, -1)
    indices = recording.indices.reshape(spec.in_channels, -1)
    held: dict[tuple[int, int], float] = {}
    overwrites = 0
    for step in range(drawn.geometry.steps):
        sums = drawn.playback.show(step).sums
        for c in range(spec.in_channels):
            key = (c, int(indices[c, step]))
            if key in held:
                overwrites += 1
                assert sums[c].endswith(
                    f", overwrites the {format_value(held[key], magnitude(recording.input))} there)"
                )
            else:
                assert "overwrites" not in sums[c], sums[c]
            held[key] = x[c, step]
    assert (overwrites > 0) == (min(spec.stride) < max(spec.kernel_size)), overwrites
    pool = "MaxPool1d" if spec.DIMS == 1 else "MaxPool2d"
    assert any(
        n.startswith(f"indices (unless given): where {pool} with the same K, S, P") for n in drawn.geometry.notes
    )
