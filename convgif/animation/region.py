"""Which part of a layer a render draws: the region given, or the largest readable one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Optional

from .. import ops
from ..errors import SpecError, TooLargeError
from ..ops.args import check_sizes, fmt
from ..picture.layout import plan
from ..picture.model import Region

if TYPE_CHECKING:
    from ..ops.base import Operation
    from . import Look


#: A layer is drawn whole when its cells are at least this many pixels wide (at scale 1) and
#: the picture at most READABLE_SIDE_PX on its longer side; else a region of it is, if one is.
READABLE_CELL_PX = 10


READABLE_SIDE_PX = 1000


#: Output sizes tried, largest first, for an automatic region (per axis; more on one axis).
REGION_SIDES = (32, 28, 24, 20, 16, 14, 12, 10, 8, 7, 6, 5, 4, 3, 2, 1)


#: Input channels a part draws, fewest last, when the layout's own number makes it too tall:
#: preferred are a part of at least GOOD_SIDES[0] outputs a side with several channels, then
#: one of at least GOOD_SIDES[1] (with one channel if each is computed apart from the others),
#: then any part.
FEWER_CHANNELS = (3, 1)


GOOD_SIDES = (8, 4)


def resolve_region(spec: Any, look: Look, view: dict) -> dict:
    """``view`` with the part of the output to draw (see :func:`choose_region`)."""
    check_sizes(spec)
    op = ops.of(spec)
    whole = op.geometries(spec, **{k: v for k, v in view.items() if k != "region"})
    return choose_region(op, spec, look, view, whole)[0]


def choose_region(op: Operation, spec: Any, look: Look, view: dict, whole: list) -> tuple[dict, list]:
    """``view`` with the part of the output to draw, and the geometries of the pictures of that
    view: the ``region`` given (checked, with fewer input channels if they make it readable),
    or, for a layer too large to draw whole readably, the largest top-left region that is;
    ``view`` unchanged for a layer drawn whole. ``whole`` holds the geometries of the layer
    drawn whole (``view`` without its region); they, and those of each region tried, are asked
    of ``op`` once. A layer no region makes drawable raises the whole layer's refusal."""
    check_sizes(spec)
    rest = {k: v for k, v in view.items() if k != "region"}
    tried: dict[Region, list] = {}

    def geometries(region: Region) -> list:
        if region not in tried:
            tried[region] = op.geometries(spec, region=region, **rest)
        return tried[region]

    def fits(parts: list) -> bool:
        """Whether pictures of these geometries are drawn readably: cells of a readable size in
        a picture of at most about ``READABLE_SIDE_PX``."""
        for geometry in parts:
            layout = plan(
                geometry, look.values, geometry.value_chars, notes=look.notes, max_width=look.width, scale=look.scale
            )
            if layout.cell < READABLE_CELL_PX * look.scale or max(layout.drawing) > READABLE_SIDE_PX * look.scale:
                return False
        return True

    given = view.get("region")
    if given is not None:
        given = parse_region(given, whole[0].dims, whole[0].out_size)
        for fewer in (None, *FEWER_CHANNELS):  # the part given, with fewer channels if it needs them
            region = replace(given, channels=fewer)
            try:
                if fits(geometries(region)):
                    return {**rest, "region": region}, tried[region]
            except SpecError:
                continue
        return {**rest, "region": given}, geometries(given)
    if all(_small(geometry, look.scale) for geometry in whole):
        return view, whole  # plainly drawable whole: no need to lay it out twice
    refused: Optional[SpecError] = None
    try:
        if fits(whole):
            return view, whole
    except SpecError as whole_refusal:
        refused = whole_refusal
    return _search(spec, rest, whole, geometries, fits, refused) or (view, whole)


def _search(
    spec: Any,
    rest: dict,
    whole: list,
    geometries: Callable[[Region], list],
    fits: Callable[[list], bool],
    refused: Optional[SpecError],
) -> Optional[tuple[dict, list]]:
    """The largest top-left region of a layer not readable whole that is (its view and
    geometries), trying parts with several channels first; failing that, for a layer the whole
    of which is ``refused``, the smallest part drawn at all, else that refusal (or, when not even
    one output cell can be drawn, the window's). None when the layer is drawn whole after all."""
    out_h, out_w = whole[0].out_size
    dims = whole[0].dims
    drawable: Optional[Region] = None  # the smallest part drawn at all, if none is readably
    # channels computed apart (pooling, depthwise) lose nothing drawn one by one: a larger part is better
    apart = all(geometry.groups == geometry.in_channels for geometry in whole)
    fewest = FEWER_CHANNELS if apart else FEWER_CHANNELS[:-1]
    tries = [(side, fewer) for side in REGION_SIDES if side >= GOOD_SIDES[0] for fewer in (None, *FEWER_CHANNELS[:-1])]
    tries += [(side, fewer) for side in REGION_SIDES if side >= GOOD_SIDES[1] for fewer in (None, *fewest)]
    tries += [(side, fewer) for side in REGION_SIDES for fewer in (None, *FEWER_CHANNELS)]
    tries = list(dict.fromkeys(tries))  # each part laid out once
    smallest: Optional[TooLargeError] = None  # why even the smallest part cannot be drawn
    try:  # when not even one output cell can be drawn, no larger part can: no need to lay each out
        fits(geometries(Region((0, 1), (0, 1), dims, FEWER_CHANNELS[-1])))
    except TooLargeError as error:
        smallest, tries = error, []
    except SpecError:
        pass
    for side, fewer in tries:
        rows = (0, min(side, out_h)) if dims == 2 else (0, 1)
        region = Region(rows, (0, min(side * (4 if dims == 1 else 1), out_w)), dims, fewer)
        try:
            if fits(geometries(region)):
                return {**rest, "region": region}, geometries(region)
        except TooLargeError as error:
            smallest = error
            continue
        except SpecError:
            continue
        drawable = region
    if refused is None:
        return None  # drawable whole, if not as readably as hoped: no region is better
    if drawable is not None:
        return {**rest, "region": drawable}, geometries(drawable)
    if smallest is not None and smallest.argument == "input_shape":  # the cells one output reads
        raise _window_refusal(spec, smallest) from None
    raise refused


def _window_refusal(spec: Any, error: TooLargeError) -> TooLargeError:
    """The refusal of a layer not even one output cell of which can be drawn: its window (or
    scattered kernel) holds more cells than a picture can."""
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


def _small(geometry: Any, scale: int) -> bool:
    """Whether a picture is plainly within READABLE_SIDE_PX at full-size cells (a generous
    overestimate of the layout, without laying it out)."""
    from ..picture.sizes import CELL_PX

    hp, wp = geometry.grid
    ho, wo = geometry.out_size
    kh, kw = geometry.kernel or (0, 0)
    stacked_in = min(geometry.in_channels, 6) * (max(hp, kh) + 3)
    stacked_out = min(geometry.out_channels, 8) * (ho + 3)
    across = wp + min(geometry.out_per_group, 6) * (kw + 2) + wo + 20
    return max(stacked_in, stacked_out, across) * CELL_PX * scale + 300 * scale <= READABLE_SIDE_PX * scale


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
