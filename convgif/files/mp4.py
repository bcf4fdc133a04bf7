"""MP4 (H.264) for slides and lecture videos, through imageio's ffmpeg plugin.

The optional extra ``video`` installs imageio and imageio-ffmpeg, whose wheels carry an ffmpeg
binary, so nothing else is needed. Frames are streamed to ffmpeg through a pipe as they are
drawn (memory stays flat however many there are), padded to even sizes as yuv420p needs,
at a constant frame rate: a frame shown longer than the first one (the last frame's hold) is
repeated, which H.264 stores in a few bytes. The encoder runs single-threaded with bit-exact
flags and no metadata, so the same arguments give the same bytes with the same ffmpeg.

ffmpeg writes under a temporary name beside the target, renamed into place when complete (or
into a scratch file when the target is a file object, then copied into it: MP4 needs to seek).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO, Optional

import numpy as np

from .atomic import AtomicFile

RGB = tuple[int, int, int]
#: H.264's constant quality: lower is better and larger; 24 keeps the cells' text and thin lines
#: sharp (the ``stillimage`` tuning keeps edges; ``veryfast`` is twice as fast as ``medium``
#: here for files within 3% of its size).
CRF = 24
#: Encoder options: plain H.264 (high profile, yuv420p, BT.709) that PowerPoint, Keynote,
#: QuickTime and browsers play; the index at the front so that playback starts at once; one
#: thread and bit-exact flags for the same bytes every time.
OUTPUT_PARAMS = [
    "-crf",
    str(CRF),
    "-preset",
    "veryfast",
    "-tune",
    "stillimage",
    "-profile:v",
    "high",
    "-vf",
    "scale=out_color_matrix=bt709:out_range=tv",
    "-colorspace",
    "bt709",
    "-color_primaries",
    "bt709",
    "-color_trc",
    "bt709",
    "-color_range",
    "tv",
    "-threads",
    "1",
    "-movflags",
    "+faststart",
    "-fflags",
    "+bitexact",
    "-flags:v",
    "+bitexact",
    "-map_metadata",
    "-1",
    "-f",
    "mp4",
]


def missing() -> Optional[str]:
    """The install command MP4 still needs, or None when it can be written."""
    from ..extras import install_hint

    if importlib.util.find_spec("imageio") is None or importlib.util.find_spec("imageio_ffmpeg") is None:
        return install_hint("video")
    import imageio_ffmpeg

    try:
        imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:  # no binary for this platform in the wheel, none on the PATH
        return install_hint("video") + "; no ffmpeg was found for this platform"
    return None


def even(size: tuple[int, int]) -> tuple[int, int]:
    """A frame size rounded up to even width and height, as yuv420p's halved chroma needs."""
    width, height = size
    return width + width % 2, height + height % 2


class Mp4Writer(AtomicFile):
    """Write palette-index frames to ``path`` as an H.264 MP4, with the interface of
    :class:`convgif.files.GifWriter`: ``add(frame, duration_ms)`` in a ``with`` block.

    The first frame's duration sets the frame rate; a longer duration repeats the frame
    (rounded to whole frames), so the last frame is held as in a GIF.
    """

    def __init__(self, path: os.PathLike | str | BinaryIO, size: tuple[int, int], palette: Sequence[RGB]) -> None:
        super().__init__(path)
        self.width, self.height = size
        self.padded = even(size)
        self.lut = np.array(list(palette), np.uint8)
        self.frames_written = 0
        #: Frames in the video, repeats included.
        self.video_frames = 0
        self.unit_ms: Optional[int] = None
        self._video: Any = None
        self._scratch: Optional[Path] = None

    def _start(self) -> None:
        if self.stream is not None:
            fd, name = tempfile.mkstemp(prefix="convgif-", suffix=".mp4")
            os.close(fd)
            self._scratch = Path(name)
        else:  # beside the temporary file, named .mp4 for ffmpeg, moved onto it when complete
            assert self._temp is not None
            self._scratch = self._temp.with_name(self._temp.name + ".mp4")

    def add(
        self, frame: np.ndarray, duration_ms: int, changed: Optional[Sequence[tuple[int, int, int, int]]] = None
    ) -> None:
        """Add ``frame``, shown for ``duration_ms``; ``changed`` (where it differs from the frame
        before) is accepted as the other writers take it, unused: a video frame goes whole."""
        if frame.shape != (self.height, self.width) or frame.dtype != np.uint8:
            raise ValueError(f"frame must be uint8 of shape {(self.height, self.width)}")
        if duration_ms <= 0:
            raise ValueError(f"duration_ms={duration_ms} must be positive")
        if self._video is None:
            self.unit_ms = duration_ms
            self._video = self._open(Fraction(1000, duration_ms))
        assert self.unit_ms is not None
        pad = ((0, self.padded[1] - self.height), (0, self.padded[0] - self.width))
        rgb = self.lut[np.pad(frame, pad, mode="edge") if any(p for _, p in pad) else frame]
        for _ in range(max(1, round(duration_ms / self.unit_ms))):
            self._video.append_data(rgb)
            self.video_frames += 1
        self.frames_written += 1

    def _open(self, fps: Fraction) -> Any:
        import imageio.v2 as imageio

        assert self._scratch is not None
        return imageio.get_writer(
            str(self._scratch),
            format="FFMPEG",
            mode="I",
            fps=fps,
            codec="libx264",
            pixelformat="yuv420p",
            quality=None,
            macro_block_size=2,
            ffmpeg_log_level="error",
            output_params=list(OUTPUT_PARAMS),
        )

    def _close_video(self) -> None:
        video, self._video = self._video, None
        if video is not None:
            video.close()

    def _finish(self) -> None:
        if self._video is None:
            raise ValueError("an MP4 needs at least one frame")
        self._close_video()
        assert self._scratch is not None
        size = self._scratch.stat().st_size
        if size == 0:
            raise OSError(5, "ffmpeg wrote nothing", str(self._scratch))
        if self.stream is not None:
            with open(self._scratch, "rb") as video:
                shutil.copyfileobj(video, self.stream)
            self._scratch.unlink(missing_ok=True)
        else:
            assert self._temp is not None
            with open(self._scratch, "rb") as video:
                os.fsync(video.fileno())
            os.replace(self._scratch, self._temp)
        self.bytes_written = size

    def _discard(self) -> None:
        try:
            self._close_video()
        finally:
            if self._scratch is not None:
                self._scratch.unlink(missing_ok=True)
            super()._discard()
