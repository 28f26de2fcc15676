"""Issue 23: the same rows give the same tables, whatever order they were written in.

``workers=2`` writes score rows in the order its jobs finish and a resumed run
appends what was missing; the intervals used to follow the file order. Now
rows are sorted by (model, article) before any table or interval.
"""

from __future__ import annotations

import random
import shutil

from harness.results import write_tables
from tests.conftest import kill_midway
from tests.runs_helpers import run, run_cmd, start, without_timing, write_articles

N = 60


def _cmd(data, out, workers):
    # Chunks of 8: with 2 workers each chunk's articles are split between them
    # (0, 2, 4, 6 and 1, 3, 5, 7), so scores.jsonl is not in input order.
    return run_cmd(data, out, f"workers={workers}", batch_size=8)


def test_workers_1_and_2_and_a_resumed_run_give_the_same_tables(tmp_path):
    data = write_articles(tmp_path / "data", N)
    one, two, resumed = tmp_path / "one", tmp_path / "two", tmp_path / "resumed"
    assert run(_cmd(data, one, 1)).returncode == 0
    assert run(_cmd(data, two, 2)).returncode == 0
    assert (two / "scores.jsonl").read_bytes() != (one / "scores.jsonl").read_bytes()
    kill_midway(start(_cmd(data, resumed, 2)), resumed / "scores.jsonl", at=15)
    assert run(_cmd(data, resumed, 1)).returncode == 0
    expected = without_timing(one)
    # Only the measured seconds per summary may differ between runs.
    assert without_timing(two) == expected
    assert without_timing(resumed) == expected
    for folder in (two, resumed):
        assert (folder / "paired.csv").read_bytes() == (one / "paired.csv").read_bytes()


def test_tables_are_byte_identical_whatever_the_row_order(tmp_path):
    data = write_articles(tmp_path / "data", N)
    one = tmp_path / "one"
    assert run(run_cmd(data, one)).returncode == 0
    shuffled = tmp_path / "shuffled"
    shutil.copytree(one, shuffled)
    rng = random.Random(0)
    for name in ("scores", "summaries", "articles", "errors"):
        lines = (shuffled / f"{name}.jsonl").read_text().splitlines(True)
        rng.shuffle(lines)
        (shuffled / f"{name}.jsonl").write_text("".join(lines))
    assert (shuffled / "scores.jsonl").read_bytes() != (one / "scores.jsonl").read_bytes()
    write_tables(shuffled, seed=0)
    for name in ("table.md", "table.csv", "paired.csv"):
        assert (shuffled / name).read_bytes() == (one / name).read_bytes(), name
