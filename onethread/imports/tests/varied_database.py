"""A small database with a row in every exported table, written through the
services (configuration and logs directly), with the values that trip
exports up: commas, quotes and line breaks in text, accents, NULLs beside
empty strings, decimals, floats, JSON and times with microseconds."""

import datetime as dt
from decimal import Decimal

from onethread.catalogue.models import Category, Product
from onethread.commitments.services import make_commitment
from onethread.customers.services import add_contact
from onethread.deals.services import LineItem, create_deal
from onethread.handoffs.services import accept_handoff, return_handoff, send_handoff
from onethread.imports.models import ExternalRecord, ImportRun
from onethread.interactions.services import log_interaction
from onethread.journeys.models import Journey
from onethread.journeys.services import add_note, move_stage
from onethread.needs.models import Need
from onethread.needs.services import capture_need
from onethread.notifications.models import Notification
from onethread.notifications.services import mark_read
from onethread.signals.detectors.base import Candidate
from onethread.signals.models import DigestSent, HealthScore, HealthWeight
from onethread.signals.raising import raise_signals
from onethread.signals.services import act_on_signal, dismiss_signal
from onethread.support.services import open_ticket
from onethread.team.models import Member, Role
from onethread.training.services import (
    add_playbook_item,
    add_shadowing_note,
    assign_replay,
    assign_shadowing,
    close_shadowing,
    complete_playbook_step,
    record_shadow_read,
    reflect_on_replay,
    save_replay,
    set_goal,
    update_playbook,
)
from onethread.webhooks import subscriptions
from onethread.webhooks.models import Delivery, DeliveryAttempt, Webhook
from tests.builders import make_journey, make_member, return_reason, stage, transition

START = dt.datetime(2026, 2, 2, 9, 15, 30, 123456, tzinfo=dt.UTC)


def at(hours: float) -> dt.datetime:
    return START + dt.timedelta(hours=hours)


def build_varied_database() -> None:
    sdr = make_member(Role.SDR, username="zoe", first_name="Zoë", last_name="Ærøskøbing")
    team = sdr.team
    ae = make_member(Role.AE, team=team, username="alex")
    manager = make_member(Role.MANAGER, team=team, username="nina", email="")
    reporting = Category.objects.create(name="Reporting", slug="reporting")
    product = Product.objects.create(name="Insights Pro", tier="pro", list_price=Decimal("1200.50"))
    product.categories.add(reporting)
    Product.objects.create(name='Add-on, "quoted"', description="line one\nline two")
    Webhook.objects.create(
        name="Stages", url="https://example.com/hook", event_types=["stage_entered"]
    )
    subscriptions.forget()
    transition("qualification", "closing")  # installs the default contracts

    journey = make_journey(
        owner=sdr, stage_key="qualification", name='Globex, "the" Corp', at=at(0)
    )
    dana = add_contact(
        journey.account,
        "Dana Scully",
        by=sdr.user,
        email="dana@globex.test",
        buying_role="decision_maker",
        at=at(1),
    )
    need = capture_need(
        journey,
        "Consolidated reporting;\nacross sites",
        by=sdr.user,
        category=reporting,
        priority=2,
        at=at(2),
    )
    promise = make_commitment(
        journey, "Pilot by March", by=sdr.user, owner=ae.user, due_on=dt.date(2026, 3, 31), at=at(3)
    )
    log_interaction(
        journey,
        channel="call",
        direction="outbound",
        summary="Discovery, 45 min",
        by=sdr.user,
        contacts=[dana],
        occurred_at=at(4),
    )
    answers = {item.pk: "Budget 40k" for item in transition("qualification", "closing").items.all()}
    handoff = send_handoff(
        journey, by=sdr.user, to_stage=stage("closing"), answers=answers, note="Hot lead", at=at(5)
    )  # routed: a routing cursor
    accept_handoff(handoff, by=ae.user, rating=4, missing=["Budget owner"], at=at(6))
    create_deal(
        journey,
        "Insights Pro for Globex",
        by=ae.user,
        amount=Decimal("2401.00"),
        close_date=dt.date(2026, 4, 1),
        line_items=[LineItem(product, quantity=2, unit_price=Decimal("1200.50"), need=need)],
        at=at(7),
    )
    open_ticket(
        journey,
        "Export fails",
        by=ae.user,
        category=reporting,
        need=need,
        commitment=promise,
        at=at(8),
    )
    add_note(journey, "Ask @alex about the pilot", by=sdr.user, question=True, at=at(9))
    mark_read(
        ae.user,
        Notification.objects.filter(recipient=ae.user).values_list("pk", flat=True)[:1],
        at=at(10),
    )

    lost = make_journey(owner=sdr, stage_key="qualification", name="Initech", source="", at=at(11))
    bounced = send_handoff(
        lost,
        by=sdr.user,
        to_stage=stage("closing"),
        to_member=ae,
        override_reason="Asked for a quote",
        at=at(12),
    )
    return_handoff(
        bounced,
        by=ae.user,
        reason=return_reason("missing_information"),
        comment="No budget known",
        at=at(13),
    )
    move_stage(lost, stage("lost"), by=sdr.user, reason="Went with a competitor", at=at(14))

    ExternalRecord.objects.create(
        system="hubspot",
        kind="account",
        external_id="4711",
        object_id=journey.account_id,
        digest="0f" * 16,
        imported_at=at(15),
    )
    ImportRun.objects.create(
        source="hubspot",
        files=["companies.csv"],
        status="partial",
        rows_read=3,
        rows_rejected=1,
        created={"accounts": 2},
        started_at=at(15),
        seconds=0.25,
        by=sdr.user,
    )
    delivery = Delivery.objects.order_by("pk").first()
    assert delivery is not None, "the webhook should have queued a delivery"
    DeliveryAttempt.objects.create(
        delivery=delivery, at=at(16), status_code=None, error="connection refused", duration_ms=12
    )
    _signals_and_training(journey, lost, need=need, people=(sdr, ae, manager))


def _signals_and_training(
    journey: Journey, lost: Journey, *, need: Need, people: tuple[Member, Member, Member]
) -> None:
    """Signals (one acted on as a task, one dismissed), health, the replay
    library, a shadowing with its audit trail, a playbook and a goal."""
    sdr, ae, manager = people
    silent, overdue = raise_signals(
        [
            Candidate(
                kind="silence",
                detector="silence",
                dedupe_key=f"silence:journey:{journey.pk}:since:2026-02-02",
                journey_id=journey.pk,
                account_id=journey.account_id,
                score=0.75,
                explanation="No interaction for 20 days; the norm is 14.",
                records=[("need", need.pk)],
            ),
            Candidate(
                kind="commitment_overdue",
                detector="commitment_overdue",
                dedupe_key=f"commitment:journey:{journey.pk}",
                journey_id=journey.pk,
                account_id=journey.account_id,
                score=0.5,
                explanation='A promise, "late", is overdue.',
            ),
        ],
        now=at(17),
    )
    act_on_signal(
        silent, by=ae.user, task='Call Dana, comma, quote "now"', due_on=dt.date(2026, 2, 9)
    )
    dismiss_signal(overdue, "already_handled", by=ae.user, note="Kept by phone", at=at(18))
    HealthWeight.objects.create(component="engagement", weight=3)
    HealthScore.objects.create(
        journey=journey,
        day=dt.date(2026, 2, 3),
        score=61.5,
        components=[{"component": "engagement", "points": 20.5}],
        computed_at=at(18),
    )
    DigestSent.objects.create(member=ae, week=dt.date(2026, 2, 2), signals=2, sent_at=at(18))

    replay = save_replay(
        lost, title="Lost, with a, comma", lesson="Ask for the budget;\nearly", tags=["lost"],
        by=manager, at=at(19),
    )  # fmt: skip
    (assignment,) = assign_replay(replay, members=[sdr], by=manager, at=at(19))
    reflect_on_replay(assignment, "I would have asked sooner.", at=at(20))
    shadowing = assign_shadowing(
        sdr,
        stage("closing"),
        starts_on=dt.date(2026, 2, 2),
        ends_on=dt.date(2026, 2, 16),
        journeys=[journey],
        by=manager,
        at=at(20),
    )
    add_shadowing_note(shadowing, "Watched the pilot call", journey=journey, at=at(21))
    record_shadow_read(shadowing, journey, via="page", at=at(21))
    close_shadowing(shadowing, "Closing needs the budget owner early.", at=at(22))
    update_playbook(
        stage("closing"),
        good_looks_like="The pain, in the customer's words",
        next_stage_needs="Budget and timing",
        by=manager,
        at=at(22),
    )
    item = add_playbook_item(stage("closing"), "Confirm the budget", by=manager)
    complete_playbook_step(journey, item, by=ae.user, at=at(23))  # accepted: now in closing
    set_goal(
        team=sdr.team,
        measure="handoff_rating",
        target=Decimal("4.50"),
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 3, 31),
        by=manager,
        at=at(23),
    )
