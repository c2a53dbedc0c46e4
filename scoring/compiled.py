"""A scoring model turned into fast matchers, built once per model and cached on it."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scoring.config import Condition, EngagementRule, ScoringModel, normalize_event_name
from scoring.decay import decay_function

Predicate = Callable[[dict[str, Any]], bool]


@dataclass(slots=True, frozen=True)
class CompiledRule:
    index: int
    rule: EngagementRule
    key: str  # rule id in explanations: "engagement.<id>"
    matches: Predicate
    decay: Callable[[float], float]  # age in days → factor
    per_day: int | None
    per_week: int | None
    once_per: str | None
    positive: bool  # its events count as activity (inactivity is measured from them)


@dataclass(slots=True, frozen=True)
class SeniorityMatcher:
    rule: str  # "seniority.<id>"; explanations prefix it with "fit.profile."
    label: str
    points: float
    pattern: re.Pattern[str]


@dataclass(slots=True, frozen=True)
class CompiledModel:
    model: ScoringModel
    name: str
    fingerprint: str  # changes whenever the engagement rules change
    rules_by_event: dict[str, tuple[CompiledRule, ...]]
    rules_by_id: dict[str, CompiledRule]
    rules: tuple[CompiledRule, ...]  # in config order
    seniority: tuple[SeniorityMatcher, ...]
    junior_title: re.Pattern[str] | None
    industry_points: dict[str, float]
    country_points: dict[str, float]
    email_domains: tuple[tuple[str, str, float, frozenset[str], tuple[str, ...]], ...]
    # (event type, id(properties)) → (properties, rule, once_per tag): see `match_event`
    matches: dict[tuple[str, int], tuple[dict[str, Any], CompiledRule | None, str | None]] = field(
        default_factory=dict
    )
    titles: dict[str, SeniorityMatcher | None] = field(default_factory=dict)  # `seniority_for`


def keyword_pattern(keywords: list[str]) -> re.Pattern[str]:
    """Case-insensitive whole-word match of any keyword."""
    alternatives = "|".join(re.escape(k.strip().lower()) for k in keywords)
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])", re.IGNORECASE)


def _lookup(props: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = props
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _norm(v: Any) -> Any:
    return v.lower() if isinstance(v, str) else v


def _num(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    return None


def _condition(path: tuple[str, ...], cond: Condition) -> Predicate:
    tests: list[Callable[[Any], bool]] = []
    if cond.exists is not None:
        want = cond.exists
        tests.append(lambda v: (v is not None) == want)
    if cond.eq is not None:
        eq = _norm(cond.eq)
        tests.append(lambda v: _norm(v) == eq)
    if cond.ne is not None:
        ne = _norm(cond.ne)
        tests.append(lambda v: _norm(v) != ne)
    if cond.in_ is not None:
        allowed = {_norm(x) for x in cond.in_}
        tests.append(lambda v: _norm(v) in allowed)
    if cond.starts_with is not None:
        prefix = cond.starts_with.lower()
        tests.append(lambda v: isinstance(v, str) and v.lower().startswith(prefix))
    if cond.contains is not None:
        part = cond.contains.lower()
        tests.append(lambda v: isinstance(v, str) and part in v.lower())
    for op, bound in (("gte", cond.gte), ("gt", cond.gt), ("lte", cond.lte), ("lt", cond.lt)):
        if bound is not None:
            tests.append(_numeric_test(op, bound))
    if len(path) == 1:
        key = path[0]

        def get(props: dict[str, Any]) -> Any:
            return props.get(key)
    else:

        def get(props: dict[str, Any]) -> Any:
            return _lookup(props, path)

    if len(tests) == 1:
        test = tests[0]
        return lambda props: test(get(props))
    return lambda props: all(t(get(props)) for t in tests)


def _numeric_test(op: str, bound: float) -> Callable[[Any], bool]:
    def test(v: Any) -> bool:
        n = _num(v)
        if n is None:
            return False
        return {"gte": n >= bound, "gt": n > bound, "lte": n <= bound, "lt": n < bound}[op]

    return test


def _rule_predicate(rule: EngagementRule) -> Predicate:
    preds = []
    for key, cond in rule.where.items():
        path = tuple(key.split("."))
        preds.append(_condition(path, cond if isinstance(cond, Condition) else Condition(eq=cond)))
    if not preds:
        return lambda props: True
    if len(preds) == 1:
        return preds[0]
    return lambda props: all(p(props) for p in preds)


_COMPILED: dict[int, CompiledModel] = {}


def compile_model(model: ScoringModel) -> CompiledModel:
    """The model's compiled form, built once per model object (config is never mutated)."""
    cached = _COMPILED.get(id(model))
    if cached is not None and cached.model is model:
        return cached
    by_event: dict[str, list[CompiledRule]] = {}
    by_id: dict[str, CompiledRule] = {}
    for i, rule in enumerate(model.engagement.rules):
        cap = rule.cap
        compiled = CompiledRule(
            index=i,
            rule=rule,
            key=f"engagement.{rule.id}",
            matches=_rule_predicate(rule),
            decay=decay_function(rule.decay),
            per_day=cap.per_day if cap else None,
            per_week=cap.per_week if cap else None,
            once_per=cap.once_per if cap else None,
            positive=rule.points > 0,
        )
        by_id[rule.id] = compiled
        for name in rule.event:
            by_event.setdefault(name, []).append(compiled)
    rules_json = json.dumps(model.engagement.model_dump(mode="json", by_alias=True), sort_keys=True)
    junior = model.flags.authority_title_mismatch
    profile = model.fit.profile
    result = CompiledModel(
        model=model,
        name=model.name,
        fingerprint=hashlib.sha1(rules_json.encode()).hexdigest()[:12],
        rules_by_event={k: tuple(v) for k, v in by_event.items()},
        rules_by_id=by_id,
        rules=tuple(by_id.values()),
        seniority=tuple(
            SeniorityMatcher(f"seniority.{r.id}", r.label, r.points, keyword_pattern(r.keywords))
            for r in profile.seniority
        ),
        junior_title=keyword_pattern(junior.junior_keywords) if junior else None,
        industry_points={k.strip().lower(): v for k, v in profile.industry.points.items()},
        country_points={k.strip().upper(): v for k, v in profile.country.points.items()},
        email_domains=tuple(
            (
                list_id,
                dl.label,
                dl.points,
                frozenset(d.lower() for d in dl.domains),
                tuple(x.lower() for x in dl.suffixes),
            )
            for list_id, dl in profile.email_domains.items()
        ),
    )
    _COMPILED[id(model)] = result
    return result


def match_rule(
    compiled: CompiledModel, event_type: str, props: dict[str, Any]
) -> CompiledRule | None:
    """The first rule that counts this event, if any."""
    rules = compiled.rules_by_event.get(event_type)
    if rules is None:
        rules = compiled.rules_by_event.get(normalize_event_name(event_type), ())
    for rule in rules:
        if rule.matches(props):
            return rule
    return None


MATCH_MEMO = 20_000


def match_event(
    compiled: CompiledModel, event_type: str, props: dict[str, Any]
) -> tuple[dict[str, Any], CompiledRule | None, str | None]:
    """`(props, rule, tag)`: the rule that counts the event and its `once_per` tag.

    Histories repeat the same (type, properties) pairs, often sharing one properties dict
    (storage decodes identical JSON once), so answers are remembered per dict identity.
    The memo holds the dict, so its id cannot be reused by another one meanwhile; callers
    never mutate event properties.
    """
    memo = compiled.matches
    key = (event_type, id(props))
    hit = memo.get(key)
    if hit is None:
        rule = match_rule(compiled, event_type, props)
        tag = None
        if rule is not None and rule.once_per is not None:
            value = props.get(rule.once_per)
            tag = None if value is None else str(value)
        if len(memo) >= MATCH_MEMO:
            memo.clear()
        hit = memo[key] = (props, rule, tag)
    return hit


def seniority_for(compiled: CompiledModel, title: str) -> SeniorityMatcher | None:
    """The first seniority rule whose keywords the title holds (titles repeat: remembered)."""
    memo = compiled.titles
    if title in memo:
        return memo[title]
    found = next((m for m in compiled.seniority if m.pattern.search(title)), None)
    if len(memo) >= MATCH_MEMO:
        memo.clear()
    memo[title] = found
    return found
