"""Time ``harness report`` on 1,000 articles x 3 models, and weigh the file (issue 14).

Usage: python benchmarks/report_speed.py [--articles 1000] [BBC_DIR]

Builds a run folder in a temporary directory from the BBC dev articles
(cleaned by harness, replicated with new ids to reach ``--articles``) with
three models: the first 3, the first 2 and the first sentence of each body.
Scores and faithfulness evidence have the shape ``harness run`` writes (every
default metric key, one evidence entry per summary sentence with the best
supporting span) but seeded random values: the report's cost depends on the
number of rows and the text they carry, not on the values. Prints seconds for
reading the folder and writing the report, and the report's size.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.clean import clean_doc  # noqa: E402
from harness.commands.report import main as report_main  # noqa: E402
from harness.load import DirSource  # noqa: E402
from harness.metrics.base import metric_declarations  # noqa: E402
from harness.metrics.coverage import Coverage  # noqa: E402
from harness.metrics.faithfulness import Faithfulness  # noqa: E402
from harness.metrics.fragments import Fragments  # noqa: E402
from harness.metrics.rouge import Rouge  # noqa: E402
from harness.text import split_sentences  # noqa: E402
from harness.types import RawDoc  # noqa: E402

MODELS = {"lead3": 3, "lead2": 2, "lead1": 1}


def default_bbc() -> Path:
    return Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "bbc"


def articles(bbc: Path, n: int) -> list:
    base = [clean_doc(d) for d in DirSource(str(bbc)) if isinstance(d, RawDoc)]
    out = []
    for i in range(n):
        a = base[i % len(base)]
        out.append(a.to_json() | {"id": f"{a.id}#{i // len(base)}"})
    return out


def write_run(folder: Path, arts: list, rng: np.random.Generator) -> None:
    declared = metric_declarations([Rouge, Coverage, Faithfulness, Fragments])
    folder.mkdir(parents=True)
    with (folder / "articles.jsonl").open("w") as fa:
        for a in arts:
            fa.write(json.dumps(a) + "\n")
    with (folder / "summaries.jsonl").open("w") as fs, (folder / "scores.jsonl").open("w") as fc:
        for model, k in MODELS.items():
            for a in arts:
                sentences = split_sentences(a["body"])[:k]
                summary = " ".join(sentences)
                fs.write(json.dumps({"article_id": a["id"], "model": model, "summary": summary,
                                     "seconds": 0.001, "tokens": len(summary.split()),
                                     "cached": False}) + "\n")
                scores = {key: float(rng.uniform(0.3, 1.0)) for key in declared}
                evidence = {"faithfulness": [
                    {"sentence": s, "score": round(float(rng.uniform(0.2, 1.0)), 4),
                     "support": 1.0, "evidence": s, "reasons": ["phrases not in the article"]}
                    for s in sentences]}
                fc.write(json.dumps({"article_id": a["id"], "model": model, "scores": scores,
                                     "evidence": evidence}) + "\n")
    (folder / "errors.jsonl").write_text("")
    (folder / "run.json").write_text(json.dumps({"seed": 0, "metrics": declared,
                                                 "models": list(MODELS)}, default=str))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bbc", nargs="?", type=Path, default=default_bbc())
    ap.add_argument("--articles", type=int, default=1000)
    args = ap.parse_args(argv)
    arts = articles(args.bbc, args.articles)
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        write_run(run, arts, np.random.default_rng(0))
        out = Path(tmp) / "report.html"
        start = time.perf_counter()
        assert report_main([str(run), "-o", str(out)]) == 0
        seconds = time.perf_counter() - start
        size = out.stat().st_size
    print(f"report of {len(arts)} articles x {len(MODELS)} models: {seconds:.1f} s, "
          f"{size / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
