"""Signing in and out, sessions, CSRF: through the real aiohttp mount."""

from __future__ import annotations

from datetime import timedelta
from http.cookies import SimpleCookie

import httpx
import pytest

from confiance.domain.keys import Role
from confiance.web import create_web
from confiance.web.sessions import COOKIE_NAME, Session, SessionCodec

from .conftest import SECRET_KEY, WebUI, csrf_of


def _set_cookie(response: httpx.Response) -> SimpleCookie:
    header = response.headers.get("set-cookie")
    assert header, "the response sets no cookie"
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(header)
    return cookie


async def test_pages_need_a_session(ui: WebUI) -> None:
    client = ui.client()
    for path in ("/", "/traces", "/traces/tr_1", "/evals", "/evals/compare", "/audit", "/keys"):
        response = await client.get(path, params={"x": "1"})
        assert response.status_code == 303, path
        location = httpx.URL(response.headers["location"])
        assert location.path == "/ui/login"
        assert location.params["next"] == f"{path}?x=1"


async def test_sign_in_sets_a_safe_cookie_and_goes_where_asked(ui: WebUI) -> None:
    client = ui.client()
    page = await client.get("/login", params={"next": "/traces?status=error"})
    response = await client.post(
        "/login",
        data={
            "key": ui.secrets["admin"],
            "csrf_token": csrf_of(page.text),
            "next": "/traces?status=error",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/traces?status=error"
    morsel = _set_cookie(response)[COOKIE_NAME]
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert morsel["path"] == "/ui"
    assert morsel["max-age"] == str(8 * 3600)
    assert not morsel["secure"]  # plain http here; https requests get Secure (tested below)
    assert ui.secrets["admin"] not in response.headers["set-cookie"]
    home = await client.get("/")
    assert home.status_code == 200
    assert "Signed in as admin-person (admin)." in home.text


async def test_the_csrf_token_changes_at_sign_in(ui: WebUI) -> None:
    client = ui.client()
    before = csrf_of((await client.get("/login")).text)
    await client.post("/login", data={"key": ui.secrets["admin"], "csrf_token": before})
    after = csrf_of((await client.get("/audit")).text)
    assert after != before
    stale = await client.post("/audit/verify", data={"csrf_token": before})
    assert stale.status_code == 403


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "traces", "/a\nb"],
)
async def test_sign_in_never_redirects_off_site(ui: WebUI, target: str) -> None:
    client = ui.client()
    token = csrf_of((await client.get("/login")).text)
    response = await client.post(
        "/login", data={"key": ui.secrets["reviewer"], "csrf_token": token, "next": target}
    )
    assert response.headers["location"] == "/ui/"


async def test_app_keys_are_refused_with_a_reason(ui: WebUI) -> None:
    client = ui.client()
    response = await ui.sign_in(client, "app")
    assert response.status_code == 403
    assert "this is an app key" in response.text.lower()
    assert "role &#39;admin&#39; or &#39;reviewer&#39;" in response.text
    assert ui.secrets["app"] not in response.text
    assert (await client.get("/")).status_code == 303


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("not-a-key", "not a Confiance API key"),
        ("cf-00000000-" + "A" * 43, "unknown API key"),
    ],
)
async def test_bad_keys_are_refused(ui: WebUI, secret: str, message: str) -> None:
    client = ui.client()
    response = await ui.sign_in(client, secret)
    assert response.status_code == 401
    assert message.lower() in response.text.lower()
    assert (await client.get("/")).status_code == 303


async def test_revoked_and_expired_keys_cannot_sign_in(ui: WebUI) -> None:
    await ui.services.keys.revoke(ui.secrets["reviewer"][:11], author="test")
    response = await ui.sign_in(ui.client(), "reviewer")
    assert response.status_code == 401
    assert "was revoked" in response.text
    soon = await ui.services.keys.create(
        "temp", Role.ADMIN, expires_at=ui.clock.now + timedelta(minutes=5)
    )
    ui.clock.advance(timedelta(minutes=6))
    response = await ui.sign_in(ui.client(), soon.secret)
    assert response.status_code == 401
    assert "has expired" in response.text


async def test_sign_out_needs_the_csrf_token_and_ends_the_session(ui: WebUI) -> None:
    client = await ui.signed_in()
    assert (await client.post("/logout", data={})).status_code == 403
    assert (await client.post("/logout", data={"csrf_token": "0" * 64})).status_code == 403
    assert (await client.get("/")).status_code == 200
    response = await ui.post_form(client, "/", "/logout", {})
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/login"
    login = await client.get("/login")
    assert "You are signed out." in login.text
    assert (await client.get("/")).status_code == 303


async def test_sessions_expire_after_eight_hours(ui: WebUI) -> None:
    client = await ui.signed_in()
    for _ in range(23):  # in use every 20 minutes: never idle
        ui.clock.advance(timedelta(minutes=20))
        assert (await client.get("/traces")).status_code == 200
    ui.clock.advance(timedelta(minutes=19))
    assert (await client.get("/traces")).status_code == 200  # 7 h 59 min after sign-in
    ui.clock.advance(timedelta(minutes=2))
    response = await client.get("/traces")
    assert response.status_code == 303
    login = await client.get(response.headers["location"])
    assert "Your session expired after 8 hours" in login.text


async def test_revoking_the_key_signs_its_sessions_out(ui: WebUI) -> None:
    client = await ui.signed_in("reviewer")
    assert (await client.get("/traces")).status_code == 200
    await ui.services.keys.revoke(ui.secrets["reviewer"][:11], author="test")
    response = await client.get("/traces")
    assert response.status_code == 303
    login = await client.get("/login")
    assert "You were signed out" in login.text
    assert (await client.get("/traces")).status_code == 303


async def test_a_forged_or_edited_cookie_is_no_session(ui: WebUI) -> None:
    session = Session.new(ui.clock.now)
    session.key_id = (await ui.services.keys.resolve(ui.secrets["admin"])).id
    client = ui.client()

    def send(value: str) -> None:
        client.cookies.set(COOKIE_NAME, value, domain="127.0.0.1", path="/ui")

    send(SessionCodec("another-secret-of-enough-length-0123456789").dumps(session))
    assert (await client.get("/")).status_code == 303
    genuine = SessionCodec(SECRET_KEY).dumps(session)
    send(genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB"))
    assert (await client.get("/")).status_code == 303
    # Even a correctly signed cookie is no session without the record that sign-in writes.
    send(genuine)
    assert (await client.get("/")).status_code == 303


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/login", {"key": "whatever"}),
        ("/logout", {}),
        ("/audit/verify", {}),
        ("/keys", {"name": "x", "role": "app"}),
    ],
)
async def test_posts_without_a_valid_csrf_token_are_refused(
    ui: WebUI, path: str, data: dict[str, str]
) -> None:
    client = await ui.signed_in()
    for token in (None, "", "0" * 64):
        form = data if token is None else {**data, "csrf_token": token}
        response = await client.post(path, data=form)
        assert response.status_code == 403, (path, token)
        assert "security token" in response.text
    assert len(await ui.services.keys.list()) == 3  # no key was created


async def test_a_token_from_another_session_is_refused(ui: WebUI) -> None:
    mine = await ui.signed_in()
    theirs = await ui.signed_in()
    token = csrf_of((await theirs.get("/audit")).text)
    assert (await mine.post("/audit/verify", data={"csrf_token": token})).status_code == 403


async def test_https_requests_get_secure_cookies(ui: WebUI) -> None:
    app = create_web(ui.services, secret_key=SECRET_KEY)
    transport = httpx.ASGITransport(app=app, root_path="/ui")
    async with httpx.AsyncClient(transport=transport, base_url="https://ui.example") as client:
        response = await client.get("/ui/login")
    assert _set_cookie(response)[COOKIE_NAME]["secure"] is True
