"""Config composition with Hydra's compose() and the plugin contract of every config."""

from __future__ import annotations

import importlib

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from harness.config import (
    ConfigError,
    available,
    build,
    config_dir,
    register,
    resolve_plugin,
)
from harness.metrics.base import Metric, check_keys
from harness.models.base import Generation, Summarizer
from tests.fakes import TWO_ARTICLES

MODELS = available("model")
METRICS = available("metric")


def _compose(*overrides: str):
    register()  # the configuration step's first part: the schema and the ${repo:} resolver
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        return compose("config", overrides=list(overrides))


def test_default_config_composes():
    cfg = _compose()
    assert cfg.experiment_name == "seed"
    assert cfg.data._target_ == "harness.load.DirSource"
    assert cfg.data.path.endswith("data/seed")
    assert "lead3" in cfg.models


def test_experiment_bbc_dev_sets_data_and_models():
    cfg = _compose("experiment=bbc_dev")
    assert cfg.experiment_name == "bbc_dev"
    assert OmegaConf.to_container(cfg.data, resolve=True)["path"].endswith("bbc")
    assert list(cfg.models)


def test_data_override_and_models_list():
    cfg = _compose("data=jsonl", "data.path=/tmp/x.jsonl", "models=[lead3,textrank]")
    assert cfg.data._target_ == "harness.load.JsonlSource"
    assert list(cfg.models) == ["lead3", "textrank"]


def test_misspelt_key_is_an_error():
    with pytest.raises(Exception, match="seeed"):
        _compose("seeed=3")


@pytest.mark.parametrize("name", MODELS)
def test_model_config_composes(name):
    cfg = _compose(f"models=[{name}]")
    node = resolve_plugin(cfg.models[0], "model")
    module, _, cls = node._target_.rpartition(".")
    assert issubclass(getattr(importlib.import_module(module), cls), Summarizer)
    assert node.name == name, "a model config's name must equal its file name"


@pytest.mark.parametrize("name", [m for m in MODELS
                                  if "extractive" in str(resolve_plugin(m, "model")._target_)])
def test_weightless_models_run_on_two_articles(name):
    model = build(name, "model")
    generations = model.summarize(TWO_ARTICLES)
    assert len(generations) == 2
    assert all(isinstance(g, Generation) and isinstance(g.text, str) and g.text
               for g in generations)


def _needs_setting(node) -> bool:
    return any(OmegaConf.is_missing(node, k) for k in node)


@pytest.mark.parametrize("name", METRICS)
def test_metric_contract(name):
    node = resolve_plugin(name, "metric")
    if _needs_setting(node):
        pytest.skip(f"metric {name} needs a setting (e.g. a model path) to build")
    metric = build(name, "metric")
    assert isinstance(metric, Metric)
    assert metric.keys(), f"metric {name} declares no keys"
    for values in metric.score_batch([("The council approved a bridge.", TWO_ARTICLES[0]),
                                      ("Schools closed in Leeds.", TWO_ARTICLES[1])]):
        assert all(isinstance(v, float) for v in values.values())
        check_keys(metric, values)


def test_unknown_model_suggests_closest():
    with pytest.raises(ConfigError, match="Did you mean 'lead3'"):
        resolve_plugin("lead33", "model")


@pytest.mark.parametrize("launcher, target", [
    ("local", "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher"),
    ("slurm", "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher"),
])
def test_launcher_configs_compose(launcher, target):
    register()
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        cfg = compose("config", overrides=[f"hydra/launcher={launcher}"], return_hydra_config=True)
    assert cfg.hydra.launcher._target_ == target


def test_the_configuration_step_composes_every_job_of_a_sweep_before_any_runs(tmp_path):
    from harness.app import configure, sweep_jobs

    assert sweep_jobs(["model.lead3.k=1,2", "models=[lead3]", "a=x,y"]) == [
        ["model.lead3.k=1", "models=[lead3]", "a=x"], ["model.lead3.k=1", "models=[lead3]", "a=y"],
        ["model.lead3.k=2", "models=[lead3]", "a=x"], ["model.lead3.k=2", "models=[lead3]", "a=y"]]
    configs = configure(["-m", "models=[lead3]", "model.lead3.k=1,2",
                         f"hydra.sweep.dir={tmp_path / 'sweep'}"])
    assert [c.model.lead3.k for c in configs] == [1, 2] and not (tmp_path / "sweep").exists()
    with pytest.raises(Exception, match="abc"):  # the second job's value, before the first runs
        configure(["-m", "models=[lead3]", "seed=1,abc"])
    assert configure(["--cfg", "job"]) is None  # Hydra's own flags: Hydra composes


def test_the_configuration_step_names_a_run_folder_it_cannot_make(tmp_path):
    from harness.app import configure

    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError) as refused:
        configure([f"hydra.run.dir={tmp_path / 'file' / 'run'}"])
    assert refused.value.filename == str(tmp_path / "file" / "run")
    [cfg] = configure([f"hydra.run.dir={tmp_path / 'new' / 'run'}"])
    assert not (tmp_path / "new").exists()  # checked, not made
