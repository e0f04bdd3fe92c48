"""The schedules' panel of "My studies": the student's own schedule (with its calendar feed) and
their individual study plan when their group has a curriculum."""

from __future__ import annotations

from sqlalchemy.orm import Session

from quiz_service.core import service_bundle
from quiz_service.core.i18n import Words, texts_for
from quiz_service.core.studies import Student, StudyItem, StudyPanel

STUDIES = Words("studies")


def schedule_panel(_reader: Session, student: Student) -> StudyPanel:
    words = texts_for(STUDIES, student.lang)
    items = [StudyItem(words["my_schedule"], f"/schedules/?lang={student.lang}", words["my_schedule_detail"])]
    manifest = service_bundle.current().manifest
    if manifest is not None and manifest.curriculum(student.group) is not None:
        items.append(
            StudyItem(words["my_plan"], f"/schedules/plan?lang={student.lang}", words["my_plan_detail"])
        )
    return StudyPanel(words["schedule_panel"], tuple(items), "", order=25)
