"""Fit the one data-derived constant of the faithfulness metric on unlabelled text.

``--calibrate`` prints the baseline token precision (BERTScore's "baseline
rescaling", Zhang et al. 2020): the mean best-window token precision of
sentences aligned to an article they do not come from. It uses FNC-1 article
bodies as plain unlabelled text (no stance labels are read), with a fixed
seed, and the value goes to ``baseline`` in configs/metric/faithfulness.yaml.
It also prints the coverage metric's baseline: the mean token recall of an
article's opening sentence by three sentences of another article (``baseline``
in configs/metric/coverage.yaml).

Usage: python scripts/train_faithfulness.py --calibrate [--pairs 60] [--layer 2]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.embed import TOKEN_LAYER, load_encoder  # noqa: E402
from harness.metrics.evidence import align, token_recall  # noqa: E402
from harness.text import split_sentences  # noqa: E402

SEED = 0


def main(argv: list[str] | None = None) -> int:
    """Print the calibrated baseline."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calibrate", action="store_true", required=True)
    ap.add_argument("--pairs", type=int, default=60, help="random article pairs")
    ap.add_argument("--layer", type=int, default=TOKEN_LAYER)
    args = ap.parse_args(argv)
    root = Path(__file__).resolve().parents[1]
    corpora = Path(os.environ.get("HARNESS_CORPORA", root.parent / "shared" / "corpora"))
    csv.field_size_limit(10**8)
    with open(corpora / "fnc1" / "bodies.csv", encoding="utf-8") as fh:
        bodies = [r["articleBody"] for r in csv.DictReader(fh)]
    rng = np.random.default_rng(SEED)
    enc = load_encoder()
    values: list[float] = []
    recalls: list[float] = []
    for _ in range(args.pairs):
        a, b = rng.choice(len(bodies), 2, replace=False)
        art = split_sentences(bodies[a])[:25]
        summ = split_sentences(bodies[b])[:3]
        if art and summ:
            values += align(summ, art, enc, args.layer).token_precision
            recalls.append(token_recall(art[:1], summ, enc, args.layer))
    print(f"baseline token precision (layer {args.layer}, {len(values)} sentences): "
          f"mean {np.mean(values):.3f}, median {np.median(values):.3f}")
    print(f"baseline token recall (layer {args.layer}, {len(recalls)} openings): "
          f"mean {np.mean(recalls):.3f}, median {np.median(recalls):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
