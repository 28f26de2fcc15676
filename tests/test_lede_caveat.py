"""Issue 26, the lede caveat: a summary that holds the lede verbatim is flagged
(``copies_lede``) and the table says what its lede-based scores then measure."""

from __future__ import annotations

import csv
import subprocess
import sys

from harness.metrics.rouge import Rouge, copies_lede
from harness.types import Article
from tests.conftest import REPO

ARTICLE = Article(id="a", headline="Acme to build Ohio factory",
                  lede="Acme Corp will build a new factory in Ohio, the company said.",
                  paragraphs=("Acme Corp will build a new factory in Ohio, the company said.",
                              "The plant will employ 300 people. Officials welcomed it."))


def test_copies_lede_flags_a_verbatim_lede_only():
    assert copies_lede("ACME Corp will build a new\nfactory in Ohio, the company said. More.",
                       ARTICLE.lede) == 1.0
    assert copies_lede("Acme Corp will build a factory in Ohio.", ARTICLE.lede) == 0.0
    assert copies_lede("anything", "  ") == 0.0
    assert Rouge().score(ARTICLE.lede, ARTICLE)["copies_lede"] == 1.0
    assert Rouge().score("The plant will employ 300 people.", ARTICLE)["copies_lede"] == 0.0


def test_lead1_is_flagged_and_the_table_notes_it(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "run", "models=[lead3,textrank]",
                           "model.lead3.k=1", "metrics=[rouge]", f"hydra.run.dir={out}"],
                          cwd=REPO, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with (out / "table.csv").open(encoding="utf-8") as fh:
        rows = {r["model"]: r for r in csv.DictReader(fh)}
    assert float(rows["lead3"]["copies_lede"]) == 1.0
    assert "copies_lede" not in rows["lead3"]["best"]
    md = (out / "table.md").read_text(encoding="utf-8")
    assert "copies_lede: share of summaries that contain the lede verbatim (lead3 1.00" in md
    assert "reward the copy" in md
    # The printed table says it too, in a line under the table.
    assert ("rougeL_lede_f: lead3 copies the lede in 100% of its summaries (copies_lede); "
            "there its lede-based scores measure the copy, not a summary") in proc.stdout
