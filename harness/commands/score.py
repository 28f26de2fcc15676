"""``harness score IN.jsonl [-o OUT.jsonl]``: score existing summaries, no generation.

Input line: ``{"id", "article", "summary"}`` plus optional ``"headline"``,
``"lede"``, ``"model"`` and ``"reference"`` (a gold summary or a list of them:
the ``rouge_ref`` metric scores against it). Without headline and lede the article text is cleaned
(:func:`harness.clean.to_article`) and they are extracted; text with no title
line keeps no headline, and the metrics that need one (coverage) record that
as their error for the row while the others still score it. Output line:
``id`` (and ``model`` when given), a ``scores`` object, an ``evidence`` object
(per metric that explains itself, e.g. faithfulness: per summary sentence its
score, the article span that supports it best and the reasons it lost points),
and an ``error`` string when a metric could not score the row.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from harness.clean import to_article
from harness.config import ConfigError, build, default_metrics
from harness.embed import Encoders
from harness.metrics.base import Metric
from harness.scoring import forget, score_pairs
from harness.types import Article

CHUNK = 32  # rows scored together, so each metric embeds one batch of sentences


def main(argv: list[str]) -> int:
    """Score every line of the input; rows that fail get an ``error``."""
    args = _parser().parse_args(argv)
    try:
        # The default metric set is the one of `harness run` (configs/config.yaml).
        names = args.metrics if args.metrics is not None else default_metrics()
        encoders = Encoders()  # shared by the metrics, cleared after each chunk
        metrics = [build(name, "metric", encoders=encoders) for name in names]
    except ConfigError as exc:
        print(f"harness score: {exc}", file=sys.stderr)
        return 2
    try:
        lines = open(args.input, encoding="utf-8").read().splitlines()
    except OSError as exc:
        print(f"harness score: cannot read {args.input}: {exc}", file=sys.stderr)
        return 2
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    n_ok = n_bad = n_partial = 0
    try:
        for chunk in _chunks(list(enumerate(lines, 1)), CHUNK):
            for row in score_rows(metrics, chunk, args.input):
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                n_ok += bool(row["scores"])
                n_bad += not row["scores"]
                n_partial += bool(row["scores"]) and "error" in row
            forget(metrics, encoders)
    finally:
        if args.output:
            out.close()
    partly = f" ({n_partial} missing a metric: see their error)" if n_partial else ""
    print(f"harness score: {n_ok} scored{partly}, {n_bad} failed", file=sys.stderr)
    return 0 if n_ok or not n_bad else 1


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="harness score", description=__doc__.splitlines()[0])
    p.add_argument("input",
                   help="JSONL with id, article, summary [, headline, lede, model, reference]")
    p.add_argument("-o", "--output", help="output JSONL (default: stdout)")
    p.add_argument("--metrics", nargs="+", default=None,
                   help="configs/metric names (default: the metrics of configs/config.yaml)")
    return p


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def parse_row(line: str, where: str) -> tuple[dict[str, Any], str, Article]:
    """The input row, its summary and its Article; ValueError naming the cause."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where}: malformed JSON ({exc.msg})") from exc
    if not isinstance(row, dict):
        raise ValueError(f"{where}: expected a JSON object")
    for name in ("id", "article", "summary"):
        value = row.get(name)
        if name == "id" and isinstance(value, int) and not isinstance(value, bool):
            continue
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{where}: missing or empty field {name!r}")
    return row, row["summary"], to_article(row)


def score_rows(metrics: Sequence[Metric], chunk: list[tuple[int, str]], path: str) -> list[dict]:
    """Output rows of one chunk of numbered input lines, in input order."""
    rows: list[dict] = []
    good: list[tuple[int, str, Article]] = []
    for lineno, line in chunk:
        if not line.strip():
            continue
        rid = _peek_id(line, f"line {lineno}")
        try:
            row, summary, article = parse_row(line, f"{path}:{lineno}")
        except ValueError as exc:
            rows.append({"id": rid, "scores": {}, "error": str(exc)})
            continue
        out = {"id": str(row["id"]), "scores": {}}
        if row.get("model"):
            out["model"] = row["model"]
        rows.append(out)
        good.append((len(rows) - 1, summary, article))
    scored = score_pairs(metrics, [(s, a) for _, s, a in good], explain=True)
    for (k, _, _), result in zip(good, scored, strict=True):
        rows[k]["scores"].update(result.scores)
        if result.evidence:
            rows[k]["evidence"] = result.evidence
        if result.errors:
            rows[k]["error"] = "; ".join(result.errors)
    return rows


def _peek_id(line: str, fallback: str) -> str:
    try:
        row = json.loads(line)
        return str(row["id"]) if isinstance(row, dict) and "id" in row else fallback
    except json.JSONDecodeError:
        return fallback
