"""rasa-sdk form validation actions: a rep's message → the form's slot values.

One `FormValidationAction` per form of dialogs/domain.yml (`validate_bant_form`,
`validate_champ_form`, …). Each message is read for every slot of the form: the
requested slot as the answer to its question, the others only when clearly present, so
one message can fill several slots. Values follow the JSON contract of DESIGN.md.

Qualibot runs these in process through rasa-sdk's `ActionExecutor` (see
dialogs.engine); teams with a Rasa assistant can serve them unchanged with
`python -m rasa_sdk --actions dialogs.actions`.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from datetime import UTC, datetime
from functools import lru_cache, partial
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from dialogs.domain import load_domain_file
from dialogs.understanding import ParseOutcome, parse_answer
from scoring.values import AnswerValueError, validate_value


def message_time(tracker: Tracker) -> datetime:
    """When the latest user message was sent (relative dates resolve against it)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user" and event.get("timestamp"):
            return datetime.fromtimestamp(float(event["timestamp"]), UTC)
    return datetime.fromtimestamp(time.time(), UTC)


def slot_choices(domain: DomainDict, slot: str) -> list[str] | None:
    """The allowed answers of a custom (categorical) slot, from the domain."""
    spec = domain.get("slots", {}).get(slot) or {}
    values = spec.get("values")
    return [str(v) for v in values] if values else None


@lru_cache(maxsize=64)
def read_message(
    text: str,
    when: datetime,
    requested: str | None,
    choices: tuple[tuple[str, tuple[str, ...]], ...],
) -> ParseOutcome:
    """The whole message read once (rasa-sdk calls `extract_<slot>` once per slot), so
    every slot sees the same reading as `qualibot parse` (words shared between slots go
    to the one asked)."""
    return parse_answer(text, when, requested, choices=dict(choices))


class QualificationFormValidation(FormValidationAction):
    """Validation action for one qualification form; `extract_<slot>` and
    `validate_<slot>` exist for every slot, including custom slots from config.yml."""

    @property
    @abstractmethod
    def form(self) -> str:
        """The form's name, e.g. `bant_form` (subclasses set it as a class attribute)."""

    def name(self) -> str:
        return f"validate_{self.form}"

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("extract_"):
            return partial(self._extract, attr.removeprefix("extract_"))
        if attr.startswith("validate_"):
            return partial(self._validate, attr.removeprefix("validate_"))
        raise AttributeError(attr)

    async def _extract(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        requested = tracker.get_slot("requested_slot")
        choices = tuple(
            (s, tuple(c)) for s in self.domain_slots(domain) if (c := slot_choices(domain, s))
        )
        outcome = read_message(
            tracker.latest_message.get("text") or "", message_time(tracker), requested, choices
        )
        value = outcome.slots.get(slot)
        if value is None:
            if requested == slot:
                dispatcher.utter_message(response=f"utter_hint_{slot}")
            return {}
        return {slot: value}

    async def _validate(
        self,
        slot: str,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if value is None:
            return {slot: None}
        try:
            return {slot: validate_value(slot, value)}
        except AnswerValueError:
            dispatcher.utter_message(response=f"utter_hint_{slot}")
            return {slot: None}


def validation_action(form: str) -> type[QualificationFormValidation]:
    """The validation action class of `form` (made once per form name)."""
    cls = _ACTIONS.get(form)
    if cls is None:
        name = "Validate" + "".join(p.capitalize() for p in form.split("_"))
        # `__module__` must name this module (ABCMeta would record "abc"), and the class
        # must be a module attribute: the rasa-sdk server pickles the registered actions
        # into its worker processes, which find the classes again by module and name.
        cls = type(
            name,
            (QualificationFormValidation,),
            {"form": form, "__module__": __name__, "__qualname__": name},
        )
        _ACTIONS[form] = globals()[name] = cls
    return cls


_ACTIONS: dict[str, type[QualificationFormValidation]] = {}

# One class per form of the shipped domain, defined at import so that
# `python -m rasa_sdk --actions dialogs.actions` registers them.
for _form in load_domain_file().get("forms", {}):
    validation_action(_form)
