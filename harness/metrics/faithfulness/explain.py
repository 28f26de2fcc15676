"""The wording of a sentence's reasons: why it lost points, most costly first."""

from __future__ import annotations

import numpy as np

from harness.metrics.faithfulness.features import FEATURES, SentenceCheck

# Plain words for the features a reason may name.
_REASON = {
    "support": "weak support: little of it matches the closest article passage",
    "content_precision": "words not in the article",
    "bigram_precision": "word pairs not in the article",
    "trigram_precision": "phrases not in the article",
    "window_content": "words not in the closest article passage",
    "novel_words": "words not in the article",
    "novel_names": "names not in the article",
    "novel_numbers": "numbers not in the article",
    "negation_mismatch": "negation differs from the closest article passage",
}


def sentence_reasons(check: SentenceCheck, contrib: np.ndarray | None,
             names: tuple[str, ...] = FEATURES) -> list[str]:
    """Why the sentence lost points, most costly first."""
    out: list[str] = []
    if check.bad_numbers:
        out.append("numbers not in the article: " + ", ".join(check.bad_numbers))
    if check.bad_entities:
        out.append("names not in the article: " + ", ".join(check.bad_entities))
    if check.novel:
        out.append("words not in the article: " + ", ".join(check.novel[:8]))
    out += check.changes
    if check.features["negation_mismatch"] and not any(
            c.startswith("negation") for c in check.changes):
        out.append(_REASON["negation_mismatch"])
    if check.contradicted_by:
        out.append("contradicted by the article: " + check.contradicted_by)
    elif check.features.get("entail", 1.0) < 0.5:
        out.append("no article passage entails it")
    if contrib is not None:
        for i in np.argsort(contrib):
            name = names[i]
            if contrib[i] < -0.25 and name in _REASON and not any(
                    r.startswith(_REASON[name].split(":")[0]) for r in out):
                out.append(_REASON[name])
    elif check.support < 0.5:
        out.append(_REASON["support"])
    return out
