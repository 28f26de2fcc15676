"""Quiet libraries: no progress bars or info logs from transformers, datasets, the hub.

Called by the command-line entries unless ``verbose=true`` (``harness run``)
or ``--verbose``; the harness's own messages and errors still print. Two
library outputs ignore the libraries' own switches and are handled where they
happen: transformers' GGUF conversion bar (:func:`gguf_bar_follows_switch`)
and the ``datasets`` JSON loader's error lines for a file the harness then
reads line by line itself (:func:`silenced`).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


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
