"""Quiet libraries: no progress bars or info logs from transformers, datasets, the hub.

Called by the command-line entries unless ``verbose=true`` (``harness run``)
or ``--verbose``; the harness's own messages and errors still print.
"""

from __future__ import annotations

import logging
import os
import sys


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
