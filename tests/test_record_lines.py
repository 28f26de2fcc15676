"""Issue 26: a CSV or JSONL record's error names the line it starts on in its file (rows
of a CSV span lines; datasets skips blank JSONL lines), and a record without its text
field says which fields it has, in words the failure line can count once for all rows."""

from __future__ import annotations

import json

from harness.load import CsvSource, JsonlSource
from harness.results.tables import failure_reasons
from harness.types import ErrorRow, RawDoc

ARTICLE = ("Acme to build Ohio factory\n\nAcme Corp will build a new factory in Ohio, the "
           "company said on Monday.")


def _csv(tmp_path):
    path = tmp_path / "a.csv"
    body = ARTICLE.replace('"', '""')
    path.write_text("id,body\n"
                    f'c1,"{body}"\n'            # lines 2-4 (a blank line inside the field)
                    'cq,"an unclosed quote\n'    # line 5: malformed
                    f'c2,"{body}"\n', encoding="utf-8")  # lines 6-8
    return path


def test_csv_records_are_numbered_by_the_line_they_start_on(tmp_path):
    path = _csv(tmp_path)
    rows = list(CsvSource(str(path), text_field="body"))
    assert [(r.id, r.source) for r in rows if isinstance(r, RawDoc)] == [
        ("c1", f"{path}:2"), ("c2", f"{path}:6")]
    (bad,) = [r for r in rows if isinstance(r, ErrorRow)]
    assert bad.error.startswith(f"{path}:5: malformed CSV row")


def test_a_missing_text_field_names_the_line_and_the_fields_the_record_has(tmp_path):
    path = _csv(tmp_path)
    errors = [r for r in CsvSource(str(path), text_field="text") if isinstance(r, ErrorRow)]
    assert [(e.id, e.error) for e in errors if "text field" in e.error] == [
        ("c1", f"{path}:2: no text field 'text'; it has id, body (set data.text_field)"),
        ("c2", f"{path}:6: no text field 'text'; it has id, body (set data.text_field)")]
    # One cause for both rows in the printed failure line, not one per record id.
    causes = failure_reasons([e.to_json() for e in errors if "text field" in e.error])
    assert causes == (("load: no text field 'text'; it has id, body (set data.text_field)", 2),)


def test_jsonl_records_keep_their_line_numbers_across_blank_lines(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "a", "text": ARTICLE}) + "\n\n\n"
                    + json.dumps({"id": "b"}) + "\n", encoding="utf-8")
    rows = list(JsonlSource(str(path)))
    assert [(r.id, r.source) for r in rows if isinstance(r, RawDoc)] == [("a", f"{path}:1")]
    (bad,) = [r for r in rows if isinstance(r, ErrorRow)]
    assert (bad.id, bad.error) == ("b", f"{path}:4: no text field text/article/body/content/"
                                        "html; it has id (set data.text_field)")
