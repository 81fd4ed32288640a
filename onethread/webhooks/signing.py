"""How a payload is signed, and how a receiver checks it (pure functions)."""

import datetime as dt
import hashlib
import hmac

SIGNATURE_HEADER = "X-Onethread-Signature"
DELIVERY_HEADER = "X-Onethread-Delivery"
EVENT_HEADER = "X-Onethread-Event"

# A failed delivery is tried again after each of these waits, then given up.
RETRY_DELAYS = (
    dt.timedelta(seconds=30),
    dt.timedelta(minutes=2),
    dt.timedelta(minutes=10),
    dt.timedelta(hours=1),
    dt.timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header's value: t=<unix time>,v1=<HMAC-SHA256 of "<t>.<body>">."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, body: bytes, header: str, *, now: int, tolerance: int = 300) -> bool:
    """True when the header signs this body with this secret, at most
    `tolerance` seconds from `now` (which refuses replays of old requests)."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def retry_delay(attempts: int) -> dt.timedelta | None:
    """The wait before the next try after `attempts` failed ones; None when
    the delivery has had all its tries."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return RETRY_DELAYS[attempts - 1]
