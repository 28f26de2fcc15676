"""Results tables: means and intervals, best marks, files, sweeps, run metadata."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from harness.results import RunFolderError, write_tables
from harness.results.runs import TABLE_FILES, load_results
from harness.results.stats import bootstrap_mean, cell_rng, paired_difference, verdict
from harness.results.tables import aggregate
from harness.run_metadata import git_state, run_metadata
from tests.run_factory import make_run


def _scores(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "scores.jsonl").read_text().splitlines()]


def _csv(run: Path) -> dict[str, dict[str, str]]:
    with (run / "table.csv").open() as handle:
        return {row["model"]: row for row in csv.DictReader(handle)}


def test_table_means_match_scores_and_intervals_bracket_them(tmp_path):
    run = make_run(tmp_path / "run")
    write_tables(run, seed=3)
    rows = _csv(run)
    for model in ("lead3", "textrank"):
        values = [r["scores"]["faithfulness"] for r in _scores(run) if r["model"] == model]
        row = rows[model]
        assert float(row["faithfulness"]) == pytest.approx(np.mean(values), abs=1e-12)
        assert float(row["faithfulness_low"]) < float(row["faithfulness"])
        assert float(row["faithfulness"]) < float(row["faithfulness_high"])
        assert row["articles"] == "12"
        assert float(row["seconds_per_summary"]) == pytest.approx(
            0.01 if model == "lead3" else 0.02
        )


def test_best_marks_follow_direction_and_skip_undirected_metrics(tmp_path):
    # make_run adds 0.05 per model index, so textrank is ahead on average;
    # a -0.5 shift puts lead3 ahead on coverage.
    run = make_run(tmp_path / "run", shift={("textrank", "coverage"): -0.5})
    write_tables(run)
    rows = _csv(run)
    assert set(rows["textrank"]["best"].split(";")) == {"faithfulness", "rouge1_f_headline"}
    assert rows["lead3"]["best"] == "coverage"
    text = (run / "table.md").read_text()
    assert "| faithfulness ↑ |" in text
    assert "| compression |" in text  # declared without a direction: no arrow, never best
    coverage_line = next(line for line in text.splitlines() if line.startswith("| coverage"))
    lead3_cell = coverage_line.split("|")[2]
    assert lead3_cell.strip().startswith("**")


def test_errors_counted_per_model_and_before_summarization(tmp_path):
    errors = [
        {"id": "a01", "stage": "summarize", "error": "boom", "model": "lead3"},
        {"id": "a02", "stage": "score", "error": "boom", "model": "lead3"},
        {"id": "bad", "stage": "clean", "error": "no body"},
    ]
    run = make_run(tmp_path / "run", errors=errors)
    text = write_tables(run)
    rows = _csv(run)
    assert (rows["lead3"]["errors"], rows["textrank"]["errors"]) == ("2", "0")
    assert "1 error(s) before summarization" in text
    assert "| errors | 2 | 0 |" in text


def test_seconds_leave_cache_hits_out(tmp_path):
    run = make_run(tmp_path / "run", models=("lead3",), n_articles=4)
    lines = (run / "summaries.jsonl").read_text().splitlines()
    rows = [json.loads(line) for line in lines]
    rows[0].update(seconds=0.0, cached=True)
    rows[1].update(seconds=0.5)
    (run / "summaries.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    write_tables(run)
    assert float(_csv(run)["lead3"]["seconds_per_summary"]) == pytest.approx(
        (0.5 + 0.01 + 0.01) / 3
    )


def test_tables_are_deterministic_and_seeded(tmp_path):
    run = make_run(tmp_path / "run")
    first = write_tables(run, seed=0)
    assert write_tables(run, seed=0) == first
    assert write_tables(run, seed=1) != first
    assert "seed 1" in (run / "table.md").read_text()


def test_interval_of_a_model_does_not_depend_on_the_other_models(tmp_path):
    both = make_run(tmp_path / "both")
    write_tables(both)
    alone = tmp_path / "alone"
    alone.mkdir()
    for name in ("articles.jsonl", "run.json", "errors.jsonl"):
        (alone / name).write_text((both / name).read_text())
    for name in ("scores.jsonl", "summaries.jsonl"):
        kept = [line for line in (both / name).read_text().splitlines() if '"lead3"' in line]
        (alone / name).write_text("\n".join(kept) + "\n")
    write_tables(alone)
    a, b = _csv(both)["lead3"], _csv(alone)["lead3"]
    assert (a["faithfulness_low"], a["faithfulness_high"]) == (
        b["faithfulness_low"],
        b["faithfulness_high"],
    )


def test_per_article_parquet_has_one_row_per_summary(tmp_path):
    run = make_run(tmp_path / "run", n_articles=5)
    write_tables(run)
    table = pq.read_table(run / "per_article.parquet").to_pylist()
    assert len(table) == 10
    first = table[0]
    assert set(first) >= {"model", "article_id", "summary", "seconds", "faithfulness", "coverage"}
    score = next(r for r in _scores(run) if r["model"] == first["model"])
    assert first["faithfulness"] == score["scores"]["faithfulness"]
    assert first["summary"] == f"{first['model']} summary of {first['article_id']}."


def test_paired_comparison_in_table_and_csv(tmp_path):
    run = make_run(tmp_path / "run", shift={("textrank", "faithfulness"): 0.3})
    text = write_tables(run)
    assert "Paired difference against lead3" in text
    with (run / "paired.csv").open() as handle:
        paired = {(r["a"], r["b"], r["metric"]): r for r in csv.DictReader(handle)}
    row = paired[("lead3", "textrank", "faithfulness")]
    assert row["mark"] == "better"
    assert float(row["low"]) > 0
    assert row["articles"] == "12"


def test_bootstrap_interval_matches_normal_theory():
    # For n=400 draws of N(0, 1) the 95% interval of the mean is about
    # mean ± 1.96/sqrt(400) = ± 0.098 (central limit theorem).
    data = np.random.default_rng(11).normal(size=400)
    cell = bootstrap_mean(data, np.random.default_rng(5))
    assert cell.high - cell.low == pytest.approx(2 * 1.96 / 20, rel=0.12)
    assert cell.low < data.mean() < cell.high
    assert cell.n == 400


def test_bootstrap_leaves_nan_out_and_handles_empty():
    cell = bootstrap_mean([1.0, math.nan, 3.0], cell_rng(0, "x"))
    assert (cell.mean, cell.n) == (2.0, 2)
    empty = bootstrap_mean([math.nan], cell_rng(0, "x"))
    assert empty.n == 0 and math.isnan(empty.mean)


@pytest.mark.parametrize(
    ("shift", "higher", "expected"),
    [(0.2, True, "better"), (-0.2, True, "worse"), (-0.2, False, "better"), (0.2, None, "higher")],
)
def test_paired_verdicts(shift, higher, expected):
    a = np.random.default_rng(1).uniform(0.2, 0.6, size=30)
    diff = paired_difference(a, a + shift, cell_rng(0, "m"))
    assert diff.mean == pytest.approx(shift)
    assert verdict(diff, higher) == expected


def test_paired_noise_gives_no_clear_difference():
    rng = np.random.default_rng(2)
    a = rng.uniform(0, 1, size=30)
    noise = rng.normal(0, 0.1, size=30)
    b = a + noise - noise.mean()  # zero mean difference, real spread
    assert verdict(paired_difference(a, b, cell_rng(0, "m")), True) == "no clear difference"


def test_too_few_articles_get_no_mark_and_say_why():
    # Issue 14: on the one-article default job -0.001 was marked "worse".
    diff = paired_difference([0.5], [0.499], cell_rng(0, "m"))
    assert verdict(diff, True) == "no mark: 1 article, fewer than 10"
    nine = paired_difference([0.5] * 9, [0.2] * 9, cell_rng(0, "m"))
    assert verdict(nine, True) == "no mark: 9 articles, fewer than 10"
    ten = paired_difference([0.5] * 10, [0.2] * 10, cell_rng(0, "m"))
    assert verdict(ten, True) == "worse"


def test_sweep_pools_jobs_and_labels_shared_models(tmp_path):
    sweep = tmp_path / "sweep"
    make_run(sweep / "0", models=("lead3",), overrides=["models=[lead3]", "model.lead3.k=2"])
    make_run(sweep / "1", models=("lead3", "textrank"), overrides=["models=[lead3,textrank]"])
    (sweep / "multirun.yaml").write_text("hydra: {}\n")
    text = write_tables(sweep)
    labels = set(_csv(sweep))
    assert labels == {
        "lead3 [models=[lead3] model.lead3.k=2]",
        "lead3 [models=[lead3,textrank]]",
        "textrank",
    }
    assert "textrank" in text and (sweep / "per_article.parquet").is_file()


def test_missing_file_names_folder_and_file(tmp_path):
    run = make_run(tmp_path / "run")
    (run / "summaries.jsonl").unlink()
    with pytest.raises(RunFolderError, match=r"run: missing summaries\.jsonl"):
        write_tables(run)


def test_malformed_line_names_file_and_line(tmp_path):
    run = make_run(tmp_path / "run")
    with (run / "scores.jsonl").open("a") as handle:
        handle.write("{not json\n")
    with pytest.raises(RunFolderError, match=r"scores\.jsonl:25: not valid JSON"):
        write_tables(run)


def test_metrics_order_puts_composites_first(tmp_path):
    run = make_run(tmp_path / "run")
    results = load_results([run], TABLE_FILES)
    assert list(aggregate(results, 0).metrics)[:2] == ["faithfulness", "coverage"]


def test_run_metadata_has_versions_and_hardware(tmp_path):
    meta = run_metadata()
    assert meta["packages"]["numpy"] == np.__version__
    assert set(meta["packages"]) >= {
        "torch",
        "transformers",
        "datasets",
        "rouge-score",
        "hydra-core",
    }
    assert meta["hardware"]["cpu_count"] >= 1
    assert isinstance(meta["hardware"]["gpus"], list)
    assert meta["python"].count(".") == 2
    json.dumps(meta)  # run.json must be able to hold it
    assert git_state(tmp_path) is None  # outside a checkout: no commit, no failure


def test_sweep_callback_pools_jobs_and_reports_a_failed_job(tmp_path, capsys):
    from omegaconf import OmegaConf

    from harness.results.sweep import AggregateSweep

    sweep = tmp_path / "sweep"
    make_run(sweep / "0", models=("lead3",), overrides=["models=[lead3]"])
    make_run(sweep / "1", models=("textrank",), overrides=["models=[textrank]"])
    config = OmegaConf.create({"hydra": {"sweep": {"dir": str(sweep)}}, "seed": 4})
    AggregateSweep().on_multirun_end(config)
    assert "seed 4" in (sweep / "table.md").read_text()
    assert set(_csv(sweep)) == {"lead3", "textrank"}
    assert f"sweep results: {sweep}" in capsys.readouterr().out

    (sweep / "2" / ".hydra").mkdir(parents=True)  # a job that died before writing scores
    AggregateSweep().on_multirun_end(config)
    assert f"{sweep / '2'}: missing scores.jsonl" in capsys.readouterr().err
