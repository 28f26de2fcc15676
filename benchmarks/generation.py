"""Generation benchmark of SmolLM2 through every backend, on the same articles.

Prints, on the same articles (the seed article(s) in data/seed/ plus BBC articles
from ../shared/corpora/bbc when present), prompt and settings (those of
configs/model/smollm2.yaml, smollm2_llamacpp.yaml and smollm2_server.yaml):

- transformers (the GGUF converted to float32): the cold load time (conversion
  into an empty cache), the cached load time, one article at a time and batched;
- llama.cpp in process (the GGUF read natively);
- the OpenAI-compatible backend against llama.cpp's own server
  (``python -m llama_cpp.server``, started here on 127.0.0.1) at concurrency 1
  and 4;

then a table of generated tokens/s and seconds per summary side by side, how
many summaries equal the transformers one-at-a-time ones, and the distribution
of summary lengths. Tokens are each backend's own count of generated tokens
(the server's ``usage.completion_tokens``).

    .venv/bin/python benchmarks/generation.py [--bbc-per-topic 3] [--batch-size 8]
        [--backends transformers,llamacpp,server]
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
from harness.models.llamacpp import LlamaCppSummarizer, gguf_path
from harness.models.llamacpp_server import LocalServer
from harness.models.openai_compat import OpenAISummarizer
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


def config(name: str) -> dict[str, Any]:
    """The settings of ``configs/model/<name>.yaml``, without ``_target_``."""
    settings = OmegaConf.to_container(OmegaConf.load(ROOT / "configs" / "model" / f"{name}.yaml"))
    assert isinstance(settings, dict)
    settings.pop("_target_")
    return settings


def model_settings(args: argparse.Namespace) -> dict[str, Any]:
    """Read the smollm2 config's settings, with the command line's overrides."""
    settings = config("smollm2")
    overrides = {"max_new_tokens": args.max_new_tokens, "dtype": args.dtype}
    settings.update({k: v for k, v in overrides.items() if v is not None})
    return settings


def same_settings(hf: dict[str, Any], other: dict[str, Any], keys: dict[str, str]) -> None:
    """Check that another backend's config asks for what the transformers one does."""
    for theirs, ours in keys.items():
        mine = hf["generation"]["stop_strings"] if ours == "stop_strings" else hf[ours]
        if other[theirs] != mine:
            raise SystemExit(f"config differs from smollm2.yaml: {theirs}={other[theirs]!r} "
                             f"vs {ours}={mine!r}")


def timed_load(settings: dict[str, Any], cache_dir: Path) -> tuple[CausalChatSummarizer, float]:
    """Build a summarizer and load its weights; return it and the seconds loading took."""
    model = CausalChatSummarizer(**settings, cache_dir=str(cache_dir))
    start = time.perf_counter()
    model.load()
    return model, time.perf_counter() - start


def timed_summaries(model: Any, articles: list[Article]) -> tuple[list[str], list[int], float]:
    """Summaries, generated tokens per article and wall-clock seconds (the model is loaded)."""
    start = time.perf_counter()
    generations = model.summarize(articles)
    seconds = time.perf_counter() - start
    return [g.text for g in generations], [g.tokens for g in generations], seconds


def run_transformers(args: argparse.Namespace, articles: list[Article],
                     settings: dict[str, Any], runs: dict[str, tuple]) -> None:
    """Cold and cached load, then one at a time and batched."""
    with tempfile.TemporaryDirectory(prefix="harness-bench-") as empty_cache:
        _, cold = timed_load(settings, Path(empty_cache))
        model, warm = timed_load(settings, Path(empty_cache))
    print(f"transformers load: cold (GGUF conversion) {cold:.1f} s, cached {warm:.1f} s; "
          f"device {model.device}, dtype {model.dtype}, {torch.get_num_threads()} threads")
    input_tokens = [model.count(model.load()[1], t) for t, _ in model.inputs(articles)]
    print(f"input tokens per article: {distribution(input_tokens)}")
    for label, size in (("transformers one at a time", 1),
                        (f"transformers batch {args.batch_size}", args.batch_size)):
        model.batch_size = size
        runs[label] = report(label, *timed_summaries(model, articles))


def run_llamacpp(articles: list[Article], settings: dict[str, Any],
                 runs: dict[str, tuple], threads: int | None) -> None:
    """llama.cpp in process, one article at a time."""
    llama_settings = config("smollm2_llamacpp")
    same_settings(settings, llama_settings, {
        "prompt": "prompt", "system_prompt": "system_prompt", "max_new_tokens": "max_new_tokens",
        "max_input_tokens": "max_input_tokens", "stop_strings": "stop_strings"})
    if threads:
        llama_settings["n_threads"] = threads
    model = LlamaCppSummarizer(**llama_settings)
    start = time.perf_counter()
    model.load()
    print(f"llama.cpp load: {time.perf_counter() - start:.1f} s, {model.n_threads} threads")
    runs["llama.cpp in process"] = report("llama.cpp in process",
                                          *timed_summaries(model, articles))


def run_server(articles: list[Article], settings: dict[str, Any],
               runs: dict[str, tuple], threads: int | None) -> None:
    """The OpenAI-compatible backend against llama.cpp's server, concurrency 1 and 4."""
    server_settings = config("smollm2_server")
    same_settings(settings, server_settings, {
        "prompt": "prompt", "system_prompt": "system_prompt", "max_tokens": "max_new_tokens",
        "stop": "stop_strings"})
    gguf = gguf_path(settings["model"], settings["gguf_file"])
    n_ctx = settings["max_input_tokens"] + settings["max_new_tokens"]
    for concurrency in (1, 4):
        # A fresh server each time: it keeps the last prompt's KV cache, which would
        # otherwise favour the second pass.
        start = time.perf_counter()
        with LocalServer(gguf, alias=server_settings["model"], n_ctx=n_ctx,
                         n_threads=threads) as server:
            print(f"llama_cpp.server start: {time.perf_counter() - start:.1f} s, "
                  f"{server.n_threads} threads, n_ctx {n_ctx}")
            model = OpenAISummarizer(**{**server_settings, "base_url": server.base_url,
                                        "max_concurrency": concurrency})
            label = f"server, concurrency {concurrency}"
            runs[label] = report(label, *timed_summaries(model, articles))


def report(label: str, summaries: list[str], tokens: list[int],
           seconds: float) -> tuple[list[str], list[int], float]:
    """Print one pass's throughput as it finishes; return its results."""
    print(f"{label:>30}: {sum(tokens)} tokens in {seconds:.1f} s = "
          f"{sum(tokens) / seconds:.1f} generated tokens/s", flush=True)
    return summaries, tokens, seconds


def distribution(values: list[int]) -> str:
    """Min / quartiles / max / mean of ``values``."""
    q1, median, q3 = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
    return (f"min {min(values)}  q1 {q1:.0f}  median {median:.0f}  q3 {q3:.0f}  "
            f"max {max(values)}  mean {statistics.mean(values):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbc-per-topic", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, help="default: the config's")
    parser.add_argument("--dtype", help="default: the config's (auto)")
    parser.add_argument("--threads", type=int, help="torch threads; default: torch's")
    parser.add_argument("--llama-threads", type=int,
                        help="llama.cpp threads (in process and server); default: the config's "
                             "(one per core). On a CPU shared with busy jobs, 1 is faster")
    parser.add_argument("--backends", default="transformers,llamacpp,server",
                        help="comma-separated subset of transformers,llamacpp,server")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    backends = set(args.backends.split(","))
    articles = load_articles(args.bbc_per_topic)
    settings = model_settings(args)
    print(f"articles: {len(articles)} ({sum(a.id.startswith('bbc/') for a in articles)} BBC); "
          f"torch {torch.__version__}, {os.cpu_count()} CPUs, max_new_tokens "
          f"{settings['max_new_tokens']}, generation {settings['generation']}, greedy")

    runs: dict[str, tuple[list[str], list[int], float]] = {}
    if "transformers" in backends:
        run_transformers(args, articles, settings, runs)
    if "llamacpp" in backends:
        run_llamacpp(articles, settings, runs, args.llama_threads)
    if "server" in backends:
        run_server(articles, settings, runs, args.llama_threads)

    reference = next(iter(runs.values()))[0]
    print(f"\n{'backend':>30}  {'tokens/s':>8}  {'s/summary':>9}  {'tokens':>6}  "
          f"same as {next(iter(runs))}")
    for label, (summaries, tokens, seconds) in runs.items():
        same = sum(a == b for a, b in zip(reference, summaries, strict=True))
        print(f"{label:>30}  {sum(tokens) / seconds:8.1f}  {seconds / len(articles):9.2f}  "
              f"{sum(tokens):6d}  {same}/{len(articles)}")
    for label, (summaries, tokens, _) in runs.items():
        print(f"\n{label}:\n  summary tokens: {distribution(tokens)}; "
              f"{sum(t >= settings['max_new_tokens'] for t in tokens)} hit the token limit")
        print(f"  summary words:  {distribution([len(s.split()) for s in summaries])}")
        print(f"  example ({articles[0].id}): {summaries[0]}")


if __name__ == "__main__":
    main()
