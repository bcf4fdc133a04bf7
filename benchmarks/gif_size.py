"""GIF sizes of the reference figures against the published GIFs of the same figures.

Renders, with ``convgif.render`` and the command line's own argument parsing and defaults,
every figure of the reference article and of conv_arithmetic, and prints for each its frames,
frame size, bytes, the published GIF's bytes and the ratio. Targets: every article figure with
a published size at most ``ARTICLE_BOUND`` of it, every conv_arithmetic figure at most
``CONV_ARITHMETIC_BOUND`` of it. The same figures with ``--values`` are listed for information.
Sizes are deterministic, so there are no repeats. Exits with status 1 when a target is missed.
For information, what drawing cells not yet computed hatched costs: the same figures with
those cells left flat (as the background), side by side with the hatched ones, in bytes.

Run from the project root:

    python benchmarks/gif_size.py [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

import convgif
from convgif.cli.options import parse

ARTICLE_BOUND = 0.1  # at most a tenth of the published GIF
CONV_ARITHMETIC_BOUND = 0.5  # at most half of the published GIF

# (command-line arguments, bytes of the published GIF of the same figure or None)
ARTICLE: tuple[tuple[str, Optional[int]], ...] = (
    ("--in 3,7,7 --out 2 --k 3 --p 1 --s 2 --d 2", 1_638_467),
    ("--in 1,9,9 --out 1 --k 3", 1_639_002),
    ("--in 1,7,7 --out 4 --k 3", None),
    ("--in 3,7,7 --out 4 --k 3", None),
    ("--in 3,7,9 --out 2 --k 5,1", None),
    ("--in 3,7,9 --out 2 --k 5,2", None),
    ("--in 3,9,9 --out 2 --k 3 --s 1,3", None),
    ("--in 2,7,7 --out 1 --k 3 --p 1", 3_207_342),
    ("--in 2,7,7 --out 1 --k 3 --p 1 --d 4,2", 290_996),
    ("--in 2,7,7 --out 4 --k 3 --p 2 --s 2 --g 2", None),
    ("--in 2,9,9 --out 1 --k 3 --p 2 --d 4,2", None),
    ("--in 3,7,7 --out 2 --k 3 --p 1", None),
)
CONV_ARITHMETIC: tuple[tuple[str, Optional[int]], ...] = (
    ("--in 1,4,4 --k 3", 37_751),
    ("--in 1,5,5 --k 4 --p 2", 476_750),
    ("--in 1,5,5 --k 3 --p 1", 276_460),
    ("--in 1,5,5 --k 3 --p 2", 435_605),
    ("--in 1,5,5 --k 3 --s 2", 44_665),
    ("--in 1,5,5 --k 3 --s 2 --p 1", 118_422),
    ("--in 1,6,6 --k 3 --s 2 --p 1", 122_211),
    ("--in 1,7,7 --k 3 --d 2", 124_951),
)
SOURCES = (("article", ARTICLE, ARTICLE_BOUND), ("conv_arithmetic", CONV_ARITHMETIC, CONV_ARITHMETIC_BOUND))


@dataclass
class Figure:
    source: str
    args: str
    frames: int
    width: int
    height: int
    bytes: int
    published: Optional[int]
    bound: Optional[float]

    @property
    def ratio(self) -> Optional[float]:
        return None if self.published is None else self.bytes / self.published

    @property
    def met(self) -> bool:
        return self.bound is None or self.bytes <= self.bound * self.published


def render(args: str, path: Path) -> convgif.RenderResult:
    """Render ``args`` as the ``convgif`` command would: same options, defaults and ``render``."""
    return parse(shlex.split(args)).render(path)


def measure(values: bool, folder: Path) -> list[Figure]:
    """Every figure of every source, with or without ``--values``."""
    figures = []
    for source, table, bound in SOURCES:
        for args, published in table:
            full = f"{args} --values" if values else args
            result = render(full, folder / "figure.gif")
            width, height = result.size
            figures.append(
                Figure(
                    source,
                    full,
                    result.frames,
                    width,
                    height,
                    result.bytes,
                    published,
                    None if values or published is None else bound,
                )
            )
    return figures


def hatch_cost(folder: Path) -> list[tuple[str, int, int]]:
    """(arguments, bytes with hatched empty cells, bytes with flat empty cells) of each figure."""
    from convgif.picture.paint import Painter

    rows = []
    for _, table, _ in SOURCES:
        for args, _ in table:
            hatched = render(args, folder / "hatched.gif").bytes
            saved, Painter.hatch = Painter.hatch, lambda *a, **k: None
            try:
                flat = render(args, folder / "flat.gif").bytes
            finally:
                Painter.hatch = saved
            rows.append((args, hatched, flat))
    return rows


def print_table(figures: list[Figure]) -> None:
    w = max(len(f.args) for f in figures)
    header = f"{'source':<15}  {'arguments':<{w}}  {'frames':>6}  {'w x h':>9}  {'bytes':>9}  {'published':>9}  {'ratio':>6}  target"
    print(header)
    print("-" * len(header))
    for f in figures:
        published = "-" if f.published is None else f"{f.published:,}"
        ratio = "-" if f.ratio is None else f"{f.ratio:.3f}"
        target = "" if f.bound is None else f"<= {f.bound:g}"
        print(
            f"{f.source:<15}  {f.args:<{w}}  {f.frames:>6}  {f'{f.width}x{f.height}':>9}  {f.bytes:>9,}  "
            f"{published:>9}  {ratio:>6}  {target}".rstrip()
        )
    total = (
        f"{'total':<15}  {'':<{w}}  {sum(f.frames for f in figures):>6}  {'':>9}  {sum(f.bytes for f in figures):>9,}"
    )
    print(total)


def target_line(figure: Figure) -> str:
    verdict = "met" if figure.met else "MISSED"
    return (
        f"{figure.source} {figure.args}, bytes / published: {figure.ratio:.3f} (target <= {figure.bound:g}): {verdict}"
    )


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, metavar="PATH", help="also save the results as JSON here")
    return parser.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    print(f"convgif {convgif.__version__}; defaults of the convgif command (seed 0, at most 300 frames)")
    print()
    with tempfile.TemporaryDirectory(prefix="convgif-size-") as folder:
        plain = measure(False, Path(folder))
        with_values = measure(True, Path(folder))
        hatching = hatch_cost(Path(folder))
    print_table(plain)
    print()
    print("With --values, for information (ratio to the published GIF, which has no values):")
    print()
    print_table(with_values)
    print()
    print("Cells not yet computed hatched, against the same figures with them flat, for information:")
    print()
    w = max(len(figure) for figure, _, _ in hatching)
    print(f"{'arguments':<{w}}  {'hatched':>9}  {'flat':>9}  {'ratio':>6}")
    for figure, hatched, flat in hatching:
        print(f"{figure:<{w}}  {hatched:>9,}  {flat:>9,}  {hatched / flat:>6.3f}")
    total_h, total_f = sum(h for _, h, _ in hatching), sum(f for _, _, f in hatching)
    print(f"{'total':<{w}}  {total_h:>9,}  {total_f:>9,}  {total_h / total_f:>6.3f}")
    print()
    print(f"total {time.perf_counter() - started:.1f} s")
    print()
    checked = [f for f in plain if f.bound is not None]
    for figure in checked:
        print(target_line(figure))
    if args.json is not None:
        report = {
            "figures": [asdict(f) for f in plain],
            "values": [asdict(f) for f in with_values],
            "hatching": [{"args": a, "hatched": h, "flat": f} for a, h, f in hatching],
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if all(f.met for f in checked) else 1


if __name__ == "__main__":
    sys.exit(main())
