"""What each argument costs in time: sweeps of Conv2d forward passes, timed and plotted.

A sweep varies one or two arguments around a base layer. Every configuration is timed on
PyTorch when it is importable (CPU, or CUDA where asked and present), otherwise on NumPy
(a strided window view and one tensor product, the im2col way); its parameters are counted by
the spec. Results go to CSV, JSON and the reference article's two-panel figure: parameters
above, time below, one line per value of the second swept argument.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np

from .ops.conv import Conv2dSpec
from .spec import SpecError

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


def parse_sweep(text: str) -> Sweep:
    """``out=1,2,4`` or ``k=1,3x1,3``."""
    name, _, values = text.partition("=")
    name = name.strip().lower()
    if name not in ARGUMENTS or not values.strip():
        raise SpecError("sweep", f"sweep={text!r} must be NAME=V1,V2,... with NAME one of {', '.join(ARGUMENTS)}")
    parsed = []
    for value in values.split(","):
        try:
            numbers = tuple(int(v) for v in value.strip().lower().split("x"))
        except ValueError:
            raise SpecError("sweep", f"sweep={text!r}: {value!r} is not a number or a pair like 3x1") from None
        if len(numbers) not in (1, 2) or (name in ("in", "out", "g") and len(numbers) != 1):
            raise SpecError("sweep", f"sweep={text!r}: {value!r} must be one number" + ("" if name in ("in", "out", "g") else " or a pair like 3x1"))
        parsed.append(numbers[0] if len(numbers) == 1 else numbers)
    same = [(v, v) if isinstance(v, int) and name not in ("in", "out", "g") else v for v in parsed]  # 3 is 3x3
    if len(set(same)) != len(same):
        raise SpecError("sweep", f"sweep={text!r} repeats a value: each value is one point of the figure")
    return Sweep(name, tuple(parsed))


def configure(base: Conv2dSpec, values: dict[str, Any]) -> Conv2dSpec:
    """``base`` with swept arguments changed (SpecError if PyTorch would refuse the result)."""
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name == "in":
            changes["input_shape"] = (value, *base.input_shape[1:])
        else:
            key = {"out": "out_channels", "k": "kernel_size", "s": "stride", "p": "padding", "d": "dilation", "g": "groups"}[name]
            changes[key] = value
    return base.replace(**changes)


# -- backends -----------------------------------------------------------------------------


def backend_name(device: str = "cpu") -> str:
    """``torch-cpu``/``torch-cuda`` when PyTorch is importable, else ``numpy``."""
    try:
        import torch
    except ImportError:
        if device != "cpu":
            raise SpecError("device", f"device={device!r} needs PyTorch, which is not installed") from None
        return "numpy"
    if device == "cuda" and not torch.cuda.is_available():
        raise SpecError("device", "device='cuda' but PyTorch sees no CUDA device here")
    return f"torch-{device}"


def forward(spec: Conv2dSpec, backend: str, seed: int = 0) -> Callable[[], Any]:
    """A function running one forward pass of ``spec`` on a random float32 input (batch of 1)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, *spec.input_shape), dtype=np.float32)
    if backend == "numpy":
        from .engine import convolve, pad_input

        w = rng.standard_normal((spec.out_channels, spec.in_per_group, *spec.kernel_size), dtype=np.float32)
        b = rng.standard_normal(spec.out_channels, dtype=np.float32) if spec.bias else None
        return lambda: convolve(spec, pad_input(spec, x[0]), w, b)
    import torch

    device = backend.split("-", 1)[1]
    layer = torch.nn.Conv2d(
        spec.in_channels, spec.out_channels, spec.kernel_size, spec.stride, spec.padding_arg,
        spec.dilation, spec.groups, spec.bias, spec.padding_mode,
    ).to(device)
    tensor = torch.from_numpy(x).to(device)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    def run() -> Any:
        with torch.no_grad():
            out = layer(tensor)
        sync()
        return out

    return run


# -- timing -------------------------------------------------------------------------------


@dataclass
class Measurement:
    """One configuration's figures; times in milliseconds."""

    values: dict[str, Any]
    output_shape: Optional[list[int]] = None
    parameters: Optional[int] = None
    macs: Optional[int] = None
    repeats: int = 0
    median_ms: Optional[float] = None
    q1_ms: Optional[float] = None
    q3_ms: Optional[float] = None
    error: Optional[str] = None
    times_ms: list[float] = field(default_factory=list, repr=False)


def time_call(run: Callable[[], Any], budget_s: float, min_repeats: int = 3, max_repeats: int = 200) -> list[float]:
    """Warm up, then time ``run`` as many times as fit ``budget_s`` (within the bounds)."""
    started = time.perf_counter()
    run()  # warm-up: first-call costs (allocation, kernel choice) are not the layer's
    first = time.perf_counter() - started
    repeats = int(min(max(budget_s / max(first, 1e-6), min_repeats), max_repeats))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return times


def run_sweeps(
    base: Conv2dSpec,
    sweeps: Sequence[Sweep],
    backend: str,
    time_budget: float,
    progress: Optional[Callable[[int, int], None]] = None,
) -> list[Measurement]:
    """Measure every combination of the swept values (the first sweep varies fastest)."""
    names = [s.name for s in sweeps]
    combos = [dict(zip(names, c[::-1])) for c in itertools.product(*(s.values for s in reversed(sweeps)))]
    results = []
    for i, values in enumerate(combos):
        result = Measurement(values)
        try:
            spec = configure(base, values)
        except SpecError as error:
            result.error = str(error)
        else:
            result.output_shape = list(spec.output_shape)
            result.parameters, result.macs = spec.num_parameters, spec.macs
            times = time_call(forward(spec, backend), time_budget / len(combos))
            quartiles = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
            result.repeats, result.times_ms = len(times), times
            result.median_ms, result.q1_ms, result.q3_ms = statistics.median(times), quartiles[0], quartiles[2]
        results.append(result)
        if progress is not None:
            progress(i + 1, len(combos))
    return results


# -- output -------------------------------------------------------------------------------


def _show(value: Any) -> str:
    return "x".join(map(str, value)) if isinstance(value, tuple) else str(value)


def write_csv(path: Path, results: Sequence[Measurement], sweeps: Sequence[Sweep], backend: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["backend", *(s.name for s in sweeps), "output_shape", "parameters", "macs", "repeats", "median_ms", "q1_ms", "q3_ms", "error"])
        for r in results:
            shape = "x".join(map(str, r.output_shape)) if r.output_shape else ""
            times = [f"{t:.4f}" if t is not None else "" for t in (r.median_ms, r.q1_ms, r.q3_ms)]
            out.writerow([backend, *(_show(r.values[s.name]) for s in sweeps), shape, r.parameters or "", r.macs or "", r.repeats, *times, r.error or ""])


def write_json(path: Path, results: Sequence[Measurement], sweeps: Sequence[Sweep], base: Conv2dSpec, backend: str) -> None:
    data = {
        "backend": backend,
        "base": {"caption": base.caption, "input_shape": list(base.input_shape)},
        "sweeps": [{"name": s.name, "label": s.label, "values": [_show(v) for v in s.values]} for s in sweeps],
        "results": [
            {**{k: v for k, v in asdict(r).items() if k != "times_ms"}, "values": {k: _show(v) for k, v in r.values.items()}}
            for r in results
        ],
    }
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")


def plot(path: Path, results: Sequence[Measurement], sweeps: Sequence[Sweep], base: Conv2dSpec, backend: str, title: str = "") -> None:
    """The two-panel figure: parameters above, time below, against the first swept argument."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    first, second = sweeps[0], (sweeps[1] if len(sweeps) > 1 else None)
    numeric = all(isinstance(v, int) for v in first.values)  # else pairs: evenly spaced
    positions = {v: (v if numeric else i) for i, v in enumerate(first.values)}
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6.4), sharex=True, dpi=100)
    try:
        _draw(figure, top, bottom, results, first, second, positions, base, backend, title, path)
    finally:
        plt.close(figure)


def _draw(figure, top, bottom, results, first, second, positions, base, backend, title, path) -> None:
    groups = second.values if second else (None,)
    for value in groups:
        rows = [r for r in results if (second is None or r.values[second.name] == value) and r.error is None]
        xs = [positions[r.values[first.name]] for r in rows]
        label = f"{second.label} {_show(value)}" if second else None
        top.plot(xs, [r.parameters for r in rows], marker="o", label=label)
        bottom.plot(xs, [r.median_ms for r in rows], marker="o", label=label)
        bottom.fill_between(xs, [r.q1_ms for r in rows], [r.q3_ms for r in rows], alpha=0.2)
    top.set_ylabel("trainable parameters")
    bottom.set_ylabel("forward pass, ms (median, quartiles)")
    bottom.set_xlabel(first.label)
    bottom.set_xticks(list(positions.values()), [_show(v) for v in first.values])
    for axes in (top, bottom):
        axes.grid(True, alpha=0.3)
        if second:
            axes.legend(fontsize=8)
    figure.suptitle(title or f"{first.label}{' × ' + second.label if second else ''}", fontsize=11)
    figure.text(0.5, 0.005, f"base layer: {base.caption}  ·  backend: {backend}", ha="center", va="bottom", fontsize=6.5)
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    figure.savefig(path, metadata={"Software": None} if str(path).endswith(".png") else None)


# -- the reference article's seven figures ---------------------------------------------------

#: name -> (base layer, first sweep, second sweep): channels, kernel size, stride, padding,
#: dilation and groups, each against kernel size (or in channels, for kernel size itself).
ARTICLE = {
    "in_channels": (Conv2dSpec((1, 64, 64), 16, 3), "in=1,2,4,8,16,32,64", "k=1,3,5"),
    "out_channels": (Conv2dSpec((16, 64, 64), 1, 3), "out=1,2,4,8,16,32,64", "k=1,3,5"),
    "kernel_size": (Conv2dSpec((8, 64, 64), 16, 1), "k=1,3,5,7,9", "in=4,8,16"),
    "stride": (Conv2dSpec((16, 64, 64), 16, 3), "s=1,2,3,4,5,6", "k=1,3,5"),
    "padding": (Conv2dSpec((16, 64, 64), 16, 3), "p=0,1,2,4,8,16", "k=1,3,5"),
    "dilation": (Conv2dSpec((16, 64, 64), 16, 3), "d=1,2,3,4,5,6", "k=1,3,5"),
    "groups": (Conv2dSpec((32, 64, 64), 32, 3), "g=1,2,4,8,16,32", "k=1,3,5"),
}


def output_paths(prefix: Path, image_format: str) -> tuple[Path, Path, Path]:
    return prefix.with_suffix(f".{image_format}"), prefix.with_suffix(".csv"), prefix.with_suffix(".json")


def bench(
    base: Conv2dSpec,
    sweeps: Sequence[Sweep],
    prefix: Path,
    device: str = "cpu",
    time_budget: float = 20.0,
    image_format: str = "png",
    title: str = "",
    progress: Optional[Callable[[int, int], None]] = None,
) -> tuple[list[Measurement], str]:
    """Run the sweeps and write ``prefix``.png (or .svg), .csv and .json; return the results."""
    if not 1 <= len(sweeps) <= 2:
        raise SpecError("sweep", f"bench sweeps one or two arguments, not {len(sweeps)}")
    if len({s.name for s in sweeps}) != len(sweeps):
        raise SpecError("sweep", "the two sweeps must vary different arguments")
    if not time_budget > 0:
        raise SpecError("time_budget", f"time_budget={time_budget:g} must be above 0 seconds")
    backend = backend_name(device)
    results = run_sweeps(base, sweeps, backend, time_budget, progress)
    if all(r.error for r in results):
        raise SpecError("sweep", f"every configuration was refused, e.g. {results[0].error}")
    image, table, data = output_paths(prefix, image_format)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    write_csv(table, results, sweeps, backend)
    write_json(data, results, sweeps, base, backend)
    plot(image, results, sweeps, base, backend, title)
    return results, backend


def configurations(sweeps: Sequence[Sweep]) -> int:
    return math.prod(len(s.values) for s in sweeps)
