"""Which part of a layer a render draws: every step in order, every term of a sum on screen.

A render never thins its steps: a layer with more steps than ``max_frames``, or too large to
draw readably within a page's column (or a slide, see :func:`~convgif.picture.sizes.fit_box`),
is drawn as a smaller part whose steps all play, in order. What is given up, in order of
preference, is:

1. kernel columns (output channels of a group), each picture only those it cannot fit (when
   every picture then fits);
2. whole groups of input channels (each group's sums stay complete);
3. the part of the output, down to a comfortable size (:data:`GOOD_SIDE` a side), then down to
   :data:`FEW_SIDE` a side (or the output's own side, where that is smaller): enough to watch the
   window move from an edge past the middle;
4. the input channels of one group, the sums then saying what the channels not drawn add;
5. the part below :data:`FEW_SIDE`, down to one output (each square followed by a strip one
   row shorter: a page's column stacks the channels, so a row costs more room than a column).

A layer with a picture whose sums cannot say what channels not drawn add (a pool over depth,
whose window reads every slice drawn as its channels) gives up 5 before 4: a window's slices
are all drawn down to one output.

The first part in that order that fits the box is drawn. Only when none does (a window too
wide for the column with the numbers it holds: a 1-D layer, drawn as one row, or a kernel read
whole) is a part drawn past the box: of those drawn readably, if any is, one whose window
still moves over :data:`FEW_SIDE` outputs a side and that a page shrinks at most
:data:`SHRINK_TO_MOVE` times, if any is; then the one that goes past the box least, then the
one at the largest cells, then the most preferred: a page shrinks a frame wider than its
column, and the part shrunk least stays readable.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple, Optional

from .. import ops
from ..errors import SpecError, TooLargeError
from ..ops.args import check_sizes, fmt
from ..picture.layout import plan
from ..picture.model import Region, shown
from ..picture.sizes import (
    KEYS_ROOM,
    KEYS_ROOM_WIDE,
    MAX_SHOWN_COLUMNS,
    MAX_SHOWN_IN,
    READABLE_CELL_PX,
    fit_box,
    kernel_channels,
)

if TYPE_CHECKING:
    import numpy as np

    from ..ops.base import Operation
    from . import Look


#: Output sizes tried, largest first, for an automatic part (per axis; four times as many
#: positions for a 1-D layer, drawn as one row).
REGION_SIDES = (32, 28, 24, 20, 16, 14, 12, 10, 8, 7, 6, 5, 4, 3, 2, 1)
#: A part at least this many outputs a side (or the whole output) is worth keeping before
#: kernel columns and groups are given up below it.
GOOD_SIDE = 8
#: A part keeps the window moving over at least this many outputs a side (or the whole output's
#: side, where smaller) before it leaves terms of a group's sums out: seeing the window move
#: teaches more than seeing every channel's terms, which the sums still account for.
FEW_SIDE = 3
#: When no part fits the box, one whose window still moves over :data:`FEW_SIDE` outputs is
#: preferred to a smaller one while a page shrinks it at most this many times.
SHRINK_TO_MOVE = 1.5
#: Input channels drawn of one group when not all of them can be: the sums then say what the
#: others add.
FEWER_TERMS = (3, 1)


class Selection(NamedTuple):
    """What the pictures draw besides their part of the output, one entry per picture: at most
    ``channels`` input channels (whole groups, unless ``partial``: fewer than a group reads) and
    at most ``columns`` kernel columns (None: as many as the layout shows)."""

    channels: tuple[Optional[int], ...]
    columns: tuple[Optional[int], ...]
    partial: bool = False

    def apply(self, geometries: list) -> list:
        """``geometries`` drawing what this selection draws."""
        return [
            replace(g, channels_shown=c, columns_shown=j) for g, c, j in zip(geometries, self.channels, self.columns)
        ]


class Choice(NamedTuple):
    """What a render draws: the view (its ``region`` the part of the output, or None for all of
    it), the geometries of its pictures, the selection applied to them, and whether the
    pictures fit the box of a page or a slide (else they are drawn as small as readable)."""

    view: dict
    geometries: list
    selection: Selection
    fits: bool = True

    @property
    def region(self) -> Optional[Region]:
        return self.view.get("region")


def resolve_region(spec: Any, look: Look, view: dict, max_frames: int = 0) -> dict:
    """``view`` with the part of the output to draw (see :func:`choose`)."""
    op = ops.of(spec)
    whole = op.geometries(spec, **{k: v for k, v in view.items() if k != "region"})
    return choose(op, spec, look, view, whole, max_frames).view


def choose(
    op: Operation,
    spec: Any,
    look: Look,
    view: dict,
    whole: list,
    max_frames: int = 0,
    pixels: Optional[np.ndarray] = None,
    value_chars: Optional[list[int]] = None,
) -> Choice:
    """The part of a layer a render draws (see the module's doc): the ``region`` of ``view``
    when given (checked, with as few kernel columns given up as its steps need), else the most
    preferred part whose steps number at most ``max_frames`` (0: any) and whose pictures fit
    the box with readable cells. ``whole`` holds the geometries of the layer drawn whole; each
    region tried is asked of ``op`` once. With ``pixels`` (a picture's input, (C, H, W)), a
    part smaller than the output is placed where the picture varies most, not in its corner.
    ``value_chars`` (per picture) are the widest numbers written, when known (else the
    geometries' estimates). A layer no part makes drawable raises the whole layer's refusal."""
    check_sizes(spec)
    rest = {k: v for k, v in view.items() if k != "region"}
    given = view.get("region")
    search, regions = _search(op, spec, look, view, whole, max_frames, pixels, value_chars)
    found = search.first(regions, given is not None)
    if found is None:
        raise search.refusal(spec, given, regions)
    region, selection, fits = found
    if pixels is not None and region is not None and given is None:
        region = _on_content(pixels, region, whole[0].out_size)
    chosen = {**rest, "region": region} if region is not None else rest
    return Choice(chosen, selection.apply(search.geometries(region)), selection, fits)


def refused_by_size(
    op: Operation, spec: Any, look: Look, view: dict, whole: list, pixels: Optional[np.ndarray] = None
) -> Optional[SpecError]:
    """The refusal :func:`choose` gives a layer whose single window is too large to draw even
    with numbers one character wide, else None: decided from sizes alone, before any value is
    computed, for a render with values (wider numbers only widen its cells and sums). Its
    words are those :func:`choose` writes for the numbers the geometries expect (as for a
    layer computed only in part, whose values are not known when its part is chosen)."""
    if view.get("region") is not None:
        return None
    search, regions = _search(op, spec, look, view, whole, 0, pixels, [1] * len(whole))
    try:
        candidates = list(search._candidates(regions))
        for region, selection in (c for c in candidates if c[0] == candidates[-1][0]):  # one output cell
            refusals = (search._picture(region, k, *shown)[1] for k, shown in enumerate(zip(*selection[:2])))
            if not any(isinstance(error, TooLargeError) and error.argument != "width" for error in refusals):
                return None  # a picture of it is drawn (or refused for another reason): the values decide
    except SpecError as error:
        if isinstance(error, TooLargeError):
            raise
        return None  # a part the kind does not draw (a backward pass is drawn whole): the values decide
    try:
        choose(op, spec, look, view, whole, 0, pixels)
    except SpecError as error:
        return error
    return None


def _search(
    op: Operation,
    spec: Any,
    look: Look,
    view: dict,
    whole: list,
    max_frames: int,
    pixels: Optional[np.ndarray],
    value_chars: Optional[list[int]],
) -> tuple[_Search, list]:
    """The search of :func:`choose` and the parts it tries, largest first."""
    rest = {k: v for k, v in view.items() if k != "region"}
    made: dict[Optional[Region], list] = {}
    asked: dict[Optional[Region], list] = {}

    def of_region(region: Optional[Region]) -> list:  # as the op makes them: enough to count steps
        if region not in made:
            made[region] = whole if region is None else op.geometries(spec, region=region, **rest)
        return made[region]

    def geometries(region: Optional[Region]) -> list:
        if region not in asked:
            parts = of_region(region)
            chars = value_chars or [g.value_chars for g in parts]
            asked[region] = [replace(g, value_chars=c) for g, c in zip(parts, chars)]
        return asked[region]

    given = view.get("region")
    out_size, dims = whole[0].out_size, whole[0].dims
    if given is not None:
        region = parse_region(given, dims, out_size)
        regions = [region if region.cuts(out_size) else None]
    else:
        regions = [region and op.placed(spec, region) for region in _regions(out_size, dims)]
    picture = None  # the whole picture shown small beside a part of it
    if pixels is not None and pixels.ndim == 3 and pixels.shape[0] in (1, 3) and dims == 2:
        picture = (int(pixels.shape[1]), int(pixels.shape[2]))
    return _Search(geometries, of_region, whole, look, max_frames, picture, out_size), regions


def draws_every_step(choice: Choice, whole: list) -> bool:
    """Whether ``choice`` plays every step of the layer drawn ``whole``: all of its output and
    every kernel column, and draws every output channel (a step of a grouped layer writes a cell
    in every group: one whose group is not drawn is never seen computed)."""
    return _plays_every_step(choice.region, choice.geometries, choice.selection, whole)


def _plays_every_step(region: Optional[Region], geometries: list, selection: Selection, whole: list) -> bool:
    """:func:`draws_every_step` of pictures of ``geometries`` drawing ``selection`` of ``region``."""
    played = sum(_steps(g, columns) for g, columns in zip(geometries, selection.columns))
    return region is None and played == sum(g.steps for g in whole) and _every_output(geometries)


def _every_output(geometries: list) -> bool:
    """Whether pictures of ``geometries`` draw every one of their output channels."""
    return all(len(shown(g)[2]) == g.out_channels for g in geometries)


def drawn_whole_by(
    op: Operation,
    spec: Any,
    look: Look,
    view: dict,
    whole: list,
    chosen: Choice,
    max_frames: int = 0,
    pixels: Optional[np.ndarray] = None,
    value_chars: Optional[list[int]] = None,
) -> dict[str, int]:
    """How to draw every step of a layer :func:`choose` draws in part to fit the box: the least
    ``width`` at ``look``'s scale, and the least ``scale`` at its width, under which the chooser
    draws every step (each left out when none does; nothing when a region was asked, when the
    part ``chosen`` plays every step already, or when they are more than ``max_frames``)."""
    asked, every = view.get("region") is not None, sum(g.steps for g in whole)
    if asked or draws_every_step(chosen, whole) or (max_frames and every > max_frames):
        return {}
    if not _every_output([replace(g, channels_shown=None, columns_shown=None) for g in whole]):
        return {}  # more output channels than a picture ever draws: no width draws them all

    def every_step(**changes: Any) -> bool:
        try:
            return _draws_every_step_within(op, spec, look._replace(**changes), view, whole, pixels, value_chars)
        except SpecError:
            return False

    from ..picture import MAX_SCALE
    from ..picture.sizes import MAX_SIDE_PX

    advice = {}
    narrow, wide = fit_box(look.scale, look.width)[0], MAX_SIDE_PX * look.scale
    if every_step(width=wide):
        while wide - narrow > 1:  # the least width that draws every step, the widest that does not
            middle = (narrow + wide) // 2
            narrow, wide = (narrow, middle) if every_step(width=middle) else (middle, wide)
        advice["width"] = wide
    larger = next((n for n in range(look.scale + 1, MAX_SCALE + 1) if every_step(scale=n)), None)
    if larger is not None:
        advice["scale"] = larger
    return advice


def _draws_every_step_within(
    op: Operation,
    spec: Any,
    look: Look,
    view: dict,
    whole: list,
    pixels: Optional[np.ndarray],
    value_chars: Optional[list[int]],
) -> bool:
    """Whether :func:`choose` draws every step of the layer within the box at ``look``. Only
    the candidates up to the last that can play every step are tried (the chooser takes the
    first that fits, and none after those plays every step); a part drawn past the box because
    none fits does not count."""
    search, regions = _search(op, spec, look, view, whole, 0, pixels, value_chars)
    candidates = list(search._candidates(regions))

    def plays_every_step(region: Optional[Region], selection: Selection) -> bool:
        return _plays_every_step(region, selection.apply(search.geometries(region)), selection, whole)

    last = max((i for i, candidate in enumerate(candidates) if plays_every_step(*candidate)), default=None)
    if last is None:
        return False
    found = search.first(regions, False, candidates[: last + 1])
    return found is not None and found[2] and plays_every_step(*found[:2])


class _Search:
    """The candidates of a part in order of preference, each checked: its steps against
    ``max_frames``, its pictures against the box of a page (readable cells)."""

    def __init__(
        self,
        geometries: Any,
        of_region: Any,
        whole: list,
        look: Look,
        max_frames: int,
        picture: Optional[tuple[int, int]] = None,
        out_size: tuple[int, int] = (1, 1),
    ) -> None:
        self.geometries, self.look, self.max_frames, self.picture = geometries, look, max_frames, picture
        self.out_size = out_size
        #: whether every picture's sums say what the input channels not drawn add (a kernel's
        #: terms do; a pool's window over depth slices, drawn as its channels, does not)
        self.accounts = all(g.kernel is not None for g in whole)
        #: each picture's verdict (with its refusal, and how far past the box it is drawn and at
        #: what cells), by region, picture, input channels and kernel columns drawn
        self.verdicts: dict[tuple, tuple[Optional[str], Optional[SpecError], tuple[float, int]]] = {}
        #: a region's geometries as the op makes them (without the widths of the numbers they
        #: write, which only their layouts need): enough to count its steps
        self.of_region = of_region
        self.channels = [_channel_options(g) for g in whole]
        self.columns = [_column_options(g) for g in whole]
        #: the candidate drawn when none fits the box, with its rank (see :meth:`_oversize`)
        self.fallback: Optional[tuple[Optional[Region], Selection, bool]] = None
        self.fallback_rank: Optional[tuple] = None
        self.fewest_steps: Optional[int] = None
        self.too_large: Optional[TooLargeError] = None
        #: the refusal, for ``--width``, of the part that needs the least width
        self.too_narrow: Optional[TooLargeError] = None
        self.refused: Optional[SpecError] = None

    def first(
        self, regions: list, given: bool, candidates: Optional[list] = None
    ) -> Optional[tuple[Optional[Region], Selection, bool]]:
        """The first of ``candidates`` (by default every candidate of ``regions``, in order of
        preference) that fits, else the one past the box least, else None."""
        candidates = list(self._candidates(regions)) if candidates is None else candidates
        least_checked = given
        for region, selection in candidates:
            try:
                made = self.of_region(region)
            except SpecError as error:
                self.refused = self.refused or error
                continue
            steps = sum(_steps(g, columns) for g, columns in zip(made, selection.columns))
            self.fewest_steps = steps if self.fewest_steps is None else min(steps, self.fewest_steps)
            if self.max_frames and steps > self.max_frames:
                continue
            fitted = self._fitted(region, selection)  # no more steps
            if fitted != selection and self._verdict(region, fitted, why=False) == "fits":
                return region, fitted, True
            verdict = self._verdict(region, selection)
            if verdict == "fits":
                return region, selection, True
            if verdict is None and not least_checked:  # when not even the least is drawn, no larger part is
                least_checked = True
                if self._none_drawn([c for c in candidates if c[0] == candidates[-1][0]]):
                    return None
            if verdict is not None:  # when none fits: the smallest drawn (the first of equals)
                rank = self._oversize(region, selection, readable=verdict == "readable")
                if self.fallback_rank is None or rank < self.fallback_rank:
                    self.fallback, self.fallback_rank = (region, selection, False), rank
        return self.fallback

    def _oversize(
        self, region: Optional[Region], selection: Selection, readable: bool
    ) -> tuple[bool, bool, float, int]:
        """The rank of a candidate drawn past the box, the smaller the better: whether it is
        not ``readable``, whether its window stops moving or a page shrinks it more than
        :data:`SHRINK_TO_MOVE` times, how far its pictures go past the box (the most any of them
        is shrunk to fit it, at least 1), then, when not readable, the smallest cells they are
        drawn at, negated (readable cells are not worth a kernel column)."""
        sizes = [self._picture(region, k, c, j)[2] for k, (c, j) in enumerate(zip(*selection[:2]))]
        cells = 0 if readable else -min(cell for _, cell in sizes)
        over = max(over for over, _ in sizes)
        still = (region is not None and not self._moves(region)) or over > SHRINK_TO_MOVE
        return not readable, still, over, cells

    def _none_drawn(self, least: list[tuple[Optional[Region], Selection]]) -> bool:
        """Whether every selection of the least part a render may draw (one output cell) is too
        large to draw: a layer whose single window is too large. (The fewest channels are not
        always the smallest picture: a narrow one wraps its notes onto more lines.)"""
        try:
            return all(self._verdict(region, selection) is None for region, selection in least) and (
                self.too_large is not None
            )
        except SpecError:
            return False

    def _fitted(self, region: Optional[Region], selection: Selection) -> Selection:
        """``selection`` with each picture drawing the most of its kernel columns asked that fit
        the box on their own (as many as asked when no fewer fit): a picture that fits more
        columns than the one beside it keeps them. Taken only when every picture then fits
        (a render past the box is the candidate that goes past it least)."""
        columns = list(selection.columns)
        for k, (asked, options) in enumerate(zip(selection.columns, self.columns)):
            for fewer in options[options.index(asked) :]:
                if self._picture(region, k, selection.channels[k], fewer)[0] == "fits":
                    columns[k] = fewer
                    break
        return selection._replace(columns=tuple(columns))

    def _verdict(self, region: Optional[Region], selection: Selection, why: bool = True) -> Optional[str]:
        """The least good of the pictures' verdicts (see :meth:`_picture`), None when one is not
        drawn: then, with ``why``, why is kept for a refusal (within a width, the width all of
        them need)."""
        rank = {"fits": 0, "readable": 1, "drawn": 2, None: 3}
        verdict: Optional[str] = "fits"
        narrow: list[TooLargeError] = []
        wider = True  # whether a wider limit draws every picture
        for k, (channels, columns) in enumerate(zip(selection.channels, selection.columns)):
            mine, error, _ = self._picture(region, k, channels, columns)
            verdict = max(verdict, mine, key=rank.__getitem__)
            if not why or error is None:
                continue
            if isinstance(error, TooLargeError) and error.argument == "width":
                narrow.append(error)
            else:
                wider = False
                if isinstance(error, TooLargeError):
                    self.too_large = error
                else:
                    self.refused = self.refused or error
        if narrow and wider:
            need = max(narrow, key=lambda error: error.least_width)
            if self.too_narrow is None or need.least_width < self.too_narrow.least_width:
                self.too_narrow = need  # the part that needs the least width
        return verdict

    def _candidates(self, regions: list) -> Iterator[tuple[Optional[Region], Selection]]:
        channel_levels = max(len(options) for options in self.channels)

        def level(options: list, i: int, levels: int = 0) -> Any:
            """Option ``i`` of a picture's ``options``, those of ``levels`` levels: counted from
            the last, so that a picture of fewer options (a separable's pointwise step beside
            its depthwise step) keeps its most while the others give theirs up."""
            return (
                options[max(0, min(i - (levels - len(options)), len(options) - 1))]
                if levels
                else options[min(i, len(options) - 1)]
            )

        column_levels = max(len(options) for options in self.columns)
        selections = [
            Selection(
                tuple(level(o, i, channel_levels)[0] for o in self.channels),
                tuple(level(o, j) for o in self.columns),
                any(level(o, i, channel_levels)[1] for o in self.channels),
            )
            for i in range(channel_levels)
            for j in range(column_levels)
        ]
        selections = list(dict.fromkeys(selections))
        complete = [c for c in selections if not c.partial]
        partial = [c for c in selections if c.partial]
        good = [r for r in regions if r is None or min(_sides(r)) >= GOOD_SIDE]
        moving = [r for r in regions if r not in good and self._moves(r)]
        few = [r for r in regions if r not in good and r not in moving]
        if self.accounts:  # the module's order: 1-2 within each of 3, 4, 5
            order = [(good + moving, complete), (good + moving, partial), (few, complete), (few, partial)]
        else:  # a window's channels kept down to one output
            order = [(regions, complete), (regions, partial)]
        for group, chosen in order:
            for region in group:
                for selection in chosen:
                    yield region, selection

    def _moves(self, region: Region) -> bool:
        """Whether the window moves over at least :data:`FEW_SIDE` outputs a side of ``region``
        (or as many as the output has, where fewer)."""
        out_h, out_w = self.out_size
        outs = (out_w,) if region.dims == 1 else (out_h, out_w)
        return all(side >= min(FEW_SIDE, out) for side, out in zip(_sides(region), outs))

    def _picture(
        self, region: Optional[Region], k: int, channels: Optional[int], columns: Optional[int]
    ) -> tuple[Optional[str], Optional[SpecError], tuple[float, int]]:
        """Picture ``k``'s verdict drawing ``channels`` and ``columns`` of ``region``: "fits"
        (the box, readably, in either arrangement), "readable" (larger than the box), "drawn"
        (only at cells too small to read) or None (not drawn at all, with the refusal), with
        the whole picture shown small beside a part when there is one; then the refusal, and
        how many times larger than the box the picture is (at least 1) and its cells."""
        key = (region, k, channels, columns)
        if key not in self.verdicts:
            geometry = replace(self.geometries(region)[k], channels_shown=channels, columns_shown=columns)
            self.verdicts[key] = self._laid(geometry, self.picture if region is not None else None)
        return self.verdicts[key]

    def _laid(
        self, geometry: Any, picture: Optional[tuple[int, int]]
    ) -> tuple[Optional[str], Optional[SpecError], tuple[float, int]]:
        """:meth:`_picture` of ``geometry`` laid out."""
        look = self.look
        try:
            layout = plan(
                geometry,
                look.values,
                geometry.value_chars,
                notes=look.notes,
                max_width=look.width,
                scale=look.scale,
                caption=not look.headless,
                picture=picture,
            )
        except SpecError as error:
            return None, error, (math.inf, 0)
        size = (_past_box(layout, look), layout.cell)
        if layout.cell < READABLE_CELL_PX * look.scale:
            return "drawn", None, size
        return "fits" if layout.fits_box else "readable", None, size

    def refusal(self, spec: Any, given: Any, regions: list) -> SpecError:
        """Why no part of the layer is drawn."""
        if self.max_frames and self.fewest_steps is not None and self.fewest_steps > self.max_frames:
            op = ops.of(spec)
            parts = "region" in op.views  # a kind drawn whole only has no smaller part
            where = (
                f"region={fmt(given)}"
                if given is not None
                else "the smallest part of this layer"
                if parts
                else f"this {op.name}"
            )
            remedy = "draw a smaller region or raise --max-frames" if parts else "raise --max-frames"
            return SpecError(
                "region" if given is not None else "max_frames",
                f"max_frames={self.max_frames} is fewer than the {self.fewest_steps:,} steps of {where}: convgif plays "
                f"every step of what it draws, in order; {remedy} (0 draws every step)",
            )
        error = self.too_narrow or self.too_large or self.refused
        if isinstance(error, TooLargeError) and error.argument == "input_shape":  # the cells one output reads
            return _window_refusal(spec, error)
        return error or SpecError("layer", "no part of this layer can be drawn")


def _past_box(layout: Any, look: Look) -> float:
    """How many times larger than the box of :func:`~convgif.picture.sizes.fit_box` (or its
    picture's own, for one that arranges itself) a ``layout`` is, with the room kept for its
    keys (at least 1: within it)."""
    own, wide = layout.geometry.arrangement, layout.arrangement == "landscape"
    box_w, box_h = own.fit_box(look.scale, look.width) if own is not None else fit_box(look.scale, look.width, wide)
    keys = (KEYS_ROOM_WIDE if wide else KEYS_ROOM) * layout.scale
    return max(1.0, layout.drawing[0] / box_w, (layout.keyless + keys) / box_h)


def most(geometry: Any) -> Any:
    """``geometry`` drawing the most any part of it may: every part chosen draws no more cells
    and numbers (its kernels: :func:`most_kernels`)."""
    return replace(
        geometry, channels_shown=_channel_options(geometry)[0][0], columns_shown=_column_options(geometry)[0]
    )


def most_kernels(geometry: Any) -> tuple[int, ...]:
    """The output channels whose kernels any part of ``geometry`` may draw: fewer kernel columns
    leave room for more groups (:func:`~convgif.picture.model.shown`)."""
    channels = _channel_options(geometry)[0][0]
    return tuple(
        sorted(
            {
                kernel
                for columns in _column_options(geometry)
                for kernel in kernel_channels(replace(geometry, channels_shown=channels, columns_shown=columns))
            }
        )
    )


def _channel_options(geometry: Any) -> list[tuple[int, bool]]:
    """The input channels to try, most first, each with whether terms are left out: whole
    groups (all of a group's terms), then a few channels of one group (the others' terms added
    up in the sums)."""
    cg, groups, at_most = geometry.in_per_group, geometry.groups, geometry.shown_most or MAX_SHOWN_IN
    options = []
    if cg <= at_most:
        most = max(1, min(groups, at_most // cg))
        options += [(k * cg, False) for k in range(most, 0, -1)]
    options += [(m, True) for m in FEWER_TERMS if m < cg]
    return options


def _column_options(geometry: Any) -> list[Optional[int]]:
    """The kernel columns to try, most first (a layer whose columns do not take turns: one)."""
    if geometry.kernel is None or not geometry.columns_take_turns:
        return [None]
    most = min(geometry.out_per_group, MAX_SHOWN_COLUMNS)
    return list(range(most, 0, -1))


def _steps(geometry: Any, shown: Optional[int]) -> int:
    """Steps a picture of ``geometry`` plays showing at most ``shown`` kernel columns (None: as
    many as drawn): every step of the columns it shows."""
    columns = min(geometry.out_per_group, MAX_SHOWN_COLUMNS, shown or MAX_SHOWN_COLUMNS)
    return geometry.steps_per_column * (columns if geometry.columns_take_turns else 1)


def _sides(region: Region) -> tuple[int, ...]:
    rows, cols = region.size
    return (cols,) if region.dims == 1 else (rows, cols)


def _regions(size: tuple[int, int], dims: int) -> Iterator[Optional[Region]]:
    """The whole output (None), then top-left parts, largest first: squares, each of at most
    :data:`FEW_SIDE` outputs a side followed by a strip one row shorter (a page's column stacks
    the channels: a row costs more room than a column); a 1-D layer's are rows of four times as
    many positions, then the last few."""
    yield None
    out_h, out_w = size
    seen = {(out_h, out_w) if dims == 2 else (1, out_w)}
    sides = [(side, side) for side in REGION_SIDES]
    for side, fewer in zip(REGION_SIDES, REGION_SIDES[1:]):
        if side <= FEW_SIDE:
            sides.insert(sides.index((side, side)) + 1, (fewer, side))
    if dims == 1:
        sides = [(1, 4 * side) for side in REGION_SIDES] + [(1, side) for side in (3, 2, 1)]
    for rows_side, cols_side in sides:
        rows = (0, min(rows_side, out_h))
        cols = (0, min(cols_side, out_w))
        if (rows[1], cols[1]) not in seen:
            seen.add((rows[1], cols[1]))
            yield Region(rows, cols, dims)


def _on_content(pixels: np.ndarray, region: Region, out_size: tuple[int, int]) -> Region:
    """``region`` moved to where the picture behind the output varies most (the output's
    positions mapped to the picture's proportionally), so that a part shows the picture's
    content rather than its blank corner; on ties, the first position in reading order."""
    import numpy as np

    (h, w), (rh, rw) = out_size, region.size
    _, ph, pw = pixels.shape
    best, where = -1.0, (0, 0)
    for r0 in sorted({round(i * (h - rh) / 8) for i in range(9)}):
        for c0 in sorted({round(i * (w - rw) / 8) for i in range(9)}):
            y0, y1 = r0 * ph // h, max(r0 * ph // h + 1, (r0 + rh) * ph // h)
            x0, x1 = c0 * pw // w, max(c0 * pw // w + 1, (c0 + rw) * pw // w)
            score = float(np.std(pixels[:, y0:y1, x0:x1]))
            if score > best + 1e-9:
                best, where = score, (r0, c0)
    r0, c0 = where
    return region._replace(rows=(r0, r0 + rh), cols=(c0, c0 + rw))


def _window_refusal(spec: Any, error: TooLargeError) -> TooLargeError:
    """The refusal of a layer not even one output cell of which can be drawn: its window (or
    scattered kernel) holds more cells than a picture can."""
    if not hasattr(spec, "kernel_size"):  # a kind without a window: the picture's own refusal says why
        return error
    dilated = max(getattr(spec, "dilation", None) or (1,)) > 1
    values = "draw it without values (numbers need large cells) or " if error.values else ""
    return TooLargeError(
        "kernel_size",
        f"kernel_size={fmt(spec.kernel_size)} is too large to draw: even one output cell and the input cells it "
        f"reads need {error.needs}; {values}shrink kernel_size{' or dilation' if dilated else ''} "
        "(`convgif info` describes the layer without drawing it)",
        error.needs,
        error.values,
    )


def parse_region(value: Any, dims: int, size: tuple[int, int]) -> Region:
    """A region given as ``"R0:R1,C0:C1"`` (``"C0:C1"`` for one axis), as ((r0, r1), (c0, c1)),
    or as a :class:`Region`; checked against the output's ``size``."""
    if isinstance(value, Region):
        region = value
    else:
        try:
            if isinstance(value, str):
                parts = [tuple(int(v) for v in part.split(":")) for part in value.replace(" ", "").split(",")]
            else:
                parts = [tuple(int(v) for v in part) for part in value]
            if dims == 1 and len(parts) == 1:
                parts = [(0, 1), *parts]
            (r0, r1), (c0, c1) = parts
        except (TypeError, ValueError):
            form = "'C0:C1'" if dims == 1 else "'R0:R1,C0:C1'"
            raise SpecError(
                "region", f"region={fmt(value)} must be output rows and columns as {form}, e.g. '0:8,0:8'"
            ) from None
        region = Region((r0, r1), (c0, c1), dims)
    out_h, out_w = size
    (r0, r1), (c0, c1) = region.rows, region.cols
    if not (0 <= r0 < r1 <= out_h and 0 <= c0 < c1 <= out_w):
        r0, r1, c0, c1 = (fmt(v) for v in (r0, r1, c0, c1))
        shown = f"{c0}:{c1}" if dims == 1 else f"{r0}:{r1},{c0}:{c1}"
        whole = f"0:{out_w}" if dims == 1 else f"0:{out_h},0:{out_w}"
        raise SpecError("region", f"region={shown} must lie within the output, {whole}, and hold at least one cell")
    return region
