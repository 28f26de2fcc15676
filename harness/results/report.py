"""The self-contained HTML report of ``harness report``: an explorer of runs.

One HTML file, no network: inline CSS, inline SVG plots
(:mod:`harness.results.svg`) and, for the article explorer, one embedded JSON
document with a small script (:mod:`harness.results.explorer`). Sections:
leaderboard (the short table and its verdict), distributions (a histogram per
model per key metric), paired differences (forest plots), the article
explorer, the summaries that lost points, every metric, errors, runs.

Everything is computed on the articles that all compared models scored, and
the counts say how many that is of each model's own. Labels are short: the
model name plus only the overrides that differ between the runs that share
it (the full label is the hover text).
"""

from __future__ import annotations

import math
from dataclasses import replace
from html import escape
from typing import Any

from harness.results.explorer import explorer_data, explorer_section
from harness.results.runs import HEADLINE_KEYS, MetricSpec, Results
from harness.results.short import ROUGE_COLUMNS, verdict_lines
from harness.results.stats import LEVEL, MIN_MARK_ARTICLES, RESAMPLES
from harness.results.svg import color, forest, histograms
from harness.results.tables import Table, aggregate, fmt, fmt_interval, key_head

# Summaries listed per model and metric: enough to see a pattern,
# few enough that the report stays readable with many models.
OUTLIERS_PER_MODEL = 5
# Errors listed in full before the rest are only counted.
ERRORS_SHOWN = 50

CSS = """
body { font-family: sans-serif; margin: 1.5em; color: #222; max-width: 1400px; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 13px; display: block;
        overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { white-space: nowrap; }
td.best { font-weight: bold; background: #eef7ee; }
.plots { display: flex; flex-wrap: wrap; gap: 16px; }
svg.plot { border: 1px solid #eee; background: #fff; max-width: 100%; height: auto; }
.text { max-width: 420px; white-space: pre-wrap; }
.muted { color: #666; font-size: 12px; }
.verdict { font-size: 14px; margin: 0.2em 0; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; }
.controls { margin: 0.5em 0; } .controls select { max-width: 90vw; }
#article-pick { max-width: min(70ch, 90vw); }
.refs { background: #f7f7f7; padding: 8px 12px; margin: 8px 0; }
.refs .label { font-size: 11px; color: #666; text-transform: uppercase; margin-top: 4px; }
.refs .headline { font-weight: bold; }
.cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; }
.col { border: 1px solid #ddd; border-top: 5px solid #999; padding: 6px 10px; }
.col h4 { margin: 4px 0; }
.sent { border-radius: 3px; padding: 1px 0; cursor: help; }
.sent.good { background: #e3f4e6; } .sent.doubt { background: #fdf0c8; }
.sent.bad { background: #f9d3d3; } .sent.none { background: #eee; }
table.scores { font-size: 12px; }
.ci { color: #666; font-size: 11px; white-space: nowrap; }
"""


def build_report(results: Results, seed: int, title: str) -> str:
    """Build the complete HTML document for ``results``."""
    labels = list(results.labels)
    shared = shared_articles(results, labels)
    view = restrict(results, shared)
    table = aggregate(view, seed)
    colors = {label: color(i) for i, label in enumerate(labels)}
    short = short_labels(results)
    keys = key_metrics(view.metrics)
    body = [
        f"<h1>{escape(title)}</h1>",
        _coverage_note(results, labels, shared),
        _leaderboard(table, short, colors, keys),
        _distributions(view, table, short, colors, keys),
        _forest_section(table, short, keys),
        explorer_section(explorer_data(view, labels, short, colors, shared, keys)),
        _lost_points_section(view, short),
        _all_metrics_section(table, short),
        _errors_section(results),
        _runs_section(results),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def shared_articles(results: Results, labels: list[str]) -> list[str]:
    """Ids of the articles every label has a score row for, in the first label's order."""
    if not labels:
        return []
    others = [set(results.article_ids(lab)) for lab in labels[1:]]
    return [aid for aid in results.article_ids(labels[0]) if all(aid in o for o in others)]


def restrict(results: Results, ids: list[str]) -> Results:
    """``results`` with only the score rows of ``ids`` (the compared article set)."""
    keep = set(ids)
    return replace(results, scores={k: v for k, v in results.scores.items() if k[1] in keep},
                   errors=[e for e in results.errors if str(e.get("id")) in keep
                           or e.get("label") is None])


def key_metrics(metrics: dict[str, MetricSpec]) -> list[str]:
    """The composites and ROUGE-L F1 columns when present, else the first directed metric."""
    keys = [k for k in (*HEADLINE_KEYS, *ROUGE_COLUMNS) if k in metrics]
    return keys or [k for k, spec in metrics.items() if spec.higher_is_better][:1]


def short_labels(results: Results) -> dict[str, str]:
    """Model name plus the overrides that differ between the jobs sharing that model.

    Sweep labels are ``model [override override ...]``; overrides common to all of
    a model's jobs, and ``models=...`` (which only says what ran), are dropped.
    """
    parts = {lab: _split_label(lab) for lab in results.labels}
    by_model: dict[str, list[list[str]]] = {}
    for model, tokens in parts.values():
        by_model.setdefault(model, []).append(tokens)
    out = {}
    for label, (model, tokens) in parts.items():
        if not tokens:
            out[label] = model
            continue
        common = set.intersection(*(set(t) for t in by_model[model]))
        kept = [t for t in tokens if t not in common and not t.startswith(("models=", "hydra."))]
        out[label] = f"{model} [{' '.join(kept)}]" if kept else label
    if len(set(out.values())) < len(out):  # shortening made two labels equal: keep them whole
        return {lab: lab for lab in results.labels}
    return out


def _split_label(label: str) -> tuple[str, list[str]]:
    model, sep, rest = label.partition(" [")
    if not sep or not rest.endswith("]"):
        return label, []
    return model, rest[:-1].split(" ")


def _coverage_note(results: Results, labels: list[str], shared: list[str]) -> str:
    """How many articles are compared, of how many each model has."""
    own = ", ".join(f"{escape(lab)} {len(results.article_ids(lab))}" for lab in labels)
    return (f'<p class="counts">Compared on the <b>{len(shared)}</b> articles that all '
            f"{len(labels)} model(s) scored (each model's own: {own}). Every table, plot and "
            "the explorer below use these articles only.</p>")


def _leaderboard(table: Table, short: dict[str, str], colors: dict[str, str],
                 keys: list[str]) -> str:
    """The short table, ordered by faithfulness, with the verdict lines."""
    first = keys[0] if keys else None
    rows = sorted(table.rows, key=lambda r: -_mean(r.cells[first].mean) if first else 0)
    head = ["model", "articles", "errors", *(key_head(table.metrics[k]) for k in keys),
            "words", "s/summary"]
    out = ['<h2>Leaderboard</h2><table class="leaderboard"><tr>',
           *(f"<th>{escape(h)}</th>" for h in head), "</tr>"]
    for r in rows:
        swatch = f'<span class="swatch" style="background:{colors[r.label]}"></span>'
        out.append(f'<tr><td title="{escape(r.label)}">{swatch}{escape(short[r.label])}</td>'
                   f"<td>{r.articles}</td><td>{r.errors}</td>")
        for k in keys:
            css = ' class="best"' if r.label in table.best[k] else ""
            out.append(f"<td{css}>{_cell(r.cells[k])}</td>")
        words = "–" if math.isnan(r.words) else f"{r.words:.1f}"
        seconds = fmt(r.seconds) + (" (batch mean)" if r.timing != "article" else "")
        out.append(f"<td>{words}</td><td>{escape(seconds)}</td></tr>")
    out.append("</table>")
    out += [f'<p class="verdict">{escape(line)}</p>' for line in verdict_lines(table)]
    out.append(
        f'<p class="muted">Mean [{LEVEL:.0%} percentile bootstrap interval over articles, '
        f"{RESAMPLES} resamples, seed {table.seed}]. Best (highlighted) and better/worse marks "
        f"need {MIN_MARK_ARTICLES} articles. s/summary: mean generation seconds, cache hits "
        "left out; “batch mean”: the model generates a batch at once.</p>")
    return "".join(out)


def _cell(cell: Any) -> str:
    """Mean, then its interval in small type (it wraps under the mean on a narrow screen)."""
    if cell.n == 0:
        return "–"
    return f'{cell.mean:.3f} <span class="ci">[{cell.low:.3f}, {cell.high:.3f}]</span>'


def _mean(value: float) -> float:
    return -math.inf if math.isnan(value) else value


def _distributions(view: Results, table: Table, short: dict[str, str],
                   colors: dict[str, str], keys: list[str]) -> str:
    """A histogram per model per key metric, on an axis zoomed to the scores."""
    plots = []
    for key in keys:
        spec = table.metrics[key]
        rows = [(short[r.label], colors[r.label],
                 view.values(r.label, key, view.article_ids(r.label))) for r in table.rows]
        plots.append(histograms(f"{key_head(spec)} (line: mean)", rows, (spec.low, spec.high)))
    if not plots:
        return "<h2>Distributions</h2><p>No key metric in these runs.</p>"
    return '<h2>Distributions</h2><div class="plots">' + "".join(plots) + "</div>"


def _forest_section(table: Table, short: dict[str, str], keys: list[str]) -> str:
    """Paired differences of every pair of models, one forest plot per key metric."""
    if not table.paired:
        return "<h2>Paired differences</h2><p>One model: nothing to pair.</p>"
    plots = []
    for key in keys:
        rows = [(f"{short[p.b]} − {short[p.a]}", p.diff, p.mark)
                for p in table.paired if p.key == key]
        plots.append(forest(key_head(table.metrics[key]), rows))
    note = ('<p class="muted">Second minus first over the shared articles, with the paired '
            "bootstrap interval; green “better” / red “worse” when the whole interval lies on "
            "one side of zero by more than 0.0005 (what three decimals show), “tie” when it "
            "lies within ±0.0005, grey otherwise. Every metric's pairs are in paired.csv.</p>")
    return f'<h2>Paired differences</h2>{note}<div class="plots">{"".join(plots)}</div>'


def _lost_points_section(view: Results, short: dict[str, str]) -> str:
    """Per model, the lowest summaries among those that scored below the metric's maximum."""
    keys = [k for k in HEADLINE_KEYS if k in view.metrics]
    if not keys:
        names = " and ".join(repr(k) for k in HEADLINE_KEYS)
        return f"<h2>Summaries that lost points</h2><p>The runs have no {escape(names)} scores.</p>"
    rows = []
    for key in keys:
        top = view.metrics[key].high
        for label in view.labels:
            scored = sorted((v, aid) for aid in view.article_ids(label)
                            if (v := float(view.scores[(label, aid)].get(key, math.nan)))
                            < top - 1e-9)
            rows += [_lost_row(view, short, label, aid, key, v)
                     for v, aid in scored[:OUTLIERS_PER_MODEL]]
    head = ["metric", "model", "article", "score", "headline", "lede", "summary"]
    note = (f'<p class="muted">Per model, the {OUTLIERS_PER_MODEL} lowest on each of '
            f"{', '.join(keys)}, among summaries below the maximum (a summary that scored "
            "1.000 lost nothing and is not listed). Click an article to open it in the "
            "explorer.</p>")
    if not rows:
        return (f"<h2>Summaries that lost points</h2>{note}"
                "<p>None: every summary scored the maximum.</p>")
    return f"<h2>Summaries that lost points</h2>{note}" + _html_table(head, rows, text_from=4)


def _lost_row(view: Results, short: dict[str, str], label: str, aid: str, key: str,
              value: float) -> list[Any]:
    article = view.articles.get(aid, {})
    link = f'<a class="pick" href="#explorer" data-id="{escape(aid)}">{escape(aid)}</a>'
    return [key, short[label], _Raw(link), f"{value:.3f}", article.get("headline", "–"),
            article.get("lede", "–"), view.summaries.get((label, aid), {}).get("summary", "–")]


class _Raw(str):
    """A cell already escaped (a link)."""


def _all_metrics_section(table: Table, short: dict[str, str]) -> str:
    """Every metric (metrics as rows, as in table.md), folded."""
    out = ["<details><summary><b>All metrics</b> (as table.md)</summary><table><tr><th></th>"]
    out += [f'<th title="{escape(r.label)}">{escape(short[r.label])}</th>' for r in table.rows]
    out.append("</tr>")
    for key, spec in table.metrics.items():
        out.append(f"<tr><th>{escape(key_head(spec))}</th>")
        for r in table.rows:
            css = "num best" if r.label in table.best[key] else "num"
            out.append(f'<td class="{css}">{escape(fmt_interval(r.cells[key]))}</td>')
        out.append("</tr>")
    out.append("</table><p class=\"muted\">No arrow: a style figure, never best.</p></details>")
    return "".join(out)


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
            text = cell if isinstance(cell, _Raw) else escape(str(cell))
            cells.append(f"<td{cell_css}>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "".join(out)
