"""LLM judge: G-Eval-style 1-5 ratings of faithfulness and coverage by a chat model.

Follows G-Eval (Liu et al. 2023, "G-Eval: NLG Evaluation using GPT-4 with Better
Human Alignment"): per aspect, a prompt with the task, the criterion, the
evaluation steps and the texts, asking for the score only; the score is the
expectation of 1-5 under the model's probabilities of its first token,
``sum_i p(i) * i / sum_i p(i)``, when the backend returns log-probabilities.
Departures from the paper: G-Eval estimates those probabilities by sampling 20
replies at temperature 1 (GPT-4 then returned no log-probabilities); here they
are read from the backend's top log-probabilities of one greedy reply, which
needs one request instead of 20. Without log-probabilities, the first 1-5 in the
reply is taken ("4", "Score: 4", "**4**/5"); a reply with none is that row's
metric error.

The criteria follow G-Eval's SummEval prompts: *consistency* for
``judge_faithfulness``; *relevance* for ``judge_coverage``, with the article's
own headline and lede named as what matters (the harness's reference).

Any backend serves as the judge: an object with ``judge(messages, max_tokens,
top_logprobs, candidates)`` returning ``(text, {token: logprob} | None)``, and
``identity()``: :class:`harness.models.llamacpp.LlamaCppSummarizer` (in process;
it also reports the log-probabilities of the ``candidates``, the tokens 1-5,
whatever their rank) and :class:`harness.models.openai_compat.OpenAISummarizer`
(vLLM, TGI, Ollama, llama.cpp's server, hosted APIs; the protocol returns the
likeliest tokens only). Judgments are cached on disk under
``<cache_dir>/judgments/``, keyed by the backend's identity and the full prompt.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from harness.metrics.base import KeySpec, Metric
from harness.models.cache import cache_key, default_cache_dir, write_atomic
from harness.types import Article

#: Bump when the prompts or the scoring change, so cached judgments are not reused.
JUDGE_VERSION = 2
#: Cache entry format.
FORMAT_VERSION = 1

_TASK = (
    "You will be given a news article. You will then be given one summary written for this "
    "article.\n\n"
    "Your task is to rate the summary on one metric.\n\n"
    "Please make sure you read and understand these instructions carefully. Please keep "
    "this document open while reviewing, and refer to it as needed.\n\n"
)
#: G-Eval's SummEval "consistency" prompt (Liu et al. 2023, prompts/summeval/con_detailed.txt).
FAITHFULNESS_PROMPT = _TASK + (
    "Evaluation Criteria:\n\n"
    "Consistency (1-5) - the factual alignment between the summary and the summarized "
    "source. A factually consistent summary contains only statements that are entailed by "
    "the source document. Annotators were also asked to penalize summaries that contained "
    "hallucinated facts.\n\n"
    "Evaluation Steps:\n\n"
    "1. Read the news article carefully and identify the main facts and details it presents.\n"
    "2. Read the summary and compare it to the article. Check if the summary contains any "
    "factual errors that are not supported by the article.\n"
    "3. Assign a score for consistency based on the Evaluation Criteria.\n\n\n"
    "Example:\n\n\nSource Text:\n\n{article}\n\nSummary:\n\n{summary}\n\n\n"
    "Evaluation Form (scores ONLY):\n\n- Consistency:"
)
#: G-Eval's SummEval "relevance" prompt, with the headline and lede as the reference of
#: what matters (the harness's coverage; G-Eval judges importance from the article alone).
COVERAGE_PROMPT = _TASK + (
    "Evaluation Criteria:\n\n"
    "Coverage (1-5) - does the summary carry the important content of the article? The "
    "article's own headline and lede, written by the newsroom, say what matters most. The "
    "summary should include it and should not spend its words on minor details.\n\n"
    "Evaluation Steps:\n\n"
    "1. Read the headline, the lede and the article carefully.\n"
    "2. Read the summary and check which of the points of the headline and the lede it "
    "carries, and whether it adds unimportant details.\n"
    "3. Assign a score for coverage from 1 to 5 based on the Evaluation Criteria.\n\n\n"
    "Example:\n\n\nHeadline: {headline}\n\nLede: {lede}\n\nSource Text:\n\n{article}\n\n"
    "Summary:\n\n{summary}\n\n\n"
    "Evaluation Form (scores ONLY):\n\n- Coverage:"
)
PROMPTS = {"faithfulness": FAITHFULNESS_PROMPT, "coverage": COVERAGE_PROMPT}
SCORES = ("1", "2", "3", "4", "5")
# A 1-5 not inside a longer number or a decimal ("10", "4.5" stay unparsed).
_SCORE_RE = re.compile(r"(?<![\d.])([1-5])(?![\d]|\.\d)")


def expected_score(top_logprobs: dict[str, float] | None) -> float | None:
    """``sum_i p(i) * i / sum_i p(i)`` over the first-token choices that read as 1-5.

    Tokens are compared without surrounding spaces; probabilities of tokens that
    read the same (``"4"`` and ``" 4"``) are added. None when no choice is a score.
    """
    mass = dict.fromkeys(SCORES, 0.0)
    for token, logprob in (top_logprobs or {}).items():
        key = token.strip()
        if key in mass:
            mass[key] += math.exp(logprob)
    total = sum(mass.values())
    if total <= 0:
        return None
    return sum(int(k) * p for k, p in mass.items()) / total


def parse_score(text: str) -> float | None:
    """The first standalone 1-5 in a reply, or None."""
    match = _SCORE_RE.search(text)
    return float(match.group(1)) if match else None


class JudgmentCache:
    """Raw judgments (reply text and first-token log-probabilities) on disk, one file per key."""

    def __init__(self, directory: str | Path) -> None:
        self.root = Path(directory).expanduser() / "judgments"

    def path(self, key: str) -> Path:
        """Where the entry of ``key`` lives."""
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> tuple[str, dict[str, float] | None] | None:
        """The cached judgment of ``key``, or None (an unreadable entry is a miss)."""
        try:
            entry = json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if entry.get("format") != FORMAT_VERSION:
            return None
        return entry["text"], entry["top_logprobs"]

    def put(self, key: str, text: str, top: dict[str, float] | None) -> None:
        """Store a judgment."""
        entry = {"format": FORMAT_VERSION, "text": text, "top_logprobs": top}
        write_atomic(self.path(key), json.dumps(entry, ensure_ascii=False, sort_keys=True))


class LLMJudge(Metric):
    """G-Eval-style faithfulness and coverage ratings (1-5) from an LLM backend.

    Args:
        backend: The judge model: a built backend object with ``judge()`` and
            ``identity()`` (Hydra builds it from the nested ``_target_``).
        max_tokens: Most tokens of a reply (the score needs one; a few more let
            the parser read replies like "Score: 4").
        top_logprobs: First-token alternatives asked for (OpenAI allows up to 20).
        max_article_chars: Articles are cut to this many characters, at a word
            boundary, to fit the judge's context; None sends them whole.
        cache: Keep judgments on disk and reuse them.
        cache_dir: Where; None means ``$HARNESS_CACHE_DIR`` (``~/.cache/harness``).

    """

    KEYS = (
        KeySpec("judge_faithfulness", 1.0, 5.0, True,
                "LLM judge, G-Eval consistency 1-5 (probability-weighted when logprobs exist)"),
        KeySpec("judge_coverage", 1.0, 5.0, True,
                "LLM judge, G-Eval relevance 1-5 against the headline and lede"),
    )

    def __init__(self, backend: Any, max_tokens: int = 8, top_logprobs: int = 20,
                 max_article_chars: int | None = 6000, cache: bool = True,
                 cache_dir: str | None = None) -> None:
        if not callable(getattr(backend, "judge", None)):
            raise ValueError(f"judge backend {type(backend).__name__} has no judge() method")
        self.backend = backend
        self.max_tokens = int(max_tokens)
        self.top_logprobs = int(top_logprobs)
        self.max_article_chars = max_article_chars
        self.cache = JudgmentCache(cache_dir or default_cache_dir()) if cache else None
        self._identity: dict[str, Any] | None = None

    def prompt(self, aspect: str, summary: str, article: Article) -> str:
        """The filled G-Eval prompt of ``aspect`` for one pair."""
        body = article.body
        if self.max_article_chars and len(body) > self.max_article_chars:
            body = body[: self.max_article_chars].rsplit(None, 1)[0]
        fields = {"{article}": body, "{summary}": summary.strip(),
                  "{headline}": article.headline, "{lede}": article.lede}
        return re.sub(r"\{(article|summary|headline|lede)\}",
                      lambda m: fields[m.group(0)], PROMPTS[aspect])

    def judgment(self, prompt: str) -> tuple[str, dict[str, float] | None]:
        """The backend's reply and first-token log-probabilities, through the cache."""
        if self._identity is None:
            self._identity = {"judge_version": JUDGE_VERSION, "backend": self.backend.identity(),
                              "max_tokens": self.max_tokens, "top_logprobs": self.top_logprobs}
        key = cache_key(self._identity, prompt)
        found = self.cache.get(key) if self.cache else None
        if found is not None:
            return found
        messages = [{"role": "user", "content": prompt}]
        text, top = self.backend.judge(messages, self.max_tokens, self.top_logprobs,
                                       candidates=SCORES)
        if self.cache:
            self.cache.put(key, text, top)
        return text, top

    def rate(self, aspect: str, summary: str, article: Article) -> float:
        """The 1-5 rating of one aspect.

        Raises:
            ValueError: when the reply has no 1-5 and no log-probabilities of one.

        """
        text, top = self.judgment(self.prompt(aspect, summary, article))
        score = expected_score(top)
        if score is None:
            score = parse_score(text)
        if score is None:
            raise ValueError(f"unparseable {aspect} judgment: {text[:120]!r}")
        return score

    def score(self, summary: str, article: Article) -> dict[str, float]:
        """Both ratings of one summary."""
        return {"judge_faithfulness": self.rate("faithfulness", summary, article),
                "judge_coverage": self.rate("coverage", summary, article)}

    def score_batch(self, pairs: Sequence[tuple[str, Article]]) -> list[dict[str, float]]:
        """Score pairs (:meth:`score_each`); raises the first pair's error."""
        values = self.score_each(pairs)
        for value in values:
            if isinstance(value, Exception):
                raise value
        return values  # type: ignore[return-value]  # no exceptions left

    def score_each(self, pairs: Sequence[tuple[str, Article]]
                   ) -> list[dict[str, float] | Exception]:
        """Per pair its ratings or its error, each pair judged once.

        Up to the backend's ``max_concurrency`` pairs at once (1 in process).
        """
        def one(pair: tuple[str, Article]) -> dict[str, float] | Exception:
            try:
                return self.score(*pair)
            except Exception as exc:  # noqa: BLE001 - that pair's outcome
                return exc

        workers = int(getattr(self.backend, "max_concurrency", 1))
        if workers <= 1:
            return [one(pair) for pair in pairs]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(one, pairs))
