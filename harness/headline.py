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

from collections import OrderedDict

from harness.embed import load_encoder
from harness.stance import (
    IDF_BODY,
    LABELS,
    StanceModel,
    Text,
    decide,
    features,
    prepare_body,
    prepare_headline,
    subset,
    window,
)
from harness.text import english_share

BODY_CACHE = 256  # prepared bodies kept (a few kB each)



class HeadlineChecker:
    """Judges whether an article body supports its headline."""

    def __init__(self, model_path: str | None = None, top_k: int = 3,
                 stance_path: str | None = None):
        """Load the encoder (``model_path``: a MiniLM folder) and the stance model once.

        ``top_k`` evidence sentences are returned; ``stance_path`` overrides the
        shipped ``harness/params/stance.npz``.
        """
        if top_k < 1:
            raise ValueError("top_k must be at least 1")
        self.encoder = load_encoder(model_path)
        self.model = StanceModel(stance_path)
        self.top_k = top_k
        # Prepared bodies by text: a body checked against many headlines (FNC-1
        # pairs, a headline and its variants) is split and indexed once.
        self._bodies: OrderedDict[str, Text] = OrderedDict()

    def _body(self, text: str) -> Text:
        if text in self._bodies:
            self._bodies.move_to_end(text)
            return self._bodies[text]
        body = prepare_body(text)
        self._bodies[text] = body
        if len(self._bodies) > BODY_CACHE:
            self._bodies.popitem(last=False)
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
        head = prepare_headline(headline)
        full = self._body(article_text)
        body = subset(full, window(head, full))
        vecs = self.encoder.encode([*head.sents, *body.sents])
        head.vecs, body.vecs = vecs[:1], vecs[1:]
        x, order, findings = features(head, body, self.model.res)
        proba = self.model.proba(x)[0]
        asserts = float(self.model.assertion(x)[0])
        verdict, support = decide(proba, asserts, findings, float(x[IDF_BODY]),
                                  self.model.thresholds)
        return {
            "headline_support": support,
            "verdict": verdict,
            "evidence": [body.sents[int(i)] for i in order[: self.top_k]],
            "reasons": [f.reason for f in findings],
            "relatedness": float(1.0 - proba[0]),
            "stance": {name: float(p) for name, p in zip(LABELS, proba, strict=True)},
            "asserts": asserts,
        }
