"""Every figure of the reference article and of conv_arithmetic, through the command line."""

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from gifs import displayed_frames

from convgif import Conv2dSpec
from convgif.cli import main
from convgif.picture import glyphs
from convgif.picture.paint import LIGHT, WHITE
from convgif.picture.sizes import CAPTION

D = " \u2014 "
# (arguments, caption, frames, size in bytes of the best published GIF of the same figure or None)
ARTICLE = [
    ("--in 3,7,7 --out 2 --k 3 --p 1 --s 2 --d 2", "(3, 7, 7)|(2, 3, 3)|(3, 3)|(1, 1)|(2, 2)|(2, 2)|1", 18, 1_638_467),
    ("--in 1,9,9 --out 1 --k 3", "(1, 9, 9)|(1, 7, 7)|(3, 3)|(0, 0)|(1, 1)|(1, 1)|1", 49, 1_639_002),
    ("--in 1,7,7 --out 4 --k 3", "(1, 7, 7)|(4, 5, 5)|(3, 3)|(0, 0)|(1, 1)|(1, 1)|1", 100, None),
    ("--in 3,7,7 --out 4 --k 3", "(3, 7, 7)|(4, 5, 5)|(3, 3)|(0, 0)|(1, 1)|(1, 1)|1", 100, None),
    ("--in 3,7,9 --out 2 --k 5,1", "(3, 7, 9)|(2, 3, 9)|(5, 1)|(0, 0)|(1, 1)|(1, 1)|1", 54, None),
    ("--in 3,7,9 --out 2 --k 5,2", "(3, 7, 9)|(2, 3, 8)|(5, 2)|(0, 0)|(1, 1)|(1, 1)|1", 48, None),
    ("--in 3,9,9 --out 2 --k 3 --s 1,3", "(3, 9, 9)|(2, 7, 3)|(3, 3)|(0, 0)|(1, 3)|(1, 1)|1", 42, None),
    ("--in 2,7,7 --out 1 --k 3 --p 1", "(2, 7, 7)|(1, 7, 7)|(3, 3)|(1, 1)|(1, 1)|(1, 1)|1", 49, 3_207_342),
    ("--in 2,7,7 --out 1 --k 3 --p 1 --d 4,2", "(2, 7, 7)|(1, 1, 5)|(3, 3)|(1, 1)|(1, 1)|(4, 2)|1", 5, 290_996),
    ("--in 2,7,7 --out 4 --k 3 --p 2 --s 2 --g 2", "(2, 7, 7)|(4, 5, 5)|(3, 3)|(2, 2)|(2, 2)|(1, 1)|2", 50, None),
    ("--in 2,9,9 --out 1 --k 3 --p 2 --d 4,2", "(2, 9, 9)|(1, 5, 9)|(3, 3)|(2, 2)|(1, 1)|(4, 2)|1", 45, None),
    ("--in 3,7,7 --out 2 --k 3 --p 1", "(3, 7, 7)|(2, 7, 7)|(3, 3)|(1, 1)|(1, 1)|(1, 1)|1", 98, None),
]
CONV_ARITHMETIC = [
    ("--in 1,4,4 --k 3", 4, 37_751),
    ("--in 1,5,5 --k 4 --p 2", 36, 476_750),
    ("--in 1,5,5 --k 3 --p 1", 25, 276_460),
    ("--in 1,5,5 --k 3 --p 2", 49, 435_605),
    ("--in 1,5,5 --k 3 --s 2", 4, 44_665),
    ("--in 1,5,5 --k 3 --s 2 --p 1", 9, 118_422),
    ("--in 1,6,6 --k 3 --s 2 --p 1", 9, 122_211),
    ("--in 1,7,7 --k 3 --d 2", 9, 124_951),
]
LABELS = ["Input Shape", "Output Shape", "K", "P", "S", "D", "G"]


def article_caption(parts: str) -> str:
    return D.join(f"{label} : {value}" for label, value in zip(LABELS, parts.split("|")))


def spec_of(args: str) -> Conv2dSpec:
    from convgif.cli.options import parse

    return parse(args.split()).spec


def render(tmp_path: Path, args: str) -> Path:
    out = tmp_path / "figure.gif"
    result = CliRunner().invoke(main, [*args.split(), "-o", str(out), "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def caption_lines(spec: Conv2dSpec) -> list:
    """The caption's lines as a render of ``spec`` lays them out: (text, style, x, y)."""
    from convgif.animation.job import Job

    layout = Job(spec).layouts[0]
    return list(layout.texts[: layout.caption_lines])


def assert_caption_in_every_frame(path: Path, spec: Conv2dSpec) -> None:
    lines = caption_lines(spec)
    text, style = " ".join(line[0] for line in lines), {line[1] for line in lines}
    assert (text, style) == (spec.caption, {CAPTION})  # read joined: only line breaks added
    frames = displayed_frames(path)
    for text, _, x, y in lines:
        mask = glyphs.text_mask(CAPTION, text)
        x -= glyphs.BLEED
        full = mask == glyphs.LEVELS - 1
        for frame in frames:
            region = frame[y : y + mask.shape[0], x : x + mask.shape[1]]
            assert np.all(region[full] == LIGHT.ink) and np.all(region[mask == 0] == WHITE)


@pytest.mark.parametrize("args, parts, frames, published", ARTICLE, ids=[a[0] for a in ARTICLE])
def test_article_figure(tmp_path, args, parts, frames, published):
    spec = spec_of(args)
    assert spec.caption == article_caption(parts)
    path = render(tmp_path, args)
    assert len(displayed_frames(path)) == frames == spec.steps
    assert_caption_in_every_frame(path, spec)
    if published:
        assert path.stat().st_size <= published / 10


@pytest.mark.parametrize("values", [True, False], ids=["values", "shades"])
@pytest.mark.parametrize("args", [a[0] for a in ARTICLE])
def test_article_figure_at_scale_2_fits_a_slide_with_every_input_channel(args, values):
    from test_region import assert_apart

    from convgif.animation import Look
    from convgif.animation.job import Job
    from convgif.picture.sizes import READABLE_CELL_PX, SLIDE_PX

    spec = spec_of(args)
    job = Job(spec, Look(values=values, scale=2), max_frames=300)
    width, height = job.size
    assert width <= SLIDE_PX[0] and height <= SLIDE_PX[1]
    assert not job.choice.selection.partial
    for layout in job.layouts:
        assert layout.shown_in == tuple(range(spec.in_channels))  # every term of every sum drawn
        assert layout.fits_box and layout.cell >= 2 * READABLE_CELL_PX
        assert_apart(layout)
    assert job.still(1).shape == (height, width)


@pytest.mark.parametrize("args, frames, published", CONV_ARITHMETIC, ids=[a[0] for a in CONV_ARITHMETIC])
def test_conv_arithmetic_figure(tmp_path, args, frames, published):
    spec = spec_of(args)
    path = render(tmp_path, args)
    assert len(displayed_frames(path)) == frames == spec.steps
    assert_caption_in_every_frame(path, spec)
    assert path.stat().st_size <= published / 2
