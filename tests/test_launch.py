"""The command as a process: signals at any moment, output that cannot be printed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

SIGNAL_STATUS = {130, 143, -signal.SIGINT, -signal.SIGTERM}  # a shell shows -N as 128 + N
LONG = ["--in", "2,30,30", "--region", "0:28,0:28", "--max-frames", "0"]  # about a thousand frames: seconds of work


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "convgif", *args]


def complete_gif(data: bytes) -> bool:
    return data.startswith(b"GIF89a") and data.endswith(b";")


# SIGTERM from the first instant (before convgif's handler it kills the interpreter outright);
# SIGINT once CPython has started (during its own start-up, CPython answers it itself).
MOMENTS = [(signal.SIGTERM, d, False) for d in (0.0, 0.01, 0.02, 0.04)] + [
    (signal.SIGINT if i % 2 else signal.SIGTERM, 0.15 + 0.06 * i, i % 3 == 0) for i in range(12)
]


@pytest.mark.parametrize(("sig", "delay", "twice"), MOMENTS, ids=lambda v: str(v))
def test_a_signal_at_any_moment_ends_cleanly(tmp_path, sig, delay, twice):
    target = tmp_path / "x.gif"
    target.write_bytes(b"the old picture")
    process = subprocess.Popen(command(*LONG, "-o", str(target), "-q"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(delay)
    process.send_signal(sig)
    if twice:  # a second one while the first unwinds
        time.sleep(0.0005)
        process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    assert process.returncode in SIGNAL_STATUS, err
    assert b"Traceback" not in err and b"Fatal" not in err and b"Exception ignored" not in err, err
    assert [p.name for p in tmp_path.iterdir()] == ["x.gif"]  # no temporary file left
    assert target.read_bytes() == b"the old picture" or complete_gif(target.read_bytes())


def test_standard_output_that_is_full_or_closed_is_an_error_not_a_traceback(tmp_path):
    with open("/dev/full", "wb") as full:
        done = subprocess.run(command("--in", "1,4,4", "-o", "-"), stdout=full, stderr=subprocess.PIPE, cwd=tmp_path)
    assert done.returncode == 1 and b"cannot write to standard output: No space left on device" in done.stderr
    assert b"Traceback" not in done.stderr and os.listdir(tmp_path) == []

    done = subprocess.run(
        command("--in", "1,4,4", "-o", "-"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        preexec_fn=lambda: os.close(1),
    )
    assert done.returncode == 1 and b"cannot write to standard output: it is closed" in done.stderr
    assert b"Traceback" not in done.stderr and os.listdir(tmp_path) == []


def test_a_summary_that_cannot_be_printed_is_an_error_after_the_file_is_written(tmp_path):
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            command("--in", "1,4,4", "-o", "b.gif"), stdout=full, stderr=subprocess.PIPE, cwd=tmp_path
        )
    assert done.returncode == 1, done.stderr
    assert b"wrote b.gif, but cannot print to standard output: No space left on device" in done.stderr
    assert b"Traceback" not in done.stderr and b"Exception ignored" not in done.stderr
    assert complete_gif((tmp_path / "b.gif").read_bytes())


def test_the_entry_point_installs_its_handlers_before_anything_else():
    source = open(os.path.join(os.path.dirname(__import__("convgif").__file__), "cli", "launch.py")).read()
    before = source.split("_PREVIOUS = ")[0]
    imports = [line for line in before.splitlines() if line.startswith(("import ", "from "))]
    # nothing heavier loads before the handlers are in place: the primitives they raise and call
    # are in a module that imports nothing but signal
    assert imports == ["import signal", "from ..interrupts import SIGNALS, Interrupted, end_now"]
    primitives = open(os.path.join(os.path.dirname(__import__("convgif").__file__), "interrupts.py")).read()
    assert [line for line in primitives.splitlines() if line.startswith(("import ", "from "))] == ["import signal"]


def test_a_signal_that_code_turns_into_another_error_still_ends_cleanly():
    """A signal inside a C extension's module set-up comes back as "ImportError: initialization
    failed" (seen under load while matplotlib's ft2font loaded): it is still a stop, not a crash."""
    script = (
        "import convgif.cli.launch as launch, convgif.cli as cli\n"
        "def stopped(**_):\n"
        "    launch._received.append(15)\n"
        "    raise ImportError('initialization failed')\n"
        "cli.main = stopped\n"
        "launch.run()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert done.returncode == 143 and done.stderr == b"interrupted\n", done.stderr
    script = script.replace("    launch._received.append(15)\n", "")  # the same error without a signal: a crash
    done = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert done.returncode == 1 and b"ImportError: initialization failed" in done.stderr


def test_running_out_of_memory_outside_a_render_is_a_message_not_a_traceback():
    script = (
        "import convgif.cli.launch as launch, convgif.cli as cli\n"
        "def exhausted(**_):\n"
        "    raise MemoryError\n"
        "cli.main = exhausted\n"
        "launch.run()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert done.returncode == 1 and done.stderr.startswith(b"Error: out of memory: nothing written"), done.stderr
    assert b"Traceback" not in done.stderr
