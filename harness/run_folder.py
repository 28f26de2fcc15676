"""The run folder: the one home of its file names, and resuming into it.

``harness run`` and ``harness score -o DIR`` write ``articles.jsonl``,
``summaries.jsonl``, ``scores.jsonl``, ``errors.jsonl`` and ``warnings.jsonl``
row by row, then ``config.yaml`` and ``run.json`` (formats in docs/results.md),
and only through this module: :class:`RunWriter` has one method per row file,
each taking the row's record (:mod:`harness.types`), so every file has one
writer and one schema; :func:`write_record` writes ``config.yaml`` and
``run.json``. :class:`RunState` reads what an interrupted run already wrote, so
a rerun into the same folder does only what is missing, and the writer keeps it
up to date as rows are written. A Ray actor writes into a :class:`RowBuffer`
instead, which the driver replays into its writer. :mod:`harness.results.runs`
reads the same files back by these names.

A rerun may only resume rows made the same way: ``fingerprint.json`` records
what defines them (:func:`fingerprint`), and :func:`prepare_folder` refuses a
folder whose fingerprint differs, listing the differences, before any work.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from harness.jsonl import JsonlWriter, read_jsonl
from harness.run_metadata import package_versions, run_metadata
from harness.types import Article, ErrorRow, ScoreRow, Summary

ARTICLES = "articles.jsonl"
SUMMARIES = "summaries.jsonl"
SCORES = "scores.jsonl"
ERRORS = "errors.jsonl"
WARNINGS = "warnings.jsonl"
CONFIG_YAML = "config.yaml"
RUN_JSON = "run.json"
FINGERPRINT = "fingerprint.json"
#: What ``write_tables`` and the report write from the rows (removed when starting over).
DERIVED = ("table.md", "table.csv", "paired.csv", "per_article.parquet", "report.html")

#: Distributions whose versions can change the rows (cleaning, generation, scores).
#: Versions that only change speed or the tables (hydra, numpy's bootstrap) are left out.
ROW_PACKAGES = ("harness", "torch", "transformers", "rouge-score", "nltk", "trafilatura")

#: The append-only row files, by the name :meth:`RunWriter.write` takes.
ROW_FILES = {"articles": ARTICLES, "summaries": SUMMARIES, "scores": SCORES,
             "errors": ERRORS, "warnings": WARNINGS}


@dataclass
class RunState:
    """What an earlier, interrupted run into the same folder already wrote."""

    articles: set[str] = field(default_factory=set)
    summaries: dict[tuple[str, str], str] = field(default_factory=dict)
    scored: set[tuple[str, str]] = field(default_factory=set)
    errors: set[tuple[Any, ...]] = field(default_factory=set)

    @classmethod
    def read(cls, out_dir: Path) -> RunState:
        """Read the rows already in ``out_dir``."""
        state = cls()
        state.articles = {r["id"] for r in read_jsonl(out_dir / ARTICLES)}
        state.summaries = {(r["article_id"], r["model"]): r["summary"]
                           for r in read_jsonl(out_dir / SUMMARIES)}
        state.scored = {(r["article_id"], r["model"]) for r in read_jsonl(out_dir / SCORES)}
        state.errors = {error_key(r) for r in read_jsonl(out_dir / ERRORS)}
        return state


def error_key(row: dict[str, Any]) -> tuple[Any, ...]:
    """What makes an error row the same error (a resumed run does not repeat it)."""
    return (row["id"], row["stage"], row.get("model"), row["error"])


class RowSink(Protocol):
    """Where the stages put their rows: the run folder (:class:`RunWriter`) or a :class:`RowBuffer`.

    ``state`` is what the folder holds already; each method adds to it.
    """

    state: RunState

    def article(self, article: Article, warnings: Sequence[str] = ()) -> None:
        """Write an article's row and its warnings, once per article."""

    def summary(self, row: Summary, warnings: Sequence[str] = ()) -> None:
        """Write a summary and its model's warnings about it."""

    def score(self, row: ScoreRow) -> None:
        """Write the scores of one summary."""

    def error(self, error: ErrorRow) -> None:
        """Write an error once (a resumed run does not repeat it)."""


class RunWriter:
    """The run's append-only files: one method per file, each keeping :class:`RunState` current."""

    def __init__(self, out_dir: Path, state: RunState) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.state = state
        self.files = {name: JsonlWriter(out_dir / file) for name, file in ROW_FILES.items()}
        self.error_count = 0

    def article(self, article: Article, warnings: Sequence[str] = ()) -> None:
        """``articles.jsonl`` (once per article; a resumed one is skipped) and its warnings."""
        if article.id in self.state.articles:
            return
        self.files["articles"].write(article.to_json())
        for message in warnings:
            self.files["warnings"].write({"id": article.id, "stage": "clean",
                                          "warning": message})
        self.state.articles.add(article.id)

    def summary(self, row: Summary, warnings: Sequence[str] = ()) -> None:
        """``summaries.jsonl``, and the model's warnings about this summary."""
        self.files["summaries"].write(row.to_json())
        for message in warnings:
            self.files["warnings"].write({"id": row.article_id, "model": row.model,
                                          "warning": message})
        self.state.summaries[(row.article_id, row.model)] = row.summary

    def score(self, row: ScoreRow) -> None:
        """``scores.jsonl``: every metric value (and evidence) of one summary."""
        self.files["scores"].write(row.to_json())
        self.state.scored.add((row.article_id, row.model))

    def error(self, error: ErrorRow) -> None:
        """``errors.jsonl``: an error recorded once (a resumed run does not repeat it)."""
        row = error.to_json()
        key = error_key(row)
        self.error_count += 1
        if key not in self.state.errors:
            self.state.errors.add(key)
            self.files["errors"].write(row)

    def close(self) -> None:
        """Close every file."""
        for fh in self.files.values():
            fh.close()


@dataclass
class RowBuffer:
    """Stands in for :class:`RunWriter` where the folder is out of reach (a Ray actor).

    Keeps each call in order; :meth:`replay` makes the same calls on the run's writer.
    """

    state: RunState
    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)

    def article(self, article: Article, warnings: Sequence[str] = ()) -> None:
        """Keep an article (once) and its warnings."""
        if article.id not in self.state.articles:
            self.calls.append(("article", (article, tuple(warnings))))
            self.state.articles.add(article.id)

    def summary(self, row: Summary, warnings: Sequence[str] = ()) -> None:
        """Keep a summary and its warnings."""
        self.calls.append(("summary", (row, tuple(warnings))))
        self.state.summaries[(row.article_id, row.model)] = row.summary

    def score(self, row: ScoreRow) -> None:
        """Keep a score row."""
        self.calls.append(("score", (row,)))
        self.state.scored.add((row.article_id, row.model))

    def error(self, error: ErrorRow) -> None:
        """Keep an error (the run's writer drops those an earlier run recorded)."""
        self.calls.append(("error", (error,)))

    def replay(self, writer: RowSink) -> None:
        """Write the kept rows into ``writer``, in the order they were made."""
        for method, args in self.calls:
            getattr(writer, method)(*args)


def write_record(out_dir: Path, config_yaml: str, *, experiment: str, seed: int,
                 models: Sequence[str], metrics: dict[str, Any], counts: dict[str, Any],
                 model_identities: dict[str, Any] | None = None) -> None:
    """``config.yaml`` (the configuration, as YAML text) and then ``run.json``, the run's record.

    ``run.json`` is written last: a folder without it is a run in progress or an
    interrupted one (:func:`prepare_folder` removes it when a run goes on).

    Args:
        out_dir: The run folder.
        config_yaml: What ran, as YAML (the resolved Hydra config, or a command's inputs).
        experiment: The experiment's name.
        seed: The run's seed (the tables' bootstrap reads it back).
        models: The models' names, in the order they ran.
        metrics: The metric declarations (:func:`harness.metrics.base.metric_declarations`).
        counts: ``articles``, ``errors`` and, for a run, ``timings`` per stage.
        model_identities: Each model's ``identity()``, for runs that generated summaries.

    """
    (out_dir / CONFIG_YAML).write_text(config_yaml)
    record: dict[str, Any] = {"experiment": experiment, "seed": seed, "models": list(models)}
    if model_identities is not None:
        record["model_identities"] = model_identities
    record.update({"metrics": metrics, **counts, "environment": run_metadata()})
    (out_dir / RUN_JSON).write_text(json.dumps(record, indent=2, default=str) + "\n")


class FingerprintMismatch(ValueError):
    """The folder holds rows made another way; the message lists the differences."""


def fingerprint(data: Any, limit: int | None, sample: dict[str, int] | None,
                models: dict[str, Any], metrics: dict[str, Any]) -> dict[str, Any]:
    """What defines a run folder's rows: data, models and metrics with their settings, versions.

    Args:
        data: The data source's resolved config (class and path included).
        limit: The article limit (a resumed run with another limit would mix sets).
        sample: ``{"n", "seed"}`` of a random sample of the source, or None.
        models: Each model's ``identity()`` (class, weights, every output setting).
        metrics: Each metric's resolved config, by class.

    Batch size, workers, verbosity and (without a sample) the seed are left out:
    they do not change rows.

    """
    record = {"data": data, "limit": limit, "sample": sample, "models": models,
              "metrics": metrics,
              "versions": package_versions(ROW_PACKAGES)}
    return json.loads(json.dumps(record, default=str, sort_keys=True))


def differences(old: Any, new: Any, path: str = "") -> list[str]:
    """``key: old -> new`` for every leaf that differs between two JSON values."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in old:
                out.append(f"{where}: (absent) -> {_short(new[key])}")
            elif key not in new:
                out.append(f"{where}: {_short(old[key])} -> (absent)")
            else:
                out += differences(old[key], new[key], where)
        return out
    return [] if old == new else [f"{path or '(all)'}: {_short(old)} -> {_short(new)}"]


def _short(value: Any, width: int = 80) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


def has_rows(out_dir: Path) -> bool:
    """Tell whether ``out_dir`` holds any non-empty row file."""
    return any((out_dir / f).is_file() and (out_dir / f).stat().st_size
               for f in ROW_FILES.values())


def check_folder(out_dir: Path, record: dict[str, Any], resume: bool = True) -> None:
    """Refuse a folder whose rows were made another way, reading only (it writes nothing).

    Raises:
        FingerprintMismatch: ``out_dir`` holds rows with another fingerprint, or without one
            (and ``resume`` is true); the message lists the differences.

    """
    if not resume or not out_dir.is_dir() or not has_rows(out_dir):
        return
    path = out_dir / FINGERPRINT
    if not path.is_file():
        raise FingerprintMismatch(
            f"{out_dir} holds rows but no {FINGERPRINT}, so they cannot be matched to this "
            "config. Choose a new folder (hydra.run.dir=...), or resume=false to delete "
            "them and start over.")
    old = json.loads(path.read_text(encoding="utf-8"))
    diff = differences(old, record)
    if diff:
        listed = "\n  ".join(diff[:20]) + ("\n  …" if len(diff) > 20 else "")
        raise FingerprintMismatch(
            f"{out_dir} holds rows made with another configuration, so resuming would mix "
            f"two experiments. Differences (folder -> this run):\n  {listed}\n"
            "Choose a new folder (hydra.run.dir=...), or resume=false to delete its rows "
            "and start over.")


def prepare_folder(out_dir: Path, record: dict[str, Any], resume: bool = True) -> None:
    """Make ``out_dir`` ready for rows defined by ``record``, or refuse before any work.

    - a new or empty folder: ``fingerprint.json`` is written;
    - ``resume=False``: the rows and tables there are deleted, then as above;
    - rows with the same fingerprint: kept, the run resumes;
    - rows with another fingerprint, or without one: :class:`FingerprintMismatch`
      (:func:`check_folder`), with nothing written.

    A run that goes on removes ``run.json``: it is written last, so a folder
    without it is a run in progress or an interrupted one.
    """
    check_folder(out_dir, record, resume)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FINGERPRINT
    if not resume:
        for name in (*ROW_FILES.values(), *DERIVED, FINGERPRINT, RUN_JSON):
            (out_dir / name).unlink(missing_ok=True)
    elif has_rows(out_dir):
        (out_dir / RUN_JSON).unlink(missing_ok=True)
        return
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
