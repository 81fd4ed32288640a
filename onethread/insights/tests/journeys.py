"""Small explicit journeys in the database for the insights tests."""

import datetime as dt
from decimal import Decimal

from onethread.journeys.events import record_event
from onethread.journeys.models import EventKind, Journey, Stage
from onethread.journeys.services import move_stage
from onethread.team.models import Member
from tests.builders import make_journey, make_member

START = dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC)


def day(n: float) -> dt.datetime:
    return START + dt.timedelta(days=n)


def journey_through(
    owner: Member, steps: list[tuple[str, float]], *, source: str = "web", opened: float = 0
) -> Journey:
    """A journey opened on day `opened`, then moved to each (stage, day)."""
    journey = make_journey(owner=owner, source=source, at=day(opened))
    for key, when in steps:
        stage = Stage.objects.get(key=key)
        reason = "no budget" if stage.is_outcome else ""
        journey = move_stage(journey, stage, by=owner.user, reason=reason, at=day(when))
    return journey


def record_value(journey: Journey, amount: str, when: float) -> None:
    record_event(
        journey,
        EventKind.VALUE_RECORDED,
        by=None,
        occurred_at=day(when),
        payload={"amount": str(Decimal(amount))},
    )


def a_small_company() -> list[Journey]:
    """A team of three SDRs, three AEs and a CSM, with journeys that handed
    over (accepted or returned), were won and delivered value, or were lost."""
    from onethread.handoffs.services import accept_handoff, return_handoff, send_handoff
    from onethread.team.models import Role
    from tests.builders import make_team, return_reason, transition

    team = make_team("Insights team")
    sdrs = [make_member(Role.SDR, team=team, first_name=f"Sdr{n}") for n in range(3)]
    aes = [make_member(Role.AE, team=team, first_name=f"Ae{n}") for n in range(3)]
    csm = make_member(Role.CSM, team=team, first_name="Csm")
    to_closing = transition("qualification", "closing").to_stage
    to_onboarding = transition("closing", "onboarding").to_stage
    reason = return_reason()
    journeys = []
    for n in range(12):
        sdr, ae = sdrs[n % 3], aes[n % 3]
        journey = journey_through(
            sdr, [("qualification", n + 1)], source=("web", "event")[n % 2], opened=n
        )
        handoff = send_handoff(
            journey,
            by=sdr.user,
            to_stage=to_closing,
            to_member=ae,
            override_reason="Sent anyway for the test",
            at=day(n + 2),
        )
        if n % 4 == 3:
            return_handoff(handoff, by=ae.user, reason=reason, at=day(n + 3))
            journey = move_stage(
                journey,
                Stage.objects.get(key="disqualified"),
                by=sdr.user,
                reason="Not a fit",
                at=day(n + 4),
            )
        else:
            accept_handoff(handoff, by=ae.user, rating=2 + n % 4, at=day(n + 2.5))
            journey.refresh_from_db()
            if n % 3 == 2:
                journey = move_stage(
                    journey,
                    Stage.objects.get(key="lost"),
                    by=ae.user,
                    reason="Chose a competitor",
                    at=day(n + 10),
                )
            else:
                handoff = send_handoff(
                    journey,
                    by=ae.user,
                    to_stage=to_onboarding,
                    to_member=csm,
                    override_reason="Sent anyway",
                    at=day(n + 12),
                )
                accept_handoff(handoff, by=csm.user, rating=4, at=day(n + 13))
                journey.refresh_from_db()
                if n % 2 == 0:
                    record_value(journey, f"{100 + 10 * n}", n + 20)
                    record_value(journey, "50", n + 50)
        journeys.append(journey)
    return journeys
