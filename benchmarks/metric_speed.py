"""Time every default metric on BBC articles x 2 summaries (issue: minutes, not hours).

Usage: python benchmarks/metric_speed.py [--articles 1000] [--metrics rouge coverage ...]
                                        [--load-only]

The 250 dev articles are replicated to reach ``--articles``; the shared
encoder's cache is cleared between replicas so that every replica pays for its
own embeddings (no free cache hits). Summaries: lead-3 and a reworded lead-3
(benchmarks/validate_metrics.reword). Metrics are built once, then scored in
batches of 32 pairs with ``score_batch``, as ``harness score`` does.

Printed side by side: summaries/s on the copied (extractive) and the reworded
(abstractive) summaries, each with the entailment cross-encoder
(:mod:`harness.support`, the default) and without it (``support_model: null``
for faithfulness and coverage), and the seconds the cross-encoder takes to load
in a fresh process, its imports timed apart (``--load-only`` prints only that).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from omegaconf import OmegaConf  # noqa: E402
from validate_metrics import corpora_dir, read_bbc, reword  # noqa: E402

from harness.config import build, default_metrics, group_file  # noqa: E402
from harness.embed import Encoders  # noqa: E402
from harness.scoring import forget  # noqa: E402
from harness.text import split_sentences  # noqa: E402


def time_metrics(names: list[str], pairs: list, n_articles: int, n_unique: int,
                 overrides: dict[str, dict]) -> tuple[float, dict[str, float], int]:
    """Seconds spent per metric scoring ``pairs`` replicated up to ``n_articles``."""
    encoders = Encoders()  # shared by the metrics, as in a run
    metrics = {name: build(OmegaConf.merge(group_file("metric", name), overrides.get(name, {})),
                           "metric", encoders=encoders) for name in names}
    spent = dict.fromkeys(metrics, 0.0)
    done = scored = 0
    while done < n_articles:
        forget(list(metrics.values()), encoders)  # each replica embeds its own sentences
        take = pairs[: min(n_unique, n_articles - done)]
        for start in range(0, len(take), 32):
            batch = take[start : start + 32]
            for name, metric in metrics.items():
                t = time.perf_counter()
                metric.score_batch(batch)
                spent[name] += time.perf_counter() - t
        done += len(take)
        scored += len(take)
    return sum(spent.values()), spent, scored


def load_seconds() -> tuple[float, float, float, float]:
    """Seconds to load the shipped cross-encoder in a fresh process, and its imports' seconds.

    Also the MB of parameters the loaded model owns (the weights its adapter
    changes) beside the MB a full copy of the base would hold: the rest stays
    the shared MiniLM encoder's.

    The imports (torch, transformers with its BERT model code, which transformers
    imports lazily on the first load, and ``harness.support``) are timed apart:
    a run pays them once, for its MiniLM encoder, before any cross-encoder loads.
    """
    code = ("import time\n"
            "t = time.perf_counter()\n"
            "import torch, transformers, safetensors.torch\n"
            "from transformers.models.bert import modeling_bert\n"
            "from harness.support import SupportModel\n"
            "i = time.perf_counter() - t\n"
            "t = time.perf_counter()\n"
            "m = SupportModel(); m.predict([('A dog runs.', 'An animal runs.')])\n"
            "load = time.perf_counter() - t\n"
            "from harness.embed import default_model_dir, load_weights\n"
            "base = load_weights(str(default_model_dir()))[1]\n"
            "ptrs = {p.data_ptr() for p in base.parameters()}\n"
            "sizes = [(p.data_ptr() in ptrs, p.numel() * p.element_size()) "
            "for p in m.model.parameters()]\n"
            "own = sum(b for shared, b in sizes if not shared)\n"
            "print(load, i, own / 2**20, sum(b for _, b in sizes) / 2**20)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[1])
    load, imports, own, full = out.stdout.strip().splitlines()[-1].split()
    return float(load), float(imports), float(own), float(full)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--metrics", nargs="+", default=None,
                    help="configs/metric names (default: those of configs/config.yaml)")
    ap.add_argument("--load-only", action="store_true",
                    help="print only the cross-encoder's load time")
    args = ap.parse_args(argv)
    load, imports, own, full = load_seconds()
    load_line = (f"cross-encoder load (fresh process): {load:.2f} s, after {imports:.2f} s of "
                 "imports (torch, transformers and its BERT code, harness.support); "
                 f"parameters it owns {own:.1f} MB of {full:.1f} MB (x{own / full:.2f}; "
                 "the rest is the shared MiniLM's)")
    if args.load_only:
        print(load_line)
        return 0
    arts = read_bbc(corpora_dir())
    rng = np.random.default_rng(0)
    kinds: dict[str, list] = {"extractive": [], "abstractive": []}
    for art in arts:
        lead = " ".join(split_sentences(art.body)[:3])
        kinds["extractive"].append((lead, art))
        kinds["abstractive"].append((reword(lead, rng), art))
    names = args.metrics or default_metrics()
    # Without the cross-encoder; the parameters then fall back to ones that do not
    # need it (the same features are computed, so the time is what it costs).
    off = {n: {"support_model": None, "params": None} for n in ("coverage", "faithfulness")}
    print(f"torch threads: {torch.get_num_threads()}; metrics: {', '.join(names)}")
    print(load_line)
    print(f"{'summaries':12s}{'cross-encoder':>15s}{'summaries/s':>13s}{'seconds':>9s}  per metric")
    rates = {}
    for kind, pairs in kinds.items():
        for label, overrides in (("on", {}), ("off", off)):
            total, spent, n = time_metrics(names, pairs, args.articles, len(arts), overrides)
            rates[kind, label] = n / total
            per = ", ".join(f"{k} {v:.0f}" for k, v in spent.items())
            print(f"{kind:12s}{label:>15s}{n / total:13.1f}{total:9.0f}  {per}")
    for kind in kinds:
        print(f"{kind}: the cross-encoder costs x{rates[kind, 'off'] / rates[kind, 'on']:.2f} "
              "in time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
