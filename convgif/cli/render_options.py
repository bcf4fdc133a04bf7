"""The options of a render that are not the layer: its values, look, timing and stills,
declared once for the command, the gallery's and the documentation plugins' words."""

from __future__ import annotations

import click

from ..animation import DEFAULT_FPS, DEFAULT_MAX_FRAMES
from ..language import LANGS
from ..picture import COLUMN_PX, MAX_SCALE, SLIDE_PX, THEME_NAMES

#: How wide a picture is at most, and what a larger width draws.
WIDTH_HELP = (
    "Make the picture at most this many pixels wide: a layer too large to draw readably within it is drawn in "
    "part, and a larger width draws more of it (the notes say the least width that draws every step).  "
    f"[default: {COLUMN_PX}, a page's column ({2 * COLUMN_PX} for --view matrix, its matrices side by side); "
    f"at --scale N, {COLUMN_PX}×N, at most {SLIDE_PX[0]}]"
)


def render_options(function):
    """The options of a render that are not the layer: values, look, timing and stills."""
    from ..files.formats import FORMATS

    decorators = [
        click.option(
            "--fps", type=float, default=DEFAULT_FPS, show_default=f"{DEFAULT_FPS:.2f}", help="Frames per second."
        ),
        click.option(
            "--max-frames",
            type=int,
            default=DEFAULT_MAX_FRAMES,
            show_default=True,
            help="At most this many frames: a layer with more steps is drawn in part (fewer output cells or channels), every step of it in order; 0: no limit.",
        ),
        click.option(
            "--values/--no-values",
            default=False,
            show_default=True,
            help="Write the numbers in the cells, and each output's sum.",
        ),
        click.option(
            "--format",
            "format",
            type=click.Choice(list(FORMATS)),
            help="Animation format [default: from the -o suffix, else gif].",
        ),
        click.option(
            "--frame",
            "step",
            type=click.IntRange(min=1),
            help="Write only frame N (counted from 1) of the animation the same options draw, as a PNG.",
        ),
        click.option("--sheet", is_flag=True, help="Write a contact sheet of the steps as a PNG."),
        click.option(
            "--theme",
            type=click.Choice(THEME_NAMES),
            default=THEME_NAMES[0],
            show_default=True,
            help="Colours for light or dark pages.",
        ),
        click.option(
            "--lang",
            type=click.Choice(LANGS),
            default=LANGS[0],
            show_default=True,
            help='Language of the words in the picture: en, zh-Hans or zh-Hant (Chinese needs a CJK font: pip install "convgif[zh]").',
        ),
        click.option("--width", type=click.IntRange(min=1), help=WIDTH_HELP),
        click.option(
            "--scale",
            type=click.IntRange(1, MAX_SCALE),
            default=1,
            show_default=True,
            help="Draw text, cells and lines N times larger (crisp, for slides and projectors).",
        ),
        click.option(
            "--kernel",
            help="Weights: sobel-x, sobel-y, laplacian, gaussian, box, identity, sharpen, a .npy file, or rows like "
            "'1,0,-1;2,0,-2;1,0,-1'. The bias is then 0 (--no-bias: none; a bias of your own: bias= in Python).",
        ),
        click.option(
            "--factors",
            is_flag=True,
            help="With a rank-1 --kernel (sobel-x, gaussian, box, ...): a note writes it as a column times a row.",
        ),
        click.option("--image", help="A picture as the input: grey for --in 1,H,W, RGB for 3,H,W, resized to H×W."),
        click.option(
            "--seed",
            type=click.IntRange(min=0),
            default=0,
            show_default=True,
            help="Seed of the example input and weights.",
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function
