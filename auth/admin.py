"""The admin page (academic office): users, suspension, enrolment in gated courses."""

from __future__ import annotations

from flask import Response, g, request
from sqlalchemy import select

from auth import access, enrolment, service
from auth.models import Role, User
from auth.texts import PAGES
from auth.views import bp, message_page, render_page, to_sign_in
from quiz_service.core import db
from quiz_service.core.i18n import request_language, texts_for


def _require_admin() -> User | Response:
    """The signed-in admin, else the sign-in page (anonymous) or a 403 page."""
    user: User | None = g.get("user")
    if user is None or g.get("auth_method") != "session":
        return to_sign_in()
    if user.role != Role.ADMIN:
        return message_page(403, "admin", "admins_only")
    return user


@bp.get("/admin")
def admin() -> Response:
    me = _require_admin()
    return me if isinstance(me, Response) else admin_page(me)


def admin_page(me: User, notice: str | None = None, error: str | None = None, status: int = 200) -> Response:
    reader = db.session()
    users = list(reader.scalars(select(User).order_by(User.role, User.group, User.full_name)))
    texts = texts_for(PAGES, request_language())
    return render_page(
        "auth/admin.html",
        status=status,
        me=me,
        users=users,
        emails={user.id: user.email for user in users},
        enrolments=enrolment.enrolments(reader),
        gated_courses=[course for course in access.courses().values() if not course.is_open],
        notice=texts[notice] if notice else None,
        error=texts[error] if error else None,
    )


def _enrolment_target(who: str) -> tuple[User | None, str | None, str | None]:
    """The user (for an email) or group named in the form; an error key when neither."""
    who = who.strip()
    if "@" in who:
        user = service.find_user(db.session(), who)
        return (user, None, None) if user is not None else (None, None, "unknown_user")
    return (None, who[:64], None) if who else (None, None, "unknown_user")


def _change_enrolment(enrol: bool) -> Response:
    me = _require_admin()
    if isinstance(me, Response):
        return me
    course_id = request.form.get("course", "")
    if course_id not in access.courses():
        return admin_page(me, error="unknown_course", status=422)
    user, group, error = _enrolment_target(request.form.get("who", ""))
    if error is not None:
        return admin_page(me, error=error, status=422)
    try:
        with db.write_transaction() as writer:
            target = writer.get_one(User, user.id) if user else None
            if enrol:
                changed = enrolment.enrol(writer, course_id, user=target, group=group)
            else:
                changed = enrolment.unenrol(writer, course_id, user=target, group=group)
    except service.AccountError:
        return admin_page(me, error="unknown_user", status=422)
    notice = ("enrolled" if changed else "already") if enrol else "done"
    return admin_page(me, notice=notice)


@bp.post("/admin/enrol")
def admin_enrol() -> Response:
    return _change_enrolment(enrol=True)


@bp.post("/admin/unenrol")
def admin_unenrol() -> Response:
    return _change_enrolment(enrol=False)


def _set_active(user_id: int, active: bool) -> Response:
    me = _require_admin()
    if isinstance(me, Response):
        return me
    with db.write_transaction() as writer:
        user = writer.get(User, user_id)
        if user is None:
            return message_page(404, "admin", "unknown_user")
        if user.id != me.id:
            service.set_active(writer, user, active)
    return admin_page(me, notice="done")


@bp.post("/admin/users/<int:user_id>/suspend")
def admin_suspend(user_id: int) -> Response:
    return _set_active(user_id, active=False)


@bp.post("/admin/users/<int:user_id>/restore")
def admin_restore(user_id: int) -> Response:
    return _set_active(user_id, active=True)
