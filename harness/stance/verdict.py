"""The headline check's verdict: the two models' probabilities and the rule findings, combined.

``decide`` gives one of ``unrelated``, ``no claim``, ``disputed``,
``supported``, ``partly supported`` and the ``headline_support`` score. A
disputing rule always overrides the models, so a headline the evidence
contradicts is never ``supported``.
"""

from __future__ import annotations

import numpy as np

from harness.stance.rules import Finding

# Multiplier of headline_support per finding: a disputing finding cuts it to a
# third, a partial one by a quarter, clickbait by half (round values set by hand,
# not fitted).
DISPUTE_FACTOR, PARTIAL_FACTOR, CLICKBAIT_FACTOR = 0.35, 0.75, 0.5


def findings_factor(findings: list[Finding]) -> float:
    """The product of the findings' factors on ``headline_support``."""
    factor = 1.0
    for f in findings:
        factor *= (CLICKBAIT_FACTOR if f.kind == "clickbait"
                   else DISPUTE_FACTOR if f.disputes else PARTIAL_FACTOR)
    return factor


def demote(findings: list[Finding], kinds: frozenset[str]) -> list[Finding]:
    """The findings with those of ``kinds`` made partial (they no longer dispute).

    ``kinds`` are the stance model's ``partial_kinds``: rules whose dispute
    ``scripts/train_stance.py`` found, out of fold, to mark a gap in the body
    rather than a contradiction (docs/headline.md).
    """
    return [Finding(f.kind, False, f.reason) if f.disputes and f.kind in kinds else f
            for f in findings]


def model_disputes(proba: np.ndarray, thresholds: dict[str, float]) -> bool:
    """Whether the stance model itself reads disagreement: P(disagree | related) >= ``disagree``."""
    rel = max(1.0 - float(proba[0]), 1e-9)
    return float(proba[2]) / rel >= thresholds["disagree"]


def decide(proba: np.ndarray, asserts: float, findings: list[Finding], idf_share: float,
           thresholds: dict[str, float]) -> tuple[str, float]:
    """Verdict and ``headline_support`` from the two models and the rule findings.

    ``proba`` are the stance model's four probabilities and ``asserts`` the
    assertion model's P(agree | related). ``unrelated`` when P(related) <
    ``related``; else ``no claim`` for clickbait; else ``disputed`` when a rule
    disputes the claim or P(disagree | related) >= ``disagree``; else
    ``supported`` when no rule found a gap and ``asserts`` >= ``agree``; else
    ``partly supported``.

    The support score is (P(agree) + P(discuss) / 2) x the findings' factors x
    (0.5 + 0.5 x the idf-weighted share of the headline's content stems in the
    body), so that of two otherwise equal headlines the one whose words the
    body uses ranks higher.
    """
    p_unrel, p_agree, _, p_disc = (float(v) for v in proba)
    rel = max(1.0 - p_unrel, 1e-9)
    kinds = {f.kind for f in findings}
    support = (p_agree + 0.5 * p_disc) * (0.5 + 0.5 * idf_share) * findings_factor(findings)
    if rel < thresholds["related"]:
        verdict = "unrelated"
    elif "clickbait" in kinds:
        verdict = "no claim"
    elif any(f.disputes for f in findings) or model_disputes(proba, thresholds):
        verdict = "disputed"
    elif asserts >= thresholds["agree"] and not findings:
        verdict = "supported"
    else:
        verdict = "partly supported"
    return verdict, float(np.clip(support, 0.0, 1.0))
