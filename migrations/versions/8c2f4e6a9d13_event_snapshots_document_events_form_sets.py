"""Event snapshots, documents linked to the event that added them and to what replaced them, issued
forms by form-set key

Revision ID: 8c2f4e6a9d13
Revises: 5e1d0c7a3b21
Create Date: 2026-12-03 21:00:00

Every event gets the snapshot of the dossier's facts just after it (state, unit holding it,
reception, due, appointment, completion and return instants, pause, the step open then and the
step it acted in, who acted and for which unit). Events already recorded are replayed here once:
each transition's actions (as the workflow files of this release declare them) are applied to the
times with the working calendar, as the engine did; the latest event of a dossier takes the
dossier's own columns, which are the truth. Names are those the users and units have now (the
first snapshot anyone could take). Documents get the event that added them (the latest event at or
before their creation) and, when replaced, the next document of the same key.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import app.core.db

# revision identifiers, used by Alembic.
revision = "8c2f4e6a9d13"
down_revision = "5e1d0c7a3b21"
branch_labels = None
depends_on = None

FORM_KEYS = {  # Circular 01/2018/TT-VPCP, the only form set before this revision
    "mau_01": "receipt",
    "mau_02": "supplement_request",
    "mau_03": "refusal",
    "mau_04": "apology",
    "mau_05": "control_sheet",
}
JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
BATCH = 500


def upgrade():
    with op.batch_alter_table("dossier_events") as batch:
        batch.add_column(sa.Column("snapshot", JSON, nullable=True))
    with op.batch_alter_table("dossier_documents") as batch:
        batch.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("replaced_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_dossier_documents_event_id_dossier_events"), "dossier_events", ["event_id"], ["id"]
        )
        batch.create_foreign_key(
            op.f("fk_dossier_documents_replaced_by_id_dossier_documents"),
            "dossier_documents",
            ["replaced_by_id"],
            ["id"],
        )
        batch.create_index(batch.f("ix_dossier_documents_event_id"), ["event_id"], unique=False)
    with op.batch_alter_table("issued_forms") as batch:
        batch.add_column(sa.Column("form_key", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("form_set", sa.String(length=16), nullable=True))
    for code, key in FORM_KEYS.items():
        op.execute(
            sa.text(
                "UPDATE issued_forms SET form_key = :key, form_set = 'tt01_2018' WHERE form = :code"
            ).bindparams(key=key, code=code)
        )
    with op.batch_alter_table("issued_forms") as batch:
        batch.alter_column("form_key", existing_type=sa.String(length=32), nullable=False)
        batch.alter_column("form_set", existing_type=sa.String(length=16), nullable=False)
        batch.drop_constraint(op.f("uq_issued_forms_event_id_form"), type_="unique")
        batch.drop_constraint(op.f("ck_issued_forms_form_known"), type_="check")
        batch.create_unique_constraint(op.f("uq_issued_forms_event_id_form_key"), ["event_id", "form_key"])
    _link_documents()
    _backfill_snapshots()
    with op.batch_alter_table("dossier_events") as batch:
        batch.alter_column("snapshot", existing_type=JSON, nullable=False)


def downgrade():
    # Before form sets only the 2018 numbers existed: forms of a later set cannot be kept (their
    # stored PDFs become orphans, which the orphan sweep removes).
    op.execute("DELETE FROM issued_forms WHERE form_set <> 'tt01_2018'")
    with op.batch_alter_table("issued_forms") as batch:
        batch.drop_constraint(op.f("uq_issued_forms_event_id_form_key"), type_="unique")
        batch.create_unique_constraint(op.f("uq_issued_forms_event_id_form"), ["event_id", "form"])
        batch.create_check_constraint(
            op.f("ck_issued_forms_form_known"), "form IN ('mau_01', 'mau_02', 'mau_03', 'mau_04', 'mau_05')"
        )
        batch.drop_column("form_set")
        batch.drop_column("form_key")
    with op.batch_alter_table("dossier_documents") as batch:
        batch.drop_index(batch.f("ix_dossier_documents_event_id"))
        batch.drop_constraint(
            op.f("fk_dossier_documents_replaced_by_id_dossier_documents"), type_="foreignkey"
        )
        batch.drop_constraint(op.f("fk_dossier_documents_event_id_dossier_events"), type_="foreignkey")
        batch.drop_column("replaced_by_id")
        batch.drop_column("event_id")
    with op.batch_alter_table("dossier_events") as batch:
        batch.drop_column("snapshot")


# --- documents ------------------------------------------------------------------------------------


def _link_documents() -> None:
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "UPDATE dossier_documents SET event_id = (SELECT e.id FROM dossier_events e "
            "WHERE e.dossier_id = dossier_documents.dossier_id AND e.created_at <= dossier_documents.created_at "
            "ORDER BY e.created_at DESC, e.id DESC LIMIT 1)"
        )
    )
    bind.execute(  # a document added in its dossier's submission, a moment before the event's instant
        sa.text(
            "UPDATE dossier_documents SET event_id = (SELECT e.id FROM dossier_events e "
            "WHERE e.dossier_id = dossier_documents.dossier_id ORDER BY e.id LIMIT 1) WHERE event_id IS NULL"
        )
    )
    bind.execute(
        sa.text(
            "UPDATE dossier_documents SET replaced_by_id = (SELECT n.id FROM dossier_documents n "
            "WHERE n.dossier_id = dossier_documents.dossier_id AND n.doc_key = dossier_documents.doc_key "
            "AND n.is_result = dossier_documents.is_result AND n.id > dossier_documents.id ORDER BY n.id LIMIT 1) "
            "WHERE is_current = false AND is_result = false"
        )
    )


# --- snapshots ------------------------------------------------------------------------------------


def _backfill_snapshots() -> None:
    bind = op.get_bind()
    if not bind.execute(sa.text("SELECT 1 FROM dossier_events LIMIT 1")).first():
        return
    from app.calendar.services import get_calendar
    from app.procedures import get_registry

    replay = _Replay(bind, get_registry(), get_calendar())
    after = 0
    while True:
        ids = [
            row[0]
            for row in bind.execute(
                sa.text("SELECT id FROM dossiers WHERE id > :after ORDER BY id LIMIT :n"),
                {"after": after, "n": BATCH},
            )
        ]
        if not ids:
            return
        for dossier_id in ids:
            replay.dossier(dossier_id)
        after = ids[-1]


class _Replay:
    def __init__(self, bind, registry, calendar) -> None:  # noqa: ANN001
        self.bind, self.registry, self.calendar = bind, registry, calendar
        self.utc = app.core.db.UTCDateTime()
        self.units = {
            row.id: row for row in bind.execute(sa.text("SELECT id, code, name, name_en FROM units"))
        }
        self.users = {
            row.id: row
            for row in bind.execute(sa.text("SELECT id, full_name, username, role, unit_id FROM users"))
        }

    def _t(self, value) -> datetime | None:  # noqa: ANN001
        return self.utc.process_result_value(value, self.bind.dialect)

    def _unit(self, unit_id: int | None) -> dict | None:
        row = self.units.get(unit_id)
        return (
            None
            if row is None
            else {"id": row.id, "code": row.code, "name": row.name, "name_en": row.name_en}
        )

    def dossier(self, dossier_id: int) -> None:
        bind = self.bind
        d = (
            bind.execute(sa.text("SELECT * FROM dossiers WHERE id = :id"), {"id": dossier_id})
            .mappings()
            .one()
        )
        procedure = self.registry.find(d["procedure_code"], d["procedure_version"])
        events = (
            bind.execute(
                sa.text("SELECT * FROM dossier_events WHERE dossier_id = :id ORDER BY id"), {"id": dossier_id}
            )
            .mappings()
            .all()
        )
        steps = (
            bind.execute(
                sa.text("SELECT * FROM dossier_steps WHERE dossier_id = :id ORDER BY seq"), {"id": dossier_id}
            )
            .mappings()
            .all()
        )
        facts = {
            "unit_id": d["receiving_unit_id"],
            "received_at": None,
            "due_at": None,
            "appointment_at": None,
            "completed_at": None,
            "returned_at": None,
            "paused_at": None,
            "is_extended": False,
            "step": None,
        }
        upcoming = iter(steps)
        for index, event in enumerate(events):
            acted_in = facts["step"]  # as the engine's: the step acted in, as the event left it
            transition = (
                procedure.find_transition(event["transition"], event["from_state"]) if procedure else None
            )
            for action in transition.actions if transition else ():
                self._apply(facts, action, event, transition, procedure, upcoming)
            state = procedure.states.get(event["to_state"]) if procedure else None
            if state is not None and state.is_final:
                _close(facts)
                facts["paused_at"] = None
            if index == len(events) - 1:
                self._take_stored(facts, d, steps)
            snapshot = self._snapshot(facts, event, acted_in, state.national_code if state else None)
            bind.execute(
                sa.text("UPDATE dossier_events SET snapshot = :s WHERE id = :id").bindparams(
                    sa.bindparam("s", type_=JSON)
                ),
                {"s": snapshot, "id": event["id"]},
            )

    def _apply(self, facts, action, event, transition, procedure, upcoming) -> None:  # noqa: ANN001, PLR0913
        now, calendar = self._t(event["created_at"]), self.calendar
        if action == "start_clock":
            deadline = procedure.deadline
            facts["received_at"] = now
            facts["due_at"] = calendar.due_at(now, deadline.kind, deadline.amount, deadline.cutoff)
            facts["appointment_at"] = facts["due_at"]
        if action in ("start_clock", "open_step"):
            step = next(upcoming, None)
            if step is not None:
                _close(facts)
                budget = transition.step.budget if transition.step else None
                due = (
                    calendar.due_at(now, budget.kind, budget.amount, budget.cutoff)
                    if budget
                    else self._t(step["due_at"])
                )
                facts["unit_id"] = step["unit_id"]
                facts["step"] = {
                    "row": step,
                    "seq": step["seq"],
                    "started_at": now,
                    "due_at": due,
                    "paused_at": None,
                }
        elif action == "pause_clock":
            facts["paused_at"] = now
            if facts["step"]:
                facts["step"]["paused_at"] = now
        elif action == "resume_clock" and facts["paused_at"] is not None:
            paused = facts["paused_at"]
            if facts["due_at"] is not None:
                moved = calendar.resume_due_at(paused, facts["due_at"], now)
                if facts["appointment_at"] == facts["due_at"]:
                    facts["appointment_at"] = moved
                facts["due_at"] = moved
            if facts["step"]:
                facts["step"]["due_at"] = calendar.resume_due_at(paused, facts["step"]["due_at"], now)
                facts["step"]["paused_at"] = None
            facts["paused_at"] = None
        elif action == "set_new_appointment":
            raw = (
                json.loads(event["payload"]) if isinstance(event["payload"], str) else event["payload"] or {}
            )
            if raw.get("new_appointment_at"):
                facts["appointment_at"] = datetime.fromisoformat(raw["new_appointment_at"])
            facts["is_extended"] = True
        elif action == "finish":
            facts["completed_at"] = now
            _close(facts)
        elif action == "record_return":
            facts["returned_at"] = now

    def _take_stored(self, facts, d, steps) -> None:  # noqa: ANN001
        """The latest event: the dossier's own columns are the truth."""
        facts["unit_id"] = d["current_unit_id"]
        for name in ("received_at", "due_at", "appointment_at", "completed_at", "returned_at", "paused_at"):
            facts[name] = self._t(d[name])
        facts["is_extended"] = bool(d["is_extended"])
        open_steps = [s for s in steps if s["finished_at"] is None]
        if open_steps:
            step = open_steps[-1]
            facts["step"] = {
                "row": step,
                "seq": step["seq"],
                "started_at": self._t(step["started_at"]),
                "due_at": self._t(step["due_at"]),
                "paused_at": self._t(step["paused_at"]),
            }
        else:
            facts["step"] = None

    def _step(self, step: dict | None) -> dict | None:
        if not step:
            return None
        row = step["row"]
        return {
            "seq": step["seq"],
            "name": row["name"],
            "unit": self._unit(row["unit_id"]),
            "started_at": _iso(step["started_at"]),
            "due_at": _iso(step["due_at"]),
            "paused_at": _iso(step["paused_at"]),
        }

    def _snapshot(self, facts: dict, event, acted_in: dict | None, national: int | None) -> dict:  # noqa: ANN001
        user = self.users.get(event["actor_id"])
        actor = None
        if user is not None:
            actor = {
                "id": user.id,
                "name": user.full_name,
                "username": user.username,
                "role": user.role,
                "unit": self._unit(event["actor_unit_id"]),
            }
        return {
            "v": 1,
            "state": event["to_state"],
            "national_status": national,
            "unit": self._unit(facts["unit_id"]),
            **{
                name: _iso(facts[name])
                for name in (
                    "received_at",
                    "due_at",
                    "appointment_at",
                    "completed_at",
                    "returned_at",
                    "paused_at",
                )
            },
            "is_extended": facts["is_extended"],
            "step": self._step(facts["step"]),
            "acted_in": self._step(acted_in),
            "actor": actor,
        }


def _close(facts: dict) -> None:
    """A closed step is not paused any more (its paused time is counted) and no step is open."""
    if facts["step"]:
        facts["step"]["paused_at"] = None
    facts["step"] = None


VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # the engine's snapshots are in Vietnam time


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(VN_TZ).isoformat()
