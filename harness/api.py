"""The Python API: the commands of ``harness`` as functions, for a notebook or a script.

Each function goes through the same library code as its command, so it gives
what the command writes:

- :func:`clean_article`: text or HTML in, an :class:`~harness.types.Article` out
  (``harness clean``; ``Article.to_json()`` is its output line);
- :func:`score`: existing summaries scored, one row per input row in the shape
  of ``harness score``'s output lines, a bad row an error row;
- :func:`check_headline`: the headline check of ``harness headline-check``;
- :func:`run`: the main job (``harness run``), returning its run folder.

``harness.clean`` is the cleaning subpackage, so the cleaning function is
``clean_article``. Built metrics and the headline checker are kept between
calls (a few of each), so a notebook that scores batch after batch loads the
models once.
The rows are plain dicts; ``pandas.DataFrame(rows)`` (or
``pandas.json_normalize(rows)`` for one column per score) makes a table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from harness.types import Article, RawDoc


class RunFailed(RuntimeError):
    """``harness run`` ended with a non-zero exit status; its message went to stderr."""

    def __init__(self, code: int, folder: Path) -> None:
        super().__init__(f"harness run exited {code} (its message is on stderr); "
                         f"run folder: {folder}")
        self.code = code
        self.folder = folder


def clean_article(text_or_html: str, id: str = "article",
                  html: bool | None = None, headline: str | None = None,
                  lede: str | None = None) -> Article:
    """Clean scraped text or an HTML page into an Article, as ``harness clean`` does.

    Args:
        text_or_html: The document: plain text, or a whole HTML page.
        id: The article's id.
        html: True for HTML, False for text; None: HTML when the document starts
            with ``<`` (after white space), as a saved page does.
        headline: The headline when it is known (else the cleaner finds it).
        lede: The lede when it is known (else the cleaner finds it).

    Raises:
        ValueError: The document holds no article (``harness clean`` reports it
            as that file's failure).

    """
    from harness.clean import clean_doc

    is_html = text_or_html.lstrip().startswith("<") if html is None else html
    doc = RawDoc(id=id, source=id, text=None if is_html else text_or_html,
                 html=text_or_html if is_html else None, headline=headline, lede=lede)
    return clean_doc(doc)


def score(rows: Iterable[Mapping[str, Any]] | Sequence[str] | Any,
          articles: Sequence[Article | str] | None = None,
          metrics: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Score existing summaries; the rows of ``harness score``'s output, in input order.

    Args:
        rows: Input rows as ``harness score`` reads them, ``{"id", "article",
            "summary"}`` plus optional ``headline``, ``lede``, ``model`` and
            ``reference`` (dicts, or a ``pandas.DataFrame`` with those
            columns); or, with ``articles``, the summaries (strings), one per article.
        articles: The articles the summaries of ``rows`` belong to: Articles
            (from :func:`clean_article`: their headline and lede are kept) or texts (cleaned).
        metrics: ``configs/metric`` names (None: the metrics of ``harness run``).

    Returns:
        Per row ``id`` (and ``model`` when given), ``scores``, ``evidence`` per
        metric that explains itself, and ``error`` when a metric could not score
        the row; a row that cannot be read at all has empty ``scores`` and an
        ``error`` naming it (``rows:N``, counting from 1).

    Raises:
        harness.config.ConfigError: An unknown metric name or a bad metric config.
        ValueError: ``articles`` and the summaries differ in number.

    """
    from harness.input_rows import rows_from_records, score_all

    built, encoders = _metrics(tuple(metrics) if metrics is not None else None)
    records = _records(rows, articles)
    return [out for out, _, _ in score_all(built, encoders, rows_from_records(records))]


def _records(rows: Any, articles: Sequence[Article | str] | None) -> list[Mapping[str, Any]]:
    """Input rows as mappings: a DataFrame's rows, or summaries zipped with their articles."""
    if articles is None:
        if hasattr(rows, "to_dict") and hasattr(rows, "columns"):  # a pandas DataFrame
            return rows.to_dict(orient="records")
        return list(rows)
    summaries = list(rows)
    if len(summaries) != len(articles):
        raise ValueError(f"{len(summaries)} summaries for {len(articles)} articles")
    records: list[Mapping[str, Any]] = []
    for n, (summary, article) in enumerate(zip(summaries, articles, strict=True), 1):
        if isinstance(article, Article):
            records.append({"id": article.id, "article": article.body, "summary": summary,
                            "headline": article.headline, "lede": article.lede,
                            "reference": list(article.references)})
        else:
            records.append({"id": str(n), "article": article, "summary": summary})
    return records


@lru_cache(maxsize=4)
def _metrics(names: tuple[str, ...] | None) -> tuple[list[Any], Any]:
    """The metrics of ``names`` (None: the default set) and their encoders, built once."""
    from harness.input_rows import build_metrics

    return build_metrics(names)


def check_headline(headline: str, body: str, top_k: int = 3) -> dict[str, Any]:
    """Is the headline supported by the article body? ``harness headline-check``'s judgement.

    Args:
        headline: The headline.
        body: The article text.
        top_k: Evidence sentences kept.

    Returns:
        ``headline_support`` in [0, 1], ``verdict``, ``evidence``, ``reasons``,
        ``relatedness``, ``stance`` and the rest of an output line of
        ``harness headline-check`` (docs/headline.md), without its ``id``.

    Raises:
        ValueError: A headline without words, a body without sentences, or
            text mostly in a script other than Latin (the check reads English).

    """
    return _checker(top_k).check(headline, body)


@lru_cache(maxsize=2)
def _checker(top_k: int) -> Any:
    from harness.headline import HeadlineChecker

    return HeadlineChecker(top_k=top_k)


def run(overrides: Sequence[str] = ()) -> Path:
    """Run the main job, ``harness run`` with these Hydra overrides; returns its run folder.

    Args:
        overrides: As on the command line, e.g. ``["models=[lead3]", "limit=5"]``;
            one run (a sweep, ``-m``, is the command's).

    Returns:
        The run folder (``hydra.run.dir``, made absolute), holding the files of docs/results.md;
        ``pandas.read_json(folder / "scores.jsonl", lines=True)`` reads its scores.

    Raises:
        harness.config.ConfigError: The overrides do not compose (a misspelt
            key or option), with the command's one-line message.
        RunFailed: The run ended with a non-zero exit status (a configuration
            error found when it started, a refused folder, nothing scored).

    """
    from harness import cli

    overrides = list(overrides)
    if any(o in ("-m", "--multirun") for o in overrides):
        raise ValueError("run() runs one job; a sweep (-m) is `harness run -m ...`")
    folder, given = _run_folder(overrides)
    args = overrides if given else [*overrides, f"hydra.run.dir='{folder}'"]
    code = cli.main(["run", *args])
    if code != 0:
        raise RunFailed(code, Path(folder).resolve())
    return Path(folder).resolve()


def _run_folder(overrides: list[str]) -> tuple[str, bool]:
    """The run folder these overrides give (its time stamp fixed now); True when given."""
    from omegaconf import OmegaConf

    from harness import app
    from harness import config as cfgmod
    from harness.cli import composition_message

    given = any(o.lstrip("+~").startswith("hydra.run.dir=") for o in overrides)
    try:
        [cfg] = app.configure(overrides) or [None]
    except Exception as exc:
        raise cfgmod.ConfigError(composition_message(exc)) from exc
    if cfg is None:
        raise ValueError(f"run() takes Hydra overrides, not flags: {overrides}")
    folder = str(OmegaConf.select(cfg, "hydra.run.dir"))
    if "'" in folder:
        raise ValueError(f"a run folder with a quote in its name: {folder}")
    return folder, given
