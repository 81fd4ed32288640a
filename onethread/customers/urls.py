from django.urls import path

from onethread.customers import views

urlpatterns = [
    path("journeys/<id:journey_id>/contacts/", views.add, name="add-contact"),
]
