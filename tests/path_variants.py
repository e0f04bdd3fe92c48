"""Ways of writing a path to a gated course's file that servers may read differently (T38).

Each variant is sent as the raw request target (http.client does not touch it), to the
embedded server and through nginx alike: none may hand the file to someone who may not read it.
"""

from __future__ import annotations

import http.client
from dataclasses import dataclass


def gated_variants(lang: str, course: str, rest: str, open_course: str = "dl-orientation") -> list[str]:
    """Raw request targets for `/<lang>/courses/<course>/<rest>` (rest without a leading slash)."""
    first = course[0]
    encoded_first = f"%{ord(first):02x}{course[1:]}"
    folder, _, name = rest.rpartition("/")
    folder = f"{folder}/" if folder else ""
    return [
        f"//{lang}/courses/{course}/{rest}",
        f"///{lang}/courses/{course}/{rest}",
        f"/{lang}//courses/{course}/{rest}",
        f"/{lang}/courses//{course}/{rest}",
        f"/{lang}/courses/{course}//{rest}",
        f"/./{lang}/courses/{course}/{rest}",
        f"/{lang}/./courses/./{course}/{rest}",
        f"/{lang}/courses/{course}/./{rest}",
        f"/{lang}/courses/{open_course}/../{course}/{rest}",
        f"/{lang}/courses/x/../{course}/{rest}",
        f"/{lang}/courses/{open_course}/%2e%2e/{course}/{rest}",
        f"/{lang}/courses/{open_course}/%2E%2E/{course}/{rest}",
        f"/{lang}/courses/{open_course}/.%2e/{course}/{rest}",
        f"/{lang}/courses/{open_course}%2f..%2f{course}/{rest}",
        f"/{lang}/courses/{open_course}/..%2f{course}/{rest}",
        f"/{lang}/courses/{open_course}/..;/{course}/{rest}",
        f"/{lang}%2fcourses%2f{course}%2f{rest}",
        f"/{lang}%2Fcourses%2F{course}/{rest}",
        f"/{lang}/courses/{encoded_first}/{rest}",
        f"/{lang}/courses/{course.replace('-', '%2d')}/{rest}",
        f"/%{ord(lang[0]):02x}{lang[1:]}/courses/{course}/{rest}",
        f"/{lang}/courses/%25{ord(first):02x}{course[1:]}/{rest}",
        f"/{lang}/courses/{course};/{rest}",
        f"/{lang}/courses/{course};x=1/{rest}",
        f"/{lang}/courses;/{course}/{rest}",
        f"/{lang}/courses/{course}/{rest};",
        f"/{lang}/courses/{course}/{folder}{name};.css",
        f"/{lang}\\courses\\{course}\\{rest}",
        f"/{lang}/courses/{course}\\{rest}",
        f"/{lang}%5ccourses%5c{course}/{rest}",
        f"/{lang.upper()}/{'courses'.upper()}/{course.upper()}/{rest}",
        f"/{lang}/Courses/{course}/{rest}",
        f"/{lang}/courses/{course.title()}/{rest}",
        f"/{lang}/courses/{course}./{rest}",
        f"/{lang}/courses/{course}../{rest}",
        f"/{lang}/courses/{course}%20/{rest}",
        f"/{lang}/courses/{course}%00/{rest}",
        f"/{lang}/courses/{course}/{rest}%00",
        f"/{lang}/courses/{course}/{folder}{name}%00.css",
        f"/{lang}/courses/{course}/{rest}?next=/{lang}/courses/{open_course}/",
        f"/{lang}/courses/{course}/{rest}#/{lang}/courses/{open_course}/",
        f"/{lang}/courses/{course}/{folder}x/../{name}",
        f"/{lang}/courses/{course}/{folder}x/%2e%2e/{name}",
        f"/{lang}/courses/{course}/{folder}%2e/{name}",
        f"/{lang}/courses/{course}/{rest}",  # the plain path itself
    ]


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


def fetch_raw(
    host: str, port: int, target: str, method: str = "GET", headers: dict[str, str] | None = None
) -> Answer:
    """Send `target` exactly as written (no normalisation by the client)."""
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return Answer(response.status, response.read())
    finally:
        connection.close()
