"""Typed configuration schema, plugin lookup and strict checks (Hydra stays at the edge).

``RunConfig`` is registered in Hydra's ConfigStore as ``base_config``; the
YAML in ``configs/`` extends it, so a misspelt override is an error rather than
a silently ignored key. Every file of the config groups ``configs/model/`` and
``configs/metric/`` is composed into the run config under ``model.<name>`` and
``metric.<name>`` (:func:`register`), so Hydra overrides them like any key
(``model.lead3.k=2``) and refuses unknown ones; ``models: [...]`` and
``metrics: [...]`` choose which of them run (names, or inline mappings with
``_target_``). :func:`check_run_config` refuses what Hydra lets through: keys
added with ``+`` that nothing reads, settings of models that do not run, and
keys a plugin's constructor does not take.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from omegaconf import MISSING, DictConfig, OmegaConf

REPO_ROOT = Path(__file__).resolve().parents[1]


def config_dir() -> Path:
    """The ``configs/`` folder (``$HARNESS_CONFIG_DIR`` overrides)."""
    return Path(os.environ.get("HARNESS_CONFIG_DIR", REPO_ROOT / "configs"))


class ConfigError(ValueError):
    """Bad configuration: unknown plugin name, missing data path, bad value."""


@dataclass
class RunConfig:
    """Schema of ``configs/config.yaml``."""

    data: Any = MISSING
    models: list[Any] = field(default_factory=list)
    metrics: list[Any] = field(default_factory=list)
    #: Settings of every ``configs/model/*.yaml``, by name (filled by :func:`register`);
    #: override one with ``model.lead3.k=2``. ``models`` chooses which run.
    model: dict[str, Any] = field(default_factory=dict)
    #: Settings of every ``configs/metric/*.yaml``, by name: ``metric.rouge.use_stemmer=false``.
    metric: dict[str, Any] = field(default_factory=dict)
    experiment_name: str = "default"
    seed: int = 0
    #: The first N documents in the source's (sorted) order.
    limit: int | None = None
    #: N documents drawn at random, seeded by ``seed`` (then ``limit`` applies).
    sample: int | None = None
    batch_size: int = 16
    workers: int = 1
    #: Where the stages run (``configs/executor/*.yaml``: local or ray).
    executor: Any = MISSING
    cache_dir: str | None = None
    #: Rerunning into a folder resumes it when its fingerprint matches (exit 2 when
    #: not); ``resume=false`` deletes the rows there and starts over.
    resume: bool = True
    #: A second run into a folder that another run writes into exits 2 naming its
    #: PID; ``wait_for_lock=true`` waits for that run to end instead.
    wait_for_lock: bool = False
    #: Print the full table and the paired table (they always go to table.md).
    full_table: bool = False
    #: Let libraries print their progress bars and logs.
    verbose: bool = False


#: The plugin groups: folder ``configs/<group>/``, settings ``<group>.NAME``, choice ``<group>s``.
GROUPS = ("model", "metric")


def register() -> None:
    """Register the schema, with every model and metric config composed in, in the ConfigStore.

    Called by the Hydra entry point before composition (it reads ``configs/``
    then, so ``$HARNESS_CONFIG_DIR`` set before the run is honoured).
    """
    from hydra.core.config_store import ConfigStore

    node = OmegaConf.structured(RunConfig)
    for group in GROUPS:
        node[group] = {name: group_file(group, name) for name in available(group)}
    ConfigStore.instance().store(name="base_config", node=node)


def group_file(group: str, name: str) -> DictConfig:
    """The YAML of ``configs/<group>/<name>.yaml`` as written (no override applied)."""
    return OmegaConf.load(config_dir() / group / f"{name}.yaml")


def default_metrics() -> list[str]:
    """The ``metrics:`` list of ``configs/config.yaml`` (the one default metric set)."""
    return [str(m) for m in OmegaConf.load(config_dir() / "config.yaml").metrics]


def available(group: str) -> list[str]:
    """Names of the YAML files in a config group."""
    return sorted(p.stem for p in (config_dir() / group).glob("*.yaml"))


def did_you_mean(word: str, choices: Any) -> str:
    """`` Did you mean 'x'?`` for the closest of ``choices``, or an empty string."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


def resolve_plugin(entry: Any, group: str, settings: Any = None) -> DictConfig:
    """A plugin config from a name or an inline mapping.

    Args:
        entry: A name, or a mapping with ``_target_``.
        group: ``model``, ``metric`` or ``data``.
        settings: The composed ``model`` / ``metric`` node of a run config, where a
            name is looked up (with its overrides); None reads
            ``configs/<group>/<name>.yaml``.

    """
    if isinstance(entry, str):
        names = list(settings) if settings is not None else available(group)
        if entry not in names:
            raise ConfigError(
                f"unknown {group} '{entry}'.{did_you_mean(entry, names)} "
                f"Available: {', '.join(names)}"
            )
        node = (OmegaConf.create(OmegaConf.to_container(settings[entry]))
                if settings is not None else group_file(group, entry))
        name = entry
    else:
        node = OmegaConf.create(OmegaConf.to_container(entry, resolve=True)
                                if isinstance(entry, DictConfig) else entry)
        name = node.get("name", node.get("_target_", "?"))
    if "_target_" not in node:
        raise ConfigError(f"{group} '{name}' has no _target_")
    return node


def check(entry: Any, group: str, settings: Any = None) -> None:
    """Check a plugin config without building it: its class imports and takes its keys.

    For plugins built elsewhere (metrics in worker processes), so that a bad
    config still fails at once, before any work starts.
    """
    import inspect

    from hydra.utils import get_class

    node = resolve_plugin(entry, group, settings)
    name = node.get("name") or node["_target_"]
    missing = sorted(OmegaConf.missing_keys(node))
    if missing:
        raise ConfigError(f"cannot build {group} '{name}': no value set for {', '.join(missing)}")
    try:
        cls = get_class(node["_target_"])
    except Exception as exc:  # noqa: BLE001 - re-raised with the plugin named
        raise ConfigError(f"cannot build {group} '{name}': {exc}") from exc
    kwargs = {k: v for k, v in node.items() if not str(k).startswith("_")}
    signature = inspect.signature(cls)
    try:
        signature.bind(**kwargs)
    except TypeError as exc:
        params = signature.parameters
        unknown = [k for k in kwargs if k not in params]
        hint = did_you_mean(unknown[0], params) if unknown else ""
        raise ConfigError(f"cannot build {group} '{name}': {exc}.{hint}") from exc


def check_run_config(cfg: DictConfig) -> None:
    """Refuse what composition lets through, before any work.

    - top-level keys the schema does not have (added with ``+``);
    - settings (``model.NAME`` / ``metric.NAME``) that differ from their file for a
      plugin that does not run, or that name no file;
    - for every plugin that runs, and the data source: keys its constructor does
      not take, and required values left unset.

    Raises:
        ConfigError: naming the key, with the closest known one.

    """
    known = {f.name for f in fields(RunConfig)}
    for key in cfg:
        if key not in known:
            hint = (" Per-model settings are model.NAME.KEY, e.g. model.lead3.k=2."
                    if key == "model_args" else did_you_mean(key, known))
            raise ConfigError(f"unknown key '{key}'.{hint}")
    check(cfg.data, "data")
    for group in GROUPS:
        chosen = cfg[f"{group}s"]
        settings = cfg[group]
        names = set(available(group))
        for name in settings:
            if name in chosen:
                continue
            if name not in names:
                raise ConfigError(f"{group}.{name} is set but there is no configs/{group}/"
                                  f"{name}.yaml.{did_you_mean(name, names)}")
            if OmegaConf.to_container(settings[name]) != OmegaConf.to_container(
                    group_file(group, name)):
                raise ConfigError(f"{group}.{name} is set but {name} is not in {group}s="
                                  f"[{','.join(map(str, chosen))}]: add it there to run it")
        for entry in chosen:
            check(entry, group, settings)


def build(entry: Any, group: str, settings: Any = None, encoders: Any = None) -> Any:
    """Instantiate a plugin, naming it in any error.

    ``encoders`` (a :class:`harness.embed.Encoders`) goes to plugins whose
    constructor takes an ``encoders`` argument, so that the metrics of one run
    share their sentence embeddings.
    """
    from hydra.utils import get_class, instantiate

    node = resolve_plugin(entry, group, settings)
    try:
        shared = encoders is not None and _takes(get_class(node["_target_"]), "encoders")
        return instantiate(node, _convert_="all", **({"encoders": encoders} if shared else {}))
    except Exception as exc:  # noqa: BLE001 - re-raised with the plugin named
        cause = exc
        while cause.__cause__ is not None:  # Hydra wraps the constructor's own error
            cause = cause.__cause__
        name = node.get("name") or node["_target_"]
        raise ConfigError(f"cannot build {group} '{name}': {cause}") from exc


def _takes(cls: Any, name: str) -> bool:
    import inspect

    try:
        return name in inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return False
