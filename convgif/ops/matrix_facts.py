"""What ``convgif info`` says of a convolution as one matrix product (``view="matrix"``): the
sizes of ``Y = W·X`` for a direct convolution and of ``y = Cᵀ·x`` for a transposed one, with how
many entries of C hold weights (:mod:`convgif.ops.matrix` draws them)."""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np


def product_facts(spec: Any) -> dict[str, Any]:
    """The sizes of ``Y = W·X`` for a direct convolution (of any number of axes), and of C with
    how many of its entries hold weights."""
    from ..engine.matrix import structural_nonzeros

    kk = math.prod(spec.kernel_size)
    places = math.prod(spec.output_shape[1:])
    n_in, n_out = math.prod(spec.input_shape), math.prod(spec.output_shape)
    pairs = structural_nonzeros(
        spec.input_shape[1:],
        spec.kernel_size,
        spec.stride,
        spec.dilation,
        spec.padding,
        spec.padding_end,
        spec.padding_mode,
    )
    nonzero = None if pairs is None else spec.out_channels * spec.in_per_group * pairs
    kernel = _kernel_word(spec)
    held = (
        f"{nonzero:,} of them weights ({_share(nonzero, n_out * n_in)})"
        if nonzero is not None
        else f"those holding weights not counted (padding_mode={spec.padding_mode!r} on a layer this large)"
    )
    block = (
        f" ({spec.out_channels} × {spec.in_channels * kk} block-diagonal against all of X)" if spec.groups > 1 else ""
    )
    return {
        "unfolded_input": [spec.in_channels * kk, places],
        "weight_matrix": [spec.out_channels, spec.in_per_group * kk],
        "product": [spec.out_channels, places],
        "conv_matrix": [n_out, n_in],
        "conv_matrix_nonzeros": nonzero,
        "matrix_formulas": [
            f"X = unfold(x): C_in·{kernel} × L = {spec.in_channels * kk:,} × {places:,}",
            f"W: C_out × C_in/G·{kernel} = {spec.out_channels:,} × {spec.in_per_group * kk:,}{block}",
            f"Y = W·X + b: C_out × L = {spec.out_channels:,} × {places:,}",
            f"C (y = C·x): {n_out:,} × {n_in:,} = {n_out * n_in:,} entries, {held}",
        ],
    }


def _kernel_word(spec: Any) -> str:
    """The kernel's cells in a formula: ``KH·KW``, ``K`` for one axis, ``KD·KH·KW`` for three."""
    from .args import AXES

    return "·".join(f"K{a}" for a in AXES[len(spec.kernel_size)]) if len(spec.kernel_size) > 1 else "K"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.3g}%" if whole else "0%"


def transpose_facts(spec: Any) -> dict[str, Any]:
    """The sizes of ``y = Cᵀ·x`` for a transposed convolution (of any number of axes), how many
    of Cᵀ's entries hold weights, and how many kernel taps land on each output cell."""
    from ..engine.matrix import axis_overlaps, taps_inside

    n_in, n_out = math.prod(spec.input_shape), math.prod(spec.output_shape)
    axes = zip(spec.input_shape[1:], spec.kernel_size, spec.stride, spec.dilation, spec.padding, spec.output_shape[1:])
    counted = [taps_inside(m, k, s, d, p, n) for n, k, s, d, p, m in axes]
    nonzero = None if None in counted else spec.out_channels * spec.in_per_group * math.prod(counted)  # type: ignore[arg-type]
    taps: Optional[list[int]] = [1]
    for n, k, s, d, p, op in zip(
        spec.input_shape[1:], spec.kernel_size, spec.stride, spec.dilation, spec.padding, spec.output_padding
    ):
        counts = axis_overlaps(n, k, s, d, p, op)
        if counts is None or taps is None:
            taps = None
            continue
        taps = sorted({a * int(b) for a in taps for b in np.unique(counts)})
    if taps is None:
        landing = "kernel taps landing on an output cell: not listed for a layer this large"
    else:
        landing = f"kernel taps landing on an output cell: {', '.join(map(str, taps))}"
        landing += " (uneven: the checkerboard of --view overlaps)" if len(taps) > 1 else " (even)"
        if spec.in_per_group > 1:
            landing += f", each adding the {spec.in_per_group} input channels of its group"
    held = (
        f"{nonzero:,} of them weights ({_share(nonzero, n_out * n_in)})"
        if nonzero is not None
        else "those holding weights not counted (a layer this large)"
    )
    return {
        "conv_matrix": [n_in, n_out],
        "conv_matrix_nonzeros": nonzero,
        "overlaps": taps,
        "overlaps_name": "kernel taps landing on an output cell",
        "matrix_formulas": [
            f"Cᵀ (y = Cᵀ·x): {n_out:,} × {n_in:,} = {n_out * n_in:,} entries, {held}; C, {n_in:,} × {n_out:,}, is "
            "the matrix of the direct convolution with the same weight from the output's shape back to the input's",
            landing,
        ],
    }
