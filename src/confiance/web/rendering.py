"""Pages: the Jinja2 environment (autoescaped), its filters, and what every page is given.

Templates live in ``confiance/web/templates``. Every value reaches the HTML through Jinja2's
autoescaping; nothing is marked safe by hand, and charts are drawn by template macros from
numbers (:mod:`confiance.web.charts`), so hostile text in a trace or an eval output is shown,
never run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import jinja2
import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse

from confiance import __version__
from confiance.domain.numbers import format_ms, format_usd
from confiance.web.keylabels import labelled
from confiance.web.sessions import Flash, SessionCodec, session_of
from confiance.web.viewers import Area, Viewer

__all__ = ["NavItem", "Renderer", "url_for"]

_NAV = (
    (Area.OVERVIEW, "Overview", "/"),
    (Area.TRACES, "Traces", "/traces"),
    (Area.EVALS, "Eval runs", "/evals"),
    (Area.AUDIT, "Audit", "/audit"),
    (Area.KEYS, "Keys", "/keys"),
)


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    href: str
    current: bool


def url_for(request: Request, path: str, **query: object) -> str:
    """``path`` inside the UI (``/traces``) as an absolute path under the mount point, with
    the query parameters that are not ``None``."""
    root = request.scope.get("root_path", "").rstrip("/")
    pairs = [(name, str(value)) for name, value in query.items() if value is not None]
    return f"{root}{path}" + (f"?{urlencode(pairs)}" if pairs else "")


def _when(value: datetime | None) -> str:
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M:%S UTC")


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value / 1000:.2f} s" if value >= 10_000 else format_ms(value)


def _pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def _usd(value: float | None) -> str:
    return "—" if value is None else format_usd(value)


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 60:
        return f"{value:.1f} s"
    minutes, seconds = divmod(int(value), 60)
    return (
        f"{minutes} min {seconds:02d} s"
        if minutes < 60
        else f"{minutes // 60} h {minutes % 60:02d} min"
    )


def _number(value: int | float | None) -> str:
    return "—" if value is None else f"{value:,}"


def _pretty_json(value: object) -> str:
    options = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
    return orjson.dumps(value, option=options, default=str).decode("utf-8")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("confiance.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        when=_when,
        ms=_ms,
        pct=_pct,
        usd=_usd,
        seconds=_seconds,
        number=_number,
        pretty_json=_pretty_json,
        keyed=labelled,
    )
    env.globals["version"] = __version__
    return env


class Renderer:
    """Renders templates with what the layout needs: the viewer, navigation, flashes, the
    CSRF token of the session and a ``url`` helper that knows the mount point."""

    def __init__(self, codec: SessionCodec) -> None:
        self._env = _environment()
        self._codec = codec

    def page(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        viewer: Viewer | None = None,
        area: Area | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        session = session_of(request.scope)
        flashes: list[Flash] = session.pop_flashes()
        values = {
            "viewer": viewer,
            "nav": self._nav(request, viewer, area),
            "flashes": flashes,
            "csrf_token": self._codec.csrf_token(session),
            "url": lambda path, **query: url_for(request, path, **query),
            "static": lambda name: url_for(request, f"/static/{name}"),
            **(context or {}),
        }
        html = self._env.get_template(template).render(values)
        return HTMLResponse(html, status_code=status)

    def error_document(self, root_path: str, status: int, title: str, message: str) -> bytes:
        """A whole error page for the layers outside the application (no session there)."""
        values: dict[str, object] = {
            "viewer": None,
            "nav": [],
            "flashes": [],
            "csrf_token": "",
            "url": lambda path, **query: f"{root_path.rstrip('/')}{path}",
            "static": lambda name: f"{root_path.rstrip('/')}/static/{name}",
            "status": status,
            "title": title,
            "message": message,
        }
        return self._env.get_template("error.html").render(values).encode("utf-8")

    @staticmethod
    def _nav(request: Request, viewer: Viewer | None, area: Area | None) -> list[NavItem]:
        if viewer is None:
            return []
        return [
            NavItem(label, url_for(request, path), current=item is area)
            for item, label, path in _NAV
            if viewer.may_see(item)
        ]
