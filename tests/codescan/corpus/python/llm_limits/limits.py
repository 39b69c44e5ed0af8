"""Timeouts, retries, token limits and unbounded loops around LLM calls."""
import litellm
import requests
from anthropic import Anthropic
from langchain_openai import ChatOpenAI
from openai import OpenAI

client = OpenAI()
timed = OpenAI(timeout=20, max_retries=3)
fragile = OpenAI(timeout=20, max_retries=0)  # expect: CF-LLM-NO-RETRY
claude = Anthropic(timeout=20.0)


def no_timeout(text):
    return client.chat.completions.create(  # expect: CF-LLM-NO-TIMEOUT
        model="gpt-4o", messages=[{"role": "user", "content": text}], max_tokens=200
    )


def call_timeout(text):
    return client.chat.completions.create(  # ok: CF-LLM-NO-TIMEOUT
        model="gpt-4o", messages=[{"role": "user", "content": text}], max_tokens=200, timeout=15
    )


def with_options(text):
    return client.with_options(timeout=10).chat.completions.create(  # ok: CF-LLM-NO-TIMEOUT
        model="gpt-4o", messages=[{"role": "user", "content": text}], max_tokens=200
    )


def client_timeout(text):
    return timed.chat.completions.create(  # ok: CF-LLM-NO-TIMEOUT, CF-LLM-NO-MAX-TOKENS
        model="gpt-4o", messages=[{"role": "user", "content": text}], max_completion_tokens=200
    )


def no_limit(text):
    return timed.chat.completions.create(  # expect: CF-LLM-NO-MAX-TOKENS
        model="gpt-4o", messages=[{"role": "user", "content": text}]
    )


def responses_no_limit(text):
    return timed.responses.create(model="gpt-4o", input=text)  # expect: CF-LLM-NO-MAX-TOKENS


def claude_no_limit(text):
    return claude.messages.create(model="claude-sonnet-4-5", messages=[{"role": "user", "content": text}])  # expect: CF-LLM-NO-MAX-TOKENS


def litellm_call(text):
    return litellm.completion(model="gpt-4o", messages=[{"role": "user", "content": text}], max_tokens=50)  # expect: CF-LLM-NO-TIMEOUT


def litellm_all(text):
    return litellm.completion(  # expect: CF-LLM-NO-MAX-TOKENS
        model="gpt-4o", messages=[{"role": "user", "content": text}], timeout=10, num_retries=0  # expect: CF-LLM-NO-RETRY
    )


def passthrough(text, **kwargs):
    return timed.chat.completions.create(model="gpt-4o", messages=text, **kwargs)  # ok: CF-LLM-NO-MAX-TOKENS


def unknown_client(some_client, text):
    return some_client.chat.completions.create(model="gpt-4o", messages=text, max_tokens=5)  # ok: CF-LLM-NO-TIMEOUT


lc = ChatOpenAI(model="gpt-4o")  # expect: CF-LLM-NO-TIMEOUT
lc_timed = ChatOpenAI(model="gpt-4o", timeout=30, max_retries=0)  # expect: CF-LLM-NO-RETRY
lc_ok = ChatOpenAI(model="gpt-4o", request_timeout=30, max_retries=2)  # ok: CF-LLM-NO-TIMEOUT, CF-LLM-NO-RETRY


def raw(text, key):
    requests.post("https://api.openai.com/v1/chat/completions", json={"max_tokens": 5}, headers={"Authorization": key})  # expect: CF-LLM-NO-TIMEOUT, CF-PY-REQUEST-NO-TIMEOUT
    requests.post("https://api.openai.com/v1/chat/completions", json={}, timeout=30)  # ok: CF-LLM-NO-TIMEOUT


def agent_loop(goal):
    history = [goal]
    while True:  # expect: CF-LLM-UNBOUNDED-LOOP
        reply = timed.chat.completions.create(model="gpt-4o", messages=history, max_tokens=100)
        history.append(reply.choices[0].message.content)


def agent_with_exit(goal):
    history = [goal]
    while True:  # ok: CF-LLM-UNBOUNDED-LOOP
        reply = timed.chat.completions.create(model="gpt-4o", messages=history, max_tokens=100)
        if "DONE" in reply.choices[0].message.content:
            break


def agent_bounded(goal):
    for _step in range(10):  # ok: CF-LLM-UNBOUNDED-LOOP
        timed.chat.completions.create(model="gpt-4o", messages=[goal], max_tokens=100)


def retry_forever(goal):
    while True:  # expect: CF-LLM-UNBOUNDED-LOOP
        try:
            return_value = timed.chat.completions.create(model="gpt-4o", messages=[goal], max_tokens=10)
            print(return_value)
        except Exception:
            continue


def refine(draft):
    better = timed.chat.completions.create(model="gpt-4o", messages=[draft], max_tokens=100)
    return refine(better.choices[0].message.content)  # expect: CF-LLM-UNBOUNDED-LOOP


def refine_bounded(draft, depth=0):
    if depth >= 3:
        return draft
    better = timed.chat.completions.create(model="gpt-4o", messages=[draft], max_tokens=100)
    return refine_bounded(better.choices[0].message.content, depth + 1)  # ok: CF-LLM-UNBOUNDED-LOOP


class Agent:
    def step(self, state):
        result = timed.chat.completions.create(model="gpt-4o", messages=[state], max_tokens=100)
        return self.step(result.choices[0].message.content)  # expect: CF-LLM-UNBOUNDED-LOOP


def poll_forever():
    while True:  # ok: CF-LLM-UNBOUNDED-LOOP
        print("no model here")


with_retries = Anthropic(timeout=20, max_retries=5)  # ok: CF-LLM-NO-RETRY
retries_from_config = OpenAI(timeout=20, max_retries=int("3"))  # ok: CF-LLM-NO-RETRY
no_retry_call = timed.with_options(max_retries=0)  # expect: CF-LLM-NO-RETRY


def gemini_limits(model, text):
    model.generate_content(text, generation_config={"max_output_tokens": 200}, request_options={"timeout": 30})  # ok: CF-LLM-NO-MAX-TOKENS
    model.generate_content(text, generation_config=GENERATION, request_options={"timeout": 30})  # ok: CF-LLM-NO-MAX-TOKENS


GENERATION = {"max_output_tokens": 100}
