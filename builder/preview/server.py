"""`oqu preview`'s moving parts: the file watcher, the change feed the pages poll, and the small
script injected into the HTML the preview serves (and only there: built sites never carry it)."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from builder.i18n import t
from builder.preview.live import LiveSite, Outcome

PREFIX = "/__oqu_preview__/"
SCRIPT = Path(__file__).parent / "assets" / "preview.js"
TAG = f'<script src="{PREFIX}preview.js"></script>'.encode()
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".part", ".crdownload")
DEBOUNCE = 0.03  # editors write a file in more than one step


class ChangeFeed:
    """The latest outcome, numbered; pages wait on it (long poll) for the next one."""

    def __init__(self) -> None:
        self.outcome = Outcome()
        self.changed = threading.Condition()

    def publish(self, outcome: Outcome) -> None:
        with self.changed:
            outcome.generation = self.outcome.generation + 1
            self.outcome = outcome
            self.changed.notify_all()

    def wait(self, since: int, timeout: float = 20.0) -> Outcome:
        with self.changed:
            self.changed.wait_for(lambda: self.outcome.generation != since, timeout)
            return self.outcome


def preview_script() -> bytes:
    keys = ("errors", "last_good", "hide")
    words = {lang: {key: t(f"preview.{key}", lang) for key in keys} for lang in ("kk", "ru", "en")}
    return (
        SCRIPT.read_text(encoding="utf-8")
        .replace("/*WORDS*/ {}", json.dumps(words, ensure_ascii=False))
        .encode()
    )


class PreviewMiddleware:
    """Answers /__oqu_preview__/… itself; adds the preview script to every HTML page of the app."""

    def __init__(self, app: Callable[..., Iterable[bytes]], feed: ChangeFeed) -> None:
        self.app = app
        self.feed = feed
        self.script = preview_script()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == PREFIX + "preview.js":
            return _answer(start_response, "text/javascript; charset=utf-8", self.script)
        if path == PREFIX + "events":
            since = _since(environ.get("QUERY_STRING", ""))
            outcome = self.feed.outcome if since < 0 else self.feed.wait(since)
            body = json.dumps(outcome.as_json(), ensure_ascii=False).encode()
            return _answer(start_response, "application/json", body)
        return self._with_script(environ, start_response)

    def _with_script(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., Any]:
            captured.update(status=status, headers=headers, exc_info=exc_info)
            return lambda data: None

        result = self.app(environ, capture)
        headers = captured["headers"]
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
        if not content_type.startswith("text/html"):
            start_response(captured["status"], headers, captured["exc_info"])
            return result
        try:
            body = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
        body = _inject(body)
        skip = {"content-length", "etag", "last-modified", "cache-control"}
        headers = [(k, v) for k, v in headers if k.lower() not in skip]
        headers += [("Content-Length", str(len(body))), ("Cache-Control", "no-store")]
        start_response(captured["status"], headers, captured["exc_info"])
        return [body]


def _inject(body: bytes) -> bytes:
    at = body.rfind(b"</body>")
    return body[:at] + TAG + body[at:] if at >= 0 else body + TAG


def _answer(start_response: Callable[..., Any], content_type: str, body: bytes) -> list[bytes]:
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
    ]
    start_response("200 OK", headers)
    return [body]


def _since(query: str) -> int:
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if name == "since":
            try:
                return int(value)
            except ValueError:
                return -1
    return -1


class Watcher(FileSystemEventHandler):
    """Collects the site's changed files; a worker rebuilds what they touch, one batch at a time."""

    def __init__(self, live: LiveSite, feed: ChangeFeed, report: Callable[[Outcome], None]) -> None:
        self.live = live
        self.feed = feed
        self.report = report
        self.root = live.root.resolve()
        self.paths: queue.Queue[Path] = queue.Queue()
        self.observer = Observer()

    def start(self) -> None:
        self.observer.schedule(self, str(self.root / "content"), recursive=True)
        self.observer.schedule(self, str(self.root), recursive=False)
        self.observer.start()
        threading.Thread(target=self._work, name="oqu-preview-rebuild", daemon=True).start()

    def stop(self) -> None:
        self.observer.stop()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            path = Path(str(raw)) if raw else None
            if path is not None and self.watched(path, event.is_directory):
                self.paths.put(path)

    def watched(self, path: Path, is_directory: bool) -> bool:
        name = path.name
        if name.startswith((".", "#")) or name.endswith(IGNORED_SUFFIXES) or name == "4913":  # vim's probe
            return False
        if path.parent == self.root:
            return name == "site_config.yml"
        return path.is_relative_to(self.root / "content") and not (is_directory and path.exists())

    def _work(self) -> None:
        while True:
            batch = {self.paths.get()}
            time.sleep(DEBOUNCE)
            while not self.paths.empty():
                batch.add(self.paths.get())
            outcome = self.live.apply(sorted(batch))
            self.feed.publish(outcome)
            self.report(outcome)
