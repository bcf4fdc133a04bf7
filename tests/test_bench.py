import csv
import json

import numpy as np
import pytest
from click.testing import CliRunner

from convgif import Conv2dSpec, SpecError
from convgif.cli import main
from convgif.engine.direct import convolve, pad_input
from convgif.integrations.bench import (
    ARTICLE,
    bench,
    compute_threads,
    configure,
    forward,
    mark_noise,
    parse_sweep,
    quartiles,
    run_sweeps,
    time_call,
    time_interleaved,
    within_noise,
)
from convgif.integrations.bench_results import Measurement, Sweep, plot


def test_parse_sweep():
    assert parse_sweep("out=1,2,4") == Sweep("out", (1, 2, 4))
    assert parse_sweep("k=1,3x1,3") == Sweep("k", (1, (3, 1), 3))
    for bad in ("x=1", "out=", "out=a", "out=3x1", "k=1x2x3", "k", "in=1,1", "k=3,3x3"):
        with pytest.raises(SpecError) as error:
            parse_sweep(bad)
        assert error.value.argument == "sweeps"


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
        {"g": 1, "k": 1},
        {"g": 2, "k": 1},
        {"g": 3, "k": 1},
        {"g": 1, "k": 3},
        {"g": 2, "k": 3},
        {"g": 3, "k": 3},
    ]
    refused = [r for r in results if r.error]
    assert [r.values["g"] for r in refused] == [3, 3] and "must divide" in refused[0].error
    ok = [r for r in results if not r.error]
    assert all(r.repeats >= 3 and r.q1_ms <= r.median_ms <= r.q3_ms for r in ok)
    assert [r.parameters for r in ok] == [20, 12, 148, 76]  # 4·4/G·k² + 4
    assert len({r.repeats for r in ok}) == 1  # timed together, round after round
    assert [r.within_noise_prev is None for r in ok] == [True, False, True, False]  # g=1 starts each line
    assert [r.within_noise_prev_line is None for r in ok] == [True, True, False, False]  # k=1 is the first line
    assert all(r.within_noise_prev is None and r.within_noise_prev_line is None for r in refused)


def test_bench_writes_figure_csv_and_json(tmp_path):
    prefix = tmp_path / "sweep"
    _, backend = bench(
        Conv2dSpec((2, 10, 10), 2, 3), [parse_sweep("out=1,2"), parse_sweep("k=1,3")], prefix, time_budget=0.05
    )
    assert prefix.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with open(prefix.with_suffix(".csv"), encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4 and rows[0]["backend"] == backend and rows[3]["parameters"] == str(2 * 2 * 9 + 2)
    data = json.loads(prefix.with_suffix(".json").read_text())
    assert data["backend"] == backend and [s["name"] for s in data["sweeps"]] == ["out", "k"]
    assert len(data["results"]) == 4
    assert [r["within_noise_prev"] for r in rows] == [
        "",
        rows[1]["within_noise_prev"],
        "",
        rows[3]["within_noise_prev"],
    ]
    assert {r["within_noise_prev"] for r in (rows[1], rows[3])} <= {"yes", "no"}
    assert {r["within_noise_prev_line"] for r in rows[2:]} <= {"yes", "no"} and rows[0]["within_noise_prev_line"] == ""
    assert "median" in data["method"]["statistic"] and "overlap" in data["method"]["within_noise"]
    assert data["results"][1]["within_noise_prev"] in (True, False) and data["results"][0]["within_noise_prev"] is None


def test_article_preset_shows_what_the_article_says_about_parameters():
    counts = {}
    for name, (base, first, second) in ARTICLE.items():
        a, b = parse_sweep(first), parse_sweep(second)
        counts[name] = {
            (x, y): configure(base, {a.name: x, b.name: y}).num_parameters for x in a.values for y in b.values
        }

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
        main,
        [
            "bench",
            "--in",
            "1,8,8",
            "--sweep",
            "out=1,2",
            "--time-budget",
            "0.05",
            "-o",
            str(tmp_path / "b"),
            "--format",
            "svg",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b.svg").exists() and (tmp_path / "b.csv").exists() and "2 configurations" in result.output


def test_cli_bench_counts_only_what_it_times_and_says_why_the_others_are_refused(tmp_path):
    args = ["bench", "--in", "2,8,8", "--sweep", "out=0,1", "--sweep", "k=1,9", "--time-budget", "0.05"]
    result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    reason = "out=0, k=1: out_channels=0 must be a positive integer; 2 more in the table"
    assert f"timing 1 configuration (3 refused by PyTorch's rules: {reason}) in 1 figure" in result.output
    assert f"(1 configuration timed on numpy-cpu, 3 refused by PyTorch's rules: {reason})" in result.output.replace(
        "torch-cpu", "numpy-cpu"
    )


# -- the statistic, the noise marks and the interleaving, on made-up samples ----------------------


def test_quartiles_are_the_median_and_interquartile_range_and_shrug_off_outliers():
    assert quartiles([5, 1, 4, 2, 3]) == (2.0, 3.0, 4.0)
    assert quartiles([1, 2, 3, 4]) == (1.75, 2.5, 3.25)
    assert quartiles([1, 2, 3, 4, 1000]) == (2.0, 3.0, 4.0)  # one stall moves neither the median nor q3
    assert quartiles([7.0]) == (7.0, 7.0, 7.0)
    slow_spell = [1.0] * 60 + [16.0] * 40  # bimodal: 40 samples hit by a scheduler tick
    q1, median, q3 = quartiles(slow_spell)
    assert (q1, median) == (1.0, 1.0) and q3 == 16.0  # the spread shows it; the median does not jump


def timed(q1, median, q3, **values):
    return Measurement(values, median_ms=median, q1_ms=q1, q3_ms=q3)


def test_within_noise_is_overlapping_quartile_ranges():
    assert within_noise(timed(1, 2, 3), timed(3, 4, 5))  # touching ranges overlap
    assert within_noise(timed(1, 2, 9), timed(3, 4, 5))  # one inside the other
    assert not within_noise(timed(1, 2, 3), timed(3.1, 4, 5))
    assert not within_noise(timed(3.1, 4, 5), timed(1, 2, 3))


def test_mark_noise_compares_neighbours_along_and_across_lines():
    sweeps = [parse_sweep("out=1,2,4,8"), parse_sweep("k=1,3")]
    r = {
        (1, 1): timed(1, 2, 3, out=1, k=1),
        (2, 1): timed(2.5, 3, 3.5, out=2, k=1),  # overlaps out=1
        (4, 1): timed(5, 6, 7, out=4, k=1),
        (8, 1): timed(7.5, 8, 9, out=8, k=1),  # apart, apart
        (1, 3): timed(2, 3, 4, out=1, k=3),
        (2, 3): timed(10, 11, 12, out=2, k=3),  # k=3: overlaps k=1, apart
        (4, 3): Measurement({"out": 4, "k": 3}, error="refused"),
        (8, 3): timed(8, 8.5, 9.5, out=8, k=3),
    }
    mark_noise(list(r.values()), sweeps)
    assert [r[x, 1].within_noise_prev for x in (1, 2, 4, 8)] == [None, True, False, False]
    assert [r[x, 1].within_noise_prev_line for x in (1, 2, 4, 8)] == [None] * 4  # the first line
    # along k=3, out=8 is compared with out=2 (out=4 was refused): the figure joins those two
    assert [r[x, 3].within_noise_prev for x in (1, 2, 4, 8)] == [None, False, None, False]
    assert [r[x, 3].within_noise_prev_line for x in (1, 2, 4, 8)] == [True, False, None, True]


def test_one_sweep_has_no_lines_to_compare():
    results = [timed(1, 2, 3, s=1), timed(2, 2.5, 3, s=2), timed(4, 5, 6, s=3)]
    mark_noise(results, [parse_sweep("s=1,2,3")])
    assert [r.within_noise_prev for r in results] == [None, True, False]
    assert all(r.within_noise_prev_line is None for r in results)


def logging_runs(log, count):
    return [lambda i=i: log.append(i) for i in range(count)]


def test_runs_are_warmed_up_then_interleaved_in_seeded_shuffled_rounds():
    log = []
    times = time_interleaved(logging_runs(log, 4), budget_s=60, min_repeats=3, max_repeats=12, seed=7)
    assert [len(t) for t in times] == [12] * 4  # max_repeats rounds fit the budget
    assert log[:4] == [0, 1, 2, 3]  # the warm-up, in order, untimed
    rounds = [log[i : i + 4] for i in range(4, len(log), 4)]
    assert len(rounds) == 12 and all(sorted(r) == [0, 1, 2, 3] for r in rounds)  # each run once a round
    assert len({tuple(r) for r in rounds}) > 3  # the order changes from round to round
    again = []
    time_interleaved(logging_runs(again, 4), budget_s=60, min_repeats=3, max_repeats=12, seed=7)
    assert again == log  # the same seed, the same orders
    other = []
    time_interleaved(logging_runs(other, 4), budget_s=60, min_repeats=3, max_repeats=12, seed=8)
    assert other != log


def test_rounds_stop_when_the_next_would_overrun_the_budget():
    now = [0.0]
    runs = [lambda: now.__setitem__(0, now[0] + 0.125) for _ in range(2)]
    ticks = []
    times = time_interleaved(
        runs, budget_s=2.0, clock=lambda: now[0], progress=lambda done, total: ticks.append((done, total))
    )
    # warm-up 0.25 s, then rounds of 0.25 s: the 7th ends at 2.0 s, an 8th would end past the budget
    assert [len(t) for t in times] == [7, 7] and all(t == 125 for t in times[0] + times[1]) and now[0] == 2.0
    assert ticks == [(i, 100) for i in range(1, 101)]  # the progress bar moves one percent at a time
    now[0] = 0.0
    assert [len(t) for t in time_interleaved(runs, budget_s=0.001, clock=lambda: now[0])] == [3, 3]  # at least 3


def test_timing_runs_on_one_thread_and_restores_the_count():
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    with compute_threads("torch-cpu") as count:
        assert count == 1 and torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with compute_threads("numpy") as count:
        assert count in (1, None)  # None: a BLAS whose threads cannot be set from here


def test_the_figure_draws_noise_dotted(tmp_path):
    sweeps = [parse_sweep("s=1,2,3"), parse_sweep("k=1,3")]
    results = [
        timed(1, 2, 3, s=1, k=1),
        timed(2, 2.5, 3, s=2, k=1),
        timed(4, 5, 6, s=3, k=1),  # s=2 within noise of s=1
        timed(10, 11, 12, s=1, k=3),
        timed(6, 7, 8, s=2, k=3),
        timed(5, 5.5, 5.8, s=3, k=3),  # s=3 within noise of k=1
    ]
    for r in results:
        r.parameters, r.repeats, r.threads = 10, 3, 1
    mark_noise(results, sweeps)
    path = tmp_path / "f.svg"
    plot(path, results, sweeps, Conv2dSpec((1, 8, 8)), "numpy")
    svg = path.read_text()
    # along k=1 (s=1 to 2), across at s=3 (k=1 to 3), and the legend's sample: three dotted lines
    assert svg.count("stroke-dasharray") == 3 and "within noise" in svg
