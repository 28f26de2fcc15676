"""Fit ``coverage``'s component weights on human coverage judgments; print out-of-fold figures.

Data: ``coverage/judged_dev.jsonl`` under the corpora folder (``../shared/corpora``,
env ``HARNESS_CORPORA``): 3,022 news summaries judged for how much important
content they carry (SummEval relevance, REALSumm and PyrXSum pyramid recall,
Newsroom informativeness). Each article is read as ``harness score`` reads it
(``harness.clean.to_article``: no headline, the opening paragraph as lede).

For every summary the script computes ``coverage``'s components
(``harness.metrics.coverage``) for each candidate lede length
(``LEDE_CHOICES``), then, in five folds grouped by document, fits non-negative
weights that sum to 1 (a softmax) by a pairwise ranking loss within each
document (RankNet: every pair of summaries of one document whose human scores
differ), pooled over all sources (no weight for one source), by L-BFGS in
float64 from zeros (deterministic). The lede length with the best mean
out-of-fold summary-level Spearman over the four sources is kept.

Printed per source, beside the two trivial baselines of the same run (summary
length in words; ROUGE-1 recall of the article's first three sentences): the
summary-level Spearman (per document over its summaries, averaged) and the
pooled Spearman, each component's own summary-level Spearman, and the partial
summary-level Spearman of ``coverage`` with length held fixed.

``--write`` refits on all rows and writes ``harness/params/coverage.json``;
without it the figures are printed and nothing is written.

Usage: python scripts/fit_coverage.py [--write] [--docs-per-source N] [--limit N] [--cache DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.clean import to_article  # noqa: E402
from harness.embed import Encoders  # noqa: E402
from harness.metrics import fit  # noqa: E402
from harness.metrics.coverage import (  # noqa: E402
    DEFAULT_PARAMS,
    PARTS,
    Coverage,
    summary_windows,
)
from harness.text import split_sentences  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LEDE_CHOICES = (1, 3)
SOURCES = ("summeval", "realsumm", "pyrxsum", "newsroom")


def corpora_dir() -> Path:
    """The shared corpora folder."""
    return Path(os.environ.get("HARNESS_CORPORA", ROOT.parent / "shared" / "corpora"))


def read_rows(limit: int | None = None, docs_per_source: int | None = None) -> list[dict]:
    """The judged summaries, in file order.

    ``docs_per_source``: only those of the first N documents of each source by id.
    """
    path = corpora_dir() / "coverage" / "judged_dev.jsonl"
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    if docs_per_source:
        keep = set()
        for source in SOURCES:
            docs = sorted({r["doc_id"] for r in rows if r["source"] == source})
            keep |= {(source, d) for d in docs[:docs_per_source]}
        rows = [r for r in rows if (r["source"], r["doc_id"]) in keep]
    return rows[:limit] if limit else rows


def components(rows: list[dict], cache: Path | None, support_model: str = "default") -> dict:
    """Per lede length, the component matrix (rows x names); plus the baselines."""
    from rouge_score import rouge_scorer
    from tqdm import tqdm

    key = hashlib.sha256(("".join(r["id"] for r in rows) + support_model).encode()
                         ).hexdigest()[:16]
    path = cache / f"coverage-{key}.pkl" if cache else None
    if path and path.is_file():
        return pickle.loads(path.read_bytes())
    encoders = Encoders()  # one cache of sentence vectors for every variant
    token = {k: Coverage(support_model=None, params=None, lede_sentences=k, encoders=encoders)
             for k in LEDE_CHOICES}
    with_support = Coverage(params=None, lede_sentences=max(LEDE_CHOICES),
                            support_model=support_model, encoders=encoders)
    token_names = [f"cov_lede_{p}" for p in PARTS]
    rouge = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    out = {k: [] for k in LEDE_CHOICES}
    length, lead_rouge = [], []
    articles: dict[str, object] = {}
    for row in tqdm(rows, desc="coverage components", unit="summary", mininterval=5):
        art = articles.get(row["doc_id"])
        if art is None:
            art = articles[row["doc_id"]] = to_article({"id": row["doc_id"],
                                                        "article": row["article"]})
        sum_sents = split_sentences(row["summary"]) or [row["summary"]]
        lede = split_sentences(art.lede)[: max(LEDE_CHOICES)]
        central = with_support.central_sentences(art)
        premises = summary_windows(sum_sents)
        claims = lede + central
        probs = with_support.support.predict([(p, c) for c in claims for p in premises])
        best = probs[:, 0].reshape(len(claims), len(premises)).max(1)
        lede_e, art_e = best[: len(lede)], best[len(lede):]
        for k, metric in token.items():
            parts = metric.score(row["summary"], art)
            vec = [parts[n] for n in token_names]
            vec += [float(lede_e[:k].mean()) if len(lede_e) else 0.0,
                    float(art_e.mean()) if len(art_e) else 0.0]
            out[k].append(vec)
        length.append(len(row["summary"].split()))
        lead = " ".join(split_sentences(row["article"])[:3])
        lead_rouge.append(rouge.score(lead, row["summary"])["rouge1"].recall)
    result = {"names": [*token_names, "cov_lede_entail", "cov_article_entail"],
              "x": {k: np.array(v) for k, v in out.items()},
              "length": np.array(length, dtype=float), "lead3_rouge1_recall":
              np.array(lead_rouge)}
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(result))
    return result


def rank_pairs(y: np.ndarray, docs: list[str]) -> np.ndarray:
    """Every (better, worse) index pair of summaries of one document."""
    by_doc = defaultdict(list)
    for i, d in enumerate(docs):
        by_doc[d].append(i)
    pairs = [(i, j) for idx in by_doc.values() for i in idx for j in idx if y[i] > y[j]]
    return np.array(pairs, dtype=int).reshape(-1, 2)


def fit_weights(x: np.ndarray, y: np.ndarray, docs: list[str]) -> np.ndarray:
    """Non-negative weights summing to 1 that rank each document's summaries as people do."""
    import torch

    pairs = torch.tensor(rank_pairs(y, docs))
    xt = torch.tensor(x, dtype=torch.float64)
    theta = torch.zeros(x.shape[1], dtype=torch.float64, requires_grad=True)
    log_scale = torch.tensor([np.log(10.0)], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([theta, log_scale], max_iter=300, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        s = (xt @ torch.softmax(theta, 0)) * log_scale.exp()
        diff = s[pairs[:, 0]] - s[pairs[:, 1]]
        loss = torch.nn.functional.softplus(-diff).mean() + 1e-3 * (theta ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return torch.softmax(theta, 0).detach().numpy()


def summary_level(score, y, docs, sources, source) -> float:
    """Mean over documents of ``source`` of the Spearman over their summaries."""
    vals = []
    for d in sorted({d for d, s in zip(docs, sources, strict=True) if s == source}):
        idx = [i for i, dd in enumerate(docs) if dd == d]
        r = fit.spearman(np.asarray(score)[idx], np.asarray(y)[idx])
        if not np.isnan(r):
            vals.append(r)
    return float(np.mean(vals)) if vals else float("nan")


def partial_summary_level(score, y, length, docs, sources, source) -> float:
    """Summary-level Spearman of score and y with length held fixed (ranks, per document)."""
    vals = []
    for d in sorted({d for d, s in zip(docs, sources, strict=True) if s == source}):
        idx = [i for i, dd in enumerate(docs) if dd == d]
        if len(idx) < 4:
            continue
        a, b, c = (fit.rank(np.asarray(v)[idx]) for v in (score, y, length))
        r_ab, r_ac, r_bc = (fit.pearson(a, b), fit.pearson(a, c), fit.pearson(b, c))
        if any(np.isnan(v) for v in (r_ab, r_ac, r_bc)) or abs(r_ac) >= 1 or abs(r_bc) >= 1:
            continue
        vals.append((r_ab - r_ac * r_bc) / np.sqrt((1 - r_ac ** 2) * (1 - r_bc ** 2)))
    return float(np.mean(vals)) if vals else float("nan")


def out_of_fold(x, y, docs) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each summary's coverage from weights fitted on the other folds (5, by document)."""
    fold = fit.folds(docs, 5)
    out = np.zeros(len(y))
    weights = []
    for k in range(5):
        train = np.flatnonzero(fold != k)
        w = fit_weights(x[train], y[train], [docs[i] for i in train])
        weights.append(w)
        test = np.flatnonzero(fold == k)
        out[test] = x[test] @ w
    return out, weights


def evaluate(rows: list[dict], data: dict) -> tuple[int, dict]:
    """Print the figures; return the chosen lede length and the full-data weights."""
    y = np.array([float(r["relevance"]) for r in rows])
    docs = [f"{r['source']}:{r['doc_id']}" for r in rows]
    sources = [r["source"] for r in rows]
    present = [s for s in SOURCES if s in sources]
    names = data["names"]
    best_k, best_mean, best_oof = None, None, None
    for k in LEDE_CHOICES:
        oof, _ = out_of_fold(data["x"][k], y, docs)
        mean = float(np.mean([summary_level(oof, y, docs, sources, s) for s in present]))
        print(f"lede = first {k} sentence(s): mean out-of-fold summary-level Spearman {mean:.3f}")
        if best_mean is None or mean > best_mean + 0.005:
            best_k, best_mean, best_oof = k, mean, oof
    print(f"chosen: lede = first {best_k} sentence(s)")
    x = data["x"][best_k]
    old = x[:, :len(PARTS)].mean(1)  # the plain mean of the token components, as before
    columns = {"coverage": best_oof, "token_mean": old, "length": data["length"],
               "lead3_r1_recall": data["lead3_rouge1_recall"]}
    print("\nsummary-level Spearman (per document over its summaries, averaged), out of fold:")
    print(f"  {'source':10s}{'docs':>6s}" + "".join(f"{c:>17s}" for c in columns))
    for s in present:
        n = len({d for d, ss in zip(docs, sources, strict=True) if ss == s})
        print(f"  {s:10s}{n:6d}" + "".join(
            f"{summary_level(v, y, docs, sources, s):17.3f}" for v in columns.values()))
    print("pooled Spearman (all summaries of a source):")
    for s in present:
        idx = [i for i, ss in enumerate(sources) if ss == s]
        print(f"  {s:10s}      " + "".join(f"{fit.spearman(v[idx], y[idx]):17.3f}"
                                         for v in columns.values()))
    print("partial summary-level Spearman with length held fixed:")
    for s in present:
        print(f"  {s:10s}      " + "".join(
            f"{partial_summary_level(v, y, data['length'], docs, sources, s):17.3f}"
            for k, v in columns.items() if k != "length"))
    print("each component alone (summary-level Spearman, nothing fitted):")
    print(f"  {'component':22s}" + "".join(f"{s:>10s}" for s in present))
    for j, name in enumerate(names):
        print(f"  {name:22s}" + "".join(
            f"{summary_level(x[:, j], y, docs, sources, s):10.3f}" for s in present))
    weights = fit_weights(x, y, docs)
    print("weights fitted on all rows: " + ", ".join(
        f"{n} {w:.3f}" for n, w in zip(names, weights, strict=True)))
    figures = {s: round(summary_level(best_oof, y, docs, sources, s), 3) for s in present}
    return best_k, {"weights": dict(zip(names, weights.tolist(), strict=True)),
                    "lede_sentences": best_k, "out_of_fold_summary_level_spearman": figures}


def main(argv: list[str] | None = None) -> int:
    """Compute the components, print the figures, optionally write the weights."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="write harness/params/coverage.json")
    ap.add_argument("--out", type=Path, default=DEFAULT_PARAMS)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--docs-per-source", type=int, default=None,
                    help="only the first N documents of each source (all their summaries)")
    ap.add_argument("--cache", type=Path, default=ROOT / ".cache" / "fit_coverage")
    ap.add_argument("--support-model", default="default", help="cross-encoder adapter file")
    args = ap.parse_args(argv)
    if not corpora_dir().is_dir():
        print(f"corpora folder {corpora_dir()} not found (set HARNESS_CORPORA)", file=sys.stderr)
        return 2
    rows = read_rows(args.limit, args.docs_per_source)
    data = components(rows, args.cache, args.support_model)
    _, params = evaluate(rows, data)
    if args.write:
        params.update(data="coverage/judged_dev.jsonl (all rows)",
                      refit="python scripts/fit_coverage.py --write")
        args.out.write_text(json.dumps(params, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
