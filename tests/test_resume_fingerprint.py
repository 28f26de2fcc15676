"""Issue 14, safe resume: a run folder only resumes rows made the same way.

Rerunning ``'models=[lead3]'`` then ``'models=[textrank]'`` into one folder
used to exit 0 twice and merge both into one table.
"""

from __future__ import annotations

import json

import pytest

from harness import cli
from harness.run_folder import (
    FINGERPRINT,
    FingerprintMismatch,
    differences,
    prepare_folder,
)

RECORD = {"data": {"path": "/a"}, "limit": None, "models": {"lead3": {"k": 3}},
          "metrics": {"harness.metrics.rouge.Rouge": {"use_stemmer": True}},
          "versions": {"harness": "0.1"}}


def _with_rows(folder):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scores.jsonl").write_text('{"article_id": "a", "model": "lead3", "scores": {}}\n')


def test_new_folder_gets_the_fingerprint(tmp_path):
    prepare_folder(tmp_path / "run", RECORD)
    assert json.loads((tmp_path / "run" / FINGERPRINT).read_text()) == RECORD


def test_same_fingerprint_resumes_and_keeps_rows(tmp_path):
    run = tmp_path / "run"
    prepare_folder(run, RECORD)
    _with_rows(run)
    prepare_folder(run, json.loads(json.dumps(RECORD)))
    assert (run / "scores.jsonl").read_text()


def test_other_fingerprint_is_refused_listing_differences(tmp_path):
    run = tmp_path / "run"
    prepare_folder(run, RECORD)
    _with_rows(run)
    other = {**RECORD, "models": {"lead3": {"k": 2}}, "limit": 5}
    with pytest.raises(FingerprintMismatch) as info:
        prepare_folder(run, other)
    text = str(info.value)
    assert "models.lead3.k: 3 -> 2" in text and "limit: null -> 5" in text
    assert "resume=false" in text
    assert (run / "scores.jsonl").read_text(), "nothing is deleted when refusing"


def test_rows_without_fingerprint_are_refused(tmp_path):
    run = tmp_path / "run"
    _with_rows(run)
    with pytest.raises(FingerprintMismatch, match="no fingerprint.json"):
        prepare_folder(run, RECORD)


def test_resume_false_starts_over(tmp_path):
    run = tmp_path / "run"
    prepare_folder(run, RECORD)
    _with_rows(run)
    (run / "table.md").write_text("old")
    (run / "notes.txt").write_text("mine")
    other = {**RECORD, "models": {"textrank": {}}}
    prepare_folder(run, other, resume=False)
    assert not (run / "scores.jsonl").exists() and not (run / "table.md").exists()
    assert (run / "notes.txt").read_text() == "mine", "only the run's own files go"
    assert json.loads((run / FINGERPRINT).read_text()) == other


def test_differences_name_nested_keys():
    assert differences({"a": {"b": 1, "c": 2}}, {"a": {"b": 1, "d": 2}}) == [
        "a.c: 2 -> (absent)", "a.d: (absent) -> 2"]


# In this process: Hydra must not point logging handlers at pytest's captured streams.
QUIET = ["metrics=[rouge]", "hydra/job_logging=none", "hydra/hydra_logging=none"]


def test_rerun_with_other_models_into_the_same_folder_exits_2(tmp_path, capsys):
    out = tmp_path / "run"

    def run(*args: str) -> int:
        return cli.main(["run", *args, *QUIET, f"hydra.run.dir={out}"])

    assert run("models=[lead3]") == 0
    rows = (out / "scores.jsonl").read_text()
    capsys.readouterr()
    assert run("models=[textrank]") == 2
    err = capsys.readouterr().err
    assert "models.textrank: (absent) ->" in err and "models.lead3:" in err
    assert (out / "scores.jsonl").read_text() == rows, "refused before any work"
    # A different setting is refused too.
    assert run("models=[lead3]", "model.lead3.k=2") == 2
    assert "models.lead3.k: 3 -> 2" in capsys.readouterr().err
    # The same command resumes; resume=false starts over with the new models.
    assert run("models=[lead3]") == 0
    assert run("models=[textrank]", "resume=false") == 0
    models = {json.loads(line)["model"] for line in (out / "scores.jsonl").read_text().splitlines()}
    assert models == {"textrank"}
    assert "lead3" not in (out / "table.md").read_text()


def test_fingerprint_covers_limit_sample_and_its_seed():
    from harness.run_folder import fingerprint

    def make(limit=None, sample=None):
        return fingerprint({"path": "/a"}, limit, sample, {"lead3": {"k": 3}}, {})

    assert make() == make()
    assert differences(make(), make(limit=5)) == ["limit: null -> 5"]
    assert differences(make(sample={"n": 50, "seed": 0}), make(sample={"n": 50, "seed": 1})) == [
        "sample.seed: 0 -> 1"]
    assert set(make()["versions"]) >= {"harness", "torch", "transformers", "rouge-score"}
