"""The headline check's feature vector: one fixed-length row per headline/body pair.

``features`` turns a prepared headline and body (``harness.stance.prepare``,
MiniLM vectors set) into the ``HAND_FEATURES`` the classifiers
(``harness.stance.model``) read, plus the evidence order and the rule
findings (``harness.stance.rules``). ``Resources`` are its corpus-derived
inputs (common words, prototype vectors, idf), built by
``scripts/train_stance.py`` with ``common_words``, ``prototype_groups`` and
``idf_table`` and shipped in the parameter file, so that training and
inference compute the very same features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.metrics.evidence import entity_supported
from harness.stance.prepare import CUES, Text, evidence_order, share
from harness.stance.rules import Finding, rule_findings
from harness.text import content_stems

# Prototype sentences of three stances. Each body sentence's MiniLM cosine to
# the nearest prototype of a group is a cue that words alone miss ("the photo
# was doctored", "there is no evidence"); written for this check from the
# stance definitions of the FNC-1 task description (fakenewschallenge.org).
PROTOTYPES = {
    "debunk": ("The story is a hoax.", "The report is false and untrue.",
               "The claim has been denied.", "It turned out to be fake.",
               "The photo was doctored.", "There is no evidence that this happened.",
               "The rumour has been debunked.", "The article was satire."),
    "confirm": ("The report has been confirmed.", "Officials confirmed the news.",
                "It is true, it really happened.", "The video shows it happened."),
    "unverified": ("It is not yet clear whether the report is true.",
                   "The claims could not be independently verified.",
                   "It was reported, according to unconfirmed reports."),
}
RULE_KINDS = ("direction", "number", "name", "denial", "negation", "body_negation", "hedge",
              "exaggeration", "roles", "clickbait")
CUE_FEATURES = ("refute", "hedge", "negation", "denial", "falsity", "confirm")
HAND_FEATURES = (
    "cos_max", "cos_top3", "cos_mean", "cos_first", "cos_body_mean", "lex_max", "lex_body",
    "entity_share", "has_entity", "number_share", "has_number", "bigram_share", "question",
    "log_sentences", "cos_over_half", "head_words",
    *(f"{c}_{k}" for c in CUE_FEATURES for k in ("frac", "top3", "near", "head")),
    *(f"proto_{g}_{k}" for g in PROTOTYPES for k in ("max", "top3", "near", "head")),
    "idf_body", "idf_best", "idf_top3", "idf_best_position",
    *(f"rule_{k}" for k in RULE_KINDS),
)
TOP_K_FEATURES = 3
IDF_BODY = HAND_FEATURES.index("idf_body")


@dataclass(frozen=True)
class Resources:
    """Corpus-derived inputs of the features, shipped in the parameter file.

    Attributes:
        common: common lower-case words of FNC-1 train bodies (``rules.common_words``).
        proto: MiniLM vectors of ``prototype_groups()``, rows in that order.
        idf: inverse document frequency of content stems over FNC-1 train
            bodies, ``log((N + 1) / (df + 1)) + 1`` (scikit-learn's smooth idf).

    """

    common: frozenset[str]
    proto: np.ndarray
    idf: dict[str, float]

    def idf_of(self, stem_: str) -> float:
        """Idf of a stem; an unseen stem gets the idf of df = 0."""
        return self.idf.get(stem_, self.idf.get("", 1.0))


def idf_table(texts: list[str]) -> dict[str, float]:
    """Smooth idf of content stems over ``texts``; key "" holds the idf of an unseen stem."""
    df: dict[str, int] = {}
    for text in texts:
        for s in set(content_stems(text)):
            df[s] = df.get(s, 0) + 1
    n = len(texts)
    out = {s: float(np.log((n + 1) / (c + 1)) + 1) for s, c in sorted(df.items()) if c >= 2}
    out[""] = float(np.log(n + 1) + 1)
    return out


def prototype_groups() -> list[str]:
    """All prototype sentences, group by group, in ``PROTOTYPES`` order."""
    return [s for group in PROTOTYPES.values() for s in group]


def features(head: Text, body: Text, res: Resources
             ) -> tuple[np.ndarray, np.ndarray, list[Finding]]:
    """The classifier's input for one pair, the evidence order and the rule findings.

    The features are the hand features of ``HAND_FEATURES``: MiniLM cosines of
    the headline to the body, lexical overlap, cue-word rates (whole body,
    top-3 evidence, the cosine of the most similar sentence with the cue, the
    headline), cosines to the stance prototypes, idf-weighted overlap and the
    rule flags.
    MiniLM vectors themselves (products of headline and evidence vectors, body
    means) were tried as extra inputs and dropped: they lowered FNC-1 dev
    agree-vs-disagree AUC (docs/headline.md).
    """
    order, cos, lex = evidence_order(head, body)
    top = [int(i) for i in order[:TOP_K_FEATURES]]
    findings = rule_findings(head, body, top, res.common)
    h_txt = head.sents[0]
    want = set(content_stems(h_txt))
    ents = head.ents
    bod_mean = body.vecs.mean(0)
    bod_unit = bod_mean / max(float(np.linalg.norm(bod_mean)), 1e-9)
    kinds = {f.kind for f in findings}
    hand = [
        float(cos.max()), float(np.mean(cos[top])), float(cos.mean()), float(cos[0]),
        float(bod_unit @ head.vecs[0]), float(lex.max()), share(want, body.all_stems),
        (sum(entity_supported(e, body.all_tokens) for e in ents) / len(ents)) if ents else 1.0,
        float(bool(ents)),
        share(head.all_nums, body.all_nums), float(bool(head.all_nums)),
        share(head.bigrams, body.bigrams),
        float("?" in h_txt), float(np.log1p(len(body.sents))), float(np.mean(cos > 0.5)),
        len(want) / 10.0,
    ]
    for c in CUE_FEATURES:
        col = CUES.index(c)
        has = body.cues[:, col] > 0
        hand += [float(np.mean(has)), float(body.cues[top, col].sum()),
                 float(np.max(np.where(has, cos, 0.0))), float(head.cues[0, col])]
    start = 0
    for group in PROTOTYPES.values():
        pv = res.proto[start: start + len(group)]
        start += len(group)
        sims = (body.vecs @ pv.T).max(1)
        hand += [float(sims.max()), float(sims[top].mean()), float((sims * cos).max()),
                 float((head.vecs[0] @ pv.T).max())]
    # Sums run in sorted stem order: set order varies with the string hash seed,
    # and float sums in another order can break the argmax's ties another way.
    weights = {s: res.idf_of(s) for s in sorted(want)}
    total = sum(weights.values()) or 1.0
    per = [sum(weights[s] for s in sorted(want & st)) / total for st in body.stems]
    best = int(np.argmax(per))
    hand += [sum(weights[s] for s in sorted(want & body.all_stems)) / total, per[best],
             float(np.mean(sorted(per)[-3:])), best / len(per)]
    hand += [float(k in kinds) for k in RULE_KINDS]
    return np.asarray(hand, dtype=np.float32), order, findings
