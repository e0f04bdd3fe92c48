"""Turn schema violations into `path:line: message` problems a teacher can act on."""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from builder.problems import Problems, did_you_mean
from builder.yamlsource import Loc, YamlDocument

M = TypeVar("M", bound=BaseModel)

_KIND_WORDS = {
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
    "datetime_type": "a date and time (YYYY-MM-DD HH:MM)",
    "datetime_parsing": "a date and time (YYYY-MM-DD HH:MM)",
    "datetime_from_date_parsing": "a date and time (YYYY-MM-DD HH:MM)",
}


def validate_document(doc: YamlDocument, model: type[M], path: Path, problems: Problems) -> M | None:
    """Validate `doc` against `model`; report every violation at its line; None if any."""
    for loc, line in doc.duplicates:
        problems.error(path, line, f"duplicate key '{loc[-1]}'")
    data = {} if doc.data is None else doc.data
    if not isinstance(data, dict):
        problems.error(path, doc.first_line, "expected a mapping of keys to values")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for loc, error in _unique_errors(exc.errors(), model):
            problems.error(path, doc.line_of(loc), describe_error(error, model, loc))
        return None


def _unique_errors(errors: list[Any], model: type[BaseModel]) -> list[tuple[Loc, Any]]:
    """Union fields yield one error per branch: keep the first per place."""
    seen: set[Loc] = set()
    unique = []
    for error in errors:
        loc = yaml_loc(model, error["loc"])
        if loc not in seen:
            seen.add(loc)
            unique.append((loc, error))
    return unique


def yaml_loc(model: type[BaseModel], loc: tuple[Any, ...]) -> Loc:
    """The error's place in the YAML: pydantic's union-branch labels ('date', 'str' …) dropped."""
    cleaned: list[str | int] = []
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            cleaned.append(part)
            current = _unwrap(current, sequence=True)
        elif isinstance(current, type) and issubclass(current, BaseModel) and part in current.model_fields:
            cleaned.append(part)
            current = _unwrap(current.model_fields[part].annotation, sequence=False)
        elif not (isinstance(current, type) and issubclass(current, BaseModel)) and cleaned:
            continue  # a branch label inside a union or a non-model value
        else:
            cleaned.append(part)  # an unknown key: keep it for the message
            current = None
    return tuple(cleaned)


def describe_error(error: Any, model: type[BaseModel], loc: Loc) -> str:
    kind = error["type"]
    key = _key_name(loc)
    if kind == "extra_forbidden":
        known = _known_keys(model, loc[:-1])
        return f"unknown key '{loc[-1]}'{did_you_mean(str(loc[-1]), known)}"
    if kind == "missing":
        return f"missing required key '{key}'"
    if kind == "literal_error":
        expected = error["ctx"]["expected"]
        return f"'{key}' must be one of {expected}, not '{error['input']}'"
    if kind in _KIND_WORDS:
        return f"'{key}' must be {_KIND_WORDS[kind]}, not '{_shown(error['input'])}'"
    if kind == "greater_than":
        return f"'{key}' must be greater than {error['ctx']['gt']}"
    if kind == "greater_than_equal":
        return f"'{key}' must be at least {error['ctx']['ge']}"
    if kind == "too_short":
        return f"'{key}' must have at least {error['ctx']['min_length']} item(s)"
    if kind == "value_error":
        message = str(error["ctx"]["error"])
        return f"'{key}': {message}" if key else message
    return f"'{key}': {error['msg']}" if key else error["msg"]


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _key_name(loc: Loc) -> str:
    for part in reversed(loc):
        if isinstance(part, str):
            return part
    return ""


def _known_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            current = _unwrap(current, sequence=True)
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(part)
        if field is None:
            return []
        current = _unwrap(field.annotation, sequence=False)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any, sequence: bool) -> Any:
    """The model class inside Optional[...] / list[...] annotations."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if sequence and origin is list and args:
        return _unwrap(args[0], sequence=False)
    if origin in (typing.Union, types.UnionType):
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if models else annotation
    return annotation
