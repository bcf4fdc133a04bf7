"""Rendering a long GIF with each frame's changed rectangles, against comparing whole frames.

The figure is ``convgif --in 1,128,128 --k 3 --p 1 --max-frames 0 --region 0:128,0:128``: a
3×3 Conv2d drawn whole (the region is the whole output, which would otherwise be drawn as its
top-left 32×32 part), 16,384 frames of 1,732 × 925 pixels in which a few thousand pixels change
from one frame to the next. It is rendered two ways, on the same frames:

* whole frames: the GIF writer is given each frame without the rectangles where it changed, so
  it compares and diffs the whole picture, and every rectangle goes to Pillow's LZW encoder:
  how every frame was written before frames came with their rectangles;
* rectangles: as ``convgif`` renders: each frame with the rectangles where it may differ from
  the one before, compared only there, and rectangles that are mostly long runs LZW-encoded by
  ``convgif.files.lzw``.

Both ways draw with the same renderer, which no longer copies the whole picture for each frame
either, so the ratio leaves that gain out.

Each render runs in its own fresh Python process, which times the command's ``main`` call
alone (wall clock, and CPU time for reference) and reports the file's size and digest and the
process's peak resident set size (``resource.getrusage(RUSAGE_SELF).ru_maxrss``). The two ways
alternate order between repeats, so machine noise hits both alike; each figure is the median.
Targets: rectangles at least ``TARGET_SPEEDUP`` times faster than whole frames; a peak memory
no higher than whole frames' (``TARGET_MEMORY`` allows 2%: the peak, about 80 MiB, is mostly
the interpreter and the libraries, and differs by up to about 1 MiB from one process to the
next); and the same bytes. Exits with status 1 when one is missed.

Run from the project root (Linux or macOS):

    python benchmarks/frame_rects.py [--quick] [--repeats N]
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

TARGET_SPEEDUP = 1.5
TARGET_MEMORY = 1.02
DEFAULT_REPEATS = 3
QUICK_REPEATS = 1
FIGURE = ["--in", "1,128,128", "--k", "3", "--p", "1", "--max-frames", "0", "--region", "0:128,0:128"]
WAYS = ("whole frames", "rectangles")

# argv[1]: the GIF to write; argv[2]: "whole" or "rects"; argv[3:]: convgif arguments.
WRAPPER = """
import hashlib, resource, sys, time
import convgif.files.gif
from convgif.cli import main
if sys.argv[2] == "whole":
    class WholeFrames(convgif.files.gif.GifWriter):
        RUNS = False  # every rectangle to Pillow's encoder
        def add(self, frame, duration_ms, changed=None):
            super().add(frame, duration_ms)  # not told where the frame changed
    convgif.files.gif.GifWriter = WholeFrames
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
started, cpu_started = time.perf_counter(), cpu()
main(sys.argv[3:] + ["-o", sys.argv[1], "--quiet"], prog_name="convgif", standalone_mode=False)
seconds, cpu_seconds = time.perf_counter() - started, cpu() - cpu_started
scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale  # before the file is read back
digest, size = hashlib.md5(), 0
with open(sys.argv[1], "rb") as written:
    for block in iter(lambda: written.read(1 << 16), b""):
        digest.update(block)
        size += len(block)
print(f"seconds={seconds} cpu={cpu_seconds} bytes={size} md5={digest.hexdigest()} maxrss={rss}")
"""
REPORT = re.compile(
    r"^seconds=(?P<seconds>\S+) cpu=(?P<cpu>\S+) bytes=(?P<bytes>\d+) md5=(?P<md5>\w+) maxrss=(?P<rss>\d+)$",
    re.MULTILINE,
)


def measure(way: str, folder: Path) -> dict:
    """One render in a fresh process: its seconds, CPU seconds, bytes, digest and peak RSS."""
    mode = "whole" if way == "whole frames" else "rects"
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(folder / f"{mode}.gif"), mode, *FIGURE],
        capture_output=True,
        text=True,
        check=False,
    )
    report = REPORT.search(done.stdout)
    if done.returncode != 0 or report is None:
        raise RuntimeError(f"{way}: exit status {done.returncode}\n{done.stdout}\n{done.stderr}")
    return {
        "seconds": float(report["seconds"]),
        "cpu": float(report["cpu"]),
        "bytes": int(report["bytes"]),
        "md5": report["md5"],
        "rss": int(report["rss"]),
    }


def run(repeats: int) -> dict[str, list[dict]]:
    """Each way once per repeat, in alternating order."""
    runs: dict[str, list[dict]] = {way: [] for way in WAYS}
    with tempfile.TemporaryDirectory(prefix="convgif-rects-") as folder:
        for r in range(repeats):
            for way in WAYS if r % 2 == 0 else WAYS[::-1]:
                runs[way].append(measure(way, Path(folder)))
    return runs


def median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def mib(n: float) -> str:
    return f"{n / 2**20:.1f}"


def print_table(runs: dict[str, list[dict]]) -> None:
    print(
        f"{'way':<14}  {'wall s':>7}  {'CPU s':>7}  {'ms/frame':>8}  {'peak MiB':>8}  {'bytes':>11}  "
        "wall samples s / peak samples MiB"
    )
    print("-" * 110)
    for way, samples in runs.items():
        seconds = median(samples, "seconds")
        walls = " ".join(f"{sample['seconds']:.1f}" for sample in samples)
        peaks = " ".join(mib(sample["rss"]) for sample in samples)
        print(
            f"{way:<14}  {seconds:>7.1f}  {median(samples, 'cpu'):>7.1f}  {1000 * seconds / 16_384:>8.2f}  "
            f"{mib(median(samples, 'rss')):>8}  {samples[0]['bytes']:>11,}  "
            f"{walls} / {peaks}"
        )


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    return common.parse_args(__doc__, argv, DEFAULT_REPEATS, QUICK_REPEATS)


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    common.banner(f"convgif {' '.join(FIGURE)} (16,384 frames)", args.repeats)
    runs = run(args.repeats)
    print_table(runs)
    print()
    print(f"total {time.perf_counter() - started:.1f} s")
    print()
    whole, rects = runs["whole frames"], runs["rectangles"]
    speedup = median(whole, "seconds") / median(rects, "seconds")
    memory = median(rects, "rss") / median(whole, "rss")
    same = len({run["md5"] for samples in runs.values() for run in samples}) == 1
    lines = [
        (
            "render wall time, whole frames / rectangles",
            f"{speedup:.2f}x",
            f">= {TARGET_SPEEDUP:g}x",
            speedup >= TARGET_SPEEDUP,
        ),
        ("peak memory, rectangles / whole frames", f"{memory:.3f}x", f"<= {TARGET_MEMORY:g}x", memory <= TARGET_MEMORY),
        ("files written both ways", "identical" if same else "DIFFERENT", "identical", same),
    ]
    for what, figure, bound, met in lines:
        print(f"{what}: {figure} (target {bound}): {'met' if met else 'MISSED'}")
    return 0 if all(met for *_, met in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
