"""What the backward tests share about a grouped convolution's gradient pictures: the grids one
step writes, from PyTorch's group arithmetic alone (input channel c is in group c // (C_in/G),
output channel o in group o // (C_out/G)), and what a step line says it writes."""

from __future__ import annotations

import re

from convgif.picture.cells import cells
from convgif.picture.sizes import STEP_BREAK, wrap

_GRID = re.compile(r"(\w+)\[([\d, ]+)\]")
_COUNTED = re.compile(r"one (?:in|for) each of (\d+) (groups|\w+ channels) not drawn")


def index(label: str) -> tuple[int, ...]:
    """``dw[2,0,1]`` -> (2, 0, 1)."""
    return tuple(int(v) for v in _GRID.fullmatch(label).group(2).split(","))


def said(text: str) -> tuple[set, set, int, str]:
    """What a step line (``dx[0], dx[2] · and dx[4], dx[6] not drawn · (0, 0) · step 1/81``) says
    its step writes: the grids drawn, the grids named as not drawn, and how many not drawn it
    counts without naming them, and as what (``groups``, ``x channels``)."""
    heads, *parts = text.split(" · ")
    rest = parts[0][len("and ") :] if parts[0].startswith("and ") else ""
    drawn = {index(m.group(0)) for m in _GRID.finditer(heads)}
    counted = _COUNTED.fullmatch(rest)
    if counted:
        return drawn, set(), int(counted.group(1)), counted.group(2)
    assert not rest or rest.endswith(" not drawn"), text
    return drawn, {index(m.group(0)) for m in _GRID.finditer(rest)}, 0, ""


def written(spec, gradient: str, grid: tuple[int, ...]) -> tuple[set, str]:
    """Every grid of ``gradient`` (dx, dxp or dw, indexed as the picture labels them: a 3-D
    layer's with its depth last) that the step writing ``grid`` writes, one at the same place
    in each group: dx[c] in every group (of C_in/G channels); a convolution's dw[o, i] (weight
    (C_out, C_in/G, ...)) for each input channel, its group's output channel at o's place; a
    transposed convolution's dw[c, o] (weight (C_in, C_out/G, ...)) for each dy channel, its
    group's input channel at c's place. With what a step line counts them as, many."""
    g = spec.groups
    cig, cog = spec.in_channels // g, spec.out_channels // g
    if gradient in ("dx", "dxp"):
        return {(k * cig + grid[0] % cig, *grid[1:]) for k in range(g)}, "groups"
    if "Transpose" not in type(spec).__name__:
        return {(k * cog + grid[0] % cog, i, *grid[2:]) for k in range(g) for i in range(cig)}, "x channels"
    return {(k * cig + grid[0] % cig, o, *grid[2:]) for k in range(g) for o in range(cog)}, "dy channels"


def check_steps(spec, job, exact_room: bool = True) -> tuple[int, int]:
    """Play every step of every gradient picture of ``job`` (a render of ``spec``'s backward
    pass) with a kernel: each step line names the grids drawn that its step writes, and those it
    writes in the groups not drawn (named up to two, else counted), within the room the layout
    keeps, which the longest line fills (``exact_room``; else it may leave one line more). The
    pictures that named grids not drawn, and that counted them."""
    named = counted = 0
    for drawn, layout, steps in zip(job.drawings, job.layouts, job.steps):
        geometry = drawn.geometry
        if geometry.kernel is None:  # db, a fold: one step over every channel, naming none
            continue
        pictured = {index(geometry.output_label(co)) for co in layout.outputs}
        most, seen = 0, set()
        for step in steps:
            drawn.playback.advance(step)
            text = drawn.playback.show(step).text
            heads, others, count, unit = said(text)
            every, want = written(spec, geometry.output_name, min(heads))
            hidden = every - pictured
            assert heads == every & pictured, (spec, text)
            if len(hidden) <= 2:
                assert (others, count) == (hidden, 0), (spec, text)
            else:
                assert (others, count, unit) == (set(), len(hidden), want), (spec, text)
            seen.add("counted" if count else "named" if others else "")
            lines = wrap(text, layout.sum_width, STEP_BREAK)
            most = max(most, len(lines))
            assert max(map(cells, lines)) <= layout.sum_width, (spec, text)
        assert most <= layout.step_lines <= most + (not exact_room), (spec, geometry.output_name, most)
        named, counted = named + ("named" in seen), counted + ("counted" in seen)
    return named, counted
