"""convgif/cli/helptext.py: ``convgif --help`` printed from the text click rendered ahead, the
same as click prints it, and never stale."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from convgif.cli import helptext


def click_help(columns: int) -> str:
    """What click prints for ``convgif --help`` in a terminal of ``columns`` columns."""
    script = (
        "import sys\nfrom convgif.cli.commands import main\n"
        "with main.make_context('convgif', [], resilient_parsing=True) as ctx:\n"
        "    sys.stdout.write(main.get_help(ctx) + '\\n')\n"
    )
    return command(["-c", script], columns).stdout


def command(arguments: list[str], columns: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run([sys.executable, *arguments], capture_output=True, text=True, env=env, check=True)


def test_the_kept_text_is_rendered_from_the_sources_as_they_are() -> None:
    kept = helptext.read()
    assert kept is not None, "convgif/cli/help.txt cannot be read"
    names, sums, _ = kept
    package, of_click = helptext.digests(names)
    fresh = helptext.sources()
    assert (sums[0], names) == (package, fresh), (
        "convgif's help changed: run `python -m convgif.cli.helptext` to render convgif/cli/help.txt again"
    )
    if sums[1] != of_click:
        pytest.skip("another release of click is installed: the command prints its help through click")
    assert Path(helptext.TEXT_FILE).read_text(encoding="utf-8") == helptext.render()


@pytest.mark.parametrize("columns", [80, 100, 160, 64])
@pytest.mark.parametrize("option", ["--help", "-h"])
def test_the_command_prints_what_click_prints(columns: int, option: str) -> None:
    printed = command(["-m", "convgif", option], columns)
    assert printed.stdout == click_help(columns)
    assert printed.stderr == ""


def test_help_at_a_kept_width_does_not_load_click() -> None:
    kept = helptext.read()
    if kept is None or kept[1] != helptext.digests(kept[0]):
        pytest.skip("the kept text is not for these sources (see the test above)")
    loaded = command(["-X", "importtime", "-m", "convgif", "--help"], 80).stderr
    assert not [line for line in loaded.splitlines() if line.rstrip().endswith("| click")]


def test_a_changed_source_falls_back_to_click(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert helptext.prerendered(["--help"]) is not None or pytest.skip("the kept text is not for these sources")
    header, sums, *texts = Path(helptext.TEXT_FILE).read_text(encoding="utf-8").split("\f")
    changed = tmp_path / "help.txt"
    package, of_click = (int(value, 16) for value in sums.split())
    changed.write_text("\f".join([header, f"{package ^ 1:08x} {of_click:08x}", *texts]), encoding="utf-8")
    monkeypatch.setattr(helptext, "TEXT_FILE", str(changed))
    assert helptext.prerendered(["--help"]) is None


@pytest.mark.parametrize(
    ("arguments", "columns"), [(["--help"], 70), (["--help", "x"], 80), (["info", "--help"], 80), ([], 80)]
)
def test_only_the_command_help_at_a_kept_width_is_kept(
    arguments: list[str], columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    assert helptext.prerendered(arguments) is None


@pytest.mark.parametrize(("columns", "width"), [(80, 78), (100, 98), (250, 98), (30, 50), (0, 78)])
def test_the_width_is_clicks(columns: int, width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    if columns == 0:
        monkeypatch.setattr(sys, "__stdout__", None)  # no terminal: 80 columns
    assert helptext.width() == width


def test_an_output_that_cannot_write_the_text_is_left_to_click() -> None:
    """An output whose encoding cannot write the text is left to click (no traceback)."""
    env = {**os.environ, "COLUMNS": "80", "PYTHONIOENCODING": "ascii"}
    printed = subprocess.run([sys.executable, "-m", "convgif", "--help"], capture_output=True, env=env, check=False)
    assert printed.returncode == 0 and printed.stderr == b""
    assert printed.stdout.startswith(b"Usage: convgif")
    assert helptext.prerendered(["--help"], "ascii") is None
