import csv
import json

import numpy as np
import pytest
from click.testing import CliRunner

from convgif import Conv2dSpec, SpecError
from convgif.bench import ARTICLE, Sweep, bench, configure, forward, parse_sweep, run_sweeps, time_call
from convgif.cli import main
from convgif.engine import convolve, pad_input


def test_parse_sweep():
    assert parse_sweep("out=1,2,4") == Sweep("out", (1, 2, 4))
    assert parse_sweep("k=1,3x1,3") == Sweep("k", (1, (3, 1), 3))
    for bad in ("x=1", "out=", "out=a", "out=3x1", "k=1x2x3", "k", "in=1,1", "k=3,3x3"):
        with pytest.raises(SpecError) as error:
            parse_sweep(bad)
        assert error.value.argument == "sweep"


def test_configure_changes_the_swept_arguments():
    base = Conv2dSpec((3, 16, 16), 4, 3)
    spec = configure(base, {"in": 8, "k": (3, 1), "s": 2, "g": 4})
    assert spec.input_shape == (8, 16, 16) and spec.kernel_size == (3, 1) and spec.stride == (2, 2) and spec.groups == 4
    with pytest.raises(SpecError):
        configure(base, {"g": 2})  # 3 input channels


def test_numpy_backend_computes_the_convolution():
    spec = Conv2dSpec((3, 9, 9), 4, 3, stride=2, padding=1, groups=1)
    out = forward(spec, "numpy", seed=1)()
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, *spec.input_shape), dtype=np.float32)
    w = rng.standard_normal((4, 3, 3, 3), dtype=np.float32)
    b = rng.standard_normal(4, dtype=np.float32)
    np.testing.assert_allclose(out, convolve(spec, pad_input(spec, x[0]), w, b), rtol=1e-5)
    torch = pytest.importorskip("torch")
    layer = torch.nn.Conv2d(3, 4, 3, 2, 1)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(w))
        layer.bias.copy_(torch.from_numpy(b))
        np.testing.assert_allclose(layer(torch.from_numpy(x))[0].numpy(), out, rtol=1e-4, atol=1e-5)


def test_time_call_warms_up_and_repeats_within_bounds():
    calls = []
    times = time_call(lambda: calls.append(1), budget_s=0.001, min_repeats=3, max_repeats=10)
    assert 3 <= len(times) <= 10 and len(calls) == len(times) + 1 and min(times) >= 0


def test_sweeps_measure_every_combination_and_note_refusals():
    base = Conv2dSpec((4, 12, 12), 4, 3)
    results = run_sweeps(base, [parse_sweep("g=1,2,3"), parse_sweep("k=1,3")], "numpy", time_budget=0.05)
    assert [r.values for r in results] == [
        {"g": 1, "k": 1}, {"g": 2, "k": 1}, {"g": 3, "k": 1}, {"g": 1, "k": 3}, {"g": 2, "k": 3}, {"g": 3, "k": 3},
    ]
    refused = [r for r in results if r.error]
    assert [r.values["g"] for r in refused] == [3, 3] and "must divide" in refused[0].error
    ok = [r for r in results if not r.error]
    assert all(r.repeats >= 3 and r.q1_ms <= r.median_ms <= r.q3_ms for r in ok)
    assert [r.parameters for r in ok] == [20, 12, 148, 76]  # 4·4/G·k² + 4


def test_bench_writes_figure_csv_and_json(tmp_path):
    prefix = tmp_path / "sweep"
    results, backend = bench(Conv2dSpec((2, 10, 10), 2, 3), [parse_sweep("out=1,2"), parse_sweep("k=1,3")], prefix, time_budget=0.05)
    assert prefix.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = list(csv.DictReader(open(prefix.with_suffix(".csv"))))
    assert len(rows) == 4 and rows[0]["backend"] == backend and rows[3]["parameters"] == str(2 * 2 * 9 + 2)
    data = json.loads(prefix.with_suffix(".json").read_text())
    assert data["backend"] == backend and [s["name"] for s in data["sweeps"]] == ["out", "k"]
    assert len(data["results"]) == 4


def test_article_preset_shows_what_the_article_says_about_parameters():
    counts = {}
    for name, (base, first, second) in ARTICLE.items():
        a, b = parse_sweep(first), parse_sweep(second)
        counts[name] = {(x, y): configure(base, {a.name: x, b.name: y}).num_parameters for x in a.values for y in b.values}
    def per(name, y):
        return [counts[name][(x, y)] for x in parse_sweep(ARTICLE[name][1]).values]
    for name in ("in_channels", "out_channels"):  # linear in channels: constant increments per channel
        xs = np.array(parse_sweep(ARTICLE[name][1]).values)
        for k in (1, 3, 5):
            ps = np.array(per(name, k))
            slope = np.diff(ps) / np.diff(xs)
            assert np.allclose(slope, slope[0])
    for name in ("stride", "padding", "dilation"):  # no effect
        for k in (1, 3, 5):
            assert len(set(per(name, k))) == 1
    weights = [p - 32 for p in per("groups", 3)]  # divided by groups
    assert weights == [32 * 32 * 9 // g for g in (1, 2, 4, 8, 16, 32)]
    kernel = [p - 16 for p in per("kernel_size", 8)]  # linear in kernel area
    assert kernel == [16 * 8 * k * k for k in (1, 3, 5, 7, 9)]


def test_cli_bench_errors():
    runner = CliRunner()
    for args, words in (
        (["bench", "--in", "1,8,8"], "give --sweep"),
        (["bench", "--in", "1,8,8", "--sweep", "a=1"], "NAME=V1,V2"),
        (["bench", "--in", "1,8,8", "--sweep", "out=1", "--sweep", "k=1", "--sweep", "s=1"], "one or two"),
        (["bench", "--in", "1,8,8", "--sweep", "out=1", "--sweep", "out=2"], "different arguments"),
        (["bench", "--in", "1,8,8", "--sweep", "g=2"], "every configuration was refused"),
        (["bench", "--in", "1,8,8", "--sweep", "out=1", "--time-budget", "0"], "above 0"),
        (["bench", "--preset", "article", "--sweep", "out=1"], "sets its own"),
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 2 and words in result.output, (args, result.output)


def test_cli_bench_runs(tmp_path):
    result = CliRunner().invoke(
        main, ["bench", "--in", "1,8,8", "--sweep", "out=1,2", "--time-budget", "0.05", "-o", str(tmp_path / "b"), "--format", "svg"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b.svg").exists() and (tmp_path / "b.csv").exists() and "2 configurations" in result.output
