"""A part of a huge layer costs the part: the memory a render of the same part takes does not
grow with the layer's input (no array the size of the whole input or output, such as a mask of
its padding or of the cells read, is built before it is cut to the part)."""

from __future__ import annotations

import io
import tracemalloc

import pytest

import convgif
from convgif import ops

#: (kind, its arguments but the input's shape, the input's shape for a side n): every layer is
#: past the numbers convgif computes whole at the smaller side, so only its part is computed.
LAYERS = [
    ("Conv2d", {}, lambda n: (1, n, n)),
    ("Conv2d", {"padding": 1, "view": "matrix"}, lambda n: (16, n * 6 // 25, n * 6 // 25)),  # 1,200 to 2,400
    ("Conv3d", {"padding": 1}, lambda n: (1, 4, n // 2, n // 2)),
    ("separable", {"out_channels": 2}, lambda n: (2, n, n)),
    ("MaxPool2d", {"kernel_size": 2}, lambda n: (1, n, n)),
    ("ZeroPad2d", {"padding": 1}, lambda n: (1, n, n)),
    ("ReflectionPad3d", {"padding": 1}, lambda n: (1, 4, n // 2, n // 2)),
]
SMALL, LARGE = 5000, 10000
#: Bytes the larger layer's part may take above the smaller one's: a few of the whole input's
#: rows or columns (an axis's taps, its padding), never its cells (100 MB at a side of 10,000).
MARGIN = 2_000_000


def peak(kind: str, arguments: dict, shape: tuple[int, ...]) -> int:
    """Peak bytes traced while rendering the layer's top-left 3×3 output part, one frame."""
    arguments = dict(arguments)
    view = {"view": arguments.pop("view")} if "view" in arguments else {}
    spec = ops.operation(kind).build(input_shape=shape, **arguments)
    tracemalloc.start()
    try:
        convgif.render_still(spec, io.BytesIO(), region="0:3,0:3", step=1, **view)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("kind, arguments, shape", LAYERS, ids=[f"{k}{'-' + a.get('view', '')}" for k, a, _ in LAYERS])
def test_a_parts_memory_does_not_grow_with_the_layer(kind: str, arguments: dict, shape) -> None:
    peak(kind, arguments, shape(SMALL))  # what loads once
    small, large = peak(kind, arguments, shape(SMALL)), peak(kind, arguments, shape(LARGE))
    assert large - small < MARGIN, f"{kind}: {small:,} bytes at {shape(SMALL)}, {large:,} at {shape(LARGE)}"
