"""The protective headers of every response, set in one place (issue #10, finding 6).

Two Content-Security-Policies, chosen by what the response is, never by its URL:

- `SITE_POLICY` for the built static site (`build/site`), which the service serves in the
  embedded mode and nginx in production (docs/nginx-headers.conf carries the same text, and
  a test keeps them equal). Scripts only from the site itself plus Material for MkDocs' few
  inline scripts, allowed by their hashes; frames only from the site (the builder embeds its
  interactive exports in sandboxed same-site iframes; a document asked for by a frame gets
  `FRAMED_SITE_POLICY`, sandboxed).
- `SERVICE_POLICY` for everything the service renders itself (sign-in, profile, admin,
  /teach/, error pages, the JSON API): no script at all, never framed.

Every response gets `Cache-Control: no-store` unless its view chose how it may be cached
(site files revalidate, `private, no-cache` for gated courses).
"""

from __future__ import annotations

import base64
import hashlib

from flask import Flask, Response, current_app, request

# Material for MkDocs' inline scripts (templates/partials/javascripts/base.html, at each depth
# of an oqu project's pages, and content.html). An upgrade of Material that changes them fails
# tests/browser/test_security_headers.py, which names the script to add here.
MATERIAL_SCOPE_SCRIPT = (
    '__md_scope=new URL("{base}",location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),'
    '__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),'
    '__md_set=(e,_,t=localStorage,a=__md_scope)=>{{try{{t.setItem(a.pathname+"."+e,JSON.stringify(_))}}catch(e){{}}}}'
)
MATERIAL_TAB_SCRIPT = (
    "var target=document.getElementById(location.hash.slice(1));"
    'target&&target.name&&(target.checked=target.name.startsWith("__tabbed_"))'
)
PAGE_DEPTHS = (".", "..", "../..", "../../..")  # catalogue, course, module/lesson, and one spare


def script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def material_script_hashes() -> list[str]:
    scripts = [MATERIAL_SCOPE_SCRIPT.format(base=base) for base in PAGE_DEPTHS] + [MATERIAL_TAB_SCRIPT]
    return [script_hash(script) for script in scripts]


SITE_POLICY = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' {' '.join(material_script_hashes())}",
        "style-src 'self' 'unsafe-inline'",  # style="" in teachers' HTML; CSS cannot run code
        "img-src 'self' data: blob:",  # Material's icons are data: URLs in its CSS
        "font-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self'",
        "frame-ancestors 'self'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)
SERVICE_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'unsafe-inline'",  # the pages' own <style>; they have no script at all
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
# A site document asked for by a frame (Sec-Fetch-Dest: iframe): the builder's embedded
# exports (H5P, simulations) bring inline scripts and eval. They run sandboxed, in an opaque
# origin that cannot read the site's cookies or storage, whoever frames them.
FRAMED_SITE_POLICY = "; ".join(
    [
        "sandbox allow-scripts allow-forms allow-popups allow-pointer-lock",
        "default-src 'self' data: blob:",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:",
        "style-src 'self' 'unsafe-inline' data:",
        "frame-ancestors 'self'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # reset links carry a secret in the path; other sites get nothing
}
HSTS = "max-age=31536000"  # a year; no includeSubDomains: other hosts may still be plain HTTP
SITE_ENDPOINT = "static_site"


def set_endpoint_policy(app: Flask, endpoint: str, policy: str) -> None:
    """A service page or file that needs another policy than SERVICE_POLICY (a page with its own
    script and camera, a recording served sandboxed) names it here, by endpoint."""
    app.extensions.setdefault("oqu_endpoint_policies", {})[endpoint] = policy


def content_security_policy() -> str:
    if request.endpoint != SITE_ENDPOINT:
        return current_app.extensions.get("oqu_endpoint_policies", {}).get(request.endpoint, SERVICE_POLICY)
    return FRAMED_SITE_POLICY if request.headers.get("Sec-Fetch-Dest") == "iframe" else SITE_POLICY


def add_security_headers(response: Response) -> Response:
    """Every response's headers; a view's own value wins only for Cache-Control."""
    response.headers.update(COMMON_HEADERS)
    response.headers["Content-Security-Policy"] = content_security_policy()
    response.headers["X-Frame-Options"] = "SAMEORIGIN" if request.endpoint == SITE_ENDPOINT else "DENY"
    response.headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:  # behind a TLS proxy (OQU_PROXY_HOPS); never on plain-HTTP `oqu serve`
        response.headers["Strict-Transport-Security"] = HSTS
    return response
