"""``harness run``: the configuration step, then the Hydra entry point, kept thin.

:func:`configure` composes and checks the config of every job with Hydra's
compose API before any runs (the CLI turns its errors into one line, exit 2);
then :func:`main`, the task Hydra runs per job, builds the source, models and
metrics, hands plain objects to :func:`harness.pipeline.run`, and writes the run
record and tables into Hydra's output folder. Nothing is registered at import.
"""

from __future__ import annotations

import errno
import itertools
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import hydra
from hydra import compose, initialize_config_dir
from hydra.core.hydra_config import HydraConfig
from hydra.utils import get_class
from omegaconf import DictConfig, OmegaConf

from harness import config as cfgmod
from harness import pipeline
from harness.embed import Encoders
from harness.executors.base import Executor
from harness.jsonl import read_jsonl
from harness.metrics.base import metric_declarations
from harness.results import write_tables
from harness.run_folder import (
    ERRORS,
    SCORES,
    FingerprintMismatch,
    RunState,
    check_folder,
    fingerprint,
    prepare_folder,
    write_record,
)
from harness.run_lock import FolderLock, FolderLocked
from harness.verbosity import let_libraries_print, quiet_libraries

log = logging.getLogger("harness")

#: ``harness run``'s flags that Hydra reads (a sweep); any other flag (``--cfg``,
#: ``--help``, ...) is left to Hydra, which then composes on its own.
MULTIRUN = ("-m", "--multirun")


def configure(argv: Sequence[str]) -> list[DictConfig] | None:
    """The configuration step of ``harness run``, before Hydra starts the task.

    Registers the schema and resolvers (:func:`harness.config.register`), then
    composes the config of every job with Hydra's compose API: the one job, or
    each job of a sweep (``-m``: its sweep overrides expanded as Hydra's basic
    sweeper does), and checks that the run folder (the sweep folder) can be
    made. A misspelt key, an unknown option or a value of the wrong type thus
    fails here, before any job runs, and Hydra's own composition of the same
    overrides cannot fail afterwards. Returns the composed configs (with the
    ``hydra`` node); None when ``argv`` holds another Hydra flag.

    Raises:
        Exception: what composition raises (:func:`harness.cli.composition_message`
            words it), or the OSError of a run folder that cannot be made.

    """
    cfgmod.register()
    if any(a.startswith("-") and a not in MULTIRUN for a in argv):
        return None
    multirun = any(a in MULTIRUN for a in argv)
    overrides = [a for a in argv if a not in MULTIRUN]
    jobs = sweep_jobs(overrides) if multirun else [overrides]
    with initialize_config_dir(config_dir=str(cfgmod.config_dir()), version_base="1.3"):
        configs = [compose("config", overrides=job, return_hydra_config=True) for job in jobs]
    folder = OmegaConf.select(configs[0], "hydra.sweep.dir" if multirun else "hydra.run.dir")
    check_can_make(Path(str(folder)))
    return configs


def sweep_jobs(overrides: Sequence[str]) -> list[list[str]]:
    """The overrides of each job of a sweep: every combination of the sweep values, in order.

    As Hydra's basic sweeper expands them (``a=1,2 b=x,y``: four jobs).
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser

    choices = []
    for override in OverridesParser.create().parse_overrides(list(overrides)):
        key = override.get_key_element()
        if override.is_sweep_override():
            choices.append([f"{key}={value}" for value in override.sweep_string_iterator()])
        else:
            choices.append([f"{key}={override.get_value_element_as_str()}"])
    return [list(job) for job in itertools.product(*choices)]


def check_can_make(folder: Path) -> None:
    """Raise the OSError that making ``folder`` (or writing into it) would raise; make nothing."""
    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
    if not os.access(probe, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))


def build_plan(cfg: DictConfig, out_dir: Path) -> tuple[pipeline.RunPlan, dict[str, Any]]:
    """Build the source, models, metrics and cache named by the config; and the fingerprint.

    Everything that can be checked before the first article is: unknown keys,
    plugin settings, model weights (:meth:`Summarizer.check_available`) and the
    run folder's fingerprint (read only: nothing is written into the folder here).
    """
    cfgmod.check_run_config(cfg)
    source = cfgmod.build(cfg.data, "data")
    models = build_models(cfg)
    metric_configs = [OmegaConf.to_container(cfgmod.resolve_plugin(m, "metric", cfg.metric),
                                             resolve=True)
                      for m in cfg.metrics]
    executor = build_executor(cfg)
    if executor.remote and cfg.workers > 1:
        raise cfgmod.ConfigError("workers is for executor=local; executor=ray runs "
                                 "executor.actors actors")
    # With worker processes or Ray actors, each builds the metrics; the parent only
    # checks their configs, so that a bad one still fails here, at once.
    remote = cfg.workers > 1 or executor.remote
    if remote:
        for m in metric_configs:
            cfgmod.check(m, "metric")
    # The metrics share one set of sentence encoders, whose caches the run clears.
    encoders = Encoders()
    metrics = ([cfgmod.build(m, "metric", encoders=encoders) for m in metric_configs]
               if not remote else [])
    model_configs = ([OmegaConf.to_container(cfgmod.resolve_plugin(m, "model", cfg.model),
                                             resolve=True) for m in cfg.models]
                     if executor.remote else [])
    cache = None
    if any(getattr(m, "cacheable", False) for m in models):
        from harness.models.cache import GenerationCache, default_cache_dir

        cache = GenerationCache(Path(cfg.cache_dir) if cfg.cache_dir else default_cache_dir())
    record = run_fingerprint(cfg, models, metric_configs)
    try:
        check_folder(out_dir, record, resume=cfg.resume)
    except FingerprintMismatch as exc:
        raise cfgmod.ConfigError(str(exc)) from None
    plan = pipeline.RunPlan(source=source, models=models, metrics=metrics, out_dir=out_dir,
                            batch_size=cfg.batch_size, limit=cfg.limit, cache=cache,
                            sample=cfg.sample, seed=cfg.seed,
                            workers=cfg.workers, metric_configs=metric_configs,
                            encoders=encoders, progress_every=cfg.progress_every,
                            executor=executor, model_configs=model_configs)
    return plan, record


def build_executor(cfg: DictConfig) -> Executor:
    """The executor of ``executor=`` (``configs/executor/*.yaml``), checked to be one."""
    executor = cfgmod.build(cfg.executor, "executor")
    if not isinstance(executor, Executor):
        raise cfgmod.ConfigError(f"executor: {type(executor).__name__} is not an executor "
                                 "(harness.executors.base.Executor: remote and run())")
    return executor


def start_folder(cfg: DictConfig, out_dir: Path, record: dict[str, Any]
                 ) -> logging.Handler | None:
    """Under the folder's lock: the fingerprint, Hydra's record, the log file; say what it kept.

    Hydra is configured to write nothing into the folder itself (``hydra.output_subdir``
    null, no log file: configs/config.yaml), so that a refused run leaves it as it was;
    its ``.hydra/`` files and the job's log are written here, once the check passed.
    Returns the log file's handler (the caller removes it when the run ends).
    """
    try:
        prepare_folder(out_dir, record, resume=cfg.resume)
    except FingerprintMismatch as exc:  # another run changed the folder while this one waited
        raise cfgmod.ConfigError(str(exc)) from None
    hydra_cfg = HydraConfig.get()
    if hydra_cfg.output_subdir is None:
        saved = out_dir / ".hydra"
        saved.mkdir(exist_ok=True)
        (saved / "config.yaml").write_text(OmegaConf.to_yaml(cfg))
        (saved / "hydra.yaml").write_text(OmegaConf.to_yaml(HydraConfig.instance().cfg))
        (saved / "overrides.yaml").write_text(OmegaConf.to_yaml(hydra_cfg.overrides.task))
    handler = None
    if hydra_cfg.runtime.choices.get("hydra/job_logging") == "harness":
        handler = logging.FileHandler(out_dir / f"{hydra_cfg.job.name}.log")
        handler.setFormatter(logging.Formatter(
            "[%(asctime)s][%(name)s][%(levelname)s] - %(message)s"))
        logging.getLogger().addHandler(handler)
    state = RunState.read(out_dir)
    if state.articles or state.summaries or state.scored:
        print(f"harness run: resuming {out_dir}: kept {len(state.articles)} articles, "
              f"{len(state.summaries)} summaries, {len(state.scored)} score rows",
              file=sys.stderr)
    return handler


def build_models(cfg: DictConfig) -> list[Any]:
    """The chosen models, each checked to have its weights (exit 2 before any work if not)."""
    if not cfg.models:
        raise cfgmod.ConfigError("no models: set models=[lead3,...]")
    models = [cfgmod.build(m, "model", cfg.model) for m in cfg.models]
    names = [m.name for m in models]
    if len(set(names)) != len(names):
        raise cfgmod.ConfigError(f"two models share a name: {names}")
    for model in models:
        try:
            model.check_available()
        except ValueError as exc:  # ModelLoadError: weights absent, hub unreachable
            raise cfgmod.ConfigError(f"model '{model.name}' is not available: {exc}") from None
    return models


def run_fingerprint(cfg: DictConfig, models: list[Any], metric_configs: list[dict[str, Any]]
                    ) -> dict[str, Any]:
    """What defines the rows of the run folder (see :func:`harness.run_folder.fingerprint`)."""
    return fingerprint(
        data=OmegaConf.to_container(cfg.data, resolve=True),
        limit=cfg.limit,
        sample=None if cfg.sample is None else {"n": cfg.sample, "seed": cfg.seed},
        models={m.name: m.identity() for m in models},
        metrics={str(m.get("_target_")): m for m in metric_configs},
    )


def record_run(cfg: DictConfig, plan: pipeline.RunPlan, result: dict[str, Any]) -> None:
    """``config.yaml`` (resolved, the chosen plugins only) and ``run.json``."""
    write_record(
        plan.out_dir, OmegaConf.to_yaml(chosen_config(cfg), resolve=True),
        experiment=cfg.experiment_name, seed=cfg.seed, models=[m.name for m in plan.models],
        model_identities={m.name: m.identity() for m in plan.models},
        metrics=metric_declarations([get_class(m["_target_"]) for m in plan.metric_configs]),
        counts=result)


def chosen_config(cfg: DictConfig) -> DictConfig:
    """The config with only the settings of the models and metrics that ran."""
    out = OmegaConf.create(OmegaConf.to_container(cfg))
    for group in cfgmod.GROUPS:
        chosen = {str(e) for e in cfg[f"{group}s"] if isinstance(e, str)}
        out[group] = {k: v for k, v in out[group].items() if k in chosen}
    return out


def print_tables(out_dir: Path, seed: int, full: bool = False) -> None:
    """Write the table files and print the short table (``full``: the whole of table.md)."""
    print(write_tables(out_dir, seed=seed, full=full))
    print(f"\nresults: {out_dir}" + ("" if full else " (full and paired tables: table.md)"))


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is, so that it ends as an interrupted one."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated()


@hydra.main(version_base="1.3", config_path=str(cfgmod.config_dir()), config_name="config")
def main(cfg: DictConfig) -> None:
    """Run one experiment (one job of a sweep).

    Exit status: 2 for a configuration error, a refused folder (another fingerprint,
    another run holding its lock) or a full disk; 130 on SIGINT and 143 on SIGTERM,
    each one line, the folder left resumable.
    """
    cfgmod.register_resolvers()  # a job in another process (Hydra's joblib launcher) too
    if not cfg.verbose:
        quiet_libraries()
    else:
        let_libraries_print()
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    lock = FolderLock(out_dir, wait=cfg.wait_for_lock)
    log_file = None
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    try:
        plan, record = build_plan(cfg, out_dir)
        lock.acquire()
        log_file = start_folder(cfg, out_dir, record)
        result = pipeline.run(plan)  # workers raise the ConfigError of a metric they cannot build
        record_run(cfg, plan, result)
        print_tables(out_dir, cfg.seed, full=cfg.full_table)
    except cfgmod.ConfigError as exc:
        print(f"harness run: configuration error: {exc}", file=sys.stderr)
        sys.exit(2)
    except FolderLocked as exc:
        print(f"harness run: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt as exc:
        name, code = ("SIGTERM", 143) if isinstance(exc, Terminated) else ("SIGINT", 130)
        print(f"harness run: interrupted ({name}); {out_dir} keeps the rows written so far: "
              "rerun the same command to resume", file=sys.stderr)
        sys.exit(code)
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        print(f"harness run: no space left on the device of {out_dir} ({exc.strerror}); free "
              "some and rerun the same command to resume", file=sys.stderr)
        sys.exit(2)
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
        if log_file is not None:
            logging.getLogger().removeHandler(log_file)
            log_file.close()
        lock.release()
    if (reason := nothing_scored(out_dir, result)) is not None:
        print(f"harness run: {reason}", file=sys.stderr)
        sys.exit(1)


def nothing_scored(out_dir: Path, result: dict[str, Any]) -> str | None:
    """Why the run folder holds no score row (the run then exits 1), or None when it has one."""
    if any(True for _ in read_jsonl(out_dir / SCORES)):
        return None
    if not result.get("errors"):
        return "nothing was scored: the data holds no document"
    return (f"nothing was scored: every input failed ({result['errors']} error(s); "
            f"{out_dir / ERRORS} says why)")
