import dataclasses
import io
import json
import random
import re
import warnings

import pytest
from click.testing import CliRunner

import convgif
from convgif import (
    Conv1dSpec,
    Conv2dSpec,
    Conv3dSpec,
    ConvTranspose1dSpec,
    ConvTranspose2dSpec,
    ConvTranspose3dSpec,
    SeparableSpec,
    SpecError,
    ops,
)
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
                "window placements 18 (9 on each of 2 channels)",
                "animation steps 9 (each writes every channel)",
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


def test_a_separable_layer_is_told_as_its_two_products_and_d_is_named():
    """Its matrix section was the depthwise step's alone, told as the whole layer (16 × 36 for
    a 32-channel output, "+ b" without a bias), under a --view it does not draw."""
    lines = explain(SeparableSpec((16, 8, 8), 32, 3, bias=False))
    # 6×6 = 36 output positions; d has C_in = 16 channels, y 32; C_pw maps 16·36 values to 32·36
    assert "  d, the depthwise output and the pointwise step's input: (C_in, H_out, W_out) = (16, 6, 6)" in lines
    at = lines.index("as two matrix products, the depthwise then the pointwise")
    assert lines[at + 1 : at + 8] == [
        "  depthwise: X = unfold(x): C_in·KH·KW × L = 144 × 36",
        "  depthwise: W_dw: C_in × KH·KW = 16 × 9 (16 × 144 block-diagonal against all of X)",
        "  depthwise: D = W_dw·X: C_in × L = 16 × 36, d flattened",
        "  pointwise: W_pw: C_out × C_in = 32 × 16",
        "  pointwise: Y = W_pw·D: C_out × L = 32 × 36",
        "  C_dw (d = C_dw·x): 576 × 1,024 = 589,824 entries, 5,184 of them weights (0.879%)",
        "  C_pw (y = C_pw·d): 1,152 × 576 = 663,552 entries, 18,432 of them weights (2.78%)",
    ]
    assert not [line for line in lines if "+ b" in line or "--view" in line]
    # 36 depthwise placements on each of 16 d channels, 36 pointwise ones on each of 32 outputs
    assert (
        "kernel placements 1,728 (576 depthwise, 36 on each of 16 d channels; 1,152 pointwise, 36 on each of 32 "
        "output channels)" in lines
    )
    with_bias = explain(SeparableSpec((16, 8, 8), 32, 3))
    assert "  pointwise: Y = W_pw·D + b: C_out × L = 32 × 36" in with_bias


MATRIX_KINDS = [
    Conv1dSpec((2, 6), 2, 3),
    Conv2dSpec((2, 5, 5), 2, 3, groups=2),
    Conv3dSpec((2, 4, 4, 4), 2, 3),
    ConvTranspose1dSpec((2, 4), 2, 3),
    ConvTranspose2dSpec((2, 3, 3), 2, 3, stride=2),
    ConvTranspose3dSpec((2, 2, 2, 2), 2, 2, stride=2),
    SeparableSpec((2, 5, 5), 2, 3),
]


@pytest.mark.parametrize("spec", MATRIX_KINDS, ids=lambda spec: ops.of(spec).name)
def test_info_names_a_view_only_where_a_render_draws_it(spec):
    text = "\n".join(explain(spec))
    for view in ("matrix", "overlaps"):
        try:
            convgif.render_still(spec, io.BytesIO(), step=1, view=view)
            drawn = True
        except SpecError:
            drawn = False
        assert (f"--view {view}" in text) == drawn, (view, text)


@pytest.mark.parametrize("lang", ["en", "zh-Hans"])
@pytest.mark.parametrize("spec", MATRIX_KINDS, ids=lambda spec: ops.of(spec).name)
def test_a_layer_without_a_bias_adds_no_b(spec, lang):
    without = "\n".join(explain(dataclasses.replace(spec, bias=False), lang=lang))
    with_bias = "\n".join(explain(spec, lang=lang))
    assert "+ b" not in without and "+ b" in with_bias


def test_the_reviewers_layers_count_placements_on_every_channel_and_say_what_a_step_writes():
    """A depthwise Conv2d counted its placements per channel and a MaxPool2d did not, though
    each step of both writes every channel; the pool's comparisons were counted per channel."""
    conv = explain(Conv2dSpec((3, 6, 6), 3, 3, groups=3))
    assert "kernel placements 48 (16 on each of 3 output channels)" in conv  # 4×4 positions, 3 channels
    assert "animation steps 16 (each writes every output channel)" in conv
    pool = explain(convgif.MaxPool2dSpec((2, 7, 7), 3, stride=2, padding=1))
    assert "window placements 32 (16 on each of 2 channels)" in pool  # 4×4 windows, 2 channels
    assert "animation steps 16 (each writes every channel)" in pool
    assert pool[0].count("MaxPool2d") == 1, pool[0]
    grouped = explain(Conv2dSpec((2, 7, 7), 4, 3, stride=2, padding=2, groups=2))  # the article's grouped figure
    assert "kernel placements 100 (25 on each of 4 output channels)" in grouped
    assert "animation steps 50 (each writes 2 output channels, one in each group)" in grouped


#: Layers whose every step writes each channel at once, the torch module of each: a window (or
#: an output or input position) placed on every channel counts once per channel.
EVERY_CHANNEL = [
    ("--layer MaxPool2d --in 2,7,7 --k 3 --p 1 --s 2", "MaxPool2d(3, 2, 1)", "output"),
    ("--layer AvgPool1d --in 3,9 --k 2", "AvgPool1d(2)", "output"),
    ("--layer MaxPool3d --in 2,4,4,4 --k 2", "MaxPool3d(2)", "output"),
    ("--layer LPPool2d --in 2,6,6 --k 2 --norm-type 2", "LPPool2d(2, 2)", "output"),
    ("--layer AdaptiveAvgPool2d --in 3,5,5 --output-size 3", "AdaptiveAvgPool2d(3)", "output"),
    ("--layer AdaptiveMaxPool1d --in 2,7 --output-size 3", "AdaptiveMaxPool1d(3)", "output"),
    ("--layer FractionalMaxPool2d --in 2,7,7 --k 2 --output-size 3", "FractionalMaxPool2d(2, output_size=3)", "output"),
    ("--layer ReflectionPad2d --in 2,4,4 --p 1", "ReflectionPad2d(1)", "output"),
    ("--layer Upsample --in 2,3,3 --scale-factor 2", "Upsample(scale_factor=2)", "output"),
    ("--layer PixelUnshuffle --in 2,4,4 --downscale-factor 2", "PixelUnshuffle(2)", "output"),
    ("--layer PixelShuffle --in 8,2,2 --upscale-factor 2", "PixelShuffle(2)", "input"),
    ("--layer MaxUnpool2d --in 2,3,3 --k 2", "MaxUnpool2d(2)", "input"),
]


@pytest.mark.parametrize("line, module, counted", EVERY_CHANNEL, ids=[case[1] for case in EVERY_CHANNEL])
def test_a_layer_writing_every_channel_a_step_counts_its_placements_on_each(line, module, counted):
    torch = pytest.importorskip("torch")
    args = line.split()
    shape = tuple(int(n) for n in args[args.index("--in") + 1].split(","))
    layer = eval(f"torch.nn.{module}")  # noqa: S307  (the modules above)
    x = torch.rand(1, *shape)
    if "Unpool" in module:
        pooled, indices = torch.nn.MaxPool2d(2, return_indices=True)(torch.rand(1, shape[0], 6, 6))
        y = layer(pooled, indices)
        x = pooled
    else:
        y = layer(x)
    cells = (y if counted == "output" else x)[0]
    facts = json.loads(CliRunner().invoke(main, ["info", *args, "--json"]).output)
    per_channel, channels = cells[0].numel(), cells.shape[0]
    assert facts["placements"] == per_channel * channels
    assert facts["placements_note"].startswith(f"{per_channel} on each of {channels} ")
    assert facts["steps"] == per_channel and facts["steps_note"].startswith("each ")


@pytest.mark.parametrize("name", sorted(ops.REGISTRY))
def test_every_kind_names_itself_once_and_splits_its_counts_truly(name):
    """Each kind's example: the first line names the kind once (a pooling's caption names it
    too); a note splitting the placements over the channels multiplies back to them, over
    the layer's channels; steps fewer or more than the placements say what a step writes."""
    op = ops.operation(name)
    spec = op.spec_type(**op.example())
    facts, lines = describe(spec), explain(spec)
    assert len(re.findall(rf"(?<![\w.]){name}(?![\w(])", lines[0])) == 1, lines[0]
    for part in re.findall(r"([\d,]+) on each of ([\d,]+) ", facts["placements_note"] or ""):
        per_channel, channels = (int(n.replace(",", "")) for n in part)
        assert channels in (spec.input_shape[0], spec.output_shape[0]), (part, spec)
        assert per_channel * channels <= facts["placements"]
    if facts["placements_note"] and ";" not in facts["placements_note"]:  # one split: all of them
        (part,) = re.findall(r"([\d,]+) on each of ([\d,]+) ", facts["placements_note"])
        per_channel, channels = (int(n.replace(",", "")) for n in part)
        assert per_channel * channels == facts["placements"]
        if (facts["steps_note"] or "").startswith("each writes every"):  # a step a position, on each channel
            assert facts["steps"] == per_channel, facts
    if facts["steps"] != facts["placements"]:
        assert facts["steps_note"], facts
