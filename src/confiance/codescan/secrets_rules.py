"""The secret rules (``CF-SECRET-<KIND>``, CWE-798) and the provider key formats behind them.

Formats are those the vendors document or that their issued keys visibly follow; each pattern
names the substrings (``hints``) that must occur in a text before its regex is even tried, which
keeps the scan of large trees fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from confiance.codescan.findings import Confidence, Rule, Severity, rules

__all__ = ["PROVIDER_PATTERNS", "SECRET_RULES", "ProviderPattern"]

_ASVS = "ASVS V2.10.4"
_LLM_LEAK = "LLM02"
_FIX = (
    "Revoke and rotate the credential now (it is in the repository history), then load it at run "
    "time from the environment or a secret manager. Use `confiance scan --history` to find other "
    "commits that contain it."
)


def _rule(
    kind: str,
    name: str,
    severity: Severity,
    description: str,
    *,
    confidence: Confidence = Confidence.HIGH,
    llm: bool = False,
) -> Rule:
    owasp = (_ASVS, _LLM_LEAK) if llm else (_ASVS,)
    return rules.register(
        Rule(
            id=f"CF-SECRET-{kind}",
            name=name,
            family="secrets",
            cwe=798,
            severity=severity,
            confidence=confidence,
            description=description,
            fix=_FIX,
            owasp=owasp,
            languages=("any",),
        )
    )


_C, _H, _M = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM
SECRET_RULES: tuple[Rule, ...] = (
    _rule("OPENAI", "OpenAI API key", _C, "An OpenAI API key is written in a file.", llm=True),
    _rule("ANTHROPIC", "Anthropic API key", _C, "An Anthropic API key is in a file.", llm=True),
    _rule("GOOGLE", "Google API key", _H, "A Google (Gemini, Maps, Firebase) API key.", llm=True),
    _rule("AWS", "AWS secret access key", _C, "An AWS secret access key, usually with its id."),
    _rule("AWS-KEY-ID", "AWS access key id", _M, "An AWS access key id without its secret."),
    _rule("AZURE", "Azure key or connection string", _C, "An Azure storage/Service Bus key, "
          "Azure OpenAI key or Entra ID client secret.", llm=True),
    _rule("GITHUB", "GitHub token", _C, "A GitHub personal, OAuth, app or fine-grained token."),
    _rule("SLACK", "Slack token", _H, "A Slack bot, user, app or refresh token."),
    _rule("SLACK-WEBHOOK", "Slack webhook URL", _M, "An incoming webhook URL lets anyone post."),
    _rule("STRIPE", "Stripe live key", _C, "A Stripe live secret or restricted key."),
    _rule("HUGGINGFACE", "Hugging Face token", _H, "A Hugging Face access token.", llm=True),
    _rule("PRIVATE-KEY", "Private key", _C, "A PEM/OpenSSH private key block with its body."),
    _rule("JWT", "JSON Web Token", _M, "A signed JWT, often a long-lived bearer credential.",
          confidence=Confidence.MEDIUM),
    _rule("DATABASE-URL", "Database URL with password", _H,
          "A database or broker URL that embeds a password."),
    _rule("GENERIC", "High-entropy secret", _H, "A random-looking value assigned to a name such "
          "as api_key, token, secret or password.", confidence=Confidence.MEDIUM),
    _rule("PUBLIC-LLM-KEY", "LLM key in a public env variable", _H, "An LLM vendor key in a "
          "NEXT_PUBLIC_/VITE_/REACT_APP_ variable is bundled into the browser code.", llm=True),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ProviderPattern:
    """A vendor key format. Group ``secret`` of ``regex`` is the credential itself."""

    rule_id: str
    label: str
    regex: re.Pattern[str]
    hints: tuple[str, ...]
    min_entropy: float = 3.0


def _p(
    rule_id: str, label: str, pattern: str, hints: tuple[str, ...], entropy: float = 3.0
) -> ProviderPattern:
    return ProviderPattern(f"CF-SECRET-{rule_id}", label, re.compile(pattern), hints, entropy)


_END = r"(?![A-Za-z0-9_-])"
PROVIDER_PATTERNS: tuple[ProviderPattern, ...] = (
    _p("ANTHROPIC", "Anthropic API key",
       r"(?<![\w-])(?P<secret>sk-ant-[a-z0-9]{2,10}-[A-Za-z0-9_-]{40,})" + _END, ("sk-ant-",)),
    _p("OPENAI", "OpenAI API key",
       r"(?<![\w-])(?P<secret>sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,})" + _END, ("sk-",)),
    _p("OPENAI", "OpenAI API key",
       r"(?<![\w-])(?P<secret>sk-(?!ant-|proj-|svcacct-|admin-)[A-Za-z0-9]{32,})" + _END,
       ("sk-",)),
    _p("GOOGLE", "Google API key", r"(?<![\w-])(?P<secret>AIza[0-9A-Za-z_-]{35})" + _END,
       ("AIza",)),
    _p("GITHUB", "GitHub token",
       r"(?<![\w-])(?P<secret>(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255})" + _END,
       ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    _p("GITHUB", "GitHub fine-grained token",
       r"(?<![\w-])(?P<secret>github_pat_[A-Za-z0-9_]{60,255})" + _END, ("github_pat_",)),
    _p("SLACK", "Slack token",
       r"(?<![\w-])(?P<secret>xox[baprs]-(?:[0-9]{6,}-){1,3}[A-Za-z0-9]{16,})" + _END, ("xox",)),
    _p("SLACK-WEBHOOK", "Slack webhook URL",
       r"(?P<secret>https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/"
       r"[A-Za-z0-9]{20,})", ("hooks.slack.com",)),
    _p("STRIPE", "Stripe live key",
       r"(?<![\w-])(?P<secret>(?:sk|rk)_live_[A-Za-z0-9]{24,})" + _END, ("_live_",)),
    _p("HUGGINGFACE", "Hugging Face token",
       r"(?<![\w-])(?P<secret>hf_[A-Za-z0-9]{30,40})" + _END, ("hf_",)),
    _p("AZURE", "Azure storage account key",
       r"AccountKey=(?P<secret>[A-Za-z0-9+/]{86}==)", ("AccountKey=",)),
    _p("AZURE", "Azure shared access key",
       r"SharedAccessKey=(?P<secret>[A-Za-z0-9+/]{42,43}=?)", ("SharedAccessKey=",)),
    _p("AZURE", "Entra ID client secret",
       r"(?<![\w~.-])(?P<secret>[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?![\w~.-])",
       ("Q~",)),
)  # fmt: skip
