"""What every in-process app of a test process would make again the same way, made once per
process: each test still makes its own app (`create_app`) on its own database, and these caches
serve only what depends on nothing of the test (a rule's text, a template's source text, the
`OQU_*` environment). Installed by `apps_made_cheaply` (tests/conftest.py) for the tests that make
apps: tests/service (all of it) and tests/search/test_search_api.py; imported only there, so
that a builder-only run does not load the service."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket
from werkzeug.routing import BaseConverter, Rule
from werkzeug.routing.rules import RulePart

from quiz_service.core import config


@contextmanager
def made_cheaply() -> Iterator[None]:
    """The four caches below, for as long as the context lasts."""
    with pytest.MonkeyPatch.context() as patch:
        route_builders_compiled_once(patch)
        rules_parsed_once(patch)
        settings_read_once_per_environment(patch)
        templates_compiled_once(patch)
        yield


def route_builders_compiled_once(patch: pytest.MonkeyPatch) -> None:
    """Every test makes its own app, and werkzeug compiles Python source for each of its ~180
    routes' URL builders (twice): 60 % of `create_app`'s time, ~80 s of CPU over the suite. A
    builder depends only on the rule's text, its parsed parts and its argument names (converters
    are looked up on the rule when a URL is built), so one compiled per such key serves every app.
    A rule whose default fills a part of its path bakes a converted value in: compiled each time."""
    original = Rule._compile_builder
    compiled = _COMPILED_BUILDERS

    def compile_once(rule: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        defaults = rule.defaults or {}
        if any(name in rule._converters for name in defaults):
            return original(rule, append_unknown)
        key = (rule.rule, tuple(rule._trace), append_unknown, tuple(sorted(defaults)))
        if key not in compiled:
            compiled[key] = original(rule, append_unknown)
        return compiled[key]

    patch.setattr(Rule, "_compile_builder", compile_once)


ParsedRule = tuple[
    list[RulePart], list[tuple[bool, str]], list[tuple[str, str, tuple[Any, ...], dict[str, Any]]]
]


def rules_parsed_once(patch: pytest.MonkeyPatch) -> None:
    """Each app binds its ~200 rules to its own map, and werkzeug parses each rule's text again
    (a regular expression per part, the converters' patterns and weights): about half of
    `create_app`'s time once the builders above are shared. The parse depends only on the text
    and the map's converter classes, so it is kept per worker and replayed for the next app:
    the same parts (read only by the matcher), the same trace and arguments, and the rule's own
    converters made again for its own map, with the arguments the text gave them."""
    original = Rule._parse_rule
    parsed = _PARSED_RULES

    def parse_once(rule: Rule, text: str) -> Iterator[RulePart]:
        assert rule.map is not None
        key = (type(rule), text, tuple(sorted(rule.map.converters.items(), key=lambda item: item[0])))
        if key not in parsed:
            made: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = []
            make_converter = rule.get_converter

            def recorded(
                variable: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
            ) -> BaseConverter:
                made.append((variable, name, args, kwargs))
                return make_converter(variable, name, args, kwargs)

            traced = len(rule._trace)
            rule.get_converter = recorded  # type: ignore[method-assign]  # this rule's parse only
            try:
                parts = list(original(rule, text))
            finally:
                del rule.get_converter
            parsed[key] = (parts, rule._trace[traced:], made)
            return iter(parts)
        parts, trace, made = parsed[key]
        for variable, name, args, kwargs in made:
            rule._converters[variable] = rule.get_converter(variable, name, args, kwargs)
            rule.arguments.add(variable)
        rule._trace.extend(trace)
        return iter(parts)

    patch.setattr(Rule, "_parse_rule", parse_once)


def settings_read_once_per_environment(patch: pytest.MonkeyPatch) -> None:
    """Every app reads its ten settings models (pydantic-settings walks the environment and each
    field's type per model: ~15 % of `create_app`). Kept per worker for the same model and the same
    `OQU_*` variables (a test that sets one gets its own reading); each caller gets its own copy."""
    original = config.read_settings
    read = _SETTINGS_READ

    def read_once(
        model: type[config.SettingsModel], environ: Mapping[str, str] | None = None
    ) -> config.SettingsModel:
        source = os.environ if environ is None else environ
        given = tuple(
            sorted((name, value) for name, value in source.items() if name.upper().startswith("OQU_"))
        )
        key = (model, environ is None, given)
        if key not in read:
            read[key] = original(model, environ)
        settings = read[key]
        assert isinstance(settings, model)
        return settings.model_copy(deep=True)

    patch.setattr(config, "read_settings", read_once)


class TemplatesCompiledOnce(BytecodeCache):
    """Jinja's compiled templates kept in memory for every app of this worker. Each test's app
    has its own Jinja environment, which compiled every template it rendered again (parse,
    generate Python, `compile`): 16 % of a page-rendering module's CPU. A template is still
    read from its file each time and its compiled code used only while that text is the same
    (Jinja's checksum) and the environment compiles alike (its extensions and syntax options)."""

    def __init__(self) -> None:
        self.stored: dict[str, bytes] = {}

    def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Bucket:
        options = (
            sorted(environment.extensions), getattr(environment, "newstyle_gettext", None),
            environment.block_start_string, environment.variable_start_string, environment.comment_start_string,
            environment.line_statement_prefix, environment.line_comment_prefix, environment.trim_blocks,
            environment.lstrip_blocks, environment.newline_sequence, environment.keep_trailing_newline,
            environment.optimized, environment.finalize is not None, environment.is_async,
            environment.autoescape(name) if callable(environment.autoescape) else environment.autoescape,
        )  # fmt: skip
        bucket = Bucket(
            environment, self.get_cache_key(f"{name}|{options!r}", filename), self.get_source_checksum(source)
        )
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.stored:
            bucket.bytecode_from_string(self.stored[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.stored[bucket.key] = bucket.bytecode_to_string()


def templates_compiled_once(patch: pytest.MonkeyPatch) -> None:
    """Every app of the worker gets the one `TemplatesCompiledOnce` (Flask passes `jinja_options`
    to each app's Jinja environment)."""
    patch.setattr(Flask, "jinja_options", {**Flask.jinja_options, "bytecode_cache": _TEMPLATES})


# The stores, one per process: every `made_cheaply()` of the process (the session fixture, each
# in-process `oqu` command of tests/site_server.py, each child of tests/service_launcher.py) fills
# and reads the same ones.
_COMPILED_BUILDERS: dict[tuple[object, ...], Callable[..., tuple[str, str]]] = {}
_PARSED_RULES: dict[tuple[object, ...], ParsedRule] = {}
_SETTINGS_READ: dict[tuple[object, ...], config.OquSettings] = {}
_TEMPLATES = TemplatesCompiledOnce()
