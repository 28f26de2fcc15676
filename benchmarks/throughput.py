"""Throughput and memory of a full run: lead3 + textrank with every default metric.

Usage:
    python benchmarks/throughput.py [BBC_DIR] [--repeat 4] [--workers 1 2] [--ray-actors 2 3]

Each configuration runs in its own subprocess (so peak memory is its own):
the BBC articles once, then replicated ``--repeat`` times (streamed, with new
ids) to show memory stays flat as the corpus grows. The pipeline clears the
metrics' embedding caches after every chunk, so a replica pays for its own
embeddings. Prints, per configuration, articles/s over the whole run (start-up
included: imports, models and metrics built, worker processes started), the
start-up of this process, and peak resident memory (this process, and the
largest worker: sampled from /proc every 0.25 s, Linux only).
Target (issue 7): at least 10 articles/s on 2 cores. Issue 16: the same runs with
``executor=ray`` (a local Ray of ``--ray-actors`` actors of one logical CPU each, at
least as many CPUs as cores; its start-up is in the time), against the fork-server pool
(``executor=local workers=2``), on the 250 articles and the replicated corpus.

lead3 and textrank are extractive: their sentences are found verbatim in the
article, so faithfulness aligns them without the model (docs/metrics.md).
``benchmarks/metric_speed.py`` times the metrics on reworded summaries, where
every article sentence is embedded.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BBC = Path(os.environ.get("HARNESS_CORPORA", REPO.parent / "shared" / "corpora")) / "bbc"


def _descendants(pid: int) -> list[int]:
    """Process ids below ``pid`` (Linux /proc; empty elsewhere)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _watch_workers(stop: threading.Event, peak: list[float]) -> None:
    """Track the largest peak resident memory (VmHWM) of any process below this one.

    Worker processes are forked by a fork server, not by this process, so
    ``RUSAGE_CHILDREN`` does not see them.
    """
    while not stop.wait(0.25):
        for pid in _descendants(os.getpid()):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peak[0] = max(peak[0], int(line.split()[1]) / 1024)


def _child(bbc: str, repeat: int, workers: int, out: str, metric_names: list[str],
           ray_actors: int, overrides: list[str]) -> None:
    """Run the pipeline once and print a JSON line of figures."""
    start = time.perf_counter()
    from hydra import compose, initialize_config_dir

    from harness.config import build, config_dir, register, resolve_plugin
    from harness.load import DirSource
    from harness.pipeline import RunPlan, run
    from harness.types import RawDoc

    register()  # the schema and the ${repo:} resolver
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        cfg = compose("config", overrides=overrides)
    from omegaconf import OmegaConf

    names = metric_names or list(cfg.metrics)
    metric_configs = [OmegaConf.to_container(resolve_plugin(m, "metric", cfg.metric),
                                             resolve=True) for m in names]
    source = DirSource(bbc)

    def replicated():
        for copy in range(repeat):
            for doc in source:
                yield RawDoc(id=f"{doc.id}#{copy}", source=doc.source, text=doc.text) \
                    if isinstance(doc, RawDoc) else doc

    model_configs = [OmegaConf.to_container(resolve_plugin(m, "model"), resolve=True)
                     for m in ("lead3", "textrank")]
    models = [build(m, "model") for m in model_configs]
    extra = {}
    if ray_actors:
        from harness.executors.ray_actors import RayExecutor

        # A local Ray of at least one logical CPU per actor: 3 actors on 2 cores overlap as
        # the pool's 2 workers and this process do.
        executor = RayExecutor(actors=ray_actors, num_cpus=max(os.cpu_count() or 1, ray_actors))
        extra = {"executor": executor, "model_configs": model_configs}
    metrics = [build(m, "metric") for m in metric_configs] if workers <= 1 and not extra else []
    setup = time.perf_counter() - start
    stop, kids = threading.Event(), [0.0]
    watcher = threading.Thread(target=_watch_workers, args=(stop, kids), daemon=True)
    watcher.start()
    result = run(RunPlan(source=replicated(), models=models, metrics=metrics, out_dir=Path(out),
                         batch_size=32, workers=workers, metric_configs=metric_configs,
                         progress=False, **extra))
    total = time.perf_counter() - start
    stop.set()
    watcher.join()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"articles": result["articles"], "errors": result["errors"],
                      "seconds": total, "setup_s": setup, "peak_mb": own,
                      "worker_peak_mb": kids[0], "timings": result["timings"],
                      "metrics": names}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bbc", nargs="?", default=str(DEFAULT_BBC))
    parser.add_argument("--repeat", type=int, default=4, help="replication for the memory check")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--metrics", nargs="+", default=[],
                        help="metric configs (default: the default metrics of configs/config.yaml)")
    parser.add_argument("--ray-actors", type=int, nargs="*", default=[2, 3],
                        help="actors of executor=ray, one run each (none: leave Ray out)")
    parser.add_argument("--variant", action="append", default=[], metavar="OVERRIDES",
                        help="also run the 250 articles with these Hydra overrides "
                             "(space-separated, e.g. 'metric.coverage.centrality=embed'), "
                             "local with the last --workers; repeatable")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--overrides", default="[]", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.bbc, int(args.child[0]), int(args.child[1]), args.child[2], args.metrics,
               int(args.child[3]), json.loads(args.overrides))
        return 0
    if not Path(args.bbc).is_dir():
        print(f"no BBC folder at {args.bbc}; pass one as the first argument", file=sys.stderr)
        return 2
    rows = []
    # (replication, workers, ray actors): local with each worker count, then Ray, per corpus size
    ray = args.ray_actors
    configs = ([(1, w, 0, "") for w in args.workers] + [(1, 1, a, "") for a in ray]
               + [(args.repeat, args.workers[-1], 0, "")] + [(args.repeat, 1, a, "") for a in ray]
               + [(1, args.workers[-1], 0, v) for v in args.variant])
    for repeat, workers, actors, variant in configs:
        with tempfile.TemporaryDirectory() as out:
            began = time.perf_counter()
            proc = subprocess.run([sys.executable, __file__, args.bbc, "--child", str(repeat),
                                   str(workers), out, str(actors),
                                   *(["--metrics", *args.metrics] if args.metrics else []),
                                   "--overrides", json.dumps(variant.split())],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return 1
        fig = json.loads(proc.stdout.strip().splitlines()[-1])
        fig["seconds"] = time.perf_counter() - began  # the whole process, as a user waits
        label = f"ray, {actors} actors" if actors else f"local, {workers} w"
        rows.append((repeat, label + (f" + {variant}" if variant else ""), fig))
    print(f"metrics: {', '.join(rows[0][2]['metrics'])}; models: lead3, textrank; "
          f"cpu cores: {os.cpu_count()}")
    width = max(15, *(len(executor) for _, executor, _ in rows))
    print(f"{'articles':>8} {'executor':>{width}} {'seconds':>8} {'articles/s':>10} "
          f"{'start-up s':>10} "
          f"{'peak MB (main)':>14} {'peak MB (worker)':>16}  stage seconds")
    for _repeat, executor, f in rows:
        rate = f["articles"] / f["seconds"]
        stages = ", ".join(f"{k} {v:.1f}" for k, v in f["timings"].items())
        print(f"{f['articles']:>8} {executor:>{width}} {f['seconds']:>8.1f} {rate:>10.1f} "
              f"{f['setup_s']:>10.1f} {f['peak_mb']:>14.0f} {f['worker_peak_mb']:>16.0f}  {stages}")
    print("seconds: the whole run, start-up included (Ray's too); start-up s: imports and "
          "building the models and metrics in this process (workers and actors build theirs "
          "while it works); local, N w: executor=local workers=N; peak MB (worker): the largest "
          "process below this one (a pool worker, or Ray's)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
