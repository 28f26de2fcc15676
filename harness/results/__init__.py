"""Aggregate runs into results tables and compare runs.

``write_tables`` is the *aggregate* and *write* steps of DESIGN.md's data flow
for one run folder (or one Hydra sweep folder). What produced a run
(:mod:`harness.run_metadata`) sits below, beside :mod:`harness.run_folder`:
``results`` only reads.
"""

from __future__ import annotations

from pathlib import Path

from harness.results.runs import TABLE_FILES, RunFolderError, load_results
from harness.results.short import format_short
from harness.results.tables import (
    aggregate,
    format_markdown,
    write_csv,
    write_paired_csv,
    write_per_article,
)

__all__ = ["RunFolderError", "write_tables"]


def write_tables(run_dir: Path, seed: int = 0, full: bool = True) -> str:
    """Write table.md, table.csv, paired.csv and per_article.parquet into ``run_dir``.

    Args:
        run_dir: a run folder, or a sweep folder whose jobs are pooled into one table.
        seed: seeds every bootstrap interval (recorded in table.md).
        full: return the whole of table.md; False: the short table with its verdict.

    Returns:
        The table to print.

    Raises:
        RunFolderError: a needed file is missing or malformed (the message names it).

    """
    run_dir = Path(run_dir)
    results = load_results([run_dir], TABLE_FILES)
    table = aggregate(results, seed)
    text = format_markdown(table)
    (run_dir / "table.md").write_text(text, encoding="utf-8")
    write_csv(table, run_dir / "table.csv")
    write_paired_csv(table, run_dir / "paired.csv")
    write_per_article(results, run_dir / "per_article.parquet")
    return text if full else format_short(table)
