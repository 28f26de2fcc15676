"""``harness headline-check IN.jsonl [-o OUT.jsonl]``: is each headline supported by its body.

Input: JSON Lines, one ``{"id", "headline", "article"}`` a line, or CSV
(``.csv``, a header row naming those columns, read with the ``csv`` module; a
malformed row is an error row naming its line). Output line: ``id``,
``headline_support`` in [0, 1], a ``verdict`` (supported, partly supported,
disputed, unrelated, no claim), the ``evidence`` sentences, the ``reasons``
behind the verdict and the components (``relatedness``, ``stance``
probabilities, ``agreement``: does the body argue for the headline or against
it); see docs/headline.md. A row that cannot be checked (malformed
JSON, missing or empty field, a headline or article without words) gets an
``error`` instead. Progress goes to standard error: a bar on a terminal, a
line every 30 seconds elsewhere. Exit status: 0 when some row was checked, 1
when none was (every row failed, or the input has no row: a line says why), 2
when the input or the output cannot be read or written, or a model
file is missing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from harness.commands.outcome import nothing_done
from harness.commands.output import OutputError, open_output
from harness.headline import HeadlineChecker
from harness.progress import Progress
from harness.verbosity import let_libraries_print, quiet_libraries


def main(argv: list[str]) -> int:
    """Check every line of the input; rows that fail get an ``error``."""
    p = argparse.ArgumentParser(prog="harness headline-check",
                                description=__doc__.splitlines()[0])
    p.add_argument("input", help="JSONL (or .csv with a header row) with id, headline, article")
    p.add_argument("-o", "--output", help="output JSONL (default: stdout)")
    p.add_argument("--top-k", type=int, default=3, help="evidence sentences kept")
    p.add_argument("--params", help="stance model file (default: harness/params/stance.npz)")
    p.add_argument("--support", action="store_true",
                   help="verdicts from the entailment cross-encoder (docs/headline.md; it did "
                        "not beat the default on the dev data)")
    p.add_argument("--no-agreement", action="store_true",
                   help="leave out the stance cross-encoder's agreement (faster; "
                        "headline_support is then the stance model's alone)")
    p.add_argument("--verbose", action="store_true", help="let libraries print progress bars")
    args = p.parse_args(argv)
    if args.top_k < 1:
        p.error("--top-k must be at least 1")
    if not args.verbose:
        quiet_libraries()
    else:
        let_libraries_print()
    try:
        rows = read_rows(Path(args.input))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        print(f"harness headline-check: cannot read {args.input}: {exc}", file=sys.stderr)
        return 2
    if not rows:
        print(f"harness headline-check: {args.input}: no rows to check (the input is empty)",
              file=sys.stderr)
        return 1
    try:
        checker = HeadlineChecker(top_k=args.top_k, stance_path=args.params,
                                  support_model="default" if args.support else None,
                                  agreement_model=None if args.no_agreement else "default")
    except RuntimeError as exc:  # the stance model's file (--params) is missing or stale
        print(f"harness headline-check: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:  # --params names a file that is no stance model
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"harness headline-check: cannot read the stance model {args.params}: {first}",
              file=sys.stderr)
        return 2
    try:
        out = open_output(args.output)
    except OutputError as exc:
        print(f"harness headline-check: {exc}", file=sys.stderr)
        return 2
    n_ok = n_bad = 0
    failed: list[str] = []
    progress = Progress("harness headline-check", len(rows), "pair")
    try:
        for where, line, bad in rows:
            row = check_line(checker, line, where) if bad is None else {
                "id": where, "error": f"{where}: {bad}"}
            n_bad += "error" in row
            n_ok += "error" not in row
            if "error" in row:
                failed.append(row["error"])
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            progress.update()
    finally:
        progress.close()
        if args.output:
            out.close()
    print(f"harness headline-check: {n_ok} checked, {n_bad} failed", file=sys.stderr)
    if n_ok:
        return 0
    print(f"harness headline-check: {nothing_done('checked', failed)}", file=sys.stderr)
    return 1


def read_rows(path: Path) -> list[tuple[str, str, str | None]]:
    """``(where, JSON line, None)`` per non-blank row; ``(where, "", why)`` for a malformed one.

    Raises:
        OSError, UnicodeDecodeError: the file cannot be read.
        ValueError: a CSV file whose header row cannot be read.

    """
    if path.suffix.lower() != ".csv":
        lines = path.read_text(encoding="utf-8").splitlines()
        return [(f"{path}:{n}", line, None) for n, line in enumerate(lines, 1) if line.strip()]
    from harness.load import csv_records

    # Line numbers count the header row, as an editor shows them.
    return [(f"{path}:{n}", "", r) if isinstance(r, str)
            else (f"{path}:{n}", json.dumps(r, ensure_ascii=False), None)
            for n, r in csv_records(path)]


def check_line(checker: HeadlineChecker, line: str, where: str) -> dict:
    """The output row of one input line."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": where, "error": f"{where}: malformed JSON ({exc.msg})"}
    if not isinstance(row, dict):
        return {"id": where, "error": f"{where}: expected a JSON object"}
    rid = str(row.get("id", where))
    for name in ("id", "headline", "article"):
        value = row.get(name)
        if name == "id" and isinstance(value, int) and not isinstance(value, bool):
            continue
        if not isinstance(value, str) or not value.strip():
            return {"id": rid, "error": f"{where}: missing or empty field {name!r}"}
    try:
        return {"id": rid, **checker.check(row["headline"], row["article"])}
    except ValueError as exc:
        return {"id": rid, "error": f"{where}: {exc}"}
