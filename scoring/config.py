"""The scoring configuration: pydantic schema of config.yml's scoring part.

Everything a sales-ops person tunes lives here as data: slots and their expiry, frameworks,
and one or more scoring models (fit points, profile rules, engagement rules, weights,
tiers, grades, the qualified gate, contradiction flags). `scoring.config_loader` turns YAML
text into a `QualibotConfig` with file:line errors.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from scoring.notify_config import AlertsSpec, DigestName, DigestSpec, JobsSpec, NudgeSpec
from scoring.values import (
    CANONICAL_SLOTS,
    AuthorityRole,
    BudgetStatus,
    NeedLevel,
    PriorityLevel,
)

_ID = r"^[a-z][a-z0-9_]*$"


class Strict(BaseModel):
    """Base for config sections: unknown keys are errors (they are usually typos)."""

    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- slots and frameworks


class SlotSpec(Strict):
    label: str
    max_age_days: int | None = Field(default=None, gt=0)
    choices: list[str] | None = None  # custom slots only: the allowed answers

    @field_validator("choices")
    @classmethod
    def _choices_unique(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and len(set(v)) != len(v):
            raise ValueError("choices must be unique")
        return v


class FrameworkSpec(Strict):
    label: str
    slots: list[str] = Field(min_length=1)
    labels: dict[str, str] = Field(default_factory=dict)  # framework's own name for a slot


# ---------------------------------------------------------------- fit: answers


UNKNOWN = "unknown"


class TimelineBand(Strict):
    within_days: int = Field(ge=0)
    points: float


class AmountBand(Strict):
    min: float = Field(ge=0)
    points: float


class TimelinePoints(Strict):
    bands: list[TimelineBand] = Field(default_factory=list)
    later: float = 0  # known date beyond every band
    passed: float = 0  # the date has gone by (stale answer)
    unknown: float = 0
    none: float = 0  # "no timeline", "not this year"

    @field_validator("bands")
    @classmethod
    def _sorted(cls, v: list[TimelineBand]) -> list[TimelineBand]:
        return sorted(v, key=lambda b: b.within_days)


class AnswerPoints(Strict):
    """Fit points per answer value. A slot never answered scores its `unknown` points."""

    budget: dict[BudgetStatus, float] = Field(default_factory=dict)
    budget_amount: list[AmountBand] = Field(default_factory=list)  # annualized, first match
    authority: dict[AuthorityRole, float] = Field(default_factory=dict)
    need: dict[NeedLevel | Literal["unknown"], float] = Field(default_factory=dict)
    timeline: TimelinePoints = Field(default_factory=TimelinePoints)
    priority: dict[PriorityLevel | Literal["unknown"], float] = Field(default_factory=dict)
    custom: dict[str, dict[str, float]] = Field(default_factory=dict)  # custom slot → choice

    @field_validator("budget_amount")
    @classmethod
    def _desc(cls, v: list[AmountBand]) -> list[AmountBand]:
        return sorted(v, key=lambda b: -b.min)


# ---------------------------------------------------------------- fit: profile


class SeniorityRule(Strict):
    id: str = Field(pattern=_ID)
    label: str
    keywords: list[str] = Field(min_length=1)
    points: float


class SizeBand(Strict):
    min: int = Field(ge=0)
    max: int | None = None
    points: float

    @model_validator(mode="after")
    def _order(self) -> SizeBand:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"max ({self.max}) is below min ({self.min})")
        return self


class ValuePoints(Strict):
    points: dict[str, float] = Field(default_factory=dict)
    other: float = 0  # a value not in the table
    missing: float = 0  # no value on the lead


class DomainList(Strict):
    label: str
    points: float
    domains: list[str] = Field(default_factory=list)
    suffixes: list[str] = Field(default_factory=list)  # e.g. ".edu"


class ProfileRules(Strict):
    seniority: list[SeniorityRule] = Field(default_factory=list)  # first match on title wins
    industry: ValuePoints = Field(default_factory=ValuePoints)
    company_size: list[SizeBand] = Field(default_factory=list)  # first band that holds it
    country: ValuePoints = Field(default_factory=ValuePoints)
    email_domains: dict[str, DomainList] = Field(default_factory=dict)  # first match wins


class FitSpec(Strict):
    max_points: float = Field(gt=0)
    answers: AnswerPoints = Field(default_factory=AnswerPoints)
    profile: ProfileRules = Field(default_factory=ProfileRules)


# ---------------------------------------------------------------- engagement


Scalar = str | int | float | bool


class Condition(Strict):
    """A test on one event property (dotted path). Several keys must all hold."""

    eq: Scalar | None = None
    ne: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    starts_with: str | None = None
    contains: str | None = None
    gte: float | None = None
    gt: float | None = None
    lte: float | None = None
    lt: float | None = None
    exists: bool | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        if not self.model_fields_set:
            raise ValueError(
                "a condition needs at least one of eq, ne, in, starts_with, "
                "contains, gte, gt, lte, lt, exists"
            )
        return self


class DecayStep(Strict):
    after_days: float = Field(ge=0)
    factor: float = Field(ge=0, le=1)


class Decay(Strict):
    half_life_days: float | None = Field(default=None, gt=0)
    steps: list[DecayStep] | None = None
    max_age_days: float | None = Field(default=None, gt=0)  # older than this counts 0

    @model_validator(mode="after")
    def _one_kind(self) -> Decay:
        if self.half_life_days is not None and self.steps is not None:
            raise ValueError("use either half_life_days or steps, not both")
        if self.steps is not None:
            self.steps = sorted(self.steps, key=lambda s: s.after_days)
        return self


class Cap(Strict):
    per_day: int | None = Field(default=None, ge=1)  # UTC calendar day
    per_week: int | None = Field(default=None, ge=1)  # ISO week
    once_per: str | None = None  # property: the same value counts once (e.g. asset_id)

    @model_validator(mode="after")
    def _exclusive(self) -> Cap:
        if self.once_per and (self.per_day or self.per_week):
            raise ValueError("once_per cannot be combined with per_day/per_week")
        if self.per_day and self.per_week and self.per_week < self.per_day:
            raise ValueError("per_week must be at least per_day")
        return self


@lru_cache(maxsize=4096)
def normalize_event_name(name: str) -> str:
    """'Page Viewed', 'PageViewed', 'page-viewed' → 'page_viewed': the one event-name rule,
    used by config rules, storage and the scorer alike (cached: names repeat a lot)."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.strip())
    return re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()


class EngagementRule(Strict):
    id: str = Field(pattern=_ID)
    label: str
    event: list[str]
    where: dict[str, Condition | Scalar] = Field(default_factory=dict)
    points: float
    decay: Decay | None = None
    cap: Cap | None = None

    @field_validator("event", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("event")
    @classmethod
    def _normalize(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("name at least one event")
        return [normalize_event_name(e) for e in v]


class Inactivity(Strict):
    after_days: float = Field(gt=0)
    points: float = Field(le=0)
    every_days: float | None = Field(default=None, gt=0)  # repeat the penalty every N days
    max_penalty: float | None = Field(default=None, le=0)


class EngagementSpec(Strict):
    max_points: float = Field(gt=0)
    rules: list[EngagementRule] = Field(default_factory=list)  # first matching rule counts
    inactivity: Inactivity | None = None

    @field_validator("rules")
    @classmethod
    def _unique_ids(cls, v: list[EngagementRule]) -> list[EngagementRule]:
        seen: set[str] = set()
        for rule in v:
            if rule.id in seen:
                raise ValueError(f"duplicate rule id '{rule.id}'")
            seen.add(rule.id)
        return v


# ---------------------------------------------------------------- grades, tiers, gate, flags


class Weights(Strict):
    fit: float = Field(ge=0, le=1)
    engagement: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _sum(self) -> Weights:
        if abs(self.fit + self.engagement - 1) > 1e-9:
            raise ValueError(f"fit + engagement must be 1 (got {self.fit + self.engagement:g})")
        return self


class Tiers(Strict):
    hot: float = Field(ge=0, le=100)
    warm: float = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _order(self) -> Tiers:
        if self.warm >= self.hot:
            raise ValueError(f"warm ({self.warm:g}) must be below hot ({self.hot:g})")
        return self


class Bands(Strict):
    """Lower bounds on a 0–100 scale for the three best bands; below the last is the worst."""

    first: float
    second: float
    third: float

    @model_validator(mode="after")
    def _desc(self) -> Bands:
        if not (100 >= self.first > self.second > self.third >= 0):
            raise ValueError("bands must decrease: 100 ≥ first > second > third ≥ 0")
        return self


class Grades(Strict):
    fit: Bands  # letters A, B, C, else D
    engagement: Bands  # digits 1, 2, 3, else 4


class Criterion(Strict):
    """One requirement of the qualified gate: a slot value, a timeline, or a minimum."""

    id: str = Field(pattern=_ID)
    label: str
    slot: str | None = None
    in_: list[str] | None = Field(default=None, alias="in")
    within_days: int | None = Field(default=None, ge=0)  # timeline only
    min_fit: float | None = None
    min_engagement: float | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _one_kind(self) -> Criterion:
        kinds = sum(x is not None for x in (self.slot, self.min_fit, self.min_engagement))
        if kinds != 1:
            raise ValueError("a criterion needs exactly one of slot, min_fit, min_engagement")
        if self.slot is not None and self.in_ is None and self.within_days is None:
            raise ValueError("a slot criterion needs `in` (accepted values) or `within_days`")
        if self.within_days is not None and self.slot != "timeline":
            raise ValueError("within_days applies to the timeline slot only")
        return self


class UrgentInactiveFlag(Strict):
    timeline_within_days: int = Field(ge=0)
    inactive_days: int = Field(gt=0)


class TitleMismatchFlag(Strict):
    junior_keywords: list[str] = Field(min_length=1)


class FlagsSpec(Strict):
    urgent_but_inactive: UrgentInactiveFlag | None = None
    authority_title_mismatch: TitleMismatchFlag | None = None
    budget_without_need: bool = True
    timeline_passed: bool = True
    negative_signal: bool = True  # an unsubscribe/bounce on a lead that still scores warm+


class ScoringModel(Strict):
    """One complete scoring model; products may each have their own."""

    description: str = ""
    weights: Weights
    fit: FitSpec
    engagement: EngagementSpec
    tiers: Tiers
    grades: Grades
    qualification: list[Criterion] = Field(default_factory=list)
    flags: FlagsSpec = Field(default_factory=FlagsSpec)

    _name: str = PrivateAttr(default="default")

    @property
    def name(self) -> str:
        """The model's key under `models:` ("default" or a product)."""
        # Straight from pydantic's private store: `self._name` takes pydantic's
        # `__getattr__` fallback (~1.7 µs), and ingest reads it for every lead it rescores.
        name: str = self.__pydantic_private__["_name"]  # type: ignore[index]
        return name


class ScoringConfig(Strict):
    """All of config.yml: scoring, plus the notification sections (scoring.notify_config)."""

    version: Literal[1] = 1
    slots: dict[str, SlotSpec]
    frameworks: dict[str, FrameworkSpec]
    models: dict[str, ScoringModel]
    products: dict[str, str] = Field(default_factory=dict)  # product → model name
    alerts: AlertsSpec = Field(default_factory=AlertsSpec)
    digests: dict[DigestName, DigestSpec] = Field(default_factory=dict)
    nudges: NudgeSpec = Field(default_factory=NudgeSpec)
    jobs: JobsSpec = Field(default_factory=JobsSpec)

    @field_validator("slots")
    @classmethod
    def _canonical_present(cls, v: dict[str, SlotSpec]) -> dict[str, SlotSpec]:
        missing = [s for s in CANONICAL_SLOTS if s not in v]
        if missing:
            raise ValueError(f"the canonical slots must be declared: missing {', '.join(missing)}")
        for name, spec in v.items():
            if not re.match(_ID, name):
                raise ValueError(f"slot name '{name}' must be lower_snake_case")
            if name in CANONICAL_SLOTS and spec.choices is not None:
                raise ValueError(f"'{name}' is canonical: its values are fixed, drop `choices`")
            if name not in CANONICAL_SLOTS and not spec.choices:
                raise ValueError(f"custom slot '{name}' needs `choices`")
        return v

    @model_validator(mode="after")
    def _cross_refs(self) -> ScoringConfig:
        if "default" not in self.models:
            raise ValueError("models: a `default` model is required")
        for fname, fw in self.frameworks.items():
            for slot in [*fw.slots, *fw.labels]:
                if slot not in self.slots:
                    raise ValueError(f"frameworks.{fname}: unknown slot '{slot}'")
        for mname, model in self.models.items():
            model._name = mname
            for slot, table in model.fit.answers.custom.items():
                spec = self.slots.get(slot)
                if spec is None or spec.choices is None:
                    raise ValueError(
                        f"models.{mname}.fit.answers.custom: '{slot}' is not a "
                        "custom slot declared under `slots`"
                    )
                bad = [c for c in table if c not in spec.choices and c != UNKNOWN]
                if bad:
                    raise ValueError(
                        f"models.{mname}.fit.answers.custom.{slot}: unknown "
                        f"choice(s) {', '.join(bad)}"
                    )
            for crit in model.qualification:
                if crit.slot is not None and crit.slot not in self.slots:
                    raise ValueError(
                        f"models.{mname}.qualification.{crit.id}: unknown slot '{crit.slot}'"
                    )
        for product, mname in self.products.items():
            if mname not in self.models:
                raise ValueError(f"products.{product}: unknown model '{mname}'")
        return self

    def model_for(self, product: str | None) -> ScoringModel:
        """The model for a lead's product: `products` mapping, a model of that name, or default."""
        if product:
            key = product.strip().lower()
            for prod, mname in self.products.items():
                if prod.lower() == key:
                    return self.models[mname]
            for mname, model in self.models.items():
                if mname.lower() == key:
                    return model
        return self.models["default"]
