"""``harness report RUN_OR_SWEEP... [-o report.html]``: one self-contained HTML report.

All given runs and sweep jobs are pooled into one table (a model that appears
in several is labelled with its job's overrides or folder name). Exit status 0
when the report was written, 2 when a run cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.commands.output import unwritable
from harness.results.report import build_report
from harness.results.runs import REPORT_FILES, RunFolderError, load_results


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line of ``harness report``."""
    parser = argparse.ArgumentParser(
        prog="harness report",
        description="Write an HTML report (tables and plots) of runs and sweeps.",
    )
    parser.add_argument("runs", nargs="+", type=Path, help="run folders or sweep folders")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="HTML file to write (default: RUN/report.html for one run, else ./report.html)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="bootstrap seed (default: the first run's seed from run.json, else 0)",
    )
    parser.add_argument("--title", default=None, help="page title")
    parser.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="use the complete rows of an interrupted run (no run.json) instead of refusing it",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Write the report and return the exit status."""
    args = parse_args(argv)
    try:
        results = load_results(args.runs, REPORT_FILES, args.allow_incomplete)
    except RunFolderError as exc:
        print(f"harness report: error: {exc}", file=sys.stderr)
        return 2
    for note in results.incomplete:
        print(f"harness report: {note}", file=sys.stderr)
    seed = args.seed if args.seed is not None else (results.seed or 0)
    title = args.title or "Summarization results: " + ", ".join(p.name or str(p) for p in args.runs)
    output = args.output or (
        args.runs[0] / "report.html" if len(args.runs) == 1 else Path("report.html")
    )
    html = build_report(results, seed, title)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(html, encoding="utf-8")
    except OSError as exc:
        print(f"harness report: error: {unwritable(output, exc)}", file=sys.stderr)
        return 2
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
