"""Hydra callback that pools the jobs of a multirun (``harness run -m``) into one table.

This module is the Hydra edge of :mod:`harness.results`: Hydra calls
``on_multirun_end`` once, in the launching process, after every job finished;
it writes table.md / table.csv / paired.csv / per_article.parquet into the
sweep folder (``hydra.sweep.dir``) through :func:`harness.results.write_tables`.
Enabled in configs/config.yaml under ``hydra.callbacks``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from harness.results import RunFolderError, write_tables


class AggregateSweep(Callback):
    """Write the pooled results table of a sweep and print it (short unless ``full_table``)."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Aggregate every job under ``hydra.sweep.dir``."""
        sweep_dir = Path(config.hydra.sweep.dir)
        try:
            text = write_tables(sweep_dir, seed=int(config.get("seed", 0)),
                                full=bool(config.get("full_table", False)))
        except RunFolderError as exc:
            # The jobs' own tables are written; only the pooled one is missing.
            print(f"harness run -m: no pooled table for {sweep_dir}: {exc}", file=sys.stderr)
            return
        print(text)
        print(f"\nsweep results: {sweep_dir}")
