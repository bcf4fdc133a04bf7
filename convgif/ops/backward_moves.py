"""The backward pass of the layers that move values, drawn: a pooling's gradient routed back
window by window over its input (an average's beside dy alone), and each input cell's gradient
gathered from the output cells that copied or weighed it. See :mod:`convgif.ops.backward`."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, NamedTuple, Optional

import numpy as np

from ..engine.backward import Links
from ..engine.values import distinct
from ..picture.model import Drawn, Geometry, LazyReads, Reads, Step, Writes
from ..picture.numbers import format_value, magnitude, widest
from ..picture.sizes import WHOLE_SUM_TERMS
from .backward import span_text
from .depth_steps import ALONE, Count
from .gathered import at
from .sliding import position

# -- the gradient gathered: each input cell from the output cells that took it -------------------


def gather_geometry(
    layer: Any,
    caption: str,
    dims: int,
    in_channels: int,
    out_channels: int,
    grid: tuple[int, int],
    out_size: tuple[int, int],
    blame: Any,
    dy: str,
    dx: str,
    notes: tuple[str, ...],
    heading: str = "",
    terms: int = 4,
    groups: Optional[int] = None,
    weighed: bool = False,
) -> Geometry:
    """A picture whose step is one input position: each channel's ``dx`` cell gathers the
    ``dy`` cells (of ``grid``) that took its input cell, every channel at once (channel ``c``
    reads ``dy`` channels of its group). ``terms`` is about the most a cell gathers;
    ``weighed``: its cells were read with weights, each term written weight·dy (a line more)."""
    groups = groups or min(in_channels, out_channels)
    h, w = out_size
    last = at(dims, dx, out_channels - 1, h - 1, w - 1)
    entry = 2 * len(last) + 9 + terms * (len(last) + 2 * 4 + 8)  # a channel's, for numbers of 4 characters
    each = out_channels == groups  # an entry a group drawn, given the lines it needs
    return Geometry(
        layer=layer,
        caption=caption,
        dims=dims,
        in_channels=in_channels,
        out_channels=out_channels,
        groups=groups,
        grid=grid,
        kernel=None,
        out_size=out_size,
        steps_per_column=h * w,
        input_heading=heading or dy,
        input_name=dy,
        kernel_label=lambda i, j: "",
        blame=blame,
        notes=notes,
        output_label=lambda co: f"{dx}[{co}]",
        output_heading=f"{dx} = ∂L/∂x" if dx == "dx" else dx,
        output_name=dx,
        numbers=True,
        columns_take_turns=False,
        step_text=f"{dx} at {position(dims, h - 1, w - 1)} · step {h * w}/{h * w}",
        sum_chars=lambda chars, drawn: (1 if each else len(drawn[2])) * (entry + 2 * terms * (chars - 4) + 3),
        sum_each_group=each,
        sum_lines_most=WEIGHED_LINES if weighed else Geometry.sum_lines_most,
        value_chars=4,
    )


#: The lines a weighed gather's sum line takes at most: its sixteen terms written whole.
WEIGHED_LINES = 4


#: The most terms a gather picture's sum line names (2 when they have weights); more are written
#: by value only, in the order of the cells ringed.
NAMED_TERMS = 4

#: What a gather picture's step reads for one channel's cell: (flat dy cell, factor or None).
Sources = Callable[[int, int], Sequence[tuple[int, Optional[float]]]]


def gather_drawn(
    geometry: Geometry,
    dy: np.ndarray,
    dx: np.ndarray,
    sources: Sources,
    filler: Optional[np.ndarray] = None,
    reason: Optional[Callable[[int, int], str]] = None,
    names: Optional[Labels] = None,
    start: Optional[np.ndarray] = None,
    count: Count = ALONE,
) -> Drawn:
    """A gather picture: ``dy`` (C, H_out, W_out) on the left, ``dx`` (C, H, W) filling up on
    the right; ``sources(c, i)`` lists the cells (flat in ``dy``, channels first) dx's flat cell
    ``i`` of channel ``c`` gathers, each with its factor (None: 1); ``reason(c, i)`` adds words;
    ``names`` writes the elements and positions when the grids are not the arrays themselves
    (a depth slice of a 3-D layer); ``start`` is what dx holds before the picture, when an
    earlier one gathered into it too (each sum then adds to it); ``count`` where its steps stand
    among those of every depth slice."""
    return Drawn(
        geometry=geometry,
        grid=dy,
        filler=np.zeros(dy.shape[1:], bool) if filler is None else filler,
        kernels=None,
        output=dx,
        playback=_Gather(geometry, dy, dx, sources, reason, names, start, count),
        start=start,
        value_chars=widest(dy, dx) if start is None else widest(dy, dx, start),
    )


class Labels(NamedTuple):
    """How a gather picture writes an element of a grid, ``element(name, channel, y, x)`` (the
    channel the grid's, as drawn), and a position of dx, ``place(y, x)``."""

    element: Callable[[str, int, int, int], str]
    place: Callable[[int, int], str]


class _Gather:
    """The steps of a gather picture: input position k, row by row, every channel at once."""

    def __init__(
        self,
        geometry: Geometry,
        dy: np.ndarray,
        dx: np.ndarray,
        sources: Sources,
        reason: Any,
        names: Any = None,
        start: Optional[np.ndarray] = None,
        count: Count = ALONE,
    ) -> None:
        self.geometry, self.dy, self.dx, self.sources, self.reason = geometry, dy, dx, sources, reason
        self.start, self.count = start, count
        dims = geometry.dims
        self.names = names or Labels(lambda name, c, y, x: at(dims, name, c, y, x), lambda y, x: position(dims, y, x))
        self.scales = magnitude(dy), magnitude(dx)
        self.channels = range(dx.shape[0])

    def advance(self, step: int) -> list[Writes]:
        y, x = divmod(step, self.dx.shape[2])
        box = (y, x, y + 1, x + 1)
        return [Writes(c, np.array([y]), np.array([x]), self.dx[c, y : y + 1, x : x + 1], box) for c in self.channels]

    def show(self, step: int) -> Step:
        geo, (c_dy, h, w) = self.geometry, self.dy.shape
        y, x = divmod(step, self.dx.shape[2])
        per_out = geo.out_per_group
        found = {c: self.sources(c, step) for c in self.channels}

        def reads(group: int) -> Reads:
            cells = [
                np.unravel_index(cell, (c_dy, h, w))
                for c in range(group * per_out, (group + 1) * per_out)
                for cell, _ in found.get(c, ())
            ]
            cells = np.array(cells, np.int64).reshape(-1, 3)
            if not len(cells):
                return Reads(cells, (0, 0, 0, 0))
            (top, left), (bottom, right) = cells[:, 1:].min(axis=0), cells[:, 1:].max(axis=0) + 1
            return Reads(cells, (int(top), int(left), int(bottom), int(right)))

        dy_name, dx_name = geo.input_name, geo.output_name
        sums = []
        for c in self.channels:
            taken = found[c]
            names, values = [], []
            for cell, factor in taken:
                cc, cy, cx = np.unravel_index(cell, (c_dy, h, w))
                term = self.names.element(dy_name, int(cc), int(cy), int(cx))
                value = format_value(self.dy[cc, cy, cx], self.scales[0])
                if factor is not None:
                    shown = f"({value})" if value.startswith(("-", "−")) else value
                    term, value = f"{format_value(factor)}·{term}", f"{format_value(factor)}·{shown}"
                names.append(term)
                values.append(value)
            head = self.names.element(dx_name, c, y, x)
            total = format_value(self.dx[c, y, x], self.scales[1])
            held = "" if self.start is None else f"{format_value(self.start[c, y, x], self.scales[1])} + "
            if not taken:
                entry = f"{head} = 0: no output cell took it" if not self.dx[c, y, x] else f"{head} = {total}"
            elif len(taken) == 1 and taken[0][1] is None and not held:
                entry = f"{head} = {names[0]} = {total}"
            elif len(taken) > (NAMED_TERMS if all(f is None for _, f in taken) else 2):  # by value, row by row
                listed = _by_value(taken, [self.dy.flat[cell] for cell, _ in taken], dy_name)
                listed = f"({listed})" if held and not listed.startswith("Σ") else listed  # apart from what dx held
                entry = f"{head} = {held}{listed} = {total}"
            else:
                entry = f"{head} = {held}{' + '.join(names)} = {held}{' + '.join(values)} = {total}"
            if self.reason is not None:
                entry += self.reason(c, step)
            sums.append(entry.replace("+ -", "− ").replace("+ −", "− "))
        counted, total = self.count.at(step, self.dx.shape[1] * self.dx.shape[2])
        text = f"{dx_name} at {self.names.place(y, x)} · step {counted + 1}/{total}"
        return Step(0, LazyReads(reads), self.advance(step), text, tuple(sums), tuple(self.channels))


def _by_value(taken: Sequence[tuple[int, Optional[float]]], read: Sequence[Any], name: str = "dy") -> str:
    """A long gather's terms by value, one for each cell ringed, in their order: weighed, each
    its weight times its dy, the dy in brackets when negative, over a common denominator when
    the weights have one (bilinear's sixteenths: ``(1·2 − 3·(−1))/16``); else the dy with
    their signs folded in (``−1 + 2``); the sum by name where even that is longer than a sum
    line holds."""
    weighted = any(f is not None for _, f in taken)
    factors = np.array([1.0 if f is None else f for _, f in taken])
    weights, denominator = factors, 1
    for over in range(1, 65):
        scaled = factors * over
        if np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-9):
            weights, denominator = np.round(scaled).astype(np.int64), over
            break
    terms = []
    for weight, value in zip(weights, read):
        if weighted:  # the weight's sign between the terms, the dy as it is
            shown = format_value(value)
            shown = f"({shown})" if shown.startswith(("-", "−")) else shown
            terms.append(("− " if weight < 0 else "+ ") + f"{format_value(abs(weight))}·{shown}")
        else:
            terms.append(("− " if value < 0 else "+ ") + format_value(abs(value)))
    text = " ".join(terms)
    text = ("-" + text[2:]) if text.startswith("−") else text[2:]
    text = f"({text})/{denominator}" if denominator > 1 else text
    if len(text) > (LONGEST_WEIGHED_SUM if weighted else LONGEST_SUM):
        return f"Σ {'weight·' if weighted else ''}{name} over the {len(taken)} cells ringed"
    return text


#: The longest list of terms a gather picture writes (three lines of its narrowest sum line),
#: and a weighed one (four: a bilinear's sixteen terms of weight·dy).
LONGEST_SUM = 120
LONGEST_WEIGHED_SUM = 160


def gather_sources(links: Links, in_shape: tuple[int, ...]) -> Callable[[int, int], list[tuple[int, Optional[float]]]]:
    """``sources(c, i)`` of a gather picture from a layer's :class:`Links` (the input of
    ``in_shape``, channels first, drawn as (C, H, W)): the output cells that took each input
    cell, in output order (row by row, as the cells are ringed), with their factors (None
    where 1). An output cell that took the cell more than once (a bilinear output past the
    last input centre reads it with both of its taps, 3/4 + 1/4) is one term, its factors
    added: a sum has a term for each cell ringed."""
    plane = math.prod(in_shape[1:])
    order = np.argsort(links.cell, kind="stable")
    cells, outs = links.cell[order], links.out[order]
    factors = None if links.factor is None else links.factor[order]
    divisors = None if links.divisor is None else links.divisor[order]

    def sources(c: int, i: int) -> list[tuple[int, Optional[float]]]:
        start, stop = np.searchsorted(cells, [c * plane + i, c * plane + i + 1])
        found: dict[int, float] = {}
        for k in range(start, stop):
            factor = 1.0 if factors is None else float(factors[k])
            if divisors is not None:
                factor /= float(np.prod(divisors[k]))
            found[int(outs[k])] = found.get(int(outs[k]), 0.0) + factor
        return [(out, None if factor == 1 else factor) for out, factor in sorted(found.items()) if factor != 0]

    return sources


# -- the gradient routed back window by window -------------------------------------------------


def window_geometry(forward: Geometry, notes: tuple[str, ...], terms: int = 1) -> Geometry:
    """A pooling's backward picture from its forward one: the input as the forward pass drew it
    (windows over it), ``dy`` as the kernels (one per channel) and ``dx`` filling up; a step is
    one window, each channel's ``dy`` cell added to the input cells its window took."""
    c, dims = forward.in_channels, forward.dims
    ho, wo = forward.out_size
    h, w = forward.layer.input_shape[1:] if dims == 2 else (1, forward.layer.input_shape[-1])
    last = at(dims, "dx", c - 1, f"{h - 2}:{h}", f"{w - 2}:{w}")
    whole = terms <= WHOLE_SUM_TERMS
    return replace(
        forward,
        in_channels=c,
        out_channels=c,
        groups=c,
        kernel=(ho, wo),
        out_size=(h, w),
        steps_per_column=ho * wo,
        kernel_label=lambda i, j: f"dy[{i}]",
        kernel_heading="dy = ∂L/∂y",
        kernel_name="dy",
        kernels_are_values=True,
        output_label=lambda co: f"dx[{co}]",
        output_heading="dx = ∂L/∂x",
        output_name="dx",
        notes=notes,
        numbers=True,
        columns_take_turns=True,
        channels_shown=None,
        columns_shown=None,
        longest_step=None,  # its own step line, not that of the picture it is made from
        step_text=f"dy at {position(dims, ho - 1, wo - 1)} · step {ho * wo}/{ho * wo}",
        sum_chars=lambda chars, drawn: (1 if whole else len(drawn[2])) * (2 * len(last) + 40 + terms * (chars + 4)),
        sum_each_group=whole,  # a channel's entry, on the lines it needs
        value_chars=max(forward.value_chars, 4),
    )


#: The words a kind adds to a window's sum-line entry: (channel, output position) -> text.
Reason = Callable[[int, tuple[int, int]], str]


def window_drawn(
    geometry: Geometry,
    forward: Drawn,
    links: Links,
    dy: np.ndarray,
    in_shape: tuple[int, ...],
    reason: Any = None,
    start: Optional[np.ndarray] = None,
    route: Any = None,
) -> Drawn:
    """The backward picture of a pooling drawn as ``forward`` (the whole layer), whose gradient
    ``links`` route ``dy`` (C, *out) back onto an input of ``in_shape`` (C, *n); ``start`` is
    what dx holds before the first window (zeros unless given, of ``in_shape``); ``route``: the
    steps' class when not :class:`Route` (one that names the cells otherwise)."""
    c = in_shape[0]
    h, w = geometry.out_size
    ho, wo = geometry.kernel
    plane = np.asarray(dy, dtype=np.result_type(dy, np.int64)).reshape(c, 1, ho, wo)
    start = None if start is None else np.asarray(start).reshape(c, h, w)
    steps = route or Route
    route = lambda: steps(geometry, forward.playback, links, plane.reshape(c, ho, wo), (c, h, w), reason, start)  # noqa: E731
    final, low, high = route().run()
    kernel_values = distinct(plane)
    return Drawn(
        geometry=geometry,
        grid=forward.grid,
        filler=forward.filler,
        kernels=plane,
        output=final,
        playback=route(),
        start=np.zeros_like(final) if start is None else start.astype(final.dtype),
        value_chars=max(forward.value_chars, widest(final, np.array([low, high]), plane)),
        pixels=forward.pixels,
        filler_text=forward.filler_text,
        outside=forward.outside,
        extra={"span": (low, high)},
        kernel_values=kernel_values,
        unread=forward.unread,
    )


def share_geometry(forward: Geometry, notes: tuple[str, ...]) -> Geometry:
    """An average pooling's backward picture from its forward one: ``dy`` on the left and
    ``dx`` filling up on the right, a step one window, its dy cell ringed and shared by the
    input cells it covers, outlined on dx. An average's gradient takes none of the input's
    values, so the input is not drawn: two grids, not three, fit a page's column with cells
    wide enough for the fractions dx holds (the forward picture draws the windows over x)."""
    base = window_geometry(forward, (*notes, SHARED))
    return replace(
        base,
        grid=base.kernel,
        kernel=None,
        input_heading="dy = ∂L/∂y",
        input_name="dy",
        input_label=None,
        kernel_label=lambda i, j: "",
        kernel_heading="kernels",
        kernel_name="w",
        columns_take_turns=False,
    )


#: What an average's backward picture says of the input it does not draw.
SHARED = "x is not drawn (dx takes none of its values): each window is outlined on dx where it covers the input"


def share_drawn(
    geometry: Geometry, links: Links, dy: np.ndarray, in_shape: tuple[int, ...], reason: Optional[Reason] = None
) -> Drawn:
    """The picture of :func:`share_geometry`: ``links`` (an average's) share ``dy`` (C, *out)
    out over an input of ``in_shape`` (C, *n), window by window."""
    c = in_shape[0]
    h, w = geometry.out_size
    ho, wo = geometry.grid
    plane = np.asarray(dy, dtype=np.result_type(dy, np.int64)).reshape(c, ho, wo)
    route = lambda: _Share(geometry, None, links, plane, (c, h, w), reason)  # noqa: E731
    final, low, high = route().run()
    return Drawn(
        geometry=geometry,
        grid=plane,
        filler=np.zeros((ho, wo), bool),
        kernels=None,
        output=final,
        playback=route(),
        start=np.zeros_like(final),
        value_chars=widest(final, np.array([low, high]), plane),
        extra={"span": (low, high)},
    )


class Route:
    """Steps of a pooling's backward picture: window (output position) k, row by row, every
    channel at once, its ``dy`` added to the input cells its links name."""

    #: Where the steps stand among those of every picture of the gradient (a depth slice's)
    count: Count = ALONE

    def __init__(
        self,
        geometry: Geometry,
        forward: Any,
        links: Links,
        dy: np.ndarray,
        shape: tuple[int, int, int],
        reason: Any,
        start: Optional[np.ndarray] = None,
    ) -> None:
        self.geometry, self.forward, self.links, self.dy, self.reason = geometry, forward, links, dy, reason
        self.shape = shape
        terms = links.terms(dy)
        self.sums = np.zeros(shape, dtype=terms.dtype if terms.size else dy.dtype)
        if start is not None:
            self.sums = self.sums.astype(np.result_type(self.sums, start))
            self.sums[...] = start
        self.terms = terms
        self.bounds = np.searchsorted(links.out, np.arange(dy.size + 1))
        self.before: dict[int, np.ndarray] = {}
        self.scales = magnitude(dy), 0.0

    def run(self) -> tuple[np.ndarray, Any, Any]:
        """Every step played on a copy: the final sums and the lowest and highest a cell passes."""
        low = high = 0
        for step in range(self.dy.shape[1] * self.dy.shape[2]):
            for write in self.advance(step):
                low, high = min(low, write.values.min()), max(high, write.values.max())
        return self.sums, low, high

    def _cells(self, c: int, step: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        out = c * self.dy[0].size + step
        start, stop = self.bounds[out], self.bounds[out + 1]
        ys, xs = np.unravel_index(self.links.cell[start:stop] - c * self.shape[1] * self.shape[2], self.shape[1:])
        return ys, xs, self.terms[start:stop]

    def advance(self, step: int) -> list[Writes]:
        writes = []
        self.before = {}
        for c in range(self.shape[0]):
            ys, xs, terms = self._cells(c, step)
            if not len(ys):
                continue
            self.before[c] = self.sums[c].copy()
            np.add.at(self.sums[c], (ys, xs), terms)
            rows, cols = np.arange(ys.min(), ys.max() + 1), np.arange(xs.min(), xs.max() + 1)
            box = (int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1)
            writes.append(Writes(c, rows, cols, self.sums[c][np.ix_(rows, cols)].copy(), box))
        return writes

    def dy_text(self, c: int, oy: int, ox: int) -> str:
        """How the sum line names channel ``c``'s dy cell (oy, ox)."""
        return at(self.geometry.dims, "dy", c, oy, ox)

    def dx_text(self, c: int, y: Any, x: Any) -> str:
        """How the sum line names channel ``c``'s dx cells (rows ``y``, columns ``x``, as text)."""
        return at(self.geometry.dims, "dx", c, y, x)

    def where(self, oy: int, ox: int) -> str:
        """The step line's output position."""
        return position(self.geometry.dims, oy, ox)

    def said(self, c: int, step: int) -> bool:
        """Whether the sum line has an entry for channel ``c`` at ``step`` (every channel's here)."""
        return True

    def reads(self, step: int) -> Any:
        """What step ``step`` reads, per group: the window the forward picture outlines."""
        return self.forward.show(step).reads

    def ringed(self, oy: int, ox: int) -> Optional[tuple[int, int]]:
        """The cell ringed on the kernels (the window's dy cell)."""
        return (oy, ox)

    def show(self, step: int) -> Step:
        oy, ox = divmod(step, self.dy.shape[2])
        scale = magnitude(self.sums)
        sums, channels = [], []
        for c in range(self.shape[0]):
            if not self.said(c, step):
                continue
            channels.append(c)
            ys, xs, terms = self._cells(c, step)
            g = self.dy_text(c, oy, ox)
            value = format_value(self.dy[c, oy, ox], self.scales[0])
            if not len(ys):
                entry = f"{g} = {value} goes nowhere"
            elif len(ys) == 1:
                head = self.dx_text(c, int(ys[0]), int(xs[0]))
                before = format_value(self.before[c][ys[0], xs[0]], scale)
                factor = self._factor(c, step, 0)
                added = f"{value}{factor}" if factor else value
                entry = (
                    f"{head} = {before} + {g}{factor} = {before} + {added} = "
                    f"{format_value(self.sums[c, ys[0], xs[0]], scale)}"
                )
            else:
                head = self.dx_text(c, span_text(int(ys.min()), int(ys.max())), span_text(int(xs.min()), int(xs.max())))
                shared = len(set(np.asarray(terms).tolist())) == 1
                if shared:
                    factor = self._factor(c, step, 0)
                    entry = f"{head} += {g}{factor} = {value}{factor} = {format_value(terms[0], scale)} each"
                else:
                    listed = ", ".join(format_value(t, scale) for t in terms)
                    entry = f"{head} += {g}·∂y/∂x = {listed}"
            if self.reason is not None:
                entry += self.reason(c, (oy, ox))
            sums.append(entry.replace("+ -", "− "))
        counted, total = self.count.at(step, self.dy.shape[1] * self.dy.shape[2])
        text = f"dy at {self.where(oy, ox)} · step {counted + 1}/{total}"
        reads, ringed = self.reads(step), self.ringed(oy, ox)
        return Step(0, reads, self.advance_shown(step), text, tuple(sums), tuple(channels), ringed)

    def advance_shown(self, step: int) -> list[Writes]:
        """What step ``step`` wrote (it has been advanced): its cells' current values."""
        writes = []
        for c in range(self.shape[0]):
            ys, xs, _ = self._cells(c, step)
            if not len(ys):
                continue
            rows, cols = np.arange(ys.min(), ys.max() + 1), np.arange(xs.min(), xs.max() + 1)
            box = (int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1)
            writes.append(Writes(c, rows, cols, self.sums[c][np.ix_(rows, cols)].copy(), box))
        return writes

    def _factor(self, c: int, step: int, k: int) -> str:
        """`` / 4`` or `` · 0.5``: what a link does to ``dy`` (empty for 1)."""
        out = c * self.dy[0].size + step
        i = self.bounds[out] + k
        text = ""
        if self.links.factor is not None and self.links.factor[i] != 1:
            text += f" · {format_value(self.links.factor[i])}"
        if self.links.divisor is not None:
            text += f" / {format_value(np.prod(self.links.divisor[i]))}"
        return text


class _Share(Route):
    """The steps of :func:`share_drawn`: as a :class:`Route`'s, the dy cell ringed on the dy grid."""

    def reads(self, step: int) -> Any:
        oy, ox = divmod(step, self.dy.shape[2])
        return LazyReads(lambda c: Reads(np.array([[c, oy, ox]], np.int64), (oy, ox, oy + 1, ox + 1)))

    def ringed(self, oy: int, ox: int) -> Optional[tuple[int, int]]:
        return None
