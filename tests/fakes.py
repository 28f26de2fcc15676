"""Shared test doubles: article and document builders, fake summarizers and metrics.

Import them (``from tests.fakes import article, FailsOn``) rather than
redefining them in each test file. Fakes that a config names by ``_target_``
(worker processes build metrics from configs) live here too, so their import
path is stable.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Sequence

from harness.metrics.base import KeySpec, Metric
from harness.models.base import Generation, Summarizer, one_by_one
from harness.types import Article, RawDoc


def article(*paragraphs: str, id: str = "a", headline: str = "", lede: str = "") -> Article:
    """An article with the given paragraphs (``id`` "a", no headline or lede by default)."""
    return Article(id=id, headline=headline, lede=lede, paragraphs=tuple(paragraphs))


def doc(i: int, body: str | None = None) -> RawDoc:
    """Raw document ``d<i>``: a headline and three sentences, or ``body`` as its text."""
    text = body if body is not None else (
        f"Headline number {i}\n\nThe story number {i} begins with a sentence long enough. "
        f"It goes on with detail {i}. And it ends here.")
    return RawDoc(id=f"d{i}", source=f"mem{i}", text=text)


#: Two short news articles with headline and lede, for contract tests of plugins.
TWO_ARTICLES = [
    Article(id="a1", headline="Council approves new bridge over river",
            lede="The city council approved a new bridge on Monday.",
            paragraphs=("The city council approved a new bridge on Monday.",
                        "The bridge will cost 12 million dollars. Work starts in May. "
                        "Residents welcomed the vote.")),
    Article(id="a2", headline="Storm closes schools in Leeds",
            lede="A storm closed 40 schools in Leeds on Friday.",
            paragraphs=("A storm closed 40 schools in Leeds on Friday.",
                        "Forecasters expect more rain. Roads were flooded across the city.")),
]


class Echo(Summarizer):
    """Summary = the first ``words`` words of the body; cacheable; records every call."""

    cacheable = True

    def __init__(self, name: str = "echo", words: int = 3) -> None:
        super().__init__(name)
        self.words = words
        self.calls: list[list[str]] = []

    def identity(self) -> dict:
        return {**super().identity(), "words": self.words}

    def summarize(self, articles: Sequence[Article]) -> list[Generation]:
        self.calls.append([a.id for a in articles])
        return one_by_one(articles, lambda a: " ".join(a.body.split()[: self.words]))


class FailsOn(Summarizer):
    """The lede as summary; raises on one article id, like a model that chokes on one input."""

    def __init__(self, bad: str, name: str = "fails") -> None:
        super().__init__(name)
        self.bad = bad

    def summarize(self, articles: Sequence[Article]) -> list[Generation]:
        if any(a.id == self.bad for a in articles):
            raise RuntimeError(f"cannot summarize {self.bad}")
        return one_by_one(articles, lambda a: a.lede)


class SlowLoad(Summarizer):
    """Loads for 0.3 s on first use (outside its generations' seconds), then is instant."""

    def __init__(self) -> None:
        super().__init__("slowload")
        self.loaded = False

    def summarize(self, articles: Sequence[Article]) -> list[Generation]:
        if not self.loaded:
            time.sleep(0.3)
            self.loaded = True
        return one_by_one(articles, lambda a: a.lede)


class Warns(Summarizer):
    """The lede as summary, with one warning per article."""

    def __init__(self) -> None:
        super().__init__("warns")

    def summarize(self, articles: Sequence[Article]) -> list[Generation]:
        return [Generation(a.lede, 7, 0.5, (f"article {a.id} was cut",)) for a in articles]


class DiesOnce(Summarizer):
    """The lede as summary; the first call anywhere kills its own process (a lost Ray worker).

    ``marker`` is a file made just before the kill, so the retry goes through.
    """

    def __init__(self, marker: str, name: str = "diesonce") -> None:
        super().__init__(name)
        self.marker = marker

    def summarize(self, articles: Sequence[Article]) -> list[Generation]:
        if not os.path.exists(self.marker):
            with open(self.marker, "w") as fh:
                fh.write(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)
        return one_by_one(articles, lambda a: a.lede)


class WordsOrRaise(Metric):
    """Counts summary words; raises on one article; counts its resets."""

    KEYS = (KeySpec("summary_words", high=10_000),)

    def __init__(self, bad: str = "") -> None:
        self.bad = bad
        self.resets = 0

    def score(self, summary: str, article: Article) -> dict[str, float]:
        if article.id == self.bad:
            raise ValueError(f"cannot score {article.id}")
        return {"summary_words": float(len(summary.split()))}

    def reset(self) -> None:
        self.resets += 1


class CannotLoad(Metric):
    """A metric whose model is missing: its constructor fails (in the worker)."""

    KEYS = (KeySpec("never"),)

    def __init__(self, model: str = "") -> None:
        raise FileNotFoundError(f"no model at {model!r}")


class Undeclared(Metric):
    """Returns a key it does not declare, and a value outside its declared range."""

    KEYS = (KeySpec("declared"),)

    def score(self, summary: str, article: Article) -> dict[str, float]:
        if article.id == "range":
            return {"declared": 2.0}
        return {"declared": 1.0, "extra": 0.5}


class EmptyOn(Summarizer):
    """The lede as summary, but an empty one for the ids in ``empty`` (``all``: every id)."""

    def __init__(self, empty: Sequence[str] = ("all",), name: str = "empty") -> None:
        super().__init__(name)
        self.empty = set(empty)

    def summarize(self, articles: Sequence[Article]) -> list[Generation]:
        return one_by_one(articles, lambda a: "" if {"all", a.id} & self.empty else a.lede)
