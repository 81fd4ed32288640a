from django.urls import path

from onethread.insights import views

urlpatterns = [
    path("insights/", views.insights, name="insights"),
    path("insights/<slug:slug>/", views.dashboard, name="insights-dashboard"),
    path("insights/<slug:slug>/<slug:panel>.csv", views.dashboard_csv, name="insights-csv"),
]
