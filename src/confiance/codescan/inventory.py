"""The route inventory: every request handler found, with what authenticates it and the
dangerous operations it reaches. It is what a reviewer signs off for access control; the
checklist shows it and ``--json`` carries it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RouteEntry"]


@dataclass(frozen=True, slots=True)
class RouteEntry:
    """One handler. ``auth`` is the evidence of authentication ("" when none was found);
    ``operations`` the dangerous things it does (run commands, write to the store...)."""

    file: str
    line: int
    framework: str
    methods: tuple[str, ...]
    path: str
    handler: str
    auth: str
    operations: tuple[str, ...]

    @property
    def unprotected_danger(self) -> bool:
        return bool(self.operations) and not self.auth

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "framework": self.framework,
            "methods": list(self.methods),
            "path": self.path,
            "handler": self.handler,
            "auth": self.auth or None,
            "operations": list(self.operations),
        }
