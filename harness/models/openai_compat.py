"""Summarizer for any OpenAI-compatible endpoint (vLLM, TGI, llama.cpp's server, Ollama, APIs).

Talks ``/v1/chat/completions`` (``endpoint: chat``, the server applies the
model's chat template) or ``/v1/completions`` (``endpoint: completions``, the
prompt is sent as written) through the official ``openai`` client with
``base_url``. The article is shown in the same turns as in the in-process
backends (:func:`harness.models.prompts.chat_messages`).

- **Key**: ``api_key_env`` names an environment variable holding the key; the key
  itself is never a setting, so it never reaches ``config.yaml`` or ``run.json``.
- **Retries**: the client's own: on connection errors, timeouts, 408, 409, 429
  and 5xx it retries up to ``max_retries`` times with exponential back-off and
  jitter (0.5 s doubling up to 8 s, or the server's ``Retry-After``).
- **Errors**: an article that still fails (or whose reply is malformed) is an
  error of that article only; the others keep their summaries.
- **Dead endpoint**: the constructor asks ``GET /models`` once; no answer (or a
  refused key) fails the run at once, before any article (``harness run`` exits 2).
- **Concurrency**: at most ``max_concurrency`` requests in flight.
- **Cache**: the identity holds the endpoint, model, prompt and every setting that
  changes a reply (not the key, concurrency, timeout or retries).
- **Usage**: the server's count of generated tokens is each article's
  ``Generation.tokens`` (``summaries.jsonl``); ``usage`` keeps prompt and
  completion tokens per article id.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from harness.models import prompts
from harness.models.base import Generation, Summarizer
from harness.types import Article

logger = logging.getLogger("harness.models")

#: Bump when a change here changes replies for the same settings (cache entries miss).
OUTPUT_VERSION = 1
#: Seconds the start-up check waits for ``GET /models``.
CHECK_TIMEOUT_S = 10.0


class EndpointError(ValueError):
    """The endpoint does not answer or refuses the key; the message says what to fix."""


class ArticleFailures(RuntimeError):
    """Some articles of a ``summarize`` call failed (``summarize_each`` tells which)."""


class OpenAISummarizer(Summarizer):
    """Summaries from an OpenAI-compatible server.

    Args:
        name: Display name of the model in results.
        base_url: The API root, e.g. ``http://127.0.0.1:8000/v1``.
        model: Model name as the server knows it.
        api_key_env: Name of the environment variable holding the key; None for
            servers that take none.
        endpoint: ``chat`` (``/chat/completions``) or ``completions``.
        prompt: The user turn (or the whole prompt for ``completions``); must
            contain ``{article}``.
        system_prompt: A system turn before the user turn (``chat`` only).
        max_tokens: Most generated tokens per summary.
        temperature: 0 for greedy decoding.
        seed: Sent with every request (servers that support it sample reproducibly).
        stop: Stop strings.
        max_input_chars: Cut longer bodies to this many characters, at a word
            boundary, with a warning; None sends them whole (the server decides).
        max_concurrency: Most requests in flight at once.
        timeout: Seconds per request before it counts as timed out (and is retried).
        max_retries: Retries per request on connection errors, timeouts, 429 and 5xx.
        extra_body: Further request fields for the server (``top_k``, ``repetition_penalty``, …);
            part of the cache identity.
        check_endpoint: Ask ``GET /models`` when built, to fail early on a dead endpoint.

    """

    cacheable = True

    def __init__(
        self,
        name: str,
        base_url: str,
        model: str,
        api_key_env: str | None = None,
        endpoint: str = "chat",
        prompt: str = "{article}",
        system_prompt: str | None = None,
        max_tokens: int = 128,
        temperature: float = 0.0,
        seed: int | None = 0,
        stop: Sequence[str] = (),
        max_input_chars: int | None = None,
        max_concurrency: int = 4,
        timeout: float = 120.0,
        max_retries: int = 4,
        extra_body: Mapping[str, Any] | None = None,
        check_endpoint: bool = True,
    ) -> None:
        super().__init__(name)
        if endpoint not in ("chat", "completions"):
            raise ValueError(f"model {name!r}: endpoint must be 'chat' or 'completions'")
        if endpoint == "completions" and system_prompt is not None:
            raise ValueError(f"model {name!r}: system_prompt needs endpoint 'chat'")
        if max_concurrency < 1:
            raise ValueError(f"model {name!r}: max_concurrency must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key_env = api_key_env
        self.endpoint = endpoint
        self.prompt = prompts.check_prompt(name, prompt)
        self.system_prompt = system_prompt
        self.max_tokens = int(max_tokens)
        self.temperature = float(temperature)
        self.seed = seed
        self.stop = [str(s) for s in stop]
        self.max_input_chars = max_input_chars
        self.max_concurrency = int(max_concurrency)
        self.extra_body = dict(extra_body or {})
        self.client = self._client(float(timeout), int(max_retries))
        #: ``{"prompt_tokens", "completion_tokens"}`` per article id, as the server counted.
        self.usage: dict[str, dict[str, int]] = {}
        if check_endpoint:
            self.check()

    def _client(self, timeout: float, max_retries: int) -> Any:
        from openai import OpenAI

        key = "not-needed"  # local servers ignore it; the client refuses an empty one
        if self.api_key_env:
            key = os.environ.get(self.api_key_env, "")
            if not key:
                raise EndpointError(f"model {self.name!r}: environment variable "
                                    f"{self.api_key_env} (api_key_env) is not set")
        return OpenAI(base_url=self.base_url, api_key=key, timeout=timeout,
                      max_retries=max_retries)

    def check(self) -> None:
        """Fail unless the endpoint answers ``GET /models`` and takes the key.

        Raises:
            EndpointError: naming the endpoint and the cause.

        """
        import openai

        try:
            self.client.with_options(timeout=CHECK_TIMEOUT_S, max_retries=1).models.list()
        except (openai.APIConnectionError, openai.APITimeoutError) as err:
            root: BaseException = err
            while root.__cause__ is not None:
                root = root.__cause__
            # Not chained: the run reports the innermost cause, and this message is the useful one.
            raise EndpointError(
                f"model {self.name!r}: endpoint {self.base_url} does not answer "
                f"({type(err).__name__}: {root}); start the server or fix base_url"
            ) from None
        except (openai.AuthenticationError, openai.PermissionDeniedError) as err:
            where = f"${self.api_key_env}" if self.api_key_env else "no key (api_key_env unset)"
            raise EndpointError(
                f"model {self.name!r}: endpoint {self.base_url} refused the key from {where}: "
                f"{err}"
            ) from None
        except openai.APIStatusError as err:  # no /models route: the server is up all the same
            logger.info("endpoint %s has no /models (%s); going on", self.base_url, err)

    def identity(self) -> dict[str, Any]:
        """Endpoint, model, prompt and every setting that changes a reply."""
        return {
            "class": f"{type(self).__module__}.{type(self).__qualname__}",
            "backend": "openai-compatible",
            "output_version": OUTPUT_VERSION,
            "base_url": self.base_url,
            "model": self.model,
            "endpoint": self.endpoint,
            "settings": {
                "prompt": self.prompt,
                "system_prompt": self.system_prompt,
                "max_tokens": self.max_tokens,
                "temperature": self.temperature,
                "seed": self.seed,
                "stop": self.stop,
                "max_input_chars": self.max_input_chars,
                "extra_body": dict(sorted(self.extra_body.items())),
            },
        }

    # ---- requests

    def body(self, article: Article) -> tuple[str, tuple[str, ...]]:
        """The article body, cut to ``max_input_chars`` at a word boundary, and warnings."""
        body = article.body
        if not body.strip():
            raise ValueError(f"article {article.id!r} has an empty body")
        if not self.max_input_chars or len(body) <= self.max_input_chars:
            return body, ()
        cut = body[: self.max_input_chars].rsplit(None, 1)[0]
        message = (f"model {self.name}: article {article.id} truncated to "
                   f"{self.max_input_chars} characters ({len(cut)} of {len(body)} kept)")
        logger.warning(message)
        return cut, (message,)

    def request(self, text: str | list[dict[str, str]], max_tokens: int,
                top_logprobs: int = 0, stop: Sequence[str] = ()) -> Any:
        """One request (retried by the client): ``text`` is the prompt or the chat turns."""
        common: dict[str, Any] = {"model": self.model, "max_tokens": max_tokens,
                                  "temperature": self.temperature}
        if self.seed is not None:
            common["seed"] = self.seed
        if stop:
            common["stop"] = list(stop)
        if self.extra_body:
            common["extra_body"] = self.extra_body
        if self.endpoint == "chat":
            messages = text if isinstance(text, list) else [{"role": "user", "content": text}]
            if top_logprobs:
                common.update(logprobs=True, top_logprobs=top_logprobs)
            return self.client.chat.completions.create(messages=messages, **common)
        if isinstance(text, list):
            raise ValueError("chat turns need endpoint 'chat'")
        if top_logprobs:
            common["logprobs"] = top_logprobs
        return self.client.completions.create(prompt=text, **common)

    def summary(self, article: Article) -> Generation:
        """One article's summary; its tokens are the server's count of generated tokens."""
        start = time.perf_counter()
        body, warnings = self.body(article)
        if self.endpoint == "chat":
            turns: Any = prompts.chat_messages(self.prompt, body, self.system_prompt)
        else:
            turns = prompts.fill(self.prompt, body)
        try:
            response = self.request(turns, self.max_tokens, stop=self.stop)
        except ValueError as err:  # the JSON decoder's or the response model's
            raise ValueError(f"malformed reply from {self.base_url}: "
                             f"{type(err).__name__}: {err}") from err
        text = reply_text(response).strip()
        usage = getattr(response, "usage", None)
        tokens = len(text.split())  # a server that reports no usage: words
        if usage is not None:
            self.usage[article.id] = {"prompt_tokens": int(usage.prompt_tokens or 0),
                                      "completion_tokens": int(usage.completion_tokens or 0)}
            tokens = self.usage[article.id]["completion_tokens"]
        return Generation(text, tokens, time.perf_counter() - start, warnings)

    def summarize_each(self, articles: Sequence[Article]) -> list[Generation | Exception]:
        """Per article, its generation or the error it ended with after its retries.

        Up to ``max_concurrency`` requests at once, one round: each generation's
        seconds are its own request's, retries included.
        """
        with ThreadPoolExecutor(max_workers=self.max_concurrency) as pool:
            futures = [pool.submit(self.summary, a) for a in articles]
        out: list[Generation | Exception] = []
        for future in futures:
            error = future.exception()
            if error is not None and not isinstance(error, Exception):
                raise error  # KeyboardInterrupt and the like end the run
            out.append(error or future.result())
        return out

    def summarize(self, articles: Sequence[Article]) -> list[Generation]:
        """One generation per article (:meth:`summarize_each`, all of them made).

        Raises:
            ArticleFailures: when any article of several failed (the first failure is
                its cause); an article alone raises its own error.

        """
        outcomes = self.summarize_each(articles)
        failed = [(a.id, o) for a, o in zip(articles, outcomes, strict=True)
                  if isinstance(o, Exception)]
        if not failed:
            return outcomes  # type: ignore[return-value]
        if len(articles) == 1:
            raise failed[0][1]
        raise ArticleFailures(f"{len(failed)} of {len(articles)} articles failed: "
                              f"{[i for i, _ in failed]}") from failed[0][1]

    # ---- judging (harness.metrics.llm_judge)

    def judge(self, messages: list[dict[str, str]], max_tokens: int, top_logprobs: int,
              candidates: Sequence[str] = ()) -> tuple[str, dict[str, float] | None]:
        """Reply to ``messages`` and the log-probabilities of its first token's top choices.

        ``candidates`` (texts the caller wants whatever their rank) cannot be asked
        of the protocol; only the ``top_logprobs`` likeliest come back.

        Returns:
            The reply text and ``{token text: log-probability}``, or None when the
            server returns no log-probabilities.

        """
        turns: Any = messages if self.endpoint == "chat" else "\n\n".join(
            m["content"] for m in messages)
        response = self.request(turns, max_tokens, top_logprobs=top_logprobs)
        return reply_text(response), first_token_logprobs(response)


def reply_text(response: Any) -> str:
    """The text of the first choice of a chat or completions response.

    Raises:
        ValueError: when the response has no text (a malformed reply).

    """
    choices = getattr(response, "choices", None)
    if not choices:
        raise ValueError(f"malformed reply: no choices in {str(response)[:200]!r}")
    choice = choices[0]
    message = getattr(choice, "message", None)
    text = getattr(message, "content", None) if message is not None else getattr(
        choice, "text", None)
    if not isinstance(text, str):
        raise ValueError(f"malformed reply: no text in {str(choice)[:200]!r}")
    return text


def first_token_logprobs(response: Any) -> dict[str, float] | None:
    """``{token: log-probability}`` of the first generated position, if the server sent them."""
    try:
        logprobs = response.choices[0].logprobs
    except (AttributeError, IndexError):
        return None
    if logprobs is None:
        return None
    content = getattr(logprobs, "content", None)
    if content:  # chat: a list of positions, each with its top alternatives
        return {t.token: float(t.logprob) for t in content[0].top_logprobs or ()} or None
    top = getattr(logprobs, "top_logprobs", None)
    if top:  # completions: a list of {token: logprob} per position
        return {str(k): float(v) for k, v in dict(top[0]).items()} or None
    return None
