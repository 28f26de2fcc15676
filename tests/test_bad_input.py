"""A folder of bad inputs: each becomes an error row naming the cause, the rest
of the run completes, and `harness run` exits 0."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import REPO

GOOD = ("Council approves bridge\n\nThe city council approved a new bridge over the river "
        "on Monday after a long debate. Work starts in May.\n\nThe bridge will cost "
        "12 million dollars, officials said.\n")


def _bad_folder(folder):
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD)
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "oneline.txt").write_text("Just a headline and nothing else")
    (folder / "latin1.txt").write_bytes(GOOD.replace("city", "café city").encode("latin-1"))
    para = ("The committee met again to discuss the budget for the coming year and the "
            "members agreed on most items. ")
    (folder / "huge.txt").write_text("Huge report\n\n" + "\n\n".join([para * 5] * 8000))
    (folder / "noarticle.html").write_text(
        "<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a></nav>"
        "</body></html>")
    (folder / "sub").mkdir()
    (folder / "good2.txt").write_text(GOOD.replace("bridge", "tunnel"))
    (folder / "dup.txt").write_text(GOOD)
    (folder / "dup.html").write_text("<html><body><h1>Dup</h1><p>" + "Text. " * 50
                                     + "</p></body></html>")


def test_bad_input_folder_completes_with_error_rows(tmp_path):
    data, out = tmp_path / "data", tmp_path / "out"
    _bad_folder(data)
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "data=dir", f"data.path={data}",
         "models=[lead3,textrank]", f"hydra.run.dir={out}"],
        cwd=REPO, capture_output=True, text=True, timeout=900,
        env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert proc.returncode == 0, proc.stderr
    errors = {e["id"]: e for e in map(json.loads, (out / "errors.jsonl").read_text().splitlines())}
    assert errors["empty"]["stage"] == "clean"
    assert errors["binary"]["stage"] == "load" and "binary" in errors["binary"]["error"]
    assert errors["oneline"]["stage"] == "clean"
    assert errors["noarticle"]["stage"] == "clean"
    assert "duplicate id" in errors["dup"]["error"]
    for e in errors.values():
        assert e["error"].strip()
    lines = (out / "articles.jsonl").read_text().splitlines()
    articles = {json.loads(line)["id"] for line in lines}
    assert {"good", "good2", "latin1", "dup"} <= articles
    latin = next(json.loads(line) for line in (out / "articles.jsonl").read_text().splitlines()
                 if json.loads(line)["id"] == "latin1")
    assert "café" in latin["body"]
    assert "huge" in articles or "huge" in errors
    scored = {json.loads(line)["article_id"]
              for line in (out / "scores.jsonl").read_text().splitlines()}
    assert {"good", "good2", "latin1"} <= scored
