"""Start-up cost of drawing text: matplotlib's rasteriser (the old glyph module) against the shipped masks.

Measured side by side in one run, each case in a fresh process, the cases interleaved (the order
alternating from one repeat to the next), one untimed warm-up each; each figure is the median:

* importing the glyph module and drawing a caption's worth of text (every character of a
  caption, a step line and a sum line at the caption, label and cell sizes), the old way
  (``convgif.picture.glyphs`` as it was: DejaVu Sans Mono rasterised by matplotlib's ``FT2Font``,
  matplotlib imported with the module) against the new one (``convgif.picture.glyphs``: shipped masks);
* the same on a first run, when matplotlib has no font cache yet (a new empty ``MPLCONFIGDIR``
  each time): the old module's ``font_manager.findfont`` builds one;
* the whole ``convgif --in 3,7,7 --k 3 --s 2 -o <tmp>/x.gif`` command, with the old glyph
  module put in place of the new one, against the command as it is, and against
  ``python -c "import numpy, PIL.Image"`` (the floor of any command that draws a frame);
* ``python -c "import numpy"``, which both ways of drawing text pay, to show what is left.

The processes may write bytecode caches (``PYTHONDONTWRITEBYTECODE`` is dropped for them), so
that every timed run is warm, as an installed convgif is. Then runs the command once more under ``python -X importtime`` and says which of convgif's
modules import matplotlib on that path (none should).

Targets: drawing text the new way takes at most ``TARGET_RATIO`` of the old way's time; the
command imports no matplotlib. Exits with status 1 when one is missed.

Run from the project root:

    python benchmarks/glyph_start.py [--quick] [--repeats N]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

import common

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REPEATS = 20
QUICK_REPEATS = 8
TARGET_RATIO = 0.6
COMMAND = ["--in", "3,7,7", "--k", "3", "--s", "2"]
TEXTS = [
    "Conv2d(3, 1, kernel_size=3, stride=2) — input 3×7×7 — output 1×3×3",
    "step 4 of 9 · out[0, 1, 2] = Σ x·w + b",
    "Σ x·w + b = 3 + 1 = 4",
    "input · kernel · output … 2 more ▶",
]

#: ``convgif/picture/glyphs.py`` before the masks were shipped (its text-drawing part, verbatim).
OLD_MODULE = """
import os
from functools import lru_cache

import numpy as np
from matplotlib import font_manager, ft2font

from convgif.picture.layout import TextStyle

LEVELS = 4


@lru_cache(maxsize=None)
def _font(size):
    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans Mono"))
    font = ft2font.FT2Font(path)
    font.set_size(size, 72)
    return font


os.register_at_fork(after_in_child=_font.cache_clear)
BLEED = 1


@lru_cache(maxsize=None)
def glyph(style, char):
    box = np.zeros((style.height, style.advance + 2 * BLEED), np.uint8)
    if char == " ":
        return box
    font = _font(style.size)
    font.set_text(char, 0, flags=ft2font.LoadFlags.FORCE_AUTOHINT)
    font.draw_glyphs_to_bitmap(antialiased=True)
    image = np.asarray(font.get_image())
    descent = round(font.get_descent() / 64)
    left = BLEED + round(font.get_bitmap_offset()[0] / 64)
    top = style.ascent + descent - image.shape[0]
    levels = ((image.astype(np.uint16) * (LEVELS - 1) + 127) // 255).astype(np.uint8)
    _paste_max(box, levels, top, left)
    return box


def _paste_max(box, mask, top, left):
    h, w = mask.shape
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + h, box.shape[0]), min(left + w, box.shape[1])
    if y0 < y1 and x0 < x1:
        region = box[y0:y1, x0:x1]
        np.maximum(region, mask[y0 - top : y1 - top, x0 - left : x1 - left], out=region)


@lru_cache(maxsize=512)
def text_mask(style, text, lang=None):
    advance, count = style.advance, len(text)
    mask = np.zeros((style.height, (count + 1) * advance), np.uint8)
    if count:
        table = _glyphs(style)
        for char in set(text) - table.keys():
            table[char] = glyph(style, char)
        boxes = np.stack([table[char] for char in text])
        mask[:, : count * advance] = boxes[:, :, :advance].transpose(1, 0, 2).reshape(style.height, -1)
        for k in range(2 * BLEED):
            spill = mask[:, advance + k :: advance][:, :count]
            np.maximum(spill, boxes[:, :, advance + k].T, out=spill)
    mask = mask[:, : count * advance + 2 * BLEED]
    mask.flags.writeable = False
    return mask


@lru_cache(maxsize=None)
def _glyphs(style):
    return {}
"""

DRAW = f"""
from convgif.picture import sizes
for style in (sizes.CAPTION, sizes.LABEL, sizes.CELL):
    for text in {TEXTS!r}:
        glyphs.text_mask(style, text)
"""
#: A first run: matplotlib has no configuration folder yet (no font cache), a new empty one each time.
FIRST_RUN = "import os, tempfile; os.environ['MPLCONFIGDIR'] = tempfile.mkdtemp()\n"
#: The command with the old glyph module in place of the new one.
OLD_COMMAND = f"""
import sys
import oldglyphs
import convgif.picture
sys.modules["convgif.picture.glyphs"] = convgif.picture.glyphs = oldglyphs
sys.argv = ["convgif", *{COMMAND!r}, "-o", sys.argv[1]]
from convgif.cli.launch import run
run()
"""


def wall(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit status {done.returncode}\n{done.stderr.decode()}")
    return seconds


def time_runs(cases: dict[str, list[str]], env: dict[str, str], repeats: int) -> dict[str, list[float]]:
    """Each case once per repeat, the order alternating; one untimed warm-up each first."""
    for argv in cases.values():
        wall(argv, env)
    names = list(cases)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names if r % 2 == 0 else names[::-1]:
            samples[name].append(wall(cases[name], env))
    return samples


def importers(argv: list[str], env: dict[str, str], wanted: str = "matplotlib") -> list[str]:
    """The modules of convgif that import ``wanted`` (directly, or through modules not convgif's)
    when ``argv`` (a ``python`` command line) runs, read from ``-X importtime``'s nesting."""
    done = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], capture_output=True, text=True, env=env)
    lines = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "cumulative" not in line:
            field = line.split("|")[2]
            lines.append((len(field) - len(field.lstrip()), field.strip()))
    found = set()
    for i, (depth, name) in enumerate(lines):
        if name != wanted:
            continue
        # a module is printed after what it imports: its importer is the next line less indented
        for later_depth, later in lines[i + 1 :]:
            if later_depth < depth:
                if later.startswith(("convgif", "oldglyphs")):
                    found.add(later)
                    break
                depth = later_depth
    return sorted(found)


def main(argv: Optional[list[str]] = None) -> int:
    args = common.parse_args(__doc__, argv, DEFAULT_REPEATS, QUICK_REPEATS)
    common.banner("text start-up: matplotlib's rasteriser against the shipped masks", args.repeats, per="case")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch, "oldglyphs.py").write_text(OLD_MODULE, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), scratch]), "MPLBACKEND": "Agg"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # warm, as installed: the warm-up run caches the bytecode
        gif = str(Path(scratch, "x.gif"))
        py = sys.executable
        cases = {
            "text, old (matplotlib)": [py, "-c", "import oldglyphs as glyphs" + DRAW],
            "text, new (shipped masks)": [py, "-c", "from convgif.picture import glyphs" + DRAW],
            "text, old, first run": [py, "-c", FIRST_RUN + "import oldglyphs as glyphs" + DRAW],
            "text, new, first run": [py, "-c", FIRST_RUN + "from convgif.picture import glyphs" + DRAW],
            "convgif command, old glyphs": [py, "-c", OLD_COMMAND, gif],
            "convgif command, new glyphs": [py, "-m", "convgif", *COMMAND, "-o", gif],
            "python -c 'import numpy, PIL.Image'": [py, "-c", "import numpy, PIL.Image"],
            "python -c 'import numpy'": [py, "-c", "import numpy"],
        }
        samples = time_runs(cases, env, args.repeats)
        medians = {name: statistics.median(values) for name, values in samples.items()}
        print(f"{'case':<38}  {'median s':>8}  {'min s':>6}  {'max s':>6}")
        print("-" * 64)
        for name, values in samples.items():
            print(f"{name:<38}  {medians[name]:>8.3f}  {min(values):>6.3f}  {max(values):>6.3f}")
        floor = medians["python -c 'import numpy, PIL.Image'"]
        numpy_alone = medians["python -c 'import numpy'"]
        print()
        print(
            "above numpy alone: text old "
            f"{medians['text, old (matplotlib)'] - numpy_alone:.3f} s, new {medians['text, new (shipped masks)'] - numpy_alone:.3f} s"
        )
        print(
            "above the numpy + Pillow floor: "
            f"command old {medians['convgif command, old glyphs'] - floor:.3f} s, "
            f"new {medians['convgif command, new glyphs'] - floor:.3f} s"
        )
        matplotlib_importers = importers([py, "-m", "convgif", *COMMAND, "-o", gif], env)
        old_importers = importers([py, "-c", OLD_COMMAND, gif], env)
    print(
        f"modules importing matplotlib on the command's path: new {matplotlib_importers or 'none'}; old {old_importers}"
    )
    print(f"total {time.perf_counter() - started:.1f} s")
    print()
    ratio = medians["text, new (shipped masks)"] / medians["text, old (matplotlib)"]
    ratio_ok = ratio <= TARGET_RATIO
    print(
        f"text start-up, new against old: {ratio:.2f}× ({medians['text, new (shipped masks)']:.3f} s against "
        f"{medians['text, old (matplotlib)']:.3f} s) (target at most {TARGET_RATIO}×): {'met' if ratio_ok else 'MISSED'}"
    )
    none = not matplotlib_importers
    print(
        f"convgif {' '.join(COMMAND)} imports matplotlib: {'no' if none else 'yes'} (target no): "
        f"{'met' if none else 'MISSED'}"
    )
    return 0 if ratio_ok and none else 1


if __name__ == "__main__":
    sys.exit(main())
