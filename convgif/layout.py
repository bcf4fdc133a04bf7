"""Where everything goes in a frame, in whole pixels, computed from the spec alone.

Pure arithmetic (no matplotlib): it decides the cell size, which channels are shown, the
position of every grid, label and text line, and refuses, before anything is drawn, a
configuration too large to make a readable image.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Optional, Union

from .spec import Conv1dSpec, Conv2dSpec, ConvTranspose2dSpec, SpecError


@dataclass(frozen=True)
class TextStyle:
    """A monospaced text size: every character is ``advance`` pixels wide, lines ``height`` tall."""

    size: int
    advance: int
    height: int
    ascent: int

    def width(self, text: str) -> int:
        return len(text) * self.advance


# DejaVu Sans Mono (shipped with matplotlib), hinted: advances are whole pixels.
CAPTION = TextStyle(size=12, advance=7, height=15, ascent=12)
LABEL = TextStyle(size=10, advance=6, height=13, ascent=10)
CELL = TextStyle(size=10, advance=6, height=13, ascent=10)

MARGIN = 14
CELL_PX = 18  # default cell size
VALUE_CELL_PX = 22  # with --values: room for "-12" written inside
MIN_CELL_PX = 6
MIN_VALUE_CELL_PX = 20
FIT_SIDE_PX = 960  # cells shrink until the frame fits this (down to the minimum cell size)
MAX_SIDE_PX = 1800  # the longest side of a frame convgif will draw at all
GAP = 10  # between stacked grids
GROUP_GAP = 22  # between groups, which also get a coloured frame
LINK_GAP = 56  # between columns, where the connecting lines run
MAX_SHOWN_IN = 6
MAX_SHOWN_COLUMNS = 6
MAX_SHOWN_OUT = 8
#: Larger channel counts or sizes cannot be drawn (and would not fit in memory to compute).
MAX_ARGUMENT = 100_000
LEGEND_SWATCH = 8  # pixels per shade in the output colour scale
LEGEND_CHARS = 8  # room for each end's value
LEGEND_WIDTH = LABEL.width("scale ") + 2 * (LEGEND_CHARS + 1) * LABEL.advance + 16 * LEGEND_SWATCH
MAX_ELEMENTS = 20_000_000


class TooLargeError(SpecError):
    """The configuration is valid but cannot be drawn readably."""


@dataclass(frozen=True)
class Layout:
    spec: Conv2dSpec  # the geometry drawn: a Conv1d is drawn as its Conv2d over one row
    values: bool
    cell: int
    width: int
    height: int
    shown_in: tuple[int, ...]
    shown_columns: tuple[int, ...]
    shown_out: tuple[int, ...]
    #: top-left pixel of each shown grid: padded input per channel, kernel per
    #: (input channel, column), output per output channel.
    inputs: dict[int, tuple[int, int]]
    kernels: dict[tuple[int, int], tuple[int, int]]
    outputs: dict[int, tuple[int, int]]
    #: static texts: (text, style, x, y)
    texts: tuple[tuple[str, TextStyle, int, int], ...]
    step_at: tuple[int, int]
    sum_at: tuple[int, int]
    legend_at: tuple[int, int]  # the output colour scale, under the outputs
    caption: str  # the layer's own caption (Conv1d's, for a Conv1d)
    dims: int  # spatial axes of the layer: 1 or 2
    sum_width: int  # characters available for the running-sum line

    @property
    def steps(self) -> int:
        """Steps worth drawing: those of the kernel columns shown (all, unless there are many)."""
        return self.spec.steps // self.spec.out_per_group * len(self.shown_columns)

    def cell_box(self, origin: tuple[int, int], row: int, col: int) -> tuple[int, int, int, int]:
        """(y0, y1, x0, x1) of a cell's interior, grid lines excluded; slices are [y0:y1, x0:x1]."""
        x, y = origin
        s = self.cell
        return y + row * s + 1, y + (row + 1) * s, x + col * s + 1, x + (col + 1) * s


def _shown(spec: Conv2dSpec) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    g = spec.groups
    cg_in, cg_out = spec.in_channels // g, spec.out_channels // g
    shown_in = tuple(range(min(spec.in_channels, MAX_SHOWN_IN)))
    columns = tuple(range(min(cg_out, MAX_SHOWN_COLUMNS)))
    groups = sorted({c // cg_in for c in shown_in})
    shown_out = tuple(
        co for co in range(spec.out_channels) if co // cg_out in groups and co % cg_out in columns
    )[:MAX_SHOWN_OUT]
    return shown_in, columns, shown_out


def _stack(heights: list[int], groups: list[int], top: int) -> list[int]:
    """Tops of blocks stacked downwards, with a wider gap where the group changes."""
    tops, y = [], top
    for i, (h, g) in enumerate(zip(heights, groups)):
        if i:
            y += GROUP_GAP if g != groups[i - 1] else GAP
        tops.append(y)
        y += h
    return tops


def plan(
    spec: Union[Conv2dSpec, Conv1dSpec, ConvTranspose2dSpec],
    values: bool = False,
    value_chars: int = 3,
    caption: Optional[str] = None,
    notes: tuple[str, ...] = (),
    max_width: Optional[int] = None,
) -> Layout:
    """Lay out the frames of ``spec``, choosing the largest cell size that fits.

    With ``values``, cells are wide enough for numbers of ``value_chars`` characters; ``caption``
    replaces the spec's own (a layer drawn as another); ``notes`` are lines written under it;
    ``max_width`` caps the frame's width. Raises :class:`TooLargeError`, naming the argument to
    shrink, when nothing readable fits.
    """
    caption, dims = caption or spec.caption, spec.DIMS
    if isinstance(spec, Conv1dSpec):
        spec = spec.as_conv2d()
    _check_arguments(spec)
    if values:
        smallest = max(MIN_VALUE_CELL_PX, value_chars * CELL.advance + 4)
        largest = max(VALUE_CELL_PX, smallest)
    else:
        smallest, largest = MIN_CELL_PX, CELL_PX
    fits = (lambda lay: lay.width <= max_width) if max_width else (lambda lay: True)
    for cell in range(largest, smallest - 1, -1):
        layout = _plan(spec, values, cell, caption, dims, notes)
        if max(layout.width, layout.height) <= FIT_SIDE_PX and fits(layout):
            return layout
    if max_width and not fits(layout):
        raise TooLargeError(
            "width",
            f"width={max_width} is too narrow: this picture needs {layout.width} pixels even at "
            f"{smallest}-pixel cells (its caption alone {CAPTION.width(caption) + 2 * MARGIN})",
        )
    if max(layout.width, layout.height) <= MAX_SIDE_PX:
        return layout
    _, hp, wp = spec.padded_shape
    _, ho, wo = spec.output_shape
    tall = layout.height / MAX_SIDE_PX >= layout.width / MAX_SIDE_PX
    axis = 0 if tall else 1
    padded = max(spec.padding[axis], 0) + max(spec.padding_end[axis], 0)
    argument = "padding" if padded > spec.input_shape[1 + axis] else "input_shape"
    value = spec.padding_arg if argument == "padding" else spec.input_shape
    side = "height" if tall else "width"
    hint = f"shrink the {'padding' if argument == 'padding' else 'input'} {side}"
    if values:
        hint = "draw it without values (numbers need large cells) or " + hint
    raise TooLargeError(
        argument,
        f"{argument}={value!r} is too large to draw: padded {hp}×{wp} cells with output "
        f"{ho}×{wo} need {layout.width}×{layout.height} pixels even at {smallest}-pixel cells, "
        f"over the {MAX_SIDE_PX}-pixel limit; {hint}",
    )


def _check_arguments(spec: Conv2dSpec) -> None:
    """Refuse sizes no picture can show, before any arithmetic is done with them."""
    sizes = {
        "input_shape": max(spec.input_shape),
        "out_channels": spec.out_channels,
        "kernel_size": max(spec.kernel_size),
        "stride": max(spec.stride),
        "padding": max(max(spec.padding), max(spec.padding_end)),
        "dilation": max(spec.dilation),
    }
    for argument, size in sizes.items():
        if size > MAX_ARGUMENT:
            value = getattr(spec, "padding_arg" if argument == "padding" else argument)
            raise TooLargeError(
                argument,
                f"{argument}={value!r} is too large to draw: convgif draws sizes up to {MAX_ARGUMENT:,}",
            )
    total = _numbers(spec)
    if total > MAX_ELEMENTS:
        argument = _culprit(spec)
        value = getattr(spec, "padding_arg" if argument == "padding" else argument)
        raise TooLargeError(
            argument,
            f"{argument}={value!r} is too large to draw: the layer holds {total:,} numbers, "
            f"over the {MAX_ELEMENTS:,} convgif computes",
        )


def _numbers(spec) -> int:
    """How many numbers recording ``spec`` holds: padded input, weights and output."""
    weights = spec.out_channels * spec.in_per_group * math.prod(spec.kernel_size)
    return math.prod(spec.padded_shape) + weights + math.prod(spec.output_shape)


def _culprit(spec) -> str:
    """The argument to blame for a layer too large to compute: of those whose least value
    alone would make it small enough, the one furthest above that value (else the one whose
    least value shrinks it most)."""
    channels, *spatial = spec.input_shape
    candidates = [  # (argument, its least value, how far above that it is)
        ("input_shape", (spec.groups, *spatial), spec.in_per_group),
        ("input_shape", (channels, *(1 for _ in spatial)), math.prod(spatial)),
        ("out_channels", spec.groups, spec.out_per_group),
        ("kernel_size", 1, math.prod(spec.kernel_size)),
        ("stride", 1, math.prod(spec.stride)),
        ("dilation", 1, math.prod(spec.dilation)),
        ("padding", 0, 1 + max(spec.padding)),
    ]
    tried = []
    for argument, value, ratio in candidates:
        try:
            tried.append((argument, _numbers(dataclasses.replace(spec, **{argument: value})), ratio))
        except (ValueError, TypeError):
            continue
    fixes = [(ratio, argument) for argument, total, ratio in tried if total <= MAX_ELEMENTS]
    if fixes:
        return max(fixes)[1]
    return min(tried, key=lambda t: t[1])[0] if tried else "input_shape"


def _plan(spec: Conv2dSpec, values: bool, s: int, caption: str, dims: int, extra: tuple[str, ...]) -> Layout:
    g = spec.groups
    cg_in, cg_out = spec.in_channels // g, spec.out_channels // g
    _, hp, wp = spec.padded_shape
    _, ho, wo = spec.output_shape
    kh, kw = spec.kernel_size
    shown_in, columns, shown_out = _shown(spec)
    lh = LABEL.height + 2
    frame = 3 if g > 1 else 0  # group frames sit just outside the grid

    texts: list[tuple[str, TextStyle, int, int]] = []
    y = MARGIN
    caption_y = y
    y += CAPTION.height + 4
    step_at_y = y
    y += CAPTION.height + 2
    sum_y = y
    if values:
        y += CAPTION.height + 2
    notes = []
    if len(shown_in) < spec.in_channels:
        notes.append(f"showing {len(shown_in)} of {spec.in_channels} input channels")
    if len(shown_out) < spec.out_channels:
        notes.append(f"{len(shown_out)} of {spec.out_channels} output channels")
    lines = ([", ".join(notes)] if notes else []) + list(extra)
    note_ys = [y + i * (LABEL.height + 2) for i in range(len(lines))]
    y += len(lines) * (LABEL.height + 2)
    heads_y = y + 8
    body_top = heads_y + LABEL.height + 6

    # input column
    in_h = hp * s + 1
    row_h = max(hp, kh) * s + 1  # a transposed layer's kernel can be taller than its input
    in_w = wp * s + 1
    in_tops = _stack([lh + row_h] * len(shown_in), [c // cg_in for c in shown_in], body_top)
    x_in = MARGIN + frame
    inputs = {c: (x_in, t + lh) for c, t in zip(shown_in, in_tops)}
    in_bottom = in_tops[-1] + lh + row_h + frame
    more_in = spec.in_channels - len(shown_in)
    if more_in:
        in_bottom += 4 + LABEL.height

    # kernel matrix: rows next to their input channel, one column per out channel of a group
    k_label = max(LABEL.width(_kernel_label(spec, c, j)) for c in shown_in for j in columns)
    col_w = max(kw * s + 1, k_label)
    x_k = x_in + in_w + frame + LINK_GAP
    kernels = {
        (c, j): (x_k + i * (col_w + GAP), inputs[c][1])
        for c in shown_in
        for i, j in enumerate(columns)
    }
    k_right = x_k + len(columns) * (col_w + GAP) - GAP

    # output column
    out_h = ho * s + 1
    out_w = wo * s + 1
    out_tops = _stack([lh + out_h] * len(shown_out), [co // cg_out for co in shown_out], body_top)
    x_out = k_right + LINK_GAP + frame
    outputs = {co: (x_out, t + lh) for co, t in zip(shown_out, out_tops)}
    out_labels = {co: _output_label(co) for co in shown_out}
    out_right = x_out + max(out_w, max(LABEL.width(t) for t in out_labels.values())) + frame
    out_bottom = out_tops[-1] + lh + out_h + frame
    more_out = spec.out_channels - len(shown_out)
    if more_out:
        out_bottom += 4 + LABEL.height
    more_out_y = out_bottom - LABEL.height
    legend_at = (x_out, out_bottom + 8)
    out_bottom = legend_at[1] + LABEL.height
    out_right = max(out_right, x_out + LEGEND_WIDTH)

    width = max(out_right, MARGIN + CAPTION.width(caption), *(MARGIN + LABEL.width(t) for t in lines)) + MARGIN
    height = max(in_bottom, out_bottom, body_top + kh * s) + MARGIN

    texts.append((caption, CAPTION, MARGIN, caption_y))
    texts += [(line, LABEL, MARGIN, line_y) for line, line_y in zip(lines, note_ys)]
    sizes = list(zip(spec.padded_shape[1:], spec.input_shape[1:]))
    state = [word for word, on in (("padded", any(p > n for p, n in sizes)), ("cropped", any(p < n for p, n in sizes))) if on]
    texts.append((f"input ({', '.join(state)})" if state else "input", LABEL, x_in, heads_y))
    texts.append(("kernels", LABEL, x_k, heads_y))
    texts.append(("output", LABEL, x_out, heads_y))
    for c in shown_in:
        x, top = inputs[c]
        texts.append((f"x[{c}]", LABEL, x, top - lh))
        for j in columns:
            kx, ky = kernels[(c, j)]
            texts.append((_kernel_label(spec, c, j), LABEL, kx, ky - lh))
    for co in shown_out:
        x, top = outputs[co]
        texts.append((out_labels[co], LABEL, x, top - lh))
    if more_in:
        texts.append((f"… {more_in} more", LABEL, x_in, in_bottom - LABEL.height))
    if more_out:
        texts.append((f"… {more_out} more", LABEL, x_out, more_out_y))

    return Layout(
        spec=spec,
        values=values,
        cell=s,
        width=width,
        height=height,
        shown_in=shown_in,
        shown_columns=columns,
        shown_out=shown_out,
        inputs=inputs,
        kernels=kernels,
        outputs=outputs,
        texts=tuple(texts),
        step_at=(MARGIN, step_at_y),
        legend_at=legend_at,
        caption=caption,
        dims=dims,
        sum_at=(MARGIN, sum_y),
        sum_width=(width - 2 * MARGIN) // CAPTION.advance,
    )


def _kernel_label(spec: Conv2dSpec, c: int, j: int) -> str:
    """Label of the kernel that output channel j (of c's group) applies to input channel c."""
    cg_in, cg_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    group = c // cg_in
    return f"w[{group * cg_out + j},{c % cg_in}]"


def _output_label(co: int) -> str:
    return f"y[{co}]"
