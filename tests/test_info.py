import json
import random
import warnings

import pytest
from click.testing import CliRunner

from convgif import Conv1dSpec, Conv2dSpec, Conv3dSpec, ConvTranspose2dSpec, SeparableSpec, SpecError
from convgif.cli import main
from convgif.info import describe, explain

REQUIRED = {"output_shape", "num_parameters", "macs", "receptive_field", "frames"}


def test_worked_formulas_for_the_article_headline():
    lines = explain(Conv2dSpec((3, 7, 7), 2, 3, stride=2, padding=1, dilation=2))
    assert "  H_out = floor((7 + 2·1 − 2·(3 − 1) − 1) / 2 + 1) = 3" in lines
    assert "  weights = C_out · C_in/G · KH · KW = 2 · 3 · 3 · 3 = 54" in lines
    assert "  bias = C_out = 2" in lines and "parameters 56" in lines
    assert "multiply-accumulates 486 (one forward pass)" in lines  # 2·3·3 outputs × 3·3·3 taps
    assert "receptive field (5, 5) (the dilated kernel's extent)" in lines
    assert "frames 18: every step of what a render with these options draws, in order (--max-frames 300)" in lines


def test_every_kind_has_its_formulas():
    assert describe(Conv1dSpec((3, 9), 2, 3, padding=1))["output_size_formulas"] == [
        "L_out = floor((9 + 2·1 − 1·(3 − 1) − 1) / 1 + 1) = 9"
    ]
    transposed = describe(ConvTranspose2dSpec((2, 3, 3), 1, 3, stride=2, padding=1, output_padding=1))
    assert transposed["output_size_formulas"][0] == "H_out = (3 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 6"
    assert transposed["parameter_formulas"][0] == "weights = C_in · C_out/G · KH · KW = 2 · 1 · 3 · 3 = 18"
    separable = describe(SeparableSpec((16, 7, 7), 32, 3, bias=False))
    assert (separable["num_parameters"], separable["standard_parameters"]) == (656, 4608)
    same = describe(Conv2dSpec((1, 6, 6), 1, 4, padding="same"))
    assert same["output_size_formulas"][0] == "H_out = floor((6 + 1 + 2 − 1·(4 − 1) − 1) / 1 + 1) = 6"


def test_big_layers_are_described_even_when_they_cannot_be_drawn():
    info = describe(Conv2dSpec((1, 256, 256), 256, 5))  # drawn as a region
    assert 0 < info["frames"] <= 300 and info["region"]["rows"][0] == 0 and info["too_large_to_draw"] is None
    assert info["macs"] == 256 * 252 * 252 * 25 and info["num_parameters"] == 256 * 25 + 256
    info = describe(Conv2dSpec((1, 600, 600), 2, 500))  # even one output cell reads 500×500 cells
    assert info["frames"] is None and "too large to draw" in info["too_large_to_draw"]
    assert info["num_parameters"] == 2 * 500 * 500 + 2


def test_a_backward_pass_too_large_names_the_layer_the_user_gave():
    # its pictures hold padded gradients of one channel, not the layer the user typed: the
    # refusal names the layer's own argument (here the spatial size) and says a part is drawn
    # without --backward
    reason = describe(Conv2dSpec((3, 5000, 5000), 3, 3), backward=True)["too_large_to_draw"]
    assert "input_shape=(3, 5000, 5000) is too large to draw: its pictures hold" in reason
    assert reason.startswith("backward draws the whole layer") and "out_channels" not in reason
    assert reason.endswith("without --backward, only a part of the forward pass is computed and drawn")
    reason = describe(Conv2dSpec((3, 50, 50), 20000, 3), backward=True)["too_large_to_draw"]
    assert "out_channels=20000 is too large to draw" in reason


def test_a_note_on_what_is_left_out_is_said_once():
    # a 3-D layer draws one picture per output depth, each leaving out the same slices
    info = describe(Conv3dSpec((4, 16, 32, 32), 8, 3))
    assert info["drawn"] == "3 of 12 input slices, 1 of 8 output channels"


def random_layer(rng, kind):
    c = rng.randint(1, 4)
    common = dict(
        out_channels=rng.choice([1, 2, 4]),
        kernel_size=rng.randint(1, 4),
        stride=rng.randint(1, 3),
        dilation=rng.randint(1, 2),
    )
    if kind == "conv2d":
        return (c, rng.randint(3, 9), rng.randint(3, 9)), dict(
            common, padding=rng.randint(0, 2), groups=rng.choice([1, 2])
        )
    if kind == "conv1d":
        return (c, rng.randint(3, 9)), dict(common, padding=rng.randint(0, 2), groups=rng.choice([1, 2]))
    return (c, rng.randint(1, 5), rng.randint(1, 5)), dict(
        common, padding=rng.randint(0, 2), output_padding=rng.randint(0, 1), groups=rng.choice([1, 2])
    )


@pytest.mark.parametrize("kind", ["conv2d", "conv1d", "transposed", "separable"])
def test_shapes_and_parameters_agree_with_torch(kind):
    torch = pytest.importorskip("torch")
    rng = random.Random(3)
    checked = 0
    for _ in range(90):
        shape, args = random_layer(rng, "conv2d" if kind == "separable" else kind)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                if kind == "separable":
                    args.pop("groups")
                    spec = SeparableSpec(shape, **args)
                    c = shape[0]
                    layers = [
                        torch.nn.Conv2d(
                            c, c, args["kernel_size"], args["stride"], args["padding"], args["dilation"], groups=c
                        ),
                        torch.nn.Conv2d(c, args["out_channels"], 1),
                    ]
                else:
                    cls = {
                        "conv2d": (Conv2dSpec, torch.nn.Conv2d),
                        "conv1d": (Conv1dSpec, torch.nn.Conv1d),
                        "transposed": (ConvTranspose2dSpec, torch.nn.ConvTranspose2d),
                    }[kind]
                    spec = cls[0](shape, **args)
                    layers = [cls[1](shape[0], **args)]
            except (SpecError, ValueError):
                continue
            x = torch.zeros(1, *shape)
            try:
                for layer in layers:
                    x = layer(x)
            except RuntimeError:
                pytest.fail(f"convgif accepted what torch refuses: {kind} {shape} {args}")
        info = describe(spec)
        assert info["output_shape"] == list(x.shape[1:])
        assert info["num_parameters"] == sum(p.numel() for layer in layers for p in layer.parameters())
        checked += 1
    assert checked > 15


def test_cli_info_text_and_json():
    runner = CliRunner()
    result = runner.invoke(
        main, ["info", "--in", "3,7,7", "--out", "2", "--k", "3", "--p", "1", "--s", "2", "--d", "2"]
    )
    assert result.exit_code == 0 and "H_out = floor((7 + 2·1 − 2·(3 − 1) − 1) / 2 + 1) = 3" in result.output
    result = runner.invoke(
        main, ["info", "--transposed", "--in", "2,3,3", "--s", "2", "--output-padding", "1", "--json"]
    )
    data = json.loads(result.output)
    assert REQUIRED <= data.keys() and data["output_shape"] == [1, 8, 8] and data["kind"] == "ConvTranspose2d"
    result = runner.invoke(main, ["info", "--in", "3,7,7", "--g", "2"])
    assert result.exit_code == 2 and "'--g' / '--groups'" in result.output


@pytest.mark.parametrize(
    "args, lines",
    [
        (
            ["--layer", "AdaptiveAvgPool2d", "--in", "2,5,5", "--output-size", "3"],
            [
                "output shape (2, 3, 3)",
                "  H windows: ⌊i·5/3⌋ to ⌈(i+1)·5/3⌉: 0–1, 1–3, 3–4 (2 or 3 cells, overlapping at 1, 3)",
                "  each output = its window's sum / (its cell count)",
                "additions 80 (one forward pass)",
                "window placements 9",
            ],
        ),
        (
            ["--layer", "AdaptiveMaxPool1d", "--in", "3,8", "--output-size", "4", "--return-indices"],
            ["  L windows: ⌊i·8/4⌋ to ⌈(i+1)·8/4⌉: 0–1, 2–3, 4–5, 6–7 (2 cells)", "comparisons 12 (one forward pass)"],
        ),
        (
            ["--layer", "AdaptiveAvgPool3d", "--in", "1,4,6,6", "--output-size", "2"],
            [
                "  D_out = output_size[0] = 2",
                "  the same windows and divisors as AvgPool3d(kernel_size=(2, 3, 3), stride=(2, 3, 3)); torch divides "
                "by each axis's size in turn, so fractions may differ from it in the last bit",
            ],
        ),
        (
            ["--layer", "LPPool2d", "--in", "1,6,6", "--norm-type", "3", "--k", "2"],
            [
                "  H_out = floor((6 − 2) / 2) + 1 = 3",
                "  y = (Σ x^3)^(1/3) over the window: torch's (avg_pool(x^3) · 4)^(1/3)",
                "parameters 0",
            ],
        ),
        (
            ["--layer", "FractionalMaxPool2d", "--in", "2,9,9", "--k", "3", "--output-ratio", "0.5"],
            ["  W_out = int(9 · 0.5) = 4", "  α = 2 is whole on W: every sample gives the same windows there"],
        ),
        (
            ["--layer", "FractionalMaxPool3d", "--in", "1,7,7,7", "--k", "2", "--output-size", "3"],
            ["frames 27: every step of what a render with these options draws, in order (--max-frames 300)"],
        ),
    ],
)
def test_info_of_the_adaptive_power_and_fractional_pools(args, lines):
    result = CliRunner().invoke(main, ["info", *args])
    assert result.exit_code == 0, result.output
    printed = result.output.splitlines()
    for line in lines:
        assert line in printed, (line, result.output)
    facts = json.loads(CliRunner().invoke(main, ["info", *args, "--json"]).output)
    assert facts["num_parameters"] == 0 and facts["kind"] == args[1]


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_in_chinese_a_refusal_keeps_its_reason_whole(lang):
    """Messages are English: the reason nothing is drawn is printed as it is, not word by word."""
    from convgif.language import untranslated

    spec = Conv2dSpec((3, 5000, 5000), 3, 3)
    reason = describe(spec, backward=True)["too_large_to_draw"]
    lines = explain(spec, lang=lang, backward=True)
    assert lines[-1].endswith(f" {reason}") and lines[-1].startswith(("帧数: 无,", "幀數: 無,"))
    assert [word for line in lines[:-1] for word in untranslated(line)] == []


def random_drawn_layer(rng):
    """A layer of a kind whose part a render chooses, sized so that --values and --width often
    change that part: convolutions of one to three axes, pools, adaptive pools."""
    import convgif

    dims = rng.choice([1, 2, 3])
    sides = [rng.randint(3, {1: 40, 2: 14, 3: 6}[dims]) for _ in range(dims)]
    c = rng.choice([1, 2, 3, 8])
    kind = rng.choice(["conv", "conv", "pool", "adaptive"])
    if kind == "conv":
        cls = getattr(convgif, f"Conv{dims}dSpec")
        return cls((c, *sides), rng.choice([1, 2, 4]), rng.randint(1, 3), rng.randint(1, 2), rng.randint(0, 1))
    if kind == "pool":
        return getattr(convgif, f"{rng.choice(['Max', 'Avg'])}Pool{dims}dSpec")((c, *sides), rng.randint(1, 3))
    return getattr(convgif, f"Adaptive{rng.choice(['Max', 'Avg'])}Pool{dims}dSpec")((c, *sides), rng.randint(1, 5))


@pytest.mark.parametrize("seed", range(4))
def test_info_counts_the_frames_of_the_render_with_the_same_options(seed, tmp_path):
    """`convgif info` with a render's options (--values, --width, --region, --max-frames) says
    as many frames as that render's GIF holds, and draws the same part."""
    from PIL import Image

    import convgif

    rng = random.Random(seed)
    compared = 0
    for case in range(6):
        spec = random_drawn_layer(rng)
        for values in (False, True):
            options = {"values": values, "max_frames": rng.choice([300, 300, 40])}
            if rng.random() < 0.3:
                options["width"] = rng.choice([500, 900])
            info = describe(spec, **options)
            if info["frames"] is None:
                with pytest.raises(SpecError):
                    convgif.render(spec, tmp_path / "refused.gif", **options)
                continue
            path = tmp_path / f"{case}-{values}.gif"
            result = convgif.render(spec, path, **options)
            with Image.open(path) as gif:
                assert info["frames"] == result.frames == gif.n_frames, (spec, options)
            region = None if result.region is None else result.region.text()
            assert (info["region"] or {}).get("text") == region, (spec, options)
            compared += 1
    assert compared >= 8


def test_cli_info_takes_the_options_that_change_what_a_render_draws(tmp_path, monkeypatch):
    """The reviewer's layers: with --values a render draws a part (one of two output channels;
    Conv3d: one output cell of one channel), and info says so and counts its frames."""
    from PIL import Image

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    layers = [
        ["--layer", "Conv1d", "--in", "2,8", "--out", "2", "--k", "3", "--s", "2", "--p", "1"],
        ["--layer", "Conv3d", "--in", "2,4,4,4", "--out", "2", "--k", "3", "--p", "1"],
    ]
    for layer in layers:
        counts = []
        for extra in ([], ["--values"], ["--values", "--region", "0:1" if "Conv1d" in layer else "0:1,0:2"]):
            printed = runner.invoke(main, ["info", *layer, *extra])
            assert printed.exit_code == 0, printed.output
            (line,) = [line for line in printed.output.splitlines() if line.startswith("frames ")]
            frames = int(line.split()[1].rstrip(":"))
            assert runner.invoke(main, [*layer, *extra, "-o", "drawn.gif"]).exit_code == 0
            with Image.open(tmp_path / "drawn.gif") as gif:
                assert frames == gif.n_frames, (layer, extra)
            counts.append(frames)
        assert counts[1] < counts[0]  # --values draws less of these layers
    refused = runner.invoke(main, ["info", "--in", "1,5,5", "--image", "no-such-picture.png"])
    assert refused.exit_code == 2 and "--image" in refused.output and "no-such-picture.png" in refused.output


def test_info_names_the_least_width_or_scale_that_draws_every_step_and_it_does():
    for spec in [Conv2dSpec((3, 7, 7), 2, 3, padding=1), Conv2dSpec((3, 7, 7), 2, 3, 2, 1, 2)]:
        info = describe(spec, values=True)
        assert info["frames"] < info["steps"] and info["whole_by"], info
        said = " or ".join(f"--{name} {value}" for name, value in sorted(info["whole_by"].items(), reverse=True))
        assert f"a render with {said} draws every step" in explain(spec, values=True)
        for name, value in info["whole_by"].items():
            assert describe(spec, values=True, **{name: value})["frames"] == info["steps"], (spec, name)
    whole = describe(Conv2dSpec((1, 5, 5), 1, 3), values=True)
    assert whole["frames"] == whole["steps"] and whole["whole_by"] == {}


def test_the_checkerboard_has_no_parameters_of_its_own_and_lists_those_it_compares():
    """Its parameter line does not say 0 and then list 58 weights as though they were its own."""
    result = CliRunner().invoke(main, ["info", "--layer", "checkerboard", "--in", "4,4"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index("parameters 0 of its own; the four layers it compares have these weights")
    weights = [int(line.rsplit(": ", 1)[1].split()[0]) for line in lines[at + 1 : at + 5]]
    assert weights == [9, 4, 9, 36] and lines[at + 5].startswith("input cells, once per way")
