"""The headline check's agreement: the stance cross-encoder, its weight, its training recipe."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from harness import support
from harness.commands import headline as headline_cmd
from harness.headline import (
    HeadlineChecker,
    agreement_upholds,
    agreement_window,
    load_agreement_params,
    with_agreement,
)
from harness.stance import LABELS, model_disputes
from tests.test_headline import BODY, OTHER, RESIGN
from tests.test_support import TRAIN, _tiny_corpora, tiny_base  # noqa: F401  (fixture)

CLAIM = "Cities should ban cars from their centres."
FOR = ("Banning cars from city centres cuts air pollution and makes the streets safer for "
       "children and cyclists.")
AGAINST = ("A ban on cars would ruin the shops in the centre and cut off older people who "
           "cannot walk or cycle far.")


def test_agreement_weighs_the_score_as_a_power():
    assert with_agreement(0.6, 0.9, 0.0) == pytest.approx(0.6)
    assert with_agreement(0.6, 0.25, 1.0) == pytest.approx(0.15)
    assert with_agreement(0.6, 0.25, 2.0) == pytest.approx(0.6 * 0.0625)
    # An unread (unrelated) pair takes the neutral 0.5.
    assert with_agreement(0.6, None, 1.0) == pytest.approx(0.3)
    assert with_agreement(0.6, 0.0, 1.0) >= 0.0


def test_agreement_window_is_the_best_two_sentences_in_body_order():
    assert agreement_window([5, 2, 7], 9) == (2, 5)
    assert agreement_window([0], 1) == (0,)


def test_agreement_weight_file_errors_name_the_file(tmp_path):
    missing = tmp_path / "none.json"
    with pytest.raises(RuntimeError, match="none.json"):
        load_agreement_params(missing)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"exponent": -1}), encoding="utf-8")
    with pytest.raises(RuntimeError, match="outside"):
        load_agreement_params(bad)
    assert load_agreement_params()["exponent"] >= 0.0


def test_shipped_stance_adapter_reads_a_perspective_for_and_against():
    model = support.SupportModel(support.STANCE_PARAMS)
    assert support.STANCE_PARAMS.stat().st_size < 5 * 1024 * 1024
    assert model.config["recipe"]["task"] == "stance"
    pro, con = model.predict([(FOR, CLAIM), (AGAINST, CLAIM)])
    agree = [p[support.ENTAILED] / (p[support.ENTAILED] + p[support.CONTRADICTED])
             for p in (pro, con)]
    assert agree[0] > 0.5 > agree[1], (pro, con)


@pytest.fixture(scope="module")
def checker():
    return HeadlineChecker()


def test_checker_reports_agreement_and_weighs_the_score(checker):
    out = checker.check("Acme to build new factory in Ohio", BODY)
    assert 0.0 <= out["agreement"] <= 1.0
    plain = HeadlineChecker(agreement_model=None).check("Acme to build new factory in Ohio",
                                                        BODY)
    assert "agreement" not in plain
    assert out["verdict"] == plain["verdict"]
    assert out["headline_support"] == pytest.approx(
        with_agreement(plain["headline_support"], out["agreement"],
                       checker.agreement_exponent))
    # An unrelated headline is not read.
    assert checker.check("Acme to build new factory in Ohio", OTHER)["agreement"] is None


def test_cli_leaves_agreement_out_on_request(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "headline": "Acme to build new factory in Ohio",
                               "article": BODY}) + "\n", encoding="utf-8")
    for flag, present in (([], True), (["--no-agreement"], False)):
        out = tmp_path / f"out{len(flag)}.jsonl"
        assert headline_cmd.main([str(src), "-o", str(out), *flag]) == 0
        row = json.loads(out.read_text(encoding="utf-8"))
        assert ("agreement" in row) is present


def _tiny_perspectrum(root):
    data = root / "data" / "dataset"
    data.mkdir(parents=True)
    claims, pool, split = [], [], {}
    for c in range(6):
        persps = []
        for k, stance in enumerate(("SUPPORT", "UNDERMINE")):
            pids = [100 * c + 10 * k + j for j in range(2)]
            pool += [{"pId": p, "text": f"Perspective {p} on claim {c}, {stance.lower()}."}
                     for p in pids]
            persps.append({"pids": pids, "stance_label_3": stance})
        claims.append({"cId": c, "text": f"Claim number {c} should hold.",
                       "perspectives": persps})
        split[str(c)] = ("train", "train", "train", "dev", "test", "test")[c]
    (data / "perspectrum_with_answers_v1.0.json").write_text(json.dumps(claims), "utf-8")
    (data / "perspective_pool_v1.0.json").write_text(json.dumps(pool), "utf-8")
    (data / "dataset_split_v1.0.json").write_text(json.dumps(split), "utf-8")
    return root


def test_stance_recipe_trains_on_train_claims_and_never_reads_test(tiny_base, tmp_path):  # noqa: F811
    corpora = _tiny_corpora(tmp_path / "corpora")
    persp = _tiny_perspectrum(tmp_path / "perspectrum")
    common = [sys.executable, str(TRAIN), "--task", "stance", "--corpora", str(corpora),
              "--base", str(tiny_base), "--steps", "2", "--batch-size", "4", "--rank", "2",
              "--alpha", "4", "--head-width", "8", "--threads", "1", "--nli-pairs", "4",
              "--work", str(tmp_path / "w"), "--out", str(tmp_path / "s.st")]
    refused = subprocess.run(common, capture_output=True, text=True, timeout=600, check=False)
    assert refused.returncode == 2 and "--perspectrum" in refused.stderr
    run = subprocess.run([*common, "--perspectrum", str(persp), "--synthetic", "5"],
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "perspectrum_support vs perspectrum_undermine" in run.stdout
    rows = [json.loads(line) for line in (tmp_path / "w" / "data.jsonl").open()]
    persp_rows = [r for r in rows if r["source"].startswith("perspectrum")]
    groups = {r["group"]: r["held_out"] for r in persp_rows}
    # Train claims 0-2 with every wording, dev claim 3 held out with one wording; no test claim.
    assert groups == {"perspectrum-0": False, "perspectrum-1": False, "perspectrum-2": False,
                      "perspectrum-3": True}
    assert len(persp_rows) == 3 * 4 + 2
    # --synthetic: that many of the support recipe's news pairs, never from BBC.
    syn = [r for r in rows if r["source"].startswith("syn_")]
    assert len(syn) == 5
    assert all(r["group"].startswith(("wcxb-", "fnc1-body-")) for r in syn)
    assert {r["label"] for r in syn} <= {"entailed", "contradicted", "neither"}
    saved = support.SupportModel(tmp_path / "s.st", base=tiny_base)
    assert saved.config["recipe"]["task"] == "stance"


def test_rule_gate_file_values(tmp_path):
    assert load_agreement_params()["rule_dispute_below"] is None or (
        0.0 <= load_agreement_params()["rule_dispute_below"] <= 1.0)
    path = tmp_path / "gate.json"
    path.write_text(json.dumps({"exponent": 0.5}), encoding="utf-8")
    assert load_agreement_params(path)["rule_dispute_below"] is None
    path.write_text(json.dumps({"exponent": 0.5, "rule_dispute_below": 1.5}), encoding="utf-8")
    with pytest.raises(RuntimeError, match="gate.json.*rule_dispute_below"):
        load_agreement_params(path)


def test_agreement_upholds_a_rule_dispute_only_below_the_gate():
    assert agreement_upholds(0.9, None)
    assert agreement_upholds(None, 0.5)  # an unread pair keeps the rule's verdict
    assert agreement_upholds(0.3, 0.5)
    assert not agreement_upholds(0.5, 0.5)


def _gated_checker(tmp_path, gate):
    path = tmp_path / f"gate{gate}.json"
    path.write_text(json.dumps({"exponent": 0.5, "rule_dispute_below": gate}), "utf-8")
    return HeadlineChecker(agreement_params=str(path))


def test_rule_gate_turns_only_rule_disputes_into_partly_supported(tmp_path):
    head = "Harlow has not resigned, says minister"  # the negation rule disputes it
    always = _gated_checker(tmp_path, 0.0)  # every reading is at or above the gate
    never = _gated_checker(tmp_path, 1.0)  # no reading is
    gated, kept = always.check(head, RESIGN), never.check(head, RESIGN)
    assert kept["verdict"] == "disputed", kept
    assert gated["verdict"] == "partly supported", gated
    # The finding is still reported, and the score does not depend on the gate.
    assert gated["reasons"] == kept["reasons"] and gated["reasons"]
    assert gated["headline_support"] == pytest.approx(kept["headline_support"])
    # A verdict the stance model itself disputes is never gated.
    proba = np.array([kept["stance"][name] for name in LABELS])
    assert not model_disputes(proba, always.model.thresholds)
    assert model_disputes(np.array([0.1, 0.1, 0.7, 0.1]), always.model.thresholds)
