"""One error shape for every failure: {"detail": str, "errors": {field: [messages]}?}."""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError

from onethread.journeys.access import NotPermitted
from onethread.journeys.editing import EditConflict

UNAUTHENTICATED = (
    "Authenticate with the header 'Authorization: Bearer <key>'; "
    "this key is missing, unknown or revoked (issue one with `onethread token`)."
)


def _respond(
    api: NinjaAPI, request: HttpRequest, status: int, detail: str, errors: Any = None
) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


def _field_name(location: list[Any]) -> str:
    # ninja locates body errors as ["body", <parameter>, field, ...] and
    # others as ["query" | "path", field, ...]; a wrong body as a whole is "body".
    parts = location[2:] if location[:1] == ["body"] else location[1:]
    return ".".join(str(part) for part in parts) or str(location[0] if location else "request")


def request_errors(exc: RequestValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(list(error.get("loc", []))), []).append(str(error["msg"]))
    return errors


def _summary(errors: dict[str, list[str]]) -> str:
    parts = [
        messages[0] if field == NON_FIELD_ERRORS else f"{field}: {messages[0]}"
        for field, messages in errors.items()
    ]
    return "; ".join(parts)[:500] or "The request is not valid."


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(RequestValidationError)
    def malformed(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
        errors = request_errors(exc)
        return _respond(api, request, 422, _summary(errors), errors)

    @api.exception_handler(DjangoValidationError)
    def invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = {field: list(messages) for field, messages in exc.message_dict.items()}
            return _respond(api, request, 422, _summary(errors), errors)
        return _respond(api, request, 422, " ".join(exc.messages) or "The request is not valid.")

    @api.exception_handler(EditConflict)
    def conflict(request: HttpRequest, exc: EditConflict) -> HttpResponse:
        return _respond(api, request, 409, str(exc))

    @api.exception_handler(NotPermitted)
    def forbidden(request: HttpRequest, exc: NotPermitted) -> HttpResponse:
        return _respond(api, request, 403, str(exc))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _respond(api, request, 404, str(exc) or "Not found.")

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = _respond(api, request, 401, UNAUTHENTICATED)
        response["WWW-Authenticate"] = 'Bearer realm="onethread"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return _respond(api, request, exc.status_code, exc.message)
