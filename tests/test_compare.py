"""`harness compare`: clean on identical runs, exit 1 on a regression, exit 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from harness.commands.compare import main
from harness.results.compare import DEFAULT_TOLERANCE
from tests.run_factory import make_run


def test_identical_runs_compare_clean(tmp_path, capsys):
    a = make_run(tmp_path / "a")
    b = make_run(tmp_path / "b")
    assert main([str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "no regression" in out
    assert "+0.000 [0.000, 0.000]" in out


def test_faithfulness_drop_of_0_3_fails(tmp_path, capsys):
    a = make_run(tmp_path / "a")
    b = make_run(tmp_path / "b", shift={("lead3", "faithfulness"): -0.3})
    assert main([str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert "REGRESSION in 1 metric(s): lead3 faithfulness" in out
    line = next(x for x in out.splitlines() if x.startswith("lead3") and "faithfulness" in x)
    assert "-0.300" in line and "worse" in line


def test_improvement_and_undirected_change_pass(tmp_path, capsys):
    a = make_run(tmp_path / "a")
    b = make_run(
        tmp_path / "b",
        shift={("lead3", "faithfulness"): 0.1, ("textrank", "compression"): -0.3},
    )
    assert main([str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "better" in out and "lower" in out


def test_drop_inside_tolerance_passes_unless_tolerance_is_zero(tmp_path):
    a = make_run(tmp_path / "a")
    b = make_run(tmp_path / "b", shift={("textrank", "coverage"): -DEFAULT_TOLERANCE / 2})
    assert main([str(a), str(b)]) == 0
    assert main([str(a), str(b), "--tolerance", "0"]) == 1


def test_noisy_drop_within_noise_passes(tmp_path):
    """A drop on a few articles only: the paired interval reaches above -tolerance."""
    a = make_run(tmp_path / "a")
    b = make_run(tmp_path / "b")
    rows = [json.loads(x) for x in (b / "scores.jsonl").read_text().splitlines()]
    for row in rows:
        if row["model"] == "lead3" and row["article_id"] == "a03":
            row["scores"]["faithfulness"] -= 0.2
    (b / "scores.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main([str(a), str(b)]) == 0
    # ...but the exact check of the regression baseline sees it.
    assert main([str(a), str(b), "--max-abs-diff", "1e-9"]) == 1


def test_exact_check_reports_moved_values_rows_and_metrics(tmp_path, capsys):
    a = make_run(tmp_path / "a")
    b = make_run(tmp_path / "b", n_articles=11, shift={("lead3", "coverage"): 1e-6})
    rows = [json.loads(x) for x in (b / "scores.jsonl").read_text().splitlines()]
    for row in rows:
        row["scores"]["new_metric"] = 0.5
    (b / "scores.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main([str(a), str(b), "--max-abs-diff", "1e-9"]) == 1
    out = capsys.readouterr().out
    assert "metric new_metric: only in B" in out
    assert "lead3 / a11: only in A" in out
    assert "lead3 / a00: coverage" in out
    assert main([str(a), str(a), "--max-abs-diff", "0"]) == 0


def test_missing_file_exits_2_naming_folder_and_file(tmp_path, capsys):
    a = make_run(tmp_path / "a")
    b = make_run(tmp_path / "b")
    (b / "scores.jsonl").unlink()
    assert main([str(a), str(b)]) == 2
    err = capsys.readouterr().err
    assert f"{b}: missing scores.jsonl" in err
    # Rows without run.json (written last): an interrupted run, said as such (issue 23).
    (a / "run.json").unlink()
    assert main([str(a), str(a)]) == 2
    err = capsys.readouterr().err
    assert f"{a}: incomplete run (interrupted): 24 score rows, no run.json" in err
    assert "rerun the same command to resume" in err


def test_missing_folder_exits_2(tmp_path, capsys):
    a = make_run(tmp_path / "a")
    assert main([str(a), str(tmp_path / "nope")]) == 2
    assert "nope: run folder does not exist" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main([str(a), str(tmp_path / "empty")]) == 2
    assert "empty: missing scores.jsonl" in capsys.readouterr().err


def test_runs_that_share_nothing_exit_2(tmp_path, capsys):
    a = make_run(tmp_path / "a", models=("lead3",))
    b = make_run(tmp_path / "b", models=("textrank",))
    assert main([str(a), str(b)]) == 2
    err = capsys.readouterr().err
    assert "share no (model, article) rows" in err
    assert str(a) in err and str(b) in err


def test_sweeps_compare_job_by_job(tmp_path, capsys):
    for side, shift in (("a", {}), ("b", {("lead3", "faithfulness"): -0.3})):
        sweep = tmp_path / side
        make_run(sweep / "0", models=("lead3",), overrides=["models=[lead3]"])
        make_run(sweep / "1", models=("lead3",), overrides=["model.lead3.k=2"], shift=shift)
    assert main([str(tmp_path / "a"), str(tmp_path / "b")]) == 1
    out = capsys.readouterr().out
    assert "REGRESSION in 1 metric(s): lead3 [model.lead3.k=2] faithfulness" in out


def test_one_shared_article_checks_the_difference_itself(tmp_path, capsys):
    a = make_run(tmp_path / "a", n_articles=1)
    b = make_run(tmp_path / "b", n_articles=1, shift={("lead3", "faithfulness"): -0.3})
    assert main([str(a), str(a)]) == 0
    assert main([str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert "no noise estimate, the difference itself is checked" in out
    assert "no mark: 1 article, fewer than 10  REGRESSION" in out


def test_bad_arguments_exit_2():
    with pytest.raises(SystemExit) as exc:
        main(["only-one"])
    assert exc.value.code == 2


def test_cli_process_exit_codes(tmp_path):
    a = make_run(tmp_path / "a")
    b = make_run(tmp_path / "b", shift={("lead3", "faithfulness"): -0.3})

    def run(*args: str) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "harness.cli", "compare", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)

    assert run(str(a), str(a)).returncode == 0
    assert run(str(a), str(b)).returncode == 1
    missing = run(str(a), str(tmp_path / "nope"))
    assert missing.returncode == 2 and "nope" in missing.stderr
