import os
import stat

import numpy as np
import pytest
from gifs import blocks, displayed_frames, durations
from PIL import Image

from convgif.files.base import MAX_DELAY_MS
from convgif.files.gif import GifWriter

PALETTE = [(255, 255, 255), (0, 0, 0), (200, 30, 30), (30, 200, 30)]


def make_frames(n: int, shape=(30, 40)) -> list[np.ndarray]:
    rng = np.random.default_rng(1)
    frame = rng.integers(0, len(PALETTE), shape, dtype=np.uint8)
    frames = [frame.copy()]
    for i in range(1, n):
        frame = frame.copy()
        frame[(3 * i) % shape[0], : 5 + i] = i % len(PALETTE)
        frame[5:9, (7 * i) % shape[1]] = (i + 1) % len(PALETTE)
        frames.append(frame)
    return frames


def write(path, frames, ms=100, last=None):
    with GifWriter(path, (frames[0].shape[1], frames[0].shape[0]), PALETTE) as gif:
        for i, frame in enumerate(frames):
            gif.add(frame, last if (last and i == len(frames) - 1) else ms)
    return gif


def test_frames_read_back_exactly(tmp_path):
    frames = make_frames(12)
    path = tmp_path / "a.gif"
    gif = write(path, frames, ms=300, last=1500)
    shown = displayed_frames(path)
    assert len(shown) == 12 == gif.frames_written
    lut = np.array(PALETTE, np.uint8)
    for got, frame in zip(shown, frames):
        np.testing.assert_array_equal(got, lut[frame])
    assert durations(path) == [300] * 11 + [1500]
    assert gif.bytes_written == path.stat().st_size


def test_loops_forever_and_stores_only_changed_rectangles(tmp_path):
    frames = make_frames(6)
    path = tmp_path / "a.gif"
    write(path, frames)
    info = blocks(path)
    assert info["loop"] == 0
    assert info["size"] == (40, 30)
    assert info["images"][0] == (0, 0, 40, 30)
    for (x, y, w, h), before, after in zip(info["images"][1:], frames, frames[1:]):
        ys, xs = np.nonzero(before != after)
        assert (x, y, x + w, y + h) == (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)


def test_repeated_frame_extends_the_previous_one(tmp_path):
    a, b = make_frames(2)
    path = tmp_path / "a.gif"
    write(path, [a, a, a, b], ms=200)
    assert durations(path) == [600, 200]


def test_same_frames_same_bytes(tmp_path):
    frames = make_frames(8)
    write(tmp_path / "a.gif", frames)
    write(tmp_path / "b.gif", frames)
    assert (tmp_path / "a.gif").read_bytes() == (tmp_path / "b.gif").read_bytes()


def test_failure_leaves_no_file_and_keeps_the_old_one(tmp_path):
    path = tmp_path / "a.gif"
    path.write_bytes(b"old contents")
    frames = make_frames(5)
    with pytest.raises(KeyboardInterrupt):
        with GifWriter(path, (40, 30), PALETTE) as gif:
            for i, frame in enumerate(frames):
                if i == 3:
                    raise KeyboardInterrupt
                gif.add(frame, 100)
    assert path.read_bytes() == b"old contents"
    assert os.listdir(tmp_path) == ["a.gif"]


def test_new_file_permissions_follow_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write(tmp_path / "a.gif", make_frames(2))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.gif").stat().st_mode) == 0o644


def test_refuses_wrong_frames_and_palettes(tmp_path):
    with pytest.raises(ValueError):
        GifWriter(tmp_path / "a.gif", (4, 4), [(0, 0, 0)] * 256)
    with pytest.raises(ValueError):
        with GifWriter(tmp_path / "a.gif", (4, 4), PALETTE) as gif:
            gif.add(np.zeros((5, 4), np.uint8), 100)
    assert not (tmp_path / "a.gif").exists()


def test_long_still_stretches_over_several_frames_within_the_gif_limit(tmp_path):
    a, b = make_frames(2)
    path = tmp_path / "a.gif"
    write(path, [a, a, a, b], ms=300_000)
    assert durations(path) == [600_000, 300_000, 300_000]
    with pytest.raises(ValueError):
        write(tmp_path / "b.gif", [a], ms=MAX_DELAY_MS + 10)


def test_a_failure_while_finishing_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "a.gif"
    path.write_bytes(b"old contents")

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        write(path, make_frames(3))
    assert path.read_bytes() == b"old contents"
    assert os.listdir(tmp_path) == ["a.gif"]


def test_a_folder_or_special_file_is_not_replaced(tmp_path):
    (tmp_path / "folder").mkdir()
    with pytest.raises(IsADirectoryError):
        write(tmp_path / "folder", make_frames(2))
    assert sorted(os.listdir(tmp_path)) == ["folder"] and os.listdir(tmp_path / "folder") == []


def test_writes_through_a_symlink_and_keeps_permissions(tmp_path):
    real = tmp_path / "real.gif"
    real.write_bytes(b"old")
    os.chmod(real, 0o600)
    link = tmp_path / "link.gif"
    link.symlink_to(real)
    write(link, make_frames(2))
    assert link.is_symlink() and real.read_bytes().startswith(b"GIF89a")
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert sorted(os.listdir(tmp_path)) == ["link.gif", "real.gif"]


# -- APNG and WebP: streamed like GIF ------------------------------------------------------------


def loaded_durations(path) -> list[int]:
    """Each frame's duration, as Pillow reports it once the frame is decoded (WebP needs that)."""
    from PIL import Image

    with Image.open(path) as image:
        out = []
        for i in range(image.n_frames):
            image.seek(i)
            image.load()
            out.append(image.info["duration"])
        return out


def write_as(kind, path, frames, ms=100, last=None):
    from convgif.files.formats import FORMATS

    with FORMATS[kind].open(path, (frames[0].shape[1], frames[0].shape[0]), PALETTE) as writer:
        for i, frame in enumerate(frames):
            writer.add(frame, last if (last and i == len(frames) - 1) else ms)
    return writer


@pytest.mark.parametrize("kind, pillow_format", [("apng", "PNG"), ("webp", "WEBP")])
def test_apng_and_webp_frames_read_back_exactly(tmp_path, kind, pillow_format):
    from PIL import Image

    frames = make_frames(12, shape=(31, 41))  # odd sides; rows and columns change at odd offsets
    path = tmp_path / f"a.{kind}"
    writer = write_as(kind, path, frames, ms=300, last=1500)
    with Image.open(path) as image:
        assert image.format == pillow_format and image.n_frames == 12 and image.info.get("loop") == 0
    shown = displayed_frames(path)
    assert len(shown) == 12 == writer.frames_written
    lut = np.array(PALETTE, np.uint8)
    for got, frame in zip(shown, frames):
        np.testing.assert_array_equal(got, lut[frame])
    assert loaded_durations(path) == [300] * 11 + [1500]
    assert writer.bytes_written == path.stat().st_size


@pytest.mark.parametrize("kind", ["apng", "webp"])
def test_apng_and_webp_same_frames_same_bytes_and_repeats_merged(tmp_path, kind):
    frames = make_frames(8)
    write_as(kind, tmp_path / "a", frames)
    write_as(kind, tmp_path / "b", frames)
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()
    a, b = frames[:2]
    write_as(kind, tmp_path / "c", [a, a, a, b], ms=200)
    assert loaded_durations(tmp_path / "c") == [600, 200]


def test_an_apng_still_longer_than_its_longest_delay_spans_several_frames(tmp_path):
    from convgif.files.png import ApngWriter

    a, b = make_frames(2)
    write_as("apng", tmp_path / "a.png", [a, a, a, b], ms=30_000)
    assert loaded_durations(tmp_path / "a.png") == [60_000, 30_000, 30_000]
    with pytest.raises(ValueError):
        write_as("apng", tmp_path / "b.png", [a], ms=ApngWriter.MAX_DELAY_MS + 1)
    assert sorted(os.listdir(tmp_path)) == ["a.png"]


@pytest.mark.parametrize("kind", ["apng", "webp"])
def test_apng_and_webp_failures_leave_no_file(tmp_path, kind):
    from convgif.files.formats import FORMATS

    path = tmp_path / "a"
    path.write_bytes(b"old contents")
    with pytest.raises(KeyboardInterrupt), FORMATS[kind].open(path, (40, 30), PALETTE) as writer:
        for i, frame in enumerate(make_frames(20)):
            if i == 15:
                raise KeyboardInterrupt
            writer.add(frame, 100)
    assert path.read_bytes() == b"old contents" and os.listdir(tmp_path) == ["a"]
    with pytest.raises(ValueError, match="at least one frame"), FORMATS[kind].open(tmp_path / "none", (4, 4), PALETTE):
        pass
    assert os.listdir(tmp_path) == ["a"]


def test_the_format_registry_opens_the_streaming_writers(tmp_path):
    from convgif.files.formats import FORMATS
    from convgif.files.gif import GifWriter
    from convgif.files.png import ApngWriter
    from convgif.files.webp import WebPWriter

    assert isinstance(FORMATS["webp"].open(tmp_path / "a.webp", (4, 4), PALETTE), WebPWriter)
    assert isinstance(FORMATS["apng"].open(tmp_path / "a.png", (4, 4), PALETTE), ApngWriter)
    assert isinstance(FORMATS["gif"].open(tmp_path / "a.gif", (4, 4), PALETTE), GifWriter)
    with pytest.raises(ValueError, match="at most 16384 pixels"):
        WebPWriter(tmp_path / "a.webp", (20_000, 4), PALETTE)


@pytest.mark.parametrize("kind, tool", [("webp", ["webpinfo", "-quiet"]), ("apng", ["pngcheck", "-q"])])
def test_other_tools_find_the_files_valid(tmp_path, kind, tool):
    import shutil
    import subprocess

    if shutil.which(tool[0]) is None:
        pytest.skip(f"{tool[0]} is not installed")
    path = tmp_path / f"a.{kind}"
    write_as(kind, path, make_frames(6, shape=(31, 41)))
    done = subprocess.run([*tool, str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_libwebps_own_tools_decode_every_frame_rectangle(tmp_path):
    """Each stored frame, taken out with webpmux and decoded with dwebp, drawn over the
    picture before at its even offset, gives the frame written."""
    import shutil
    import subprocess

    from PIL import Image

    if shutil.which("webpmux") is None or shutil.which("dwebp") is None:
        pytest.skip("webpmux and dwebp are not installed")
    frames = make_frames(8, shape=(31, 41))
    write_as("webp", tmp_path / "a.webp", frames)
    lut = np.array(PALETTE, np.uint8)
    canvas = None
    for n, frame in enumerate(frames, start=1):
        for command in (
            ["webpmux", "-get", "frame", str(n), "a.webp", "-o", "f.webp"],
            ["dwebp", "f.webp", "-o", "f.png"],
        ):
            done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
            assert done.returncode == 0, done.stdout + done.stderr
        patch = np.asarray(Image.open(tmp_path / "f.png").convert("RGBA"))
        if canvas is None:
            canvas = patch[..., :3].copy()
        else:
            ys, xs = np.nonzero(frame != frames[n - 2])
            y0, x0 = ys.min() - ys.min() % 2, xs.min() - xs.min() % 2
            shown = patch[..., 3] == 255
            assert set(np.unique(patch[..., 3])) <= {0, 255}
            region = canvas[y0 : y0 + patch.shape[0], x0 : x0 + patch.shape[1]]
            region[shown] = patch[..., :3][shown]
        np.testing.assert_array_equal(canvas, lut[frame])


def test_vp8l_pictures_decode_to_the_indices_written():
    """The lossless bitstream, alone as a still picture, for pictures of many kinds: noise, flat
    areas, repeated rows and columns, long runs over the copy limit, one pixel, the widest,
    skewed counts that need length-limited codes."""
    import io

    from PIL import Image

    from convgif.files.webp import _colour_table, _riff_chunk, vp8l

    rng = np.random.default_rng(7)
    fibonacci = [1, 1]
    while len(fibonacci) < 24:
        fibonacci.append(fibonacci[-1] + fibonacci[-2])
    skewed = np.resize(rng.permutation(np.repeat(np.arange(24), fibonacci)), (160, 500))  # deep code trees
    noise = rng.integers(0, 31, (400, 700))  # more fields than the bit writer adds up at once
    pictures = [skewed, noise, np.zeros((1, 1), int), np.zeros((1, 16_384), int), np.arange(9000).reshape(2, 4500) % 3]
    for i in range(60):
        height, width = rng.integers(1, 50, 2)
        noise = rng.integers(0, rng.integers(1, 40), (height, width))
        pictures.append(
            [
                noise,
                np.repeat(noise[:1], height, axis=0),
                np.repeat(noise[:, :1], width, axis=1),
                np.where(rng.random((height, width)) < 0.9, 0, noise),
            ][i % 4]
        )
    for picture in pictures:
        count = int(picture.max()) + 1 + int(rng.integers(0, 200))
        colours = np.concatenate([np.full((count, 1), 255), rng.integers(0, 256, (count, 3))], axis=1)
        colours = np.concatenate([colours, np.zeros((max(1, 17 - count), 4), np.int64)])
        chunk = _riff_chunk(b"VP8L", vp8l(picture.astype(np.uint8), _colour_table(colours), False))
        data = b"RIFF" + (len(chunk) + 4).to_bytes(4, "little") + b"WEBP" + chunk
        with Image.open(io.BytesIO(data)) as image:
            np.testing.assert_array_equal(np.asarray(image.convert("RGBA")), colours[picture][..., [1, 2, 3, 0]])


def test_any_frames_read_back_exactly_in_every_format(tmp_path):
    """Random pictures and changes (pixels, rectangles, repeats), small palettes and large."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from convgif.files.formats import FORMATS

    @settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data):
        height, width = data.draw(st.integers(1, 24)), data.draw(st.integers(1, 24))
        count = data.draw(st.integers(1, 255))
        palette = [((7 * i) % 256, (53 * i) % 256, (101 * i + 3) % 256) for i in range(count)]
        seed = data.draw(st.integers(0, 2**16))
        rng = np.random.default_rng(seed)
        frame = rng.integers(0, count, (height, width), dtype=np.uint8)
        if data.draw(st.booleans()):
            frame[:] = frame[0, 0]
        frames = [frame]
        for _ in range(data.draw(st.integers(0, 5))):
            frame = frame.copy()
            y, x = rng.integers(0, height), rng.integers(0, width)
            change = data.draw(st.sampled_from(["pixel", "rectangle", "same", "everything"]))
            if change == "pixel":
                frame[y, x] = rng.integers(0, count)
            elif change == "rectangle":
                frame[y : y + rng.integers(1, 9), x : x + rng.integers(1, 9)] = rng.integers(0, count)
            elif change == "everything":
                frame = rng.integers(0, count, (height, width), dtype=np.uint8)
            frames.append(frame)
        shown = [f for i, f in enumerate(frames) if i == 0 or not np.array_equal(f, frames[i - 1])]
        lut = np.array(palette, np.uint8)
        for kind, writer in (
            (name, FORMATS[name].open) for name in ("gif", "webp", "apng")
        ):  # (MP4: tests/test_video.py)
            path = tmp_path / f"a.{kind}"
            with writer(path, (width, height), palette) as out:
                for f in frames:
                    out.add(f, 100)
            got = displayed_frames(path)
            assert len(got) == len(shown), kind
            for picture, f in zip(got, shown):
                np.testing.assert_array_equal(picture, lut[f], err_msg=kind)

    check()


# -- frames given with the rectangles where they changed -----------------------------------------


def changing_frames(n, shape=(40, 60), seed=3):
    """Frames of a few changes each (lines, blocks, pixels, a repeat), with the rectangles that
    hold each change, overlapping and padded with unchanged pixels as a renderer's are."""
    rng = np.random.default_rng(seed)
    frame = rng.integers(0, len(PALETTE), shape, dtype=np.uint8)
    frames, rects = [frame.copy()], [None]
    height, width = shape
    for i in range(1, n):
        frame = frame.copy()
        found = []
        for _ in range(int(rng.integers(0, 4)) if i % 5 else 0):  # every fifth frame a repeat
            y0, x0 = int(rng.integers(0, height)), int(rng.integers(0, width))
            y1, x1 = min(height, y0 + int(rng.integers(1, 12))), min(width, x0 + int(rng.integers(1, 12)))
            frame[y0:y1, x0:x1] = rng.integers(0, len(PALETTE))
            found.append((max(0, y0 - 2), y1, max(0, x0 - 3), min(width, x1 + 1)))
            found.append((y0, y1, x0, x1))
        found.append((0, 1, 0, width))  # a rectangle where nothing changed
        frames.append(frame)
        rects.append(found)
    return frames, rects


@pytest.mark.parametrize("kind", ["gif", "webp", "apng"])
def test_frames_with_their_rectangles_write_the_bytes_of_whole_frames(tmp_path, kind):
    from convgif.files.formats import FORMATS

    frames, rects = changing_frames(40)
    size = (frames[0].shape[1], frames[0].shape[0])
    with FORMATS[kind].open(tmp_path / "whole", size, PALETTE) as whole:
        for frame in frames:
            whole.add(frame, 100)
    with FORMATS[kind].open(tmp_path / "rects", size, PALETTE) as told:
        for frame, found in zip(frames, rects):
            told.add(frame.copy(), 100, found)
    assert (tmp_path / "whole").read_bytes() == (tmp_path / "rects").read_bytes()
    assert whole.frames_written == told.frames_written < len(frames)  # the repeats merged


def test_a_frame_is_compared_only_within_its_rectangles(tmp_path):
    """What lies outside the rectangles given is taken as unchanged (a caller's promise)."""
    a = np.zeros((30, 40), np.uint8)
    b = a.copy()
    b[5, 6], b[20, 30] = 1, 2
    with GifWriter(tmp_path / "a.gif", (40, 30), PALETTE) as gif:
        gif.add(a, 100)
        gif.add(b, 100, [(0, 10, 0, 10)])
        gif.add(b, 100, [])  # nothing changed: the frame before is held longer
    assert blocks(tmp_path / "a.gif")["images"][1] == (6, 5, 1, 1)
    assert durations(tmp_path / "a.gif") == [100, 200]


def pillow_lzw(picture, bits):
    from PIL import Image

    height, width = picture.shape
    return Image.frombytes("P", (width, height), picture.tobytes()).tobytes("gif", "P", bits)


def all_runs(picture):
    flat = picture.ravel()
    starts = np.concatenate(([0], np.flatnonzero(flat[1:] != flat[:-1]) + 1))
    return flat[starts], np.diff(starts, append=flat.size)


def test_lzw_by_runs_writes_pillows_bytes():
    """Noise, sparse changes on one colour, long runs, stripes and single rows, at every code
    size, including pictures long enough to fill the code table many times over."""
    from convgif.files import lzw

    rng = np.random.default_rng(5)
    pictures = []
    for i in range(400):
        bits = int(rng.integers(2, 9))
        height, width = (int(v) for v in rng.integers(1, 90, 2))
        top = 1 << bits
        sea = int(rng.integers(0, top))
        pictures.append(
            (
                bits,
                [
                    rng.integers(0, top, (height, width)),
                    np.where(rng.random((height, width)) < 0.02, rng.integers(0, top, (height, width)), sea),
                    np.where(rng.random((height, width)) < 0.0005, rng.integers(0, top, (height, width)), sea),
                    np.repeat(rng.integers(0, min(top, 3), (height, width // 7 + 1)), 7, axis=1)[:, :width],
                    np.full((height, width), sea),
                ][i % 5].astype(np.uint8),
            )
        )
    for bits in (2, 8):
        for length in (1, 2, 3, 4095, 4096, 100_000, 3_000_000):
            pictures.append((bits, np.full((1, length), 1, np.uint8)))
        sparse = np.full((600, 1500), 3, np.uint8)
        sparse.flat[rng.integers(0, sparse.size, 3000)] = rng.integers(0, 4, 3000)
        pictures.append((bits, sparse))
    for bits, picture in pictures:
        assert lzw.encode(*all_runs(picture), bits) == pillow_lzw(picture, bits), (bits, picture.shape)


def test_lzw_by_runs_finds_the_runs_of_pictures_of_few_runs_only():
    from convgif.files import lzw

    rng = np.random.default_rng(8)
    assert lzw.runs(rng.integers(0, 4, (50, 50), dtype=np.uint8), 0) is None
    assert lzw.runs(np.repeat(np.array([[1, 2, 1]], np.uint8), 1000, axis=1), 1) is None  # a third not sea
    values, lengths = lzw.runs(np.repeat(np.array([[1, 2, 1]], np.uint8), [5000, 9, 5000], axis=1), 1)
    assert values.tolist() == [1, 2, 1] and lengths.tolist() == [5000, 9, 5000]
    for size in (1, 7, 8, 9, 4001, 90_001, 250_007):  # sizes around whole words of eight pixels
        for sea in (0, 5, 255):
            picture = np.full(size, sea, np.uint8)
            for at in {0, size - 1, size // 2, min(size // 2 + 1, size - 1)}:
                picture[at] = 3
            found = lzw.runs(picture.reshape(1, -1), sea)
            if found is not None:
                assert [a.tolist() for a in found] == [a.tolist() for a in all_runs(picture)], (size, sea)
            else:
                assert len(all_runs(picture)[0]) * lzw.PIXELS_PER_RUN >= size
    picture = np.full((300, 701), 9, np.uint8)
    picture.flat[rng.integers(0, picture.size, 400)] = rng.integers(0, 12, 400)
    assert [a.tolist() for a in lzw.runs(picture, 9)] == [a.tolist() for a in all_runs(picture)]


def test_gif_rectangles_are_encoded_the_same_by_runs_and_by_pillow(tmp_path, monkeypatch):
    frames, rects = changing_frames(30, shape=(300, 400))
    write(tmp_path / "runs.gif", frames)
    monkeypatch.setattr(GifWriter, "RUNS", False)
    write(tmp_path / "pillow.gif", frames)
    assert (tmp_path / "runs.gif").read_bytes() == (tmp_path / "pillow.gif").read_bytes()


# Layers of every kind, rendered as convgif does and with whole frames given without their
# rectangles and encoded by Pillow alone: the same bytes.
LAYERS = [
    "--in 2,6,6 --out 2 --k 3 --p 1 --values",
    "--in 3,7,7 --out 2 --k 3 --p 1 --s 2 --d 2",
    "--in 4,5,5 --out 4 --k 3 --g 2 --values",
    "--separable --in 4,6,6 --out 6 --k 3 --max-frames 40",
    "--transposed --in 2,3,3 --out 2 --k 3 --s 2 --p 1 --values",
    "--layer MaxPool2d --in 2,5,5 --k 2 --ceil-mode --return-indices",
    "--layer AvgPool2d --in 1,6,6 --k 3 --s 2 --p 1 --values",
    "--layer Conv1d --in 2,12 --out 2 --k 3 --values",
    "--in 1,40,40 --k 3 --p 1 --max-frames 25",
    "--in 3,32,32 --out 16 --k 3 --max-frames 30 --theme dark",
]


@pytest.mark.parametrize("args", LAYERS)
def test_rendered_layers_write_the_same_bytes_with_rectangles_as_whole_frames(tmp_path, monkeypatch, args):
    from click.testing import CliRunner

    import convgif.api
    from convgif.cli import main

    def render(name):
        result = CliRunner().invoke(main, [*args.split(), "-o", str(tmp_path / name), "-q"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return (tmp_path / name).read_bytes()

    told = render("rects.gif"), render("rects.webp")
    monkeypatch.setattr(convgif.animation.job.Job, "changed", property(lambda self: None))
    monkeypatch.setattr(GifWriter, "RUNS", False)
    assert (render("whole.gif"), render("whole.webp")) == told


@pytest.mark.parametrize("colours", [1, 200, 256, 257, 5000])
def test_a_still_keeps_every_pixel_and_takes_a_palette_when_it_has_at_most_256_colours(tmp_path, colours):
    from convgif.files.png import write_image

    rng = np.random.default_rng(colours)
    table = rng.integers(0, 256, (colours, 3), dtype=np.uint8)
    table[0] = (255, 255, 255)
    pixels = table[np.arange(64 * 80) % colours].reshape(64, 80, 3)
    rng.shuffle(pixels.reshape(-1, 3))
    target = tmp_path / "still.png"
    assert write_image(target, Image.fromarray(pixels)) == target.stat().st_size
    with Image.open(target) as written:
        assert written.mode == ("P" if len(np.unique(table, axis=0)) <= 256 else "RGB")
        assert (np.asarray(written.convert("RGB")) == pixels).all()
