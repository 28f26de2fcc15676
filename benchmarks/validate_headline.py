"""Validate the headline check on FNC-1 dev and on corrupted BBC headlines, beside baselines.

Usage: python benchmarks/validate_headline.py [--limit N] [--only fnc1,bbc]

Corpora come from ../shared/corpora (override with HARNESS_CORPORA). Three
scorers are printed side by side:

- ``new``: ``harness.headline.HeadlineChecker`` (stance model + rules);
- ``old``: the relatedness check this replaced (commit aed43f5's
  harness/headline.py), reimplemented below as ``OldChecker``;
- ``overlap``: the share of the headline's content stems found in the body.

FNC-1 dev (``fnc1/bodies.csv``, ``fnc1/stances.csv``; never used for
fitting) gives ROC AUCs and FNC-1's weighted score with verdicts mapped
supported -> agree, disputed -> disagree, partly supported -> discuss,
no claim -> discuss, unrelated -> unrelated. The overlap baseline has no
verdicts: it calls a pair related when half the headline's content stems
are in the body (a round value, not fitted) and every related pair discuss.

The BBC benchmark corrupts each article's real headline in five ways with a
fixed seed (``corrupt_headline``; its word lists are written for this
benchmark, apart from the checker's lexicons) and reports, per kind, how
often the real headline scores higher than the corruption, and the share of
corruptions (and of real headlines) called ``supported``.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.embed import load_encoder  # noqa: E402
from harness.headline import HeadlineChecker  # noqa: E402
from harness.metrics.evidence import entities, entity_supported, numbers  # noqa: E402
from harness.stance.prepare import share  # noqa: E402
from harness.text import content_stems, split_sentences, stem, tokens  # noqa: E402
from harness.types import Article  # noqa: E402

SEED = 12  # any fixed value: the issue number
KINDS = ("antonym", "number", "foreign_name", "negation", "exaggeration")
FNC_MAP = {"supported": "agree", "disputed": "disagree", "partly supported": "discuss",
           "no claim": "discuss", "unrelated": "unrelated"}


def corpora_dir() -> Path:
    """The corpora folder (env HARNESS_CORPORA, else ../shared/corpora)."""
    root = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("HARNESS_CORPORA", root.parent / "shared" / "corpora"))


def roc_auc_score(labels, scores) -> float:
    """ROC AUC as the Mann-Whitney U statistic, ties counted half (no sklearn needed)."""
    labels = np.asarray(labels, dtype=bool)
    scores = np.asarray(scores, dtype=float)
    pos, neg = np.sort(scores[labels]), np.sort(scores[~labels])
    below = np.searchsorted(neg, pos, side="left")
    ties = np.searchsorted(neg, pos, side="right") - below
    return float((below + 0.5 * ties).sum() / (len(pos) * len(neg)))


def fnc_score(pred, gold) -> float:
    """FNC-1's weighted score as a share of the best possible (0.25 related call, +0.75 stance)."""
    pred, gold = np.asarray(pred, dtype=object), np.asarray(gold, dtype=object)
    gold_rel, pred_rel = gold != "unrelated", pred != "unrelated"
    got = 0.25 * (gold_rel == pred_rel).sum() + 0.75 * (gold_rel & (pred == gold)).sum()
    return float(got / (0.25 * len(gold) + 0.75 * gold_rel.sum()))


def macro_f1(pred, gold) -> float:
    """Mean F1 over the four FNC-1 classes."""
    pred, gold = np.asarray(pred, dtype=object), np.asarray(gold, dtype=object)
    out = []
    for c in ("agree", "disagree", "discuss", "unrelated"):
        tp = np.sum((pred == c) & (gold == c))
        p = tp / max(1, np.sum(pred == c))
        r = tp / max(1, np.sum(gold == c))
        out.append(0.0 if p + r == 0 else 2 * p * r / (p + r))
    return float(np.mean(out))


# ------------------------------------------------------------------ old method
# FNC-1 baseline refuting words, as in the replaced harness/headline.py.
OLD_REFUTING = frozenset(
    stem(w)
    for w in "fake fraud hoax false deny denies denied not despite nope doubt doubts bogus "
    "debunk debunked pranks prank retract retracted untrue rumor rumour satire satirical "
    "misleading no never".split()
)


class OldChecker:
    """The relatedness-based check this issue replaced (same formulas and cut-offs)."""

    def __init__(self):
        """Share the process's MiniLM encoder."""
        self.encoder = load_encoder()

    def check(self, headline: str, article_text: str) -> dict:
        """``headline_support`` and ``verdict`` as the old checker computed them."""
        sents = split_sentences(article_text)
        vecs = self.encoder.encode([headline, *sents])
        cos = vecs[1:] @ vecs[0]
        head_stems = set(content_stems(headline))
        body_tokens = set(tokens(article_text))
        body_stems = {stem(t) for t in body_tokens}
        ents, nums = entities(headline), numbers(headline)
        lexical = [share(head_stems, body_stems)]
        if ents:
            lexical.append(sum(entity_supported(e, body_tokens) for e in ents) / len(ents))
        if nums:
            lexical.append(len(nums & numbers(article_text)) / len(nums))
        semantic = float(np.clip((float(cos.max()) - 0.1) / 0.6, 0.0, 1.0))
        related = 0.3 * float(np.mean(lexical)) + 0.7 * semantic
        cues = {stem(t) for t in tokens(headline)} & OLD_REFUTING
        flagged = [bool(({stem(t) for t in tokens(s)} & OLD_REFUTING) - cues) for s in sents]
        dispute = float(np.mean(flagged))
        support = related * (1.0 - 0.5 * dispute)
        if related < 0.35:
            verdict = "unrelated"
        elif dispute >= 0.5:
            verdict = "disputed"
        else:
            verdict = "supported" if support >= 0.6 else "partly supported"
        return {"headline_support": support, "verdict": verdict, "relatedness": related}


def overlap(headline: str, body: str) -> float:
    """Token-overlap baseline: share of the headline's content stems found in the body."""
    wanted = set(content_stems(headline))
    return len(wanted & set(content_stems(body))) / max(1, len(wanted))


# ------------------------------------------------------------------ FNC-1
def validate_fnc1(folder: Path, new: HeadlineChecker, old: OldChecker, limit: int) -> None:
    csv.field_size_limit(10**8)
    with open(folder / "fnc1" / "bodies.csv", encoding="utf-8") as fh:
        bodies = {r["Body ID"]: r["articleBody"] for r in csv.DictReader(fh)}
    with open(folder / "fnc1" / "stances.csv", encoding="utf-8") as fh:
        stances = list(csv.DictReader(fh))[:limit]
    res: dict[str, dict[str, list]] = {k: {"support": [], "related": [], "verdict": []}
                                       for k in ("new", "old", "overlap")}
    labels = np.array([r["Stance"] for r in stances], dtype=object)
    t0 = time.perf_counter()
    for row in stances:
        out = new.check(row["Headline"], bodies[row["Body ID"]])
        res["new"]["support"].append(out["headline_support"])
        res["new"]["related"].append(out["relatedness"])
        res["new"]["verdict"].append(FNC_MAP[out["verdict"]])
    rate = len(stances) / (time.perf_counter() - t0)
    for row in stances:
        head, body = row["Headline"], bodies[row["Body ID"]]
        out = old.check(head, body)
        res["old"]["support"].append(out["headline_support"])
        res["old"]["related"].append(out["relatedness"])
        res["old"]["verdict"].append(FNC_MAP[out["verdict"]])
        share = overlap(head, body)
        res["overlap"]["support"].append(share)
        res["overlap"]["related"].append(share)
        res["overlap"]["verdict"].append("discuss" if share >= 0.5 else "unrelated")
    rel = labels != "unrelated"
    sel = np.isin(labels, ["agree", "disagree"])
    print(f"\n## FNC-1 dev: {len(labels)} pairs ({int(rel.sum())} related, "
          f"{int((labels == 'agree').sum())} agree, {int((labels == 'disagree').sum())} disagree)")
    print(f"  {'figure':40s}{'new':>9s}{'old':>9s}{'overlap':>9s}")
    rows = [
        ("related vs unrelated AUC (relatedness)",
         lambda r: roc_auc_score(rel, r["related"])),
        ("related vs unrelated AUC (support)",
         lambda r: roc_auc_score(rel, r["support"])),
        ("agree vs disagree AUC (support)",
         lambda r: roc_auc_score(labels[sel] == "agree", np.array(r["support"])[sel])),
        ("FNC-1 score, % of best", lambda r: 100 * fnc_score(r["verdict"], labels)),
        ("FNC-1 macro-F1 (4 classes)", lambda r: macro_f1(r["verdict"], labels)),
    ]
    for name, fn in rows:
        print(f"  {name:40s}" + "".join(f"{fn(res[k]):9.3f}" for k in res))
    print("  (new verdict counts: " + ", ".join(
        f"{v} {res['new']['verdict'].count(v)}" for v in ("agree", "disagree", "discuss",
                                                         "unrelated")) + ")")
    print(f"  new checker throughput: {rate:.1f} pairs/s (torch threads: {_threads()})")


def _threads() -> int:
    import torch

    return torch.get_num_threads()


# ------------------------------------------------------------------ BBC corruptions
# Antonym pairs for the corruption generator (common headline verbs and
# adjectives; either member may be replaced by the other).
ANTONYMS = [
    ("rise", "fall"), ("rises", "falls"), ("rose", "fell"), ("up", "down"),
    ("gains", "losses"), ("gain", "loss"), ("wins", "loses"), ("win", "lose"), ("won", "lost"),
    ("beat", "lose to"), ("beats", "loses to"), ("boost", "blow"), ("boosts", "hits"),
    ("lifts", "imposes"), ("lift", "impose"), ("backs", "rejects"), ("back", "reject"),
    ("approves", "rejects"), ("accepts", "refuses"), ("opens", "closes"), ("open", "close"),
    ("high", "low"), ("higher", "lower"), ("more", "fewer"), ("best", "worst"),
    ("first", "last"), ("new", "old"), ("increase", "cut"), ("increases", "cuts"),
    ("grows", "shrinks"), ("growth", "decline"), ("strong", "weak"), ("success", "failure"),
    ("buys", "sells"), ("buy", "sell"), ("profit", "loss"), ("profits", "losses"),
    ("hire", "fire"), ("joins", "leaves"), ("join", "leave"), ("start", "end"),
    ("top", "bottom"), ("wins", "loses"), ("praise", "criticise"), ("praises", "attacks"),
    ("welcomes", "condemns"), ("support", "oppose"), ("dips", "climbs"), ("defy", "bow to"),
    ("slows", "speeds up"), ("rally", "slump"), ("save", "scrap"), ("cut", "raise"),
    ("cuts", "raises"), ("ban", "allow"), ("escapes", "enters"), ("confirms", "denies"),
    ("agree", "refuse"), ("agrees", "refuses"), ("upbeat", "gloomy"), ("fresh", "stale"),
    ("stays", "goes"), ("returns", "quits"), ("hits", "lifts"), ("record", "weakest"),
]
AUX = ("is", "are", "was", "were", "will", "has", "have", "can", "could", "would", "should",
       "to", "may", "must")
DENIAL_TEMPLATES = ("Reports that {h} are false", "Officials deny that {h}",
                    "{h} claim is a hoax", "No truth in claim that {h}")
STRONGER = {
    "rises": "soars", "rise": "soar", "rose": "soared", "falls": "plunges", "fall": "plunge",
    "fell": "plunged", "dips": "collapses", "hits": "devastates", "cuts": "slashes",
    "grows": "booms", "wins": "sweeps", "boost": "massive boost", "concern": "panic",
    "up": "rocketing", "down": "crashing", "slows": "grinds to a halt", "gains": "surges",
    "warns": "sounds alarm", "criticises": "savages", "doubts": "grave doubts",
    "growth": "explosive growth", "loss": "record loss", "profits": "record profits",
}
EXAGGERATION_TEMPLATES = ("Shock as {h}", "{h} in historic first", "{h} in dramatic crisis")


def _lower_first(h: str) -> str:
    """Lower-case the first word unless it is a name (capitalised later in the headline's body)."""
    first, _, rest = h.partition(" ")
    if first.isupper() or first.lower() == first:
        return h
    return f"{first.lower()} {rest}" if rest else first.lower()


def corrupt_headline(kind: str, head: str, body: str, other_names: list[str],
                     rng: np.random.Generator) -> str | None:
    """One corruption of ``head``; None when the kind does not apply to it."""
    words = head.split()
    low = [re.sub(r"\W", "", w.lower()) for w in words]
    if kind == "antonym":
        spots = [(i, b if a == w else a) for i, w in enumerate(low) for a, b in ANTONYMS
                 if w in (a, b)]
        if not spots:
            return None
        i, repl = spots[int(rng.integers(len(spots)))]
        new = repl.capitalize() if words[i][0].isupper() and i == 0 else repl
        return " ".join(words[:i] + [new] + words[i + 1:])
    if kind == "number":
        spots = [i for i, w in enumerate(words) if re.search(r"\d", w)]
        if not spots:
            return None
        i = spots[int(rng.integers(len(spots)))]
        m = re.search(r"\d+(?:\.\d+)?", words[i])
        value = float(m.group())
        factor = float(rng.choice([0.5, 2.0, 3.0, 10.0]))
        new_val = value * factor
        text = f"{new_val:g}" if "." in m.group() else str(int(round(new_val)) or 2)
        if text == m.group():
            text = str(int(value) + 7)
        return " ".join(words[:i] + [words[i].replace(m.group(), text, 1)] + words[i + 1:])
    if kind == "foreign_name":
        toks_body = set(tokens(body))
        names = [i for i, w in enumerate(words)
                 if (i > 0 or len(words[i]) > 2) and w[:1].isupper()
                 and re.sub(r"\W", "", w.lower()) in toks_body
                 and re.sub(r"\W", "", w) in body]
        cands = [n for n in other_names if not set(tokens(n)) & toks_body]
        if not names or not cands:
            return None
        i = names[int(rng.integers(len(names)))]
        repl = cands[int(rng.integers(len(cands)))]
        suffix = words[i][len(re.sub(r"\W+$", "", words[i])):]
        return " ".join(words[:i] + [repl + suffix] + words[i + 1:])
    if kind == "negation":
        aux = [i for i, w in enumerate(low) if w in AUX and i > 0]
        if aux and rng.random() < 0.5:
            i = aux[0]
            return " ".join(words[: i + 1] + ["not"] + words[i + 1:])
        template = DENIAL_TEMPLATES[int(rng.integers(len(DENIAL_TEMPLATES)))]
        return template.format(h=_lower_first(head)) if template[0] != "{" else \
            template.format(h=head)
    if kind == "exaggeration":
        spots = [i for i, w in enumerate(low) if w in STRONGER]
        if spots and rng.random() < 0.7:
            i = spots[int(rng.integers(len(spots)))]
            return " ".join(words[:i] + [STRONGER[low[i]]] + words[i + 1:])
        template = EXAGGERATION_TEMPLATES[int(rng.integers(len(EXAGGERATION_TEMPLATES)))]
        return template.format(h=_lower_first(head)) if template[0] != "{" else \
            template.format(h=head)
    raise ValueError(kind)


def read_bbc(folder: Path) -> list[Article]:
    """Every BBC dev article: first line the headline, then paragraphs (the first is the lede)."""
    arts = []
    for path in sorted((folder / "bbc").glob("*/*.txt")):
        lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
        paras = [p.strip() for p in "\n".join(lines[1:]).split("\n\n") if p.strip()]
        if paras:
            arts.append(Article(id=f"{path.parent.name}/{path.stem}", headline=lines[0].strip(),
                                lede=paras[0], paragraphs=tuple(paras)))
    return arts


def _article_names(body: str) -> list[str]:
    """Mid-sentence capitalised names of a body (corruption material for other articles)."""
    found = re.findall(r"(?<=[a-z,] )[A-Z][a-z]{3,}(?: [A-Z][a-z]+)?", body)
    return sorted(set(found))


def bbc_cases(arts, rng: np.random.Generator) -> list[tuple[str, str, str, dict[str, str]]]:
    """(id, real headline, body, {kind: corrupted headline}) per article."""
    cases = []
    for k, (aid, head, body) in enumerate(arts):
        other = arts[(k + 1 + int(rng.integers(len(arts) - 1))) % len(arts)]
        names = _article_names(other[2])
        bad = {}
        for kind in KINDS:
            text = corrupt_headline(kind, head, body, names, rng)
            if text and text != head:
                bad[kind] = text
        cases.append((aid, head, body, bad))
    return cases


def validate_bbc(folder: Path, new: HeadlineChecker, old: OldChecker, limit: int) -> None:
    arts = [(a.id, a.headline, a.body) for a in read_bbc(folder) if a.headline][:limit]
    cases = bbc_cases(arts, np.random.default_rng(SEED))
    scorers = {
        "new": lambda h, b: _pick(new.check(h, b)),
        "old": lambda h, b: _pick(old.check(h, b)),
        "overlap": lambda h, b: (overlap(h, b), ""),
    }
    real_sup = {k: [] for k in scorers}
    outrank = {kind: {k: [] for k in scorers} for kind in KINDS}
    bad_sup = {kind: {k: [] for k in scorers} for kind in KINDS}
    n_pairs, t0 = 0, time.perf_counter()
    results = {}
    for aid, head, body, bad in cases:
        results[aid] = {"real": scorers["new"](head, body)}
        results[aid].update({kind: scorers["new"](text, body) for kind, text in bad.items()})
        n_pairs += 1 + len(bad)
    rate = n_pairs / (time.perf_counter() - t0)
    # The same pairs with a checker of its own (own caches) that skips the stance
    # cross-encoder's agreement: what that reading costs, measured side by side.
    plain = HeadlineChecker(agreement_model=None)
    t0 = time.perf_counter()
    for _, head, body, bad in cases:
        for text in (head, *bad.values()):
            plain.check(text, body)
    plain_rate = n_pairs / (time.perf_counter() - t0)
    for aid, head, body, bad in cases:
        for name, fn in scorers.items():
            g, gv = results[aid]["real"] if name == "new" else fn(head, body)
            real_sup[name].append(gv == "supported")
            for kind, text in bad.items():
                b, bv = results[aid][kind] if name == "new" else fn(text, body)
                outrank[kind][name].append(g > b)
                bad_sup[kind][name].append(bv == "supported")
    print(f"\n## BBC corrupted headlines: {len(cases)} articles, seed {SEED}")
    print("  real headline scores higher than the corruption (share of pairs):")
    print(f"  {'kind':16s}{'n':>6s}" + "".join(f"{k:>9s}" for k in scorers))
    for kind in KINDS:
        n = len(outrank[kind]["new"])
        print(f"  {kind:16s}{n:6d}" + "".join(f"{np.mean(outrank[kind][k]):9.3f}"
                                             for k in scorers))
    pooled = {k: [x for kind in KINDS for x in outrank[kind][k]] for k in scorers}
    print(f"  {'all kinds':16s}{len(pooled['new']):6d}"
          + "".join(f"{np.mean(pooled[k]):9.3f}" for k in scorers))
    print("  share called 'supported' (overlap has no verdicts):")
    print(f"  {'kind':16s}{'n':>6s}{'new':>9s}{'old':>9s}")
    for kind in KINDS:
        n = len(bad_sup[kind]["new"])
        print(f"  {kind:16s}{n:6d}{np.mean(bad_sup[kind]['new']):9.3f}"
              f"{np.mean(bad_sup[kind]['old']):9.3f}")
    pooled_sup = {k: [x for kind in KINDS for x in bad_sup[kind][k]] for k in ("new", "old")}
    print(f"  {'all corruptions':16s}{len(pooled_sup['new']):6d}"
          f"{np.mean(pooled_sup['new']):9.3f}{np.mean(pooled_sup['old']):9.3f}")
    print(f"  {'real headlines':16s}{len(real_sup['new']):6d}"
          f"{np.mean(real_sup['new']):9.3f}{np.mean(real_sup['old']):9.3f}")
    print("  (the real BBC headlines are training data of the new check's assertion model, so its "
          "'supported' shares\n  here are in-sample; scripts/train_stance.py prints them out of "
          "fold)")
    print(f"  new checker throughput: {rate:.1f} pairs/s "
          f"({n_pairs} pairs, {len(cases)} bodies, torch threads: {_threads()}); "
          f"without agreement (--no-agreement) {plain_rate:.1f} pairs/s, "
          f"x{plain_rate / rate:.2f}")


def _pick(out: dict) -> tuple:
    """Support and verdict of one check."""
    return out["headline_support"], out["verdict"]


def validate_headline(folder: Path, limit: int, only: str = "fnc1,bbc") -> None:
    """Print the FNC-1 dev and BBC corruption tables for the new and old checks and overlap."""
    new, old = HeadlineChecker(), OldChecker()
    t0 = time.perf_counter()
    if "fnc1" in only:
        validate_fnc1(folder, new, old, limit)
    if "bbc" in only:
        validate_bbc(folder, new, old, limit)
    print(f"\n(headline validation took {time.perf_counter() - t0:.0f} s)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=10**9, help="at most N pairs / articles")
    ap.add_argument("--only", default="fnc1,bbc")
    args = ap.parse_args(argv)
    folder = corpora_dir()
    if not folder.is_dir():
        print(f"corpora folder {folder} not found (set HARNESS_CORPORA)", file=sys.stderr)
        return 2
    validate_headline(folder, args.limit, args.only)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
