"""`harness report`: a self-contained HTML file with tables, plots and outliers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from harness.commands.report import main
from tests.run_factory import make_run


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
    assert all(ref.startswith("#") for ref in scan.refs)  # in-page links only
    assert "src=" not in out.read_text()
    assert "link" not in scan.tags and "img" not in scan.tags
    assert "url(" not in out.read_text()
    # one histogram and one forest plot per key metric (faithfulness, coverage)
    assert scan.classes["svg.plot"] == 4
    assert scan.classes["g.hist"] == 2 * 2
    assert scan.classes["g.interval"] == 2  # one pair, two key metrics
    text = " ".join(scan.text)
    for heading in ("Leaderboard", "Distributions", "Paired differences", "Article explorer",
                    "Summaries that lost points", "All metrics"):
        assert heading in text
    assert text.index("Leaderboard") < text.index("Distributions")


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
        path.write_text(path.read_text().replace("faithfulness", "precision").replace(
            "coverage", "recall"))
    assert main([str(run)]) == 0
    html = (run / "report.html").read_text()
    assert "The runs have no &#x27;faithfulness&#x27; and &#x27;coverage&#x27; scores." in html


def test_report_missing_file_exits_2(tmp_path, capsys):
    run = make_run(tmp_path / "run")
    (run / "articles.jsonl").unlink()
    assert main([str(run)]) == 2
    assert f"{run}: missing articles.jsonl" in capsys.readouterr().err
    assert not (run / "report.html").exists()


# ---- issue 14: what a researcher needs from the report


def _data(path):
    import json

    html = path.read_text()
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html,
                      re.S)
    return json.loads(found.group(1))


def test_only_shared_articles_are_compared_and_counted(tmp_path):
    a = make_run(tmp_path / "a", models=("lead3",), n_articles=12)
    b = make_run(tmp_path / "b", models=("textrank",), n_articles=5)
    out = tmp_path / "r.html"
    assert main([str(a), str(b), "-o", str(out)]) == 0
    text = " ".join("".join(_scan(out).text).split())
    assert "Compared on the 5 articles that all 2 model(s) scored" in text
    assert "lead3 12, textrank 5" in text
    data = _data(out)
    assert [x["id"] for x in data["articles"]] == [f"a{i:02d}" for i in range(5)]
    assert all(len(rows) == 5 for rows in data["rows"].values())
    assert "no verdict, the models share 5 scored article(s)" in text


def test_labels_keep_only_the_overrides_that_differ(tmp_path):
    sweep = tmp_path / "sweep"
    common = ["data=dir", "data.path=/some/long/path/to/the/corpus", "limit=1000"]
    make_run(sweep / "0", models=("lead3",), overrides=["models=[lead3]", "model.lead3.k=2",
                                                         *common])
    make_run(sweep / "1", models=("lead3",), overrides=["models=[lead3]", "model.lead3.k=4",
                                                         *common])
    (sweep / "multirun.yaml").write_text("hydra: {}\n")
    out = tmp_path / "r.html"
    assert main([str(sweep), "-o", str(out)]) == 0
    shorts = [m["short"] for m in _data(out)["models"]]
    assert shorts == ["lead3 [model.lead3.k=2]", "lead3 [model.lead3.k=4]"]
    # The table's labels leave out what every job of the sweep has, too (issue 26).
    assert [m["label"] for m in _data(out)["models"]] == shorts


def test_lost_points_lists_only_summaries_below_the_maximum(tmp_path):
    import json

    run = make_run(tmp_path / "run")
    path = run / "scores.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for row in rows:  # every summary perfect, except one
        row["scores"]["faithfulness"] = 1.0
        row["scores"]["coverage"] = 1.0
    rows[3]["scores"]["faithfulness"] = 0.4
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main([str(run)]) == 0
    html = (run / "report.html").read_text()
    section = html.split("Summaries that lost points")[1].split("All metrics")[0]
    assert section.count('class="pick"') == 1 and "0.400" in section
    assert "<td>1.000</td>" not in section


def test_axes_zoom_to_the_data(tmp_path):
    import json

    run = make_run(tmp_path / "run")
    path = run / "scores.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for i, row in enumerate(rows):
        row["scores"]["faithfulness"] = 0.983 + 0.007 * (i % 2)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main([str(run)]) == 0
    html = (run / "report.html").read_text()
    plot = html.split('aria-label="faithfulness ↑ (line: mean)"')[1].split("</svg>")[0]
    ticks = [float(t) for t in re.findall(r'fill="#555">([0-9.]+)</text>', plot)]
    assert min(ticks) > 0.97 and max(ticks) < 1.0001 and len(set(ticks)) == 5


def test_explorer_data_carries_summaries_and_sentence_evidence(tmp_path):
    run = make_run(tmp_path / "run", n_articles=3)
    assert main([str(run)]) == 0
    data = _data(run / "report.html")
    assert data["keys"] == ["faithfulness", "coverage"]
    summary, values, sentences = data["rows"]["lead3"][0]
    assert summary == "lead3 summary of a00."
    assert sentences[0][0] == "lead3 summary of a00." and sentences[0][3] == "Lede of a00."
    assert len(values) == 2
    blob = (run / "report.html").read_text().split('id="report-data">')[1].split("</script>")[0]
    assert data["articles"][0]["headline"] == "Headline a00 <b>&"
    assert "<" not in blob and "&" not in blob  # escaped inside the script element
