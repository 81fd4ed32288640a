"""The full demo company, seeded once by the command: it works through handoffs
the way issue 3 describes them, and the event log tells the same story.

One test seeds it and runs every check: a test class would be seeded again in
each xdist worker that picks one of its tests."""

import datetime as dt
import statistics
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Avg, OuterRef, Subquery
from django.utils import timezone

from onethread.demo import company
from onethread.demo.seed import READ_UP_TO
from onethread.handoffs.models import Handoff
from onethread.handoffs.queries import inbox, waiting_count
from onethread.journeys.models import (
    AccountTeamMember,
    EventKind,
    Journey,
    JourneyEvent,
    Stage,
)
from onethread.needs.models import Need
from onethread.notifications.models import Notification
from onethread.team.models import Member, Role


def table_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def events_by_handoff(kind: str) -> Counter[int]:
    return Counter(
        JourneyEvent.objects.filter(kind=kind).values_list("payload__handoff_id", flat=True)
    )


@pytest.mark.django_db
def test_the_demo_command_seeds_a_company_that_works_through_handoffs():
    """One full seed (it is the slow part), then each check of what it holds."""
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    output = out.getvalue()
    assert Journey.objects.count() >= 500
    assert "520/520 accounts" in output
    assert "http://127.0.0.1:8000/" in output
    assert f"password: {company.DEMO_PASSWORD}" in output
    for username, full_name, *_ in company.DEMO_LOGINS:
        assert f"{username} " in output
        assert full_name in output
    username, _, why = company.AWAY
    assert f"({username}) is marked unavailable: {why}." in output

    check_handoffs_exist_in_every_state_each_with_its_events()
    check_every_accepted_handoff_moved_its_journey_to_its_stage_and_receiver()
    check_overdue_handoffs_have_their_event_and_waiting_ones_hold_their_journey()
    check_alex_and_omar_find_handoffs_waiting_in_their_inbox()
    check_routing_skips_the_member_who_takes_no_new_work()
    check_handoffs_into_customer_success_are_rated_lower_and_returned_more()
    check_some_needs_are_asked_again_after_a_handoff()
    check_notes_mention_earlier_owners_of_the_journey()
    check_speed_to_lead_is_mostly_hours_and_a_few_leads_are_never_touched()
    check_each_journeys_last_stage_entered_is_its_stage_and_owners_match_it()
    check_people_have_read_all_but_their_recent_notifications()

    seeded = table_counts()
    second = StringIO()
    call_command("demo", "--no-serve", stdout=second)
    assert table_counts() == seeded
    assert "Nothing seeded: the demo company is already there." in second.getvalue()


def check_handoffs_exist_in_every_state_each_with_its_events() -> None:
    statuses = Counter(Handoff.objects.values_list("status", flat=True))
    assert set(statuses) == set(Handoff.Status.values)
    assert statuses[Handoff.Status.PENDING] < statuses[Handoff.Status.RETURNED]
    assert statuses[Handoff.Status.RETURNED] < statuses[Handoff.Status.ACCEPTED]
    by_status = defaultdict(set)
    for pk, status in Handoff.objects.values_list("pk", "status"):
        by_status[status].add(pk)
    every = set().union(*by_status.values())
    assert events_by_handoff(EventKind.HANDOFF_SENT) == Counter(every)
    accepted = by_status[Handoff.Status.ACCEPTED]
    assert events_by_handoff(EventKind.HANDOFF_ACCEPTED) == Counter(accepted)
    returned = by_status[Handoff.Status.RETURNED]
    assert events_by_handoff(EventKind.HANDOFF_RETURNED) == Counter(returned)
    overridden = Handoff.objects.exclude(override_reason="")
    assert overridden.exists()
    assert not overridden.filter(completeness=1.0).exists()


def check_every_accepted_handoff_moved_its_journey_to_its_stage_and_receiver() -> None:
    entered = set(
        JourneyEvent.objects.filter(kind=EventKind.STAGE_ENTERED).values_list(
            "journey_id", "occurred_at", "payload__to"
        )
    )
    owned = set(
        JourneyEvent.objects.filter(kind=EventKind.OWNER_CHANGED).values_list(
            "journey_id", "occurred_at", "payload__to_id"
        )
    )
    accepted = Handoff.objects.filter(status=Handoff.Status.ACCEPTED).values_list(
        "journey_id", "responded_at", "to_stage__key", "to_member_id", "rating"
    )
    assert accepted
    for journey_id, at, stage_key, receiver_id, rating in accepted:
        assert (journey_id, at, stage_key) in entered
        assert (journey_id, at, receiver_id) in owned
        assert rating in range(1, 6)


def check_overdue_handoffs_have_their_event_and_waiting_ones_hold_their_journey() -> None:
    flagged = Handoff.objects.filter(overdue_flagged_at__isnull=False)
    assert flagged.filter(status=Handoff.Status.PENDING).exists()
    assert flagged.exclude(status=Handoff.Status.PENDING).exists()
    overdue = set(
        JourneyEvent.objects.filter(kind=EventKind.HANDOFF_OVERDUE).values_list(
            "payload__handoff_id", "occurred_at"
        )
    )
    assert overdue == set(flagged.values_list("pk", "overdue_flagged_at"))
    for handoff in Handoff.objects.exclude(status=Handoff.Status.PENDING):
        assert handoff.responded_at is not None
        late = (handoff.responded_at - handoff.due_at).total_seconds()
        if late > 60:  # the sweep runs every minute
            assert handoff.overdue_flagged_at is not None, handoff
        elif late <= 0:
            assert handoff.overdue_flagged_at is None, handoff
    for handoff in Handoff.objects.filter(status=Handoff.Status.PENDING).select_related("journey"):
        assert handoff.journey.stage_id == handoff.from_stage_id


def check_alex_and_omar_find_handoffs_waiting_in_their_inbox() -> None:
    for username in ("alex", "omar"):
        member = Member.objects.select_related("user").get(user__username=username)
        waiting = inbox(member.user, "received")
        assert 1 <= len(waiting) <= 3, username
        assert waiting_count(member.user) == len(waiting)


def check_routing_skips_the_member_who_takes_no_new_work() -> None:
    maya = Member.objects.get(user__username="maya")
    assert not maya.is_available
    last_to_maya = Handoff.objects.filter(to_member=maya).latest("sent_at").sent_at
    since = Handoff.objects.filter(
        routed=True, to_stage__key="closing", sent_at__gt=last_to_maya
    ).values_list("to_member__user__username", flat=True)
    assert len(since) >= 2
    assert set(since) == {"alex"}


def check_handoffs_into_customer_success_are_rated_lower_and_returned_more() -> None:
    def step(from_key: str, to_key: str) -> tuple[float, float, Counter[str]]:
        handoffs = Handoff.objects.filter(from_stage__key=from_key, to_stage__key=to_key)
        rating = handoffs.aggregate(rating=Avg("rating"))["rating"]
        answered = handoffs.exclude(status=Handoff.Status.PENDING)
        returned = answered.filter(status=Handoff.Status.RETURNED)
        reasons = Counter(returned.values_list("return_reason__key", flat=True))
        return rating, returned.count() / answered.count(), reasons

    lead_rating, lead_returns, _ = step("lead", "qualification")
    sale_rating, sale_returns, _ = step("qualification", "closing")
    won_rating, won_returns, won_reasons = step("closing", "onboarding")
    assert won_rating < sale_rating < lead_rating
    assert won_returns > sale_returns > lead_returns
    assert won_reasons.most_common(1)[0][0] == "missing_information"
    thin = Handoff.objects.filter(status=Handoff.Status.ACCEPTED).exclude(missing_feedback=[])
    assert thin.exists()


def check_some_needs_are_asked_again_after_a_handoff() -> None:
    repeats = JourneyEvent.objects.filter(kind=EventKind.REPEATED_DISCOVERY)
    needs = {need.pk: need for need in Need.objects.select_related("captured_at_stage")}
    for event in repeats:
        earlier = needs[event.payload["repeats_need_id"]]
        again = needs[event.payload["need_id"]]
        assert earlier.captured_at_stage_id != again.captured_at_stage_id
        assert event.payload["known_since_stage"] == earlier.captured_at_stage.key
    # A few percent of the customers had to repeat themselves after the sale.
    customers = Journey.objects.filter(won_at__isnull=False).count()
    after_the_sale = repeats.filter(stage__side=Stage.Side.RETENTION)
    assert 0.01 * customers <= after_the_sale.values("journey").distinct().count()
    assert after_the_sale.values("journey").distinct().count() <= 0.1 * customers


def check_notes_mention_earlier_owners_of_the_journey() -> None:
    notes = JourneyEvent.objects.filter(
        kind=EventKind.NOTE_ADDED, payload__has_key="mentions"
    ).values_list("journey_id", "payload__mentions")
    owners = set(
        AccountTeamMember.objects.filter(owned=True).values_list("journey_id", "member__user_id")
    )
    assert len(notes) >= 20
    for journey_id, mentions in notes:
        for mention in mentions:
            assert (journey_id, mention["id"]) in owners


def check_speed_to_lead_is_mostly_hours_and_a_few_leads_are_never_touched() -> None:
    journeys = list(Journey.objects.select_related("stage"))
    speeds = [journey.speed_to_lead for journey in journeys]
    touched = [speed.total_seconds() / 3600 for speed in speeds if speed is not None]
    never = [journey for journey in journeys if journey.first_touch_at is None]
    assert 0 < len(never) < 0.06 * len(journeys)
    assert all(journey.stage.key == "lead" for journey in never)
    assert statistics.median(touched) < 8
    assert sum(hours < 1 for hours in touched) > 0.3 * len(touched)
    assert sum(hours > 24 for hours in touched) > 0.05 * len(touched)


def check_each_journeys_last_stage_entered_is_its_stage_and_owners_match_it() -> None:
    last_entered = JourneyEvent.objects.filter(
        journey=OuterRef("pk"), kind=EventKind.STAGE_ENTERED
    ).order_by("-id")
    rows = Journey.objects.annotate(
        entered=Subquery(last_entered.values("payload__to")[:1])
    ).values_list("entered", "stage__key", "owner__role", "closed_at")
    roles = {
        "lead": {Role.LEAD_GENERATION, Role.SDR},
        "qualification": {Role.SDR},
        "closing": {Role.AE},
        "onboarding": {Role.ONBOARDING},
        "adoption": {Role.CSM},
        "expansion": {Role.CSM},
    }
    for entered, stage_key, role, closed_at in rows:
        assert entered == stage_key
        assert closed_at is not None or role in roles[stage_key]


def check_people_have_read_all_but_their_recent_notifications() -> None:
    unread = Notification.objects.filter(read_at__isnull=True)
    assert unread.filter(recipient__username="omar").exists()
    last_days = timezone.now() - READ_UP_TO - dt.timedelta(minutes=5)
    assert not unread.filter(created_at__lt=last_days).exists()
    assert Notification.objects.filter(read_at__isnull=False).exists()
