"""The short table the commands print, and its verdict line (issue 14).

Per model: articles, errors, the composites, ROUGE-L F1 (against the lede,
and a reference summary when the data has one), summary length in words and
seconds per summary; then, per composite, the model that beats every other
one with enough articles, or why none is named. The full table is
``table.md`` (:mod:`harness.results.tables`).
"""

from __future__ import annotations

import math

from harness.results.stats import MIN_MARK_ARTICLES, Interval, clearly_better
from harness.results.tables import (
    Paired,
    Table,
    english_only_lines,
    failure_line,
    fmt,
    fmt_interval,
    key_head,
    marked,
    md_row,
)

#: The two composites the verdict line names a best model on.
VERDICT_KEYS = ("faithfulness", "coverage")
#: ROUGE-L F1 columns of the short table, when the run has them: against the
#: lede (metric rouge), and against reference summaries (metric rouge_ref).
ROUGE_COLUMNS = ("rougeL_lede_f", "rougeL_ref_f")


def short_keys(table: Table) -> list[str]:
    """The metric columns of the printed table: the composites, then ROUGE-L F1."""
    return [k for k in (*VERDICT_KEYS, *ROUGE_COLUMNS) if k in table.metrics]


def format_short(table: Table) -> str:
    """What a command prints: per model articles, errors, the key metrics, words, seconds.

    Then the verdict on faithfulness and coverage, and where the rest is.
    """
    keys = short_keys(table)
    head = ["model", "articles", "errors", *(key_head(table.metrics[k]) for k in keys),
            "words", "s/summary"]
    lines = [md_row(head), md_row(["---"] * len(head))]
    for r in table.rows:
        cells = [marked(fmt_interval(r.cells[k]), r.label in table.best[k]) for k in keys]
        seconds = fmt(r.seconds) + (" (batch mean)" if r.timing != "article" else "")
        words = "–" if math.isnan(r.words) else f"{r.words:.1f}"
        lines.append(md_row([r.label, str(r.articles), str(r.errors), *cells, words, seconds]))
    lines += ["", *failure_lines(table), *lede_copy_lines(table, keys),
              *english_only_lines(table), *verdict_lines(table)]
    return "\n".join(lines) + "\n"


def lede_copy_lines(table: Table, keys: list[str]) -> list[str]:
    """One line per model whose summaries hold the lede verbatim (``copies_lede``).

    Their lede-based scores (``rougeL_lede_f`` in the short table) measure the
    copy: a summary that is the lede scores 1.0 (docs/metrics.md, "rouge").
    """
    lede = next((k for k in keys if "_lede_" in k), None)
    if lede is None or "copies_lede" not in table.metrics:
        return []
    out = []
    for r in table.rows:
        cell = r.cells["copies_lede"]
        if cell.n and cell.mean > 0:
            out.append(f"{lede}: {r.label} copies the lede in {cell.mean:.0%} of its summaries "
                       "(copies_lede); there its lede-based scores measure the copy, not a "
                       "summary (docs/metrics.md, rouge).")
    return out


def failure_lines(table: Table) -> list[str]:
    """One line per model with failed rows, and one for the inputs dropped before any model."""
    out = [failure_line(r) for r in table.rows if r.errors]
    if table.unassigned_errors:
        causes = "; ".join(f"{n} × {reason}" for reason, n in table.unassigned_reasons[:2])
        out.append(f"{table.unassigned_errors} input(s) dropped before summarization "
                   f"({causes}; all in errors.jsonl)")
    return out


def verdict_lines(table: Table) -> list[str]:
    """One line per composite: the model that beats every other one, or why none is named."""
    labels = [r.label for r in table.rows]
    out = []
    for key in (k for k in VERDICT_KEYS if k in table.metrics):
        if len(labels) < 2:
            out.append(f"{key}: one model, nothing to compare.")
            continue
        pairs = [p for p in table.paired if p.key == key]
        fewest = min((p.diff.n for p in pairs), default=0)
        if fewest < MIN_MARK_ARTICLES:
            out.append(f"{key}: no verdict, the models share {fewest} scored article(s); "
                       f"a verdict needs {MIN_MARK_ARTICLES}.")
            continue
        winners = [lab for lab in labels if all(_beats(p, lab, key) for p in pairs
                                                 if lab in (p.a, p.b))]
        if winners:
            out.append(f"{key}: best is {winners[0]} (its paired interval against every other "
                       "model lies above zero).")
        else:
            out.append(_no_winner(key, labels, pairs))
    return out


def _no_winner(key: str, labels: list[str], pairs: list[Paired]) -> str:
    """Why no model is best: a tie (intervals within the noise), or intervals that overlap."""
    if all(p.mark == "tie" for p in pairs):
        return (f"{key}: a tie, no model differs from another (every paired difference "
                "is 0.000 to three decimals).")
    # The models that no other one clearly beats: a tie when their pairs all are.
    top = [lab for lab in labels
           if not any(_beats(p, p.b if p.a == lab else p.a, key) for p in pairs
                      if lab in (p.a, p.b))]
    if len(top) > 1 and all(p.mark == "tie" for p in pairs if p.a in top and p.b in top):
        rest = [p for p in pairs if (p.a in top) != (p.b in top)]
        tied = f"{', '.join(top)} tie (paired differences 0.000 to three decimals)"
        if all(_beats(p, p.a if p.a in top else p.b, key) for p in rest):
            return f"{key}: no single best model: {tied}, and each beats every other model."
        return (f"{key}: no model is clearly best: {tied}; some other paired intervals "
                "include zero.")
    return f"{key}: no model is clearly best (some paired intervals include zero)."


def _beats(p: Paired, label: str, key: str) -> bool:
    """Tell whether ``label`` is the clearly better side of pair ``p``."""
    if p.b == label:
        return clearly_better(p.diff, True)
    flipped = Interval(-p.diff.mean, -p.diff.high, -p.diff.low, p.diff.n)
    return clearly_better(flipped, True)
