"""Per-frame render speed of convgif against rebuilding a matplotlib figure for every frame.

For a few Conv2d configurations, in one run with the repeats interleaved so machine noise hits
every measurement alike, this times:

* convgif: ``Renderer.frames`` over every step, per frame; the one-time ``Renderer``
  construction (the static picture) is timed and reported on its own;
* the baseline: a matplotlib (Agg) figure of the same pixel size and the same content, built
  from scratch, drawn and closed for every frame (defined below);
* the floor: encoding convgif's frames as a GIF with ``GifWriter`` (Pillow's LZW), alone and
  together with rendering, as ``convgif.render`` does; for reference, Pillow's own GIF encoder
  (``Image.save(save_all=True)``) on the same frames.

Each number is the median over the repeats. Two targets per configuration: convgif draws a
frame at least ``TARGET_SPEEDUP`` times faster than the baseline, and rendering plus encoding
takes at most ``TARGET_VS_ENCODE`` times as long as encoding alone. The script exits with
status 1 when a target is missed.

Run from the project root:

    python benchmarks/render_speed.py [--quick] [--repeats N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import matplotlib

matplotlib.use("Agg")

import common
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import PIL  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import LineCollection, PatchCollection  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from PIL import Image  # noqa: E402

from convgif import Conv2dSpec, default_filename, record
from convgif.api import DEFAULT_MAX_FRAMES
from convgif.engine.direct import Recording, padding_mask  # noqa: E402
from convgif.files.gif import GifWriter  # noqa: E402
from convgif.ops.conv import CONV2D  # noqa: E402
from convgif.picture import glyphs  # noqa: E402
from convgif.picture.layout import plan
from convgif.picture.overlay import Animation  # noqa: E402
from convgif.picture.paint import LIGHT, RGB, WHITE  # noqa: E402
from convgif.picture.sizes import CAPTION, Layout, TextStyle

TARGET_SPEEDUP = 20.0  # convgif ms/f at least this many times below the baseline's
TARGET_VS_ENCODE = 1.2  # render+encode ms/f at most this many times encode ms/f
DEFAULT_REPEATS = 5
QUICK_REPEATS = 2
FRAME_MS = 300  # GIF frame duration; it does not change the encoding work

CONFIGS: tuple[Conv2dSpec, ...] = (
    # the reference article's headline figure: 18 frames
    Conv2dSpec((3, 7, 7), out_channels=2, kernel_size=3, stride=2, padding=1, dilation=2),
    Conv2dSpec((1, 9, 9), 1, 3),  # 49 frames
    Conv2dSpec((2, 7, 7), 4, 3, stride=2, padding=2, groups=2),  # 50 frames, two groups
)

# -- the baseline: a whole matplotlib figure per frame -------------------------------------------

DPI = 100
PT = 72 / DPI  # points per pixel
FONT = "DejaVu Sans Mono"  # what convgif.picture.glyphs rasterises

Segment = tuple[tuple[int, int], tuple[int, int]]


def _rgb(colour: RGB) -> np.ndarray:
    return np.array(colour, float) / 255


def _mix(low: RGB, high: RGB, t: np.ndarray) -> np.ndarray:
    """Colours ``t`` (0..1, any shape) of the way from ``low`` to ``high``, as (..., 3) floats."""
    a, b = _rgb(low), _rgb(high)
    return a + (b - a) * np.asarray(t, float)[..., None]


def _unit(values: np.ndarray) -> np.ndarray:
    """``values`` scaled linearly to 0..1 over their range."""
    low, high = values.min(), values.max()
    return (values - low) / (high - low) if high > low else np.zeros(values.shape)


def _hue(group: int) -> np.ndarray:
    return _rgb(LIGHT.hues[group % len(LIGHT.hues)])


class Baseline:
    """Draws the frames of one recording as convgif lays them out, one fresh figure per frame.

    Cell colours are worked out once, untimed (as convgif's construction is timed apart); every
    frame then creates a figure, adds every grid, outline, line and text, draws, copies the
    pixels and closes the figure.
    """

    def __init__(self, recording: Recording, layout: Layout) -> None:
        spec = recording.spec
        self.spec, self.layout = spec, layout
        self.cg_in = spec.in_channels // spec.groups
        self.cg_out = spec.out_channels // spec.groups
        padding = padding_mask(spec, 0)[:, None] | padding_mask(spec, 1)[None, :]
        fills = _mix(LIGHT.input_low, LIGHT.input_high, _unit(recording.padded))
        if spec.padding_mode == "zeros":
            pad_fills = np.broadcast_to(_rgb(LIGHT.padding), fills.shape)
        else:
            pad_fills = fills + (_rgb(LIGHT.padding) - fills) * 0.6
        self.inputs = np.where(padding[..., None], pad_fills, fills)
        self.kernels = self._kernel_colours(recording.weight)
        self.outputs = _mix(LIGHT.output_low, LIGHT.output_high, _unit(recording.output))
        _, ho, wo = spec.output_shape
        self.order = np.arange(ho * wo).reshape(ho, wo)  # step of (oy, ox) in output channel 0

    @staticmethod
    def _kernel_colours(weight: np.ndarray) -> np.ndarray:
        """Red below zero, near-white at zero, green above, deeper with magnitude."""
        k = weight / max(int(np.abs(weight).max()), 1)
        t = 0.18 + 0.5 * np.abs(k)
        colours = np.where((k < 0)[..., None], _mix(WHITE, LIGHT.negative, t), _mix(WHITE, LIGHT.positive, t))
        colours[k == 0] = 250 / 255
        return colours

    def frame(self, step: int) -> np.ndarray:
        """The RGBA pixels (height, width, 4) of one step, from a figure built for it alone."""
        lay = self.layout
        fig = plt.figure(figsize=(lay.width / DPI, lay.height / DPI), dpi=DPI)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, lay.width)
        ax.set_ylim(lay.height, 0)
        ax.set_axis_off()
        self._draw(ax, step)
        fig.canvas.draw()
        pixels = np.array(fig.canvas.buffer_rgba())
        plt.close(fig)
        return pixels

    def _draw(self, ax: Axes, step: int) -> None:
        lay, spec, s = self.layout, self.spec, self.layout.cell
        _, ho, wo = spec.output_shape
        j, oy, ox = (int(v) for v in np.unravel_index(step, (self.cg_out, ho, wo)))
        (sh, sw), (dh, dw), (rh, rw) = spec.stride, spec.dilation, spec.receptive_field
        kh, kw = spec.kernel_size
        rows = oy * sh + dh * np.arange(kh)[:, None]
        cols = ox * sw + dw * np.arange(kw)[None, :]
        lines: list[tuple[Segment, np.ndarray]] = []

        for c, (gx, gy) in lay.inputs.items():
            group = c // self.cg_in
            faces = self.inputs[c]
            _grid(ax, s, (gx, gy), faces)
            for y, x in zip(rows.ravel(), cols.ravel()):  # a ring on each cell read, as convgif's
                _outline(ax, gy + y * s, gy + (y + 1) * s, gx + x * s, gx + (x + 1) * s, _hue(group))
            _group_frame(ax, s, (gx, gy), faces.shape[:2], spec.groups, group)
            wy0, wx0 = gy + oy * sh * s, gx + ox * sw * s
            wy1, wx1 = wy0 + rh * s, wx0 + rw * s
            _outline(ax, wy0 - 1, wy1 + 1, wx0 - 1, wx1 + 1, _hue(group))
            kernel = lay.kernels.get((c, j))
            if kernel is None:
                continue
            kx0, ky0 = kernel
            kx1, ky1 = kx0 + kw * s, ky0 + kh * s
            hue = _hue(group)
            segments = [((wx1 + 2, wy0), (kx0 - 3, ky0)), ((wx1 + 2, wy1), (kx0 - 3, ky1))]
            out = lay.outputs.get(group * self.cg_out + j)
            if out is not None:
                cy0, cx0 = out[1] + oy * s, out[0] + ox * s
                segments += [((kx1 + 3, ky0), (cx0 - 2, cy0)), ((kx1 + 3, ky1), (cx0 - 2, cy0 + s))]
            lines += [(segment, hue) for segment in segments]

        for (c, jj), (kx0, ky0) in lay.kernels.items():
            co = c // self.cg_in * self.cg_out + jj
            _grid(ax, s, (kx0, ky0), self.kernels[co, c % self.cg_in])
            if jj == j:
                _outline(ax, ky0 - 2, ky0 + kh * s + 2, kx0 - 2, kx0 + kw * s + 2, _hue(c // self.cg_in))

        for co, (gx, gy) in lay.outputs.items():
            group, jj = divmod(co, self.cg_out)
            done = self.order + jj * ho * wo <= step
            _grid(ax, s, (gx, gy), np.where(done[..., None], self.outputs[co], _rgb(WHITE)), hatched=~done)
            _group_frame(ax, s, (gx, gy), (ho, wo), spec.groups, group)
            if jj == j:
                cy0, cx0 = gy + oy * s, gx + ox * s
                _outline(ax, cy0 - 1, cy0 + s + 1, cx0 - 1, cx0 + s + 1, _hue(group))

        if lines:
            segments, colours = zip(*lines)
            ax.add_collection(LineCollection(segments, colors=colours, linewidths=PT))
        for text, style, x, y in lay.texts:
            _text(ax, text, style, x, y)
        step_text = f"out channel {j + 1}/{self.cg_out} · ({oy}, {ox}) · step {step + 1}/{spec.steps}"
        _text(ax, step_text, CAPTION, *lay.step_at)


def _grid(ax: Axes, s: int, origin: tuple[int, int], faces: np.ndarray, hatched: np.ndarray | None = None) -> None:
    """One rectangle per cell, filled with ``faces`` (rows, cols, 3), edged with grid lines;
    ``hatched`` cells (not yet computed) striped, as convgif's."""
    x, y = origin
    rows, cols = faces.shape[:2]
    cells = [Rectangle((x + col * s + 0.5, y + row * s + 0.5), s, s) for row in range(rows) for col in range(cols)]
    grid = PatchCollection(cells, facecolors=faces.reshape(-1, 3), edgecolors=[_rgb(LIGHT.grid)], linewidths=PT)
    ax.add_collection(grid)
    if hatched is not None and hatched.any():
        empty = [cell for cell, on in zip(cells, hatched.ravel()) if on]
        stripes = PatchCollection(empty, facecolors="none", edgecolors=[_rgb(LIGHT.grid)], hatch="////", linewidths=0)
        ax.add_collection(stripes)


def _outline(ax: Axes, y0: int, y1: int, x0: int, x1: int, colour: np.ndarray, width: int = 2) -> None:
    """A ``width``-pixel rectangle outline covering rows y0..y1 and columns x0..x1, as convgif's."""
    half = width / 2
    box = Rectangle((x0 + half, y0 + half), x1 + 1 - x0 - width, y1 + 1 - y0 - width)
    box.set(fill=False, edgecolor=colour, linewidth=width * PT)
    ax.add_patch(box)


def _group_frame(ax: Axes, s: int, origin: tuple[int, int], shape: tuple[int, int], groups: int, group: int) -> None:
    """The coloured frame convgif puts around each grid when there are several groups."""
    if groups > 1:
        (x, y), (rows, cols) = origin, shape
        _outline(ax, y - 3, y + rows * s + 3, x - 3, x + cols * s + 3, _hue(group))


def _text(ax: Axes, text: str, style: TextStyle, x: int, y: int) -> None:
    ax.text(x, y, text, fontfamily=FONT, fontsize=style.size * PT, color=_rgb(LIGHT.ink), va="top", ha="left")


# -- measurements -------------------------------------------------------------------------------


@dataclass
class Case:
    """One configuration, with the convgif frames (and where each changed) the encode-only timing needs."""

    spec: Conv2dSpec
    layout: Layout
    recording: Recording
    steps: list[int]
    frames: list[np.ndarray]
    changes: list[Optional[list[tuple[int, int, int, int]]]]
    palette: list[RGB]
    samples: dict[str, list[float]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return default_filename(self.spec).removeprefix("conv2d_").removesuffix(".gif")

    def add(self, sample: dict[str, float]) -> None:
        for key, seconds in sample.items():
            self.samples.setdefault(key, []).append(seconds)

    def median_ms(self, key: str) -> float:
        return 1000 * statistics.median(self.samples[key])


def Renderer(recording: Recording, layout: Layout) -> Animation:
    """convgif's renderer for one recorded Conv2d laid out by ``layout``."""
    return Animation(CONV2D.drawings(recording.spec, recording)[0], layout)


def prepare(spec: Conv2dSpec) -> Case:
    """Lay out, record and render one configuration; check the baseline draws at the same size."""
    layout = plan(CONV2D.geometries(spec)[0])
    recording = record(spec)
    steps = list(range(min(spec.steps, DEFAULT_MAX_FRAMES)))  # the first steps, in order
    renderer = Renderer(recording, layout)
    frames, changes = [], []
    for frame in renderer.frames(steps):
        frames.append(frame.copy())
        changes.append(renderer.changed)
    case = Case(spec, layout, recording, steps, frames, changes, renderer.palette.colors)
    baseline = Baseline(recording, layout).frame(steps[0])  # also warms matplotlib's fonts up
    if baseline.shape[:2] != frames[0].shape:
        raise RuntimeError(f"{case.name}: baseline is {baseline.shape[:2]}, convgif {frames[0].shape}")
    return case


def time_convgif(case: Case, _path: Path) -> dict[str, float]:
    """Renderer construction, then its frames over every step (per frame)."""
    glyphs.text_mask.cache_clear()  # step texts are new to a one-off render
    started = time.perf_counter()
    renderer = Renderer(case.recording, case.layout)
    built = time.perf_counter()
    for _ in renderer.frames(case.steps):
        pass
    done = time.perf_counter()
    return {"construct": built - started, "convgif": (done - built) / len(case.steps)}


def time_baseline(case: Case, _path: Path) -> dict[str, float]:
    baseline = Baseline(case.recording, case.layout)
    started = time.perf_counter()
    for step in case.steps:
        baseline.frame(step)
    return {"baseline": (time.perf_counter() - started) / len(case.steps)}


def time_encode(case: Case, path: Path) -> dict[str, float]:
    """GifWriter over convgif's frames, already rendered, each with where it changed (per frame)."""
    started = time.perf_counter()
    with GifWriter(path, (case.layout.width, case.layout.height), case.palette) as gif:
        for frame, changed in zip(case.frames, case.changes):
            gif.add(frame, FRAME_MS, changed)
    return {"encode": (time.perf_counter() - started) / len(case.steps)}


def time_pillow(case: Case, path: Path) -> dict[str, float]:
    """Pillow's own GIF encoder (no optimisation pass) over convgif's frames (per frame)."""
    palette = [level for rgb in case.palette for level in rgb]
    started = time.perf_counter()
    images = []
    for frame in case.frames:
        image = Image.fromarray(frame, "P")
        image.putpalette(palette)
        images.append(image)
    images[0].save(path, "GIF", save_all=True, append_images=images[1:], duration=FRAME_MS, loop=0, optimize=False)
    return {"pillow": (time.perf_counter() - started) / len(case.steps)}


def time_pipeline(case: Case, path: Path) -> dict[str, float]:
    """Render and encode together, as ``convgif.render`` does, construction excluded (per frame)."""
    glyphs.text_mask.cache_clear()
    renderer = Renderer(case.recording, case.layout)
    started = time.perf_counter()
    with GifWriter(path, (case.layout.width, case.layout.height), renderer.palette.colors) as gif:
        for frame in renderer.frames(case.steps):
            gif.add(frame, FRAME_MS, renderer.changed)
    return {"render+encode": (time.perf_counter() - started) / len(case.steps)}


MEASURES: tuple[Callable[[Case, Path], dict[str, float]], ...] = (
    time_convgif,
    time_baseline,
    time_encode,
    time_pillow,
    time_pipeline,
)


def run(cases: list[Case], repeats: int, folder: Path) -> None:
    """Every measurement of every case once per repeat, the order rotating between repeats."""
    for case in cases:  # untimed warm-up of the fast paths (imports, glyph cache, Pillow)
        for measure in (time_convgif, time_encode, time_pillow, time_pipeline):
            measure(case, folder / "warm-up.gif")
    for r in range(repeats):
        order = MEASURES[r % len(MEASURES) :] + MEASURES[: r % len(MEASURES)]
        for case in cases:
            for measure in order:
                case.add(measure(case, folder / f"{case.name}.gif"))


# -- report -------------------------------------------------------------------------------------

COLUMNS = (
    ("config", 30),
    ("frames", 6),
    ("size", 9),
    ("construct ms", 12),
    ("convgif ms/f", 12),
    ("baseline ms/f", 13),
    ("speed-up", 8),
    ("encode ms/f", 11),
    ("render+encode ms/f", 18),
    ("vs encode", 9),
    ("pillow ms/f", 11),
)


def summary(case: Case) -> dict[str, object]:
    med = {key: round(case.median_ms(key), 3) for key in case.samples}
    speedup = case.median_ms("baseline") / case.median_ms("convgif")
    vs_encode = case.median_ms("render+encode") / case.median_ms("encode")
    return {
        "config": case.name,
        "spec": repr(case.spec),
        "frames": len(case.steps),
        "size": [case.layout.width, case.layout.height],
        "median_ms": med,
        "samples_ms": {key: [round(1000 * v, 3) for v in values] for key, values in case.samples.items()},
        "speedup": round(speedup, 2),
        "render_encode_over_encode": round(vs_encode, 2),
        "render_encode_over_pillow": round(case.median_ms("render+encode") / case.median_ms("pillow"), 2),
        "target_speedup": TARGET_SPEEDUP,
        "target_vs_encode": TARGET_VS_ENCODE,
        "met_speedup": speedup >= TARGET_SPEEDUP,
        "met_vs_encode": vs_encode <= TARGET_VS_ENCODE,
    }


def row(result: dict[str, object]) -> list[str]:
    med = result["median_ms"]
    width, height = result["size"]
    return [
        str(result["config"]),
        str(result["frames"]),
        f"{width}x{height}",
        f"{med['construct']:.1f}",
        f"{med['convgif']:.2f}",
        f"{med['baseline']:.1f}",
        f"{result['speedup']:.1f}x",
        f"{med['encode']:.2f}",
        f"{med['render+encode']:.2f}",
        f"{result['render_encode_over_encode']:.2f}x",
        f"{med['pillow']:.2f}",
    ]


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def target_lines(result: dict[str, object]) -> list[str]:
    """The two target lines of one configuration."""
    config = result["config"]
    return [
        f"speed-up over per-frame rebuild, {config}: {result['speedup']:.1f}x "
        f"(target >= {TARGET_SPEEDUP:g}x): {verdict(bool(result['met_speedup']))}",
        f"render+encode / encode alone, {config}: {result['render_encode_over_encode']:.2f}x "
        f"(target <= {TARGET_VS_ENCODE:g}x): {verdict(bool(result['met_vs_encode']))}",
    ]


def print_table(results: list[dict[str, object]]) -> None:
    cells = [[name for name, _ in COLUMNS]] + [row(r) for r in results]
    widths = [width for _, width in COLUMNS]
    for i, line in enumerate(cells):
        first, *rest = line
        print("  ".join([first.ljust(widths[0])] + [cell.rjust(w) for cell, w in zip(rest, widths[1:])]))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def environment() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "matplotlib": matplotlib.__version__,
        "pillow": PIL.__version__,
        "cpus": str(os.cpu_count()),
        "machine": platform.machine(),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    def json_option(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--json", type=Path, metavar="PATH", help="also save the results as JSON here")

    return common.parse_args(__doc__, argv, DEFAULT_REPEATS, QUICK_REPEATS, more=json_option)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    env = environment()
    print(", ".join(f"{k} {v}" for k, v in env.items()) + f"; median of {args.repeats} repeats")
    cases = [prepare(spec) for spec in CONFIGS]
    with tempfile.TemporaryDirectory(prefix="convgif-bench-") as folder:
        run(cases, args.repeats, Path(folder))
    results = [summary(case) for case in cases]
    print()
    print_table(results)
    print()
    print("construct: Renderer(...) once per render; convgif/baseline: drawing one frame;")
    print("encode: GifWriter alone on convgif's frames; vs encode: render+encode / encode;")
    print("pillow: Pillow's Image.save(save_all=True) on the same frames, for reference.")
    print(f"total {time.perf_counter() - started:.1f} s")
    print()
    for result in results:
        print("\n".join(target_lines(result)))
    total = time.perf_counter() - started
    if args.json is not None:
        report = {"environment": env, "repeats": args.repeats, "seconds": round(total, 1), "results": results}
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if all(result["met_speedup"] and result["met_vs_encode"] for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
