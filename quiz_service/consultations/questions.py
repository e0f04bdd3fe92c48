"""Asynchronous questions to a course's teachers (R7.5, R11): asked on a lesson, answered,
the student told by e-mail; private to the student and the course's teachers unless a teacher
publishes it, without the student's name, to the course's FAQ."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.models import User
from quiz_service.consultations.models import ConsultationPreference, Question
from quiz_service.core import events
from quiz_service.core.domain import Conflict, Invalid, NotFound
from quiz_service.core.i18n import gettext
from quiz_service.core.mail import Message, queue_mail

MAX_TEXT = 4000
MAX_LESSON = 300


def ask(
    writer: Session, course: str, lesson: str, student: User, text: str, lang: str, now: datetime
) -> Question:
    text, lesson = text.strip(), lesson.strip()
    if not text:
        raise Invalid("question_empty", "text: write the question.")
    if len(text) > MAX_TEXT or len(lesson) > MAX_LESSON or not lesson:
        raise Invalid("question_long", f"text: at most {MAX_TEXT} characters; lesson: 1 to {MAX_LESSON}.")
    question = Question(
        course=course, lesson=lesson, student_id=student.id, text=text, lang=lang, asked_at=now
    )
    writer.add(question)
    writer.flush()
    events.publish(writer, events.QuestionAsked(question.id, student.id, course, lesson, now))
    return question


def question_of(reader: Session, question_id: int, student_id: int | None) -> Question:
    """The question; another student's is as missing as one that does not exist."""
    question = reader.get(Question, question_id)
    if question is None or (student_id is not None and question.student_id != student_id):
        raise NotFound("not_found", "There is no such question.")
    return question


def queue(reader: Session, course: str, *, unanswered: bool) -> list[tuple[Question, User]]:
    """The course's questions, the oldest first (the unanswered ones: the teachers' queue by age)."""
    query = select(Question, User).join(User, User.id == Question.student_id).where(Question.course == course)
    if unanswered:
        query = query.where(Question.answered_at.is_(None))
    return [(q, u) for q, u in reader.execute(query.order_by(Question.asked_at, Question.id)).all()]


def mine(reader: Session, student_id: int) -> list[Question]:
    query = select(Question).where(Question.student_id == student_id).order_by(Question.asked_at.desc())
    return list(reader.scalars(query))


def answer(writer: Session, question_id: int, teacher_id: int, text: str, now: datetime) -> Question:
    """Answer (or correct the answer); the student is e-mailed once, at the first answer."""
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise Invalid("answer_empty", f"answer: 1 to {MAX_TEXT} characters.")
    question = question_of(writer, question_id, None)
    first = question.answered_at is None
    question.answer, question.answered_by = text, teacher_id
    question.answered_at = question.answered_at or now
    writer.flush()
    if first:
        events.publish(
            writer,
            events.QuestionAnswered(question.id, question.student_id, question.course, teacher_id, now),
        )
        tell_student(writer, question)
    return question


def tell_student(writer: Session, question: Question) -> None:
    student = writer.get_one(User, question.student_id)
    chosen = writer.get(ConsultationPreference, student.id)
    lang = chosen.lang if chosen is not None and chosen.lang else question.lang
    values = {
        "name": student.full_name or student.email,
        "question": question.text,
        "answer": question.answer or "",
    }
    queue_mail(
        writer,
        Message(
            key=f"question:{question.id}:answered",
            to=student.email,
            subject=gettext("consult_mail.answered_subject", lang, **values),
            body=gettext("consult_mail.answered_body", lang, **values),
            lang=lang,
        ),
    )


def publish(
    writer: Session, question_id: int, faq_text: str | None, published: bool, now: datetime
) -> Question:
    """Into the course's FAQ (an answered question only; `faq_text`: the question reworded
    without names) or out of it."""
    question = question_of(writer, question_id, None)
    if published and question.answered_at is None:
        raise Conflict("not_answered", "Answer the question before publishing it.")
    if faq_text is not None and len(faq_text) > MAX_TEXT:
        raise Invalid("question_long", f"faq_text: at most {MAX_TEXT} characters.")
    question.published_at = (question.published_at or now) if published else None
    if faq_text is not None and faq_text.strip():
        question.faq_text = faq_text.strip()
    writer.flush()
    return question


def faq(reader: Session, course: str) -> list[Question]:
    query = (
        select(Question)
        .where(Question.course == course, Question.published_at.is_not(None))
        .order_by(Question.published_at, Question.id)
    )
    return list(reader.scalars(query))
