from django.urls import path

from onethread.handoffs import views

urlpatterns = [
    path("handoffs/", views.inbox, name="handoff-inbox"),
    path("handoffs/<id:handoff_id>/", views.detail, name="handoff"),
]
