"""Peak memory of a long render against a short one of the same figure.

Each render runs in its own fresh Python process: a tiny wrapper that calls the ``convgif``
command's ``main`` in-process and then reports its own peak resident set size
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``). The figure is ``--in 1,40,40 --k 3 --p 1``
(1,600 steps) drawn with ``--max-frames 16``, ``160`` and ``0`` (all 1,600), plus a process that
only imports what a render imports, as the floor. The runs alternate order between repeats;
each figure is the median. Target: the 1,600-frame peak at most ``TARGET_RATIO`` times the
16-frame peak. Exits with status 1 when it is missed.

Run from the project root (Linux or macOS):

    python benchmarks/memory.py [--quick] [--repeats N]
"""

from __future__ import annotations

import argparse
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
QUICK_REPEATS = 3
FIGURE = ["--in", "1,40,40", "--k", "3", "--p", "1"]
RUNS = {"16 frames": "16", "160 frames": "160", "1,600 frames": "0"}  # name -> --max-frames
IMPORTS = "imports only"

# argv[1]: the GIF to write ("" for imports only); argv[2:]: convgif arguments.
WRAPPER = """
import resource, sys
from convgif.cli import main
if sys.argv[1]:
    main(sys.argv[2:] + ["-o", sys.argv[1]], prog_name="convgif", standalone_mode=False)
else:
    import convgif.picture.overlay, convgif.files.gif, convgif.picture.glyphs, convgif.picture.sizes
    convgif.picture.glyphs.glyph(convgif.picture.sizes.CAPTION, "0")  # the font, as a render loads it
scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
print(f"maxrss={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale}")
"""


def peak(name: str, folder: Path) -> tuple[int, Optional[int]]:
    """Run one render (or the imports alone) in a fresh process: (peak RSS bytes, frames)."""
    if name == IMPORTS:
        argv = [""]
    else:
        argv = [str(folder / "memory.gif"), *FIGURE, "--max-frames", RUNS[name]]
    done = subprocess.run([sys.executable, "-c", WRAPPER, *argv], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{name}: exit status {done.returncode}\n{done.stderr}")
    reported = re.search(r"^maxrss=(\d+)$", done.stdout, re.M)
    if reported is None:
        raise RuntimeError(f"{name}: no peak reported\n{done.stdout}")
    rss = int(reported.group(1))
    frames = re.search(r"([\d,]+) frames", done.stdout)
    return rss, None if frames is None else int(frames.group(1).replace(",", ""))


def run(repeats: int) -> tuple[dict[str, list[int]], dict[str, Optional[int]]]:
    """Every run once per repeat, in alternating order; peaks in bytes and frames per run."""
    names = [IMPORTS, *RUNS]
    peaks: dict[str, list[int]] = {name: [] for name in names}
    frames: dict[str, Optional[int]] = {}
    with tempfile.TemporaryDirectory(prefix="convgif-memory-") as folder:
        for r in range(repeats):
            for name in names if r % 2 == 0 else names[::-1]:
                rss, frames[name] = peak(name, Path(folder))
                peaks[name].append(rss)
    return peaks, frames


def mib(n: float) -> str:
    return f"{n / 2**20:.1f}"


def print_table(peaks: dict[str, list[int]], frames: dict[str, Optional[int]]) -> None:
    floor = statistics.median(peaks[IMPORTS])
    short = statistics.median(peaks["16 frames"])
    print(f"{'run':<14}  {'frames':>6}  {'peak MiB':>8}  {'above imports MiB':>17}  {'vs 16 frames':>12}  samples MiB")
    print("-" * 90)
    for name, values in peaks.items():
        median = statistics.median(values)
        count = "-" if frames[name] is None else f"{frames[name]:,}"
        print(
            f"{name:<14}  {count:>6}  {mib(median):>8}  {mib(median - floor):>17}  "
            f"{median / short:>11.2f}x  {' '.join(mib(v) for v in values)}"
        )


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    return common.parse_args(__doc__, argv, DEFAULT_REPEATS, QUICK_REPEATS)


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    common.banner(f"convgif {' '.join(FIGURE)}", args.repeats, "run")
    peaks, frames = run(args.repeats)
    print_table(peaks, frames)
    print()
    print(f"total {time.perf_counter() - started:.1f} s")
    print()
    ratio = statistics.median(peaks["1,600 frames"]) / statistics.median(peaks["16 frames"])
    met = ratio <= TARGET_RATIO
    print(
        f"peak memory, 1,600-frame render / 16-frame render: {ratio:.2f}x "
        f"(target <= {TARGET_RATIO:g}x): {'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
