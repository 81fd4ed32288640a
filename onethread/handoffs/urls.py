from django.urls import path

from onethread.handoffs import views

urlpatterns = [
    path("handoffs/", views.inbox, name="handoff-inbox"),
    path("handoffs/<id:handoff_id>/", views.detail, name="handoff"),
    path("handoffs/<id:handoff_id>/accept/", views.accept, name="accept-handoff"),
    path("handoffs/<id:handoff_id>/return/", views.return_view, name="return-handoff"),
    path("journeys/<id:journey_id>/handoffs/", views.send, name="send-handoff"),
]
