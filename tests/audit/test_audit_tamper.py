"""Tampering with stored audit rows by hand is detected, classified and located."""

from __future__ import annotations

from sqlalchemy import insert, text, update

from confiance.audit import AuditLog, Tamper
from confiance.domain.audit import chain_hash
from confiance.store import Store
from confiance.store.tables import audit_events
from contract.support import at


async def record_ten(audit_log: AuditLog) -> None:
    for i in range(1, 11):
        await audit_log.record("alice", "config.apply", f"revision:{i}", {"i": i, "ok": True})


async def tamper(store: Store, *statements: object) -> None:
    async with store.database.engine.begin() as conn:
        for statement in statements:
            if isinstance(statement, str):
                await conn.execute(text(statement))
            else:
                await conn.execute(statement)  # type: ignore[call-overload]


async def test_untouched_log_verifies(audit_log: AuditLog) -> None:
    await record_ten(audit_log)
    report = await audit_log.verify()
    assert report.ok
    assert (report.checked, report.last_seq, report.first_bad_seq) == (10, 10, None)


async def test_edited_data_field(store: Store, audit_log: AuditLog) -> None:
    await record_ten(audit_log)
    edit = update(audit_events).where(audit_events.c.seq == 4).values(data={"i": 4, "ok": False})
    await tamper(store, edit)
    report = await audit_log.verify()
    assert not report.ok
    assert (report.first_bad_seq, report.reason) == (4, Tamper.EDITED)
    assert "event 4 was edited" in report.detail


async def test_edited_actor_of_the_first_event(store: Store, audit_log: AuditLog) -> None:
    await record_ten(audit_log)
    await tamper(store, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 1")
    report = await audit_log.verify()
    assert (report.first_bad_seq, report.reason) == (1, Tamper.EDITED)


async def test_rewritten_with_recomputed_hash(store: Store, audit_log: AuditLog) -> None:
    await record_ten(audit_log)
    [target] = await store.audit.list(limit=1, after_seq=5)
    forged_hash = chain_hash(
        target.prev_hash, 6, target.at, "mallory", target.action, target.subject, target.data
    )
    edit = (
        update(audit_events)
        .where(audit_events.c.seq == 6)
        .values(actor="mallory", hash=forged_hash)
    )
    await tamper(store, edit)
    report = await audit_log.verify()
    assert (report.first_bad_seq, report.reason) == (6, Tamper.EDITED)
    assert "recomputed hash" in report.detail


async def test_deleted_middle_row(store: Store, audit_log: AuditLog) -> None:
    await record_ten(audit_log)
    await tamper(store, "DELETE FROM audit_events WHERE seq = 5")
    report = await audit_log.verify()
    assert (report.first_bad_seq, report.reason) == (5, Tamper.DELETED)
    assert "event 5 is missing before event 6" in report.detail


async def test_deleted_last_rows(store: Store, audit_log: AuditLog) -> None:
    await record_ten(audit_log)
    await tamper(store, "DELETE FROM audit_events WHERE seq >= 9")
    report = await audit_log.verify()
    assert (report.first_bad_seq, report.reason) == (9, Tamper.DELETED)
    assert report.last_seq == 8


async def test_deleted_and_renumbered(store: Store, audit_log: AuditLog) -> None:
    await record_ten(audit_log)
    await tamper(
        store,
        "DELETE FROM audit_events WHERE seq = 3",
        "UPDATE audit_events SET seq = seq + 1000 WHERE seq > 3",
        "UPDATE audit_events SET seq = seq - 1001 WHERE seq > 1000",
        "UPDATE audit_head SET seq = 9",
    )
    report = await audit_log.verify()
    assert (report.first_bad_seq, report.reason) == (3, Tamper.DELETED)
    assert "renumbered" in report.detail


async def test_forged_row_appended_at_the_end(store: Store, audit_log: AuditLog) -> None:
    await record_ten(audit_log)
    forged = insert(audit_events).values(
        seq=11,
        at=at(100),
        actor="mallory",
        action="key.create",
        subject="key:backdoor",
        data={},
        prev_hash="f" * 64,
        hash="e" * 64,
    )
    await tamper(store, forged)
    report = await audit_log.verify()
    assert (report.first_bad_seq, report.reason) == (11, Tamper.INSERTED)


async def test_forged_row_with_valid_hash_inserted_in_the_middle(
    store: Store, audit_log: AuditLog
) -> None:
    await record_ten(audit_log)
    [before] = await store.audit.list(limit=1, after_seq=2)
    data = {"role": "admin"}
    forged = insert(audit_events).values(
        seq=4,
        at=at(3.5),
        actor="mallory",
        action="key.create",
        subject="key:backdoor",
        data=data,
        prev_hash=before.hash,
        hash=chain_hash(before.hash, 4, at(3.5), "mallory", "key.create", "key:backdoor", data),
    )
    await tamper(
        store,
        "UPDATE audit_events SET seq = seq + 1000 WHERE seq >= 4",
        "UPDATE audit_events SET seq = seq - 999 WHERE seq > 1000",
        forged,
        "UPDATE audit_head SET seq = 11",
    )
    report = await audit_log.verify()
    assert (report.first_bad_seq, report.reason) == (4, Tamper.INSERTED)


async def test_forged_row_with_a_linked_but_wrong_hash(store: Store, audit_log: AuditLog) -> None:
    await record_ten(audit_log)
    [before] = await store.audit.list(limit=1, after_seq=6)
    forged = insert(audit_events).values(
        seq=8,
        at=at(7.5),
        actor="mallory",
        action="review.approve",
        subject="item:1",
        data={},
        prev_hash=before.hash,
        hash="a" * 64,
    )
    await tamper(
        store,
        "UPDATE audit_events SET seq = seq + 1000 WHERE seq >= 8",
        "UPDATE audit_events SET seq = seq - 999 WHERE seq > 1000",
        forged,
    )
    report = await audit_log.verify()
    assert (report.first_bad_seq, report.reason) == (8, Tamper.INSERTED)


async def test_two_rows_swapped(store: Store, audit_log: AuditLog) -> None:
    await record_ten(audit_log)
    await tamper(
        store,
        "UPDATE audit_events SET seq = -1 WHERE seq = 6",
        "UPDATE audit_events SET seq = 6 WHERE seq = 7",
        "UPDATE audit_events SET seq = 7 WHERE seq = -1",
    )
    report = await audit_log.verify()
    assert (report.first_bad_seq, report.reason) == (6, Tamper.REORDERED)
    assert "swapped" in report.detail


async def test_distant_rows_swapped(store: Store, audit_log: AuditLog) -> None:
    await record_ten(audit_log)
    await tamper(
        store,
        "UPDATE audit_events SET seq = -1 WHERE seq = 2",
        "UPDATE audit_events SET seq = 2 WHERE seq = 9",
        "UPDATE audit_events SET seq = 9 WHERE seq = -1",
    )
    report = await audit_log.verify()
    assert (report.first_bad_seq, report.reason) == (2, Tamper.REORDERED)


async def test_appends_after_tampering_do_not_hide_it(store: Store, audit_log: AuditLog) -> None:
    await record_ten(audit_log)
    await tamper(store, "DELETE FROM audit_events WHERE seq = 10")
    await audit_log.record("bob", "key.revoke", "key:1", {})
    report = await audit_log.verify()
    assert (report.first_bad_seq, report.reason) == (10, Tamper.DELETED)
