"""Summarizer on llama.cpp (``llama-cpp-python``), reading GGUF weights natively.

Matches :class:`harness.models.hf.CausalChatSummarizer` on the same GGUF file:
the same chat turns (optional system turn, ``prompt`` with the article body),
rendered with the chat template stored in the GGUF (``tokenizer.chat_template``);
the same input limit rule (the configured ``max_input_tokens``, capped at the
model's training context less ``max_new_tokens``) and the same cut of a long body
on a token boundary (:func:`harness.models.prompts.fit_article`); greedy
decoding with the same stop strings. What differs is the arithmetic: llama.cpp
multiplies the quantised weights directly (Q4_1 here, activations in 8 bits),
where transformers de-quantises them to float32 first, so a few summaries differ
in their later words (``benchmarks/generation.py`` prints how many).

Each article is decoded alone from an empty KV cache (``reset()``), so a summary
does not depend on which articles came before it. ``llama-cpp-python`` is the
optional extra ``llamacpp`` (``pip install -e '.[llamacpp]'``; ``make test``
installs it): it compiles llama.cpp from source, about 8 minutes on 2 cores.
"""

from __future__ import annotations

import atexit
import ctypes
import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness.models import prompts
from harness.models.base import Generation, Summarizer
from harness.models.llamacpp_probe import gguf_path, probe
from harness.models.weights import ModelLoadError, folder_fingerprint
from harness.types import Article

logger = logging.getLogger("harness.models")

#: Bump when a change here changes outputs for the same settings (cache entries miss).
OUTPUT_VERSION = 1
INSTALL_HINT = (
    "llama-cpp-python is not installed; it is the optional extra 'llamacpp': "
    "pip install -e '.[llamacpp]' (make test installs it; it compiles llama.cpp, "
    "about 8 minutes on 2 cores)"
)


def import_llama_cpp() -> Any:
    """Import ``llama_cpp``, or fail with how to install it."""
    try:
        import llama_cpp
    except ImportError as err:
        raise ModelLoadError(INSTALL_HINT) from err
    return llama_cpp


def gguf_context_and_template(path: Path) -> tuple[int, str]:
    """The training context length and the chat template stored in a GGUF file.

    Raises:
        ModelLoadError: if the file states either not.

    """
    metadata = gguf_metadata(path)
    arch = metadata("general.architecture") or "llama"
    trained = int(metadata(f"{arch}.context_length") or 0)
    if trained <= 0:
        raise ModelLoadError(f"GGUF {path} states no context length ({arch}.context_length)")
    template = metadata("tokenizer.chat_template")
    if not template:
        raise ModelLoadError(f"GGUF {path} has no chat template (tokenizer.chat_template)")
    return trained, template


def gguf_metadata(path: Path) -> Callable[[str], str | None]:
    """Read the metadata of a GGUF file: a function of the key, None for a key it lacks.

    The vocabulary alone loads in 0.1 s and carries all the metadata. It is
    loaded as a bare model, without the context ``llama_cpp.Llama(vocab_only=True)``
    would build: that context (512 tokens) is checked against the training
    context, which a vocabulary-only load leaves at 0, and llama.cpp warned
    "n_ctx_seq (512) > n_ctx_train (0)" on every run.
    """
    llama_cpp = import_llama_cpp()
    # llama-cpp-python prints llama.cpp's log records at or above its logger's level
    # (NOTSET until a Llama is built): its own default for verbose=False is ERROR.
    log = logging.getLogger("llama-cpp-python")
    if log.level == logging.NOTSET:
        log.setLevel(logging.ERROR)
    llama_cpp.llama_backend_init()
    params = llama_cpp.llama_model_default_params()
    params.vocab_only = True
    model = llama_cpp.llama_model_load_from_file(str(path).encode(), params)
    if not model:
        raise ModelLoadError(f"llama.cpp cannot read GGUF {path}")
    values: dict[str, str | None] = {}
    try:
        for key in ("general.architecture", "tokenizer.chat_template"):
            values[key] = _meta_value(llama_cpp, model, key)
        arch = values["general.architecture"] or "llama"
        values[f"{arch}.context_length"] = _meta_value(llama_cpp, model, f"{arch}.context_length")
    finally:
        llama_cpp.llama_model_free(model)
    return values.get


def _meta_value(llama_cpp: Any, model: Any, key: str) -> str | None:
    size = 256
    while True:
        buffer = ctypes.create_string_buffer(size)
        n = llama_cpp.llama_model_meta_val_str(model, key.encode(), buffer, size)
        if n < 0:
            return None
        if n < size:
            return buffer.value.decode("utf-8")
        size = n + 1  # the value's length: read it again into a buffer that holds it


class LlamaCppSummarizer(Summarizer):
    """Chat model from a GGUF file through llama.cpp, greedy and deterministic.

    Args:
        name: Display name of the model in results.
        model: Folder of the GGUF file (``pkg://<package>`` for one inside a pip
            package), or the GGUF file itself when ``gguf_file`` is None.
        gguf_file: The GGUF file inside the ``model`` folder.
        prompt: The user turn; must contain ``{article}``.
        system_prompt: A system turn before the user turn; None leaves the
            template's default.
        max_new_tokens: Most generated tokens per summary.
        stop_strings: Generation ends at the first of these (not included).
        max_input_tokens: Input limit; None or above the model's training context
            (less ``max_new_tokens``) means the model's.
        n_threads: CPU threads; None means one per core (``os.cpu_count()``).
        n_batch: Prompt tokens evaluated per llama.cpp batch (speed only).
        seed: llama.cpp's sampler seed (unused by greedy decoding, recorded).

    """

    cacheable = True
    step = 1  # decoded one article at a time anyway (summarize)

    def __init__(
        self,
        name: str,
        model: str,
        gguf_file: str | None = None,
        prompt: str = "{article}",
        system_prompt: str | None = None,
        max_new_tokens: int = 128,
        stop_strings: Sequence[str] = (),
        max_input_tokens: int | None = None,
        n_threads: int | None = None,
        n_batch: int = 512,
        seed: int = 0,
    ) -> None:
        super().__init__(name)
        self.model = model
        self.gguf_file = gguf_file
        self.prompt = prompts.check_prompt(name, prompt)
        self.system_prompt = system_prompt
        self.max_new_tokens = int(max_new_tokens)
        self.stop_strings = [str(s) for s in stop_strings]
        self.max_input_tokens = max_input_tokens
        self.n_threads = int(n_threads or os.cpu_count() or 1)
        self.n_batch = int(n_batch)
        self.seed = int(seed)
        self._llm: Any = None
        self._formatter: Any = None
        self._limit = 0

    # ---- identity

    def identity(self) -> dict[str, Any]:
        """Backend, weights fingerprint and every setting that changes the output."""
        path = gguf_path(self.model, self.gguf_file)
        return {
            "class": f"{type(self).__module__}.{type(self).__qualname__}",
            "backend": "llama.cpp",
            "output_version": OUTPUT_VERSION,
            "model": self.model,
            "gguf_file": self.gguf_file,
            "weights": folder_fingerprint(path.parent, only=path.name),
            "settings": {
                "prompt": self.prompt,
                "system_prompt": self.system_prompt,
                "max_new_tokens": self.max_new_tokens,
                "stop_strings": self.stop_strings,
                "max_input_tokens": self.max_input_tokens,
                "decoding": "greedy",
            },
        }

    # ---- loading

    def check_available(self) -> None:
        """The GGUF file exists and llama.cpp runs here (ModelLoadError if not).

        The build is probed once per process with a tiny eval in a child
        (:mod:`harness.models.llamacpp_probe`): a native crash becomes a clear error.
        """
        path = gguf_path(self.model, self.gguf_file)
        import_llama_cpp()
        probe(str(path))

    def load(self) -> Any:
        """The ``llama_cpp.Llama`` model, loaded on first use and kept."""
        if self._llm is None:
            llama_cpp = import_llama_cpp()
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            path = gguf_path(self.model, self.gguf_file)
            probe(str(path))  # a native crash here would take the whole process down
            trained, template = gguf_context_and_template(path)
            own = trained - self.max_new_tokens
            if self.max_input_tokens and self.max_input_tokens > own:
                logger.warning("model %s: max_input_tokens=%d is above the model's limit %d",
                               self.name, self.max_input_tokens, own)
            self._limit = min(x for x in (own, self.max_input_tokens) if x)
            self._llm = llama_cpp.Llama(
                str(path), n_ctx=self._limit + self.max_new_tokens, n_threads=self.n_threads,
                n_threads_batch=self.n_threads, n_batch=self.n_batch, seed=self.seed,
                verbose=False,
            )
            # Freed before the interpreter tears modules down (else __del__ fails noisily).
            atexit.register(self._llm.close)
            eos, bos = self._llm.token_eos(), self._llm.token_bos()
            self._formatter = Jinja2ChatFormatter(
                template=template,
                eos_token=self._llm._model.token_get_text(eos) if eos >= 0 else "",
                bos_token=self._llm._model.token_get_text(bos) if bos >= 0 else "",
            )
        return self._llm

    # ---- prompts

    def render_messages(self, messages: list[dict[str, str]]) -> str:
        """The chat template applied to ``messages``, with the assistant cue."""
        self.load()
        return self._formatter(messages=messages).prompt

    def render(self, body: str) -> str:
        """The full input text for ``body``."""
        return self.render_messages(prompts.chat_messages(self.prompt, body, self.system_prompt))

    def tokens(self, text: str) -> list[int]:
        """Token ids of template text (the template writes its special tokens itself)."""
        return self.load().tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def token_ends(self, text: str) -> list[int]:
        """Character offset at which each token of plain ``text`` ends."""
        llm = self.load()
        ids = llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)
        # Byte offset → character offset (a token may end inside a multi-byte character).
        char_at = [0]
        for i, ch in enumerate(text):
            char_at.extend([i + 1] * len(ch.encode("utf-8")))
        ends, position = [], 0
        for token in ids:
            position = min(position + len(llm.detokenize([token])), len(char_at) - 1)
            ends.append(char_at[position])
        return ends

    def fitted(self, article: Article) -> tuple[str, tuple[str, ...]]:
        """The rendered input of ``article``, its body cut to the input limit, and warnings."""
        if not article.body.strip():
            raise ValueError(f"article {article.id!r} has an empty body")
        self.load()
        body, cut = prompts.fit_article(
            article.body, self.render, lambda t: len(self.tokens(t)), self.token_ends, self._limit
        )
        warnings: tuple[str, ...] = ()
        if cut:
            message = (f"model {self.name}: article {article.id} truncated to {self._limit} input "
                       f"tokens ({len(body)} of {len(article.body)} characters kept)")
            logger.warning(message)
            warnings = (message,)
        return self.render(body), warnings

    # ---- generation

    def complete(self, text: str, max_tokens: int, stop: Sequence[str] = ()) -> tuple[str, int]:
        """Greedy continuation of rendered ``text`` from an empty cache; text and token count."""
        llm = self.load()
        llm.reset()
        out = llm.create_completion(
            prompt=self.tokens(text), max_tokens=max_tokens, temperature=0.0, top_k=1,
            top_p=1.0, min_p=0.0, repeat_penalty=1.0, stop=list(stop) or None, seed=self.seed,
        )
        return out["choices"][0]["text"].strip(), int(out["usage"]["completion_tokens"])

    def summarize(self, articles: Sequence[Article]) -> list[Generation]:
        """One generation per article, each decoded alone (loading is not timed)."""
        self.load()
        out = []
        for article in articles:
            start = time.perf_counter()
            text, warnings = self.fitted(article)
            summary, tokens = self.complete(text, self.max_new_tokens, self.stop_strings)
            out.append(Generation(summary, tokens, time.perf_counter() - start, warnings))
        return out

    # ---- judging (harness.metrics.llm_judge)

    def judge(self, messages: list[dict[str, str]], max_tokens: int, top_logprobs: int,
              candidates: Sequence[str] = ()) -> tuple[str, dict[str, float] | None]:
        """Greedy reply to ``messages`` and the log-probabilities of its first token's top choices.

        Args:
            messages: The chat turns.
            max_tokens: Most tokens of the reply.
            top_logprobs: How many of the likeliest first tokens to report.
            candidates: Texts whose first-token log-probability is reported whatever
                their rank (each must be one token; others are left out).

        Returns:
            The reply text and ``{token text: log-probability}``.

        """
        import numpy as np

        llm = self.load()
        ids = self.tokens(self.render_messages(messages))
        if len(ids) + max_tokens > llm.n_ctx():
            raise ValueError(f"judge prompt of {len(ids)} tokens does not fit the context "
                             f"of {llm.n_ctx()} with {max_tokens} to generate")
        # Judgments of one article share the prompt up to the summary: keep that part of
        # the KV cache (like llama.cpp's own prompt cache) and evaluate the rest.
        done = llm.input_ids[: llm.n_tokens].tolist()
        common = 0
        while common < min(len(done), len(ids) - 1) and done[common] == ids[common]:
            common += 1
        llm.n_tokens = common
        llm.eval(ids[common:])
        # Without logits_all (which would keep n_ctx x n_vocab floats), llama-cpp-python
        # keeps no logits after eval; the context still holds the last position's.
        logits = np.ctypeslib.as_array(llm._ctx.get_logits_ith(-1), shape=(llm.n_vocab(),))
        logits = logits.astype(np.float64)
        logprobs = logits - (logits.max() + np.log(np.exp(logits - logits.max()).sum()))
        best = np.argsort(-logprobs, kind="stable")[:top_logprobs]
        wanted = [int(i) for i in best]
        for text in candidates:
            ids_of = llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)
            if len(ids_of) == 1:
                wanted.append(ids_of[0])
        top = {llm.detokenize([i]).decode("utf-8", "replace"): float(logprobs[i])
               for i in dict.fromkeys(wanted)}
        out = llm.create_completion(
            prompt=ids, max_tokens=max_tokens, temperature=0.0, top_k=1, top_p=1.0, min_p=0.0,
            repeat_penalty=1.0, seed=self.seed,
        )
        return out["choices"][0]["text"].strip(), top
