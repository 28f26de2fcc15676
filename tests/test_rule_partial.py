"""Rule kinds made partial: ``harness.stance.demote``, the stance file's ``partial_kinds``,
and how ``scripts/train_stance.py`` chooses them."""

import sys

import numpy as np
import pytest

from harness.headline import HeadlineChecker
from harness.stance import PARAMS, Finding, StanceModel, demote
from tests.conftest import REPO
from tests.test_headline import RESIGN

sys.path.insert(0, str(REPO / "scripts"))
import train_stance as ts  # noqa: E402


def test_demote_makes_only_the_listed_kinds_partial():
    found = [Finding("denial", True, "d"), Finding("negation", True, "n"),
             Finding("name", False, "m")]
    out = demote(found, frozenset({"denial", "name"}))
    assert [(f.kind, f.disputes, f.reason) for f in out] == [
        ("denial", False, "d"), ("negation", True, "n"), ("name", False, "m")]
    assert demote(found, frozenset()) == found


def test_shipped_model_makes_no_kind_partial():
    assert StanceModel().partial_kinds == frozenset()


@pytest.mark.slow
def test_partial_kind_in_the_stance_file_changes_the_verdict(tmp_path):
    with np.load(PARAMS) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["partial_kinds"] = np.array(["denial"])
    path = tmp_path / "stance.npz"
    np.savez(path, **arrays)
    head = "Minister Harlow denies resigning"
    shipped = HeadlineChecker(agreement_model=None).check(head, RESIGN)
    partial = HeadlineChecker(stance_path=str(path), agreement_model=None).check(head, RESIGN)
    assert shipped["verdict"] == "disputed"
    assert partial["verdict"] == "partly supported"
    assert partial["reasons"] == shipped["reasons"]  # the finding stays, as a gap
    assert partial["headline_support"] > shipped["headline_support"]


def _pairs(kinds_per_pair):
    """Related pairs the stance model reads as agreeing, with the given disputing findings."""
    n = len(kinds_per_pair)
    pr = np.tile([0.05, 0.8, 0.05, 0.1], (n, 1))
    extra = [(1.0, [Finding(k, True, k) for k in kinds]) for kinds in kinds_per_pair]
    return pr, np.full(n, 0.9), extra


def test_choose_partial_keeps_a_kind_that_helps_fnc1_and_costs_no_corruption(capsys):
    # FNC-1: "x" fires on four pairs that discuss the claim (a gap, not a dispute);
    # "y" on two disagreeing pairs and on one agreeing pair.
    pr, asserts, extra = _pairs([["x"]] * 4 + [["y"]] * 3 + [[]] * 4)
    gold = np.array(["discuss"] * 4 + ["disagree"] * 2 + ["agree"] * 5, dtype=object)
    real = _pairs([[]] * 10)
    # The corruptions: "y" catches the negation ones; "x" none.
    cpr, cas, cextra = _pairs([["y"]] * 3 + [[]] * 3)
    ckinds = np.array(["negation"] * 3 + ["antonym"] * 3)
    chosen, _ = ts.choose_partial((pr, asserts), real, gold, extra, (cpr, cas, cextra), ckinds)
    assert chosen == frozenset({"x"})
    out = capsys.readouterr().out
    assert "+ y" in out and "(not kept)" in out and "kept: x" in out
