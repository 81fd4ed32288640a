from django.urls import path

from onethread.interactions import views

urlpatterns = [
    path("journeys/<id:journey_id>/interactions/", views.log, name="log-interaction"),
]
