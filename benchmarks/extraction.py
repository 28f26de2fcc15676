r"""Article-body extraction benchmark on the Zyte/Scrapinghub dev pages.

Scores four extractors on ``<corpora>/extraction`` (``html/<id>.html.gz`` and
``ground-truth.json``) in one run:

(a) trafilatura alone, with the settings the harness uses;
(b) the harness on the HTML (:func:`harness.clean.html.clean_html`);
(c) the harness on the page's visible text (:func:`harness.clean.render.html_to_text`
    then :func:`harness.clean.clean_text`);
(d) no cleaning: the whole visible text.

Two reference rows follow, (a) and (b) with tables kept (trafilatura's
default, and the setting of the published figures); the targets are on (a)-(c).

The metric reproduces the benchmark's ``evaluate.py``
(https://github.com/scrapinghub/article-extraction-benchmark): tokens are the
``\w+`` matches, compared as multisets of 4-token shingles; per page the true
positives, false positives and false negatives are normalised to sum to 1;
precision and recall are averaged over pages and F1 is taken from the two
averages. Headline accuracy: the extracted headline's tokens appear, in order
and contiguous, in the page's ``<title>`` (which often adds the site name), or
the title's in the headline.

Usage: ``python benchmarks/extraction.py [--corpora DIR] [--show-worst N]``;
the corpora folder defaults to ``$HARNESS_CORPORA`` or ``../shared/corpora``
relative to the repository root.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import lxml.html

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.clean import CleaningError, clean_text  # noqa: E402
from harness.clean.html import clean_html, trafilatura_extract  # noqa: E402
from harness.clean.render import html_to_text  # noqa: E402

_TOKEN = re.compile(r"\w+")
# The benchmark's shingle length (evaluate.py, ``ngram_n=4``).
SHINGLE = 4

Extractor = Callable[[str, str], tuple[str, str | None]]


def corpora_dir(override: str | None) -> Path:
    """Return the corpora folder: the flag, else ``$HARNESS_CORPORA``, else ``../shared/corpora``."""  # noqa: E501
    return Path(override or os.environ.get("HARNESS_CORPORA") or REPO.parent / "shared/corpora")


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Multiset of 4-token shingles (the whole text when it has fewer tokens)."""
    tokens = _TOKEN.findall(text or "")
    n = max(1, len(tokens) - SHINGLE + 1) if tokens else 0
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(n))


def tp_fp_fn(truth: str, pred: str) -> tuple[float, float, float]:
    """Normalised shingle true positives, false positives, false negatives."""
    t, p = shingles(truth), shingles(pred)
    tp, fp, fn = sum((t & p).values()), sum((p - t).values()), sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def prf(counts: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """F1, precision, recall as in the benchmark's ``metrics_from_tp_fp_fns``."""
    precision = statistics.mean(_precision(*c) for c in counts if c[0] + c[1] > 0)
    recall = statistics.mean(_recall(*c) for c in counts if c[0] + c[2] > 0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def page_title(html: str) -> str:
    """Return the page's ``<title>`` text."""
    # The page is already decoded text: tell lxml the bytes are UTF-8, or it
    # guesses Latin-1 for pages without a charset and mangles curly quotes.
    parser = lxml.html.HTMLParser(encoding="utf-8")
    titles = lxml.html.document_fromstring(html.encode("utf-8"), parser=parser).xpath(
        "//title//text()"
    )
    return " ".join(" ".join(titles).split())


def headline_ok(headline: str | None, title: str) -> bool:
    """Whether the headline and the title share a contiguous run of all tokens of one."""
    h = " ".join(_TOKEN.findall((headline or "").casefold()))
    t = " ".join(_TOKEN.findall(title.casefold()))
    return bool(h and t) and (f" {h} " in f" {t} " or f" {t} " in f" {h} ")


def run_trafilatura(html: str, page_id: str) -> tuple[str, str | None]:
    """Run (a): trafilatura's own text and title."""
    body, title = trafilatura_extract(html)
    return body or "", title


def run_harness_html(html: str, page_id: str) -> tuple[str, str | None]:
    """(b) the harness on the HTML."""
    article = clean_html(html, page_id)
    return article.body, article.headline


def run_harness_text(html: str, page_id: str) -> tuple[str, str | None]:
    """(c) the harness on the visible text."""
    article = clean_text(html_to_text(html), page_id)
    return article.body, article.headline


def run_no_cleaning(html: str, page_id: str) -> tuple[str, str | None]:
    """(d) the whole visible text, first line as headline."""
    text = html_to_text(html)
    return text, text.split("\n", 1)[0]


def run_trafilatura_tables(html: str, page_id: str) -> tuple[str, str | None]:
    """Run (a) with tables kept (trafilatura's default), a reference."""
    body, title = trafilatura_extract(html, include_tables=True)
    return body or "", title


def run_harness_html_tables(html: str, page_id: str) -> tuple[str, str | None]:
    """Run (b) with tables kept, a reference."""
    article = clean_html(html, page_id, include_tables=True)
    return article.body, article.headline


EXTRACTORS: dict[str, Extractor] = {
    "(a) trafilatura": run_trafilatura,
    "(b) harness html": run_harness_html,
    "(c) harness text": run_harness_text,
    "(d) no cleaning": run_no_cleaning,
}
# Not targets: the same two extractors with tables kept, for comparison with
# the published trafilatura figure (which keeps tables).
REFERENCE: dict[str, Extractor] = {
    "(a') +tables": run_trafilatura_tables,
    "(b') +tables": run_harness_html_tables,
}


def load_pages(folder: Path) -> list[tuple[str, str, str]]:
    """(id, html, ground-truth body) for every page of the benchmark folder."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id, row in sorted(truth.items()):
        raw = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append((page_id, raw.decode("utf-8", "replace"), row["articleBody"]))
    return pages


def evaluate(name: str, extractor: Extractor, pages: list[tuple[str, str, str]]) -> dict:
    """Scores of one extractor over all pages, with per-page F1 for the worst list."""
    counts, headlines, errors, per_page = [], [], 0, {}
    start = time.perf_counter()
    for page_id, html, truth in pages:
        try:
            body, headline = extractor(html, page_id)
        except CleaningError:
            body, headline, errors = "", None, errors + 1
        counts.append(tp_fp_fn(truth, body))
        headlines.append(headline_ok(headline, page_title(html)))
        tp, fp, fn = counts[-1]
        per_page[page_id] = (2 * tp / (2 * tp + fp + fn)) if tp else 0.0
    f1, precision, recall = prf(counts)
    return {
        "name": name,
        "f1": f1,
        "precision": precision,
        "recall": recall,
        "headline": sum(headlines) / len(headlines),
        "errors": errors,
        "seconds": time.perf_counter() - start,
        "per_page": per_page,
    }


def bbc_retention(folder: Path) -> tuple[int, int]:
    """BBC paragraphs (whitespace-normalised) found in the cleaned body, and their total."""
    kept = total = 0
    for path in sorted(folder.glob("*/*.txt")):
        raw = path.read_text(encoding="utf-8", errors="replace")
        rest = raw.partition("\n")[2]
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", rest) if p.strip()]
        body = " ".join(clean_text(raw, path.stem).body.split())
        kept += sum(p in body for p in paragraphs)
        total += len(paragraphs)
    return kept, total


def main(argv: list[str] | None = None) -> int:
    """Print the four rows; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--corpora", help="corpora folder (default: $HARNESS_CORPORA or ../shared/corpora)"
    )
    parser.add_argument("--show-worst", type=int, default=0, help="list the N worst pages per row")
    args = parser.parse_args(argv)
    folder = corpora_dir(args.corpora) / "extraction"
    if not folder.is_dir():
        parser.error(f"no extraction corpus at {folder}")
    pages = load_pages(folder)
    print(f"{len(pages)} pages from {folder}")
    print(
        f"{'extractor':<18} {'F1':>6} {'prec':>6} {'recall':>6} {'headline':>8} {'errors':>6} {'s':>6}"  # noqa: E501
    )
    rows = [evaluate(name, fn, pages) for name, fn in EXTRACTORS.items()]
    reference = [evaluate(name, fn, pages) for name, fn in REFERENCE.items()]
    for r in rows + reference:
        print(
            f"{r['name']:<18} {r['f1']:6.3f} {r['precision']:6.3f} {r['recall']:6.3f} "
            f"{r['headline']:8.3f} {r['errors']:6d} {r['seconds']:6.1f}"
        )
        worst = sorted(r["per_page"].items(), key=lambda kv: kv[1])[: args.show_worst]
        for page_id, f1 in worst:
            print(f"    {f1:.3f} {page_id}")
    bbc = corpora_dir(args.corpora) / "bbc"
    if bbc.is_dir():
        kept, total = bbc_retention(bbc)
        print(f"BBC paragraphs kept by clean_text: {kept}/{total} = {kept / total:.3f}")
    a, b, c = rows[0]["f1"], rows[1]["f1"], rows[2]["f1"]
    ok = b >= a and c >= 0.90
    print(f"targets: (b) >= (a): {b >= a}; (c) >= 0.90: {c >= 0.90}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
