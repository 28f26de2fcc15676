"""``harness compare RUN_A RUN_B``: per-metric differences with intervals; exit 1 on regression.

Exit status: 0 when no shared model regressed, 1 when one did (or, with
``--max-abs-diff``, when any score moved), 2 when a run cannot be read or the
runs share nothing. Semantics in docs/results.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.results.compare import (
    DEFAULT_TOLERANCE,
    Comparison,
    check_overlap,
    compare,
    exact_mismatches,
)
from harness.results.runs import COMPARE_FILES, RunFolderError, load_results
from harness.results.stats import LEVEL, MIN_ARTICLES, RESAMPLES
from harness.results.tables import fmt, fmt_interval, key_head

# Mismatch lines printed by --max-abs-diff before the rest are counted only.
SHOWN_MISMATCHES = 30


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line of ``harness compare``."""
    parser = argparse.ArgumentParser(
        prog="harness compare",
        description="Compare run B against run A (each a run folder or a sweep folder), "
        "matching rows by model and article.",
    )
    parser.add_argument("run_a", type=Path, help="baseline run or sweep folder")
    parser.add_argument("run_b", type=Path, help="new run or sweep folder")
    parser.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE,
        help="a higher-is-better metric regresses when its whole 95%% interval of B-A lies "
        "below -tolerance x (declared range) (default %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    parser.add_argument(
        "--max-abs-diff",
        type=float,
        default=None,
        metavar="ATOL",
        help="also fail when any shared score moved by more than ATOL or a row is in one run only",
    )
    parser.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="use the complete rows of an interrupted run (no run.json) instead of refusing it",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Run the comparison and return the exit status."""
    args = parse_args(argv)
    try:
        a = load_results([args.run_a], COMPARE_FILES, args.allow_incomplete)
        b = load_results([args.run_b], COMPARE_FILES, args.allow_incomplete)
        check_overlap(a, b, str(args.run_a), str(args.run_b))
    except RunFolderError as exc:
        print(f"harness compare: error: {exc}", file=sys.stderr)
        return 2
    for note in a.incomplete + b.incomplete:
        print(f"harness compare: {note}", file=sys.stderr)
    result = compare(a, b, args.seed, args.tolerance)
    print(render(result, args))
    failed = bool(result.regressions)
    if args.max_abs_diff is not None:
        failed |= _report_exact(exact_mismatches(a, b, args.max_abs_diff), args.max_abs_diff)
    return 1 if failed else 0


def render(result: Comparison, args: argparse.Namespace) -> str:
    """Render the difference table and the verdict as plain text."""
    lines = [
        f"A = {args.run_a}",
        f"B = {args.run_b}",
        f"B - A over shared articles; {LEVEL:.0%} paired bootstrap interval, "
        f"{RESAMPLES} resamples, seed {args.seed}; tolerance {args.tolerance} of each range.",
        "",
    ]
    head = ("model", "metric", "A", "B", "B - A [low, high]", "n", "mark")
    rows = [
        (
            c.label,
            key_head(c.spec),
            fmt(c.mean_a),
            fmt(c.mean_b),
            fmt_interval(c.diff, signed=True),
            str(c.diff.n),
            c.mark + ("  REGRESSION" if c.regression else ""),
        )
        for c in result.changes
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for row in [head, *rows]:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    lines.append("")
    if result.only_a or result.only_b:
        lines.append(f"models only in A: {result.only_a}; only in B: {result.only_b}")
    if result.unmatched_rows:
        lines.append(f"{result.unmatched_rows} (model, article) rows are in one run only")
    if result.unchecked:
        lines.append(
            f"{len(result.unchecked)} model/metric pair(s) share fewer than {MIN_ARTICLES} "
            "articles: no noise estimate, the difference itself is checked"
        )
    regs = result.regressions
    if regs:
        names = ", ".join(f"{c.label} {c.spec.key}" for c in regs)
        lines.append(f"REGRESSION in {len(regs)} metric(s): {names}")
    else:
        lines.append("no regression")
    return "\n".join(lines)


def _report_exact(problems: list[str], atol: float) -> bool:
    """Print the exact-check outcome; True when it failed."""
    if not problems:
        print(f"exact check: every shared score within {atol}")
        return False
    print(f"exact check FAILED: {len(problems)} difference(s) beyond {atol}:")
    for line in problems[:SHOWN_MISMATCHES]:
        print(f"  {line}")
    if len(problems) > SHOWN_MISMATCHES:
        print(f"  ... and {len(problems) - SHOWN_MISMATCHES} more")
    return True


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
