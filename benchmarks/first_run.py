"""The README's first command on a first run, without matplotlib's font cache, against warm.

Runs ``convgif --in 3,7,7 --k 3 --s 2`` (the command the README's "Use" section shows, writing
its GIF into a temporary folder) as a fresh process, alternating two kinds of run:

- first run: ``MPLCONFIGDIR`` points at a new, empty folder, so matplotlib builds its font cache
  as it does the first time convgif draws after an install;
- warm: ``MPLCONFIGDIR`` points at a folder that an untimed run filled.

Each figure is the median over the runs, of the wall time of the whole command and of the
seconds the command prints in its summary (the render alone, which the README quotes); runs of
``python -c "import numpy, PIL.Image"`` alternate with them, the floor the warm command is held
to (at most ``TARGET_FLOOR`` times it), and runs that import only the libraries the command
cannot do without (NumPy, Pillow's GIF plugin, click, dataclasses), which show how much of that
allowance is left for convgif's own modules and the render.
Bytecode caches are warm in both: pip compiles the packages it installs. Targets: warm wall
time under ``TARGET_WARM`` seconds, first run under ``TARGET_FIRST``. Exits with status 1 when a
target is missed.

Run from the project root:

    python benchmarks/first_run.py [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common
from startup import command

ARGS = ["--in", "3,7,7", "--k", "3", "--s", "2"]
TARGET_WARM = 1.0
TARGET_FIRST = 2.0
DEFAULT_RUNS = 10
QUICK_RUNS = 5
#: What the command is measured against: starting Python with the libraries a render needs.
FLOOR = "import numpy, PIL.Image"
FLOOR_NAME = "numpy+PIL"
#: The libraries the command itself imports before it draws anything of its own.
LIBRARIES = "import numpy, PIL.Image, PIL.GifImagePlugin, click, dataclasses"
LIBRARIES_NAME = "libraries"
TARGET_FLOOR = 1.25
SUMMARY = re.compile(r" · (?P<seconds>[0-9.]+) s$", re.MULTILINE)


def render(folder: Path, config: Path) -> tuple[float, float]:
    """One run in ``folder`` with ``MPLCONFIGDIR=config``: (wall seconds, seconds it printed)."""
    started = time.perf_counter()
    done = subprocess.run(
        [*command(), *ARGS],
        cwd=folder,
        env={**os.environ, "MPLCONFIGDIR": str(config)},
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"convgif {' '.join(ARGS)}: exit status {done.returncode}\n{done.stderr}")
    printed = SUMMARY.search(done.stdout)
    if printed is None:
        raise RuntimeError(f"convgif {' '.join(ARGS)} printed no summary:\n{done.stdout}")
    return wall, float(printed["seconds"])


def floor(code: str = FLOOR) -> tuple[float, float]:
    """One ``python -c code``: (wall seconds, 0)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    return time.perf_counter() - started, 0.0


def run(runs: int) -> dict[str, list[tuple[float, float]]]:
    kinds = ("first run", "warm", FLOOR_NAME, LIBRARIES_NAME)
    samples: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
    with tempfile.TemporaryDirectory(prefix="convgif-first-run-") as scratch:
        folder, warm = Path(scratch) / "out", Path(scratch) / "warm"
        folder.mkdir()
        warm.mkdir()
        render(folder, warm)  # untimed: fills the warm font cache
        floor(LIBRARIES)
        for r in range(runs):
            for kind in kinds if r % 2 == 0 else kinds[::-1]:
                if kind in (FLOOR_NAME, LIBRARIES_NAME):
                    samples[kind].append(floor(FLOOR if kind == FLOOR_NAME else LIBRARIES))
                    continue
                config = Path(tempfile.mkdtemp(dir=scratch, prefix="fresh-")) if kind == "first run" else warm
                samples[kind].append(render(folder, config))
    return samples


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    return common.parse_args(__doc__, argv, DEFAULT_RUNS, QUICK_RUNS, name="runs")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    common.as_installed()
    started = time.perf_counter()
    print(
        f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs; "
        f"{' '.join(command())} {' '.join(ARGS)}; median of {args.runs} alternating runs of each kind"
    )
    print()
    samples = run(args.runs)
    print(f"{'run':<10}  {'wall s':>6}  {'min':>5}  {'max':>5}  {'printed s':>9}  {'min':>5}  {'max':>5}")
    print("-" * 56)
    medians = {}
    for kind, values in samples.items():
        walls, printed = [w for w, _ in values], [p for _, p in values]
        medians[kind] = statistics.median(walls)
        print(
            f"{kind:<10}  {medians[kind]:>6.2f}  {min(walls):>5.2f}  {max(walls):>5.2f}  "
            f"{statistics.median(printed):>9.2f}  {min(printed):>5.2f}  {max(printed):>5.2f}"
        )
    print()
    print("wall: the whole command, start-up included; printed: the seconds in its summary line.")
    print(f"total {time.perf_counter() - started:.1f} s")
    print()
    verdicts = [("warm", TARGET_WARM), ("first run", TARGET_FIRST)]
    for kind, bound in verdicts:
        ok = medians[kind] < bound
        print(
            f"convgif {' '.join(ARGS)} wall time, {kind}: {medians[kind]:.2f} s (target < {bound:g} s): "
            f"{'met' if ok else 'MISSED'}"
        )
    ratio = medians["warm"] / medians[FLOOR_NAME]
    print(f'first run against python -c "{FLOOR}": {medians["first run"] / medians[FLOOR_NAME]:.2f}x')
    print(
        f'convgif {" ".join(ARGS)} warm, against python -c "{FLOOR}" in the same run: {ratio:.2f}x '
        f"({medians['warm']:.2f} s against {medians[FLOOR_NAME]:.2f} s) (target <= {TARGET_FLOOR:g}x): "
        f"{'met' if ratio <= TARGET_FLOOR else 'MISSED'}"
    )
    room = TARGET_FLOOR * medians[FLOOR_NAME] - medians[LIBRARIES_NAME]
    print(
        f'python -c "{LIBRARIES}" against python -c "{FLOOR}": '
        f"{medians[LIBRARIES_NAME] / medians[FLOOR_NAME]:.2f}x; the target leaves {1000 * room:.0f} ms "
        f"for convgif's own modules and the render, which take {1000 * (medians['warm'] - medians[LIBRARIES_NAME]):.0f} ms"
    )
    met = all(medians[kind] < bound for kind, bound in verdicts) and ratio <= TARGET_FLOOR
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
