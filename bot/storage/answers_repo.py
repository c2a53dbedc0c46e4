"""Qualification answers: append-only history per lead and slot."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlmodel import col, select

from bot.storage._checks import aware_utc
from bot.storage.among import rows_among
from bot.storage.column_types import driver_json, utcnow
from bot.storage.tables import Answer
from scoring.inputs import AnswerRecord
from scoring.stored_rows import stored_time
from scoring.values import validate_value


def add_answer(
    session: Session,
    lead_id: int,
    slot: str,
    value: dict[str, Any],
    *,
    source: str,
    raw_text: str | None = None,
    framework: str | None = None,
    answered_by: str | None = None,
    answered_at: datetime | None = None,
    conversation_id: int | None = None,
    validate: bool = True,
) -> Answer:
    """Store one answer (a new history row; older answers are kept).

    `value` is checked against the slot's contract (`scoring.values.validate_value`,
    raising `AnswerValueError`) and stored in its normalized form unless `validate=False`.
    `source` says through which channel it came: slack_dm, console, cli, import, api.
    """
    stored = validate_value(slot, value) if validate else dict(value)
    answer = Answer(
        lead_id=lead_id,
        slot=slot,
        value=stored,
        raw_text=raw_text,
        framework=framework,
        answered_by=answered_by,
        answered_at=utcnow() if answered_at is None else aware_utc(answered_at, "answered_at"),
        source=source,
        conversation_id=conversation_id,
    )
    session.add(answer)
    session.flush()
    return answer


def answers_for_lead(session: Session, lead_id: int, *, slot: str | None = None) -> list[Answer]:
    """All answers of a lead (optionally one slot), oldest first."""
    stmt = select(Answer).where(Answer.lead_id == lead_id)
    if slot is not None:
        stmt = stmt.where(Answer.slot == slot)
    stmt = stmt.order_by(col(Answer.answered_at), col(Answer.id))
    return list(session.scalars(stmt))


def answer_records_for_leads(
    session: Session, lead_ids: Iterable[int]
) -> dict[int, list[AnswerRecord]]:
    """The scorer's view of the answers of many leads (one query, read raw: it runs for
    every batch of events), each lead's oldest first.

    Every id gets a list, empty when the lead has no answers.
    """
    out: dict[int, list[AnswerRecord]] = {lead_id: [] for lead_id in sorted(set(lead_ids))}
    rows = rows_among(
        session,
        "SELECT lead_id, id, slot, value, answered_at, answered_by, framework, raw_text"
        " FROM answers WHERE lead_id {among} ORDER BY answered_at, id",
        out.keys(),
    )
    for lead_id, seq, slot, value, at, by, framework, raw_text in rows:
        out[lead_id].append(
            AnswerRecord(
                slot, dict(driver_json(value)), stored_time(at), seq, by, framework, raw_text
            )
        )
    return out


def to_answer_record(answer: Answer) -> AnswerRecord:
    """The scorer's view of a stored answer (`seq` is the row id)."""
    return AnswerRecord(
        slot=answer.slot,
        value=dict(answer.value),
        answered_at=answer.answered_at,
        seq=answer.id or 0,
        answered_by=answer.answered_by,
        framework=answer.framework,
        raw_text=answer.raw_text,
    )
