"""The validation benchmark runs with the shipped parameters (it broke once unnoticed)."""

import os
import subprocess
import sys

from tests.conftest import REPO


def _validate_metrics(corpora, *args: str) -> subprocess.CompletedProcess:
    """``benchmarks/validate_metrics.py ARGS`` on the corpora, one thread, offline."""
    out = subprocess.run(
        [sys.executable, "benchmarks/validate_metrics.py", *args],
        cwd=REPO, capture_output=True, text=True, timeout=600,
        env={**os.environ, "HARNESS_CORPORA": str(corpora), "OMP_NUM_THREADS": "1",
             "HF_HUB_OFFLINE": "1"},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out


def test_validate_metrics_runs_on_a_few_frank_rows(corpora):
    out = _validate_metrics(corpora, "--only", "frank", "--limit", "40")
    # The shipped model's column and the one-model column, refitted out of fold.
    assert "faithfulness" in out.stdout and "one_model" in out.stdout
    assert "cnndm" in out.stdout and "Spearman" in out.stdout


def test_validate_headline_times_the_agreement_side_by_side(corpora):
    out = subprocess.run(
        [sys.executable, "benchmarks/validate_headline.py", "--only", "bbc", "--limit", "4"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
        env={**os.environ, "HARNESS_CORPORA": str(corpora), "HF_HUB_OFFLINE": "1"},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "real headline scores higher" in out.stdout
    assert "without agreement (--no-agreement)" in out.stdout


def test_validate_metrics_reads_summac_claims_without_frank_documents(corpora):
    out = _validate_metrics(corpora, "--only", "summac", "--limit", "60")
    assert "whose documents FRANK lacks" in out.stdout
    row = next(line.split() for line in out.stdout.splitlines()
               if line.strip().startswith("factcc"))
    # consistent and other counts, then one ROC AUC per scorer (four), each in [0, 1]
    assert int(row[1]) + int(row[2]) == 60
    aucs = [float(v) for v in row[3:]]
    assert len(aucs) == 4 and all(0.0 <= v <= 1.0 for v in aucs)


def test_validate_metrics_chooses_the_substitution_penalty(corpora):
    out = _validate_metrics(corpora, "--only", "substitution", "--limit", "30")
    rows = [line.split() for line in out.stdout.splitlines()
            if line.strip() and line.split()[0] in {"1.00", "0.80", "0.60", "0.50", "0.40",
                                                     "0.30", "0.20"}]
    # one row per factor: FRANK Spearman per dataset read (the first 30 rows hold
    # CNN/DM only), Falke, the pooled AUC, then one AUC per corruption kind
    assert len(rows) == 7
    for row in rows:
        assert len(row) == 1 + 1 + 2 + 7, row
        assert all(0.0 <= float(v) <= 1.0 for v in row[2:]), row
    assert "pooled AUC out of fold" in out.stdout
    assert "chosen on all BBC articles" in out.stdout
