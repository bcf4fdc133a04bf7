"""Property-based tests of the command line over the whole argument space a user can type.

Hypothesis draws command lines (mostly small valid layers that render quickly, some with
zero, negative, huge or non-numeric values, unknown options and conflicting flags) and checks:

* rendering ends EITHER with exit status 0 and exactly one valid file (GIF, WebP, APNG or PNG,
  as the options ask, named as documented, with the frames, bytes, timing and width the
  summary and options promise, the same bytes when run again), OR with exit status 2, a
  message naming an option (for a layer too large to draw, one worth shrinking) and nothing
  written; never another status, never a traceback;
* where ``torch`` is importable, acceptance agrees with ``torch.nn.Conv2d``, ``Conv1d``,
  ``ConvTranspose2d`` (and a depthwise + pointwise pair for ``--separable``): whatever convgif
  renders, torch accepts with the same output shape and parameter count; whatever convgif
  refuses because of a layer argument, torch refuses too (outside the documented deviations:
  inputs with a size below 1, and drawing limits such as "too large to draw");
* ``convgif info`` (text and ``--json``) agrees with what a render does and draws;
* ``convgif bench`` with tiny sweeps writes its three files, or exits 2 with nothing written.

Runs are derandomized with fixed example budgets, so CI sees the same examples every time.
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
import shlex
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

import pytest
from budget import budget
from click.testing import CliRunner
from hypothesis import event, example, given
from hypothesis import strategies as st
from PIL import Image

from convgif.cli import main

try:
    import torch
except ImportError:  # the torch parity checks are skipped, the rest still runs
    torch = None


#: Fixed budgets: the whole file runs in well under a minute on two cores.
RENDER_EXAMPLES = 250
INFO_EXAMPLES = 150
BENCH_EXAMPLES = 20


# ---------------------------------------------------------------------------------------------
# A model of what the user typed: each option's text, and what it means as Python values.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Junk:
    """A value that is not what the option takes (not integers, a word, too many numbers)."""

    text: str


Value = Union[tuple[int, ...], str, Junk]  # integers as typed, 'same'/'valid', or junk

#: Non-numbers as users mistype them: every one of them fails ``int()``.
JUNK_NUMBERS = ["", "abc", "1.5", "3x3", "1,,2", "nan", "-", "x", "1;2", "3,", ",3", "two"]
#: Sizes torch and convgif must both take seriously: zero, negative, huge.
WEIRD_INTS = [0, -1, -2, -5, 9, 10**5 + 1, 2**31, 10**12, 10**30]


def chance(draw, percent: int) -> bool:
    """True ``percent`` times in a hundred. Hypothesis draws the ends of a range (and shrinks to
    0) more often than the rest, so both ends give the usual outcome: False."""
    return 0 < draw(st.integers(0, 99)) <= percent


def pick(draw, *weighted: tuple[int, Any]) -> Any:
    """One of ``(weight, value)`` pairs; the first is the usual one, drawn at both ends of the
    range (the values Hypothesis favours) and what shrinking reaches."""
    total = sum(w for w, _ in weighted)
    roll = (draw(st.integers(0, total - 1)) + weighted[0][0] // 2) % total
    for weight, value in weighted:
        if roll < weight:
            return value
        roll -= weight
    raise AssertionError("unreachable")


def ints_text(values: tuple[int, ...], spaced: bool = False) -> str:
    return (", " if spaced else ",").join(map(str, values))


@st.composite
def numbers(
    draw, valid: st.SearchStrategy, pair_percent: int = 30, weird: int = 3, junk: int = 2, triple: int = 1
) -> tuple[Value, str]:
    """An int-or-pair option: (value, text). Mostly ``valid`` ints, sometimes odd."""
    form = pick(draw, (100 - junk - triple, "ints"), (junk, "junk"), (triple, "triple"))
    if form == "junk":
        text = draw(st.sampled_from(JUNK_NUMBERS))
        return Junk(text), text
    if form == "triple":
        values = tuple(draw(st.lists(valid, min_size=3, max_size=3)))
        return values, ints_text(values)
    count = 2 if chance(draw, pair_percent) else 1
    values = []
    for _ in range(count):
        values.append(draw(st.sampled_from(WEIRD_INTS)) if chance(draw, weird) else draw(valid))
    values = tuple(values)
    return values, ints_text(values, spaced=chance(draw, 5))


@st.composite
def one_int(draw, valid: st.SearchStrategy, weird: int = 4, junk: int = 2) -> tuple[Value, str]:
    """A plain integer option (``--out``, ``--g``): a pair is junk there."""
    form = pick(draw, (100 - junk - weird, "valid"), (junk, "junk"), (weird, "weird"))
    if form == "junk":
        text = draw(st.sampled_from(JUNK_NUMBERS + ["2,2"]))
        return Junk(text), text
    value = draw(st.sampled_from(WEIRD_INTS)) if form == "weird" else draw(valid)
    return (value,), str(value)


@dataclass
class Case:
    """A command line and the layer it describes."""

    args: list[str]
    kind: str  # "conv2d", "conv1d", "transposed", "separable", "conflict"
    layer: dict[str, Value]  # option -> value, for the options given
    flags: set[str] = field(default_factory=set)  # every option given, by its short name
    output: Optional[str] = None
    image_format: Optional[str] = None
    still: Optional[str] = None  # "frame" or "sheet"
    max_frames: Optional[int] = None

    def value_of(self, option: str) -> Optional[str]:
        """The text given to ``option`` (the last one, as click takes it), or None."""
        given = [self.args[i + 1] for i, a in enumerate(self.args[:-1]) if a == option]
        return given[-1] if given else None

    @property
    def command(self) -> str:
        return "convgif " + " ".join(repr(a) if (not a or " " in a) else a for a in self.args)


KIND_FLAGS = {"conv1d": "--conv1d", "transposed": "--transposed", "separable": "--separable"}
MODES = ["zeros", "reflect", "replicate", "circular"]


@st.composite
def layer_options(draw, kind: str) -> tuple[list[list[str]], dict[str, Value], set[str]]:
    """The options describing a layer: mostly a small valid one (inputs up to 8×8 or length 8,
    channels up to 4), with each argument sometimes zero, negative, huge or junk."""
    dims = 1 if kind == "conv1d" else 2
    groups: list[list[str]] = []
    layer: dict[str, Value] = {}
    given: set[str] = set()

    def put(option: str, value: Value, text: str) -> None:
        groups.append([option, text])
        layer[option] = value
        given.add(option)

    def sizes(valid: st.SearchStrategy, **odd: int) -> st.SearchStrategy:
        """An int-or-pair size; a 1-D layer mostly gets one number."""
        pair = 0 if dims == 1 and not chance(draw, 10) else 30
        return numbers(valid, pair_percent=pair, **odd)

    # channels and groups, consistent most of the time
    # Now and then many channels (more than convgif shows) on a small input.
    wide = chance(draw, 6)
    most = 12 if wide else 4
    c_in = draw(st.integers(1, most))
    g = draw(st.sampled_from([d for d in range(1, c_in + 1) if c_in % d == 0])) if chance(draw, 35) else 1
    c_out = g * draw(st.integers(1, max(1, most // g)))
    kernel = draw(st.integers(1, 3))
    size = st.integers(1, 8) if chance(draw, 10) else st.integers(kernel, 4 if wide else 8)

    # --in: C,H,W or H,W (C,L or L), sometimes the other rank, odd values or junk
    form = pick(draw, (82, "full"), (12, "spatial"), (2, "junk"), (2, "longer"), (2, "shorter"))
    if form == "junk":
        text = draw(st.sampled_from(JUNK_NUMBERS + ["3x7x7", "(3,7,7)"]))
        put("--in", Junk(text), text)
    else:
        spatial = [draw(size) for _ in range(dims)]
        shape = {
            "full": [c_in, *spatial],
            "spatial": spatial,
            "longer": [c_in, *spatial, 5],
            "shorter": spatial[:-1] or [c_in, *spatial, 5, 5],
        }[form]
        if form == "spatial" and c_in != 1:  # one channel
            c_in = 1
            g, c_out = 1, min(c_out, most)
        shape = [draw(st.sampled_from(WEIRD_INTS)) if chance(draw, 1) else v for v in shape]
        put("--in", tuple(shape), ints_text(tuple(shape), spaced=chance(draw, 5)))
    if chance(draw, 3):  # sometimes the PyTorch name
        groups[-1][0] = "--in-shape"

    if c_out != 1 or chance(draw, 30):
        put("--out", *draw(one_int(st.integers(1, 4) if chance(draw, 10) else st.just(c_out))))
    if (g != 1 or chance(draw, 10)) and (kind != "separable" or chance(draw, 15)):  # separable: its own groups
        put("--g", *draw(one_int(st.integers(1, 4) if chance(draw, 15) else st.just(g))))
    if kernel != 3 or chance(draw, 40):
        put("--k", *draw(sizes(st.integers(1, 4) if chance(draw, 30) else st.just(kernel))))
    stride_one = True
    if chance(draw, 40):
        value, text = draw(sizes(st.integers(1, 3)))
        stride_one = value in ((1,), (1, 1))
        put("--s", value, text)
    if chance(draw, 30):
        put("--d", *draw(sizes(st.integers(1, 2))))
    mode = None
    if chance(draw, 5 if kind == "transposed" else 35):
        mode = (
            draw(st.sampled_from(["mirror", "Zeros", "constant", ""]))
            if chance(draw, 5)
            else draw(st.sampled_from(MODES))
        )
        put("--padding-mode", mode, mode)
    if chance(draw, 55):
        form = pick(
            draw,
            (85, "ints"),
            (2 if kind == "transposed" else 12, "word"),
            (3, "junk"),
            (10 if mode not in (None, "zeros") else 0, "negative"),
        )
        if form == "word":
            word = draw(st.sampled_from(["same", "valid"])) if stride_one or chance(draw, 30) else "valid"
            text = draw(st.sampled_from([word.upper(), f" {word.title()} "])) if chance(draw, 15) else word
            put("--p", word, text)
        elif form == "junk":
            text = draw(st.sampled_from(["full", "samee", "SAME!", "1.5", "", "1,2,3,4"]))
            put("--p", Junk(text), text)
        elif form == "negative":  # crops, for the modes other than zeros
            put("--p", *draw(numbers(st.integers(-2, 0), pair_percent=40, weird=0, junk=0)))
        else:
            put("--p", *draw(sizes(st.integers(0, 2))))
    if chance(draw, 30):
        put("--bias" if chance(draw, 15) else "--no-bias", (), "")
        groups[-1] = groups[-1][:1]
    if kind == "transposed" or chance(draw, 3):
        if chance(draw, 35):
            put("--output-padding", *draw(numbers(st.integers(0, 1), weird=4)))
        if chance(draw, 15):
            put("--as-conv", (), "")
            groups[-1] = groups[-1][:1]
    return groups, layer, given


@st.composite
def kinds(draw) -> tuple[str, list[list[str]]]:
    kind = pick(draw, (45, "conv2d"), (20, "conv1d"), (20, "transposed"), (12, "separable"), (3, "conflict"))
    if kind != "conflict":
        return kind, [[KIND_FLAGS[kind]]] if kind in KIND_FLAGS else []
    two = draw(st.lists(st.sampled_from(sorted(KIND_FLAGS.values())), min_size=2, max_size=3, unique=True))
    return "conflict", [[flag] for flag in two]


def shuffled(draw, groups: list[list[str]]) -> list[str]:
    """The options in the order drawn, or shuffled (each option stays with its value)."""
    order = draw(st.permutations(range(len(groups)))) if chance(draw, 50) else range(len(groups))
    return [part for i in order for part in groups[i]]


@st.composite
def render_cases(draw) -> Case:
    kind, groups = draw(kinds())
    layer_groups, layer, given = draw(layer_options("conv2d" if kind == "conflict" else kind))
    groups += layer_groups
    case = Case([], kind, layer, given | {g[0] for g in groups})

    def add(*group: str) -> None:
        groups.append(list(group))
        case.flags.add(group[0])

    frames = pick(draw, (45, "few"), (40, "default"), (7, "all"), (5, "300"), (3, "bad"))
    case.max_frames = {"few": draw(st.sampled_from([1, 2, 3, 5, 8])), "all": 0}.get(frames, 300)
    if frames == "bad":
        case.max_frames = None
        add("--max-frames", draw(st.sampled_from(["-1", "abc", "1.5", ""])))
    elif frames != "default":
        add("--max-frames", str(case.max_frames))
    if chance(draw, 30):
        add("--no-values" if chance(draw, 10) else "--values")

    def option(name: str, percent: int, usual: list[str], odd: list[str]) -> Optional[str]:
        """Sometimes ``name`` with a usual value, a quarter of those times an odd one."""
        if not chance(draw, percent):
            return None
        text = draw(st.sampled_from(odd)) if chance(draw, 25) else draw(st.sampled_from(usual))
        add(name, text)
        return text

    option("--fps", 12, ["0.1", "50", "2.5", "10", "3.33"], ["0", "0.05", "51", "-1", "nan", "inf", "abc", ""])
    option("--seed", 15, ["0", "1", "7", "123456789", str(10**20)], ["-1", "x", "1.5"])
    option("--width", 10, ["300", "500", "800", "5000", str(10**20)], ["1", "60", "0", "-3", "wide"])
    option("--theme", 8, ["dark", "light"], ["blue", "Dark", ""])
    case.still = pick(draw, (86, None), (8, "frame"), (6, "sheet"))
    if case.still == "frame":
        add(
            "--frame",
            draw(st.sampled_from(["9", "1000", "0", "-1", "first"]))
            if chance(draw, 25)
            else draw(st.sampled_from(["1", "2", "3"])),
        )
    elif case.still == "sheet":
        add("--sheet")
    case.image_format = option("--format", 12, ["gif", "webp", "apng"], ["png", "jpeg", "GIF"])
    case.output = option(
        "-o", 10, ["out.gif", "out.webp", "out.png", "out.apng", "out", "Out.GIF", "a b.gif"], ["", " "]
    )
    for flag, percent in (("-q", 5), ("--markdown", 5), ("--html", 5)):
        if chance(draw, percent):
            add(flag)
    if chance(draw, 2):
        add(draw(st.sampled_from(["--kernel-sz", "--strides", "--pad"])), "1")
    case.args = shuffled(draw, groups)
    return case


# ---------------------------------------------------------------------------------------------
# Running a command in a fresh folder, and what every outcome must look like.
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("properties")


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    output: str  # stdout and stderr
    files: list[str]  # what the folder holds afterwards (relative paths)
    sizes: dict[str, int]
    error: str  # the "Error: ..." text, for exit status 2
    checked: dict[str, Any] = field(default_factory=dict)  # facts read from the files


def run(scratch: Path, args: list[str], inspect=None) -> Outcome:
    """Invoke ``convgif args`` in a new empty folder; ``inspect(folder, result)`` reads the
    files before the folder goes."""
    with tempfile.TemporaryDirectory(dir=scratch) as folder, contextlib.chdir(folder):
        result = CliRunner().invoke(main, args)
        files = sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*") if p.is_file())
        sizes = {name: (Path(folder) / name).stat().st_size for name in files}
        where = f"convgif {' '.join(map(repr, args))}\nexit {result.exit_code}\n{result.output}"
        assert "Traceback" not in result.output, where
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            where + f"\nexception: {result.exception!r}"
        )
        if result.exit_code != 0:
            assert files == [], f"exit status {result.exit_code} but files were written: {files}\n{where}"
        assert result.exit_code in (0, 2), where
        error = ""
        if result.exit_code == 2:
            lines = result.output.splitlines()
            starts = [i for i, line in enumerate(lines) if line.startswith("Error: ")]
            assert starts, where
            error = " ".join(lines[starts[-1] :])[len("Error: ") :]
            # The message names an option.
            assert (
                "'--" in result.output
                or "Missing option" in result.output
                or "No such option" in result.output
                or "Usage:" in result.output
            ), where
            assert re.search(r"'-o'|--[a-z]", error), f"the message names no option\n{where}"
        outcome = Outcome(result.exit_code, result.stdout, result.output, files, sizes, error)
        if inspect is not None and result.exit_code == 0:
            outcome.checked = inspect(Path(folder), outcome, where)
        return outcome


SUMMARY = re.compile(
    r"^output \((?P<shape>[\d, ]+)\) · (?P<params>[\d,]+) parameters"
    r"(?: \(a standard convolution: [\d,]+\))? · (?:sheet of (?:[\d,]+ of )?)?(?P<frames>[\d,]+) frames? · "
    r"(?P<bytes>[\d,]+) bytes · [\d.]+ s$"
)


def expected_format(case: Case) -> str:
    """What Pillow must read: PNG for a still, else the animation format asked for."""
    if case.still:
        return "PNG"
    chosen = case.image_format
    if chosen is None:
        suffix = Path(case.output).suffix.lower() if case.output else ""
        chosen = {".webp": "webp", ".png": "apng", ".apng": "apng"}.get(suffix, "gif")
    return {"gif": "GIF", "webp": "WEBP", "apng": "PNG"}[chosen]


def check_written(case: Case):
    def inspect(folder: Path, outcome: Outcome, where: str) -> dict[str, Any]:
        lines = outcome.stdout.splitlines()
        assert lines, where
        path = lines[0]
        written = folder / path
        assert written.is_file(), where
        # Exactly one file: the one named, no temporary left beside it (and, for an animation
        # with --html, its still for readers who prefer reduced motion, NAME-still.png).
        named = str(written.resolve().relative_to(folder.resolve()))
        stills = (
            [str(Path(named).with_name(Path(named).stem + "-still.png"))]
            if "--html" in case.flags and case.still is None
            else []
        )
        assert sorted([named, *stills]) == sorted(outcome.files), where
        if case.output is not None:
            assert path == case.output, where
        else:  # named from the arguments, in the current folder
            ending = {"frame": f"_step{case.value_of('--frame')}.png", "sheet": "_sheet.png"}.get(
                case.still, {"GIF": ".gif", "WEBP": ".webp", "PNG": ".png"}[expected_format(case)]
            )
            prefix = {
                "conv2d": "conv2d_",
                "conv1d": "conv1d_",
                "transposed": "convtranspose2d_",
                "separable": "separable_",
            }
            assert "/" not in path and path.startswith(prefix[case.kind]) and path.endswith(ending), where
        data = written.read_bytes()
        durations = []
        with Image.open(written) as image:
            image.load()
            assert image.format == expected_format(case), where + f"\nPillow reads {image.format}"
            n_frames = getattr(image, "n_frames", 1)
            assert n_frames >= 1, where
            for i in range(n_frames):  # every frame decodes
                image.seek(i)
                image.load()
                durations.append(image.info.get("duration"))
            size = image.size
        if image.format == "GIF":
            assert data.startswith(b"GIF89a") and data.endswith(b";"), where
            # Every frame for 1/fps (in whole hundredths of a second, 20 ms at least); the last longer.
            fps = float(case.value_of("--fps") or 1000 / 300)
            assert all(d == durations[0] for d in durations[:-1]), where + f"\ndurations {durations}"
            if n_frames > 1:
                assert abs(durations[0] - max(1000 / fps, 20)) <= 5, where + f"\ndurations {durations}"
            assert durations[-1] >= durations[0], where + f"\ndurations {durations}"
        width = case.value_of("--width")
        if width is not None and case.still != "sheet":
            assert size[0] <= int(width), where + f"\nthe picture is {size[0]} pixels wide"
        facts: dict[str, Any] = {"n_frames": n_frames, "path": path, "data": data}
        snippets = ("--markdown" in case.flags) + ("--html" in case.flags)
        if "-q" in case.flags:  # the path, and the snippets asked for
            assert len(lines) == 1 + snippets, where
            return facts
        summaries = [m for m in map(SUMMARY.match, lines[1:]) if m]
        assert len(summaries) == 1, where
        summary = summaries[0]
        facts["shape"] = tuple(int(v) for v in summary["shape"].split(","))
        facts["parameters"] = int(summary["params"].replace(",", ""))
        facts["frames"] = int(summary["frames"].replace(",", ""))
        assert int(summary["bytes"].replace(",", "")) == len(data), where
        if case.still == "frame":
            assert facts["frames"] == 1 and n_frames == 1, where
        elif case.still is None:
            assert n_frames == facts["frames"], where + f"\nthe file holds {n_frames} frames"
            if case.max_frames:
                assert facts["frames"] <= case.max_frames, where
        if "--markdown" in case.flags:
            assert any(line.startswith("![Input Shape : ") and line.endswith(f"]({path})") for line in lines), where
        if "--html" in case.flags:
            reduced = '<picture><source media="(prefers-reduced-motion: reduce)" srcset='
            assert any(line.startswith("<img src=" if case.still else reduced) for line in lines), where
        return facts

    return inspect


# ---------------------------------------------------------------------------------------------
# PyTorch's verdict on the same layer.
# ---------------------------------------------------------------------------------------------

LAYER_OPTIONS = {
    "--in",
    "--in-shape",
    "--out",
    "--out-channels",
    "--k",
    "--kernel-size",
    "--s",
    "--stride",
    "--p",
    "--padding",
    "--d",
    "--dilation",
    "--g",
    "--groups",
    "--padding-mode",
    "--bias",
    "--no-bias",
    "--output-padding",
}
DRAWING_LIMITS = ("too large to draw", "too narrow")


def as_torch(value: Value) -> Any:
    if isinstance(value, tuple):
        return value[0] if len(value) == 1 else value
    return value


def _feasible(shape: tuple[int, ...], kw: dict[str, Any]) -> bool:
    """Whether running torch on this layer stays small (huge sizes are convgif's to refuse)."""
    given = list(shape)
    for value in kw.values():
        if not isinstance(value, (bool, str)):
            given += list(value) if isinstance(value, tuple) else [value]
    if any(abs(v) > 4096 for v in given):
        return False

    def first_two(name: str, default: int) -> tuple[int, int]:
        value = kw.get(name, default)
        if isinstance(value, str):
            value = 0
        values = value if isinstance(value, tuple) else (value,)
        return abs(values[0]), abs(values[min(1, len(values) - 1)])

    k, s, d, p = (first_two(*a) for a in (("kernel_size", 3), ("stride", 1), ("dilation", 1), ("padding", 0)))
    weights = max(shape[0], 1) * max(kw.get("out_channels", 1), 1) * max(k[0], 1) * max(k[1], 1)
    area = max(shape[0], 1)
    for i, n in enumerate(shape[1:3]):
        area *= abs(n) * s[i] + d[i] * k[i] + 2 * p[i] + 1
    return weights <= 10**6 and area <= 10**7


def torch_verdict(case: Case) -> Optional[tuple]:
    """``("ok", output_shape, parameters)``, ``("refused", why)``, or None when torch has no
    verdict to compare (no torch, options torch does not have, a layer too big to try)."""
    if torch is None or case.kind == "conflict":
        return None
    layer = case.layer
    if case.kind != "transposed" and ({"--output-padding", "--as-conv"} & case.flags):
        return None  # refused by convgif as an option of another layer kind
    if case.kind == "separable" and "--g" in case.flags:
        return None  # separable sets its own groups
    if any(isinstance(v, Junk) for v in layer.values()):
        return ("refused", "not numbers")  # torch takes no such value either
    shape = layer["--in"]
    dims = 1 if case.kind == "conv1d" else 2
    for option in ("--k", "--s", "--p", "--d", "--output-padding"):
        value = layer.get(option)
        padded = option == "--p" and layer.get("--padding-mode", "zeros") != "zeros" and dims < 3
        if isinstance(value, tuple) and len(value) not in (1, dims) and not (padded and len(value) == dims + 1):
            # Not N or H,W (N alone for --conv1d), the README's form. (torch takes padding=(0, h, w)
            # with padding_mode='reflect', say, padding the channel axis by the 0: asked below.)
            return ("refused", f"{option} is not N or H,W")
    kw: dict[str, Any] = {
        "out_channels": as_torch(layer.get("--out", (1,))),
        "kernel_size": as_torch(layer.get("--k", (3,))),
        "stride": as_torch(layer.get("--s", (1,))),
        "padding": as_torch(layer.get("--p", (0,))),
        "dilation": as_torch(layer.get("--d", (1,))),
        "bias": "--no-bias" not in layer,
    }
    if isinstance(kw["padding"], str):
        kw["padding"] = kw["padding"].strip().lower()  # the documented spellings: same, SAME, ' Same '
    if "--padding-mode" in layer:
        kw["padding_mode"] = layer["--padding-mode"]
    in_channels = shape[0] if len(shape) != dims else 1
    batch = (1, *shape) if len(shape) != dims else (1, 1, *shape)
    if not _feasible(shape, kw):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x = torch.zeros(*batch)
            if case.kind == "separable":
                out_channels = kw.pop("out_channels")
                depthwise = torch.nn.Conv2d(in_channels, in_channels, groups=in_channels, **kw)
                pointwise = torch.nn.Conv2d(in_channels, out_channels, 1, bias=kw["bias"])
                with torch.no_grad():
                    out = pointwise(depthwise(x))
                modules = [depthwise, pointwise]
            else:
                kw["groups"] = as_torch(layer.get("--g", (1,)))
                if case.kind == "transposed":
                    kw["output_padding"] = as_torch(layer.get("--output-padding", (0,)))
                    module = torch.nn.ConvTranspose2d(in_channels, **kw)
                else:
                    module = (torch.nn.Conv1d if dims == 1 else torch.nn.Conv2d)(in_channels, **kw)
                with torch.no_grad():
                    out = module(x)
                modules = [module]
    except Exception as error:  # noqa: BLE001 - torch refuses with ValueError, RuntimeError, TypeError
        return ("refused", f"{type(error).__name__}: {error}"[:300])
    parameters = sum(p.numel() for m in modules for p in m.parameters())
    return ("ok", tuple(out.shape[1:]), parameters)


def documented_deviation(case: Case, want: tuple, error: str) -> bool:
    """convgif refuses on purpose what torch may take: an input with a size below 1, and a
    ConvTranspose2d whose output has a size of 0 (torch 2.13 takes (1, 0), not (0, 0))."""
    shape = case.layer.get("--in")
    if isinstance(shape, tuple) and min(shape) < 1:
        return True
    return case.kind == "transposed" and min(want[1][1:]) == 0 and "to nothing" in error


def names_layer_option(error: str) -> bool:
    named = re.findall(r"'(--[a-z-]+)'", error)
    return bool(named) and named[0] in LAYER_OPTIONS and not any(word in error for word in DRAWING_LIMITS)


def check_blame(case: Case, outcome: Outcome) -> None:
    """A layer too large to draw is blamed on an argument the user can shrink: not one at its
    smallest value (``out_channels=1``), and not a small input for a total of numbers that
    padding, stride or channels make large."""
    blamed = re.search(r"(\w+)=(.+?) is too large to draw", outcome.error)
    if not blamed:
        return
    where = f"{case.command}\nexit {outcome.exit_code}\n{outcome.output}"
    argument, value = blamed.groups()
    assert set(re.findall(r"-?\d+", value)) != {"1"}, f"{argument}={value} is already as small as it gets\n" + where
    shape = case.layer.get("--in")
    if argument == "input_shape" and isinstance(shape, tuple) and "numbers, over the" in outcome.error:
        assert max(shape) > 8, f"a small input {shape} is blamed for the layer's size\n" + where


def check_against_torch(case: Case, outcome: Outcome) -> None:
    want = torch_verdict(case)
    event(f"{case.kind}: exit {outcome.exit_code}, torch {want[0] if want else 'not asked'}")
    if want is None:
        return
    where = f"{case.command}\nexit {outcome.exit_code}\n{outcome.output}\ntorch: {want}"
    if outcome.exit_code == 0:
        assert want[0] == "ok", "convgif draws a layer torch refuses\n" + where
        if "shape" in outcome.checked:
            assert outcome.checked["shape"] == want[1], "output shape differs from torch's\n" + where
            assert outcome.checked["parameters"] == want[2], "parameter count differs from torch's\n" + where
    elif names_layer_option(outcome.error) and want[0] == "ok":
        assert documented_deviation(case, want, outcome.error), "convgif refuses a layer torch accepts\n" + where


# ---------------------------------------------------------------------------------------------
# Rendering.
# ---------------------------------------------------------------------------------------------


VALUED = {
    "--in",
    "--in-shape",
    "--out",
    "--k",
    "--s",
    "--p",
    "--d",
    "--g",
    "--padding-mode",
    "--output-padding",
    "--max-frames",
    "--fps",
    "--seed",
    "--width",
    "--theme",
    "--frame",
    "--format",
    "-o",
}


def parse_case(command: str) -> Case:
    """A case written as a command line (explicit examples), modelled as the strategy would."""
    args = shlex.split(command)
    flags = {a for a in args if a.startswith("-") and not re.fullmatch(r"-[\d,]+", a)}
    kinds_given = [kind for kind, flag in KIND_FLAGS.items() if flag in flags]
    kind = kinds_given[0] if len(kinds_given) == 1 else "conflict" if kinds_given else "conv2d"
    case = Case(args, kind, {}, flags)
    for i, arg in enumerate(args):
        text = args[i + 1] if arg in VALUED else ""
        option = "--in" if arg == "--in-shape" else arg
        if option in ("--in", "--k", "--s", "--p", "--d", "--output-padding", "--out", "--g"):
            word = text.strip().lower()
            try:
                value: Value = tuple(int(v) for v in text.replace(" ", "").split(","))
            except ValueError:
                value = word if option == "--p" and word in ("same", "valid") else Junk(text)
            if option in ("--out", "--g") and isinstance(value, tuple) and len(value) != 1:
                value = Junk(text)
            case.layer[option] = value
        elif option == "--padding-mode":
            case.layer[option] = text
        elif option in ("--bias", "--no-bias"):
            case.layer[option] = ()
    frames = case.value_of("--max-frames")
    case.max_frames = 300 if frames is None else int(frames) if re.fullmatch(r"\d+", frames) else None
    case.still = "frame" if "--frame" in flags else "sheet" if "--sheet" in flags else None
    case.output, case.image_format = case.value_of("-o"), case.value_of("--format")
    return case


@budget(RENDER_EXAMPLES)
@given(case=render_cases())
# The README's examples, and cases where torch and convgif part on purpose.
@example(case=parse_case("--in 3,7,7 --out 2 --k 3 --p 1 --s 2 --d 2 --max-frames 3"))
@example(case=parse_case("--transposed --in 2,3,3 --out 1 --k 3 --s 2 --p 1 --output-padding 1 --max-frames 2"))
@example(case=parse_case("--conv1d --in 3,9 --out 2 --k 3 --p 1 --max-frames 2 --format webp"))
@example(case=parse_case("--in 1,6,6 --k 3 --p same --padding-mode reflect --no-bias --frame 2"))
@example(case=parse_case("--conv1d --in 1,5 --p -1 --padding-mode reflect --max-frames 1"))
@example(case=parse_case("--in 1,5,5 --k 1 --p -2,0 --padding-mode circular --sheet"))
@example(case=parse_case("--in 0,5,5"))  # torch takes 0 channels; convgif refuses (documented)
@example(case=parse_case("--transposed --in 2,1,4 --out 2 --g 2 --k 1 --p 0,2"))  # torch: a (2, 1, 0) output
@example(case=parse_case("--in 1,1,1 --k 1 --padding-mode reflect --p 0,0,0"))  # torch takes 3 paddings here
# Regressions: bugs these properties found.
@example(case=parse_case("--separable --in 2,5,5 --max-frames 1"))  # drew 2 frames (fixed in 44e3034)
@example(case=parse_case("--separable --in 16,7,7 --out 32 --no-bias --max-frames 2"))  # drew 3 (fixed in 44e3034)
@example(case=parse_case("--transposed --in 2,2,2 --k 3 --max-frames 1"))  # traceback: kernels taller than the frame
@example(case=parse_case("--transposed --in 2,1,1 --k 2"))  # the same, smallest
@example(case=parse_case("--in 1,5000,5000 --k 1"))  # blamed out_channels=1 for the size
@example(case=parse_case("--in 1,3,3 --p 3000"))  # blamed input_shape=(1, 3, 3), not the padding
@example(case=parse_case("--transposed --in 2,2 --s 5000 --k 1"))  # blamed out_channels=1, not the stride
def test_render_writes_a_valid_file_or_refuses_naming_an_option(scratch, case):
    outcome = run(scratch, case.args, check_written(case))
    check_blame(case, outcome)
    if outcome.exit_code == 0 and case.max_frames in (1, 2, 3):
        # The same arguments and seed always give the same bytes.
        again = run(scratch, case.args, check_written(case))
        assert again.checked["data"] == outcome.checked["data"], f"{case.command}: another render differs"
    if outcome.exit_code == 2:
        named = re.findall(r"'(--?[a-z-]+)'|(choose one|No such option)", outcome.error)
        event(
            "refused: "
            + (
                ("".join(named[0]) + (" (drawing limit)" if any(w in outcome.error for w in DRAWING_LIMITS) else ""))
                if named
                else "? " + outcome.error
            )
        )
    else:
        event("rendered")
    check_against_torch(case, outcome)


# ---------------------------------------------------------------------------------------------
# convgif info, against the render.
# ---------------------------------------------------------------------------------------------


@st.composite
def info_cases(draw) -> Case:
    kind, groups = draw(kinds())
    layer_groups, layer, given = draw(layer_options("conv2d" if kind == "conflict" else kind))
    groups += layer_groups
    case = Case([], kind, layer, given | {g[0] for g in groups})
    frames = pick(draw, (70, "few"), (15, "default"), (10, "given"), (5, "bad"))
    case.max_frames = {"few": draw(st.sampled_from([1, 2, 3, 4, 6])), "given": draw(st.sampled_from([0, 300]))}.get(
        frames, 300
    )
    if frames == "bad":
        case.max_frames = None
        groups.append(["--max-frames", draw(st.sampled_from(["-1", "-300", "many"]))])
    elif frames != "default":
        groups.append(["--max-frames", str(case.max_frames)])
    case.args = shuffled(draw, groups)
    return case


INFO_KEYS = {
    "kind",
    "caption",
    "input_shape",
    "output_shape",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "groups",
    "bias",
    "num_parameters",
    "macs",
    "receptive_field",
    "placements",
    "steps",
    "frames",
    "too_large_to_draw",
    "output_size_formulas",
    "parameter_formulas",
}
KIND_NAMES = {"conv2d": "Conv2d", "conv1d": "Conv1d", "transposed": "ConvTranspose2d", "separable": "separable"}


@budget(INFO_EXAMPLES)
@given(case=info_cases())
@example(case=parse_case("--in 3,7,7 --out 2 --k 3 --p 1 --s 2 --d 2"))
@example(case=parse_case("--in 1,256,256 --out 256 --k 5"))  # described, too large to draw
@example(case=parse_case("--separable --in 16,7,7 --out 32 --no-bias --max-frames 2"))
@example(case=parse_case("--transposed --in 2,2,2 --k 3 --max-frames 1"))
def test_info_agrees_with_the_render(scratch, case):
    text = run(scratch, ["info", *case.args])
    data = run(scratch, ["info", *case.args, "--json"])
    event(
        f"info: exit {text.exit_code}"
        + (f" ({re.findall(r'--[a-z-]+|choose one', text.error)[:1]})" if text.exit_code else "")
    )
    where = f"{case.command}\ninfo: exit {text.exit_code}\n{text.output}\n--json: exit {data.exit_code}\n{data.output}"
    assert text.exit_code == data.exit_code, where
    if text.exit_code == 2:
        assert text.error == data.error, where
    else:
        info = json.loads(data.stdout)
        assert INFO_KEYS <= set(info), where
        assert info["kind"] == KIND_NAMES[case.kind], where
        shape = tuple(info["output_shape"])
        assert f"output shape {shape}" in text.stdout.splitlines(), where
        assert text.stdout.splitlines()[0] == f"{info['kind']}: {info['caption']}", where
        assert (info["frames"] is None) == (info["too_large_to_draw"] is not None), where

    # The render of the same layer: refused alike, or drawn with the shape and frames info gives.
    small = text.exit_code == 0 and info["frames"] is not None and info["frames"] <= 60
    too_many_steps = text.exit_code == 0 and (info["too_large_to_draw"] or "").startswith("max_frames=")
    render_args = case.args if small or too_many_steps or text.exit_code == 2 else [*case.args, "--max-frames", "16"]
    render_case = Case(render_args, case.kind, case.layer, case.flags, max_frames=case.max_frames if small else 16)
    drawn = run(scratch, render_args, check_written(render_case))
    check_blame(render_case, drawn)
    where += f"\nrender: exit {drawn.exit_code}\n{drawn.output}"
    if text.exit_code == 2:
        assert drawn.exit_code == 2 and drawn.error == text.error, where
        return
    if info["too_large_to_draw"] is not None:
        assert drawn.exit_code == 2 and drawn.error.endswith(info["too_large_to_draw"]), where
        return
    if not small and drawn.exit_code == 2 and "max_frames=16 is fewer than" in drawn.error:
        return  # a part small enough for 16 steps does not exist: the render says so
    assert drawn.exit_code == 0, where
    assert drawn.checked["shape"] == shape, where
    assert drawn.checked["parameters"] == info["num_parameters"], where
    if small:
        assert drawn.checked["frames"] == info["frames"], where
    check_against_torch(render_case, drawn)


# ---------------------------------------------------------------------------------------------
# convgif bench, with tiny sweeps.
# ---------------------------------------------------------------------------------------------


SWEPT = ["in", "out", "k", "s", "p", "d", "g"]


@st.composite
def sweep_text(draw, name: str) -> str:
    if chance(draw, 5):
        name = draw(st.sampled_from(["OUT", "x", "kernel", ""]))
    small = {"in": ["1", "2", "4"], "out": ["1", "2", "3"], "g": ["1", "2"]}.get(name.lower(), ["1", "2", "3x1", "1x2"])
    odd = ["0", "-1", "abc", "", "1x2x3", "3x1", "3"]
    values = draw(
        st.lists(
            st.sampled_from(odd) if chance(draw, 8) else st.sampled_from(small),
            min_size=1,
            max_size=3,
            unique=not chance(draw, 5),
        )
    )  # a repeat is refused
    return f"{name}={','.join(values)}"


@st.composite
def bench_cases(draw) -> tuple[list[str], str]:
    c = draw(st.sampled_from([1, 2, 4]))
    groups = [["--in", f"{c},{draw(st.integers(4, 8))},{draw(st.integers(4, 8))}"]]
    if chance(draw, 30):
        groups.append(["--out", "0" if chance(draw, 10) else draw(st.sampled_from(["1", "2", "4"]))])
    if chance(draw, 20):
        groups.append(["--k", "9" if chance(draw, 10) else draw(st.sampled_from(["1", "3", "2,3"]))])
    count = pick(draw, (50, 1), (40, 2), (5, 0), (5, 3))
    names = draw(st.lists(st.sampled_from(SWEPT), min_size=count, max_size=count, unique=not chance(draw, 5)))
    for name in names:
        groups.append(["--sweep", draw(sweep_text(name))])
    groups.append(["--time-budget", draw(st.sampled_from(["0", "-1", "abc"])) if chance(draw, 8) else "0.01"])
    image_format = "svg" if chance(draw, 20) else "png"
    if image_format != "png" or chance(draw, 20):
        groups.append(["--format", image_format])
    if chance(draw, 4):
        groups.append([draw(st.sampled_from(["--separable", "--transposed", "--conv1d"]))])
    if chance(draw, 30):
        groups.append(["-o", draw(st.sampled_from(["figure", "sub/figure", "cost.png"]))])
    groups.append(["-q"])
    return shuffled(draw, groups), image_format


@budget(BENCH_EXAMPLES)
@given(bench_case=bench_cases())
@example(
    bench_case=(["--in", "1,6,6", "--sweep", "out=1,2", "--sweep", "k=1,3x1", "--time-budget", "0.01", "-q"], "png")
)
@example(
    bench_case=(["--in", "2,6,6", "--out", "2", "--sweep", "g=1,2,3", "--time-budget", "0.01", "-o", "groups"], "png")
)
# Regression: a repeated value was a traceback (exit 1) leaving the CSV and JSON behind (fixed in 44e3034).
@example(bench_case=(["--in", "1,3,3", "--sweep", "in=1,1", "--time-budget", "0.01", "-q"], "png"))
def test_bench_writes_three_files_or_refuses(scratch, bench_case):
    args, image_format = bench_case
    outcome = run(scratch, ["bench", *args])
    where = f"convgif bench {' '.join(args)}\nexit {outcome.exit_code}\n{outcome.output}"
    event(f"bench: exit {outcome.exit_code}")
    if outcome.exit_code == 2:
        event("bench refused: " + outcome.error[:40])
        return
    # The three files, and nothing else.
    stems = {str(Path(f).with_suffix("")) for f in outcome.files}
    assert len(stems) == 1 and sorted(Path(f).suffix for f in outcome.files) == sorted(
        [f".{image_format}", ".csv", ".json"]
    ), where
    listed = outcome.stdout.split("  ")[:3]
    assert sorted(listed) == outcome.files, where
    assert all(outcome.sizes[f] > 0 for f in outcome.files), where
    configurations = int(re.search(r"\(([\d,]+) configurations? timed on ", outcome.stdout)[1].replace(",", ""))
    assert configurations >= 1, where


# Reading the CSV and JSON needs the files, which run() removes with the folder: check them
# once on one known sweep.
def test_bench_tables_list_every_configuration(scratch):
    args = [
        "bench",
        "--in",
        "2,6,6",
        "--out",
        "6",
        "--sweep",
        "g=1,2,3",
        "--sweep",
        "k=1,3",
        "--time-budget",
        "0.01",
        "-q",
        "-o",
        "t",
    ]

    def inspect(folder: Path, outcome: Outcome, where: str) -> dict[str, Any]:
        rows = list(csv.DictReader((folder / "t.csv").open(encoding="utf-8")))
        data = json.loads((folder / "t.json").read_text(encoding="utf-8"))
        with Image.open(folder / "t.png") as image:
            assert image.format == "PNG"
        return {"rows": rows, "data": data}

    outcome = run(scratch, args, inspect)
    assert outcome.exit_code == 0, outcome.output
    rows, data = outcome.checked["rows"], outcome.checked["data"]
    assert len(rows) == len(data["results"]) == 6
    refused = [r for r in rows if r["error"]]
    assert [r["g"] for r in refused] == ["3", "3"]  # 3 does not divide 2 input channels
