"""Typed configuration schema and plugin lookup (Hydra stays at the edge).

``RunConfig`` is registered in Hydra's ConfigStore as ``base_config``; the
YAML in ``configs/`` extends it, so a misspelt override is an error rather than
a silently ignored key. Models and metrics are listed by name and resolved to
``configs/model/<name>.yaml`` / ``configs/metric/<name>.yaml`` (or given inline
as a mapping with ``_target_``).
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
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
    #: Per-model setting overrides: ``+model_args.smollm2.max_new_tokens=32``.
    model_args: dict[str, Any] = field(default_factory=dict)
    experiment_name: str = "default"
    seed: int = 0
    #: The first N documents in the source's (sorted) order.
    limit: int | None = None
    #: N documents drawn at random, seeded by ``seed`` (then ``limit`` applies).
    sample: int | None = None
    batch_size: int = 16
    workers: int = 1
    cache_dir: str | None = None
    resume: bool = True


def register() -> None:
    """Register the schema in Hydra's ConfigStore."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="base_config", node=RunConfig)


def default_metrics() -> list[str]:
    """The ``metrics:`` list of ``configs/config.yaml`` (the one default metric set)."""
    return [str(m) for m in OmegaConf.load(config_dir() / "config.yaml").metrics]


def available(group: str) -> list[str]:
    """Names of the YAML files in a config group."""
    return sorted(p.stem for p in (config_dir() / group).glob("*.yaml"))


def resolve_plugin(entry: Any, group: str, overrides: dict[str, Any] | None = None) -> DictConfig:
    """A plugin config from a name (``configs/<group>/<name>.yaml``) or an inline mapping."""
    if isinstance(entry, str):
        path = config_dir() / group / f"{entry}.yaml"
        if not path.is_file():
            names = available(group)
            close = difflib.get_close_matches(entry, names, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ConfigError(
                f"unknown {group} '{entry}'.{hint} Available: {', '.join(names)}"
            )
        node = OmegaConf.load(path)
        name = entry
    else:
        node = OmegaConf.create(OmegaConf.to_container(entry, resolve=True)
                                if isinstance(entry, DictConfig) else entry)
        name = node.get("name", node.get("_target_", "?"))
    if "_target_" not in node:
        raise ConfigError(f"{group} '{name}' has no _target_")
    extra = (overrides or {}).get(name)
    return OmegaConf.merge(node, extra) if extra else node


def check(entry: Any, group: str) -> None:
    """Check a plugin config without building it: its class imports and takes its keys.

    For plugins built elsewhere (metrics in worker processes), so that a bad
    config still fails at once, before any work starts.
    """
    import inspect

    from hydra.utils import get_class

    node = resolve_plugin(entry, group)
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
        close = [c for k in unknown for c in difflib.get_close_matches(str(k), params, n=1)]
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ConfigError(f"cannot build {group} '{name}': {exc}.{hint}") from exc


def build(entry: Any, group: str, overrides: dict[str, Any] | None = None,
          encoders: Any = None) -> Any:
    """Instantiate a plugin, naming it in any error.

    ``encoders`` (a :class:`harness.embed.Encoders`) goes to plugins whose
    constructor takes an ``encoders`` argument, so that the metrics of one run
    share their sentence embeddings.
    """
    from hydra.utils import get_class, instantiate

    node = resolve_plugin(entry, group, overrides)
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
