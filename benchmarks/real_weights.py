"""A layer with real float weights against the same layer with convgif's integer example weights.

For a 512→512 3×3 convolution (``--in 512,10,10 --out 512 --k 3``: 2.4 million weights), times
``convgif.render`` to an in-memory GIF with float32 weights drawn like a trained layer's and with
the example weights (whole numbers in -1..1), alternating, in one process after an untimed
render of each; each figure is the median. Rendered twice: one frame (``--max-frames 1``: what a
render costs beyond its frames) and the default frames; with ``--values`` once more for
information (cells sized for the widest number of every weight). Target: float weights take at
most ``TARGET`` times as long as integer ones, without ``--values``. Exits with status 1 when a
target is missed.

Run from the project root:

    python benchmarks/real_weights.py [--quick] [--repeats N]
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path
from typing import Optional

import common
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import convgif  # noqa: E402
from convgif.ops.conv import Conv2dSpec  # noqa: E402

TARGET = 1.5
SPEC = Conv2dSpec((512, 10, 10), 512, 3)
CASES = {
    "one frame": dict(max_frames=1),
    "default frames": {},
    "--values, one frame (information)": dict(max_frames=1, values=True),
}


def seconds(weight: Optional[np.ndarray], options: dict) -> float:
    started = time.perf_counter()
    convgif.render(SPEC, io.BytesIO(), weight=weight, **options)
    return time.perf_counter() - started


def main(argv: Optional[list[str]] = None) -> int:
    args = common.parse_args(__doc__, argv, 9, 3)
    print(
        f"python {sys.version.split()[0]}; {SPEC.caption}; median of {args.repeats} repeats, float and "
        "integer weights alternating in one process"
    )
    print()
    real = (np.random.default_rng(0).standard_normal((512, 512, 3, 3)) * 0.02).astype(np.float32)
    missed = False
    for name, options in CASES.items():
        times: dict[str, list[float]] = {"float": [], "integer": []}
        seconds(real, options), seconds(None, options)  # untimed
        for _ in range(args.repeats):
            times["float"].append(seconds(real, options))
            times["integer"].append(seconds(None, options))
        f, i = statistics.median(times["float"]), statistics.median(times["integer"])
        print(f"{name}: float weights {f:.3f} s, integer weights {i:.3f} s")
        if "information" in name:
            print(f"{name}: float against integer weights {f / i:.2f}x")
            continue
        met = f <= TARGET * i
        missed |= not met
        print(
            f"{name}, float against integer weights: {f / i:.2f}x ({f:.3f} s against {i:.3f} s) "
            f"(target <= {TARGET:g}x): {'met' if met else 'MISSED'}"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
