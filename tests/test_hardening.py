"""What people trying things meet: extreme inputs, interrupted and odd writes, pipes, races."""

import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from gifs import blocks
from PIL import Image

import convgif
from convgif import ops
from convgif.cli import main
from convgif.cli.launch import run
from convgif.picture.layout import plan

LONG = ["--in", "2,40,40", "--p", "1", "--out", "2", "--max-frames", "0"]  # 3,200 frames: seconds


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "convgif", *args]


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--in", "1,1,1", "--k", "1"], 0),
        (["--in", "1,5,5", "--k", "7", "--p", "1"], 0),  # kernel as large as the padded input
        (["--in", "1,5,5", "--k", "1", "--s", "9"], 0),  # stride larger than the input
        (["--in", "1,5,5", "--k", "3", "--s", "9"], 0),
        (["--in", "512,4,4", "--k", "3"], 0),
        (["--in", "1,2,100", "--k", "2"], 0),  # very wide
        (["--in", "1,200,2", "--k", "2"], 0),  # very tall
        (["--in", "1,2,200", "--k", "2"], 0),  # too wide to draw whole: a region of it is drawn
        (["--in", "1,2,2000", "--k", "2,2000"], 2),  # even one output cell reads more than fits
        (["--in", "1,9,9", "--max-frames", "1"], 0),
        (["--in", "100000,4,4"], 0),  # six channels drawn, the rest counted
        (["--in", "100001,4,4"], 2),
        (["--in", "1,4,4", "--out", "100000"], 0),
    ],
)
def test_extreme_inputs_render_or_are_refused_at_once(tmp_path, monkeypatch, args, expected):
    monkeypatch.chdir(tmp_path)
    started = time.perf_counter()
    result = invoke(*args, "-o", "x.gif")
    assert result.exit_code == expected, result.output
    if expected == 0:
        assert Image.open("x.gif").n_frames >= 1
    else:
        named = "'--k' / '--kernel-size'" if "2,2000" in args else "'--in' / '--in-shape'"  # the window, or the layer
        assert named in result.output and not (tmp_path / "x.gif").exists()
        assert time.perf_counter() - started < 5  # refused before any drawing (generous for slow CI)


def test_many_channels_show_an_ellipsis_and_say_so():
    spec = convgif.Conv2dSpec((512, 4, 4), 1, 3)
    layout = plan(ops.of(spec).geometries(spec)[0])
    texts = [t[0] for t in layout.texts]
    assert "showing 6 of 512 input channels" in texts and "… 506 more" in texts


@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_mid_render_leaves_the_old_file_and_no_partial_one(tmp_path, sig, status):
    target = tmp_path / "x.gif"
    target.write_bytes(b"the old picture")
    process = subprocess.Popen(command(*LONG, "-o", str(target), "-q"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not any(p.name.endswith(".part") for p in tmp_path.iterdir()):  # the render has begun
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.02)
    process.send_signal(sig)
    _, err = process.communicate(timeout=30)
    assert process.returncode == status, err
    assert b"Traceback" not in err
    assert target.read_bytes() == b"the old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["x.gif"]


def test_ctrl_c_while_starting_exits_quietly(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("convgif.cli.main", interrupted)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with pytest.raises(SystemExit) as exit:
            run()
    finally:  # run() leaves its exit-at-once handlers in place, as a process that ends does
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert exit.value.code == 130 and capsys.readouterr().err == "interrupted\n"


def test_missing_read_only_and_folder_outputs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, extra in (("x.gif", ()), ("x.png", ("--frame", "2")), ("s.png", ("--sheet",))):
        result = invoke("--in", "1,4,4", *extra, "-o", f"no/such/folder/{name}")
        assert (
            result.exit_code == 1
            and (f"cannot write no/such/folder/{name} (-o/--output): the folder no/such/folder does not exist")
            in result.output
        ), result.output
        assert os.listdir(".") == []  # nothing written, not even in part
    os.mkdir("folder")
    result = CliRunner().invoke(main, ["--in", "1,4,4", "-o", "folder"])
    assert result.exit_code == 2 and "'-o' / '--output'" in result.output
    assert "-o folder is a folder; convgif writes a file: give its name, e.g. -o folder/conv2d_1x4x4_out1_k3.gif" in (
        result.output
    )
    for given in ("folder/", "new/"):
        result = CliRunner().invoke(main, ["--in", "1,4,4", "-o", given])
        assert result.exit_code == 2 and "'-o' / '--output'" in result.output, result.output
        assert f"-o {given[:-1]}/conv2d_1x4x4_out1_k3.gif" in result.output
    assert "mkdir -p new, then -o new/" in result.output and not os.path.exists("new")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as patch:
        patch.setattr(os, "open", denied)
        result = invoke("--in", "1,4,4", "-o", "x.gif")
    assert result.exit_code == 1 and "cannot write x.gif (-o/--output): Permission denied" in result.output
    assert sorted(os.listdir()) == ["folder"]


def test_a_folder_that_takes_no_new_files_is_named_in_plain_words(tmp_path, monkeypatch):
    """/proc exists but creating a file there fails with ENOENT: not 'No such file' alone."""
    monkeypatch.chdir(tmp_path)

    def refused(*args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory")

    with monkeypatch.context() as patch:
        patch.setattr(os, "open", refused)
        result = invoke("--in", "1,4,4", "-o", "x.gif")
    assert result.exit_code == 1, result.output
    assert (
        "cannot write x.gif (-o/--output): the folder . takes no new files (the system says: No such file or directory)"
        in (result.output)
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = invoke("--in", "1,4,4", "-o", str(folder / "x.gif"))
        assert result.exit_code == 1 and "Permission denied" in result.output
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("name", ["with spaces.gif", "überσ 图.gif", "-dash.gif"])
def test_odd_file_names(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    result = invoke("--in", "1,4,4", "-q", "-o", f"./{name}" if name.startswith("-") else name)
    assert result.exit_code == 0 and Image.open(name).n_frames == 4


def test_standard_output_for_pipes_and_not_for_terminals(tmp_path, monkeypatch):
    done = subprocess.run(command("--in", "1,4,4", "-o", "-"), capture_output=True, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout[:6] == b"GIF89a" and done.stdout[-1:] == b";"
    assert b"output (1, 2, 2)" in done.stderr and os.listdir(tmp_path) == []
    (tmp_path / "piped.gif").write_bytes(done.stdout)
    assert blocks(tmp_path / "piped.gif")["loop"] == 0

    import pty

    controller, terminal = pty.openpty()  # standard output on a terminal
    try:
        done = subprocess.run(
            command("--in", "1,4,4", "-o", "-"), stdout=terminal, stderr=subprocess.PIPE, cwd=tmp_path
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert done.returncode == 2 and b"standard output, which is a terminal" in done.stderr
    assert os.listdir(tmp_path) == ["piped.gif"]


def test_two_renders_to_one_path_leave_one_complete_gif(tmp_path):
    target = tmp_path / "x.gif"
    references = []
    for seed in ("1", "2"):
        reference = tmp_path / f"ref{seed}.gif"
        subprocess.run(
            command("--in", "2,20,20", "--max-frames", "0", "--seed", seed, "-o", str(reference), "-q"), check=True
        )
        references.append(reference.read_bytes())
    runs = [
        subprocess.Popen(command("--in", "2,20,20", "--max-frames", "0", "--seed", seed, "-o", str(target), "-q"))
        for seed in ("1", "2")
    ]
    assert [p.wait(timeout=60) for p in runs] == [0, 0]
    assert target.read_bytes() in references
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ref1.gif", "ref2.gif", "x.gif"]
