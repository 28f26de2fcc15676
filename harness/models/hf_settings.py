"""Devices, dtypes, generation settings and token lengths for the ``transformers`` summarizers.

The pieces of :mod:`harness.models.hf` that do not need a loaded summarizer:
which device and dtype ``auto`` means, which generation settings a config may
set, how many input tokens a model takes, how to cut an article to fit them,
how many tokens each row of a batch generated, and how inputs are batched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
from transformers import GenerationConfig, PreTrainedModel, PreTrainedTokenizerBase

from harness.models import prompts

#: Generation-config fields taken from the model: ids, not behaviour.
TOKEN_ID_FIELDS = (
    "bos_token_id",
    "eos_token_id",
    "pad_token_id",
    "decoder_start_token_id",
    "forced_bos_token_id",
    "forced_eos_token_id",
)
#: Tokenizers report this (1e30) when they know no limit.
UNKNOWN_LIMIT = 10**6


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
    """Cut ``body`` to fit ``limit`` tokens, on a token boundary (see :mod:`.prompts`)."""

    def token_ends(text: str) -> list[int]:
        encoding = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        return [end for _, end in encoding["offset_mapping"]]

    return prompts.fit_article(body, render, count, token_ends, limit)


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


def token_batches(counts: Sequence[int], batch_size: int,
                  max_batch_tokens: int | None) -> list[list[int]]:
    """Indices of inputs with ``counts`` tokens grouped longest first into batches.

    A batch holds at most ``batch_size`` inputs and at most ``max_batch_tokens``
    padded input tokens (None: no cap); a single longer input goes alone.
    """
    order = sorted(range(len(counts)), key=lambda i: -counts[i])
    batches: list[list[int]] = []
    for i in order:
        current = batches[-1] if batches else None
        # Sorted longest first, so the batch's first input sets its padded length.
        fits = current is not None and len(current) < batch_size and (
            max_batch_tokens is None
            or (len(current) + 1) * counts[current[0]] <= max_batch_tokens
        )
        if fits:
            current.append(i)
        else:
            batches.append([i])
    return batches
