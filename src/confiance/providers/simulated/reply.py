"""Composing the answer to a :class:`Prompt` under a :class:`Behaviour`, in no vendor's shape.

Content is a function of (base model name, the turns, the request's ``seed``, the choice index)
and of the behaviour, so the same request always gets the same answer.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from enum import StrEnum

import orjson

from confiance.providers.simulated.behaviour import Behaviour
from confiance.providers.simulated.content import (
    REFUSAL,
    count_tokens,
    digest_key,
    filler_words,
    find_injection,
    generated_reply,
    split_tokens,
)
from confiance.providers.simulated.instances import minimal_instance
from confiance.providers.simulated.prompt import Prompt, ToolSpec
from confiance.providers.simulated.weaknesses import security_answer

__all__ = ["Completion", "Finish", "Reply", "ToolCall", "compose"]


class Finish(StrEnum):
    STOP = "stop"
    LENGTH = "length"
    STOP_SEQUENCE = "stop_sequence"
    TOOL = "tool"


@dataclass(frozen=True, slots=True)
class ToolCall:
    """``arguments`` is JSON text (broken on purpose under ``invalid_json``); ``key`` is a
    deterministic hex id that each vendor prefixes in its own way."""

    key: str
    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class Completion:
    index: int
    pieces: tuple[str, ...]
    tool_call: ToolCall | None
    finish: Finish
    stop_sequence: str | None
    tokens: int

    @property
    def text(self) -> str:
        return "".join(self.pieces)


@dataclass(frozen=True, slots=True)
class Reply:
    uid: str
    created: int
    model: str
    prompt: Prompt
    completions: tuple[Completion, ...]
    prompt_tokens: int

    @property
    def completion_tokens(self) -> int:
        return sum(c.tokens for c in self.completions)


def compose(prompt: Prompt, behaviour: Behaviour, base_name: str, *, bad: bool) -> Reply:
    """The whole reply: ``prompt.n`` completions and the usage counts."""
    completions = tuple(
        _completion(prompt, behaviour, base_name, index, bad) for index in range(prompt.n)
    )
    return Reply(
        uid=secrets.token_hex(12),
        created=int(time.time()),
        model=behaviour.answer_model or prompt.model,
        prompt=prompt,
        completions=completions,
        prompt_tokens=prompt_tokens(prompt),
    )


def prompt_tokens(prompt: Prompt) -> int:
    """Tokens of the input: each turn's text plus 4 of framing, 3 for the reply's priming."""
    total = 3 + sum(count_tokens(turn.text) + 4 for turn in prompt.turns)
    if prompt.system:
        total += count_tokens(prompt.system) + 4
    if prompt.tools:
        total += count_tokens(orjson.dumps([t.schema for t in prompt.tools]).decode())
    return total


def _completion(
    prompt: Prompt, behaviour: Behaviour, base_name: str, index: int, bad: bool
) -> Completion:
    key = digest_key(base_name, str(prompt.seed), str(index), prompt.transcript())
    text = _fixed_text(prompt, behaviour)
    if text is None and (behaviour.weaknesses or behaviour.guarded):
        action = security_answer(prompt, behaviour.weaknesses)
        if action is not None and action.tool is not None and prompt.tools:
            return _tool_completion(prompt, behaviour, key, index, bad, action.tool)
        if action is not None:
            return _truncated(index, action.text, prompt)
    if text is None and prompt.wants_tool():
        return _tool_completion(prompt, behaviour, key, index, bad)
    json_wanted = text is None and (prompt.json_mode or prompt.json_schema is not None)
    if text is None:
        text = _fresh_text(prompt, behaviour, key)
    if json_wanted:
        text = _as_json(prompt, text, key)
        if bad or behaviour.invalid_json:
            text = _break_json(text)
    elif bad:
        text = REFUSAL
    return _truncated(index, text, prompt)


def _fixed_text(prompt: Prompt, behaviour: Behaviour) -> str | None:
    """Text chosen regardless of the request's format: fixed, echo, or an obeyed injection."""
    if behaviour.fixed_content is not None:
        return behaviour.fixed_content
    if behaviour.echo:
        return prompt.last_user
    if behaviour.follow_injections:
        return find_injection([turn.text for turn in prompt.turns])
    return None


def _fresh_text(prompt: Prompt, behaviour: Behaviour, key: bytes) -> str:
    text = generated_reply(key, prompt.last_user, behaviour.reply_words)
    if behaviour.leak_system_prompt and prompt.system:
        text = f"{prompt.system}\n\n{text}"
    return text


def _as_json(prompt: Prompt, text: str, key: bytes) -> str:
    if prompt.json_schema is not None:
        value = minimal_instance(prompt.json_schema, word=filler_words(key, 1)[0])
    else:
        value = {"reply": text}
    return orjson.dumps(value).decode()


def _break_json(text: str) -> str:
    # A cut-off document, as a model that ran out of tokens writes; a bare number or literal
    # cannot be cut invalid, so it gets trailing garbage instead.
    return text[:-1] if text[:1] in '{["' else text + "}"


def _truncated(index: int, text: str, prompt: Prompt) -> Completion:
    finish, matched = Finish.STOP, None
    cut = min(((text.find(s), s) for s in prompt.stop if s in text), default=None)
    if cut is not None:
        text, matched, finish = text[: cut[0]], cut[1], Finish.STOP_SEQUENCE
    pieces = split_tokens(text)
    if prompt.max_tokens is not None and len(pieces) > prompt.max_tokens:
        pieces, finish, matched = pieces[: prompt.max_tokens], Finish.LENGTH, None
    return Completion(index, tuple(pieces), None, finish, matched, len(pieces))


def _tool_completion(
    prompt: Prompt,
    behaviour: Behaviour,
    key: bytes,
    index: int,
    bad: bool,
    tool: ToolSpec | None = None,
) -> Completion:
    tool = tool or _chosen_tool(prompt)
    arguments = orjson.dumps(
        minimal_instance(tool.schema, word=filler_words(key, 1)[0]), option=orjson.OPT_SORT_KEYS
    ).decode()
    if bad or behaviour.invalid_json:
        arguments = _break_json(arguments)
    call = ToolCall(key=key[:12].hex(), name=tool.name, arguments=arguments)
    return Completion(index, (), call, Finish.TOOL, None, count_tokens(arguments) + 4)


def _chosen_tool(prompt: Prompt) -> ToolSpec:
    """The forced tool, else the first tool the last user message names, else the first."""
    by_name = {tool.name: tool for tool in prompt.tools}
    if prompt.forced_tool in by_name:
        return by_name[prompt.forced_tool]
    asked = prompt.last_user
    for tool in prompt.tools:
        if tool.name in asked:
            return tool
    return prompt.tools[0]
