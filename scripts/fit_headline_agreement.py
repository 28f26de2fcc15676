"""Choose how much the stance cross-encoder's ``agreement`` weighs in ``headline_support``.

``headline_support`` = the stance model's score x ``agreement`` ** ``exponent``
(``harness.headline.with_agreement``), where ``agreement`` is the stance
cross-encoder's P(entailed) / (P(entailed) + P(contradicted)) for the headline
against its two best evidence sentences (``harness/params/stance_support.safetensors``,
``scripts/train_support.py --task stance``). This script picks ``exponent``
and writes ``harness/params/headline_agreement.json``.

It is chosen on pairs the stance cross-encoder never trained on, from two
domains:

- FNC-1 train pairs on the bodies ``scripts/train_support.py`` keeps out of
  training (one body in twenty, by hash): news headlines against news bodies;
- Perspectrum's dev claims (Chen et al. 2019; a clone of
  github.com/CogComp/perspectrum, ``--perspectrum``): debate claims against
  perspectives that support or undermine them, one pair per perspective.

Objective: the mean of the two agree-vs-disagree ROC AUCs of ``headline_support``
(FNC-1 agree vs disagree; Perspectrum support vs undermine), among the
exponents that keep the share of BBC dev headlines scoring above their seeded
corruption within 0.01 of the exponent 0 (``benchmarks/validate_headline.py``'s
cases). Out-of-fold figures come from five folds by body / claim / article.
Then, never used to choose: Perspectrum's test claims and FNC-1 dev.

Usage: python scripts/fit_headline_agreement.py --perspectrum DIR [--cache DIR] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.validate_headline import (  # noqa: E402
    bbc_cases,
    corpora_dir,
    read_bbc,
    roc_auc_score,
)
from harness.headline import (  # noqa: E402
    AGREEMENT_PARAMS,
    HeadlineChecker,
    with_agreement,
)
from scripts import fit_headline  # noqa: E402
from scripts.fit_headline import fold, read_csv  # noqa: E402
from scripts.train_support import held_out, read_perspectrum  # noqa: E402

SEED = 12  # the corruption seed of benchmarks/validate_headline.py
GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)
BBC_SLACK = 0.01


def perspectrum(folder: Path, part: str) -> list[tuple[str, str, bool, str]]:
    """(claim, perspective, supports, claim id) of one split, the first wording of each."""
    return [(c, p, stance == "SUPPORT", g)
            for c, p, stance, g, _ in read_perspectrum(folder, (part,))]


def raw(checker: HeadlineChecker, headline: str, body_text: str) -> tuple[float, float | None]:
    """The stance model's ``headline_support`` and the cross-encoder's ``agreement``.

    The checker's weight of the agreement is 0, so its score is the stance model's alone.
    """
    out = checker.check(headline, body_text)
    return out["headline_support"], out["agreement"]


def collect(checker, pairs, cache: Path | None, name: str) -> list[tuple]:
    """``raw`` of every (headline, body) pair, cached by the pairs' and the model's hash."""
    return fit_headline.collect(checker, pairs, cache, name, read=raw,
                                salt=str(checker.agreement.identity()))


def scores(rows: list[tuple], exponent: float) -> np.ndarray:
    """``headline_support`` of each row with this exponent."""
    return np.array([with_agreement(s, a, exponent) for s, a in rows])


def auc(rows: list[tuple], positive: np.ndarray, exponent: float) -> float:
    """Agree-vs-disagree ROC AUC of ``headline_support``."""
    return roc_auc_score(positive, scores(rows, exponent))


def bbc_share(real: list[tuple], bad: list[tuple], owner: np.ndarray, exponent: float) -> float:
    """Share of (real, corruption) pairs where the real headline scores higher."""
    r, b = scores(real, exponent), scores(bad, exponent)
    return float(np.mean(r[owner] > b))


def choose(sets: list[tuple[list, np.ndarray]], real, bad, owner) -> float:
    """The exponent with the best mean AUC over ``sets`` that keeps the BBC share."""
    floor = bbc_share(real, bad, owner, 0.0) - BBC_SLACK
    best, best_key = 0.0, None
    for e in GRID:
        if e and bbc_share(real, bad, owner, e) < floor:
            continue
        key = round(float(np.mean([auc(rows, pos, e) for rows, pos in sets])), 4)
        if best_key is None or key > best_key:  # ties keep the smaller exponent
            best, best_key = e, key
    return best


def main(argv: list[str] | None = None) -> int:
    """Collect the readings, choose the exponent out of fold, print figures, write the file."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--perspectrum", type=Path, default=os.environ.get("HARNESS_PERSPECTRUM"),
                    help="a clone of github.com/CogComp/perspectrum (env HARNESS_PERSPECTRUM)")
    ap.add_argument("--cache", type=Path, default=Path(".cache") / "fit_headline_agreement")
    ap.add_argument("--out", type=Path, default=AGREEMENT_PARAMS)
    args = ap.parse_args(argv)
    if args.perspectrum is None:
        ap.error("--perspectrum DIR is needed (a clone of github.com/CogComp/perspectrum)")
    corpora = corpora_dir()
    checker = _checker_without_params()

    bodies = {r["Body ID"]: r["articleBody"]
              for r in read_csv(corpora / "fnc1" / "train_bodies.csv")}
    fnc = [r for r in read_csv(corpora / "fnc1" / "train_stances.csv")
           if r["Stance"] in ("agree", "disagree") and held_out("fnc1-body-" + r["Body ID"])]
    fnc_rows = collect(checker, [(r["Headline"], bodies[r["Body ID"]]) for r in fnc],
                       args.cache, "fnc1-train-heldout")
    fnc_pos = np.array([r["Stance"] == "agree" for r in fnc])
    fnc_groups = np.array([fold(r["Body ID"]) for r in fnc])
    dev = perspectrum(args.perspectrum, "dev")
    dev_rows = collect(checker, [(c, p) for c, p, _, _ in dev], args.cache, "perspectrum-dev")
    dev_pos = np.array([s for _, _, s, _ in dev])
    dev_groups = np.array([fold(g) for _, _, _, g in dev])
    arts = [(a.id, a.headline, a.body) for a in read_bbc(corpora) if a.headline]
    cases = bbc_cases(arts, np.random.default_rng(SEED))
    real = collect(checker, [(h, b) for _, h, b, _ in cases], args.cache, "bbc-real")
    bad = collect(checker, [(t, b) for _, _, b, v in cases for t in v.values()], args.cache,
                  "bbc-corrupt")
    owner = np.array([i for i, (_, _, _, v) in enumerate(cases) for _ in v])
    bbc_groups = np.array([fold(aid) for aid, _, _, _ in cases])
    print(f"selection data: {len(fnc)} FNC-1 train agree/disagree pairs on "
          f"{len({r['Body ID'] for r in fnc})} bodies the cross-encoders never saw; "
          f"{len(dev)} Perspectrum dev pairs ({len({g for *_, g in dev})} claims); "
          f"{len(real)} BBC headlines, {len(bad)} corruptions")

    def subset(rows, pos, groups, k):
        idx = np.flatnonzero(groups != k)
        return [rows[i] for i in idx], pos[idx]

    fnc_oof = np.zeros(len(fnc_rows))
    dev_oof = np.zeros(len(dev_rows))
    for k in range(5):
        train = [subset(fnc_rows, fnc_pos, fnc_groups, k),
                 subset(dev_rows, dev_pos, dev_groups, k)]
        keep_real = np.flatnonzero(bbc_groups != k)
        remap = {int(i): j for j, i in enumerate(keep_real)}
        bad_idx = [j for j, o in enumerate(owner) if bbc_groups[o] != k]
        e = choose(train, [real[i] for i in keep_real], [bad[j] for j in bad_idx],
                   np.array([remap[int(owner[j])] for j in bad_idx]))
        for oof, rows, groups in ((fnc_oof, fnc_rows, fnc_groups), (dev_oof, dev_rows,
                                                                      dev_groups)):
            idx = np.flatnonzero(groups == k)
            oof[idx] = scores([rows[i] for i in idx], e)
        print(f"  fold {k}: exponent {e}")
    print("out of fold (5 folds by body / claim), agree vs disagree ROC AUC of headline_support:")
    print(f"  FNC-1 train held-out bodies: {roc_auc_score(fnc_pos, fnc_oof):.3f} "
          f"(stance model alone {auc(fnc_rows, fnc_pos, 0.0):.3f})")
    print(f"  Perspectrum dev: {roc_auc_score(dev_pos, dev_oof):.3f} "
          f"(stance model alone {auc(dev_rows, dev_pos, 0.0):.3f})")
    exponent = choose([(fnc_rows, fnc_pos), (dev_rows, dev_pos)], real, bad, owner)
    print("each exponent on all selection data (FNC-1 held-out AUC, Perspectrum dev AUC, "
          "BBC real above corruption):")
    for e in GRID:
        print(f"  {e:4.2f}  {auc(fnc_rows, fnc_pos, e):.3f}  {auc(dev_rows, dev_pos, e):.3f}  "
              f"{bbc_share(real, bad, owner, e):.3f}")
    print(f"chosen on all selection data: exponent {exponent}")

    test = perspectrum(args.perspectrum, "test")
    test_rows = collect(checker, [(c, p) for c, p, _, _ in test], args.cache,
                        "perspectrum-test")
    test_pos = np.array([s for _, _, s, _ in test])
    dev_b = {r["Body ID"]: r["articleBody"] for r in read_csv(corpora / "fnc1" / "bodies.csv")}
    fdev = [r for r in read_csv(corpora / "fnc1" / "stances.csv")
            if r["Stance"] in ("agree", "disagree")]
    fdev_rows = collect(checker, [(r["Headline"], dev_b[r["Body ID"]]) for r in fdev],
                        args.cache, "fnc1-dev-agree-disagree")
    fdev_pos = np.array([r["Stance"] == "agree" for r in fdev])
    print("held out, never used to choose (stance model alone -> with agreement):")
    print(f"  Perspectrum test ({len(test)} pairs, {len({g for *_, g in test})} claims): "
          f"{auc(test_rows, test_pos, 0.0):.3f} -> {auc(test_rows, test_pos, exponent):.3f}")
    print(f"  FNC-1 dev agree vs disagree ({len(fdev)} pairs): "
          f"{auc(fdev_rows, fdev_pos, 0.0):.3f} -> {auc(fdev_rows, fdev_pos, exponent):.3f}")
    args.out.write_text(json.dumps({
        "exponent": exponent,
        "chosen_on": "FNC-1 train agree/disagree pairs on the bodies the cross-encoders never "
                     "saw, Perspectrum dev claims, BBC dev headlines and corruptions",
        "refit": "python scripts/fit_headline_agreement.py --perspectrum DIR"},
        indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


def _checker_without_params() -> HeadlineChecker:
    """A checker with the stance cross-encoder, its weight 0 (no weight file needed)."""
    checker = HeadlineChecker(agreement_model=None)
    from harness.support import STANCE_PARAMS, SupportModel

    checker.agreement = SupportModel(STANCE_PARAMS, threads=None)
    checker.agreement_exponent = 0.0
    return checker


if __name__ == "__main__":
    raise SystemExit(main())
