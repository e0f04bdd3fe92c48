"""Jinja's attribute lookup without the exceptions whose outcome is known (builder/jinja_getattr.py):
the same value or the same undefined value as Jinja's own `Environment.getattr`, and the same site."""

from __future__ import annotations

import os
from collections import UserDict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest
from test_mkdocs_setup import _differences  # the same tree comparison

import builder.jinja_getattr as jinja_getattr
from builder.pipeline import build_site


class Plain:
    kind = "class attribute"

    def __init__(self) -> None:
        self.own = "instance attribute"

    @property
    def raises(self) -> str:
        raise AttributeError("from a property")


class Mapping(Plain):
    def __getitem__(self, key: str) -> str:
        if key == "boom":
            raise AttributeError(key)
        if key == "bad":
            raise ValueError(key)  # not one of Jinja's: it propagates
        return f"item {key}"


class Dynamic:
    def __getattr__(self, name: str) -> str:
        return f"dynamic {name}"


class Slotted:
    __slots__ = ("slot",)

    def __init__(self) -> None:
        self.slot = "slot value"


class InstanceOnly:
    """A descriptor that raises on the class (`hasattr(cls, name)` is False) and answers on instances."""

    def __get__(self, obj: Any, owner: Any = None) -> str:
        if obj is None:
            raise AttributeError("instances only")
        return "from the descriptor"


class Shy:
    a = InstanceOnly()

    def __getitem__(self, key: str) -> str:
        return f"item {key}"


class Generic:
    def __class_getitem__(cls, key: str) -> str:
        return f"class item {key}"


def _objects() -> list[Any]:
    later = Plain()
    later.added = "added to the instance"  # type: ignore[attr-defined]
    empty_slots = Slotted.__new__(Slotted)  # the slot not set: AttributeError from the descriptor
    return [
        {"a": 1, "items": "shadowed by dict.items", "keys": 2},
        {},
        None,
        Plain(),
        later,
        Mapping(),
        Dynamic(),
        Slotted(),
        empty_slots,
        Shy(),
        Generic,  # a class: subscripted through __class_getitem__
        Generic(),
        UserDict({"a": "user dict"}),
        SimpleNamespace(a="namespace"),
        [1, 2],
        "text",
        jinja2.Undefined(name="u"),
        jinja2.Environment().undefined(name="v"),
        3,
    ]


NAMES = [
    "a",
    "own",
    "kind",
    "raises",
    "added",
    "missing",
    "items",
    "keys",
    "slot",
    "boom",
    "x",
    "__class__",
    "upper",
]


def _same(expected: Any, got: Any) -> bool:
    if isinstance(expected, jinja2.Undefined):
        return (
            type(got) is type(expected)
            and got._undefined_obj is expected._undefined_obj
            and got._undefined_name == expected._undefined_name
        )
    return got == expected and type(got) is type(expected)


@pytest.mark.parametrize("undefined", [jinja2.Undefined, jinja2.StrictUndefined, jinja2.ChainableUndefined])
def test_every_lookup_is_jinjas(undefined: type[jinja2.Undefined]) -> None:
    env = jinja2.Environment(undefined=undefined)
    fast = jinja_getattr.fast_getattr(env)
    for _ in range(2):  # the first lookup of a (type, name) and the remembered one
        for obj in _objects():
            for name in NAMES:
                try:
                    expected: Any = env.getattr(obj, name)
                except Exception as exc:  # the same exception is expected
                    with pytest.raises(type(exc)):
                        fast(obj, name)
                    continue
                assert _same(expected, fast(obj, name)), (obj, name)
    assert env.getattr(Mapping(), "boom") is not None
    with pytest.raises(ValueError):
        fast(Mapping(), "bad")


def test_the_guard_is_the_installed_jinja(monkeypatch: pytest.MonkeyPatch) -> None:
    assert jinja_getattr.applies(), "Jinja's getattr changed: compare with builder/jinja_getattr.py"
    env = jinja2.Environment()
    jinja_getattr.install(env)
    assert "getattr" in vars(env)
    monkeypatch.setattr(jinja_getattr, "WRITTEN_FOR", "0" * 64)
    jinja_getattr.applies.cache_clear()
    try:
        other = jinja2.Environment()
        jinja_getattr.install(other)
        assert "getattr" not in vars(other)  # Jinja's own method
    finally:
        monkeypatch.undo()
        jinja_getattr.applies.cache_clear()


def test_templates_render_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    source = (
        "{{ config.extra.oqu.banner }}|{{ config.theme.icon.menu or 'material/menu' }}|{{ page.meta.title }}"
        "|{{ page.nope is defined }}|{{ none_value.icon is defined }}|{{ d.items is defined }}|{{ d.x }}"
    )
    values = {
        "config": {"extra": {"oqu": {"banner": "B"}}, "theme": UserDict({"icon": {}})},
        "page": SimpleNamespace(meta={"title": "T"}),
        "none_value": None,
        "d": {"x": "X"},
    }
    fast_env, jinja_env = jinja2.Environment(), jinja2.Environment()
    jinja_getattr.install(fast_env)
    assert "getattr" in vars(fast_env)
    ours = fast_env.from_string(source).render(values)
    assert ours == jinja_env.from_string(source).render(values) == "B|material/menu|T|False|False|True|X"


def test_the_site_is_the_same_with_jinjas_getattr(
    minimal_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    fast = jinja_getattr.fast_getattr

    def counted(env: jinja2.Environment) -> Any:
        lookup = fast(env)

        def getattr_(obj: Any, attribute: str) -> Any:
            calls.append(1)
            return lookup(obj, attribute)

        return getattr_

    monkeypatch.setattr(jinja_getattr, "fast_getattr", counted)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # the projects built in this process: counted
    build_site(minimal_site, minimal_site / "fast", paper=False)
    assert len(calls) > 1000
    monkeypatch.setattr(jinja_getattr, "ENABLED", False)
    calls.clear()
    build_site(minimal_site, minimal_site / "jinja", paper=False)
    assert calls == []
    assert _differences(minimal_site / "fast/site", minimal_site / "jinja/site") == []


def test_the_attr_filter_is_jinjas() -> None:
    """`obj | attr(name)`: the same value or undefined value as Jinja's filter, for names on the
    class, only on the instance, dynamic, missing, and for classes themselves."""
    env = jinja2.Environment()
    fast = jinja_getattr.fast_attr()
    assert jinja_getattr.attr_applies(), "Jinja's do_attr changed: compare with builder/jinja_getattr.py"
    for _ in range(2):
        for obj in _objects():
            for name in NAMES:
                try:
                    expected: Any = jinja2.filters.do_attr(env, obj, name)
                except Exception as exc:  # the same exception is expected
                    with pytest.raises(type(exc)):
                        fast(env, obj, name)
                    continue
                assert _same(expected, fast(env, obj, name)), (obj, name)
    installed = jinja2.Environment()
    jinja_getattr.install(installed)
    template = installed.from_string(
        "{{ (p | attr('own')) }} {{ (p | attr('kind')) }} {{ (m | attr('x')) is defined }}"
    )
    assert template.render(p=Plain(), m=Mapping()) == "instance attribute class attribute False"
