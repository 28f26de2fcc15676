"""Loaders: folders of text, JSONL and CSV through datasets, bad records."""

from __future__ import annotations

import json

import pytest

from harness.load import CsvSource, DirSource, FileSource, JsonlSource, SourceError
from harness.types import ErrorRow, RawDoc

ARTICLE = "Headline here\n\nFirst paragraph of the article is long enough to count.\n"


def test_dir_source_ids_are_relative_paths(tmp_path):
    (tmp_path / "sport").mkdir()
    (tmp_path / "sport" / "001.txt").write_text(ARTICLE)
    (tmp_path / "002.html.gz").write_bytes(b"\x1f\x8bnot gzip")  # unreadable -> error row
    (tmp_path / "notes.md").write_text("ignored")
    rows = list(DirSource(str(tmp_path)))
    docs = [r for r in rows if isinstance(r, RawDoc)]
    errors = [r for r in rows if isinstance(r, ErrorRow)]
    assert [d.id for d in docs] == ["sport/001"]
    assert docs[0].text.startswith("Headline here")
    (error,) = errors
    assert error.id == "002" and error.stage == "load" and "002.html.gz" in error.error


def test_non_utf8_file_is_decoded(tmp_path):
    (tmp_path / "a.txt").write_bytes("Café opens\n\nThe café opened on Monday in Zürich, "
                                     "serving crème brûlée to the crowd.".encode("cp1252"))
    (doc,) = list(FileSource([str(tmp_path / "a.txt")]))
    assert "Café" in doc.text and "Zürich" in doc.text


def test_binary_file_is_an_error_row(tmp_path):
    (tmp_path / "bin.txt").write_bytes(bytes(range(256)) * 4)
    (row,) = list(FileSource([str(tmp_path / "bin.txt")]))
    assert isinstance(row, ErrorRow) and row.stage == "load" and "bin.txt" in row.error


def test_missing_path_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="does not exist"):
        DirSource(str(tmp_path / "nope"))


def test_jsonl_through_datasets(tmp_path):
    path = tmp_path / "a.jsonl"
    rows = [{"id": "x1", "text": ARTICLE, "headline": "H1"}, {"id": "x2", "article": ARTICLE}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    docs = list(JsonlSource(str(path)))
    assert [d.id for d in docs] == ["x1", "x2"]
    assert docs[0].headline == "H1" and docs[1].headline is None


def test_malformed_jsonl_line_keeps_the_others(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "ok1", "text": ARTICLE}) + "\n{not json\n"
                    + json.dumps({"id": "ok2", "text": ARTICLE}) + "\n"
                    + json.dumps({"id": "notext"}) + "\n")
    rows = list(JsonlSource(str(path)))
    assert [r.id for r in rows if isinstance(r, RawDoc)] == ["ok1", "ok2"]
    errors = [r for r in rows if isinstance(r, ErrorRow)]
    assert any("malformed JSON" in e.error and ":2:" in e.error for e in errors)
    assert any(e.id == "notext" and "no text field" in e.error for e in errors)


def test_csv_through_datasets(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('id,body,headline\nc1,"Para one is here, long enough.",Head\n')
    (doc,) = list(CsvSource(str(path), text_field="body"))
    assert doc.id == "c1" and doc.text.startswith("Para one") and doc.headline == "Head"
