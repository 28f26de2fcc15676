"""The run folder: the one home of its file names, and resuming into it.

``harness run`` writes ``articles.jsonl``, ``summaries.jsonl``,
``scores.jsonl``, ``errors.jsonl`` and ``warnings.jsonl`` row by row, then
``config.yaml`` and ``run.json`` (formats in DESIGN.md). :class:`RunState`
reads what an interrupted run already wrote, so a rerun into the same folder
does only what is missing; :class:`RunWriter` appends the new rows.
:mod:`harness.results.runs` reads the same files back by these names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.jsonl import JsonlWriter, read_jsonl
from harness.types import ErrorRow

ARTICLES = "articles.jsonl"
SUMMARIES = "summaries.jsonl"
SCORES = "scores.jsonl"
ERRORS = "errors.jsonl"
WARNINGS = "warnings.jsonl"
CONFIG_YAML = "config.yaml"
RUN_JSON = "run.json"

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


class RunWriter:
    """The run's append-only files, with duplicate-free error rows."""

    def __init__(self, out_dir: Path, state: RunState) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.state = state
        self.files = {name: JsonlWriter(out_dir / file) for name, file in ROW_FILES.items()}
        self.error_count = 0

    def write(self, name: str, row: dict[str, Any]) -> None:
        """Append a row to the file of ``name`` (a key of :data:`ROW_FILES`)."""
        self.files[name].write(row)

    def error(self, error: ErrorRow) -> None:
        """Record an error once (a resumed run does not repeat it)."""
        row = error.to_json()
        key = error_key(row)
        self.error_count += 1
        if key not in self.state.errors:
            self.state.errors.add(key)
            self.write("errors", row)

    def close(self) -> None:
        """Close every file."""
        for fh in self.files.values():
            fh.close()
