r"""Generation cache: one JSON file per (model identity, article body).

A summary is stored under ``sha256(json.dumps(model.identity(), sort_keys=True)
+ "\0" + article.body)``, so any change to the model's weights, a generation
setting or the prompt, or to the article text, misses the cache. Each entry is
written to a temporary file in the same folder and moved into place with
``os.replace`` (atomic on POSIX and Windows), so two runs sharing the folder
never see a half-written entry; if both generate the same key, the last write
wins with an identical value.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness.models.base import NOT_AN_OUTCOME, Generation, Summarizer, checked
from harness.types import Article

logger = logging.getLogger("harness.models")

#: Bumped when the entry format changes, so old entries are not misread.
FORMAT_VERSION = 1


def default_cache_dir() -> Path:
    """``$HARNESS_CACHE_DIR`` if set, else ``~/.cache/harness``."""
    configured = os.environ.get("HARNESS_CACHE_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "harness"


def cache_key(identity: dict[str, Any], body: str) -> str:
    """Return the hex sha256 of the model identity (sorted JSON) and the article body."""
    payload = json.dumps(identity, sort_keys=True) + "\0" + body
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def publish_atomic(target: Path, build: Callable[[Path], None], folder: bool = False) -> None:
    """Make ``target`` by ``build(tmp)`` on a temporary path beside it, moved into place.

    The move is one ``os.replace`` (atomic on POSIX and Windows), so a reader
    sees the old ``target`` or the whole new one, never a half-built one. With
    ``folder``, ``tmp`` is a fresh empty folder and the move fails with
    ``OSError`` when another process made ``target`` first. The temporary path
    is removed whatever happens.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{target.name}."
    if folder:
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=prefix))
    else:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=".tmp")
        os.close(fd)
        tmp = Path(name)
    try:
        build(tmp)
        os.replace(tmp, target)
    finally:
        if folder:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``."""
    publish_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


class GenerationCache:
    """Summaries on disk, one file per key under ``<directory>/generations/``.

    Args:
        directory: Cache root, e.g. :func:`default_cache_dir`. Created on first write.

    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory).expanduser()
        self.root = self.directory / "generations"

    def path(self, key: str) -> Path:
        """Where the entry of ``key`` lives (two-level fan-out keeps folders small)."""
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> str | None:
        """Return the cached summary of ``key``, or None on a miss.

        An unreadable entry (edited or truncated by hand) is logged and treated
        as a miss; the next :meth:`put` overwrites it.
        """
        path = self.path(key)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as err:
            logger.warning("generation cache entry %s is unreadable (%s); regenerating", path, err)
            return None
        if entry.get("format") != FORMAT_VERSION or not isinstance(entry.get("summary"), str):
            logger.warning("generation cache entry %s has an unknown format; regenerating", path)
            return None
        return entry["summary"]

    def put(self, key: str, summary: str, **meta: Any) -> None:
        """Store ``summary`` under ``key``; ``meta`` (model name, article id) is kept for people."""
        entry = {"format": FORMAT_VERSION, "summary": summary, **meta}
        write_atomic(self.path(key), json.dumps(entry, ensure_ascii=False, sort_keys=True))


def summarize_cached(
    model: Summarizer, articles: Sequence[Article], cache: GenerationCache
) -> list[tuple[Generation, bool]]:
    """Generations of ``articles`` with ``(generation, was_cached)`` per article, in order.

    Only the misses are generated, in one ``model.summarize`` call; each new
    summary is stored before returning. A hit took no time; its tokens are its
    words (the cache keeps the summary only).

    Raises:
        ValueError: if the model returns a different number of summaries than asked.

    """
    outcomes = _through_cache(
        model, articles, cache, lambda misses: list(checked(model, model.summarize(misses),
                                                            len(misses))))
    return outcomes  # type: ignore[return-value]  # summarize raised or made every one


def summarize_each_cached(
    model: Summarizer, articles: Sequence[Article], cache: GenerationCache
) -> list[tuple[Generation, bool] | Exception]:
    """Per article, ``(generation, was_cached)`` or the exception its generation raised.

    The misses go to ``model.summarize_each`` in one call; the summaries made
    are stored, the failures are not (the next run asks again).
    """
    return _through_cache(model, articles, cache, model.summarize_each)


def _through_cache(
    model: Summarizer, articles: Sequence[Article], cache: GenerationCache,
    make: Callable[[Sequence[Article]], Sequence[Generation | Exception]],
) -> list[tuple[Generation, bool] | Exception]:
    identity = model.identity()
    keys = [cache_key(identity, article.body) for article in articles]
    found: list[tuple[Generation, bool] | Exception | None] = []
    for key in keys:
        text = cache.get(key)
        found.append(None if text is None else (Generation(text, len(text.split()), 0.0), True))
    misses = [i for i, outcome in enumerate(found) if outcome is None]
    if misses:
        made = make([articles[i] for i in misses])
        if len(made) != len(misses):
            raise ValueError(f"model {model.name!r} returned {len(made)} summaries "
                             f"for {len(misses)} articles")
        for i, outcome in zip(misses, made, strict=True):
            if isinstance(outcome, Generation):
                cache.put(keys[i], outcome.text, model=model.name, article_id=articles[i].id)
                found[i] = (outcome, False)
            elif isinstance(outcome, Exception):
                found[i] = outcome
            else:
                found[i] = TypeError(NOT_AN_OUTCOME)
    return found  # type: ignore[return-value]  # every miss was filled
