"""The backward pass of ``torch.nn.Unfold`` and ``torch.nn.Fold``, drawn as what it is.

Unfold copies each input cell into the column entries of the windows that cover it, so its
gradient adds those entries' ``dy`` back: ``dx`` is a Fold of ``dy``, drawn as the forward Fold
pictures draw one (column ``l`` of ``dy`` added into the l-th window of ``dx``, every sum line
what the window held, the column added and what it holds now); what lands on the padding is
dropped. Fold adds each column entry into one output cell, so each entry's gradient reads that
cell's ``dy``: ``dx`` is an Unfold of ``dy``, drawn as the forward Unfold pictures draw one (the
l-th window of ``dy`` copied into column ``l`` of ``dx``, the values written); an entry that
landed on the padding reads the padding's 0.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ..engine.matrix import fold
from ..engine.values import distinct
from ..picture.model import Drawn, Geometry, Region
from .fold_part import row_blocks
from .fold_steps import FoldPlayback, UnfoldPlayback, _slice

NAMES = ("dy", "dx")


def _padded(spec: Any) -> bool:
    return max(spec.padding) > 0


def unfold_backward_geometries(spec: Any, folds: Any) -> list[Geometry]:
    """Unfold's backward pass: one picture, the Fold of ``dy`` into ``dx``, a window a step
    (``folds`` the Fold layers' operation, which draws it)."""
    folded = _as_fold(spec, folds.spec_type)
    (forward,) = folds.geometries(folded)
    c, kk = spec.in_channels, spec.cells
    (ph, pw), places = spec.places, spec.output_shape[1]
    ones = np.ones((kk, places), dtype=np.int64)
    covering = fold(ones, spec.input_shape[1:], spec.kernel_size, spec.stride, spec.dilation, spec.padding)
    taps = [int(v) for v in distinct(covering)]
    notes = [
        f"backward, dx = ∂L/∂x: a Fold of dy: column l of dy adds into the l-th window of dx, row by row over the "
        f"{ph}×{pw} placements; row c·{kk} + ky·{spec.kernel_size[1]} + kx into the window's cell (ky, kx), so each "
        "input cell sums the column entries that copied it",
        f"windows covering an input cell: {', '.join(map(str, taps))}: the terms its dx sums",
    ]
    if _padded(spec):
        notes.append(
            f"padding={spec.padding}: the entries that copied the padding's zeros add into pad(dx), the cells "
            "around dx (drawn pale), and are dropped"
        )
    hc, wc = folded.canvas
    (kh, kw), (dh, dw) = spec.kernel_size, spec.dilation
    window = f"pad(dx)[{c - 1}, {_slice(hc, kh, dh)}, {_slice(wc, kw, dw)}]"
    entry = len(f"{window} = pad(dx) + dy[{c * kk}:{c * kk}, {places}] = ")
    return [
        dataclasses.replace(
            forward,
            layer=spec,
            caption=spec.caption,
            notes=tuple(notes),
            input_name="dy",
            input_label=lambda i: f"dy[{i * kk}:{(i + 1) * kk}]",
            inputs_word=row_blocks("dy", kk),
            input_heading="dy = ∂L/∂y: one column per window",
            output_label=lambda co: f"dx[{co}]",
            output_name="dx",
            output_heading="dx = ∂L/∂x, on the padded map" if _padded(spec) else "dx = ∂L/∂x",
            blame=lambda axis: ("input_shape", spec.input_shape, "input"),
            longest_step=None,  # its own step line, not that of the picture it is made from
            step_text=f"column {places - 1} · window from ({hc - 1}, {wc - 1}) · step {places}/{places}",
            sum_chars=lambda chars, drawn: len(drawn[2]) * (entry + 3 * kk * (chars + 2) + 3),
        )
    ]


def _as_fold(spec: Any, fold_spec: type) -> Any:
    """The Fold that takes Unfold ``spec``'s output back to its input's shape."""
    return fold_spec(
        spec.output_shape, spec.input_shape[1:], spec.kernel_size, spec.dilation, spec.padding, spec.stride
    )


def unfold_backward_drawings(spec: Any, recording: Any, folds: Any, geometries: Any = None) -> list[Drawn]:
    """The recorded picture of :func:`unfold_backward_geometries`: ``dx`` on the padded map."""
    (geometry,) = geometries or unfold_backward_geometries(spec, folds)
    folded = _as_fold(spec, folds.spec_type)
    dy = np.asarray(recording.grad_output)
    canvas = fold(dy, folded.canvas, spec.kernel_size, spec.stride, spec.dilation, (0, 0))
    rec = type(recording.forward)(folded, dy, np.asarray(recording.grad_input), canvas)
    (picture,) = folds.drawings(folded, rec, geometries=[geometry])
    return [dataclasses.replace(picture, playback=FoldPlayback(folded, rec, names=NAMES))]


def fold_backward_geometries(spec: Any, unfolds: Any) -> list[Geometry]:
    """Fold's backward pass: one picture, the Unfold of ``dy`` into ``dx``, a window a step
    (``unfolds`` the Unfold layers' operation, which draws it)."""
    unfolded = _as_unfold(spec, unfolds.spec_type)
    (forward,) = unfolds.geometries(unfolded)
    c, kk = spec.in_channels, spec.cells
    (ph, pw), places = spec.places, spec.input_shape[1]
    notes = [
        f"backward, dx = ∂L/∂x: an Unfold of dy: column l of dx reads the l-th window of dy, row by row over the "
        f"{ph}×{pw} placements; row c·{kk} + ky·{spec.kernel_size[1]} + kx the window's cell (ky, kx): each column "
        "entry's gradient is the dy of the cell it was added into"
    ]
    if _padded(spec):
        notes.append(
            f"padding={spec.padding}: the windows read pad(dy), dy with that many zeros on each side: an entry that "
            "was added into the padding (dropped) gets 0"
        )
    _, hp, wp = unfolded.padded_shape
    (kh, kw), (dh, dw) = spec.kernel_size, spec.dilation
    entry = len(f"dx[{(c - 1) * kk}:{c * kk}, {places - 1}] = pad(dy)[{c - 1}, {_slice(hp, kh, dh)}, ")
    entry += len(f"{_slice(wp, kw, dw)}] = ")
    return [
        dataclasses.replace(
            forward,
            layer=spec,
            caption=spec.caption,
            notes=tuple(notes),
            input_name="dy",
            input_heading="dy = ∂L/∂y (padded)" if _padded(spec) else "dy = ∂L/∂y",
            output_label=lambda co: f"dx[{co * kk}:{(co + 1) * kk}]",
            outputs_word=row_blocks("dx", kk),
            output_name="dx",
            output_heading="dx = ∂L/∂x: one column per window",
            blame=lambda axis: ("input_shape", spec.input_shape, "input"),
            longest_step=None,  # its own step line, not that of the picture it is made from
            step_text=f"column {places - 1} · window from ({hp - 1}, {wp - 1}) · step {places}/{places}",
            sum_chars=lambda chars, drawn: len(drawn[2]) * (entry + kk * (chars + 2) + 3),
        )
    ]


def _as_unfold(spec: Any, unfold_spec: type) -> Any:
    """The Unfold whose output has Fold ``spec``'s input's shape."""
    return unfold_spec(spec.output_shape, spec.kernel_size, spec.dilation, spec.padding, spec.stride)


def fold_backward_drawings(spec: Any, recording: Any, unfolds: Any, geometries: Any = None) -> list[Drawn]:
    """The recorded picture of :func:`fold_backward_geometries`."""
    (geometry,) = geometries or fold_backward_geometries(spec, unfolds)
    unfolded = _as_unfold(spec, unfolds.spec_type)
    dy = np.asarray(recording.grad_output)
    p = spec.padding
    padded = np.pad(dy, ((0, 0), (p[0], p[0]), (p[1], p[1])))
    rec = type(recording.forward)(unfolded, dy, np.asarray(recording.grad_input), padded)
    (picture,) = unfolds.drawings(unfolded, rec, geometries=[geometry])
    _, hp, wp = unfolded.padded_shape
    playback = UnfoldPlayback(unfolded, rec, 0, spec.input_shape[1], Region((0, hp), (0, wp)), names=NAMES)
    return [dataclasses.replace(picture, playback=playback)]
