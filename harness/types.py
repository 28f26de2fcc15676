"""Records that flow between the pipeline stages (see DESIGN.md, "Data flow")."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class RawDoc:
    """One input document before cleaning.

    Exactly one of ``text`` and ``html`` is set. ``headline`` and ``lede`` are
    given when the source already knows them (a JSONL with those fields).
    """

    id: str
    source: str
    text: str | None = None
    html: str | None = None
    headline: str | None = None
    lede: str | None = None
    #: Reference summaries (gold), when the source has them; scored by ``rouge_ref``.
    references: tuple[str, ...] = ()


def as_references(value: Any) -> tuple[str, ...]:
    """A record's reference summaries: one string, a list of strings, or none (``None``, ``""``).

    Raises:
        ValueError: When the value is neither a string nor a list of strings.

    """
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(v for v in value if v.strip())
    raise ValueError(f"reference must be a string or a list of strings, not {type(value).__name__}")


@dataclass(frozen=True)
class Removed:
    """A line the cleaner dropped, with the rule that dropped it."""

    line: str
    reason: str


@dataclass(frozen=True)
class Article:
    """A cleaned article: the references (headline, lede) and the body.

    ``headline_from`` and ``lede_from`` say where each came from: ``"given"``
    by the source, ``"detected"`` by the cleaner, or (headline only)
    ``"absent"``: untitled text, ``headline`` empty and a warning written.
    ``references`` are gold summaries when the source has them.
    ``dateline`` is the story's dateline when the cleaner split one off its
    lede ("BERLIN (Reuters) - ") or dropped a dateline line ("Published:
    14 May 2022"), the first one found; empty when none.
    """

    id: str
    headline: str
    lede: str
    paragraphs: tuple[str, ...]
    source: str = ""
    removed: tuple[Removed, ...] = ()
    headline_from: str = "detected"
    lede_from: str = "detected"
    warnings: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    dateline: str = ""

    @property
    def body(self) -> str:
        """The paragraphs joined by blank lines."""
        return "\n\n".join(self.paragraphs)

    def as_text(self) -> str:
        """The article as plain text again: its headline (when it has one), then the body.

        Cleaning this text again should give the same article (idempotence).
        """
        return "\n\n".join([h for h in (self.headline,) if h] + list(self.paragraphs))

    def to_json(self) -> dict[str, Any]:
        """The ``harness clean`` output line (DESIGN.md)."""
        return {
            "id": self.id,
            "source": self.source,
            "headline": self.headline,
            "lede": self.lede,
            "paragraphs": list(self.paragraphs),
            "body": self.body,
            "removed": [asdict(r) for r in self.removed],
            "headline_from": self.headline_from,
            "lede_from": self.lede_from,
            "warnings": list(self.warnings),
            "references": list(self.references),
            "dateline": self.dateline,
        }

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> Article:
        """Inverse of :meth:`to_json`."""
        return cls(
            id=str(row["id"]),
            headline=row.get("headline", ""),
            lede=row.get("lede", ""),
            paragraphs=tuple(row["paragraphs"]),
            source=row.get("source", ""),
            removed=tuple(Removed(**r) for r in row.get("removed", [])),
            headline_from=row.get("headline_from", "detected"),
            lede_from=row.get("lede_from", "detected"),
            warnings=tuple(row.get("warnings", ())),
            references=tuple(row.get("references", ())),
            dateline=row.get("dateline", ""),
        )


@dataclass(frozen=True)
class Summary:
    """One model's summary of one article."""

    article_id: str
    model: str
    summary: str
    #: Seconds to generate it; None for a summary given to ``harness score`` (not generated).
    seconds: float | None = 0.0
    tokens: int = 0
    cached: bool = False
    #: ``article`` (timed alone) or ``batch`` (the mean of its batch): Generation.timing;
    #: None with ``seconds`` None.
    timing: str | None = "article"

    def to_json(self) -> dict[str, Any]:
        """The ``summaries.jsonl`` line."""
        return asdict(self)


@dataclass(frozen=True)
class ErrorRow:
    """A recorded failure: which input, at which stage, and why."""

    id: str
    stage: str
    error: str
    model: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``errors.jsonl`` line (``model`` only when it applies)."""
        row = asdict(self)
        if row["model"] is None:
            del row["model"]
        return row


@dataclass
class ScoreRow:
    """All metric values of one summary."""

    article_id: str
    model: str
    scores: dict[str, float] = field(default_factory=dict)
    #: Per metric that explains itself (faithfulness: per summary sentence its score,
    #: best-supporting article span and reasons); read by the report's explorer.
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ``scores.jsonl`` line (``evidence`` only when a metric gave some)."""
        row = {"article_id": self.article_id, "model": self.model, "scores": self.scores}
        if self.evidence:
            row["evidence"] = self.evidence
        return row
