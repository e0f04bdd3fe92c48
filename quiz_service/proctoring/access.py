"""Who may see a proctoring session: its student, the course's proctors (its teachers), admins.

Another student asking for a session gets 404 (it does not exist for them); a teacher or an
admin of another course gets 403.
"""

from __future__ import annotations

from flask import g
from sqlalchemy.orm import Session

from auth.access import courses
from auth.enrolment import may_teach
from auth.models import Role
from quiz_service.core.domain import Forbidden, NotFound
from quiz_service.proctoring import service
from quiz_service.proctoring.models import ProctoringSession


def is_owner(session: ProctoringSession) -> bool:
    return bool(g.user is not None and session.user_id == g.user.id)


def is_proctor(course: str) -> bool:
    access = courses().get(course)
    return access is not None and may_teach(g.user, access)


def seen_session(reader: Session, session_id: int) -> ProctoringSession:
    """The session if the user is its student or one of its course's proctors."""
    session = reader.get(ProctoringSession, session_id)
    if session is None:
        raise NotFound("not_found", "There is no such proctoring session.")
    if is_owner(session):
        return session
    if g.user.role in (Role.TEACHER, Role.ADMIN):
        if is_proctor(session.course):
            return session
        raise Forbidden("forbidden", "Only the course's proctors and admins may see this.")
    raise NotFound("not_found", "There is no such proctoring session.")


def own_session(reader: Session, session_id: int) -> ProctoringSession:
    session = reader.get(ProctoringSession, session_id)
    if session is None or not is_owner(session):
        raise NotFound("not_found", "There is no such proctoring session.")
    return session


def proctored_session(reader: Session, session_id: int) -> ProctoringSession:
    session = service.session_for(reader, session_id)
    if is_proctor(session.course):
        return session
    if g.user.role in (Role.TEACHER, Role.ADMIN):
        raise Forbidden("forbidden", "Only the course's proctors and admins may do this.")
    raise NotFound("not_found", "There is no such proctoring session.")
