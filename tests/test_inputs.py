"""Inputs as users bring them: data=hf, data=hf_disk splits, reference summaries, samples."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from rouge_score import rouge_scorer

from harness.commands import score as score_cmd
from harness.executors.steps import sampled
from harness.load import DatasetSource, HubSource, JsonlSource, SourceError
from harness.metrics.base import check_keys
from harness.metrics.rouge import ReferenceRouge
from harness.types import Article
from tests.conftest import REPO
from tests.guards import hang_guard

STORY = ("The city council approved a new budget on Tuesday after months of debate. "
         "It raises spending on schools by 4% and cuts road repairs.\n\n"
         "Opposition members said the plan ignores the state of the roads.\n\n"
         "The budget takes effect in July, the mayor's office said.")
HIGHLIGHTS = "Council approves budget after months of debate.\nSchool spending rises 4%."
SUMMARY = "The council approved a budget that raises school spending by 4%."


def _rows(n: int = 3) -> list[dict]:
    return [{"doc": f"d{i}", "body": STORY, "highlights": HIGHLIGHTS} for i in range(n)]


def _write_jsonl(path, rows) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


# --- data=hf ----------------------------------------------------------------------

def test_hf_source_reads_a_folder_of_json_files_with_field_mapping(tmp_path):
    _write_jsonl(tmp_path / "train.jsonl", _rows(2))
    _write_jsonl(tmp_path / "test.jsonl", _rows(3))
    with pytest.raises(SourceError, match="several splits.*data.split="):
        HubSource(str(tmp_path), id_field="doc", text_field="body")
    source = HubSource(str(tmp_path), split="test", id_field="doc", text_field="body",
                       reference_field="highlights")
    docs = list(source)
    assert len(source) == 3 and [d.id for d in docs] == ["d0", "d1", "d2"]
    assert docs[0].text == STORY and docs[0].references == (HIGHLIGHTS,)


def test_hf_source_reads_csv_data_files(tmp_path):
    import csv

    with (tmp_path / "data.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["doc", "body", "highlights"])
        writer.writeheader()
        writer.writerows(_rows(2))
    docs = list(HubSource(str(tmp_path), id_field="doc", text_field="body",
                          reference_field="highlights"))
    assert [d.id for d in docs] == ["d0", "d1"] and docs[1].references == (HIGHLIGHTS,)


def test_hf_disk_takes_a_split_and_refuses_to_guess(tmp_path):
    import datasets

    dd = datasets.DatasetDict({
        "train": datasets.Dataset.from_list(_rows(2)),
        "test": datasets.Dataset.from_list(_rows(1)),
    })
    dd.save_to_disk(str(tmp_path / "saved"))
    with pytest.raises(SourceError, match=r"several splits \(train, test\)"):
        DatasetSource(str(tmp_path / "saved"), id_field="doc", text_field="body")
    with pytest.raises(SourceError, match="no split 'dev'"):
        DatasetSource(str(tmp_path / "saved"), split="dev")
    source = DatasetSource(str(tmp_path / "saved"), split="test", id_field="doc",
                           text_field="body", reference_field="highlights")
    [doc] = list(source)
    assert doc.id == "d0" and doc.references == (HIGHLIGHTS,)


def _cli(args, env_extra=None):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], capture_output=True,
                          text=True, cwd=REPO, env=env, timeout=600)


def test_hf_offline_and_not_cached_fails_fast_with_the_fix(tmp_path):
    with hang_guard(60, "a run on a data set that is not cached"):
        proc = _cli(["run", "data=hf", "data.path=nobody/not-a-dataset", "data.split=test",
                     "models=[lead3]", f"hydra.run.dir={tmp_path / 'run'}"],
                    {"HF_HOME": str(tmp_path / "hf")})
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "not in the datasets cache" in proc.stderr and "data=hf_disk" in proc.stderr


def test_hf_offline_check_needs_no_network(monkeypatch, tmp_path):
    """Without HF_HUB_OFFLINE, an unreachable hub is found by a short probe, not by retries."""
    from huggingface_hub import constants

    import harness.load as load

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # set for every test (conftest)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    probes = []
    monkeypatch.setattr(load, "hub_reachable", lambda timeout=3.0: probes.append(1) or False)
    with hang_guard(20, "HubSource with the hub unreachable"), \
            pytest.raises(SourceError, match="hub cannot be reached"):
        HubSource("nobody/not-a-dataset", split="test")
    assert probes == [1]


# --- reference summaries -------------------------------------------------------------

def _article(references=()):
    return Article(id="a", headline="Council approves budget", lede=STORY.split("\n\n")[0],
                   paragraphs=tuple(STORY.split("\n\n")), references=tuple(references))


def test_reference_rouge_equals_rouge_score():
    ours = ReferenceRouge().score(SUMMARY, _article([HIGHLIGHTS]))
    check_keys(ReferenceRouge(), ours)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"],
                                      use_stemmer=True)
    theirs = scorer.score(HIGHLIGHTS, SUMMARY)
    assert len(ours) == 12
    for rt, score in theirs.items():
        assert ours[f"{rt}_ref_p"] == pytest.approx(score.precision, abs=1e-12)
        assert ours[f"{rt}_ref_r"] == pytest.approx(score.recall, abs=1e-12)
        assert ours[f"{rt}_ref_f"] == pytest.approx(score.fmeasure, abs=1e-12)


def test_several_references_take_the_best_and_none_gives_no_keys():
    far = "Weather stays dry through the weekend in the north."
    best = ReferenceRouge().score(SUMMARY, _article([far, HIGHLIGHTS]))
    assert best == ReferenceRouge().score(SUMMARY, _article([HIGHLIGHTS]))
    assert ReferenceRouge().score(SUMMARY, _article()) == {}
    check_keys(ReferenceRouge(), {})


def test_harness_score_with_reference(tmp_path):
    src = tmp_path / "in.jsonl"
    _write_jsonl(src, [
        {"id": "r1", "article": STORY, "summary": SUMMARY, "reference": HIGHLIGHTS},
        {"id": "r2", "article": STORY, "summary": SUMMARY, "reference": ["x y z", HIGHLIGHTS]},
        {"id": "r3", "article": STORY, "summary": SUMMARY},
    ])
    out = tmp_path / "out.jsonl"
    assert score_cmd.main([str(src), "-o", str(out), "--metrics", "rouge_ref", "fragments"]) == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert rows[0]["scores"]["rougeLsum_ref_f"] == rows[1]["scores"]["rougeLsum_ref_f"] > 0
    assert not any("_ref_" in k for k in rows[2]["scores"]) and "error" not in rows[2]
    assert "fragment_coverage" in rows[2]["scores"]


def test_run_with_hf_references_end_to_end(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    rows = _rows(3)
    del rows[2]["highlights"]
    _write_jsonl(data / "test.jsonl", rows)
    out = tmp_path / "run"
    proc = _cli(["run", "data=hf", f"data.path={data}", "data.id_field=doc",
                 "data.text_field=body", "data.reference_field=highlights",
                 "models=[lead3]", "metrics=[rouge_ref,fragments]", f"hydra.run.dir={out}"])
    assert proc.returncode == 0, proc.stderr[-3000:]
    scores = {json.loads(x)["article_id"]: json.loads(x)["scores"]
              for x in (out / "scores.jsonl").read_text().splitlines()}
    assert "rouge1_ref_f" in scores["d0"] and "rouge1_ref_f" not in scores["d2"]
    articles = [json.loads(x) for x in (out / "articles.jsonl").read_text().splitlines()]
    assert articles[0]["references"] == [HIGHLIGHTS] and articles[0]["headline_from"] == "absent"
    table = (out / "table.md").read_text()
    assert "rougeLsum_ref_f" in table and "lead3 2 of 3" in table
    assert not (out / "errors.jsonl").read_text().strip()


def test_jsonl_reference_list(tmp_path):
    path = tmp_path / "a.jsonl"
    _write_jsonl(path, [{"id": "a", "text": STORY, "reference": ["one", "two"]},
                        {"id": "b", "text": STORY, "reference": 3}])
    docs = list(JsonlSource(str(path)))
    assert docs[0].references == ("one", "two")
    assert "reference must be a string" in docs[1].error


# --- samples ----------------------------------------------------------------------------

def test_sample_is_seeded_and_spread():
    items = list(range(100))
    a, b = list(sampled(items, 10, seed=0)), list(sampled(items, 10, seed=0))
    assert a == b and len(a) == 10 and a == sorted(a)
    assert list(sampled(items, 10, seed=1)) != a
    assert max(a) > 20  # not the first ten
    assert list(sampled(iter(items), 10, seed=0)) == a  # no length: counted first
    assert list(sampled(items, 500, seed=0)) == items


@pytest.mark.corpus
def test_bbc_sample_spans_topics(tmp_path, corpus_files):
    # The run reads $HARNESS_CORPORA/bbc (configs/data/bbc.yaml).
    corpus_files("bbc", "*/*.txt", count=250)
    out = tmp_path / "run"
    proc = _cli(["run", "experiment=bbc_dev", "sample=20", "seed=3", "models=[lead3]",
                 "metrics=[fragments]", "workers=1", f"hydra.run.dir={out}"])
    assert proc.returncode == 0, proc.stderr[-3000:]
    ids = [json.loads(x)["id"] for x in (out / "articles.jsonl").read_text().splitlines()]
    assert len(ids) == 20 and len({i.split("/")[0] for i in ids}) >= 4


def test_hub_probe_passes_behind_a_proxy_and_fails_on_a_closed_port(monkeypatch):
    """One probe for weights and data sets (harness.hub): a proxy defers to the hub library."""
    import socket

    from huggingface_hub import constants

    from harness.hub import hub_reachable

    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        monkeypatch.setattr(constants, "ENDPOINT", f"http://127.0.0.1:{server.getsockname()[1]}")
        assert hub_reachable(timeout=2)
    assert not hub_reachable(timeout=2)  # the port is closed now
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    assert hub_reachable(timeout=2)
