"""The date and number formats the quiz script gets from the builder (issue 12, items 2 and 6):
the same CLDR data as the schedule's times, since Chromium's Intl has no Kazakh locale."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest

from builder.i18n import format_datetime, script_formats
from builder.quizzes.publish import quiz_placeholder


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_script_writes_a_moment_as_the_schedule_does(lang: str) -> None:
    formats = script_formats(lang)
    moment = dt.datetime(2026, 12, 14, 14, 0)
    scripted = formats["date_pattern"].format(
        year=moment.year, day=moment.day, month=formats["months"][moment.month - 1], time="14:00"
    )
    assert scripted == format_datetime(moment, lang)


def test_kazakh_and_russian_write_a_decimal_comma() -> None:
    assert [(script_formats(lang)["decimal"], script_formats(lang)["group"]) for lang in ("kk", "ru", "en")] == [
        (",", "\xa0"), (",", "\xa0"), (".", ","),
    ]  # fmt: skip
    assert script_formats("kk")["date_pattern"] == "{year} жылғы {day} {month}, {time}"


def test_the_quiz_element_carries_them() -> None:
    element = quiz_placeholder("fire-safety", "combustion-check", "kk")
    words = json.loads(html.unescape(re.search(r'data-words="([^"]*)"', element).group(1)))  # type: ignore[union-attr]
    assert words["months"][11] == "желтоқсан" and words["decimal"] == ","
    assert words["zone.Asia/Almaty"] == "Алматы уақыты"
