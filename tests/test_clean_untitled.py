"""Untitled text: the cleaner decides whether the first block is a title."""

from __future__ import annotations

import json

import pytest

from harness.clean import clean_text
from harness.commands import clean as clean_cmd

STORY = (
    "The city council approved a new budget on Tuesday after months of debate. "
    "It raises spending on schools by 4%.\n\n"
    "Opposition members said the plan ignores road repairs and would raise taxes.\n\n"
    "The budget takes effect in July, the mayor's office said."
)


def test_story_first_keeps_its_opening_paragraph_as_lede():
    article = clean_text(STORY, "u")
    assert article.headline == "" and article.headline_from == "absent"
    assert article.lede.startswith("The city council approved")
    assert article.paragraphs[0] == article.lede and len(article.paragraphs) == 3
    assert article.warnings and "no headline" in article.warnings[0]


def test_title_first_is_detected_and_given_is_given():
    titled = clean_text("Council approves budget after months of debate\n\n" + STORY, "t")
    assert titled.headline == "Council approves budget after months of debate"
    assert (titled.headline_from, titled.lede_from, titled.warnings) == ("detected", "detected", ())
    assert titled.paragraphs == clean_text(STORY, "u").paragraphs
    given = clean_text(STORY, "g", headline="Budget passes", lede="A lede.")
    assert (given.headline_from, given.lede_from) == ("given", "given")


@pytest.mark.parametrize("first", [
    "Is the city ready for a four-day week?",  # a question headline
    "Storm warning for the coast tonight",
])
def test_titles_without_full_stop_stay_titles(first):
    assert clean_text(f"{first}\n\n{STORY}", "q").headline == first


@pytest.mark.corpus
def test_bbc_without_title_lines_keeps_lede_and_body(corpus_files):
    """All 250 BBC dev articles, title line removed: lede and body as in the titled text."""
    files = corpus_files("bbc", "*/*.txt", count=250)
    differ = []
    for path in files:
        raw = path.read_text(encoding="utf-8", errors="replace")
        titled = clean_text(raw, path.stem)
        untitled = clean_text(raw.partition("\n")[2], path.stem)
        if (untitled.lede, untitled.paragraphs) != (titled.lede, titled.paragraphs):
            differ.append(str(path))
        assert titled.headline_from == "detected" and titled.headline
    assert differ == []


def test_harness_clean_shows_detected_headline_and_warns(tmp_path, capsys):
    src = tmp_path / "untitled.txt"
    src.write_text(STORY, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert clean_cmd.main([str(src), "-o", str(out)]) == 0
    row = json.loads(out.read_text())
    assert row["headline"] == "" and row["headline_from"] == "absent"
    assert row["lede_from"] == "detected" and row["lede"].startswith("The city council")
    assert row["warnings"] and "warning: no headline" in capsys.readouterr().err


def test_run_writes_clean_warnings(tmp_path):
    from harness import pipeline
    from harness.load import DirSource
    from harness.models.extractive import LeadK
    from harness.run_folder import WARNINGS

    data = tmp_path / "in"
    data.mkdir()
    (data / "u.txt").write_text(STORY, encoding="utf-8")
    plan = pipeline.RunPlan(source=DirSource(str(data)), models=[LeadK(name="lead3", k=3)],
                            metrics=[], out_dir=tmp_path / "run", progress=False)
    pipeline.run(plan)
    article = json.loads((tmp_path / "run/articles.jsonl").read_text())
    assert article["headline_from"] == "absent" and article["lede"].startswith("The city")
    [warning] = [json.loads(x) for x in (tmp_path / "run" / WARNINGS).read_text().splitlines()]
    assert warning["stage"] == "clean" and "no headline" in warning["warning"]
