"""Start-up time of the ``convgif`` command, and whether its quick paths import matplotlib.

Times ``convgif --help`` and ``convgif --version`` as subprocesses, alternating, with
``python -c pass`` (the interpreter alone) alongside for reference; each figure is the median.
Then runs each once more under ``python -X importtime`` and lists what it imported: matplotlib
must not be among them, and the slowest top-level imports are printed for information.
``python -c "import click"`` runs alongside too: ``--help`` is held to ``TARGET_HELP`` times it.
Targets: each median under ``TARGET_SECONDS``; no matplotlib import. Exits with status 1 when
a target is missed.

Run from the project root:

    python benchmarks/startup.py [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import common

TARGET_SECONDS = 0.3
#: ``--help`` against starting Python with the command-line library alone.
CLICK = 'python -c "import click"'
TARGET_HELP = 1.1
DEFAULT_RUNS = 20
QUICK_RUNS = 10
PATHS = ("--help", "--version")
TOP_IMPORTS = 4


def command() -> list[str]:
    """The installed ``convgif`` script beside this interpreter, else ``python -m convgif``."""
    script = Path(sys.executable).with_name("convgif")
    if script.exists():
        return [str(script)]
    found = shutil.which("convgif")
    return [found] if found else [sys.executable, "-m", "convgif"]


def python_command(base: list[str]) -> list[str]:
    """``base`` run by this interpreter explicitly, so that ``-X importtime`` can be added."""
    return [sys.executable, *base] if base[0] != sys.executable else base


def wall(argv: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit status {done.returncode}\n{done.stderr.decode()}")
    return seconds


def time_runs(cases: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    """Each case once per run, the order alternating; one untimed warm-up run each first."""
    for argv in cases.values():
        wall(argv)
    names = list(cases)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(runs):
        for name in names if r % 2 == 0 else names[::-1]:
            samples[name].append(wall(cases[name]))
    return samples


def imports(argv: list[str]) -> dict[str, int]:
    """Every module running ``argv`` imports, with its cumulative microseconds (``-X importtime``)."""
    python, *rest = python_command(argv)
    done = subprocess.run([python, "-X", "importtime", *rest], capture_output=True, text=True, check=False)
    found = {}
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "cumulative" not in line:
            _, cumulative, name = line.split("|")
            found[name.strip()] = int(cumulative)
    return found


def third_party(modules: dict[str, int]) -> list[tuple[str, int]]:
    """The packages outside the standard library and convgif taking 1 ms or more, slowest first."""
    roots = {name for name, us in modules.items() if "." not in name and not name.startswith("_") and us >= 1000}
    skip = set(sys.stdlib_module_names) | {"convgif"}
    return sorted(((name, modules[name]) for name in roots - skip), key=lambda item: -item[1])


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    return common.parse_args(__doc__, argv, DEFAULT_RUNS, QUICK_RUNS, name="runs")


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    common.as_installed()
    started = time.perf_counter()
    base = command()
    print(f"python {platform.python_version()}, {platform.machine()}; {' '.join(base)}; median of {args.runs} runs")
    print()
    cases = {"python -c pass": [sys.executable, "-c", "pass"], CLICK: [sys.executable, "-c", "import click"]}
    cases.update({f"convgif {path}": [*base, path] for path in PATHS})
    samples = time_runs(cases, args.runs)
    print(
        f"{'command':<26}  {'median s':>8}  {'min s':>6}  {'max s':>6}  {'matplotlib':>10}  packages imported (ms, cumulative)"
    )
    print("-" * 100)
    matplotlib: dict[str, bool] = {}
    for name, values in samples.items():
        loaded = "-"
        top = ""
        if name.startswith("convgif"):
            path = name.split()[1]
            modules = imports([*base, path])
            matplotlib[path] = "matplotlib" in modules
            loaded = "yes" if matplotlib[path] else "no"
            top = ", ".join(f"{module} {us / 1000:.0f}" for module, us in third_party(modules)[:TOP_IMPORTS])
        print(
            f"{name:<26}  {statistics.median(values):>8.3f}  {min(values):>6.3f}  {max(values):>6.3f}  "
            f"{loaded:>10}  {top}"
        )
    print()
    print("import times come from one extra run under -X importtime, which slows imports down.")
    print(f"total {time.perf_counter() - started:.1f} s")
    print()
    met = True
    for path in PATHS:
        seconds = statistics.median(samples[f"convgif {path}"])
        ok = seconds < TARGET_SECONDS
        met &= ok
        print(f"convgif {path} wall time: {seconds:.3f} s (target < {TARGET_SECONDS:g} s): {'met' if ok else 'MISSED'}")
    help_ratio = statistics.median(samples["convgif --help"]) / statistics.median(samples[CLICK])
    met &= help_ratio <= TARGET_HELP
    print(
        f"convgif --help against {CLICK} in the same run: {help_ratio:.2f}x (target <= {TARGET_HELP:g}x): "
        f"{'met' if help_ratio <= TARGET_HELP else 'MISSED'}"
    )
    for path in PATHS:
        ok = not matplotlib[path]
        met &= ok
        answer = "yes" if matplotlib[path] else "no"
        print(f"convgif {path} imports matplotlib: {answer} (target no): {'met' if ok else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
