"""The management REST API (FastAPI), mounted by the gateway under ``/api``.

Public surface: :func:`create_api`.
"""

from confiance.api.application import DEFAULT_MAX_BODY_BYTES, create_api

__all__ = ["DEFAULT_MAX_BODY_BYTES", "create_api"]
