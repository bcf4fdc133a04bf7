"""Named, literal and saved kernels: weights a reader recognises instead of random ones.

A kernel is given as a preset name (``sobel-x``), literal rows (``"1,0,-1;2,0,-2;1,0,-1"``) or
a NumPy ``.npy`` file; :func:`weights_for` spreads a 2-D kernel over every kernel of a layer,
or checks that a 4-D one has the layer's weight shape (in the layer's own PyTorch layout).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine.values import MAX_MAGNITUDE, RULE, check_exact, exact_array, show_number  # noqa: F401  (the engine's rule)
from ..errors import SpecError
from .files import open_regular, why

#: The most numbers a kernel file may hold: as many as the largest layer convgif draws.
MAX_KERNEL_NUMBERS = 20_000_000
#: The largest kernel file read: that many 8-byte numbers and a header.
MAX_KERNEL_BYTES = MAX_KERNEL_NUMBERS * 8 + (1 << 16)


#: Integer forms; a blur's usual division (by 16, by 9) only rescales the output's colours.
PRESETS: dict[str, np.ndarray] = {
    name: np.array(rows, dtype=np.int64)
    for name, rows in {
        "sobel-x": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
        "sobel-y": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
        "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
        "gaussian": [[1, 2, 1], [2, 4, 2], [1, 2, 1]],
        "box": [[1, 1, 1], [1, 1, 1], [1, 1, 1]],
        "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
        "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    }.items()
}


def parse_kernel(text: str) -> np.ndarray:
    """The kernel ``text`` names: a preset, a ``.npy`` file, or rows like ``"1,0,-1;2,0,-2"``.

    Whole numbers come back as int64, others as float64. Every value must be finite and within
    ±:data:`MAX_MAGNITUDE`; anything else raises :class:`SpecError` naming ``"kernel"``.
    """
    name = text.strip().lower()
    if name in PRESETS:
        return PRESETS[name].copy()
    if name.endswith(".npy"):
        return _load(text.strip())
    return _literal(text)


def _load(path: str) -> np.ndarray:
    """A kernel saved with ``numpy.save``; its header (dtype, shape) is checked before the
    numbers are read, so a file claiming billions of them reads none."""
    source = f"kernel={path!r}"
    try:
        opened = open_regular(path, MAX_KERNEL_BYTES)
    except OSError as error:
        raise SpecError("kernel", f"{source} could not be read: {why(error)}") from None
    try:
        with opened as file:
            if not file.read(1):
                raise SpecError("kernel", f"{source} is an empty file, not a .npy file")
            file.seek(0)
            version = np.lib.format.read_magic(file)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(file)
            else:
                shape, _, dtype = np.lib.format.read_array_header_2_0(file)
    except SpecError:
        raise
    except Exception as error:  # noqa: BLE001 - NumPy's reader fails on damaged files in many ways
        raise SpecError(
            "kernel", f"{source} could not be read as a .npy file numpy.save writes: {_wrong(error)}"
        ) from None
    size = math.prod(shape)
    if dtype.kind not in "biuf" or len(shape) not in (2, 4) or size == 0:
        raise SpecError(
            "kernel",
            f"{source} holds an array of {dtype}, shape {shape}; it needs "
            "numbers shaped (KH, KW) or (C_out, C_in/G, KH, KW)",
        )
    if size > MAX_KERNEL_NUMBERS:
        raise SpecError(
            "kernel",
            f"{source} holds {size:,} numbers, more than the {MAX_KERNEL_NUMBERS:,} of the largest layer convgif draws",
        )
    try:
        with open_regular(path, MAX_KERNEL_BYTES) as file:
            array = np.load(file, allow_pickle=False)
    except Exception as error:  # noqa: BLE001 - as above
        raise SpecError(
            "kernel", f"{source} could not be read as a .npy file numpy.save writes: {_wrong(error)}"
        ) from None
    return exact_array(array, "kernel", source)


def _wrong(error: Exception) -> str:
    """What is wrong with a file NumPy's reader refused, in plain words (its messages speak of
    magic strings and headers)."""
    text = str(error)
    if "magic string" in text:
        return "it does not begin as a .npy file does (with the bytes \\x93NUMPY)"
    if "header" in text:
        return "its header, which gives the numbers' type and shape, is damaged or cut short"
    if "read all data" in text or isinstance(error, EOFError):
        return "it holds fewer numbers than its header says: the file is cut short"
    return f"its data is damaged ({text or type(error).__name__})"


#: The longest kernel written as rows of numbers (a 100×100 kernel takes about 50,000 characters).
MAX_KERNEL_TEXT = 1 << 20


def _literal(text: str) -> np.ndarray:
    if len(text) > MAX_KERNEL_TEXT:
        raise SpecError(
            "kernel", f"kernel is {len(text):,} characters of rows, over the {MAX_KERNEL_TEXT:,} read: save it as .npy"
        )
    rows = [row for row in text.replace(" ", "").split(";")]
    try:
        cells = [[float(v) for v in row.split(",")] for row in rows]
    except ValueError:
        raise SpecError(
            "kernel",
            f"kernel={text!r} is not {', '.join(PRESETS)}, a .npy file, or rows of numbers like '1,0,-1;2,0,-2;1,0,-1'",
        ) from None
    if len({len(row) for row in cells}) != 1:
        raise SpecError("kernel", f"kernel={text!r} has rows of different lengths")
    for row, written in zip(cells, rows):
        for value, cell in zip(row, written.split(",")):
            if not (math.isfinite(value) and abs(value) <= MAX_MAGNITUDE):
                raise SpecError("kernel", f"kernel={text!r} holds {cell}: kernel {RULE}")
    array = np.array(cells)
    # whole numbers within the bound are exact in float64, so they are exact in int64 too
    return array.astype(np.int64) if np.all(array == np.round(array)) else array


def weights_for(spec: Any, kernel: np.ndarray) -> np.ndarray:
    """The layer's weight in its own PyTorch layout: one kernel repeated over every kernel of
    the layer (a read-only view of it: a layer with very many kernels costs no memory), or a
    whole weight checked. For a Conv1d, a kernel of one row is that row."""
    from .. import ops

    shape = ops.of(spec).weight_shape(spec)
    if shape is None:
        raise SpecError("kernel", f"{ops.of(spec).name} has no weights to set")
    if spec.DIMS == 1 and kernel.ndim == 2 and kernel.shape[0] == 1:
        kernel = kernel[0]
    if kernel.shape == spec.kernel_size:
        return np.broadcast_to(kernel, shape)
    if kernel.shape == shape:
        return kernel.copy()
    wanted = "×".join(map(str, spec.kernel_size))
    raise SpecError(
        "kernel",
        f"the kernel is {'×'.join(map(str, kernel.shape))}, but kernel_size={spec.kernel_size} needs "
        f"{wanted} (or the whole weight, {'×'.join(map(str, shape))})",
    )


def factors(kernel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A rank-1 kernel as (column, row) with ``np.outer(column, row) == kernel``, in whole
    numbers where the kernel has them: Sobel's x kernel is column ``[1, 2, 1]`` times row ``[1, 0, -1]``.

    Raises :class:`SpecError` for a kernel that is not rank 1.
    """
    kernel = np.asarray(kernel)
    nonzero = np.argwhere(kernel != 0)
    if kernel.ndim != 2 or nonzero.size == 0:
        raise SpecError("kernel", "only a non-zero 2-D kernel has 1-D factors")
    i, j = nonzero[0]
    row = kernel[i]
    if kernel.dtype.kind in "iu":
        row = row // np.gcd.reduce(row[row != 0]) * np.sign(row[j])
    column = kernel[:, j] / row[j]
    if np.allclose(column, np.round(column)):
        column = np.round(column).astype(kernel.dtype)
    if not np.allclose(np.outer(column, row), kernel):
        raise SpecError(
            "kernel",
            "the kernel is not rank 1 (its rows are not all multiples of one row), so it has no 1-D factors",
        )
    return column, row


def factors_note(kernel: np.ndarray) -> str:
    """``kernel = column [1, 2, 1] times row [1, 0, -1]: 3 + 3 = 6 numbers instead of 9``: the
    kernel as the outer product of its two 1-D factors (words rather than a transpose sign,
    which is too small to read at the size of a note)."""
    column, row = factors(kernel)
    show = lambda v: "[" + ", ".join(f"{x:g}" for x in v) + "]"  # noqa: E731
    return (
        f"kernel = column {show(column)} times row {show(row)}: "
        f"{column.size} + {row.size} = {column.size + row.size} numbers instead of {kernel.size}"
    )
