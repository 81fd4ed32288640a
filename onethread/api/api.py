"""The REST API, version 1: its routers, token auth and error shape."""

from ninja import NinjaAPI
from ninja.operation import Operation

from onethread.api import (
    accounts,
    contacts,
    goals,
    handoffs,
    health,
    interactions,
    journeys,
    needs,
    notes,
    notifications,
    playbooks,
    replays,
    shadowings,
    signals,
)
from onethread.api.auth import TokenAuth
from onethread.api.errors import install_error_handlers


class OnethreadAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        return str(operation.view_func.__name__)


api = OnethreadAPI(
    title="onethread API",
    version="1",
    description=(
        "The customer journey over HTTP. Authenticate with `Authorization: Bearer <key>` "
        "(issue a key with `onethread token USERNAME`). Lists are paginated by key: "
        "pass the `next` cursor of a page to get the following one."
    ),
    urls_namespace="api",
    auth=TokenAuth(),
)
install_error_handlers(api)
for module in (
    accounts,
    contacts,
    journeys,
    needs,
    interactions,
    handoffs,
    notes,
    notifications,
    signals,
    health,
    playbooks,
    replays,
    shadowings,
    goals,
):
    api.add_router("", module.router)
