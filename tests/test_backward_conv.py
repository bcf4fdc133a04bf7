"""The pictures of a convolution's backward pass (convgif.ops.backward_conv): what each step
rings, names and adds up, against independent loops over the layer's indices."""

from __future__ import annotations

import random
import re
import warnings

import numpy as np
import pytest
from fills import array_fills
from grouped_steps import check_steps

from convgif import SpecError, ops
from convgif.animation.job import Job

#: torch's padding modes that copy cells, as numpy's np.pad modes.
COPIES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _copying_layers(count: int, seed: int):
    """Random valid Conv1d/Conv2d layers whose padding copies cells (several channels, groups)."""
    rng = random.Random(seed)
    made = []
    while len(made) < count:
        dims = rng.choice([1, 2])
        c = rng.randint(1, 3)
        g = rng.choice([1, 1, c])
        size = tuple(rng.randint(2, 6) for _ in range(dims))
        kw = dict(
            out_channels=g * rng.randint(1, 2),
            kernel_size=tuple(rng.randint(1, 3) for _ in range(dims)),
            stride=tuple(rng.randint(1, 3) for _ in range(dims)),
            dilation=tuple(rng.randint(1, 2) for _ in range(dims)),
            padding=tuple(rng.randint(0, 3) for _ in range(dims)),
            padding_mode=rng.choice(list(COPIES)),
            groups=g,
        )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                spec = ops.operation(f"Conv{dims}d").build(input_shape=(c, *size), **kw)
        except SpecError:
            continue
        if max(spec.padding) == 0:
            continue
        made.append((dims, spec, kw["padding_mode"]))
    return made


def _folded_into(shape: tuple[int, ...], padding: tuple[int, ...], mode: str) -> dict:
    """For each input cell (spatial index), the padded cells holding it: np.pad of the cells'
    indices with the mode the padding copies by."""
    index = np.arange(int(np.prod(shape))).reshape(shape)
    padded = np.pad(index, [(p, p) for p in padding], mode=COPIES[mode])
    held: dict = {}
    for where, cell in np.ndenumerate(padded):
        held.setdefault(np.unravel_index(cell, shape), set()).add(where)
    return held


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


def _add(expression: str) -> float:
    """The value of a sum line's ``a + b − c`` (numbers only)."""
    tokens = expression.replace("−", "-").replace("+ -", "- ").split()
    total, sign = 0.0, 1
    for token in tokens:
        if token in "+-":
            sign = 1 if token == "+" else -1
        else:
            total += sign * float(token)
    return total


def test_each_fold_step_adds_the_padded_gradients_of_its_own_channel():
    """A padding that copies cells folds each copy's gradient back onto its cell: every step
    rings, in every channel, exactly the padded cells holding that channel's input cell, names
    them in that channel, and its sum adds their values up to the dx cell written."""
    checked = 0
    for dims, spec, mode in _copying_layers(24, 5):
        job = Job(spec, view={"backward": True}, max_frames=10**6, grad_output=True)
        (fold,) = [d for d in job.drawings if d.geometry.input_name == "dxp"]
        dxp, dx = np.asarray(fold.grid), np.asarray(fold.output)
        c, h, w = dx.shape
        size = spec.input_shape[1:]
        held = _folded_into(size, spec.padding, mode)
        for step in range(h * w):
            fold.playback.advance(step)
            shown = fold.playback.show(step)
            y, x = divmod(step, w)
            cell = (y, x)[2 - dims :]
            want = sorted(((0, *p) if dims == 1 else p) for p in held[cell])
            assert len(shown.sums) == c and list(shown.sum_channels) == list(range(c)), shown.sums
            for ch, entry in zip(shown.sum_channels, shown.sums):
                reads = shown.reads[ch]
                assert (reads.cells[:, 0] == ch).all(), (spec, step, ch, reads.cells)
                assert sorted(map(tuple, reads.cells[:, 1:].tolist())) == want, (spec, step, ch)
                parts = entry.split(" = ")
                assert parts[0] == f"dx[{', '.join(map(str, (ch, *cell)))}]", (parts[0], spec, step)
                named = [tuple(map(int, n.split(","))) for n in re.findall(r"dxp\[([\d, ]+)\]", entry)]
                named = [(i[0], 0, i[1]) if dims == 1 else i for i in named]  # a Conv1d's one row
                assert all(i[0] == ch for i in named), (entry, spec)
                assert _number(parts[-1]) == pytest.approx(dx[ch, y, x]), (entry, spec)
                values = [dxp[(ch, *p)] for p in want]
                if named:
                    assert sorted(i[1:] for i in named) == want, (entry, want, spec)
                if len(parts) == 4:  # head = names = values = total
                    assert _add(parts[2]) == pytest.approx(_number(parts[3])), (entry, spec)
                    assert sorted(_add(v) for v in parts[2].replace("−", "+ -").split(" + ")) == sorted(values)
                assert sum(dxp[(ch, *p)] for p in want) == pytest.approx(dx[ch, y, x]), (entry, spec)
        checked += c > 1
    assert checked >= 8


@pytest.mark.parametrize(
    "spec",
    [
        ops.operation("Conv2d").build(input_shape=(16, 6, 6), out_channels=16, kernel_size=3, groups=4),
        ops.operation("Conv2d").build(input_shape=(16, 6, 6), out_channels=8, kernel_size=3),
        ops.operation("Conv2d").build(input_shape=(6, 5, 5), out_channels=24, kernel_size=3, groups=6),
        ops.operation("Conv1d").build(input_shape=(12, 6), out_channels=12, kernel_size=2, groups=3),
        ops.operation("ConvTranspose2d").build(input_shape=(8, 3, 3), out_channels=16, kernel_size=2, groups=2),
    ],
    ids=repr,
)
def test_every_input_drawn_leads_to_an_output_drawn(spec):
    """A picture draws the input channels of only those groups whose outputs it draws: every
    grid ringed at a step feeds a grid written, the step line names one grid per group drawn,
    and the sum line has an entry for each (none for work whose result is not drawn)."""
    from convgif.animation import Look

    for look in (Look(), Look(values=True)):
        for view in ({"backward": True}, {}):
            job = Job(spec, look, view, max_frames=10**6)
            for drawn, layout in zip(job.drawings, job.layouts):
                geo = drawn.geometry
                groups_in = {c // geo.in_per_group for c in layout.inputs}
                groups_out = {co // geo.out_per_group for co in layout.outputs}
                assert groups_in == groups_out, (geo.output_name, sorted(layout.inputs), sorted(layout.outputs))
                if not view or geo.kernel is None:
                    continue
                drawn.playback.advance(0)
                shown = drawn.playback.show(0)
                heads = shown.text.split(" · ")[0].split(", ")
                assert len(heads) == len(groups_out), (shown.text, sorted(layout.outputs))
                assert all(head in map(geo.output_label, layout.outputs) for head in heads), shown.text
                if look.values:
                    assert len(shown.sums_drawn(layout.outputs)) == len(groups_out), shown.sums


CONV = ops.operation("Conv2d").build


@pytest.mark.parametrize(
    "spec",
    [
        *(CONV(input_shape=(2, 4, 4), out_channels=1, kernel_size=3, padding=1, padding_mode=m) for m in COPIES),
        CONV(input_shape=(3, 4, 4), out_channels=1, kernel_size=3, padding=2, padding_mode="reflect"),
        CONV(input_shape=(2, 4, 5), out_channels=2, kernel_size=2, padding=(1, 3), padding_mode="circular"),
        ops.operation("Conv1d").build(
            input_shape=(2, 12), out_channels=2, kernel_size=3, stride=3, dilation=2, padding=2, padding_mode="reflect"
        ),
    ],
    ids=repr,
)
def test_every_channels_fold_sum_is_on_screen(spec):
    """With values, each fold step writes the sum of every channel drawn, whole: none is
    dropped for want of lines (a circular padding's corner cell adds four dxp cells)."""
    from convgif.animation import Look
    from convgif.picture.overlay import _fit_lines

    job = Job(spec, Look(values=True), {"backward": True}, max_frames=10**6, grad_output=True)
    (drawn, layout) = [(d, lay) for d, lay in zip(job.drawings, job.layouts) if d.geometry.input_name == "dxp"][0]
    for step in range(int(np.prod(drawn.output.shape[1:]))):
        drawn.playback.advance(step)
        entries = drawn.playback.show(step).sums_drawn(layout.outputs)
        assert len(entries) == len(layout.outputs) == spec.in_channels
        lines = " ".join(_fit_lines(entries, layout.sum_width, layout.sum_lines))
        for entry in entries:
            assert entry in lines, (step, entry, layout.sum_lines, layout.sum_width)


@pytest.mark.parametrize(
    "spec, look",
    [
        (CONV(input_shape=(8, 9, 9), out_channels=8, kernel_size=3, groups=4), {"values": True}),
        (CONV(input_shape=(8, 9, 9), out_channels=8, kernel_size=3, groups=4), {"width": 1200}),
        (CONV(input_shape=(6, 6, 6), out_channels=4, kernel_size=3), {}),  # dw: one group per input channel
        (ops.operation("Conv1d").build(input_shape=(16, 10), out_channels=16, kernel_size=3, groups=8), {}),
        (
            ops.operation("ConvTranspose2d").build(
                input_shape=(8, 4, 4), out_channels=8, kernel_size=2, stride=2, groups=4
            ),
            {"values": True},
        ),
        (ops.operation("ConvTranspose1d").build(input_shape=(12, 6), out_channels=6, kernel_size=3, groups=3), {}),
    ],
    ids=repr,
)
def test_a_grouped_gradients_step_line_names_what_it_writes_in_the_groups_not_drawn(spec, look):
    """A step of a gradient's picture writes one grid in each of its groups, drawn or not (dx:
    the layer's groups; dw: one per input channel, a transposed layer's per dy channel): the step
    line names those drawn and, as the forward pass's does, those not drawn (past two, how many),
    and the layout keeps the room of its longest line, no more."""
    from convgif.animation import Look

    job = Job(spec, Look(**look), {"backward": True}, max_frames=0)
    named, counted = check_steps(spec, job)
    assert named + counted, "no picture left a group out"


def test_the_grids_not_drawn_are_said_in_the_forward_pass_words():
    """Conv2d 8→8, groups=4 with values at 480 pixels draws dx's groups 0 and 1 and dw's x
    channels 0..2: the first step also writes dx[4] and dx[6] (input channels 4 and 6, in groups
    2 and 3) and a dw grid for each of the 5 x channels not drawn, in each language in the words
    the forward pass's step line uses."""
    from convgif.animation import Look
    from convgif.language import say, untranslated

    spec = CONV(input_shape=(8, 9, 9), out_channels=8, kernel_size=3, groups=4)
    dx, dw, _ = Job(spec, Look(values=True), {"backward": True}, max_frames=0).drawings
    hidden = ", ".join(f"dx[{g * 2}]" for g in (2, 3))  # channel 0 of groups 2 and 3, of 2 channels each
    texts = []
    for drawn in (dx, dw):
        drawn.playback.advance(0)
        texts.append(" · ".join(drawn.playback.show(0).text.split(" · ")[:2]))
    assert texts == [
        f"dx[0], dx[2] · and {hidden} not drawn",
        "dw[0,0], dw[0,1], dw[2,0] · and one for each of 5 x channels not drawn",
    ]
    for lang, (and_not, each, channels) in {
        "zh-Hans": ("以及未画出的", "各一个", "个"),
        "zh-Hant": ("以及未畫出的", "各一個", "個"),
    }.items():
        said = [say(text, lang) for text in texts]
        assert said == [
            f"dx[0], dx[2] · {and_not} {hidden}",
            f"dw[0,0], dw[0,1], dw[2,0] · {and_not} 5 {channels} x 通道{each}",
        ]
        assert not any(map(untranslated, said)), said
        forward = say("out channel 1, and 3 not drawn", lang)
        assert forward.split(", ")[1].startswith(and_not), forward


# -- every array keeps its size and its colours from picture to picture --------------------------


def _part(job: Job, name: str):
    """The drawing of ``job`` whose output is ``name`` (dx, dw, db)."""
    return next(d for d in job.drawings if d.geometry.output_name == name)


@pytest.mark.parametrize(
    "spec",
    [
        CONV(input_shape=(1, 6, 6), out_channels=1, kernel_size=3, stride=2, padding=1),
        CONV(input_shape=(1, 6, 6), out_channels=1, kernel_size=3, stride=2),
        CONV(input_shape=(2, 7, 5), out_channels=2, kernel_size=2, stride=3, dilation=2, padding=(1, 2)),
        CONV(input_shape=(2, 5, 5), out_channels=2, kernel_size=2, stride=2, padding=1, padding_mode="reflect"),
        ops.operation("Conv1d").build(input_shape=(1, 8), out_channels=1, kernel_size=3, stride=2),
    ],
    ids=repr,
)
def test_dw_draws_the_whole_padded_input_as_the_forward_pass_does(spec):
    """x keeps its size: dw's grid is the forward picture's padded input, every cell, those no
    window reads marked never read (not cropped off at the bottom and right)."""
    from convgif.animation import Look

    forward = Job(spec, Look()).drawings[0]
    dw = _part(Job(spec, Look(), {"backward": True}), "dw")
    padded = spec.padded_shape[1:]
    assert dw.geometry.grid == forward.geometry.grid == (padded if len(padded) == 2 else (1, *padded))
    assert dw.grid.shape == forward.grid.shape and np.array_equal(dw.grid, forward.grid)
    assert np.array_equal(dw.filler, forward.filler)
    assert (dw.unread is None) == (forward.unread is None)
    if forward.unread is not None:
        assert np.array_equal(dw.unread, forward.unread)


TRANSPOSED = ops.operation("ConvTranspose2d").build


@pytest.mark.parametrize(
    "spec",
    [
        TRANSPOSED(input_shape=(1, 2, 2), out_channels=1, kernel_size=2, stride=2, dilation=2, output_padding=1),
        TRANSPOSED(input_shape=(2, 3, 2), out_channels=2, kernel_size=3, stride=2, padding=1, output_padding=1),
        TRANSPOSED(
            input_shape=(1, 2, 3), out_channels=1, kernel_size=2, stride=(1, 3), dilation=(3, 1), output_padding=(2, 2)
        ),
        ops.operation("ConvTranspose1d").build(
            input_shape=(1, 3), out_channels=1, kernel_size=2, stride=2, output_padding=1
        ),
    ],
    ids=repr,
)
def test_a_transposed_convolutions_dy_is_drawn_whole_in_every_picture(spec):
    """dy keeps its size: on the canvas in dx's and dw's pictures, with the cells output_padding
    adds past the canvas drawn (never read), so that every dy cell is there, where db draws it."""
    from convgif.animation import Look

    job = Job(spec, Look(), {"backward": True})
    dy = job.recording.grad_output.reshape(spec.out_channels, -1, spec.output_shape[-1])
    one_row = len(spec.input_shape) == 2
    rows, cols = (0, spec.padding[0]) if one_row else spec.padding
    for name in ("dx", "dw"):
        drawn = _part(job, name)
        assert drawn.geometry.grid == drawn.grid.shape[1:]
        own = ~drawn.filler
        assert own.sum() == dy[0].size  # every dy cell, none cropped off
        assert np.array_equal(drawn.grid[:, own].reshape(dy.shape), dy)
        assert np.array_equal(np.argwhere(own)[0], (rows, cols))
        canvas = tuple(
            (n - 1) * s + d * (k - 1) + 1
            for n, s, d, k in zip(spec.input_shape[1:], spec.stride, spec.dilation, spec.kernel_size)
        )
        past = np.zeros(drawn.grid.shape[1:], bool)
        past[1 if one_row else canvas[0] :, :] = True
        past[:, canvas[-1] :] = True
        if past.any():  # output_padding past what the kernels cover: there, and read by no step
            assert drawn.unread is not None and drawn.unread[past].all()
    assert np.array_equal(_part(job, "db").grid, dy)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(
    "spec",
    [
        CONV(input_shape=(1, 6, 6), out_channels=1, kernel_size=3, stride=2),
        CONV(input_shape=(4, 4, 4), out_channels=4, kernel_size=3, groups=2),
        ops.operation("Conv1d").build(input_shape=(2, 7), out_channels=2, kernel_size=3, stride=2, padding=1),
        ops.operation("Conv3d").build(input_shape=(1, 3, 4, 4), out_channels=1, kernel_size=2),
    ],
    ids=repr,
)
def test_dy_keeps_one_colour_for_each_value_in_every_picture(spec, theme):
    """dy is drawn in the same colours in dx's picture (its input), dw's (its kernels) and
    db's: a value has one colour throughout the animation, not a kernel's in dw alone."""
    from convgif.animation import Look

    job = Job(spec, Look(theme=theme), {"backward": True})
    seen = array_fills(job, "dy")
    assert len(seen) > 1
    assert all(len(colours) == 1 for colours in seen.values()), seen
    assert len({next(iter(c)) for c in seen.values()}) == len(seen)  # and each value its own


def _hued(frame: np.ndarray, box: tuple[int, int, int, int], pad: int, hues: set) -> bool:
    y0, y1, x0, x1 = box
    return bool(np.isin(frame[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad], list(hues)).any())


@pytest.mark.parametrize(
    "spec",
    [
        CONV(input_shape=(2, 4, 4), out_channels=2, kernel_size=3),
        ops.operation("Conv1d").build(input_shape=(2, 6), out_channels=2, kernel_size=3, stride=2),
        TRANSPOSED(input_shape=(2, 2, 2), out_channels=2, kernel_size=2, stride=2),
        ops.operation("Conv3d").build(input_shape=(2, 2, 3, 3), out_channels=2, kernel_size=2),
    ],
    ids=repr,
)
def test_a_frame_outlines_only_the_grids_its_step_reads_and_writes(spec):
    """In every picture of a one-group layer's backward pass (dw's too, whose own groups are its
    input channels), a frame draws its outlines round the inputs the step reads, the kernels it
    uses and the outputs it writes, and round nothing else: no grid is framed whole."""
    from convgif.animation import Look
    from convgif.picture.paint import THEMES

    job = Job(spec, Look(), {"backward": True})
    fresh = job._drawn()  # the same steps, to ask each what it reads and writes
    for part, layout, drawn in zip(job.parts, job.layouts, fresh):
        geo, s, m = layout.geometry, layout.cell, layout.metrics
        hues = {i for i, c in enumerate(part.scene.palette.colors) if tuple(c) in THEMES["light"].hues}
        pad = m.frame + 2 * m.stroke
        ho, wo = geo.out_size
        hp, wp = geo.grid
        assert not _hued(part.scene.image, (0, layout.height, 0, layout.width), 0, hues), geo.output_heading
        for step, frame in zip(range(layout.steps), part.frames(list(range(layout.steps)))):
            drawn.playback.advance(step)
            shown = drawn.playback.show(step)
            written = {w.channel for w in shown.writes}
            for co, (x, y) in layout.outputs.items():
                hued = _hued(frame, (y, y + ho * s, x, x + wo * s), pad, hues)
                assert hued == (co in written), (geo.output_heading, step, geo.output_label(co), hued)
            for c, (x, y) in layout.inputs.items():
                cells = shown.reads[c // geo.in_per_group].cells
                read = bool((cells[:, 0] == c).any())
                assert _hued(frame, (y, y + hp * s, x, x + wp * s), pad, hues) == read, (geo.output_heading, step, c)
                kernel = layout.kernels.get((c, shown.column))
                if read and kernel is not None:
                    kh, kw = geo.kernel
                    assert _hued(frame, (kernel[1], kernel[1] + kh * s, kernel[0], kernel[0] + kw * s), pad, hues)


def test_a_separable_convolutions_dd_keeps_the_colours_it_was_written_in():
    """dd, which the pointwise step's dx picture writes, is the depthwise step's dy: drawn in
    the colours it was written in wherever it is read, as dx's input and as dw_dw's kernels."""
    from convgif.animation import Look

    spec = ops.operation("separable").build(input_shape=(2, 5, 5), out_channels=2, kernel_size=3, padding=1)
    job = Job(spec, Look(theme="dark"), {"backward": True})
    assert [d.geometry.kernel_name for d in job.drawings if d.geometry.output_name == "dw_dw"] == ["dd"]
    seen = array_fills(job, "dd")
    assert len(seen) > 2 and all(len(colours) == 1 for colours in seen.values()), seen
