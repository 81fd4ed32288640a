from django.urls import path

from onethread.training import goal_views, playbook_views, shadowing_views, views

urlpatterns = [
    path("training/", views.library_page, name="training"),
    path(
        "training/journeys/<id:journey_id>/replay/",
        views.build_replay_page,
        name="journey-replay",
    ),
    path("training/replays/<id:replay_id>/", views.replay_page, name="replay"),
    path("training/replays/<id:replay_id>/export/", views.export_replay, name="replay-export"),
    path("training/replays/<id:replay_id>/assign/", views.assign_replay_view, name="replay-assign"),
    path(
        "training/assignments/<id:assignment_id>/read/",
        views.mark_read_view,
        name="replay-read",
    ),
    path(
        "training/assignments/<id:assignment_id>/reflection/",
        views.reflect_view,
        name="replay-reflect",
    ),
    path("training/goals/", goal_views.goals_page, name="goals"),
    path(
        "training/goals/members/<id:member_id>/",
        goal_views.member_goals_page,
        name="member-goals",
    ),
    path("training/does-it-work/", goal_views.effect_page, name="training-effect"),
    path("training/shadowing/", shadowing_views.shadowings_page, name="shadowings"),
    path(
        "training/shadowing/<id:shadowing_id>/",
        shadowing_views.shadowing_page,
        name="shadowing",
    ),
    path(
        "training/shadowing/<id:shadowing_id>/notes/",
        shadowing_views.shadowing_note_view,
        name="shadowing-note",
    ),
    path(
        "training/shadowing/<id:shadowing_id>/close/",
        shadowing_views.close_shadowing_view,
        name="shadowing-close",
    ),
    path("training/playbooks/", playbook_views.playbooks_page, name="playbooks"),
    path("training/playbooks/<slug:stage_key>/", playbook_views.playbook_page, name="playbook"),
    path(
        "training/playbooks/<slug:stage_key>/steps/",
        playbook_views.add_item_view,
        name="playbook-add-step",
    ),
    path(
        "training/playbook-steps/<id:item_id>/remove/",
        playbook_views.remove_item_view,
        name="playbook-remove-step",
    ),
    path(
        "training/journeys/<id:journey_id>/playbook/<id:item_id>/done/",
        playbook_views.complete_step_view,
        name="playbook-step-done",
    ),
]
