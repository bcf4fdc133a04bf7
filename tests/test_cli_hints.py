"""The slips click answers tersely are answered with the option meant."""

import click
import pytest
from click.testing import CliRunner

from convgif.cli import main
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
    ],
)
def test_a_long_option_with_one_dash_is_named(args, meant):
    result = run(*args)
    assert result.exit_code == 2 and "No such option '-" in result.output and meant in result.output, result.output
    assert "Traceback" not in result.output


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
