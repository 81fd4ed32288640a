from django.urls import path

from onethread.signals import views

urlpatterns = [
    path("signals/", views.inbox, name="signals"),
    path("signals/usefulness/", views.usefulness, name="signal-usefulness"),
    path("signals/<id:signal_id>/act/", views.act, name="act-on-signal"),
    path("signals/<id:signal_id>/dismiss/", views.dismiss, name="dismiss-signal"),
]
