"""Validate the faithfulness and headline metrics on the dev corpora, beside baselines.

Usage: python benchmarks/validate_metrics.py [--only frank,falke,bbc,summac,headline,substitution]
                                             [--limit N]

Corpora come from ../shared/corpora (override with HARNESS_CORPORA). Every
figure is printed beside trivial baselines computed in the same run: ROUGE-1
and ROUGE-2 precision of the summary against the article (rouge-score,
stemming on) for faithfulness, and the share of the headline's content words
found in the body for the headline check (benchmarks/validate_headline.py).

What is fitted, and where its figures come from:
- ``faithfulness``'s sentence model is fitted on FRANK dev (human judgments).
  The FRANK figures here are out of fold: the model is refitted on four of
  five folds grouped by article and scores the fifth, exactly as
  ``scripts/train_faithfulness.py --fit`` does before it fits on all rows.
  Falke and the BBC corruptions are scored with the shipped model (fitted on
  FRANK, which holds neither), and so are SummaC's validation claims whose
  documents FRANK lacks (``summac``; its XSumFaith claims chose the features of
  the model of rewritten sentences, so they are not held out).
- ``substitution`` chooses faithfulness's ``substitution_penalty`` (the factor
  per change a sentence makes to the article run it copies): the sentence
  model is refitted on FRANK dev with each factor of ``PENALTIES`` (out of fold
  there); of the factors within 0.005 of no penalty on both FRANK datasets,
  the mildest within 0.005 of the best pooled ROC AUC on the BBC corruptions
  wins, chosen on four fifths of the articles for the fifth (5 folds by
  article), so the pooled AUC printed for the choice is out of fold.
- "before" is the hand-set composite this replaced (``params: null``).
- The headline check's stance model is fitted on FNC-1 train; its figures are
  on the FNC-1 dev split and the BBC corruptions, which it never saw.
The BBC corruptions are generated with a fixed seed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np
from rouge_score import rouge_scorer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from validate_headline import (  # noqa: E402
    corpora_dir,
    read_bbc,
    roc_auc_score,
    validate_headline,
)

from harness.embed import Encoders  # noqa: E402
from harness.metrics import fit  # noqa: E402
from harness.metrics.faithfulness import FEATURES, SUPPORT_FEATURES, Faithfulness  # noqa: E402
from harness.metrics.faithfulness.model import SUBSTITUTION_PENALTY  # noqa: E402
from harness.text import split_sentences  # noqa: E402
from harness.types import Article  # noqa: E402

# Factors per change of a copied run that ``--only substitution`` compares (1: none).
PENALTIES = (1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2)
# How far below no penalty a factor may take FRANK's out-of-fold Spearman and still tie,
# and how far below the best pooled BBC AUC the milder factor still wins.
FRANK_TIE = 0.005
BBC_TIE = 0.005
SEED = 20190728  # any fixed value; the date of Falke et al.'s ACL talk
KINDS = ("negation", "number", "foreign_name", "foreign_sentence", "name_swap",
         "article_number", "splice")


class RougePrecision:
    """The trivial baselines: ROUGE-1 and ROUGE-2 precision of the summary against the article."""

    def __init__(self):
        """Build the scorer once."""
        self.scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)

    def __call__(self, summary: str, article_text: str, kind: str = "rouge2") -> float:
        """ROUGE-1 or ROUGE-2 precision."""
        return self.scorer.score(article_text, summary)[kind].precision


def one_sentence_article(text: str) -> Article:
    """An Article made of one source sentence (Falke pairs)."""
    return Article(id="falke", headline="", lede="", paragraphs=(text,))


# ---------------------------------------------------------------- Falke et al. 2019
def validate_falke(folder: Path, scorers: dict) -> None:
    rows = json.loads((folder / "falke" / "val_sentence_pairs.json").read_text())
    wins = dict.fromkeys(scorers, 0)
    for row in rows:
        art = one_sentence_article(row["article_sent"])
        for name, fn in scorers.items():
            wins[name] += fn(row["correct_sent"], art) > fn(row["incorrect_sent"], art)
    print(f"\n## Falke et al. 2019: {len(rows)} triples, share where correct > incorrect")
    for name, w in wins.items():
        print(f"  {name:18s} {w / len(rows):.3f}")


def validate_summac(folder: Path, scorers: dict, limit: int) -> None:
    """ROC AUC of consistent above inconsistent on SummaC's validation claims, per source.

    Claims whose document FRANK dev holds are left out (FRANK fitted the model).
    """
    rows = fit.summac_claims(folder / "nli" / "summac_val.jsonl",
                             fit.read_frank(folder / "frank" / "frank.jsonl"))[:limit]
    print(f"\n## SummaC validation claims: {len(rows)} system summaries (or sentences) whose "
          "documents FRANK lacks, labelled consistent or not by other annotators")
    print("  ROC AUC of consistent above inconsistent; XSumFaith chose the features of the model "
          "of rewritten sentences (scripts/train_faithfulness.py), so it is not held out")
    print(f"  {'source':12s}{'consistent':>11s}{'other':>7s}"
          + "".join(f"{k:>20s}" for k in scorers))
    for source in dict.fromkeys(r["dataset"] for r in rows):
        part = [r for r in rows if r["dataset"] == source]
        labels = [int(r["label"] == "consistent") for r in part]
        pairs = [(r["claim"], Article(id=r["id"], headline="", lede="",
                                      paragraphs=(r["document"],))) for r in part]
        if len(set(labels)) < 2:  # no AUC with one class (a small --limit)
            cells = "".join(f"{'-':>20s}" for _ in scorers)
        else:
            cells = "".join(f"{roc_auc_score(labels, [fn(c, a) for c, a in pairs]):20.3f}"
                            for fn in scorers.values())
        print(f"  {source:12s}{sum(labels):11d}{len(labels) - sum(labels):7d}{cells}")


# ---------------------------------------------------------------- BBC corruptions
SYNONYMS = {
    "said": "stated", "says": "states", "big": "large", "rise": "increase", "rose": "climbed",
    "fell": "dropped", "buy": "purchase", "bought": "purchased", "help": "assist",
    "start": "begin", "started": "began", "show": "indicate", "shows": "indicates",
    "showed": "indicated", "plans": "intends", "expected": "anticipated", "however": "but",
    "also": "additionally", "major": "significant", "firm": "company", "firms": "companies",
    "increase": "rise", "cut": "reduce", "new": "fresh", "top": "leading", "best": "finest",
    "won": "secured", "win": "secure", "told": "informed", "more": "additional",
    "government": "administration", "announced": "revealed", "people": "individuals",
    "about": "around", "get": "obtain", "make": "create", "made": "created", "added": "noted",
    "likely": "probable", "very": "highly", "end": "close", "ended": "closed", "key": "crucial",
    "warned": "cautioned", "hit": "struck", "chief": "head", "biggest": "largest",
}
AUX = re.compile(r"\b(is|was|are|were|has|have|had|will|would|can|could|should|did|does|do)\b")


def reword(text: str, rng: np.random.Generator) -> str:
    """A faithful paraphrase: a few synonyms and one dropped trailing clause."""
    sents = split_sentences(text)
    out = []
    for sent in sents:
        words = sent.split(" ")
        for i, w in enumerate(words):
            key = w.lower().strip(",.;:")
            if key in SYNONYMS and rng.random() < 0.7:
                words[i] = w.replace(key, SYNONYMS[key]) if w.islower() else w
        sent = " ".join(words)
        parts = sent.rsplit(", ", 1)
        if len(parts) == 2 and len(parts[1].split()) >= 3 and rng.random() < 0.5:
            sent = parts[0].rstrip(",") + "."
        out.append(sent)
    return " ".join(out)


def _replace_in_one(sents: list[str], pattern: str, repl: str) -> list[str] | None:
    for i, s in enumerate(sents):
        if re.search(pattern, s):
            out = list(sents)
            out[i] = re.sub(pattern, repl, s, count=1)
            return out
    return None


def _number_tokens(text: str) -> list[str]:
    return re.findall(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])", text)


def corrupt(kind: str, summary: str, art_sents: list[str], other: list[str],
            rng: np.random.Generator) -> str | None:
    """One corruption of ``summary``; None when it does not apply to this summary."""
    sents = split_sentences(summary)
    if kind == "negation":
        for i in rng.permutation(len(sents)):
            s = sents[i]
            if re.search(r"\bnot\b", s):
                new = re.sub(r"\s*\bnot\b", "", s, count=1)
            elif AUX.search(s):
                new = AUX.sub(lambda m: m.group(0) + " not", s, count=1)
            else:
                continue
            return " ".join(sents[:i] + [new] + sents[i + 1 :])
        return None
    if kind in ("number", "article_number"):
        nums = _number_tokens(summary)
        if not nums:
            return None
        old = nums[int(rng.integers(len(nums)))]
        if kind == "number":
            value = float(old.replace(",", "")) * float(rng.choice([2, 3, 0.5])) + 1
            new = str(int(value)) if value == int(value) else f"{value:.1f}"
        else:
            pool = sorted(set(_number_tokens(" ".join(art_sents))) - set(nums))
            if not pool:
                return None
            new = pool[int(rng.integers(len(pool)))]
        return re.sub(rf"(?<![\w.]){re.escape(old)}(?![\w])", new, summary, count=1)
    if kind in ("foreign_name", "name_swap"):
        names = _names(summary)
        if kind == "name_swap":
            if len(names) < 2:
                return None
            a, b = rng.choice(len(names), 2, replace=False)
            x, y = names[a], names[b]
            tmp = summary.replace(x, "\0").replace(y, x).replace("\0", y)
            return tmp if tmp != summary else None
        art_lower = " ".join(art_sents).lower()
        pool = [n for n in _names(" ".join(other)) if n.lower() not in art_lower]
        if not names or not pool:
            return None
        old = names[int(rng.integers(len(names)))]
        return summary.replace(old, pool[int(rng.integers(len(pool)))], 1)
    if kind == "foreign_sentence":
        i = int(rng.integers(len(sents)))
        return " ".join(sents[:i] + [other[int(rng.integers(len(other)))]] + sents[i + 1 :])
    if kind == "splice":
        i = int(rng.integers(len(sents)))
        far = [s for s in art_sents[len(sents) + 2 :] if len(s.split()) >= 8]
        if len(sents[i].split()) < 8 or not far:
            return None
        a, b = sents[i].split(), far[int(rng.integers(len(far)))].split()
        new = " ".join(a[: len(a) // 2] + b[len(b) // 2 :])
        return " ".join(sents[:i] + [new] + sents[i + 1 :])
    raise ValueError(kind)


def _names(text: str) -> list[str]:
    """Multi-word or mid-sentence capitalised names, as they appear in the text."""
    found = re.findall(r"(?<=[a-z,] )[A-Z][a-z]+(?: [A-Z][a-z]+)*", text)
    return sorted({f for f in found if len(f) > 3})


def bbc_pairs(arts: list[Article], rng: np.random.Generator, n_sents: int = 3):
    """(article, faithful summary, {kind: corrupted summary}) per article."""
    out = []
    for k, art in enumerate(arts):
        art_sents = split_sentences(art.body)
        if len(art_sents) < n_sents + 3:
            continue
        faithful = reword(" ".join(art_sents[:n_sents]), rng)
        other_art = arts[(k + 1 + int(rng.integers(len(arts) - 1))) % len(arts)]
        other = split_sentences(other_art.body)
        bad = {kind: corrupt(kind, faithful, art_sents, other, rng) for kind in KINDS}
        out.append((art, faithful, {k: v for k, v in bad.items() if v and v != faithful}))
    return out


def validate_bbc(folder: Path, scorers: dict, limit: int) -> None:
    arts = read_bbc(folder)[:limit]
    triples = bbc_pairs(arts, np.random.default_rng(SEED))
    print(f"\n## BBC corruptions: {len(triples)} articles, faithful (reworded lead-3) vs corrupted")
    header = "  " + f"{'kind':18s}{'n':>8s}" + "".join(f"{k:>20s}" for k in scorers)
    print(header)
    pooled = {name: ([], []) for name in scorers}
    per_kind = {kind: {name: [] for name in scorers} for kind in KINDS}
    for art, good, bad in triples:
        for name, fn in scorers.items():
            g = fn(good, art)
            pooled[name][0].append(g)
            for kind, text in bad.items():
                b = fn(text, art)
                pooled[name][1].append(b)
                per_kind[kind][name].append(g > b)
    for kind in KINDS:
        n = len(per_kind[kind]["faithfulness"])
        cells = "".join(f"{np.mean(per_kind[kind][name]):20.3f}" for name in scorers)
        print(f"  {kind:18s}{n:8d}{cells}")
    all_acc = "".join(
        f"{np.mean([x for k in KINDS for x in per_kind[k][name]]):20.3f}" for name in scorers
    )
    print(f"  {'all kinds':18s}{'':8s}{all_acc}")
    aucs = ""
    for name in scorers:
        good, bad = pooled[name]
        aucs += f"{_pooled_auc(good, bad):20.3f}"
    print(f"  {'pooled ROC AUC':18s}{'':8s}{aucs}")


# ---------------------------------------------------------------- substitution penalty
def validate_substitution(folder: Path, encoders: Encoders, limit: int) -> float:
    """Print FRANK (out of fold), Falke and BBC figures per penalty factor; return the choice."""
    metric = Faithfulness(params=None, encoders=encoders)
    shipped = fit.SentenceModel.load(fit.DEFAULT_PARAMS)
    sub = shipped.rewritten.features if shipped.rewritten is not None else None
    names = shipped.inputs
    cols = [metric.features.index(f) for f in names]

    def features(checks) -> np.ndarray:
        """The shipped model's input columns (the same for every factor)."""
        return metric.inputs(checks)[0][:, cols]

    rows = fit.read_frank(folder / "frank" / "frank.jsonl")[:limit]
    frank = fit.frank_checks(rows, metric)
    y = np.array([r["factuality"] for r in rows])
    groups = [r["article"] for r in rows]
    datasets = [r["dataset"] for r in rows]
    triples = bbc_pairs(read_bbc(folder)[:limit], np.random.default_rng(SEED))
    bbc = [(metric.check_sentences(good, art),
            {kind: metric.check_sentences(text, art) for kind, text in bad.items()})
           for art, good, bad in triples]
    falke_rows = json.loads((folder / "falke" / "val_sentence_pairs.json").read_text())[:limit]
    falke = [tuple(metric.check_sentences(r[k], one_sentence_article(r["article_sent"]))
                   for k in ("correct_sent", "incorrect_sent")) for r in falke_rows]
    frank_x = [features(cs) for cs in frank]
    good_items = [(features(g), g) for g, _ in bbc]
    bad_items = [(i, kind, features(cs), cs) for i, (_, b) in enumerate(bbc)
                 for kind, cs in b.items()]
    falke_items = [tuple((features(cs), cs) for cs in pair) for pair in falke]
    changed = sum(any(c.changes for c in cs) for cs in frank)
    signalled = sum(any(c.local_signals for c in cs) for cs in frank)
    print(f"\n## substitution penalty: factor per change of a copied article run "
          f"(FRANK dev: {changed} of {len(rows)} summaries have one; {signalled} have a "
          "contradiction signal against their windows)")
    print("  FRANK: out of fold Spearman (5 folds by article); Falke and BBC: the model "
          "fitted on all of FRANK dev with that factor")
    print(f"  {'factor':>7s}{'cnndm':>8s}{'xsum':>8s}{'falke':>8s}{'bbc pooled AUC':>16s}"
          + "".join(f"{k:>17s}" for k in KINDS))
    frank_figs, good, bad = {}, {}, {}
    for penalty in PENALTIES:
        factors = [metric.penalty_factors(cs, penalty) for cs in frank]
        oof = fit.out_of_fold(frank_x, y, groups, names, factors=factors, rewritten=sub,
                              main=shipped.features, rewritten_below=shipped.rewritten_below)
        frank_figs[penalty] = {ds: f["spearman"]
                               for ds, f in fit.correlations(oof, y, datasets).items()}
        model = fit.fit(frank_x, y, names, factors=factors, rewritten=sub,
                        main=shipped.features, rewritten_below=shipped.rewritten_below)

        def score(x, checks, model=model, penalty=penalty) -> float:
            return float(fit.summary_scores(model, [x],
                                            [metric.penalty_factors(checks, penalty)])[0])

        good[penalty] = np.array([score(x, cs) for x, cs in good_items])
        bad[penalty] = [(i, kind, score(x, cs)) for i, kind, x, cs in bad_items]
        falke_share = np.mean([score(*c) > score(*w) for c, w in falke_items])
        kinds = "".join(
            f"{_pooled_auc(good[penalty], [v for _, k, v in bad[penalty] if k == kind]):17.3f}"
            for kind in KINDS)
        pooled = _pooled_auc(good[penalty], [v for *_, v in bad[penalty]])
        print(f"  {penalty:7.2f}" + "".join(f"{frank_figs[penalty][ds]:8.3f}"
                                            for ds in frank_figs[penalty])
              + f"{falke_share:8.3f}{pooled:16.3f}" + kinds)
    tied = [p for p in PENALTIES if all(frank_figs[1.0][ds] - frank_figs[p][ds] < FRANK_TIE
                                        for ds in frank_figs[1.0])]
    fold = fit.folds([a.id for a, _, _ in triples])
    oof_good, oof_bad, picks = np.zeros(len(bbc)), [], []

    def mildest(keep: np.ndarray) -> float:
        """The largest tied factor within BBC_TIE of the best pooled AUC on the kept articles."""
        aucs = {p: _pooled_auc(good[p][keep], [v for i, _, v in bad[p] if keep[i]])
                for p in tied}
        return max(p for p in tied if aucs[p] >= max(aucs.values()) - BBC_TIE)

    for f in range(5):
        pick = mildest(fold != f)
        picks.append(pick)
        oof_good[fold == f] = good[pick][fold == f]
        oof_bad += [v for i, _, v in bad[pick] if fold[i] == f]
    choice = mildest(np.ones(len(bbc), dtype=bool))
    print(f"  within {FRANK_TIE} of no penalty on FRANK: {', '.join(f'{p:g}' for p in tied)}; "
          f"chosen per BBC fold: {', '.join(f'{p:g}' for p in picks)}; pooled AUC out of fold "
          f"{_pooled_auc(oof_good, oof_bad):.3f}")
    print(f"  chosen on all BBC articles: {choice:g} (shipped: {SUBSTITUTION_PENALTY:g})")
    return choice


def _pooled_auc(good, bad) -> float:
    good, bad = list(good), list(bad)
    if not good or not bad:
        return float("nan")
    return roc_auc_score([1] * len(good) + [0] * len(bad), good + bad)


# ---------------------------------------------------------------- FRANK
def validate_frank(folder: Path, before: Faithfulness, base: RougePrecision, limit: int) -> None:
    """Correlation with FRANK's human factuality scores, per dataset, out of fold."""
    rows = fit.read_frank(folder / "frank" / "frank.jsonl")[:limit]
    checks = fit.frank_checks(rows, before)
    feats, factors = zip(*(before.inputs(c) for c in checks), strict=True)
    y = np.array([r["factuality"] for r in rows])
    shipped = fit.SentenceModel.load(fit.DEFAULT_PARAMS)
    groups = [r["article"] for r in rows]

    def oof(inputs: tuple[str, ...], main: tuple[str, ...] | None = None,
            rewritten: tuple[str, ...] | None = None) -> np.ndarray:
        cols = [before.features.index(f) for f in inputs]
        return fit.out_of_fold([f[:, cols] for f in feats], y, groups, inputs, factors=factors,
                               rewritten=rewritten, main=main,
                               rewritten_below=shipped.rewritten_below)

    base_names = tuple(f for f in FEATURES if f not in SUPPORT_FEATURES)
    sub = shipped.rewritten.features if shipped.rewritten is not None else None
    columns = {
        "faithfulness": oof(shipped.inputs, shipped.features, sub),
        "one_model": oof(base_names),
    }
    if before.support is not None:
        columns["entailment_mean"] = np.array([np.mean([c.features["entail"] for c in cs])
                                               for cs in checks])
    columns.update({
        "before": np.array([before.combine(c)["faithfulness"] for c in checks]),
        "rouge1_precision": np.array([base(r["summary"], r["article"], "rouge1") for r in rows]),
        "rouge2_precision": np.array([base(r["summary"], r["article"], "rouge2") for r in rows]),
    })
    print(f"\n## FRANK dev: {len(rows)} system summaries with human factuality scores")
    print(f"  fitted: faithfulness's sentence model ({len(shipped.features)} features, logistic"
          + (f"; rewritten sentences: {', '.join(sub)}" if sub else "") + "), on FRANK dev, "
          f"and one model of the {len(base_names)} features without the cross-encoder "
          "(one_model);")
    print("  their columns are out of fold (5 folds grouped by article), the others fit nothing"
          + (" (entailment_mean: the cross-encoder's mean P(entailed))"
             if before.support is not None else ""))
    print("  " + f"{'dataset':8s}{'n':>6s}{'':10s}" + "".join(f"{k:>18s}" for k in columns))
    figures = {name: fit.correlations(col, y, [r["dataset"] for r in rows])
               for name, col in columns.items()}
    for ds, first in figures["faithfulness"].items():
        for stat in ("pearson", "spearman"):
            cells = "".join(f"{figures[name][ds][stat]:18.3f}" for name in columns)
            print(f"  {ds:8s}{first['n']:6d}  {stat.capitalize():8s}{cells}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="frank,falke,bbc,summac,headline")
    ap.add_argument("--limit", type=int, default=10**9, help="at most N items per corpus")
    args = ap.parse_args(argv)
    folder = corpora_dir()
    if not folder.is_dir():
        print(f"corpora folder {folder} not found (set HARNESS_CORPORA)", file=sys.stderr)
        return 2
    only = set(args.only.split(","))
    encoders = Encoders()  # the two composites share their sentence embeddings
    # "before" computes every feature the shipped model reads (the cross-encoder's when
    # it reads them), for the out-of-fold refits on FRANK.
    needs = set(fit.SentenceModel.load(fit.DEFAULT_PARAMS).inputs) & set(SUPPORT_FEATURES)
    metric = Faithfulness(encoders=encoders, support_model="default" if needs else None)
    before = Faithfulness(params=None, encoders=encoders,
                          support_model="default" if needs else None)
    base = RougePrecision()
    scorers = {
        "faithfulness": lambda s, a: metric.score(s, a)["faithfulness"],
        "before": lambda s, a: before.score(s, a)["faithfulness"],
        "rouge1_precision": lambda s, a: base(s, a.body, "rouge1"),
        "rouge2_precision": lambda s, a: base(s, a.body, "rouge2"),
    }
    t0 = time.perf_counter()
    if "frank" in only:
        validate_frank(folder, before, base, args.limit)
    if "falke" in only:
        validate_falke(folder, scorers)
    if "bbc" in only:
        validate_bbc(folder, scorers, args.limit)
    if "summac" in only:
        validate_summac(folder, scorers, args.limit)
    if "headline" in only:
        validate_headline(folder, args.limit)
    if "substitution" in only:
        validate_substitution(folder, encoders, args.limit)
    print(f"\n(validation took {time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
