"""`oqu publish s3://bucket/prefix`: releases in an S3-compatible object store, for a CDN or nginx.

The layout under the prefix (every key below starts with `<prefix>/`):

    releases/<release>/<path>      the release's files, never changed once written
    manifests/<release>.json       {"release": …, "files": {path: sha256}}; written after the last
                                   file, so a release without its manifest is not a release
    current                        ONE small object naming the served release: its body is the
                                   release's name and its metadata `x-amz-meta-release` the same
                                   (Cache-Control: no-cache)

A publish uploads the new release beside the old one (a file whose sha256 equals the same path's
in the current release's manifest is copied inside the store, not uploaded again), writes the
manifest, then rewrites `current`: one PUT of one object, which S3 makes visible whole. Until that
PUT every reader resolving `current` gets the old release, whose objects were never touched; after
it, the new one. A failed upload raises before the manifest and before `current`, and removes what
it had written. `oqu rollback s3://…` rewrites `current` to the release before it.

How the web front uses `current` (docs/deploy.md has the full nginx configuration): nginx asks
for `current` with a cached HEAD subrequest (`auth_request`), takes the release from the
`x-amz-meta-release` header and proxies the page from `releases/<release>/`. Any CDN with an edge
function (a Cloudflare Worker, Lambda@Edge) does the same by reading `current`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mimetypes
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.command_words import say
from builder.publish import PublishError, no_previous_release

RELEASES = "releases"
MANIFESTS = "manifests"
CURRENT = "current"
RELEASE_HEADER = "release"  # x-amz-meta-release on `current`


@dataclass(frozen=True)
class S3Target:
    bucket: str
    prefix: str
    endpoint_url: str | None = None

    @classmethod
    def parse(cls, spec: str, endpoint_url: str | None = None) -> S3Target:
        """`s3://bucket` or `s3://bucket/some/prefix`; the endpoint from the option or OQU_S3_ENDPOINT_URL."""
        rest = spec.removeprefix("s3://")
        bucket, _, prefix = rest.partition("/")
        if not bucket:
            raise PublishError(say("cli.publish.no_bucket", spec=spec))
        endpoint = endpoint_url or os.environ.get("OQU_S3_ENDPOINT_URL") or None
        return cls(bucket, prefix.strip("/"), endpoint)

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def key(self, *parts: str) -> str:
        return "/".join(part for part in (self.prefix, *parts) if part)


def is_s3(spec: str) -> bool:
    return spec.startswith("s3://")


def client_for(target: S3Target) -> Any:
    """A boto3 client; credentials from the standard AWS variables (AWS_ACCESS_KEY_ID, …)."""
    try:
        import boto3  # an optional extra: pip install 'oqu[s3]'
    except ImportError as exc:
        raise PublishError(say("cli.publish.needs_boto3")) from exc
    return boto3.client("s3", endpoint_url=target.endpoint_url)


@dataclass
class UploadReport:
    uploaded: list[str] = field(default_factory=list)
    copied: list[str] = field(default_factory=list)


def publish(source: Path, target: S3Target, release: str, keep: int = 5, client: Any = None) -> UploadReport:
    """Upload `source` as a new release, then switch `current` to it; prune old releases."""
    client = client or client_for(target)
    with _store_errors(target):
        report = upload(source, target, release, client)
        switch(target, release, client)
        prune(target, keep, client)
    return report


def upload(source: Path, target: S3Target, release: str, client: Any) -> UploadReport:
    """The release's files and, last, its manifest; `current` is not touched."""
    if not (source / "index.html").is_file() and not (source / "manifest.json").is_file():
        raise PublishError(say("cli.publish.not_built", source=source))
    previous = current_release(target, client)
    old = read_manifest(target, previous, client) if previous else {}
    files: dict[str, str] = {}
    report = UploadReport()
    try:
        for relative, path in _files(source):
            digest = _sha256(path)
            files[relative] = digest
            key = target.key(RELEASES, release, relative)
            if previous and old.get(relative) == digest:
                source_key = target.key(RELEASES, previous, relative)
                client.copy_object(
                    Bucket=target.bucket, Key=key, CopySource={"Bucket": target.bucket, "Key": source_key}
                )
                report.copied.append(relative)
            else:
                with path.open("rb") as body:
                    client.put_object(
                        Bucket=target.bucket, Key=key, Body=body, ContentType=_content_type(path)
                    )
                report.uploaded.append(relative)
        manifest = json.dumps({"release": release, "files": files}, sort_keys=True).encode()
        client.put_object(
            Bucket=target.bucket,
            Key=target.key(MANIFESTS, f"{release}.json"),
            Body=manifest,
            ContentType="application/json",
        )
    except Exception as exc:
        # best effort (the upload's own error is the one to report): without a manifest the
        # partial release is never served anyway
        with contextlib.suppress(Exception):
            _delete_prefix(target, target.key(RELEASES, release) + "/", client)
        raise PublishError(say("cli.publish.upload_failed", source=source, target=target, error=exc)) from exc
    return report


def switch(target: S3Target, release: str, client: Any) -> None:
    """Point `current` at `release`: one PUT of one small object (only a complete release)."""
    if release not in releases(target, client):
        raise PublishError(say("cli.publish.incomplete", target=target, release=release))
    client.put_object(
        Bucket=target.bucket,
        Key=target.key(CURRENT),
        Body=release.encode(),
        ContentType="text/plain; charset=utf-8",
        CacheControl="no-cache",
        Metadata={RELEASE_HEADER: release},
    )


def rollback(target: S3Target, client: Any = None) -> str:
    """Switch `current` back to the release published before it; returns that release's name."""
    client = client or client_for(target)
    with _store_errors(target):
        current = current_release(target, client)
        known = releases(target, client)
        if current not in known or known.index(current) == 0:
            raise PublishError(no_previous_release(target, current))
        previous = known[known.index(current) - 1]
        switch(target, previous, client)
    return previous


@contextlib.contextmanager
def _store_errors(target: S3Target) -> Iterator[None]:
    """The store's refusals (no such bucket, bad credentials, no connection) as one clear line."""
    try:
        yield
    except PublishError:
        raise
    except Exception as exc:
        if not type(exc).__module__.startswith(("botocore", "boto3")):
            raise
        raise PublishError(f"{target}: {exc}") from exc


def prune(target: S3Target, keep: int, client: Any) -> None:
    """Keep the newest `keep` complete releases (and always the current one)."""
    current = current_release(target, client)
    for old in releases(target, client)[:-keep] if keep > 0 else []:
        if old != current:
            client.delete_object(Bucket=target.bucket, Key=target.key(MANIFESTS, f"{old}.json"))
            _delete_prefix(target, target.key(RELEASES, old) + "/", client)


def releases(target: S3Target, client: Any) -> list[str]:
    """Complete releases (those with a manifest), oldest first."""
    prefix = target.key(MANIFESTS) + "/"
    names = [
        key.removeprefix(prefix).removesuffix(".json")
        for key in _keys(target, prefix, client)
        if key.endswith(".json")
    ]
    return sorted(names)


def current_release(target: S3Target, client: Any) -> str | None:
    try:
        answer = client.get_object(Bucket=target.bucket, Key=target.key(CURRENT))
    except client.exceptions.NoSuchKey:
        return None
    return str(answer["Body"].read().decode().strip()) or None


def read_manifest(target: S3Target, release: str, client: Any) -> dict[str, str]:
    try:
        answer = client.get_object(Bucket=target.bucket, Key=target.key(MANIFESTS, f"{release}.json"))
    except client.exceptions.NoSuchKey:
        return {}
    files = json.loads(answer["Body"].read())["files"]
    return {str(path): str(digest) for path, digest in files.items()}


def _files(source: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(source.rglob("*")):
        if path.is_file():
            yield path.relative_to(source).as_posix(), path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _content_type(path: Path) -> str:
    kind, _ = mimetypes.guess_type(path.name)
    if kind and (kind.startswith("text/") or kind in {"application/javascript", "application/json"}):
        return f"{kind}; charset=utf-8"
    return kind or "application/octet-stream"


def _keys(target: S3Target, prefix: str, client: Any) -> Iterator[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=target.bucket, Prefix=prefix)
    for page in pages:
        for item in page.get("Contents", []):
            yield str(item["Key"])


def _delete_prefix(target: S3Target, prefix: str, client: Any) -> None:
    keys = list(_keys(target, prefix, client))
    for start in range(0, len(keys), 1000):  # DeleteObjects takes at most 1,000 keys
        chunk = [{"Key": key} for key in keys[start : start + 1000]]
        client.delete_objects(Bucket=target.bucket, Delete={"Objects": chunk, "Quiet": True})
