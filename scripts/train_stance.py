"""Fit the headline check's stance model on FNC-1 train and write harness/params/stance.npz.

Data: ``fnc1/train_bodies.csv`` and ``fnc1/train_stances.csv`` (FNC-1's
training set, 49,972 headline/body pairs) under the corpora folder
(``../shared/corpora``, env ``HARNESS_CORPORA``). Nothing else is read for
fitting; with ``--dev`` the FNC-1 dev split (``bodies.csv``, ``stances.csv``)
is scored afterwards for information only.

Procedure (deterministic: fixed seeds, CPU, ``torch.use_deterministic_algorithms``):

1. The common lower-case words of the train bodies (``harness.stance.common_words``,
   for the name rule), MiniLM vectors of every body sentence and headline (cached under
   ``--cache`` so that reruns skip the encoder), then ``harness.stance.features``
   for every pair.
2. Five-fold cross-validation grouped by claim (``claim_groups``: a body's
   pairs, and all bodies about the same claim, stay in one fold) of an
   ensemble of five one-hidden-layer MLPs, for each hidden size in
   ``--hidden``; the one with the lowest out-of-fold log loss is kept.
3. The verdict thresholds ``related`` and ``disagree`` of
   ``harness.stance.decide`` are chosen on the out-of-fold probabilities to
   maximise FNC-1's weighted score, with verdicts mapped as in
   benchmarks/validate_headline.py; ``agree`` is the fixed
   ``harness.stance.AGREE_THRESHOLD`` (see its comment).
4. The model is refitted on all of train and saved with its thresholds.

Usage: python scripts/train_stance.py [--cache DIR] [--hidden 16,32] [--dev]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.stance import (  # noqa: E402
    AGREE_THRESHOLD,
    IDF_BODY,
    LABELS,
    PARAMS,
    Resources,
    Text,
    common_words,
    ensemble_proba,
    features,
    idf_table,
    prepare_body,
    prepare_headline,
    prototype_groups,
    subset,
    window,
)

SEED = 0
FOLDS = 5
MEMBERS = 5  # ensemble members (seeds 0-4): averaging steadies the agree/disagree ranking
EPOCHS = 30
BATCH = 256
LR = 1e-3
WEIGHT_DECAY = 1e-4
VERDICT_TO_FNC = {"supported": "agree", "disputed": "disagree", "partly supported": "discuss",
                  "no claim": "discuss", "unrelated": "unrelated"}


def corpora_dir() -> Path:
    """The corpora folder (env HARNESS_CORPORA, else ../shared/corpora)."""
    root = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("HARNESS_CORPORA", root.parent / "shared" / "corpora"))


def read_fnc(folder: Path, bodies_csv: str, stances_csv: str) -> tuple[dict, list]:
    """Bodies by id and the (headline, body id, stance) rows of one FNC-1 split."""
    csv.field_size_limit(10**8)
    with open(folder / "fnc1" / bodies_csv, encoding="utf-8") as fh:
        bodies = {r["Body ID"]: r["articleBody"] for r in csv.DictReader(fh)}
    with open(folder / "fnc1" / stances_csv, encoding="utf-8") as fh:
        rows = [(r["Headline"], r["Body ID"], r["Stance"]) for r in csv.DictReader(fh)]
    return bodies, rows


def pair_features(bodies: dict, rows: list, cache: Path | None, name: str, res: Resources):
    """Feature matrix, labels, body ids and per-pair (lexical share, findings) of a split."""
    from harness.embed import load_encoder

    heads = {h: prepare_headline(h) for h in sorted({r[0] for r in rows})}
    bods: dict[str, Text] = {}
    for bid in sorted({r[1] for r in rows}):
        try:
            bods[bid] = prepare_body(bodies[bid])
        except ValueError:
            continue
    texts = sorted({s for t in [*heads.values(), *bods.values()] for s in t.sents})
    path = cache / f"emb_{name}.npz" if cache else None
    vec_of: dict[str, np.ndarray] = {}
    if path and path.is_file():
        with np.load(path, allow_pickle=True) as z:
            vec_of = dict(zip(z["texts"].tolist(), z["vecs"], strict=True))
    missing = [t for t in texts if t not in vec_of]
    if missing:
        t0 = time.perf_counter()
        vecs = load_encoder().encode(missing)
        print(f"  encoded {len(missing)} texts in {time.perf_counter() - t0:.0f} s", flush=True)
        vec_of.update(zip(missing, vecs, strict=True))
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            keys = sorted(vec_of)
            np.savez(path, texts=np.array(keys, dtype=object),
                     vecs=np.stack([vec_of[k] for k in keys]))
    for t in [*heads.values(), *bods.values()]:
        t.vecs = np.stack([vec_of[s] for s in t.sents])
    xs, ys, groups, extra = [], [], [], []
    for head_txt, bid, stance in rows:
        if bid not in bods:
            continue
        head = heads[head_txt]
        body = subset(bods[bid], window(head, bods[bid]))
        x, _, findings = features(head, body, res)
        xs.append(x)
        ys.append(LABELS.index(stance))
        groups.append(bid)
        extra.append((float(x[IDF_BODY]), findings))
    return np.stack(xs), np.array(ys), np.array(groups), extra


def fit(x: np.ndarray, y: np.ndarray, hidden: int) -> dict[str, np.ndarray]:
    """Train ``MEMBERS`` MLPs (seeds 0..MEMBERS-1) on standardised ``x``; stacked parameters."""
    mean, std = x.mean(0), x.std(0) + 1e-6
    members = [fit_member((x - mean) / std, y, hidden, seed) for seed in range(MEMBERS)]
    out = {k: np.stack([m[k] for m in members]) for k in ("w1", "b1", "w2", "b2")}
    return {"mean": mean.astype(np.float32), "std": std.astype(np.float32), **out}


def fit_member(z: np.ndarray, y: np.ndarray, hidden: int, seed: int) -> dict[str, np.ndarray]:
    """One MLP (ReLU hidden layer, softmax output) fitted by Adam on cross-entropy."""
    import torch

    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    xt = torch.tensor(z, dtype=torch.float32)
    yt = torch.tensor(y)
    net = torch.nn.Sequential(torch.nn.Linear(z.shape[1], hidden), torch.nn.ReLU(),
                              torch.nn.Linear(hidden, len(LABELS)))
    opt = torch.optim.Adam(net.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(EPOCHS):
        perm = torch.randperm(len(yt), generator=gen)
        for i in range(0, len(perm), BATCH):
            idx = perm[i: i + BATCH]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(xt[idx]), yt[idx]).backward()
            opt.step()
    return {"w1": net[0].weight.detach().numpy().T.astype(np.float32),
            "b1": net[0].bias.detach().numpy().astype(np.float32),
            "w2": net[2].weight.detach().numpy().T.astype(np.float32),
            "b2": net[2].bias.detach().numpy().astype(np.float32)}


def claim_groups(rows: list, body_ids: np.ndarray) -> np.ndarray:
    """Claim id per pair: connected components of headlines and bodies joined by related pairs.

    FNC-1 writes many headlines and bodies about each claim; folds grouped by
    body alone still share claims, so out-of-fold figures come out optimistic
    (the headline's claim was seen in training). Grouping by these components
    keeps every body of a claim, and so each of its related pairs, in one fold.
    """
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for head, bid, stance in rows:
        if stance != "unrelated":
            parent[find("h:" + head)] = find("b:" + bid)
    return np.array([find("b:" + b) for b in body_ids])


def fold_of(groups: np.ndarray) -> np.ndarray:
    """Fold index per pair: bodies shuffled with the seed, dealt round-robin."""
    uniq = np.array(sorted(set(groups.tolist())))
    perm = np.random.default_rng(SEED).permutation(len(uniq))
    fold = {g: i % FOLDS for i, g in enumerate(uniq[perm])}
    return np.array([fold[g] for g in groups])


def flags(extra: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pair: clickbait, a disputing finding, any finding."""
    return (np.array([any(f.kind == "clickbait" for f in fs) for _, fs in extra]),
            np.array([any(f.disputes for f in fs) for _, fs in extra]),
            np.array([bool(fs) for _, fs in extra]))


def verdicts(pr: np.ndarray, fl: tuple, t: dict[str, float]) -> np.ndarray:
    """Vectorised ``harness.stance.decide`` verdicts mapped to FNC-1 labels."""
    rel = np.maximum(1 - pr[:, 0], 1e-9)
    click, disp, anyf = fl
    agree, dis = pr[:, 1] / rel, pr[:, 2] / rel
    out = np.where((agree >= t["agree"]) & ~anyf, "agree", "discuss").astype(object)
    out[disp | (dis >= t["disagree"])] = "disagree"
    out[click] = "discuss"
    out[rel < t["related"]] = "unrelated"
    return out


def fnc_score(pred: np.ndarray, gold: np.ndarray) -> float:
    """FNC-1 weighted score as a share of the best possible."""
    gold_rel, pred_rel = gold != "unrelated", pred != "unrelated"
    got = 0.25 * (gold_rel == pred_rel).sum() + 0.75 * (gold_rel & (pred == gold)).sum()
    return float(got / (0.25 * len(gold) + 0.75 * gold_rel.sum()))


def choose_thresholds(pr: np.ndarray, extra: list, gold: np.ndarray,
                      agree: tuple[float, ...] = (AGREE_THRESHOLD,)) -> tuple[dict, float]:
    """Grid search of ``related``, ``disagree`` (and ``agree`` over ``agree``) for FNC-1 score."""
    fl = flags(extra)
    best: tuple[float, dict] = (-1.0, {})
    grid = np.round(np.arange(0.05, 1.0, 0.05), 2)
    for tr, td, ta in itertools.product(grid, grid, agree):
        t = {"related": float(tr), "agree": float(ta), "disagree": float(td)}
        s = fnc_score(verdicts(pr, fl, t), gold)
        if s > best[0]:
            best = (s, t)
    return best[1], best[0]


def auc(labels, scores) -> float:
    """ROC AUC (Mann-Whitney U, ties half)."""
    labels = np.asarray(labels, bool)
    scores = np.asarray(scores, float)
    pos, neg = scores[labels], scores[~labels]
    gt = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(gt / (len(pos) * len(neg)))


def report(name: str, pr: np.ndarray, y: np.ndarray, extra: list, t: dict) -> None:
    """Print related / agree-vs-disagree AUCs and the FNC-1 score."""
    gold = np.array([LABELS[i] for i in y], dtype=object)
    sel = np.isin(y, [1, 2])
    stance = pr[:, 1] / np.maximum(pr[:, 1] + pr[:, 2], 1e-9)
    print(f"  {name}: related AUC {auc(y != 0, 1 - pr[:, 0]):.4f}, "
          f"agree-vs-disagree AUC {auc(y[sel] == 1, stance[sel]):.4f}, "
          f"FNC score {100 * fnc_score(verdicts(pr, flags(extra), t), gold):.2f} %", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Fit, choose and save the stance model."""
    import torch

    from harness.embed import load_encoder

    torch.set_num_threads(1)  # share the CPU; the fit is small
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, help="folder for cached MiniLM vectors")
    ap.add_argument("--hidden", default="16,32", help="hidden sizes to compare by CV")
    ap.add_argument("--out", type=Path, default=PARAMS)
    ap.add_argument("--dev", action="store_true", help="also score the FNC-1 dev split")
    args = ap.parse_args(argv)
    folder = corpora_dir()
    t0 = time.perf_counter()
    bodies, rows = read_fnc(folder, "train_bodies.csv", "train_stances.csv")
    print(f"FNC-1 train: {len(rows)} pairs, {len(bodies)} bodies", flush=True)
    res = Resources(common=common_words(list(bodies.values())),
                    proto=load_encoder().encode(prototype_groups()),
                    idf=idf_table(list(bodies.values())))
    x, y, groups, extra = pair_features(bodies, rows, args.cache, "train", res)
    print(f"  features {x.shape} in {time.perf_counter() - t0:.0f} s", flush=True)
    gold = np.array([LABELS[i] for i in y], dtype=object)
    folds = fold_of(claim_groups(rows, groups))
    best = None
    for hidden in [int(h) for h in args.hidden.split(",")]:
        oof = np.zeros((len(y), len(LABELS)))
        for k in range(FOLDS):
            p = fit(x[folds != k], y[folds != k], hidden)
            oof[folds == k] = ensemble_proba(p, x[folds == k])
        loss = float(-np.mean(np.log(oof[np.arange(len(y)), y] + 1e-12)))
        print(f"  hidden {hidden}: out-of-fold log loss {loss:.4f}", flush=True)
        if best is None or loss < best[0]:
            best = (loss, hidden, oof)
    _, hidden, oof = best
    thresholds, score = choose_thresholds(oof, extra, gold)
    print(f"  chosen: hidden {hidden}, thresholds {thresholds} "
          f"(out-of-fold FNC score {100 * score:.2f} %)")
    report("train CV (out of fold)", oof, y, extra, thresholds)
    agree_grid = tuple(float(a) for a in np.round(np.arange(0.1, 1.0, 0.1), 2))
    ref, ref_score = choose_thresholds(oof, extra, gold, agree_grid)
    print(f"  for reference, agree chosen for FNC-1 score too: {ref} "
          f"(out-of-fold FNC score {100 * ref_score:.2f} %; not shipped)")
    params = fit(x, y, hidden)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **params,
                        **{f"t_{k}": np.float32(v) for k, v in thresholds.items()},
                        hidden=np.int32(hidden), common_words=np.array(sorted(res.common)),
                        proto=res.proto, idf_stems=np.array(list(res.idf)),
                        idf_values=np.array(list(res.idf.values()), dtype=np.float32))
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} kB)")
    if args.dev:
        dbodies, drows = read_fnc(folder, "bodies.csv", "stances.csv")
        dx, dy, _, dextra = pair_features(dbodies, drows, args.cache, "dev", res)
        report("FNC-1 dev (validation only)", ensemble_proba(params, dx), dy, dextra, thresholds)
    print(f"(took {time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
