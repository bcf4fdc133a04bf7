"""A bench's sweeps and measurements, and how they are written: the CSV, the JSON and the
reference article's two-panel figure (parameters above, time below, one line per value of the
second swept argument, points within the noise of their neighbours marked)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np

from ..files.atomic import write_text
from ..ops.conv import Conv2dSpec

#: Swept argument names (the CLI's short names) and what they change.
ARGUMENTS = {
    "in": "in channels",
    "out": "out channels",
    "k": "kernel size",
    "s": "stride",
    "p": "padding",
    "d": "dilation",
    "g": "groups",
}


@dataclass(frozen=True)
class Sweep:
    """One swept argument and its values (ints, or (h, w) pairs written ``3x1``)."""

    name: str
    values: tuple[Any, ...]

    @property
    def label(self) -> str:
        return ARGUMENTS[self.name]


@dataclass
class Measurement:
    """One configuration's figures; times in milliseconds.

    ``median_ms`` is the median of the configuration's samples and ``q1_ms``..``q3_ms`` their
    interquartile range. ``within_noise_prev`` says whether that range overlaps the one of the
    previous point on the same line of the figure (the previous timed value of the first swept
    argument), ``within_noise_prev_line`` the same for the same point of the previous line (the
    previous value of the second swept argument); None where there is no such point.
    """

    values: dict[str, Any]
    output_shape: list[int] | None = None
    parameters: int | None = None
    macs: int | None = None
    repeats: int = 0
    median_ms: float | None = None
    q1_ms: float | None = None
    q3_ms: float | None = None
    within_noise_prev: bool | None = None
    within_noise_prev_line: bool | None = None
    threads: int | None = None
    error: str | None = None
    times_ms: list[float] = field(default_factory=list, repr=False)


#: How the figures are made, written into the JSON and, briefly, under the figure.
METHOD = {
    "timing": "each configuration is called once untimed, then all are timed in rounds, each once a round "
    "in an order shuffled anew each round (fixed seed), until the time budget is spent (3 to 200 rounds)",
    "statistic": "median of a configuration's samples; spread: its interquartile range, q1_ms to q3_ms",
    "within_noise": "the interquartile ranges of two neighbouring points overlap: the difference between them "
    "is within the noise, and the figure draws them joined by a dotted line instead of ranking them",
}


def value_text(value: Any) -> str:
    return "x".join(map(str, value)) if isinstance(value, tuple) else str(value)


def _yes_no(flag: bool | None) -> str:
    return "" if flag is None else ("yes" if flag else "no")


def write_csv(path: Path, results: Sequence[Measurement], sweeps: Sequence[Sweep], backend: str) -> None:
    """Write the table of :func:`csv_text` to ``path``, atomically."""
    write_text(path, csv_text(results, sweeps, backend), follow=True)


def csv_text(results: Sequence[Measurement], sweeps: Sequence[Sweep], backend: str) -> str:
    """The results as CSV: one row per configuration."""
    handle = io.StringIO(newline="")
    out = csv.writer(handle)
    out.writerow(
        [
            "backend",
            *(s.name for s in sweeps),
            "output_shape",
            "parameters",
            "macs",
            "repeats",
            "median_ms",
            "q1_ms",
            "q3_ms",
            "within_noise_prev",
            "within_noise_prev_line",
            "threads",
            "error",
        ]
    )
    for r in results:
        shape = "x".join(map(str, r.output_shape)) if r.output_shape else ""
        times = [f"{t:.4f}" if t is not None else "" for t in (r.median_ms, r.q1_ms, r.q3_ms)]
        out.writerow(
            [
                backend,
                *(value_text(r.values[s.name]) for s in sweeps),
                shape,
                r.parameters or "",
                r.macs or "",
                r.repeats,
                *times,
                _yes_no(r.within_noise_prev),
                _yes_no(r.within_noise_prev_line),
                "" if r.threads is None else r.threads,
                r.error or "",
            ]
        )
    return handle.getvalue()


def write_json(
    path: Path, results: Sequence[Measurement], sweeps: Sequence[Sweep], base: Conv2dSpec, backend: str
) -> None:
    """Write the figures of :func:`json_text` to ``path``, atomically."""
    write_text(path, json_text(results, sweeps, base, backend), follow=True)


def json_text(results: Sequence[Measurement], sweeps: Sequence[Sweep], base: Conv2dSpec, backend: str) -> str:
    """The results, the method and the base layer as JSON."""
    data = {
        "backend": backend,
        "method": METHOD,
        "base": {"caption": base.caption, "input_shape": list(base.input_shape)},
        "sweeps": [{"name": s.name, "label": s.label, "values": [value_text(v) for v in s.values]} for s in sweeps],
        "results": [
            {
                **{k: v for k, v in asdict(r).items() if k != "times_ms"},
                "values": {k: value_text(v) for k, v in r.values.items()},
            }
            for r in results
        ],
    }
    return json.dumps(data, indent=1, ensure_ascii=False)


def plot(
    path: Any,
    results: Sequence[Measurement],
    sweeps: Sequence[Sweep],
    base: Conv2dSpec,
    backend: str,
    title: str = "",
    image_format: Optional[str] = None,
) -> None:
    """The two-panel figure: parameters above, time below, against the first swept argument.

    Time is drawn as medians with their interquartile ranges (bars and a band); neighbouring
    points whose ranges overlap are joined by a dotted line (along a line) or a dotted ``≈``
    (between lines), the others by solid lines.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    first, second = sweeps[0], (sweeps[1] if len(sweeps) > 1 else None)
    numeric = all(isinstance(v, int) for v in first.values)  # else pairs: evenly spaced
    positions = {v: (v if numeric else i) for i, v in enumerate(first.values)}
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6.4), sharex=True, dpi=100)
    try:
        _draw(figure, top, bottom, results, first, second, positions, base, backend, title, path, image_format)
    finally:
        plt.close(figure)


def _draw(figure, top, bottom, results, first, second, positions, base, backend, title, path, image_format) -> None:
    from matplotlib.lines import Line2D

    groups = second.values if second else (None,)
    timed = {}
    for i, value in enumerate(groups):
        rows = [r for r in results if (second is None or r.values[second.name] == value) and r.error is None]
        xs = [positions[r.values[first.name]] for r in rows]
        timed.update({(r.values[first.name], i): r for r in rows})
        colour, label = f"C{i % 10}", (f"{second.label} {value_text(value)}" if second else None)
        top.plot(xs, [r.parameters for r in rows], marker="o", color=colour, label=label)
        medians = np.array([r.median_ms for r in rows], dtype=float)
        low, high = np.array([r.q1_ms for r in rows], dtype=float), np.array([r.q3_ms for r in rows], dtype=float)
        bottom.fill_between(xs, low, high, color=colour, alpha=0.15, linewidth=0)
        bottom.errorbar(
            xs, medians, yerr=[medians - low, high - medians], fmt="o", markersize=4, capsize=3, color=colour
        )
        for a, b, x0, x1 in zip(rows, rows[1:], xs, xs[1:]):
            noise = bool(b.within_noise_prev)
            bottom.plot(
                [x0, x1],
                [a.median_ms, b.median_ms],
                color=colour,
                linestyle=":" if noise else "-",
                linewidth=1.1 if noise else 1.6,
            )
    for (x, i), r in timed.items():
        below = timed.get((x, i - 1))
        if r.within_noise_prev_line and below is not None:
            where = positions[x]
            bottom.plot([where, where], [below.median_ms, r.median_ms], color="0.3", linestyle=":", linewidth=1.1)
            bottom.annotate(
                "≈",
                (where, (below.median_ms + r.median_ms) / 2),
                xytext=(3, 0),
                textcoords="offset points",
                fontsize=8,
                color="0.3",
                va="center",
            )
    top.set_ylabel("trainable parameters")
    bottom.set_ylabel("forward pass, ms (median, quartiles)")
    bottom.set_xlabel(first.label)
    bottom.set_xticks(list(positions.values()), [value_text(v) for v in first.values])
    for axes in (top, bottom):
        axes.grid(True, alpha=0.3)
    if second:
        top.legend(fontsize=8)
    bottom.legend(
        [Line2D([], [], color="0.3", linestyle="-"), Line2D([], [], color="0.3", linestyle=":")],
        ["quartile ranges apart: ranked", "ranges overlap (≈): within noise"],
        fontsize=7,
    )
    rounds = max((r.repeats for r in results), default=0)
    counts = {r.threads for r in results if r.error is None}
    count = counts.pop() if len(counts) == 1 else None
    on = f"{count} thread{'' if count == 1 else 's'}" if count else "the library's own threads"
    figure.suptitle(title or f"{first.label}{' × ' + second.label if second else ''}", fontsize=11)
    figure.text(
        0.5,
        0.005,
        f"base layer: {base.caption}\nbackend: {backend}, {on}  ·  median and quartiles of {rounds} "
        "interleaved rounds  ·  dotted: within noise, not ranked",
        ha="center",
        va="bottom",
        fontsize=6.5,
    )
    figure.tight_layout(rect=(0, 0.045, 1, 1))
    kind = image_format or Path(str(path)).suffix.lstrip(".") or "png"
    figure.savefig(path, format=kind, metadata={"Software": None} if kind == "png" else None)
