"""Peak memory of the same part of a huge input at two sizes: side N and side 4N.

Each command draws the part convgif chooses (the same top-left part at both sizes) of a layer
past the numbers convgif computes whole, so only that part is computed: a plain convolution
(``--in 1,N,N``, as a student first tries a large one), its matrix view, a separable and a 3-D
convolution, the 2-D poolings and padding layers, and a 3-D padding layer. Each render runs in
its own fresh process, which reports its own peak resident set size; each figure is the median.
Target: every layer's peak at 4N at most ``TARGET_RATIO`` times its peak at N (memory follows
the part drawn, not the input). Exits with status 1 when it is missed.

Run from the project root (Linux or macOS):

    python benchmarks/huge_inputs.py [--quick] [--repeats N]
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

import common

TARGET_RATIO = 1.2
DEFAULT_REPEATS = 3
QUICK_REPEATS = 1
SIDE = 5000  # N: 25 million input cells, past the 20 million convgif computes whole

#: name -> the command's arguments for side n (the input's shape follows n)
LAYERS = {
    "Conv2d --in 1,N,N": lambda n: ["--in", f"1,{n},{n}"],
    "Conv2d --in 1,N,N --p 1 --view matrix": lambda n: ["--in", f"1,{n},{n}", "--p", "1", "--view", "matrix"],
    "separable --in 2,N,N --out 2": lambda n: ["--layer", "separable", "--in", f"2,{n},{n}", "--out", "2"],
    "Conv3d --in 1,4,N/2,N/2 --p 1": lambda n: ["--layer", "Conv3d", "--in", f"1,4,{n // 2},{n // 2}", "--p", "1"],
    "MaxPool2d --in 1,N,N --k 2": lambda n: ["--layer", "MaxPool2d", "--in", f"1,{n},{n}", "--k", "2"],
    "AvgPool2d --in 1,N,N --k 3 --p 1": lambda n: [
        "--layer",
        "AvgPool2d",
        "--in",
        f"1,{n},{n}",
        "--k",
        "3",
        "--p",
        "1",
    ],
    "LPPool2d --in 1,N,N --k 2 --norm-type 2": lambda n: [
        *("--layer", "LPPool2d", "--in", f"1,{n},{n}"),
        *("--k", "2", "--norm-type", "2"),
    ],
    "ReflectionPad2d --in 1,N,N --padding 1": lambda n: [
        *("--layer", "ReflectionPad2d", "--in", f"1,{n},{n}", "--padding", "1")
    ],
    "ZeroPad3d --in 1,4,N/2,N/2 --padding 1": lambda n: [
        *("--layer", "ZeroPad3d", "--in", f"1,4,{n // 2},{n // 2}", "--padding", "1")
    ],
}

# argv[1]: the GIF to write; argv[2:]: convgif arguments.
WRAPPER = """
import resource, sys
from convgif.cli import main
main(sys.argv[2:] + ["-q", "-o", sys.argv[1]], prog_name="convgif", standalone_mode=False)
scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
print(f"maxrss={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale}")
"""


def peak(argv: list[str], folder: Path) -> int:
    """Run one render in a fresh process: its peak RSS in bytes."""
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(folder / "huge.gif"), *argv], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit status {done.returncode}\n{done.stderr}")
    reported = re.search(r"^maxrss=(\d+)$", done.stdout, re.M)
    if reported is None:
        raise RuntimeError(f"{' '.join(argv)}: no peak reported\n{done.stdout}")
    return int(reported.group(1))


def mib(n: float) -> str:
    return f"{n / 2**20:.1f}"


def main(argv: Optional[list[str]] = None) -> int:
    args = common.parse_args(__doc__, argv, DEFAULT_REPEATS, QUICK_REPEATS)
    started = time.perf_counter()
    common.banner(f"the same part of layers at N = {SIDE:,} and 4N = {4 * SIDE:,}", args.repeats)
    sizes = {"N": SIDE, "4N": 4 * SIDE}
    ratios = {}
    print(f"{'layer':46}  {'N MiB':>7}  {'4N MiB':>7}  {'4N / N':>6}")
    print("-" * 74)
    with tempfile.TemporaryDirectory(prefix="convgif-huge-") as folder:
        for name, arguments in LAYERS.items():
            peaks = {size: [] for size in sizes}
            for r in range(args.repeats):
                for size in sizes if r % 2 == 0 else list(sizes)[::-1]:
                    peaks[size].append(peak(arguments(sizes[size]), Path(folder)))
            small, large = (statistics.median(peaks[size]) for size in sizes)
            ratios[name] = large / small
            print(f"{name:46}  {mib(small):>7}  {mib(large):>7}  {ratios[name]:>5.2f}x", flush=True)
    print()
    print(f"total {time.perf_counter() - started:.1f} s")
    print()
    worst = max(ratios, key=ratios.__getitem__)
    met = ratios[worst] <= TARGET_RATIO
    print(
        f"peak memory, the same part of a layer at side 4N / at side N (worst: {worst}): {ratios[worst]:.2f}x "
        f"(target <= {TARGET_RATIO:g}x): {'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
