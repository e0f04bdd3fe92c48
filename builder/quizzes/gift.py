"""Moodle's GIFT format, read as Moodle's importer reads it, but strict where Moodle guesses.

Every problem is reported at the line it stands on; a file with errors yields no questions.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

from builder.quizzes.model import NumericAnswer, Option, Pair, Question
from builder.quizzes.normalize import parse_number
from builder.quizzes.types import true_false

ESCAPABLE = "~=#{}:"
FORMATS = ("html", "moodle", "plain", "markdown")
_TF = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_WEIGHT = re.compile(r"^%(-?[0-9]+(?:\.[0-9]+)?)%")
_META = re.compile(r"\[(id|tag):((?:\\.|[^\]\\])+)\]")  # Moodle writes a ']' inside as '\]'
_CONTEXT = re.compile(r"^\$[a-z]+\$/")  # $course$/, $system$/, $module$/, $coursecategory$/
_MOODLE_FILE = "@@PLUGINFILE@@"


LineAt = Callable[[int], int]


class GiftError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(message)


@dataclass
class Block:
    """One question's lines (comments taken out) with the line number of each."""

    lines: list[tuple[int, str]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(text for _, text in self.lines)

    def line_at(self, offset: int) -> int:
        index = self.text.count("\n", 0, max(offset, 0))
        return self.lines[min(index, len(self.lines) - 1)][0]


@dataclass
class GiftResult:
    questions: list[Question] = field(default_factory=list)
    errors: list[GiftError] = field(default_factory=list)
    warnings: list[GiftError] = field(default_factory=list)


def parse_gift(text: str) -> GiftResult:
    """Every question of a GIFT file, or every error in it."""
    result = GiftResult()
    category = ""
    for block in split_blocks(text.lstrip("\ufeff")):
        first_line = block.lines[0][0]
        if block.lines[0][1].lstrip().startswith("$CATEGORY:"):
            if len(block.lines) > 1:
                result.errors.append(
                    GiftError(block.lines[1][0], "$CATEGORY must stand alone, with a blank line after it")
                )
            category = category_path(block.lines[0][1].split(":", 1)[1])
            continue
        try:
            question = parse_question(block, category, default_id=f"q{len(result.questions) + 1}")
        except GiftError as error:
            result.errors.append(error)
            continue
        if _MOODLE_FILE in block.text:
            result.warnings.append(
                GiftError(first_line, f"{_MOODLE_FILE} names a Moodle file that a GIFT export does not carry")
            )
        if question.id in {q.id for q in result.questions}:
            result.errors.append(GiftError(first_line, f"question id '{question.id}' is used twice"))
        result.questions.append(question)
    return result


def category_path(raw: str) -> str:
    """Moodle's `$course$/top/Өрт/Сыныптар` as the path below the top category: `Өрт/Сыныптар`.

    Moodle writes a slash inside a category's name as `//`; it reads here as a separator too.
    """
    parts = [part.strip() for part in _CONTEXT.sub("", raw.strip()).split("/")]
    parts = [part for part in parts if part]
    return "/".join(parts[1:] if parts[:1] == ["top"] else parts)


def split_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    current = Block()
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("//"):
            meta = [(kind, value.replace("\\]", "]").strip()) for kind, value in _META.findall(line)]
            current.ids += [value for kind, value in meta if kind == "id"]
            current.tags += [value for kind, value in meta if kind == "tag"]
        elif line.strip():
            current.lines.append((number, line))
        elif current.lines:
            blocks.append(current)
            current = Block()
    if current.lines:
        blocks.append(current)
    return blocks


def find_unescaped(text: str, target: str, start: int = 0) -> int:
    """Index of the first `target` not preceded by a backslash escape, or -1."""
    index = start
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text.startswith(target, index):
            return index
        index += 1
    return -1


def unescape(text: str) -> str:
    out = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            out.append(
                "\n" if following == "n" else following if following in ESCAPABLE + "\\" else char + following
            )
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out).strip()


def parse_question(block: Block, category: str, default_id: str) -> Question:
    text = block.text
    start_line = block.lines[0][0]
    title, body_start = _title(text, block)
    fmt, body_start = _format(text, body_start)
    opening = find_unescaped(text, "{", body_start)
    if opening < 0:
        closing = find_unescaped(text, "}", body_start)
        if closing >= 0:
            raise GiftError(
                block.line_at(closing),
                "'}' closes an answer block that was never opened (write \\} for a brace)",
            )
        return _base(block, default_id, "description", unescape(text[body_start:]), title, fmt, category, 0.0)
    closing = find_unescaped(text, "}", opening)
    if closing < 0:
        raise GiftError(block.line_at(opening), "the answer block '{' is never closed with '}'")
    after = text[closing + 1 :]
    if find_unescaped(after, "{") >= 0:
        raise GiftError(
            block.line_at(closing + 1 + find_unescaped(after, "{")), "a question has one answer block only"
        )
    before = text[body_start:opening]
    stem = _missing_word(unescape(before), unescape(after))
    answers = text[opening + 1 : closing]
    base = _base(block, default_id, "essay", stem.strip(), title, fmt, category, 1.0)
    if not base.text:
        raise GiftError(start_line, "the question has no text")
    return parse_answers(answers, base, lambda offset: block.line_at(opening + 1 + offset))


def _missing_word(before: str, after: str) -> str:
    """Text after the answer block makes a missing-word question: the blank stands where the block was."""
    if not after:
        return before
    return f"{before} _____{'' if after[0] in '.,;:!?)' else ' '}{after}"


def _title(text: str, block: Block) -> tuple[str, int]:
    stripped = len(text) - len(text.lstrip())
    if not text.startswith("::", stripped):
        return "", 0
    end = find_unescaped(text, "::", stripped + 2)
    if end < 0:
        raise GiftError(block.lines[0][0], "the title '::' is never closed with '::'")
    return unescape(text[stripped + 2 : end]), end + 2


def _format(text: str, start: int) -> tuple[str, int]:
    rest = text[start:].lstrip()
    match = re.match(r"\[(\w+)\]", rest)
    if not match or match.group(1) not in FORMATS:
        return "markdown", start
    fmt = {"moodle": "plain"}.get(match.group(1), match.group(1))
    return fmt, len(text) - len(rest) + match.end()


def _base(
    block: Block, default_id: str, kind: str, text: str, title: str, fmt: str, category: str, points: float
) -> Question:
    if len(block.ids) > 1:
        raise GiftError(block.lines[0][0], "a question has one [id:…] only")
    return Question(
        id=block.ids[0] if block.ids else default_id,
        type=kind,
        text=text,
        line=block.lines[0][0],
        format=fmt,
        title=title,
        points=points,
        category=category,
        tags=tuple(block.tags),
    )


def parse_answers(answers: str, base: Question, at: LineAt) -> Question:
    general = find_unescaped(answers, "####")
    feedback = ""
    if general >= 0:
        feedback = rich_text(answers[general + 4 :], base.format)
        answers = answers[:general]
    base = dataclasses.replace(base, feedback=feedback)
    body = answers.strip()
    offset = answers.find(body) if body else 0
    if not body:
        return base  # {} is an essay
    if body.startswith("#"):
        return _numeric(body[1:], base, lambda i: at(offset + 1 + i))
    tokens = _tokens(body, lambda i: at(offset + i))
    if any(prefix == "~" for prefix, _, _ in tokens):
        return _choice(tokens, base)
    if any("->" in text for _, text, _ in tokens):
        return _matching(tokens, base)
    if not tokens:
        if unescape(_split_all(body, "#")[0]).strip().upper() in _TF:
            return _true_false(body, base, at(offset))
        # Moodle reads a block with no '=', '~' or '#' prefix as one short answer: {One}
        return _short([("=", body, at(offset))], base)
    return _short(tokens, base)


def _tokens(body: str, at: LineAt) -> list[tuple[str, str, int]]:
    """Answers as (prefix '=' or '~', raw text, line); the block must start with one."""
    starts = [i for i in range(len(body)) if body[i] in "=~" and _not_escaped(body, i)]
    if not starts:
        return []
    if body[: starts[0]].strip():
        raise GiftError(
            at(0), f"'{body[: starts[0]].strip()[:30]}' stands before the first answer ('=' or '~')"
        )
    tokens = []
    for index, begin in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(body)
        tokens.append((body[begin], body[begin + 1 : end], at(begin)))
    return tokens


def _not_escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and text[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 0


def _split_feedback(raw: str, fmt: str) -> tuple[str, str]:
    """(the answer as written, its feedback as text)."""
    cut = find_unescaped(raw, "#")
    return (raw, "") if cut < 0 else (raw[:cut], rich_text(raw[cut + 1 :], fmt))


def rich_text(raw: str, question_format: str) -> str:
    """An answer's or a feedback's text. It has the question's format unless it starts with its own
    (Moodle writes `[moodle]…` for an answer whose format differs); HTML is reduced to its text,
    because the page shows options and feedback as text."""
    text = unescape(raw)
    match = re.match(r"\[(\w+)\]", text)
    fmt = question_format
    if match and match.group(1) in FORMATS:
        fmt, text = match.group(1), text[match.end() :].strip()
    return html_to_text(text) if fmt == "html" else text


class _TextOfHtml(HTMLParser):
    BLOCKS = frozenset({"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data.replace("\n", " "))


def html_to_text(text: str) -> str:
    """`<p dir="ltr">Жалын&nbsp;түбіне</p>` → `Жалын түбіне`: tags dropped, entities decoded,
    paragraphs and `<br>` kept as line breaks, spaces (and no-break spaces) collapsed."""
    parser = _TextOfHtml()
    parser.feed(text)
    parser.close()
    lines = (" ".join(line.replace("\xa0", " ").split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _weight(raw: str, line: int) -> tuple[float | None, str]:
    text = raw.lstrip()
    if not text.startswith("%"):
        return None, raw
    match = _WEIGHT.match(text)
    if not match:
        raise GiftError(line, f"'{text.split()[0][:20]}' is not a credit like %50% or %-100%")
    value = float(match.group(1))
    if not -100 <= value <= 100:
        raise GiftError(line, f"credit {value:g}% is outside -100% … 100%")
    return value / 100, text[match.end() :]


def _choice(tokens: list[tuple[str, str, int]], base: Question) -> Question:
    options = []
    for prefix, raw, line in tokens:
        weight, rest = _weight(raw, line)
        if prefix == "=" and weight is not None:
            raise GiftError(line, "'=' marks a right answer (100%); write ~%50% for partial credit")
        raw_text, feedback = _split_feedback(rest, base.format)
        text = rich_text(raw_text, base.format)
        if not text:
            raise GiftError(line, "an answer has no text")
        fraction = 1.0 if prefix == "=" else (weight or 0.0)
        options.append(Option(text, fraction, feedback))
    first = tokens[0][2]
    if len(options) < 2:
        raise GiftError(first, "a multiple-choice question needs at least two answers")
    single = any(prefix == "=" for prefix, _, _ in tokens)
    if not single:
        total = sum(o.fraction for o in options if o.fraction > 0)
        if abs(total - 1) > 0.001:
            raise GiftError(
                first,
                f"the positive credits add up to {total * 100:g}%, not 100% (a question without '=' is multiple-answer)",
            )
    _unique([o.text for o in options], first, "answer")
    return dataclasses.replace(base, type="single" if single else "multiple", options=tuple(options))


def _short(tokens: list[tuple[str, str, int]], base: Question) -> Question:
    answers = []
    for _, raw, line in tokens:
        weight, rest = _weight(raw, line)
        text, feedback = _split_feedback(rest, base.format)
        if not unescape(text):
            raise GiftError(line, "an answer has no text")
        if weight is not None and weight < 0:
            raise GiftError(line, "a short answer cannot take negative credit")
        answers.append(Option(unescape(text), 1.0 if weight is None else weight, feedback))
    if not any(a.fraction == 1 for a in answers):
        raise GiftError(tokens[0][2], "a short-answer question needs an answer with full credit")
    return dataclasses.replace(base, type="short", options=tuple(answers))


def _matching(tokens: list[tuple[str, str, int]], base: Question) -> Question:
    pairs, distractors = [], []
    for prefix, raw, line in tokens:
        if prefix != "=":
            raise GiftError(line, "matching pairs start with '='")
        if find_unescaped(raw, "#") >= 0:
            raise GiftError(line, "matching pairs take no feedback (use #### for general feedback)")
        if "->" not in raw:
            raise GiftError(line, "every answer of a matching question is a pair: =left -> right")
        left_raw, right_raw = raw.split("->", 1)
        left, right = rich_text(left_raw, base.format), unescape(right_raw)
        if not right:
            raise GiftError(line, "a matching pair needs text after '->'")
        if left:
            pairs.append(Pair(left, right))
        else:
            distractors.append(Option(right))
    if len(pairs) < 2:
        raise GiftError(tokens[0][2], "a matching question needs at least two pairs")
    _unique([p.left for p in pairs], tokens[0][2], "left item")
    return dataclasses.replace(base, type="matching", pairs=tuple(pairs), distractors=tuple(distractors))


def _true_false(body: str, base: Question, line: int) -> Question:
    parts = _split_all(body, "#")
    word = unescape(parts[0]).strip().upper()
    if word not in _TF:
        raise GiftError(
            line,
            f"cannot tell the question type from '{body[:30]}': start answers with '=' or '~', use T/F, or # for a number",
        )
    if len(parts) > 3:
        raise GiftError(line, "true/false takes at most two feedbacks: {T#if wrong#if right}")
    wrong = rich_text(parts[1], base.format) if len(parts) > 1 else ""
    right = rich_text(parts[2], base.format) if len(parts) > 2 else ""
    return true_false(dataclasses.replace(base, type="true-false"), _TF[word], right, wrong)


def _split_all(text: str, separator: str) -> list[str]:
    parts, start = [], 0
    while (cut := find_unescaped(text, separator, start)) >= 0:
        parts.append(text[start:cut])
        start = cut + len(separator)
    parts.append(text[start:])
    return parts


def _numeric(body: str, base: Question, at: LineAt) -> Question:
    tokens = _tokens(body.strip(), lambda i: at(i + len(body) - len(body.lstrip())))
    if not tokens:
        value, feedback = _split_feedback(body, base.format)
        numbers = [_number_answer(value, 1.0, feedback, at(0))]
        return dataclasses.replace(base, type="numeric", numbers=tuple(numbers))
    numbers, other = [], ""
    for prefix, raw, line in tokens:
        weight, rest = _weight(raw, line)
        value, feedback = _split_feedback(rest, base.format)
        if prefix == "~":
            if value.strip() or weight is not None:
                raise GiftError(
                    line, "in a numeric question '~' gives feedback for any other answer only: ~#feedback"
                )
            other = feedback
            continue
        numbers.append(_number_answer(value, 1.0 if weight is None else weight, feedback, line))
    if not any(n.fraction == 1 for n in numbers):
        raise GiftError(tokens[0][2], "a numeric question needs an answer with full credit")
    return dataclasses.replace(base, type="numeric", numbers=tuple(numbers), other_feedback=other)


def _number_answer(raw: str, fraction: float, feedback: str, line: int) -> NumericAnswer:
    text = unescape(raw)
    if fraction < 0:
        raise GiftError(line, "a numeric answer cannot take negative credit")
    if ".." in text:
        low_text, high_text = text.split("..", 1)
        low, high = _float(low_text, line), _float(high_text, line)
        if low > high:
            raise GiftError(line, f"the range {text} runs backwards")
        return NumericAnswer(low, high, fraction, feedback, f"{low:g} … {high:g}")
    value_text, _, tolerance_text = text.partition(":")
    value = _float(value_text, line)
    tolerance = _float(tolerance_text, line) if tolerance_text.strip() else 0.0
    if tolerance < 0:
        raise GiftError(line, "a tolerance cannot be negative")
    shown = f"{value:g}" + (f" ± {tolerance:g}" if tolerance else "")
    return NumericAnswer(value - tolerance, value + tolerance, fraction, feedback, shown)


def _float(text: str, line: int) -> float:
    value = parse_number(text)
    if value is None:
        raise GiftError(line, f"numeric answer '{text.strip()}' is not a number")
    return value


def _unique(texts: list[str], line: int, what: str) -> None:
    seen = set()
    for text in texts:
        if text in seen:
            raise GiftError(line, f"the {what} '{text[:30]}' appears twice")
        seen.add(text)
