"""Questions to teachers under /api/v1/consultations/: a course's readers ask and read its FAQ;
its teachers see the queue, answer, publish; a student's question is theirs alone (404 to others)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Flask, g
from sqlalchemy.orm import Session

from auth.models import Role, User
from quiz_service.consultations import questions
from quiz_service.consultations.models import Question
from quiz_service.consultations.schemas import (
    AnswerIn,
    FaqItem,
    FaqOut,
    PublishIn,
    QuestionIn,
    QuestionOut,
    QuestionsOut,
)
from quiz_service.consultations.views import in_transaction, readable_course, taught_course
from quiz_service.core import db
from quiz_service.core.clock import now
from quiz_service.core.domain import Forbidden
from quiz_service.core.i18n import request_language
from quiz_service.core.openapi import operation

api = Blueprint("consultation_questions", __name__, url_prefix="/api/v1/consultations")


def init_app(app: Flask) -> None:
    app.register_blueprint(api)


def question_out(
    question: Question, student: User | None = None, moment: datetime | None = None
) -> QuestionOut:
    return QuestionOut(
        id=question.id, course=question.course, lesson=question.lesson, text=question.text,
        asked_at=question.asked_at, answer=question.answer, answered_at=question.answered_at,
        published=question.published_at is not None, faq_text=question.faq_text,
        student=student.email if student else None, student_name=student.full_name if student else None,
        age_hours=round((moment - question.asked_at).total_seconds() / 3600, 1) if moment else None,
    )  # fmt: skip


@api.post("/<course>/questions")
@operation(
    "Ask the course's teachers a question about a lesson",
    body=QuestionIn,
    response=QuestionOut,
    status=201,
    auth=True,
)
def ask(course: str, body: QuestionIn) -> QuestionOut:
    readable_course(course)
    if g.user.role != Role.STUDENT:
        raise Forbidden("students_only", "Students ask questions.")
    student, moment, lang = g.user, now(), request_language()
    return in_transaction(
        lambda w: question_out(questions.ask(w, course, body.lesson, student, body.text, lang, moment))
    )


@api.get("/questions")
@operation("The caller's own questions and their answers", response=QuestionsOut, auth=True)
def my_questions() -> QuestionsOut:
    return QuestionsOut(questions=[question_out(q) for q in questions.mine(db.session(), g.user.id)])


@api.get("/<course>/questions")
@operation("The course's questions, the unanswered first by age (teachers)", response=QuestionsOut, auth=True)
def course_questions(course: str) -> QuestionsOut:
    taught_course(course)
    reader, moment = db.session(), now()
    waiting = questions.queue(reader, course, unanswered=True)
    answered = [
        (q, u) for q, u in questions.queue(reader, course, unanswered=False) if q.answered_at is not None
    ]
    return QuestionsOut(questions=[question_out(q, u, moment) for q, u in waiting + answered])


def taught_question(question_id: int) -> Question:
    question = questions.question_of(db.session(), question_id, None)
    taught_course(question.course)
    return question


@api.post("/questions/<int:question_id>/answer")
@operation(
    "Answer a question (the student is e-mailed at the first answer)",
    body=AnswerIn,
    response=QuestionOut,
    auth=True,
)
def answer(question_id: int, body: AnswerIn) -> QuestionOut:
    taught_question(question_id)
    teacher_id, moment = g.user.id, now()

    def change(writer: Session) -> QuestionOut:
        return question_out(questions.answer(writer, question_id, teacher_id, body.answer, moment))

    return in_transaction(change)


@api.post("/questions/<int:question_id>/publish")
@operation(
    "Publish an answered question to the course's FAQ without the student's name, or withdraw it",
    body=PublishIn,
    response=QuestionOut,
    auth=True,
)
def publish(question_id: int, body: PublishIn) -> QuestionOut:
    taught_question(question_id)
    moment = now()
    return in_transaction(
        lambda w: question_out(questions.publish(w, question_id, body.faq_text, body.published, moment))
    )


@api.get("/<course>/faq")
@operation("The course's published questions and answers (no names)", response=FaqOut, auth=True)
def faq(course: str) -> FaqOut:
    readable_course(course)
    items = [
        FaqItem(lesson=q.lesson, question=q.faq_text or q.text, answer=q.answer or "")
        for q in questions.faq(db.session(), course)
    ]
    return FaqOut(course=course, items=items)
