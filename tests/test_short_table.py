"""Issue 14, short honest tables: what commands print, style figures, the verdict, timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from harness.commands import compare as compare_cmd
from harness.metrics.fragments import Fragments
from harness.results import write_tables
from tests.conftest import REPO
from tests.run_factory import make_run


def _set_timing(run, timing):
    path = run / "summaries.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for row in rows:
        if row["model"] == "textrank":
            row["timing"] = timing
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_printed_table_is_short_and_the_file_is_full(tmp_path):
    run = make_run(tmp_path / "run")
    _set_timing(run, "batch")
    short = write_tables(run, full=False)
    head = short.splitlines()[0]
    assert head.startswith("| model | articles | errors | faithfulness ↑ | coverage ↑ |")
    assert head.endswith("| words | s/summary |")
    assert "rouge1_f_headline" not in short and "compression" not in short
    assert len([line for line in short.splitlines() if line.startswith("| ")]) == 4
    assert "(batch mean)" in short.splitlines()[3] and "(batch mean)" not in short.splitlines()[2]
    full = (run / "table.md").read_text()
    assert "rouge1_f_headline" in full and "Paired difference" in full


def test_verdict_names_the_best_model_only_when_the_interval_supports_it(tmp_path):
    clear = make_run(tmp_path / "clear", shift={("textrank", "faithfulness"): 0.3})
    text = write_tables(clear, full=False)
    assert "faithfulness: best is textrank" in text
    few = make_run(tmp_path / "few", n_articles=3, shift={("textrank", "faithfulness"): 0.3})
    text = write_tables(few, full=False)
    assert "faithfulness: no verdict, the models share 3 scored article(s)" in text
    assert "**" not in text, "no best marks on 3 articles"
    paired = (few / "table.md").read_text().partition("Paired difference")[2]
    assert " better" not in paired and " worse" not in paired
    assert "no mark: 3 articles" in paired


def test_style_metrics_have_no_direction():
    declared = {k.name: k.higher_is_better for k in Fragments.keys()}
    assert declared == {"fragment_coverage": None, "fragment_density": None,
                        "compression": None}


def test_compare_never_calls_a_style_change_better_or_a_regression(tmp_path, capsys):
    old = make_run(tmp_path / "a")
    new = make_run(tmp_path / "b", shift={("lead3", "compression"): -0.5})
    # The baseline was written when compression was declared higher-is-better.
    record = json.loads((old / "run.json").read_text())
    record["metrics"]["compression"]["higher_is_better"] = True
    (old / "run.json").write_text(json.dumps(record))
    assert compare_cmd.main([str(old), str(new)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines()
                if x.startswith("lead3") and "compression" in x)
    assert line.rstrip().endswith("lower") and "REGRESSION" not in line


def test_library_progress_bars_are_silenced_unless_verbose(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "article": "Rain in Leeds\n\nHeavy rain fell in "
                               "Leeds on Monday, flooding two roads.", "summary": "Rain fell."})
                   + "\n")
    # Runs in this process (other tests) set the quiet variables here; start clean.
    quiet_vars = ("HF_HUB_DISABLE_PROGRESS_BARS", "TRANSFORMERS_VERBOSITY",
                  "TRANSFORMERS_NO_ADVISORY_WARNINGS", "HF_DATASETS_DISABLE_PROGRESS_BARS")
    env = {k: v for k, v in os.environ.items() if k not in quiet_vars} | {"HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "harness.cli", "score", str(src), "--metrics", "faithfulness"]
    quiet = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=env, timeout=600)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr.strip().splitlines() == ["harness score: 1 scored, 0 failed"]
    loud = subprocess.run([*cmd, "--verbose"], capture_output=True, text=True, cwd=REPO,
                          env=env, timeout=600)
    assert "Loading weights" in loud.stderr


def test_a_model_that_copies_the_lede_gets_a_line_under_the_printed_table(tmp_path):
    run = make_run(tmp_path / "run")
    record = json.loads((run / "run.json").read_text())
    record["metrics"]["copies_lede"] = {"low": 0.0, "high": 1.0, "higher_is_better": None}
    record["metrics"]["rougeL_lede_f"] = {"low": 0.0, "high": 1.0, "higher_is_better": True}
    (run / "run.json").write_text(json.dumps(record))
    path = run / "scores.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for i, row in enumerate(rows):
        copies = row["model"] == "lead3" and i % 2 == 0
        row["scores"]["copies_lede"] = float(copies)
        row["scores"]["rougeL_lede_f"] = 1.0 if copies else 0.4
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    text = write_tables(run, full=False)
    lines = [x for x in text.splitlines() if "copies the lede" in x]
    assert lines == ["rougeL_lede_f: lead3 copies the lede in 50% of its summaries (copies_lede); "
                     "there its lede-based scores measure the copy, not a summary "
                     "(docs/metrics.md, rouge)."]
