"""Append-only JSONL files: flushed rows, torn tails skipped on read and cut on append."""

from __future__ import annotations

import json

from harness.jsonl import JsonlWriter, read_jsonl


def test_rows_round_trip_one_line_each(tmp_path):
    path = tmp_path / "rows.jsonl"
    with JsonlWriter(path) as writer:
        writer.write({"id": "a", "text": "café"})
        writer.write({"id": "b", "n": 2})
        # Flushed per row: a reader sees both before the writer closes.
        assert list(read_jsonl(path)) == [{"id": "a", "text": "café"}, {"id": "b", "n": 2}]
    assert path.read_text(encoding="utf-8") == '{"id": "a", "text": "café"}\n{"id": "b", "n": 2}\n'


def test_missing_file_has_no_rows(tmp_path):
    assert list(read_jsonl(tmp_path / "none.jsonl")) == []


def test_torn_last_line_is_skipped_then_cut_on_append(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"id": "a"}\n\n{"id": "b"}\n{"id": "c", "te', encoding="utf-8")
    assert [r["id"] for r in read_jsonl(path)] == ["a", "b"]
    with JsonlWriter(path) as writer:
        writer.write({"id": "d"})
    assert [json.loads(x)["id"] for x in path.read_text().splitlines() if x] == ["a", "b", "d"]


def test_a_file_with_only_a_torn_line_is_emptied(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text("x" * 10_000, encoding="utf-8")  # longer than one 4 KB read back
    JsonlWriter(path).close()
    assert path.read_text() == ""


def test_complete_file_is_left_as_it_is(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"id": "a"}\n', encoding="utf-8")
    with JsonlWriter(path, fsync=True) as writer:
        writer.write({"id": "b"})
    assert path.read_text() == '{"id": "a"}\n{"id": "b"}\n'
