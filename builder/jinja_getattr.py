"""Jinja's attribute lookup (`x.y` in a template) without the exceptions where the answer is known.

Jinja compiles `x.y` to `environment.getattr(x, "y")`: `getattr(x, "y")`, and on AttributeError
`x["y"]`, and on TypeError, LookupError or AttributeError an undefined value. Material's templates
read most of their settings from dictionaries (`config.extra.oqu`, `config.theme.icon.menu`,
`config.mdx_configs.toc`) and ask pages and sections for attributes they do not have
(`nav_item.pages`, `nav_item.meta.icon` on None): each such lookup raised and formatted one or two
exceptions (~14,000 per course project of the 1,000-lesson bench site, Jinja's `getattr` ~4 % of
a project's CPU).

Whether `getattr` can find an attribute is known without trying when the object's type looks
attributes up the default way (no `__getattr__`, the generic `__getattribute__`): then only the
type (its MRO) and the instance's `__dict__` hold them. When neither holds the name, the lookup
goes straight to `x["y"]` (and, for a type without `__getitem__`, where that raises TypeError,
straight to the undefined value), with Jinja's own exception handling. Everything else goes to
Jinja's method. The answer per (type, name) is remembered; a class changed at run time (an
attribute added to it later) is not seen, which no template-side type here does.

Installed on an environment only when Jinja's `Environment.getattr` has the source this was
written against (`WRITTEN_FOR`); otherwise Jinja's own method runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jinja2

# sha256 of `jinja2.Environment.getattr`'s source (Jinja 3.1.6).
WRITTEN_FOR = "9d52d65b450cc1679dd617aab13892c5856ecc1b850eaa16e3e74a38bf403388"
# False: Jinja's own method on every environment (read at `install`: the tests comparing the two set it).
ENABLED = True

# The `__getattribute__` of types that look attributes up the generic way (PyObject_GenericGetAttr).
_GENERIC = (object.__getattribute__, dict.__getattribute__)


def source_digest() -> str:
    from builder.library_source import source_digest as digest

    return digest(jinja2.Environment.getattr)


@functools.cache
def applies() -> bool:
    """Whether the installed Jinja's `getattr` is the one this module reproduces (once per process)."""
    return source_digest() == WRITTEN_FOR


def install(env: jinja2.Environment) -> None:
    """Give `env` the fast lookup (an instance attribute: the compiled templates call
    `environment.getattr`) and the `attr` filter without its static lookup where the class has
    the name."""
    if ENABLED and applies() and "getattr" not in vars(env):
        env.getattr = fast_getattr(env)  # type: ignore[method-assign,assignment]
    if ENABLED and attr_applies() and env.filters.get("attr") is jinja2.filters.do_attr:
        env.filters["attr"] = fast_attr()


# sha256 of `jinja2.filters.do_attr`'s source (Jinja 3.1.6).
ATTR_WRITTEN_FOR = "61731fb77ca8885050ad568f032eabbf7ee6c2b9f00cff3ec51bdcb351ed5ec1"


@functools.cache
def attr_applies() -> bool:
    from builder.library_source import source_digest

    return source_digest(jinja2.filters.do_attr) == ATTR_WRITTEN_FOR


def fast_attr() -> Callable[..., Any]:
    """Jinja's `attr` filter (`foo | attr("bar")`: the attribute, never the item). It asks
    `inspect.getattr_static` first (~40 µs for a plugin object: Material's header asks
    `config.plugins["material/search"] | attr("config")` on every page), and whatever that
    finds, returns `environment.getattr(obj, name)`. `getattr_static` finds a name that a class
    of the object's MRO holds in its own dictionary whenever no metaclass there shadows
    `__dict__` (plain `type` and `ABCMeta` do not): then the answer is that call at once.
    Remembered per (type, name), like `fast_getattr`."""
    import abc

    do_attr = jinja2.filters.do_attr
    on_class: dict[tuple[type, str], bool] = {}

    @jinja2.pass_environment
    def attr(environment: jinja2.Environment, obj: Any, name: Any) -> Any:
        if type(name) is str and not isinstance(obj, type):
            cls = type(obj)
            found = on_class.get((cls, name))
            if found is None:
                mro = cls.__mro__
                plain = all(type(base) in (type, abc.ABCMeta) for base in mro)
                found = on_class[(cls, name)] = plain and any(name in vars(base) for base in mro)
            if found:
                return environment.getattr(obj, name)
        return do_attr(environment, obj, name)

    return attr


# How a (type, name) lookup is answered: None, by Jinja's method; else (look in the instance's
# `__dict__` first, then the item (True) or the undefined value (False)).
_Kind = tuple[bool, bool] | None


def fast_getattr(env: jinja2.Environment) -> Callable[[Any, str], Any]:
    """`env.getattr(obj, attribute)`, the same result without trying what cannot be found."""
    kinds: dict[tuple[type, str], _Kind] = {}

    def getattr_(obj: Any, attribute: str) -> Any:
        cls = type(obj)
        try:
            kind = kinds[(cls, attribute)]
        except KeyError:
            kind = kinds[(cls, attribute)] = _kind(cls, attribute)
        if kind is None or (kind[0] and attribute in obj.__dict__):  # Jinja's `getattr`, as it is
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        elif not kind[1]:  # no such attribute, and obj[attribute] would raise TypeError
            return env.undefined(obj=obj, name=attribute)
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return env.undefined(obj=obj, name=attribute)

    return getattr_


def _kind(cls: type, attribute: str) -> _Kind:
    """How `getattr(obj, attribute)` goes for an instance of `cls` (see `_Kind`). The generic lookup
    finds a name only in the dictionary of a class of the MRO (methods, properties, slots, any
    descriptor) or in the instance's `__dict__`: the MRO is read statically (no descriptor is
    asked anything). A class (an instance of a metaclass) is left to Jinja: its lookup and its
    subscript (`__class_getitem__`) are the type's own."""
    if not isinstance(attribute, str) or issubclass(cls, type) or cls.__getattribute__ not in _GENERIC:
        return None
    if _on_type(cls, "__getattr__") or _on_type(cls, attribute):
        return None
    return (cls.__dictoffset__ != 0, _on_type(cls, "__getitem__"))


def _on_type(cls: type, name: str) -> bool:
    return any(name in vars(base) for base in cls.__mro__)
