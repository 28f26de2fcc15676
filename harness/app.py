"""``harness run``: the Hydra entry point, kept thin.

It resolves the config, builds the source, models and metrics, hands plain
objects to :func:`harness.pipeline.run`, and writes the run record and tables
into Hydra's output folder.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.utils import get_class
from omegaconf import DictConfig, OmegaConf

from harness import config as cfgmod
from harness import pipeline
from harness.embed import Encoders
from harness.metrics.base import metric_declarations
from harness.results import run_metadata, write_tables
from harness.run_folder import CONFIG_YAML, RUN_JSON

log = logging.getLogger("harness")
cfgmod.register()
if not OmegaConf.has_resolver("repo"):
    OmegaConf.register_new_resolver("repo", lambda: str(cfgmod.REPO_ROOT))

#: Set when the task function starts, so the CLI can tell composition errors
#: (bad override, unknown group option: exit 2) from failures inside the run.
TASK_STARTED = False


def build_plan(cfg: DictConfig, out_dir: Path) -> pipeline.RunPlan:
    """Build the source, models, metrics and cache named by the config."""
    source = cfgmod.build(cfg.data, "data")
    if not cfg.models:
        raise cfgmod.ConfigError("no models: set models=[lead3,...]")
    overrides = OmegaConf.to_container(cfg.model_args, resolve=True)
    models = [cfgmod.build(m, "model", overrides) for m in cfg.models]
    names = [m.name for m in models]
    if len(set(names)) != len(names):
        raise cfgmod.ConfigError(f"two models share a name: {names}")
    metric_configs = [OmegaConf.to_container(cfgmod.resolve_plugin(m, "metric"), resolve=True)
                      for m in cfg.metrics]
    # With worker processes, each worker builds the metrics; the parent only
    # checks their configs, so that a bad one still fails here, at once.
    if cfg.workers > 1:
        for m in metric_configs:
            cfgmod.check(m, "metric")
    # The metrics share one set of sentence encoders, whose caches the run clears.
    encoders = Encoders()
    metrics = ([cfgmod.build(m, "metric", encoders=encoders) for m in metric_configs]
               if cfg.workers <= 1 else [])
    cache = None
    if any(getattr(m, "cacheable", False) for m in models):
        from harness.models.cache import GenerationCache, default_cache_dir

        cache = GenerationCache(Path(cfg.cache_dir) if cfg.cache_dir else default_cache_dir())
    return pipeline.RunPlan(source=source, models=models, metrics=metrics, out_dir=out_dir,
                            batch_size=cfg.batch_size, limit=cfg.limit, cache=cache,
                            sample=cfg.sample, seed=cfg.seed,
                            workers=cfg.workers, metric_configs=metric_configs,
                            encoders=encoders)


def write_record(cfg: DictConfig, plan: pipeline.RunPlan, result: dict[str, Any]) -> None:
    """``config.yaml`` (resolved) and ``run.json``."""
    out = plan.out_dir
    (out / CONFIG_YAML).write_text(OmegaConf.to_yaml(cfg, resolve=True))
    record: dict[str, Any] = {
        "experiment": cfg.experiment_name,
        "seed": cfg.seed,
        "models": [m.name for m in plan.models],
        "model_identities": {m.name: m.identity() for m in plan.models},
        "metrics": metric_declarations([get_class(m["_target_"]) for m in plan.metric_configs]),
        **result,
        "environment": run_metadata(),
    }
    (out / RUN_JSON).write_text(json.dumps(record, indent=2, default=str) + "\n")


def print_tables(out_dir: Path, seed: int) -> None:
    """Write table.csv / table.md and print the table."""
    print(write_tables(out_dir, seed=seed))
    print(f"\nresults: {out_dir}")


@hydra.main(version_base="1.3", config_path=str(cfgmod.config_dir()), config_name="config")
def main(cfg: DictConfig) -> None:
    """Run one experiment (one job of a sweep)."""
    global TASK_STARTED
    TASK_STARTED = True
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        plan = build_plan(cfg, out_dir)
        result = pipeline.run(plan)  # workers raise the ConfigError of a metric they cannot build
    except cfgmod.ConfigError as exc:
        print(f"harness run: configuration error: {exc}", file=sys.stderr)
        sys.exit(2)
    write_record(cfg, plan, result)
    print_tables(out_dir, cfg.seed)
