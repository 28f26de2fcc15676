"""The ``harness`` command: one subcommand per DESIGN.md contract entry.

``harness run`` hands its arguments to the Hydra app (:mod:`harness.app`);
the other subcommands are plain argparse programs in :mod:`harness.commands`.
"""

from __future__ import annotations

import difflib
import importlib
import sys

USAGE = """usage: harness COMMAND [ARGS]

commands:
  run [hydra overrides]          run an experiment (default: data/seed, default models)
  clean PATH... [-o OUT.jsonl]   raw text or HTML in, one cleaned article per line
  score IN.jsonl [-o OUT.jsonl]  score existing summaries, no generation
  headline-check IN.jsonl [-o OUT.jsonl]
                                 is each headline supported by its article?
  compare RUN_A RUN_B            differences between runs; exit 1 on regression
  report RUN... [-o report.html] comparison report with plots
"""

COMMANDS = {
    "clean": "harness.commands.clean",
    "score": "harness.commands.score",
    "headline-check": "harness.commands.headline",
    "compare": "harness.commands.compare",
    "report": "harness.commands.report",
}


def _run(argv: list[str]) -> int:
    from harness import app

    sys.argv = ["harness run", *argv]
    try:
        app.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        # Hydra exits 1 on a composition error (misspelt key, unknown option),
        # before our task starts: that is bad configuration, exit 2.
        if code == 1 and not app.TASK_STARTED:
            return 2
        return code
    return 0


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a subcommand; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        return _run(rest)
    if command not in COMMANDS:
        close = difflib.get_close_matches(command, [*COMMANDS, "run"], n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        print(f"harness: unknown command '{command}'.{hint}\n\n{USAGE}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[command])
    return module.main(rest)


if __name__ == "__main__":
    sys.exit(main())
