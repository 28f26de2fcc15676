"""Time every default metric on BBC articles x 2 summaries (issue: minutes, not hours).

Usage: python benchmarks/metric_speed.py [--articles 1000] [--metrics rouge coverage ...]

The 250 dev articles are replicated to reach ``--articles``; the shared
encoder's cache is cleared between replicas so that every replica pays for its
own embeddings (no free cache hits). Summaries: lead-3 and a reworded lead-3
(benchmarks/validate_metrics.reword). Metrics are built once, then scored in
batches of 32 pairs with ``score_batch``, as ``harness score`` does.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from validate_metrics import corpora_dir, read_bbc, reword  # noqa: E402

from harness.config import build, default_metrics  # noqa: E402
from harness.embed import Encoders  # noqa: E402
from harness.scoring import forget  # noqa: E402
from harness.text import split_sentences  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--metrics", nargs="+", default=None,
                    help="configs/metric names (default: those of configs/config.yaml)")
    args = ap.parse_args(argv)
    arts = read_bbc(corpora_dir())
    rng = np.random.default_rng(0)
    pairs = []
    for art in arts:
        lead = " ".join(split_sentences(art.body)[:3])
        pairs += [(lead, art), (reword(lead, rng), art)]
    t0 = time.perf_counter()
    encoders = Encoders()  # shared by the metrics, as in a run
    metrics = {name: build(name, "metric", encoders=encoders)
               for name in args.metrics or default_metrics()}
    print(f"torch threads: {torch.get_num_threads()}; metrics built in "
          f"{time.perf_counter() - t0:.1f} s")
    spent = dict.fromkeys(metrics, 0.0)
    done = 0
    while done < args.articles:
        forget(list(metrics.values()), encoders)  # each replica embeds its own sentences
        take = pairs[: 2 * min(len(arts), args.articles - done)]
        for start in range(0, len(take), 32):
            batch = take[start : start + 32]
            for name, metric in metrics.items():
                t = time.perf_counter()
                metric.score_batch(batch)
                spent[name] += time.perf_counter() - t
        done += len(take) // 2
    total = sum(spent.values())
    print(f"{done} articles x 2 summaries, {len(metrics)} metrics: {total:.0f} s "
          f"({total / 60:.1f} min, {2 * done / total:.1f} summaries/s)")
    for name, s in spent.items():
        print(f"  {name:14s} {s:8.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
