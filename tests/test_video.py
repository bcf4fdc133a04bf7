"""MP4 for slides: streamed to ffmpeg, even sizes, the last frame held, the same bytes every time."""

import io
import sys

import numpy as np
import pytest
from gifs import displayed_frames

import convgif
from convgif.extras import install_command
from convgif.files.mp4 import even

SPEC = convgif.Conv2dSpec((1, 5, 5), 1, 3)  # 9 steps


def test_even_sizes():
    assert even((798, 537)) == (798, 538) and even((5, 4)) == (6, 4)


def test_without_the_extra_the_install_command_is_named_and_nothing_written(run, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)
    for args, option in ((["-o", "slide.mp4"], "'-o' / '--output'"), (["--format", "mp4"], "'--format'")):
        result = run("--in", "1,5,5", *args)
        assert result.exit_code == 2 and option in result.output
        assert install_command("video") in result.output
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(convgif.SpecError) as error:
        convgif.render(SPEC, tmp_path / "x.mp4")
    assert error.value.argument == "path"


imageio = pytest.importorskip("imageio")
pytest.importorskip("imageio_ffmpeg")


def decoded(data: bytes) -> list[np.ndarray]:
    """Every frame of an MP4, as RGB arrays."""
    import imageio.v3 as iio

    return list(iio.imiter(data, extension=".mp4", plugin="FFMPEG"))


def test_mp4_from_the_suffix_or_format_plays_every_step_then_holds(run, tmp_path):
    result = run("--in", "1,5,5", "-o", "slide.mp4")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("slide.mp4\n") and "9 frames" in result.output
    data = (tmp_path / "slide.mp4").read_bytes()
    assert data[4:8] == b"ftyp"
    frames = decoded(data)
    gif = displayed_frames(convgif.render(SPEC, tmp_path / "same.gif").path)
    height, width = gif[0].shape[:2]
    assert frames[0].shape == (*reversed(even((width, height))), 3)
    # 300 ms a frame; the last one held 1.5 s as in the GIF: 5 frames
    assert len(frames) == 8 + 5
    for frame, expected in zip(frames, gif[:8] + [gif[8]] * 5):
        difference = np.abs(frame[:height, :width].astype(int) - expected.astype(int))
        assert difference.mean() < 3  # lossy, but the same picture
    named = run("--in", "1,5,5", "--format", "mp4", "-q")
    assert named.output.strip() == "conv2d_1x5x5_out1_k3.mp4"


def test_same_arguments_same_bytes(tmp_path):
    first = convgif.render(SPEC, tmp_path / "a.mp4")
    second = convgif.render(SPEC, tmp_path / "b.mp4")
    assert first.format == "mp4" and first.bytes == first.path.stat().st_size
    assert first.path.read_bytes() == second.path.read_bytes()
    buffer = io.BytesIO()
    in_memory = convgif.render(SPEC, buffer, format="mp4")
    assert buffer.getvalue() == first.path.read_bytes() and in_memory.data == buffer.getvalue()
    assert '<video src="data:video/mp4;base64,' in in_memory._repr_html_()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp4", "b.mp4"]  # no scratch left behind


def test_a_failed_render_leaves_nothing(tmp_path, monkeypatch):
    from convgif.files import mp4 as video

    original = video.Mp4Writer.add

    def broken(self, frame, duration_ms, changed=None):  # fails with ffmpeg running, three frames in
        if self.frames_written == 3:
            raise RuntimeError("disk on fire")
        original(self, frame, duration_ms, changed)

    (tmp_path / "old.mp4").write_bytes(b"old")
    monkeypatch.setattr(video.Mp4Writer, "add", broken)
    with pytest.raises(RuntimeError):
        convgif.render(SPEC, tmp_path / "old.mp4")
    assert [p.name for p in tmp_path.iterdir()] == ["old.mp4"] and (tmp_path / "old.mp4").read_bytes() == b"old"
