"""The sentence-support cross-encoder: adapter merge, training resume, the shipped model."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from harness import support

REPO = Path(__file__).resolve().parents[1]
TRAIN = REPO / "scripts" / "train_support.py"

STORY = (
    "The city council approved a new budget of 45 million dollars on Monday evening after a "
    "long debate. Mayor Alice Brown said the plan would fund three new schools in the north of "
    "the city. Opposition leader Tom Green voted against the budget and called it reckless "
    "spending. The council will meet again in March to discuss the transport plan for the "
    "region. Residents who attended the meeting were divided over the cost of the schools. "
    "Local businesses welcomed the decision to cut parking fees in the town centre."
)


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory) -> Path:
    """A two-layer BERT with the packaged MiniLM's tokenizer, random weights, saved locally."""
    from transformers import AutoTokenizer, BertConfig, BertModel

    from harness.embed import default_model_dir

    folder = tmp_path_factory.mktemp("tiny_bert")
    tokenizer = AutoTokenizer.from_pretrained(str(default_model_dir()))
    import torch

    torch.manual_seed(0)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=512)
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def _train_module():
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import train_support
    finally:
        sys.path.pop(0)
    return train_support


def test_merged_adapter_matches_the_peft_model(tiny_base, tmp_path):
    import torch

    ts = _train_module()
    tokenizer, model, head = ts.build_model(str(tiny_base), rank=4, alpha=8, head_width=16)
    torch.manual_seed(1)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:  # peft starts B at zero: make the adapter matter
                param.normal_(0, 0.5)
    model.eval()
    head.eval()
    pairs = [("The council approved the budget on Monday.", "The budget was approved."),
             ("Prices rose by 5 percent in May.", "Prices fell.")]
    enc = support.tokenize(tokenizer, pairs)
    with torch.no_grad():
        want = torch.softmax(head(support.mean_pool(model(**enc).last_hidden_state,
                                                    enc["attention_mask"])), -1).numpy()
    path = tmp_path / "adapter.safetensors"
    support.save(path, support.adapter_state(model, 2.0), head,
                 {"scaling": 2.0, "head_width": 16, "max_length": 128})
    loaded = support.SupportModel(path, base=tiny_base)
    got = loaded.predict(pairs)
    assert got.shape == (2, 3)
    np.testing.assert_allclose(got, want, atol=1e-5)
    # The merged copy owns the adapted weights only; the rest is the base's tensors,
    # which the merge leaves as they were.
    from harness.embed import load_weights

    base = dict(load_weights(str(tiny_base))[1].named_parameters())
    owned = {n for n, p in loaded.model.named_parameters()
             if p.data_ptr() != base[n].data_ptr()}
    assert owned and all(n.endswith(".weight") and any(
        t in n for t in ("query", "key", "value", "dense")) for n in owned), owned
    assert "embeddings.word_embeddings.weight" not in owned
    # A second load merges into its own copy again: had the first merge written into
    # the shared tensors, this one would add the adapter twice.
    second = tmp_path / "second.safetensors"
    second.write_bytes(path.read_bytes())
    np.testing.assert_allclose(support.SupportModel(second, base=tiny_base).predict(pairs),
                               got, atol=1e-6)
    # The adapter is not a no-op: the base alone gives other probabilities.
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.zero_()
        bare = torch.softmax(head(support.mean_pool(model(**enc).last_hidden_state,
                                                    enc["attention_mask"])), -1).numpy()
    assert np.abs(bare - got).max() > 1e-3


def test_adapter_for_another_base_is_refused(tiny_base, tmp_path):
    import torch

    lora = {"lora.encoder.layer.0.attention.self.query.A": torch.zeros(4, 16),
            "lora.encoder.layer.0.attention.self.query.B": torch.zeros(32, 4)}
    head = support.build_head(32, 16)
    path = tmp_path / "bad.safetensors"
    support.save(path, lora, head, {"scaling": 1.0, "head_width": 16})
    with pytest.raises(support.SupportError, match="shape"):
        support.SupportModel(path, base=tiny_base)
    with pytest.raises(support.SupportError, match="does not exist"):
        support.SupportModel(tmp_path / "missing.safetensors")


def _tiny_corpora(root: Path) -> Path:
    (root / "nli").mkdir(parents=True)
    (root / "fnc1").mkdir()
    (root / "wcxb").mkdir()
    nli = [{"id": f"m{i}", "premise": f"A man plays the guitar on stage number {i}.",
            "hypothesis": "A man plays music." if i % 2 else "A woman sleeps.",
            "label": "entailment" if i % 2 else "not_entailment"} for i in range(12)]
    for name in ("mnli", "fever"):
        (root / "nli" / f"{name}_binary.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in nli), encoding="utf-8")
    summac = [{"id": f"s{i}", "dataset": "x", "document": STORY,
               "claim": "The council approved a budget." if i % 2 else "The council cut taxes.",
               "label": "consistent" if i % 2 else "inconsistent"} for i in range(6)]
    (root / "nli" / "summac_val.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in summac), encoding="utf-8")
    with (root / "fnc1" / "train_bodies.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Body ID", "articleBody"])
        for i in range(4):
            w.writerow([str(i), STORY.replace("45", str(40 + i))])
    with (root / "fnc1" / "train_stances.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Headline", "Body ID", "Stance"])
        for i, stance in enumerate(("agree", "disagree", "discuss", "unrelated") * 2):
            w.writerow([f"Council backs budget {i}", str(i % 4), stance])
    truth = {f"p{i}": {"main_content": STORY.replace("Monday", day)}
             for i, day in enumerate(("Tuesday", "Friday", "Sunday"))}
    (root / "wcxb" / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    return root


def _run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TRAIN), *args], capture_output=True, text=True,
                          timeout=600, check=False)


def test_training_resumes_bit_identically_and_refuses_other_settings(tiny_base, tmp_path):
    corpora = _tiny_corpora(tmp_path / "corpora")
    common = ["--corpora", str(corpora), "--base", str(tiny_base), "--steps", "4",
              "--batch-size", "4", "--rank", "2", "--alpha", "4", "--head-width", "8",
              "--threads", "1", "--checkpoint-every", "1"]
    whole = _run([*common, "--work", str(tmp_path / "a"), "--out", str(tmp_path / "a.st")])
    assert whole.returncode == 0, whole.stderr[-2000:]
    assert "wall time" in whole.stdout and "held-out accuracy" in whole.stdout

    first = _run([*common, "--work", str(tmp_path / "b"), "--out", str(tmp_path / "b.st"),
                  "--stop-after", "2"])
    assert first.returncode == 3, first.stderr[-2000:]
    assert not (tmp_path / "b.st").exists()
    second = _run([*common, "--work", str(tmp_path / "b"), "--out", str(tmp_path / "b.st")])
    assert second.returncode == 0, second.stderr[-2000:]
    assert "resumed from" in second.stdout and "at step 2" in second.stdout
    assert (tmp_path / "a.st").read_bytes() == (tmp_path / "b.st").read_bytes()

    other = _run([*common[:-2], "--checkpoint-every", "1", "--lr", "0.001", "--work",
                  str(tmp_path / "b"), "--out", str(tmp_path / "c.st")])
    assert other.returncode == 2
    assert "other settings" in other.stderr and "--fresh" in other.stderr


def test_loss_counts_either_allowed_class():
    import torch

    ts = _train_module()
    logits = torch.tensor([[0.0, 2.0, 2.0]])
    both = ts.loss_fn(logits, torch.tensor([[False, True, True]]))
    one = ts.loss_fn(logits, torch.tensor([[False, True, False]]))
    assert float(both) < float(one)
    p = torch.softmax(logits, -1)[0]
    assert float(both) == pytest.approx(-float(torch.log(p[1] + p[2])), abs=1e-6)


PREMISE = "The company said profits rose 10% to $5m in 2019, helped by strong sales in Asia."


@pytest.mark.parametrize("claim, label", [
    ("Profits rose 10%.", support.ENTAILED),
    ("Sales in Asia were strong.", support.ENTAILED),
    ("The chief executive resigned.", support.NEITHER),
    ("The company opened a factory in Brazil.", support.NEITHER),
])
def test_shipped_adapter_reads_plain_pairs(claim, label):
    probs = support.shipped().predict([(PREMISE, claim)])[0]
    assert int(np.argmax(probs)) == label, probs
    assert probs.sum() == pytest.approx(1.0, abs=1e-5)


def test_shipped_adapter_ranks_a_changed_fact_below_the_true_one():
    model = support.shipped()
    # A paraphrase, so that the word-for-word rule does not answer for the model.
    true, *changed = model.predict([(PREMISE, "Profits increased 10%."),
                                    (PREMISE, "Profits fell 10%."),
                                    (PREMISE, "Profits rose 50%."),
                                    (PREMISE, "Profits decreased by 10%."),
                                    (PREMISE, "The company did not make a profit.")])
    for row in changed:
        assert true[support.ENTAILED] > row[support.ENTAILED], row
        assert row[support.CONTRADICTED] > true[support.CONTRADICTED], row
    assert true[support.ENTAILED] > np.mean([r[support.ENTAILED] for r in changed]) + 0.3


def test_shipped_adapter_is_small_and_records_its_recipe():
    assert support.PARAMS.stat().st_size < 5 * 1024 * 1024
    config = support.shipped().config
    assert config["labels"] == list(support.LABELS)
    assert config["recipe"]["steps"] > 0 and "train_pairs" in config


def test_faithfulness_shows_the_window_that_entails_each_sentence():
    from harness.metrics.faithfulness import Faithfulness
    from harness.types import Article

    art = Article(id="f", headline="", lede="", paragraphs=(
        "The council approved a budget of 45 million dollars on Monday.",
        "Mayor Alice Brown said it would fund three new schools.",
        "Residents were divided over the cost."))
    metric = Faithfulness(support_model="default")
    told = metric.score("The mayor said the budget pays for three schools.", art)
    made_up = metric.score("The mayor resigned after a scandal over the budget.", art)
    assert told["faith_entailment_mean"] > made_up["faith_entailment_mean"] + 0.3
    (check,) = metric.explain("The mayor said the budget pays for three schools.", art)
    assert "three new schools" in check["entailed_by"]
    assert check["entailment"] == pytest.approx(told["faith_entailment_mean"], abs=1e-4)
    (bad,) = metric.explain("The mayor resigned after a scandal over the budget.", art)
    assert "no article passage entails it" in bad["reasons"]


def test_a_premise_that_states_the_claim_entails_it_without_the_model():
    long = " ".join(["Officials met on Monday to talk about the new budget plan."] * 12)
    claim = "The White House said now is not the right time for talks."
    probs = support.shipped().predict([(long + " " + claim + " " + long, claim),
                                       (long, claim)])
    assert list(probs[0]) == [1.0, 0.0, 0.0]
    assert probs[1][support.ENTAILED] < 0.5
    assert support.contains("He said: 'Not now.'", "he said not now")
    assert not support.contains("He said not now.", "")
