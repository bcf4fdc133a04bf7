"""Contact sheets: every animation convgif draws has one, however many frames it plays.

A sheet shows the part of the layer the animation draws (its channels and steps), within a
printable page; a sheet too short for every frame shows a sample of its frames, every picture's
first and last among them, each tile named by its frame and the sample said under the caption.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import convgif
from convgif.animation import DEFAULT_MAX_FRAMES
from convgif.animation.sheet import SHEET_HEIGHT, SHEET_WIDTH, sample
from convgif.api import frames_of, render_still
from convgif.errors import SpecError

ROOT = Path(__file__).resolve().parents[1]


# -- which frames a sample shows ------------------------------------------------------------------


def _check_sample(shown: list[int], room: int) -> None:
    steps = sample(shown, room)
    assert len(steps) == len(shown)
    parts = sum(1 for n in shown if n)
    assert sum(map(len, steps)) == min(sum(shown), max(room, parts))
    for n, part in zip(shown, steps):
        assert part == sorted(set(part)) and all(0 <= k < n for k in part)
        if n:
            assert part[-1] == n - 1, "a picture's last step, its whole output written, is always shown"
        if n >= 2 and room >= sum(min(m, 2) for m in shown):
            assert part[0] == 0, "first and last of every picture, when the room holds them"
        gaps = np.diff(part)
        if len(gaps):
            assert gaps.max() - gaps.min() <= 1, f"steps {part} of {n} are not evenly spread"
    if room >= sum(min(m, 2) for m in shown):  # the spare tiles go where the steps are
        for a, more in zip(shown, steps):
            for b, fewer in zip(shown, steps):
                if a > b:
                    assert len(more) >= len(fewer) or len(more) == a, f"{shown} in {room} tiles: {steps}"


@pytest.mark.parametrize("seed", range(300))
def test_a_sample_keeps_every_picture_with_its_first_and_last_step_evenly_spread(seed):
    rng = random.Random(seed)
    shown = [rng.choice((0, 1, 1, 2, 3, 9, 25, 50, 400)) for _ in range(rng.randint(1, 12))]
    room = rng.randint(1, 60)
    _check_sample(shown, room)


def test_a_sample_with_room_for_everything_is_everything():
    assert sample([3, 1, 4], 8) == [[0, 1, 2], [0], [0, 1, 2, 3]]


def test_more_pictures_than_tiles_still_shows_each_picture_once_finished():
    assert sample([5, 7, 2, 9], 2) == [[4], [6], [1], [8]]


# -- what the reviewer ran ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        "--in 4,5,5 --out 2 --k 3 --g 2 --d 2 --p 2 --backward --values --sheet",
        "--in 4,5,5 --out 2 --k 3 --g 2 --d 2 --p 2 --backward --values --sheet --max-frames 0",
        "--in 4,5,5 --out 2 --k 3 --g 2 --d 2 --p 2 --backward --values --sheet --max-frames 100",
        "--in 2,5,5 --out 2 --k 3 --p 1 --s 2 --padding-mode reflect --backward --values --sheet",
    ],
)
def test_a_backward_sheet_too_long_for_every_frame_is_drawn(tmp_path, args):
    out = tmp_path / "s.png"
    run = subprocess.run(
        [sys.executable, "-m", "convgif", *args.split(), "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stderr
    with Image.open(out) as image:
        assert image.size[1] <= SHEET_HEIGHT


def test_a_sampled_sheet_names_its_frames_and_says_it_is_a_sample(tmp_path):
    spec = convgif.Conv2dSpec((4, 5, 5), 2, 3, padding=2, dilation=2, groups=2)
    done = render_still(spec, tmp_path / "s.png", backward=True)
    every = frames_of(spec, backward=True)
    assert 3 <= done.frames < every  # dx, dw, db each shown
    from convgif.animation import Look
    from convgif.animation.job import Job
    from convgif.animation.sheet import _sampled, header

    job = Job(spec, Look(headless=True), {"backward": True})
    steps, numbers, lay = _sampled(job, None)
    assert len(numbers) == done.frames and numbers[0] == 1 and numbers[-1] == every
    said = header(job, 1200, "x").shape[0] > header(job, 1200).shape[0]
    assert said and lay.strip > 0


# -- random layers: a sheet whenever there is an animation ----------------------------------------


def _layer(rng: random.Random):
    """A random layer of one of many kinds, forward or backward (some invalid: then skipped)."""
    c = rng.randint(1, 4)
    side = rng.randint(3, 9)
    k = rng.randint(1, 3)
    choice = rng.randrange(9)
    if choice == 0:
        g = rng.choice([d for d in (1, 2, 4) if c % d == 0])
        return convgif.Conv2dSpec((c, side, side), g * rng.randint(1, 2), k, padding=rng.randint(0, 2), groups=g)
    if choice == 1:
        return convgif.Conv1dSpec((c, side * 3), rng.randint(1, 3), k, stride=rng.randint(1, 2))
    if choice == 2:
        return convgif.Conv3dSpec((c, rng.randint(2, 5), side, side), rng.randint(1, 2), k, padding=rng.randint(0, 1))
    if choice == 3:
        return convgif.ConvTranspose2dSpec((c, side, side), rng.randint(1, 3), k, stride=rng.randint(1, 2))
    if choice == 4:
        return convgif.MaxPool2dSpec((c, side * 2, side * 2), k + 1, stride=rng.randint(1, 2))
    if choice == 5:
        return convgif.AvgPool3dSpec((c, rng.randint(2, 6), side, side), k + 1, stride=1)
    if choice == 6:
        return convgif.SeparableSpec((c, side, side), rng.randint(1, 3), k)
    if choice == 7:
        return convgif.ReflectionPad2dSpec((c, side, side), rng.randint(1, 2))
    return convgif.UpsampleSpec((c, side, side), scale_factor=2)


def _layers(n: int, seed: int) -> list:
    rng, found = random.Random(seed), []
    while len(found) < n:
        try:
            spec = _layer(rng)
        except SpecError:
            continue
        found.append((spec, rng.random() < 0.5, rng.random() < 0.3))
    return found


#: Layers whose backward pass has more steps than the default --max-frames: refused, as the
#: animation is, until --max-frames 0.
LONG = [
    (convgif.Conv2dSpec((1, 20, 20), 1, 3), True, False),
    (convgif.Conv2dSpec((2, 12, 12), 1, 3, padding=1, padding_mode="reflect"), True, True),
    (convgif.MaxPool2dSpec((1, 40, 40), 2), True, False),  # too large to draw whole: that is what is said
]


@pytest.mark.parametrize(("spec", "backward", "values"), _layers(16, 3) + LONG, ids=repr)
def test_a_sheet_is_drawn_whenever_the_animation_is_or_refused_as_it_is_with_advice_that_works(
    tmp_path, spec, backward, values
):
    view = {"backward": True} if backward else {}
    try:
        frames = frames_of(spec, DEFAULT_MAX_FRAMES, **view)
    except SpecError as refused:
        with pytest.raises(SpecError) as sheet:
            render_still(spec, tmp_path / "s.png", values=values, **view)
        assert sheet.value.argument == refused.argument
        if refused.argument != "max_frames":
            return
        assert "0 draws every step" in str(sheet.value)  # the advice, followed, draws the sheet
        frames = frames_of(spec, 0, **view)
        done = render_still(spec, tmp_path / "s.png", values=values, max_frames=0, **view)
    else:
        done = render_still(spec, tmp_path / "s.png", values=values, **view)
    assert 1 <= done.frames <= frames
    with Image.open(done.path) as image:
        assert image.size == done.size


@pytest.mark.parametrize("seed", range(2))
def test_a_sheet_shows_the_part_channels_and_steps_the_animation_draws_within_a_page(tmp_path, seed):
    from convgif.animation import Look
    from convgif.animation.job import Job

    layers = _layers(8 - 3 * seed, 10 + seed) + [(convgif.Conv2dSpec((3, 7, 7), 2, 3, padding=1), False, False)]
    sampled = 0
    for spec, backward, values in layers:
        view = {"backward": True} if backward else {}
        scale = 1 + seed
        try:
            animation = Job(spec, Look(values=values, scale=scale), view, max_frames=DEFAULT_MAX_FRAMES)
            animation.layouts  # noqa: B018 (drawn at all)
        except SpecError:
            continue
        sheet = Job(spec, Look(values=values, scale=scale, headless=True), view, max_frames=DEFAULT_MAX_FRAMES)
        assert sheet.region == animation.region, spec
        assert sheet.shown == animation.shown, spec  # the same steps, of the same output channels
        drawn = [(layout.shown_in, layout.shown_out) for layout in sheet.layouts]
        assert drawn == [(layout.shown_in, layout.shown_out) for layout in animation.layouts], spec
        done = render_still(spec, tmp_path / "s.png", values=values, scale=scale, **view)
        tile_w, tile_h = sheet.size
        assert done.shown_steps == sum(animation.shown) and done.frames <= done.shown_steps
        rows = -(-done.frames // max(1, done.size[0] // tile_w))
        if tile_w <= SHEET_WIDTH * scale and done.frames > len(sheet.shown) and rows > 1:  # else one tile a part
            assert done.size[0] <= SHEET_WIDTH * scale and done.size[1] <= SHEET_HEIGHT * scale, (spec, done.size)
        sampled += done.frames < done.shown_steps
    assert sampled  # some sheets are samples, which the test above checks are said so


# -- a sheet uses its page ------------------------------------------------------------------------


def test_a_wide_picture_s_sheet_scales_its_tiles_down_to_show_more_frames_and_says_how_many(tmp_path):
    """--width 650 (which the notes give to draw every step) made tiles too wide for more than
    two across: the sheet showed 4 of 98 frames, in 1,736 of its 2,480 pixels, and the summary
    called them '4 frames'. Three across, scaled to 0.9, show 9, and the summary says of how many."""
    from click.testing import CliRunner

    from convgif.animation import Look
    from convgif.animation.job import Job
    from convgif.animation.sheet import LEAST_TILE_SCALE
    from convgif.cli import main

    spec = convgif.Conv2dSpec((3, 7, 7), 2, 3, padding=1)
    done = render_still(spec, tmp_path / "s.png", values=True, width=650)
    every = frames_of(spec, values=True, width=650)
    tile_w = Job(spec, Look(values=True, width=650, headless=True), {}).size[0]
    across = done.size[0] * 1.0 / tile_w
    assert every == done.sheet_of == 98 and done.frames == 9
    assert done.size[0] <= SHEET_WIDTH and done.size[1] <= SHEET_HEIGHT
    assert 1 / across >= LEAST_TILE_SCALE / 3 and done.size[0] // tile_w < 3  # three, scaled down
    args = "--in 3,7,7 --out 2 --k 3 --p 1 --sheet --values --width 650".split()
    said = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "t.png")])
    assert said.exit_code == 0 and " · sheet of 9 of 98 frames · " in said.output, said.output
    whole = CliRunner().invoke(main, ["--in", "1,4,4", "--k", "3", "--sheet", "-o", str(tmp_path / "u.png")])
    assert " · sheet of 4 frames · " in whole.output, whole.output


@pytest.mark.parametrize("seed", range(2))
def test_a_sampled_sheet_shows_as_many_frames_as_its_page_holds_at_a_readable_size(tmp_path, seed):
    """No other number of tiles across, scaled no further than LEAST_TILE_SCALE, holds more
    frames than the sheet shows; a sheet never scales its tiles further, and fits its page."""
    from convgif.animation import Look
    from convgif.animation.job import Job
    from convgif.animation.sheet import LEAST_TILE_SCALE, _sampled, _strip, _tiles

    rng = random.Random(seed)
    layers = [
        (convgif.Conv2dSpec((3, 7, 7), 2, 3, padding=1), {"width": 650}),
        (convgif.Conv2dSpec((2, 9, 9), 2, 3), {}),
    ]
    layers += [(spec, {"width": rng.choice((None, 560, 700))}) for spec, _, _ in _layers(4, 40 + seed)]
    checked = 0
    for spec, look in layers:
        job = Job(spec, Look(values=True, headless=True, **look), {})
        try:
            job.layouts  # noqa: B018 (drawn at all)
        except SpecError:
            continue
        done = render_still(spec, tmp_path / "s.png", values=True, **look)
        assert done.size[0] <= SHEET_WIDTH and done.size[1] <= SHEET_HEIGHT, spec
        if done.frames == done.sheet_of:
            continue
        steps, numbers, lay = _sampled(job, None)
        assert len(numbers) == done.frames and lay.shrink >= LEAST_TILE_SCALE, spec
        for more in range(40):  # the note under the caption, left out here, may take a row
            other = _tiles(job, None, _strip(job), "", more)
            if other.shrink < LEAST_TILE_SCALE:
                break
            assert other.capacity - other.across <= done.frames, (spec, more, other.capacity, done.frames)
        checked += 1
    assert checked


@pytest.mark.parametrize(
    "layer",
    [
        {"layer": "ConstantPad3d", "input_shape": (1, 2, 2, 2), "padding": 1, "value": -1.5},
        {"layer": "MaxUnpool3d", "input_shape": (1, 2, 2, 2), "kernel_size": 2},
        {"layer": "AvgPool3d", "input_shape": (2, 3, 4, 4), "kernel_size": 2, "stride": 1},
    ],
)
def test_a_3d_sheet_says_its_caption_notes_and_keys_once_over_every_depth_picture(layer):
    """A 3-D layer's depth pictures share a caption, most notes and (one scale a tensor) their
    keys: the sheet's header writes each once, the notes of each depth after them."""
    from convgif.animation import Look
    from convgif.animation.job import Job
    from convgif.animation.sheet import _keys_once, _said
    from convgif.ops import operation

    spec = operation(layer["layer"]).build(**{k: v for k, v in layer.items() if k != "layer"})
    job = Job(spec, Look(values=True), {})
    assert len(job.drawings) > 1
    lines = [text for text, _ in _said(job, 2400)]  # wide: no line broken
    assert lines.count(spec.caption) == 1 and len(lines) == len(set(lines))
    for drawn in job.drawings:  # each depth's own note is there
        assert all(note in lines for note in drawn.geometry.notes)
    keys = [(key.name, key.role, key.items) for key, _ in _keys_once(job)]
    assert len(keys) == len(set(keys)) and [n for n, *_ in keys].count("y") == 1
    every = [key for scales in job.scales for key in scales.keys]
    assert all(any(set(k.items) <= set(items) for n, r, items in keys if (n, r) == (k.name, k.role)) for k in every)
