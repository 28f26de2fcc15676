"""``harness headline-check IN.jsonl [-o OUT.jsonl]``: is each headline supported by its body.

Input line: ``{"id", "headline", "article"}``. Output line: ``id``,
``headline_support`` in [0, 1], a ``verdict`` (supported, partly supported,
disputed, unrelated, no claim), the ``evidence`` sentences, the ``reasons``
behind the verdict and the components (``relatedness``, ``stance``
probabilities); see docs/headline.md. A row that cannot be checked (malformed
JSON, missing or empty field, a headline or article without words) gets an
``error`` instead. Exit status: 0 when some row was checked (or the input had
no rows), 1 when every row failed, 2 when the input cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys

from harness.headline import HeadlineChecker


def main(argv: list[str]) -> int:
    """Check every line of the input; rows that fail get an ``error``."""
    p = argparse.ArgumentParser(prog="harness headline-check",
                                description=__doc__.splitlines()[0])
    p.add_argument("input", help="JSONL with id, headline, article")
    p.add_argument("-o", "--output", help="output JSONL (default: stdout)")
    p.add_argument("--top-k", type=int, default=3, help="evidence sentences kept")
    p.add_argument("--params", help="stance model file (default: harness/params/stance.npz)")
    args = p.parse_args(argv)
    if args.top_k < 1:
        p.error("--top-k must be at least 1")
    try:
        with open(args.input, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"harness headline-check: cannot read {args.input}: {exc}", file=sys.stderr)
        return 2
    checker = HeadlineChecker(top_k=args.top_k, stance_path=args.params)
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    n_ok = n_bad = 0
    try:
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            row = check_line(checker, line, f"{args.input}:{lineno}")
            n_bad += "error" in row
            n_ok += "error" not in row
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if args.output:
            out.close()
    print(f"harness headline-check: {n_ok} checked, {n_bad} failed", file=sys.stderr)
    return 0 if n_ok or not n_bad else 1


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
