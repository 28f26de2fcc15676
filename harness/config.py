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

import collections.abc
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
    #: Off a terminal, seconds between two progress lines (on one: a bar).
    progress_every: int = 30


#: The smallest value of each number of the run (a run of 0 articles does nothing).
MINIMUMS = {"limit": 1, "sample": 1, "batch_size": 1, "workers": 1, "progress_every": 1,
            "seed": 0}
#: What null means for the numbers that may be null.
NULLABLE = {"limit": "every document", "sample": "no sampling"}

#: The plugin groups: folder ``configs/<group>/``, settings ``<group>.NAME``, choice ``<group>s``.
GROUPS = ("model", "metric")


def register() -> None:
    """Register the schema, with every model and metric config composed in, in the ConfigStore.

    Part of the configuration step of ``harness run`` (:func:`harness.app.configure`),
    before any composition: it reads ``configs/`` then, so ``$HARNESS_CONFIG_DIR``
    set before the run is honoured. Also registers the resolvers the configs use.
    """
    from hydra.core.config_store import ConfigStore

    register_resolvers()
    node = OmegaConf.structured(RunConfig)
    for group in GROUPS:
        node[group] = {name: group_file(group, name) for name in available(group)}
    ConfigStore.instance().store(name="base_config", node=node)


def register_resolvers() -> None:
    """``${repo:}``: the repository's folder (``configs/data/seed.yaml``'s path)."""
    if not OmegaConf.has_resolver("repo"):
        OmegaConf.register_new_resolver("repo", lambda: str(REPO_ROOT))


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
    name = _plugin_name(node, group)
    prefix = group if group == "data" else f"{group}.{entry if isinstance(entry, str) else name}"
    missing = sorted(OmegaConf.missing_keys(node))
    if missing:
        sets = " ".join(f"{prefix}.{key}=..." for key in missing)
        raise ConfigError(f"cannot build {group} '{name}': no value set for "
                          f"{', '.join(missing)}: set {sets}")
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
    check_types(cls, OmegaConf.to_container(node, resolve=True), prefix)


def check_types(cls: Any, settings: dict[str, Any], prefix: str) -> None:
    """Refuse a setting whose value does not have the type the constructor declares.

    ``model.lead3.k=two`` would otherwise fail inside the model with Python's
    words (``'<' not supported between 'str' and 'int'``) or, worse, run.

    Raises:
        ConfigError: naming the key, the value and the type it takes.

    """
    import typing

    try:
        hints = typing.get_type_hints(cls.__init__)
    except Exception:  # noqa: BLE001 - unresolvable annotations: nothing to check against
        return
    for key, value in settings.items():
        hint = hints.get(str(key))
        if hint is not None and not _has_type(value, hint):
            raise ConfigError(f"{prefix}.{key}={value!r}: {key} takes {_type_name(hint)}")


def _has_type(value: Any, hint: Any) -> bool:
    """Whether ``value`` (a plain config value) fits the annotation ``hint``."""
    import types
    import typing

    origin = typing.get_origin(hint)
    if hint is Any or isinstance(hint, typing.TypeVar):
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_has_type(value, h) for h in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:  # data.name=2020 reaches here as an int: a name all the same
        return isinstance(value, str | int | float) and not isinstance(value, bool)
    base = origin or hint
    if base in (list, tuple, typing.Sequence) or base is collections.abc.Sequence:
        return isinstance(value, list | tuple)
    if base in (dict, typing.Mapping) or base is collections.abc.Mapping:
        return isinstance(value, dict)
    return True  # a class the config cannot hold (encoders, backends): built elsewhere


def _type_name(hint: Any) -> str:
    """``an int``, ``a float``, ``a str or null``: how a message names a type."""
    import types
    import typing

    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        names = [_type_name(h) for h in typing.get_args(hint) if h is not type(None)]
        none = type(None) in typing.get_args(hint)
        return " or ".join(names) + (" or null" if none else "")
    names = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}
    if hint in names:
        return names[hint]
    return f"a {getattr(typing.get_origin(hint) or hint, '__name__', str(hint))}"


def check_run_config(cfg: DictConfig) -> None:
    """Refuse what composition lets through, before any work.

    - top-level keys the schema does not have (added with ``+``);
    - ``limit``, ``sample``, ``batch_size``, ``workers``, ``progress_every`` and
      ``seed`` below their minimum;
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
    for key, smallest in MINIMUMS.items():
        value = cfg.get(key)
        if value is not None and value < smallest:
            raise ConfigError(f"{key}={value}: {key} must be at least {smallest}"
                              + (f" (or null: {NULLABLE[key]})" if key in NULLABLE else ""))
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
        raise ConfigError(f"cannot build {group} '{_plugin_name(node, group)}': {cause}") from exc


def _plugin_name(node: DictConfig, group: str) -> str:
    """How messages name a plugin: its ``name``, or its class for a data source.

    A data source's ``name`` is the dataset's configuration (``3.0.0``), not the source's.
    """
    target = str(node["_target_"])
    if group == "data":
        return target.rpartition(".")[2]
    return str(node.get("name") or target)


def _takes(cls: Any, name: str) -> bool:
    import inspect

    try:
        return name in inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return False
