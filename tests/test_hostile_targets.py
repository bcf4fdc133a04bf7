"""Hostile but ordinary targets, pages, sizes, files and API values: each ends in a complete
file or in the error that names the argument (exit 2) or the file (exit 1); never a traceback,
a hang, a file read outside a documentation's folder, or a partial or clobbered file.

One derandomized property test per family, then the cases that were once failures.
"""

from __future__ import annotations

import io
import math
import os
import stat
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from budget import budget
from click.testing import CliRunner
from hypothesis import event, given
from hypothesis import strategies as st
from PIL import Image

import convgif
from convgif import Conv2dSpec, SpecError
from convgif.cli import main
from convgif.files.atomic import destination, temporary_name, write_bytes
from convgif.info import describe
from convgif.inputs.images import load_image
from convgif.integrations import words
from convgif.integrations.gallery import GalleryError, build, load


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


# -- output targets ---------------------------------------------------------------------------

KINDS = ["link-gif", "link-txt", "dangling", "read-only", "setuid", "open-mode", "slash", "long", "folder", "fresh"]


def make_target(root: Path, kind: str, length: int) -> tuple[str, Path | None]:
    """The ``-o`` value for a target of ``kind``, and the file that must not change (or None)."""
    other = root / "elsewhere"
    other.mkdir(exist_ok=True)
    if kind == "link-gif":
        (other / "real.gif").write_bytes(b"old")
        (root / "l.gif").symlink_to(other / "real.gif")
        return "l.gif", None
    if kind == "link-txt":
        (other / "notes.txt").write_bytes(b"old")
        (root / "l.gif").symlink_to(other / "notes.txt")
        return "l.gif", other / "notes.txt"
    if kind == "dangling":
        (root / "d.gif").symlink_to(other / "none.gif")
        return "d.gif", None
    if kind in ("read-only", "setuid", "open-mode"):
        path = root / "x.gif"
        path.write_bytes(b"old")
        path.chmod({"read-only": 0o444, "setuid": 0o6755, "open-mode": 0o666}[kind])
        return "x.gif", path if kind == "read-only" else None
    if kind == "slash":
        return "y.gif/", None
    if kind == "long":
        return "a" * (length - 4) + ".gif", None
    if kind == "folder":
        (root / "f.gif").mkdir()
        return "f.gif", None
    return "fresh.gif", None


@budget(30)
@given(st.sampled_from(KINDS), st.integers(240, 258))
def test_any_output_target_is_written_whole_or_refused(tmp_path_factory, kind, length):
    root = tmp_path_factory.mktemp("target")
    target, kept = make_target(root, kind, length)
    before = kept.read_bytes() if kept else None
    old = os.getcwd()
    os.chdir(root)
    try:
        result = invoke("--in", "1,4,4", "-q", "-o", target)
    finally:
        os.chdir(old)
    no_traceback(result)
    event(f"{kind}: exit {result.exit_code}")
    assert not [p for p in root.rglob("*") if p.name.endswith(".part")], "a temporary file was left"
    if kept is not None:
        assert kept.read_bytes() == before, "a file was clobbered"
    if result.exit_code == 0:
        written = Path(os.path.realpath(root / target))
        assert written.read_bytes()[:6] == b"GIF89a" and written.suffix == ".gif"
        mode = stat.S_IMODE(written.stat().st_mode)
        assert not mode & (stat.S_ISUID | stat.S_ISGID)
        if kind == "open-mode":
            assert mode == 0o666
    else:
        assert result.exit_code in (1, 2) and result.output.strip()
    if kind in ("link-txt", "dangling", "read-only", "slash", "folder") or (kind == "long" and length > 255):
        assert result.exit_code != 0


def test_a_long_name_gets_a_temporary_name_within_the_limit(tmp_path):
    for suffix in ("", ".mp4"):
        name = temporary_name(tmp_path / ("é" * 120 + ".gif"), suffix).name
        assert len(os.fsencode(name)) <= 255 and name.endswith(".part" + suffix)


def test_a_device_or_a_fifo_is_not_a_target(tmp_path):
    os.mkfifo(tmp_path / "pipe.gif")
    for path in ("/dev/zero", tmp_path / "pipe.gif"):
        with pytest.raises(OSError, match="-o -"):
            destination(path)
    result = invoke("--in", "1,4,4", "-o", str(tmp_path / "pipe.gif"))
    assert result.exit_code == 1 and "not a file" in result.output


def test_dev_null_and_dev_stdout_are_streams(tmp_path):
    result = invoke("--in", "1,4,4", "-o", "/dev/null")
    assert result.exit_code == 0 and not list(tmp_path.iterdir())


def test_pages_replace_a_link_rather_than_write_through_it(tmp_path):
    outside = tmp_path / "outside.html"
    outside.write_text("keep")
    (tmp_path / "page.html").symlink_to(outside)
    write_bytes(tmp_path / "page.html", b"new", follow=False)
    assert outside.read_text() == "keep" and (tmp_path / "page.html").read_bytes() == b"new"
    assert not (tmp_path / "page.html").is_symlink()


class OneByte(io.RawIOBase):
    """A raw stream that takes one byte per call and cannot seek."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.data += bytes(b[:1])
        return 1


@pytest.mark.parametrize("format", ["gif", "webp", "apng"])
def test_a_stream_taking_a_byte_at_a_time_gets_every_byte(format):
    stream = OneByte()
    convgif.render(Conv2dSpec((1, 4, 4)), stream, format=format)
    memory = io.BytesIO()
    convgif.render(Conv2dSpec((1, 4, 4)), memory, format=format)
    assert bytes(stream.data) == memory.getvalue()


# -- documentation pages ----------------------------------------------------------------------

PLACES = ["inside.png", "sub/inside.png", "../outside.png", "../../outside.png", "/abs/outside.png", "link.png"]


@budget(40)
@given(st.sampled_from(PLACES), st.sampled_from(["--image", "--weights", "--kernel"]), st.booleans())
def test_a_page_reads_only_files_inside_its_folder(tmp_path_factory, place, option, equals):
    root = tmp_path_factory.mktemp("docs")
    docs = root / "docs"
    (docs / "sub").mkdir(parents=True)
    (root / "outside.png").write_bytes(b"x")
    (docs / "link.png").symlink_to(root / "outside.png")
    value = place.replace(".png", ".npy") if option == "--kernel" else place
    if value.startswith("/abs/"):
        value = str(root / value[5:])
    text = f"--in 1,4,4 {option}={value}" if equals else f"--in 1,4,4 {option} {value}"
    check = words.within([docs], "the documentation", "file_roots")
    try:
        read = words.read(text, lambda path: str(docs / path), check=check)
    except words.WordsError as error:
        assert error.option == option and "outside" in str(error)
        event("refused")
        assert "outside" in place or place == "link.png"
        return
    event("read")
    assert all(os.path.realpath(f).startswith(str(docs)) for f in read.files)


def test_a_page_block_that_fails_anywhere_is_a_words_error(tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"junk")
    os.mkfifo(tmp_path / "fifo.png")
    for text in (
        "--in 3,4,4 --weights junk.pt",
        "--in 1,4,4 --image fifo.png",
        "--in 1,4,4 --image /proc/self/mem",
        "--layer AvgPool2d --in 1,4,4 --k 2 --divisor-override 9223372036854775808",
        "--layer 'Conv2d(1,1,' --in 1,4,4",
        "--layer MaxUnpool2d --in 1,2,2 --k 100000000",
    ):
        started = time.monotonic()
        with pytest.raises(words.WordsError):
            with words.refusals():
                words.read(text, lambda path: str(tmp_path / path)).request.render(tmp_path / "x.gif")
        assert time.monotonic() - started < 5, text


# -- sizes ------------------------------------------------------------------------------------

KINDS_OF_LAYER = ["Conv2d", "Conv1d", "ConvTranspose2d", "ConvTranspose1d", "MaxPool2d", "AvgPool1d", "MaxUnpool2d"]
SIZE = st.one_of(st.integers(1, 8), st.integers(1, 2**64), st.sampled_from([10**5, 10**6, 10**8, 2**63 - 1, 2**63]))


@budget(40)
@given(st.sampled_from(KINDS_OF_LAYER), SIZE, SIZE, st.booleans())
def test_info_answers_at_once_for_any_numbers(kind, size, kernel, ceil):
    one = kind.endswith("1d")
    args = ["info", "--layer", kind, "--in", f"1,{size}" if one else f"1,{size},{size}", "--k", str(kernel)]
    if kind.startswith("MaxPool") and ceil:
        args.append("--ceil-mode")
    started = time.monotonic()
    result = invoke(*args)
    no_traceback(result)
    assert time.monotonic() - started < 2.0, args
    assert result.exit_code in (0, 2)
    event(f"exit {result.exit_code}")


@pytest.mark.parametrize(
    "args",
    [
        ["--layer", "MaxUnpool2d", "--in", "1,2,2", "--k", "100000000"],
        ["--layer", "MaxUnpool1d", "--in", "1,2", "--k", "100000000"],
        ["--layer", "ConvTranspose2d", "--in", "1,2,2", "--k", "1000000"],
        ["--layer", "ConvTranspose2d", "--in", "1,2,2", "--k", "100000"],
        ["--layer", "MaxPool1d", "--in", "1,2", "--k", "1000000000", "--ceil-mode"],
    ],
)
def test_sizes_that_once_hung_are_refused_at_once(tmp_path, args):
    started = time.monotonic()
    result = invoke(*args, "-o", str(tmp_path / "x.gif"))
    assert result.exit_code == 2 and "'--k'" in result.output, result.output
    assert time.monotonic() - started < 3 and not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "args, option",
    [
        (["--in", "1,100000,100000", "--sweep", "out=1,2"], "'--in'"),
        (["--in", "1,64,64", "--sweep", "in=100000"], "'--sweep'"),
        (["--in", "1,2048,2048", "--sweep", "out=64,128"], "'--sweep'"),
        (["--in", "1,8,8", "--sweep", "out=1,2", "-o", "/dev/null"], "'-o'"),
        (["--in", "1,8,8", "--sweep", "out=1,2", "-o", "folder/"], "'-o'"),
    ],
)
def test_bench_refuses_at_once_what_it_cannot_do(tmp_path, monkeypatch, args, option):
    monkeypatch.chdir(tmp_path)
    started = time.monotonic()
    result = invoke("bench", *args)
    assert result.exit_code == 2 and option in result.output, result.output
    assert time.monotonic() - started < 3 and not list(tmp_path.iterdir())


# -- files ------------------------------------------------------------------------------------


def torch_file() -> bytes:
    torch = pytest.importorskip("torch")
    buffer = io.BytesIO()
    torch.save({"weight": torch.ones(2, 1, 3, 3), "bias": torch.zeros(2)}, buffer)
    return buffer.getvalue()


@budget(60)
@given(st.data())
def test_any_weights_file_is_a_layer_or_a_weights_error(tmp_path_factory, data):
    original = torch_file()
    choice = data.draw(st.sampled_from(["random", "truncated", "mutated", "pickle", "text"]))
    if choice == "random":
        content = data.draw(st.binary(max_size=300))
    elif choice == "truncated":
        content = original[: data.draw(st.integers(0, len(original)))]
    elif choice == "mutated":
        where = data.draw(st.lists(st.integers(0, len(original) - 1), min_size=1, max_size=8))
        mutable = bytearray(original)
        for i in where:
            mutable[i] = data.draw(st.integers(0, 255))
        content = bytes(mutable)
    elif choice == "pickle":
        content = b"\x80\x02" + data.draw(st.binary(max_size=20)) + b"."
    else:
        content = data.draw(st.text(max_size=200)).encode()
    path = tmp_path_factory.mktemp("weights") / "w.pt"
    path.write_bytes(content)
    from convgif.inputs.pytorch import load_layer

    try:
        load_layer(str(path), None)
        event("loaded")
    except SpecError as error:
        assert error.argument in ("weights", "module", "weight", "bias")
        assert "weights_only" not in str(error) and "will likely succeed" not in str(error)
        event(f"refused {choice}")


def test_a_small_archive_that_inflates_to_gigabytes_is_refused_before_it_is_inflated(tmp_path):
    torch_file()
    path = tmp_path / "bomb.pt"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb/data.pkl", b"\x80\x02}q\x00.")
        archive.writestr("bomb/data/0", bytes(600 << 20))
    assert path.stat().st_size < 2 << 20
    result = invoke("--weights", str(path), "--in", "1,4,4", "-o", str(tmp_path / "x.gif"))
    assert result.exit_code == 2 and "decompressed" in result.output and "'--weights'" in result.output


MODES = ["1", "L", "P", "RGB", "RGBA", "LA", "PA", "I;16", "I", "F", "CMYK", "YCbCr", "HSV", "LAB"]


@budget(40)
@given(st.sampled_from(MODES), st.sampled_from([1, 3]), st.sampled_from(["PNG", "TIFF"]))
def test_a_picture_in_any_mode_is_read_in_range_or_refused_naming_it(tmp_path_factory, mode, channels, kind):
    folder = tmp_path_factory.mktemp("mode")
    rng = np.random.default_rng(0)
    if mode == "F":
        picture = Image.fromarray(rng.random((8, 8), dtype=np.float32), "F")
    elif mode == "I;16":
        picture = Image.fromarray(rng.integers(0, 65536, (8, 8), dtype=np.uint16))
    else:
        picture = Image.new(mode, (8, 8))
    path = folder / f"p.{kind.lower()}"
    try:
        picture.save(path, format=kind)
    except (OSError, ValueError, KeyError):
        return  # a mode this format does not store
    try:
        pixels = load_image(path, Conv2dSpec((channels, 4, 4)))
    except SpecError as error:
        assert error.argument == "image" and "mode" in str(error), error
        event(f"{mode} refused")
        return
    event(f"{mode} read")
    assert pixels.shape == (channels, 4, 4) and 0 <= pixels.min() and pixels.max() <= 255


def test_a_16_bit_picture_is_scaled_not_clipped(tmp_path):
    Image.fromarray(np.full((4, 4), 32896, np.uint16)).save(tmp_path / "g.png")
    assert (load_image(tmp_path / "g.png", Conv2dSpec((1, 4, 4))) == 128).all()
    Image.fromarray(np.full((4, 4), 0.5, np.float32), "F").save(tmp_path / "f.tif")
    assert (load_image(tmp_path / "f.tif", Conv2dSpec((1, 4, 4))) == 128).all()


def test_a_photo_stands_as_its_exif_orientation_says(tmp_path):
    picture = Image.new("L", (8, 4), 0)
    picture.paste(255, (0, 0, 8, 1))  # the top row white
    exif = picture.getexif()
    exif[0x0112] = 6  # turned 90° clockwise to show
    picture.save(tmp_path / "p.jpg", exif=exif, quality=100)
    pixels = load_image(tmp_path / "p.jpg", Conv2dSpec((1, 8, 4)))[0]
    assert pixels[:, -1].min() > 200 and pixels[:, 0].max() < 50  # the white row is now the right column


def test_a_fifo_is_never_opened(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkfifo("f.png")
    os.mkfifo("f.npy")
    os.mkfifo("f.pt")
    for args, option in (
        (["--image", "f.png"], "'--image'"),
        (["--kernel", "f.npy"], "'--kernel'"),
        (["--weights", "f.pt"], "'--weights'"),
    ):
        result = invoke("--in", "1,4,4", *args)
        assert result.exit_code == 2 and option in result.output and "FIFO" in result.output


@pytest.mark.parametrize("expression", ["1+" * 600 + "1", "a." * 900 + "a", "f" + "()" * 900, "-" * 1500 + "1"])
def test_a_layer_line_of_any_depth_is_refused_naming_layer(expression):
    result = invoke("--layer", f"Conv2d({expression})", "--in", "1,4,4")
    assert result.exit_code == 2 and "'--layer'" in result.output


@pytest.mark.parametrize("manifest", ["null", "[]", '"x"', "1e999999", "[" * 100000 + "]" * 100000, '{"a": 1}'])
def test_a_gallery_with_any_manifest_builds(tmp_path, manifest):
    (tmp_path / "gallery.toml").write_text('[[entry]]\nname = "a"\ntitle = "A"\nargs = "--in 1,3,3"\n')
    (tmp_path / "manifest.json").write_text(manifest)
    gallery = load(tmp_path / "gallery.toml")
    build(gallery, tmp_path, list(gallery.entries), 1)
    assert (tmp_path / "a.gif").is_file() and (tmp_path / "README.md").is_file()


def test_a_gallery_whose_page_is_a_folder_is_refused(tmp_path):
    (tmp_path / "gallery.toml").write_text('[[entry]]\nname = "a"\ntitle = "A"\nargs = "--in 1,3,3"\n')
    (tmp_path / "README.md").mkdir()
    gallery = load(tmp_path / "gallery.toml")
    with pytest.raises(GalleryError, match="README.md"):
        build(gallery, tmp_path, [], 1)


def test_a_deeply_nested_gallery_file_is_refused(tmp_path):
    (tmp_path / "gallery.toml").write_text("x = " + "[" * 100000 + "]" * 100000)
    with pytest.raises(GalleryError):
        load(tmp_path / "gallery.toml")


# -- API values -------------------------------------------------------------------------------

VALUES = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from([10**10000, -(10**10000), 2**63, float("nan"), float("inf"), 1e39, "1e39", b"x", None, True]),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.lists(st.integers(-3, 3), max_size=3),
    st.builds(object),
)
OPTIONS = ["fps", "max_frames", "seed", "kernel", "image", "notes", "theme", "width", "scale", "format", "region"]


@budget(120)
@given(st.sampled_from(OPTIONS), VALUES)
def test_any_api_value_renders_or_is_a_spec_error_naming_it(option, value):
    try:
        convgif.render(Conv2dSpec((1, 4, 4)), io.BytesIO(), **{option: value})
        event("rendered")
    except SpecError as error:
        assert error.argument in (option, "input_shape", "kernel_size"), (error.argument, option)
        event("refused")


SPEC_ARGUMENTS = ["kernel_size", "stride", "padding", "dilation", "out_channels", "groups", "input_shape"]


@budget(80)
@given(st.sampled_from(SPEC_ARGUMENTS), VALUES)
def test_any_spec_argument_is_taken_or_a_spec_error_naming_it(argument, value):
    arguments = {"input_shape": (1, 6, 6), "out_channels": 1, "kernel_size": 2, argument: value}
    try:
        spec = Conv2dSpec(**arguments)
        describe(spec)
    except SpecError as error:
        assert error.argument in SPEC_ARGUMENTS and len(str(error)) < 2000
        event("refused")
        return
    event("taken")
    assert math.prod(spec.output_shape) >= 1


def test_divisor_override_beyond_64_bits_is_refused():
    with pytest.raises(SpecError, match="64-bit") as refused:
        convgif.AvgPool2dSpec((1, 4, 4), 2, divisor_override=2**63)
    assert refused.value.argument == "divisor_override"
    with pytest.raises(SpecError) as refused:
        Conv2dSpec((1, 4, 4), 10**10000)
    assert refused.value.argument == "out_channels" and "digits" in str(refused.value)


# -- a full disk --------------------------------------------------------------------------------


@pytest.fixture
def full_disk(tmp_path):
    """A folder on a 64 KiB file system (root only: a tmpfs is mounted there)."""
    import subprocess

    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("a small file system cannot be mounted here (root only)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)


def test_a_full_disk_leaves_every_file_as_it_was(full_disk, monkeypatch):
    monkeypatch.chdir(full_disk)
    Path("x.gif").write_bytes(b"old")
    result = invoke("--in", "2,20,20", "--max-frames", "0", "-o", "x.gif")
    assert result.exit_code == 1 and "No space left on device" in result.output
    Path("README.md").write_text("the old page " * 100)
    free = os.statvfs(full_disk)
    Path("filler").write_bytes(b"x" * max(0, free.f_bavail * free.f_frsize - 4096))
    result = invoke("bench", "--in", "1,8,8", "--sweep", "out=1,2", "--time-budget", "0.2", "-o", "b", "-q")
    assert result.exit_code == 1 and "No space left on device" in result.output
    (full_disk / "gallery.toml").write_text(
        '[[entry]]\nname = "a"\ntitle = "A"\nargs = "--in 3,30,30 --max-frames 0"\n'
    )
    before = Path("README.md").read_bytes()
    result = invoke("gallery", "--config", "gallery.toml", "--jobs", "1", "-q")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert Path("README.md").read_bytes() == before and Path("x.gif").read_bytes() == b"old"
    assert not [p.name for p in full_disk.iterdir() if p.name.startswith(".")]
    if convgif.files.formats.FORMATS["mp4"].missing() is None:
        result = invoke("--in", "2,20,20", "--max-frames", "0", "-o", "x.mp4")
        assert result.exit_code == 1 and "No space left on device" in result.output and "ffmpeg -y" not in result.output
        assert not Path("x.mp4").exists()
