"""The headline check's learned model: two MLP ensembles in numpy, read from ``stance.npz``.

``StanceModel`` loads ``harness/params/stance.npz`` (written by
``scripts/train_stance.py``): the stance and assertion ensembles over
``harness.stance.features.HAND_FEATURES``, the verdict thresholds and the
feature ``Resources``; ``ensemble_proba`` and ``agree_given_related`` are the
forward pass that fitting and inference share.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from harness.stance.features import HAND_FEATURES, Resources

PARAMS = Path(__file__).resolve().parents[1] / "params" / "stance.npz"
LABELS = ("unrelated", "agree", "disagree", "discuss")


class StanceModel:
    """The headline check's two classifiers and verdict thresholds, read from an npz.

    Both are four-way (unrelated, agree, disagree, discuss) ensembles of
    one-hidden-layer MLPs over ``HAND_FEATURES`` (``w1`` (members, d, h),
    ``b1``, ReLU, ``w2``, ``b2``, after the standardisation ``mean``, ``std``;
    member probabilities are averaged):

    - the **stance** model (keys without prefix), fitted on FNC-1 train only,
      gives relatedness, P(disagree) and the ranking score;
    - the **assertion** model (keys prefixed ``a_``), fitted on FNC-1 train plus
      real headline/body pairs labelled agree, gives P(agree | related): does
      the body state the headline's claim, rather than relay it? FNC-1 alone
      reads most plain news bodies as "discuss".

    The file also holds the verdict thresholds (``t_*``) fitted by
    ``scripts/train_stance.py``, the rule kinds whose findings it found to mark a
    gap rather than a dispute (``partial_kinds``) and the ``Resources``: ``common_words``,
    ``proto`` and the idf table (``idf_stems``, ``idf_values``).
    """

    KEYS = ("mean", "std", "w1", "b1", "w2", "b2")

    def __init__(self, path: str | Path | None = None):
        """Load the parameters (default: the shipped ``harness/params/stance.npz``)."""
        path = Path(path) if path else PARAMS
        if not path.is_file():
            raise RuntimeError(f"stance model parameters {path} not found "
                               "(run scripts/train_stance.py)")
        with np.load(path, allow_pickle=False) as z:
            missing = [k for k in (*self.KEYS, *(f"a_{k}" for k in self.KEYS)) if k not in z.files]
            if missing:
                raise RuntimeError(f"{path} lacks {', '.join(missing)}: retrain with "
                                   "scripts/train_stance.py")
            self.p = {k: z[k] for k in self.KEYS}
            self.a = {k: z[f"a_{k}"] for k in self.KEYS}
            self.thresholds = {k[len("t_"):]: float(z[k]) for k in z.files if k.startswith("t_")}
            # Rule kinds whose findings count as partial, not disputing (chosen out
            # of fold by scripts/train_stance.py; absent in older files: none).
            self.partial_kinds = frozenset(z["partial_kinds"].tolist()
                                           if "partial_kinds" in z.files else ())
            self.res = Resources(
                common=frozenset(z["common_words"].tolist()), proto=z["proto"],
                idf=dict(zip(z["idf_stems"].tolist(), z["idf_values"].tolist(), strict=True)))
        if self.p["mean"].shape[0] != len(HAND_FEATURES):
            raise RuntimeError(f"{path} was fitted on {self.p['mean'].shape[0]} features, the "
                               f"code computes {len(HAND_FEATURES)}: retrain")

    def proba(self, x: np.ndarray) -> np.ndarray:
        """Stance model class probabilities, shape (n, 4), columns in ``LABELS`` order."""
        return ensemble_proba(self.p, np.atleast_2d(x))

    def assertion(self, x: np.ndarray) -> np.ndarray:
        """P(agree | related) from the assertion model, shape (n,)."""
        return agree_given_related(ensemble_proba(self.a, np.atleast_2d(x)))


def agree_given_related(proba: np.ndarray) -> np.ndarray:
    """P(agree) / P(related) per row of four-way probabilities."""
    return proba[:, 1] / np.maximum(1.0 - proba[:, 0], 1e-9)


def ensemble_proba(p: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Mean softmax of the ensemble members on standardised ``x``."""
    z = (x - p["mean"]) / p["std"]
    out = np.zeros((len(x), p["w2"].shape[-1]))
    for w1, b1, w2, b2 in zip(p["w1"], p["b1"], p["w2"], p["b2"], strict=True):
        logits = np.maximum(z @ w1 + b1, 0.0) @ w2 + b2
        e = np.exp(logits - logits.max(1, keepdims=True))
        out += e / e.sum(1, keepdims=True)
    return out / len(p["w1"])
