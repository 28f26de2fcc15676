"""Headline check: does the article body support what its headline claims.

Relatedness alone ("is this headline about the article?") calls a headline
that reverses the story "supported". The check therefore combines

- a learned stance model (``harness.stance.model.StanceModel``, fitted on
  FNC-1 train by ``scripts/train_stance.py``): MiniLM similarities of the
  headline to the best body sentences, lexical overlap, refuting / hedging /
  negation cues, cosines to stance prototype sentences and idf-weighted
  overlap (``harness.stance.features``), into P(unrelated, agree, disagree,
  discuss); and
- claim-checking rules (``harness.stance.rules.rule_findings``): direction
  words whose opposite the body uses, numbers the body contradicts or lacks, names
  the body never mentions, negation and denial the headline adds or the body
  puts on a headline word, hedged evidence stated as fact, exaggeration,
  swapped roles, and clickbait with no checkable claim.

Verdicts (``harness.stance.verdict.decide``): ``unrelated``, ``no claim``,
``disputed``, ``supported``, ``partly supported``. A disputing rule always
overrides the model, so a headline the evidence contradicts is never
``supported``. docs/headline.md describes the rules, the model and its figures.

Long bodies are windowed (``harness.stance.prepare.window``): the first 40
sentences plus the later ones that share the most headline words, 120
sentences at most.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from harness.embed import load_encoder
from harness.lru import LRU
from harness.stance import (
    IDF_BODY,
    LABELS,
    StanceModel,
    Text,
    decide,
    demote,
    features,
    model_disputes,
    prepare_body,
    prepare_headline,
    subset,
    window,
)
from harness.text import english_share

BODY_CACHE = 256  # prepared bodies kept (a few kB each)
#: The cross-encoder verdict's thresholds, chosen out of fold by
#: ``scripts/fit_headline.py`` (docs/headline.md).
SUPPORT_PARAMS = Path(__file__).resolve().parent / "params" / "headline_support.json"
#: Evidence sentences the cross-encoder reads one by one (and the best two together).
SUPPORT_WINDOWS = 3


AGREEMENT_PARAMS = Path(__file__).resolve().parent / "params" / "headline_agreement.json"
#: ``agreement`` of a pair the stance cross-encoder does not read (an unrelated one).
NEUTRAL_AGREEMENT = 0.5

#: The cross-encoder's evidence for a headline it does not read (an unrelated one).
NO_READING = {"entail": 0.0, "contradict": 0.0, "entailed_by": "", "contradicted_by": ""}


def support_windows(order, n_sents: int) -> list[tuple[int, ...]]:
    """The body windows the cross-encoder reads.

    The top evidence sentences one by one, the best two together in body order,
    and the body's opening two sentences.
    """
    top = [int(i) for i in order[:SUPPORT_WINDOWS]]
    out = [(i,) for i in top]
    if len(top) >= 2:
        out.append(tuple(sorted(top[:2])))
    out.append(tuple(range(min(2, n_sents))))
    return list(dict.fromkeys(out))


def agreement_window(order, n_sents: int) -> tuple[int, ...]:
    """The body window the stance cross-encoder reads: the best two evidence sentences, in order."""
    return tuple(sorted(int(i) for i in order[:2])) if n_sents > 1 else (0,)


def load_agreement_params(path: str | Path | None = None) -> dict:
    """The weight of ``agreement`` in ``headline_support`` (``exponent``) and the rule gate.

    ``rule_dispute_below``: a rule's dispute makes the verdict ``disputed`` only
    while ``agreement`` is below it (None or absent: always).
    """
    path = Path(path) if path else AGREEMENT_PARAMS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        exponent = float(data["exponent"])
        gate = data.get("rule_dispute_below")
        gate = None if gate is None else float(gate)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RuntimeError(f"headline agreement weight {path}: {exc} "
                           "(scripts/fit_headline_agreement.py writes it)") from exc
    if not 0.0 <= exponent <= 10.0:
        raise RuntimeError(f"headline agreement weight {path}: exponent {exponent} "
                           "is outside [0, 10]")
    if gate is not None and not 0.0 <= gate <= 1.0:
        raise RuntimeError(f"headline agreement weight {path}: rule_dispute_below {gate} "
                           "is outside [0, 1]")
    return {"exponent": exponent, "rule_dispute_below": gate}


def load_support_params(path: str | Path | None = None) -> dict:
    """The cross-encoder verdict's thresholds (``entail``, ``contradict``, ``rules``)."""
    path = Path(path) if path else SUPPORT_PARAMS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {"entail": float(data["entail"]), "contradict": float(data["contradict"]),
                "rules": str(data.get("rules", "all"))}
    except (OSError, ValueError, KeyError) as exc:
        raise RuntimeError(f"headline support thresholds {path}: {exc} "
                           "(scripts/fit_headline.py writes them)") from exc



class HeadlineChecker:
    """Judges whether an article body supports its headline."""

    def __init__(self, model_path: str | None = None, top_k: int = 3,
                 stance_path: str | None = None, support_model: str | None = None,
                 support_params: str | None = None,
                 agreement_model: str | None = "default",
                 agreement_params: str | None = None):
        """Load the encoder (``model_path``: a MiniLM folder) and the stance model once.

        ``top_k`` evidence sentences are returned; ``stance_path`` overrides the
        shipped ``harness/params/stance.npz``. ``support_model`` is the entailment
        cross-encoder (:mod:`harness.support`: "default" for the shipped one or a
        path) whose reading then decides the verdict; None (the default: it did
        not beat the stance model on the dev data, docs/headline.md) keeps the
        stance model's verdicts. ``support_params`` overrides its thresholds.
        ``agreement_model`` is the stance cross-encoder ("default": the shipped
        ``stance_support.safetensors``, a path, or None for none) whose reading of
        whether the body argues for or against the headline (``agreement``)
        weighs ``headline_support``; ``agreement_params`` overrides that weight
        and the rule gate (``rule_dispute_below``: above it, a dispute that only a
        rule made is ``partly supported``; none is set, docs/headline.md).
        """
        if top_k < 1:
            raise ValueError("top_k must be at least 1")
        self.encoder = load_encoder(model_path)
        self.model = StanceModel(stance_path)
        self.top_k = top_k
        self.support = None
        self.support_params: dict | None = None
        if support_model is not None:
            from harness.support import SupportModel, shipped

            self.support = shipped() if support_model == "default" else SupportModel(
                support_model)
            self.support_params = load_support_params(support_params)
        self.agreement = None
        self.agreement_exponent = 0.0
        self.rule_dispute_below: float | None = None
        if agreement_model is not None:
            from harness.support import STANCE_PARAMS, SupportModel

            # One pair per check, read with the process's threads: on 2 cores two
            # threads read a single pair about 30 % faster than one.
            self.agreement = SupportModel(STANCE_PARAMS if agreement_model == "default"
                                          else agreement_model, threads=None)
            params = load_agreement_params(agreement_params)
            self.agreement_exponent = params["exponent"]
            self.rule_dispute_below = params["rule_dispute_below"]
        # Prepared bodies by text: a body checked against many headlines (FNC-1
        # pairs, a headline and its variants) is split and indexed once.
        self._bodies: LRU[str, Text] = LRU(BODY_CACHE)

    def _body(self, text: str) -> Text:
        body = self._bodies.get(text)
        if body is None:
            body = prepare_body(text)
            self._bodies.put(text, body)
        return body

    def check(self, headline: str, article_text: str) -> dict:
        """Judge one headline against its article body.

        Returns ``headline_support`` in [0, 1], ``verdict``, ``evidence`` (the
        best body sentences, best first), ``reasons`` (one string per rule
        finding), ``relatedness`` (P(related)), ``stance`` (the stance model's four
        probabilities) and ``asserts`` (the assertion model's P(agree | related)).

        Raises:
            ValueError: when the headline has no words or the body no sentences, or
                either is mostly in a script other than Latin (the check is English).

        """
        if not isinstance(headline, str) or not isinstance(article_text, str):
            raise ValueError("headline and article must be strings")
        for what, text in (("headline", headline), ("article", article_text[:2000])):
            if english_share(text) < 0.5:
                raise ValueError(f"the headline check reads English only, and the {what} is "
                                 "mostly in another script: no verdict")
        body, x, order, findings, proba = self.read(headline, article_text)
        asserts = float(self.model.assertion(x)[0])
        out = {"evidence": [body.sents[int(i)] for i in order[: self.top_k]]}
        unrelated = 1.0 - float(proba[0]) < self.model.thresholds["related"]
        if self.support is None:
            verdict, support = decide(proba, asserts, findings, float(x[IDF_BODY]),
                                      self.model.thresholds)
        else:
            # An unrelated headline needs no reading: its verdict is "unrelated" whatever
            # the cross-encoder would say (and three quarters of FNC-1's pairs are).
            nli = NO_READING if unrelated else self.read_support(headline, body, order)
            verdict, support, findings = decide_with_support(
                proba, findings, float(x[IDF_BODY]), nli, self.model.thresholds,
                self.support_params)
            out.update(entailment=nli["entail"], contradiction=nli["contradict"],
                       entailed_by=nli["entailed_by"])
            if nli["contradict"] >= self.support_params["contradict"]:
                out["contradicted_by"] = nli["contradicted_by"]
        if self.agreement is not None:
            agreement = None if unrelated else self.read_agreement(headline, body, order)
            out["agreement"] = agreement
            support = with_agreement(support, agreement, self.agreement_exponent)
            if self.support is None:  # the cross-encoder's verdict has gates of its own
                verdict = gated_verdict(verdict, not model_disputes(proba, self.model.thresholds),
                                        agreement, self.rule_dispute_below)
        out.update({
            "headline_support": support,
            "verdict": verdict,
            "reasons": [f.reason for f in findings],
            "relatedness": float(1.0 - proba[0]),
            "stance": {name: float(p) for name, p in zip(LABELS, proba, strict=True)},
            "asserts": asserts,
        })
        return {k: out[k] for k in ("headline_support", "verdict", "evidence", "reasons",
                                    "relatedness", "stance", "asserts", "agreement", "entailment",
                                    "contradiction", "entailed_by", "contradicted_by")
                if k in out}

    def read(self, headline: str, article_text: str) -> tuple:
        """The body as read, the features, evidence order, rule findings and stance."""
        head = prepare_headline(headline)
        full = self._body(article_text)
        body = subset(full, window(head, full))
        vecs = self.encoder.encode([*head.sents, *body.sents])
        head.vecs, body.vecs = vecs[:1], vecs[1:]
        x, order, findings = features(head, body, self.model.res)
        findings = demote(findings, self.model.partial_kinds)
        return body, x, order, findings, self.model.proba(x)[0]

    def read_agreement(self, headline: str, body: Text, order) -> float:
        """The stance cross-encoder's P(entailed) / (P(entailed) + P(contradicted)).

        It reads the headline against the best two evidence sentences: near 1 when
        the body argues for the headline, near 0 when it argues against it.
        """
        text = " ".join(body.sents[j] for j in agreement_window(order, len(body.sents)))
        p = self.agreement.predict([(text, headline.strip())])[0]
        return float(p[0] / max(float(p[0] + p[1]), 1e-9))

    def read_support(self, headline: str, body: Text, order) -> dict:
        """The cross-encoder on the headline against the body's windows.

        ``entail`` is the highest P(entailed), ``contradict`` the highest
        P(contradicted), each with the window that gave it.
        """
        windows = support_windows(order, len(body.sents))
        texts = [" ".join(body.sents[j] for j in w) for w in windows]
        probs = self.support.predict([(t, headline.strip()) for t in texts])
        best, worst = int(np.argmax(probs[:, 0])), int(np.argmax(probs[:, 1]))
        return {"entail": float(probs[best, 0]), "contradict": float(probs[worst, 1]),
                "entailed_by": texts[best], "contradicted_by": texts[worst]}


def agreement_upholds(agreement: float | None, below: float | None) -> bool:
    """Whether a rule's dispute stands: no gate, no reading, or ``agreement`` under it."""
    return below is None or agreement is None or agreement < below


def gated_verdict(verdict: str, rules_only: bool, agreement: float | None,
                  below: float | None) -> str:
    """The verdict under the rule gate ``below`` (``rule_dispute_below``).

    A ``disputed`` verdict that only the rules made (``rules_only``: the stance
    model's P(disagree) did not) and that ``agreement`` does not uphold becomes
    ``partly supported``: the stance cross-encoder reads the body as arguing for
    the headline, so the rule's catch is a gap, not a contradiction.
    """
    if verdict == "disputed" and rules_only and not agreement_upholds(agreement, below):
        return "partly supported"
    return verdict


def with_agreement(support: float, agreement: float | None, exponent: float) -> float:
    """``headline_support`` x ``agreement`` ** ``exponent`` (an unread pair: 0.5)."""
    value = NEUTRAL_AGREEMENT if agreement is None else agreement
    return float(support * max(value, 1e-9) ** exponent)


def decide_with_support(proba, findings: list, idf_share: float, nli: dict,
                        thresholds: dict[str, float], params: dict) -> tuple[str, float, list]:
    """Verdict and ``headline_support`` with the cross-encoder's evidence.

    ``unrelated`` when the stance model's P(related) is under its threshold; ``no
    claim`` for clickbait; ``disputed`` when a body window *contradicts* the
    headline (P(contradicted) >= ``contradict``) or, with ``rules: all``, a rule
    finds a contradiction (a rival number, the opposite direction, a negation or
    denial the body does not share, swapped roles); ``supported`` when a window
    entails it (P(entailed) >= ``entail``) and no rule finds a gap; else ``partly
    supported`` (a detail the body never gives is never ``disputed``). The rule
    findings returned are those the verdict used.

    The support score is P(related) x (1 + P(entailed) - P(contradicted)) / 2 x
    (0.5 + 0.5 x the idf-weighted share of the headline's content stems in the
    body), times the factor of each finding.
    """
    from harness.stance.verdict import findings_factor

    rel = float(1.0 - proba[0])
    if params["rules"] == "partial":  # rules may only cap a verdict, never dispute it
        findings = [f if not f.disputes else type(f)(f.kind, False, f.reason) for f in findings]
    kinds = {f.kind for f in findings}
    support = (rel * (1.0 + nli["entail"] - nli["contradict"]) / 2 * (0.5 + 0.5 * idf_share)
               * findings_factor(findings))
    if rel < thresholds["related"]:
        verdict = "unrelated"
    elif "clickbait" in kinds:
        verdict = "no claim"
    elif any(f.disputes for f in findings) or nli["contradict"] >= params["contradict"]:
        verdict = "disputed"
    elif nli["entail"] >= params["entail"] and not findings:
        verdict = "supported"
    else:
        verdict = "partly supported"
    return verdict, float(np.clip(support, 0.0, 1.0)), findings
