"""MP4 (H.264) for slides and lecture videos, through the ffmpeg that imageio-ffmpeg carries.

The optional extra ``video`` installs imageio and imageio-ffmpeg, whose wheels carry an ffmpeg
binary, so nothing else is needed. Frames are streamed to ffmpeg through a pipe as they are
drawn (memory stays flat however many there are), padded to even sizes as yuv420p needs,
at a constant frame rate: a frame shown longer than the first one (the last frame's hold) is
repeated, which H.264 stores in a few bytes. The encoder runs single-threaded with bit-exact
flags and no metadata, so the same arguments give the same bytes with the same ffmpeg.

ffmpeg writes the temporary file beside the target, renamed into place when complete (or a
scratch file when the target is a file object, then copied into it: MP4 needs to seek). ffmpeg
is convgif's child: it is ended, and its file removed, when the render fails or is interrupted,
and on Linux it is ended by the kernel if convgif dies without a word. What it says on failure
is reduced to its own last line.
"""

from __future__ import annotations

import errno
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO, Optional

import numpy as np

from .atomic import LIVE, AtomicFile, write_all

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


#: Child processes now running (ffmpeg), ended by a signal that must end convgif at once.
CHILDREN: set[subprocess.Popen] = set()
#: While frames are written to ffmpeg: a SIGPIPE then is held here until the write shows whether
#: ffmpeg's pipe broke (its failure) or the signal was sent (a stop).
SENDING: list[bool] = []
PIPE_SIGNALS: list[int] = []


def end_children() -> None:
    """Kill every ffmpeg still running."""
    for child in list(CHILDREN):
        try:
            child.kill()
        except OSError:
            pass
        CHILDREN.discard(child)


def holds_pipe_signal(signum: int) -> bool:
    """Whether a SIGPIPE arrived while frames are written to ffmpeg: it is then held until the
    write shows what it was."""
    if SENDING:
        PIPE_SIGNALS.append(signum)
        return True
    return False


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, between fork and exec
    """In ffmpeg's process: be killed when convgif ends (Linux's PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)
    except Exception:  # noqa: BLE001 - another system: nothing to set
        pass


class Mp4Writer(AtomicFile):
    """Write palette-index frames to ``path`` as an H.264 MP4, with the interface of
    :class:`convgif.files.GifWriter`: ``add(frame, duration_ms)`` in a ``with`` block.

    The first frame's duration sets the frame rate; a longer duration repeats the frame
    (rounded to whole frames), so the last frame is held as in a GIF.
    """

    TEMP_SUFFIX = ".mp4"

    def __init__(self, path: os.PathLike | str | BinaryIO, size: tuple[int, int], palette: Sequence[RGB]) -> None:
        super().__init__(path)
        self.width, self.height = size
        self.padded = even(size)
        self.lut = np.array(list(palette), np.uint8)
        self.frames_written = 0
        #: Frames in the video, repeats included.
        self.video_frames = 0
        self.unit_ms: Optional[int] = None
        self._video: Optional[subprocess.Popen] = None
        self._said: Any = None  # ffmpeg's stderr, a temporary file
        self._scratch: Optional[Path] = None

    def _start(self) -> None:
        if self.stream is not None:
            fd, name = tempfile.mkstemp(prefix="convgif-", suffix=".mp4")
            os.close(fd)
            self._scratch = Path(name)
            LIVE.add(name)
        else:  # ffmpeg writes the temporary file itself
            assert self._temp is not None and self._file is not None
            self._scratch = self._temp

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
        data = np.ascontiguousarray(rgb).tobytes()
        for _ in range(max(1, round(duration_ms / self.unit_ms))):
            self._send(data)
            self.video_frames += 1
        self.frames_written += 1

    def _command(self, fps: Fraction) -> list[str]:
        import imageio_ffmpeg

        assert self._scratch is not None
        width, height = self.padded
        return [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-y",
            "-f",
            "rawvideo",
            "-vcodec",
            "rawvideo",
            "-s",
            f"{width}x{height}",
            "-pix_fmt",
            "rgb24",
            "-r",
            str(fps),
            "-i",
            "-",
            "-an",
            "-vcodec",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-v",
            "error",
            *OUTPUT_PARAMS,
            str(self._scratch),
        ]

    def _open(self, fps: Fraction) -> subprocess.Popen:
        self._said = tempfile.TemporaryFile()
        linux = sys.platform.startswith("linux")
        video = subprocess.Popen(
            self._command(fps),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self._said,
            preexec_fn=_die_with_parent if linux else None,  # noqa: PLW1509 - no threads start it
        )
        CHILDREN.add(video)
        return video

    def _send(self, data: bytes) -> None:
        assert self._video is not None and self._video.stdin is not None
        SENDING.append(True)
        try:
            self._video.stdin.write(data)
        except (BrokenPipeError, ConnectionResetError, ValueError):
            PIPE_SIGNALS.clear()
            self._video.wait()
            raise self._failure() from None
        finally:
            SENDING.pop()
        if PIPE_SIGNALS:  # a SIGPIPE that no broken pipe explains was sent: it stops convgif
            PIPE_SIGNALS.clear()
            os.kill(os.getpid(), signal.SIGPIPE)

    def _failure(self) -> OSError:
        """Why ffmpeg stopped, in its own last words (no command line)."""
        said = ""
        if self._said is not None:
            self._said.seek(0)
            lines = [line.strip() for line in self._said.read().decode("utf-8", "replace").splitlines()]
            said = next((line for line in reversed(lines) if line), "")
        folder = (self._scratch or Path(".")).parent
        try:
            full = shutil.disk_usage(folder).free < 1 << 20
        except OSError:
            full = False
        if full or "No space left" in said:
            return OSError(errno.ENOSPC, "No space left on device")
        code = self._video.returncode if self._video is not None else None
        return OSError(errno.EIO, f"ffmpeg stopped ({said or f'exit status {code}'})")

    def _close_video(self, kill: bool) -> None:
        video, self._video = self._video, None
        if video is None:
            return
        try:
            if kill:
                video.kill()
            else:
                assert video.stdin is not None
                try:
                    video.stdin.close()
                except (BrokenPipeError, ConnectionResetError):
                    pass
            if video.wait() != 0 and not kill:
                raise self._failure()
        finally:
            if video.poll() is None:
                video.kill()
                video.wait()
            CHILDREN.discard(video)
            if video.stdin is not None and not video.stdin.closed:
                try:
                    video.stdin.close()
                except OSError:
                    pass

    def _finish(self) -> None:
        if self._video is None:
            raise ValueError("an MP4 needs at least one frame")
        self._close_video(kill=False)
        if self._said is not None:
            self._said.close()
        assert self._scratch is not None
        size = self._scratch.stat().st_size
        if size == 0:
            raise OSError(errno.EIO, "ffmpeg wrote nothing", str(self._scratch))
        if self.stream is not None:
            with open(self._scratch, "rb") as video:
                while True:
                    chunk = video.read(1 << 20)
                    if not chunk:
                        break
                    write_all(self.stream, chunk)
            self._scratch.unlink(missing_ok=True)
            LIVE.discard(str(self._scratch))
        self.bytes_written = size

    def _discard(self) -> None:
        try:
            self._close_video(kill=True)
        finally:
            if self._said is not None:
                self._said.close()
            if self.stream is not None and self._scratch is not None:
                self._scratch.unlink(missing_ok=True)
                LIVE.discard(str(self._scratch))
            super()._discard()
