"""Abstractive summarizers through Hugging Face ``transformers``.

Two families, each a ``_target_`` of ``configs/model/*.yaml``:

- :class:`Seq2SeqSummarizer`: ``AutoModelForSeq2SeqLM`` (BART, T5, Pegasus);
  the encoder gets ``prompt`` with the article body in place of ``{article}``,
  padded on the right.
- :class:`CausalChatSummarizer`: ``AutoModelForCausalLM`` with the tokenizer's
  chat template; the user turn is ``prompt`` with the article body, padded on
  the left (generation continues from the last position of every row).

``model`` is a hub name, a local folder, or ``pkg://<python package>``, with
an optional ``gguf_file``; :mod:`harness.models.weights` finds, converts and
loads the weights, and never hangs on a machine without network.

The article body is summarised; the headline is never shown to the model (it
is a reference). Generation is greedy unless the config says otherwise, and
only the settings of the config apply: the model's own ``generation_config``
contributes its special token ids, nothing else (BART-CNN's beam search and
length limits, for example, are not applied silently).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from transformers import (
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    GenerationConfig,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from harness.models import prompts
from harness.models.base import Generation, Summarizer
from harness.models.cache import default_cache_dir
from harness.models.hf_settings import (
    TOKEN_ID_FIELDS,
    check_generation_settings,
    fit_article,
    generated_lengths,
    model_input_limit,
    resolve_device,
    resolve_dtype,
    token_batches,
)
from harness.models.weights import (
    ModelLoadError,
    check_weights,
    convert_gguf,
    folder_fingerprint,
    hub_snapshot,
    load_pretrained,
    local_folder,
)
from harness.types import Article

logger = logging.getLogger("harness.models")

#: Part of every identity: bump it when a change to this module changes outputs for the
#: same settings (prompt rendering, truncation, decoding), so old cache entries miss.
OUTPUT_VERSION = 1


class HFSummarizer(Summarizer):
    """Shared machinery: settings, identity, lazy loading, batched generation.

    Args:
        name: The model's name in results.
        model: Hub name, local folder, or ``pkg://<package>``.
        prompt: The text given to the model, with ``{article}`` where the body goes.
        max_new_tokens: Most tokens generated per summary.
        num_beams: Beam width; 1 is greedy.
        do_sample: Sample instead of searching (then ``seed`` applies).
        generation: Any further ``GenerationConfig`` fields (``no_repeat_ngram_size``,
            ``length_penalty``, ``min_new_tokens``, ``repetition_penalty``, ...).
        batch_size: Articles per ``generate`` call.
        max_input_tokens: Input limit; None or above the model's own limit means the
            model's limit. Longer articles are cut and a warning recorded.
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:1``, ...
        dtype: ``auto`` (float32 on CPU, bfloat16 on CUDA), ``float32``, ``bfloat16``, ``float16``.
        gguf_file: A GGUF file inside the ``model`` folder to convert and use.
        revision: Hub revision (branch, tag or commit) for hub names.
        seed: Torch seed set before each batch when sampling.
        num_threads: CPU threads for torch; None leaves torch's default.
        cache_dir: Where converted GGUF models go; None means ``default_cache_dir()``.

    """

    cacheable = True
    auto_class: Any = None
    padding_side = "right"

    def __init__(
        self,
        name: str,
        model: str,
        prompt: str = "{article}",
        max_new_tokens: int = 128,
        num_beams: int = 1,
        do_sample: bool = False,
        generation: Mapping[str, Any] | None = None,
        batch_size: int = 8,
        max_batch_tokens: int | None = 4096,
        max_input_tokens: int | None = None,
        device: str = "auto",
        dtype: str = "auto",
        gguf_file: str | None = None,
        revision: str | None = None,
        seed: int = 0,
        num_threads: int | None = None,
        cache_dir: str | None = None,
    ) -> None:
        super().__init__(name)
        self.model = model
        self.prompt = prompts.check_prompt(name, prompt)
        self.generation = check_generation_settings(name, generation or {})
        self.max_new_tokens = int(max_new_tokens)
        self.num_beams = int(num_beams)
        self.do_sample = bool(do_sample)
        self.batch_size = int(batch_size)
        # A batch is padded to its longest input, so one long article in a batch of
        # short ones multiplies the prefill work; cap padded tokens per batch.
        self.max_batch_tokens = max_batch_tokens
        self.max_input_tokens = max_input_tokens
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        self.gguf_file = gguf_file
        self.revision = revision
        self.seed = seed
        self.num_threads = num_threads
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
        self._loaded: tuple[PreTrainedModel, PreTrainedTokenizerBase, int] | None = None
        self._fingerprint: str | None = None

    # ---- identity

    def weights_fingerprint(self) -> str:
        """Hash the weights' files (content of small ones, size+mtime of large ones)."""
        if self._fingerprint is None:
            folder = local_folder(self.model)
            if folder is None:
                folder = hub_snapshot(self.model, self.revision)
                if folder is None:  # not downloaded yet: load (or fail clearly) first
                    self.load()
                    folder = hub_snapshot(self.model, self.revision)
                if folder is None:
                    raise ModelLoadError(f"model {self.model!r} loaded but has no cache snapshot")
            self._fingerprint = folder_fingerprint(folder, only=self.gguf_file)
        return self._fingerprint

    def settings(self) -> dict[str, Any]:
        """Every setting that changes the output (batch size is left out: it should not)."""
        return {
            "prompt": self.prompt,
            "max_new_tokens": self.max_new_tokens,
            "num_beams": self.num_beams,
            "do_sample": self.do_sample,
            "generation": dict(sorted(self.generation.items())),
            "max_input_tokens": self.max_input_tokens,
            "seed": self.seed,
            "device": self.device.type,
            "dtype": str(self.dtype).removeprefix("torch."),
        }

    def identity(self) -> dict[str, Any]:
        """Class, model, weights fingerprint and settings (the display name is left out)."""
        return {
            "class": f"{type(self).__module__}.{type(self).__qualname__}",
            "output_version": OUTPUT_VERSION,
            "model": self.model,
            "gguf_file": self.gguf_file,
            "revision": self.revision,
            "weights": self.weights_fingerprint(),
            "settings": self.settings(),
        }

    # ---- loading

    def check_available(self) -> None:
        """Find the weights without loading them (:func:`.weights.check_weights`)."""
        check_weights(self.model, self.revision, self.gguf_file)

    def load(self) -> tuple[PreTrainedModel, PreTrainedTokenizerBase, int]:
        """Model, tokenizer and input limit, loaded on first use and kept."""
        if self._loaded is None:
            folder = local_folder(self.model)
            if folder is not None and self.gguf_file:
                folder = convert_gguf(folder, self.gguf_file, self.cache_dir)
            kwargs = {"revision": self.revision} if self.revision else {}
            tokenizer = load_pretrained(AutoTokenizer, self.model, folder, **kwargs)
            model = load_pretrained(self.auto_class, self.model, folder, dtype=self.dtype, **kwargs)
            model.to(self.device).eval()
            self.prepare(model, tokenizer)
            self._loaded = (model, tokenizer, self.input_limit(model, tokenizer))
        return self._loaded

    def prepare(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> None:
        """Set padding and replace the model's generation config by the configured one."""
        tokenizer.padding_side = self.padding_side
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        base = model.generation_config
        ids = {f: getattr(base, f, None) for f in TOKEN_ID_FIELDS}
        ids = {f: v for f, v in ids.items() if v is not None}
        ids.setdefault("pad_token_id", tokenizer.pad_token_id)
        model.generation_config = GenerationConfig(
            **ids,
            max_new_tokens=self.max_new_tokens,
            num_beams=self.num_beams,
            do_sample=self.do_sample,
            **self.generation,
        )

    def input_limit(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> int:
        """Return the configured input limit, capped at the model's."""
        reserve = 0 if model.config.is_encoder_decoder else self.max_new_tokens
        own = model_input_limit(model, tokenizer, reserve)
        limits = [x for x in (own, self.max_input_tokens) if x is not None]
        if not limits:
            raise ModelLoadError(
                f"model {self.model!r} states no input limit; set max_input_tokens in its config"
            )
        if own is not None and self.max_input_tokens and self.max_input_tokens > own:
            logger.warning(
                "model %s: max_input_tokens=%d is above the model's limit %d; using %d",
                self.name, self.max_input_tokens, own, own,
            )
        return min(limits)

    # ---- prompts

    def render(self, tokenizer: PreTrainedTokenizerBase, body: str) -> str:
        """Return the full input text for ``body``."""
        return prompts.fill(self.prompt, body)

    def count(self, tokenizer: PreTrainedTokenizerBase, text: str) -> int:
        """Input tokens of a rendered text."""
        return len(tokenizer(text)["input_ids"])

    def encode(self, tokenizer: PreTrainedTokenizerBase, texts: list[str]) -> dict[str, Any]:
        """Tokenize rendered texts into padded tensors."""
        return tokenizer(texts, padding=True, return_tensors="pt")

    def inputs(self, articles: Sequence[Article]) -> list[tuple[str, tuple[str, ...]]]:
        """The rendered input of each article, its body cut to the input limit, and warnings."""
        _, tokenizer, limit = self.load()
        out = []
        for article in articles:
            if not article.body.strip():
                raise ValueError(f"article {article.id!r} has an empty body")
            body, cut = fit_article(
                article.body,
                lambda b: self.render(tokenizer, b),
                lambda t: self.count(tokenizer, t),
                tokenizer,
                limit,
            )
            warnings: tuple[str, ...] = ()
            if cut:
                message = (
                    f"model {self.name}: article {article.id} truncated to {limit} input tokens "
                    f"({len(body)} of {len(article.body)} characters kept)"
                )
                logger.warning(message)
                warnings = (message,)
            out.append((self.render(tokenizer, body), warnings))
        return out

    # ---- generation

    def summarize(self, articles: Sequence[Article]) -> list[Generation]:
        """One generation per article, in batches of similar length.

        An article's seconds are its share of preparing the inputs plus its
        share of its batch's ``generate`` call; loading the model is left out.
        """
        model, tokenizer, _ = self.load()
        if self.num_threads:
            torch.set_num_threads(self.num_threads)
        start = time.perf_counter()
        prepared = self.inputs(articles)
        texts = [text for text, _ in prepared]
        counts = [self.count(tokenizer, t) for t in texts]
        prepare_each = (time.perf_counter() - start) / max(len(texts), 1)
        out: list[Generation | None] = [None] * len(texts)
        for batch in self.batches(counts):
            start = time.perf_counter()
            outputs, lengths = self.generate(model, tokenizer, [texts[i] for i in batch])
            seconds = prepare_each + (time.perf_counter() - start) / len(batch)
            # One generate call makes the whole batch: its articles share its mean time.
            timing = "batch" if len(batch) > 1 else "article"
            for i, summary, length in zip(batch, outputs, lengths, strict=True):
                out[i] = Generation(summary, length, seconds, prepared[i][1], timing)
        return [g for g in out if g is not None]

    def batches(self, counts: Sequence[int]) -> list[list[int]]:
        """Indices grouped longest first into batches.

        A batch holds at most ``batch_size`` inputs and at most ``max_batch_tokens``
        padded input tokens; a single longer input goes alone.
        """
        return token_batches(counts, self.batch_size, self.max_batch_tokens)

    def generate(
        self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, texts: list[str]
    ) -> tuple[list[str], list[int]]:
        """Summaries and generated-token counts of one batch of rendered inputs."""
        encoded = self.encode(tokenizer, texts).to(self.device)
        if self.do_sample:
            torch.manual_seed(self.seed)
        with torch.inference_mode():
            # The tokenizer is only used by the ``stop_strings`` setting.
            output = model.generate(
                **encoded, generation_config=model.generation_config, tokenizer=tokenizer
            )
        # Decoder-only outputs repeat the prompt; encoder-decoder ones start with the
        # decoder start token.
        skip = 1 if model.config.is_encoder_decoder else encoded["input_ids"].shape[1]
        new_tokens = output[:, skip:]
        config = model.generation_config
        eos = config.eos_token_id
        eos = eos if isinstance(eos, list) else [eos]
        stop_ids = {*eos, config.pad_token_id} - {None}
        summaries = tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
        return [s.strip() for s in summaries], generated_lengths(new_tokens, stop_ids)


class Seq2SeqSummarizer(HFSummarizer):
    """Encoder-decoder summarizer (``AutoModelForSeq2SeqLM``): BART, T5, Pegasus."""

    auto_class = AutoModelForSeq2SeqLM
    padding_side = "right"


class CausalChatSummarizer(HFSummarizer):
    """Decoder-only chat model (``AutoModelForCausalLM`` + the tokenizer's chat template).

    Args:
        system_prompt: A system turn before the user turn; None leaves the
            template's default (SmolLM2's names itself, for example).
        **kwargs: See :class:`HFSummarizer`.

    """

    auto_class = AutoModelForCausalLM
    padding_side = "left"

    def __init__(self, name: str, model: str, system_prompt: str | None = None, **kwargs: Any):
        super().__init__(name, model, **kwargs)
        self.system_prompt = system_prompt

    def settings(self) -> dict[str, Any]:
        """Return the base settings plus the system prompt."""
        return {**super().settings(), "system_prompt": self.system_prompt}

    def prepare(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> None:
        """Require a chat template, then as for every model."""
        if not tokenizer.chat_template:
            raise ModelLoadError(
                f"tokenizer of model {self.model!r} has no chat template; use "
                "harness.models.hf.Seq2SeqSummarizer or a chat-tuned model"
            )
        super().prepare(model, tokenizer)

    def render(self, tokenizer: PreTrainedTokenizerBase, body: str) -> str:
        """Render the chat template: optional system turn, the user turn, the assistant cue."""
        messages = prompts.chat_messages(self.prompt, body, self.system_prompt)
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def count(self, tokenizer: PreTrainedTokenizerBase, text: str) -> int:
        """Tokens of template text (the template writes its special tokens itself)."""
        return len(tokenizer(text, add_special_tokens=False)["input_ids"])

    def encode(self, tokenizer: PreTrainedTokenizerBase, texts: list[str]) -> dict[str, Any]:
        """Left-padded tensors, no extra special tokens."""
        return tokenizer(texts, padding=True, add_special_tokens=False, return_tensors="pt")
