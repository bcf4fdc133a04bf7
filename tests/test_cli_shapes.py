"""An --in without a channel axis: a note says how it was read, and a layer so read that is
refused is refused naming --in and the axes the kind takes."""

import random
import re

import click
import pytest
from click.testing import CliRunner

from convgif import ops
from convgif.cli import main
from convgif.cli.options import parse

#: Pooling and convolution kinds of two and three axes, each with a kernel.
KINDS = ["Conv2d", "MaxPool2d", "AvgPool2d", "LPPool2d", "Conv3d", "MaxPool3d", "AvgPool3d"]


def _outcome(words: list[str]):
    try:
        return parse(words).spec, None
    except click.BadParameter as error:
        return None, error


def test_random_inputs_without_channels_are_noted_or_refused_naming_in():
    """Each layer given sizes only is drawn as the same sizes with one channel written out, or
    refused as that one is; the refusal names --in, how it was read and what the kind takes where
    the kind of one axis fewer draws the sizes as channels first, else it is the layer's own."""
    rng = random.Random(3)
    checked = {"drawn": 0, "refused": 0, "its own": 0}
    for _ in range(400):
        name = rng.choice(KINDS)
        dims = ops.operation(name).dims
        sizes = [rng.randint(1, 5) for _ in range(dims)]
        extra = ["--k", str(rng.randint(1, 4))] + (["--norm-type", "2"] if name.startswith("LP") else [])
        bare = ["--layer", name, "--in", ",".join(map(str, sizes)), *extra]
        full = ["--layer", name, "--in", ",".join(map(str, [1, *sizes])), *extra]
        spec, error = _outcome(bare)
        spec_full, error_full = _outcome(full)
        assert (spec is None) == (spec_full is None), (bare, error, error_full)
        if spec is not None:
            assert spec.input_shape == spec_full.input_shape == (1, *sizes)
            checked["drawn"] += 1
            continue
        fewer = ops.canonical(name.replace(f"{dims}d", f"{dims - 1}d")) if name.endswith(f"{dims}d") else None
        channels_first = ["--layer", fewer, "--in", ",".join(map(str, sizes)), *extra] if fewer else None
        if channels_first is None or _outcome(channels_first)[0] is None:
            assert error.format_message() == error_full.format_message(), (bare, fewer)  # the layer's own refusal
            checked["its own"] += 1
            continue
        checked["refused"] += 1
        axes = {2: "H,W", 3: "D,H,W"}[dims]
        message = error.format_message()
        assert error.param.name == "input_shape", message
        assert f"is read as {axes} of one channel" in message and f"{name} takes --in C,{axes}" in message
        assert f"and then {error_full.message};" in message, (message, error_full.message)
        assert "no channel axis" not in error_full.format_message()
    assert min(checked.values()) > 20, checked


@pytest.mark.parametrize(
    "args, words",
    [
        (["--in", "3,7", "--k", "3"], "--in 3,7 is read as H,W of one channel, input (1, 3, 7)"),
        (["--in", "3,7", "--k", "3"], "for 3 channels of length 7, --layer Conv1d takes --in C,L"),
        (
            ["--layer", "MaxPool3d", "--in", "2,4,4", "--k", "2"],
            "for 2 channels of 4×4, --layer MaxPool2d takes --in C,H,W",
        ),
        (["--layer", "Unfold", "--in", "3,3", "--k", "2"], "Unfold takes --in C,H,W, the channels first"),
    ],
)
def test_a_note_says_how_sizes_without_channels_were_read(args, words, tmp_path):
    result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "a.gif")])
    assert result.exit_code == 0, result.output
    assert "note: --in " in result.output and words in result.output
    quiet = CliRunner().invoke(main, [*args, "-q", "-o", str(tmp_path / "b.gif")])
    assert quiet.exit_code == 0 and "note:" not in quiet.output


@pytest.mark.parametrize("args", [["--in", "1,3,7", "--k", "3"], ["--layer", "Conv1d", "--in", "7", "--k", "3"]])
def test_no_note_with_the_channels_given_or_for_a_1d_length(args, tmp_path):
    result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "a.gif")])
    assert result.exit_code == 0 and "is read as" not in result.output


def test_the_missing_axis_of_a_3d_pool_is_named_instead_of_the_kernel():
    result = CliRunner().invoke(main, ["--layer", "MaxPool3d", "--in", "1,4,4", "--k", "2"])
    assert result.exit_code == 2
    assert re.search(r"Invalid value for '--in'.*--in 1,4,4 has no channel axis", result.output)
    assert "MaxPool3d takes --in C,D,H,W, the channels first" in result.output
    one_d = CliRunner().invoke(main, ["--layer", "Conv1d", "--in", "5", "--k", "7"])
    assert one_d.exit_code == 2 and "Invalid value for '--k'" in one_d.output  # a length alone is no slip
    too_large = CliRunner().invoke(main, ["--in", "5,5", "--k", "7"])  # a Conv1d of 5 channels refuses it too
    assert too_large.exit_code == 2 and "Invalid value for '--k'" in too_large.output, too_large.output


@pytest.mark.parametrize("kind", ["ReflectionPad3d", "CircularPad3d"])
def test_a_3d_padding_too_large_for_a_depth_read_from_the_missing_channel_names_in(kind):
    """--in 1,3,3 of a 3-D padding is D,H,W of one channel: a depth of 1 that the padding cannot
    take is the missing axis, named as a 3-D pool's is; the channel written out keeps the refusal."""
    result = CliRunner().invoke(main, ["--layer", kind, "--in", "1,3,3", "--p", "2"])
    assert result.exit_code == 2, result.output
    assert re.search(r"Invalid value for '--in'.*--in 1,3,3 has no channel axis, so it is read as D,H,W", result.output)
    assert f"--layer {kind.replace('3d', '2d')} takes --in C,H,W" in result.output
    written = CliRunner().invoke(main, ["--layer", kind, "--in", "1,1,3,3", "--p", "2"])
    assert written.exit_code == 2 and "Invalid value for '--p'" in written.output, written.output


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("ReflectionPad", ["ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d"]),
        ("LPPool", ["LPPool1d", "LPPool2d", "LPPool3d"]),
        ("maxunpool", ["MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"]),
        ("Upsample2d", ["Upsample"]),
        ("Conv2", ["Conv2d"]),
        ("checkerbord", ["checkerboard"]),
    ],
)
def test_a_kind_without_its_dimension_or_a_letter_off_is_answered_with_the_kinds_meant(typed, meant):
    result = CliRunner().invoke(main, ["--layer", typed, "--in", "1,4,4"])
    assert result.exit_code == 2 and "Invalid value for '--layer'" in result.output, result.output
    listed = meant[0] if len(meant) == 1 else ", ".join(meant[:-1]) + f" or {meant[-1]}"
    assert f"did you mean {listed}?" in result.output and "choose one of" not in result.output
    assert ops.near(typed) == meant
    far = CliRunner().invoke(main, ["--layer", "Linear", "--in", "1,4,4"])  # nothing near: every kind listed
    assert far.exit_code == 2 and "choose one of Conv2d" in far.output and ops.near("Linear") == []
