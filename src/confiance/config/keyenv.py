"""Which environment variables a provider's ``api_key_env`` may name.

A config names the variable that holds a provider's key, and the gateway sends that variable's
value to the provider's ``base_url``. Whoever may apply a config (an admin key over the API, a
shell with the store's URL) could otherwise name *any* variable of the gateway's process, such
as ``CONFIANCE_SECRET_KEY`` (the session-signing secret) or ``CONFIANCE_DATABASE_URL`` (its
password), with a ``base_url`` of their own, and receive it as a bearer token.

So names starting with ``CONFIANCE_`` are always refused (they are the gateway's own settings and
secrets), and an operator may narrow the rest to a list of names or shell-style patterns with
``CONFIANCE_KEY_ENV_ALLOW`` (e.g. ``OPENAI_API_KEY,ANTHROPIC_API_KEY,VENDOR_*``). The rule is
checked when a config is validated (API and CLI alike, with the line of the offending value) and
again by the gateway before it reads a variable, so a revision stored earlier cannot slip by.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from confiance.config.problems import Issue
from confiance.config.schema import ConfianceConfig
from confiance.settings import KEY_ENV_ALLOW as ALLOW_ENV
from confiance.settings import Settings

__all__ = ["RESERVED_PREFIX", "KeyEnvPolicy"]

RESERVED_PREFIX = "CONFIANCE_"


@dataclass(frozen=True, slots=True)
class KeyEnvPolicy:
    """``allowed`` empty: any name not starting with ``CONFIANCE_``; otherwise only names
    matching one of its entries (and still never ``CONFIANCE_*``)."""

    allowed: tuple[str, ...] = ()

    @classmethod
    def of(cls, settings: Settings) -> KeyEnvPolicy:
        return cls(settings.key_env_allow)

    def refusal(self, variable: str) -> str | None:
        """Why ``variable`` may not hold a provider key, or ``None`` when it may."""
        if variable.startswith(RESERVED_PREFIX):
            return (
                f"{variable} may not hold a provider key: variables named {RESERVED_PREFIX}* "
                "are the gateway's own settings and secrets"
            )
        if self.allowed and not any(fnmatchcase(variable, p) for p in self.allowed):
            return (
                f"{variable} is not among the variables allowed for provider keys "
                f"({ALLOW_ENV}={','.join(self.allowed)})"
            )
        return None

    def issues(self, config: ConfianceConfig) -> list[Issue]:
        """One issue per provider whose ``api_key_env`` this policy refuses."""
        issues: list[Issue] = []
        for name, provider in config.providers.items():
            variable = provider.api_key_env
            reason = self.refusal(variable) if variable else None
            if reason is not None:
                hint = "name a variable of your own, e.g. OPENAI_API_KEY"
                if self.allowed:
                    hint += f", that {ALLOW_ENV} allows (the operator sets it)"
                issues.append(Issue(("providers", name, "api_key_env"), reason, hint))
        return issues
