"""Issue 26: every dropped row is counted and attributed, and a run that scored
nothing, or was told to read nothing, does not exit 0."""

from __future__ import annotations

import csv
import json

import pytest

from harness.jsonl import read_jsonl
from harness.metrics.rouge import Rouge
from harness.models.extractive import LeadK
from harness.pipeline import RunPlan, run
from harness.results import write_tables
from tests.conftest import ACME_ARTICLE as ARTICLE
from tests.conftest import run_cli as _cli
from tests.fakes import EmptyOn
from tests.fakes import doc as _doc

GOOD = "Acme will build an Ohio plant."



def _table(folder) -> dict[str, dict[str, str]]:
    with (folder / "table.csv").open(encoding="utf-8") as fh:
        return {row["model"]: row for row in csv.DictReader(fh)}


def _two_models(path, b_empty) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(12):
            fh.write(json.dumps({"id": f"a{i}", "article": ARTICLE, "summary": GOOD,
                                 "model": "A"}) + "\n")
            fh.write(json.dumps({"id": f"a{i}", "article": ARTICLE, "model": "B",
                                 "summary": "" if b_empty(i) else "Acme builds."}) + "\n")


@pytest.mark.parametrize("b_empty, b_articles", [(lambda i: i % 2, 6), (lambda i: True, 0)],
                         ids=["half-empty", "all-empty"])
def test_score_folder_counts_empty_summaries_as_their_models_errors(tmp_path, b_empty,
                                                                    b_articles):
    src, out = tmp_path / "two.jsonl", tmp_path / "out"
    _two_models(src, b_empty)
    proc = _cli("score", str(src), "-o", str(out), "--metrics", "rouge")
    assert proc.returncode == 0, proc.stderr[-2000:]
    table = _table(out)
    assert set(table) == {"A", "B"}  # B stays in the table even with nothing scored
    assert (table["A"]["articles"], table["A"]["errors"]) == ("12", "0")
    b_errors = 12 - b_articles
    assert (table["B"]["articles"], table["B"]["errors"]) == (str(b_articles), str(b_errors))
    errors = list(read_jsonl(out / "errors.jsonl"))
    assert len(errors) == b_errors and {e["model"] for e in errors} == {"B"}
    assert f"B: {b_errors} failed ({b_errors} × load: missing or empty field 'summary')" \
        in proc.stdout
    assert "one model, nothing to compare" not in proc.stdout


def test_an_empty_generated_summary_is_an_error_of_its_model(tmp_path):
    docs = [_doc(i) for i in range(4)]
    plan = RunPlan(source=docs, models=[LeadK(), EmptyOn(["d1", "d2"])], metrics=[Rouge()],
                   out_dir=tmp_path, progress=False)
    run(plan)
    errors = list(read_jsonl(tmp_path / "errors.jsonl"))
    assert sorted((e["id"], e["model"], e["stage"]) for e in errors) == [
        ("d1", "empty", "summarize"), ("d2", "empty", "summarize")]
    assert all("empty summary" in e["error"] for e in errors)
    summaries = list(read_jsonl(tmp_path / "summaries.jsonl"))
    assert all(s["summary"].strip() for s in summaries)
    assert {(s["article_id"], s["model"]) for s in read_jsonl(tmp_path / "scores.jsonl")
            if s["model"] == "empty"} == {("d0", "empty"), ("d3", "empty")}


def test_a_model_with_only_empty_summaries_keeps_its_row(tmp_path):
    plan = RunPlan(source=[_doc(i) for i in range(3)], models=[LeadK(), EmptyOn()],
                   metrics=[Rouge()], out_dir=tmp_path, progress=False)
    run(plan)
    (tmp_path / "run.json").write_text(json.dumps({"models": ["lead3", "empty"], "seed": 0}))
    printed = write_tables(tmp_path, full=False)
    assert _table(tmp_path)["empty"]["errors"] == "3"
    assert "empty: 3 failed (3 × summarize: empty summary)" in printed


def test_run_where_every_input_failed_exits_1_with_one_line(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "empty.txt").write_text("")
    (data / "binary.txt").write_bytes(bytes(range(256)) * 64)
    proc = _cli("run", "data=dir", f"data.path={data}", "models=[lead3]", "metrics=[rouge]",
                f"hydra.run.dir={tmp_path / 'run'}")
    assert proc.returncode == 1, proc.stderr[-2000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("harness run: nothing was scored: every input failed (2 error(s)")
    assert "Traceback" not in proc.stderr
    assert "2 input(s) dropped before summarization" in proc.stdout


def test_run_of_an_empty_folder_exits_1(tmp_path):
    (tmp_path / "data").mkdir()
    proc = _cli("run", "data=dir", f"data.path={tmp_path / 'data'}", "models=[lead3]",
                "metrics=[rouge]", f"hydra.run.dir={tmp_path / 'run'}")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        "harness run: nothing was scored: the data holds no document")


@pytest.mark.parametrize("override, says", [
    ("limit=0", "limit=0: limit must be at least 1 (or null: every document)"),
    ("limit=-1", "limit=-1: limit must be at least 1 (or null: every document)"),
    ("sample=0", "sample=0: sample must be at least 1 (or null: no sampling)"),
    ("batch_size=0", "batch_size=0: batch_size must be at least 1"),
    ("workers=0", "workers=0: workers must be at least 1"),
    ("seed=-1", "seed=-1: seed must be at least 0"),
])
def test_numbers_below_their_minimum_are_config_errors(tmp_path, override, says):
    proc = _cli("run", "models=[lead3]", override, f"hydra.run.dir={tmp_path / 'run'}")
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"harness run: configuration error: {says}"
    assert not (tmp_path / "run" / "scores.jsonl").exists()


def _csv_with_bad_rows(path, text_column: str, extra: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", text_column, *extra])
        for i in range(3):
            writer.writerow([f"a{i}", ARTICLE, *([GOOD] * len(extra))])
        fh.write('bad1,"Acme opens a quote it never closes' + ",x" * len(extra) + "\n")
        fh.write("bad2,too,many,fields,here,now\n")
        for i in range(3, 5):
            writer.writerow([f"a{i}", ARTICLE, *([GOOD] * len(extra))])


def test_run_csv_isolates_bad_rows(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "run"
    _csv_with_bad_rows(src, "body", [])
    proc = _cli("run", "data=csv", f"data.path={src}", "data.text_field=body",
                "models=[lead3]", "metrics=[rouge]", f"hydra.run.dir={out}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    scored = sorted(r["article_id"] for r in read_jsonl(out / "scores.jsonl"))
    assert scored == ["a0", "a1", "a2", "a3", "a4"]
    errors = {e["error"].split(": ", 1)[0]: e["error"] for e in read_jsonl(out / "errors.jsonl")}
    assert set(errors) == {f"{src}:17", f"{src}:18"}  # header, 3 rows of 5 lines, then these
    assert "quote" in errors[f"{src}:17"]
    assert "6 fields where the header has 2" in errors[f"{src}:18"]
    assert "2 input(s) dropped before summarization" in proc.stdout


def test_score_csv_isolates_bad_rows(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.jsonl"
    _csv_with_bad_rows(src, "article", ["summary"])
    proc = _cli("score", str(src), "-o", str(out), "--metrics", "rouge")
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = list(read_jsonl(out))
    assert [r["id"] for r in rows] == ["a0", "a1", "a2", "line 17", "line 18", "a3", "a4"]
    assert all(r["scores"] for r in rows if r["id"].startswith("a"))
    assert "quote" in rows[3]["error"] and "6 fields where the header has 3" in rows[4]["error"]
    assert proc.stderr.strip().endswith("5 scored, 2 failed")
