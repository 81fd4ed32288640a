from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from onethread.api.tests.apiclient import Api
    from onethread.team.models import Member


@pytest.fixture
def api_as(db: None) -> "Callable[[Member], Api]":
    """api_as(member) → an Api calling as that member. CSRF checks are on, as
    in production: token requests must not need them."""
    from django.test import Client

    from onethread.api.tests.apiclient import Api, issue_key

    def make(member: "Member") -> Api:
        return Api(key=issue_key(member.user), client=Client(enforce_csrf_checks=True))

    return make
