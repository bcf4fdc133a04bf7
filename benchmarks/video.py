"""MP4 against GIF: file size and render time of the same layers, and MP4's memory as it grows.

Size and time: each figure is rendered as a GIF and as an MP4 (H.264 through imageio-ffmpeg)
in this process, alternating, ``--repeats`` times; the table gives the median time of each
and the ratios. Memory: as ``memory.py`` does for GIFs, each render runs in a fresh process
that reports its own peak resident set size and its children's (ffmpeg, which encodes in its
own process); ``--in 1,40,40 --k 3 --p 1`` drawn with ``--max-frames 16`` and ``0`` (1,600
frames). Target: the 1,600-frame peak of the Python process at most ``TARGET_RATIO`` times the
16-frame one (frames are streamed to ffmpeg, never kept). Exits with status 1 when it is
missed, or when the ``video`` extra is not installed.

Run from the project root:

    python benchmarks/video.py [--quick] [--repeats N]
"""

from __future__ import annotations

import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

import common

TARGET_RATIO = 1.5
DEFAULT_REPEATS = 5
QUICK_REPEATS = 2
FIGURES = {
    "article headline": ["--in", "3,7,7", "--out", "2", "--k", "3", "--p", "1", "--s", "2", "--d", "2"],
    "headline --values": ["--in", "3,7,7", "--out", "2", "--k", "3", "--p", "1", "--s", "2", "--d", "2", "--values"],
    "40x40, 300 frames": ["--in", "1,40,40", "--k", "3", "--p", "1"],
    "Sobel on a picture": ["--in", "1,32,32", "--image", "examples/shapes.png", "--kernel", "sobel-x", "--no-bias"],
}
MEMORY_FIGURE = ["--in", "1,40,40", "--k", "3", "--p", "1"]
MEMORY_RUNS = {"16 frames": "16", "1,600 frames": "0"}

WRAPPER = """
import resource, sys
from convgif.cli import main
main(sys.argv[2:] + ["-o", sys.argv[1], "-q"], prog_name="convgif", standalone_mode=False)
scale = 1 if sys.platform == "darwin" else 1024
print(f"self={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale}")
print(f"children={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale}")
"""


def sizes_and_times(repeats: int, folder: Path) -> dict[str, dict[str, tuple[int, list[float]]]]:
    """For each figure and format: (bytes, render seconds per repeat)."""
    from click.testing import CliRunner

    from convgif.cli.commands import main

    out: dict[str, dict[str, tuple[int, list[float]]]] = {}
    for name, args in FIGURES.items():
        out[name] = {"gif": (0, []), "mp4": (0, [])}
        for r in range(repeats):
            for suffix in ("gif", "mp4") if r % 2 == 0 else ("mp4", "gif"):
                target = folder / f"figure.{suffix}"
                started = time.perf_counter()
                result = CliRunner().invoke(main, [*args, "-q", "-o", str(target)])
                seconds = time.perf_counter() - started
                if result.exit_code != 0:
                    raise RuntimeError(f"{name} {suffix}: {result.output}")
                size, times = out[name][suffix]
                out[name][suffix] = (target.stat().st_size, [*times, seconds])
    return out


def peaks(name: str, folder: Path) -> tuple[int, int]:
    """One MP4 render in a fresh process: (its peak RSS, its children's peak RSS) in bytes."""
    argv = [str(folder / "memory.mp4"), *MEMORY_FIGURE, "--max-frames", MEMORY_RUNS[name]]
    done = subprocess.run([sys.executable, "-c", WRAPPER, *argv], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{name}: exit status {done.returncode}\n{done.stderr}")
    found = dict(re.findall(r"^(self|children)=(\d+)$", done.stdout, re.M))
    return int(found["self"]), int(found["children"])


def mib(n: float) -> str:
    return f"{n / 2**20:.1f}"


def main(argv: Optional[list[str]] = None) -> int:
    args = common.parse_args(__doc__, argv, DEFAULT_REPEATS, QUICK_REPEATS)
    from convgif.files.mp4 import missing

    install = missing()
    if install is not None:
        print(f"MP4 needs the video extra: {install}")
        return 1
    import imageio_ffmpeg

    print(
        f"python {platform.python_version()}, {platform.system()} {platform.machine()}; "
        f"ffmpeg {imageio_ffmpeg.get_ffmpeg_version()} (imageio-ffmpeg); median of {args.repeats} repeats"
    )
    print()
    with tempfile.TemporaryDirectory(prefix="convgif-video-") as name:
        folder = Path(name)
        table = sizes_and_times(args.repeats, folder)
        print(
            f"{'figure':<20}  {'GIF bytes':>10}  {'MP4 bytes':>10}  {'MP4/GIF':>7}  {'GIF s':>6}  {'MP4 s':>6}  {'MP4/GIF':>7}"
        )
        print("-" * 78)
        for figure, formats in table.items():
            (gif_bytes, gif_times), (mp4_bytes, mp4_times) = formats["gif"], formats["mp4"]
            gif_s, mp4_s = statistics.median(gif_times), statistics.median(mp4_times)
            print(
                f"{figure:<20}  {gif_bytes:>10,}  {mp4_bytes:>10,}  {mp4_bytes / gif_bytes:>6.2f}x  "
                f"{gif_s:>6.2f}  {mp4_s:>6.2f}  {mp4_s / gif_s:>6.2f}x"
            )
        print()
        memory = {run: [peaks(run, folder) for _ in range(max(1, args.repeats // 2 + 1))] for run in MEMORY_RUNS}
    print(f"MP4 memory, convgif {' '.join(MEMORY_FIGURE)}")
    print(f"{'run':<14}  {'python peak MiB':>15}  {'ffmpeg peak MiB':>15}")
    medians = {}
    for run, values in memory.items():
        medians[run] = statistics.median(v[0] for v in values)
        print(f"{run:<14}  {mib(medians[run]):>15}  {mib(statistics.median(v[1] for v in values)):>15}")
    ratio = medians["1,600 frames"] / medians["16 frames"]
    met = ratio <= TARGET_RATIO
    print()
    print(
        f"peak memory of the MP4 render, 1,600 frames / 16 frames: {ratio:.2f}x (target <= {TARGET_RATIO:g}x): {'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
