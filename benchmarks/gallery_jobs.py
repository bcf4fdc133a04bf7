"""Gallery build time: ``convgif gallery --jobs 2`` against ``--jobs 1``, and a rebuild with
nothing to do.

Each build renders the whole shipped gallery (``--force``) into a temporary folder, as a fresh
``convgif`` process, alternating the two job counts; the ratio of the medians is the figure.

    python benchmarks/gallery_jobs.py [--quick] [--repeats N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

import common

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 0.65
TARGET_REBUILD_S = 2.0
DEFAULT_REPEATS = 5
QUICK_REPEATS = 3


def command() -> list[str]:
    script = Path(sys.executable).with_name("convgif")
    return [str(script)] if script.exists() else [sys.executable, "-m", "convgif"]


def build(out: Path, jobs: int, force: bool = True) -> float:
    args = [
        *command(),
        "gallery",
        "--config",
        str(ROOT / "gallery" / "gallery.toml"),
        "--out",
        str(out),
        "--jobs",
        str(jobs),
        "-q",
    ]
    started = time.perf_counter()
    subprocess.run(args + (["--force"] if force else []), check=True, capture_output=True)
    return time.perf_counter() - started


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    return common.parse_args(__doc__, argv, DEFAULT_REPEATS, QUICK_REPEATS)


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    out = Path(tempfile.mkdtemp(prefix="convgif-gallery-"))
    (out / "plots").symlink_to(ROOT / "gallery" / "plots")
    try:
        build(out, 1)  # warm-up: caches, the first font load
        times: dict[int, list[float]] = {1: [], 2: []}
        for i in range(args.repeats):
            for jobs in (1, 2) if i % 2 == 0 else (2, 1):
                times[jobs].append(build(out, jobs))
        rebuild = statistics.median(build(out, 2, force=False) for _ in range(3))
    finally:
        shutil.rmtree(out)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    print(
        f"convgif gallery, {len(list((ROOT / 'gallery').glob('*.gif')))} entries; median of {args.repeats} alternating builds"
    )
    print(f"--jobs 1: {one:.2f} s   samples {' '.join(f'{t:.2f}' for t in times[1])}")
    print(f"--jobs 2: {two:.2f} s   samples {' '.join(f'{t:.2f}' for t in times[2])}")
    print(f"rebuild with nothing to do: {rebuild:.2f} s")
    ratio = two / one
    verdicts = [
        ("gallery --jobs 2 / --jobs 1", f"{ratio:.2f}x", f"<= {TARGET_RATIO}x", ratio <= TARGET_RATIO),
        (
            "gallery rebuild with nothing to do",
            f"{rebuild:.2f} s",
            f"< {TARGET_REBUILD_S:g} s",
            rebuild < TARGET_REBUILD_S,
        ),
    ]
    print()
    for name, figure, bound, met in verdicts:
        print(f"{name}: {figure} (target {bound}): {'met' if met else 'MISSED'}")
    return 0 if all(v[3] for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
