"""One HTTP POST to a receiver, with a short timeout and no redirects."""

import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

TIMEOUT_SECONDS = 5
USER_AGENT = "onethread-webhooks/1"


@dataclass(frozen=True)
class Response:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other non-2xx: the POST is not replayed elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST the body; never raises for a network or HTTP failure, it reports it."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
    )
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
            answer.read(1024)
            return Response(answer.status, "", elapsed())
    except urllib.error.HTTPError as error:
        detail = error.read(200).decode("utf-8", "replace").strip()
        error.close()
        message = f"HTTP {error.code} {error.reason}" + (f": {detail}" if detail else "")
        return Response(error.code, message[:500], elapsed())
    except (OSError, http.client.HTTPException, ValueError) as error:
        reason = getattr(error, "reason", error)
        return Response(None, f"{type(error).__name__}: {reason}"[:500], elapsed())
