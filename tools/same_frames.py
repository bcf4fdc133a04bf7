"""Render the same layers with two source trees of convgif and compare the files byte for byte.

A change meant to leave every frame as it is (how a sum line is built, not what it says) is
checked with it: ``python tools/same_frames.py BEFORE AFTER`` renders each configuration below
with ``PYTHONPATH=BEFORE`` and ``PYTHONPATH=AFTER`` (each a checkout of the project) and prints
one line per configuration, exiting 1 when any file differs or one tree refuses what the other
draws. ``--only WORD`` keeps the configurations whose arguments hold WORD.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Every pooling and convolution kind with --values, windows short and long (more cells than a
#: sum line shows), padding read as −∞, overhang, divisors, light and dark, another language.
CASES = [
    "--layer MaxPool1d --in 2,40 --k 3 --s 2",
    "--layer MaxPool1d --in 1,200 --k 60 --s 50 --p 30",
    "--layer AvgPool1d --in 1,200 --k 60 --s 50 --ceil-mode",
    "--layer MaxPool2d --in 2,8,8 --k 3 --s 2 --p 1",
    "--layer MaxPool2d --in 1,40,40 --k 20 --s 4 --p 10 --theme dark",
    "--layer MaxPool2d --in 1,41,41 --k 19 --s 7 --ceil-mode --return-indices",
    "--layer AvgPool2d --in 2,8,8 --k 3 --s 2 --p 1 --no-count-include-pad",
    "--layer AvgPool2d --in 1,40,40 --k 20 --s 4 --p 10 --no-count-include-pad",
    "--layer AvgPool2d --in 1,41,41 --k 19 --s 7 --ceil-mode --divisor-override 5",
    "--layer MaxPool3d --in 1,6,6,6 --k 2",
    "--layer MaxPool3d --in 1,30,30,30 --k 20 --s 5 --p 10",
    "--layer MaxPool3d --in 1,60,60,60 --k 49 --s 11",
    "--layer MaxPool3d --in 1,60,60,60 --k 49 --s 1",
    "--layer AvgPool3d --in 1,60,60,60 --k 49 --s 1",
    "--layer AvgPool3d --in 1,52,52,52 --k 49 --s 1 --p 2 --no-count-include-pad",
    "--layer MaxPool3d --in 1,52,52,52 --k 49 --s 1 --p 2 --ceil-mode",
    "--layer MaxPool3d --in 1,60,60,60 --k 49 --s 11 --theme dark --lang zh-Hans",
    "--layer AvgPool3d --in 1,6,6,6 --k 2",
    "--layer AvgPool3d --in 1,30,30,30 --k 20 --s 5 --p 10 --no-count-include-pad",
    "--layer AvgPool3d --in 1,60,60,60 --k 49 --s 11 --theme dark",
    "--layer LPPool2d --norm-type 2 --in 1,40,40 --k 20 --s 10",
    "--layer AdaptiveMaxPool2d --in 1,40,40 --output-size 2",
    "--layer AdaptiveAvgPool3d --in 1,20,20,20 --output-size 1",
    "--layer FractionalMaxPool2d --in 1,40,40 --k 20 --output-size 3",
    "--layer Conv1d --in 2,30 --out 2 --k 5",
    "--layer Conv2d --in 2,8,8 --out 2 --k 3 --p 1",
    "--layer Conv2d --in 1,40,40 --out 1 --k 20 --s 10",
    "--layer Conv3d --in 1,8,8,8 --out 1 --k 3",
    "--layer ConvTranspose2d --in 1,4,4 --out 1 --k 3 --s 2",
    "--layer ConvTranspose3d --in 1,3,3,3 --out 1 --k 2",
]


def render(tree: str, args: str, out: Path) -> tuple[int, str, float]:
    """Exit status, last error line and seconds of one render with the convgif of ``tree``."""
    env = {**os.environ, "PYTHONPATH": tree}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "convgif", *args.split(), "--values", "-q", "-o", str(out)],
        env=env,
        cwd=out.parent,  # not a checkout: ``python -m`` would import the convgif of the working folder
        capture_output=True,
        text=True,
    )
    lines = done.stderr.strip().splitlines()
    return done.returncode, lines[-1] if lines else "", time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--only", default="")
    options = parser.parse_args()
    differ = 0
    with tempfile.TemporaryDirectory() as folder:
        for k, args in enumerate(c for c in CASES if options.only in c):
            a, b = Path(folder, f"{k}a.gif"), Path(folder, f"{k}b.gif")
            (ra, ea, ta), (rb, eb, tb) = render(options.before, args, a), render(options.after, args, b)
            if ra or rb:
                same = ra == rb and ea == eb
                verdict = f"refused alike ({ea})" if same else f"exit {ra} / {rb}: {ea} / {eb}"
            else:
                da, db = (hashlib.sha256(p.read_bytes()).hexdigest()[:12] for p in (a, b))
                same = da == db
                verdict = f"{'same' if same else 'DIFFER'} {da} {db}"
            differ += not same
            print(f"{ta:6.1f} s {tb:6.1f} s  {verdict}  {args}", flush=True)
    print("all the same" if not differ else f"{differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
