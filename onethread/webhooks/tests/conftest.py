from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from onethread.webhooks.tests.receiver import Receiver


@pytest.fixture(autouse=True)
def fresh_subscriptions() -> Iterator[None]:
    """The per-process cache must not carry webhooks from one test to the next."""
    from onethread.webhooks import subscriptions

    subscriptions.forget()
    yield
    subscriptions.forget()


@pytest.fixture
def receiver() -> Iterator["Receiver"]:
    from onethread.webhooks.tests.receiver import running_receiver

    with running_receiver() as running:
        yield running
