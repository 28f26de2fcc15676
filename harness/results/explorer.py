"""The report's article explorer: one embedded JSON document and a small script.

Pick an article and see each model's summary side by side with the headline
and lede; each summary sentence is coloured by its faithfulness evidence
(the per-sentence score ``harness run`` and ``harness score -o DIR`` record in
``scores.jsonl``) and shows the reasons it lost points, and the article span
that supports it best, on hover. The data holds only the articles every
compared model scored, so the explorer and the plots describe the same set.
No library and no network: the script builds the view from the JSON with DOM
calls (``textContent``, never HTML strings).
"""

from __future__ import annotations

import json
import math
from typing import Any

from harness.results.runs import Results

#: Characters of the supporting article span kept per sentence (the hover text).
EVIDENCE_CHARS = 240


def explorer_data(results: Results, labels: list[str], short: dict[str, str],
                  colors: dict[str, str], ids: list[str], keys: list[str]) -> dict[str, Any]:
    """The explorer's JSON: models, articles, and per model one row per article."""
    rows: dict[str, list[Any]] = {}
    for label in labels:
        rows[label] = [_row(results, label, aid, keys) for aid in ids]
    return {
        "models": [{"label": lab, "short": short[lab], "color": colors[lab]} for lab in labels],
        "keys": keys,
        "articles": [_article(results, aid) for aid in ids],
        "rows": rows,
    }


def _article(results: Results, aid: str) -> dict[str, str]:
    article = results.articles.get(aid, {})
    return {"id": aid, "headline": str(article.get("headline") or ""),
            "lede": str(article.get("lede") or "")}


def _row(results: Results, label: str, aid: str, keys: list[str]) -> list[Any]:
    """``[summary, [value per key], sentences or null]``; values rounded to 4 places."""
    scores = results.scores.get((label, aid), {})
    values = [_round(scores.get(k)) for k in keys]
    summary = str(results.summaries.get((label, aid), {}).get("summary", ""))
    checks = (results.evidence.get((label, aid)) or {}).get("faithfulness")
    sentences = None
    if isinstance(checks, list):
        sentences = [[str(c.get("sentence", "")), _round(c.get("score")),
                      "; ".join(map(str, c.get("reasons") or [])),
                      str(c.get("evidence") or "")[:EVIDENCE_CHARS]] for c in checks]
    return [summary, values, sentences]


def _round(value: Any) -> float | None:
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return round(float(value), 4)


def embed_json(data: dict[str, Any]) -> str:
    """The data as a ``<script type="application/json">`` element, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="report-data">{text}</script>'


# Sentence tones: at or above 0.8 supported, below 0.5 likely unsupported (the
# faithfulness sentence model's probability of no factual error, docs/metrics.md).
SCRIPT = """
(function () {
  const D = JSON.parse(document.getElementById('report-data').textContent);
  const pick = document.getElementById('article-pick');
  const view = document.getElementById('article-view');
  const order = document.getElementById('article-order');
  const index = {};
  D.articles.forEach((a, i) => { index[a.id] = i; });
  const fi = D.keys.indexOf('faithfulness');
  function worst(i) {
    let low = Infinity;
    D.models.forEach(m => {
      const v = D.rows[m.label][i][1][fi];
      if (v !== null && v < low) low = v;
    });
    return low;
  }
  function fill() {
    const ids = D.articles.map((a, i) => i);
    if (order.value === 'worst' && fi >= 0) ids.sort((a, b) => worst(a) - worst(b));
    const keep = pick.value;
    pick.textContent = '';
    ids.forEach(i => {
      const o = document.createElement('option');
      o.value = String(i);
      const a = D.articles[i];
      o.textContent = a.id + (a.headline ? ' \\u2014 ' + a.headline : '');
      pick.appendChild(o);
    });
    if (keep !== '') pick.value = keep;
  }
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function tone(s) { return s === null ? 'none' : s >= 0.8 ? 'good' : s >= 0.5 ? 'doubt' : 'bad'; }
  function show(i) {
    const a = D.articles[i];
    view.textContent = '';
    const refs = el('div', 'refs');
    refs.appendChild(el('div', 'label', 'Headline'));
    refs.appendChild(el('div', 'headline', a.headline || '(none)'));
    refs.appendChild(el('div', 'label', 'Lede'));
    refs.appendChild(el('div', 'lede', a.lede || '(none)'));
    view.appendChild(refs);
    const cols = el('div', 'cols');
    D.models.forEach(m => {
      const [summary, values, sentences] = D.rows[m.label][i];
      const col = el('div', 'col');
      col.style.borderTopColor = m.color;
      col.dataset.model = m.label;
      const name = el('h4', '', m.short);
      name.title = m.label;
      col.appendChild(name);
      const text = el('p', 'summary');
      if (sentences) {
        sentences.forEach(([s, score, reasons, evidence]) => {
          const span = el('span', 'sent ' + tone(score), s + ' ');
          span.title = 'faithfulness ' + (score === null ? '\\u2013' : score.toFixed(2)) +
            (reasons ? '\\nlost points: ' + reasons : '\\nno points lost') +
            (evidence ? '\\nbest support in the article: \\u201c' + evidence + '\\u201d' : '');
          text.appendChild(span);
        });
      } else {
        text.textContent = summary;
        col.appendChild(el('div', 'muted', 'no sentence evidence recorded'));
      }
      col.appendChild(text);
      const list = el('table', 'scores');
      D.keys.forEach((k, j) => {
        const tr = el('tr');
        tr.appendChild(el('th', '', k));
        tr.appendChild(el('td', 'num', values[j] === null ? '\\u2013' : values[j].toFixed(3)));
        list.appendChild(tr);
      });
      col.appendChild(list);
      cols.appendChild(col);
    });
    view.appendChild(cols);
  }
  pick.addEventListener('change', () => show(Number(pick.value)));
  order.addEventListener('change', fill);
  document.querySelectorAll('a.pick').forEach(link => link.addEventListener('click', e => {
    e.preventDefault();
    const i = index[link.dataset.id];
    if (i === undefined) return;
    pick.value = String(i);
    show(i);
    document.getElementById('explorer').scrollIntoView();
  }));
  if (D.articles.length) { fill(); pick.value = '0'; show(0); }
})();
"""


def explorer_section(data: dict[str, Any]) -> str:
    """The explorer's controls, its view, the data and the script."""
    if not data["articles"]:
        return ('<h2 id="explorer">Article explorer</h2><p>No article was scored by every '
                "model: nothing to show side by side.</p>")
    return (
        '<h2 id="explorer">Article explorer</h2>'
        '<p class="muted">Pick an article: each model\'s summary beside the headline and '
        "lede. Sentences are coloured by their faithfulness evidence (green supported, amber "
        "doubtful, red likely unsupported); hover a sentence for the reasons it lost points "
        "and the article span that supports it best.</p>"
        '<div class="controls"><label>Article <select id="article-pick"></select></label> '
        '<label>Order <select id="article-order"><option value="id">by id</option>'
        '<option value="worst">lowest faithfulness first</option></select></label></div>'
        '<div id="article-view"></div>'
        + embed_json(data)
        + f"<script>{SCRIPT}</script>"
    )
