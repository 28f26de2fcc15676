"""``harness score``: good rows scored, bad rows get an error, headline/lede extracted."""

import json

import pytest

from harness.commands import score as score_cmd
from harness.types import Summary

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
    """No title line, no headline field: every metric scores what the article has."""
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
    # Untitled: the lede's ROUGE and coverage, no headline keys, no error.
    assert "error" not in row
    assert 0.0 < row["scores"]["rouge1_lede_f"] <= 1.0
    assert not any("headline" in k for k in row["scores"])
    assert 0.0 <= row["scores"]["faithfulness"] <= 1.0
    assert "fragment_coverage" in row["scores"]
    assert 0.0 <= row["scores"]["coverage"] <= 1.0
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


# ---- issue 14: bring-your-own summaries as a run folder; CSV; empty input; option order

def _two_models(path):
    rows = [{"id": f"s{i}", "article": ARTICLE, "summary": text, "model": model}
            for i in range(2)
            for model, text in (("good", "Acme will build a factory in Ohio."),
                                ("bad", "Acme will build a factory in Texas with 900 jobs."))]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + "{broken\n")
    return path


def test_output_folder_is_a_run_folder_that_compare_and_report_read(tmp_path, capsys):
    from harness.commands import compare as compare_cmd
    from harness.commands import report as report_cmd

    src = _two_models(tmp_path / "in.jsonl")
    out = tmp_path / "mine"
    assert score_cmd.main([str(src), "-o", str(out), "--metrics", "faithfulness", "rouge"]) == 0
    for name in ("articles.jsonl", "summaries.jsonl", "scores.jsonl", "errors.jsonl",
                 "table.md", "table.csv", "config.yaml", "run.json"):
        assert (out / name).is_file(), name
    scores = [json.loads(line) for line in (out / "scores.jsonl").read_text().splitlines()]
    assert {(s["article_id"], s["model"]) for s in scores} == {
        ("s0", "good"), ("s1", "good"), ("s0", "bad"), ("s1", "bad")}
    assert all("faithfulness" in s["evidence"] for s in scores)
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [e["stage"] for e in errors] == ["load"] and "malformed JSON" in errors[0]["error"]
    assert json.loads((out / "run.json").read_text())["models"] == ["good", "bad"]
    # One summaries.jsonl schema, harness run's: given summaries have no time and no timing.
    summaries = [json.loads(line) for line in (out / "summaries.jsonl").read_text().splitlines()]
    assert {tuple(s) for s in summaries} == {tuple(Summary("a", "m", "s").to_json())}
    assert {(s["seconds"], s["timing"], s["cached"]) for s in summaries} == {(None, None, False)}
    # run.json has the keys of harness run's, less what generation adds.
    run_keys = {"experiment", "seed", "models", "metrics", "articles", "errors", "environment"}
    assert set(json.loads((out / "run.json").read_text())) == run_keys
    printed = capsys.readouterr().out
    assert "| good |" in printed and "| bad |" in printed
    assert compare_cmd.main([str(out), str(out)]) == 0
    assert report_cmd.main([str(out), "-o", str(tmp_path / "r.html")]) == 0


def test_rows_without_model_become_one_model(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "article": ARTICLE, "summary": "Acme builds."}) + "\n")
    out = tmp_path / "mine"
    assert score_cmd.main([str(src), "-o", str(out), "--metrics", "rouge"]) == 0
    assert json.loads((out / "run.json").read_text())["models"] == ["input"]


def test_csv_input_is_read(tmp_path):
    import csv

    src = tmp_path / "in.csv"
    with src.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "article", "summary", "model"])
        writer.writerow([7, ARTICLE, "Acme will build an Ohio plant.", "m1"])
        writer.writerow(["8", ARTICLE, "", "m1"])
    out = tmp_path / "out.jsonl"
    assert score_cmd.main([str(src), "-o", str(out), "--metrics", "rouge"]) == 0
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert got[0]["id"] == "7" and got[0]["model"] == "m1" and got[0]["scores"]
    # The line the row starts on, as an editor shows it (the first row's article spans 5).
    assert got[1]["error"] == f"{src}:7: missing or empty field 'summary'"


def test_csv_named_jsonl_is_refused_saying_what_is_read(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text("id,article,summary\na,Some text.,Text.\n")
    assert score_cmd.main([str(src), "--metrics", "rouge"]) == 2
    err = capsys.readouterr().err
    assert "no line is a JSON object" in err and "CSV" in err and "JSON Lines" in err


def test_csv_without_the_needed_columns_is_refused(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("a,b\n1,2\n")
    assert score_cmd.main([str(src), "--metrics", "rouge"]) == 2
    assert "CSV header lacks id, article, summary" in capsys.readouterr().err


@pytest.mark.parametrize("content", ["", "\n\n", "id,article,summary\n"])
def test_empty_input_exits_1_with_a_message(tmp_path, capsys, content):
    src = tmp_path / ("in.csv" if content.startswith("id") else "in.jsonl")
    src.write_text(content)
    assert score_cmd.main([str(src), "--metrics", "rouge"]) == 1
    assert "no rows to score" in capsys.readouterr().err


def test_options_before_or_after_the_input(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "article": ARTICLE, "summary": "Acme builds."}) + "\n")
    out1, out2 = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    assert score_cmd.main(["--metrics", "rouge", str(src), "-o", str(out1)]) == 0
    assert score_cmd.main(["-o", str(out2), str(src), "--metrics", "rouge"]) == 0
    assert out1.read_text() == out2.read_text()
    keys = set(json.loads(out1.read_text())["scores"])
    assert "rougeL_lede_f" in keys
    assert all(k.startswith("rouge") or k == "copies_lede" for k in keys)


def test_untitled_rows_keep_lede_scores_and_the_table_says_how_many_have_a_headline(tmp_path):
    story = ("The city council approved a new budget on Tuesday after months of debate. "
             "It raises spending on schools by 4%.\n\nOpposition members said the plan "
             "ignores road repairs.")
    rows = [
        {"id": "titled", "article": "Council approves school budget\n\n" + story,
         "summary": "The council approved a budget."},
        {"id": "untitled", "article": story, "summary": "The council approved a budget."},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "mine"
    assert score_cmd.main([str(src), "-o", str(out), "--metrics", "rouge", "coverage"]) == 0
    scores = {s["article_id"]: s["scores"] for s in map(
        json.loads, (out / "scores.jsonl").read_text().splitlines())}
    assert "rouge1_headline_f" in scores["titled"] and "cov_headline_content" in scores["titled"]
    assert not any("headline" in k for k in scores["untitled"])
    assert scores["untitled"]["rouge1_lede_f"] == scores["titled"]["rouge1_lede_f"]
    assert "on the articles that have a headline (input 1 of 2)" in (out / "table.md").read_text()


# ---- issue 26: harness score shows its progress (off a terminal: a line every 30 s)

@pytest.mark.parametrize("to_folder", [False, True])
def test_progress_lines_count_summaries(tmp_path, monkeypatch, capsys, to_folder):
    import itertools

    from harness import progress
    from harness.input_rows import CHUNK

    ticks = itertools.count(0, 40)  # each reading of the clock 40 s later
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(ticks))
    src = tmp_path / "in.jsonl"
    n = CHUNK + 3
    src.write_text("".join(json.dumps({"id": f"r{i}", "article": ARTICLE, "model": "m",
                                       "summary": "Acme will build a plant."}) + "\n"
                           for i in range(n)) + "\n")  # a blank line is no row
    out = tmp_path / ("out" if to_folder else "out.jsonl")
    assert score_cmd.main([str(src), "-o", str(out), "--metrics", "rouge"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert [x.split(",")[0] for x in err if x.startswith("harness score: ")
            and "summaries/s" in x] == [f"harness score: {CHUNK}/{n} summaries",
                                        f"harness score: {n}/{n} summaries"]
