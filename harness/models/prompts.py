"""Prompt rendering and input truncation shared by every generating backend.

The transformers, llama.cpp and OpenAI-compatible summarizers all show the
model the same messages (an optional system turn, then ``prompt`` with the
article body at ``{article}``) and cut a long body the same way: to the longest
prefix, ending on a token boundary, whose rendered prompt fits the input limit.
Only the tokenizer differs, so it is passed in as functions.
"""

from __future__ import annotations

from collections.abc import Callable

ARTICLE_SLOT = "{article}"


def check_prompt(name: str, prompt: str) -> str:
    """Return ``prompt`` if it has the ``{article}`` slot.

    Raises:
        ValueError: naming the model, when the slot is missing.

    """
    if ARTICLE_SLOT not in prompt:
        raise ValueError(f"model {name!r}: prompt must contain '{{article}}', got {prompt!r}")
    return prompt


def fill(prompt: str, body: str) -> str:
    """Put ``body`` into the ``{article}`` slot (other braces are left alone)."""
    return prompt.replace(ARTICLE_SLOT, body)


def chat_messages(prompt: str, body: str, system_prompt: str | None) -> list[dict[str, str]]:
    """The chat turns of one article: optional system turn, then the user turn."""
    messages = [{"role": "user", "content": fill(prompt, body)}]
    if system_prompt is not None:
        messages.insert(0, {"role": "system", "content": system_prompt})
    return messages


def fit_article(
    body: str,
    render: Callable[[str], str],
    count: Callable[[str], int],
    token_ends: Callable[[str], list[int]],
    limit: int,
) -> tuple[str, bool]:
    """Cut ``body`` to the longest prefix whose rendered prompt fits in ``limit`` tokens.

    Args:
        body: The article body.
        render: Body → the full input text.
        count: Input text → its number of tokens.
        token_ends: Body → the character offset where each of its tokens ends.
        limit: The most input tokens.

    Returns:
        The (possibly cut) body and whether it was cut. The cut falls on a token
        boundary of ``body``, so no word is split mid-token.

    Raises:
        ValueError: if even the prompt without any article is over ``limit``.

    """
    total = count(render(body))
    if total <= limit:
        return body, False
    overhead = count(render(""))
    if overhead >= limit:
        raise ValueError(f"the prompt alone takes {overhead} tokens, over the limit of {limit}")
    ends = token_ends(body)
    budget = limit - overhead
    while budget > 0:
        cut = body[: ends[min(budget, len(ends)) - 1]]
        excess = count(render(cut)) - limit
        if excess <= 0:
            return cut, True
        budget -= excess  # tokens can merge across the boundary; shrink and retry
    raise ValueError(f"cannot fit the article into {limit} tokens")
