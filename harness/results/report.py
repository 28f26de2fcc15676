"""The self-contained HTML report of ``harness report``: tables, plots, outliers.

One HTML file with inline CSS and inline SVG (:mod:`harness.results.svg`): no
script, no stylesheet or font fetched, so it opens offline and can be mailed.
Sections: runs (seed, commit, timings), results table, metric means with
intervals, paired differences, faithfulness against coverage per summary,
lowest-scoring summaries beside their headline and lede, errors.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from harness.results.runs import HEADLINE_KEYS, MetricSpec, Results
from harness.results.stats import LEVEL, RESAMPLES
from harness.results.svg import color, interval_plot, scatter_plot
from harness.results.tables import Paired, Table, aggregate, fmt, fmt_interval, key_head

# Summaries shown per model and per outlier metric: enough to see a pattern,
# few enough that the report stays readable with many models.
OUTLIERS_PER_MODEL = 5
# Errors listed in full before the rest are only counted.
ERRORS_SHOWN = 50

CSS = """
body { font-family: sans-serif; margin: 2em; color: #222; max-width: 1400px; }
table { border-collapse: collapse; margin: 1em 0; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { white-space: nowrap; }
td.best { font-weight: bold; background: #eef7ee; }
td.better { color: #1a7f37; } td.worse { color: #c62828; }
.plots { display: flex; flex-wrap: wrap; gap: 16px; }
.plot { border: 1px solid #eee; background: #fff; }
.text { max-width: 420px; white-space: pre-wrap; }
.muted { color: #666; font-size: 12px; }
"""


def build_report(results: Results, seed: int, title: str) -> str:
    """Build the complete HTML document for ``results``."""
    table = aggregate(results, seed)
    colors = {label: color(i) for i, label in enumerate(results.labels)}
    body = [
        f"<h1>{escape(title)}</h1>",
        _runs_section(results),
        _table_section(table),
        _means_section(table, colors),
        _paired_section(table),
        _scatter_section(results, colors),
        _outliers_section(results),
        _errors_section(results),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _runs_section(results: Results) -> str:
    """One line per run folder: tag, seed, git commit, models, stage timings."""
    rows = []
    for path, run in results.runs.items():
        git = run.get("git") or (run.get("environment") or {}).get("git") or {}
        commit = (git.get("commit") or "–")[:12] + (" (dirty)" if git.get("dirty") else "")
        timings = ", ".join(f"{k} {float(v):.1f}s" for k, v in (run.get("timings") or {}).items())
        rows.append(
            [path, run.get("tag", ""), str(run.get("seed", "–")), commit,
             ", ".join(map(str, run.get("models", []))), timings or "–"]
        )  # fmt: skip
    head = ["run folder", "job", "seed", "commit", "models", "timings"]
    return "<h2>Runs</h2>" + _html_table(head, rows)


def _table_section(table: Table) -> str:
    """Render the results table (metrics as rows, as in table.md), best mean highlighted."""
    out = ["<h2>Results</h2><table><tr><th></th>"]
    out += [f"<th>{escape(r.label)}</th>" for r in table.rows] + ["</tr>"]
    for name, values in (
        ("articles", [str(r.articles) for r in table.rows]),
        ("errors", [str(r.errors) for r in table.rows]),
        ("s/article", [fmt(r.seconds) for r in table.rows]),
    ):
        out.append(f"<tr><th>{name}</th>" + "".join(f"<td>{v}</td>" for v in values) + "</tr>")
    for key, spec in table.metrics.items():
        out.append(f"<tr><th>{escape(key_head(spec))}</th>")
        for r in table.rows:
            css = ' class="num best"' if r.label in table.best[key] else ' class="num"'
            out.append(f"<td{css}>{escape(fmt_interval(r.cells[key]))}</td>")
        out.append("</tr>")
    out.append("</table>")
    out.append(
        f'<p class="muted">Mean [{LEVEL:.0%} percentile bootstrap interval over articles, '
        f"{RESAMPLES} resamples, seed {table.seed}]. ↑ higher is better, ↓ lower is better; "
        "best mean highlighted. s/article: mean generation seconds, cache hits left out."
        + (
            f" {table.unassigned_errors} error(s) before summarization."
            if table.unassigned_errors
            else ""
        )
        + "</p>"
    )
    return "".join(out)


def _means_section(table: Table, colors: dict[str, str]) -> str:
    """One dot-and-whisker plot per metric."""
    plots = []
    for key, spec in table.metrics.items():
        rows = [(r.label, r.cells[key], colors[r.label]) for r in table.rows]
        plots.append(interval_plot(key_head(spec), rows, (spec.low, spec.high)))
    return '<h2>Metric means with intervals</h2><div class="plots">' + "".join(plots) + "</div>"


def _paired_section(table: Table) -> str:
    """Each model against the first in view; the other pairs folded below."""
    if not table.paired:
        return "<h2>Paired differences</h2><p>Only one model: nothing to pair.</p>"
    ref = table.rows[0].label
    first = [p for p in table.paired if p.a == ref]
    rest = [p for p in table.paired if p.a != ref]
    note = (
        '<p class="muted">Paired bootstrap over the articles both models scored; '
        "“better” / “worse” when the whole interval lies on one side of zero.</p>"
    )
    out = f"<h2>Paired differences</h2>{note}<h3>Against {escape(ref)}</h3>" + _paired_table(
        table, first
    )
    if rest:
        out += (
            f"<details><summary>The other {len(rest)} model/metric pairs</summary>"
            + _paired_table(table, rest)
            + "</details>"
        )
    return out


def _paired_table(table: Table, paired: list[Paired]) -> str:
    """Render paired differences, coloured by verdict."""
    rows, classes = [], []
    for p in paired:
        rows.append(
            [f"{p.b} − {p.a}", key_head(table.metrics[p.key]), fmt_interval(p.diff, True),
             str(p.diff.n), p.mark]
        )  # fmt: skip
        word = p.mark.split()[0]
        classes.append(word if word in ("better", "worse") else "")
    head = ["pair (second minus first)", "metric", "difference [interval]", "articles", "mark"]
    return _html_table(head, rows, classes)


def _scatter_section(results: Results, colors: dict[str, str]) -> str:
    """Faithfulness against coverage, one point per summary."""
    fx, fy = "coverage", "faithfulness"
    if fx not in results.metrics or fy not in results.metrics:
        missing = f"The runs have no {fx!r} and {fy!r} scores."
        return f"<h2>Faithfulness against coverage</h2><p>{escape(missing)}</p>"
    groups = []
    for label in results.labels:
        points = []
        for aid in results.article_ids(label):
            s = results.scores[(label, aid)]
            x, y = float(s.get(fx, math.nan)), float(s.get(fy, math.nan))
            points.append((x, y, f"{label} / {aid}: coverage {x:.3f}, faithfulness {y:.3f}"))
        groups.append((label, colors[label], points))
    mx, my = results.metrics[fx], results.metrics[fy]
    svg = scatter_plot(
        "Faithfulness against coverage (one point per summary)",
        (fx, fy),
        groups,
        (mx.low, mx.high),
        (my.low, my.high),
    )
    return f'<h2>Faithfulness against coverage</h2><div class="plots">{svg}</div>'


def outlier_keys(metrics: dict[str, MetricSpec]) -> list[str]:
    """Pick the composites when present, else the first higher-is-better metric."""
    keys = [k for k in HEADLINE_KEYS if k in metrics]
    if not keys:
        keys = [k for k, spec in metrics.items() if spec.higher_is_better][:1]
    return keys


def _outliers_section(results: Results) -> str:
    """Per model, the lowest-scoring summaries with the headline and lede beside them."""
    keys = outlier_keys(results.metrics)
    rows = []
    for key in keys:
        for label in results.labels:
            scored = [
                (float(results.scores[(label, aid)].get(key, math.nan)), aid)
                for aid in results.article_ids(label)
            ]
            scored = sorted((v, aid) for v, aid in scored if not math.isnan(v))
            rows += [
                _outlier_row(results, label, aid, key, v) for v, aid in scored[:OUTLIERS_PER_MODEL]
            ]
    head = ["metric", "model", "article", "score", "headline", "lede", "summary"]
    return (
        f'<h2>Lowest-scoring summaries</h2><p class="muted">Per model, the {OUTLIERS_PER_MODEL} '
        f"lowest on each of {', '.join(keys) or 'no metric'}.</p>"
        + _html_table(head, rows, text_from=4)
    )


def _outlier_row(results: Results, label: str, aid: str, key: str, value: float) -> list[str]:
    """One outlier: the metric, who, which article, its references and the summary."""
    article = results.articles.get(aid, {})
    summary = results.summaries.get((label, aid), {})
    return [
        key,
        label,
        aid,
        f"{value:.3f}",
        article.get("headline", "–"),
        article.get("lede", "–"),
        summary.get("summary", "–"),
    ]


def _errors_section(results: Results) -> str:
    """List the recorded errors, the first ones in full."""
    if not results.errors:
        return "<h2>Errors</h2><p>No errors recorded.</p>"
    rows = [
        [
            e.get("label") or "–",
            str(e.get("id", "")),
            str(e.get("stage", "")),
            str(e.get("error", "")),
        ]
        for e in results.errors[:ERRORS_SHOWN]
    ]
    more = len(results.errors) - ERRORS_SHOWN
    tail = f"<p>… and {more} more.</p>" if more > 0 else ""
    return (
        f"<h2>Errors ({len(results.errors)})</h2>"
        + _html_table(["model", "id", "stage", "error"], rows)
        + tail
    )


def _html_table(
    head: list[str],
    rows: list[list[Any]],
    classes: list[str] | None = None,
    text_from: int | None = None,
) -> str:
    """Render an escaped HTML table (``classes`` per row, long text from ``text_from``)."""
    out = ["<table><tr>", *(f"<th>{escape(h)}</th>" for h in head), "</tr>"]
    for i, row in enumerate(rows):
        css = f' class="{classes[i]}"' if classes and classes[i] else ""
        cells = []
        for j, cell in enumerate(row):
            cell_css = ' class="text"' if text_from is not None and j >= text_from else css
            cells.append(f"<td{cell_css}>{escape(str(cell))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "".join(out)
