"""Parse config YAML text into validated models, reporting problems as file:line: what.

Pure (text in, models out); reading the file is the caller's business.
"""

from __future__ import annotations

import copy
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Path = tuple[Hashable, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class ConfigProblem:
    source: str
    line: int | None  # 1-based
    column: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}:{self.column}"
        return f"{where}: {self.path + ': ' if self.path else ''}{self.message}"


class ConfigError(ValueError):
    """The configuration is invalid; `problems` says where and what."""

    def __init__(self, problems: list[ConfigProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _MarkedLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last)."""


def _construct_mapping(loader: _MarkedLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        seen[key] = key_node
    return loader.construct_mapping(node)


_MarkedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _collect_marks(node: yaml.Node, path: Path, marks: dict[Path, yaml.Mark]) -> None:
    marks[path] = node.start_mark
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, key_node.value)
            _collect_marks(value_node, child, marks)
            marks[child] = key_node.start_mark  # point at the key, it is what people look for
            marks[(*child, "__value__")] = value_node.start_mark
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _collect_marks(item, (*path, i), marks)


def parse_yaml(text: str, source: str) -> tuple[Any, dict[Path, yaml.Mark]]:
    """YAML text → (data, marks by path). Syntax errors raise ConfigError with the line."""
    try:
        node = yaml.compose(text, Loader=_MarkedLoader)
        data = yaml.load(text, Loader=_MarkedLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ConfigError(
            [
                ConfigProblem(
                    source,
                    mark.line + 1 if mark else None,
                    mark.column + 1 if mark else None,
                    "",
                    f"invalid YAML: {exc.problem or exc.context}",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError([ConfigProblem(source, None, None, "", f"invalid YAML: {exc}")]) from None
    marks: dict[Path, yaml.Mark] = {}
    if node is not None:
        _collect_marks(node, (), marks)
    return data, marks


def _deep_merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _deep_merge(base[key], value) if key in base else value
        return merged
    return copy.deepcopy(override)


def resolve_model_extends(data: Any) -> tuple[Any, dict[str, str]]:
    """Apply `extends: <model>` under `models` (deep merge, lists replaced).

    Returns the merged data and which model each one extends (to locate inherited lines).
    """
    if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
        return data, {}
    models: dict[str, Any] = data["models"]
    parents: dict[str, str] = {}
    for name, body in models.items():
        if isinstance(body, dict) and isinstance(body.get("extends"), str):
            parents[str(name)] = body["extends"]
    resolved: dict[str, Any] = {}

    def resolve(name: str, chain: tuple[str, ...]) -> Any:
        if name in resolved:
            return resolved[name]
        body = models[name]
        parent = parents.get(name)
        if parent is not None:
            if parent in chain:
                raise ValueError(f"models.{name}.extends: cycle {' → '.join((*chain, parent))}")
            if parent not in models:
                raise ValueError(f"models.{name}.extends: unknown model '{parent}'")
            own = {k: v for k, v in body.items() if k != "extends"}
            body = _deep_merge(resolve(parent, (*chain, parent)), own)
        resolved[name] = body
        return body

    out = dict(data)
    out["models"] = {name: resolve(str(name), (str(name),)) for name in models}
    return out, parents


def _locate(path: Path, marks: dict[Path, yaml.Mark], parents: dict[str, str]) -> yaml.Mark | None:
    """The mark of `path`, or of its nearest ancestor; inherited settings map to the parent."""
    candidates = [path]
    while len(candidates) <= len(parents):
        probe = candidates[-1]
        if len(probe) >= 2 and probe[0] == "models" and str(probe[1]) in parents:
            candidates.append(("models", parents[str(probe[1])], *probe[2:]))
        else:
            break
    best: tuple[int, yaml.Mark] | None = None
    for cand in candidates:
        for cut in range(len(cand), -1, -1):
            if cand[:cut] in marks:
                if best is None or cut > best[0]:
                    best = (cut, marks[cand[:cut]])
                break
    return best[1] if best else None


def _dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_config_text(text: str, model: type[M], source: str = "config.yml") -> M:
    """Parse and validate YAML `text` into `model`; raise ConfigError listing every problem."""
    data, marks = parse_yaml(text, source)
    if data is None:
        raise ConfigError([ConfigProblem(source, 1, 1, "", "the file is empty")])
    if not isinstance(data, dict):
        raise ConfigError([ConfigProblem(source, 1, 1, "", "the top level must be a mapping")])
    try:
        data, parents = resolve_model_extends(data)
    except ValueError as exc:
        raise ConfigError([ConfigProblem(source, None, None, "", str(exc))]) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems: list[ConfigProblem] = []
        seen: set[tuple[int | None, int | None, str]] = set()
        for err in exc.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
            loc = tuple("in" if p == "in_" else p for p in loc)
            mark = _locate(loc, marks, parents)
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key (typo?)"
            line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
            if (line, column, msg) in seen:  # the same inherited line, reported once
                continue
            seen.add((line, column, msg))
            problems.append(ConfigProblem(source, line, column, _dotted(loc), msg))
        raise ConfigError(problems) from None
