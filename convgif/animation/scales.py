"""The colour scales an animation's pictures share: the pictures of one tensor (a 3-D layer's
depth slices, a separable convolution's d written then read) shade it from every value they
show, so that a shade means one value, and a key has one form, in every frame."""

from __future__ import annotations

from typing import Any


def one_scale(drawings: list) -> list:
    """``drawings`` as their colours are chosen: the pictures of one tensor in a row (a 3-D
    layer's depth slices, all named y) share one output scale, spanning every value they show,
    so that a shade means the same value on every slice; and it spans the values of a later
    picture reading that tensor as its input (a separable convolution's d), drawn in the same
    shades (see :attr:`Job.scales`). Copies: the drawings themselves stay."""
    import copy
    import itertools

    import numpy as np

    from ..picture.shades import shaded_output

    def read(drawn: Any) -> np.ndarray:  # the input cells of ``drawn`` that are its input's own
        grid = np.asarray(drawn.grid, float)
        return grid[:, ~drawn.filler] if drawn.filler.ndim == 2 else grid[~drawn.filler]

    chosen: list = []
    runs = [list(group) for _, group in itertools.groupby(drawings, lambda drawn: drawn.geometry.output_name)]
    for i, run in enumerate(runs):
        name = run[0].geometry.output_name
        readers = [
            d for later in runs[i + 1 :] for d in later if d.geometry.inputs_drawn and d.geometry.input_name == name
        ]
        ends = []
        for values in (
            [shaded_output(d) for d in run] + [read(d) for d in readers] if len(run) + len(readers) > 1 else ()
        ):
            values = np.asarray(values, float)
            values = values[np.isfinite(values)]
            ends += [float(values.min()), float(values.max())] if values.size else []
        for drawn in run if ends else ():
            ends += list(drawn.extra.get("span") or ())
        for drawn in run:
            if ends:
                drawn = copy.copy(drawn)
                drawn.extra = {**drawn.extra, "span": (min(ends), max(ends))}
            chosen.append(drawn)
    return one_input_scale(chosen)


def one_input_scale(drawings: list) -> list:
    """``drawings`` with the pictures of one input in a row (a 3-D layer's depth slices, each
    reading its slices of x) shading it from the values all of them show, so that a value takes
    one shade, and the key one form, in every picture. Copies: the drawings themselves stay."""
    import copy
    import itertools

    import numpy as np

    from ..picture.model import shown as shown_channels
    from ..picture.shades import own_values

    def reads(drawn: Any) -> Any:  # the input a picture shades, when it has one of its own
        return drawn.geometry.input_name if drawn.geometry.inputs_drawn and not drawn.pixels else None

    chosen: list = []
    for name, group in itertools.groupby(drawings, reads):
        run = list(group)
        if name is None or len(run) < 2:
            chosen += run
            continue
        shown = np.concatenate([np.asarray(own_values(d, shown_channels(d.geometry)[0]), float).ravel() for d in run])
        for drawn in run:
            drawn = copy.copy(drawn)
            drawn.extra = {**drawn.extra, "inputs_shown": shown}
            chosen.append(drawn)
    return chosen
