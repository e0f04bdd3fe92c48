"""Moodle XML question banks into oqu's YAML quiz format (`oqu quiz import FILE.xml`).

Moodle XML is the one Moodle format that carries every type. Supported: multichoice (single
and multiple answer), truefalse, shortanswer, numerical, matching, essay, description;
categories become `category`. Other types (cloze, drag and drop, calculated …) are reported
at their line, never guessed. A DOCTYPE is refused: entities are a way to make a parser
expand or read what it should not.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

import yaml

LINE = "_oqu_line"


class MoodleXmlError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(message)


@dataclass
class Imported:
    quiz: dict[str, Any] = field(default_factory=dict)
    errors: list[MoodleXmlError] = field(default_factory=list)

    def yaml(self) -> str:
        return yaml.safe_dump(self.quiz, allow_unicode=True, sort_keys=False, width=100)


def parse_xml(text: str) -> ET.Element:
    """The document's root, each element with the line it starts on (in a private attribute)."""
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        raise MoodleXmlError(1, "the file has a DOCTYPE or entities: oqu reads plain Moodle XML only")
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()
    parser.StartElementHandler = lambda tag, attrs: builder.start(
        tag, {**attrs, LINE: str(parser.CurrentLineNumber)}
    )
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(text, True)
        return builder.close()
    except expat.ExpatError as error:
        raise MoodleXmlError(
            error.lineno, f"not well-formed XML: {expat.errors.messages[error.code]}"
        ) from None
    except AssertionError:  # TreeBuilder: the document ended inside an element
        raise MoodleXmlError(
            parser.CurrentLineNumber, "not well-formed XML: the document ends too early"
        ) from None


def import_moodle_xml(text: str, title: str) -> Imported:
    """The bank as an oqu quiz (a practice quiz titled `title`), or every problem found."""
    result = Imported()
    try:
        root = parse_xml(text)
    except MoodleXmlError as error:
        result.errors.append(error)
        return result
    if root.tag != "quiz":
        result.errors.append(MoodleXmlError(_line(root), f"expected <quiz>, found <{root.tag}>"))
        return result
    category, questions = "", []
    for element in root.findall("question"):
        kind = element.get("type", "")
        if kind == "category":
            category = _text(element.find("category")).rsplit("/", 1)[-1]
            continue
        try:
            question = convert(element, kind)
        except MoodleXmlError as error:
            result.errors.append(error)
            continue
        if category:
            question["category"] = category
        questions.append(question)
    if not questions and not result.errors:
        result.errors.append(MoodleXmlError(_line(root), "the file has no questions"))
    result.quiz = {"title": title, "kind": "practice", "questions": questions}
    return result


def _line(element: ET.Element) -> int:
    return int(element.get(LINE, "1"))


def _text(element: ET.Element | None) -> str:
    if element is None:
        return ""
    inner = element.find("text")
    return ((inner.text if inner is not None else element.text) or "").strip()


def _fraction(answer: ET.Element) -> float:
    try:
        return float(answer.get("fraction", "0"))
    except ValueError:
        raise MoodleXmlError(_line(answer), f"fraction '{answer.get('fraction')}' is not a number") from None


def _base(element: ET.Element, kind: str) -> dict[str, Any]:
    text = _text(element.find("questiontext"))
    if not text:
        raise MoodleXmlError(_line(element), f"question '{_text(element.find('name'))}' has no text")
    question_text = element.find("questiontext")
    fmt = question_text.get("format", "html") if question_text is not None else "html"
    question: dict[str, Any] = {"type": kind, "text": text}
    if fmt in ("html", "markdown"):
        question["format"] = fmt
    elif fmt in ("plain_text", "moodle_auto_format"):
        question["format"] = "plain"
    grade = element.find("defaultgrade")
    if grade is not None and grade.text and kind != "description" and float(grade.text) != 1:
        question["points"] = float(grade.text)
    feedback = _text(element.find("generalfeedback"))
    if feedback:
        question["feedback"] = feedback
    return question


def _with_feedback(item: dict[str, Any], answer: ET.Element) -> dict[str, Any]:
    feedback = _text(answer.find("feedback"))
    return {**item, "feedback": feedback} if feedback else item


def convert(element: ET.Element, kind: str) -> dict[str, Any]:
    converter = CONVERTERS.get(kind)
    if converter is None:
        raise MoodleXmlError(
            _line(element), f"question type '{kind}' cannot be imported (supported: {', '.join(CONVERTERS)})"
        )
    return converter(element)


def _multichoice(element: ET.Element) -> dict[str, Any]:
    single = (element.findtext("single") or "true").strip().lower() in ("true", "1")
    question = _base(element, "single" if single else "multiple")
    options = []
    for answer in element.findall("answer"):
        fraction = _fraction(answer)
        option: dict[str, Any] = {"text": _text(answer)}
        if fraction == 100 and single:
            option["correct"] = True
        elif fraction:
            option["credit"] = fraction
        options.append(_with_feedback(option, answer))
    question["options"] = options
    return question


def _truefalse(element: ET.Element) -> dict[str, Any]:
    question = _base(element, "true-false")
    for answer in element.findall("answer"):
        value = _text(answer).lower() == "true"
        if _fraction(answer) == 100:
            question["answer"] = value
            if _text(answer.find("feedback")):
                question["right_feedback"] = _text(answer.find("feedback"))
        elif _text(answer.find("feedback")):
            question["wrong_feedback"] = _text(answer.find("feedback"))
    if "answer" not in question:
        raise MoodleXmlError(_line(element), "a true/false question without a right answer")
    return question


def _shortanswer(element: ET.Element) -> dict[str, Any]:
    question = _base(element, "short")
    question["answers"] = [
        _with_feedback({"text": _text(a)} | ({"credit": _fraction(a)} if _fraction(a) != 100 else {}), a)
        for a in element.findall("answer")
        if _fraction(a) > 0
    ]
    return question


def _numerical(element: ET.Element) -> dict[str, Any]:
    question = _base(element, "numeric")
    answers = []
    for answer in element.findall("answer"):
        text = _text(answer)
        if text == "*":
            if _text(answer.find("feedback")):
                question["other_feedback"] = _text(answer.find("feedback"))
            continue
        try:
            value, tolerance = float(text), float(answer.findtext("tolerance") or 0)
        except ValueError:
            raise MoodleXmlError(_line(answer), f"numeric answer '{text}' is not a number") from None
        item: dict[str, Any] = {"value": value}
        if tolerance:
            item["tolerance"] = tolerance
        if _fraction(answer) != 100:
            item["credit"] = _fraction(answer)
        answers.append(_with_feedback(item, answer))
    question["answers"] = answers
    return question


def _matching(element: ET.Element) -> dict[str, Any]:
    question = _base(element, "matching")
    pairs, distractors = [], []
    for sub in element.findall("subquestion"):
        left, right = _text(sub), _text(sub.find("answer"))
        if left:
            pairs.append({"left": left, "right": right})
        elif right:
            distractors.append(right)
    question["pairs"] = pairs
    if distractors:
        question["distractors"] = distractors
    return question


CONVERTERS = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "matching": _matching,
    "essay": lambda element: _base(element, "essay"),
    "description": lambda element: _base(element, "description"),
}
