"""Rows of existing summaries, read, checked and scored: the library path of ``harness score``.

A row is ``{"id", "article", "summary"}`` plus optional ``"headline"``,
``"lede"``, ``"model"`` and ``"reference"``. :func:`read_input` reads a JSON
Lines or CSV file into ``(where, JSON line)`` pairs (``where``: the file and
line number, which a bad row's error names); :func:`rows_from_records` does the
same for records already in memory (dicts, a DataFrame's rows);
:func:`score_all` scores them in chunks through :func:`harness.scoring.score_pairs`,
one output row per input row, a bad row an error row. ``harness score``
(:mod:`harness.commands.score`, JSONL out; :mod:`harness.commands.score_folder`,
a run folder out) and :func:`harness.api.score` are its users.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.batching import chunks
from harness.clean import to_article
from harness.embed import Encoders
from harness.metrics.base import Metric
from harness.scoring import forget, score_pairs
from harness.text import NOT_ENGLISH, mostly_not_english
from harness.types import Article

CHUNK = 32  # rows scored together, so each metric embeds one batch of sentences
#: The model name of rows without a ``model`` field, in a run folder.
DEFAULT_MODEL = "input"
FORMATS = ("JSON Lines (one {\"id\", \"article\", \"summary\"} object a line) or CSV "
           "(a .csv file with a header row naming id, article, summary)")


class InputError(ValueError):
    """An input file that cannot be read as rows; the message names it and the cause."""


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
              rows: list[tuple[str, str | BadRow]], default_model: str | None = None,
              done: Callable[[int], object] = lambda n: None
              ) -> Iterator[tuple[dict[str, Any], Article | None, str | None]]:
    """Per input row: the output row, its Article and summary (None when it failed to parse).

    ``default_model``: the model a row without a ``model`` field belongs to, also
    when it fails (None: failed rows name a model only when they give one).
    ``done(n)``: called as each chunk's ``n`` rows (blank lines aside) are scored.
    """
    for chunk in chunks(rows, CHUNK):
        out = score_chunk(metrics, chunk, default_model)
        forget(metrics, encoders)
        yield from out
        done(len(out))


def row_count(rows: list[tuple[str, str | BadRow]]) -> int:
    """The rows :func:`score_all` scores or reports: every one but blank lines."""
    return sum(1 for _, line in rows if isinstance(line, BadRow) or line.strip())


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


def score_chunk(metrics: Sequence[Metric], chunk: list[tuple[str, str | BadRow]],
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
        if warnings := article_warnings(article):
            out["warnings"] = warnings
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


def article_warnings(article: Article) -> list[str]:
    """What a reader of the row's scores should know about its article.

    The cleaner's warnings (an input cut at its maximum length, a missing
    headline) and, for an article mostly in another script, that faithfulness
    reads English only (:data:`harness.text.NOT_ENGLISH`).
    """
    extra = [NOT_ENGLISH] if mostly_not_english(article.body) else []
    return [*article.warnings, *extra]


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


def rows_from_records(records: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """``(where, JSON line)`` per record, as :func:`read_input` gives a file's rows.

    ``where`` is ``rows:N`` (N counts from 1). Missing values (None, NaN: a
    DataFrame's empty cells) are left out, as a JSONL row would leave them out;
    values JSON cannot hold (numpy numbers) are written as text.
    """
    return [(f"rows:{n}", json.dumps({k: v for k, v in dict(record).items() if not _missing(v)},
                                     ensure_ascii=False, default=str))
            for n, record in enumerate(records, 1)]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def build_metrics(names: Sequence[str] | None = None) -> tuple[list[Metric], Encoders]:
    """The metrics of ``names`` (``configs/metric``; None: those of ``harness run``).

    They share one :class:`~harness.embed.Encoders`, returned beside them for
    :func:`score_all` to clear after each chunk.

    Raises:
        harness.config.ConfigError: An unknown name or a bad metric config.

    """
    from harness.config import build, default_metrics

    encoders = Encoders()
    names = list(names) if names is not None else default_metrics()
    return [build(name, "metric", encoders=encoders) for name in names], encoders


def counts_line(n_ok: int, n_bad: int, n_partial: int) -> str:
    """The closing count of a scoring: rows scored (those missing a metric), rows failed."""
    partly = f" ({n_partial} missing a metric: see their error)" if n_partial else ""
    return f"{n_ok} scored{partly}, {n_bad} failed"
