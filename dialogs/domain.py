"""The conversation domain: dialogs/domain.yml (Rasa format) completed from config.yml.

`Domain` renders responses (`{name}` templating from slot values, as Rasa does) and
builds the domain dict that rasa-sdk's executor needs, with one form per framework of
config.yml and custom slots declared as categorical slots carrying their choices.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from scoring.config import ScoringConfig
from scoring.values import CANONICAL_SLOTS

DOMAIN_PATH = Path(__file__).with_name("domain.yml")


@dataclass(frozen=True, slots=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One bot message: text (Slack mrkdwn) and optional quick-reply buttons."""

    text: str
    buttons: tuple[Button, ...] = ()
    kind: str = "text"  # the response name it came from, e.g. "utter_ask_bant_form_budget"


@cache
def load_domain_file(path: Path = DOMAIN_PATH) -> dict[str, Any]:
    """The parsed domain.yml (cached; treat as read-only)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "responses" not in data:
        raise ValueError(f"{path}: not a Rasa domain (no `responses`)")
    return data


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def form_name(framework: str) -> str:
    return f"{framework}_form"


@dataclass
class Domain:
    """domain.yml plus the frameworks and slots of a scoring config."""

    config: ScoringConfig
    data: dict[str, Any] = field(default_factory=load_domain_file)

    def slot_label(self, framework: str, slot: str) -> str:
        spec = self.config.frameworks.get(framework)
        if spec is not None and slot in spec.labels:
            return spec.labels[slot]
        slot_spec = self.config.slots.get(slot)
        return slot_spec.label if slot_spec is not None else slot.replace("_", " ").title()

    def choices(self, slot: str) -> list[str] | None:
        spec = self.config.slots.get(slot)
        return None if spec is None else spec.choices

    def rasa_domain(self) -> dict[str, Any]:
        """The domain dict for rasa-sdk: forms from config.yml, custom slots with values."""
        slots = dict(self.data.get("slots", {}))
        for name, spec in self.config.slots.items():
            if name not in CANONICAL_SLOTS and spec.choices is not None:
                slots[name] = {
                    "type": "categorical",
                    "values": list(spec.choices),
                    "influence_conversation": False,
                    "mappings": [{"type": "custom"}],
                }
        forms = {
            form_name(fw): {"required_slots": list(spec.slots)}
            for fw, spec in self.config.frameworks.items()
        }
        actions = list(self.data.get("actions") or [])
        actions += [f"validate_{form}" for form in forms if f"validate_{form}" not in actions]
        return {**self.data, "slots": slots, "forms": forms, "actions": actions}

    def has_response(self, name: str) -> bool:
        return bool(self.data["responses"].get(name))

    def render(self, name: str, seed: int = 0, **values: Any) -> Reply:
        """Response `name` (one of its variations, picked by `seed`), filled from `values`."""
        variants = self.data["responses"].get(name)
        if not variants:
            raise KeyError(f"domain.yml has no response {name!r}")
        chosen = variants[random.Random(f"{name}:{seed}").randrange(len(variants))]
        filled = _Missing({k: "" if v is None else v for k, v in values.items()})
        text = string.Formatter().vformat(chosen.get("text", ""), (), filled)
        buttons = tuple(
            Button(str(b["title"]), str(b["payload"])) for b in chosen.get("buttons") or ()
        )
        return Reply(text, buttons, name)

    def question(self, framework: str, slot: str, seed: int = 0, **values: Any) -> Reply:
        """The question for `slot` in `framework`'s form (see domain.yml's header)."""
        values = {"slot_label": self.slot_label(framework, slot), **values}
        for name in (f"utter_ask_{form_name(framework)}_{slot}", f"utter_ask_{slot}"):
            if self.has_response(name):
                return self.render(name, seed, **values)
        choices = self.choices(slot) or []
        shown = [c.replace("_", " ") for c in choices]
        listed = " or ".join(filter(None, [", ".join(shown[:-1]), *shown[-1:]]))
        reply = self.render("utter_ask_choice", seed, **{**values, "choices": listed})
        buttons = tuple(Button(s.capitalize(), c) for s, c in zip(shown, choices, strict=True))
        return Reply(reply.text, (*buttons, Button("Not sure", "not sure")), reply.kind)

    def hint(self, framework: str, slot: str, seed: int = 0, **values: Any) -> Reply:
        """What to say when an answer to `slot` was not understood."""
        values = {"slot_label": self.slot_label(framework, slot), **values}
        if self.has_response(f"utter_hint_{slot}"):
            return self.render(f"utter_hint_{slot}", seed, **values)
        choices = ", ".join(self.choices(slot) or [])
        return self.render("utter_hint_choice", seed, **{**values, "choices": choices})
