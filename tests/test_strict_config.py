"""Issue 14, strict configuration: every unknown key exits 2 with a suggestion, before any work.

The run command is called in this process (``harness.cli.main``): each case
fails before the first article is read, so no folder gets rows.
"""

from __future__ import annotations

import pytest
from hydra import compose, initialize_config_dir

from harness import cli
from harness.config import ConfigError, check_run_config, config_dir, register

# In this process: Hydra must not point logging handlers at pytest's captured streams.
QUIET = ["hydra/job_logging=none", "hydra/hydra_logging=none"]


def _compose(*overrides: str):
    register()  # the configuration step's first part: the schema and the ${repo:} resolver
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        return compose("config", overrides=list(overrides))


@pytest.mark.parametrize(("args", "message"), [
    # Misspelt top-level key: Hydra's advice "+limt=5" is refused as well.
    (["limt=5"], "unknown key 'limt'. Did you mean 'limit'?"),
    (["+limt=5"], "unknown key 'limt'. Did you mean 'limit'?"),
    # The old per-model form, which was silently ignored, now says what to write.
    (["+model_args.k=2"], "Per-model settings are model.NAME.KEY"),
    (["+model_args.lead4.k=2"], "Per-model settings are model.NAME.KEY"),
    # Per-model settings: unknown model, unknown key, with or without +.
    (["model.lead4.k=2"], "unknown key 'model.lead4'. Did you mean 'lead3'?"),
    (["model.lead3.kk=2"], "unknown key 'model.lead3.kk'. Did you mean 'k'?"),
    (["+model.lead3.kk=2"], "cannot build model 'lead3': got an unexpected keyword argument "
                            "'kk'. Did you mean 'k'?"),
    # A setting of a model that does not run would be ignored: refused.
    (["model.textrank.k=2"], "model.textrank is set but textrank is not in models=[lead3]"),
    # Metric and data settings.
    (["metric.rouge.use_stemer=false"], "Did you mean 'use_stemmer'?"),
    (["+metric.rouge.use_stemer=false"], "Did you mean 'use_stemmer'?"),
    (["data.pth=x"], "unknown key 'data.pth'. Did you mean 'path'?"),
    (["+data.pth=x"], "Did you mean 'path'?"),
])
def test_unknown_keys_exit_2_with_a_suggestion(tmp_path, capsys, args, message):
    out = tmp_path / "run"
    code = cli.main(["run", "models=[lead3]", *args, *QUIET, f"hydra.run.dir={out}"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err
    assert "Traceback" not in err
    assert not (out / "articles.jsonl").exists()


def test_per_model_override_reaches_the_model():
    cfg = _compose("models=[lead3]", "model.lead3.k=2")
    check_run_config(cfg)
    from harness.config import build

    model = build("lead3", "model", cfg.model)
    assert model.k == 2


def test_default_config_passes_the_strict_check():
    check_run_config(_compose())
    check_run_config(_compose("experiment=bbc_dev"))


def test_setting_of_a_model_that_does_not_run_is_refused():
    with pytest.raises(ConfigError, match="textrank is not in models"):
        check_run_config(_compose("models=[lead3]", "model.textrank.k=5"))


def test_missing_model_weights_exit_2_before_cleaning(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "run"
    code = cli.main(["run", "models=[distilbart_cnn]", *QUIET, f"hydra.run.dir={out}"])
    err = capsys.readouterr().err
    assert code == 2
    assert "model 'distilbart_cnn' is not available" in err
    assert "HF_HUB_OFFLINE is set" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1  # one paragraph
    assert not (out / "articles.jsonl").exists()


def test_missing_model_folder_exit_2(tmp_path, capsys):
    out = tmp_path / "run"
    code = cli.main(["run", "models=[smollm2]", f"model.smollm2.model={tmp_path}/nowhere",
                     *QUIET, f"hydra.run.dir={out}"])
    err = capsys.readouterr().err
    assert code == 2
    assert "does not exist" in err and "Traceback" not in err
    assert not (out / "articles.jsonl").exists()
