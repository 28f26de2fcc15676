"""Results tables: per-model means with 95% bootstrap intervals, and paired comparisons.

``aggregate`` turns a :class:`~harness.results.runs.Results` into a
:class:`Table`; the ``format_*`` and ``write_*`` functions render it. Files
written into the run (or sweep) folder:

- ``table.md``: the full table (best mean per metric in bold, ↑/↓ for the
  metric's direction) and the paired comparison against the first model;
  :func:`harness.results.short.format_short` is what the commands print;
- ``table.csv``: the same numbers, one row per model, for programs;
- ``paired.csv``: every pair of models, every metric;
- ``per_article.parquet``: one row per (model, article) with every score.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from harness.results.runs import MetricSpec, Results
from harness.results.stats import (
    LEVEL,
    MIN_MARK_ARTICLES,
    RESAMPLES,
    Interval,
    bootstrap_mean,
    cell_rng,
    paired_difference,
    verdict,
)
from harness.text import word_count

ARROW = {True: "↑", False: "↓", None: ""}


@dataclass(frozen=True)
class ModelRow:
    """One model's line of the table."""

    label: str
    articles: int
    errors: int
    seconds: float
    cells: dict[str, Interval]
    #: Mean summary length in words (a style figure: never best, never a regression).
    words: float = math.nan
    #: Whether ``seconds`` are per article or batch means (``article``, ``batch``, ``mixed``).
    timing: str = "article"
    #: Why its rows failed: ``(reason, count)``, most frequent first.
    failures: tuple[tuple[str, int], ...] = ()
    #: Its scored articles mostly in a script other than Latin (English-only metrics).
    not_english: int = 0


@dataclass(frozen=True)
class Paired:
    """``b`` minus ``a`` on one metric over the articles both scored."""

    a: str
    b: str
    key: str
    diff: Interval
    mark: str


@dataclass(frozen=True)
class Table:
    """The aggregated results of one run or sweep."""

    metrics: dict[str, MetricSpec]
    rows: list[ModelRow]
    best: dict[str, set[str]]
    paired: list[Paired]
    unassigned_errors: int
    seed: int
    #: Why the inputs without a model failed (load, clean): ``(reason, count)``.
    unassigned_reasons: tuple[tuple[str, int], ...] = ()


def aggregate(results: Results, seed: int) -> Table:
    """Means, intervals, best marks and paired comparisons of every model."""
    rows = [_model_row(results, label, seed) for label in results.labels]
    best = {key: _best(rows, spec) for key, spec in results.metrics.items()}
    paired = [
        p for a, b in combinations(results.labels, 2) for p in paired_rows(results, a, b, seed)
    ]
    unassigned = [e for e in results.errors if e.get("label") is None]
    return Table(results.metrics, rows, best, paired, len(unassigned), seed,
                 failure_reasons(unassigned))


def _model_row(results: Results, label: str, seed: int) -> ModelRow:
    """Aggregate one model: n, errors, seconds per article, each metric's interval."""
    ids = results.article_ids(label)
    cells = {
        key: bootstrap_mean(results.values(label, key, ids), cell_rng(seed, label, key))
        for key in results.metrics
    }
    mine = [e for e in results.errors if e.get("label") == label]
    seconds, timing = _seconds_per_article(results, label)
    return ModelRow(label, len(ids), len(mine), seconds, cells, _mean_words(results, label, ids),
                    timing, failure_reasons(mine), sum(aid in results.not_english for aid in ids))


# "path/to/in.jsonl:12: ", "/data/x.txt: ": where an error happened, not why.
_WHERE = re.compile(r"^(?:[^\s:]+:\d+: |\S*[/\\]\S*: )")


def failure_cause(message: str, model: str | None = None) -> str:
    """An error message without the file, line or model it names: why, not where."""
    if model and message.startswith(f"{model}: "):
        message = message[len(model) + 2:]
    while (where := _WHERE.match(message)) is not None:
        message = message[where.end():]
    return message.splitlines()[0] if message else "?"


def count_causes(causes: list[str]) -> tuple[tuple[str, int], ...]:
    """Each cause (cut to 90 characters) with how often it occurs, commonest first."""
    counts: dict[str, int] = {}
    for cause in causes:
        cause = cause if len(cause) <= 90 else cause[:89] + "…"
        counts[cause] = counts.get(cause, 0) + 1
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def failure_reasons(errors: list[dict]) -> tuple[tuple[str, int], ...]:
    """The causes of ``errors`` (stage and message without its file, line or model), counted."""
    return count_causes([f"{error.get('stage', '?')}: "
                         f"{failure_cause(str(error.get('error', '')), error.get('model'))}"
                         for error in errors])


def failure_line(row: ModelRow) -> str:
    """One line: how many of the model's rows failed, and why (the two commonest causes)."""
    shown = "; ".join(f"{n} × {reason}" for reason, n in row.failures[:2])
    more = len(row.failures) - 2
    rest = f"; {more} other cause{'s' * (more != 1)} (errors.jsonl)" if more > 0 else ""
    return f"{row.label}: {row.errors} failed ({shown}{rest})"


def _seconds_per_article(results: Results, label: str) -> tuple[float, str]:
    """Mean generation time over summaries made in this run (cache hits left out).

    Also whether those times were per article, batch means, or both (``mixed``).
    """
    rows = [row for (lab, _), row in results.summaries.items()
            if lab == label and not row.get("cached", False)
            and isinstance(row.get("seconds"), int | float)]
    kinds = {row.get("timing", "article") for row in rows}
    timing = kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else "article")
    times = [float(row["seconds"]) for row in rows]
    return (sum(times) / len(times) if times else math.nan), timing


def _mean_words(results: Results, label: str, ids: list[str]) -> float:
    """Mean words of ``label``'s summaries of ``ids`` (each CJK character a word)."""
    counts = [word_count(str(results.summaries[(label, aid)].get("summary", "")))
              for aid in ids if (label, aid) in results.summaries]
    return sum(counts) / len(counts) if counts else math.nan


def _best(rows: list[ModelRow], spec: MetricSpec) -> set[str]:
    """Labels holding the best mean of ``spec``.

    Ties are all marked; none without a direction or on fewer than
    :data:`MIN_MARK_ARTICLES` articles.
    """
    means = {r.label: r.cells[spec.key].mean for r in rows if r.cells[spec.key].n}
    if spec.higher_is_better is None or not means:
        return set()
    # As for paired marks: too few articles for an interval, no "best" either.
    if min(r.cells[spec.key].n for r in rows if r.cells[spec.key].n) < MIN_MARK_ARTICLES:
        return set()
    top = max(means.values()) if spec.higher_is_better else min(means.values())
    return {label for label, mean in means.items() if mean == top}


def paired_rows(results: Results, a: str, b: str, seed: int) -> list[Paired]:
    """``b`` against ``a`` on every metric, over the articles both have scores for."""
    shared = [aid for aid in results.article_ids(a) if (b, aid) in results.scores]
    out = []
    for key, spec in results.metrics.items():
        diff = paired_difference(
            results.values(a, key, shared),
            results.values(b, key, shared),
            cell_rng(seed, a, b, key),
        )
        out.append(Paired(a, b, key, diff, verdict(diff, spec.higher_is_better)))
    return out


def fmt(value: float) -> str:
    """Three decimals, or an en dash for a missing value."""
    return "–" if math.isnan(value) else f"{value:.3f}"


def fmt_interval(cell: Interval, signed: bool = False) -> str:
    """``mean [low, high]``."""
    if cell.n == 0:
        return "–"
    mean = f"{cell.mean:+.3f}" if signed else f"{cell.mean:.3f}"
    return f"{mean} [{cell.low:.3f}, {cell.high:.3f}]"


def format_markdown(table: Table) -> str:
    """Render the human table, then the paired differences against the first model.

    Metrics are the rows and models the columns (table.csv is the other way
    round): runs carry a dozen or more metric keys and a few models, and a
    dozen-column table does not fit a terminal.
    """
    lines = [
        md_row(["", *(r.label for r in table.rows)]),
        md_row(["---"] * (len(table.rows) + 1)),
    ]
    lines.append(md_row(["articles", *(str(r.articles) for r in table.rows)]))
    lines.append(md_row(["errors", *(str(r.errors) for r in table.rows)]))
    lines.append(md_row(["s/summary", *(fmt(r.seconds) + ("*" if r.timing != "article" else "")
                                         for r in table.rows)]))
    lines.append(md_row(["words", *("–" if math.isnan(r.words) else f"{r.words:.1f}"
                                     for r in table.rows)]))
    for key, spec in table.metrics.items():
        cells = [
            marked(fmt_interval(r.cells[key]), r.label in table.best[key]) for r in table.rows
        ]
        lines.append(md_row([key_head(spec), *cells]))
    lines += ["", _legend(table)]
    if len(table.rows) > 1:
        lines += ["", *_paired_markdown(table)]
    return "\n".join(lines) + "\n"


def key_head(spec: MetricSpec) -> str:
    """Metric name with its direction arrow."""
    return f"{spec.key} {ARROW[spec.higher_is_better]}".rstrip()


def marked(text: str, best: bool) -> str:
    """Bold the mean of a best cell."""
    if not best:
        return text
    mean, _, rest = text.partition(" ")
    return f"**{mean}** {rest}"


def _legend(table: Table) -> str:
    """Say what the numbers are, and the seed that fixes them."""
    text = (
        f"Mean [{LEVEL:.0%} percentile bootstrap interval, {RESAMPLES} resamples, "
        f"seed {table.seed}]. ↑ higher is better, ↓ lower is better; best mean in bold; no "
        "arrow: a style figure (length, copying), never best and never a regression. "
        "s/summary: mean generation seconds, cache hits left out; * batch means (the model "
        "generates a batch at once). Paired marks need "
        f"{MIN_MARK_ARTICLES} shared articles."
    )
    if table.unassigned_errors:
        text += f" {table.unassigned_errors} error(s) before summarization (no model)."
    text += "".join(f" {failure_line(r)}." for r in table.rows if r.errors)
    return text + "".join(f" {line}" for line in english_only_lines(table)) + \
        _partial_key_notes(table)


#: Metric keys fitted on English: an article in another script gets numbers that do
#: not mean what they mean on English text.
ENGLISH_ONLY = ("faithfulness", "faith_")


def english_only_lines(table: Table) -> list[str]:
    """One line when English-only metrics scored articles mostly in another script.

    Those articles carry a warning in ``warnings.jsonl``; faithfulness is fitted
    on English, so its numbers there are not comparable with English ones.
    """
    if not any(r.not_english for r in table.rows):
        return []
    keys = [k for k in table.metrics if k.startswith(ENGLISH_ONLY)]
    if not keys:
        return []
    counts = ", ".join(f"{r.label} {r.not_english} of {r.articles}" for r in table.rows
                       if r.not_english)
    return [f"faithfulness: scored articles mostly in a script other than Latin ({counts}); "
            "it is fitted on English, so its scores there are not comparable with English "
            "ones (warnings.jsonl)."]


def _partial_key_notes(table: Table) -> str:
    """How many articles carry the keys that only some articles have.

    ``*_ref_*``: those with reference summaries; ``*headline*``: those with a
    headline (untitled text has none), said only when some article lacks one.
    """
    notes = []
    ref_key = next((k for k in table.metrics if "_ref_" in k), None)
    if ref_key is not None:
        counts = ", ".join(f"{r.label} {r.cells[ref_key].n} of {r.articles}" for r in table.rows)
        notes.append(f" *_ref_*: against reference summaries, on the articles that carry one "
                     f"({counts}).")
    head_key = next((k for k in table.metrics if "headline" in k), None)
    if head_key is not None and any(r.cells[head_key].n < r.articles
                                    for r in table.rows):
        counts = ", ".join(f"{r.label} {r.cells[head_key].n} of {r.articles}"
                           for r in table.rows)
        notes.append(f" *headline*: on the articles that have a headline ({counts}); "
                     "coverage of an untitled article is its lede's.")
    if "copies_lede" in table.metrics:
        copying = [f"{r.label} {r.cells['copies_lede'].mean:.2f}" for r in table.rows
                   if r.cells["copies_lede"].n and r.cells["copies_lede"].mean > 0]
        if copying:
            notes.append(f" copies_lede: share of summaries that contain the lede verbatim "
                         f"({', '.join(copying)}); their lede-based scores (*_lede_*) reward "
                         "the copy, not a summary.")
    return "".join(notes)


def _paired_markdown(table: Table) -> list[str]:
    """Each model against the first one: difference, interval and verdict per metric."""
    ref = table.rows[0].label
    others = [r.label for r in table.rows[1:]]
    by = {(p.b, p.key): p for p in table.paired if p.a == ref}
    lines = [
        f"Paired difference against {ref} (model minus {ref} on the articles both scored):",
        "",
        md_row(["", *(f"{o} − {ref}" for o in others)]),
        md_row(["---"] * (len(others) + 1)),
    ]
    for key, spec in table.metrics.items():
        cells = [f"{fmt_interval(by[(o, key)].diff, True)} {by[(o, key)].mark}" for o in others]
        lines.append(md_row([key_head(spec), *cells]))
    return lines


def md_row(cells: list[str]) -> str:
    """One markdown table line, escaping pipes inside cells."""
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def write_csv(table: Table, path: Path) -> None:
    """One row per model: counts, seconds, and mean/low/high per metric; ``best`` lists metrics."""
    keys = list(table.metrics)
    head = ["model", "articles", "errors", "seconds_per_summary"]
    head += [f"{k}{suffix}" for k in keys for suffix in ("", "_low", "_high")] + ["best"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(head)
        for row in table.rows:
            values = [row.label, row.articles, row.errors, _num(row.seconds)]
            for k in keys:
                cell = row.cells[k]
                values += [_num(cell.mean), _num(cell.low), _num(cell.high)]
            values.append(";".join(k for k in keys if row.label in table.best[k]))
            writer.writerow(values)


def write_paired_csv(table: Table, path: Path) -> None:
    """Every pair of models on every metric: b minus a, interval, n, verdict."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["a", "b", "metric", "difference", "low", "high", "articles", "mark"])
        for p in table.paired:
            writer.writerow(
                [
                    p.a,
                    p.b,
                    p.key,
                    _num(p.diff.mean),
                    _num(p.diff.low),
                    _num(p.diff.high),
                    p.diff.n,
                    p.mark,
                ]
            )


def _num(value: float) -> str:
    """Full precision for programs; empty for a missing value."""
    return "" if math.isnan(value) else repr(float(value))


def write_per_article(results: Results, path: Path) -> None:
    """One Parquet row per (model, article): summary, seconds and every score."""
    keys = list(results.metrics)
    columns: dict[str, list] = {"model": [], "article_id": [], "summary": [], "seconds": []}
    columns.update({k: [] for k in keys})
    for (label, aid), scores in results.scores.items():
        summary = results.summaries.get((label, aid), {})
        columns["model"].append(label)
        columns["article_id"].append(aid)
        columns["summary"].append(summary.get("summary"))
        columns["seconds"].append(summary.get("seconds"))
        for k in keys:
            columns[k].append(scores.get(k))
    schema = pa.schema(
        [
            ("model", pa.string()),
            ("article_id", pa.string()),
            ("summary", pa.string()),
            ("seconds", pa.float64()),
        ]
        + [(k, pa.float64()) for k in keys]
    )
    pq.write_table(pa.table(columns, schema=schema), path)
