from django.urls import path

from onethread.journeys import views

urlpatterns = [
    path("", views.board_page, name="board"),
    path("board/stages/<slug:stage_key>/", views.board_column, name="board-column"),
    path("accounts/<id:account_id>/", views.account_page, name="account-thread"),
    path("journeys/<id:journey_id>/timeline/", views.timeline, name="timeline"),
    path("journeys/<id:journey_id>/stage/", views.move_stage_view, name="move-stage"),
    path("journeys/<id:journey_id>/notes/", views.add_note_view, name="add-note"),
]
