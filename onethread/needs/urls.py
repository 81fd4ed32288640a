from django.urls import path

from onethread.needs import views

urlpatterns = [
    path("journeys/<id:journey_id>/needs/", views.capture, name="capture-need"),
    path("needs/<id:need_id>/", views.change, name="change-need"),
]
