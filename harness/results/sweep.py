"""Hydra callback that pools the jobs of a multirun (``harness run -m``) into one table.

This module is the Hydra edge of :mod:`harness.results`: Hydra calls
``on_multirun_end`` once, in the launching process, after every job finished;
it writes table.md / table.csv / paired.csv / per_article.parquet into the
sweep folder (``hydra.sweep.dir``) through :func:`harness.results.write_tables`.
Enabled in configs/config.yaml under ``hydra.callbacks``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from harness.results import write_tables


class AggregateSweep(Callback):
    """Write the pooled results table of a sweep and print it."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Aggregate every job under ``hydra.sweep.dir``."""
        sweep_dir = Path(config.hydra.sweep.dir)
        print(write_tables(sweep_dir, seed=int(config.get("seed", 0))))
        print(f"\nsweep results: {sweep_dir}")
