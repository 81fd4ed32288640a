"""Signatures and the retry schedule: pure functions, no database."""

import datetime as dt
import hashlib
import hmac

from onethread.webhooks.signing import MAX_ATTEMPTS, retry_delay, sign, verify

SECRET = "3f0c-test-secret"
BODY = b'{"id":7,"event":"handoff_sent"}'


def test_the_signature_is_an_hmac_of_the_timestamp_and_the_raw_body():
    expected = hmac.new(SECRET.encode(), b"1767225600." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, BODY, 1767225600) == f"t=1767225600,v1={expected}"


def test_a_receiver_accepts_a_fresh_signature_of_the_same_body():
    header = sign(SECRET, BODY, 1767225600)
    assert verify(SECRET, BODY, header, now=1767225600 + 299)


def test_a_receiver_refuses_a_changed_body_another_secret_or_an_old_request():
    header = sign(SECRET, BODY, 1767225600)
    assert not verify(SECRET, BODY + b" ", header, now=1767225600)
    assert not verify("another-secret", BODY, header, now=1767225600)
    assert not verify(SECRET, BODY, header, now=1767225600 + 301)
    assert not verify(SECRET, BODY, "v1=deadbeef", now=1767225600)
    assert not verify(SECRET, BODY, "t=soon,v1=deadbeef", now=1767225600)


def test_retries_back_off_then_stop_after_six_attempts():
    waits = [retry_delay(attempts) for attempts in range(1, MAX_ATTEMPTS + 1)]
    assert waits == [
        dt.timedelta(seconds=30),
        dt.timedelta(minutes=2),
        dt.timedelta(minutes=10),
        dt.timedelta(hours=1),
        dt.timedelta(hours=6),
        None,
    ]
