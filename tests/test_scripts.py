"""Issue 26: text in scripts other than Latin is tokenized, split and flagged, not
scored as zero; English text keeps rouge-score's exact tokens."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from rouge_score import tokenizers

from harness.executors.steps import script_warnings
from harness.metrics.fragments import Fragments
from harness.metrics.rouge import Rouge, copies_lede
from harness.models.extractive import LeadK
from harness.text import NOT_ENGLISH, NOT_ENGLISH_PREFIX, split_sentences, tokens, word_count
from harness.types import Article
from tests.conftest import REPO
from tests.conftest import run_cli as _cli

ARABIC_LEDE = "قال وزير المالية إن الاقتصاد نما بنسبة ثلاثة في المئة هذا العام."
ARABIC = Article(id="ar", headline="الاقتصاد ينمو بنسبة ثلاثة في المئة", lede=ARABIC_LEDE,
                 paragraphs=(ARABIC_LEDE, "وأضاف أن الحكومة ستخفض الضرائب؟ نعم. وقال ذلك أمس."))
CHINESE = Article(id="zh", headline="北京今年经济增长", lede="北京今年经济增长了三个百分点。",
                  paragraphs=("北京今年经济增长了三个百分点。政府表示将继续减税！专家认为前景乐观。"
                              "明年预计增长放缓。",))


@pytest.mark.parametrize("text", [
    "The U.S. economy grew 3.5% in 2023, officials said on Monday.",
    "Café owners in Zürich — “naïve” or not — said it's 50/50 (Müller's view).",
    "ÉCOLE, İstanbul, Straße, œuvre, ﬁne: Latin letters beyond ASCII",
    "",
])
def test_latin_text_keeps_rouge_scores_own_tokens(text):
    rouge_score = tokenizers.DefaultTokenizer(use_stemmer=True).tokenize(text)
    assert Rouge()._scorer._tokenizer.tokenize(text) == rouge_score
    assert tokens(text) == tokenizers.DefaultTokenizer(use_stemmer=False).tokenize(text)


def test_arabic_summary_copying_the_lede_scores_one_not_zero():
    scores = Rouge().score(ARABIC_LEDE, ARABIC)
    assert scores["rougeL_lede_f"] == pytest.approx(1.0)
    assert 0 < scores["rouge1_headline_r"] <= 1


def test_chinese_is_tokenized_by_character_and_mixed_text_keeps_english_words():
    assert tokens("北京今天下雨") == ["北", "京", "今", "天", "下", "雨"]
    assert tokens("Acme在北京") == ["acme", "在", "北", "京"]
    assert tokens("Москва, Reuters") == ["москва", "reuters"]
    assert Rouge().score("北京今年经济增长了三个百分点。", CHINESE)["rougeL_lede_f"] == \
        pytest.approx(1.0)


def test_sentences_end_at_cjk_and_arabic_stops():
    assert split_sentences(CHINESE.paragraphs[0]) == [
        "北京今年经济增长了三个百分点。", "政府表示将继续减税！", "专家认为前景乐观。",
        "明年预计增长放缓。"]
    assert split_sentences("他说：“真的吗？！”然后走了。") == ["他说：“真的吗？！”", "然后走了。"]
    assert split_sentences(ARABIC.paragraphs[1]) == [
        "وأضاف أن الحكومة ستخفض الضرائب؟", "نعم.", "وقال ذلك أمس."]
    assert split_sentences("قال إن CNN ستبني مصنعا. وأضاف ذلك.") == [
        "قال إن CNN ستبني مصنعا.", "وأضاف ذلك."]
    assert split_sentences("Он сказал. Затем ушёл.") == ["Он сказал.", "Затем ушёл."]


def test_lead3_of_chinese_is_three_sentences_and_compression_is_not_one():
    (summary,) = LeadK().summarize([CHINESE])
    assert summary.text == "北京今年经济增长了三个百分点。 政府表示将继续减税！ 专家认为前景乐观。"
    assert Fragments().score(summary.text, CHINESE)["compression"] > 1.0


def test_articles_in_other_scripts_are_flagged_as_english_only():
    assert "English-only" in script_warnings(ARABIC)[0]
    assert script_warnings(Article(id="en", headline="h", lede="The council met.",
                                   paragraphs=("The council met in Zürich.",))) == []


def test_headline_check_says_english_only_for_arabic_and_chinese(tmp_path):
    src = tmp_path / "in.jsonl"
    rows = [{"id": "ar", "headline": ARABIC.headline, "article": " ".join(ARABIC.paragraphs)},
            {"id": "zh", "headline": CHINESE.headline, "article": CHINESE.paragraphs[0]}]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                   encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "headline-check", str(src)],
                          cwd=REPO, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == ["ar", "zh"]
    for o in out:
        assert "reads English only" in o["error"] and "no words" not in o["error"]


def test_the_pipelines_warning_is_the_one_the_tables_count():
    # The run writes script_warnings into warnings.jsonl; the tables find it by its prefix.
    assert script_warnings(CHINESE) == [NOT_ENGLISH]
    assert NOT_ENGLISH.startswith(NOT_ENGLISH_PREFIX)


def test_lead3_of_chinese_copies_the_lede_though_it_puts_spaces_between_sentences():
    (summary,) = LeadK(k=2).summarize([CHINESE])
    assert " " in summary.text  # the lede has none between its sentences
    lede = Article(id="zh", headline=CHINESE.headline,
                   lede="北京今年经济增长了三个百分点。政府表示将继续减税！",
                   paragraphs=CHINESE.paragraphs)
    assert Rouge().score(summary.text, lede)["copies_lede"] == 1.0
    assert copies_lede("北京今年经济增长了三个百分点。", lede.lede) == 0.0
    assert copies_lede("The mayor  said it. More.", "the Mayor said it.") == 1.0
    assert copies_lede("The mayorsaid it.", "the mayor said it.") == 0.0



def _rows(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def test_score_says_which_rows_faithfulness_reads_as_english_only(tmp_path):
    src = _rows(tmp_path / "in.jsonl", [
        {"id": "zh", "article": f"{CHINESE.headline}\n\n{CHINESE.paragraphs[0]}",
         "summary": "北京今年经济增长了三个百分点。", "model": "m"},
        {"id": "en", "article": "Acme to build Ohio factory\n\nAcme Corp will build a new "
         "factory in Ohio, the company said on Monday.", "summary": "Acme builds.", "model": "m"},
    ])
    proc = _cli("score", str(src), "--metrics", "rouge")
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = {o["id"]: o for o in map(json.loads, proc.stdout.splitlines())}
    assert out["zh"]["warnings"] == [NOT_ENGLISH] and "warnings" not in out["en"]
    folder = tmp_path / "run"
    proc = _cli("score", str(src), "-o", str(folder), "--metrics", "rouge", "faithfulness")
    assert proc.returncode == 0, proc.stderr[-2000:]
    warned = [json.loads(line) for line in (folder / "warnings.jsonl").read_text().splitlines()]
    assert warned == [{"id": "zh", "stage": "clean", "warning": NOT_ENGLISH}]
    note = ("faithfulness: scored articles mostly in a script other than Latin (m 1 of 2); it "
            "is fitted on English, so its scores there are not comparable with English ones "
            "(warnings.jsonl).")
    assert note in proc.stdout.splitlines()
    assert note in (folder / "table.md").read_text()


def test_no_english_only_note_without_faithfulness_or_without_such_articles(tmp_path):
    src = _rows(tmp_path / "in.jsonl", [
        {"id": "zh", "article": f"{CHINESE.headline}\n\n{CHINESE.paragraphs[0]}",
         "summary": "北京今年经济增长了三个百分点。"}])
    proc = _cli("score", str(src), "-o", str(tmp_path / "run"), "--metrics", "rouge")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "script other than Latin" not in proc.stdout
    assert (tmp_path / "run" / "warnings.jsonl").read_text().count("\n") == 1


def test_summary_length_counts_each_cjk_character_as_a_word(tmp_path):
    assert word_count("北京今年经济增长了三个百分点。 政府表示将继续减税！") == 14 + 9
    assert word_count("The U.S. economy grew 3.5% — fast.") == 7  # white-space pieces, as before
    assert word_count("Acme在北京 builds") == 5
    src = _rows(tmp_path / "in.jsonl", [
        {"id": "zh", "article": f"{CHINESE.headline}\n\n{CHINESE.paragraphs[0]}",
         "summary": "北京今年经济增长了三个百分点。 政府表示将继续减税！"}])
    proc = _cli("score", str(src), "-o", str(tmp_path / "run"), "--metrics", "rouge")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "| words | 23.0 |" in (tmp_path / "run" / "table.md").read_text()
