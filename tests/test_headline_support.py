"""The headline check with the shipped entailment cross-encoder: cases found by trying it."""

from __future__ import annotations

import pytest

from harness.headline import HeadlineChecker, decide_with_support
from harness.stance.rules import Finding

REMITTANCES = (
    "Mexicans living in the United States sent a record $16bn (£9bn) home last year, the "
    "Bank of Mexico said on Tuesday. The money sent home by migrant workers is the country's "
    "second largest source of foreign income after oil exports. The central bank said the "
    "total was up 20% on the year before, as more Mexicans moved north to find work."
)
RATES = (
    "The US Federal Reserve raised interest rates to 2% on Tuesday, its fifth increase this "
    "year. The quarter-point rise had been widely expected by economists. In Europe, the Bank "
    "of England kept its main rate at 4.75% for another month. Fed officials said inflation "
    "was still a risk to the economy."
)
DEAL = (
    "Negotiators from both sides reached a deal on Tuesday night after three days of talks in "
    "Geneva. The agreement ends a dispute that had lasted two years. Both delegations said the "
    "deal would be signed next week."
)
CUT = (
    "The Bank of Japan cut its key interest rate by half a point on Thursday, the first cut in "
    "seven years. The governor said the cut was needed to support growth. Markets rose after "
    "the announcement."
)
IMPLANT = (
    "Surgeons at a London hospital have fitted a tiny device inside the brain of a patient "
    "with severe epilepsy. The implant sends small electrical pulses to stop seizures before "
    "they start. Doctors said the operation took four hours and the patient is recovering."
)


@pytest.fixture(scope="module")
def checker() -> HeadlineChecker:
    return HeadlineChecker(support_model="default")


@pytest.mark.parametrize("headline, body", [
    ("Mexicans in US send $61bn home", REMITTANCES),
    ("Bank of Japan decides 'not to cut' rates", CUT),
])
def test_contradicted_headlines_are_not_supported(checker, headline, body):
    out = checker.check(headline, body)
    assert out["verdict"] != "supported", out
    real = checker.check({
        REMITTANCES: "Mexicans in US send $16bn home",
        CUT: "Bank of Japan cuts interest rates",
    }[body], body)
    assert real["headline_support"] > out["headline_support"], (real, out)


def test_true_headlines_are_supported_with_their_evidence(checker):
    out = checker.check("Mexicans in US send $16bn home", REMITTANCES)
    assert out["verdict"] == "supported", out
    assert out["entailment"] >= 0.5
    assert "16bn" in out["entailed_by"]


def test_title_case_words_are_not_reported_as_missing_names(checker):
    out = checker.check("Surgeons Fit Brain Implant To Stop Seizures", IMPLANT)
    assert not any("name" in r and ("'implant'" in r or "'fit'" in r or "'stop'" in r)
                   for r in out["reasons"]), out["reasons"]


def test_a_missing_detail_is_partly_supported_never_disputed():
    proba = [0.01, 0.6, 0.05, 0.34]
    nli = {"entail": 0.9, "contradict": 0.02, "entailed_by": "x", "contradicted_by": "y"}
    thresholds = {"related": 0.5}
    params = {"entail": 0.5, "contradict": 0.6, "rules": "all"}
    lacking = [Finding("name", False, "name 'smith' in headline is not in the body")]
    verdict, _, _ = decide_with_support(proba, lacking, 0.8, nli, thresholds, params)
    assert verdict == "partly supported"
    verdict, _, _ = decide_with_support(proba, [], 0.8, nli, thresholds, params)
    assert verdict == "supported"
    contradicted = dict(nli, entail=0.1, contradict=0.8)
    verdict, support, _ = decide_with_support(proba, [], 0.8, contradicted, thresholds, params)
    assert verdict == "disputed"
    rival = [Finding("number", True, "number 5 in headline, body says 2")]
    verdict, _, _ = decide_with_support(proba, rival, 0.8, nli, thresholds, params)
    assert verdict == "disputed"
    verdict, _, kept = decide_with_support(proba, rival, 0.8, nli, thresholds,
                                           dict(params, rules="partial"))
    assert verdict == "partly supported" and not kept[0].disputes
