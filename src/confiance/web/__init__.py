"""The web UI (server-rendered, Starlette + Jinja2), mounted by the gateway under ``/ui``.

Public surface: :func:`create_web`. Pages: overview, traces, eval runs and comparisons, audit
trail, API keys; sign-in with an admin or reviewer API key. See ``docs/web.md``.
"""

from confiance.web.application import DEFAULT_MAX_FORM_BYTES, create_web

__all__ = ["DEFAULT_MAX_FORM_BYTES", "create_web"]
