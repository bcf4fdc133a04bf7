import os
import stat

import numpy as np
import pytest
from gifs import blocks, displayed_frames, durations

from convgif.writer import MAX_DELAY_MS, GifWriter

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
