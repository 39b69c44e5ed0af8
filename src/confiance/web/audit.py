"""The audit trail: events in chain order (the latest first page, or forward from a ``seq``),
filtered by action and subject, and a button that verifies the whole hash chain."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from confiance.errors import UsageError
from confiance.web.access import checked_form, state_of, viewer_for
from confiance.web.keylabels import key_labels
from confiance.web.viewers import Area

__all__ = ["PAGE_SIZE", "routes"]

PAGE_SIZE = 50
_MAX_FILTER_CHARS = 200


def _filters(request: Request) -> tuple[str | None, str | None, int | None]:
    params = request.query_params
    action = params.get("action", "").strip() or None
    subject = params.get("subject", "").strip() or None
    for name, value in (("action", action), ("subject", subject)):
        if value is not None and len(value) > _MAX_FILTER_CHARS:
            raise UsageError(f"the {name} filter is longer than {_MAX_FILTER_CHARS} characters")
    after_text = params.get("after_seq", "").strip()
    if after_text and not after_text.isdigit():
        raise UsageError(f"after_seq {after_text!r} must be a whole number (an event's seq)")
    return action, subject, int(after_text) if after_text else None


async def _page(request: Request, verification: object = None) -> Response:
    viewer = await viewer_for(request, Area.AUDIT)
    state = state_of(request)
    action, subject, after_seq = _filters(request)
    events = await state.services.audit.show(
        limit=PAGE_SIZE + 1, action=action, subject=subject, after_seq=after_seq
    )
    if after_seq is None:
        page, next_after = events[-PAGE_SIZE:], None
    else:
        page = events[:PAGE_SIZE]
        next_after = page[-1].seq if len(events) > PAGE_SIZE else None
    context = {
        "events": list(reversed(page)) if after_seq is None else page,
        "newest_first": after_seq is None,
        "filters": {"action": action, "subject": subject, "after_seq": after_seq},
        "next_after": next_after,
        "earlier_after": _earlier(page[0].seq if page else None, action or subject),
        "verification": verification,
        "keys": await key_labels(state.services.store.keys),
    }
    return state.renderer.page(request, "audit.html", context, viewer=viewer, area=Area.AUDIT)


def _earlier(first_seq: int | None, filtered: str | None) -> int | None:
    """The ``after_seq`` of the page before one starting at ``first_seq``. Unfiltered, seqs
    are contiguous (the chain has no gaps), so it is exact; filtered pages have no way back
    and offer "from the start" instead."""
    if first_seq is None or first_seq <= 1 or filtered:
        return None
    return max(first_seq - 1 - PAGE_SIZE, 0)


async def show_audit(request: Request) -> Response:
    return await _page(request)


async def verify_chain(request: Request) -> Response:
    await viewer_for(request, Area.AUDIT)
    await checked_form(request)
    report = await state_of(request).services.audit.verify()
    return await _page(request, report)


routes = [
    Route("/audit", show_audit, methods=["GET"], name="audit"),
    Route("/audit/verify", verify_chain, methods=["POST"], name="audit_verify"),
]
