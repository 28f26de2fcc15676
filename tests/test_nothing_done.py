"""Issue 26: `harness score` and `harness headline-check` that produce nothing exit 1 with
one line saying why (as `harness run` does), and their user errors are one line."""

from __future__ import annotations

import json

from harness.commands.outcome import nothing_done
from tests.conftest import ACME_ARTICLE as ARTICLE
from tests.conftest import run_cli as _cli


def _empty_summaries(tmp_path, n=3):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"a{i}", "article": ARTICLE, "summary": " ",
                                       "model": "B"}) + "\n" for i in range(n)))
    return src


def test_nothing_done_names_the_commonest_causes_without_file_and_line():
    errors = ["in.jsonl:1: missing or empty field 'summary'",
              "in.jsonl:2: missing or empty field 'summary'",
              "in.jsonl:3: malformed JSON (Expecting value)",
              "in.jsonl:4: expected a JSON object"]
    assert nothing_done("scored", errors) == (
        "nothing was scored: every row (4) failed (2 × missing or empty field 'summary'; "
        "1 × expected a JSON object; 1 other cause)")
    assert nothing_done("checked", ["x.csv:2: missing or empty field 'headline'"]) == (
        "nothing was checked: the row failed (1 × missing or empty field 'headline')")


def test_score_with_every_summary_empty_exits_1_saying_why(tmp_path):
    proc = _cli("score", str(_empty_summaries(tmp_path)), "--metrics", "rouge")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        "harness score: nothing was scored: every row (3) failed (3 × missing or empty field "
        "'summary')")


def test_score_into_a_folder_with_nothing_scored_prints_the_table_and_why(tmp_path):
    folder = tmp_path / "run"
    proc = _cli("score", str(_empty_summaries(tmp_path)), "-o", str(folder), "--metrics", "rouge")
    assert proc.returncode == 1
    # The model keeps its row, and the line under the table says what failed.
    assert "| B | 0 | 3 |" in proc.stdout
    assert "B: 3 failed (3 × load: missing or empty field 'summary')" in proc.stdout
    assert proc.stderr.strip().splitlines()[-1].startswith(
        "harness score: nothing was scored: every row (3) failed")
    assert (folder / "table.md").is_file()


def test_headline_check_with_every_row_failing_exits_1_saying_why(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "article": ARTICLE}) + "\n" + "[1, 2]\n")
    proc = _cli("headline-check", str(src))
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        "harness headline-check: nothing was checked: every row (2) failed (1 × expected a "
        "JSON object; 1 × missing or empty field 'headline')")


def test_headline_check_of_an_empty_input_exits_1(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n\n")
    proc = _cli("headline-check", str(src))
    assert proc.returncode == 1
    assert proc.stderr.strip() == (f"harness headline-check: {src}: no rows to check (the "
                                   "input is empty)")


def test_headline_check_with_a_bad_stance_model_file_is_one_line(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "article": ARTICLE, "headline": "Acme builds"}) + "\n")
    missing = _cli("headline-check", str(src), "--params", str(tmp_path / "none.npz"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert missing.stderr.strip() == (f"harness headline-check: stance model parameters "
                                      f"{tmp_path / 'none.npz'} not found (run "
                                      "scripts/train_stance.py)")
    other = _cli("headline-check", str(src), "--params", str(src))
    assert other.returncode == 2 and "Traceback" not in other.stderr
    assert other.stderr.startswith(f"harness headline-check: cannot read the stance model {src}: ")
