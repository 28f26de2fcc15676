"""``harness score IN [-o OUT.jsonl | -o DIR]``: score existing summaries, no generation.

Input: JSON Lines (one object a line) or CSV (``.csv``, a header row, read
with the ``csv`` module), each row ``{"id", "article", "summary"}`` plus optional
``"headline"``, ``"lede"``, ``"model"`` and ``"reference"`` (a gold summary or a
list of them: the ``rouge_ref`` metric scores against it). Without headline and lede the article
text is cleaned (:func:`harness.clean.to_article`) and they are extracted;
text with no title line keeps no headline, and the metrics that need one
(coverage) record that as their error for the row while the others still
score it. A JSONL file is read line by line and a CSV file row by row, so a
malformed line or row costs only its own row; anything else is refused with
a message naming the formats.

Output, ``-o OUT.jsonl`` or stdout: one line per input row, ``id`` (and
``model`` when given), a ``scores`` object, an ``evidence`` object (per metric
that explains itself, e.g. faithfulness: per summary sentence its score, the
article span that supports it best and the reasons it lost points), and an
``error`` string when a metric could not score the row.

Output ``-o DIR`` (a path not ending in ``.jsonl``): a run folder like
``harness run`` writes (articles, summaries, scores, errors, tables,
``config.yaml``, ``run.json``), one model per distinct ``model`` value
(``input`` for rows without one), so ``harness compare`` and ``harness
report`` read it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from harness.commands.outcome import nothing_done
from harness.commands.output import OutputError, open_output
from harness.commands.score_folder import write_run_folder
from harness.config import ConfigError, available, default_metrics
from harness.input_rows import (
    BadRow,
    InputError,
    build_metrics,
    counts_line,
    read_input,
    row_count,
    score_all,
)
from harness.progress import Progress
from harness.verbosity import let_libraries_print, quiet_libraries


def main(argv: list[str]) -> int:
    """Score every row of the input; rows that fail get an ``error``."""
    parser = _parser()
    args = parser.parse_args(argv)
    _take_input_from_metrics(args, parser)
    if not args.verbose:
        quiet_libraries()
    else:
        let_libraries_print()
    try:
        # The default metric set is the one of `harness run` (configs/config.yaml).
        names = args.metrics if args.metrics is not None else default_metrics()
        metrics, encoders = build_metrics(names)
    except ConfigError as exc:
        print(f"harness score: {exc}", file=sys.stderr)
        return 2
    try:
        rows = read_input(Path(args.input))
    except InputError as exc:
        print(f"harness score: {exc}", file=sys.stderr)
        return 2
    if not any(isinstance(text, BadRow) or text.strip() for _, text in rows):
        print(f"harness score: {args.input}: no rows to score (the input is empty)",
              file=sys.stderr)
        return 1
    # Standard error: a bar on a terminal, else a line every 30 seconds.
    progress = Progress("harness score", row_count(rows), "summary")
    if args.output and not args.output.endswith(".jsonl"):
        try:
            return write_run_folder(Path(args.output), metrics, encoders, rows,
                                    Path(args.input), names, full=args.full,
                                    done=progress.update)
        finally:
            progress.close()
    try:
        out = open_output(args.output)
    except OutputError as exc:
        progress.close()
        print(f"harness score: {exc}", file=sys.stderr)
        return 2
    n_ok = n_bad = n_partial = 0
    failed: list[str] = []
    try:
        for result in score_all(metrics, encoders, rows, done=progress.update):
            row = result[0]
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            n_ok += bool(row["scores"])
            n_bad += not row["scores"]
            n_partial += bool(row["scores"]) and "error" in row
            if not row["scores"]:
                failed.append(str(row.get("error", "")))
    finally:
        progress.close()
        if args.output:
            out.close()
    print(f"harness score: {counts_line(n_ok, n_bad, n_partial)}", file=sys.stderr)
    if n_ok or not n_bad:
        return 0
    print(f"harness score: {nothing_done('scored', failed)}", file=sys.stderr)
    return 1


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="harness score", description=__doc__.splitlines()[0])
    p.add_argument("input", nargs="?",
                   help="JSONL or CSV with id, article, summary "
                        "[, headline, lede, model, reference]")
    p.add_argument("-o", "--output",
                   help="OUT.jsonl (default: stdout), or a folder: a run folder for "
                        "harness compare / report")
    p.add_argument("--metrics", nargs="+", default=None,
                   help="configs/metric names (default: the metrics of configs/config.yaml)")
    p.add_argument("--full", action="store_true",
                   help="with -o DIR: print the full table and the paired table")
    p.add_argument("--verbose", action="store_true", help="let libraries print progress bars")
    return p


def _take_input_from_metrics(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """``--metrics rouge IN`` puts IN among the metrics: take it back as the input."""
    if args.input is None and args.metrics:
        known = set(available("metric"))
        if args.metrics[-1] not in known:
            args.input = args.metrics.pop()
    if args.input is None:
        parser.error("the input file is required")
    if args.metrics == []:
        parser.error("--metrics needs at least one metric name")


