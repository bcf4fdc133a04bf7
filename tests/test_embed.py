"""Ways to put a figure in a page: snippets, WebP and APNG, single steps, contact sheets, themes, width."""

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from gifs import displayed_frames
from PIL import Image

import convgif
from convgif.api import render_still
from convgif.cli import main
from convgif.picture.paint import DARK, LIGHT

SPEC = convgif.Conv2dSpec((2, 5, 5), 2, 3, padding=1)
CAPTION = SPEC.caption


def test_markdown_and_html_snippets(run):
    result = run("--in", "2,5,5", "--out", "2", "--p", "1", "-o", "docs fig.gif", "-q", "--markdown", "--html")
    path, markdown, html = result.output.splitlines()
    # the path is written as a URL: a space in a srcset would split it, and end a Markdown link
    assert path == "docs fig.gif" and markdown == f"![{CAPTION}](docs%20fig.gif)"
    width, height = Image.open("docs fig.gif").size
    assert html == (
        '<picture><source media="(prefers-reduced-motion: reduce)" srcset="docs%20fig-still.png">'
        f'<img src="docs%20fig.gif" alt="{CAPTION}" width="{width}" height="{height}"'
        ' style="max-width:100%;height:auto"></picture>'
    )
    with Image.open("docs fig-still.png") as still:  # the still is the animation's last frame
        np.testing.assert_array_equal(np.asarray(still.convert("RGB")), displayed_frames(Path("docs fig.gif"))[-1])


@pytest.mark.parametrize(
    "args, name, kind",
    [(["--format", "webp"], "conv2d_2x5x5_out2_k3_p1.webp", "WEBP"), (["-o", "a.png"], "a.png", "PNG")],
)
def test_webp_and_apng_animations_loop_with_every_frame(run, args, name, kind):
    result = run("--in", "2,5,5", "--out", "2", "--p", "1", "-q", *args)
    assert result.output.strip() == name
    with Image.open(name) as image:
        assert image.format == kind and image.n_frames == SPEC.steps and image.info.get("loop") == 0
        image.seek(image.n_frames - 1)
        last = np.asarray(image.convert("RGB"))
    gif = convgif.render(SPEC, Path("same.gif"))
    np.testing.assert_array_equal(last, displayed_frames(gif.path)[-1])  # lossless: the same pixels


def test_one_step_as_png_equals_that_frame_of_the_gif(tmp_path):
    still = render_still(SPEC, tmp_path / "s.png", step=7)
    gif = convgif.render(SPEC, tmp_path / "a.gif")
    assert still.frames == 1
    np.testing.assert_array_equal(np.asarray(Image.open(still.path).convert("RGB")), displayed_frames(gif.path)[6])
    with pytest.raises(convgif.SpecError, match="from 1 to 50"):
        render_still(SPEC, tmp_path / "t.png", step=51)


def test_contact_sheet_holds_every_step(tmp_path):
    sheet = render_still(SPEC, tmp_path / "sheet.png", columns=10)
    frame = convgif.render(SPEC, tmp_path / "a.gif").size  # a tile, at full size
    with Image.open(sheet.path) as image:
        width, height = image.size
    from convgif.animation.sheet import SHEET_WIDTH

    tile_w = min(1.0, SHEET_WIDTH / (10 * frame[0])) * frame[0]
    assert sheet.frames == SPEC.steps and abs(width - 10 * tile_w) <= 10 and height < width
    assert sheet.size == (width, height)  # what a notebook sizes it by


def test_dark_theme_changes_the_colours_not_the_picture(tmp_path):
    light = render_still(SPEC, tmp_path / "l.png", step=3)
    dark = render_still(SPEC, tmp_path / "d.png", step=3, theme="dark")
    lp, dp = (np.asarray(Image.open(r.path).convert("RGB")) for r in (light, dark))
    assert lp.shape == dp.shape
    assert tuple(lp[0, 0]) == LIGHT.background and tuple(dp[0, 0]) == DARK.background
    assert np.array_equal(lp == lp[0, 0], dp == dp[0, 0])  # background in the same places


def test_width_shrinks_cells_or_is_refused(run):
    wide = convgif.render(convgif.Conv2dSpec((1, 30, 30), 1, 3), Path("wide.gif"))
    narrow = convgif.render(convgif.Conv2dSpec((1, 30, 30), 1, 3), Path("narrow.gif"), width=wide.size[0] - 100)
    assert narrow.size[0] <= wide.size[0] - 100
    result = CliRunner().invoke(main, ["--in", "3,7,7", "--width", "200"])
    assert result.exit_code == 2 and "'--width'" in result.output and "too narrow" in result.output


def test_still_options_conflict(run):
    for args in (["--frame", "2", "--sheet"], ["--frame", "2", "--format", "webp"]):
        result = CliRunner().invoke(main, ["--in", "1,4,4", *args])
        assert result.exit_code == 2


def test_snippet_paths_relative_to_a_folder_and_no_still_for_stills(run):
    import os

    os.makedirs("docs/figures")
    result = run("--in", "1,4,4", "-o", "docs/figures/a.gif", "-q", "--markdown", "--html", "--relative-to", "docs")
    _, markdown, html = result.output.splitlines()
    assert markdown.endswith("](figures/a.gif)")
    assert 'srcset="figures/a-still.png"><img src="figures/a.gif"' in html
    result = run("--in", "1,4,4", "--frame", "2", "-o", "docs/b.png", "-q", "--html", "--relative-to", "docs/figures")
    assert result.output.splitlines()[1].startswith('<img src="../b.png"')
    assert not os.path.exists("docs/b-still.png")
