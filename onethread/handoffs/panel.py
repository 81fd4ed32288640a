"""What the account page shows about handoffs: the one waiting for an answer
(or the last one returned), and, for those who may send, the next steps with
their receivers and their contract evaluated live for this journey."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User

from onethread.handoffs.access import can_answer, check_can_send
from onethread.handoffs.contracts import Facts, ItemSpec, evaluate, journey_facts
from onethread.handoffs.forms import SendHandoffForm, answers_from
from onethread.handoffs.models import Handoff, Transition
from onethread.journeys.access import NotPermitted
from onethread.journeys.models import Journey
from onethread.journeys.prepared import Prepared
from onethread.journeys.reference import Reference
from onethread.team.models import Member, Team
from onethread.training.queries import contract_answers


@dataclass
class SendOption:
    """One step the journey can take from its stage, as the send form shows it."""

    transition: Transition
    receivers: list[Member]
    checklist: list[dict[str, Any]]
    route_team: Team
    form: SendHandoffForm | None = None  # the posted form, when it was for this step

    @property
    def missing(self) -> list[str]:
        return [item["label"] for item in self.checklist if item["required"] and not item["met"]]

    @property
    def override_required(self) -> bool:
        return self.form is not None and self.form.has_error("override_reason", "override_required")

    @property
    def met_count(self) -> int:
        return sum(1 for item in self.checklist if item["met"])

    @property
    def posted(self) -> dict[str, str]:
        """What the sender posted, to show it again."""
        if self.form is None:
            return {}
        return {key: str(self.form.data.get(key, "")) for key in self.form.data}


@dataclass
class HandoffPanel:
    stage_id: int
    latest: Handoff | None = None
    can_answer: bool = False
    options: list[SendOption] = field(default_factory=list)
    stray_form: SendHandoffForm | None = None  # posted for a step that does not exist

    @property
    def pending(self) -> Handoff | None:
        return self.latest if self.latest is not None and self.latest.is_pending else None

    @property
    def returned(self) -> Handoff | None:
        """The last handoff, returned, while the journey still waits to move on."""
        latest = self.latest
        if latest is None or latest.status != Handoff.Status.RETURNED:
            return None
        return latest if latest.from_stage_id == self.stage_id else None


# Compiled once (journeys/prepared.py): the account page reads it every time.
_LATEST: Prepared[Handoff] = Prepared(
    lambda journey: (
        Handoff.objects.filter(journey_id=journey)
        .select_related("return_reason")
        .order_by("-id")[:1]
    ),
    journey=int,
)


def latest_handoff(journey: Journey, reference: Reference | None = None) -> Handoff | None:
    """The journey's newest handoff: the pending one when there is one. With
    `reference`, its people and stage come from there (a nine-table join
    takes PostgreSQL longer to plan than to run)."""
    if reference is not None:
        found = _LATEST.objects(journey=journey.pk)
        handoff = found[0] if found else None
        if handoff is not None:
            for name in ("from_member", "to_member", "responded_by"):
                member = reference.member_by_id.get(getattr(handoff, f"{name}_id"))
                if member is not None:  # else read when shown (an inactive member)
                    setattr(handoff, name, member)
            stage = reference.stage_by_id.get(handoff.to_stage_id)
            if stage is not None:
                handoff.to_stage = stage
        return handoff
    return (
        Handoff.objects.filter(journey=journey)
        .select_related(
            "from_member__user",
            "to_member__user",
            "responded_by__user",
            "to_stage",
            "return_reason",
        )
        .order_by("-id")
        .first()
    )


def receivers_by_transition(
    transitions: list[Transition], sender: Member, active_members: list[Member] | None = None
) -> dict[int, list[Member]]:
    """For each step, who may receive it: members in the role that works the
    next stage, in the step's receiving team or the sender's (one query, none
    when given every active member in that order)."""
    team_ids = {sender.team_id} | {t.receiving_team_id for t in transitions if t.receiving_team_id}
    if active_members is not None:
        members = [m for m in active_members if m.team_id in team_ids and m.pk != sender.pk]
    else:
        members = list(
            Member.objects.filter(team_id__in=team_ids, user__is_active=True)
            .exclude(pk=sender.pk)
            .select_related("user", "team")
            .order_by("team__name", "user__first_name", "user__last_name", "user__username")
        )
    found = {}
    for transition in transitions:
        teams = {sender.team_id, transition.receiving_team_id or sender.team_id}
        role = transition.to_stage.owner_role
        found[transition.pk] = [
            member
            for member in members
            if member.team_id in teams and (member.role == role if role else True)
        ]
    return found


def _checklist(transition: Transition, facts: Any, answers: dict[int, str]) -> list[dict[str, Any]]:
    items = list(transition.items.all())
    specs = [ItemSpec(item.pk, item.label, item.rule, item.required) for item in items]
    guidance = {item.pk: item.guidance for item in items}
    return [
        result | {"guidance": guidance[result["item_id"]]}
        for result in evaluate(specs, facts, answers)
    ]


def handoff_panel(
    user: User | AnonymousUser,
    journey: Journey,
    posted: SendHandoffForm | None = None,
    facts: Facts | None = None,
    reference: Reference | None = None,
) -> HandoffPanel:
    """`facts`: the journey's facts when the caller has loaded its records;
    `reference`: the steps and members, when the caller has read them."""
    latest = latest_handoff(journey, reference)
    panel = HandoffPanel(stage_id=journey.stage_id, latest=latest)
    if latest is not None and latest.is_pending:
        panel.can_answer = can_answer(user, latest)
        return panel
    if journey.is_closed or not user.is_authenticated:
        return panel
    try:
        sender = check_can_send(user, journey)
    except NotPermitted:
        return panel
    if reference is not None:
        transitions = reference.transitions_from(journey.stage_id)
    else:
        transitions = list(
            Transition.objects.filter(from_stage_id=journey.stage_id)
            .select_related("to_stage", "receiving_team")
            .prefetch_related("items")
            .order_by("to_stage__position")
        )
    if not transitions:
        return panel
    if facts is None:
        facts = journey_facts(journey, user.pk)
    receivers = receivers_by_transition(
        transitions, sender, reference.members if reference is not None else None
    )
    posted_stage = str(posted.data.get("to_stage", "")) if posted is not None else ""
    # Playbook steps done in this stage fill the contract items they are tied to.
    filled = contract_answers(journey)
    for transition in transitions:
        mine = posted is not None and posted_stage == str(transition.to_stage_id)
        answers = answers_from(posted.data) if posted is not None and mine else filled
        panel.options.append(
            SendOption(
                transition=transition,
                receivers=receivers[transition.pk],
                checklist=_checklist(transition, facts, answers),
                route_team=transition.receiving_team or sender.team,
                form=posted if mine else None,
            )
        )
    if posted is not None and not any(option.form for option in panel.options):
        panel.stray_form = posted
    return panel
