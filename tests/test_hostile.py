"""Hostile inputs: whatever a kernel, a picture, an output target or a gallery file holds.

Hypothesis draws kernel texts (numbers, nan, inf, huge values, ragged rows, garbage), ``.npy``
files (odd dtypes and shapes, empty, truncated, damaged, pickled), picture files (real ones of
several formats, truncated or damaged, headers claiming huge sizes, 0 bytes, text), output
targets (special files, folders, paths under a file or a missing folder) and gallery files
(TOML-ish lines, unclosed quotes, values of the wrong type). Each ends in a result that keeps
the promises made for it, or in the error that names the argument: :class:`SpecError` for
kernels and pictures, :class:`GalleryError` for gallery files and folders, ``OSError`` for an
output that cannot be written (leaving nothing behind); never another exception.

Runs are derandomized with fixed example budgets (a few seconds in all).
"""

from __future__ import annotations

import io
import os
import struct
import tempfile
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
from budget import budget
from click.testing import CliRunner
from hypothesis import event, given
from hypothesis import strategies as st
from PIL import Image

from convgif import Conv2dSpec, SpecError
from convgif.cli import main
from convgif.files.formats import FORMATS as ANIMATIONS
from convgif.inputs.images import load_image
from convgif.inputs.kernels import MAX_MAGNITUDE, PRESETS, parse_kernel
from convgif.integrations.gallery import Gallery, GalleryError, build, load


def check_kernel(kernel: np.ndarray, dims: tuple[int, ...]) -> None:
    """What a kernel convgif accepts promises: exact numbers of a known type and shape."""
    assert kernel.dtype in (np.int64, np.float64) and kernel.ndim in dims and kernel.size > 0
    assert np.isfinite(kernel).all() and np.abs(kernel).max() <= MAX_MAGNITUDE


# -- kernels written as text -----------------------------------------------------------------

GOOD = ["0", "1", "-1", "2.5", "0.125", "1e4", "10000", "-10000", " 3", "1_000", "1e-320", "-0"]
HOSTILE = [
    "10001",
    "-10000.5",
    "1e19",
    "-1e19",
    "1e308",
    "1e309",
    "nan",
    "NaN",
    "-nan",
    "inf",
    "-inf",
    "+Infinity",
    "9223372036854775808",
    "-9223372036854775809",
    "0x10",
    "",
    " ",
    "a",
    "−1",
    "١",
]
good = st.sampled_from(GOOD) | st.integers(-MAX_MAGNITUDE, MAX_MAGNITUDE).map(str)
cell = good | st.sampled_from(HOSTILE) | st.text(max_size=4)


def rows_of(cells: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(st.lists(cells, min_size=1, max_size=4).map(",".join), min_size=1, max_size=4).map(";".join)


kernel_text = (
    rows_of(good)
    | rows_of(cell)
    | st.sampled_from([*PRESETS, " Sobel-X ", "sobel", ".npy", "missing.npy"])
    | st.text(max_size=12)
)


@budget(300)
@given(kernel_text)
def test_any_kernel_text_is_a_kernel_or_a_kernel_error(text):
    try:
        kernel = parse_kernel(text)
    except SpecError as error:
        assert error.argument == "kernel" and "kernel" in str(error)
        event("refused")
    else:
        check_kernel(kernel, (2,))
        event(f"a {kernel.dtype} kernel")


# -- kernels saved as .npy files ---------------------------------------------------------------

DTYPES = [
    "int8",
    "uint8",
    "int64",
    "uint64",
    "float16",
    "float32",
    "float64",
    ">f8",
    "longdouble",
    "bool",
    "complex64",
    "U2",
    "S2",
    "datetime64[s]",
    "object",
    "V4",
    "i4,f4",
]
SHAPES = [(), (0,), (3,), (0, 3), (2, 2), (1, 3), (2, 1, 3), (1, 1, 2, 2), (2, 0, 1, 1), (1, 1, 1, 1, 1)]
SPECIAL = [0, 1, -1, 7, 2**31, 2**63 - 1, 2**64 - 1, -(2**63), 0.5, 1e300, float("nan"), float("inf"), -float("inf")]


@st.composite
def npy_files(draw) -> bytes:
    dtype = np.dtype(draw(st.sampled_from(["int64", "float64", "uint8"]) | st.sampled_from(DTYPES)))
    shape = draw(st.sampled_from([(2, 2), (1, 3), (1, 1, 2, 2)]) | st.sampled_from(SHAPES))
    array = np.zeros(shape, dtype)
    for _ in range(draw(st.integers(0, 3)) if array.size else 0):
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                array.flat[draw(st.integers(0, array.size - 1))] = draw(st.sampled_from(SPECIAL))
            except (TypeError, ValueError, OverflowError):
                pass
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    data = buffer.getvalue()
    damage = draw(st.sampled_from(["none"] * 5 + ["truncate", "flip", "empty", "garbage", "shape"]))
    if damage == "truncate":
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif damage == "flip":
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    elif damage == "empty":
        data = b""
    elif damage == "garbage":
        data = draw(st.binary(max_size=64))
    elif damage == "shape":  # a header claiming another shape than the data holds
        data = data.replace(repr(shape).encode(), repr(draw(st.sampled_from(SHAPES + [(10**6, 10**6)]))).encode(), 1)
    return data


@budget(200)
@given(npy_files())
def test_any_npy_file_is_a_kernel_or_a_kernel_error(content):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "k.npy"
        path.write_bytes(content)
        try:
            kernel = parse_kernel(str(path))
        except SpecError as error:
            assert error.argument == "kernel" and "kernel=" in str(error)
            event("refused")
        else:
            check_kernel(kernel, (2, 4))
            event(f"a {kernel.dtype} kernel")


# -- pictures ------------------------------------------------------------------------------------

FORMATS = ["PNG", "GIF", "BMP", "JPEG", "TIFF", "WEBP", "PPM", "ICO", "TGA"]
MODES = ["1", "L", "P", "RGB", "RGBA", "I;16", "I", "F", "LA"]


def png_claiming(width: int, height: int, colour_type: int, data: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(data)) + chunk(b"IEND", b"")


@st.composite
def picture_files(draw) -> bytes:
    kind = draw(st.sampled_from(["encoded", "encoded", "claimed", "empty", "text", "random"]))
    if kind == "claimed":
        side = st.sampled_from([0, 1, 7, 20_000, 2**31 - 1]) | st.integers(1, 3_000)
        colour = draw(st.sampled_from([0, 2, 3, 4, 6, 1]))
        return png_claiming(draw(side), draw(side), colour, draw(st.binary(max_size=32)))
    if kind == "empty":
        return b""
    if kind == "text":
        return draw(st.text(max_size=40)).encode()
    if kind == "random":
        return draw(st.binary(max_size=200))
    size = (draw(st.integers(1, 12)), draw(st.integers(1, 12)))
    image = Image.new(draw(st.sampled_from(MODES)), size)
    buffer = io.BytesIO()
    try:
        image.save(buffer, format=draw(st.sampled_from(FORMATS)))
    except (OSError, ValueError, KeyError):  # a mode that format cannot store
        image.convert("RGB").save(buffer, format="PNG")
    data = buffer.getvalue()
    damage = draw(st.sampled_from(["none", "truncate", "flip"]))
    if damage == "truncate":
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif damage == "flip":
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    return data


@budget(200)
@given(picture_files(), st.sampled_from([1, 3]))
def test_any_file_is_a_picture_or_an_image_error(content, channels):
    spec = Conv2dSpec((channels, 4, 5))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "picture"
        path.write_bytes(content)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's notes about odd files, not errors
            try:
                pixels = load_image(path, spec)
            except SpecError as error:
                assert error.argument == "image" and "image=" in str(error)
                event("refused")
                return
    event("read")
    assert pixels.shape == (channels, 4, 5) and pixels.dtype == np.int64
    assert pixels.min() >= 0 and pixels.max() <= 255


# -- output targets ------------------------------------------------------------------------------

TARGETS = ["/dev/full", "/dev/null", ".", "missing/a", "a-file/a", "a-file", "a-link", "dangling", "fresh", "folder"]
PALETTE = [(255, 255, 255), (0, 0, 0), (200, 30, 30)]


@budget(40)
@given(st.sampled_from(TARGETS), st.sampled_from(["apng", "gif", "webp"]), st.integers(1, 4))
def test_any_output_target_gets_a_complete_file_or_an_os_error(target, kind, frames):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "a-file").write_bytes(b"old")
        (root / "folder").mkdir()
        (root / "a-link").symlink_to(root / "a-file")
        (root / "dangling").symlink_to(root / "missing" / "x")
        path = Path(target) if target.startswith("/") else root / target
        before = sorted(os.listdir(root))
        try:
            with ANIMATIONS[kind].open(path, (6, 5), PALETTE) as writer:
                for i in range(frames):
                    writer.add(np.full((5, 6), i % 3, np.uint8), 100)
        except OSError as error:
            event(f"{type(error).__name__}")
            assert (root / "a-file").read_bytes() == b"old" or target in ("a-file", "a-link")
            assert sorted(os.listdir(root)) == before  # nothing left behind
            return
        event("written")
        with Image.open(path) as image:
            assert getattr(image, "n_frames", 1) == frames
        assert not [name for name in os.listdir(root) if name.endswith(".part")]


# -- gallery files -------------------------------------------------------------------------------

LINES = [
    "[[entry]]",
    'name = "a"',
    'name = "b"',
    "name = 'a b'",
    "name = 1",
    'title = "T"',
    "title = 3",
    'args = "--in 1,4,4"',
    'args = "--in \\"1,4,4"',
    "args = '--kernel \"x'",
    "args = 'x \\'",
    'args = "-o x.gif"',
    'args = "--image \\u0000.png"',
    "args = []",
    'explanation = "E"',
    "explanation = []",
    "entry = 1",
    "entry = [1]",
    "intro = 2",
    'intro = "I"',
    "[entry]",
    "[[entry",
    'title = """',
    "[[entry.x]]",
    "x = 1979-05-27",
]
ENTRY = '[[entry]]\nname = "{}"\ntitle = "T"\nargs = "--in 1,4,4"'
line = st.sampled_from(LINES) | st.sampled_from([ENTRY.format("a"), ENTRY.format("b")]) | st.text(max_size=20)
gallery_text = st.lists(line, max_size=10).map("\n".join) | st.lists(line, max_size=3).map(
    lambda lines: "\n".join(['title = "G"', *lines, ENTRY.format("z")])
)


@budget(200)
@given(gallery_text)
def test_any_gallery_file_is_a_gallery_or_a_gallery_error(text):
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "gallery.toml"
        config.write_text(text, encoding="utf-8", errors="surrogateescape")
        try:
            gallery = load(config)
        except GalleryError as error:
            assert str(config) in str(error)
            event("refused")
        else:
            event("loaded")
            assert isinstance(gallery, Gallery) and gallery.entries
            assert all(isinstance(e.name, str) and isinstance(e.explanation, str) for e in gallery.entries)


@budget(20)
@given(st.sampled_from(["/dev/full", "/dev/null", "a-file", "a-file/sub", "fresh", "fresh/deeper", "folder"]))
def test_any_gallery_folder_gets_pages_or_a_gallery_error(out):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "a-file").write_text("keep")
        (root / "folder").mkdir()
        config = root / "gallery.toml"
        config.write_text('[[entry]]\nname = "a"\ntitle = "A"\nargs = "--in 1,4,4"\n', encoding="utf-8")
        target = Path(out) if out.startswith("/") else root / out
        try:
            build(load(config), target, [], 1)
        except GalleryError as error:
            assert str(target) in str(error)
            assert (root / "a-file").read_text() == "keep"
            event("refused")
        else:
            event("built")
            assert (target / "index.html").is_file() and (target / "README.md").is_file()


# -- the command line: a few hostile arguments ---------------------------------------------------


@pytest.mark.parametrize(
    "args, option",
    [
        (["--kernel", "nan,1;1,1"], "--kernel"),
        (["--kernel", "1,inf"], "--kernel"),
        (["--kernel", "1e19,1;1,1"], "--kernel"),
        (["--kernel", "1,2;3"], "--kernel"),
        (["--kernel", "empty.npy"], "--kernel"),
        (["--kernel", "text.npy"], "--kernel"),
        (["--image", "empty.png"], "--image"),
        (["--image", "text.npy"], "--image"),
        (["--image", "bomb.png"], "--image"),
    ],
)
def test_cli_hostile_files_exit_2_naming_the_option(tmp_path, monkeypatch, args, option):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.npy").write_bytes(b"")
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "text.npy").write_text("not numbers")
    (tmp_path / "bomb.png").write_bytes(png_claiming(20_000, 20_000, 0, b""))
    result = CliRunner().invoke(main, ["--in", "1,6,6", *args, "-o", "out.gif"])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert f"Invalid value for '{option}'" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out.gif").exists()
