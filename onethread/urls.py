from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from onethread.converters import RecordId

register_converter(RecordId, "id")

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("onethread.api.urls")),
    path("", include("onethread.journeys.urls")),
    path("", include("onethread.needs.urls")),
    path("", include("onethread.commitments.urls")),
    path("", include("onethread.interactions.urls")),
    path("", include("onethread.customers.urls")),
    path("", include("onethread.handoffs.urls")),
    path("", include("onethread.handoffs.health_urls")),
    path("", include("onethread.notifications.urls")),
    path("", include("onethread.signals.urls")),
    path("", include("onethread.imports.urls")),
    path("", include("onethread.training.urls")),
    path("", include("onethread.insights.urls")),
]
