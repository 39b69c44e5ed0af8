"""The registry of assertion kinds. Built-in kinds enter it exactly as plugins do.

A kind is a subclass of :class:`~confiance.evals.assertions.base.AssertionParams` with a
``KIND`` class variable and an ``async def check(observation, context)`` method: the validated
parameters *are* the assertion. Plugins publish such classes under the entry-point group
``confiance.evals.assertions`` (an entry point may name one class or a sequence of them)::

    [project.entry-points."confiance.evals.assertions"]
    house_style = "mypkg.evals:HouseStyle"
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from importlib.metadata import entry_points
from typing import Any, ClassVar, cast

from confiance.errors import ConfigError
from confiance.evals.assertions.base import Assertion, AssertionParams
from confiance.evals.assertions.builtin import BUILTIN_KINDS

__all__ = ["ENTRY_POINT_GROUP", "AssertionRegistry", "UnknownAssertionKind"]

ENTRY_POINT_GROUP = "confiance.evals.assertions"


class UnknownAssertionKind(ValueError):
    """``kind`` names no registered assertion; the message lists the close and known names."""


class AssertionRegistry:
    """Kind name → parameters class. :meth:`build` validates a spec and returns the assertion."""

    _builtin: ClassVar[AssertionRegistry | None] = None

    def __init__(self) -> None:
        self._kinds: dict[str, type[AssertionParams]] = {}

    def register(self, kind: type[AssertionParams]) -> type[AssertionParams]:
        """Add ``kind`` (usable as a class decorator). Raises ``ConfigError`` when the class
        has no ``KIND``, no ``check`` method, or a name already taken."""
        name = getattr(kind, "KIND", None)
        if not isinstance(name, str) or not name:
            raise ConfigError(f"assertion class {kind.__qualname__} has no KIND name")
        if not callable(getattr(kind, "check", None)):
            raise ConfigError(f"assertion kind {name!r} ({kind.__qualname__}) has no check()")
        existing = self._kinds.get(name)
        if existing is not None and existing is not kind:
            raise ConfigError(
                f"assertion kind {name!r} is registered twice ({existing.__module__} and "
                f"{kind.__module__}); rename one of them"
            )
        self._kinds[name] = kind
        return kind

    def register_all(self, kinds: Iterable[type[AssertionParams]]) -> None:
        for kind in kinds:
            self.register(kind)

    def names(self) -> list[str]:
        return sorted(self._kinds)

    def get(self, name: str) -> type[AssertionParams]:
        kind = self._kinds.get(name)
        if kind is None:
            close = difflib.get_close_matches(name, self._kinds, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise UnknownAssertionKind(
                f"unknown assertion kind {name!r} ({hint}known kinds: {', '.join(self.names())})"
            )
        return kind

    def build(self, spec: Mapping[str, Any]) -> Assertion:
        """The assertion ``spec`` describes. Raises :class:`UnknownAssertionKind` or pydantic's
        ``ValidationError`` (locations relative to ``spec``)."""
        kind = self.get(str(spec.get("kind", "")))
        # register() checked that the class defines check(), which makes it an Assertion.
        return cast(Assertion, kind.model_validate(dict(spec)))

    def load_plugins(self) -> list[str]:
        """Register every class published under :data:`ENTRY_POINT_GROUP`; returns the names
        of the entry points loaded. A broken plugin is a ``ConfigError`` naming it."""
        loaded: list[str] = []
        for point in entry_points(group=ENTRY_POINT_GROUP):
            try:
                published = point.load()
            except Exception as error:
                raise ConfigError(
                    f"assertion plugin {point.name!r} ({point.value}) failed to load: {error}"
                ) from error
            classes = published if isinstance(published, list | tuple) else [published]
            for kind in classes:
                if not (isinstance(kind, type) and issubclass(kind, AssertionParams)):
                    raise ConfigError(
                        f"assertion plugin {point.name!r} ({point.value}) must publish "
                        "AssertionParams subclasses"
                    )
                self.register(kind)
            loaded.append(point.name)
        return loaded

    @classmethod
    def default(cls, *, plugins: bool = True) -> AssertionRegistry:
        """A registry with every built-in kind and, with ``plugins``, the installed plugins."""
        registry = cls()
        registry.register_all(BUILTIN_KINDS)
        if plugins:
            registry.load_plugins()
        return registry
