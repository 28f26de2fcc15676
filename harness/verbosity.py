"""Quiet libraries: no progress bars or info logs from transformers, datasets, the hub.

Called by the command-line entries unless ``verbose=true`` (``harness run``)
or ``--verbose``; the harness's own messages and errors still print. Two
library outputs ignore the libraries' own switches and are handled where they
happen: transformers' GGUF conversion bar (:func:`gguf_bar_follows_switch`)
and the ``datasets`` JSON loader's error lines for a file the harness then
reads line by line itself (:func:`silenced`).

Loading weights is quiet at the source too (:func:`quiet_loading`), so a
library user of the metrics (``harness.metrics.coverage.Coverage()``, the
Python API) sees no "Loading weights" bar either; ``HARNESS_VERBOSE=1`` (set
by ``verbose=true`` / ``--verbose``, and inherited by worker processes) lets
it through.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

#: Set to 1 (by :func:`let_libraries_print`, or by a library user) to let weight
#: loading draw its bars.
VERBOSE_ENV = "HARNESS_VERBOSE"


def let_libraries_print() -> None:
    """``verbose``: library bars and logs stay, weight loading's too, here and in children."""
    os.environ[VERBOSE_ENV] = "1"


@contextmanager
def quiet_loading() -> Iterator[None]:
    """No transformers progress bar ("Loading weights") while the block loads weights.

    transformers draws the bar through ``transformers.utils.logging.tqdm``, whose
    switch is global: it is turned off for the block and restored after, unless
    ``HARNESS_VERBOSE=1``.
    """
    if os.environ.get(VERBOSE_ENV) == "1":
        yield
        return
    from transformers.utils import logging as hf_logging

    was_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_on:
            hf_logging.enable_progress_bar()


def quiet_libraries() -> None:
    """Silence library progress bars and logs below ERROR, in this process and its children."""
    # Environment first: worker processes and libraries imported later read it.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    for name in ("transformers", "huggingface_hub", "datasets", "filelock", "urllib3"):
        logging.getLogger(name).setLevel(logging.ERROR)
    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    # datasets reads HF_DATASETS_DISABLE_PROGRESS_BARS when imported; once imported, tell it.
    datasets = sys.modules.get("datasets")
    if datasets is not None:
        datasets.disable_progress_bars()
        datasets.utils.logging.set_verbosity_error()


@contextmanager
def gguf_bar_follows_switch() -> Iterator[None]:
    """While converting a GGUF, its bar obeys transformers' progress-bar switch.

    ``transformers.modeling_gguf_pytorch_utils`` draws "Converting and
    de-quantizing GGUF tensors" with ``tqdm.auto`` directly, where the rest of
    transformers goes through ``transformers.utils.logging.tqdm``, the bar that
    :func:`quiet_libraries` turns off; here it uses that one too.
    """
    from transformers import modeling_gguf_pytorch_utils as gguf_utils
    from transformers.utils import logging as hf_logging

    saved = gguf_utils.tqdm
    gguf_utils.tqdm = hf_logging.tqdm
    try:
        yield
    finally:
        gguf_utils.tqdm = saved


@contextmanager
def silenced(logger_name: str) -> Iterator[None]:
    """No record of the logger ``logger_name`` itself while the block runs, at any level."""
    logger = logging.getLogger(logger_name)
    saved = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = saved
