"""What each argument costs in time: sweeps of Conv2d forward passes, timed and plotted.

A sweep varies one or two arguments around a base layer. Every configuration is timed on
PyTorch when it is importable (CPU, or CUDA where asked and present), otherwise on NumPy
(a strided window view and one tensor product, the im2col way); its parameters are counted by
the spec. Results go to CSV, JSON and the reference article's two-panel figure: parameters
above, time below, one line per value of the second swept argument.

The figures are meant to hold their order on a small, busy machine: the configurations are timed
together, interleaved round after round in a shuffled order, on one thread; each is summed up by
its median and interquartile range; and two neighbouring points whose ranges overlap are marked
as within the noise (in the CSV, the JSON and on the figure) rather than ranked.
"""

from __future__ import annotations

import gc
import io
import itertools
import math
import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SpecError
from ..files.atomic import destination, write_together
from ..ops.conv import Conv2dSpec
from .bench_results import ARGUMENTS, Measurement, Sweep, csv_text, json_text, plot, value_text


def parse_sweep(text: str) -> Sweep:
    """``out=1,2,4`` or ``k=1,3x1,3``."""
    name, _, values = text.partition("=")
    name = name.strip().lower()
    if name not in ARGUMENTS or not values.strip():
        raise SpecError("sweeps", f"sweep={text!r} must be NAME=V1,V2,... with NAME one of {', '.join(ARGUMENTS)}")
    parsed = []
    for value in values.split(","):
        try:
            numbers = tuple(int(v) for v in value.strip().lower().split("x"))
        except ValueError:
            raise SpecError("sweeps", f"sweep={text!r}: {value!r} is not a number or a pair like 3x1") from None
        if len(numbers) not in (1, 2) or (name in ("in", "out", "g") and len(numbers) != 1):
            raise SpecError(
                "sweeps",
                f"sweep={text!r}: {value!r} must be one number"
                + ("" if name in ("in", "out", "g") else " or a pair like 3x1"),
            )
        parsed.append(numbers[0] if len(numbers) == 1 else numbers)
    same = [(v, v) if isinstance(v, int) and name not in ("in", "out", "g") else v for v in parsed]  # 3 is 3x3
    if len(set(same)) != len(same):
        raise SpecError("sweeps", f"sweep={text!r} repeats a value: each value is one point of the figure")
    return Sweep(name, tuple(parsed))


def configure(base: Conv2dSpec, values: dict[str, Any]) -> Conv2dSpec:
    """``base`` with swept arguments changed (SpecError if PyTorch would refuse the result)."""
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name == "in":
            changes["input_shape"] = (value, *base.input_shape[1:])
        else:
            key = {
                "out": "out_channels",
                "k": "kernel_size",
                "s": "stride",
                "p": "padding",
                "d": "dilation",
                "g": "groups",
            }[name]
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
        from ..engine.direct import convolve, pad_input

        w = rng.standard_normal((spec.out_channels, spec.in_per_group, *spec.kernel_size), dtype=np.float32)
        b = rng.standard_normal(spec.out_channels, dtype=np.float32) if spec.bias else None
        return lambda: convolve(spec, pad_input(spec, x[0]), w, b)
    import torch

    device = backend.split("-", 1)[1]
    layer = torch.nn.Conv2d(
        spec.in_channels,
        spec.out_channels,
        spec.kernel_size,
        spec.stride,
        spec.padding_arg,
        spec.dilation,
        spec.groups,
        spec.bias,
        spec.padding_mode,
    ).to(device)
    tensor = torch.from_numpy(x).to(device)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    def run() -> Any:
        with torch.no_grad():
            out = layer(tensor)
        sync()
        return out

    return run


# -- what a sweep costs, checked before any timing -------------------------------------------

#: The most memory the timed configurations may take together: each one's input and weight
#: (held through the rounds) and the largest output with its unfolded input (im2col), counted
#: as float64 (NumPy's path; PyTorch's float32 takes half). Far more than the teaching figures
#: need (the article's take a few megabytes), and little enough for a shared machine.
MAX_BENCH_BYTES = 1 << 30
#: Multiply-accumulates a second that the estimate of a run's length assumes: a conservative
#: figure for one thread of a laptop or a shared CI machine.
MACS_PER_SECOND = 5e8
#: Calls of each configuration a sweep makes at the least: one untimed, then three rounds.
MIN_CALLS = 4
#: The longest a sweep may take at the least (every configuration called MIN_CALLS times):
#: past that it is refused rather than left to run for hours.
MAX_BENCH_SECONDS = 600.0
#: The most configurations one figure times.
MAX_CONFIGURATIONS = 400


def memory_bytes(spec: Conv2dSpec) -> tuple[int, int]:
    """Bytes a configuration holds through the rounds (input, weight) and while it runs (its
    output and the unfolded input of the im2col way), as float64."""
    kernel = math.prod(spec.kernel_size)
    held = math.prod(spec.input_shape) + spec.out_channels * spec.in_per_group * kernel
    output = math.prod(spec.output_shape)
    unfolded = spec.in_channels * kernel * math.prod(spec.output_shape[1:])
    return 8 * held, 8 * (output + unfolded)


def estimate(base: Conv2dSpec, sweeps: Sequence[Sweep], time_budget: float) -> float:
    """Seconds a sweep should take (the time budget, or the least its configurations need),
    once its memory and length are known to be within bounds; :class:`SpecError` naming the
    argument otherwise: the layer's own (``input_shape``, ...) when the base layer alone is too
    large, else ``sweeps``."""
    count = configurations(sweeps)
    if count > MAX_CONFIGURATIONS:
        raise SpecError(
            "sweeps", f"the sweeps make {count:,} configurations, over the {MAX_CONFIGURATIONS} one figure times"
        )
    _check_one(base, "input_shape", "the base layer")
    names = [s.name for s in sweeps]
    held = running = 0
    macs = 0
    for combo in itertools.product(*(s.values for s in sweeps)):
        values = dict(zip(names, combo))
        try:
            spec = configure(base, values)
        except SpecError:
            continue  # refused by PyTorch's rules: listed as such, not timed
        where = ", ".join(f"{k}={value_text(v)}" for k, v in values.items())
        _check_one(spec, "sweeps", where)
        keep, run = memory_bytes(spec)
        held, running, macs = held + keep, max(running, run), macs + spec.macs
    if held + running > MAX_BENCH_BYTES:
        raise SpecError(
            "sweeps",
            f"the configurations together need about {_gib(held + running)} of memory, over the "
            f"{_gib(MAX_BENCH_BYTES)} bench uses: sweep fewer or smaller values",
        )
    least = MIN_CALLS * macs / MACS_PER_SECOND
    if least > MAX_BENCH_SECONDS:
        raise SpecError(
            "sweeps",
            f"the configurations would take about {least:,.0f} s at the least ({MIN_CALLS} calls each), over the "
            f"{MAX_BENCH_SECONDS:,.0f} s bench allows: sweep fewer or smaller values",
        )
    return max(time_budget, least)


def _check_one(spec: Conv2dSpec, argument: str, where: str) -> None:
    keep, run = memory_bytes(spec)
    if keep + run > MAX_BENCH_BYTES:
        raise SpecError(
            argument,
            f"{where} needs about {_gib(keep + run)} of memory to time ({spec.caption}), over the "
            f"{_gib(MAX_BENCH_BYTES)} bench uses",
        )
    if MIN_CALLS * spec.macs / MACS_PER_SECOND > MAX_BENCH_SECONDS:
        raise SpecError(
            argument,
            f"{where} does {spec.macs:,} multiply-accumulates a call: timing it would take over "
            f"{MAX_BENCH_SECONDS:,.0f} s",
        )


def _gib(size: int) -> str:
    return f"{size / (1 << 30):,.1f} GiB"


# -- timing -------------------------------------------------------------------------------

#: Compute threads the timing runs on. One, as ``torch.utils.benchmark`` does by default: with more,
#: a small layer's time is mostly spent waking threads, and on a busy machine a thread waiting for a
#: core adds whole scheduler ticks (NumPy's OpenBLAS on 2 busy cores: about 1 ms or 16 ms for the same layer).
THREADS = 1


def _blas_threads() -> tuple[Callable[[], int], Callable[[int], None]] | None:
    """Get and set the thread count of the OpenBLAS that NumPy's wheels load, if it can be found."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return None
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line})
    except OSError:
        return None
    for path in paths:
        try:
            library = ctypes.CDLL(path)  # already loaded: the same library NumPy calls
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("openblas", "64_"), ("openblas", "")):
            get = getattr(library, f"{prefix}_get_num_threads{suffix}", None)
            put = getattr(library, f"{prefix}_set_num_threads{suffix}", None)
            if get is not None and put is not None:
                get.restype, put.argtypes = ctypes.c_int, [ctypes.c_int]
                return get, put
    return None


@contextmanager
def compute_threads(backend: str, count: int = THREADS) -> Iterator[int | None]:
    """Run the block with ``count`` compute threads; yields ``count``, or None when the backend's
    thread count cannot be set here (NumPy with a BLAS other than OpenBLAS, or not on Linux)."""
    if backend.startswith("torch"):
        import torch

        before = torch.get_num_threads()
        torch.set_num_threads(count)
        try:
            yield count
        finally:
            torch.set_num_threads(before)
        return
    blas = _blas_threads()
    if blas is None:
        yield None
        return
    get, put = blas
    before = get()
    put(count)
    try:
        yield count
    finally:
        put(before)


def time_interleaved(
    runs: Sequence[Callable[[], Any]],
    budget_s: float,
    min_repeats: int = 3,
    max_repeats: int = 200,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> list[list[float]]:
    """Time every run once per round, in rounds, until ``budget_s`` is spent; milliseconds per run.

    Each run is called once first (untimed warm-up: allocation, kernel choice). Then each round
    calls every run once, in an order shuffled anew each round by a generator seeded with ``seed``,
    so a slow spell of the machine falls on all the runs alike rather than on the few timed during
    it, and no run always follows the same other. Rounds go on while the next one, as long as the
    last, fits the budget: at least ``min_repeats``, at most ``max_repeats``. ``progress`` gets
    (percent of the budget spent, 100), one percent at a time. ``clock`` gives seconds.
    """
    started = clock()
    for run in runs:
        run()
    order = list(range(len(runs)))
    shuffle = random.Random(seed).shuffle
    times: list[list[float]] = [[] for _ in runs]
    shown = 0
    collecting = gc.isenabled()
    gc.disable()  # as timeit: a collection would land on whichever run happened to be timed
    try:
        for rounds in range(1, max_repeats + 1):
            round_started = clock()
            shuffle(order)
            for i in order:
                start = clock()
                runs[i]()
                times[i].append((clock() - start) * 1000)
            now = clock()
            spent = (now - started) / budget_s
            while progress is not None and shown < min(int(100 * spent), 99):
                shown += 1
                progress(shown, 100)
            if rounds >= min_repeats and now - started + (now - round_started) > budget_s:
                break
    finally:
        if collecting:
            gc.enable()
    while progress is not None and shown < 100:
        shown += 1
        progress(shown, 100)
    return times


def time_call(run: Callable[[], Any], budget_s: float, min_repeats: int = 3, max_repeats: int = 200) -> list[float]:
    """Warm up, then time ``run`` as many times as fit ``budget_s`` (within the bounds)."""
    return time_interleaved([run], budget_s, min_repeats, max_repeats)[0]


def quartiles(samples: Sequence[float]) -> tuple[float, float, float]:
    """First quartile, median and third quartile of ``samples`` (linear interpolation between the
    sorted samples, as ``numpy.percentile``: always within the samples' range)."""
    q1, median, q3 = np.percentile(np.asarray(samples, dtype=float), [25, 50, 75])
    return float(q1), float(median), float(q3)


def within_noise(a: Measurement, b: Measurement) -> bool:
    """Whether the interquartile ranges of two timed configurations overlap."""
    return a.q1_ms <= b.q3_ms and b.q1_ms <= a.q3_ms


def mark_noise(results: Sequence[Measurement], sweeps: Sequence[Sweep]) -> None:
    """Set every timed result's ``within_noise_prev`` and ``within_noise_prev_line``."""
    first, second = sweeps[0], (sweeps[1] if len(sweeps) > 1 else None)
    timed = {tuple(r.values[s.name] for s in sweeps): r for r in results if r.median_ms is not None}
    lines = second.values if second else (None,)
    for line, value in enumerate(lines):
        previous = None
        for x in first.values:
            key = (x, value) if second else (x,)
            if key not in timed:
                continue
            result = timed[key]
            result.within_noise_prev = None if previous is None else within_noise(previous, result)
            previous = result
            if line > 0:
                below = timed.get((x, lines[line - 1]))
                result.within_noise_prev_line = None if below is None else within_noise(below, result)


def run_sweeps(
    base: Conv2dSpec,
    sweeps: Sequence[Sweep],
    backend: str,
    time_budget: float,
    progress: Callable[[int, int], None] | None = None,
    seed: int = 0,
    threads: int = THREADS,
) -> list[Measurement]:
    """Measure every combination of the swept values (the first sweep varies fastest).

    All the configurations are timed together, round after round (see :func:`time_interleaved`),
    on ``threads`` compute threads; each gets its median, quartiles and within-noise marks.
    """
    names = [s.name for s in sweeps]
    combos = [dict(zip(names, c[::-1])) for c in itertools.product(*(s.values for s in reversed(sweeps)))]
    results = [Measurement(values) for values in combos]
    timed, runs = [], []
    for result in results:
        try:
            spec = configure(base, result.values)
        except SpecError as error:
            result.error = str(error)
            continue
        result.output_shape = list(spec.output_shape)
        result.parameters, result.macs = spec.num_parameters, spec.macs
        timed.append(result)
        runs.append(forward(spec, backend, seed))
    if runs:
        with compute_threads(backend, threads) as count:
            samples = time_interleaved(runs, time_budget, seed=seed, progress=progress)
        for result, times in zip(timed, samples):
            result.repeats, result.times_ms, result.threads = len(times), times, count
            result.q1_ms, result.median_ms, result.q3_ms = quartiles(times)
        mark_noise(results, sweeps)
    elif progress is not None:
        progress(1, 1)
    return results


# -- output -------------------------------------------------------------------------------


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


def check_prefix(prefix: Any) -> None:
    """Refuse an output prefix that names a folder or a special file (``/dev/null`` would put
    ``null.png`` into ``/dev``), as :class:`SpecError` for ``output``."""
    text = os.fspath(prefix)
    if not text or text.endswith(("/", os.sep)) or os.path.isdir(text):
        raise SpecError("output", f"output={text!r} names a folder: give a prefix, e.g. {os.path.join(text, 'bench')}")
    if os.path.exists(text) and not os.path.isfile(text):
        raise SpecError(
            "output", f"output={text!r} is not a file name but a device or a pipe: give a prefix such as bench_out"
        )


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
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Measurement], str]:
    """Run the sweeps and write ``prefix``.png (or .svg), .csv and .json; return the results."""
    if not 1 <= len(sweeps) <= 2:
        raise SpecError("sweeps", f"bench sweeps one or two arguments, not {len(sweeps)}")
    if len({s.name for s in sweeps}) != len(sweeps):
        raise SpecError("sweeps", "the two sweeps must vary different arguments")
    if not time_budget > 0:
        raise SpecError("time_budget", f"time_budget={time_budget:g} must be above 0 seconds")
    estimate(base, sweeps, time_budget)
    check_prefix(prefix)
    image, table, data = output_paths(prefix, image_format)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    for path in (image, table, data):  # before any timing: a file that cannot be written is refused
        destination(path)
    backend = backend_name(device)
    results = run_sweeps(base, sweeps, backend, time_budget, progress)
    if all(r.error for r in results):
        raise SpecError("sweeps", f"every configuration was refused, e.g. {results[0].error}")
    figure = io.BytesIO()
    plot(figure, results, sweeps, base, backend, title, image_format)
    texts = (csv_text(results, sweeps, backend).encode(), json_text(results, sweeps, base, backend).encode())
    write_together(list(zip((image, table, data), (figure.getvalue(), *texts))))
    return results, backend


def configurations(sweeps: Sequence[Sweep]) -> int:
    return math.prod(len(s.values) for s in sweeps)
