"""The cursor codec and the key comparison, without a database."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q

from onethread.api.pagination import Key, _after, decode_cursor, encode_cursor

KEYS = [Key("occurred_at", descending=True, kind=dt.datetime), Key("id", descending=True)]


def test_a_cursor_carries_its_key_values_back():
    moment = dt.datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
    assert decode_cursor(encode_cursor([moment, 42]), KEYS, "after") == [moment, 42]


def test_a_cursor_carries_text_in_any_script():
    keys = [Key("name", kind=str), Key("id")]
    assert decode_cursor(encode_cursor(["Société Générale — 東京", 7]), keys, "after") == [
        "Société Générale — 東京",
        7,
    ]


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "bm90IGpzb24",  # "not json"
        encode_cursor([1, 2, 3]),
        encode_cursor(["2025-03-01T09:30:00", 1]),  # no time zone
        encode_cursor(["yesterday", 1]),
        encode_cursor(["2025-03-01T09:30:00+00:00", True]),
        encode_cursor(["2025-03-01T09:30:00+00:00", 2**64]),
        encode_cursor(["2025-03-01T09:30:00+00:00", "1"]),
        encode_cursor({"id": 1}),  # type: ignore[arg-type]
    ],
)
def test_a_cursor_the_api_did_not_give_out_is_a_validation_error(cursor):
    with pytest.raises(ValidationError) as error:
        decode_cursor(cursor, KEYS, "before")
    assert "before" in error.value.message_dict


def test_after_compares_keys_in_order_and_direction():
    moment = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    condition = _after(KEYS, [moment, 9])
    assert condition == Q(occurred_at__lt=moment) | Q(occurred_at=moment, id__lt=9)
