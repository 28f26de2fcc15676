"""Headline check: hand-written pairs of each kind, the issue's BBC examples, input errors."""

import pytest

from harness.headline import HeadlineChecker
from harness.stance import prepare_body, prepare_headline, rule_findings
from harness.stance.prepare import numbers_in
from tests.guards import hang_guard

# Article length: the models read a body of a few sentences as a brief that relays
# a claim (FNC-1 bodies are full articles), so the examples are article-sized.
BODY = (
    "Acme Corp will build a new factory in Ohio, the company said on Monday. "
    "The plant will employ 300 people from next year. Local officials welcomed the plan. "
    "Construction starts in the spring on a site outside Columbus. The company makes parts "
    "for farm machinery and already runs two plants in Indiana. Chief executive Jane Moore "
    "said demand had grown for three years in a row. The state offered tax credits worth "
    "12 million dollars over ten years. Unions said they would seek talks with the firm "
    "about pay."
)
OTHER = "The football season ended with a draw in Madrid. Fans left early in the rain."

BAN = (
    "Kenya's athletics federation has suspended marathon runner Mary Wanjiru from all "
    "competition until the end of the year. The federation imposed the ban after Wanjiru "
    "failed to attend a national training camp in Eldoret. \"We have banned her from all local "
    "and international races,\" the federation's chairman said."
)
JOBS = (
    "Carmaker Volta will cut 21 jobs at its Leeds plant, the company said on Tuesday. "
    "The 21 posts will go by the end of March as production moves to Spain. "
    "Unions said they would fight the cuts."
)
MATCH = (
    "Arsenal beat Chelsea 2-1 in the cup final at Wembley on Saturday. "
    "Arsenal scored twice in the second half after Chelsea had led at the break. "
    "Chelsea's manager said his side had been unlucky."
)
RESIGN = (
    "Transport minister John Harlow resigned on Tuesday after a row over rail funding. "
    "Harlow told the prime minister he could no longer defend the cuts. "
    "His deputy will take over the department."
)
CONFERENCE = (
    "The Labour Party will hold its 2006 autumn conference in Manchester and not Blackpool, "
    "it has been confirmed. The decision was ratified by the party's national executive. "
    "Blackpool will host the smaller spring conference instead."
)
TALKS = (
    "Apple is reportedly in talks to buy headphone maker Beats for $3bn, according to people "
    "familiar with the matter. Neither company would comment on the report. Beats was founded "
    "by Dr Dre and Jimmy Iovine in 2006."
)
ECONOMY = (
    "Japan's economy shrank slightly in the third quarter, official figures showed. "
    "Output fell by just 0.1% compared with the previous three months, a minor contraction. "
    "Economists said the slowdown was likely to be temporary."
)
PROFITS = (
    "Profits at Tesco rose 8% to 2.1bn pounds in the year to February, the supermarket said. "
    "Sales grew at its stores in Britain and abroad. "
    "The chief executive said the group had a strong year."
)


@pytest.fixture(scope="module")
def checker():
    return HeadlineChecker()


def verdict(checker, head, body):
    return checker.check(head, body)["verdict"]


@pytest.mark.parametrize("head, body", [
    ("Acme to build new factory in Ohio", BODY),
    ("Tesco profits rise 8% to 2.1bn pounds", PROFITS),
    ("Arsenal beat Chelsea in cup final", MATCH),
    ("Japan's economy shrinks slightly", ECONOMY),
])
def test_supported(checker, head, body):
    out = checker.check(head, body)
    assert out["verdict"] == "supported", out
    assert out["reasons"] == []


@pytest.mark.parametrize("head, body, word", [
    ("Kenya lifts ban on marathon runner Wanjiru", BAN, "lifts"),
    ("Tesco profits fall 8%", PROFITS, "fall"),
    ("Japan's economy grows in third quarter", ECONOMY, "grows"),
])
def test_direction_disputed(checker, head, body, word):
    out = checker.check(head, body)
    assert out["verdict"] == "disputed", out
    assert any(word in r for r in out["reasons"]), out["reasons"]


@pytest.mark.parametrize("head, body, reason", [
    ("Volta to cut 12 jobs at Leeds plant", JOBS, "number 12 in headline, body says 21"),
    ("Tesco profits rise 18%", PROFITS, "number 18 in headline, body says 8"),
])
def test_number_disputed(checker, head, body, reason):
    out = checker.check(head, body)
    assert out["verdict"] == "disputed", out
    assert reason in out["reasons"]


def test_number_written_differently_is_not_a_conflict(checker):
    out = checker.check("Volta to cut twenty-one jobs in Leeds", JOBS)
    assert not any("number" in r for r in out["reasons"]), out["reasons"]


def test_who_did_what_disputed(checker):
    out = checker.check("Chelsea beat Arsenal in cup final", MATCH)
    assert out["verdict"] == "disputed", out
    assert any("body: arsenal beat chelsea" in r for r in out["reasons"]), out["reasons"]


@pytest.mark.parametrize("head, body", [
    # Title-case headline words in another order in a longer sentence: no clause swap.
    ("Ottawa Gunman Identified As Michael Brant",
     "Michael Brant, the gunman who attacked Ottawa on Wednesday, was identified by police."),
    # The body's clause is a passive ("by" between the names).
    ("Chelsea beat Arsenal in cup final",
     "Arsenal were beaten by Chelsea in the cup final on Saturday."),
])
def test_reordered_names_are_not_a_role_swap(head, body):
    kinds = {f.kind for f in rule_findings(prepare_headline(head), prepare_body(body), [0])}
    assert "roles" not in kinds


@pytest.mark.parametrize("head, body", [
    ("Minister Harlow denies resigning", RESIGN),
    ("Harlow has not resigned, says minister", RESIGN),
    ("Labour confirms Blackpool will host autumn conference", CONFERENCE),
    ("Acme factory plan in Ohio is a hoax", BODY),
])
def test_negation_and_denial_disputed(checker, head, body):
    assert verdict(checker, head, body) == "disputed"


def test_hedged_body_is_partly_supported(checker):
    out = checker.check("Apple buys Beats for $3bn", TALKS)
    assert out["verdict"] == "partly supported", out
    assert any("reportedly" in r for r in out["reasons"]), out["reasons"]


def test_hedged_headline_is_not_penalised_for_hedged_body(checker):
    out = checker.check("Apple 'in talks to buy Beats'", TALKS)
    assert not any("hedges" in r for r in out["reasons"]), out["reasons"]


@pytest.mark.parametrize("head, body", [
    ("Japan plunges into deep recession", ECONOMY),
    ("Tesco profits soar to record high", PROFITS),
])
def test_exaggeration_not_supported(checker, head, body):
    out = checker.check(head, body)
    assert out["verdict"] in ("disputed", "partly supported"), out
    assert any("headline says" in r for r in out["reasons"]), out["reasons"]


def test_exaggeration_against_downtoner_disputed(checker):
    out = checker.check("Japan plunges into deep recession", ECONOMY)
    assert out["verdict"] == "disputed", out


@pytest.mark.parametrize("head", [
    "You won't believe what Japan's economy just did",
    "Here's why everyone is talking about Tesco profits",
])
def test_clickbait_no_claim(checker, head):
    body = ECONOMY if "Japan" in head else PROFITS
    assert verdict(checker, head, body) == "no claim"


@pytest.mark.parametrize("head, body", [
    ("Acme to build new factory in Ohio", OTHER),
    ("Tesco profits rise 8%", MATCH),
    ("Kenya lifts ban on marathon runner Wanjiru", ECONOMY),
])
def test_unrelated(checker, head, body):
    assert verdict(checker, head, body) == "unrelated"


@pytest.mark.parametrize("head, missing", [
    # Title case capitalises ordinary words: "Pledges", "Disguise" and "Disturbed"
    # are forms of words the bodies write in lower case (pledged, disguised,
    # disturbing), so they are not names the body lacks; "Brighton" and "Google" are.
    ("Harlow Pledges a Full Review of the Rail Cuts in Brighton", ["brighton"]),
    ("Harlow Quits in Disguise, His Former Aide Says", []),
    ("Disturbed Harlow Letter Read Out by Google", ["google"]),
    # In sentence case a capital means a name, even one sharing a stem with an
    # ordinary word ("Downing": "down").
    ("Harlow quits after a row in Downing", ["downing"]),
])
def test_title_case_words_of_common_stems_are_not_names(checker, head, missing):
    findings = rule_findings(prepare_headline(head), prepare_body(RESIGN), [0, 1, 2],
                             checker.model.res.common)
    names = sorted(f.reason.split("'")[1] for f in findings if f.kind == "name")
    assert names == missing


def test_foreign_name_is_not_supported(checker):
    out = checker.check("Sainsbury profits rise 8% to 2.1bn pounds", PROFITS)
    assert out["verdict"] != "supported", out
    assert any("sainsbury" in r for r in out["reasons"]), out["reasons"]


def test_support_orders_real_above_corrupted(checker):
    real = checker.check("Tesco profits rise 8% to 2.1bn pounds", PROFITS)["headline_support"]
    for bad in ("Tesco profits fall 8% to 2.1bn pounds", "Tesco profits rise 18% to 2.1bn pounds",
                "Tesco denies profits rise 8%", "Tesco profits soar to record 2.1bn pounds",
                "Sainsbury profits rise 8% to 2.1bn pounds"):
        assert real > checker.check(bad, PROFITS)["headline_support"], bad


def test_output_shape(checker):
    out = checker.check("Acme to build new factory in Ohio", BODY)
    assert set(out) >= {"headline_support", "verdict", "evidence", "reasons", "relatedness",
                        "stance"}
    assert 0.0 <= out["headline_support"] <= 1.0
    assert 0.0 <= out["relatedness"] <= 1.0
    assert abs(sum(out["stance"].values()) - 1.0) < 1e-6
    assert out["evidence"][0].startswith("Acme Corp will build")
    assert len(out["evidence"]) == 3


@pytest.mark.parametrize("head, body, message", [
    ("", BODY, "headline"),
    ("  ... !!", BODY, "headline"),
    ("Acme to build factory", "", "article"),
    ("Acme to build factory", " -- ... ", "article"),
])
def test_bad_input_raises(checker, head, body, message):
    with pytest.raises(ValueError, match=message):
        checker.check(head, body)


def test_long_body_is_windowed(checker):
    filler = " ".join(f"Item {i} of the council agenda was discussed at length."
                      for i in range(400))
    body = f"{filler} Acme Corp will build a new factory in Ohio, the company said."
    with hang_guard(60, "the check of a 400-sentence body"):
        out = checker.check("Acme to build new factory in Ohio", body)
    assert out["evidence"][0].startswith("Acme Corp will build")


def test_number_reading():
    assert numbers_in("Cuaron signs $500m deal") == {"500"}
    assert numbers_in("profits rose 3.5% to 2,100") == {"3.5", "2100"}
    assert numbers_in("twenty-one jobs") == {"21"}
    assert numbers_in("3G phones and the G8 summit") == set()


def test_direction_the_body_never_backs_is_partial():
    body = ("The New York music studio where John Lennon spent his final hours is to close "
            "next month. The owners said rents had doubled.")
    head = prepare_headline("Legendary music studio to open")
    found = [f for f in rule_findings(head, prepare_body(body), [0]) if f.kind == "direction"]
    assert [f.disputes for f in found] == [False]
    assert "'open', the body never does and says" in found[0].reason
    same = prepare_headline("Legendary music studio to close")
    assert not [f for f in rule_findings(same, prepare_body(body), [0]) if f.kind == "direction"]


def test_rules_need_no_model():
    head = prepare_headline("Tesco profits fall 8%")
    body = prepare_body(PROFITS)
    kinds = {f.kind: f.disputes for f in rule_findings(head, body, [0, 1, 2])}
    assert kinds.get("direction") is True


# ------------------------------------------------------------ the issue's BBC examples
ISSUE_EXAMPLES = [
    ("sport/021.txt", "Kenya lifts ban on marathon star Chepkemei"),
    ("politics/004.txt", "Labour confirms Blackpool will host 2006 autumn conference"),
    ("business/006.txt", "Japan plunges into deep recession"),
    ("tech/008.txt", "Zafi virus was a hoax, Sophos admits"),
    ("entertainment/028.txt", "Cuaron signs $500m deal to direct every Warner film"),
    ("business/006.txt", "You won't believe what Japan's economy just did"),
]


@pytest.mark.corpus
@pytest.mark.parametrize("path, head", ISSUE_EXAMPLES)
def test_issue_examples_not_supported(corpus_path, checker, path, head):
    lines = corpus_path("bbc", path).read_text(encoding="utf-8").split("\n")
    body = "\n".join(lines[1:])
    out = checker.check(head, body)
    assert out["verdict"] in ("disputed", "no claim"), out
    assert out["reasons"], out
    real = checker.check(lines[0].strip(), body)
    assert real["headline_support"] > out["headline_support"]


def test_a_failure_the_body_does_not_report_is_disputed(checker):
    from tests.test_headline_support import DEAL

    out = checker.check("Talks fail to reach a deal", DEAL)
    assert out["verdict"] == "disputed", out
    assert any("fail to reach" in r for r in out["reasons"]), out["reasons"]
    assert checker.check("Negotiators reach a deal in Geneva", DEAL)["headline_support"] > \
        out["headline_support"]
    # The body reports the failure itself: no finding.
    held = checker.check("Wanjiru fails to attend training camp", BAN)
    assert not any("fail to" in r for r in held["reasons"]), held["reasons"]


def test_a_rounded_figure_of_another_thing_does_not_back_the_headline_number(checker):
    from tests.test_headline_support import RATES

    # The body's 2 % counts the headline's thing; 4.75 % (another bank's rate) only rounds to 5.
    out = checker.check("US interest rates increased to 5%", RATES)
    assert out["verdict"] == "disputed", out
    assert "number 5 in headline, body says 2" in out["reasons"]
    # A rounded figure of the same thing still stands.
    kept = checker.check("Bank of England keeps rate at 5%", RATES)
    assert not any(r.startswith("number") for r in kept["reasons"]), kept["reasons"]
