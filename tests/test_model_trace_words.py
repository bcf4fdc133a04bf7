"""The receptive field's animation on a model's page: which cell it follows by default, and what
its input frame says when the cell's field reaches past the input into the padding.

What the cell sees is checked against torch's gradients (weights positive and every maximum
an average over the same windows, as in test_model_field): by default the animation follows a
cell whose gradient reaches a whole field of the size the table gives, none of it cut off by the
input's edges; a cell chosen at a corner says which rows and columns of its field are padding.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn as nn  # noqa: E402
from test_model_field import gradient_supports  # noqa: E402

from convgif.network import build, field_picture  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _vgg():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(4, 4, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2, 2),
        nn.Conv2d(4, 4, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(4, 4, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2, 2),
    )


def _frames(monkeypatch, model, shape, tmp_path, trace=None):
    """The model's page written (no layer drawn), and the frames of its receptive field."""
    seen = []
    draw = field_picture.frames_of

    def keep(frames, *args, **kwargs):
        seen.extend(frames)
        return draw(frames, *args, **kwargs)

    monkeypatch.setattr(field_picture, "frames_of", keep)
    result = build.model(model, shape, tmp_path, draw=False, trace=trace, max_frames=12)
    return result, seen


def _row_of(result, label):
    return next(r for r in result.rows if r.name == label)


@pytest.mark.parametrize("side", [16, 13, 24])
def test_the_default_cell_sees_a_whole_field_inside_the_input(monkeypatch, tmp_path, side):
    """At 16×16 the last pooling's cells see 16×16 fields starting 4 apart from −6: none lies
    inside the input, so the animation follows the deepest layer with a cell whose field does
    (the last convolution's), and torch's gradient of that cell covers the table's whole field."""
    model = _vgg()
    result, frames = _frames(monkeypatch, model, (3, side, side), tmp_path)
    row = _row_of(result, frames[0].label)
    cell = tuple(int(v) for v in frames[0].words.split("[")[1].split("]")[0].split(","))
    (support,) = gradient_supports(model, (3, side, side), [(row.name, cell)])
    rows, cols = np.nonzero(support)
    size = [f[0] for f in row.field]
    assert [rows.max() - rows.min() + 1, cols.max() - cols.min() + 1] == size  # none of it cut off
    assert "the whole receptive field" in frames[-1].words and "padding" not in frames[-1].words
    assert result.trace_note is None
    deeper = [r for r in result.rows if r.spec is not None and result.rows.index(r) > result.rows.index(row)]
    for later in deeper:  # a deeper drawn layer has no cell whose field lies inside
        size, jump, start = later.field[0]
        cells = later.output_shape[1]
        assert all(start + o * jump < 0 or start + o * jump + size > side for o in range(cells))


def test_a_corner_cell_says_which_part_of_its_field_is_padding(monkeypatch, tmp_path):
    """Cell [0, 0] of the last pooling sees rows and columns −6 to 9 (the table: 16×16 from
    −6): the input frame fills rows 0–9 and columns 0–9, as torch's gradient does, and says
    that rows and columns −6 to −1 are padding."""
    model = _vgg()
    result, frames = _frames(monkeypatch, model, (3, 16, 16), tmp_path, trace="9:0,0")
    (size, _, start), _ = _row_of(result, "9").field
    assert (size, start) == (16, -6)
    (support,) = gradient_supports(model, (3, 16, 16), [("9", (0, 0))])
    assert np.array_equal(frames[-1].mask, support)
    lines = frames[-1].words.split("\n")
    assert lines == [
        "100 of 256 input cells (rows 0–9, columns 0–9): the part of the receptive field inside the input",
        "The whole field: rows −6 to 9, columns −6 to 9; rows and columns −6 to −1 are padding",
    ]
    assert result.trace_note is None  # nothing stops short


def test_a_field_past_the_far_end_says_so(monkeypatch, tmp_path):
    """A 1-D stack whose last cell's field runs past the input's end: cells 10 to 11 are padding."""
    model = nn.Sequential(nn.Conv1d(1, 2, 5, padding=2), nn.Conv1d(2, 1, 3, stride=2, padding=1))
    result, frames = _frames(monkeypatch, model, (1, 10), tmp_path, trace="1:4")
    assert frames[-1].words.split("\n")[1] == "The whole field: cells 5 to 11; cells 10 to 11 are padding"
    assert frames[-1].mask.nonzero()[0].tolist() == list(range(5, 10))


def test_no_cell_inside_the_input_is_said_plainly(monkeypatch, tmp_path):
    """A 5×5 kernel on a 3×3 input: no cell's field fits; the note says the middle cell is shown."""
    model = nn.Sequential(nn.Conv2d(1, 1, 5, padding=2))
    result, frames = _frames(monkeypatch, model, (1, 3, 3), tmp_path)
    assert "no drawn layer has a cell whose whole receptive field lies inside the input" in result.trace_note
    assert "rows and columns −1 and 3 are padding" in frames[-1].words  # one cell each side: not "−1 to −1"


def _net():
    """The review's network: a pooling, then an upsampling whose fields move unevenly."""
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(2, 2, 3, padding=1),
        nn.ReLU(),
        nn.Upsample(scale_factor=2, mode="bilinear"),
        nn.Conv2d(2, 1, 3, padding=1),
    )


def test_every_frame_says_where_its_cells_lie_as_the_input_frame_does(monkeypatch, tmp_path):
    """A frame between the traced cell and the input says which rows and columns it fills in the
    input frame's words (``rows 4–5, columns 4–5``, not ``span 4–5, 4–5``), as its mask has them;
    the title names the traced layer as a module (``module 2``), not by its bare name."""
    titles = []
    draw = field_picture.frames_of

    def keep(frames, chosen, title, *args, **kwargs):
        titles.append(field_picture.words_of(frames, title)[0])
        return draw(frames, chosen, title, *args, **kwargs)

    monkeypatch.setattr(field_picture, "frames_of", keep)
    result, frames = _frames(monkeypatch, _net(), (1, 8, 8), tmp_path)
    assert frames[0].label == "2" and frames[0].what == "MaxPool2d"
    assert titles == ["What one cell of module 2's output sees: [2, 2], all channels"]
    for frame in frames[1:-1]:
        rows, cols = np.nonzero(frame.mask)
        spans = [f"{a}–{b}" if a != b else f"{a}" for a, b in ((rows.min(), rows.max()), (cols.min(), cols.max()))]
        assert frame.words == f"{frame.mask.sum()} of {frame.mask.size} cells (rows {spans[0]}, columns {spans[1]})"
    assert "(rows 3–6, columns 3–6)" in frames[-1].words


def test_a_padding_of_one_cell_is_said_as_that_cell(monkeypatch, tmp_path):
    """Cell [3, 3] of the last convolution sees rows −3 to 8 of an 8×8 input: the padding is rows
    and columns −3 to −1 and 8 (one cell past the end: "8", not "8 to 8")."""
    _, frames = _frames(monkeypatch, _net(), (1, 8, 8), tmp_path, trace="6:3,3")
    lines = frames[-1].words.split("\n")
    assert lines[1] == "The whole field: rows −3 to 8, columns −3 to 8; rows and columns −3 to −1 and 8 are padding"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_traced_cells_colour_has_a_key_in_every_frame(theme):
    """The traced cell is drawn in a colour of its own: every frame's key shows it and the field's
    colour, with their words, though the cell itself is only in the first frame."""
    cell, field_mask = np.zeros((2, 2), bool), np.zeros((4, 4), bool)
    cell[0, 0], field_mask[1:3, 1:3] = True, True
    frames = [
        field_picture.Frame("2", (2, 2, 2), cell, "a", what="X"),
        field_picture.Frame("input", (1, 4, 4), field_mask, "b"),
    ]
    pictures = field_picture.frames_of(frames, (0, 0), "title", theme)
    *_, field, mark = field_picture.COLOURS[theme]
    key = field_picture.LINE + 12  # the key's line, under every grid, and the margin under it

    def shows(image, colour):
        return bool((image == colour).all(axis=-1).any())

    for picture in pictures:
        assert shows(picture[-key:], mark) and shows(picture[-key:], field)
    assert shows(pictures[0][:-key], mark) and not shows(pictures[1][:-key], mark)  # the cell: in the first frame only
    from convgif.language import say

    for lang in ("zh-Hans", "zh-Hant"):  # the key's words in the page's language too
        assert all(
            say(words, lang) != words and not any(c.isascii() and c.isalpha() for c in say(words, lang))
            for words in field_picture.KEY
        )
