"""Issue 26, names and labels: ties said as ties, no mark inside the noise, sweep labels
that name only what changed for each model, and -m with hydra.run.dir."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from harness.results import write_tables
from harness.results.stats import cell_rng, paired_difference, verdict
from tests.conftest import REPO
from tests.run_factory import make_run


def _diff(values_a, values_b):
    return paired_difference(values_a, values_b, cell_rng(0, "m"))


@pytest.mark.parametrize(("b_minus_a", "mark"), [
    (0.0, "tie"),  # identical values: a degenerate interval at zero
    (1e-6, "tie"),  # was "better": +0.000 [0.000, 0.000]
    (-0.0004, "tie"),  # was "worse": -0.000 [-0.000, -0.000]
    (0.01, "better"),
    (-0.01, "worse"),
])
def test_a_difference_the_tables_print_as_zero_is_a_tie(b_minus_a, mark):
    a = [0.2 + 0.05 * i for i in range(12)]
    assert verdict(_diff(a, [x + b_minus_a for x in a]), True) == mark


def test_an_interval_whose_low_end_is_inside_the_noise_is_no_clear_difference():
    a = [0.5] * 12
    b = [0.5 + (0.0001 if i < 11 else 0.05) for i in range(12)]  # low end 0.0001 > 0
    diff = _diff(a, b)
    assert 0 < diff.low < 0.0005 and verdict(diff, True) == "no clear difference"


def test_compare_says_tie_not_better_for_a_change_within_the_noise(tmp_path):
    a = make_run(tmp_path / "a")
    b = make_run(tmp_path / "b")
    path = b / "scores.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for row in rows:  # every value moved by a float's noise
        row["scores"]["faithfulness"] += 1e-7
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "compare", str(a), str(b)],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines()
                if x.startswith("lead3") and "faithfulness" in x)
    assert "+0.000 [0.000, 0.000]" in line and line.rstrip().endswith("tie"), line
    assert "better" not in proc.stdout and "worse" not in proc.stdout


def test_models_that_all_score_the_same_are_a_tie_in_the_verdict(tmp_path):
    run = make_run(tmp_path / "run", shift={("lead3", "faithfulness"): 1.0,
                                            ("textrank", "faithfulness"): 1.0})
    text = write_tables(run, full=False)
    assert "**1.000** [1.000, 1.000]" in text
    assert ("faithfulness: a tie, no model differs from another (every paired difference is "
            "0.000 to three decimals).") in text
    assert "faithfulness: no model is clearly best (some paired intervals include zero)" \
        not in text
    paired = (run / "table.md").read_text().partition("Paired difference")[2]
    line = next(x for x in paired.splitlines() if x.startswith("| faithfulness"))
    assert "+0.000 [0.000, 0.000] tie" in line


def test_two_models_tied_at_the_top_are_named(tmp_path):
    run = make_run(tmp_path / "run", models=("lead3", "textrank", "weak"),
                   shift={("lead3", "faithfulness"): 1.0, ("textrank", "faithfulness"): 1.0,
                          ("weak", "faithfulness"): -0.5})
    text = write_tables(run, full=False)
    assert ("faithfulness: no single best model: lead3, textrank tie (paired differences 0.000 "
            "to three decimals), and each beats every other model.") in text


def _labels(folder):
    with (folder / "table.csv").open(encoding="utf-8") as handle:
        return {row["model"]: row for row in csv.DictReader(handle)}


def test_a_model_no_job_changed_is_not_labelled_with_another_models_override(tmp_path):
    sweep = tmp_path / "sweep"
    both = ("lead3", "textrank")
    make_run(sweep / "0", models=both, overrides=["models=[lead3,textrank]", "model.lead3.k=1"])
    make_run(sweep / "1", models=both, overrides=["models=[lead3,textrank]", "model.lead3.k=3"])
    write_tables(sweep)
    rows = _labels(sweep)
    # textrank ran the same way in both jobs: one row, from the first job, with its name only;
    # models=[...] is in every job: it changed nothing, so no label names it.
    assert set(rows) == {"lead3 [model.lead3.k=1]", "lead3 [model.lead3.k=3]", "textrank"}
    assert rows["textrank"]["articles"] == "12"


def test_each_model_is_labelled_with_its_own_overrides_only(tmp_path):
    sweep = tmp_path / "sweep"
    both = ("lead3", "textrank")
    make_run(sweep / "0", models=both, overrides=["model.textrank.k=2", "limit=12"])
    make_run(sweep / "1", models=both, overrides=["model.lead3.k=2", "limit=12"])
    write_tables(sweep)
    # limit=12 is in both jobs: what changed for lead3 is its k in job 1 (job 0: as configured).
    assert set(_labels(sweep)) == {"lead3", "lead3 [model.lead3.k=2]",
                                   "textrank [model.textrank.k=2]", "textrank"}


def test_the_same_overrides_in_two_sweeps_stay_two_rows(tmp_path):
    # Pooled by harness report: jobs of different sweeps are different runs.
    for name in ("a", "b"):
        make_run(tmp_path / name / "0", models=("lead3",), overrides=["model.lead3.k=2"])
    from harness.results.runs import TABLE_FILES, load_results

    results = load_results([tmp_path / "a", tmp_path / "b"], TABLE_FILES)
    assert results.labels == [f"lead3 [{tmp_path / 'a' / '0'}]", f"lead3 [{tmp_path / 'b' / '0'}]"]


def test_sweep_labels_and_the_ignored_run_dir_in_a_real_sweep(tmp_path):
    story = ("Acme to build Ohio factory\n\nAcme Corp will build a new factory in Ohio, the "
             "company said on Monday. It is big.\n\nThe plant will employ {n} people from next "
             "year. Local officials welcomed the plan. More came.")
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"a{i}", "text": story.format(n=300 + i)}) + "\n"
                           for i in range(3)), encoding="utf-8")
    sweep, ignored = tmp_path / "sweep", tmp_path / "run_dir"
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "-m", "models=[lead3,textrank]",
         "metrics=[rouge]", "model.lead3.k=1,3", "data=jsonl", f"data.path={src}",
         f"hydra.sweep.dir={sweep}", f"hydra.run.dir={ignored}"],
        capture_output=True, text=True, timeout=600, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    warning = [x for x in proc.stderr.splitlines() if "hydra.run.dir" in x]
    assert warning == [f"harness run: warning: with -m, hydra.run.dir is not used (each job "
                       f"writes into hydra.sweep.dir/<job number>); for the sweep to write "
                       f"under {ignored}, pass hydra.sweep.dir={ignored} instead"]
    assert not ignored.exists()
    labels = set(_labels(sweep))
    # Only what changed between the jobs: not models=, metrics=, data=, data.path=.
    assert labels == {"lead3 [model.lead3.k=1]", "lead3 [model.lead3.k=3]", "textrank"}


def test_a_single_run_with_run_dir_gets_no_sweep_warning():
    from harness.cli import sweep_run_dir_note

    assert sweep_run_dir_note(["hydra.run.dir=x", "limit=2"]) is None
    assert sweep_run_dir_note(["-m", "limit=1,2"]) is None
    assert "hydra.sweep.dir=x" in sweep_run_dir_note(["--multirun", "hydra.run.dir=x"])
