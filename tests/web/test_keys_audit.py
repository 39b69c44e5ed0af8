"""Keys (create with the secret shown once, revoke after confirmation) and the audit trail
(list, filters, paging, chain verification) through the UI."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import text

from confiance.domain.keys import Role, parse_prefix

from .conftest import WebUI, csrf_of

_SECRET = re.compile(r'<code id="secret" class="secret-value">([^<]+)</code>')


async def test_create_key_shows_the_secret_once(ui: WebUI) -> None:
    client = await ui.signed_in()
    response = await ui.post_form(
        client,
        "/keys",
        "/keys",
        {"name": "billing-app", "role": "app", "routes": "support-bot, billing", "expires": ""},
    )
    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    found = _SECRET.search(response.text)
    assert found is not None
    secret = found.group(1)
    key = await ui.services.keys.resolve(secret)
    assert (key.name, key.role, key.routes) == ("billing-app", Role.APP, ("support-bot", "billing"))
    assert parse_prefix(secret) == key.prefix
    # No config defines these routes yet: the page says so.
    assert "does not define support-bot, billing" in response.text
    listing = (await client.get("/keys")).text
    assert "billing-app" in listing and key.prefix in listing and secret not in listing
    events = await ui.services.audit.show(action="key.create")
    assert events[-1].actor.startswith("web:") and "admin-person" in events[-1].actor
    assert secret not in str(events[-1].data)


async def test_a_created_reviewer_key_can_sign_in(ui: WebUI) -> None:
    client = await ui.signed_in()
    expires = (ui.clock.now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    response = await ui.post_form(
        client, "/keys", "/keys", {"name": "Ada", "role": "reviewer", "expires": expires}
    )
    found = _SECRET.search(response.text)
    assert found is not None
    key = await ui.services.keys.resolve(found.group(1))
    assert key.expires_at == ui.clock.now + timedelta(days=30)
    other = ui.client()
    assert (await ui.sign_in(other, found.group(1))).status_code == 303
    assert (await other.get("/traces")).status_code == 200


async def test_bad_key_forms_are_explained_and_kept(ui: WebUI) -> None:
    client = await ui.signed_in()
    cases = [
        ({"name": "", "role": "app"}, "key name must be 1 to 100 printable characters"),
        ({"name": "x", "role": "root"}, "role &#39;root&#39; must be one of"),
        ({"name": "x", "role": "app", "expires": "tomorrow"}, "is not a date and time"),
        ({"name": "x", "role": "app", "expires": "2020-01-01T00:00"}, "must be a time-zone aware"),
        ({"name": "x", "role": "app", "routes": "bad route!"}, "must match"),
    ]
    for form, message in cases:
        response = await ui.post_form(client, "/keys", "/keys", form)
        assert response.status_code == 400, form
        assert message in response.text, form
        if form["name"]:
            assert f'value="{form["name"]}"' in response.text  # the form keeps what was typed
    assert len(await ui.services.keys.list()) == 3


async def test_revoke_asks_first_then_revokes(ui: WebUI) -> None:
    client = await ui.signed_in()
    app_key = await ui.services.keys.resolve(ui.secrets["app"])
    confirm = await client.get(f"/keys/{app_key.id}/revoke")
    assert confirm.status_code == 200
    assert "Revoke key “app-person”?" in confirm.text
    assert (await ui.services.keys.resolve(app_key.id)).revoked_at is None  # GET changes nothing
    response = await client.post(
        f"/keys/{app_key.id}/revoke", data={"csrf_token": csrf_of(confirm.text)}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/keys"
    assert "Key app-person (" in (await client.get("/keys")).text
    revoked = await ui.services.keys.resolve(app_key.id)
    assert revoked.revoked_at is not None
    events = await ui.services.audit.show(action="key.revoke")
    assert events[-1].subject == f"key:{app_key.id}" and events[-1].actor.startswith("web:")
    again = await client.post(
        f"/keys/{app_key.id}/revoke", data={"csrf_token": csrf_of(confirm.text)}
    )
    assert again.status_code == 303
    assert "already revoked" in (await client.get("/keys?revoked=1")).text


async def test_revoking_your_own_key_warns_and_signs_you_out(ui: WebUI) -> None:
    client = await ui.signed_in()
    own = await ui.services.keys.resolve(ui.secrets["admin"])
    confirm = await client.get(f"/keys/{own.id}/revoke")
    assert "This is the key you are signed in with" in confirm.text
    await client.post(f"/keys/{own.id}/revoke", data={"csrf_token": csrf_of(confirm.text)})
    assert (await client.get("/keys")).status_code == 303


async def test_revoking_an_unknown_key_is_404(ui: WebUI) -> None:
    client = await ui.signed_in()
    assert (await client.get("/keys/key_nope/revoke")).status_code == 404
    response = await ui.post_form(client, "/keys", "/keys/key_nope/revoke", {})
    assert response.status_code == 404


async def test_audit_lists_newest_first_and_filters(ui: WebUI) -> None:
    for number in range(60):
        await ui.services.audit.record("test", "demo.event", f"thing:{number}", {"n": number})
    client = await ui.signed_in()
    page = (await client.get("/audit")).text
    seqs = [int(s) for s in re.findall(r'<td class="num">(\d+)</td>', page)]
    assert seqs == list(range(63, 13, -1))  # 3 key events + 60, the latest 50
    assert "&#34;n&#34;: 59" in page
    earlier = re.search(r'href="/ui/audit\?after_seq=(\d+)"', page)
    assert earlier is not None and earlier.group(1) == "0"
    older = (await client.get("/audit", params={"after_seq": "0"})).text
    assert [int(s) for s in re.findall(r'<td class="num">(\d+)</td>', older)] == list(range(1, 51))
    assert 'after_seq=50"' in older  # the "Later" link
    filtered = (await client.get("/audit", params={"action": "key.create"})).text
    assert len(re.findall(r'<td class="num">(\d+)</td>', filtered)) == 3
    one = (await client.get("/audit", params={"subject": "thing:7"})).text
    assert re.findall(r'<td class="num">(\d+)</td>', one) == ["11"]
    bad = await client.get("/audit", params={"after_seq": "-1"})
    assert bad.status_code == 400 and "must be a whole number" in bad.text


async def test_verify_reports_an_intact_chain(ui: WebUI) -> None:
    client = await ui.signed_in()
    response = await ui.post_form(client, "/audit", "/audit/verify", {})
    assert response.status_code == 200
    assert "Chain intact" in response.text
    assert "3 events checked" in response.text


async def test_verify_names_the_first_bad_event(ui: WebUI) -> None:
    for number in range(5):
        await ui.services.audit.record("test", "demo.event", f"thing:{number}")
    async with ui.services.store.database.engine.begin() as conn:
        await conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 5"))
    client = await ui.signed_in()
    response = await ui.post_form(client, "/audit", "/audit/verify", {})
    assert "Chain broken at event #5 (edited)" in response.text
    assert "events up to #4 are intact" in response.text
