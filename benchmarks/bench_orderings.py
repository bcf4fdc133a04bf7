"""Do the figures of ``convgif bench --preset article`` keep their orderings from run to run?

Runs the preset several times, each run a fresh ``convgif`` process writing into a temporary
folder, one after the other, and compares what the runs say about every pair of neighbouring
points of every figure: two successive values on one line, and the same value on two successive
lines (k = 3 against k = 5, say). A run says ``<`` or ``>`` when the two interquartile ranges are
apart and ``≈`` when they overlap (the figure's "within noise"). Prints, per figure:

- pairs: the neighbouring pairs compared;
- alike: pairs every run puts the same way (all ``<``, all ``>`` or all ``≈``);
- ranked alike: pairs every run ranks, the same way;
- partly noise: pairs ranked in some runs and within noise in others, never both ways;
- contradicted: pairs ranked one way in one run and the other way in another;
- medians flip: for reference, pairs whose medians alone (what a figure without the noise
  marks would rank) come out in both orders;

then how often two runs agree, over all pairs of runs. Target: nothing contradicted. Exits with
status 1 when it is missed.

By default the runs time on the backend ``convgif bench`` picks (PyTorch when installed);
``--numpy`` hides PyTorch from them, as on an install without it. Run from the project root:

    python benchmarks/bench_orderings.py [--quick] [--runs N] [--time-budget SECONDS] [--numpy]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import common

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RUNS = 5
QUICK_RUNS = 3
QUICK_BUDGET = 5.0
HIDE_TORCH = "import sys; sys.modules['torch'] = None; sys.argv[0] = 'convgif'; from convgif.cli import run; run()"


def command(numpy: bool) -> list[str]:
    """``convgif`` from this checkout, as a fresh process (without PyTorch if ``numpy``)."""
    return [sys.executable, "-c", HIDE_TORCH] if numpy else [sys.executable, "-m", "convgif"]


def run_preset(folder: Path, numpy: bool, budget: float | None) -> float:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    args = [*command(numpy), "bench", "--preset", "article", "-o", str(folder), "-q"]
    args += ["--time-budget", f"{budget:g}"] if budget is not None else []
    started = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=env, cwd=ROOT)
    return time.perf_counter() - started


def verdicts(data: dict) -> dict[tuple, tuple[str, str]]:
    """Every neighbouring pair of one figure -> (what the run says, what the medians alone say)."""
    first, *rest = [s["name"] for s in data["sweeps"]]
    second = rest[0] if rest else None
    lines = data["sweeps"][1]["values"] if second else [None]
    timed = {
        (r["values"][first], r["values"][second] if second else None): r
        for r in data["results"]
        if r["median_ms"] is not None
    }
    found = {}
    for line_index, line in enumerate(lines):
        previous = None
        for x in data["sweeps"][0]["values"]:
            point = timed.get((x, line))
            if point is None:
                continue
            if previous is not None:
                found[("along", line, previous[0], x)] = say(previous[1], point, point["within_noise_prev"])
            previous = (x, point)
            below = timed.get((x, lines[line_index - 1])) if line_index > 0 else None
            if below is not None:
                found[("across", x, lines[line_index - 1], line)] = say(below, point, point["within_noise_prev_line"])
    return found


def say(a: dict, b: dict, noise: bool) -> tuple[str, str]:
    median = "<" if a["median_ms"] < b["median_ms"] else ">"
    return ("≈" if noise else median), median


@dataclass
class Figure:
    name: str
    pairs: int
    alike: int
    ranked_alike: int
    partly_noise: int
    contradicted: list[str]
    median_flips: int
    ranked_per_run: list[int]


def compare(name: str, runs: list[dict]) -> tuple[Figure, list[tuple[int, int]]]:
    """One figure's pairs across the runs; also (agreeing, compared) for every two runs."""
    said = [verdicts(data) for data in runs]
    keys = sorted(set.intersection(*(set(s) for s in said)), key=str)
    alike = ranked = partly = flips = 0
    contradicted = []
    for key in keys:
        marks = {s[key][0] for s in said}
        medians = {s[key][1] for s in said}
        alike += len(marks) == 1
        ranked += len(marks) == 1 and "≈" not in marks
        flips += len(medians) == 2
        if {"<", ">"} <= marks:
            contradicted.append(" ".join(map(str, key)) + ": " + " ".join(s[key][0] for s in said))
        elif len(marks) == 2:
            partly += 1
    twos = [(sum(a[k][0] == b[k][0] for k in keys), len(keys)) for a, b in itertools.combinations(said, 2)]
    ranked_per_run = [sum(s[k][0] != "≈" for k in keys) for s in said]
    return Figure(name, len(keys), alike, ranked, partly, contradicted, flips, ranked_per_run), twos


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    def more(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--time-budget",
            type=float,
            metavar="SECONDS",
            help=f"passed to convgif bench (default: its own; {QUICK_BUDGET:g} with --quick)",
        )
        parser.add_argument("--numpy", action="store_true", help="time on NumPy, PyTorch hidden from the runs")

    args = common.parse_args(__doc__, argv, DEFAULT_RUNS, QUICK_RUNS, name="runs", more=more)
    if args.runs < 2:
        raise SystemExit("--runs must be at least 2: there is nothing to compare in one run")
    if args.time_budget is None and args.quick:
        args.time_budget = QUICK_BUDGET
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    budget = "convgif bench's default" if args.time_budget is None else f"{args.time_budget:g} s"
    print(
        f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs; "
        f"{args.runs} runs of convgif bench --preset article, time budget {budget} per figure"
    )
    runs: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="convgif-orderings-") as folder:
        for i in range(args.runs):
            out = Path(folder) / f"run{i + 1}"
            seconds = run_preset(out, args.numpy, args.time_budget)
            for path in sorted(out.glob("article_*.json")):
                runs.setdefault(path.stem.removeprefix("article_"), []).append(
                    json.loads(path.read_text(encoding="utf-8"))
                )
            print(f"run {i + 1}: {seconds:.1f} s", flush=True)
    backends = {data["backend"] for figure in runs.values() for data in figure}
    print(f"backend: {', '.join(sorted(backends))}")
    print()
    header = f"{'figure':<14}  {'pairs':>5}  {'alike':>5}  {'ranked alike':>12}  {'partly noise':>12}  {'contradicted':>12}  {'medians flip':>12}  ranked per run"
    print(header)
    print("-" * len(header))
    figures, twos = [], []
    for name, data in runs.items():
        figure, agreeing = compare(name, data)
        figures.append(figure)
        twos += agreeing
        print(
            f"{name:<14}  {figure.pairs:>5}  {figure.alike:>5}  {figure.ranked_alike:>12}  {figure.partly_noise:>12}  "
            f"{len(figure.contradicted):>12}  {figure.median_flips:>12}  {' '.join(map(str, figure.ranked_per_run))}"
        )
    pairs = sum(f.pairs for f in figures)
    alike = sum(f.alike for f in figures)
    contradicted = [f"{f.name} {line}" for f in figures for line in f.contradicted]
    flips = sum(f.median_flips for f in figures)
    agree = sum(a for a, _ in twos) / max(sum(n for _, n in twos), 1)
    print(
        f"{'all':<14}  {pairs:>5}  {alike:>5}  {sum(f.ranked_alike for f in figures):>12}  "
        f"{sum(f.partly_noise for f in figures):>12}  {len(contradicted):>12}  {flips:>12}"
    )
    print()
    print(
        f"every run alike on {alike} of {pairs} pairs ({alike / max(pairs, 1):.0%}); two runs agree on {agree:.0%} of pairs "
        f"on average; by medians alone, {flips} pairs ({flips / max(pairs, 1):.0%}) come out in both orders"
    )
    for line in contradicted:
        print(f"  contradicted: {line}")
    print(f"total {time.perf_counter() - started:.1f} s")
    print()
    met = not contradicted
    print(
        f"bench --preset article, pairs ranked both ways across {args.runs} runs: {len(contradicted)} of {pairs} "
        f"(target 0): {'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
