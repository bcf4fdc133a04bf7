"""Peak memory of a render of a layer with many output channels against one with few.

A picture shows a few input channels, at most 6 kernel columns and 8 output channels, however
many the layer has, so a render's memory should follow what it draws: one frame of
``--in 1400,8,8 --out 1400 --k 3`` (a weight of 17.6 million values) should cost about what
``--out 8`` costs (two frames of the separable convolution: one of each stage). For each layer kind with weights (Conv2d, grouped, Conv1d, ConvTranspose2d,
separable, and a Conv2d whose weight is a kernel preset repeated), the many-channel render and
the same render with ``--out 8`` each run in a fresh Python process that calls the ``convgif``
command's ``main`` in-process and reports its own peak resident set size
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``). The runs alternate order between repeats;
each figure is the median. Target: every many-channel peak at most ``TARGET_RATIO`` times its
``--out 8`` peak. Exits with status 1 when one is missed.

Run from the project root (Linux or macOS):

    python benchmarks/channels_memory.py [--quick] [--repeats N]

To measure another checkout of convgif (an older commit, say), put it first on PYTHONPATH:
the renders import whichever ``convgif`` Python finds.
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
DEFAULT_REPEATS = 3
QUICK_REPEATS = 1
FEW = "8"
#: name -> (arguments without --out, the many channels' --out)
CASES = {
    "Conv2d": (["--in", "1400,8,8"], "1400"),
    "Conv2d, 4 groups": (["--in", "1400,8,8", "--g", "4"], "1400"),
    "Conv1d": (["--layer", "Conv1d", "--in", "1400,64"], "1400"),
    "ConvTranspose2d": (["--layer", "ConvTranspose2d", "--in", "1400,8,8"], "1400"),
    # a separable convolution's smallest part is one step of each of its two stages
    "separable": (["--layer", "separable", "--in", "1400,8,8", "--max-frames", "2"], "1400"),
    "Conv2d, --kernel sobel-x": (["--in", "1400,8,8", "--kernel", "sobel-x"], "1400"),
}
COMMON = ["--k", "3", "--quiet"]

# argv[1]: the GIF to write; argv[2:]: convgif arguments.
WRAPPER = """
import resource, sys
from convgif.cli import main
main(sys.argv[2:] + ["-o", sys.argv[1]], prog_name="convgif", standalone_mode=False)
scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
print(f"maxrss={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale}")
"""


def peak(arguments: list[str], folder: Path) -> int:
    """Peak RSS in bytes of one render in a fresh process."""
    argv = [str(folder / "channels.gif"), *arguments, *COMMON]
    done = subprocess.run([sys.executable, "-c", WRAPPER, *argv], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"convgif {' '.join(arguments)}: exit status {done.returncode}\n{done.stderr}")
    reported = re.search(r"^maxrss=(\d+)$", done.stdout, re.M)
    if reported is None:
        raise RuntimeError(f"convgif {' '.join(arguments)}: no peak reported\n{done.stdout}")
    return int(reported.group(1))


def runs() -> dict[tuple[str, str], list[str]]:
    """(case, "many" or "few") -> the render's arguments."""
    return {
        (name, which): [*arguments, "--out", out, *([] if "--max-frames" in arguments else ["--max-frames", "1"])]
        for name, (arguments, many) in CASES.items()
        for which, out in (("many", many), ("few", FEW))
    }


def run(repeats: int) -> dict[tuple[str, str], list[int]]:
    """Every render once per repeat, in alternating order: peaks in bytes."""
    todo = runs()
    peaks: dict[tuple[str, str], list[int]] = {key: [] for key in todo}
    with tempfile.TemporaryDirectory(prefix="convgif-channels-") as folder:
        for r in range(repeats):
            for key in todo if r % 2 == 0 else list(todo)[::-1]:
                peaks[key].append(peak(todo[key], Path(folder)))
    return peaks


def mib(n: float) -> str:
    return f"{n / 2**20:.1f}"


def report(peaks: dict[tuple[str, str], list[int]]) -> tuple[float, str]:
    """Print the table; the worst ratio and its layer."""
    print(
        f"{'layer':<26}  {'--out':>5}  {'peak MiB':>8}  {'--out 8 MiB':>11}  {'ratio':>6}  {'target':>7}  samples MiB (many; few)"
    )
    print("-" * 110)
    worst = (0.0, "")
    for name, (_, many) in CASES.items():
        high, low = statistics.median(peaks[(name, "many")]), statistics.median(peaks[(name, "few")])
        ratio = high / low
        ok = ratio <= TARGET_RATIO
        worst = max(worst, (ratio, name))
        samples = f"{' '.join(mib(v) for v in peaks[(name, 'many')])}; {' '.join(mib(v) for v in peaks[(name, 'few')])}"
        print(
            f"{name:<26}  {many:>5}  {mib(high):>8}  {mib(low):>11}  {ratio:>5.2f}x  {'met' if ok else 'MISSED':>7}  {samples}"
        )
    return worst


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    return common.parse_args(__doc__, argv, DEFAULT_REPEATS, QUICK_REPEATS)


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    common.banner(f"convgif ... {' '.join(COMMON[:-1])}", args.repeats)
    ratio, name = report(run(args.repeats))
    print()
    print(f"total {time.perf_counter() - started:.1f} s")
    print()
    met = ratio <= TARGET_RATIO
    print(
        f"peak memory of one frame, 1,400 output channels / 8, worst of {len(CASES)} layers: {ratio:.2f}x, {name} "
        f"(target <= {TARGET_RATIO:g}x): {'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
