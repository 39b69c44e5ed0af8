"""Tool handlers that execute what the model chose."""
import json
import os
import shlex
import subprocess

from langchain_core.tools import tool
from openai import OpenAI

client = OpenAI(timeout=30)


@tool
def run_shell(command: str) -> str:
    """Run a shell command."""
    return subprocess.run(command, shell=True, capture_output=True, text=True).stdout  # expect: CF-LLM-TOOL-EXEC


@tool
def python_eval(expression: str) -> str:
    """Evaluate a Python expression."""
    return str(eval(expression))  # expect: CF-LLM-TOOL-EXEC


def write_file(path: str, content: str) -> str:
    with open(path, "w") as handle:  # expect: CF-LLM-TOOL-EXEC
        handle.write(content)
    return "written"


def delete_file(path: str) -> str:
    os.remove(path)  # expect: CF-LLM-TOOL-EXEC
    return "deleted"


def list_dir(directory: str) -> str:
    return "\n".join(os.listdir(os.path.join("workspace", os.path.basename(directory))))  # ok: CF-LLM-TOOL-EXEC


def count_words(text: str) -> int:
    return len(text.split())  # ok: CF-LLM-TOOL-EXEC


def safe_grep(pattern: str) -> str:
    return subprocess.run(["grep", "-r", pattern, "docs"], capture_output=True, text=True).stdout  # ok: CF-LLM-TOOL-EXEC


def quoted_shell(name: str) -> str:
    return subprocess.run("ls " + shlex.quote(name), shell=True, capture_output=True).stdout  # ok: CF-LLM-TOOL-EXEC


TOOL_FUNCTIONS = {
    "write_file": write_file,
    "delete_file": delete_file,
    "list_dir": list_dir,
    "quoted_shell": quoted_shell,
}


def dispatch(messages):
    response = client.chat.completions.create(
        model="gpt-4o",
        messages=messages,
        tools=[count_words, safe_grep],
        max_tokens=200,
    )
    for call in response.choices[0].message.tool_calls:
        arguments = json.loads(call.function.arguments)
        result = TOOL_FUNCTIONS[call.function.name](**arguments)
        messages.append({"role": "tool", "content": result})
    return messages


def helper_not_a_tool(command: str) -> None:
    os.system("echo " + shlex.quote(command))  # ok: CF-LLM-TOOL-EXEC
