"""The headline check's parts: text preparation, claim rules, features, model and verdict.

Shared by ``harness.headline`` (inference) and ``scripts/train_stance.py``
(fitting), so that both compute the very same features:

- ``lexicon``: the cue word lists (refuting, denial, hedges, direction pairs, ...);
- ``prepare``: a headline or body as cached token, stem, number and cue views
  (``prepare_body``, ``prepare_headline``), long bodies windowed (``window``,
  ``subset``);
- ``rules``: the claim-checking rules (``rule_findings``);
- ``features``: the fixed-length vector the classifiers read (``features``)
  and its corpus-derived ``Resources``;
- ``model``: the two MLP ensembles and the thresholds, loaded from
  ``harness/params/stance.npz`` (``StanceModel``);
- ``verdict``: models and findings to a verdict and a score (``decide``).

This module only re-exports the names used outside the package.
"""

from harness.stance.features import (
    IDF_BODY,
    Resources,
    features,
    idf_table,
    prototype_groups,
)
from harness.stance.model import (
    LABELS,
    PARAMS,
    StanceModel,
    agree_given_related,
    ensemble_proba,
)
from harness.stance.prepare import Text, prepare_body, prepare_headline, subset, window
from harness.stance.rules import Finding, common_words, rule_findings
from harness.stance.verdict import decide, demote, model_disputes

__all__ = [
    "IDF_BODY",
    "LABELS",
    "PARAMS",
    "Finding",
    "Resources",
    "StanceModel",
    "Text",
    "agree_given_related",
    "common_words",
    "decide",
    "demote",
    "ensemble_proba",
    "features",
    "idf_table",
    "model_disputes",
    "prepare_body",
    "prepare_headline",
    "prototype_groups",
    "rule_findings",
    "subset",
    "window",
]
