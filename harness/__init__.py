"""harness: an evaluation harness for news summarization.

Stages: load → clean → summarize → score → aggregate → write. Each stage is a
subpackage; :mod:`harness.pipeline` strings them together and
:mod:`harness.cli` is the command-line edge. :mod:`harness.api` is the Python
face: ``harness.clean_article``, ``harness.score``, ``harness.check_headline`` and
``harness.run``.
"""

__version__ = "0.1.0"

#: The Python API (:mod:`harness.api`), imported on first use so ``import harness`` stays cheap.
__all__ = ["RunFailed", "check_headline", "clean_article", "run", "score"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from harness import api

        return getattr(api, name)
    raise AttributeError(f"module 'harness' has no attribute {name!r}")
