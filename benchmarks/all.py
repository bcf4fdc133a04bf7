"""Run every benchmark, then list every target line together.

Runs render_speed.py, gif_size.py, memory.py, startup.py, first_run.py, gallery_jobs.py,
bench_orderings.py, formats.py, video.py, big_layers.py, huge_inputs.py, channels_memory.py, frame_rects.py,
model_resnet18.py, real_weights.py, glyph_start.py and languages.py one after the other (with ``--quick`` where they take it, unless ``--full``), each in its own process,
showing their output as they go. Then prints each target line (``<target>: <figure> (target <bound>):
met|MISSED``) under its script's name. Exits with status 1 when a target is missed, a script
fails, or a script prints no target line.

Run from the project root:

    python benchmarks/all.py [--full]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
# script -> whether it takes --quick
SCRIPTS = {
    "render_speed.py": True,
    "gif_size.py": False,
    "memory.py": True,
    "startup.py": True,
    "first_run.py": True,
    "gallery_jobs.py": True,
    "bench_orderings.py": True,
    "formats.py": True,
    "video.py": True,
    "big_layers.py": True,
    "huge_inputs.py": True,
    "channels_memory.py": True,
    "frame_rects.py": True,
    "model_resnet18.py": True,
    "real_weights.py": True,
    "glyph_start.py": True,
    "languages.py": True,
}
TARGET_LINE = re.compile(r"^(?P<target>.+): (?P<figure>.+) \(target (?P<bound>[^()]+)\): (?P<verdict>met|MISSED)$")


@dataclass
class Outcome:
    script: str
    status: int
    seconds: float
    targets: list[str] = field(default_factory=list)

    @property
    def missed(self) -> list[str]:
        return [line for line in self.targets if line.endswith(": MISSED")]

    @property
    def ok(self) -> bool:
        return self.status == 0 and bool(self.targets) and not self.missed


def run(script: str, quick: bool) -> Outcome:
    """Run one script, echoing its output, and collect its target lines."""
    argv = [sys.executable, str(HERE / script), *(["--quick"] if quick and SCRIPTS[script] else [])]
    print(f"$ {' '.join(['python', f'benchmarks/{script}', *argv[2:]])}", flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, cwd=HERE.parent)
    assert process.stdout is not None
    targets = []
    for line in process.stdout:
        print(line, end="", flush=True)
        if TARGET_LINE.match(line.rstrip("\n")):
            targets.append(line.rstrip("\n"))
    status = process.wait()
    print(flush=True)
    return Outcome(script, status, time.perf_counter() - started, targets)


def print_summary(outcomes: list[Outcome]) -> None:
    print("=" * 100)
    print("summary")
    print("=" * 100)
    for outcome in outcomes:
        problem = ""
        if outcome.status not in (0, 1) or (outcome.status == 1 and not outcome.missed):
            problem = f", FAILED with exit status {outcome.status}"
        elif not outcome.targets:
            problem = ", printed no target line"
        print(f"{outcome.script} ({outcome.seconds:.1f} s{problem})")
        for line in outcome.targets:
            print(f"  {line}")
    lines = [line for outcome in outcomes for line in outcome.targets]
    missed = sum(len(outcome.missed) for outcome in outcomes)
    print()
    print(f"{len(lines) - missed} of {len(lines)} targets met, {missed} missed")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="run each script without --quick")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    outcomes = [run(script, quick=not args.full) for script in SCRIPTS]
    print_summary(outcomes)
    return 0 if all(outcome.ok for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
