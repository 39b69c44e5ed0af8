"""docs/web.md says what the code does: roles, pages, session settings, headers."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.routing import Route

from confiance.domain.keys import Role
from confiance.web import create_web
from confiance.web.guard import CONTENT_SECURITY_POLICY
from confiance.web.session_records import DEFAULT_LIFETIME as LIFETIME
from confiance.web.sessions import MIN_SECRET_CHARS, SECRET_ENV
from confiance.web.viewers import AREAS_BY_ROLE, Area

from .conftest import SECRET_KEY, WebUI

DOC = Path(__file__).parents[2] / "docs" / "web.md"
_LABELS = {
    "Overview": Area.OVERVIEW,
    "Traces": Area.TRACES,
    "Eval runs (and comparisons)": Area.EVALS,
    "Audit": Area.AUDIT,
    "Keys": Area.KEYS,
}


def test_the_roles_table_matches_the_code() -> None:
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \| ([^|]+?) \|$", DOC.read_text(), re.M)
    table = {page: (admin, reviewer) for page, admin, reviewer in rows if page in _LABELS}
    assert set(table) == set(_LABELS), "every area has a row"
    for page, (admin, reviewer) in table.items():
        area = _LABELS[page]
        assert admin.startswith("yes") == (area in AREAS_BY_ROLE[Role.ADMIN]), page
        assert reviewer.startswith("yes") == (area in AREAS_BY_ROLE[Role.REVIEWER]), page
    assert Role.APP not in AREAS_BY_ROLE


def test_session_settings_and_headers_are_documented() -> None:
    text = " ".join(DOC.read_text().split())
    assert SECRET_ENV in text
    assert f"at least {MIN_SECRET_CHARS} characters" in text
    assert f"{int(LIFETIME.total_seconds() // 3600)} hours" in text
    assert CONTENT_SECURITY_POLICY.split(";")[0] in text
    for header in ("X-Frame-Options: DENY", "X-Content-Type-Options: nosniff", "HttpOnly"):
        assert header in text


def _shape(path: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "{}", path)


async def test_every_documented_page_exists(ui: WebUI) -> None:
    app = create_web(ui.services, secret_key=SECRET_KEY)
    paths = {_shape(route.path) for route in app.routes if isinstance(route, Route)}
    documented = {_shape(p) for p in re.findall(r"\(`/ui(/[a-z/{}_]*)", DOC.read_text())}
    assert len(documented) >= 7, "the doc names the pages' paths"
    assert documented <= paths
    client = await ui.signed_in()
    for path in sorted(p for p in documented if "{}" not in p):
        assert (await client.get(path)).status_code == 200, path
