"""``harness score IN [-o OUT.jsonl | -o DIR]``: score existing summaries, no generation.

Input: JSON Lines (one object a line) or CSV (``.csv``, a header row, read
with the ``csv`` module), each row ``{"id", "article", "summary"}`` plus optional
``"headline"``, ``"lede"``, ``"model"`` and ``"reference"`` (a gold summary or a
list of them: the ``rouge_ref`` metric scores against it). Without headline and lede the article
text is cleaned (:func:`harness.clean.to_article`) and they are extracted;
text with no title line keeps no headline, and the metrics that need one
(coverage) record that as their error for the row while the others still
score it. A JSONL file is read line by line and a CSV file row by row, so a
malformed line or row costs only its own row; anything else is refused with
a message naming the formats.

Output, ``-o OUT.jsonl`` or stdout: one line per input row, ``id`` (and
``model`` when given), a ``scores`` object, an ``evidence`` object (per metric
that explains itself, e.g. faithfulness: per summary sentence its score, the
article span that supports it best and the reasons it lost points), and an
``error`` string when a metric could not score the row.

Output ``-o DIR`` (a path not ending in ``.jsonl``): a run folder like
``harness run`` writes (articles, summaries, scores, errors, tables,
``config.yaml``, ``run.json``), one model per distinct ``model`` value
(``input`` for rows without one), so ``harness compare`` and ``harness
report`` read it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from harness.batching import chunks
from harness.clean import to_article
from harness.config import ConfigError, available, build, default_metrics
from harness.embed import Encoders
from harness.metrics.base import Metric
from harness.scoring import forget, score_pairs
from harness.types import Article
from harness.verbosity import quiet_libraries

CHUNK = 32  # rows scored together, so each metric embeds one batch of sentences
#: The model name of rows without a ``model`` field, in a run folder.
DEFAULT_MODEL = "input"
FORMATS = ("JSON Lines (one {\"id\", \"article\", \"summary\"} object a line) or CSV "
           "(a .csv file with a header row naming id, article, summary)")


class InputError(ValueError):
    """An input file that cannot be read as rows; the message names it and the cause."""


def main(argv: list[str]) -> int:
    """Score every row of the input; rows that fail get an ``error``."""
    parser = _parser()
    args = parser.parse_args(argv)
    _take_input_from_metrics(args, parser)
    if not args.verbose:
        quiet_libraries()
    try:
        # The default metric set is the one of `harness run` (configs/config.yaml).
        names = args.metrics if args.metrics is not None else default_metrics()
        encoders = Encoders()  # shared by the metrics, cleared after each chunk
        metrics = [build(name, "metric", encoders=encoders) for name in names]
    except ConfigError as exc:
        print(f"harness score: {exc}", file=sys.stderr)
        return 2
    try:
        rows = read_input(Path(args.input))
    except InputError as exc:
        print(f"harness score: {exc}", file=sys.stderr)
        return 2
    if not any(isinstance(text, BadRow) or text.strip() for _, text in rows):
        print(f"harness score: {args.input}: no rows to score (the input is empty)",
              file=sys.stderr)
        return 1
    if args.output and not args.output.endswith(".jsonl"):
        from harness.commands.score_folder import write_run_folder

        return write_run_folder(Path(args.output), metrics, encoders, rows, args, names)
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    n_ok = n_bad = n_partial = 0
    try:
        for result in score_all(metrics, encoders, rows, args.input):
            row = result[0]
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            n_ok += bool(row["scores"])
            n_bad += not row["scores"]
            n_partial += bool(row["scores"]) and "error" in row
    finally:
        if args.output:
            out.close()
    summarize_counts(n_ok, n_bad, n_partial)
    return 0 if n_ok or not n_bad else 1


def summarize_counts(n_ok: int, n_bad: int, n_partial: int) -> None:
    """The closing line on stderr."""
    partly = f" ({n_partial} missing a metric: see their error)" if n_partial else ""
    print(f"harness score: {n_ok} scored{partly}, {n_bad} failed", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="harness score", description=__doc__.splitlines()[0])
    p.add_argument("input", nargs="?",
                   help="JSONL or CSV with id, article, summary "
                        "[, headline, lede, model, reference]")
    p.add_argument("-o", "--output",
                   help="OUT.jsonl (default: stdout), or a folder: a run folder for "
                        "harness compare / report")
    p.add_argument("--metrics", nargs="+", default=None,
                   help="configs/metric names (default: the metrics of configs/config.yaml)")
    p.add_argument("--full", action="store_true",
                   help="with -o DIR: print the full table and the paired table")
    p.add_argument("--verbose", action="store_true", help="let libraries print progress bars")
    return p


def _take_input_from_metrics(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """``--metrics rouge IN`` puts IN among the metrics: take it back as the input."""
    if args.input is None and args.metrics:
        known = set(available("metric"))
        if args.metrics[-1] not in known:
            args.input = args.metrics.pop()
    if args.input is None:
        parser.error("the input file is required")
    if args.metrics == []:
        parser.error("--metrics needs at least one metric name")


def read_input(path: Path) -> list[tuple[str, str | BadRow]]:
    """``(where, JSON line)`` per input row: JSONL as it is, CSV rows turned into JSON.

    A malformed CSV row is a :class:`BadRow`, which becomes that row's error.

    Raises:
        InputError: the file cannot be read, or is neither JSONL nor CSV.

    """
    if path.suffix.lower() == ".csv":
        return _read_csv(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    filled = [line for line in lines if line.strip()]
    if filled and not any(_is_json_object(line) for line in filled):
        raise InputError(f"{path}: no line is a JSON object; harness score reads {FORMATS}")
    return [(f"{path}:{n}", line) for n, line in enumerate(lines, 1)]


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def _read_csv(path: Path) -> list[tuple[str, str | BadRow]]:
    """CSV rows (:func:`harness.load.csv_records`) as JSON lines; malformed rows as BadRow."""
    from harness.load import CsvHeaderError, csv_records

    try:
        records = list(csv_records(path))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, CsvHeaderError):
            raise InputError(f"{exc}; harness score reads {FORMATS}") from exc
        raise InputError(f"cannot read {path}: {exc}") from exc
    columns = next((set(r) for _, r in records if isinstance(r, dict)), None)
    if columns is not None:
        missing = [c for c in ("id", "article", "summary") if c not in columns]
        if missing:
            raise InputError(f"{path}: CSV header lacks {', '.join(missing)} "
                             f"(it has {', '.join(sorted(columns))})")
    # Line numbers count the header row, as an editor shows them.
    return [(f"{path}:{n}", BadRow(f"{path}:{n}: {r}") if isinstance(r, str)
             else json.dumps(r, ensure_ascii=False)) for n, r in records]


class BadRow:
    """An input row that could not be read (a malformed CSV row); its message says why."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __str__(self) -> str:
        return self.message


def score_all(metrics: Sequence[Metric], encoders: Encoders,
              rows: list[tuple[str, str | BadRow]],
              path: str, default_model: str | None = None
              ) -> Iterator[tuple[dict[str, Any], Article | None, str | None]]:
    """Per input row: the output row, its Article and summary (None when it failed to parse).

    ``default_model``: the model a row without a ``model`` field belongs to, also
    when it fails (None: failed rows name a model only when they give one).
    """
    for chunk in chunks(rows, CHUNK):
        yield from score_rows(metrics, chunk, default_model)
        forget(metrics, encoders)


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
    try:
        article = to_article(row)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from exc
    return row, row["summary"], article


def score_rows(metrics: Sequence[Metric], chunk: list[tuple[str, str | BadRow]],
               default_model: str | None = None
               ) -> list[tuple[dict[str, Any], Article | None, str | None]]:
    """Output rows of one chunk of ``(where, line)`` input rows, in input order.

    A row that fails (an empty summary, a missing field) keeps its ``model``
    (``default_model`` when it has none), so its failure counts against that
    model; a line that is not a JSON object belongs to no model.
    """
    rows: list[tuple[dict[str, Any], Article | None, str | None]] = []
    good: list[tuple[int, str, Article]] = []
    for where, line in chunk:
        if isinstance(line, BadRow):
            rows.append(({"id": "line " + where.rpartition(":")[2], "scores": {},
                          "error": str(line)}, None, None))
            continue
        if not line.strip():
            continue
        rid, model = _peek(line, "line " + where.rpartition(":")[2], default_model)
        try:
            row, summary, article = parse_row(line, where)
        except ValueError as exc:
            failed = {"id": rid, "scores": {}, "error": str(exc)}
            if model is not None:
                failed["model"] = model
            rows.append((failed, None, None))
            continue
        out = {"id": str(row["id"]), "scores": {}}
        if row.get("model"):
            out["model"] = row["model"]
        rows.append((out, article, summary))
        good.append((len(rows) - 1, summary, article))
    scored = score_pairs(metrics, [(s, a) for _, s, a in good], explain=True)
    for (k, _, _), result in zip(good, scored, strict=True):
        out = rows[k][0]
        out["scores"].update(result.scores)
        if result.evidence:
            out["evidence"] = result.evidence
        if result.errors:
            out["error"] = "; ".join(result.errors)
    return rows


def _peek(line: str, fallback: str, default_model: str | None) -> tuple[str, str | None]:
    """The row's id (``fallback`` without one) and its model (None for a non-object)."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError:
        return fallback, None
    if not isinstance(row, dict):
        return fallback, None
    rid = str(row["id"]) if row.get("id") not in (None, "") else fallback
    return rid, str(row["model"]) if row.get("model") else default_model
