"""Every signal that ends a process by default ends convgif promptly with 128 + its number,
leaving no temporary file, no scratch folder and no child process (ffmpeg, gallery workers).

Each case sends one signal (or two) at a moment drawn by a seeded generator, to a render, an
MP4, a render to standard output and a gallery built by two workers.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SIGNALS = [signal.SIGHUP, signal.SIGINT, signal.SIGTERM, signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM, signal.SIGPIPE]
LONG = ["--in", "3,40,40", "--region", "0:38,0:38", "--max-frames", "0", "-q"]
DRAW = random.Random(20261207)


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "convgif", *args]


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        for child in children_of(todo.pop()):
            out.append(child)
            todo.append(child)
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def stop(process: subprocess.Popen, sig: int, twice: bool, wait_for: float) -> tuple[list[int], bytes]:
    """Send ``sig`` (twice if asked) after ``wait_for`` seconds; the descendants seen before it."""
    time.sleep(wait_for)
    family = descendants(process.pid)
    process.send_signal(sig)
    if twice:
        time.sleep(0.002)
        process.send_signal(sig)
    started = time.monotonic()
    _, err = process.communicate(timeout=30)
    assert time.monotonic() - started < 10, "not ended promptly"
    return family, err


def assert_clean(process, sig, err, family, folder: Path, scratch: Path, kept: set[str]) -> None:
    assert process.returncode in (128 + sig, -sig), (process.returncode, err)
    assert b"Traceback" not in err and b"Exception ignored" not in err, err
    deadline = time.monotonic() + 15  # ended children are reaped at once; a loaded machine may take seconds
    while any(alive(pid) for pid in family) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in family if alive(pid)], "a child process outlived convgif"
    left = {p.name for p in folder.iterdir()} - kept
    assert not [name for name in left if name.startswith(".") or "part" in name], left
    assert not list(scratch.iterdir()), "a scratch file was left in TMPDIR"


CASES = [(DRAW.choice(SIGNALS), DRAW.uniform(0.0, 0.5), DRAW.random() < 0.3) for _ in range(4)]


@pytest.mark.parametrize(("sig", "delay", "twice"), CASES, ids=str)
def test_a_render_ends_on_any_signal_without_a_trace(tmp_path, sig, delay, twice):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    (tmp_path / "x.gif").write_bytes(b"old")
    env = {**os.environ, "TMPDIR": str(scratch)}
    process = subprocess.Popen(command(*LONG, "-o", "x.gif"), cwd=tmp_path, env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not any(p.name.endswith(".part") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.01)  # until it writes
    family, err = stop(process, sig, twice, delay)
    assert_clean(process, sig, err, family, tmp_path, scratch, {"x.gif", "tmp"})
    assert (tmp_path / "x.gif").read_bytes() in (b"old",) or (tmp_path / "x.gif").read_bytes().endswith(b";")


@pytest.mark.parametrize(("output", "sig"), [("x.mp4", signal.SIGPIPE), ("-", DRAW.choice(SIGNALS))], ids=str)
def test_an_mp4_and_its_ffmpeg_end_on_a_signal(tmp_path, output, sig):
    pytest.importorskip("imageio_ffmpeg")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    args = [*LONG, "-o", output, "--format", "mp4"]
    process = subprocess.Popen(command(*args), cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not descendants(process.pid) and time.monotonic() < deadline:  # until ffmpeg runs
        time.sleep(0.05)
    family, err = stop(process, sig, False, DRAW.uniform(0.1, 0.5))
    assert family, "ffmpeg never started"
    assert_clean(process, sig, err, family, tmp_path, scratch, {"tmp"})
    assert not (tmp_path / "x.mp4").exists()


GALLERY = """
title = "signals"
[[entry]]
name = "a"
title = "A"
args = "--in 2,30,30 --region 0:28,0:28 --max-frames 0"
[[entry]]
name = "b"
title = "B"
args = "--in 2,30,30 --region 0:28,0:28 --max-frames 0 --format webp"
[[entry]]
name = "c"
title = "C"
args = "--in 2,28,30 --region 0:26,0:28 --max-frames 0"
"""


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM], ids=str)
def test_a_gallery_and_its_workers_end_on_a_signal(tmp_path, sig):
    (tmp_path / "gallery.toml").write_text(GALLERY)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    process = subprocess.Popen(
        command("gallery", "--config", "gallery.toml", "--jobs", "2", "-q"),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while not any(p.name.endswith(".part") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.02)  # until the workers write
    family, err = stop(process, sig, False, DRAW.uniform(0.0, 0.3))
    assert len(family) >= 2, "the workers never started"
    assert_clean(process, sig, err, family, tmp_path, scratch, {"gallery.toml", "tmp"})
