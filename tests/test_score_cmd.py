"""``harness score``: good rows scored, bad rows get an error, headline/lede extracted."""

import json

from harness.commands import score as score_cmd

ARTICLE = (
    "Acme to build Ohio factory\n\n"
    "Acme Corp will build a new factory in Ohio, the company said on Monday.\n\n"
    "The plant will employ 300 people from next year. Local officials welcomed the plan."
)


def test_score_rows_and_errors(tmp_path):
    src = tmp_path / "in.jsonl"
    rows = [
        json.dumps({"id": "a", "article": ARTICLE, "summary": "Acme will build an Ohio plant.",
                    "model": "m1"}),
        json.dumps({"id": "b", "article": "Body text about rain in Leeds.\n\nMore rain fell.",
                    "summary": "Rain fell in Leeds.", "headline": "Leeds rain",
                    "lede": "Body text about rain in Leeds."}),
        "{broken",
        json.dumps({"id": "c", "article": ARTICLE}),
        json.dumps({"id": "d", "article": "", "summary": "x"}),
    ]
    src.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out.jsonl"
    code = score_cmd.main([str(src), "-o", str(out), "--metrics", "coverage", "faithfulness",
                           "fragments"])
    assert code == 0
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [g["id"] for g in got] == ["a", "b", "line 3", "c", "d"]
    assert got[0]["model"] == "m1" and "error" not in got[0]
    for g in got[:2]:
        assert 0.0 <= g["scores"]["faithfulness"] <= 1.0
        assert 0.0 <= g["scores"]["coverage"] <= 1.0
        assert "fragment_density" in g["scores"]
    assert "malformed JSON" in got[2]["error"]
    assert "'summary'" in got[3]["error"]
    assert "'article'" in got[4]["error"]


def test_unknown_metric_exits_2(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text("")
    assert score_cmd.main([str(src), "--metrics", "faithfulnes"]) == 2
    assert "Did you mean 'faithfulness'" in capsys.readouterr().err


def test_rows_with_only_id_article_summary(tmp_path):
    """No title line, no headline field: faithfulness still scores, coverage says why not."""
    story = ("The city council approved a new budget on Tuesday after months of debate. "
             "It raises spending on schools by 4%.\n\n"
             "Opposition members said the plan ignores road repairs.")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "u1", "article": story,
                               "summary": "The council approved a budget raising school "
                                          "spending by 4%."}) + "\n")
    out = tmp_path / "out.jsonl"
    assert score_cmd.main([str(src), "-o", str(out), "--metrics", "faithfulness", "coverage",
                           "rouge", "fragments"]) == 0
    row = json.loads(out.read_text())
    assert not any(k.startswith("rouge") for k in row["scores"])
    assert "Rouge" in row["error"] and "no headline to compute ROUGE" in row["error"]
    assert 0.0 <= row["scores"]["faithfulness"] <= 1.0
    assert "fragment_coverage" in row["scores"]
    assert "coverage" not in row["scores"]
    assert "Coverage" in row["error"] and "no headline" in row["error"]
    [sentence] = row["evidence"]["faithfulness"]
    assert sentence["evidence"].startswith("The city council approved")
    assert 0.0 <= sentence["score"] <= 1.0


def test_evidence_names_what_the_article_lacks(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "e", "article": ARTICLE,
                               "summary": "Acme will hire 900 people at a plant in Texas."})
                   + "\n")
    out = tmp_path / "out.jsonl"
    assert score_cmd.main([str(src), "-o", str(out), "--metrics", "faithfulness"]) == 0
    [sentence] = json.loads(out.read_text())["evidence"]["faithfulness"]
    reasons = " | ".join(sentence["reasons"])
    assert "numbers not in the article: 900" in reasons
    assert "texas" in reasons
