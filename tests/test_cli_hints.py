"""The slips click answers tersely are answered with the option meant."""

import click
import pytest
from click.testing import CliRunner

from convgif.cli import main
from convgif.cli.hints import one_dash_first
from convgif.cli.options import parse


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize(
    ("args", "meant"),
    [
        (["-in", "1,5,5"], "No such option '-in': an option longer than one letter takes two dashes: --in"),
        (["-in=1,5,5"], "No such option '-in=1,5,5': an option longer than one letter takes two dashes: --in"),
        (["--in", "1,5,5", "-kernel-size", "3"], "two dashes: --kernel-size"),
        (["--in", "1,5,5", "-values"], "two dashes: --values"),
        (["--in", "1,5,5", "-no-values"], "two dashes: --no-values"),
        (["info", "-in", "1,5,5"], "two dashes: --in"),
        (["model", "x.txt", "-in", "3,8,8"], "two dashes: --in"),
        (
            ["--in", "3,7,7", "-out", "2", "--k", "3"],
            "No such option '-out': an option longer than one letter takes two dashes: --out",
        ),
        (["--in", "3,7,7", "-out"], "two dashes: --out"),
        (["--in", "3,7,7", "-output", "a.gif"], "two dashes: --output"),
        (["--in", "3,7,7", "-quiet"], "two dashes: --quiet"),
        (["--in", "3,7,7", "-layer", "Conv2d"], "two dashes: --layer"),
        (["-q", "info", "--in", "3,7,7", "-out", "2"], "two dashes: --out"),
        (["bench", "-out", "b.json"], "two dashes: --out"),
        (["gallery", "-out", "g"], "two dashes: --out"),
        (["model", "x.txt", "-output", "page"], "two dashes: --output"),
        (["model", "x.txt", "-values"], "two dashes: --values"),
    ],
)
def test_a_long_option_with_one_dash_is_named(args, meant):
    result = run(*args)
    assert result.exit_code == 2 and "No such option '-" in result.output and meant in result.output, result.output
    assert "Traceback" not in result.output


def test_a_one_dash_long_option_is_refused_before_click_reads_its_first_letter(tmp_path, monkeypatch):
    """``-out`` is refused rather than read as ``-o ut`` (which wrote a GIF named ``ut``): a user
    who really means the file ``ut`` writes ``-o ut``, which still works, and a value that looks
    like an option (``-o -out``) stays the option's value."""
    monkeypatch.chdir(tmp_path)
    result = run("--in", "1,3,3", "--k", "1", "-out")
    assert result.exit_code == 2 and "two dashes: --out" in result.output, result.output
    assert list(tmp_path.iterdir()) == []
    result = run("--in", "1,3,3", "--k", "1", "-q", "-o", "ut.gif")
    assert result.exit_code == 0 and (tmp_path / "ut.gif").is_file(), result.output
    ctx = click.Context(main)
    assert one_dash_first(main, ctx, ["--in", "1,3,3", "-o", "-out"]) is None
    assert one_dash_first(main, ctx, ["--title", "-out"]) is not None  # --title is no option: -out is read


@pytest.mark.parametrize("letter", ["k", "s", "p", "g", "d"])
@pytest.mark.parametrize("before", [[], ["info"], ["bench"]])
def test_a_pytorch_letter_with_one_dash_names_its_two_dash_option(before, letter):
    result = run(*before, "--in", "3,7,7", f"-{letter}", "2")
    assert result.exit_code == 2, result.output
    assert f"No such option '-{letter}': convgif's options take two dashes: --{letter}" in result.output


def test_an_unknown_short_option_is_still_clicks_answer():
    result = run("--in", "1,5,5", "-x")
    assert result.exit_code == 2 and "No such option '-x'." in result.output


@pytest.mark.parametrize(
    ("args", "meant"),
    [
        (["3,7,7"], "'3,7,7' follows no option: did you mean --in 3,7,7 (or --k, --s, --p)?"),
        (["--in", "1,5,5", "3,3"], "'3,3' follows no option: did you mean --k 3,3 (or --s, --p)?"),
        (["--in", "1,5,5", "--k", "3", "2"], "'2' follows no option: did you mean --s 2 (or --p)?"),
        (["--in", "1,5,5", "--k", "3", "--s", "2", "--p", "1", "2"], "'2' follows no option: Each value goes"),
    ],
)
def test_a_value_with_no_option_names_the_option_it_probably_lacks(args, meant):
    result = run(*args)
    assert result.exit_code == 2 and meant in result.output, result.output
    assert "only the commands info, bench, gallery, model stand alone" in result.output


def test_a_word_that_is_no_value_is_still_an_unknown_command():
    result = run("--in", "1,5,5", "foo")
    assert result.exit_code == 2 and "No such command 'foo'" in result.output


def test_the_words_of_a_gallery_entry_get_the_same_hint():
    with pytest.raises(click.UsageError, match="two dashes: --in"):
        parse(["-in", "1,5,5"])
