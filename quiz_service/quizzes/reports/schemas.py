"""The reports API's queries and bodies (the OpenAPI document is generated from them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from quiz_service.quizzes.reports.statistics import QuestionStatistics, QuizFigures

Language = Literal["kk", "ru", "en"]
Which = Literal["all", "first", "last", "highest"]


class ExportQuery(BaseModel):
    lang: Language = Field(default="kk", description="The language of the headers and words")


class StatisticsQuery(ExportQuery):
    attempts: Which = Field(
        default="all", description="all, or per student the first, last or highest-graded attempt"
    )


class StatisticsOut(BaseModel):
    course: str
    quiz: str
    title: str
    lang: str
    attempts: str = Field(description="Which attempts were analysed: all, first, last or highest")
    figures: QuizFigures
    questions: list[QuestionStatistics]
