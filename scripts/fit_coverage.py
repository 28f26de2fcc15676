"""Fit ``coverage``'s component weights on human coverage judgments; print out-of-fold figures.

Data: ``coverage/judged_dev.jsonl`` under the corpora folder (``../shared/corpora``,
env ``HARNESS_CORPORA``): 3,022 news summaries judged for how much important
content they carry (SummEval relevance, REALSumm and PyrXSum pyramid recall,
Newsroom informativeness). Each article is read as ``harness score`` reads it
(``harness.clean.to_article``: no headline, the opening paragraph as lede).

For every summary the script computes ``coverage``'s components
(``harness.metrics.coverage``) for each candidate setting (below), then, in
five folds grouped by document, fits non-negative weights that sum to 1 (a
softmax) by a pairwise ranking loss within each document (RankNet: every pair
of summaries of one document whose human scores differ), pooled over all
sources (no weight for one source), by L-BFGS in float64 from zeros
(deterministic). The setting with the best mean out-of-fold summary-level
Spearman over the four sources is kept.

Printed per source, beside the two trivial baselines of the same run (summary
length in words; ROUGE-1 recall of the article's first three sentences): the
summary-level Spearman (per document over its summaries, averaged) and the
pooled Spearman, each component's own summary-level Spearman, and the partial
summary-level Spearman of ``coverage`` with length held fixed; and per
system, its mean rank within its documents by people, by ``coverage`` and by
length.

``--write`` refits on all rows and writes ``harness/params/coverage.json``;
without it the figures are printed and nothing is written.

The settings compared: lede length (``LEDE_CHOICES``), how many central
sentences ``cov_article_entail`` reads (``CENTRAL_CHOICES``; 0: no such
component) and how they are found (``--centrality``), whether the lede's
own entailment component is used, and whether ``cov_article_recall`` (no model)
is, and how it weighs a stem's occurrence (``RECALL_WEIGHTINGS``: by count, or
by count times the stem's idf in news). Every setting's figure is printed.

Usage: python scripts/fit_coverage.py [--write] [--centrality lexical|embed|any]
                                      [--docs-per-source N] [--limit N] [--cache DIR]
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
    CENTRALITIES,
    DEFAULT_PARAMS,
    PARTS,
    RECALL_WEIGHTINGS,
    Coverage,
    Idf,
    article_recall,
    news_idf,
    summary_windows,
)
from harness.text import split_sentences  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LEDE_CHOICES = (1, 3)
CENTRAL_CHOICES = (0, 1, 2, 3)
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
    """Token components per lede length, and the cross-encoder's readings; plus the baselines.

    Readings per summary: P(entailed) of each of the lede's first sentences, and
    of the article's most central sentences under each centrality (ranked, most
    central first), so that every variant :func:`variant` builds is a slice.
    """
    from rouge_score import rouge_scorer
    from tqdm import tqdm

    key = hashlib.sha256(("".join(r["id"] for r in rows) + support_model + "v2").encode()
                         ).hexdigest()[:16]
    path = cache / f"coverage-{key}.pkl" if cache else None
    if path and path.is_file():
        return pickle.loads(path.read_bytes())
    encoders = Encoders()  # one cache of sentence vectors for every variant
    token = {k: Coverage(support_model=None, params=None, lede_sentences=k, encoders=encoders)
             for k in LEDE_CHOICES}
    central = {c: Coverage(support_model=None, params=None, centrality=c, encoders=encoders)
               for c in CENTRALITIES}
    support = Coverage(params=None, support_model=support_model, encoders=encoders).support
    token_names = [f"cov_lede_{p}" for p in PARTS]
    rouge = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    out = {k: [] for k in LEDE_CHOICES}
    lede_p, art_p = [], {c: [] for c in CENTRALITIES}
    length, lead_rouge = [], []
    articles: dict[str, object] = {}
    orders: dict[tuple[str, str], list[str]] = {}
    for row in tqdm(rows, desc="coverage components", unit="summary", mininterval=5):
        art = articles.get(row["doc_id"])
        if art is None:
            art = articles[row["doc_id"]] = to_article({"id": row["doc_id"],
                                                        "article": row["article"]})
        sum_sents = split_sentences(row["summary"]) or [row["summary"]]
        lede = split_sentences(art.lede)[: max(LEDE_CHOICES)]
        ranked = {}
        for c, metric in central.items():
            if (row["doc_id"], c) not in orders:
                sents, order = metric.central_order(art)
                orders[row["doc_id"], c] = [sents[i] for i in order[:max(CENTRAL_CHOICES)]]
            ranked[c] = orders[row["doc_id"], c]
        premises = summary_windows(sum_sents)
        claims = list(dict.fromkeys(lede + [t for c in CENTRALITIES for t in ranked[c]]))
        probs = support.predict([(p, c) for c in claims for p in premises])
        best = dict(zip(claims, probs[:, 0].reshape(len(claims), len(premises)).max(1),
                        strict=True))
        lede_p.append(np.array([best[t] for t in lede]))
        for c in CENTRALITIES:
            art_p[c].append(np.array([best[t] for t in ranked[c]]))
        for k, metric in token.items():
            parts = metric.score(row["summary"], art)
            out[k].append([parts[n] for n in token_names])
        length.append(len(row["summary"].split()))
        lead = " ".join(split_sentences(row["article"])[:3])
        lead_rouge.append(rouge.score(lead, row["summary"])["rouge1"].recall)
    result = {"token_names": token_names, "token": {k: np.array(v) for k, v in out.items()},
              "lede_p": lede_p, "art_p": art_p,
              "length": np.array(length, dtype=float), "lead3_rouge1_recall":
              np.array(lead_rouge)}
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(result))
    return result


def recall_column(rows: list[dict], idf: Idf | None = None) -> np.ndarray:
    """``cov_article_recall`` of every summary, as the metric computes it (no model; seconds).

    ``idf``: weigh each occurrence by its stem's idf (``recall_weighting: idf``).

    An article without a sentence of four words gets 0 here, where the metric
    leaves the component out.
    """
    bodies: dict[str, str] = {}
    out = []
    for row in rows:
        if row["doc_id"] not in bodies:
            bodies[row["doc_id"]] = to_article({"id": row["doc_id"],
                                                "article": row["article"]}).body
        value = article_recall(row["summary"], bodies[row["doc_id"]], idf)
        out.append(0.0 if value is None else value)
    return np.array(out)


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else 0.0


def variant(data: dict, lede: int, centrality: str, central: int, lede_entail: bool,
            recall: str | None = None) -> tuple[list[str], np.ndarray]:
    """Component names and matrix of one setting of the components.

    ``recall``: the weighting of ``cov_article_recall`` (None: no such component).
    """
    names = list(data["token_names"])
    cols = [data["token"][lede]]
    if lede_entail:
        names.append("cov_lede_entail")
        cols.append(np.array([[_mean(p[:lede])] for p in data["lede_p"]]))
    if central:
        names.append("cov_article_entail")
        cols.append(np.array([[_mean(p[:central])] for p in data["art_p"][centrality]]))
    if recall:
        names.append("cov_article_recall")
        cols.append(data["article_recall"][recall][:, None])
    return names, np.hstack(cols)


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


def evaluate(rows: list[dict], data: dict, centralities: tuple[str, ...] = CENTRALITIES
             ) -> tuple[dict, dict]:
    """Print the figures; return the chosen setting and the full-data parameters.

    Settings are tried cheapest first (no lede entailment, fewer central
    sentences, lexical centrality); a costlier one is kept only when its mean
    out-of-fold summary-level Spearman over the sources is higher by more than 0.005.
    Every setting is printed; the choice is among those whose centrality is in
    ``centralities``.
    """
    y = np.array([float(r["relevance"]) for r in rows])
    docs = [f"{r['source']}:{r['doc_id']}" for r in rows]
    sources = [r["source"] for r in rows]
    present = [s for s in SOURCES if s in sources]
    settings = [{"lede_sentences": k, "centrality": c, "central_sentences": n,
                 "lede_entail": e, "article_recall": r}
                for r in (None, *RECALL_WEIGHTINGS) for e in (False, True) for n in CENTRAL_CHOICES
                for c in CENTRALITIES for k in LEDE_CHOICES if n or c == CENTRALITIES[0]]
    print("mean out-of-fold summary-level Spearman over the sources, per setting:")
    best, best_mean, best_oof = None, None, None
    for st in settings:
        _, x = variant(data, st["lede_sentences"], st["centrality"], st["central_sentences"],
                       st["lede_entail"], st["article_recall"])
        oof, _ = out_of_fold(x, y, docs)
        mean = float(np.mean([summary_level(oof, y, docs, sources, s) for s in present]))
        print(f"  {_label(st):70s} {mean:.3f}")
        if st["central_sentences"] and st["centrality"] not in centralities:
            continue
        if best_mean is None or mean > best_mean + 0.005:
            best, best_mean, best_oof = st, mean, oof
    print(f"chosen: {_label(best)}")
    names, x = variant(data, best["lede_sentences"], best["centrality"],
                       best["central_sentences"], best["lede_entail"], best["article_recall"])
    old = data["token"][3].mean(1)  # the plain mean of the token components, as before
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
    by_system(rows, {"human": y, "coverage": best_oof, "length": data["length"]}, docs)
    weights = fit_weights(x, y, docs)
    print("weights fitted on all rows: " + ", ".join(
        f"{n} {w:.3f}" for n, w in zip(names, weights, strict=True)))
    figures = {s: round(summary_level(best_oof, y, docs, sources, s), 3) for s in present}
    return best, {"weights": dict(zip(names, weights.tolist(), strict=True)),
                  "lede_sentences": best["lede_sentences"],
                  "centrality": best["centrality"],
                  "central_sentences": best["central_sentences"],
                  "recall_weighting": best["article_recall"],
                  "out_of_fold_summary_level_spearman": figures}


def by_system(rows: list[dict], columns: dict[str, np.ndarray], docs: list[str]) -> None:
    """Print each system's mean within-document rank (0 lowest, 1 highest) per column.

    Where ``coverage`` ranks a system far from where people do, that system's
    kind of summary is what the metric misjudges.
    """
    at: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(docs):
        at[d].append(i)
    scaled = {name: np.full(len(docs), np.nan) for name in columns}
    for idx in at.values():
        if len(idx) < 2:
            continue
        for name, col in columns.items():
            scaled[name][idx] = (fit.rank(col[idx]) - 1) / (len(idx) - 1)
    print("per system, mean rank within its documents (0 lowest, 1 highest), out of fold:")
    print(f"  {'source':10s}{'system':32s}" + "".join(f"{c:>10s}" for c in columns))
    for source in SOURCES:
        systems = defaultdict(list)
        for i, r in enumerate(rows):
            if r["source"] == source and not np.isnan(scaled["human"][i]):
                systems[r["system"]].append(i)
        order = sorted(systems, key=lambda s: -np.mean(scaled["human"][systems[s]]))
        for system in order:
            print(f"  {source:10s}{system[:31]:32s}" + "".join(
                f"{np.mean(scaled[c][systems[system]]):10.2f}" for c in columns))


def _label(st: dict) -> str:
    return (f"lede {st['lede_sentences']}, "
            + (f"{st['central_sentences']} central ({st['centrality']})"
               if st["central_sentences"] else "no article entailment")
            + (", lede entailment" if st["lede_entail"] else "")
            + (f", article recall ({st['article_recall']})" if st["article_recall"] else ""))


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
    ap.add_argument("--centrality", choices=[*CENTRALITIES, "any"], default="lexical",
                    help="choose among settings with this centrality (default lexical: "
                         "embed reads every body sentence with MiniLM, which a run "
                         "of extractive summaries cannot afford; docs/metrics.md)")
    args = ap.parse_args(argv)
    if not corpora_dir().is_dir():
        print(f"corpora folder {corpora_dir()} not found (set HARNESS_CORPORA)", file=sys.stderr)
        return 2
    rows = read_rows(args.limit, args.docs_per_source)
    data = components(rows, args.cache, args.support_model)
    data["article_recall"] = {"count": recall_column(rows),
                              "idf": recall_column(rows, news_idf())}
    allowed = CENTRALITIES if args.centrality == "any" else (args.centrality,)
    _, params = evaluate(rows, data, allowed)
    if args.write:
        params.update(data="coverage/judged_dev.jsonl (all rows)",
                      refit="python scripts/fit_coverage.py --write")
        args.out.write_text(json.dumps(params, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
