"""Where everything goes in a frame, in whole pixels, computed from a layer's geometry alone.

Pure arithmetic (no matplotlib): it decides the cell size, which channels are shown, the
position of every grid, label and text line, and refuses, before anything is drawn, a
picture too large to be readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .drawing import Geometry
from .spec import TooLargeError


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
LEGEND_SWATCH = 8  # pixels per shade in the output colour scale
LEGEND_CHARS = 8  # room for each end's value
LEGEND_WIDTH = LABEL.width("scale ") + 2 * (LEGEND_CHARS + 1) * LABEL.advance + 16 * LEGEND_SWATCH


@dataclass(frozen=True)
class Layout:
    geometry: Geometry
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
    sum_width: int  # characters available for the running-sum line

    @property
    def steps(self) -> int:
        """Steps worth drawing: those of the kernel columns shown (all, unless there are many)."""
        columns = len(self.shown_columns) if self.geometry.columns_take_turns else 1
        return self.geometry.steps_per_column * columns

    def cell_box(self, origin: tuple[int, int], row: int, col: int) -> tuple[int, int, int, int]:
        """(y0, y1, x0, x1) of a cell's interior, grid lines excluded; slices are [y0:y1, x0:x1]."""
        x, y = origin
        s = self.cell
        return y + row * s + 1, y + (row + 1) * s, x + col * s + 1, x + (col + 1) * s


def _shown(spec: Geometry) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    cg_in, cg_out = spec.in_per_group, spec.out_per_group
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
    geometry: Geometry,
    values: bool = False,
    value_chars: int = 3,
    notes: tuple[str, ...] = (),
    max_width: Optional[int] = None,
) -> Layout:
    """Lay out the frames of ``geometry``, choosing the largest cell size that fits.

    With ``values``, cells are wide enough for numbers of ``value_chars`` characters; ``notes``
    are lines written under the caption (after the geometry's own); ``max_width`` caps the
    frame's width. Raises :class:`TooLargeError`, naming the argument to shrink, when nothing
    readable fits.
    """
    notes = (*geometry.notes, *notes)
    values = values or geometry.numbers
    if values:
        smallest = max(MIN_VALUE_CELL_PX, value_chars * CELL.advance + 4)
        largest = max(VALUE_CELL_PX, smallest)
    else:
        smallest, largest = MIN_CELL_PX, CELL_PX
    fits = (lambda lay: lay.width <= max_width) if max_width else (lambda lay: True)
    for cell in range(largest, smallest - 1, -1):
        layout = _plan(geometry, values, cell, notes)
        if max(layout.width, layout.height) <= FIT_SIDE_PX and fits(layout):
            return layout
    if max_width and not fits(layout):
        raise TooLargeError(
            "width",
            f"width={max_width} is too narrow: this picture needs {layout.width} pixels even at "
            f"{smallest}-pixel cells (its caption alone {CAPTION.width(geometry.caption) + 2 * MARGIN})",
        )
    if max(layout.width, layout.height) <= MAX_SIDE_PX:
        return layout
    hp, wp = geometry.grid
    ho, wo = geometry.out_size
    tall = layout.height / MAX_SIDE_PX >= layout.width / MAX_SIDE_PX
    argument, value, what = geometry.blame(0 if tall else 1)
    hint = f"shrink the {what} {'height' if tall else 'width'}"
    if values:
        hint = "draw it without values (numbers need large cells) or " + hint
    raise TooLargeError(
        argument,
        f"{argument}={value!r} is too large to draw: padded {hp}×{wp} cells with output "
        f"{ho}×{wo} need {layout.width}×{layout.height} pixels even at {smallest}-pixel cells, "
        f"over the {MAX_SIDE_PX}-pixel limit; {hint}",
    )


def _plan(spec: Geometry, values: bool, s: int, extra: tuple[str, ...]) -> Layout:
    g, caption = spec.groups, spec.caption
    cg_in, cg_out = spec.in_per_group, spec.out_per_group
    hp, wp = spec.grid
    ho, wo = spec.out_size
    kh, kw = spec.kernel or (0, 0)
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
    x_k = max(x_in + in_w + frame, x_in + LABEL.width(spec.input_heading) + GAP) + LINK_GAP
    if spec.kernel is not None:
        k_label = max(LABEL.width(spec.kernel_label(c, j)) for c in shown_in for j in columns)
        col_w = max(kw * s + 1, k_label)
        kernels = {
            (c, j): (x_k + i * (col_w + GAP), inputs[c][1])
            for c in shown_in
            for i, j in enumerate(columns)
        }
        k_right = x_k + len(columns) * (col_w + GAP) - GAP
    else:  # no weights: the output column follows the input
        kernels, k_right = {}, x_k - LINK_GAP

    # output column
    out_h = ho * s + 1
    out_w = wo * s + 1
    out_tops = _stack([lh + out_h] * len(shown_out), [co // cg_out for co in shown_out], body_top)
    x_out = k_right + LINK_GAP + frame
    outputs = {co: (x_out, t + lh) for co, t in zip(shown_out, out_tops)}
    out_labels = {co: spec.output_label(co) for co in shown_out}
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
    texts.append((spec.input_heading, LABEL, x_in, heads_y))
    if kernels:
        texts.append(("kernels", LABEL, x_k, heads_y))
    texts.append(("output", LABEL, x_out, heads_y))
    for c in shown_in:
        x, top = inputs[c]
        texts.append((f"x[{c}]", LABEL, x, top - lh))
        for j in columns if kernels else ():
            kx, ky = kernels[(c, j)]
            texts.append((spec.kernel_label(c, j), LABEL, kx, ky - lh))
    for co in shown_out:
        x, top = outputs[co]
        texts.append((out_labels[co], LABEL, x, top - lh))
    if more_in:
        texts.append((f"… {more_in} more", LABEL, x_in, in_bottom - LABEL.height))
    if more_out:
        texts.append((f"… {more_out} more", LABEL, x_out, more_out_y))

    return Layout(
        geometry=spec,
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
        sum_at=(MARGIN, sum_y),
        sum_width=(width - 2 * MARGIN) // CAPTION.advance,
    )
