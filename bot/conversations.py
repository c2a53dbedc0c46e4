"""Qualification conversations on the database: the dialog engine plus storage.

Each rep message is stored raw (and committed) before it is processed; a redelivery (the
same external id) changes nothing, unless the first delivery's processing failed: then it
is processed now. The engine's state is saved after every step, so a conversation resumes
after a restart. When the form completes, the answers are stored as history, the lead is
rescored and a score card (before → after, what this conversation changed) is returned.
Used by the console (`qualibot shell`, `qualibot demo`) and the Slack app alike.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.scoring_service import apply_new_answer, compute_lead
from bot.storage.answers_repo import add_answer
from bot.storage.database import session_scope
from bot.storage.leads_repo import get_lead
from bot.storage.tables import OPEN_STATUSES, Conversation, ConversationMessage, Lead
from dialogs.domain import Reply
from dialogs.engine import DialogEngine, KnownAnswer, NewAnswer, Turn
from scoring.config import ScoringConfig
from scoring.result import ScoreResult
from scoring.values import describe_value

# The service's own entry in the engine's JSON state: the id of the newest rep message
# processed, so that a redelivered message whose processing failed is processed then.
LAST_MESSAGE_KEY = "last_message_id"


@dataclass(frozen=True, slots=True)
class ScoreSnapshot:
    total: float
    grade: str
    tier: str
    qualified: bool


@dataclass(frozen=True, slots=True)
class AnswerChange:
    slot: str
    label: str
    before: str | None  # None: never answered
    after: str


@dataclass(slots=True)
class ScoreCard:
    """The end of a conversation: the lead's new score and what the conversation changed."""

    lead_id: int
    lead_name: str
    company: str | None
    email: str
    before: ScoreSnapshot | None
    result: ScoreResult
    changes: list[AnswerChange]


@dataclass(slots=True)
class Step:
    """What one rep message produced."""

    conversation_id: int
    replies: list[Reply] = field(default_factory=list)
    status: str = "active"
    card: ScoreCard | None = None
    duplicate: bool = False  # the message was already processed (a redelivery)


class ConversationService:
    """Opens conversations and feeds them rep messages (one per conversation at a time)."""

    def __init__(
        self, db: Engine, config: ScoringConfig, dialog: DialogEngine | None = None
    ) -> None:
        self.db = db
        self.config = config
        self.dialog = dialog or DialogEngine(config)
        self._locks: dict[int, asyncio.Lock] = {}

    def open(
        self,
        lead_id: int,
        rep: str,
        framework: str,
        now: datetime,
        *,
        channel: str | None = None,
        call_id: int | None = None,
    ) -> Step:
        """Start a conversation about a lead, or pick up the rep's open one about it."""
        with session_scope(self.db) as session:
            lead = _lead(session, lead_id)
            existing = session.exec(
                select(Conversation)
                .where(Conversation.lead_id == lead_id, Conversation.rep == rep)
                .where(col(Conversation.status).in_(OPEN_STATUSES))
                .order_by(col(Conversation.id).desc())
            ).first()
            if existing is not None:
                assert existing.id is not None
                turn = self.dialog.resume(existing.state)
                self._save_turn(session, existing, turn, now)
                return Step(existing.id, turn.replies, turn.status)
            current = compute_lead(session, lead, self.config, now)
            known = [
                KnownAnswer(a.slot, a.value, a.answered_at, a.expired)
                for a in current.answers.values()
            ]
            conversation = Conversation(
                lead_id=lead_id,
                rep=rep,
                framework=framework,
                status="active",
                channel=channel,
                call_id=call_id,
                state={},
                created_at=now,
                updated_at=now,
            )
            session.add(conversation)
            session.flush()
            assert conversation.id is not None
            turn = self.dialog.start(
                framework,
                {"name": lead.name, "company": lead.company, "email": lead.email},
                known,
                now,
                seed=conversation.id,
            )
            step = Step(conversation.id, turn.replies, turn.status)
            if turn.completed:  # everything already known and fresh
                step.card = self._complete(session, conversation, lead, turn, now)
            self._save_turn(session, conversation, turn, now)
            return step

    async def reply(
        self,
        conversation_id: int,
        text: str,
        now: datetime,
        *,
        external_id: str | None = None,
        source: str = "console",
    ) -> Step:
        """Process one rep message: store it raw, run the dialog, save the outcome.

        The database work runs in a worker thread, off the caller's event loop (Slack
        acks must not wait behind it); messages to one conversation take turns.
        """
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        async with lock:
            return await asyncio.to_thread(
                self._reply, conversation_id, text, now, external_id, source
            )

    def _reply(
        self,
        conversation_id: int,
        text: str,
        now: datetime,
        external_id: str | None,
        source: str,
    ) -> Step:
        message = self._store_incoming(conversation_id, text, now, external_id)
        with session_scope(self.db) as session:
            conversation = session.get(Conversation, conversation_id, with_for_update=True)
            if conversation is None:
                raise LookupError(f"no conversation {conversation_id}")
            if message.redelivered and not _unprocessed(conversation, message):
                return Step(conversation_id, duplicate=True)
            if conversation.status not in OPEN_STATUSES:
                return Step(conversation_id, status=conversation.status)
            # a redelivery of a message whose processing failed is read as first sent;
            # the dialog is a coroutine (rasa-sdk's executor): run it on this thread's loop
            turn = asyncio.run(
                self.dialog.handle(conversation.state, message.text, message.at, source)
            )
            step = Step(conversation_id, turn.replies, turn.status)
            if turn.completed:
                lead = _lead(session, conversation.lead_id)
                step.card = self._complete(session, conversation, lead, turn, now, source)
            self._save_turn(session, conversation, turn, now, message.id)
            return step

    def open_conversation(self, rep: str, lead_id: int | None = None) -> Conversation | None:
        """The rep's most recent open conversation (about `lead_id`, if given)."""
        with Session(self.db) as session:
            stmt = select(Conversation).where(
                Conversation.rep == rep, col(Conversation.status).in_(OPEN_STATUSES)
            )
            if lead_id is not None:
                stmt = stmt.where(Conversation.lead_id == lead_id)
            return session.exec(stmt.order_by(col(Conversation.updated_at).desc())).first()

    def save_edits(
        self, lead_id: int, edits: Sequence[NewAnswer], editor: str, now: datetime
    ) -> ScoreCard:
        """Store edited answers (Slack's Edit answers modal) as new history rows in one
        transaction and rescore; the card lists what changed. An edit equal to the current,
        unexpired answer is not stored again (nothing changed: no rescore either)."""
        with session_scope(self.db) as session:
            lead = _lead(session, lead_id)
            assert lead.id is not None
            was = compute_lead(session, lead, self.config, now)
            changes = []
            for edit in edits:
                old = was.answers.get(edit.slot)
                if old is not None and not old.expired and old.value == edit.value:
                    continue
                add_answer(
                    session,
                    lead.id,
                    edit.slot,
                    edit.value,
                    source=edit.source or "slack_modal",
                    raw_text=edit.raw_text,
                    answered_by=editor,
                    answered_at=edit.answered_at,
                )
                changes.append(
                    AnswerChange(
                        edit.slot,
                        self.config.slots[edit.slot].label,
                        None if old is None else describe_value(edit.slot, old.value),
                        describe_value(edit.slot, edit.value),
                    )
                )
            result = (
                apply_new_answer(session, lead.id, self.config, now, ref=f"edit:{editor}")
                if changes
                else was
            )
            before = ScoreSnapshot(was.total, was.grade, was.tier, was.qualified)
            return ScoreCard(
                lead.id, lead.name or lead.email, lead.company, lead.email, before, result, changes
            )

    # ------------------------------------------------------------------ internals

    def _store_incoming(
        self, conversation_id: int, text: str, now: datetime, external_id: str | None
    ) -> _Incoming:
        """Commit the raw message first; a redelivery (`external_id` seen before) returns
        the message stored the first time."""
        try:
            with session_scope(self.db) as session:
                if session.get(Conversation, conversation_id) is None:
                    raise LookupError(f"no conversation {conversation_id}")
                message = ConversationMessage(
                    conversation_id=conversation_id,
                    direction="in",
                    text=text,
                    external_id=external_id,
                    at=now,
                )
                session.add(message)
                session.flush()
                assert message.id is not None
                return _Incoming(message.id, conversation_id, text, now, redelivered=False)
        except IntegrityError:
            if external_id is None:
                raise
            with Session(self.db) as session:
                seen = session.exec(
                    select(ConversationMessage).where(
                        ConversationMessage.external_id == external_id
                    )
                ).first()
            if seen is None or seen.id is None:  # not a duplicate after all
                raise
            return _Incoming(seen.id, seen.conversation_id, seen.text, seen.at, redelivered=True)

    def _save_turn(
        self,
        session: Session,
        conversation: Conversation,
        turn: Turn,
        now: datetime,
        message_id: int | None = None,
    ) -> None:
        """Save the engine's state (with the id of the last rep message it has read)."""
        assert conversation.id is not None
        last = int(turn.state.get(LAST_MESSAGE_KEY) or 0)
        turn.state[LAST_MESSAGE_KEY] = max(last, message_id or 0)
        conversation.state = turn.state
        conversation.status = turn.status
        conversation.updated_at = now
        if turn.completed:
            conversation.completed_at = now
        session.add(conversation)
        session.add_all(
            ConversationMessage(
                conversation_id=conversation.id, direction="out", text=r.text, at=now
            )
            for r in turn.replies
        )

    def _complete(
        self,
        session: Session,
        conversation: Conversation,
        lead: Lead,
        turn: Turn,
        now: datetime,
        source: str = "console",
    ) -> ScoreCard:
        assert lead.id is not None and conversation.id is not None
        # "Before" is the lead just before these answers, at the same time, so the card
        # shows what the conversation changed (not decay since the last stored score).
        was = compute_lead(session, lead, self.config, now)
        before = ScoreSnapshot(was.total, was.grade, was.tier, was.qualified)
        previous = turn.state["known"]
        changes = []
        for answer in turn.answers:
            add_answer(
                session,
                lead.id,
                answer.slot,
                answer.value,
                source=answer.source or source,
                raw_text=answer.raw_text,
                framework=conversation.framework,
                answered_by=conversation.rep,
                answered_at=answer.answered_at,
                conversation_id=conversation.id,
            )
            old = previous.get(answer.slot)
            changes.append(
                AnswerChange(
                    answer.slot,
                    self.dialog.domain.slot_label(conversation.framework, answer.slot),
                    None if old is None else describe_value(answer.slot, old["value"]),
                    describe_value(answer.slot, answer.value),
                )
            )
        result = apply_new_answer(
            session, lead.id, self.config, now, ref=f"conversation:{conversation.id}"
        )
        return ScoreCard(
            lead.id, lead.name or lead.email, lead.company, lead.email, before, result, changes
        )


@dataclass(frozen=True, slots=True)
class _Incoming:
    """A stored rep message."""

    id: int
    conversation_id: int
    text: str
    at: datetime
    redelivered: bool  # its external id was seen before


def _unprocessed(conversation: Conversation, message: _Incoming) -> bool:
    """Whether a redelivered message was stored but never processed (it failed)."""
    if message.conversation_id != conversation.id or conversation.status not in OPEN_STATUSES:
        return False
    last = conversation.state.get(LAST_MESSAGE_KEY)
    return last is not None and message.id > int(last)


def _lead(session: Session, lead_id: int) -> Lead:
    lead = get_lead(session, lead_id)
    if lead is None:
        raise LookupError(f"no lead with id {lead_id}")
    return lead
