"""Headline check: support orders related, unrelated and disputed bodies; command errors."""

import json

import pytest

from harness.commands import headline as headline_cmd
from harness.headline import HeadlineChecker

BODY = (
    "Acme Corp will build a new factory in Ohio, the company said on Monday. "
    "The plant will employ 300 people from next year. Local officials welcomed the plan."
)
DEBUNK = (
    "Reports that Acme Corp will build a new factory in Ohio are false, the company said. "
    "A spokesman called the story a hoax and denied any plan for a plant."
)
OTHER = "The football season ended with a draw in Madrid. Fans left early in the rain."
HEAD = "Acme to build Ohio factory"


@pytest.fixture(scope="module")
def checker():
    return HeadlineChecker()


def test_support_orders_bodies(checker):
    good = checker.check(HEAD, BODY)
    disputed = checker.check(HEAD, DEBUNK)
    unrelated = checker.check(HEAD, OTHER)
    assert good["headline_support"] > disputed["headline_support"] > unrelated["headline_support"]
    assert good["verdict"] == "supported"
    assert disputed["verdict"] == "disputed"
    assert unrelated["verdict"] == "unrelated"
    assert good["evidence"][0].startswith("Acme Corp will build")
    for out in (good, disputed, unrelated):
        assert 0.0 <= out["headline_support"] <= 1.0


def test_command_records_bad_rows(tmp_path):
    src = tmp_path / "in.jsonl"
    rows = [
        json.dumps({"id": "ok", "headline": HEAD, "article": BODY}),
        "{not json",
        json.dumps({"id": "nohead", "article": BODY}),
        json.dumps({"id": "empty", "headline": HEAD, "article": "   "}),
    ]
    src.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out.jsonl"
    assert headline_cmd.main([str(src), "-o", str(out)]) == 0
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [g["id"] for g in got] == ["ok", f"{src}:2", "nohead", "empty"]
    assert "error" not in got[0] and got[0]["verdict"] == "supported"
    assert "malformed JSON" in got[1]["error"]
    assert "'headline'" in got[2]["error"]
    assert "'article'" in got[3]["error"]
