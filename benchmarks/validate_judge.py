"""The LLM judge (configs/metric/llm_judge.yaml) on a FRANK dev subset, beside faithfulness.

Usage:
    python benchmarks/validate_judge.py [--n 160] [--config llm_judge]

Takes a seeded sample of whole FRANK articles (all of each article's system
summaries), half CNN/DM and half XSum summaries, and prints per dataset the
Pearson and Spearman correlation with FRANK's human factuality scores of:

- ``judge_faithfulness`` (G-Eval consistency, probability-weighted 1-5) from the
  configured judge (shipped: SmolLM2-135M in process through llama.cpp);
- the default ``faithfulness`` metric. It was fitted on FRANK dev, these rows
  included, so its figures here are in sample (optimistic); the out-of-fold
  figures on all of FRANK dev are in ``benchmarks/validate_metrics.py``;
- ROUGE-2 precision against the article, which fits nothing.

Also: how many judgments came from log-probabilities, from parsing the reply,
or failed, and the seconds per judgment.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from rouge_score import rouge_scorer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from validate_headline import corpora_dir  # noqa: E402

from harness.config import build, resolve_plugin  # noqa: E402
from harness.metrics import fit  # noqa: E402
from harness.metrics.faithfulness import Faithfulness  # noqa: E402
from harness.metrics.llm_judge import expected_score, parse_score  # noqa: E402

SEED = 15  # any fixed value: the number


def sample(rows: list[dict], n: int, rng: np.random.Generator) -> list[dict]:
    """Whole articles in seeded order, per dataset, until each has ``n // 2`` summaries."""
    out = []
    for dataset in ("cnndm", "xsum"):
        by_article: dict[str, list[dict]] = {}
        for row in rows:
            if row["dataset"] == dataset:
                by_article.setdefault(row["article"], []).append(row)
        chosen: list[dict] = []
        for i in rng.permutation(len(by_article)):
            if len(chosen) >= n // 2:
                break
            chosen += list(by_article.values())[i]
        out += chosen[: n // 2]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=160, help="summaries (half per dataset)")
    ap.add_argument("--config", default="llm_judge", help="configs/metric/<name>.yaml")
    args = ap.parse_args(argv)
    path = corpora_dir() / "frank" / "frank.jsonl"
    if not path.is_file():
        print(f"{path} not found (set HARNESS_CORPORA)", file=sys.stderr)
        return 2
    rows = sample(fit.read_frank(path), args.n, np.random.default_rng(SEED))
    # Not through the judgment cache: the seconds per judgment printed are real ones.
    node = resolve_plugin(args.config, "metric")
    node.cache = False
    judge = build(node, "metric")
    faithfulness = Faithfulness()
    rouge = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=True)

    start = time.perf_counter()
    judged, sources = [], {"logprobs": 0, "parsed": 0, "failed": 0}
    for row in rows:
        text, top = judge.judgment(judge.prompt("faithfulness", row["summary"],
                                                fit.frank_article(row)))
        score = expected_score(top)
        source = "logprobs"
        if score is None:
            score, source = parse_score(text), "parsed"
        if score is None:
            source = "failed"
        sources[source] += 1
        judged.append(np.nan if score is None else score)
    seconds = time.perf_counter() - start
    columns = {
        "judge_faithfulness": np.array(judged),
        "faithfulness": np.array([faithfulness.score(r["summary"], fit.frank_article(r))
                                  ["faithfulness"] for r in rows]),
        "rouge2_precision": np.array([rouge.score(r["article"], r["summary"])["rouge2"].precision
                                      for r in rows]),
    }
    y = np.array([r["factuality"] for r in rows])
    ok = ~np.isnan(columns["judge_faithfulness"])
    datasets = [r["dataset"] for r in rows]
    print(f"FRANK dev subset: {len(rows)} system summaries of "
          f"{len({r['article'] for r in rows})} articles (seed {SEED}); judge config "
          f"{args.config}: {judge.backend.identity().get('model')}")
    print(f"judgments: {sources['logprobs']} from log-probabilities, {sources['parsed']} parsed "
          f"from the reply, {sources['failed']} unparseable (left out below); "
          f"{seconds / len(rows):.2f} s per judgment")
    print("faithfulness is in sample here (fitted on FRANK dev); ROUGE-2 precision fits nothing")
    print(f"{'dataset':8s}{'n':>5s}  {'':9s}" + "".join(f"{k:>20s}" for k in columns))
    figures = {k: fit.correlations(v[ok], y[ok], list(np.array(datasets)[ok]))
               for k, v in columns.items()}
    for ds, first in figures["judge_faithfulness"].items():
        for stat in ("pearson", "spearman"):
            cells = "".join(f"{figures[k][ds][stat]:20.3f}" for k in columns)
            print(f"{ds:8s}{first['n']:5d}  {stat.capitalize():9s}{cells}")
    spread = np.unique(np.round(columns["judge_faithfulness"][ok], 1), return_counts=True)
    print("judge scores (rounded to 0.1): "
          + ", ".join(f"{v:.1f}×{c}" for v, c in zip(*spread, strict=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
