"""The ``harness`` command: one subcommand per DESIGN.md contract entry.

``harness run`` hands its arguments to the configuration step and then the
Hydra app (:mod:`harness.app`); the other subcommands are plain argparse
programs in :mod:`harness.commands`.
"""

from __future__ import annotations

import difflib
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields

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

    if (note := sweep_run_dir_note(argv)) is not None:
        print(f"harness run: warning: {note}", file=sys.stderr)
    try:
        app.configure(argv)  # every job's config composed and checked; raises, runs nothing
    except Exception as exc:  # noqa: BLE001 - one line, exit 2
        print(f"harness run: configuration error: {composition_message(exc)}", file=sys.stderr)
        return 2
    with _command_line(argv):
        try:
            app.main()
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


@contextmanager
def _command_line(argv: list[str]) -> Iterator[None]:
    """``sys.argv`` as ``hydra.main`` reads it (it takes no arguments), restored after."""
    saved = sys.argv
    sys.argv = ["harness run", *argv]
    try:
        yield
    finally:
        sys.argv = saved


def sweep_run_dir_note(argv: list[str]) -> str | None:
    """One line when a sweep (``-m``) is given ``hydra.run.dir``, which Hydra ignores then."""
    if not any(a in ("-m", "--multirun") for a in argv):
        return None
    given = [a for a in argv if a.lstrip("+~").startswith("hydra.run.dir=")]
    if not given:
        return None
    folder = given[-1].partition("=")[2]
    return (f"with -m, hydra.run.dir is not used (each job writes into hydra.sweep.dir/"
            f"<job number>); for the sweep to write under {folder}, pass "
            f"hydra.sweep.dir={folder} instead")


def composition_message(exc: BaseException) -> str:
    """Hydra's error in one line; for an unknown key, the closest existing one.

    Hydra advises ``+key=value`` for a key the config lacks; harness refuses such
    keys too (nothing reads them), so the advice is replaced by a suggestion.
    """
    from omegaconf.errors import ConfigAttributeError, ConfigKeyError, ValidationError

    from harness.config import did_you_mean

    cause: BaseException | None = exc
    while cause is not None:
        parent, key = getattr(cause, "parent_node", None), getattr(cause, "key", None)
        where = getattr(cause, "full_key", None) or key
        if isinstance(cause, ValidationError) and key is not None:
            return bad_value(str(where), getattr(cause, "value", None), cause)
        if (isinstance(cause, ConfigKeyError | ConfigAttributeError) and parent is not None
                and key is not None and hasattr(parent, "keys")):
            others = [k for k in parent.keys() if k != key]
            return f"unknown key '{where}'.{did_you_mean(key, others)}"
        if isinstance(cause, OSError) and cause.filename is not None:
            return (f"cannot write {cause.filename}: {cause.strerror}. Choose a folder you can "
                    "write with hydra.run.dir=DIR (hydra.sweep.dir=DIR with -m)")
        cause = cause.__cause__ or cause.__context__
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def bad_value(key: str, value: object, exc: BaseException) -> str:
    """A value of the wrong type for ``key``: the key, the value and what it takes."""
    from harness.config import RunConfig

    expected = {f.name: f.type for f in fields(RunConfig)}.get(key.split(".")[0])
    shown = value if not isinstance(value, str) else repr(value)
    if isinstance(expected, str) and expected.startswith("list"):
        return (f"{key}={shown}: {key} takes a list, e.g. {key}=[{value}] "
                f"(quote it for the shell: '{key}=[...]')")
    message = str(getattr(exc, "msg", None) or exc).strip().splitlines()[0]
    return f"{key}={shown}: {message}"


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
