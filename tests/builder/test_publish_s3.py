"""`oqu publish s3://…` against a real moto S3 server process on loopback: releases, the one-object
switch, unchanged files copied inside the store, rollback, a failed upload publishing nothing."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

boto3 = pytest.importorskip("boto3", reason="the s3 extra (boto3) is not installed")

from builder.cli import main  # noqa: E402
from builder.publish import PublishError, s3  # noqa: E402

BUCKET = "oqu-site"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    """Returns as soon as the server accepts a connection (each try blocks up to 0.2 s)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("moto_server exited")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            select.select([], [], [], 0.05)  # refused at once: give the process a moment
    raise RuntimeError("moto_server did not start")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """moto's S3 server as its own process (not moto's in-process mock)."""
    port = free_port()
    server = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_listening(port, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def client(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "OQU_S3_ENDPOINT_URL": endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    made = boto3.client("s3", endpoint_url=endpoint)
    with contextlib.suppress(made.exceptions.BucketAlreadyOwnedByYou):
        made.create_bucket(Bucket=BUCKET)
    return made


def make_site(root: Path, text: str) -> Path:
    site = root / "site"
    (site / "kk" / "lesson").mkdir(parents=True, exist_ok=True)
    (site / "index.html").write_text(text, encoding="utf-8")
    (site / "kk" / "theme.css").write_text("body{}" * 1000, encoding="utf-8")  # unchanged between builds
    (site / "kk" / "lesson" / "index.html").write_text(f"<p>{text}</p>", encoding="utf-8")
    return site


def read(client: Any, key: str) -> str:
    """A plain HTTP GET from the store, as the web front fetches it (signed here: moto ignores
    the public-read bucket policy an anonymous nginx would rely on)."""
    url = client.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": key})
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def served(client: Any, prefix: str, path: str) -> str:
    """What the documented nginx set-up answers: a HEAD of `current` names the release (its
    x-amz-meta-release header), the page comes from that release."""
    url = client.generate_presigned_url("head_object", Params={"Bucket": BUCKET, "Key": f"{prefix}/current"})
    with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=5) as response:
        release = response.headers["x-amz-meta-release"]
    return read(client, f"{prefix}/releases/{release}/{path}")


def test_old_release_stays_complete_until_the_switch(tmp_path: Path, endpoint: str, client: Any) -> None:
    target = s3.S3Target.parse(f"s3://{BUCKET}/school/site")
    first = s3.publish(make_site(tmp_path / "b1", "бірінші"), target, "r1", client=client)
    assert sorted(first.uploaded) == ["index.html", "kk/lesson/index.html", "kk/theme.css"]
    assert served(client, "school/site", "index.html") == "бірінші"

    second = s3.upload(make_site(tmp_path / "b2", "екінші"), target, "r2", client)
    assert second.copied == ["kk/theme.css"]  # same sha256: copied inside the store, not uploaded
    assert sorted(second.uploaded) == ["index.html", "kk/lesson/index.html"]
    # uploaded beside it, not switched: every file of r1 still there and still served
    assert served(client, "school/site", "index.html") == "бірінші"
    assert served(client, "school/site", "kk/lesson/index.html") == "<p>бірінші</p>"
    assert read(client, "school/site/releases/r1/kk/theme.css") == "body{}" * 1000

    s3.switch(target, "r2", client)
    assert served(client, "school/site", "index.html") == "екінші"
    assert served(client, "school/site", "kk/theme.css") == "body{}" * 1000
    current = client.head_object(Bucket=BUCKET, Key="school/site/current")
    assert current["CacheControl"] == "no-cache"
    assert client.head_object(Bucket=BUCKET, Key="school/site/releases/r2/index.html")["ContentType"] == (
        "text/html; charset=utf-8"
    )
    manifest = json.loads(read(client, "school/site/manifests/r2.json"))
    assert set(manifest["files"]) == {"index.html", "kk/lesson/index.html", "kk/theme.css"}

    assert s3.rollback(target, client) == "r1"
    assert served(client, "school/site", "index.html") == "бірінші"
    with pytest.raises(PublishError, match="шығарылым жоқ"):
        s3.rollback(target, client)


class FailingClient:
    """The real client, but the store refuses the second file upload (a network cut, a full quota)."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.puts = 0

    def put_object(self, **kwargs: Any) -> Any:
        self.puts += 1
        if self.puts == 2:
            raise ConnectionError("connection reset by peer")
        return self.real.put_object(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_a_failed_upload_publishes_nothing(tmp_path: Path, endpoint: str, client: Any) -> None:
    target = s3.S3Target.parse(f"s3://{BUCKET}/failing")
    s3.publish(make_site(tmp_path / "b1", "бірінші"), target, "r1", client=client)
    with pytest.raises(PublishError, match="ештеңе жарияланбады"):
        s3.publish(make_site(tmp_path / "b2", "екінші"), target, "r2", client=FailingClient(client))
    assert s3.current_release(target, client) == "r1"
    assert s3.releases(target, client) == ["r1"]
    assert list(s3._keys(target, "failing/releases/r2/", client)) == []  # the partial upload removed
    assert served(client, "failing", "index.html") == "бірінші"
    with pytest.raises(PublishError, match=r"толық .* шығарылымы жоқ"):
        s3.switch(target, "r2", client)


def test_the_commands_publish_prune_and_roll_back(tmp_path: Path, endpoint: str, client: Any) -> None:
    runner = CliRunner()
    for number in range(1, 4):
        make_site(tmp_path / "build", f"build {number}")
        (tmp_path / "build" / "service").mkdir(exist_ok=True)
        (tmp_path / "build" / "service" / "manifest.json").write_text(f'{{"n": {number}}}', encoding="utf-8")
        result = runner.invoke(
            main,
            [
                "publish",
                f"s3://{BUCKET}/cli/site",
                "--service",
                f"s3://{BUCKET}/cli/service",
                "--out",
                str(tmp_path / "build"),
                "--keep",
                "2",
            ],
        )
        assert result.exit_code == 0, result.output
    assert served(client, "cli/site", "index.html") == "build 3"
    assert served(client, "cli/service", "manifest.json") == '{"n": 3}'
    site = s3.S3Target.parse(f"s3://{BUCKET}/cli/site")
    assert len(s3.releases(site, client)) == 2  # the oldest pruned, objects and manifest
    assert len({key.split("/")[3] for key in s3._keys(site, "cli/site/releases/", client)}) == 2

    result = runner.invoke(
        main, ["rollback", f"s3://{BUCKET}/cli/site", "--service", f"s3://{BUCKET}/cli/service"]
    )
    assert result.exit_code == 0, result.output
    assert served(client, "cli/site", "index.html") == "build 2"
    assert served(client, "cli/service", "manifest.json") == '{"n": 2}'


def test_an_endpoint_option_wins_and_a_bad_target_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OQU_S3_ENDPOINT_URL", "http://env:9000")
    assert s3.S3Target.parse("s3://b/p/q/").endpoint_url == "http://env:9000"
    assert s3.S3Target.parse("s3://b/p/q/").key("current") == "p/q/current"
    assert s3.S3Target.parse("s3://b", "http://opt:9000").endpoint_url == "http://opt:9000"
    assert s3.S3Target.parse("s3://b").key("current") == "current"
    with pytest.raises(PublishError, match="бакет көрсетілмеген"):
        s3.S3Target.parse("s3:///prefix")


def test_a_missing_bucket_is_one_clear_error(tmp_path: Path, client: Any) -> None:
    make_site(tmp_path / "build", "бірінші")
    result = CliRunner().invoke(
        main, ["publish", "s3://no-such-bucket/site", "--out", str(tmp_path / "build")]
    )
    assert result.exit_code == 1
    assert "қате: s3://no-such-bucket/site:" in result.output and "NoSuchBucket" in result.output
    assert "Traceback" not in result.output


def nginx_config(endpoint: str, prefix: str, port: int, work: Path) -> str:
    """docs/deploy.md's nginx configuration, pointed at the moto server and a scratch folder."""
    doc = (Path(__file__).parents[2] / "docs" / "deploy.md").read_text(encoding="utf-8")
    block = doc.split("## Publishing to an S3-compatible object store", 1)[1].split("```nginx\n", 1)[1]
    block = block.split("```", 1)[0]
    host = endpoint.removeprefix("http://")
    block = block.replace("https://s3.example.kz/oqu-site/school/site", f"{endpoint}/{BUCKET}/{prefix}")
    block = block.replace("Host s3.example.kz", f"Host {host}")
    block = block.replace("/var/cache/nginx/oqu-current", str(work / "cache"))
    block = block.replace("proxy_cache_valid 200 5s;", "proxy_cache_valid 200 1s;")  # a quicker test
    block = block.replace("resolver 127.0.0.53;", "")  # the upstream is an IP address here
    # moto does not honour a public-read bucket policy for anonymous reads (real stores do): any
    # Authorization header makes it answer, standing in for that policy
    listen = f'listen 127.0.0.1:{port}; proxy_set_header Authorization "AWS testing:x";'
    block = block.replace(
        "# … listen, TLS, the /api/ /auth/ /teach/ locations and the course gate as above …", listen
    )
    block = block.replace(
        "proxy_set_header Host", 'proxy_set_header Authorization "AWS testing:x"; proxy_set_header Host'
    )
    user = "user root;" if os.geteuid() == 0 else ""  # workers reach the scratch folder
    return (
        f"{user} daemon off; pid {work}/nginx.pid; error_log {work}/error.log;\n"
        f"events {{}}\nhttp {{ access_log off; client_body_temp_path {work}/body; proxy_temp_path {work}/proxy;\n"
        f"{block}\n}}\n"
    )


def until_served(site: str, text: str) -> str:
    """The home page, asked again until it is `text` (nginx caches `current` for 1 s here)."""
    deadline = time.monotonic() + 15
    while True:
        with urllib.request.urlopen(f"{site}/", timeout=5) as response:
            body = response.read().decode()
        if body == text or time.monotonic() > deadline:
            return body
        select.select([], [], [], 0.1)


def test_nginx_serves_the_current_release_as_deploy_md_configures_it(
    tmp_path: Path, endpoint: str, client: Any
) -> None:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.skip("nginx is not installed")
    target = s3.S3Target.parse(f"s3://{BUCKET}/nginx")
    s3.publish(make_site(tmp_path / "b1", "бірінші"), target, "r1", client=client)
    port = free_port()
    (tmp_path / "nginx").mkdir()
    conf = tmp_path / "nginx" / "nginx.conf"
    conf.write_text(nginx_config(endpoint, "nginx", port, tmp_path / "nginx"), encoding="utf-8")
    process = subprocess.Popen([nginx, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_listening(port, process)
        site = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{site}/", timeout=5) as response:
            assert response.read().decode() == "бірінші"
        with urllib.request.urlopen(f"{site}/kk/lesson/", timeout=5) as response:
            assert response.read().decode() == "<p>бірінші</p>"
        s3.publish(make_site(tmp_path / "b2", "екінші"), target, "r2", client=client)
        assert until_served(site, "екінші") == "екінші"  # once nginx's cached `current` expires
        s3.rollback(target, client)
        assert until_served(site, "бірінші") == "бірінші"
    finally:
        process.terminate()
        process.wait(timeout=10)
