"""PyTorch objects: modules drawn with their own weights, print(model) lines, saved models."""

import random
import re
import sys

import numpy as np
import pytest

import convgif
from convgif.extras import install_command
from convgif.inputs.pytorch import parse_line

ROOT_LINE = "Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)"


# -- print(model) lines, without torch ------------------------------------------------------------


def test_lines_print_model_shows_are_read_as_literals():
    line = parse_line(ROOT_LINE)
    assert line.name == "Conv2d"
    assert line.arguments == {
        "in_channels": 3,
        "out_channels": 64,
        "kernel_size": (7, 7),
        "stride": (2, 2),
        "padding": (3, 3),
        "bias": False,
    }
    same = parse_line(
        "(0): Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1), padding=same, groups=2, padding_mode=reflect)"
    )
    assert same.arguments["padding"] == "same" and same.arguments["padding_mode"] == "reflect"
    assert parse_line("nn.MaxPool2d(3, 2, 1)").arguments == {"kernel_size": 3, "stride": 2, "padding": 1}
    assert parse_line("torch.nn.AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))").name == "AvgPool1d"


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("Conv2d(3, 4, kernel_size=__import__('os'))", "is not a literal"),
        ("Conv2d(3, 4, kernel_size=[x for x in (1,)])", "is not a literal"),
        ("Linear(3, 4)", "Linear is not a torch layer convgif draws"),
        ("Conv2d(3, 4, kernel=3)", "has no argument 'kernel'"),
        ("Conv2d(3, 4, 3, kernel_size=3)", "given twice"),
        ("Conv2d(*args)", "no * or **"),
        ("Conv2d(3 4)", "neither a layer name nor"),
        ("Conv2d(3, 4", "the '(' at character 7 is never closed, so ')' is missing at the end"),
        ("  (0): Conv2d(3, 64, kernel_size=(7, 7", "characters 14 and 34 are never closed, so '))' is missing"),
        ("Conv2d(3, 4, kernel_size=3))", "the ')' at character 28 closes nothing"),
        ("Conv2d(3, 4, kernel_size=(3, 3])", "the '(' at character 26 is closed by ']' at character 31, not by ')'"),
    ],
)
def test_lines_are_never_evaluated_and_bad_ones_are_refused(run, line, words):
    result = run("--layer", line, "--in", "3,7,7")
    assert result.exit_code == 2 and "'--layer'" in result.output and words in result.output


def test_a_line_with_one_bracket_dropped_or_doubled_names_it_as_python_finds_it():
    """Python's own parser is the oracle: wherever it finds a bracket unpaired, the refusal says
    the brackets do not pair up and points at the same character."""
    rng = random.Random(7)
    lines = [ROOT_LINE, "MaxPool2d(kernel_size=(3, 3), stride=[2, 2], padding={1: 1}, dilation=(1, 1))"]
    for _ in range(300):
        line = rng.choice(lines)
        at = rng.choice([i for i, c in enumerate(line) if c in "()[]{}"])
        line = line[:at] + line[at + 1 :] if rng.random() < 0.7 else line[:at] + line[at] + line[at:]
        try:
            compile(line, "<line>", "eval")
            continue
        except SyntaxError as error:
            python = str(error.msg)
            where = error.offset
        if not any(words in python for words in ("never closed", "unmatched", "does not match")):
            continue
        with pytest.raises(convgif.SpecError) as refused:
            parse_line(line)
        message = str(refused.value)
        assert "the brackets do not pair up" in message, (line, message)
        assert re.search(rf"characters? (\d+ and )*{where}\b", message), (line, python, where, message)


def test_a_line_draws_what_the_same_options_draw(run):
    run("--layer", ROOT_LINE, "--in", "3,16,16", "-o", "line.gif", "-q", "--max-frames", "5")
    run(
        "--in",
        "3,16,16",
        "--out",
        "64",
        "--k",
        "7",
        "--s",
        "2",
        "--p",
        "3",
        "--no-bias",
        "-o",
        "options.gif",
        "-q",
        "--max-frames",
        "5",
    )
    with open("line.gif", "rb") as a, open("options.gif", "rb") as b:
        assert a.read() == b.read()


def test_options_conflict_with_a_line_only_where_they_disagree(run):
    agreeing = run(
        "--layer",
        ROOT_LINE,
        "--in",
        "3,16,16",
        "--k",
        "7",
        "--s",
        "2,2",
        "--no-bias",
        "-o",
        "a.gif",
        "-q",
        "--max-frames",
        "2",
    )
    assert agreeing.exit_code == 0, agreeing.output
    added = run(
        "--layer", "AvgPool2d(kernel_size=3, stride=2, padding=1)", "--in", "1,6,6", "--ceil-mode", "-o", "b.gif", "-q"
    )
    assert added.exit_code == 0, added.output  # print(model) leaves ceil_mode out: an option may add it
    disagreeing = run("--layer", ROOT_LINE, "--in", "3,16,16", "--k", "5")
    assert disagreeing.exit_code == 2 and "'--k' / '--kernel-size'" in disagreeing.output
    assert "--k 5 disagrees with kernel_size=(7, 7)" in disagreeing.output and "Conv2d(3, 64" in disagreeing.output
    channels = run("--layer", ROOT_LINE, "--in", "1,16,16")
    assert channels.exit_code == 2 and "'--in'" in channels.output and "in_channels=3" in channels.output
    kind = run("--layer", ROOT_LINE, "--in", "3,16,16", "--transposed")
    assert kind.exit_code == 2 and "name different layers" in kind.output
    pooled = run(
        "--layer",
        "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)",
        "--in",
        "2,8,8",
        "--out",
        "2",
    )
    assert pooled.exit_code == 2 and "MaxPool2d has no out_channels" in pooled.output
    transposed = run("--layer", "ConvTranspose2d(1, 1, kernel_size=(3, 3), padding_mode=reflect)", "--in", "1,3,3")
    assert transposed.exit_code == 2 and "supports only 'zeros'" in transposed.output


@pytest.mark.parametrize(
    "line, shape",
    [
        ("MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)", "2,7,7"),
        ("AvgPool2d(kernel_size=3, stride=2, padding=1)", "1,6,6"),
        ("ConvTranspose2d(2, 1, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))", "2,3,3"),
        ("Conv1d(3, 2, kernel_size=(3,), stride=(1,))", "3,9"),
        ("MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))", "1,2,2"),
        ("MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", "1,8"),
        ("AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))", "2,9"),
        ("MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,))", "1,4"),
    ],
)
def test_every_kind_print_model_shows_draws(run, line, shape):
    result = run("--layer", line, "--in", shape, "-o", "x.gif", "-q")
    assert result.exit_code == 0, result.output


def test_lines_need_no_torch(tmp_path):
    import subprocess

    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from convgif.cli.options import parse\n"
        f"print(parse(['--layer', {ROOT_LINE!r}, '--in', '3,9,9']).spec.output_shape)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.stdout.strip() == "(64, 5, 5)", done.stderr


# -- torch modules ---------------------------------------------------------------------------------

torch = pytest.importorskip("torch")
nn = torch.nn


def random_modules(count: int, seed: int = 0):
    """Random layers of every kind convgif draws, with an input shape each."""
    rng = random.Random(seed)
    made = []
    while len(made) < count:
        kind = rng.choice(["Conv2d", "Conv1d", "ConvTranspose2d", "MaxPool2d", "MaxPool1d", "AvgPool2d", "AvgPool1d"])
        k, s, d = rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 2)
        g = rng.choice([1, 2])
        size = rng.randint(4, 8)
        try:
            if kind in ("Conv2d", "Conv1d"):
                padding = rng.choice([0, 1, "same"]) if s == 1 else rng.choice([0, 1])
                mode = rng.choice(["zeros", "reflect", "replicate", "circular"])
                cls = nn.Conv2d if kind == "Conv2d" else nn.Conv1d
                module = cls(
                    2 * g,
                    2 * g,
                    k,
                    stride=s,
                    padding=padding,
                    dilation=d,
                    groups=g,
                    bias=rng.random() < 0.7,
                    padding_mode=mode,
                )
                shape = (module.in_channels, size, size) if kind == "Conv2d" else (module.in_channels, size)
            elif kind == "ConvTranspose2d":
                module = nn.ConvTranspose2d(
                    2 * g,
                    g,
                    k,
                    stride=s,
                    padding=rng.randint(0, k - 1),
                    output_padding=rng.randint(0, max(s, d) - 1),
                    groups=g,
                    bias=rng.random() < 0.7,
                    dilation=d,
                )
                shape = (2 * g, size // 2 + 1, size // 2 + 1)
            elif kind.startswith("MaxPool"):
                cls = nn.MaxPool2d if kind == "MaxPool2d" else nn.MaxPool1d
                module = cls(
                    k + 1,
                    stride=s,
                    padding=rng.randint(0, (k + 1) // 2),
                    dilation=d,
                    ceil_mode=rng.random() < 0.5,
                    return_indices=rng.random() < 0.5,
                )
                shape = (2, size, size) if kind == "MaxPool2d" else (2, size)
            else:
                extra = {"divisor_override": rng.choice([None, 2])} if kind == "AvgPool2d" else {}
                cls = nn.AvgPool2d if kind == "AvgPool2d" else nn.AvgPool1d
                module = cls(
                    k + 1,
                    stride=s,
                    padding=rng.randint(0, (k + 1) // 2),
                    ceil_mode=rng.random() < 0.5,
                    count_include_pad=rng.random() < 0.5,
                    **extra,
                )
                shape = (2, size, size) if kind == "AvgPool2d" else (2, size)
            module.double()
            x = torch.randn(shape, dtype=torch.float64)
            expected = module(x[None])
        except (RuntimeError, ValueError):
            continue
        made.append((module, shape, x, expected[0] if not isinstance(expected, tuple) else expected[0][0]))
    return made


@pytest.mark.parametrize("module, shape, x, expected", random_modules(40))
def test_modules_compute_what_torch_computes_with_their_own_weights(module, shape, x, expected):
    spec, values = convgif.from_torch(module, shape)
    assert type(spec).__name__ == f"{type(module).__name__}Spec"
    if hasattr(module, "weight"):
        np.testing.assert_array_equal(values["weight"], module.weight.detach().numpy())
        assert ("bias" in values) == (module.bias is not None)
    recording = convgif.record(spec, input=x.numpy(), **values)
    np.testing.assert_allclose(recording.output, expected.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_max_unpool_modules_put_values_where_torch_puts_them():
    for cls, shape in ((nn.MaxUnpool2d, (2, 6, 6)), (nn.MaxUnpool1d, (2, 6))):
        pool_cls = nn.MaxPool2d if cls is nn.MaxUnpool2d else nn.MaxPool1d
        pooled, indices = pool_cls(2, return_indices=True)(torch.randn(shape, dtype=torch.float64)[None])
        unpool = cls(2)
        spec, values = convgif.from_torch(unpool, tuple(pooled.shape[1:]))
        assert values == {}
        recording = convgif.record(spec, input=pooled[0].numpy(), indices=indices[0].numpy())
        np.testing.assert_array_equal(recording.output, unpool(pooled, indices)[0].numpy())


def test_render_takes_a_module_with_its_weights(tmp_path):
    torch.manual_seed(0)
    layer = nn.Conv2d(3, 2, 3, stride=2)
    result = convgif.render(layer, tmp_path / "module.gif", input_shape=(3, 7, 7), values=True)
    spec = convgif.Conv2dSpec((3, 7, 7), 2, 3, stride=2)
    same = convgif.render(
        spec,
        tmp_path / "spec.gif",
        values=True,
        weight=layer.weight.detach().double().numpy(),
        bias=layer.bias.detach().double().numpy(),
    )
    assert result.caption == spec.caption and result.path.read_bytes() == same.path.read_bytes()
    other = convgif.render(spec, tmp_path / "random.gif", values=True)
    assert other.path.read_bytes() != result.path.read_bytes()  # the module's weights, not random ones
    pooled = convgif.render(nn.MaxPool2d(2), tmp_path / "pool.gif", input_shape=(1, 4, 4))
    assert pooled.frames == 4


@pytest.mark.parametrize(
    ("module", "shape", "argument", "words"),
    [
        (nn.Linear(3, 2), (3,), "module", "Linear is not a layer convgif draws"),
        (nn.Flatten(), (4, 4, 4), "module", "Flatten is not a layer convgif draws"),
        (nn.Sequential(nn.Conv2d(1, 1, 3), nn.ReLU()), (1, 5, 5), "module", "give one of them"),
        (nn.Conv2d(3, 2, 3), (1, 3, 7, 7), "input_shape", "has a batch dimension"),
        (nn.Conv2d(3, 2, 3), (2, 7, 7), "input_shape", "takes in_channels=3"),
        (nn.Conv2d(3, 2, 3), None, "input_shape", "give the input's shape"),
        (nn.LazyConv2d(2, 3), (3, 7, 7), "module", "no weights until it has seen an input"),
    ],
)
def test_what_cannot_be_drawn_is_refused_naming_the_argument(module, shape, argument, words):
    with pytest.raises(convgif.SpecError) as error:
        convgif.from_torch(module, shape)
    assert error.value.argument == argument and words in str(error.value)


def test_a_subclass_with_its_own_forward_is_refused_and_a_separable_has_no_module():
    class Doubled(nn.Conv2d):
        def forward(self, x):
            return 2 * super().forward(x)

    with pytest.raises(convgif.SpecError, match="overrides forward"):
        convgif.from_torch(Doubled(1, 1, 3), (1, 5, 5))
    with pytest.raises(convgif.SpecError, match="separable convolution has no torch module"):
        convgif.from_torch(nn.Identity(), (1, 5, 5))
    with pytest.raises(convgif.SpecError) as error:
        convgif.render(nn.Conv2d(1, 1, 3), "x.gif", input_shape=(1, 5, 5), kernel="sobel-x")
    assert error.value.argument == "kernel"


# -- saved models and state_dicts -------------------------------------------------------------------


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(1)
    model = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(2, 4, 3, groups=2, bias=False)
    )
    torch.save(model, tmp_path / "model.pt")
    torch.save(model.state_dict(), tmp_path / "state.pt")
    return model


def test_weights_from_a_saved_model_and_a_state_dict(run, saved, tmp_path):
    from convgif.cli.options import parse

    request = parse(["--weights", str(tmp_path / "model.pt"), "--module", "0", "--in", "1,6,6"])
    assert request.spec == convgif.Conv2dSpec((1, 6, 6), 2, 3, padding=1)
    np.testing.assert_array_equal(request.options["weight"], saved[0].weight.detach().numpy())
    np.testing.assert_array_equal(request.options["bias"], saved[0].bias.detach().numpy())
    # a state_dict: the shapes give out_channels, kernel_size, groups and bias; --layer or options the rest
    rest = ["--s", "1", "--p", "0", "--d", "1", "--padding-mode", "zeros"]
    inferred = parse(["--weights", str(tmp_path / "state.pt"), "--module", "3", "--in", "2,3,3", *rest])
    assert inferred.spec == convgif.Conv2dSpec((2, 3, 3), 4, 3, groups=2, bias=False)
    lined = parse(
        [
            "--weights",
            str(tmp_path / "state.pt"),
            "--module",
            "0",
            "--in",
            "1,6,6",
            "--layer",
            "Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))",
        ]
    )
    assert lined.spec == request.spec
    np.testing.assert_array_equal(lined.options["weight"], request.options["weight"])
    pooled = parse(["--weights", str(tmp_path / "model.pt"), "--module", "2", "--in", "2,6,6"])
    assert pooled.spec == convgif.MaxPool2dSpec((2, 6, 6), 2, 2)
    result = run("--weights", "model.pt", "--module", "0", "--in", "1,6,6", "--values", "-o", "trained.gif", "-q")
    assert result.exit_code == 0, result.output
    same = convgif.render(
        request.spec, tmp_path / "same.gif", values=True, weight=request.options["weight"], bias=request.options["bias"]
    )
    assert (tmp_path / "trained.gif").read_bytes() == same.path.read_bytes()


@pytest.mark.parametrize(
    ("args", "option", "words"),
    [
        (["--weights", "model.pt", "--in", "1,6,6"], "'--module'", "choose a layer with --module (0, 2, 3)"),
        (["--weights", "model.pt", "--module", "9", "--in", "1,6,6"], "'--module'", "no layer named '9'"),
        (["--weights", "state.pt", "--in", "1,6,6"], "'--module'", "choose one with --module (0, 3)"),
        (
            ["--weights", "state.pt", "--module", "0", "--in", "1,6,6", "--k", "5"],
            "'--k'",
            "disagrees with kernel_size=(3, 3)",
        ),
        (["--weights", "model.pt", "--module", "0", "--in", "3,6,6"], "'--in'", "in_channels=1"),
        (
            ["--weights", "model.pt", "--module", "0", "--in", "1,6,6", "--layer", "MaxPool2d"],
            "'--layer'",
            "is a Conv2d, not a MaxPool2d",
        ),
        (
            ["--weights", "model.pt", "--module", "0", "--in", "1,6,6", "--kernel", "sobel-x"],
            "'--kernel'",
            "choose one",
        ),
        (["--weights", "missing.pt", "--in", "1,6,6"], "'--weights'", "no such file"),
        (["--module", "0", "--in", "1,6,6"], "'--module'", "give --weights FILE too"),
    ],
)
def test_bad_weights_options_exit_2_naming_the_option(run, saved, args, option, words):
    result = run(*args)
    assert result.exit_code == 2 and option in result.output and words in result.output, result.output


def test_a_model_of_a_class_of_its_own_is_not_unpickled(run, tmp_path):
    torch.save(Net(), tmp_path / "net.pt")
    result = run("--weights", "net.pt", "--in", "1,5,5")
    assert result.exit_code == 2 and "'--weights'" in result.output and "save its state_dict instead" in result.output


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 3)


def test_without_torch_weights_say_how_to_install_it(run, saved, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    result = run("--weights", "model.pt", "--module", "0", "--in", "1,6,6")
    assert result.exit_code == 2 and "'--weights'" in result.output and install_command("torch") in result.output


def test_trained_weights_larger_than_one_are_drawn(tmp_path):
    layer = nn.Conv2d(1, 1, 3, bias=False)
    with torch.no_grad():
        layer.weight[:] = torch.tensor([[1.0, 0.0, -1.0], [2.0000001, 1e-9, -2.5], [1.2, -0.0, -1.0]])
    result = convgif.render(layer, tmp_path / "trained.gif", input_shape=(1, 5, 5), values=True)
    assert result.frames == 9


def _saved_bytes(obj, legacy: bool = False) -> bytes:
    import io

    buffer = io.BytesIO()
    torch.save(obj, buffer, _use_new_zipfile_serialization=not legacy)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (lambda: b"", "it is an empty file"),
        (lambda: b"hello", "its bytes are neither the zip archive torch.save writes nor its older pickled format"),
        (lambda: _saved_bytes(nn.Conv2d(1, 1, 3).state_dict())[:300], "it is a zip archive, as torch.save writes, but"),
        (
            lambda: _saved_bytes(nn.Conv2d(1, 1, 3).state_dict(), legacy=True)[:30],
            "it is pickled data, as torch.save's",
        ),
        (lambda: b"\x93NUMPY\x01\x00v\x00{'descr': '<f8'}", "it is a .npy file, which numpy.save writes"),
    ],
)
def test_a_file_that_is_not_a_saved_model_says_what_it_is_in_plain_words(run, tmp_path, content, words):
    (tmp_path / "w.pt").write_bytes(content())
    result = run("--weights", "w.pt", "--in", "1,6,6")
    assert result.exit_code == 2 and "Invalid value for '--weights'" in result.output
    assert "w.pt could not be read as a model or state_dict saved by torch.save: " + words in result.output
    assert not re.search(r"KeyError|EOFError|miniz|PytorchStreamReader|opcode|_io\.", result.output), result.output
