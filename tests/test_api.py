"""The Python API (harness.api) called as a notebook would: the same rows as the commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import harness
from harness.commands import headline as headline_cmd
from harness.commands import score as score_cmd
from harness.config import ConfigError
from tests.conftest import REPO, SEED_FILE
from tests.test_headline import BODY

HEAD = "Acme to build new factory in Ohio"
QUIET = ["metrics=[rouge]", "hydra/job_logging=none", "hydra/hydra_logging=none"]


def test_import_harness_stays_cheap():
    code = ("import sys, harness; print('harness.api' in sys.modules, 'torch' in sys.modules, "
            "'hydra' in sys.modules); harness.score; print('harness.api' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, check=True).stdout.split()
    assert out == ["False", "False", "False", "True"]
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        harness.nothing  # noqa: B018


def test_clean_article_is_the_clean_command(seed_article):
    article = harness.clean_article(SEED_FILE.read_text(encoding="utf-8"), id=SEED_FILE.stem)
    assert article.to_json() == {**seed_article.to_json(), "source": SEED_FILE.stem}
    page = (REPO / "tests" / "data" / "html" / "article.html").read_text(encoding="utf-8")
    from_html = harness.clean_article(page, id="page")
    assert from_html.headline and from_html.paragraphs
    assert from_html.to_json() == harness.clean_article(page, id="page", html=True).to_json()
    as_text = harness.clean_article(page, id="page", html=False)
    assert as_text.body != from_html.body  # the markup read as text, not parsed
    with pytest.raises(ValueError):
        harness.clean_article("   ", id="empty")


def _score_command(tmp_path, rows):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert score_cmd.main([str(src), "-o", str(out), "--metrics", "rouge"]) == 0
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()], src


def test_score_gives_the_rows_of_the_score_command(tmp_path, seed_article):
    text = SEED_FILE.read_text(encoding="utf-8")
    rows = [{"id": "seed", "article": text, "summary": seed_article.lede, "model": "m"},
            {"id": "nosummary", "article": text, "summary": ""},
            {"id": 3, "article": text, "summary": seed_article.paragraphs[1]}]
    expected, src = _score_command(tmp_path, rows)
    got = harness.score(rows, metrics=["rouge"])
    assert got[0] == expected[0] and got[2] == expected[2]
    assert got[0]["scores"]["rouge1_lede_f"] > 0.9  # the lede scored against itself
    assert got[1] == {"id": "nosummary", "scores": {},
                      "error": "rows:2: missing or empty field 'summary'"}
    assert expected[1]["error"] == f"{src}:2: missing or empty field 'summary'"


def test_score_takes_a_dataframe_or_summaries_with_their_articles(seed_article):
    pandas = pytest.importorskip("pandas")
    text = SEED_FILE.read_text(encoding="utf-8")
    rows = [{"id": "a", "article": text, "summary": seed_article.lede},
            {"id": "b", "article": text, "summary": seed_article.paragraphs[1], "model": "m"}]
    frame = pandas.DataFrame(rows)  # row "a" has no model: NaN, left out as in JSONL
    by_rows = harness.score(rows, metrics=["rouge"])
    assert harness.score(frame, metrics=["rouge"]) == by_rows
    summaries = [r["summary"] for r in rows]
    by_articles = harness.score(summaries, [seed_article, seed_article], metrics=["rouge"])
    assert [r["scores"] for r in by_articles] == [r["scores"] for r in by_rows]
    assert [r["id"] for r in by_articles] == [seed_article.id] * 2
    by_texts = harness.score(summaries, [text, text], metrics=["rouge"])
    assert [r["id"] for r in by_texts] == ["1", "2"]
    assert [r["scores"] for r in by_texts] == [r["scores"] for r in by_rows]
    with pytest.raises(ValueError, match="2 summaries for 1 articles"):
        harness.score(summaries, [text], metrics=["rouge"])
    with pytest.raises(ConfigError, match="rouge"):
        harness.score(rows, metrics=["rouj"])


def test_check_headline_is_the_headline_command():
    line = json.dumps({"id": "x", "headline": HEAD, "article": BODY})
    expected = headline_cmd.check_line(headline_cmd.HeadlineChecker(), line, "in:1")
    assert {"id": "x", **harness.check_headline(HEAD, BODY)} == expected
    assert 0.0 <= expected["headline_support"] <= 1.0
    with pytest.raises(ValueError):
        harness.check_headline("...", BODY)


def test_run_returns_the_run_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default folder, results/..., is relative
    argv = list(sys.argv)
    folder = harness.run(["models=[lead3]", *QUIET])
    assert sys.argv == argv
    assert folder.is_absolute() and folder.parent == Path("results/seed").resolve()
    scores = [json.loads(line) for line in (folder / "scores.jsonl").read_text().splitlines()]
    assert [(s["article_id"], s["model"]) for s in scores] == [(SEED_FILE.stem, "lead3")]
    assert json.loads((folder / "run.json").read_text())["models"] == ["lead3"]
    given = harness.run(["models=[lead3]", *QUIET, f"hydra.run.dir={tmp_path / 'mine'}"])
    assert given == tmp_path / "mine" and (given / "table.md").is_file()


def test_run_raises_on_a_bad_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="Did you mean 'limit'"):
        harness.run(["limt=3", *QUIET])
    with pytest.raises(ConfigError, match="Did you mean 'use_stemmer'"):
        harness.run(["metric.rouge.use_stemer=false", *QUIET])
    with pytest.raises(harness.RunFailed) as failed:
        harness.run(["models=[lead3]", "model.textrank.k=2", *QUIET])  # checked as it starts
    assert failed.value.code == 2
    with pytest.raises(ValueError, match="sweep"):
        harness.run(["-m", "models=[lead3]"])
