"""`oqu publish` / `oqu rollback` on a local folder target: releases, the atomic swap, restore."""

from __future__ import annotations

import os
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main
from builder.publish import PublishError, Target, current_release, publish, releases, rollback, swap, upload


def make_build(root: Path, text: str) -> Path:
    site = root / "site"
    (site / "kk").mkdir(parents=True, exist_ok=True)
    (site / "index.html").write_text(text, encoding="utf-8")
    (site / "kk" / "theme.css").write_text("body{}" * 1000, encoding="utf-8")
    os.utime(site / "kk" / "theme.css", (1_800_000_000, 1_800_000_000))  # as a cached output keeps its time
    (root / "service").mkdir(exist_ok=True)
    (root / "service" / "manifest.json").write_text(f'{{"build": "{text}"}}', encoding="utf-8")
    return root


@contextmanager
def web_server(root: Path) -> Iterator[str]:
    """A web server whose document root is `root` (TARGET/current), as nginx would serve it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def test_old_release_serves_until_the_swap(tmp_path: Path) -> None:
    target = Target.parse(str(tmp_path / "www"))
    publish(make_build(tmp_path / "b1", "бірінші") / "site", target, "r1")
    with web_server(tmp_path / "www" / "current") as url:
        assert get(url + "/index.html") == "бірінші"
        upload(make_build(tmp_path / "b2", "екінші") / "site", target, "r2")
        assert get(url + "/index.html") == "бірінші"  # copied beside it, not yet swapped in
        assert (tmp_path / "www/releases/r2/index.html").read_text(encoding="utf-8") == "екінші"
        swap(target, "r2")
        assert get(url + "/index.html") == "екінші"
    assert os.readlink(tmp_path / "www" / "current") == "releases/r2"
    assert [p.name for p in (tmp_path / "www").iterdir() if p.name.startswith("current.new")] == []
    # an unchanged file is hard-linked to the previous release, not copied again
    css = [tmp_path / f"www/releases/{r}/kk/theme.css" for r in ("r1", "r2")]
    assert css[0].stat().st_ino == css[1].stat().st_ino


def test_rollback_and_pruning(tmp_path: Path) -> None:
    target = Target.parse(str(tmp_path / "www"))
    for n in range(1, 5):
        publish(make_build(tmp_path / f"b{n}", f"build {n}") / "site", target, f"r{n}", keep=3)
    assert releases(target) == ["r2", "r3", "r4"]
    assert rollback(target) == "r3"
    assert (tmp_path / "www/current/index.html").read_text() == "build 3"
    assert rollback(target) == "r2"
    with pytest.raises(PublishError, match="r2 алдындағы шығарылым жоқ"):
        rollback(target)
    assert current_release(target) == "r2"


def test_a_failed_copy_leaves_current_alone(tmp_path: Path) -> None:
    target = Target.parse(str(tmp_path / "www"))
    publish(make_build(tmp_path / "b1", "old") / "site", target, "r1")
    with pytest.raises(PublishError, match="аяқталған жинақ емес"):
        publish(tmp_path / "empty", target, "r2")
    assert current_release(target) == "r1"


def test_publish_and_rollback_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI_COMMIT_SHORT_SHA", raising=False)
    monkeypatch.setenv("GITHUB_SHA", "0123456789abcdef")
    site_target, service_target = tmp_path / "www" / "site", tmp_path / "srv" / "service"
    runner = CliRunner()
    for text in ("first", "second"):
        out = make_build(tmp_path / text, text)
        args = ["publish", str(site_target), "--service", str(service_target), "--out", str(out)]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        assert result.stdout.endswith(f"-01234567 шығарылымы {site_target} нысанасына жарияланды\n")
    assert (service_target / "current" / "manifest.json").read_text() == '{"build": "second"}'
    result = runner.invoke(main, ["rollback", str(site_target), "--service", str(service_target)])
    assert result.exit_code == 0, result.output
    assert (site_target / "current" / "index.html").read_text() == "first"
    assert (service_target / "current" / "manifest.json").read_text() == '{"build": "first"}'


def test_targets() -> None:
    assert Target.parse("deploy@web1:/srv/oqu/site") == Target("/srv/oqu/site", "deploy@web1")
    assert Target.parse("/srv/oqu/site") == Target("/srv/oqu/site")
    assert Target.parse("web1:/srv/x").rsync_path("releases/r1/") == "web1:/srv/x/releases/r1/"
