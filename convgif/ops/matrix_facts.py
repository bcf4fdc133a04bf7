"""What ``convgif info`` says of a convolution as one matrix product (``view="matrix"``): the
sizes of ``Y = W·X`` for a direct convolution and of ``y = Cᵀ·x`` for a transposed one, with how
many entries of C hold weights (:mod:`convgif.ops.matrix` draws them, for one or two axes); of a
depthwise-separable convolution as two, the depthwise then the pointwise."""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np


def product_facts(spec: Any, drawn: bool = True) -> dict[str, Any]:
    """The sizes of ``Y = W·X`` (``+ b`` with a bias) for a direct convolution (of any number of
    axes), and of C with how many of its entries hold weights; ``drawn``: whether ``--view
    matrix`` draws it (the heading then names the option)."""
    sizes = _product_sizes(spec)
    kernel = _kernel_word(spec)
    (rows, places), per = sizes["unfolded_input"], sizes["weight_matrix"][1]
    block = f" ({spec.out_channels} × {rows} block-diagonal against all of X)" if spec.groups > 1 else ""
    return {
        **sizes,
        "matrix_heading": "as one matrix product" + (" (--view matrix)" if drawn else ""),
        "matrix_formulas": [
            f"X = unfold(x): C_in·{kernel} × L = {rows:,} × {places:,}",
            f"W: C_out × C_in/G·{kernel} = {spec.out_channels:,} × {per:,}{block}",
            f"Y = W·X{' + b' if spec.bias else ''}: C_out × L = {spec.out_channels:,} × {places:,}",
            f"C (y = C·x{' + b' if spec.bias else ''}): {_entries(sizes, spec.padding_mode)}",
        ],
    }


def separable_product_facts(spec: Any) -> dict[str, Any]:
    """A depthwise-separable convolution as two matrix products, the depthwise then the
    pointwise: ``D = W_dw·X (+ b)`` over the unfolded input, then ``Y = W_pw·D (+ b)``, d (the
    depthwise output) flattened as D; and the matrix of each, y = C_pw·C_dw·x."""
    depthwise, pointwise = _product_sizes(spec.depthwise), _product_sizes(spec.pointwise)
    (rows, places), c = depthwise["unfolded_input"], spec.in_channels
    kernel, bias = _kernel_word(spec), " + b" if spec.bias else ""
    block = f" ({c} × {rows} block-diagonal against all of X)" if c > 1 else ""
    return {
        "depthwise_product": depthwise,
        "pointwise_product": pointwise,
        "matrix_heading": "as two matrix products, the depthwise then the pointwise",
        "matrix_formulas": [
            f"depthwise: X = unfold(x): C_in·{kernel} × L = {rows:,} × {places:,}",
            f"depthwise: W_dw: C_in × {kernel} = {c:,} × {rows // c:,}{block}",
            f"depthwise: D = W_dw·X{bias}: C_in × L = {c:,} × {places:,}, d flattened",
            f"pointwise: W_pw: C_out × C_in = {spec.out_channels:,} × {c:,}",
            f"pointwise: Y = W_pw·D{bias}: C_out × L = {spec.out_channels:,} × {places:,}",
            f"C_dw (d = C_dw·x{bias}): {_entries(depthwise, spec.padding_mode)}",
            f"C_pw (y = C_pw·d{bias}): {_entries(pointwise, 'zeros')}",
        ],
    }


def _entries(sizes: dict[str, Any], padding_mode: str) -> str:
    """C's size and how many of its entries hold weights (or why they are not counted: a layer
    this large with ``padding_mode``)."""
    (n_out, n_in), nonzero = sizes["conv_matrix"], sizes["conv_matrix_nonzeros"]
    held = (
        f"{nonzero:,} of them weights ({_share(nonzero, n_out * n_in)})"
        if nonzero is not None
        else f"those holding weights not counted (padding_mode={padding_mode!r} on a layer this large)"
    )
    return f"{n_out:,} × {n_in:,} = {n_out * n_in:,} entries, {held}"


def _product_sizes(spec: Any) -> dict[str, Any]:
    """The sizes of X = unfold(x), W, Y = W·X and C (y = C·x) of a direct convolution, with
    how many of C's entries hold weights (None: too many to count for its padding mode)."""
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
    return {
        "unfolded_input": [spec.in_channels * kk, places],
        "weight_matrix": [spec.out_channels, spec.in_per_group * kk],
        "product": [spec.out_channels, places],
        "conv_matrix": [n_out, n_in],
        "conv_matrix_nonzeros": nonzero,
    }


def _kernel_word(spec: Any) -> str:
    """The kernel's cells in a formula: ``KH·KW``, ``K`` for one axis, ``KD·KH·KW`` for three."""
    from .args import AXES

    return "·".join(f"K{a}" for a in AXES[len(spec.kernel_size)]) if len(spec.kernel_size) > 1 else "K"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.3g}%" if whole else "0%"


def transpose_facts(spec: Any, drawn: bool = True) -> dict[str, Any]:
    """The sizes of ``y = Cᵀ·x`` for a transposed convolution (of any number of axes), how many
    of Cᵀ's entries hold weights, and how many kernel taps land on each output cell; ``drawn``:
    whether ``--view matrix`` and ``--view overlaps`` draw them (then named)."""
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
        checkerboard = "the checkerboard of --view overlaps" if drawn else "a checkerboard"
        landing += f" (uneven: {checkerboard})" if len(taps) > 1 else " (even)"
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
        "matrix_heading": "as one matrix product" + (" (--view matrix)" if drawn else ""),
        "matrix_formulas": [
            f"Cᵀ (y = Cᵀ·x{' + b' if spec.bias else ''}): {n_out:,} × {n_in:,} = {n_out * n_in:,} entries, {held}; C, {n_in:,} × {n_out:,}, is "
            "the matrix of the direct convolution with the same weight from the output's shape back to the input's",
            landing,
        ],
    }
