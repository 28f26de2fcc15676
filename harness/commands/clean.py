"""``harness clean PATH... [-o OUT.jsonl]``: raw text or HTML in, one Article per line.

Each line says where its headline and lede came from (``headline_from``,
``lede_from``: ``detected`` by the cleaner, ``given`` by the source, or
``absent`` for untitled text) and its ``warnings``, which are also printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from harness.clean import clean_doc
from harness.commands.output import OutputError, open_output
from harness.load import FileSource, SourceError
from harness.types import ErrorRow


def main(argv: list[str]) -> int:
    """Clean files (or folders of them); bad files are reported, the rest written."""
    parser = argparse.ArgumentParser(prog="harness clean", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help=".txt, .html or .html.gz files or folders")
    parser.add_argument("-o", "--output", help="output JSONL (default: stdout)")
    args = parser.parse_args(argv)
    try:
        source = FileSource(args.paths)
    except SourceError as exc:
        print(f"harness clean: {exc}", file=sys.stderr)
        return 2
    try:
        out = open_output(args.output)
    except OutputError as exc:
        print(f"harness clean: {exc}", file=sys.stderr)
        return 2
    written = failed = 0
    try:
        for doc in source:
            if isinstance(doc, ErrorRow):
                print(f"harness clean: {doc.id}: {doc.error}", file=sys.stderr)
                failed += 1
                continue
            try:
                article = clean_doc(doc)
            except ValueError as exc:
                print(f"harness clean: {doc.source}: {exc}", file=sys.stderr)
                failed += 1
                continue
            for message in article.warnings:
                print(f"harness clean: {doc.source}: warning: {message}", file=sys.stderr)
            out.write(json.dumps(article.to_json(), ensure_ascii=False) + "\n")
            written += 1
    finally:
        if args.output:
            out.close()
    print(f"harness clean: {written} cleaned, {failed} failed"
          + (f" → {Path(args.output)}" if args.output else ""), file=sys.stderr)
    return 0 if written or not failed else 1
