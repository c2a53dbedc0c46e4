"""The dialog engine: runs a qualification form over a rasa-sdk tracker.

It asks the next missing slot, reads each message through the form's rasa-sdk validation
action (run in process by rasa-sdk's `ActionExecutor`), re-asks with a hint when an answer
is not understood and notes "unknown" after two tries, and understands the commands of
dialogs.commands. It never asks for what is already known and fresh (any framework's
answers count), and asks to reconfirm expired answers.

The engine is pure conversation logic: no database, no Slack. Its whole state is a JSON
dict (`Conversation.state`) that the caller stores between messages, so a conversation
resumes after a restart; the caller also stores the answers when `Turn.completed`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from rasa_sdk.executor import ActionExecutor

from dialogs.actions import validation_action
from dialogs.commands import Command, match_slot, parse_command
from dialogs.domain import Domain, Reply, form_name
from dialogs.understanding import MAX_ANSWER_CHARS, parse_answer
from scoring.config import ScoringConfig
from scoring.values import describe_value, is_unknown, unknown_value, validate_value

STATE_VERSION = 1
MAX_TRIES = 2
# Answers to "Is that still right?": words that together keep the old answer ("yes",
# "yep, still right", "no change"), and ones that say it changed without saying how.
_CONFIRM_WORDS = frozenset(
    {
        *("yes", "y", "yep", "yup", "yeah", "ya", "ok", "okay", "sure", "correct", "right"),
        *("true", "valid", "accurate", "still", "same", "unchanged", "as", "before", "it"),
        *("is", "that", "that's", "thats", "all", "good", "fine", "stands", "holds"),
    }
)
_CONFIRM_PHRASES = frozenset({"no change", "no changes", "nothing changed", "nothing's changed"})
_DENY = frozenset(
    {
        *("no", "nope", "nah", "n", "wrong", "not really", "changed", "it changed"),
        *("no it changed", "not anymore", "not any more", "no longer"),
    }
)


@dataclass(frozen=True, slots=True)
class KnownAnswer:
    """A stored answer the conversation starts from."""

    slot: str
    value: dict[str, Any]
    answered_at: datetime
    expired: bool


@dataclass(frozen=True, slots=True)
class NewAnswer:
    """An answer given in this conversation, to be stored as history."""

    slot: str
    value: dict[str, Any]
    raw_text: str
    answered_at: datetime
    source: str | None = None  # the channel of the message that gave it (slack_dm, console…)


@dataclass(slots=True)
class Turn:
    """What one step of the conversation produced."""

    state: dict[str, Any]
    replies: list[Reply] = field(default_factory=list)
    completed: bool = False  # the form is done: store `answers`, rescore, show the card
    cancelled: bool = False

    @property
    def status(self) -> str:
        return str(self.state["status"])

    @property
    def answers(self) -> list[NewAnswer]:
        return new_answers(self.state)


def new_answers(state: dict[str, Any]) -> list[NewAnswer]:
    """The answers collected in a conversation (none once it is cancelled)."""
    return [
        NewAnswer(a["slot"], a["value"], a["raw"], datetime.fromisoformat(a["at"]), a.get("source"))
        for a in state["answers"].values()
    ]


class DialogEngine:
    """Runs the qualification forms of one config (one engine serves all conversations)."""

    def __init__(self, config: ScoringConfig, domain: Domain | None = None) -> None:
        self.config = config
        self.domain = domain or Domain(config)
        self._rasa_domain = self.domain.rasa_domain()
        self.executor = ActionExecutor()
        for framework in config.frameworks:
            self.executor.register_action(validation_action(form_name(framework)))

    # ------------------------------------------------------------------ starting

    def start(
        self,
        framework: str,
        lead: dict[str, Any],
        known: list[KnownAnswer],
        now: datetime,
        seed: int = 0,
    ) -> Turn:
        """Open a conversation about `lead` ({"name", "company", "email"}) and ask the
        first question. `known` are the lead's current answers (any framework)."""
        spec = self.config.frameworks.get(framework)
        if spec is None:
            raise ValueError(
                f"unknown framework {framework!r} (config.yml has: "
                f"{', '.join(self.config.frameworks)})"
            )
        known_by_slot = {k.slot: k for k in known}
        queue: list[str] = []
        reconfirm: list[str] = []
        for slot in spec.slots:
            k = known_by_slot.get(slot)
            if k is None or is_unknown(slot, k.value):
                queue.append(slot)
            elif k.expired:
                queue.append(slot)
                if not _date_passed(k.value, now):  # "still right?" makes no sense then
                    reconfirm.append(slot)
        state: dict[str, Any] = {
            "v": STATE_VERSION,
            "framework": framework,
            "form": form_name(framework),
            "lead": {k: lead.get(k) for k in ("name", "company", "email")},
            "seed": seed,
            "status": "active",
            "queue": queue,
            "asked": None,
            "reconfirm": reconfirm,
            "known": {
                k.slot: {
                    "value": k.value,
                    "at": _iso(k.answered_at),
                    "expired": k.expired,
                }
                for k in known
            },
            "answers": {},
            "order": [],
            "skipped": [],
            "tries": {},
            "events": [],
            "started_at": _iso(now),
        }
        turn = Turn(state)
        self._advance(turn)
        return turn

    # ------------------------------------------------------------------ a message

    async def handle(
        self, state: dict[str, Any], text: str, now: datetime, source: str | None = None
    ) -> Turn:
        """Process one rep message (typed text or a button's payload); `source` (the
        channel it came through) is kept with the answers it gives."""
        state = copy.deepcopy(state)
        state["via"] = source
        turn = Turn(state)
        if state["status"] in ("done", "cancelled"):
            raise ValueError(f"conversation is {state['status']}")
        state["events"].append({"event": "user", "text": text, "timestamp": now.timestamp()})
        command = parse_command(text)
        if (
            command is not None
            and command.fuzzy
            and self._match_slot(state, command.argument or "") is None
        ):
            command = None  # "chance is low": a typo'd `change` only if it names a slot
        resuming = state["status"] == "paused"
        if resuming:
            state["status"] = "active"
            if command is None or command.name not in ("later", "cancel"):
                turn.replies.append(self._say("utter_resumed", state))
        if command is not None:
            self._command(turn, command, now)
            return turn
        # right after a pause, "hi, I'm back" is not an attempt at the question
        await self._answer(turn, text, now, count_try=not resuming)
        return turn

    def resume(self, state: dict[str, Any]) -> Turn:
        """Pick an open conversation up again: ask its current question."""
        turn = Turn(copy.deepcopy(state))
        turn.state["status"] = "active"
        turn.replies.append(self._say("utter_resumed", turn.state))
        self._advance(turn)
        return turn

    # ------------------------------------------------------------------ internals

    def _values(self, state: dict[str, Any], slot: str | None = None) -> dict[str, Any]:
        values = {
            "lead_name": state["lead"].get("name") or state["lead"].get("email") or "the lead",
            "company": state["lead"].get("company") or "their company",
            "max_chars": f"{MAX_ANSWER_CHARS:,}",
        }
        if slot is not None:
            values["slot_label"] = self.domain.slot_label(state["framework"], slot)
        return values

    def _say(
        self, name: str, state: dict[str, Any], slot: str | None = None, **extra: Any
    ) -> Reply:
        return self.domain.render(name, state["seed"], **self._values(state, slot), **extra)

    def _advance(self, turn: Turn, lead_in: Reply | None = None) -> None:
        """Ask the next queued slot (after `lead_in`, which then carries the question's
        buttons instead of repeating it), or finish."""
        state = turn.state
        if not state["queue"]:
            state["asked"] = None
            state["status"] = "done"
            turn.completed = True
            turn.replies.append(self._say("utter_done", state))
            return
        slot = state["queue"][0]
        state["asked"] = slot
        if slot in state["reconfirm"]:
            old = state["known"][slot]
            question = self._say(
                "utter_reconfirm",
                state,
                slot,
                age_days=_age_days(old["at"], state),
                old_answer=describe_value(slot, old["value"]),
            )
        else:
            question = self.domain.question(
                state["framework"], slot, state["seed"], **self._values(state, slot)
            )
        if lead_in is not None:
            question = Reply(lead_in.text, question.buttons, lead_in.kind)
        turn.replies.append(question)

    def _record(
        self, state: dict[str, Any], slot: str, value: dict[str, Any], raw: str, now: datetime
    ) -> None:
        state["answers"][slot] = {
            "slot": slot,
            "value": validate_value(slot, value),
            "raw": raw,
            "at": _iso(now),
            "source": state.get("via"),
        }
        if slot in state["skipped"]:
            state["skipped"].remove(slot)
        self._resolved(state, slot)

    @staticmethod
    def _resolved(state: dict[str, Any], slot: str) -> None:
        """`slot` leaves the queue (answered, kept or skipped); `back` returns to the
        most recently resolved slot first (`order`)."""
        if slot in state["order"]:
            state["order"].remove(slot)
        state["order"].append(slot)
        if slot in state["queue"]:
            state["queue"].remove(slot)
        if slot in state["reconfirm"]:
            state["reconfirm"].remove(slot)
        state["tries"].pop(slot, None)

    async def _answer(self, turn: Turn, text: str, now: datetime, count_try: bool = True) -> None:
        state = turn.state
        asked = state["asked"]
        outcome = parse_answer(text, now, asked)  # input problems (empty, capped) only
        if outcome.capped:
            turn.replies.append(self._say("utter_too_long", state))
        if asked is not None and asked in state["reconfirm"]:
            reply = _reconfirmation(text)
            if reply == "confirmed":
                known = state["known"][asked]
                value = _refreshed(asked, known["value"], known["at"], now)
                self._record(state, asked, value, text, now)
                still = f"{self._label(state, asked)} still {describe_value(asked, value)}"
                turn.replies.append(self._say("utter_got_it", state, understood=still))
                self._advance(turn)
                return
            if reply == "changed":  # "no": not an answer, ask the question itself
                state["reconfirm"].remove(asked)
                self._advance(turn)
                return
        filled = await self._run_form(state, text[:MAX_ANSWER_CHARS], now)
        for slot, value in filled.items():
            self._record(state, slot, value, text, now)
        if asked in filled:  # `back` returns to the question just answered first
            state["order"].remove(asked)
            state["order"].append(asked)
        if filled:
            understood = "; ".join(
                f"{self._label(state, s)}: {describe_value(s, v)}" for s, v in filled.items()
            )
            turn.replies.append(self._say("utter_got_it", state, understood=understood))
        if asked is not None and asked not in filled:
            if filled or not count_try:  # understood, or just back from a pause: ask again
                self._advance(turn)
                return
            if outcome.problem in ("empty", "no_words"):  # not an attempt: just re-ask
                self._advance(turn, self._say("utter_empty", state))
                return
            tries = state["tries"][asked] = state["tries"].get(asked, 0) + 1
            if tries < MAX_TRIES:
                values = self._values(state, asked)
                self._advance(
                    turn, self.domain.hint(state["framework"], asked, state["seed"], **values)
                )
                return
            if asked in state["answers"]:  # reopened with `change`: keep what it was
                self._keep(turn, asked)
            else:
                self._record(state, asked, unknown_value(asked), text, now)
                turn.replies.append(self._say("utter_gave_up", state, asked))
        self._advance(turn)

    def _keep(self, turn: Turn, slot: str) -> None:
        """Leave `slot` at the answer it already has in this conversation."""
        state = turn.state
        self._resolved(state, slot)
        answer = describe_value(slot, state["answers"][slot]["value"])
        turn.replies.append(self._say("utter_kept", state, slot, answer=answer))

    async def _run_form(
        self, state: dict[str, Any], text: str, now: datetime
    ) -> dict[str, dict[str, Any]]:
        """Run the form's rasa-sdk validation action on `text`; return the slots it set.

        (The action's own hint responses serve Rasa assistants; the engine words its
        re-asks itself, counting tries.)"""
        slots = {s: a["value"] for s, a in state["answers"].items()}
        tracker = {
            "sender_id": str(state["lead"].get("email") or "rep"),
            "slots": {**slots, "requested_slot": state["asked"], **self._values(state)},
            "latest_message": {"text": text, "intent": {}, "entities": []},
            "events": [{"event": "user", "text": text, "timestamp": now.timestamp()}],
            "active_loop": {"name": state["form"]},
            "paused": False,
            "followup_action": None,
            "latest_action_name": "action_listen",
            "latest_event_time": now.timestamp(),
        }
        result = await self.executor.run(
            {
                "next_action": f"validate_{state['form']}",
                "tracker": tracker,
                "domain": self._rasa_domain,
            }
        )
        assert result is not None
        dumped = result.model_dump()
        return {
            e["name"]: e["value"]
            for e in dumped["events"]
            if e.get("event") == "slot" and e.get("value") is not None
        }

    def _label(self, state: dict[str, Any], slot: str) -> str:
        return self.domain.slot_label(state["framework"], slot)

    def _form_labels(self, state: dict[str, Any]) -> dict[str, str]:
        slots = self.config.frameworks[state["framework"]].slots
        return {s: self._label(state, s) for s in slots}

    def _match_slot(self, state: dict[str, Any], typed: str) -> str | None:
        """The form's slot `typed` names: by its label here, its name, or its label in
        any framework ("change money" in a BANT conversation is the budget)."""
        names: dict[str, list[str]] = {}
        for slot, label in self._form_labels(state).items():
            names[slot] = [label, self.config.slots[slot].label] + [
                spec.labels[slot] for spec in self.config.frameworks.values() if slot in spec.labels
            ]
        return match_slot(typed, names)

    def _command(self, turn: Turn, command: Command, now: datetime) -> None:
        state = turn.state
        name = command.name
        if name == "help":
            turn.replies.append(self._say("utter_help", state))
            self._reask(turn)
        elif name == "skip":
            slot = state["asked"]
            if slot is not None and slot in state["answers"]:
                self._keep(turn, slot)  # skipping a reopened question keeps its answer
            elif slot is not None:
                self._resolved(state, slot)
                if slot not in state["skipped"]:
                    state["skipped"].append(slot)
                turn.replies.append(self._say("utter_skipped", state, slot))
            self._advance(turn)
        elif name == "back":
            if not state["order"]:
                turn.replies.append(self._say("utter_nothing_to_go_back_to", state))
                self._reask(turn)
                return
            self._reopen(turn, state["order"][-1])
        elif name == "change":
            labels = self._form_labels(state)
            slot = self._match_slot(state, command.argument or "")
            if slot is None:
                turn.replies.append(
                    self._say("utter_change_unknown_slot", state, slots=", ".join(labels.values()))
                )
                self._reask(turn)
                return
            self._reopen(turn, slot)
        elif name == "summary":
            turn.replies.append(self._summary(state))
            self._reask(turn)
        elif name == "later":
            state["status"] = "paused"
            turn.replies.append(self._say("utter_paused", state))
        elif name == "cancel":
            state["status"] = "cancelled"
            state["asked"] = None
            state["answers"] = {}  # nothing from a cancelled conversation is saved
            turn.cancelled = True
            turn.replies.append(self._say("utter_cancelled", state))

    def _reopen(self, turn: Turn, slot: str) -> None:
        """Ask `slot` again now; an answer it has stays until a new one replaces it."""
        state = turn.state
        if slot in state["order"]:
            state["order"].remove(slot)
        if slot in state["skipped"]:
            state["skipped"].remove(slot)
        if slot in state["reconfirm"]:
            state["reconfirm"].remove(slot)
        if slot in state["queue"]:
            state["queue"].remove(slot)
        state["queue"].insert(0, slot)
        state["tries"].pop(slot, None)
        turn.replies.append(self._say("utter_back", state, slot))
        self._advance(turn)

    def _reask(self, turn: Turn) -> None:
        if turn.state["asked"] is not None:
            self._advance(turn)

    def _summary(self, state: dict[str, Any]) -> Reply:
        lines = []
        for slot, label in self._form_labels(state).items():
            known = state["known"].get(slot)
            if slot in state["answers"]:
                text = describe_value(slot, state["answers"][slot]["value"])
                if slot in state["queue"]:
                    text += " _(changing)_"
            elif known and not known["expired"] and not is_unknown(slot, known["value"]):
                text = describe_value(slot, known["value"]) + " _(already known)_"
            elif slot in state["skipped"]:
                text = "_skipped_"
            elif slot in state["reconfirm"]:
                text = describe_value(slot, known["value"] if known else None) + " _(to reconfirm)_"
            else:
                text = "_not yet_"
            lines.append(f"• *{label}*: {text}")
        remaining = ", ".join(self._label(state, s) for s in state["queue"]) or "nothing"
        return self._say("utter_summary", state, answers="\n".join(lines), remaining=remaining)


def _date_passed(value: dict[str, Any], now: datetime) -> bool:
    """A timeline whose decision date is already behind us."""
    raw = value.get("date") if value.get("status") == "known" else None
    return raw is not None and date.fromisoformat(str(raw)) < now.date()


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()


def _age_days(at: str, state: dict[str, Any]) -> int:
    last = state["events"][-1]["timestamp"] if state["events"] else None
    now = datetime.fromtimestamp(last, UTC) if last else datetime.fromisoformat(state["started_at"])
    return max(0, (now - datetime.fromisoformat(at)).days)


def _reconfirmation(text: str) -> str | None:
    """How `text` answers "Is that still right?": "confirmed" (the old answer stands),
    "changed" (it doesn't, but no new answer given) or None (read it as an answer)."""
    cleaned = " ".join(re.sub(r"[^\w\s']+", " ", text.lower().replace("’", "'")).split())
    if cleaned in _DENY:
        return "changed"
    if cleaned in _CONFIRM_PHRASES:
        return "confirmed"
    words = cleaned.split()
    if words and all(w in _CONFIRM_WORDS for w in words):
        return "confirmed"
    return None


def _refreshed(slot: str, value: dict[str, Any], at: str, now: datetime) -> dict[str, Any]:
    """A confirmed old answer as of `now`: a timeline's horizon counts from the new answer."""
    if slot != "timeline" or value.get("status") != "known":
        return value
    if value.get("date"):
        decision = date.fromisoformat(str(value["date"]))
    elif value.get("horizon_days") is not None:
        decision = datetime.fromisoformat(at).date() + timedelta(days=int(value["horizon_days"]))
    else:
        return value
    return {**value, "date": decision.isoformat(), "horizon_days": (decision - now.date()).days}
