from django.urls import path

from onethread.commitments import views

urlpatterns = [
    path("journeys/<id:journey_id>/commitments/", views.make, name="make-commitment"),
    path("commitments/<id:commitment_id>/settle/", views.settle, name="settle-commitment"),
    path(
        "commitments/<id:commitment_id>/renegotiate/",
        views.renegotiate,
        name="renegotiate-commitment",
    ),
]
