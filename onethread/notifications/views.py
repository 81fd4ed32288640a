from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from onethread.notifications.queries import (
    BadCursor,
    get_notification_for_user,
    notification_page,
)
from onethread.notifications.services import mark_read


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    try:
        page = notification_page(request.user, older_than=request.GET.get("before") or None)
    except BadCursor as error:
        return HttpResponse(str(error), status=400, content_type="text/plain")
    context = {"page": page, "nav": "notifications"}
    return render(request, "notifications/list.html", context)


@require_GET
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark the notification read and go where it points."""
    notification = get_notification_for_user(request.user, notification_id)
    mark_read(request.user, [notification.pk])  # type: ignore[arg-type]
    target = notification.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications")


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    mark_read(request.user)  # type: ignore[arg-type]
    return redirect("notifications")
