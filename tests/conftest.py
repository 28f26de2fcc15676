"""Shared fixtures: paths, the seed article, the corpora (skipped when absent)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.guards import wait_until

REPO = Path(__file__).resolve().parents[1]
SEED_DIR = REPO / "data" / "seed"
SEED_FILE = SEED_DIR / "000_d36b9ee4aee59a38.txt"
CORPORA = Path(os.environ.get("HARNESS_CORPORA", REPO.parent / "shared" / "corpora"))

# No test may reach a model hub: everything loads from local folders.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

#: A three-paragraph article (headline, lede, body) for command-line tests.
ACME_ARTICLE = ("Acme to build Ohio factory\n\n"
                "Acme Corp will build a new factory in Ohio, the company said on Monday.\n\n"
                "The plant will employ 300 people from next year. Local officials welcomed "
                "the plan.")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """``python -m harness.cli ARGS`` from the repository, offline, its output captured."""
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The shared corpora folder; tests that need it skip when it is absent."""
    if not CORPORA.is_dir():
        pytest.skip(f"corpora folder {CORPORA} not present")
    return CORPORA


@pytest.fixture(scope="session")
def corpus_path(corpora):
    """``corpus_path("bbc", "sport/021.txt")``: that path under the corpora, or a skip.

    A corpora folder can be partial (one corpus copied, another not): a test that
    reads a file skips when that file is absent, not only when the whole folder is.
    """
    def find(*parts: str) -> Path:
        path = corpora.joinpath(*parts)
        if not path.exists():
            pytest.skip(f"corpus file {path} not present")
        return path

    return find


@pytest.fixture(scope="session")
def corpus_files(corpora):
    """``corpus_files("bbc", "*/*.txt", count=250)``: the sorted matches, or a skip.

    The test skips when nothing matches, or when ``count`` is given and another
    number of files matches (a partial copy of the corpus is not the set the
    test's figures were measured on).
    """
    def find(folder: str, pattern: str, count: int | None = None) -> list[Path]:
        files = sorted((corpora / folder).glob(pattern))
        if not files:
            pytest.skip(f"no {pattern} under {corpora / folder}")
        if count is not None and len(files) != count:
            pytest.skip(f"{corpora / folder} holds {len(files)} {pattern} files, "
                        f"not the {count} of the full corpus")
        return files

    return find


@pytest.fixture(scope="session")
def seed_article():
    from harness.clean import clean_text

    return clean_text(SEED_FILE.read_text(encoding="utf-8"), SEED_FILE.stem, str(SEED_FILE))


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Generation caches go to a temporary folder, never the user's ~/.cache."""
    if "HARNESS_CACHE_DIR" not in os.environ or os.environ.get("HARNESS_TEST_SHARED_CACHE") != "1":
        monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


def kill_midway(proc: subprocess.Popen, rows: Path, at: int, timeout: float = 120) -> int:
    """SIGKILL ``proc`` (a run) once ``rows`` has ``at`` lines; returns its lines by then.

    After ``timeout`` without them, it is killed all the same (the caller's asserts
    on the count say what went wrong).
    """
    wait_until(lambda: rows.exists() and rows.read_text().count("\n") >= at, timeout,
               f"{at} lines in {rows}", required=False)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return rows.read_text().count("\n") if rows.exists() else 0
