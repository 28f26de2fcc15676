"""The metric worker pool against ``concurrent.futures.ProcessPoolExecutor``, side by side.

Usage:
    python benchmarks/pool_vs_futures.py [BBC_DIR] [--rounds 2] [--workers 2] [--limit N]

``harness.executors.pool.worker_pool`` starts a ``multiprocessing`` pool in a
background thread (jobs queue until it is up, so the run cleans and summarizes
meanwhile). The alternative is the standard library's
``ProcessPoolExecutor`` with the same fork-server context, preloaded modules,
thread variables and initializer (``init_worker``), started where it is made
(its first ``submit`` starts the workers; the fork server imports torch and
transformers first). Issue 24 keeps the home-made pool only if it is faster.

Each round runs both, one after the other (order alternating by round), each
in its own subprocess, on the same articles: lead3 and textrank with every
default metric, ``workers`` worker processes, chunks of 32, as
``benchmarks/throughput.py`` does. Prints, per run, the whole process's
seconds (start-up included) and articles/s, and the load average before each run
(other jobs on the machine slow both alike only when they run side by side).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BBC = Path(os.environ.get("HARNESS_CORPORA", REPO.parent / "shared" / "corpora")) / "bbc"
KINDS = ("worker_pool", "ProcessPoolExecutor")


@contextmanager
def _futures_pool(workers: int, metric_configs: list):
    """``ProcessPoolExecutor`` in place of ``worker_pool``: same context, variables, initializer."""
    from concurrent.futures import ProcessPoolExecutor

    from harness.executors.pool import child_environment, init_worker, process_context

    if workers <= 1 or not metric_configs:
        yield None
        return
    ctx, env = process_context(metric_configs)
    with child_environment(env):
        pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=init_worker,
                                   initargs=(metric_configs,))
        pool.submit(os.getpid)  # starts the workers now, while the variables are set
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _child(bbc: str, kind: str, workers: int, limit: int | None, out: str) -> None:
    """One run with the pool of ``kind``; prints a JSON line of figures."""
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    from harness.config import build, config_dir, register, resolve_plugin
    from harness.executors import local
    from harness.load import DirSource
    from harness.pipeline import RunPlan, run

    if kind == "ProcessPoolExecutor":
        local.worker_pool = _futures_pool
    register()  # the schema and the ${repo:} resolver
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        cfg = compose("config")
    metric_configs = [OmegaConf.to_container(resolve_plugin(m, "metric", cfg.metric),
                                             resolve=True) for m in cfg.metrics]
    models = [build(OmegaConf.to_container(resolve_plugin(m, "model"), resolve=True), "model")
              for m in ("lead3", "textrank")]
    result = run(RunPlan(source=DirSource(bbc), models=models, metrics=[], out_dir=Path(out),
                         batch_size=32, limit=limit, workers=workers,
                         metric_configs=metric_configs, progress=False))
    print(json.dumps({"articles": result["articles"], "errors": result["errors"],
                      "timings": result["timings"]}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bbc", nargs="?", default=str(DEFAULT_BBC))
    parser.add_argument("--rounds", type=int, default=2, help="runs of each pool")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="the first N articles only")
    parser.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.bbc, args.child, args.workers, args.limit, args.out)
        return 0
    if not Path(args.bbc).is_dir():
        print(f"no BBC folder at {args.bbc}; pass one as the first argument", file=sys.stderr)
        return 2
    rows = []
    for round_ in range(args.rounds):
        for kind in KINDS if round_ % 2 == 0 else KINDS[::-1]:
            load = os.getloadavg()[0]
            with tempfile.TemporaryDirectory() as out:
                began = time.perf_counter()
                proc = subprocess.run(
                    [sys.executable, __file__, args.bbc, "--child", kind, "--out", out,
                     "--workers", str(args.workers),
                     *(["--limit", str(args.limit)] if args.limit else [])],
                    capture_output=True, text=True)
                seconds = time.perf_counter() - began
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                return 1
            fig = json.loads(proc.stdout.strip().splitlines()[-1])
            rows.append((round_ + 1, kind, load, seconds, fig))
    print(f"lead3 + textrank, every default metric, {args.workers} workers, chunks of 32; "
          f"cpu cores: {os.cpu_count()}")
    print(f"{'round':>5} {'pool':>19} {'load':>5} {'articles':>8} {'seconds':>8} "
          f"{'articles/s':>10}  stage seconds")
    for round_, kind, load, seconds, fig in rows:
        stages = ", ".join(f"{k} {v:.1f}" for k, v in fig["timings"].items())
        print(f"{round_:>5} {kind:>19} {load:>5.1f} {fig['articles']:>8} {seconds:>8.1f} "
              f"{fig['articles'] / seconds:>10.1f}  {stages}")
    for kind in KINDS:
        mine = [(s, f["articles"]) for _, k, _, s, f in rows if k == kind]
        total_s, total_n = sum(s for s, _ in mine), sum(n for _, n in mine)
        print(f"{kind}: {total_n / total_s:.1f} articles/s over {len(mine)} runs")
    print("seconds: the whole process, start-up included; load: the 1-minute load average "
          "before the run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
