"""A render in Chinese against the same render in English.

Every word a Chinese frame draws goes through the catalogue of phrases, a few hundred regular
expressions; a sum line or a note is translated once per text. For four figures (the headline
with its values, a pooling's backward pass, a transposed convolution and a 3-D pooling), times
``convgif.render`` to an in-memory GIF in English, Simplified and Traditional Chinese,
alternating, in one process after an untimed render of each (the fonts loaded), the
translations forgotten before each render as in a fresh process; each figure is the median.
Target: each Chinese render takes at most ``TARGET`` times the English one. Exits with status 1
when a target is missed. Needs a CJK font (the ``zh`` extra).

Run from the project root:

    python benchmarks/languages.py [--quick] [--repeats N]
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Optional

import common

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import convgif  # noqa: E402
from convgif import language  # noqa: E402
from convgif.picture import glyphs  # noqa: E402

TARGET = 1.5
LANGS = ("en", "zh-Hans", "zh-Hant")
FIGURES: dict[str, tuple[Any, dict]] = {
    "headline, --values": (convgif.Conv2dSpec((3, 7, 7), 2, 3, stride=2, padding=1, dilation=2), {"values": True}),
    "AvgPool2d backward, --values": (
        convgif.AvgPool2dSpec((1, 5, 5), 3, 2, 1, count_include_pad=False),
        {"values": True, "backward": True},
    ),
    "ConvTranspose2d, --values": (convgif.ConvTranspose2dSpec((2, 3, 3), 1, 3, stride=2, padding=1), {"values": True}),
    "MaxPool3d": (convgif.MaxPool3dSpec((1, 4, 4, 4), 2), {}),
}


def seconds(spec: Any, options: dict, lang: str) -> float:
    language._translate.cache_clear()  # each text translated anew, as in a fresh process
    started = time.perf_counter()
    convgif.render(spec, io.BytesIO(), lang=lang, **options)
    return time.perf_counter() - started


def main(argv: Optional[list[str]] = None) -> int:
    args = common.parse_args(__doc__, argv, 9, 3)
    if any(glyphs.find_cjk_font(lang) is None for lang in LANGS[1:]):
        print('no CJK font: pip install "convgif[zh]"', file=sys.stderr)
        return 1
    print(
        f"python {sys.version.split()[0]}; median of {args.repeats} repeats, the languages alternating in one process"
    )
    print()
    missed = False
    for name, (spec, options) in FIGURES.items():
        for lang in LANGS:
            seconds(spec, options, lang)  # untimed
        times: dict[str, list[float]] = {lang: [] for lang in LANGS}
        for _ in range(args.repeats):
            for lang in LANGS:
                times[lang].append(seconds(spec, options, lang))
        english = statistics.median(times["en"])
        for lang in LANGS[1:]:
            chinese = statistics.median(times[lang])
            met = chinese <= TARGET * english
            missed |= not met
            print(
                f"{name}, {lang} against English: {chinese / english:.2f}x ({chinese:.3f} s against "
                f"{english:.3f} s) (target <= {TARGET:g}x): {'met' if met else 'MISSED'}"
            )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
