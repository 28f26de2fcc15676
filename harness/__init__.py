"""harness: an evaluation harness for news summarization.

Stages: load → clean → summarize → score → aggregate → write. Each stage is a
subpackage; :mod:`harness.pipeline` strings them together and
:mod:`harness.cli` is the command-line edge.
"""

__version__ = "0.1.0"
