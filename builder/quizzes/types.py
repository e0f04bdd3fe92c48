"""Question types in one registry keyed by `type`: each parses its YAML, publishes its public part and grades.

Grading is a pure function of (question, response). A response is JSON as the page sends it:
single → option id; multiple → list of option ids; true-false → true/false; short, numeric,
essay → text; matching → {left id: right id}; ordering → list of item ids in the student's
order; fill-blanks → list of texts, one per blank; description → nothing.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from builder.quizzes import schema
from builder.quizzes.model import BLANK, NumericAnswer, Option, Pair, Question, opaque_id
from builder.quizzes.normalize import normalize_answer, parse_number
from builder.schema import Text


class ResponseError(ValueError):
    """The response does not fit the question (an unknown option id, a list for a single choice …)."""


@dataclass(frozen=True)
class Grade:
    fraction: float | None  # None: waits for a teacher
    max_points: float
    feedback: tuple[str, ...] = ()
    answered: bool = True

    @property
    def points(self) -> float | None:
        return None if self.fraction is None else round(self.fraction * self.max_points, 4)

    @property
    def state(self) -> str:
        if not self.answered:
            return "unanswered"
        if self.fraction is None:
            return "manual"
        if self.fraction >= 1:
            return "correct"
        return "partial" if self.fraction > 0 else "wrong"


class QuestionType:
    name: ClassVar[str]
    config: ClassVar[type[schema.QuestionConfig]]
    graded: ClassVar[bool] = True

    def from_config(self, cfg: Any, lang: str, base: Question) -> Question:
        return base

    def public(self, q: Question) -> dict[str, Any]:
        return {}

    def check_response(self, q: Question, response: Any) -> Any:
        """The response if it fits the question; raises ResponseError if not."""
        if not isinstance(response, str):
            raise ResponseError("expected text")
        return response

    def grade(self, q: Question, response: Any) -> Grade:
        raise NotImplementedError

    def right_answer(self, q: Question) -> list[str]:
        """The right answer in words, for the review once the policy releases it."""
        return []

    def secrets(self, q: Question) -> list[str]:
        """Strings the static site must never contain (keys, accepted answers, revealing feedback)."""
        texts = [q.feedback, q.other_feedback, *(o.feedback for o in q.options)]
        return [text for text in texts if text]


QUESTION_TYPES: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    QUESTION_TYPES[cls.name] = cls()
    return cls


def _t(text: Text | None, lang: str) -> str:
    return text.get(lang) if text is not None else ""


def _options(options: list[schema.OptionConfig], lang: str) -> tuple[Option, ...]:
    return tuple(Option(o.text.get(lang), o.fraction, _t(o.feedback, lang)) for o in options)


def _option_list(options: tuple[Option, ...]) -> list[dict[str, str]]:
    return sorted(({"id": o.id, "text": o.text} for o in options), key=lambda item: item["id"])


def _clamp(value: float, low: float = -1.0, high: float = 1.0) -> float:
    return max(low, min(high, round(value, 6)))


@register
class SingleChoice(QuestionType):
    name = "single"
    config: ClassVar[type[schema.QuestionConfig]] = schema.SingleConfig

    def from_config(self, cfg: Any, lang: str, base: Question) -> Question:
        return dataclasses.replace(base, options=_options(cfg.options, lang))

    def public(self, q: Question) -> dict[str, Any]:
        return {"options": _option_list(q.options)}

    def check_response(self, q: Question, response: Any) -> Any:
        if not isinstance(response, str) or response not in {o.id for o in q.options}:
            raise ResponseError("not one of this question's options")
        return response

    def grade(self, q: Question, response: Any) -> Grade:
        chosen = next(o for o in q.options if o.id == response)
        return Grade(_clamp(chosen.fraction), q.points, _present(chosen.feedback))

    def right_answer(self, q: Question) -> list[str]:
        return [o.text for o in q.options if o.fraction == 1]


@register
class MultipleChoice(SingleChoice):
    """Each chosen option adds its credit (negative ones subtract); the sum is kept within 0 … 1."""

    name = "multiple"
    config = schema.MultipleConfig

    def from_config(self, cfg: Any, lang: str, base: Question) -> Question:
        options = _options(cfg.options, lang)
        fractions = cfg.fractions()
        return dataclasses.replace(
            base,
            options=tuple(
                dataclasses.replace(o, fraction=f) for o, f in zip(options, fractions, strict=True)
            ),
        )

    def check_response(self, q: Question, response: Any) -> Any:
        ids = {o.id for o in q.options}
        if not isinstance(response, list) or not all(isinstance(r, str) and r in ids for r in response):
            raise ResponseError("expected a list of this question's option ids")
        return sorted(set(response))

    def grade(self, q: Question, response: Any) -> Grade:
        chosen = [o for o in q.options if o.id in set(response)]
        total = sum(o.fraction for o in chosen)
        return Grade(_clamp(total, 0.0), q.points, tuple(o.feedback for o in chosen if o.feedback))

    def right_answer(self, q: Question) -> list[str]:
        return [o.text for o in q.options if o.fraction > 0]


@register
class TrueFalse(QuestionType):
    name = "true-false"
    config = schema.TrueFalseConfig

    def from_config(self, cfg: Any, lang: str, base: Question) -> Question:
        right, wrong = _t(cfg.right_feedback, lang), _t(cfg.wrong_feedback, lang)
        return true_false(base, cfg.answer, right, wrong)

    def check_response(self, q: Question, response: Any) -> Any:
        if not isinstance(response, bool):
            raise ResponseError("expected true or false")
        return response

    def grade(self, q: Question, response: Any) -> Grade:
        chosen = q.options[0 if response else 1]
        return Grade(chosen.fraction, q.points, _present(chosen.feedback))

    def right_answer(self, q: Question) -> list[str]:
        return [o.text for o in q.options if o.fraction == 1]

    def secrets(self, q: Question) -> list[str]:
        return super().secrets(q)


def true_false(base: Question, answer: bool, right_feedback: str, wrong_feedback: str) -> Question:
    """Options are (true, false), each with the feedback its choice earns."""
    true = Option("true", 1.0 if answer else 0.0, right_feedback if answer else wrong_feedback, "true")
    false = Option("false", 0.0 if answer else 1.0, wrong_feedback if answer else right_feedback, "false")
    return dataclasses.replace(base, options=(true, false))


@register
class ShortAnswer(QuestionType):
    """Case, spacing and Kazakh/Russian letter variants do not matter; the best matching answer counts."""

    name = "short"
    config = schema.ShortConfig

    def from_config(self, cfg: Any, lang: str, base: Question) -> Question:
        answers = tuple(Option(a.text.get(lang), a.credit / 100, _t(a.feedback, lang)) for a in cfg.answers)
        return dataclasses.replace(base, options=answers)

    def grade(self, q: Question, response: Any) -> Grade:
        match = best_match(q.options, response)
        if match is None:
            return Grade(0.0, q.points)
        return Grade(match.fraction, q.points, _present(match.feedback))

    def right_answer(self, q: Question) -> list[str]:
        return [o.text for o in q.options if o.fraction == 1]

    def secrets(self, q: Question) -> list[str]:
        return [*super().secrets(q), *(o.text for o in q.options)]


def best_match(answers: tuple[Option, ...], response: str) -> Option | None:
    given = normalize_answer(response)
    matches = [a for a in answers if _accepts(normalize_answer(a.text), given)]
    return max(matches, key=lambda a: a.fraction) if matches else None


def _accepts(accepted: str, given: str) -> bool:
    """As Moodle's short answer: `*` in an accepted answer stands for any text, `\\*` for a star."""
    if "*" not in accepted:
        return accepted == given
    parts = re.split(r"(?<!\\)\*", accepted)
    pattern = ".*".join(re.escape(part.replace("\\*", "*")) for part in parts)
    return re.fullmatch(pattern, given, flags=re.DOTALL) is not None


@register
class Numeric(QuestionType):
    name = "numeric"
    config = schema.NumericConfig

    def from_config(self, cfg: Any, lang: str, base: Question) -> Question:
        numbers = tuple(_number(n, lang) for n in cfg.answers)
        return dataclasses.replace(base, numbers=numbers, other_feedback=_t(cfg.other_feedback, lang))

    def check_response(self, q: Question, response: Any) -> Any:
        if isinstance(response, int | float) and not isinstance(response, bool):
            return str(response)
        if not isinstance(response, str) or parse_number(response) is None:
            raise ResponseError("expected a number")
        return response

    def grade(self, q: Question, response: Any) -> Grade:
        value = parse_number(str(response))
        hits = [n for n in q.numbers if value is not None and n.low <= value <= n.high]
        if not hits:
            return Grade(0.0, q.points, _present(q.other_feedback))
        best = max(hits, key=lambda n: n.fraction)
        return Grade(best.fraction, q.points, _present(best.feedback))

    def right_answer(self, q: Question) -> list[str]:
        return [n.shown for n in q.numbers if n.fraction == 1]

    def secrets(self, q: Question) -> list[str]:
        return [*super().secrets(q), *(n.feedback for n in q.numbers if n.feedback)]


def _number(cfg: schema.NumberConfig, lang: str) -> NumericAnswer:
    if cfg.value is not None:
        low, high, shown = cfg.value - cfg.tolerance, cfg.value + cfg.tolerance, f"{cfg.value:g}"
        shown += f" ± {cfg.tolerance:g}" if cfg.tolerance else ""
    else:
        assert cfg.min is not None and cfg.max is not None
        low, high, shown = cfg.min, cfg.max, f"{cfg.min:g} … {cfg.max:g}"
    return NumericAnswer(low, high, cfg.credit / 100, _t(cfg.feedback, lang), shown)


@register
class Matching(QuestionType):
    """Each left item matched to its right item earns an equal share."""

    name = "matching"
    config = schema.MatchingConfig

    def from_config(self, cfg: Any, lang: str, base: Question) -> Question:
        pairs = tuple(Pair(p.left.get(lang), p.right.get(lang)) for p in cfg.pairs)
        distractors = tuple(Option(d.get(lang)) for d in cfg.distractors)
        return dataclasses.replace(base, pairs=pairs, distractors=distractors)

    def public(self, q: Question) -> dict[str, Any]:
        rights = {p.right_id: p.right for p in q.pairs} | {d.id: d.text for d in q.distractors}
        return {
            "left": [{"id": p.left_id, "text": p.left} for p in q.pairs],
            "right": [{"id": key, "text": rights[key]} for key in sorted(rights)],
        }

    def check_response(self, q: Question, response: Any) -> Any:
        lefts = {p.left_id for p in q.pairs}
        rights = {p.right_id for p in q.pairs} | {d.id for d in q.distractors}
        if not isinstance(response, dict) or not all(
            k in lefts and isinstance(v, str) and v in rights for k, v in response.items()
        ):
            raise ResponseError("expected {left id: right id} with this question's ids")
        return dict(sorted(response.items()))

    def grade(self, q: Question, response: Any) -> Grade:
        right = sum(response.get(p.left_id) == p.right_id for p in q.pairs)
        return Grade(round(right / len(q.pairs), 6), q.points, _present(q.other_feedback))

    def right_answer(self, q: Question) -> list[str]:
        return [f"{p.left} → {p.right}" for p in q.pairs]


@register
class Ordering(QuestionType):
    """Each item in its right place earns an equal share."""

    name = "ordering"
    config = schema.OrderingConfig

    def from_config(self, cfg: Any, lang: str, base: Question) -> Question:
        return dataclasses.replace(base, items=tuple(Option(item.get(lang)) for item in cfg.items))

    def public(self, q: Question) -> dict[str, Any]:
        return {"items": _option_list(q.items)}

    def check_response(self, q: Question, response: Any) -> Any:
        if not isinstance(response, list) or sorted(map(str, response)) != sorted(o.id for o in q.items):
            raise ResponseError("expected every item id of this question once, in your order")
        return response

    def grade(self, q: Question, response: Any) -> Grade:
        placed = sum(given == item.id for given, item in zip(response, q.items, strict=True))
        return Grade(round(placed / len(q.items), 6), q.points)

    def right_answer(self, q: Question) -> list[str]:
        return [o.text for o in q.items]


@register
class FillBlanks(QuestionType):
    """Blanks `[[1]]`, `[[2]]` … in the text; each is checked as a short answer and earns an equal share."""

    name = "fill-blanks"
    config = schema.FillBlanksConfig

    def from_config(self, cfg: Any, lang: str, base: Question) -> Question:
        missing = [n for n in range(1, len(cfg.blanks) + 1) if BLANK.format(n) not in base.text]
        if missing:
            raise ValueError(f"the text has no blank [[{missing[0]}]] for blank {missing[0]}")
        blanks = tuple(tuple(Option(a.get(lang), 1.0) for a in blank.answers) for blank in cfg.blanks)
        return dataclasses.replace(base, blanks=blanks)

    def public(self, q: Question) -> dict[str, Any]:
        return {"blanks": len(q.blanks)}

    def check_response(self, q: Question, response: Any) -> Any:
        if not isinstance(response, list) or len(response) != len(q.blanks):
            raise ResponseError(f"expected a list of {len(q.blanks)} texts")
        if not all(isinstance(r, str) for r in response):
            raise ResponseError("expected texts")
        return response

    def grade(self, q: Question, response: Any) -> Grade:
        right = sum(
            best_match(blank, given) is not None for blank, given in zip(q.blanks, response, strict=True)
        )
        return Grade(round(right / len(q.blanks), 6), q.points)

    def right_answer(self, q: Question) -> list[str]:
        return [blank[0].text for blank in q.blanks]

    def secrets(self, q: Question) -> list[str]:
        return [*super().secrets(q), *(a.text for blank in q.blanks for a in blank)]


@register
class Essay(QuestionType):
    name = "essay"
    config = schema.EssayConfig

    def grade(self, q: Question, response: Any) -> Grade:
        return Grade(None, q.points)


@register
class Description(QuestionType):
    name = "description"
    config = schema.DescriptionConfig
    graded = False

    def check_response(self, q: Question, response: Any) -> Any:
        raise ResponseError("a description takes no answer")

    def grade(self, q: Question, response: Any) -> Grade:
        return Grade(0.0, 0.0, answered=False)


def _present(text: str) -> tuple[str, ...]:
    return (text,) if text else ()


def with_ids(q: Question, quiz_key: str) -> Question:
    """Give the question and its parts opaque ids derived from public text only."""
    qid = opaque_id(quiz_key, q.id)

    def option(o: Option) -> Option:
        return o if q.type == "true-false" else dataclasses.replace(o, id=opaque_id(qid, o.text))

    pairs = tuple(
        dataclasses.replace(
            p, left_id=opaque_id(qid, "left", p.left), right_id=opaque_id(qid, "right", p.right)
        )
        for p in q.pairs
    )
    distractors = tuple(dataclasses.replace(d, id=opaque_id(qid, "right", d.text)) for d in q.distractors)
    return dataclasses.replace(
        q,
        public_id=qid,
        options=tuple(option(o) for o in q.options),
        pairs=pairs,
        distractors=distractors,
        items=tuple(option(o) for o in q.items),
    )


def public_question(q: Question) -> dict[str, Any]:
    """What the page may show: text and options under opaque ids, nothing that tells the answer."""
    kind = QUESTION_TYPES[q.type]
    return {
        "id": q.public_id,
        "type": q.type,
        "text": q.text,
        "format": q.format,
        "points": q.points,
    } | kind.public(q)


def grade(q: Question, response: Any) -> Grade:
    """The grade of one response (None for no answer); raises ResponseError if it does not fit."""
    kind = QUESTION_TYPES[q.type]
    if not kind.graded:
        return kind.grade(q, None)
    if response is None or response == "" or response == []:
        return Grade(0.0, q.points, answered=False)
    return kind.grade(q, kind.check_response(q, response))


def check_response(q: Question, response: Any) -> Any:
    return QUESTION_TYPES[q.type].check_response(q, response)
