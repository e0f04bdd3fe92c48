"""Proctoring's API under /api/v1/proctoring and its pages under /proctoring: the student's
checks and decision, the proctor's list and review page."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, current_app, g, request, send_file, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as WerkzeugResponse

from auth.access import courses
from auth.enrolment import may_read
from auth.models import Role, User
from quiz_service.core import db
from quiz_service.core.clock import now
from quiz_service.core.db import release_reader
from quiz_service.core.domain import DomainError, Forbidden, Invalid, NotFound
from quiz_service.core.errors import ApiError, error_page, status_of
from quiz_service.core.i18n import request_language, texts_for
from quiz_service.core.openapi import operation
from quiz_service.core.pages import render_page, signed_in_page
from quiz_service.core.security_headers import set_endpoint_policy
from quiz_service.proctoring import access, service, storage
from quiz_service.proctoring.models import MediaKind, ProctoringMedia, ProctoringSession, SessionState
from quiz_service.proctoring.schemas import (
    AppealIn,
    ChecksOut,
    DecisionIn,
    DeviceFramesIn,
    DeviceFramesOut,
    EventsIn,
    EventsOut,
    IncidentOut,
    MediaOut,
    PolicyOut,
    SessionOut,
    SessionsOut,
    UploadChunkQuery,
    UploadIn,
    UploadOut,
)
from quiz_service.proctoring.texts import PROCTOR
from quiz_service.quizzes.models import Attempt
from quiz_service.quizzes.pinned import PinnedQuiz, bundle_file, parse_quiz

api = Blueprint("proctoring", __name__, url_prefix="/api/v1/proctoring")
pages = Blueprint(
    "proctoring_pages",
    __name__,
    url_prefix="/proctoring",
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)
LOCAL_ZONE = ZoneInfo("Asia/Almaty")


# The check page runs its own script (camera, microphone, uploads); the review page plays the
# room scan; a recording is served sandboxed. Everything else keeps the service's policy.
CHECK_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
        "media-src 'self' blob: mediastream:",
        "img-src 'self' data: blob:",
        "style-src 'unsafe-inline'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
REVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; media-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
MEDIA_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"


def init_app(app: Flask) -> None:
    app.register_blueprint(api)
    app.register_blueprint(pages)
    set_endpoint_policy(app, "proctoring_pages.check_page", CHECK_POLICY)
    set_endpoint_policy(app, "proctoring_pages.review_page", REVIEW_POLICY)
    set_endpoint_policy(app, "proctoring.media_file", MEDIA_POLICY)
    set_endpoint_policy(app, "proctoring_pages.static", ASSET_POLICY)  # the model's worker


def root() -> Path:
    return Path(current_app.config["PROCTORING_DIR"])


def limits() -> service.Limits:
    config = current_app.config
    return service.Limits(
        quota=config["PROCTORING_QUOTA"],
        image_bytes=config["PROCTORING_IMAGE_BYTES"],
        clip_bytes=config["PROCTORING_CLIP_BYTES"],
        max_pixels=config["PROCTORING_MAX_PIXELS"],
        snapshots_per_minute=config["PROCTORING_SNAPSHOTS_PER_MINUTE"],
    )


# -- shaping ------------------------------------------------------------------------------


def session_out(reader: Session, session: ProctoringSession, *, proctor: bool) -> SessionOut:
    policy = service.policy_of(session)
    media = list(
        reader.scalars(
            select(ProctoringMedia)
            .where(ProctoringMedia.session_id == session.id)
            .order_by(ProctoringMedia.id)
        )
    )
    return SessionOut(
        id=session.id,
        course=session.course,
        quiz=session.quiz,
        state=session.state.value,
        attempt_id=session.attempt_id,
        checks=ChecksOut(**service.checks_done(reader, session)),
        policy=PolicyOut(
            signals=list(policy.signals),
            snapshot_every=policy.snapshot_every,
            sustained_seconds=policy.sustained_seconds,
            sustained_frames=policy.sustained_frames,
            noise_level=policy.noise_level,
        ),
        room_scan_requested=session.room_scan_requested_at is not None,
        decision=session.decision.value,
        identity_confirmed=session.identity_confirmed,
        reason=session.reason,
        appeal=session.appeal,
        appeal_decided=session.appeal_decided_at is not None,
        purged=session.purged_at is not None,
        bytes_used=session.bytes_used,
        risk=json.loads(session.risk) if proctor and session.risk else None,
        incidents=[incident_out(i) for i in service.incidents_of(reader, session.id)] if proctor else None,
        media=[media_out(m, proctor) for m in media] if session.purged_at is None else [],
    )


def incident_out(incident: Any) -> IncidentOut:
    return IncidentOut(
        id=incident.id,
        kind=incident.kind,
        source=incident.source,
        started_at=incident.started_at,
        ended_at=incident.ended_at,
        frames=incident.frames,
        flagged=incident.flagged,
        evidence=json.loads(incident.evidence),
    )


def media_out(media: ProctoringMedia, proctor: bool) -> MediaOut:
    return MediaOut(
        id=media.id,
        kind=media.kind.value,
        taken_at=media.taken_at,
        identity_score=media.identity_score if proctor else None,
        analysis=json.loads(media.analysis) if proctor and media.analysis else None,
        url=url_for("proctoring.media_file", media_id=media.id),
    )


def upload_out(upload: Any, media: ProctoringMedia | None = None) -> UploadOut:
    return UploadOut(
        id=upload.id,
        kind=upload.kind.value,
        size=upload.size,
        received=upload.received,
        chunk=service.CHUNK,
        media_id=media.id if media else None,
    )


def readable_quiz(course: str, quiz: str) -> PinnedQuiz:
    """The quiz as the bundle has it, if the user may take it (404 otherwise, as the quizzes say)."""
    access_of_course = courses().get(course)
    path = bundle_file(current_app.config["SERVICE_DIR"], course, quiz)
    if access_of_course is None or path is None or not may_read(db.session(), g.user, access_of_course):
        raise NotFound("not_found", "There is no such quiz for you.")
    return parse_quiz(path.read_text(encoding="utf-8"))


# -- the student's API ----------------------------------------------------------------------


@api.post("/<course>/<quiz>/session")
@operation(
    "The signed-in student's proctoring session for the next attempt (made if none)",
    response=SessionOut,
    auth=True,
)
def open_session(course: str, quiz: str) -> SessionOut:
    policy = readable_quiz(course, quiz).settings.proctoring
    release_reader()
    with db.write_transaction() as writer:
        session = service.open_session(writer, g.user.id, course, quiz, policy, now())
        return session_out(writer, session, proctor=False)


@api.get("/sessions/<int:session_id>")
@operation(
    "A proctoring session: the student sees their own; proctors see incidents and scores",
    response=SessionOut,
    auth=True,
)
def get_session(session_id: int) -> SessionOut:
    reader = db.session()
    session = access.seen_session(reader, session_id)
    return session_out(reader, session, proctor=not access.is_owner(session))


@api.post("/sessions/<int:session_id>/consent")
@operation("The student consents to proctoring and its rules", response=SessionOut, auth=True)
def consent(session_id: int) -> SessionOut:
    release_reader()
    with db.write_transaction() as writer:
        session = access.own_session(writer, session_id)
        service.give_consent(writer, session, now())
        return session_out(writer, session, proctor=False)


@api.post("/sessions/<int:session_id>/uploads")
@operation(
    "Begin an upload of a photo, the room scan or a snapshot",
    body=UploadIn,
    response=UploadOut,
    status=201,
    auth=True,
)
def begin_upload(session_id: int, body: UploadIn) -> UploadOut:
    release_reader()
    with db.write_transaction() as writer:
        session = access.own_session(writer, session_id)
        try:
            upload = service.begin_upload(writer, session, MediaKind(body.kind), body.size, limits(), now())
        except Invalid as refused:
            if refused.code == "too_large":  # T30: an oversize upload is 413, as an oversize body is
                raise ApiError(413, refused.code, refused.message) from None
            raise
        return upload_out(upload)


@api.put("/uploads/<int:upload_id>")
@operation(
    "Send a chunk of an upload at ?offset= (raw bytes; a retried chunk is taken again)",
    response=UploadOut,
    query=UploadChunkQuery,
    auth=True,
)
def put_chunk(upload_id: int, query: UploadChunkQuery) -> UploadOut:
    data = request.get_data(cache=False)
    release_reader()
    with db.write_transaction() as writer:
        upload = writer.get(service.ProctoringUpload, upload_id, with_for_update=True)
        session = writer.get(ProctoringSession, upload.session_id) if upload else None
        if upload is None or session is None or not access.is_owner(session):
            raise NotFound("not_found", "There is no such upload.")
        media = service.put_chunk(writer, root(), upload, session, query.offset, data, limits(), now())
        return upload_out(upload, media)


@api.post("/sessions/<int:session_id>/events")
@operation(
    "Report the browser's events (tab hidden, full screen left, noise, copy, paste …)",
    body=EventsIn,
    response=EventsOut,
    auth=True,
)
def report_events(session_id: int, body: EventsIn) -> EventsOut:
    moment = now()
    skew = moment - body.sent_at
    reported = [service.BrowserEvent(e.kind, e.started_at, e.ended_at or e.started_at) for e in body.events]
    release_reader()
    with db.write_transaction() as writer:
        session = access.own_session(writer, session_id)
        flagged = service.record_events(writer, session, reported, skew, moment)
        return EventsOut(logged=len(reported), flagged=flagged)


@api.post("/sessions/<int:session_id>/frames")
@operation(
    "Report what the on-device model counted per frame (faces, bodies, head yaw; no pictures)",
    body=DeviceFramesIn,
    response=DeviceFramesOut,
    auth=True,
)
def report_device_frames(session_id: int, body: DeviceFramesIn) -> DeviceFramesOut:
    moment = now()
    skew = moment - body.sent_at
    frames = [service.DeviceFrame(f.at, f.faces, f.bodies, f.yaw, f.ms) for f in body.frames]
    release_reader()
    with db.write_transaction() as writer:
        session = access.own_session(writer, session_id)
        flagged = service.record_device_frames(writer, session, body.backend, frames, skew, moment)
        return DeviceFramesOut(recorded=len(frames), flagged=flagged)


@api.post("/sessions/<int:session_id>/appeal")
@operation("Appeal the decision once, with a text", body=AppealIn, response=SessionOut, auth=True)
def appeal(session_id: int, body: AppealIn) -> SessionOut:
    release_reader()
    with db.write_transaction() as writer:
        session = access.own_session(writer, session_id)
        service.appeal(writer, session, body.text, now())
        return session_out(writer, session, proctor=False)


@api.get("/media/<int:media_id>")
@operation(
    "A photo, clip or snapshot (the student's own, or for the course's proctors)",
    auth=True,
    media_type="application/octet-stream",
)
def media_file(media_id: int) -> Response:
    reader = db.session()
    media = reader.get(ProctoringMedia, media_id)
    if media is None:
        raise NotFound("not_found", "There is no such recording.")
    session = access.seen_session(reader, media.session_id)
    path = storage.media_path(root(), media.name)
    if session.purged_at is not None or not path.is_file():
        raise NotFound("purged", "This recording was deleted at the end of its retention.")
    response = send_file(path, mimetype=media.content_type, conditional=True, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response


# -- the proctor's API ----------------------------------------------------------------------


@api.get("/courses/<course>/sessions")
@operation(
    "The course's proctoring sessions, undecided and appealed first (proctors)",
    response=SessionsOut,
    auth=True,
)
def course_sessions(course: str) -> SessionsOut:
    reader = db.session()
    if course not in courses():
        raise NotFound("not_found", "There is no such course.")
    if not access.is_proctor(course):
        raise Forbidden("forbidden", "Only the course's proctors and admins may see this.")
    rows = reader.scalars(
        select(ProctoringSession).where(ProctoringSession.course == course).order_by(ProctoringSession.id)
    )
    return SessionsOut(sessions=[session_out(reader, s, proctor=True) for s in rows])


@api.post("/sessions/<int:session_id>/let-start")
@operation("Let the student start without (all) the checks (proctors)", response=SessionOut, auth=True)
def let_start(session_id: int) -> SessionOut:
    release_reader()
    with db.write_transaction() as writer:
        session = access.proctored_session(writer, session_id)
        service.let_start(writer, session, g.user.id, now())
        return session_out(writer, session, proctor=True)


@api.post("/sessions/<int:session_id>/room-scan-request")
@operation("Ask the student to record the room again (proctors)", response=SessionOut, auth=True)
def room_scan_request(session_id: int) -> SessionOut:
    release_reader()
    with db.write_transaction() as writer:
        session = access.proctored_session(writer, session_id)
        service.request_room_scan(writer, session, g.user.id, now())
        return session_out(writer, session, proctor=True)


@api.post("/sessions/<int:session_id>/decision")
@operation(
    "Confirm identity and result, or annul with a reason (proctors)",
    body=DecisionIn,
    response=SessionOut,
    auth=True,
)
def decision(session_id: int, body: DecisionIn) -> SessionOut:
    return decide(session_id, body.decision == "confirm", body.identity_confirmed, body.reason)


def decide(session_id: int, confirm: bool, identity: bool, reason: str) -> SessionOut:
    release_reader()
    with db.write_transaction() as writer:
        session = access.proctored_session(writer, session_id)
        is_admin = g.user.role == Role.ADMIN
        service.decide(writer, session, g.user.id, confirm, identity, reason, is_admin, now())
        return session_out(writer, session, proctor=True)


# -- pages --------------------------------------------------------------------------------


def words() -> Any:
    return texts_for(PROCTOR, request_language())


def refusal_page(error: DomainError) -> Response:
    said = words()
    message = said.get(error.code) or (said["forbidden"] if status_of(error) == 403 else said["not_found"])
    return error_page(status_of(error), title=said["title"], message=message)


proctor_page = signed_in_page(refusal_page)


def local(moment: datetime | None) -> str:
    return moment.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M:%S") if moment else "—"


def page(template: str, **context: Any) -> Response:
    return render_page(template, w=words(), local=local, zone=LOCAL_ZONE, **context)


@pages.get("/<course>/<quiz>/check")
@proctor_page
def check_page(course: str, quiz: str) -> Response:
    pinned = readable_quiz(course, quiz)
    lang = request_language()
    title = pinned.title.get(lang) or next(iter(pinned.title.values()), quiz)
    return page(
        "proctoring/check.html",
        title=title,
        course=course,
        quiz=quiz,
        policy=pinned.settings.proctoring,
        scan_seconds=current_app.config["PROCTORING_ROOM_SCAN_SECONDS"],  # the page had fallen back to 15
    )


@pages.get("/sessions/<int:session_id>")
@proctor_page
def student_page(session_id: int) -> Response:
    reader = db.session()
    session = access.own_session(reader, session_id)
    return page(
        "proctoring/decision.html",
        title=words()["decision_title"],
        session=session_out(reader, session, proctor=False),
    )


@pages.post("/sessions/<int:session_id>/appeal")
@proctor_page
def appeal_form(session_id: int) -> WerkzeugResponse:
    release_reader()
    with db.write_transaction() as writer:
        session = access.own_session(writer, session_id)
        service.appeal(writer, session, request.form.get("text", ""), now())
    return redirect_to("proctoring_pages.student_page", session_id=session_id)


@pages.get("/review")
@proctor_page
def review_list() -> Response:
    if g.user.role not in (Role.TEACHER, Role.ADMIN):
        raise Forbidden("forbidden", "Proctoring review is for the course's proctors.")
    taught = [c for c in courses() if access.is_proctor(c)]
    reader = db.session()
    rows = (
        list(
            reader.scalars(
                select(ProctoringSession)
                .where(ProctoringSession.course.in_(taught), ProctoringSession.attempt_id.is_not(None))
                .order_by(ProctoringSession.id.desc())
                .limit(200)
            )
        )
        if taught
        else []
    )
    students = {u.id: u for u in reader.scalars(select(User).where(User.id.in_([r.user_id for r in rows])))}
    return page(
        "proctoring/review_list.html", title=words()["review_title"], rows=rows, students=students, risk=_risk
    )


def _risk(session: ProctoringSession) -> dict[str, Any]:
    return json.loads(session.risk) if session.risk else {}


@pages.get("/review/<int:session_id>")
@proctor_page
def review_page(session_id: int) -> Response:
    reader = db.session()
    session = access.proctored_session(reader, session_id)
    out = session_out(reader, session, proctor=True)
    student = reader.get(User, session.user_id)
    attempt = reader.get(Attempt, session.attempt_id) if session.attempt_id else None
    media = out.media or []
    by_id = {m.id: m for m in media}
    return page(
        "proctoring/review.html",
        title=words()["review_title"],
        session=out,
        student=student,
        attempt=attempt,
        id_photo=next((m for m in reversed(media) if m.kind == "id_photo"), None),
        live_photo=next((m for m in reversed(media) if m.kind == "live_photo"), None),
        room_scans=[m for m in media if m.kind == "room_scan"],
        snapshots=[m for m in media if m.kind == "snapshot"],
        by_id=by_id,
        waiting=session.state == SessionState.CHECKING,
        error=request.args.get("error"),
    )


@pages.post("/review/<int:session_id>/decision")
@proctor_page
def decision_form(session_id: int) -> WerkzeugResponse:
    form = request.form
    try:
        decide(
            session_id,
            form.get("decision") == "confirm",
            form.get("identity") == "yes",
            form.get("reason", ""),
        )
    except DomainError as problem:
        if status_of(problem) not in (409, 422):
            raise
        return redirect_to("proctoring_pages.review_page", session_id=session_id, error=problem.code)
    return redirect_to("proctoring_pages.review_page", session_id=session_id)


@pages.post("/review/<int:session_id>/let-start")
@proctor_page
def let_start_form(session_id: int) -> WerkzeugResponse:
    release_reader()
    with db.write_transaction() as writer:
        session = access.proctored_session(writer, session_id)
        service.let_start(writer, session, g.user.id, now())
    return redirect_to("proctoring_pages.review_page", session_id=session_id)


@pages.post("/review/<int:session_id>/room-scan")
@proctor_page
def room_scan_form(session_id: int) -> WerkzeugResponse:
    release_reader()
    with db.write_transaction() as writer:
        session = access.proctored_session(writer, session_id)
        service.request_room_scan(writer, session, g.user.id, now())
    return redirect_to("proctoring_pages.review_page", session_id=session_id)


def redirect_to(endpoint: str, **values: Any) -> WerkzeugResponse:
    from flask import redirect

    return redirect(url_for(endpoint, lang=request_language(), **values), code=303)


# The policy of /proctoring/assets/: what runs under it is the model's worker (device.js and the
# modules it imports; a browser applies a worker script's own policy to the worker, while a file
# loaded by a page runs under the page's). The worker compiles TensorFlow.js's WASM backend
# (human/wasm/*.wasm), which needs 'wasm-unsafe-eval': WebAssembly compilation only, never
# 'unsafe-eval' (no eval, no new Function). The pages (CHECK_POLICY, the site's) need neither.
ASSET_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'",  # device.js imports human.esm.js, which compiles the .wasm
        "connect-src 'self'",  # the model's weights and the .wasm files, from our own site
        "worker-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)


@pages.after_request
def cache_assets(response: Response) -> Response:
    """The vendored model (megabytes) is cached for a week; our own scripts are revalidated; an
    error (a name that is not there) keeps the service's no-store."""
    if request.endpoint == "proctoring_pages.static" and response.status_code in (200, 304):
        vendored = (request.view_args or {}).get("filename", "").startswith("human/")
        response.headers["Cache-Control"] = "public, max-age=604800" if vendored else "no-cache"
    return response
