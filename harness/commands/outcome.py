"""The closing line of a command that produced nothing: what failed, and why.

``harness score`` and ``harness headline-check`` exit 1 when no row was
scored (checked); the line says how many rows failed and their commonest
causes, as the table's failure lines do for a run.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.results.tables import count_causes, failure_cause


def nothing_done(done: str, errors: Sequence[str]) -> str:
    """``nothing was scored: every row failed (12 × missing or empty field 'summary')``.

    Args:
        done: the participle of the command's work (``scored``, ``checked``).
        errors: the error message of each failed row (file and line are left out).

    """
    if not errors:
        return f"nothing was {done}: the input holds no row"
    causes = count_causes([failure_cause(e) for e in errors])
    shown = "; ".join(f"{n} × {cause}" for cause, n in causes[:2])
    more = len(causes) - 2
    rest = f"; {more} other cause{'s' * (more != 1)}" if more > 0 else ""
    every = "the row" if len(errors) == 1 else f"every row ({len(errors)})"
    return f"nothing was {done}: {every} failed ({shown}{rest})"
