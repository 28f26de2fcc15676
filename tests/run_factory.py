"""Build small run folders in the format ``harness run`` writes (DESIGN.md, helper context).

Scores are drawn from a seeded generator so the folders are the same on every
machine; ``shift`` moves one metric of one model to simulate a regression.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

METRICS = {
    "faithfulness": {"low": 0.0, "high": 1.0, "higher_is_better": True},
    "coverage": {"low": 0.0, "high": 1.0, "higher_is_better": True},
    "rouge1_f_headline": {"low": 0.0, "high": 1.0, "higher_is_better": True},
    "compression": {"low": 0.0, "high": None, "higher_is_better": None},
}


def _dump(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def make_run(
    folder: Path,
    models: tuple[str, ...] = ("lead3", "textrank"),
    n_articles: int = 12,
    shift: dict[tuple[str, str], float] | None = None,
    seed: int = 7,
    errors: list[dict] | None = None,
    overrides: list[str] | None = None,
) -> Path:
    """Write a complete run folder and return it.

    Args:
        folder: where to write (created).
        models: model names.
        n_articles: articles per model.
        shift: ``{(model, metric): delta}`` added to every article's value (clipped to [0, 1]).
        seed: seeds the scores; two calls with the same arguments write the same files.
        errors: rows for errors.jsonl.
        overrides: Hydra overrides, written to ``.hydra/overrides.yaml`` (a sweep job).
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    shift = shift or {}
    ids = [f"a{i:02d}" for i in range(n_articles)]
    articles = [
        {
            "id": aid,
            "source": f"data/seed/{aid}.txt",
            "headline": f"Headline {aid} <b>&",
            "lede": f"Lede of {aid}.",
            "paragraphs": [f"Lede of {aid}.", "Body text."],
            "body": f"Lede of {aid}.\n\nBody text.",
            "removed": [],
        }
        for aid in ids
    ]
    summaries, scores = [], []
    for m, model in enumerate(models):
        for aid in ids:
            summaries.append(
                {
                    "article_id": aid,
                    "model": model,
                    "summary": f"{model} summary of {aid}.",
                    "seconds": 0.01 * (m + 1),
                    "tokens": 5,
                    "cached": False,
                }
            )
            values = {}
            for key in METRICS:
                base = float(rng.uniform(0.3, 0.9)) + 0.05 * m
                values[key] = min(1.0, max(0.0, base + shift.get((model, key), 0.0)))
            sentence = f"{model} summary of {aid}."
            faith = values["faithfulness"]
            evidence = {"faithfulness": [{
                "sentence": sentence, "score": round(faith, 4), "support": 1.0,
                "evidence": f"Lede of {aid}.",
                "reasons": [] if faith >= 0.8 else ["numbers not in the article: 9"]}]}
            scores.append({"article_id": aid, "model": model, "scores": values,
                           "evidence": evidence})
    _dump(folder / "articles.jsonl", articles)
    _dump(folder / "summaries.jsonl", summaries)
    _dump(folder / "scores.jsonl", scores)
    _dump(folder / "errors.jsonl", errors or [])
    run = {"seed": 0, "metrics": METRICS, "timings": {"score": 0.1}, "models": list(models)}
    (folder / "run.json").write_text(json.dumps(run), encoding="utf-8")
    if overrides is not None:
        (folder / ".hydra").mkdir(exist_ok=True)
        (folder / ".hydra" / "overrides.yaml").write_text(
            "".join(f"- {o}\n" for o in overrides), encoding="utf-8"
        )
    return folder
