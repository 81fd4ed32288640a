"""Mounted at /api/v1/. The API authenticates each request with its token,
so its views are exempt from the site's login redirect (and from CSRF)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, path, re_path, reverse

from onethread.api.api import api

app_name = "api"


@login_not_required
def index(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "version": api.version,
            "schema": reverse("api:openapi-json"),
            "docs": reverse("api:openapi-view"),
        }
    )


@login_not_required
def not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "There is no such API endpoint."}, status=404)


def _exempt_from_login(
    patterns: list[URLPattern | URLResolver],
) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            login_not_required(pattern.callback)
        else:
            _exempt_from_login(pattern.url_patterns)
    return patterns


urlpatterns = [
    path("", index, name="index"),
    *_exempt_from_login(api.urls[0]),
    re_path(r"", not_found, name="not-found"),
]
