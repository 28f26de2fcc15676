"""Shared fixtures: paths, the seed article, the corpora (skipped when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEED_DIR = REPO / "data" / "seed"
SEED_FILE = SEED_DIR / "000_d36b9ee4aee59a38.txt"
CORPORA = Path(os.environ.get("HARNESS_CORPORA", REPO.parent / "shared" / "corpora"))

# No test may reach a model hub: everything loads from local folders.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


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
def seed_article():
    from harness.clean import clean_text

    return clean_text(SEED_FILE.read_text(encoding="utf-8"), SEED_FILE.stem, str(SEED_FILE))


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Generation caches go to a temporary folder, never the user's ~/.cache."""
    if "HARNESS_CACHE_DIR" not in os.environ or os.environ.get("HARNESS_TEST_SHARED_CACHE") != "1":
        monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
