from django.urls import path

from onethread.handoffs import health_views

urlpatterns = [
    path("teams/<id:team_id>/handoffs/", health_views.team_handoffs, name="team-handoffs"),
    path("me/handoffs/", health_views.my_handoffs, name="my-handoffs"),
]
