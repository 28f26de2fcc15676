"""`harness report`: a self-contained HTML file with tables, plots and outliers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from harness.commands.report import main
from tests.run_factory import METRICS, make_run


class _Scan(HTMLParser):
    """Collect tags, external references and text of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.classes: dict[str, int] = {}
        self.refs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "srcset", "data"):
                self.refs.append(value or "")
            if name == "class":
                for css in (value or "").split():
                    self.classes[f"{tag}.{css}"] = self.classes.get(f"{tag}.{css}", 0) + 1

    def handle_data(self, data):
        self.text.append(data)


def _scan(path) -> _Scan:
    scan = _Scan()
    scan.feed(path.read_text(encoding="utf-8"))
    return scan


def test_report_is_self_contained_with_plots(tmp_path, capsys):
    run = make_run(tmp_path / "run", shift={("lead3", "faithfulness"): -0.3})
    out = tmp_path / "out" / "report.html"
    assert main([str(run), "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    scan = _scan(out)
    assert scan.refs == []  # nothing to fetch: no src, no href
    assert "script" not in scan.tags and "link" not in scan.tags and "img" not in scan.tags
    assert "url(" not in out.read_text()
    # one dot-and-whisker plot per metric, plus the faithfulness/coverage scatter
    assert scan.classes["svg.plot"] == len(METRICS) + 1
    assert scan.classes["g.interval"] == len(METRICS) * 2
    assert scan.tags["circle"] >= 2 * 12  # one point per summary in the scatter
    text = " ".join(scan.text)
    for heading in ("Results", "Metric means with intervals", "Paired differences",
                    "Faithfulness against coverage", "Lowest-scoring summaries"):  # fmt: skip
        assert heading in text


def test_report_escapes_text_and_shows_references_beside_summaries(tmp_path):
    run = make_run(tmp_path / "run")
    main([str(run)])
    html = (run / "report.html").read_text()  # default output: inside the run folder
    assert re.search(r"Headline a\d\d &lt;b&gt;&amp;", html)
    assert "<b>&" not in html
    scan = _scan(run / "report.html")
    text = " ".join(scan.text)
    assert "lead3 summary of" in text and "Lede of" in text


def test_report_pools_runs_and_sweeps(tmp_path):
    a = make_run(tmp_path / "a")
    b = make_run(tmp_path / "b", shift={("lead3", "faithfulness"): -0.3})
    sweep = tmp_path / "sweep"
    make_run(sweep / "0", models=("lead3",), overrides=["models=[lead3]"])
    make_run(sweep / "1", models=("textrank",), overrides=["models=[textrank]"])
    out = tmp_path / "r.html"
    assert main([str(a), str(b), str(sweep), "-o", str(out), "--title", "pooled"]) == 0
    text = " ".join(_scan(out).text)
    assert "pooled" in text
    assert "lead3 [a]" in text and "lead3 [b]" in text and "lead3 [models=[lead3]]" in text
    # the paired table sees the drop between the two runs on the same articles
    assert "lead3 [b] − lead3 [a]" in text and "worse" in text


def test_report_without_composites_says_so(tmp_path):
    run = make_run(tmp_path / "run")
    for name in ("scores.jsonl", "run.json"):
        path = run / name
        path.write_text(path.read_text().replace("faithfulness", "precision"))
    assert main([str(run)]) == 0
    html = (run / "report.html").read_text()
    assert "The runs have no &#x27;coverage&#x27; and &#x27;faithfulness&#x27; scores." in html


def test_report_missing_file_exits_2(tmp_path, capsys):
    run = make_run(tmp_path / "run")
    (run / "articles.jsonl").unlink()
    assert main([str(run)]) == 2
    assert f"{run}: missing articles.jsonl" in capsys.readouterr().err
    assert not (run / "report.html").exists()
