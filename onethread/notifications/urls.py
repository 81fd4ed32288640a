from django.urls import path

from onethread.notifications import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.mark_all_read, name="notifications-read"),
    path("notifications/<id:notification_id>/", views.open_notification, name="notification"),
]
