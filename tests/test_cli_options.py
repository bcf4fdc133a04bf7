"""The command's options come from what the layer kinds declare, and every message names an
option as click names it."""

import ast
from pathlib import Path

import click
import pytest

import convgif
from convgif import ops
from convgif.cli import main
from convgif.cli.options import ARGUMENTS, SPEC_OPTIONS, VIEW_OPTIONS
from convgif.ops.base import Operation

PACKAGE = Path(convgif.__file__).parent
#: Arguments only the Python API takes (arrays and notes), never an option.
API_ONLY = {"indices", "notes", "input", "weight", "bias", "grad_output", "columns", "progress", "spec"}


def command_options() -> set[str]:
    ctx = click.Context(main)
    names = {param.name for param in main.get_params(ctx)}
    for command in main.commands.values():
        names |= {param.name for param in command.get_params(ctx)}
    return names


def refused_arguments() -> set[str]:
    """Every argument a SpecError of the package names by a literal."""
    named = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("SpecError", "TooLargeError"):
                if node.args and isinstance(node.args[0], ast.Constant):
                    named.add(node.args[0].value)
    return named


def test_every_argument_a_message_names_is_an_option_of_the_command():
    missing = refused_arguments() - command_options() - API_ONLY
    assert not missing, f"messages name arguments no option sets: {sorted(missing)}"


def test_every_kinds_arguments_and_views_are_options_and_every_option_belongs_to_a_kind():
    taken, views = set(), set()
    for op in ops.operations():
        taken |= set(op.arguments)
        views |= {view for view in VIEW_OPTIONS if op.takes_view(view)}  # backward: every kind's
        assert set(op.arguments) <= set(SPEC_OPTIONS), op.name
    assert set(SPEC_OPTIONS) <= taken and set(VIEW_OPTIONS) == views
    assert {argument.name for argument in ARGUMENTS} <= command_options()


def test_the_layer_help_and_the_exports_list_every_registered_kind():
    ctx = click.Context(main)
    (layer,) = [param for param in main.get_params(ctx) if param.name == "layer"]
    for name in ops.NAMES:
        assert name in layer.help
        assert ops.spec_class_name(name) in convgif.__all__
        assert getattr(convgif, ops.spec_class_name(name)) is ops.operation(name).spec_type


def test_a_kind_missing_a_method_fails_when_it_is_made():
    class Incomplete(Operation):
        name = "Incomplete"

        def record(self, spec, seed=0, *, input=None, weight=None, bias=None):
            return None

    with pytest.raises(TypeError, match="abstract"):
        Incomplete()


def test_api_arguments_keep_their_names_in_refusals(tmp_path):
    spec = convgif.Conv2dSpec((1, 4, 4))
    with pytest.raises(convgif.SpecError) as error:
        convgif.render(spec, tmp_path / "x.gif", format="bmp")
    assert error.value.argument == "format" and "format='bmp'" in str(error.value)


def test_the_subcommands_the_pages_refuse_are_the_commands():
    from convgif.cli.options import SUBCOMMANDS

    assert set(SUBCOMMANDS) == set(main.commands)


def test_factors_help_says_what_it_adds_a_note_and_the_note_is_all_it_adds():
    """--factors writes the rank-1 kernel as a column times a row in a note; the kernel is still
    drawn and played as one 2-D grid, so the help promises the note, not a picture of factors."""
    from click.testing import CliRunner

    from convgif.animation.request import _Given

    result = CliRunner().invoke(main, ["--help"])
    entry = " ".join(result.output.split("--factors", 1)[1].split("--image", 1)[0].split())
    assert "note" in entry and "column times a row" in entry and "show" not in entry, entry
    spec = ops.operation("Conv2d").build(input_shape=(1, 7, 7), out_channels=1, kernel_size=3)
    plain = _Given.of(spec, None, None, None, None, "sobel-x", None, False, (), "en")
    noted = _Given.of(spec, None, None, None, None, "sobel-x", None, True, (), "en")
    assert noted.notes == ("kernel = column [1, 2, 1] times row [1, 0, -1]: 3 + 3 = 6 numbers instead of 9",)
    assert plain.notes == () and (plain.weight == noted.weight).all() and plain.spec == noted.spec


def test_the_width_help_states_the_width_a_picture_fits_by_default():
    from click.testing import CliRunner

    from convgif.picture.sizes import fit_box

    words = " ".join(CliRunner().invoke(main, ["--help"]).output.split())
    box = {scale: fit_box(scale)[0] for scale in range(1, 5)}
    said = (
        f"[default: {box[1]}, a page's column ({2 * box[1]} for --view matrix, its matrices side by side); "
        f"at --scale N, {box[1]}×N, at most {box[4]}]"
    )
    assert said in words, words
    assert all(box[n] == min(n * box[1], box[4]) for n in (2, 3))
