"""Corpus-sized scoring through datasets.map(num_proc=...)."""

from __future__ import annotations

import json

import datasets

from harness.metrics.rouge import Rouge
from harness.scale import score_dataset
from harness.types import Article


def test_score_dataset_with_two_processes_matches_in_process():
    rows = {
        "id": [f"r{i}" for i in range(6)],
        "article": [f"Lede sentence number {i} about the council.\n\nMore text {i}."
                    for i in range(6)],
        "summary": [f"The council met {i}." for i in range(6)],
        "headline": [f"Council meets {i}" for i in range(6)],
        "lede": [f"Lede sentence number {i} about the council." for i in range(6)],
    }
    out = score_dataset(datasets.Dataset.from_dict(rows), ["rouge"], num_proc=2, batch_size=2)
    rouge = Rouge()
    for i, row in enumerate(out):
        article = Article(id=f"r{i}", headline=rows["headline"][i],
                          lede=rows["article"][i].split("\n\n")[0],
                          paragraphs=tuple(rows["article"][i].split("\n\n")))
        assert json.loads(row["scores"]) == rouge.score(rows["summary"][i], article)
        assert row["error"] == ""


def test_rows_read_like_harness_score_and_bad_rows_keep_their_error():
    from harness.clean import to_article

    article = ("Council backs new bridge\n\nThe city council voted on Tuesday to build a new "
               "bridge over the river, its leader said.\n\nWork starts next spring.")
    rows = {
        "id": ["same", "same", "other"],
        "article": [article, "", article],
        "summary": ["The council voted for a bridge."] * 3,
    }  # no headline or lede columns: the cleaner finds them
    out = score_dataset(datasets.Dataset.from_dict(rows), ["rouge"], num_proc=1, batch_size=3)
    expected = Rouge().score(rows["summary"][0], to_article({"id": "same", "article": article}))
    assert json.loads(out[0]["scores"]) == expected and out[0]["error"] == ""
    assert json.loads(out[1]["scores"]) == {} and out[1]["error"].startswith("article: ")
    assert json.loads(out[2]["scores"]) == expected and out[2]["error"] == ""
