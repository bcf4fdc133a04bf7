"""Never a layer other than the one described: what a state_dict cannot tell is asked for, a
``--layer`` line tells every argument (an option adds only what print(model) never shows), a
pooling layer of a state_dict comes from its line, and a module whose forward differs from its
class's is refused, saying what convgif can draw instead."""

from __future__ import annotations

import click
import numpy as np
import pytest

import convgif
from convgif.cli.options import parse

torch = pytest.importorskip("torch")
nn = torch.nn


def refusal(args: list[str]) -> click.BadParameter:
    with pytest.raises(click.BadParameter) as error:
        parse(args)
    return error.value


@pytest.fixture
def files(tmp_path):
    torch.manual_seed(2)
    model = nn.Sequential(
        nn.Conv2d(1, 2, 3, stride=2, padding=1, padding_mode="reflect"),
        nn.MaxPool2d(3, stride=2, padding=1),
        nn.ConvTranspose2d(4, 4, 2, stride=2, groups=2),
        nn.AdaptiveAvgPool2d((1, None)),
        nn.LPPool2d(2, 2),
    )
    torch.save(model.state_dict(), tmp_path / "state.pt")
    torch.save(model, tmp_path / "model.pt")
    return model, tmp_path


def test_a_state_dict_cannot_tell_stride_padding_or_dilation(files):
    model, folder = files
    state = ["--weights", str(folder / "state.pt"), "--module", "0", "--in", "1,7,7"]
    error = refusal(state)
    assert error.param is not None and error.param.name == "weights"
    assert "cannot tell the layer's stride, padding, dilation, padding_mode" in error.format_message()
    assert "--s, --p, --d, --padding-mode" in error.format_message()
    error = refusal([*state, "--s", "2", "--p", "1"])
    assert "cannot tell the layer's dilation, padding_mode" in error.format_message()
    told = parse([*state, "--s", "2", "--p", "1", "--d", "1", "--padding-mode", "reflect"])
    line = parse([*state, "--layer", str(model[0])])
    assert told.spec == line.spec == convgif.Conv2dSpec((1, 7, 7), 2, 3, 2, 1, padding_mode="reflect")
    np.testing.assert_array_equal(line.options["weight"], model[0].weight.detach().numpy())


def test_a_grouped_transposed_state_dict_needs_its_groups(files):
    model, folder = files
    state = ["--weights", str(folder / "state.pt"), "--module", "2", "--in", "4,3,3", "--layer", "ConvTranspose2d"]
    rest = ["--s", "2", "--p", "0", "--output-padding", "0", "--d", "1"]
    error = refusal([*state, *rest])
    assert "cannot tell the layer's groups" in error.format_message()
    spec = parse([*state, *rest, "--g", "2"]).spec
    assert (spec.groups, spec.out_channels) == (2, 4)
    line = parse([*state[:-1], str(model[2])]).spec
    assert line == spec


def test_an_option_adds_only_what_the_line_never_shows():
    line = "Conv2d(1, 1, kernel_size=(5, 5), stride=(2, 1), padding_mode=reflect)"
    error = refusal(["--layer", line, "--in", "1,9,9", "--p", "1"])
    assert "--p 1 would draw another layer" in error.format_message()
    assert "leaves padding out of a Conv2d's line only when it is 0" in error.format_message()
    assert parse(["--layer", line, "--in", "1,9,9", "--p", "0"]).spec.padding == (0, 0)
    assert "--no-bias" in refusal(["--layer", line, "--in", "1,9,9", "--no-bias"]).format_message()
    pool = "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)"
    assert parse(["--layer", pool, "--in", "1,9,9", "--return-indices"]).spec.return_indices
    assert (
        "--s 1 would draw another layer"
        in refusal(["--layer", "MaxPool2d(3)", "--in", "1,9,9", "--s", "1"]).format_message()
    )
    average = parse(
        ["--layer", "AvgPool2d(kernel_size=3, stride=3, padding=0)", "--in", "1,9,9", "--no-count-include-pad"]
    )
    assert average.spec.count_include_pad is False
    fractional = parse(["--layer", "FractionalMaxPool2d()", "--in", "1,9,9", "--k", "2", "--output-size", "4"])
    assert fractional.spec.output_shape == (1, 4, 4)
    adaptive = parse(["--layer", "AdaptiveMaxPool2d(output_size=3)", "--in", "1,9,9", "--return-indices"])
    assert adaptive.spec.return_indices


def test_a_pooling_layer_of_a_state_dict_is_drawn_from_its_line(files):
    model, folder = files
    state = ["--weights", str(folder / "state.pt"), "--module", "1", "--in", "2,6,6"]
    spec = parse([*state, "--layer", str(model[1])]).spec
    assert spec == convgif.MaxPool2dSpec((2, 6, 6), 3, 2, 1)
    assert "as print(model) shows it" in refusal([*state, "--layer", "MaxPool2d", "--k", "3"]).format_message()
    assert "has no weights named '1.weight'" in refusal(state).format_message()
    assert "has no weights named '1.weight'" in refusal([*state, "--layer", "Conv2d"]).format_message()
    adaptive = parse(
        ["--weights", str(folder / "state.pt"), "--module", "3", "--in", "4,6,6", "--layer", str(model[3])]
    )
    assert adaptive.spec == convgif.AdaptiveAvgPool2dSpec((4, 6, 6), (1, None))


def test_a_saved_model_gives_the_new_kinds_with_their_arguments(files):
    model, folder = files
    saved = ["--weights", str(folder / "model.pt"), "--in", "4,6,6", "--module"]
    assert parse([*saved, "3"]).spec == convgif.AdaptiveAvgPool2dSpec((4, 6, 6), (1, None))
    assert parse([*saved, "4"]).spec == convgif.LPPool2dSpec((4, 6, 6), 2, 2)


def test_a_module_whose_forward_differs_is_refused_saying_what_to_draw_instead():
    class Scaled(nn.Conv2d):
        def _conv_forward(self, x, weight, bias):
            return 2 * super()._conv_forward(x, weight, bias)

    error = pytest.raises(convgif.SpecError, convgif.from_torch, Scaled(1, 1, 3), (1, 5, 5)).value
    assert "Scaled overrides _conv_forward" in str(error) and "give it as Conv2d(1, 1, kernel_size=(3, 3)" in str(error)
    hooked = nn.Conv2d(1, 1, 3)
    hooked.register_forward_hook(lambda module, args, out: out * 2)
    with pytest.raises(convgif.SpecError, match="has a forward hook"):
        convgif.from_torch(hooked, (1, 5, 5))
    pre = nn.MaxPool2d(2)
    pre.register_forward_pre_hook(lambda module, args: (args[0] * 2,))
    with pytest.raises(convgif.SpecError, match="has a forward pre-hook"):
        convgif.from_torch(pre, (1, 4, 4))
    patched = nn.LPPool2d(2, 2)
    patched.forward = lambda x: x
    with pytest.raises(convgif.SpecError, match="has its own forward, set on the module"):
        convgif.from_torch(patched, (1, 4, 4))

    class Named(nn.AdaptiveAvgPool2d):  # a subclass with no forward of its own: drawn as its base
        def __init__(self):
            super().__init__((2, 2))

    spec, _ = convgif.from_torch(Named(), (3, 5, 5))
    assert spec == convgif.AdaptiveAvgPool2dSpec((3, 5, 5), (2, 2))
