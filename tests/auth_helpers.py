"""Small helpers of the sign-in tests, importable from any test folder (unlike `conftest`)."""

from __future__ import annotations

import re

PASSWORD = "құпия-сөз-2026"  # the same as tests/service/conftest.py's default
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from_form(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no csrf_token field in the page"
    return match[1]


EXAMPLE_TEACHER = "oqytushy@oqu.example.kz"  # created by tests/browser/conftest.py for the example site
