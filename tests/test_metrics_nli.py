"""The optional NLI metric, run with a tiny randomly initialised local classifier."""

import pytest

from harness.metrics.base import check_keys
from tests.fakes import article

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def tiny_nli(tmp_path_factory):
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny_nli")
    words = "the a club signed sold two players profits rose fell acme . , % 20".split()
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n")
    BertTokenizerFast(vocab_file=str(folder / "vocab.txt")).save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=32, num_labels=3)
    BertForSequenceClassification(config).save_pretrained(folder)
    return folder


def test_nli_keys_and_ranges(tiny_nli):
    from harness.metrics.nli import NLIFaithfulness

    metric = NLIFaithfulness(model=str(tiny_nli), entailment_index=2, contradiction_index=0)
    art = article("the club signed two players.",
                                                              "acme profits rose 20%.", id="n")
    out = metric.score("the club sold two players. profits fell.", art)
    check_keys(metric, out)
    assert out["nli_entail_min"] <= out["nli_entail_mean"]


def test_nli_bad_label_index(tiny_nli):
    from harness.metrics.nli import NLIFaithfulness

    with pytest.raises(ValueError, match="entailment_index 5"):
        NLIFaithfulness(model=str(tiny_nli), entailment_index=5)


def test_nli_config_instantiates(tiny_nli):
    from harness.config import build, group_file

    settings = {"nli": group_file("metric", "nli")}
    settings["nli"].model = str(tiny_nli)  # as metric.nli.model=... in a run config
    metric = build("nli", "metric", settings)
    assert metric.entail == 2 and metric.contra == 0
