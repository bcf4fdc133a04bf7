"""Time, size and peak memory of one figure written as GIF, WebP (lossless) and APNG.

The figure is ``convgif --in 1,32,32 --out 4 --p same`` (a 3×3 Conv2d, 4 output channels,
4,096 steps, drawn as 300 frames), rendered with ``convgif.render(spec, path,
format=...)``. Each render runs in its own fresh Python process, which imports convgif,
times the ``render`` call alone (wall clock, and CPU time for reference) and reports its
file's size and the process's peak resident set size (``resource.getrusage(RUSAGE_SELF)
.ru_maxrss``, which includes the interpreter and the libraries, about 60 MiB for every
format). The formats alternate order between repeats, so machine noise hits each alike; each
figure is the median. Target: WebP and APNG each take at most ``TARGET_RATIO`` times GIF's
wall-clock time. Exits with status 1 when one is missed.

Run from the project root (Linux or macOS):

    python benchmarks/formats.py [--quick] [--repeats N]
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common

TARGET_RATIO = 2.0
DEFAULT_REPEATS = 5
QUICK_REPEATS = 2
FORMATS = {"gif": ".gif", "webp": ".webp", "apng": ".png"}
FIGURE = "--in 1,32,32 --out 4 --p same"

# argv[1]: the file to write; argv[2]: its format.
WRAPPER = """
import resource, sys, time
import convgif
spec = convgif.Conv2dSpec((1, 32, 32), 4, 3, padding="same")
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
started, cpu_started = time.perf_counter(), cpu()
result = convgif.render(spec, sys.argv[1], format=sys.argv[2])
seconds, cpu_seconds = time.perf_counter() - started, cpu() - cpu_started
scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
print(f"seconds={seconds} cpu={cpu_seconds} bytes={result.path.stat().st_size} frames={result.frames} "
      f"maxrss={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale}")
"""
REPORT = re.compile(
    r"^seconds=(?P<seconds>\S+) cpu=(?P<cpu>\S+) bytes=(?P<bytes>\d+) frames=(?P<frames>\d+) maxrss=(?P<rss>\d+)$",
    re.MULTILINE,
)


def measure(image_format: str, folder: Path) -> dict[str, float]:
    """One render in a fresh process: its seconds, bytes, frames and peak RSS in bytes."""
    path = folder / f"figure{FORMATS[image_format]}"
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(path), image_format], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{image_format}: exit status {done.returncode}\n{done.stderr}")
    found = REPORT.search(done.stdout)
    if found is None:
        raise RuntimeError(f"{image_format}: no report\n{done.stdout}")
    return {key: float(value) for key, value in found.groupdict().items()}


def run(repeats: int) -> dict[str, list[dict[str, float]]]:
    """Every format once per repeat, in alternating order."""
    names = list(FORMATS)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory(prefix="convgif-formats-") as folder:
        for r in range(repeats):
            for name in names if r % 2 == 0 else names[::-1]:
                runs[name].append(measure(name, Path(folder)))
    return runs


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def print_table(runs: dict[str, list[dict[str, float]]]) -> None:
    gif_seconds, gif_bytes = median(runs["gif"], "seconds"), median(runs["gif"], "bytes")
    print(
        f"{'format':<6}  {'frames':>6}  {'seconds':>7}  {'vs GIF':>6}  {'CPU s':>5}  {'bytes':>9}  {'vs GIF':>6}  "
        f"{'peak RSS MiB':>12}  samples s"
    )
    print("-" * 95)
    for name, values in runs.items():
        seconds, size = median(values, "seconds"), median(values, "bytes")
        print(
            f"{name:<6}  {int(median(values, 'frames')):>6}  {seconds:>7.2f}  {seconds / gif_seconds:>5.2f}x  "
            f"{median(values, 'cpu'):>5.2f}  {int(size):>9,}  {size / gif_bytes:>5.2f}x  "
            f"{median(values, 'rss') / 2**20:>12.1f}  " + " ".join(f"{v['seconds']:.2f}" for v in values)
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    return common.parse_args(__doc__, argv, DEFAULT_REPEATS, QUICK_REPEATS)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    print(
        f"python {platform.python_version()}, {platform.system()} {platform.machine()}; "
        f"convgif {FIGURE}; median of {args.repeats} repeats, one fresh process per run"
    )
    print()
    runs = run(args.repeats)
    print_table(runs)
    print()
    print(f"total {time.perf_counter() - started:.1f} s")
    print()
    gif = median(runs["gif"], "seconds")
    met = True
    for name, label in (("webp", "WebP"), ("apng", "APNG")):
        ratio = median(runs[name], "seconds") / gif
        met &= ratio <= TARGET_RATIO
        print(
            f"{label} render time / GIF render time: {ratio:.2f}x (target <= {TARGET_RATIO:g}x): "
            f"{'met' if ratio <= TARGET_RATIO else 'MISSED'}"
        )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
