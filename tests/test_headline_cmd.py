"""``harness headline-check``: output rows, error rows, exit codes (main() and the real CLI)."""

import json
import subprocess
import sys

import pytest

from harness.commands import headline as headline_cmd
from tests.test_headline import BODY

HEAD = "Acme to build new factory in Ohio"


def run_main(tmp_path, lines):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code = headline_cmd.main([str(src), "-o", str(out)])
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return code, rows, src


def test_rows_and_error_rows(tmp_path):
    lines = [
        json.dumps({"id": "ok", "headline": HEAD, "article": BODY}),
        "{not json",
        json.dumps({"id": "nohead", "article": BODY}),
        json.dumps({"id": "emptyhead", "headline": "  ", "article": BODY}),
        json.dumps({"id": "empty", "headline": HEAD, "article": "   "}),
        json.dumps({"id": "nowords", "headline": HEAD, "article": "... -- !!"}),
        json.dumps(["a", "list"]),
        "",
        json.dumps({"id": 7, "headline": "Acme denies Ohio factory plan is a hoax",
                    "article": BODY}),
    ]
    code, rows, src = run_main(tmp_path, lines)
    assert code == 0
    assert [r["id"] for r in rows] == ["ok", f"{src}:2", "nohead", "emptyhead", "empty",
                                       "nowords", f"{src}:7", "7"]
    ok = rows[0]
    assert "error" not in ok
    assert ok["verdict"] == "supported"
    assert set(ok) >= {"headline_support", "verdict", "evidence", "reasons", "relatedness",
                       "stance"}
    assert "malformed JSON" in rows[1]["error"]
    assert "'headline'" in rows[2]["error"] and "'headline'" in rows[3]["error"]
    assert "'article'" in rows[4]["error"]
    assert "no sentences" in rows[5]["error"]
    assert "JSON object" in rows[6]["error"]
    assert rows[7]["verdict"] != "supported" and "error" not in rows[7]
    assert all(r["error"].startswith(f"{src}:") for r in rows[1:7])


def test_all_rows_failing_exits_1(tmp_path):
    code, rows, _ = run_main(tmp_path, ["{bad", json.dumps({"id": "x", "headline": HEAD})])
    assert code == 1
    assert all("error" in r for r in rows)


def test_unreadable_input_exits_2(tmp_path, capsys):
    assert headline_cmd.main([str(tmp_path / "missing.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_bad_top_k_is_a_usage_error(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "ok", "headline": HEAD, "article": BODY}) + "\n")
    with pytest.raises(SystemExit) as exc:
        headline_cmd.main([str(src), "--top-k", "0"])
    assert exc.value.code == 2


def test_cli_subprocess_writes_stdout(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "headline": HEAD, "article": BODY}) + "\n"
                   + json.dumps({"id": "b", "headline": "", "article": BODY}) + "\n")
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "headline-check", str(src),
                           "--top-k", "1"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert len(rows[0]["evidence"]) == 1
    assert "error" in rows[1]
    assert "1 checked, 1 failed" in proc.stderr


def test_csv_input_with_a_malformed_row_and_progress_lines(tmp_path, monkeypatch, capsys):
    import csv
    import itertools

    from harness import progress

    ticks = itertools.count(0, 40)  # each reading of the clock 40 s later: a line per pair
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(ticks))
    src = tmp_path / "in.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "headline", "article"])
        writer.writerow(["ok", HEAD, BODY])
    with src.open("a", encoding="utf-8") as fh:
        fh.write('bad,"a stray quote" here,x\n')
    out = tmp_path / "out.jsonl"
    assert headline_cmd.main([str(src), "-o", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["id"] == "ok" and "error" not in rows[0]
    bad_line = len(src.read_text(encoding="utf-8").splitlines())
    assert rows[1]["id"] == f"{src}:{bad_line}"
    assert rows[1]["error"].startswith(f"{src}:{bad_line}: malformed CSV row")
    err = capsys.readouterr().err.splitlines()
    assert [x.split(",")[0] for x in err if x.startswith("harness headline-check: ")
            and "pairs" in x] == ["harness headline-check: 1/2 pairs",
                                  "harness headline-check: 2/2 pairs"]
