import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from gifs import blocks, displayed_frames, durations

import convgif
from convgif.cli import main
from convgif.picture import overlay


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def invoke(*args):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


def files(folder="."):
    return sorted(os.listdir(folder))


def test_bare_command_prints_help(run):
    result = run()
    assert result.exit_code == 0
    assert "Usage: convgif" in result.output and "--kernel-size" in result.output


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0 and convgif.__version__ in result.output


def test_main_command_writes_a_looping_captioned_gif(run):
    result = run("--in", "3,7,7", "--k", "3", "--s", "2")
    assert result.exit_code == 0, result.output
    name, summary = result.output.splitlines()
    assert name == "conv2d_3x7x7_out1_k3_s2.gif" and files() == [name]
    assert summary.startswith("output (1, 3, 3) · 28 parameters · 9 frames · ")
    assert re.search(r"· [\d,]+ bytes · [\d.]+ s$", summary)
    assert blocks(name)["loop"] == 0
    assert len(displayed_frames(Path(name))) == 9
    assert durations(name) == [300] * 8 + [1500]


def test_pytorch_option_names_and_odd_output_path(run):
    result = run(
        "--in-shape",
        "2,6,6",
        "--out-channels",
        "4",
        "--kernel-size",
        "3,2",
        "--stride",
        "1,2",
        "--padding",
        "1",
        "--dilation",
        "2,1",
        "--groups",
        "2",
        "--no-bias",
        "--padding-mode",
        "circular",
        "-o",
        "a gif é.gif",
    )
    assert result.exit_code == 0, result.output
    spec = convgif.Conv2dSpec((2, 6, 6), 4, (3, 2), (1, 2), 1, (2, 1), 2, False, "circular")
    assert result.output.splitlines()[1].startswith(f"output {spec.output_shape} · {spec.num_parameters} parameters")
    assert files() == ["a gif é.gif"]
    assert len(displayed_frames(Path("a gif é.gif"))) == spec.steps


def test_quiet_prints_only_the_path(run):
    result = run("--in", "1,4,4", "-q", "-o", "x.gif", "--fps", "10")
    assert result.exit_code == 0 and result.output == "x.gif\n"
    assert durations("x.gif") == [100, 100, 100, 1500]


@pytest.mark.parametrize(
    "args, option, words",
    [
        (["--in", "3,7,7", "--g", "2", "--out", "2"], "'--g' / '--groups'", "groups=2 must divide in_channels=3"),
        (["--in", "2,7,7", "--g", "2", "--out", "3"], "'--g' / '--groups'", "groups=2 must divide out_channels=3"),
        (["--in", "3,7,7", "--k", "0"], "'--k' / '--kernel-size'", "kernel_size=0 must be positive"),
        (["--in", "3,7,7", "--k", "8"], "'--k' / '--kernel-size'", "larger than the padded input (7, 7)"),
        (["--in", "3,7,7", "--k", "3", "--d", "4"], "'--k' / '--kernel-size'", "with dilation=(4, 4) spans (9, 9)"),
        (["--in", "3,7,7", "--s", "0"], "'--s' / '--stride'", "stride=0 must be positive"),
        (["--in", "3,7,7", "--s", "2", "--p", "same"], "'--p' / '--padding'", "padding='same' needs stride 1"),
        (["--in", "3,7,7", "--p", "-1"], "'--p' / '--padding'", "must be non-negative"),
        (
            ["--in", "1,3,3", "--p", "3", "--padding-mode", "reflect"],
            "'--p' / '--padding'",
            "smaller than the input size (3, 3)",
        ),
        (["--in", "1,3,3", "--p", "4", "--padding-mode", "circular"], "'--p' / '--padding'", "at most the input size"),
        (["--in", "3,7,7", "--p", "full"], "'--p' / '--padding'", "'full'"),
        (["--in", "3,7,7", "--d", "0"], "'--d' / '--dilation'", "dilation=0 must be positive"),
        (["--in", "3,7,7", "--out", "0"], "'--out' / '--out-channels'", "out_channels=0 must be a positive integer"),
        (["--in", "3,7,7", "--g", "0"], "'--g' / '--groups'", "groups=0 must be a positive integer"),
        (["--in", "3,x,7"], "'--in'", "not a comma-separated list of integers"),
        (["--in", "3,7,7,7"], "'--in'", "must be (C, H, W) or (H, W)"),
        (["--in", "0,7,7"], "'--in'", "must be C,H,W or H,W of positive integers"),
        (["--in", "3,7,7", "--k", "3,3,3"], "'--k'", "a pair of integers (h, w)"),
        (["--in", "3,7,7", "--padding-mode", "mirror"], "'--padding-mode'", "mirror"),
        (["--in", "1,500,500", "--k", "400"], "'--k' / '--kernel-size'", "even one output cell"),
        (["--in", "1,80,80", "--k", "60", "--values"], "'--k' / '--kernel-size'", "draw it without values"),
        (["--in", "1,5,5", "--k", "401", "--p", "200"], "'--p' / '--padding'", "shrink the padding"),
        (
            ["--in", "1,5,5", "--k", "1", "--d", "100000000000000000000"],
            "'--d' / '--dilation'",
            "PyTorch keeps sizes as 64-bit integers",
        ),
        (["--in", "1,5,5", "--k", "1", "--d", "200000"], "'--d' / '--dilation'", "too large to draw"),
        (["--in", "100000000,5,5"], "'--in' / '--in-shape'", "too large to draw"),
        (["--in", "9,5,5", "--out", "100000", "--k", "5"], "'--out' / '--out-channels'", "too large to draw"),
        (["--in", "3,7,7", "--seed", "-1"], "'--seed'", "-1"),
        (["--in", "3,7,7", "--fps", "0"], "'--fps'", "fps=0 must be from 0.1 to 50"),
        (["--in", "3,7,7", "--fps", "500"], "'--fps'", "to 50"),
        (["--in", "3,7,7", "--fps", "0.005"], "'--fps'", "from 0.1"),
        (["--in", "3,7,7", "--max-frames", "-1"], "'--max-frames'", "max_frames=-1"),
        (["--k", "3"], "'--in' / '--in-shape'", "Missing option"),
        (["--in", "3,7,7", "--bogus"], "--bogus", "No such option"),
    ],
)
def test_bad_arguments_exit_2_naming_the_option_and_write_nothing(run, args, option, words):
    result = run(*args, "-o", "out.gif")
    assert result.exit_code == 2, result.output
    assert option in result.output and words in result.output
    assert "Traceback" not in result.output
    assert files() == []


def test_unwritable_output_exits_1_with_a_message(run):
    result = run("--in", "1,4,4", "-o", "missing/folder/x.gif")
    assert result.exit_code == 1
    assert "cannot write missing/folder/x.gif" in result.output and "Traceback" not in result.output


def test_interrupted_render_leaves_nothing_and_keeps_the_old_file(run, monkeypatch):
    Path("x.gif").write_bytes(b"previous")
    original = overlay.Animation.frames

    def interrupted(self, steps):
        for i, frame in enumerate(original(self, steps)):
            if i == 5:
                raise KeyboardInterrupt
            yield frame

    monkeypatch.setattr(overlay.Animation, "frames", interrupted)
    result = run("--in", "1,7,7", "-o", "x.gif")
    assert result.exit_code == 130
    assert "interrupted" in result.output
    assert files() == ["x.gif"] and Path("x.gif").read_bytes() == b"previous"


def test_a_render_out_of_memory_exits_1_with_a_message_and_keeps_the_old_file(run, monkeypatch):
    Path("x.gif").write_bytes(b"previous")
    original = overlay.Animation.frames

    def exhausted(self, steps):
        for i, frame in enumerate(original(self, steps)):
            if i == 3:
                raise MemoryError
            yield frame

    monkeypatch.setattr(overlay.Animation, "frames", exhausted)
    result = run("--in", "1,7,7", "-o", "x.gif")
    assert result.exit_code == 1
    assert "out of memory while drawing this layer: nothing written" in result.output
    assert "--region" in result.output and "Traceback" not in result.output
    assert files() == ["x.gif"] and Path("x.gif").read_bytes() == b"previous"


def test_max_frames_draws_a_smaller_part_every_step_of_it_and_says_so(run):
    result = run("--in", "1,12,12", "--max-frames", "10", "-o", "x.gif")
    assert result.exit_code == 0
    assert "note: drew output rows 0–2, columns 0–2" in result.output  # 9 steps, all of them
    assert len(displayed_frames(Path("x.gif"))) == 9
    result = run("--in", "1,12,12", "--max-frames", "0", "-o", "y.gif", "-q")
    assert len(displayed_frames(Path("y.gif"))) == 100


def test_same_arguments_same_bytes_and_seed_changes_them(run):
    for name, seed in (("a.gif", "0"), ("b.gif", "0"), ("c.gif", "1")):
        assert run("--in", "2,5,5", "--out", "2", "--values", "--seed", seed, "-o", name, "-q").exit_code == 0
    a, b, c = (Path(n).read_bytes() for n in ("a.gif", "b.gif", "c.gif"))
    assert a == b != c


def test_python_module_entry_point(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "convgif", "--in", "1,4,4", "-q", "-o", str(tmp_path / "m.gif")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip().endswith("m.gif")
    assert done.stderr == ""


def test_progress_bar_only_when_enabled_and_after_a_moment(capsys, monkeypatch):
    from convgif.cli.commands import _Progress

    def shown(enabled: bool, delay: float) -> str:
        monkeypatch.setattr(_Progress, "DELAY", delay)
        progress = _Progress(enabled)
        for i in range(1, 6):
            progress(i, 5)
        progress.close()
        return capsys.readouterr().err

    assert shown(enabled=False, delay=0.0) == ""
    assert "rendering" in shown(enabled=True, delay=0.0)
    assert shown(enabled=True, delay=60.0) == ""


def test_empty_or_folder_output_is_a_usage_error(run):
    os.mkdir("folder")
    for target in ("", "folder"):
        result = run("--in", "1,4,4", "-o", target)
        assert result.exit_code == 2 and "'-o' / '--output'" in result.output
    assert files() == ["folder"] and files("folder") == []


def test_api_render_into_a_folder_leaves_nothing(tmp_path):
    with pytest.raises(IsADirectoryError):
        convgif.render(convgif.Conv2dSpec((1, 4, 4)), tmp_path)
    assert os.listdir(tmp_path) == []


def test_hidden_output_channels_are_skipped_and_said(run):
    result = run("--in", "1,5,5", "--out", "16", "-o", "x.gif")
    assert result.exit_code == 0
    assert "only the steps of the output channels shown are drawn (54 of the layer's 144 steps)" in result.output
    assert len(displayed_frames(Path("x.gif"))) == 54


def test_channels_a_picture_leaves_out_are_said_when_its_steps_are_all_drawn(run):
    result = run("--layer", "PixelShuffle", "--in", "32,3,3", "--upscale-factor", "2", "-o", "x.gif")
    assert result.exit_code == 0
    assert re.search(
        r"note: showing (\d+) of 32 input channels, \d of 8 output channels: as many as fit", result.output
    )
    assert "only the steps" not in result.output
    whole = run("--layer", "PixelShuffle", "--in", "8,3,3", "--upscale-factor", "2", "-o", "y.gif")
    assert "note: showing" not in whole.output


def test_one_frame_is_singular(run):
    result = run("--in", "1,3,3", "-o", "x.gif")
    assert " · 1 frame · " in result.output


def test_a_one_cell_part_is_named_as_one_row_and_one_column(run):
    result = run("--layer", "Conv3d", "--in", "1,3,5,5", "--k", "3", "--region", "0:1,0:1", "-o", "x.gif")
    assert result.exit_code == 0
    assert "note: drew output row 0, column 0 and the input they read" in result.output
    wider = run("--in", "1,9,9", "--region", "2:3,1:4", "-o", "y.gif")
    assert "note: drew output row 2, columns 1–3 and" in wider.output
    one_d = run("--layer", "Conv1d", "--in", "1,9", "--region", "4:5", "-o", "z.gif")
    assert "note: drew output position 4 and" in one_d.output


def test_the_figures_printed_have_thousands_separators(run, monkeypatch):
    """Frames and steps as the bytes are: 1,600 frames, not 1600 (a render of 1,600 frames
    takes long, so its result is what the render returns, counted larger)."""
    from convgif.cli import commands

    original = commands._report

    def larger(spec, result, *args, **kwargs):
        counted = type(result)(**{**vars(result), "frames": 1600, "steps": 3136, "shown_steps": 1568})
        return original(spec, counted, *args, **kwargs)

    monkeypatch.setattr(commands, "_report", larger)
    result = run("--in", "1,5,5", "-o", "x.gif")
    assert result.exit_code == 0, result.output
    assert " · 1,600 frames · " in result.output
    assert "drawn (1,568 of the layer's 3,136 steps)" in result.output


def test_relative_to_without_a_snippet_is_refused_naming_both(run):
    result = CliRunner().invoke(main, ["--in", "1,4,4", "--relative-to", "docs", "-o", "x.gif"])
    assert result.exit_code == 2 and "Invalid value for '--relative-to'" in result.output
    assert "add --markdown or --html, or drop --relative-to" in result.output and not os.path.exists("x.gif")
    with_snippet = run("--in", "1,4,4", "--relative-to", ".", "--markdown", "-o", "x.gif")
    assert with_snippet.exit_code == 0 and "![" in with_snippet.output
