"""``convgif model`` and ``convgif.model``: the table, the pages, the animations, the cache,
failures, the sources a model comes from, and the totals torchinfo gives."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

torch = pytest.importorskip("torch")

from convgif.cli import main  # noqa: E402
from convgif.errors import SpecError  # noqa: E402
from convgif.network import build  # noqa: E402
from convgif.network.page import markdown_table  # noqa: E402
from convgif.network.text import graph_from_text  # noqa: E402
from convgif.network.trace import trace  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))
import models  # noqa: E402

SMALL = {"max_frames": 12}


def _tiny():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Conv2d(2, 1, 3)
    )


def test_page_table_and_animations(tmp_path):
    result = build.model(_tiny(), (1, 6, 6), tmp_path / "page", jobs=1, **SMALL)
    assert [r.name for r in result.rows] == ["(model)", "0", "1", "2", "3"]
    assert [r.output_shape for r in result.rows] == [(1, 1, 1), (2, 6, 6), (2, 6, 6), (2, 3, 3), (1, 1, 1)]
    assert [d.row for d in result.drawings] == ["0", "2", "3"] and not result.failed
    for drawing in result.drawings:
        assert (tmp_path / "page" / drawing.file).is_file()
    assert (tmp_path / "page" / build.TRACE_FILE).is_file()
    page = (tmp_path / "page" / "index.html").read_text()
    assert "ReLU is not a layer convgif draws" in page and 'href="#layer-0"' in page and "<script" not in page
    readme = (tmp_path / "page" / "README.md").read_text()
    assert (
        "| 3 | Conv2d | (2, 3, 3) → (1, 1, 1) | 19 | 18 | 8×8 · jump 2×2 · start −1,−1 | [animation](#layer-3) |"
        in readme
    )
    assert result.parameters == 20 + 19 and result.macs == 2 * 9 * 36 + 18


def test_unchanged_model_is_not_drawn_again_and_a_change_is(tmp_path):
    first = build.model(_tiny(), (1, 6, 6), tmp_path, jobs=1, **SMALL)
    assert not any(d.cached for d in first.drawings)
    again = build.model(_tiny(), (1, 6, 6), tmp_path, jobs=1, **SMALL)
    assert again.up_to_date and not again.rows  # not run again (benchmarks/model_resnet18.py times it)
    changed = _tiny()
    with torch.no_grad():
        changed[3].weight.add_(1.0)
    result = build.model(changed, (1, 6, 6), tmp_path, jobs=1, **SMALL)
    assert [d.cached for d in result.drawings] == [True, True, False]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert build.SOURCE_KEY in manifest and "layers/3.gif" in manifest


def test_a_layer_that_fails_is_reported_and_the_others_drawn(tmp_path, monkeypatch):
    real = build.draw_layer

    def flaky(spec, arrays, path, options):
        if "2.gif" in path:
            return "TooLargeError: made to fail", 0.0
        return real(spec, arrays, path, options)

    monkeypatch.setattr(build, "draw_layer", flaky)
    result = build.model(_tiny(), (1, 6, 6), tmp_path, jobs=1, **SMALL)
    assert [d.row for d in result.failed] == ["2"]
    assert (tmp_path / "layers" / "0.gif").is_file() and (tmp_path / "layers" / "3.gif").is_file()
    assert "failed: TooLargeError: made to fail" in (tmp_path / "index.html").read_text()
    assert build.SOURCE_KEY not in json.loads((tmp_path / "manifest.json").read_text())  # tried again next time


def test_workers_draw_the_same_files(tmp_path):
    one = build.model(models.vgg_block(), (3, 6, 6), tmp_path / "one", jobs=1, **SMALL)
    two = build.model(models.vgg_block(), (3, 6, 6), tmp_path / "two", jobs=2, **SMALL)
    for a, b in zip(one.drawings, two.drawings):
        assert (tmp_path / "one" / a.file).read_bytes() == (tmp_path / "two" / b.file).read_bytes()


def test_command_writes_the_page_and_says_what_it_did(tmp_path):
    source = f"{ROOT / 'examples' / 'models.py'}:vgg_block"
    args = ["model", source, "--in", "3,6,6", "-o", str(tmp_path / "vgg"), "--jobs", "1", "--max-frames", "12", "-q"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{tmp_path / 'vgg' / 'index.html'} · 6 modules · 3 layers drawn (0 up to date)")
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0 and "up to date" in again.output
    table = CliRunner().invoke(main, ["model", source, "--in", "3,6,6", "--table"])
    assert table.exit_code == 0 and table.output.startswith("| module | class |")
    assert "| 4 | MaxPool2d | (64, 6, 6) → (64, 3, 3) | 0 |  | 6×6 · jump 2×2 · start −2,−2 |" in table.output


@pytest.mark.parametrize(
    ("args", "option", "words"),
    [
        (["examples/models.py:nothing", "--in", "3,6,6"], "SOURCE", "has no 'nothing'"),
        (["examples/missing.py:net", "--in", "3,6,6"], "SOURCE", "no such file"),
        (["examples/models.py:vgg_block", "--in", "3,6,6", "--trace", "9:1,1"], "--trace", "no layer named '9'"),
        (["examples/models.py:vgg_block", "--in", "3,6,6", "--trace", "4:5,5"], "--trace", "give one cell inside it"),
        (["examples/models.py:vgg_block", "--in", "1,6,6"], "--in", "the model refused an input of shape (1, 6, 6)"),
        (
            ["examples/models.py:vgg_block", "--in", "3,6,6", "--weights", "examples/edges.pt"],
            "--weights",
            "does not fit",
        ),
    ],
)
def test_refusals_name_the_option(args, option, words, monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["model", *args, "-o", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert option in result.output and words in result.output


def test_print_model_text_is_read_without_torch(tmp_path):
    """The text print(model) shows gives the same table as the traced model, in a Python
    that cannot import torch."""
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from convgif.network.build import model\n"
        f"r = model({str(ROOT / 'examples' / 'vgg_block.txt')!r}, (3, 10, 10), None)\n"
        "print([(x.name, x.output_shape, x.parameters, x.macs) for x in r.rows])\n"
        "from convgif.network.page import markdown_table\nprint(markdown_table(r))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    traced = build.model(models.vgg_block(), (3, 10, 10), None)
    listed = eval(done.stdout.splitlines()[0])  # noqa: S307 - our own output
    assert listed == [(r.name, r.output_shape, r.parameters, r.macs) for r in traced.rows]
    fields = [line.split(" | ")[5] for line in done.stdout.splitlines()[3:]]
    assert fields == [line.split(" | ")[5] for line in markdown_table(traced).splitlines()[2:]]


def test_text_that_is_not_a_sequential_is_refused():
    with pytest.raises(SpecError, match="the model is a ResNet18: .* only nn.Sequential is read"):
        graph_from_text(str(models.resnet18()), (3, 32, 32))


def test_functional_pooling_is_drawn():
    graph = trace(models.unet(), (1, 8, 8))
    pools = [r for r in graph.rows if r.cls == "F.max_pool2d"]
    assert [r.name for r in pools] == ["max_pool2d", "max_pool2d#2"]
    assert all(type(r.spec).__name__ == "MaxPool2dSpec" for r in pools)


def test_image_input_draws_each_layer_with_what_it_receives(tmp_path):
    picture = ROOT / "examples" / "shapes.png"
    network = models.vgg_block()
    result = build.model(network, (3, 8, 8), tmp_path, image=picture, jobs=1, **SMALL)
    first = next(r for r in result.rows if r.name == "0")
    assert first.values["input"].max() <= 1.0 and first.values["input"].min() >= 0.0
    with torch.no_grad():  # what layer 2 receives: the picture through layers 0 and 1
        expected = network[:2](torch.from_numpy(first.values["input"]).float()[None])[0].double().numpy()
    row = next(r for r in result.rows if r.name == "2")
    assert np.allclose(row.values["input"], expected)


def _independent_totals(network, shape):
    """Parameters and multiply-accumulates counted from torch's own modules and shapes."""
    macs = []

    def count(module, inputs, output):
        if isinstance(module, torch.nn.Conv2d | torch.nn.Conv1d):
            macs.append(output.numel() * module.in_channels // module.groups * math.prod(module.kernel_size))
        elif isinstance(module, torch.nn.ConvTranspose2d):
            macs.append(inputs[0].numel() * module.out_channels // module.groups * math.prod(module.kernel_size))
        elif isinstance(module, torch.nn.Linear):
            macs.append(output.numel() * module.in_features)

    handles = [m.register_forward_hook(count) for m in network.modules()]
    with torch.no_grad():
        network.eval()(torch.zeros(1, *shape))
    for handle in handles:
        handle.remove()
    return sum(p.numel() for p in network.parameters()), sum(macs)


@pytest.mark.parametrize(("name", "shape"), [("resnet18", (3, 32, 32)), ("unet", (1, 8, 8)), ("wavenet", (1, 12))])
def test_totals_agree_with_torch_and_torchinfo(name, shape):
    network = getattr(models, name)()
    result = build.model(network, shape, None)
    assert (result.parameters, result.macs) == _independent_totals(network, shape)
    torchinfo = pytest.importorskip("torchinfo")
    if name == "unet":
        pytest.skip("torchinfo counts a transposed convolution's weights once per output position")
    summary = torchinfo.summary(network, input_size=(1, *shape), verbose=0)
    assert result.parameters == summary.total_params
    assert result.mult_adds == summary.total_mult_adds


def test_resnet18_has_its_published_size():
    result = build.model(models.resnet18(), (3, 64, 64), None)
    assert result.parameters == 11_689_512
    drawn = sum(1 for r in result.rows if r.spec is not None)
    assert drawn == 22  # 20 convolutions, the max pooling and the adaptive average pooling


def test_without_torch_the_command_says_how_to_install_it(tmp_path):
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from convgif.cli.launch import run\n"
        f"sys.argv = ['convgif', 'model', 'examples/models.py:vgg_block', '--in', '3,6,6', '-o', {str(tmp_path)!r}]\n"
        "run()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2
    assert "SOURCE" in done.stderr and "[torch]" in done.stderr and "Traceback" not in done.stderr


def test_start_up_does_not_import_torch():
    code = "import sys\nfrom convgif.cli import main\nmain.get_command(None, 'model')\nprint('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "False"


def test_an_unchanged_page_without_layers_is_not_traced_again_and_drawing_them_is_a_change(tmp_path):
    table = build.model(_tiny(), (1, 6, 6), tmp_path, jobs=1, draw=False, **SMALL)
    assert table.rows and not table.drawings
    again = build.model(_tiny(), (1, 6, 6), tmp_path, jobs=1, draw=False, **SMALL)
    assert again.up_to_date and not again.rows
    drawn = build.model(_tiny(), (1, 6, 6), tmp_path, jobs=1, **SMALL)
    assert not drawn.up_to_date and drawn.drawings
