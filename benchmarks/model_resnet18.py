"""A whole network: ``convgif model`` on ResNet-18 (3×224×224), against drawing its layers one
by one with the command.

In fresh ``convgif`` processes: the page with every convolution and pooling layer drawn
(``--jobs 2``, default options), the same command again with nothing changed, and the table
alone (``--table``). Then each of the drawn layers by its own ``convgif --layer LINE --weights
FILE --module NAME`` (the layer's ``print(model)`` line, the model's state_dict), as a user
without ``convgif model`` would, timed one after the other; the figures are printed side by
side.

    python benchmarks/model_resnet18.py [--quick] [--repeats N]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

import common

ROOT = Path(__file__).resolve().parent.parent
SOURCE = f"{ROOT / 'examples' / 'models.py'}:resnet18"
SHAPE = (3, 224, 224)
TARGET_BUILD_S, TARGET_REBUILD_S, TARGET_TABLE_S = 30.0, 1.0, 2.0


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "convgif", *args], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def verdict(name: str, seconds: float, bound: float) -> str:
    return f"{name}: {seconds:.2f} s (target < {bound:g} s): {'met' if seconds < bound else 'MISSED'}"


def main(argv: Optional[list[str]] = None) -> None:
    args = common.parse_args(__doc__, argv, default=3, quick=1)
    common.banner("convgif model on ResNet-18, 3×224×224, against its layers drawn one by one", args.repeats, "run")
    shape = ",".join(map(str, SHAPE))
    builds, rebuilds, tables = [], [], []
    with tempfile.TemporaryDirectory(prefix="convgif-model-") as scratch:
        for repeat in range(args.repeats):
            out = Path(scratch) / f"page{repeat}"
            command = ["model", SOURCE, "--in", shape, "-o", str(out), "--jobs", "2", "-q"]
            builds.append(timed(command))
            rebuilds.append(timed(command))
            tables.append(timed(["model", SOURCE, "--in", shape, "--table"]))
        one_by_one = layers_one_by_one(Path(scratch))
    build, rebuild, table = (statistics.median(x) for x in (builds, rebuilds, tables))
    total = sum(seconds for _, seconds in one_by_one)
    print(f"{'layer':<26}{'one by one (s)':>16}")
    for name, seconds in one_by_one:
        print(f"{name:<26}{seconds:>16.2f}")
    print()
    print(f"{'':<40}{'convgif model':>16}{'one by one':>14}")
    drawn = f"{len(one_by_one)} layers drawn, page written (s)"
    print(f"{drawn:<40}{build:>16.2f}{total:>14.2f}")
    print(f"{'unchanged, again (s)':<40}{rebuild:>16.2f}{total:>14.2f}")
    print(f"{'the table alone (s)':<40}{table:>16.2f}{'—':>14}")
    print()
    print(verdict("page with every layer drawn, --jobs 2", build, TARGET_BUILD_S))
    print(verdict("unchanged rebuild", rebuild, TARGET_REBUILD_S))
    print(verdict("table alone", table, TARGET_TABLE_S))


def layers_one_by_one(scratch: Path) -> list[tuple[str, float]]:
    """Each drawn layer by the single-layer command, with the model's weights from a state_dict."""
    sys.path.insert(0, str(ROOT / "examples"))
    import models
    import torch

    from convgif.network.build import model

    network = models.resnet18()
    weights = scratch / "resnet18.pt"
    torch.save(network.state_dict(), weights)
    result = model(network, SHAPE, None)
    times = []
    for row in result.rows:
        if row.spec is None:
            continue
        line = repr(network.get_submodule(row.name))
        shape = ",".join(map(str, row.input_shape))
        args = ["--layer", line, "--in", shape, "-o", str(scratch / f"{row.name}.gif"), "-q"]
        if "weight" in row.values:
            args += ["--weights", str(weights), "--module", row.name]
        times.append((row.name, timed(args)))
    return times


if __name__ == "__main__":
    main()
