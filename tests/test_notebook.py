"""Notebooks: renders that show themselves, renders into memory, %convgif, no escape codes."""

import base64
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import convgif
from convgif.api import render_still

ROOT = Path(__file__).resolve().parent.parent
SPEC = convgif.Conv2dSpec((1, 5, 5), 1, 3, padding=1)


def embedded(markup: str) -> bytes:
    """The bytes of the data URI in an HTML snippet."""
    return base64.b64decode(re.search(r'src="data:[a-z/0-9]+;base64,([^"]+)"', markup).group(1))


def test_a_render_shows_itself_with_its_caption_as_alt_text(tmp_path):
    result = convgif.render(SPEC, tmp_path / "a.gif")
    markup = result._repr_html_()
    assert markup.startswith('<img src="data:image/gif;base64,') and f'alt="{SPEC.caption}"' in markup
    assert embedded(markup) == (tmp_path / "a.gif").read_bytes()
    bundle = result._repr_mimebundle_()
    assert bundle["text/html"] == markup and SPEC.caption in bundle["text/plain"]
    webp = convgif.render(SPEC, tmp_path / "a.webp")
    assert webp.format == "webp" and 'src="data:image/webp;base64,' in webp._repr_html_()


def test_render_into_a_file_object_writes_nothing_to_disk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    buffer = io.BytesIO()
    result = convgif.render(SPEC, buffer)
    assert result.path is None and result.format == "gif" and buffer.getvalue().startswith(b"GIF89a")
    assert result.data == buffer.getvalue() and result.bytes == len(buffer.getvalue())
    assert buffer.getvalue() == convgif.render(SPEC, tmp_path / "same.gif").path.read_bytes()
    webp = io.BytesIO()
    assert convgif.render(SPEC, webp, format="webp").format == "webp" and webp.getvalue()[8:12] == b"WEBP"
    still = io.BytesIO()
    assert render_still(SPEC, still, step=2).format == "png" and still.getvalue().startswith(b"\x89PNG")
    with open(tmp_path / "opened.gif", "wb") as opened:  # an open file is written directly too
        convgif.render(SPEC, opened)
    assert (tmp_path / "opened.gif").read_bytes() == buffer.getvalue()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["opened.gif", "same.gif"]


def test_show_renders_into_memory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shown = convgif.show(SPEC, values=True)
    assert shown.path is None and shown.data.startswith(b"GIF89a") and embedded(shown._repr_html_()) == shown.data
    assert convgif.show(SPEC, step=3).data.startswith(b"\x89PNG")
    assert list(tmp_path.iterdir()) == []


IPython = pytest.importorskip("IPython")


@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "convgif")
    return shell


def test_the_magic_renders_the_command_arguments_inline(shell, tmp_path, monkeypatch):
    from IPython.core.error import UsageError
    from IPython.utils.capture import capture_output

    monkeypatch.chdir(tmp_path)
    with capture_output() as captured:
        assert shell.run_line_magic("convgif", "--in 1,5,5 --k 3 --p 1 --values") is None
    (output,) = captured.outputs
    assert f'alt="{SPEC.caption}"' in output.data["text/html"]
    assert (
        embedded(output.data["text/html"]) == convgif.render(SPEC, tmp_path / "same.gif", values=True).path.read_bytes()
    )
    with capture_output() as captured:
        shell.run_line_magic("convgif", "--in 1,5,5 --p 1 -o saved.gif")
    assert (tmp_path / "saved.gif").is_file() and len(captured.outputs) == 1
    with pytest.raises(UsageError, match="groups=2 must divide"):
        shell.run_line_magic("convgif", "--in 3,7,7 --g 2")


def test_the_magic_help_lists_the_render_options_and_writes_nothing(shell, tmp_path, monkeypatch):
    from IPython.utils.capture import capture_output

    monkeypatch.chdir(tmp_path)
    for word in ("--help", "-h"):
        with capture_output() as captured:
            assert shell.run_line_magic("convgif", f"--in 3,7,7 {word}") is None
        assert captured.stdout.startswith("Usage: %convgif [OPTIONS]")
        assert "--in, --in-shape" in captured.stdout and "-o, --output FILE" in captured.stdout
        assert not captured.outputs
    assert list(tmp_path.iterdir()) == []


def test_show_displays_once_in_its_cell_and_again_later(shell):
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        shown = convgif.show(SPEC)
        shown._ipython_display_()  # the cell's value, displayed by IPython: not a second time
    assert len(captured.outputs) == 1
    shell.execution_count += 1  # a later cell shows it again
    with capture_output() as captured:
        shown._ipython_display_()
    assert len(captured.outputs) == 1


# -- no escape codes where the output is not a terminal --------------------------------------


def test_terminal_detection(monkeypatch):
    from convgif.cli.commands import is_terminal

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("JPY_PARENT_PID", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert is_terminal(Tty()) and not is_terminal(io.StringIO())
    monkeypatch.setenv("TERM", "dumb")
    assert not is_terminal(Tty())
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("JPY_PARENT_PID", "1")
    assert not is_terminal(Tty())


def stderr_on_a_pty(tmp_path, **env) -> bytes:
    """What a long render writes on a pseudo-terminal (as ``!convgif`` gives in Jupyter)."""
    import pty

    master, slave = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("JPY_PARENT_PID", "TERM")}
    environment.update({"TERM": "xterm", **env})
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "convgif",
            "--in",
            "1,36,36",
            "--p",
            "1",
            "--region",
            "0:36,0:36",
            "--max-frames",
            "0",
            "-o",
            "x.gif",
        ],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=slave,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(master)
    assert process.returncode == 0
    return b"".join(chunks)


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals")
def test_no_progress_bar_under_a_jupyter_kernel_or_a_dumb_terminal(tmp_path):
    assert b"rendering" in stderr_on_a_pty(tmp_path)  # a real terminal shows the bar
    for env in ({"JPY_PARENT_PID": str(os.getpid())}, {"TERM": "dumb"}):
        written = stderr_on_a_pty(tmp_path, **env)
        assert b"\x1b" not in written and b"\r" not in written.replace(b"\r\n", b"\n") and b"rendering" not in written


# -- the example notebook, run by a real kernel -----------------------------------------------


def test_the_example_notebook_runs(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("torch")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")  # !convgif
    notebook = nbformat.read(ROOT / "examples" / "notebook.ipynb", as_version=4)
    nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    shown = [o for cell in code for o in cell.outputs if "text/html" in o.get("data", {})]
    assert len(shown) == 3  # show(spec), %convgif, show(layer): each once
    captions = [re.search(r'alt="([^"]+)"', o["data"]["text/html"]).group(1) for o in shown]
    assert captions[0].startswith("Input Shape : (3, 7, 7) — Output Shape : (2, 3, 3)")
    assert captions[1] == SPEC.caption and captions[2].startswith("Input Shape : (1, 6, 6) — Output Shape : (1, 4, 4)")
    command = "".join(o.get("text", "") for o in code[-1].outputs)
    assert "long.gif" in command and "\x1b" not in command and "rendering" not in command
    assert list(tmp_path.iterdir()) == []  # the command wrote into a temporary folder
    assert not any(o.output_type == "error" for cell in code for o in cell.outputs)
