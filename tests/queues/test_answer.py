"""The queue API builds its answer directly (app.queues.schemas.queue_page_json): it must be what
the documented schema, QueuePageSchema, would dump, key for key and value for value."""

from __future__ import annotations

from app.queues.queries import QueueFilters, list_queue
from app.queues.schemas import QueuePageSchema, queue_page_json


def _pairs(answer):
    return [list(item.items()) for item in answer["items"]], answer["next_cursor"]


def test_the_direct_answer_is_the_schemas_dump(clock, new_dossier, walk, user):
    clock.at("2026-12-07 07:10")
    waiting = new_dossier()
    clock.at("2026-12-07 07:20")
    walk(new_dossier(), "accept")
    clock.at("2026-12-07 07:30")
    walk(new_dossier(), "accept", "assign", "return_for_supplement")  # paused
    clock.at("2026-12-08 09:00")  # the accepted same-day dossier is overdue now
    for login, kind in (("tn.candang", "reception"), ("cv.candang", "specialist"), ("ld.candang", "leader")):
        rows, _ = list_queue(user(login), kind, QueueFilters())
        assert rows or kind == "leader"
        for cursor in (None, "b64cursor"):
            assert _pairs(queue_page_json(rows, cursor)) == _pairs(
                QueuePageSchema().dump({"items": rows, "next_cursor": cursor})
            )
    rows, _ = list_queue(user("tn.candang"), "reception", QueueFilters())
    flags = {r.code: (r.is_overdue, r.is_paused, r.due_at is None) for r in rows}
    assert flags[waiting.code] == (False, False, True)
    assert any(overdue for overdue, _, _ in flags.values())
