"""The pipeline: per-article errors, duplicate ids, resume without duplicates."""

from __future__ import annotations

from collections import Counter

from harness.executors.pool import Scoring
from harness.jsonl import read_jsonl
from harness.metrics.rouge import Rouge
from harness.models.base import Summarizer
from harness.models.extractive import LeadK
from harness.pipeline import RunPlan, run
from harness.run_folder import RunState, RunWriter
from harness.scoring import score_rows
from harness.types import ErrorRow
from tests.fakes import FailsOn, SlowLoad, Undeclared, Warns, WordsOrRaise
from tests.fakes import doc as _doc


def _plan(tmp_path, docs, models=None, **kw):
    return RunPlan(source=docs, models=models or [LeadK()], metrics=[Rouge()],
                   out_dir=tmp_path, progress=False, **kw)


def test_bad_inputs_become_error_rows_and_the_rest_completes(tmp_path):
    docs = [_doc(1), _doc(2, body=""), _doc(3), _doc(1), ErrorRow("x", "load", "x: unreadable"),
            _doc(4)]
    result = run(_plan(tmp_path, docs, models=[LeadK(), FailsOn("d3")], batch_size=2))
    assert result["articles"] == 3
    errors = list(read_jsonl(tmp_path / "errors.jsonl"))
    stages = Counter((e["id"], e["stage"]) for e in errors)
    assert stages == {("d2", "clean"): 1, ("d1", "load"): 1, ("x", "load"): 1,
                      ("d3", "summarize"): 1}
    assert any("duplicate id" in e["error"] for e in errors)
    summarize_error = next(e for e in errors if e["stage"] == "summarize")
    assert summarize_error["model"] == "fails" and "cannot summarize d3" in summarize_error["error"]
    scores = list(read_jsonl(tmp_path / "scores.jsonl"))
    assert len(scores) == 3 + 2  # lead3 on d1, d3, d4; "fails" on d1, d4


def test_resume_after_crash_gives_the_same_rows(tmp_path):
    docs = [_doc(i) for i in range(7)]
    full = tmp_path / "full"
    run(_plan(full, docs, batch_size=2))

    crashed = tmp_path / "crashed"
    run(_plan(crashed, docs, batch_size=2, limit=3))
    # Simulate a kill in the middle of a write: a torn last line.
    with (crashed / "scores.jsonl").open("a") as fh:
        fh.write('{"article_id": "d3", "model": "le')
    run(_plan(crashed, docs, batch_size=2))

    for name in ("articles", "summaries", "scores"):
        a = sorted(map(repr, read_jsonl(full / f"{name}.jsonl")))
        b = sorted(map(repr, read_jsonl(crashed / f"{name}.jsonl")))
        if name == "summaries":  # timings differ between runs
            a = sorted((r["article_id"], r["summary"])
                       for r in read_jsonl(full / "summaries.jsonl"))
            b = sorted((r["article_id"], r["summary"])
                       for r in read_jsonl(crashed / "summaries.jsonl"))
        assert a == b, name
    assert (crashed / "scores.jsonl").read_text().endswith("\n")


def test_rerun_of_finished_run_adds_nothing(tmp_path):
    docs = [_doc(1), _doc(2, body="")]
    run(_plan(tmp_path, docs))
    before = {p.name: p.read_text() for p in tmp_path.glob("*.jsonl")}
    run(_plan(tmp_path, docs))
    after = {p.name: p.read_text() for p in tmp_path.glob("*.jsonl")}
    assert before == after


def test_metric_workers_give_the_same_scores(tmp_path):
    docs = [_doc(i) for i in range(6)]
    run(_plan(tmp_path / "one", docs, batch_size=4))
    plan = RunPlan(source=docs, models=[LeadK()], metrics=[], out_dir=tmp_path / "two",
                   progress=False, batch_size=4, workers=2,
                   metric_configs=[{"_target_": "harness.metrics.rouge.Rouge"}])
    run(plan)
    one = sorted(map(repr, read_jsonl(tmp_path / "one" / "scores.jsonl")))
    two = sorted(map(repr, read_jsonl(tmp_path / "two" / "scores.jsonl")))
    assert one == two and len(one) == 6


def test_metrics_are_reset_after_each_chunk(tmp_path):
    metric = WordsOrRaise()
    plan = RunPlan(source=[_doc(i) for i in range(5)], models=[LeadK(), LeadK("lead1", k=1)],
                   metrics=[metric], out_dir=tmp_path, progress=False, batch_size=2)
    run(plan)
    assert metric.resets == 3  # chunks of 2, 2 and 1 articles, both models in each
    assert len(list(read_jsonl(tmp_path / "scores.jsonl"))) == 10


def test_workers_score_many_chunks_in_flight_like_one_process(tmp_path):
    # 12 chunks x 2 jobs: more than the 4 jobs allowed in flight, so rows are
    # written while later chunks are still being summarized.
    docs = [_doc(i) for i in range(24)]
    models = [LeadK(), LeadK("lead1", k=1)]
    config = {"_target_": "tests.fakes.WordsOrRaise", "bad": "d7"}
    run(RunPlan(source=docs, models=models, metrics=[WordsOrRaise("d7")],
                out_dir=tmp_path / "one", progress=False, batch_size=2))
    run(RunPlan(source=docs, models=models, metrics=[], out_dir=tmp_path / "two",
                progress=False, batch_size=2, workers=2, metric_configs=[config]))
    for name in ("scores", "errors"):
        one = sorted(map(repr, read_jsonl(tmp_path / "one" / f"{name}.jsonl")))
        two = sorted(map(repr, read_jsonl(tmp_path / "two" / f"{name}.jsonl")))
        assert one == two
    errors = list(read_jsonl(tmp_path / "two" / "errors.jsonl"))
    assert {(e["id"], e["model"]) for e in errors} == {("d7", "lead3"), ("d7", "lead1")}
    assert "cannot score d7" in errors[0]["error"]
    assert len(list(read_jsonl(tmp_path / "two" / "scores.jsonl"))) == 48


def test_summary_seconds_leave_out_model_loading(tmp_path):
    run(_plan(tmp_path, [_doc(1), _doc(2)], models=[SlowLoad()], batch_size=2))
    rows = list(read_jsonl(tmp_path / "summaries.jsonl"))
    assert len(rows) == 2 and all(r["seconds"] < 0.1 for r in rows)


class _Job:
    """A worker job (a future) that finishes when the test says so."""

    def __init__(self, fn, args) -> None:
        self.fn, self.args, self.finished = fn, args, False

    def done(self) -> bool:
        return self.finished

    def result(self):
        return score_rows([WordsOrRaise()], self.args[0])


class _Pool:
    def __init__(self) -> None:
        self.jobs: list[_Job] = []

    def submit(self, fn, *args):
        self.jobs.append(_Job(fn, args))
        return self.jobs[-1]


def test_progress_counts_summaries_when_their_scores_are_written(tmp_path):
    from harness.clean import clean_doc

    plan = RunPlan(source=[], models=[], metrics=[], out_dir=tmp_path, workers=2)
    writer = RunWriter(tmp_path, RunState())
    pool, done = _Pool(), []
    scoring = Scoring(plan.metrics, writer, pool, plan.workers, done=done.append)
    chunks = [[clean_doc(_doc(i)) for i in range(k, k + 3)] for k in (0, 3)]
    for chunk in chunks:
        scoring.submit([(a, a.lede, "lead") for a in chunk], len(chunk))
    assert len(pool.jobs) == 4 and done == []  # two workers' jobs per chunk, none finished
    pool.jobs[0].finished = True
    scoring.submit([], 0)  # any later hand-over collects what is ready
    assert done == [2]  # the first worker's two summaries, before the chunk's last job
    pool.jobs[1].finished = True
    scoring.submit([], 0)
    assert done == [2, 1]
    assert len(list(read_jsonl(tmp_path / "scores.jsonl"))) == 3
    scoring.finish()
    assert done == [2, 1, 2, 1]
    assert len(list(read_jsonl(tmp_path / "scores.jsonl"))) == 6
    writer.close()


def test_metric_that_cannot_be_built_in_the_workers_fails_the_run_at_once(tmp_path):
    import signal

    import pytest

    from harness.config import ConfigError

    def hang(*_):
        raise TimeoutError("the run hung: workers kept restarting")

    signal.signal(signal.SIGALRM, hang)
    signal.alarm(120)
    try:
        plan = RunPlan(source=[_doc(i) for i in range(4)], models=[LeadK()], metrics=[],
                       out_dir=tmp_path, progress=False, batch_size=2, workers=2,
                       metric_configs=[{"_target_": "tests.fakes.CannotLoad",
                                        "model": "/no/such/model"}])
        with pytest.raises(ConfigError, match="no model at '/no/such/model'"):
            run(plan)
    finally:
        signal.alarm(0)


def test_model_warnings_and_counts_come_from_its_generations(tmp_path):
    run(_plan(tmp_path, [_doc(1), _doc(2)], models=[Warns()]))
    summaries = list(read_jsonl(tmp_path / "summaries.jsonl"))
    assert [(r["tokens"], r["seconds"]) for r in summaries] == [(7, 0.5), (7, 0.5)]
    warnings = list(read_jsonl(tmp_path / "warnings.jsonl"))
    assert warnings == [{"id": "d1", "model": "warns", "warning": "article d1 was cut"},
                        {"id": "d2", "model": "warns", "warning": "article d2 was cut"}]


class ReturnsStrings(Summarizer):
    """A model written against the old contract (plain strings)."""

    def __init__(self) -> None:
        super().__init__("strings")

    def summarize(self, articles):
        return [a.lede for a in articles]


def test_a_model_returning_plain_strings_is_an_error_row(tmp_path):
    run(_plan(tmp_path, [_doc(1)], models=[ReturnsStrings(), LeadK()]))
    (error,) = list(read_jsonl(tmp_path / "errors.jsonl"))
    assert error["stage"] == "summarize" and "Generation" in error["error"]
    assert len(list(read_jsonl(tmp_path / "scores.jsonl"))) == 1


def test_run_checks_metric_keys_against_their_declaration(tmp_path):
    plan = RunPlan(source=[_doc(1)], models=[LeadK()], metrics=[Undeclared(), Rouge()],
                   out_dir=tmp_path, progress=False)
    run(plan)
    (error,) = list(read_jsonl(tmp_path / "errors.jsonl"))
    assert error["stage"] == "score" and error["error"].startswith("Undeclared: ValueError:")
    assert "extra ['extra']" in error["error"]
    (row,) = list(read_jsonl(tmp_path / "scores.jsonl"))
    assert "declared" not in row["scores"] and "rouge1_lede_f" in row["scores"]


class CountingEncoders:
    """Stands in for harness.embed.Encoders: counts how often the run clears it."""

    def __init__(self) -> None:
        self.clears = 0

    def clear(self) -> None:
        self.clears += 1


def test_the_run_clears_the_encoders_it_was_given_after_each_chunk(tmp_path):
    encoders = CountingEncoders()
    plan = RunPlan(source=[_doc(i) for i in range(5)], models=[LeadK()], metrics=[Rouge()],
                   out_dir=tmp_path, progress=False, batch_size=2, encoders=encoders)
    run(plan)
    assert encoders.clears == 3  # chunks of 2, 2 and 1 articles


def test_a_one_by_one_model_is_called_once_per_article_even_when_it_fails(tmp_path):
    class OneByOneFails(FailsOn):
        step = 1

        def __init__(self) -> None:
            super().__init__("d2")
            self.calls: list[list[str]] = []

        def summarize(self, articles):
            self.calls.append([a.id for a in articles])
            return super().summarize(articles)

    model = OneByOneFails()
    run(_plan(tmp_path, [_doc(i) for i in range(1, 4)], models=[model], batch_size=3))
    assert model.calls == [["d1"], ["d2"], ["d3"]]  # d2 failed once, not asked again
    errors = list(read_jsonl(tmp_path / "errors.jsonl"))
    assert [(e["id"], e["stage"]) for e in errors] == [("d2", "summarize")]
    assert len(list(read_jsonl(tmp_path / "summaries.jsonl"))) == 2


def test_every_executor_is_one_of_the_protocol():
    from harness.executors.base import Executor
    from harness.executors.local import LocalExecutor
    from harness.executors.ray_actors import RayExecutor

    assert isinstance(LocalExecutor(), Executor) and not LocalExecutor().remote
    assert isinstance(RayExecutor(), Executor) and RayExecutor().remote  # no Ray needed yet
    assert not isinstance(LeadK(name="lead3"), Executor)


def test_a_row_buffer_replays_into_the_run_folder_what_the_writer_would_write(tmp_path):
    from harness.clean import clean_doc
    from harness.run_folder import RowBuffer
    from harness.types import ScoreRow, Summary

    def write(sink):
        article = clean_doc(_doc(1))
        sink.article(article, ["a warning"])
        sink.article(article, ["a warning"])  # once per article
        sink.summary(Summary(article.id, "lead3", article.lede, 0.5, 7), ["cut"])
        sink.score(ScoreRow(article.id, "lead3", {"words": 1.0}))
        sink.error(ErrorRow(article.id, "score", "boom", "lead3"))
        return sink.state

    direct = RunWriter(tmp_path / "direct", RunState())
    state = write(direct)
    direct.close()
    buffer = RowBuffer(RunState())
    assert write(buffer).summaries == state.summaries and buffer.state.scored == state.scored
    replayed = RunWriter(tmp_path / "replayed", RunState())
    buffer.replay(replayed)
    replayed.close()
    for name in ("articles", "summaries", "scores", "errors", "warnings"):
        assert ((tmp_path / "direct" / f"{name}.jsonl").read_text()
                == (tmp_path / "replayed" / f"{name}.jsonl").read_text() != ""), name
