"""Real `harness run` processes for the run-folder guarantees of issue 23.

Articles are generated with a seeded generator so that summaries and scores
differ from article to article (every bootstrap interval then depends on the
order of the rows it is computed from).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.guards import wait_until

WORDS = ("council vote budget school river bridge mayor plan court judge storm road "
         "tax hospital police report market price energy water farm union teacher "
         "station museum housing transport festival election minister trade").split()


def write_articles(folder: Path, n: int, seed: int = 3) -> Path:
    """``n`` text files of varied length and wording (titled, a lede, then paragraphs)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    for i in range(n):
        def sentence() -> str:
            words = rng.choices(WORDS, k=rng.randint(6, 16))
            return " ".join(words).capitalize() + f" {rng.randint(1, 99)}."

        title = " ".join(rng.choices(WORDS, k=rng.randint(3, 7))).capitalize()
        paragraphs = [" ".join(sentence() for _ in range(rng.randint(1, 4)))
                      for _ in range(rng.randint(3, 6))]
        (folder / f"a{i:03d}.txt").write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n")
    return folder


def run_cmd(data: Path, out: Path, *extra: str, batch_size: int = 2) -> list[str]:
    """The command line of a fast run (extractive models, ROUGE only) into ``out``."""
    return [sys.executable, "-m", "harness.cli", "run", "data=dir", f"data.path={data}",
            "models=[lead3,textrank]", "metrics=[rouge]", f"batch_size={batch_size}",
            f"hydra.run.dir={out}", *extra]


def env() -> dict[str, str]:
    """The test environment for child processes (offline hub)."""
    return {**os.environ, "HF_HUB_OFFLINE": "1"}


def run(cmd: list[str]) -> subprocess.CompletedProcess:
    """Run a command from the repo root, capturing text output."""
    return subprocess.run(cmd, cwd=REPO, env=env(), capture_output=True, text=True)


def _default_sigint() -> None:
    # A shell without job control starts background commands with SIGINT ignored,
    # and Python keeps an ignored SIGINT ignored: under `nohup ... &` the tests'
    # SIGINT never reached the run. The run is started as a foreground one would be.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(cmd: list[str], **kwargs) -> subprocess.Popen:
    """Start a command from the repo root, with SIGINT at its default (as in a terminal)."""
    return subprocess.Popen(cmd, cwd=REPO, env=env(), text=True,
                            preexec_fn=_default_sigint, **kwargs)


def wait_for_lines(path: Path, at: int, timeout: float = 120) -> None:
    """Wait until ``path`` holds ``at`` complete lines (the test fails after ``timeout``)."""
    wait_until(lambda: path.exists() and path.read_bytes().count(b"\n") >= at, timeout,
               f"{at} lines in {path}")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones and .hydra/ included), by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def row_keys(folder: Path, name: str = "scores") -> list[tuple[str, str]]:
    """(article, model) of every row of a row file, in file order (duplicates kept)."""
    lines = (folder / f"{name}.jsonl").read_text().splitlines()
    return [(r["article_id"], r["model"]) for r in map(json.loads, lines)]


def without_timing(folder: Path) -> tuple[str, str]:
    """table.md and table.csv with the measured seconds per summary blanked.

    Seconds are measured by each run; every other figure comes from the rows.
    """
    md = "".join(line for line in (folder / "table.md").read_text().splitlines(True)
                 if not line.startswith("| s/summary |"))
    csv_lines = []
    for line in (folder / "table.csv").read_text().splitlines(True):
        cells = line.split(",")
        cells[3] = "" if cells[0] != "model" else cells[3]
        csv_lines.append(",".join(cells))
    return md, "".join(csv_lines)
