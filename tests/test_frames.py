import random

import numpy as np
import pytest

from convgif import Conv2dSpec, ops, record
from convgif.engine.direct import source_index
from convgif.picture import glyphs
from convgif.picture.layout import plan
from convgif.picture.numbers import format_value, widest
from convgif.picture.overlay import Animation, _fit_lines
from convgif.picture.paint import Painter
from convgif.picture.sizes import CAPTION, CELL

SPECS = [
    Conv2dSpec((3, 7, 7), 2, 3, stride=2, padding=1, dilation=2),
    Conv2dSpec((2, 7, 7), 4, 3, stride=2, padding=2, groups=2),
    Conv2dSpec((1, 5, 6), 2, (2, 3), padding=(2, 1), padding_mode="reflect"),
    Conv2dSpec((2, 4, 4), 2, 2, padding=(1, 0), padding_mode="circular", bias=False),
]


def drawn_of(spec, rec):
    return ops.of(spec).drawings(spec, rec)[0]


def renderer(spec, values=False, seed=0):
    drawn = drawn_of(spec, record(spec, seed))
    return Animation(drawn, plan(drawn.geometry, values))


def all_frames(r):
    return [frame.copy() for frame in r.frames(range(r.drawn.geometry.steps))]


def step_index(spec, step):
    """(out channel within its group, oy, ox) of a step."""
    _, ho, wo = spec.output_shape
    j, oy, ox = np.unravel_index(step, (spec.out_per_group, ho, wo))
    return int(j), int(oy), int(ox)


def shown_steps(spec, seed=0):
    """Every step as the playback of a fresh drawing shows it, in order."""
    playback = drawn_of(spec, record(spec, seed)).playback
    shown = []
    for step in range(spec.steps):
        playback.advance(step)
        shown.append(playback.show(step))
    return shown


def sum_text(step):
    """The whole sum line of a step, every entry."""
    return "   ".join(step.sums)


def cell_colours(r, frame, origin, rows, cols):
    """The colour filling most of each cell's interior."""
    out = np.empty((rows, cols), np.intp)
    for y in range(rows):
        for x in range(cols):
            y0, y1, x0, x1 = r.layout.cell_box(origin, y, x)
            out[y, x] = np.bincount(frame[y0:y1, x0:x1].ravel()).argmax()
    return out


def ink_matches(r, frame, text, style, x, y):
    mask = glyphs.text_mask(style, text)
    region = frame[y : y + mask.shape[0], x - glyphs.BLEED : x - glyphs.BLEED + mask.shape[1]]
    top = glyphs.LEVELS - 1
    col = r.scene.colours
    return bool(np.all(region[mask == top] == col.ink) and np.all(region[mask == 0] == col.background))


def ringed(r, frame, origin, rows, cols, colours):
    """Cells marked by a ring in one of ``colours``: the middle of each side of the cell's
    interior in that colour (the cell's own shade stays inside)."""
    out = np.zeros((rows, cols), bool)
    for y in range(rows):
        for x in range(cols):
            y0, y1, x0, x1 = r.layout.cell_box(origin, y, x)
            ym, xm = (y0 + y1) // 2, (x0 + x1) // 2
            sides = [frame[y0, xm], frame[y1 - 1, xm], frame[ym, x0], frame[ym, x1 - 1]]
            out[y, x] = all(side in colours for side in sides)
    return out


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.caption)
def test_highlighted_window_is_exactly_the_placement_taps(spec):
    rec = record(spec, 0)
    r = renderer(spec)
    _, hp, wp = spec.padded_shape
    cg_in, cg_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    tints = set(r.scene.colours.hues)
    for step, frame in enumerate(all_frames(r)):
        j, oy, ox = step_index(spec, step)
        for c, origin in r.layout.inputs.items():
            co = c // cg_in * cg_out + j
            placement = rec.placements[int(np.ravel_multi_index((co, oy, ox), rec.output.shape))]
            expected = {(y, x) for cc, y, x in placement.taps.tolist() if cc == c}
            tinted = {(y, x) for y, x in zip(*np.nonzero(ringed(r, frame, origin, hp, wp, tints)))}
            assert tinted == expected, (step, c)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.caption)
def test_outputs_fill_in_step_by_step(spec):
    r = renderer(spec)
    _, ho, wo = spec.output_shape
    cg_out = spec.out_channels // spec.groups
    for step, frame in enumerate(all_frames(r)):
        for co, origin in r.layout.outputs.items():
            filled = cell_colours(r, frame, origin, ho, wo) != r.scene.colours.background
            j = co % cg_out
            order = np.arange(ho * wo).reshape(ho, wo) + j * ho * wo
            np.testing.assert_array_equal(filled, order <= step)


@pytest.mark.parametrize("values", [False, True])
def test_caption_and_step_line_in_every_frame(values):
    spec = SPECS[0]
    r = renderer(spec, values)
    lines = r.layout.texts[: r.layout.caption_lines]
    assert r.layout.caption == " ".join(line[0] for line in lines) == spec.caption  # read joined
    shown = shown_steps(spec)
    for step, frame in enumerate(all_frames(r)):
        assert all(ink_matches(r, frame, text, CAPTION, x, y) for text, _, x, y in lines)
        assert ink_matches(r, frame, shown[step].text, CAPTION, *r.layout.step_at)
        if values:
            assert ink_matches(r, frame, sum_text(shown[step]), CAPTION, *r.layout.sum_at)


def test_step_and_sum_text():
    spec = SPECS[0]
    shown = shown_steps(spec)
    rec = record(spec, 0)
    assert shown[5].text == "out channel 0 · (1, 2) · step 6/18"
    assert shown[17].text == "out channel 1 · (2, 2) · step 18/18"
    value, bias = rec.output[0, 1, 2], rec.bias[0]
    assert sum_text(shown[5]) == f"y[0, 1, 2] = Σ x·w + b = {value - bias} + {bias} = {value}"
    grouped = record(SPECS[1], 0)
    out, b = grouped.output, grouped.bias
    assert sum_text(shown_steps(SPECS[1])[0]) == (
        f"y[0, 0, 0] = Σ x·w + b = {out[0, 0, 0] - b[0]} + {b[0]} = {out[0, 0, 0]}"
        f"   y[2, 0, 0] = Σ x·w + b = {out[2, 0, 0] - b[2]} + {b[2]} = {out[2, 0, 0]}"
    )
    nobias = record(SPECS[3], 0)
    assert sum_text(shown_steps(SPECS[3])[0]) == f"y[0, 0, 0] = Σ x·w = {nobias.output[0, 0, 0]}"


def test_padding_cells_show_zeros_or_copies():
    zeros = renderer(Conv2dSpec((1, 4, 4), 1, 3, padding=1))
    colours = cell_colours(zeros, zeros.scene.image, zeros.layout.inputs[0], 6, 6)
    border = np.ones((6, 6), bool)
    border[1:-1, 1:-1] = False
    assert set(colours[border].tolist()) == {zeros.scene.colours.padding}
    assert zeros.scene.colours.padding not in colours[~border]

    spec = Conv2dSpec((1, 5, 6), 1, 3, padding=2, padding_mode="reflect")
    r = renderer(spec)
    rec = record(spec, 0)
    _, hp, wp = spec.padded_shape
    rows, cols = source_index(spec, 0), source_index(spec, 1)
    image, padding, shades = r.scene.image, r.scene.colours.padding, r.scene.colours.inputs[0]
    for y in range(hp):
        for x in range(wp):
            # a copy: the shade of the cell it copies, framed in the padding's colour
            inside = 2 <= y < 7 and 2 <= x < 8
            shade = shades[r.scene.in_bins[0, y, x]]
            y0, y1, x0, x1 = r.layout.cell_box(r.layout.inputs[0], y, x)
            assert image[(y0 + y1) // 2, (x0 + x1) // 2] == shade
            assert image[y0, (x0 + x1) // 2] == (shade if inside else padding)
            assert rec.padded[0, y, x] == rec.input[0, rows[y], cols[x]]


def test_many_channels_show_a_few_and_say_so():
    spec = Conv2dSpec((16, 5, 5), 32, 3)
    r = renderer(spec)
    texts = [t[0] for t in r.layout.texts]
    assert r.layout.shown_in == tuple(range(6))
    assert "showing 6 of 16 input channels, 6 of 32 output channels" in texts
    assert "… 10 more" in texts and "… 26 more" in texts
    frame = next(r.frames([0]))
    assert frame.shape == (r.layout.height, r.layout.width)


def test_frames_are_deterministic_and_fit_a_gif_palette():
    for spec in SPECS:
        a, b = renderer(spec, True, seed=3), renderer(spec, True, seed=3)
        assert len(a.palette.colors) <= 255
        for fa, fb in zip(all_frames(a), all_frames(b)):
            assert fa.dtype == np.uint8
            np.testing.assert_array_equal(fa, fb)


def test_skipped_steps_still_fill_their_outputs():
    spec = Conv2dSpec((1, 6, 6), 1, 3)
    r = renderer(spec)
    last = [f.copy() for f in r.frames([0, 7, 15])][-1]
    full = renderer(spec)
    np.testing.assert_array_equal(last, all_frames(full)[15])


def test_cells_widen_for_wide_values():
    spec = Conv2dSpec((1, 4, 4), 1, 2)
    rec = record(spec, input=np.full((1, 4, 4), -1000), weight=np.ones((1, 1, 2, 2)))
    chars = widest(rec.padded, rec.weight, rec.output)
    assert chars == 5  # e.g. -3998
    drawn = drawn_of(spec, rec)
    assert drawn.value_chars == chars
    layout = plan(drawn.geometry, True, chars)
    assert layout.cell - 1 >= chars * CELL.advance + 2
    r = Animation(drawn, layout)
    frame = next(r.frames([0]))
    assert frame.shape == (layout.height, layout.width)


def test_fractions_are_written_to_three_digits():
    assert [format_value(v) for v in (3, np.int64(-12), 2.0, 0.123456, -1 / 3)] == ["3", "-12", "2", "0.123", "-0.333"]


def test_lines_run_behind_cells_and_text(monkeypatch):
    spec = Conv2dSpec((2, 5, 5), 4, 3, padding=1, groups=2)
    with_lines = all_frames(renderer(spec, values=True))
    monkeypatch.setattr(Painter, "path", lambda *args: [])
    without = all_frames(renderer(spec, values=True))
    background = renderer(spec).scene.colours.background
    for a, b in zip(with_lines, without):
        changed = a != b
        assert changed.any() and np.all(b[changed] == background)


def test_only_steps_of_shown_output_channels_are_drawn():
    spec = Conv2dSpec((1, 5, 5), 16, 3)
    layout = plan(ops.of(spec).geometries(spec)[0])
    assert len(layout.shown_columns) == 6 and layout.steps == 6 * 9 < spec.steps


def test_sum_line_keeps_whole_entries():
    step = shown_steps(Conv2dSpec((8, 3, 3), 8, 1, groups=8))[0]
    full = sum_text(step)
    (cut,) = _fit_lines(step.sums, 80, 1)
    kept, more = cut.rsplit("   ", 1)
    assert len(cut) <= 80 and full.startswith(kept) and full[len(kept) :].startswith("   y[")
    assert more == f"… {len(step.sums) - kept.count('   ') - 1} more"
    (cut,) = _fit_lines(step.sums, 37, 1)  # room for the first entry, not the count: its middle goes
    body, more = cut.rsplit("   ", 1)
    head, tail = body.split(" … ")
    assert len(cut) <= 37 and more == f"… {len(step.sums) - 1} more"
    assert step.sums[0].startswith(head) and step.sums[0].endswith(tail) and len(head + tail) < len(step.sums[0])


@pytest.mark.parametrize("lines", [1, 2, 3])
def test_a_sum_too_long_for_its_lines_keeps_its_start_and_its_value(lines):
    """A sum of more terms than its lines hold (a large pooling window) is drawn with its
    middle left out: its start, "…", then its last terms, its divisor and what it comes to."""
    terms = " + ".join(str(k % 10) for k in range(60))
    entry = f"y[0, 0, 0, 0] = ({terms}) / 60 = 4.5"
    drawn = _fit_lines([entry], 44, lines)
    assert len(drawn) == lines and all(len(line) <= 44 for line in drawn)
    assert drawn[0].startswith("y[0, 0, 0, 0] = (0 +")
    assert drawn[-1].endswith("+ 8 + 9) / 60 = 4.5")
    head, tail = " ".join(drawn).split(" … ")
    assert entry.startswith(f"{head} ") and entry.endswith(f" {tail}") and len(head) + len(tail) < len(entry)
    counted = _fit_lines([entry, "y[1, 0, 0, 0] = 3"], 44, lines)  # the entry left out is counted
    assert len(counted) == lines and all(len(line) <= 44 for line in counted)
    assert counted[-1].endswith("… 1 more") and "= 4.5" in " ".join(counted)


def test_a_long_sum_breaks_at_its_equals_signs_only_where_that_takes_no_more_lines():
    """y = (terms) = value reads best broken at its equals signs, but not when that takes a line
    more than breaking at its spaces: the lines are the sum line's, and the next sums need them."""
    from convgif.picture.sizes import wrap

    entry = "y[0, 2, 2] = (6¹⁶ + 9¹⁶ + 8¹⁶ + 4¹⁶)^(1/16) = 2.14e+15^(1/16) = 9.08"
    for width in range(24, len(entry)):
        at_equals, at_spaces = wrap(entry, width, " = "), wrap(entry, width)
        if max(map(len, at_equals)) <= width and len(at_equals) <= len(at_spaces):
            assert _fit_lines([entry], width, 4) == at_equals, width
        else:
            assert _fit_lines([entry], width, 4) == at_spaces, width
    assert _fit_lines([entry], 46, 3) == ["y[0, 2, 2] = (6¹⁶ + 9¹⁶ + 8¹⁶ + 4¹⁶)^(1/16)", "= 2.14e+15^(1/16) = 9.08"]
    long = "dx[0, 0] = dxp[0, 0] + dxp[0, 2] + dxp[0, 4] + dxp[0, 6] = 1 + 2 + 3 + 4 = 10"
    drawn = _fit_lines([long, long.replace("dx[0", "dx[1")], 42, 4)
    assert len(drawn) == 4 and drawn[2].startswith("dx[1, 0] =")  # two lines each: both sums shown


@pytest.mark.parametrize("width", [30, 45, 70, 120])
@pytest.mark.parametrize("lines", [1, 2, 3])
def test_entries_left_out_of_a_sum_line_are_counted(width, lines):
    """Every entry is drawn whole, or the line ends by counting those left out: a step that
    writes more cells than its lines hold never drops one unsaid."""
    entries = [f"y[{c}, 1, 2] = max(3, {c}, 9, 4) = 9" for c in range(7)]
    drawn = _fit_lines(entries, width, lines)
    assert 1 <= len(drawn) <= lines and all(len(line) <= width for line in drawn)
    text = "   ".join(drawn)
    whole = [entry for entry in entries if entry in text]
    assert whole == entries[: len(whole)]
    if len(whole) < len(entries):
        assert text.endswith(f"… {len(entries) - max(len(whole), 1)} more")
    else:
        assert "more" not in text


def test_a_sum_line_too_long_keeps_its_first_value_and_the_count_of_those_left_out():
    """However the lines and their width cut a step's sums, the line ends by counting the entries
    left out, and the first entry keeps what it comes to (its middle goes first)."""
    rng = random.Random(4)
    for _ in range(400):
        n, value = rng.randint(2, 9), rng.randint(0, 99)
        terms = ", ".join(str(rng.randint(0, 9)) for _ in range(rng.randint(1, 40)))
        first = f"y[0, 1, 0, 0] = max({terms}) = {value} at index {rng.randint(0, 99)}"
        entries = [first, *(f"y[{c}, 1, 0, 0] = max({terms}) = {value}" for c in range(1, n))]
        width, lines = rng.randint(40, 90), rng.randint(1, 3)  # a sum line is at least 40 characters
        drawn = _fit_lines(entries, width, lines)
        text = "   ".join(drawn)
        assert all(len(line) <= width for line in drawn) and len(drawn) <= lines, (width, lines, drawn)
        shown = max(1, sum(f"y[{c}, 1, 0, 0]" in text for c in range(n)))  # the first, at least in part
        if shown < n:
            assert text.endswith(f"… {n - shown} more"), (width, lines, drawn)
            assert f" {value} at index" in " ".join(drawn), (width, lines, drawn)


def test_a_still_is_its_own_picture_and_a_poster_the_animations_frame(tmp_path):
    """A still of a layer drawn as several pictures of different sizes (a separable
    convolution's two stages) is as large as the picture its step is in, with nothing left
    over around it; the poster of the animation (its last frame, shown to readers who prefer
    reduced motion) is the animation's last frame, on its canvas."""
    from PIL import Image

    import convgif
    from convgif.animation.request import animation_job, poster

    spec = convgif.SeparableSpec((16, 5, 5), 32, 3, bias=False)
    job = animation_job(spec, None)[0]
    (w1, h1), (w2, h2) = ((layout.width, layout.height) for layout in job.layouts)
    assert (w1, h1) != (w2, h2) and job.size == (max(w1, w2), max(h1, h2))
    first, last = job.still(1), job.still(sum(job.shown))
    assert first.shape == (h1, w1) and last.shape == (h2, w2)
    gif = tmp_path / "a.gif"
    convgif.render(spec, gif, max_frames=0)
    result = poster(job, tmp_path / "poster.png")
    with Image.open(gif) as animation, Image.open(tmp_path / "poster.png") as still:
        assert result.size == still.size == animation.size == job.size
        animation.seek(animation.n_frames - 1)
        np.testing.assert_array_equal(np.asarray(still.convert("RGB")), np.asarray(animation.convert("RGB")))
    result = convgif.render_still(spec, tmp_path / "step.png", step=1)
    with Image.open(tmp_path / "step.png") as still:
        assert result.size == still.size == (w1, h1)


def test_a_chain_draws_each_pictures_scene_only_when_its_turn_comes(monkeypatch):
    """A layer drawn as many pictures (a Conv3d's depth slices) draws the first picture's static
    scene for its first frame, and each later one only when its frames start; the palette,
    written first, is whole before any is drawn, and the frames are those of scenes drawn at
    once."""
    from convgif import Conv3dSpec
    from convgif.animation import Look
    from convgif.animation.job import Job
    from convgif.picture.scene import Scene

    spec = Conv3dSpec((1, 5, 4, 4), 1, 2)
    eager = Job(spec, Look(), max_frames=0)
    for part in eager.parts:
        part.scene.image  # noqa: B018 (every scene drawn before the first frame)
    expected = [frame.copy() for frame in eager.frames()]
    job = Job(spec, Look(), max_frames=0)
    colours = list(job.palette.colors)
    drawn = []
    draw = Scene._draw
    monkeypatch.setattr(Scene, "_draw", lambda scene: drawn.append(scene) or draw(scene))
    frames = job.frames()
    got = [next(frames).copy()]
    assert drawn == [job.parts[0].scene]
    for i, steps in enumerate(job.steps):
        for _ in steps[1 if i == 0 else 0 :]:
            got.append(next(frames).copy())
            assert drawn == [part.scene for part in job.parts[: i + 1]]
    assert len(drawn) == len(job.parts) == spec.output_shape[1] > 1
    assert job.palette.colors == colours == list(eager.palette.colors)
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)
    drawn.clear()  # a still draws only its own picture's scene
    still = Job(spec, Look(), max_frames=0)
    step = sum(still.shown[:2]) + 1  # the first step of the third picture
    np.testing.assert_array_equal(still.still(step), expected[step - 1])
    assert drawn == [still.parts[2].scene]


def test_a_scene_that_adds_colours_while_drawing_must_say_so():
    """The palette of a scene drawn late must be whole when the scene is made: a scene whose
    drawing adds a colour without saying so is refused, not written with a wrong palette."""
    from convgif.picture.scene import Scene

    class Adding(Scene):
        def _draw(self):
            self.palette.add((1, 2, 3))
            return super()._draw()

    spec = SPECS[0]
    drawn = drawn_of(spec, record(spec, 0))
    layout = plan(drawn.geometry)
    with pytest.raises(RuntimeError, match="draws_colours"):
        Adding(drawn, layout).image  # noqa: B018
    Adding.draws_colours = True
    assert (1, 2, 3) in Adding(drawn, layout).palette.colors
