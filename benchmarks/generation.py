"""Generation benchmark of the default abstractive model (configs/model/smollm2.yaml).

Prints, on the same articles (the seed article(s) in data/seed/ plus BBC articles
from ../shared/corpora/bbc when present): the cold load time (GGUF conversion
into an empty cache), the cached load time, generated tokens/s one article at a
time and batched, whether both give the same summaries, and the distribution
of summary lengths.

    .venv/bin/python benchmarks/generation.py [--bbc-per-topic 3] [--batch-size 8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
from omegaconf import OmegaConf

from harness.clean import clean_doc
from harness.load import DirSource
from harness.models.hf import CausalChatSummarizer
from harness.types import Article, RawDoc

ROOT = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("HARNESS_CORPORA", ROOT.parent / "shared" / "corpora"))


def load_articles(bbc_per_topic: int) -> list[Article]:
    """Load the cleaned seed articles, then the first ``bbc_per_topic`` BBC ones per topic."""
    docs = [d for d in DirSource(str(ROOT / "data" / "seed")) if isinstance(d, RawDoc)]
    bbc = CORPORA / "bbc"
    if bbc.is_dir() and bbc_per_topic > 0:
        for topic in sorted(p for p in bbc.iterdir() if p.is_dir()):
            found = [d for d in DirSource(str(topic)) if isinstance(d, RawDoc)]
            docs.extend(RawDoc(f"bbc/{topic.name}/{d.id}", d.source, text=d.text)
                        for d in found[:bbc_per_topic])
    return [clean_doc(d) for d in docs]


def model_settings(args: argparse.Namespace) -> dict[str, Any]:
    """Read the smollm2 config's settings, with the command line's overrides."""
    config = OmegaConf.to_container(OmegaConf.load(ROOT / "configs" / "model" / "smollm2.yaml"))
    assert isinstance(config, dict)
    config.pop("_target_")
    overrides = {"max_new_tokens": args.max_new_tokens, "dtype": args.dtype}
    config.update({k: v for k, v in overrides.items() if v is not None})
    return config


def timed_load(settings: dict[str, Any], cache_dir: Path) -> tuple[CausalChatSummarizer, float]:
    """Build a summarizer and load its weights; return it and the seconds loading took."""
    model = CausalChatSummarizer(**settings, cache_dir=str(cache_dir))
    start = time.perf_counter()
    model.load()
    return model, time.perf_counter() - start


def timed_summaries(
    model: CausalChatSummarizer, articles: list[Article], batch_size: int
) -> tuple[list[str], list[int], float]:
    """Summaries, generated tokens per article and seconds, at ``batch_size``."""
    model.batch_size = batch_size
    start = time.perf_counter()
    generations = model.summarize(articles)
    seconds = time.perf_counter() - start
    return [g.text for g in generations], [g.tokens for g in generations], seconds


def distribution(values: list[int]) -> str:
    """Min / quartiles / max / mean of ``values``."""
    q1, median, q3 = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
    return (f"min {min(values)}  q1 {q1:.0f}  median {median:.0f}  q3 {q3:.0f}  "
            f"max {max(values)}  mean {statistics.mean(values):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbc-per-topic", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, help="default: the config's")
    parser.add_argument("--dtype", help="default: the config's (auto)")
    parser.add_argument("--threads", type=int, help="torch threads; default: torch's")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    articles = load_articles(args.bbc_per_topic)
    settings = model_settings(args)
    print(f"articles: {len(articles)} ({sum(a.id.startswith('bbc/') for a in articles)} BBC); "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{os.cpu_count()} CPUs, max_new_tokens {settings['max_new_tokens']}, "
          f"generation {settings['generation']}")

    with tempfile.TemporaryDirectory(prefix="harness-bench-") as empty_cache:
        _, cold = timed_load(settings, Path(empty_cache))
        model, warm = timed_load(settings, Path(empty_cache))
    print(f"load: cold (GGUF conversion) {cold:.1f} s, cached {warm:.1f} s; "
          f"device {model.device}, dtype {model.dtype}")
    input_tokens = [model.count(model.load()[1], t) for t in model.inputs(articles)]
    print(f"input tokens per article: {distribution(input_tokens)}")

    runs = {}
    for label, size in (("one at a time", 1), (f"batch {args.batch_size}", args.batch_size)):
        summaries, tokens, seconds = timed_summaries(model, articles, size)
        runs[label] = summaries
        print(f"{label:>14}: {sum(tokens)} tokens in {seconds:.1f} s = "
              f"{sum(tokens) / seconds:.1f} generated tokens/s")
    one, batched = runs.values()
    same = sum(a == b for a, b in zip(one, batched, strict=True))
    print(f"batched summaries identical to one-at-a-time: {same}/{len(articles)}")
    print(f"summary tokens: {distribution(tokens)}; "
          f"{sum(t >= settings['max_new_tokens'] for t in tokens)} hit max_new_tokens")
    print(f"summary words:  {distribution([len(s.split()) for s in batched])}")
    print(f"example ({articles[0].id}): {batched[0]}")


if __name__ == "__main__":
    main()
